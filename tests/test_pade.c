/*
 * test_pade.c -- methods/pade.c: exp(A) (AMH 2009 Alg. 6.1) and L(A,E)
 * (AMH 2009 Alg. 6.4) against closed forms and the certified MPFR reference.
 *
 * Accuracy criterion: phi = err / (u max(kappa_exp, 1)) with kappa_exp exact
 * (Kronecker form of the reference L). DESIGN.md requires the production
 * default to keep phi <= 100 on every matrix; a forward-stable method has
 * phi = O(1), so 100 leaves room for the constants of the error bounds
 * (n, the squarings) but fails any loss of even two digits beyond kappa.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <mpfr.h>
#include <stdio.h>

#include "../methods/pade_table.h"
#include "testutil.h"

#define PHI_MAX 100.0
#define M_E_D 2.718281828459045

/* b_j of [m/m] Pade: p_m(x) = sum_j (2m-j)! m! / ((2m)! j! (m-j)!) x^j
 * (Higham, Functions of Matrices, (10.24)); scaled so that b_m = 1 this is
 * b_j = (2m-j)! / (j! (m-j)!), computed exactly here and compared. */
Test(pade, coefficients_are_pade_numerators)
{
    for (int r = 0; r < 5; r++) {
        const expm_pade_row_t *row = &EXPM_PADE_TABLE[r];
        int m = row->m;
        mpfr_t c, t;
        mpfr_inits2(256, c, t, (mpfr_ptr)0);
        for (int j = 0; j <= m; j++) {
            mpfr_fac_ui(c, (unsigned long)(2 * m - j), MPFR_RNDN);
            mpfr_fac_ui(t, (unsigned long)j, MPFR_RNDN);
            mpfr_div(c, c, t, MPFR_RNDN);
            mpfr_fac_ui(t, (unsigned long)(m - j), MPFR_RNDN);
            mpfr_div(c, c, t, MPFR_RNDN);
            double want = mpfr_get_d(c, MPFR_RNDN);
            cr_expect_eq(row->b[j], want, "m=%d b_%d: table %.17g, derived %.17g", m, j,
                         row->b[j], want);
        }
        mpfr_clears(c, t, (mpfr_ptr)0);
    }
}

/* coeff_m: the leading coefficient of the backward error series
 * h_{2m+1}(x) = log(e^-x r_m(x)) ~ x^(2m+1)/c_m; check 1/c_m numerically by
 * evaluating h at small x in 400-bit arithmetic. */
Test(pade, backward_error_leading_coefficients)
{
    for (int r = 0; r < 5; r++) {
        const expm_pade_row_t *row = &EXPM_PADE_TABLE[r];
        int m = row->m;
        mpfr_t x, p, q, xk, h, t;
        mpfr_inits2(2000, x, p, q, xk, h, t, (mpfr_ptr)0);
        mpfr_set_d(x, 1e-12, MPFR_RNDN);
        mpfr_set_ui(p, 0, MPFR_RNDN);
        mpfr_set_ui(q, 0, MPFR_RNDN);
        mpfr_set_ui(xk, 1, MPFR_RNDN);
        for (int j = 0; j <= m; j++) {
            mpfr_mul_d(t, xk, row->b[j], MPFR_RNDN);
            mpfr_add(p, p, t, MPFR_RNDN);
            if (j % 2) mpfr_sub(q, q, t, MPFR_RNDN); else mpfr_add(q, q, t, MPFR_RNDN);
            mpfr_mul(xk, xk, x, MPFR_RNDN);
        }
        mpfr_div(h, p, q, MPFR_RNDN);
        mpfr_log(h, h, MPFR_RNDN);
        mpfr_sub(h, h, x, MPFR_RNDN);                            /* h = log(r_m(x)) - x */
        mpfr_pow_ui(t, x, (unsigned long)(2 * m + 1), MPFR_RNDN);
        mpfr_div(h, h, t, MPFR_RNDN);                            /* ~ -+1/c_m */
        double got = fabs(mpfr_get_d(h, MPFR_RNDN)) * row->c_recip;
        cr_expect(fabs(got - 1.0) < 1e-6, "m=%d: |h/x^(2m+1)| * c_m = %.12g, want 1", m, got);
        mpfr_clears(x, p, q, xk, h, t, (mpfr_ptr)0);
    }
}

Test(pade, zero_and_empty)
{
    double A[9] = {0}, X[9];
    cr_assert_eq(expm_exp("pade", 3, A, 3, X, 3, NULL), EXPM_OK);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            cr_expect_eq(X[i + 3 * j], i == j ? 1.0 : 0.0);
    cr_assert_eq(expm_exp("pade", 0, NULL, 1, NULL, 1, NULL), EXPM_OK);
}

/* Diagonal and scalar: the triangular fix-up makes them exp() of each entry. */
Test(pade, diagonal_and_scalar_exact)
{
    double d[4] = {1, -2, 0.5, -30}, A[16] = {0}, X[16];
    for (int i = 0; i < 4; i++)
        A[i * 5] = d[i];
    cr_assert_eq(expm_exp(NULL, 4, A, 4, X, 4, NULL), EXPM_OK);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(X[i * 5], exp(d[i]), "diag %d: %.17g vs %.17g", i, X[i * 5], exp(d[i]));
    double s[] = {700, -745, 1e-10, -1e-10, 0, 30};
    for (int k = 0; k < 6; k++) {
        double x;
        cr_assert_eq(expm_exp(NULL, 1, &s[k], 1, &x, 1, NULL), EXPM_OK);
        cr_expect_eq(x, exp(s[k]), "exp(%g) = %.17g vs libm %.17g", s[k], x, exp(s[k]));
    }
}

