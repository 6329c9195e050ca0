/*
 * ref_validate.c -- argument checks of expm_ref_exp / expm_ref_frechet.
 */
#include <math.h>
#include <stdio.h>
#include "ref.h"

static int check_finite(int n, const double *M, int ld, const char *name,
                        char *msg, size_t msglen)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            if (!isfinite(M[i + (size_t)j * ld])) {
                snprintf(msg, msglen, "%s(%d,%d) = %g is not finite", name,
                         i + 1, j + 1, M[i + (size_t)j * ld]);
                return 0;
            }
    return 1;
}

static int check_ld(int n, int ld, const char *name, char *msg, size_t msglen)
{
    int need = n > 1 ? n : 1;
    if (ld < need) {
        snprintf(msg, msglen, "%s = %d < max(1,n) = %d", name, ld, need);
        return 0;
    }
    return 1;
}

expm_status expm_ref_validate(int n, const double *A, int lda,
                              int need_e, const double *E, int lde,
                              const double *L, int ldl,
                              int x_optional, const double *X, int ldx,
                              long max_precision, char *msg, size_t msglen)
{
    if (n < 0) {
        snprintf(msg, msglen, "n = %d < 0", n);
        return EXPM_EINVAL;
    }
    if (!check_ld(n, lda, "lda", msg, msglen))
        return EXPM_EINVAL;
    if (need_e && (!check_ld(n, lde, "lde", msg, msglen)
                   || !check_ld(n, ldl, "ldl", msg, msglen)))
        return EXPM_EINVAL;
    if ((!x_optional || X) && !check_ld(n, ldx, "ldx", msg, msglen))
        return EXPM_EINVAL;
    if (max_precision < 0 || (max_precision > 0 && max_precision < EXPM_REF_MIN_MAX_PRECISION)) {
        snprintf(msg, msglen, "max_precision = %ld: must be 0 (default %ld) or >= %ld",
                 max_precision, EXPM_REF_MAX_PRECISION, EXPM_REF_MIN_MAX_PRECISION);
        return EXPM_EINVAL;
    }
    if (n == 0)
        return EXPM_OK;
    if (!A) {
        snprintf(msg, msglen, "A is NULL");
        return EXPM_EINVAL;
    }
    if (need_e && !E) {
        snprintf(msg, msglen, "E is NULL");
        return EXPM_EINVAL;
    }
    if (need_e && !L) {
        snprintf(msg, msglen, "L is NULL");
        return EXPM_EINVAL;
    }
    if (!x_optional && !X) {
        snprintf(msg, msglen, "X is NULL");
        return EXPM_EINVAL;
    }
    if (!check_finite(n, A, lda, "A", msg, msglen))
        return EXPM_EINVAL;
    if (need_e && !check_finite(n, E, lde, "E", msg, msglen))
        return EXPM_EINVAL;
    return EXPM_OK;
}
