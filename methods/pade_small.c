/*
 * pade_small.c -- the default `pade` exp for n <= EXPM_PADE_SMALL_MAXN (16)
 * without BLAS/LAPACK calls and without malloc: every matrix lives on the
 * stack, products are plain loops over a compile-time n (the core is
 * instantiated for n = 1..16, so the compiler unrolls and vectorises them).
 *
 * Why: at n = 4 a dgemm call costs more in dispatch than the 64 multiply-adds
 * it performs, and pade.c allocates its workspace per call; the SSM batch
 * (10^5 4x4 matrices, expm_exp_batch in src/batch.c) and the single small
 * call (Eigen 0.59 us at n = 4, issue 9) need neither.
 *
 * The algorithm is that of methods/pade.c (expm_pade_exp): the 2x2 closed
 * form for n = 2 (exp2x2.c, the same call); quasi upper (or lower)
 * triangular A with the exact diagonal blocks and superdiagonal recomputed
 * after every squaring (AMH 2009 Code Fragment 2.1); otherwise Al-Mohy &
 * Higham 2009 (SIMAX 31(3)) Alg. 6.1: m in {3,5,7,9,13} from
 * d_k = ||A^k||_1^(1/k), s corrected by ell(2^-s A, 13), the same pre-scaling
 * for ||A||_1 > 2^100, r_m = I + 2 (V-U)\U with the pivots of the balanced
 * V-U (see pade.c), squarings carried as 2^e Z
 * (scaling.c) and the same hump test (switch to pade-schur above 2^32).
 * Differences, all for speed at tiny n and none lowering accuracy:
 *  - d_k from the exact ||A^k||_1 (products are cheaper than pade.c's dlacn2
 *    sweeps at n <= 16). The estimate is a lower bound, so where it falls
 *    short pade.c picks a smaller s (or m) than Alg. 6.1 with true norms;
 *    measured: (m,s) equal on all 111 matrices of tests/test_pade_small.c
 *    and on 19999 of 20000 random ones (n 3..8, ||A||_1 1e-2..1e2; the
 *    other: s = 2 here, 1 in pade);
 *  - tests eta <= theta_m as ||A^k|| <= theta_m^k (no pow), ell's test
 *    ell = 0 as alpha <= u (no log2), and ell skipped when the bound
 *    ||A||^(2m) / c_m^-1 <= u/2 already gives 0;
 *  - || |A|^(2m+1) || by jumps with the squares of |A| (see abspow_t);
 *  - the rounding order of the O(n^3) kernels (loops instead of dgemm, an
 *    unblocked LU with partial pivoting instead of dgetrf).
 * So results agree with the BLAS path (expm_pade_blas_exp) to rounding, not bit for bit;
 * expm_pade_exp itself dispatches here for n <= 16
 * (tests/test_pade_small.c measures both against the MPFR reference).
 * Rare paths that pade.c also takes -- the Schur recomputation after a hump,
 * the overflow verdict -- call the shared (allocating) functions.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dense.h"
#include "methods.h"
#include "pade_table.h"

#define NMAX EXPM_PADE_SMALL_MAXN
#define NN (NMAX * NMAX)
/* From this n on: the 4-wide LU chunks, the interleaved column sums and
 * ell's sharper early exit. Below it the plain loops are faster (4x4
 * batch, alternating runs: 0.38 us per matrix against 0.39-0.40 with them). */
#define CHUNK_MINN 8
#define U_DOUBLE 0x1p-53
#define PRESCALE_LOG2 100   /* as pade.c: ||A||_1 <= 2^100 before choosing m, s */
#define HUMP_SWITCH_LOG2 EXPM_HUMP_LOG2 /* as pade.c (see expmkit.h at expm_method_find) */
#define ABSORB_LOG2 1000    /* as scaling.c */
#define HUMP_BOUND_BUDGET 24.0 /* bits of bounded hump terms (see squarings) */

/* Sanitizer builds (make sanitize, make fuzz) get one copy of core at
 * -O2: inlined 16 times (x 2 clones at -O3) GCC with ASan/UBSan needed
 * >15 min for this file, measured; what they check does not depend on it. */
#if defined(__SANITIZE_ADDRESS__)
#define SMALL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) /* clang's spelling */
#define SMALL_SANITIZED 1
#endif
#endif
#if defined(SMALL_SANITIZED)
#define INLINE static inline
#else
#define INLINE static inline __attribute__((always_inline))
#endif

/* The fixed-size loops gain from GCC's -O3 vectoriser (complete unrolling
 * of the n-by-n loops; measured per matrix, 1 thread: 0.38 -> 0.30 us at
 * n = 4, 2.1 -> 1.7 us at n = 8). */
#if defined(__GNUC__) && !defined(__clang__) && !defined(SMALL_SANITIZED)
#pragma GCC optimize("O3")
#endif

static const expm_pade_row_t *pade_row(int m)
{
    for (int i = 0; i < 5; i++)
        if (EXPM_PADE_TABLE[i].m == m)
            return &EXPM_PADE_TABLE[i];
    return NULL;
}

/* C = A B, all n-by-n with ld n (C distinct from A and B). Column j of C
 * is accumulated in 4-wide vectors (GCC/clang vector extension: one ymm
 * register each in the AVX2 clone, two xmm otherwise), rows past the last
 * multiple of 4 in scalars. Each c_ij still sums a_ik b_kj over k in order
 * with a separate multiply and add (no FMA: -std=c11 contracts nothing),
 * so the rounding is that of the plain triple loop. Left to the
 * vectoriser, the plain loop ran 3x slower at n = 16 than at n = 15
 * (shuffles; perf). */
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4i __attribute__((vector_size(32)));
/* v4_load is inlined (static): no ABI crosses a call. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

INLINE v4d v4_load(const double *p)
{
    v4d v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* A macro: a v4d argument passed by value draws GCC's -Wpsabi note in the
 * clone without AVX. */
#define V4_STORE(p, expr)                                                       \
    do {                                                                        \
        v4d v4_tmp_ = (expr);                                                   \
        memcpy((p), &v4_tmp_, sizeof v4_tmp_);                                  \
    } while (0)

/* Columns of C in passes of JB (JB nq accumulators <= 8 of the 16 ymm
 * registers), so that each 4-wide load of a column of A serves JB columns. */
#define MM_PASS(JB)                                                             \
    for (; j + (JB) <= n; j += (JB)) {                                          \
        v4d c[JB][NMAX / 4 + 1];                                                \
        double t[JB][4];                                                        \
        for (int cj = 0; cj < (JB); cj++) {                                     \
            for (int q = 0; q < nq; q++)                                        \
                c[cj][q] = (v4d){0.0, 0.0, 0.0, 0.0};                           \
            for (int i = 0; i < 4; i++)                                         \
                t[cj][i] = 0.0;                                                 \
        }                                                                       \
        for (int k = 0; k < n; k++) {                                           \
            const double *a = A + k * n;                                        \
            v4d av[NMAX / 4 + 1];                                               \
            for (int q = 0; q < nq; q++)                                        \
                av[q] = v4_load(a + 4 * q);                                     \
            for (int cj = 0; cj < (JB); cj++) {                                 \
                double b = B[k + (j + cj) * n];                                 \
                v4d bb = {b, b, b, b};                                          \
                for (int q = 0; q < nq; q++)                                    \
                    c[cj][q] += av[q] * bb;                                     \
                for (int i = n4; i < n; i++)                                    \
                    t[cj][i - n4] += a[i] * b;                                  \
            }                                                                   \
        }                                                                       \
        for (int cj = 0; cj < (JB); cj++) {                                     \
            for (int q = 0; q < nq; q++)                                        \
                V4_STORE(C + (j + cj) * n + 4 * q, c[cj][q]);                   \
            for (int i = n4; i < n; i++)                                        \
                C[i + (j + cj) * n] = t[cj][i - n4];                            \
        }                                                                       \
    }
