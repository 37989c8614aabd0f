"""The Mackey–Glass series: the chaotic benchmark of Chapter 11's echo state network, one or a batch at a time.

Mackey & Glass (1977) model a physiological control loop by the delay differential equation

    dx/dt = a x(t−τ) / (1 + x(t−τ)^n) − b x(t),    a = 0.2, b = 0.1, n = 10,          (eq-mackey-glass)

chaotic for τ = 17 ("mildly chaotic", Jaeger 2001: the attractor is chaotic for τ > 16.8) and periodic for small
τ. It is integrated on a grid of step h, x_i = x(i h), with the delayed value x(t−τ) = x_{i−L}, L = τ/h steps
back, read from the grid and *held* through the step (never interpolated). Two schemes:

- ``method="rk4"`` (default): one classical Runge–Kutta step with x_{i−L} held in all four stages. This is the
  common convention of reservoirpy's ``datasets.mackey_glass`` (``_mg_rk4``/``_mg_eq`` in v0.3.0–0.3.13, read
  in its source): h = 1, τ = 17, x0 = 1.2, the first value returned is x0 itself, history = the L values before
  it. (reservoirpy's own default history is random, x0 + 0.2·(U − 0.5); pass it as ``history`` to reproduce its
  series. Its September-2025 rewrite "Optimize Mackey-Glass" changed the k3 stage and no longer matches RK4.)
- ``method="euler"``: x_{i+1} = x_i + h (a x_{i−L}/(1 + x_{i−L}^n) − b x_i). Jaeger (2001) integrates this way
  with h = δ = 1/10 and keeps every 10th value (``subsample=10``): one sample per unit of time, like h = 1.

With the delayed value held, both are the linear recurrence x_{i+1} = m x_i + c P(x_{i−L}), P(x) = a x/(1 + x^n)
(the delayed production term): Euler has c = h, RK4 c = h (1 − bh/2 + (bh)²/6 − (bh)³/24) (its four stages,
summed), and m = 1 − bc. A block of L steps then depends only on values already known, so L steps at once are one
small matrix product: a batch of 32 series of 750 steps costs about a millisecond (``mackey_glass_batch``).

``squash`` is Jaeger's (2001) preprocessing x ↦ tanh(x − 1), which maps the series into the range of tanh.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_array, check_choice, check_int, check_positive, check_rng

METHODS = ("rk4", "euler")


def squash(x) -> np.ndarray:
    """tanh(x − 1), Jaeger's (2001) preprocessing of the Mackey–Glass series (x of any shape)."""
    return np.tanh(as_array("x", x) - 1.0)


def mackey_glass(n_steps: int, tau: float = 17, a: float = 0.2, b: float = 0.1, n: float = 10, h: float = 1.0,
                 x0: float = 1.2, history=None, subsample: int = 1, discard: int = 0,
                 method: str = "rk4") -> np.ndarray:
    """One Mackey–Glass series (eq-mackey-glass), x_0 = x0 first.

    Parameters
    ----------
    n_steps : int
        Number of values returned.
    tau, a, b, n : float
        Delay τ > 0 and the equation's constants (τ/h must be a whole number of steps L).
    h : float
        Integration step.
    x0 : float
        The value at t = 0, the first value returned when ``discard = 0``.
    history : array_like, optional
        The values x_{−L}, …, x_{−1} on the grid before x0, shape (≥ L,), positive; the last L are used (as in
        reservoirpy). Default: x0 held constant.
    subsample : int
        Keep every ``subsample``-th grid value (Jaeger 2001: h = 0.1, subsample = 10).
    discard : int
        Number of kept values dropped from the start (the transient).
    method : {"rk4", "euler"}
        The integration scheme (see the module docstring).

    Returns
    -------
    numpy.ndarray
        Shape (n_steps,): x at t = (discard + k) · subsample · h, k = 0 … n_steps − 1.
    """
    n_steps, L, m, c, a, n, subsample, discard = _check(n_steps, tau, a, b, n, h, subsample, discard, method)
    x0 = check_positive("x0", x0)
    if history is None:
        past = np.full((1, L), x0)
    else:
        past = as_array("history", history, ndim=1)
        if len(past) < L:
            raise ValueError(f"history must hold at least L = tau/h = {L} values; got {len(past)}")
        if np.any(past <= 0):
            raise ValueError("history must be positive (x^n of a negative x is not real for every n)")
        past = past[None, -L:]
    return _integrate(past, np.array([x0]), n_steps, L, m, c, a, n, subsample, discard)[0]


