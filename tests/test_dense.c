/* test_dense.c -- src/dense.c: elementary operations and allocation. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "../src/dense.h"
#include "testutil.h"

Test(dense, gemm_matches_naive_product)
{
    double A[25], B[25], C[25], D[25];
    tu_randn(5, 1, 0, A);
    tu_randn(5, 2, 0, B);
    expm_dgemm(5, 'N', 'T', 2.0, A, 5, B, 5, 0.0, C, 5);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            long double s = 0;
            for (int k = 0; k < 5; k++)
                s += (long double)A[i + 5 * k] * B[j + 5 * k];
            D[i + 5 * j] = 2.0 * (double)s;
        }
    cr_expect(tu_relerr(5, C, D) < 1e-15);
}

Test(dense, copy_transpose_identity_axpby_scal)
{
    double A[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, B[12], T[9];
    expm_dcopy(3, 3, A, 3, B, 4);
    cr_expect_eq(B[4], 4.0);
    cr_expect_eq(B[9], 8.0);
    expm_dtranspose(3, A, 3, T, 3);
    cr_expect_eq(T[1], 4.0);
    cr_expect_eq(T[3], 2.0);
    expm_dset_identity(3, 2.5, T, 3);
    cr_expect(T[0] == 2.5 && T[4] == 2.5 && T[1] == 0.0 && T[3] == 0.0);
    expm_daxpby(3, 3, 2.0, A, 3, -1.0, T, 3);
    cr_expect_eq(T[0], 2.0 - 2.5);
    cr_expect_eq(T[1], 4.0);
    expm_dscal(3, 3, 0.5, A, 3);
    cr_expect_eq(A[8], 4.5);
}

Test(dense, finite_check_and_alloc_limits)
{
    double A[4] = {1, 2, 3, 4};
    cr_expect(expm_dall_finite(2, 2, A, 2));
    A[3] = NAN;
    cr_expect(!expm_dall_finite(2, 2, A, 2));
    cr_expect(expm_dall_finite(2, 1, A, 2)); /* only the first column read */
    double *p = expm_dalloc(3, 2);
    cr_assert_not_null(p);
    for (int i = 0; i < 18; i++)
        cr_expect_eq(p[i], 0.0);
    free(p);
    cr_expect_null(expm_dalloc(-1, 1));
    cr_expect_null(expm_dalloc(2000000000, 2000000000));
}

Test(dense, check_square_messages)
{
    expm_info_t info;
    double A[4] = {1, 2, INFINITY, 4};
    expm_info_clear(&info);
    cr_expect_eq(expm_check_square(2, A, 2, "A", 1, &info), EXPM_EINVAL);
    cr_expect_str_eq(info.message, "A(1,2) = inf is not finite");
    cr_expect_eq(expm_check_square(2, A, 2, "A", 0, &info), EXPM_OK);
    cr_expect_eq(expm_check_square(2, A, 1, "A", 0, &info), EXPM_EINVAL);
    cr_expect_eq(expm_check_square(0, NULL, 1, "A", 1, &info), EXPM_OK);
}
