"""Reproducible experiments: a run is a pure function of its config; sweeps are named lists of configs.

- ``registry``  the tasks the runner knows, with their baselines and success criteria (written once)
- ``config``    ``RunConfig`` (frozen, with a stable text ``key``) and ``build_model``
- ``runner``    ``run(config) -> record``, deterministic; ``same_record`` compares all but the wall time (same
  machine), ``same_outcome`` what another CPU must reproduce
- ``store``     results files ``rnnlab/experiments/results/NAME.json`` (shipped with the package), written
  atomically after every run; ``locking``: one writer per file
- ``sweeps``    ``SWEEPS``: the named sweeps
- ``parallel``  run a sweep's missing configs here, in ``--jobs`` processes (``pool``) or on a Dask cluster
  (``cluster``), stopping at the first failure with one clear ``errors`` message

Command line: ``python -m rnnlab.experiments list``, ``status NAME``, ``run NAME [--jobs N]
[--scheduler ADDRESS [--timeout SECONDS]] [--device cpu|cuda]`` (progress bar off with ``RNNLAB_PROGRESS=0``).
"""
from .config import RunConfig, build_model
from .registry import TASKS, TaskSpec
from .runner import COMPARED, run, same_outcome, same_record
from .sweeps import SWEEPS, Sweep, get_sweep, grid

__all__ = ["COMPARED", "RunConfig", "SWEEPS", "Sweep", "TASKS", "TaskSpec", "build_model", "get_sweep", "grid",
           "run", "same_outcome", "same_record"]
