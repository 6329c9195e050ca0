/*
 * batch.c -- expm_exp_batch: exp of `count` strided n-by-n matrices in one
 * call, shared among POSIX threads (see expmkit.h for the contract).
 *
 * Why a batch entry point: the SSM use (S4/Mamba-style discretisation of
 * 10^5 small blocks per step) pays the per-call overheads of a Python
 * loop or of a BLAS call per 4x4 product many times over the arithmetic.
 * Here the default method with n <= EXPM_PADE_SMALL_MAXN runs the stack-only
 * path of methods/pade_small.c (no malloc, no BLAS), and the matrices are
 * handed out to the threads in chunks from one atomic counter (dynamic
 * scheduling: the cost per matrix varies with its s), so the result of each
 * matrix does not depend on the thread that computed it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "dense.h"
#include "methods.h"

/* Matrices per counter fetch: large enough that the atomic increment is
 * negligible next to ~0.5 us per 4x4 exp, small enough to balance load. */
#define CHUNK_MAX 64
/* Threads per call at most (worker records on the stack). */
#define BATCH_MAX_THREADS 64

typedef struct {
    int n, count, lda, ldx, small, chunk;
    long strideA, strideX;
    const double *A;
    double *X;
    expm_exp_fn fn;
    const char *method;    /* m->name, for expm_exp on huge blocks */
    expm_status *status_each;
    atomic_int next;
} batch_job_t;

typedef struct {
    batch_job_t *job;
    int first_fail;        /* lowest failing k seen by this worker, count if none */
    expm_status fail_st;
    expm_info_t fail_info;
    int m, s;
    long products, solves, resolves;
    unsigned warnings;
} batch_worker_t;

static void *worker(void *arg)
{
    batch_worker_t *w = arg;
    batch_job_t *job = w->job;
    expm_info_t info;
    for (;;) {
        int k0 = atomic_fetch_add_explicit(&job->next, job->chunk, memory_order_relaxed);
        if (k0 >= job->count)
            break;
        int k1 = k0 + job->chunk < job->count ? k0 + job->chunk : job->count;
        for (int k = k0; k < k1; k++) {
            const double *Ak = job->A + (size_t)k * (size_t)job->strideA;
            double *Xk = job->X + (size_t)k * (size_t)job->strideX;
            /* info is always passed: expm_exp(..., &info) is the contract
             * (the overflow verdict of the methods needs it). */
            /* A permuted triangular, strictly triangular (nilpotent.c's
             * finite sum) or strongly graded block goes through
             * expm_pade_exp (the path expm_exp takes) so the batch equals
             * one-by-one calls. */
            int iw[2 * EXPM_PADE_SMALL_MAXN];
            expm_status st;
            if (expm_verdict_may_act(job->n, Ak, job->lda))
                /* huge A: expm_exp's scratch copy and verdict (src/api.c), so
                 * the batch equals one-by-one calls and writes nothing it refuses */
                st = expm_exp(job->method, job->n, Ak, job->lda, Xk, job->ldx, &info);
            else if (job->small && !expm_triangular_perm(job->n, Ak, job->lda, iw) &&
                     !expm_nilpotent_candidate(job->n, Ak, job->lda) &&
                     !expm_pade_graded_candidate(job->n, Ak, job->lda)) {
                /* expm_pade_small_exp without its argument checks: n, lda
                 * and ldx were checked once for all, and A is finite here
                 * (expm_verdict_may_act counts Inf and NaN as large); they
                 * were 3% of a 4x4 batch matrix (perf). */
                expm_info_clear(&info);
                st = job->n == 2 ? expm_exp2x2(Ak, job->lda, Xk, job->ldx, &info)
                                 : expm_pade_small_run(job->n, Ak, job->lda, Xk, job->ldx, &info);
            } else
                st = job->fn(job->n, Ak, job->lda, Xk, job->ldx, &info);
            if (job->status_each)
                job->status_each[k] = st;
            if (st != EXPM_OK) {
                if (k < w->first_fail) {
                    w->first_fail = k;
                    w->fail_st = st;
                    w->fail_info = info;
                }
                continue;
            }
            expm_flag_zero_column(job->n, Xk, job->ldx, &info);   /* as expm_exp */
            w->m = info.m > w->m ? info.m : w->m;
            w->s = info.s > w->s ? info.s : w->s;
            w->products += info.products;
            w->solves += info.solves;
            w->resolves += info.resolves;
            w->warnings |= info.warnings;
        }
    }
    return NULL;
}

static int online_cpus(void)
{
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c >= 1 ? (c > 1024 ? 1024 : (int)c) : 1;
}

