/*
 * zoh.c -- zero-order-hold discretisation of dh/dt = A h + B x (see expmkit.h):
 * [Abar Bbar] as the top block row of exp([[dt A, dt B], [0, 0]])
 * (Van Loan 1978, Thm 1; Higham, Functions of Matrices, §10.7.4 / Thm 10.13
 * on phi functions): exp of the block matrix has (1,2) block
 * int_0^1 exp(s dt A) ds dt B = phi_1(dt A) dt B, which needs no inverse.
 *
 * Also the formulas kept for measurement only (zoh.h): the inverse formula of
 * the seed derivation, first-order (Euler) and bilinear (Tustin).
 */
#include <cblas.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "zoh.h"

/* n-by-m argument: ld >= max(1,n), non-NULL when n*m > 0, finite entries. */
static expm_status check_rect(int n, int m, const double *X, int ldx, const char *what,
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
    if (check_finite)
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++)
                if (!isfinite(X[i + (size_t)j * ldx])) {
                    expm_info_msg(info, "%s(%d,%d) = %g is not finite", what, i + 1, j + 1,
                                  X[i + (size_t)j * ldx]);
                    return EXPM_EINVAL;
                }
    return EXPM_OK;
}

expm_status expm_zoh_check(int n, int m, double dt, const double *A, int lda,
                           const double *B, int ldb, int b_scaled, expm_info_t *info)
{
    if (n < 0 || m < 0) {
        expm_info_msg(info, "n = %d, m = %d: sizes must be >= 0", n, m);
        return EXPM_EINVAL;
    }
    /* The exponentiated matrix, of order expm_zoh_order(n, m), is indexed by int in dgemm. */
    if (expm_zoh_order(n, m) > 46340) {
        expm_info_msg(info, "n = %d, m = %d: the augmented matrix of order %lld is too large", n,
                      m, expm_zoh_order(n, m));
        return EXPM_EINVAL;
    }
    if (!(dt > 0.0) || !isfinite(dt)) {
        expm_info_msg(info, "dt = %g: the step must be finite and > 0", dt);
        return EXPM_EINVAL;
    }
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = check_rect(n, m, B, ldb, "B", 1, info);
    if (st != EXPM_OK)
        return st;
    /* dt*A and dt*B must be representable: they are the data of the exponential
     * (expm_zoh scales B first, linear in it: b_scaled). */
    for (int j = 0; j < (b_scaled ? n : n + m); j++)
        for (int i = 0; i < n; i++) {
            double v = j < n ? A[i + (size_t)j * lda] : B[i + (size_t)(j - n) * ldb];
            if (!isfinite(dt * v)) {
                /* Valid data whose product the method cannot represent: a
                 * failure of the computation (exit 1), not bad input. */
                expm_info_msg(info, "dt * %s(%d,%d) = %g * %g overflows double: the augmented "
                              "matrix [[dt A, dt B], [0, 0]] cannot be formed",
                              j < n ? "A" : "B", i + 1, j < n ? j + 1 : j - n + 1, dt, v);
                return EXPM_EOVERFLOW;
            }
        }
    return EXPM_OK;
}

long long expm_zoh_order(int n, int m)
{
    return m > n ? 2LL * n : (long long)n + m;
}

/* Abar = exp(dt A) again on its own when it is tiny next to the top rows
 * of exp(M) (M the p-by-p augmented matrix, X = exp(M), ld p): the
 * augmented exponential is accurate relative to ||exp(M)||, not to each
 * block (an outside audit: non-normal 3x3, dt = 100: Abar ~ 1e-80 beside
 * Bbar ~ 5e2 came out with relative error 0.12, the whole [Abar Bbar]
 * 1.9e-10; exp(dt A) alone 1e-7, its own conditioning). Skipped quietly
 * if the workspace cannot be had: the augmented Abar stands. */
static void abar_alone(const char *method, int n, int p, double dt, const double *A, int lda,
                       const double *X, double *Abar, int ldab, expm_info_t *info)
{
    double la = expm_dlog2norm1(n, n, X, p), lt = expm_dlog2norm1(p, p, X, p);
    double *W;
    if (!(la < lt - 20.0) || !(W = expm_dalloc(n, 2)))
        return;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            W[i + (size_t)j * n] = dt * A[i + (size_t)j * lda];
    expm_info_t ai;
    double *Y = W + (size_t)n * n;
    if (expm_exp(method, n, W, n, Y, n, &ai) != EXPM_OK) {
        free(W);
        return;   /* the augmented one stands */
    }
    expm_dcopy(n, n, Y, n, Abar, ldab);
    free(W);
    if (info) {
        info->products += ai.products;
        info->solves += ai.solves;
        info->warnings |= ai.warnings;
        if (!info->message[0])
            memcpy(info->message, ai.message, sizeof info->message);
    }
}

