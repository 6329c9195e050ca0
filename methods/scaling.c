/* scaling.c -- squaring phase shared by the scaling-and-squaring methods:
 * matrices carried as 2^e * Y so that no squaring overflows spuriously. */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "methods.h"

#define LN2 0.69314718055994530942
#define ABSORB_LOG2 1000 /* fold the exponent back while ||Y||_1 <= 2^1000 */

/* Exponents saturate at +-EXPM_EXP_CAP (methods.h): a result of size
 * 2^(2^40) is an overflow whatever its exact exponent, and doubling past
 * the cap would overflow a long (undefined behaviour, found by the fuzzer). */
long expm_exp_double(long e)
{
    return e >= EXPM_EXP_CAP ? EXPM_EXP_CAP : (e <= -EXPM_EXP_CAP ? -EXPM_EXP_CAP : 2 * e);
}

long expm_exp_add(long a, long b)
{
    long c = (a > EXPM_EXP_CAP ? EXPM_EXP_CAP : (a < -EXPM_EXP_CAP ? -EXPM_EXP_CAP : a)) +
             (b > EXPM_EXP_CAP ? EXPM_EXP_CAP : (b < -EXPM_EXP_CAP ? -EXPM_EXP_CAP : b));
    return c > EXPM_EXP_CAP ? EXPM_EXP_CAP : (c < -EXPM_EXP_CAP ? -EXPM_EXP_CAP : c);
}

void expm_flag_flushed_diagonal(int n, const int *blk, const double *X, int ldx,
                                expm_info_t *info)
{
    if (!info || !blk)
        return;
    for (int k = 0; k < n; k++)
        if (blk[k] == 1 && X[k + (size_t)k * ldx] == 0.0) {
            info->warnings |= EXPM_WARN_UNDERFLOW;
            return;
        }
}

void expm_flag_zero_column(int n, const double *X, int ldx, expm_info_t *info)
{
    if (!info || (info->warnings & EXPM_WARN_UNDERFLOW))
        return;
    for (int j = 0; j < n; j++) {
        const double *x = X + (size_t)j * ldx;
        int i = 0;
        while (i < n && x[i] == 0.0)
            i++;
        if (i == n) {
            info->warnings |= EXPM_WARN_UNDERFLOW;
            return;
        }
    }
}

const char *expm_pow10_str(double l10, char *buf, int len)
{
    if (!isfinite(l10))   /* log10 itself overflowed: all that is known is > DBL_MAX */
        snprintf(buf, (size_t)len, "%s", l10 > 0 ? "10^(>308)" : "0");
    else if (fabs(l10) < 1e9)
        snprintf(buf, (size_t)len, "1e%.0f", l10);
    else
        snprintf(buf, (size_t)len, "10^(%.3g)", l10);
    return buf;
}

/* Y <- 2^-k Y with k the exponent of ||Y||_1 (so ||Y||_1 in [1/2, 1)). */
static void normalize(int n, double *Y, int ldy, long *e)
{
    double nrm = expm_dnorm1(n, n, Y, ldy);
    if (!(nrm > 0.0) || !isfinite(nrm))
        return;
    int k;
    frexp(nrm, &k);
    expm_dscal_pow2(n, n, -k, Y, ldy);   /* 2^-k overflows for a subnormal norm */
    *e += k;
}

/* Move as much of a positive exponent back into Y as ||Y||_1 <= 2^1000
 * allows, so the scaled representation is used only while it must be. */
