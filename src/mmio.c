/*
 * mmio.c -- MatrixMarket reader and writer.
 *
 * The reader is fed hostile input: every token is validated, every failure
 * is reported as "PATH:LINE: reason", nothing is allocated before the header
 * has been checked, and no partial result escapes.  Numbers are parsed and
 * printed in the "C" locale of the calling thread only (uselocale), so a
 * program that calls setlocale() still reads and writes standard files.
 */
#include "expmkit.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest matrix the reader allocates: 1 GiB of doubles.  Larger headers
 * are rejected before any allocation, so no header can stall the reader. */
#define MM_MAX_ELEMS (((size_t)1 << 30) / sizeof(double))

#ifdef __GNUC__
#define MM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MM_PRINTF(f, a)
#endif

typedef enum { SYM_GENERAL, SYM_SYMMETRIC, SYM_SKEW } mm_sym;

typedef struct {
    int coordinate; /* else array */
    int integer;    /* field integer: values must be integer literals */
    mm_sym sym;
} mm_header;

typedef struct {
    FILE *fp;
    const char *name;
    char *err;
    size_t errlen;
    char *buf;       /* current line, NUL-terminated, without "\n" / "\r\n" */
    size_t cap;
    long long line;  /* 1-based number of the line in buf (lines read so far) */
    char *cur;       /* tokenizer position in buf */
} reader_t;

/* An entry read from a coordinate file, kept to name the first line of a
 * duplicate. */
typedef struct {
    size_t pos;
    long long line;
} mm_seen;

/* A token made printable for a message: control and non-ASCII bytes become
 * '?', and long tokens (a 1 MB line of digits) are cut. */
typedef struct {
    char s[48];
} mm_quoted;

