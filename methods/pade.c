/*
 * pade.c -- Pade [m/m] scaling and squaring.
 *
 * exp(A): Al-Mohy & Higham, "A new scaling and squaring algorithm for the
 * matrix exponential", SIMAX 31(3):970-989, 2009, Algorithm 6.1 (as in their
 * expm_new.m): m in {3,5,7,9,13} chosen from d_k = ||A^k||^(1/k) (not ||A||,
 * so non-normal matrices are not overscaled), s corrected by ell(A,m), and for
 * triangular A Code Fragment 2.1 (exact diagonal and superdiagonal recomputed
 * after every squaring).
 *
 * L(A,E): Al-Mohy & Higham, "Computing the Frechet derivative of the matrix
 * exponential, with an application to condition number estimation",
 * SIMAX 30(4):1639-1657, 2009, Algorithm 6.4 (recurrences (6.11)-(6.13), (3.3)).
 *
 * Squarings carry a power-of-two exponent (scaling.c), so a hump in
 * ||exp(tA)|| never overflows spuriously and a true overflow is reported
 * with its size.
 *
 * The default `pade` adds, from measurements (see expmkit.h at
 * expm_method_find): the 2x2 closed form (exp2x2.c) for n = 2; the exact
 * 2x2 diagonal blocks for quasi-triangular A; and a hump test on its own
 * squarings (sum of log2(|| |Z|^2 || / ||Z^2||), O(n^2) each, 3-9% of the
 * run time measured at n = 16..256) that recomputes through the real Schur
 * form (pade_schur.c) above 32. `pade-plain` is Alg. 6.1 without these
 * (only the upper triangular fix-up), kept to measure what they buy.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "methods.h"
#include "pade_table.h"

#define U_DOUBLE 0x1p-53
/* Pre-scale so that ||A||_1 <= 2^100: then ||A^10|| <= 2^1000 and the power
 * norms that choose m and s cannot overflow. */
#define PRESCALE_LOG2 100

static const expm_pade_row_t *pade_row(int m)
{
    for (int i = 0; i < 5; i++)
        if (EXPM_PADE_TABLE[i].m == m)
            return &EXPM_PADE_TABLE[i];
    return NULL;
}

#if defined(__GNUC__)
typedef double v2d __attribute__((vector_size(16)));
#endif

/* Y[o] = sum_k c[o][k] P[k], then + cI[o] on the diagonal, for o < nout
 * and k < nt, in one pass over the contiguous n^2 arrays (for U and V at
 * once: 1 + nt passes per output were 5.2% of exp at n = 64 with the
 * memset, by perf). Each sum takes its terms in the order given, with a
 * separate multiply and add (two entries per vector operation, SSE2 on
 * x86-64 -- the rounding of the scalar loop; a BLAS daxpy fuses them
 * (FMA), which moved errors on E5 (ones perturbed) by 2-5x either way,
 * make check). Callers list the powers highest first, so for ||T|| <=
 * theta_m the terms come in increasing size and the identity, the largest,
 * is added last: the partial sums, which bound the rounding errors
 * (Higham, ASNA 2nd ed. §4.2), stay small, and the diagonal takes one
 * rounding at the size of b_0 or b_1 instead of one per term (scipy's
 * pade_UV_calc also adds the identity last). Measured on 300 seeded randn
 * matrices (n 5..40, ||A||_1 0.1..100) against the reference: identity
 * first, lowest powers first was 8% less accurate than scipy 1.10
 * (geometric mean of the error ratio; worse on 210); this order 2% (worse
 * on 162); error ratio to the old order: geometric mean 0.95, smaller on
 * 221, larger on 79. */
static inline __attribute__((always_inline)) void comb_pass(size_t nn, int nt, int nout,
                                                            double *const P[4],
                                                            double *const Y[4],
                                                            const double c[4][4])
{
    size_t i = 0;
#if defined(__GNUC__)
    for (; i + 1 < nn; i += 2) {
        v2d p[4];
        for (int k = 0; k < nt; k++)
            memcpy(&p[k], P[k] + i, sizeof p[k]);
        for (int o = 0; o < nout; o++) {
            v2d y = {0.0, 0.0};
            for (int k = 0; k < nt; k++) {
                v2d cc = {c[o][k], c[o][k]};
                y = y + cc * p[k];
            }
            memcpy(Y[o] + i, &y, sizeof y);
        }
    }
#endif
    for (; i < nn; i++)
        for (int o = 0; o < nout; o++) {
            double y = 0.0;
            for (int k = 0; k < nt; k++)
                y += c[o][k] * P[k][i];
            Y[o][i] = y;
        }
}

static void comb_multi(int n, int nt, double *const P[4], int nout, double *const Y[4],
                       const double c[4][4], const double cI[4])
{
    size_t nn = (size_t)n * n;
    switch (nt * 8 + nout) {  /* the (terms, outputs) pairs pade.c uses, unrolled */
    case 1 * 8 + 1: comb_pass(nn, 1, 1, P, Y, c); break;
    case 2 * 8 + 1: comb_pass(nn, 2, 1, P, Y, c); break;
    case 3 * 8 + 1: comb_pass(nn, 3, 1, P, Y, c); break;
    case 4 * 8 + 1: comb_pass(nn, 4, 1, P, Y, c); break;
    case 1 * 8 + 2: comb_pass(nn, 1, 2, P, Y, c); break;
    case 2 * 8 + 2: comb_pass(nn, 2, 2, P, Y, c); break;
    case 3 * 8 + 2: comb_pass(nn, 3, 2, P, Y, c); break;
    case 4 * 8 + 2: comb_pass(nn, 4, 2, P, Y, c); break;
    case 3 * 8 + 4: comb_pass(nn, 3, 4, P, Y, c); break;
    default: comb_pass(nn, nt, nout, P, Y, c); break;
    }
    for (int o = 0; o < nout; o++)
        for (int j = 0; j < n; j++)
            Y[o][j + (size_t)j * n] += cI[o];
}

/* One output: Y = sum_k c[k] M[k] over the leading non-NULL M[k], + cI I. */
static void comb(int n, double *Y, double cI, const double c[4], double *const M[4])
{
    int nt = 0;
    while (nt < 4 && M[nt])
        nt++;
    const double cc[4][4] = {{c[0], c[1], c[2], c[3]}};
    const double ci[4] = {cI, 0.0, 0.0, 0.0};
    double *Yo[4] = {Y, NULL, NULL, NULL};
    comb_multi(n, nt, M, 1, Yo, cc, ci);
}

/* ell from l2 = log2 || |A|^(2m+1) ||_1 and ||A||_1 (AMH 2009a §5). */
static int ell_l2(double l2, double normA, const expm_pade_row_t *row)
{
    if (l2 == -INFINITY || normA == 0.0)
        return 0;
    double log2_alpha = l2 - log2(normA) - log2(row->c_recip);
    double v = ceil((log2_alpha - log2(U_DOUBLE)) / (2.0 * row->m));
    if (!(v > 0.0))
        return 0;
    return v > 2000.0 ? 2000 : (int)v;
}

int expm_pade_ell(int n, const double *A, double normA, const expm_pade_row_t *row, double *work)
{
    return ell_l2(expm_dlog2norm1_abspow(n, A, n, 2 * row->m + 1, work), normA, row);
}

/* The Frechet analogue of ell: L_{r_m}(A,E) = L(A + dA, E + dE) with
 * dE = L_h(A,E) = sum_{k>=2m+1} c_k sum_j A^j E A^(k-1-j) (h = h_{2m+1} of
 * AMH 2009a (2.2); AMH 2009b §3). Its leading term is bounded by
 * ||E|| |c_{2m+1}| sum_{j=0}^{2m} || |A|^j || || |A|^(2m-j) ||, with the
 * norms exact from one ones-vector iteration; each halving of A divides it
 * by 2^(2m). Returns the squarings needed for that bound to be <= u ||E||.
 * (Powers of A alone cannot see E: for nilpotent A the d_k vanish while
 * A^3 E A^3 does not.) */
static int ell_frechet_l2(const double *l2, const expm_pade_row_t *row)
{
    return expm_ell_frechet_l2(l2, 2 * row->m, -log2(row->c_recip));
}

/* log2 || |T|^k ||_1, k = 0..27, extended on demand (expm_dabspow_step):
 * one sequence serves ell for every m tried, the Frechet ell, and -- shifted
 * by -k s -- the final check on 2^-s T. Before, each check restarted the
 * iteration: up to 79 products |T|^T v where 27 suffice (at n = 128, 30% of
 * the run time of exp, measured by perf). */
typedef struct {
    int n, have;
    const double *T;
    double *v, *w, scale;
    double l2[28];
} abspows_t;

static void abspows_init(abspows_t *c, int n, const double *T, double *work)
{
    c->n = n, c->have = 0, c->T = T, c->v = work, c->w = work + n, c->scale = 0.0;
    c->l2[0] = 0.0;
    for (int i = 0; i < n; i++)
        c->v[i] = 1.0;
}