expm_status expm_exp_batch(const char *method, int n, int count, const double *A, int lda,
                           long strideA, double *X, int ldx, long strideX, int nthreads,
                           expm_status *status_each, expm_info_t *info)
{
    expm_info_clear(info);
    const expm_method_t *m = expm_method_find(method);
    if (!m) {
        expm_info_msg(info, "unknown method '%s' (see `expmkit methods`)", method);
        return EXPM_ENOMETHOD;
    }
    if (!(m->kinds & EXPM_KIND_EXP)) {
        expm_info_msg(info, "method '%s' does not compute exp(A)", m->name);
        return EXPM_EUNSUPPORTED;
    }
    int ld_min = n > 1 ? n : 1;
    if (n < 0 || count < 0 || nthreads < 0) {
        expm_info_msg(info, "batch: n = %d, count = %d, nthreads = %d (must be >= 0)", n, count,
                      nthreads);
        return EXPM_EINVAL;
    }
    if (lda < ld_min || ldx < ld_min) {
        expm_info_msg(info, "batch: lda = %d, ldx = %d (must be >= max(1,n) = %d)", lda, ldx,
                      ld_min);
        return EXPM_EINVAL;
    }
    if (strideA < 0 || strideX < 0 || (count > 1 && strideX < (long)ldx * n)) {
        expm_info_msg(info, "batch: strideA = %ld, strideX = %ld (must be >= 0, strideX >= "
                      "ldx*n = %ld so that the results do not overlap)", strideA, strideX,
                      (long)ldx * n);
        return EXPM_EINVAL;
    }
    if (n > 0 && count > 0 && (!A || !X)) {
        expm_info_msg(info, "batch: A or X is NULL");
        return EXPM_EINVAL;
    }
    if (n == 0 || count == 0) {
        for (int k = 0; status_each && k < count; k++)
            status_each[k] = EXPM_OK;
        return EXPM_OK;
    }

    if (nthreads == 0)
        nthreads = online_cpus();
    if (nthreads > count)
        nthreads = count;
    if (nthreads > BATCH_MAX_THREADS)
        nthreads = BATCH_MAX_THREADS;
    batch_job_t job = {
        .n = n, .count = count, .lda = lda, .ldx = ldx, .strideA = strideA,
        .strideX = strideX, .A = A, .X = X, .fn = m->exp, .method = m->name,
        .status_each = status_each,
        .small = (m->exp == expm_pade_exp && n <= EXPM_PADE_SMALL_MAXN),
    };
    int chunk = count / (nthreads * 8);
    job.chunk = chunk < 1 ? 1 : (chunk > CHUNK_MAX ? CHUNK_MAX : chunk);
    atomic_init(&job.next, 0);

    /* Worker 0 is the calling thread; the others are started here (their
     * records live on this stack, ~17 KB at most). */
    batch_worker_t w[BATCH_MAX_THREADS];
    pthread_t tid[BATCH_MAX_THREADS];
    int started[BATCH_MAX_THREADS];
    for (int t = 0; t < nthreads; t++) {
        memset(&w[t], 0, sizeof w[t]);
        w[t].job = &job;
        w[t].first_fail = count;
        started[t] = 0;
    }
    for (int t = 1; t < nthreads; t++)
        started[t] = pthread_create(&tid[t], NULL, worker, &w[t]) == 0;
    worker(&w[0]);
    for (int t = 1; t < nthreads; t++)
        if (started[t])
            pthread_join(tid[t], NULL);

    int first = count;
    expm_status st = EXPM_OK;
    int mm = 0, ss = 0;
    long products = 0, solves = 0, resolves = 0;
    unsigned warnings = 0;
    for (int t = 0; t < nthreads; t++) {
        if (w[t].first_fail < first) {
            first = w[t].first_fail;
            st = w[t].fail_st;
            if (info)
                *info = w[t].fail_info;
        }
        mm = w[t].m > mm ? w[t].m : mm;
        ss = w[t].s > ss ? w[t].s : ss;
        products += w[t].products;
        solves += w[t].solves;
        resolves += w[t].resolves;
        warnings |= w[t].warnings;
    }
    if (!info)
        return st;
    if (st != EXPM_OK) {
        char msg[sizeof info->message];
        memcpy(msg, info->message, sizeof msg);
        expm_info_msg(info, "matrix %d of %d: %s", first, count, msg);
        return st;
    }
    info->m = mm;
    info->s = ss;
    info->products = products;
    info->solves = solves;
    info->resolves = resolves;
    info->warnings = warnings;
    return EXPM_OK;
}
