/*
 * test_exp2x2.c -- methods/exp2x2.c: the closed form of exp of a real 2x2
 * matrix, against closed forms in MPFR and the certified reference.
 *
 * Bound: phi = err / (u max(kappa, 1)) <= PHI_2X2 = 8. Why: every quantity the
 * formula uses is computed with a relative error of a few u -- D = h^2 + bc
 * from error-free pieces (<= 2u), r = sqrt(D) (<= 2u), the eigenvalues
 * mu +- r (absolute error <= 2u (|mu| + r) <= 2u ||A||_2), expm1/exp/cos/sin
 * (< 1 ulp each), g(2r) (< 3u) -- and each product adds one rounding. An
 * absolute error du in an eigenvalue changes exp(A) by a relative du, and
 * kappa_exp(A) >= ||A||_2 (Van Loan 1977), so the eigenvalue errors cost at
 * most ~2 u kappa; the remaining O(10) roundings of size u are below 8 u
 * max(kappa, 1) with room for the Frobenius/2-norm factor sqrt(2). Measured
 * (printed below): worst phi 2.3 over the 360 random-family matrices, 0.013
 * on the nearly defective family, 0.58 on the classic 2x2 named matrices.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <mpfr.h>
#include <stdio.h>

#include "../methods/methods.h"
#include "testutil.h"

#define PHI_2X2 8.0

/* exp2x2 via the public method table is not possible (it is internal), so
 * call it directly; X column-major. */
static expm_status ex2(double a, double b, double c, double d, double X[4], expm_info_t *info)
{
    double A[4] = {a, c, b, d};
    return expm_exp2x2(A, 2, X, 2, info);
}

static double phi_of(double a, double b, double c, double d, double *err_out,
                     double *kappa_out)
{
    double A[4] = {a, c, b, d}, X[4], R[4];
    expm_info_t info;
    expm_ref_info_t ri;
    cr_assert_eq(expm_ref_exp(2, A, 2, R, 2, 0, &ri), EXPM_OK, "ref [%g %g; %g %g]: %s", a, b,
                 c, d, ri.message);
    cr_assert_eq(expm_exp2x2(A, 2, X, 2, &info), EXPM_OK, "[%g %g; %g %g]: %s", a, b, c, d,
                 info.message);
    double kappa = tu_kappa_exp(2, A);
    cr_assert(kappa >= 0, "kappa failed for [%.17g %.17g; %.17g %.17g]", a, b, c, d);
    double err = tu_relerr(2, X, R);
    if (err_out) *err_out = err;
    if (kappa_out) *kappa_out = kappa;
    return err / (TU_U * fmax(kappa, 1.0));
}

/* O2 (Al-Mohy & Higham): D = 0 exactly, exp(A) = e (I + N) with
 * N = [[-5e3, 5e3], [-5e3, 5e3]]: every entry to a few ulps. */
Test(exp2x2, o2_defective_exact)
{
    double X[4];
    cr_assert_eq(ex2(1 - 5e3, 5e3, -5e3, 1 + 5e3, X, NULL), EXPM_OK);
    const double e = 2.718281828459045;
    double want[4] = {e * (1 - 5e3), -5e3 * e, 5e3 * e, e * (1 + 5e3)};
    for (int i = 0; i < 4; i++)
        cr_expect(fabs(X[i] - want[i]) <= 4 * DBL_EPSILON * fabs(want[i]),
                  "entry %d: %.17g vs %.17g", i, X[i], want[i]);
}

/* exp([[a,b],[0,d]]) entries in MPFR. */
static void tri_mpfr(double a, double b, double d, double W[4])
{
    mpfr_t ea, ed, t;
    mpfr_inits2(300, ea, ed, t, (mpfr_ptr)0);
    mpfr_set_d(ea, a, MPFR_RNDN);
    mpfr_exp(ea, ea, MPFR_RNDN);
    mpfr_set_d(ed, d, MPFR_RNDN);
    mpfr_exp(ed, ed, MPFR_RNDN);
    W[0] = mpfr_get_d(ea, MPFR_RNDN);
    W[1] = 0.0;
    W[3] = mpfr_get_d(ed, MPFR_RNDN);
    if (a == d) {
        mpfr_mul_d(t, ea, b, MPFR_RNDN);
    } else {
        mpfr_sub(t, ea, ed, MPFR_RNDN);
        mpfr_mul_d(t, t, b, MPFR_RNDN);
        mpfr_set_d(ea, a, MPFR_RNDN);
        mpfr_sub_d(ea, ea, d, MPFR_RNDN);
        mpfr_div(t, t, ea, MPFR_RNDN);
    }
    W[2] = mpfr_get_d(t, MPFR_RNDN);
    mpfr_clears(ea, ed, t, (mpfr_ptr)0);
}

