/*
 * taylor_sum.c -- the textbook Taylor series exp(A) = sum_k A^k/k!, the
 * method a user writes by hand (Moler & Van Loan, SIAM Rev. 45(1):3-49,
 * 2003, Method 1), plain ("taylor-sum") and on 2^-s A followed by s
 * squarings ("taylor-sum-ss", their Method 3 with a Taylor approximant).
 *
 * Summation: T_0 = S_0 = I; T_k = T_{k-1} A / k, S_k = S_{k-1} + T_k.
 * Stopping rule: stop after the first k > ||A||_1 such that adding T_{k-1}
 * and T_k both left every entry of S unchanged in floating point
 * (fl(S_ij + T_ij) == S_ij for all i, j, two terms in a row), or at once
 * when T_k == 0 exactly (nilpotent A: the rest of the series vanishes).
 * k > ||A||_1 makes the terms decrease from there on (||T_{k+1}|| <=
 * ||A||/(k+1) ||T_k||), so a stalled sum is not merely a pause before the
 * hump; two terms in a row guard against entries a single power leaves
 * zero by structure (e.g. odd powers of [[0,1],[1,0]]).
 *
 * Bounded work: at most K = 5 ceil(||A||_1) + 300 terms. For k >= K the
 * terms satisfy ||T_k|| <= (e ||A||/k)^k <= (e/5)^300 ~ 1e-80, so the rule
 * can only still be running if some entry of S is below ~1e-64 relative to
 * the terms: the sum is then lost to cancellation and EXPM_ENOCONV is
 * returned. A term that overflows stops the sum at once (EXPM_ENONFINITE:
 * the terms ~ ||A||^k/k! exceed DBL_MAX although exp(A) may be small; for
 * ||A||_1 ~ 1e4 this happens within ~100 terms).
 *
 * Where it fails (plain): cancellation. For A with large negative spectrum
 * (A = -30 I, negative definite) the partial sums grow like e^{||A||}
 * while exp(A) ~ e^{-||A||}; each addition errs by u ||S_k||, so the
 * relative error is ~ u max_k ||S_k|| / ||exp(A)|| (measured 3e8 for -30 I).
 * This is detected cheaply by the running error bound of the summation
 * (Higham, ASNA 2002, §4.2): the additions err by at most u sum_k |S_k|, so
 * rho = sum_k ||S_k||_1 / ||S||_1 bounds their relative effect by u rho
 * (it ignores the rounding of the products, so it is an estimate, not a
 * bound, of the total). When u rho > sqrt(u) (half the digits may be gone)
 * the result is returned with EXPM_WARN_NOT_CONVERGED and a message giving
 * u rho; info->cond = rho. -ss avoids it
 * (||2^-s A||_1 <= 1/2 keeps every term below the sum) at the price of the
 * squarings, which over-scale non-normal A because s comes from ||A||_1.
 */
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "methods.h"

#define U_DOUBLE 0x1p-53
#define SQRT_U 1.0536712127723509e-08 /* 2^-26.5 */

/* S = sum_k T^k/k! for n-by-n T (ld n). Tk, W: workspace. On success
 * *amp = sum_k ||S_k||_1 / ||S||_1 (running error bound / u of the
 * additions) and *terms = the last k. */
static expm_status series(int n, const double *T, double *S, double *Tk, double *W,
                          long *products, int *terms, double *amp, expm_info_t *info)
{
    size_t nn = (size_t)n * n;
    double normA = expm_dnorm1(n, n, T, n);
    double capd = 5.0 * ceil(normA) + 300.0;
    long cap = capd > 1e9 ? 1000000000L : (long)capd;
    expm_dset_identity(n, 1.0, S, n);
    expm_dset_identity(n, 1.0, Tk, n);
    /* sum_k ||S_k||_1 2^-600: unscaled it overflowed for A = 705 (partial
     * sums ~e^705 over ~800 terms), and the warning said "relative error
     * ~inf" on a result correct to 1.7e-15 (an outside audit). Every term is
     * >= ||S_0||_1 2^-600 = 2^-600, so nothing underflows either. */
    double sumS = 0x1p-600;
    int stalled = 0;
    long k;
    for (k = 1; k <= cap; k++) {
        expm_dgemm(n, 'N', 'N', 1.0, Tk, n, T, n, 0.0, W, n), (*products)++;
        int zero = 1, changed = 0;
        for (size_t i = 0; i < nn; i++) {
            double t = W[i] / (double)k;
            W[i] = t;
            if (t != 0.0)
                zero = 0;
            double s = S[i] + t;
            if (s != S[i])
                changed = 1;
            S[i] = s;
        }
        if (!expm_dall_finite(n, n, W, n) || !expm_dall_finite(n, n, S, n)) {
            expm_info_msg(info, "Taylor term %ld overflows (||A||_1 = %.3g): the unscaled "
                          "series cannot be summed in double", k, normA);
            return EXPM_ENONFINITE;
        }
        double nS = expm_dnorm1(n, n, S, n);
        sumS += ldexp(nS, -600);
        double *t = Tk;
        Tk = W;
        W = t;
        if (zero)
            break;
        stalled = changed ? 0 : stalled + 1;
        if (stalled >= 2 && (double)k > normA)
            break;
    }
    if (k > cap) {
        expm_info_msg(info, "Taylor series did not stop changing within %ld terms "
                      "(||A||_1 = %.3g): entries lost to cancellation", cap, normA);
        return EXPM_ENOCONV;
    }
    /* The last result must be in S (Tk/W swapping never touches S). */
    double nS = expm_dnorm1(n, n, S, n);
    /* in logs: sumS / nS can leave the range while the ratio 2^600 sumS / nS
     * does not (A = 705: 2^-1240 and ~800); inf only beyond 1e308 */
    *amp = nS > 0.0 ? exp2(log2(sumS) + 600.0 - log2(nS)) : INFINITY;
    *terms = (int)k;
    return EXPM_OK;
}

