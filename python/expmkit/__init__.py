"""expmkit -- exp(A), its Frechet derivative and adjoint from Python.

A thin ctypes layer over the shared library libexpmkit.so (no compiled
extension; numpy is the only dependency):

    >>> import numpy as np, expmkit
    >>> A = np.array([[0.0, 1.0], [-1.0, 0.0]])
    >>> X = expmkit.expm(A)                       # rotation by 1 rad
    >>> G = expmkit.adjoint(A, np.ones((2, 2)))   # d sum(exp(A)) / dA = L(A^T, ones)

Conventions
-----------
* Inputs are real float64 array-likes of shape (..., n, n) (matrices) or
  (..., n, m) (ZOH input matrices). Integer, bool and float32 inputs are
  converted to float64 (exact); complex, object or string arrays raise
  TypeError. Leading dimensions are a batch: the library is called once per
  matrix (a Python loop) and the results are stacked.
* Memory order. The library is column-major (LAPACK). A matrix whose last
  two axes are already column-major -- a Fortran-ordered 2-D array, or a
  column slice of one (any column stride, passed as the leading dimension)
  -- is passed to C as is, without a copy. Anything else (e.g. a C-ordered
  array) is copied once into column-major order: an O(n^2) copy next to the
  O(n^3) computation. The transpose identities exp(A^T) = exp(A)^T and
  L(A^T, E^T) = L(A, E)^T would avoid that copy, but the library's rounding
  is not transpose-symmetric, so the result would then depend on the memory
  order of the input in the last bit. We prefer: the same matrix gives the
  same bits whatever its layout, and the bits of the C command-line tool.
* Results are new arrays whose last two axes are column-major (for 2-D
  results: Fortran-ordered arrays); they are written directly by C, never
  copied afterwards.
* Errors are exceptions carrying the library's message (never NaN arrays):
  ValueError for bad input (non-square, NaN/Inf entries, unknown method,
  method that does not compute that kind), OverflowError when the result is
  not representable in double, FloatingPointError/ArithmeticError for
  numerical failures, MemoryError, RuntimeError for a LAPACK argument error.
  All of them are also instances of expmkit.Error (attribute .status: the
  library's expm_status code).

Library lookup: $EXPMKIT_LIB, then libexpmkit.so* next to this file, then the
LIBDIR recorded by `make install` (_config.py), then build/libexpmkit.so of
the source tree this file lives in, then ctypes.util.find_library("expmkit").
"""

import ctypes
import ctypes.util
import math
import os

import numpy as np

__all__ = ["expm", "frechet", "adjoint", "zoh", "zoh_vjp", "cond", "reference",
           "methods", "version", "library_path", "Error"]

# ---------------------------------------------------------------------------
# Status codes (include/expmkit.h) and exceptions
# ---------------------------------------------------------------------------

EXPM_OK = 0
EXPM_EINVAL = 1
EXPM_ENOMEM = 2
EXPM_EOVERFLOW = 3
EXPM_ENONFINITE = 4
EXPM_ENOMETHOD = 5
EXPM_EUNSUPPORTED = 6
EXPM_ESINGULAR = 7
EXPM_ENOCONV = 8
EXPM_ELAPACK = 9

EXPM_KIND_EXP = 0x1
EXPM_KIND_FRECHET = 0x2

EXPM_COND_AUTO = 0x0
EXPM_COND_EXACT = 0x1
EXPM_COND_ESTIMATE = 0x2

WARN_ILLCOND_V = 0x1
WARN_NOT_CONVERGED = 0x2
WARN_UNDERFLOW = 0x4
WARN_ILLCOND_LU = 0x8
WARN_SCHUR = 0x10
WARN_HUMP = 0x20
WARN_TRACE = 0x40
WARN_UNCERTAIN = 0x80
WARN_ILLCOND = 0x100
WARN_GRADED = 0x200


