/* test_block.c -- methods/block.c against the reference and pade's Alg. 6.4. */
#include <criterion/criterion.h>

#include "testutil.h"

Test(block, matches_reference_and_pade)
{
    for (int k = 0; k < 6; k++) {
        int n = 2 + k;
        double A[64], E[64], L[64], LP[64], R[64], X[64], RX[64];
        tu_randn(n, 300 + (uint64_t)k, 0.1 * pow(4, k), A);
        tu_randn(n, 400 + (uint64_t)k, pow(10, 3 - 2 * k), E); /* ||E|| from 1e3 to 1e-7 */
        expm_info_t info;
        cr_assert_eq(expm_frechet("block", n, A, n, E, n, L, n, X, n, &info), EXPM_OK);
        cr_assert_eq(expm_frechet("pade", n, A, n, E, n, LP, n, NULL, 0, NULL), EXPM_OK);
        cr_assert_eq(expm_ref_frechet(n, A, n, E, n, R, n, RX, n, 0, NULL), EXPM_OK);
        cr_expect(tu_relerr(n, L, R) < 1e-13, "n=%d: block vs ref %.3g", n, tu_relerr(n, L, R));
        cr_expect(tu_relerr(n, L, LP) < 1e-13, "n=%d: block vs pade %.3g", n, tu_relerr(n, L, LP));
        cr_expect(tu_relerr(n, X, RX) < 1e-13, "n=%d: exp block vs ref", n);
        cr_expect_eq(info.products % 8, 0);
    }
}

Test(block, zero_direction_gives_zero)
{
    double A[4] = {1, 2, 3, 4}, E[4] = {0}, L[4] = {9, 9, 9, 9};
    cr_assert_eq(expm_frechet("block", 2, A, 2, E, 2, L, 2, NULL, 0, NULL), EXPM_OK);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(L[i], 0.0);
}

/* The power-of-two scaling of E (||2^k E|| ~ ||A|| within [2^-500, 1]):
 * with ||A|| subnormal, E scaled to ||A|| lost every bit (L = 0 for
 * A = 5e-324 I, E = ones; L is ones to rounding), and with ||A|| = 709 the
 * scaled L overflowed although L = e^709 = 8.2e307 fits. */
Test(block, e_scaling_neither_underflows_nor_overflows)
{
    double A[4] = {5e-324, 0, 0, 5e-324}, E[4] = {1, 1, 1, 1}, L[4], R[4];
    cr_assert_eq(expm_frechet("block", 2, A, 2, E, 2, L, 2, NULL, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, R, 2, NULL, 0, 0, NULL), EXPM_OK);
    cr_expect(tu_relerr(2, L, R) < 1e-15, "subnormal A: %.3g", tu_relerr(2, L, R));
    double a = 709.0, e = 1.0, l = 0.0, r = 0.0;
    expm_info_t info;
    cr_assert_eq(expm_frechet("block", 1, &a, 1, &e, 1, &l, 1, NULL, 0, &info), EXPM_OK, "%s",
                 info.message);
    cr_assert_eq(expm_ref_frechet(1, &a, 1, &e, 1, &r, 1, NULL, 0, 0, NULL), EXPM_OK);
    cr_expect(fabs(l - r) <= 1e-15 * r, "A = 709: %.17g vs %.17g", l, r);
}
