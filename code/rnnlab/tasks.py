"""Synthetic sequence tasks whose answer depends on inputs far in the past.

Every task is a pure function ``task(n, T, rng) -> Batch``: ``n`` sequences of length ``T`` drawn with the
NumPy generator ``rng`` (nothing else is random), returned as torch tensors ready for ``rnnlab.models``.
``rnnlab.train.train`` draws a fresh batch from such a function at every step, so a new task only has to
follow this signature (and say in its docstring what chance performance is). Inputs are float32 ``(N, T, D)``;
models cast them to their own dtype.

Tasks and sources
-----------------
first_bit
    Information latching in its simplest form (Bengio, Simard & Frasconi 1994): the class depends only on
    the first input; every later input is noise. Introduced in Chapter 1 (fixed window vs recurrent state).
adding
    The common simplified adding problem (Le, Jaitly & Hinton 2015; Arjovsky, Shah & Bengio 2016), a
    variant of Hochreiter & Schmidhuber (1997) §5.4: values U[0, 1], two markers, target the sum.

Planned (Chapter 8): copy memory (Arjovsky et al. 2016), temporal order (Hochreiter & Schmidhuber 1997;
Pascanu et al. 2013) and latch (Bengio et al. 1994), with the same signature.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ._validate import check_int, check_rng


@dataclass(frozen=True)
class Batch:
    """One batch of sequences and their targets."""

    x: torch.Tensor  # (N, T, D) float inputs x_1 .. x_T of each sequence
    y: torch.Tensor  # (N,) long class indices, or (N, K) float regression targets

    def __post_init__(self):
        if not isinstance(self.x, torch.Tensor) or not isinstance(self.y, torch.Tensor):
            raise ValueError(f"Batch.x and Batch.y must be torch tensors; got {type(self.x).__name__} "
                             f"and {type(self.y).__name__}")
        if self.x.ndim != 3 or min(self.x.shape) < 1:
            raise ValueError(f"Batch.x must have shape (N, T, D) with N, T, D ≥ 1; got {tuple(self.x.shape)}")
        if self.y.ndim not in (1, 2) or self.y.shape[0] != self.x.shape[0]:
            raise ValueError(f"Batch.y must have one row per sequence (N = {self.x.shape[0]}): shape (N,) or "
                             f"(N, K); got shape {tuple(self.y.shape)}")
        for name, v in (("Batch.x", self.x), ("Batch.y", self.y)):
            if v.dtype == torch.bool or v.dtype.is_complex:
                raise ValueError(f"{name} must hold real numbers, not {v.dtype}")
            if not torch.isfinite(v).all():
                raise ValueError(f"{name} contains NaN or infinity")

    @property
    def n(self) -> int:
        """Number of sequences N."""
        return self.x.shape[0]

    @property
    def T(self) -> int:
        """Sequence length T."""
        return self.x.shape[1]


def _check_task_args(n, T, rng, min_T: int = 1) -> tuple[int, int]:
    """Validate the arguments every task shares; return ``(n, T)`` as ints."""
    n = check_int("n (number of sequences)", n, low=1)
    T = check_int("T (sequence length)", T, low=min_T)
    check_rng(rng)
    return n, T


def first_bit(n: int, T: int, rng: np.random.Generator) -> Batch:
    """Classify a sequence of random signs by its first sign.

    x_t ∈ {−1, +1} i.i.d. with probability ½ each, and y = 1 if x_1 > 0 else 0. Inputs x_2 .. x_T carry no
    information about y, so any model that sees only the last ``window < T`` inputs is at chance:
    accuracy exactly 50% in expectation (cross-entropy log 2 ≈ 0.693).

    Parameters
    ----------
    n : int
        Number of sequences N (≥ 1).
    T : int
        Sequence length T (≥ 1).
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    Batch
        ``x`` float32 of shape (N, T, 1); ``y`` long of shape (N,) with values in {0, 1}.
    """
    n, T = _check_task_args(n, T, rng)
    signs = 2.0 * rng.integers(0, 2, size=(n, T, 1)) - 1.0  # (N, T, 1) in {-1, +1}
    x = torch.as_tensor(signs, dtype=torch.float32)  # (N, T, 1)
    y = (x[:, 0, 0] > 0).long()  # (N,) depends on x_1 only
    return Batch(x=x, y=y)


def adding(n: int, T: int, rng: np.random.Generator) -> Batch:
    """The adding problem: output the sum of the two marked values.

    Each step carries two numbers, x_t = (v_t, m_t): a value v_t ~ U[0, 1] and a marker m_t ∈ {0, 1}.
    Exactly two markers are 1, one at a uniform position in the first half [0, ⌊T/2⌋) and one in the second
    half [⌊T/2⌋, T) (0-based), as in Le et al. (2015) and Arjovsky et al. (2016); the target is
    y = Σ_t m_t v_t. This is the common simplified variant of Hochreiter & Schmidhuber (1997) §5.4, which
    instead uses values in [−1, 1], markers in {−1, 0, 1} and target 0.5 + (X₁ + X₂)/4.

    Baseline: predicting the constant 1 (the mean of the target) ignores the input entirely and has
    MSE = Var(v + v') = 2/12 = 1/6 ≈ 0.167. A model has learned something only below that.

    Parameters
    ----------
    n : int
        Number of sequences N (≥ 1).
    T : int
        Sequence length T (≥ 2, so that both halves contain a position).
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    Batch
        ``x`` float32 of shape (N, T, 2) (channel 0 values, channel 1 markers); ``y`` float32 of shape (N, 1).
    """
    n, T = _check_task_args(n, T, rng, min_T=2)
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(n, T))  # (N, T)
    first = rng.integers(0, half, size=n)  # (N,) marker in the first half
    second = rng.integers(half, T, size=n)  # (N,) marker in the second half
    markers = np.zeros((n, T))  # (N, T)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    target = (values * markers).sum(axis=1, keepdims=True)  # (N, 1)
    x = torch.as_tensor(np.stack([values, markers], axis=-1), dtype=torch.float32)  # (N, T, 2)
    y = torch.as_tensor(target, dtype=torch.float32)  # (N, 1)
    return Batch(x=x, y=y)
