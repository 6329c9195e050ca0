/*
 * eig.c -- exp(A) and L(A,E) through the eigendecomposition A = V diag(lambda) V^-1.
 *
 * exp(A) = V diag(e^lambda) V^-1 (Moler & Van Loan, SIAM Review 45(1), 2003,
 * "Method 14"), V the right eigenvectors of LAPACK dgeev (columns of unit
 * 2-norm, so V is nearly optimally column-scaled and cond(V) is meaningful).
 * Complex conjugate pairs are kept in complex arithmetic (zgetrf/zgetrs,
 * zgemm) and the real part is returned. The imaginary part of the result is
 * pure rounding error of the same computation, so it is used as an a
 * posteriori error indicator: more than 1e-8 of the real part is reported.
 *
 * L(A,E) by the Daleckii-Krein formula (Higham, Functions of Matrices, 2008,
 * Thm 3.11; ALGORITHMS.md §7): L = V (Phi o (V^-1 E V)) V^-1 with
 * Phi_ij = (e^li - e^lj)/(li - lj), Phi_ii = e^li, evaluated with no 0/0 as
 * Phi_ij = e^la exprel(lb - la), la the one of li, lj with the larger real
 * part (so Re(lb - la) <= 0: exprel cannot overflow), exprel(z) = (e^z-1)/z
 * from an accurate complex expm1 (Taylor series for |z| < 1e-3). The adjoint
 * is L(A^T, G) (api.c).
 *
 * Overflow: when max Re lambda = mu > 600, e^c, c = k ln2 ~ mu - 600, is
 * factored out of every exponential (Cody-Waite: li - c is exact up to
 * u|li|) and applied at the end as the power of two 2^k by
 * expm_unscale_result, so no intermediate overflows and a true overflow is
 * EXPM_EOVERFLOW with its size (mu < -600 is lifted the same way).
 *
 * WHERE IT FAILS: the forward error is ~ u cond(V) max(kappa_exp, 1) for
 * exp(A) (the rounding errors of dgeev and of the solve with V are amplified
 * by cond(V) = ||V|| ||V^-1||) and ~ u cond(V)^2 max(kappa_exp, 1) for L
 * (V^-1 E V has entries ~cond(V) ||E|| that cancel again in V ( . ) V^-1);
 * measured constants <= 2.4 and <= 0.9 over the named test matrices with
 * cond(V) <= 1e8 (tests/test_eig.c). So it is forward stable for normal
 * (e.g. symmetric) matrices, where cond(V) = O(1), and breaks on defective
 * and nearly defective matrices: Jordan blocks (V exactly or numerically
 * singular), the near-Jordan [1+eps 1; 0 1-eps], m2ex3 [-1 1; e^2 -1]
 * (cond(V) = 1/e), Forsythe, HiPPO-LegS, and strongly non-normal Q T Q^T
 * (cond(V) 1e10 and more while kappa_exp is ~50). cond(V) (zgecon, 1-norm)
 * is returned in info->cond; above 1e8 for exp and 1e4 for L (error bound
 * above 1e-8, fewer than ~8 digits guaranteed) the warning
 * EXPM_WARN_ILLCOND_V is set with a message (the CLI prints it to stderr).
 *
 * Defective matrices (a choice, documented): when zgetrf finds V exactly
 * singular the status is EXPM_ESINGULAR (no V^-1 exists). When V is merely
 * numerically singular (rcond < u) the computed result is still returned if
 * it is finite, with the ILLCOND_V warning, so reports can measure it (issue
 * 4: methods that detect their own failure warn but return their result) --
 * unless it is provably wrong: a result whose norm exceeds 10x a bound on
 * ||exp(A)|| (logarithmic norms, or Van Loan's Schur bound e^alpha sum_k
 * ||N||^k/k!; see log_bounds) has relative error >= 9, and is EXPM_ESINGULAR
 * with a message, as is a non-finite one. Never NaN/Inf as success.
 */
#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "dense.h"
#include "methods.h"

