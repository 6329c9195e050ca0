/*
 * cli.c -- the `expmkit` command (contract in DESIGN.md, "Command line").
 * Exit 0 on success, 1 when the result cannot be represented or the method
 * fails, 2 on usage errors and bad input. Errors go to stderr as
 * `expmkit: FILE:LINE: reason`; stdout receives the whole result or nothing
 * (the output is built in memory and written at the end).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expmkit.h"
#include "bench.h"
#include "verify.h"
#include "zoh.h"
#include "testset.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* Flush stdout; on a write error (a full disk, a closed pipe) say so on
 * stderr, once, and give EXIT_FAIL. Every command ends here: `cond`,
 * `methods`, `--help` to /dev/full used to exit 1, or even 0, in silence
 * (an outside audit). */
static int stdout_finish(int short_write)
{
    static int reported;
    if (fflush(stdout) == 0 && !ferror(stdout) && !short_write)
        return 0;
    if (!reported) {
        reported = 1;
        fprintf(stderr, "expmkit: <stdout>: write error: %s\n", strerror(errno));
    }
    return EXIT_FAIL;
}

static const char USAGE[] =
    "usage: expmkit COMMAND [options] FILES\n"
    "\n"
    "commands:\n"
    "  methods                         list methods: NAME<TAB>expm|frechet|expm,frechet<TAB>description\n"
    "  expm    [-m METHOD] A.mtx       exp(A)\n"
    "  frechet [-m METHOD] A.mtx E.mtx L(A,E), the Frechet derivative of exp at A in direction E\n"
    "  adjoint [-m METHOD] A.mtx G.mtx L(A^T,G) = d<G,exp(A)>/dA, the gradient through exp\n"
    "  ref     A.mtx [E.mtx]           certified MPFR reference exp(A) (or L(A,E)), rounded to double\n"
    "  zoh     [-m METHOD] --dt T A.mtx B.mtx  zero-order hold [Abar Bbar] (n x (n+m)), the top\n"
    "                                  rows of exp([[T*A, T*B], [0, 0]]); T finite and > 0\n"
    "  verify  [--label NAME] [--match TEXT] [--max-n N] [--timeout S] [--csv F] [--cache DIR]\n"
    "          --cmd 'PROGRAM {A} {OUT}'\n"
    "                                  run another exp(A) program on the test set; markdown report\n"
    "                                  (its errors vs the certified reference, ours beside) on stdout\n"
    "  bench   [-m METHOD] A.mtx [E.mtx] time the in-memory exp(A) (or L(A,E)) call; last line:\n"
    "                                  MEDIAN_SECONDS MIN_SECONDS REPEATS\n"
    "  cond    A.mtx                   kappa_exp(A), relative Frobenius condition number (%.17g);\n"
    "                                  Kronecker form of the double L(A,.) for n <= 20,\n"
    "                                  estimated above; warned when u*kappa >= 2^-10\n"
    "  testset export [--cache DIR | --no-cache] [--match TEXT] [--max-n N] DIR\n"
    "                                  write every test matrix as NAME.A/.E/.X/.L.mtx (X, L the\n"
    "                                  certified exp(A), L(A,E)) and DIR/index.tsv; the cache\n"
    "                                  defaults to $EXPMKIT_REFCACHE, else build/refcache\n"
    "\n"
    "options:\n"
    "  -m METHOD   method name (default: pade); see `expmkit methods`\n"
    "  -v          print the method's statistics (s, m, products) to stderr\n"
    "  -h, --help  this text;  --version  the version\n"
    "  --          the remaining arguments are files (a file named -A.mtx)\n"
    "\n"
    "Files are MatrixMarket (array or coordinate; real or integer; general, symmetric or\n"
    "skew-symmetric); `-` reads standard input. The result is written to stdout as a\n"
    "MatrixMarket `array real general` matrix with %.17g entries.\n"
    "Exit status: 0 success; 1 the result overflows / is not finite / the method failed;\n"
    "2 usage error or malformed input (message `expmkit: FILE:LINE: reason` on stderr).\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "expmkit: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run `expmkit --help` for usage)\n");
    return EXIT_USAGE;
}

