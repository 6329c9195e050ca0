/* lu.c -- LU solve with partial pivoting (LAPACK dgetrf/dgetrs/dgecon).
 * The _work entry points: LAPACKE's wrappers scan M and B for NaN on every
 * call (2% of exp at n = 64), and every caller passes finite data. */
#include <lapacke.h>

#include "dense.h"

expm_status expm_dlu_solve(int n, double *M, int ldm, int *ipiv,
                           int nrhs, double *B, int ldb, double *rcond)
{
    if (n == 0)
        return EXPM_OK;
    double anorm = rcond ? expm_dnorm1(n, n, M, ldm) : 0.0;
    lapack_int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, M, ldm, ipiv);
    if (info < 0)
        return EXPM_ELAPACK;
    if (info > 0)
        return EXPM_ESINGULAR;
    if (rcond) {
        double rc = 0.0;
        if (LAPACKE_dgecon(LAPACK_COL_MAJOR, '1', n, M, ldm, anorm, &rc) != 0)
            return EXPM_ELAPACK;
        *rcond = rc;
    }
    info = LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', n, nrhs, M, ldm, ipiv, B, ldb);
    return info == 0 ? EXPM_OK : EXPM_ELAPACK;
}

expm_status expm_dlu_resolve(int n, const double *LU, int ldm, const int *ipiv,
                             int nrhs, double *B, int ldb)
{
    if (n == 0)
        return EXPM_OK;
    lapack_int info = LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', n, nrhs, LU, ldm, ipiv, B, ldb);
    return info == 0 ? EXPM_OK : EXPM_ELAPACK;
}
