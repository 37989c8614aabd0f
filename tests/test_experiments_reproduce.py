"""The committed results files reproduce: they match their sweep definitions, and a sample of runs re-runs.

(a) From every committed file, a deterministic sample of ``SAMPLE`` configs is re-run and must give the committed
record's outcome (``same_outcome``: exact where another CPU's arithmetic cannot matter, within a stated slack
where training amplifies it — equality holds only on a machine with the same vector kernels, and two runs on
one machine are compared exactly by ``test_experiments.py``): among the configs of the file's shortest lag (the
cheapest runs, so that the test stays fast as sweeps are added; every model and seed has runs there), those
with the smallest SHA-256 of their keys, as long as their committed run times add up to at most ``BUDGET_S`` — and
where the first alone costs more, the cheapest of those ``SAMPLE`` (at least one config per file: copy-delay's
H = 128 runs take 13–48 s each, and re-ran 4 of them for 150–280 s; copy-lr's first by hash took 155 s). Where
that one config alone costs more than ``BUDGET_S`` and its record has the curve (``runner``), only its first steps
are re-run, as many evaluations as the budget buys: their curve, initial profile and divergence must be the
committed ones (exact on a CPU like this one; on another, the initial profile within ``INIT_SLACK`` and the curve
within ``PREFIX_SLACK``: training has amplified the last bits for a fraction of its steps only). The whole run of
every config is re-run by ``make reproduce`` (a run of Chapter 10's LRU at T = 200 takes 5–6 minutes).
(b) Every committed file lists exactly its sweep's configs, in order, with a record for each: no missing, extra
or stale configs (a config whose key changed is stale).
"""
import dataclasses
import hashlib
import math
import os
from pathlib import Path

import pytest

from rnnlab.experiments import COMPARED, RunConfig, run, same_outcome, same_record, store
from rnnlab.experiments.runner import INIT_SLACK, VERSIONS
from rnnlab.experiments.registry import task_spec
from rnnlab.experiments.runner import rounded
from rnnlab.experiments.sweeps import SWEEPS

FILES = sorted(Path(store.RESULTS).glob("*.json"))
SAMPLE = 4  # configs re-run per results file, at most
BUDGET_S = 40  # seconds of committed run time re-run per results file, at most (but always one config, or its prefix)
PREFIX_SLACK = 0.05  # relative: a prefix's curve against the committed one, made on another CPU
FULL = os.environ.get("RNNLAB_REPRODUCE") == "full"  # ``make reproduce``: every sampled config re-run in full


def _sample(data):
    """[(key, steps)]: the configs re-run and how many of their steps (all, or a prefix the budget buys). Configs
    without a record (a sweep still running) are not sampled; ``test_results_file_matches_its_sweep_exactly`` fails
    on such a file."""
    done = [c for c in data["configs"] if c["key"] in data["records"]]
    if not done:
        return []
    shortest = min(c["T"] for c in done)
    keys = sorted((c["key"] for c in done if c["T"] == shortest),
                  key=lambda k: hashlib.sha256(k.encode()).hexdigest())[:SAMPLE]
    cost = {k: data["records"][k]["wall_time"] for k in keys}
    spent = [sum(cost[k] for k in keys[:n + 1]) for n in range(len(keys))]
    chosen = keys[:sum(t <= BUDGET_S for t in spent)]
    config = {c["key"]: c for c in data["configs"]}
    if chosen:
        return [(k, config[k]["steps"]) for k in chosen]
    key = min(keys, key=cost.get)
    curve, steps, every = data["records"][key].get("curve"), config[key]["steps"], config[key]["eval_every"]
    if FULL or curve is None:
        return [(key, steps)]
    return [(key, min(steps, every * max(1, math.floor(BUDGET_S / cost[key] * steps / every))))]


