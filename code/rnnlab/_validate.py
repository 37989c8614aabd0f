"""Input checks shared by every public function, with messages a student understands.

Each helper raises ``ValueError`` naming the argument, what was expected and what was given, e.g.
``W_hh must have shape (H, H) = (3, 3); got (3, 4)``.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array, checking its number of dimensions and that it is finite."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers; got {type(value).__name__}") from err
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {arr.shape} ({arr.ndim} dimension(s))")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def check_shape(name: str, arr: np.ndarray, expected: tuple, symbols: str) -> None:
    """Check ``arr.shape == expected``; ``symbols`` spells the expected shape, e.g. ``"(H, H)"``."""
    if tuple(arr.shape) != tuple(expected):
        raise ValueError(f"{name} must have shape {symbols} = {tuple(expected)}; got {tuple(arr.shape)}")


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[low, high]`` and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    _check_range(name, value, low, high)
    return int(value)


def check_float(name: str, value, low: float | None = None, high: float | None = None) -> float:
    """Check that ``value`` is a finite real number in ``[low, high]`` and return it as ``float``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    _check_range(name, value, low, high)
    return float(value)


def check_choice(name: str, value, choices) -> str:
    """Check that ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}; got {value!r}")
    return value


def check_square(name: str, W) -> np.ndarray:
    """``W`` as a float64 (H, H) matrix, e.g. ``W_hh must be square (H, H); got (3, 4)``."""
    W = as_array(name, W, ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be square (H, H); got {W.shape}")
    return W


def check_rng(rng) -> np.random.Generator:
    """Check that ``rng`` is a NumPy random Generator (the book passes randomness explicitly)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, e.g. np.random.default_rng(0); got {type(rng).__name__}")
    return rng


def _check_range(name, value, low, high) -> None:
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}; got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}; got {value}")