static void absorb(int n, double *Y, int ldy, long *e)
{
    if (*e <= 0)
        return;
    double nrm = expm_dnorm1(n, n, Y, ldy);
    if (nrm == 0.0) {
        *e = 0;
        return;
    }
    int k;
    frexp(nrm, &k);
    long d = ABSORB_LOG2 - k;
    if (d > *e)
        d = *e;
    if (d <= 0)
        return;
    *e -= d;
    /* 2^d in factors of at most 2^1000 (exact): d = 1000 - k exceeds 1023
     * when ||Y||_1 < 2^-23, and 2^d was inf (L of [[0, 1e190], [0, 0]]:
     * NaN after 463 squarings; an outside audit). */
    while (d > 0) {
        int c = d > 1000 ? 1000 : (int)d;
        expm_dscal(n, n, ldexp(1.0, c), Y, ldy);
        d -= c;
    }
}

int expm_ell_frechet_l2(const double *l2, int p, double log2_c)
{
    double top = -INFINITY;
    for (int j = 0; j <= p; j++)
        top = fmax(top, l2[j] + l2[p - j]);
    if (top == -INFINITY)
        return 0;
    double sum = 0.0;
    for (int j = 0; j <= p; j++)
        sum += exp2(l2[j] + l2[p - j] - top);
    double log2_beta = top + log2(sum) + log2_c;
    double v = ceil((log2_beta - log2(0x1p-53)) / p);
    if (!(v > 0.0))
        return 0;
    return v > 2000.0 ? 2000 : (int)v;
}

void expm_square_step(int n, double *Y, int ldy, long *e, double *W)
{
    expm_dgemm(n, 'N', 'N', 1.0, Y, ldy, Y, ldy, 0.0, W, n);
    if (!expm_dall_finite(n, n, W, n) && expm_dall_finite(n, n, Y, ldy)) {
        normalize(n, Y, ldy, e);
        expm_dgemm(n, 'N', 'N', 1.0, Y, ldy, Y, ldy, 0.0, W, n);
    }
    *e = expm_exp_double(*e);
    absorb(n, W, n, e);
    expm_dcopy(n, n, W, n, Y, ldy);
}

void expm_sym_step(int n, double *R, int ldr, long *eR, double *L, int ldl, long *eL,
                   double *W)
{
    expm_dgemm(n, 'N', 'N', 1.0, R, ldr, L, ldl, 0.0, W, n);
    expm_dgemm(n, 'N', 'N', 1.0, L, ldl, R, ldr, 1.0, W, n);
    if (!expm_dall_finite(n, n, W, n) && expm_dall_finite(n, n, R, ldr) &&
        expm_dall_finite(n, n, L, ldl)) {
        /* L first: normalising R as well shrinks its small entries by its
         * largest, and R^2 then underflows them ([[1, 1e169], [0, 1]] ->
         * [[3e-170, 0.56], [0, 3e-170]], whose square lost the diagonal:
         * L of [[0, 1e190], [0, 0]] came out [[0, 3e169], [0, 0]]). */
        normalize(n, L, ldl, eL);
        expm_dgemm(n, 'N', 'N', 1.0, R, ldr, L, ldl, 0.0, W, n);
        expm_dgemm(n, 'N', 'N', 1.0, L, ldl, R, ldr, 1.0, W, n);
        if (!expm_dall_finite(n, n, W, n)) {
            normalize(n, R, ldr, eR);
            expm_dgemm(n, 'N', 'N', 1.0, R, ldr, L, ldl, 0.0, W, n);
            expm_dgemm(n, 'N', 'N', 1.0, L, ldl, R, ldr, 1.0, W, n);
        }
    }
    *eL = expm_exp_add(*eL, *eR);
    absorb(n, W, n, eL);
    expm_dcopy(n, n, W, n, L, ldl);
}

double expm_exp_scaled(double y, long e)
{
    if (fabs(y) < 700.0 && labs(e) < 2000)
        return ldexp(exp(y), (int)-e);
    /* y = k ln2 + r, |r| <= ln2/2; ln2 split so k*LN2_HI is exact (fdlibm). */
    static const double LN2_HI = 6.93147180369123816490e-01;
    static const double LN2_LO = 1.90821492927058770002e-10;
    double kd = nearbyint(y / LN2);
    if (fabs(kd) > 1e6)   /* beyond any representable result */
        kd = kd > 0 ? 1e6 : -1e6;
    double r = (y - kd * LN2_HI) - kd * LN2_LO;
    long k = (long)kd - e;
    if (k > 4000) k = 4000;
    if (k < -4000) k = -4000;
    return ldexp(exp(r), (int)k);
}

