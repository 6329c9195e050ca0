/*
 * test_verify.c -- `expmkit verify`: an external program measured on the test
 * set. Each case uses a command whose right answer we know: our own CLI (its
 * errors must equal the default method's, bit for bit, so the two columns of
 * the report agree), `cp {A} {OUT}` (exp(A) = A: wrong everywhere except
 * where exp(A) = A cannot hold, so every φ is large), a failing command and
 * a hanging one (killed at the timeout), and a missing {OUT}.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static char out[1 << 16];

/* Run `sh -c line` with stdout captured in out; the exit status. */
static int run(const char *line)
{
    FILE *p = popen(line, "r");
    cr_assert(p, "popen");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *exe(void)
{
    const char *e = getenv("EXPMKIT");
    return e ? e : "build/expmkit";
}

/* The value of column col (1-based, after the leading '|') of the row that
 * starts with "| name |". */
static double cell(const char *name, int col)
{
    char key[128];
    snprintf(key, sizeof key, "\n| %s |", name);
    const char *r = strstr(out, key);
    cr_assert(r, "row %s missing in:\n%s", name, out);
    r += 2;
    for (int c = 0; c < col; c++) {
        r = strchr(r + 1, '|');
        cr_assert(r);
    }
    return strtod(r + 1, NULL);
}

Test(verify, own_cli_matches_default_bit_for_bit)
{
    char line[1024];
    snprintf(line, sizeof line,
             "%s verify --no-cache --label self --match C1 --cmd '%s expm {A} > {OUT}' 2>/dev/null",
             exe(), exe());
    cr_assert_eq(run(line), 0, "%s", out);
    /* err columns: 4 = self err, 6 = expmkit err; %.17g output round-trips. */
    const char *names[] = {"C1 diagonal", "C10 scipy [1 4;1 1]", "C19 R A4"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(cell(names[i], 3), cell(names[i], 5), "%s", names[i]);
    cr_assert(strstr(out, "| self | 5 |"), "%s", out);
    /* Head to head: the same numbers, so every matrix is "equal". */
    cr_assert_eq(cell("both finite", 1), 5, "%s", out);
    cr_assert_eq(cell("equal", 1), 5, "%s", out);
    cr_assert_eq(cell("expmkit error smaller", 1), 0, "%s", out);
    cr_assert_eq(cell("expmkit error larger", 1), 0, "%s", out);
}

Test(verify, wrong_program_is_measured_wrong)
{
    char line[512];
    snprintf(line, sizeof line,
             "%s verify --no-cache --label copy --match C1 --cmd 'cp {A} {OUT}' 2>/dev/null", exe());
    cr_assert_eq(run(line), 0);
    /* exp(A) = A is off by O(1) on these: phi ~ 1/(u kappa) >> 1e10. */
    cr_assert_gt(cell("C1 diagonal", 4), 1e10);
    cr_assert_gt(cell("C19 R A4", 4), 1e10);
    /* Ours is the more accurate on every matrix, never by rounding only. */
    cr_assert_gt(cell("both finite", 1), 0, "%s", out);
    cr_assert_eq(cell("expmkit error smaller", 1), cell("both finite", 1), "%s", out);
    cr_assert_eq(cell("expmkit error larger by more than 2x", 1), 0, "%s", out);
    cr_assert_eq(cell("expmkit φ larger by more than 1", 1), 0, "%s", out);
}

Test(verify, failing_and_hanging_programs_are_findings)
{
    char line[512];
    snprintf(line, sizeof line,
             "%s verify --no-cache --label bad --match C19 --cmd 'exit 3 # {A} {OUT}' 2>/dev/null",
             exe());
    cr_assert_eq(run(line), 0);
    cr_assert(strstr(out, "exit 3"), "%s", out);
    cr_assert(strstr(out, "| bad | 1 | – | – | 0 | 0 | 1 |"), "%s", out);
    cr_assert_eq(cell("both finite", 1), 0, "%s", out);
    cr_assert_eq(cell("bad failed or wrong, expmkit right", 1), 1, "%s", out);
    cr_assert_eq(cell("expmkit failed or wrong, bad right", 1), 0, "%s", out);
    time_t t0 = time(NULL);
    snprintf(line, sizeof line,
             "%s verify --no-cache --label slow --timeout 0.5 --match C19 "
             "--cmd 'sleep 30; cp {A} {OUT}' 2>/dev/null", exe());
    cr_assert_eq(run(line), 0);
    cr_assert(strstr(out, "timeout after 0.5 s"), "%s", out);
    cr_assert_lt(time(NULL) - t0, 10, "the hanging command was not killed");
}

Test(verify, usage_errors_exit_2)
{
    char line[512];
    snprintf(line, sizeof line, "%s verify --cmd 'cp {A} x' 2>&1", exe());
    cr_assert_eq(run(line), 2);
    cr_assert(strstr(out, "{A} and {OUT}"), "%s", out);
    snprintf(line, sizeof line, "%s verify --max-n zero --cmd 'cp {A} {OUT}' 2>&1", exe());
    cr_assert_eq(run(line), 2);
    snprintf(line, sizeof line, "%s verify 2>&1", exe());
    cr_assert_eq(run(line), 2);
    /* a selection of nothing (it printed an empty report, exit 0) */
    snprintf(line, sizeof line,
             "%s verify --no-cache --match no-such-matrix --cmd 'cp {A} {OUT}' 2>&1", exe());
    cr_assert_eq(run(line), 2);
    cr_assert(strstr(out, "no test matrix matches --match 'no-such-matrix'"), "%s", out);
}


Test(verify, csv_write_error_fails)
{
    char line[512];
    snprintf(line, sizeof line,
             "%s verify --no-cache --match C1 --csv /dev/full --cmd 'cp {A} {OUT}' 2>&1 "
             ">/dev/null", exe());
    cr_assert_eq(run(line), 1);
    cr_assert(strstr(out, "/dev/full: write error"), "%s", out);
}

/* What the program prints goes to stderr, not into the report on stdout
 * (an outside audit: the chatter came before the report, exit 0). */
Test(verify, program_output_stays_out_of_the_report)
{
    char line[512];
    snprintf(line, sizeof line,
             "%s verify --no-cache --match 'C1 ' --cmd 'printf CHAT%%sTER X; cp {A} {OUT}' "
             "2>/dev/null", exe());
    cr_assert_eq(run(line), 0, "%s", out);
    /* the report quotes the command, so the marker is built by printf */
    cr_expect(strstr(out, "CHATXTER") == NULL, "%s", out);
    cr_expect(strstr(out, "| external | 1 |") != NULL, "%s", out);
    snprintf(line, sizeof line,
             "%s verify --no-cache --match 'C1 ' --cmd 'printf CHAT%%sTER X; cp {A} {OUT}' "
             "2>&1 >/dev/null", exe());
    cr_assert_eq(run(line), 0, "%s", out);
    cr_expect(strstr(out, "CHATXTER") != NULL, "on stderr: %s", out);
}
