"""Chapter 8: how a tanh RNN holds the latch with no gradient across the lag — re-train a run, read its weights.

The runner keeps a run's record, not its weights. :func:`retrain` repeats the training of a committed run (the
same config gives the same updates, on one thread as the runner trains) and returns the trained model with the
first evaluation step at which it met the criterion, which the chapter compares with the record's
``steps_to_solve`` to show it is the same run. :func:`two_paths` then feeds the trained cell one noise sequence
twice, once after a first input of +1 and once after −1, and :func:`draw_two_paths` draws where the two states go.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import plotting, spectral, train
from ..experiments.config import RunConfig, build_model
from ..experiments.registry import task_spec
from ..experiments.runner import rounded
from .criteria_figures import check_figure, panel_title, panel_xlabel


def _check_rnn_config(config) -> RunConfig:
    if not isinstance(config, RunConfig):
        raise ValueError(f"config must be a RunConfig (e.g. from a sweep's configs); got {type(config).__name__}")
    if config.cell != "rnn":
        raise ValueError(f"the latch mechanism is read off a tanh RNN (cell='rnn'); got cell={config.cell!r}")
    return config


def retrain(config: RunConfig) -> tuple:
    """``(initial model, trained model, first step solved or None)`` of the run of ``config``, trained again."""
    config = _check_rnn_config(config)
    spec = task_spec(config.task)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the runner trains: the same sums in the same order
    try:
        initial, model = build_model(config), build_model(config)
        eval_batch = spec.make(config.eval_size, config.T, np.random.default_rng([config.seed, 1]))
        model.cell.requires_grad_(config.train == "all")
        history = train.train(model, spec.make, config.train_config(), config.T, loss=spec.loss,
                              eval_batch=eval_batch, score=spec.score)
        model.cell.requires_grad_(True)
    finally:
        torch.set_num_threads(threads)
    solved = [s for s, m in zip(history.eval_steps, history.eval_metric) if spec.solved(rounded(m), config.T)]
    return initial, model, solved[0] if solved else None


def radius(model) -> float:
    """Spectral radius of a tanh RNN model's W_hh (``cell.weight_hh``)."""
    if not hasattr(model, "cell") or getattr(model, "cell_type", None) != "rnn":
        raise ValueError("model must be a models.RecurrentClassifier with cell='rnn' (it has one W_hh)")
    return spectral.spectral_radius(model.cell.weight_hh.detach().cpu().numpy())


@dataclass(frozen=True)
class TwoPaths:
    """The states of one trained cell on one noise sequence, after a first input of +1 and of −1."""

    T: int
    states: np.ndarray  # (2, T, H): h_1 .. h_T after x_1 = +1 (row 0) and x_1 = −1 (row 1)
    logit: np.ndarray  # (2, T): the readout's class-1 minus class-0 logit at each step
    gap: np.ndarray  # (T,) ‖h_t(+1) − h_t(−1)‖: how far apart the two states are at each step


def two_paths(model, T: int, seed: int = 0) -> TwoPaths:
    """Run ``model`` on one latch sequence of length ``T`` (noise from ``seed``) with x_1 = +1 and x_1 = −1."""
    radius(model)  # checks the model
    T = int(T)
    if T < 2:
        raise ValueError(f"T must be at least 2 (a first input and one step of noise); got {T}")
    x = task_spec("latch").make(1, T, np.random.default_rng(seed)).x.repeat(2, 1, 1)  # (2, T, 1)
    x[0, 0, 0], x[1, 0, 0] = 1.0, -1.0
    with torch.no_grad():
        _, states = model(x, return_states=True)
        states = torch.stack(states, dim=1)  # (2, T, H)
        logits = model.readout(states)  # (2, T, 2)
    states = states.double().numpy()
    return TwoPaths(T, states, (logits[..., 1] - logits[..., 0]).double().numpy(),
                    np.linalg.norm(states[0] - states[1], axis=-1))


def draw_two_paths(fig, before: TwoPaths, after: TwoPaths) -> None:
    """Left: the readout's logit difference over t, after x_1 = ±1, at initialisation (grey) and trained. Right:
    the distance between the two states over t — it dies out before training and stays after."""
    check_figure(fig)
    ax_l, ax_g = fig.subplots(1, 2)
    t = np.arange(1, after.T + 1)
    for paths, color, name in ((before, plotting.COLORS["grey"], "initialisation"),
                               (after, plotting.COLORS["blue"], "trained")):
        ax_l.plot(t, paths.logit[0], color=color, label=f"{name}, $x_1 = +1$")
        ax_l.plot(t, paths.logit[1], color=color, ls="--", label=f"{name}, $x_1 = -1$")
        ax_g.plot(t, plotting.log_safe(paths.gap), color=color, label=name)
    ax_l.axhline(0, color="black", lw=0.6)
    ax_l.set_ylabel("logit(class 1) − logit(class 0)")
    panel_title(ax_l, "what the readout sees")
    panel_xlabel(ax_l, "step t")
    ax_l.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False)
    ax_g.set_yscale("log")
    ax_g.set_ylabel(r"‖$h_t(+1) - h_t(-1)$‖")
    panel_title(ax_g, "distance between the two states")
    panel_xlabel(ax_g, "step t")
    ax_g.legend(fontsize=7, loc="lower left")
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.33, top=0.9, wspace=0.3)
