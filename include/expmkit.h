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

typedef struct {
    int s;              /* number of squarings (scaling parameter) */
    int m;              /* degree of the approximant (Pade m, Taylor degree, terms) */
    long products;      /* n-by-n matrix products performed (dgemm calls, each n^3 flops x2) */
    long solves;        /* LU factorizations of n-by-n matrices */
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
 * Returns NULL when there is no such method. */
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
 * (NULL = "pade"). X, if not NULL, receives exp(A). Errors as expm_exp. */
expm_status expm_frechet(const char *method, int n, const double *A, int lda,
                         const double *E, int lde, double *L, int ldl,
                         double *X, int ldx, expm_info_t *info);

/* Adjoint: L = L(A^T, G), so that <G, L(A,E)> = <L(A^T,G), E> for all E,
 * i.e. L is the gradient of the scalar <G, exp(A)> = sum_ij G_ij exp(A)_ij
 * with respect to A. `method` (NULL = "pade") is any Frechet method. */
expm_status expm_adjoint(const char *method, int n, const double *A, int lda,
                         const double *G, int ldg, double *L, int ldl,
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
 * and entrywise for entries not below the cancellation floor; the result is
 * rounded to double. Returns EXPM_EOVERFLOW if exp(A) (an entry, or its
 * Frobenius norm) overflows double, EXPM_ENOCONV if it cannot certify within
 * max_precision bits (0 = default, 1<<16; 1..127 or < 0 is EXPM_EINVAL).
 * info may be NULL. */
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
