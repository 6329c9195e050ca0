#!/usr/bin/python3
"""bench/run.py -- `make bench`: time every expmkit method and every peer on
the same seeded random matrices, and write reports/speed.csv, speed.md and
SVG plots. Every number in the outputs comes from this one run.

Methodology (identical for us and every peer, see src/bench.c and
bench/peers/timing.h): one warm-up call, a batch size calibrated so a round
lasts >= EXPMKIT_BENCH_SECONDS/5 (default 0.2 s in total), five rounds; the
median round's mean time per call is reported. All single-threaded
(OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)) unless a row says otherwise.

Usage: run.py BUILD_DIR [MAXN]      (MAXN default 1024)
"""
import csv
import os
import subprocess
import sys
import time

SIZES = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
NORMS = [1.0, 30.0]
SEED = 20261123
# Methods timed at every n; the others (series, step and difference methods,
# meant for comparison of accuracy) stop at SLOW_MAXN: they are O(10-100)
# products and would dominate the run without changing a conclusion.
FAST = {"pade", "taylor", "pade-schur", "eig", "block"}
SLOW_MAXN = 128
PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def run(cmd, env=None):
    """Run a timing command; return (median, min, repeats, comment-lines) or None."""
    e = dict(os.environ)
    e["OPENBLAS_NUM_THREADS"] = "1"
    e["OMP_NUM_THREADS"] = "1"
    if env:
        e.update(env)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log("%s: %s" % (" ".join(cmd), exc))
        return None
    if p.returncode != 0:
        log("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()[:200]))
        return None
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    comments = [l for l in lines if l.startswith("%")]
    last = [l for l in lines if not l.startswith("%")]
    try:
        med, mn, rep = last[-1].split()
        return float(med), float(mn), int(rep), comments
    except (IndexError, ValueError):
        log("%s: unparsable output %r" % (" ".join(cmd), p.stdout[-200:]))
        return None


def kv(comments):
    d = {}
    for c in comments:
        for tok in c.lstrip("% ").split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                d[k] = v
    return d


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    build = argv[1]
    maxn = int(argv[2]) if len(argv) > 2 else 1024
    sizes = [n for n in SIZES if n <= maxn]
    expmkit = os.path.join(build, "expmkit")
    mkmat = os.path.join(build, "bench", "mkmat")
    blas = os.path.join(build, "bench", "blas_bound")
    peakmem = os.path.join(build, "bench", "peakmem")
    gsl = os.path.join(build, "bench", "gsl_bench")
    eigen = os.path.join(build, "bench", "eigen_bench")
    tmp = os.path.join(build, "bench", "mats")
    os.makedirs(tmp, exist_ok=True)
    methods = []
    for line in subprocess.run([expmkit, "methods"], capture_output=True, text=True).stdout.splitlines():
        name, kinds, _ = line.split("\t", 2)
        methods.append((name, kinds.split(",")))
    rows = []
    t_start = time.time()

    def add(kind, impl, norm, n, r, products="", solves="", s="", m="", resolves=""):
        if r is None:
            rows.append(dict(kind=kind, impl=impl, norm=norm, n=n, median="", min="",
                             repeats="", products=products, solves=solves, s=s, m=m,
                             resolves=resolves))
            return
        rows.append(dict(kind=kind, impl=impl, norm=norm, n=n, median="%.6e" % r[0],
                         min="%.6e" % r[1], repeats=r[2], products=products, solves=solves,
                         s=s, m=m, resolves=resolves))

    for n in sizes:
        # blas_bound prints three timing lines: dgemm, the LU solve, the resolve.
        p = subprocess.run([blas, str(n)], capture_output=True, text=True,
                           env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        t = [l.split() for l in p.stdout.splitlines() if l and not l.startswith("%")]
        if p.returncode == 0 and len(t) == 3:
            for impl, tt in (("dgemm", t[0]), ("lu-solve", t[1]), ("resolve", t[2])):
                rows.append(dict(kind="blas", impl=impl, norm="", n=n, median=tt[0], min=tt[1],
                                 repeats=tt[2], products="", solves="", s="", m=""))
        else:
            log("blas_bound %d failed: %s" % (n, p.stderr.strip()))
        log("n=%d blas units done (%.0f s elapsed)" % (n, time.time() - t_start))
        for norm in NORMS:
            A = os.path.join(tmp, "A_%d_%g.mtx" % (n, norm))
            E = os.path.join(tmp, "E_%d.mtx" % n)
            with open(A, "w") as f:
                subprocess.run([mkmat, str(n), repr(norm), str(SEED + n)], stdout=f, check=True)
            with open(E, "w") as f:
                subprocess.run([mkmat, str(n), "1", str(SEED + 7919 * n)], stdout=f, check=True)
            log("n=%d norm=%g (%.0f s elapsed)" % (n, norm, time.time() - t_start))
            for name, kinds in methods:
                if n > SLOW_MAXN and name not in FAST:
                    continue
                for kind in kinds:
                    cmd = [expmkit, "bench", "-m", name, A] + ([E] if kind == "frechet" else [])
                    r = run(cmd)
                    d = kv(r[3]) if r else {}
                    add(kind, name, norm, n, r, d.get("products", ""), d.get("solves", ""),
                        d.get("s", ""), d.get("m", ""), d.get("resolves", ""))
            # expmkit's own heap per call (bench/peakmem.c): peak bytes, allocations;
            # also at ||A||_1 = 1000 (more squarings than 30, the same m = 13),
            # so the report can check that allocations do not grow with s.
            A3 = os.path.join(tmp, "A_%d_1000.mtx" % n)
            if norm == NORMS[-1]:
                with open(A3, "w") as f:
                    subprocess.run([mkmat, str(n), "1000", str(SEED + n)], stdout=f, check=True)
            for kind, files, nm in [("expm", [A], norm), ("frechet", [A, E], norm)] + (
                    [("expm", [A3], 1000.0), ("frechet", [A3, E], 1000.0)] if norm == NORMS[-1] else []):
                p = subprocess.run([peakmem, "-m", "pade"] + files, capture_output=True, text=True)
                lines = [l for l in p.stdout.splitlines() if l and not l.startswith("%")]
                d = kv([l for l in p.stdout.splitlines() if l.startswith("%")])
                if p.returncode == 0 and lines:
                    b, c = lines[-1].split()
                    rows.append(dict(kind="peak-bytes-" + kind, impl="pade", norm=nm, n=n,
                                     median=b, min=b, repeats=c, products="", solves="",
                                     s=d.get("s", ""), m=d.get("m", "")))
                else:
                    log("peakmem %s n=%d failed: %s" % (kind, n, p.stderr.strip()))
            add("expm", "scipy", norm, n, run([PY, os.path.join(HERE, "peers", "scipy_bench.py"), "expm", A]))
            add("frechet", "scipy", norm, n,
                run([PY, os.path.join(HERE, "peers", "scipy_bench.py"), "frechet", A, E]))
            add("expm", "R-expm", norm, n, run(["Rscript", os.path.join(HERE, "peers", "r_bench.R"), "expm", A]))
            add("frechet", "R-expm", norm, n,
                run(["Rscript", os.path.join(HERE, "peers", "r_bench.R"), "frechet", A, E]))
            add("expm", "eigen", norm, n, run([eigen, "expm", A]))
            add("expm", "gsl", norm, n, run([gsl, "expm", A]))
            add("expm", "torch", norm, n, run([PY, os.path.join(HERE, "peers", "torch_bench.py"), "expm", A]))
            add("adjoint", "torch", norm, n,
                run([PY, os.path.join(HERE, "peers", "torch_bench.py"), "backward", A, E]))
    # The SSM batch: 10^5 stacked 4x4 matrices (per-matrix time).
    # expmkit: expm_exp_batch on all online CPUs (bench/batch_bench.c; the
    # same distribution, randn/4, as the peers' stacked arrays).
    for impl, cmd, env in [
            ("expmkit", [os.path.join(build, "bench", "batch_bench"), "batch", "100000", "4", "1", "0"],
             None),
            ("scipy", [PY, os.path.join(HERE, "peers", "scipy_bench.py"), "batch", "100000", "4", "1"], None),
            ("torch-2threads", [PY, os.path.join(HERE, "peers", "torch_bench.py"), "batch", "100000", "4", "1"],
             {"EXPMKIT_TORCH_THREADS": "2"})]:
        log("batch %s" % impl)
        add("batch", impl, "", 4, run(cmd, env))
    # The targets of issue 9 once more, each pair timed again REPEAT times
    # (ours, peer, in turn) and the least median of each side kept:
    # single-run verdicts near a threshold flipped between runs on this
    # shared machine (session 4: Eigen at n = 16, norm 30, measured 6.31 us
    # in one run and 9.38 us in the next). Rows "target-<kind>"; the report
    # takes its verdicts from them.
    REPEAT = 3

    def blas_units(n):
        p = subprocess.run([blas, str(n)], capture_output=True, text=True,
                           env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
        t = [l.split() for l in p.stdout.splitlines() if l and not l.startswith("%")]
        if p.returncode != 0 or len(t) != 3:
            log("blas_bound %d failed: %s" % (n, p.stderr.strip()))
            return None
        return [(float(x[0]), float(x[1]), int(x[2])) for x in t]

    jobs = []
    for n in sizes:
        for norm in NORMS:
            A = os.path.join(tmp, "A_%d_%g.mtx" % (n, norm))
            E = os.path.join(tmp, "E_%d.mtx" % n)
            cmds = []
            if n <= 16:
                cmds += [("expm", "pade", [expmkit, "bench", "-m", "pade", A]),
                         ("expm", "eigen", [eigen, "expm", A])]
            if n >= 64:
                cmds += [("expm", "pade", [expmkit, "bench", "-m", "pade", A]),
                         ("expm", "scipy", [PY, os.path.join(HERE, "peers", "scipy_bench.py"),
                                            "expm", A])]
            if n == 64 or n >= 256:
                cmds += [("frechet", "pade", [expmkit, "bench", "-m", "pade", A, E])]
            if n in (64, 256, 512):
                cmds += [("frechet", "scipy", [PY, os.path.join(HERE, "peers", "scipy_bench.py"),
                                               "frechet", A, E])]
            if cmds:
                jobs.append((n, norm, cmds))
    # REPEAT passes over all the pairs: a pair's samples lie minutes apart,
    # so a slow phase of the machine (seconds long, seen in this session)
    # does not hit all of one side's samples.
    best = {}
    for rep in range(REPEAT):
        for n, norm, cmds in jobs:
            for kind, impl, cmd in cmds:
                r = run(cmd)
                key = (kind, impl, norm, n)
                if r and (key not in best or r[0] < best[key][0]):
                    best[key] = r
            if n >= 256:
                for impl, r in zip(("dgemm", "lu-solve", "resolve"), blas_units(n) or []):
                    key = ("blas", impl, norm, n)
                    if key not in best or r[0] < best[key][0]:
                        best[key] = r
        log("targets re-measured, pass %d of %d (%.0f s elapsed)"
            % (rep + 1, REPEAT, time.time() - t_start))
    for (kind, impl, norm, n), r in sorted(best.items(), key=lambda x: (x[0][3], x[0][2])):
        d = kv(r[3]) if len(r) > 3 else {}
        add("target-" + kind, impl, norm, n, r, d.get("products", ""), d.get("solves", ""),
            d.get("s", ""), d.get("m", ""), d.get("resolves", ""))
    out = os.path.join("reports", "speed.csv")
    with open(out + ".tmp", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["kind", "impl", "norm", "n", "median", "min", "repeats",
                                          "products", "solves", "s", "m", "resolves"])
        w.writeheader()
        w.writerows(rows)
    os.replace(out + ".tmp", out)
    log("wrote %s in %.0f s" % (out, time.time() - t_start))
    return subprocess.run([PY, os.path.join(HERE, "speed_report.py"), out,
                           "%.0f" % (time.time() - t_start)]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
