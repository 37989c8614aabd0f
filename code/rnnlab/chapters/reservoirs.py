"""Chapter 11: reservoirs and online rules — the numbers behind its claims, and its explorer's.

- ``echo_runs``: the echo state property on one random reservoir (H = 100): two runs from different starts under
  one input, with σ_max(W_hh) = 0.95 (Jaeger's sufficient condition) and with ρ(W_hh) = 0.95 (the practical rule),
  and two runs from h_0 and −h_0 with zero input at ρ = 0.9 and ρ = 1.2.
- ``mackey_glass_split`` and ``esn_scores``: Jaeger's (2001) Mackey–Glass protocol (``rnnlab.esn``) under both
  ways of integrating the series (``CONVENTIONS``), scored by NRMSE_84.
- ``memory_curves``: MC_k over k = 1 … 200 for a few spectral radii (``reservoir.memory_capacity``).
- ``bpdc_errors``: BPDC's online one-step error over time, beside persistence and an offline ridge readout.
- ``liquid_readout``: the LIF liquid of ``rnnlab.lsm`` and how well a readout of its traces recalls recent inputs.
- ``explore``: what the explorer draws — states from two starts, their distance, a 10-step-ahead prediction.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .. import bpdc, esn, lsm, plotting, reservoir, series
from .._validate import check_choice, check_float, check_int

H_ECHO = 100  # reservoir size of the echo-state demonstrations and the explorer
# How the Mackey–Glass series is integrated (``series.mackey_glass``): reservoirpy's convention and Jaeger's (2001)
CONVENTIONS = {"RK4, step 1": {},
               "Euler, step 1/10, every 10th": {"h": 0.1, "subsample": 10, "method": "euler"}}
MG_DISCARD, MG_TRAIN, MG_TEST = 1000, 3000, 2000  # transient dropped, teacher-forced steps, held-out values
RADII = (0.5, 0.9, 0.99, 1.2)  # the spectral radii of the memory curves
LAGS = np.arange(1, 201)  # the lags k of MC_k
AHEAD = 10  # the explorer predicts x_{t+10} from [1; x_t; h_t]
WASHOUT, TRAIN, TEST = 200, 800, 300  # the explorer's steps: washout, readout fit, test


class EchoRuns(NamedTuple):
    """What ``echo_runs`` returns: distances between two runs, relative to where they started."""
    sigma_max: float  # σ_max(W_hh) of the reservoir at ρ(W_hh) = 0.95
    contracting: dict  # leak -> d_t / d_0 (T,) at σ_max(W_hh) = 0.95, driven by one input
    practical: np.ndarray  # d_t / d_0 (T,) at ρ(W_hh) = 0.95 (σ_max > 1), leak 1, the same input
    zero_input: dict  # ρ -> d_t / d_0 (T_zero,) from h_0 and −h_0 with no input and no bias, leak 1


def contraction_factor(leak: float, sigma_max: float) -> float:
    """(1 − ℓ) + ℓ σ_max: the leaky update's Lipschitz constant in h (Theorem thm-esp)."""
    leak = check_float("leak", leak, low=0.0, high=1.0)
    return (1 - leak) + leak * check_float("sigma_max", sigma_max, low=0.0)


def steps_to_vanish(ratio) -> int:
    """The first step t (counting from 1) with ratio_t < ``plotting.VANISHED_BELOW``; 0 if none."""
    below = np.flatnonzero(np.asarray(ratio) < plotting.VANISHED_BELOW)
    return int(below[0]) + 1 if below.size else 0


def echo_runs(seed: int, T: int = 200, T_zero: int = 500) -> EchoRuns:
    """One reservoir (``seed``), input x_t ~ U[−1, 1] through W_xh on ±1, starts h_0, h'_0 ~ U[−1, 1]^H."""
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    W = reservoir.reservoir_matrix(H_ECHO, 1.0, rng=rng)  # (H, H) ρ = 1; rescaled below
    W_xh = reservoir.input_matrix(H_ECHO, 1, 1.0, rng=rng)  # (H, 2)
    x = rng.uniform(-1.0, 1.0, (check_int("T", T, low=1), 1))  # (T, 1)
    h0, h0_other = rng.uniform(-1.0, 1.0, (2, H_ECHO))
    d0 = np.linalg.norm(h0 - h0_other)
    W_sigma = W * (0.95 / np.linalg.norm(W, 2))  # σ_max = 0.95
    contracting = {leak: reservoir.echo_state_distance(W_sigma, W_xh, x, leak, h0, h0_other) / d0
                   for leak in (1.0, 0.3)}
    practical = reservoir.echo_state_distance(0.95 * W, W_xh, x, 1.0, h0, h0_other) / d0
    zero = {rho: reservoir.zero_input_distance(rho * W, 0.1 * h0, -0.1 * h0, T_zero) / (0.2 * np.linalg.norm(h0))
            for rho in (0.9, 1.2)}
    return EchoRuns(float(np.linalg.norm(0.95 * W, 2)), contracting, practical, zero)