expm_status expm_unscale_result(int m, int n, const double *Y, int ldy, long e,
                                double *X, int ldx, const char *what,
                                expm_info_t *info)
{
    if (!expm_dall_finite(m, n, Y, ldy)) {
        expm_info_msg(info, "%s has a non-finite entry (NaN or Inf arose in the computation)",
                      what);
        return EXPM_ENONFINITE;
    }
    double nrm = expm_dnorm1(m, n, Y, ldy);
    double log10n = nrm > 0.0 ? log10(nrm) + (double)e * EXPM_LOG10_2 : -INFINITY;
    if (info)
        info->log10_norm = log10n;
    /* Any entry with |y| * 2^e >= 2^1024 overflows. */
    if (nrm > 0.0 && e > 0) {
        double big = 0.0;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                double a = fabs(Y[i + (size_t)j * ldy]);
                if (a > big) big = a;
            }
        int k;
        frexp(big, &k);
        if ((long)k + e > DBL_MAX_EXP || !isfinite(ldexp(big, (int)(e > 4000 ? 4000 : e)))) {
            char p10[48];
            expm_info_msg(info, "%s overflows double: ||%s||_1 %s %s", what, what,
                          labs(e) >= EXPM_EXP_CAP ? ">" : "~", expm_pow10_str(log10n, p10, 48));
            return EXPM_EOVERFLOW;
        }
    }
    int lost = 0;
    if (e == 0) { /* the common case: no ldexp per entry (4% of exp at n = 64) */
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                double y = Y[i + (size_t)j * ldy];
                lost |= y != 0.0 && fabs(y) < DBL_MIN;
                X[i + (size_t)j * ldx] = y;
            }
        if (lost && info)
            info->warnings |= EXPM_WARN_UNDERFLOW;
        return EXPM_OK;
    }
    int ee = e > 4000 ? 4000 : (e < -4000 ? -4000 : (int)e);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double y = Y[i + (size_t)j * ldy];
            double x = ldexp(y, ee);
            if (y != 0.0 && fabs(x) < DBL_MIN)
                lost = 1;
            X[i + (size_t)j * ldx] = x;
        }
    if (lost && info)
        info->warnings |= EXPM_WARN_UNDERFLOW;
    return EXPM_OK;
}

/* lambda_max((A+A^T)/2) + n u ||A||_F (dsyev's backward error), or +inf. */
double expm_mu2_upper(int n, const double *A, int lda, double nu_fro)
{
    double *S = expm_dalloc(n, 1), *w = malloc((size_t)n * sizeof(double));
    double mu = INFINITY;
    if (S && w) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                S[i + (size_t)j * n] = 0.5 * A[i + (size_t)j * lda] + 0.5 * A[j + (size_t)i * lda];
        if (LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', n, S, n, w) == 0)
            mu = w[n - 1] + nu_fro;
    }
    free(S);
    free(w);
    return mu;
}

