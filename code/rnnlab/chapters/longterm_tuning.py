"""Chapter 8: each model at its own learning rate — the rate chosen on tuning seeds, then the runs at that rate.

The lag sweeps train all five models at Adam 0.01. A ranking from them could be a ranking of how well 0.01 suits
each model. The tuning sweeps (``order-lr``, ``copy-lr``, ``adding-lr``: every model × ``sweeps.ADAM_LRS`` ×
``sweeps.TUNING_SEEDS``, clipped, at one lag per task, ``sweeps.LR_TUNING``) choose each model's rate on seeds that
are not the reported ones. The tuned sweeps (``order-tuned``, …) run, on the reported seeds ``sweeps.SEEDS`` and over
the lag sweep's lags, every model whose chosen rate is not 0.01. A model whose rate is 0.01 keeps its clipped runs
of the lag sweep: they are the same configs. Nothing here trains.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice
from ..experiments.registry import task_spec
from ..experiments.sweeps import ADAM_LRS, LAG_SWEEP, MODELS, SWEEPS, TUNED_LR
from .longterm import MODELS as NAMES, Results, check_results, load, model_name, success
from .longterm_controls import join


@dataclass(frozen=True)
class Tuning:
    """One model's tuning runs: at each learning rate, the runs solved and what they cost."""

    model: str
    lrs: tuple
    solved: tuple  # runs solved at their last step, per lr
    runs: tuple  # runs finished, per lr
    steps: tuple  # per lr: the summed steps to solve, an unsolved run counting its whole budget
    shortfall: tuple  # per lr: the mean final metric's distance from perfect, as a fraction of the baseline's

    @property
    def best(self) -> float:
        """The lr with most runs solved; ties: fewest summed steps (an unsolved run counts the budget), then the
        smaller mean shortfall, then the smaller lr."""
        order = sorted(range(len(self.lrs)),
                       key=lambda i: (-self.solved[i], self.steps[i], self.shortfall[i], self.lrs[i]))
        return self.lrs[order[0]]


def _shortfall(task: str, T: int, metric: float) -> float:
    """How far a final metric is from perfect, in units of the baseline's distance (0 perfect, 1 at chance)."""
    spec = task_spec(task)
    if spec.metric == "accuracy":
        return (1.0 - metric) / (1.0 - spec.baseline(T))
    return metric / spec.baseline(T)


def tuning(results: Results, setting=None, values=ADAM_LRS) -> dict:
    """model name -> :class:`Tuning`, from a tuning sweep's results (``longterm.load("order-lr")``).

    ``setting(config)`` is what was tuned (the Adam rate by default) and ``values`` its values in order, e.g. a
    reservoir's (radius, leak, input scale) over Chapter 11's grid; ``Tuning.lrs`` then holds those values."""
    results = check_results(results)
    setting = setting or (lambda c: c.lr)
    out = {}
    for model in results.models:
        runs = {v: [(c, results.records[c.key]) for c in results.configs
                    if model_name(c) == model and setting(c) == v and c.key in results.records]
                for v in values}
        out[model] = Tuning(
            model, tuple(values), tuple(sum(r["solved"] for _, r in runs[v]) for v in values),
            tuple(len(runs[v]) for v in values),
            tuple(sum(r["steps_to_solve"] if r["solved"] else c.steps for c, r in runs[v]) for v in values),
            tuple(float(np.mean([_shortfall(c.task, c.T, r["final_metric"]) for c, r in runs[v]]))
                  if runs[v] else np.nan for v in values))
    return out


def tuning_table(tuned: dict) -> list:
    """Lines of text: per model, runs solved of those finished at each learning rate, and the rate chosen."""
    lines = [f"{'model':11}" + "".join(f"{f'lr {lr:g}':>10}" for lr in ADAM_LRS) + "    chosen"]
    for model, t in tuned.items():
        lines.append(f"{model:11}" + "".join(f"{f'{s}/{n}':>10}" for s, n in zip(t.solved, t.runs))
                     + f"    {t.best:g}")
    return lines


def rates(task: str) -> dict:
    """model name -> its chosen rate for ``task`` (``sweeps.TUNED_LR``), in the sweeps' model order."""
    check_choice("task", task, TUNED_LR)
    return {NAMES[m["cell"], m.get("forget_bias")]: lr for m, lr in zip(MODELS, TUNED_LR[task])}


def at_tuned_rates(task: str, folder=None) -> Results:
    """The clipped runs of every model at its chosen rate (``sweeps.TUNED_LR[task]``) on the reported seeds: the
    tuned sweep's runs, and the lag sweep's where the chosen rate is 0.01."""
    chosen = rates(task)
    lag = load(LAG_SWEEP[task], folder)
    at_001 = [m for m, lr in chosen.items() if lr == 0.01]
    parts = [join(lag, models=at_001)] if at_001 else []
    if f"{task}-tuned" in SWEEPS:  # the models whose rate is not 0.01
        parts.append(load(f"{task}-tuned", folder))
    both = join(*parts)
    clipped = tuple(c for c in both.configs if c.clip == 1.0)
    order = {m: i for i, m in enumerate(chosen)}
    clipped = tuple(sorted(clipped, key=lambda c: order[model_name(c)]))  # stable: keeps each model's sweep order
    return Results(both.sweep, task, clipped, {c.key: both.records[c.key] for c in clipped if c.key in both.records})


def comparison_table(at_001: Results, tuned: Results) -> list:
    """Lines of text: per model and lag, clipped runs solved at Adam 0.01 → at the model's chosen rate."""
    at_001, tuned = check_results(at_001), check_results(tuned)
    a, b = success(at_001), success(tuned)
    chosen = rates(tuned.task)
    lags = tuned.lags
    lines = [f"{'model':11}{'lr':>7}" + "".join(f"{f'T={T}':>9}" for T in lags)]
    for model in tuned.models:
        cells = [f"{a[model, 1.0].solved[a[model, 1.0].lags.index(T)]} → {b[model, 1.0].solved[lags.index(T)]}"
                 for T in lags]
        lines.append(f"{model:11}{chosen[model]:>7g}" + "".join(f"{c:>9}" for c in cells))
    return lines


def to_baseline(results: Results, model: str, T: int, clip=1.0) -> list:
    """The final metric over the task's baseline of each finished run of one model × lag (e.g. a copy run's
    cross-entropy as a fraction of the memoryless one; 1 is input-blind)."""
    results = check_results(results)
    return [results.records[c.key]["final_metric"] / results.records[c.key]["baseline"]
            for c in results.configs_of(model, clip, T) if c.key in results.records]
