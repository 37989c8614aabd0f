"""Tests of rnnlab.experiments: configs and keys, the task registry, pure runs, results files, sweeps, CLI."""
import dataclasses
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from rnnlab import tasks
from rnnlab.experiments import RunConfig, build_model, run, same_outcome, same_record, store
from rnnlab.experiments.__main__ import main
from rnnlab.experiments.parallel import execute, run_sweep, status
from rnnlab.experiments.registry import TASKS, task_spec
from rnnlab.experiments.runner import STEP_SLACK, check_device, cpu_signature, rounded
from rnnlab.experiments.sweeps import SEEDS, SWEEPS, TUNING_SWEEPS, Sweep, get_sweep, grid

TINY = dict(hidden=4, steps=6, batch=4, eval_every=3, eval_size=20)
KEY = ("task=order,T=12,cell=lstm,hidden=8,forget_bias=1.0,clip=0.5,optimizer=adam,lr=0.003,steps=500,batch=32,"
       "eval_every=50,eval_size=500,seed=3")


# --- configs and keys ----------------------------------------------------------------------------------

def test_key_spells_every_field_in_a_fixed_order():
    config = RunConfig("order", 12, cell="lstm", hidden=8, forget_bias=1, clip=0.5, lr=3e-3, seed=3)
    assert config.key == KEY
    same = RunConfig("order", np.int64(12), cell="lstm", hidden=np.int32(8), forget_bias=1.0, clip=np.float64(0.5),
                     lr=0.003, seed=np.int64(3))
    assert same.key == KEY and same == config and type(same.T) is int and type(same.forget_bias) is float


