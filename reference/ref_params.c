/*
 * ref_params.c -- the scaling parameter r and the first working precision.
 */
#include "ref.h"

/* floor(prec^(1/4)), at least 1: Arb's q (arb_mat_exp uses wp^0.25). */
static long quartic_root(mpfr_prec_t prec)
{
    long q = 1;
    while ((q + 1) * (q + 1) * (q + 1) * (q + 1) <= (long)prec)
        q++;
    return q;
}

int expm_ref_choose_squarings(const mpfr_t norm, mpfr_prec_t prec)
{
    if (mpfr_zero_p(norm))
        return 0;
    long q = quartic_root(prec);
    /* norm in [2^(e-1), 2^e): norm < 2^-q  <=>  e <= -q. */
    long e = (long)mpfr_get_exp(norm);
    if (e <= -q)
        return 0;
    long r = q + e;           /* then 2^-r norm < 2^(e-r) = 2^-q */
    return r > 0 ? (int)r : 0;
}

mpfr_prec_t expm_ref_initial_precision(int n, const double *A, int lda)
{
    mpfr_t nrm;
    mpfr_init2(nrm, 64);
    expm_ref_norm1_bound(nrm, n, A, lda);
    /* The squarings at a typical precision (q = 4 at p = 256). */
    long r = expm_ref_choose_squarings(nrm, 256);
    mpfr_clear(nrm);
    long bits = 0;                      /* ceil(log2(n+1)) = bit length of n */
    for (unsigned long m = (unsigned long)n; m; m >>= 1)
        bits++;
    /* 64 bits of agreement on 53-bit results, plus what the r squarings and
     * the sums of n terms can cost, plus a margin. */
    long p = 64 + 53 + r + 2 * bits + 16;
    p = (p + 63) / 64 * 64;
    if (p < 128)
        p = 128;
    return (mpfr_prec_t)p;
}
