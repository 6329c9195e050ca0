/*
 * testutil.h -- helpers shared by the Criterion tests: deterministic random
 * matrices, relative errors, the exact condition number kappa_exp through the
 * Kronecker form of the *reference* Frechet derivative (independent of the
 * methods under test), and a table of named test matrices with sources
 * (IDs refer to ../shared/TESTSET.md).
 */
#ifndef EXPMKIT_TESTUTIL_H
#define EXPMKIT_TESTUTIL_H

#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expmkit.h"

#define TU_U 0x1p-53

/* splitmix64: a fixed-seed generator, no global state. */
static inline uint64_t tu_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double tu_unif(uint64_t *s) /* in (0,1) */
{
    return ((double)(tu_next(s) >> 11) + 0.5) * 0x1p-53;
}

static inline double tu_normal(uint64_t *s)
{
    double u1 = tu_unif(s), u2 = tu_unif(s);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* n-by-n standard normal matrix scaled to 1-norm `norm1` (if > 0). */
static inline void tu_randn(int n, uint64_t seed, double norm1, double *A)
{
    uint64_t s = seed;
    for (int i = 0; i < n * n; i++)
        A[i] = tu_normal(&s);
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

static inline double tu_fro(int n, const double *A)
{
    long double s = 0;
    for (int i = 0; i < n * n; i++)
        s += (long double)A[i] * A[i];
    return (double)sqrtl(s);
}

/* ||X - R||_F / ||R||_F (absolute when R = 0). */
static inline double tu_relerr(int n, const double *X, const double *R)
{
    long double d = 0, r = 0;
    for (int i = 0; i < n * n; i++) {
        long double e = (long double)X[i] - R[i];
        d += e * e;
        r += (long double)R[i] * R[i];
    }
    return r > 0 ? (double)sqrtl(d / r) : (double)sqrtl(d);
}

/* kappa_exp(A) = ||K||_2 ||A||_F / ||exp(A)||_F, K the n^2 x n^2 Kronecker
 * matrix of L(A,.), built column by column from the certified reference.
 * Returns -1 on failure. */
static inline double tu_kappa_exp(int n, const double *A)
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
    kappa = sv[0] * tu_fro(n, A) / tu_fro(n, X);
out:
    free(K); free(E); free(X); free(sv);
    return kappa;
}

/* ---- named test matrices: src/testmats.c ---- */
#include "../src/testmats.h"
#define TU_NSMALL expm_testmat_count()
#define tu_small_colmajor expm_testmat_colmajor

#endif
