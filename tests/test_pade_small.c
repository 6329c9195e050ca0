/*
 * test_pade_small.c -- methods/pade_small.c: the fixed-size (n <= 16),
 * BLAS-free, malloc-free path of the default pade exp, against the certified
 * MPFR reference and against pade's BLAS path (expm_pade_blas_exp, methods/pade.c;
 * expm_exp("pade") itself dispatches to the small path for n <= 16).
 *
 * Accuracy criterion as tests/test_pade.c: phi = err / (u max(kappa_exp, 1))
 * with kappa_exp exact (Kronecker form of the reference L), phi <= 100
 * (DESIGN.md's bound for the production default: a forward-stable method
 * has phi = O(1); 100 leaves room for the constants of the error bounds but
 * fails any loss of two digits beyond kappa).
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../methods/methods.h"
#include "testutil.h"

#define PHI_MAX 100.0

/* Every named matrix with n <= 12 plus seeded random ones (n = 3..8, 1-norms
 * 0.01 .. 300, so that every m in {3,5,7,9,13} and s > 0 occur): phi <=
 * PHI_MAX against the reference, as for pade; and the same (m, s) as pade
 * unless pade's dlacn2 estimate of ||A^k|| fell short (small uses the exact
 * norm, a lower bound can only lower eta), which shows as a larger s, or the
 * same s and a larger m. Prints what it measured. */
#define NMAXSQ (EXPM_PADE_SMALL_MAXN * EXPM_PADE_SMALL_MAXN)
Test(pade_small, vs_reference_and_pade, .timeout = 120)
{
    static const double norms[] = {0.01, 0.2, 0.9, 2, 5, 30, 300};
    int nnamed = expm_testmat_count(), count = 0, same_ms = 0, rand_total = 6 * 7;
    double worst = 0.0, worst_diff = 0.0;
    for (int k = 0; k < nnamed + rand_total; k++) {
        double A[NMAXSQ], X[NMAXSQ], P[NMAXSQ], R[NMAXSQ];
        int n;
        char name[96];
        if (k < nnamed) {
            const expm_testmat_t *t = expm_testmat_get(k);
            /* n <= 12: the exact kappa (reference Kronecker form, n^2 x n^2)
             * of the n = 13..16 matrices costs ~30 s; those go through the
             * small path in test_pade.c and in `make check` (all 114). */
            if (t->n > EXPM_PADE_SMALL_MAXN || t->n > 12)
                continue;
            n = t->n;
            expm_testmat_colmajor(t, A);
            snprintf(name, sizeof name, "%s", t->name);
        } else {
            int r = k - nnamed;
            n = 3 + r / 7;
            tu_randn(n, 4242 + (uint64_t)r, norms[r % 7], A);
            snprintf(name, sizeof name, "randn(%d) ||A||_1=%g", n, norms[r % 7]);
        }
        expm_ref_info_t ri;
        expm_status rs = expm_ref_exp(n, A, n, R, n, 0, &ri);
        expm_info_t is, ip;
        expm_status ss = expm_pade_small_exp(n, A, n, X, n, &is);
        expm_status ps = expm_pade_blas_exp(n, A, n, P, n, &ip);
        cr_expect_eq(ss, ps, "%s: small %s, pade %s", name, expm_strerror(ss), expm_strerror(ps));
        if (rs != EXPM_OK) {
            /* Not representable (e.g. overflowing entries): both must say so. */
            cr_expect_neq(ss, EXPM_OK, "%s: reference %s but small OK", name, expm_strerror(rs));
            continue;
        }
        cr_assert_eq(ss, EXPM_OK, "%s: %s", name, is.message);
        double kappa = tu_kappa_exp(n, A);
        cr_assert(kappa > 0, "%s: kappa failed", name);
        double scale = TU_U * fmax(kappa, 1.0);
        double phi = tu_relerr(n, X, R) / scale, phip = tu_relerr(n, P, R) / scale;
        double diff = tu_relerr(n, X, P) / scale;
        int same = is.m == ip.m && is.s == ip.s;
        same_ms += same;
        printf("pade_small %-34s n=%d m=%2d s=%2d (pade m=%2d s=%2d) kappa=%9.3g phi=%8.3g "
               "pade phi=%8.3g diff=%8.3g\n", name, n, is.m, is.s, ip.m, ip.s, kappa, phi, phip,
               diff);
        cr_expect(phi <= PHI_MAX, "%s: phi = %.3g > %g (pade phi %.3g)", name, phi, PHI_MAX, phip);
        cr_expect(same || is.s > ip.s || (is.s == ip.s && is.m > ip.m),
                  "%s: small m=%d s=%d below pade's m=%d s=%d", name, is.m, is.s, ip.m, ip.s);
        cr_expect_eq(is.warnings & EXPM_WARN_SCHUR, ip.warnings & EXPM_WARN_SCHUR,
                     "%s: hump switch differs", name);
        worst = fmax(worst, phi);
        worst_diff = fmax(worst_diff, diff);
        count++;
    }
    printf("pade_small: %d matrices, worst phi %.3g, worst |small - pade| / (u kappa) %.3g, "
           "same (m,s) as pade on %d\n", count, worst, worst_diff, same_ms);
    cr_expect(count >= 60, "only %d matrices checked", count);
}

