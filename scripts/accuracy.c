/*
 * accuracy.c -- writes reports/accuracy.md (run by `make report`): every
 * registered method on every named test matrix (src/testmats.c) plus
 * seeded random matrices, for exp(A) and L(A,E), against the certified MPFR
 * reference. kappa_exp is exact (Kronecker form of the reference L).
 * phi = err / (u max(kappa,1)); a method is forward stable on a matrix when
 * phi <= 10. Failures are rows of the table, not omissions.
 * Usage: accuracy OUT.md
 */
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expmkit.h"
#include "testmats.h"

#define U 0x1p-53
#define MAXN 8
#define NRANDOM 4

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void randn(int n, uint64_t seed, double norm1, double *A)
{
    uint64_t s = seed;
    for (int i = 0; i < n * n; i++) {
        double u1 = ((double)(rng_next(&s) >> 11) + 0.5) * 0x1p-53;
        double u2 = ((double)(rng_next(&s) >> 11) + 0.5) * 0x1p-53;
        A[i] = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
    }
    if (norm1 > 0) {
        double best = 0;
        for (int j = 0; j < n; j++) {
            double c = 0;
            for (int i = 0; i < n; i++)
                c += fabs(A[i + j * n]);
            best = fmax(best, c);
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

static double relerr(int n, const double *X, const double *R)
{
    long double d = 0, r = 0;
    for (int i = 0; i < n * n; i++) {
        long double e = (long double)X[i] - R[i];
        d += e * e;
        r += (long double)R[i] * R[i];
    }
    return r > 0 ? (double)sqrtl(d / r) : (double)sqrtl(d);
}

static double kappa_exp(int n, const double *A)
{
    int N = n * n;
    double *K = calloc((size_t)N * N, sizeof(double)), E[MAXN * MAXN], X[MAXN * MAXN];
    double *sv = calloc((size_t)N, sizeof(double)), kappa = -1;
    for (int c = 0; c < N && K; c++) {
        memset(E, 0, sizeof E);
        E[c] = 1;
        if (expm_ref_frechet(n, A, n, E, n, K + (size_t)c * N, n, X, n, 0, NULL) != EXPM_OK)
            goto out;
    }
    if (K && sv && LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', N, N, K, N, sv, NULL, 1, NULL, 1) == 0)
        kappa = sv[0] * fro(n, A) / fro(n, X);
out:
    free(K);
    free(sv);
    return kappa;
}

typedef struct {
    double phi[64];
    int count, over10, fail;
    double worst;
    char worst_name[64];
} summary_t;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void note(summary_t *s, double phi, const char *name, int failed)
{
    if (failed) {
        s->fail++;
        return;
    }
    s->phi[s->count++] = phi;
    s->over10 += phi > 10;
    if (phi >= s->worst) {
        s->worst = phi;
        snprintf(s->worst_name, sizeof s->worst_name, "%s", name);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: accuracy OUT.md\n");
        return 2;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        perror(tmp);
        return 1;
    }
    int nm = expm_method_count(), ntest = expm_testmat_count() + NRANDOM;
    summary_t *sx = calloc((size_t)nm, sizeof *sx), *sl = calloc((size_t)nm, sizeof *sl);
    char rows[256][512];
    int nrows = 0;

    for (int k = 0; k < ntest; k++) {
        double A[MAXN * MAXN], E[MAXN * MAXN], R[MAXN * MAXN], RL[MAXN * MAXN], X[MAXN * MAXN];
        int n;
        char name[64];
        if (k < expm_testmat_count()) {
            const expm_testmat_t *t = expm_testmat_get(k);
            n = t->n;
            expm_testmat_colmajor(t, A);
            snprintf(name, sizeof name, "%s", t->name);
        } else {
            static const double norms[NRANDOM] = {0.3, 3, 30, 300};
            n = 8;
            randn(n, 1000 + (uint64_t)k, norms[k - expm_testmat_count()], A);
            snprintf(name, sizeof name, "randn(8), ||A||_1 = %g", norms[k - expm_testmat_count()]);
        }
        randn(n, 77 + (uint64_t)k, 0, E);
        expm_ref_info_t ri;
        if (expm_ref_exp(n, A, n, R, n, 0, &ri) != EXPM_OK ||
            expm_ref_frechet(n, A, n, E, n, RL, n, NULL, 0, 0, &ri) != EXPM_OK) {
            fprintf(stderr, "accuracy: %s: reference failed: %s\n", name, ri.message);
            snprintf(rows[nrows++], 512, "| %s | %d | reference failed: %s | | | |", name, n,
                     ri.message);
            continue;
        }
        double kappa = kappa_exp(n, A);
        double scale = U * fmax(kappa, 1.0);
        fprintf(stderr, "accuracy: [%d/%d] %s (kappa %.3g)\n", k + 1, ntest, name, kappa);
        for (int i = 0; i < nm; i++) {
            const expm_method_t *m = expm_method_get(i);
            expm_info_t info;
            char cell[200];
            if (m->kinds & EXPM_KIND_EXP) {
                expm_status st = expm_exp(m->name, n, A, n, X, n, &info);
                double err = st == EXPM_OK ? relerr(n, X, R) : NAN;
                note(&sx[i], err / scale, name, st != EXPM_OK);
                if (st == EXPM_OK)
                    snprintf(cell, sizeof cell, "%.2e | %.3g", err, err / scale);
                else
                    snprintf(cell, sizeof cell, "FAILED (%s) |", expm_strerror(st));
                snprintf(rows[nrows++], 512, "| %s | %d | %.3g | %s exp | %s |", name, n, kappa,
                         m->name, cell);
            }
            if (m->kinds & EXPM_KIND_FRECHET) {
                expm_status st = expm_frechet(m->name, n, A, n, E, n, X, n, NULL, 0, &info);
                double err = st == EXPM_OK ? relerr(n, X, RL) : NAN;
                note(&sl[i], err / scale, name, st != EXPM_OK);
                if (st == EXPM_OK)
                    snprintf(cell, sizeof cell, "%.2e | %.3g", err, err / scale);
                else
                    snprintf(cell, sizeof cell, "FAILED (%s) |", expm_strerror(st));
                snprintf(rows[nrows++], 512, "| %s | %d | %.3g | %s L(A,E) | %s |", name, n,
                         kappa, m->name, cell);
            }
        }
    }

    fprintf(out, "# expmkit accuracy report\n\n"
                 "Generated by `make report` (scripts/accuracy.c) from one run; every number "
                 "below is measured, against the certified MPFR reference.\n\n"
                 "- err = ||X - X_ref||_F / ||X_ref||_F; kappa = kappa_exp(A) (relative, "
                 "Frobenius, exact via the Kronecker form of the reference L).\n"
                 "- phi = err / (u max(kappa, 1)), u = 2^-53: forward stable when phi <= 10. For "
                 "L(A,E) the same scale u max(kappa_exp,1) is used (E random normal, seeded).\n"
                 "- Matrices: %d named cases of ../shared/TESTSET.md (src/testmats.c) and %d "
                 "seeded random 8x8 matrices.\n\n",
            expm_testmat_count(), NRANDOM);
    fprintf(out, "## Summary per method\n\n"
                 "| method | quantity | matrices | median phi | worst phi | worst on | phi > 10 | "
                 "failures |\n|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nm; i++) {
        const expm_method_t *m = expm_method_get(i);
        summary_t *ss[2] = {&sx[i], &sl[i]};
        const char *what[2] = {"exp(A)", "L(A,E)"};
        unsigned kinds[2] = {EXPM_KIND_EXP, EXPM_KIND_FRECHET};
        for (int q = 0; q < 2; q++) {
            if (!(m->kinds & kinds[q]))
                continue;
            summary_t *s = ss[q];
            qsort(s->phi, (size_t)s->count, sizeof(double), cmp_double);
            double med = s->count ? s->phi[s->count / 2] : NAN;
            fprintf(out, "| %s | %s | %d | %.3g | %.3g | %s | %d | %d |\n", m->name, what[q],
                    s->count + s->fail, med, s->worst, s->worst_name, s->over10, s->fail);
        }
    }
    fprintf(out, "\n## Per matrix\n\n| matrix | n | kappa | method | err | phi |\n"
                 "|---|---|---|---|---|---|\n");
    for (int r = 0; r < nrows; r++)
        fprintf(out, "%s\n", rows[r]);
    free(sx);
    free(sl);
    if (fclose(out) != 0 || rename(tmp, argv[1]) != 0) {
        perror(argv[1]);
        return 1;
    }
    fprintf(stderr, "accuracy: wrote %s\n", argv[1]);
    return 0;
}
