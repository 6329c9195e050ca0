/* balance.c -- diagonal-similarity balancing exponents and the exact row
 * scaling of a linear system by them (the pivot choice of the Pade solve,
 * methods/pade.c). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dense.h"

/* Parlett & Reinsch, "Balancing a matrix for calculation of eigenvalues and
 * eigenvectors", Numer. Math. 13 (1969) 293-304 (EISPACK balanc; LAPACK
 * dgebal job 'S' up to 3.4): radix 2, 1-norms c_i, r_i of the off-diagonal
 * parts of column and row i, a change accepted when it lowers c_i + r_i by
 * 5% (their gamma = 0.95). The diagonal is left out because a diagonal
 * similarity does not change it: the exponents estimate the D of
 * A = D A' D^-1, whatever the size of the diagonal. A sweep costs 2n^2
 * multiply-adds over contiguous memory; every accepted change lowers the
 * sum of the off-diagonal norms, so the iteration ends by itself (4 sweeps
 * on graded matrices with D over 1e8, 1-2 on randn ones); the sweep cap
 * only bounds the cost. Constants: EXPM_BAL_* in dense.h, shared with the
 * fixed-n copy in methods/pade_small.c. */

/* *c += sum |x_j| w_j, *r += sum |y_j| v_j over j in [j0, j1), with four
 * partial sums each (their order is immaterial: c_i and r_i only steer a
 * heuristic), so the loop is not bound by the latency of one chain. */
static void wsum2(const double *x, const double *w, const double *y, const double *v,
                  int j0, int j1, double *c, double *r)
{
    double c4[4] = {0.0, 0.0, 0.0, 0.0}, r4[4] = {0.0, 0.0, 0.0, 0.0};
    int j = j0;
    for (; j + 4 <= j1; j += 4)
        for (int t = 0; t < 4; t++) {
            c4[t] += fabs(x[j + t]) * w[j + t];
            r4[t] += fabs(y[j + t]) * v[j + t];
        }
    for (; j < j1; j++) {
        c4[0] += fabs(x[j]) * w[j];
        r4[0] += fabs(y[j]) * v[j];
    }
    *c += (c4[0] + c4[1]) + (c4[2] + c4[3]);
    *r += (r4[0] + r4[1]) + (r4[2] + r4[3]);
}

int expm_dbalance_exps(int n, const double *A, int lda, double *B, int *e, double *work)
{
    /* No scaled copy is updated: with v_j = 2^e_j, w_j = 2^-e_j the balanced
     * matrix is A_ij v_j w_i, so c_i and r_i are weighted sums over column i
     * of A and of A^T (B), both contiguous. */
    double *v = work, *w = work + n;
    int changed = 0;
    for (int i = 0; i < n; i++)
        e[i] = 0;
    {
        /* The first sweep (all e_i = 0) changes row i only if c_i, r_i are
         * both > 0 and finite and outside 1/2 <= c_i / r_i < 2. One pass
         * over A (column sums, and row sums side by side) gives them in
         * another order than wsum2, a relative (n-1) u apart at most; when
         * every row is inside with a margin of 2^-40 + 4 n u, the sweep
         * would change nothing and the transpose and sweeps are skipped:
         * e = 0, the result for most matrices (randn: 298 of 300
         * unchanged; at n = 64 the full pass cost 4% of exp, perf). */
        double *c = v, *r = w;
        for (int i = 0; i < n; i++)
            r[i] = 0.0;
        for (int j = 0; j < n; j++) {
            const double *col = A + (size_t)j * lda;
            double cj = 0.0;
            for (int i = 0; i < j; i++) {
                double a = fabs(col[i]);
                cj += a;
                r[i] += a;
            }
            for (int i = j + 1; i < n; i++) {
                double a = fabs(col[i]);
                cj += a;
                r[i] += a;
            }
            c[j] = cj;
        }
        double d = 0x1p-40 + 4.0 * n * 0x1p-53;
        int keep = 1;
        for (int i = 0; i < n && keep; i++) {
            int act = c[i] > 0.0 && r[i] > 0.0 && isfinite(c[i] + r[i]);
            keep = !act || (c[i] >= 0.5 * (1.0 + d) * r[i] && c[i] < 2.0 * (1.0 - d) * r[i]);
        }
        if (keep)
            return 0;
    }
    /* B = A^T in 16 x 16 tiles (a plain column loop writes with stride n:
     * at n = 128 that maps onto few cache sets, measured 90 us). */
    for (int j0 = 0; j0 < n; j0 += 16)
        for (int i0 = 0; i0 < n; i0 += 16)
            for (int j = j0; j < j0 + 16 && j < n; j++)
                for (int i = i0; i < i0 + 16 && i < n; i++)
                    B[j + (size_t)i * n] = A[i + (size_t)j * lda];
    for (int i = 0; i < n; i++)
        e[i] = 0, v[i] = w[i] = 1.0;
    for (int sweep = 0, noconv = 1; noconv && sweep < EXPM_BAL_MAX_SWEEPS; sweep++) {
        noconv = 0;
        for (int i = 0; i < n; i++) {
            const double *col = A + (size_t)i * lda, *row = B + (size_t)i * n;
            double ci = 0.0, ri = 0.0;
            wsum2(col, w, row, v, 0, i, &ci, &ri);
            wsum2(col, w, row, v, i + 1, n, &ci, &ri);
            ci *= v[i], ri *= w[i];
            if (!(ci > 0.0 && ri > 0.0) || !isfinite(ci + ri))
                continue;
            /* k with c 4^k in [r/2, 2r): column i times 2^k, row i times 2^-k. */
            double cc = ci;
            int k = 0;
            while (cc < 0.5 * ri && e[i] + k < EXPM_BAL_MAX_EXP)
                cc *= 4.0, k++;
            while (cc >= 2.0 * ri && e[i] + k > -EXPM_BAL_MAX_EXP)
                cc *= 0.25, k--;
            if (k == 0 || ci * expm_pow2i(k) + ri * expm_pow2i(-k) >= EXPM_BAL_GAMMA * (ci + ri))
                continue;
            e[i] += k;
            v[i] = expm_pow2i(e[i]), w[i] = expm_pow2i(-e[i]);
            noconv = changed = 1;
        }
    }
    return changed;
}

