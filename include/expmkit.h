/*
 * expmkit.h -- the one public header of expmkit.
 *
 * expmkit computes the matrix exponential exp(A), its Frechet derivative
 * L(A,E) and the adjoint L(A^T,G) (the gradient of <G, exp(A)> with respect
 * to A) by several methods, and an MPFR reference to measure them against.
 *
 * Conventions (LAPACK style):
 *   - real double precision, dense, column-major storage;
 *   - every matrix argument comes with its leading dimension (ld >= max(1,n));
 *   - every entry point returns an expm_status; nothing is printed;
 *   - outputs are written only on success (EXPM_OK): on any error the output
 *     arrays are left unchanged, so a failed call never leaves half a result;
 *   - no global mutable state: every function is reentrant and thread-safe.
 */
#ifndef EXPMKIT_H
#define EXPMKIT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXPMKIT_VERSION "0.1.0"

/* The version of the library actually linked (EXPMKIT_VERSION of the build
 * that produced it): compare with EXPMKIT_VERSION to detect a header/library
 * mismatch. The shared library's soname is libexpmkit.so.0. */
const char *expm_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

typedef enum {
    EXPM_OK = 0,          /* success */
    EXPM_EINVAL = 1,      /* invalid argument or malformed input */
    EXPM_ENOMEM = 2,      /* memory allocation failed */
    EXPM_EOVERFLOW = 3,   /* the result exceeds the range of double */
    EXPM_ENONFINITE = 4,  /* a non-finite value (NaN/Inf) arose in the computation */
    EXPM_ENOMETHOD = 5,   /* no method of that name */
    EXPM_EUNSUPPORTED = 6,/* the method does not compute that kind (exp/Frechet) */
    EXPM_ESINGULAR = 7,   /* a linear system of the method is singular */
    EXPM_ENOCONV = 8,     /* an iteration did not converge / result not certified */
    EXPM_ELAPACK = 9      /* LAPACK reported an argument error (a bug) */
} expm_status;

/* A static, human-readable description of a status code. Never NULL. */
const char *expm_strerror(expm_status status);

/* ------------------------------------------------------------------------ */
/* Information returned by a computation                                     */
/* ------------------------------------------------------------------------ */

/* Warning bits of expm_info_t.warnings. */
#define EXPM_WARN_ILLCOND_V   0x1u  /* eigenvector matrix badly conditioned */
#define EXPM_WARN_NOT_CONVERGED 0x2u /* a series was stopped by its term limit */
#define EXPM_WARN_UNDERFLOW   0x4u  /* some entries of the result are subnormal or flushed */
#define EXPM_WARN_ILLCOND_LU  0x8u  /* the Pade denominator is badly conditioned */
#define EXPM_WARN_SCHUR       0x10u /* pade: the squarings showed a hump, so exp(A) was
                                        recomputed through the real Schur form (pade-schur);
                                        informational, the result is the Schur one */
#define EXPM_WARN_HUMP        0x20u /* pade-plain, taylor: the squarings amplified rounding
                                        errors by more than 2^32 (the estimate of pade's
                                        hump test): the result can be far less accurate
                                        than u*kappa_exp; the default recomputes such A
                                        through the Schur form */
#define EXPM_WARN_TRACE       0x40u /* pade L(A,E) failed a consistency check: it misses
                                        tr L(A,E) = tr(exp(A) E) by more than 2^-20 of
                                        its terms, or (n = 2) its exp(A) differs from
                                        the closed form by more than 2^-20: unreliable */
#define EXPM_WARN_UNCERTAIN   0x80u /* t = max(u||A||_F, 2^s u) >= 2^-10, the norm of A
                                        balanced by powers of two (A not triangular):
                                        rounding moves A's eigenvalues by ~u||A||, and the
                                        squarings grow errors by 2^s u, so the result may
                                        be off by a factor up to e^t: few or no correct
                                        digits (every method; not set when a zero result
                                        is certified by the bound e^mu2(A)) */

#define EXPM_WARN_ILLCOND     0x100u /* pade-schur (and the default when it takes the
                                        Schur path): an estimate of kappa_exp(A), of A
                                        balanced, by two Frechet derivatives on the Schur
                                        form, has u*kappa >= 2^-10: exp is ill-conditioned
                                        at A, rounding A alone changes exp(A) by ~u*kappa
                                        (rotated Jordan blocks: u*kappa = 25, every double
                                        method wrong); message gives kappa */