/* Paths shared with pade.c must give pade's result bit for bit: n = 2 (the
 * closed form), n > 8 (delegated), and matrices that take the Schur switch
 * (both call pade_schur.c on the same A). */
Test(pade_small, shared_paths_bit_identical)
{
    double A[144], X[144], P[144];
    expm_info_t is, ip;
    tu_randn(2, 7, 3.0, A);
    cr_assert_eq(expm_pade_small_exp(2, A, 2, X, 2, &is), EXPM_OK);
    cr_assert_eq(expm_exp("pade", 2, A, 2, P, 2, &ip), EXPM_OK);
    cr_expect(memcmp(X, P, 4 * sizeof(double)) == 0, "n=2 differs from pade");
    tu_randn(12, 8, 3.0, A);
    cr_assert_eq(expm_pade_small_exp(12, A, 12, X, 12, &is), EXPM_OK);
    cr_assert_eq(expm_exp("pade", 12, A, 12, P, 12, &ip), EXPM_OK);
    cr_expect(memcmp(X, P, 144 * sizeof(double)) == 0, "n=12 differs from pade");
    cr_expect_eq(is.products, ip.products);
    /* Q T Q^T with T strictly upper 1e3 and negative diagonal (the
     * non-normal family of expmkit.h): pade switches to Schur here. */
    int n = 6;
    double T[36] = {0}, Q[36], W[36];
    for (int j = 0; j < n; j++) {
        T[j + j * n] = -1.0 - j;
        for (int i = 0; i < j; i++)
            T[i + j * n] = 1e3;
    }
    tu_randn(n, 99, 1.0, Q);
    double tau[6];
    LAPACKE_dgeqrf(LAPACK_COL_MAJOR, n, n, Q, n, tau);
    LAPACKE_dorgqr(LAPACK_COL_MAJOR, n, n, n, Q, n, tau);
    for (int j = 0; j < n; j++)          /* W = T Q^T */
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += T[i + k * n] * Q[j + k * n];
            W[i + j * n] = s;
        }
    for (int j = 0; j < n; j++)          /* A = Q W */
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += Q[i + k * n] * W[k + j * n];
            A[i + j * n] = s;
        }
    cr_assert_eq(expm_pade_blas_exp(n, A, n, P, n, &ip), EXPM_OK, "%s", ip.message);
    cr_assert(ip.warnings & EXPM_WARN_SCHUR, "the example no longer takes pade's Schur switch");
    cr_assert_eq(expm_pade_small_exp(n, A, n, X, n, &is), EXPM_OK, "%s", is.message);
    cr_expect(is.warnings & EXPM_WARN_SCHUR, "small did not switch to Schur");
    cr_expect(memcmp(X, P, (size_t)n * n * sizeof(double)) == 0, "Schur result differs");
}

/* Structured input: upper, lower (transposed path) and quasi triangular
 * matrices get the exact diagonal (blocks): compare with the reference at
 * the phi bound, and the diagonal of exp(diag) exactly as e^a_ii. */
/* The squarings' hump estimate is first summed with the free bound
 * || |Z|^2 || <= ||Z||^2 (within a budget) and the squarings are redone
 * with the estimate itself when that sum passes the switch (squarings in
 * pade_small.c). The switch must still fire exactly where pade's BLAS
 * path, which always forms the estimate, fires. 3000 random matrices,
 * n = 3..16, ||A||_1 = 1..1e6, plain, nonnormal and graded (2^(3(i-j))):
 * measured, 93 of them take the redo and 10 switch; the same matrices gave
 * bit-identical exp(A) before the bound was introduced. */
