"""Chapter 6 §6.3 after Henaff et al. (2016): the recipes' tuned rates, the init-lag sweep and its reading."""
import pytest

from rnnlab.chapters import init_lag, longterm
from rnnlab.experiments.sweeps import (ADAM_LRS, INIT_CONTROLS, INIT_LAGS, INIT_LR, INIT_TASK_MODELS, INIT_TUNING,
                                       SEEDS, SWEEPS, TUNING_SEEDS, TUNING_SWEEPS)


def test_the_tuning_sweep_is_every_recipe_and_rate_on_tuning_seeds_at_one_lag():
    configs = SWEEPS["init-lr"].configs
    assert "init-lr" in TUNING_SWEEPS
    assert len(configs) == sum(len(m) for m in INIT_TASK_MODELS.values()) * len(ADAM_LRS) * len(TUNING_SEEDS)
    for task, (T, steps, settings) in INIT_TUNING.items():
        mine = [c for c in configs if c.task == task]
        assert {(c.T, c.steps, c.clip, c.hidden) for c in mine} == {(T, steps, 1.0, settings["hidden"])}
        assert {c.seed for c in mine} == set(TUNING_SEEDS) and {c.lr for c in mine} == set(ADAM_LRS)


@pytest.mark.parametrize("task", init_lag.TASKS)
def test_chosen_rates_are_the_committed_tuning_runs_best(task):
    tuned = init_lag.tuning(task)
    assert all(sum(t.runs) == len(ADAM_LRS) * len(TUNING_SEEDS) for t in tuned.values()), "init-lr is unfinished"
    assert tuple(t.best for t in tuned.values()) == INIT_LR[task]
    assert tuple(init_lag.rates(task).values()) == INIT_LR[task] and list(init_lag.rates(task)) == list(tuned)


@pytest.mark.parametrize("task", init_lag.TASKS)
def test_init_lag_trains_each_recipe_at_its_rate_with_the_tunings_settings(task):
    rate = init_lag.rates(task)
    T, steps, settings = INIT_TUNING[task]
    results = init_lag.runs(task)
    for c in results.configs:
        assert c.lr == rate[longterm.base_model(longterm.model_name(c))] and c.clip == 1.0 and c.seed in SEEDS
        assert (c.steps, c.hidden, c.batch, c.eval_size) == (steps, settings["hidden"], settings["batch"],
                                                             settings["eval_size"])
    full = init_lag.full(results)
    assert list(full.models) == list(rate) and set(INIT_LAGS[task]) <= set(full.lags)
    for name, m, lags, control in ((n, m, l, c) for t, m, l, c in INIT_CONTROLS if t == task
                                   for n in [list(rate)[m]]):
        for T in lags:  # every control has its full-BPTT runs at the same lag and seeds
            assert len(full.configs_of(name, 1.0, T)) == len(SEEDS)


def test_controls_and_full_split_the_runs():
    results = init_lag.runs("copy")
    full, ctl = init_lag.full(results), init_lag.controls(results)
    assert len(full.configs) + len(ctl.configs) == len(results.configs)
    assert all(m.endswith(("k=1", "readout")) for m in ctl.models) and ctl.models
    assert not any(m.endswith(("k=1", "readout")) for m in full.models)


def test_table_marks_missing_lags():
    lines = init_lag.table(init_lag.full(init_lag.runs("copy")), init_lag.rates("copy"))
    assert lines[0].split()[:2] == ["model", "lr"] and len(lines) == 1 + len(INIT_TASK_MODELS["copy"])
    tanh = next(line for line in lines if line.startswith("tanh orth."))
    assert tanh.rstrip().endswith("–")  # no tanh run at delay 80


def test_references_are_chapter_8s_other_models():
    assert "IRNN" not in init_lag.references("adding_hs").models
    assert {"GRU", "LSTM"} <= set(init_lag.references("adding_hs").models)
    assert "GRU" in init_lag.references("copy").models


@pytest.mark.parametrize("call", [lambda: init_lag.rates("adding"), lambda: init_lag.tuning("latch"),
                                  lambda: init_lag.runs(3), lambda: init_lag.references("order")])
def test_bad_task_is_a_clear_error(call):
    with pytest.raises(ValueError, match="task must be one of"):
        call()


@pytest.mark.parametrize("call", [lambda: init_lag.full("init-lag"), lambda: init_lag.table(None)])
def test_bad_results_is_a_clear_error(call):
    with pytest.raises(ValueError, match="results must be a longterm.Results"):
        call()
