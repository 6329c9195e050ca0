/*
 * test_taylor.c -- methods/taylor.c: Taylor scaling and squaring with the
 * Bader-Blanes-Casas 2019 schemes, and its Frechet derivative (forward
 * differentiation of the scheme), against closed forms and the certified
 * MPFR reference.
 *
 * Accuracy criterion as in test_pade.c: phi = err / (u max(kappa_exp, 1)),
 * kappa exact (Kronecker form of the reference L). A forward-stable method
 * has phi = O(1); 100 leaves room for the constants (n, the squarings) but
 * fails any loss of two digits beyond kappa.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <mpfr.h>
#include <stdio.h>

#include "../methods/taylor_table.h"
#include "nonnormal.h"
#include "testutil.h"

#define METHOD "taylor"
#define PHI_MAX 100.0
#define PREC 256
#define MAXD 19 /* polynomial degree <= 18 */

/* ---- polynomials in x with MPFR coefficients, degree < MAXD*2 ---- */
typedef struct {
    mpfr_t c[2 * MAXD];
} poly_t;

static void p_init(poly_t *p)
{
    for (int k = 0; k < 2 * MAXD; k++)
        mpfr_init2(p->c[k], PREC), mpfr_set_ui(p->c[k], 0, MPFR_RNDN);
}
static void p_clear(poly_t *p)
{
    for (int k = 0; k < 2 * MAXD; k++)
        mpfr_clear(p->c[k]);
}
/* r = sum_j w[j] b[j] + cI (w double: the scheme's coefficients as stored). */
static void p_lin(poly_t *r, double cI, const double *w, poly_t *const *b, int nb)
{
    mpfr_t t;
    mpfr_init2(t, PREC);
    for (int k = 0; k < 2 * MAXD; k++) {
        mpfr_set_d(r->c[k], k == 0 ? cI : 0.0, MPFR_RNDN);
        for (int j = 0; j < nb; j++) {
            mpfr_mul_d(t, b[j]->c[k], w[j], MPFR_RNDN);
            mpfr_add(r->c[k], r->c[k], t, MPFR_RNDN);
        }
    }
    mpfr_clear(t);
}
static void p_mul(poly_t *r, const poly_t *a, const poly_t *b)
{
    mpfr_t t;
    mpfr_init2(t, PREC);
    poly_t tmp;
    p_init(&tmp);
    for (int i = 0; i < 2 * MAXD; i++)
        for (int j = 0; i + j < 2 * MAXD; j++) {
            mpfr_mul(t, a->c[i], b->c[j], MPFR_RNDN);
            mpfr_add(tmp.c[i + j], tmp.c[i + j], t, MPFR_RNDN);
        }
    for (int k = 0; k < 2 * MAXD; k++)
        mpfr_set(r->c[k], tmp.c[k], MPFR_RNDN);
    p_clear(&tmp);
    mpfr_clear(t);
}
static void p_add(poly_t *r, const poly_t *a)
{
    for (int k = 0; k < 2 * MAXD; k++)
        mpfr_add(r->c[k], r->c[k], a->c[k], MPFR_RNDN);
}

/* The schemes of methods/taylor.c, evaluated on the polynomial x with the
 * stored double coefficients: the coefficient of x^k must be 1/k! for
 * k <= m and 0 above (each scheme has degree exactly m). With the x7 bug
 * (x3 instead of x3^2) T8 is wrong from k = 5 on and this fails. The
 * tolerance 2e-15 relative covers the rounding of the stored coefficients
 * to double (ALGORITHMS.md measured <= 1e-15 for T18, 5e-18 for T12). */
