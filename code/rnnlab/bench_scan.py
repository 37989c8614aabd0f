"""The bench's Chapter 10 rows (``python -m rnnlab.bench``): linear recurrences as scans, and the LRU's training step.

- the chunked scan against the loop, d = 64 channels, float64, over T (numpy and torch), equal to 1e-12; the
  crossover: the smallest T of the ladder from which on the torch scan is faster than the torch loop; at the largest
  T, the torch pair again with two threads (the rest of the bench runs one);
- at T = 16384, the one-call alternatives a user would try: the closed form h = P ⊙ cumsum(b / P) with P = cumprod(a)
  (stable only while P stays a normal float: here every a_t ≥ 0.999) and torch's (private, experimental)
  ``associative_scan``; ours should be within 2× of the best;
- the backward pass at T = 4096: the hand-written reverse scan (``scan.backward``) against autograd through the loop;
- one training step (forward and backward, N = 32, H = 32, T = 1000, float64) of the LRU (``lru.LRUClassifier``, two
  layers) against ``torch.nn.LSTM`` of the same width, and against the book's own LSTM loop
  (``models.RecurrentClassifier``).
"""
from __future__ import annotations

import numpy as np

from .bench import REPEATS, interleaved_times, verdict

D = 64
LADDER = (16, 64, 256, 1024, 4096, 16384)


