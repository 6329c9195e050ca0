/* norm.c -- matrix norms (1, inf, Frobenius) and the exact ||\,|A|^p\,||_1. */
#include <math.h>
#include <string.h>
#include <cblas.h>

#include "dense.h"

/* Column sums with four partial sums (no single dependence chain; 3x
 * faster, measured): the order only moves the result by rounding. */
static double abs_sum(int n, const double *a)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
        s0 += fabs(a[i]);
        s1 += fabs(a[i + 1]);
        s2 += fabs(a[i + 2]);
        s3 += fabs(a[i + 3]);
    }
    for (; i < n; i++)
        s0 += fabs(a[i]);
    return (s0 + s1) + (s2 + s3);
}

double expm_dnorm1(int m, int n, const double *A, int lda)
{
    double best = 0.0;
    for (int j = 0; j < n; j++) {
        double s = abs_sum(m, A + (size_t)j * lda);
        if (s > best || isnan(s))
            best = s;
    }
    return best;
}

double expm_dlog2norm1(int m, int n, const double *A, int lda)
{
    double nrm = expm_dnorm1(m, n, A, lda);
    if (isfinite(nrm) || isnan(nrm))
        return nrm > 0.0 ? log2(nrm) : (nrm == 0.0 ? -INFINITY : nrm);
    /* The sums overflowed (entries near DBL_MAX): again on A 2^-k. */
    double big = 0.0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
            big = fmax(big, fabs(A[i + (size_t)j * lda]));
    if (!isfinite(big))
        return big;
    int k;
    frexp(big, &k);
    double best = 0.0;
    for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int i = 0; i < m; i++)
            s += ldexp(fabs(A[i + (size_t)j * lda]), -k);
        best = fmax(best, s);
    }
    return log2(best) + k;
}

int expm_dnorm1_exponent(int m, int n, const double *A, int lda)
{
    double nrm = expm_dnorm1(m, n, A, lda);
    int k = 0;
    if (nrm > 0.0 && isfinite(nrm))
        frexp(nrm, &k);
    else if (nrm > 0.0)
        k = (int)floor(expm_dlog2norm1(m, n, A, lda)) + 1;
    return k;
}

double expm_dnorminf(int m, int n, const double *A, int lda)
{
    double best = 0.0;
    for (int i = 0; i < m; i++) {
        double s = 0.0;
        for (int j = 0; j < n; j++)
            s += fabs(A[i + (size_t)j * lda]);
        if (s > best || isnan(s))
            best = s;
    }
    return best;
}

/* Scaled sum of squares (LAPACK dlassq idea): no overflow or underflow for
 * finite entries whose norm is representable. */
double expm_dnormfro(int m, int n, const double *A, int lda)
{
    return expm_dnormfro_times(m, n, A, lda, 1.0);
}

double expm_dnormfro_times(int m, int n, const double *A, int lda, double c)
{
    double scale = 0.0, ssq = 1.0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double a = fabs(A[i + (size_t)j * lda]);
            if (a == 0.0)
                continue;
            if (isnan(a))
                return a;
            if (scale < a) {
                ssq = 1.0 + ssq * (scale / a) * (scale / a);
                scale = a;
            } else {
                ssq += (a / scale) * (a / scale);
            }
        }
    return (c * scale) * sqrt(ssq);
}

/* w_j = sum_i |a_ij| v_i in eight partial sums (two 4-wide vectors, GCC/
 * clang vector extension; one ymm each in the AVX2 clone of
 * expm_dabspow_step, two xmm otherwise, with the same arithmetic), so the
 * loop is bound neither by one chain of adds nor by scalar issue (the
 * scalar 4-sum version was 5.7% of exp at n = 128, perf). The order of
 * the additions only moves the result by rounding: ell depends on it
 * through the ceil of a log2. */
#if defined(__GNUC__)
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));
#endif
static inline __attribute__((always_inline)) double abs_dot(int n, const double *a,
                                                             const double *v)
{
    int i = 0;
    double t = 0.0;
#if defined(__GNUC__)
    const v4i mask = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                      0x7fffffffffffffffLL};
    v4d s0 = {0.0, 0.0, 0.0, 0.0}, s1 = s0;
    for (; i + 8 <= n; i += 8) {
        v4d a0, a1, v0, v1;
        memcpy(&a0, a + i, sizeof a0);
        memcpy(&a1, a + i + 4, sizeof a1);
        memcpy(&v0, v + i, sizeof v0);
        memcpy(&v1, v + i + 4, sizeof v1);
        a0 = (v4d)((v4i)a0 & mask);
        a1 = (v4d)((v4i)a1 & mask);
        s0 += a0 * v0;
        s1 += a1 * v1;
    }
    s0 += s1;
    t = (s0[0] + s0[1]) + (s0[2] + s0[3]);
#endif
    for (; i < n; i++)
        t += fabs(a[i]) * v[i];
    return t;
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__) && \
    !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
double expm_dabspow_step(int n, const double *A, int lda, double *v, double *w,
                         double *log2scale)
{
    double big = 0.0;
    for (int j = 0; j < n; j++) {
        double s = abs_dot(n, A + (size_t)j * lda, v);
        w[j] = s;
        big = s > big ? s : big;
    }
    if (big == 0.0) {
        for (int j = 0; j < n; j++)
            v[j] = 0.0;
        return -INFINITY;
    }
    /* Renormalise by 2^-e (exact): one multiplier while 2^-e is a normal
     * number, ldexp per entry otherwise. */
    int e;
    frexp(big, &e);
    if (e > -1000 && e < 1000) {
        double f = ldexp(1.0, -e);
        for (int j = 0; j < n; j++)
            v[j] = w[j] * f;
    } else {
        for (int j = 0; j < n; j++)
            v[j] = ldexp(w[j], -e);
    }
    *log2scale += e;
    return log2(ldexp(big, -e)) + *log2scale;
}

double expm_dlog2norm1_abspow(int n, const double *A, int lda, int p, double *work)
{
    double *v = work, *w = work + n, scale = 0.0, l2 = 0.0;
    for (int i = 0; i < n; i++)
        v[i] = 1.0;
    for (int k = 0; k < p; k++) {
        l2 = expm_dabspow_step(n, A, lda, v, w, &scale);
        if (l2 == -INFINITY)
            return l2;
    }
    return l2;
}

void expm_dlog2norm1_abspows(int n, const double *A, int lda, int p, double *l2,
                             double *work)
{
    double *v = work, *w = work + n, scale = 0.0;
    for (int i = 0; i < n; i++)
        v[i] = 1.0;
    l2[0] = 0.0;
    for (int j = 1; j <= p; j++)
        l2[j] = (j > 1 && l2[j - 1] == -INFINITY) ? -INFINITY
                                                  : expm_dabspow_step(n, A, lda, v, w, &scale);
}
