"""``python -m rnnlab.experiments list | status NAME | run NAME [--jobs N] [--scheduler ADDRESS] [--device D]``.

Exit status: 0 done; 1 the sweep could not go on (a failed run, a corrupt or unwritable results file, a sweep
already running, a lost cluster), said in one line on stderr with how to go on; 2 a bad argument; 128 + the
signal's number when stopped by Ctrl-C (130) or SIGTERM (143). The records saved so far are always kept.
``kill -USR1 PID`` makes a running command print every thread's stack to stderr and go on (to see where it waits).
"""
from __future__ import annotations

import argparse
import contextlib
import faulthandler
import signal
import sys
import threading

from .errors import ExperimentError
from .parallel import TIMEOUT, run_sweep, status
from .runner import VERSIONS
from .store import ResultsFile, version_label
from .sweeps import SWEEPS


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs."""


@contextlib.contextmanager
def _sigterm_as_interrupt():
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def terminate(signum, frame):
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fail(err: BaseException) -> None:
    print("\n".join([f"error: {err}", *getattr(err, "__notes__", [])]), file=sys.stderr)


def _list(folder) -> int:
    bad = 0
    for name, sweep in SWEEPS.items():
        try:
            done = f"{len(ResultsFile(sweep, folder).records):4d} done"
        except ExperimentError as err:  # one bad file: say so, and list the others
            _fail(err)
            done, bad = "unreadable", bad + 1
        print(f"{name:12s} {len(sweep):4d} configs  {done}  {sweep.description}")
    return 1 if bad else 0


def _status(name: str, folder) -> int:
    try:
        s = status(name, folder)
    except ExperimentError as err:
        _fail(err)
        return 1
    print(f"{s['sweep']}: {s['done']}/{s['configs']} done, {s['missing']} missing, {s['stale']} stale "
          f"({s['path']})")
    for label, count in s["other_versions"].items():
        print(f"  {count} record(s) made with {label}, not with this {version_label(VERSIONS)}")
    return 0


def _run(args) -> int:
    try:
        with _sigterm_as_interrupt():
            results = run_sweep(args.name, jobs=args.jobs, scheduler=args.scheduler, device=args.device,
                                folder=args.results, timeout=args.timeout)
    except KeyboardInterrupt as err:
        signum = signal.SIGTERM if isinstance(err, _Terminated) else signal.SIGINT
        print("\n".join([f"{args.name}: stopped by {signum.name}", *getattr(err, "__notes__", [])]), file=sys.stderr)
        return 128 + signum
    except ExperimentError as err:
        _fail(err)
        return 1
    except ValueError as err:  # e.g. --device cuda without a GPU, --jobs 0
        _fail(err)
        return 2
    print(f"{args.name}: {len(results.records)}/{len(results.keys)} done → {results.path}")
    return 0


def main(argv=None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m rnnlab.experiments", description=__doc__)
    parser.add_argument("--results", default=None, help="folder of results files (default rnnlab/experiments/results)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the sweeps, their sizes and how many runs are done")
    commands.add_parser("status", help="progress of one sweep").add_argument("name", choices=sorted(SWEEPS))
    runner = commands.add_parser("run", help="run the missing configs of a sweep")
    runner.add_argument("name", choices=sorted(SWEEPS))
    runner.add_argument("--jobs", type=int, default=1, help="worker processes on this machine (default 1)")
    runner.add_argument("--scheduler", default=None, help="address of a Dask distributed scheduler")
    runner.add_argument("--timeout", type=float, default=TIMEOUT,
                        help=f"seconds to wait for the Dask scheduler to answer and to have a worker "
                             f"(default {TIMEOUT:g})")
    runner.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list(args.results)
    if args.command == "status":
        return _status(args.name, args.results)
    return _run(args)


if __name__ == "__main__":
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 PID` prints where every thread of a running sweep is, to stderr
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    sys.exit(main())
