"""The experiment runner under faults: corrupt and unwritable results files, two writers, failed runs and saves,
Ctrl-C, SIGTERM and SIGKILL with worker processes, records of other versions, a Dask cluster that is not there,
has no worker or goes away.

Every wait polls for a condition with a generous deadline (a loaded 2-core machine is slow); nothing sleeps a
fixed time and assumes.
"""
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from rnnlab.experiments import RunConfig, parallel, pool, store
from rnnlab.experiments.__main__ import main
from rnnlab.experiments.errors import ExperimentError, ResultsFileError, RunFailed
from rnnlab.experiments.locking import hold
from rnnlab.experiments.registry import task_spec
from rnnlab.experiments.runner import VERSIONS, rounded
from rnnlab.experiments.sweeps import SWEEPS, grid

TINY = dict(hidden=4, steps=6, batch=4, eval_every=3, eval_size=20)
DEADLINE = 120  # seconds: how long a condition may take to come true on a loaded machine
ENV = {**os.environ, "RNNLAB_PROGRESS": "0", "OMP_NUM_THREADS": "1"}
CORRUPT = {  # what a results file can hold that is not one, and what load says about it
    "torn": (b'{"sweep": "smoke", "configs": [], "rec', "is not valid JSON"),
    "empty": (b"", "is empty"),
    "not-utf8": (b'{"sweep": "\xff\xfe"}', "is not UTF-8 text"),
    "record-not-a-mapping": (b'{"sweep": "smoke", "configs": [], "records": {"k": [1, 2]}}',
                             "has a record that is not a mapping"),
    "list": (b"[1, 2]", "holds no sweep's results"),
}


def _until(condition, what: str, deadline: float = DEADLINE):
    """Poll ``condition()`` until it is truthy (and return it), or fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"not within {deadline} s: {what}")


def _fake_record(config, **changes):
    """A record with the task's baseline and threshold (else the store drops it as stale)."""
    spec = task_spec(config.task)
    return {"solved": False, "steps_to_solve": None, "final_metric": 0.5, "metric": spec.metric,
            "baseline": rounded(spec.baseline(config.T)), "threshold": rounded(spec.threshold(config.T)),
            "diverged_at": None, "grad_norms_init": [1.0] * config.T, "grad_norms_final": [1.0] * config.T,
            "wall_time": 0.0, **changes}


