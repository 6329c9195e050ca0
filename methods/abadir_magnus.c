/*
 * abadir_magnus.c -- L(A,E) from the power series of Abadir & Magnus,
 * "Matrix Algebra" (CUP 2005), Exercise 13.29:
 *
 *     L(A,E) = sum_{k>=0} 1/(k+1)! sum_{j=0..k} A^j E A^(k-j),
 *
 * summed together with exp(A) = sum_k A^k/k! by the recurrence
 *
 *     P_0 = I, T_0 = E;  P_k = A P_{k-1} / k,  T_k = (A T_{k-1} + E P_k) / (k+1),
 *
 * (T_k = S_k/(k+1)! with S_k = sum_j A^j E A^(k-j) = A S_{k-1} + E A^k), three
 * products per term, L = sum T_k, exp(A) = sum P_k.
 *
 * Stopping rule (a certified tail bound, not "the sum stopped changing"):
 * with alpha = ||A^k||^(1/k) and C = max_{r<k} ||A^r|| / alpha^r (both from
 * the terms already formed, ||A^r|| = r! ||P_r||), every later power obeys
 * ||A^j|| <= C alpha^j (write j = qk + r). Hence, once k + 2 > alpha,
 *     sum_{j>k} ||P_j|| <= C alpha^(k+1)/(k+1)! / (1 - alpha/(k+2)),
 *     sum_{j>k} ||T_j|| <= ||E|| C^2 alpha^(k+1)/(k+1)! / (1 - alpha/(k+2))
 * (||T_j|| <= ||E|| sum_i ||A^i|| ||A^(j-i)|| / (j+1)! <= ||E|| C^2 alpha^j / j!).
 * The sum stops when both tails are below u/2 times the 1-norm of their
 * sums. Unlike a rule "k > ||A||_1", this terminates after a few dozen terms
 * for non-normal matrices whose powers stay small (e.g. [[1,1e17],[0,1]]).
 * An exactly zero power (nilpotent A) ends exp(A); L then has at most
 * 2k-1 nonzero terms. The number of terms is capped (MAX_TERMS), so the work
 * is bounded: at the cap the result is EXPM_ENOCONV.
 *
 * Where it fails (`abadir-magnus`, the plain series):
 *   - ||A|| >> 1 with exp(A) small (negative eigenvalues, rotations): the
 *     terms grow to ~e^||A|| before they decay, and the sum cancels to a
 *     result ~e^alpha(A): relative error ~ u e^(2||A||) (A = -30: measured 1.3e9
 *     -- no correct digit). This is detected: info->cond receives the summation
 *     amplification max(sum ||T_k|| / ||L||, sum ||P_k|| / ||X||), and a
 *     warning (EXPM_WARN_NOT_CONVERGED with a message) is set when it exceeds
 *     1e4 (more than four digits lost; measured error ~ u times it: C4 amp
 *     7.7e7, error 1.3e-9; C9 2.3e9, 1e-6; rotation 100 1e17, 3e26); the
 *     result is still returned so that it can be measured.
 *   - ||A|| >~ 700 (rho(A) or the growth of ||A^k||): a term overflows
 *     (EXPM_EOVERFLOW when exp(A) itself does, else EXPM_ENONFINITE with a
 *     message): measured on O3, O9, O10, O11, O12, F5, X3, A14 of the named
 *     set. The term cap is a safeguard on the work; the terms overflow
 *     before it is reached (X1, 690 I + randn, needs 933 terms).
 * `abadir-magnus-ss` sums the series for 2^-s A with ||2^-s A||_1 <= 1/2
 * (about 17 terms, no cancellation) and squares s times (L <- X L + L X,
 * X <- X^2) with the overflow-safe helpers of scaling.c. s comes from ||A||_1,
 * so strongly non-normal matrices with ||A|| >> rho(A) are over-scaled: it
 * has no Pade-style ell correction nor triangular fix-up, and 2^-s a_ii falls
 * below u, so exp(2^-s a_ii) rounds to 1 and the diagonal is lost (measured
 * relative error of L: O1 [[1,1e17],[0,1]] s = 58, 0.63; O13 0.08; T2 0.025;
 * D14 8.5e-4 -- all with kappa_exp > 1e33, so phi stays small).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "methods.h"

#define U_DOUBLE 0x1p-53
#define MAX_TERMS 2500   /* e*||A|| terms are needed for ||A|| up to ~800 */
#define WARN_AMPLIFICATION 1e4 /* warn when the terms exceed the result by this:
                                 * more than 4 digits lost to cancellation */

/* ---- the series itself: X = sum P_k, L = sum T_k for A, E (ld n) ---- */

