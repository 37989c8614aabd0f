"""Chapter 5: real gradients of a small tanh RNN, training runs with and without clipping, spike detection.

The network (``explosive_model``) is a ``RecurrentClassifier`` (tanh, H = 16) whose initial W_hh is torch's
default multiplied by ``gain`` (3 by default: σ_max(W_hh) well above 1/γ = 1, the regime of Chapter 4 where
exploding is possible). It is trained with plain SGD on the adding problem (``rnnlab.tasks.adding``, T = 30).
A run **diverged** when its training loss ever became non-finite or exceeded ``SPIKE`` times its first value.

What clipping cannot repair (§5.6): ``torch_clip_of`` shows what ``clip_grad_norm_`` does to a gradient with an
infinite or NaN entry; ``overflow_model`` is a ReLU RNN whose forward pass overflows float32 whatever the
threshold, and ``clipped_sgd_step`` takes one clipped SGD step on it the way a plain training loop would.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .. import init, models, tasks, train
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


def torch_clip_of(values, max_norm: float = 1.0, error_if_nonfinite: bool = False) -> tuple[float, list]:
    """``torch.nn.utils.clip_grad_norm_`` on one float64 parameter whose gradient is ``values``.

    Returns the norm it reports (before clipping) and the gradient after clipping, as Python floats.
    """
    values = as_array("values", values, ndim=1, finite=False)
    max_norm = check_positive("max_norm", max_norm)
    p = torch.zeros(len(values), dtype=torch.float64, requires_grad=True)  # (P,)
    p.grad = torch.tensor(values, dtype=torch.float64)
    norm = torch.nn.utils.clip_grad_norm_([p], max_norm, error_if_nonfinite=bool(error_if_nonfinite))
    return norm.item(), p.grad.tolist()


def overflow_model(gain: float = 2.0, seed: int = 0) -> models.RecurrentClassifier:
    """A float32 ReLU RNN for the adding problem (H = 8) with W_hh = gain · I and zero biases (an IRNN, scaled).

    With gain 2 a unit driven by positive input doubles its state at every step: it passes float32's largest
    number, about 3.4e38 ≈ 2^128, after about 128 steps, so a sequence of 150 overflows in the forward pass.
    """
    model = models.RecurrentClassifier(2, 8, 1, nonlinearity="relu", seed=check_int("seed", seed, low=0))
    return init.apply(model, "identity", gain=check_float("gain", gain, low=0.0))


def clipped_sgd_step(model, T: int = 150, clip: float = 1.0, lr: float = 0.01, seed: int = 0) -> dict:
    """One step of a plain loop on one adding batch of length T: loss, backward, ``clip_grad_norm_``, SGD.

    No check for NaN or infinity, as in a loop that trusts clipping. Returns the loss, the norm that
    ``clip_grad_norm_`` reported and whether every parameter is still finite after the step.
    """
    batch = tasks.adding(8, check_int("T", T, low=1), np.random.default_rng(check_int("seed", seed, low=0)))
    optimizer = torch.optim.SGD(model.parameters(), lr=check_positive("lr", lr))
    optimizer.zero_grad()
    loss = models.loss_function("mse")(model(batch.x), batch.y)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), check_positive("clip", clip))
    optimizer.step()
    finite = all(bool(torch.isfinite(p).all()) for p in model.parameters())
    return {"loss": loss.item(), "norm": norm.item(), "finite_after": finite}


def pascanu_guard(grads, index: int, W_hh, threshold: float = 1.0, limit: float = 1e10,
                  shrink: float = 0.02) -> tuple[list[np.ndarray], bool]:
    """The step direction of Pascanu et al.'s own code (``RNN.py``, ``clipstyle='rescale'``): clipping with a guard.

    With ‖g‖ = (Σ g²)^½ over all gradients, as their code computes it (no scaling: squares beyond the largest
    float overflow to inf):

    - if ‖g‖ is NaN or infinite, negative or above ``limit`` (1e10) — "we can not even trust the numbers we
      get" — the direction is ``shrink · W_hh`` for W_hh and 0 for every other parameter, so the SGD step
      θ ← θ − ε ĝ multiplies W_hh by 1 − 0.02 ε and leaves the rest where they are;
    - else if ‖g‖ > ``threshold``, ĝ = threshold · g / ‖g‖ (their test is ``>``, with no 1e-6), else ĝ = g.

    Parameters
    ----------
    grads : list of arrays
        One array per parameter; NaN and infinity are allowed (that is the point).
    index : int
        Position of W_hh's gradient in ``grads``.
    W_hh : array (H, H)
        The recurrent weight itself, finite, with the shape of ``grads[index]``.

    Returns
    -------
    direction : list of arrays
        ĝ, new arrays of the shapes of ``grads``.
    guarded : bool
        True where the guard replaced the gradient.
    """
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)) or not grads:
        raise ValueError(f"grads must be a non-empty list of gradient arrays, one per parameter; got "
                         f"{type(grads).__name__}")
    arrays = [as_array(f"grads[{i}]", g, finite=False) for i, g in enumerate(grads)]
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(arrays):
        raise ValueError(f"index must be the position of W_hh's gradient in grads, 0 to {len(arrays) - 1}; "
                         f"got {index!r}")
    W_hh = as_array("W_hh", W_hh, ndim=2)
    if W_hh.shape != arrays[index].shape or W_hh.shape[0] != W_hh.shape[1]:
        raise ValueError(f"W_hh must be square and have the shape of grads[{index}], {arrays[index].shape}; "
                         f"got {W_hh.shape}")
    threshold, limit, shrink = (check_positive(n, v) for n, v in
                                (("threshold", threshold), ("limit", limit), ("shrink", shrink)))
    with np.errstate(over="ignore", invalid="ignore"):
        norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in arrays)))
    if not math.isfinite(norm) or norm < 0 or norm > limit:
        return [shrink * W_hh if i == index else np.zeros_like(g) for i, g in enumerate(arrays)], True
    coef = threshold / norm if norm > threshold else 1.0
    return [coef * g for g in arrays], False
