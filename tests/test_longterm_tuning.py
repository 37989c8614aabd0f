"""Chapter 8's fair comparison: each model's learning rate chosen on tuning seeds, then its runs at that rate."""
import dataclasses

import pytest

from rnnlab.chapters import longterm, longterm_tuning as lt
from rnnlab.experiments.sweeps import (ADAM_LRS, LAG_SWEEP, LR_TUNING, MODELS, SEEDS, SWEEPS, TUNED_LR,
                                       TUNING_SEEDS, TUNING_SWEEPS)


def test_best_rate_is_most_solved_then_fewest_steps_then_shortfall():
    t = lt.Tuning("LSTM", (0.001, 0.003, 0.01), (1, 2, 2), (2, 2, 2), (4000, 900, 400), (0.5, 0.0, 0.0))
    assert t.best == 0.01
    assert dataclasses.replace(t, steps=(4000, 400, 400)).best == 0.003  # tie on steps: the smaller rate
    none = lt.Tuning("LSTM", (0.001, 0.003, 0.01), (0, 0, 0), (2, 2, 2), (6000, 6000, 6000), (0.9, 0.7, 0.95))
    assert none.best == 0.003  # nothing solved: the rate that came closest


def test_the_tuning_sweeps_cover_every_model_and_rate_on_tuning_seeds_only():
    for task, (T, steps, _) in LR_TUNING.items():
        configs = SWEEPS[f"{task}-lr"].configs
        assert f"{task}-lr" in TUNING_SWEEPS and len(configs) == len(MODELS) * len(ADAM_LRS) * len(TUNING_SEEDS)
        assert {c.seed for c in configs} == set(TUNING_SEEDS) and not set(TUNING_SEEDS) & set(SEEDS)
        assert {(c.T, c.steps, c.clip) for c in configs} == {(T, steps, 1.0)} and 0.01 in ADAM_LRS
        lag = SWEEPS[LAG_SWEEP[task]].configs  # the tuning runs differ from the lag sweep's only in seed and rate
        assert {(c.hidden, c.batch, c.eval_size, c.steps) for c in configs} == {
            (c.hidden, c.batch, c.eval_size, c.steps) for c in lag}


@pytest.mark.parametrize("task", sorted(TUNED_LR))
def test_chosen_rates_are_the_committed_tuning_runs_best(task):
    tuning = lt.tuning(longterm.load(f"{task}-lr"))
    assert tuning and all(sum(t.runs) == len(ADAM_LRS) * len(TUNING_SEEDS) for t in tuning.values())
    assert tuple(t.best for t in tuning.values()) == TUNED_LR[task]


@pytest.mark.parametrize("task", sorted(TUNED_LR))
def test_tuned_runs_are_every_model_at_its_rate_over_the_lag_sweeps_lags(task):
    tuned = lt.at_tuned_rates(task)
    lag = longterm.load(LAG_SWEEP[task])
    rates = lt.rates(task)
    assert tuple(rates.values()) == TUNED_LR[task]
    assert tuned.models == lag.models and tuned.lags == lag.lags and tuned.complete
    for c in tuned.configs:
        assert c.lr == rates[longterm.model_name(c)] and c.clip == 1.0 and c.seed in SEEDS
    assert len(tuned.configs) == len(MODELS) * len(lag.lags) * len(SEEDS)
    sweep = SWEEPS.get(f"{task}-tuned")  # only the models whose rate is not 0.01
    assert {c.lr for c in (sweep.configs if sweep else ())} == set(TUNED_LR[task]) - {0.01}
    lines = lt.comparison_table(lag, tuned)
    assert len(lines) == 1 + len(MODELS) and all("→" in line for line in lines[1:])


def test_bad_calls_name_the_argument():
    with pytest.raises(ValueError, match="task must be one of"):
        lt.rates("latch")
    with pytest.raises(ValueError, match="task must be one of"):
        lt.at_tuned_rates("parity")
    with pytest.raises(ValueError, match="results must be a longterm.Results"):
        lt.tuning("order-lr")
    with pytest.raises(ValueError, match="results must be a longterm.Results"):
        lt.comparison_table(None, None)