/* Constants (sources in the comments). */
#define U_DOUBLE 0x1p-53          /* unit roundoff of IEEE double */
#define COND_V_WARN 1e8           /* exp error ~ u cond(V) > ~1e-8: fewer than 8 digits */
#define COND_V_WARN_FRECHET 1e4   /* L error ~ u cond(V)^2 (measured) > ~1e-8 */
#define IMAG_WARN 1e-8            /* same 8-digit criterion for ||Im|| / ||Re|| */
#define EXPREL_SERIES 1e-3        /* series of exprel: tail |z|^5/720 < 2e-18 < u */
#define SHIFT_MAX_K 4000          /* |k| of the e^(k ln2) factored out (2^4000 beyond any double) */
/* Beyond the range, e^(mu - 600) is factored out: e^600 ~ 1e260 leaves a
 * factor 1e47 for the growth by cond(V) (exp) or cond(V)^2 (L, |Phi_ij| <=
 * e^mu since |exprel(z)| <= 1 for Re z <= 0) before anything overflows. */
#define SHIFT_FREE 600.0
/* ln2 split so that k*LN2_HI is exact for |k| < 2^20 (fdlibm e_exp.c). */
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;
static const double LOG10E = 0.43429448190325182765;

typedef double complex zc;

/* LAPACKE checks its matrix arguments for NaN/Inf and rejects them as
 * "argument k invalid"; a non-finite LU of V (entries near DBL_MAX, V of a
 * graded A) or right-hand side is a failure of this method's arithmetic, not
 * of the call (outside audit: "zgecon argument 4 invalid", EXPM_ELAPACK,
 * documented as a bug). Checked first, so it is reported as what it is. */
static int zall_finite(size_t count, const zc *z)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(creal(z[i])) || !isfinite(cimag(z[i])))
            return 0;
    return 1;
}

/* exp(l - k ln2) for complex l, with the shift exact up to rounding of the
 * difference (Cody-Waite reduction). */
static zc exp_shift(double re, double im, long k)
{
    double x = (re - (double)k * LN2_HI) - (double)k * LN2_LO;
    double ex = exp(x);
    if (im == 0.0)
        return CMPLX(ex, 0.0);
    return CMPLX(ex * cos(im), ex * sin(im));
}

/* exprel(z) = (e^z - 1)/z, exprel(0) = 1, to a few ulps in the complex
 * (normwise) sense. Re e^z - 1 = expm1(x) cos y - 2 sin^2(y/2) avoids the
 * cancellation of e^x cos y - 1; Im = e^x sin y. */
static zc exprel(zc z)
{
    if (cabs(z) < EXPREL_SERIES)
        return 1.0 + z / 2.0 * (1.0 + z / 3.0 * (1.0 + z / 4.0 * (1.0 + z / 5.0)));
    double x = creal(z), y = cimag(z);
    double s = sin(0.5 * y);
    zc em1 = CMPLX(expm1(x) * cos(y) - 2.0 * s * s, exp(x) * sin(y));
    return em1 / z;
}

/* The eigendecomposition shared by exp and Frechet. */
typedef struct {
    int n;
    double *wr, *wi;  /* eigenvalues */
    zc *V;            /* eigenvectors, n-by-n */
    zc *LU;           /* LU factors of V */
    int *ipiv;
    zc *w;            /* e^(lambda_j - k ln2) */
    double mu;        /* max Re lambda */
    long k;           /* w = e^(lambda - k ln2) */
    double rcond;
    int underflow;    /* some e^(lambda_j - c) underflowed to zero */
} eigdec_t;

/* dgeev, the complex V, its LU and rcond, the shifted exponentials.
 * S, VR: n-by-n real workspace. */