typedef struct {
    int terms;
    long products;
    double amp;      /* max(sum ||T_k|| / ||L||, sum ||P_k|| / ||X||) */
    int capped;      /* MAX_TERMS reached before the tail bound held */
    int nonfinite;   /* a term or a sum overflowed */
} am_result_t;

/* ws: 4 n-by-n matrices. lognorm: MAX_TERMS + 1 doubles. */
static void am_series(int n, const double *A, const double *E, double *L, double *X,
                      double *ws, double *lognorm, am_result_t *r)
{
    size_t nn = (size_t)n * n;
    double *P = ws, *T = ws + nn, *Pn = ws + 2 * nn, *Tn = ws + 3 * nn;
    double normE = expm_dnorm1(n, n, E, n);
    expm_dset_identity(n, 1.0, P, n);
    expm_dset_identity(n, 1.0, X, n);
    expm_dcopy(n, n, E, n, T, n);
    expm_dcopy(n, n, E, n, L, n);
    double sumP = 1.0, sumT = normE;
    lognorm[0] = 0.0;
    int zero_at = 0;            /* k with A^k = 0 exactly, 0 if none yet */
    r->terms = 1;
    r->products = 0;
    r->capped = r->nonfinite = 0;
    r->amp = 1.0;
    double logfact = 0.0;       /* log k! (lgamma would touch the global signgam) */
    int k;
    for (k = 1; k <= MAX_TERMS; k++) {
        /* Pn = A P / k (skipped once A^k = 0). */
        if (!zero_at) {
            expm_dgemm(n, 'N', 'N', 1.0 / k, A, n, P, n, 0.0, Pn, n), r->products++;
        }
        /* Tn = (A T + E Pn) / (k+1). */
        expm_dgemm(n, 'N', 'N', 1.0 / (k + 1), A, n, T, n, 0.0, Tn, n), r->products++;
        if (!zero_at)
            expm_dgemm(n, 'N', 'N', 1.0 / (k + 1), E, n, Pn, n, 1.0, Tn, n), r->products++;
        double np = zero_at ? 0.0 : expm_dnorm1(n, n, Pn, n);
        double nt = expm_dnorm1(n, n, Tn, n);
        if (!isfinite(np) || !isfinite(nt)) {
            r->nonfinite = 1;
            break;
        }
        if (!zero_at) {
            expm_daxpby(n, n, 1.0, Pn, n, 1.0, X, n);
            double *t = P; P = Pn; Pn = t;
        }
        expm_daxpby(n, n, 1.0, Tn, n, 1.0, L, n);
        { double *t = T; T = Tn; Tn = t; }
        sumP += np;
        sumT += nt;
        r->terms = k + 1;
        if (!expm_dall_finite(n, n, X, n) || !expm_dall_finite(n, n, L, n)) {
            r->nonfinite = 1;
            break;
        }
        if (!zero_at && np == 0.0)
            zero_at = k;
        double nX = expm_dnorm1(n, n, X, n), nL = expm_dnorm1(n, n, L, n);
        if (zero_at) {
            /* A^zero_at = 0: exp(A) is complete, and S_j = 0 for j > 2 zero_at - 2. */
            if (k >= 2 * zero_at - 2 || nt == 0.0)
                break;
            continue;
        }
        /* Certified tail bound (see the header). */
        logfact += log((double)k);
        lognorm[k] = log(np) + logfact;
        double la = lognorm[k] / k, lc = 0.0;
        for (int q = 0; q < k; q++)
            lc = fmax(lc, lognorm[q] - q * la);
        double alpha = exp(la);
        if (alpha >= k + 2.0)
            continue;
        double head = (k + 1) * la - (logfact + log(k + 1.0)) - log1p(-alpha / (k + 2.0));
        double tailP = exp(lc + head);
        double tailT = normE * exp(2 * lc + head);
        if (tailP <= 0.5 * U_DOUBLE * nX && tailT <= 0.5 * U_DOUBLE * nL)
            break;
    }
    if (k > MAX_TERMS)
        r->capped = 1;
    double nX = expm_dnorm1(n, n, X, n), nL = expm_dnorm1(n, n, L, n);
    double a1 = nX > 0 ? sumP / nX : 1.0, a2 = nL > 0 ? sumT / nL : 1.0;
    r->amp = fmax(a1, a2);
}