INLINE void mm(int n, const double *restrict A, const double *restrict B, double *restrict C)
{
    const int nq = n / 4, n4 = 4 * nq;
    int j = 0;
    if (nq >= 3) {
        MM_PASS(2)
    }
    MM_PASS(1)
}
#undef MM_PASS

/* ||A||_1. From CHUNK_MINN on, each column sum in 4-wide lanes (a column
 * is contiguous) added pairwise at the end: the columns are independent
 * chains of n/4 vector adds, not n scalar ones (the row-order sums, four
 * columns side by side, were 6.7% of the 16x16 exp, perf). The value
 * differs from the row-order sum by the rounding of a reordering only
 * (relative <= n u: ||T^k|| is compared with theta_m^k, where that is
 * immaterial). */
INLINE double norm1(int n, const double *A)
{
    double best = 0.0, tot = 0.0;
    if (n >= CHUNK_MINN) {
        const int nq = n / 4, n4 = 4 * nq;
        const v4i absmask = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
        for (int j = 0; j < n; j++) {
            const double *a = A + j * n;
            v4d acc = (v4d)((v4i)v4_load(a) & absmask);
            for (int q = 1; q < nq; q++)
                acc += (v4d)((v4i)v4_load(a + 4 * q) & absmask);
            double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
            for (int i = n4; i < n; i++)
                s += fabs(a[i]);
            best = s > best ? s : best;
            tot += s;       /* NaN iff a column sum is NaN (sums are >= 0) */
        }
        return isnan(tot) ? tot : best;
    }
    for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += fabs(A[i + j * n]);
        best = s > best ? s : best;
        tot += s;
    }
    return isnan(tot) ? tot : best;
}

/* ldexp(x, k) as x expm_pow2i(k) where 2^k is a normal double: exactly
 * the same (both are the correctly rounded x 2^k), without the libm call
 * (scalbn was 8% of a 4x4 exp at ||A||_1 = 30, perf). */
INLINE double ldexp_fast(double x, int k)
{
    return k < -1022 || k > 1022 ? ldexp(x, k) : x * expm_pow2i(k);
}

INLINE void scal(int n, double a, double *A)
{
    for (int k = 0; k < n * n; k++)
        A[k] *= a;
}

INLINE int all_finite(int n, const double *A)
{
    /* NaN iff some entry is Inf or NaN, in any order of the sum: four
     * independent 4-wide sums (one scalar chain cost 3 cycles an entry). */
    v4d acc[4] = {{0.0, 0.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 0.0},
                  {0.0, 0.0, 0.0, 0.0}};
    const v4d z = {0.0, 0.0, 0.0, 0.0};
    int k = 0;
    for (; n >= CHUNK_MINN && k + 15 < n * n; k += 16)
        for (int c = 0; c < 4; c++)
            acc[c] += v4_load(A + k + 4 * c) * z;
    double r = 0.0;
    for (; k < n * n; k++)
        r += A[k] * 0.0;
    v4d t = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    return (r + ((t[0] + t[1]) + (t[2] + t[3]))) == 0.0;
}

/* log2 || |A|^p ||_1 as expm_dlog2norm1_abspow (norm.c): v^T <- v^T |A|
 * from ones, renormalised by powers of two (exact). Here with the iterate
 * kept: ell(A,m) for m = 3, 5, 7, 9, 13 needs p = 2m+1 = 7..27 of the same
 * iteration, so it runs once per matrix (state in abspow_t), extended as far
 * as a query needs; and in jumps v <- (|A|^T)^k v, k = 16, 8, 4, 2, 1, by
 * the squares of |A|^T (4 small products instead of up to 27 dependent
 * matrix-vector steps, the latency that dominated the 4x4 batch). All
 * arithmetic is on nonnegative numbers, so the reassociation changes the
 * result by a relative ~p n u only, and ell depends on it through a ceil of
 * its log2 / 2m. Jumps only when ||A||_1 <= 2^30 (then ||(|A|^T)^16|| <=
 * 2^528 cannot overflow); else single steps, as norm.c. */
#define ABSPOW_JUMP_LOG2 4 /* up to (|A|^T)^16 */
/* Above this n the 4 squarings of |A|^T (4n^3) cost more than the 27
 * single steps they replace (27n^2); measured at n = 12: 2.56 -> 2.16 us. */
#define ABSPOW_JUMP_MAXN 12
#define ABSPOW_HIST 27 /* 2m + 1 for m = 13 */
typedef struct {
    int p;                 /* power reached */
    int zero;              /* |A|^p = 0 reached */
    int have;              /* Q[0..have-1] formed */
    int jump;              /* ||A||_1 <= 2^30: jumps allowed */
    double scale;          /* log2 of the accumulated renormalisation */
    double v[NMAX];
    /* || |A|^j ||_1 = hx[j] 2^hs[j] for each j <= ABSPOW_HIST reached
     * (hv[j] = 1): ell's early exit bounds || |A|^p || by them. */
    double hx[ABSPOW_HIST + 1], hs[ABSPOW_HIST + 1];
    unsigned char hv[ABSPOW_HIST + 1];
    double Q[ABSPOW_JUMP_LOG2 + 1][NN]; /* Q[k] = (|A|^T)^(2^k), ld n */
} abspow_t;

INLINE void abspow_init(int n, const double *A, abspow_t *st)
{
    st->p = 0, st->zero = 0, st->have = 1, st->scale = 0.0;
    if (n >= CHUNK_MINN)
        memset(st->hv, 0, sizeof st->hv);
    double nrm = 0.0;
    for (int j = 0; j < n; j++) {
        double c = 0.0;
        for (int i = 0; i < n; i++)
            c += st->Q[0][j + i * n] = fabs(A[i + j * n]);
        nrm = c > nrm ? c : nrm;
    }
    st->jump = nrm <= 0x1p30 && n <= ABSPOW_JUMP_MAXN;
    for (int i = 0; i < n; i++)
        st->v[i] = 1.0;
}

INLINE void abspow_run(int n, abspow_t *st, int p)
{
    while (st->p < p && !st->zero) {
        int k = 0;
        if (st->jump)
            while (k < ABSPOW_JUMP_LOG2 && (2 << k) <= p - st->p)
                k++;
        for (; st->have <= k; st->have++)
            mm(n, st->Q[st->have - 1], st->Q[st->have - 1], st->Q[st->have]);
        /* w = Q[k] v: the n sums side by side, each in two partial sums
         * (even and odd i: twice the independent chains; at n = 13..16,
         * without jumps, these steps were a third of the 16x16 exp by perf),
         * four (i mod 4) from CHUNK_MINN on (16x16 exp at ||A||_1 = 30:
         * 6.14 -> 6.08 us, alternating runs). */
        const double *Qk = st->Q[k];
        double w[NMAX], w1[NMAX], big = 0.0;
        for (int j = 0; j < n; j++)
            w[j] = w1[j] = 0.0;
        int i = 0;
        if (n >= CHUNK_MINN) {
            /* four partial sums (i mod 4): chains of n/4 adds */
            double w2[NMAX], w3[NMAX];
            for (int j = 0; j < n; j++)
                w2[j] = w3[j] = 0.0;
            for (; i + 3 < n; i += 4) {
                double v0 = st->v[i], v1 = st->v[i + 1], v2 = st->v[i + 2], v3 = st->v[i + 3];
                for (int j = 0; j < n; j++) {
                    w[j] += Qk[j + i * n] * v0;
                    w1[j] += Qk[j + (i + 1) * n] * v1;
                    w2[j] += Qk[j + (i + 2) * n] * v2;
                    w3[j] += Qk[j + (i + 3) * n] * v3;
                }
            }
            for (int j = 0; j < n; j++)
                w[j] += w2[j], w1[j] += w3[j];
        }
        for (; i + 1 < n; i += 2) {
            double v0 = st->v[i], v1 = st->v[i + 1];
            for (int j = 0; j < n; j++) {
                w[j] += Qk[j + i * n] * v0;
                w1[j] += Qk[j + (i + 1) * n] * v1;
            }
        }
        for (; i < n; i++)
            for (int j = 0; j < n; j++)
                w[j] += Qk[j + i * n] * st->v[i];
        for (int j = 0; j < n; j++)
            w[j] += w1[j];
        for (int j = 0; j < n; j++)   /* no branch: mispredicted, 4% of the 16x16 exp */
            big = w[j] > big ? w[j] : big;
        st->p += 1 << k;
        if (n >= CHUNK_MINN && st->p <= ABSPOW_HIST)
            st->hx[st->p] = big, st->hs[st->p] = st->scale, st->hv[st->p] = 1;
        if (big == 0.0) {
            st->zero = 1;
            break;
        }
        for (int j = 0; j < n; j++)
            st->v[j] = w[j];
        /* Renormalise by an exact power of two only when the iterate
         * leaves [2^-16, 2^16] (norm.c does at every step; powers of two
         * change no mantissa bit). Entries of A are below 2^1001
         * (||A||_1 <= 2^100 for T, <= 2^1000 for the carried Z) in single
         * steps, Q[k] below 2^528 in jumps: w cannot overflow. */
        if (big > 0x1p16 || big < 0x1p-16) {
            int e;
            frexp(big, &e);
            double f = ldexp_fast(1.0, -e);  /* normal: 2^-16 > big or big > 2^16 */
            for (int j = 0; j < n; j++)
                st->v[j] *= f;
            st->scale += e;
        }
    }
}

