/*
 * test_batch.c -- src/batch.c: expm_exp_batch. Each matrix's result must be
 * the one-by-one result bit for bit (whatever the thread count and strides),
 * failures must be reported per matrix without touching that matrix's
 * output, and bad arguments must be rejected before anything is written.
 * (Accuracy of the small path itself: tests/test_pade_small.c.)
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../methods/methods.h"
#include "testutil.h"

/* Fill count matrices of n-by-n, ld lda, stride sa, from seeded randn with
 * 1-norms cycling through 0.05 .. 200 (so m and s vary from matrix to
 * matrix, and so does the cost per matrix). Padding gets a sentinel. */
static void fill(int n, int count, int lda, long sa, double *A)
{
    static const double norms[] = {0.05, 0.5, 1.0, 3.0, 10.0, 200.0};
    double tmp[EXPM_PADE_SMALL_MAXN > 12 ? EXPM_PADE_SMALL_MAXN * EXPM_PADE_SMALL_MAXN : 144];
    for (long k = 0; k < (long)count * sa; k++)
        A[k] = 12345.0;
    for (int k = 0; k < count; k++) {
        tu_randn(n, 777 + (uint64_t)k, norms[k % 6], tmp);
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                A[k * sa + i + (long)j * lda] = tmp[i + j * n];
    }
}

/* The one-by-one call the batch promises to equal (expmkit.h). */
static expm_status one(const char *method, int n, const double *A, int lda, double *X, int ldx,
                       expm_info_t *info)
{
    int small = (!method || !*method || strcmp(method, "pade") == 0) &&
                n <= EXPM_PADE_SMALL_MAXN;
    return small ? expm_pade_small_exp(n, A, lda, X, ldx, info)
                 : expm_exp(method, n, A, lda, X, ldx, info);
}

static void check_equal(const char *method, int n, int count, int nthreads)
{
    int lda = n + 1, ldx = n + 2;
    long sa = (long)lda * n + 3, sx = (long)ldx * n + 1;
    double *A = malloc(sizeof(double) * count * sa), *X = malloc(sizeof(double) * count * sx);
    double *Y = malloc(sizeof(double) * count * sx);
    expm_status *st = malloc(sizeof(expm_status) * count);
    cr_assert(A && X && Y && st);
    fill(n, count, lda, sa, A);
    for (long k = 0; k < count * sx; k++)
        X[k] = Y[k] = -7.0;
    expm_info_t info;
    expm_status s = expm_exp_batch(method, n, count, A, lda, sa, X, ldx, sx, nthreads, st, &info);
    cr_assert_eq(s, EXPM_OK, "%s n=%d threads=%d: %s", method, n, nthreads, info.message);
    long products = 0, solves = 0;
    int mmax = 0, smax = 0;
    for (int k = 0; k < count; k++) {
        expm_info_t ik;
        cr_assert_eq(one(method, n, A + k * sa, lda, Y + k * sx, ldx, &ik), EXPM_OK);
        cr_expect_eq(st[k], EXPM_OK);
        products += ik.products, solves += ik.solves;
        mmax = ik.m > mmax ? ik.m : mmax, smax = ik.s > smax ? ik.s : smax;
    }
    /* Bit equality of every result and of the untouched padding. */
    cr_expect(memcmp(X, Y, sizeof(double) * count * sx) == 0,
              "%s n=%d threads=%d: batch differs from one-by-one", method, n, nthreads);
    cr_expect_eq(info.products, products, "products %ld vs %ld", info.products, products);
    cr_expect_eq(info.solves, solves);
    cr_expect_eq(info.m, mmax);
    cr_expect_eq(info.s, smax);
    free(A), free(X), free(Y), free(st);
}

Test(batch, equals_one_by_one_small_path)
{
    static const int threads[] = {1, 2, 3, 0};
    for (int n = 1; n <= EXPM_PADE_SMALL_MAXN; n++)
        for (int t = 0; t < 4; t++)
            check_equal(n % 2 ? "pade" : NULL, n, 61, threads[t]);
}

/* Strongly graded blocks (D G D^-1, D over 2^120) take the default's
 * balancing path (pade.c), not the small path directly: the batch must
 * still equal expm_exp bit for bit. It did not when batch.c called the
 * small path for every non-triangular block (n = 4, 6). */
