/* api.c -- the public entry points: method lookup, then dispatch. */
#include <stdlib.h>

#include "dense.h"

static expm_status lookup(const char *method, unsigned kind, const expm_method_t **out,
                          expm_info_t *info)
{
    const expm_method_t *m = expm_method_find(method);
    if (!m) {
        expm_info_msg(info, "unknown method '%s' (see `expmkit methods`)", method);
        return EXPM_ENOMETHOD;
    }
    if (!(m->kinds & kind)) {
        expm_info_msg(info, "method '%s' does not compute %s", m->name,
                      kind == EXPM_KIND_EXP ? "exp(A)" : "the Frechet derivative");
        return EXPM_EUNSUPPORTED;
    }
    *out = m;
    return EXPM_OK;
}

expm_status expm_exp(const char *method, int n, const double *A, int lda,
                     double *X, int ldx, expm_info_t *info)
{
    const expm_method_t *m;
    expm_info_clear(info);
    expm_status st = lookup(method, EXPM_KIND_EXP, &m, info);
    return st != EXPM_OK ? st : m->exp(n, A, lda, X, ldx, info);
}

expm_status expm_frechet(const char *method, int n, const double *A, int lda,
                         const double *E, int lde, double *L, int ldl,
                         double *X, int ldx, expm_info_t *info)
{
    const expm_method_t *m;
    expm_info_clear(info);
    expm_status st = lookup(method, EXPM_KIND_FRECHET, &m, info);
    return st != EXPM_OK ? st : m->frechet(n, A, lda, E, lde, L, ldl, X, ldx, info);
}

/* <G, L(A,E)> = <L(A^T,G), E> for exp (real power series), so the adjoint
 * is a Frechet derivative at A^T (Higham, Functions of Matrices, §3.6). */
expm_status expm_adjoint(const char *method, int n, const double *A, int lda,
                         const double *G, int ldg, double *L, int ldl,
                         expm_info_t *info)
{
    const expm_method_t *m;
    expm_info_clear(info);
    expm_status st = lookup(method, EXPM_KIND_FRECHET, &m, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, A, lda, "A", 1, info);
    if (st != EXPM_OK || n == 0)
        return st;
    double *At = expm_dalloc(n, 1);
    if (!At) {
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    expm_dtranspose(n, A, lda, At, n);
    st = m->frechet(n, At, n, G, ldg, L, ldl, NULL, 0, info);
    free(At);
    return st;
}
