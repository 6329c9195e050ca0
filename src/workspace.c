/*
 * workspace.c -- the workspace block that the BLAS-path Pade exp and
 * Frechet derivative (methods/pade.c) keep from one call to the next.
 *
 * Why: a block of 4 MiB and more (9 n^2 doubles from n ~ 240, 19 n^2 from
 * n ~ 170) is served by glibc with a fresh mmap on every call (its dynamic
 * mmap threshold never covers a request as large as the one just freed),
 * and the kernel zeroes each page at first touch: clear_page was 7% of
 * L(A,E) at n = 512 and 6% of exp(A) at n = 256 (perf). Keeping the block
 * for the thread's next call removes that, as OpenBLAS keeps its GEMM
 * buffers and MKL its memory pool (mkl_free_buffers).
 *
 * One block per thread, kept only up to expm_workspace_set_limit() bytes
 * (default EXPM_WORKSPACE_LIMIT_DEFAULT); when a call needs more than the
 * kept block, that block is freed before the new one is allocated, so the
 * peak is never above what allocation per call would reach. Freed at
 * thread exit (pthread key destructor), for the calling thread when the
 * library is unloaded or the process exits (a destructor function), and on
 * demand by expm_workspace_release().
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "dense.h"
#include "expmkit.h"

typedef struct {
    void *p;
    size_t bytes;
} block_t;

#define LIVE_SLOTS 4 /* blocks out at once in one thread (nesting: 2 seen) */

static _Thread_local block_t keep;
static _Thread_local block_t live[LIVE_SLOTS];
static _Atomic size_t limit = EXPM_WORKSPACE_LIMIT_DEFAULT;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static atomic_int key_ok;

static void thread_exit(void *p)
{
    free(p);
}

static void key_init(void)
{
    if (pthread_key_create(&key, thread_exit) == 0)
        atomic_store(&key_ok, 1);
}

/* The key's value mirrors `keep` so that thread_exit frees it. */
static void set_keep(void *p, size_t bytes)
{
    keep.p = p, keep.bytes = bytes;
    if (atomic_load(&key_ok))
        pthread_setspecific(key, p);
}

/* At exit or dlclose: the calling thread's block, and no destructor call
 * into unloaded code afterwards (other threads' blocks are left to the
 * process's end). */
__attribute__((destructor)) static void unload(void)
{
    free(keep.p);
    keep.p = NULL, keep.bytes = 0;
    if (atomic_exchange(&key_ok, 0))
        pthread_key_delete(key);
}

/* Record p as out (for expm_ws_give); untracked when all slots are taken
 * (then it is freed on return, not kept). */
static void track(void *p, size_t bytes)
{
    for (int i = 0; p && i < LIVE_SLOTS; i++)
        if (!live[i].p) {
            live[i].p = p, live[i].bytes = bytes;
            return;
        }
}

double *expm_ws_take(int n, int count)
{
    size_t bytes = expm_dalloc_bytes(n, count);
    if (bytes < EXPM_HUGE_MIN)
        return expm_dalloc_uninit(n, count); /* glibc's heap reuses these */
    if (keep.p && keep.bytes >= bytes) {
        void *p = keep.p;
        size_t have = keep.bytes;
        set_keep(NULL, 0);
        track(p, have);
        return p;
    }
    if (keep.p) {                         /* too small: not kept beside the new one */
        free(keep.p);
        set_keep(NULL, 0);
    }
    double *p = expm_dalloc_uninit(n, count);
    track(p, bytes);
    return p;
}

void expm_ws_give(double *p)
{
    if (!p)
        return;
    for (int i = 0; i < LIVE_SLOTS; i++) {
        if (live[i].p != p)
            continue;
        size_t bytes = live[i].bytes;
        live[i].p = NULL, live[i].bytes = 0;
        if (bytes <= atomic_load(&limit) && bytes > keep.bytes) {
            pthread_once(&once, key_init);
            if (!atomic_load(&key_ok))
                break;                    /* no thread-exit hook: do not keep */
            free(keep.p);
            set_keep(p, bytes);
            return;
        }
        break;
    }
    free(p);
}

void expm_workspace_release(void)
{
    free(keep.p);
    set_keep(NULL, 0);
}

size_t expm_workspace_set_limit(size_t bytes)
{
    size_t old = atomic_exchange(&limit, bytes);
    if (keep.p && keep.bytes > bytes)
        expm_workspace_release();
    return old;
}

size_t expm_workspace_retained(void)
{
    return keep.p ? keep.bytes : 0;
}
