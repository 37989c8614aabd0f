"""Chapter 6 §6.3: the initialisations trained over the lag, after Henaff, Szlam & LeCun (2016) — committed runs.

Four recipes for W_hh (``sweeps.INIT_MODELS``): a tanh RNN with W_hh orthogonal or Gaussian (N(0, 1/H)), and the
linear-transition RNN of ``rnnlab.ltrnn`` (h_t = W_hh h_{t−1} + b_hh + tanh(W_xh x_t + b_ih), Henaff et al.'s LT-RNN)
with W_hh orthogonal or the identity; on Hochreiter & Schmidhuber's adding problem also the IRNN. Two tasks: copy
memory (H = 128) and H&S's adding problem (``adding_hs``, whose k = 1 controls all failed in Chapter 8).

- ``init-lr`` chooses each recipe's Adam rate on the tuning seeds (``longterm_tuning.tuning``, Chapter 8's rule);
  ``sweeps.INIT_LR`` holds the choice and a test checks it against the committed runs.
- ``init-lag`` trains each recipe at its rate on the reported seeds over the lag, clipped, and runs the controls
  (``sweeps.INIT_CONTROLS``): truncated BPTT with k = 1, and for the LT-RNN on copy the readout alone.

Chapter 8's runs of the other models at their own rates are the reference rows (``references``). Nothing here trains.
"""
from __future__ import annotations

from .._validate import check_choice
from ..experiments.sweeps import INIT_LR, INIT_TASK_MODELS, SWEEPS
from .longterm import Results, base_model, check_results, load, model_name, success
from .longterm_controls import join
from .longterm_tuning import at_tuned_rates, tuning as _tuning

TASKS = ("copy", "adding_hs")


def _task(task) -> str:
    return check_choice("task", task, TASKS)


def tuning(task: str, folder=None) -> dict:
    """Recipe name -> ``longterm_tuning.Tuning`` of its ``init-lr`` runs on ``task``."""
    return _tuning(load("init-lr", folder, task=_task(task)))


def rates(task: str) -> dict:
    """Recipe name -> its chosen Adam rate on ``task`` (``sweeps.INIT_LR``), in the sweep's order."""
    task = _task(task)
    return {model_name(c): lr for c, lr in zip(_first_configs(task), INIT_LR[task])}


def _first_configs(task: str) -> list:
    """One config per recipe of ``task`` (the names come from the configs, as everywhere in the chapters)."""
    seen = {}
    for c in SWEEPS["init-lr"].configs:
        if c.task == task:
            seen.setdefault(model_name(c), c)
    assert len(seen) == len(INIT_TASK_MODELS[task])
    return list(seen.values())


def runs(task: str, folder=None) -> Results:
    """The ``init-lag`` runs of ``task``: full BPTT and the controls (their names end in "k=1" or "readout")."""
    return load("init-lag", folder, task=_task(task))


def full(results: Results) -> Results:
    """The full-BPTT runs of ``results`` (no control)."""
    results = check_results(results)
    return join(results, models=[m for m in results.models if base_model(m) == m])


def controls(results: Results) -> Results:
    """The control runs of ``results`` (truncated BPTT, readout only)."""
    results = check_results(results)
    return join(results, models=[m for m in results.models if base_model(m) != m])


def references(task: str, folder=None) -> Results:
    """Chapter 8's runs of the other models on ``task``, clipped: copy at each model's tuned rate
    (``longterm_tuning.at_tuned_rates``), H&S's adding problem at Adam 0.01 for every model (``adding-hs``; the IRNN
    is left out, it is tuned here)."""
    if _task(task) == "copy":
        return at_tuned_rates("copy", folder)
    hs = load("adding-hs", folder)
    return join(hs, models=[m for m in hs.models if base_model(m) == m != "IRNN"])


def comparison(task: str, folder=None) -> tuple:
    """``(results, rate)``: init-lag's full-BPTT runs of ``task`` beside Chapter 8's reference rows, and every row's
    Adam rate (model name -> lr)."""
    mine, refs = full(runs(task, folder)), references(task, folder)
    rate = {**rates(task), **{model_name(c): c.lr for c in refs.configs}}
    return join(mine, refs), rate


def table(results: Results, rate: dict | None = None) -> list:
    """Lines of text: runs solved of those finished per model (rows) and lag (columns), clipped; "–" where a model
    has no run at a lag. ``rate`` (model -> Adam rate) adds a column."""
    results = check_results(results)
    won = success(results)
    lags = results.lags
    width = max([11] + [len(m) + 1 for m in results.models])
    head = f"{'model':{width}}" + (f"{'lr':>7}" if rate else "") + "".join(f"{f'T={T}':>8}" for T in lags)
    lines = [head]
    for m in results.models:
        s = won[m, 1.0]
        cells = [f"{s.solved[i]}/{s.runs[i]}" if s.runs[i] else "–" for i in range(len(lags))]
        lr = f"{rate[m]:>7g}" if rate else ""
        lines.append(f"{m:{width}}" + lr + "".join(f"{c:>8}" for c in cells))
    return lines
