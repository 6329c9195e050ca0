/*
 * ref_certify.c -- expm_ref_certify: evaluate at p and 2p, escalate until
 * the two agree (rule in ref.h / ref_compare.c), round the 2p result to
 * double and check that it is representable.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"

static mpfr_t *mats_new(size_t nn, mpfr_prec_t prec)
{
    mpfr_t *M = malloc(nn * sizeof(mpfr_t));
    if (M)
        for (size_t i = 0; i < nn; i++)
            mpfr_init2(M[i], prec);
    return M;
}

static void mats_free(size_t nn, mpfr_t *M)
{
    if (!M)
        return;
    for (size_t i = 0; i < nn; i++)
        mpfr_clear(M[i]);
    free(M);
}

/* "2.24e+308" from a log10 (any size). */
static void format_pow10(char *buf, size_t len, double l)
{
    if (!isfinite(l)) {
        snprintf(buf, len, "%s", l > 0 ? "Inf" : "0");
        return;
    }
    double e = floor(l);
    double m = pow(10.0, l - e);
    if (m >= 9.995) {           /* printed as 10.00 otherwise */
        m /= 10.0;
        e += 1.0;
    }
    snprintf(buf, len, "%.2fe%+.0f", m, e);
}

/* Round nn entries to double into out; returns 0 if some entry is infinite. */
static int round_all(size_t nn, mpfr_t *M, double *out)
{
    int ok = 1;
    for (size_t i = 0; i < nn; i++) {
        out[i] = mpfr_get_d(M[i], MPFR_RNDN);
        if (isinf(out[i]))
            ok = 0;
    }
    return ok;
}

static void describe_cmp(char *buf, size_t len, const char *block, int n,
                         const expm_ref_cmp_t *c)
{
    if (c->worst_entry >= 0)
        snprintf(buf, len, "%s: ||d||_F/||X||_F = %.2g, entry (%d,%d) rel %.2g",
                 block, c->rel_frob, c->worst_entry % n + 1,
                 c->worst_entry / n + 1, c->rel_entry);
    else
        snprintf(buf, len, "%s: ||d||_F/||X||_F = %.2g", block, c->rel_frob);
}

/* exp(A) exceeds MPFR's range for certain when ||exp(A)||_2 >=
 * |det exp(A)|^(1/n) = e^(tr(A)/n) does (then no precision helps). */
static int surely_beyond_mpfr(int n, const double *A, int lda)
{
    double tr = 0.0;
    for (int i = 0; i < n; i++)
        tr += A[i + (size_t)i * lda] / n;
    return tr * 1.4426950408889634 > (double)mpfr_get_emax();
}

