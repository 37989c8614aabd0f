"""Chapter 7: the small training comparison — tanh RNN, LSTM (forget-gate bias 1) and GRU on the adding problem.

Each run trains a ``models.RecurrentClassifier`` (H = 16, PyTorch's initialisation; the LSTM's forget-gate bias
set to 1 with ``init.forget_bias``) with ``rnnlab.train.train`` (Adam, gradient-norm clipping at 1) on fresh
adding-problem batches and scores it on Chapter 6's held-out batch. Success is Chapter 6's: a held-out MSE at
most half the baseline 1/6 of predicting the constant 1. The seed of a run seeds the model and the data. The
full sweep over lags and settings belongs to Chapter 8.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import init, models, tasks, train
from .._validate import check_choice, check_int
from .gates import CELLS
from .init_training import BASELINE, EVAL_SEED, MARGIN, Setup

SETUP = Setup(T=50, H=16, steps=600, batch_size=32, lr=3e-2, clip=1.0, n_eval=500)  # this chapter's setting
FORGET_BIAS = 1.0  # the LSTM's b_if + b_hf (Jozefowicz et al., 2015)


@dataclass(frozen=True)
class Run:
    """One training run's outcome."""
    cell: str                # "rnn", "lstm" or "gru"
    seed: int
    mse: float               # held-out MSE after training (inf if the run diverged)
    initial_mse: float       # held-out MSE before training
    diverged_at: int | None  # first step with a non-finite loss or gradient, else None

    @property
    def success(self) -> bool:
        return self.mse <= MARGIN * BASELINE


def build(cell: str, seed: int, H: int = SETUP.H) -> models.RecurrentClassifier:
    """The initialised model: PyTorch's default for every cell, and forget-gate bias 1 for the LSTM."""
    cell = check_choice("cell", cell, CELLS)
    model = models.RecurrentClassifier(2, check_int("H", H, low=1), 1, cell=cell, seed=check_int("seed", seed, low=0))
    return init.forget_bias(model, FORGET_BIAS) if cell == "lstm" else model


def run(cell: str, seed: int, setup: Setup = SETUP) -> Run:
    """Train ``build(cell, seed)`` for ``setup`` (an ``init_training.Setup``) and return its Run."""
    if not isinstance(setup, Setup):
        raise ValueError(f"setup must be an init_training.Setup; got {type(setup).__name__}")
    model = build(cell, seed, setup.H)
    held_out = tasks.adding(setup.n_eval, setup.T, np.random.default_rng(EVAL_SEED))
    config = train.TrainConfig(steps=setup.steps, batch_size=setup.batch_size, lr=setup.lr, clip=setup.clip,
                               seed=seed, eval_every=setup.steps, progress=False)
    history = train.train(model, tasks.adding, config, setup.T, loss="mse", eval_batch=held_out)
    mse = history.eval_metric[-1] if history.diverged_at is None else float("inf")
    return Run(cell, seed, float(mse), float(history.eval_metric[0]), history.diverged_at)


def comparison(seeds, setup: Setup = SETUP) -> dict:
    """``{cell: [Run, …]}``: every cell trained once per seed (float32; one thread is enough)."""
    seeds = [check_int("each seed", s, low=0) for s in seeds] if hasattr(seeds, "__iter__") else None
    if not seeds:
        raise ValueError("seeds must be a non-empty list of non-negative integers, e.g. seeds.claim_seeds()")
    return {cell: [run(cell, s, setup) for s in seeds] for cell in CELLS}
