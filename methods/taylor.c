/*
 * taylor.c -- Taylor scaling and squaring with the optimised polynomial
 * evaluations of Bader, Blanes & Casas, "Computing the matrix exponential
 * with an optimized Taylor polynomial approximation", Mathematics 7(12):1174,
 * 2019 (BBC), as in PyTorch's mexp (ALGORITHMS.md §3, with the x7 fix).
 *
 * exp(A): T_m(2^-s A)^(2^s), m in {1,2,4,8,12,18}, evaluated with
 * 0,1,2,3,4,5 products. Each scheme is the full truncated Taylor series of
 * degree m (tests/test_taylor.c checks the coefficients are 1/k!, k <= m),
 * so the backward error is h_{m+1}(2^-s A) with h_{m+1}(x) = log(e^-x T_m(x))
 * = -x^{m+1}/(m+1)! + O(x^{m+2}); BBC's theta_m bound it by u ||A||.
 *
 * Choice of m and s: BBC (and mexp) use ||A||_1. Here, as AMH 2009a do for
 * Pade, alpha_p = max(d_p, d_{p+1}), d_k = ||A^k||^(1/k), replaces ||A||_1:
 * by Al-Mohy & Higham, SIMAX 31(3):970-989, 2009, Theorem 4.2(a), for a
 * power series h with zeros up to x^l, ||h(A)|| <= h~(alpha_p(A)) for every
 * p with l >= p(p-1) (h~ has the absolute values of h's coefficients).
 * Here l = m+1, so p <= 2 for m <= 4, p <= 3 for m = 8 and p <= 4 for
 * m = 12, 18; we use p <= 3 resp. p <= 4 (d_2 exact from A^2, d_3 exact from
 * A^3 once T12/T18 need it; d_4, d_5 by the 1-norm estimator, as AMH do:
 * an estimate, usually within a factor 3, not a bound). Since h~(x)/x is
 * increasing and alpha_p <= ||A||, ||dA||/||A|| <= h~(alpha_p)/alpha_p <= u
 * whenever alpha_p <= theta_m: the same theta_m apply, and non-normal
 * matrices are not overscaled. As AMH's ell(A,m) (§5 there), extra
 * squarings are added when the leading term with |A|, ||A^{m+1}|| <=
 * || |A|^{m+1} ||, says the bound is optimistic for the rounding-affected
 * evaluation: ell = max(0, ceil(log2(|| |A|^{m+1} || / ((m+1)! ||A|| u)) / m)).
 *
 * L(A,E): the evaluation scheme itself is differentiated (forward mode,
 * d(PQ) = dP Q + P dQ through each product), then the squaring recurrence
 * L <- R L + L R, R <- R^2. So L is the exact derivative of the computed
 * map up to rounding. The backward error of L is L_h(A,E) (AMH, SIMAX
 * 30(4):1639-1657, 2009, §3); its leading term is
 * (1/(m+1)!) sum_{j=0}^{m} A^j E A^{m-j}, which powers of A cannot bound
 * (nilpotent A), so for L the squarings are also raised until
 * (1/(m+1)!) sum_j || |A|^j || || |A|^{m-j} || <= u (each halving of A
 * divides it by 2^m), as pade.c does for Alg. 6.4.
 *
 * The direction is scaled as 2^-(s+s0) E through the exponent of L (L is
 * linear in E), so E is never flushed to zero however many squarings; the
 * squaring stops once an exponent passes 2^(+-40) (far outside double;
 * doubling further would overflow the long).
 *
 * Where it fails: strongly non-normal A of large norm, where the many
 * squarings amplify rounding and there is no triangular fix-up (unlike
 * pade.c). Measured on the test set: phi <= 35 everywhere, but relative
 * errors 4e-4 (O13), 2e-7 (D14) where pade has 3e-7, 2e-16; on
 * [[-1, 1e300], [0, -1]] 2^-897 A loses the diagonal against 1 and the
 * result has relative error ~2 (kappa ~1e300), and L(A,E) is reported
 * non-finite (EXPM_ENONFINITE).
 */
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "methods.h"
#include "taylor_table.h"

#define U_DOUBLE 0x1p-53
#define EXP_LIMIT (1L << 40)
#define PRESCALE_LOG2 100 /* as pade.c: ||A||_1 <= 2^100 keeps ||A^4|| finite */

/* A matrix and (Frechet only) its derivative in direction E. */
typedef struct {
    double *v, *d;
} dual_t;

typedef struct {
    int n;
    int frechet;
    long products;
} ctx_t;

