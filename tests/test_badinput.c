/*
 * test_badinput.c -- the `expmkit` command fed malformed and hostile input,
 * and numbers at the edges of double (overflow, huge norms, subnormals).
 *
 * Contract (DESIGN.md, "Command line"): bad input exits 2 with exactly one
 * line `expmkit: FILE:LINE: reason` on stderr and nothing on stdout; a
 * result that cannot be represented exits 1; every answer comes within a
 * second (no allocation or loop sized by an unchecked header).
 *
 * Each catalogue entry is run four ways: as A (`expm A`), as E
 * (`frechet good A`), as G (`adjoint good G`) and as A on stdin (`expm -`),
 * so the reader's messages are checked for every input position.
 * The binary is $EXPMKIT (set by `make test`), default build/expmkit.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

extern char **environ;

/* Bound on the wall time of one CLI run on bad input.  A correct reader
 * answers in milliseconds; 1 s is the requirement.  Sanitizer and
 * valgrind builds are slower by a constant factor, hence the variable. */
static double time_limit(void)
{
    const char *s = getenv("EXPMKIT_TIME_LIMIT");
    return s && atof(s) > 0 ? atof(s) : 1.0;
}

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/expmkit-bad-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(bad, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(edge, .init = setup, .fini = teardown, .timeout = 60);

static const char *bin(void)
{
    const char *b = getenv("EXPMKIT");
    return b ? b : "build/expmkit";
}

/* Write len bytes to dir/name; returns the path (static rotation). */
static const char *put_bytes(const char *name, const char *data, size_t len)
{
    static char paths[8][320];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 320, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return p;
}

static const char *put(const char *name, const char *text)
{
    return put_bytes(name, text, strlen(text));
}

#define OUT_CAP (1 << 16)
static char out_buf[OUT_CAP], err_buf[1 << 14];
static size_t out_len;
static double elapsed;

static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    return n;
}

/* How the child's standard input is set up. */
enum { IN_NULL, IN_FILE, IN_CLOSED };

/* Run expmkit argv[0..] (NULL-terminated, without the program name) with
 * stdin from `in_path` (IN_FILE: a file or directory opened read-only),
 * /dev/null or closed; returns the exit status, fills out_buf/err_buf and
 * the wall time `elapsed`.  posix_spawn, not a shell: the descriptors are
 * exactly as specified. */