/* Triangular (10.42): componentwise to a few ulps, including O9 where
 * scipy 1.10 returns NaN (e^mu cosh r = 0 * Inf) and a case whose cosh
 * overflows while the result is representable. */
Test(exp2x2, triangular_componentwise)
{
    double cases[][3] = {{-1, 1e7, -1e7}, {1, 1e17, 1},     {0.1, 1e6, 0.1},
                         {600, 1, -1400}, {-700, 1e300, -690}, {1, 1e10, 1 + 0x1p-40},
                         {30, -4, -30},   {1e-8, 1e6, 1e-8}, {-745, 1, -740}};
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double a = cases[k][0], b = cases[k][1], d = cases[k][2], X[4], W[4], Xt[4];
        cr_assert_eq(ex2(a, b, 0, d, X, NULL), EXPM_OK, "case %u", k);
        tri_mpfr(a, b, d, W);
        for (int i = 0; i < 4; i++)
            cr_expect(fabs(X[i] - W[i]) <= 4 * DBL_EPSILON * fabs(W[i]) + 4 * DBL_TRUE_MIN,
                      "case %u [%g %g; 0 %g] entry %d: %.17g vs %.17g", k, a, b, d, i, X[i],
                      W[i]);
        cr_assert_eq(ex2(a, 0, b, d, Xt, NULL), EXPM_OK); /* lower triangular */
        cr_expect_eq(Xt[1], X[2]);
    }
}

/* Rotation [[0, t], [-t, 0]] -> [[cos t, sin t], [-sin t, cos t]]: the
 * complex branch; entries to a few ulps of the rounded angle (t exact). */
Test(exp2x2, rotation_and_complex_pair)
{
    double th[] = {1e-9, 1, 100, 1e4};
    for (int k = 0; k < 4; k++) {
        double X[4];
        cr_assert_eq(ex2(0, th[k], -th[k], 0, X, NULL), EXPM_OK);
        double want[4] = {cos(th[k]), -sin(th[k]), sin(th[k]), cos(th[k])};
        for (int i = 0; i < 4; i++)
            cr_expect(fabs(X[i] - want[i]) <= 4 * DBL_EPSILON, "theta %g entry %d: %.17g vs %.17g",
                      th[k], i, X[i], want[i]);
    }
    /* [[a, b], [-b, a]] = e^a [[cos b, sin b], [-sin b, cos b]]. */
    double X[4];
    cr_assert_eq(ex2(-3, 2, -2, -3, X, NULL), EXPM_OK);
    double ea = exp(-3.0);
    cr_expect(fabs(X[0] - ea * cos(2.0)) <= 4 * DBL_EPSILON * ea);
    cr_expect(fabs(X[2] - ea * sin(2.0)) <= 4 * DBL_EPSILON * ea);
}

/* Overflow is reported only when an entry really overflows; a representable
 * result near the top of the range is returned; deep underflow is flagged. */
Test(exp2x2, overflow_and_underflow)
{
    double X[4] = {7, 7, 7, 7};
    expm_info_t info;
    cr_expect_eq(ex2(710, 0, 0, 1, X, &info), EXPM_EOVERFLOW);
    cr_expect(fabs(info.log10_norm - 710 / log(10.0)) < 0.01, "log10 %.4f", info.log10_norm);
    cr_expect_eq(X[0], 7.0, "written on failure");
    cr_expect_eq(ex2(1, 1e308, 0, 2, X, &info), EXPM_EOVERFLOW); /* b (e^2 - e)/1 > DBL_MAX */
    /* eigenvalues +-sqrt(3e17) ~ +-5.5e8: far beyond the range, reported as
     * overflow (not as a non-finite failure). */
    cr_expect_eq(ex2(1, 1e17, 3, 1, X, &info), EXPM_EOVERFLOW, "%s", info.message);
    cr_expect(info.log10_norm > 1e8, "log10 %.4g", info.log10_norm);
    cr_assert_eq(ex2(709.7, 1, -1, 709.7, X, &info), EXPM_OK);
    cr_expect(fabs(X[0] - exp(709.7) * cos(1.0)) <= 8 * DBL_EPSILON * exp(709.7));
    cr_assert_eq(ex2(-800, 1, -1, -800, X, &info), EXPM_OK);
    cr_expect_eq(X[0], 0.0);
    cr_expect(info.warnings & EXPM_WARN_UNDERFLOW);
    /* e^mu cosh r with mu = -400, r = 1000: cosh overflows, e^mu does not
     * underflow to help, but the result e^600 (...) is representable. */
    cr_assert_eq(ex2(-400, 1000, 1000, -400, X, &info), EXPM_OK, "%s", info.message);
    cr_expect(isfinite(X[0]) && X[0] > 1e260, "%g", X[0]);
}

