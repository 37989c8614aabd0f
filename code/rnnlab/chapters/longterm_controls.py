"""Chapter 8: full BPTT beside its controls — runs of several sweeps on one task, and the counts side by side.

A control (``RunConfig.truncate``, ``RunConfig.train``) is a model of its own in ``longterm.model_name`` ("GRU k=1",
"tanh RNN readout"), so the functions of ``longterm`` count it apart from full BPTT. ``join`` and ``control_table``
put them together; ``ladder`` puts the lag-blocking control (sweep ``blocking-controls``) beside full BPTT and k = 1
on the same configs, and ``reach`` checks that its k is the largest whose gradient reaches no informative input.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int
from ..experiments.config import RunConfig, build_model
from ..experiments.registry import task_spec
from .longterm import Results, base_model, check_results, model_name, success


def join(*parts: Results, models=None) -> Results:
    """One Results of the runs of several sweeps on the same task, e.g. full BPTT beside its controls.

    ``models`` (printed names) keeps only those models' configs, in the order given; default all, in sweep order.
    """
    if not parts:
        raise ValueError("join needs at least one Results, e.g. join(load('lag-latch'), load('latch-controls'))")
    parts = [check_results(p) for p in parts]
    if len({p.task for p in parts}) > 1:
        raise ValueError(f"join takes the runs of one task; got tasks {[p.task for p in parts]}")
    configs = tuple(c for p in parts for c in p.configs)
    if models is not None:
        have = tuple(dict.fromkeys(model_name(c) for c in configs))
        for m in models:
            check_choice("each of models", m, have)
        configs = tuple(c for m in models for c in configs if model_name(c) == m)
    records = {k: v for p in parts for k, v in p.records.items()}
    return Results("+".join(p.sweep for p in parts), parts[0].task, configs,
                   {c.key: records[c.key] for c in configs if c.key in records})


def control_table(full: Results, control: Results, clip=1.0) -> list:
    """Lines of text: per model and lag, runs solved with full BPTT → with its control (``control``'s runs of the
    same base model, e.g. "GRU k=1"), for one clipping setting; "–" where the control has no runs."""
    full, control = check_results(full), check_results(control)
    if full.task != control.task:
        raise ValueError(f"full and control must be runs of one task; got {full.task!r} and {control.task!r}")
    a, b = success(full), success(control)
    controls = {base_model(m): m for m in control.models}
    if len(controls) < len(control.models):
        raise ValueError(f"control has several runs of one model ({list(control.models)}): keep one control per "
                         f"model, e.g. join(load(NAME), models=[...])")
    lags = full.lags
    lines = [f"{'model':11}" + "".join(f"{f'T={T}':>9}" for T in lags)]
    for model in full.models:
        cells = []
        for T in lags:
            ctl = b.get((controls.get(model), clip))
            if ctl is None or T not in ctl.lags or ctl.runs[ctl.lags.index(T)] == 0:
                cells.append("–")
            else:
                cells.append(f"{a[model, clip].solved[lags.index(T)]} → {ctl.solved[ctl.lags.index(T)]}")
        lines.append(f"{model:11}" + "".join(f"{c:>9}" for c in cells))
    return lines


@dataclass(frozen=True)
class Ladder:
    """One setting of a truncated-BPTT control beside the full-BPTT and k = 1 runs of the same configs."""

    model: str  # the model's printed name without its control, e.g. "GRU"
    T: int  # the lag
    lr: float  # the learning rate
    k: int  # the control's truncation (RunConfig.truncate)
    full: int  # runs solved with full BPTT
    k1: int  # runs solved with k = 1
    control: int  # runs solved with truncate = k
    runs: int  # seeds, the same in all three
    readout: int | None = None  # runs solved training the readout alone (the cell frozen), if the control has them


def ladder(control: Results, *others: Results) -> list:
    """Per setting of ``control`` (a truncated-BPTT sweep; model, lag, rate, k), in sweep order: the runs solved
    with full BPTT, with k = 1 and with k, over the same seeds. Each run of full BPTT or k = 1 is the record, in
    one of ``others``, of the config that differs from the control's only in ``truncate``. Where ``control`` also
    has the readout-alone twins (``train="readout"``, no truncation) of every seed, ``Ladder.readout`` counts them."""
    control = check_results(control)
    others = [check_results(o) for o in others]
    if any(o.task != control.task for o in others):
        raise ValueError(f"ladder takes runs of one task; got {control.task!r} and "
                         f"{[o.task for o in others]}")
    truncated = [c for c in control.configs if c.truncate is not None]
    if not truncated or any(c.truncate is None and c.train != "readout" for c in control.configs):
        raise ValueError("control must be a truncated-BPTT sweep (every config has truncate = k, or trains the "
                         "readout alone)")
    pool = {k: v for o in others for k, v in o.records.items()}
    groups = {}
    for c in truncated:
        groups.setdefault((model_name(c), c.T, c.lr), []).append(c)
    rows = []
    for (name, T, lr), configs in groups.items():
        counts = []
        for truncate in (None, 1):
            twins = [dataclasses.replace(c, truncate=truncate) for c in configs]
            missing = [t.seed for t in twins if t.key not in pool]
            if missing:
                raise ValueError(f"no run of {name} at T={T}, lr={lr:g} with truncate={truncate} for seeds "
                                 f"{missing} in {[o.sweep for o in others]}: pass the sweep that has them")
            counts.append(sum(bool(pool[t.key]["solved"]) for t in twins))
        done = [control.records[c.key] for c in configs if c.key in control.records]
        frozen = [control.records.get(dataclasses.replace(c, truncate=None, train="readout").key) for c in configs]
        readout = sum(bool(r["solved"]) for r in frozen) if all(frozen) else None
        rows.append(Ladder(base_model(name), T, lr, configs[0].truncate, *counts,
                           sum(bool(r["solved"]) for r in done), len(configs), readout))
    return rows


def ladder_table(rows) -> list:
    """Lines of text, one per :func:`ladder` row: model, T, rate, k and "full BPTT → k = 1 → k" solved counts, and the
    readout alone's where every row has it."""
    ro = bool(rows) and all(r.readout is not None for r in rows)
    lines = [f"{'model':10}{'T':>4}{'rate':>7}{'k':>4}   full → k=1 → k" + ("   readout" if ro else "")]
    for r in rows:
        lines.append(f"{r.model:10}{r.T:>4}{r.lr:>7g}{r.k:>4}   {r.full:>4} → {r.k1:>3} → {r.control}"
                     + (f"{r.readout:>10}" if ro else ""))
    return lines


