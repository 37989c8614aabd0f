"""Results files: one JSON file per sweep, rewritten atomically after every finished run.

``rnnlab/experiments/results/NAME.json`` holds the sweep's name, every config of the sweep (with its key), the
records finished so far, keyed by config key and kept in the sweep's order — so a complete file is the same
whichever order the runs finished in (only wall times differ) — and the rnnlab and torch versions the records
were made with: ``versions`` at the top is that of every record without a ``versions`` of its own (a record made
under other versions, e.g. by a resumed sweep after an upgrade, carries its own).

Crash safety: each write serialises first, then goes to a temporary file of its own in the same folder
(``NAME.json.XXXX.tmp``), is flushed and fsync'ed, then ``os.replace``'d over the file (atomic on POSIX and
Windows), and the folder is fsync'ed. A kill at any moment leaves either the old or the new file, never a torn
one, so readers never see half a file; a resumed sweep reads it and runs only the configs without a record.
One process writes a results file: the one that runs the sweep, holding its lock (``locking``); workers only
compute. A file that is torn anyway (edited by hand, a bad copy) is never overwritten: ``load`` names it and
says how to recover.
"""
from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from pathlib import Path

from .errors import ExperimentError, ResultsFileError
from .registry import task_spec
from .runner import VERSIONS, rounded
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


