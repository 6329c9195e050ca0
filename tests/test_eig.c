/*
 * test_eig.c -- methods/eig.c: exp(A) = V diag(e^lambda) V^-1 and the
 * Daleckii-Krein L(A,E), against closed forms and the certified MPFR
 * reference, and its documented failure on (nearly) defective matrices.
 *
 * Error model (the bounds below): the computed eigenpairs are exact for a
 * matrix within O(u) of A in the eigenvector basis, and V^-1 is applied by
 * an LU solve; both are amplified by cond(V) = ||V||_1 ||V^-1||_1 on the way
 * back, and the problem itself by kappa_exp. So
 *     err(exp) <= C u cond(V) max(kappa_exp, 1),
 * and L, which forms V^-1 E V (entries ~cond(V) ||E||) and recombines them
 * with another V ... V^-1, has
 *     err(L)   <= C u cond(V)^2 max(kappa_exp, 1).
 * C = EIG_C = 10: measured on the 72 named matrices with cond(V) <= 1e8 the
 * ratios are at most 2.4 (exp, E7 rank one 3x3) and 0.85 (L); 10 leaves
 * room for the O(n) constants of the LU and gemm error bounds at n <= 10
 * but fails any real loss of digits. For normal matrices cond(V) = O(1), so
 * the bound is the forward-stability bound phi = err / (u max(kappa,1)) <= C.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <mpfr.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define EIG_C 10.0
#define COND_V_WARN 1e8           /* eig.c: ILLCOND_V above this for exp */

/* Frobenius inner product. */
static double dot(int n, const double *X, const double *Y)
{
    long double s = 0;
    for (int k = 0; k < n * n; k++)
        s += (long double)X[k] * Y[k];
    return (double)s;
}

static double fro(int n, const double *X)
{
    return sqrt(dot(n, X, X));
}

static int all_finite(int n, const double *X)
{
    for (int k = 0; k < n * n; k++)
        if (!isfinite(X[k]))
            return 0;
    return 1;
}

/* Q (n-by-n) orthogonal: Q factor of randn(n) seeded by `seed`. */
static void orthogonal(int n, unsigned long long seed, double *Q)
{
    double tau[16];
    tu_randn(n, seed, 0, Q);
    cr_assert_eq(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, n, n, Q, n, tau), 0);
    cr_assert_eq(LAPACKE_dorgqr(LAPACK_COL_MAJOR, n, n, n, Q, n, tau), 0);
}

/* A = Q T Q^T (n <= 16). */
static void similar(int n, const double *Q, const double *T, double *A)
{
    double W[256];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            long double s = 0;
            for (int k = 0; k < n; k++)
                s += (long double)Q[i + k * n] * T[k + j * n];
            W[i + j * n] = (double)s;
        }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            long double s = 0;
            for (int k = 0; k < n; k++)
                s += (long double)W[i + k * n] * Q[j + k * n];
            A[i + j * n] = (double)s;
        }
}

Test(eig, registry_entry)
{
    const expm_method_t *m = expm_method_find("eig");
    cr_assert_not_null(m);
    cr_expect_eq(m->kinds, EXPM_KIND_EXP | EXPM_KIND_FRECHET);
    cr_expect_not_null(m->exp);
    cr_expect_not_null(m->frechet);
    /* The description must state where it fails. */
    cr_expect_not_null(strstr(m->description, "defective"), "%s", m->description);
    cr_expect_not_null(strstr(m->description, "cond(V)"), "%s", m->description);
}

Test(eig, zero_empty_invalid)
{
    double A[9] = {0}, X[9];
    expm_info_t info;
    cr_assert_eq(expm_exp("eig", 3, A, 3, X, 3, &info), EXPM_OK, "%s", info.message);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            cr_expect_eq(X[i + 3 * j], i == j ? 1.0 : 0.0);
    cr_expect_eq(info.cond, 1.0);
    cr_expect_eq(info.warnings, 0u);
    cr_assert_eq(expm_exp("eig", 0, NULL, 1, NULL, 1, NULL), EXPM_OK);
    A[4] = NAN;
    cr_expect_eq(expm_exp("eig", 3, A, 3, X, 3, NULL), EXPM_EINVAL);
    cr_expect_eq(expm_exp("eig", 3, X, 2, X, 3, NULL), EXPM_EINVAL);
}

/* diag(d): V = I, so X_ii = e^{d_i} up to the rounding of the shift
 * d_i - k ln2 (error u |d_i - k ln2|, the conditioning of exp itself) and of
 * exp(): 4u (2 + |d_i| + |k ln2|) allows for both. Off-diagonal exactly 0. */
Test(eig, diagonal_closed_form)
{
    double d[4] = {1, -2, 0.5, -30}, A[16] = {0}, X[16];
    for (int i = 0; i < 4; i++)
        A[i * 5] = d[i];
    expm_info_t info;
    cr_assert_eq(expm_exp("eig", 4, A, 4, X, 4, &info), EXPM_OK);
    cr_expect_eq(info.cond, 1.0);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            double x = X[i + 4 * j];
            if (i != j) {
                cr_expect_eq(x, 0.0);
                continue;
            }
            double want = exp(d[i]), tol = 4 * TU_U * (2 + fabs(d[i]) + 1.0) * want;
            cr_expect(fabs(x - want) <= tol, "diag %d: %.17g vs %.17g", i, x, want);
        }
}

/* exp([[a,b],[b,c]]) = e^t (cosh r I + sinh(r)/r (A - t I)), t = (a+c)/2,
 * r = sqrt(((a-c)/2)^2 + b^2), in 256-bit MPFR. Symmetric: cond(V) = O(1)
 * (orthogonal V; cond_1 <= n), so phi <= EIG_C. */
