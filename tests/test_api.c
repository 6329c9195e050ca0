/* test_api.c -- src/api.c: dispatch by name, kinds, errors, adjoint. */
#include <criterion/criterion.h>

#include "testutil.h"

Test(api, dispatch_errors)
{
    double A[4] = {1, 0, 0, 1}, X[4] = {7, 7, 7, 7};
    expm_info_t info;
    cr_expect_eq(expm_exp("nosuch", 2, A, 2, X, 2, &info), EXPM_ENOMETHOD);
    cr_expect(strstr(info.message, "nosuch") != NULL);
    cr_expect_eq(expm_exp("block", 2, A, 2, X, 2, &info), EXPM_EUNSUPPORTED);
    cr_expect_eq(expm_adjoint("nosuch", 2, A, 2, A, 2, X, 2, &info), EXPM_ENOMETHOD);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(X[i], 7.0);
}

Test(api, default_is_pade)
{
    double A[9], X[9], Y[9];
    tu_randn(3, 11, 2.0, A);
    cr_assert_eq(expm_exp(NULL, 3, A, 3, X, 3, NULL), EXPM_OK);
    cr_assert_eq(expm_exp("pade", 3, A, 3, Y, 3, NULL), EXPM_OK);
    cr_expect_arr_eq(X, Y, sizeof X);
    cr_assert_eq(expm_exp("", 3, A, 3, X, 3, NULL), EXPM_OK);
    cr_expect_arr_eq(X, Y, sizeof X);
}

/* Adjoint by definition: entry (i,j) of the gradient of <G, exp(A)> is
 * <G, L(A, e_i e_j^T)>, computed here entry by entry with the reference. */
Test(api, adjoint_is_gradient_of_inner_product)
{
    int n = 3;
    double A[9], G[9], Lt[9], E[9], L[9];
    tu_randn(n, 21, 3.0, A);
    tu_randn(n, 22, 0, G);
    cr_assert_eq(expm_adjoint(NULL, n, A, n, G, n, Lt, n, NULL), EXPM_OK);
    for (int c = 0; c < n * n; c++) {
        memset(E, 0, sizeof E);
        E[c] = 1;
        cr_assert_eq(expm_ref_frechet(n, A, n, E, n, L, n, NULL, 0, 0, NULL), EXPM_OK);
        long double g = 0;
        for (int i = 0; i < n * n; i++)
            g += (long double)G[i] * L[i];
        cr_expect(fabs(Lt[c] - (double)g) <= 1e-13 * (fabs((double)g) + 1), "entry %d: %.17g vs %.17Lg", c, Lt[c], g);
    }
}

/* L is linear in E and the API hands every method E scaled into
 * ||E||_1 in [1/2, 1) when it lies outside [2^-500, 2^500] (api.c,
 * frechet_scaled): with ||E||_1 in [1/2, 1) already, L(A, 2^k E) must be
 * 2^k L(A, E) bit for bit, for every Frechet method and for the adjoint,
 * at k = -1000 and 1020 (||A||_1 = 0.5, so that 2^1020 L is finite; 2^-1020 E
 * would itself be subnormal, i.e. not 2^k E). */
Test(api, frechet_of_scaled_direction_is_scaled_exactly)
{
    const int n = 3;
    double A[9], E[9], Ek[9], L0[9], L[9];
    tu_randn(n, 31, 0.5, A);
    tu_randn(n, 32, 0.75, E);
    int methods = 0;
    for (int i = 0; i < expm_method_count(); i++) {
        const expm_method_t *m = expm_method_get(i);
        if (!(m->kinds & EXPM_KIND_FRECHET))
            continue;
        for (int adj = 0; adj < 2; adj++) {
            expm_info_t info;
            expm_status st = adj ? expm_adjoint(m->name, n, A, n, E, n, L0, n, &info)
                                 : expm_frechet(m->name, n, A, n, E, n, L0, n, NULL, 0, &info);
            cr_assert_eq(st, EXPM_OK, "%s: %s", m->name, info.message);
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                int p2 = sgn < 0 ? -1000 : 1020;
                for (int k = 0; k < n * n; k++)
                    Ek[k] = ldexp(E[k], p2);
                st = adj ? expm_adjoint(m->name, n, A, n, Ek, n, L, n, &info)
                         : expm_frechet(m->name, n, A, n, Ek, n, L, n, NULL, 0, &info);
                cr_assert_eq(st, EXPM_OK, "%s%s, E 2^%d: %s", m->name, adj ? " adjoint" : "",
                             p2, info.message);
                for (int k = 0; k < n * n; k++)
                    cr_assert_eq(L[k], ldexp(L0[k], p2),
                                 "%s%s, E 2^%d: entry %d %a, not 2^k times %a", m->name,
                                 adj ? " adjoint" : "", p2, k, L[k], L0[k]);
            }
        }
        methods++;
    }
    cr_assert_geq(methods, 5);
}