#define EXPM_WARN_GRADED      0x200u /* pade-schur (and the default when it takes the
                                        Schur path) on a strongly graded A, computed on
                                        D^-1 A D: scaling the result back by D can magnify
                                        the rounding errors of the Schur-form result by
                                        rho > 2^20 (message gives rho) AND the result
                                        differs from the default's (no rotations) by more
                                        than 2^-40: digits were lost (zigzag-graded
                                        nearly triangular A: exp and L errors ~1e-8) */

typedef struct {
    int s;              /* number of squarings (scaling parameter) */
    int m;              /* degree of the approximant (Pade m, Taylor degree, terms) */
    long products;      /* n-by-n matrix products performed (dgemm calls, each n^3 flops x2) */
    long solves;        /* LU factorizations of n-by-n matrices, each with one solve
                           for n right-hand sides (dgetrf + dgetrs) */
    long resolves;      /* further solves with n right-hand sides reusing a
                           factorization (dgetrs only; pade L(A,E): 1) */
    unsigned warnings;  /* EXPM_WARN_* bits */
    double cond;        /* method-specific condition figure (e.g. cond(V) for eig), 0 if none */
    double log10_norm;  /* on EXPM_EOVERFLOW: estimated log10 of ||result||_1 */
    char message[160];  /* on error or warning: a one-line explanation, else "" */
} expm_info_t;

/* ------------------------------------------------------------------------ */
/* Methods                                                                   */
/* ------------------------------------------------------------------------ */

/* Kind bits of expm_method_t.kinds. */
#define EXPM_KIND_EXP     0x1u  /* computes exp(A) */
#define EXPM_KIND_FRECHET 0x2u  /* computes L(A,E) (and hence the adjoint) */

/* exp(A): A is n-by-n (lda), X receives exp(A) (ldx). info may be NULL. */
typedef expm_status (*expm_exp_fn)(int n, const double *A, int lda,
                                   double *X, int ldx, expm_info_t *info);

/* L(A,E): A, E are n-by-n; L receives L(A,E) (ldl); X, if not NULL, receives
 * exp(A) as computed by the same method (ldx). info may be NULL. */
typedef expm_status (*expm_frechet_fn)(int n, const double *A, int lda,
                                       const double *E, int lde,
                                       double *L, int ldl,
                                       double *X, int ldx, expm_info_t *info);

typedef struct {
    const char *name;        /* the name used on the command line, e.g. "pade" */
    unsigned kinds;          /* EXPM_KIND_* bits */
    const char *description; /* one line */
    const char *reference;   /* the literature it implements */
    expm_exp_fn exp;         /* NULL when !(kinds & EXPM_KIND_EXP) */
    expm_frechet_fn frechet; /* NULL when !(kinds & EXPM_KIND_FRECHET) */
} expm_method_t;

/* Number of registered methods. */
int expm_method_count(void);

/* The i-th method, 0 <= i < expm_method_count(); NULL out of range. */
const expm_method_t *expm_method_get(int i);

