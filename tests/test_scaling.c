/* test_scaling.c -- methods/scaling.c: renormalised squaring and results. */
#include <criterion/criterion.h>
#include <float.h>

#include "../src/dense.h"
#include "../methods/methods.h"
#include "testutil.h"

Test(scaling, exp_scaled_matches_exp_where_representable)
{
    double ys[] = {-800, -700, -1, 0, 1, 700, 709, 1000, 1400};
    long es[] = {0, 0, 0, 0, 0, 0, 0, 1000, 1500};
    for (int k = 0; k < 9; k++) {
        double got = expm_exp_scaled(ys[k], es[k]);
        double want = es[k] == 0 ? exp(ys[k]) : exp(ys[k] - es[k] * log(2.0));
        double tol = es[k] == 0 ? 2 * DBL_EPSILON : 1e-12; /* the second is checked via a rounded log(2) */
        if (want > DBL_MIN)
            cr_expect(fabs(got - want) <= tol * want, "y=%g e=%ld: %.17g vs %.17g", ys[k], es[k], got, want);
        else
            cr_expect(fabs(got - want) <= 2 * 0x1p-1074 + 1e-3 * want, "y=%g: %.17g vs %.17g", ys[k], got, want);
    }
}

Test(scaling, square_step_keeps_exponent)
{
    double Y[4] = {1e300, 0, 0, 1e300}, W[4];
    long e = 0;
    expm_square_step(2, Y, 2, &e, W);
    /* (1e300)^2 = 1e600: held as 2^e * Y. */
    double l = log10(Y[0]) + e * log10(2.0);
    cr_expect(fabs(l - 600) < 1e-10, "log10 %.12g", l);
    double X[4];
    expm_info_t info;
    expm_info_clear(&info);
    cr_expect_eq(expm_unscale_result(2, 2, Y, 2, e, X, 2, "exp(A)", &info), EXPM_EOVERFLOW);
    cr_expect(fabs(info.log10_norm - 600) < 1e-9);
}

Test(scaling, overflow_verdict_uses_lognorm_bound)
{
    double A[4] = {0, -1e80, 1e80, 0};
    expm_info_t info;
    expm_info_clear(&info);
    info.log10_norm = 1e18;
    cr_expect_eq(expm_overflow_verdict(EXPM_EOVERFLOW, 2, A, 2, 0, "exp(A)", &info), EXPM_ENONFINITE);
    double B[4] = {800, 0, 0, 1};
    info.log10_norm = 347.4;
    cr_expect_eq(expm_overflow_verdict(EXPM_EOVERFLOW, 2, B, 2, 0, "exp(A)", &info), EXPM_EOVERFLOW);
}
