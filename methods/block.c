/* block.c -- L(A,E) as the (1,2) block of exp([[A, E], [0, A]])
 * (Van Loan 1978, "Computing integrals involving the matrix exponential";
 * Mathias 1996; Higham, Functions of Matrices, Thm 3.6), the exponential of
 * the 2n-by-2n matrix taken by the default Pade algorithm (pade.c).
 * Costs about 8x an n-by-n exp; its accuracy is that of expm on a matrix
 * whose norm includes ||E||, so E is first scaled to ||E||_1 = ||A||_1 (L is
 * linear in E) to keep the block balanced. */
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "methods.h"

expm_status expm_block_frechet(int n, const double *A, int lda, const double *E, int lde,
                               double *L, int ldl, double *X, int ldx, expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, E, lde, "E", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, L, ldl, "L", 0, info);
    if (st == EXPM_OK && X)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    if (n > 32767) {
        expm_info_msg(info, "n = %d too large for the 2n block matrix", n);
        return EXPM_EINVAL;
    }
    int n2 = 2 * n;
    double *M = expm_dalloc(n2, 2);
    if (!M) {
        expm_info_msg(info, "cannot allocate the %dx%d block matrix", n2, n2);
        return EXPM_ENOMEM;
    }
    double *XM = M + (size_t)n2 * n2;

    /* Scale E by 2^k (exact) to ||2^k E||_1 in [2^(t-1), 2^t), t the
     * exponent of ||A||_1 clamped to [-500, 0]. Every operation on the
     * (1,2) block is linear in E, so the scale changes no relative error
     * of L; what it does change: a larger E adds to the norm of the block
     * matrix (more squarings), and makes 2^k L overflow where L does not
     * (A = 709, E = 1 was reported as overflow with t = 10, L = 8.2e307);
     * a subnormal E loses bits (A = 5e-324 I, E = ones gave L = 0 with
     * t = -1074). Both found by an outside audit. */
    double na = expm_dnorm1(n, n, A, lda), ne = expm_dnorm1(n, n, E, lde);
    int k = 0, ee = 0;
    if (ne > 0.0) {   /* ee: also when ||E||_1 overflows (entries near DBL_MAX) */
        int ea = 0;
        ee = expm_dnorm1_exponent(n, n, E, lde);
        if (na > 0.0)
            frexp(na, &ea);
        k = (ea < -500 ? -500 : ea > 0 ? 0 : ea) - ee;
    }
    /* Lower triangular A (not diagonal): the block matrix of A^T and E^T,
     * L(A,E) = L(A^T,E^T)^T. It is upper triangular, so pade takes its
     * triangular path (exact diagonal and superdiagonal in every squaring);
     * [[A,E],[0,A]] itself is triangular in neither direction. Measured on
     * a lower bidiagonal A with 1e7 below the diagonal (n = 6, E = ones):
     * relative error of L 1.0e-10 -> 2e-16 (mpmath); 1.8e116 on a 9x9. */
    int trans = 1, upper = 1;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            if (A[i + (size_t)j * lda] != 0.0) {
                upper &= i <= j;
                trans &= i >= j;
            }
    trans &= !upper;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            int si = trans ? j : i, sj = trans ? i : j;
            double a = A[si + (size_t)sj * lda];
            M[i + (size_t)j * n2] = a;
            M[n + i + (size_t)(n + j) * n2] = a;
            M[i + (size_t)(n + j) * n2] = ldexp(E[si + (size_t)sj * lde], k);
        }
    st = expm_pade_exp(n2, M, n2, XM, n2, info);
    int kr = ee < -500 ? -500 - ee : 0;   /* E as given, or at ||E||_1 ~ 2^-500 */
    if (st == EXPM_EOVERFLOW && k > kr) {
        /* E was scaled up (||E||_1 < ||A||_1 or < 1) and the block overflowed:
         * L can reach ||A||^2 ||E|| ([[0,1e160],[0,0]] with E_21 = 1e-160: L_12
         * = 1.7e159, 1.7e319 with E scaled to ||E||_1 = 1; an outside audit),
         * so the block of E as given decides (scaled up to ||E||_1 ~ 2^-500
         * if below: a block of 1e-250 loses E to underflow, L = 0). */
        k = kr;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                M[i + (size_t)(n + j) * n2] =
                    ldexp(trans ? E[j + (size_t)i * lde] : E[i + (size_t)j * lde], k);
        st = expm_pade_exp(n2, M, n2, XM, n2, info);
    }
    if (st == EXPM_OK) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                double l = ldexp(XM[i + (size_t)(n + j) * n2], -k);
                if (!isfinite(l)) {
                    expm_info_msg(info, "L(A,E) overflows double");
                    st = EXPM_EOVERFLOW;
                }
            }
    } else if (info && st == EXPM_EOVERFLOW) {
        expm_info_msg(info, "the block exponential exp([[A,E],[0,A]]) overflows double: ~1e%.0f",
                      info->log10_norm);
    }
    if (st == EXPM_OK) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                L[trans ? j + (size_t)i * ldl : i + (size_t)j * ldl] =
                    ldexp(XM[i + (size_t)(n + j) * n2], -k);
        if (X && trans)
            expm_dtranspose(n, XM, n2, X, ldx);
        else if (X)
            expm_dcopy(n, n, XM, n2, X, ldx);
        if (info)
            info->products = info->products * 8; /* each 2n product = 8 n-by-n products */
        if (info && (info->warnings & EXPM_WARN_ILLCOND)) {
            /* pade's kappa is that of the 2n block matrix, whose zero (2,1)
             * block is no part of the problem (a rotated 6x6 Jordan block,
             * s = 1e3: u*kappa = 49 there, L off by 1.2e-5): A's own decides. */
            info->warnings &= ~(unsigned)EXPM_WARN_ILLCOND;
            info->message[0] = '\0';
            st = expm_pade_schur_illcond(n, A, lda, "L(A,E)", info);
        }
    }
    free(M);
    return st;
}