typedef struct {
    const char *cmd;
    const char *method;
    int verbose;
    const char *files[2];
    int nfiles;
} args_t;

static int parse_args(int argc, char **argv, args_t *a, int min_files, int max_files,
                      int allow_method)
{
    int opts = 1;   /* cleared by "--": the rest are files, even "-x.mtx" */
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        if (opts && strcmp(s, "--") == 0) {
            opts = 0;
        } else if (opts && (strcmp(s, "-m") == 0 || strcmp(s, "--method") == 0)) {
            if (!allow_method)
                return usage_error("'%s' takes no -m option", a->cmd);
            if (i + 1 >= argc)
                return usage_error("option %s needs a METHOD", s);
            if (a->method)   /* as --dt: which one was meant is not ours to guess */
                return usage_error("option %s given twice", s);
            a->method = argv[++i];
        } else if (opts && strncmp(s, "--method=", 9) == 0 && allow_method) {
            if (a->method)
                return usage_error("%s", "option --method given twice");
            a->method = s + 9;
        } else if (opts && strcmp(s, "-v") == 0) {
            a->verbose = 1;
        } else if (opts && s[0] == '-' && s[1] != '\0') {
            return usage_error("unknown option '%s'", s);
        } else {
            if (a->nfiles >= max_files)
                return usage_error("too many files for '%s'", a->cmd);
            a->files[a->nfiles++] = s;
        }
        /* A repeated -m replaced an unknown earlier one unseen ('-m bogus
         * -m pade' ran pade): every METHOD is checked when it is given. */
        if (a->method && !expm_method_find(a->method))
            return usage_error("unknown method '%s' (see `expmkit methods`)", a->method);
    }
    if (a->nfiles < min_files)
        return usage_error("'%s' needs more input files", a->cmd);
    if (a->nfiles == 2 && strcmp(a->files[0], "-") == 0 && strcmp(a->files[1], "-") == 0)
        return usage_error("%s", "only one input can be standard input ('-')");
    return 0;
}

static const char *shown(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

/* Read a square matrix; on failure print the reader's FILE:LINE message. */
static int read_square(const char *path, expm_matrix_t *M, const char *what)
{
    char err[512];
    expm_status st = expm_mm_read(path, M, err, sizeof err);
    if (st != EXPM_OK) {
        fprintf(stderr, "expmkit: %s\n", err);
        return st == EXPM_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    if (M->rows != M->cols) {
        fprintf(stderr, "expmkit: %s:%d: %s must be square, but it is %d x %d\n", shown(path),
                M->size_line, what, M->rows, M->cols);
        expm_matrix_free(M);
        return EXIT_USAGE;
    }
    return 0;
}

/* Write the matrix to stdout in one piece, or nothing. */
static int emit(int n, const double *X, const char *comment)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        fprintf(stderr, "expmkit: cannot allocate the output buffer\n");
        return EXIT_FAIL;
    }
    expm_status st = expm_mm_write(mem, n, n, X, n > 0 ? n : 1, comment);
    if (fclose(mem) != 0 || st != EXPM_OK) {
        free(buf);
        fprintf(stderr, "expmkit: cannot format the output\n");
        return EXIT_FAIL;
    }
    size_t w = fwrite(buf, 1, len, stdout);
    free(buf);
    return stdout_finish(w != len);
}

/* Map a computation status to an exit code and a message. */
static int report_failure(expm_status st, const char *path, const char *message)
{
    const char *why = (message && *message) ? message : expm_strerror(st);
    fprintf(stderr, "expmkit: %s: %s\n", shown(path), why);
    switch (st) {
    case EXPM_EINVAL:
    case EXPM_ENOMETHOD:
    case EXPM_EUNSUPPORTED:
        return EXIT_USAGE;
    default:
        return EXIT_FAIL;
    }
}

static void print_info(const char *method, const expm_info_t *info)
{
    fprintf(stderr, "expmkit: %s: m = %d, s = %d, products = %ld, solves = %ld", method,
            info->m, info->s, info->products, info->solves);
    if (info->resolves > 0)
        fprintf(stderr, ", resolves = %ld", info->resolves);
    if (info->cond > 0)
        fprintf(stderr, ", cond = %.3g", info->cond);
    fprintf(stderr, "\n");
}

