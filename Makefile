# expmkit -- plain make. `make test` and `make report` are the two commands
# a user types; both install missing system packages first (scripts/install-deps).

CC      ?= cc
CFLAGS  ?= -O2
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -fPIC \
           -Iinclude -Isrc -Imethods -Ireference
LDLIBS  = -llapacke -lopenblas -lmpfr -lgmp -lm -lpthread
TESTLIBS = -lcriterion

B ?= build
SONAME := libexpmkit.so.0

LIB_SRC := $(wildcard src/*.c) $(wildcard methods/*.c) $(wildcard reference/*.c)
LIB_SRC := $(filter-out src/cli.c,$(LIB_SRC))
LIB_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRC))
HDRS    := include/expmkit.h $(wildcard src/*.h) $(wildcard methods/*.h) $(wildcard reference/*.h)

TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))

# Headers and libraries that must exist before anything compiles.
DEPS_STAMP := $(B)/.deps-ok
DEP_FILES  := /usr/include/mpfr.h /usr/include/lapacke.h /usr/include/criterion/criterion.h \
              /usr/include/arb_mat.h

.PHONY: all test report clean deps
all: $(B)/libexpmkit.a $(B)/libexpmkit.so $(B)/expmkit $(B)/examples/ssm/train

$(DEPS_STAMP):
	@for f in $(DEP_FILES); do [ -e $$f ] || { scripts/install-deps; break; }; done
	@for f in $(DEP_FILES); do [ -e $$f ] || { echo "missing $$f after install-deps" >&2; exit 1; }; done
	@mkdir -p $(B) && touch $@

deps:
	scripts/install-deps

$(B)/obj/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libexpmkit.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libexpmkit.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) -o $@ $^ $(LDLIBS)

$(B)/expmkit: $(B)/obj/src/cli.o $(B)/libexpmkit.a
	$(CC) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/%.c $(wildcard tests/*.h) $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(B)/libexpmkit.a $(TESTLIBS) $(LDLIBS)

# test_arb cross-checks the reference against FLINT/Arb: a test-only dependency.
$(B)/tests/test_arb: TESTLIBS += -lflint-arb -lflint

# The Python bindings (python/expmkit, issue 10) are tested with pytest against
# this build's libexpmkit.so; not in sanitizer builds (an ASan .so cannot be
# loaded into an uninstrumented python).
PYTHON ?= /usr/bin/python3
PYTHON_TESTS ?= $(if $(findstring -fsanitize,$(CC) $(CFLAGS)),no,yes)

# Each test binary runs on its own; any failure fails `make test`.
# OPENBLAS_NUM_THREADS=1: results must not depend on the thread count.
test: all $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; \
	  OPENBLAS_NUM_THREADS=1 EXPMKIT=$(B)/expmkit $$t --jobs 2 || fail=1; \
	done; \
	if [ $$fail -ne 0 ]; then echo "make test: FAILED" >&2; exit 1; fi; \
	echo "make test: all test binaries passed"
	@if [ "$(PYTHON_TESTS)" != yes ]; then echo "make test: Python tests skipped (sanitizer build)"; \
	elif $(PYTHON) -c 'import numpy, scipy, pytest' 2>/dev/null; then \
	  echo "== tests/python (pytest)"; \
	  EXPMKIT_LIB=$(abspath $(B))/libexpmkit.so EXPMKIT=$(abspath $(B))/expmkit OPENBLAS_NUM_THREADS=1 \
	  $(PYTHON) -m pytest -q -p no:cacheprovider tests/python; \
	else echo "make test: $(PYTHON) lacks numpy/scipy/pytest (scripts/install-deps): Python tests skipped"; fi

$(B)/accuracy: scripts/accuracy.c $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libexpmkit.a $(LDLIBS)

# The SSM example (issue 6): trains a linear SSM through exp (examples/ssm/).
$(B)/examples/ssm/train: examples/ssm/train.c $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libexpmkit.a $(LDLIBS)

$(B)/ssm_report: scripts/ssm_report.c $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libexpmkit.a $(LDLIBS)

# The main job: every method x every test matrix (exp, Frechet, adjoint)
# against the certified MPFR reference -> reports/accuracy.{csv,md} + SVG;
# the SSM use case (issue 6) -> reports/ssm.md. Certified references and
# kappa are cached in $(REFCACHE) (src/refcache.c).
REFCACHE ?= $(B)/refcache
.PHONY: check baseline
report: all $(B)/accuracy $(B)/ssm_report
	@mkdir -p reports
	@t0=$$(date +%s); OPENBLAS_NUM_THREADS=1 $(B)/accuracy $(REFCACHE) reports/accuracy.csv && \
	/usr/bin/python3 scripts/accuracy_report.py reports/accuracy.csv reports/accuracy.md \
	  $$(( $$(date +%s) - t0 ))
	OPENBLAS_NUM_THREADS=1 $(B)/ssm_report reports/ssm.md $(B)/examples/ssm/train
	@if $(PYTHON) -c 'import numpy, torch' 2>/dev/null; then $(MAKE) --no-print-directory B=$(B) ssm-torch && \
	  cat reports/ssm_torch.md >> reports/ssm.md; \
	else echo "make report: $(PYTHON) lacks numpy/torch: reports/ssm_torch.md not regenerated"; fi
	OPENBLAS_NUM_THREADS=1 $(B)/expmkit verify --cache $(REFCACHE) --label scipy \
	  --cmd '/usr/bin/python3 bench/peers/scipy_expm.py {A} > {OUT}' > reports/verify-scipy.md.tmp && \
	  mv reports/verify-scipy.md.tmp reports/verify-scipy.md
	/usr/bin/python3 scripts/readme_splice.py README.md accuracy reports/accuracy-summary.md
	/usr/bin/python3 scripts/readme_splice.py README.md ssm reports/ssm.md "## Answer"

# The PyTorch SSM comparison (issue 10, ~20 s): expmkit.torch vs I + dt A vs
# torch.linalg.matrix_exp -> reports/ssm_torch.md (appended to ssm.md by `report`).
.PHONY: ssm-torch
ssm-torch: $(B)/libexpmkit.so
	@mkdir -p reports
	EXPMKIT_LIB=$(abspath $(B))/libexpmkit.so OPENBLAS_NUM_THREADS=1 \
	  $(PYTHON) examples/ssm/train_torch.py -o reports/ssm_torch.md > /dev/null

# Regression check against the committed reports/baseline.csv (JUnit XML in
# reports/check.xml); `make baseline` rewrites the baseline deliberately.
check: all $(B)/accuracy
	@mkdir -p reports
	OPENBLAS_NUM_THREADS=1 $(B)/accuracy $(REFCACHE) $(B)/check.csv
	/usr/bin/python3 scripts/check.py $(B)/check.csv reports/baseline.csv reports/check.xml

baseline: all $(B)/accuracy
	@mkdir -p reports
	OPENBLAS_NUM_THREADS=1 $(B)/accuracy $(REFCACHE) $(B)/baseline.csv
	cp $(B)/baseline.csv reports/baseline.csv

# Speed of the MPFR reference against Arb's arb_mat_exp -> reports/speed-reference.md.
.PHONY: bench-ref
$(B)/bench/ref_vs_arb: bench/ref_vs_arb.c $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libexpmkit.a -lflint-arb -lflint $(LDLIBS)

bench-ref: $(B)/bench/ref_vs_arb
	@mkdir -p reports
	OPENBLAS_NUM_THREADS=1 $(B)/bench/ref_vs_arb reports/speed-reference.md

clean:
	rm -rf $(B)

# ---- Reliability: sanitizers, valgrind, fuzzing --------------------------
# Each builds in its own directory next to $(B); the sanitizer flags ride on
# CC so that compile and link lines get them without touching the rules.
SAN_B  ?= $(B)-san
FUZZ_B ?= $(B)-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
.PHONY: sanitize memcheck fuzz install uninstall installcheck

# The whole suite under ASan+UBSan (and LeakSanitizer). ASan/LSan reports of
# every process (test workers, the CLI they spawn) go to $(SAN_REPORTS)/;
# UBSan ignores log_path in GCC's runtime, so the output is also scanned for
# "runtime error:". exitcode=86: a sanitized child never exits with a code a
# test expects (the CLI's 0/1/2). Any report fails the target.
# allocator_may_return_null=1: malloc returns NULL as in production (the
# library's ENOMEM paths are tested) instead of ASan aborting.
# tests/lsan.supp: third-party leaks (MPFR per-thread caches, Criterion's runner).
# EXPMKIT_TIME_LIMIT: test_badinput's 1 s per bad input, x5 for ASan (a 512 MiB
# calloc costs 0.5 s of shadow memory there, 0.01 s without).
SAN_REPORTS = $(abspath $(SAN_B))/reports
sanitize:
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	@ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:exitcode=86:allocator_may_return_null=1:fast_unwind_on_malloc=0:log_path=$(SAN_REPORTS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:exitcode=86:print_stacktrace=1 EXPMKIT_TIME_LIMIT=5 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	$(MAKE) B=$(SAN_B) CC="$(CC) $(SAN_FLAGS)" test 2>&1 | tee $(SAN_REPORTS)/../sanitize.log; \
	rc=$$(grep -c "make test: all test binaries passed" $(SAN_REPORTS)/../sanitize.log); \
	if [ -n "$$(ls -A $(SAN_REPORTS))" ]; then cat $(SAN_REPORTS)/*; rc=0; \
	  echo "make sanitize: ASan/LSan reports above ($(SAN_REPORTS))" >&2; fi; \
	if grep -q "runtime error:" $(SAN_REPORTS)/../sanitize.log; then rc=0; \
	  grep -A3 "runtime error:" $(SAN_REPORTS)/../sanitize.log; echo "make sanitize: UBSan reports" >&2; fi; \
	[ "$$rc" = 1 ] && echo "make sanitize: all tests pass, no sanitizer reports"

# valgrind on representative CLI calls on a 5x5 A and E: expm, frechet,
# adjoint by the default method, the reference, a bad input; no errors, no
# definite/indirect leaks. MEMCHECK_METHODS=all: every registered method of
# each kind, as `expmkit methods` lists them (~1 s per call).
# OPENBLAS_CORETYPE=Haswell: valgrind does not decode AVX-512 kernels.
MEMCHECK_METHODS ?= pade
MEMCHECK = OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=Haswell valgrind -q --error-exitcode=99 \
  --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
memcheck: all
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	awk 'BEGIN { print "%%MatrixMarket matrix array real general"; print "5 5"; \
	  for (k = 1; k <= 25; k++) printf "%.17g\n", sin(3 * k) }' > $$d/A.mtx && \
	awk 'BEGIN { print "%%MatrixMarket matrix coordinate real general"; print "5 5 3"; \
	  print "1 2 1.5"; print "4 3 -2"; print "5 5 0.25" }' > $$d/E.mtx && \
	set -e; \
	pick() { if [ "$(MEMCHECK_METHODS)" = all ]; then \
	  $(B)/expmkit methods | awk -F'\t' -v k=$$1 '$$2 ~ k { print $$1 }'; \
	  else echo "$(MEMCHECK_METHODS)"; fi; }; \
	for m in $$(pick expm); do \
	  echo "memcheck: expm -m $$m"; $(MEMCHECK) $(B)/expmkit expm -m $$m $$d/A.mtx > /dev/null; done; \
	for m in $$(pick frechet); do \
	  echo "memcheck: frechet, adjoint -m $$m"; \
	  $(MEMCHECK) $(B)/expmkit frechet -m $$m $$d/A.mtx $$d/E.mtx > /dev/null; \
	  $(MEMCHECK) $(B)/expmkit adjoint -m $$m $$d/A.mtx $$d/E.mtx > /dev/null; done; \
	echo "memcheck: ref A E"; $(MEMCHECK) $(B)/expmkit ref $$d/A.mtx $$d/E.mtx > /dev/null; \
	echo "memcheck: bad input (exit 2)"; \
	printf '%%%%MatrixMarket matrix array real general\n2 2\n1\nx\n' > $$d/bad.mtx; \
	rc=0; $(MEMCHECK) $(B)/expmkit expm - < $$d/bad.mtx 2> /dev/null || rc=$$?; test $$rc -eq 2; \
	echo "memcheck: no errors, no leaks"

# libFuzzer harnesses (tests/fuzz/): FUZZ_SECONDS each, seeds in
# tests/fuzz/corpus/, new inputs in $(FUZZ_B)/corpus-*, crashes in $(FUZZ_B)/.
# CFLAGS is given whole (no -Werror): a clang-only warning must not stop fuzzing.
# glibc defines CMPLX only for GCC >= 4.7 (clang says 4.2): supply it.
FUZZ_CFLAGS := -O1 -g -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -fPIC \
  -Iinclude -Isrc -Imethods -Ireference '-DCMPLX(x,y)=__builtin_complex((double)(x),(double)(y))'
FUZZ_CCX := $(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer-no-link
fuzz:
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz: needs $(FUZZ_CC) (scripts/install-deps)" >&2; exit 1; }
	$(MAKE) B=$(FUZZ_B) CC="$(FUZZ_CCX)" CFLAGS="$(FUZZ_CFLAGS)" $(FUZZ_B)/libexpmkit.a
	$(FUZZ_CCX) $(FUZZ_CFLAGS) -Dmain=expmkit_cli_main -c src/cli.c -o $(FUZZ_B)/cli_fuzz.o
	$(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer $(FUZZ_CFLAGS) -o $(FUZZ_B)/fuzz_mmio \
	  tests/fuzz/fuzz_mmio.c $(FUZZ_B)/libexpmkit.a $(LDLIBS)
	$(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer $(FUZZ_CFLAGS) -DFUZZ_CLI -o $(FUZZ_B)/fuzz_cli \
	  tests/fuzz/fuzz_mmio.c $(FUZZ_B)/cli_fuzz.o $(FUZZ_B)/libexpmkit.a $(LDLIBS)
	@mkdir -p $(FUZZ_B)/corpus-mmio $(FUZZ_B)/corpus-cli
	OPENBLAS_NUM_THREADS=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(FUZZ_B)/fuzz_mmio \
	  -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_B)/ $(FUZZ_B)/corpus-mmio tests/fuzz/corpus
	OPENBLAS_NUM_THREADS=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(FUZZ_B)/fuzz_cli \
	  -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_B)/ $(FUZZ_B)/corpus-cli tests/fuzz/corpus

# ---- Packaging -------------------------------------------------------------
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
VERSION := $(shell sed -n 's/^\#define EXPMKIT_VERSION "\(.*\)"/\1/p' include/expmkit.h)
INSTALLED := include/expmkit.h lib/libexpmkit.a lib/libexpmkit.so lib/libexpmkit.so.0 \
  lib/libexpmkit.so.$(VERSION) lib/pkgconfig/expmkit.pc bin/expmkit share/man/man1/expmkit.1

# The Python package (issue 10), Debian conventions: /usr -> the distribution
# directory /usr/lib/python3/dist-packages; /usr/local -> the local site
# directory of the system python (/usr/local/lib/python3.X/dist-packages, on
# its sys.path); any other PREFIX -> PREFIX/lib/python3/dist-packages (put it
# on PYTHONPATH). _config.py records LIBDIR, where the package finds the library.
PY_FILES := python/expmkit/__init__.py python/expmkit/torch.py
PYTHONDIR ?= $(if $(filter /usr/local,$(PREFIX)),$(shell $(PYTHON) -c \
  'import sysconfig; print(sysconfig.get_path("purelib", "posix_local"))' 2>/dev/null),$(PREFIX)/lib/python3/dist-packages)
INSTALLED += lib/python3/dist-packages/expmkit/__init__.py lib/python3/dist-packages/expmkit/torch.py \
  lib/python3/dist-packages/expmkit/_config.py

$(B)/expmkit.pc: src/expmkit.pc.in include/expmkit.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# $(B)/expmkit.pc depends on PREFIX: regenerate it on every install.
install: all
	@rm -f $(B)/expmkit.pc && $(MAKE) --no-print-directory B=$(B) PREFIX=$(PREFIX) $(B)/expmkit.pc
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 include/expmkit.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(B)/libexpmkit.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/libexpmkit.so $(DESTDIR)$(LIBDIR)/libexpmkit.so.$(VERSION)
	ln -sf libexpmkit.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libexpmkit.so
	install -m 644 $(B)/expmkit.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(B)/expmkit $(DESTDIR)$(PREFIX)/bin/
	install -m 644 src/expmkit.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PYTHONDIR)/expmkit
	install -m 644 $(PY_FILES) $(DESTDIR)$(PYTHONDIR)/expmkit/
	echo "LIBDIR = '$(LIBDIR)'  # written by make install" > $(DESTDIR)$(PYTHONDIR)/expmkit/_config.py

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/expmkit.h $(DESTDIR)$(LIBDIR)/libexpmkit.a \
	  $(DESTDIR)$(LIBDIR)/libexpmkit.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libexpmkit.so.$(VERSION) $(DESTDIR)$(LIBDIR)/pkgconfig/expmkit.pc \
	  $(DESTDIR)$(PREFIX)/bin/expmkit $(DESTDIR)$(PREFIX)/share/man/man1/expmkit.1
	rm -f $(addprefix $(DESTDIR)$(PYTHONDIR)/expmkit/,$(notdir $(PY_FILES)) _config.py)
	rm -rf $(DESTDIR)$(PYTHONDIR)/expmkit/__pycache__
	[ ! -d $(DESTDIR)$(PYTHONDIR)/expmkit ] || rmdir $(DESTDIR)$(PYTHONDIR)/expmkit

# Install into PREFIX, build examples/minimal.c through pkg-config (shared
# and static), run both, check the CLI and man page, then uninstall and check
# that nothing is left.
installcheck:
	@case "$(PREFIX)" in /usr|/usr/local) echo "installcheck: give a scratch PREFIX=..." >&2; exit 1;; esac
	$(MAKE) --no-print-directory B=$(B) PREFIX=$(PREFIX) install
	set -e; export PKG_CONFIG_PATH=$(LIBDIR)/pkgconfig; \
	test "$$(pkg-config --modversion expmkit)" = "$(VERSION)"; \
	$(CC) -std=c11 -Wall -Wextra -Werror -o $(B)/minimal examples/minimal.c $$(pkg-config --cflags --libs expmkit); \
	$(CC) -std=c11 -Wall -Wextra -Werror -o $(B)/minimal-static examples/minimal.c \
	  $$(pkg-config --cflags expmkit) $(LIBDIR)/libexpmkit.a $$(pkg-config --static --libs-only-l expmkit | sed 's/-lexpmkit//'); \
	test "$$(readelf -d $(LIBDIR)/libexpmkit.so | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" = "$(SONAME)"; \
	readelf -d $(B)/minimal | grep -q 'NEEDED.*\[$(SONAME)\]'; \
	OPENBLAS_NUM_THREADS=1 LD_LIBRARY_PATH=$(LIBDIR) $(B)/minimal; \
	OPENBLAS_NUM_THREADS=1 $(B)/minimal-static > /dev/null; \
	test "$$($(PREFIX)/bin/expmkit --version)" = "expmkit $(VERSION)"; \
	test -s $(PREFIX)/share/man/man1/expmkit.1; \
	! command -v groff > /dev/null || groff -man -z $(PREFIX)/share/man/man1/expmkit.1
	! $(PYTHON) -c 'import numpy' 2>/dev/null || (cd / && env -u EXPMKIT_LIB PYTHONPATH=$(PYTHONDIR) \
	  OPENBLAS_NUM_THREADS=1 $(PYTHON) -c "import expmkit; p = expmkit.library_path(); \
	  assert p.startswith('$(LIBDIR)/'), p; assert expmkit.expm([[0.0]])[0, 0] == 1.0")
	$(MAKE) --no-print-directory B=$(B) PREFIX=$(PREFIX) uninstall
	@left=$$(cd $(PREFIX) && for f in $(INSTALLED); do [ -e $$f ] || [ -L $$f ] && echo $$f; done); \
	if [ -n "$$left" ]; then echo "installcheck: left after uninstall: $$left" >&2; exit 1; fi
	@echo "installcheck: install, pkg-config build (shared, static), run, uninstall: ok"

# ---- Speed: `make bench` (issue 9) -----------------------------------------
# Every method and every peer (bench/peers/) on the same seeded matrices; all
# ratios from one run -> reports/speed.{csv,md} and SVG plots. Peers are
# installed by `scripts/install-deps --bench`. BENCH_MAXN limits the sizes.
BENCH_MAXN ?= 1024
.PHONY: bench bench-deps
bench-deps:
	scripts/install-deps --bench

$(B)/bench/mkmat: bench/mkmat.c $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libexpmkit.a $(LDLIBS)

# --wrap: the library's allocations go through peakmem.c's counters.
$(B)/bench/peakmem: bench/peakmem.c $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libexpmkit.a $(LDLIBS) \
	  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign,--wrap=free

$(B)/bench/blas_bound: bench/blas_bound.c bench/peers/timing.h $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench -o $@ $< $(B)/libexpmkit.a $(LDLIBS)

$(B)/bench/batch_bench: bench/batch_bench.c bench/peers/timing.h $(B)/libexpmkit.a $(HDRS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench -o $@ $< $(B)/libexpmkit.a $(LDLIBS)

$(B)/bench/gsl_bench: bench/peers/gsl_bench.c bench/peers/timing.h $(B)/libexpmkit.a | bench-deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libexpmkit.a -lgsl $(LDLIBS)

$(B)/bench/eigen_bench: bench/peers/eigen_bench.cpp bench/peers/timing.h $(B)/libexpmkit.a | bench-deps
	@mkdir -p $(dir $@)
	$(CXX) -O3 -DNDEBUG -march=native -Iinclude -I/usr/include/eigen3 -o $@ $< $(B)/libexpmkit.a $(LDLIBS)

bench: all $(B)/bench/mkmat $(B)/bench/peakmem $(B)/bench/blas_bound $(B)/bench/batch_bench $(B)/bench/gsl_bench $(B)/bench/eigen_bench
	@mkdir -p reports
	/usr/bin/python3 bench/run.py $(B) $(BENCH_MAXN)
	/usr/bin/python3 scripts/readme_splice.py README.md speed reports/speed.md "## Targets (issue 9), evaluated on this run"