Test(taylor, schemes_reproduce_inverse_factorials)
{
    poly_t x, x2, x3, x6, a, b, c, d, e, r;
    poly_t *all[] = {&x, &x2, &x3, &x6, &a, &b, &c, &d, &e, &r};
    for (int i = 0; i < 10; i++)
        p_init(all[i]);
    mpfr_set_ui(x.c[1], 1, MPFR_RNDN);
    p_mul(&x2, &x, &x);
    p_mul(&x3, &x2, &x);
    for (int di = 0; di < TAYLOR_NDEG; di++) {
        int m = TAYLOR_DEG[di];
        switch (m) {
        case 1: {
            const double w[1] = {1};
            poly_t *B[1] = {&x};
            p_lin(&r, 1, w, B, 1);
            break;
        }
        case 2: {
            const double w[2] = {1, 0.5};
            poly_t *B[2] = {&x, &x2};
            p_lin(&r, 1, w, B, 2);
            break;
        }
        case 4: {
            const double w[2] = {1.0 / 6, 1.0 / 24}, w1[1] = {1};
            poly_t *B[2] = {&x, &x2}, *B1[1] = {&x};
            p_lin(&a, 0.5, w, B, 2);
            p_mul(&r, &x2, &a);
            p_lin(&b, 1, w1, B1, 1);
            p_add(&r, &b);
            break;
        }
        case 8: {
            double xs[8], y2;
            taylor_t8_coefs(xs, &y2);
            poly_t *B[2] = {&x, &x2};
            const double wp[2] = {xs[1], xs[2]};
            p_lin(&a, 0, wp, B, 2);
            p_mul(&b, &x2, &a);                                /* A4 */
            poly_t *B3[3] = {&x, &x2, &b};
            const double wq[3] = {0, xs[3], 1}, wr[3] = {xs[5], xs[6], xs[7]};
            p_lin(&c, 0, wq, B3, 3);
            p_lin(&d, xs[4], wr, B3, 3);
            p_mul(&r, &c, &d);                                 /* A8 */
            const double wx[2] = {1, y2};
            p_lin(&e, 1, wx, B, 2);
            p_add(&r, &e);
            break;
        }
        case 12: {
            poly_t *B[3] = {&x, &x2, &x3}, *R[4] = {&a, &b, &c, &d};
            for (int i = 0; i < 4; i++)
                p_lin(R[i], TAYLOR_T12B[i][0], &TAYLOR_T12B[i][1], B, 3);
            p_mul(&x6, &d, &d);                                /* A6 = B3^2 */
            p_add(&c, &x6);                                    /* B2 += A6 */
            p_add(&b, &c);                                     /* B1 + B2 */
            p_mul(&r, &b, &c);
            p_add(&r, &a);
            break;
        }
        default: {
            p_mul(&x6, &x3, &x3);
            poly_t *B[4] = {&x, &x2, &x3, &x6};
            poly_t b4;
            p_init(&b4);
            p_lin(&a, TAYLOR_T18B[0][0], &TAYLOR_T18B[0][1], B, 4);
            p_lin(&b, TAYLOR_T18B[1][0], &TAYLOR_T18B[1][1], B, 4);
            p_lin(&c, TAYLOR_T18B[2][0], &TAYLOR_T18B[2][1], B, 4);
            p_lin(&d, TAYLOR_T18B[3][0], &TAYLOR_T18B[3][1], B, 4);
            p_lin(&b4, TAYLOR_T18B[4][0], &TAYLOR_T18B[4][1], B, 4);
            p_mul(&e, &a, &b4);
            p_add(&e, &d);                                     /* A9 */
            p_add(&c, &e);                                     /* B2 + A9 */
            p_mul(&r, &c, &e);
            p_add(&r, &b);
            p_clear(&b4);
            break;
        }
        }
        mpfr_t f, t;
        mpfr_inits2(PREC, f, t, (mpfr_ptr)0);
        double worst = 0;
        for (int k = 0; k < 2 * MAXD; k++) {
            if (k <= m) {
                mpfr_fac_ui(f, (unsigned long)k, MPFR_RNDN);
                mpfr_mul(t, r.c[k], f, MPFR_RNDN);
                mpfr_sub_ui(t, t, 1, MPFR_RNDN);               /* c_k k! - 1 */
                double rel = fabs(mpfr_get_d(t, MPFR_RNDN));
                worst = fmax(worst, rel);
                cr_expect(rel <= 2e-15, "T%d: coefficient of x^%d is (1 + %.3g)/%d!", m, k, rel, k);
            } else {
                cr_expect(mpfr_zero_p(r.c[k]), "T%d: nonzero coefficient of x^%d", m, k);
            }
        }
        printf("T%-2d: max_k<=m |c_k k! - 1| = %.3g\n", m, worst);
        mpfr_clears(f, t, (mpfr_ptr)0);
    }
    for (int i = 0; i < 10; i++)
        p_clear(all[i]);
}

/* theta_1 = 2u: h_2(x) ~ -x^2/2, h(theta)/theta = u exactly at 2u. And the
 * thetas increase with m (a sanity check on the table). */
Test(taylor, theta_table)
{
    cr_expect_eq(TAYLOR_THETA[0], DBL_EPSILON); /* 2u */
    for (int i = 1; i < TAYLOR_NDEG; i++)
        cr_expect_gt(TAYLOR_THETA[i], TAYLOR_THETA[i - 1]);
}

