/*
 * blas_bound.c -- the BLAS lower bound's unit costs at size N, timed like
 * `expmkit bench`: one dgemm (N x N times N x N) and one LU solve with N
 * right-hand sides (dgetrf + dgetrs, what a Pade step needs), and one
 * further solve with N right-hand sides from the same factors (dgetrs alone:
 * what pade's L(A,E) needs once more, expm_info_t.resolves).
 *   blas_bound N    prints three timing lines (dgemm, LU solve, resolve),
 *                   each `MEDIAN_SECONDS MIN_SECONDS REPEATS`
 */
#include <cblas.h>
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmats.h"
#include "peers/timing.h"

int main(int argc, char **argv)
{
    int n = argc == 2 ? atoi(argv[1]) : 0;
    if (n < 1 || n > 8192) {
        fprintf(stderr, "usage: blas_bound N\n");
        return 2;
    }
    size_t nn = (size_t)n * n;
    double *A = malloc(nn * sizeof *A), *B = malloc(nn * sizeof *B), *C = malloc(nn * sizeof *C),
           *F = malloc(nn * sizeof *F);
    lapack_int *ip = malloc((size_t)n * sizeof *ip);
    if (!A || !B || !C || !F || !ip)
        return 1;
    expm_testmat_randn(n, 1, 1.0, A);
    expm_testmat_randn(n, 2, 1.0, B);
    for (int i = 0; i < n; i++)
        A[(size_t)i * n + i] += 4.0; /* well conditioned for the solve */
    /* PEER_TIME prints its own line; capture both medians on one line. */
    printf("%% dgemm, lu-solve, then resolve, n=%d\n", n);
    PEER_TIME(cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n,
                          0.0, C, n));
    PEER_TIME((memcpy(F, A, nn * sizeof *F), memcpy(C, B, nn * sizeof *C),
               LAPACKE_dgetrf(LAPACK_COL_MAJOR, n, n, F, n, ip),
               LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'N', n, n, F, n, ip, C, n)));
    /* F holds the factors of A from the last dgetrf above. */
    PEER_TIME((memcpy(C, B, nn * sizeof *C),
               LAPACKE_dgetrs(LAPACK_COL_MAJOR, 'N', n, n, F, n, ip, C, n)));
    free(A); free(B); free(C); free(F); free(ip);
    return 0;
}