/* m > n: Bbar = phi_1(dt A) dt B with phi_1(dt A) the (1,2) block of
 * exp([[dt A, 2^k I], [0, 0]]) times 2^-k (the same Van Loan identity with B
 * = I), so the exponential is 2n, not n + m: 4n^2 doubles instead of (n+m)^2
 * and ~(2n)^3 flops per product instead of (n+m)^3 (an outside audit: n + m =
 * 11002 took 10.4 GB and 249 s). 2^k ~ ||dt A||_1 balances the blocks. */
static expm_status zoh_phi1(const char *method, int n, int m, double dt, const double *A,
                            int lda, const double *B, int ldb, double *Abar, int ldab,
                            double *Bbar, int ldbb, expm_info_t *info)
{
    int p = 2 * n;
    double *M = expm_dalloc(p, 2), *T = malloc(2 * (size_t)n * (size_t)m * sizeof(double));
    int *kbs = malloc((size_t)m * sizeof(int));
    if (!M || !T || !kbs) {
        free(M);
        free(T);
        free(kbs);
        expm_info_msg(info, "cannot allocate the %dx%d augmented matrix and dt B", p, p);
        return EXPM_ENOMEM;
    }
    double *X = M + (size_t)p * p;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            M[i + (size_t)j * p] = dt * A[i + (size_t)j * lda];
    int k = 0;
    double na = expm_dnorm1(n, n, M, p);
    if (na > 0.0) {
        frexp(na, &k);
        k = k < DBL_MIN_EXP ? DBL_MIN_EXP : (k > DBL_MAX_EXP - 2 ? DBL_MAX_EXP - 2 : k - 1);
    }
    for (int i = 0; i < n; i++)
        M[i + (size_t)(n + i) * p] = ldexp(1.0, k);
    expm_status st = expm_exp(method, p, M, p, X, p, info);
    if (st == EXPM_EOVERFLOW && k > 0) {
        /* 2^k I can itself make exp(M) overflow (nilpotent dt A = [[0,
         * 1e200], [0, 0]]: ||exp(M)|| ~ 1e400 with 2^k ~ 1e200, phi_1(dt A)
         * ~ 1e200): again with I (as on the n+m path) */
        k = 0;
        for (int i = 0; i < n; i++)
            M[i + (size_t)(n + i) * p] = 1.0;
        st = expm_exp(method, p, M, p, X, p, info);
    }
    if (st == EXPM_EOVERFLOW && info)
        snprintf(info->message, sizeof info->message,
                 "[Abar Bbar] overflows double: exp([[dt A, I], [0, 0]]) has 1-norm ~ 1e%.0f",
                 info->log10_norm);
    if (st == EXPM_OK) {
        /* dt B, or in a column j where dt B overflows 2^-kb_j dt B (Bbar is
         * linear in each column of B; kb_j 0 elsewhere keeps the others'
         * bits). kbs: m ints. */
        int edt;
        frexp(dt, &edt);
        for (int j = 0; j < m; j++) {
            const double *b = B + (size_t)j * ldb;
            int kb = 0;
            for (int i = 0; i < n; i++)
                if (!isfinite(dt * b[i])) {
                    kb = expm_dnorm1_exponent(n, 1, b, n) + edt;
                    break;
                }
            for (int i = 0; i < n; i++)
                T[i + (size_t)j * n] = dt * ldexp(b[i], -kb);
            kbs[j] = kb;
        }
        double *Phi = X + (size_t)n * p;   /* 2^k phi_1(dt A): 2^-k goes into alpha */
        double *P = T + (size_t)n * m;     /* Bbar only once it is finite: nothing half-written */
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, m, n, ldexp(1.0, -k), Phi, p,
                    T, n, 0.0, P, n);
        for (int j = 0; j < m && st == EXPM_OK; j++)
            for (int i = 0; i < n; i++) {
                double *q = &P[i + (size_t)j * n];
                *q = ldexp(*q, kbs[j]);
                if (!isfinite(*q)) {
                    expm_info_msg(info, "Bbar(%d,%d) overflows double", i + 1, j + 1);
                    st = EXPM_EOVERFLOW;
                    break;
                }
            }
        if (info && st == EXPM_OK)
            info->products += 1;   /* the n x n by n x m product, m > n: >= one n^3 product */
        if (st == EXPM_OK) {
            expm_dcopy(n, n, X, p, Abar, ldab);
            for (int j = 0; j < m; j++)
                memcpy(Bbar + (size_t)j * ldbb, P + (size_t)j * n, (size_t)n * sizeof(double));
            abar_alone(method, n, p, dt, A, lda, X, Abar, ldab, info);
        }
    }
    free(M);
    free(T);
    free(kbs);
    return st;
}