/* exp([[a,b],[0,c]]) = [[e^a, b (e^a-e^c)/(a-c)], [0, e^c]] computed in MPFR. */
static double tri12(double a, double b, double c)
{
    mpfr_t ea, ec, t;
    mpfr_inits2(300, ea, ec, t, (mpfr_ptr)0);
    double r;
    if (a == c) {
        mpfr_set_d(ea, a, MPFR_RNDN);
        mpfr_exp(ea, ea, MPFR_RNDN);
        mpfr_mul_d(ea, ea, b, MPFR_RNDN);
        r = mpfr_get_d(ea, MPFR_RNDN);
    } else {
        mpfr_set_d(ea, a, MPFR_RNDN);
        mpfr_exp(ea, ea, MPFR_RNDN);
        mpfr_set_d(ec, c, MPFR_RNDN);
        mpfr_exp(ec, ec, MPFR_RNDN);
        mpfr_sub(ea, ea, ec, MPFR_RNDN);
        mpfr_set_d(t, a, MPFR_RNDN);
        mpfr_sub_d(t, t, c, MPFR_RNDN);
        mpfr_div(ea, ea, t, MPFR_RNDN);
        mpfr_mul_d(ea, ea, b, MPFR_RNDN);
        r = mpfr_get_d(ea, MPFR_RNDN);
    }
    mpfr_clears(ea, ec, t, (mpfr_ptr)0);
    return r;
}

Test(pade, triangular_2x2_closed_form)
{
    double cases[][3] = {{1, 2, 3},           {1, 1e10, 1 + 0x1p-40}, {1, 5, 1},
                         {-1, 1e7, -1e7},     {0.1, 1e6, 0.1},        {-700, 1e300, -690},
                         {30, -4, -30},       {1e-8, 1e6, 1e-8}};
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double a = cases[k][0], b = cases[k][1], c = cases[k][2];
        double A[4] = {a, 0, b, c}, X[4];
        cr_assert_eq(expm_exp("pade", 2, A, 2, X, 2, NULL), EXPM_OK, "case %u", k);
        double want[4] = {exp(a), 0, tri12(a, b, c), exp(c)};
        for (int i = 0; i < 4; i++)
            cr_expect(fabs(X[i] - want[i]) <= 4 * DBL_EPSILON * fabs(want[i]),
                      "case %u [%g %g; 0 %g] entry %d: %.17g vs %.17g", k, a, b, c, i, X[i],
                      want[i]);
        /* The lower-triangular transpose goes through the same exact path. */
        double At[4] = {a, b, 0, c}, Xt[4];
        cr_assert_eq(expm_exp("pade", 2, At, 2, Xt, 2, NULL), EXPM_OK);
        cr_expect_eq(Xt[1], X[2]);
    }
}

Test(pade, rotation_and_nilpotent)
{
    double th[] = {1, 100, 1e4};
    for (int k = 0; k < 3; k++) {
        double A[4] = {0, -th[k], th[k], 0}, X[4]; /* [[0,th],[-th,0]] */
        cr_assert_eq(expm_exp("pade", 2, A, 2, X, 2, NULL), EXPM_OK);
        double c = cos(th[k]), s = sin(th[k]);
        double want[4] = {c, -s, s, c};
        /* kappa of a rotation by theta is ~theta; allow PHI_MAX u theta. */
        double err = tu_relerr(2, X, want);
        cr_expect(err <= PHI_MAX * TU_U * th[k], "theta=%g: err %.3g", th[k], err);
    }
    /* 6 on the superdiagonal (D1): exp = [[1 6 18 36],[0 1 6 18],[0 0 1 6],[0 0 0 1]]. */
    double N[16] = {0}, X[16];
    N[0 + 4 * 1] = N[1 + 4 * 2] = N[2 + 4 * 3] = 6;
    cr_assert_eq(expm_exp("pade", 4, N, 4, X, 4, NULL), EXPM_OK);
    double want[16] = {1, 0, 0, 0, 6, 1, 0, 0, 18, 6, 1, 0, 36, 18, 6, 1};
    for (int i = 0; i < 16; i++)
        cr_expect(fabs(X[i] - want[i]) <= 8 * DBL_EPSILON * fabs(want[i]) + 0.0,
                  "nilpotent entry %d: %.17g vs %g", i, X[i], want[i]);
}

/* Pade exp against the certified reference on the named test matrices plus
 * random ones: phi <= PHI_MAX everywhere. Prints the table it measured. */
Test(pade, exp_vs_reference_phi, .timeout = 120)
{
    double worst = 0;
    const char *worst_name = "";
    int count = 0;
    for (int k = 0; k < TU_NSMALL + 4; k++) {
        double A[64], X[64], R[64];
        int n;
        char name[64];
        if (k < TU_NSMALL) {
            n = expm_testmat_get(k)->n;
            tu_small_colmajor(expm_testmat_get(k), A);
            snprintf(name, sizeof name, "%s", expm_testmat_get(k)->name);
        } else {
            static const double norms[] = {0.3, 3, 30, 300};
            n = 8;
            tu_randn(n, 1000 + (uint64_t)k, norms[k - TU_NSMALL], A);
            snprintf(name, sizeof name, "randn(8) ||A||_1=%g", norms[k - TU_NSMALL]);
        }
        expm_ref_info_t ri;
        expm_status rs = expm_ref_exp(n, A, n, R, n, 0, &ri);
        cr_assert_eq(rs, EXPM_OK, "%s: reference failed: %s", name, ri.message);
        expm_info_t info;
        cr_assert_eq(expm_exp("pade", n, A, n, X, n, &info), EXPM_OK, "%s: %s", name,
                     info.message);
        double kappa = tu_kappa_exp(n, A);
        cr_assert(kappa > 0, "%s: kappa failed", name);
        double err = tu_relerr(n, X, R);
        double phi = err / (TU_U * fmax(kappa, 1.0));
        printf("pade exp  %-28s n=%2d m=%2d s=%3d kappa=%9.3g err=%9.3g phi=%8.3g\n", name, n,
               info.m, info.s, kappa, err, phi);
        cr_expect(phi <= PHI_MAX, "%s: phi = %.3g > %g (err %.3g, kappa %.3g)", name, phi,
                  PHI_MAX, err, kappa);
        if (phi > worst) {
            worst = phi;
            worst_name = (k < TU_NSMALL ? expm_testmat_get(k)->name : "random");
        }
        count++;
    }
    printf("pade exp: %d matrices, worst phi %.3g (%s)\n", count, worst, worst_name);
}

/* A = P D G D^-1 P^T: D = diag(2^(dir span i / (n-1))) (exact powers of
 * two), P the permutation drawn from seed st (the same P for the same st). */
static void graded_perm_span(int n, uint64_t st, int dir, int span, const double *G,
                             double *A)
{
    int perm[16];
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        int j = (int)((st >> 33) % (uint64_t)(i + 1)), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            A[perm[i] + perm[j] * n] = G[i + j * n] * ldexp(1.0, dir * span * (i - j) / (n - 1));
}