/* The method called `name`; NULL (or "") gives the default, "pade".
 * Returns NULL when there is no such method.
 *
 * Why the default exp is what it is (measured against the MPFR reference,
 * phi = err/(u max(kappa,1)); bench/peers/scipy_compare.c, tests/test_pade*.c,
 * tests/test_exp2x2.c):
 *  - n = 2: the closed form of methods/exp2x2.c (error-free discriminant,
 *    no cosh/sinch overflow): worst phi 2.3 over 360 random 2x2 and 0.86 on
 *    the 2x2 named matrices; it fixes Al-Mohy's O2 (Pade 2.3e-8, now 6.7e-17)
 *    and scipy 1.10's NaN on [[-1,1e7],[0,-1e7]].
 *  - quasi upper triangular A (or its transpose): Pade with the exact
 *    diagonal (blocks) and superdiagonal recomputed in every squaring.
 *  - otherwise Pade (AMH 2009 Alg. 6.1) with a hump test on its own
 *    squarings: sum over squarings of log2(|| |Z|^2 ||_1 / ||Z^2||_1), O(n^2)
 *    per squaring (two products with a ones vector; measured 3-9% of the run
 *    time at n = 16..256, timing noise included).
 *    Above 32 (the squarings may have amplified rounding by ~2^32) exp(A) is
 *    recomputed through the real Schur form (pade-schur; info->warnings gets
 *    EXPM_WARN_SCHUR). Measured: <= 21 on 150 random matrices (n 3..64,
 *    ||A||_1 0.1..1e4, incl. symmetric and shifted) -- no false switch on
 *    those nor on graded D G D^-1 (hump <= 8 there); 64..152 on the
 *    non-normal family Q T Q^T (T strictly upper 1e2..1e4, negative diagonal),
 *    where plain Pade has phi up to 1e134 and NaN/garbage, and pade-schur
 *    phi <= 1.02. Named matrices that switch: B3 (phi 8.5 -> 0.66) and
 *    R nonnormal nu=100 (8.1 -> 0.27). Not always on: Schur costs ~25 n^3
 *    flops more and on normal, well-conditioned matrices its backward error
 *    gives phi up to ~15 where plain Pade gives ~2. Nor on A normal to working
 *    accuracy (||A^T A - A A^T||_F <= 2^-30 ||A||_F^2, checked only when the
 *    test fires): a hump needs non-normality, but rotations can pass 32
 *    (skew-symmetric, n = 30, ||A|| = 1e5: 2^34; Schur 1.1e-10, plain 2.6e-12).
 *    Schur's form is taken of the balanced D^-1 A D when that lowers ||A||_1
 *    by 2^20 or more (graded A; see pade_schur.c).
 *    Known failure (outside audit): rotated Jordan blocks Q s(N_k + l I) Q^T,
 *    k >= 5, s >~ 2e4, where perturbations of u ||A|| move the eigenvalues by
 *    ~1e2 (k = 6: relative error 3.5e6; plain Pade and taylor exit 1, scipy
 *    NaN): no double-precision method is accurate there, u kappa_exp = 25.
 *    They reach the Schur path (hump test), which then warns
 *    EXPM_WARN_ILLCOND with an estimate of kappa_exp (methods/illcond.c; a
 *    lower bound in exact arithmetic, up to 13x above kappa where u kappa > 1)
 *    whenever u kappa >= 2^-10 (measured: every rotated or similarity-
 *    transformed Jordan / non-normal case of a 100-matrix sweep with u kappa
 *    >= 2^-10 was warned; none of the test set is).
 *  - strongly graded A (src/grading.c): when dgebal's power-of-two D makes
 *    ||D^-1 A D||_1 at least 2^40 smaller and ||A||_1 > theta_13, exp(A) =
 *    D exp(D^-1 A D) D^-1 and L(A,E) = D L(D^-1 A D, D^-1 E D) D^-1 (exact
 *    scalings; the paths above then run on D^-1 A D). Why: AMH's s follows
 *    ||A^k||^(1/k), which a diagonal similarity does not lower, and each
 *    needless squaring doubles the error: on D S D^-1 with D over 10^+-20
 *    the default had relative errors 1e-7 to 2e-4 (s = 30-40), over
 *    10^+-40 up to 5e33 (an outside audit and tests/test_pade.c); now
 *    1.0e-12 at worst (n = 3..40, exp, L and adjoint). Where the scaling
 *    back could magnify the balanced result's rounding by more than 2^20,
 *    A itself is computed too and the balanced result kept only if it
 *    saved >= 64 squarings (Davies & Higham's triangular D14: balanced L
 *    had error 0.05, unbalanced 1e-16 at s = 10; a nearly triangular
 *    zigzag-graded A: balanced 9e-17, unbalanced 0.42 at s = 265).
 *  - strictly triangular A (nilpotent): the finite Taylor sum
 *    sum_{k<n} A^k/k! (methods/nilpotent.c), exact but for rounding, and
 *    L(A,E) as that of the nilpotent [[A, E], [0, A]]; the
 *    squarings of the pre-scaled A (||A||_1 > 2^100) had printed I + A for
 *    a 1e225 superdiagonal whose exp overflows (exit 0, no warning).
 *  - every method: a result with an all-zero column (exp(A) is
 *    nonsingular, so it underflowed) gets EXPM_WARN_UNDERFLOW.
 *  - L(A,E) by default: Alg. 6.4 with the same test on the squarings of R;
 *    above 32 it switches to pade-schur's D Q L(T, .) Q^T D^-1 (on the
 *    non-normal family Alg. 6.4 had L errors up to 6.6e10; now <= 1.0 u kappa).
 *    EXPM_WARN_TRACE when tr L(A,E) = tr(exp(A) E) fails by 2^-20 (or, n = 2,
 *    its exp(A) differs from the closed form). */
