/*
 * bilinear.c -- the bilinear (Tustin, Crank-Nicolson, [1/1] Pade) map
 * exp(A) ~ (I - A/2)^{-1} (I + A/2).
 *
 * The discretisation used by many state-space models (SSMs), included so
 * that the accuracy report can say for which ||A|| it is adequate. It is the
 * [1/1] Pade approximant without scaling and squaring: the error is
 * r(A) - exp(A) = A^3/12 + O(||A||^4) (expand (1+x/2)/(1-x/2) = 1 + x +
 * x^2/2 + x^3/4 + ...), so about ||A||^3/12 relative to ||exp(A)|| for small
 * ||A||. For large ||A|| it does not approximate exp at all (a stable A maps
 * into the unit disc, exp(-t) -> 0 but r(-t) -> -1), and it fails outright
 * when I - A/2 is singular (A has the eigenvalue 2).
 *
 * Frechet derivative of the map itself (what a user differentiating the
 * discretisation gets), with M = I - A/2 and X = M^{-1}(I + A/2):
 * dX = M^{-1}(E/2 + (E/2) X) = M^{-1} E (I + X)/2, and since
 * I + X = 2 M^{-1} this is M^{-1} E M^{-1} (computed in that form: two
 * triangular solves with the one LU, no cancellation), so L(A^T,G) is its
 * adjoint.
 */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "methods.h"

/* Warn when rcond(M) < sqrt(u): the solve may then lose more than half of
 * the digits (forward error ~ cond(M) u, Higham ASNA 2002 Thm 7.2). */
#define RCOND_WARN 1.0536712127723509e-08

/* Factor M = I - A/2 (into Mf, with ipiv) and solve M Y = I + A/2 (into Y).
 * Sets the status message and warning on failure or ill-conditioning. */
static expm_status bilinear_core(int n, const double *A, int lda, double *Mf, int *ipiv,
                                 double *Y, expm_info_t *info)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double h = 0.5 * A[i + (size_t)j * lda]; /* exact unless subnormal */
            double d = (i == j) ? 1.0 : 0.0;
            Mf[i + (size_t)j * n] = d - h;
            Y[i + (size_t)j * n] = d + h;
        }
    double rcond = 0.0;
    expm_status st = expm_dlu_solve(n, Mf, n, ipiv, n, Y, n, &rcond);
    if (st == EXPM_ESINGULAR) {
        expm_info_msg(info, "I - A/2 is singular (A has the eigenvalue 2): bilinear map undefined");
        return st;
    }
    if (st != EXPM_OK)
        return st;
    if (info)
        info->cond = rcond > 0.0 ? 1.0 / rcond : INFINITY;
    if (!(rcond >= RCOND_WARN)) {
        if (info) {
            info->warnings |= EXPM_WARN_ILLCOND_LU;
            expm_info_msg(info, "I - A/2 is ill-conditioned (rcond %.2g): bilinear result "
                          "may have lost most digits", rcond);
        }
    }
    if (!expm_dall_finite(n, n, Y, n)) {
        expm_info_msg(info, "(I - A/2)^{-1}(I + A/2) is not finite (rcond %.2g)", rcond);
        return EXPM_ENONFINITE;
    }
    return EXPM_OK;
}

static void set_counts(expm_info_t *info, long products)
{
    if (info) {
        info->m = 1;
        info->s = 0;
        info->products = products;
        info->solves = 1;
    }
}

expm_status expm_bilinear_exp(int n, const double *A, int lda, double *X, int ldx,
                              expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    double *ws = expm_dalloc(n, 2);
    int *ipiv = malloc((size_t)n * sizeof(int));
    if (!ws || !ipiv) {
        free(ws); free(ipiv);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    double *Mf = ws, *Y = ws + (size_t)n * n;
    st = bilinear_core(n, A, lda, Mf, ipiv, Y, info);
    if (st == EXPM_OK)
        expm_dcopy(n, n, Y, n, X, ldx);
    set_counts(info, 0);
    free(ws); free(ipiv);
    return st;
}

expm_status expm_bilinear_frechet(int n, const double *A, int lda, const double *E, int lde,
                                  double *L, int ldl, double *X, int ldx, expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, E, lde, "E", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, L, ldl, "L", 0, info);
    if (st == EXPM_OK && X)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    double *ws = expm_dalloc(n, 4);
    int *ipiv = malloc((size_t)n * sizeof(int));
    if (!ws || !ipiv) {
        free(ws); free(ipiv);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *Mf = ws, *Y = ws + nn, *Z = ws + 2 * nn, *W = ws + 3 * nn;
    st = bilinear_core(n, A, lda, Mf, ipiv, Y, info);
    if (st != EXPM_OK)
        goto out;
    /* L = M^{-1} E M^{-1}, which equals M^{-1} E (I + X)/2 but avoids the
     * cancellation in I + X when X ~ -I (large ||A||: 1 + x loses
     * log10(1/|1+x|) digits). Z = M^{-1} E; W = (Z M^{-1})^T = M^{-T} Z^T. */
    expm_dcopy(n, n, E, lde, Z, n);
    st = expm_dlu_resolve(n, Mf, n, ipiv, n, Z, n);
    if (st != EXPM_OK)
        goto out;
    expm_dtranspose(n, Z, n, W, n);
    if (LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'T', n, n, Mf, n, ipiv, W, n) != 0) {
        st = EXPM_ELAPACK;
        goto out;
    }
    expm_dtranspose(n, W, n, Z, n);
    expm_dcopy(n, n, Z, n, W, n);
    if (!expm_dall_finite(n, n, W, n)) {
        expm_info_msg(info, "L(A,E) of the bilinear map is not finite");
        st = EXPM_ENONFINITE;
        goto out;
    }
    expm_dcopy(n, n, W, n, L, ldl);
    if (X)
        expm_dcopy(n, n, Y, n, X, ldx);
out:
    set_counts(info, 0);
    if (info)
        info->resolves = 2;   /* M^-1 E and M^-T (M^-1 E)^T with the one LU */
    free(ws); free(ipiv);
    return st;
}