# The inputs that carry a task's target, (N, T, D) -> (N, T) bool; for copy the ten symbols, whose outputs come last.
INFORMATIVE = {"order": lambda x: x[..., 6:].sum(-1) > 0,  # X or Y
               "adding_hs": lambda x: x[..., 1] == 1,  # the two marked values
               "marked_latch": lambda x: x[..., 1] == 1,  # the marked pulse, the class
               "copy": lambda x: x[..., 1:9].sum(-1) > 0}  # the symbols 1 .. 8


@dataclass(frozen=True)
class Reach:
    """How far back a truncated gradient reaches, beside where the informative inputs lie (0-based positions)."""

    last_informative: int  # the latest position of an informative input in any sequence of the batch
    reached: int  # the earliest position the gradient reaches with truncate = k
    reached_next: int  # the same with truncate = k + 1


def reach(config: RunConfig, n: int = 256) -> Reach:
    """Where the gradient of ``config``'s loss reaches with ``truncate = k`` and with k + 1, on ``config``'s model at
    initialisation (float64) and a batch of n sequences of its task drawn from seed 0. For copy, which scores
    every step, the loss is that of the ten copied symbols (the last ten outputs) only."""
    if not isinstance(config, RunConfig) or config.truncate is None:
        raise ValueError(f"config must be a RunConfig with truncate = k; got {config!r}")
    check_choice("config.task", config.task, INFORMATIVE)
    n = check_int("n", n, low=1)
    spec, model = task_spec(config.task), build_model(config)
    x = spec.make(n, config.T, np.random.default_rng(0)).x.double()  # (N, T, D)
    first = []
    for k in (config.truncate, config.truncate + 1):
        xk = x.clone().requires_grad_(True)
        out = model(xk, truncate=k)  # (N, n_outputs), or (N, T, n_outputs) for copy
        (out[:, -10:] if spec.every_step else out).sum().backward()
        first.append(int(np.flatnonzero(xk.grad.abs().sum(dim=(0, 2)).numpy() > 0)[0]))
    last = int(np.flatnonzero(INFORMATIVE[config.task](x).any(dim=0).numpy())[-1])
    return Reach(last, *first)
