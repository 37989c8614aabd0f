"""``python -m rnnlab.experiments list | status NAME | run NAME [--jobs N] [--scheduler ADDRESS] [--device D]``."""
from __future__ import annotations

import argparse
import sys

from .parallel import run_sweep, status
from .sweeps import SWEEPS


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
    runner.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = parser.parse_args(argv)
    if args.command == "list":
        for name, sweep in SWEEPS.items():
            s = status(name, args.results)
            print(f"{name:12s} {len(sweep):4d} configs  {s['done']:4d} done  {sweep.description}")
    elif args.command == "status":
        s = status(args.name, args.results)
        print(f"{s['sweep']}: {s['done']}/{s['configs']} done, {s['missing']} missing, {s['stale']} stale "
              f"({s['path']})")
    else:
        try:
            results = run_sweep(args.name, jobs=args.jobs, scheduler=args.scheduler, device=args.device,
                                folder=args.results)
        except ValueError as err:  # e.g. --device cuda without a GPU, --jobs 0
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"{args.name}: {len(results.records)}/{len(results.keys)} done → {results.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
