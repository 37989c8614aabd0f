"""Chapter 8: what a lag sweep's results file says — success over the lag, steps to solve, gradient-norm profiles.

Every function here reads a results file of ``rnnlab.experiments`` (``rnnlab/experiments/results/NAME.json``) through
:func:`load` and computes what the chapter prints and draws, so that a chapter section for another sweep is a few
cells. Nothing here trains: the runs are the sweep's (its seeds are fixed in its definition, ``sweeps.SEEDS``).
A file still being written has records for some configs only; every function counts the runs it has and
``Results.complete`` says whether the sweep is finished.

The task helpers (baselines checked on fresh batches, one sequence shown to the reader) are in ``longterm_tasks``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import plotting
from .._validate import check_choice, check_int
from ..experiments import store
from ..experiments.sweeps import get_sweep

# The sweeps' models, in their order: (cell, forget_bias) -> the name the chapter prints.
MODELS = {("rnn", None): "tanh RNN", ("irnn", None): "IRNN", ("lstm", None): "LSTM",
          ("lstm", 1.0): "LSTM b_f=1", ("gru", None): "GRU", ("lru", None): "LRU", ("esn", None): "ESN"}
# Chapter 6's recipes (sweeps.INIT_MODELS): (cell, init) -> name; any other init keeps the cell's name
INIT_NAMES = {("rnn", "orthogonal"): "tanh orth.", ("rnn", "gaussian"): "tanh Gauss.",
              ("ltrnn", "orthogonal"): "LT orth.", ("ltrnn", "identity"): "LT ident."}


def model_name(config) -> str:
    """The printed name of a config's model and how it was trained, e.g. "LSTM b_f=1", "GRU k=1", "tanh RNN readout",
    "LT orth." (Chapter 6's recipes, ``INIT_NAMES``), "ESN H=200" (Chapter 11; "ESN H=200 ρ=0" without recurrence).

    Full BPTT adds nothing; truncated BPTT adds "k=K" (``RunConfig.truncate``), training the readout alone adds
    "readout" (``RunConfig.train``), or "ridge" when it is solved in closed form (an ESN's is always): the controls of
    Chapter 8 are separate rows, never pooled with full BPTT.
    """
    if config.cell == "esn":  # Chapter 11: a reservoir (its readout by ridge regression), by its size
        return f"ESN H={config.hidden}" + (" ρ=0" if config.radius == 0 else "")
    name = INIT_NAMES.get((config.cell, config.init)) or MODELS[(config.cell, config.forget_bias)]
    if config.truncate is not None:
        return f"{name} k={config.truncate}"
    return {"readout": f"{name} readout", "ridge": f"{name} ridge"}.get(config.train, name)


def base_model(name: str) -> str:
    """The model of a printed name without its control: "GRU k=1" -> "GRU", "tanh RNN readout" -> "tanh RNN"."""
    names = [*MODELS.values(), *INIT_NAMES.values()]
    for model in sorted(names, key=len, reverse=True):  # "LSTM b_f=1 k=1" is not "LSTM" + " b_f=1 k=1"
        if name == model or name.startswith(model + " "):
            return model
    raise ValueError(f"{name!r} is not a model name of the sweeps ({names}, with 'k=K' or "
                     f"'readout' after it)")


def clip_name(clip) -> str:
    """"no clip" or "clip 1" (the norm-clipping threshold)."""
    return "no clip" if clip is None else f"clip {clip:g}"


@dataclass(frozen=True)
class Results:
    """The runs of one task in a sweep's results file: every config of the sweep, the records done so far."""

    sweep: str  # the sweep's name
    task: str  # the task of its configs
    configs: tuple  # the sweep's RunConfigs of this task, in sweep order
    records: dict  # config key -> record (only the runs finished so far)

    @property
    def complete(self) -> bool:
        """Has every config a record?"""
        return all(c.key in self.records for c in self.configs)

    def _distinct(self, get) -> tuple:
        return tuple(dict.fromkeys(get(c) for c in self.configs))

    @property
    def lags(self) -> tuple:
        return tuple(sorted(self._distinct(lambda c: c.T)))

    @property
    def models(self) -> tuple:
        return self._distinct(model_name)

    @property
    def clips(self) -> tuple:
        return self._distinct(lambda c: c.clip)

    @property
    def seeds(self) -> tuple:
        return self._distinct(lambda c: c.seed)

    def configs_of(self, model: str, clip, T: int) -> list:
        """The configs of one model × clipping × lag (one per seed)."""
        return [c for c in self.configs if model_name(c) == model and c.clip == clip and c.T == T]

    def record(self, model: str, clip, T: int, seed: int) -> dict | None:
        """The record of one run, or None if it has not finished yet."""
        config = next((c for c in self.configs_of(model, clip, T) if c.seed == seed), None)
        if config is None:
            raise ValueError(f"no run model={model!r}, clip={clip}, T={T}, seed={seed} in sweep {self.sweep!r}: "
                             f"models {list(self.models)}, clips {list(self.clips)}, lags {list(self.lags)}, "
                             f"seeds {list(self.seeds)}")
        return self.records.get(config.key)


def load(name: str, folder=None, task: str | None = None) -> Results:
    """The results of sweep ``name`` (its file in ``folder``, default ``rnnlab/experiments/results``), for one task.

    ``task`` is needed only when the sweep has several (e.g. "smoke"). Stale records (of configs no longer in the
    sweep) are left out, as ``experiments.store.ResultsFile`` does; a missing file gives a Results with no records.
    """
    sweep = get_sweep(name)
    tasks = tuple(dict.fromkeys(c.task for c in sweep.configs))
    if task is None:
        if len(tasks) > 1:
            raise ValueError(f"sweep {name!r} has several tasks {list(tasks)}: pass task= one of them")
        task = tasks[0]
    check_choice("task", task, tasks)
    records = store.ResultsFile(sweep, folder).records
    configs = tuple(c for c in sweep.configs if c.task == task)
    return Results(name, task, configs, {c.key: records[c.key] for c in configs if c.key in records})


def _width(results: Results) -> int:
    """Width of the model column: 11, or the longest name (a control's, e.g. "tanh RNN readout")."""
    return max([11] + [len(m) + 1 for m in results.models])


def check_results(results) -> Results:
    """``results`` if it is a Results, else a ValueError that says how to get one."""
    if not isinstance(results, Results):
        raise ValueError(f"results must be a longterm.Results from longterm.load(NAME); got {type(results).__name__}")
    return results


@dataclass(frozen=True)
class Success:
    """One model × clipping over the sweep's lags."""

    model: str
    clip: float | None
    lags: tuple  # the lags T, ascending
    solved: tuple  # runs solved at each lag
    runs: tuple  # runs finished at each lag
    seeds: int  # runs the sweep has at each lag
    steps: tuple  # at each lag, the steps to solve of the solved runs (a tuple each)

    @property
    def rate(self) -> np.ndarray:
        """Fraction of the finished runs solved at each lag, shape (len(lags),); NaN where none has finished."""
        runs = np.asarray(self.runs, dtype=float)
        return np.divide(self.solved, runs, out=np.full(len(runs), np.nan), where=runs > 0)

    def count(self, T: int) -> str:
        """"k/n" at lag T (n the runs finished)."""
        i = self.lags.index(T)
        return f"{self.solved[i]}/{self.runs[i]}"

    def longest_solved(self) -> int | None:
        """The longest lag at which at least one run solved the task, or None."""
        return max((T for T, k in zip(self.lags, self.solved) if k), default=None)


def success(results: Results) -> dict:
    """``{(model, clip): Success}`` for every model and clipping setting of the sweep, in sweep order."""
    results = check_results(results)
    out = {}
    for model in results.models:
        for clip in results.clips:
            solved, runs, steps = [], [], []
            for T in results.lags:
                recs = [results.records[c.key] for c in results.configs_of(model, clip, T) if c.key in results.records]
                runs.append(len(recs))
                solved.append(sum(r["solved"] for r in recs))
                steps.append(tuple(r["steps_to_solve"] for r in recs if r["solved"]))
            out[model, clip] = Success(model, clip, results.lags, tuple(solved), tuple(runs),
                                       len(results.configs_of(model, clip, results.lags[0])), tuple(steps))
    return out


def success_table(results: Results) -> list:
    """Lines of text: solved / finished runs per model × clipping (rows) and lag (columns)."""
    table, w = success(results), _width(results)
    head = f"{'model':{w}} {'':7} " + " ".join(f"{f'T={T}':>6}" for T in results.lags)
    return [head] + [f"{s.model:{w}} {clip_name(s.clip):7} " + " ".join(f"{s.count(T):>6}" for T in s.lags)
                     for s in table.values()]


def steps_summary(steps) -> tuple | None:
    """(median, min, max) of a list of steps to solve, or None if it is empty."""
    steps = [check_int("each of steps", s, low=0) for s in steps]
    return (float(np.median(steps)), min(steps), max(steps)) if steps else None


def steps_table(results: Results, clip) -> list:
    """Lines of text for one clipping setting: median steps to solve (min–max) over the solved runs per model
    (rows) and lag (columns), "–" where no run solved."""
    table = success(results)
    lines = [f"{clip_name(clip):10} " + " ".join(f"{f'T={T}':>15}" for T in results.lags)]
    for s in table.values():
        if s.clip != clip:
            continue
        cells = []
        for steps in s.steps:
            m = steps_summary(steps)
            cells.append("–" if m is None else f"{m[0]:.0f}" if m[1] == m[2] else f"{m[0]:.0f} ({m[1]}–{m[2]})")
        lines.append(f"{s.model:10} " + " ".join(f"{c:>15}" for c in cells))
    return lines


def gain(norms) -> float:
    """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ of a profile (t = 1 .. T): how much of the gradient reaches the first step.

    0 if nothing reaches h_1; inf if ‖∂L/∂h_T‖ = 0 while ‖∂L/∂h_1‖ > 0.
    """
    norms = np.asarray(norms, dtype=float)
    if norms.ndim != 1 or len(norms) < 1 or np.any(norms < 0):
        raise ValueError(f"norms must be a profile ‖∂L/∂h_t‖ over t (1-d, non-negative); got {norms!r:.80}")
    if norms[0] == 0:
        return 0.0
    return float(norms[0] / norms[-1]) if norms[-1] > 0 else float("inf")


@dataclass(frozen=True)
class Profile:
    """The gradient-norm profiles of one run at initialisation and after training."""

    model: str
    clip: float | None
    T: int
    seed: int
    init: np.ndarray  # (T,) ‖∂L/∂h_t‖ at initialisation, t = 1 .. T
    final: np.ndarray  # (T,) the same after training
    solved: bool
    final_metric: float
    threshold: float

    @property
    def gains(self) -> tuple:
        """(gain at initialisation, gain after training), see :func:`gain`."""
        return gain(self.init), gain(self.final)

    @property
    def fates(self) -> tuple:
        """``plotting.classify`` of the two gains."""
        return tuple(plotting.classify(g) for g in self.gains)


def profile(results: Results, model: str, clip, T: int, seed: int) -> Profile | None:
    """The profiles of one run, or None if it has not finished yet."""
    r = check_results(results).record(model, clip, T, seed)
    if r is None:
        return None
    return Profile(model, clip, T, seed, np.asarray(r["grad_norms_init"], dtype=float),
                   np.asarray(r["grad_norms_final"], dtype=float), r["solved"], r["final_metric"], r["threshold"])


def fate_counts(results: Results, clip, T: int, when: str = "final") -> dict:
    """``{model: {fate: runs}}`` of the gain at lag T, ``when`` "init" or "final", over the finished runs."""
    check_choice("when", when, ("init", "final"))
    out = {}
    for model in check_results(results).models:
        counts = {f: 0 for f in (plotting.VANISHED, plotting.WITHIN, plotting.EXPLODED)}
        for seed in results.seeds:
            p = profile(results, model, clip, T, seed)
            if p is not None:
                counts[p.fates[when == "final"]] += 1
        out[model] = counts
    return out


def fate_table(results: Results, clip, T: int) -> list:
    """Lines of text: per model, how many runs' gains ‖∂L/∂h_1‖/‖∂L/∂h_T‖ were vanished / within 10^±6 / exploded at
    initialisation and after training (lag T, one clipping setting)."""
    fates = (plotting.VANISHED, plotting.WITHIN, plotting.EXPLODED)
    init, final = fate_counts(results, clip, T, "init"), fate_counts(results, clip, T, "final")
    lines = [f"T = {T}, {clip_name(clip)}: runs whose gain ‖∂L/∂h_1‖/‖∂L/∂h_T‖ is",
             f"{'':10} {'at initialisation':^30}  {'after training':^30}",
             f"{'model':10}" + 2 * f" {'vanished':>8} {'within 10^±6':>12} {'exploded':>8} "]
    for model in results.models:
        a, b = ([counts[model][f] for f in fates] for counts in (init, final))
        lines.append(f"{model:10} {a[0]:8} {a[1]:12} {a[2]:8}  {b[0]:8} {b[1]:12} {b[2]:8}")
    return [line.rstrip() for line in lines]


# --- published numbers beside ours -----------------------------------------------------------------------------
HS1997_ADDING = {100: 74_000, 500: 209_000, 1000: 853_000}  # H&S 1997 §5.4: sequences to solve, mean of 10 trials
HS1997_LATCH = {100: 58_370}  # H&S 1997 task 3a, N = 1 (one informative element): sequences to ST1, mean of 10


def sequences_to_solve(results: Results, model: str, clip, T: int) -> list:
    """Training sequences seen (steps to solve × batch) by each solved run of one setting, in seed order."""
    results = check_results(results)
    return [results.records[c.key]["steps_to_solve"] * c.batch for c in results.configs_of(model, clip, T)
            if c.key in results.records and results.records[c.key]["solved"]]
