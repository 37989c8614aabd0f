"""Runs in local worker processes that stop at the first failure and never outlive this process.

The workers are spawned (each starts clean) and ignore Ctrl-C, which is this process's to handle. They die with
this process however it ends, even by SIGKILL: on Linux the kernel kills them when it dies
(``prctl(PR_SET_PDEATHSIG)``), and everywhere a watchdog thread in each worker exits once its parent has gone
(``os.getppid()`` changes). With the workers goes multiprocessing's resource tracker, which exits when the last
process holding its pipe has. On the first failure, on Ctrl-C or on SIGTERM (which the command line raises as
KeyboardInterrupt), the queued runs are cancelled and the workers stopped at once — the run in flight is lost,
the records already handed to ``on_record`` are not.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from .._validate import check_callable, check_int
from .errors import RunFailed
from .runner import check_device, run_with_versions

WATCH = 1.0  # seconds between a worker's checks that its parent is still alive
WATCHDOG = b"rnnlab-watchdog"  # the watchdog thread's name, also for the OS (ps -L, /proc/PID/task/*/comm)
PR_SET_PDEATHSIG, PR_SET_NAME = 1, 15  # from linux/prctl.h: the signal on the parent's death; a thread's name


def run_in_processes(configs, on_record, jobs: int, device: str = "cpu") -> None:
    """Run ``configs`` in ``jobs`` spawned worker processes; call ``on_record(config, record)`` here as each ends.

    Parameters
    ----------
    configs : list of RunConfig
    on_record : callable
        Called in this process, in the order the runs finish, with ``runner.run_with_versions``'s record.
    jobs : int ≥ 1
        Worker processes.
    device : {"cpu", "cuda"}

    Raises
    ------
    errors.RunFailed
        At the first run that raised (or whose worker died), after stopping the others.
    """
    check_callable("on_record", on_record, "a function (config, record) -> None")
    jobs, device = check_int("jobs", jobs, low=1), check_device(device)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(run_with_versions, config, device): config for config in configs}
        for future in as_completed(futures):
            try:
                record = future.result()
            except Exception as err:  # the run's own error, or BrokenProcessPool if its worker died
                raise RunFailed(futures[future], err) from err
            on_record(futures[future], record)
    except BaseException:  # a failed run or save, Ctrl-C, SIGTERM: stop now, not after the queue
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued runs and end the workers, without waiting for the runs in flight."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public handle before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + 5
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1)


def _start_worker(parent: int) -> None:
    """A worker's initializer: leave Ctrl-C to the parent, and die with it.

    (The kernel sends the signal when the *thread* that started the worker ends: the one calling
    ``run_in_processes``, which outlives the pool.)
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the prctl took effect (or while this worker was starting)
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name=WATCHDOG.decode(), daemon=True).start()


def _prctl(option: int, value) -> None:
    """Linux's prctl(2), if there is one."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(option, value)


def _watch(parent: int) -> None:
    _prctl(PR_SET_NAME, ctypes.c_char_p(WATCHDOG))  # names this thread for the OS: the worker is ready
    while os.getppid() == parent:
        time.sleep(WATCH)
    os._exit(1)  # no cleanup: the parent, which would receive the record, is gone
