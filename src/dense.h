/*
 * dense.h -- internal dense-matrix helpers over CBLAS/LAPACKE (OpenBLAS).
 * Column-major, explicit leading dimensions. Used by methods/, never by
 * reference/ (the reference shares no numerical code with the methods).
 */
#ifndef EXPMKIT_DENSE_H
#define EXPMKIT_DENSE_H

#include <stdint.h>
#include <string.h>

#include "expmkit.h"

/* C = alpha*op(A)*op(B) + beta*C for n-by-n matrices (dgemm); ta/tb: 'N' or 'T'. */
void expm_dgemm(int n, char ta, char tb, double alpha, const double *A, int lda,
                const double *B, int ldb, double beta, double *C, int ldc);

/* B = A (m-by-n). */
void expm_dcopy(int m, int n, const double *A, int lda, double *B, int ldb);

/* B = A^T (n-by-n). */
void expm_dtranspose(int n, const double *A, int lda, double *B, int ldb);

/* A = alpha*I (n-by-n). */
void expm_dset_identity(int n, double alpha, double *A, int lda);

/* Y = alpha*X + beta*Y (m-by-n). */
void expm_daxpby(int m, int n, double alpha, const double *X, int ldx,
                 double beta, double *Y, int ldy);

/* A = alpha*A (m-by-n); alpha a power of two keeps A exact. */
void expm_dscal(int m, int n, double alpha, double *A, int lda);
/* A <- 2^k A, also for |k| > 1000 where 2^k is not a double (ldexp(1.0, -1466)
 * is 0: scaling by it zeroed F in pade's graded L(A,E), whose result came out
 * 0 where L(A,E) overflows; found while checking an outside audit's case).
 * Exact unless an entry leaves the normal range. */
void expm_dscal_pow2(int m, int n, long k, double *A, int lda);

/* 1 if every entry of A (m-by-n) is finite, else 0. */
int expm_dall_finite(int m, int n, const double *A, int lda);
/* alpha(A) = max Re lambda(A), by dgeev (eigenvalues only); -inf if that
 * fails (no memory, no convergence, entries too large for it). */
double expm_dspectral_abscissa(int n, const double *A, int lda);

/* Norms of an m-by-n matrix: 1-norm (max column sum), inf-norm (max row
 * sum), Frobenius (scaled, no overflow for finite input). */
double expm_dnorm1(int m, int n, const double *A, int lda);
/* log2 ||A||_1 also when the 1-norm overflows (entries near DBL_MAX: the
 * sums are then redone on A 2^-k); -INFINITY for A = 0, NaN/Inf as given. */
double expm_dlog2norm1(int m, int n, const double *A, int lda);
/* k with 2^(k-1) <= ||A||_1 < 2^k (frexp's exponent of the norm), for any
 * finite A, also when the 1-norm overflows; 0 for A = 0. A must be finite. */
int expm_dnorm1_exponent(int m, int n, const double *A, int lda);
double expm_dnorminf(int m, int n, const double *A, int lda);
double expm_dnormfro(int m, int n, const double *A, int lda);
/* c ||A||_F for c > 0, formed as (c scale) sqrt(ssq) from the scaled sum of
 * squares, so it is finite whenever c ||A||_F is, also when ||A||_F itself
 * exceeds DBL_MAX (u ||A||_F for entries near DBL_MAX). */
double expm_dnormfro_times(int m, int n, const double *A, int lda, double c);

/* log2 || |A|^p ||_1, exactly up to rounding, by p products v <- |A|^T v
 * starting from ones (AMH 2009 normAm; scipy _onenorm_matrix_power_nnm).
 * v is renormalised at every step, so no overflow for any finite A;
 * -INFINITY when |A|^p = 0. work: 2n doubles. */
double expm_dlog2norm1_abspow(int n, const double *A, int lda, int p, double *work);

/* l2[j] = log2 || |A|^j ||_1 for j = 0..p by the same renormalised
 * iteration (l2[0] = 0; -INFINITY from the first j with |A|^j = 0).
 * work: 2n doubles. */
void expm_dlog2norm1_abspows(int n, const double *A, int lda, int p, double *l2,
                             double *work);

/* One step of that iteration, to extend it on demand: v <- |A|^T v (w: n
 * doubles of scratch), renormalised by a power of two whose exponent is
 * added to *log2scale. Starting from v = ones, *log2scale = 0, the k-th call
 * returns log2 || |A|^k ||_1 (-INFINITY once |A|^k = 0). A must be finite. */
double expm_dabspow_step(int n, const double *A, int lda, double *v, double *w,
                         double *log2scale);

/* Estimate of ||A^p||_1 (a lower bound, usually exact within a factor 3):
 * LAPACK dlacn2 reverse communication with matrix-vector products only
 * (Higham 1988; the estimator AMH 2009 use in normAm). Exact when A >= 0
 * entrywise. Returns a negative value on allocation failure. */
double expm_dnormest1_pow(int n, const double *A, int lda, int p);

/* Solve M X = B in place (B becomes X, n-by-nrhs) by LU with partial
 * pivoting; M is overwritten by its factors, ipiv has n entries.
 * Returns EXPM_ESINGULAR for an exactly singular M. When rcond is not NULL
 * it receives the reciprocal 1-norm condition estimate of M (dgecon). */
expm_status expm_dlu_solve(int n, double *M, int ldm, int *ipiv,
                           int nrhs, double *B, int ldb, double *rcond);

