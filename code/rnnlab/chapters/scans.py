"""Chapter 10 §10.1–10.3: what is slow about recurrence, the linear recurrence as a scan, its backward pass.

- ``step_times``: wall time of one forward + backward pass over T steps of a tanh RNN run as a loop (the book's
  ``models.RecurrentClassifier`` and ``torch.nn.RNN``) and of the same layer with its time dependence removed
  (W_hh = 0: every step at once, one matrix product). Measured live in the chapter at small T; the committed
  measurement at large T is ``TIMINGS`` (``python -m rnnlab.chapters.scans`` writes it).
- ``scan_errors``: every scan of ``rnnlab.scan`` (and ``scan_torch``) against the loop over the claim seeds;
  ``backward_errors``: the hand-written reverse scan against autograd through the loop.
- ``costs``: work and depth of each scan over T (counted as they run).
"""
from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from .. import scan, scan_torch
from .._validate import check_int

TIMINGS = Path(__file__).with_name("scan_timings.json")  # the committed measurement (large T)
MODELS = ("tanh RNN loop (rnnlab)", "torch.nn.RNN", "no time dependence")
N, D, H = 32, 8, 64  # batch, input and hidden size of the timed layers


def _layers(seed: int = 0):
    import torch

    from ..models import RecurrentClassifier

    torch.manual_seed(seed)
    ours = RecurrentClassifier(D, H, 1, dtype=torch.float64, seed=seed)
    rnn = torch.nn.RNN(D, H, batch_first=True, dtype=torch.float64)
    flat = torch.nn.Linear(D, H, dtype=torch.float64)  # tanh(W_xh x_t + b) at every t: W_hh = 0
    return {MODELS[0]: lambda x: ours(x),
            MODELS[1]: lambda x: rnn(x)[0][:, -1],
            MODELS[2]: lambda x: torch.tanh(flat(x))[:, -1]}


