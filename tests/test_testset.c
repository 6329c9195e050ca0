/*
 * test_testset.c -- src/testset.c and `expmkit testset export DIR`: the
 * exported files hold exactly the test matrices, their seeded E, and the
 * certified references; the index lists name, n, kappa, tags and source;
 * a second run is served from the cache. Run on a subset (n <= 3 and one
 * n = 10 matrix) to stay within a few seconds.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testset.h"
#include "testutil.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/expmkit-testset-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(testset, .init = setup, .fini = teardown);

static const char *bin(void)
{
    const char *b = getenv("EXPMKIT");
    return b ? b : "build/expmkit";
}

static char errtext[1 << 16];

/* Run `expmkit ARGS`, stderr into errtext; returns the exit status. */
static int run(const char *args)
{
    char cmd[1024], ep[128];
    snprintf(ep, sizeof ep, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd, "%s %s > /dev/null 2> '%s'", bin(), args, ep);
    int rc = system(cmd);
    FILE *f = fopen(ep, "r");
    size_t n = f ? fread(errtext, 1, sizeof errtext - 1, f) : 0;
    errtext[n] = '\0';
    if (f)
        fclose(f);
    cr_assert(WIFEXITED(rc));
    return WEXITSTATUS(rc);
}

static double *read_mtx(const char *d, const char *slug, const char *what, int n)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s.%s.mtx", d, slug, what);
    expm_matrix_t M = {0};
    cr_assert_eq(expm_mm_read(path, &M, err, sizeof err), EXPM_OK, "%s", err);
    cr_assert(M.rows == n && M.cols == n, "%s: %d x %d", path, M.rows, M.cols);
    return M.data;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Check one exported matrix against the library and the reference. */
static void check_files(const char *out, const expm_testmat_t *t, double kappa_read)
{
    int n = t->n;
    size_t bytes = (size_t)n * n * sizeof(double);
    char slug[128];
    expm_testmat_slug(t, slug, sizeof slug);
    double *A = malloc(bytes), *E = malloc(bytes), *X = malloc(bytes), *L = malloc(bytes);
    expm_testmat_colmajor(t, A);
    expm_testmat_E(t, E);
    double *FA = read_mtx(out, slug, "A", n), *FE = read_mtx(out, slug, "E", n);
    double *FX = read_mtx(out, slug, "X", n), *FL = read_mtx(out, slug, "L", n);
    cr_expect(memcmp(FA, A, bytes) == 0, "%s: A differs", t->name);
    cr_expect(memcmp(FE, E, bytes) == 0, "%s: E differs", t->name);
    cr_assert_eq(expm_ref_frechet(n, A, n, E, n, L, n, X, n, 0, NULL), EXPM_OK);
    cr_expect(memcmp(FL, L, bytes) == 0, "%s: L is not the certified reference", t->name);
    cr_assert_eq(expm_ref_exp(n, A, n, X, n, 0, NULL), EXPM_OK);
    cr_expect(memcmp(FX, X, bytes) == 0, "%s: X is not the certified reference", t->name);
    cr_expect_eq(kappa_read, expm_kappa_exp_kron(n, A), "%s: kappa", t->name);
    free(A), free(E), free(X), free(L), free(FA), free(FE), free(FX), free(FL);
}

