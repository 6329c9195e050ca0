/*
 * methods.h -- internal: every method's entry points (one file each) and the
 * helpers the scaling-and-squaring methods share.
 */
#ifndef EXPMKIT_METHODS_H
#define EXPMKIT_METHODS_H

#include "expmkit.h"

/* pade.c: Al-Mohy & Higham 2009 (SIMAX 31(3), Alg. 6.1 with Code Fragment 2.1
 * for triangular A) and Al-Mohy & Higham 2009 (SIMAX 30(4), Alg. 6.4). */
expm_status expm_pade_exp(int n, const double *A, int lda, double *X, int ldx,
                          expm_info_t *info);
expm_status expm_pade_frechet(int n, const double *A, int lda, const double *E, int lde,
                              double *L, int ldl, double *X, int ldx, expm_info_t *info);
/* pade-plain: Alg. 6.1 alone (no 2x2 closed form, no Schur dispatch). */
expm_status expm_pade_plain_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info);
/* pade_small.c: the default pade exp (same algorithm, m, s, structured paths
 * and hump switch as expm_pade_exp) for n <= EXPM_PADE_SMALL_MAXN, on the
 * stack with plain loops: no BLAS call, no malloc (larger n: expm_pade_exp). */
/* The default's BLAS path for every n (no n <= 16 dispatch): what
 * tests/test_pade_small.c compares the small path with. */
expm_status expm_pade_blas_exp(int n, const double *A, int lda, double *X, int ldx,
                               expm_info_t *info);
#define EXPM_PADE_SMALL_MAXN 16
/* nilpotent.c: strictly triangular A (zero diagonal): exp(A) as the finite
 * Taylor sum sum_{k<n} A^k/k!, EXPM_EOVERFLOW when a term overflows. The
 * candidate test (n <= 32, or ||A||_1 > 2^100) is O(1) unless A's diagonal
 * ends are 0. */
int expm_nilpotent_candidate(int n, const double *A, int lda);
expm_status expm_nilpotent_exp(int n, const double *A, int lda, double *X, int ldx,
                               expm_info_t *info);
/* L(A,E) (and exp(A) into X unless NULL) for strictly triangular A: the
 * (1,2) block of the finite Taylor sum of exp([[A, E], [0, A]]). */
expm_status expm_nilpotent_frechet(int n, const double *A, int lda, const double *E, int lde,
                                   double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* 1 if the default (expm_pade_exp) may compute exp(A) on a balanced
 * D^-1 A D (strong grading, pade.c): its cheap allocation-free test, for
 * src/batch.c, whose small path must then defer to expm_pade_exp. */
int expm_pade_graded_candidate(int n, const double *A, int lda);

expm_status expm_pade_small_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info);
/* expm_pade_small_exp for 3 <= n <= EXPM_PADE_SMALL_MAXN after its checks:
 * A, X validated (finite, lda, ldx >= n) and info cleared by the caller. */
expm_status expm_pade_small_run(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info);
/* The Pade scaling-and-squaring core: exp(A) = 2^e Z (Z n-by-n, ld n). blk,
 * if not NULL, is the block structure of a quasi upper triangular A (1 = 1x1
 * block, 2 = start of a 2x2 block, 0 = its second row): the diagonal blocks
 * and the superdiagonal between 1x1 blocks are then recomputed exactly after
 * every squaring (AMH 2009 Code Fragment 2.1). hump_log2, if not NULL,
 * receives sum over squarings of log2(|| |Z|^2 ||_1 / ||Z^2||_1). ln_h, if
 * not NULL, receives sum_{j=1..s} ln sqrt(||Z_j||_1 ||Z_j||_inf), Z_j the
 * computed exp(2^-j A) (0 for s = 0; +inf after pre-scaling or on
 * overflow): ln of a bound on prod_j ||exp(2^-j A)||_2, for illcond.c. */
expm_status expm_pade_core(int n, const double *A, int lda, const int *blk, double *Z,
                           long *e, double *hump_log2, double *ln_h, expm_info_t *info);

/* Alg. 6.4 on a quasi upper triangular T with block structure blk (as for
 * expm_pade_core): exp(2^-i T)'s diagonal blocks and superdiagonal are
 * recomputed exactly in every squaring; L is not touched by the fix-up.
 * ln_h (may be NULL): as for expm_pade_core, on the squarings of R. */
expm_status expm_pade_frechet_quasi(int n, const double *T, int ldt, const int *blk,
                                    const double *E, int lde, double *L, int ldl, double *X,
                                    int ldx, double *ln_h, expm_info_t *info);
