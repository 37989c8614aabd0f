"""Chapter 1, §1.4: a fixed window against a recurrent state on the first-bit task.

Both models are trained by the book's one loop (``rnnlab.train.train``) on fresh batches of
``rnnlab.tasks.first_bit`` (the label is the first of T random signs) and scored on held-out sequences.
A model that sees only the last ``window < T`` inputs cannot beat chance; a recurrent network can.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import models, tasks, train
from .._validate import check_int

HELD_OUT_STREAM = 12345  # held-out sequences come from default_rng((seed, HELD_OUT_STREAM)), never trained on
THREADS = 1  # torch threads while training: as fast for these tiny models, and immune to a busy machine


@dataclass(frozen=True)
class FirstBitContest:
    """One seeded run of the window model against the recurrent network."""
    seed: int                  # seed of both models' weights and of the training and held-out data
    T: int                     # sequence length
    window_accuracy: float     # held-out accuracy of the window model (fraction correct)
    recurrent_accuracy: float  # held-out accuracy of the recurrent network
    histories: dict            # {"window model": History, "recurrent network": History}

    @property
    def diverged(self) -> bool:
        """True if either training run hit a NaN or infinite loss or gradient."""
        return any(h.diverged_at is not None for h in self.histories.values())


def first_bit_contest(seed: int, T: int = 10, window: int = 5, hidden_size: int = 32, steps: int = 300,
                      n_held_out: int = 4000) -> FirstBitContest:
    """Train a ``WindowMLP`` (last ``window`` inputs) and a tanh ``RecurrentClassifier`` on first-bit.

    Parameters
    ----------
    seed : int
        Seed (≥ 0) of the models' initial weights, of the training batches (``TrainConfig.seed``) and of
        the held-out sequences (``default_rng((seed, HELD_OUT_STREAM))``).
    T : int
        Sequence length, window < T ≤ 1,000.
    window : int
        Number of last inputs the window model sees, 1 ≤ window < T.
    hidden_size : int
        Hidden units of both models, 1 ≤ hidden_size ≤ 1,024.
    steps : int
        Adam steps (lr 0.01, batches of 64), 1 ≤ steps ≤ 100,000.
    n_held_out : int
        Held-out sequences, 100 ≤ n_held_out ≤ 1,000,000; a model at chance scores 0.5 ± √(0.25 / n_held_out).
    """
    seed = check_int("seed", seed, low=0)
    T = check_int("T", T, low=2, high=1_000)
    window = check_int("window", window, low=1)
    if window >= T:
        raise ValueError(f"window must be shorter than T = {T} (else the window model sees x_1); got {window}")
    hidden_size = check_int("hidden_size", hidden_size, low=1, high=1_024)
    steps = check_int("steps", steps, low=1, high=100_000)
    n_held_out = check_int("n_held_out", n_held_out, low=100, high=1_000_000)
    config = train.TrainConfig(steps=steps, batch_size=64, lr=1e-2, seed=seed, eval_every=25, progress=False)
    held_out = tasks.first_bit(n_held_out, T, np.random.default_rng((seed, HELD_OUT_STREAM)))
    contenders = {
        "window model": models.WindowMLP(window=window, input_size=1, hidden_size=hidden_size,
                                         n_outputs=2, seed=seed),
        "recurrent network": models.RecurrentClassifier(input_size=1, hidden_size=hidden_size,
                                                        n_outputs=2, cell="rnn", seed=seed)}
    # One thread, restored afterwards: with several, a busy machine made this run 30× slower (waiting worker
    # threads spin), and the result cannot depend on the reader's thread count through summation order.
    threads = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    try:
        histories = {name: train.train(model, tasks.first_bit, config, T=T, eval_batch=held_out)
                     for name, model in contenders.items()}
        accuracies = {name: train.evaluate(model, held_out) for name, model in contenders.items()}
    finally:
        torch.set_num_threads(threads)
    return FirstBitContest(seed=seed, T=T, histories=histories, window_accuracy=accuracies["window model"],
                           recurrent_accuracy=accuracies["recurrent network"])
