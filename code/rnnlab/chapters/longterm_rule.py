"""Chapter 8: the papers' per-sequence rule for the adding problems, beside the MSE criterion.

Hochreiter & Schmidhuber (1997) count a sequence of their adding problem correct when its absolute error is below
0.04; a run passes the rule here when at least 99% of its held-out sequences are (``registry.TaskSpec.tolerance`` and
``solved_per_sequence``; 0.16 on the simplified problem's four times larger target). The runner records the fraction
as ``record["correct"]`` for the regression tasks; records made before it did (``lag-adding``) do not carry it.
"""
from __future__ import annotations

from ..experiments.registry import task_spec
from .longterm import Results, _width, check_results, success


def per_sequence(results: Results) -> dict:
    """``{(model, clip): runs passing the per-sequence rule at each lag}`` (``registry.TaskSpec.solved_per_sequence``
    on ``record["correct"]``: at least 99% of the held-out sequences within the task's tolerance), for a regression
    task's sweep whose records carry ``correct`` (runs made before the rule was added to the runner do not)."""
    results = check_results(results)
    spec = task_spec(results.task)
    if spec.tolerance is None:
        raise ValueError(f"task {results.task!r} has no per-sequence rule; only the adding problems do")
    out = {}
    for model in results.models:
        for clip in results.clips:
            counts = []
            for T in results.lags:
                recs = [results.records[c.key] for c in results.configs_of(model, clip, T) if c.key in results.records]
                if any("correct" not in r for r in recs):
                    raise ValueError(f"sweep {results.sweep!r} has records without 'correct' (made before the runner "
                                     f"recorded the per-sequence rule): re-run them to count it")
                counts.append(sum(spec.solved_per_sequence(r["correct"]) for r in recs))
            out[model, clip] = tuple(counts)
    return out


def per_sequence_table(results: Results, clip=1.0) -> list:
    """Lines of text for one clipping setting: per model (rows) and lag (columns), runs solved by the MSE criterion
    and runs passing the per-sequence rule, "solved / passed" of the runs finished."""
    table, rule = success(results), per_sequence(results)
    w = _width(results)
    lines = [f"{'model':{w}} " + " ".join(f"{f'T={T}':>11}" for T in results.lags)]
    for (model, c), s in table.items():
        if c == clip:
            lines.append(f"{model:{w}} " + " ".join(f"{f'{k} / {p} of {n}':>11}"
                                                   for k, p, n in zip(s.solved, rule[model, c], s.runs)))
    return lines
