/* test_normest.c -- src/normest.c: dlacn2 estimate of ||A^p||_1. */
#include <criterion/criterion.h>

#include "../src/dense.h"
#include "testutil.h"

/* A lower bound within a factor 3 of the exact value on random matrices
 * (Higham 1988 reports it exact in most cases). */
Test(normest, within_factor_3_of_exact)
{
    for (int n = 1; n <= 40; n += 3)
        for (int p = 1; p <= 5; p += 2) {
            double *A = malloc(sizeof(double) * n * n), *P = malloc(sizeof(double) * n * n),
                   *T = malloc(sizeof(double) * n * n);
            tu_randn(n, (uint64_t)(n * 10 + p), 0, A);
            expm_dcopy(n, n, A, n, P, n);
            for (int k = 1; k < p; k++) {
                expm_dgemm(n, 'N', 'N', 1.0, P, n, A, n, 0.0, T, n);
                expm_dcopy(n, n, T, n, P, n);
            }
            double exact = expm_dnorm1(n, n, P, n), est = expm_dnormest1_pow(n, A, n, p);
            cr_expect(est <= exact * (1 + 1e-12) && est >= exact / 3,
                      "n=%d p=%d est %.6g exact %.6g", n, p, est, exact);
            free(A); free(P); free(T);
        }
}

Test(normest, nonnegative_is_exact)
{
    double A[9] = {1, 2, 0, 0.5, 0, 3, 1, 1, 1}, P[9], T[9];
    expm_dgemm(3, 'N', 'N', 1.0, A, 3, A, 3, 0.0, T, 3);
    expm_dgemm(3, 'N', 'N', 1.0, T, 3, A, 3, 0.0, P, 3);
    cr_expect(fabs(expm_dnormest1_pow(3, A, 3, 3) - expm_dnorm1(3, 3, P, 3)) < 1e-12);
}
