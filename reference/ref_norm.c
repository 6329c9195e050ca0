/*
 * ref_norm.c -- expm_ref_norm1_bound: a rigorous upper bound of ||A||_1.
 */
#include "ref.h"

void expm_ref_norm1_bound(mpfr_t nrm, int n, const double *A, int lda)
{
    mpfr_t s, a;
    mpfr_init2(s, mpfr_get_prec(nrm));
    mpfr_init2(a, 53);
    mpfr_set_zero(nrm, 1);
    for (int j = 0; j < n; j++) {
        mpfr_set_zero(s, 1);
        for (int i = 0; i < n; i++) {
            mpfr_set_d(a, A[i + (size_t)j * lda], MPFR_RNDN);   /* exact */
            if (mpfr_sgn(a) < 0)
                mpfr_sub(s, s, a, MPFR_RNDU);                   /* s + |a| */
            else
                mpfr_add(s, s, a, MPFR_RNDU);
        }
        if (mpfr_cmp(s, nrm) > 0)
            mpfr_set(nrm, s, MPFR_RNDU);
    }
    mpfr_clear(a);
    mpfr_clear(s);
}
