/* status.c -- status strings and the info struct. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dense.h"

const char *expm_strerror(expm_status status)
{
    switch (status) {
    case EXPM_OK: return "success";
    case EXPM_EINVAL: return "invalid argument or malformed input";
    case EXPM_ENOMEM: return "out of memory";
    case EXPM_EOVERFLOW: return "result overflows double precision";
    case EXPM_ENONFINITE: return "non-finite value in the computation";
    case EXPM_ENOMETHOD: return "no such method";
    case EXPM_EUNSUPPORTED: return "method does not support this computation";
    case EXPM_ESINGULAR: return "singular linear system";
    case EXPM_ENOCONV: return "no convergence / result could not be certified";
    case EXPM_ELAPACK: return "LAPACK argument error (internal bug)";
    }
    return "unknown status";
}

/* Field by field: the 160-byte message needs only its terminator, and a
 * memset of the whole struct, done at each layer of a small call (api,
 * pade, pade_small), was 4% of a 4x4 exp (perf). */
void expm_info_clear(expm_info_t *info)
{
    if (!info)
        return;
    info->s = 0, info->m = 0;
    info->products = 0, info->solves = 0, info->resolves = 0;
    info->warnings = 0;
    info->cond = 0.0, info->log10_norm = 0.0;
    info->message[0] = '\0';
}

void expm_info_msg(expm_info_t *info, const char *fmt, ...)
{
    if (!info)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info->message, sizeof info->message, fmt, ap);
    va_end(ap);
}

expm_status expm_check_square(int n, const double *A, int lda, const char *what,
                              int check_finite, expm_info_t *info)
{
    if (n < 0) {
        expm_info_msg(info, "n = %d is negative", n);
        return EXPM_EINVAL;
    }
    if (lda < (n > 1 ? n : 1)) {
        expm_info_msg(info, "leading dimension of %s is %d < max(1,n) = %d", what, lda,
                      n > 1 ? n : 1);
        return EXPM_EINVAL;
    }
    if (n > 0 && !A) {
        expm_info_msg(info, "%s is NULL", what);
        return EXPM_EINVAL;
    }
    if (check_finite && !expm_dall_finite(n, n, A, lda))
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                double a = A[i + (size_t)j * lda];
                if (a != a || a - a != 0.0) {
                    expm_info_msg(info, "%s(%d,%d) = %g is not finite", what, i + 1, j + 1, a);
                    return EXPM_EINVAL;
                }
            }
    return EXPM_OK;
}
