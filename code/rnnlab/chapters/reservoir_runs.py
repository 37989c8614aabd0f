"""Chapter 11 §11.5: the echo state network against BPTT on the same data — committed runs
(``experiments.sweeps_reservoir``). Nothing here trains.

- ``esn_tuning(task)`` and ``trained_tuning(task)``: the settings chosen on the tuning seeds by Chapter 8's rule
  (``longterm_tuning.Tuning``): the ESN's (radius, leak, input scale), the tanh RNN's and the LSTM's Adam rate;
  ``sweeps_reservoir.ESN_CHOSEN`` and ``TRAINED_LR`` hold the choices (a test checks them against the runs).
- ``runs(task)``: every model at its setting over the lags (``reservoir-recall``, ``reservoir-mg``) and the
  controls (``reservoir-recall-controls``); ``table``
  prints runs solved of 5, ``error_table`` the final MSE over the baseline (median and range over the seeds),
  ``wall_times`` what a run cost.
"""
from __future__ import annotations

import itertools

import numpy as np

from .._validate import check_choice
from ..experiments.sweeps_reservoir import ESN_GRID, ESN_HIDDEN
from .longterm import Results, check_results, load, model_name, success
from .longterm_controls import join
from .longterm_tuning import Tuning, tuning as _tuning

SWEEP = {"recall": "reservoir-recall", "mackey_glass": "reservoir-mg"}
ESN = f"ESN H={ESN_HIDDEN}"  # the printed name of the tuned reservoir
SETTINGS = tuple(itertools.product(*ESN_GRID.values()))  # (radius, leak, input_scale), in the sweep's order


def _task(task) -> str:
    return check_choice("task", task, SWEEP)


def _part(results: Results, reservoir: bool) -> Results:
    """The runs of the reservoirs (``reservoir=True``) or of the models trained by BPTT."""
    configs = tuple(c for c in results.configs if (c.cell == "esn") == reservoir)
    return Results(results.sweep, results.task, configs, {c.key: results.records[c.key] for c in configs
                                                          if c.key in results.records})


def esn_tuning(task: str, folder=None) -> Tuning:
    """The ESN's tuning runs on ``task``: runs solved per (radius, leak, input scale); ``.best`` is the choice."""
    results = _part(load("reservoir-tuning", folder, task=_task(task)), reservoir=True)
    return _tuning(results, setting=lambda c: (c.radius, c.leak, c.input_scale), values=SETTINGS)[ESN]


def trained_tuning(task: str, folder=None) -> dict:
    """Model name -> ``Tuning`` over the Adam rates, for the tanh RNN and the LSTM on ``task``."""
    return _tuning(_part(load("reservoir-tuning", folder, task=_task(task)), reservoir=False))


def esn_tuning_table(tuned: Tuning) -> list:
    """Lines of text: per setting of the ESN, runs solved and the mean final MSE over the baseline."""
    lines = [f"{'radius':>7}{'leak':>6}{'input':>7}{'solved':>8}{'MSE/base':>10}"]
    for (radius, leak, scale), solved, n, short in zip(tuned.lrs, tuned.solved, tuned.runs, tuned.shortfall):
        mark = "  <- chosen" if (radius, leak, scale) == tuned.best else ""
        lines.append(f"{radius:>7g}{leak:>6g}{scale:>7g}{f'{solved}/{n}':>8}{short:>10.2g}{mark}")
    return lines


def runs(task: str, folder=None) -> Results:
    """Every model's runs on ``task`` at its chosen setting, over the lags, and on recall the trained models'
    lag-blocking controls (``reservoir-recall-controls``: truncated BPTT at k = T, rows "tanh RNN k=5", …)."""
    results = load(SWEEP[_task(task)], folder)
    return join(results, load("reservoir-recall-controls", folder)) if task == "recall" else results


def _lines(results: Results, cell, width: int) -> list:
    """Lines of text: a row per model, a column per lag, each cell ``cell(model, T)``."""
    name = max([12] + [len(m) + 1 for m in results.models])
    lines = [f"{'model':{name}}" + "".join(f"{f'T={T}':>{width}}" for T in results.lags)]
    return lines + [f"{m:{name}}" + "".join(f"{cell(m, T):>{width}}" for T in results.lags) for m in results.models]


def table(results: Results) -> list:
    """Lines of text: runs solved of those finished, per model (rows) and lag (columns)."""
    results = check_results(results)
    won = success(results)
    clip = {model_name(c): c.clip for c in results.configs}

    def cell(m, T):
        s = won[m, clip[m]]
        i = results.lags.index(T)
        return f"{s.solved[i]}/{s.runs[i]}" if s.runs[i] else "–"
    return _lines(results, cell, 8)


def records_of(results: Results, model: str, T: int) -> list:
    """The finished records of ``model`` at lag T, in seed order."""
    results = check_results(results)
    return [results.records[c.key] for c in results.configs
            if model_name(c) == model and c.T == T and c.key in results.records]


def errors(results: Results) -> dict:
    """(model, T) -> the final MSE over the baseline of each finished run, in seed order."""
    results = check_results(results)
    out = {}
    for c in results.configs:
        if c.key in results.records:
            record = results.records[c.key]
            out.setdefault((model_name(c), c.T), []).append(record["final_metric"] / record["baseline"])
    return out


def error_table(results: Results) -> list:
    """Lines of text: per model and lag, the median final MSE over the baseline (1: no better than the mean)."""
    found = errors(results)
    return _lines(results, lambda m, T: f"{np.median(found[m, T]):.1g}" if (m, T) in found else "–", 9)


def wall_times(results: Results) -> dict:
    """Model name -> (fewest, most) seconds a run of it took (all lags; measured while other runs shared the CPU)."""
    results = check_results(results)
    out = {}
    for c in results.configs:
        if c.key in results.records:
            out.setdefault(model_name(c), []).append(results.records[c.key]["wall_time"])
    return {m: (min(t), max(t)) for m, t in out.items()}