static void graded_perm(int n, uint64_t st, int dir, const double *G, double *A)
{
    graded_perm_span(n, st, dir, 27, G, A);
}

/* Graded inputs A = P D G D^-1 P^T (D = diag(2^k_i), exact powers of two
 * spanning 2^27 ~ 1e8 either way, P a seeded permutation, G = randn with
 * ||G||_1 = 1, 10, 50). Every step of the Pade evaluation and the
 * squarings is exactly invariant under such a similarity except the pivot
 * choice of the LU solve, which pade.c takes from the balanced Q (row
 * scaling by the balancing exponents of A). So the default should be as
 * accurate on A as a forward-stable method is on the equivalent G:
 * phi_G = err / (u max(kappa_exp(G), 1)) <= 10, the forward-stability
 * threshold of the verify report. n = 6 runs the small path
 * (pade_small.c), n = 10 the BLAS path. Measured: worst phi_G 2.7 over the
 * 36; the pivots of the unscaled Q (the code before) gave phi_G up to 262,
 * above 10 on 7 of them, on both paths. */
Test(pade, graded_as_accurate_as_balanced, .timeout = 120)
{
    static const int ns[2] = {6, 10};
    static const double norms[3] = {1, 10, 50};
    double worst = 0;
    int count = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int dir = -1; dir <= 1; dir += 2)
                for (int seed = 1; seed <= 3; seed++) {
                    int n = ns[a];
                    double G[100], A[100], R[100], X[100];
                    tu_randn(n, 4000 + 97 * (uint64_t)seed + 13 * (uint64_t)a + (uint64_t)b,
                             norms[b], G);
                    graded_perm(n, 12345 + 77 * (uint64_t)seed + (uint64_t)a, dir, G, A);
                    cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
                    expm_info_t info;
                    cr_assert_eq(expm_exp("pade", n, A, n, X, n, &info), EXPM_OK, "%s",
                                 info.message);
                    double kappa = tu_kappa_exp(n, G);
                    cr_assert(kappa > 0, "kappa failed");
                    double err = tu_relerr(n, X, R), phi = err / (TU_U * fmax(kappa, 1.0));
                    cr_expect(phi <= 10.0,
                              "graded n=%d ||G||=%g dir=%d seed=%d: err %.3g, kappa(G) %.3g, "
                              "phi_G %.3g > 10",
                              n, norms[b], dir, seed, err, kappa, phi);
                    worst = fmax(worst, phi);
                    count++;
                }
    printf("pade graded: %d matrices, worst phi_G %.3g\n", count, worst);
}

/* The same graded family for L(A,E), with E = P D F D^-1 P^T graded like
 * A (F = randn, ||F||_1 = 1): L(S G S^-1, S F S^-1) = S L(G,F) S^-1 and
 * Alg. 6.4 is invariant under the power-of-two similarity S except for the
 * pivots of its one LU factorisation, so the bound is that of the exp test:
 * err_L / (u max(kappa_exp(G), 1)) <= 10. Measured: worst 6.09 over the
 * 36 with the balanced pivots of pade_frechet; the pivots of the unscaled Q
 * (the code before) gave up to 302, above 10 on 19 of them. */
Test(pade, frechet_graded_as_accurate_as_balanced, .timeout = 120)
{
    static const int ns[2] = {6, 10};
    static const double norms[3] = {1, 10, 50};
    double worst = 0;
    int count = 0, over = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int dir = -1; dir <= 1; dir += 2)
                for (int seed = 1; seed <= 3; seed++) {
                    int n = ns[a];
                    double G[100], F[100], A[100], E[100], RL[100], L[100];
                    tu_randn(n, 5000 + 97 * (uint64_t)seed + 13 * (uint64_t)a + (uint64_t)b,
                             norms[b], G);
                    tu_randn(n, 6000 + 97 * (uint64_t)seed + 13 * (uint64_t)a + (uint64_t)b, 1.0,
                             F);
                    graded_perm(n, 54321 + 77 * (uint64_t)seed + (uint64_t)a, dir, G, A);
                    graded_perm(n, 54321 + 77 * (uint64_t)seed + (uint64_t)a, dir, F, E);
                    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, RL, n, NULL, 0, 0, NULL), EXPM_OK);
                    expm_info_t info;
                    cr_assert_eq(expm_frechet("pade", n, A, n, E, n, L, n, NULL, 0, &info),
                                 EXPM_OK, "%s", info.message);
                    double kappa = tu_kappa_exp(n, G);
                    cr_assert(kappa > 0, "kappa failed");
                    double err = tu_relerr(n, L, RL), phi = err / (TU_U * fmax(kappa, 1.0));
                    cr_expect(phi <= 10.0,
                              "graded L n=%d ||G||=%g dir=%d seed=%d: err %.3g, kappa(G) %.3g, "
                              "phi_G %.3g > 10",
                              n, norms[b], dir, seed, err, kappa, phi);
                    worst = fmax(worst, phi);
                    over += phi > 10.0;
                    count++;
                }
    printf("pade frechet graded: %d matrices, worst phi_G %.3g, %d above 10\n", count, worst,
           over);
}

/* Strongly graded: the same family with D spanning 2^130 and 2^260
 * (~1e39, 1e78). ||A||_1 ~ 2^130 took s = 30-40 squarings that G does not
 * need, and each doubles the error: the default had relative errors 1e-7
 * to 2e-4 at 1e+-20 and up to 1e33 (exit 0) at 1e+-40 on D S D^-1 (an
 * outside audit; src/grading.c). It now runs on the balanced matrix, so
 * the bound of the tests above holds: phi_G <= 10 for exp and for L (E
 * graded like A), on the small path (n = 6) and the BLAS path (n = 10). */
