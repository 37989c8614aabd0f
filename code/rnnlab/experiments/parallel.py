"""Run the missing configs of a sweep: in this process, in ``jobs`` processes (``pool``) or on Dask (``cluster``).

Whatever runs them, this process alone receives each record as it finishes and writes it to the results file
(``store.ResultsFile.add``), holding the file's lock (``locking``) for the whole sweep, so an interrupted sweep
has lost at most the runs that were in flight. The first failure — a run that raises, a record that cannot be
saved, a lost cluster, Ctrl-C, SIGTERM — stops the sweep at once: the queued runs are cancelled, the records
written so far are kept, and the error (``errors``) says what happened and that the same command resumes.
"""
from __future__ import annotations

import os

from tqdm.auto import tqdm

from .._validate import check_int, check_positive
from .cluster import run_on_dask
from .errors import ExperimentError, RunFailed
from .locking import hold
from .pool import run_in_processes
from .runner import check_device, run_with_versions
from .store import ResultsFile, results_path
from .sweeps import get_sweep

TIMEOUT = 60.0  # seconds to wait for a Dask scheduler to answer, and for it to have a worker


def _check_options(jobs, scheduler, device, timeout) -> None:
    check_int("jobs", jobs, low=1)
    check_device(device)
    if scheduler is not None and not isinstance(scheduler, str):
        raise ValueError(f"scheduler must be the address of a Dask scheduler (str) or None; got {scheduler!r}")
    check_positive("timeout", timeout)


def execute(configs, on_record, jobs: int = 1, scheduler: str | None = None, device: str = "cpu",
            progress: bool | None = None, timeout: float = TIMEOUT) -> None:
    """Run every config and call ``on_record(config, record)`` in this process as each one finishes.

    Parameters
    ----------
    configs : list of RunConfig
    on_record : callable
        Called once per config, in the order the runs finish, with ``runner.run_with_versions``'s record (``run``'s
        plus the ``versions`` it was made with).
    jobs : int ≥ 1
        1: one after the other here; more: that many worker processes (spawned, so each starts clean).
    scheduler : str, optional
        Address of a Dask distributed scheduler (e.g. "tcp://10.0.0.5:8786"); the runs are submitted to its
        workers (``jobs`` is then ignored). The workers need rnnlab and the same torch installed, and one
        thread each (``threads_per_worker=1``): a run sets torch's thread count, which is per process.
    device : {"cpu", "cuda"}
    progress : bool, optional
        tqdm bar; None: on unless the environment sets RNNLAB_PROGRESS=0.
    timeout : float > 0
        Dask only: seconds to wait for the scheduler to answer, and for it to have a worker.

    Raises
    ------
    errors.RunFailed
        At the first run that raised, once the others are stopped; ``errors.ExperimentError`` if the cluster
        cannot be reached, has no worker or is lost. Whatever ``on_record`` raises stops the runs too.
    """
    configs = list(configs)
    _check_options(jobs, scheduler, device, timeout)
    if progress is None:
        progress = os.environ.get("RNNLAB_PROGRESS", "1") != "0"
    bar = tqdm(total=len(configs), disable=not progress, desc="runs")

    def finished(config, record):
        on_record(config, record)
        bar.update()

    try:
        if scheduler is not None:
            run_on_dask(configs, finished, scheduler, device, timeout)
        elif jobs == 1:
            for config in configs:
                try:
                    record = run_with_versions(config, device)
                except Exception as err:
                    raise RunFailed(config, err) from err
                finished(config, record)
        else:
            run_in_processes(configs, finished, jobs, device)
    finally:
        bar.close()


def run_sweep(name: str, jobs: int = 1, scheduler: str | None = None, device: str = "cpu", folder=None,
              progress: bool | None = None, timeout: float = TIMEOUT) -> ResultsFile:
    """Run the configs of sweep ``name`` that have no record yet, saving each record as it finishes.

    Returns the (now complete) ``store.ResultsFile``; ``folder`` overrides where results files live. Before any
    run: the options are checked, the results file's lock is taken (``errors.ExperimentError`` if the folder is
    not writable or the sweep is already running) and the file is read (``errors.ResultsFileError`` if it is
    corrupt: it is left as it is). An error during the runs carries a note of how many records are saved.
    """
    sweep = get_sweep(name)
    _check_options(jobs, scheduler, device, timeout)
    with hold(results_path(sweep.name, folder)):
        results = ResultsFile(sweep, folder)
        results.remove_temporaries()
        if results.stale:
            print(f"{name}: dropped {results.stale} stale record(s) (config no longer in the sweep, or judged by "
                  "another baseline or criterion)")

        def save(config, record):
            try:
                results.add(config.key, record)
            except OSError as err:  # disk full, folder gone or made read-only
                raise ExperimentError(f"saving the record of run {config.key} to {results.path} failed "
                                      f"({err.strerror or err})") from err

        try:
            execute(results.missing(), save, jobs=jobs, scheduler=scheduler, device=device, progress=progress,
                    timeout=timeout)
        except (ExperimentError, KeyboardInterrupt) as err:
            note = (f"{len(results.records)}/{len(results.keys)} records of {name} are saved in {results.path}; "
                    "run the same command again to resume")
            err.__notes__ = [*getattr(err, "__notes__", []), note]  # add_note, also before Python 3.11
            raise
    return results


def status(name: str, folder=None) -> dict:
    """How far sweep ``name`` is: ``{"sweep", "configs", "done", "missing", "stale", "other_versions", "path"}``.

    ``other_versions`` counts the records made under other rnnlab or torch versions than this process's, by
    version label (``store.version_label``). Raises ``errors.ResultsFileError`` if the file is corrupt.
    """
    results = ResultsFile(get_sweep(name), folder)
    return {"sweep": name, "configs": len(results.keys), "done": len(results.records),
            "missing": len(results.missing()), "stale": results.stale, "other_versions": results.other_versions(),
            "path": str(results.path)}
