/* test_triangular_perm.c -- methods/triangular_perm.c, and the default
 * method's path for permuted triangular A (methods/pade.c). */
#include <criterion/criterion.h>

#include "../methods/methods.h"
#include "testutil.h"

static unsigned long long lcg(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* A(p[i], p[j]) = T(i,j), T = strict upper randn * c + diag d: the outside
 * audit's class (off-diagonal 1e10..1e14 exited 1 in the dense path). */
static void ptri(int n, unsigned long long seed, double c, double *A, int *p)
{
    double T[40 * 40];
    tu_randn(n, seed, (double)n, T);
    for (int i = 0; i < n; i++)
        p[i] = i;
    unsigned long long s = seed;
    for (int i = n - 1; i > 0; i--) {
        int k = (int)(lcg(&s) % (unsigned long long)(i + 1)), t = p[i];
        p[i] = p[k], p[k] = t;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double v = i < j ? c * T[i + j * n] : (i == j ? -2.0 + 3.0 * (j % 3) / 2 : 0.0);
            A[p[i] + p[j] * n] = v;
        }
}

Test(triangular_perm, detects_and_rejects)
{
    double A[40 * 40], G[40 * 40];
    int p[40], iw[80];
    int found = 0;
    for (int n = 3; n <= 20; n++)
        for (unsigned long long seed = 1; seed <= 4; seed++) {
            ptri(n, 100 * n + seed, 1.0, A, p);
            int r = expm_triangular_perm(n, A, n, iw);
            int ident = 1, rev = 1;
            for (int i = 0; i < n; i++)
                ident &= p[i] == i, rev &= p[i] == n - 1 - i;
            if (ident || rev)
                continue;   /* A is triangular itself: not this path's */
            cr_assert_eq(r, 1, "n = %d seed %llu", n, seed);
            found++;
            expm_perm_gather(n, iw, A, n, G, n);
            for (int j = 0; j < n; j++)
                for (int i = j + 1; i < n; i++)
                    cr_assert_eq(G[i + j * n], 0.0, "n = %d: T(%d,%d) below the diagonal", n, i, j);
            double B[40 * 40];
            expm_perm_scatter(n, iw, G, n, B, n);
            cr_assert_eq(memcmp(A, B, sizeof(double) * n * n), 0);
        }
    cr_expect_gt(found, 60);
    /* dense, triangular, a 3-cycle, NaN: no */
    tu_randn(5, 7, 1.0, A);
    cr_expect_eq(expm_triangular_perm(5, A, 5, iw), 0);
    double U[9] = {1, 0, 0, 2, 3, 0, 4, 5, 6}, L[9] = {1, 2, 4, 0, 3, 5, 0, 0, 6};
    cr_expect_eq(expm_triangular_perm(3, U, 3, iw), 0);
    cr_expect_eq(expm_triangular_perm(3, L, 3, iw), 0);
    double C[9] = {1, 0, 1, 1, 1, 0, 0, 1, 1};   /* 0->1->2->0 */
    cr_expect_eq(expm_triangular_perm(3, C, 3, iw), 0);
    double N[9] = {1, 0, 0, 0, 1, 2, 3, 0, NAN};
    cr_expect_eq(expm_triangular_perm(3, N, 3, iw), 0);
    cr_expect_eq(expm_triangular_perm(2, (double[]){1, 0, 1, 1}, 2, iw), 0);
}

static double relerr(int n, const double *X, const double *R)
{
    return tu_relerr(n, X, R);
}

Test(triangular_perm, default_exp_and_frechet_accurate, .timeout = 120)
{
    static const int ns[] = {4, 8, 12, 20};
    static const double cs[] = {1e10, 1e12, 1e14};
    double A[20 * 20], X[20 * 20], R[20 * 20], E[20 * 20], L[20 * 20], LR[20 * 20];
    int p[20];
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 3; b++) {
            int n = ns[a];
            ptri(n, 7 * n + b, cs[b], A, p);
            expm_info_t info;
            cr_assert_eq(expm_exp(NULL, n, A, n, X, n, &info), EXPM_OK, "n = %d c = %g: %s", n,
                         cs[b], info.message);
            cr_expect(!(info.warnings & EXPM_WARN_UNCERTAIN), "%s", info.message);
            cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
            /* measured <= 5e-16 (the old dense path: exit 1 on all of these
             * with c >= 1e12, "NaN or Inf arose") */
            cr_expect(relerr(n, X, R) <= 1e-14, "exp n = %d c = %g: %.3g", n, cs[b],
                      relerr(n, X, R));
            /* L for n <= 8: the reference L costs a 2n MPFR exponential, and
             * at n = 20, c = 1e10 L overflows (reference: ||L||_F ~ 1e324). */
            if (n <= 8) {
                tu_randn(n, 99 + n, 1.0, E);
                cr_assert_eq(expm_frechet(NULL, n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK,
                             "L n = %d c = %g: %s", n, cs[b], info.message);
                cr_assert_eq(expm_ref_frechet(n, A, n, E, n, LR, n, NULL, 0, 0, NULL), EXPM_OK);
                cr_expect(relerr(n, L, LR) <= 1e-13, "L n = %d c = %g: %.3g", n, cs[b],
                          relerr(n, L, LR));
            }
        }
}

Test(triangular_perm, batch_equals_one_by_one)
{
    double A[3 * 16], X[3 * 16], Y[16];
    int p[4];
    for (int k = 0; k < 3; k++)
        ptri(4, 40 + k, 1e12, A + 16 * k, p);
    expm_info_t info;
    cr_assert_eq(expm_exp_batch(NULL, 4, 3, A, 4, 16, X, 4, 16, 1, NULL, &info), EXPM_OK, "%s",
                 info.message);
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(expm_exp(NULL, 4, A + 16 * k, 4, Y, 4, NULL), EXPM_OK);
        cr_expect_eq(memcmp(X + 16 * k, Y, sizeof Y), 0, "block %d", k);
    }
}

/* expm_triangular_any: upper, lower or P T P^T; not a dense A. */
Test(triangular_perm, any_triangular_structure)
{
    double up[9] = {1, 0, 0, 2, 3, 0, 4, 5, 6}, lo[9] = {1, 2, 4, 0, 3, 5, 0, 0, 6};
    double perm[9] = {1, 0, 0, 1e300, 1, 1e300, 0, 0, 1}, dense[9] = {1, 2, 3, 4, 5, 6, 7, 8, 10};
    cr_expect(expm_triangular_any(3, up, 3));
    cr_expect(expm_triangular_any(3, lo, 3));
    cr_expect(expm_triangular_any(3, perm, 3));
    cr_expect(!expm_triangular_any(3, dense, 3));
}
