"""Chapter 8: full BPTT beside its controls — runs of several sweeps on one task, and the counts side by side.

A control (``RunConfig.truncate``, ``RunConfig.train``) is a model of its own in ``longterm.model_name`` ("GRU k=1",
"tanh RNN readout"), so the functions of ``longterm`` count it apart from full BPTT. These two put them together.
"""
from __future__ import annotations

from .._validate import check_choice
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
