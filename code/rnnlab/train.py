"""One training loop for every experiment: fresh batches, optional norm clipping, gradient logging.

Each step draws a new batch from a task (``rnnlab.tasks``), computes the loss, records the total gradient
norm ‖g‖ = ‖∂L/∂θ‖₂ over all parameters, optionally clips it (Pascanu, Mikolov & Bengio 2013,
Algorithm 1: if ‖g‖ ≥ threshold then g ← threshold · g / ‖g‖, here with torch.nn.utils.clip_grad_norm_)
and takes an optimiser step. If the loss or the gradient becomes NaN or infinite the loop stops and records
the step in ``History.diverged_at`` instead of raising (Chapter 5). The data come from
``np.random.default_rng(config.seed)`` and the model's parameters from its own ``seed``, so a run is
reproducible from those two numbers.

With ``TrainConfig.truncate = k`` each update uses the gradient of truncated BPTT (back at most k steps, see
``models.RecurrentClassifier.forward``). Only the updates are truncated: a gradient probe of the model
(``models.hidden_gradient_norms``) still measures full BPTT. Only the parameters that require grad are
optimised: freeze a part (``requires_grad_(False)``) to train the rest.

With ``TrainConfig.omega = α > 0`` (a tanh ``RecurrentClassifier``) each step adds α ∂⁺Ω/∂W_hh to W_hh's gradient,
Pascanu et al.'s regularizer as their code computes it (``regularizers.omega_penalty``: ∂L/∂h_t and the states
held constant) — before clipping, so the clipped norm includes it, as in the authors' ``RNN.py``. The logged loss
is the task's loss alone.
"""
from __future__ import annotations

