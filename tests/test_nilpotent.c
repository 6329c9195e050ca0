/*
 * test_nilpotent.c -- methods/nilpotent.c: exp of a strictly triangular A
 * by its finite Taylor sum, as the default takes it.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "../methods/methods.h"
#include "testutil.h"

/* The superdiagonal chain N a (n = 4): exp = [[1, a, a^2/2, a^3/6], ...]
 * exactly; a = 1e100 keeps a^3/6 finite. Upper and lower (transposed). */
Test(nilpotent, superdiagonal_chain_closed_form)
{
    double a = 1e100, A[16] = {0}, At[16] = {0}, X[16];
    for (int i = 0; i < 3; i++)
        A[i + (i + 1) * 4] = a, At[(i + 1) + i * 4] = a;
    cr_assert(expm_nilpotent_candidate(4, A, 4) && expm_nilpotent_candidate(4, At, 4));
    double c[4] = {1.0, a, a * a / 2, a * a * a / 6};
    for (int t = 0; t < 2; t++) {
        expm_info_t info;
        cr_assert_eq(expm_exp(NULL, 4, t ? At : A, 4, X, 4, &info), EXPM_OK, "%s", info.message);
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 4; i++) {
                int d = t ? i - j : j - i;
                double want = d < 0 ? 0.0 : c[d], got = X[i + j * 4];
                cr_expect(fabs(got - want) <= 4e-16 * fabs(want), "t=%d X(%d,%d) = %.17g, want %.17g",
                          t, i + 1, j + 1, got, want);
            }
    }
}

/* a = 1e225: a^2/2 overflows. The default printed I + A with EXPM_OK (an
 * outside audit: s = 648 squarings lost the identity part); now
 * EXPM_EOVERFLOW, for n = 4 (small path) and n = 20 (BLAS path). */
Test(nilpotent, overflow_is_reported)
{
    for (int n = 4; n <= 20; n += 16) {
        double A[400] = {0}, X[400];
        for (int i = 0; i + 1 < n; i++)
            A[i + (i + 1) * n] = 1e225;
        expm_info_t info;
        cr_expect_eq(expm_exp(NULL, n, A, n, X, n, &info), EXPM_EOVERFLOW, "n=%d", n);
        cr_expect(strstr(info.message, "overflows double") != NULL, "%s", info.message);
        cr_expect(info.log10_norm > 449 && info.log10_norm < 451, "log10 %g", info.log10_norm);
    }
}

/* Seeded random strictly upper triangular (||A||_1 = 1, 10, 100), n = 3..12,
 * against the certified reference: relative error <= 100 u max(kappa, 1). */
Test(nilpotent, random_matches_reference, .timeout = 60)
{
    static const double norms[3] = {1, 10, 100};
    double worst = 0;
    for (int n = 3; n <= 12; n += 3)
        for (int b = 0; b < 3; b++) {
            double G[144], R[144], X[144];
            tu_randn(n, 300 + (uint64_t)(n * 7 + b), norms[b], G);
            for (int j = 0; j < n; j++)
                for (int i = j; i < n; i++)
                    G[i + j * n] = 0.0;
            cr_assert_eq(expm_ref_exp(n, G, n, R, n, 0, NULL), EXPM_OK);
            cr_assert_eq(expm_exp(NULL, n, G, n, X, n, NULL), EXPM_OK);
            double kappa = fmax(tu_kappa_exp(n, G), 1.0), err = tu_relerr(n, X, R);
            cr_expect(err <= 100 * TU_U * kappa, "n=%d ||A||=%g: err %.3g, kappa %.3g", n,
                      norms[b], err, kappa);
            worst = fmax(worst, err / (TU_U * kappa));
        }
    printf("nilpotent: worst phi %.3g\n", worst);
}