def mackey_glass_split(convention: str) -> tuple[np.ndarray, np.ndarray]:
    """The squashed series tanh(x − 1): MG_TRAIN values to train on, then MG_TEST held-out values."""
    kwargs = CONVENTIONS[check_choice("convention", convention, CONVENTIONS)]
    x = series.squash(series.mackey_glass(MG_TRAIN + MG_TEST, discard=MG_DISCARD, **kwargs))
    return x[:MG_TRAIN], x[MG_TRAIN:]


def esn_scores(seed: int, H: int = 400) -> dict:
    """convention -> (NRMSE_84 over 50 primed runs, the trained ``esn.Generator``), one reservoir per seed."""
    check_int("seed", seed, low=0)
    out = {}
    for convention in CONVENTIONS:
        train, test = mackey_glass_split(convention)
        gen = esn.fit_generator(train, H, rng=np.random.default_rng(seed))
        out[convention] = (esn.prediction_nrmse(gen, test), gen)
    return out


def memory_reach(memory: reservoir.MemoryCapacity, level: float = 0.5) -> int:
    """The largest lag k with MC_k > ``level`` (0 if none): how far back a readout still recalls well."""
    above = memory.lags[memory.mc > check_float("level", level, low=0.0, high=1.0)]
    return int(above.max()) if above.size else 0


def memory_curves(seed: int, radii=RADII, H: int = 100) -> dict:
    """radius -> ``reservoir.MemoryCapacity`` over LAGS (leak 1, input x_t ~ U[−1, 1], input scale 0.1)."""
    check_int("seed", seed, low=0)
    return {r: reservoir.memory_capacity(r, 1.0, H, LAGS, np.random.default_rng(seed)) for r in radii}


class BPDCErrors(NamedTuple):
    """What ``bpdc_errors`` returns: one-step NRMSEs (normalised by the series' standard deviation)."""
    window: int  # steps per window
    online: np.ndarray  # (n_windows,) BPDC's a-priori error in consecutive windows
    persistence: float  # predicting x_{k+1} = x_k, on the last window
    ridge: float  # a ridge readout of the same size, fitted offline on all steps before the last window
    adapted: int  # how many weights BPDC adapts: the output unit's incoming ones


def bpdc_errors(seed: int, n_steps: int = 6000, window: int = 500, H: int = 100) -> BPDCErrors:
    """BPDC (``bpdc.run_bpdc``) learning Mackey–Glass (RK4, step 1, squashed) one step ahead from w_o = 0."""
    check_int("seed", seed, low=0)
    n_steps, window = check_int("n_steps", n_steps, low=4), check_int("window", window, low=1)
    if n_steps % window or n_steps // window < 2:
        raise ValueError(f"n_steps must be a multiple of window, at least two windows; got {n_steps}, {window}")
    x = series.squash(series.mackey_glass(n_steps + 1, discard=500))
    sd = x.std()
    run = bpdc.run_bpdc(x, H, rng=np.random.default_rng(seed))
    online = np.sqrt(np.mean(run.error.reshape(-1, window) ** 2, axis=1)) / sd
    last = slice(n_steps - window, n_steps)  # predictions of x_{k+1}, k in the last window
    persistence = np.sqrt(np.mean((x[1:] - x[:-1])[last] ** 2)) / sd
    gen = esn.fit_generator(x[:last.start + 1], H, rng=np.random.default_rng(seed))
    h = reservoir.run_reservoir(gen.W_hh, gen.W_xh, x[:-1, None], gen.leak)  # (n_steps, H)
    guess = gen.W_out @ np.vstack([np.ones(n_steps), x[:-1], h.T])  # (1, n_steps) one step ahead
    ridge = np.sqrt(np.mean((guess[0] - x[1:])[last] ** 2)) / sd
    return BPDCErrors(window, online, float(persistence), float(ridge), len(run.w_o))


