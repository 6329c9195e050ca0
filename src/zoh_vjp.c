/*
 * zoh_vjp.c -- the vector-Jacobian product of the ZOH map (see expmkit.h).
 *
 * [Abar Bbar] is the top block row of exp(M), M = [[dt A, dt B], [0, 0]]. A
 * scalar loss with gradients G_Abar, G_Bbar depends on exp(M) through
 * <G_M, exp(M)>, G_M = [[G_Abar, G_Bbar], [0, 0]] (the bottom block row of
 * exp(M) is constant), so its gradient with respect to M is the adjoint
 * K = L(M^T, G_M) (Higham, Functions of Matrices, §3.6: <G, L(M,E)> =
 * <L(M^T,G), E>). The chain rule through M(A, B, dt) gives
 *   dL/dA = dt K11, dL/dB = dt K12, dL/ddt = <K11, A> + <K12, B>.
 * The B block is balanced by 2^k as in expm_zoh: M_k = D M D^-1 with
 * D = diag(I, 2^-k I); then G_M becomes D^-1 G_M D (G_Bbar times 2^-k) and
 * K = D K_k D^-1 (K12 = 2^k K_k12), all exact power-of-two scalings.
 */
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "zoh.h"

static expm_status check_out(int n, int m, const double *X, int ldx, const char *what,
                             int check_finite, expm_info_t *info)
{
    if (m == 0)                           /* no columns: X is never touched */
        return EXPM_OK;
    if (ldx < (n > 1 ? n : 1)) {
        expm_info_msg(info, "leading dimension of %s is %d < max(1,n) = %d", what, ldx,
                      n > 1 ? n : 1);
        return EXPM_EINVAL;
    }
    if (n > 0 && m > 0 && !X) {
        expm_info_msg(info, "%s is NULL", what);
        return EXPM_EINVAL;
    }
    if (check_finite && !expm_dall_finite(n, m, X, ldx)) {
        expm_info_msg(info, "%s has a non-finite entry", what);
        return EXPM_EINVAL;
    }
    return EXPM_OK;
}

expm_status expm_zoh_vjp(const char *method, int n, int m, double dt,
                         const double *A, int lda, const double *B, int ldb,
                         const double *G_Abar, int ldgab, const double *G_Bbar, int ldgbb,
                         double *GA, int ldga, double *GB, int ldgb, double *Gdt,
                         expm_info_t *info)
{
    expm_info_clear(info);
    const expm_method_t *meth = expm_method_find(method);
    if (!meth) {
        expm_info_msg(info, "unknown method '%s' (see `expmkit methods`)", method);
        return EXPM_ENOMETHOD;
    }
    if (!(meth->kinds & EXPM_KIND_FRECHET)) {
        expm_info_msg(info, "method '%s' does not compute the Frechet derivative", meth->name);
        return EXPM_EUNSUPPORTED;
    }
    expm_status st = expm_zoh_check(n, m, dt, A, lda, B, ldb, 0, info);
    if (st == EXPM_OK && (long long)n + m > 46340) {   /* (n+m)^2 in an int-indexed dgemm */
        expm_info_msg(info, "n + m = %lld is too large for the augmented matrix",
                      (long long)n + m);
        st = EXPM_EINVAL;
    }
    if (st == EXPM_OK)
        st = check_out(n, n, G_Abar, ldgab, "G_Abar", 1, info);
    if (st == EXPM_OK)
        st = check_out(n, m, G_Bbar, ldgbb, "G_Bbar", 1, info);
    if (st == EXPM_OK && GA)
        st = check_out(n, n, GA, ldga, "GA", 0, info);
    if (st == EXPM_OK && GB)
        st = check_out(n, m, GB, ldgb, "GB", 0, info);
    if (st != EXPM_OK)
        return st;
    if (n == 0) {
        if (Gdt)
            *Gdt = 0.0;
        return EXPM_OK;
    }
    int p = n + m;
    double *M = expm_dalloc(p, 3);
    int *kb = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
    if (!M || !kb) {
        free(M);
        free(kb);
        expm_info_msg(info, "cannot allocate the %dx%d augmented matrices", p, p);
        return EXPM_ENOMEM;
    }
    double *G = M + (size_t)p * p, *K = G + (size_t)p * p;
    expm_zoh_augment(n, m, dt, A, lda, B, ldb, M, kb);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            G[i + (size_t)j * p] = G_Abar[i + (size_t)j * ldgab];
    for (int j = 0; j < m; j++)
        for (int i = 0; i < n; i++)
            G[i + (size_t)(n + j) * p] = ldexp(G_Bbar[i + (size_t)j * ldgbb], -kb[j]);
    st = expm_adjoint(method, p, M, p, G, p, K, p, info);
    if (st == EXPM_OK) {
        /* Undo the balancing, then the chain rule through M = dt [A B]. */
        long double s = 0.0L;
        for (int j = 0; j < p; j++)
            for (int i = 0; i < n; i++) {
                double kij = K[i + (size_t)j * p];
                if (j >= n)
                    kij = ldexp(kij, kb[j - n]);
                double x = j < n ? A[i + (size_t)j * lda] : B[i + (size_t)(j - n) * ldb];
                s += (long double)kij * x;
                K[i + (size_t)j * p] = dt * kij;
                if (!isfinite(K[i + (size_t)j * p])) {
                    expm_info_msg(info, "the gradient overflows double");
                    st = EXPM_EOVERFLOW;
                }
            }
        if (st == EXPM_OK && !isfinite((double)s)) {
            expm_info_msg(info, "dL/ddt overflows double");
            st = EXPM_EOVERFLOW;
        }
        if (st == EXPM_OK) {
            if (GA)
                expm_dcopy(n, n, K, p, GA, ldga);
            if (GB && m > 0)
                expm_dcopy(n, m, K + (size_t)n * p, p, GB, ldgb);
            if (Gdt)
                *Gdt = (double)s;
        }
    }
    free(M);
    free(kb);
    return st;
}
