/*
 * illcond.c -- EXPM_WARN_ILLCOND: an estimate (a lower bound in exact
 * arithmetic) of kappa_exp on the real Schur form T of (balanced) A, for
 * pade-schur and the default's Schur path.
 *
 * Why: on rotated Jordan blocks Q s(N + lI) Q^T (k >= 5, s >~ 2e4; an
 * outside audit) a perturbation of size u||A|| moves the eigenvalues by
 * ~(u ||A|| s^(k-1))^(1/k) ~ 1e2, and every double method returns garbage
 * (k = 6: relative error 3.5e6). That is the condition of the problem, not
 * of the method: u kappa_exp = 25 there. The verdict of scaling.c sees only
 * u||A|| (4e-12) and stayed silent. These matrices reach the Schur path
 * through the hump test (the rotation makes |Z|^2 >> Z^2 in the squarings),
 * where T and exp(T) are at hand.
 *
 * How: kappa_exp(T) = ||L(T)||_F ||T||_F / ||exp(T)||_F is kappa_exp of the
 * balanced A (Frobenius norms are orthogonally invariant), and any
 * direction gives ||L(T)|| >= ||L(T,E)||_F / ||E||_F: a lower bound in
 * exact arithmetic, so the warning is no false alarm of the estimate while
 * the derivatives are accurate. Where u kappa >= 1 they are not (kappa
 * itself is then not resolved in double): an outside audit measured the
 * printed value up to 12.9x above the true kappa for exp (5x5 S J S^-1,
 * u kappa = 20) and 82x for the adjoint, so the message says "~", not
 * ">=". Directions: E0 = exp(T)^T (for exp(T) ~ sigma u v^T, the worst
 * direction is v u^T), then
 * one adjoint step of the power method (Higham, Functions of Matrices, Alg.
 * 3.20): L(T)^* G = L(T^T, G) = L(T, G^T)^T. Both on T - alpha I (alpha the
 * largest diagonal entry, so exp stays near 1 in size: L and exp scale by the
 * same e^-alpha). Two Frechet evaluations (~2x pade on T), only when an
 * upper bound leaves u kappa >= 2^-10 possible: ||L(T)||_F <= h(1), h(tau) =
 * max_{0<=t<=tau} ||exp((tau-t)T)||_2 ||exp(tT)||_2 (L(T,E) = int_0^1
 * exp((1-t)T) E exp(tT) dt). Splitting off exp(tau T/2) from the longer
 * factor gives h(tau) <= ||exp(tau T/2)||_2 h(tau/2), so h(1) <= prod_{j=1..s}
 * ||exp(2^-j T)||_2 e^(2^-s mu(T)), with the norms of the squaring phase's
 * iterates (expm_pade_core's ln_h) and ||exp(tT)||_2 <= e^(t mu) for the
 * last piece (mu the logarithmic 2-norm, by Gershgorin on (T + T^T)/2).
 * With s = 0 it is e^mu alone, which fired on random A of ||A||_1 = 1000
 * (n = 16..256: pade-schur 2-2.7x slower) where kappa is small.
 *
 * Not flagged (and why that is right): triangular A (exact diagonal, the
 * normwise kappa is no measure of the structured result), graded A (kappa
 * of the balanced matrix: ~1 on the test set's graded and O-series
 * matrices, where kappa(A) reaches 1e39).
 */
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "methods.h"

/* ln of the bound on kappa_F(T): base = ln(||T||_F / ||exp(T)||_F). */
static double ln_upper(double base, double mu, int s, double ln_h)
{
    double b = base + mu;   /* ||L(T)||_F <= e^mu */
    if (s > 0 && isfinite(ln_h))
        b = fmin(b, base + ln_h + ldexp(mu, -s));
    return b;
}