static int run_in(const char *const *args, int in_mode, const char *in_path)
{
    char o[300], e[300];
    snprintf(o, sizeof o, "%s/stdout", dir);
    snprintf(e, sizeof e, "%s/stderr", dir);
    const char *argv[8];
    int k = 0;
    argv[k++] = bin();
    for (; args[k - 1] && k < 7; k++)
        argv[k] = args[k - 1];
    argv[k] = NULL;

    posix_spawn_file_actions_t fa;
    cr_assert_eq(posix_spawn_file_actions_init(&fa), 0);
    if (in_mode == IN_CLOSED)
        posix_spawn_file_actions_addclose(&fa, 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, in_mode == IN_FILE ? in_path : "/dev/null",
                                         O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "posix_spawn %s: %s", argv[0], strerror(rc));
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    out_len = slurp(o, out_buf, sizeof out_buf);
    slurp(e, err_buf, sizeof err_buf);
    cr_assert(WIFEXITED(st), "expmkit %s %s: killed by signal %d", args[0],
              args[1] ? args[1] : "", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return WEXITSTATUS(st);
}

static int run(const char *const *args)
{
    return run_in(args, IN_NULL, NULL);
}

/* The bad-input contract: exit 2, empty stdout, one stderr line
 * "expmkit: NAME:LINE: ..." containing `reason`, within the time limit. */
static void check_bad(int rc, const char *how, const char *name, long line,
                      const char *reason)
{
    char prefix[400];
    snprintf(prefix, sizeof prefix, "expmkit: %s:%ld: ", name, line);
    cr_expect_eq(rc, 2, "%s: exit %d, want 2; stderr: %s", how, rc, err_buf);
    cr_expect_eq(out_len, 0, "%s: stdout not empty: %.200s", how, out_buf);
    cr_expect_eq(strncmp(err_buf, prefix, strlen(prefix)), 0,
                 "%s: stderr does not start with '%s': %s", how, prefix, err_buf);
    cr_expect_not_null(strstr(err_buf, reason), "%s: stderr lacks '%s': %s", how, reason,
                       err_buf);
    size_t len = strlen(err_buf);
    cr_expect(len > 0 && err_buf[len - 1] == '\n' && strchr(err_buf, '\n') == err_buf + len - 1,
              "%s: stderr is not exactly one line: %s", how, err_buf);
    cr_expect_lt(elapsed, time_limit(), "%s: took %.3f s", how, elapsed);
}

static const char *GOOD3 = "%%MatrixMarket matrix array real general\n3 3\n"
                           "1\n0.5\n-2\n0\n-1\n0.25\n3\n1\n0\n";

/* A catalogue entry: the bad file's bytes, the line the reader must blame
 * and a fragment of the reason. */
typedef struct {
    const char *data;
    size_t len;      /* 0: strlen(data) */
    long line;
    const char *reason;
} bad_t;

/* Run the entry as A, E, G (from a file) and as A from stdin. */
static void catalogue(const bad_t *b)
{
    size_t len = b->len ? b->len : strlen(b->data);
    const char *bad = put_bytes("bad.mtx", b->data, len);
    const char *good = put("good.mtx", GOOD3);
    char how[64];

    snprintf(how, sizeof how, "expm A");
    check_bad(run((const char *[]){"expm", bad, NULL}), how, bad, b->line, b->reason);
    snprintf(how, sizeof how, "frechet A E=bad");
    check_bad(run((const char *[]){"frechet", good, bad, NULL}), how, bad, b->line, b->reason);
    snprintf(how, sizeof how, "adjoint A G=bad");
    check_bad(run((const char *[]){"adjoint", "-m", "pade", good, bad, NULL}), how, bad,
              b->line, b->reason);
    snprintf(how, sizeof how, "expm - < bad");
    check_bad(run_in((const char *[]){"expm", "-", NULL}, IN_FILE, bad), how, "<stdin>",
              b->line, b->reason);
}

#define BANNER "%%MatrixMarket matrix array real general\n"
#define CBANNER "%%MatrixMarket matrix coordinate real general\n"

/* ---- header ------------------------------------------------------------ */

Test(bad, empty_file) { catalogue(&(bad_t){"", 0, 1, "empty file"}); }
Test(bad, blank_lines_only)
{
    catalogue(&(bad_t){"\n  \n\t\n", 0, 1, "expected a %%MatrixMarket banner"});
}
Test(bad, banner_only) { catalogue(&(bad_t){BANNER, 0, 2, "missing size line"}); }
Test(bad, banner_and_comments_only)
{
    catalogue(&(bad_t){BANNER "% one\n%two\n\n", 0, 5, "missing size line"});
}
Test(bad, banner_without_percents)
{
    catalogue(&(bad_t){"MatrixMarket matrix array real general\n1 1\n1\n", 0, 1,
                       "expected a %%MatrixMarket banner"});
}
Test(bad, banner_wrong_object)
{
    catalogue(&(bad_t){"%%MatrixMarket vector array real general\n1 1\n1\n", 0, 1,
                       "unsupported object 'vector'"});
}
Test(bad, banner_unknown_format)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix dense real general\n1 1\n1\n", 0, 1,
                       "unknown format 'dense'"});
}
Test(bad, banner_truncated)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix array\n1 1\n1\n", 0, 1, "missing field"});
}
Test(bad, banner_trailing_token)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix array real general yes\n1 1\n1\n", 0, 1,
                       "unexpected token 'yes'"});
}
Test(bad, field_complex)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n",
                       0, 1, "complex matrices are not supported"});
}
Test(bad, field_pattern)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1\n", 0,
                       1, "pattern matrices have no values"});
}
Test(bad, symmetry_hermitian)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n", 0,
                       1, "hermitian matrices are not supported"});
}

/* ---- size line --------------------------------------------------------- */

Test(bad, non_square_array)
{
    catalogue(&(bad_t){BANNER "% c\n2 3\n1\n2\n3\n4\n5\n6\n", 0, 3, "must be square"});
}
Test(bad, non_square_coordinate)
{
    catalogue(&(bad_t){CBANNER "3 1 1\n1 1 1\n", 0, 2, "must be square"});
}
Test(bad, symmetric_non_square)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix array real symmetric\n2 3\n1\n2\n3\n", 0, 2,
                       "symmetric matrix must be square"});
}
Test(bad, negative_dimension)
{
    catalogue(&(bad_t){BANNER "-2 2\n1\n2\n3\n4\n", 0, 2, "row count '-2' is not"});
}
Test(bad, zero_dimension) { catalogue(&(bad_t){BANNER "0 0\n", 0, 2, "out of range 1..65536"}); }
Test(bad, dimension_not_a_number)
{
    catalogue(&(bad_t){BANNER "two 2\n", 0, 2, "row count 'two' is not"});
}
Test(bad, size_line_missing_column_count)
{
    catalogue(&(bad_t){BANNER "2\n1\n2\n3\n4\n", 0, 2, "missing column count"});
}
Test(bad, size_line_extra_token)
{
    catalogue(&(bad_t){BANNER "2 2 4\n1\n2\n3\n4\n", 0, 2, "unexpected token '4'"});
}
/* 20-digit and 65537 dimensions: out of range before anything is allocated. */
Test(bad, enormous_dimension_digits)
{
    catalogue(&(bad_t){BANNER "99999999999999999999999 99999999999999999999999\n1\n", 0, 2,
                       "out of range 1..65536"});
}
Test(bad, dimension_just_over_limit)
{
    catalogue(&(bad_t){CBANNER "65537 65537 0\n", 0, 2, "out of range 1..65536"});
}
/* In range per dimension but 32 GiB of doubles: refused by the size check,
 * not by a failed (or worse, successful and slow) allocation. */