def test_the_smoke_sweep_is_committed():
    assert store.RESULTS / "smoke.json" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_results_file_matches_its_sweep_exactly(path):
    data = store.load(path)
    assert data["sweep"] == path.stem and path.stem in SWEEPS, f"{path.name}: no sweep called {path.stem}"
    sweep = SWEEPS[path.stem]
    configs = {c.key: c for c in sweep.configs}
    expected = [{"key": c.key, **c.to_dict()} for c in sweep.configs]
    committed = {c["key"] for c in data["configs"]}
    stale = sorted(committed - {c.key for c in sweep.configs})
    assert not stale, f"{path.name}: {len(stale)} stale or extra config(s), e.g. {stale[0]}"
    assert data["configs"] == expected, f"{path.name}: configs differ from the sweep's (missing or reordered)"
    assert list(data["records"]) == [c.key for c in sweep.configs], f"{path.name}: records missing or extra"
    for key, record in data["records"].items():  # the task's criterion has not changed since (it is not in the key)
        config, spec = configs[key], task_spec(configs[key].task)
        assert set(COMPARED) <= set(record) and record["metric"] == spec.metric
        assert record["baseline"] == rounded(spec.baseline(config.T)), f"{key}: baseline changed"
        assert record["threshold"] == rounded(spec.threshold(config.T)), f"{key}: success criterion changed"
        assert record["solved"] == spec.solved(record["final_metric"], config.T)
        assert record["steps_to_solve"] is None or 0 <= record["steps_to_solve"] <= config.steps
        if "correct" in record:  # the per-sequence rule: regression tasks only, a fraction
            assert spec.tolerance is not None and 0 <= record["correct"] <= 1, key
    assert {"rnnlab", "torch"} <= set(data["versions"]) <= {"rnnlab", "torch", "cpu"}


@pytest.mark.parametrize("path, key, steps", [(p, k, s) for p in FILES for k, s in _sample(store.load(p))],
                         ids=lambda v: v.name if isinstance(v, Path) else
                         f"steps={v}" if isinstance(v, int) else v.split(",seed")[0][:60])
def test_a_sample_of_committed_runs_reproduces(path, key, steps):
    data = store.load(path)
    config = RunConfig.from_dict({k: v for k, v in data["configs"][[c["key"] for c in data["configs"]].index(key)]
                                  .items() if k != "key"})
    assert config.key == key
    committed = data["records"][key]
    made_with = committed.get("versions", data["versions"])
    if steps < config.steps:
        _check_prefix(run(dataclasses.replace(config, steps=steps)), committed, steps, made_with == VERSIONS)
        return
    record = run(config)
    if made_with == VERSIONS:  # with these versions, on a CPU like this one: the very same numbers
        differ = [f for f in COMPARED if record.get(f) != committed.get(f)]
        assert same_record(record, committed), f"{key}: fields differ: {differ}"
    else:
        differ = same_outcome(record, committed, config)
        assert differ == [], f"{key} (made with {made_with}): {differ}"


def _check_prefix(short, committed, steps, exact):
    """A run cut to the first ``steps`` of the committed run's steps against the committed record (see the
    module docstring): the same divergence (if within the prefix), initial profile and curve so far."""
    n, d = len(short["curve"]), committed["diverged_at"]
    assert n >= 2 and len(committed["curve"]) >= n, f"curves of {n} and {len(committed['curve'])} evaluations"
    diverged = d if d is not None and d <= steps else None
    if exact:
        assert short["diverged_at"] == diverged
        assert short["grad_norms_init"] == committed["grad_norms_init"]
        assert short["curve"] == committed["curve"][:n], (short["curve"], committed["curve"][:n])
    else:
        assert (short["diverged_at"] is None) == (diverged is None)
        assert all(math.isclose(u, v, rel_tol=INIT_SLACK) for u, v in
                   zip(short["grad_norms_init"], committed["grad_norms_init"], strict=True))
        assert all(math.isclose(u, v, rel_tol=PREFIX_SLACK) for u, v in zip(short["curve"], committed["curve"][:n]))


def test_a_prefix_run_matches_the_committed_curve_so_far_and_a_changed_one_fails():
    config = RunConfig("recall", 3, hidden=8, steps=40, eval_every=10, eval_size=50, clip=1.0, lr=0.01)
    full, short = run(config), run(dataclasses.replace(config, steps=20))
    assert short["curve"] == full["curve"][:3] and len(full["curve"]) == 5
    _check_prefix(short, full, 20, exact=True)
    _check_prefix(short, {**full, "curve": [v * (1 + 0.1 * PREFIX_SLACK) for v in full["curve"]]}, 20, exact=False)
    for changed, exact in (({"curve": [full["curve"][0] * 1.001] + full["curve"][1:]}, True),
                           ({"curve": [v * (1 + 2 * PREFIX_SLACK) for v in full["curve"]]}, False),
                           ({"diverged_at": 15}, True),
                           ({"grad_norms_init": [0.0] * len(full["grad_norms_init"])}, False)):
        with pytest.raises(AssertionError):
            _check_prefix(short, {**full, **changed}, 20, exact)
