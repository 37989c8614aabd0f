"""``python -m rnnlab.bench`` (``make bench``): how fast the book's code is, as a table.

- hand-written BPTT vs torch autograd for the same gradients (float64, N=32, T=200, H=64): ours should not be
  slower; the relative error between them is printed too;
- every explorer's compute time and redraw time (compute + draw + PNG), median of repeats
  (goals: ≤ 20 ms compute, ≤ 150 ms redraw);
- LSTM and GRU BPTT, hand-written vs autograd through ``torch.nn.LSTM``/``nn.GRU`` (same shapes and goal);
- every chapter's (and appendix page's) execution time in a fresh kernel (goal ≤ 60 s, ≤ 90 s if it trains);
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

from .execute import FOLDERS, book_notebooks, run_notebook

# name -> "module:factory" of every explorer in the book, in chapter order.
EXPLORERS = {
    "ch01 pulse (w)": "rnnlab.chapters.feedback:pulse_explorer",
    "ch02 BPTT contributions (scale)": "rnnlab.chapters.bptt_explorer:contribution_explorer",
    "ch03 saturation (spread)": "rnnlab.chapters.saturation:saturation_explorer",
    "ch04 spectral radius (rho)": "rnnlab.chapters.criteria_figures:spectrum_explorer",
    "ch04 sigma_max vs 1/gamma (sigma_max)": "rnnlab.chapters.criteria_figures:gamma_explorer",
    "ch05 cliff (threshold)": "rnnlab.chapters.cliff:cliff_explorer",
    "ch06 initialisation (gain)": "rnnlab.chapters.init_figures:init_explorer",
    "ch07 retention (gate bias)": "rnnlab.chapters.gates_figures:retention_explorer",
    "ch07 gates over a pulse (gate bias)": "rnnlab.chapters.gates_figures:gate_explorer",
    "ch08 lag sweep (lag T)": "rnnlab.chapters.longterm_figures:sweep_explorer",
    "ch09 fill in the blank (position p)": "rnnlab.chapters.bidir_figures:blank_explorer",
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


def bench_gated(N: int = 32, T: int = 200, D: int = 8, H: int = 64, seed: int = 0) -> list[tuple]:
    """Hand-written LSTM and GRU BPTT against autograd through ``torch.nn.LSTM``/``nn.GRU`` with the same
    weights (float64): forward and backward of L = Σ_t h_t · dh_t, every gradient."""
    import torch

    from . import gradcheck, gru, lstm

    rows = []
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

        ref = [g.numpy() for g in autograd()]
        err = max(gradcheck.relative_error(a, b) for a, b in zip(ours(), ref))
        t_ours, t_torch = median_time(ours), median_time(autograd)
        shape = f"N={N} T={T} H={H} D={D}"
        rows += [(f"{name} BPTT, hand-written (numpy)", shape, f"{t_ours * 1e3:.1f} ms", f"rel. error {err:.1e}"),
                 (f"{name} BPTT, torch autograd (nn.{name})", shape, f"{t_torch * 1e3:.1f} ms",
                  f"ours {t_torch / t_ours:.2f}x as fast" if t_ours <= t_torch else
                  f"ours SLOWER ({t_ours / t_torch:.2f}x the time)")]
    return rows


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


def bench_chapters(root: Path) -> list[tuple]:
    rows = []
    for nb in book_notebooks(root):
        seconds = run_notebook(nb, write=False)
        rows.append((f"chapter {nb.stem}", "execution, fresh kernel", f"{seconds:.1f} s",
                     "ok" if seconds <= 60 else "over 60 s (ok only if it trains, ≤ 90 s)"))
    return rows


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
        verdict = "ok" if all(ms <= 150 for ms in m["slider_to_figure_ms"]) else "slider over 150 ms"
        rows.append((f"JupyterLab {chapter}", "Run All / slider -> figure", f"{m['run_all_s']} s / {latency} ms",
                     verdict))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Time BPTT, the explorers and the chapters.")
    parser.add_argument("--root", default=".", type=Path, help="the book's folder (chapters/, appendix/)")
    parser.add_argument("--html", default="_build/html", type=Path, help="built book, for page weights")
    parser.add_argument("--skip-chapters", action="store_true", help="do not execute the chapters")
    args = parser.parse_args(argv)
    rows = bench_bptt() + bench_gated() + bench_explorers()
    if not args.skip_chapters:
        rows += bench_chapters(args.root)
    if (args.html / "chapters").is_dir():
        rows += bench_pages(args.html)
    if (args.html.parent / "live-kernel.json").is_file():
        rows += live_kernel_rows(args.html.parent / "live-kernel.json")
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    for row in [("what", "setting", "time / size", "verdict"), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