/* C = P Q, dC = dP Q + P dQ. C may not alias P or Q. */
static void dmul(ctx_t *c, dual_t C, dual_t P, dual_t Q)
{
    int n = c->n;
    expm_dgemm(n, 'N', 'N', 1.0, P.v, n, Q.v, n, 0.0, C.v, n), c->products++;
    if (c->frechet) {
        expm_dgemm(n, 'N', 'N', 1.0, P.d, n, Q.v, n, 0.0, C.d, n), c->products++;
        expm_dgemm(n, 'N', 'N', 1.0, P.v, n, Q.d, n, 1.0, C.d, n), c->products++;
    }
}

/* Y = cI I + sum_k c[k] B[k] (k < nb, B[k].v NULL or c[k] == 0 skipped);
 * dY = sum_k c[k] dB[k]. acc != 0 adds to Y instead. */
static void dlin(ctx_t *c, dual_t Y, double cI, const double *cf, const dual_t *B, int nb,
                 int acc)
{
    int n = c->n;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            size_t ij = i + (size_t)j * n;
            double y = acc ? Y.v[ij] : 0.0, dy = (acc && c->frechet) ? Y.d[ij] : 0.0;
            if (i == j)
                y += cI;
            for (int k = 0; k < nb; k++)
                if (cf[k] != 0.0) {
                    y += cf[k] * B[k].v[ij];
                    if (c->frechet)
                        dy += cf[k] * B[k].d[ij];
                }
            Y.v[ij] = y;
            if (c->frechet)
                Y.d[ij] = dy;
        }
}

/* Workspace: 2 matrices per dual slot. */
enum { S_A, S_A2, S_A3, S_A6, S_B0, S_B1, S_B2, S_B3, S_B4, S_T, S_X, NSLOT };

/* X = T_m(A) (and dX), A = slot S_A; A2 (bit 1 of have_pow) and A3 (bit 2)
 * may already be in their slots (their derivatives are formed here). */
static void eval_taylor(ctx_t *c, int m, dual_t *S, int have_pow)
{
    int n = c->n;
    dual_t A = S[S_A], A2 = S[S_A2], A3 = S[S_A3], X = S[S_X];
    if (m >= 2) {
        if (!(have_pow & 1))
            expm_dgemm(n, 'N', 'N', 1.0, A.v, n, A.v, n, 0.0, A2.v, n), c->products++;
        if (c->frechet) { /* dA2 = E A + A E */
            expm_dgemm(n, 'N', 'N', 1.0, A.d, n, A.v, n, 0.0, A2.d, n), c->products++;
            expm_dgemm(n, 'N', 'N', 1.0, A.v, n, A.d, n, 1.0, A2.d, n), c->products++;
        }
    }
    if (m >= 12) {
        if (!(have_pow & 2))
            expm_dgemm(n, 'N', 'N', 1.0, A.v, n, A2.v, n, 0.0, A3.v, n), c->products++;
        if (c->frechet) { /* dA3 = E A2 + A dA2 */
            expm_dgemm(n, 'N', 'N', 1.0, A.d, n, A2.v, n, 0.0, A3.d, n), c->products++;
            expm_dgemm(n, 'N', 'N', 1.0, A.v, n, A2.d, n, 1.0, A3.d, n), c->products++;
        }
    }
    switch (m) {
    case 1: {
        const double cf[1] = {1};
        dlin(c, X, 1.0, cf, &A, 1, 0);
        break;
    }
    case 2: {
        const double cf[2] = {1, 0.5};
        dual_t B[2] = {A, A2};
        dlin(c, X, 1.0, cf, B, 2, 0);
        break;
    }
    case 4: { /* I + A + A2 (I/2 + A/6 + A2/24) */
        const double cy[2] = {1.0 / 6, 1.0 / 24}, cx[1] = {1};
        dual_t B[2] = {A, A2}, Y = S[S_B0];
        dlin(c, Y, 0.5, cy, B, 2, 0);
        dmul(c, X, A2, Y);
        dlin(c, X, 1.0, cx, &A, 1, 1);
        break;
    }
    case 8: {
        double x[8], y2;
        taylor_t8_coefs(x, &y2);
        dual_t P = S[S_B0], A4 = S[S_A6], Q = S[S_B1], R = S[S_B2];
        dual_t B2[2] = {A, A2};
        const double cp[2] = {x[1], x[2]};
        dlin(c, P, 0.0, cp, B2, 2, 0);
        dmul(c, A4, A2, P);                          /* A4 = A2 (x1 A + x2 A2) */
        dual_t B3[3] = {A, A2, A4};
        const double cq[3] = {0, x[3], 1}, cr[3] = {x[5], x[6], x[7]};
        dlin(c, Q, 0.0, cq, B3, 3, 0);               /* x3 A2 + A4 */
        dlin(c, R, x[4], cr, B3, 3, 0);              /* x4 I + x5 A + x6 A2 + x7 A4 */
        dmul(c, X, Q, R);                            /* A8 */
        const double cx[2] = {1, y2};
        dlin(c, X, 1.0, cx, B2, 2, 1);               /* T8 = I + A + y2 A2 + A8 */
        break;
    }
    case 12: {
        dual_t B[3] = {A, A2, A3};
        for (int i = 0; i < 4; i++)
            dlin(c, S[S_B0 + i], TAYLOR_T12B[i][0], &TAYLOR_T12B[i][1], B, 3, 0);
        dmul(c, S[S_A6], S[S_B3], S[S_B3]);          /* A6 = B3 B3 */
        const double one[1] = {1};
        dlin(c, S[S_B2], 0.0, one, &S[S_A6], 1, 1);  /* B2 += A6 */
        dlin(c, S[S_B1], 0.0, one, &S[S_B2], 1, 1);  /* B1 + B2 */
        dmul(c, X, S[S_B1], S[S_B2]);
        dlin(c, X, 0.0, one, &S[S_B0], 1, 1);        /* T12 = B0 + (B1 + B2) B2 */
        break;
    }
    default: { /* 18 */
        dmul(c, S[S_A6], A3, A3);                    /* A6 = A3 A3 */
        dual_t B[4] = {A, A2, A3, S[S_A6]};
        for (int i = 0; i < 5; i++)
            dlin(c, S[S_B0 + i], TAYLOR_T18B[i][0], &TAYLOR_T18B[i][1], B, 4, 0);
        const double one[1] = {1};
        dmul(c, S[S_T], S[S_B0], S[S_B4]);
        dlin(c, S[S_T], 0.0, one, &S[S_B3], 1, 1);   /* A9 = B0 B4 + B3 */
        dlin(c, S[S_B2], 0.0, one, &S[S_T], 1, 1);   /* B2 + A9 */
        dmul(c, X, S[S_B2], S[S_T]);
        dlin(c, X, 0.0, one, &S[S_B1], 1, 1);        /* T18 = B1 + (B2 + A9) A9 */
        break;
    }
    }
}

