/*
 * testmats.h -- internal: the named test matrices (IDs and sources from
 * ../shared/TESTSET.md), shared by the tests and the accuracy report.
 */
#ifndef EXPMKIT_TESTMATS_H
#define EXPMKIT_TESTMATS_H

typedef struct {
    const char *name;   /* TESTSET.md ID and name */
    int n;
    double a[16];       /* row-major, n <= 4 */
} expm_testmat_t;

/* Number of named matrices, and the i-th one (NULL out of range). */
int expm_testmat_count(void);
const expm_testmat_t *expm_testmat_get(int i);

/* Column-major copy of entry t into A (n*n doubles). */
void expm_testmat_colmajor(const expm_testmat_t *t, double *A);

#endif
