/*
 * exp2x2.c -- exp of a real 2x2 matrix in closed form.
 *
 * A = mu I + N, mu = (a+d)/2, N = [[h, b], [c, -h]], h = (a-d)/2, N^2 = D I
 * with D = h^2 + bc (the discriminant, delta^2/4 in ALGORITHMS.md §5), so
 *     exp(A) = e^mu (cosh(r) I + sinch(r) N),  r = sqrt(D)        (D >= 0)
 *     exp(A) = e^mu (cos(w)  I + sinc(w)  N),  w = sqrt(-D)       (D <  0)
 * (Higham, Functions of Matrices, §10.4.3; AMH 2009 expm_new.m expmT2by2 and
 * the quasi-triangular block of expm_sqtri). Written to be accurate where the
 * textbook evaluation of that formula (scipy 1.10 linalg.expm for 2x2) is not:
 *
 *  - D = h^2 + bc cancels when bc < 0 (nearly equal eigenvalues; D = 0 for
 *    Al-Mohy's O2). It is evaluated from exact pieces: a - d as a TwoSum
 *    s + t, s^2, 2st and bc as FMA TwoProducts, all summed with error-free
 *    transformations, so D carries a relative error of a few u whatever the
 *    cancellation (Kahan's discriminant trick, extended by the TwoSum of a-d).
 *    The pieces are scaled by powers of two (h and bc separately) so that
 *    neither h^2 nor bc can overflow or lose their error terms to underflow.
 *  - Real eigenvalues l1 = mu + r >= l2 = mu - r. For r <= 700 (e^r finite)
 *    e^mu and e^+-r are taken separately and e^mu is applied last (no
 *    rounding of the argument mu + r, which would cost |l1| u); beyond, cosh
 *    and sinch are never formed (cosh r overflows while e^mu underflows:
 *    scipy's NaN on [[-1,1e7],[0,-1e7]]): e^mu cosh r = e^l1 (1 + q)/2 and
 *    e^mu sinch r = e^l1 g(2r), q = e^-2r, g(x) = -expm1(-x)/x, accurate down
 *    to x = 0 (g(0) = 1). When bc >= 0 the diagonal is the eigen-projector sum
 *    (e^l1 (r+h) + e^l2 (r-h)) / 2r with the smaller of r +- h as bc/(r -+ h):
 *    two non-negative terms, so every entry is accurate componentwise (the
 *    triangular case bc = 0 uses the eigenvalues a and d themselves: diagonal
 *    e^a, e^d exactly rounded, (1,2) entry b (e^a - e^d)/(a - d), eq. (10.42)).
 *    When bc < 0, X11 = C + hS and X22 = C - hS: one of them is a sum of like
 *    signs >= |C| + |hS|, so the cancellation in the other costs at most a
 *    few u in the norm.
 *  - Complex pair mu +- iw: e^mu cos w and e^mu sin(w)/w.
 *  - Near the identity (|mu| + r <= 1) the diagonal is 1 + (X - I), X - I
 *    from expm1 / sinh(r/2)^2 / sin(w/2)^2 without cancellation.
 *  - All exponentials are taken as e^l 2^-e (expm_exp_scaled), so the
 *    result is formed as 2^e Y and only a true overflow of an entry is
 *    reported (EXPM_EOVERFLOW).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dense.h"
#include "methods.h"

#define LN2 0.69314718055994530942

/* Error-free transformations (Knuth TwoSum, FMA TwoProduct). */
static void two_sum(double a, double b, double *s, double *t)
{
    double x = a + b, z = x - a;
    *s = x;
    *t = (a - (x - z)) + (b - z);
}

static void two_prod(double a, double b, double *p, double *e)
{
    double x = a * b;
    *p = x;
    *e = fma(a, b, -x);
}

/* Sum of k doubles with error-free accumulation (Ogita-Rump-Oishi Sum2):
 * the result is faithful-ish (relative error <= u + O(k u^2) cond). */
static double sum2(const double *v, int k)
{
    double s = 0.0, c = 0.0;
    for (int i = 0; i < k; i++) {
        double t;
        two_sum(s, v[i], &s, &t);
        c += t;
    }
    return s + c;
}

/* g(x) = (1 - e^-x)/x for x >= 0, g(0) = 1 (expm1: no cancellation). */
static double g_exprel(double x)
{
    return x == 0.0 ? 1.0 : -expm1(-x) / x;
}