Test(batch, graded_blocks_equal_expm_exp)
{
    for (int n = 4; n <= 6; n += 2) {
        int count = 8;
        double A[8 * 36], X[8 * 36], Y[8 * 36], G[36];
        for (int k = 0; k < count; k++) {
            tu_randn(n, 4242 + (uint64_t)k, k % 2 ? 50.0 : 1.0, G);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                    A[k * n * n + i + j * n] = ldexp(G[i + j * n], (k % 3 ? 24 : -24) * (i - j));
        }
        expm_info_t info;
        cr_assert_eq(expm_exp_batch(NULL, n, count, A, n, n * n, X, n, n * n, 2, NULL, &info),
                     EXPM_OK, "%s", info.message);
        for (int k = 0; k < count; k++)
            cr_assert_eq(expm_exp(NULL, n, A + k * n * n, n, Y + k * n * n, n, NULL), EXPM_OK);
        cr_expect(memcmp(X, Y, sizeof(double) * count * n * n) == 0,
                  "n=%d: batch differs from expm_exp on graded blocks", n);
    }
}

/* Strictly triangular and zero blocks: expm_exp takes the finite Taylor
 * sum (nilpotent.c) before the small path, and so must the batch (it
 * called the small path: last-bit differences, solves 1 vs 0; an outside
 * audit found 70 of 1000 mixed 4x4 blocks differing). */
Test(batch, nilpotent_blocks_equal_expm_exp)
{
    for (int n = 3; n <= EXPM_PADE_SMALL_MAXN; n += 4) {
        enum { COUNT = 9 };
        double A[COUNT * 256], X[COUNT * 256], Y[COUNT * 256], G[256];
        for (int k = 0; k < COUNT; k++) {
            tu_randn(n, 9090 + (uint64_t)k, k % 3 ? 3.0 : 0.5, G);
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) {
                    int keep = k % 3 == 0 ? i < j : k % 3 == 1 ? i > j : 0;   /* upper, lower, zero */
                    A[k * n * n + i + j * n] = keep ? G[i + j * n] : 0.0;
                }
        }
        expm_info_t info, one_info;
        cr_assert_eq(expm_exp_batch(NULL, n, COUNT, A, n, n * n, X, n, n * n, 2, NULL, &info),
                     EXPM_OK, "%s", info.message);
        long products = 0, solves = 0;
        for (int k = 0; k < COUNT; k++) {
            cr_assert_eq(expm_exp(NULL, n, A + k * n * n, n, Y + k * n * n, n, &one_info),
                         EXPM_OK);
            products += one_info.products, solves += one_info.solves;
        }
        cr_expect(memcmp(X, Y, sizeof(double) * COUNT * n * n) == 0,
                  "n=%d: batch differs from expm_exp on nilpotent blocks", n);
        cr_expect_eq(info.products, products, "n=%d: products %ld vs %ld", n, info.products,
                     products);
        cr_expect_eq(info.solves, solves, "n=%d: solves %ld vs %ld", n, info.solves, solves);
    }
}

Test(batch, equals_one_by_one_other_methods)
{
    check_equal("pade", 12, 9, 2);       /* small path (n <= 16) */
    check_equal("taylor", 5, 17, 3);
    check_equal("pade-plain", 4, 17, 0);
    check_equal("eig", 3, 7, 2);
}

/* One overflowing matrix and one with a NaN among many: their statuses in
 * status_each, their X untouched, every other X the one-by-one result, and
 * the call's status that of the first failing matrix (lowest index). */
