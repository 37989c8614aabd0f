"""Chapter 10 §10.6: the LRU beside the tanh RNN, the LSTM (b_f = 1) and the GRU at lags Chapter 8 did not reach —
committed runs (``experiments.sweeps_lru``). Nothing here trains.

- ``tuning(task)``: every model's ``lru-lr`` runs on the tuning seeds (Chapter 8's rule, ``longterm_tuning.Tuning``);
  on copy the LRU's alone (Chapter 8's ``copy-lr`` tuned the others). ``sweeps_lru.LRU_LR`` holds the choice.
- ``runs(task)``: the LRU and its controls (``lru-adding`` / ``lru-copy``) joined with the other models'
  runs at their rates (``…-others``); ``table`` prints runs solved of 5 per model.
"""
from __future__ import annotations

from .._validate import check_choice
from ..experiments.sweeps_lru import LRU_LAGS, LRU_LR, LRU_MODELS, OTHERS_CONTROLLED
from .init_lag import table as _table
from .longterm import Results, base_model, check_results, load, model_name
from .longterm_controls import join
from .longterm_tuning import tuning as _tuning, tuning_table as _tuning_table

SWEEP = {"adding_hs": "lru-adding", "copy": "lru-copy"}


def _task(task) -> str:
    return check_choice("task", task, SWEEP)


def tuning(task: str, folder=None) -> dict:
    """Model name -> ``longterm_tuning.Tuning`` of its ``lru-lr`` runs on ``task``."""
    return _tuning(load("lru-lr", folder, task=_task(task)))


def tuning_table(task: str, folder=None) -> list:
    """Lines of text: each tuned model's runs solved at each rate on ``task`` and the rate chosen
    (``longterm_tuning.tuning_table``)."""
    return _tuning_table(tuning(task, folder))


def rates(task: str) -> dict:
    """Model name -> its Adam rate on ``task`` (``sweeps_lru.LRU_LR``), in ``LRU_MODELS`` order."""
    names = {"lru": "LRU", "rnn": "tanh RNN", "lstm": "LSTM b_f=1", "gru": "GRU"}
    return {names[m["cell"]]: lr for m, lr in zip(LRU_MODELS, LRU_LR[_task(task)])}


def runs(task: str, folder=None) -> Results:
    """The LRU's runs and controls on ``task`` beside the other models' at their rates and their controls."""
    task = _task(task)
    parts = [load(SWEEP[task], folder), load(SWEEP[task] + "-others", folder)]
    if task in OTHERS_CONTROLLED:
        parts.append(load(SWEEP[task] + "-controls", folder))
    return join(*parts)


def table(results: Results, task: str) -> list:
    """Lines of text: per model (and control), runs solved of 5 at the lag, with its Adam rate."""
    rate = rates(task)
    return _table(results, {m: rate[base_model(m)] for m in results.models})


def lag(task: str) -> int:
    """The lag the models were trained at on ``task``."""
    return LRU_LAGS[_task(task)]


def endings(results: Results, model: str) -> list:
    """Per run of ``model`` (seed order): (seed, final metric / the input-blind baseline, ‖∂L/∂h_T‖ at the end / at
    the start) — whether a run that failed settled on the baseline and stopped learning."""
    results = check_results(results)
    out = []
    for c in results.configs:
        record = results.records.get(c.key)
        if record and model_name(c) == model:
            out.append((c.seed, record["final_metric"] / record["baseline"],
                        record["grad_norms_final"][-1] / record["grad_norms_init"][-1]))
    return out


def steps_to_solve(results: Results, model: str) -> list:
    """The steps at which each solved run of ``model`` first met the criterion (seed order)."""
    results = check_results(results)
    return [results.records[c.key]["steps_to_solve"] for c in results.configs
            if model_name(c) == model and c.key in results.records and results.records[c.key]["solved"]]
