"""Why a sweep stopped, in one line that says what to do: the errors the command line prints (and exits 1).

- ``ExperimentError``   a sweep cannot go on: its results folder is not writable, it is already running, the Dask
  scheduler cannot be reached or has no workers, a record could not be saved
- ``ResultsFileError``  a results file is unreadable (torn, empty, not UTF-8, not a results file); also a
  ``ValueError``, as ``store.load`` raised before
- ``RunFailed``         one run raised: which run, and the first line of its error
"""
from __future__ import annotations

import os

from .config import RunConfig

ADVICE = "restore it from git (git checkout -- {path}) or delete it to re-run its sweep"


class ExperimentError(Exception):
    """A sweep cannot go on; ``message`` says why and what to do."""

    def __init__(self, message: str):
        if not isinstance(message, str) or not message:
            raise ValueError(f"message must be a non-empty str saying what went wrong; got {message!r}")
        super().__init__(message)


class ResultsFileError(ExperimentError, ValueError):
    """The results file at ``path`` cannot be used: ``problem`` says how, the message says how to recover."""

    def __init__(self, path, problem: str):
        if not isinstance(path, (str, os.PathLike)):
            raise ValueError(f"path must be the results file's path (str or Path); got {type(path).__name__}")
        if not isinstance(problem, str) or not problem:
            raise ValueError(f"problem must be a non-empty str, e.g. 'is empty'; got {problem!r}")
        self.path = os.fspath(path)
        super().__init__(f"results file {self.path} {problem}: " + ADVICE.format(path=self.path))


class RunFailed(ExperimentError):
    """The run of ``config`` raised ``error`` (kept as ``error`` and as the ``__cause__``)."""

    def __init__(self, config: RunConfig, error: BaseException):
        if not isinstance(config, RunConfig):
            raise ValueError(f"config must be a RunConfig (the run that failed); got {type(config).__name__}")
        if not isinstance(error, BaseException):
            raise ValueError(f"error must be the exception the run raised; got {type(error).__name__}")
        self.config, self.error = config, error
        super().__init__(f"run {config.key} failed: {describe(error)}")


def describe(error: BaseException) -> str:
    """``error`` in one line: its type and the first line of its message (a remote error can carry a traceback)."""
    if not isinstance(error, BaseException):
        raise ValueError(f"error must be an exception; got {type(error).__name__}")
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
