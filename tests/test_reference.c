/*
 * test_reference.c -- the MPFR reference (reference/) against closed forms.
 *
 * Three layers:
 *   - "fixed":     expm_ref_eval_mpfr at 256 bits against closed forms
 *                  evaluated in MPFR at CPREC bits: relative error <= FTOL = 1e-60
 *                  in the Frobenius norm and in every entry (entries whose
 *                  closed form is exactly 0 must come out exactly 0);
 *   - "certified": expm_ref_exp / expm_ref_frechet, whose doubles must be
 *                  within 1 ulp of the closed form rounded to double;
 *   - "internals": the tail bound and the agreement rule themselves.
 * The closed forms use only mpfr_exp, mpfr_expm1, mpfr_sin, mpfr_cos and
 * field operations; they share nothing with the reference's algorithm.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expmkit.h"
#include "ref.h"
#include "testmats.h"

#define CPREC 320       /* precision of the closed forms */
#define FPREC 256       /* fixed evaluation precision */
#define FTOL 1e-60      /* relative tolerance at FPREC (2^-199: the results carry ~2^-240) */

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

static mpfr_t *mnew(int n, mpfr_prec_t p)
{
    mpfr_t *M = malloc((size_t)n * n * sizeof(mpfr_t));
    cr_assert_not_null(M);
    for (int i = 0; i < n * n; i++) {
        mpfr_init2(M[i], p);
        mpfr_set_zero(M[i], 1);
    }
    return M;
}

static void mfree(int n, mpfr_t *M)
{
    for (int i = 0; i < n * n; i++)
        mpfr_clear(M[i]);
    free(M);
}

/* M(i,j) = value (column-major, ld n). */
#define AT(M, n, i, j) ((M)[(i) + (size_t)(j) * (n)])

/* Relative error of X against C: Frobenius and every entry, <= tol. */
static void check_close(int n, mpfr_t *X, mpfr_t *C, double tol, const char *what)
{
    mpfr_t d, s, sc, t;
    mpfr_inits2(CPREC, d, s, sc, t, (mpfr_ptr)0);
    mpfr_set_zero(s, 1);
    mpfr_set_zero(sc, 1);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            mpfr_ptr x = AT(X, n, i, j), c = AT(C, n, i, j);
            cr_assert(mpfr_number_p(x), "%s: entry (%d,%d) is not a number", what, i + 1, j + 1);
            mpfr_sub(d, x, c, MPFR_RNDN);
            mpfr_fma(s, d, d, s, MPFR_RNDN);
            mpfr_fma(sc, c, c, sc, MPFR_RNDN);
            if (mpfr_zero_p(c)) {
                cr_assert(mpfr_zero_p(x), "%s: entry (%d,%d) = %.3e, exactly 0 expected",
                          what, i + 1, j + 1, mpfr_get_d(x, MPFR_RNDN));
                continue;
            }
            mpfr_div(t, d, c, MPFR_RNDN);
            mpfr_abs(t, t, MPFR_RNDN);
            double rel = mpfr_get_d(t, MPFR_RNDU);
            cr_assert(rel <= tol, "%s: entry (%d,%d) relative error %.3e > %.1e (got %.20e, want %.20e)",
                      what, i + 1, j + 1, rel, tol, mpfr_get_d(x, MPFR_RNDN),
                      mpfr_get_d(c, MPFR_RNDN));
        }
    if (!mpfr_zero_p(sc)) {
        mpfr_div(t, s, sc, MPFR_RNDN);
        mpfr_sqrt(t, t, MPFR_RNDN);
        double rel = mpfr_get_d(t, MPFR_RNDU);
        cr_assert(rel <= tol, "%s: Frobenius relative error %.3e > %.1e", what, rel, tol);
    } else {
        cr_assert(mpfr_zero_p(s), "%s: zero expected", what);
    }
    mpfr_clears(d, s, sc, t, (mpfr_ptr)0);
}

/* Distance in units in the last place between two finite doubles. */
static uint64_t ulp_distance(double a, double b)
{
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    if (ia < 0)
        ia = INT64_MIN - ia;    /* monotone map; -0 and +0 both go to 0 */
    if (ib < 0)
        ib = INT64_MIN - ib;
    return ia > ib ? (uint64_t)ia - (uint64_t)ib : (uint64_t)ib - (uint64_t)ia;
}

/* Every entry of X (ldx) within maxulp of the closed form C rounded to double. */
static void check_ulps(int n, const double *X, int ldx, mpfr_t *C, uint64_t maxulp,
                       const char *what)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double want = mpfr_get_d(AT(C, n, i, j), MPFR_RNDN);
            double got = X[i + (size_t)j * ldx];
            cr_assert(isfinite(got), "%s: entry (%d,%d) not finite", what, i + 1, j + 1);
            cr_assert(ulp_distance(got, want) <= maxulp,
                      "%s: entry (%d,%d) = %.17g, closed form %.17g (%llu ulps)", what,
                      i + 1, j + 1, got, want, (unsigned long long)ulp_distance(got, want));
        }
}

/* Evaluate at FPREC (exp only or with E) and check against closed forms. */
static void fixed_exp(int n, const double *A, mpfr_t *C, const char *what)
{
    mpfr_t *X = mnew(n, FPREC);
    expm_ref_eval_info_t ei;
    expm_status st = expm_ref_eval_mpfr(n, A, n, NULL, n, FPREC, X, NULL, &ei);
    cr_assert_eq(st, EXPM_OK, "%s: status %d", what, (int)st);
    cr_assert(ei.tail_bound <= ldexp(1.0, -(FPREC + 6)), "%s: tail bound %g", what, ei.tail_bound);
    check_close(n, X, C, FTOL, what);
    mfree(n, X);
}

static void fixed_frechet(int n, const double *A, const double *E, mpfr_t *CX,
                          mpfr_t *CL, const char *what)
{
    mpfr_t *X = mnew(n, FPREC), *L = mnew(n, FPREC);
    expm_ref_eval_info_t ei;
    expm_status st = expm_ref_eval_mpfr(n, A, n, E, n, FPREC, X, L, &ei);
    cr_assert_eq(st, EXPM_OK, "%s: status %d", what, (int)st);
    char buf[128];
    snprintf(buf, sizeof buf, "%s (exp block)", what);
    check_close(n, X, CX, FTOL, buf);
    snprintf(buf, sizeof buf, "%s (L block)", what);
    check_close(n, L, CL, FTOL, buf);
    mfree(n, X);
    mfree(n, L);
}

/* Certified exp within 1 ulp of the closed form. */
static void certified_exp(int n, const double *A, mpfr_t *C, const char *what)
{
    double *X = malloc((size_t)n * n * sizeof *X);
    expm_ref_info_t info;
    expm_status st = expm_ref_exp(n, A, n, X, n, 0, &info);
    cr_assert_eq(st, EXPM_OK, "%s: status %d (%s)", what, (int)st, info.message);
    check_ulps(n, X, n, C, 1, what);
    free(X);
}

/* Deterministic pseudo-random numbers (xorshift64*), uniform in [-1, 1). */
static double urand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    uint64_t v = *s * 2685821657736338717ULL;
    return (double)(v >> 11) * 0x1p-52 - 1.0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* Closed forms                                                              */
/* ------------------------------------------------------------------------ */

/* diag(exp(d_i)) */
static void cf_diag(int n, const double *d, mpfr_t *C)
{
    for (int i = 0; i < n; i++) {
        mpfr_set_d(AT(C, n, i, i), d[i], MPFR_RNDN);
        mpfr_exp(AT(C, n, i, i), AT(C, n, i, i), MPFR_RNDN);
    }
}

/* exp([[a, b], [0, c]]) = [[e^a, b (e^a - e^c)/(a - c)], [0, e^c]], with the
 * divided difference as b e^c expm1(a - c)/(a - c) (b e^a when a == c). */