/* Degree selection by the norm: one matrix per theta bracket; m, the
 * product count (BBC: 0, 1, 2, 3, 4, 5 for m = 1..18, + s squarings) and the
 * accuracy (phi vs the reference) at each degree. */
Test(taylor, degree_selection_and_products)
{
    static const double norms[] = {1e-16, 1e-9, 1e-4, 0.03, 0.2, 0.9, 30};
    static const int want_m[] = {1, 2, 4, 8, 12, 18, 18};
    static const long want_p[] = {0, 1, 2, 3, 4, 5, -1};
    int n = 4;
    for (int k = 0; k < 7; k++) {
        double A[16], X[16], R[16];
        /* a diagonal matrix has ||A^k||^(1/k) = ||A||: no d_k shortcut. */
        memset(A, 0, sizeof A);
        for (int i = 0; i < n; i++)
            A[i * 5] = (i % 2 ? -1 : 1) * norms[k] * (1.0 - 0.1 * i);
        expm_info_t info;
        cr_assert_eq(expm_exp(METHOD, n, A, n, X, n, &info), EXPM_OK);
        cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
        double err = tu_relerr(n, X, R), kappa = norms[k] * 1.0; /* diagonal: kappa <= max|a_ii| */
        printf("||A||=%g m=%d s=%d products=%ld err=%.3g\n", norms[k], info.m, info.s,
               info.products, err);
        cr_expect_eq(info.m, want_m[k], "||A|| = %g: m = %d", norms[k], info.m);
        if (want_p[k] >= 0)
            cr_expect_eq(info.products, want_p[k], "||A|| = %g: products %ld", norms[k],
                         info.products);
        else
            cr_expect_eq(info.products, 5 + info.s, "products %ld, s %d", info.products, info.s);
        cr_expect_eq(info.solves, 0);
        cr_expect(err <= PHI_MAX * TU_U * fmax(kappa, 1.0), "||A|| = %g: err %.3g", norms[k], err);
    }
}

Test(taylor, closed_forms)
{
    double Z[9] = {0}, X[9];
    cr_assert_eq(expm_exp(METHOD, 3, Z, 3, X, 3, NULL), EXPM_OK);
    for (int i = 0; i < 9; i++)
        cr_expect_eq(X[i], i % 4 == 0 ? 1.0 : 0.0);
    cr_assert_eq(expm_exp(METHOD, 0, NULL, 1, NULL, 1, NULL), EXPM_OK);
    /* Scalars: kappa = |a|, so |x - e^a| <= PHI_MAX u max(|a|,1) e^a. */
    double s[] = {700, -700, 1e-10, -1e-10, 30, -30, 1};
    for (int k = 0; k < 7; k++) {
        double x, r = exp(s[k]);
        cr_assert_eq(expm_exp(METHOD, 1, &s[k], 1, &x, 1, NULL), EXPM_OK);
        cr_expect(fabs(x - r) <= PHI_MAX * TU_U * fmax(fabs(s[k]), 1) * r,
                  "exp(%g): %.17g vs %.17g", s[k], x, r);
    }
    /* Rotation by theta: kappa ~ theta. */
    double th[] = {1, 100, 1e4};
    for (int k = 0; k < 3; k++) {
        double A[4] = {0, -th[k], th[k], 0}, Y[4];
        cr_assert_eq(expm_exp(METHOD, 2, A, 2, Y, 2, NULL), EXPM_OK);
        double c = cos(th[k]), sn = sin(th[k]), want[4] = {c, -sn, sn, c};
        double err = tu_relerr(2, Y, want);
        cr_expect(err <= PHI_MAX * TU_U * th[k], "theta=%g: err %.3g", th[k], err);
    }
    /* Nilpotent D1: exp = [[1 6 18 36],[0 1 6 18],[0 0 1 6],[0 0 0 1]], exact
     * integers; the squarings of 2^-s A keep them to a few ulps. */
    double N[16] = {0}, Y[16];
    N[4] = N[9] = N[14] = 6;
    cr_assert_eq(expm_exp(METHOD, 4, N, 4, Y, 4, NULL), EXPM_OK);
    double want[16] = {1, 0, 0, 0, 6, 1, 0, 0, 18, 6, 1, 0, 36, 18, 6, 1};
    for (int i = 0; i < 16; i++)
        cr_expect(fabs(Y[i] - want[i]) <= 8 * DBL_EPSILON * want[i], "entry %d: %.17g", i, Y[i]);
}