expm_status expm_illcond_check(int n, const double *T, int ldt, const int *blk, const double *Z,
                               int ldz, long e, int s, double ln_h, const char *what,
                               double *kappa_lo, expm_info_t *info)
{
    const double u = 0x1p-53;
    if (kappa_lo)
        *kappa_lo = 0.0;
    if (n < 2)
        return EXPM_OK;
    /* ln of the upper bound; ||exp(T)||_F = ||Z||_F 2^e. */
    double alpha = -INFINITY, mu = -INFINITY;
    for (int i = 0; i < n; i++) {
        double r = 0.0;
        for (int j = 0; j < n; j++)
            if (j != i)
                r += 0.5 * (fabs(T[i + (size_t)j * ldt]) + fabs(T[j + (size_t)i * ldt]));
        double d = T[i + (size_t)i * ldt];
        alpha = fmax(alpha, d);
        mu = fmax(mu, d + r);
    }
    double nT = expm_dnormfro(n, n, T, ldt), nZ = expm_dnormfro(n, n, Z, ldz);
    if (!(nT > 0.0) || !(nZ > 0.0) || !isfinite(nT) || !isfinite(nZ) || !isfinite(mu))
        return EXPM_OK;
    double base = log(nT) - (log(nZ) + (double)e * 0.69314718055994530942);
    double thr = log(EXPM_UNCERTAIN_MIN / u);
    if (ln_upper(base, mu, s, ln_h) < thr)
        return EXPM_OK;
    /* Gershgorin's mu is loose for a dense T: random A, ||A||_1 = 1000, n =
     * 256 (s = 5): 552 against mu_2 = 94.5, and its 2^-5 mu alone (17) took
     * the bound past the threshold (31.6 > 29.8; 17.3 with mu_2; n = 1024:
     * 36.1 -> 20.1) where the estimate gave kappa >= 2.8e3 only. The
     * exact mu_2 (expm_mu2_upper: the largest eigenvalue of (T + T^T)/2,
     * ~4/3 n^3 flops, ~1/20 of the Schur form's) decides before any Frechet
     * call. */
    mu = expm_mu2_upper(n, T, ldt, 0.0);
    if (isfinite(mu) && ln_upper(base, mu, s, ln_h) < thr)
        return EXPM_OK;

    size_t nn = (size_t)n * n;
    double *ws = expm_dalloc_uninit(n, 4);
    if (!ws)
        return EXPM_ENOMEM;
    double *Ts = ws, *Ed = ws + nn, *L = ws + 2 * nn, *X = ws + 3 * nn;
    expm_dcopy(n, n, T, ldt, Ts, n);
    for (int i = 0; i < n; i++)
        Ts[i + (size_t)i * n] -= alpha;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            Ed[i + (size_t)j * n] = Z[j + (size_t)i * ldz] / nZ;
    double best = 0.0, nX = 0.0;
    expm_info_t loc;
    for (int step = 0; step < 2; step++) {
        expm_info_clear(&loc);
        if (expm_pade_frechet_quasi(n, Ts, n, blk, Ed, n, L, n, X, n, NULL, &loc) != EXPM_OK)
            break;
        double nL = expm_dnormfro(n, n, L, n);
        nX = expm_dnormfro(n, n, X, n);
        if (!(nL > 0.0) || !isfinite(nL) || !(nX > 0.0) || !isfinite(nX))
            break;
        best = fmax(best, nL);   /* ||Ed||_F = 1 */
        for (int j = 0; j < n; j++)   /* next direction: (L / ||L||)^T */
            for (int i = 0; i < n; i++)
                Ed[i + (size_t)j * n] = L[j + (size_t)i * n] / nL;
    }
    free(ws);
    if (!(best > 0.0))
        return EXPM_OK;
    double kappa = best * nT / nX;
    if (kappa_lo)
        *kappa_lo = kappa;
    if (!info || !(u * kappa >= EXPM_UNCERTAIN_MIN))
        return EXPM_OK;
    info->warnings |= EXPM_WARN_ILLCOND;
    if (u * kappa < 1.0)
        expm_info_msg(info, "exp is ill-conditioned at A: kappa_exp ~ %.2g (A balanced; "
                      "Frechet derivatives on its Schur form), so rounding A alone changes "
                      "exp(A) by a relative ~u*kappa = %.2g: expect %s no more accurate",
                      kappa, u * kappa, what);
    else
        expm_info_msg(info, "exp is ill-conditioned at A: kappa_exp ~ %.2g (A balanced; "
                      "Frechet derivatives on its Schur form), u*kappa = %.2g: %s may have "
                      "no correct digits", kappa, u * kappa, what);
    return EXPM_OK;
}
