"""Input checks shared by every public function, with messages a student understands.

Each helper raises ``ValueError`` naming the argument, what was expected and what was given, e.g.
``W_hh must have shape (H, H) = (3, 3); got (3, 4)``. Values of the wrong kind are refused, never converted:
``np.asarray(..., dtype=float)`` alone would turn None into NaN, drop an imaginary part, read ``"1.5"`` as a
number and ``True`` as 1, and fail on a torch tensor that requires grad with torch's own message.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_array(name: str, value, ndim: int | None = None, *, finite: bool = True, dtype=np.float64) -> np.ndarray:
    """Return ``value`` as an array of ``dtype`` (float64; complex128 where complex numbers are meant).

    Checks its number of dimensions and, with ``finite=True``, that it holds no NaN or infinity. Refuses None,
    text, booleans, complex numbers (unless ``dtype`` is complex) and torch tensors that require grad.
    """
    if getattr(value, "requires_grad", False) is True:
        raise ValueError(f"{name} is a torch tensor that requires grad; pass {name}.detach() or a numpy array")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as err:  # e.g. rows of different lengths
        raise ValueError(f"{name} must be an array of numbers; got {type(value).__name__} "
                         "that is not a rectangular array") from err
    _check_kind(name, raw, np.dtype(dtype).kind == "c")
    try:
        arr = np.asarray(raw, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers; got {type(value).__name__}") from err
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape} ({arr.ndim} dimension(s))")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _check_kind(name: str, raw: np.ndarray, complex_ok: bool) -> None:
    """Refuse the array kinds that NumPy would silently turn into (wrong) real numbers."""
    items = list(raw.flat) if raw.dtype.kind == "O" else []  # an object array: look at each entry
    if any(v is None for v in items):
        raise ValueError(f"{name} must be an array of numbers; got None" + (" in it" if raw.ndim else ""))
    if raw.dtype.kind == "b" or any(isinstance(v, (bool, np.bool_)) for v in items):
        raise ValueError(f"{name} must be an array of numbers, not of booleans (True/False); got {_what(raw)}")
    is_complex = raw.dtype.kind == "c" or any(isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real)
                                             for v in items)
    if is_complex and not complex_ok:
        raise ValueError(f"{name} must hold real numbers, not complex ones; got {_what(raw)}. Pass {name}.real "
                         "if the imaginary part is meant to be dropped")
    if raw.dtype.kind not in "iufcO":  # text, bytes, dates, structured records
        raise ValueError(f"{name} must be an array of numbers; got {_what(raw)}")


def _what(raw: np.ndarray) -> str:
    return f"{raw.item()!r}" if raw.ndim == 0 else f"an array of dtype {raw.dtype} and shape {raw.shape}"


def check_shape(name: str, arr: np.ndarray, expected: tuple, symbols: str) -> None:
    """Check ``arr.shape == expected``; ``symbols`` spells the expected shape, e.g. ``"(H, H)"``."""
    if tuple(arr.shape) != tuple(expected):
        raise ValueError(f"{name} must have shape {symbols} = {tuple(expected)}; got {tuple(arr.shape)}")


def check_dims(arrays) -> dict:
    """Check numpy arrays whose axes are named by letters and return ``{letter: size}``.

    ``arrays`` lists ``(name, array, letters)``, e.g. ``[("cache.h", h, "NTH"), ("cache.W_hh", W, "HH")]``: each
    must be a numpy array with one axis per letter, and a letter has the same size wherever it appears.
    """
    sizes: dict = {}
    for name, arr, letters in arrays:
        symbols = "(" + ", ".join(letters) + ("," if len(letters) == 1 else "") + ")"
        if not isinstance(arr, np.ndarray) or arr.ndim != len(letters):
            got = arr.shape if isinstance(arr, np.ndarray) else type(arr).__name__
            raise ValueError(f"{name} must be a numpy array of shape {symbols}; got {got}")
        check_shape(name, arr, tuple(sizes.setdefault(k, n) for k, n in zip(letters, arr.shape)), symbols)
    return sizes


def _scalar(value):
    """A 0-d array stands for the number it holds."""
    return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[low, high]`` and return it as ``int``."""
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    _check_range(name, value, low, high)
    return int(value)


def check_float(name: str, value, low: float | None = None, high: float | None = None, *,
                finite: bool = True) -> float:
    """Check that ``value`` is a real number in ``[low, high]`` (finite unless ``finite=False``); return a float."""
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a {'finite' if finite else 'real'} number; got {value!r}")
    if finite and not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    _check_range(name, value, low, high)
    return float(value)


def check_positive(name: str, value) -> float:
    """Check that ``value`` is a finite number > 0 and return it as ``float``."""
    value = check_float(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be positive; got {value}")
    return value


def check_choice(name: str, value, choices) -> str:
    """Check that ``value`` is one of ``choices``."""
    try:
        known = value in choices
    except TypeError:  # unhashable, e.g. a list
        known = False
    if not known:
        raise ValueError(f"{name} must be one of {sorted(choices)}; got {value!r}")
    return value


def check_square(name: str, W) -> np.ndarray:
    """``W`` as a float64 (H, H) matrix, e.g. ``W_hh must be square (H, H); got (3, 4)``."""
    W = as_array(name, W, ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be square (H, H); got {W.shape}")
    if W.shape[0] == 0:
        raise ValueError(f"{name} must be square (H, H) with H ≥ 1; got an empty matrix {W.shape}")
    return W


def check_rng(rng) -> np.random.Generator:
    """Check that ``rng`` is a NumPy random Generator (the book passes randomness explicitly)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, e.g. np.random.default_rng(0); got {type(rng).__name__}")
    return rng


def check_bool(name: str, value) -> bool:
    """Check that ``value`` is True or False (not 0, 1 or a string)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return value


def check_callable(name: str, value, expected: str):
    """Check that ``value`` can be called; ``expected`` says how, e.g. ``"a function (n, T, rng) -> Batch"``."""
    if not callable(value):
        raise ValueError(f"{name} must be {expected}; got {value!r}")
    return value


def _check_range(name, value, low, high) -> None:
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}; got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}; got {value}")


def check_input_and_state(x_name: str, x, h_name: str, h) -> tuple:
    """Validate an input ``x`` (N, T, D) — or one step ``x_t`` (N, D) when ``x_name`` is not "x" — and a state
    ``h`` (N, H), as every recurrent cell takes them. Returns ``(x, h, N, H, D)``."""
    x = as_array(x_name, x)
    h = as_array(h_name, h, ndim=2)
    N, H = h.shape
    if N < 1 or H < 1:
        raise ValueError(f"{h_name} must have shape (N, H) with N ≥ 1 sequences and H ≥ 1 hidden units; "
                         f"got {h.shape}")
    ndim, sym = (3, "(N, T, D)") if x_name == "x" else (2, "(N, D)")
    if x.ndim != ndim or x.shape[0] != N:
        raise ValueError(f"{x_name} must have shape {sym} with N = {N} (from {h_name}); got {x.shape}")
    if ndim == 3 and x.shape[1] < 1:
        raise ValueError(f"x must have at least one time step (T ≥ 1); got shape {x.shape}")
    return x, h, N, H, x.shape[-1]


def check_arrays(specs) -> list:
    """``specs`` lists ``(name, value, shape, symbols)``; each value as a checked float64 array of that shape."""
    out = []
    for name, value, shape, symbols in specs:
        value = as_array(name, value)
        check_shape(name, value, shape, symbols)
        out.append(value)
    return out