/* Solve M X = B again with the factors left by expm_dlu_solve. */
expm_status expm_dlu_resolve(int n, const double *LU, int ldm, const int *ipiv,
                             int nrhs, double *B, int ldb);

/* Constants of the balancing sweep (src/balance.c, and its fixed-n copy in
 * methods/pade_small.c): Parlett & Reinsch's gamma, the sweep cap, and the
 * |e_i| cap that keeps |a_ij| 2^(e_j - e_i) finite for ||A||_1 <= 2^100. */
#define EXPM_BAL_GAMMA 0.95
#define EXPM_BAL_MAX_SWEEPS 32
#define EXPM_BAL_MAX_EXP 400

/* 2^k for |k| <= 1022, exactly, without a libm call (hot at n = 4). */
static inline double expm_pow2i(int k)
{
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Balancing exponents (src/balance.c; Parlett & Reinsch 1969, power-of-two
 * diagonal similarity from the off-diagonal 1-norms): e[i] such that
 * diag(2^-e) A diag(2^e) is balanced, |e[i]| <= 400. B: n-by-n scratch
 * (ld n); work: 2n doubles. Returns 1 if some e[i] != 0. */
int expm_dbalance_exps(int n, const double *A, int lda, double *B, int *e, double *work);

/* Strong grading (src/grading.c). expm_grading_undo: B = D^-1 A D (ld ldb)
 * with D = diag(2^ex) from LAPACK dgebal job 'S', returning 1 only if
 * ||A||_1 > floor, the similarity is exact in every entry,
 * ||B||_1 <= 2^-log2_drop ||A||_1 and ||B||_1 >= 2^-100; else 0 (B, ex
 * undefined). scale: n doubles. expm_grading_possible: the O(n^2),
 * allocation-free necessary condition it starts with (usually decided by
 * A's first diagonal entry); nrm: ||A||_1 if known, else negative. */
int expm_grading_possible(int n, const double *A, int lda, double nrm, double floor,
                          int log2_drop);
int expm_grading_undo(int n, const double *A, int lda, double floor, int log2_drop, double *B,
                      int ldb, int *ex, double *scale);

/* max ex - min ex: log2 cond(D) of D = diag(2^ex). Scaling a result Y back
 * to D Y D^-1 maps an absolute error u ||Y|| of any entry to up to
 * 2^span u ||Y||. */
int expm_grading_span(int n, const int *ex);

/* Above this log2 rho, with rho = 2^span ||Y|| / ||D Y D^-1|| the worst-case
 * magnification of Y's rounding by the scaling back, a balanced result is
 * not trusted as it is (methods/pade.c retries A itself, methods/
 * pade_schur.c warns EXPM_WARN_GRADED; the measurements are there). */
#define EXPM_GRADED_RHO_LOG2 20.0

/* T = diag(2^ex) S diag(2^-ex) (dir > 0) or diag(2^-ex) S diag(2^ex)
 * (dir < 0), n-by-n, one ldexp per entry (T may be S). Returns 0 if exact,
 * else bit 1: a nonzero entry overflowed; bit 2: one fell below DBL_MIN. */
int expm_dsimilarity_pow2(int n, const int *ex, int dir, const double *S, int lds,
                          double *T, int ldt);

/* Row scaling of M X = B (M n-by-n, B n-by-nrhs) by 2^-e[i] (up to a
 * common factor), exact up to bits below u times each row's largest entry:
 * applied only if no entry overflows and no row maximum of M or B falls
 * below 2^-969; returns 1 if applied. On return e[i] holds the exponent
 * applied to row i (all 0 if none), for expm_drowscale_apply on a later
 * right-hand side. work: 2n doubles. */
int expm_drowscale_pow2(int n, int *e, double *M, int ldm, int nrhs, double *B, int ldb,
                        double *work);

/* Row i of X (n-by-cols) times 2^e[i]. */
void expm_drowscale_apply(int n, const int *e, int cols, double *X, int ldx);

/* Scratch: n-by-n matrices contiguous with ld = n, zero-initialised.
 * Returns NULL on overflow of the size computation or allocation failure. */
double *expm_dalloc(int n, int count);
/* The same without the zeroing (hot paths that write before they read;
 * `make memcheck` checks that under valgrind). */
double *expm_dalloc_uninit(int n, int count);
/* Bytes expm_dalloc_uninit(n, count) allocates (blocks of EXPM_HUGE_MIN
 * and more: rounded up to 2 MiB, transparent huge pages); 0 when the size
 * overflows or n, count < 0. */
size_t expm_dalloc_bytes(int n, int count);
#define EXPM_HUGE_MIN ((size_t)4 << 20)

/* src/workspace.c: expm_dalloc_uninit(n, count), but a block of
 * EXPM_HUGE_MIN bytes and more may be the one this thread kept from an
 * earlier call (contents undefined). Return it with expm_ws_give (not
 * free), which keeps it for the next call when within the limit
 * (expm_workspace_set_limit in expmkit.h). NULL when out of memory. */
double *expm_ws_take(int n, int count);
void expm_ws_give(double *p);

/* Validate an n-by-n argument: n >= 0, ld >= max(1,n), A != NULL (n > 0),
 * entries finite (when check_finite). Writes a reason into info->message. */
expm_status expm_check_square(int n, const double *A, int lda, const char *what,
                              int check_finite, expm_info_t *info);

/* Reset info (if not NULL) to the empty state. */
void expm_info_clear(expm_info_t *info);

/* printf into info->message (if info not NULL). */
void expm_info_msg(expm_info_t *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
