/* cond.c -- kappa_exp(A), the relative Frobenius-norm condition number of
 * exp (see expmkit.h, expm_cond_exp). Exact through the Kronecker form, or
 * estimated by the power method on L and its adjoint. */
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "expmkit.h"

/* Power method: iterations at most, and the relative change that stops it.
 * Higham 2008 (Alg. 3.20 notes) reports that a few iterations give an
 * estimate correct to within a small factor; 20 is a cap, not the norm. */
#define COND_ITMAX 20
#define COND_RTOL 1e-4

/* Deterministic +-1 pattern from splitmix64 (fixed seed: reentrant, no state). */
static void start_random(int n, double *E)
{
    uint64_t s = 0x5eed5eedULL;
    for (int i = 0; i < n * n; i++) {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        E[i] = (z >> 63) ? 1.0 : -1.0;
    }
}

/* ||K||_2 exactly: K(:, i + j n) = vec(L(A, e_i e_j^T)). */
static expm_status normK_exact(int n, const double *A, int lda, double *out, long *calls,
                               expm_info_t *info)
{
    int N = n * n;
    double *K = malloc((size_t)N * N * sizeof *K);
    double *E = calloc((size_t)N, sizeof *E);
    double *sv = malloc((size_t)N * sizeof *sv);
    expm_status st = EXPM_ENOMEM;
    if (!K || !E || !sv)
        goto out;
    for (int c = 0; c < N; c++) {
        E[c] = 1.0;
        expm_info_t fi;
        st = expm_frechet(NULL, n, A, lda, E, n, K + (size_t)c * N, n, NULL, 0, &fi);
        E[c] = 0.0;
        ++*calls;
        if (st != EXPM_OK) {
            /* say which derivative failed and why, not just the status
             * (an outside audit got "non-finite value in the computation") */
            expm_info_msg(info, "kappa_exp not computable: L(A, e_%d e_%d^T) failed: %s",
                          c % n + 1, c / n + 1, fi.message);
            goto out;
        }
    }
    if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', N, N, K, N, sv, NULL, 1, NULL, 1) != 0) {
        st = EXPM_ELAPACK;
        goto out;
    }
    *out = sv[0];
    st = EXPM_OK;
out:
    free(K), free(E), free(sv);
    return st;
}

/* ||K||_2 from below: power method on K^T K from one start E (overwritten). */
static expm_status normK_power(int n, const double *A, int lda, double *E, double *Z,
                               double *out, long *calls, expm_info_t *info)
{
    double est = 0, nrm = expm_dnormfro(n, n, E, n);
    if (nrm == 0)
        return (*out = 0, EXPM_OK);
    expm_dscal(n, n, 1.0 / nrm, E, n);
    for (int it = 0; it < COND_ITMAX; it++) {
        /* Z = L(A, E), ||E||_F = 1, so ||Z||_F <= ||K||_2 */
        expm_info_t fi;
        expm_status st = expm_frechet(NULL, n, A, lda, E, n, Z, n, NULL, 0, &fi);
        ++*calls;
        if (st != EXPM_OK) {
            expm_info_msg(info, "kappa_exp not computable: L(A, E) failed: %s", fi.message);
            return st;
        }
        double g = expm_dnormfro(n, n, Z, n);
        if (!isfinite(g)) {
            expm_info_msg(info, "%s", "kappa_exp not computable: ||L(A, E)||_F overflows");
            return EXPM_EOVERFLOW;
        }
        if (g == 0)
            break;
        double prev = est;
        est = fmax(est, g);
        if (it > 0 && fabs(est - prev) <= COND_RTOL * est)
            break;
        /* E = K^T vec(Z/||Z||): normalise first, or for ||K|| ~ 1e300
         * (1e-300) the second application would overflow (underflow). */
        expm_dscal(n, n, 1.0 / g, Z, n);
        st = expm_adjoint(NULL, n, A, lda, Z, n, E, n, &fi);
        ++*calls;
        if (st != EXPM_OK) {
            expm_info_msg(info, "kappa_exp not computable: L(A^T, G) failed: %s", fi.message);
            return st;
        }
        double h = expm_dnormfro(n, n, E, n);
        if (!isfinite(h)) {
            expm_info_msg(info, "%s", "kappa_exp not computable: ||L(A^T, G)||_F overflows");
            return EXPM_EOVERFLOW;
        }
        if (h == 0)
            break;
        /* ||K^T z|| (unit z) is a lower bound on ||K||_2 too, but it is not
         * used: only forward values ||K E|| enter the estimate, so an
         * inaccurate adjoint can slow the iteration, never inflate it. */
        expm_dscal(n, n, 1.0 / h, E, n);
    }
    *out = est;
    return EXPM_OK;
}