expm_status expm_overflow_verdict(expm_status st, int n, const double *A, int lda,
                                  double extra_log10, const char *what, expm_info_t *info)
{
    if (!info || (st != EXPM_EOVERFLOW && st != EXPM_ENONFINITE))
        return st;
    const double LOG10E = 0.43429448190325182765;
    if (st == EXPM_ENONFINITE) {
        /* ||exp(A)|| >= rho(exp(A)) = e^alpha(A): a NaN/Inf result of a
         * matrix whose spectral abscissa exceeds log(DBL_MAX) is a true
         * overflow (of exp(A), and so of the block that contains it). */
        double alpha = expm_dspectral_abscissa(n, A, lda);
        if (alpha * LOG10E + extra_log10 > 308.26) {
            info->log10_norm = alpha * LOG10E + extra_log10;
            char p10[48];
            expm_info_msg(info, "%s overflows double: ||%s|| >= e^alpha(A) ~ %s", what, what,
                          expm_pow10_str(info->log10_norm, p10, 48));
            return EXPM_EOVERFLOW;
        }
        return st;
    }
    double mu = -INFINITY;
    for (int j = 0; j < n; j++) {
        double c = A[j + (size_t)j * lda];
        for (int i = 0; i < n; i++)
            if (i != j)
                c += fabs(A[i + (size_t)j * lda]);
        if (c > mu)
            mu = c;
    }
    double bound = mu * LOG10E + extra_log10;
    /* mu2(A) = lambda_max((A+A^T)/2) bounds ||exp(A)||_2, and ||.||_1 <= sqrt(n) ||.||_2. */
    double mu2 = expm_mu2_upper(n, A, lda, 0.0);
    if (isfinite(mu2))
        bound = fmin(bound, mu2 * LOG10E + 0.5 * log10((double)n) + extra_log10);
    if (info->log10_norm > bound + 1.0) {
        expm_info_msg(info, "%s lost all accuracy: the squarings amplified rounding errors to "
                      "~10^%.3g, but ||%s||_1 <= 10^%.3g (logarithmic-norm bound)", what,
                      info->log10_norm, what, bound);
        return EXPM_ENONFINITE;
    }
    return st;
}

expm_status expm_hump_overflow(expm_status st, int n, const double *A, int lda, double hump,
                               double extra_log10, const char *what, expm_info_t *info)
{
    if (st != EXPM_EOVERFLOW || !info || !(hump > EXPM_HUMP_LOG2) ||
        expm_is_nearly_normal(n, A, lda))
        return st;
    const double LOG10E = 0.43429448190325182765;
    double lo = expm_dspectral_abscissa(n, A, lda) * LOG10E + extra_log10;
    if (lo > 308.26)
        return st;                      /* ||.|| >= e^alpha(A): a true overflow */
    char p10[48];
    expm_info_msg(info, "%s lost all accuracy: the squarings amplified rounding errors by ~2^%.0f "
                  "(hump) and took it to ~%s; its true size is not known (the default, pade, "
                  "computes such A through the Schur form)", what, hump,
                  expm_pow10_str(info->log10_norm, p10, sizeof p10));
    return EXPM_ENONFINITE;
}

expm_status expm_hump_warning(expm_status st, double hump, expm_info_t *info)
{
    if (st == EXPM_OK && info && hump > EXPM_HUMP_LOG2) {
        info->warnings |= EXPM_WARN_HUMP;
        expm_info_msg(info, "the squarings amplified rounding errors by up to ~2^%.0f (hump "
                      "estimate): the result may be far less accurate than u*kappa; the "
                      "default method (pade) recomputes such A through the Schur form", hump);
    }
    return st;
}

int expm_is_nearly_normal(int n, const double *A, int lda)
{
    if (n <= 1)
        return 1;
    double *W = expm_dalloc(n, 3);
    if (!W)
        return 0;
    size_t nn = (size_t)n * n;
    double *C = W + nn, *D = W + 2 * nn;
    /* A scaled to ||A||_max ~ 1 (power of two), so the products cannot
     * overflow or underflow. */
    double big = 0.0;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            big = fmax(big, fabs(A[i + (size_t)j * lda]));
    int k = 0;
    if (big > 0.0 && isfinite(big))
        frexp(big, &k);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            W[i + (size_t)j * n] = ldexp(A[i + (size_t)j * lda], -k);
    expm_dgemm(n, 'T', 'N', 1.0, W, n, W, n, 0.0, C, n);
    expm_dgemm(n, 'N', 'T', 1.0, W, n, W, n, 0.0, D, n);
    double f = 0.0, d = 0.0;
    for (size_t i = 0; i < nn; i++) {
        f += W[i] * W[i];
        d += (C[i] - D[i]) * (C[i] - D[i]);
    }
    free(W);
    return isfinite(d) && sqrt(d) <= 0x1p-30 * f;
}

