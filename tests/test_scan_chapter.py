"""Chapter 10: the committed timings, the scans' claims, the ring explorer, and the LRU sweeps and their reading."""
import numpy as np
import pytest

from rnnlab import lru, plotting
from rnnlab.chapters import longterm, lru_ring, scan_training, scans
from rnnlab.experiments.sweeps import ADAM_LRS, SEEDS, SWEEPS, TUNED_LR, TUNING_SEEDS, TUNING_SWEEPS
from rnnlab.experiments.sweeps_lru import (LRU_BLOCKING, LRU_CONTROLLED, LRU_HIDDEN, LRU_LAGS, LRU_LR, LRU_MODELS,
                                           LRU_TUNING, OTHERS_CONTROLLED)


def test_the_committed_timings_have_every_model_and_length():
    t = scans.load_timings()
    assert set(t["seconds"]) == set(scans.MODELS) and all(len(v) == len(t["Ts"]) for v in t["seconds"].values())
    assert set(t["scan_seconds"]) == {"loop (numpy)", "chunked (numpy)", "loop (torch)", "chunked (torch)"}
    assert set(t["step_seconds"]) == {"LRU", "torch.nn.LSTM", "LSTM loop (rnnlab)"}
    assert all(np.all(v > 0) for v in [*t["seconds"].values(), *t["scan_seconds"].values()])
    assert "1 thread" in t["machine"] and t["date"].startswith("20")


def test_step_times_measure_every_model_at_every_length():
    times = scans.step_times([4, 8], repeats=1)
    assert set(times) == set(scans.MODELS) and all(v.shape == (2,) and np.all(v > 0) for v in times.values())


@pytest.mark.parametrize("seeds", [(0,), (7, 8)])
def test_scan_and_backward_errors_are_small_for_any_seeds(seeds):
    assert max(scans.scan_errors(seeds, T=200, d=4).values()) < 1e-12
    assert max(scans.backward_errors(seeds, T=50, d=3).values()) < 1e-10


def test_costs_are_the_counted_scans():
    costs = scans.costs([1, 10, 100])
    assert costs["sequential"][0].tolist() == [0, 9, 99] and costs["chunked"][0].tolist() == [0, 15, 189]


@pytest.mark.parametrize("seed", range(5))
def test_the_ring_keeps_every_gain_at_most_one_and_lowers_a_crossed_r_min(seed):
    for nines in (0.5, 1.0, 2.0, 4.0):
        for r_min in (0.0, 0.5, 0.99):
            r = lru_ring.ring(r_min, nines, seed)
            assert np.all(r["gains"] <= 1) and r["gains"][0] == 1 and np.all(np.diff(r["gains"]) <= 0)
            assert r["r_min"] < r["r_max"] and r["clipped"] == (r_min >= r["r_max"])
            assert np.all(np.abs(r["lam"]) <= r["r_max"] + 1e-12)
            assert r["status"] == plotting.classify(r["gains"][-1]) != plotting.EXPLODED


def test_init_profiles_cover_the_four_models():
    p = lru_ring.init_profiles(0, T=30, n=2)
    assert list(p) == ["LRU", "tanh RNN", "LSTM b_f=1", "GRU"] and all(v.shape == (30,) for v in p.values())


def test_the_tuning_sweep_is_every_model_and_rate_on_tuning_seeds():
    configs = SWEEPS["lru-lr"].configs
    assert "lru-lr" in TUNING_SWEEPS
    assert len(configs) == (len(LRU_MODELS) + 1) * len(ADAM_LRS) * len(TUNING_SEEDS)
    for task, (T, steps, settings) in LRU_TUNING.items():
        mine = [c for c in configs if c.task == task]
        assert {(c.T, c.steps, c.clip) for c in mine} == {(T, steps, 1.0)}
        assert {c.seed for c in mine} == set(TUNING_SEEDS) and {c.lr for c in mine} == set(ADAM_LRS)
        assert {c.hidden for c in mine if c.cell == "lru"} == {LRU_HIDDEN[task]}
    assert {c.cell for c in configs if c.task == "copy"} == {"lru"}  # copy-lr tuned the others (Chapter 8)
    assert LRU_LR["copy"][1:] == (TUNED_LR["copy"][0], TUNED_LR["copy"][3], TUNED_LR["copy"][4])


