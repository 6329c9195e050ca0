/*
 * ref_compare.c -- the agreement test between the p and 2p evaluations,
 * and the Frobenius norm of an MPFR matrix (log10, overflow of double).
 *
 * Rule (documented in ref.h): the pair agrees when
 *   ||X_p - X_2p||_F <= 2^-64 ||X_2p||_F  and
 *   |x_p - x_2p| <= 2^-64 |x_2p|  for every entry with |x_2p| > 2^-(p/2) ||X_2p||_F.
 * Entries at or below the floor are cancelling: only the Frobenius test
 * applies to them. Both zero: agree; ||X_2p||_F == 0 != ||X_p||_F: disagree.
 *
 * All sums are formed on entries scaled by 2^-s (s the largest exponent
 * present, exact power-of-two scaling), so squares neither overflow nor
 * underflow for any matrix MPFR can hold; 64-bit temporaries suffice to
 * decide the tests (which have 2^-64 thresholds, not 2^-64-exact ones).
 */
#include <float.h>
#include <math.h>
#include "ref.h"

#define CMP_PREC 64

static mpfr_exp_t max_exponent(size_t nn, mpfr_t *X, mpfr_t *Y)
{
    int any = 0;
    mpfr_exp_t s = 0;
    for (size_t i = 0; i < nn; i++) {
        if (mpfr_regular_p(X[i]) && (!any || mpfr_get_exp(X[i]) > s)) {
            s = mpfr_get_exp(X[i]);
            any = 1;
        }
        if (Y && mpfr_regular_p(Y[i]) && (!any || mpfr_get_exp(Y[i]) > s)) {
            s = mpfr_get_exp(Y[i]);
            any = 1;
        }
    }
    return any ? s + 1 : 0;
}

void expm_ref_compare(int n, mpfr_t *Xp, mpfr_t *X2p, mpfr_prec_t p,
                      expm_ref_cmp_t *cmp)
{
    size_t nn = (size_t)n * n;
    mpfr_exp_t s = max_exponent(nn, Xp, X2p);
    mpfr_t d, t, sd, sb, lim;
    mpfr_inits2(CMP_PREC, d, t, sd, sb, lim, (mpfr_ptr)0);

    /* Frobenius. */
    mpfr_set_zero(sd, 1);
    mpfr_set_zero(sb, 1);
    for (size_t i = 0; i < nn; i++) {
        mpfr_sub(d, Xp[i], X2p[i], MPFR_RNDN);
        mpfr_mul_2si(d, d, -(long)s, MPFR_RNDN);
        mpfr_fma(sd, d, d, sd, MPFR_RNDN);
        mpfr_mul_2si(t, X2p[i], -(long)s, MPFR_RNDN);
        mpfr_fma(sb, t, t, sb, MPFR_RNDN);
    }
    mpfr_sqrt(sd, sd, MPFR_RNDN);          /* ||X_p - X_2p||_F 2^-s */
    mpfr_sqrt(sb, sb, MPFR_RNDN);          /* ||X_2p||_F 2^-s */
    mpfr_mul_2si(lim, sb, -EXPM_REF_AGREE_BITS, MPFR_RNDN);
    cmp->frob_ok = mpfr_cmp(sd, lim) <= 0;
    if (mpfr_zero_p(sb))
        cmp->rel_frob = mpfr_zero_p(sd) ? 0.0 : INFINITY;
    else {
        mpfr_div(t, sd, sb, MPFR_RNDU);
        cmp->rel_frob = mpfr_get_d(t, MPFR_RNDU);
    }

    /* Entrywise, above the cancellation floor 2^-(p/2) ||X_2p||_F. */
    mpfr_t floor_;
    mpfr_init2(floor_, CMP_PREC);
    mpfr_mul_2si(floor_, sb, -(long)(p / 2), MPFR_RNDN);
    cmp->entry_ok = 1;
    cmp->rel_entry = 0.0;
    cmp->worst_entry = -1;
    cmp->tested = 0;
    for (size_t i = 0; i < nn; i++) {
        mpfr_mul_2si(t, X2p[i], -(long)s, MPFR_RNDN);
        mpfr_abs(t, t, MPFR_RNDN);
        if (mpfr_cmp(t, floor_) <= 0)
            continue;
        cmp->tested++;
        mpfr_sub(d, Xp[i], X2p[i], MPFR_RNDN);
        mpfr_mul_2si(d, d, -(long)s, MPFR_RNDN);
        mpfr_abs(d, d, MPFR_RNDN);
        mpfr_mul_2si(lim, t, -EXPM_REF_AGREE_BITS, MPFR_RNDN);
        if (mpfr_cmp(d, lim) > 0)
            cmp->entry_ok = 0;
        mpfr_div(d, d, t, MPFR_RNDU);
        double rel = mpfr_get_d(d, MPFR_RNDU);
        if (cmp->worst_entry < 0 || rel > cmp->rel_entry) {
            cmp->rel_entry = rel;
            cmp->worst_entry = (int)i;
        }
    }
    cmp->agree = cmp->frob_ok && cmp->entry_ok;
    mpfr_clears(d, t, sd, sb, lim, floor_, (mpfr_ptr)0);
}

double expm_ref_log10_frobenius(int n, mpfr_t *X, int *overflows_double)
{
    size_t nn = (size_t)n * n;
    mpfr_exp_t s = max_exponent(nn, X, NULL);
    mpfr_t t, f;
    mpfr_inits2(CMP_PREC, t, f, (mpfr_ptr)0);
    mpfr_set_zero(f, 1);
    for (size_t i = 0; i < nn; i++) {
        mpfr_mul_2si(t, X[i], -(long)s, MPFR_RNDN);
        mpfr_fma(f, t, t, f, MPFR_RNDN);
    }
    mpfr_sqrt(f, f, MPFR_RNDN);            /* ||X||_F 2^-s, in (2^-1 / n.., 1] */
    double l;
    if (mpfr_zero_p(f)) {
        l = -INFINITY;
        if (overflows_double)
            *overflows_double = 0;
    } else {
        mpfr_log10(t, f, MPFR_RNDN);
        l = mpfr_get_d(t, MPFR_RNDN) + (double)s * 0.30102999566398119521;
        if (overflows_double) {
            mpfr_mul_2si(t, f, (long)s, MPFR_RNDN);     /* Inf beyond MPFR's range */
            *overflows_double = mpfr_cmp_d(t, DBL_MAX) > 0;
        }
    }
    mpfr_clears(t, f, (mpfr_ptr)0);
    return l;
}
