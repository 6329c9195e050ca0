/*
 * test_balance.c -- src/balance.c: Parlett-Reinsch balancing exponents and
 * the exact power-of-two row scaling used by the Pade solve (pade.c).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "testutil.h"

/* A = D G D^-1 with D = diag(2^k_i): balancing must undo D up to a common
 * shift, within the factor-of-4 steps of radix-2 balancing (|error| <= 2 in
 * each exponent difference) -- G itself (randn) is already balanced to
 * that accuracy. Measured first, asserted after: the failure mode is
 * exponents that do not see the grading at all. */
Test(balance, recovers_the_grading_of_d_g_dinv)
{
    for (int n = 3; n <= 24; n += 7) {
        double G[576], A[576], B[576], work[48];
        int e[24], k[24];
        tu_randn(n, 900 + (uint64_t)n, 1.0, G);
        for (int i = 0; i < n; i++)
            k[i] = (i * 37) % 41 - 20; /* exponents in [-20, 20], not monotone */
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                A[i + j * n] = ldexp(G[i + j * n], k[i] - k[j]);
        cr_assert_eq(expm_dbalance_exps(n, A, n, B, e, work), 1);
        /* balanced = diag(2^-e) A diag(2^e): e_i ~ k_i + c */
        int c = e[0] - k[0], worst = 0;
        for (int i = 0; i < n; i++) {
            int d = abs((e[i] - k[i]) - c);
            worst = d > worst ? d : worst;
        }
        cr_expect(worst <= 4, "n=%d: exponent error %d (grading 2^40)", n, worst);
    }
}

Test(balance, balanced_input_is_left_alone)
{
    double A[9] = {1, 2, 3, 2, 1, 2, 3, 2, 1}, B[9], work[6];
    int e[3];
    cr_expect_eq(expm_dbalance_exps(3, A, 3, B, e, work), 0);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(e[i], 0);
}

/* The row scaling multiplies by exact powers of two, rows of M and B alike,
 * and is refused (all exponents reset to 0, nothing touched) when an entry
 * would overflow. */
Test(balance, rowscale_exact_and_refused_on_overflow)
{
    int n = 3;
    double M[9], B[6], M0[9], B0[6], work[6];
    for (int k = 0; k < 9; k++)
        M[k] = M0[k] = 1.0 + k / 7.0;
    for (int k = 0; k < 6; k++)
        B[k] = B0[k] = 3.0 - k / 3.0;
    int e[3] = {0, 10, -10};
    cr_assert_eq(expm_drowscale_pow2(n, e, M, n, 2, B, n, work), 1);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++)
            cr_expect_eq(M[i + j * n], ldexp(M0[i + j * n], e[i]));
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 3; i++)
            cr_expect_eq(B[i + j * n], ldexp(B0[i + j * n], e[i]));
    cr_expect_eq(e[0] - e[1], 10); /* row i scaled by 2^(mid - e_i) */
    M[0] = 1e300;
    memcpy(M0, M, sizeof M);
    int f[3] = {-400, 400, 0};
    cr_expect_eq(expm_drowscale_pow2(n, f, M, n, 2, B, n, work), 0);
    cr_expect(memcmp(M, M0, sizeof M) == 0);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(f[i], 0);
}

/* Parlett-Reinsch sweeps written out plainly (one running sum, no transpose,
 * no shortcut): the exponents expm_dbalance_exps must reproduce, including
 * the early return when the first sweep would change nothing. */
static void ref_balance(int n, const double *A, int *e)
{
    double v[64], w[64];
    for (int i = 0; i < n; i++)
        e[i] = 0, v[i] = w[i] = 1.0;
    for (int sweep = 0, noconv = 1; noconv && sweep < EXPM_BAL_MAX_SWEEPS; sweep++) {
        noconv = 0;
        for (int i = 0; i < n; i++) {
            double ci = 0.0, ri = 0.0;
            for (int j = 0; j < n; j++)
                if (j != i) {
                    ci += fabs(A[j + i * n]) * w[j];
                    ri += fabs(A[i + j * n]) * v[j];
                }
            ci *= v[i], ri *= w[i];
            if (!(ci > 0.0 && ri > 0.0) || !isfinite(ci + ri))
                continue;
            double cc = ci;
            int k = 0;
            while (cc < 0.5 * ri && e[i] + k < EXPM_BAL_MAX_EXP)
                cc *= 4.0, k++;
            while (cc >= 2.0 * ri && e[i] + k > -EXPM_BAL_MAX_EXP)
                cc *= 0.25, k--;
            if (k == 0 || ci * ldexp(1.0, k) + ri * ldexp(1.0, -k) >= EXPM_BAL_GAMMA * (ci + ri))
                continue;
            e[i] += k;
            v[i] = ldexp(1.0, e[i]), w[i] = ldexp(1.0, -e[i]);
            noconv = 1;
        }
    }
}

/* 400 matrices, n = 2..40: randn (mostly left alone: the one-pass shortcut),
 * randn with one row and column scaled by 2^k (k = -12..12, near and across
 * the c/r = 1/2 and 2 boundaries), and D G D^-1 graded ones. */
Test(balance, exponents_match_plain_sweeps)
{
    int shortcut = 0, count = 0;
    for (int t = 0; t < 400; t++) {
        int n = 2 + t % 39, e[64], er[64];
        double A[64 * 64], B[64 * 64], work[128];
        tu_randn(n, 9000 + (uint64_t)t, 1.0, A);
        int kind = t % 3;
        if (kind == 1) {
            int r = t % n, k = (t / 3) % 25 - 12;
            for (int j = 0; j < n; j++) {
                A[r + j * n] *= ldexp(1.0, k);
                A[j + r * n] *= ldexp(1.0, -k);
            }
        } else if (kind == 2) {
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                    A[i + j * n] *= ldexp(1.0, (t % 20) * (i - j) / n);
        }
        int ch = expm_dbalance_exps(n, A, n, B, e, work);
        ref_balance(n, A, er);
        int any = 0;
        for (int i = 0; i < n; i++) {
            cr_assert_eq(e[i], er[i], "matrix %d (n=%d, kind %d): e[%d] = %d, plain sweeps %d", t,
                         n, kind, i, e[i], er[i]);
            any |= er[i] != 0;
        }
        cr_assert_eq(ch, any, "matrix %d: changed = %d", t, ch);
        shortcut += !any;
        count++;
    }
    printf("balance: %d matrices, exponents equal to the plain sweeps; %d left alone\n", count,
           shortcut);
}