static expm_status decompose(int n, const double *A, int lda, double *S, double *VR,
                             eigdec_t *d, expm_info_t *info)
{
    /* Symmetric A: dsyev, V orthogonal by construction. dgeev's vectors for
     * a multiple eigenvalue of a symmetric A can be dependent: on c ones(8)
     * (eigenvalue 0 seven times) V came out exactly singular for 17 of 60
     * values of c, "A is defective", exit 1 (an outside audit). */
    int sym = 1;
    for (int j = 0; j < n && sym; j++)
        for (int i = j + 1; i < n; i++)
            if (A[i + (size_t)j * lda] != A[j + (size_t)i * lda]) {
                sym = 0;
                break;
            }
    lapack_int rc;
    if (sym) {
        expm_dcopy(n, n, A, lda, VR, n);
        rc = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'V', 'U', n, VR, n, d->wr);
        for (int j = 0; j < n; j++)
            d->wi[j] = 0.0;
    } else {
        expm_dcopy(n, n, A, lda, S, n);
        rc = LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'V', n, S, n, d->wr, d->wi, NULL, 1, VR, n);
    }
    if (rc < 0) {
        expm_info_msg(info, "eig: %s argument %d invalid", sym ? "dsyev" : "dgeev", (int)-rc);
        return EXPM_ELAPACK;
    }
    if (rc > 0) {
        expm_info_msg(info, "eig: the QR algorithm of %s did not converge (%d eigenvalues)",
                      sym ? "dsyev" : "dgeev", (int)rc);
        return EXPM_ENOCONV;
    }
    /* dgeev stores a pair lambda_j, lambda_j+1 = conj (wi[j] > 0) as the real and
     * imaginary parts of v_j in columns j, j+1; v_j+1 = conj(v_j). */
    for (int j = 0; j < n; j++) {
        const double *c = VR + (size_t)j * n;
        zc *v = d->V + (size_t)j * n;
        if (d->wi[j] == 0.0) {
            for (int i = 0; i < n; i++)
                v[i] = CMPLX(c[i], 0.0);
        } else if (d->wi[j] > 0.0 && j + 1 < n) {
            zc *v2 = v + n;
            for (int i = 0; i < n; i++) {
                v[i] = CMPLX(c[i], c[i + n]);
                v2[i] = CMPLX(c[i], -c[i + n]);
            }
            j++;
        }
    }
    memcpy(d->LU, d->V, (size_t)n * n * sizeof(zc));
    double anorm = LAPACKE_zlange(LAPACK_COL_MAJOR, '1', n, n, d->LU, n);
    rc = LAPACKE_zgetrf(LAPACK_COL_MAJOR, n, n, d->LU, n, d->ipiv);
    if (rc < 0) {
        expm_info_msg(info, "eig: zgetrf argument %d invalid", (int)-rc);
        return EXPM_ELAPACK;
    }
    if (rc > 0) {
        if (info)
            info->cond = INFINITY;
        expm_info_msg(info, "eig: the eigenvector matrix V is singular (U(%d,%d) = 0): "
                      "A is defective, V^-1 does not exist", (int)rc, (int)rc);
        return EXPM_ESINGULAR;
    }
    d->rcond = 0.0;
    if (!isfinite(anorm) || !zall_finite((size_t)n * n, d->LU)) {
        expm_info_msg(info, "eig: the LU factors of the eigenvector matrix V are not finite "
                      "(NaN or Inf arose)");
        return EXPM_ENONFINITE;
    }
    rc = LAPACKE_zgecon(LAPACK_COL_MAJOR, '1', n, d->LU, n, anorm, &d->rcond);
    if (rc < 0) {
        expm_info_msg(info, "eig: zgecon argument %d invalid", (int)-rc);
        return EXPM_ELAPACK;
    }
    if (info)
        info->cond = d->rcond > 0.0 ? 1.0 / d->rcond : INFINITY;

    double mu = -INFINITY;
    for (int j = 0; j < n; j++)
        mu = fmax(mu, d->wr[j]);
    /* ||exp(A)||_2 >= rho(exp(A)) = e^mu: far beyond DBL_MAX it overflows
     * whatever V is (and 2^k could not carry it). */
    if (mu > SHIFT_MAX_K * 0.69) {
        if (info)
            info->log10_norm = mu * LOG10E;
        char p10[48];
        if (isfinite(mu))
            expm_info_msg(info, "exp(A) overflows double: ||exp(A)|| >= e^max(Re lambda) ~ %s",
                          expm_pow10_str(mu * LOG10E, p10, 48));
        else
            expm_info_msg(info, "exp(A) overflows double: ||exp(A)|| >= e^max(Re lambda) with "
                          "max(Re lambda) beyond the double range (> 1.8e308)");
        return EXPM_EOVERFLOW;
    }
    d->mu = mu;
    return EXPM_OK;
}

