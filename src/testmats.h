/*
 * testmats.h -- internal: the named test matrices (IDs and sources from
 * ../shared/TESTSET.md), shared by the tests and the accuracy report.
 */
#ifndef EXPMKIT_TESTMATS_H
#define EXPMKIT_TESTMATS_H

typedef struct {
    const char *name;   /* TESTSET.md ID and name */
    int n;
    double a[16];       /* row-major, n <= 4 */
} expm_testmat_t;

/* Number of named matrices, and the i-th one (NULL out of range). */
int expm_testmat_count(void);
const expm_testmat_t *expm_testmat_get(int i);

/* Column-major copy of entry t into A (n*n doubles). */
void expm_testmat_colmajor(const expm_testmat_t *t, double *A);

/* n-by-n standard normal matrix from a splitmix64 stream seeded by `seed`
 * (Box-Muller), scaled to 1-norm `norm1` when norm1 > 0. Deterministic. */
void expm_testmat_randn(int n, unsigned long long seed, double norm1, double *A);

/* ||X - R||_F / ||R||_F (absolute when R = 0), summed in long double. */
double expm_relerr_fro(int n, const double *X, const double *R);

/* kappa_exp(A) = ||K||_2 ||A||_F / ||exp(A)||_F (relative, Frobenius), K the
 * n^2 x n^2 Kronecker matrix of L(A,.) built column by column from the
 * certified reference (n^2 reference calls: for small n). -1 on failure. */
double expm_kappa_exp_kron(int n, const double *A);

#endif