/* log2(k!) (lgamma is avoided: it sets the global signgam). */
static double log2_fact(int k)
{
    double r = 0.0;
    for (int i = 2; i <= k; i++)
        r += log2((double)i);
    return r;
}

/* ell(A,m) of AMH 2009a §5 for T_m: extra squarings until the leading
 * backward-error term with |A|, || |A|^{m+1} || / ((m+1)! ||A||), is <= u. */
static int ell_exp(int n, const double *A, double normA, int m, double *work)
{
    double l2 = expm_dlog2norm1_abspow(n, A, n, m + 1, work);
    if (l2 == -INFINITY || normA == 0.0)
        return 0;
    double log2_alpha = l2 - log2(normA) - log2_fact(m + 1);
    double v = ceil((log2_alpha - log2(U_DOUBLE)) / m);
    if (!(v > 0.0))
        return 0;
    return v > 2000.0 ? 2000 : (int)v;
}

/* Squarings needed so that (1/(m+1)!) sum_{j=0}^{m} || |A|^j || || |A|^{m-j} ||
 * <= u (the leading term of the Frechet backward error bound, see the file
 * comment); the norms are exact from ones-vector iterations, renormalised. */
static int ell_frechet(int n, const double *A, int m, double *work)
{
    double l2[19]; /* m <= 18 */
    expm_dlog2norm1_abspows(n, A, n, m, l2, work);
    return expm_ell_frechet_l2(l2, m, -log2_fact(m + 1));
}

static int ell_both(int n, const double *A, double normA, int m, int frechet, double *work)
{
    int l = ell_exp(n, A, normA, m, work);
    if (frechet) {
        int lf = ell_frechet(n, A, m, work);
        l = lf > l ? lf : l;
    }
    return l;
}

/* Choose the degree index and s for T (already pre-scaled by 2^-s0).
 * Returns bit 1 when A^2 (slot S_A2), bit 2 when A^3 (S_A3) was formed. */