def mackey_glass_batch(n_series: int, n_steps: int, rng: np.random.Generator, tau: float = 17,
                       discard: int = 300, a: float = 0.2, b: float = 0.1, n: float = 10, h: float = 1.0,
                       x_range: tuple = (0.5, 1.3), subsample: int = 1, method: str = "rk4") -> np.ndarray:
    """``n_series`` independent Mackey–Glass series, each from its own random history.

    Each series draws x0 and its L = τ/h history values i.i.d. uniform on ``x_range`` from ``rng`` and is
    integrated exactly as ``mackey_glass`` does (the same numbers to rounding); the first ``discard`` kept values
    are dropped so that every series has reached the attractor, at a different place on it.

    Returns
    -------
    numpy.ndarray
        Shape (n_series, n_steps).
    """
    n_series = check_int("n_series", n_series, low=1)
    n_steps, L, m, c, a, n, subsample, discard = _check(n_steps, tau, a, b, n, h, subsample, discard, method)
    rng = check_rng(rng)
    if not (isinstance(x_range, tuple) and len(x_range) == 2):
        raise ValueError(f"x_range must be a pair (low, high) with 0 < low < high; got {x_range!r}")
    low, high = (check_positive(name, v) for name, v in zip(("x_range[0]", "x_range[1]"), x_range))
    if not low < high:
        raise ValueError(f"x_range must be a pair (low, high) with 0 < low < high; got {x_range!r}")
    start = rng.uniform(low, high, size=(n_series, L + 1))  # (N, L + 1): history, then x0
    return _integrate(start[:, :L], start[:, L], n_steps, L, m, c, a, n, subsample, discard)


def _check(n_steps, tau, a, b, n, h, subsample, discard, method) -> tuple:
    """Validate the shared arguments; return (n_steps, L, m, c, a, n, subsample, discard)."""
    n_steps = check_int("n_steps", n_steps, low=1)
    tau, a, b, n, h = (check_positive(k, v) for k, v in (("tau", tau), ("a", a), ("b", b), ("n", n), ("h", h)))
    L = round(tau / h)
    if L < 1 or abs(L - tau / h) > 1e-9 * max(1.0, tau / h):
        raise ValueError(f"tau/h must be a whole number of steps L ≥ 1 (the delayed value is read from the grid); "
                         f"got tau = {tau}, h = {h}, tau/h = {tau / h}")
    check_choice("method", method, METHODS)
    bh = b * h
    c = h * (1 - bh / 2 + bh ** 2 / 6 - bh ** 3 / 24) if method == "rk4" else h  # RK4's four stages, summed
    m = 1 - b * c
    if abs(m) >= 1:
        raise ValueError(f"h = {h} is too large a step for b = {b}: x_{{i+1}} = m x_i + … has "
                         f"|m| = {abs(m):.3g} ≥ 1")
    return (n_steps, L, m, c, a, n, check_int("subsample", subsample, low=1), check_int("discard", discard, low=0))


def _integrate(past: np.ndarray, x0: np.ndarray, n_steps, L, m, c, a, n, subsample, discard) -> np.ndarray:
    """x_{i+1} = m x_i + c P(x_{i−L}) for a batch: past (N, L), x0 (N,) -> kept values (N, n_steps).

    L steps at a time: x_{j+k} = m^k x_j + Σ_{i<k} c m^{k−1−i} P(x_{j−L+i}), k = 1 … L, with every P known.
    """
    N = len(x0)
    total = (discard + n_steps - 1) * subsample  # grid steps after x0
    x = np.empty((N, L + 1 + total))  # (N, L + 1 + total): history, x0, then the new values
    x[:, :L], x[:, L] = past, x0
    k = np.arange(L)
    powers = m ** (k + 1)  # (L,) m^k, k = 1 … L
    M = np.where(k[:, None] <= k[None, :], c * m ** np.maximum(k[None, :] - k[:, None], 0), 0.0)  # (L, L)
    j = L  # the last known index
    while j < L + total:
        size = min(L, L + total - j)
        delayed = x[:, j - L:j - L + size]  # (N, size) x_{j−L} … x_{j−L+size−1}
        P = a * delayed / (1 + delayed ** n)  # (N, size)
        x[:, j + 1:j + 1 + size] = x[:, j:j + 1] * powers[:size] + P @ M[:size, :size]
        j += size
    kept = x[:, L::subsample]  # (N, discard + n_steps)
    if not np.all(np.isfinite(kept)):
        raise ValueError("the series overflowed: the step h is too large for these constants")
    return kept[:, discard:]
