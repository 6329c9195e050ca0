/*
 * zoh.h -- internal: helpers shared by zoh.c and zoh_vjp.c, and the
 * discretisations that are *not* the exact ZOH, kept for measurement only
 * (tests/test_zoh.c, scripts/ssm_report.c, examples/ssm): they show where the
 * textbook formulas break. Not part of the public API.
 */
#ifndef EXPMKIT_ZOH_H
#define EXPMKIT_ZOH_H

#include "expmkit.h"

/* Validate the common arguments of the ZOH entry points (n, m >= 0, dt
 * finite and > 0, leading dimensions, finite A and B); dt A (and dt B
 * unless b_scaled: the caller scales B by a power of two) must not
 * overflow (EXPM_EOVERFLOW). */
expm_status expm_zoh_check(int n, int m, double dt, const double *A, int lda,
                           const double *B, int ldb, int b_scaled, expm_info_t *info);

/* The order of the matrix expm_zoh exponentiates: n + m, or 2n when m > n
 * (Bbar = phi_1(dt A) dt B from exp([[dt A, I], [0, 0]])). */
long long expm_zoh_order(int n, int m);

/* Build the p-by-p (p = n+m, ld p) augmented matrix [[dt A, dt B K], [0, 0]]
 * into M (zeroed by the caller), K = diag(2^kb[j]) with kb[j] chosen so that
 * ||2^kb[j] dt b_j||_1 ~ ||dt A||_1 (~1 when A = 0; 0 when b_j = 0), also
 * where dt b_j itself overflows, and no entry leaves the normal range. kb: m
 * ints out. */
void expm_zoh_augment(int n, int m, double dt, const double *A, int lda,
                      const double *B, int ldb, double *M, int *kb);

/* The inverse formula of the seed derivation (Mamba eq. 4):
 *   Abar = exp(dt A) by `method`,  Bbar = (dt A)^{-1} (Abar - I) dt B,
 * the solve by LU with partial pivoting. Returns EXPM_ESINGULAR when dt A is
 * exactly singular (zero, nilpotent A); info->cond receives 1/rcond_1(dt A).
 * For measurement only: it loses ~cond(dt A) * u / ||dt A|| digits. */
expm_status expm_zoh_inverse(const char *method, int n, int m, double dt,
                             const double *A, int lda, const double *B, int ldb,
                             double *Abar, int ldab, double *Bbar, int ldbb,
                             expm_info_t *info);

/* The first-order (forward Euler) discretisation exp(M) ~ I + M of the
 * augmented matrix: Abar = I + dt A, Bbar = dt B; and its exact VJP,
 * dL/dA = dt G_Abar, dL/dB = dt G_Bbar, dL/ddt = <G_Abar, A> + <G_Bbar, B>.
 * Same argument conventions as expm_zoh / expm_zoh_vjp. */
expm_status expm_zoh_first_order(int n, int m, double dt, const double *A, int lda,
                                 const double *B, int ldb, double *Abar, int ldab,
                                 double *Bbar, int ldbb);
expm_status expm_zoh_first_order_vjp(int n, int m, double dt, const double *A, int lda,
                                     const double *B, int ldb, const double *G_Abar,
                                     int ldgab, const double *G_Bbar, int ldgbb,
                                     double *GA, int ldga, double *GB, int ldgb,
                                     double *Gdt);

/* The bilinear (Tustin) discretisation used by S4:
 *   Abar = (I - dt A/2)^{-1} (I + dt A/2),  Bbar = (I - dt A/2)^{-1} dt B.
 * EXPM_ESINGULAR when I - dt A/2 is exactly singular. */
expm_status expm_zoh_bilinear(int n, int m, double dt, const double *A, int lda,
                              const double *B, int ldb, double *Abar, int ldab,
                              double *Bbar, int ldbb, expm_info_t *info);

#endif