Test(pade, strongly_graded_as_accurate_as_balanced, .timeout = 120)
{
    static const int ns[2] = {6, 10}, spans[2] = {130, 260};
    static const double norms[2] = {1, 50};
    double worst = 0;
    int count = 0;
    for (int a = 0; a < 2; a++)
        for (int sp = 0; sp < 2; sp++)
            for (int b = 0; b < 2; b++)
                for (int seed = 1; seed <= 2; seed++) {
                    int n = ns[a], dir = seed == 1 ? 1 : -1;
                    double G[100], F[100], A[100], E[100], R[100], X[100], RL[100], L[100];
                    tu_randn(n, 7000 + 97 * (uint64_t)seed + 13 * (uint64_t)a + (uint64_t)b,
                             norms[b], G);
                    tu_randn(n, 8000 + 97 * (uint64_t)seed + (uint64_t)a, 1.0, F);
                    uint64_t st = 999 + 77 * (uint64_t)seed + (uint64_t)a;
                    graded_perm_span(n, st, dir, spans[sp], G, A);
                    graded_perm_span(n, st, dir, spans[sp], F, E);
                    cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
                    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, RL, n, NULL, 0, 0, NULL), EXPM_OK);
                    expm_info_t info;
                    cr_assert_eq(expm_exp("pade", n, A, n, X, n, &info), EXPM_OK, "%s",
                                 info.message);
                    cr_assert_eq(expm_frechet("pade", n, A, n, E, n, L, n, NULL, 0, &info),
                                 EXPM_OK, "%s", info.message);
                    double kappa = fmax(tu_kappa_exp(n, G), 1.0);
                    double phiX = tu_relerr(n, X, R) / (TU_U * kappa);
                    double phiL = tu_relerr(n, L, RL) / (TU_U * kappa);
                    cr_expect(phiX <= 10.0 && phiL <= 10.0,
                              "graded 2^%d n=%d ||G||=%g dir=%d: phi_G exp %.3g, L %.3g > 10",
                              spans[sp], n, norms[b], dir, phiX, phiL);
                    worst = fmax(worst, fmax(phiX, phiL));
                    count++;
                }
    printf("pade strongly graded: %d matrices (exp and L), worst phi_G %.3g\n", count, worst);
}

/* Nearly triangular and strongly graded: S upper triangular (||S||_1 =
 * 10) plus 1e-10 randn below the diagonal, D = 2^k_i with k zigzagging
 * over +-200 (n = 12). The worst-case magnification rho of the balanced
 * result is ~2^400 here, far above its true error, and A itself needs
 * ~265 squarings: the default printed exp(A) with relative error 0.42 and
 * L(A,E) with 1.0 (warned, exit 0; an outside audit). Kept balanced when
 * it saves >= 64 squarings (pade.c): now <= 1e-12 against the reference. */
Test(pade, nearly_triangular_graded, .timeout = 120)
{
    int n = 12;
    double S[144], F[144], A[144], E[144], R[144], X[144], RL[144], L[144];
    tu_randn(n, 2028, 10.0, S);
    tu_randn(n, 2029, 1.0, F);
    double T[144];
    tu_randn(n, 2030, 1.0, T);
    int k[12];
    for (int i = 0; i < n; i++)
        k[i] = (i % 2 ? 1 : -1) * (200 * i) / (n - 1);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double sij = i > j ? 1e-10 * T[i + j * n] : S[i + j * n];
            A[i + j * n] = ldexp(sij, k[i] - k[j]);
            E[i + j * n] = ldexp(F[i + j * n], k[i] - k[j]);
        }
    cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, RL, n, NULL, 0, 0, NULL), EXPM_OK);
    expm_info_t info;
    cr_assert_eq(expm_exp(NULL, n, A, n, X, n, &info), EXPM_OK, "%s", info.message);
    double ex = tu_relerr(n, X, R);
    cr_assert_eq(expm_frechet(NULL, n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK, "%s",
                 info.message);
    double eL = tu_relerr(n, L, RL);
    cr_expect(ex <= 1e-12 && eL <= 1e-12, "exp error %.3g, L error %.3g", ex, eL);
    printf("pade nearly triangular graded: exp error %.3g, L error %.3g\n", ex, eL);
}

/* L is linear in E, and pade_frechet carries a far-off scale of E in the
 * exponent of L: L(A, 2^k E) = 2^k L(A, E) bit for bit for k = +-1000 and
 * ||A||_1 = 3, 40 (s = 0 and s > 0). Before, 2^1000 E overflowed in
 * sum b_k M_k (b_0 ~ 6e16) and gave EXPM_EOVERFLOW. */
Test(pade, frechet_scales_with_E_exactly)
{
    static const double norms[2] = {3, 40};
    for (int a = 0; a < 2; a++) {
        int n = 5;
        double A[25], E[25], Ek[25], L0[25], L[25];
        tu_randn(n, 7100 + (uint64_t)a, norms[a], A);
        tu_randn(n, 7200 + (uint64_t)a, 1.0, E);
        expm_info_t info;
        cr_assert_eq(expm_frechet("pade", n, A, n, E, n, L0, n, NULL, 0, &info), EXPM_OK, "%s",
                     info.message);
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            for (int k = 0; k < n * n; k++)
                Ek[k] = ldexp(E[k], sgn * 1000);
            cr_assert_eq(expm_frechet("pade", n, A, n, Ek, n, L, n, NULL, 0, &info), EXPM_OK,
                         "||A||=%g, E 2^%d: %s", norms[a], sgn * 1000, info.message);
            for (int k = 0; k < n * n; k++)
                cr_assert_eq(L[k], ldexp(L0[k], sgn * 1000),
                             "||A||=%g, E 2^%d: entry %d is %a, not 2^k times %a", norms[a],
                             sgn * 1000, k, L[k], L0[k]);
        }
    }
}

/* L(A,E) by Alg. 6.4 and by the block method against the reference L.
 * Bound: err_L <= PHI_MAX u max(kappa_exp, 1) as well -- AMH 2009 (SIMAX
 * 30(4), §7) show Alg. 6.4 behaves like a forward stable method for L, and
 * L's own condition number does not exceed kappa_exp by much on these
 * (measured, printed). */
