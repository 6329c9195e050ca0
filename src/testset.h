/*
 * testset.h -- internal: `expmkit testset export DIR`, the named test set
 * (src/testmats.c) written as files for checking other implementations.
 *
 * For every selected matrix t (file stem SLUG = expm_testmat_slug):
 *   SLUG.A.mtx  the matrix A          SLUG.E.mtx  the seeded direction E
 *   SLUG.X.mtx  certified exp(A)      SLUG.L.mtx  certified L(A,E)
 * (X / L are absent when the reference fails, e.g. exp(A) overflows; the
 * index says why), and DIR/index.tsv, one line per matrix after a header:
 *   name  file  n  kappa  kappa_method  tags  ref_exp  ref_frechet  source  params  hard
 * with kappa in %.17g (-1 when unavailable) and ref_* "ok" or the failure
 * (expm_strerror). References and kappa come from the cache (refcache.h).
 */
#ifndef EXPMKIT_TESTSET_H
#define EXPMKIT_TESTSET_H

#include <stddef.h>

#include "refcache.h"
#include "testmats.h"

typedef struct {
    const char *match;  /* only names containing this substring (NULL: all) */
    int max_n;          /* only n <= max_n (0: no limit) */
    const char *cache;  /* cache directory, NULL for none */
    /* Called after each matrix (may be NULL): index i of `count` selected. */
    void (*progress)(void *ctx, int i, int count, const expm_testmat_t *t,
                     const expm_refentry_t *r);
    void *ctx;
} expm_testset_opts_t;

/* Export into dir (created if missing). Returns EXPM_OK (and the number of
 * matrices written in *count, may be NULL), or EXPM_EINVAL / EXPM_ENOMEM
 * with a message in err when a file cannot be written. A matrix whose
 * reference fails is not an error: the index records it. When no matrix is
 * selected nothing is created (EXPM_OK, *count = 0; the CLI then exits 2). */
expm_status expm_testset_export(const char *dir, const expm_testset_opts_t *opts, int *count,
                                char *err, size_t errlen);

#endif
