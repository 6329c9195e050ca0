/* nilpotent.c -- exp(A) and L(A,E) of a strictly triangular A (zero
 * diagonal, so A^n = 0) as finite Taylor sums, for the default pade.
 *
 * Why: exp(A) = sum_{k<n} A^k / k! exactly, with no scaling and no
 * squaring. Scaling and squaring on such an A with huge entries lost the
 * whole answer: AMH's ||A^k||^(1/k) are 0, so s came only from the
 * pre-scaling to ||A||_1 <= 2^100 (pade.c), e.g. s = 648 for the 4x4
 * superdiagonal 1e225; in the 2^e representation of the squarings the
 * identity part underflowed, the nilpotent part then annihilated itself,
 * and the default printed I + A with exit 0 and no warning, where a^2/2 and
 * a^3/6 overflow (relative error 1; an outside audit). The sum has
 * componentwise error ~ n u (exp(|A|))_ij, and overflow of a term is seen
 * as it happens. */
#include <math.h>
#include <stdlib.h>

#include "dense.h"
#include "methods.h"

/* The sums cost up to n - 1 (exp) and 3 (2n - 2) (L) products where Pade
 * takes ~10-20: taken for n <= 32, and beyond only where scaling and
 * squaring loses the answer (||A||_1 > 2^100, pade.c's pre-scaling). */
int expm_nilpotent_candidate(int n, const double *A, int lda)
{
    if (n < 1 || A[0] != 0.0 || A[(size_t)(n - 1) * (lda + 1)] != 0.0)
        return 0;   /* a nonzero diagonal end: O(1) on an ordinary A */
    for (int i = 1; i < n - 1; i++)
        if (A[i + (size_t)i * lda] != 0.0)
            return 0;
    if (!expm_triangular_ul(n, A, lda))   /* with a zero diagonal: strictly */
        return 0;
    return n <= 32 || !(expm_dnorm1(n, n, A, lda) <= 0x1p100);
}