Test(bad, enormous_matrix_over_1GiB)
{
    catalogue(&(bad_t){CBANNER "65536 65536 1\n1 1 1\n", 0, 2, "matrix too large"});
}
/* 512 MiB: allowed, but the data is missing, which must be found at the end
 * of the file quickly (calloc of untouched pages, no O(n^2) pass). */
Test(bad, large_header_no_data)
{
    catalogue(&(bad_t){BANNER "8192 8192\n1\n", 0, 4, "expected 67108864 entries, found 1"});
}
/* nnz far beyond what arrives: the entry list grows with the file, not the
 * header. */
Test(bad, huge_entry_count)
{
    catalogue(&(bad_t){CBANNER "4 4 99999999999999999999\n1 1 1\n", 0, 2,
                       "entry count '99999999999999999999' is out of range"});
}
Test(bad, entry_count_above_capacity)
{
    catalogue(&(bad_t){CBANNER "1000 1000 1000000\n1 1 1\n2 2 1\n", 0, 5,
                       "expected 1000000 entries, found 2"});
}

/* ---- data -------------------------------------------------------------- */

Test(bad, truncated_array)
{
    catalogue(&(bad_t){BANNER "2 2\n1\n2\n3\n", 0, 6, "expected 4 entries, found 3"});
}
Test(bad, truncated_coordinate_line)
{
    catalogue(&(bad_t){CBANNER "2 2 2\n1 1 1\n2 2", 0, 4, "missing value"});
}
Test(bad, truncated_mid_number_then_eof)
{
    /* "1e" at end of file is not a number. */
    catalogue(&(bad_t){BANNER "1 1\n1e", 0, 3, "value '1e' is not a number"});
}
Test(bad, extra_data_array)
{
    catalogue(&(bad_t){BANNER "2 2\n1\n2\n3\n4\n5\n", 0, 7, "unexpected data after the last"});
}
Test(bad, extra_data_same_line)
{
    catalogue(&(bad_t){BANNER "2 2\n1 2\n3 4 5\n", 0, 4, "unexpected data after the last"});
}
Test(bad, extra_data_coordinate)
{
    catalogue(&(bad_t){CBANNER "2 2 1\n1 1 1\n2 2 1\n", 0, 4, "unexpected data after the last"});
}
Test(bad, extra_token_coordinate)
{
    catalogue(&(bad_t){CBANNER "2 2 1\n1 1 1 7\n", 0, 3, "unexpected token '7'"});
}
Test(bad, not_a_number)
{
    catalogue(&(bad_t){BANNER "2 2\n1\nabc\n3\n4\n", 0, 4, "value 'abc' is not a number"});
}
Test(bad, number_with_trailing_junk)
{
    catalogue(&(bad_t){BANNER "2 2\n1\n2\n3.5kg\n4\n", 0, 5, "value '3.5kg' is not a number"});
}
Test(bad, comma_decimal_separator)
{
    catalogue(&(bad_t){BANNER "1 1\n1,5\n", 0, 3, "value '1,5' is not a number"});
}
Test(bad, integer_field_with_fraction)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix array integer general\n1 1\n1.5\n", 0, 3,
                       "is not an integer"});
}
Test(bad, nan_entry)
{
    catalogue(&(bad_t){BANNER "2 2\n1\nnan\n3\n4\n", 0, 4, "'nan' is not a finite number"});
}
Test(bad, inf_entry)
{
    catalogue(&(bad_t){BANNER "2 2\n1\n2\n-Infinity\n4\n", 0, 5, "is not a finite number"});
}
Test(bad, overflowing_literal_1e999)
{
    catalogue(&(bad_t){CBANNER "2 2 1\n2 1 1e999\n", 0, 3, "'1e999' is not a finite number"});
}
Test(bad, overflowing_integer_literal)
{
    /* 400 nines: an integer literal whose value exceeds DBL_MAX. */
    static char text[600];
    int k = snprintf(text, sizeof text, "%s", "%%MatrixMarket matrix array integer general\n1 1\n");
    memset(text + k, '9', 400);
    strcpy(text + k + 400, "\n");
    catalogue(&(bad_t){text, 0, 3, "is not a finite number"});
}

