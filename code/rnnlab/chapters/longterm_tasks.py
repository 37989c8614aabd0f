"""Chapter 8's tasks: the input-blind baselines checked on fresh batches, and one sequence of each task shown.

The baselines and success criteria themselves are ``rnnlab.experiments.registry``'s; these functions only measure
the input-blind strategies on sequences of ``rnnlab.tasks``, so that the chapter checks the registry's numbers.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_int
from ..experiments.registry import TASKS, task_spec

BLIND = {"adding": "predict the constant 1 (the mean of the sum)", "adding_hs": "predict the constant 0.5",
         "copy": "blanks, then a uniform guess over the 8 symbols", "order": "always class 0 (XX)",
         "latch": "always class 0", "marked_latch": "always class 0"}


def blind_metric(task: str, T: int, n: int, seed: int) -> float:
    """The task's metric (``registry``) of the input-blind strategy ``BLIND[task]`` on a fresh batch of n sequences."""
    spec = task_spec(check_choice("task", task, TASKS))
    batch = spec.make(check_int("n", n, low=1), T, np.random.default_rng(check_int("seed", seed, low=0)))
    y = batch.y.numpy()
    if task in ("adding", "adding_hs"):
        return float(np.mean((y - (1.0 if task == "adding" else 0.5)) ** 2))
    if task == "copy":  # p(blank) = 1 until the last 10 steps, then 1/8 for each symbol 1 .. 8
        p = np.zeros((y.shape[1], 10))  # (T + 20, classes)
        p[:-10, 0] = 1.0
        p[-10:, 1:9] = 1 / 8
        with np.errstate(divide="ignore"):
            return float(-np.mean(np.log(p[np.arange(y.shape[1]), y])))  # a target the strategy rules out: inf
    return float(np.mean(y == 0))


def describe(task: str, T: int, seed: int = 0) -> list:
    """Lines of text showing one sequence of ``task`` at lag T (seed ``seed``) and its target."""
    spec = task_spec(check_choice("task", task, TASKS))
    batch = spec.make(1, T, np.random.default_rng(check_int("seed", seed, low=0)))
    x, y = batch.x[0].numpy(), batch.y[0].numpy()
    if task in ("adding", "adding_hs"):
        marks = np.flatnonzero(x[:, 1] == 1)
        return ["values  " + " ".join(f"{v:.1f}" for v in x[:, 0]),
                "markers " + " ".join(f"{m:3.0f}" for m in x[:, 1]),
                f"marked t = {', '.join(str(t + 1) for t in marks)}: target {y[0]:.3f}"]
    if task == "copy":
        symbols = ".12345678:"  # blank, the 8 symbols, the delimiter
        return ["input  " + "".join(symbols[k] for k in x.argmax(axis=1)),
                "target " + "".join(symbols[k] for k in y)]
    if task == "order":
        codes = x.argmax(axis=1)
        return ["input  " + "".join("EBabcdXY"[k] for k in codes),
                f"class  {int(y)} ({['XX', 'XY', 'YX', 'YY'][int(y)]})"]
    lines = ["input  " + " ".join(f"{v:+.1f}" for v in x[:, 0])]
    if task == "marked_latch":
        lines.append("marker " + " ".join(f"{m:4.0f}" for m in x[:, 1]))
    return lines + [f"class  {int(y)}"]