static void cf_tri2(double a, double b, double c, mpfr_t *C)
{
    mpfr_t x, y, d;
    mpfr_inits2(CPREC, x, y, d, (mpfr_ptr)0);
    mpfr_set_d(x, a, MPFR_RNDN);
    mpfr_exp(AT(C, 2, 0, 0), x, MPFR_RNDN);
    mpfr_set_d(y, c, MPFR_RNDN);
    mpfr_exp(AT(C, 2, 1, 1), y, MPFR_RNDN);
    mpfr_set_zero(AT(C, 2, 1, 0), 1);
    if (a == c) {
        mpfr_mul_d(AT(C, 2, 0, 1), AT(C, 2, 0, 0), b, MPFR_RNDN);
    } else {
        mpfr_sub(d, x, y, MPFR_RNDN);                /* exact at CPREC */
        mpfr_expm1(x, d, MPFR_RNDN);
        mpfr_div(x, x, d, MPFR_RNDN);
        mpfr_mul(x, x, AT(C, 2, 1, 1), MPFR_RNDN);
        mpfr_mul_d(AT(C, 2, 0, 1), x, b, MPFR_RNDN);
    }
    mpfr_clears(x, y, d, (mpfr_ptr)0);
}

/* exp([[0, t], [-t, 0]]) = [[cos t, sin t], [-sin t, cos t]] */
static void cf_rot(double t, mpfr_t *C)
{
    mpfr_t x;
    mpfr_init2(x, CPREC);
    mpfr_set_d(x, t, MPFR_RNDN);
    mpfr_cos(AT(C, 2, 0, 0), x, MPFR_RNDN);
    mpfr_set(AT(C, 2, 1, 1), AT(C, 2, 0, 0), MPFR_RNDN);
    mpfr_sin(AT(C, 2, 0, 1), x, MPFR_RNDN);
    mpfr_neg(AT(C, 2, 1, 0), AT(C, 2, 0, 1), MPFR_RNDN);
    mpfr_clear(x);
}

/* Moler-Van Loan [-49 24; -64 31] = U diag(-17, -1) V:
 * exp = U diag(e^-17, e^-1) V, U = [3 1; 4 2], V = [1 -1/2; -2 3/2]. */
static const double MVL[4] = {-49, -64, 24, 31};
static void cf_mvl(mpfr_t *C)
{
    const double U[2][2] = {{3, 1}, {4, 2}}, V[2][2] = {{1, -0.5}, {-2, 1.5}};
    mpfr_t l[2], t;
    mpfr_inits2(CPREC, l[0], l[1], t, (mpfr_ptr)0);
    mpfr_set_si(l[0], -17, MPFR_RNDN);
    mpfr_exp(l[0], l[0], MPFR_RNDN);
    mpfr_set_si(l[1], -1, MPFR_RNDN);
    mpfr_exp(l[1], l[1], MPFR_RNDN);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            mpfr_set_zero(AT(C, 2, i, j), 1);
            for (int k = 0; k < 2; k++) {
                mpfr_mul_d(t, l[k], U[i][k] * V[k][j], MPFR_RNDN);
                mpfr_add(AT(C, 2, i, j), AT(C, 2, i, j), t, MPFR_RNDN);
            }
        }
    mpfr_clears(l[0], l[1], t, (mpfr_ptr)0);
}

/* Ward test 3 (TESTSET C9): [-131 19 18; -390 56 54; -387 57 52],
 * exp = [-3a-3b+7c, a-c, b-c; -12a-9b+21c, 4a-3c, 3b-3c; -9a-12b+21c, 3a-3c, 4b-3c],
 * a = e^-1, b = e^-2, c = e^-20. */
static const double WARD3[9] = {-131, -390, -387, 19, 56, 57, 18, 54, 52};
static void cf_ward3(mpfr_t *C)
{
    static const double K[3][3][3] = {      /* coefficients of (a, b, c) */
        {{-3, -3, 7}, {1, 0, -1}, {0, 1, -1}},
        {{-12, -9, 21}, {4, 0, -3}, {0, 3, -3}},
        {{-9, -12, 21}, {3, 0, -3}, {0, 4, -3}}};
    mpfr_t e[3], t;
    mpfr_inits2(CPREC, e[0], e[1], e[2], t, (mpfr_ptr)0);
    const long ex[3] = {-1, -2, -20};
    for (int k = 0; k < 3; k++) {
        mpfr_set_si(e[k], ex[k], MPFR_RNDN);
        mpfr_exp(e[k], e[k], MPFR_RNDN);
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            mpfr_set_zero(AT(C, 3, i, j), 1);
            for (int k = 0; k < 3; k++) {
                mpfr_mul_d(t, e[k], K[i][j][k], MPFR_RNDN);
                mpfr_add(AT(C, 3, i, j), AT(C, 3, i, j), t, MPFR_RNDN);
            }
        }
    mpfr_clears(e[0], e[1], e[2], t, (mpfr_ptr)0);
}

/* 4x4 with superdiagonal 6: exp = I + N + N^2/2 + N^3/6. */
static void nilpotent(double *A, mpfr_t *C)
{
    memset(A, 0, 16 * sizeof *A);
    for (int i = 0; i < 3; i++)
        A[i + 4 * (i + 1)] = 6;
    static const double c[4] = {1, 6, 18, 36};
    for (int i = 0; i < 4; i++)
        for (int j = i; j < 4; j++)
            mpfr_set_d(AT(C, 4, i, j), c[j - i], MPFR_RNDN);
}

/* L(diag(a), E)_ij = E_ij (e^a_i - e^a_j)/(a_i - a_j), E_ij e^a_i if a_i == a_j
 * (as a divided difference: e^a_j expm1(a_i - a_j)/(a_i - a_j)). */
static void cf_frechet_diag(int n, const double *a, const double *E, mpfr_t *CL)
{
    mpfr_t x, y, d;
    mpfr_inits2(CPREC, x, y, d, (mpfr_ptr)0);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            mpfr_ptr l = AT(CL, n, i, j);
            mpfr_set_d(x, a[i], MPFR_RNDN);
            mpfr_set_d(y, a[j], MPFR_RNDN);
            if (a[i] == a[j]) {
                mpfr_exp(l, x, MPFR_RNDN);
            } else {
                mpfr_sub(d, x, y, MPFR_RNDN);
                mpfr_expm1(x, d, MPFR_RNDN);
                mpfr_div(x, x, d, MPFR_RNDN);
                mpfr_exp(y, y, MPFR_RNDN);
                mpfr_mul(l, x, y, MPFR_RNDN);
            }
            mpfr_mul_d(l, l, E[i + j * n], MPFR_RNDN);
        }
    mpfr_clears(x, y, d, (mpfr_ptr)0);
}

/* ------------------------------------------------------------------------ */
/* The cases (shared by the fixed and the certified layers)                  */
/* ------------------------------------------------------------------------ */

static void case_diagonal(void (*check)(int, const double *, mpfr_t *, const char *))
{
    const double d[4] = {1, -2, 0.5, -30};
    double A[16] = {0};
    for (int i = 0; i < 4; i++)
        A[i + 4 * i] = d[i];
    mpfr_t *C = mnew(4, CPREC);
    cf_diag(4, d, C);
    check(4, A, C, "diag(1,-2,0.5,-30)");
    mfree(4, C);
}

static void case_scalar(void (*check)(int, const double *, mpfr_t *, const char *))
{
    const double v[] = {700, -745, 1e-10, -1e-10, 1, -1, 0.5, 37.25, -300, 1e-300};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        mpfr_t *C = mnew(1, CPREC);
        cf_diag(1, &v[k], C);
        char name[64];
        snprintf(name, sizeof name, "exp(%g)", v[k]);
        check(1, &v[k], C, name);
        mfree(1, C);
    }
}

static void case_triangular(void (*check)(int, const double *, mpfr_t *, const char *))
{
    const double t[][3] = {
        {1, 3, 2},
        {1, 1, 1 + 0x1p-40},      /* a ~ c: the divided difference */
        {1 + 0x1p-40, -7, 1},
        {0.5, 2, 0.5},            /* a == c: b e^a */
        {-1, 1e3, -30},
        {-1, 1e7, -1e3},          /* stiff */
        {2, -1e-5, -3},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        double A[4] = {t[k][0], 0, t[k][1], t[k][2]};
        mpfr_t *C = mnew(2, CPREC);
        cf_tri2(t[k][0], t[k][1], t[k][2], C);
        char name[96];
        snprintf(name, sizeof name, "[[%.17g, %g], [0, %.17g]]", t[k][0], t[k][1], t[k][2]);
        check(2, A, C, name);
        mfree(2, C);
    }
}