static int select_ms(ctx_t *c, dual_t *S, double normA, int s0, double *work, double *Z,
                     int *mi_out, int *s_out)
{
    int n = c->n;
    const double *T = S[S_A].v;
    if (s0 == 0)
        for (int i = 0; i < 3; i++)
            /* ||A||_1 <= theta_m: also ell = 0, since || |A|^{m+1} || <=
             * ||A||^{m+1} and theta_m^m/(m+1)! ~ u. */
            if (normA <= TAYLOR_THETA[i]) {
                *mi_out = i;
                *s_out = 0;
                return 0;
            }
    /* A^2 always; A^3 only once T8 is ruled out (T8 itself needs 3
     * products and no A^3): until then d_3 is estimated. */
    double *A2 = S[S_A2].v, *A3 = S[S_A3].v;
    expm_dgemm(n, 'N', 'N', 1.0, T, n, T, n, 0.0, A2, n), c->products++;
    double d2 = sqrt(expm_dnorm1(n, n, A2, n));
    double d3 = cbrt(expm_dnormest1_pow(n, T, n, 3));
    double d4 = pow(expm_dnormest1_pow(n, A2, n, 2), 0.25);
    /* alpha_1 = ||A|| (d_2 <= d_1), alpha_2, alpha_3 (p <= 3: m = 8). */
    double eta3 = fmin(normA, fmin(fmax(d2, d3), fmax(d3, d4)));
    if (!isfinite(eta3) || eta3 < 0.0)
        eta3 = normA;
    if (s0 == 0 && eta3 <= TAYLOR_THETA[3] &&
        ell_both(n, T, normA, TAYLOR_DEG[3], c->frechet, work) == 0) {
        *mi_out = 3;
        *s_out = 0;
        return 1;
    }
    expm_dgemm(n, 'N', 'N', 1.0, T, n, A2, n, 0.0, A3, n), c->products++;
    d3 = cbrt(expm_dnorm1(n, n, A3, n));
    double d5 = pow(expm_dnormest1_pow(n, T, n, 5), 0.2);
    /* alpha_2..alpha_4 (p <= 4: m = 12, 18), d_3 now exact. */
    double eta4 = fmin(normA, fmin(fmin(fmax(d2, d3), fmax(d3, d4)), fmax(d4, d5)));
    if (!isfinite(eta4) || eta4 < 0.0)
        eta4 = eta3;
    if (s0 == 0 && eta4 <= TAYLOR_THETA[4] &&
        ell_both(n, T, normA, TAYLOR_DEG[4], c->frechet, work) == 0) {
        *mi_out = 4;
        *s_out = 0;
        return 3;
    }
    int s = 0;
    double eta = eta4;
    if (eta > TAYLOR_THETA[5]) {
        double v = ceil(log2(eta / TAYLOR_THETA[5]));
        s = v > 0.0 ? (int)fmin(v, 1100.0) : 0; /* (int) of a huge double is undefined */
    }
    expm_dcopy(n, n, T, n, Z, n);
    expm_dscal(n, n, ldexp(1.0, -s), Z, n);
    s += ell_both(n, Z, ldexp(normA, -s), 18, c->frechet, work);
    *mi_out = 5;
    *s_out = s;
    return 3;
}