Test(pade, frechet_vs_reference, .timeout = 120)
{
    double worst_p = 0, worst_b = 0;
    for (int k = 0; k < TU_NSMALL; k++) {
        int n = expm_testmat_get(k)->n;
        double A[16], E[16], L[16], LB[16], X[16], RL[16], RX[16];
        tu_small_colmajor(expm_testmat_get(k), A);
        tu_randn(n, 77 + (uint64_t)k, 0, E);
        expm_ref_info_t ri;
        cr_assert_eq(expm_ref_frechet(n, A, n, E, n, RL, n, RX, n, 0, &ri), EXPM_OK, "%s: %s",
                     expm_testmat_get(k)->name, ri.message);
        expm_info_t info;
        cr_assert_eq(expm_frechet("pade", n, A, n, E, n, L, n, X, n, &info), EXPM_OK, "%s: %s",
                     expm_testmat_get(k)->name, info.message);
        cr_assert_eq(expm_frechet("block", n, A, n, E, n, LB, n, NULL, 0, &info), EXPM_OK);
        double kappa = tu_kappa_exp(n, A);
        double ep = tu_relerr(n, L, RL), eb = tu_relerr(n, LB, RL);
        double scale = TU_U * fmax(kappa, 1.0);
        printf("frechet   %-28s kappa=%9.3g err pade=%9.3g (%.3g) block=%9.3g (%.3g)\n",
               expm_testmat_get(k)->name, kappa, ep, ep / scale, eb, eb / scale);
        cr_expect(ep <= PHI_MAX * scale, "%s: pade L err %.3g > %g u kappa", expm_testmat_get(k)->name,
                  ep, PHI_MAX);
        cr_expect(eb <= PHI_MAX * scale, "%s: block L err %.3g > %g u kappa", expm_testmat_get(k)->name,
                  eb, PHI_MAX);
        worst_p = fmax(worst_p, ep);
        worst_b = fmax(worst_b, eb);
    }
    printf("frechet: worst relative error pade %.3g, block %.3g\n", worst_p, worst_b);
}

/* Lower triangular A with large entries below the diagonal: pade and
 * block compute L(A,E) as L(A^T,E^T)^T, so that the triangular path (exact
 * diagonal and superdiagonal in the squarings) applies; before, a lower
 * bidiagonal A with 1e7 below the diagonal gave pade's L a relative error
 * of 2.9e70 and block's 1e-10 (exit 0; found by an outside audit), while
 * the upper triangular transpose gave 2e-16. The adjoint of an upper
 * triangular A is L(A^T,G) with A^T lower, so it is checked too. The
 * tolerance is absolute, 1e-13 relative: kappa_exp of these matrices is
 * up to ~1e36, which would bound nothing; the triangular path measures
 * <= 2.1e-16 on them. */
static double u01(uint64_t *s) /* splitmix64 -> [0,1) */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

Test(pade, frechet_lower_triangular_matches_reference, .timeout = 60)
{
    for (int t = 0; t < 6; t++) {
        int n = 4 + t;
        double A[81] = {0}, At[81], E[81], RL[81], L[81];
        uint64_t st = 4242 + (uint64_t)t;
        for (int j = 0; j < n; j++) {
            A[j + j * n] = (double)((j * 7 + t) % 13) - 6.0;
            for (int i = j + 1; i < n; i++)
                A[i + j * n] = i == j + 1 || t % 2 ? ldexp(u01(&st) - 0.5, 4 + 4 * t) : 0.0;
        }
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                At[j + i * n] = A[i + j * n];
        tu_randn(n, 99 + (uint64_t)t, 0, E);
        expm_ref_info_t ri;
        cr_assert_eq(expm_ref_frechet(n, A, n, E, n, RL, n, NULL, 0, 0, &ri), EXPM_OK, "%s",
                     ri.message);
        const char *meth[2] = {"pade", "block"};
        for (int k = 0; k < 2; k++) {
            expm_info_t info;
            cr_assert_eq(expm_frechet(meth[k], n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK,
                         "%s: %s", meth[k], info.message);
            double e = tu_relerr(n, L, RL);
            printf("lower triangular n=%d %-5s err %.3g\n", n, meth[k], e);
            cr_expect(e <= 1e-13, "n = %d, %s: L(A,E) relative error %.3g", n, meth[k], e);
        }
        /* adjoint at the upper triangular A^T with G = E: L(A, E) again */
        cr_assert_eq(expm_adjoint("pade", n, At, n, E, n, L, n, NULL), EXPM_OK);
        double e = tu_relerr(n, L, RL);
        cr_expect(e <= 1e-13, "n = %d: adjoint relative error %.3g", n, e);
    }
}

/* <G, L(A,E)> = <L(A^T,G), E> for every E, G: the adjoint is exact
 * mathematically, so the two sides agree to rounding in the sums. */
Test(pade, adjoint_identity)
{
    for (int n = 1; n <= 12; n += 5) {
        for (int trial = 0; trial < 3; trial++) {
            double A[144], E[144], G[144], L[144], Lt[144];
            tu_randn(n, 500 + (uint64_t)(10 * n + trial), 0.5 + 8.0 * trial, A);
            tu_randn(n, 600 + (uint64_t)(10 * n + trial), 0, E);
            tu_randn(n, 700 + (uint64_t)(10 * n + trial), 0, G);
            cr_assert_eq(expm_frechet("pade", n, A, n, E, n, L, n, NULL, 0, NULL), EXPM_OK);
            cr_assert_eq(expm_adjoint("pade", n, A, n, G, n, Lt, n, NULL), EXPM_OK);
            long double lhs = 0, rhs = 0, mag = 0;
            for (int i = 0; i < n * n; i++) {
                lhs += (long double)G[i] * L[i];
                rhs += (long double)Lt[i] * E[i];
                mag += fabsl((long double)G[i] * L[i]);
            }
            double d = (double)fabsl(lhs - rhs) / (double)mag;
            cr_expect(d <= 1e3 * TU_U, "n=%d trial %d: <G,L(A,E)> - <L*(A,G),E> rel %.3g", n,
                      trial, d);
        }
    }
}

Test(pade, frechet_returns_exp_and_matches_exp)
{
    double A[25], E[25], L[25], X[25], X2[25];
    tu_randn(5, 42, 12.0, A);
    tu_randn(5, 43, 0, E);
    cr_assert_eq(expm_frechet("pade", 5, A, 5, E, 5, L, 5, X, 5, NULL), EXPM_OK);
    cr_assert_eq(expm_exp("pade", 5, A, 5, X2, 5, NULL), EXPM_OK);
    cr_expect(tu_relerr(5, X, X2) < 1e-13, "exp from Alg 6.4 vs Alg 6.1: %.3g",
              tu_relerr(5, X, X2));
}

Test(pade, leading_dimensions_respected)
{
    /* A inside a 7-row array: the padding must not be read or written. */
    int n = 4, ld = 7;
    double A[28], X[28], A0[16], X0[16];
    tu_randn(n, 5, 4.0, A0);
    for (int i = 0; i < 28; i++)
        A[i] = NAN, X[i] = -7.0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            A[i + j * ld] = A0[i + j * n];
    cr_assert_eq(expm_exp("pade", n, A, ld, X, ld, NULL), EXPM_OK);
    cr_assert_eq(expm_exp("pade", n, A0, n, X0, n, NULL), EXPM_OK);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < ld; i++)
            if (i < n)
                cr_expect_eq(X[i + j * ld], X0[i + j * n]);
            else
                cr_expect_eq(X[i + j * ld], -7.0, "padding written at (%d,%d)", i, j);
}