INLINE double abspow_max(int n, const abspow_t *st)
{
    double best = 0.0;
    for (int i = 0; i < n; i++)
        if (st->v[i] > best)
            best = st->v[i];
    return best;
}

INLINE double abspow_log2(int n, abspow_t *st, int p)
{
    abspow_run(n, st, p);
    if (st->zero)
        return -INFINITY;
    double best = 0.0;
    for (int i = 0; i < n; i++)
        if (st->v[i] > best)
            best = st->v[i];
    return best > 0.0 ? log2(best) + st->scale : -INFINITY;
}

/* || |Z|^2 ||_1 = 2^k max_j sum_i c_i |z_ij| with c_i 2^k the column sums
 * of |Z| (1^T |Z|^2 = (1^T |Z|) |Z|): two matrix-vector steps, as
 * abspow_run's, for the hump estimate of the squarings. c is renormalised
 * by the exact 2^-k so that the second sums cannot overflow. 0 (k = 0)
 * for Z = 0; NaN or Inf passed through. */
INLINE double abs2_norm1(int n, const double *Z, int *k)
{
    double c[NMAX], cmax = 0.0;
    for (int j = 0; j < n; j++) {
        double t = 0.0;
        for (int i = 0; i < n; i++)
            t += fabs(Z[i + j * n]);
        c[j] = t;
        cmax = t > cmax || t != t ? t : cmax;
    }
    *k = 0;
    if (!(cmax > 0.0) || !isfinite(cmax))
        return cmax;
    frexp(cmax, k);
    double f = ldexp_fast(1.0, -*k), best = 0.0;
    for (int i = 0; i < n; i++)
        c[i] *= f;
    for (int j = 0; j < n; j++) {
        double t = 0.0;
        for (int i = 0; i < n; i++)
            t += c[i] * fabs(Z[i + j * n]);
        best = t > best ? t : best;
    }
    return best;
}

/* x^k for k >= 1 by repeated squaring (no libm call; only compared with a
 * threshold that has a factor 2 of slack). */
INLINE double pow_int(double x, int k)
{
    double r = 1.0;
    for (; k; k >>= 1, x *= x)
        if (k & 1)
            r *= x;
    return r;
}

/* ell(2^-sh A, m) of AMH 2009 (as pade.c), with || |A|^(2m+1) || from st
 * (the sequence of A, shifted: |2^-sh A|^p = 2^(-p sh) |A|^p exactly, so
 * the final check on 2^-s T reuses T's iterate, as pade.c's ell_both);
 * normA = ||A||_1. */
INLINE int ell(int n, double normA, int sh, const expm_pade_row_t *row, abspow_t *st)
{
    const int p = 2 * row->m + 1;
    double nA = ldexp_fast(normA, -sh);
    /* || |A|^(2m+1) ||_1 <= ||A||_1^(2m+1), so alpha <= ||A||^(2m) / c_m^-1:
     * when that is <= u/2 the iteration below would return 0 (the factor 2
     * covers its rounding, (1+nu)^(2m+1) - 1 << 1), so skip it. This is
     * the common case of the SSM batch (||A||_1 ~ 1, m = 7, 9). */
    if (nA == 0.0 || pow_int(nA, 2 * row->m) <= 0.5 * U_DOUBLE * row->c_recip)
        return 0;
    /* The same test with || |A|^j || ||A||^(p-j) >= || |A|^p || for the j
     * reached (as pade.c's ell_both): the iterate is extended in doubling
     * strides (1, 2, 4, ... steps: the jumps still apply) only while it
     * fails, so it often ends long before p. */
    {
        /* Tested in the linear domain while 2^(scale - p' sh) is
         * representable (log2 calls cost 10% of the 4x4 batch, measured);
         * pow_int overflowing to Inf only skips the early exit. */
        double target = 0.5 * U_DOUBLE * nA * row->c_recip;
        for (int stride = 1;; stride *= 2) {
            if (st->zero)
                return 0;
            /* || |A|^p || <= || |A|^j ||^q || |A|^r ||, p = qj + r, r < j
             * (submultiplicative; || |A|^r || <= ||A||^r when r was not
             * reached). Sharper than q = 1 once || |A|^j ||^(1/j) has
             * fallen towards rho(|A|): over 40000 random n = 3..16 matrices
             * the iteration took 240895 steps instead of 279648 (where
             * ell > 0, as for the bench's 16x16 at ||A||_1 = 30, all 2m+1
             * steps are still needed). */
            const int j = st->p, q = j > 0 && n >= CHUNK_MINN ? p / j : 1, r = p - q * j;
            if (j > 0) {
                int hr = n >= CHUNK_MINN && r > 0 && r <= ABSPOW_HIST && st->hv[r];
                double x = pow_int(abspow_max(n, st), q) * (hr ? st->hx[r] : pow_int(nA, r));
                double sc = (st->scale - (double)j * sh) * q +
                            (hr ? st->hs[r] - (double)r * sh : 0.0);
                if (fabs(sc) < 900.0 && ldexp_fast(x, (int)sc) <= target)
                    return 0;
            }
            if (st->p >= p)
                break;
            abspow_run(n, st, st->p + stride < p ? st->p + stride : p);
        }
    }
    /* ell = 0 iff alpha <= u: tested in the linear domain (no log2 calls)
     * while 2^scale is representable; log2 form below as pade.c. */
    double sc = st->scale - (double)p * sh;
    if (fabs(sc) < 900.0 && ldexp_fast(abspow_max(n, st) / (nA * row->c_recip), (int)sc) <= U_DOUBLE)
        return 0;
    double l2 = abspow_log2(n, st, p);
    if (l2 == -INFINITY)
        return 0;
    double log2_alpha = l2 - (double)p * sh - log2(nA) - log2(row->c_recip);
    double v = ceil((log2_alpha - log2(U_DOUBLE)) / (2.0 * row->m));
    if (!(v > 0.0))
        return 0;
    return v > 2000.0 ? 2000 : (int)v;
}

/* Y = sum_k c[k] M[k] over the leading non-NULL M[k] in that order, then
 * + cI I (pade.c's comb: highest powers first, identity last). One loop
 * per term count, so no test of M[k] per entry (2% of the 4x4 batch). */