def test_key_is_the_same_in_another_python_process_with_another_hash_seed():
    code = ("from rnnlab.experiments import RunConfig; print(RunConfig('order', 12, cell='lstm', hidden=8, "
            "forget_bias=1, clip=0.5, lr=3e-3, seed=3).key)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == KEY


def test_every_field_changes_the_key_and_the_dict_round_trips():
    base = RunConfig("adding", 10)
    changes = dict(task="latch", T=11, cell="gru", hidden=5, clip=1.0, optimizer="sgd", lr=0.5, steps=7, batch=3,
                   eval_every=2, eval_size=9, seed=1, truncate=2, train="readout")
    keys = {dataclasses.replace(base, **{k: v}).key for k, v in changes.items()}
    keys.add(dataclasses.replace(base, cell="lstm", forget_bias=2.0).key)
    assert len(keys) == len(changes) + 1 and base.key not in keys
    assert RunConfig.from_dict(base.to_dict()) == base
    assert json.loads(json.dumps(base.to_dict())) == base.to_dict()


@pytest.mark.parametrize("kwargs, match", [
    (dict(task="parity", T=5), "task must be one of"),
    (dict(task=["adding"], T=5), "task must be one of"),
    (dict(task="adding", T=0), "T must be at least 1"),
    (dict(task="order", T=9), r"T \(sequence length\) must be at least 10"),
    (dict(task="adding", T=5, cell="lstmm"), "cell must be one of"),
    (dict(task="adding", T=5, cell=None), "cell must be one of"),
    (dict(task="adding", T=5, hidden=0), "hidden must be at least 1"),
    (dict(task="adding", T=5, forget_bias=1.0), "forget_bias applies only to cell='lstm'"),
    (dict(task="adding", T=5, cell="lstm", forget_bias=float("nan")), "forget_bias must be a finite"),
    (dict(task="adding", T=5, clip=0.0), "clip must be None"),
    (dict(task="adding", T=5, lr=-1.0), "lr must be at least 0"),
    (dict(task="adding", T=5, steps=2.5), "steps must be an integer"),
    (dict(task="adding", T=5, eval_size=0), "eval_size must be at least 1"),
    (dict(task="adding", T=5, optimizer="rmsprop"), "optimizer must be one of"),
    (dict(task="adding", T=5, seed=2**64), "seed must be at most 18446744073709551615"),  # torch takes 64 bits
    (dict(task="adding", T=5, seed=-1), "seed must be at least 0"),  # numpy refuses negative seeds
])
def test_config_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RunConfig(**kwargs)


def test_from_dict_refuses_unknown_fields():
    with pytest.raises(ValueError, match="does not know"):
        RunConfig.from_dict({**RunConfig("adding", 5).to_dict(), "momentum": 0.9})
    with pytest.raises(ValueError, match="must be a dict"):
        RunConfig.from_dict([("task", "adding")])


# --- the task registry -----------------------------------------------------------------------------------

def test_registry_criteria():
    assert task_spec("adding").threshold(50) == pytest.approx(0.05 / 6)
    assert task_spec("adding_hs").threshold(50) == pytest.approx(0.05 * 19 / 480)
    assert task_spec("copy").threshold(30) == pytest.approx(0.1 * 10 * np.log(8) / 50)
    assert task_spec("order").baseline(50) == 0.25 and task_spec("latch").baseline(50) == 0.5
    order, adding = task_spec("order"), task_spec("adding")
    assert order.solved(0.99, 10) and not order.solved(0.9899, 10) and not order.solved(float("nan"), 10)
    assert adding.solved(0.0083, 10) and not adding.solved(0.0084, 10) and not adding.solved(float("nan"), 10)
    with pytest.raises(ValueError, match="metric must be a real number"):
        order.solved("0.99", 10)
    for T, match in ((-5, "T must be at least 1"), (2.5, "T must be an integer"), (True, "T must be an integer")):
        with pytest.raises(ValueError, match=match):
            adding.solved(0.001, T)  # T = -5 was "solved"
    assert RunConfig("adding", 5, seed=2**64 - 1).seed == 2**64 - 1


@pytest.mark.parametrize("name", sorted(TASKS))
def test_registry_models_fit_their_tasks(name):
    spec = task_spec(name)
    batch = spec.make(3, 12, np.random.default_rng(0))
    model = build_model(RunConfig(name, 12, **TINY))
    out = model(batch.x)
    assert batch.x.shape[2] == spec.input_size and out.shape[-1] == spec.n_outputs
    assert (out.ndim == 3) == spec.every_step
    from rnnlab.models import loss_function
    assert torch.isfinite(loss_function(spec.loss)(out, batch.y))


def test_build_model_irnn_and_forget_bias():
    irnn = build_model(RunConfig("latch", 5, cell="irnn", hidden=6))
    assert irnn.cell.nonlinearity == "relu" and torch.equal(irnn.cell.weight_hh, torch.eye(6, dtype=torch.float64))
    assert torch.all(irnn.cell.bias_hh == 0) and irnn.readout.weight.dtype == torch.float64
    lstm = build_model(RunConfig("latch", 5, cell="lstm", hidden=6, forget_bias=1.0))
    torch.testing.assert_close(lstm.cell.bias_ih[6:12] + lstm.cell.bias_hh[6:12], torch.ones(6, dtype=torch.float64))
    with pytest.raises(ValueError, match="config must be a RunConfig"):
        build_model({"task": "latch"})


# --- a run is a pure function of its config ---------------------------------------------------------------

def test_run_twice_gives_the_same_record_and_restores_torch_settings():
    config = RunConfig("adding", 8, cell="gru", clip=1.0, **TINY)
    threads = torch.get_num_threads()
    first, second = run(config), run(config)
    assert torch.get_num_threads() == threads and not torch.are_deterministic_algorithms_enabled()
    assert same_record(first, second) and first["wall_time"] > 0
    other = run(dataclasses.replace(config, seed=1))
    assert not same_record(first, other)
    assert len(first["grad_norms_init"]) == 8 and first["metric"] == "mse"
    assert first["baseline"] == rounded(1 / 6) and first["threshold"] == rounded(0.05 / 6)


def test_steps_to_solve_is_the_first_evaluation_that_passes_the_criterion():
    config = RunConfig("latch", 6, cell="lstm", hidden=8, lr=1e-2, steps=100, batch=16, eval_every=10, eval_size=100)
    record = run(config)
    assert record["solved"] and record["final_metric"] >= 0.99 and record["diverged_at"] is None
    at = record["steps_to_solve"]
    assert at is not None and at % 10 == 0 and 0 < at < 100
    until = run(dataclasses.replace(config, steps=at))  # the same data and updates, stopped there: solved at its end
    assert until["solved"] and until["steps_to_solve"] == at
    before = run(dataclasses.replace(config, steps=at - 10))  # one evaluation earlier: never solved
    assert not before["solved"] and before["steps_to_solve"] is None
    copy = run(RunConfig("copy", 3, **TINY))
    assert len(copy["grad_norms_init"]) == 23 and copy["metric"] == "cross_entropy"
    assert copy["baseline"] == rounded(tasks.copy_baseline(3)) and not copy["solved"]


def test_same_record_ignores_only_the_wall_time():
    record = run(RunConfig("latch", 4, **TINY))
    assert same_record(record, {**record, "wall_time": 1e9})
    assert not same_record(record, {**record, "final_metric": record["final_metric"] + 1e-3})
    assert not same_record(record, {k: v for k, v in record.items() if k != "baseline"})
    profile = list(record["grad_norms_final"])
    profile[0] *= 1.001
    assert not same_record(record, {**record, "grad_norms_final": profile})
    with pytest.raises(ValueError, match="a must be a record"):
        same_record(None, record)


def test_same_outcome_allows_what_another_cpu_changes_and_nothing_more():
    config = RunConfig("latch", 4, **TINY)
    record = run(config)
    unsolved = {**record, "solved": False, "steps_to_solve": None, "final_metric": 0.5}
    final = list(record["grad_norms_final"])
    assert same_outcome(record, {**record, "wall_time": 1e9}, config) == []
    assert same_outcome(unsolved, {**unsolved, "final_metric": 0.7}, config) == []  # wanders with the trajectory
    assert same_outcome(record, {**record, "solved": not record["solved"]}, config)[0] == "solved"
    assert same_outcome(record, {**record, "grad_norms_final": [2 * n for n in final]}, config) == []
    assert same_outcome(record, {**record, "grad_norms_final": [final[0] * 1e-7] + final[1:]}, config) != []
    init = list(record["grad_norms_init"])
    assert same_outcome(record, {**record, "grad_norms_init": [init[0] * 1.01] + init[1:]}, config) == [
        "grad_norms_init"]
    slack = max(STEP_SLACK * config.steps, 2 * config.eval_every)
    solved = {**record, "solved": True, "steps_to_solve": 100}
    assert same_outcome(solved, {**solved, "steps_to_solve": 100 + slack}, config) == []
    assert same_outcome(solved, {**solved, "steps_to_solve": 100 + slack + 1}, config) != []
    assert same_outcome(solved, {**solved, "steps_to_solve": None}, config) != []
    assert same_outcome(record, {k: v for k, v in record.items() if k != "baseline"}, config) != []
    with pytest.raises(ValueError, match="config must be the RunConfig"):
        same_outcome(record, record, None)


def test_per_sequence_rule_counts_sequences_within_the_tolerance():
    """``correct`` is the fraction of evaluation sequences with |error| < tolerance, compared like the rest."""
    from rnnlab import models, train

    model = models.RecurrentClassifier(2, 4, 1, cell="rnn")
    with torch.no_grad():  # a model that always predicts 1.0: correct exactly where |1 − y| < tolerance
        model.readout.weight.zero_()
        model.readout.bias.fill_(1.0)
    batch = tasks.adding(400, 6, np.random.default_rng(0))
    expected = float(np.mean(np.abs(1.0 - batch.y.numpy()[:, 0]) < 0.16))
    assert 0.05 < expected < 0.5 and train.fraction_within(model, batch, 0.16) == expected
    assert task_spec("adding").tolerance == 0.16 and task_spec("adding_hs").tolerance == 0.04
    assert task_spec("adding").solved_per_sequence(0.99) and not task_spec("adding").solved_per_sequence(0.989)
    config = RunConfig("adding_hs", 12, cell="gru", clip=1.0, **TINY)
    record = run(config)
    assert 0.0 <= record["correct"] <= 1.0 and "correct" not in run(RunConfig("order", 12, **TINY))
    assert same_record(record, {k: v for k, v in record.items() if k != "correct"})  # a record from before it
    assert not same_record(record, {**record, "correct": record["correct"] + 0.002})
    assert same_outcome(record, {**record, "correct": 0.995}, config) == (
        [] if record["correct"] >= 0.99 else ["correct %s vs 0.995 (the per-sequence rule)" % record["correct"]])


def test_rounded_keeps_four_significant_digits_and_non_finite_values():
    assert rounded(0.123456789) == 0.1235 and rounded(123456.0) == 123500.0 and rounded(1.23456e-30) == 1.235e-30
    assert rounded([1 / 3, float("inf")]) == [0.3333, float("inf")] and np.isnan(rounded(float("nan")))


def test_device_cuda_fails_clearly_without_a_gpu(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="device='cuda' needs a GPU"):
        check_device("cuda")
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda'"):
        run(RunConfig("latch", 4, **TINY), device="tpu")
    assert main(["--results", str(tmp_path), "run", "smoke", "--device", "cuda"]) == 2
    assert "device='cuda' needs a GPU" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing ran, nothing written


# --- sweeps ---------------------------------------------------------------------------------------------

def test_grid_takes_a_tuple_of_values_on_every_axis_even_for_one():
    base = dict(tasks=("latch",), models=({"cell": "rnn"},), lags=(4,), **TINY)
    for axis, value in (("tasks", "latch"), ("lags", 4), ("seeds", 0), ("clips", None), ("models", {"cell": "rnn"}),
                        ("lags", ())):
        with pytest.raises(ValueError, match=f"{axis} must be a non-empty list or tuple"):
            grid("g", "d", **{**base, axis: value})
    with pytest.raises(ValueError, match="models must list dicts"):
        grid("g", "d", **{**base, "models": ("rnn",)})
    with pytest.raises(ValueError, match=r"options may set only .* got \['stepz'\]"):
        grid("g", "d", **base, stepz=3)
    with pytest.raises(ValueError, match=r"models may set only .* got \['T'\]"):
        grid("g", "d", **{**base, "models": ({"cell": "rnn", "T": 5},)})


def test_grid_order_and_duplicates():
    sweep = grid("g", "d", tasks=("latch",), models=({"cell": "rnn"}, {"cell": "gru"}), lags=(4, 5), seeds=(0, 1),
                 **TINY)
    assert [(c.cell, c.T, c.seed) for c in sweep.configs] == [
        ("rnn", 4, 0), ("rnn", 4, 1), ("rnn", 5, 0), ("rnn", 5, 1), ("gru", 4, 0), ("gru", 4, 1), ("gru", 5, 0),
        ("gru", 5, 1)]
    with pytest.raises(ValueError, match="lists a config twice"):
        Sweep("twice", "d", sweep.configs[:1] * 2)
    with pytest.raises(ValueError, match="Sweep name"):
        Sweep("a/b", "d", sweep.configs)
    with pytest.raises(ValueError, match="sweep must be one of"):
        get_sweep("lag-parity")


def test_the_lag_sweeps_cover_every_model_with_and_without_clipping_over_five_seeds():
    assert len(SWEEPS["smoke"]) <= 20
    for name, sweep in SWEEPS.items():
        if name == "smoke" or name in TUNING_SWEEPS:  # tuning sweeps: see the test below
            continue
        cells = {(c.cell, c.forget_bias, c.truncate, c.train, c.clip, c.T): set() for c in sweep.configs}
        for c in sweep.configs:
            cells[(c.cell, c.forget_bias, c.truncate, c.train, c.clip, c.T)].add(c.seed)
        assert all(len(seeds) >= 5 for seeds in cells.values()), name
        if not name.startswith("lag-") or name == "lag-controls":  # latch-budget, the controls, copy-delay,
            continue  # marked-latch and Chapter 5's sweeps cover part of the grid
        assert {c.cell for c in sweep.configs} == {"rnn", "irnn", "lstm", "gru"}
        assert {c.clip for c in sweep.configs} == {None, 1.0} and len({c.T for c in sweep.configs}) >= 4


def test_tuning_sweeps_use_only_tuning_seeds():
    """A tuning sweep chooses a hyperparameter; its seeds must not be the reported ones (``SEEDS``)."""
    for name in TUNING_SWEEPS:
        assert name in SWEEPS and not {c.seed for c in SWEEPS[name].configs} & set(SEEDS), name


# --- results files and the command line --------------------------------------------------------------------

def test_write_atomic_replaces_the_whole_file(tmp_path):
    path = tmp_path / "x.json"
    store.write_atomic(path, {"a": 1})
    store.write_atomic(path, {"b": 2})
    assert json.loads(path.read_text()) == {"b": 2} and [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_results_file_keeps_sweep_order_and_drops_stale_records(tmp_path):
    sweep = grid("tiny", "d", tasks=("latch",), models=({"cell": "rnn"},), lags=(4,), seeds=(0, 1, 2), **TINY)
    results = store.ResultsFile(sweep, tmp_path)
    assert results.missing() == list(sweep.configs)
    records = {c.key: run(c) for c in sweep.configs}
    for c in reversed(sweep.configs):  # finishing out of order
        results.add(c.key, records[c.key])
    data = store.load(tmp_path / "tiny.json")
    assert list(data["records"]) == [c.key for c in sweep.configs] and data["sweep"] == "tiny"
    assert data["configs"][0] == {"key": sweep.configs[0].key, **sweep.configs[0].to_dict()}
    assert data["versions"] == {"rnnlab": store.VERSIONS["rnnlab"], "torch": torch.__version__,
                                "cpu": cpu_signature()}
    changed = grid("tiny", "d", tasks=("latch",), models=({"cell": "rnn"},), lags=(4,), seeds=(0, 1, 2),
                   **{**TINY, "steps": 7})
    reopened = store.ResultsFile(changed, tmp_path)
    assert reopened.stale == 3 and len(reopened.missing()) == 3 and not reopened.records
    with pytest.raises(ValueError, match="is not a config of sweep"):
        results.add("task=latch", records[sweep.configs[0].key])
    with pytest.raises(ValueError, match="record must be a dict"):
        results.add(sweep.configs[0].key, None)


def test_load_refuses_a_file_that_is_not_a_results_file(tmp_path):
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert store.load(tmp_path / "missing.json") is None
    with pytest.raises(ValueError, match="holds no sweep.s results"):
        store.load(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="folder must be a path"):
        store.results_dir(3)


def test_cli_list_status_and_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RNNLAB_PROGRESS", "0")
    smoke = SWEEPS["smoke"]
    assert main(["--results", str(tmp_path), "status", "smoke"]) == 0
    assert f"smoke: 0/{len(smoke)} done, {len(smoke)} missing, 0 stale" in capsys.readouterr().out
    results = store.ResultsFile(smoke, tmp_path)
    first = smoke.configs[0]
    results.add(first.key, run(first))
    assert main(["--results", str(tmp_path), "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^smoke +{len(smoke)} configs +1 done", out, re.M) and "copy-delay" in out
    assert status("smoke", tmp_path)["missing"] == len(smoke) - 1
    with pytest.raises(SystemExit):
        main(["run", "no-such-sweep"])
    assert main(["--results", str(tmp_path), "run", "smoke", "--jobs", "0"]) == 2
    assert "jobs must be at least 1" in capsys.readouterr().err


def test_execute_validates_its_arguments():
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        execute([], print, jobs=0)
    with pytest.raises(ValueError, match="scheduler must be the address"):
        execute([], print, scheduler=8786)
    with pytest.raises(ValueError, match="sweep must be one of"):
        run_sweep("nope")


def test_progress_bar_counts_runs_unless_switched_off(capsys, monkeypatch):
    config, got = RunConfig("latch", 4, **TINY), []
    execute([config], lambda c, r: got.append(c), progress=True)
    assert "runs: 100%" in capsys.readouterr().err and got == [config]
    monkeypatch.setenv("RNNLAB_PROGRESS", "0")
    execute([config], lambda c, r: got.append(c))
    assert "runs" not in capsys.readouterr().err and got == [config, config]