Test(pade, overflow_is_reported_with_size)
{
    /* [[800,1,0],[0,1,0],[0,0,1]]: ||exp(A)||_1 ~ e^800 ~ 1e347. */
    double A[9] = {800, 0, 0, 1, 1, 0, 0, 0, 1}, X[9];
    for (int i = 0; i < 9; i++)
        X[i] = 42.0;
    expm_info_t info;
    cr_assert_eq(expm_exp("pade", 3, A, 3, X, 3, &info), EXPM_EOVERFLOW);
    cr_expect(fabs(info.log10_norm - 800 / log(10.0)) < 0.01, "log10 norm %.4f",
              info.log10_norm);
    cr_expect(strstr(info.message, "overflows") != NULL, "message: %s", info.message);
    for (int i = 0; i < 9; i++)
        cr_expect_eq(X[i], 42.0, "output written on failure");
    cr_assert_eq(expm_frechet("pade", 3, A, 3, A, 3, X, 3, NULL, 0, &info), EXPM_EOVERFLOW);
}

/* Entries up to ~1e300 in a finite exp(A): pre-scaling (||A||_1 > 2^100)
 * and hundreds of squarings must not overflow spuriously; the results are
 * e*A for [[1,b],[0,1]] and the 2x2 closed form otherwise. */
Test(pade, no_spurious_overflow_in_squaring)
{
    double b = 1e300;
    double A[4] = {1, 0, b, 1}, X[4];
    cr_assert_eq(expm_exp("pade", 2, A, 2, X, 2, NULL), EXPM_OK);
    cr_expect(fabs(X[2] - M_E_D * b) <= 4 * DBL_EPSILON * M_E_D * b, "X12 %.17g", X[2]);
    double B[4] = {-700, 0, 1e300, -690}, Y[4];
    cr_assert_eq(expm_exp("pade", 2, B, 2, Y, 2, NULL), EXPM_OK);
    cr_expect(fabs(Y[2] - tri12(-700, 1e300, -690)) <= 8 * DBL_EPSILON * fabs(Y[2]));
}

Test(pade, subnormal_results_kept)
{
    double a = -745.0, x;
    expm_info_t info;
    cr_assert_eq(expm_exp("pade", 1, &a, 1, &x, 1, &info), EXPM_OK);
    cr_expect(x > 0 && x < DBL_MIN, "exp(-745) = %g should be subnormal", x);
    cr_expect(info.warnings & EXPM_WARN_UNDERFLOW);
}

Test(pade, blowup_is_not_called_overflow)
{
    /* Rotation by 1e80 radians: exp(A) is orthogonal (norm 1), but no double
     * algorithm can resolve the angle. It must fail without claiming overflow. */
    double A[4] = {0, -1e80, 1e80, 0}, X[4];
    expm_info_t info;
    expm_status st = expm_exp("pade", 2, A, 2, X, 2, &info);
    cr_expect(st == EXPM_OK || st == EXPM_ENONFINITE, "status %d: %s", st, info.message);
    cr_expect_neq(st, EXPM_EOVERFLOW);
}

Test(pade, invalid_arguments)
{
    double A[4] = {1, 2, 3, 4}, X[4] = {9, 9, 9, 9};
    expm_info_t info;
    cr_expect_eq(expm_exp("pade", -1, A, 2, X, 2, &info), EXPM_EINVAL);
    cr_expect_eq(expm_exp("pade", 2, A, 1, X, 2, &info), EXPM_EINVAL);
    cr_expect_eq(expm_exp("pade", 2, A, 2, X, 1, &info), EXPM_EINVAL);
    cr_expect_eq(expm_exp("pade", 2, NULL, 2, X, 2, &info), EXPM_EINVAL);
    A[1] = NAN;
    cr_expect_eq(expm_exp("pade", 2, A, 2, X, 2, &info), EXPM_EINVAL);
    cr_expect(strstr(info.message, "not finite") != NULL, "%s", info.message);
    A[1] = INFINITY;
    cr_expect_eq(expm_frechet("pade", 2, X, 2, A, 2, X, 2, NULL, 0, &info), EXPM_EINVAL);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(X[i], 9.0);
}

Test(pade, info_counts_products)
{
    /* Small norm: m = 3 and 2 products (A^2 and U), no squaring. */
    double A[9], X[9];
    tu_randn(3, 9, 0.005, A);
    expm_info_t info;
    cr_assert_eq(expm_exp("pade", 3, A, 3, X, 3, &info), EXPM_OK);
    cr_expect_eq(info.m, 3);
    cr_expect_eq(info.s, 0);
    cr_expect_eq(info.products, 2);
    cr_expect_eq(info.solves, 1);
    /* Large norm: m = 13. The n <= 16 path (pade_small.c) forms A^2, A^4,
     * A^6 and A^8 exactly for its norms, and A^10 only when the bound
     * ||A^10|| <= ||A^8|| ||A^2|| leaves s open (7 + s products here, 8 + s
     * then); the BLAS path estimates ||A^8||, ||A^10|| (6 + s products,
     * AMH 2009 Alg. 6.1). */
    tu_randn(3, 9, 40.0, A);
    cr_assert_eq(expm_exp("pade", 3, A, 3, X, 3, &info), EXPM_OK);
    cr_expect_eq(info.m, 13);
    cr_expect_geq(info.s, 3);
    cr_expect_eq(info.products, 7 + info.s);
    double B[400], Y[400]; /* n = 20 > EXPM_PADE_SMALL_MAXN: the BLAS path */
    tu_randn(20, 19, 40.0, B);
    cr_assert_eq(expm_exp("pade", 20, B, 20, Y, 20, &info), EXPM_OK);
    cr_expect_eq(info.m, 13);
    cr_expect_geq(info.s, 3);
    cr_expect_eq(info.products, 6 + info.s);
}