class Error(Exception):
    """Base class of every error raised by expmkit; .status is the library's
    expm_status code (0 for errors detected in Python before the call)."""

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


class InvalidInputError(Error, ValueError):
    """Bad input: shape, non-finite entry, bad dt or precision (EXPM_EINVAL)."""


class UnknownMethodError(Error, ValueError):
    """No method of that name (EXPM_ENOMETHOD), or it does not compute the
    requested kind (EXPM_EUNSUPPORTED)."""


class ExpmOverflowError(Error, OverflowError):
    """The result exceeds the range of double (EXPM_EOVERFLOW); .log10_norm
    is the library's estimate of log10 of its norm (NaN if unknown)."""

    log10_norm = float("nan")


class NonFiniteError(Error, FloatingPointError):
    """A NaN/Inf arose inside the computation (EXPM_ENONFINITE)."""


class SingularError(Error, ArithmeticError):
    """A linear system of the method is singular (EXPM_ESINGULAR)."""


class NoConvergenceError(Error, ArithmeticError):
    """An iteration did not converge / the reference could not certify (EXPM_ENOCONV)."""


class ExpmMemoryError(Error, MemoryError):
    """Memory allocation failed inside the library (EXPM_ENOMEM)."""


class LapackError(Error, RuntimeError):
    """LAPACK reported an argument error (EXPM_ELAPACK): a bug, please report."""


_EXC = {
    EXPM_EINVAL: InvalidInputError,
    EXPM_ENOMEM: ExpmMemoryError,
    EXPM_EOVERFLOW: ExpmOverflowError,
    EXPM_ENONFINITE: NonFiniteError,
    EXPM_ENOMETHOD: UnknownMethodError,
    EXPM_EUNSUPPORTED: UnknownMethodError,
    EXPM_ESINGULAR: SingularError,
    EXPM_ENOCONV: NoConvergenceError,
    EXPM_ELAPACK: LapackError,
}

# ---------------------------------------------------------------------------
# C structures
# ---------------------------------------------------------------------------


class _Info(ctypes.Structure):
    """expm_info_t."""
    _fields_ = [("s", ctypes.c_int), ("m", ctypes.c_int), ("products", ctypes.c_long),
                ("solves", ctypes.c_long), ("resolves", ctypes.c_long),
                ("warnings", ctypes.c_uint),
                ("cond", ctypes.c_double), ("log10_norm", ctypes.c_double),
                ("message", ctypes.c_char * 160)]


class _RefInfo(ctypes.Structure):
    """expm_ref_info_t."""
    _fields_ = [("precision", ctypes.c_long), ("attempts", ctypes.c_int),
                ("squarings", ctypes.c_int), ("terms", ctypes.c_int),
                ("tail_bound", ctypes.c_double), ("rel_diff", ctypes.c_double),
                ("log10_norm", ctypes.c_double), ("message", ctypes.c_char * 160)]


class _Method(ctypes.Structure):
    """expm_method_t (the function pointers are not used from Python)."""
    _fields_ = [("name", ctypes.c_char_p), ("kinds", ctypes.c_uint),
                ("description", ctypes.c_char_p), ("reference", ctypes.c_char_p),
                ("exp", ctypes.c_void_p), ("frechet", ctypes.c_void_p)]


def _info_dict(info):
    return {name: (getattr(info, name).decode("utf-8", "replace") if name == "message"
                   else getattr(info, name)) for name, _ in info._fields_}


# ---------------------------------------------------------------------------
# Loading the library
# ---------------------------------------------------------------------------

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("EXPMKIT_LIB")
    if env:
        yield env
        return  # an explicit choice: no silent fallback to another build
    for name in ("libexpmkit.so", "libexpmkit.so.0"):
        yield os.path.join(_HERE, name)
    try:
        from . import _config  # written by `make install`
        for name in ("libexpmkit.so.0", "libexpmkit.so"):
            yield os.path.join(_config.LIBDIR, name)
    except ImportError:
        pass
    yield os.path.join(os.path.dirname(os.path.dirname(_HERE)), "build", "libexpmkit.so")
    found = ctypes.util.find_library("expmkit")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (absent)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("expmkit: cannot load libexpmkit.so; set EXPMKIT_LIB. Tried: "
                      + "; ".join(tried))


