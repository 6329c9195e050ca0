/* registry.c -- the method table: one entry per method file. */
#include <string.h>

#include "methods.h"

static const expm_method_t METHODS[] = {
    {"pade", EXPM_KIND_EXP | EXPM_KIND_FRECHET,
     "Pade scaling and squaring, m in {3,5,7,9,13}, ell-corrected s, (quasi-)triangular "
     "fix-up, also for permuted triangular P T P^T; 2x2 in closed form; strongly graded A "
     "(balancing lowers ||A||_1 by >= 2^40) on D^-1 A D, exactly; strictly triangular A "
     "by its finite Taylor sum; switches to pade-schur "
     "when its squarings show a hump "
     "and A is not normal (measured: no false switch on random/graded/skew A); Frechet by "
     "Alg. 6.4, checked by tr L(A,E) = tr(exp(A) E) (the default). Fails: rotated Jordan "
     "blocks Q s(N + lI) Q^T of size >= 5 with s >~ 2e4, where u||A|| moves eigenvalues by "
     "~1e2 (n = 6: rel. error 3.5e6..1.5e13, u*kappa_exp = 25; scipy NaN): no double "
     "method can be right there; warned ILLCOND (an estimate of kappa) when u*kappa >= 2^-10",
     "Al-Mohy & Higham, SIMAX 31(3):970-989, 2009 (Alg. 6.1); SIMAX 30(4):1639-1657, 2009 (Alg. 6.4)",
     expm_pade_exp, expm_pade_frechet},
    {"block", EXPM_KIND_FRECHET,
     "L(A,E) as the (1,2) block of exp([[A,E],[0,A]]) by pade. Fails: strongly non-normal "
     "A (the 2n block matrix holds every eigenvalue of A twice and squares through the "
     "hump): rel. error 2e3 (phi 1e4) on a 2x2 with ||A|| ~ 1e8, phi 1.6e8 on a 10x10 "
     "Q T Q^T, where pade's Alg. 6.4 has phi <= 1; 8x the flops of Alg. 6.4",
     "Van Loan, IEEE TAC 23(3):395-404, 1978; Mathias, SIMAX 17(3):610-620, 1996",
     NULL, expm_block_frechet},
    {"pade-schur", EXPM_KIND_EXP | EXPM_KIND_FRECHET,
     "Pade on the real Schur form of the balanced D^-1 A D (dgebal 'S', dgees), exact "
     "diagonal blocks (2x2 closed form) and superdiagonal recomputed in every squaring, "
     "back-transformed; forward stable on strongly non-normal large-norm A. Fails: never "
     "beats u*kappa (Schur is only backward stable: a few times plain Pade's error on "
     "normal A); strongly graded A (D over 10^+-60, nearly triangular: exp and L errors "
     "1e-8, warned GRADED when scaling back by D can magnify rounding by > 2^20); Frechet "
     "as D Q L(T, Q^T D^-1 E D Q) Q^T D^-1 by Alg. 6.4 on T",
     "Al-Mohy & Higham, SIMAX 31(3):970-989, 2009 (§2, Code Fragment 2.1); Higham, Functions "
     "of Matrices, SIAM 2008, eq. (10.42)",
     expm_pade_schur_exp, expm_pade_schur_frechet},
    {"pade-plain", EXPM_KIND_EXP,
     "Pade scaling and squaring, Alg. 6.1 alone (no 2x2 closed form, no Schur switch; the solve pivots on the balanced denominator, as the default). Fails: "
     "strongly non-normal large-norm A (squaring through the hump of ||exp(tA)||; warned, "
     "EXPM_WARN_HUMP, when the amplification estimate passes 2^32)",
     "Al-Mohy & Higham, SIMAX 31(3):970-989, 2009 (Alg. 6.1)",
     expm_pade_plain_exp, NULL},
    {"first-order", EXPM_KIND_EXP | EXPM_KIND_FRECHET,
     "I + A (explicit Euler, SSM shortcut); L = E, the derivative of the map. Fails: error "
     "~ ||A||^2/2, exp is not approximated for ||A|| >~ 1e-8 at double accuracy",
     "Taylor polynomial of degree 1 (Higham, Functions of Matrices, SIAM 2008, §10.3)",
     expm_first_order_exp, expm_first_order_frechet},
    {"bilinear", EXPM_KIND_EXP | EXPM_KIND_FRECHET,
     "(I - A/2)^-1 (I + A/2) by LU (Tustin, SSM discretisation); L = M^-1 E M^-1 = M^-1 E (I+X)/2 of the map. "
     "Fails: error ~ ||A||^3/12, exp not approximated for large ||A||, singular if A has "
     "eigenvalue 2",
     "[1/1] Pade approximant without scaling (Higham, Functions of Matrices, SIAM 2008, §10.3)",
     expm_bilinear_exp, expm_bilinear_frechet},
    {"eig", EXPM_KIND_EXP | EXPM_KIND_FRECHET,
     "V diag(e^lambda) V^-1 (dgeev, complex pairs in complex arithmetic; dsyev for symmetric "
     "A); L by Daleckii-Krein "
     "with stable divided differences; cond(V) reported. Fails: defective / nearly defective A "
     "(Jordan blocks, [-1 1; e^2 -1], non-normal Q T Q^T): error ~ u cond(V), u cond(V)^2 for L",
     "Moler & Van Loan, SIAM Rev. 45(1):3-49, 2003 (Method 14); Higham, Functions of "
     "Matrices, SIAM 2008, Thm 3.11 (Daleckii-Krein)",
     expm_eig_exp, expm_eig_frechet},
    {"abadir-magnus", EXPM_KIND_FRECHET,
     "plain series sum_k 1/(k+1)! sum_j A^j E A^(k-j) with exp(A), certified tail bound. "
     "Fails: ||A|| >> 1 with small exp(A) (terms ~e^||A|| cancel; warned), overflow or term "
     "cap for ||A|| >~ 700",
     "Abadir & Magnus, Matrix Algebra, CUP 2005, Exercise 13.29",
     NULL, expm_abadir_magnus_frechet},
    {"abadir-magnus-ss", EXPM_KIND_FRECHET,
     "the Abadir-Magnus series on 2^-s A (||2^-s A||_1 <= 1/2), then s steps L <- XL + LX, "
     "X <- X^2. Fails: over-scales non-normal A with ||A|| >> rho(A) (s from ||A||_1)",
     "Abadir & Magnus, Matrix Algebra, CUP 2005, Ex. 13.29; Higham, Functions of Matrices, "
     "SIAM 2008, §10.6 (squaring of L)",
     NULL, expm_abadir_magnus_ss_frechet},
    {"complex-step", EXPM_KIND_FRECHET,
     "Im exp(A + ihE)/h by complex Pade scaling and squaring (zgemm), h = 2^-40/(||E|| "
     "max(1,||A||)), reduced while ||Im||/||Re|| > 2^-30. Fails: no triangular fix-up "
     "(exp(A) of large non-normal A, e.g. O13; rel. error 1e30 on a 2x2 with ||A|| ~ 1e8); "
     "4x the flops of a real exp; tiny L underflows; ||A|| >~ 1e150: h ~ 2^-40/||A|| makes "
     "h E negligible (A = [[0,1e200],[0,0]], E = [[0,0],[1e-200,0]]: L printed as 0)",
     "Al-Mohy & Higham, Numer. Algorithms 53:133-148, 2010; Pade as SIMAX 31(3):970-989, 2009",
     NULL, expm_complex_step_frechet},
    {"finite-difference", EXPM_KIND_FRECHET,
     "central difference (exp(A+hE) - exp(A-hE))/2h by pade, h = (3u max(||A||,1))^(1/3)/||E||. "
     "Fails: everywhere, by design: ~1e-11 at best, times kappa; garbage or overflow of "
     "exp(A+-hE) for non-normal A with large entries (O1, O6, B1, graded D G D^-1)",
     "Higham, Functions of Matrices, SIAM 2008, §3.4 (finite differences)",
     NULL, expm_fd_frechet},
    {"taylor", EXPM_KIND_EXP | EXPM_KIND_FRECHET,
     "Taylor scaling and squaring, degree in {1,2,4,8,12,18} by the Bader-Blanes-Casas schemes, "
     "s from d_k = ||A^k||^(1/k) with ell correction; L by differentiating the scheme. Fails: "
     "strongly non-normal A of large norm (many squarings, no triangular fix-up or Schur "
     "fallback: rel. error 4e-4 on O13, 2e-7 on D14, and far beyond u kappa on others, e.g. "
     "7e44 on a 2x2 with ||A|| ~ 3e9; warned (EXPM_WARN_HUMP) when the squarings amplify "
     "rounding errors past 2^32)",
     "Bader, Blanes & Casas, Mathematics 7(12):1174, 2019; s choice as Al-Mohy & Higham, "
     "SIMAX 31(3):970-989, 2009",
     expm_taylor_exp, expm_taylor_frechet},
    {"taylor-sum", EXPM_KIND_EXP,
     "plain series sum A^k/k! until it stops changing (no scaling). Fails: cancellation for "
     "large negative norm (-30 I: ~3e8 relative error; warned), term overflow for "
     "||A||_1 >~ 700, and unwarned: non-normal A with ||A|| >> rho(A), whose powers A^k "
     "lose all accuracy (rel. error 1e58 on a 3x3 with ||A||_1 = 1.3e6, 40153 terms)",
     "Moler & Van Loan, SIAM Rev. 45(1):3-49, 2003, Method 1",
     expm_taylor_sum_exp, NULL},
    {"taylor-sum-ss", EXPM_KIND_EXP,
     "the same series on 2^-s A with ||2^-s A||_1 <= 1/2, then s squarings. Fails: over-scales "
     "non-normal A (s from ||A||_1: 58 squarings and rel. error 0.6 on [[1,1e17],[0,1]])",
     "Moler & Van Loan, SIAM Rev. 45(1):3-49, 2003, Methods 1 and 3",
     expm_taylor_sum_ss_exp, NULL},
};

int expm_method_count(void)
{
    return (int)(sizeof METHODS / sizeof METHODS[0]);
}

const expm_method_t *expm_method_get(int i)
{
    return (i >= 0 && i < expm_method_count()) ? &METHODS[i] : NULL;
}

const expm_method_t *expm_method_find(const char *name)
{
    if (!name || !*name)
        name = "pade";
    for (int i = 0; i < expm_method_count(); i++)
        if (strcmp(METHODS[i].name, name) == 0)
            return &METHODS[i];
    return NULL;
}
