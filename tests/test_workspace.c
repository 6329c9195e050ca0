/*
 * test_workspace.c -- src/workspace.c: the block the default pade exp and
 * Frechet derivative keep per thread between calls.
 *
 * The kept block is reused uninitialised, so every result here is compared
 * bit for bit with the same call made with retention off (limit 0): a
 * result that depended on what an earlier call left in the block, or a
 * block handed to two users at once, shows up as a mismatch. The limit,
 * release and per-thread ownership are checked through
 * expm_workspace_retained().
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "testutil.h"

/* 9 n^2 doubles (exp) reach the 4 MiB threshold from n = 242, 19 n^2
 * (L(A,E)) from n = 167. */
enum { NX = 300, NF = 200, NSMALL = 100 };

static double *mat(int n, unsigned long long seed, double norm)
{
    double *A = malloc(sizeof(double) * n * n);
    cr_assert_not_null(A);
    tu_randn(n, seed, norm, A);
    return A;
}

/* exp(A) with retention as currently set, and with retention off. */
static void exp_both(int n, const double *A, double *X, double *Xoff)
{
    cr_assert_eq(expm_exp(NULL, n, A, n, X, n, NULL), EXPM_OK);
    size_t old = expm_workspace_set_limit(0);
    cr_assert_eq(expm_exp(NULL, n, A, n, Xoff, n, NULL), EXPM_OK);
    expm_workspace_set_limit(old);
}

Test(workspace, exp_keeps_block_and_results_identical)
{
    cr_assert_eq(expm_workspace_retained(), 0);
    double *A = mat(NX, 1, 30.0), *B = mat(NX, 2, 1.0);
    double *X = malloc(sizeof(double) * NX * NX), *Y = malloc(sizeof(double) * NX * NX);
    double *X0 = malloc(sizeof(double) * NX * NX), *Y0 = malloc(sizeof(double) * NX * NX);
    exp_both(NX, A, X, X0);            /* limit 0 also frees the block */
    cr_assert_eq(expm_exp(NULL, NX, A, NX, X, NX, NULL), EXPM_OK);
    size_t kept = expm_workspace_retained();
    cr_assert_geq(kept, (size_t)9 * NX * NX * sizeof(double), "kept %zu bytes", kept);
    cr_assert_eq(memcmp(X, X0, sizeof(double) * NX * NX), 0);
    /* B in A's old block, then A again in B's. */
    cr_assert_eq(expm_exp(NULL, NX, B, NX, Y, NX, NULL), EXPM_OK);
    cr_assert_eq(expm_workspace_retained(), kept);
    size_t old = expm_workspace_set_limit(0);
    cr_assert_eq(expm_workspace_retained(), 0, "lowering the limit frees the block");
    cr_assert_eq(expm_exp(NULL, NX, B, NX, Y0, NX, NULL), EXPM_OK);
    cr_assert_eq(expm_workspace_retained(), 0);
    cr_assert_eq(old, EXPM_WORKSPACE_LIMIT_DEFAULT);
    expm_workspace_set_limit(old);
    cr_assert_eq(memcmp(Y, Y0, sizeof(double) * NX * NX), 0);
    cr_assert_eq(expm_exp(NULL, NX, A, NX, X, NX, NULL), EXPM_OK);
    cr_assert_eq(memcmp(X, X0, sizeof(double) * NX * NX), 0);
    expm_workspace_release();
    cr_assert_eq(expm_workspace_retained(), 0);
    free(A); free(B); free(X); free(Y); free(X0); free(Y0);
}

Test(workspace, small_blocks_and_limit)
{
    double *A = mat(NSMALL, 3, 30.0), *X = malloc(sizeof(double) * NSMALL * NSMALL);
    cr_assert_eq(expm_exp(NULL, NSMALL, A, NSMALL, X, NSMALL, NULL), EXPM_OK);
    cr_assert_eq(expm_workspace_retained(), 0, "below 4 MiB the heap reuses blocks");
    free(A); free(X);
    /* A limit below the block: allocated and freed per call. */
    expm_workspace_set_limit((size_t)1 << 20);
    A = mat(NX, 4, 30.0), X = malloc(sizeof(double) * NX * NX);
    cr_assert_eq(expm_exp(NULL, NX, A, NX, X, NX, NULL), EXPM_OK);
    cr_assert_eq(expm_workspace_retained(), 0);
    cr_assert_eq(expm_workspace_set_limit(EXPM_WORKSPACE_LIMIT_DEFAULT), (size_t)1 << 20);
    cr_assert_eq(expm_exp(NULL, NX, A, NX, X, NX, NULL), EXPM_OK);
    cr_assert_gt(expm_workspace_retained(), 0);
    free(A); free(X);
}