#define COMB_TERMS(NT)                                                          \
    for (int ij = 0; ij < n * n; ij++) {                                        \
        double y = 0.0;                                                         \
        for (int k = 0; k < (NT); k++)                                          \
            y += c[k] * M[k][ij];                                               \
        Y[ij] = y;                                                              \
    }
INLINE void comb(int n, double *Y, double cI, const double c[4], double *const M[4])
{
    int nt = 0;
    while (nt < 4 && M[nt])
        nt++;
    switch (nt) {
    case 1: COMB_TERMS(1) break;
    case 2: COMB_TERMS(2) break;
    case 3: COMB_TERMS(3) break;
    default: COMB_TERMS(4) break;
    }
    for (int i = 0; i < n; i++)
        Y[i + i * n] += cI;
}
#undef COMB_TERMS

/* Entries of a where m is set, of b elsewhere (bit for bit). */
#define V4_BLEND(m, a, b) ((v4d)(((v4i)(a) & (m)) | ((v4i)(b) & ~(m))))

/* b_i -= l_i x for rows k < i < n (axpy_below) or 0 <= i < k (axpy_above,
 * used for n >= CHUNK_MINN only): the column operations of the LU and of
 * the two substitutions, in 4-wide
 * chunks; the chunk that holds the boundary row is blended so rows outside
 * keep their value bit for bit, rows past the last whole chunk go one by
 * one. Each entry sees the operation of the scalar loop, so the results are
 * the same, without the scalar loops' variable trip counts (16x16, -O3,
 * alone: forward substitution 0.50 -> 0.35 us, back 0.55 -> 0.44 us with
 * its divisions four at a time). */

INLINE void axpy_below(int n, int k, const double *l, double *b, double x)
{
    if (n < CHUNK_MINN) {
        for (int i = k + 1; i < n; i++)
            b[i] -= l[i] * x;
        return;
    }
    const int nq = n / 4, n4 = 4 * nq, q0 = (k + 1) / 4;
    const v4d xx = {x, x, x, x};
    if (q0 < nq) {
        const v4i row = (v4i){0, 1, 2, 3} + 4 * q0;
        const v4i m = row > (v4i){k, k, k, k};
        v4d bv = v4_load(b + 4 * q0);
        V4_STORE(b + 4 * q0, V4_BLEND(m, bv - v4_load(l + 4 * q0) * xx, bv));
        for (int q = q0 + 1; q < nq; q++)
            V4_STORE(b + 4 * q, v4_load(b + 4 * q) - v4_load(l + 4 * q) * xx);
    }
    for (int i = k + 1 > n4 ? k + 1 : n4; i < n; i++)
        b[i] -= l[i] * x;
}

INLINE void axpy_above(int n, int k, const double *u, double *b, double x)
{
    const int nq = n / 4, n4 = 4 * nq, qf = k / 4 < nq ? k / 4 : nq;
    const v4d xx = {x, x, x, x};
    for (int q = 0; q < qf; q++)
        V4_STORE(b + 4 * q, v4_load(b + 4 * q) - v4_load(u + 4 * q) * xx);
    if (qf < nq && 4 * qf < k) {
        const v4i row = (v4i){0, 1, 2, 3} + 4 * qf;
        const v4i m = row < (v4i){k, k, k, k};
        v4d bv = v4_load(b + 4 * qf);
        V4_STORE(b + 4 * qf, V4_BLEND(m, bv - v4_load(u + 4 * qf) * xx, bv));
    }
    for (int i = n4; i < k; i++)
        b[i] -= u[i] * x;
}

/* Solve M X = B (n-by-n each, ld n) in place by LU with partial pivoting;
 * 0, or -1 for an exactly singular M (as dgetrf's info > 0). */
INLINE int lu_solve(int n, double *M, double *B)
{
    for (int k = 0; k < n; k++) {
        int p = k;
        double big = fabs(M[k + k * n]);
        for (int i = k + 1; i < n; i++)
            if (fabs(M[i + k * n]) > big) {
                big = fabs(M[i + k * n]);
                p = i;
            }
        if (big == 0.0)
            return -1;
        if (p != k)
            for (int j = 0; j < n; j++) {
                double t = M[k + j * n];
                M[k + j * n] = M[p + j * n];
                M[p + j * n] = t;
                t = B[k + j * n];           /* dgetrs's row interchanges, done here */
                B[k + j * n] = B[p + j * n];
                B[p + j * n] = t;
            }
        double r = 1.0 / M[k + k * n];
        for (int i = k + 1; i < n; i++)
            M[i + k * n] *= r;
        for (int j = k + 1; j < n; j++)
            axpy_below(n, k, M + k * n, M + j * n, M[k + j * n]);
    }
    /* L Y = B, then U X = Y, all columns of B side by side (each entry sees
     * the operations of a column-by-column solve in the same order; the n
     * columns are independent chains, which the loop order exposes). U's
     * diagonal divides: multiplying by 1/u_kk (as OpenBLAS's trsm does) was
     * 2-5% faster on the 4x4 batch but raised phi_G on a graded 6x6 of
     * test_pade from 2.05 to 8.14. The divisions of a row of B go four at
     * a time (the same quotients). */
    for (int k = 0; k < n; k++)
        for (int j = 0; j < n; j++)
            axpy_below(n, k, M + k * n, B + j * n, B[k + j * n]);
    if (n < CHUNK_MINN) {
        for (int k = n - 1; k >= 0; k--)
            for (int j = 0; j < n; j++) {
                double bk = B[k + j * n] /= M[k + k * n];
                for (int i = 0; i < k; i++)
                    B[i + j * n] -= M[i + k * n] * bk;
            }
        return 0;
    }
    for (int k = n - 1; k >= 0; k--) {
        const double d = M[k + k * n];
        const v4d dd = {d, d, d, d};
        int j = 0;
        for (; j + 3 < n; j += 4) {
            double *bk = B + k + j * n;
            v4d v = (v4d){bk[0], bk[n], bk[2 * n], bk[3 * n]} / dd;
            bk[0] = v[0], bk[n] = v[1], bk[2 * n] = v[2], bk[3 * n] = v[3];
        }
        for (; j < n; j++)
            B[k + j * n] /= d;
        for (j = 0; j < n && k > 0; j++)
            axpy_above(n, k, M + k * n, B + j * n, B[k + j * n]);
    }
    return 0;
}

/* src/balance.c's expm_dbalance_exps and expm_drowscale_pow2 for fixed n:
 * the same Parlett-Reinsch sweeps and constants, summed in plain order
 * (calling those, with their transposed copy, measured 0.12 us more per
 * 4x4 exp than these loops). bal_step is one row of the sweep: with c_i,
 * r_i scaled, the power of 4 that brings them within a factor 2, taken if
 * it lowers c_i + r_i by gamma. */
INLINE int bal_step(int i, double ci, double ri, int *e, double *v, double *w)
{
    if (!(ci > 0.0 && ri > 0.0) || !isfinite(ci + ri))
        return 0;
    double cc = ci;
    int k = 0;
    while (cc < 0.5 * ri && e[i] + k < EXPM_BAL_MAX_EXP)
        cc *= 4.0, k++;
    while (cc >= 2.0 * ri && e[i] + k > -EXPM_BAL_MAX_EXP)
        cc *= 0.25, k--;
    if (k == 0 || ci * expm_pow2i(k) + ri * expm_pow2i(-k) >= EXPM_BAL_GAMMA * (ci + ri))
        return 0;
    e[i] += k;
    v[i] = expm_pow2i(e[i]), w[i] = expm_pow2i(-e[i]);
    return 1;
}

