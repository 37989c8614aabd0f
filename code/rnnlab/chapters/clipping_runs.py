"""Chapter 5: real gradients of a small tanh RNN, training runs with and without clipping, spike detection.

The network (``explosive_model``) is a ``RecurrentClassifier`` (tanh, H = 16) whose initial W_hh is torch's
default multiplied by ``gain`` (3 by default: σ_max(W_hh) well above 1/γ = 1, the regime of Chapter 4 where
exploding is possible). It is trained with plain SGD on the adding problem (``rnnlab.tasks.adding``, T = 30).
A run **diverged** when its training loss ever became non-finite or exceeded ``SPIKE`` times its first value.
"""
from __future__ import annotations

import numpy as np
import torch

from .. import models, tasks, train
from .._validate import as_array, check_float, check_int, check_positive

H, T_RUN, STEPS, LR, GAIN = 16, 30, 150, 0.1, 3.0
SPIKE = 10.0  # a loss above SPIKE × the first loss counts as divergence


def explosive_model(seed: int, gain: float = GAIN, dtype: torch.dtype = torch.float32):
    """A tanh RecurrentClassifier for the adding problem (D = 2, one output) with W_hh scaled by ``gain``."""
    seed = check_int("seed", seed, low=0)
    gain = check_float("gain", gain, low=0.0, high=100.0)
    model = models.RecurrentClassifier(2, H, 1, seed=seed, dtype=dtype)
    with torch.no_grad():
        model.cell.weight_hh.mul_(gain)
    return model


def batch_gradients(seed: int, n: int = 32) -> tuple[torch.nn.Module, list[np.ndarray]]:
    """float64 model of ``seed`` and its gradient on one adding batch (n sequences): (model, [∂L/∂θ_i])."""
    n = check_int("n", n, low=1)
    model = explosive_model(seed, dtype=torch.float64)
    batch = tasks.adding(n, T_RUN, np.random.default_rng(check_int("seed", seed, low=0)))
    loss = models.loss_function("mse")(model(batch.x), batch.y)
    loss.backward()
    return model, [p.grad.detach().numpy().copy() for p in model.parameters()]


def run(seed: int, clip: float | None, steps: int = STEPS, lr: float = LR) -> train.History:
    """Train ``explosive_model(seed)`` with SGD on the adding problem; ``clip`` = None or a threshold."""
    config = train.TrainConfig(steps=check_int("steps", steps, low=1), lr=check_positive("lr", lr),
                               optimizer="sgd", clip=clip, seed=check_int("seed", seed, low=0), progress=False)
    return train.train(explosive_model(seed), tasks.adding, config, T=T_RUN, loss="mse")


def peak_ratio(history: train.History) -> float:
    """max loss / first loss over the run (inf if a loss or gradient was non-finite)."""
    if not isinstance(history, train.History) or not history.loss:
        raise ValueError(f"history must be a non-empty train.History; got {history!r}")
    loss = np.array(history.loss)
    if history.diverged_at is not None or not np.all(np.isfinite(loss)):
        return float("inf")
    return float(loss.max() / loss[0])


def diverged(history: train.History, factor: float = SPIKE) -> bool:
    """True if the run's loss became non-finite or rose above ``factor`` × its first value."""
    return peak_ratio(history) > check_positive("factor", factor)


def first_spike(values, factor: float = SPIKE, warmup: int = 5) -> int | None:
    """Index of the first value above ``factor`` × the median of all values before it, or None.

    The first ``warmup`` values only fill the median. Works on a log of gradient norms or losses: the
    detector a training loop can run at every step (a non-finite value counts as a spike).
    """
    v = as_array("values", values, ndim=1, finite=False)
    factor, warmup = check_positive("factor", factor), check_int("warmup", warmup, low=1)
    for i in range(warmup, len(v)):
        if not np.isfinite(v[i]) or v[i] > factor * np.median(v[:i]):
            return i
    return None