/* frexp's exponent of x != 0 (2^(k-1) <= |x| < 2^k), from the bits for
 * normal x (this path is hot at n = 2: two frexp calls per discriminant
 * cost 13% of exp2x2). */
static inline int expo(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff);
    if (e == 0) {
        frexp(x, &e);
        return e;
    }
    return e - 1022;
}

/* ldexp(x, k): x 2^k is the same correctly rounded value when 2^k is a
 * normal double. */
static inline double scale2(double x, int k)
{
    return (k >= -1022 && k <= 1023) ? x * expm_pow2i(k) : ldexp(x, k);
}

/* D 2^-2k = (h 2^-k)^2 + (b 2^-kb)(c 2^-kc), kb + kc = 2k, from
 * error-free pieces: h = a/2 - d/2 = s + t exactly (TwoSum of the halves),
 * then every piece scaled by a power of two. Why b and c get their own
 * scales: with one common 2^-k (k from the largest entry) bc 2^-2k
 * underflowed for [[0, 1e300], [1e-300, 0]] (bc = 1, k = 997), D became 0
 * and exp(A) came out as I + A instead of cosh(1) I + sinh(1) A (found by an
 * outside audit). k is taken from the size of D's terms, max(|h|, |bc|^1/2),
 * so D 2^-2k is near 1 whatever the entries; for ordinary data the result
 * is the previous one times an exact power of four (same r to the bit). */
static double discriminant_scaled(double a, double b, double c, double d, int *kout)
{
    double s, t;
    two_sum(0.5 * a, -0.5 * d, &s, &t);   /* h = s + t */
    int kh = -1100, eb = 0, ec = 0;
    if (s != 0.0)
        kh = expo(s);
    int kbc = -1100;
    if (b != 0.0 && c != 0.0) {
        eb = expo(b);
        ec = expo(c);
        int sum = eb + ec;   /* floor(sum / 2) */
        kbc = sum >= 0 ? sum / 2 : -((1 - sum) / 2);
    }
    int k = kh > kbc ? kh : kbc;
    if (k == -1100)
        k = 0;   /* D = 0 exactly */
    *kout = k;
    double hs = scale2(s, -k), ht = scale2(t, -k);
    double sb = scale2(b, -eb), sc = scale2(c, eb - 2 * k);
    double p1, e1, p2, e2, p3, e3;
    two_prod(hs, hs, &p1, &e1);        /* s^2 */
    two_prod(sb, sc, &p2, &e2);        /* bc */
    two_prod(2.0 * hs, ht, &p3, &e3);  /* 2 s t  (t^2 is below u^2 s^2) */
    double v[7] = {p1, p2, p3, e1, e2, e3, ht * ht};
    return sum2(v, 7);
}

/* The real eigenvalues mu +- r without the cancellation of mu + r when
 * mu < 0 (and of mu - r when mu > 0) and |bc| << h^2: then l = -det/(r - mu)
 * (resp. det/(mu + r)), det = ad - bc = mu^2 - r^2, from FMA products.
 * Why: for [[-5.7e34, 1.1e-170], [-1.2e218, 8e-56]] mu + r rounds to 0 while
 * l1 = -2.2e13, and e^l1 = 1 would be used where e^l1 = 0 (the e^r-overflow
 * branch and the choice of the exponent take e^l1 directly). */
static void eigs_real(double a, double b, double c, double d, double mu, double r, double *l1,
                      double *l2)
{
    *l1 = mu + r;
    *l2 = mu - r;
    double p1, e1, p2, e2;
    two_prod(a, d, &p1, &e1);
    two_prod(b, c, &p2, &e2);
    double det = (p1 - p2) + (e1 - e2);
    if (!isfinite(det) || !isfinite(p1) || !isfinite(p2) || !(r > 0.0))
        return;
    if (mu < 0.0 && fabs(*l1) < 0.25 * r)
        *l1 = -det / (r - mu);
    else if (mu > 0.0 && fabs(*l2) < 0.25 * r)
        *l2 = det / (mu + r);
}