static void print_warnings(const char *path, const expm_info_t *info)
{
    if (info->warnings & EXPM_WARN_UNDERFLOW)
        fprintf(stderr, "expmkit: %s: warning: some entries of the result are subnormal or "
                        "underflowed to zero\n", shown(path));
    if ((info->warnings & ~EXPM_WARN_UNDERFLOW) && info->message[0])
        fprintf(stderr, "expmkit: %s: warning: %s\n", shown(path), info->message);
}

static int cmd_methods(void)
{
    for (int i = 0; i < expm_method_count(); i++) {
        const expm_method_t *m = expm_method_get(i);
        const char *kind = (m->kinds & EXPM_KIND_EXP)
                               ? ((m->kinds & EXPM_KIND_FRECHET) ? "expm,frechet" : "expm")
                               : "frechet";
        printf("%s\t%s\t%s\n", m->name, kind, m->description);
    }
    return stdout_finish(0);
}

static int check_method(const char *name, unsigned kind)
{
    if (name && !*name)   /* the library reads "" as the default; on the command line it is a slip */
        return usage_error("%s", "empty method name after -m (see `expmkit methods`)");
    const expm_method_t *m = expm_method_find(name);
    if (!m)
        return usage_error("unknown method '%s' (see `expmkit methods`)", name);
    if (!(m->kinds & kind)) {
        fprintf(stderr, "expmkit: method '%s' does not compute %s\n", name,
                kind == EXPM_KIND_EXP ? "exp(A)" : "Frechet derivatives");
        return EXIT_USAGE;
    }
    return 0;
}

static int cmd_compute(args_t *a)
{
    int is_exp = strcmp(a->cmd, "expm") == 0, is_ref = strcmp(a->cmd, "ref") == 0;
    int rc = 0;
    if (!is_ref && (rc = check_method(a->method, is_exp ? EXPM_KIND_EXP : EXPM_KIND_FRECHET)))
        return rc;
    expm_matrix_t A = {0}, E = {0};
    if ((rc = read_square(a->files[0], &A, "A")))
        return rc;
    int two = a->nfiles == 2;
    const char *ename = strcmp(a->cmd, "adjoint") == 0 ? "G" : "E";
    if (two) {
        if ((rc = read_square(a->files[1], &E, ename))) {
            expm_matrix_free(&A);
            return rc;
        }
        if (E.rows != A.rows) {
            fprintf(stderr, "expmkit: %s:%d: %s is %d x %d but A is %d x %d\n",
                    shown(a->files[1]), E.size_line, ename, E.rows, E.cols, A.rows, A.cols);
            expm_matrix_free(&A);
            expm_matrix_free(&E);
            return EXIT_USAGE;
        }
    }
    int n = A.rows;
    double *R = malloc((size_t)n * n * sizeof(double));
    if (!R) {
        fprintf(stderr, "expmkit: out of memory for a %d x %d result\n", n, n);
        expm_matrix_free(&A);
        expm_matrix_free(&E);
        return EXIT_FAIL;
    }
    expm_status st;
    char comment[512] = "";
    expm_info_t info;
    memset(&info, 0, sizeof info);
    if (is_ref) {
        expm_ref_info_t ri;
        memset(&ri, 0, sizeof ri);
        st = two ? expm_ref_frechet(n, A.data, n, E.data, n, R, n, NULL, 0, 0, &ri)
                 : expm_ref_exp(n, A.data, n, R, n, 0, &ri);
        snprintf(info.message, sizeof info.message, "%s", ri.message);
        if (st == EXPM_OK)
            snprintf(comment, sizeof comment,
                     "expmkit ref: certified %s; precision %ld bits (pair %ld/%ld), %d attempt(s), "
                     "%d squarings, %d Taylor terms, tail bound %.3g, |X_p - X_2p|/|X_2p| = %.3g"
                     " <= certified bound 2^-64 = 5.42e-20 (Frobenius; entrywise above the"
                     " cancellation floor), then rounded to double",
                     two ? "L(A,E)" : "exp(A)", ri.precision, ri.precision / 2, ri.precision,
                     ri.attempts, ri.squarings, ri.terms, ri.tail_bound, ri.rel_diff);
    } else if (is_exp) {
        st = expm_exp(a->method, n, A.data, n, R, n, &info);
    } else if (strcmp(a->cmd, "frechet") == 0) {
        st = expm_frechet(a->method, n, A.data, n, E.data, n, R, n, NULL, 0, &info);
    } else {
        st = expm_adjoint(a->method, n, A.data, n, E.data, n, R, n, &info);
    }
    if (st == EXPM_OK) {
        if (a->verbose && !is_ref)
            print_info(a->method ? a->method : "pade", &info);
        print_warnings(a->files[0], &info);
        rc = emit(n, R, comment[0] ? comment : NULL);
    } else {
        rc = report_failure(st, a->files[0], info.message);
    }
    free(R);
    expm_matrix_free(&A);
    expm_matrix_free(&E);
    return rc;
}