static mm_quoted quote(const char *tok)
{
    mm_quoted q;
    size_t n = 0;
    for (; tok[n] && n < 40; n++) {
        unsigned char c = (unsigned char)tok[n];
        q.s[n] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    strcpy(q.s + n, tok[n] ? "..." : "");
    return q;
}

static void vset_err(char *err, size_t errlen, const char *name, long long line,
                     const char *fmt, va_list ap)
{
    if (!err || errlen == 0)
        return;
    int n = snprintf(err, errlen, "%s:%lld: ", name, line);
    if (n >= 0 && (size_t)n < errlen)
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static void set_err(char *err, size_t errlen, const char *name, long long line,
                    const char *fmt, ...) MM_PRINTF(5, 6);
static void set_err(char *err, size_t errlen, const char *name, long long line,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_err(err, errlen, name, line, fmt, ap);
    va_end(ap);
}

static expm_status fail(const reader_t *r, expm_status st, long long line,
                        const char *fmt, ...) MM_PRINTF(4, 5);
static expm_status fail(const reader_t *r, expm_status st, long long line,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_err(r->err, r->errlen, r->name, line, fmt, ap);
    va_end(ap);
    return st;
}

/* ASCII only: isspace()/tolower() depend on the locale and are undefined for
 * negative chars.  '\r' counts as space, which is all CRLF files need. */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ------------------------------------------------------------------------ */
/* Lines and tokens                                                          */
/* ------------------------------------------------------------------------ */

/* Double the line buffer. */
static int grow(reader_t *r, expm_status *st)
{
    size_t cap = r->cap ? 2 * r->cap : 256;
    char *nb = cap > r->cap ? realloc(r->buf, cap) : NULL;
    if (!nb) {
        *st = fail(r, EXPM_ENOMEM, r->line + 1, "out of memory reading a line");
        return 0;
    }
    r->buf = nb;
    r->cap = cap;
    return 1;
}

/* Read the next line into r->buf.  Returns 1 for a line, 0 at end of input,
 * -1 after an error (*st set).  Hand-rolled rather than getline() so that a
 * NUL byte (binary input, /dev/zero) stops the reader at once instead of
 * after an unbounded line has been buffered. */
static int next_line(reader_t *r, expm_status *st)
{
    size_t len = 0;
    int c;
    while ((c = getc_unlocked(r->fp)) != EOF && c != '\n') {
        if (c == '\0') {
            *st = fail(r, EXPM_EINVAL, r->line + 1,
                       "NUL byte in column %zu (binary data?)", len + 1);
            return -1;
        }
        /* A CR not ending the line: CR-only (classic Mac) line endings made
         * the whole file one line, reported as a banner token error (an
         * outside audit). CRLF is fine ('\r' before '\n' is space). On
         * line 1 only after a "%%" start: binary junk gets the banner error. */
        if (len > 0 && r->buf[len - 1] == '\r' &&
            (r->line > 0 || (len >= 2 && r->buf[0] == '%' && r->buf[1] == '%'))) {
            *st = fail(r, EXPM_EINVAL, r->line + 1,
                       "carriage return inside the line (column %zu): CR-only line endings "
                       "are not supported, use LF or CRLF", len);
            return -1;
        }
        if (len + 1 >= r->cap && !grow(r, st))
            return -1;
        r->buf[len++] = (char)c;
    }
    if (c == EOF) {
        if (ferror(r->fp)) {
            char msg[128] = "unknown error";
            int e = errno;
            strerror_r(e, msg, sizeof msg);
            *st = fail(r, EXPM_EINVAL, r->line + 1, "read error: %s", msg);
            return -1;
        }
        if (len == 0)
            return 0;
    }
    if (!r->buf && !grow(r, st)) /* an empty first line */
        return -1;
    r->buf[len] = '\0';
    r->line++;
    r->cur = r->buf;
    return 1;
}

/* The next whitespace-separated token of the current line, NUL-terminated
 * in place, or NULL at the end of the line. */
static char *next_token(reader_t *r)
{
    char *p = r->cur;
    while (is_space(*p))
        p++;
    if (!*p) {
        r->cur = p;
        return NULL;
    }
    char *tok = p;
    while (*p && !is_space(*p))
        p++;
    if (*p)
        *p++ = '\0';
    r->cur = p;
    return tok;
}

/* Next line holding data, skipping blank and '%' comment lines. */
static int next_data_line(reader_t *r, expm_status *st)
{
    int got;
    while ((got = next_line(r, st)) == 1) {
        const char *p = r->buf;
        while (is_space(*p))
            p++;
        if (*p && *p != '%')
            return 1;
    }
    return got;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */
/* ------------------------------------------------------------------------ */

/* Unsigned decimal (digits only, no sign); saturates at LLONG_MAX so that
 * overflow shows up as out of range.  Returns 0 if tok is not all digits. */
/* 1: a digit string, its value in *v; 2: digits beyond LLONG_MAX (the
 * caller says "out of range" and quotes the token: the clamped value once
 * reached a message as "entry count 9223372036854775807", an outside
 * audit); 0: not a digit string. */
static int parse_digits(const char *tok, long long *v)
{
    long long x = 0;
    int big = 0;
    if (*tok == '+')   /* "+2": a non-negative integer, as C's strtol and the NIST reader read it */
        tok++;
    if (!*tok)
        return 0;
    for (; *tok; tok++) {
        if (*tok < '0' || *tok > '9')
            return 0;
        int d = *tok - '0';
        if (x > (LLONG_MAX - d) / 10)
            big = 1;
        else
            x = 10 * x + d;
    }
    *v = x;
    return big ? 2 : 1;
}

/* A count or index in lo..hi; `what` names it in messages. */
static expm_status parse_int(const reader_t *r, const char *tok, const char *what,
                             long long lo, long long hi, long long *v)
{
    if (!tok)
        return fail(r, EXPM_EINVAL, r->line, "missing %s", what);
    int d = parse_digits(tok, v);
    if (!d)
        return fail(r, EXPM_EINVAL, r->line, "%s '%s' is not a non-negative integer",
                    what, quote(tok).s);
    if (d == 2 || *v < lo || *v > hi)
        return fail(r, EXPM_EINVAL, r->line, "%s '%s' is out of range %lld..%lld",
                    what, quote(tok).s, lo, hi);
    return EXPM_OK;
}

static int is_int_literal(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* A finite double; underflow to a subnormal or zero is accepted as strtod
 * rounds it, overflow (HUGE_VAL), NaN and Inf are not. */
static expm_status parse_value(const reader_t *r, const char *tok, int integer,
                               double *v)
{
    if (integer && !is_int_literal(tok))
        return fail(r, EXPM_EINVAL, r->line,
                    "value '%s' is not an integer (field is 'integer')", quote(tok).s);
    /* MatrixMarket numbers are decimal: strtod's hexadecimal floats (0x10)
     * are refused like any other non-decimal token, as they are in the
     * size line and the indices. */
    char *end;
    *v = strtod(tok, &end);
    if (end == tok || *end)
        return fail(r, EXPM_EINVAL, r->line, "value '%s' is not a number", quote(tok).s);
    if (strpbrk(tok, "xX"))
        return fail(r, EXPM_EINVAL, r->line, "value '%s' is not a decimal number", quote(tok).s);
    if (!isfinite(*v))
        return fail(r, EXPM_EINVAL, r->line, "value '%s' is not a finite number",
                    quote(tok).s);
    return EXPM_OK;
}

/* ------------------------------------------------------------------------ */
/* Header                                                                    */
/* ------------------------------------------------------------------------ */

static expm_status parse_banner(reader_t *r, mm_header *h)
{
    expm_status st = EXPM_OK;
    int got = next_line(r, &st);
    if (got < 0)
        return st;
    if (got == 0)
        return fail(r, EXPM_EINVAL, 1, "empty file, expected a %%%%MatrixMarket banner");
    char *t = next_token(r);
    if (!t || !ieq(t, "%%MatrixMarket"))
        return fail(r, EXPM_EINVAL, 1, "expected a %%%%MatrixMarket banner, found '%s'",
                    t ? quote(t).s : "");

    if (!(t = next_token(r)))
        return fail(r, EXPM_EINVAL, 1, "banner: missing object (expected 'matrix')");
    if (!ieq(t, "matrix"))
        return fail(r, EXPM_EINVAL, 1, "banner: unsupported object '%s' (expected 'matrix')",
                    quote(t).s);

    if (!(t = next_token(r)))
        return fail(r, EXPM_EINVAL, 1,
                    "banner: missing format (expected 'array' or 'coordinate')");
    if (ieq(t, "coordinate"))
        h->coordinate = 1;
    else if (!ieq(t, "array"))
        return fail(r, EXPM_EINVAL, 1,
                    "banner: unknown format '%s' (expected 'array' or 'coordinate')",
                    quote(t).s);

    if (!(t = next_token(r)))
        return fail(r, EXPM_EINVAL, 1,
                    "banner: missing field (expected 'real', 'integer' or 'double')");
    if (ieq(t, "integer"))
        h->integer = 1;
    else if (ieq(t, "complex"))
        return fail(r, EXPM_EINVAL, 1, "banner: complex matrices are not supported");
    else if (ieq(t, "pattern"))
        return fail(r, EXPM_EINVAL, 1, "banner: pattern matrices have no values");
    else if (!ieq(t, "real") && !ieq(t, "double"))
        return fail(r, EXPM_EINVAL, 1,
                    "banner: unknown field '%s' (expected 'real', 'integer' or 'double')",
                    quote(t).s);

    if (!(t = next_token(r)))
        return fail(r, EXPM_EINVAL, 1, "banner: missing symmetry (expected 'general', "
                                       "'symmetric' or 'skew-symmetric')");
    if (ieq(t, "symmetric"))
        h->sym = SYM_SYMMETRIC;
    else if (ieq(t, "skew-symmetric"))
        h->sym = SYM_SKEW;
    else if (ieq(t, "hermitian"))
        return fail(r, EXPM_EINVAL, 1,
                    "banner: hermitian matrices are not supported (complex only)");
    else if (!ieq(t, "general"))
        return fail(r, EXPM_EINVAL, 1, "banner: unknown symmetry '%s' (expected "
                    "'general', 'symmetric' or 'skew-symmetric')", quote(t).s);

    if ((t = next_token(r)))
        return fail(r, EXPM_EINVAL, 1, "banner: unexpected token '%s' after the symmetry",
                    quote(t).s);
    return EXPM_OK;
}

/* Entries a file must give: the whole matrix, its lower triangle, or its
 * strict lower triangle. */
static long long stored_entries(const mm_header *h, long long rows, long long cols)
{
    switch (h->sym) {
    case SYM_SYMMETRIC: return rows * (rows + 1) / 2;
    case SYM_SKEW:      return rows * (rows - 1) / 2;
    default:            return rows * cols;
    }
}

/* Size line; on success A is allocated (zeroed) and *nnz is the number of
 * entries that follow. */
static expm_status parse_size(reader_t *r, const mm_header *h, expm_matrix_t *A,
                              long long *nnz)
{
    const char *shape = h->coordinate ? "rows cols nnz" : "rows cols";
    expm_status st = EXPM_OK;
    int got = next_data_line(r, &st);
    if (got < 0)
        return st;
    if (got == 0)
        return fail(r, EXPM_EINVAL, r->line + 1, "missing size line '%s'", shape);

    long long rows, cols;
    if ((st = parse_int(r, next_token(r), "row count", 1, EXPM_MM_MAX_DIM, &rows)) ||
        (st = parse_int(r, next_token(r), "column count", 1, EXPM_MM_MAX_DIM, &cols)))
        return st;
    long long max_nnz = stored_entries(h, rows, cols);
    if (h->coordinate &&
        (st = parse_int(r, next_token(r), "entry count", 0, LLONG_MAX, nnz)))
        return st;
    const char *t = next_token(r);
    if (t)
        return fail(r, EXPM_EINVAL, r->line, "size line: unexpected token '%s' after '%s'",
                    quote(t).s, shape);
    if (h->sym != SYM_GENERAL && rows != cols)
        return fail(r, EXPM_EINVAL, r->line, "%s matrix must be square, got %lld x %lld",
                    h->sym == SYM_SKEW ? "skew-symmetric" : "symmetric", rows, cols);
    if ((unsigned long long)rows * (unsigned long long)cols > MM_MAX_ELEMS)
        return fail(r, EXPM_EINVAL, r->line, "matrix too large (%lld x %lld, over 1 GiB)",
                    rows, cols);
    if (!h->coordinate)
        *nnz = max_nnz;
    else if (*nnz > max_nnz)
        return fail(r, EXPM_EINVAL, r->line,
                    "entry count %lld exceeds the %lld entries a %s %lld x %lld file can hold",
                    *nnz, max_nnz,
                    h->sym == SYM_GENERAL ? "general" :
                    h->sym == SYM_SYMMETRIC ? "symmetric" : "skew-symmetric",
                    rows, cols);

    A->data = calloc((size_t)rows * (size_t)cols, sizeof(double));
    if (!A->data)
        return fail(r, EXPM_ENOMEM, r->line, "out of memory for %lldx%lld matrix",
                    rows, cols);
    A->rows = (int)rows;
    A->cols = (int)cols;
    A->size_line = r->line > INT_MAX ? INT_MAX : (int)r->line;
    return EXPM_OK;
}

/* ------------------------------------------------------------------------ */
/* Data                                                                      */
/* ------------------------------------------------------------------------ */

/* After the last entry only blank and comment lines may follow. */
static expm_status expect_end(reader_t *r)
{
    expm_status st = EXPM_OK;
    int got = next_data_line(r, &st);
    if (got < 0)
        return st;
    if (got > 0)
        return fail(r, EXPM_EINVAL, r->line, "unexpected data after the last entry");
    return EXPM_OK;
}

static expm_status missing_entries(const reader_t *r, long long want, long long found)
{
    return fail(r, EXPM_EINVAL, r->line + 1, "expected %lld entries, found %lld",
                want, found);
}

/* Put v at (i,j) (0-based) and its mirror image. */
static void store(expm_matrix_t *A, mm_sym sym, size_t i, size_t j, double v)
{
    size_t n = (size_t)A->rows;
    A->data[j * n + i] = v;
    if (sym == SYM_SYMMETRIC)
        A->data[i * n + j] = v;
    else if (sym == SYM_SKEW)
        A->data[i * n + j] = -v;
}

/* Array format: values column-major over the stored part, any number per
 * line. */
static expm_status read_array(reader_t *r, const mm_header *h, expm_matrix_t *A,
                              long long want)
{
    size_t n = (size_t)A->rows;
    size_t i = h->sym == SYM_SKEW ? 1 : 0, j = 0;
    long long k = 0;
    expm_status st = EXPM_OK;
    while (k < want && next_data_line(r, &st) == 1) {
        const char *t;
        while ((t = next_token(r))) {
            double v;
            if (k == want)
                return fail(r, EXPM_EINVAL, r->line, "unexpected data after the last entry");
            if ((st = parse_value(r, t, h->integer, &v)))
                return st;
            store(A, h->sym, i, j, v);
            k++;
            if (++i == n) { /* next column of the stored part */
                j++;
                i = h->sym == SYM_GENERAL ? 0 : h->sym == SYM_SYMMETRIC ? j : j + 1;
            }
        }
    }
    if (st)
        return st;
    if (k < want)
        return missing_entries(r, want, k);
    return expect_end(r);
}

static expm_status parse_index(const reader_t *r, const char *tok, const char *what,
                               long long dim, long long *v)
{
    if (!tok)
        return fail(r, EXPM_EINVAL, r->line, "entry must be 'row col value': missing %s",
                    what);
    int d = parse_digits(tok, v);
    if (!d)
        return fail(r, EXPM_EINVAL, r->line, "%s '%s' is not a positive integer", what,
                    quote(tok).s);
    if (d == 2 || *v < 1 || *v > dim)
        return fail(r, EXPM_EINVAL, r->line, "%s '%s' is out of range 1..%lld", what,
                    quote(tok).s, dim);
    return EXPM_OK;
}

/* One "i j value" line, checked for shape and duplicates. */
static expm_status read_entry(reader_t *r, const mm_header *h, expm_matrix_t *A,
                              unsigned char *seen_bits, mm_seen *seen, long long k)
{
    long long i, j;
    double v;
    expm_status st;
    if ((st = parse_index(r, next_token(r), "row index", A->rows, &i)) ||
        (st = parse_index(r, next_token(r), "column index", A->cols, &j)))
        return st;
    const char *t = next_token(r);
    if (!t)
        return fail(r, EXPM_EINVAL, r->line, "entry must be 'row col value': missing value");
    if ((st = parse_value(r, t, h->integer, &v)))
        return st;
    if ((t = next_token(r)))
        return fail(r, EXPM_EINVAL, r->line, "unexpected token '%s' after 'row col value'",
                    quote(t).s);
    if (h->sym == SYM_SYMMETRIC && i < j)
        return fail(r, EXPM_EINVAL, r->line, "entry (%lld,%lld) is above the diagonal: a "
                    "symmetric file stores only the lower triangle", i, j);
    if (h->sym == SYM_SKEW && i <= j)
        return fail(r, EXPM_EINVAL, r->line, "entry (%lld,%lld) is not below the diagonal: "
                    "a skew-symmetric file stores only the strict lower triangle", i, j);

    size_t pos = (size_t)(j - 1) * (size_t)A->rows + (size_t)(i - 1);
    if (seen_bits[pos / 8] & (1u << (pos % 8))) {
        long long first = 0;
        for (long long q = 0; q < k; q++)
            if (seen[q].pos == pos) {
                first = seen[q].line;
                break;
            }
        return fail(r, EXPM_EINVAL, r->line, "duplicate entry (%lld,%lld), first given on "
                    "line %lld", i, j, first);
    }
    seen_bits[pos / 8] |= (unsigned char)(1u << (pos % 8));
    seen[k].pos = pos;
    seen[k].line = r->line;
    store(A, h->sym, (size_t)(i - 1), (size_t)(j - 1), v);
    return EXPM_OK;
}

/* Coordinate format: one entry a line.  A bitmap of the given positions
 * finds duplicates in O(1); the list of entries (grown as they arrive, so
 * memory follows the file, not the header) names the first occurrence. */
static expm_status read_coordinate(reader_t *r, const mm_header *h, expm_matrix_t *A,
                                   long long nnz)
{
    if (nnz == 0)
        return expect_end(r);
    size_t elems = (size_t)A->rows * (size_t)A->cols;
    unsigned char *bits = calloc(elems / 8 + 1, 1);
    mm_seen *seen = NULL;
    size_t cap = 0;
    long long k = 0;
    expm_status st = bits ? EXPM_OK
                          : fail(r, EXPM_ENOMEM, r->line, "out of memory for %dx%d matrix",
                                 A->rows, A->cols);
    while (!st && k < nnz && next_data_line(r, &st) == 1) {
        if ((size_t)k == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            if (nc > (size_t)nnz)
                nc = (size_t)nnz;
            mm_seen *ns = realloc(seen, nc * sizeof *seen);
            if (!ns) {
                st = fail(r, EXPM_ENOMEM, r->line, "out of memory for %dx%d matrix",
                          A->rows, A->cols);
                break;
            }
            seen = ns;
            cap = nc;
        }
        if (!(st = read_entry(r, h, A, bits, seen, k)))
            k++;
    }
    free(bits);
    free(seen);
    if (st)
        return st;
    if (k < nnz)
        return missing_entries(r, nnz, k);
    return expect_end(r);
}

static expm_status read_all(reader_t *r, expm_matrix_t *A)
{
    mm_header h = {0, 0, SYM_GENERAL};
    long long nnz = 0;
    expm_status st;
    if ((st = parse_banner(r, &h)) || (st = parse_size(r, &h, A, &nnz)))
        return st;
    return h.coordinate ? read_coordinate(r, &h, A, nnz) : read_array(r, &h, A, nnz);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

void expm_matrix_free(expm_matrix_t *M)
{
    if (!M)
        return;
    free(M->data);
    *M = (expm_matrix_t){0};
}

expm_status expm_mm_read_stream(FILE *fp, const char *name, expm_matrix_t *M,
                                char *err, size_t errlen)
{
    reader_t r = {0};
    r.fp = fp;
    r.name = name ? name : "<stream>";
    r.err = err;
    r.errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
    if (M)
        *M = (expm_matrix_t){0};
    if (!fp || !M)
        return fail(&r, EXPM_EINVAL, 0, "no %s given", fp ? "result matrix" : "stream");

    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!c_locale)
        return fail(&r, EXPM_ENOMEM, 0, "out of memory (C locale)");
    locale_t old = uselocale(c_locale);
    flockfile(fp);

    expm_matrix_t A = {0};
    expm_status st = read_all(&r, &A);

    funlockfile(fp);
    uselocale(old);
    freelocale(c_locale);
    free(r.buf);
    if (st == EXPM_OK)
        *M = A;
    else
        free(A.data);
    return st;
}

expm_status expm_mm_read(const char *path, expm_matrix_t *M, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (M)
        *M = (expm_matrix_t){0};
    if (!path) {
        set_err(err, errlen, "<null>", 0, "no path given");
        return EXPM_EINVAL;
    }
    if (strcmp(path, "-") == 0)
        return expm_mm_read_stream(stdin, "<stdin>", M, err, errlen);

    FILE *fp = fopen(path, "r");
    if (!fp) {
        char msg[128] = "unknown error";
        strerror_r(errno, msg, sizeof msg);
        set_err(err, errlen, path, 0, "cannot open: %s", msg);
        return EXPM_EINVAL;
    }
    /* fopen() succeeds on a directory on Linux; reading would then fail
     * with a less helpful EISDIR. */
    struct stat sb;
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(fp);
        set_err(err, errlen, path, 0, "is a directory");
        return EXPM_EINVAL;
    }
    expm_status st = expm_mm_read_stream(fp, path, M, err, errlen);
    fclose(fp);
    return st;
}

static int write_comment(FILE *fp, const char *comment)
{
    const char *p = comment;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (fputs(n ? "% " : "%", fp) == EOF || fwrite(p, 1, n, fp) != n ||
            fputc('\n', fp) == EOF)
            return 0;
        p += n + (nl != NULL);
    }
    return 1;
}

expm_status expm_mm_write(FILE *fp, int rows, int cols, const double *A, int lda,
                          const char *comment)
{
    /* Only what the reader accepts back: positive sizes, finite values. */
    if (!fp || !A || rows < 1 || cols < 1 || lda < rows)
        return EXPM_EINVAL;
    for (size_t j = 0; j < (size_t)cols; j++)
        for (size_t i = 0; i < (size_t)rows; i++)
            if (!isfinite(A[j * (size_t)lda + i]))
                return EXPM_EINVAL;

    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!c_locale)
        return EXPM_ENOMEM;
    locale_t old = uselocale(c_locale);

    int ok = fputs("%%MatrixMarket matrix array real general\n", fp) != EOF &&
             write_comment(fp, comment) && fprintf(fp, "%d %d\n", rows, cols) >= 0;
    for (size_t j = 0; ok && j < (size_t)cols; j++)
        for (size_t i = 0; ok && i < (size_t)rows; i++)
            ok = fprintf(fp, "%.17g\n", A[j * (size_t)lda + i]) >= 0;
    ok = ok && fflush(fp) == 0 && !ferror(fp);

    uselocale(old);
    freelocale(c_locale);
    return ok ? EXPM_OK : EXPM_EINVAL;
}
