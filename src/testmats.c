/* testmats.c -- the named test matrices (see testmats.h). */
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expmkit.h"

#include "testmats.h"

static const expm_testmat_t TESTMATS[] = {
    {"C1 diagonal", 2, {1, 0, 0, 2}},
    {"C2 symmetric", 2, {1, 3, 3, 2}},
    {"C3 Laub", 2, {0, 1, -39, -40}},
    {"C4 Moler-Van Loan hump", 2, {-49, 24, -64, 31}},
    {"C5 Wikipedia", 3, {21, 17, 6, -5, -1, -6, 4, 4, 16}},
    {"C6 NAG F01ECF", 4, {1, 2, 2, 2, 3, 1, 1, 2, 3, 2, 1, 2, 3, 3, 3, 1}},
    {"C7 Ward 1", 3, {4, 2, 0, 1, 4, 1, 1, 1, 4}},
    {"C8 Ward 2", 3, {29.87942128909879, .7815750847907159, -2.289519314033932,
                      .7815750847907159, 25.72656945571064, 8.680737820540137,
                      -2.289519314033932, 8.680737820540137, 34.39400925519054}},
    {"C9 Ward 3", 3, {-131, 19, 18, -390, 56, 54, -387, 57, 52}},
    {"D1 MVL nilpotent", 4, {0, 6, 0, 0, 0, 0, 6, 0, 0, 0, 0, 6, 0, 0, 0, 0}},
    {"D3 MVL near-Jordan", 2, {1 + 0x1p-52, 1, 0, 1 - 0x1p-52}},
    {"D10 Kenney-Laub 4x4", 4, {48, -49, 50, 49, 0, -2, 100, 0, 0, -1, -2, 1, -50, 50, 50, -52}},
    {"D15 Trefethen-Embree", 3, {0, 10, 20, -0.1, 0, 30, 0, 0, 0}},
    {"O1 Al-Mohy 1", 2, {1, 1e17, 0, 1}},
    {"O2 Al-Mohy 2", 2, {1 - 5e3, 5e3, -5e3, 1 + 5e3}},
    {"O3 Al-Mohy 3", 2, {1 - 50, 50, -5e7, 1 + 50}},
    {"O6 Kenney-Laub 98 Ex.2", 2, {0.1, 1e6, 0, 0.1}},
    {"O9 Kenney-Laub 98 Ex.3", 2, {-1, 1e7, 0, -1e7}},
    {"B1 Moler balancing", 3, {0, 1e-8, 0, -(2e10 + 4e8 / 6), -3, 2e10, 200. / 3, 0, -200. / 3}},
    {"B3 Najfeld-Havel", 3, {20009.791, -10009.89, -9999.9, 20008.791, -10008.89, -9999.9,
                             19810.791, -9910.89, -9899.9}},
    {"B6 triangular mixed scale", 2, {1, 1, 0, 1e2}},
    {"E12 tridiag(-1,-2,1)", 2, {-2, 1, -1, -2}},
    {"P1 m2ex3 eps=1e-8", 2, {-1, 1, 1e-16, -1}},
    {"rotation 100", 2, {0, 100, -100, 0}},
};

int expm_testmat_count(void)
{
    return (int)(sizeof TESTMATS / sizeof TESTMATS[0]);
}

const expm_testmat_t *expm_testmat_get(int i)
{
    return (i >= 0 && i < expm_testmat_count()) ? &TESTMATS[i] : NULL;
}

void expm_testmat_colmajor(const expm_testmat_t *t, double *A)
{
    for (int i = 0; i < t->n; i++)
        for (int j = 0; j < t->n; j++)
            A[i + j * t->n] = t->a[i * t->n + j];
}

/* splitmix64: a fixed-seed generator, no global state. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(uint64_t *s) /* in (0,1) */
{
    return ((double)(next(s) >> 11) + 0.5) * 0x1p-53;
}

void expm_testmat_randn(int n, unsigned long long seed, double norm1, double *A)
{
    uint64_t s = seed;
    for (int i = 0; i < n * n; i++) {
        double u1 = unif(&s), u2 = unif(&s);
        A[i] = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    }
    if (norm1 > 0) {
        double best = 0;
        for (int j = 0; j < n; j++) {
            double c = 0;
            for (int i = 0; i < n; i++)
                c += fabs(A[i + j * n]);
            best = c > best ? c : best;
        }
        for (int i = 0; i < n * n; i++)
            A[i] *= norm1 / best;
    }
}

static double fro(int n, const double *A)
{
    long double s = 0;
    for (int i = 0; i < n * n; i++)
        s += (long double)A[i] * A[i];
    return (double)sqrtl(s);
}

double expm_relerr_fro(int n, const double *X, const double *R)
{
    long double d = 0, r = 0;
    for (int i = 0; i < n * n; i++) {
        long double e = (long double)X[i] - R[i];
        d += e * e;
        r += (long double)R[i] * R[i];
    }
    return r > 0 ? (double)sqrtl(d / r) : (double)sqrtl(d);
}

double expm_kappa_exp_kron(int n, const double *A)
{
    int N = n * n;
    double *K = calloc((size_t)N * N, sizeof(double));
    double *E = calloc((size_t)N, sizeof(double));
    double *X = calloc((size_t)N, sizeof(double));
    double *sv = calloc((size_t)N, sizeof(double));
    double kappa = -1;
    if (!K || !E || !X || !sv)
        goto out;
    for (int c = 0; c < N; c++) {
        memset(E, 0, (size_t)N * sizeof(double));
        E[c] = 1.0;
        if (expm_ref_frechet(n, A, n, E, n, K + (size_t)c * N, n, X, n, 0, NULL) != EXPM_OK)
            goto out;
    }
    if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', N, N, K, N, sv, NULL, 1, NULL, 1) != 0)
        goto out;
    kappa = sv[0] * fro(n, A) / fro(n, X);
out:
    free(K); free(E); free(X); free(sv);
    return kappa;
}
