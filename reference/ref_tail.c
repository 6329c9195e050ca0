/*
 * ref_tail.c -- the rigorous Taylor tail bound (Arb's mag_exp_tail) and the
 * choice of the number of terms.
 */
#include <math.h>
#include "ref.h"

/*
 * sum_{k>=N} x^k/k! = x^N/N! sum_{m>=0} x^m N!/(N+m)!
 *                  <= x^N/N! sum_{m>=0} (x/(N+1))^m <= 2 x^N/N!  when N >= 2x.
 * Otherwise the whole series e^x bounds the tail.
 */
void expm_ref_exp_tail(mpfr_t bound, const mpfr_t x, unsigned long N)
{
    if (mpfr_zero_p(x)) {                   /* 0^0 = 1, 0^k = 0 */
        if (N == 0)
            mpfr_set_ui(bound, 1, MPFR_RNDU);
        else
            mpfr_set_zero(bound, 1);
        return;
    }
    if (mpfr_cmp_ui_2exp(x, N, -1) <= 0) {  /* x <= N/2 */
        mpfr_t t, f;
        mpfr_prec_t p = mpfr_get_prec(bound);
        mpfr_init2(t, p);
        mpfr_init2(f, p);
        mpfr_pow_ui(t, x, N, MPFR_RNDU);
        mpfr_fac_ui(f, N, MPFR_RNDD);
        mpfr_div(bound, t, f, MPFR_RNDU);
        mpfr_mul_2ui(bound, bound, 1, MPFR_RNDU);
        mpfr_clear(f);
        mpfr_clear(t);
    } else {
        mpfr_exp(bound, x, MPFR_RNDU);
    }
}

/* tail(M, x) <= 2^-(prec+8) ? */
static int tail_ok(mpfr_t tmp, const mpfr_t x, unsigned long M, mpfr_prec_t prec)
{
    expm_ref_exp_tail(tmp, x, M);
    return mpfr_cmp_ui_2exp(tmp, 1, -(long)(prec + 8)) <= 0;
}

long expm_ref_choose_terms(const mpfr_t x, mpfr_prec_t prec, int frechet,
                           mpfr_t tail_exp, mpfr_t tail_frechet)
{
    long N = frechet ? 2 : 1;
    long shift = frechet ? 1 : 0;          /* the bound is on tail(N - shift) */
    if (!mpfr_zero_p(x)) {
        /* Estimate in double: log2 of 2 x^M / M!, M = N - shift. */
        long ex;
        double d = mpfr_get_d_2exp(&ex, x, MPFR_RNDU);   /* x = d 2^ex */
        double lx = log2(d) + (double)ex;
        double target = -(double)(prec + 8) - 1.0;       /* a bit of margin */
        double lfac = 0.0;                               /* log2 M! */
        long M = N - shift;
        for (long k = 2; k <= M; k++)
            lfac += log2((double)k);
        long cap = 8 * (long)prec + 64;
        while (M < cap && (2.0 * (double)M < mpfr_get_d(x, MPFR_RNDU)
                           || 1.0 + (double)M * lx - lfac > target)) {
            M++;
            lfac += log2((double)M);
        }
        N = M + shift;
        /* Verify rigorously; step up if the estimate was short. */
        mpfr_t t;
        mpfr_init2(t, 64);
        while (!tail_ok(t, x, (unsigned long)(N - shift), prec))
            N++;
        mpfr_clear(t);
    }
    if (tail_exp)
        expm_ref_exp_tail(tail_exp, x, (unsigned long)N);
    if (tail_frechet)
        expm_ref_exp_tail(tail_frechet, x, (unsigned long)(N - 1));
    return N;
}
