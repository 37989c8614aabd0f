"""Chapter 11's tasks, where a reservoir's readout competes with BPTT: recalling an input T steps back
(``recall``), and predicting the Mackey–Glass series T steps ahead (``mackey_glass_ahead``). Same interface as ``rnnlab.tasks``: ``task(n, T, rng) -> Batch``.
"""
from __future__ import annotations

import numpy as np
import torch

from . import series
from .tasks import Batch, _check_task_args

RECALL_WARMUP = 20  # steps before the recalled input: a recall sequence is T + 20 long (as copy memory's)
RECALL_BASELINE = 1 / 3  # Var U[−1, 1]: the MSE of predicting its mean, 0
MG_WINDOW = 50  # steps of the series a model reads before predicting T steps past its end
# Steps of each fresh trajectory dropped before the window. From a random history the distribution at a given step
# settles slowly: 300 steps on, the squashed value's variance was 0.040–0.056 depending on the step; 2000 steps on,
# 0.047–0.049 at every step of a window and its targets (20000 series), that of the attractor's long run
MG_DISCARD = 2000
# Var of the squashed series on the attractor: 0.04747–0.04750 over 3 × 1000 series of 2000 steps (a test re-estimates
# it on the task's targets): the MSE of predicting the series' mean
MG_BASELINE = 0.0475


def recall(n: int, T: int, rng: np.random.Generator) -> Batch:
    """Delayed recall: output the input T steps before the last one.

    x_t ~ U[−1, 1] i.i.d., t = 1 … T + 20; target y = x_{20}, the input T steps before the last, x_{T+20}.
    The squared correlation of a readout's prediction with x_{t−T} at each lag T is the T-th term of Jaeger's
    memory capacity (Chapter 11); this task turns one lag into a trainable run.

    Baseline: predicting the mean 0 has MSE Var U[−1, 1] = 1/3 (``RECALL_BASELINE``).

    Returns ``x`` float32 (N, T + 20, 1) and ``y`` float32 (N, 1); needs T ≥ 1.
    """
    n, T = _check_task_args(n, T, rng)
    values = rng.uniform(-1.0, 1.0, size=(n, T + RECALL_WARMUP, 1))  # (N, T + 20, 1)
    x = torch.as_tensor(values, dtype=torch.float32)
    y = torch.as_tensor(values[:, RECALL_WARMUP - 1], dtype=torch.float32)  # (N, 1): x_{20}, T steps before the end
    return Batch(x=x, y=y)


def mackey_glass_ahead(n: int, T: int, rng: np.random.Generator) -> Batch:
    """Predict the Mackey–Glass series T steps past the end of a window of 50 steps.

    Each sequence is a fresh trajectory of ``series.mackey_glass_batch`` (τ = 17, a = 0.2, b = 0.1, n = 10, RK4 at
    h = 1, its own random history; the first 2000 steps dropped), squashed by tanh(x − 1) as Jaeger (2001) does:
    x_t = squash(s_t) for t = 1 … 50, and y = squash(s_{50+T}). Every sequence, the evaluation batch's too, is a new
    stretch of the attractor, so no evaluated window was seen in training.

    Baseline: predicting the series' mean has MSE ``MG_BASELINE`` (its variance), whatever T.

    Returns ``x`` float32 (N, 50, 1) and ``y`` float32 (N, 1); needs T ≥ 1.
    """
    n, T = _check_task_args(n, T, rng)
    s = series.squash(series.mackey_glass_batch(n, MG_WINDOW + T, rng, discard=MG_DISCARD))  # (N, 50 + T)
    x = torch.as_tensor(s[:, :MG_WINDOW, None], dtype=torch.float32)  # (N, 50, 1)
    y = torch.as_tensor(s[:, -1:], dtype=torch.float32)  # (N, 1): T steps after x_50
    return Batch(x=x, y=y)