/* exp against the reference on the classic named matrices (n <= 4, exact
 * kappa) and random ones: phi <= PHI_MAX. Measured worst: ~35 (O2). */
Test(taylor, exp_vs_reference_phi, .timeout = 120)
{
    double worst = 0;
    const char *worst_name = "";
    int count = expm_testmat_count();
    for (int k = 0; k < count + 4; k++) {
        double A[64], X[64], R[64];
        int n;
        const char *name;
        if (k < count) {
            const expm_testmat_t *t = expm_testmat_get(k);
            if (t->n > 4)
                continue;
            n = t->n;
            tu_small_colmajor(t, A);
            name = t->name;
        } else {
            static const double norms[] = {0.3, 3, 30, 300};
            n = 8;
            tu_randn(n, 1000 + (uint64_t)k, norms[k - count], A);
            name = "randn(8)";
        }
        expm_ref_info_t ri;
        expm_status rs = expm_ref_exp(n, A, n, R, n, 0, &ri);
        if (rs == EXPM_EOVERFLOW)
            continue;
        cr_assert_eq(rs, EXPM_OK, "%s: reference failed: %s", name, ri.message);
        expm_info_t info;
        cr_assert_eq(expm_exp(METHOD, n, A, n, X, n, &info), EXPM_OK, "%s: %s", name,
                     info.message);
        double kappa = tu_kappa_exp(n, A);
        cr_assert(kappa > 0, "%s: kappa failed", name);
        double err = tu_relerr(n, X, R), phi = err / (TU_U * fmax(kappa, 1.0));
        cr_expect(phi <= PHI_MAX, "%s: phi = %.3g (err %.3g, kappa %.3g, m %d, s %d)", name,
                  phi, err, kappa, info.m, info.s);
        if (phi > worst)
            worst = phi, worst_name = name;
    }
    printf("taylor exp: worst phi %.3g (%s)\n", worst, worst_name);
}

/* L(A,E) against the reference L on the same matrices: err_L <= PHI_MAX u
 * max(kappa_exp, 1), the bound test_pade.c uses for Alg. 6.4 (L is the
 * exact derivative of a backward-stable map; its condition is of the size
 * of kappa_exp on these, measured). Measured worst ~12 (O2). */
Test(taylor, frechet_vs_reference, .timeout = 120)
{
    double worst = 0;
    const char *worst_name = "";
    for (int k = 0; k < expm_testmat_count(); k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        int n = t->n;
        if (n > 4)
            continue;
        double A[16], E[16], L[16], X[16], RL[16], RX[16];
        tu_small_colmajor(t, A);
        tu_randn(n, 77 + (uint64_t)k, 0, E);
        expm_ref_info_t ri;
        expm_status rs = expm_ref_frechet(n, A, n, E, n, RL, n, RX, n, 0, &ri);
        if (rs == EXPM_EOVERFLOW)
            continue;
        cr_assert_eq(rs, EXPM_OK, "%s: %s", t->name, ri.message);
        expm_info_t info;
        cr_assert_eq(expm_frechet(METHOD, n, A, n, E, n, L, n, X, n, &info), EXPM_OK, "%s: %s",
                     t->name, info.message);
        double kappa = tu_kappa_exp(n, A);
        double e = tu_relerr(n, L, RL), phi = e / (TU_U * fmax(kappa, 1.0));
        cr_expect(phi <= PHI_MAX, "%s: L err %.3g, phi %.3g", t->name, e, phi);
        /* X from the Frechet call is exp(A) as well. */
        double ex = tu_relerr(n, X, RX);
        cr_expect(ex <= PHI_MAX * TU_U * fmax(kappa, 1.0), "%s: X err %.3g", t->name, ex);
        if (phi > worst)
            worst = phi, worst_name = t->name;
    }
    printf("taylor frechet: worst phi %.3g (%s)\n", worst, worst_name);
}

/* <G, L(A,E)> = <L(A^T,G), E>: exact mathematically for the derivative of
 * a polynomial with real coefficients followed by squaring (the computed
 * maps at A and A^T are transposes of each other up to rounding). */