/* w_j = e^(lambda_j - k ln2); a conjugate pair gets exactly conjugate
 * values, so the imaginary part of the result is rounding error only. */
static void set_shift(eigdec_t *d, long k)
{
    d->k = k;
    d->underflow = 0;
    for (int j = 0; j < d->n; j++) {
        if (d->wi[j] > 0.0 && j + 1 < d->n) {
            d->w[j] = exp_shift(d->wr[j], d->wi[j], k);
            d->w[j + 1] = conj(d->w[j]);
            j++;
        } else {
            d->w[j] = exp_shift(d->wr[j], d->wi[j], k);
        }
    }
    for (int j = 0; j < d->n; j++)
        if (d->w[j] == 0.0)
            d->underflow = 1;
}

/* The factor e^c = 2^k taken out of the exponentials. First attempt: none
 * while -SHIFT_FREE <= mu <= log(DBL_MAX) (then the result is exactly the
 * unshifted computation, and a small e^lambda beside a large one is not
 * flushed to zero); above, c = mu - SHIFT_FREE; below, c = mu (lifts a
 * result whose intermediate steps would underflow). When the unshifted
 * attempt overflows in an intermediate step, the second has c = mu
 * (|w| <= 1). */
static long first_shift(double mu)
{
    const double LN_DBL_MAX = 709.78271289338397;
    if (mu > LN_DBL_MAX)
        return (long)nearbyint((mu - SHIFT_FREE) * INV_LN2);
    if (mu < -SHIFT_FREE)
        return (long)fmax(nearbyint(mu * INV_LN2), -SHIFT_MAX_K);
    return 0;
}

static long full_shift(double mu)
{
    return (long)fmax(nearbyint(mu * INV_LN2), -SHIFT_MAX_K);
}

/* Warnings from cond(V) and from the discarded imaginary part (ratio
 * ||Im||_F / ||Re||_F of the worst result). Returns 1 when a warning was
 * set. frechet: the error model is u cond(V)^2 instead of u cond(V). */
static int warn(const eigdec_t *d, int frechet, double imag_ratio, expm_info_t *info)
{
    double cond = d->rcond > 0.0 ? 1.0 / d->rcond : INFINITY;
    double est = frechet ? U_DOUBLE * cond * cond : U_DOUBLE * cond;
    int ill = cond > (frechet ? COND_V_WARN_FRECHET : COND_V_WARN), im = imag_ratio > IMAG_WARN;
    if (!ill && !im)
        return 0;
    if (!info)
        return 1;
    info->warnings |= EXPM_WARN_ILLCOND_V;
    const char *imsg = im ? " (large imaginary part discarded)" : "";
    if (d->rcond < U_DOUBLE)
        expm_info_msg(info, "eig: cond(V) = %.3g >= 1/u: V is numerically singular (A defective "
                      "or nearly so); the result may have no correct digits%s", cond, imsg);
    else if (ill)
        expm_info_msg(info, "eig: cond(V) = %.3g: A is nearly defective; expect a relative "
                      "error up to ~u*cond(V)%s = %.1g%s", cond, frechet ? "^2" : "",
                      est < 1.0 ? est : 1.0, imsg);
    else
        expm_info_msg(info, "eig: the result had an imaginary part %.2g times its real part "
                      "(rounding error of V diag V^-1; cond(V) = %.3g); it was discarded",
                      imag_ratio, cond);
    return 1;
}

