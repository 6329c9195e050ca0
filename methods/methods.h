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

/* block.c: L(A,E) = upper-right block of exp([[A,E],[0,A]]) (Van Loan 1978). */
expm_status expm_block_frechet(int n, const double *A, int lda, const double *E, int lde,
                               double *L, int ldl, double *X, int ldx, expm_info_t *info);

/* ---- scaling.c: squaring that cannot overflow spuriously ----
 * A matrix is held as 2^e * Y. Only when a product overflows is Y rescaled
 * (to ||Y||_1 ~ 1) and the product redone; the exponent is folded back into
 * Y as soon as ||Y||_1 <= 2^1000 allows. So ordinary squarings are plain
 * dgemm calls, a hump in ||exp(tA)|| does not become Inf/NaN, and a true
 * overflow is reported with its size. Power-of-two scaling is exact. */

/* Y <- Y*Y (n-by-n, ldy); W is n-by-n workspace (ld n). */
void expm_square_step(int n, double *Y, int ldy, long *e, double *W);

/* L <- R L + L R, the squaring step of the Frechet derivative, with
 * R = 2^eR R and L = 2^eL L (R may be renormalised). W: n-by-n workspace. */
void expm_sym_step(int n, double *R, int ldr, long *eR, double *L, int ldl, long *eL,
                   double *W);

/* exp(y) * 2^-e without intermediate overflow/underflow when the product
 * is representable (Cody-Waite reduction y = k ln2 + r). */
double expm_exp_scaled(double y, long e);

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

#endif