/* l2[0..k] valid on return; -s shifts to 2^-s T. */
static const double *abspows_get(abspows_t *c, int k)
{
    for (; c->have < k; c->have++)
        c->l2[c->have + 1] = c->l2[c->have] == -INFINITY
                                 ? -INFINITY
                                 : expm_dabspow_step(c->n, c->T, c->n, c->v, c->w, &c->scale);
    return c->l2;
}

/* Quasi upper triangular structure (real Schur form): entries below the
 * subdiagonal zero and no two consecutive subdiagonal entries nonzero.
 * blk[k] = 1 for a 1x1 diagonal block at k, 2 for a 2x2 block starting at
 * k, 0 for the second row of a 2x2 block. Returns 1 if T has it. */
static int quasi_upper_t(int n, const double *T, int ldt, int trans, int *blk)
{
#define TT(i, j) (trans ? T[(j) + (size_t)(i) * ldt] : T[(i) + (size_t)(j) * ldt])
    for (int j = 0; j < n; j++)
        for (int i = j + 2; i < n; i++)
            if (TT(i, j) != 0.0)
                return 0;
    for (int k = 0; k < n;) {
        if (k + 1 < n && TT(k + 1, k) != 0.0) {
            if (k + 2 < n && TT(k + 2, k + 1) != 0.0)
                return 0;
            blk[k] = 2, blk[k + 1] = 0, k += 2;
        } else {
            blk[k] = 1, k += 1;
        }
    }
    return 1;
#undef TT
}

/* quasi_upper (of T^T with trans), and with allow2 == 0 only when every
 * block is 1x1 (upper triangular). */
static int structured(int n, const double *T, int ldt, int trans, int *blk, int allow2)
{
    if (!quasi_upper_t(n, T, ldt, trans, blk))
        return 0;
    for (int k = 0; !allow2 && k < n; k++)
        if (blk[k] != 1)
            return 0;
    return 1;
}

/* Code Fragment 2.1 of AMH 2009, extended to quasi-triangular T: exact
 * diagonal blocks of X = exp(2^-i T) -- e^t for 1x1 blocks, the closed form
 * of exp2x2.c for 2x2 blocks -- and the exact (k,k+1) entries between two
 * 1x1 blocks (Higham, Functions of Matrices, eq. (10.42)), written as
 * t12 (e^l1 - e^l2)/(l1 - l2) = t12 e^lmax (1 - e^-d)/d, d = lmax - lmin,
 * which needs no sinch branch and cannot overflow spuriously. X = 2^e Y. */
static void fix_quasi(int n, const double *T, const int *blk, double *Y, long e, int i)
{
    double sc = ldexp(1.0, -i);
    for (int k = 0; k < n; k++) {
        size_t kk = k + (size_t)k * n;
        if (blk[k] == 1) {
            Y[kk] = expm_exp_scaled(sc * T[kk], e);
        } else if (blk[k] == 2) {
            double B[4];
            if (expm_exp2x2_scaled(sc * T[kk], sc * T[kk + n], sc * T[kk + 1],
                                   sc * T[kk + n + 1], e, B) == 0) {
                Y[kk] = B[0], Y[kk + 1] = B[1], Y[kk + n] = B[2], Y[kk + n + 1] = B[3];
            }
        }
    }
    for (int k = 0; k + 1 < n; k++) {
        if (blk[k] != 1 || blk[k + 1] != 1)
            continue;
        double l1 = sc * T[k + (size_t)k * n], l2 = sc * T[k + 1 + (size_t)(k + 1) * n];
        double t12 = sc * T[k + (size_t)(k + 1) * n];
        double lmax = l1 > l2 ? l1 : l2, d = fabs(l1 - l2);
        double g = d == 0.0 ? 1.0 : -expm1(-d) / d;
        Y[k + (size_t)(k + 1) * n] = t12 * (expm_exp_scaled(lmax, e) * g);
    }
}

/* Frechet path: upper triangular T (all blocks 1x1). */
static int is_upper(int n, const double *A, int lda)
{
    for (int j = 0; j < n; j++)
        for (int i = j + 1; i < n; i++)
            if (A[i + (size_t)j * lda] != 0.0)
                return 0;
    return 1;
}

/* A lower triangular: A^T upper (ld n). */
static int is_upper_t(int n, const double *A, int lda)
{
    for (int j = 1; j < n; j++)
        for (int i = 0; i < j; i++)
            if (A[i + (size_t)j * lda] != 0.0)
                return 0;
    return 1;
}

static void transpose_square(int n, double *A)
{
    for (int j = 0; j < n; j++)
        for (int i = j + 1; i < n; i++) {
            double t = A[i + (size_t)j * n];
            A[i + (size_t)j * n] = A[j + (size_t)i * n];
            A[j + (size_t)i * n] = t;
        }
}

static void expm_dcopy_sq(int n, const double *A, int lda, double *B, int ldb)
{
    expm_dcopy(n, n, A, lda, B, ldb);
}

static void fix_triangular(int n, const double *T, const int *blk, double *Y, long e, int i)
{
    fix_quasi(n, T, blk, Y, e, i);
}

/* Threshold for degree m: theta_m for exp (AMH 2009a Table 3.1); for the
 * Frechet derivative also ell_m (AMH 2009b Table 6.1), whichever is smaller. */
static double threshold(const expm_pade_row_t *row, int frechet)
{
    return frechet ? fmin(row->theta, row->ell) : row->theta;
}

/* Choice of m and s, AMH 2009a Alg. 6.1 (expm_new.m): eta from
 * d_k = ||T^k||^(1/k) (exact from the powers formed anyway, else dlacn2
 * estimates), s corrected by ell(2^-s T, 13). T is the (pre-scaled) matrix;
 * s0 > 0 (pre-scaling happened) excludes m < 13. Forms T^2 in A2 and, as
 * the degrees tried need them, T^4 in A4 (bit 4 of the result) and T^6 in A6
 * (bit 2). Z and work are workspace. Used for exp and, instead of the
 * ||A||_1-based choice of AMH 2009b, for the Frechet derivative too: that
 * choice overscales non-normal matrices (scipy's expm_frechet loses all
 * digits of L on Moler's balancing example and on [[1,1e17],[0,1]]). */
/* ell for degree m on 2^-s T (exp, and with frechet the larger of it and
 * the Frechet ell). */
static int ell_both(abspows_t *c, double normA, int s, const expm_pade_row_t *row, int frechet)
{
    int p = 2 * row->m + 1;
    if (!frechet && normA > 0.0) {
        /* ell = 0 is certain as soon as || |T|^j || ||T||^(p-j) (>= || |T|^p ||:
         * submultiplicative, and || |T| ||_1 = ||T||_1) is <= u/2 ||T|| c_m^-1,
         * i.e. alpha <= u/2 with room for the rounding of the iteration; so
         * the sequence is extended only while that bound fails. For
         * ||A||_1 = 1 (m = 7) this ends after a few of the 15 steps, for
         * m = 13 on 2^-s T often at j = 0: at n = 64 the full sequence was
         * 8% of exp (perf). Same ell as the full iteration. */
        double lw = log2(normA) - (double)s;
        double target = log2(0.5 * U_DOUBLE) + lw + log2(row->c_recip);
        for (int j = 0;; j++) {
            const double *l2 = abspows_get(c, j);
            if (l2[j] == -INFINITY || (l2[j] - (double)j * s) + (double)(p - j) * lw <= target)
                return 0;
            if (j == p)
                break;
        }
    }
    const double *l2 = abspows_get(c, p);
    int l = ell_l2(l2[p] - (double)p * s, ldexp(normA, -s), row);
    if (frechet) {
        double sh[28];
        for (int k = 0; k < p; k++)
            sh[k] = l2[k] - (double)k * s;
        int lf = ell_frechet_l2(sh, row);
        l = lf > l ? lf : l;
    }
    return l;
}