static void case_rotation(void (*check)(int, const double *, mpfr_t *, const char *))
{
    const double th[] = {1, 100, 1e-3, 3.14159265358979};
    for (size_t k = 0; k < sizeof th / sizeof th[0]; k++) {
        double A[4] = {0, -th[k], th[k], 0};
        mpfr_t *C = mnew(2, CPREC);
        cf_rot(th[k], C);
        char name[64];
        snprintf(name, sizeof name, "rotation %.15g", th[k]);
        check(2, A, C, name);
        mfree(2, C);
    }
}

static void case_nilpotent(void (*check)(int, const double *, mpfr_t *, const char *))
{
    double A[16];
    mpfr_t *C = mnew(4, CPREC);
    nilpotent(A, C);
    check(4, A, C, "nilpotent superdiagonal 6");
    mfree(4, C);
}

static void case_zero(void (*check)(int, const double *, mpfr_t *, const char *))
{
    for (int n = 1; n <= 5; n += 2) {
        double A[25] = {0};
        mpfr_t *C = mnew(n, CPREC);
        for (int i = 0; i < n; i++)
            mpfr_set_ui(AT(C, n, i, i), 1, MPFR_RNDN);
        check(n, A, C, "zero matrix");
        mfree(n, C);
    }
}

static void case_mvl(void (*check)(int, const double *, mpfr_t *, const char *))
{
    mpfr_t *C = mnew(2, CPREC);
    cf_mvl(C);
    check(2, MVL, C, "Moler-Van Loan [-49 24; -64 31]");
    mfree(2, C);
}

static void case_ward3(void (*check)(int, const double *, mpfr_t *, const char *))
{
    mpfr_t *C = mnew(3, CPREC);
    cf_ward3(C);
    check(3, WARD3, C, "Ward test 3");
    mfree(3, C);
}

/* ------------------------------------------------------------------------ */
/* Fixed precision (256 bits): the MPFR result itself                        */
/* ------------------------------------------------------------------------ */

Test(fixed, diagonal) { case_diagonal(fixed_exp); }
Test(fixed, scalar) { case_scalar(fixed_exp); }
Test(fixed, triangular_2x2) { case_triangular(fixed_exp); }
Test(fixed, rotation) { case_rotation(fixed_exp); }
Test(fixed, nilpotent) { case_nilpotent(fixed_exp); }
Test(fixed, zero) { case_zero(fixed_exp); }
Test(fixed, moler_van_loan) { case_mvl(fixed_exp); }
Test(fixed, ward3) { case_ward3(fixed_exp); }

Test(fixed, ward3_closed_form_value)
{
    /* Guard the closed form itself: TESTSET C9 gives (1,1) = -1.5096441587960897. */
    mpfr_t *C = mnew(3, CPREC);
    cf_ward3(C);
    cr_assert_eq(mpfr_get_d(C[0], MPFR_RNDN), -1.5096441587960897);
    mfree(3, C);
}

Test(fixed, frechet_diagonal)
{
    const double a[2][4] = {{1, -2, 0.5, -30}, {1, 1, -2, 1 + 0x1p-30}};
    double E[16];
    uint64_t s = 12345;
    for (int k = 0; k < 16; k++)
        E[k] = urand(&s) * 4;
    for (int c = 0; c < 2; c++) {
        double A[16] = {0};
        for (int i = 0; i < 4; i++)
            A[i + 4 * i] = a[c][i];
        mpfr_t *CX = mnew(4, CPREC), *CL = mnew(4, CPREC);
        cf_diag(4, a[c], CX);
        cf_frechet_diag(4, a[c], E, CL);
        fixed_frechet(4, A, E, CX, CL, c ? "Frechet diag(1,1,-2,1+2^-30)" : "Frechet diag(1,-2,0.5,-30)");
        mfree(4, CX);
        mfree(4, CL);
    }
}

Test(fixed, frechet_scalar)
{
    const double v[][2] = {{1, 1}, {-3, 2.5}, {700, -1}, {-745, 3}, {1e-10, 7}, {0, 1}};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        mpfr_t *CX = mnew(1, CPREC), *CL = mnew(1, CPREC);
        cf_diag(1, &v[k][0], CX);
        mpfr_mul_d(CL[0], CX[0], v[k][1], MPFR_RNDN);
        char name[64];
        snprintf(name, sizeof name, "L(%g, %g)", v[k][0], v[k][1]);
        fixed_frechet(1, &v[k][0], &v[k][1], CX, CL, name);
        mfree(1, CX);
        mfree(1, CL);
    }
}

Test(fixed, frechet_zero_direction)
{
    /* E == 0: L == 0 exactly, exp block unchanged. */
    double E[4] = {0};
    mpfr_t *CX = mnew(2, CPREC), *CL = mnew(2, CPREC);
    cf_mvl(CX);
    fixed_frechet(2, MVL, E, CX, CL, "L(MVL, 0)");
    mfree(2, CX);
    mfree(2, CL);
}

Test(fixed, frechet_triangular_commuting)
{
    /* A = [[a, b], [0, a]] and E = I commute: L(A, I) = exp(A). */
    const double A[4] = {0.75, 0, -4, 0.75}, E[4] = {1, 0, 0, 1};
    mpfr_t *CX = mnew(2, CPREC), *CL = mnew(2, CPREC);
    cf_tri2(0.75, -4, 0.75, CX);
    cf_tri2(0.75, -4, 0.75, CL);
    fixed_frechet(2, A, E, CX, CL, "L(A, I) = exp(A)");
    mfree(2, CX);
    mfree(2, CL);
}