const expm_method_t *expm_method_find(const char *name);

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */
/* ------------------------------------------------------------------------ */

/* X = exp(A) by `method` (NULL = "pade").
 * Returns EXPM_ENOMETHOD / EXPM_EUNSUPPORTED for an unknown or Frechet-only
 * method, EXPM_EINVAL for n < 0, ld < max(1,n) or a non-finite entry of A,
 * EXPM_EOVERFLOW when exp(A) is not representable (info->log10_norm gives
 * its estimated size). */
expm_status expm_exp(const char *method, int n, const double *A, int lda,
                     double *X, int ldx, expm_info_t *info);

/* L = L(A,E), the Frechet derivative of exp at A in direction E, by `method`
 * (NULL = "pade"). X, if not NULL, receives exp(A). Errors as expm_exp.
 * L is linear in E: an E with ||E||_1 outside [2^-500, 2^500] is passed to
 * the method as 2^-k E (||.||_1 in [1/2, 1), exact) and L scaled back by
 * 2^k, so tiny or huge E neither underflows nor overflows inside a method;
 * EXPM_EOVERFLOW only when L itself is not representable. */
expm_status expm_frechet(const char *method, int n, const double *A, int lda,
                         const double *E, int lde, double *L, int ldl,
                         double *X, int ldx, expm_info_t *info);

/* Adjoint: L = L(A^T, G), so that <G, L(A,E)> = <L(A^T,G), E> for all E,
 * i.e. L is the gradient of the scalar <G, exp(A)> = sum_ij G_ij exp(A)_ij
 * with respect to A. `method` (NULL = "pade") is any Frechet method. */
expm_status expm_adjoint(const char *method, int n, const double *A, int lda,
                         const double *G, int ldg, double *L, int ldl,
                         expm_info_t *info);

/* Batched exp (src/batch.c): X_k = exp(A_k) for k = 0..count-1, where
 * A_k = A + k*strideA (n-by-n, lda) and X_k = X + k*strideX (n-by-n, ldx),
 * strides counted in doubles (cuBLAS/MAGMA "strided batched" layout; a
 * stacked C array (count,n,n) is lda = ldx = n, strideA = strideX = n*n and
 * holds A_k^T, whose exp is exp(A_k)^T, so row-major callers need no copy).
 * Each X_k is computed exactly as expm_exp(method, n, A_k, lda, X_k, ldx,
 * &info) computes it (bit for bit, whatever nthreads). For the default
 * method ("pade", NULL or "") with n <= 16 that is the BLAS-free, malloc-free
 * fixed-size path of methods/pade_small.c (pade's algorithm with exact
 * ||A^k|| where the BLAS path estimates them), in batches and single calls alike.
 * The matrices are shared among `nthreads` POSIX threads (0 = the number of
 * online CPUs; capped at count and at 64; 1 = the calling thread only); the small path
 * allocates nothing at all, other paths allocate what their method does.
 * status_each (may be NULL) receives count statuses, one per matrix. A
 * matrix that fails (e.g. EXPM_EOVERFLOW, or EXPM_EINVAL for a non-finite
 * entry) leaves its X_k untouched; the others are still computed. The
 * return value is EXPM_OK when every matrix succeeded, else the status of
 * the first failing matrix (lowest k); info (may be NULL) then describes
 * that matrix ("matrix k: ..."), and on success holds the largest m and s,
 * the total products, solves and resolves, and the OR of the warnings over
 * all k.
 * Argument errors -- n < 0, count < 0, nthreads < 0, lda or ldx < max(1,n),
 * count > 1 with strideX < ldx*n (outputs would overlap), strideA < 0 or
 * strideX < 0, NULL A/X with n, count > 0 -- return EXPM_EINVAL, unknown or
 * Frechet-only methods EXPM_ENOMETHOD / EXPM_EUNSUPPORTED; then nothing
 * (X, status_each) is written. A thread that cannot be started is not an
 * error: its share is done by the others. A and X must not overlap. */
expm_status expm_exp_batch(const char *method, int n, int count, const double *A, int lda,
                           long strideA, double *X, int ldx, long strideX, int nthreads,
                           expm_status *status_each, expm_info_t *info);