static int select_ms(int n, const double *T, double normA, int s0, int frechet,
                     double *A2, double *A4, double *A6, double *work,
                     int *m_out, int *s_out, long *products)
{
    int have = 0, m = 13, s = 0;
    abspows_t c;
    abspows_init(&c, n, T, work);
    expm_dgemm(n, 'N', 'N', 1.0, T, n, T, n, 0.0, A2, n), (*products)++;
    /* AMH's tests in their order and with their estimates, but an estimate
     * (normest: 3.6% of exp at n = 128) is made only when its test can
     * still decide: the ell condition first (cached |A|^k norms that every
     * accepted m needs anyway), and an exact upper bound from the powers at
     * hand (||A^(j+k)|| <= ||A^j|| ||A^k||) accepts first when it passes --
     * it bounds the estimate too (normest's value is ||A^k x|| for a unit x,
     * not above the norm but for rounding), so m, s and the result stay the
     * same bit for bit (measured against the previous code on random A). */
    double d6 = 0.0, d4, eta;
    int d6_est = 0;   /* d6 holds AMH's estimate of ||A^6||^(1/6) */
    if (s0 == 0 && ell_both(&c, normA, 0, pade_row(3), frechet) == 0 &&
        (d6 = pow(expm_dnormest1_pow(n, A2, n, 3), 1.0 / 6), d6_est = 1,
         d6 <= threshold(pade_row(3), frechet)) &&
        (d4 = pow(expm_dnormest1_pow(n, A2, n, 2), 1.0 / 4),
         fmax(d4, d6) <= threshold(pade_row(3), frechet))) {
        m = 3;
        goto done;
    }
    expm_dgemm(n, 'N', 'N', 1.0, A2, n, A2, n, 0.0, A4, n), (*products)++, have |= 4;
    double n4 = expm_dnorm1(n, n, A4, n), n2 = expm_dnorm1(n, n, A2, n);
    d4 = pow(n4, 1.0 / 4);
    double th5 = threshold(pade_row(5), frechet);
    if (s0 == 0 && d4 <= th5 && ell_both(&c, normA, 0, pade_row(5), frechet) == 0) {
        /* d6 <= (||A^4|| ||A^2||)^(1/6) */
        eta = fmax(d4, pow(n4 * n2, 1.0 / 6));
        if (!(eta <= th5)) {
            if (!d6_est)
                d6 = pow(expm_dnormest1_pow(n, A2, n, 3), 1.0 / 6), d6_est = 1;
            eta = fmax(d4, d6);
        }
        if (eta <= th5) {
            m = 5;
            goto done;
        }
    }
    expm_dgemm(n, 'N', 'N', 1.0, A4, n, A2, n, 0.0, A6, n), (*products)++, have |= 2;
    double n6 = expm_dnorm1(n, n, A6, n);
    d6 = pow(n6, 1.0 / 6);
    /* ||A^8|| <= min(||A^4||^2, ||A^6|| ||A^2||) */
    double d8 = fmin(d4, pow(n6 * n2, 1.0 / 8));
    int d8_est = 0;
    for (int mm = 7; mm <= 9; mm += 2) {
        double th = threshold(pade_row(mm), frechet);
        if (s0 == 0 && d6 <= th && ell_both(&c, normA, 0, pade_row(mm), frechet) == 0) {
            if (!(fmax(d6, d8) <= th) && !d8_est)
                d8 = pow(expm_dnormest1_pow(n, A4, n, 2), 1.0 / 8), d8_est = 1;
            if (fmax(d6, d8) <= th) {
                m = mm;
                goto done;
            }
        }
    }
    if (!d8_est)
        d8 = pow(expm_dnormest1_pow(n, A4, n, 2), 1.0 / 8);
    double eta3 = fmax(d6, d8);
    double d10 = pow(expm_dnormest1_pow(n, A2, n, 5), 1.0 / 10);
    double eta5 = fmin(eta3, fmax(d8, d10));
    double th13 = threshold(pade_row(13), frechet);
    if (!isfinite(eta5))
        eta5 = normA;
    if (eta5 > 0.0) {
        double v = ceil(log2(eta5 / th13));
        s = v > 0.0 ? (int)fmin(v, 1100.0) : 0; /* (int) of a huge double is undefined */
    }
    s += ell_both(&c, normA, s, pade_row(13), frechet);
done:
    *m_out = m;
    *s_out = s;
    return have;
}

/* T, T^2, T^4, T^6 <- 2^-s T, ... (exact; NULL entries skipped). */
static void scale_powers(int n, int s, double *T, double *A2, double *A4, double *A6)
{
    if (s <= 0)
        return;
    expm_dscal(n, n, ldexp(1.0, -s), T, n);
    expm_dscal(n, n, ldexp(1.0, -2 * s), A2, n);
    if (A4) expm_dscal(n, n, ldexp(1.0, -4 * s), A4, n);
    if (A6) expm_dscal(n, n, ldexp(1.0, -6 * s), A6, n);
}

/* ln of sqrt(||Y||_1 ||Y||_inf) 2^e, a bound on ln ||2^e Y||_2 (Holder). */
static double ln_norm2_upper(int n, const double *Y, long e)
{
    return 0.5 * (log(expm_dnorm1(n, n, Y, n)) + log(expm_dnorminf(n, n, Y, n))) +
           (double)e * 0.69314718055994530942;
}