Test(fixed, info_and_arguments)
{
    mpfr_t *X = mnew(2, FPREC);
    expm_ref_eval_info_t ei;
    cr_assert_eq(expm_ref_eval_mpfr(2, MVL, 2, NULL, 2, FPREC, X, NULL, &ei), EXPM_OK);
    cr_assert_gt(ei.terms, 1);
    cr_assert_gt(ei.squarings, 0);
    cr_assert_gt(ei.products, 0);
    cr_assert(ei.tail_bound > 0 && ei.tail_bound <= ldexp(1.0, -(FPREC + 6)));
    /* Bad arguments: n, lda, precision, missing L with E, non-finite input. */
    double bad[4] = {1, NAN, 0, 1};
    cr_assert_eq(expm_ref_eval_mpfr(0, MVL, 2, NULL, 2, FPREC, X, NULL, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_ref_eval_mpfr(2, MVL, 1, NULL, 2, FPREC, X, NULL, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_ref_eval_mpfr(2, MVL, 2, NULL, 2, 20, X, NULL, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_ref_eval_mpfr(2, MVL, 2, MVL, 2, FPREC, X, NULL, NULL), EXPM_EINVAL);
    cr_assert_eq(expm_ref_eval_mpfr(2, bad, 2, NULL, 2, FPREC, X, NULL, NULL), EXPM_EINVAL);
    mfree(2, X);
}

/* ------------------------------------------------------------------------ */
/* Internals: the tail bound, the choice of N, the agreement rule            */
/* ------------------------------------------------------------------------ */

Test(internals, tail_bound_is_an_upper_bound)
{
    const double xs[] = {0.0625, 0.25, 1.0, 3.0, 0.001};
    const unsigned long Ns[] = {0, 1, 2, 5, 10, 30};
    mpfr_t x, b, s, t;
    mpfr_inits2(CPREC, x, b, s, t, (mpfr_ptr)0);
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        for (size_t k = 0; k < sizeof Ns / sizeof Ns[0]; k++) {
            mpfr_set_d(x, xs[i], MPFR_RNDN);
            expm_ref_exp_tail(b, x, Ns[k]);
            /* the tail summed directly: terms N .. N+400 (the rest is negligible) */
            mpfr_set_zero(s, 1);
            mpfr_set_ui(t, 1, MPFR_RNDN);
            for (unsigned long m = 1; m <= Ns[k]; m++) {
                mpfr_mul(t, t, x, MPFR_RNDN);
                mpfr_div_ui(t, t, m, MPFR_RNDN);
            }
            for (unsigned long m = Ns[k]; m < Ns[k] + 400; m++) {
                mpfr_add(s, s, t, MPFR_RNDN);
                mpfr_mul(t, t, x, MPFR_RNDN);
                mpfr_div_ui(t, t, m + 1, MPFR_RNDN);
            }
            cr_assert(mpfr_cmp(b, s) >= 0, "tail(%lu, %g): bound %g < tail %g", Ns[k], xs[i],
                      mpfr_get_d(b, MPFR_RNDN), mpfr_get_d(s, MPFR_RNDN));
            /* and not loose when N >= 2x: 2 x^N/N! <= 2 tail */
            if (2.0 * xs[i] <= (double)Ns[k]) {
                mpfr_mul_2ui(t, s, 1, MPFR_RNDN);
                cr_assert(mpfr_cmp(b, t) <= 0, "tail(%lu, %g) bound too loose", Ns[k], xs[i]);
            }
        }
    mpfr_set_zero(x, 1);
    expm_ref_exp_tail(b, x, 0);
    cr_assert(mpfr_cmp_ui(b, 1) == 0);
    expm_ref_exp_tail(b, x, 3);
    cr_assert(mpfr_zero_p(b));
    mpfr_clears(x, b, s, t, (mpfr_ptr)0);
}

Test(internals, choose_terms_meets_the_target)
{
    mpfr_t x, te, tf, lim;
    mpfr_inits2(64, x, te, tf, lim, (mpfr_ptr)0);
    const double xs[] = {0.0625, 0.03, 1e-5, 1e-100, 0.4};
    const mpfr_prec_t ps[] = {64, 128, 256, 1024};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++)
            for (int fr = 0; fr <= 1; fr++) {
                mpfr_set_d(x, xs[i], MPFR_RNDU);
                long N = expm_ref_choose_terms(x, ps[k], fr, te, tf);
                mpfr_set_ui_2exp(lim, 1, -(long)(ps[k] + 8), MPFR_RNDN);
                cr_assert(mpfr_cmp(te, lim) <= 0, "x=%g p=%ld fr=%d N=%ld", xs[i], (long)ps[k], fr, N);
                if (fr)
                    cr_assert(mpfr_cmp(tf, lim) <= 0, "x=%g p=%ld: Frechet tail", xs[i], (long)ps[k]);
                /* near minimal: two terms fewer must miss the target */
                if (N - 2 - fr >= 1) {
                    expm_ref_exp_tail(te, x, (unsigned long)(N - 2 - fr));
                    cr_assert(mpfr_cmp(te, lim) > 0, "x=%g p=%ld: N=%ld not near minimal",
                              xs[i], (long)ps[k], N);
                }
            }
    mpfr_set_zero(x, 1);
    cr_assert_eq(expm_ref_choose_terms(x, 256, 0, te, tf), 1);
    cr_assert_eq(expm_ref_choose_terms(x, 256, 1, te, tf), 2);   /* L(0,E) = E needs T^1 */
    cr_assert(mpfr_zero_p(tf));
    mpfr_clears(x, te, tf, lim, (mpfr_ptr)0);
}

/* x := y (1 + 2^-k), exactly (x has the room). */
static void perturb(mpfr_ptr x, mpfr_srcptr y, long k)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(y));
    mpfr_mul_2si(t, y, -k, MPFR_RNDN);
    mpfr_add(x, y, t, MPFR_RNDN);
    mpfr_clear(t);
}

Test(internals, agreement_rule)
{
    /* X2p = [1, 2^-60; 1e-25, 0] at 256 bits, p = 128: the cancellation
     * floor is 2^-64 ||X||_F, so 2^-60 is tested entrywise and 1e-25
     * (~2^-83, above 2^-p but below 2^-(p/2)) is not. */
    const int n = 2;
    const mpfr_prec_t p = 128;
    mpfr_t *Xa = mnew(n, p), *Xb = mnew(n, 2 * p);
    const double v[4] = {1, 1e-25, 0x1p-60, 0};
    expm_ref_cmp_t c;

    for (int i = 0; i < 4; i++) {
        mpfr_set_d(Xa[i], v[i], MPFR_RNDN);
        mpfr_set_d(Xb[i], v[i], MPFR_RNDN);
    }
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(c.agree && c.rel_frob == 0.0 && c.tested == 2, "tested %d", c.tested);

    /* 2^-60 entry (above the floor) off by 2^-60 relative: Frobenius passes,
     * entrywise fails. */
    perturb(Xa[2], Xb[2], 60);
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(c.frob_ok && !c.entry_ok && !c.agree && c.worst_entry == 2);
    cr_assert(c.rel_entry > 0x1p-61 && c.rel_entry < 0x1p-59);

    /* ... but 2^-70 relative passes both. */
    perturb(Xa[2], Xb[2], 70);
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(c.agree);

    /* The 1e-25 entry (below the floor, cancelling) off by 100%: only
     * Frobenius applies, and it passes. */
    mpfr_set(Xa[2], Xb[2], MPFR_RNDN);
    mpfr_set_d(Xa[1], 2e-25, MPFR_RNDN);
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(c.agree, "a cancelling entry must not fail the entrywise test");
    mpfr_set(Xa[1], Xb[1], MPFR_RNDN);

    /* The exact-zero entry becoming nonzero: only Frobenius (its |x_2p| = 0 is below the floor). */
    mpfr_set_d(Xa[3], 0x1p-70, MPFR_RNDN);
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(c.agree);
    mpfr_set_d(Xa[3], 0x1p-60, MPFR_RNDN);
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(!c.frob_ok && !c.agree);

    /* Both zero: agree, no division by zero. One zero: disagree. */
    for (int i = 0; i < 4; i++) {
        mpfr_set_zero(Xa[i], 1);
        mpfr_set_zero(Xb[i], 1);
    }
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(c.agree && c.rel_frob == 0.0);
    mpfr_set_d(Xa[0], 1e-300, MPFR_RNDN);
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(!c.agree && isinf(c.rel_frob));

    /* Scale invariance far outside the double range. */
    for (int i = 0; i < 4; i++) {
        mpfr_set_d(Xa[i], v[i], MPFR_RNDN);
        mpfr_mul_2si(Xa[i], Xa[i], 100000000, MPFR_RNDN);
        mpfr_set(Xb[i], Xa[i], MPFR_RNDN);
    }
    perturb(Xa[0], Xb[0], 60);
    expm_ref_compare(n, Xa, Xb, p, &c);
    cr_assert(!c.frob_ok && !c.agree);
    mfree(n, Xa);
    mfree(n, Xb);
}

/* ------------------------------------------------------------------------ */
/* Certified results through the public API                                  */
/* ------------------------------------------------------------------------ */

Test(certified, diagonal) { case_diagonal(certified_exp); }
Test(certified, scalar) { case_scalar(certified_exp); }
Test(certified, triangular_2x2) { case_triangular(certified_exp); }
Test(certified, rotation) { case_rotation(certified_exp); }
Test(certified, nilpotent) { case_nilpotent(certified_exp); }
Test(certified, zero) { case_zero(certified_exp); }
Test(certified, moler_van_loan) { case_mvl(certified_exp); }
Test(certified, ward3) { case_ward3(certified_exp); }

Test(certified, large_norm_O1)
{
    /* [[1, 1e17], [0, 1]]: exp = e A (TESTSET O1). */
    const double A[4] = {1, 0, 1e17, 1};
    mpfr_t *C = mnew(2, CPREC);
    cf_tri2(1, 1e17, 1, C);
    certified_exp(2, A, C, "O1 [[1, 1e17], [0, 1]]");
    mfree(2, C);
}

Test(certified, exp700_finite)
{
    double a = 700, x = 0;
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_exp(1, &a, 1, &x, 1, 0, &info), EXPM_OK);
    cr_assert(isfinite(x) && fabs(x / 1.0142320547350045e304 - 1) < 1e-15, "exp(700) = %.17g", x);
    cr_assert(fabs(info.log10_norm - 700 / log(10.0)) < 1e-9);
}

