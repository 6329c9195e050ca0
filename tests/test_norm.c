/* test_norm.c -- src/norm.c: 1, inf, Frobenius norms and log2 || |A|^p ||_1. */
#include <criterion/criterion.h>
#include <float.h>

#include "../src/dense.h"
#include "testutil.h"

Test(norm, one_inf_fro)
{
    double A[6] = {1, -2, 3, -4, 5, -6}; /* 2x3: [[1 3 5],[-2 -4 -6]] */
    cr_expect_eq(expm_dnorm1(2, 3, A, 2), 11.0);
    cr_expect_eq(expm_dnorminf(2, 3, A, 2), 12.0);
    cr_expect(fabs(expm_dnormfro(2, 3, A, 2) - sqrt(91.0)) < 1e-15);
}

Test(norm, fro_does_not_overflow_or_underflow)
{
    double A[2] = {1e300, 1e300}, B[2] = {3e-320, 4e-320};
    cr_expect(fabs(expm_dnormfro(2, 1, A, 2) / (sqrt(2.0) * 1e300) - 1) < 1e-15);
    cr_expect(fabs(expm_dnormfro(2, 1, B, 2) / 5e-320 - 1) < 1e-3); /* subnormal inputs */
    /* ||A||_F = 3e308 > DBL_MAX, u ||A||_F is finite (the verdict's u||A||_F). */
    double D[9];
    for (int k = 0; k < 9; k++)
        D[k] = -1e308;
    cr_expect(isinf(expm_dnormfro(3, 3, D, 3)));
    cr_expect(fabs(expm_dnormfro_times(3, 3, D, 3, 0x1p-53) / (3.0 * (1e308 * 0x1p-53)) - 1) < 1e-15);
    cr_expect_eq(expm_dnormfro_times(2, 1, A, 2, 1.0), expm_dnormfro(2, 1, A, 2));
    double C[1] = {NAN};
    cr_expect(isnan(expm_dnormfro(1, 1, C, 1)));
    cr_expect(isnan(expm_dnorm1(1, 1, C, 1)));
}

Test(norm, log2_abspow_exact_and_overflow_free)
{
    double A[4] = {1, -1, 2, 0.5}, w[4]; /* |A| = [[1 2],[1 .5]] */
    /* |A|^2 = [[3 3],[1.5 2.25]] -> 1-norm max(4.5, 5.25) = 5.25 */
    cr_expect(fabs(expm_dlog2norm1_abspow(2, A, 2, 2, w) - log2(5.25)) < 1e-14);
    double B[4] = {1e200, 0, 0, 1e200};
    double l = expm_dlog2norm1_abspow(2, B, 2, 27, w);
    cr_expect(fabs(l - 27 * log2(1e200)) < 1e-9, "got %.17g", l);
    double Z[4] = {0, 0, 0, 0};
    cr_expect(isinf(expm_dlog2norm1_abspow(2, Z, 2, 3, w)));
}

/* log2 ||A||_1 and its frexp exponent also when the column sums overflow
 * (E = 9e307 [[1,-1],[-1,1]] was taken for an overflow of L(A,E)). */
Test(norm, log2norm1_and_exponent_past_dbl_max)
{
    double A[4] = {1, -2, 3, 0.5}, H[4] = {9e307, -9e307, -9e307, 9e307}, Z[4] = {0, 0, 0, 0};
    cr_expect_float_eq(expm_dlog2norm1(2, 2, A, 2), log2(3.5), 1e-15);
    int k;
    (void)frexp(3.5, &k);
    cr_expect_eq(expm_dnorm1_exponent(2, 2, A, 2), k);
    cr_expect(isinf(expm_dnorm1(2, 2, H, 2)));
    double l = expm_dlog2norm1(2, 2, H, 2);   /* log2(1.8e308) = 1024.0 */
    cr_expect(fabs(l - (log2(9e307) + 1.0)) < 1e-12, "%.17g", l);
    cr_expect_eq(expm_dnorm1_exponent(2, 2, H, 2), 1025);
    cr_expect(isinf(expm_dlog2norm1(2, 2, Z, 2)) && expm_dlog2norm1(2, 2, Z, 2) < 0);
    cr_expect_eq(expm_dnorm1_exponent(2, 2, Z, 2), 0);
}