expm_status expm_pade_core(int n, const double *A, int lda, const int *blk, double *Z,
                            long *e_out, double *hump_log2, double *ln_h, expm_info_t *info)
{
    double *ws = expm_ws_take(n, 9);     /* kept for the next call: workspace.c */
    double *work = malloc((size_t)2 * n * sizeof(double));
    int *ipiv = malloc((size_t)2 * n * sizeof(int)); /* pivots, balancing exponents */
    if (!ws || !work || !ipiv) {
        expm_ws_give(ws); free(work); free(ipiv);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *T = ws, *A2 = ws + nn, *A4 = ws + 2 * nn, *A6 = ws + 3 * nn, *A8 = ws + 4 * nn;
    double *U = ws + 5 * nn, *V = ws + 6 * nn, *W = ws + 7 * nn;
    double *T0 = ws + 8 * nn; /* 2^-s0 A, kept for the fix-up */
    long products = 0;
    expm_status st = EXPM_OK;
    expm_dcopy(n, n, A, lda, T, n);

    double normA = expm_dnorm1(n, n, T, n);
    int s0 = 0;
    if (normA > ldexp(1.0, PRESCALE_LOG2)) {
        frexp(normA, &s0);
        s0 -= PRESCALE_LOG2;
        expm_dscal(n, n, ldexp(1.0, -s0), T, n);
        normA = expm_dnorm1(n, n, T, n);
    }
    if (blk)
        expm_dcopy(n, n, T, n, T0, n);

    int m, s;
    int have = select_ms(n, T, normA, s0, 0, A2, A4, A6, work, &m, &s, &products);
    scale_powers(n, s, T, A2, (have & 4) ? A4 : NULL, (have & 2) ? A6 : NULL);
    if (m == 9)
        expm_dgemm(n, 'N', 'N', 1.0, A6, n, A2, n, 0.0, A8, n), products++;

    const double *b = pade_row(m)->b;
    if (m == 13) {
        /* W1 -> Z, W2 -> W, Z1 -> U (until V is formed), Z2 -> V. */
        const double c[4][4] = {{b[13], b[11], b[9], 0}, {b[7], b[5], b[3], 0},
                                {b[12], b[10], b[8], 0}, {b[6], b[4], b[2], 0}};
        const double cI[4] = {0.0, b[1], 0.0, b[0]};
        double *P[4] = {A6, A4, A2, NULL}, *Y[4] = {Z, W, U, V};
        comb_multi(n, 3, P, 4, Y, c, cI);
        expm_dgemm(n, 'N', 'N', 1.0, A6, n, U, n, 1.0, V, n), products++; /* V = A6 Z1 + Z2 */
        expm_dgemm(n, 'N', 'N', 1.0, A6, n, Z, n, 1.0, W, n), products++; /* W = A6 W1 + W2 */
        expm_dgemm(n, 'N', 'N', 1.0, T, n, W, n, 0.0, U, n), products++;  /* U = A W */
    } else {
        /* Powers highest first (see comb). */
        double *pw[5] = {NULL, A2, A4, A6, A8}, *P[4] = {NULL};
        double c[4][4] = {{0}}, cI[4] = {b[1], b[0], 0.0, 0.0};
        int t = 0;
        for (int k = (m - 1) / 2; k >= 1; k--, t++)
            P[t] = pw[k], c[0][t] = b[2 * k + 1], c[1][t] = b[2 * k];
        double *Y[4] = {W, V, NULL, NULL};
        comb_multi(n, t, P, 2, Y, c, cI);
        expm_dgemm(n, 'N', 'N', 1.0, T, n, W, n, 0.0, U, n), products++;
    }
    /* r_m = (V - U) \ (V + U) = I + 2 (V - U) \ U (as scipy's C expm, S2 in
     * ALGORITHMS.md §1): the solve carries only the correction to I, so its
     * rounding is relative to ||r_m - I||. Measured on the 94 named
     * matrices with n <= 20 (pade-plain vs the reference): error ratio
     * geomean 0.64 against (V-U)\(V+U), better on 23, worse on 17 (C9, D10,
     * B1 2-2.5x worse, all at phi < 0.3; pascal(6), Forsythe, graded 1.5-6x
     * better). The same m and s as scipy 1.10 on every matrix checked. */
    /* Right-hand side 2U: the doubling is exact and commutes with the
     * solve's rounding, so only the diagonal needs a pass afterwards. */
    for (size_t k = 0; k < nn; k++) {
        W[k] = V[k] - U[k];
        Z[k] = 2.0 * U[k];
    }
    /* Pivot choice. Q, U and every product are polynomials in T, so for
     * T = D T' D^-1 (D diagonal, powers of two) every step above is exactly
     * D (the same step on T') D^-1 -- except the pivot choice of GEPP, which
     * depends on the row scaling of Q: for a graded T (D spanning many
     * binades) it pivots on the rows with the largest D_i rather than on
     * the size of the entries of Q'. Scaling row i of Q and U by 2^-e_i,
     * with D ~ diag(2^e) from balancing T (Parlett & Reinsch 1969; exact,
     * O(n^2)), makes the pivots those of Q' (the column scaling that would
     * complete Q' changes no pivot). X is unchanged in exact arithmetic; an
     * already balanced T (e = 0) is left alone, bit for bit. Measured
     * against the reference (this change alone) on 300+300 seeded D G D^-1
     * and P D G D^-1 P^T (n 5..40, D over 1e2..1e10 either way, ||G||_1
     * 0.1..100): median error 6.8e-16 -> 3.1e-16 and 1.5e-15 -> 2.8e-16,
     * max 1.8e-13 -> 2.5e-14 and 4.0e-13 -> 1.1e-14 (scipy 1.10, which
     * pivots on columns: median 6.4e-16 and 1.4e-15); better on 140 and
     * 281, worse on 5 and 13 (at most 3.8x), the rest unchanged; of 300
     * randn matrices 298 unchanged, 2 better.
     * Alternatives measured on 300+300 such matrices (geometric mean of
     * the error ratio to scipy, graded / permuted graded): no scaling
     * 0.80 / 1.05; row equilibration by the row maxima of Q (LAPACK
     * dgeequ) 0.55 / 0.32 -- the row maxima of a graded Q sit off the
     * diagonal, so it scales by the wrong D; one step of iterative
     * refinement (Skeel 1980) 0.40 / 0.19, but it costs two more O(n^3)
     * products and perturbs every ordinary matrix; balancing 0.37 / 0.19. */
    {
        int *ex = ipiv + n;
        if (expm_dbalance_exps(n, T, n, A2, ex, work))
            expm_drowscale_pow2(n, ex, W, n, n, Z, n, work);
    }
    st = expm_dlu_solve(n, W, n, ipiv, n, Z, n, NULL);
    if (st != EXPM_OK) {
        expm_info_msg(info, "Pade denominator q_%d(2^-%d A) is singular", m, s);
        goto out;
    }
    for (int j = 0; j < n; j++)
        Z[j + (size_t)j * n] += 1.0;

    /* Squaring phase; X = 2^e Z. After the squaring that leaves stage i,
     * Z approximates exp(2^-i T0). The hump estimate sums
     * log2(|| |Z|^2 || / ||Z^2||) over the squarings (1-norms; || |Z|^2 ||
     * exactly by two products with a ones vector, O(n^2)): a squaring
     * commits errors |dZ| <= n u |Z|^2 componentwise (Higham, ASNA §3.5),
     * i.e. u times that ratio relative to Z^2, and magnifies earlier
     * relative errors by up to ~2 times it. |Z|^2 rather than ||Z||^2, so
     * that a diagonal scaling (graded A) does not count as a hump. */
    long e = 0;
    double hump = 0.0, lnh = 0.0;   /* lnh: see ln_h in methods.h */
    if (blk)
        fix_quasi(n, T0, blk, Z, e, s);
    if (ln_h && s >= 1)
        lnh += ln_norm2_upper(n, Z, e);
    for (int i = s - 1; i >= -s0; i--) {
        double l0 = expm_dlog2norm1_abspow(n, Z, n, 2, work) + 2.0 * (double)e;
        expm_square_step(n, Z, n, &e, W), products++;
        double l1 = log2(expm_dnorm1(n, n, Z, n)) + (double)e;
        if (isfinite(l0) && isfinite(l1) && l0 > l1)
            hump += l0 - l1;
        /* i < 0: the s0 pre-scaling squarings (only for ||A||_1 > 2^100). */
        if (blk)
            fix_quasi(n, T0, blk, Z, e, i);
        if (ln_h && i >= 1)
            lnh += ln_norm2_upper(n, Z, e);
    }
    *e_out = e;
    if (hump_log2)
        *hump_log2 = hump;
    if (ln_h)
        *ln_h = s0 > 0 || !isfinite(lnh) ? INFINITY : lnh;

out:
    if (info) {
        info->m = m;
        info->s = s + s0;
        info->products = products;
        info->solves = 1;
    }
    expm_ws_give(ws); free(work); free(ipiv);
    return st;
}

/* The hump test of the default: log2 of the squaring amplification estimate
 * above which `pade` recomputes through the real Schur form (see the comment
 * at expm_method_find in expmkit.h for the measurements behind it). */
#define HUMP_SWITCH_LOG2 EXPM_HUMP_LOG2

static expm_status pade_exp(int n, const double *A, int lda, double *X, int ldx,
                            int dispatch, expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    if (dispatch && n == 2)
        return expm_exp2x2(A, lda, X, ldx, info);
    /* Strictly triangular: the finite Taylor sum (nilpotent.c has why). */
    if (dispatch && expm_nilpotent_candidate(n, A, lda))
        return expm_nilpotent_exp(n, A, lda, X, ldx, info);
    /* n <= 16: the same algorithm with fixed-size loops, exact ||A^k|| and
     * no BLAS or malloc (methods/pade_small.c; issue 9: ~0.3 us at n = 4). */
    if (dispatch == 1 && n <= EXPM_PADE_SMALL_MAXN)
        return expm_pade_small_run(n, A, lda, X, ldx, info); /* checked above */

    double *Z = expm_dalloc_uninit(n, 2);
    int *blk = malloc((size_t)n * sizeof(int));
    if (!Z || !blk) {
        free(Z); free(blk);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    double *W = Z + (size_t)n * n;
    /* exp(A^T) = exp(A)^T: quasi-lower triangular A gets the structured path. */
    /* pade-plain keeps AMH's triangular fix-up only (no 2x2 closed form):
     * it accepts only all-1x1 block structures. */
    int transposed = 0, quasi = structured(n, A, lda, 0, blk, dispatch);
    if (!quasi && structured(n, A, lda, 1, blk, dispatch)) {
        expm_dtranspose(n, A, lda, W, n);
        quasi = transposed = 1;
    }
    long e = 0;
    double hump = 0.0;
    st = expm_pade_core(n, transposed ? W : A, transposed ? n : lda, quasi ? blk : NULL, Z,
                        &e, &hump, NULL, info);
    if (st == EXPM_OK && dispatch && !quasi && hump > HUMP_SWITCH_LOG2 &&
        !expm_is_nearly_normal(n, A, lda)) {
        /* Squaring amplified rounding errors: the Schur path keeps the
         * diagonal blocks exact in every squaring (pade_schur.c). */
        expm_info_t si;
        expm_status ss = expm_pade_schur_exp(n, A, lda, X, ldx, info ? &si : NULL);
        if (ss == EXPM_OK || ss == EXPM_EOVERFLOW) {
            if (info) {
                *info = si;
                info->warnings |= EXPM_WARN_SCHUR;
            }
            free(Z); free(blk);
            return ss;
        }
    }
    if (st == EXPM_OK) {
        if (transposed) {
            expm_dtranspose(n, Z, n, W, n);
            expm_dcopy(n, n, W, n, Z, n);
        }
        st = expm_unscale_result(n, n, Z, n, e, X, ldx, "exp(A)", info);
        st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
        if (!dispatch && !quasi)
            st = expm_hump_overflow(st, n, A, lda, hump, 0.0, "exp(A)", info);
        if (st == EXPM_OK && quasi)
            expm_flag_flushed_diagonal(n, blk, X, ldx, info);
        if (!dispatch && !quasi && (hump <= HUMP_SWITCH_LOG2 || !expm_is_nearly_normal(n, A, lda)))
            st = expm_hump_warning(st, hump, info);   /* pade-plain: no Schur fallback, so say it */
    }
    free(Z); free(blk);
    return st;
}

/* Permuted triangular A (triangular_perm.c): exp on T = P^T A P, whose
 * triangular path keeps the diagonal exact. n <= 16 uses stack buffers (the
 * small path is malloc-free); the test itself is O(n) on a dense A. */
#define PERM_STACK_N EXPM_PADE_SMALL_MAXN
static expm_status pade_exp_perm(int n, const double *A, int lda, double *X, int ldx,
                                 expm_info_t *info)
{
    int iw_s[2 * PERM_STACK_N];
    int *iw = n <= PERM_STACK_N ? iw_s : NULL;
    if (n > PERM_STACK_N && A && lda >= n && expm_triangular_perm(n, A, lda, NULL))
        iw = malloc(2 * (size_t)n * sizeof(int));   /* candidates only: no malloc per dense call */
    if (!iw || !X || ldx < n || !expm_triangular_perm(n, A, lda, iw)) {
        if (iw != iw_s)
            free(iw);
        return pade_exp(n, A, lda, X, ldx, 1, info);
    }
    double TY_s[2 * PERM_STACK_N * PERM_STACK_N];
    double *T = n <= PERM_STACK_N ? TY_s : expm_dalloc_uninit(n, 2);
    if (!T) {
        free(iw);
        return pade_exp(n, A, lda, X, ldx, 1, info);
    }
    double *Y = T + (size_t)n * n;
    expm_perm_gather(n, iw, A, lda, T, n);
    expm_status st = pade_exp(n, T, n, Y, n, 1, info);
    if (st == EXPM_OK)
        expm_perm_scatter(n, iw, Y, n, X, ldx);
    if (iw != iw_s) {
        free(iw);
        free(T);
    }
    return st;
}

expm_status expm_pade_blas_exp(int n, const double *A, int lda, double *X, int ldx,
                               expm_info_t *info)
{
    return pade_exp(n, A, lda, X, ldx, 2, info);
}

expm_status expm_pade_plain_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info)
{
    return pade_exp(n, A, lda, X, ldx, 0, info);
}

/* ---------------------------------------------------------------------- */

/* tr L(A,E) = tr(exp(A) E), the derivative of tr exp(A + tE) (Higham,
 * Functions of Matrices, Thm 3.5 applied to the trace): an O(n^2) check that
 * the identity holds to 2^-20 of its terms, else EXPM_WARN_TRACE. Why: for
 * A = -1e100 ones(2), E = e2 e1^T Alg. 6.4 returned L = 0 (exit 0) where
 * tr(exp(A) E) = -0.5 (found by an outside audit; kappa_exp ~ 1e100, so
 * within u kappa, but 100% wrong). Lp = L(A',E') (ld n), R = 2^-eR exp(A'),
 * A' = A^T and E' = E^T when trans; W: n-by-n scratch. */
static void trace_check(int n, const double *A, int lda, const double *R, long eR,
                        const double *Lp, const double *E, int lde, int trans, double *W,
                        expm_info_t *info)
{
    if (!info || expm_unscale_result(n, n, R, n, eR, W, n, "exp(A)", NULL) != EXPM_OK)
        return;
    if (n == 2) {
        /* The identity cannot see an exp(A) that is wrong as well (the same
         * A = -1e100 ones(2) gave exp(A) = 0 in the recurrence, where it is
         * [[1,-1],[-1,1]]/2): for n = 2 the closed form is at hand. */
        double Xc[4];
        if (expm_exp2x2(A, lda, Xc, 2, NULL) == EXPM_OK) {
            double dif = 0, nrm = 0;
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    double w = trans ? W[j + 2 * i] : W[i + 2 * j], x = Xc[i + 2 * j];
                    dif += (w - x) * (w - x);
                    nrm += x * x;
                }
            if (isfinite(dif) && dif > 0x1p-40 * nrm) {
                info->warnings |= EXPM_WARN_TRACE;
                expm_info_msg(info, "the exp(A) of the Frechet recurrence differs from the 2x2 "
                              "closed form by %.3g (relative): L(A,E) is unreliable (kappa_exp "
                              "may be huge; the method block may do better)",
                              sqrt(dif / nrm));
                return;
            }
        }
    }
    long double t1 = 0, t2 = 0, mag = 0;
    for (int i = 0; i < n; i++) {
        t1 += Lp[i + (size_t)i * n];
        mag += fabsl((long double)Lp[i + (size_t)i * n]);
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double e = trans ? E[i + (size_t)j * lde] : E[j + (size_t)i * lde]; /* E'_ji */
            long double p = (long double)W[i + (size_t)j * n] * e;
            t2 += p;
            mag += fabsl(p);
        }
    double d = (double)fabsl(t1 - t2), m = (double)mag;
    if (isfinite(d) && isfinite(m) && d > 0x1p-20 * m) {
        info->warnings |= EXPM_WARN_TRACE;
        expm_info_msg(info, "L(A,E) misses the identity tr L(A,E) = tr(exp(A) E) by %.3g of "
                      "its terms' size %.3g: it has lost at least that much accuracy (kappa_exp "
                      "may be huge; the method block may do better)", d / m, m);
    }
}

