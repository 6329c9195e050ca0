/*
 * test_illcond.c -- methods/illcond.c (EXPM_WARN_ILLCOND): its kappa is a
 * lower bound of the exact kappa_exp from the *reference* (Kronecker form,
 * testutil.h), close to it where the warning matters, and the warning is
 * set on the rotated Jordan blocks of the outside audit (every double method
 * wrong there, silently before) and not where the result is accurate.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../methods/methods.h"
#include "../src/dense.h"
#include "nonnormal.h"
#include "testutil.h"

/* J = s (N + lam I), N the k-by-k nilpotent shift; A = Q J Q^T (long double
 * sums, as nonnormal.h), Q orthogonal from `seed`. */
static void rotated_jordan(int k, double s, double lam, uint64_t seed, double *A, double *J)
{
    double Q[64];
    cr_assert_eq(nn_orthogonal(k, seed, Q), 0);
    for (int i = 0; i < k * k; i++)
        J[i] = 0.0;
    for (int i = 0; i < k; i++) {
        J[i + (size_t)i * k] = s * lam;
        if (i + 1 < k)
            J[i + (size_t)(i + 1) * k] = s;
    }
    for (int j = 0; j < k; j++)
        for (int i = 0; i < k; i++) {
            long double acc = 0;
            for (int p = 0; p < k; p++)
                for (int q = p; q < k; q++)
                    acc += (long double)Q[i + (size_t)p * k] * J[p + (size_t)q * k] *
                           Q[j + (size_t)q * k];
            A[i + (size_t)j * k] = (double)acc;
        }
}

/* The audit's case: k = 6, s = 2e4 (u kappa = 25; pade's relative error
 * 3.5e6, measured against mpmath, exit 0 and no warning before). */
Test(illcond, rotated_jordan_is_warned_by_every_schur_path)
{
    double A[36], J[36], X[36], E[36], L[36];
    rotated_jordan(6, 2e4, 0.0, 11, A, J);
    tu_randn(6, 5, 1.0, E);
    const char *exp_methods[] = {"pade", "pade-schur"};
    for (int m = 0; m < 2; m++) {
        expm_info_t info;
        expm_status st = expm_exp(exp_methods[m], 6, A, 6, X, 6, &info);
        cr_expect_eq(st, EXPM_OK, "%s: %s", exp_methods[m], info.message);
        cr_expect(info.warnings & EXPM_WARN_ILLCOND, "%s: not warned (%s)", exp_methods[m],
                  info.message);
        cr_expect(strstr(info.message, "ill-conditioned") && strstr(info.message, "exp(A)"),
                  "%s: %s", exp_methods[m], info.message);
    }
    const char *fre_methods[] = {"pade", "pade-schur", "block"};
    for (int m = 0; m < 3; m++) {
        expm_info_t info;
        expm_status st = expm_frechet(fre_methods[m], 6, A, 6, E, 6, L, 6, NULL, 0, &info);
        cr_expect_eq(st, EXPM_OK, "%s: %s", fre_methods[m], info.message);
        cr_expect(info.warnings & EXPM_WARN_ILLCOND, "%s L: not warned (%s)", fre_methods[m],
                  info.message);
        cr_expect(strstr(info.message, "L(A,E)"), "%s: %s", fre_methods[m], info.message);
        st = expm_adjoint(fre_methods[m], 6, A, 6, E, 6, L, 6, &info);
        cr_expect_eq(st, EXPM_OK);
        cr_expect(info.warnings & EXPM_WARN_ILLCOND, "%s adjoint: not warned", fre_methods[m]);
    }
}

/* kappa_lo <= kappa (reference, Kronecker form) on Jordan blocks and the
 * non-normal family's T, each handed over as its own Schur form; and within
 * a factor 10 of it where the gate lets the estimate run. */