Test(certified, overflow_scalar)
{
    double a = 710, x = 42;
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_exp(1, &a, 1, &x, 1, 0, &info), EXPM_EOVERFLOW);
    cr_assert_eq(x, 42, "output written on error");
    cr_assert(fabs(info.log10_norm - 710 / log(10.0)) < 1e-9, "log10_norm = %.10g", info.log10_norm);
    cr_assert(strstr(info.message, "overflows"), "message: %s", info.message);
    cr_assert(strstr(info.message, "e+308"), "message: %s", info.message);
}

Test(certified, overflow_3x3)
{
    const double A[9] = {800, 0, 0, 1, 1, 0, 0, 0, 1};
    double X[9];
    for (int i = 0; i < 9; i++)
        X[i] = -7;
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_exp(3, A, 3, X, 3, 0, &info), EXPM_EOVERFLOW);
    for (int i = 0; i < 9; i++)
        cr_assert_eq(X[i], -7, "output written on error");
    /* ||exp(A)||_F ~ e^800 sqrt(1 + 1/799^2): log10 ~ 347.44 */
    cr_assert(fabs(info.log10_norm - 800 / log(10.0)) < 1e-5, "log10_norm = %.10g", info.log10_norm);
}

Test(certified, finite_entries_norm_beyond_dbl_max)
{
    /* e^709.5 = 1.35e308 is finite, and so is every entry of
     * diag(e^709.5, e^709.5), although ||.||_F = 1.9e308 > DBL_MAX: the
     * result is representable and must be returned (norms are formed scaled). */
    const double A[4] = {709.5, 0, 0, 709.5};
    double X[4] = {1, 1, 1, 1};
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_exp(2, A, 2, X, 2, 0, &info), EXPM_OK, "%s", info.message);
    mpfr_t c;
    mpfr_init2(c, CPREC);
    mpfr_set_d(c, 709.5, MPFR_RNDN);
    mpfr_exp(c, c, MPFR_RNDN);
    cr_assert_eq(X[0], mpfr_get_d(c, MPFR_RNDN), "exp(709.5) = %.17g", X[0]);
    cr_assert_eq(X[3], X[0]);
    cr_assert(X[1] == 0 && X[2] == 0);
    mpfr_clear(c);
    cr_assert(fabs(info.log10_norm - (709.5 / log(10.0) + 0.5 * log10(2.0))) < 1e-9);
    /* One entry beyond DBL_MAX: e^710 = 2.2e308 overflows. */
    const double B[4] = {710, 0, 0, 1};
    double x0 = X[0];
    cr_assert_eq(expm_ref_exp(2, B, 2, X, 2, 0, &info), EXPM_EOVERFLOW);
    cr_assert_eq(X[0], x0, "output written on error");
    cr_assert(strstr(info.message, "overflows"), "message: %s", info.message);
}

Test(certified, overflow_beyond_mpfr_range)
{
    double a = 1e9, x = 3;
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_exp(1, &a, 1, &x, 1, 0, &info), EXPM_EOVERFLOW);
    cr_assert_eq(x, 3);
    cr_assert(info.log10_norm > 308);
}

Test(certified, frechet_norm_beyond_dbl_max_only)
{
    /* Every entry of exp(0) and of L(0, E) = E is finite, ||L||_F = 2e308 >
     * DBL_MAX: returned, exactly E. */
    const double A[4] = {0}, E[4] = {1e308, 1e308, 1e308, 1e308};
    double L[4] = {5, 5, 5, 5};
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, L, 2, NULL, 2, 0, &info), EXPM_OK,
                 "%s", info.message);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(L[i], 1e308, "L(0,E) = E: %.17g", L[i]);
    cr_assert(fabs(info.log10_norm - (308 + log10(2.0))) < 1e-9, "%g", info.log10_norm);
    /* L(0, E) with an entry e = 1.5e308 and A = 1 I: L = e^1 E overflows. */
    const double I1[4] = {1, 0, 0, 1}, E1[4] = {1.5e308, 0, 0, 0};
    cr_assert_eq(expm_ref_frechet(2, I1, 2, E1, 2, L, 2, NULL, 2, 0, &info), EXPM_EOVERFLOW);
    cr_assert_eq(L[0], 1e308, "output written on error");
    cr_assert(strstr(info.message, "L(A,E)"), "message: %s", info.message);
}

Test(certified, underflow_subnormal)
{
    double a = -745, x = 1;
    cr_assert_eq(expm_ref_exp(1, &a, 1, &x, 1, 0, NULL), EXPM_OK);
    cr_assert_eq(x, 0x1p-1074, "exp(-745) = %g", x);           /* 4.94e-324 */
    a = -740;                                                  /* 4.2e-322, 7 bits */
    mpfr_t c;
    mpfr_init2(c, CPREC);
    mpfr_set_si(c, -740, MPFR_RNDN);
    mpfr_exp(c, c, MPFR_RNDN);
    cr_assert_eq(expm_ref_exp(1, &a, 1, &x, 1, 0, NULL), EXPM_OK);
    cr_assert_eq(x, mpfr_get_d(c, MPFR_RNDN));
    cr_assert(x > 0 && x < DBL_MIN);
    mpfr_clear(c);
    /* e^-800 rounds to 0: fine, no error. */
    a = -1e7;
    x = 1;
    cr_assert_eq(expm_ref_exp(1, &a, 1, &x, 1, 0, NULL), EXPM_OK);
    cr_assert_eq(x, 0.0);
}

Test(certified, stiff_triangular_tiny_entry)
{
    /* O9: [[-1, 1e7], [0, -1e7]]: exp(2,2) = e^-1e7 underflows to 0. */
    const double A[4] = {-1, 0, 1e7, -1e7};
    mpfr_t *C = mnew(2, CPREC);
    cf_tri2(-1, 1e7, -1e7, C);
    certified_exp(2, A, C, "O9 Kenney-Laub");
    mfree(2, C);
}

Test(certified, frechet_diagonal_and_scalar)
{
    const double a[4] = {1, -2, 0.5, -30};
    double A[16] = {0}, E[16], L[16], X[16];
    uint64_t s = 777;
    for (int k = 0; k < 16; k++)
        E[k] = urand(&s);
    for (int i = 0; i < 4; i++)
        A[i + 4 * i] = a[i];
    mpfr_t *CX = mnew(4, CPREC), *CL = mnew(4, CPREC);
    cf_diag(4, a, CX);
    cf_frechet_diag(4, a, E, CL);
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_frechet(4, A, 4, E, 4, L, 4, X, 4, 0, &info), EXPM_OK, "%s", info.message);
    check_ulps(4, L, 4, CL, 1, "Frechet diag: L");
    check_ulps(4, X, 4, CX, 1, "Frechet diag: X");
    cr_assert(info.rel_diff <= 0x1p-64 && info.tail_bound <= 0x1p-100);
    mfree(4, CX);
    mfree(4, CL);

    /* scalar: L = e^a E; X may be NULL */
    const double sa = -3.5, se = 1e5;
    double sl = 0;
    cr_assert_eq(expm_ref_frechet(1, &sa, 1, &se, 1, &sl, 1, NULL, 0, 0, NULL), EXPM_OK);
    mpfr_t c;
    mpfr_init2(c, CPREC);
    mpfr_set_d(c, sa, MPFR_RNDN);
    mpfr_exp(c, c, MPFR_RNDN);
    mpfr_mul_d(c, c, se, MPFR_RNDN);
    cr_assert(ulp_distance(sl, mpfr_get_d(c, MPFR_RNDN)) <= 1, "L = %.17g", sl);
    mpfr_clear(c);
}

