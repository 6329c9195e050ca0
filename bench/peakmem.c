/*
 * peakmem.c -- the heap expmkit itself allocates during one call, measured:
 *   peakmem [-m METHOD] A.mtx [E.mtx]
 * prints `PEAK_BYTES ALLOCATIONS` for exp(A) (or L(A,E) with E): the
 * largest number of bytes live at once, counted from the start of the call,
 * and the number of malloc/calloc/realloc calls it made.
 * How: this program links libexpmkit.a with -Wl,--wrap=malloc (calloc,
 * realloc, posix_memalign, free), so every allocation the library's objects make goes
 * through the counters below; BLAS's own buffers (OpenBLAS, a shared
 * library, allocated once per process) are not expmkit's workspace and are
 * not counted. Issue 9: workspace bounded, no allocation per squaring --
 * the same ALLOCATIONS for matrices that need different numbers of
 * squarings shows the latter.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expmkit.h"

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void __real_free(void *);
int __real_posix_memalign(void **, size_t, size_t);

/* A 16-byte header before each block (alignment kept) records its size and
 * the pointer the real allocator returned (they differ for posix_memalign,
 * which expmkit uses for workspaces of 4 MiB and more, src/dense.c). */
#define HDR 16
static size_t live, peak, count;

static void *note(char *base, char *user, size_t sz)
{
    if (!base)
        return NULL;
    memcpy(user - HDR, &sz, sizeof sz);
    memcpy(user - HDR + sizeof sz, &base, sizeof base);
    live += sz;
    if (live > peak)
        peak = live;
    count++;
    return user;
}

static size_t size_of(void *q, char **base)
{
    size_t sz;
    memcpy(&sz, (char *)q - HDR, sizeof sz);
    memcpy(base, (char *)q - HDR + sizeof sz, sizeof *base);
    return sz;
}

void *__wrap_malloc(size_t sz)
{
    if (sz > (size_t)-1 - HDR)
        return NULL;
    char *p = __real_malloc(sz + HDR);
    return note(p, p ? p + HDR : NULL, sz);
}

void *__wrap_calloc(size_t k, size_t sz)
{
    if (sz && k > ((size_t)-1 - HDR) / sz)
        return NULL;
    char *p = __real_calloc(1, k * sz + HDR);
    return note(p, p ? p + HDR : NULL, k * sz);
}

int __wrap_posix_memalign(void **out, size_t align, size_t sz)
{
    void *p;
    if (align < HDR || sz > (size_t)-1 - align)
        return 22; /* EINVAL */
    int rc = __real_posix_memalign(&p, align, sz + align);
    if (rc != 0)
        return rc;
    *out = note(p, (char *)p + align, sz);
    return 0;
}

void __wrap_free(void *q)
{
    if (!q)
        return;
    char *base;
    live -= size_of(q, &base);
    __real_free(base);
}

void *__wrap_realloc(void *q, size_t sz)
{
    if (!q)
        return __wrap_malloc(sz);
    char *base;
    size_t old = size_of(q, &base);
    if (base + HDR != (char *)q) { /* an aligned block: move by hand */
        void *r = __wrap_malloc(sz);
        if (r) {
            memcpy(r, q, old < sz ? old : sz);
            __wrap_free(q);
        }
        return r;
    }
    char *r = __real_realloc(base, sz + HDR);
    if (!r)
        return NULL;
    live -= old;
    count--; /* note() counts it once */
    return note(r, r + HDR, sz);
}

int main(int argc, char **argv)
{
    const char *method = NULL;
    int a = 1;
    if (argc > 2 && strcmp(argv[1], "-m") == 0)
        method = argv[2], a = 3;
    if (argc - a < 1 || argc - a > 2) {
        fprintf(stderr, "usage: peakmem [-m METHOD] A.mtx [E.mtx]\n");
        return 2;
    }
    char err[512];
    expm_matrix_t A, E;
    memset(&E, 0, sizeof E);
    if (expm_mm_read(argv[a], &A, err, sizeof err) != EXPM_OK ||
        (argc - a == 2 && expm_mm_read(argv[a + 1], &E, err, sizeof err) != EXPM_OK)) {
        fprintf(stderr, "peakmem: %s\n", err);
        return 2;
    }
    int n = A.rows;
    double *R = malloc(sizeof(double) * ((size_t)n * n + 1));
    if (!R)
        return 1;
    expm_info_t info;
    size_t base = live;
    peak = live, count = 0;
    expm_status st = argc - a == 2
                         ? expm_frechet(method, n, A.data, n, E.data, n, R, n, NULL, 0, &info)
                         : expm_exp(method, n, A.data, n, R, n, &info);
    if (st != EXPM_OK) {
        fprintf(stderr, "peakmem: %s: %s\n", expm_strerror(st), info.message);
        return 1;
    }
    printf("%% n=%d s=%d m=%d\n%zu %zu\n", n, info.s, info.m, peak - base, count);
    free(R);
    expm_matrix_free(&A);
    if (argc - a == 2)
        expm_matrix_free(&E);
    return 0;
}
