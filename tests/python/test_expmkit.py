"""pytest suite of the Python/PyTorch bindings (python/expmkit).

Run by `make test` (after the C tests) with EXPMKIT_LIB = the freshly built
libexpmkit.so and EXPMKIT = the matching CLI.

Accuracy criterion (as tests/test_pade.c): phi = err / (u max(kappa_exp, 1)),
err the relative Frobenius error against the certified MPFR reference and
kappa_exp the exact condition number (expmkit.cond). A forward-stable method
has phi = O(1); PHI_MAX = 100 is the bound tests/test_pade.c uses for the
library's default method, leaving room for the constants of the error bounds
(which grow like n). Two results that are each within PHI_MAX of the
reference agree to 2 PHI_MAX u max(kappa, 1) (triangle inequality): that is
the tolerance for agreement with scipy and PyTorch, on matrices where those
peers are forward stable (random, ||A|| <= 4, no hump) -- we check their
phi against the reference too, so a failure says who is off.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

import expmkit  # noqa: E402

U = 2.0 ** -53
PHI_MAX = 100.0


def rng(seed):
    return np.random.default_rng(seed)


def relerr(X, R):
    return np.linalg.norm(X - R) / np.linalg.norm(R)


def phi(X, R, kappa):
    return relerr(X, R) / (U * max(kappa, 1.0))


def randmat(seed, n, scale=1.0):
    """Random n x n with ||A||_F ~ scale (Gaussian entries / sqrt(n))."""
    return scale * rng(seed).standard_normal((n, n)) / np.sqrt(n)


# ---------------------------------------------------------------------------
# The C command-line tool, for bit-for-bit comparisons
# ---------------------------------------------------------------------------

def cli_path():
    p = os.environ.get("EXPMKIT")
    if not p and os.environ.get("EXPMKIT_LIB"):
        p = os.path.join(os.path.dirname(os.environ["EXPMKIT_LIB"]), "expmkit")
    if not p:
        p = os.path.join(ROOT, "build", "expmkit")
    return p if os.path.exists(p) else None


def write_mtx(path, A):
    A = np.asarray(A)
    with open(path, "w") as f:
        f.write("%%%%MatrixMarket matrix array real general\n%d %d\n" % A.shape)
        for v in A.flatten(order="F"):
            f.write("%.17g\n" % v)  # %.17g round-trips every double exactly


def parse_mtx(text):
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("%")]
    r, c = map(int, lines[0].split())
    vals = np.array([float(v) for v in lines[1:]])
    assert vals.size == r * c
    return vals.reshape((r, c), order="F")


def run_cli(*args, mats=()):
    cli = cli_path()
    if cli is None:
        pytest.skip("CLI build/expmkit not found (set EXPMKIT)")
    with tempfile.TemporaryDirectory() as d:
        files = []
        for i, M in enumerate(mats):
            p = os.path.join(d, "M%d.mtx" % i)
            write_mtx(p, M)
            files.append(p)
        out = subprocess.run([cli, *args, *files], capture_output=True, text=True,
                             env=dict(os.environ, OPENBLAS_NUM_THREADS="1"), check=True)
    return parse_mtx(out.stdout)


EXP_METHODS = list(expmkit.methods("expm"))
FRECHET_METHODS = list(expmkit.methods("frechet"))


def test_version_and_methods():
    assert expmkit.version() == "0.1.0" or expmkit.version().count(".") == 2
    m = expmkit.methods()
    assert "pade" in m and "expm" in m["pade"]["kinds"] and "frechet" in m["pade"]["kinds"]
    assert set(EXP_METHODS) <= set(m) and set(FRECHET_METHODS) <= set(m)
    assert all(m[k]["description"] for k in m)
    with pytest.raises(ValueError):
        expmkit.methods("nonsense")


# ---------------------------------------------------------------------------
# Bit for bit with the CLI
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", EXP_METHODS)
def test_cli_expm_bitwise(method):
    A = randmat(1, 6, 2.0)
    X_cli = run_cli("expm", "-m", method, mats=[A])
    for a in (A, np.asfortranarray(A)):  # C and Fortran order give the same bits
        X = expmkit.expm(a, method=method)
        assert np.array_equal(X, X_cli), method


@pytest.mark.parametrize("method", ["pade", "block", "eig", "taylor", "complex-step"])
def test_cli_frechet_adjoint_bitwise(method):
    A, E = randmat(2, 5, 2.0), randmat(3, 5)
    assert np.array_equal(expmkit.frechet(A, E, method=method),
                          run_cli("frechet", "-m", method, mats=[A, E]))
    assert np.array_equal(expmkit.adjoint(A, E, method=method),
                          run_cli("adjoint", "-m", method, mats=[A, E]))


def test_cli_zoh_and_ref_bitwise():
    A, B = randmat(4, 5, 3.0), rng(5).standard_normal((5, 2))
    Ab, Bb = expmkit.zoh(A, B, 0.25)
    Z = run_cli("zoh", "--dt", "0.25", mats=[A, B])
    assert np.array_equal(np.hstack([Ab, Bb]), Z)
    A = randmat(6, 4)
    assert np.array_equal(expmkit.reference(A), run_cli("ref", mats=[A]))


def test_layout_does_not_change_bits():
    """C order, Fortran order, a column block of a larger Fortran array
    (passed with ld > n, no copy) and a strided view: same bits."""
    A = randmat(7, 7, 3.0)
    big = np.asfortranarray(rng(8).standard_normal((11, 9)))
    big[2:9, 1:8] = A
    view = big[2:9, 1:8]
    assert view.strides[0] == 8 and view.strides[1] == 88  # ld = 11
    strided = np.zeros((14, 14))
    strided[::2, ::2] = A
    X = expmkit.expm(A)
    for a in (np.asfortranarray(A), view, strided[::2, ::2], A.tolist()):
        assert np.array_equal(expmkit.expm(a), X)
    E = randmat(9, 7)
    L = expmkit.frechet(A, E)
    assert np.array_equal(expmkit.frechet(view, np.asfortranarray(E)), L)
    # results are column-major arrays written by C
    assert X.flags.f_contiguous
    # integer input is converted exactly
    Ai = np.array([[1, 2], [3, 4]])
    assert np.array_equal(expmkit.expm(Ai), expmkit.expm(Ai.astype(float)))


# ---------------------------------------------------------------------------
# Accuracy: against the MPFR reference, scipy and PyTorch
# ---------------------------------------------------------------------------

CASES = [(n, s, seed) for seed, (n, s) in enumerate([(3, 0.5), (5, 1.0), (8, 2.0), (12, 4.0),
                                                     (16, 1.0)])]


@pytest.mark.parametrize("n,scale,seed", CASES)
def test_exp_vs_reference_scipy_torch(n, scale, seed):
    import scipy.linalg
    torch = pytest.importorskip("torch")  # noqa: F811
    A = randmat(100 + seed, n, scale)
    R = expmkit.reference(A)
    kappa = expmkit.cond(A)
    X = expmkit.expm(A)
    Xs = scipy.linalg.expm(A)
    Xt = torch.linalg.matrix_exp(torch.from_numpy(A)).numpy()
    assert phi(X, R, kappa) <= PHI_MAX
    assert phi(Xs, R, kappa) <= PHI_MAX  # the peers are forward stable here
    assert phi(Xt, R, kappa) <= PHI_MAX
    tol = 2 * PHI_MAX * U * max(kappa, 1.0)
    assert relerr(X, Xs) <= tol and relerr(X, Xt) <= tol


@pytest.mark.parametrize("n,scale,seed", CASES)
def test_frechet_adjoint_vs_reference_scipy(n, scale, seed):
    import scipy.linalg
    A, E = randmat(200 + seed, n, scale), randmat(300 + seed, n)
    kappa = expmkit.cond(A)
    # kappa_exp bounds the relative conditioning of exp; for L(A,E) we use the
    # same figure as in tests/test_pade.c (err of L relative to ||L||_F).
    R = expmkit.reference(A, E)
    L, X = expmkit.frechet(A, E, return_exp=True)
    assert phi(L, R, kappa) <= PHI_MAX
    assert np.array_equal(X, expmkit.expm(A, method="pade")) or \
        phi(X, expmkit.reference(A), kappa) <= PHI_MAX
    Xs, Ls = scipy.linalg.expm_frechet(A, E)
    assert phi(Ls, R, kappa) <= PHI_MAX
    assert relerr(L, Ls) <= 2 * PHI_MAX * U * max(kappa, 1.0)
    # adjoint: the reference adjoint is L(A^T, G)
    G = randmat(400 + seed, n)
    Ra = expmkit.reference(A.T, G)
    assert phi(expmkit.adjoint(A, G), Ra, kappa) <= PHI_MAX
    # <G, L(A,E)> = <L(A^T,G), E>: both sides to ~u ||G|| ||L|| ||E|| (Cauchy-Schwarz)
    lhs, rhs = np.sum(G * L), np.sum(expmkit.adjoint(A, G) * E)
    assert abs(lhs - rhs) <= 2 * PHI_MAX * U * max(kappa, 1.0) * \
        np.linalg.norm(G) * np.linalg.norm(R) * max(1.0, np.linalg.norm(E))


def test_zoh_and_vjp_vs_reference():
    """zoh = top blocks of the reference exp of [[dt A, dt B], [0, 0]], and
    zoh_vjp = dt K11, dt K12, <K11,A> + <K12,B> with the reference adjoint K."""
    n, m, dt = 6, 2, 0.3
    A, B = randmat(10, n, 2.0), rng(11).standard_normal((n, m))
    M = np.zeros((n + m, n + m))
    M[:n, :n], M[:n, n:] = dt * A, dt * B
    R = expmkit.reference(M)
    kappa = expmkit.cond(M)
    Ab, Bb = expmkit.zoh(A, B, dt)
    assert phi(np.hstack([Ab, Bb]), R[:n], kappa) <= PHI_MAX
    GAb, GBb = rng(12).standard_normal((n, n)), rng(13).standard_normal((n, m))
    Gfull = np.zeros((n + m, n + m))
    Gfull[:n, :n], Gfull[:n, n:] = GAb, GBb
    K = expmkit.reference(M.T, Gfull)
    GA, GB, Gdt = expmkit.zoh_vjp(A, B, dt, GAb, GBb)
    assert phi(GA, dt * K[:n, :n], kappa) <= PHI_MAX
    assert phi(GB, dt * K[:n, n:], kappa) <= PHI_MAX
    gdt = np.sum(K[:n, :n] * A) + np.sum(K[:n, n:] * B)
    assert abs(Gdt - gdt) <= 2 * PHI_MAX * U * max(kappa, 1.0) * np.linalg.norm(K) * \
        np.linalg.norm(M) / dt
    # None gradients are zeros
    GA0, GB0, _ = expmkit.zoh_vjp(A, B, dt, None, GBb)
    assert np.array_equal(GA0, expmkit.zoh_vjp(A, B, dt, np.zeros((n, n)), GBb)[0])


# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------

def test_batched_shapes():
    A = rng(20).standard_normal((2, 3, 4, 4))
    E = rng(21).standard_normal((4, 4))
    X = expmkit.expm(A)
    assert X.shape == (2, 3, 4, 4)
    Xt = expmkit.expm(A, method="taylor")
    L = expmkit.frechet(A, E)          # E broadcast over the batch
    G = expmkit.adjoint(A, E[None])
    for i in range(2):
        for j in range(3):
            # default method, n <= 8: expm_exp_batch's small-matrix path, documented
            # as "within a few ulps" of expm_exp: held to the accuracy criterion
            kappa = expmkit.cond(A[i, j])
            assert phi(X[i, j], expmkit.reference(A[i, j]), kappa) <= PHI_MAX
            assert relerr(X[i, j], expmkit.expm(A[i, j])) <= 2 * PHI_MAX * U * max(kappa, 1)
            # any other method (and n > 8, below): bit for bit as the unbatched call
            assert np.array_equal(Xt[i, j], expmkit.expm(A[i, j], method="taylor"))
            assert np.array_equal(L[i, j], expmkit.frechet(A[i, j], E))
            assert np.array_equal(G[i, j], expmkit.adjoint(A[i, j], E))
    A10 = rng(23).standard_normal((2, 10, 10)) / 3
    X10 = expmkit.expm(A10, threads=2)
    assert all(np.array_equal(X10[i], expmkit.expm(A10[i])) for i in range(2))
    assert np.array_equal(expmkit.expm(np.asfortranarray(A10[1])), X10[1])
    k = expmkit.cond(A[0])
    assert k.shape == (3,) and k[1] == expmkit.cond(A[0, 1])
    B = rng(22).standard_normal((3, 4, 2))
    dt = np.array([0.1, 0.2, 0.3])
    Ab, Bb = expmkit.zoh(A[1], B, dt)
    assert Ab.shape == (3, 4, 4) and Bb.shape == (3, 4, 2)
    assert np.array_equal(Ab[2], expmkit.zoh(A[1, 2], B[2], 0.3)[0])
    GA, GB, Gdt = expmkit.zoh_vjp(A[1], B, dt, np.ones((4, 4)), np.ones((4, 2)))
    assert GA.shape == (3, 4, 4) and GB.shape == (3, 4, 2) and Gdt.shape == (3,)
    assert Gdt[0] == expmkit.zoh_vjp(A[1, 0], B[0], 0.1, np.ones((4, 4)), np.ones((4, 2)))[2]
    # empty batch and 0x0 / 1x1 matrices
    assert expmkit.expm(np.zeros((0, 3, 3))).shape == (0, 3, 3)
    assert expmkit.expm(np.zeros((0, 0))).shape == (0, 0)
    assert expmkit.expm([[1.0]])[0, 0] == pytest.approx(np.e, rel=2 * U)


# ---------------------------------------------------------------------------
# Bad input -> exceptions with the library's message, never NaN arrays
# ---------------------------------------------------------------------------

def test_bad_input_raises():
    A = np.eye(3)
    with pytest.raises(ValueError, match="shape"):
        expmkit.expm(np.ones((2, 3)))
    with pytest.raises(ValueError, match="shape"):
        expmkit.expm(np.ones(3))
    with pytest.raises(ValueError, match="not finite"):  # the library's message
        expmkit.expm([[1.0, np.nan], [0.0, 1.0]])
    with pytest.raises(ValueError, match="not finite"):
        expmkit.frechet(A, np.full((3, 3), np.inf))
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        expmkit.expm(A, method="nope")
    with pytest.raises(ValueError, match="does not compute"):
        expmkit.expm(A, method="block")            # Frechet-only method
    with pytest.raises(ValueError):
        expmkit.frechet(A, A, method="taylor-sum")  # exp-only method
    with pytest.raises(TypeError):
        expmkit.expm(A, method=3)
    with pytest.raises(TypeError, match="complex"):
        expmkit.expm(A + 1j)
    with pytest.raises(TypeError):
        expmkit.expm(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError):
        expmkit.frechet(A, np.eye(4))
    with pytest.raises(ValueError):
        expmkit.zoh(A, np.ones((3, 1)), 0.0)        # dt must be > 0
    with pytest.raises(ValueError):
        expmkit.zoh(A, np.ones((3, 1)), np.nan)
    with pytest.raises(ValueError):
        expmkit.zoh(A, np.ones((2, 1)), 0.1)        # B has the wrong row count
    with pytest.raises(ValueError):
        expmkit.cond(A, mode="bogus")
    assert isinstance(pytest.raises(ValueError, expmkit.expm, [[np.nan]]).value, expmkit.Error)


def test_overflow_raises():
    A = np.diag([1000.0, 1.0])
    with pytest.raises(OverflowError) as e:
        expmkit.expm(A)
    assert e.value.status == expmkit.EXPM_EOVERFLOW and e.value.log10_norm > 308
    with pytest.raises(OverflowError):
        expmkit.frechet(A, np.ones((2, 2)))
    with pytest.raises(OverflowError, match="matrix 1"):
        expmkit.expm(np.stack([np.zeros((2, 2)), A]))  # one bad member fails the batch
    with pytest.raises(ValueError):
        expmkit.expm(np.stack([np.eye(3), np.full((3, 3), np.nan)]))
    # the largest representable case still works: exp(709) < DBL_MAX
    assert np.isfinite(expmkit.expm(np.diag([709.0, 0.0]))).all()


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------

def _torch():
    """torch and expmkit.torch, or skip (python3-torch not installed)."""
    return pytest.importorskip("torch"), pytest.importorskip("expmkit.torch")


def test_torch_matrix_exp_forward_and_backward():
    torch, etorch = _torch()
    A = torch.from_numpy(randmat(30, 6, 2.0)).requires_grad_()
    X = etorch.matrix_exp(A)
    assert np.array_equal(X.detach().numpy(), expmkit.expm(A.detach().numpy()))
    G = torch.from_numpy(rng(31).standard_normal((6, 6)))
    (X * G).sum().backward()
    assert np.array_equal(A.grad.numpy(), expmkit.adjoint(A.detach().numpy(), G.numpy()))
    # torch's own backward agrees within the accuracy bound (both vs reference)
    A2 = A.detach().clone().requires_grad_()
    (torch.linalg.matrix_exp(A2) * G).sum().backward()
    a = A.detach().numpy()
    R = expmkit.reference(a.T, G.numpy())
    kappa = expmkit.cond(a)
    assert phi(A.grad.numpy(), R, kappa) <= PHI_MAX
    assert phi(A2.grad.numpy(), R, kappa) <= PHI_MAX


def test_torch_gradcheck():
    torch, etorch = _torch()
    A = torch.from_numpy(rng(40).standard_normal((2, 4, 4)) / 2).requires_grad_()
    assert torch.autograd.gradcheck(etorch.matrix_exp, (A,))
    A1 = torch.from_numpy(randmat(41, 5, 2.0)).requires_grad_()
    assert torch.autograd.gradcheck(lambda a: etorch.matrix_exp(a, method="taylor"), (A1,))
    B = torch.from_numpy(rng(42).standard_normal((4, 2))).requires_grad_()
    dt = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(etorch.zoh, (A1[:4, :4].detach().requires_grad_(), B, dt))
    # broadcast batch: A (2,4,4), shared B and dt
    assert torch.autograd.gradcheck(etorch.zoh, (A, B, dt))


def test_torch_dtypes_and_errors():
    torch, etorch = _torch()
    A = torch.from_numpy(randmat(50, 4)).float()
    X = etorch.matrix_exp(A)
    assert X.dtype == torch.float32
    assert torch.allclose(X, torch.linalg.matrix_exp(A), rtol=1e-5, atol=1e-6)  # float32 u ~ 6e-8
    with pytest.raises(ValueError):
        etorch.matrix_exp(torch.ones(2, 3, dtype=torch.float64))
    with pytest.raises(OverflowError):
        etorch.matrix_exp(torch.diag(torch.tensor([1000.0, 0.0], dtype=torch.float64)))
    with pytest.raises(TypeError):
        etorch.matrix_exp(torch.eye(2, dtype=torch.complex128))


def test_empty_method_name_is_refused():
    # as the CLI's `-m ''` (exit 2); it ran the default (an outside audit)
    A = np.array([[1.0, 2.0], [0.0, 3.0]])
    with pytest.raises(expmkit.UnknownMethodError):
        expmkit.expm(A, method="")
    with pytest.raises(expmkit.UnknownMethodError):
        expmkit.frechet(A, A, method="")