_lib, _lib_path = _load()

_P = ctypes.c_void_p
_I = ctypes.c_int
_D = ctypes.c_double
_S = ctypes.c_char_p


def _proto(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_lib_version = _proto("expm_version", _S)
_strerror = _proto("expm_strerror", _S, _I)
_method_count = _proto("expm_method_count", _I)
_method_get = _proto("expm_method_get", ctypes.POINTER(_Method), _I)
_exp = _proto("expm_exp", _I, _S, _I, _P, _I, _P, _I, ctypes.POINTER(_Info))
_frechet = _proto("expm_frechet", _I, _S, _I, _P, _I, _P, _I, _P, _I, _P, _I,
                  ctypes.POINTER(_Info))
_adjoint = _proto("expm_adjoint", _I, _S, _I, _P, _I, _P, _I, _P, _I, ctypes.POINTER(_Info))
_zoh = _proto("expm_zoh", _I, _S, _I, _I, _D, _P, _I, _P, _I, _P, _I, _P, _I,
              ctypes.POINTER(_Info))
_zoh_vjp = _proto("expm_zoh_vjp", _I, _S, _I, _I, _D, _P, _I, _P, _I, _P, _I, _P, _I,
                  _P, _I, _P, _I, _P, ctypes.POINTER(_Info))
# expm_exp_batch (src/batch.c) is newer than the rest: optional.
_exp_batch = (_proto("expm_exp_batch", _I, _S, _I, _I, _P, _I, ctypes.c_long, _P, _I,
                     ctypes.c_long, _I, _P, ctypes.POINTER(_Info))
              if hasattr(_lib, "expm_exp_batch") else None)
_cond = _proto("expm_cond_exp", _I, _I, _P, _I, _P, ctypes.c_uint, ctypes.POINTER(_Info))
_ref_exp = _proto("expm_ref_exp", _I, _I, _P, _I, _P, _I, ctypes.c_long,
                  ctypes.POINTER(_RefInfo))
_ref_frechet = _proto("expm_ref_frechet", _I, _I, _P, _I, _P, _I, _P, _I, _P, _I,
                      ctypes.c_long, ctypes.POINTER(_RefInfo))

_INT_MAX = 2**31 - 1


def library_path():
    """The path of the libexpmkit shared library this module loaded."""
    return _lib_path


def version():
    """The version string of the loaded library (expm_version(), e.g. "0.1.0")."""
    return _lib_version().decode()


def methods(kind=None):
    """The registered methods as a dict name -> {"kinds", "description",
    "reference"}, in the library's order. kinds is a tuple of "expm" and/or
    "frechet". kind="expm" or "frechet" keeps only the methods computing it."""
    out = {}
    for i in range(_method_count()):
        m = _method_get(i).contents
        kinds = tuple(k for k, bit in (("expm", EXPM_KIND_EXP), ("frechet", EXPM_KIND_FRECHET))
                      if m.kinds & bit)
        if kind is not None and kind not in kinds:
            continue
        out[m.name.decode()] = {"kinds": kinds,
                                "description": (m.description or b"").decode(),
                                "reference": (m.reference or b"").decode()}
    if kind is not None and kind not in ("expm", "frechet"):
        raise ValueError("kind must be None, 'expm' or 'frechet', not %r" % (kind,))
    return out


# ---------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------

def _raise(status, what, message=b"", log10_norm=None):
    msg = message.decode("utf-8", "replace") if message else ""
    text = "%s: %s" % (what, _strerror(status).decode())
    if msg:
        text += ": " + msg
    exc = _EXC.get(status, Error)(text, status)
    if log10_norm is not None and status == EXPM_EOVERFLOW:
        exc.log10_norm = log10_norm
    raise exc


def _method_arg(method):
    if method is None:
        return None
    if not isinstance(method, str):
        raise TypeError("method must be a str or None, not %s" % type(method).__name__)
    if not method:
        # as the CLI's `-m ''`: an empty name is a slip, not the default (None is)
        raise UnknownMethodError("empty method name (None selects the default, pade)")
    return method.encode()


def _as_real(x, name):
    """x as a float64 ndarray (no copy when it already is one)."""
    a = np.asarray(x)
    if a.dtype == np.float64:
        return a
    if a.dtype.kind in "biuf":
        return a.astype(np.float64)
    if a.dtype.kind == "c":
        raise TypeError("%s: expmkit is real; complex input (dtype %s)" % (name, a.dtype))
    raise TypeError("%s: need real numbers, not dtype %s" % (name, a.dtype))


def _square(x, name):
    a = _as_real(x, name)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise InvalidInputError("%s must have shape (..., n, n), not %s" % (name, a.shape))
    if a.shape[-1] > _INT_MAX // max(1, a.shape[-1]):
        raise InvalidInputError("%s: n = %d too large" % (name, a.shape[-1]))
    return a


def _colmajor(a):
    """(array, ld) for the 2-D float64 array a such that array's memory holds a
    column-major with leading dimension ld: a itself when its rows are
    contiguous in memory (Fortran order or a column slice), else a copy."""
    r, c = a.shape
    s0, s1 = a.strides
    if r <= 1 or c <= 1:
        # a vector or empty: only the stride along the non-trivial axis matters
        if (r <= 1 or s0 == 8) and (c <= 1 or s1 == 8 * max(1, r)) and a.flags.aligned:
            return a, max(1, r)
    elif s0 == 8 and s1 % 8 == 0 and s1 // 8 >= r and a.flags.aligned:
        return a, s1 // 8
    return np.asfortranarray(a), max(1, r)


def _ptr(a):
    return a.ctypes.data if a.size else None


def _out(batch, r, c):
    """A new array of shape batch + (r, c) whose (r, c) slices are column-major,
    and a function giving the pointer of slice k."""
    buf = np.empty(tuple(batch) + (c, r), dtype=np.float64)
    return np.swapaxes(buf, -1, -2), buf


def _slices(shape):
    return np.ndindex(*shape) if shape else [()]


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------

def expm(A, method=None, return_info=False, threads=0):
    """exp(A), the matrix exponential, by `method` (None = "pade", the default
    of the library: Pade scaling and squaring with the fixes documented in
    include/expmkit.h; see methods() for the others).

    A: float64 array-like of shape (n, n) or (..., n, n) (batched).
    Returns an array of the same shape (column-major slices).
    A batch goes to C in one call, expm_exp_batch, spread over `threads`
    POSIX threads (0 = all online CPUs; the result does not depend on it).
    Each matrix is then computed bit for bit as the unbatched call computes
    it (for the default method with n <= 16 both run the library's
    allocation-free small-matrix path; see expm_exp_batch in
    include/expmkit.h).
    Without expm_exp_batch in the loaded library, a Python loop of expm_exp.
    With return_info=True returns (X, info), info the expm_info_t fields as a
    dict (s, m, products, solves, resolves, warnings, cond, log10_norm,
    message); for a batch: the largest s and m, total products, solves and
    resolves, OR of warnings.
    Raises ValueError (bad shape, NaN/Inf entry, unknown method),
    OverflowError (exp(A) not representable in double), TypeError (dtype);
    for a batch, the error of the first failing matrix ("matrix k: ...")."""
    A = _square(A, "A")
    n = A.shape[-1]
    meth = _method_arg(method)
    batch = A.shape[:-2]
    X, buf = _out(batch, n, n)
    info = _Info()
    count = int(np.prod(batch)) if batch else 1
    if batch and _exp_batch is not None and n > 0 and count > 0:
        if count > _INT_MAX:
            raise InvalidInputError("A: batch of %d matrices too large" % count)
        if not isinstance(threads, int) or threads < 0:
            raise ValueError("threads must be an int >= 0")
        # one contiguous stack of column-major slices (no copy when A already is one)
        a = np.ascontiguousarray(np.swapaxes(A, -1, -2)).reshape(count, n, n)
        st = _exp_batch(meth, n, count, _ptr(a), n, n * n, _ptr(buf), n, n * n, threads,
                        None, ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "expm", info.message, info.log10_norm)
        return (X, _info_dict(info)) if return_info else X
    for k in _slices(batch):
        a, lda = _colmajor(A[k])
        info = _Info()
        st = _exp(meth, n, _ptr(a), lda, _ptr(buf[k]), max(1, n), ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "expm", info.message, info.log10_norm)
    return (X, _info_dict(info)) if return_info else X


def frechet(A, E, method=None, return_exp=False):
    """L(A, E), the Frechet derivative of exp at A in direction E:
    exp(A + tE) = exp(A) + t L(A, E) + O(t^2).

    A, E: float64 array-likes of shape (..., n, n); their batch dimensions are
    broadcast. method: any method with "frechet" in methods()[name]["kinds"]
    (None = "pade", Al-Mohy & Higham 2009 Alg. 6.4). With return_exp=True
    returns (L, X), X = exp(A) as computed by the same method.
    Errors as expm()."""
    A = _square(A, "A")
    E = _square(E, "E")
    n = A.shape[-1]
    if E.shape[-1] != n:
        raise InvalidInputError("A is %dx%d but E is %dx%d" % (n, n, E.shape[-1], E.shape[-1]))
    batch = np.broadcast_shapes(A.shape[:-2], E.shape[:-2])
    A = np.broadcast_to(A, batch + (n, n))
    E = np.broadcast_to(E, batch + (n, n))
    meth = _method_arg(method)
    L, lbuf = _out(batch, n, n)
    X, xbuf = _out(batch, n, n) if return_exp else (None, None)
    for k in _slices(batch):
        a, lda = _colmajor(A[k])
        e, lde = _colmajor(E[k])
        info = _Info()
        st = _frechet(meth, n, _ptr(a), lda, _ptr(e), lde, _ptr(lbuf[k]), max(1, n),
                      _ptr(xbuf[k]) if return_exp else None, max(1, n), ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "frechet", info.message, info.log10_norm)
    return (L, X) if return_exp else L


def adjoint(A, G, method=None):
    """L(A^T, G), the adjoint of the Frechet derivative: the gradient of the
    scalar <G, exp(A)> = sum_ij G_ij exp(A)_ij with respect to A, i.e. the
    backward pass of X = exp(A) given G = dLoss/dX. Satisfies
    <G, L(A, E)> = <adjoint(A, G), E> for every E.

    A, G: float64 array-likes of shape (..., n, n) (batch dims broadcast).
    method: any Frechet method (None = "pade"). Errors as expm()."""
    A = _square(A, "A")
    G = _square(G, "G")
    n = A.shape[-1]
    if G.shape[-1] != n:
        raise InvalidInputError("A is %dx%d but G is %dx%d" % (n, n, G.shape[-1], G.shape[-1]))
    batch = np.broadcast_shapes(A.shape[:-2], G.shape[:-2])
    A = np.broadcast_to(A, batch + (n, n))
    G = np.broadcast_to(G, batch + (n, n))
    meth = _method_arg(method)
    L, lbuf = _out(batch, n, n)
    for k in _slices(batch):
        a, lda = _colmajor(A[k])
        g, ldg = _colmajor(G[k])
        info = _Info()
        st = _adjoint(meth, n, _ptr(a), lda, _ptr(g), ldg, _ptr(lbuf[k]), max(1, n),
                      ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "adjoint", info.message, info.log10_norm)
    return L


def _zoh_args(A, B, dt):
    A = _square(A, "A")
    B = _as_real(B, "B")
    n = A.shape[-1]
    if B.ndim < 2 or B.shape[-2] != n:
        raise InvalidInputError("B must have shape (..., %d, m), not %s" % (n, B.shape))
    dt = _as_real(dt, "dt")
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2], dt.shape)
    m = B.shape[-1]
    return (np.broadcast_to(A, batch + (n, n)), np.broadcast_to(B, batch + (n, m)),
            np.broadcast_to(dt, batch), batch, n, m)