/* n = 1: L = e^a e, X = e^a. Alg. 6.4 printed 0 with a TRACE warning for
 * a = -745, e = 1 (an outside audit; e^-745 = 4.9e-324 is what expm prints).
 * e^(a/2) e e^(a/2): finite and accurate also where e^a alone is not
 * (a = 800, e = 1e-300; a = -745, e = 1e300: e^-745 is a subnormal). */
static expm_status frechet_1x1(const double *A, const double *E, double *L, double *X,
                               expm_info_t *info)
{
    double h = exp(0.5 * A[0]);
    double l = h * E[0] * h, x = exp(A[0]);
    if (info) {
        info->m = 0, info->s = 0;
        info->log10_norm = (A[0] + log(fabs(E[0]))) * 0.43429448190325182765;
    }
    char p10[48];
    if (!isfinite(l)) {
        expm_info_msg(info, "L(A,E) overflows double: ||L(A,E)||_1 ~ %s",
                      expm_pow10_str(info ? info->log10_norm : INFINITY, p10, sizeof p10));
        return EXPM_EOVERFLOW;
    }
    if (X && !isfinite(x)) {
        expm_info_msg(info, "exp(A) overflows double: ||exp(A)||_1 ~ %s",
                      expm_pow10_str(A[0] * 0.43429448190325182765, p10, sizeof p10));
        return EXPM_EOVERFLOW;
    }
    if (info && ((E[0] != 0.0 && fabs(l) < DBL_MIN) || (X && fabs(x) < DBL_MIN)))
        info->warnings |= EXPM_WARN_UNDERFLOW;
    L[0] = l;
    if (X)
        X[0] = x;
    return EXPM_OK;
}

/* blk_in: NULL (upper triangular A detected, 1x1 fix-ups) or the block
 * structure of a quasi upper triangular A (from pade_schur.c). */
