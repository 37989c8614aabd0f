"""``python -m rnnlab.bench`` (``make bench``): how fast the book's code is, as a table printed row by row.

- hand-written BPTT vs torch autograd for the same gradients (float64, N=32, T=200, H=64): ours should not be
  slower; the relative error between them is printed too;
- every explorer's compute time and redraw time (compute + draw + PNG), median of repeats
  (goals: ≤ 20 ms compute, ≤ 150 ms redraw);
- LSTM and GRU BPTT, hand-written vs autograd through ``torch.nn.LSTM``/``nn.GRU`` (same shapes and goal);
- Chapter 10's scans against the loop and the one-call alternatives, the reverse scan against autograd, and the
  LRU's training step against ``torch.nn.LSTM`` (``bench_scan``);
- every chapter's (and appendix page's) execution time in a fresh kernel (goal ≤ 60 s, ≤ 90 s if it trains);
- every chapter page's weight in ``_build/html`` (HTML plus its images), when the book has been built;
- every chapter's Run-All time in JupyterLab and each explorer's slider-to-figure latency (key press to new
  figure, through the live kernel), as the live-kernel browser test last measured them
  (``_build/live-kernel.json``, written by ``make test``).

Each row is printed as soon as it is measured. A comparison times ours and torch's code ``REPEATS`` times each,
interleaved (ours, torch, ours, torch, …) so that a change of load hits both, and prints the median with its
interquartile range [q1–q3]; it names a winner only when the two ranges do not overlap. A chapter runs in its
own process: one that fails or passes ``--chapter-timeout`` becomes a row saying so, and the bench goes on.

Chapters register their explorers in ``EXPLORERS``. Timings are measurements of this machine, not tests.
"""
from __future__ import annotations

import argparse
import importlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bench_chapters import CHAPTER_TIMEOUT_S, bench_chapters, one_line, run_chapter  # noqa: F401 (bench.run_chapter)
from .execute import FOLDERS

# name -> "module:factory" of every explorer in the book, in chapter order.
EXPLORERS = {
    "ch01 pulse (w)": "rnnlab.chapters.feedback:pulse_explorer",
    "ch02 BPTT contributions (scale)": "rnnlab.chapters.bptt_explorer:contribution_explorer",
    "ch03 saturation (spread)": "rnnlab.chapters.saturation:saturation_explorer",
    "ch04 spectral radius (rho)": "rnnlab.chapters.criteria_figures:spectrum_explorer",
    "ch04 sigma_max vs 1/gamma (sigma_max)": "rnnlab.chapters.criteria_figures:gamma_explorer",
    "ch05 cliff (threshold)": "rnnlab.chapters.cliff:cliff_explorer",
    "ch06 initialisation (scale)": "rnnlab.chapters.init_figures:init_explorer",
    "ch07 retention (gate bias)": "rnnlab.chapters.gates_figures:retention_explorer",
    "ch07 gates over a pulse (gate bias)": "rnnlab.chapters.gates_figures:gate_explorer",
    "ch08 lag sweep (lag T)": "rnnlab.chapters.longterm_figures:sweep_explorer",
    "ch09 fill in the blank (position p)": "rnnlab.chapters.bidir_figures:blank_explorer",
    "ch10 LRU ring (nines of r_max)": "rnnlab.chapters.lru_ring:ring_explorer",
    "ch11 reservoir (spectral radius)": "rnnlab.chapters.reservoir_figures:reservoir_explorer",
    "ch12 depth and distance (weight scale)": "rnnlab.chapters.structure_figures:depth_explorer",
}
REPEATS = 9  # timed calls per comparison (≥ 7 for a quartile to mean something; odd, so the median is one)
# (header, width) of the table's columns; a longer cell pushes the rest of its row right
COLUMNS = (("what", 46), ("setting", 38), ("time: median [IQR] / size", 28), ("verdict", 0))


@dataclass(frozen=True)
class Timing:
    """The wall times of repeated calls of one function."""
    times: tuple  # seconds, one per call, in call order

    @property
    def median(self) -> float:
        return float(np.median(self.times))

    @property
    def iqr(self) -> tuple[float, float]:
        """(q1, q3): the range of the middle half of the times."""
        q1, q3 = np.percentile(self.times, [25, 75])
        return float(q1), float(q3)

    def format(self) -> str:
        """``"41.2 ms [40.1–43.0]"``: the median and the interquartile range, in ms."""
        q1, q3 = self.iqr
        return f"{self.median * 1e3:.1f} ms [{q1 * 1e3:.1f}–{q3 * 1e3:.1f}]"