def zoh(A, B, dt, method=None):
    """Zero-order-hold discretisation of dh/dt = A h + B x with step dt:
    Abar = exp(dt A), Bbar = int_0^dt exp(s A) ds B, computed as the top blocks
    of exp([[dt A, dt B], [0, 0]]) (Van Loan 1978; no inverse of A needed).

    A: (..., n, n), B: (..., n, m) (m may be 0), dt: finite > 0 scalar or array
    of the batch shape; batch dimensions broadcast. Returns (Abar, Bbar).
    method: any exp method (None = "pade"). Errors as expm() (ValueError for
    dt <= 0 or non-finite)."""
    A, B, dt, batch, n, m = _zoh_args(A, B, dt)
    meth = _method_arg(method)
    Ab, abuf = _out(batch, n, n)
    Bb, bbuf = _out(batch, n, m)
    for k in _slices(batch):
        a, lda = _colmajor(A[k])
        b, ldb = _colmajor(B[k])
        info = _Info()
        st = _zoh(meth, n, m, float(dt[k]), _ptr(a), lda, _ptr(b), ldb,
                  _ptr(abuf[k]), max(1, n), _ptr(bbuf[k]), max(1, n), ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "zoh", info.message, info.log10_norm)
    return Ab, Bb


def zoh_vjp(A, B, dt, G_Abar=None, G_Bbar=None, method=None):
    """Vector-Jacobian product of zoh(): given dLoss/dAbar (G_Abar, shape of
    A) and dLoss/dBbar (G_Bbar, shape of B) -- None means zero -- return
    (dLoss/dA, dLoss/dB, dLoss/ddt), the exact gradient through the
    exponential: with K = L(M^T, [[G_Abar, G_Bbar], [0, 0]]) at
    M = [[dt A, dt B], [0, 0]], dA = dt K11, dB = dt K12,
    ddt = <K11, A> + <K12, B> (expm_zoh_vjp). dLoss/ddt has the batch shape
    (a float for unbatched input). method: any Frechet method (None = "pade").
    Errors as expm()."""
    A, B, dt, batch, n, m = _zoh_args(A, B, dt)
    ga_in = None if G_Abar is None else np.broadcast_to(_square(G_Abar, "G_Abar"), batch + (n, n))
    gb_in = None
    if G_Bbar is not None:
        gb_in = _as_real(G_Bbar, "G_Bbar")
        if gb_in.ndim < 2 or gb_in.shape[-2:] != (n, m):
            raise InvalidInputError("G_Bbar must have shape (..., %d, %d), not %s"
                                    % (n, m, gb_in.shape))
        gb_in = np.broadcast_to(gb_in, batch + (n, m))
    meth = _method_arg(method)
    GA, gabuf = _out(batch, n, n)
    GB, gbbuf = _out(batch, n, m)
    Gdt = np.empty(batch, dtype=np.float64)
    zero_a = zero_b = None
    for k in _slices(batch):
        a, lda = _colmajor(A[k])
        b, ldb = _colmajor(B[k])
        if ga_in is None:
            if zero_a is None:
                zero_a = np.zeros((n, n), order="F")
            ga, ldga = zero_a, max(1, n)
        else:
            ga, ldga = _colmajor(ga_in[k])
        if gb_in is None:
            if zero_b is None:
                zero_b = np.zeros((n, m), order="F")
            gb, ldgb = zero_b, max(1, n)
        else:
            gb, ldgb = _colmajor(gb_in[k])
        gdt = ctypes.c_double(0.0)
        info = _Info()
        st = _zoh_vjp(meth, n, m, float(dt[k]), _ptr(a), lda, _ptr(b), ldb,
                      _ptr(ga), ldga, _ptr(gb), ldgb,
                      _ptr(gabuf[k]), max(1, n), _ptr(gbbuf[k]), max(1, n),
                      ctypes.byref(gdt), ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "zoh_vjp", info.message, info.log10_norm)
        Gdt[k] = gdt.value
    return GA, GB, (float(Gdt) if not batch else Gdt)


