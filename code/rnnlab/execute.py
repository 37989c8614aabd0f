"""Run chapters top to bottom in a fresh kernel: refresh their committed outputs, or time them.

``python -m rnnlab.execute`` (``make outputs``) re-executes every notebook of the book in place — the chapters
and the appendix pages (``book_notebooks``) — and prints how long each took; name notebooks to run just those. Widget state is not stored: the static site shows each explorer's pre-rendered scrubber,
and a live session re-creates the widgets when the cell runs.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from ._validate import check_bool

# Per cell, only to end a hang: a chapter runs in well under a minute when quiet, but a busy 2-core machine ran
# training cells 5-10x slower (the timing goals are measured by `make bench`, not enforced here).
TIMEOUT_S = 1800
FOLDERS = ("chapters", "appendix")  # where the book's executable notebooks live


def book_notebooks(root=".") -> list[Path]:
    """Every executable notebook of the book under ``root``: ``chapters/*.ipynb``, then ``appendix/*.ipynb``."""
    if not isinstance(root, (str, os.PathLike)) or not Path(root).is_dir():
        raise ValueError(f"root must be the book's folder (holding chapters/), a str or Path; got {root!r}")
    return [nb for folder in FOLDERS for nb in sorted((Path(root) / folder).glob("*.ipynb"))]


def run_notebook(path, write: bool = True) -> float:
    """Execute the notebook at ``path`` in a fresh kernel; return the wall time in seconds.

    With ``write=True`` the outputs (and execution counts 1..n) are written back to the file.
    Raises ``nbclient.exceptions.CellExecutionError`` if a cell fails, naming the cell.
    """
    import nbformat
    from nbclient import NotebookClient

    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be the path of a .ipynb file, a str or Path; got {type(path).__name__}")
    check_bool("write", write)
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file; got {str(path)!r}")
    os.environ.setdefault("RNNLAB_PROGRESS", "0")  # no progress bars in committed outputs
    nb = nbformat.read(path, as_version=4)
    # No widget state (the website shows the scrubber) and no execution timestamps (they would change every
    # cell's metadata at every refresh, burying the real changes in the diff).
    client = NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3", store_widget_state=False,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    if write:
        nbformat.write(nb, path)
    return elapsed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to execute (default: every notebook of the book)")
    parser.add_argument("--no-write", action="store_true", help="time them without writing outputs back")
    args = parser.parse_args(argv)
    for nb in args.notebooks or book_notebooks():
        print(f"{nb}: {run_notebook(nb, write=not args.no_write):.1f} s", flush=True)


if __name__ == "__main__":
    main()