@pytest.mark.parametrize("task", list(scan_training.SWEEP))
def test_chosen_rates_are_the_committed_tuning_runs_best(task):
    tuned = scan_training.tuning(task)
    assert all(sum(t.runs) == len(ADAM_LRS) * len(TUNING_SEEDS) for t in tuned.values()), "lru-lr is unfinished"
    rates = scan_training.rates(task)
    assert all(rates[m] == t.best for m, t in tuned.items())


@pytest.mark.parametrize("task", list(scan_training.SWEEP))
def test_the_lag_sweeps_train_each_model_at_its_rate_with_the_controls(task):
    rate = scan_training.rates(task)
    results = scan_training.runs(task)
    _, steps, settings = LRU_TUNING[task]
    assert set(results.lags) == {LRU_LAGS[task]}
    for c in results.configs:
        assert c.lr == rate[longterm.base_model(longterm.model_name(c))] and c.clip == 1.0 and c.seed in SEEDS
        assert c.steps == steps and c.hidden == (LRU_HIDDEN[task] if c.cell == "lru" else settings["hidden"])
    names = {longterm.model_name(c) for c in results.configs}
    controls = {f"LRU k={LRU_BLOCKING[task]}", "LRU readout"} if task in LRU_CONTROLLED else set()
    names_in_order = list(rate)
    controls |= {f"{names_in_order[m]} k={LRU_BLOCKING[task]}" for m in OTHERS_CONTROLLED.get(task, ())}
    assert names == {"LRU", "tanh RNN", "LSTM b_f=1", "GRU"} | controls


def test_controls_run_exactly_where_a_model_solved():
    """Chapter 8's rule: a control qualifies a "solved"; a model's lag-blocking control runs where it solved."""
    for task in scan_training.SWEEP:
        won = longterm.success(scan_training.runs(task))
        for m, name in enumerate(scan_training.rates(task)):
            controlled = task in LRU_CONTROLLED if m == 0 else m in OTHERS_CONTROLLED.get(task, ())
            assert controlled == (sum(won[(name, 1.0)].solved) > 0), (task, name)


def test_the_blocking_truncation_reaches_no_informative_input():
    """adding_hs: the second marker is never in the last T/2 steps; copy: the symbols are the first 10 steps of
    T + 20, and a loss at any output step reaches back at most to step 11."""
    assert LRU_BLOCKING == {"adding_hs": LRU_LAGS["adding_hs"] // 2, "copy": LRU_LAGS["copy"] + 10}


def test_lru_defaults_are_the_ring_the_book_trains_with():
    assert (lru.R_MIN, lru.R_MAX) == (0.9, 0.999)
    model = lru.LRUClassifier(2, 4, 1)
    mods = np.abs(model.cell.lrus[0].lam().detach().numpy())
    assert mods.min() >= 0.9 - 1e-12 and mods.max() <= 0.999


def test_endings_and_steps_read_the_committed_records():
    adding, copy = scan_training.runs("adding_hs"), scan_training.runs("copy")
    ends = scan_training.endings(adding, "LRU")
    assert [seed for seed, *_ in ends] == list(SEEDS)
    for seed, metric, grad in ends:
        c = next(c for c in adding.configs if c.cell == "lru" and c.seed == seed)
        record = adding.records[c.key]
        assert metric == record["final_metric"] / record["baseline"]
        assert grad == record["grad_norms_final"][-1] / record["grad_norms_init"][-1]
    solved = [copy.records[c.key] for c in copy.configs if longterm.model_name(c) == "LRU"
              and copy.records[c.key]["solved"]]
    assert scan_training.steps_to_solve(copy, "LRU") == [r["steps_to_solve"] for r in solved]
    assert scan_training.endings(adding, "no such model") == []