static expm_status pade_frechet(int n, const double *A, int lda, const double *E, int lde,
                                double *L, int ldl, double *X, int ldx, const int *blk_in,
                                double *ln_h, expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, E, lde, "E", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, L, ldl, "L", 0, info);
    if (st == EXPM_OK && X)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    if (n == 1)
        return frechet_1x1(A, E, L, X, info);
    if (!blk_in && expm_nilpotent_candidate(n, A, lda))   /* nilpotent.c has why */
        return expm_nilpotent_frechet(n, A, lda, E, lde, L, ldl, X, ldx, info);

    double *ws = expm_ws_take(n, 19);    /* kept for the next call: workspace.c */
    double *work = malloc((size_t)2 * n * sizeof(double));
    int *ipiv = malloc((size_t)2 * n * sizeof(int)); /* pivots, balancing exponents */
    if (!ws || !ipiv || !work) {
        expm_ws_give(ws); free(ipiv); free(work);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *slot[19];
    for (int k = 0; k < 19; k++)
        slot[k] = ws + k * nn;
    double *As = slot[0], *Es = slot[1], *A2 = slot[2], *A4 = slot[3], *A6 = slot[4],
           *A8 = slot[5], *M2 = slot[6], *M4 = slot[7], *M6 = slot[8], *M8 = slot[9],
           *U = slot[10], *V = slot[11], *Lu = slot[12], *Lv = slot[13], *T1 = slot[14],
           *T2 = slot[15], *T3 = slot[16], *T4 = slot[17], *T0 = slot[18];
    long products = 0;

    /* Pre-scaling for huge norms and the choice of m and s as for exp. */
    expm_dcopy(n, n, A, lda, As, n);
    double normA = expm_dnorm1(n, n, As, n);
    int s0 = 0;
    if (normA > ldexp(1.0, PRESCALE_LOG2)) {
        frexp(normA, &s0);
        s0 -= PRESCALE_LOG2;
        expm_dscal(n, n, ldexp(1.0, -s0), As, n);
        normA = expm_dnorm1(n, n, As, n);
    }
    /* Lower triangular A (not diagonal): computed as L(A,E) = L(A^T,E^T)^T,
     * exp(A) = exp(A^T)^T, so that A^T takes the upper triangular path
     * (exact diagonal and superdiagonal of R in every squaring), as exp's
     * small path does for quasi-lower A. Without it, a lower bidiagonal A
     * with 1e7 below the diagonal (n = 6, E = ones) gave L with relative
     * error 2.9e70 (exit 0; kappa_exp 3.6e36), its transpose 2e-16. */
    const int trans = !blk_in && !is_upper(n, As, n) && is_upper_t(n, As, n);
    if (trans)
        transpose_square(n, As);
    int tri = blk_in ? 1 : is_upper(n, As, n);
    int *blk = malloc((n > 0 ? (size_t)n : 1) * sizeof(int)); /* n > 0 here; for GCC's range check */
    if (!blk) {
        expm_ws_give(ws); free(ipiv); free(work);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    for (int k = 0; k < n; k++)
        blk[k] = blk_in ? blk_in[k] : 1;
    if (tri)
        expm_dcopy(n, n, As, n, T0, n);
    int m, s;
    int have = select_ms(n, As, normA, s0, 1, A2, A4, A6, work, &m, &s, &products);
    scale_powers(n, s, As, A2, (have & 4) ? A4 : NULL, (have & 2) ? A6 : NULL);
    /* Es = 2^-(s+s0) E. When that factor would take ||Es||_1 outside
     * [2^-500, 2^500] (tiny or huge E; or s + s0 > 1022, where the factor
     * itself underflows), Es is normalised instead and the rest carried in
     * eL, the exponent of L that the squarings already track: L is linear
     * in E, and a power of two is exact, so an ordinary E gives the same
     * bits as before while E = 1e-310 or 1e300 no longer underflows or
     * overflows in M2 = A E + E A (nor in the row scaling below). */
    long eL = 0;
    if (trans)
        expm_dtranspose(n, E, lde, Es, n);
    else
        expm_dcopy(n, n, E, lde, Es, n);
    {
        /* log2 ||E||_1 without overflow (||E||_1 > DBL_MAX for entries
         * near DBL_MAX: 9e307 [[1,-1],[-1,1]] was reported as overflow). */
        double nE = expm_dnorm1(n, n, Es, n);
        int kE = expm_dnorm1_exponent(n, n, Es, n);
        long t = (long)s + s0;
        if (nE > 0.0 && (kE - t < -500 || kE - t > 500)) {
            /* 2^-kE in two factors: kE reaches -1073 for subnormal E. */
            expm_dscal(n, n, ldexp(1.0, -kE / 2), Es, n);
            expm_dscal(n, n, ldexp(1.0, -(kE - kE / 2)), Es, n);
            eL = kE - t;
        } else {
            expm_dscal(n, n, ldexp(1.0, -(int)t), Es, n);
        }
    }
    const double *b = pade_row(m)->b;

#define GEMM(Aa, Bb, beta, Cc) (expm_dgemm(n, 'N', 'N', 1.0, Aa, n, Bb, n, beta, Cc, n), products++)
    GEMM(As, Es, 0.0, M2);
    GEMM(Es, As, 1.0, M2);                 /* M2 = A E + E A */
    if (m >= 5) {
        GEMM(A2, M2, 0.0, M4);
        GEMM(M2, A2, 1.0, M4);             /* M4 = A2 M2 + M2 A2 */
    }
    if (m >= 7) {
        GEMM(A4, M2, 0.0, M6);
        GEMM(M4, A2, 1.0, M6);             /* M6 = A4 M2 + M4 A2 */
    }
    if (m == 9) {
        GEMM(A4, A4, 0.0, A8);
        GEMM(A4, M4, 0.0, M8);
        GEMM(M4, A4, 1.0, M8);             /* M8 = A4 M4 + M4 A4 */
    }

    if (m == 13) {
        double *P[4] = {A6, A4, A2, NULL}, *M[4] = {M6, M4, M2, NULL};
        double c1[4] = {b[13], b[11], b[9], 0}, c2[4] = {b[7], b[5], b[3], 0};
        double z1[4] = {b[12], b[10], b[8], 0}, z2[4] = {b[6], b[4], b[2], 0};
        double *W1 = T1, *W = T2, *Z1 = T3, *Lw = T4;
        comb(n, W1, 0.0, c1, P);
        comb(n, W, b[1], c2, P);
        GEMM(A6, W1, 1.0, W);              /* W = A6 W1 + W2 */
        GEMM(As, W, 0.0, U);               /* U = A W */
        comb(n, Z1, 0.0, z1, P);
        comb(n, V, b[0], z2, P);
        GEMM(A6, Z1, 1.0, V);              /* V = A6 Z1 + Z2 */
        comb(n, Lw, 0.0, c2, M);           /* Lw2 */
        comb(n, Lu, 0.0, c1, M);           /* Lw1 (in Lu for now) */
        GEMM(A6, Lu, 1.0, Lw);
        GEMM(M6, W1, 1.0, Lw);             /* Lw = A6 Lw1 + M6 W1 + Lw2 */
        GEMM(As, Lw, 0.0, Lu);
        GEMM(Es, W, 1.0, Lu);              /* Lu = A Lw + E W */
        comb(n, Lv, 0.0, z2, M);           /* Lz2 */
        comb(n, T4, 0.0, z1, M);           /* Lz1 (Lw no longer needed) */
        GEMM(A6, T4, 1.0, Lv);
        GEMM(M6, Z1, 1.0, Lv);             /* Lv = A6 Lz1 + M6 Z1 + Lz2 */
    } else {
        /* Powers highest first (see comb). */
        double *pw[5] = {NULL, A2, A4, A6, A8}, *mw[5] = {NULL, M2, M4, M6, M8};
        double *P[4] = {NULL}, *M[4] = {NULL}, cu[4] = {0}, cv[4] = {0};
        for (int k = (m - 1) / 2, t = 0; k >= 1; k--, t++)
            P[t] = pw[k], M[t] = mw[k], cu[t] = b[2 * k + 1], cv[t] = b[2 * k];
        comb(n, T1, b[1], cu, P);          /* sum b_odd A^2k */
        GEMM(As, T1, 0.0, U);
        comb(n, V, b[0], cv, P);
        comb(n, T2, 0.0, cu, M);
        GEMM(As, T2, 0.0, Lu);
        GEMM(Es, T1, 1.0, Lu);             /* Lu = A sum b M + E sum b A */
        comb(n, Lv, 0.0, cv, M);
    }

    /* R = (V-U)\(U+V);  L = (V-U)\(Lu + Lv + (Lu - Lv) R). */
    double *Q = T1, *R = T2, *LL = T3;
    for (size_t k = 0; k < nn; k++) {
        Q[k] = V[k] - U[k];
        R[k] = V[k] + U[k];
    }
    /* Pivots from the balanced Q, as in expm_pade_core (see there): the
     * rows of Q, of R's right-hand side and, with the same exponents, of
     * L's are scaled by the balancing exponents of 2^-s A. Measured on the
     * 36 permuted graded A (and E graded alike) of tests/test_pade.c:
     * worst err_L / (u kappa_exp(G)) 302 -> 6.09, above 10 on 19 -> 0. */
    int *ex = ipiv + n, rowscaled = 0;
    if (expm_dbalance_exps(n, As, n, T4, ex, work))
        rowscaled = expm_drowscale_pow2(n, ex, Q, n, n, R, n, work);
    st = expm_dlu_solve(n, Q, n, ipiv, n, R, n, NULL);
    if (st != EXPM_OK) {
        expm_info_msg(info, "Pade denominator q_%d(2^-%d A) is singular", m, s);
        goto out;
    }
    for (size_t k = 0; k < nn; k++) {
        LL[k] = Lu[k] + Lv[k];
        U[k] = Lu[k] - Lv[k];
    }
    GEMM(U, R, 1.0, LL);
    if (rowscaled)  /* E normalised above: LL is O(1), no over- or underflow */
        expm_drowscale_apply(n, ex, n, LL, n);
    st = expm_dlu_resolve(n, Q, n, ipiv, n, LL, n);
    if (st != EXPM_OK)
        goto out;

    /* Squaring: L <- R L + L R, R <- R^2, with R = 2^eR R', L = 2^eL L'.
     * For upper triangular A, R gets the exact diagonal and superdiagonal
     * of Code Fragment 2.1 at every stage, as in exp. */
    long eR = 0;
    double hump = 0.0, lnh = 0.0; /* as in expm_pade_core, on the squarings of R */
    if (tri)
        fix_triangular(n, T0, blk, R, eR, s);
    if (ln_h && s >= 1)
        lnh += ln_norm2_upper(n, R, eR);
    for (int k = 0; k < s + s0; k++) {
        expm_sym_step(n, R, n, &eR, LL, n, &eL, U), products += 2;
        double l0 = expm_dlog2norm1_abspow(n, R, n, 2, work) + 2.0 * (double)eR;
        expm_square_step(n, R, n, &eR, U), products++;
        double l1 = log2(expm_dnorm1(n, n, R, n)) + (double)eR;
        if (isfinite(l0) && isfinite(l1) && l0 > l1)
            hump += l0 - l1;
        if (tri)
            fix_triangular(n, T0, blk, R, eR, s - 1 - k);
        if (ln_h && s - 1 - k >= 1)
            lnh += ln_norm2_upper(n, R, eR);
    }
    if (ln_h)
        *ln_h = s0 > 0 || !isfinite(lnh) ? INFINITY : lnh;
#undef GEMM
    if (!blk_in && !tri && hump > HUMP_SWITCH_LOG2 && !expm_is_nearly_normal(n, A, lda)) {
        /* The default's switch, as for exp: the squarings of R went through
         * a hump, so L(A,E) is recomputed through the Schur form. */
        expm_ws_give(ws); free(ipiv); free(work); free(blk);
        expm_info_t si;
        /* exp(A) for the trace check as well (two more products). */
        double *XW = info ? expm_dalloc(n, 3) : NULL;
        double *Xs = XW ? XW : X, *Ls = XW ? XW + nn : L;
        int ldxs = XW ? n : ldx, ldls = XW ? n : ldl;
        st = expm_pade_schur_frechet(n, A, lda, E, lde, Ls, ldls, Xs, ldxs, info ? &si : NULL);
        if (info) {
            *info = si;
            info->warnings |= EXPM_WARN_SCHUR;
        }
        if (XW && st == EXPM_OK) {
            expm_dcopy(n, n, Ls, n, L, ldl);
            if (X)
                expm_dcopy(n, n, Xs, n, X, ldx);
            trace_check(n, A, lda, Xs, 0, Ls, E, lde, 0, XW + 2 * nn, info);
        }
        free(XW);
        return st;
    }
    double *Xtmp = V;
    st = expm_unscale_result(n, n, LL, n, eL, Xtmp, n, "L(A,E)", info);
    st = expm_overflow_verdict(st, n, A, lda, EXPM_LOG10_2 * expm_dlog2norm1(n, n, E, lde),
                               "L(A,E)", info);
    if (st == EXPM_OK && X) {
        double log10L = info ? info->log10_norm : 0.0;
        if (trans) {
            st = expm_unscale_result(n, n, R, n, eR, U, n, "exp(A)", info);
            if (st == EXPM_OK)
                expm_dtranspose(n, U, n, X, ldx);
        } else {
            st = expm_unscale_result(n, n, R, n, eR, X, ldx, "exp(A)", info);
        }
        st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
        if (info && st == EXPM_OK)
            info->log10_norm = log10L;
    }
    if (st == EXPM_OK) {
        (trans ? expm_dtranspose : expm_dcopy_sq)(n, Xtmp, n, L, ldl);
        trace_check(n, A, lda, R, eR, Xtmp, E, lde, trans, U, info);
    }

out:
    if (info) {
        info->m = m;
        info->s = s + s0;
        info->products = products;
        info->solves = 1;
        info->resolves = 1;   /* L's solve with the LU of q_m (expm_dlu_resolve) */
    }
    expm_ws_give(ws); free(ipiv); free(work); free(blk);
    return st;
}

/* L(P T P^T, E) = P L(T, P^T E P) P^T: as expm_pade_exp, on T. */
static expm_status pade_frechet_perm(int n, const double *A, int lda, const double *E,
                                     int lde, double *L, int ldl, double *X, int ldx,
                                     expm_info_t *info)
{
    int *iw = NULL;
    if (n >= 3 && A && lda >= n && E && lde >= n && L && ldl >= n && (!X || ldx >= n) &&
        expm_triangular_perm(n, A, lda, NULL) &&
        expm_check_square(n, E, lde, "E", 1, NULL) == EXPM_OK)
        iw = malloc(2 * (size_t)n * sizeof(int));
    if (!iw || !expm_triangular_perm(n, A, lda, iw)) {
        free(iw);
        return pade_frechet(n, A, lda, E, lde, L, ldl, X, ldx, NULL, NULL, info);
    }
    double *W = expm_dalloc_uninit(n, 4);
    if (!W) {
        free(iw);
        return pade_frechet(n, A, lda, E, lde, L, ldl, X, ldx, NULL, NULL, info);
    }
    size_t nn = (size_t)n * n;
    double *T = W, *Ep = W + nn, *Lp = W + 2 * nn, *Xp = W + 3 * nn;
    expm_perm_gather(n, iw, A, lda, T, n);
    expm_perm_gather(n, iw, E, lde, Ep, n);
    expm_status st = pade_frechet(n, T, n, Ep, n, Lp, n, X ? Xp : NULL, n, NULL, NULL, info);
    if (st == EXPM_OK) {
        expm_perm_scatter(n, iw, Lp, n, L, ldl);
        if (X)
            expm_perm_scatter(n, iw, Xp, n, X, ldx);
    }
    free(iw);
    free(W);
    return st;
}

/* ---------------------------------------------------------------------- */

/* Strongly graded A (src/grading.c): the default computes on the balanced
 * B = D^-1 A D, exactly, and scales back. Only where scaling and squaring
 * would square at all (||A||_1 > theta_13: below it s = 0 either way), and
 * only for a norm drop of 2^40 or more: below that the test set's graded
 * matrices (drops 2^21-2^27: R graded, B1 Moler) moved by rounding-level
 * amounts both ways (make report), and D S D^-1 over 10^+-5 (2^33) was
 * already accurate unbalanced (1e-15 to 2e-13); over 10^+-10 (2^63) it was
 * 2.5e-12 at s = 15, balanced 3e-13. */
#define GRADED_FLOOR (EXPM_PADE_TABLE[4].theta)   /* theta_13 */
#define GRADED_LOG2_DROP 40

typedef struct {
    double *B, *Y, *F, *Xb;   /* n-by-n each (F, Xb for L only) */
    int *ex;
    double *scale;
} graded_ws_t;

static int graded_take(int n, const double *A, int lda, int frechet, graded_ws_t *g)
{
    g->B = expm_dalloc_uninit(n, frechet ? 4 : 2);
    g->ex = malloc((size_t)n * sizeof(int));
    g->scale = malloc((size_t)n * sizeof(double));
    if (g->B && g->ex && g->scale) {
        size_t nn = (size_t)n * n;
        g->Y = g->B + nn;
        g->F = frechet ? g->B + 2 * nn : NULL;
        g->Xb = frechet ? g->B + 3 * nn : NULL;
        if (expm_grading_undo(n, A, lda, GRADED_FLOOR, GRADED_LOG2_DROP, g->B, n, g->ex,
                              g->scale))
            return 1;
    }
    free(g->B); free(g->ex); free(g->scale);
    return 0;
}

static void graded_give(graded_ws_t *g)
{
    free(g->B); free(g->ex); free(g->scale);
}

/* M = 2^e0 D Y D^-1 (ld ldm) unless it overflows: then EXPM_EOVERFLOW
 * with log10 ||M||_1 from the exponents; EXPM_ENOCONV (M untouched) if the
 * scaling back may magnify Y's rounding errors (rho below). Y is
 * overwritten on success. */
static expm_status graded_back(int n, const int *ex, int e0, int check_rho, double *Y, double *M,
                               int ldm, const char *what, expm_info_t *info)
{
    double lmax = -INFINITY;
    for (int j = 0; j < n; j++) {
        int k = INT_MIN;
        for (int i = 0; i < n; i++) {
            double y = Y[i + (size_t)j * n];
            if (y != 0.0) {
                int t = ilogb(y) + ex[i] - ex[j] + e0;
                k = t > k ? t : k;
            }
        }
        if (k == INT_MIN)
            continue;
        double c = 0.0;                      /* column sum times 2^-k */
        for (int i = 0; i < n; i++)
            c += fabs(ldexp(Y[i + (size_t)j * n], ex[i] - ex[j] + e0 - k));
        lmax = fmax(lmax, k + log2(c));
    }
    if (info)
        info->log10_norm = lmax * EXPM_LOG10_2;
    /* The back-transformation maps an error u ||Y|| in any entry of Y to
     * up to 2^(e0 + max ex - min ex) u ||Y|| in M: rho = that factor over
     * ||M||. On D S D^-1 (dense exp(S); D over 10^+-5 to 10^+-40, n = 5-40)
     * log2 rho was 2.6-12.3; on Davies & Higham's triangular D14 it was 35
     * for exp and 76 for L, where L(A,E) came out with relative error 0.05
     * (balancing made B ~ diagonal and scaled E's lower triangle by 1e51;
     * unbalanced: 1e-16). Above 2^20 (check_rho) EXPM_ENOCONV here, and the
     * caller decides (below). */
    if (check_rho && (double)expm_grading_span(n, ex) + expm_dlog2norm1(n, n, Y, n) -
                             (lmax - e0) > EXPM_GRADED_RHO_LOG2)
        return EXPM_ENOCONV;
    char p10[48];
    if (lmax >= DBL_MAX_EXP) {
        expm_info_msg(info, "%s overflows double: ||%s||_1 ~ %s", what, what,
                      expm_pow10_str(lmax * EXPM_LOG10_2, p10, sizeof p10));
        return EXPM_EOVERFLOW;
    }
    int lost = 0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double y = Y[i + (size_t)j * n], t = ldexp(y, ex[i] - ex[j] + e0);
            if (!(fabs(t) <= DBL_MAX)) {  /* an entry above DBL_MAX, the norm just below */
                expm_info_msg(info, "%s overflows double: an entry is infinite", what);
                return EXPM_EOVERFLOW;
            }
            lost |= y != 0.0 && fabs(t) < DBL_MIN;
            Y[i + (size_t)j * n] = t;
        }
    if (lost && info)
        info->warnings |= EXPM_WARN_UNDERFLOW;
    expm_dcopy(n, n, Y, n, M, ldm);
    return EXPM_OK;
}