/* The sweeps row by row from T, for n < CHUNK_MINN: at n = 4 the lane
 * sums below (with P and its transpose on the stack) made the exp 4-10%
 * slower, and so did a pass that tests whether the first sweep changes
 * anything (of randn matrices it passes 31% at n = 4, 44% at 8, 78% at 16;
 * batch 0.24 against 0.21 us per matrix). The row decision is bal_step's,
 * written out: through the call the 4x4 exp at ||A||_1 = 30 measured 3%
 * slower (alternating runs). */
INLINE int balance_plain(int n, const double *T, int *e)
{
    double v[NMAX], w[NMAX];
    int changed = 0;
    for (int i = 0; i < n; i++)
        e[i] = 0, v[i] = w[i] = 1.0;
    for (int sweep = 0, noconv = 1; noconv && sweep < EXPM_BAL_MAX_SWEEPS; sweep++) {
        noconv = 0;
        for (int i = 0; i < n; i++) {
            double ci = 0.0, ri = 0.0;
            for (int j = 0; j < n; j++)
                if (j != i) {
                    ci += fabs(T[j + i * n]) * w[j];
                    ri += fabs(T[i + j * n]) * v[j];
                }
            ci *= v[i], ri *= w[i];
            if (!(ci > 0.0 && ri > 0.0) || !isfinite(ci + ri))
                continue;
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

/* For n >= CHUNK_MINN the sweep's sums c_i = sum_{j != i} |t_ji| w_j and
 * r_i = sum_{j != i} |t_ij| v_j are formed four rows at a time (a row per
 * lane, each lane summing over j in order: the same rounding) from
 * P = |T| with a zero diagonal (the skipped term j = i becomes an exact +0
 * added to a sum >= +0) and its transpose, so that both operands are
 * contiguous. A lane's sums are used only while no earlier row of its group
 * changed in this sweep (a change at row i alters the term j = i of every
 * later row); after one, the rest of the group is summed row by row
 * (bal_sums1), in the same order. Before, one chain of n dependent additions
 * per row: balancing was 19% of the 16x16 exp at ||A||_1 = 1 by perf;
 * exp, m, s bit-identical on the 40000 random matrices; time 0.94-0.95 at
 * n = 16, ||A||_1 = 1, 0.96 at ||A||_1 = 30 (min of 5 alternating runs). */
INLINE void bal_sums1(int n, const double *P, const double *Pt, const double *v,
                      const double *w, int i, double *ci, double *ri)
{
    double c = 0.0, r = 0.0;
    for (int j = 0; j < n; j++) {
        c += Pt[i + j * n] * w[j];
        r += P[i + j * n] * v[j];
    }
    *ci = c, *ri = r;
}

INLINE int balance_lanes(int n, const double *T, int *e)
{
    double v[NMAX], w[NMAX], P[NN], Pt[NN];
    int changed = 0;
    for (int i = 0; i < n; i++)
        e[i] = 0, v[i] = w[i] = 1.0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            double a = i == j ? 0.0 : fabs(T[i + j * n]);
            P[i + j * n] = a;
            Pt[j + i * n] = a;
        }
    {
        /* The first sweep (all e_i = 0) changes row i only if its c_i, r_i
         * are both > 0 and finite and outside 1/2 <= c_i / r_i < 2. Those
         * sums are formed here branch-free (the same terms in the same
         * order), and when every row is inside, with a 2^-40 margin
         * besides, the sweep would change nothing: e = 0, the result for
         * most matrices (randn: 298 of 300 unchanged), without the sweep's
         * branches. Otherwise the sweeps run from the start. */
        double c[NMAX], r[NMAX];
        for (int i = 0; i < n; i++)
            c[i] = r[i] = 0.0;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                r[i] += P[i + j * n];
                c[j] += P[i + j * n];
            }
        int keep = 1;
        for (int i = 0; i < n; i++) {
            int act = c[i] > 0.0 && r[i] > 0.0 && isfinite(c[i] + r[i]);
            int in = c[i] >= 0x1.0000000001p-1 * r[i] && c[i] < 0x1.fffffffffcp0 * r[i];
            keep &= !act || in;
        }
        if (keep)
            return 0;
    }
    for (int sweep = 0, noconv = 1; noconv && sweep < EXPM_BAL_MAX_SWEEPS; sweep++) {
        noconv = 0;
        for (int g = 0; g < n; g += 4) {
            const int gn = n - g < 4 ? n - g : 4;
            v4d cs = {0.0, 0.0, 0.0, 0.0}, rs = {0.0, 0.0, 0.0, 0.0};
            if (gn == 4)
                for (int j = 0; j < n; j++) {
                    const v4d wj = {w[j], w[j], w[j], w[j]}, vj = {v[j], v[j], v[j], v[j]};
                    cs += v4_load(Pt + g + j * n) * wj;
                    rs += v4_load(P + g + j * n) * vj;
                }
            int stale = gn < 4;
            for (int k = 0; k < gn; k++) {
                const int i = g + k;
                double ci = cs[k], ri = rs[k];
                if (stale)
                    bal_sums1(n, P, Pt, v, w, i, &ci, &ri);
                ci *= v[i], ri *= w[i];
                if (bal_step(i, ci, ri, e, v, w))
                    noconv = changed = stale = 1;
            }
        }
    }
    return changed;
}

INLINE int balance(int n, const double *T, int *e)
{
    return n < CHUNK_MINN ? balance_plain(n, T, e) : balance_lanes(n, T, e);
}

INLINE void rowscale(int n, const int *e, double *M, double *B)
{
    int emin = e[0], emax = e[0];
    for (int i = 1; i < n; i++) {
        emin = e[i] < emin ? e[i] : emin;
        emax = e[i] > emax ? e[i] : emax;
    }
    if (emin == emax)
        return;
    int mid = emin + (emax - emin) / 2;
    double f[NMAX];
    for (int i = 0; i < n; i++) {
        double hm = 0.0, hb = 0.0;
        for (int j = 0; j < n; j++) {
            double a = fabs(M[i + j * n]), b = fabs(B[i + j * n]);
            hm = a > hm ? a : hm;
            hb = b > hb ? b : hb;
        }
        f[i] = expm_pow2i(mid - e[i]);   /* |mid - e_i| <= 400 */
        double a = hm * f[i], b = hb * f[i];
        if (!(a <= DBL_MAX && b <= DBL_MAX) || (hm != 0.0 && a < 0x1p-969) ||
            (hb != 0.0 && b < 0x1p-969))
            return;             /* see src/balance.c */
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            M[i + j * n] *= f[i];
            B[i + j * n] *= f[i];
        }
}

/* scaling.c's expm_square_step on the stack: W <- Y^2 with X = 2^e Y,
 * rescaling Y (in place, by 2^-k: then *ey = e + k, else e) only when the
 * product overflows, exponent absorbed back into W. Y stays (the hump
 * estimate may still read it); the caller swaps the buffers. */
INLINE void square_into(int n, double *restrict Y, double *restrict W, long *e, long *ey)
{
    mm(n, Y, Y, W);
    *ey = *e;
    if (!all_finite(n, W) && all_finite(n, Y)) {
        double nrm = norm1(n, Y);
        if (nrm > 0.0 && isfinite(nrm)) {
            int k;
            frexp(nrm, &k);
            scal(n, ldexp_fast(1.0, -k), Y);
            *e += k;
            *ey = *e;
        }
        mm(n, Y, Y, W);
    }
    *e = expm_exp_double(*e);
    if (*e > 0) {
        double nrm = norm1(n, W);
        if (nrm == 0.0) {
            *e = 0;
        } else {
            int k;
            frexp(nrm, &k);
            long d = ABSORB_LOG2 - k;
            if (d > *e)
                d = *e;
            *e -= d > 0 ? d : 0;
            while (d > 0) {   /* 2^d in factors <= 2^1000: d passes 1023 when ||W||_1 < 2^-23 */
                int c = d > 1000 ? 1000 : (int)d;
                scal(n, ldexp_fast(1.0, c), W);
                d -= c;
            }
        }
    }
}

/* pade.c's quasi_upper/structured (ld n copy): blk as there. */
INLINE int structured(int n, const double *T, size_t rs, size_t cs, int *blk)
{
    /* T(i,j) = T[i*rs + j*cs]: rs = 1, cs = lda for A; rs = lda, cs = 1 for
     * A^T (tested without forming it). */
    for (int j = 0; j < n; j++)
        for (int i = j + 2; i < n; i++)
            if (T[i * rs + j * cs] != 0.0)
                return 0;
    for (int k = 0; k < n;) {
        if (k + 1 < n && T[(k + 1) * rs + k * cs] != 0.0) {
            if (k + 2 < n && T[(k + 2) * rs + (k + 1) * cs] != 0.0)
                return 0;
            blk[k] = 2, blk[k + 1] = 0, k += 2;
        } else {
            blk[k] = 1, k += 1;
        }
    }
    return 1;
}

/* pade.c's fix_quasi: exact diagonal blocks of exp(2^-i T) and the (k,k+1)
 * entries between 1x1 blocks (AMH 2009 Code Fragment 2.1; Higham 2008
 * (10.42)), into Y with X = 2^e Y. */
static void fix_quasi(int n, const double *T, const int *blk, double *Y, long e, int i)
{
    double sc = ldexp_fast(1.0, -i);
    for (int k = 0; k < n; k++) {
        int kk = k + k * n;
        if (blk[k] == 1) {
            Y[kk] = expm_exp_scaled(sc * T[kk], e);
        } else if (blk[k] == 2 && k + 1 < n) { /* k + 1 < n always; said for GCC */
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
        double l1 = sc * T[k + k * n], l2 = sc * T[k + 1 + (k + 1) * n];
        double t12 = sc * T[k + (k + 1) * n];
        double lmax = l1 > l2 ? l1 : l2, d = fabs(l1 - l2);
        double g = d == 0.0 ? 1.0 : -expm1(-d) / d;
        Y[k + (k + 1) * n] = t12 * (expm_exp_scaled(lmax, e) * g);
    }
}

/* s of AMH 2009 Alg. 6.1 from eta5 (normA where eta5 is not finite), as
 * pade.c's select_ms. */
INLINE int s_from_eta(double eta5, double normA, double th13)
{
    if (!isfinite(eta5))
        eta5 = normA;
    if (!(eta5 > 0.0))
        return 0;
    double v = ceil(log2(eta5 / th13));
    return v > 0.0 ? (int)fmin(v, 1100.0) : 0; /* as pade.c: (int) of a huge double is UB */
}

/* One term of the hump estimate: l0 - l1 = log2(a 2^(ks + 2 ey)) -
 * log2(b 2^e) = D + log2(r), r = ma / mb in (1/2, 2) (mantissas from
 * frexp). Returns 1 when it is positive (D >= 1, or D = 0 and ma > mb; it
 * is then below D + 1); 0 also when a or b is 0 or not finite. */
INLINE int hump_term(double a, int ks, long ey, double b, long e, double *D, double *r)
{
    if (!(a > 0.0 && b > 0.0 && isfinite(a) && isfinite(b)))
        return 0;
    int ka, kb;
    double ma = frexp(a, &ka), mb = frexp(b, &kb);
    *D = (double)(ka - kb + ks) + 2.0 * (double)ey - (double)e;
    *r = ma / mb;
    return *D >= 1.0 || (*D == 0.0 && ma > mb);
}

/* The s + s0 squarings of core: Z <- Z^2 carried as 2^e Z, with the exact
 * diagonal fix-ups of quasi-triangular T (blk). Returns the hump estimate
 * of pade.c, the sum over squarings of the positive l0 - l1, l1 = log2
 * ||Z^2||, l0 = log2 || |Z|^2 || (two matrix-vector steps on the old Z,
 * kept by the buffer swap), or 0 when hump = 0. With hump = 1 a term is
 * first bounded by l0 <= 2 log2 ||Z|| (submultiplicative; no extra pass),
 * and the bound is used while the bounds used so far, each rounded up to
 * D + 1 (below), stay within HUMP_BOUND_BUDGET bits; past that l0 is
 * formed. The sum is then an upper bound of the estimate, by at most the
 * budget, and the caller redoes the squarings with hump = 2 when it passes
 * the switch (so a redo needs an estimate of at least 32 - 24 bits; graded
 * matrices, whose bounds are ~36 bits a squaring, form l0 at once). The
 * terms are kept as a product hx 2^hk of the ratios 2^(l0 - l1) > 1
 * (hump_term) with one log2 at the end (three log2 per squaring were 7% of
 * a 4x4 exp at ||A||_1 = 30). */
INLINE double squarings(int n, double *Z, long *e, int s, int s0, const int *blk,
                        const double *T0, int hump, long *products)
{
    double buf[NN], *cur = Z, *nxt = buf;
    double hx = 1.0, hk = 0.0, bcur = hump == 1 ? norm1(n, Z) : 0.0;
    double budget = HUMP_BOUND_BUDGET;
    for (int i = s - 1; i >= -s0; i--) {
        long e0 = *e, ey;
        square_into(n, cur, nxt, e, &ey), (*products)++;
        if (hump) {
            double b = norm1(n, nxt), r = 1.0, D = 0.0;
            int exact = hump == 2, pos = 0;
            if (hump == 1) {
                if (ey != e0)
                    bcur = norm1(n, cur);   /* cur was rescaled by 2^(e0 - ey) */
                int kz;
                double mz = bcur > 0.0 && isfinite(bcur) ? frexp(bcur, &kz) : 0.0;
                /* ||Z||^2 = mz^2 2^(2 kz) */
                pos = hump_term(mz * mz, mz > 0.0 ? 2 * kz : 0, ey, b, *e, &D, &r);
                if (pos && D + 1.0 > budget)
                    exact = 1;
                else if (pos)
                    budget -= D + 1.0;
            }
            if (exact) {
                int ks;
                double a = abs2_norm1(n, cur, &ks);
                pos = hump_term(a, ks, ey, b, *e, &D, &r);
            }
            if (pos) {
                hx *= r, hk += D;
                if (hx > 0x1p500 || hx < 0x1p-500) {
                    int k;
                    hx = frexp(hx, &k), hk += k;
                }
            }
            bcur = b;
        }
        double *t = cur;
        cur = nxt, nxt = t;
        if (blk)
            fix_quasi(n, T0, blk, cur, *e, i);
    }
    if (cur != Z)
        memcpy(Z, cur, sizeof(double) * n * n);
    return hx == 1.0 && hk == 0.0 ? 0.0 : hk + log2(hx);
}

/* The least s >= 0 with x^(1/k) <= theta 2^s, i.e. x <= theta^k 2^(ks),
 * tk = theta^k: with x / tk = f 2^E (frexp, f in [1/2, 1)), log2 lies in
 * (E - 1, E) or is E - 1 (f = 1/2), so the least integer ks above it is
 * E, or E - 1. Exact but for the rounding of x / tk (pow and log2, as in
 * s_from_eta, were 6% of a 4x4 exp at ||A||_1 = 30). -1: x not finite. */
INLINE int s_of_norm(double x, double tk, int k)
{
    double y = x / tk;
    if (!isfinite(y))
        return -1;
    if (!(y > 1.0))
        return 0;
    int E;
    if (frexp(y, &E) == 0.5)
        E -= 1;
    return (E + k - 1) / k;
}

/* expm_pade_core for fixed n: exp(T) = 2^e Z; blk as there (NULL: general). */
INLINE expm_status core(const int n, const double *A, int lda, const int *blk, double *Z,
                        long *e_out, double *hump_log2, expm_info_t *info)
{
    double T[NN], A2[NN], A4[NN], A6[NN], A8[NN], U[NN], V[NN], W[NN], T0[NN];
    long products = 0;
    expm_status st = EXPM_OK;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            T[i + j * n] = A[i + (size_t)j * lda];

    double normA = norm1(n, T);
    int s0 = 0;
    if (normA > ldexp_fast(1.0, PRESCALE_LOG2)) {
        frexp(normA, &s0);
        s0 -= PRESCALE_LOG2;
        scal(n, ldexp_fast(1.0, -s0), T);
        normA = norm1(n, T);
    }
    /* T0 is read only when blk is set; copied always (n^2, no branch), so
     * that the compiler can see it initialised. */
    memcpy(T0, T, sizeof(double) * n * n);

    /* select_ms of pade.c (exp thresholds theta_m, AMH 2009 Table 3.1) with
     * d_k = ||T^k||_1^(1/k) exact where pade.c estimates (dlacn2): at
     * n <= 16 the products T^4, T^6 (T^8, T^10) cost less than the
     * estimator's matrix-vector sweeps, and the estimate is a lower bound,
     * so m and s are those of pade.c or, where its estimate fell short,
     * the ones Alg. 6.1 takes with the true norms.
     * eta = max(d4, d6) <= theta is tested as ||T^4|| <= theta^4 and
     * ||T^6|| <= theta^6 (no pow(); the forms differ only within rounding
     * of theta^k), first with the submultiplicative bounds ||T^4|| <=
     * ||T^2||^2, ||T^6|| <= ||T^4|| ||T^2||, ||T^8|| <= ||T^4||^2: a bound
     * that passes decides as the exact norm would, and the power is only
     * formed when a bound fails or the Pade evaluation needs it. So small
     * norms cost pade.c's products (m = 3: T^2; m = 5: T^2, T^4). */
    int have4 = 0, have6 = 0, have8 = 0, m = 13, s = 0;
    abspow_t apT;
    abspow_init(n, T, &apT);
    mm(n, T, T, A2), products++;
    double n2 = norm1(n, A2), n4 = n2 * n2, n6 = n4 * n2, n8;
#define NEED4()                                                                 \
    do {                                                                        \
        if (!have4) {                                                           \
            mm(n, A2, A2, A4), products++, have4 = 1;                           \
            n4 = norm1(n, A4);                                                  \
            n6 = fmin(n6, n4 * n2);                                             \
        }                                                                       \
    } while (0)
#define NEED6()                                                                 \
    do {                                                                        \
        NEED4();                                                                \
        if (!have6) {                                                           \
            mm(n, A4, A2, A6), products++, have6 = 1;                           \
            n6 = norm1(n, A6);                                                  \
        }                                                                       \
    } while (0)
#define NEED8()                                                                 \
    do {                                                                        \
        NEED4();                                                                \
        if (!have8) {                                                           \
            mm(n, A4, A4, A8), products++, have8 = 1;                           \
            n8 = norm1(n, A8);                                                  \
        }                                                                       \
    } while (0)
    for (int mm_ = 3; mm_ <= 5 && s0 == 0; mm_ += 2) {
        double t4 = pow_int(pade_row(mm_)->theta, 4), t6 = pow_int(pade_row(mm_)->theta, 6);
        if (n4 > t4)
            NEED4();
        if (n4 > t4)
            continue;
        if (n6 > t6)
            NEED6();
        if (n6 <= t6 && ell(n, normA, 0, pade_row(mm_), &apT) == 0) {
            m = mm_;
            goto chosen;
        }
    }
    NEED6();                                    /* m >= 7 evaluates with T^6 */
    n8 = n4 * n4;
    for (int mm_ = 7; mm_ <= 9 && s0 == 0; mm_ += 2) {
        double t6 = pow_int(pade_row(mm_)->theta, 6), t8 = pow_int(pade_row(mm_)->theta, 8);
        if (n6 > t6)
            continue;
        if (n8 > t8)
            NEED8();
        if (n8 <= t8 && ell(n, normA, 0, pade_row(mm_), &apT) == 0) {
            m = mm_;
            goto chosen;
        }
    }
    {
        NEED8();                                /* exact ||T^8|| for eta3, eta5 */
        double th13 = pade_row(13)->theta;
        /* s = s(eta5), eta5 = min(eta3, max(d8, d10)), eta3 = max(d6, d8),
         * d_k = ||T^k||^(1/k); s(.) is monotone, so s(eta5) = min(max(s6,
         * s8), max(s8, s10)) with s_k = s(d_k) from s_of_norm (no pow).
         * d10 lies in [0, d10b], d10b from ||T^8|| ||T^2|| (of the computed
         * T^8 and T^2, whose computed product T^10 has a 1-norm at most
         * (1 + n u) times that; 2^-30 covers it), so s lies between s8
         * (d10 = 0) and the s of d10b. When both ends agree, that is the s
         * of the exact d10 and the product T^10 is not formed: same (m, s),
         * one product fewer at ||A||_1 = 30 (n = 4..16: 10 -> 9). */
        double t8 = pow_int(th13, 8), t10 = pow_int(th13, 10);
        int s6 = s_of_norm(n6, pow_int(th13, 6), 6), s8 = s_of_norm(n8, t8, 8);
        int s3 = s6 > s8 ? s6 : s8;
        int s10 = s_of_norm(n8 * n2 * (1.0 + 0x1p-30), t10, 10);
        if (s6 < 0 || s8 < 0 || s10 < 0) {
            /* ||T^k|| not finite (cannot happen for ||T||_1 <= 2^100):
             * as pade.c, from ||T||_1. */
            s = s_from_eta(INFINITY, normA, th13);
        } else if ((s10 > s8 ? (s10 < s3 ? s10 : s3) : s8) == s8) {
            s = s8;                             /* s of d10 = 0 and of d10b agree */
        } else {
            mm(n, A8, A2, U), products++;       /* T^10, U free until the Pade step */
            s10 = s_of_norm(norm1(n, U), t10, 10);
            int s5 = s10 > s8 ? s10 : s8;
            s = s5 < s3 ? s5 : s3;
            if (s10 < 0)
                s = s_from_eta(INFINITY, normA, th13);
        }
        s += ell(n, normA, s, pade_row(13), &apT);
    }
chosen:
    /* The powers the evaluation of r_m uses (m >= 5: T^4; m >= 7: T^6;
     * m = 9: T^8), formed now if the bounds made them unnecessary so far. */
    if (m >= 5)
        NEED4();
    if (m >= 7)
        NEED6();
    if (m == 9)
        NEED8();
#undef NEED4
#undef NEED6
#undef NEED8
    if (s > 0) {
        scal(n, ldexp_fast(1.0, -s), T);
        scal(n, ldexp_fast(1.0, -2 * s), A2);
        if (have4)
            scal(n, ldexp_fast(1.0, -4 * s), A4);
        if (have6)
            scal(n, ldexp_fast(1.0, -6 * s), A6);
        if (have8)
            scal(n, ldexp_fast(1.0, -8 * s), A8);
    }

    const double *b = pade_row(m)->b;
    if (m == 13) {
        double cW1[4] = {b[13], b[11], b[9], 0}, cW2[4] = {b[7], b[5], b[3], 0};
        double cZ1[4] = {b[12], b[10], b[8], 0}, cZ2[4] = {b[6], b[4], b[2], 0};
        double *P[4] = {A6, A4, A2, NULL};
        comb(n, Z, 0.0, cW1, P);                 /* W1 */
        comb(n, U, b[1], cW2, P);                /* W2 */
        mm(n, A6, Z, W), products++;
        for (int k = 0; k < n * n; k++)
            W[k] += U[k];                        /* W = A6 W1 + W2 */
        mm(n, T, W, U), products++;              /* U = A W */
        comb(n, Z, 0.0, cZ1, P);                 /* Z1 */
        comb(n, W, b[0], cZ2, P);                /* Z2 */
        mm(n, A6, Z, V), products++;
        for (int k = 0; k < n * n; k++)
            V[k] += W[k];                        /* V = A6 Z1 + Z2 */
    } else {
        /* Powers highest first (see comb). */
        double *pw[5] = {NULL, A2, A4, A6, A8}, *P[4] = {NULL}, cu[4] = {0}, cv[4] = {0};
        for (int k = (m - 1) / 2, t = 0; k >= 1; k--, t++)
            P[t] = pw[k], cu[t] = b[2 * k + 1], cv[t] = b[2 * k];
        comb(n, W, b[1], cu, P);
        mm(n, T, W, U), products++;
        comb(n, V, b[0], cv, P);
    }
    /* r_m = I + 2 (V - U) \ U, as pade.c (S2 in ALGORITHMS.md §1). */
    for (int k = 0; k < n * n; k++) {
        W[k] = V[k] - U[k];
        Z[k] = U[k];
    }
    {
        /* Pivots from the balanced Q, as pade.c (see there). */
        int ex[NMAX];
        if (balance(n, T, ex))
            rowscale(n, ex, W, Z);
    }
    if (lu_solve(n, W, Z) != 0) {
        expm_info_msg(info, "Pade denominator q_%d(2^-%d A) is singular", m, s);
        st = EXPM_ESINGULAR;
        goto out;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            Z[i + j * n] = 2.0 * Z[i + j * n] + (i == j ? 1.0 : 0.0);

    /* Squarings with the hump estimate of pade.c (see squarings): first
     * with its upper bound, which costs nothing; only when that exceeds
     * the switch are they redone from the saved 2^-s result with the
     * estimate itself (same Z: the same operations). Quasi-triangular T
     * never switches and needs neither. */
    long e = 0;
    if (blk) {
        fix_quasi(n, T0, blk, Z, e, s);
        squarings(n, Z, &e, s, s0, blk, T0, 0, &products);
        *hump_log2 = 0.0;
    } else {
        double Zs[NN];
        memcpy(Zs, Z, sizeof(double) * n * n);
        double h = squarings(n, Z, &e, s, s0, NULL, NULL, 1, &products);
        if (h > HUMP_SWITCH_LOG2) {
            memcpy(Z, Zs, sizeof(double) * n * n);
            e = 0;
            h = squarings(n, Z, &e, s, s0, NULL, NULL, 2, &products);
        }
        *hump_log2 = h;
    }
    *e_out = e;
out:
    if (info) {
        info->m = m;
        info->s = s + s0;
        info->products = products;
        info->solves = 1;
    }
    return st;
}

/* On x86-64 with GCC, core_n is also compiled for AVX2 and picked at load
 * time (ifunc): 4-wide vectors for the n-by-n loops. Results do not depend
 * on the clone: -std=c11 implies -ffp-contract=off (no FMA contraction) and
 * the vectoriser does not reassociate, so every entry sees the same
 * operations in the same order. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__) && \
    !defined(SMALL_SANITIZED)
__attribute__((target_clones("avx2", "default")))
#endif
static expm_status core_n(int n, const double *A, int lda, const int *blk, double *Z, long *e,
                          double *hump, expm_info_t *info)
{
    switch (n) {
    case 1: return core(1, A, lda, blk, Z, e, hump, info);
    case 2: return core(2, A, lda, blk, Z, e, hump, info);
    case 3: return core(3, A, lda, blk, Z, e, hump, info);
    case 4: return core(4, A, lda, blk, Z, e, hump, info);
    case 5: return core(5, A, lda, blk, Z, e, hump, info);
    case 6: return core(6, A, lda, blk, Z, e, hump, info);
    case 7: return core(7, A, lda, blk, Z, e, hump, info);
    case 8: return core(8, A, lda, blk, Z, e, hump, info);
    case 9: return core(9, A, lda, blk, Z, e, hump, info);
    case 10: return core(10, A, lda, blk, Z, e, hump, info);
    case 11: return core(11, A, lda, blk, Z, e, hump, info);
    case 12: return core(12, A, lda, blk, Z, e, hump, info);
    case 13: return core(13, A, lda, blk, Z, e, hump, info);
    case 14: return core(14, A, lda, blk, Z, e, hump, info);
    case 15: return core(15, A, lda, blk, Z, e, hump, info);
    default: return core(16, A, lda, blk, Z, e, hump, info);
    }
}

expm_status expm_pade_small_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    if (n > NMAX)
        return expm_pade_exp(n, A, lda, X, ldx, info);
    if (n == 2)
        return expm_exp2x2(A, lda, X, ldx, info);
    return expm_pade_small_run(n, A, lda, X, ldx, info);
}

expm_status expm_pade_small_run(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info)
{
    expm_status st;
    double Z[NN], W[NN];
    int blk[NMAX];
    /* exp(A^T) = exp(A)^T: quasi-lower triangular A gets the structured path. */
    int transposed = 0, quasi = structured(n, A, 1, (size_t)lda, blk);
    if (!quasi && structured(n, A, (size_t)lda, 1, blk)) {
        quasi = transposed = 1;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                W[j + i * n] = A[i + (size_t)j * lda];
    }
    long e = 0;
    double hump = 0.0;
    st = core_n(n, transposed ? W : A, transposed ? n : lda, quasi ? blk : NULL, Z, &e, &hump,
                info);
    if (st == EXPM_OK && !quasi && hump > HUMP_SWITCH_LOG2 && !expm_is_nearly_normal(n, A, lda)) {
        /* As pade.c: the squarings amplified rounding errors; the Schur
         * path keeps the diagonal blocks exact in every squaring. */
        expm_info_t si;
        expm_status ss = expm_pade_schur_exp(n, A, lda, X, ldx, info ? &si : NULL);
        if (ss == EXPM_OK || ss == EXPM_EOVERFLOW) {
            if (info) {
                *info = si;
                info->warnings |= EXPM_WARN_SCHUR;
            }
            return ss;
        }
    }
    if (st == EXPM_OK) {
        if (transposed) {
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                    W[j + i * n] = Z[i + j * n];
            memcpy(Z, W, sizeof(double) * n * n);
        }
        if (e == 0 && all_finite(n, Z)) {
            /* expm_unscale_result with e = 0 (the common case), without its
             * ldexp per entry: same X, log10_norm and underflow warning. */
            /* One pass: the copy, the subnormal test (no branches: `&`, not
             * `&&`; the branches mispredicted, 2-3% of a 4x4 batch matrix)
             * and the column sums of ||Z||_1 (row order; for log10_norm only). */
            int lost = 0;
            double nrm = 0.0;
            for (int j = 0; j < n; j++) {
                double c = 0.0;
                for (int i = 0; i < n; i++) {
                    double z = Z[i + j * n];
                    lost |= (z != 0.0) & (fabs(z) < DBL_MIN);
                    c += fabs(z);
                    X[i + (size_t)j * ldx] = z;
                }
                nrm = c > nrm ? c : nrm;   /* Z is finite here */
            }
            if (info) {
                /* log2 scaled: within an ulp or two of log10, at
                 * 2/3 of its cost (glibc; 4.6% of a 4x4 batch matrix) */
                info->log10_norm = nrm > 0.0 ? log2(nrm) * EXPM_LOG10_2 : -INFINITY;
                if (lost)
                    info->warnings |= EXPM_WARN_UNDERFLOW;
            }
            if (quasi)
                expm_flag_flushed_diagonal(n, blk, X, ldx, info);
            return EXPM_OK;
        }
        st = expm_unscale_result(n, n, Z, n, e, X, ldx, "exp(A)", info);
        st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
        if (st == EXPM_OK && quasi)
            expm_flag_flushed_diagonal(n, blk, X, ldx, info);
    }
    return st;
}
