/* test_scaling.c -- methods/scaling.c: renormalised squaring and results. */
#include <criterion/criterion.h>
#include <float.h>

#include "../src/dense.h"
#include "../methods/methods.h"
#include "../src/ssmmats.h"
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

/* expm_squaring_verdict through the public API (src/api.c, src/batch.c). */
static void fill(int n, double *A, double c)
{
    for (int i = 0; i < n * n; i++)
        A[i] = c;
}

Test(scaling, uncertain_warns_on_huge_psd_with_null_space)
{
    /* -1e17 ones(3): exp = I - J/3 + e^(-3e17) J/3; eigenvalues 0, 0 are
     * uncertain by ~u||A||_F = 33. The old code returned 13 for 2/3, silent. */
    double A[9], X[9];
    fill(3, A, -1e17);
    const char *ms[] = {NULL, "pade-plain", "taylor", "pade-schur", "eig"};
    for (int k = 0; k < 5; k++) {
        expm_info_t info;
        expm_status st = expm_exp(ms[k], 3, A, 3, X, 3, &info);
        cr_expect(st != EXPM_OK || (info.warnings & EXPM_WARN_UNCERTAIN),
                  "%s: exit 0 without EXPM_WARN_UNCERTAIN (X11 = %g)", ms[k] ? ms[k] : "default",
                  X[0]);
    }
    expm_info_t info;
    double E[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, L[9];
    expm_status st = expm_frechet(NULL, 3, A, 3, E, 3, L, 3, NULL, 0, &info);
    cr_expect(st != EXPM_OK || (info.warnings & EXPM_WARN_UNCERTAIN));
}

Test(scaling, uncertain_overflow_is_not_claimed)
{
    /* -1e20 ones(3): the squarings blew up to "1e1073" and the default said
     * "overflows"; exp(A) = I - J/3 is not determined in double. */
    double A[9], X[9];
    fill(3, A, -1e20);
    const char *ms[] = {NULL, "eig"};
    for (int k = 0; k < 2; k++) {
        expm_info_t info;
        expm_status st = expm_exp(ms[k], 3, A, 3, X, 3, &info);
        cr_expect(st == EXPM_ENONFINITE || (st == EXPM_OK && (info.warnings & EXPM_WARN_UNCERTAIN)),
                  "%s: status %d: %s", ms[k] ? ms[k] : "default", st, info.message);
        cr_expect(st == EXPM_OK || strstr(info.message, "not determined") ||
                  strstr(info.message, "lost all accuracy"), "%s", info.message);
    }
    /* pade-plain on -1e20 ones(2) returned 3e-112 for 1/2, silent. */
    expm_info_t info;
    fill(2, A, -1e20);
    expm_status st = expm_exp("pade-plain", 2, A, 2, X, 2, &info);
    cr_expect(st != EXPM_OK || (info.warnings & EXPM_WARN_UNCERTAIN));
}

Test(scaling, true_overflow_still_claimed)
{
    double A[9], X[9];
    expm_info_t info;
    fill(3, A, 1e17);   /* eigenvalue 3e17: tr(A)/n = 1e17 */
    cr_expect_eq(expm_exp(NULL, 3, A, 3, X, 3, &info), EXPM_EOVERFLOW, "%s", info.message);
    for (int i = 0; i < 3; i++)
        A[i + 3 * i] = 0.0;   /* 1e17 (J - I): trace 0, alpha = 2e17 */
    cr_expect_eq(expm_exp(NULL, 3, A, 3, X, 3, &info), EXPM_EOVERFLOW, "%s", info.message);
    cr_expect_eq(expm_exp("eig", 3, A, 3, X, 3, &info), EXPM_EOVERFLOW, "%s", info.message);
}

Test(scaling, no_uncertain_warning_where_certain)
{
    double A[16], X[16];
    expm_info_t info;
    /* -1e14 (I + J/10), full: exp(A) = 0 (e^-1e14), certified by mu2. */
    fill(4, A, -1e13);
    for (int i = 0; i < 4; i++)
        A[i + 4 * i] -= 1e14;
    cr_expect_eq(expm_exp(NULL, 4, A, 4, X, 4, &info), EXPM_OK, "%s", info.message);
    cr_expect(info.s >= 43, "s = %d: the test needs the verdict to run", info.s);
    cr_expect(!(info.warnings & EXPM_WARN_UNCERTAIN), "%s", info.message);
    for (int i = 0; i < 16; i++)
        cr_expect_eq(X[i], 0.0);
    /* Triangular: the eigenvalues are the diagonal, exact. */
    double T[9] = {-1e20, 0, 0, 1, 0, 0, 1, 1, -1e20};
    cr_expect_eq(expm_exp(NULL, 3, T, 3, X, 3, &info), EXPM_OK, "%s", info.message);
    cr_expect(!(info.warnings & EXPM_WARN_UNCERTAIN), "%s", info.message);
    /* Ordinary norms: t = max(u||A||_F, 2^s u) far below 2^-10. */
    double B[9] = {1e3, -2e3, 5e2, 7e2, -1e3, 3e2, 1e2, 9e2, -4e2};
    cr_expect_eq(expm_exp(NULL, 3, B, 3, X, 3, &info), EXPM_OK, "%s", info.message);
    cr_expect(!(info.warnings & EXPM_WARN_UNCERTAIN), "%s", info.message);
}

Test(scaling, batch_applies_the_same_verdict)
{
    enum { K = 3 };
    double A[K * 16], X[K * 16], Y[16];
    for (int k = 0; k < K; k++)
        fill(4, A + 16 * k, k == 1 ? -1e17 : 0.25);
    expm_info_t info, one;
    expm_status st = expm_exp_batch(NULL, 4, K, A, 4, 16, X, 4, 16, 1, NULL, &info);
    cr_expect_eq(st, EXPM_OK, "%s", info.message);
    cr_expect(info.warnings & EXPM_WARN_UNCERTAIN, "batch: warnings %#x", info.warnings);
    cr_expect_eq(expm_exp(NULL, 4, A + 16, 4, Y, 4, &one), EXPM_OK);
    cr_expect(one.warnings & EXPM_WARN_UNCERTAIN);
    for (int i = 0; i < 16; i++)
        cr_expect_eq(X[16 + i], Y[i]);
}

/* Van Loan's bound certifies the zero of a dense non-normal A whose
 * eigenvalues are all ~ -1e13 (e^mu2 cannot: mu2 > 0); the outside audit's
 * F1b got "may have no correct digits" on this correct 0. */
Test(scaling, vanloan_certifies_zero_of_nonnormal)
{
    enum { N = 5 };
    double T[N * N], Q[N * N], W[N * N], A[N * N], X[N * N], tau[N];
    tu_randn(N, 31, 1.0, T);
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++)
            T[i + j * N] = i < j ? 3e13 * T[i + j * N] : (i == j ? -1e13 * (1 + i) : 0.0);
    tu_randn(N, 32, 1.0, Q);
    cr_assert_eq(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, N, N, Q, N, tau), 0);
    cr_assert_eq(LAPACKE_dorgqr(LAPACK_COL_MAJOR, N, N, N, Q, N, tau), 0);
    expm_dgemm(N, 'N', 'N', 1.0, Q, N, T, N, 0.0, W, N);
    expm_dgemm(N, 'N', 'T', 1.0, W, N, Q, N, 0.0, A, N);
    expm_info_t info;
    cr_assert_eq(expm_exp(NULL, N, A, N, X, N, &info), EXPM_OK, "%s", info.message);
    for (int i = 0; i < N * N; i++)
        cr_assert_eq(X[i], 0.0);
    cr_expect(!(info.warnings & EXPM_WARN_UNCERTAIN), "%s", info.message);
}