def interleaved_times(*fns, repeats: int = REPEATS) -> list[Timing]:
    """Time each of ``fns`` ``repeats`` times, in turns (a, b, a, b, …), after one warm-up call of each."""
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, out in zip(fns, times):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return [Timing(tuple(t)) for t in times]


def verdict(ours: Timing, torch: Timing) -> str:
    """Who is faster, said only when the interquartile ranges do not overlap."""
    (o1, o3), (t1, t3) = ours.iqr, torch.iqr
    ratio = torch.median / ours.median  # > 1: ours takes less time
    if o3 < t1:
        return f"ours faster ({ratio:.2f}x as fast)"
    if o1 > t3:
        return f"ours slower ({1 / ratio:.2f}x the time)"
    return f"no clear difference (ranges overlap; medians {ratio:.2f}x)"


def _compare(name: str, shape: str, ours, autograd, torch_name: str) -> list[tuple]:
    from . import gradcheck

    ref = [np.asarray(g) for g in autograd()]
    err = max(gradcheck.relative_error(a, b) for a, b in zip(ours(), ref))
    t_ours, t_torch = interleaved_times(ours, autograd)
    setting = f"{shape}, {REPEATS} runs"
    return [(f"{name}, hand-written (numpy)", setting, t_ours.format(), f"rel. error {err:.1e}"),
            (f"{name}, {torch_name}", setting, t_torch.format(), verdict(t_ours, t_torch))]


def bench_bptt(N: int = 32, T: int = 200, D: int = 8, H: int = 64, seed: int = 0) -> list[tuple]:
    """Hand-written vanilla-RNN BPTT against torch autograd on the same gradients (float64)."""
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

    return _compare("BPTT", f"N={N} T={T} H={H} D={D}", ours, autograd, "torch autograd")


def bench_gated(N: int = 32, T: int = 200, D: int = 8, H: int = 64, seed: int = 0):
    """Hand-written LSTM and GRU BPTT against autograd through ``torch.nn.LSTM``/``nn.GRU`` with the same
    weights (float64): forward and backward of L = Σ_t h_t · dh_t, every gradient. Yields one cell's rows at a
    time."""
    import torch

    from . import gru, lstm

    rng = np.random.default_rng(seed)
    x, h0, dh = rng.standard_normal((N, T, D)), 0.1 * rng.standard_normal((N, H)), rng.standard_normal((N, T, H))
    # name, torch module, its loader, our forward (returning the cache), our backward, initial states (h0 [, c0])
    cells = (("LSTM", torch.nn.LSTM, lstm.from_torch, lambda p: lstm.lstm_forward(x, h0, h0, *p)[2],
              lstm.lstm_backward, 2),
             ("GRU", torch.nn.GRU, gru.from_torch, lambda p: gru.gru_forward(x, h0, *p)[1], gru.gru_backward, 1))
    for name, module, from_torch, forward, backward, n_states in cells:
        torch.manual_seed(seed)
        net = module(D, H, batch_first=True, dtype=torch.float64)
        params = from_torch(net)

        def ours(forward=forward, backward=backward, params=params):
            return backward(dh, forward(params))

        def autograd(net=net, n_states=n_states):  # x, h0 (and c0), then every parameter
            inputs = [torch.tensor(x, requires_grad=True)] + [torch.tensor(h0[None], requires_grad=True)
                                                               for _ in range(n_states)]
            out, _ = net(inputs[0], tuple(inputs[1:]) if n_states == 2 else inputs[1])
            grads = torch.autograd.grad(out, inputs + list(net.parameters()), torch.from_numpy(dh))
            return [grads[0], *(g[0] for g in grads[1:1 + n_states]), *grads[1 + n_states:]]

        yield from _compare(f"{name} BPTT", f"N={N} T={T} H={H} D={D}", ours, autograd,
                            f"torch autograd (nn.{name})")


def time_explorer(target: str) -> tuple[float, float, float]:
    """(compute s, redraw s, largest static frame KB) of the explorer ``"module:factory"``, at its defaults:
    medians of 20 computes and of 10 redraws (compute + draw + PNG), each after a warm-up call."""
    module, factory = target.split(":")
    explorer = getattr(importlib.import_module(module), factory)()
    params = explorer.defaults
    with np.errstate(all="ignore"):
        (t_compute,) = interleaved_times(lambda: explorer.compute(**params), repeats=20)
    (t_redraw,) = interleaved_times(lambda: explorer.png(**params), repeats=10)
    # the frames as the static page stores them (palette PNG)
    frame_kb = max(len(explorer.png(compact=True, **{explorer.main: v})) for v in explorer.frame_values()) / 1024
    return t_compute.median, t_redraw.median, frame_kb