void expm_zoh_augment(int n, int m, double dt, const double *A, int lda,
                      const double *B, int ldb, double *M, int *kb)
{
    int p = n + m;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            M[i + (size_t)j * p] = dt * A[i + (size_t)j * lda];
    if (m == 0 || n == 0)
        return;
    double na = expm_dnorm1(n, n, M, p);
    int ea = 1, edt;   /* A = 0: ||2^k dt b_j||_1 ~ 1 */
    if (na > 0.0)
        frexp(na, &ea);
    frexp(dt, &edt);
    /* One exponent per column: Bbar is linear in each column of B, and a
     * single k for all of B (the first version) was capped by the smallest
     * entry of any column, so columns of 1e-300 and 1e300 left the
     * augmented matrix at norm ~1e293 (pade-plain: 876 squarings, Abar
     * with relative error 49, unwarned; an outside audit). */
    for (int j = 0; j < m; j++) {
        const double *b = B + (size_t)j * ldb;
        double nb = 0.0, minabs = INFINITY;
        for (int i = 0; i < n; i++) {
            double v = fabs(dt * b[i]);
            nb += v;
            if (v > 0.0 && v < minabs)
                minabs = v;
        }
        int k = 0;
        if (nb > 0.0 && (na > 0.0 || !isfinite(nb))) {
            int eb, emin;
            if (isfinite(nb))
                frexp(nb, &eb);
            else   /* dt b_j overflows: its exponent from those of dt and ||b_j||_1 */
                eb = expm_dnorm1_exponent(n, 1, b, n) + edt;
            k = ea - eb;
            /* Scaling down must not push any entry below the normal range
             * (it would no longer be exact): keep min|dt b_j| 2^k >= DBL_MIN. */
            frexp(minabs, &emin);
            int kmin = DBL_MIN_EXP - emin + 1;
            if (k < kmin)
                k = kmin < 0 ? kmin : 0;
        }
        kb[j] = k;
        /* ldexp(dt b, k) = dt ldexp(b, k) unless dt b overflows (then k < 0). */
        for (int i = 0; i < n; i++) {
            double v = dt * b[i];
            M[i + (size_t)(n + j) * p] = isfinite(v) ? ldexp(v, k) : dt * ldexp(b[i], k);
        }
    }
}