/* Natural logs of three bounds on ||exp(A)||_1 and ||L(A,E)||_1:
 *  - logarithmic norms (Higham, Functions of Matrices, 2008, Thm 10.11):
 *    ||e^A||_1 <= e^mu1, mu1 = max_j (a_jj + sum_{i!=j} |a_ij|), and
 *    ||e^A||_1 <= sqrt(n) ||e^A||_2 <= sqrt(n) e^mu2, mu2 = lambda_max((A+A^T)/2);
 *  - Schur form A = Q (D + N) Q^* (Van Loan 1977; Higham Thm 10.12):
 *    ||e^A||_2 <= e^alpha sum_{k<n} ||N||^k / k! =: e^alpha S, alpha = max Re
 *    lambda, with ||N||_F^2 = ||A||_F^2 - sum |lambda|^2 (Henrici; the
 *    departure from normality, so no Schur form is needed), plus a slack of
 *    8 n u ||A||_F^2 for the rounding of that difference and of lambda.
 *    Only the last is tight for non-normal A with large entries.
 * Since L(A,E) = int_0^1 e^{A(1-s)} E e^{As} ds (Higham (10.15)),
 * ||L||_1 <= e^mu1 ||E||_1, ||L||_1 <= sqrt(n) e^mu2 ||E||_F and
 * ||L||_1 <= sqrt(n) e^alpha S^2 ||E||_F. S: n-by-n workspace, w: n doubles. */
typedef struct {
    double mu1, mu2n, alphan, lnS;  /* mu2n = mu2 + ln sqrt(n), alphan = alpha + ln sqrt(n) */
} bounds_t;

static bounds_t log_bounds(int n, const double *A, int lda, const eigdec_t *d, double *S,
                           double *w)
{
    bounds_t b;
    double m = -INFINITY;
    for (int j = 0; j < n; j++) {
        double c = A[j + (size_t)j * lda];
        for (int i = 0; i < n; i++)
            if (i != j)
                c += fabs(A[i + (size_t)j * lda]);
        m = fmax(m, c);
    }
    b.mu1 = m;
    b.mu2n = INFINITY;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            S[i + (size_t)j * n] = 0.5 * A[i + (size_t)j * lda] + 0.5 * A[j + (size_t)i * lda];
    if (LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', n, S, n, w) == 0)
        b.mu2n = w[n - 1] + 0.5 * log((double)n);
    double nf = expm_dnormfro(n, n, A, lda), alpha = -INFINITY, q = 0.0;
    for (int j = 0; j < n; j++) {
        alpha = fmax(alpha, d->wr[j]);
        if (nf > 0.0) {
            double r = hypot(d->wr[j], d->wi[j]) / nf;
            q += r * r;
        }
    }
    double dep = nf * sqrt(fmax(0.0, 1.0 - q) + 8.0 * n * U_DOUBLE);
    b.alphan = alpha + 0.5 * log((double)n);
    /* ln sum_{k<n} dep^k/k! by log-sum-exp (no overflow for any dep). */
    double top = 0.0, sum = 0.0;
    if (dep > 0.0) {
        for (int k = 0; k < n; k++)
            top = fmax(top, k * log(dep) - lgamma(k + 1.0));
        for (int k = 0; k < n; k++)
            sum += exp(k * log(dep) - lgamma(k + 1.0) - top);
        b.lnS = top + log(sum);
    } else {
        b.lnS = 0.0;
    }
    return b;
}

/* A computed result R * 2^e whose 1-norm exceeds 10x the bound has a
 * relative error >= 9: no correct digit. Returned as EXPM_ESINGULAR (V is
 * numerically singular for this purpose) rather than as a success. */
static expm_status check_bound(const eigdec_t *d, int n, const double *R, long e, double lnb,
                               const char *what, expm_info_t *info)
{
    const double LN2 = 0.69314718055994530942, LN10 = 2.30258509299404568402;
    double nr = expm_dnorm1(n, n, R, n);
    if (!(nr > 0.0))
        return EXPM_OK;
    double ln = log(nr) + (double)e * LN2;
    if (ln <= lnb + LN10)
        return EXPM_OK;
    if (info) {
        info->warnings |= EXPM_WARN_ILLCOND_V;
        info->log10_norm = ln / LN10;
    }
    expm_info_msg(info, "eig: %s provably wrong: ||.||_1 ~ 1e%.3g > 10x its bound 1e%.3g; V is "
                  "numerically singular (cond(V) = %.3g, A defective or nearly so)", what,
                  ln / LN10, lnb / LN10, d->rcond > 0.0 ? 1.0 / d->rcond : INFINITY);
    return EXPM_ESINGULAR;
}

/* Re of the transpose of the complex n-by-n Zt into R (ld n), and
 * ||Im||_F / ||Re||_F. */
static double real_transpose(int n, const zc *Zt, double *R)
{
    double sr = 0.0, si = 0.0;
    /* Plain sums of squares: after the e^c factoring the entries are
     * O(cond(V)), far from overflow. */
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            zc z = Zt[j + (size_t)i * n];
            R[i + (size_t)j * n] = creal(z);
            sr += creal(z) * creal(z);
            si += cimag(z) * cimag(z);
        }
    double re = sqrt(sr), im = sqrt(si);
    if (im == 0.0)
        return 0.0;
    return re > 0.0 ? im / re : INFINITY;
}