static void sym2_exact(double a, double b, double c, double *X)
{
    mpfr_t t, r, ch, sh, e, h, tmp;
    mpfr_inits2(256, t, r, ch, sh, e, h, tmp, (mpfr_ptr)0);
    mpfr_set_d(t, a, MPFR_RNDN);
    mpfr_add_d(t, t, c, MPFR_RNDN);
    mpfr_div_ui(t, t, 2, MPFR_RNDN);
    mpfr_set_d(h, a, MPFR_RNDN);
    mpfr_sub_d(h, h, c, MPFR_RNDN);
    mpfr_div_ui(h, h, 2, MPFR_RNDN);        /* h = (a-c)/2 */
    mpfr_sqr(r, h, MPFR_RNDN);
    mpfr_set_d(tmp, b, MPFR_RNDN);
    mpfr_sqr(tmp, tmp, MPFR_RNDN);
    mpfr_add(r, r, tmp, MPFR_RNDN);
    mpfr_sqrt(r, r, MPFR_RNDN);
    mpfr_cosh(ch, r, MPFR_RNDN);
    mpfr_sinh(sh, r, MPFR_RNDN);
    mpfr_div(sh, sh, r, MPFR_RNDN);         /* sinh(r)/r */
    mpfr_exp(e, t, MPFR_RNDN);
    mpfr_mul(ch, ch, e, MPFR_RNDN);
    mpfr_mul(sh, sh, e, MPFR_RNDN);
    mpfr_mul(tmp, sh, h, MPFR_RNDN);
    mpfr_add(tmp, ch, tmp, MPFR_RNDN);
    X[0] = mpfr_get_d(tmp, MPFR_RNDN);      /* e^t (cosh r + h sinh r / r) */
    mpfr_mul(tmp, sh, h, MPFR_RNDN);
    mpfr_sub(tmp, ch, tmp, MPFR_RNDN);
    X[3] = mpfr_get_d(tmp, MPFR_RNDN);
    mpfr_mul_d(tmp, sh, b, MPFR_RNDN);
    X[1] = X[2] = mpfr_get_d(tmp, MPFR_RNDN);
    mpfr_clears(t, r, ch, sh, e, h, tmp, (mpfr_ptr)0);
}

Test(eig, symmetric_closed_form)
{
    double cases[][3] = {{1, 3, 2}, {-5, 0.25, 7}, {10, -20, 10}, {-40, 1, -40.5}};
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double a = cases[k][0], b = cases[k][1], c = cases[k][2];
        double A[4] = {a, b, b, c}, X[4], W[4];
        sym2_exact(a, b, c, W);
        expm_info_t info;
        cr_assert_eq(expm_exp("eig", 2, A, 2, X, 2, &info), EXPM_OK);
        cr_expect(info.cond <= 2.0 + 1e-12, "case %u: cond(V) = %g for symmetric A", k, info.cond);
        double kappa = tu_kappa_exp(2, A);
        cr_assert(kappa > 0);
        double err = tu_relerr(2, X, W), phi = err / (TU_U * fmax(kappa, 1));
        cr_expect(phi <= EIG_C, "case %u: err %.3g phi %.3g", k, err, phi);
    }
}

/* [[0,t],[-t,0]] -> [[cos t, sin t], [-sin t, cos t]]: eigenvalues +-it, a
 * complex pair with V = [1 1; i -i]/sqrt2 (cond_1 = 2). kappa ~ t. */
Test(eig, rotation_closed_form)
{
    double th[] = {1, 100, 1e4};
    for (int k = 0; k < 3; k++) {
        double A[4] = {0, -th[k], th[k], 0}, X[4];
        expm_info_t info;
        cr_assert_eq(expm_exp("eig", 2, A, 2, X, 2, &info), EXPM_OK);
        double c = cos(th[k]), s = sin(th[k]);
        double want[4] = {c, -s, s, c};
        double err = tu_relerr(2, X, want);
        cr_expect(err <= EIG_C * TU_U * info.cond * th[k], "theta=%g: err %.3g", th[k], err);
        cr_expect(info.cond <= 2.0 + 1e-12, "cond(V) = %g", info.cond);
        cr_expect_eq(info.warnings, 0u);
    }
}

/* [[a,b],[-b,a]] = a I + b J: exp = e^a [[cos b, sin b], [-sin b, cos b]],
 * in a 4x4 block diagonal with a real 2x2 block, mixed real and complex
 * eigenvalues, then similarity by an orthogonal Q (cond(V) stays O(1)). */
Test(eig, complex_pairs_closed_form)
{
    double a = -0.75, b = 3.5, p = 0.5, q = 2.0;
    double T[16] = {0}, Q[16], A[16], X[16], W[16] = {0}, Wq[16];
    T[0] = a, T[4] = b, T[1] = -b, T[5] = a;   /* [[a b],[-b a]] */
    T[10] = p, T[15] = q;                      /* real eigenvalues */
    double ea = exp(a);
    W[0] = ea * cos(b), W[4] = ea * sin(b), W[1] = -ea * sin(b), W[5] = ea * cos(b);
    W[10] = exp(p), W[15] = exp(q);
    cr_assert_eq(expm_exp("eig", 4, T, 4, X, 4, NULL), EXPM_OK);
    double err = tu_relerr(4, X, W);
    cr_expect(err <= EIG_C * TU_U * 4, "block diagonal: err %.3g", err);
    orthogonal(4, 31, Q);
    similar(4, Q, T, A);
    similar(4, Q, W, Wq);   /* exact up to O(u): compare with the reference instead */
    double R[16];
    cr_assert_eq(expm_ref_exp(4, A, 4, R, 4, 0, NULL), EXPM_OK);
    expm_info_t info;
    cr_assert_eq(expm_exp("eig", 4, A, 4, X, 4, &info), EXPM_OK);
    double kappa = tu_kappa_exp(4, A);
    err = tu_relerr(4, X, R);
    cr_expect(err <= EIG_C * TU_U * info.cond * fmax(kappa, 1), "Q T Q^T: err %.3g cond %.3g",
              err, info.cond);
    cr_expect(tu_relerr(4, Wq, R) <= 1e-14, "closed form vs reference");
}

