/*
 * test_taylor_sum.c -- methods/taylor_sum.c: the textbook series, plain
 * ("taylor-sum") and with scaling and squaring ("taylor-sum-ss").
 *
 * Closed forms, the documented failure (cancellation for large negative
 * norm: large error AND the warning), bounded work for huge norms (a clear
 * error, fast, never NaN as success), and accuracy of -ss against the
 * reference (phi bound as in test_pade.c).
 */
#include <criterion/criterion.h>
#include <float.h>
#include <stdio.h>
#include <time.h>

#include "testutil.h"

#define PHI_MAX 100.0

/* Small-norm scalars and diagonals: the series converges in ~20 terms with
 * rounding ~ a few u per term relative to the (non-cancelling) sum. */
Test(taylor_sum, closed_forms)
{
    double s[] = {0, 1e-10, 0.5, 1, -1, 3};
    for (int k = 0; k < 6; k++) {
        double x, y, r = exp(s[k]);
        cr_assert_eq(expm_exp("taylor-sum", 1, &s[k], 1, &x, 1, NULL), EXPM_OK);
        cr_assert_eq(expm_exp("taylor-sum-ss", 1, &s[k], 1, &y, 1, NULL), EXPM_OK);
        /* kappa = |a|: 100 u max(|a|,1) relative. */
        cr_expect(fabs(x - r) <= PHI_MAX * TU_U * fmax(fabs(s[k]), 1) * r, "plain exp(%g) %.17g",
                  s[k], x);
        cr_expect(fabs(y - r) <= PHI_MAX * TU_U * fmax(fabs(s[k]), 1) * r, "ss exp(%g) %.17g",
                  s[k], y);
    }
    /* Nilpotent D1: T_4 = 0 stops the sum; exact integer result. */
    double N[16] = {0}, X[16];
    N[4] = N[9] = N[14] = 6;
    expm_info_t info;
    cr_assert_eq(expm_exp("taylor-sum", 4, N, 4, X, 4, &info), EXPM_OK);
    double want[16] = {1, 0, 0, 0, 6, 1, 0, 0, 18, 6, 1, 0, 36, 18, 6, 1};
    for (int i = 0; i < 16; i++)
        cr_expect_eq(X[i], want[i], "entry %d", i);
    cr_expect_eq(info.m, 4, "stopped at term %d, want 4 (A^4 = 0)", info.m);
    /* Zero matrix: identity, one term. */
    double Z[4] = {0}, Y[4];
    cr_assert_eq(expm_exp("taylor-sum", 2, Z, 2, Y, 2, NULL), EXPM_OK);
    cr_expect(Y[0] == 1 && Y[3] == 1 && Y[1] == 0 && Y[2] == 0);
}

/* Stopping rule: for ||A||_1 = a the sum runs past k = a, and stops within
 * a few terms after the terms drop below u |S| (here at most a + 40). */
Test(taylor_sum, stopping_rule)
{
    double a = 10, x;
    expm_info_t info;
    cr_assert_eq(expm_exp("taylor-sum", 1, &a, 1, &x, 1, &info), EXPM_OK);
    cr_expect(info.m > 10 && info.m < 60, "terms %d", info.m);
    cr_expect(fabs(x - exp(a)) <= 10 * TU_U * exp(a), "%.17g vs %.17g", x, exp(a));
    cr_expect_eq(info.warnings, 0u);
}

/* The documented failure: A = -30 I (and a negative definite random
 * matrix). Partial sums reach e^30/sqrt(60 pi) ~ 1e12 while exp(A) ~ 1e-13:
 * relative error ~ u 1e25 >> 1. The method must report it (warning bit and
 * message) and still return a finite result; -ss is accurate there. */
