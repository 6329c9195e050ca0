/*
 * pade_schur.c -- `pade-schur`: exp(A) = D Q exp(T) Q^T D^-1 with
 * D^-1 A D = Q T Q^T the real Schur form (LAPACK dgees) of A balanced by a
 * power-of-two diagonal D (dgebal; why: see schur() below), exp(T) by Pade
 * scaling and squaring with
 * the triangular refinements of Al-Mohy & Higham, SIMAX 31(3):970-989, 2009,
 * §2 (Code Fragment 2.1): after every squaring the diagonal blocks of
 * exp(2^-i T) are recomputed exactly -- e^t for 1x1 blocks, the closed form of
 * exp2x2.c for the 2x2 blocks of complex pairs -- and so is the
 * superdiagonal between two 1x1 blocks (Higham, Functions of Matrices,
 * eq. (10.42)). m and s are chosen by Alg. 6.1 on T itself (d_k and
 * ell(T,m) of the triangular factor), so nothing is overscaled.
 *
 * Why real and not complex Schur: dgees keeps the work in real arithmetic
 * (a complex Pade costs ~4x the flops, needs zgemm and leaves rounding-level
 * imaginary parts to discard), the back-transformed result is real by
 * construction, and the 2x2 blocks of complex pairs are exactly what the
 * closed form of exp2x2.c computes to full accuracy. What is given up: no
 * exact (k,k+1) entry next to a 2x2 block (no closed form there).
 *
 * Where it matters: strongly non-normal A of large norm (Q T Q^T with a
 * strictly upper T of entries 1e2..1e4 and a negative diagonal). Plain
 * scaling and squaring of A squares through the hump of ||exp(tA)||, and
 * the errors of each squaring (u ||X||^2) are magnified by the later ones;
 * on T the exact diagonal and superdiagonal are restored at every stage, so
 * the errors that drive that growth are removed, and the orthogonal
 * transformations cost only O(u) backward error. Cost: the Schur
 * decomposition (~25 n^3 flops) plus Pade on T plus two products.
 *
 * Failure modes: the Schur form is only backward stable, so the error is
 * bounded by u kappa_exp(A) times a modest factor, not by u: for normal
 * matrices it is as accurate as plain Pade, never more; exp(T) of a T whose
 * squarings overflow is reported as overflow like pade.
 *
 * Frechet: L(A,E) = D Q L(T, Q^T D^-1 E D Q) Q^T D^-1, L(T,.) by AMH 2009 Alg. 6.4 with
 * the exact diagonal blocks of exp(2^-i T) restored in every squaring (the
 * L iterates themselves are not corrected: there is no cheap exact formula
 * for their (k,k+1) entries here).
 */
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "methods.h"

/* A = D Q T Q^T D^-1: D = diag(2^e) from LAPACK dgebal (job 'S', radix 2,
 * so D^-1 A D is exact), Q T Q^T the real Schur form of D^-1 A D (dgees), T
 * made exactly quasi upper triangular, blk its block structure (1 = 1x1,
 * 2 = start of a 2x2 block, 0 = its second row). On return Qd = D Q and
 * Qi = Q^T D^-1 (exact scalings by powers of two), so that
 * exp(A) = Qd exp(T) Qi and L(A,E) = Qd L(T, Qi E Qd) Qi.
 * Why balance: dgees is backward stable relative to ||A||, and for a graded
 * A = D S D^-1 (D over many decades) u ||A|| is far above the size of the
 * eigenvalues of S, whose sensitivity is then up to cond(D): on D S D^-1
 * with S skew-symmetric (||S||_1 = 1e6, D = 10^(0,3,6,9)) dgees of A gave
 * eigenvalues with real parts ~1e5 and exp(A) a relative error of 7.5e68
 * (found by an outside audit; the default switched here on its hump test);
 * balanced, 1.1e-9 (test_pade_schur, graded_skew_balanced).
 * Not balanced unless that lowers ||A||_1 by 2^20 or more (see below).
 * Why dgebal and not src/balance.c: LAPACK >= 3.5 measures rows and columns
 * with their diagonal entries (James, Langou & Lowery 2014), so a matrix
 * whose diagonal dominates is left alone. balance.c leaves the diagonal out
 * (it estimates the D of a graded A for the pivot choice of pade.c) and
 * would scale the nearly defective [[1,1],[1e-16,1]] by 2^27: Schur vectors
 * at 45 degrees, back-transformed by a D of condition 1e8, gave L(A,E) a
 * relative error of 0.14 (P1 m2ex3, measured); dgebal leaves it alone.
 * wr: 2n doubles; Qd, Qi, T: n-by-n; B: n doubles of scratch; ex: n ints. */