/* Time the in-memory call: a `%` line with what was timed, then the contract's
 * last line `MEDIAN_SECONDS MIN_SECONDS REPEATS`. */
static int cmd_bench(args_t *a)
{
    int two = a->nfiles == 2, rc;
    if ((rc = check_method(a->method, two ? EXPM_KIND_FRECHET : EXPM_KIND_EXP)))
        return rc;
    expm_matrix_t A = {0}, E = {0};
    if ((rc = read_square(a->files[0], &A, "A")))
        return rc;
    if (two) {
        if ((rc = read_square(a->files[1], &E, "E"))) {
            expm_matrix_free(&A);
            return rc;
        }
        if (E.rows != A.rows) {
            fprintf(stderr, "expmkit: %s:%d: E is %d x %d but A is %d x %d\n",
                    shown(a->files[1]), E.size_line, E.rows, E.cols, A.rows, A.cols);
            expm_matrix_free(&A);
            expm_matrix_free(&E);
            return EXIT_USAGE;
        }
    }
    int n = A.rows;
    expm_info_t info;
    memset(&info, 0, sizeof info);
    expm_bench_t b;
    const char *min_s = getenv("EXPMKIT_BENCH_SECONDS");
    double seconds = min_s ? atof(min_s) : 0.2;
    expm_status st = expm_bench_run(a->method, n, A.data, n > 0 ? n : 1, two ? E.data : NULL,
                                    n > 0 ? n : 1, seconds > 0 ? seconds : 0.2, 5, &b, &info);
    if (st == EXPM_OK) {
        printf("%% method=%s kind=%s n=%d s=%d m=%d products=%ld solves=%ld resolves=%ld "
               "rounds=%d\n",
               a->method ? a->method : "pade", two ? "frechet" : "expm", n, info.s, info.m,
               info.products, info.solves, info.resolves, b.rounds);
        printf("%.6e %.6e %ld\n", b.median, b.min, b.repeats);
        rc = stdout_finish(0);
    } else {
        rc = report_failure(st, a->files[0], info.message);
    }
    expm_matrix_free(&A);
    expm_matrix_free(&E);
    return rc;
}

/* Write a rows-by-cols matrix to stdout in one piece, or nothing. */
static int emit_rect(int rows, int cols, const double *X, const char *comment)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        fprintf(stderr, "expmkit: cannot allocate the output buffer\n");
        return EXIT_FAIL;
    }
    expm_status st = expm_mm_write(mem, rows, cols, X, rows, comment);
    if (fclose(mem) != 0 || st != EXPM_OK) {
        free(buf);
        fprintf(stderr, "expmkit: cannot format the output\n");
        return EXIT_FAIL;
    }
    size_t w = fwrite(buf, 1, len, stdout);
    free(buf);
    return stdout_finish(w != len);
}

/* `zoh [-m METHOD] --dt T A.mtx B.mtx`: --dt is taken out of argv first, the
 * rest goes through parse_args like every other command. */
