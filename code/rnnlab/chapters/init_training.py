"""Chapter 6: small training runs on the adding problem — the IRNN with and without an orthogonality constraint (§6.4),
and the initial loss gradient of each recipe (§6.2). The comparison over the lag is §6.3's committed sweep (init_lag).

Every run trains a ``models.RecurrentClassifier`` (H = 16) initialised by ``rnnlab.init.apply`` with
``rnnlab.train.train`` (Adam, gradient-norm clipping at 1: our choice — the Keras ``mnist_irnn`` example sets
``clip_norm = 1.0`` but never passes it to its RMSprop optimiser) on fresh adding-problem batches, and scores it
on one held-out batch. Success means a held-out MSE at most half the baseline 1/6 of
predicting the constant 1 (``tasks.adding``). The seed of a run seeds the model, W_hh and the data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import init, models, spectral, tasks, train
from .._validate import check_choice, check_float, check_int

BASELINE = 1 / 6      # MSE of the constant prediction 1 on the adding problem
MARGIN = 0.5          # success: held-out MSE ≤ MARGIN · BASELINE
EVAL_SEED = 10**6     # the held-out batch's seed, disjoint from the claim seeds' streams
RECIPES = {"tanh, Gaussian": ("gaussian", "tanh"), "tanh, orthogonal": ("orthogonal", "tanh"),
           "IRNN": ("identity", "relu")}  # name -> (init family, nonlinearity)


@dataclass(frozen=True)
class Setup:
    """The CPU-scale setting shared by every run of the comparison."""
    T: int = 50               # sequence length of the adding problem
    H: int = 16               # hidden size
    steps: int = 1000         # Adam updates, one fresh batch each
    batch_size: int = 32      # sequences per batch
    lr: float = 2e-3          # Adam learning rate
    clip: float = 1.0         # gradient-norm clipping threshold (our choice; the Keras IRNN example does not clip)
    n_eval: int = 500         # held-out sequences

    def __post_init__(self):
        check_int("T", self.T, low=2)
        check_int("H", self.H, low=1)
        check_int("steps", self.steps, low=1)
        check_int("batch_size", self.batch_size, low=1)
        check_int("n_eval", self.n_eval, low=1)
        for name in ("lr", "clip"):
            if check_float(name, getattr(self, name)) <= 0:
                raise ValueError(f"{name} must be positive; got {getattr(self, name)}")


@dataclass(frozen=True)
class Run:
    """One training run's outcome."""
    recipe: str              # a key of RECIPES
    seed: int
    mse: float               # held-out MSE after training (inf if the run diverged)
    initial_mse: float       # held-out MSE before training
    diverged_at: int | None  # first step with a non-finite loss or gradient, else None
    W_singular: np.ndarray   # (H,) σ_i(W_hh) after training, descending

    @property
    def success(self) -> bool:
        return self.mse <= MARGIN * BASELINE


def build(recipe: str, seed: int, H: int = 16, orthogonal_constraint: bool = False) -> models.RecurrentClassifier:
    """The initialised model of ``recipe``; ``orthogonal_constraint`` keeps W_hh orthogonal while training.

    The constraint is ``torch.nn.utils.parametrizations.orthogonal`` on the cell's ``weight_hh``: W_hh is a
    function of unconstrained parameters, orthogonal at every step (the initial W_hh is kept).
    """
    family, nonlinearity = RECIPES[check_choice("recipe", recipe, RECIPES)]
    seed = check_int("seed", seed, low=0)
    model = models.RecurrentClassifier(2, check_int("H", H, low=1), 1, nonlinearity=nonlinearity, seed=seed)
    init.apply(model, family, 1.0, seed)
    if orthogonal_constraint:
        torch.nn.utils.parametrizations.orthogonal(model.cell, "weight_hh")
    return model


def run(recipe: str, seed: int, setup: Setup = Setup(), orthogonal_constraint: bool = False):
    """Train ``build(recipe, seed, …)`` for ``setup`` and return ``(Run, model)``."""
    if not isinstance(setup, Setup):
        raise ValueError(f"setup must be an init_training.Setup; got {type(setup).__name__}")
    model = build(recipe, seed, setup.H, orthogonal_constraint)
    held_out = tasks.adding(setup.n_eval, setup.T, np.random.default_rng(EVAL_SEED))
    config = train.TrainConfig(steps=setup.steps, batch_size=setup.batch_size, lr=setup.lr, clip=setup.clip,
                               seed=seed, eval_every=setup.steps, progress=False)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: more threads only spin on a busy machine; one summation order
    try:
        history = train.train(model, tasks.adding, config, setup.T, loss="mse", eval_batch=held_out)
    finally:
        torch.set_num_threads(threads)
    mse = history.eval_metric[-1] if history.diverged_at is None else float("inf")
    W = spectral.singular_values(init.recurrent_weight(model))  # (H,)
    return Run(recipe, seed, float(mse), float(history.eval_metric[0]), history.diverged_at, W), model


def orthogonality_error(model: models.RecurrentClassifier) -> float:
    """``‖W_hhᵀ W_hh − I‖_max`` of the model's current W_hh (0 for an exactly orthogonal matrix)."""
    W = init.recurrent_weight(model)  # (H, H)
    return float(np.abs(W.T @ W - np.eye(W.shape[0])).max())


def initial_gradient_norm(recipe: str, seed: int, T: int, input_scale: float = 1.0, n: int = 32) -> float:
    """‖∂L/∂θ‖ of the MSE on one adding batch (N = n) with inputs × ``input_scale``, at initialisation (float64)."""
    T, n = check_int("T", T, low=2), check_int("n", n, low=1)
    input_scale = check_float("input_scale", input_scale, low=0.0)
    model = build(recipe, seed).double()
    batch = tasks.adding(n, T, np.random.default_rng(seed))
    loss = models.loss_function("mse")(model(input_scale * batch.x.double()), batch.y.double())
    grads = torch.autograd.grad(loss, list(model.parameters()))
    return float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))