Test(taylor, adjoint_identity)
{
    for (int n = 1; n <= 12; n += 5) {
        for (int trial = 0; trial < 3; trial++) {
            double A[144], E[144], G[144], L[144], Lt[144];
            tu_randn(n, 500 + (uint64_t)(10 * n + trial), 0.01 + 8.0 * trial, A);
            tu_randn(n, 600 + (uint64_t)(10 * n + trial), 0, E);
            tu_randn(n, 700 + (uint64_t)(10 * n + trial), 0, G);
            cr_assert_eq(expm_frechet(METHOD, n, A, n, E, n, L, n, NULL, 0, NULL), EXPM_OK);
            cr_assert_eq(expm_adjoint(METHOD, n, A, n, G, n, Lt, n, NULL), EXPM_OK);
            long double lhs = 0, rhs = 0, mag = 0;
            for (int i = 0; i < n * n; i++) {
                lhs += (long double)G[i] * L[i];
                rhs += (long double)Lt[i] * E[i];
                mag += fabsl((long double)G[i] * L[i]);
            }
            double d = (double)(fabsl(lhs - rhs) / mag);
            cr_expect(d <= 1e3 * TU_U, "n=%d trial %d: rel %.3g", n, trial, d);
        }
    }
}

/* Overflow is reported with its size; outputs untouched. */
Test(taylor, overflow_is_reported)
{
    double A[9] = {800, 0, 0, 1, 1, 0, 0, 0, 1}, X[9];
    for (int i = 0; i < 9; i++)
        X[i] = 42.0;
    expm_info_t info;
    cr_assert_eq(expm_exp(METHOD, 3, A, 3, X, 3, &info), EXPM_EOVERFLOW);
    cr_expect(fabs(info.log10_norm - 800 / log(10.0)) < 0.01, "log10 %.4f", info.log10_norm);
    for (int i = 0; i < 9; i++)
        cr_expect_eq(X[i], 42.0);
    cr_expect_eq(expm_frechet(METHOD, 3, A, 3, A, 3, X, 3, NULL, 0, &info), EXPM_EOVERFLOW);
}

/* Every named matrix (all sizes): OK with a finite result, or an error
 * with a message -- never a non-finite success. */
Test(taylor, runs_on_all_named_matrices, .timeout = 60)
{
    for (int k = 0; k < expm_testmat_count(); k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        int n = t->n;
        double *A = malloc(sizeof(double) * 4 * n * n), *X = A + n * n, *E = X + n * n,
               *L = E + n * n;
        tu_small_colmajor(t, A);
        tu_randn(n, 5, 0, E);
        expm_info_t info;
        expm_status st = expm_exp(METHOD, n, A, n, X, n, &info);
        int fin = 1;
        for (int i = 0; i < n * n; i++)
            fin &= isfinite(X[i]) != 0;
        cr_expect(st == EXPM_OK ? fin : info.message[0] != 0, "%s: %d %s", t->name, st,
                  info.message);
        st = expm_frechet(METHOD, n, A, n, E, n, L, n, NULL, 0, &info);
        fin = 1;
        for (int i = 0; i < n * n; i++)
            fin &= isfinite(L[i]) != 0;
        cr_expect(st == EXPM_OK ? fin : info.message[0] != 0, "%s: %d %s", t->name, st,
                  info.message);
        free(A);
    }
}

/* Finite entries whose 1-norm is Inf (+-DBL_MAX): pre-scaling must not take
 * log2(Inf) (that looped); the result is an overflow / non-finite error,
 * or a finite exp -- quickly. */
Test(taylor, infinite_norm_finite_entries, .timeout = 10)
{
    double A[4] = {DBL_MAX, DBL_MAX, -DBL_MAX, DBL_MAX}, X[4], E[4] = {1, 0, 0, 1}, L[4];
    expm_info_t info;
    expm_status st = expm_exp(METHOD, 2, A, 2, X, 2, &info);
    cr_expect(st == EXPM_EOVERFLOW || st == EXPM_ENONFINITE, "status %d: %s", st, info.message);
    st = expm_frechet(METHOD, 2, A, 2, E, 2, L, 2, NULL, 0, &info);
    cr_expect(st == EXPM_EOVERFLOW || st == EXPM_ENONFINITE, "status %d: %s", st, info.message);
    /* -DBL_MAX I: exp underflows to 0 -- a finite result. */
    double B[4] = {-DBL_MAX, 0, 0, -DBL_MAX};
    st = expm_exp(METHOD, 2, B, 2, X, 2, &info);
    cr_expect(st == EXPM_OK || st == EXPM_ENONFINITE, "status %d: %s", st, info.message);
    if (st == EXPM_OK)
        for (int i = 0; i < 4; i++)
            cr_expect(isfinite(X[i]));
}