/* Nearly defective: bc = -h^2 (1 + eps), D = -h^2 eps tiny, cancellation in
 * the textbook discriminant. The error-free D keeps phi at O(1); the
 * textbook one loses ~ h^2 u / |D| relative to the gap. */
Test(exp2x2, near_defective_is_exact)
{
    double worst = 0;
    for (int k = 0; k < 40; k++) {
        double h = 10.0 * (k + 1), eps = ldexp(1.0, -(k % 40) - 3);
        double b = h, c = -h * (1 + eps);
        double err, kappa;
        double phi = phi_of(1 + h, b, c, 1 - h, &err, &kappa);
        worst = fmax(worst, phi);
        cr_expect(phi <= PHI_2X2, "h=%g eps=%g: err %.3g kappa %.3g phi %.3g", h, eps, err,
                  kappa, phi);
    }
    printf("exp2x2 near-defective: worst phi %.3g\n", worst);
}

/* The broad family: random entries over many scales, nearly equal
 * eigenvalues, complex pairs, huge off-diagonal, large and small norms. */
Test(exp2x2, random_families_vs_reference, .timeout = 60)
{
    double worst = 0, wA[4] = {0};
    int count = 0;
    for (int fam = 0; fam < 6; fam++)
        for (int k = 0; k < 60; k++) {
            double R[4];
            tu_randn(2, 9000 + 100 * (uint64_t)fam + (uint64_t)k, 0, R);
            double sc = pow(10.0, -6.0 + 9.0 * k / 59.0); /* 1e-6 .. 1e3 */
            double a, b, c, d;
            switch (fam) {
            case 0: /* random */
                a = sc * R[0], b = sc * R[2], c = sc * R[1], d = sc * R[3];
                break;
            case 1: /* nearly equal eigenvalues, real or complex, via bc ~ -h^2 */
                a = 1 + sc * R[0], d = 1 - sc * R[0], b = sc * R[2];
                c = -(sc * R[0]) * (sc * R[0]) / b * (1 + 1e-9 * R[3]);
                break;
            case 2: /* complex pair with large imaginary part */
                a = R[0], d = R[0] + 1e-3 * R[3], b = sc * 100, c = -sc * 100 * (1 + R[1] * R[1]);
                break;
            case 3: /* huge off-diagonal */
                a = R[0], d = R[3], b = 1e10 * sc, c = 1e-10 * R[1];
                break;
            case 4: /* large norm, stable (negative) */
                a = -fmin(300 * fabs(R[0]), 600) - 1, d = -fmin(300 * fabs(R[3]), 600) - 1,
                b = 300 * R[2],
                c = 300 * R[1];
                break;
            default: /* large norm, near the top of the range */
                a = 600 + 20 * R[0], d = 600 + 20 * R[3], b = 1e-2 * sc * R[2],
                c = 1e-2 * sc * R[1];
                break;
            }
            double err, kappa;
            double phi = phi_of(a, b, c, d, &err, &kappa);
            cr_expect(phi <= PHI_2X2, "fam %d k %d [%.17g %.17g; %.17g %.17g]: err %.3g kappa "
                      "%.3g phi %.3g", fam, k, a, b, c, d, err, kappa, phi);
            if (phi > worst) {
                worst = phi;
                wA[0] = a, wA[1] = b, wA[2] = c, wA[3] = d;
            }
            count++;
        }
    printf("exp2x2: %d matrices, worst phi %.3g at [%.6g %.6g; %.6g %.6g]\n", count, worst,
           wA[0], wA[1], wA[2], wA[3]);
}

