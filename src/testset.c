/* testset.c -- `expmkit testset export DIR` (see testset.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expmkit.h"

#include "testset.h"

static int selected(const expm_testmat_t *t, const expm_testset_opts_t *o)
{
    if (o && o->match && !strstr(t->name, o->match))
        return 0;
    if (o && o->max_n > 0 && t->n > o->max_n)
        return 0;
    return 1;
}

static int write_mtx(const char *dir, const char *slug, const char *what, int n,
                     const double *M, const char *comment, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s.mtx", dir, slug, what);
    FILE *f = fopen(path, "w");
    expm_status st = f ? expm_mm_write(f, n, n, M, n, comment) : EXPM_EINVAL;
    if (f && fclose(f) != 0)
        st = EXPM_EINVAL;
    if (st != EXPM_OK) {
        snprintf(err, errlen, "%s: cannot write: %s", path, f ? "write error" : strerror(errno));
        return -1;
    }
    return 0;
}

static const char *status_word(expm_status st)
{
    return st == EXPM_OK ? "ok" : expm_strerror(st);
}

expm_status expm_testset_export(const char *dir, const expm_testset_opts_t *opts, int *count,
                                char *err, size_t errlen)
{
    char dummy[8];
    if (!err || errlen == 0)
        err = dummy, errlen = sizeof dummy;
    err[0] = '\0';
    if (count)
        *count = 0;
    int total = 0;
    for (int k = 0; k < expm_testmat_count(); k++)
        total += selected(expm_testmat_get(k), opts);
    if (total == 0)
        return EXPM_OK;   /* nothing to write: no directory, no index (count 0) */
    if (!dir || expm_mkdir_p(dir) != 0) {
        snprintf(err, errlen, "%s: cannot create the directory: %s", dir ? dir : "(null)",
                 strerror(errno));
        return EXPM_EINVAL;
    }
    char ipath[4096];
    snprintf(ipath, sizeof ipath, "%s/index.tsv", dir);
    FILE *idx = fopen(ipath, "w");
    if (!idx) {
        snprintf(err, errlen, "%s: cannot write: %s", ipath, strerror(errno));
        return EXPM_EINVAL;
    }
    fprintf(idx, "name\tfile\tn\tkappa\tkappa_method\ttags\tref_exp\tref_frechet\tsource\t"
                 "params\thard\n");
    size_t sz = (size_t)EXPM_TESTMAT_MAXN * EXPM_TESTMAT_MAXN;
    double *A = malloc(sz * sizeof *A), *E = malloc(sz * sizeof *E);
    expm_status st = (A && E) ? EXPM_OK : EXPM_ENOMEM;
    if (st != EXPM_OK)
        snprintf(err, errlen, "out of memory");
    int done = 0;
    for (int k = 0; k < expm_testmat_count() && st == EXPM_OK; k++) {
        const expm_testmat_t *t = expm_testmat_get(k);
        if (!selected(t, opts))
            continue;
        int n = t->n;
        char slug[128], tags[256], comment[512];
        expm_testmat_slug(t, slug, sizeof slug);
        expm_testmat_tagstr(expm_testmat_tags(t), tags, sizeof tags);
        expm_testmat_colmajor(t, A);
        expm_testmat_E(t, E);
        expm_refentry_t r;
        st = expm_refcache_get(opts ? opts->cache : NULL, n, A, E, &r, err, errlen);
        if (st != EXPM_OK) {
            expm_refentry_free(&r);
            break;
        }
        snprintf(comment, sizeof comment, "%s\nsource: %s\nparameters: %s\nwhy hard: %s\ntags: %s",
                 t->name, t->source, t->params, t->hard, tags);
        if (write_mtx(dir, slug, "A", n, A, comment, err, errlen) ||
            write_mtx(dir, slug, "E", n, E, "seeded random direction E (expm_testmat_E)", err,
                      errlen) ||
            (r.X && write_mtx(dir, slug, "X", n, r.X, "certified exp(A) (MPFR reference)", err,
                              errlen)) ||
            (r.L && write_mtx(dir, slug, "L", n, r.L, "certified L(A,E) (MPFR reference)", err,
                              errlen))) {
            st = EXPM_EINVAL;
            expm_refentry_free(&r);
            break;
        }
        fprintf(idx, "%s\t%s\t%d\t%.17g\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t->name, slug, n,
                r.kappa, r.kappa_method, tags, status_word(r.st_exp), status_word(r.st_frechet),
                t->source, t->params, t->hard);
        if (opts && opts->progress)
            opts->progress(opts->ctx, done, total, t, &r);
        expm_refentry_free(&r);
        done++;
    }
    free(A), free(E);
    if (fclose(idx) != 0 && st == EXPM_OK) {
        snprintf(err, errlen, "%s: write error", ipath);
        st = EXPM_EINVAL;
    }
    if (count)
        *count = done;
    return st;
}