/* t < 1: the message gives the size of the possible error, not "no digits"
 * (audit F5c: -1e13 times a Laplacian, t = 0.0029, measured error 2.4e-3). */
Test(scaling, uncertain_message_states_the_size)
{
    enum { N = 5 };
    double A[N * N] = {0}, X[N * N];
    for (int i = 0; i + 1 < N; i++) {   /* -c (path-graph Laplacian) */
        A[i + (i + 1) * N] = A[i + 1 + i * N] = 1e13;
        A[i + i * N] -= 1e13;
        A[i + 1 + (i + 1) * N] -= 1e13;
    }
    expm_info_t info;
    cr_assert_eq(expm_exp(NULL, N, A, N, X, N, &info), EXPM_OK, "%s", info.message);
    cr_assert(info.warnings & EXPM_WARN_UNCERTAIN, "%s", info.message);
    cr_expect(strstr(info.message, "may be off by a relative ~0.00") != NULL, "%s", info.message);
}

/* L of a scaled E (||E||_1 > 2^500, src/api.c) underflowed in the method
 * (L 2^-k ~ 1e-304), and that warning stayed although L ~ 1e-4 (audit F2). */
Test(scaling, frechet_of_huge_e_has_no_stale_underflow_warning)
{
    enum { N = 5 };
    double A[N * N], E[N * N], L[N * N];
    tu_randn(N, 41, 0.5, A);
    for (int i = 0; i < N; i++)
        A[i + i * N] -= 700.0;
    tu_randn(N, 42, 5e300, E);
    expm_info_t info;
    cr_assert_eq(expm_frechet(NULL, N, A, N, E, N, L, N, NULL, 0, &info), EXPM_OK, "%s",
                 info.message);
    double mn = INFINITY;
    for (int i = 0; i < N * N; i++)
        mn = fmin(mn, fabs(L[i]));
    cr_assert(mn > 1e-300, "the test needs L without subnormal entries: min %g", mn);
    cr_expect(!(info.warnings & EXPM_WARN_UNDERFLOW), "%s", info.message);
}

