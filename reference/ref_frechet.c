/*
 * ref_frechet.c -- expm_ref_frechet: certified L(A,E) and, when X is not
 * NULL, exp(A), both from the exponential of [[A, E], [0, A]] (see ref.h).
 */
#include <string.h>
#include "ref.h"

expm_status expm_ref_frechet(int n, const double *A, int lda,
                             const double *E, int lde, double *L, int ldl,
                             double *X, int ldx, long max_precision,
                             expm_ref_info_t *info)
{
    char msg[sizeof info->message] = "";
    expm_status st = expm_ref_validate(n, A, lda, 1, E, lde, L, ldl, 1, X, ldx,
                                       max_precision, msg, sizeof msg);
    if (st != EXPM_OK) {
        if (info) {
            memset(info, 0, sizeof *info);
            memcpy(info->message, msg, sizeof msg);
        }
        return st;
    }
    return expm_ref_certify(n, A, lda, E, lde, L, ldl, X, ldx, max_precision, 0, info);
}
