"""A sweep survives being killed, and runs the same in worker processes and on a local Dask cluster.

Records computed here are compared exactly (``same_record``) with records computed here by another route, and
with the committed ``rnnlab/experiments/results/smoke.json`` by outcome (``same_outcome``: another machine's CPU
may have made it).
"""
import os
import signal
import subprocess
import sys
import time

import pytest

from rnnlab.experiments import run, same_outcome, same_record, store
from rnnlab.experiments.parallel import execute, run_sweep
from rnnlab.experiments.sweeps import SWEEPS

SMOKE = SWEEPS["smoke"]
COMMITTED = store.load(store.RESULTS / "smoke.json")


def _records(path):
    try:
        return store.load(path)["records"]
    except (TypeError, ValueError):  # not written yet (a torn file would raise here too, and fail below)
        return {}


def test_a_sweep_killed_midway_resumes_without_losing_or_duplicating_a_record(tmp_path):
    path = tmp_path / "smoke.json"
    env = {**os.environ, "RNNLAB_PROGRESS": "0", "OMP_NUM_THREADS": "1"}
    child = subprocess.Popen([sys.executable, "-m", "rnnlab.experiments", "--results", str(tmp_path), "run", "smoke"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (path.exists() and _records(path)) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)  # no cleanup, no flush: as if the machine lost power
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    done = _records(path)
    assert 1 <= len(done) < len(SMOKE), "kill the sweep after its first record and before its last"
    configs = {c.key: c for c in SMOKE.configs}
    for key, record in done.items():  # what was persisted is whole and right
        assert same_record(record, run(configs[key]))
    results = run_sweep("smoke", folder=tmp_path, progress=False)
    assert len(results.records) == len(SMOKE)
    final = store.load(path)
    assert list(final["records"]) == list(COMMITTED["records"]) and final["configs"] == COMMITTED["configs"]
    for key, record in final["records"].items():
        assert same_outcome(record, COMMITTED["records"][key], configs[key]) == [], key
    assert {k: final["records"][k]["wall_time"] for k in done} == {k: r["wall_time"] for k, r in done.items()}


def test_jobs_run_in_worker_processes_and_give_the_committed_records():
    configs, got = SMOKE.configs[-3:], {}
    execute(configs, lambda c, r: got.setdefault(c.key, r), jobs=2, progress=False)
    assert sorted(got) == sorted(c.key for c in configs)
    assert all(same_record(got[c.key], run(c)) for c in configs)  # a worker computes what this process does
    assert all(same_outcome(got[c.key], COMMITTED["records"][c.key], c) == [] for c in configs)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning", "ignore::UserWarning")
def test_a_local_dask_cluster_gives_the_committed_records(tmp_path):
    distributed = pytest.importorskip("distributed")
    configs, got = SMOKE.configs[-3:], {}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:
        execute(configs, lambda c, r: got.setdefault(c.key, r), scheduler=cluster.scheduler_address, progress=False)
        workers = len(cluster.scheduler_info["workers"])
    assert workers == 2 and sorted(got) == sorted(c.key for c in configs)
    assert all(same_record(got[c.key], run(c)) for c in configs)
    assert all(same_outcome(got[c.key], COMMITTED["records"][c.key], c) == [] for c in configs)