/* A, E seeded; returns err of exp and L vs reference, cond(V), kappa. */
typedef struct {
    double err, errL, cond, kappa;
    unsigned warnings;
    expm_status st, stL;
} meas_t;

static meas_t measure(int n, const double *A, const double *E)
{
    meas_t m = {0};
    double *X = malloc(sizeof(double) * n * n * 6);
    double *R = X + n * n, *L = R + n * n, *RL = L + n * n, *XL = RL + n * n, *RX = XL + n * n;
    expm_info_t info;
    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, RL, n, RX, n, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
    m.st = expm_exp("eig", n, A, n, X, n, &info);
    m.cond = info.cond;
    m.warnings = info.warnings;
    m.err = m.st == EXPM_OK ? tu_relerr(n, X, R) : NAN;
    if (m.st == EXPM_OK)
        cr_expect(all_finite(n, X));
    m.stL = expm_frechet("eig", n, A, n, E, n, L, n, XL, n, &info);
    m.errL = m.stL == EXPM_OK ? tu_relerr(n, L, RL) : NAN;
    if (m.stL == EXPM_OK) {
        cr_expect(all_finite(n, L) && all_finite(n, XL));
        /* the X returned with L is the same computation as exp's */
        if (m.st == EXPM_OK)
            cr_expect(tu_relerr(n, XL, X) <= 4 * TU_U * fmax(m.cond, 1),
                      "X from frechet differs from exp by %.3g", tu_relerr(n, XL, X));
    }
    m.kappa = tu_kappa_exp(n, A);
    cr_assert(m.kappa > 0);
    free(X);
    return m;
}

/* Normal, symmetric and random nonsymmetric matrices against the reference,
 * with the bounds of the header. */
Test(eig, vs_reference_normal_and_random, .timeout = 60)
{
    int n = 6;
    double A[36], E[36], Q[36], T[36] = {0};
    for (int k = 0; k < 8; k++) {
        char name[64];
        if (k < 2) {            /* symmetric */
            tu_randn(n, 100 + k, k ? 20 : 2, A);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++)
                    A[i + j * n] = A[j + i * n];
            snprintf(name, sizeof name, "symmetric %d", k);
        } else if (k < 4) {     /* normal: Q blockdiag(rotations, reals) Q^T */
            memset(T, 0, sizeof T);
            double s = k == 2 ? 1 : 30;
            T[0] = -s, T[6] = 2 * s, T[1] = -2 * s, T[7] = -s;
            T[14] = 0.3 * s, T[20] = s, T[15] = -s, T[21] = 0.3 * s;
            T[28] = 0.5 * s, T[35] = -0.7 * s;
            orthogonal(n, 200 + k, Q);
            similar(n, Q, T, A);
            snprintf(name, sizeof name, "normal %d", k);
        } else {                /* random nonsymmetric, complex pairs */
            static const double norms[] = {0.3, 3, 30, 100};
            tu_randn(n, 300 + k, norms[k - 4], A);
            snprintf(name, sizeof name, "randn ||A||_1=%g", norms[k - 4]);
        }
        tu_randn(n, 400 + k, 0, E);
        meas_t m = measure(n, A, E);
        cr_assert_eq(m.st, EXPM_OK, "%s", name);
        cr_assert_eq(m.stL, EXPM_OK, "%s", name);
        double sc = TU_U * fmax(m.kappa, 1);
        printf("eig %-20s cond(V)=%8.3g kappa=%8.3g err=%8.3g (phi %.3g) errL=%8.3g (/u k %.3g)\n",
               name, m.cond, m.kappa, m.err, m.err / sc, m.errL, m.errL / sc);
        cr_expect(m.err <= EIG_C * m.cond * sc, "%s: exp err %.3g > C u cond(V) kappa", name,
                  m.err);
        cr_expect(m.errL <= EIG_C * m.cond * m.cond * sc, "%s: L err %.3g > C u cond(V)^2 kappa",
                  name, m.errL);
        if (k < 4) {            /* normal: cond(V) = O(1), forward stable */
            cr_expect(m.cond <= 2.0 * n, "%s: cond(V) %.3g", name, m.cond);
            cr_expect(m.err <= EIG_C * sc && m.errL <= 2 * EIG_C * sc, "%s: phi %.3g / %.3g",
                      name, m.err / sc, m.errL / sc);
        }
        cr_expect_eq(m.warnings, 0u, "%s: unexpected warning", name);
    }
}

/* The named test matrices with n <= 10: never NaN/Inf as success; where
 * cond(V) <= 1e8 the error-model bounds hold; where cond(V) > 1e8 the
 * ILLCOND_V warning is raised (or an error status is returned). Prints the
 * measured table (phi = err / (u max(kappa,1))). */
