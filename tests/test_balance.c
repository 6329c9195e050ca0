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
