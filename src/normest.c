/* normest.c -- estimate ||A^p||_1 with LAPACK's dlacn2 (Higham 1988,
 * "FORTRAN codes for estimating the one-norm", ACM TOMS 14:381-396), using
 * only products of A and A^T with vectors, as AMH 2009's normAm does. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "dense.h"

extern void dlacn2_(const int *n, double *v, double *x, int *isgn, double *est,
                    int *kase, int *isave);

static void apply_pow(int n, const double *A, int lda, int p, int trans,
                      double *x, double *y)
{
    for (int k = 0; k < p; k++) {
        cblas_dgemv(CblasColMajor, trans ? CblasTrans : CblasNoTrans, n, n, 1.0,
                    A, lda, x, 1, 0.0, y, 1);
        cblas_dcopy(n, y, 1, x, 1);
    }
}

double expm_dnormest1_pow(int n, const double *A, int lda, int p)
{
    if (n <= 0)
        return 0.0;
    int nonneg = 1;
    for (int j = 0; j < n && nonneg; j++)
        for (int i = 0; i < n; i++)
            if (A[i + (size_t)j * lda] < 0.0) { nonneg = 0; break; }

    double *work = malloc((size_t)3 * n * sizeof(double));
    int *isgn = malloc((size_t)n * sizeof(int));
    if (!work || !isgn) {
        free(work); free(isgn);
        return -1.0;
    }
    double est = 0.0;
    if (nonneg) {
        est = exp2(expm_dlog2norm1_abspow(n, A, lda, p, work));
    } else {
        double *v = work, *x = work + n, *y = work + 2 * n;
        int kase = 0, isave[3] = {0, 0, 0};
        for (int it = 0; it < 64; it++) {
            dlacn2_(&n, v, x, isgn, &est, &kase, isave);
            if (kase == 0)
                break;
            apply_pow(n, A, lda, p, kase == 2, x, y);
        }
    }
    free(work);
    free(isgn);
    return est;
}