/* Van Loan's bound (SIAM J. Numer. Anal. 14, 1977, eq. 2.11 with t = 1):
 * A = Q (D + N) Q^T real Schur, N strictly upper, gives ||exp(A)||_2 <=
 * e^alpha sum_{k<n} ||N||^k / k!, alpha the spectral abscissa; it sees what
 * e^mu2 cannot, a non-normal A with all eigenvalues far left (a dense 5x5,
 * eigenvalues ~ -1e13: mu2 > 0). The log of it, alpha raised by n u ||A||_F
 * for the rounding; +inf when the Schur form has 2x2 blocks or fails. */
static double vanloan_upper(int n, const double *A, int lda, double nu_fro)
{
    double *T = expm_dalloc(n, 1), *wr = malloc(2 * (size_t)n * sizeof(double));
    double bound = INFINITY;
    lapack_int sdim = 0;
    if (T && wr) {
        expm_dcopy(n, n, A, lda, T, n);
        if (LAPACKE_dgees(LAPACK_COL_MAJOR, 'N', 'N', NULL, n, T, n, &sdim, wr, wr + n, NULL,
                          1) == 0) {
            double alpha = -INFINITY, nf = 0.0;
            int real = 1;
            for (int i = 0; i < n; i++) {
                alpha = fmax(alpha, wr[i]);
                real &= wr[n + i] == 0.0;
            }
            for (int j = 0; j < n; j++)
                for (int i = 0; i < j; i++)
                    nf = hypot(nf, T[i + (size_t)j * n]);
            if (real && isfinite(nf)) {
                double ln = nf > 0.0 ? log(nf) : -INFINITY, top = 0.0, sum = 0.0;
                for (int k = 1; k < n; k++)   /* log sum_k e^(k ln||N|| - ln k!) */
                    top = fmax(top, k * ln - lgamma(k + 1.0));
                for (int k = 0; k < n; k++)
                    sum += exp((k ? k * ln - lgamma(k + 1.0) : 0.0) - top);
                bound = alpha + nu_fro + top + log(sum);
            }
        }
    }
    free(T);
    free(wr);
    return bound;
}

/* A lower bound of ln ||exp(A)||_2: max(tr(A)/n, alpha - nu_fro), nu_fro =
 * n u ||D^-1 A D||_F from the caller (u_fro_balanced). */