def _alive(pid: int) -> bool:
    """Is ``pid`` running (a zombie, dead but not reaped by its new parent, counts as gone)?"""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid: int) -> list:
    """The live processes whose parent is ``pid``, with their command lines."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and _alive(int(entry)):
            found.append((int(entry), cmdline))
    return found


def _has_watchdog(pid: int) -> bool:
    """Has worker ``pid`` started the thread that watches its parent (``pool.WATCHDOG``)?"""
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/comm", "rb") as f:
                if f.read().strip() == pool.WATCHDOG:
                    return True
        except OSError:
            continue
    return False


# --- bad results files and folders ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", CORRUPT)
def test_a_corrupt_results_file_is_named_kept_and_does_not_stop_list(kind, tmp_path, capsys):
    content, problem = CORRUPT[kind]
    path = tmp_path / "smoke.json"
    path.write_bytes(content)
    with pytest.raises(ResultsFileError, match=problem) as err:
        store.load(path)
    assert f"results file {path} {problem}" in str(err.value) and f"git checkout -- {path}" in str(err.value)
    assert "delete it to re-run its sweep" in str(err.value) and isinstance(err.value, ValueError)
    for command in (["status", "smoke"], ["run", "smoke"], ["list"]):
        assert main(["--results", str(tmp_path), *command]) == 1, command
        out, errors = capsys.readouterr()
        assert errors.count("error: ") == 1 and str(path) in errors and "Traceback" not in errors
        if command == ["list"]:  # the other sweeps are listed
            assert "smoke" in out and "unreadable" in out and "lag-adding" in out and "0 done" in out
    assert path.read_bytes() == content and sorted(p.name for p in tmp_path.iterdir()) == ["smoke.json"]


def test_an_unwritable_results_folder_is_refused_before_any_run(tmp_path, capsys, monkeypatch):
    (tmp_path / "file").write_text("a file, not a folder")  # unwritable even for root, unlike chmod
    monkeypatch.setattr(parallel, "run_with_versions", lambda *a: pytest.fail("a run started"))
    assert main(["--results", str(tmp_path / "file" / "results"), "run", "smoke"]) == 1
    errors = capsys.readouterr().err
    assert "cannot write to the results folder" in errors and "--results" in errors and "Traceback" not in errors


def test_write_atomic_serialises_first_and_uses_a_temporary_file_of_its_own(tmp_path):
    path = tmp_path / "x.json"
    store.write_atomic(path, {"a": 1})
    with pytest.raises(ValueError, match="cannot be written as JSON"):
        store.write_atomic(path, {"a": {1, 2}})
    assert json.loads(path.read_text()) == {"a": 1} and [p.name for p in tmp_path.iterdir()] == ["x.json"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as any new file, not 0600 as mkstemp's
    errors, big = [], {"records": {str(i): list(range(50)) for i in range(200)}}

    def write(n):
        try:
            for i in range(20):
                store.write_atomic(path, {**big, "writer": n, "i": i})
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for w in writers:
        w.start()
    while any(w.is_alive() for w in writers):  # a reader never sees half a file
        data = json.loads(path.read_text())
        assert set(data) in ({"a"}, {"records", "writer", "i"})
    for w in writers:
        w.join()
    assert not errors and [p.name for p in tmp_path.iterdir()] == ["x.json"]


# --- one writer per results file ----------------------------------------------------------------------------

def test_a_second_run_of_a_running_sweep_stops_at_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(parallel, "run_with_versions", lambda *a: pytest.fail("a run started"))
    with hold(tmp_path / "smoke.json"):
        assert main(["--results", str(tmp_path), "run", "smoke"]) == 1
        assert f"sweep smoke is already running (pid {os.getpid()})" in capsys.readouterr().err
        with pytest.raises(ExperimentError, match="already running"):
            parallel.run_sweep("smoke", folder=tmp_path)
        assert main(["--results", str(tmp_path), "status", "smoke"]) == 0  # readers take no lock
    assert not list(tmp_path.iterdir())  # released, lock file removed


def test_a_killed_writer_leaves_no_lock_and_its_temporary_files_are_cleared(tmp_path):
    (tmp_path / "smoke.json.lock").write_text("999999999\n")  # its holder was killed: the kernel freed the lock
    (tmp_path / "smoke.json.k1ll3d.tmp").write_text('{"sweep": "sm')
    with hold(tmp_path / "smoke.json"):
        assert (tmp_path / "smoke.json.lock").read_text() == f"{os.getpid()}\n"
        results = store.ResultsFile(SWEEPS["smoke"], tmp_path)
        assert results.remove_temporaries() == [tmp_path / "smoke.json.k1ll3d.tmp"]
    assert not list(tmp_path.iterdir())


# --- failures stop the sweep at once ----------------------------------------------------------------------

def test_a_failed_save_stops_the_sweep_keeping_what_was_written(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RNNLAB_PROGRESS", "0")
    writes, runs = [], []
    write, run = store.write_atomic, parallel.run_with_versions

    def full_disk(path, data):
        writes.append(path)
        if len(writes) > 1:
            raise OSError(28, "No space left on device")
        write(path, data)

    monkeypatch.setattr(store, "write_atomic", full_disk)
    monkeypatch.setattr(parallel, "run_with_versions", lambda *a: runs.append(a) or run(*a))
    assert main(["--results", str(tmp_path), "run", "smoke"]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0].startswith("error: saving the record of run task=") and "No space left on device" in errors[0]
    assert errors[1] == (f"1/{len(SWEEPS['smoke'])} records of smoke are saved in {tmp_path / 'smoke.json'}; run the "
                         "same command again to resume") and len(errors) == 2
    assert len(runs) == 2 and len(store.load(tmp_path / "smoke.json")["records"]) == 1


def test_the_first_failed_run_stops_the_worker_pool_at_once():
    good = RunConfig("latch", 4, **TINY)
    bad = dataclasses.replace(good, seed=1)
    object.__setattr__(bad, "hidden", 0)  # past the checks: it fails in its worker
    slow = [dataclasses.replace(good, steps=10**8, eval_every=10**7, seed=s) for s in range(2, 6)]  # hours each
    failed = []

    def sweep():
        try:
            parallel.execute([bad, *slow], lambda c, r: None, jobs=2, progress=False)
        except RunFailed as err:
            failed.append(err)

    thread = threading.Thread(target=sweep, daemon=True)
    thread.start()
    thread.join(DEADLINE)  # waiting for the queue would take hours
    assert not thread.is_alive() and len(failed) == 1 and failed[0].config == bad
    assert str(failed[0]).startswith(f"run {bad.key} failed: ValueError: hidden_size must be at least 1")


def test_a_failed_run_says_which_in_one_line():
    config = RunConfig("latch", 4, **TINY)
    err = RunFailed(config, ValueError("first line\nTraceback (most recent call last):\n  ..."))
    assert str(err) == f"run {config.key} failed: ValueError: first line" and err.config == config


@pytest.mark.parametrize("signum, jobs", [(signal.SIGINT, 2), (signal.SIGTERM, 1), (signal.SIGKILL, 2)],
                         ids=["SIGINT-jobs2", "SIGTERM-jobs1", "SIGKILL-jobs2"])
def test_a_stopped_or_killed_run_ends_at_once_and_leaves_no_worker_behind(signum, jobs, tmp_path):
    """Ctrl-C and SIGTERM stop `run` within seconds, keeping the records; SIGKILL takes the workers along."""
    sweep = SWEEPS["lag-latch"]  # runs of 15-50 s: its queue would take 20 min with 2 jobs
    saved = store.ResultsFile(sweep, tmp_path)
    saved.add(sweep.configs[-1].key, _fake_record(sweep.configs[-1]))
    before = (tmp_path / "lag-latch.json").read_bytes()
    lock, log = tmp_path / "lag-latch.json.lock", tmp_path / "stderr.txt"
    with open(log, "w") as stderr:
        # as from a terminal: SIGINT handled (a shell starts a background job with SIGINT ignored — `nohup … &` in a
        # script — and Python then installs no Ctrl-C handler: the runs went on after the test's SIGINT)
        child = subprocess.Popen([sys.executable, "-m", "rnnlab.experiments", "--results", str(tmp_path), "run",
                                  "lag-latch", "--jobs", str(jobs)], env={**ENV, "RNNLAB_PROGRESS": "1"},
                                 stdout=subprocess.DEVNULL, stderr=stderr,
                                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def started():  # its progress bar is up (the runs have begun); with jobs, both workers are ready
        children = _children(child.pid)
        ready = sum(_has_watchdog(p) for p, _ in children) == (jobs if jobs > 1 else 0)
        return (children or True) if ready and "runs:" in log.read_text() else None

    try:
        workers = _until(started, "the sweep started")
        child.send_signal(signum)
        try:
            child.wait(60)  # its runs in flight take longer: they are not waited for
        except subprocess.TimeoutExpired:  # say where it hangs: the command line dumps its threads on SIGUSR1
            child.send_signal(signal.SIGUSR1)
            _until(lambda: "Thread 0x" in log.read_text() or None, "the stuck command's traceback")
            pytest.fail(f"`run` did not end within 60 s of {signum.name}; its threads:\n{log.read_text()[-6000:]}")
    finally:
        child.kill()
    errors = log.read_text()
    if jobs > 1:  # the workers and multiprocessing's resource tracker
        _until(lambda: not any(_alive(p) for p, _ in workers), "the worker processes have exited")
    assert (tmp_path / "lag-latch.json").read_bytes() == before
    if signum == signal.SIGKILL:
        return
    assert child.returncode == 128 + signum and "Traceback" not in errors
    assert f"lag-latch: stopped by {signum.name}" in errors and "1/200 records of lag-latch are saved" in errors
    assert not lock.exists()


# --- versions ---------------------------------------------------------------------------------------------

def test_records_keep_the_versions_they_were_made_with(tmp_path):
    sweep = grid("tiny", "d", tasks=("latch",), models=({"cell": "rnn"},), lags=(4,), seeds=(0, 1), **TINY)
    old = {"rnnlab": "0.0.9", "torch": "1.13.0"}
    first, second = sweep.configs
    store.write_atomic(tmp_path / "tiny.json", {"sweep": "tiny", "versions": old, "configs": [],
                                                "records": {first.key: _fake_record(first)}})
    resumed = store.ResultsFile(sweep, tmp_path)
    resumed.add(second.key, _fake_record(second))  # this process's versions
    data = store.load(tmp_path / "tiny.json")
    assert data["versions"] == old and "versions" not in data["records"][first.key]
    assert data["records"][second.key]["versions"] == VERSIONS
    reopened = store.ResultsFile(sweep, tmp_path)
    assert reopened.made_with == {first.key: old, second.key: VERSIONS}
    assert reopened.other_versions() == {"rnnlab 0.0.9, torch 1.13.0": 1} and "versions" not in reopened.records[
        second.key]
    assert reopened.data() == data  # rewriting relabels nothing


@pytest.mark.parametrize("name", sorted(p.stem for p in store.RESULTS.glob("*.json")))
def test_committed_results_files_load_and_rewrite_unchanged(name):
    committed = store.load(store.RESULTS / f"{name}.json")
    results = store.ResultsFile(SWEEPS[name], store.RESULTS)
    assert results.data() == committed and not results.stale


def test_status_reports_records_of_other_versions(tmp_path, capsys):
    smoke = SWEEPS["smoke"]
    results = store.ResultsFile(smoke, tmp_path)
    results.add(smoke.configs[0].key, _fake_record(smoke.configs[0], versions={"rnnlab": "0.0.9", "torch": "1.0"}))
    assert main(["--results", str(tmp_path), "status", "smoke"]) == 0
    out = capsys.readouterr().out
    assert "smoke: 1/20 done" in out and "1 record(s) made with rnnlab 0.0.9, torch 1.0, not with this" in out


# --- Dask ---------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_dask_scheduler_at_the_address(tmp_path, capsys):
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    assert main(["--results", str(tmp_path), "run", "smoke", "--scheduler", address, "--timeout", "1"]) == 1
    errors = capsys.readouterr().err
    assert f"no Dask scheduler answered at {address} within 1 s" in errors and "Traceback" not in errors
    assert "0/20 records of smoke are saved" in errors


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning", "ignore::UserWarning")
def test_a_dask_scheduler_without_workers_or_gone_ends_the_sweep_with_a_message():
    distributed = pytest.importorskip("distributed")
    config = RunConfig("latch", 4, **TINY)
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", processes=True, dashboard_address=None) as cluster:
        with pytest.raises(ExperimentError, match="has had no worker for 4 s: start workers with `dask worker"):
            parallel.execute([config], print, scheduler=cluster.scheduler_address, timeout=4, progress=False)
    cluster = distributed.LocalCluster(n_workers=0, host="127.0.0.1", processes=True, dashboard_address=None)
    address, failed = cluster.scheduler_address, []

    def sweep():
        try:
            parallel.execute([config], print, scheduler=address, timeout=DEADLINE, progress=False)
        except ExperimentError as err:
            failed.append(err)

    thread = threading.Thread(target=sweep, daemon=True)
    try:
        thread.start()
        _until(lambda: cluster.scheduler.tasks, "the run submitted")
    finally:
        cluster.close()  # the scheduler goes away
    thread.join(DEADLINE)
    assert not thread.is_alive() and len(failed) == 1
    assert str(failed[0]).startswith(f"lost the connection to the Dask scheduler at {address}")
