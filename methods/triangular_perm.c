/* triangular_perm.c -- is A a symmetric permutation of a triangular matrix?
 * Then exp(A) = P exp(T) P^T with T = P^T A P upper triangular, whose
 * eigenvalues are its diagonal, exactly: the default computes it on T, where
 * the triangular fix-ups of Al-Mohy & Higham (2009, §2: exact diagonal and
 * superdiagonal in every squaring) apply. Found by an outside audit: permuted
 * triangular matrices with off-diagonal entries 1e10..1e14 gave "NaN or Inf
 * arose" (exit 1) from the dense path. Permuting is exact. */
#include <math.h>
#include <stdlib.h>

#include "methods.h"

int expm_triangular_ul(int n, const double *A, int lda)
{
    int up = 1, lo = 1;
    for (int j = 0; j < n && (up || lo); j++)
        for (int i = 0; i < n; i++)
            if (A[i + (size_t)j * lda] != 0.0) {
                up &= i <= j;
                lo &= i >= j;
            }
    return up || lo;
}

int expm_triangular_any(int n, const double *A, int lda)
{
    if (expm_triangular_ul(n, A, lda))
        return 1;
    if (!expm_triangular_perm(n, A, lda, NULL))
        return 0;
    int *iw = malloc(2 * (size_t)n * sizeof(int));
    int t = iw && expm_triangular_perm(n, A, lda, iw);
    free(iw);
    return t;
}

int expm_triangular_perm(int n, const double *A, int lda, int *iw)
{
    if (n < 3 || !A || lda < n)
        return 0;
    /* A permuted upper triangular matrix has a column with no off-diagonal
     * entry: this O(n) scan rejects a dense A at its first column. */
    int src = 0;
    for (int j = 0; j < n && !src; j++) {
        src = 1;
        for (int i = 0; i < n; i++)
            if (i != j && A[i + (size_t)j * lda] != 0.0) {
                src = 0;
                break;
            }
    }
    if (!src || !iw)
        return src;   /* iw == NULL: only this test, before a caller allocates iw */
    int *perm = iw, *indeg = iw + n, up = 1, lo = 1;
    for (int j = 0; j < n; j++) {
        indeg[j] = 0;
        for (int i = 0; i < n; i++) {
            double a = A[i + (size_t)j * lda];
            if (!isfinite(a))
                return 0;   /* the dense path names the entry */
            if (i != j && a != 0.0) {
                indeg[j]++;
                up &= i < j;
                lo &= i > j;
            }
        }
    }
    if (up || lo)
        return 0;           /* triangular already: the dense path takes it as it is */
    /* Kahn's topological sort of the graph i -> k (a_ik != 0): in that order
     * every nonzero lies above the diagonal. perm doubles as the queue. */
    int head = 0, tail = 0;
    for (int j = 0; j < n; j++)
        if (indeg[j] == 0)
            perm[tail++] = j;
    while (head < tail) {
        int i = perm[head++];
        for (int k = 0; k < n; k++)
            if (k != i && A[i + (size_t)k * lda] != 0.0 && --indeg[k] == 0)
                perm[tail++] = k;
    }
    return tail == n;
}

void expm_perm_gather(int n, const int *perm, const double *A, int lda, double *T, int ldt)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            T[i + (size_t)j * ldt] = A[perm[i] + (size_t)perm[j] * lda];
}

void expm_perm_scatter(int n, const int *perm, const double *T, int ldt, double *A, int lda)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            A[perm[i] + (size_t)perm[j] * lda] = T[i + (size_t)j * ldt];
}
