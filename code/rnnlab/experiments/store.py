"""Results files: one JSON file per sweep, rewritten atomically after every finished run.

``rnnlab/experiments/results/NAME.json`` holds the sweep's name, the rnnlab and torch versions, every config of the sweep
(with its key) and the records finished so far, keyed by config key and kept in the sweep's order — so a
complete file is the same whichever order the runs finished in (only wall times differ).

Crash safety: each write goes to ``NAME.json.tmp``, is flushed and fsync'ed, then ``os.replace``'d over the
file (atomic on POSIX and Windows), and the folder is fsync'ed. A kill at any moment leaves either the old or
the new file, never a torn one; a resumed sweep reads it and runs only the configs without a record.
Only one process writes a results file (the one that runs the sweep; workers only compute).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from .. import __version__
from .registry import task_spec
from .runner import rounded
from .sweeps import Sweep

RESULTS = Path(__file__).resolve().parent / "results"  # the committed results: package data, so a pip-installed
# rnnlab (Colab) has them too
ENV = "RNNLAB_RESULTS"  # overrides RESULTS (a folder)


def results_dir(folder=None) -> Path:
    """The folder of results files: ``folder``, else ``$RNNLAB_RESULTS``, else ``rnnlab/experiments/results``."""
    if folder is None:
        folder = os.environ.get(ENV) or RESULTS
    if not isinstance(folder, (str, os.PathLike)):
        raise ValueError(f"folder must be a path (str or Path) or None; got {type(folder).__name__}")
    return Path(folder)


VERSIONS = {"rnnlab": __version__, "torch": torch.__version__}  # what the records were computed with


def _check_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file path (str or Path); got {type(path).__name__}")
    return Path(path)


def load(path) -> dict | None:
    """The results file at ``path`` as a dict, or None if there is none yet."""
    path = _check_path(path)
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or not {"sweep", "configs", "records"} <= set(data):
        raise ValueError(f"{path} is not a results file (it needs 'sweep', 'configs' and 'records')")
    return data


def write_atomic(path, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` so that a crash leaves the old file or the new one, never half."""
    path = _check_path(path)
    if not isinstance(data, dict):
        raise ValueError(f"data must be a dict (the results file's content); got {type(data).__name__}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=1) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _same_criterion(config, record: dict) -> bool:
    """Was ``record`` judged by the task's current baseline and success criterion?"""
    spec = task_spec(config.task)
    return (record.get("baseline") == rounded(spec.baseline(config.T))
            and record.get("threshold") == rounded(spec.threshold(config.T)))


class ResultsFile:
    """The results file of one sweep, kept in memory and written after every ``add``.

    Stale records are dropped on opening and counted in ``stale``: those whose key is not a config of the sweep
    (its definition changed) and those judged by another baseline or success criterion (``registry`` changed;
    the criterion is not part of the key).
    """

    def __init__(self, sweep: Sweep, folder=None):
        if not isinstance(sweep, Sweep):
            raise ValueError(f"sweep must be a Sweep (e.g. sweeps.get_sweep('smoke')); got {type(sweep).__name__}")
        self.sweep = sweep
        self.path = results_dir(folder) / f"{sweep.name}.json"
        self.keys = [c.key for c in sweep.configs]
        old = load(self.path)
        records = {} if old is None else old["records"]
        self.records = {c.key: records[c.key] for c in sweep.configs
                        if c.key in records and _same_criterion(c, records[c.key])}
        self.stale = len(records) - len(self.records)

    def missing(self) -> list:
        """The sweep's configs without a record, in sweep order."""
        return [c for c in self.sweep.configs if c.key not in self.records]

    def add(self, key: str, record: dict) -> None:
        """Store ``record`` under ``key`` (a config of the sweep) and write the file atomically."""
        if key not in self.keys:
            raise ValueError(f"key {key!r} is not a config of sweep {self.sweep.name!r}")
        if not isinstance(record, dict):
            raise ValueError(f"record must be a dict returned by run; got {type(record).__name__}")
        self.records[key] = record
        write_atomic(self.path, self.data())

    def data(self) -> dict:
        """The file's content: sweep name, versions, every config, the records in sweep order."""
        return {"sweep": self.sweep.name, "versions": VERSIONS,
                "configs": [{"key": c.key, **c.to_dict()} for c in self.sweep.configs],
                "records": {k: self.records[k] for k in self.keys if k in self.records}}