Test(testset, export_subset_cold_then_warm, .timeout = 60)
{
    char out[128], cache[128], args[512];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cache, sizeof cache, "%s/cache", dir);
    snprintf(args, sizeof args, "testset export --cache '%s' --max-n 3 '%s'", cache, out);
    double t0 = now();
    cr_assert_eq(run(args), 0, "%s", errtext);
    double cold = now() - t0;
    int want = 0;
    for (int k = 0; k < expm_testmat_count(); k++)
        want += expm_testmat_get(k)->n <= 3;
    /* the index: header + one line per matrix, in set order */
    char ipath[256], line[4096];
    snprintf(ipath, sizeof ipath, "%s/index.tsv", out);
    FILE *f = fopen(ipath, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "name\tfile\tn\tkappa\tkappa_method\ttags\tref_exp\tref_frechet\t"
                           "source\tparams\thard\n");
    int lines = 0, k = -1;
    while (fgets(line, sizeof line, f)) {
        char *field[11], *s = line;
        line[strcspn(line, "\n")] = '\0';
        for (int i = 0; i < 11; i++) { /* split at tabs (strsep is not POSIX) */
            field[i] = s;
            if (s && (s = strchr(s, '\t')))
                *s++ = '\0';
        }
        cr_assert_not_null(field[10], "short index line %d", lines);
        do
            k++;
        while (k < expm_testmat_count() && expm_testmat_get(k)->n > 3);
        const expm_testmat_t *t = expm_testmat_get(k);
        cr_assert_not_null(t);
        cr_expect_str_eq(field[0], t->name);
        cr_expect_eq(atoi(field[2]), t->n);
        cr_expect_str_eq(field[7], "ok");
        cr_expect_str_eq(field[8], t->source);
        char tags[256];
        expm_testmat_tagstr(expm_testmat_tags(t), tags, sizeof tags);
        cr_expect_str_eq(field[5], tags);
        cr_expect_str_eq(field[4], "exact-ref");
        /* every line is checked for files and values; the reference kappa
         * only on a few (n^2 reference calls each) */
        if (lines % 8 == 0)
            check_files(out, t, strtod(field[3], NULL));
        lines++;
    }
    fclose(f);
    cr_expect_eq(lines, want);
    cr_expect_geq(lines, 30);
    /* warm: everything from the cache, same files */
    char x1[512], x2[512];
    snprintf(x1, sizeof x1, "cp '%s/C4_Moler-Van_Loan_hump.X.mtx' '%s/x.keep'", out, dir);
    cr_assert_eq(system(x1), 0);
    t0 = now();
    cr_assert_eq(run(args), 0, "%s", errtext);
    double warm = now() - t0;
    int cached = 0;
    for (char *p = errtext; (p = strstr(p, ", cached)")); p++)
        cached++;
    cr_expect_eq(cached, want, "warm run: %d of %d from the cache", cached, want);
    snprintf(x2, sizeof x2, "cmp -s '%s/C4_Moler-Van_Loan_hump.X.mtx' '%s/x.keep'", out, dir);
    cr_expect_eq(system(x2), 0, "warm export differs");
    printf("testset: %d matrices (n <= 3) exported cold in %.2f s, warm in %.2f s\n", want, cold,
           warm);
    /* budget: ~40 tiny matrices; 20 s is ample even on a loaded 2-core box */
    cr_expect(cold < 20, "cold export took %.1f s", cold);
}

/* A larger member (n = 10) through the library entry point, without cache. */
Test(testset, library_no_cache)
{
    char out[128], err[256];
    snprintf(out, sizeof out, "%s/lib", dir);
    expm_testset_opts_t o = {"D7 rnilMat", 0, NULL, NULL, NULL};
    int count = -1;
    cr_assert_eq(expm_testset_export(out, &o, &count, err, sizeof err), EXPM_OK, "%s", err);
    cr_expect_eq(count, 1);
    const expm_testmat_t *t = expm_testmat_find("D7 rnilMat(10) seed 17");
    char slug[128];
    expm_testmat_slug(t, slug, sizeof slug);
    double *X = read_mtx(out, slug, "X", 10), C[100], A[100];
    expm_testmat_colmajor(t, A);
    cr_assert_eq(expm_testmat_exact(t, A, C), 0);
    cr_expect(tu_relerr(10, X, C) <= 4 * TU_U, "exported X vs closed form");
    free(X);
}

Test(testset, usage_errors)
{
    char args[512];
    cr_expect_eq(run("testset"), 2);
    cr_expect_eq(run("testset import x"), 2);
    cr_expect_eq(run("testset export"), 2);
    snprintf(args, sizeof args, "testset export --no-cache --match 'no such matrix' '%s/o'", dir);
    cr_expect_eq(run(args), 2);
    cr_expect(strstr(errtext, "no test matrix matches") != NULL, "%s", errtext);
    /* and nothing half-written: no directory, no index.tsv (it created
     * both; an outside audit) */
    char o_dir[128];
    snprintf(o_dir, sizeof o_dir, "%s/o", dir);
    cr_expect_neq(access(o_dir, F_OK), 0, "%s was created", o_dir);
    snprintf(args, sizeof args, "testset export --max-n 0 '%s/o'", dir);
    cr_expect_eq(run(args), 2);
    snprintf(args, sizeof args, "testset export --bogus '%s/o'", dir);
    cr_expect_eq(run(args), 2);
    snprintf(args, sizeof args, "testset export '%s/a' '%s/b'", dir, dir);
    cr_expect_eq(run(args), 2);
    /* an output path through a regular file cannot be created */
    snprintf(args, sizeof args, "testset export --no-cache --match C1 '%s/stderr/x'", dir);
    cr_expect_eq(run(args), 2);
    cr_expect(strstr(errtext, "cannot create") != NULL, "%s", errtext);
}
