"""Chapter 11 §11.5's committed runs: the settings in ``sweeps_reservoir`` are the tuning runs' choices, the compared
sweeps exist once they are chosen, and the tables read every model at every lag."""
import pytest

from rnnlab.chapters import reservoir_runs
from rnnlab.chapters.longterm import load, model_name
from rnnlab.experiments import RunConfig
from rnnlab.experiments.sweeps import SEEDS, SWEEPS, TUNING_SWEEPS
from rnnlab.experiments.sweeps_reservoir import ESN_CHOSEN, RESERVOIR_LAGS, TRAINED_LR

TASKS = tuple(ESN_CHOSEN)


@pytest.mark.parametrize("task", TASKS)
def test_the_chosen_settings_are_the_tuning_runs_choices(task):
    if ESN_CHOSEN[task] is None:
        pytest.skip(f"{task}: not chosen yet")
    assert reservoir_runs.esn_tuning(task).best == ESN_CHOSEN[task]
    tuned = reservoir_runs.trained_tuning(task)
    assert tuple(tuned[m].best for m in ("tanh RNN", "LSTM b_f=1")) == TRAINED_LR[task]
    assert all(sum(t.runs) == 8 for t in tuned.values())  # 4 rates × 2 tuning seeds, all finished


@pytest.mark.parametrize("task", TASKS)
def test_a_compared_sweep_exists_once_its_settings_are_chosen_with_every_model_at_every_lag(task):
    name = reservoir_runs.SWEEP[task]
    assert (name in SWEEPS) == (ESN_CHOSEN[task] is not None and None not in TRAINED_LR[task])
    if name not in SWEEPS:
        pytest.skip(f"{task}: not chosen yet")
    compared, results = load(name), reservoir_runs.runs(task)
    assert compared.lags == RESERVOIR_LAGS[task] and set(compared.seeds) == set(SEEDS)
    assert compared.models == ("ESN H=200", "ESN H=32", "ESN H=200 ρ=0", "tanh RNN", "LSTM b_f=1")
    assert len(compared.configs) == 5 * len(SEEDS) * len(compared.lags)
    assert results.models[:5] == compared.models and results.lags == compared.lags
    lines = reservoir_runs.table(results)
    assert len(lines) == 1 + len(results.models) and all(f"T={T}" in lines[0] for T in results.lags)


def test_the_tuning_sweep_is_a_tuning_sweep_on_seeds_that_are_not_the_reported_ones():
    assert "reservoir-tuning" in TUNING_SWEEPS
    assert not {c.seed for c in SWEEPS["reservoir-tuning"].configs} & set(SEEDS)


def test_reservoirs_are_named_by_their_size_and_their_recurrence():
    esn = dict(cell="esn", leak=1.0, train="ridge", ridge=1e-6)
    assert model_name(RunConfig("recall", 5, hidden=200, radius=0.9, **esn)) == "ESN H=200"
    assert model_name(RunConfig("recall", 5, hidden=200, radius=0.0, **esn)) == "ESN H=200 ρ=0"
    assert model_name(RunConfig("recall", 5, cell="rnn", train="ridge", ridge=1e-6)) == "tanh RNN ridge"


def test_the_controls_block_the_lag_where_a_trained_model_solved_recall_and_nowhere_else():
    if "reservoir-recall-controls" not in SWEEPS:
        pytest.skip("no trained model solved recall")
    compared = load("reservoir-recall")
    solved = {(model_name(c), c.T) for c in compared.configs
              if c.cell != "esn" and compared.records.get(c.key, {}).get("solved")}
    controls = SWEEPS["reservoir-recall-controls"].configs
    blocked = [c for c in controls if c.truncate is not None]
    readout = [c for c in controls if c.train == "readout"]
    assert len(blocked) + len(readout) == len(controls)
    assert {(model_name(c).split(" k=")[0], c.T) for c in blocked} == solved
    assert {(model_name(c).removesuffix(" readout"), c.T) for c in readout} == solved
    assert all(c.truncate == c.T for c in blocked)  # the recalled input lies T steps before the last