expm_status expm_zoh(const char *method, int n, int m, double dt,
                     const double *A, int lda, const double *B, int ldb,
                     double *Abar, int ldab, double *Bbar, int ldbb, expm_info_t *info)
{
    expm_info_clear(info);
    if (!expm_method_find(method)) {
        expm_info_msg(info, "unknown method '%s' (see `expmkit methods`)", method);
        return EXPM_ENOMETHOD;
    }
    expm_status st = expm_zoh_check(n, m, dt, A, lda, B, ldb, 1, info);
    if (st == EXPM_OK)
        st = check_rect(n, n, Abar, ldab, "Abar", 0, info);
    if (st == EXPM_OK)
        st = check_rect(n, m, Bbar, ldbb, "Bbar", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    if (m > n)
        return zoh_phi1(method, n, m, dt, A, lda, B, ldb, Abar, ldab, Bbar, ldbb, info);
    int p = n + m;
    double *M = expm_dalloc(p, 2);
    int *kb = malloc((size_t)(m > 0 ? m : 1) * sizeof(int));
    if (!M || !kb) {
        free(M);
        free(kb);
        expm_info_msg(info, "cannot allocate the %dx%d augmented matrix", p, p);
        return EXPM_ENOMEM;
    }
    double *X = M + (size_t)p * p;
    expm_zoh_augment(n, m, dt, A, lda, B, ldb, M, kb);
    if (!expm_dall_finite(p, p, M, p)) {   /* a column's entries span more than double's range */
        expm_info_msg(info, "dt * B overflows double and cannot be scaled into range with "
                      "its smallest entries: the augmented matrix cannot be formed");
        free(M);
        free(kb);
        return EXPM_EOVERFLOW;
    }
    st = expm_exp(method, p, M, p, X, p, info);
    int up = 0;
    for (int j = 0; j < m; j++)
        up |= kb[j] > 0;
    if (st == EXPM_EOVERFLOW && up) {
        /* Scaling a column of B up to ||dt A|| can itself make exp(M)
         * overflow (A = [[0, 1e200], [0, 0]], B = [0; 1e-200]: Bbar =
         * [0.5; 1e-200], but the scaled column gave ||exp(M)|| ~ 1e400; an
         * outside audit): again without scaling up (exact undo). */
        for (int j = 0; j < m; j++)
            if (kb[j] > 0) {
                for (int i = 0; i < n; i++)
                    M[i + (size_t)(n + j) * p] = ldexp(M[i + (size_t)(n + j) * p], -kb[j]);
                kb[j] = 0;
            }
        st = expm_exp(method, p, M, p, X, p, info);
    }
    if (st == EXPM_EOVERFLOW && info)
        snprintf(info->message, sizeof info->message,
                 "[Abar Bbar] overflows double: exp([[dt A, dt B], [0, 0]]) has 1-norm ~ 1e%.0f",
                 info->log10_norm);
    if (st == EXPM_OK) {
        /* Undo the balancing 2^k_j of the B block (exact unless it overflows). */
        for (int j = n; j < p && st == EXPM_OK; j++)
            for (int i = 0; i < n; i++) {
                int k = kb[j - n];
                double v = ldexp(X[i + (size_t)j * p], -k);
                if (!isfinite(v)) {
                    expm_info_msg(info, "Bbar(%d,%d) overflows double", i + 1, j - n + 1);
                    if (info)
                        info->log10_norm = log10(fabs(X[i + (size_t)j * p])) - k * log10(2.0);
                    st = EXPM_EOVERFLOW;
                    break;
                }
                X[i + (size_t)j * p] = v;
            }
    }
    if (st == EXPM_OK) {
        expm_dcopy(n, n, X, p, Abar, ldab);
        if (m > 0)
            expm_dcopy(n, m, X + (size_t)n * p, p, Bbar, ldbb);
        if (m > 0)
            abar_alone(method, n, p, dt, A, lda, X, Abar, ldab, info);
    }
    free(M);
    free(kb);
    return st;
}

expm_status expm_zoh_inverse(const char *method, int n, int m, double dt,
                             const double *A, int lda, const double *B, int ldb,
                             double *Abar, int ldab, double *Bbar, int ldbb,
                             expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_zoh_check(n, m, dt, A, lda, B, ldb, 1, info);
    if (st == EXPM_OK)
        st = check_rect(n, n, Abar, ldab, "Abar", 0, info);
    if (st == EXPM_OK)
        st = check_rect(n, m, Bbar, ldbb, "Bbar", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    size_t nn = (size_t)n * n, nm = (size_t)n * (m > 0 ? m : 1);
    double *W = malloc((3 * nn + 2 * nm) * sizeof(double));
    int *ipiv = malloc((size_t)n * sizeof(int));
    if (!W || !ipiv) {
        free(W);
        free(ipiv);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    double *DA = W, *E = W + nn, *LU = W + 2 * nn, *T = W + 3 * nn, *R = T + nm;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            DA[i + (size_t)j * n] = dt * A[i + (size_t)j * lda];
    st = expm_exp(method, n, DA, n, E, n, info);
    if (st == EXPM_OK && m > 0) {
        /* T = (exp(dt A) - I) dt B, then solve (dt A) X = T. */
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++)
                T[i + (size_t)j * n] = dt * B[i + (size_t)j * ldb];
        memcpy(LU, E, nn * sizeof(double));   /* LU <- Abar - I */
        for (int i = 0; i < n; i++)
            LU[i + (size_t)i * n] -= 1.0;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, m, n, 1.0, LU, n, T, n, 0.0,
                    R, n);
        memcpy(LU, DA, nn * sizeof(double));
        double rcond = 0.0;
        st = expm_dlu_solve(n, LU, n, ipiv, m, R, n, &rcond);
        if (info)
            info->cond = rcond > 0.0 ? 1.0 / rcond : INFINITY;
        if (st == EXPM_ESINGULAR)
            expm_info_msg(info, "dt*A is exactly singular: the inverse formula is undefined");
        else if (st == EXPM_OK && !expm_dall_finite(n, m, R, n)) {
            expm_info_msg(info, "the inverse formula produced a non-finite Bbar");
            st = EXPM_ENONFINITE;
        }
        if (st == EXPM_OK)
            memcpy(T, R, nm * sizeof(double));
    }
    if (st == EXPM_OK) {
        expm_dcopy(n, n, E, n, Abar, ldab);
        if (m > 0)
            expm_dcopy(n, m, T, n, Bbar, ldbb);
    }
    free(W);
    free(ipiv);
    return st;
}

expm_status expm_zoh_first_order(int n, int m, double dt, const double *A, int lda,
                                 const double *B, int ldb, double *Abar, int ldab,
                                 double *Bbar, int ldbb)
{
    expm_status st = expm_zoh_check(n, m, dt, A, lda, B, ldb, 0, NULL);
    if (st == EXPM_OK)
        st = check_rect(n, n, Abar, ldab, "Abar", 0, NULL);
    if (st == EXPM_OK)
        st = check_rect(n, m, Bbar, ldbb, "Bbar", 0, NULL);
    if (st != EXPM_OK)
        return st;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            Abar[i + (size_t)j * ldab] = (i == j) + dt * A[i + (size_t)j * lda];
    for (int j = 0; j < m; j++)
        for (int i = 0; i < n; i++)
            Bbar[i + (size_t)j * ldbb] = dt * B[i + (size_t)j * ldb];
    return EXPM_OK;
}

expm_status expm_zoh_first_order_vjp(int n, int m, double dt, const double *A, int lda,
                                     const double *B, int ldb, const double *G_Abar,
                                     int ldgab, const double *G_Bbar, int ldgbb,
                                     double *GA, int ldga, double *GB, int ldgb,
                                     double *Gdt)
{
    expm_status st = expm_zoh_check(n, m, dt, A, lda, B, ldb, 0, NULL);
    if (st == EXPM_OK)
        st = check_rect(n, n, G_Abar, ldgab, "G_Abar", 1, NULL);
    if (st == EXPM_OK)
        st = check_rect(n, m, G_Bbar, ldgbb, "G_Bbar", 1, NULL);
    if (st == EXPM_OK && GA)
        st = check_rect(n, n, GA, ldga, "GA", 0, NULL);
    if (st == EXPM_OK && GB)
        st = check_rect(n, m, GB, ldgb, "GB", 0, NULL);
    if (st != EXPM_OK)
        return st;
    long double s = 0.0L;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double g = G_Abar[i + (size_t)j * ldgab];
            s += (long double)g * A[i + (size_t)j * lda];
            if (GA)
                GA[i + (size_t)j * ldga] = dt * g;
        }
    for (int j = 0; j < m; j++)
        for (int i = 0; i < n; i++) {
            double g = G_Bbar[i + (size_t)j * ldgbb];
            s += (long double)g * B[i + (size_t)j * ldb];
            if (GB)
                GB[i + (size_t)j * ldgb] = dt * g;
        }
    if (Gdt)
        *Gdt = (double)s;
    return EXPM_OK;
}