expm_status expm_nilpotent_exp(int n, const double *A, int lda, double *X, int ldx,
                               expm_info_t *info)
{
    double *P = expm_dalloc_uninit(n, 3);
    if (!P) {
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    double *W = P + (size_t)n * n, *S = W + (size_t)n * n;
    expm_dset_identity(n, 1.0, P, n);
    expm_dset_identity(n, 1.0, S, n);
    expm_status st = EXPM_OK;
    int k = 1, products = 0;
    for (; k < n; k++) {
        expm_dgemm(n, 'N', 'N', 1.0 / k, P, n, A, lda, 0.0, W, n), products++;
        if (!expm_dall_finite(n, n, W, n)) {
            /* The size of A^k / k! again from P 2^-p and A 2^-a with norms
             * ~1 (exact scalings): for the message. */
            int ep = expm_dnorm1_exponent(n, n, P, n), ea = expm_dnorm1_exponent(n, n, A, lda);
            expm_dscal_pow2(n, n, -ep, P, n);
            expm_dcopy(n, n, A, lda, W, n);
            expm_dscal_pow2(n, n, -ea, W, n);
            expm_dgemm(n, 'N', 'N', 1.0 / k, P, n, W, n, 0.0, S, n);
            double l10 = EXPM_LOG10_2 * (expm_dlog2norm1(n, n, S, n) + ep + ea);
            char p10[48];
            if (info)
                info->log10_norm = l10;
            expm_info_msg(info, "exp(A) overflows double: A is nilpotent and the term A^%d/%d! "
                          "of its finite Taylor sum has ||.||_1 ~ %s", k, k,
                          expm_pow10_str(l10, p10, sizeof p10));
            st = EXPM_EOVERFLOW;
            break;
        }
        if (expm_dnorm1(n, n, W, n) == 0.0)
            break;     /* A^k = 0 (or underflowed): the sum is complete */
        expm_daxpby(n, n, 1.0, W, n, 1.0, S, n);
        double *t = P;
        P = W, W = t;
    }
    if (st == EXPM_OK && !expm_dall_finite(n, n, S, n)) {
        expm_info_msg(info, "exp(A) overflows double: A is nilpotent and the sum of its "
                      "Taylor terms overflows");
        st = EXPM_EOVERFLOW;
    }
    if (st == EXPM_OK)
        expm_dcopy(n, n, S, n, X, ldx);
    if (info) {
        info->m = k - 1 > 0 ? k - 1 : 0;   /* degree of the Taylor polynomial */
        info->s = 0;
        info->products = products;
        info->solves = 0;
    }
    free(P < W ? P : W);
    return st;
}

/* L(A,E) is the (1,2) block of exp([[A, E], [0, A]]), whose block matrix is
 * nilpotent too (index <= 2n - 1): with X_k = A^k/k! and Y_k the (1,2)
 * block of M^k/k!, Y_k = (A Y_(k-1) + E X_(k-1)) / k, L = sum_k Y_k, and
 * every term vanishes for k >= 2n - 1. The same audit's 1e225 chain had L
 * printed with exit 0 (warned by the trace check), where it overflows. */
expm_status expm_nilpotent_frechet(int n, const double *A, int lda, const double *E, int lde,
                                   double *L, int ldl, double *X, int ldx, expm_info_t *info)
{
    if (!X && expm_dnorm1(n, n, E, lde) == 0.0) {   /* L(A, 0) = 0 however large A is */
        expm_dset_identity(n, 0.0, L, ldl);
        if (info)
            info->m = info->s = 0, info->products = 0, info->solves = 0;
        return EXPM_OK;
    }
    double *P = expm_dalloc_uninit(n, 6);
    if (!P) {
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *Xk = P, *Yk = P + nn, *Xn = P + 2 * nn, *Yn = P + 3 * nn, *SX = P + 4 * nn,
           *SL = P + 5 * nn;
    expm_dset_identity(n, 1.0, Xk, n);
    expm_dset_identity(n, 1.0, SX, n);
    expm_dset_identity(n, 0.0, Yk, n);
    expm_dset_identity(n, 0.0, SL, n);
    expm_status st = EXPM_OK;
    int products = 0, k = 1;
    for (; k < 2 * n; k++) {
        /* Y_k = (A Y_(k-1) + E X_(k-1)) / k, X_k = A X_(k-1) / k */
        /* 1/k inside each product: A Y + E X can overflow where its half
         * does not ([[0, a], [0, 0]], a = 1.7e308: L_12 = a; test_scaling). */
        expm_dgemm(n, 'N', 'N', 1.0 / k, A, lda, Yk, n, 0.0, Yn, n);
        expm_dgemm(n, 'N', 'N', 1.0 / k, E, lde, Xk, n, 1.0, Yn, n);
        expm_dgemm(n, 'N', 'N', 1.0 / k, A, lda, Xk, n, 0.0, Xn, n);
        products += 3;
        if (!expm_dall_finite(n, n, Yn, n) || !expm_dall_finite(n, n, Xn, n)) {
            int lx = X && !expm_dall_finite(n, n, Xn, n);
            expm_info_msg(info, "%s overflows double: A is nilpotent and the term of degree %d "
                          "of the finite Taylor sum of exp([[A, E], [0, A]]) overflows",
                          lx ? "exp(A)" : "L(A,E)", k);
            /* the term's size from the norms of its factors (finite), so
             * that a caller who scaled E (src/api.c) can tell a true
             * overflow of L from one of its own scaling */
            if (info) {
                double lt = lx ? expm_dlog2norm1(n, n, A, lda) + expm_dlog2norm1(n, n, Xk, n)
                               : fmax(expm_dlog2norm1(n, n, A, lda) +
                                          expm_dlog2norm1(n, n, Yk, n),
                                      expm_dlog2norm1(n, n, E, lde) +
                                          expm_dlog2norm1(n, n, Xk, n));
                info->log10_norm = isfinite(lt) ? (lt - log2((double)k)) * EXPM_LOG10_2
                                                : INFINITY;
            }
            st = EXPM_EOVERFLOW;
            break;
        }
        double ny = expm_dnorm1(n, n, Yn, n), nx = expm_dnorm1(n, n, Xn, n);
        if (ny == 0.0 && nx == 0.0)
            break;
        expm_daxpby(n, n, 1.0, Yn, n, 1.0, SL, n);
        expm_daxpby(n, n, 1.0, Xn, n, 1.0, SX, n);
        double *t = Xk; Xk = Xn; Xn = t;
        t = Yk; Yk = Yn; Yn = t;
    }
    if (st == EXPM_OK && (!expm_dall_finite(n, n, SL, n) || !expm_dall_finite(n, n, SX, n))) {
        expm_info_msg(info, "%s overflows double: A is nilpotent and the sum of its Taylor "
                      "terms overflows", expm_dall_finite(n, n, SX, n) ? "L(A,E)" : "exp(A)");
        st = EXPM_EOVERFLOW;
    }
    if (st == EXPM_OK) {
        expm_dcopy(n, n, SL, n, L, ldl);
        if (X)
            expm_dcopy(n, n, SX, n, X, ldx);
    }
    if (info) {
        info->m = k - 1 > 0 ? k - 1 : 0;
        info->s = 0;
        info->products = products;
        info->solves = 0;
    }
    free(P);
    return st;
}