static int cmd_zoh(int argc, char **argv)
{
    char **av = malloc((size_t)argc * sizeof *av);
    if (!av) {
        fprintf(stderr, "expmkit: out of memory\n");
        return EXIT_FAIL;
    }
    const char *dts = NULL;
    int ac = 0, rc = 0;
    for (int i = 0; i < argc && !rc; i++) {
        const char *s = argv[i];
        const char *v = NULL;
        if (i >= 2 && strcmp(s, "--dt") == 0) {
            if (i + 1 >= argc)
                rc = usage_error("%s", "option --dt needs a value T");
            else
                v = argv[++i];
        } else if (i >= 2 && strncmp(s, "--dt=", 5) == 0) {
            v = s + 5;
        } else {
            av[ac++] = argv[i];
            continue;
        }
        if (!rc && dts)
            rc = usage_error("%s", "option --dt given twice");
        dts = v;
    }
    args_t a = {"zoh", NULL, 0, {NULL, NULL}, 0};
    if (!rc)
        rc = parse_args(ac, av, &a, 2, 2, 1);
    free(av);
    if (rc)
        return rc;
    if (!dts)
        return usage_error("%s", "'zoh' needs the step: --dt T");
    char *end = NULL;
    errno = 0;
    double dt = strtod(dts, &end);
    if (end == dts || *end != '\0' || !isfinite(dt) || !(dt > 0.0)) /* a subnormal T (ERANGE) is still a step */
        return usage_error("--dt '%s': the step T must be a finite number > 0", dts);
    if ((rc = check_method(a.method, EXPM_KIND_EXP)))
        return rc;
    expm_matrix_t A = {0}, B = {0};
    if ((rc = read_square(a.files[0], &A, "A")))
        return rc;
    char err[512];
    expm_status st = expm_mm_read(a.files[1], &B, err, sizeof err);
    if (st != EXPM_OK) {
        fprintf(stderr, "expmkit: %s\n", err);
        expm_matrix_free(&A);
        return st == EXPM_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    if (B.rows != A.rows) {
        fprintf(stderr, "expmkit: %s:%d: B is %d x %d but A is %d x %d (B needs %d rows)\n",
                shown(a.files[1]), B.size_line, B.rows, B.cols, A.rows, A.cols, A.rows);
        expm_matrix_free(&A);
        expm_matrix_free(&B);
        return EXIT_USAGE;
    }
    int n = A.rows, m = B.cols;
    /* The augmented (n+m)^2 matrix (and its workspace) under the reader's own
     * limit, 1 GiB of doubles: a small coordinate B with many columns must
     * not drive a multi-GiB allocation. */
    double order = (double)expm_zoh_order(n, m);
    if (order * order > (double)(1u << 30) / sizeof(double)) {
        fprintf(stderr, "expmkit: %s:%d: B is %d x %d: the augmented matrix, of order %.0f, "
                "would exceed 1 GiB\n", shown(a.files[1]), B.size_line, B.rows, B.cols, order);
        expm_matrix_free(&A);
        expm_matrix_free(&B);
        return EXIT_USAGE;
    }
    double *R = malloc((size_t)n * (size_t)(n + m) * sizeof(double));
    if (!R) {
        fprintf(stderr, "expmkit: out of memory for a %d x %d result\n", n, n + m);
        expm_matrix_free(&A);
        expm_matrix_free(&B);
        return EXIT_FAIL;
    }
    expm_info_t info;
    memset(&info, 0, sizeof info);
    st = expm_zoh(a.method, n, m, dt, A.data, n, B.data, n, R, n, R + (size_t)n * n, n, &info);
    if (st == EXPM_OK) {
        char comment[256];
        snprintf(comment, sizeof comment,
                 "expmkit zoh: [Abar Bbar] = top rows of exp([[dt A, dt B], [0, 0]]), "
                 "dt = %.17g, method = %s, n = %d, m = %d",
                 dt, a.method ? a.method : "pade", n, m);
        if (a.verbose)
            print_info(a.method ? a.method : "pade", &info);
        print_warnings(a.files[0], &info);
        rc = emit_rect(n, n + m, R, comment);
    } else {
        rc = report_failure(st, a.files[0], info.message);
    }
    free(R);
    expm_matrix_free(&A);
    expm_matrix_free(&B);
    return rc;
}

/* `expmkit cond A.mtx`: kappa_exp(A) on one line (%.17g). */
static int cmd_cond(args_t *a)
{
    expm_matrix_t A = {0};
    int rc = read_square(a->files[0], &A, "A");
    if (rc)
        return rc;
    double kappa = 0;
    expm_info_t info;
    memset(&info, 0, sizeof info);
    expm_status st = expm_cond_exp(A.rows, A.data, A.rows > 0 ? A.rows : 1, &kappa,
                                   EXPM_COND_AUTO, &info);
    expm_matrix_free(&A);
    if (st != EXPM_OK)
        return report_failure(st, a->files[0], info.message);
    if (a->verbose)
        fprintf(stderr, "expmkit: cond: %s, %ld Frechet evaluations\n", info.message,
                info.products);
    /* kappa of L computed in double: where u kappa is not small, L(A,.) is
     * itself not resolved (an outside audit: 92x below the mpmath kappa at
     * u kappa ~ 1e3, 12.9x above at 20). */
    if (0x1p-53 * kappa >= 0x1p-10)
        fprintf(stderr, "expmkit: %s: warning: u*kappa = %.2g: L(A,.) is not resolved in double "
                "at this condition, so this kappa can be off by a large factor (it says: "
                "few or no correct digits in exp(A))\n", a->files[0], 0x1p-53 * kappa);
    printf("%.17g\n", kappa);
    return stdout_finish(0);
}

static void testset_progress(void *ctx, int i, int count, const expm_testmat_t *t,
                             const expm_refentry_t *r)
{
    (void)ctx;
    fprintf(stderr, "expmkit: testset: [%d/%d] %s (n = %d, kappa %.3g %s%s)\n", i + 1, count,
            t->name, t->n, r->kappa, r->kappa_method, r->hit ? ", cached" : "");
}

/* `expmkit testset export [--cache DIR | --no-cache] [--match TEXT] [--max-n N] DIR` */
static int cmd_testset(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "export") != 0)
        return usage_error("%s", "testset needs the subcommand 'export'");
    expm_testset_opts_t o = {NULL, 0, NULL, testset_progress, NULL};
    const char *env = getenv("EXPMKIT_REFCACHE");
    o.cache = (env && *env) ? env : "build/refcache";
    const char *dir = NULL;
    int quiet = 0;
    for (int i = 3; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--cache") == 0 || strcmp(s, "--match") == 0 || strcmp(s, "--max-n") == 0) {
            if (i + 1 >= argc)
                return usage_error("option %s needs an argument", s);
            const char *v = argv[++i];
            if (strcmp(s, "--cache") == 0)
                o.cache = v;
            else if (strcmp(s, "--match") == 0)
                o.match = v;
            else {
                char *end;
                long m = strtol(v, &end, 10);
                if (*end || m < 1 || m > 1000000)
                    return usage_error("--max-n needs a positive integer, not '%s'", v);
                o.max_n = (int)m;
            }
        } else if (strcmp(s, "--no-cache") == 0) {
            o.cache = NULL;
        } else if (strcmp(s, "-q") == 0) {
            quiet = 1;
        } else if (s[0] == '-' && s[1] != '\0') {
            return usage_error("unknown option '%s'", s);
        } else if (dir) {
            return usage_error("testset export takes one DIR, not also '%s'", s);
        } else {
            dir = s;
        }
    }
    if (!dir)
        return usage_error("%s", "testset export needs a DIR");
    if (quiet)
        o.progress = NULL;
    char err[512];
    int count = 0;
    expm_status st = expm_testset_export(dir, &o, &count, err, sizeof err);
    if (st != EXPM_OK) {
        fprintf(stderr, "expmkit: %s\n", err[0] ? err : expm_strerror(st));
        return st == EXPM_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    if (count == 0)
        return usage_error("testset export: no test matrix matches '%s'", o.match ? o.match : "");
    return 0;
}