/* exp2x2.c: exp of a real 2x2 matrix in closed form (see the file). */
expm_status expm_exp2x2(const double *A, int lda, double *X, int ldx, expm_info_t *info);
/* Y = 2^-e exp([[a,b],[c,d]]), Y column-major; 0 if all finite, else -1. */
int expm_exp2x2_scaled(double a, double b, double c, double d, long e, double Y[4]);

/* pade_schur.c: exp(A) = Q exp(T) Q^T, A = Q T Q^T the real Schur form
 * (dgees), exp(T) by expm_pade_core with the quasi-triangular fix-ups. */
expm_status expm_pade_schur_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info);
/* L(A,E) = D Q L(T, Q^T D^-1 E D Q) Q^T D^-1 (D from dgebal) with L(T,.) by
 * expm_pade_frechet_quasi. */
expm_status expm_pade_schur_frechet(int n, const double *A, int lda, const double *E, int lde,
                                    double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* scaling.c: lambda_max((A + A^T)/2) + nu_fro (LAPACK dsyev), the logarithmic
 * 2-norm mu_2(A) raised by nu_fro: ||exp(tA)||_2 <= e^(t mu_2). +inf if it
 * cannot be computed. */
double expm_mu2_upper(int n, const double *A, int lda, double nu_fro);

/* illcond.c: on the Schur path, an estimate of kappa_exp(T) (T the real
 * Schur form of balanced A, blk its blocks, exp(T) = 2^e Z) by two Frechet
 * derivatives, only when the upper bound ||T||_F h / ||exp(T)||_F allows u
 * kappa >= EXPM_UNCERTAIN_MIN: h = e^(ln_h + 2^-s mu(T)) with s and ln_h from
 * expm_pade_core on T (pass s = 0, ln_h = 0 without them: h = e^mu(T)); at or above that, sets EXPM_WARN_ILLCOND and a message
 * about `what` in info (if not NULL). kappa_lo (if not NULL) receives the
 * bound, 0 when not computed. EXPM_ENOMEM if its workspace fails, else OK. */
expm_status expm_illcond_check(int n, const double *T, int ldt, const int *blk, const double *Z,
                               int ldz, long e, int s, double ln_h, const char *what,
                               double *kappa_lo, expm_info_t *info);

/* pade_schur.c: expm_illcond_check on the Schur form of A (balanced as in
 * pade-schur), for a method that did not go through it (block: its own
 * Schur path sees the 2n block matrix). Adds EXPM_WARN_ILLCOND and its
 * message about `what` to info; no-op for info NULL or n < 3. */
expm_status expm_pade_schur_illcond(int n, const double *A, int lda, const char *what,
                                    expm_info_t *info);

/* block.c: L(A,E) = upper-right block of exp([[A,E],[0,A]]) (Van Loan 1978). */
expm_status expm_block_frechet(int n, const double *A, int lda, const double *E, int lde,
                               double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* ---- scaling.c: squaring that cannot overflow spuriously ----
 * A matrix is held as 2^e * Y. Only when a product overflows is Y rescaled
 * (to ||Y||_1 ~ 1) and the product redone; the exponent is folded back into
 * Y as soon as ||Y||_1 <= 2^1000 allows. So ordinary squarings are plain
 * dgemm calls, a hump in ||exp(tA)|| does not become Inf/NaN, and a true
 * overflow is reported with its size. Power-of-two scaling is exact. */

/* Power-of-two exponents saturate at +-EXPM_EXP_CAP: 2*e and a+b without
 * overflowing a long. expm_pow10_str formats 10^l10 for messages ("1e347",
 * or "10^(3.5e+48)" for astronomically large sizes) into buf. */
#define EXPM_EXP_CAP (1L << 40)
long expm_exp_double(long e);
long expm_exp_add(long a, long b);
const char *expm_pow10_str(double l10, char *buf, int len);

/* The Frechet analogue of ell(A,m) shared by pade, taylor and complex-step:
 * given l2[j] = log2 || |A|^j ||_1 (j = 0..p), the squarings s (<= 2000)
 * needed so that 2^(log2_c) sum_j || |A|^j || || |A|^(p-j) ||, which falls
 * by 2^p per halving of A, is <= u = 2^-53. log2_c is log2 of the leading
 * coefficient (|c_{2m+1}| for Pade with p = 2m, 1/(m+1)! for Taylor with p = m). */
int expm_ell_frechet_l2(const double *l2, int p, double log2_c);

/* Y <- Y*Y (n-by-n, ldy); W is n-by-n workspace (ld n). */
void expm_square_step(int n, double *Y, int ldy, long *e, double *W);

/* L <- R L + L R, the squaring step of the Frechet derivative, with
 * R = 2^eR R and L = 2^eL L (R may be renormalised). W: n-by-n workspace. */
void expm_sym_step(int n, double *R, int ldr, long *eR, double *L, int ldl, long *eL,
                   double *W);

/* exp(y) * 2^-e without intermediate overflow/underflow when the product
 * is representable (Cody-Waite reduction y = k ln2 + r). */
double expm_exp_scaled(double y, long e);

/* Quasi-triangular T (blk as expm_pade_core): a 1x1 block's diagonal entry
 * of exp(T) is e^(t_kk) > 0, so an exact 0 there in X was flushed (e^-800:
 * the general path's unscaling sees no subnormal to report); sets
 * EXPM_WARN_UNDERFLOW then. */
void expm_flag_flushed_diagonal(int n, const int *blk, const double *X, int ldx,
                                expm_info_t *info);

/* exp(A) is nonsingular, so a column of X that is exactly 0 underflowed
 * (A = -1000 I + 5 R/||R||_1: every entry ~1e-434 printed as 0 without
 * the warning; an outside audit): sets EXPM_WARN_UNDERFLOW. O(n) on an
 * ordinary X (the first nonzero of each column). */
void expm_flag_zero_column(int n, const double *X, int ldx, expm_info_t *info);

/* X = 2^e * Y (n-by-m). Returns EXPM_OK, or EXPM_EOVERFLOW when an entry
 * overflows (info->log10_norm = log10 ||2^e Y||_1, message filled with
 * `what`), or EXPM_ENONFINITE when Y holds NaN/Inf. X is written only on
 * success. Sets EXPM_WARN_UNDERFLOW when nonzero entries became subnormal
 * or zero. */
expm_status expm_unscale_result(int m, int n, const double *Y, int ldy, long e,
                                double *X, int ldx, const char *what,
                                expm_info_t *info);

/* A claimed overflow is only believed when it is consistent with the bound
 * ||exp(A)||_1 <= e^mu1(A), mu1(A) = max_j (a_jj + sum_{i!=j} |a_ij|) the
 * logarithmic 1-norm (Higham, Functions of Matrices, Thm 10.11); the same
 * bound times ||E||_1 holds for L(A,E). When the computed size exceeds the
 * bound the squarings have amplified rounding errors: the status becomes
 * EXPM_ENONFINITE with a message saying so. extra_log10 adds log10||E||_1.
 * Returns st unchanged unless st == EXPM_EOVERFLOW. */
expm_status expm_overflow_verdict(expm_status st, int n, const double *A, int lda,
                                  double extra_log10, const char *what, expm_info_t *info);

/* The hump estimate of the squarings (methods/pade.c): the sum over the
 * squarings Z <- Z^2 of log2(|| |Z|^2 ||_1 / ||Z^2||_1), the factor by which
 * a squaring's rounding errors (|dZ| <= n u |Z|^2) can exceed u ||Z^2||.
 * Above EXPM_HUMP_LOG2 the default switches to the Schur form, and the
 * methods that square without that fallback (pade-plain, taylor) warn. */
#define EXPM_HUMP_LOG2 32.0

/* log10(2), for sizes carried as power-of-two exponents. */
#define EXPM_LOG10_2 0.30102999566398119521

/* 1 if A is normal to working accuracy, ||A^T A - A A^T||_F <= 2^-30
 * ||A||_F^2 (two products; called only when the hump test fires). A hump of
 * ||exp(tA)|| needs non-normality (for normal A, ||exp(tA)||_2 = e^(t alpha));
 * the estimate can still pass the threshold on rotations (skew-symmetric
 * A, n = 30, ||A|| = 1e5: 2^34), where the Schur path only loses accuracy
 * (1.1e-10 vs 2.6e-12; found by an outside audit). 0 also when the check
 * cannot be made (allocation). */
int expm_is_nearly_normal(int n, const double *A, int lda);

/* A claimed overflow (st == EXPM_EOVERFLOW) after squarings whose hump
 * estimate passed EXPM_HUMP_LOG2, on A not nearly normal, is not believed
 * unless e^alpha(A) (alpha the spectral abscissa) overflows too: the
 * amplified rounding errors alone can exceed DBL_MAX (an outside audit:
 * taylor and pade-plain on a non-normal 10x10 with ||A||_1 = 4.8e4 claimed
 * ||exp(A)||_1 ~ 1e318, whose true norm is 1e-28 and whose hump is 3e11).
 * Then EXPM_ENONFINITE with a message saying so. Returns st otherwise. */
expm_status expm_hump_overflow(expm_status st, int n, const double *A, int lda, double hump,
                               double extra_log10, const char *what, expm_info_t *info);

/* On success (st == EXPM_OK) with hump > EXPM_HUMP_LOG2: set
 * EXPM_WARN_HUMP and a message with the estimate. Returns st. */
expm_status expm_hump_warning(expm_status st, double hump, expm_info_t *info);

/* After a method's call (src/api.c, src/batch.c), when t = max(u ||A||_F,
 * 2^s u) >= EXPM_UNCERTAIN_MIN (A not triangular, see tri_exact). A backward stable
 * method computes exp(A + dA), ||dA|| ~ u||A||, which moves A's eigenvalues
 * by ~u||A||_F (normal A; more otherwise) and so exp(A) by factors up to
 * e^(u||A||); in scaling and squaring a relative error d of exp(2^-s A)
 * becomes (1+d)^(2^s) ~ e^(2^s d) (with 2^-s ||A|| ~ theta_m, the same size).
 * From t = 2^-10 on the result is not known to three digits (outside audit:
 * -1e17 ones(3), whose exp is I - J/3 + ~0: 13 for 2/3 in pade, 3e13 in
 * pade-schur and eig; pade-plain gave 3e-112 for 1/2 on -1e20 ones(2); all
 * with exit 0).
 * - st == EXPM_OK: sets EXPM_WARN_UNCERTAIN and a message, unless the result
 *   R (exp(A), or L(A,E) when E is given) is zero and ||exp(A)||_2 <=
 *   e^mu2(A) (mu2 = lambda_max((A+A^T)/2) plus n u ||A||_F for the rounding
 *   of dsyev; times ||E||_F for L) certifies that it underflows.
 * - st == EXPM_EOVERFLOW and t >= 1: the computed size is no evidence
 *   (-1e20 ones(3): "overflows, 1e1073", but exp(A) = I - J/3). The
 *   overflow stands only when a lower bound of ||exp(A)||_2 passes n DBL_MAX:
 *   e^(tr(A)/n) (= |det exp(A)|^(1/n)), or e^(alpha - n u ||A||_F) with alpha
 *   the computed spectral abscissa; otherwise EXPM_ENONFINITE, "not
 *   determined in double".
 * - st == EXPM_OK but that lower bound shows exp(A) overflowing: the
 *   result lost it; EXPM_EOVERFLOW for exp, EXPM_ENONFINITE for L.
 * tri_exact: 1 the method keeps a (permuted) triangular A's diagonal exact
 * (pade, pade-schur), so such A is exempt (taylor on diag(-1e16, 0, 1) gave
 * 1 for e, silently: not exempt); 2 only an upper or lower triangular A's
 * (pade-plain, which has no permuted-triangular path); 0 none.
 * Does nothing when info == NULL. Returns the (possibly changed) status. */
#define EXPM_UNCERTAIN_MIN 0x1p-10
#define EXPM_UNCERTAIN_S 43   /* the least s with 2^s u >= EXPM_UNCERTAIN_MIN */
/* 1 when expm_squaring_verdict may change a status for this A (n u max|a_ij|
 * >= 2^-20, far below what t >= 2^-10 needs): the callers then let the
 * method write into a scratch copy, so that a result the verdict refuses
 * is never half-written (an O(n^2) scan, no allocation otherwise). */
int expm_verdict_may_act(int n, const double *A, int lda);
expm_status expm_squaring_verdict(expm_status st, int n, const double *A, int lda,
                                  const double *R, int ldr, const double *E, int lde,
                                  int tri_exact, const char *what, expm_info_t *info);

/* triangular_perm.c: 1 if A (n >= 3, finite) is P T P^T with T upper
 * triangular but A itself is neither upper nor lower triangular; then
 * iw[0..n-1] = perm with T(i,j) = A(perm[i], perm[j]). iw: 2n ints. O(n) for
 * a dense A (no column free of off-diagonal entries), O(n^2) otherwise.
 * iw == NULL: only that O(n) test (0: certainly not; 1: maybe), so that
 * callers allocate iw only for candidates. */
int expm_triangular_perm(int n, const double *A, int lda, int *iw);
/* 1 if A is upper or lower triangular or such a P T P^T (above): its
 * eigenvalues are its diagonal, exactly. */
int expm_triangular_any(int n, const double *A, int lda);
/* 1 if A is upper or lower triangular (not permuted). */
int expm_triangular_ul(int n, const double *A, int lda);
/* T(i,j) = A(perm[i], perm[j]), and its inverse A(perm[i], perm[j]) = T(i,j). */
void expm_perm_gather(int n, const int *perm, const double *A, int lda, double *T, int ldt);
void expm_perm_scatter(int n, const int *perm, const double *T, int ldt, double *A, int lda);

/* first_order.c: X = I + A; L(A,E) = E (derivative of the map). */
expm_status expm_first_order_exp(int n, const double *A, int lda, double *X, int ldx,
                                 expm_info_t *info);
expm_status expm_first_order_frechet(int n, const double *A, int lda, const double *E,
                                     int lde, double *L, int ldl, double *X, int ldx,
                                     expm_info_t *info);

/* bilinear.c: X = (I - A/2)^{-1}(I + A/2); L = M^{-1} E M^{-1} (= M^{-1} E (I + X)/2),
 * M = I - A/2: the derivative of the map. */
expm_status expm_bilinear_exp(int n, const double *A, int lda, double *X, int ldx,
                              expm_info_t *info);
expm_status expm_bilinear_frechet(int n, const double *A, int lda, const double *E, int lde,
                                  double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* eig.c: V diag(e^lambda) V^-1 (dgeev) and Daleckii-Krein L(A,E) (Higham 2008, Thm 3.11);
 * info->cond = cond_1(V). Fails on (nearly) defective A: error ~ u cond(V). */
expm_status expm_eig_exp(int n, const double *A, int lda, double *X, int ldx,
                         expm_info_t *info);
expm_status expm_eig_frechet(int n, const double *A, int lda, const double *E, int lde,
                             double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* abadir_magnus.c: L = sum_k 1/(k+1)! sum_j A^j E A^(k-j) (Abadir & Magnus, Ex. 13.29)
 * with exp(A) alongside; plain (fails for ||A|| >> 1: cancellation, overflow) and with
 * scaling and squaring to ||2^-s A||_1 <= 1/2 (-ss). */
expm_status expm_abadir_magnus_frechet(int n, const double *A, int lda, const double *E,
                                       int lde, double *L, int ldl, double *X, int ldx,
                                       expm_info_t *info);
expm_status expm_abadir_magnus_ss_frechet(int n, const double *A, int lda, const double *E,
                                          int lde, double *L, int ldl, double *X, int ldx,
                                          expm_info_t *info);

/* complex_step.c: L = Im exp(A + ihE)/h, X = Re exp(A + ihE) by complex Pade scaling and
 * squaring (Al-Mohy & Higham, Numer. Algorithms 53:133-148, 2010). The _h variant takes
 * h = 2^log2h instead of the default rule (for measuring the error against h). */
expm_status expm_complex_step_frechet(int n, const double *A, int lda, const double *E,
                                      int lde, double *L, int ldl, double *X, int ldx,
                                      expm_info_t *info);
expm_status expm_complex_step_frechet_h(int log2h, int n, const double *A, int lda,
                                        const double *E, int lde, double *L, int ldl,
                                        double *X, int ldx, expm_info_t *info);

/* finite_difference.c: (exp(A+hE) - exp(A-hE))/(2h) by expm_pade_exp, the naive baseline
 * (~u^(2/3) relative accuracy at best). */
expm_status expm_fd_frechet(int n, const double *A, int lda, const double *E, int lde,
                            double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* taylor.c: Taylor scaling and squaring, degrees {1,2,4,8,12,18} with the evaluation
 * schemes of Bader, Blanes & Casas 2019; L by forward differentiation of the scheme. */
expm_status expm_taylor_exp(int n, const double *A, int lda, double *X, int ldx,
                            expm_info_t *info);
expm_status expm_taylor_frechet(int n, const double *A, int lda, const double *E, int lde,
                                double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* taylor_sum.c: the textbook series sum A^k/k! summed until it stops changing (plain),
 * and on 2^-s A (||2^-s A||_1 <= 1/2) followed by s squarings (-ss). exp only. */
expm_status expm_taylor_sum_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info);
expm_status expm_taylor_sum_ss_exp(int n, const double *A, int lda, double *X, int ldx,
                                   expm_info_t *info);

#endif