/* Bt <- transpose(B) V^-T, i.e. Bt = (B V^-1)^T, for nb stacked n-by-n
 * blocks of Bt (n-by-(nb n)) -- one zgetrs with 'T'. */
static expm_status right_solve(const eigdec_t *d, int nrhs, zc *Bt, expm_info_t *info)
{
    if (!zall_finite((size_t)d->n * nrhs, Bt)) {
        expm_info_msg(info, "eig: a right-hand side of the solve with V is not finite "
                      "(NaN or Inf arose)");
        return EXPM_ENONFINITE;
    }
    lapack_int rc = LAPACKE_zgetrs(LAPACK_COL_MAJOR, 'T', d->n, nrhs, d->LU, d->n, d->ipiv, Bt,
                                   d->n);
    if (rc != 0) {
        expm_info_msg(info, "eig: zgetrs argument %d invalid", (int)-rc);
        return EXPM_ELAPACK;
    }
    return EXPM_OK;
}

/* Status for a result that is not finite: V too ill-conditioned. */
static expm_status nonfinite(const eigdec_t *d, const char *what, expm_info_t *info)
{
    double cond = d->rcond > 0.0 ? 1.0 / d->rcond : INFINITY;
    if (info)
        info->warnings |= EXPM_WARN_ILLCOND_V;
    expm_info_msg(info, "eig: %s is not finite: V diag(e^lambda) V^-1 broke down (cond(V) = "
                  "%.3g%s)", what, cond, d->rcond < U_DOUBLE ? ", A defective" : "");
    return d->rcond < U_DOUBLE ? EXPM_ESINGULAR : EXPM_ENONFINITE;
}

/* Workspace, allocated once per call. */
typedef struct {
    double *S, *VR, *R1, *R2, *wr;
    zc *zws;
    int *ipiv;
} ws_t;

static void ws_free(ws_t *w)
{
    free(w->S);
    free(w->wr);
    free(w->zws);
    free(w->ipiv);
}

/* nz complex n-by-n blocks after V, LU, w. */
static int ws_alloc(int n, int nz, ws_t *w, eigdec_t *d, expm_info_t *info)
{
    memset(w, 0, sizeof *w);
    size_t nn = (size_t)n * n;
    w->S = expm_dalloc(n, 4);
    w->wr = malloc(3 * (size_t)n * sizeof(double)); /* wr, wi, dsyev's w */
    w->ipiv = malloc((size_t)n * sizeof(int));
    if (nn <= ((size_t)-1) / sizeof(zc) / (size_t)(nz + 3))
        w->zws = malloc(((size_t)(nz + 2) * nn + (size_t)n) * sizeof(zc));
    if (!w->S || !w->wr || !w->ipiv || !w->zws) {
        ws_free(w);
        expm_info_msg(info, "eig: cannot allocate workspace for n = %d", n);
        return 0;
    }
    w->VR = w->S + nn;
    w->R1 = w->S + 2 * nn;
    w->R2 = w->S + 3 * nn;
    d->n = n;
    d->wr = w->wr;
    d->wi = w->wr + n;
    d->V = w->zws;
    d->LU = w->zws + nn;
    d->w = w->zws + 2 * nn;
    d->ipiv = w->ipiv;
    return 1;
}