/* `expmkit verify ... --cmd 'PROGRAM {A} {OUT}'` (src/verify.c). */
static int cmd_verify(int argc, char **argv)
{
    const char *env = getenv("EXPMKIT_REFCACHE");
    expm_verify_opts_t o = {NULL, "external", NULL, 0, (env && *env) ? env : "build/refcache",
                            120.0, NULL};
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        int has = i + 1 < argc;
        if (strcmp(s, "--no-cache") == 0) {
            o.cache = NULL;
            continue;
        }
        if (!has)
            return usage_error("verify: option '%s' needs a value (or is unknown)", s);
        const char *v = argv[++i];
        if (strcmp(s, "--cmd") == 0)
            o.cmd = v;
        else if (strcmp(s, "--label") == 0)
            o.label = v;
        else if (strcmp(s, "--match") == 0)
            o.match = v;
        else if (strcmp(s, "--cache") == 0)
            o.cache = v;
        else if (strcmp(s, "--csv") == 0)
            o.csv = v;
        else if (strcmp(s, "--max-n") == 0 || strcmp(s, "--timeout") == 0) {
            char *end;
            double x = strtod(v, &end);
            if (*end || !(x > 0) || x > 1e6)
                return usage_error("verify: bad number '%s'", v);
            if (s[2] == 'm')
                o.max_n = (int)x;
            else
                o.timeout = x;
        } else {
            return usage_error("verify: unknown option '%s'", s);
        }
    }
    if (!o.cmd)
        return usage_error("%s", "verify needs --cmd 'PROGRAM {A} {OUT}'");
    char *buf = NULL, err[512];
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return EXIT_FAIL;
    expm_status st = expm_verify_run(&o, mem, err, sizeof err);
    fclose(mem);
    if (st != EXPM_OK) {
        free(buf);
        fprintf(stderr, "expmkit: %s\n", err);
        return st == EXPM_EINVAL ? EXIT_USAGE : EXIT_FAIL;
    }
    size_t w = fwrite(buf, 1, len, stdout);
    free(buf);
    return stdout_finish(w != len);
}