/* ---- coordinates ------------------------------------------------------- */

Test(bad, coordinate_index_zero)
{
    catalogue(&(bad_t){CBANNER "2 2 1\n0 1 1\n", 0, 3, "row index '0' is out of range 1..2"});
}
Test(bad, coordinate_index_out_of_range)
{
    catalogue(&(bad_t){CBANNER "2 2 2\n1 1 1\n% c\n1 3 1\n", 0, 5,
                       "column index '3' is out of range 1..2"});
}
Test(bad, coordinate_index_negative)
{
    catalogue(&(bad_t){CBANNER "2 2 1\n-1 1 1\n", 0, 3, "row index '-1' is not a positive"});
}
Test(bad, coordinate_index_huge)
{
    catalogue(&(bad_t){CBANNER "2 2 1\n1 184467440737095516160 1\n", 0, 3,
                       "is out of range 1..2"});
}
/* The reader's rule (README, "Input"): a repeated (i,j) is an error naming
 * both lines -- never summed, never last-wins. */
Test(bad, coordinate_duplicate)
{
    catalogue(&(bad_t){CBANNER "2 2 3\n1 1 1\n2 1 5\n1 1 2\n", 0, 5,
                       "duplicate entry (1,1), first given on line 3"});
}
Test(bad, symmetric_entry_above_diagonal)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 1\n", 0,
                       3, "above the diagonal"});
}
Test(bad, skew_symmetric_diagonal_entry)
{
    catalogue(&(bad_t){"%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n1 1 1\n",
                       0, 3, "not below the diagonal"});
}

/* ---- binary and huge lines --------------------------------------------- */

Test(bad, binary_png_header)
{
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    catalogue(&(bad_t){png, sizeof png - 1, 1, "expected a %%MatrixMarket banner, found '?PNG'"});
}
Test(bad, binary_nul_in_data)
{
    static const char text[] = BANNER "1 1\n1\0\n";
    catalogue(&(bad_t){text, sizeof text - 1, 3, "NUL byte in column 2"});
}
Test(bad, binary_random_bytes)
{
    /* Deterministic bytes with no '\n' and no NUL: one long first line. */
    static char buf[4096];
    unsigned long long x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        unsigned char c = (unsigned char)(x >> 56);
        buf[i] = (char)(c == 0 || c == '\n' || c == '%' ? 0xff : c);
    }
    catalogue(&(bad_t){buf, sizeof buf, 1, "expected a %%MatrixMarket banner"});
}
/* A 4 MB line of digits: one value, read whole, rejected (it overflows). */
Test(bad, very_long_line_of_digits)
{
    size_t n = 4u << 20;
    char *text = malloc(n + 64);
    cr_assert_not_null(text);
    int k = snprintf(text, 64, "%s", BANNER "1 1\n");
    memset(text + k, '7', n);
    text[k + n] = '\n';
    catalogue(&(bad_t){text, (size_t)k + n + 1, 3, "is not a finite number"});
    free(text);
}
/* A 4 MB comment line is legal; the line after it is still counted right. */
Test(bad, very_long_comment_then_error)
{
    size_t n = 4u << 20;
    char *text = malloc(n + 128);
    cr_assert_not_null(text);
    int k = snprintf(text, 64, "%s", BANNER "%");
    memset(text + k, 'c', n);
    strcpy(text + k + n, "\n1 1\nx\n");
    catalogue(&(bad_t){text, 0, 4, "value 'x' is not a number"});
    free(text);
}
/* 500k values on one line for a 2x2 matrix: stops at the fifth. */
Test(bad, very_long_line_of_values)
{
    size_t n = 500000;
    char *text = malloc(2 * n + 64);
    cr_assert_not_null(text);
    int k = snprintf(text, 64, "%s", BANNER "2 2\n");
    for (size_t i = 0; i < n; i++)
        memcpy(text + k + 2 * i, "1 ", 2);
    strcpy(text + k + 2 * n, "\n");
    catalogue(&(bad_t){text, 0, 3, "unexpected data after the last entry"});
    free(text);
}

/* ---- files and streams ------------------------------------------------- */