Test(taylor_sum, cancellation_large_negative_norm)
{
    int n = 3;
    double A[9] = {0}, X[9], R[9], Y[9];
    for (int i = 0; i < n; i++)
        A[4 * i] = -30;
    cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
    expm_info_t info;
    cr_assert_eq(expm_exp("taylor-sum", n, A, n, X, n, &info), EXPM_OK, "%s", info.message);
    double err = tu_relerr(n, X, R);
    printf("taylor-sum -30 I: err %.3g, %s\n", err, info.message);
    cr_expect(err > 1e3, "error %.3g not large: the failure mode is not demonstrated", err);
    cr_expect(info.warnings & EXPM_WARN_NOT_CONVERGED);
    cr_expect(strstr(info.message, "cancellation") != NULL, "%s", info.message);
    for (int i = 0; i < 9; i++)
        cr_expect(isfinite(X[i]));
    cr_assert_eq(expm_exp("taylor-sum-ss", n, A, n, Y, n, &info), EXPM_OK);
    /* kappa(-30 I) = 30. */
    cr_expect(tu_relerr(n, Y, R) <= PHI_MAX * TU_U * 30, "ss err %.3g", tu_relerr(n, Y, R));
    cr_expect_eq(info.warnings, 0u);

    /* Negative definite: B = -(G^T G + I) scaled to ||B||_1 = 40. */
    int m = 5;
    double G[25], B[25], XB[25], RB[25];
    tu_randn(m, 99, 0, G);
    for (int j = 0; j < m; j++)
        for (int i = 0; i < m; i++) {
            double s = i == j;
            for (int l = 0; l < m; l++)
                s += G[l + i * m] * G[l + j * m];
            B[i + j * m] = -s;
        }
    double nb = 0;
    for (int j = 0; j < m; j++) {
        double c = 0;
        for (int i = 0; i < m; i++)
            c += fabs(B[i + j * m]);
        nb = fmax(nb, c);
    }
    for (int i = 0; i < 25; i++)
        B[i] *= 40 / nb;
    cr_assert_eq(expm_ref_exp(m, B, m, RB, m, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_exp("taylor-sum", m, B, m, XB, m, &info), EXPM_OK);
    double eb = tu_relerr(m, XB, RB);
    printf("taylor-sum negative definite ||B||=40: err %.3g, %s\n", eb, info.message);
    cr_expect(eb > 1e-6, "error %.3g", eb);
    cr_expect(info.warnings & EXPM_WARN_NOT_CONVERGED, "no warning for err %.3g", eb);
}

/* A benign matrix gives no warning: positive A (no cancellation). */
Test(taylor_sum, no_false_warning)
{
    double A[9], X[9], R[9];
    for (int i = 0; i < 9; i++)
        A[i] = 0.5 + 0.25 * i;
    expm_info_t info;
    cr_assert_eq(expm_exp("taylor-sum", 3, A, 3, X, 3, &info), EXPM_OK);
    cr_assert_eq(expm_ref_exp(3, A, 3, R, 3, 0, NULL), EXPM_OK);
    cr_expect_eq(info.warnings, 0u, "%s", info.message);
    cr_expect_eq(info.message[0], '\0');
    cr_expect(tu_relerr(3, X, R) < 1e-13, "err %.3g", tu_relerr(3, X, R));
}

/* Near the top of the range (A = 705: partial sums ~e^705, ~800 terms):
 * sum_k ||S_k||_1 overflowed and the warning said "relative error ~inf" on a
 * result correct to 1.7e-15 (an outside audit). amp ~ the number of terms. */
Test(taylor_sum, near_overflow_is_not_cancellation)
{
    double A[1] = {705.0}, X[1], R[1];
    expm_info_t info;
    cr_assert_eq(expm_exp("taylor-sum", 1, A, 1, X, 1, &info), EXPM_OK);
    cr_assert_eq(expm_ref_exp(1, A, 1, R, 1, 0, NULL), EXPM_OK);
    cr_expect_eq(info.warnings & EXPM_WARN_NOT_CONVERGED, 0u, "%s", info.message);
    cr_expect(isfinite(info.cond) && info.cond >= 1.0 && info.cond < 1e4, "amp %g", info.cond);
    cr_expect(fabs(X[0] - R[0]) <= 1e-13 * R[0], "err %.3g", fabs(X[0] - R[0]) / R[0]);
}

/* ||A||_1 ~ 1e4: the terms overflow within ~100 terms: a clear error, fast,
 * outputs untouched. */
Test(taylor_sum, huge_norm_stops_fast)
{
    int n = 6;
    double A[36], X[36];
    tu_randn(n, 7, 1e4, A);
    for (int i = 0; i < 36; i++)
        X[i] = 42;
    expm_info_t info;
    clock_t t0 = clock();
    expm_status st = expm_exp("taylor-sum", n, A, n, X, n, &info);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("taylor-sum ||A||=1e4: status %d after %.3f s: %s\n", st, secs, info.message);
    cr_expect(st == EXPM_ENONFINITE || st == EXPM_EOVERFLOW || st == EXPM_ENOCONV, "status %d", st);
    cr_expect(info.message[0] != 0);
    cr_expect(secs < 1.0, "took %.3f s", secs);
    for (int i = 0; i < 36; i++)
        cr_expect_eq(X[i], 42.0);
    /* -ss scales it down instead: true overflow (or a finite result). */
    st = expm_exp("taylor-sum-ss", n, A, n, X, n, &info);
    cr_expect(st == EXPM_OK || st == EXPM_EOVERFLOW, "ss status %d: %s", st, info.message);
}

/* -ss against the reference on the small classic matrices: phi <= PHI_MAX
 * is NOT expected everywhere (s from ||A||_1 over-scales non-normal A), so
 * this checks the normal / mildly non-normal ones and prints all. */
Test(taylor_sum, ss_vs_reference, .timeout = 120)
{
    double worst = 0;
    const char *wn = "";
    for (int k = 0; k < expm_testmat_count(); k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        int n = t->n;
        if (n > 4)
            continue;
        double A[16], X[16], R[16];
        tu_small_colmajor(t, A);
        if (expm_ref_exp(n, A, n, R, n, 0, NULL) != EXPM_OK)
            continue;
        expm_info_t info;
        expm_status st = expm_exp("taylor-sum-ss", n, A, n, X, n, &info);
        cr_expect_eq(st, EXPM_OK, "%s: %s", t->name, info.message);
        if (st != EXPM_OK)
            continue;
        double kappa = tu_kappa_exp(n, A), err = tu_relerr(n, X, R);
        double phi = err / (TU_U * fmax(kappa, 1.0));
        if (phi > worst)
            worst = phi, wn = t->name;
        cr_expect(phi <= PHI_MAX, "%s: phi %.3g (err %.3g kappa %.3g s %d)", t->name, phi, err,
                  kappa, info.s);
    }
    printf("taylor-sum-ss: worst phi %.3g (%s)\n", worst, wn);
}

/* Every named matrix (all sizes): OK with finite entries or an error with a
 * message, for both; never a non-finite success. */
Test(taylor_sum, runs_on_all_named_matrices, .timeout = 60)
{
    const char *meth[2] = {"taylor-sum", "taylor-sum-ss"};
    for (int k = 0; k < expm_testmat_count(); k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        int n = t->n;
        double *A = malloc(sizeof(double) * 2 * n * n), *X = A + n * n;
        tu_small_colmajor(t, A);
        for (int j = 0; j < 2; j++) {
            expm_info_t info;
            expm_status st = expm_exp(meth[j], n, A, n, X, n, &info);
            int fin = 1;
            for (int i = 0; i < n * n; i++)
                fin &= isfinite(X[i]) != 0;
            cr_expect(st == EXPM_OK ? fin : info.message[0] != 0, "%s %s: %d %s", meth[j],
                      t->name, st, info.message);
        }
        free(A);
    }
}

/* Finite entries whose 1-norm is Inf (+-DBL_MAX): an error or a finite
 * result, never a hang on s = log2(Inf). */
Test(taylor_sum, infinite_norm_finite_entries, .timeout = 10)
{
    double A[4] = {DBL_MAX, DBL_MAX, -DBL_MAX, DBL_MAX}, X[4];
    const char *meth[2] = {"taylor-sum", "taylor-sum-ss"};
    for (int j = 0; j < 2; j++) {
        expm_info_t info;
        expm_status st = expm_exp(meth[j], 2, A, 2, X, 2, &info);
        cr_expect(st == EXPM_EOVERFLOW || st == EXPM_ENONFINITE, "%s: status %d: %s", meth[j],
                  st, info.message);
        cr_expect(info.message[0] != 0);
    }
}
