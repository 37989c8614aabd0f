"""The tasks the runner knows, each with its model shape, its metric, its baseline and its success criterion.

One row per task, written once: the runner (``run``), the sweeps and the chapter read the criterion from here.
A task is *solved* when its metric on the held-out evaluation batch passes the criterion:

- classification (``order``, ``latch``, ``marked_latch``): accuracy ≥ 0.99, i.e. fewer than 1% of fresh sequences wrong — the
  criterion of Pascanu, Mikolov & Bengio (2013), who counted over 10,000 sequences (here the evaluation batch,
  ``RunConfig.eval_size``, 500 in the lag sweeps); chance is 1/4 and 1/2;
- regression (``adding``, ``adding_hs``, ``recall``, ``mackey_glass``): MSE < 0.05 × the baseline of predicting the target's mean,
  i.e. the model explains more than 95% of the variance that the best constant guess leaves (R² > 0.95);
- copy memory (``copy``): mean cross-entropy per step < 0.1 × the memoryless baseline 10·log 8/(T + 20).

The regression tasks also have the papers' per-sequence rule (``tolerance``): a sequence is correct when its
|error| < tolerance, and a run passes the rule when at least ``PER_SEQUENCE`` (99%) of the evaluation sequences are
correct, i.e. fewer than 1% wrong, as in Pascanu et al.'s success criterion. Hochreiter & Schmidhuber (1997) count
a sequence of their adding problem correct when |error| < 0.04 on their target 0.5 + (X₁ + X₂)/4 (``adding_hs``:
tolerance 0.04); on the simplified problem's target X₁ + X₂, four times as large, the same rule is |error| < 0.16
(``adding``). (Pascanu et al.'s code counts a sequence wrong when its squared error on the mean (X₁ + X₂)/2 is
above 0.04: |error| > 0.4 on X₁ + X₂, a looser rule.)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .. import tasks, tasks_memory
from .._validate import check_bool, check_callable, check_choice, check_float, check_int


@dataclass(frozen=True)
class TaskSpec:
    """How to train and judge a model on one task of ``rnnlab.tasks``."""

    make: Callable  # task(n, T, rng) -> Batch
    input_size: int  # D of each x_t
    n_outputs: int  # classes (cross-entropy) or targets (MSE)
    loss: str  # "cross_entropy" or "mse"
    metric: str  # what is scored on the evaluation batch: "accuracy", "mse" or "cross_entropy"
    baseline: Callable[[int], float]  # the metric of chance / of the best input-blind guess, at lag T
    factor: float  # accuracy: metric ≥ factor; otherwise metric < factor × baseline(T)
    every_step: bool = False  # an output at every step (copy memory)
    tolerance: float | None = None  # regression: a sequence is correct when |error| < tolerance (per-sequence rule)

    def __post_init__(self):
        check_callable("make", self.make, "a task function (n, T, rng) -> Batch such as tasks.adding")
        check_callable("baseline", self.baseline, "a function T -> the baseline metric")
        check_int("input_size", self.input_size, low=1)
        check_int("n_outputs", self.n_outputs, low=1)
        check_choice("loss", self.loss, {"cross_entropy", "mse"})
        check_choice("metric", self.metric, {"accuracy", "mse", "cross_entropy"})
        check_float("factor", self.factor, low=0.0)
        check_bool("every_step", self.every_step)
        if self.tolerance is not None:
            check_float("tolerance", self.tolerance, low=0.0)
            if self.metric != "mse":
                raise ValueError(f"tolerance (the per-sequence rule) is for regression tasks (metric 'mse'); "
                                 f"got metric {self.metric!r}")

    @property
    def score(self):
        """What ``train.evaluate`` is asked for: None (accuracy, MSE) or "loss" (the cross-entropy)."""
        return "loss" if self.metric == "cross_entropy" else None

    def threshold(self, T: int) -> float:
        """The metric a solved run reaches at lag T (an integer ≥ 1)."""
        T = check_int("T", T, low=1)
        return self.factor if self.metric == "accuracy" else self.factor * self.baseline(T)

    def solved(self, metric: float, T: int) -> bool:
        """Does ``metric`` (on the evaluation batch; NaN never passes) pass the success criterion at lag T ≥ 1?"""
        metric = check_float("metric", metric, finite=False)
        if self.metric == "accuracy":
            return metric >= self.threshold(T)
        return metric < self.threshold(T)  # NaN is never solved

    def solved_per_sequence(self, correct: float) -> bool:
        """Does a run whose fraction ``correct`` of sequences has |error| < ``tolerance`` pass the per-sequence
        rule (at least ``PER_SEQUENCE`` of them)?"""
        if self.tolerance is None:
            raise ValueError(f"this task has no per-sequence rule (tolerance is None); only the regression tasks "
                             f"{sorted(n for n, t in TASKS.items() if t.tolerance is not None)} do")
        return check_float("correct", correct, 0.0, 1.0) >= PER_SEQUENCE


PER_SEQUENCE = 0.99  # the fraction of sequences within tolerance that passes the per-sequence rule

TASKS = {
    "adding": TaskSpec(tasks.adding, 2, 1, "mse", "mse", lambda T: 1 / 6, 0.05, tolerance=0.16),
    "adding_hs": TaskSpec(tasks.adding_hs, 2, 1, "mse", "mse", lambda T: 19 / 480, 0.05, tolerance=0.04),
    "copy": TaskSpec(tasks.copy_memory, 10, 10, "cross_entropy", "cross_entropy", tasks.copy_baseline, 0.1,
                     every_step=True),
    "order": TaskSpec(tasks.temporal_order, 8, 4, "cross_entropy", "accuracy", lambda T: 0.25, 0.99),
    "latch": TaskSpec(tasks.latch, 1, 2, "cross_entropy", "accuracy", lambda T: 0.5, 0.99),
    "marked_latch": TaskSpec(tasks.marked_latch, 2, 2, "cross_entropy", "accuracy", lambda T: 0.5, 0.99),
    "recall": TaskSpec(tasks_memory.recall, 1, 1, "mse", "mse", lambda T: tasks_memory.RECALL_BASELINE, 0.05),
    "mackey_glass": TaskSpec(tasks_memory.mackey_glass_ahead, 1, 1, "mse", "mse",
                             lambda T: tasks_memory.MG_BASELINE, 0.05),
}


def task_spec(name: str) -> TaskSpec:
    """The registry row of task ``name`` (one of ``TASKS``)."""
    if not isinstance(name, str):
        raise ValueError(f"task must be one of {sorted(TASKS)}; got {name!r}")
    return TASKS[check_choice("task", name, TASKS)]
