"""``python -m rnnlab.bench`` (``make bench``): how fast the book's code is, as a table.

- hand-written BPTT vs torch autograd for the same gradients (float64, N=32, T=200, H=64): ours should not be
  slower; the relative error between them is printed too;
- every explorer's compute time and redraw time (compute + draw + PNG), median of repeats
  (goals: ≤ 20 ms compute, ≤ 150 ms redraw);
- every chapter's execution time in a fresh kernel (goal ≤ 60 s, ≤ 90 s if it trains);
- every chapter page's weight in ``_build/html`` (HTML plus its images), when the book has been built;
- every chapter's Run-All time in JupyterLab and each explorer's slider-to-figure latency (key press to new
  figure, through the live kernel), as the live-kernel browser test last measured them
  (``_build/live-kernel.json``, written by ``make test``).

Chapters register their explorers in ``EXPLORERS``. Timings are measurements of this machine, not tests.
"""
from __future__ import annotations

import argparse
import importlib
import re
import statistics
import time
from pathlib import Path

import numpy as np

# name -> "module:factory" of every explorer in the book, in chapter order.
EXPLORERS = {
    "ch01 pulse (w)": "rnnlab.chapters.feedback:pulse_explorer",
    "ch02 BPTT contributions (scale)": "rnnlab.chapters.bptt_explorer:contribution_explorer",
    "ch03 saturation (spread)": "rnnlab.chapters.saturation:saturation_explorer",
    "ch04 spectral radius (rho)": "rnnlab.chapters.criteria_figures:spectrum_explorer",
    "ch04 sigma_max vs 1/gamma (sigma_max)": "rnnlab.chapters.criteria_figures:gamma_explorer",
    "ch05 cliff (threshold)": "rnnlab.chapters.cliff:cliff_explorer",
    "ch06 initialisation (gain)": "rnnlab.chapters.init_figures:init_explorer",
}


def median_time(fn, repeats: int = 5) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_bptt(N: int = 32, T: int = 200, D: int = 8, H: int = 64, seed: int = 0) -> list[tuple]:
    from . import gradcheck, rnn, spectral

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H)) * 0.1
    W_xh = rng.standard_normal((H, D)) / np.sqrt(D)
    W_hh = spectral.with_spectral_radius(H, 0.9, rng)
    b = np.zeros(H)
    dh = rng.standard_normal((N, T, H))

    def ours():
        _, cache = rnn.rnn_forward(x, h0, W_xh, W_hh, b)
        return rnn.rnn_backward(dh, cache)

    def autograd():
        return gradcheck.torch_rnn_gradients(x, h0, W_xh, W_hh, b, dh)

    err = gradcheck.max_relative_error(ours(), autograd())
    t_ours, t_torch = median_time(ours), median_time(autograd)
    shape = f"N={N} T={T} H={H} D={D}"
    return [("BPTT, hand-written (numpy)", shape, f"{t_ours * 1e3:.1f} ms", f"rel. error {err:.1e}"),
            ("BPTT, torch autograd", shape, f"{t_torch * 1e3:.1f} ms",
             "ours faster" if t_ours <= t_torch else "ours SLOWER")]


def bench_explorers() -> list[tuple]:
    rows = []
    for name, target in EXPLORERS.items():
        module, factory = target.split(":")
        explorer = getattr(importlib.import_module(module), factory)()
        params = explorer.defaults
        with np.errstate(all="ignore"):
            t_compute = median_time(lambda: explorer.compute(**params), repeats=20)
        t_redraw = median_time(lambda: explorer.png(**params), repeats=10)
        # the frames as the static page stores them (palette PNG)
        frame_kb = max(len(explorer.png(compact=True, **{explorer.main: v})) for v in explorer.frame_values()) / 1024
        verdict = "ok" if t_compute <= 0.020 and t_redraw <= 0.150 else "OVER GOAL"
        rows.append((f"explorer {name}", "compute / redraw / largest page frame",
                     f"{t_compute * 1e3:.1f} / {t_redraw * 1e3:.0f} ms / {frame_kb:.0f} KB", verdict))
    return rows


def bench_chapters(chapters: Path) -> list[tuple]:
    from .execute import run_notebook

    rows = []
    for nb in sorted(chapters.glob("*.ipynb")):
        seconds = run_notebook(nb, write=False)
        rows.append((f"chapter {nb.stem}", "execution, fresh kernel", f"{seconds:.1f} s",
                     "ok" if seconds <= 60 else "over 60 s (ok only if it trains, ≤ 90 s)"))
    return rows


def page_weight(html_file: Path) -> int:
    """Bytes of an HTML page plus the images it references from ``_images``."""
    text = html_file.read_text(encoding="utf-8")
    images = set(re.findall(r'src="(?:\.\./)*(_images/[^"]+)"', text))
    root = html_file.parent.parent if html_file.parent.name == "chapters" else html_file.parent
    return len(text.encode()) + sum((root / img).stat().st_size for img in images if (root / img).is_file())


def bench_pages(html_root: Path) -> list[tuple]:
    return [(f"page {page.stem}", "HTML + images", f"{page_weight(page) / 1024:.0f} KB", "")
            for page in sorted((html_root / "chapters").glob("*.html"))]


def live_kernel_rows(measured: Path) -> list[tuple]:
    import json

    rows = []
    for chapter, m in json.loads(measured.read_text()).items():
        latency = " / ".join(f"{ms}" for ms in m["slider_to_figure_ms"]) or "-"
        verdict = "ok" if all(ms <= 150 for ms in m["slider_to_figure_ms"]) else "slider over 150 ms"
        rows.append((f"JupyterLab {chapter}", "Run All / slider -> figure", f"{m['run_all_s']} s / {latency} ms",
                     verdict))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Time BPTT, the explorers and the chapters.")
    parser.add_argument("--chapters", default="chapters", type=Path, help="folder of chapter notebooks")
    parser.add_argument("--html", default="_build/html", type=Path, help="built book, for page weights")
    parser.add_argument("--skip-chapters", action="store_true", help="do not execute the chapters")
    args = parser.parse_args(argv)
    rows = bench_bptt() + bench_explorers()
    if not args.skip_chapters:
        rows += bench_chapters(args.chapters)
    if (args.html / "chapters").is_dir():
        rows += bench_pages(args.html)
    if (args.html.parent / "live-kernel.json").is_file():
        rows += live_kernel_rows(args.html.parent / "live-kernel.json")
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    for row in [("what", "setting", "time / size", "verdict"), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