static double ln_norm_lower(int n, const double *A, int lda, double nu_fro)
{
    double tr = 0.0;
    for (int i = 0; i < n; i++)
        tr += A[i + (size_t)i * lda] / n;
    double lo = tr;
    double *S = expm_dalloc(n, 1), *wr = malloc(3 * (size_t)n * sizeof(double));
    if (S && wr) {
        /* D^-1 A D (dgebal 'S': powers of two, exact) has A's eigenvalues;
         * its norm is the one in nu_fro ([[0, 1e300], [1e-290, 0]], eigenvalues
         * +-1e5 -> [[0, 1e5], [1e5, 0]]). */
        lapack_int ilo, ihi;
        expm_dcopy(n, n, A, lda, S, n);
        LAPACKE_dgebal(LAPACK_COL_MAJOR, 'S', n, S, n, &ilo, &ihi, wr + 2 * n);
        if (isfinite(nu_fro) &&
            LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', n, S, n, wr, wr + n, NULL, 1, NULL, 1) == 0)
            for (int i = 0; i < n; i++)
                lo = fmax(lo, wr[i] - nu_fro);
    }
    free(S);
    free(wr);
    return lo;
}

/* u min(||A||_F, ||D^-1 A D||_F), D from dgebal 'S' (powers of two, exact).
 * The methods' arithmetic commutes with such a D (products, sums, squarings
 * and pade's pivots, which follow the balanced rows: pade.c), so their
 * rounding perturbs A's eigenvalues by ~u||D^-1 A D||, not u||A||:
 * [[0, 1e-200], [1e200, 0]] (eigenvalues +-1; exp(A) to 3e-17) was warned
 * "eigenvalues uncertain by ~1e184" (an outside audit). */
static double u_fro_balanced(int n, const double *A, int lda)
{
    const double u = 0x1p-53;
    double ua = expm_dnormfro_times(n, n, A, lda, u);
    double *S = expm_dalloc(n, 1), *sc = malloc((size_t)n * sizeof(double));
    lapack_int ilo, ihi;
    if (S && sc) {
        expm_dcopy(n, n, A, lda, S, n);
        if (LAPACKE_dgebal(LAPACK_COL_MAJOR, 'S', n, S, n, &ilo, &ihi, sc) == 0)
            ua = fmin(ua, expm_dnormfro_times(n, n, S, n, u));
    }
    free(S);
    free(sc);
    return ua;
}

expm_status expm_squaring_verdict(expm_status st, int n, const double *A, int lda,
                                  const double *R, int ldr, const double *E, int lde,
                                  int tri_exact, const char *what, expm_info_t *info)
{
    if (!info || n <= 0 || (st != EXPM_OK && st != EXPM_EOVERFLOW))
        return st;
    /* The common case without ||A||_F (a division per entry: 1.7x the time
     * of a 2x2 exp when it came first): 2^s u < 2^-10 and n u max|a_ij| <
     * 2^-20 leave t far below EXPM_UNCERTAIN_MIN. */
    if (info->s < EXPM_UNCERTAIN_S && !expm_verdict_may_act(n, A, lda))
        return st;
    const double u = 0x1p-53;
    double ua = u_fro_balanced(n, A, lda);   /* finite also for ||A||_F > DBL_MAX */
    double growth = ldexp(u, info->s < 2000 ? info->s : 2000);
    double t = fmax(ua, growth);
    if (!(t >= EXPM_UNCERTAIN_MIN))
        return st;   /* the common case */
    int tri = expm_triangular_any(n, A, lda);
    /* A (permuted) triangular A's eigenvalues are its diagonal, exactly: no
     * uncertainty to report when the method keeps the diagonal exact, and
     * no reason to doubt a method's overflow (finite-difference's "exp(A +
     * hE) failed for the step h" on [[1, 1e17], [0, 1]] stays as it is). */
    if (tri && ((tri_exact == 1 || (tri_exact == 2 && expm_triangular_ul(n, A, lda))) ||
                st == EXPM_EOVERFLOW))
        return st;
    double nu_fro = n * ua;
    double lo = st == EXPM_OK ? ln_norm_lower(n, A, lda, nu_fro) : 0.0;
    if (st == EXPM_OK && lo > 709.78 + log((double)n)) {
        /* exp(A) certainly overflows, yet the method returned a finite
         * result (pade-plain: I for DBL_MAX ones(3); pade, frechet: L = 0
         * for 1e308 ones(2); an outside audit) */
        info->log10_norm = lo * 0.43429448190325182765;
        char p10[48];
        expm_pow10_str(info->log10_norm, p10, sizeof p10);
        if (!E) {
            expm_info_msg(info, "exp(A) overflows double: ||exp(A)||_2 >= e^max(tr(A)/n, alpha) "
                          "~ %s (the computed result lost it)", p10);
            return EXPM_EOVERFLOW;
        }
        expm_info_msg(info, "%s is not determined in double: exp(A) overflows (||exp(A)||_2 >= "
                      "%s) and the computed %s lost it", what, p10, what);
        return EXPM_ENONFINITE;
    }
    if (st == EXPM_OK) {
        int zero = 1;
        for (int j = 0; j < n && zero; j++)
            for (int i = 0; i < n; i++)
                if (R[i + (size_t)j * ldr] != 0.0) {
                    zero = 0;
                    break;
                }
        if (zero) {
            double lnE = E ? log(expm_dnormfro(n, n, E, lde)) : 0.0; /* ||E||_2 <= ||E||_F */
            /* below 2^-1075 the result rounds to 0 */
            if (expm_mu2_upper(n, A, lda, nu_fro) + lnE < -745.2 ||
                vanloan_upper(n, A, lda, nu_fro) + lnE < -745.2)
                return st;
        }
        info->warnings |= EXPM_WARN_UNCERTAIN;
        if (info->message[0])
            return st;   /* the method's own warning is more specific (eig: cond(V)) */
        if (t < 1.0)   /* e^t - 1 ~ t: say how many digits may be left */
            expm_info_msg(info, "A's eigenvalues are uncertain by ~u||A||_F (A balanced) = %.2g "
                          "(s = %d: 2^s "
                          "u = %.2g): %s may be off by a relative ~%.1g", ua, info->s, growth,
                          what, expm1(t));
        else
            expm_info_msg(info, "A's eigenvalues are uncertain by ~u||A||_F (A balanced) = %.2g "
                          "(s = %d: 2^s "
                          "u = %.2g): %s may have no correct digits (off by up to ~e^%.2g)", ua,
                          info->s, growth, what, t);
        return st;
    }
    if (t < 1.0)
        return st;
    /* Some entry of exp(A) exceeds DBL_MAX if ||exp(A)||_2 > n DBL_MAX. */
    if (ln_norm_lower(n, A, lda, nu_fro) > 709.78 + log((double)n))
        return st;
    expm_info_msg(info, "%s is not determined in double: A's eigenvalues are uncertain by "
                  "~u||A||_F (A balanced) = %.2g (s = %d: 2^s u = %.2g), no evidence of overflow",
                  what, ua,
                  info->s, growth);
    return EXPM_ENONFINITE;
}

int expm_verdict_may_act(int n, const double *A, int lda)
{
    if (n <= 0 || !A || lda < n)
        return 0;
    /* t >= 2^-10 needs u ||A||_F >= 2^-10 or s >= 43, i.e. ||A||_1 >~ 5 2^43
     * (s ~ log2(||A||_1 / theta_13)); n max|a_ij| bounds both norms, so test
     * n u |a_ij| >= 2^-20, |a_ij| >= 2^33 / n. On the bit patterns (ordered
     * like the values for |a| >= 0; NaN counts as large): an OR of compares,
     * no loop-carried fmax (a libm call per entry: +0.7 us, 20%, at n = 16). */
    double x = ldexp(1.0, 33) / n;
    uint64_t thr, mask = 0x7fffffffffffffffULL;
    memcpy(&thr, &x, sizeof thr);
    /* Two entries at a time as !(|a| < x) in 2-wide vectors (SSE2's
     * cmpnltpd; NaN compares false, so it counts as large, as above): 2.7%
     * of the 16x16 exp entry by entry (perf). */
    typedef double v2d __attribute__((vector_size(16)));
    typedef long long v2l __attribute__((vector_size(16)));
    const v2l absmask = {INT64_MAX, INT64_MAX};
    const v2d xx = {x, x};
    v2l acc = {0, 0};
    int hit = 0;
    for (int j = 0; j < n; j++) {
        const double *c = A + (size_t)j * lda;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            v2d v;
            memcpy(&v, c + i, sizeof v);
            acc |= ~((v2d)((v2l)v & absmask) < xx);
        }
        for (; i < n; i++) {
            uint64_t b;
            memcpy(&b, c + i, sizeof b);
            hit |= (b & mask) >= thr;
        }
    }
    return hit || acc[0] || acc[1];
}