import functools
import inspect
import math
import os
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from ._validate import check_callable, check_choice, check_float, check_int, check_positive
from .models import RecurrentClassifier, check_targets, loss_function
from .regularizers import omega_penalty
from .tasks import Batch


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run."""

    steps: int = 500  # number of parameter updates, one fresh batch each
    batch_size: int = 32  # sequences per batch (N)
    lr: float = 1e-2  # learning rate of the optimiser
    optimizer: str = "adam"  # "adam" (torch.optim.Adam) or "sgd" (plain SGD, no momentum)
    clip: float | None = None  # None: no clipping; else rescale g to this norm when ‖g‖ exceeds it
    seed: int = 0  # seed of the data generator np.random.default_rng(seed)
    eval_every: int = 50  # evaluate on eval_batch every this many steps (also at step 0 and at the end)
    progress: bool | None = None  # tqdm bar; None: on unless the environment sets RNNLAB_PROGRESS=0
    weight_decay: float = 0.0  # L2 penalty λ of the optimiser: adds λθ to every gradient (Chapter 5)
    truncate: int | None = None  # None: full BPTT; k ≥ 1: forward(x, truncate=k), the gradient goes back ≤ k steps
    omega: float = 0.0  # weight α of Pascanu et al.'s Ω (regularizers.omega_penalty) in W_hh's gradient; tanh RNN

    def __post_init__(self):
        checked = {"steps": check_int("steps", self.steps, low=1),
                   "batch_size": check_int("batch_size", self.batch_size, low=1),
                   "lr": check_float("lr", self.lr, low=0.0),
                   "seed": check_int("seed", self.seed, low=0),
                   "eval_every": check_int("eval_every", self.eval_every, low=1),
                   "weight_decay": check_float("weight_decay", self.weight_decay, low=0.0),
                   "omega": check_float("omega", self.omega, low=0.0)}
        if self.truncate is not None:
            checked["truncate"] = check_int("truncate", self.truncate, low=1)
        if self.lr <= 0:
            raise ValueError(f"lr must be positive; got {self.lr}")
        check_choice("optimizer", self.optimizer, {"adam", "sgd"})
        if self.clip is not None:
            checked["clip"] = check_float("clip", self.clip, low=0.0)
            if self.clip <= 0:
                raise ValueError(f"clip must be None (no clipping) or a positive gradient norm; got {self.clip}")
        if self.omega and self.truncate is not None:
            raise ValueError(f"omega needs ∂L/∂h_t of full BPTT at every step, so it cannot be combined with "
                             f"truncate; got omega={self.omega}, truncate={self.truncate}")
        if self.progress not in (None, True, False):
            raise ValueError(f"progress must be True, False or None (automatic); got {self.progress!r}")
        for name, value in checked.items():  # a 0-d array stands for its number; store the number
            if isinstance(getattr(self, name), np.ndarray):
                object.__setattr__(self, name, value)


@dataclass
class History:
    """What happened during training, one entry per step (steps are counted from 1)."""

    metric: str  # what eval_metric holds: "accuracy" (cross-entropy), "mse", or the loss ("cross_entropy")
    steps: list[int] = field(default_factory=list)  # step number s = 1, 2, …
    loss: list[float] = field(default_factory=list)  # training loss on the batch of step s
    grad_norm: list[float] = field(default_factory=list)  # total gradient norm ‖g‖ BEFORE clipping
    clipped: list[bool] = field(default_factory=list)  # True where clipping rescaled the gradient
    eval_steps: list[int] = field(default_factory=list)  # steps at which eval_batch was scored (0 = before training)
    eval_metric: list[float] = field(default_factory=list)  # the score at those steps
    diverged_at: int | None = None  # first step with a NaN/inf loss or gradient (training stopped), else None

    def __post_init__(self):
        check_choice("metric", self.metric, {"accuracy", "mse", "cross_entropy"})


def evaluate(model: torch.nn.Module, batch: Batch, loss: str = "cross_entropy", score: str | None = None) -> float:
    """Score ``model`` on ``batch`` without building a graph.

    Returns the accuracy (fraction of argmax predictions equal to y) for ``loss="cross_entropy"`` and the
    mean squared error for ``loss="mse"``; with ``score="loss"`` the mean loss itself (e.g. the copy task's
    cross-entropy). A model with an output per step (N, T, n_outputs) is scored over all N·T outputs.
    """
    _check_model(model)
    check_choice("loss", loss, {"cross_entropy", "mse"})
    _check_score(score)
    if not isinstance(batch, Batch):
        raise ValueError(f"batch must be a rnnlab.tasks.Batch; got {type(batch).__name__}")
    with torch.no_grad():
        output = model(batch.x)  # (N, [T,] n_outputs)
        if loss == "cross_entropy" and score is None:
            check_targets(loss, output, batch.y)  # y (N,) class indices, else (N,) == (N, 1) broadcasts
            return (output.argmax(dim=-1) == batch.y).double().mean().item()
        return loss_function(loss)(output, batch.y).item()


def fraction_within(model: torch.nn.Module, batch: Batch, tolerance: float) -> float:
    """The fraction of the sequences of ``batch`` whose prediction is within ``tolerance`` of the target.

    The per-sequence rule of the regression tasks' papers (Hochreiter & Schmidhuber 1997 count a sequence of the
    adding problem correct when |error| < 0.04): one output per sequence, ``model(x)`` of shape (N, 1).
    """
    _check_model(model)
    tolerance = check_positive("tolerance", tolerance)
    if not isinstance(batch, Batch):
        raise ValueError(f"batch must be a rnnlab.tasks.Batch; got {type(batch).__name__}")
    with torch.no_grad():
        output = model(batch.x)
    if output.shape != batch.y.shape or output.dim() != 2 or output.shape[1] != 1:
        raise ValueError(f"fraction_within needs one output per sequence, shape (N, 1) like the targets; got output "
                         f"{tuple(output.shape)} and targets {tuple(batch.y.shape)}")
    return ((output - batch.y).abs() < tolerance).double().mean().item()


def _check_model(model) -> None:
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module such as models.RecurrentClassifier; "
                         f"got {type(model).__name__}")


def _check_score(score) -> None:
    if score is not None and score != "loss":
        raise ValueError(f"score must be None (accuracy or MSE) or 'loss' (the mean loss); got {score!r}")


def _check_omega_model(model) -> None:
    """Ω is defined for a tanh RNN whose W_hh is trained."""
    if not (isinstance(model, RecurrentClassifier) and model.cell_type == "rnn"
            and model.cell.nonlinearity == "tanh"):
        raise ValueError(f"omega (Pascanu et al.'s Ω) needs a tanh RNN: a models.RecurrentClassifier with cell='rnn' "
                         f"and nonlinearity='tanh'; got {type(model).__name__}"
                         + (f" with cell={model.cell_type!r}" if isinstance(model, RecurrentClassifier) else ""))
    if not model.cell.weight_hh.requires_grad:
        raise ValueError("omega acts on W_hh, but model.cell.weight_hh does not require grad (is the cell frozen?)")


def _show_progress(progress: bool | None) -> bool:
    if progress is None:
        return os.environ.get("RNNLAB_PROGRESS", "1") != "0"
    return progress


def train(model: torch.nn.Module, task: Callable[..., Batch], config: TrainConfig, T: int,
          loss: str = "cross_entropy", eval_batch: Batch | None = None, score: str | None = None) -> History:
    """Train ``model`` in place on fresh batches from ``task`` and return its History.

    Parameters
    ----------
    model : torch.nn.Module
        Maps x (N, T, D) to outputs (N, n_outputs), e.g. a RecurrentClassifier or WindowMLP. The optimiser
        gets the parameters that require grad (all, unless some were frozen).
    task : callable
        ``task(n, T, rng) -> Batch``, e.g. ``rnnlab.tasks.first_bit``.
    config : TrainConfig
        Steps, batch size, optimiser, clipping, BPTT truncation, data seed, evaluation interval, progress bar.
    T : int
        Sequence length of the training batches.
    loss : {"cross_entropy", "mse"}
        Cross-entropy on class indices (evaluated as accuracy) or mean squared error (evaluated as MSE).
    eval_batch : Batch, optional
        Held-out sequences scored with ``evaluate`` at step 0, every ``config.eval_every`` steps and at
        the last step.
    score : {None, "loss"}
        What ``evaluate`` returns on eval_batch: None the accuracy / MSE, "loss" the mean loss.

    Returns
    -------
    History
        Per-step loss, gradient norm and clipping flag, evaluation scores, and ``diverged_at``.
    """
    _check_model(model)
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig; got {type(config).__name__}")
    check_callable("task", task, "a function (n, T, rng) -> Batch such as tasks.first_bit")
    T = check_int("T", T, low=1)
    loss_fn = loss_function(loss)
    _check_score(score)
    if eval_batch is not None and not isinstance(eval_batch, Batch):
        raise ValueError(f"eval_batch must be a rnnlab.tasks.Batch or None; got {type(eval_batch).__name__}")
    forward = model
    if config.truncate is not None:
        if "truncate" not in inspect.signature(model.forward).parameters:
            raise ValueError(f"truncate={config.truncate} needs a recurrent model whose forward takes truncate=, "
                             f"such as models.RecurrentClassifier; got {type(model).__name__}")
        forward = functools.partial(model, truncate=config.truncate)
    if config.omega:
        _check_omega_model(model)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"model has no parameters that require grad, so there is nothing to train; "
                         f"got {type(model).__name__}")
    optim_class = torch.optim.Adam if config.optimizer == "adam" else torch.optim.SGD
    optimizer = optim_class(params, lr=config.lr, weight_decay=config.weight_decay)
    rng = np.random.default_rng(config.seed)
    history = History(metric=loss if score == "loss" or loss == "mse" else "accuracy")

    def record_eval(step):
        if eval_batch is not None:
            history.eval_steps.append(step)
            history.eval_metric.append(evaluate(model, eval_batch, loss, score))

    record_eval(0)
    bar = tqdm(range(1, config.steps + 1), disable=not _show_progress(config.progress), desc="training")
    for step in bar:
        batch = task(config.batch_size, T, rng)
        if not isinstance(batch, Batch):
            raise ValueError(f"task must return a rnnlab.tasks.Batch; got {type(batch).__name__}")
        optimizer.zero_grad()
        if config.omega:
            output, states = forward(batch.x, return_states=True)  # states keep their .grad
            value = loss_fn(output, batch.y)
            value.backward()
            h = torch.stack([s.detach() for s in states])  # (T, N, H)
            dh = torch.stack([s.grad for s in states])  # (T, N, H) ∂L/∂h_t
            (config.omega * omega_penalty(dh, h, model.cell.weight_hh)).backward()  # adds to W_hh.grad
        else:
            value = loss_fn(forward(batch.x), batch.y)
            value.backward()
        if config.clip is None:
            norm = torch.nn.utils.get_total_norm([p.grad for p in params if p.grad is not None]).item()
        else:  # rescales g by clip / (‖g‖ + 1e-6) when that is < 1; returns ‖g‖ before clipping
            norm = torch.nn.utils.clip_grad_norm_(params, config.clip).item()
        history.steps.append(step)
        history.loss.append(value.item())
        history.grad_norm.append(norm)
        history.clipped.append(config.clip is not None and norm > config.clip)
        if not (math.isfinite(history.loss[-1]) and math.isfinite(norm)):
            history.diverged_at = step  # stop before the NaN/inf reaches the parameters
            break
        optimizer.step()
        if step % config.eval_every == 0 or step == config.steps:
            record_eval(step)
        bar.set_postfix(loss=f"{history.loss[-1]:.3g}", refresh=False)
    bar.close()
    return history