Test(illcond, kappa_is_a_lower_bound_close_to_the_reference)
{
    struct { int k; double s, lam; } jb[] = {
        {5, 2e4, 0.0}, {6, 1e3, 0.0}, {4, 1e5, -1e-3}, {6, 300.0, 0.01}, {3, 1e6, 0.0},
    };
    int blk[8] = {1, 1, 1, 1, 1, 1, 1, 1}, ran = 0;
    for (size_t c = 0; c < sizeof jb / sizeof jb[0]; c++) {
        int k = jb[c].k;
        double A[64], J[64], Z[64];
        rotated_jordan(k, jb[c].s, jb[c].lam, 3, A, J);
        cr_assert_eq(expm_exp("pade", k, J, k, Z, k, NULL), EXPM_OK); /* triangular: exact path */
        double klo = -1.0;
        expm_info_t info;
        expm_info_clear(&info);
        cr_assert_eq(expm_illcond_check(k, J, k, blk, Z, k, 0, 0, 0.0, "exp(A)", &klo, &info), EXPM_OK);
        double kref = tu_kappa_exp(k, J);
        cr_assert(kref > 0.0);
        cr_expect(klo <= kref * (1 + 1e-6), "case %zu: kappa_lo %.4g > kappa %.4g", c, klo, kref);
        if (klo > 0.0) {
            ran++;
            cr_expect(klo >= kref / 10, "case %zu: kappa_lo %.4g << kappa %.4g", c, klo, kref);
        }
        cr_expect(!(info.warnings & EXPM_WARN_ILLCOND) || TU_U * kref >= EXPM_UNCERTAIN_MIN,
                  "case %zu: warned with u kappa = %.3g", c, TU_U * kref);
    }
    cr_expect(ran >= 3, "the estimate ran on %d of 5 Jordan blocks", ran);
    for (int n = 4; n <= 7; n++) {
        double A[64], T[64], Z[64], klo = -1.0;
        cr_assert_eq(nn_matrix(n, 40 + (uint64_t)n, 1000.0, 2.0, 4.0, A, T, NULL), 0);
        cr_assert_eq(expm_exp("pade", n, T, n, Z, n, NULL), EXPM_OK);
        cr_assert_eq(expm_illcond_check(n, T, n, blk, Z, n, 0, 0, 0.0, "exp(A)", &klo, NULL), EXPM_OK);
        double kref = tu_kappa_exp(n, T);
        cr_expect(klo <= kref * (1 + 1e-6), "n = %d: kappa_lo %.4g > kappa %.4g", n, klo, kref);
    }
}

/* Not warned where the result is accurate: the triangular J itself (exact
 * diagonal, the normwise kappa says nothing about that path), a rotated
 * block below the threshold, and the non-normal family (u kappa < 2^-10
 * there, pade-schur phi <= 1.02: test_pade_schur). */
Test(illcond, accurate_results_are_not_warned)
{
    double A[100], J[64], X[100];
    rotated_jordan(6, 2e4, 0.0, 11, A, J);
    expm_info_t info;
    cr_assert_eq(expm_exp("pade", 6, J, 6, X, 6, &info), EXPM_OK);
    cr_expect(!(info.warnings & EXPM_WARN_ILLCOND), "triangular J: %s", info.message);
    /* exp(s N): (1, k) entry s^5 / 120 exactly as the series says */
    cr_expect(fabs(X[0 + 5 * 6] - pow(2e4, 5) / 120) <= 1e-15 * pow(2e4, 5) / 120);
    /* pade-schur on triangular and permuted triangular Jordan blocks (its
     * Schur form is A itself up to order, the diagonal exact): an outside
     * audit saw ILLCOND there with errors <= 5e-15. */
    const char *ops[] = {"exp", "frechet"};
    for (int perm = 0; perm < 2; perm++)
        for (int op = 0; op < 2; op++) {
            double P[36], E[36], L[36];
            int p5[6] = {2, 0, 5, 1, 3, 4};
            for (int j = 0; j < 6; j++)
                for (int i = 0; i < 6; i++) {
                    P[i + 6 * j] = perm ? J[p5[i] + 6 * p5[j]] : J[i + 6 * j];
                    E[i + 6 * j] = 1.0;
                }
            expm_status st = op ? expm_frechet("pade-schur", 6, P, 6, E, 6, L, 6, NULL, 0, &info)
                                : expm_exp("pade-schur", 6, P, 6, X, 6, &info);
            cr_expect_eq(st, EXPM_OK);
            cr_expect(!(info.warnings & EXPM_WARN_ILLCOND), "pade-schur %s, %s J: %s", ops[op],
                      perm ? "permuted" : "triangular", info.message);
        }
    rotated_jordan(6, 300.0, 0.0, 11, A, J);   /* u kappa ~ 1e-7 */
    cr_assert_eq(expm_exp("pade", 6, A, 6, X, 6, &info), EXPM_OK);
    cr_expect(!(info.warnings & EXPM_WARN_ILLCOND), "s = 300: %s", info.message);
    for (int n = 4; n <= 10; n += 3)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            cr_assert_eq(nn_matrix(n, seed, 1000.0, 2.0, 4.0, A, NULL, NULL), 0);
            cr_assert_eq(expm_exp("pade", n, A, n, X, n, &info), EXPM_OK);
            cr_expect(!(info.warnings & EXPM_WARN_ILLCOND), "n = %d seed %d: %s", n, (int)seed,
                      info.message);
        }
}