static void cancellation_warning(double amp, expm_info_t *info)
{
    if (info && amp * U_DOUBLE > SQRT_U) {
        info->warnings |= EXPM_WARN_NOT_CONVERGED;
        if (isfinite(amp))
            expm_info_msg(info, "cancellation in the Taylor sum: sum_k ||S_k||_1 = %.3g x "
                          "||result||_1, relative error ~%.1g or worse", amp, amp * U_DOUBLE);
        else
            expm_info_msg(info, "cancellation in the Taylor sum: sum_k ||S_k||_1 exceeds "
                          "||result||_1 by more than 1e308: no correct digits");
    }
}

static expm_status check_args(int n, const double *A, int lda, double *X, int ldx,
                              expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    return st;
}

expm_status expm_taylor_sum_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info)
{
    expm_status st = check_args(n, A, lda, X, ldx, info);
    if (st != EXPM_OK || n == 0)
        return st;
    double *ws = expm_dalloc(n, 4);
    if (!ws) {
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *T = ws, *S = ws + nn, *Tk = ws + 2 * nn, *W = ws + 3 * nn;
    expm_dcopy(n, n, A, lda, T, n);
    long products = 0;
    int terms = 0;
    double amp = 1.0;
    st = series(n, T, S, Tk, W, &products, &terms, &amp, info);
    if (st == EXPM_OK) {
        cancellation_warning(amp, info);
        expm_dcopy(n, n, S, n, X, ldx);
    }
    if (info) {
        info->m = terms;
        info->s = 0;
        info->products = products;
        info->solves = 0;
        info->cond = st == EXPM_OK ? amp : 0.0;
    }
    free(ws);
    return st;
}

expm_status expm_taylor_sum_ss_exp(int n, const double *A, int lda, double *X, int ldx,
                                   expm_info_t *info)
{
    expm_status st = check_args(n, A, lda, X, ldx, info);
    if (st != EXPM_OK || n == 0)
        return st;
    double *ws = expm_dalloc(n, 4);
    if (!ws) {
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *T = ws, *S = ws + nn, *Tk = ws + 2 * nn, *W = ws + 3 * nn;
    expm_dcopy(n, n, A, lda, T, n);
    /* Smallest s with ||2^-s A||_1 <= 1/2 (exact power-of-two scaling). */
    double normA = expm_dnorm1(n, n, T, n);
    int s = 0, sinf = 0;
    if (!isfinite(normA)) { /* finite entries, ||A||_1 = Inf: 2^-64 first */
        sinf = 64;
        expm_dscal(n, n, ldexp(1.0, -sinf), T, n);
        normA = expm_dnorm1(n, n, T, n);
    }
    if (normA > 0.5) {
        int e;
        double f = frexp(normA, &e); /* normA = f 2^e, f in [1/2, 1) */
        s = (f == 0.5) ? e : e + 1; /* f 2^(e-s) <= 1/2 */
        expm_dscal(n, n, ldexp(1.0, -s), T, n);
    }
    s += sinf;
    long products = 0;
    int terms = 0;
    double amp = 1.0;
    st = series(n, T, S, Tk, W, &products, &terms, &amp, info);
    if (st == EXPM_OK) {
        long e = 0;
        for (int i = 0; i < s; i++) {
            /* Beyond 2^(+-2^40) the result is far outside double: stop
             * before doubling e overflows the long (taylor.c). */
            if (labs(e) > (1L << 40))
                break;
            expm_square_step(n, S, n, &e, W), products++;
        }
        st = expm_unscale_result(n, n, S, n, e, X, ldx, "exp(A)", info);
        st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
    }
    if (info) {
        info->m = terms;
        info->s = s;
        info->products = products;
        info->solves = 0;
    }
    free(ws);
    return st;
}