/* Row i of M and B times 2^-(e_i - mid), mid the midpoint of the e_i, if
 * no entry overflows and no row maximum falls below 2^-969 (see below). */
int expm_drowscale_pow2(int n, int *e, double *M, int ldm, int nrhs, double *B, int ldb,
                        double *work)
{
    if (n == 0)
        return 0;
    int emin = e[0], emax = e[0];
    for (int i = 1; i < n; i++) {
        emin = e[i] < emin ? e[i] : emin;
        emax = e[i] > emax ? e[i] : emax;
    }
    int mid = emin + (emax - emin) / 2, ok = emin != emax;
    double *hm = work, *hb = work + n;  /* row maxima of |M| and |B| */
    for (int i = 0; i < n; i++) {
        e[i] = mid - e[i];                  /* now the exponent applied to row i */
        hm[i] = hb[i] = 0.0;
    }
    for (int pass = 0; ok && pass < 2; pass++) {
        const double *X = pass ? B : M;
        double *h = pass ? hb : hm;
        int ld = pass ? ldb : ldm, cols = pass ? nrhs : n;
        for (int j = 0; j < cols; j++)
            for (int i = 0; i < n; i++) {
                double a = fabs(X[i + (size_t)j * ld]);
                h[i] = a > h[i] ? a : h[i];
            }
    }
    /* Exact unless an entry overflows or drops below DBL_MIN. The latter is
     * allowed while the largest entry of the row (of M, and of B) stays
     * >= 2^-969 = DBL_MIN/u: the bits lost are then below u times that
     * entry, no more than the rounding errors M and B already carry (they
     * were computed in floating point), and GEPP's backward error is
     * normwise. Q's rows hold ~b_0 >= 120 and |e_i| <= 400, so for the
     * Pade solve this only guards extreme U. */
    for (int i = 0; ok && i < n; i++) {
        if (e[i] == 0)
            continue;
        if (e[i] > 1022 || e[i] < -1022) {
            ok = 0;
            break;
        }
        double f = expm_pow2i(e[i]), a = hm[i] * f, b = hb[i] * f;
        if (!(a <= DBL_MAX && b <= DBL_MAX) || (hm[i] != 0.0 && a < 0x1p-969) ||
            (hb[i] != 0.0 && b < 0x1p-969))
            ok = 0;
    }
    if (!ok) {
        for (int i = 0; i < n; i++)
            e[i] = 0;
        return 0;
    }
    expm_drowscale_apply(n, e, n, M, ldm);
    expm_drowscale_apply(n, e, nrhs, B, ldb);
    return 1;
}

void expm_drowscale_apply(int n, const int *e, int cols, double *X, int ldx)
{
    double f[256];
    for (int i0 = 0; i0 < n; i0 += 256) {
        int i1 = i0 + 256 < n ? i0 + 256 : n;
        for (int i = i0; i < i1; i++)
            f[i - i0] = e[i] == 0 ? 1.0 : ldexp(1.0, e[i]);
        for (int j = 0; j < cols; j++)
            for (int i = i0; i < i1; i++)
                X[i + (size_t)j * ldx] *= f[i - i0];
    }
}