expm_status expm_eig_exp(int n, const double *A, int lda, double *X, int ldx,
                         expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    ws_t ws;
    eigdec_t d;
    if (!ws_alloc(n, 1, &ws, &d, info))
        return EXPM_ENOMEM;
    zc *Bt = d.w + n;
    st = decompose(n, A, lda, ws.S, ws.VR, &d, info);
    if (st != EXPM_OK)
        goto out;
    double imag = 0.0;
    for (long k = first_shift(d.mu), attempt = 0;; attempt++) {
        set_shift(&d, k);
        /* Bt = (V diag(w))^T, then Bt <- (V diag(w) V^-1)^T. */
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                Bt[j + (size_t)i * n] = d.V[i + (size_t)j * n] * d.w[j];
        if ((st = right_solve(&d, n, Bt, info)) != EXPM_OK)
            goto out;
        imag = real_transpose(n, Bt, ws.R1);
        if (expm_dall_finite(n, n, ws.R1, n) || attempt > 0 || k != 0)
            break;
        k = full_shift(d.mu);   /* an intermediate overflowed: retry with e^mu out */
    }
    if (!expm_dall_finite(n, n, ws.R1, n)) {
        st = nonfinite(&d, "exp(A)", info);
        goto out;
    }
    if (warn(&d, 0, imag, info)) {
        bounds_t b = log_bounds(n, A, lda, &d, ws.VR, ws.wr + 2 * n);
        double lnb = fmin(fmin(b.mu1, b.mu2n), b.alphan + b.lnS);
        st = check_bound(&d, n, ws.R1, d.k, lnb, "exp(A)", info);
        if (st != EXPM_OK)
            goto out;
    }
    st = expm_unscale_result(n, n, ws.R1, n, d.k, X, ldx, "exp(A)", info);
    if (st == EXPM_OK && d.underflow && info)
        info->warnings |= EXPM_WARN_UNDERFLOW;
out:
    if (info) {
        info->s = 0;
        info->m = 0;
        info->products = 0;  /* no gemm; the O(n^3) work is dgeev, zgetrf, zgetrs */
        info->solves = 1;
    }
    ws_free(&ws);
    return st;
}