def step_times(Ts, repeats: int = 5, seed: int = 0) -> dict:
    """model -> array (len(Ts),) of the least wall time (s) of ``repeats`` forward + backward passes over T steps
    (N = 32 sequences, D = 8, H = 64, float64), the models timed in turns."""
    import torch

    Ts = [check_int("T", T, low=1) for T in Ts]
    repeats = check_int("repeats", repeats, low=1)
    layers = _layers(seed)
    out = {m: np.zeros(len(Ts)) for m in layers}
    for i, T in enumerate(Ts):
        x = torch.randn(N, T, D, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
        best = _least({m: (lambda f=f: f(x).sum().backward()) for m, f in layers.items()}, repeats)
        for m in layers:
            out[m][i] = best[m]
    return out


def _least(fns: dict, repeats: int) -> dict:
    """name -> the least wall time (s) of ``repeats`` calls, the functions called in turns after a warm-up round."""
    best = {name: np.inf for name in fns}
    for _ in range(repeats + 1):
        for name, f in fns.items():
            start = time.perf_counter()
            f()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def scan_times(Ts, d: int = 64, repeats: int = 5) -> dict:
    """name -> array (len(Ts),) of the least wall time (s) of the loop and of the chunked scan, numpy and torch,
    on h_t = a_t ⊙ h_{t−1} + b_t with d channels (float64, a ∈ [0.9, 1))."""
    import torch

    out = {}
    for i, T in enumerate(Ts):
        rng = np.random.default_rng(0)
        a, b = rng.uniform(0.9, 1.0, (T, d)), rng.normal(size=(T, d))
        ta, tb = torch.tensor(a), torch.tensor(b)
        best = _least({"loop (numpy)": lambda: scan.sequential(a, b), "chunked (numpy)": lambda: scan.chunked(a, b),
                       "loop (torch)": lambda: scan_torch.sequential(ta, tb),
                       "chunked (torch)": lambda: scan_torch.chunked(ta, tb)}, repeats)
        for name, t in best.items():
            out.setdefault(name, np.zeros(len(Ts)))[i] = t
    return out


def training_step_times(T: int = 1000, N: int = 32, H: int = 32, repeats: int = 3) -> dict:
    """name -> least wall time (s) of one forward + backward pass of a last-step squared loss (float64): the LRU
    (``lru.LRUClassifier``, two layers), ``torch.nn.LSTM`` and the book's LSTM loop, all H wide."""
    import torch

    from ..lru import LRUClassifier
    from ..models import RecurrentClassifier

    x = torch.randn(N, T, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    lstm, readout = torch.nn.LSTM(2, H, batch_first=True, dtype=torch.float64), torch.nn.Linear(H, 1).double()
    models = {"LRU": LRUClassifier(2, H, 1), "LSTM loop (rnnlab)": RecurrentClassifier(2, H, 1, "lstm",
                                                                                      dtype=torch.float64)}
    return _least({"LRU": lambda: models["LRU"](x).pow(2).mean().backward(),
                   "torch.nn.LSTM": lambda: readout(lstm(x)[0][:, -1]).pow(2).mean().backward(),
                   "LSTM loop (rnnlab)": lambda: models["LSTM loop (rnnlab)"](x).pow(2).mean().backward()}, repeats)


def load_timings(path: Path = TIMINGS) -> dict:
    """The committed measurement: {"Ts": [...], "seconds": {model: [...]}, "scan_Ts": [...], "scan_seconds":
    {name: [...]}, "step_seconds": {name: s}, "machine": "...", "date": "..."}, lists as arrays."""
    data = json.loads(Path(path).read_text())
    for key in ("Ts", "scan_Ts"):
        data[key] = np.array(data[key])
    for key in ("seconds", "scan_seconds"):
        data[key] = {m: np.array(v) for m, v in data[key].items()}
    return data


def per_step(timings: dict) -> dict:
    """model -> seconds per time step (the time over T)."""
    return {m: s / timings["Ts"] for m, s in timings["seconds"].items()}


def scan_errors(seeds, T: int = 1000, d: int = 16) -> dict:
    """scan name -> the largest |h − loop| / max|loop| over ``seeds`` (a ∈ [−1, 1], b and h_0 standard normal),
    numpy and torch (``"torch " + name``)."""
    import torch

    out = {}
    for s in seeds:
        rng = np.random.default_rng(s)
        a, b, h0 = rng.uniform(-1, 1, (T, d)), rng.normal(size=(T, d)), rng.normal(size=d)
        loop = scan.sequential(a, b, h0)
        scale = np.abs(loop).max()
        tensors = [torch.tensor(v) for v in (a, b, h0)]
        for name in ("hillis_steele", "blelloch", "chunked"):
            for label, h in ((name, scan.SCANS[name](a, b, h0)),
                             (f"torch {name}", getattr(scan_torch, name)(*tensors).numpy())):
                out[label] = max(out.get(label, 0.0), float(np.abs(h - loop).max() / scale))
    return out


def backward_errors(seeds, T: int = 300, d: int = 8) -> dict:
    """scan name -> the largest relative error of ``scan.backward``'s gradients (a, b, h_0) against autograd through
    the torch loop, for L = Σ_t w_t · h_t with w standard normal, over ``seeds``."""
    import torch

    out = {}
    for s in seeds:
        rng = np.random.default_rng(s)
        a, b, h0, w = rng.uniform(-1, 1, (T, d)), rng.normal(size=(T, d)), rng.normal(size=d), rng.normal(size=(T, d))
        tensors = [torch.tensor(v, requires_grad=True) for v in (a, b, h0)]
        (scan_torch.sequential(*tensors) * torch.tensor(w)).sum().backward()
        for name in scan.SCANS:
            for got, t in zip(scan.backward(a, b, h0, w, scan=name), tensors):
                want = t.grad.numpy()
                out[name] = max(out.get(name, 0.0), float(np.abs(got - want).max() / np.abs(want).max()))
    return out


def costs(Ts) -> dict:
    """scan name -> (work array, depth array) over ``Ts``."""
    return {name: tuple(np.array(v) for v in zip(*(scan.cost(name, T) for T in Ts))) for name in scan.SCANS}


def write_timings(path: Path = TIMINGS, Ts=(16, 64, 256, 1024, 4096), scan_Ts=(64, 256, 1024, 4096, 16384),
                  repeats: int = 5) -> dict:
    """Measure ``step_times``, ``scan_times`` and ``training_step_times`` on this machine (one thread) and save them
    with a note of the machine."""
    import torch

    torch.set_num_threads(1)

    def rounded(values):
        return [float(f"{v:.4g}") for v in values]
    steps = training_step_times()
    data = {"Ts": list(Ts), "seconds": {m: rounded(s) for m, s in step_times(Ts, repeats).items()},
            "scan_Ts": list(scan_Ts), "scan_seconds": {m: rounded(s) for m, s in scan_times(scan_Ts).items()},
            "step_seconds": dict(zip(steps, rounded(steps.values()))),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, 1 thread, "
                       f"torch {torch.__version__}, Python {sys.version.split()[0]}",
            "date": time.strftime("%Y-%m-%d")}
    Path(path).write_text(json.dumps(data, indent=1) + "\n")
    return data


if __name__ == "__main__":
    print(json.dumps(write_timings(), indent=1))