Test(eig, named_matrices, .timeout = 120)
{
    double worst_phi = 0, worst_L = 0;
    const char *wp = "", *wl = "";
    for (int k = 0; k < TU_NSMALL; k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        int n = t->n;
        if (n > 10)
            continue;   /* kappa by n^2 reference calls: keep the run short */
        double A[100], E[100], R[100];
        tu_small_colmajor(t, A);
        tu_randn(n, 77 + (uint64_t)k, 0, E);
        expm_status rs = expm_ref_exp(n, A, n, R, n, 0, NULL);
        if (rs != EXPM_OK) {    /* e.g. a true overflow: nothing to measure against */
            printf("eig %-34s n=%2d reference status %d: skipped\n", t->name, n, rs);
            continue;
        }
        meas_t m = measure(n, A, E);
        double sc = TU_U * fmax(m.kappa, 1), phi = m.err / sc;
        printf("eig %-34s n=%2d cond(V)=%9.3g kappa=%9.3g st=%d phi=%9.3g errL=%9.3g%s\n",
               t->name, n, m.cond, m.kappa, m.st, phi, m.errL,
               (m.warnings & EXPM_WARN_ILLCOND_V) ? " [ILLCOND_V]" : "");
        if (m.st != EXPM_OK) {
            cr_expect(m.st == EXPM_ESINGULAR || m.st == EXPM_EOVERFLOW, "%s: status %d", t->name,
                      m.st);
            continue;
        }
        if (m.cond <= COND_V_WARN) {
            cr_expect(m.err <= EIG_C * m.cond * sc, "%s: exp err %.3g > C u cond(V) kappa "
                      "(cond %.3g, kappa %.3g)", t->name, m.err, m.cond, m.kappa);
            if (m.stL == EXPM_OK)
                cr_expect(m.errL <= EIG_C * m.cond * m.cond * sc,
                          "%s: L err %.3g > C u cond(V)^2 kappa", t->name, m.errL);
            if (phi > worst_phi)
                worst_phi = phi, wp = t->name;
            if (m.stL == EXPM_OK && m.errL > worst_L)
                worst_L = m.errL, wl = t->name;
        } else {
            cr_expect(m.warnings & EXPM_WARN_ILLCOND_V, "%s: cond(V) %.3g without warning",
                      t->name, m.cond);
        }
    }
    printf("eig: worst phi %.3g (%s), worst L relerr %.3g (%s) where cond(V) <= 1e8\n", worst_phi,
           wp, worst_L, wl);
}

/* Every named matrix (any n): a status, and finite output on success. */
Test(eig, named_matrices_never_nonfinite, .timeout = 60)
{
    for (int k = 0; k < expm_testmat_count(); k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        int n = t->n;
        double *A = malloc(sizeof(double) * n * n * 4), *X = A + n * n, *E = X + n * n,
               *L = E + n * n;
        expm_testmat_colmajor(t, A);
        tu_randn(n, 5 + (uint64_t)k, 0, E);
        expm_info_t info;
        expm_status st = expm_exp("eig", n, A, n, X, n, &info);
        if (st == EXPM_OK)
            cr_expect(all_finite(n, X), "%s: non-finite exp returned as success", t->name);
        else
            cr_expect(info.message[0] != '\0', "%s: status %d without a message", t->name, st);
        st = expm_frechet("eig", n, A, n, E, n, L, n, NULL, 0, &info);
        if (st == EXPM_OK)
            cr_expect(all_finite(n, L), "%s: non-finite L returned as success", t->name);
        else
            cr_expect(info.message[0] != '\0', "%s: status %d without a message", t->name, st);
        free(A);
    }
}

/* Fréchet with close and equal eigenvalues: Phi_ij = e^lj exprel(li - lj)
 * has no 0/0. V = I (diagonal) or orthogonal (I + symmetric perturbation),
 * so the bound is the forward-stable one, err <= C u max(kappa, 1). */
Test(eig, frechet_close_and_equal_eigenvalues)
{
    double A[16], E[16];
    for (int k = 0; k < 11; k++) {
        int n = 2;
        memset(A, 0, sizeof A);
        const char *name;
        if (k == 0) {
            A[0] = 1, A[3] = 1 + 1e-12, name = "diag(1, 1+1e-12)";
        } else if (k == 1) {
            A[0] = 1, A[3] = 1, name = "diag(1, 1)";
        } else if (k == 2) {
            A[0] = -3, A[3] = -3 + 0x1p-52 * 3, name = "diag(-3, -3+ulp)";
        } else if (k == 3) {
            double S[16];
            n = 4, name = "I + 1e-10 S";
            tu_randn(4, 9, 0, S);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    A[i + 4 * j] = (i == j ? 1.0 : 0.0) + 1e-10 * (S[i + 4 * j] + S[j + 4 * i]);
        } else if (k == 4) {
            n = 3, name = "I_3";
            for (int i = 0; i < 3; i++)
                A[i * 4] = 1;
        } else if (k == 5) {    /* close complex pair a +- 1e-9 i */
            A[0] = 0.5, A[2] = 1e-9, A[1] = -1e-9, A[3] = 0.5, name = "[[.5 1e-9];[-1e-9 .5]]";
        } else if (k == 6) {    /* eigenvalues 1e-7 apart */
            A[0] = 2, A[3] = 2 + 1e-7, name = "diag(2, 2+1e-7)";
        } else if (k == 7) {    /* both sides of the exprel series switch |z| = 1e-3 */
            A[0] = 1, A[3] = 1 - 9.9e-4, name = "diag(1, 1-9.9e-4)";
        } else if (k == 8) {
            A[0] = 1, A[3] = 1 + 1.01e-3, name = "diag(1, 1+1.01e-3)";
        } else if (k == 9) {    /* complex z = +-2i 4.9e-4, series, and a mixed one */
            A[0] = -1, A[2] = 4.9e-4, A[1] = -4.9e-4, A[3] = -1, name = "[[-1 4.9e-4];[-4.9e-4 -1]]";
        } else {                /* z = -5e-4 +- 4e-4 i between the pair and a real one */
            n = 3, name = "blkdiag(.3 +- 4e-4 i, .3005)";
            A[0] = 0.3, A[3] = 4e-4, A[1] = -4e-4, A[4] = 0.3, A[8] = 0.3005;
        }
        tu_randn(n, 50 + k, 0, E);
        meas_t m = measure(n, A, E);
        cr_assert_eq(m.stL, EXPM_OK, "%s", name);
        double sc = TU_U * fmax(m.kappa, 1);
        printf("eig close %-24s cond(V)=%.3g errL=%.3g (%.3g u kappa)\n", name, m.cond, m.errL,
               m.errL / sc);
        cr_expect(m.errL <= EIG_C * sc, "%s: L err %.3g (%.3g u kappa)", name, m.errL,
                  m.errL / sc);
        cr_expect(m.err <= EIG_C * sc, "%s: exp err %.3g", name, m.err);
    }
}

