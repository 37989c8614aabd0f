"""Run the missing configs of a sweep: in this process, in ``jobs`` processes, or on a Dask cluster.

Whatever runs them, this process alone receives each record as it finishes and writes it to the results file
(``store.ResultsFile.add``), so an interrupted sweep has lost at most the runs that were in flight.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from tqdm.auto import tqdm

from .._validate import check_int
from .runner import check_device, run
from .store import ResultsFile
from .sweeps import get_sweep


def execute(configs, on_record, jobs: int = 1, scheduler: str | None = None, device: str = "cpu",
            progress: bool | None = None) -> None:
    """Run every config and call ``on_record(config, record)`` in this process as each one finishes.

    Parameters
    ----------
    configs : list of RunConfig
    on_record : callable
        Called once per config, in the order the runs finish.
    jobs : int ≥ 1
        1: one after the other here; more: that many worker processes (spawned, so each starts clean).
    scheduler : str, optional
        Address of a Dask distributed scheduler (e.g. "tcp://10.0.0.5:8786"); the runs are submitted to its
        workers (``jobs`` is then ignored). The workers need rnnlab and the same torch installed, and one
        thread each (``threads_per_worker=1``): a run sets torch's thread count, which is per process.
    device : {"cpu", "cuda"}
    progress : bool, optional
        tqdm bar; None: on unless the environment sets RNNLAB_PROGRESS=0.
    """
    configs = list(configs)
    jobs = check_int("jobs", jobs, low=1)
    device = check_device(device)
    if scheduler is not None and not isinstance(scheduler, str):
        raise ValueError(f"scheduler must be the address of a Dask scheduler (str) or None; got {scheduler!r}")
    if progress is None:
        progress = os.environ.get("RNNLAB_PROGRESS", "1") != "0"
    bar = tqdm(total=len(configs), disable=not progress, desc="runs")
    try:
        if scheduler is not None:
            _on_dask(configs, on_record, scheduler, device, bar)
        elif jobs == 1:
            for config in configs:
                on_record(config, run(config, device))
                bar.update()
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = {pool.submit(run, config, device): config for config in configs}
                for future in as_completed(futures):
                    on_record(futures[future], future.result())
                    bar.update()
    finally:
        bar.close()


def _on_dask(configs, on_record, address, device, bar) -> None:
    import distributed  # imported only when a cluster is asked for

    with distributed.Client(address) as client:
        futures = {client.submit(run, config, device, key=f"rnnlab-run-{config.key}", pure=False): config
                   for config in configs}
        for future in distributed.as_completed(futures):
            on_record(futures[future], future.result())
            bar.update()


def run_sweep(name: str, jobs: int = 1, scheduler: str | None = None, device: str = "cpu", folder=None,
              progress: bool | None = None) -> ResultsFile:
    """Run the configs of sweep ``name`` that have no record yet, saving each record as it finishes.

    Returns the (now complete) ``store.ResultsFile``; ``folder`` overrides where results files live.
    """
    results = ResultsFile(get_sweep(name), folder)
    if results.stale:
        print(f"{name}: dropped {results.stale} stale record(s) (config no longer in the sweep, or judged by "
              "another baseline or criterion)")
    execute(results.missing(), lambda config, record: results.add(config.key, record), jobs=jobs,
            scheduler=scheduler, device=device, progress=progress)
    return results


def status(name: str, folder=None) -> dict:
    """How far sweep ``name`` is: ``{"sweep", "configs", "done", "missing", "stale", "path"}``."""
    results = ResultsFile(get_sweep(name), folder)
    return {"sweep": name, "configs": len(results.keys), "done": len(results.records),
            "missing": len(results.missing()), "stale": results.stale, "path": str(results.path)}