int expm_exp2x2_scaled(double a, double b, double c, double d, long e, double Y[4])
{
    if (!isfinite(fmax(fmax(fabs(a - d), fabs(b)), fabs(c))) || !isfinite(a + d))
        return -1;
    int k = 0;
    double Ds = discriminant_scaled(a, b, c, d, &k); /* D 2^-2k: sign and r = 2^k sqrt(Ds) */
    double mu = 0.5 * a + 0.5 * d, h = 0.5 * a - 0.5 * d;
    double bc_sign = (b == 0.0 || c == 0.0) ? 0.0 : ((b > 0) == (c > 0) ? 1.0 : -1.0);
    double x11, x12, x21, x22;

    if (bc_sign == 0.0) {
        /* Triangular: eigenvalues a and d exactly; (10.42) as
         * (e^a - e^d)/(a - d) = e^max g(|a - d|). */
        double ea = expm_exp_scaled(a, e), ed = expm_exp_scaled(d, e);
        double g = g_exprel(fabs(a - d));
        double dd = (a >= d ? ea : ed) * g;
        x11 = ea;
        x22 = ed;
        x12 = b * dd;
        x21 = c * dd;
    } else if (Ds >= 0.0) {
        double r = ldexp(sqrt(Ds), k);
        double l1 = mu + r, l2 = mu - r;
        /* e^l1 = e^mu e^r: no rounding of the argument mu + r (which would
         * cost |l1| u); the sum only when e^r alone could overflow. */
        double Em = expm_exp_scaled(mu, e);
        int split = r <= 700.0 && Em >= DBL_MIN && isfinite(Em);
        /* Near the identity (small eigenvalues) the diagonal is formed as
         * 1 + (X - I) with X - I from expm1: its rounding is then that of
         * the final sum, not of e^l (the case of SSM steps dt*A, dt ~ 1e-4). */
        int near_id = e == 0 && fabs(mu) + r <= 1.0;
        double wp = 0.5, wm = 0.5; /* (r + h)/2r, (r - h)/2r when bc > 0 */
        if (bc_sign > 0.0 && r > 0.0) {
            /* r >= |h|: projector weights in [0, 1], the smaller one without
             * cancellation as bc / (2r (r -+ h)). */
            if (h >= 0.0) {
                wp = (r + h) / (2.0 * r);
                wm = (b / (r + h)) * c / (2.0 * r);
            } else {
                wm = (r - h) / (2.0 * r);
                wp = (b / (r - h)) * c / (2.0 * r);
            }
        }
        if (split) {
            /* e^mu times brackets of size ~e^r: the common factor e^mu is
             * applied last, so each entry carries one rounding of it
             * (e^mu cosh r of [[-1,1],[1e-16,-1]] is e^-1 correctly rounded). */
            double ep = exp(r), em = exp(-r);
            double sinch = r == 0.0 ? 1.0 : sinh(r) / r;
            double S = Em * sinch;
            x12 = b * S;
            x21 = c * S;
            if (near_id && bc_sign > 0.0 && r > 0.0) {
                double d1 = expm1(l1), d2 = expm1(l2);
                x11 = 1.0 + (d1 * wp + d2 * wm);
                x22 = 1.0 + (d1 * wm + d2 * wp);
            } else if (near_id) {
                /* e^mu cosh r - 1 = expm1(mu) cosh r + 2 sinh(r/2)^2 */
                double sh = sinh(0.5 * r), t = 2.0 * sh * sh;
                double Cm1 = expm1(mu) * (1.0 + t) + t;
                x11 = 1.0 + (Cm1 + h * S);
                x22 = 1.0 + (Cm1 - h * S);
            } else if (bc_sign > 0.0 && r > 0.0) {
                x11 = Em * (ep * wp + em * wm);
                x22 = Em * (ep * wm + em * wp);
            } else {
                /* bc < 0: e^l1 (1 + e^-2r)/2 +- h e^l1 g(2r) (measured better
                 * than e^mu (cosh r +- h sinch r) on C4: 5e-17 vs 2.5e-16). */
                double E1 = Em * ep, S1 = E1 * g_exprel(2.0 * r);
                double C = 0.5 * E1 * (1.0 + em * em);
                x12 = b * S1;
                x21 = c * S1;
                x11 = C + h * S1;
                x22 = C - h * S1;
            }
        } else {
            /* e^r would overflow (or e^mu is out of range): e^l1 directly,
             * cosh and sinch never formed (scipy's 0 * Inf); l1, l2 without
             * the cancellation of mu +- r (eigs_real). */
            eigs_real(a, b, c, d, mu, r, &l1, &l2);
            double E1 = expm_exp_scaled(l1, e);
            double S = E1 * g_exprel(2.0 * r); /* e^mu sinch r */
            x12 = b * S;
            x21 = c * S;
            if (bc_sign > 0.0 && r > 0.0) {
                double E2 = expm_exp_scaled(l2, e);
                x11 = E1 * wp + E2 * wm;
                x22 = E1 * wm + E2 * wp;
            } else {
                double q = exp(-2.0 * r);
                double C = 0.5 * E1 * (1.0 + q); /* e^mu cosh r */
                x11 = C + h * S;
                x22 = C - h * S;
            }
        }
    } else {
        double w = ldexp(sqrt(-Ds), k);
        double E = expm_exp_scaled(mu, e);
        double S = E * (sin(w) / w);
        if (e == 0 && fabs(mu) + w <= 1.0) {
            /* e^mu cos w - 1 = expm1(mu) cos w - 2 sin(w/2)^2 */
            double sn = sin(0.5 * w);
            double Cm1 = expm1(mu) * cos(w) - 2.0 * sn * sn;
            x11 = 1.0 + (Cm1 + h * S);
            x22 = 1.0 + (Cm1 - h * S);
        } else {
            double C = E * cos(w);
            x11 = C + h * S;
            x22 = C - h * S;
        }
        x12 = b * S;
        x21 = c * S;
    }
    Y[0] = x11;
    Y[1] = x21;
    Y[2] = x12;
    Y[3] = x22;
    return (isfinite(x11) && isfinite(x12) && isfinite(x21) && isfinite(x22)) ? 0 : -1;
}

