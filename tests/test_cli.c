/*
 * test_cli.c -- src/cli.c, the `expmkit` command, run as a process: the
 * contract of DESIGN.md (exit 0/1/2, `expmkit: FILE:LINE: reason` on stderr,
 * nothing on stdout on failure, `-` reads stdin, %.17g MatrixMarket output).
 * The binary is $EXPMKIT (set by `make test`), default build/expmkit.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/expmkit-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(cli, .init = setup, .fini = teardown);

static const char *bin(void)
{
    const char *b = getenv("EXPMKIT");
    return b ? b : "build/expmkit";
}

/* Write `text` to dir/name; return the path (static buffer rotation). */
static const char *put(const char *name, const char *text)
{
    static char paths[8][320];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 320, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static char out_buf[1 << 16], err_buf[1 << 14];

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

/* Run `expmkit ARGS` (ARGS a shell fragment), optional stdin text. */
static int run(const char *args, const char *stdin_text)
{
    char cmd[2048], o[300], e[300], in[300];
    snprintf(o, sizeof o, "%s/stdout", dir);
    snprintf(e, sizeof e, "%s/stderr", dir);
    if (stdin_text) {
        snprintf(in, sizeof in, "%s/stdin", dir);
        FILE *f = fopen(in, "w");
        fputs(stdin_text, f);
        fclose(f);
    } else {
        snprintf(in, sizeof in, "/dev/null");
    }
    snprintf(cmd, sizeof cmd, "%s %s < '%s' > '%s' 2> '%s'", bin(), args, in, o, e);
    int st = system(cmd);
    slurp(o, out_buf, sizeof out_buf);
    slurp(e, err_buf, sizeof err_buf);
    cr_assert(WIFEXITED(st), "expmkit did not exit normally (signal?) for: %s", args);
    return WEXITSTATUS(st);
}

/* Parse MatrixMarket array output into X (n*n); returns n or -1. */
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

static const char *A3 = "%%MatrixMarket matrix array real general\n3 3\n"
                        "1\n0.5\n-2\n0\n-1\n0.25\n3\n1\n0\n";

Test(cli, expm_prints_result_matching_library)
{
    const char *a = put("a.mtx", A3);
    char args[400];
    snprintf(args, sizeof args, "expm -m pade '%s'", a);
    cr_assert_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    double X[9], A[9] = {1, 0.5, -2, 0, -1, 0.25, 3, 1, 0}, Y[9];
    cr_assert_eq(parse_out(X, 9), 3);
    cr_assert_eq(expm_exp("pade", 3, A, 3, Y, 3, NULL), EXPM_OK);
    for (int i = 0; i < 9; i++)
        cr_expect_eq(X[i], Y[i], "entry %d: CLI %.17g lib %.17g (%%.17g must round-trip)", i,
                     X[i], Y[i]);
    cr_expect_str_empty(err_buf);
}

Test(cli, stdin_dash_and_default_method)
{
    cr_assert_eq(run("expm -", A3), 0, "stderr: %s", err_buf);
    double X[9];
    cr_expect_eq(parse_out(X, 9), 3);
}

Test(cli, frechet_adjoint_ref)
{
    const char *a = put("a.mtx", A3);
    const char *e = put("e.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 1.5\n3 1 -1\n");
    char args[800];
    double L[9], Lb[9], R[9], G[9];
    snprintf(args, sizeof args, "frechet '%s' '%s'", a, e);
    cr_assert_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    cr_assert_eq(parse_out(L, 9), 3);
    snprintf(args, sizeof args, "frechet -m block '%s' '%s'", a, e);
    cr_assert_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    cr_assert_eq(parse_out(Lb, 9), 3);
    snprintf(args, sizeof args, "ref '%s' '%s'", a, e);
    cr_assert_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    cr_expect(strstr(out_buf, "% expmkit ref: certified") != NULL, "ref comment missing");
    cr_assert_eq(parse_out(R, 9), 3);
    cr_expect(tu_relerr(3, L, R) < 1e-14, "pade L vs ref %.3g", tu_relerr(3, L, R));
    cr_expect(tu_relerr(3, Lb, R) < 1e-14, "block L vs ref %.3g", tu_relerr(3, Lb, R));
    snprintf(args, sizeof args, "adjoint '%s' '%s'", a, e);
    cr_assert_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    cr_assert_eq(parse_out(G, 9), 3);
}

Test(cli, methods_lists_table)
{
    cr_assert_eq(run("methods", NULL), 0);
    cr_expect(strstr(out_buf, "pade\texpm,frechet\t") == out_buf, "%s", out_buf);
    cr_expect(strstr(out_buf, "\nblock\tfrechet\t") != NULL, "%s", out_buf);
    int lines = 0;
    for (char *p = out_buf; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, expm_method_count());
}

Test(cli, overflow_exits_1_with_size)
{
    const char *a = put("big.mtx", "%%MatrixMarket matrix array real general\n3 3\n"
                                   "800\n0\n0\n1\n1\n0\n0\n0\n1\n");
    char args[400];
    snprintf(args, sizeof args, "expm '%s'", a);
    cr_assert_eq(run(args, NULL), 1);
    cr_expect_str_empty(out_buf);
    cr_expect(strstr(err_buf, "big.mtx: exp(A) overflows double: ||exp(A)||_1 ~ 1e347") != NULL,
              "stderr: %s", err_buf);
    snprintf(args, sizeof args, "ref '%s'", a);
    cr_assert_eq(run(args, NULL), 1);
    cr_expect_str_empty(out_buf);
    cr_expect(strstr(err_buf, "overflow") != NULL, "stderr: %s", err_buf);
}

/* Each bad input: exit 2, empty stdout, `expmkit: FILE:LINE: ` + a telling word. */
typedef struct {
    const char *name, *text, *line, *word;
} bad_t;

static const bad_t BAD[] = {
    {"empty", "", ":1: ", "empty"},
    {"banner_only", "%%MatrixMarket matrix array real general\n", ":2: ", "size"},
    {"bad_banner", "%%MatrixMarkt matrix array real general\n2 2\n1\n2\n3\n4\n", ":1: ", "MatrixMarket"},
    {"complex", "%%MatrixMarket matrix array complex general\n1 1\n1 0\n", ":1: ", "complex"},
    {"pattern", "%%MatrixMarket matrix coordinate pattern general\n1 1 1\n1 1\n", ":1: ", "pattern"},
    {"nonsquare", "%%MatrixMarket matrix array real general\n2 3\n1\n2\n3\n4\n5\n6\n", ":2: ", "square"},
    {"truncated", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", ":6: ", "expected"},
    {"extra", "%%MatrixMarket matrix array real general\n1 1\n1\n2\n", ":4: ", "after"},
    {"nan", "%%MatrixMarket matrix array real general\n1 1\nnan\n", ":3: ", "finite"},
    {"inf", "%%MatrixMarket matrix array real general\n1 1\n-inf\n", ":3: ", "finite"},
    {"huge_value", "%%MatrixMarket matrix array real general\n1 1\n1e999\n", ":3: ", "finite"},
    {"word", "%%MatrixMarket matrix array real general\n1 1\nabc\n", ":3: ", "abc"},
    {"hex", "%%MatrixMarket matrix array real general\n1 1\n0x10\n", ":3: ", "decimal"},
    {"negative_dim", "%%MatrixMarket matrix array real general\n-2 -2\n", ":2: ", "-2"},
    {"zero_dim", "%%MatrixMarket matrix array real general\n0 0\n", ":2: ", "0"},
    {"enormous_dim", "%%MatrixMarket matrix array real general\n65536 65536\n", ":2: ", "large"},
    {"index_zero", "%%MatrixMarket matrix coordinate real general\n2 2 1\n0 1 5\n", ":3: ", "range"},
    {"index_big", "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 5\n", ":3: ", "range"},
    {"duplicate", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 5\n1 1 6\n", ":4: ", "duplicate"},
    {"binary", "%%MatrixMarket matrix array real general\n1 1\n\x01\x02\xff\n", ":3: ", ""},
};

Test(cli, bad_inputs_exit_2_with_file_and_line)
{
    for (unsigned k = 0; k < sizeof BAD / sizeof BAD[0]; k++) {
        const char *p = put(BAD[k].name, BAD[k].text);
        char args[400];
        snprintf(args, sizeof args, "expm '%s'", p);
        int rc = run(args, NULL);
        cr_expect_eq(rc, 2, "%s: exit %d, stderr: %s", BAD[k].name, rc, err_buf);
        cr_expect_str_empty(out_buf, "%s: stdout not empty", BAD[k].name);
        char want[400];
        snprintf(want, sizeof want, "expmkit: %s%s", p, BAD[k].line);
        cr_expect(strncmp(err_buf, want, strlen(want)) == 0, "%s: stderr '%s' does not start '%s'",
                  BAD[k].name, err_buf, want);
        cr_expect(strstr(err_buf, BAD[k].word) != NULL, "%s: stderr '%s' lacks '%s'",
                  BAD[k].name, err_buf, BAD[k].word);
    }
}

Test(cli, missing_file_directory_and_usage)
{
    cr_expect_eq(run("expm /nonexistent/a.mtx", NULL), 2);
    cr_expect(strstr(err_buf, "expmkit: /nonexistent/a.mtx:0: ") == err_buf, "%s", err_buf);
    char args[400];
    snprintf(args, sizeof args, "expm '%s'", dir);
    cr_expect_eq(run(args, NULL), 2);
    cr_expect(strstr(err_buf, "directory") != NULL, "%s", err_buf);
    cr_expect_eq(run("", NULL), 2);
    cr_expect_eq(run("frobnicate a.mtx", NULL), 2);
    cr_expect(strstr(err_buf, "unknown command") != NULL, "%s", err_buf);
    cr_expect_eq(run("expm", NULL), 2);
    cr_expect_eq(run("expm -m nosuch -", A3), 2);
    cr_expect(strstr(err_buf, "unknown method 'nosuch'") != NULL, "%s", err_buf);
    cr_expect_str_empty(out_buf);
    cr_expect_eq(run("expm -m '' -", A3), 2);   /* an empty name is a slip, not the default */
    cr_expect(strstr(err_buf, "empty method name") != NULL, "%s", err_buf);
    cr_expect_str_empty(out_buf);
    cr_expect_eq(run("expm -m nosuch -m pade -", A3), 2);   /* not replaced by the second -m */
    cr_expect(strstr(err_buf, "unknown method 'nosuch'") != NULL, "%s", err_buf);
    cr_expect_str_empty(out_buf);
    /* two valid methods: refused like --dt twice (it ran the last one; an
     * outside audit) */
    cr_expect_eq(run("expm -m pade -m taylor -", A3), 2);
    cr_expect(strstr(err_buf, "given twice") != NULL, "%s", err_buf);
    cr_expect_str_empty(out_buf);
    cr_expect_eq(run("expm --method=pade -m taylor -", A3), 2);
    cr_expect_str_empty(out_buf);
    cr_expect_eq(run("expm -m block -", A3), 2);
    cr_expect(strstr(err_buf, "does not compute exp(A)") != NULL, "%s", err_buf);
    cr_expect_eq(run("frechet - -", A3), 2);
    cr_expect_eq(run("expm -q -", A3), 2);
    cr_expect_eq(run("expm -h", NULL), 0);   /* the usage lists -h for every command */
    cr_expect(strstr(out_buf, "usage: expmkit") == out_buf);
    cr_expect_eq(run("--help", NULL), 0);
    cr_expect(strstr(out_buf, "usage: expmkit") == out_buf);
}

Test(cli, size_mismatch_between_a_and_e)
{
    const char *a = put("a.mtx", A3);
    const char *e = put("e.mtx", "%%MatrixMarket matrix array real general\n% c\n2 2\n1\n2\n3\n4\n");
    char args[800];
    snprintf(args, sizeof args, "frechet '%s' '%s'", a, e);
    cr_expect_eq(run(args, NULL), 2);
    char want[400];
    snprintf(want, sizeof want, "expmkit: %s:3: E is 2 x 2 but A is 3 x 3", e);
    cr_expect(strstr(err_buf, want) == err_buf, "stderr %s", err_buf);
    cr_expect_str_empty(out_buf);
}

/* Found by an outside audit: for A = -1e100 ones(2) the Frechet derivatives
 * came out 0 and `cond` printed kappa = 0 with exit 0. ||K|| >= ||exp(A)||_F
 * / sqrt(n) (the trace identity), so such a result must fail loudly. */
Test(cli, cond_fails_loudly_when_frechet_is_lost)
{
    const char *a = put("neg.mtx", "%%MatrixMarket matrix array real general\n2 2\n"
                                   "-1e100\n-1e100\n-1e100\n-1e100\n");
    char args[400];
    snprintf(args, sizeof args, "cond '%s'", a);
    int rc = run(args, NULL);
    if (rc == 0) {   /* a future, accurate L: then kappa ~ ||A||_F ||L|| / ||exp(A)||_F >> 1 */
        double k = strtod(out_buf, NULL);
        cr_expect(k > 1e90, "cond printed %s", out_buf);
    } else {
        cr_expect_eq(rc, 1, "stderr: %s", err_buf);
        cr_expect_str_empty(out_buf);
        cr_expect(strstr(err_buf, "lost all accuracy") != NULL, "stderr: %s", err_buf);
    }
}

/* "--" ends the options (an outside audit: a file named -A.mtx could not be
 * passed, and "--" itself was an unknown option). */
Test(cli, double_dash_ends_options)
{
    cr_expect_eq(run("expm -- -h", NULL), 2, "stdout: %s", out_buf);   /* a file "-h", not help */
    cr_expect_eq(out_buf[0], '\0');
    cr_expect(strstr(err_buf, "-h") != NULL, "%s", err_buf);
    char args[700];
    snprintf(args, sizeof args, "expm -m pade -- %s", put("a.mtx", A3));
    cr_expect_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    put("-A.mtx", A3);
    char exe[4096], cwd[2048], cmd[8192];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(exe, sizeof exe, "%s%s%s", bin()[0] == '/' ? "" : cwd, bin()[0] == '/' ? "" : "/",
             bin());
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' expm -- -A.mtx > /dev/null 2>&1", dir, exe);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "expm -- -A.mtx: status %d", st);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' expm -A.mtx > /dev/null 2>&1", dir, exe);
    st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "expm -A.mtx (no --): status %d", st);
}

/* `cond` where u kappa is not small: L(A,.) is then not resolved in double
 * and the printed kappa can be far off (an outside audit: 92x below the
 * mpmath value at u kappa ~ 1e3): it must say so on stderr; a benign A must
 * not. [[1, 1e12], [0, 1]]: kappa ~ 1e24 (exact: ||A||_F ||L|| / ||e^A||_F). */
Test(cli, cond_warns_where_kappa_is_unresolved)
{
    const char *a = put("illc.mtx", "%%MatrixMarket matrix array real general\n2 2\n"
                                    "1\n0\n1e12\n1\n");
    char args[400];
    snprintf(args, sizeof args, "cond '%s'", a);
    cr_assert_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    cr_expect(strtod(out_buf, NULL) > 1e20, "cond printed %s", out_buf);
    cr_expect(strstr(err_buf, "warning: u*kappa") != NULL, "stderr: %s", err_buf);
    const char *b = put("wellc.mtx", "%%MatrixMarket matrix array real general\n2 2\n"
                                     "1\n2\n3\n4\n");
    snprintf(args, sizeof args, "cond '%s'", b);
    cr_assert_eq(run(args, NULL), 0, "stderr: %s", err_buf);
    cr_expect_str_empty(err_buf);
}