/* L(A,E) (19 n^2) and exp (9 n^2) in turn: the larger block replaces the
 * smaller; every result as with retention off. */
Test(workspace, frechet_and_exp_alternate)
{
    const int nf = NF, nx = NX;
    double *A = mat(nf, 5, 30.0), *E = mat(nf, 6, 1.0), *B = mat(nx, 7, 30.0);
    double *L = malloc(sizeof(double) * nf * nf), *L0 = malloc(sizeof(double) * nf * nf);
    double *XL = malloc(sizeof(double) * nf * nf), *XL0 = malloc(sizeof(double) * nf * nf);
    double *X = malloc(sizeof(double) * nx * nx), *X0 = malloc(sizeof(double) * nx * nx);
    size_t old = expm_workspace_set_limit(0);
    cr_assert_eq(expm_frechet(NULL, nf, A, nf, E, nf, L0, nf, XL0, nf, NULL), EXPM_OK);
    cr_assert_eq(expm_exp(NULL, nx, B, nx, X0, nx, NULL), EXPM_OK);
    expm_workspace_set_limit(old);
    for (int rep = 0; rep < 2; rep++) {
        cr_assert_eq(expm_frechet(NULL, nf, A, nf, E, nf, L, nf, XL, nf, NULL), EXPM_OK);
        size_t kf = expm_workspace_retained();
        cr_assert_geq(kf, (size_t)19 * nf * nf * sizeof(double));
        cr_assert_eq(memcmp(L, L0, sizeof(double) * nf * nf), 0, "rep %d", rep);
        cr_assert_eq(memcmp(XL, XL0, sizeof(double) * nf * nf), 0, "rep %d", rep);
        cr_assert_eq(expm_exp(NULL, nx, B, nx, X, nx, NULL), EXPM_OK);
        cr_assert_geq(expm_workspace_retained(), kf, "the larger block is kept");
        cr_assert_eq(memcmp(X, X0, sizeof(double) * nx * nx), 0, "rep %d", rep);
    }
    free(A); free(E); free(B); free(L); free(L0); free(XL); free(XL0); free(X); free(X0);
}

/* Each thread keeps its own block (the main thread's is untouched) and
 * gets the serial result; the blocks go at thread exit (LeakSanitizer in
 * `make sanitize` would report them otherwise). */
typedef struct {
    const double *A;
    double *X;
    size_t kept;
    expm_status st;
} job_t;

static void *worker(void *arg)
{
    job_t *j = arg;
    for (int rep = 0; rep < 3 && (j->st = expm_exp(NULL, NX, j->A, NX, j->X, NX, NULL)) == EXPM_OK;
         rep++)
        ;
    j->kept = expm_workspace_retained();
    return NULL;
}

Test(workspace, per_thread_blocks)
{
    enum { NT = 3 };
    double *A[NT], *X[NT], *X0[NT];
    job_t job[NT];
    pthread_t th[NT];
    size_t old = expm_workspace_set_limit(0);
    for (int t = 0; t < NT; t++) {
        A[t] = mat(NX, 10 + t, t + 1.0);
        X[t] = malloc(sizeof(double) * NX * NX), X0[t] = malloc(sizeof(double) * NX * NX);
        cr_assert_eq(expm_exp(NULL, NX, A[t], NX, X0[t], NX, NULL), EXPM_OK);
    }
    expm_workspace_set_limit(old);
    for (int t = 0; t < NT; t++) {
        job[t] = (job_t){A[t], X[t], 0, EXPM_OK};
        cr_assert_eq(pthread_create(&th[t], NULL, worker, &job[t]), 0);
    }
    for (int t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
        cr_assert_eq(job[t].st, EXPM_OK);
        cr_assert_geq(job[t].kept, (size_t)9 * NX * NX * sizeof(double));
        cr_assert_eq(memcmp(X[t], X0[t], sizeof(double) * NX * NX), 0, "thread %d", t);
    }
    cr_assert_eq(expm_workspace_retained(), 0, "the main thread made no large call");
    for (int t = 0; t < NT; t++)
        free(A[t]), free(X[t]), free(X0[t]);
}