Test(pade_small, hump_bound_same_switch_as_pade, .timeout = 60)
{
    double A[256], X[256], P[256];
    int switched = 0;
    for (int t = 0; t < 3000; t++) {
        int n = 3 + t % 14;
        double norm = pow(10.0, (t / 14) % 7);
        tu_randn(n, 1000 + (unsigned long long)t, norm, A);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                if (t % 3 == 1 && i > j)
                    A[i + j * n] *= 1e-3;
                if (t % 3 == 2)
                    A[i + j * n] *= pow(2.0, 3.0 * (i - j));
            }
        expm_info_t is, ip;
        expm_status ss = expm_pade_small_exp(n, A, n, X, n, &is);
        expm_status ps = expm_pade_blas_exp(n, A, n, P, n, &ip);
        cr_assert_eq(ss, ps, "t=%d: small %s, pade %s", t, expm_strerror(ss), expm_strerror(ps));
        cr_assert_eq(is.warnings & EXPM_WARN_SCHUR, ip.warnings & EXPM_WARN_SCHUR,
                     "t=%d (n=%d, ||A||_1=%g): hump switch differs", t, n, norm);
        switched += !!(is.warnings & EXPM_WARN_SCHUR);
    }
    cr_expect_geq(switched, 1, "no matrix switched: the test lost its hump cases");
}

Test(pade_small, structured)
{
    int n = 5;
    double U[25] = {0}, L[25], X[25], R[25];
    for (int j = 0; j < n; j++)
        for (int i = 0; i <= j; i++)
            U[i + j * n] = (i == j) ? -3.0 * j + 0.5 : 2.0 + i - 0.7 * j;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            L[i + j * n] = U[j + i * n];
    double Qt[25];
    memcpy(Qt, U, sizeof U);
    Qt[1 + 0 * n] = -4.0;                /* 2x2 block at (0,1): complex pair */
    const double *cases[3] = {U, L, Qt};
    const char *names[3] = {"upper", "lower", "quasi-upper"};
    for (int c = 0; c < 3; c++) {
        expm_info_t info;
        expm_ref_info_t ri;
        cr_assert_eq(expm_ref_exp(n, cases[c], n, R, n, 0, &ri), EXPM_OK);
        cr_assert_eq(expm_pade_small_exp(n, cases[c], n, X, n, &info), EXPM_OK, "%s", info.message);
        double kappa = tu_kappa_exp(n, cases[c]);
        double phi = tu_relerr(n, X, R) / (TU_U * fmax(kappa, 1.0));
        printf("pade_small structured %-11s s=%d phi=%.3g\n", names[c], info.s, phi);
        cr_expect(phi <= PHI_MAX, "%s: phi %.3g", names[c], phi);
    }
    double D[16] = {0}, XD[16];
    for (int i = 0; i < 4; i++)
        D[i + 4 * i] = 10.0 * i - 7.3;
    cr_assert_eq(expm_pade_small_exp(4, D, 4, XD, 4, NULL), EXPM_OK);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(XD[i + 4 * i], exp(D[i + 4 * i]), "diag %d: %.17g", i, XD[i + 4 * i]);
}

/* Errors as pade: overflow with its size, X untouched; bad arguments. */
Test(pade_small, errors)
{
    double A[16], X[16], keep[16];
    for (int k = 0; k < 16; k++)
        A[k] = 200.0 + k;                /* full positive: exp ~ e^(200*4) overflows */
    for (int k = 0; k < 16; k++)
        X[k] = keep[k] = -1.0 - k;
    expm_info_t info;
    cr_expect_eq(expm_pade_small_exp(4, A, 4, X, 4, &info), EXPM_EOVERFLOW, "%s", info.message);
    cr_expect(info.log10_norm > 308 && info.log10_norm < 400, "log10_norm %g", info.log10_norm);
    cr_expect(memcmp(X, keep, sizeof X) == 0, "X written on overflow");
    A[5] = NAN;
    cr_expect_eq(expm_pade_small_exp(4, A, 4, X, 4, &info), EXPM_EINVAL);
    A[5] = 0.0;
    cr_expect_eq(expm_pade_small_exp(-1, A, 4, X, 4, &info), EXPM_EINVAL);
    cr_expect_eq(expm_pade_small_exp(4, A, 3, X, 4, &info), EXPM_EINVAL);
    cr_expect_eq(expm_pade_small_exp(4, A, 4, X, 3, &info), EXPM_EINVAL);
    cr_expect_eq(expm_pade_small_exp(0, A, 1, X, 1, &info), EXPM_OK);
    cr_expect(memcmp(X, keep, sizeof X) == 0, "X written on an argument error");
}