expm_status expm_ref_certify(int n, const double *A, int lda,
                             const double *E, int lde, double *L, int ldl,
                             double *X, int ldx, long max_precision,
                             mpfr_prec_t p_start, expm_ref_info_t *info)
{
    expm_ref_info_t loc;
    memset(&loc, 0, sizeof loc);
    if (n == 0) {
        if (info)
            *info = loc;
        return EXPM_OK;
    }

    const int frechet = E != NULL;
    const size_t nn = (size_t)n * n;
    long maxp = max_precision ? max_precision : EXPM_REF_MAX_PRECISION;
    if (maxp > (long)MPFR_PREC_MAX)
        maxp = (long)MPFR_PREC_MAX;
    mpfr_prec_t p = p_start >= 53 ? p_start : expm_ref_initial_precision(n, A, lda);
    if (2 * (long)p > maxp)
        p = (mpfr_prec_t)(maxp / 2);

    expm_status st = EXPM_OK;
    mpfr_t *Xa = NULL, *Xb = NULL, *La = NULL, *Lb = NULL;
    double *outX = NULL, *outL = NULL;
    expm_ref_eval_info_t ei;
    expm_ref_cmp_t cx, cl;
    memset(&cx, 0, sizeof cx);
    memset(&cl, 0, sizeof cl);

restart:
    Xa = mats_new(nn, p);
    La = frechet ? mats_new(nn, p) : NULL;
    if (!Xa || (frechet && !La)) {
        st = EXPM_ENOMEM;
        goto out;
    }
    st = expm_ref_eval_mpfr(n, A, lda, E, lde, p, Xa, La, &ei);
    if (st != EXPM_OK)
        goto eval_failed;

    for (;;) {
        mpfr_prec_t q = 2 * p;
        Xb = mats_new(nn, q);
        Lb = frechet ? mats_new(nn, q) : NULL;
        if (!Xb || (frechet && !Lb)) {
            st = EXPM_ENOMEM;
            goto out;
        }
        st = expm_ref_eval_mpfr(n, A, lda, E, lde, q, Xb, Lb, &ei);
        if (st != EXPM_OK) {
            p = q;
            goto eval_failed;
        }
        loc.attempts++;
        loc.precision = (long)q;
        loc.squarings = ei.squarings;
        loc.terms = ei.terms;
        loc.tail_bound = ei.tail_bound;

        expm_ref_compare(n, Xa, Xb, p, &cx);
        int agree = cx.agree;
        loc.rel_diff = cx.rel_frob;
        if (frechet) {
            expm_ref_compare(n, La, Lb, p, &cl);
            agree = agree && cl.agree;
            if (cl.rel_frob > loc.rel_diff)
                loc.rel_diff = cl.rel_frob;
        }
        if (agree)
            break;
        if (2 * (long)q > maxp) {
            char a[80] = "", b[80] = "";
            if (!cx.agree)
                describe_cmp(a, sizeof a, "exp", n, &cx);
            if (frechet && !cl.agree)
                describe_cmp(b, sizeof b, "L", n, &cl);
            /* Truncation of a long message is fine (the return value is
             * checked so that -Wformat-truncation knows it is intended). */
            if (snprintf(loc.message, sizeof loc.message,
                         "not certified at %ld vs %ld bits: %s%s%s", (long)p, (long)q,
                         a, (a[0] && b[0]) ? "; " : "", b) < 0)
                loc.message[0] = '\0';
            st = EXPM_ENOCONV;
            goto out;
        }
        /* Escalate: the 2p result becomes the p result. */
        mats_free(nn, Xa);
        mats_free(nn, La);
        Xa = Xb;
        La = Lb;
        Xb = Lb = NULL;
        p = q;
    }

    /* Round the accepted 2p result; it is representable when every entry
     * is finite in double (the Frobenius norm may exceed DBL_MAX: it is
     * formed scaled, and reported as log10_norm, never as a double). */
    {
        double lX = expm_ref_log10_frobenius(n, Xb, NULL);
        double lL = frechet ? expm_ref_log10_frobenius(n, Lb, NULL) : 0.0;
        loc.log10_norm = frechet ? lL : lX;
        char num[32];
        if (X) {
            outX = malloc(nn * sizeof *outX);
            if (!outX) {
                st = EXPM_ENOMEM;
                goto out;
            }
            if (!round_all(nn, Xb, outX)) {
                loc.log10_norm = lX;
                format_pow10(num, sizeof num, lX);
                snprintf(loc.message, sizeof loc.message,
                         "exp(A) overflows double: an entry is infinite, ||exp(A)||_F ~ %s", num);
                st = EXPM_EOVERFLOW;
                goto out;
            }
        }
        if (frechet) {
            outL = malloc(nn * sizeof *outL);
            if (!outL) {
                st = EXPM_ENOMEM;
                goto out;
            }
            if (!round_all(nn, Lb, outL)) {
                format_pow10(num, sizeof num, lL);
                snprintf(loc.message, sizeof loc.message,
                         "L(A,E) overflows double: an entry is infinite, ||L(A,E)||_F ~ %s", num);
                st = EXPM_EOVERFLOW;
                goto out;
            }
        }
        /* Success: write the outputs. */
        if (X)
            for (int j = 0; j < n; j++)
                memcpy(X + (size_t)j * ldx, outX + (size_t)j * n, (size_t)n * sizeof *X);
        if (frechet)
            for (int j = 0; j < n; j++)
                memcpy(L + (size_t)j * ldl, outL + (size_t)j * n, (size_t)n * sizeof *L);
        st = EXPM_OK;
        goto out;
    }

eval_failed:
    if (st == EXPM_EOVERFLOW && 4 * (long)p <= maxp && !surely_beyond_mpfr(n, A, lda)) {
        /* An MPFR Inf can also be the squarings' amplification of a too
         * small precision: [[1e50, 1e50], [-1e50, -1e50]] (A^2 = 0, exp(A)
         * = I + A) was reported as exceeding 10^(3.2e8) (an outside audit;
         * each squaring of I + 2^-k A loses ~log2 ||2^-k A|| bits, ~1.4e4
         * in all, more than the initial estimate). Escalate as for a
         * disagreement; the pair then certifies it or says it cannot. */
        mats_free(nn, Xa);
        mats_free(nn, La);
        mats_free(nn, Xb);
        mats_free(nn, Lb);
        Xa = La = Xb = Lb = NULL;
        p = 2 * p;
        goto restart;
    }
    if (st == EXPM_EOVERFLOW) {
        /* An Inf/NaN in MPFR: some intermediate exceeded 2^emax (about
         * 10^(3.2e8)); then exp(A) (or L) overflows double by far. */
        loc.log10_norm = INFINITY;
        loc.precision = (long)p;
        snprintf(loc.message, sizeof loc.message,
                 "%s overflows double: it exceeds the MPFR exponent range "
                 "(||.||_F > 1e%.0f)", frechet ? "exp(A) or L(A,E)" : "exp(A)",
                 floor((double)mpfr_get_emax() * 0.30102999566398119521));
    } else if (st == EXPM_ENOMEM) {
        snprintf(loc.message, sizeof loc.message,
                 "out of memory at %ld bits (n = %d)", (long)p, n);
    } else {
        snprintf(loc.message, sizeof loc.message,
                 "internal error %d at %ld bits", (int)st, (long)p);
    }

out:
    if (st == EXPM_ENOMEM && !loc.message[0])
        snprintf(loc.message, sizeof loc.message,
                 "out of memory at %ld bits (n = %d)", (long)p, n);
    free(outX);
    free(outL);
    mats_free(nn, Xa);
    mats_free(nn, La);
    mats_free(nn, Xb);
    mats_free(nn, Lb);
    if (info)
        *info = loc;
    return st;
}