/* Line 0: the file as a whole is at fault (README, "Input"). */
Test(bad, path_is_directory)
{
    const char *good = put("good.mtx", GOOD3);
    check_bad(run((const char *[]){"expm", dir, NULL}), "expm dir", dir, 0, "is a directory");
    check_bad(run((const char *[]){"frechet", good, dir, NULL}), "frechet A dir", dir, 0,
              "is a directory");
}
Test(bad, missing_file)
{
    char path[400];
    snprintf(path, sizeof path, "%s/no-such.mtx", dir);
    const char *good = put("good.mtx", GOOD3);
    check_bad(run((const char *[]){"expm", path, NULL}), "expm missing", path, 0,
              "No such file");
    check_bad(run((const char *[]){"adjoint", good, path, NULL}), "adjoint A missing", path, 0,
              "No such file");
}
Test(bad, unreadable_file)
{
    const char *p = put("secret.mtx", GOOD3);
    cr_assert_eq(chmod(p, 0), 0);
    FILE *f = fopen(p, "r");
    if (f) { /* root reads anything: nothing to test */
        fclose(f);
        cr_skip_test("running as root: permissions are not enforced");
    }
    check_bad(run((const char *[]){"expm", p, NULL}), "expm unreadable", p, 0,
              "Permission denied");
}
Test(bad, stdin_closed)
{
    const char *good = put("good.mtx", GOOD3);
    check_bad(run_in((const char *[]){"expm", "-", NULL}, IN_CLOSED, NULL), "expm - <&-",
              "<stdin>", 1, "read error");
    /* A is opened first and may take descriptor 0; the E read from '-' must
     * still see that stdin was closed, not re-read A's file. */
    check_bad(run_in((const char *[]){"frechet", good, "-", NULL}, IN_CLOSED, NULL),
              "frechet A - <&-", "<stdin>", 1, "read error");
}
Test(bad, stdin_is_directory)
{
    check_bad(run_in((const char *[]){"expm", "-", NULL}, IN_FILE, dir), "expm - < dir",
              "<stdin>", 1, "Is a directory");
}
Test(bad, stdin_empty)
{
    check_bad(run_in((const char *[]){"expm", "-", NULL}, IN_NULL, NULL), "expm - </dev/null",
              "<stdin>", 1, "empty file");
}

/* An unwritable stdout (disk full, closed) is a failure of the command,
 * exit 1 with the reason, never a silent exit 0 with a lost result. */
