"""``make bench``'s chapter rows: every executable notebook run in a fresh kernel, in a child process with a time
limit, so that a chapter that fails or runs out of time is a row of the table, not the end of the bench."""
from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from .execute import book_notebooks, run_notebook

# Seconds a chapter may take in all (kernel start included) before its row says it timed out: 5x the goal of
# 60 s, 3x the 90 s of a training chapter; execute.TIMEOUT_S, per cell, only ends a hang and is far longer.
CHAPTER_TIMEOUT_S = 300


def one_line(err: BaseException) -> str:
    """An exception as one line: a failed cell's own error (``ZeroDivisionError: division by zero``)."""
    if hasattr(err, "ename") and hasattr(err, "evalue"):  # nbclient's CellExecutionError
        return f"{err.ename}: {err.evalue}".splitlines()[0]
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _execute_and_report(path: str, conn) -> None:
    """In the child process: run the notebook; send ("ok", seconds), ("timeout", seconds) or ("failed", message)."""
    start = time.perf_counter()
    try:
        conn.send(("ok", run_notebook(path, write=False)))
    except TimeoutError:  # a cell passed nbclient's per-cell limit (execute.TIMEOUT_S)
        conn.send(("timeout", time.perf_counter() - start))
    except Exception as err:  # noqa: BLE001 -- any failure becomes the chapter's row
        conn.send(("failed", one_line(err)))
    conn.close()


def run_chapter(path, timeout: float = CHAPTER_TIMEOUT_S) -> tuple[str, float | str]:
    """Execute a notebook in a fresh kernel, in a child process given ``timeout`` seconds in all.

    Returns ("ok", seconds), ("timeout", seconds waited) or ("failed", one-line message). A child that runs
    out of time is ended; its kernel notices that its parent has gone and exits too.
    """
    ctx = multiprocessing.get_context("spawn")  # not fork: the parent has torch's threads running
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_execute_and_report, args=(str(path), send), daemon=True)
    start = time.perf_counter()
    child.start()
    send.close()  # the child holds the other copy: the pipe closes when the child exits
    out_of_time = not receive.poll(timeout)
    try:
        result = ("timeout", time.perf_counter() - start) if out_of_time else receive.recv()
    except EOFError:  # closed without a message: the child died
        result = None
    child.join(0 if out_of_time else 10)
    for end in (child.terminate, child.kill):  # a child out of time (or one that hangs on its way out)
        if child.is_alive():
            end()
            child.join(10)
    receive.close()
    return result or ("failed", f"the process running it died (exit code {child.exitcode})")


def bench_chapters(root: Path, timeout: float = CHAPTER_TIMEOUT_S):
    """One row per executable notebook of the book; a failure or a timeout is a row too."""
    for nb in book_notebooks(root):
        status, value = run_chapter(nb, timeout)
        what = f"chapter {nb.stem}"
        if status == "ok":
            yield (what, "execution, fresh kernel", f"{value:.1f} s",
                   "ok" if value <= 60 else "over 60 s (ok only if it trains, ≤ 90 s)")
        elif status == "timeout":
            yield what, "execution, fresh kernel", f"> {value:.0f} s", f"timed out after {value:.0f} s"
        else:
            yield what, "execution, fresh kernel", "-", f"failed: {value}"