/* The hump warning (EXPM_WARN_HUMP): taylor has no Schur fallback, so when its
 * squarings amplify rounding errors past 2^32 it must say so. An outside
 * audit found, silent: relative error 7e44 on this 2x2 (complex pair,
 * ||A||_1 ~ 2.7e9, kappa_exp 1.2e18). pade-plain warns alike; the default
 * (2x2 closed form) is accurate and does not warn. No false alarm on
 * random matrices (norms 1..1e3). */
Test(taylor, hump_warning)
{
    double A[4] = {60949027.93452666, 1392287.6220482138, -2668112797.309514,
                   -60948969.127319627}, X[4], E[4] = {1, 2, 3, 4}, L[4];
    expm_info_t info;
    cr_assert_eq(expm_exp(METHOD, 2, A, 2, X, 2, &info), EXPM_OK, "%s", info.message);
    cr_expect(info.warnings & EXPM_WARN_HUMP, "taylor exp: no hump warning");
    cr_assert_eq(expm_frechet(METHOD, 2, A, 2, E, 2, L, 2, NULL, 0, &info), EXPM_OK);
    cr_expect(info.warnings & EXPM_WARN_HUMP, "taylor frechet: no hump warning");
    cr_assert_eq(expm_exp("pade-plain", 2, A, 2, X, 2, &info), EXPM_OK);
    cr_expect(info.warnings & EXPM_WARN_HUMP, "pade-plain: no hump warning");
    cr_assert_eq(expm_exp(NULL, 2, A, 2, X, 2, &info), EXPM_OK);
    cr_expect(!(info.warnings & EXPM_WARN_HUMP), "pade warned");
    double R[4];
    cr_assert_eq(expm_ref_exp(2, A, 2, R, 2, 0, NULL), EXPM_OK);
    cr_expect(tu_relerr(2, X, R) <= 1e-14, "default err %.3g", tu_relerr(2, X, R));
    int alarms = 0;
    for (int k = 0; k < 24; k++) {
        int n = 3 + k % 10;
        double B[144], Y[144];
        tu_randn(n, 3100 + (unsigned long long)k, pow(10.0, k % 4), B);
        cr_assert_eq(expm_exp(METHOD, n, B, n, Y, n, &info), EXPM_OK);
        alarms += (info.warnings & EXPM_WARN_HUMP) != 0;
    }
    cr_expect_eq(alarms, 0, "hump warning on %d of 24 random matrices", alarms);
}

/* A claimed overflow after a hump is not believed: on the non-normal family
 * (n = 10, strictly upper entries to 1e5, negative diagonal: exp(A) is
 * small) the squarings of taylor and pade-plain amplify rounding errors by
 * ~2^200 and came out "overflowing double, ~1e318" (an outside audit: zoh
 * -m taylor at dt = 100, whose true [Abar Bbar] has norm 9e12). Now a
 * method failure that says so (EXPM_ENONFINITE, "lost all accuracy"); the
 * default (Schur path) returns a finite result. A true
 * overflow after a hump (the same A shifted by +800 I: e^alpha(A) >
 * DBL_MAX) is still one. */
Test(taylor, hump_overflow_is_not_claimed, .timeout = 60)
{
    enum { N = 10 };
    double A[N * N], X[N * N], E[N * N], L[N * N];
    cr_assert_eq(nn_matrix(N, 1, 3.0, 2.0, 5.0, A, NULL, NULL), 0);
    tu_randn(N, 77, 1.0, E);
    expm_info_t info;
    static const char *ms[2] = {"taylor", "pade-plain"};
    for (int q = 0; q < 2; q++) {
        expm_status st = expm_exp(ms[q], N, A, N, X, N, &info);
        cr_expect(st == EXPM_ENONFINITE && strstr(info.message, "lost all accuracy"),
                  "%s: status %d, %s", ms[q], st, info.message);
    }
    expm_status st = expm_frechet("taylor", N, A, N, E, N, L, N, NULL, 0, &info);
    cr_expect(st == EXPM_ENONFINITE && strstr(info.message, "lost all accuracy"),
              "taylor L: status %d, %s", st, info.message);
    cr_assert_eq(expm_exp(NULL, N, A, N, X, N, &info), EXPM_OK, "%s", info.message);
    for (int k = 0; k < N * N; k++)
        cr_expect(isfinite(X[k]), "default: X[%d] = %g", k, X[k]);
    for (int i = 0; i < N; i++)
        A[i + i * N] += 800.0;
    st = expm_exp("taylor", N, A, N, X, N, &info);
    cr_expect(st == EXPM_EOVERFLOW, "shifted: status %d, %s", st, info.message);
}