/* The gate: on random A of ||A||_1 = 1000 (the bench's large-norm matrices)
 * Gershgorin's mu alone let the two Frechet derivatives run (pade-schur 2-2.7x
 * slower at n = 16..256) where kappa is ~1e3; the bound from the squarings
 * and the exact mu_2 must stop them there (kappa_lo stays 0), consistently
 * with kappa itself (power-method estimate, src/cond.c). */
Test(illcond, gate_skips_random_large_norm)
{
    for (int n = 16; n <= 48; n += 32) {
        double *A = malloc(sizeof(double) * n * n), *T = malloc(sizeof(double) * n * n);
        double *Q = malloc(sizeof(double) * n * n), *Z = malloc(sizeof(double) * n * n);
        double *wr = malloc(sizeof(double) * 2 * n);
        int *blk = malloc(sizeof(int) * n);
        cr_assert(A && T && Q && Z && wr && blk);
        tu_randn(n, 1000 + (uint64_t)n, 1000.0, A);
        memcpy(T, A, sizeof(double) * n * n);
        lapack_int sdim;
        cr_assert_eq(LAPACKE_dgees(LAPACK_COL_MAJOR, 'V', 'N', NULL, n, T, n, &sdim, wr, wr + n,
                                   Q, n), 0);
        for (int k = 0; k < n;) {
            if (wr[n + k] != 0.0 && k + 1 < n) {
                blk[k] = 2, blk[k + 1] = 0, k += 2;
            } else {
                blk[k] = 1, k += 1;
            }
        }
        for (int j = 0; j < n; j++)
            for (int i = j + 1; i < n; i++)
                if (!(i == j + 1 && blk[j] == 2))
                    T[i + (size_t)j * n] = 0.0;
        long e = 0;
        double ln_h = INFINITY, klo = -1.0;
        expm_info_t info;
        expm_info_clear(&info);
        cr_assert_eq(expm_pade_core(n, T, n, blk, Z, &e, NULL, &ln_h, &info), EXPM_OK);
        cr_assert(isfinite(ln_h) && info.s > 0, "n = %d: s = %d, ln_h = %g", n, info.s, ln_h);
        cr_assert_eq(expm_illcond_check(n, T, n, blk, Z, n, e, info.s, ln_h, "exp(A)", &klo, NULL),
                     EXPM_OK);
        cr_expect_eq(klo, 0.0, "n = %d: the estimate ran (kappa_lo %g)", n, klo);
        double kappa = 0.0;
        cr_assert_eq(expm_cond_exp(n, A, n, &kappa, EXPM_COND_ESTIMATE, NULL), EXPM_OK);
        cr_expect(TU_U * kappa < EXPM_UNCERTAIN_MIN, "n = %d: u kappa = %g", n, TU_U * kappa);
        free(A), free(T), free(Q), free(Z), free(wr), free(blk);
    }
}