expm_status expm_cond_exp(int n, const double *A, int lda, double *kappa, unsigned flags,
                          expm_info_t *info)
{
    expm_info_clear(info);
    if (!kappa || (flags & ~(EXPM_COND_EXACT | EXPM_COND_ESTIMATE)) ||
        flags == (EXPM_COND_EXACT | EXPM_COND_ESTIMATE)) {
        expm_info_msg(info, "expm_cond_exp: bad flags or NULL kappa");
        return EXPM_EINVAL;
    }
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st != EXPM_OK)
        return st;
    if (n == 0) {
        *kappa = 0;
        return EXPM_OK;
    }
    double nA = expm_dnormfro(n, n, A, lda);
    if (nA == 0) {
        *kappa = 0;
        return EXPM_OK;
    }
    double *W = expm_dalloc(n, 4);
    if (!W)
        return EXPM_ENOMEM;
    double *X = W, *E = W + (size_t)n * n, *Z = W + (size_t)2 * n * n;
    long calls = 0;
    int exact = (flags & EXPM_COND_EXACT) ||
                (!(flags & EXPM_COND_ESTIMATE) && n <= EXPM_COND_EXACT_MAXN);
    double nK = 0;
    expm_info_t xi;
    st = expm_exp(NULL, n, A, lda, X, n, &xi);
    double nX = st == EXPM_OK ? expm_dnormfro(n, n, X, n) : 0;
    /* exp(A - cI) = e^-c exp(A) and L(A - cI, E) = e^-c L(A, E), so
     * ||L|| / ||exp|| does not change under the shift (||A||_F is A's own).
     * When exp(A) is near (or past) overflow or underflow, a shift brings
     * both back into range: first c = trace(A)/n, right when A's size is
     * mostly on the diagonal (the scalar -745, whose exp is subnormal;
     * 690 I + R; 800 I); then c = alpha(A), the spectral abscissa, which
     * gives exp(A - cI) spectral radius 1 where eigenvalues spread around
     * the mean put e^(mean - min) out of range (diag(-1000, -4000): exp(A)
     * and exp(A - trace/n I) both out of range and cond exited 1, "kappa
     * is not representable", for kappa = 4123; an outside audit). A shift
     * is kept only if it brings ||exp||_F nearer to 1 (for e.g.
     * [[-1, 1e7], [0, -1e7]] the mean would create e^(5e6)). */
    if (st == EXPM_EOVERFLOW || (st == EXPM_OK && (nX < 0x1p-500 || nX > 0x1p500))) {
        double c[2] = {0, 0}, kept = 0;   /* kept: the shift taken, 0 none */
        for (int i = 0; i < n; i++)
            c[0] += A[i + (size_t)i * lda] / n;
        double *S = W + (size_t)3 * n * n;
        expm_info_t si;
        for (int t = 0; t < 2 && !(st == EXPM_OK && nX >= 0x1p-500 && nX <= 0x1p500); t++) {
            if (t == 1)
                c[1] = expm_dspectral_abscissa(n, A, lda);
            if (c[t] == 0 || !isfinite(c[t]) || (t == 1 && c[1] == c[0]))
                continue;
            expm_dcopy(n, n, A, lda, S, n);
            for (int i = 0; i < n; i++)
                S[i + (size_t)i * n] -= c[t];
            expm_status s1 = expm_exp(NULL, n, S, n, Z, n, &si);   /* only ||.||_F is kept */
            double n1 = s1 == EXPM_OK ? expm_dnormfro(n, n, Z, n) : 0;
            if (s1 == EXPM_OK && n1 > 0 &&
                (st != EXPM_OK || !(nX > 0) || fabs(log2(n1)) < fabs(log2(nX))))
                kept = c[t], st = s1, nX = n1, xi = si;
        }
        if (kept != 0) {   /* S = A - kept I, built again: a later try may have overwritten it */
            expm_dcopy(n, n, A, lda, S, n);
            for (int i = 0; i < n; i++)
                S[i + (size_t)i * n] -= kept;
            A = S, lda = n;
        }
    }
    if (st != EXPM_OK) {
        if (info)
            *info = xi;
        goto out;
    }
    if (exact) {
        st = normK_exact(n, A, lda, &nK, &calls, info);
    } else {
        double g1 = 0, g2 = 0;
        for (int i = 0; i < n * n; i++)
            E[i] = 1.0;
        st = normK_power(n, A, lda, E, Z, &g1, &calls, info);
        if (st == EXPM_OK) {
            start_random(n, E);
            st = normK_power(n, A, lda, E, Z, &g2, &calls, info);
        }
        nK = fmax(g1, g2);
    }
    if (st != EXPM_OK)
        goto out;
    /* ||K||_2 >= ||exp(A)||_F / sqrt(n): tr L(A,E) = tr(exp(A) E) (the
     * derivative of tr exp), so E = exp(A)^T / ||exp(A)||_F gives
     * ||L(A,E)||_F >= ||exp(A)||_F / sqrt(n). A computed ||K|| far below
     * that means the Frechet derivatives lost all accuracy: fail, do not
     * print it (A = -1e100 ones(2): L came out 0 and kappa was printed as
     * 0; found by an outside audit). */
    if (!(nK >= 0.5 * nX / sqrt((double)n))) {
        st = EXPM_ENONFINITE;
        expm_info_msg(info, "kappa_exp not computable: the Frechet derivatives lost all accuracy "
                      "(||K||_2 = %g < ||exp(A)||_F / sqrt(n) = %g, a lower bound)", nK,
                      nX / sqrt((double)n));
        goto out;
    }
    double k = nK / nX * nA; /* nX > 0: exp(A) is nonsingular */
    if (!isfinite(k) || !(nX > 0)) {
        st = EXPM_EOVERFLOW;
        expm_info_msg(info, "kappa_exp is not representable (||L|| = %g, ||exp(A)||_F = %g)",
                      nK, nX);
        goto out;
    }
    *kappa = k;
    if (info) {
        info->products = calls;
        info->cond = k;
        expm_info_msg(info, "%s", exact ? "exact" : "estimate");
    }
out:
    free(W);
    return st;
}