/* <G, L(A,E)> = <L(A^T,G), E> (expm_adjoint is the method at A^T). Each of
 * L and the adjoint has relative error <= C u cond(V)^2 max(kappa,1), so by
 * Cauchy-Schwarz the two inner products differ by at most that times
 * ||G|| ||L|| + ||L*|| ||E||. */
Test(eig, adjoint_identity)
{
    int n = 6;
    double A[36], E[36], G[36], L[36], M[36];
    for (int k = 0; k < 4; k++) {
        tu_randn(n, 600 + k, k < 2 ? 1.0 : 20.0, A);
        if (k == 1)             /* symmetric */
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++)
                    A[i + j * n] = A[j + i * n];
        tu_randn(n, 700 + k, 0, E);
        tu_randn(n, 800 + k, 0, G);
        expm_info_t info, info2;
        cr_assert_eq(expm_frechet("eig", n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK);
        cr_assert_eq(expm_adjoint("eig", n, A, n, G, n, M, n, &info2), EXPM_OK);
        double kappa = tu_kappa_exp(n, A);
        double c = fmax(info.cond, info2.cond);
        double lhs = dot(n, G, L), rhs = dot(n, M, E);
        double tol = EIG_C * TU_U * c * c * fmax(kappa, 1) *
                     (fro(n, G) * fro(n, L) + fro(n, M) * fro(n, E));
        printf("eig adjoint %d: <G,L> = %.17g, <L*,E> = %.17g, diff %.3g, tol %.3g\n", k, lhs,
               rhs, fabs(lhs - rhs), tol);
        cr_expect(fabs(lhs - rhs) <= tol, "case %d: %.17g vs %.17g", k, lhs, rhs);
    }
}

/* The documented failure: m2ex3 [[-1,1],[e^2,-1]] (TESTSET P1) is perfectly
 * conditioned (kappa ~ 1.6) but nearly defective, cond(V) = 1/e. eig loses
 * digits like u cond(V): with e = 1e-10 the error is far above the
 * forward-stable level u kappa, and the ILLCOND_V warning is raised. The
 * error is still what the model predicts (<= C u cond(V)). */
Test(eig, nearly_defective_failure_m2ex3)
{
    double eps = 1e-10;
    double A[4] = {-1, eps * eps, 1, -1}, X[4], R[4], E[4] = {0.5, -1, 2, 0.25}, L[4], RL[4];
    cr_assert_eq(expm_ref_exp(2, A, 2, R, 2, 0, NULL), EXPM_OK);
    /* closed form e^-1 [cosh e, sinh(e)/e; e sinh e, cosh e] */
    double W[4] = {exp(-1) * cosh(eps), exp(-1) * eps * sinh(eps), exp(-1) * sinh(eps) / eps,
                   exp(-1) * cosh(eps)};
    cr_expect(tu_relerr(2, R, W) <= 4 * TU_U, "reference vs closed form");
    expm_info_t info;
    cr_assert_eq(expm_exp("eig", 2, A, 2, X, 2, &info), EXPM_OK, "%s", info.message);
    double kappa = tu_kappa_exp(2, A), err = tu_relerr(2, X, R);
    printf("eig m2ex3 eps=1e-10: cond(V) %.3g kappa %.3g err %.3g phi %.3g; warning: %s\n",
           info.cond, kappa, err, err / (TU_U * fmax(kappa, 1)), info.message);
    cr_expect(info.warnings & EXPM_WARN_ILLCOND_V, "no ILLCOND_V warning");
    /* V = [1 1; e -e]/sqrt(1+e^2): cond_1(V) = (1+e)/e ~ 1/e (zgecon
     * estimates within a small factor) */
    cr_expect(info.cond > 0.1 / eps && info.cond < 10 / eps, "cond(V) = %.3g, expected ~1/eps",
              info.cond);
    cr_expect(strstr(info.message, "cond(V)") != NULL, "message: %s", info.message);
    cr_expect(err > 1e4 * TU_U * fmax(kappa, 1), "error %.3g is not large: phi %.3g", err,
              err / (TU_U * fmax(kappa, 1)));
    cr_expect(err <= EIG_C * TU_U * info.cond, "error %.3g beyond u cond(V)", err);
    /* Frechet: worse, ~u cond(V)^2, and warned. */
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, RL, 2, NULL, 0, 0, NULL), EXPM_OK);
    expm_status st = expm_frechet("eig", 2, A, 2, E, 2, L, 2, NULL, 0, &info);
    cr_expect(info.warnings & EXPM_WARN_ILLCOND_V);
    if (st == EXPM_OK) {
        double eL = tu_relerr(2, L, RL);
        printf("eig m2ex3 eps=1e-10 Frechet: err %.3g\n", eL);
        cr_expect(all_finite(2, L));
        cr_expect(eL > 1e6 * TU_U * fmax(kappa, 1), "Frechet error %.3g not large", eL);
    } else {
        cr_expect_eq(st, EXPM_ESINGULAR, "%s", info.message);
    }
}

/* Strongly non-normal Q T Q^T (T upper triangular, diagonal -1 - 0.1 i,
 * off-diagonal +-10..15): exp(A) is well conditioned (kappa ~ 47) but the
 * eigenvalues are 0.1 apart under couplings of 10, so V is nearly singular
 * (cond(V) ~ 1e10; measured err ~ 3e-7, phi ~ 6e7). Error far above the
 * forward-stable level AND warned (or a reasoned error status). */
