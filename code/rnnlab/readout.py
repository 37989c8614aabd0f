"""Training the readout alone in closed form: ridge regression on the features the readout sees (Chapter 11).

An echo state network (Jaeger 2001) trains no recurrent weight: the reservoir runs, its states are collected, and
the readout W_out is the ridge solution

    W̃_out = Y F̃ᵀ (F̃ F̃ᵀ + β I)⁻¹,     F̃ = [1; F]                                           (eq-ridge)

with F the features (one column per sample: the readout's input, e.g. h_T) and Y the targets (one-hot classes for a
classification task). ``fit_ridge`` does this for any model with a linear ``readout`` (``models.RecurrentClassifier``,
``lru.LRUClassifier``, ``reservoir.ESNClassifier``), on fresh batches from a task, as ``train.train`` does with a
gradient: batch s adds its samples to the normal equations F̃F̃ᵀ and YF̃ᵀ (sums, so the order of the batches does not
matter), and at every evaluation the readout is solved from all batches so far. Its ``History`` holds the loss of each
batch under the readout solved before it (no gradient: ``grad_norm`` and ``clipped`` stay empty) and the evaluation
curve, so that the runner records "how much data the readout needed" where a trained model records steps.
"""
from __future__ import annotations

import numpy as np
import torch

from ._validate import check_callable, check_float, check_int
from .models import loss_function
from .tasks import Batch
from .train import History, TrainConfig, evaluate


def fit_ridge(model: torch.nn.Module, task, config: TrainConfig, T: int, loss: str = "mse",
              eval_batch: Batch | None = None, score: str | None = None, beta: float = 1e-6) -> History:
    """Fit ``model.readout`` by ridge regression (eq-ridge) on ``config.steps`` fresh batches; return the History.

    Parameters
    ----------
    model : torch.nn.Module
        Has ``readout``, a ``torch.nn.Linear`` (H → n_outputs) applied to the features; the rest is left unchanged.
    task : callable
        ``task(n, T, rng) -> Batch``; batches drawn from ``np.random.default_rng(config.seed)``, as ``train.train``.
    config : TrainConfig
        ``steps`` (batches), ``batch_size``, ``seed`` and ``eval_every`` are used; the optimiser settings are not
        (there is no gradient step), and ``clip``, ``truncate`` and ``omega`` must be off.
    T : int
        The task's lag.
    loss : {"mse", "cross_entropy"}
        Regression: Y are the targets. Classification: Y are one-hot rows of the class indices.
    eval_batch, score
        Scored with ``train.evaluate`` at step 0 (the initial readout), every ``eval_every`` batches and at the end.
    beta : float
        β ≥ 0 of (eq-ridge); β = 0 needs F̃F̃ᵀ to be invertible.

    Returns
    -------
    History
        ``steps`` and ``loss`` per batch, ``eval_steps`` and ``eval_metric``; ``diverged_at`` is the batch whose
        features were not finite (the fit stops there, the readout keeps its last solution), else None.
    """
    readout = getattr(model, "readout", None)
    if not isinstance(model, torch.nn.Module) or not isinstance(readout, torch.nn.Linear) or readout.bias is None:
        raise ValueError(f"model must be a torch.nn.Module with a linear readout (model.readout, a torch.nn.Linear "
                         f"with a bias) such as models.RecurrentClassifier; got {type(model).__name__}")
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig; got {type(config).__name__}")
    if config.clip is not None or config.truncate is not None or config.omega:
        raise ValueError(f"fit_ridge takes no gradient step: clip, truncate and omega must be off; got "
                         f"clip={config.clip}, truncate={config.truncate}, omega={config.omega}")
    check_callable("task", task, "a function (n, T, rng) -> Batch such as tasks.recall")
    T = check_int("T", T, low=1)
    loss_fn = loss_function(loss)
    beta = check_float("beta", beta, low=0.0)
    if eval_batch is not None and not isinstance(eval_batch, Batch):
        raise ValueError(f"eval_batch must be a rnnlab.tasks.Batch or None; got {type(eval_batch).__name__}")
    features = []
    hook = readout.register_forward_pre_hook(lambda module, args: features.append(args[0]))
    size, dtype = readout.in_features + 1, readout.weight.dtype
    gram = torch.zeros(size, size, dtype=torch.float64)  # F̃ F̃ᵀ, summed over samples
    cross = torch.zeros(size, readout.out_features, dtype=torch.float64)  # F̃ Yᵀ
    history = History(metric=loss if score == "loss" or loss == "mse" else "accuracy")

    def record_eval(step):
        if eval_batch is not None:
            history.eval_steps.append(step)
            history.eval_metric.append(evaluate(model, eval_batch, loss, score))

    try:
        record_eval(0)
        rng = np.random.default_rng(config.seed)
        for step in range(1, config.steps + 1):
            batch = task(config.batch_size, T, rng)
            if not isinstance(batch, Batch):
                raise ValueError(f"task must return a rnnlab.tasks.Batch; got {type(batch).__name__}")
            features.clear()
            with torch.no_grad():
                output = model(batch.x)  # (N, [T,] n_outputs) under the readout solved so far
                value = loss_fn(output, batch.y).item()
            f = features[-1].reshape(-1, readout.in_features).double()  # (M, H): one row per sample
            history.steps.append(step)
            history.loss.append(value)
            if not torch.isfinite(f).all():
                history.diverged_at = step
                break
            f = torch.cat([torch.ones(len(f), 1, dtype=torch.float64), f], dim=1)  # (M, H + 1): F̃ᵀ
            gram += f.T @ f
            cross += f.T @ _targets(batch.y, loss, readout.out_features)
            if step % config.eval_every == 0 or step == config.steps:
                _solve(readout, gram, cross, beta, dtype)
                record_eval(step)
    finally:
        hook.remove()
    return history


def _targets(y: torch.Tensor, loss: str, n_outputs: int) -> torch.Tensor:
    """Y as rows (M, n_outputs), float64: the targets, or one-hot rows of the class indices."""
    if loss == "cross_entropy":
        return torch.nn.functional.one_hot(y.reshape(-1).long(), n_outputs).double()
    return y.reshape(-1, n_outputs).double()


def _solve(readout: torch.nn.Linear, gram, cross, beta: float, dtype) -> None:
    """readout ← the ridge solution (eq-ridge): (F̃F̃ᵀ + βI) W̃ = F̃Yᵀ, bias from the row of the constant 1."""
    w = torch.linalg.solve(gram + beta * torch.eye(len(gram), dtype=torch.float64), cross)  # (H + 1, n_outputs)
    with torch.no_grad():
        readout.bias.copy_(w[0].to(dtype))
        readout.weight.copy_(w[1:].T.to(dtype))