/* ------------------------------------------------------------------------ */
/* Retained workspace (src/workspace.c)                                      */
/* ------------------------------------------------------------------------ */

/* The default pade exp and Frechet derivative for n > 16 need 9 n^2 resp.
 * 19 n^2 doubles of workspace. A block of 4 MiB and more is kept by the
 * calling thread for its next call, up to a limit (process-wide; default
 * EXPM_WORKSPACE_LIMIT_DEFAULT bytes, enough for exp up to n ~ 960 and
 * L(A,E) up to n ~ 660): a fresh block costs the kernel's zeroing of every
 * page, 6-7% of the call at n = 256..512. At most one block per thread is
 * kept; it is freed when the thread exits, when a larger call replaces it,
 * and by expm_workspace_release(). Set the limit to 0 to allocate per call. */
#define EXPM_WORKSPACE_LIMIT_DEFAULT ((size_t)64 << 20)

/* Free the block kept by the calling thread (no effect if none). */
void expm_workspace_release(void);

/* Set the largest block (bytes) a thread keeps; returns the previous limit.
 * The calling thread's block is freed if larger; other threads' blocks go
 * at their next call or exit. */
size_t expm_workspace_set_limit(size_t bytes);

/* Bytes of the block the calling thread keeps now (0 if none). */
size_t expm_workspace_retained(void);

/* ------------------------------------------------------------------------ */
/* Zero-order hold: the discretisation of a linear state-space model        */
/* (src/zoh.c, src/zoh_vjp.c)                                                */
/* ------------------------------------------------------------------------ */

/* The ZOH discretisation of dh/dt = A h + B x with step dt (S4, Mamba eq. 4):
 *   Abar = exp(dt A),  Bbar = int_0^dt exp(s A) ds B  (= (dt A)^{-1}(Abar - I) dt B
 *   when A is invertible),
 * computed as the blocks of one exponential of the (n+m)-by-(n+m) matrix
 *   exp([[dt A, dt B], [0, 0]]) = [[Abar, Bbar], [0, I]]
 * (Van Loan 1978, "Computing integrals involving the matrix exponential",
 * Thm 1), so it needs no inverse: exact in exact arithmetic and stable when A
 * is singular or ill-conditioned. A is n-by-n (lda), B n-by-m (ldb); Abar
 * (ldab >= n) and Bbar (ldbb >= n) receive the results. m may be 0 (then B and
 * Bbar may be NULL). dt must be finite and > 0. `method` (NULL = "pade") is any
 * method that computes exp; each column b_j of B is first scaled by a power
 * of two so that ||dt b_j||_1 ~ ||dt A||_1 (exact, undone afterwards) to keep
 * the block matrix balanced (one factor for all of B left columns of 1e-300
 * and 1e300 at norm 1e293). Abar is recomputed as exp(dt A) alone when it is
 * below 2^-20 of the augmented result's norm (its relative accuracy there
 * is that of exp(dt A), not of the whole block). When m > n the exponential
 * is of order 2n instead:
 * exp([[dt A, I], [0, 0]]) has (1,2) block phi_1(dt A) = int_0^1 exp(s dt A) ds,
 * and Bbar = phi_1(dt A) dt B (one n x n by n x m product). Errors as
 * expm_exp (EXPM_EOVERFLOW when a block overflows, or when an entry of dt A
 * does). An entry of dt B may overflow where Bbar does not (B ~ 1e307,
 * dt = 100, A = -1e3 I: Bbar ~ 1e304): B is then scaled by a power of two
 * first (per column on the 2n path), Bbar being linear in B. */
expm_status expm_zoh(const char *method, int n, int m, double dt,
                     const double *A, int lda, const double *B, int ldb,
                     double *Abar, int ldab, double *Bbar, int ldbb, expm_info_t *info);

/* Vector-Jacobian product of the ZOH map (A, B, dt) -> (Abar, Bbar): given
 * the gradients G_Abar (n-by-n) and G_Bbar (n-by-m) of a scalar loss with
 * respect to Abar and Bbar, return
 *   dL/dA = dt K11,  dL/dB = dt K12,  dL/ddt = <K11, A> + <K12, B>,
 * where K = L(M^T, [[G_Abar, G_Bbar], [0, 0]]) is the adjoint of the
 * augmented exponential at M = [[dt A, dt B], [0, 0]] (expm_adjoint) and
 * K11, K12 its top blocks. `method` (NULL = "pade", the most accurate) is any
 * Frechet method. Any of GA (ldga), GB (ldgb), Gdt may be NULL when not
 * wanted; m may be 0. Errors as expm_adjoint. */
