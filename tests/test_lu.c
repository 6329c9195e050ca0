/* test_lu.c -- src/lu.c: LU solve, re-solve, rcond, singular detection. */
#include <criterion/criterion.h>

#include "../src/dense.h"
#include "testutil.h"

Test(lu, solves_and_resolves)
{
    double M[16], M0[16], B[8], X[8], R[8];
    int ipiv[4];
    tu_randn(4, 3, 0, M0);
    for (int i = 0; i < 4; i++)
        M0[i * 5] += 4.0;
    tu_randn(2, 4, 0, X); /* 4x2 solution stored in 8 entries */
    tu_randn(2, 5, 0, X + 4);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 4; i++) {
            double s = 0;
            for (int k = 0; k < 4; k++)
                s += M0[i + 4 * k] * X[k + 4 * c];
            B[i + 4 * c] = s;
        }
    expm_dcopy(4, 4, M0, 4, M, 4);
    expm_dcopy(4, 2, B, 4, R, 4);
    double rc;
    cr_assert_eq(expm_dlu_solve(4, M, 4, ipiv, 2, R, 4, &rc), EXPM_OK);
    for (int i = 0; i < 8; i++)
        cr_expect(fabs(R[i] - X[i]) < 1e-13 * (1 + fabs(X[i])));
    cr_expect(rc > 0 && rc <= 1);
    expm_dcopy(4, 2, B, 4, R, 4);
    cr_assert_eq(expm_dlu_resolve(4, M, 4, ipiv, 2, R, 4), EXPM_OK);
    for (int i = 0; i < 8; i++)
        cr_expect(fabs(R[i] - X[i]) < 1e-13 * (1 + fabs(X[i])));
}

Test(lu, singular_is_reported)
{
    double M[4] = {1, 2, 2, 4}, B[2] = {1, 1};
    int ipiv[2];
    cr_expect_eq(expm_dlu_solve(2, M, 2, ipiv, 1, B, 2, NULL), EXPM_ESINGULAR);
}