def results_path(name: str, folder=None) -> Path:
    """The results file of sweep ``name``: ``NAME.json`` in ``results_dir(folder)``."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a sweep's name (a non-empty str); got {name!r}")
    return results_dir(folder) / f"{name}.json"


def _check_path(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file path (str or Path); got {type(path).__name__}")
    return Path(path)


def load(path) -> dict | None:
    """The results file at ``path`` as a dict, or None if there is none yet.

    Raises ``errors.ResultsFileError`` (a ValueError) naming the file and how to recover if it is empty, not UTF-8,
    not JSON, or not a results file (a mapping with 'sweep', 'configs' and 'records', each record a mapping).
    """
    path = _check_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:  # a folder of that name, no permission to read
        raise ExperimentError(f"cannot read results file {path}: {err.strerror or err}") from err
    if not raw.strip():
        raise ResultsFileError(path, "is empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ResultsFileError(path, f"is not UTF-8 text (byte {err.start} cannot be decoded)") from None
    except json.JSONDecodeError as err:
        raise ResultsFileError(path, f"is not valid JSON ({err.msg} at line {err.lineno} column {err.colno})") from None
    _check_content(path, data)
    return data


def _check_content(path: Path, data) -> None:
    """The shape ``ResultsFile`` relies on: a mapping of sweep, configs and records (each a mapping)."""
    if not isinstance(data, dict) or not {"sweep", "configs", "records"} <= set(data):
        raise ResultsFileError(path, "holds no sweep's results (a mapping with 'sweep', 'configs' and 'records')")
    if not isinstance(data["configs"], list):
        raise ResultsFileError(path, f"has 'configs' that is not a list (got {type(data['configs']).__name__})")
    if not isinstance(data["records"], dict):
        raise ResultsFileError(path, "has 'records' that is not a mapping of config keys to records "
                                     f"(got {type(data['records']).__name__})")
    for key, record in data["records"].items():
        if not isinstance(record, dict):
            raise ResultsFileError(path, f"has a record that is not a mapping (got {type(record).__name__}) "
                                         f"under {key}")
    stamps = {"the file": data.get("versions", {})}  # the file's versions, and those of records made otherwise
    stamps.update({key: r["versions"] for key, r in data["records"].items() if "versions" in r})
    for where, versions in stamps.items():
        if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
            raise ResultsFileError(path, f"has 'versions' of {where} that are not a mapping of package names "
                                         f"to version strings (got {versions!r})")


def write_atomic(path, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` so that a crash leaves the old file or the new one, never half.

    ``data`` is serialised before any file is opened (data that cannot be written as JSON leaves nothing
    behind), into a temporary file of its own, so that two writers never share one.
    """
    path = _check_path(path)
    if not isinstance(data, dict):
        raise ValueError(f"data must be a dict (the results file's content); got {type(data).__name__}")
    try:
        text = json.dumps(data, indent=1) + "\n"
    except (TypeError, ValueError) as err:  # e.g. a numpy array, a set, a circular reference
        raise ValueError(f"data cannot be written as JSON ({err}); nothing was written to {path}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_temporary(path)
    try:
        with open(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if os.name == "posix":  # make the rename itself durable (Windows cannot open a folder)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _new_temporary(path: Path) -> tuple:
    """``(fd, tmp)``: a new file ``NAME.json.XXXXXXXX.tmp`` beside ``path``, created by this call alone.

    As ``tempfile.mkstemp`` (O_EXCL, a random name), but with the permissions of any new file (0666 less the
    umask) rather than mkstemp's 0600: ``os.replace`` keeps them.
    """
    while True:
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:  # 1 in 4 billion: draw again
            continue


def _same_criterion(config, record: dict) -> bool:
    """Was ``record`` judged by the task's current baseline and success criterion?"""
    spec = task_spec(config.task)
    return (record.get("baseline") == rounded(spec.baseline(config.T))
            and record.get("threshold") == rounded(spec.threshold(config.T)))


def version_label(versions: dict) -> str:
    """``versions`` as text, e.g. "rnnlab 0.1.0, torch 2.13.0+cpu" ("unknown versions" if empty)."""
    if not isinstance(versions, dict):
        raise ValueError(f"versions must be a dict of package names to versions; got {type(versions).__name__}")
    return ", ".join(f"{name} {v}" for name, v in sorted(versions.items())) or "unknown versions"


class ResultsFile:
    """The results file of one sweep, kept in memory and written after every ``add``.

    Stale records are dropped on opening and counted in ``stale``: those whose key is not a config of the sweep
    (its definition changed) and those judged by another baseline or success criterion (``registry`` changed;
    the criterion is not part of the key). ``records`` holds the records without their versions, ``made_with``
    each record's versions (its own, else the file's).
    """

    def __init__(self, sweep: Sweep, folder=None):
        if not isinstance(sweep, Sweep):
            raise ValueError(f"sweep must be a Sweep (e.g. sweeps.get_sweep('smoke')); got {type(sweep).__name__}")
        self.sweep = sweep
        self.path = results_path(sweep.name, folder)
        self.keys = [c.key for c in sweep.configs]
        old = load(self.path) or {"records": {}}
        records, default = old["records"], old.get("versions", {})
        kept = [c.key for c in sweep.configs if c.key in records and _same_criterion(c, records[c.key])]
        self.records = {k: {f: v for f, v in records[k].items() if f != "versions"} for k in kept}
        self.made_with = {k: dict(records[k].get("versions", default)) for k in kept}
        self.stale = len(records) - len(self.records)

    def missing(self) -> list:
        """The sweep's configs without a record, in sweep order."""
        return [c for c in self.sweep.configs if c.key not in self.records]

    def other_versions(self) -> dict:
        """``{version label: records}`` of the records made under other versions than this process's."""
        return dict(Counter(version_label(v) for v in self.made_with.values() if v != VERSIONS))

    def add(self, key: str, record: dict) -> None:
        """Store ``record`` under ``key`` (a config of the sweep) and write the file atomically.

        A ``versions`` field of ``record`` (``runner.run_with_versions``) says what made it; without one, this
        process's ``VERSIONS``.
        """
        if key not in self.keys:
            raise ValueError(f"key {key!r} is not a config of sweep {self.sweep.name!r}")
        if not isinstance(record, dict):
            raise ValueError(f"record must be a dict returned by run; got {type(record).__name__}")
        versions = record.get("versions", VERSIONS)
        if not isinstance(versions, dict):
            raise ValueError(f"record['versions'] must be a dict of package names to versions; got {versions!r}")
        old_record, old_versions = self.records.get(key), self.made_with.get(key)
        self.records[key] = {f: v for f, v in record.items() if f != "versions"}
        self.made_with[key] = dict(versions)
        try:
            write_atomic(self.path, self.data())
        except BaseException:  # not saved: not counted as done either
            if old_record is None:
                del self.records[key], self.made_with[key]
            else:
                self.records[key], self.made_with[key] = old_record, old_versions
            raise

    def data(self) -> dict:
        """The file's content: sweep name, versions, every config, the records in sweep order.

        The top ``versions`` are those of the first record (this process's if there is none); a record made
        under other versions carries its own, so rewriting a file never relabels a record.
        """
        done = [k for k in self.keys if k in self.records]
        common = self.made_with[done[0]] if done else dict(VERSIONS)
        return {"sweep": self.sweep.name, "versions": common,
                "configs": [{"key": c.key, **c.to_dict()} for c in self.sweep.configs],
                "records": {k: self.records[k] if self.made_with[k] == common
                            else {**self.records[k], "versions": self.made_with[k]} for k in done}}

    def remove_temporaries(self) -> list:
        """Delete the temporary files a killed writer left beside the file; returns their paths.

        Call it only while holding the file's lock (``locking.hold``): another writer's file would go too.
        """
        leftovers = sorted(self.path.parent.glob(self.path.name + ".*.tmp"))
        for tmp in leftovers:
            tmp.unlink(missing_ok=True)
        return leftovers