/* A computation that fails on B (exp(B) overflowing where D exp(B) D^-1
 * need not, a non-finite step) is redone on A itself; an overflow of the
 * scaled-back result is reported as such. Where rho exceeds 2^20 A itself
 * is computed as well, and the balanced result is kept only if it saved
 * GRADED_S_GAIN squarings or more (2^64 u >> 1: the unbalanced result
 * cannot be trusted either): rho is a worst case that nearly triangular B
 * far undercut (an outside audit's zigzag-graded near-triangular A, n =
 * 12, D over 10^+-60: log2 rho ~ 400, balanced exp and L error 9e-17 and
 * 5e-15, unbalanced s = 265 and errors 0.42 and 1.0), while on D14 the
 * unbalanced results are right: L at s = 10, and block's 2n matrix at
 * s = 32 (1.1e-16; balanced 0.05, with a gain of 20 as first tried). */
#define GRADED_S_GAIN 64

/* ||A||_1 inline (NaN propagated): the grading test on an ordinary A then
 * costs the default one pass over A and no call (at n = 4, 20 ns of 350
 * with expm_grading_possible computing it; measured). */
static inline double norm1_inline(int n, const double *A, int lda)
{
    /* Four columns at a time: four independent sums instead of one chain
     * of n^2 dependent adds, and a branch-free max (the compare of random
     * column sums mispredicted; 5.6% of a 4x4 batch matrix, perf). NaN iff
     * a column sum is NaN: tot carries it (sums are >= 0). */
    double nrm = 0.0, tot = 0.0;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
        const double *a = A + (size_t)j * lda;
        double c0 = 0.0, c1 = 0.0, c2 = 0.0, c3 = 0.0;
        for (int i = 0; i < n; i++) {
            c0 += fabs(a[i]);
            c1 += fabs(a[i + (size_t)lda]);
            c2 += fabs(a[i + 2 * (size_t)lda]);
            c3 += fabs(a[i + 3 * (size_t)lda]);
        }
        double m01 = c0 > c1 ? c0 : c1, m23 = c2 > c3 ? c2 : c3, m = m01 > m23 ? m01 : m23;
        nrm = m > nrm ? m : nrm;
        tot += (c0 + c1) + (c2 + c3);
    }
    for (; j < n; j++) {
        double c = 0.0;
        for (int i = 0; i < n; i++)
            c += fabs(A[i + (size_t)j * lda]);
        nrm = c > nrm ? c : nrm;
        tot += c;
    }
    return tot == tot ? nrm : tot;
}