Test(eig, nearly_defective_failure_nonnormal)
{
    int n = 6;
    double T[36] = {0}, Q[36], A[36], X[36], R[36];
    for (int i = 0; i < n; i++) {
        T[i + i * n] = -1.0 - 0.1 * i;
        for (int j = i + 1; j < n; j++)
            T[i + j * n] = ((i + j) % 2 ? 10.0 : -10.0) * (1 + 0.1 * j);
    }
    orthogonal(n, 41, Q);
    similar(n, Q, T, A);
    cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
    expm_info_t info;
    expm_status st = expm_exp("eig", n, A, n, X, n, &info);
    double kappa = tu_kappa_exp(n, A);
    cr_expect(info.warnings & EXPM_WARN_ILLCOND_V, "no warning; cond(V) = %.3g", info.cond);
    cr_expect(info.cond > COND_V_WARN, "cond(V) = %.3g", info.cond);
    if (st == EXPM_OK) {
        double err = tu_relerr(n, X, R);
        printf("eig QTQ^T: cond(V) %.3g kappa %.3g err %.3g phi %.3g\n", info.cond, kappa, err,
               err / (TU_U * fmax(kappa, 1)));
        cr_expect(all_finite(n, X));
        cr_expect(err > 1e4 * TU_U * fmax(kappa, 1), "err %.3g not large (kappa %.3g)", err,
                  kappa);
    } else {
        printf("eig QTQ^T: status %d: %s\n", st, info.message);
        cr_expect_eq(st, EXPM_ESINGULAR, "%s", info.message);
    }
}

/* Jordan blocks: V exactly singular (nilpotent: ESINGULAR) or numerically
 * singular ([1 1; 0 1]: a result with the warning, or ESINGULAR). Never a
 * non-finite success; outputs untouched on error. */
Test(eig, defective_jordan)
{
    double N[16] = {0}, X[16];
    N[0 + 4 * 1] = N[1 + 4 * 2] = N[2 + 4 * 3] = 6;
    for (int i = 0; i < 16; i++)
        X[i] = 42;
    expm_info_t info;
    expm_status st = expm_exp("eig", 4, N, 4, X, 4, &info);
    cr_expect_eq(st, EXPM_ESINGULAR, "nilpotent: status %d", st);
    cr_expect(strstr(info.message, "singular") != NULL, "%s", info.message);
    for (int i = 0; i < 16; i++)
        cr_expect_eq(X[i], 42.0, "output written on error");
    double J[4] = {1, 0, 1, 1}, XJ[4];
    st = expm_exp("eig", 2, J, 2, XJ, 2, &info);
    if (st == EXPM_OK) {
        cr_expect(all_finite(2, XJ));
        cr_expect(info.warnings & EXPM_WARN_ILLCOND_V);
        cr_expect(info.cond >= 1 / TU_U, "cond(V) %.3g", info.cond);
    } else {
        cr_expect_eq(st, EXPM_ESINGULAR);
    }
}

/* Parlett-Ng I (TESTSET D12): eigenvalues +-i 10 sqrt(30), each in a 3x3
 * Jordan block; cond(V) ~ 1e30. V diag V^-1 gives a result ~1e15 that
 * exceeds 10x the Schur bound e^alpha sum_k ||N||^k/k! on ||exp(A)||, so it
 * cannot have a correct digit: EXPM_ESINGULAR with a message, output
 * untouched, and the claimed size really is > 10x the true norm. */
Test(eig, provably_wrong_is_an_error)
{
    static const double rows[36] = {0, 30, 1, 1, 1, 1,    -100, 0, 1, 1, 1, 1,
                                    0, 0, 0, -6, 1, 1,    0, 0, 500, 0, 1, 1,
                                    0, 0, 0, 0, 0, 200,   0, 0, 0, 0, -15, 0};
    double A[36], X[36], R[36];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            A[i + 6 * j] = rows[6 * i + j];
    for (int k = 0; k < 36; k++)
        X[k] = 3.0;
    expm_info_t info;
    expm_status st = expm_exp("eig", 6, A, 6, X, 6, &info);
    cr_assert_eq(expm_ref_exp(6, A, 6, R, 6, 0, NULL), EXPM_OK);
    double nr = 0;
    for (int j = 0; j < 6; j++) {
        double c = 0;
        for (int i = 0; i < 6; i++)
            c += fabs(R[i + 6 * j]);
        nr = fmax(nr, c);
    }
    printf("eig Parlett-Ng I: status %d cond(V) %.3g: %s (true log10 ||exp(A)||_1 = %.3g)\n", st,
           info.cond, info.message, log10(nr));
    cr_expect_eq(st, EXPM_ESINGULAR);
    cr_expect(strstr(info.message, "provably wrong") != NULL, "%s", info.message);
    cr_expect(info.warnings & EXPM_WARN_ILLCOND_V);
    cr_expect(info.log10_norm > log10(nr) + 1, "claimed %.3g vs true %.3g", info.log10_norm,
              log10(nr));
    for (int k = 0; k < 36; k++)
        cr_expect_eq(X[k], 3.0, "output written on error");
}

/* True overflow: e^800 > DBL_MAX. EXPM_EOVERFLOW with log10 of the size
 * (800 log10 e = 347.4), for exp and for L; outputs untouched. */
Test(eig, overflow)
{
    double A[4] = {800, 0, 0, 1}, X[4] = {7, 7, 7, 7}, E[4] = {1, 0, 0, 1}, L[4] = {7, 7, 7, 7};
    expm_info_t info;
    cr_assert_eq(expm_exp("eig", 2, A, 2, X, 2, &info), EXPM_EOVERFLOW);
    cr_expect(fabs(info.log10_norm - 800 * 0.43429448190325182765) < 0.01, "log10 %.6g",
              info.log10_norm);
    cr_expect(info.message[0] != '\0');
    for (int i = 0; i < 4; i++)
        cr_expect_eq(X[i], 7.0);
    cr_assert_eq(expm_frechet("eig", 2, A, 2, E, 2, L, 2, NULL, 0, &info), EXPM_EOVERFLOW);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(L[i], 7.0);
    /* L(A, 0) = 0 is representable although exp(A) is not */
    double Z[4] = {0};
    cr_assert_eq(expm_frechet("eig", 2, A, 2, Z, 2, L, 2, NULL, 0, &info), EXPM_OK);
    for (int i = 0; i < 4; i++)
        cr_expect_eq(L[i], 0.0);
    /* far beyond the range: still a clean overflow with its size */
    double B[4] = {1e5, 1, -1, 1e5};
    cr_assert_eq(expm_exp("eig", 2, B, 2, X, 2, &info), EXPM_EOVERFLOW);
    cr_expect(info.log10_norm > 4e4, "log10 %.6g", info.log10_norm);
    /* rotation on top: complex pair 800 +- 3i */
    double C[4] = {800, -3, 3, 800};
    cr_assert_eq(expm_exp("eig", 2, C, 2, X, 2, &info), EXPM_EOVERFLOW);
    cr_expect(fabs(info.log10_norm - 347.4) < 1, "log10 %.6g", info.log10_norm);
}