/* The exponent e (result = 2^e Y) that keeps e^l 2^-e near 1 for l the
 * largest real part of an eigenvalue, when e^l alone would over- or
 * underflow (l from the same discriminant as the formula). */
static double top_exponent(double a, double b, double c, double d)
{
    double top;
    if (b == 0.0 || c == 0.0) {
        top = fmax(a, d);
    } else {
        int k = 0;
        double Ds = discriminant_scaled(a, b, c, d, &k);
        double mu = 0.5 * a + 0.5 * d, l1 = mu, l2;
        if (Ds > 0.0)
            eigs_real(a, b, c, d, mu, ldexp(sqrt(Ds), k), &l1, &l2);
        top = l1;
    }
    return top;
}

static long pick_exponent(double top)
{
    /* Beyond |top| ~ 1e6 every entry is 0 (or the overflow was reported):
     * clamp, as (long) of a huge double is undefined (fuzzer finding). */
    if (top < -1e6)
        return -1442695; /* ~ -1e6 / ln 2 */
    if (top > 700.0 || top < -700.0)
        return (long)nearbyint(top / LN2);
    return 0;
}

expm_status expm_exp2x2(const double *A, int lda, double *X, int ldx, expm_info_t *info)
{
    expm_info_clear(info);
    expm_status st = expm_check_square(2, A, lda, "A", 1, info);
    if (st == EXPM_OK)
        st = expm_check_square(2, X, ldx, "X", 0, info);
    if (st != EXPM_OK)
        return st;
    double a = A[0], c = A[1], b = A[lda], d = A[lda + 1], Y[4];
    double top = top_exponent(a, b, c, d);
    /* ||exp(A)|| >= rho(exp(A)) = e^top, and for a 2x2 some entry is at
     * least half of that: beyond log(DBL_MAX) + log 2 it is a true overflow. */
    if (top > 710.5) {
        if (info)
            info->log10_norm = top / 2.30258509299404568402;
        char p10[48];
        if (isfinite(top))
            expm_info_msg(info, "exp(A) overflows double: ||exp(A)|| >= e^%.6g ~ %s", top,
                          expm_pow10_str(top / 2.30258509299404568402, p10, 48));
        else   /* lambda itself beyond DBL_MAX (all entries 1e308: lambda = 2e308) */
            expm_info_msg(info, "exp(A) overflows double: ||exp(A)|| >= e^Re(lambda) with "
                          "Re(lambda) beyond the double range (> 1.8e308)");
        return EXPM_EOVERFLOW;
    }
    long e = isfinite(top) ? pick_exponent(top) : 0;
    if (expm_exp2x2_scaled(a, b, c, d, e, Y) != 0) {
        /* Scaled entries overflowed: rescale by the largest finite part. */
        long e2 = e + 1000;
        if (expm_exp2x2_scaled(a, b, c, d, e2, Y) != 0) {
            expm_info_msg(info, "exp(A) of the 2x2 matrix is not finite in the closed form");
            return EXPM_ENONFINITE;
        }
        e = e2;
    }
    if (info) {
        info->m = 0;
        info->s = 0;
    }
    return expm_unscale_result(2, 2, Y, 2, e, X, ldx, "exp(A)", info);
}