/* Shared driver: X = exp(A) (and L = L(A,E) when E != NULL). */
static expm_status taylor_run(int n, const double *A, int lda, const double *E, int lde,
                              double *L, int ldl, double *X, int ldx, expm_info_t *info)
{
    int frechet = E != NULL;
    int nslot = frechet ? 2 * NSLOT + 2 : NSLOT + 2;
    double *ws = expm_dalloc(n, nslot);
    double *work = malloc((size_t)2 * n * sizeof(double));
    if (!ws || !work) {
        free(ws); free(work);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    dual_t S[NSLOT];
    for (int k = 0; k < NSLOT; k++) {
        S[k].v = ws + k * nn;
        S[k].d = frechet ? ws + (NSLOT + k) * nn : NULL;
    }
    double *W = ws + (nslot - 2) * nn, *Z = ws + (nslot - 1) * nn;
    ctx_t c = {n, frechet, 0};

    double *T = S[S_A].v;
    expm_dcopy(n, n, A, lda, T, n);
    double normA = expm_dnorm1(n, n, T, n);
    int s0 = 0, sinf = 0;
    if (!isfinite(normA)) {
        /* Finite entries near DBL_MAX can still sum to ||A||_1 = Inf:
         * scale by 2^-64 first (exact; n < 2^63 keeps the norm finite). */
        sinf = 64;
        expm_dscal(n, n, ldexp(1.0, -sinf), T, n);
        normA = expm_dnorm1(n, n, T, n);
    }
    if (normA > ldexp(1.0, PRESCALE_LOG2)) {
        frexp(normA, &s0);
        s0 -= PRESCALE_LOG2;
        expm_dscal(n, n, ldexp(1.0, -s0), T, n);
        normA = expm_dnorm1(n, n, T, n);
    }
    s0 += sinf;
    int mi, s;
    int have = select_ms(&c, S, normA, s0, work, Z, &mi, &s);
    int m = TAYLOR_DEG[mi];
    if (s > 0) { /* exact power-of-two scaling of A, A2, A3 */
        expm_dscal(n, n, ldexp(1.0, -s), T, n);
        if (have & 1)
            expm_dscal(n, n, ldexp(1.0, -2 * s), S[S_A2].v, n);
        if (have & 2)
            expm_dscal(n, n, ldexp(1.0, -3 * s), S[S_A3].v, n);
    }
    /* The direction is 2^-(s+s0) E; as L is linear in E the factor is kept
     * as the exponent of L (L = 2^eL L'), so a tiny factor cannot flush E
     * to zero (||A||_1 ~ 1e308 needs ~1000 squarings). */
    long eR = 0, eL = -(long)(s + s0);
    if (frechet)
        expm_dcopy(n, n, E, lde, S[S_A].d, n);
    eval_taylor(&c, m, S, have);

    /* Squaring phase (scaling.c: no spurious overflow). */
    double *R = S[S_X].v, *LL = S[S_X].d;
    double hump = 0.0; /* pade.c's hump estimate, for EXPM_WARN_HUMP */
    for (int k = 0; k < s + s0; k++) {
        /* Beyond 2^(+-2^40) the result is far outside double (R ~ exp of
         * a matrix is invertible, so squaring cannot bring it back); stop
         * before doubling the long exponents overflows them. The unscaling
         * below then reports overflow (or flushes to 0 with a warning). */
        if (labs(eR) > EXP_LIMIT || labs(eL) > EXP_LIMIT)
            break;
        if (frechet)
            expm_sym_step(n, R, n, &eR, LL, n, &eL, W), c.products += 2;
        double l0 = expm_dlog2norm1_abspow(n, R, n, 2, work) + 2.0 * (double)eR;
        expm_square_step(n, R, n, &eR, W), c.products++;
        double l1 = log2(expm_dnorm1(n, n, R, n)) + (double)eR;
        if (isfinite(l0) && isfinite(l1) && l0 > l1)
            hump += l0 - l1;
    }
    expm_status st;
    if (frechet) {
        st = expm_unscale_result(n, n, LL, n, eL, Z, n, "L(A,E)", info);
        double lE = EXPM_LOG10_2 * expm_dlog2norm1(n, n, E, lde);
        st = expm_overflow_verdict(st, n, A, lda, lE, "L(A,E)", info);
        st = expm_hump_overflow(st, n, A, lda, hump, lE, "L(A,E)", info);
        if (st == EXPM_OK && X) {
            double log10L = info ? info->log10_norm : 0.0;
            st = expm_unscale_result(n, n, R, n, eR, X, ldx, "exp(A)", info);
            st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
            st = expm_hump_overflow(st, n, A, lda, hump, 0.0, "exp(A)", info);
            if (info && st == EXPM_OK)
                info->log10_norm = log10L;
        }
        if (st == EXPM_OK)
            expm_dcopy(n, n, Z, n, L, ldl);
    } else {
        st = expm_unscale_result(n, n, R, n, eR, X, ldx, "exp(A)", info);
        st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
        st = expm_hump_overflow(st, n, A, lda, hump, 0.0, "exp(A)", info);
    }
    if (info) {
        info->m = m;
        info->s = s + s0;
        info->products = c.products;
        info->solves = 0;
    }
    if (hump <= EXPM_HUMP_LOG2 || !expm_is_nearly_normal(n, A, lda))
        st = expm_hump_warning(st, hump, info);
    free(ws); free(work);
    return st;
}

expm_status expm_taylor_exp(int n, const double *A, int lda, double *X, int ldx,
                            expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    return taylor_run(n, A, lda, NULL, 0, NULL, 0, X, ldx, info);
}

expm_status expm_taylor_frechet(int n, const double *A, int lda, const double *E, int lde,
                                double *L, int ldl, double *X, int ldx, expm_info_t *info)
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
    return taylor_run(n, A, lda, E, lde, L, ldl, X, ldx, info);
}