/* A tiny E whose L is far larger than ||E||: A = [[0,a],[0,0]] (nilpotent),
 * E = [[0,0],[1/a,0]], L(A,E) = E + (AE + EA)/2 + AEA/6 = [[1/2, a/6],
 * [1/a, 1/2]] exactly. With E normalised to ||E||_1 ~ 1 the methods'
 * L is a^2/6 = 1.7e319 for a = 1e160, and every one of these reported
 * "L(A,E) overflows" (exit 1; an outside audit). The adjoint likewise:
 * expm_adjoint(A^T, E) = L((A^T)^T, E) = L(A,E). Bound: 64 u relative per entry (the
 * closed form is exact; the methods round a few dozen times). */
Test(api, tiny_direction_with_huge_derivative_is_not_an_overflow)
{
    const double a = 1e160;
    double A[4] = {0, 0, a, 0}, At[4] = {0, a, 0, 0}, E[4] = {0, 1 / a, 0, 0}, L[4];
    const double want[4] = {0.5, 1 / a, a / 6, 0.5};
    const char *meth[] = {"pade", "block", "pade-schur", "taylor"};
    for (int i = 0; i < 4; i++)
        for (int adj = 0; adj < 2; adj++) {
            expm_info_t info;
            expm_status st = adj ? expm_adjoint(meth[i], 2, At, 2, E, 2, L, 2, &info)
                                 : expm_frechet(meth[i], 2, A, 2, E, 2, L, 2, NULL, 0, &info);
            cr_assert_eq(st, EXPM_OK, "%s%s: %s", meth[i], adj ? " adjoint" : "", info.message);
            for (int k = 0; k < 4; k++) {
                cr_expect(fabs(L[k] - want[k]) <= 64 * 0x1p-53 * fabs(want[k]),
                          "%s%s: L[%d] = %.17g, not %.17g", meth[i], adj ? " adjoint" : "", k,
                          L[k], want[k]);
            }
        }
}

/* A huge E against a tiny exp(A): E scaled down to ||E||_1 ~ 1 made 2^-k L
 * underflow, and L = 2.8e-24 (A = -745, E = 1e300) was printed as 0 without a
 * warning. Retried with ||E 2^-k2||_1 ~ 2^900; methods that normalise E
 * again inside (block, pade-schur) still lose it, and must say so. */
Test(api, huge_direction_with_tiny_exponential)
{
    double A[9] = {-745, 0.25, 0, 0, -745.5, 0.125, 0.5, 0, -746}, E[9], L[9], R[9];
    for (int i = 0; i < 9; i++)
        E[i] = 1e300;
    cr_assert_eq(expm_ref_frechet(3, A, 3, E, 3, R, 3, NULL, 0, 0, NULL), EXPM_OK);
    const char *methods[] = {"pade", "taylor", "block", "pade-schur"};
    for (int m = 0; m < 4; m++) {
        expm_info_t info;
        cr_assert_eq(expm_frechet(methods[m], 3, A, 3, E, 3, L, 3, NULL, 0, &info), EXPM_OK,
                     "%s: %s", methods[m], info.message);
        double err = tu_relerr(3, L, R);
        cr_expect(err < 1e-12 || (info.warnings & EXPM_WARN_UNDERFLOW),
                  "%s: err %.3g unwarned", methods[m], err);
        if (m < 2)
            cr_expect(err < 1e-12, "%s: err %.3g", methods[m], err);
    }
    double a = -745, e = 1e300, l;
    cr_assert_eq(expm_frechet("pade", 1, &a, 1, &e, 1, &l, 1, NULL, 0, NULL), EXPM_OK);
    cr_expect(fabs(l - 2.8223507304719372e-24) <= 1e-15 * 2.8223507304719372e-24, "L = %.17g", l);
}

/* exp(A) is nonsingular: a result whose every entry underflowed (A =
 * -1000 I + 5 R / ||R||_1, exp ~ 1e-434 everywhere) is 0 rounded correctly
 * but must say so. It came back as 0 with no warning from pade, pade-schur
 * and taylor (an outside audit); a lone -1000 did warn. */