def bench_explorers():
    """One row per explorer of ``EXPLORERS``."""
    for name, target in EXPLORERS.items():
        try:
            t_compute, t_redraw, frame_kb = time_explorer(target)
        except Exception as err:  # noqa: BLE001 -- the other explorers are still timed
            yield f"explorer {name}", "compute / redraw / largest page frame", "-", f"failed: {one_line(err)}"
            continue
        yield (f"explorer {name}", "compute / redraw / largest page frame",
               f"{t_compute * 1e3:.1f} / {t_redraw * 1e3:.0f} ms / {frame_kb:.0f} KB",
               "ok" if t_compute <= 0.020 and t_redraw <= 0.150 else "OVER GOAL")


def bench_scans():
    """Chapter 10's rows (``bench_scan``): the scans against the loop and the one-call alternatives, the reverse scan
    against autograd, the LRU's training step against ``torch.nn.LSTM``."""
    from . import bench_scan

    for section in (bench_scan.bench_loop_vs_scan, bench_scan.bench_two_threads, bench_scan.bench_alternatives,
                    bench_scan.bench_backward, bench_scan.bench_lru_step):
        yield from section()


def page_weight(html_file: Path) -> int:
    """Bytes of an HTML page plus the images it references from ``_images``."""
    text = html_file.read_text(encoding="utf-8")
    images = set(re.findall(r'src="(?:\.\./)*(_images/[^"]+)"', text))
    root = html_file.parent.parent if html_file.parent.name in FOLDERS else html_file.parent
    return len(text.encode()) + sum((root / img).stat().st_size for img in images if (root / img).is_file())


def bench_pages(html_root: Path) -> list[tuple]:
    return [(f"page {page.stem}", "HTML + images", f"{page_weight(page) / 1024:.0f} KB", "")
            for folder in FOLDERS for page in sorted((html_root / folder).glob("*.html"))]


def live_kernel_rows(measured: Path) -> list[tuple]:
    import json

    rows = []
    for chapter, m in json.loads(measured.read_text()).items():
        latency = " / ".join(f"{ms}" for ms in m["slider_to_figure_ms"]) or "-"
        status = "ok" if all(ms <= 150 for ms in m["slider_to_figure_ms"]) else "slider over 150 ms"
        rows.append((f"JupyterLab {chapter}", "Run All / slider -> figure", f"{m['run_all_s']} s / {latency} ms",
                     status))
    return rows


def format_row(row) -> str:
    """One line of the table: each cell padded to its column's width (``COLUMNS``)."""
    return "  ".join(str(cell).ljust(width) for cell, (_, width) in zip(row, COLUMNS)).rstrip()


def print_rows(section: str, make_rows) -> None:
    """Print the rows of ``make_rows()`` (a list or a generator) as they come; if it fails, a row that says so."""
    try:
        for row in make_rows():
            print(format_row(row), flush=True)
    except Exception as err:  # noqa: BLE001 -- the bench goes on with the next section
        print(format_row((section, "", "-", f"failed: {one_line(err)}")), flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Time BPTT, the explorers and the chapters.")
    parser.add_argument("--root", default=".", type=Path, help="the book's folder (chapters/, appendix/)")
    parser.add_argument("--html", default="_build/html", type=Path, help="built book, for page weights")
    parser.add_argument("--skip-chapters", action="store_true", help="do not execute the chapters")
    parser.add_argument("--chapter-timeout", default=CHAPTER_TIMEOUT_S, type=float,
                        help=f"seconds a chapter may take in all before its row says so ({CHAPTER_TIMEOUT_S})")
    args = parser.parse_args(argv)
    print(format_row([header for header, _ in COLUMNS]), flush=True)
    print_rows("BPTT vs torch", bench_bptt)
    print_rows("LSTM/GRU BPTT vs torch", bench_gated)
    print_rows("explorers", bench_explorers)
    print_rows("scans and the LRU", bench_scans)
    if not args.skip_chapters:
        print_rows("chapters", lambda: bench_chapters(args.root, args.chapter_timeout))
    if (args.html / "chapters").is_dir():
        print_rows("pages", lambda: bench_pages(args.html))
    if (args.html.parent / "live-kernel.json").is_file():
        print_rows("JupyterLab", lambda: live_kernel_rows(args.html.parent / "live-kernel.json"))


if __name__ == "__main__":
    main()