static int run_stdout(const char *const *args, int closed)
{
    char e[300];
    snprintf(e, sizeof e, "%s/stderr", dir);
    const char *argv[8] = {bin()};
    for (int k = 0; args[k] && k < 6; k++)
        argv[k + 1] = args[k];
    posix_spawn_file_actions_t fa;
    cr_assert_eq(posix_spawn_file_actions_init(&fa), 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (closed)
        posix_spawn_file_actions_addclose(&fa, 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/full", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    slurp(e, err_buf, sizeof err_buf);
    cr_assert(WIFEXITED(st), "killed by a signal");
    return WEXITSTATUS(st);
}

Test(bad, stdout_full_or_closed)
{
    const char *good = put("good.mtx", GOOD3);
    if (access("/dev/full", W_OK) == 0) {
        cr_expect_eq(run_stdout((const char *[]){"expm", good, NULL}, 0), 1, "stderr: %s",
                     err_buf);
        cr_expect_not_null(strstr(err_buf, "expmkit: <stdout>: write error"), "%s", err_buf);
    }
    /* Closed fd 1: the A file may be opened as descriptor 1; the result must
     * still not be written into it. */
    cr_expect_eq(run_stdout((const char *[]){"expm", good, NULL}, 1), 1, "stderr: %s", err_buf);
    cr_expect_not_null(strstr(err_buf, "expmkit: <stdout>: write error"), "%s", err_buf);
    char text[256];
    FILE *f = fopen(good, "r");
    cr_assert_not_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cr_expect_str_eq(text, GOOD3, "the input file was modified");
}

/* Every command, not only those that print a matrix: `cond`, `methods`,
 * `--help` and `--version` into /dev/full exited 1 (or 0) with nothing on
 * stderr (an outside audit). */
Test(bad, stdout_full_every_command)
{
    if (access("/dev/full", W_OK) != 0)
        return;
    const char *good = put("good.mtx", GOOD3);
    const char *const cmds[][3] = {{"cond", good, NULL}, {"methods", NULL, NULL},
                                   {"--help", NULL, NULL}, {"--version", NULL, NULL},
                                   {"ref", good, NULL}, {"expm", "-h", NULL}};
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
        cr_expect_eq(run_stdout(cmds[k], 0), 1, "%s: stderr: %s", cmds[k][0], err_buf);
        cr_expect_not_null(strstr(err_buf, "expmkit: <stdout>: write error"), "%s: %s",
                           cmds[k][0], err_buf);
    }
}

/* ---- A and E disagree -------------------------------------------------- */

Test(bad, mismatched_sizes_frechet_and_adjoint)
{
    const char *good = put("good.mtx", GOOD3);
    const char *e2 = put("e2.mtx", BANNER "% 2x2\n2 2\n1\n2\n3\n4\n");
    check_bad(run((const char *[]){"frechet", good, e2, NULL}), "frechet 3x3 2x2", e2, 3,
              "E is 2 x 2 but A is 3 x 3");
    check_bad(run((const char *[]){"adjoint", good, e2, NULL}), "adjoint 3x3 2x2", e2, 3,
              "G is 2 x 2 but A is 3 x 3");
    check_bad(run_in((const char *[]){"frechet", e2, "-", NULL}, IN_FILE, good),
              "frechet 2x2 - (3x3)", "<stdin>", 2, "E is 3 x 3 but A is 2 x 2");
}

/* ======================================================================== */
/* Numerical edges                                                          */
/* ======================================================================== */

#define LN10 2.302585092994045684

/* Parse MatrixMarket array output into X (cap doubles); returns n or -1. */
static int parse_out(double *X, int cap)
{
    char *save = NULL, *line = strtok_r(out_buf, "\n", &save);
    if (!line || strcmp(line, "%%MatrixMarket matrix array real general") != 0)
        return -1;
    int r = 0, c = 0, k = 0;
    while ((line = strtok_r(NULL, "\n", &save))) {
        if (line[0] == '%')
            continue;
        if (!r) {
            if (sscanf(line, "%d %d", &r, &c) != 2 || r != c)
                return -1;
            continue;
        }
        if (k >= cap)
            return -1;
        X[k++] = strtod(line, NULL);
    }
    return k == r * c ? r : -1;
}

static const char *put_matrix(const char *name, int n, const double *A)
{
    char *text = malloc(64 + 32 * (size_t)n * (size_t)n);
    cr_assert_not_null(text);
    int k = sprintf(text, "%s%d %d\n", BANNER, n, n);
    for (int i = 0; i < n * n; i++)
        k += sprintf(text + k, "%.17g\n", A[i]);
    const char *p = put(name, text);
    free(text);
    return p;
}

static int all_finite(int len, const double *X)
{
    for (int k = 0; k < len; k++)
        if (!isfinite(X[k]))
            return 0;
    return 1;
}

/* Every registered method (the registry read at run time), for each kind
 * it computes: a result reported as success is finite; a failure leaves
 * the outputs untouched (expmkit.h: "outputs are written only on
 * success"). */
static void all_methods_never_return_nonfinite(int n, const double *A)
{
    size_t nn = (size_t)n * (size_t)n;
    double *X = malloc(sizeof(double) * nn), *L = malloc(sizeof(double) * nn),
           *E = malloc(sizeof(double) * nn);
    cr_assert(X && L && E);
    for (size_t k = 0; k < nn; k++)
        E[k] = 1.0;
    for (int i = 0; i < expm_method_count(); i++) {
        const expm_method_t *m = expm_method_get(i);
        for (int kind = 0; kind < 2; kind++) {
            if (!(m->kinds & (kind == 0 ? EXPM_KIND_EXP : EXPM_KIND_FRECHET)))
                continue;
            for (size_t k = 0; k < nn; k++)
                X[k] = L[k] = -7.0;
            expm_info_t info;
            expm_status st = kind == 0
                                 ? expm_exp(m->name, n, A, n, X, n, &info)
                                 : expm_frechet(m->name, n, A, n, E, n, L, n, X, n, &info);
            const char *what = kind == 0 ? "exp" : "frechet";
            if (st == EXPM_OK) {
                cr_expect(all_finite((int)nn, X) && (kind == 0 || all_finite((int)nn, L)),
                          "%s %s: non-finite result returned as success", m->name, what);
            } else {
                int untouched = 1;
                for (size_t k = 0; k < nn; k++)
                    untouched &= X[k] == -7.0 && L[k] == -7.0;
                cr_expect(untouched, "%s %s: failed (%s) but wrote its outputs", m->name, what,
                          expm_strerror(st));
            }
        }
    }
    free(X);
    free(L);
    free(E);
}

/* Every method on huge entries must return a finite result or an error
 * status, with a bounded amount of work (the issue: "methods that cannot
 * converge stop with a clear status"); all of it takes milliseconds, so
 * the 10 s timeout only catches a hang.  Regressions:
 *  - found by `make fuzz` (seed tests/fuzz/corpus/sym_edge.mtx): 2x2
 *    matrices with entries ~1e300 made pick_exponent() in methods/exp2x2.c
 *    (the n = 2 path of `pade`) convert 1.4e300 to long -- undefined
 *    behaviour, reported by UBSan under `make sanitize`;
 *  - the same matrix, L(A,E) by `pade` (E = ones, or the fuzzer's
 *    [-2 2; 0 -1]): the power-of-two exponents of expm_sym_step()
 *    (methods/scaling.c:74, `*eL += *eR`) overflow a long -- UB again;
 *  - entries +-DBL_MAX (finite, but ||A||_1 = Inf): `taylor` derived its
 *    number of squarings from log2(Inf) and looped (hang). */
Test(edge, huge_entries_every_method, .timeout = 10)
{
    static const double cases[][4] = {
        {1e300, -4.9e-324, -4.9e-324, 700}, /* column-major 2x2 */
        {1e300, 0, 0, 0},
        {-1e300, 0, 0, 0},
        {1e300, 0, 1, -1e300},
        {0, -1e300, 1e300, 0},
        {DBL_MAX, DBL_MAX, -DBL_MAX, DBL_MAX},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        all_methods_never_return_nonfinite(2, cases[c]);
    double A3[9] = {1e300, 0, 0, 0, -1e300, 0, 1, 1, 1e-300};
    all_methods_never_return_nonfinite(3, A3);
}

/* Regression (found by `make fuzz` after 241,558 runs; input saved as
 * tests/fuzz/corpus/crash-complex-step-exponent.mtx): a 3x3 with one entry
 * 7.8e57 (eigenvalues ~ +-8.8e28): `complex-step`'s complex scaling and
 * squaring (zexpm, methods/complex_step.c:344) doubles a long exponent
 * until it overflows -- UB under `make sanitize`.  Every method: finite
 * result or error status. */
Test(edge, huge_single_entry_every_method, .timeout = 10)
{
    double A[9] = {40, 0, 0, 1, 2, 7.777777777777777e+57, 2, 1, 1};
    all_methods_never_return_nonfinite(3, A);
}

/* Regression (found by `make fuzz`, 19 of 23 crashing inputs in a 75 s
 * run; tests/fuzz/corpus/crash-pade-square-exponent.mtx): entries 8e48 and
 * 5.8e54 make `pade` (and `pade-schur`) square ~180 times, and the
 * power-of-two exponent carried by expm_square_step() (methods/scaling.c:57,
 * `*e *= 2`) overflows a long -- UB under `make sanitize`, in the default
 * method.  The true exp(A) overflows: the answer must be EXPM_EOVERFLOW. */
Test(edge, huge_norm_squaring_exponent, .timeout = 10)
{
    double A[9] = {8.058000000000000000000001e48, 5.8e54, 5, 1, 1, 0, 1, 0, 1}, X[9];
    expm_info_t info;
    cr_expect_eq(expm_exp(NULL, 3, A, 3, X, 3, &info), EXPM_EOVERFLOW, "%s", info.message);
    all_methods_never_return_nonfinite(3, A);
}

/* [[800,1,0],[0,1,0],[0,0,1]]: ||exp(A)||_1 = e^800 (column 1) = 10^347.43. */
Test(edge, true_overflow_exits_1_with_magnitude)
{
    double A[9] = {800, 0, 0, 1, 1, 0, 0, 0, 1};
    const char *a = put_matrix("ovf.mtx", 3, A);
    int rc = run((const char *[]){"expm", a, NULL});
    cr_expect_eq(rc, 1, "exit %d; stderr %s", rc, err_buf);
    cr_expect_eq(out_len, 0, "stdout not empty: %.200s", out_buf);
    char mag[32];
    snprintf(mag, sizeof mag, "1e%d", (int)floor(800 / LN10));
    cr_expect_not_null(strstr(err_buf, "overflow"), "stderr: %s", err_buf);
    cr_expect_not_null(strstr(err_buf, mag), "stderr lacks the magnitude %s: %s", mag, err_buf);

    rc = run((const char *[]){"frechet", a, a, NULL});
    cr_expect_eq(rc, 1, "frechet: exit %d; stderr %s", rc, err_buf);
    cr_expect_eq(out_len, 0);

    /* Library: EXPM_EOVERFLOW from the default, with the size of the result
     * within a factor 10 (log10 within 1; the estimate is a norm bound). */
    double X[9];
    expm_info_t info;
    cr_expect_eq(expm_exp(NULL, 3, A, 3, X, 3, &info), EXPM_EOVERFLOW);
    cr_expect(fabs(info.log10_norm - 800 / LN10) < 1.0, "log10_norm %g, want %g",
              info.log10_norm, 800 / LN10);
    all_methods_never_return_nonfinite(3, A);
}

/* exp(A) with entries ~1e300..1e307 must come out finite and accurate: no
 * spurious overflow in the squarings. Measured against the MPFR reference:
 * phi = err / (u max(kappa,1)) <= 100, DESIGN.md's bound for the default. */
static void large_but_finite(const char *name, int n, const double *A, double min_max_entry)
{
    const char *a = put_matrix(name, n, A);
    int rc = run((const char *[]){"expm", a, NULL});
    cr_assert_eq(rc, 0, "%s: exit %d, stderr %s", name, rc, err_buf);
    double X[16], R[16];
    cr_assert_eq(parse_out(X, 16), n);
    cr_assert_eq(expm_ref_exp(n, A, n, R, n, 0, NULL), EXPM_OK);
    double big = 0;
    for (int k = 0; k < n * n; k++)
        big = fmax(big, fabs(R[k]));
    cr_assert_geq(big, min_max_entry, "%s: test matrix too small (%g)", name, big);
    double err = tu_relerr(n, X, R), kappa = tu_kappa_exp(n, A);
    cr_assert_gt(kappa, 0);
    double phi = err / (TU_U * fmax(kappa, 1));
    cr_expect_leq(phi, 100, "%s: err %.3g kappa %.3g phi %.3g", name, err, kappa, phi);
    all_methods_never_return_nonfinite(n, A);
}

Test(edge, large_norm_nonnormal_finite)
{
    /* Upper triangular: eigenvalues 690, 689, -690 and a coupling 1e3; the
     * (1,2) entry is 1e3 (e^690 - e^689) = 2.9e302. */
    double A[9] = {690, 0, 0, 1e3, 689, 0, 5, -3, -690};
    large_but_finite("tri.mtx", 3, A, 1e302);
}

Test(edge, large_norm_dense_near_dbl_max)
{
    /* A = 709 Q diag(1,1,-1) Q^T with Q = I - (2/3) 11^T (orthogonal):
     * exp(A) = e^709 Q diag(1,1,0) Q^T + e^-709 (...), entries up to
     * (8/9) e^709 = 7.3e307 with mixed signs (cancellation in the sums of
     * the last squaring). */
    double Q[9], A[9], d[3] = {709, 709, -709};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            Q[i + 3 * j] = (i == j) - 2.0 / 3.0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += Q[i + 3 * k] * d[k] * Q[j + 3 * k];
            A[i + 3 * j] = s;
        }
    large_but_finite("dense.mtx", 3, A, 1e307);
}

/* exp(-740) = 4.2e-322 is subnormal: returned (not flushed to 0) with the
 * underflow warning on stderr, exit 0. */
Test(edge, subnormal_result_returned_with_warning)
{
    double A[4] = {-740, 0, 1, -1};
    const char *a = put_matrix("sub.mtx", 2, A);
    int rc = run((const char *[]){"expm", a, NULL});
    cr_assert_eq(rc, 0, "exit %d, stderr %s", rc, err_buf);
    cr_expect_not_null(strstr(err_buf, "warning"), "no warning: %s", err_buf);
    cr_expect_not_null(strstr(err_buf, "subnormal"), "no warning: %s", err_buf);
    double X[4], R[4];
    cr_assert_eq(parse_out(X, 4), 2);
    cr_assert_eq(expm_ref_exp(2, A, 2, R, 2, 0, NULL), EXPM_OK);
    /* R[0] = e^-740 is subnormal (85 units of 2^-1074).  The squarings run
     * in the normal range until the last product, which rounds once: so
     * X[0] is within one subnormal unit of the correctly rounded R[0]
     * (the relative error u kappa ~ 1e-13 of the normal-range part is far
     * below 1/85); 2 units allow for the rounding of R itself. */
    cr_expect(R[0] > 0 && R[0] < DBL_MIN, "reference %g not subnormal", R[0]);
    cr_expect(X[0] > 0, "subnormal entry flushed to %g", X[0]);
    cr_expect_leq(fabs(X[0] - R[0]), 2 * 0x1p-1074, "X11 %.17g, ref %.17g", X[0], R[0]);
    cr_expect_leq(fabs(X[3] - R[3]), 4 * TU_U * fabs(R[3]));

    /* Library: the warning bit, for every exp method that succeeds with a
     * subnormal entry in the result. */
    for (int i = 0; i < expm_method_count(); i++) {
        const expm_method_t *m = expm_method_get(i);
        if (!(m->kinds & EXPM_KIND_EXP))
            continue;
        expm_info_t info;
        double Y[4];
        if (expm_exp(m->name, 2, A, 2, Y, 2, &info) != EXPM_OK)
            continue;
        int sub = 0;
        for (int k = 0; k < 4; k++)
            sub |= Y[k] != 0 && fabs(Y[k]) < DBL_MIN;
        if (sub)
            cr_expect(info.warnings & EXPM_WARN_UNDERFLOW,
                      "%s: subnormal result without EXPM_WARN_UNDERFLOW", m->name);
    }
}