static int run(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "missing COMMAND");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("expmkit %s\n", EXPMKIT_VERSION);
        return 0;
    }
    /* `expmkit COMMAND -h` as the usage says (-h, --help: this text); an
     * option value such as `-m -h` is not read as a request for help. */
    for (int i = 2; i < argc; i++) {
        const char *prev = argv[i - 1];   /* -m and the --options take a value */
        if (strcmp(prev, "-m") == 0 ||
            (strncmp(prev, "--", 2) == 0 && !strchr(prev, '=') && strcmp(prev, "--no-cache") != 0))
            continue;
        if (strcmp(argv[i], "--") == 0)
            break;   /* the rest are files */
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
    }
    args_t a = {cmd, NULL, 0, {NULL, NULL}, 0};
    int rc;
    if (strcmp(cmd, "methods") == 0) {
        if ((rc = parse_args(argc, argv, &a, 0, 0, 0)))
            return rc;
        return cmd_methods();
    }
    if (strcmp(cmd, "expm") == 0)
        rc = parse_args(argc, argv, &a, 1, 1, 1);
    else if (strcmp(cmd, "frechet") == 0 || strcmp(cmd, "adjoint") == 0)
        rc = parse_args(argc, argv, &a, 2, 2, 1);
    else if (strcmp(cmd, "ref") == 0)
        rc = parse_args(argc, argv, &a, 1, 2, 0);
    else if (strcmp(cmd, "bench") == 0) {
        if ((rc = parse_args(argc, argv, &a, 1, 2, 1)))
            return rc;
        return cmd_bench(&a);
    }
    else if (strcmp(cmd, "zoh") == 0)
        return cmd_zoh(argc, argv);
    else if (strcmp(cmd, "cond") == 0) {
        if ((rc = parse_args(argc, argv, &a, 1, 1, 0)))
            return rc;
        return cmd_cond(&a);
    }
    else if (strcmp(cmd, "testset") == 0)
        return cmd_testset(argc, argv);
    else if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc, argv);
    else
        return usage_error("unknown command '%s'", cmd);
    if (rc)
        return rc;
    return cmd_compute(&a);
}

int main(int argc, char **argv)
{
    int rc = run(argc, argv);
    int out = stdout_finish(0);   /* --help, --version and any command's last words */
    return rc ? rc : out;
}