Test(api, total_underflow_is_warned)
{
    static const char *methods[] = {"pade", "pade-schur", "taylor"};
    for (int n = 3; n <= 8; n += 5) {
        double A[64], X[64];
        tu_randn(n, 99 + (uint64_t)n, 5.0, A);
        for (int i = 0; i < n; i++)
            A[i + i * n] -= 1000.0;
        for (int k = 0; k < 3; k++) {
            expm_info_t info;
            cr_assert_eq(expm_exp(methods[k], n, A, n, X, n, &info), EXPM_OK, "%s", info.message);
            for (int i = 0; i < n * n; i++)
                cr_assert_eq(X[i], 0.0);
            cr_expect(info.warnings & EXPM_WARN_UNDERFLOW, "%s n=%d: no underflow warning",
                      methods[k], n);
        }
    }
}

/* ... and an ordinary result is not flagged (no zero column). */
Test(api, no_underflow_flag_on_ordinary_results)
{
    double A[9] = {1, 2, 0, -1, 0.5, 3, 0, 0, -2}, X[9];
    expm_info_t info;
    cr_assert_eq(expm_exp(NULL, 3, A, 3, X, 3, &info), EXPM_OK);
    cr_expect_eq(info.warnings & EXPM_WARN_UNDERFLOW, 0u);
}

/* The same for L(A,E) and the adjoint: L = 0 for E != 0 is an underflow
 * (L(A,.) is singular only for eigenvalues 2 pi i k apart); E = 0 is not. */
Test(api, total_underflow_of_frechet_is_warned)
{
    int n = 4;
    double A[16], E[16], L[16], X[16];
    tu_randn(n, 7, 5.0, A);
    for (int i = 0; i < n; i++)
        A[i + i * n] -= 1000.0;
    tu_randn(n, 8, 1.0, E);
    expm_info_t info;
    cr_assert_eq(expm_frechet(NULL, n, A, n, E, n, L, n, X, n, &info), EXPM_OK, "%s",
                 info.message);
    cr_expect(info.warnings & EXPM_WARN_UNDERFLOW, "frechet: no underflow warning");
    cr_assert_eq(expm_adjoint(NULL, n, A, n, E, n, L, n, &info), EXPM_OK, "%s", info.message);
    cr_expect(info.warnings & EXPM_WARN_UNDERFLOW, "adjoint: no underflow warning");
    double B[16] = {0}, Z[16] = {0};
    for (int i = 0; i < n; i++)
        B[i + i * n] = 1.0 + i;
    cr_assert_eq(expm_frechet(NULL, n, B, n, Z, n, L, n, NULL, 0, &info), EXPM_OK);
    cr_expect_eq(info.warnings & EXPM_WARN_UNDERFLOW, 0u, "E = 0 flagged");
}

/* A tiny E whose L(A,E) is finite, but overflows at every scale of E the
 * tiers try (A = [[-1,0,1e300],[0,-2,0],[0,0,0]], E = 1e-300 e3 e1^T: L_13
 * = 1.04e299, the tiers' L ~ 1e599 and 1e448): a method failure with the
 * true size, never "L(A,E) overflows" (it said so with 1e448, and before the
 * ldexp fix in pade.c printed L = 0). */
Test(api, tiny_e_beyond_the_tiers_is_not_an_overflow)
{
    double A[9] = {-1, 0, 0, 0, -2, 0, 1e300, 0, 0}, E[9] = {0, 0, 1e-300, 0, 0, 0, 0, 0, 0},
           L[9];
    expm_info_t info;
    expm_status st = expm_frechet(NULL, 3, A, 3, E, 3, L, 3, NULL, 0, &info);
    cr_expect(st == EXPM_OK || (st == EXPM_ENONFINITE && strstr(info.message, "true size")),
              "status %d: %s", st, info.message);
}

/* The size in an overflow message is that of L(A,E), not of L(A, 2^-k E)
 * the method was given: E = 1e-200 e3 e1^T on the matrix above has
 * L_13 = 1.04e399 (it said "~1e548"; an outside audit's 6x6: 1e446 for a
 * true 7.2e346). */
Test(api, overflow_size_is_that_of_l)
{
    double A[9] = {-1, 0, 0, 0, -2, 0, 1e300, 0, 0}, E[9] = {0, 0, 1e-200, 0, 0, 0, 0, 0, 0},
           L[9];
    expm_info_t info;
    expm_status st = expm_frechet(NULL, 3, A, 3, E, 3, L, 3, NULL, 0, &info);
    cr_expect_eq(st, EXPM_EOVERFLOW, "%s", info.message);
    cr_expect(fabs(info.log10_norm - 399.0) <= 1.0, "log10 ||L|| = %g: %s", info.log10_norm,
              info.message);
}
