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
adding_hs
    The adding problem as Hochreiter & Schmidhuber (1997) §5.4 define it (at one fixed length T).
copy_memory
    Arjovsky, Shah & Bengio (2016): reproduce 10 symbols after T blanks; a target at every step.
temporal_order
    Hochreiter & Schmidhuber (1997) task 6a, positions as in Pascanu et al. (2013): 4 classes.
latch
    The 2-sequence problem, Hochreiter & Schmidhuber (1997) task 3a (Bengio et al. 1994 set a latch problem
    and a 2-sequence problem; this is the second): 2 classes.
marked_latch
    This book's latch with distractors: the class pulse is marked, unmarked pulses of the same size follow.

The success criteria the experiments use for each task live in ``rnnlab.experiments.registry``.
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


def adding_hs(n: int, T: int, rng: np.random.Generator) -> Batch:
    """The adding problem of Hochreiter & Schmidhuber (1997) §5.4, at one fixed length T.

    x_t = (v_t, m_t) with v_t ~ U[−1, 1]. One of the first 10 pairs is marked (m = 1, value X₁), then one of
    the first T/2 − 1 still unmarked pairs (X₂); the first and the final pair carry m = −1 unless marked, and
    X₁ is set to 0 when the first pair is the one marked. Target y = 0.5 + (X₁ + X₂)/4 ∈ [0, 1]; the paper
    counts a sequence correct when |error| < 0.04. Deviation: the paper draws each length from [T, T + T/10];
    a Batch holds one length, T.

    Baseline: predicting the constant 0.5 has MSE = E[(X₁ + X₂)²]/16 = (0.9/3 + 1/3)/16 = 19/480 ≈ 0.0396
    (X₁ is 0 with probability 1/10).

    Returns ``x`` float32 (N, T, 2) (values, markers) and ``y`` float32 (N, 1); needs T ≥ 11 (so that the
    first 10 pairs never include the final one).
    """
    n, T = _check_task_args(n, T, rng, min_T=11)
    values = rng.uniform(-1.0, 1.0, size=(n, T))  # (N, T)
    first = rng.integers(0, 10, size=n)  # (N,) X1 among the first 10 pairs
    k = rng.integers(0, T // 2 - 1, size=n)  # (N,) X2: the k-th still unmarked pair
    second = k + (k >= first)  # (N,) skip the pair already marked
    rows = np.arange(n)
    values[rows[first == 0], 0] = 0.0  # X1 = 0 when the first pair is marked
    markers = np.zeros((n, T))  # (N, T)
    markers[:, [0, -1]] = -1.0
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    target = 0.5 + (values[rows, first] + values[rows, second])[:, None] / 4.0  # (N, 1)
    x = torch.as_tensor(np.stack([values, markers], axis=-1), dtype=torch.float32)  # (N, T, 2)
    return Batch(x=x, y=torch.as_tensor(target, dtype=torch.float32))


COPY_SYMBOLS, COPY_LENGTH = 8, 10  # symbols 1 .. 8 to remember, and how many of them


def copy_memory(n: int, T: int, rng: np.random.Generator) -> Batch:
    """The copy-memory task of Arjovsky, Shah & Bengio (2016); T is the delay.

    Input of length T + 20, one-hot over 10 categories (0 blank, 1 .. 8 symbols, 9 delimiter): 10 symbols
    drawn uniformly from 1 .. 8, T − 1 blanks, the delimiter, 10 blanks. Target at every step: blank for the
    first T + 10 steps, then the 10 symbols in order. A model needs an output per step
    (``models.RecurrentClassifier(..., every_step=True)``).

    Baseline (memoryless): blank for T + 10 steps, then a uniform guess over the 8 symbols, has mean
    cross-entropy 10·log 8 / (T + 20) per step (:func:`copy_baseline`); accuracy is 0 at chance on the copy.

    Returns ``x`` float32 (N, T + 20, 10) and ``y`` long (N, T + 20) of classes 0 .. 9; needs T ≥ 1.
    """
    n, T = _check_task_args(n, T, rng)
    symbols = rng.integers(1, COPY_SYMBOLS + 1, size=(n, COPY_LENGTH))  # (N, 10)
    steps = T + 2 * COPY_LENGTH
    inputs = np.zeros((n, steps), dtype=np.int64)  # (N, T + 20) blanks
    inputs[:, :COPY_LENGTH] = symbols
    inputs[:, T + COPY_LENGTH - 1] = COPY_SYMBOLS + 1  # the delimiter
    targets = np.zeros((n, steps), dtype=np.int64)  # (N, T + 20)
    targets[:, -COPY_LENGTH:] = symbols
    x = torch.nn.functional.one_hot(torch.as_tensor(inputs), COPY_SYMBOLS + 2).float()  # (N, T + 20, 10)
    return Batch(x=x, y=torch.as_tensor(targets))


def copy_baseline(T: int) -> float:
    """Mean cross-entropy per step of the memoryless strategy on ``copy_memory``: 10·log 8 / (T + 20)."""
    T = check_int("T (delay)", T, low=1)
    return COPY_LENGTH * float(np.log(COPY_SYMBOLS)) / (T + 2 * COPY_LENGTH)


def temporal_order(n: int, T: int, rng: np.random.Generator) -> Batch:
    """The temporal-order task, Hochreiter & Schmidhuber (1997) task 6a, at length T.

    One-hot over 8 symbols (0 E, 1 B, 2–5 a b c d, 6 X, 7 Y): E at t = 0, the trigger B at t = T − 1, and
    distractors a–d elsewhere, except at two positions t₁ ∈ [⌊0.1T⌋, ⌊0.2T⌋) and t₂ ∈ [⌊0.5T⌋, ⌊0.6T⌋)
    (Pascanu et al. 2013's code; the paper uses t₁ ∈ [10, 20], t₂ ∈ [50, 60] at lengths 100–110), which
    hold X or Y. Class = order of the two: XX → 0, XY → 1, YX → 2, YY → 3. Chance accuracy 1/4 (the classes are
    equally likely and nothing but the two symbols carries information about them).

    Returns ``x`` float32 (N, T, 8) and ``y`` long (N,); needs T ≥ 10.
    """
    n, T = _check_task_args(n, T, rng, min_T=10)
    seq = rng.integers(2, 6, size=(n, T))  # (N, T) distractors a .. d
    seq[:, 0], seq[:, -1] = 0, 1  # E first, trigger B last
    t1 = rng.integers(T // 10, T // 5, size=n)  # (N,)
    t2 = rng.integers(T // 2, (6 * T) // 10, size=n)  # (N,)
    first, second = rng.integers(0, 2, size=n), rng.integers(0, 2, size=n)  # (N,) 0 = X, 1 = Y
    rows = np.arange(n)
    seq[rows, t1], seq[rows, t2] = 6 + first, 6 + second
    x = torch.nn.functional.one_hot(torch.as_tensor(seq), 8).float()  # (N, T, 8)
    return Batch(x=x, y=torch.as_tensor(2 * first + second))


def latch(n: int, T: int, rng: np.random.Generator, informative: int = 1) -> Batch:
    """The 2-sequence problem: Hochreiter & Schmidhuber (1997) task 3a, after Bengio et al. (1994).

    One real input line. The first ``informative`` elements carry the class (+1.0 for class 1, −1.0 for
    class 0, each with probability ½); the later ones are Gaussian noise, mean 0, variance 0.2. Deviations:
    the paper draws each length from [T, T + T/10] and regresses targets 1.0 / 0.0; here one length T and a
    class index. Chance accuracy exactly 1/2: the noise says nothing about the class.

    Returns ``x`` float32 (N, T, 1) and ``y`` long (N,); needs T > ``informative`` ≥ 1.
    """
    informative = check_int("informative", informative, low=1)
    n, T = _check_task_args(n, T, rng, min_T=informative + 1)
    y = rng.integers(0, 2, size=n)  # (N,)
    x = rng.normal(0.0, np.sqrt(0.2), size=(n, T, 1))  # (N, T, 1)
    x[:, :informative, 0] = (2.0 * y - 1.0)[:, None]
    return Batch(x=torch.as_tensor(x, dtype=torch.float32), y=torch.as_tensor(y))


def marked_latch(n: int, T: int, rng: np.random.Generator) -> Batch:
    """The latch with distractors: only the *marked* pulse carries the class (this book's variant, Chapter 8).

    Two input lines. Line 1 is the 2-sequence problem's (``latch``) with two unmarked pulses of the same size
    around the class: a distractor (±1.0, random sign) at step 1, the class (+1.0 / −1.0) at step 2, a second
    distractor at a random step 3 … T, and Gaussian noise (mean 0, variance 0.2) everywhere else. Line 2 marks
    step 2 (1.0 there, 0.0 elsewhere). A network that latches the first pulse, or every pulse, ends in a
    distractor's state, whose sign says nothing about the class: it must learn to write when the marker is on,
    T − 2 steps before the loss. Chance accuracy exactly 1/2.

    Returns ``x`` float32 (N, T, 2) and ``y`` long (N,); needs T ≥ 3.
    """
    n, T = _check_task_args(n, T, rng, min_T=3)
    y = rng.integers(0, 2, size=n)  # (N,)
    x = np.zeros((n, T, 2))
    x[:, :, 0] = rng.normal(0.0, np.sqrt(0.2), size=(n, T))
    rows, later = np.arange(n), rng.integers(2, T, size=n)  # (N,) the second distractor's step (0-based)
    x[:, 0, 0] = 2.0 * rng.integers(0, 2, size=n) - 1.0
    x[:, 1, 0], x[:, 1, 1] = 2.0 * y - 1.0, 1.0
    x[rows, later, 0] = 2.0 * rng.integers(0, 2, size=n) - 1.0
    return Batch(x=torch.as_tensor(x, dtype=torch.float32), y=torch.as_tensor(y))