/* Near the top of the range: e^max(Re lambda) is factored out and applied at
 * the end as 2^k, so exp(A) ~ 1e300 and L with Phi_12 = (e^700 - e^-100)/800
 * are finite and accurate. (The unguarded e^lj exprel(li - lj) would be
 * e^-100 (e^800 - 1)/800 = Inf * 0-ish.) */
Test(eig, near_overflow_finite)
{
    double A[4] = {690, 0, 1, 680}, X[4], R[4];
    expm_info_t info;
    cr_assert_eq(expm_ref_exp(2, A, 2, R, 2, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_exp("eig", 2, A, 2, X, 2, &info), EXPM_OK, "%s", info.message);
    double kappa = tu_kappa_exp(2, A), err = tu_relerr(2, X, R);
    cr_expect(all_finite(2, X));
    cr_expect(X[0] > 1e299, "X11 = %g", X[0]);
    cr_expect(err <= EIG_C * TU_U * info.cond * fmax(kappa, 1), "err %.3g", err);
    /* rotated, complex pair 700 +- 20i, rotated by Q: |exp| ~ e^700 ~ 1e304 */
    double B[4] = {700, -20, 20, 700}, RB[4], XB[4];
    cr_assert_eq(expm_ref_exp(2, B, 2, RB, 2, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_exp("eig", 2, B, 2, XB, 2, &info), EXPM_OK, "%s", info.message);
    err = tu_relerr(2, XB, RB);
    cr_expect(err <= EIG_C * TU_U * info.cond * 700, "complex 700+-20i: err %.3g", err);

    /* a small eigenvalue beside a huge one is not flushed by the factoring */
    double S[4] = {705, 0, 0, -700}, XS[4];
    cr_assert_eq(expm_exp("eig", 2, S, 2, XS, 2, &info), EXPM_OK, "%s", info.message);
    cr_expect(fabs(XS[0] - exp(705.0)) <= 4 * TU_U * 706 * exp(705.0), "%.17g", XS[0]);
    cr_expect(fabs(XS[3] - exp(-700.0)) <= 4 * TU_U * 701 * exp(-700.0), "%.17g vs %.17g",
              XS[3], exp(-700.0));
    cr_expect(XS[1] == 0.0 && XS[2] == 0.0);

    double D[4] = {700, 0, 0, -100}, E[4] = {0, 1, 1, 0}, L[4], RL[4];
    cr_assert_eq(expm_ref_frechet(2, D, 2, E, 2, RL, 2, NULL, 0, 0, NULL), EXPM_OK);
    cr_assert_eq(expm_frechet("eig", 2, D, 2, E, 2, L, 2, NULL, 0, &info), EXPM_OK, "%s",
                 info.message);
    cr_expect(all_finite(2, L));
    cr_expect(L[0] == 0.0 && L[3] == 0.0);
    /* kappa of Phi_12 in its arguments is ~700: allow C u 700 */
    double errL = tu_relerr(2, L, RL);
    cr_expect(errL <= EIG_C * TU_U * 700, "L err %.3g (L12 = %.17g, ref %.17g)", errL, L[2],
              RL[2]);
}

/* exp(A) just below DBL_MAX: 709.7 +- 0.5i, and a rotated pair of real
 * eigenvalues 709.7, 709.6 (both normal: cond(V) = O(1)). The unshifted
 * V diag(e^lambda) V^-1 overflows in the sums of the solve (e^709.7 =
 * 1.66e308 per term; measured: status ENONFINITE without the retry); the
 * method retries with e^max(Re lambda) factored out and returns the finite,
 * accurate result. */
Test(eig, intermediate_overflow_retried)
{
    double C[4] = {709.7, -0.5, 0.5, 709.7}, Q[4] = {0.6, 0.8, -0.8, 0.6}, D[4] = {709.7, 0, 0,
                                                                                 709.6};
    double B[4];
    similar(2, Q, D, B);
    const double *As[2] = {C, B};
    for (int k = 0; k < 2; k++) {
        double X[4], R[4];
        expm_info_t info;
        cr_assert_eq(expm_ref_exp(2, As[k], 2, R, 2, 0, NULL), EXPM_OK);
        expm_status st = expm_exp("eig", 2, As[k], 2, X, 2, &info);
        cr_assert_eq(st, EXPM_OK, "case %d: %s", k, info.message);
        cr_expect(all_finite(2, X));
        /* Both are normal, so kappa_exp <= ||A||_F (||L(A)|| <= ||e^A||_2); the
         * Kronecker kappa cannot be formed here (||exp(A)||_F overflows). */
        double kappa = fro(2, As[k]), err = tu_relerr(2, X, R);
        printf("eig near DBL_MAX case %d: X11 %.6g err %.3g err/(u ||A||_F) %.3g\n", k, X[0], err,
               err / (TU_U * kappa));
        cr_expect(err <= EIG_C * TU_U * info.cond * fmax(kappa, 1), "case %d: err %.3g", k, err);
        double E[4] = {1, 0, 0, 0}, L[4], RL[4];
        cr_assert_eq(expm_ref_frechet(2, As[k], 2, E, 2, RL, 2, NULL, 0, 0, NULL), EXPM_OK);
        st = expm_frechet("eig", 2, As[k], 2, E, 2, L, 2, NULL, 0, &info);
        cr_assert_eq(st, EXPM_OK, "case %d L: %s", k, info.message);
        double errL = tu_relerr(2, L, RL);
        cr_expect(errL <= EIG_C * TU_U * info.cond * info.cond * fmax(kappa, 1),
                  "case %d: L err %.3g", k, errL);
    }
}

/* The CLI prints the warning on stderr and exits 0 with the result; the
 * nilpotent D1 (V exactly singular) and an overflow exit 1 with a reason. */
Test(eig, cli_warning_and_error)
{
    const char *b = getenv("EXPMKIT");
    if (!b)
        b = "build/expmkit";
    char dir[] = "/tmp/expmkit-eig-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char f1[128], f2[128], err[128], cmd[768];
    snprintf(f1, sizeof f1, "%s/p1.mtx", dir);
    snprintf(f2, sizeof f2, "%s/nil.mtx", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    FILE *f = fopen(f1, "w");
    cr_assert_not_null(f);
    fputs("%%MatrixMarket matrix array real general\n2 2\n-1\n1e-20\n1\n-1\n", f);
    fclose(f);
    f = fopen(f2, "w");
    cr_assert_not_null(f);
    fputs("%%MatrixMarket matrix coordinate real general\n4 4 3\n1 2 6\n2 3 6\n3 4 6\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s expm -m eig '%s' > /dev/null 2> '%s'", b, f1, err);
    int st = system(cmd);
    cr_assert(WIFEXITED(st));
    cr_expect_eq(WEXITSTATUS(st), 0);
    char buf[1024] = "";
    f = fopen(err, "r");
    cr_assert_not_null(f);
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    fclose(f);
    cr_expect(strstr(buf, "warning") && strstr(buf, "cond(V)"), "stderr: %s", buf);
    snprintf(cmd, sizeof cmd, "%s expm -m eig '%s' > /dev/null 2> '%s'", b, f2, err);
    st = system(cmd);
    cr_assert(WIFEXITED(st));
    cr_expect_eq(WEXITSTATUS(st), 1);
    f = fopen(err, "r");
    cr_assert_not_null(f);
    got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    fclose(f);
    cr_expect(strstr(buf, "singular") != NULL, "stderr: %s", buf);
    f = fopen(f2, "w");
    cr_assert_not_null(f);
    fputs("%%MatrixMarket matrix array real general\n2 2\n800\n0\n0\n1\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s expm -m eig '%s' > /dev/null 2> '%s'", b, f2, err);
    st = system(cmd);
    cr_assert(WIFEXITED(st));
    cr_expect_eq(WEXITSTATUS(st), 1);
    f = fopen(err, "r");
    cr_assert_not_null(f);
    got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    fclose(f);
    cr_expect(strstr(buf, "overflow") != NULL, "stderr: %s", buf);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* A non-finite LU of V was passed to LAPACKE, whose NaN check answered
 * "zgecon argument 4 invalid" (EXPM_ELAPACK, documented as a bug; an
 * outside audit): now EXPM_ENONFINITE, a failure of this method. */
Test(eig, nonfinite_eigenvectors_are_not_a_lapack_bug)
{
    double A[9] = {1, 1e-300, 0, 1e300, 1, 0, 0, 0, 2}, X[9];
    expm_info_t info;
    expm_status st = expm_exp("eig", 3, A, 3, X, 3, &info);
    cr_expect(st != EXPM_ELAPACK, "status %d: %s", st, info.message);
    cr_expect(st == EXPM_OK || st == EXPM_ENONFINITE || st == EXPM_EOVERFLOW, "status %d: %s", st,
              info.message);
}

/* Symmetric A with a multiple eigenvalue: c ones(n) has eigenvalue 0 n-1
 * times, for which dgeev's vectors can be dependent; V came out exactly
 * singular ("A is defective", EXPM_ESINGULAR) on 7 of 60 values of c for
 * n = 4, 17 for n = 8, 55 for n = 20 (an outside audit). exp(c J) = I +
 * (e^(nc) - 1)/n J in closed form; L against the reference. */
Test(eig, symmetric_multiple_eigenvalue, .timeout = 60)
{
    static const int ns[3] = {4, 8, 20};
    double worst = 0, worstL = 0;
    for (int a = 0; a < 3; a++) {
        int n = ns[a];
        double *A = malloc(8 * (size_t)n * n), *X = malloc(8 * (size_t)n * n),
               *E = malloc(8 * (size_t)n * n), *L = malloc(8 * (size_t)n * n),
               *R = malloc(8 * (size_t)n * n);
        cr_assert(A && X && E && L && R);
        tu_randn(n, 900 + (unsigned)n, 1.0, E);
        for (int t = 0; t < 20; t++) {
            double c = 0.1 * pow(1000.0, t / 19.0) / n;   /* n c from 0.1 to 100 */
            for (int k = 0; k < n * n; k++)
                A[k] = c;
            expm_info_t info;
            cr_assert_eq(expm_exp("eig", n, A, n, X, n, &info), EXPM_OK, "n=%d c=%g: %s", n, c,
                         info.message);
            double f = expm1(n * c) / n;
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                    R[i + j * n] = (i == j) + f;
            worst = fmax(worst, tu_relerr(n, X, R));
            if (t % 5 == 0) {
                cr_assert_eq(expm_frechet("eig", n, A, n, E, n, L, n, NULL, 0, &info), EXPM_OK,
                             "n=%d c=%g L: %s", n, c, info.message);
                cr_assert_eq(expm_ref_frechet(n, A, n, E, n, R, n, NULL, 0, 0, NULL), EXPM_OK);
                worstL = fmax(worstL, tu_relerr(n, L, R));
            }
        }
        free(A); free(X); free(E); free(L); free(R);
    }
    cr_expect(worst <= 1e-13 && worstL <= 1e-13, "worst exp error %.3g, L %.3g", worst, worstL);
    printf("eig on c ones(n): worst exp error %.3g, L error %.3g\n", worst, worstL);
}
