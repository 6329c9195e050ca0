/*
 * test_grading.c -- src/grading.c: the strong-grading test, the exact
 * dgebal similarity it returns, and the power-of-two similarity helper.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>

#include "dense.h"
#include "testutil.h"

/* A = D G D^-1, D = diag(2^k_i) over 2^120: undone (B balanced, ||B||_1
 * at least 2^20 below ||A||_1) and exactly: D' B D'^-1 gives A back bit
 * for bit with the exponents returned. */
Test(grading, undoes_a_strong_grading_exactly)
{
    int n = 7;
    double G[49], A[49], B[49], C[49], scale[7];
    int ex[7];
    tu_randn(n, 31, 3.0, G);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            A[i + j * n] = ldexp(G[i + j * n], 20 * (i - j));
    cr_assert(expm_grading_possible(n, A, n, -1.0, 4.0, 20));
    cr_assert_eq(expm_grading_undo(n, A, n, 4.0, 20, B, n, ex, scale), 1);
    cr_expect(expm_dlog2norm1(n, n, A, n) - expm_dlog2norm1(n, n, B, n) >= 20.0);
    cr_expect(expm_dnorm1(n, n, B, n) < 1e3, "||B||_1 = %g", expm_dnorm1(n, n, B, n));
    cr_assert_eq(expm_dsimilarity_pow2(n, ex, 1, B, n, C, n), 0);
    for (int k = 0; k < n * n; k++)
        cr_expect_eq(C[k], A[k], "entry %d: %.17g != %.17g", k, C[k], A[k]);
}

/* No grading to undo: a dense randn matrix (decided by its first diagonal
 * entry), a matrix under the norm floor, a mild grading (2^10), and a
 * matrix whose diagonal dominates (LAPACK >= 3.5 dgebal leaves it). */
Test(grading, ordinary_matrices_are_left_alone)
{
    int n = 6;
    double G[36], A[36], B[36], scale[6];
    int ex[6];
    tu_randn(n, 5, 30.0, G);
    cr_expect_eq(expm_grading_possible(n, G, n, -1.0, 4.0, 20), 0);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            A[i + j * n] = ldexp(G[i + j * n], 2 * (i - j));
    cr_expect_eq(expm_grading_undo(n, A, n, 4.0, 20, B, n, ex, scale), 0, "2^10 grading");
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            A[i + j * n] = ldexp(G[i + j * n], 20 * (i - j) - 150);
    cr_expect_eq(expm_grading_possible(n, A, n, -1.0, 4.0, 20), 0,
                 "||A||_1 below the floor 4");
    cr_expect_eq(expm_grading_possible(n, A, n, -1.0, -INFINITY, 20), 1);
    double Dm[9] = {1e30, 0, 0, 1e20, 1e30, 0, 0, 1e20, 1e30};   /* [[1e30,1e20,0],...] */
    cr_expect_eq(expm_grading_undo(3, Dm, 3, 4.0, 20, B, 3, ex, scale), 0, "diagonal dominates");
}

/* The pairs |a_ij a_ji| bound ||B||_1 from below: a 2-cycle of 1e30 and
 * 1e-30 entries has sqrt(|a_12 a_21|) = 1 and is not ruled out, nor is
 * one of 1e30 and 1e10 (sqrt 1e20 < 2^-20 ||A||_1 = 9.5e23), but one of
 * 1e30 and 1e20 (sqrt 1e25) is. NaN
 * and Inf are never a grading (the callers report them). */
Test(grading, pair_products_and_nonfinite)
{
    double A[9] = {0, 1e-30, 0, 1e30, 0, 0, 0, 0, 0};
    cr_expect_eq(expm_grading_possible(3, A, 3, -1.0, 4.0, 20), 1);
    A[1] = 1e10;
    cr_expect_eq(expm_grading_possible(3, A, 3, -1.0, 4.0, 20), 1);
    A[1] = 1e20;
    cr_expect_eq(expm_grading_possible(3, A, 3, -1.0, 4.0, 20), 0);
    A[1] = 1e-30;
    A[8] = NAN;
    cr_expect_eq(expm_grading_possible(3, A, 3, -1.0, 4.0, 20), 0);
    A[8] = INFINITY;
    cr_expect_eq(expm_grading_possible(3, A, 3, -1.0, 4.0, 20), 0);
}

/* Inexact similarities are reported: bit 1 for an overflow, bit 2 for an
 * entry below DBL_MIN; zeros are exact whatever the exponents. */
Test(grading, similarity_reports_inexact_entries)
{
    double S[4] = {1.0, 0.0, 1.0, 1.0}, T[4];
    int ex[2] = {0, 1100};
    cr_expect_eq(expm_dsimilarity_pow2(2, ex, 1, S, 2, T, 2), 2);   /* S_12 2^-1100 */
    cr_expect_eq(expm_dsimilarity_pow2(2, ex, -1, S, 2, T, 2), 1);  /* S_12 2^1100 */
    int ex2[2] = {0, 10};
    cr_expect_eq(expm_dsimilarity_pow2(2, ex2, 1, S, 2, T, 2), 0);
    cr_expect_eq(T[2], ldexp(1.0, -10));
    cr_expect_eq(T[1], 0.0);
}
