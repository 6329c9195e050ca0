/* dense.c -- elementary column-major operations over CBLAS. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"

void expm_dgemm(int n, char ta, char tb, double alpha, const double *A, int lda,
                const double *B, int ldb, double beta, double *C, int ldc)
{
    if (n <= 0)
        return;
    cblas_dgemm(CblasColMajor, ta == 'T' ? CblasTrans : CblasNoTrans,
                tb == 'T' ? CblasTrans : CblasNoTrans, n, n, n, alpha, A, lda,
                B, ldb, beta, C, ldc);
}

void expm_dcopy(int m, int n, const double *A, int lda, double *B, int ldb)
{
    for (int j = 0; j < n; j++)
        memcpy(B + (size_t)j * ldb, A + (size_t)j * lda, (size_t)m * sizeof(double));
}

void expm_dtranspose(int n, const double *A, int lda, double *B, int ldb)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            B[j + (size_t)i * ldb] = A[i + (size_t)j * lda];
}

void expm_dset_identity(int n, double alpha, double *A, int lda)
{
    for (int j = 0; j < n; j++) {
        memset(A + (size_t)j * lda, 0, (size_t)n * sizeof(double));
        A[j + (size_t)j * lda] = alpha;
    }
}

void expm_daxpby(int m, int n, double alpha, const double *X, int ldx,
                 double beta, double *Y, int ldy)
{
    for (int j = 0; j < n; j++) {
        const double *x = X + (size_t)j * ldx;
        double *y = Y + (size_t)j * ldy;
        for (int i = 0; i < m; i++)
            y[i] = alpha * x[i] + beta * y[i];
    }
}

void expm_dscal(int m, int n, double alpha, double *A, int lda)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
            A[i + (size_t)j * lda] *= alpha;
}

int expm_dall_finite(int m, int n, const double *A, int lda)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
            if (!isfinite(A[i + (size_t)j * lda]))
                return 0;
    return 1;
}

double *expm_dalloc(int n, int count)
{
    if (n < 0 || count < 0)
        return NULL;
    size_t nn = (size_t)n * (size_t)n;
    if (n > 0 && nn / (size_t)n != (size_t)n)
        return NULL;
    if (count > 0 && nn > SIZE_MAX / sizeof(double) / (size_t)count)
        return NULL;
    size_t total = nn * (size_t)count;
    return calloc(total ? total : 1, sizeof(double));
}