Test(certified, frechet_zero_direction_and_zero_matrix)
{
    double E0[4] = {0}, L[4] = {9, 9, 9, 9}, X[4];
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_frechet(2, MVL, 2, E0, 2, L, 2, X, 2, 0, &info), EXPM_OK, "%s", info.message);
    for (int i = 0; i < 4; i++)
        cr_assert(L[i] == 0.0, "L(A, 0) must be exactly 0");
    mpfr_t *C = mnew(2, CPREC);
    cf_mvl(C);
    check_ulps(2, X, 2, C, 1, "exp block of L(MVL, 0)");
    mfree(2, C);

    const double Z[4] = {0}, E[4] = {1.5, -2, 3e-300, 4e300};
    cr_assert_eq(expm_ref_frechet(2, Z, 2, E, 2, L, 2, X, 2, 0, &info), EXPM_OK, "%s", info.message);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(L[i], E[i], "L(0, E) = E");
    cr_assert(X[0] == 1 && X[1] == 0 && X[2] == 0 && X[3] == 1);
}

Test(certified, adjoint_identity)
{
    /* <G, L(A,E)> = <L(A^T,G), E> for random 5x5 data. */
    const int n = 5;
    double A[25], At[25], E[25], G[25], L1[25], L2[25];
    uint64_t s = 2024;
    for (int trial = 0; trial < 3; trial++) {
        for (int k = 0; k < 25; k++) {
            A[k] = urand(&s) * (1 + trial);
            E[k] = urand(&s);
            G[k] = urand(&s);
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                At[j + i * n] = A[i + j * n];
        cr_assert_eq(expm_ref_frechet(n, A, n, E, n, L1, n, NULL, n, 0, NULL), EXPM_OK);
        cr_assert_eq(expm_ref_frechet(n, At, n, G, n, L2, n, NULL, n, 0, NULL), EXPM_OK);
        /* the inner products in MPFR, exactly enough */
        mpfr_t a, b, t;
        mpfr_inits2(CPREC, a, b, t, (mpfr_ptr)0);
        mpfr_set_zero(a, 1);
        mpfr_set_zero(b, 1);
        for (int k = 0; k < 25; k++) {
            mpfr_set_d(t, G[k], MPFR_RNDN);
            mpfr_mul_d(t, t, L1[k], MPFR_RNDN);
            mpfr_add(a, a, t, MPFR_RNDN);
            mpfr_set_d(t, L2[k], MPFR_RNDN);
            mpfr_mul_d(t, t, E[k], MPFR_RNDN);
            mpfr_add(b, b, t, MPFR_RNDN);
        }
        double da = mpfr_get_d(a, MPFR_RNDN), db = mpfr_get_d(b, MPFR_RNDN);
        cr_assert(fabs(da - db) <= 1e-14 * fmax(fabs(da), fabs(db)),
                  "trial %d: <G,L(A,E)> = %.17g, <L(A^T,G),E> = %.17g", trial, da, db);
        mpfr_clears(a, b, t, (mpfr_ptr)0);
    }
}

Test(certified, leading_dimensions)
{
    /* Ward 3 with lda = 5, ldx = 4: padding must be read as nothing and left untouched. */
    double A[15], X[12];
    for (int k = 0; k < 15; k++)
        A[k] = NAN;               /* padding is never read */
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++)
            A[i + 5 * j] = WARD3[i + 3 * j];
    for (int k = 0; k < 12; k++)
        X[k] = -99;
    cr_assert_eq(expm_ref_exp(3, A, 5, X, 4, 0, NULL), EXPM_OK);
    mpfr_t *C = mnew(3, CPREC);
    cf_ward3(C);
    check_ulps(3, X, 4, C, 1, "Ward 3, ld 5/4");
    for (int j = 0; j < 3; j++)
        cr_assert_eq(X[3 + 4 * j], -99, "padding written");
    mfree(3, C);
}

Test(certified, info_fields)
{
    double X[4];
    expm_ref_info_t info;
    memset(&info, 0xff, sizeof info);
    cr_assert_eq(expm_ref_exp(2, MVL, 2, X, 2, 0, &info), EXPM_OK);
    cr_assert_geq(info.precision, 128);
    cr_assert_geq(info.attempts, 1);
    cr_assert_gt(info.squarings, 0);
    cr_assert_gt(info.terms, 1);
    cr_assert(info.tail_bound >= 0 && info.tail_bound <= 0x1p-100, "tail %g", info.tail_bound);
    cr_assert(info.rel_diff >= 0 && info.rel_diff <= 0x1p-64, "rel_diff %g", info.rel_diff);
    cr_assert_str_empty(info.message);
    /* ||exp(MVL)||_F */
    double f = 0;
    for (int i = 0; i < 4; i++)
        f += X[i] * X[i];
    cr_assert(fabs(info.log10_norm - 0.5 * log10(f)) < 1e-12);
}

Test(certified, escalation)
{
    /* Starting the pair at 64/128 bits cannot certify Moler-Van Loan
     * (64-bit results differ at ~1e-17): the driver must double to 128/256
     * and then return the correct result. */
    double X[4];
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_certify(2, MVL, 2, NULL, 2, NULL, 2, X, 2, 0, 64, &info), EXPM_OK,
                 "%s", info.message);
    cr_assert_geq(info.attempts, 2, "attempts = %d", info.attempts);
    cr_assert_geq(info.precision, 256);
    cr_assert(info.rel_diff <= 0x1p-64);
    mpfr_t *C = mnew(2, CPREC);
    cf_mvl(C);
    check_ulps(2, X, 2, C, 1, "MVL after escalation");
    mfree(2, C);

    /* Same for the Frechet pair. */
    double E[4] = {1, 2, 3, 4}, L[4], X2[4];
    cr_assert_eq(expm_ref_certify(2, MVL, 2, E, 2, L, 2, X2, 2, 0, 64, &info), EXPM_OK,
                 "%s", info.message);
    cr_assert_geq(info.attempts, 2);
    for (int i = 0; i < 4; i++)
        cr_assert(ulp_distance(X2[i], X[i]) <= 1, "X(%d): %.17g vs %.17g", i, X2[i], X[i]);
    double L2[4];
    cr_assert_eq(expm_ref_frechet(2, MVL, 2, E, 2, L2, 2, NULL, 2, 0, NULL), EXPM_OK);
    for (int i = 0; i < 4; i++)
        cr_assert(ulp_distance(L[i], L2[i]) <= 1, "L(%d): %.17g vs %.17g", i, L[i], L2[i]);
}

Test(certified, no_convergence)
{
    /* max_precision 128: the pair is 64/128 bits and cannot agree to 2^-64. */
    double X[4] = {1, 2, 3, 4};
    expm_ref_info_t info;
    cr_assert_eq(expm_ref_exp(2, MVL, 2, X, 2, 128, &info), EXPM_ENOCONV);
    cr_assert(X[0] == 1 && X[1] == 2 && X[2] == 3 && X[3] == 4, "output written on error");
    cr_assert(strstr(info.message, "not certified"), "message: %s", info.message);
    cr_assert(strstr(info.message, "128"), "message: %s", info.message);
}