def _recurrence(T: int, low: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.uniform(low, 1.0, (T, D)), rng.normal(size=(T, D))


def _error(h, ref) -> float:
    return float(np.max(np.abs(np.asarray(h) - ref)) / np.max(np.abs(ref)))


def bench_loop_vs_scan():
    """The chunked scan against the loop over T, numpy and torch; then the crossover."""
    import torch

    from . import scan, scan_torch

    crossover = None
    for T in LADDER:
        a, b = _recurrence(T, 0.9)
        ta, tb = torch.tensor(a), torch.tensor(b)
        ref = scan.sequential(a, b)
        err = max(_error(scan.chunked(a, b), ref), _error(scan_torch.chunked(ta, tb), ref))
        for lib, ours, loop in (("numpy", lambda: scan.chunked(a, b), lambda: scan.sequential(a, b)),
                                ("torch", lambda: scan_torch.chunked(ta, tb), lambda: scan_torch.sequential(ta, tb))):
            t_ours, t_loop = interleaved_times(ours, loop)
            setting = f"T={T} d={D} float64, {REPEATS} runs"
            yield f"scan: chunked ({lib})", setting, t_ours.format(), f"rel. error {err:.0e}"
            yield f"scan: loop ({lib})", setting, t_loop.format(), verdict(t_ours, t_loop)
            if lib == "torch" and crossover is None and verdict(t_ours, t_loop).startswith("ours faster"):
                crossover = T
    yield "scan: crossover (torch)", "smallest T of the ladder, ours faster", f"T = {crossover}", ""


def bench_two_threads(T: int = LADDER[-1]):
    """The torch scan against the torch loop at T with two threads: the goal's setting (2 CPU cores, ≥ 5×). The
    loop's steps are too small to share out; the scan's levels are element-wise over (blocks, d)."""
    import torch

    from . import scan_torch

    a, b = (torch.tensor(v) for v in _recurrence(T, 0.9))
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        t_ours, t_loop = interleaved_times(lambda: scan_torch.chunked(a, b), lambda: scan_torch.sequential(a, b))
    finally:
        torch.set_num_threads(threads)
    setting = f"T={T} d={D} float64, 2 threads, {REPEATS} runs"
    yield "scan: chunked (torch)", setting, t_ours.format(), ""
    yield "scan: loop (torch)", setting, t_loop.format(), verdict(t_ours, t_loop)


def _closed_form(cumprod, cumsum):
    """h = P ⊙ cumsum(b / P), P = cumprod(a), both along time (axis 0)."""
    def h(a, b):
        P = cumprod(a, 0)
        return P * cumsum(b / P, 0)
    return h


def bench_alternatives(T: int = 16384):
    """Ours against the one-call alternatives at T, every a_t in [0.999, 1) (where the closed form is stable)."""
    import torch
    from torch._higher_order_ops.associative_scan import associative_scan

    from . import scan, scan_torch

    a, b = _recurrence(T, 0.999)
    ta, tb = torch.tensor(a), torch.tensor(b)
    ref = scan.sequential(a, b)
    candidates = {
        "ours: chunked (numpy)": lambda: scan.chunked(a, b),
        "ours: chunked (torch)": lambda: scan_torch.chunked(ta, tb),
        "closed form, numpy cumprod/cumsum": lambda: _closed_form(np.cumprod, np.cumsum)(a, b),
        "closed form, torch cumprod/cumsum": lambda: _closed_form(torch.cumprod, torch.cumsum)(ta, tb),
        "torch associative_scan (generic)": lambda: associative_scan(
            lambda p, q: (q[0] * p[0], q[0] * p[1] + q[1]), (ta, tb), dim=0, combine_mode="generic")[1],
    }
    times = dict(zip(candidates, interleaved_times(*candidates.values())))
    setting = f"T={T} d={D} float64, a in [0.999, 1)"
    for name, fn in candidates.items():
        out = fn()
        yield name, setting, times[name].format(), f"rel. error {_error(out, ref):.0e}"
    ours = min(t.median for n, t in times.items() if n.startswith("ours"))
    best_name, best = min(((n, t.median) for n, t in times.items() if not n.startswith("ours")), key=lambda x: x[1])
    yield ("scan: ours vs the best alternative", best_name, f"{ours / best:.2f}x its time",
           "ok (within 2x)" if ours <= 2 * best else "OVER GOAL")


def bench_backward(T: int = 4096):
    """The hand-written reverse scan against autograd through the loop, every gradient of L = Σ w ⊙ h."""
    import torch

    from . import scan, scan_torch

    a, b = _recurrence(T, 0.9)
    w = np.random.default_rng(1).normal(size=(T, D))

    def autograd():
        at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        (scan_torch.sequential(at, bt) * torch.tensor(w)).sum().backward()
        return at.grad.numpy(), bt.grad.numpy()

    ours = lambda: scan.backward(a, b, None, w, scan="chunked")  # noqa: E731
    err = max(_error(g, r) for g, r in zip(ours(), autograd()))
    t_ours, t_auto = interleaved_times(ours, autograd)
    setting = f"T={T} d={D} float64, {REPEATS} runs"
    yield "scan backward: reverse scan (numpy)", setting, t_ours.format(), f"rel. error {err:.0e}"
    yield ("scan backward: autograd through the loop", setting, t_auto.format(),
           f"{verdict(t_ours, t_auto)}; ratio {t_ours.median / t_auto.median:.3f} (goal ≤ 1)")


def bench_lru_step(N: int = 32, H: int = 32, T: int = 1000):
    """One forward + backward of a mean-squared loss on the last step: the LRU against nn.LSTM, same width."""
    import torch

    from .lru import LRUClassifier
    from .models import RecurrentClassifier

    x = torch.randn(N, T, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    lru_model = LRUClassifier(2, H, 1, seed=0)
    loop_lstm = RecurrentClassifier(2, H, 1, cell="lstm", dtype=torch.float64)
    torch.manual_seed(0)
    lstm, readout = torch.nn.LSTM(2, H, batch_first=True, dtype=torch.float64), torch.nn.Linear(H, 1).double()

    def step(forward):
        return lambda: forward().pow(2).mean().backward()

    runs = {"LRU (2 layers, chunked scan)": step(lambda: lru_model(x)),
            "torch.nn.LSTM": step(lambda: readout(lstm(x)[0][:, -1])),
            "LSTM, the book's loop (RecurrentClassifier)": step(lambda: loop_lstm(x))}
    times = dict(zip(runs, interleaved_times(*runs.values(), repeats=5)))
    setting = f"N={N} H={H} T={T} float64, 5 runs"
    params = {"LRU (2 layers, chunked scan)": lru_model, "torch.nn.LSTM": lstm,
              "LSTM, the book's loop (RecurrentClassifier)": loop_lstm}
    for name, t in times.items():
        n = sum(p.numel() for p in params[name].parameters())
        yield f"training step: {name}", setting, t.format(), f"{n} parameters"