class LiquidReadout(NamedTuple):
    """What ``liquid_readout`` returns."""
    spikes: np.ndarray  # (5 n_values, H) the liquid's spikes
    r2: np.ndarray  # (n_back,) squared correlation of the readout with the value held j values back, j = 0, 1, …
    rate: float  # fraction of (unit, step) pairs with a spike


def liquid_readout(seed: int, H: int = 100, n_values: int = 1200, n_back: int = 4) -> LiquidReadout:
    """Values u ~ U[0, 1], each held for 5 steps, drive ``lsm``'s LIF liquid; for j = 0 … n_back − 1 a ridge
    readout of the traces at each value's last step is fitted to the value j back (first 800) and tested."""
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    W_hh = lsm.liquid_matrix(check_int("H", H, low=1), rng=rng)
    W_xh = np.column_stack([rng.uniform(0.8, 1.2, H), rng.uniform(0.0, 1.5, H)])  # (H, 2) bias, input
    values = rng.uniform(0.0, 1.0, check_int("n_values", n_values, low=900))
    liquid = lsm.run_liquid(W_hh, W_xh, np.repeat(values, 5)[:, None])
    Z = np.vstack([np.ones(n_values), liquid.traces[4::5].T])  # (1 + H, n_values)
    r2 = []
    for j in range(check_int("n_back", n_back, low=1)):
        cols = np.arange(j + 10, n_values)  # value i, target values[i − j]
        train, test = cols[cols < 800], cols[cols >= 800]
        W_out = reservoir.ridge(Z[:, train], values[None, train - j], 0.1)
        r2.append(np.corrcoef(W_out[0] @ Z[:, test], values[test - j])[0, 1] ** 2)
    return LiquidReadout(liquid.spikes, np.array(r2), float(liquid.spikes.mean()))


@lru_cache(maxsize=1)
def _explorer_parts() -> tuple:
    """The explorer's fixed sample (seed 0): W_hh at ρ = 1, W_xh at scale 1, the second start, the series."""
    rng = np.random.default_rng(0)
    W = reservoir.reservoir_matrix(H_ECHO, 1.0, rng=rng)
    W_xh = reservoir.input_matrix(H_ECHO, 1, 1.0, rng=rng)
    h0 = np.stack([np.zeros(H_ECHO), rng.uniform(-1.0, 1.0, H_ECHO)])  # (2, H) the two starts
    x = series.squash(series.mackey_glass(WASHOUT + TRAIN + TEST + AHEAD, discard=MG_DISCARD))
    return W, W_xh, h0, x


def explore(radius: float = 0.9, leak: float = 1.0, input_scale: float = 0.2) -> dict:
    """The explorer's numbers for one reservoir (H = 100, seed 0) scaled to ``radius`` and ``input_scale``.

    Two runs, from h_0 = 0 and from a random start, are driven by Mackey–Glass (RK4, step 1, squashed); the first
    run's [1; x_t; h_t] trains a ridge readout (β_ridge = 1e-8) to predict x_{t+AHEAD} on TRAIN steps after the
    washout, tested on the next TEST. ``gain`` = d_t/d_0 at the end of the washout, classified by
    ``plotting.classify``: "vanished" means the reservoir forgot its start (echo states).
    """
    radius = check_float("radius", radius, low=0.0)
    leak = check_float("leak", leak, low=0.0, high=1.0)
    scale = check_float("input_scale", input_scale, low=0.0)
    W, W_xh, h0, x = _explorer_parts()
    T = len(x) - AHEAD
    xs = np.broadcast_to(x[:T, None], (2, T, 1))
    h = reservoir.run_reservoir(radius * W, scale * W_xh, xs, leak, h0)  # (2, T, H)
    distance = np.linalg.norm(h[0] - h[1], axis=1) / np.linalg.norm(h0[1])  # (T,) d_t / d_0
    Z = np.vstack([np.ones(T), x[:T], h[0].T])  # (2 + H, T)
    fit, test = slice(WASHOUT, WASHOUT + TRAIN), slice(WASHOUT + TRAIN, T)
    target = x[AHEAD:]  # (T,) x_{t + AHEAD}
    W_out = reservoir.ridge(Z[:, fit], target[None, fit], 1e-8)
    guess = W_out[0] @ Z[:, test]
    gain = float(distance[WASHOUT - 1])
    return {"states": h[:, :WASHOUT, :4], "distance": distance, "t_test": np.arange(T)[test],
            "target": target[test], "guess": guess, "nrmse": reservoir.nrmse(target[test], guess),
            "gain": gain, "status": plotting.classify(gain)}