Test(certified, invalid_arguments)
{
    double A[4] = {1, 2, 3, 4}, E[4] = {1, 0, 0, 1};
    double X[4] = {7, 7, 7, 7}, L[4] = {8, 8, 8, 8};
    expm_ref_info_t info;
#define UNTOUCHED()                                                            \
    do {                                                                       \
        for (int i_ = 0; i_ < 4; i_++)                                         \
            cr_assert(X[i_] == 7 && L[i_] == 8, "output written on error");    \
        cr_assert(info.message[0] != '\0', "no message");                     \
    } while (0)
    cr_assert_eq(expm_ref_exp(-1, A, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_exp(2, A, 1, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_exp(2, A, 2, X, 1, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_exp(0, A, 0, X, 1, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_exp(2, NULL, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_exp(2, A, 2, NULL, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_exp(2, A, 2, X, 2, -5, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_exp(2, A, 2, X, 2, 100, &info), EXPM_EINVAL); UNTOUCHED();
    A[3] = NAN;
    cr_assert_eq(expm_ref_exp(2, A, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert(strstr(info.message, "A(2,2)"), "message: %s", info.message);
    A[3] = INFINITY;
    cr_assert_eq(expm_ref_exp(2, A, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    A[3] = 4;
    cr_assert_eq(expm_ref_frechet(2, A, 2, NULL, 2, L, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, NULL, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 1, L, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, L, 1, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, L, 2, X, 1, 0, &info), EXPM_EINVAL); UNTOUCHED();
    E[1] = -INFINITY;
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, L, 2, X, 2, 0, &info), EXPM_EINVAL); UNTOUCHED();
    cr_assert(strstr(info.message, "E(2,1)"), "message: %s", info.message);
    E[1] = NAN;
    cr_assert_eq(expm_ref_frechet(2, A, 2, E, 2, L, 2, NULL, 0, 0, NULL), EXPM_EINVAL);
    cr_assert(L[0] == 8);
#undef UNTOUCHED
}

Test(certified, empty)
{
    expm_ref_info_t info;
    double X = 5, L = 6;
    cr_assert_eq(expm_ref_exp(0, NULL, 1, NULL, 1, 0, &info), EXPM_OK);
    cr_assert_eq(expm_ref_frechet(0, NULL, 1, NULL, 1, &L, 1, &X, 1, 0, &info), EXPM_OK);
    cr_assert(X == 5 && L == 6);
}

/* Reentrancy: concurrent calls give the same bits as sequential ones. */
typedef struct {
    double A[36], E[36], L[36], X[36];
    expm_status st;
} thread_job_t;

static void *thread_run(void *arg)
{
    thread_job_t *j = arg;
    for (int rep = 0; rep < 3 && j->st == EXPM_OK; rep++)
        j->st = expm_ref_frechet(6, j->A, 6, j->E, 6, j->L, 6, j->X, 6, 0, NULL);
    return NULL;
}

Test(certified, thread_safety)
{
    enum { NT = 4 };
    thread_job_t jobs[NT];
    uint64_t s = 31337;
    for (int t = 0; t < NT; t++) {
        for (int k = 0; k < 36; k++) {
            jobs[t].A[k] = urand(&s) * (t + 1);
            jobs[t].E[k] = urand(&s);
        }
        jobs[t].st = EXPM_OK;
    }
    pthread_t th[NT];
    for (int t = 0; t < NT; t++)
        cr_assert_eq(pthread_create(&th[t], NULL, thread_run, &jobs[t]), 0);
    for (int t = 0; t < NT; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < NT; t++) {
        double L[36], X[36];
        cr_assert_eq(jobs[t].st, EXPM_OK);
        cr_assert_eq(expm_ref_frechet(6, jobs[t].A, 6, jobs[t].E, 6, L, 6, X, 6, 0, NULL), EXPM_OK);
        cr_assert(memcmp(L, jobs[t].L, sizeof L) == 0 && memcmp(X, jobs[t].X, sizeof X) == 0,
                  "thread %d differs from the sequential result", t);
    }
}

/* ------------------------------------------------------------------------ */
/* Fixed-point products (ref_matmul.c) and data-driven precision             */
/* ------------------------------------------------------------------------ */

/* C = A B (and C += A B) by expm_ref_mm against the exact product (MPFR at
 * 2 prec + 2 spread + 128 bits: products of prec-bit numbers are exact at
 * 2 prec, and their sum spans at most 2 spread + log2 n more bits).
 * Bound per entry (ref_matmul.c, Higham ASNA 3.1):
 *   |c - exact| <= 2^-prec |exact| + 32 n 2^-prec sum_k |a_ik b_kj|,
 * 32 >= 2L + 2 for L <= 8 (the short product), and covering the fma
 * fallback (n 2^-prec) and the full mpn product for L > 8. */
static void check_mm(int n, mpfr_prec_t prec, double spread, int accumulate, uint64_t seed)
{
    size_t nn = (size_t)n * n;
    mpfr_prec_t hp = 2 * prec + 2 * (mpfr_prec_t)spread + 128;
    mpfr_t *A = mnew(n, prec), *B = mnew(n, prec), *C = mnew(n, prec), *X = mnew(n, hp);
    mpfr_t s, t, lim, sab;
    mpfr_inits2(hp, s, t, lim, sab, (mpfr_ptr)0);
    uint64_t st = seed;
    /* Graded entries: A ~ 2^(spread (i-j) / (2(n-1))), B ~ 2^(spread (j-i) /
     * (4(n-1))) (within double's range for spread <= 1200), some zeros. */
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double ga = ldexp(urand(&st), (int)(spread * (i - j) / (2 * (n - 1))));
            double gb = ldexp(urand(&st), (int)(spread * (j - i) / (4 * (n - 1))));
            mpfr_set_d(AT(A, n, i, j), (i + 2 * j) % 7 == 3 ? 0.0 : ga, MPFR_RNDN);
            mpfr_set_d(AT(B, n, i, j), gb, MPFR_RNDN);
            mpfr_div_ui(AT(A, n, i, j), AT(A, n, i, j), 3, MPFR_RNDN);   /* all bits of prec */
            mpfr_set_d(AT(C, n, i, j), accumulate ? urand(&st) : 0.0, MPFR_RNDN);
            mpfr_set(AT(X, n, i, j), AT(C, n, i, j), MPFR_RNDN);
        }
    /* The workspace reads significands in place: copy into custom-interface
     * numbers like the reference's own (same layout as mpfr_init2's). */
    __mpfr_struct *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b), *c = malloc(nn * sizeof *c);
    for (size_t k = 0; k < nn; k++) {
        mpfr_init2(a + k, prec);
        mpfr_init2(b + k, prec);
        mpfr_init2(c + k, prec);
        mpfr_set(a + k, A[k], MPFR_RNDN);
        mpfr_set(b + k, B[k], MPFR_RNDN);
        mpfr_set(c + k, C[k], MPFR_RNDN);
    }
    expm_ref_mm_t *mm = expm_ref_mm_new(n, prec, 3);
    cr_assert(mm);
    if (seed % 2)                   /* with and without the balancing */
        expm_ref_mm_balance(mm, a, b);
    expm_ref_mm_rows(mm, 1, a);
    expm_ref_mm_cols(mm, 0, b);
    expm_ref_mm_dot(mm, c, 1, 0, accumulate);
    expm_ref_mm_free(mm);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            mpfr_ptr x = AT(X, n, i, j);
            mpfr_set_zero(sab, 1);
            for (int k = 0; k < n; k++) {
                mpfr_mul(t, AT(A, n, i, k), AT(B, n, k, j), MPFR_RNDN);
                mpfr_add(x, x, t, MPFR_RNDN);
                mpfr_abs(t, t, MPFR_RNDN);
                mpfr_add(sab, sab, t, MPFR_RNDN);
            }
            mpfr_sub(s, c + i + (size_t)j * n, x, MPFR_RNDN);
            mpfr_abs(s, s, MPFR_RNDN);
            mpfr_abs(lim, x, MPFR_RNDN);
            if (accumulate)                    /* the extra rounding of C + AB */
                mpfr_mul_2ui(lim, lim, 1, MPFR_RNDN);
            mpfr_mul_ui(t, sab, 32 * (unsigned long)n, MPFR_RNDN);
            mpfr_add(lim, lim, t, MPFR_RNDN);
            mpfr_mul_2si(lim, lim, -(long)prec, MPFR_RNDN);
            cr_assert(mpfr_cmp(s, lim) <= 0,
                      "mm n=%d prec=%ld spread=%g acc=%d: entry (%d,%d) error %.3g > bound %.3g",
                      n, (long)prec, spread, accumulate, i + 1, j + 1, mpfr_get_d(s, MPFR_RNDU),
                      mpfr_get_d(lim, MPFR_RNDN));
        }
    for (size_t k = 0; k < nn; k++) {
        mpfr_clear(a + k);
        mpfr_clear(b + k);
        mpfr_clear(c + k);
    }
    free(a);
    free(b);
    free(c);
    mpfr_clears(s, t, lim, sab, (mpfr_ptr)0);
    mfree(n, A);
    mfree(n, B);
    mfree(n, C);
    mfree(n, X);
}

Test(internals, fixed_point_products)
{
    /* L = 2, 4, 8 (fast kernels), 12 (mpn path); flat and graded (entries
     * over 2^-600..2^600: the fma fallback must keep the small ones); n = 30
     * is split over 3 threads. Plus an Inf factor gives NaN, not garbage. */
    const mpfr_prec_t precs[] = {112, 224, 496, 752};
    const double spreads[] = {0, 100, 1200};
    uint64_t seed = 1;
    for (size_t p = 0; p < 4; p++)
        for (size_t g = 0; g < 3; g++)
            for (int acc = 0; acc < 2; acc++) {
                check_mm(5, precs[p], spreads[g], acc, seed++);
                if (p < 2)
                    check_mm(30, precs[p], spreads[g], acc, seed++);
            }
    __mpfr_struct a[4], c[4];
    for (int k = 0; k < 4; k++) {
        mpfr_init2(a + k, 112);
        mpfr_init2(c + k, 112);
        mpfr_set_ui(a + k, (unsigned long)k + 1, MPFR_RNDN);
    }
    mpfr_set_inf(a + 1, 1);
    expm_ref_mm_t *mm = expm_ref_mm_new(2, 112, 1);
    expm_ref_mm_rows(mm, 0, a);
    expm_ref_mm_cols(mm, 0, a);
    expm_ref_mm_dot(mm, c, 0, 0, 0);
    expm_ref_mm_free(mm);
    for (int k = 0; k < 4; k++) {
        cr_assert(mpfr_nan_p(c + k), "product with an Inf factor: entry %d not NaN", k);
        mpfr_clear(a + k);
        mpfr_clear(c + k);
    }
}

/* The thread count changes who computes a column, not how: same bits. */
Test(certified, thread_count_does_not_change_the_result)
{
    const int n = 30;
    size_t nn = (size_t)n * n;
    double *A = malloc(nn * sizeof *A), *E = malloc(nn * sizeof *E);
    double *X1 = malloc(nn * sizeof *X1), *L1 = malloc(nn * sizeof *L1);
    double *X3 = malloc(nn * sizeof *X3), *L3 = malloc(nn * sizeof *L3);
    uint64_t s = 4242;
    for (size_t k = 0; k < nn; k++) {
        A[k] = 0.3 * urand(&s);
        E[k] = urand(&s);
    }
    setenv("EXPMKIT_REF_THREADS", "1", 1);
    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, L1, n, X1, n, 0, NULL), EXPM_OK);
    setenv("EXPMKIT_REF_THREADS", "3", 1);
    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, L3, n, X3, n, 0, NULL), EXPM_OK);
    unsetenv("EXPMKIT_REF_THREADS");
    cr_assert(memcmp(X1, X3, nn * sizeof *X1) == 0, "exp differs between 1 and 3 threads");
    cr_assert(memcmp(L1, L3, nn * sizeof *L1) == 0, "L differs between 1 and 3 threads");
    free(A);
    free(E);
    free(X1);
    free(L1);
    free(X3);
    free(L3);
}

/* The precision is chosen from the data so that escalation is the
 * exception: over the named test set (exp and L(A,E)), at most 5% of the
 * calls may need more than one p/2p comparison (the first pair disagreeing
 * costs a third evaluation at 4p: 2-3x the time). */
Test(certified, escalation_is_the_exception, .timeout = 120)
{
    size_t sz = (size_t)EXPM_TESTMAT_MAXN * EXPM_TESTMAT_MAXN;
    double *A = malloc(sz * sizeof *A), *E = malloc(sz * sizeof *E);
    double *X = malloc(sz * sizeof *X), *L = malloc(sz * sizeof *L);
    int calls = 0, escalated = 0;
    for (int k = 0; k < expm_testmat_count(); k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        int n = t->n;
        expm_testmat_colmajor(t, A);
        expm_testmat_E(t, E);
        expm_ref_info_t i1, i2;
        cr_assert_eq(expm_ref_exp(n, A, n, X, n, 0, &i1), EXPM_OK, "%s: %s", t->name, i1.message);
        cr_assert_eq(expm_ref_frechet(n, A, n, E, n, L, n, NULL, n, 0, &i2), EXPM_OK, "%s: %s",
                     t->name, i2.message);
        calls += 2;
        escalated += (i1.attempts > 1) + (i2.attempts > 1);
        if (i1.attempts > 1 || i2.attempts > 1)
            cr_log_info("%s: escalated (exp %d, L %d attempts, p = %ld)", t->name,
                        i1.attempts, i2.attempts, i1.precision);
    }
    printf("escalation: %d of %d reference calls on the named set\n", escalated, calls);
    cr_assert(escalated * 20 <= calls, "%d of %d calls escalated", escalated, calls);
    free(A);
    free(E);
    free(X);
    free(L);
}

/* ------------------------------------------------------------------------ */
/* Timing (printed, not asserted)                                            */
/* ------------------------------------------------------------------------ */

static void random_matrix(int n, double *A, double target_norm1, uint64_t *s)
{
    for (int k = 0; k < n * n; k++)
        A[k] = urand(s);
    double nrm = 0;
    for (int j = 0; j < n; j++) {
        double c = 0;
        for (int i = 0; i < n; i++)
            c += fabs(A[i + j * n]);
        nrm = fmax(nrm, c);
    }
    for (int k = 0; k < n * n; k++)
        A[k] *= target_norm1 / nrm;
}

Test(timing, exp_and_frechet, .timeout = 300)
{
    const int ns[] = {8, 32, 64};
    uint64_t s = 99;
    for (size_t k = 0; k < 3; k++) {
        int n = ns[k];
        double *A = malloc((size_t)n * n * sizeof *A), *E = malloc((size_t)n * n * sizeof *E);
        double *X = malloc((size_t)n * n * sizeof *X), *L = malloc((size_t)n * n * sizeof *L);
        random_matrix(n, A, 5.0, &s);
        random_matrix(n, E, 1.0, &s);
        expm_ref_info_t info;
        double t0 = now();
        expm_status st = expm_ref_exp(n, A, n, X, n, 0, &info);
        double t1 = now();
        cr_assert_eq(st, EXPM_OK, "%s", info.message);
        cr_log_info("reference exp      n=%2d ||A||_1=5: %.3f s (p=%ld, attempts %d, r=%d, N=%d)",
                    n, t1 - t0, info.precision, info.attempts, info.squarings, info.terms);
        printf("reference exp      n=%2d ||A||_1=5: %.3f s (p=%ld, attempts %d, r=%d, N=%d)\n",
               n, t1 - t0, info.precision, info.attempts, info.squarings, info.terms);
        if (n <= 32) {
            t0 = now();
            st = expm_ref_frechet(n, A, n, E, n, L, n, X, n, 0, &info);
            t1 = now();
            cr_assert_eq(st, EXPM_OK, "%s", info.message);
            cr_log_info("reference Frechet n=%2d ||A||_1=5: %.3f s (p=%ld, attempts %d, r=%d, N=%d)",
                        n, t1 - t0, info.precision, info.attempts, info.squarings, info.terms);
            printf("reference Frechet n=%2d ||A||_1=5: %.3f s (p=%ld, attempts %d, r=%d, N=%d)\n",
                   n, t1 - t0, info.precision, info.attempts, info.squarings, info.terms);
        }
        fflush(stdout);
        free(A);
        free(E);
        free(X);
        free(L);
    }
}

/* A = c [[1, 1], [-1, -1]], A^2 = 0: exp(A) = I + A. For c = 1e50, 1e70,
 * 1e100, 1e155, 1e300 the squarings at the initial precision hit MPFR's
 * range and the reference said "exp(A) overflows double" (an outside
 * audit); now it escalates the precision and certifies I + A. */
Test(reference, huge_nilpotent_is_not_an_overflow, .timeout = 120)
{
    static const double cs[] = {1e50, 1e70, 1e100, 1e155, 1e300};
    for (int k = 0; k < 5; k++) {
        double c = cs[k], A[4] = {c, -c, c, -c}, X[4];
        expm_ref_info_t ri;
        cr_assert_eq(expm_ref_exp(2, A, 2, X, 2, 0, &ri), EXPM_OK, "c = %g: %s", c, ri.message);
        /* I + A rounded: c + 1 and 1 - c round to +-c for c >= 2^53 */
        cr_expect(X[0] == c + 1.0 && X[1] == -c && X[2] == c && X[3] == 1.0 - c,
                  "c = %g: [%.17g %.17g; %.17g %.17g]", c, X[0], X[2], X[1], X[3]);
    }
}
