"""An echo state network that learns to *generate* a series: Jaeger's (2001) Mackey–Glass protocol, on a CPU.

Training is teacher forcing, one step ahead: the true series x_1, x_2, … drives the reservoir (eq-esn of
``reservoir``) and a ridge readout of [1; x_t; h_t] is fitted to the next value, the target y_t = x_{t+1}:

    ŷ_t = W_out [1; x_t; h_t] ≈ y_t = x_{t+1},    W_out by ridge regression over t > washout    (eq-esn-generator)

— no gradient through time. To predict, the network is primed with true values, then runs on its own: its output
becomes its next input, x_{t+1} ← ŷ_t. Jaeger's score is the error at one horizon (84 steps) over many runs,

    NRMSE_84 = √( Σ_runs (x_{n+84} − x̂_{n+84})² / (runs · σ²) ),    σ² the variance of the series,

here with every run primed on its own stretch of held-out series (``prediction_nrmse``). In the chapter:
``x = series.squash(series.mackey_glass(...))``, ``gen = esn.fit_generator(x[:3000], 400, rng=rng)``,
``esn.prediction_nrmse(gen, x_test)``.

Differences from Jaeger (2001) — whose 400-unit network reached NRMSE_84 ≈ 2.8e-4 from 3000 training steps —
are the book's choices, not his: the input-driven readout with the output fed back as the next input (Lukoševičius's
``minimalESN``, rather than his output-feedback weights), ridge regression instead of his plain linear
regression, his leaky units' effective radius approximated by ``leak`` and ``radius``, and no noise injection.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_int, check_positive
from .reservoir import input_matrix, nrmse, reservoir_matrix, ridge, run_reservoir


class Generator(NamedTuple):
    """A trained echo state generator (eq-esn-generator)."""
    W_hh: np.ndarray  # (H, H) the fixed reservoir
    W_xh: np.ndarray  # (H, 2) the fixed bias and input weights
    W_out: np.ndarray  # (1, 2 + H) the trained readout of [1; x_t; h_t]
    leak: float  # the leaking rate of (eq-esn)


def fit_generator(series, H: int = 400, *, rng: np.random.Generator, radius: float = 1.25, leak: float = 0.4,
                  input_scale: float = 1.0, density: float = 0.1, washout: int = 100,
                  beta: float = 1e-9) -> Generator:
    """Draw a reservoir and fit its readout to predict x_{t+1} from [1; x_t; h_t] by teacher forcing.

    Parameters
    ----------
    series : array_like
        The training series x_1 … x_T (T,), T > washout + 1.
    H : int
        Reservoir size.
    rng : numpy.random.Generator
        Draws W_hh (``reservoir.reservoir_matrix``) and W_xh (``reservoir.input_matrix``).
    radius, leak, input_scale, density : float
        The reservoir's spectral radius, leaking rate, input weight scale and connection density. The defaults
        are Lukoševičius's ``minimalESN`` values (ρ = 1.25, a = 0.3, W_in uniform on ±0.5, β = 1e-8).
    washout : int
        Initial states left out of the regression (they still remember h_0 = 0).
    beta : float
        Ridge parameter β of ``reservoir.ridge``.
    """
    s = as_array("series", series, ndim=1)
    washout = check_int("washout", washout, low=0)
    if len(s) < washout + 2:
        raise ValueError(f"series must be longer than washout + 1 = {washout + 1} steps; got {len(s)}")
    W_hh = reservoir_matrix(H, radius, density, rng=rng)
    W_xh = input_matrix(H, 1, input_scale, rng=rng)
    h = run_reservoir(W_hh, W_xh, s[:-1, None], leak)  # (T − 1, H) h_t driven by x_1 … x_{T−1}
    Z = _features(s[:-1], h)[:, washout:]  # (2 + H, T − 1 − washout)
    W_out = ridge(Z, s[None, washout + 1:], beta)  # (1, 2 + H)
    return Generator(W_hh, W_xh, W_out, float(leak))


def _features(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """z_t = [1; x_t; h_t] as columns: x (T,), h (T, H) -> (2 + H, T)."""
    return np.vstack([np.ones(len(x)), x, h.T])


def generate(gen: Generator, prime, n_steps: int) -> np.ndarray:
    """Prime on true values, then run free: the ``n_steps`` values predicted after the end of ``prime``.

    ``prime`` (T0,) or a batch (N, T0) drives the reservoir (teacher forcing); from then on each output
    ŷ_t = W_out [1; x_t; h_t] is the next input. Returns (n_steps,) or (N, n_steps).
    """
    if not isinstance(gen, Generator):
        raise ValueError(f"gen must be the Generator that fit_generator returns; got {type(gen).__name__}")
    prime = as_array("prime", prime)
    if prime.ndim not in (1, 2) or prime.shape[-1] < 1:
        raise ValueError(f"prime must have shape (T0,) or (N, T0) with T0 ≥ 1; got {prime.shape}")
    n_steps = check_int("n_steps", n_steps, low=1)
    p = prime if prime.ndim == 2 else prime[None]  # (N, T0)
    h = run_reservoir(gen.W_hh, gen.W_xh, p[:, :, None], gen.leak)[:, -1]  # (N, H) the state after the prime
    x = p[:, -1]  # (N,)
    out = np.empty((len(p), n_steps))
    w_bias, w_x, w_h = gen.W_out[0, 0], gen.W_out[0, 1], gen.W_out[0, 2:]
    for t in range(n_steps):
        x = w_bias + w_x * x + h @ w_h  # (N,) ŷ_t, fed back as the next input
        out[:, t] = x
        if t + 1 < n_steps:
            drive = gen.W_xh[:, 0] + x[:, None] * gen.W_xh[:, 1]  # (N, H)
            h = (1 - gen.leak) * h + gen.leak * np.tanh(drive + h @ gen.W_hh.T)  # (eq-esn)
    return out if prime.ndim == 2 else out[0]


def prediction_nrmse(gen: Generator, series, horizon: int = 84, n_runs: int = 50, prime: int = 500) -> float:
    """NRMSE at one horizon over ``n_runs`` runs, each primed on ``prime`` true values of its own stretch.

    Run r starts at offset r · span // (n_runs − 1), span = len(series) − prime − horizon, is primed on ``prime``
    values and predicts ``horizon`` more; only the last prediction is scored, normalised by the variance of
    ``series`` (Jaeger's σ², not the variance of the n_runs scored values).
    """
    s = as_array("series", series, ndim=1)
    horizon, n_runs, prime = (check_int(k, v, low=1) for k, v in
                              (("horizon", horizon), ("n_runs", n_runs), ("prime", prime)))
    span = len(s) - prime - horizon
    if span < n_runs - 1 or span < 0:
        raise ValueError(f"series must hold prime + horizon + n_runs − 1 = {prime + horizon + n_runs - 1} values "
                         f"for {n_runs} distinct runs; got {len(s)}")
    starts = np.arange(n_runs) * span // max(n_runs - 1, 1)  # (n_runs,)
    primes = s[starts[:, None] + np.arange(prime)]  # (n_runs, prime)
    predicted = generate(gen, primes, horizon)[:, -1]  # (n_runs,)
    truth = s[starts + prime + horizon - 1]  # (n_runs,)
    return nrmse(truth, predicted, variance=check_positive("the variance of series", float(np.var(s))))