expm_status expm_zoh_vjp(const char *method, int n, int m, double dt,
                         const double *A, int lda, const double *B, int ldb,
                         const double *G_Abar, int ldgab, const double *G_Bbar, int ldgbb,
                         double *GA, int ldga, double *GB, int ldgb, double *Gdt,
                         expm_info_t *info);

/* ------------------------------------------------------------------------ */
/* Condition number of exp (src/cond.c)                                      */
/* ------------------------------------------------------------------------ */

/* Flags of expm_cond_exp. */
#define EXPM_COND_AUTO     0x0u /* exact for n <= EXPM_COND_EXACT_MAXN, else estimate */
#define EXPM_COND_EXACT    0x1u /* force the exact Kronecker form (n^2 Frechet calls) */
#define EXPM_COND_ESTIMATE 0x2u /* force the power-method estimate */
#define EXPM_COND_EXACT_MAXN 20

/* kappa = kappa_exp(A) = ||L(A)||_F ||A||_F / ||exp(A)||_F, the relative
 * condition number of exp in the Frobenius norm, where ||L(A)||_F is the
 * operator norm of E -> L(A,E) w.r.t. the Frobenius norm, i.e. the 2-norm
 * of the n^2-by-n^2 Kronecker matrix K with vec(L(A,E)) = K vec(E)
 * (Higham, Functions of Matrices, 2008, sec. 3.1-3.4).
 * Exact: K is built column by column from L(A, e_i e_j^T) computed in double
 * by the default Frechet method (pade, AMH 2009 Alg. 6.4) and ||K||_2 taken
 * by an SVD (dgesdd): O(n^5) flops, n <= EXPM_COND_EXACT_MAXN by default.
 * Estimate: power method on K^T K, applying K as L(A,.) and K^T as the
 * adjoint L(A^T,.) (Higham 2008 Alg. 3.20 / Kenney & Laub 1989), run from two
 * deterministic starts (ones and a fixed-seed random matrix, the block idea
 * of Higham & Tisseur 2000) until the estimate changes by < 1e-4 relative or
 * 20 iterations; it is a lower bound on the exact value. Both use L in
 * double: where u kappa is not small (u = 2^-53) L itself is not resolved
 * and kappa can be off by a large factor (an outside audit: up to 92x below
 * and 13x above mpmath's at u kappa ~ 1e3 and ~20); `expmkit cond` warns
 * when u kappa >= 2^-10. Below that, expect a relative error of kappa up to
 * about u kappa (outside audit: 1.8e-6 at u kappa = 2.7e-5, a rotated 5x5
 * Jordan block). info (may be NULL):
 * products = number of Frechet evaluations, message = "exact" or "estimate".
 * When ||exp(A)||_F is outside [2^-500, 2^500] (or overflows), both work on
 * A - cI (the ratio ||L||/||exp|| is shift invariant): c = trace(A)/n, or,
 * where that leaves exp out of range too, c = alpha(A), the spectral
 * abscissa (dgeev); a shift is kept only if it brings ||exp||_F nearer 1. So
 * kappa is available even where exp(A) itself overflows or underflows (e.g.
 * A = 800 I, diag(1000, -1000), diag(-1000, -4000)). flags: EXPM_COND_*.
 * Errors: EXPM_EINVAL (bad
 * n/lda, non-finite entry, unknown flags), EXPM_EOVERFLOW when exp(A - cI)
 * or L overflows, EXPM_ENOMEM, and any error of the Frechet method. kappa is written only on success;
 * kappa = 0 when A = 0 or n = 0. */
expm_status expm_cond_exp(int n, const double *A, int lda, double *kappa, unsigned flags,
                          expm_info_t *info);

/* ------------------------------------------------------------------------ */
/* MPFR reference (reference/)                                               */
/* ------------------------------------------------------------------------ */

