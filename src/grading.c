/* grading.c -- undo a strong grading A = D B D^-1 by an exact power-of-two
 * diagonal similarity (LAPACK dgebal job 'S'), for the default pade's exp
 * and L and for pade-schur.
 *
 * Why: ||A||_1 of a graded A (D over 10^+-20) is ~1e40 while its balanced
 * B has norm ~1, so scaling and squaring on A takes s = 30-40 squarings
 * that B does not need (AMH's ell test removes only part of them), and each
 * one doubles the relative error: the default returned exp(A) with relative
 * error 1e-7 to 2e-4 for D over 10^+-20 and 0.1 to 1e33 for 10^+-40
 * (measured against the MPFR reference, n = 5-40), where the Schur method
 * on the balanced matrix had 1e-15 to 1e-12. A similarity by powers of two
 * changes no bit of any entry, so exp(A) = D exp(B) D^-1 and
 * L(A,E) = D L(B, D^-1 E D) D^-1 cost two O(n^2) scalings. */
#include <float.h>
#include <lapacke.h>
#include <math.h>

#include "dense.h"

/* Necessary for a drop of 2^log2_drop: every entry of B is at most ||B||_1, its
 * diagonal is A's, and |b_ij b_ji| = |a_ij a_ji|, so
 * ||B||_1 >= max(|a_ii|, sqrt|a_ij a_ji|). Exits at the first entry that
 * rules the drop out (the first diagonal entry on an ordinary dense A). */
int expm_grading_possible(int n, const double *A, int lda, double nrm, double floor,
                          int log2_drop)
{
    if (n < 2)
        return 0;
    /* ||A||_1 first, plainly: on an ordinary A the test ends here or at
     * the first diagonal entry. */
    if (!(nrm >= 0.0))
        nrm = expm_dnorm1(n, n, A, lda);
    if (!(nrm > floor) || !(nrm >= ldexp(1.0, log2_drop - 100)))
        return 0;              /* NaN: the caller's checks report it */
    double thr;
    if (isfinite(nrm))
        thr = ldexp(nrm, -log2_drop);
    else {
        double l2 = expm_dlog2norm1(n, n, A, lda);   /* entries near DBL_MAX */
        if (!isfinite(l2))
            return 0;          /* Inf */
        thr = exp2(l2 - log2_drop);
    }
    for (int i = 0; i < n; i++)
        if (fabs(A[i + (size_t)i * lda]) > thr)
            return 0;
    for (int j = 1; j < n; j++)
        for (int i = 0; i < j; i++) {
            double p = fabs(A[i + (size_t)j * lda]), q = fabs(A[j + (size_t)i * lda]);
            if ((p > thr || q > thr) && sqrt(p) * sqrt(q) > thr)
                return 0;
        }
    return 1;
}

int expm_dsimilarity_pow2(int n, const int *ex, int dir, const double *S, int lds,
                          double *T, int ldt)
{
    int r = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double s = S[i + (size_t)j * lds];
            double t = ldexp(s, dir > 0 ? ex[i] - ex[j] : ex[j] - ex[i]);
            T[i + (size_t)j * ldt] = t;
            if (s != 0.0) {
                if (!(fabs(t) <= DBL_MAX))
                    r |= 1;
                else if (fabs(t) < DBL_MIN)
                    r |= 2;
            }
        }
    return r;
}

int expm_grading_undo(int n, const double *A, int lda, double floor, int log2_drop,
                      double *B, int ldb, int *ex, double *scale)
{
    if (!expm_grading_possible(n, A, lda, -1.0, floor, log2_drop))
        return 0;
    /* dgebal and not balance.c: LAPACK >= 3.5 counts the diagonal (James,
     * Langou & Lowery 2014), so a matrix whose diagonal dominates is left
     * alone (methods/pade_schur.c has the measurement). */
    expm_dcopy(n, n, A, lda, B, ldb);
    lapack_int ilo = 1, ihi = n;
    if (LAPACKE_dgebal(LAPACK_COL_MAJOR, 'S', n, B, ldb, &ilo, &ihi, scale) != 0)
        return 0;
    for (int i = 0; i < n; i++) {
        frexp(scale[i], &ex[i]);
        ex[i] -= 1;
        if (scale[i] != ldexp(1.0, ex[i]))
            return 0;                                  /* radix 2 only */
    }
    /* Rebuilt with one scaling per entry: dgebal scales rows and columns in
     * turn, and with factors near the range limits an entry can underflow
     * on the way ([[1e-300, 1], [0, -1e-300]]: D = diag(8e149, 3e-142), the
     * (1,1) entry came back as 0; an outside audit). Kept only if exact.
     * When it is not, D^t (t = 3/4, 1/2, ... 1/16) is tried: on a
     * triangular A dgebal's D keeps shrinking the off-diagonal part toward
     * 0, past the bottom of the range (A 6x6 lower triangular with a strict
     * part ~1e150: some entries of D^-1 A D underflowed, A itself was used
     * with s = 401 squarings, and L(A,E) came out 0 or with relative error
     * 1, unwarned; an outside audit), while a partial grading is exact and
     * still lowers the norm by far more than needed. */
    static const int t16[6] = {16, 12, 8, 4, 2, 1};   /* t in sixteenths */
    int ok = 0;
    for (int q = 0; q < 6 && !ok; q++) {
        for (int i = 0; i < n; i++) {
            frexp(scale[i], &ex[i]);
            ex[i] = (ex[i] - 1) * t16[q] / 16;
        }
        ok = expm_dsimilarity_pow2(n, ex, -1, A, lda, B, ldb) == 0;
    }
    if (!ok)
        return 0;
    /* Only a strong grading (log2_drop >= 20): the back-transformation by D magnifies the
     * absolute errors of the small entries of exp(B) by up to cond(D); on
     * Forsythe's matrix (n = 10, delta = 1e-10; norm ratio 4, cond(D) 2.7e8)
     * balancing raised pade-schur's phi from 6.9 to 2.8e7 (make report).
     * A balanced norm below 2^-100 is no grading worth undoing (exp(B) ~ I;
     * there D^-1 E D ~ 1e291 made L(A,E)_12 come out 0 instead of 13/6). */
    double lA = expm_dlog2norm1(n, n, A, lda), lB = expm_dlog2norm1(n, n, B, ldb);
    return lA - lB >= log2_drop && lB >= -100.0;
}

int expm_grading_span(int n, const int *ex)
{
    if (n < 1)
        return 0;
    int emax = ex[0], emin = ex[0];
    for (int i = 1; i < n; i++) {
        emax = ex[i] > emax ? ex[i] : emax;
        emin = ex[i] < emin ? ex[i] : emin;
    }
    return emax - emin;
}