/* Solves and resolves: exp factors q_m once and solves once (resolves 0);
 * L(A,E) (Alg. 6.4) solves for r_m and then once more with the same LU for
 * L (resolves 1), on both paths: the bench's BLAS bound counts each. The
 * bilinear map's L = M^-1 E M^-1 reuses its one LU twice. */
Test(pade, info_counts_solves_and_resolves)
{
    for (int n = 3; n <= 20; n += 17) {
        double A[400], E[400], X[400], L[400];
        tu_randn(n, 5, 2.0, A);
        tu_randn(n, 6, 1.0, E);
        expm_info_t info;
        cr_assert_eq(expm_exp("pade", n, A, n, X, n, &info), EXPM_OK);
        cr_expect_eq(info.solves, 1);
        cr_expect_eq(info.resolves, 0);
        cr_assert_eq(expm_frechet("pade", n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK);
        cr_expect_eq(info.solves, 1, "n = %d", n);
        cr_expect_eq(info.resolves, 1, "n = %d", n);
        cr_assert_eq(expm_frechet("bilinear", n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK);
        cr_expect_eq(info.solves, 1, "n = %d", n);
        cr_expect_eq(info.resolves, 2, "n = %d", n);
        cr_assert_eq(expm_frechet("taylor", n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK);
        cr_expect_eq(info.resolves, 0, "n = %d", n);
    }
}

/* The default's 2x2 closed form and Schur switch against plain Alg. 6.1
 * (pade-plain) where plain loses digits -- measured before the change:
 * O2 (D = 0, defective) plain 2.3e-8 (6.5e-9 with I + 2 (V-U)^-1 U), default
 * 6.7e-17; B3 (3x3, hump 81 bits, switches) plain 2.0e-8, default 1.3e-9
 * (kappa 1.75e7). Bounds: the
 * default within 8 u of the reference on O2 (the closed form is exact up to
 * a few roundings; kappa 1.7e7 is irrelevant to it) and within 2 u kappa on
 * B3; plain above 1e3 u on O2 (its squarings lose ~7 digits there). */
Test(pade, default_closed_form_and_switch_beat_plain)
{
    const expm_testmat_t *o2 = expm_testmat_find("O2 Al-Mohy 2");
    const expm_testmat_t *b3 = expm_testmat_find("B3 Najfeld-Havel");
    cr_assert(o2 && b3);
    double A[9], X[9], R[9];
    expm_info_t info;
    tu_small_colmajor(o2, A);
    cr_assert_eq(expm_ref_exp(2, A, 2, R, 2, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_exp(NULL, 2, A, 2, X, 2, &info), EXPM_OK);
    double ed = tu_relerr(2, X, R);
    cr_assert_eq(expm_exp("pade-plain", 2, A, 2, X, 2, &info), EXPM_OK);
    double ep = tu_relerr(2, X, R);
    cr_expect(ed <= 8 * TU_U, "O2 default err %.3g", ed);
    cr_expect(ep >= 1e3 * TU_U, "O2 pade-plain err %.3g (documented loss)", ep);
    tu_small_colmajor(b3, A);
    cr_assert_eq(expm_ref_exp(3, A, 3, R, 3, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_exp(NULL, 3, A, 3, X, 3, &info), EXPM_OK);
    cr_expect(info.warnings & EXPM_WARN_SCHUR, "B3: the default did not switch");
    double kappa = tu_kappa_exp(3, A);
    double eb = tu_relerr(3, X, R);
    cr_expect(eb <= 2 * TU_U * kappa, "B3 default err %.3g = %.3g u kappa", eb,
              eb / (TU_U * kappa));
    printf("O2: default %.3g, pade-plain %.3g; B3: default %.3g (%.3g u kappa)\n", ed, ep, eb,
           eb / (TU_U * kappa));
}

/* EXPM_WARN_TRACE: for A = -1e100 ones(2), E = e2 e1^T the recurrence of
 * Alg. 6.4 returned L = 0 and exp(A) = 0, exit 0 (exact: L = [[-1,1],[1,-1]]/4,
 * exp(A) = [[1,-1],[-1,1]]/2; kappa_exp ~ 1e100; found by an outside audit):
 * it must now carry the warning. No warning on ordinary matrices (the check is
 * tr L(A,E) = tr(exp(A) E) to 2^-20, and for n = 2 the closed-form exp(A)). */
Test(pade, frechet_consistency_warning)
{
    double a = -1e100, A[4] = {a, a, a, a}, E[4] = {0, 1, 0, 0}, L[4];
    expm_info_t info;
    cr_assert_eq(expm_frechet(NULL, 2, A, 2, E, 2, L, 2, NULL, 0, &info), EXPM_OK);
    cr_expect(info.warnings & EXPM_WARN_TRACE, "no warning; L = %g %g %g %g", L[0], L[1], L[2],
              L[3]);
    int alarms = 0;
    for (int k = 0; k < 30; k++) {
        int n = 2 + k % 11;
        double B[144], F[144], M[144];
        tu_randn(n, 4100 + (unsigned long long)k, pow(10.0, k % 4 - 1), B);
        tu_randn(n, 5100 + (unsigned long long)k, 0, F);
        cr_assert_eq(expm_frechet(NULL, n, B, n, F, n, M, n, NULL, 0, &info), EXPM_OK);
        alarms += (info.warnings & EXPM_WARN_TRACE) != 0;
    }
    cr_expect_eq(alarms, 0, "consistency warning on %d of 30 random matrices", alarms);
}

/* n = 1: L = e^a e. Alg. 6.4 printed 0 with a TRACE warning for a = -745
 * (e^-745 = 4.9e-324, an outside audit); a = 800 with e = 1e-300 has e^a
 * beyond double but L = 2.7e47; a = -745 with e = 1e300 needs e^a beyond
 * its subnormal's 1 bit. References in long double (expl). */
Test(pade, frechet_1x1_closed_form)
{
    const double as[] = {-745.0, 800.0, -745.0, 0.5, -1e-300};
    const double es[] = {1.0, 1e-300, 1e300, -3.0, 2.0};
    for (int k = 0; k < 5; k++) {
        double L = -1.0;
        expm_info_t info;
        cr_assert_eq(expm_frechet("pade", 1, &as[k], 1, &es[k], 1, &L, 1, NULL, 0, &info),
                     EXPM_OK, "a = %g: %s", as[k], info.message);
        cr_expect(!(info.warnings & EXPM_WARN_TRACE), "a = %g: %s", as[k], info.message);
        long double r = expl((long double)as[k]) * (long double)es[k];
        double tol = fabsl(r) < DBL_MIN ? 0x1p-1074 : 4e-16 * (double)fabsl(r);
        cr_expect(fabs(L - (double)r) <= tol, "a = %g, e = %g: L = %.17g, not %.17Lg", as[k],
                  es[k], L, r);
    }
}

/* The graded path's retry scaled F = D^-1 E D by ldexp(1.0, -k) with k =
 * 1466, which is 0: L(A,E) came out 0 (with only an underflow warning) for
 * A = [[-1,0,1e300],[0,-2,0],[0,0,0]], E = e3 e1^T, where L_13 ~ 1.04e599
 * overflows (mpmath). Now EXPM_EOVERFLOW; E = e1 e1^T (L finite, L_13 =
 * 2.64e299) against the reference. */
Test(pade, graded_frechet_retry_keeps_the_direction)
{
    double A[9] = {-1, 0, 0, 0, -2, 0, 1e300, 0, 0}, E[9] = {0, 0, 1, 0, 0, 0, 0, 0, 0}, L[9],
           R[9];
    expm_info_t info;
    expm_status st = expm_frechet(NULL, 3, A, 3, E, 3, L, 3, NULL, 0, &info);
    cr_expect_eq(st, EXPM_EOVERFLOW, "status %d: %s", st, info.message);
    double E11[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(expm_frechet(NULL, 3, A, 3, E11, 3, L, 3, NULL, 0, &info), EXPM_OK, "%s",
                 info.message);
    cr_assert_eq(expm_ref_frechet(3, A, 3, E11, 3, R, 3, NULL, 0, 0, NULL), EXPM_OK);
    cr_expect(tu_relerr(3, L, R) <= 1e-14, "E = e1 e1^T: error %.3g", tu_relerr(3, L, R));
}

/* Triangular A with huge off-diagonal entries and E in the same triangle
 * (an outside audit): dgebal's D pushed entries of D^-1 A D below the
 * normal range, so the graded path was refused (and an inexact D^-1 E D
 * too), and A itself took s = 142..567 squarings: L(A,E) had relative
 * error 6e-4 (upper 8x8, strict part ~1e50, E O(1)) and 1.0 (lower 4x4,
 * ~1e200, E ~1e-100; the adjoint of an upper 5x5, ~1e150, G ~1e-300), all
 * unwarned; a lower 6x6 (~1e150, E ~1e-250) whose L overflows printed 0.
 * Now a partial grading D^t and F = 2^-k D^-1 E D (its bottom bits
 * dropped): errors <= 1e-13 against the reference, the overflow reported. */
Test(pade, triangular_huge_offdiagonal_frechet, .timeout = 120)
{
    static const struct { int n, lower; double off, escale; unsigned long long seed; } cs[] = {
        {8, 0, 1e50, 1.0, 71}, {4, 1, 1e200, 1e-100, 72}, {5, 1, 1e150, 1e-300, 73},
        {6, 0, 1e40, 1e-50, 74}};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        int n = cs[c].n;
        double A[64], E[64], L[64], R[64], S[64];
        tu_randn(n, cs[c].seed, 1.0, S);
        tu_randn(n, cs[c].seed + 100, 1.0, E);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                int in = cs[c].lower ? i > j : i < j;   /* strictly in the triangle */
                A[i + j * n] = i == j ? 4 * S[i + j * n] : in ? cs[c].off * S[i + j * n] : 0.0;
                E[i + j * n] = in ? cs[c].escale * E[i + j * n] : 0.0;
            }
        cr_assert_eq(expm_ref_frechet(n, A, n, E, n, R, n, NULL, 0, 0, NULL), EXPM_OK,
                     "case %zu: reference", c);
        expm_info_t info;
        cr_assert_eq(expm_frechet(NULL, n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK,
                     "case %zu: %s", c, info.message);
        double e = tu_relerr(n, L, R);   /* long double sums: L up to 1e298 is fine */
        cr_expect(e <= 1e-13, "case %zu (n=%d, off %g, E %g): L error %.3g, s = %d", c, n,
                  cs[c].off, cs[c].escale, e, info.s);
        printf("triangular, off-diagonal %g, E %g: L error %.3g (s = %d)\n", cs[c].off,
               cs[c].escale, e, info.s);
    }
}

/* A regression audit: F = 2^-k D^-1 E D with max |F| ~ 1 (for inexact
 * similarities) made L(B, F) underflow to 0 where exp(B) ~ e^-1000 (S -
 * 1000 I graded over 10^+-60, E graded the opposite way: L ~ 1e-75,
 * printed as 0). F keeps E's scale when exact, and an L(B, F) below 2^-600
 * is recomputed with F 2^900 larger. */
Test(pade, graded_frechet_of_tiny_exp_is_not_zero, .timeout = 60)
{
    int n = 3;
    double S[9], G[9], A[9], E[9], L[9], R[9];
    tu_randn(n, 5005, 5.0, S);
    tu_randn(n, 5006, 1.0, G);
    static const int e[3] = {-200, 0, 200};
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            A[i + j * n] = ldexp(S[i + j * n] - (i == j ? 1000.0 : 0.0), e[i] - e[j]);
            E[i + j * n] = ldexp(G[i + j * n], e[j] - e[i]);   /* the opposite grading */
        }
    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, R, n, NULL, 0, 0, NULL), EXPM_OK);
    expm_info_t info;
    cr_assert_eq(expm_frechet(NULL, n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK, "%s",
                 info.message);
    double big = 0;
    for (int k = 0; k < 9; k++)
        big = fmax(big, fabs(R[k]));
    cr_assert_gt(big, 0.0);
    double err = tu_relerr(n, L, R);
    cr_expect(err <= 1e-12, "L error %.3g (max |L_ref| %.3g)", err, big);
}