Test(batch, per_matrix_failures)
{
    int n = 4, count = 200;
    long sa = n * n;
    double *A = malloc(sizeof(double) * count * sa), *X = malloc(sizeof(double) * count * sa);
    double Y[16];
    expm_status st[200];
    cr_assert(A && X);
    fill(n, count, n, sa, A);
    for (int k = 0; k < n * n; k++)
        A[117 * sa + k] = 300.0;          /* exp ~ e^1200: overflows */
    A[150 * sa + 5] = NAN;
    for (int t = 0; t <= 2; t++) {
        for (long k = 0; k < count * sa; k++)
            X[k] = -3.0;
        expm_info_t info;
        expm_status s = expm_exp_batch("pade", n, count, A, n, sa, X, n, sa, t, st, &info);
        cr_expect_eq(s, EXPM_EOVERFLOW, "threads=%d: %s", t, expm_strerror(s));
        cr_expect(strstr(info.message, "matrix 117 of 200") != NULL, "message: %s", info.message);
        cr_expect(info.log10_norm > 308, "log10_norm %g", info.log10_norm);
        for (int k = 0; k < count; k++) {
            if (k == 117 || k == 150) {
                cr_expect_eq(st[k], k == 117 ? EXPM_EOVERFLOW : EXPM_EINVAL, "status %d", k);
                for (int i = 0; i < n * n; i++)
                    cr_expect_eq(X[k * sa + i], -3.0, "failed matrix %d written", k);
                continue;
            }
            cr_expect_eq(st[k], EXPM_OK, "matrix %d", k);
            cr_assert_eq(one("pade", n, A + k * sa, n, Y, n, NULL), EXPM_OK);
            cr_expect(memcmp(Y, X + k * sa, sizeof Y) == 0, "matrix %d differs", k);
        }
    }
    /* The NaN first: then EINVAL is the call's status. */
    A[20 * sa + 3] = NAN;
    expm_info_t info;
    cr_expect_eq(expm_exp_batch(NULL, n, count, A, n, sa, X, n, sa, 2, NULL, &info), EXPM_EINVAL);
    cr_expect(strstr(info.message, "matrix 20 of 200") != NULL, "message: %s", info.message);
    free(A), free(X);
}

/* Argument errors: status and nothing written (X, status_each). */
Test(batch, bad_arguments)
{
    double A[32] = {0}, X[32];
    expm_status st[2] = {(expm_status)99, (expm_status)99};
    for (int k = 0; k < 32; k++)
        X[k] = -1.0;
    struct {
        const char *method;
        int n, count, lda, ldx, nthreads;
        long sa, sx;
        int nullA;
        expm_status want;
    } c[] = {
        {"pade", -1, 2, 4, 4, 1, 16, 16, 0, EXPM_EINVAL},
        {"pade", 4, -1, 4, 4, 1, 16, 16, 0, EXPM_EINVAL},
        {"pade", 4, 2, 3, 4, 1, 16, 16, 0, EXPM_EINVAL},
        {"pade", 4, 2, 4, 3, 1, 16, 16, 0, EXPM_EINVAL},
        {"pade", 4, 2, 4, 4, -1, 16, 16, 0, EXPM_EINVAL},
        {"pade", 4, 2, 4, 4, 1, -16, 16, 0, EXPM_EINVAL},
        {"pade", 4, 2, 4, 4, 1, 16, 15, 0, EXPM_EINVAL},  /* outputs would overlap */
        {"pade", 4, 2, 4, 4, 1, 16, 16, 1, EXPM_EINVAL},
        {"no-such-method", 4, 2, 4, 4, 1, 16, 16, 0, EXPM_ENOMETHOD},
        {"block", 4, 2, 4, 4, 1, 16, 16, 0, EXPM_EUNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        expm_info_t info;
        expm_status s = expm_exp_batch(c[i].method, c[i].n, c[i].count, c[i].nullA ? NULL : A,
                                       c[i].lda, c[i].sa, X, c[i].ldx, c[i].sx, c[i].nthreads,
                                       st, &info);
        cr_expect_eq(s, c[i].want, "case %zu: %s (%s)", i, expm_strerror(s), info.message);
        cr_expect(info.message[0] != '\0', "case %zu: no message", i);
    }
    for (int k = 0; k < 32; k++)
        cr_expect_eq(X[k], -1.0, "X written on an argument error");
    cr_expect(st[0] == (expm_status)99 && st[1] == (expm_status)99, "status_each written");
    /* Degenerate but valid: nothing to do. strideA = 0 (one matrix read
     * count times) is allowed; a single output may have any strideX. */
    cr_expect_eq(expm_exp_batch("pade", 0, 2, A, 1, 0, X, 1, 0, 1, st, NULL), EXPM_OK);
    cr_expect_eq(expm_exp_batch("pade", 4, 0, NULL, 4, 0, NULL, 4, 0, 1, NULL, NULL), EXPM_OK);
    cr_expect_eq(expm_exp_batch("pade", 4, 1, A, 4, 0, X, 4, 0, 1, NULL, NULL), EXPM_OK);
    cr_expect_eq(X[0], 1.0, "exp(0) = I");
    cr_expect_eq(expm_exp_batch("pade", 4, 2, A, 4, 0, X, 4, 16, 2, st, NULL), EXPM_OK);
    cr_expect_eq(X[16 + 5], 1.0, "exp(0) = I, second copy");
}
