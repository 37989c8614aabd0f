"""The committed results files reproduce: they match their sweep definitions, and a sample of runs re-runs.

(a) From every committed file, a deterministic sample of ``SAMPLE`` configs is re-run and must give the committed
record's outcome (``same_outcome``: exact where another CPU's arithmetic cannot matter, within a stated slack
where training amplifies it — equality holds only on a machine with the same vector kernels, and two runs on
one machine are compared exactly by ``test_experiments.py``): among the configs of the file's shortest lag (the
cheapest runs, so that the test stays fast as sweeps are added; every model and seed has runs there), those
with the smallest SHA-256 of their keys, as long as their committed run times add up to at most ``BUDGET_S`` — and
where the first alone costs more, the cheapest of those ``SAMPLE`` (at least one config per file: copy-delay's
H = 128 runs take 13–48 s each, and re-ran 4 of them for 150–280 s; copy-lr's first by hash took 155 s).
(b) Every committed file lists exactly its sweep's configs, in order, with a record for each: no missing, extra
or stale configs (a config whose key changed is stale).
"""
import hashlib
from pathlib import Path

import pytest

from rnnlab.experiments import COMPARED, RunConfig, run, same_outcome, same_record, store
from rnnlab.experiments.runner import VERSIONS
from rnnlab.experiments.registry import task_spec
from rnnlab.experiments.runner import rounded
from rnnlab.experiments.sweeps import SWEEPS

FILES = sorted(Path(store.RESULTS).glob("*.json"))
SAMPLE = 4  # configs re-run per results file, at most
BUDGET_S = 40  # seconds of committed run time re-run per results file, at most (but always one config)


def _sample(data):
    shortest = min(c["T"] for c in data["configs"])
    keys = sorted((c["key"] for c in data["configs"] if c["T"] == shortest),
                  key=lambda k: hashlib.sha256(k.encode()).hexdigest())[:SAMPLE]
    cost = {k: data["records"][k]["wall_time"] for k in keys}
    spent = [sum(cost[k] for k in keys[:n + 1]) for n in range(len(keys))]
    return keys[:sum(t <= BUDGET_S for t in spent)] or [min(keys, key=cost.get)]


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


@pytest.mark.parametrize("path, key", [(p, k) for p in FILES for k in _sample(store.load(p))],
                         ids=lambda v: v.name if isinstance(v, Path) else v.split(",seed")[0][:60])
def test_a_sample_of_committed_runs_reproduces(path, key):
    data = store.load(path)
    config = RunConfig.from_dict({k: v for k, v in data["configs"][[c["key"] for c in data["configs"]].index(key)]
                                  .items() if k != "key"})
    assert config.key == key
    committed, record = data["records"][key], run(config)
    made_with = committed.get("versions", data["versions"])
    if made_with == VERSIONS:  # with these versions, on a CPU like this one: the very same numbers
        differ = [f for f in COMPARED if record.get(f) != committed.get(f)]
        assert same_record(record, committed), f"{key}: fields differ: {differ}"
    else:
        differ = same_outcome(record, committed, config)
        assert differ == [], f"{key} (made with {made_with}): {differ}"