static expm_status schur(int n, const double *A, int lda, double *T, double *Qd, double *Qi,
                         int *blk, double *wr, double *B, int *ex, int try_bal,
                         expm_info_t *info)
{
    double *wi = wr + n;
    /* Balanced only for a strong grading (src/grading.c has the rules and
     * their measurements). */
    if (!try_bal || !expm_grading_undo(n, A, lda, -INFINITY, 20, T, n, ex, B)) {
        expm_dcopy(n, n, A, lda, T, n);
        for (int i = 0; i < n; i++)
            ex[i] = 0;
    }
    lapack_int sdim = 0;
    lapack_int rc = LAPACKE_dgees(LAPACK_COL_MAJOR, 'V', 'N', NULL, n, T, n, &sdim, wr, wi, Qd, n);
    if (rc != 0) {
        expm_info_msg(info, "real Schur decomposition failed (dgees info %d)", (int)rc);
        return rc < 0 ? EXPM_ELAPACK : EXPM_ENOCONV;
    }
    /* Block structure from the eigenvalues: wi[k] > 0 starts a 2x2 block
     * (dgees standardised form). Entries below the blocks are zero by
     * definition; make them exactly so. */
    for (int k = 0; k < n;) {
        if (wi[k] != 0.0 && k + 1 < n) {
            blk[k] = 2, blk[k + 1] = 0;
            k += 2;
        } else {
            blk[k] = 1;
            if (k + 1 < n)
                T[k + 1 + (size_t)k * n] = 0.0;
            k += 1;
        }
    }
    for (int j = 0; j < n; j++)
        for (int i = j + 2; i < n; i++)
            T[i + (size_t)j * n] = 0.0;
    if (!expm_dall_finite(n, n, T, n) || !expm_dall_finite(n, n, Qd, n)) {
        /* dgees's norms overflow for entries near DBL_MAX: a failure of the
         * method (exit 1), not bad input. */
        expm_info_msg(info, "the Schur form of A is not finite (entries near DBL_MAX)");
        return EXPM_ENONFINITE;
    }
    /* Qi = Q^T D^-1 first (from Q), then Qd = D Q in place. */
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            Qi[i + (size_t)j * n] = ldexp(Qd[j + (size_t)i * n], -ex[j]);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            Qd[i + (size_t)j * n] = ldexp(Qd[i + (size_t)j * n], ex[i]);
    return EXPM_OK;
}

/* EXPM_WARN_GRADED when the scaling back by D can magnify rounding by
 * rho = 2^span ||Y|| / ||D Y D^-1|| > 2^20, Y = Q Z Q^T the result in
 * balanced coordinates (l2y = log2 ||Z||_1 with its exponent; l2m that of
 * the result R), unless the default pade (no rotations: it works on D^-1 A
 * D entrywise) agrees with R to 2^-40. Why: Q spreads an absolute error
 * u ||Y|| over every entry, which D then magnifies by up to d_i/d_j; on an
 * audit's zigzag-graded near-triangular A (n = 12, D over 10^+-60) log2
 * rho was 30.5 for exp (error 1.4e-8 = 2^26 u), 59 for L in a dense E
 * (6.7e-7) and 61 for the adjoint (0.18), and unbalanced Schur of such an A
 * is worse still (dgees's backward error is u ||A||, 1e120 times B's). But
 * rho is a worst case: Kenney-Laub 89 Ex. 5' has log2 rho 55 and L exact
 * to 3.5e-16, while Davies-Higham D14 (log2 rho 76) has L off by 0.05
 * (make report); the comparison tells them apart. Not for exp when Q is a
 * signed permutation (triangular A): products and solve are then
 * triangular with componentwise error bounds (|T||Z|) that scale with D
 * like the result (D14: log2 rho 34.5, error 2e-15). `alt` computes the
 * same result by the default into its argument (ld n); NULL: no check. */