/* The 2x2 named matrices through the default: phi <= PHI_2X2 on each. */
Test(exp2x2, named_matrices_default)
{
    double worst = 0;
    for (int k = 0; k < TU_NSMALL; k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        if (t->n != 2)
            continue;
        double A[4], X[4], R[4];
        expm_testmat_colmajor(t, A);
        expm_ref_info_t ri;
        if (expm_ref_exp(2, A, 2, R, 2, 0, &ri) != EXPM_OK)
            continue; /* exp(A) not representable: checked elsewhere */
        expm_info_t info;
        cr_assert_eq(expm_exp(NULL, 2, A, 2, X, 2, &info), EXPM_OK, "%s: %s", t->name,
                     info.message);
        double kappa = tu_kappa_exp(2, A), err = tu_relerr(2, X, R);
        double phi = err / (TU_U * fmax(kappa, 1.0));
        cr_expect(phi <= PHI_2X2, "%s: err %.3g kappa %.3g phi %.3g", t->name, err, kappa, phi);
        worst = fmax(worst, phi);
    }
    printf("exp2x2 via default on the 2x2 named matrices: worst phi %.3g\n", worst);
}

Test(exp2x2, invalid_arguments)
{
    double A[4] = {1, 2, NAN, 4}, X[4] = {9, 9, 9, 9};
    cr_expect_eq(expm_exp2x2(A, 2, X, 2, NULL), EXPM_EINVAL);
    A[2] = 3;
    cr_expect_eq(expm_exp2x2(A, 1, X, 2, NULL), EXPM_EINVAL);
    cr_expect_eq(X[0], 9.0);
}

/* Entries of wildly different size whose products are ordinary (found by an
 * outside audit): [[0, a], [1/a, 0]] with a = 1e300 is cosh(1) I + sinh(1) A',
 * but one common pre-scaling 2^-k (k from the largest entry) flushed bc 2^-2k
 * to zero and gave I + A (relative error 0.15). And mu + r cancelling to 0
 * where l1 = -det/(r - mu) = -2.2e13: exp(A) ~ 0, not ~1. Against the
 * certified reference; the old code fails both. */
Test(exp2x2, mixed_magnitudes_vs_reference)
{
    const double cases[][4] = {   /* column-major a11, a21, a12, a22 */
        {0, 1e-300, 1e300, 0},
        {0, -1e-300, 1e300, 0},
        {0.5, 3e-250, 7e249, -0.25},
        {-0x1.9e132b233fddp+115, -0x1.11fe0ee2484dap+726, 0x1.0afd344f2c9fp-565,
         0x1.4b948bc58811ap-183},
        {0x1.57d5bfa24bab5p-52, -0x1.0ca7c5bfd5bb1p+722, 0x1.c9bf1c7b2616cp-692,
         0x1.1a75b3ce26d71p-549},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double X[4], R[4];
        cr_assert_eq(expm_ref_exp(2, cases[k], 2, R, 2, 0, NULL), EXPM_OK, "case %zu", k);
        expm_info_t info;
        cr_assert_eq(expm_exp(NULL, 2, cases[k], 2, X, 2, &info), EXPM_OK, "case %zu: %s", k,
                     info.message);
        double err = tu_relerr(2, X, R);
        /* w = sqrt(-bc) ~ 4e4 in the last case: cos(w) inherits u w. */
        cr_expect(err <= (k == 4 ? 1e-10 : 1e-14), "case %zu: err %.3g", k, err);
    }
}

/* lambda = 2e308 itself overflows: the message says so instead of printing
 * "e^inf ~ 1e+inf" (an outside audit's cosmetic finding); eig alike. */
Test(exp2x2, overflowing_eigenvalue_message_has_no_inf)
{
    double A[4] = {1e308, 1e308, 1e308, 1e308}, X[4];
    const char *meth[] = {"pade", "eig"};
    for (int i = 0; i < 2; i++) {
        expm_info_t info;
        cr_assert_eq(expm_exp(meth[i], 2, A, 2, X, 2, &info), EXPM_EOVERFLOW, "%s", meth[i]);
        cr_expect(strstr(info.message, "inf") == NULL, "%s: %s", meth[i], info.message);
        cr_expect(strstr(info.message, "beyond the double range") != NULL, "%s: %s", meth[i],
                  info.message);
    }
}