int expm_pade_graded_candidate(int n, const double *A, int lda)
{
    double nrm;
    return n >= 3 && A && lda >= n && (nrm = norm1_inline(n, A, lda)) > GRADED_FLOOR &&
           expm_grading_possible(n, A, lda, nrm, GRADED_FLOOR, GRADED_LOG2_DROP);
}

expm_status expm_pade_exp(int n, const double *A, int lda, double *X, int ldx,
                          expm_info_t *info)
{
    graded_ws_t g;
    if (!X || ldx < n || !expm_pade_graded_candidate(n, A, lda) ||
        !graded_take(n, A, lda, 0, &g))
        return pade_exp_perm(n, A, lda, X, ldx, info);
    expm_info_t ib, ia;
    expm_status st = pade_exp_perm(n, g.B, n, g.Y, n, &ib);
    int on_b = st == EXPM_OK;   /* failures on B are not A's: A itself next */
    if (on_b)
        st = graded_back(n, g.ex, 0, 1, g.Y, X, ldx, "exp(A)", &ib);
    if (on_b && st == EXPM_ENOCONV) {
        st = pade_exp_perm(n, A, lda, X, ldx, &ia);
        if (st != EXPM_OK || ia.s - ib.s >= GRADED_S_GAIN) {
            st = graded_back(n, g.ex, 0, 0, g.Y, X, ldx, "exp(A)", &ib);
            ia = ib;
        }
    } else if (on_b)
        ia = ib;
    else
        st = pade_exp_perm(n, A, lda, X, ldx, &ia);
    if (info)
        *info = ia;
    graded_give(&g);
    return st;
}

expm_status expm_pade_frechet(int n, const double *A, int lda, const double *E, int lde,
                              double *L, int ldl, double *X, int ldx, expm_info_t *info)
{
    graded_ws_t g;
    if (n < 3 || !A || lda < n || !E || lde < n || !L || ldl < n || (X && ldx < n) ||
        !expm_grading_possible(n, A, lda, -1.0, GRADED_FLOOR, GRADED_LOG2_DROP))
        return pade_frechet_perm(n, A, lda, E, lde, L, ldl, X, ldx, info);
    if (expm_check_square(n, E, lde, "E", 1, NULL) != EXPM_OK || !graded_take(n, A, lda, 1, &g))
        return pade_frechet_perm(n, A, lda, E, lde, L, ldl, X, ldx, info);
    /* F = D^-1 E D when that is exact (E's own scale: L(B, F) stays in
     * range where exp(B) is tiny, e^-745..e^-1000 on S - 1000 I graded).
     * Otherwise F = 2^-k D^-1 E D with max |F_ij| in [1, 2): what falls
     * below 2^-1074 there is below u^20 of F and is dropped (exactness
     * was required before, and A itself was used: on an upper triangular A
     * with a strict part ~1e50 and E strictly upper that took s = 142
     * squarings and L had error 6e-4, unwarned; an outside audit). That
     * shift alone made L(B, F) underflow to 0 on the graded S - 1000 I
     * (a regression audit), so an L(B, F) below 2^-600 is computed again
     * with F 2^900 times larger. L(B, F) may overflow where D L(B, F) D^-1
     * does not: then again at ||F||_1 ~ 2^-500 (the bottom of api.c's
     * unscaled range). */
    int k = 0;
    if (expm_dsimilarity_pow2(n, g.ex, -1, E, lde, g.F, n) != 0) {
        k = INT_MIN;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                double v = E[i + (size_t)j * lde];
                if (v != 0.0) {
                    int t = ilogb(v) + g.ex[j] - g.ex[i];
                    k = t > k ? t : k;
                }
            }
        k = k == INT_MIN ? 0 : k;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                g.F[i + (size_t)j * n] = ldexp(E[i + (size_t)j * lde], g.ex[j] - g.ex[i] - k);
    }
    expm_info_t ib;
    expm_info_clear(&ib);
    expm_status st = pade_frechet_perm(n, g.B, n, g.F, n, g.Y, n, X ? g.Xb : NULL, n, &ib);
    double nF = expm_dnorm1(n, n, g.F, n);
    if (st == EXPM_OK && nF > 0.0 && nF < 0x1p100 && expm_dnorm1(n, n, g.Y, n) < 0x1p-600) {
        expm_dscal_pow2(n, n, 900, g.F, n);
        k -= 900;
        st = pade_frechet_perm(n, g.B, n, g.F, n, g.Y, n, X ? g.Xb : NULL, n, &ib);
        nF = expm_dnorm1(n, n, g.F, n);
    }
    if (st == EXPM_EOVERFLOW && nF > 0x1p-499 && isfinite(nF)) {
        int kf;
        frexp(nF, &kf);
        expm_dscal_pow2(n, n, -(kf + 500), g.F, n);   /* may drop bits below 2^-1074 */
        k += kf + 500;
        st = pade_frechet_perm(n, g.B, n, g.F, n, g.Y, n, X ? g.Xb : NULL, n, &ib);
    }
    int on_b = st == EXPM_OK;   /* failures on B are not A's: A itself next */
    if (!on_b) {
        graded_give(&g);
        return pade_frechet_perm(n, A, lda, E, lde, L, ldl, X, ldx, info);
    }
    /* As expm_pade_exp: rho first, then the squarings saved. Scaled back
     * into B (X) and F (L), free after the run, so that X and L are
     * written only once both stand. */
    int xdone = 0;
    if (X) {
        st = graded_back(n, g.ex, 0, 1, g.Xb, g.B, n, "exp(A)", &ib);
        xdone = st == EXPM_OK;
    }
    if (st == EXPM_OK)
        st = graded_back(n, g.ex, k, 1, g.Y, g.F, n, "L(A,E)", &ib);
    if (st == EXPM_ENOCONV) {
        expm_info_t ia;
        st = pade_frechet_perm(n, A, lda, E, lde, L, ldl, X, ldx, &ia);
        if (st == EXPM_OK && ia.s - ib.s < GRADED_S_GAIN) {
            if (info)
                *info = ia;
            graded_give(&g);
            return st;
        }
        st = X && !xdone ? graded_back(n, g.ex, 0, 0, g.Xb, g.B, n, "exp(A)", &ib) : EXPM_OK;
        if (st == EXPM_OK)
            st = graded_back(n, g.ex, k, 0, g.Y, g.F, n, "L(A,E)", &ib);
    }
    if (st == EXPM_OK) {
        if (X)
            expm_dcopy(n, n, g.B, n, X, ldx);
        expm_dcopy(n, n, g.F, n, L, ldl);
    }
    if (info)
        *info = ib;
    graded_give(&g);
    return st;
}

expm_status expm_pade_frechet_quasi(int n, const double *T, int ldt, const int *blk,
                                    const double *E, int lde, double *L, int ldl, double *X,
                                    int ldx, double *ln_h, expm_info_t *info)
{
    return pade_frechet(n, T, ldt, E, lde, L, ldl, X, ldx, blk, ln_h, info);
}
