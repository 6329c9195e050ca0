/*
 * peakmem.c -- the heap expmkit itself allocates during one call, measured:
 *   peakmem [-m METHOD] A.mtx [E.mtx]
 * prints `PEAK_BYTES ALLOCATIONS` for exp(A) (or L(A,E) with E): the
 * largest number of bytes live at once, counted from the start of the call,
 * and the number of malloc/calloc/realloc calls it made.
 * How: this program links libexpmkit.a with -Wl,--wrap=malloc (calloc,
 * realloc, free), so every allocation the library's objects make goes
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

/* A header before each block records its size (16 bytes: alignment kept). */
#define HDR 16
static size_t live, peak, count;

static void *note(char *p, size_t sz)
{
    if (!p)
        return NULL;
    memcpy(p, &sz, sizeof sz);
    live += sz;
    if (live > peak)
        peak = live;
    count++;
    return p + HDR;
}

void *__wrap_malloc(size_t sz)
{
    return sz > (size_t)-1 - HDR ? NULL : note(__real_malloc(sz + HDR), sz);
}

void *__wrap_calloc(size_t k, size_t sz)
{
    if (sz && k > ((size_t)-1 - HDR) / sz)
        return NULL;
    char *p = __real_calloc(1, k * sz + HDR);
    return note(p, k * sz);
}

void __wrap_free(void *q)
{
    if (!q)
        return;
    char *p = (char *)q - HDR;
    size_t sz;
    memcpy(&sz, p, sizeof sz);
    live -= sz;
    __real_free(p);
}

void *__wrap_realloc(void *q, size_t sz)
{
    if (!q)
        return __wrap_malloc(sz);
    char *p = (char *)q - HDR;
    size_t old;
    memcpy(&old, p, sizeof old);
    char *r = __real_realloc(p, sz + HDR);
    if (!r)
        return NULL;
    live -= old;
    count--; /* note() counts it once */
    return note(r, sz);
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
