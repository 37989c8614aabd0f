"""One writer per results file: an exclusive lock, held for as long as a sweep runs.

``hold(path)`` takes ``fcntl.flock`` on ``PATH.lock`` (beside the results file, holding the holder's pid), so a
second ``run`` of the same sweep stops at once with "sweep X is already running (pid N)". The kernel releases the
lock when its holder dies, however it dies: a crash never leaves a sweep locked (a killed holder leaves the lock
file behind; the next run takes it). Creating the lock file is also the check, before any run computes, that
the results folder is writable. Readers (``status``, ``list``, ``store.load``) take no lock: every write is an
atomic ``os.replace``. Without ``fcntl`` (Windows) the folder is checked but not locked.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .errors import ExperimentError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


@contextlib.contextmanager
def hold(path):
    """Hold the lock of the results file ``path`` (``NAME.json``) for the ``with`` block.

    Raises ``ExperimentError`` if the folder is not writable or another process holds the lock.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a results file's path (str or Path); got {type(path).__name__}")
    path = Path(path)
    lock = path.with_name(path.name + ".lock")
    fd = _acquire(lock, path.stem)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock)  # while still holding it: whoever opens it next gets a new file (see _acquire)
        os.close(fd)


def _acquire(lock: Path, sweep: str) -> int:
    while True:
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ExperimentError(f"cannot write to the results folder {lock.parent} ({err.strerror or err}): "
                                  "pass a writable folder with --results (or RNNLAB_RESULTS)") from err
        if fcntl is None:
            return fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise ExperimentError(f"sweep {sweep} is already running (pid {holder}): let it finish or stop it, "
                                  "then run it again") from None
        try:
            current = os.stat(lock).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)  # its holder removed the file between our open and our lock: take the new one