expm_status expm_eig_frechet(int n, const double *A, int lda, const double *E, int lde,
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
    double nE = expm_dnorm1(n, n, E, lde);
    if (nE == 0.0 && !X) {  /* L(A, 0) = 0 exactly, even when exp(A) overflows */
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                L[i + (size_t)j * ldl] = 0.0;
        return EXPM_OK;
    }
    ws_t ws;
    eigdec_t d;
    if (!ws_alloc(n, 4, &ws, &d, info))
        return EXPM_ENOMEM;
    size_t nn = (size_t)n * n;
    zc *Ec = d.w + n, *M = Ec + nn, *Kt = M + nn, *Bt = Kt + nn; /* Kt, Bt adjacent */
    long products = 0;
    st = decompose(n, A, lda, ws.S, ws.VR, &d, info);
    if (st != EXPM_OK)
        goto out;

    /* E = 2^p Es with ||Es||_1 in [1/2, 1): exact, and E V cannot overflow. */
    int p = 0;
    if (nE > 0.0)
        frexp(nE, &p);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            Ec[i + (size_t)j * n] = CMPLX(ldexp(E[i + (size_t)j * lde], -p), 0.0);

    /* F = V^-1 (E V), kept (Ec is reused for it). */
    const zc one = 1.0, zero = 0.0;
    cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, &one, Ec, n, d.V, n, &zero,
                M, n), products += 4;
    if (!zall_finite((size_t)n * n, M)) {
        expm_info_msg(info, "eig: E V is not finite (NaN or Inf arose)");
        st = EXPM_ENONFINITE;
        goto out;
    }
    lapack_int rc = LAPACKE_zgetrs(LAPACK_COL_MAJOR, 'N', n, n, d.LU, n, d.ipiv, M, n);
    if (rc != 0) {
        expm_info_msg(info, "eig: zgetrs argument %d invalid", (int)-rc);
        st = EXPM_ELAPACK;
        goto out;
    }
    zc *F = Ec;
    memcpy(F, M, nn * sizeof(zc));
    double imag = 0.0;
    int nrhs = X ? 2 * n : n;
    for (long k = first_shift(d.mu), attempt = 0;; attempt++) {
        set_shift(&d, k);
        /* M = Phi o F with Phi scaled by e^-c, c = k ln2. */
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                zc phi;
                if (i == j) {
                    phi = d.w[i];
                } else {
                    zc li = CMPLX(d.wr[i], d.wi[i]), lj = CMPLX(d.wr[j], d.wi[j]);
                    if (d.wr[i] >= d.wr[j])
                        phi = d.w[i] * exprel(lj - li);
                    else
                        phi = d.w[j] * exprel(li - lj);
                }
                M[i + (size_t)j * n] = F[i + (size_t)j * n] * phi;
            }
        /* Kt = (V M)^T; Bt = (V diag(w))^T; both <- ( . V^-1)^T in one solve. */
        cblas_zgemm(CblasColMajor, CblasTrans, CblasTrans, n, n, n, &one, M, n, d.V, n, &zero,
                    Kt, n), products += 4;
        if (X)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                    Bt[j + (size_t)i * n] = d.V[i + (size_t)j * n] * d.w[j];
        if ((st = right_solve(&d, nrhs, Kt, info)) != EXPM_OK)
            goto out;
        imag = real_transpose(n, Kt, ws.R1);
        if (X)
            imag = fmax(imag, real_transpose(n, Bt, ws.R2));
        int fin = expm_dall_finite(n, n, ws.R1, n) && (!X || expm_dall_finite(n, n, ws.R2, n));
        if (fin || attempt > 0 || k != 0)
            break;
        k = full_shift(d.mu);   /* an intermediate overflowed: retry with e^mu out */
    }
    if (!expm_dall_finite(n, n, ws.R1, n) || (X && !expm_dall_finite(n, n, ws.R2, n))) {
        st = nonfinite(&d, "L(A,E)", info);
        goto out;
    }
    if (warn(&d, 1, imag, info)) {
        bounds_t b = log_bounds(n, A, lda, &d, ws.VR, ws.wr + 2 * n);
        if (nE > 0.0) {
            double lnF = log(expm_dnormfro(n, n, E, lde));
            double lnb = fmin(fmin(b.mu1 + log(nE), b.mu2n + lnF), b.alphan + 2.0 * b.lnS + lnF);
            st = check_bound(&d, n, ws.R1, d.k + p, lnb, "L(A,E)", info);
        }
        if (st == EXPM_OK && X)
            st = check_bound(&d, n, ws.R2, d.k, fmin(fmin(b.mu1, b.mu2n), b.alphan + b.lnS),
                             "exp(A)", info);
        if (st != EXPM_OK)
            goto out;
    }
    /* Outputs only on success: X goes through S first, then L, then S -> X. */
    if (X) {
        st = expm_unscale_result(n, n, ws.R2, n, d.k, ws.S, n, "exp(A)", info);
        if (st != EXPM_OK)
            goto out;
    }
    st = expm_unscale_result(n, n, ws.R1, n, d.k + p, L, ldl, "L(A,E)", info);
    if (st == EXPM_OK && X)
        expm_dcopy(n, n, ws.S, n, X, ldx);
    if (st == EXPM_OK && d.underflow && info)
        info->warnings |= EXPM_WARN_UNDERFLOW;
out:
    if (info) {
        info->s = 0;
        info->m = 0;
        info->products = products; /* zgemm counted as 4 real products */
        info->solves = 1;
    }
    ws_free(&ws);
    return st;
}
