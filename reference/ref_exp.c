/*
 * ref_exp.c -- expm_ref_exp: certified exp(A) (see ref.h).
 */
#include <string.h>
#include "ref.h"

expm_status expm_ref_exp(int n, const double *A, int lda, double *X, int ldx,
                         long max_precision, expm_ref_info_t *info)
{
    char msg[sizeof info->message] = "";
    expm_status st = expm_ref_validate(n, A, lda, 0, NULL, 1, NULL, 1, 0, X, ldx,
                                       max_precision, msg, sizeof msg);
    if (st != EXPM_OK) {
        if (info) {
            memset(info, 0, sizeof *info);
            memcpy(info->message, msg, sizeof msg);
        }
        return st;
    }
    return expm_ref_certify(n, A, lda, NULL, 1, NULL, 1, X, ldx, max_precision, 0, info);
}