def cond(A, mode="auto"):
    """kappa_exp(A) = ||L(A)||_F ||A||_F / ||exp(A)||_F, the relative condition
    number of exp in the Frobenius norm (expm_cond_exp). mode: "auto" (exact
    Kronecker form for n <= 20, power-method estimate above), "exact" or
    "estimate" (a lower bound). A: (..., n, n); returns a float, or an array
    of the batch shape. Errors as expm()."""
    flags = {"auto": EXPM_COND_AUTO, "exact": EXPM_COND_EXACT,
             "estimate": EXPM_COND_ESTIMATE}.get(mode)
    if flags is None:
        raise ValueError("mode must be 'auto', 'exact' or 'estimate', not %r" % (mode,))
    A = _square(A, "A")
    n = A.shape[-1]
    out = np.empty(A.shape[:-2], dtype=np.float64)
    for k in _slices(A.shape[:-2]):
        a, lda = _colmajor(A[k])
        kappa = ctypes.c_double(0.0)
        info = _Info()
        st = _cond(n, _ptr(a), lda, ctypes.byref(kappa), flags, ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "cond", info.message, info.log10_norm)
        out[k] = kappa.value
    return float(out) if A.ndim == 2 else out


def reference(A, E=None, max_precision=0):
    """The certified MPFR reference, rounded to double: exp(A) when E is None,
    else L(A, E) (expm_ref_exp / expm_ref_frechet: evaluated at precision p
    and 2p, doubling until they agree to 2^-64 relative). Slow (MPFR): meant
    for measuring errors, not for production. The reference adjoint
    L(A^T, G) is reference(A.T, G).

    A, E: (..., n, n) (batch dims broadcast). max_precision: bits (0 = the
    library default, 65536). Raises OverflowError, ArithmeticError
    (NoConvergenceError: not certified within max_precision) as expm()."""
    A = _square(A, "A")
    n = A.shape[-1]
    if E is not None:
        E = _square(E, "E")
        if E.shape[-1] != n:
            raise InvalidInputError("A is %dx%d but E is %dx%d"
                                    % (n, n, E.shape[-1], E.shape[-1]))
        batch = np.broadcast_shapes(A.shape[:-2], E.shape[:-2])
        E = np.broadcast_to(E, batch + (n, n))
    else:
        batch = A.shape[:-2]
    A = np.broadcast_to(A, batch + (n, n))
    R, rbuf = _out(batch, n, n)
    for k in _slices(batch):
        a, lda = _colmajor(A[k])
        info = _RefInfo()
        if E is None:
            st = _ref_exp(n, _ptr(a), lda, _ptr(rbuf[k]), max(1, n), int(max_precision),
                          ctypes.byref(info))
        else:
            e, lde = _colmajor(E[k])
            st = _ref_frechet(n, _ptr(a), lda, _ptr(e), lde, _ptr(rbuf[k]), max(1, n),
                              None, max(1, n), int(max_precision), ctypes.byref(info))
        if st != EXPM_OK:
            _raise(st, "reference", info.message,
                   info.log10_norm if math.isfinite(info.log10_norm) else None)
    return R