static _Thread_local int graded_checking;   /* the default may come back here */
typedef expm_status (*graded_alt_fn)(double *out, void *ctx);
static void graded_warn(int n, const int *ex, double l2y, const double *R, int ldr,
                        const char *what, graded_alt_fn alt, void *ctx, expm_info_t *info)
{
    int span = expm_grading_span(n, ex);
    double r = span + l2y - expm_dlog2norm1(n, n, R, ldr);
    if (!info || span == 0 || !(r > EXPM_GRADED_RHO_LOG2))
        return;
    if (alt && !graded_checking) {
        double *W = expm_dalloc(n, 1);
        if (W) {
            graded_checking = 1;
            expm_status st = alt(W, ctx);
            graded_checking = 0;
            int agree = 0;
            if (st == EXPM_OK) {   /* ||R - W||_F <= 2^-40 ||R||_F (scaled sums of squares) */
                double nr = expm_dnormfro(n, n, R, ldr);
                expm_daxpby(n, n, 1.0, R, ldr, -1.0, W, n);
                agree = nr > 0.0 && isfinite(nr) && expm_dnormfro(n, n, W, n) <= 0x1p-40 * nr;
            }
            free(W);
            if (agree)
                return;
        }
    }
    info->warnings |= EXPM_WARN_GRADED;
    expm_info_msg(info, "%s may have lost digits: A balanced by D = diag(2^e), cond(D) = "
                  "2^%d; scaling back magnifies rounding by up to 2^%.0f (GRADED)", what,
                  span, r);
}

typedef struct {
    int n, lda, lde;
    const double *A, *E;
} graded_ctx_t;

/* The default's result, unless it took the Schur path itself (its hump
 * switch): then it is this very computation and proves nothing. */
static expm_status alt_exp(double *out, void *ctx)
{
    const graded_ctx_t *c = ctx;
    expm_info_t ai;
    expm_status st = expm_pade_exp(c->n, c->A, c->lda, out, c->n, &ai);
    return st == EXPM_OK && (ai.warnings & EXPM_WARN_SCHUR) ? EXPM_ENOCONV : st;
}

static expm_status alt_frechet(double *out, void *ctx)
{
    const graded_ctx_t *c = ctx;
    expm_info_t ai;
    expm_status st =
        expm_pade_frechet(c->n, c->A, c->lda, c->E, c->lde, out, c->n, NULL, 0, &ai);
    return st == EXPM_OK && (ai.warnings & EXPM_WARN_SCHUR) ? EXPM_ENOCONV : st;
}

/* Q (in Qd = D Q) has one nonzero per column. */
static int q_is_permutation(int n, const double *Qd)
{
    for (int j = 0; j < n; j++) {
        int nz = 0;
        for (int i = 0; i < n; i++)
            nz += Qd[i + (size_t)j * n] != 0.0;
        if (nz != 1)
            return 0;
    }
    return 1;
}

/* No ILLCOND for a (permuted) triangular A (expm_triangular_any): its
 * eigenvalues are its diagonal, exact, and so is this method's Schur form
 * (T = A up to order), whose exp keeps the diagonal exact. The normwise
 * kappa says nothing about that result (pade-schur on 1e4 N_5: error 5e-15,
 * u*kappa 1e8 normwise; an outside audit), as for the default. */