typedef struct {
    long precision;     /* bits of the higher of the two agreeing evaluations */
    int attempts;       /* p/2p comparisons made (1 = certified without doubling) */
    int squarings;      /* r, squarings of the Taylor sum */
    int terms;          /* Taylor terms summed */
    double tail_bound;  /* certified bound on the truncated Taylor tail, relative to
                           the 1-norm of the scaled Taylor sum */
    double rel_diff;    /* ||X_p - X_2p||_F / ||X_2p||_F of the accepted pair */
    double log10_norm;  /* log10 of ||result||_F (of L for expm_ref_frechet, unless
                           exp(A) overflowed); set also on EXPM_EOVERFLOW, +Inf
                           when MPFR's exponent range was exceeded */
    char message[160];
} expm_ref_info_t;

/* Certified exp(A): computed in MPFR at precision p and 2p (p chosen from the
 * data), doubling until the two agree to 2^-64 relative in the Frobenius norm
 * and entrywise for entries not below the cancellation floor
 * 2^-(p/2) ||exp(A)||_F; the result is rounded to double. Entries below the
 * floor (results of cancellation, or negligible) are certified only through
 * the Frobenius test, i.e. to 2^-64 ||exp(A)||_F absolutely. Returns
 * EXPM_EOVERFLOW if an entry of exp(A) overflows double (a result whose
 * entries are finite is returned even when its Frobenius norm exceeds
 * DBL_MAX; info->log10_norm gives it), EXPM_ENOCONV if it cannot certify
 * within max_precision bits (0 = default, 1<<16; 1..127 or < 0 is
 * EXPM_EINVAL). The products use EXPMKIT_REF_THREADS threads (default 2;
 * the result does not depend on it). info may be NULL. */
expm_status expm_ref_exp(int n, const double *A, int lda, double *X, int ldx,
                         long max_precision, expm_ref_info_t *info);

/* Certified L(A,E) (and exp(A) into X when X is not NULL) from the exponential
 * of the block matrix [[A, E], [0, A]], with the same certification applied to
 * each block. */
expm_status expm_ref_frechet(int n, const double *A, int lda,
                             const double *E, int lde, double *L, int ldl,
                             double *X, int ldx, long max_precision,
                             expm_ref_info_t *info);

/* ------------------------------------------------------------------------ */
/* MatrixMarket I/O (src/mmio.c)                                             */
/* ------------------------------------------------------------------------ */

/* A dense column-major matrix owning its storage (ld == rows). */
typedef struct {
    int rows, cols;
    double *data;
    int size_line;   /* line number of the size line in the file (for messages) */
} expm_matrix_t;

/* Free the storage of M (M itself is not freed); safe on a zeroed struct. */
void expm_matrix_free(expm_matrix_t *M);

/* Read a MatrixMarket file: `array` or `coordinate`; `real` or `integer`;
 * `general`, `symmetric` or `skew-symmetric`. path "-" reads stdin.
 * Every token is validated: on failure returns EXPM_EINVAL (EXPM_ENOMEM if
 * memory runs out) and writes "PATH:LINE: reason" into err (errlen bytes);
 * M is left zeroed. Values that are NaN, infinite or overflow double are
 * rejected. Coordinate entries may not repeat (duplicates are an error).
 * Dimensions are limited to 1..EXPM_MM_MAX_DIM and rows*cols*8 to 1 GiB
 * (so e.g. 65536 x 65536 is rejected before any allocation); symmetric and
 * skew-symmetric files may hold at most n(n+1)/2 resp. n(n-1)/2 entries.
 * On success M->size_line is the line number of the size line. */
#define EXPM_MM_MAX_DIM 65536
expm_status expm_mm_read(const char *path, expm_matrix_t *M,
                         char *err, size_t errlen);

/* Same, from an open stream; `name` is used in messages. */
expm_status expm_mm_read_stream(FILE *fp, const char *name, expm_matrix_t *M,
                                char *err, size_t errlen);

/* Write rows-by-cols A (lda) as MatrixMarket `array real general` with
 * %.17g entries. `comment`, if not NULL, is written as '%' lines after the
 * banner (one per '\n'-separated line). Returns EXPM_EINVAL on a write error,
 * rows or cols < 1, lda < rows, or a non-finite entry (nothing is written
 * then: such a file could not be read back). */
expm_status expm_mm_write(FILE *fp, int rows, int cols, const double *A, int lda,
                          const char *comment);

#ifdef __cplusplus
}
#endif

#endif /* EXPMKIT_H */
