"""Runs on a Dask distributed cluster, which never leaves the command waiting in silence.

Each failure ends the sweep with one ``ExperimentError`` that says what happened (the records received so far
are already saved, so the same command resumes): no scheduler answers at the address within ``timeout``
seconds; the scheduler has had no worker for ``timeout`` seconds (none started, or all gone); the connection to
the scheduler was lost. A run that raises on a worker is ``RunFailed``. On any of these, or on Ctrl-C, the
sweep's tasks are cancelled on the cluster.
"""
from __future__ import annotations

import contextlib
import logging
import time
from concurrent.futures import CancelledError

from .._validate import check_callable, check_positive
from .errors import ExperimentError, RunFailed, describe
from .runner import check_device, run_with_versions

POLL = 1.0  # seconds between checks that the cluster still has workers


def run_on_dask(configs, on_record, address: str, device: str = "cpu", timeout: float = 60.0) -> None:
    """Run ``configs`` on the workers of the Dask scheduler at ``address``; ``on_record(config, record)`` here.

    Parameters
    ----------
    configs : list of RunConfig
    on_record : callable
        Called in this process, in the order the runs finish, with ``runner.run_with_versions``'s record.
    address : str
        The scheduler's address, e.g. "tcp://10.0.0.5:8786".
    device : {"cpu", "cuda"}
    timeout : float > 0
        Seconds to wait for the scheduler to answer, and for it to have a worker.
    """
    check_callable("on_record", on_record, "a function (config, record) -> None")
    if not isinstance(address, str):
        raise ValueError(f"address must be the address of a Dask scheduler (str); got {address!r}")
    device, timeout = check_device(device), check_positive("timeout", timeout)
    import distributed  # imported only when a cluster is asked for

    try:
        client = distributed.Client(address, timeout=timeout)
    except OSError as err:  # refused, unreachable, timed out (TimeoutError is an OSError)
        raise ExperimentError(f"no Dask scheduler answered at {address} within {timeout:g} s ({describe(err)}): "
                              "start one (`dask scheduler`) or check the address") from None
    futures = {}
    try:
        futures = {client.submit(run_with_versions, config, device, key=f"rnnlab-run-{config.key}", pure=False):
                   config for config in configs}
        with client.as_current():  # distributed.wait asks for the current client
            _collect(client, futures, on_record, address, timeout)
    except BaseException:
        with _quiet("distributed.client"):  # its tracebacks about a scheduler that is gone would bury our line
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
            client.close()
        raise
    client.close()


@contextlib.contextmanager
def _quiet(name: str):
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _collect(client, futures: dict, on_record, address: str, timeout: float) -> None:
    """Hand each finished run to ``on_record``; stop at the first failure or after ``timeout`` s without workers."""
    import distributed

    pending, idle_since = set(futures), None
    while pending:
        try:
            done, pending = distributed.wait(pending, timeout=POLL, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = ()
        except CancelledError as err:  # the connection to the scheduler was lost
            raise _lost(address, err) from None
        for future in done:
            if future.status == "error":
                raise RunFailed(futures[future], future.exception())
            try:
                record = future.result()
            except CancelledError as err:
                raise _lost(address, err) from None
            on_record(futures[future], record)
        if done:
            idle_since = None
            continue
        try:
            workers = client.scheduler_info()["workers"]
        except OSError as err:
            raise _lost(address, err) from None
        idle_since = None if workers else idle_since or time.monotonic()
        if idle_since is not None and time.monotonic() - idle_since > timeout:
            raise ExperimentError(f"the Dask scheduler at {address} has had no worker for {timeout:g} s: start "
                                  f"workers with `dask worker {address} --nthreads 1`")


def _lost(address: str, err: BaseException) -> ExperimentError:
    groups = getattr(err, "error_groups", None)  # distributed's FuturesCancelledError: the reason of each group
    reason = getattr(err, "reason", None) or (groups[0].reason if groups else None)
    why = f"{type(err).__name__}: {reason}" if reason else describe(err)
    return ExperimentError(f"lost the connection to the Dask scheduler at {address} ({why}): restart it and its "
                           "workers")