expm_status expm_pade_schur_exp(int n, const double *A, int lda, double *X, int ldx,
                                expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(n, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(n, X, ldx, "X", 0, info);
    if (st != EXPM_OK || n == 0)
        return st;
    if (n == 2)  /* the 2x2 closed form is exact without any rotation */
        return expm_exp2x2(A, lda, X, ldx, info);

    double *ws = expm_dalloc(n, 5);
    double *wr = malloc((size_t)2 * n * sizeof(double));
    int *blk = malloc((size_t)2 * n * sizeof(int));
    if (!ws || !wr || !blk) {
        free(ws); free(wr); free(blk);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *T = ws, *Qd = ws + nn, *Z = ws + 2 * nn, *W = ws + 3 * nn, *Qi = ws + 4 * nn;
    st = schur(n, A, lda, T, Qd, Qi, blk, wr, W, blk + n, 1, info);
    if (st != EXPM_OK)
        goto out;
    long e = 0;
    double ln_h = INFINITY;
    st = expm_pade_core(n, T, n, blk, Z, &e, NULL, info ? &ln_h : NULL, info);
    if (st != EXPM_OK)
        goto out;
    /* Before Z (exp(T) = 2^e Z) is back-transformed; its message is kept
     * only when the result stands. */
    expm_info_t loc;
    expm_info_clear(&loc);
    expm_status ci = info && !expm_triangular_any(n, A, lda)
                         ? expm_illcond_check(n, T, n, blk, Z, n, e, info->s, ln_h, "exp(A)",
                                              NULL, &loc)
                         : EXPM_OK;
    /* X = D Q Z Q^T D^-1 (scaled by 2^e). */
    double l2z = q_is_permutation(n, Qd) ? -INFINITY : expm_dlog2norm1(n, n, Z, n) + (double)e;
    expm_dgemm(n, 'N', 'N', 1.0, Qd, n, Z, n, 0.0, W, n);
    expm_dgemm(n, 'N', 'N', 1.0, W, n, Qi, n, 0.0, Z, n);
    if (info)
        info->products += 2;
    st = expm_unscale_result(n, n, Z, n, e, X, ldx, "exp(A)", info);
    st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
    if (st == EXPM_OK)
        graded_warn(n, blk + n, l2z, X, ldx, "exp(A)", alt_exp,
                    &(graded_ctx_t){n, lda, 0, A, NULL}, info);
    if (st == EXPM_OK && info && ci == EXPM_OK && (loc.warnings & EXPM_WARN_ILLCOND)) {
        info->warnings |= EXPM_WARN_ILLCOND;
        memcpy(info->message, loc.message, sizeof info->message);
    }
out:
    free(ws); free(wr); free(blk);
    return st;
}

expm_status expm_pade_schur_illcond(int n, const double *A, int lda, const char *what,
                                    expm_info_t *info)
{
    if (!info || n < 3 || expm_triangular_any(n, A, lda))
        return EXPM_OK;   /* n = 2 is in closed form, no Schur path */
    double *ws = expm_dalloc(n, 4);
    double *wr = malloc((size_t)2 * n * sizeof(double));
    int *blk = malloc((size_t)2 * n * sizeof(int));
    expm_status st = EXPM_ENOMEM;
    if (ws && wr && blk) {
        size_t nn = (size_t)n * n;
        double *T = ws, *Qd = ws + nn, *Z = ws + 2 * nn, *Qi = ws + 3 * nn;
        expm_info_t loc;
        expm_info_clear(&loc);
        long e = 0;
        double ln_h = INFINITY;
        st = schur(n, A, lda, T, Qd, Qi, blk, wr, Z, blk + n, 1, &loc);
        if (st == EXPM_OK)
            st = expm_pade_core(n, T, n, blk, Z, &e, NULL, &ln_h, &loc);
        if (st == EXPM_OK) {
            int s = loc.s;
            expm_info_clear(&loc);
            st = expm_illcond_check(n, T, n, blk, Z, n, e, s, ln_h, what, NULL, &loc);
            if (st == EXPM_OK && (loc.warnings & EXPM_WARN_ILLCOND)) {
                info->warnings |= EXPM_WARN_ILLCOND;
                memcpy(info->message, loc.message, sizeof info->message);
            }
        }
    }
    free(ws); free(wr); free(blk);
    return st;
}

/* L(A,E) = D Q L(T, Q^T D^-1 E D Q) Q^T D^-1: the Frechet derivative commutes
 * with the similarity (Higham, Functions of Matrices, Thm 3.5 / (3.17)),
 * and on T Alg. 6.4 gets the exact diagonal blocks of exp(2^-i T). */
expm_status expm_pade_schur_frechet(int n, const double *A, int lda, const double *E, int lde,
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

    double *ws = expm_dalloc(n, 7);
    double *wr = malloc((size_t)2 * n * sizeof(double));
    int *blk = malloc((size_t)2 * n * sizeof(int));
    if (!ws || !wr || !blk) {
        free(ws); free(wr); free(blk);
        expm_info_msg(info, "cannot allocate workspace for n = %d", n);
        return EXPM_ENOMEM;
    }
    size_t nn = (size_t)n * n;
    double *T = ws, *Qd = ws + nn, *Et = ws + 2 * nn, *W = ws + 3 * nn, *Lt = ws + 4 * nn,
           *Xt = ws + 5 * nn, *Qi = ws + 6 * nn;
    int try_bal = 1, x_scaled = 0;
redo:
    st = schur(n, A, lda, T, Qd, Qi, blk, wr, W, blk + n, try_bal, info);
    if (st != EXPM_OK)
        goto out;
    /* E 2^-kE, ||.||_1 ~ 1 (exact; L is linear in E): Q^T D^-1 E D Q must not
     * overflow for E near DBL_MAX (9e307 [[1,-1],[-1,1]] gave exit 2, "E(2,2) =
     * inf is not finite", found by an outside audit). */
    /* A tiny E (kE < 0) whose normalised L(T, Et) overflows is tried again
     * at ||Et||_1 ~ 2^-500 (E as given if it is above that), as in src/api.c: L can reach
     * ||A||^2 ||E|| ([[0,1e160],[0,0]] with E_21 = 1e-160: L_12 = 1.7e159,
     * reported as 1.7e319 overflowing; an outside audit). */
    int kE = expm_dnorm1_exponent(n, n, E, lde);
    double ln_h = INFINITY;
    for (int tier = 0;; tier++) {
        expm_dcopy(n, n, E, lde, Et, n);
        expm_dscal(n, n, ldexp(1.0, -kE / 2), Et, n);
        expm_dscal(n, n, ldexp(1.0, -(kE - kE / 2)), Et, n);
        expm_dgemm(n, 'N', 'N', 1.0, Qi, n, Et, n, 0.0, W, n);
        expm_dgemm(n, 'N', 'N', 1.0, W, n, Qd, n, 0.0, Et, n);  /* Q^T D^-1 E D Q 2^-kE */
        if (!expm_dall_finite(n, n, Et, n)) {
            /* D^-1 E D of a dense E overflows when D spans ~1e300 (a graded
             * A; it was passed on as "E(3,1) = inf is not finite", exit 2,
             * found by an outside audit): Schur of A unbalanced, or fail. */
            int balanced = 0;
            for (int i = 0; i < n; i++)
                balanced |= blk[n + i] != 0;
            if (balanced && try_bal) {
                try_bal = 0;
                goto redo;
            }
            expm_info_msg(info, "L(A,E) is not computable here: the direction in Schur "
                          "coordinates, Q^T D^-1 E D Q, overflows");
            st = EXPM_ENONFINITE;
            goto out;
        }
        st = expm_pade_frechet_quasi(n, T, n, blk, Et, n, Lt, n, Xt, n, info ? &ln_h : NULL,
                                     info);
        if (st == EXPM_EOVERFLOW) {
            /* exp(T) itself may overflow where L and exp(A) = Q exp(T) Q^T do
             * not: (710.5/3) ones(3) has exp(A)_ij = 1.23e308 but exp(T)_11 =
             * e^710.5 (an outside audit: "exp(A) overflows", exit 1). L
             * again without it; exp(T) below as 2^eX Xt. */
            st = expm_pade_frechet_quasi(n, T, n, blk, Et, n, Lt, n, NULL, 0,
                                         info ? &ln_h : NULL, info);
            x_scaled = st == EXPM_OK;
        }
        if ((st != EXPM_EOVERFLOW && st != EXPM_ENONFINITE) || tier == 1)
            break;
        /* ||Et||_1 ~ 2^-500, or E as given above that; an E of norm >= 1
         * at 2^-64: L(T, Et) can overflow where L(A,E) = Q L(T,Et) Q^T does
         * not (T = diag(712, -712) rotated by 45 degrees: L_11(T) = 2 max
         * |L_ij(A)|). */
        kE = kE < -500 ? kE + 500 : kE < 0 ? 0 : kE + 64;
    }
    if (st != EXPM_OK)
        goto out;
    long eX = 0;
    if (x_scaled) {
        expm_info_t xi;
        double ln_x = INFINITY;
        st = expm_pade_core(n, T, n, blk, Xt, &eX, NULL, &ln_x, &xi);
        if (st != EXPM_OK) {
            if (info)
                *info = xi;
            goto out;
        }
        if (info)
            info->products += xi.products, info->solves += xi.solves;
    }
    /* exp(T) in Xt (as in expm_pade_schur_exp): an ill-conditioned exp at A
     * leaves L(A,E) undetermined as well. */
    expm_info_t loc;
    expm_info_clear(&loc);
    expm_status ci = info && !expm_triangular_any(n, A, lda)
                         ? expm_illcond_check(n, T, n, blk, Xt, n, eX, info->s, ln_h, "L(A,E)",
                                              NULL, &loc)
                         : EXPM_OK;
    double l2lt = expm_dlog2norm1(n, n, Lt, n);
    expm_dgemm(n, 'N', 'N', 1.0, Qd, n, Lt, n, 0.0, W, n);
    expm_dgemm(n, 'N', 'N', 1.0, W, n, Qi, n, 0.0, Lt, n);     /* D Q Lt Q^T D^-1 */
    if (X) {
        expm_dgemm(n, 'N', 'N', 1.0, Qd, n, Xt, n, 0.0, W, n);
        expm_dgemm(n, 'N', 'N', 1.0, W, n, Qi, n, 0.0, Xt, n);
    }
    if (info)
        info->products += X ? 6 : 4;
    if (!expm_dall_finite(n, n, Lt, n) || (X && !expm_dall_finite(n, n, Xt, n))) {
        expm_info_msg(info, "%s overflowed in the back-transformation Q . Q^T",
                      expm_dall_finite(n, n, Lt, n) ? "exp(A)" : "L(A,E)");
        st = EXPM_EOVERFLOW;
        goto out;
    }
    {
        double lg = info ? info->log10_norm : 0.0;
        st = expm_unscale_result(n, n, Lt, n, kE, W, n, "L(A,E)", info);   /* L = 2^kE Lt */
        if (st != EXPM_OK)
            goto out;
        if (X) {
            double ll = info ? info->log10_norm : 0.0;
            st = expm_unscale_result(n, n, Xt, n, eX, Et, n, "exp(A)", info);
            st = expm_overflow_verdict(st, n, A, lda, 0.0, "exp(A)", info);
            if (st != EXPM_OK)
                goto out;
            if (info)
                info->log10_norm = ll;
        }
        if (info && X)
            info->log10_norm = lg;
    }
    expm_dcopy(n, n, W, n, L, ldl);
    if (X)
        expm_dcopy(n, n, Et, n, X, ldx);
    graded_warn(n, blk + n, l2lt + kE, L, ldl, "L(A,E)", alt_frechet,
                &(graded_ctx_t){n, lda, lde, A, E}, info);
    if (info && ci == EXPM_OK && (loc.warnings & EXPM_WARN_ILLCOND)) {
        info->warnings |= EXPM_WARN_ILLCOND;
        memcpy(info->message, loc.message, sizeof info->message);
    }
out:
    free(ws); free(wr); free(blk);
    return st;
}
