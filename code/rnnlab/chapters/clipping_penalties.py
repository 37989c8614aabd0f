"""Chapter 5, §5.7: what an L2 penalty does to the spectrum of W_hh, and what Pascanu et al.'s Ω does to the
per-step ratios r_k = ‖∂L/∂h_{k+1} J_{k+1}‖ / ‖∂L/∂h_{k+1}‖ (``rnnlab.regularizers``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import regularizers, rnn, spectral, tasks, train
from .._validate import check_float, check_int, check_positive
from . import clipping_runs
from .bptt_explorer import contribution_network


def decayed_spectrum(seed: int, weight_decay: float, steps: int = clipping_runs.STEPS) -> tuple[float, float]:
    """(σ_max(W_hh), ρ(W_hh)) after training the adding network at gain 1, clipped at 1, with this L2 penalty."""
    weight_decay = check_float("weight_decay", weight_decay, low=0.0)
    model = clipping_runs.explosive_model(seed, gain=1.0)
    config = train.TrainConfig(steps=check_int("steps", steps, low=1), lr=clipping_runs.LR, optimizer="sgd",
                               clip=1.0, seed=seed, weight_decay=weight_decay, progress=False)
    train.train(model, tasks.adding, config, T=clipping_runs.T_RUN, loss="mse")
    W = model.cell.weight_hh.detach().double().numpy()  # (H, H)
    return spectral.max_singular_value(W), spectral.spectral_radius(W)


@dataclass(frozen=True)
class OmegaRun:
    """Gradient descent on Ω alone (immediate derivative), for Chapter 2's network."""
    ratios: np.ndarray  # (steps + 1, T) r_k along the sequence, before each update and after the last
    omega: np.ndarray   # (steps + 1,) Ω at those points
    gain: np.ndarray    # (steps + 1,) ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖, the whole sequence's gain


def _backward(cache: rnn.Cache, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """v_k = ∂L/∂h_k for k = 1..T (T, H) when only ∂L/∂h_T = g, and φ'(a_k) (T, H)."""
    dphi = cache.activation.df(cache.a[0])  # (T, H)
    T = dphi.shape[0]
    v = np.empty_like(dphi)
    v[-1] = g
    for k in range(T - 1, 0, -1):  # v_{k} = (v_{k+1} ⊙ φ'(a_{k+1})) W_hh, row form
        v[k - 1] = (v[k] * dphi[k]) @ cache.W_hh
    return v, dphi


def omega_descent(scale: float = 0.5, T: int = 30, steps: int = 40, lr: float = 0.05, seed: int = 0) -> OmegaRun:
    """Minimise Ω over W_hh (its immediate derivative, states recomputed after every update).

    Starts from :func:`bptt_explorer.contribution_network` (W_hh = scale · Q, tanh, H = 32, one sequence).
    The ratio r_k pairs v_k with φ'(a_k): ‖(v_k ⊙ φ'(a_k)) W_hh‖ / ‖v_k‖ for k = 1..T.
    """
    scale = check_float("scale", scale, low=0.0, high=10.0)
    lr, steps = check_positive("lr", lr), check_int("steps", steps, low=1, high=10_000)
    cache, g = contribution_network(scale, T, seed=seed)
    W_hh = cache.W_hh.copy()  # (H, H)
    ratios, omegas, gains = [], [], []
    for i in range(steps + 1):
        _, cache = rnn.rnn_forward(cache.x, cache.h0, cache.W_xh, W_hh, np.zeros(W_hh.shape[0]))
        v, dphi = _backward(cache, g[0])
        ratios.append(regularizers.jacobian_ratios(v, dphi, W_hh))
        omegas.append(regularizers.omega(v, dphi, W_hh))
        gains.append(np.linalg.norm(v[0]) / np.linalg.norm(v[-1]))
        if i < steps:
            W_hh = W_hh - lr * regularizers.omega_grad(v, dphi, W_hh)
    return OmegaRun(np.array(ratios), np.array(omegas), np.array(gains))


def decay_run(seed: int, weight_decay: float, clip: float | None = None, gain: float = clipping_runs.GAIN,
              steps: int = clipping_runs.STEPS) -> tuple[train.History, float]:
    """§5.4's run with an L2 penalty: ``explosive_model(seed, gain)``, SGD (lr 0.1) on the adding problem.

    Without clipping by default, so that it tests whether the penalty alone prevents the divergence.
    Returns the History and σ_max(W_hh) at the end (where training stopped if a loss or gradient overflowed).
    """
    weight_decay = check_float("weight_decay", weight_decay, low=0.0)
    model = clipping_runs.explosive_model(seed, gain=gain)
    config = train.TrainConfig(steps=check_int("steps", steps, low=1), lr=clipping_runs.LR, optimizer="sgd",
                               clip=clip, seed=seed, weight_decay=weight_decay, progress=False)
    history = train.train(model, tasks.adding, config, T=clipping_runs.T_RUN, loss="mse")
    W = model.cell.weight_hh.detach().double().numpy()  # (H, H)
    return history, spectral.max_singular_value(W)