/* Shared driver. ss = 0: plain series; ss = 1: scaling and squaring. */
static expm_status am_frechet(int ss, int n, const double *A, int lda, const double *E,
                              int lde, double *L, int ldl, double *X, int ldx,
                              expm_info_t *info)
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

    double *ws = expm_dalloc(n, 10);
    double *lognorm = malloc((MAX_TERMS + 1) * sizeof(double));
    if (!ws || !lognorm) {
        free(ws); free(lognorm);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *As = ws, *Es = ws + nn, *LS = ws + 2 * nn, *XS = ws + 3 * nn, *W = ws + 4 * nn;
    double *sw = ws + 5 * nn; /* 5 matrices for am_series */

    expm_dcopy(n, n, A, lda, As, n);
    expm_dcopy(n, n, E, lde, Es, n);
    int s = 0;
    double normA = expm_dnorm1(n, n, As, n);
    if (ss && normA > 0.5) {
        /* ||2^-s A||_1 <= 1/2: the series converges in ~17 terms with no
         * growth of the terms, hence no cancellation. */
        int e;
        frexp(normA, &e); /* normA < 2^e */
        s = e + 1;
        expm_dscal(n, n, ldexp(1.0, -s), As, n);
        expm_dscal(n, n, ldexp(1.0, -s), Es, n);
    }
    am_result_t r;
    am_series(n, As, Es, LS, XS, sw, lognorm, &r);
    long products = r.products;

    if (r.nonfinite) {
        expm_info_msg(info, "a term of the series overflowed at k = %d (the terms ||A^k/k!|| "
                      "peak near e^||A||, ||A||_1 = %.3g): use abadir-magnus-ss",
                      r.terms, normA);
        st = expm_overflow_verdict(EXPM_ENONFINITE, n, A, lda,
                                   log10(fmax(expm_dnorm1(n, n, E, lde), DBL_MIN)),
                                   "L(A,E)", info);
        goto out;
    }
    if (r.capped) {
        expm_info_msg(info, "the series did not reach its tail bound within %d terms "
                      "(||A||_1 = %.3g): use abadir-magnus-ss", MAX_TERMS, normA);
        st = EXPM_ENOCONV;
        goto out;
    }

    long eX = 0, eL = 0;
    for (int k = 0; k < s; k++) {
        expm_sym_step(n, XS, n, &eX, LS, n, &eL, W), products += 2;
        expm_square_step(n, XS, n, &eX, W), products++;
    }
    double *Ltmp = W;
    st = expm_unscale_result(n, n, LS, n, eL, Ltmp, n, "L(A,E)", info);
    st = expm_overflow_verdict(st, n, A, lda,
                               log10(fmax(expm_dnorm1(n, n, E, lde), DBL_MIN)), "L(A,E)",
                               info);
    if (st == EXPM_OK && X) {
        double log10L = info ? info->log10_norm : 0.0;
        unsigned w = info ? info->warnings : 0;
        st = expm_unscale_result(n, n, XS, n, eX, X, ldx, "exp(A)", info);
        st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
        if (info && st == EXPM_OK) {
            info->log10_norm = log10L;
            info->warnings |= w;
        }
    }
    if (st == EXPM_OK) {
        expm_dcopy(n, n, Ltmp, n, L, ldl);
        if (info) {
            info->cond = r.amp;
            if (r.amp > WARN_AMPLIFICATION) {
                info->warnings |= EXPM_WARN_NOT_CONVERGED;
                /* u amp >= 1/2: the computed result is itself rounding noise of
                 * size ~u sum ||T_k||, and the true one may be far smaller
                 * (-200 I + randn(2), E = I: "~36 relative error" said, 4.3e155
                 * measured; an outside audit), so no figure is given. */
                if (U_DOUBLE * r.amp < 0.5)
                    expm_info_msg(info, "the series cancelled: its terms were %.2g times the "
                                  "result, so ~%.2g relative error is expected; use "
                                  "abadir-magnus-ss", r.amp, U_DOUBLE * r.amp);
                else
                    expm_info_msg(info, "series cancelled: terms %.2g times the computed "
                                  "result, which is rounding noise: no correct digits, the "
                                  "true one may be far smaller; use abadir-magnus-ss", r.amp);
            }
        }
    }
out:
    if (info) {
        info->m = r.terms;
        info->s = s;
        info->products = products;
        info->solves = 0;
    }
    free(ws);
    free(lognorm);
    return st;
}

expm_status expm_abadir_magnus_frechet(int n, const double *A, int lda, const double *E,
                                       int lde, double *L, int ldl, double *X, int ldx,
                                       expm_info_t *info)
{
    return am_frechet(0, n, A, lda, E, lde, L, ldl, X, ldx, info);
}

expm_status expm_abadir_magnus_ss_frechet(int n, const double *A, int lda, const double *E,
                                          int lde, double *L, int ldl, double *X, int ldx,
                                          expm_info_t *info)
{
    return am_frechet(1, n, A, lda, E, lde, L, ldl, X, ldx, info);
}