expm_status expm_zoh_bilinear(int n, int m, double dt, const double *A, int lda,
                              const double *B, int ldb, double *Abar, int ldab,
                              double *Bbar, int ldbb, expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_zoh_check(n, m, dt, A, lda, B, ldb, 1, info);
    if (st == EXPM_OK)
        st = check_rect(n, n, Abar, ldab, "Abar", 0, info);
    if (st == EXPM_OK)
        st = check_rect(n, m, Bbar, ldbb, "Bbar", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    int p = n + m;
    double *P = malloc(((size_t)n * n + (size_t)n * p) * sizeof(double));
    int *ipiv = malloc((size_t)n * sizeof(int));
    if (!P || !ipiv) {
        free(P);
        free(ipiv);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    double *R = P + (size_t)n * n;       /* [I + dt A/2, dt B], n-by-(n+m) */
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double h = 0.5 * dt * A[i + (size_t)j * lda];
            P[i + (size_t)j * n] = (i == j) - h;
            R[i + (size_t)j * n] = (i == j) + h;
        }
    for (int j = 0; j < m; j++)
        for (int i = 0; i < n; i++)
            R[i + (size_t)(n + j) * n] = dt * B[i + (size_t)j * ldb];
    double rcond = 0.0;
    st = expm_dlu_solve(n, P, n, ipiv, p, R, n, &rcond);
    if (info)
        info->cond = rcond > 0.0 ? 1.0 / rcond : INFINITY;
    if (st == EXPM_OK && !expm_dall_finite(n, p, R, n)) {
        expm_info_msg(info, "the bilinear transform produced a non-finite result");
        st = EXPM_ENONFINITE;
    }
    if (st == EXPM_OK) {
        expm_dcopy(n, n, R, n, Abar, ldab);
        if (m > 0)
            expm_dcopy(n, m, R + (size_t)n * n, n, Bbar, ldbb);
    }
    free(P);
    free(ipiv);
    return st;
}