/* Ordinary matrices are not candidates (a nonzero diagonal end decides). */
Test(nilpotent, ordinary_matrices_are_not_candidates)
{
    double A[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    cr_expect_eq(expm_nilpotent_candidate(3, A, 3), 0);
    double S[9] = {0, -1, 0, 1, 0, 0, 0, 0, 0};   /* zero diagonal, not triangular */
    cr_expect_eq(expm_nilpotent_candidate(3, S, 3), 0);
}

/* L(A,E) for strictly triangular A against the certified reference (the
 * (1,2) block of the nilpotent [[A, E], [0, A]]): err <= 100 u kappa;
 * also lower triangular, and exp(A) returned alongside. */
Test(nilpotent, frechet_matches_reference, .timeout = 60)
{
    static const double norms[3] = {1, 10, 100};
    double worst = 0;
    for (int n = 3; n <= 9; n += 3)
        for (int b = 0; b < 3; b++)
            for (int low = 0; low <= 1; low++) {
                double G[81], E[81], R[81], L[81], X[81], RX[81];
                tu_randn(n, 500 + (uint64_t)(n * 7 + b), norms[b], G);
                tu_randn(n, 600 + (uint64_t)(n * 7 + b), 1.0, E);
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i++)
                        if (low ? i <= j : i >= j)
                            G[i + j * n] = 0.0;
                cr_assert_eq(expm_ref_frechet(n, G, n, E, n, R, n, NULL, 0, 0, NULL), EXPM_OK);
                cr_assert_eq(expm_ref_exp(n, G, n, RX, n, 0, NULL), EXPM_OK);
                cr_assert_eq(expm_frechet(NULL, n, G, n, E, n, L, n, X, n, NULL), EXPM_OK);
                double kappa = fmax(tu_kappa_exp(n, G), 1.0);
                double eL = tu_relerr(n, L, R), eX = tu_relerr(n, X, RX);
                cr_expect(eL <= 100 * TU_U * kappa && eX <= 100 * TU_U * kappa,
                          "n=%d ||A||=%g low=%d: L err %.3g, exp err %.3g, kappa %.3g", n,
                          norms[b], low, eL, eX, kappa);
                worst = fmax(worst, eL / (TU_U * kappa));
            }
    printf("nilpotent L: worst phi %.3g\n", worst);
}

/* The 1e225 chain: L(A,E) ~ a^2 e overflows, EXPM_EOVERFLOW (it was
 * printed with exit 0 and a trace warning; an outside audit); E = 0 gives
 * L = 0 however large A. */
Test(nilpotent, frechet_overflow_and_zero_direction)
{
    double A[16] = {0}, E[16], L[16];
    for (int i = 0; i < 3; i++)
        A[i + (i + 1) * 4] = 1e225;
    for (int k = 0; k < 16; k++)
        E[k] = 1.0 + k;
    expm_info_t info;
    cr_expect_eq(expm_frechet(NULL, 4, A, 4, E, 4, L, 4, NULL, 0, &info), EXPM_EOVERFLOW);
    cr_expect(strstr(info.message, "L(A,E) overflows") != NULL, "%s", info.message);
    for (int k = 0; k < 16; k++)
        E[k] = 0.0, L[k] = 7.0;
    cr_expect_eq(expm_frechet(NULL, 4, A, 4, E, 4, L, 4, NULL, 0, &info), EXPM_OK, "%s",
                 info.message);
    for (int k = 0; k < 16; k++)
        cr_expect_eq(L[k], 0.0);
}

/* A = [[0, 1e300], [0, 0]], E = [[0, 0], [1e-300, 0]]: L = [[0.5,
 * 1.67e299], [1e-300, 0.5]] is finite, but src/api.c scales E to norm ~1
 * (then 2^-500), where the degree-3 term overflows; it was reported as
 * "L(A,E) overflows" (an outside audit). Now a method failure that says
 * the true size, or the right L. */
Test(nilpotent, tiny_e_is_not_a_false_overflow)
{
    double A[4] = {0, 0, 1e300, 0}, E[4] = {0, 1e-300, 0, 0}, L[4];
    expm_info_t info;
    expm_status st = expm_frechet(NULL, 2, A, 2, E, 2, L, 2, NULL, 0, &info);
    cr_expect(st == EXPM_OK || (st == EXPM_ENONFINITE && strstr(info.message, "true size")),
              "status %d: %s", st, info.message);
    if (st == EXPM_OK)
        cr_expect(fabs(L[2] - 1e300 / 6) <= 1e-15 * 1e300 / 6, "L_12 = %g", L[2]);
}