/* L([[0, a], [0, 0]], E) = E + (A E + E A)/2 + A E A/6, = [[1, a], [0, 1]]
 * for E = [[1, 1], [0, 1]] (A E A = 0). For a >= 1e190 the default exited 1
 * ("NaN or Inf arose", an outside audit): absorb's 2^d overflowed when d
 * passed 1023, and the L-overflow fallback of the squarings normalised R
 * as well, whose 1s next to 1e169 then underflowed in R^2. */
Test(scaling, frechet_of_huge_nilpotent)
{
    static const double as[] = {1e150, 1e190, 1e250, 1e300, 1.7e308};
    for (int k = 0; k < 5; k++) {
        double A[4] = {0, 0, as[k], 0}, E[4] = {1, 0, 1, 1}, L[4];
        expm_info_t info;
        cr_assert_eq(expm_frechet(NULL, 2, A, 2, E, 2, L, 2, NULL, 0, &info), EXPM_OK,
                     "a = %g: %s", as[k], info.message);
        cr_expect(fabs(L[0] - 1) <= 4 * TU_U && fabs(L[3] - 1) <= 4 * TU_U && L[1] == 0 &&
                      fabs(L[2] - as[k]) <= 8 * TU_U * as[k],
                  "a = %g: L = [%.17g %.17g; %.17g %.17g]", as[k], L[0], L[2], L[1], L[3]);
        cr_expect(!(info.warnings & EXPM_WARN_TRACE), "%s", info.message);
    }
}

/* exp(A) certainly overflows (||exp(A)||_2 >= e^(tr(A)/n), or e^(alpha -
 * n u ||D^-1 A D||_F) balanced), but the method returned a finite result:
 * pade-plain gave I on DBL_MAX ones(3), pade-plain/taylor/taylor-sum-ss a
 * finite matrix on [[0, 1e300], [1e-290, 0]] (eigenvalues +-1e5), the
 * default L = 0 on 1e308 ones(2) (an outside CLI audit). Now exit 1. */
Test(scaling, finite_result_where_exp_overflows_is_refused)
{
    double A[9], X[9], L[9];
    expm_info_t info;
    fill(3, A, DBL_MAX);
    cr_expect_eq(expm_exp("pade-plain", 3, A, 3, X, 3, &info), EXPM_EOVERFLOW, "%s", info.message);
    double G[4] = {0, 1e-290, 1e300, 0};
    const char *ms[] = {"pade-plain", "taylor", "taylor-sum-ss", NULL};
    for (int k = 0; k < 4; k++)
        cr_expect_eq(expm_exp(ms[k], 2, G, 2, X, 2, &info), EXPM_EOVERFLOW, "%s: %s",
                     ms[k] ? ms[k] : "default", info.message);
    fill(2, A, 1e308);
    double E[4] = {0, 1, 0, 0};
    expm_status st = expm_frechet(NULL, 2, A, 2, E, 2, L, 2, NULL, 0, &info);
    cr_expect(st == EXPM_ENONFINITE || st == EXPM_EOVERFLOW, "status %d: %s", st, info.message);
    /* taylor does not keep a diagonal exact: diag(-1e16, 0, 1) gave 1 for e
     * with no warning (t = u ||A||_F = 1.1) */
    double D[9] = {-1e16, 0, 0, 0, 0, 0, 0, 0, 1};
    st = expm_exp("taylor", 3, D, 3, X, 3, &info);
    cr_expect(st != EXPM_OK || (info.warnings & EXPM_WARN_UNCERTAIN) || fabs(X[8] - 2.718281828459045) < 1e-15,
              "taylor: X33 = %.17g, silent", X[8]);
}

/* exp(-800 I) flushes to 0: the warning says so for every n, as the 2x2
 * closed form did (n = 1, 3: silent zeros before, an outside audit); the
 * triangular path computes the diagonal directly, so no subnormal was seen.
 * exp(-1 I) and exp(-700 I) (normal entries) stay unwarned. */
