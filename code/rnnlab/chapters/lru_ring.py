"""Chapter 10 §10.5: the LRU's eigenvalues on a ring, and what they do to a gradient over the lag.

- ``ring``: n = 64 eigenvalues drawn on the ring r_min ≤ |λ| ≤ r_max (``lru.ring_init``), and the gain
  ‖∂h_T/∂h_{T−k}‖ = max_j |λ_j|^k of the linear part over k = 0 … 1000 (``lru.lag_gains``), with its fate at k = 1000
  in the book's vocabulary (``plotting.classify``). r_max is set by its "nines" q: r_max = 1 − 10^(−q).
- ``ring_explorer``: the ring and the gain; the scrubber steps through the nines of r_max, r_min is live.
- ``init_profiles``: ‖∂L/∂h_t‖ over T = 500 steps at initialisation for the LRU (its last layer's states), the tanh
  RNN, the LSTM (b_f = 1) and the GRU on one batch of H&S's adding problem (H = 32, float64).
"""
from __future__ import annotations

import numpy as np

from .. import lru, plotting
from .._validate import check_float
from ..plotting import COLORS
from .bptt import check_figure
from ..widgets import Explorer, Slider

N_EIGEN = 64
HORIZON = 1000  # the lag the gain's fate is read at
LAGS = np.arange(HORIZON + 1)
TITLE = "LRU eigenvalues on a ring and the gain over the lag"


def r_max_of(nines: float) -> float:
    """r_max = 1 − 10^(−nines): 1 nine is 0.9, 3 nines 0.999."""
    return 1.0 - 10.0 ** (-check_float("nines", nines, low=0.1, high=6.0))


def ring(r_min: float = lru.R_MIN, nines: float = 3.0, seed: int = 0) -> dict:
    """The eigenvalues (N_EIGEN,) on the ring and the gains over LAGS; r_min is lowered below r_max when above it."""
    r_max = r_max_of(nines)
    r_min = check_float("r_min", r_min, low=0.0, high=1.0)
    clipped = r_min >= r_max
    r_lo = min(r_min, r_max - 1e-3) if clipped else r_min
    lam = lru.eigenvalues(*lru.ring_init(N_EIGEN, max(r_lo, 0.0), r_max, rng=np.random.default_rng(seed)))
    fastest = np.abs(lam).min() ** LAGS.astype(float)  # the channel that forgets fastest
    gains = lru.lag_gains(lam, LAGS)
    return {"lam": lam, "gains": gains, "fastest": fastest, "r_min": r_lo, "r_max": r_max, "clipped": clipped,
            "status": plotting.classify(gains[-1])}


def draw_ring(fig, result: dict, params: dict) -> None:
    """Left: λ in the complex plane, the unit circle and the ring. Right: max_j |λ_j|^k and min_j |λ_j|^k over k."""
    check_figure(fig)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    t = np.linspace(0, 2 * np.pi, 400)
    for r, style in ((1.0, "-"), (result["r_max"], "--"), (result["r_min"], ":")):
        left.plot(r * np.cos(t), r * np.sin(t), style, color=COLORS["grey"], lw=1)
    lam = result["lam"]
    left.plot(lam.real, lam.imag, "o", color=COLORS["blue"], ms=3)
    left.set(aspect="equal", xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), xlabel="Re λ", ylabel="Im λ",
             title=f"r_max = {result['r_max']:.6g}, r_min = {result['r_min']:.3g}")
    right.semilogy(LAGS, np.maximum(result["gains"], 1e-300), color=COLORS["blue"], label=r"slowest: max $|\lambda|^k$")
    right.semilogy(LAGS, np.maximum(result["fastest"], 1e-300), color=COLORS["orange"],
                   label=r"fastest: min $|\lambda|^k$")
    right.axhline(plotting.VANISHED_BELOW, color=COLORS["purple"], lw=0.8, ls="--")
    right.set(xlabel="lag k (steps)", ylabel="gain of the linear part", ylim=(1e-12, 3), xlim=(0, HORIZON))
    right.legend(loc="lower left", fontsize=8)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.84, wspace=0.35)
    detail = f"at k = {HORIZON}: {result['gains'][-1]:.1e}"
    if result["clipped"]:
        detail += "; r_min lowered below r_max"
    plotting.annotate_status(right, result["status"], detail, above=True)


def ring_explorer() -> Explorer:
    """Sliders: the nines q of r_max (main: r_max = 1 − 10^−q, q = 0.5 … 4) and r_min (live, 0 … 0.99)."""
    sliders = [Slider("nines", "nines q of r_max (r_max = 1 − 10^−q)", 0.5, 4.0, 0.25, 3.0),
               Slider("r_min", "r_min", 0.0, 0.99, 0.01, lru.R_MIN)]
    return Explorer(compute=ring, draw=draw_ring, sliders=sliders, main="nines", frames=15, figsize=(7.5, 3.4),
                    title=TITLE)


def init_profiles(seed: int, T: int = 500, n: int = 8) -> dict:
    """model name -> ‖∂L/∂h_t‖ (T,) at initialisation on ``n`` sequences of H&S's adding problem, H = 32."""
    from ..experiments.config import RunConfig, build_model
    from ..experiments.registry import task_spec
    from ..models import hidden_gradient_norms

    spec = task_spec("adding_hs")
    batch = spec.make(n, T, np.random.default_rng(seed))
    out = {}
    for name, model in (("LRU", {"cell": "lru"}), ("tanh RNN", {"cell": "rnn"}),
                        ("LSTM b_f=1", {"cell": "lstm", "forget_bias": 1.0}), ("GRU", {"cell": "gru"})):
        net = build_model(RunConfig(task="adding_hs", T=T, seed=seed, **model))
        out[name] = hidden_gradient_norms(net, batch, spec.loss)
    return out