Test(scaling, flushed_diagonal_is_warned)
{
    static double A[400], X[400];
    const int ns[] = {1, 2, 3, 20};
    const double d[] = {-800.0, -1.0, -700.0};
    for (int t = 0; t < 4; t++)
        for (int v = 0; v < 3; v++) {
            int n = ns[t];
            for (int k = 0; k < n * n; k++)
                A[k] = k % (n + 1) == 0 ? d[v] : 0.0;
            if (n == 3)
                A[3] = 1.0;   /* upper triangular, not diagonal */
            expm_info_t info;
            cr_assert_eq(expm_exp("pade", n, A, n, X, n, &info), EXPM_OK);
            int warned = (info.warnings & EXPM_WARN_UNDERFLOW) != 0;
            cr_expect_eq(warned, d[v] == -800.0, "n = %d, d = %g: warnings %#x", n, d[v],
                         info.warnings);
        }
}

/* [[0, 1e-200], [1e200, 0]] = D [[0,1],[1,0]] D^-1: eigenvalues +-1, and
 * the default's arithmetic commutes with D, so exp(A) = [[cosh 1, 1e-200
 * sinh 1], [1e200 sinh 1, cosh 1]] to a few ulps, unwarned (the verdict
 * used the unbalanced u||A||_F = 1e184 and warned "no correct digits", an
 * outside audit). taylor chooses s = 565 from ||A||_1 and keeps its
 * warning (its result is wrong). */
Test(scaling, uncertainty_uses_the_balanced_norm)
{
    double A[4] = {0, 1e200, 1e-200, 0}, X[4];
    const double want[4] = {cosh(1.0), 1e200 * sinh(1.0), 1e-200 * sinh(1.0), cosh(1.0)};
    expm_info_t info;
    cr_assert_eq(expm_exp(NULL, 2, A, 2, X, 2, &info), EXPM_OK, "%s", info.message);
    cr_expect(!(info.warnings & EXPM_WARN_UNCERTAIN), "%s", info.message);
    for (int k = 0; k < 4; k++)
        cr_expect(fabs(X[k] - want[k]) <= 8 * 0x1p-53 * fabs(want[k]), "X[%d] = %.17g, not %.17g",
                  k, X[k], want[k]);
    expm_status st = expm_exp("taylor", 2, A, 2, X, 2, &info);
    cr_expect(st != EXPM_OK || (info.warnings & EXPM_WARN_UNCERTAIN), "taylor: %s", info.message);
}

/* pade-plain has no permuted-triangular path, so the exemption of
 * triangular A from EXPM_WARN_UNCERTAIN holds for it only when A is upper
 * or lower triangular. An outside audit: [[2 L, C], [0, 0]] (L the lower
 * triangular 3x3 HiPPO-LegS, ||C|| ~ 1e293; a permuted lower triangular
 * matrix) took s = 876 squarings in pade-plain and returned the exp(2L)
 * block with relative error 39, exit 0, unwarned. Now warned; the default
 * (permuted-triangular path) is right. */
Test(scaling, pade_plain_permuted_triangular_is_not_exempt)
{
    enum { N = 5 };
    double L3[9], b[3], A[N * N] = {0}, X[N * N], R[9], Y[9];
    cr_assert_eq(expm_ssm_hippo_legs(3, L3, 3, b), EXPM_OK);
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++)
            A[i + j * N] = 2 * L3[i + j * 3];
    for (int i = 0; i < 3; i++) {
        A[i + 3 * N] = 1e293 * b[i];
        A[i + 4 * N] = -3e292 * b[i] * (i + 1);
    }
    for (int k = 0; k < 9; k++)
        L3[k] *= 2;
    cr_assert_eq(expm_ref_exp(3, L3, 3, R, 3, 0, NULL), EXPM_OK);
    static const char *ms[2] = {"pade-plain", NULL};
    for (int q = 0; q < 2; q++) {
        expm_info_t info;
        cr_assert_eq(expm_exp(ms[q], N, A, N, X, N, &info), EXPM_OK, "%s", info.message);
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 3; i++)
                Y[i + j * 3] = X[i + j * N];
        double e = tu_relerr(3, Y, R);
        cr_expect(e <= 1e-12 || (q == 0 && (info.warnings & EXPM_WARN_UNCERTAIN)),
                  "%s: exp(2L) block error %.3g unwarned (s = %d)", ms[q] ? ms[q] : "pade", e,
                  info.s);
        printf("permuted triangular, %s: exp(2L) block error %.3g, s = %d%s\n",
               ms[q] ? ms[q] : "pade", e, info.s,
               info.warnings & EXPM_WARN_UNCERTAIN ? " (warned UNCERTAIN)" : "");
    }
}
