"""Chapter 11's figures and its explorer. The numbers come from ``reservoirs``; these only draw.

- ``draw_echo``: distances between two runs of one reservoir, driven (σ_max = 0.95, ρ = 0.95) and with zero input
  (ρ = 0.9, 1.2), every seed, with the bound of Theorem thm-esp.
- ``draw_scores``: NRMSE_84 of every seed beside Jaeger's.
- ``draw_prediction``: an echo state network running free on Mackey–Glass beside the truth.
- ``draw_memory``: MC_k against the lag k, one colour per spectral radius, every seed.
- ``draw_bpdc``: BPDC's online one-step error over time, with persistence and the offline ridge readout.
- ``draw_liquid``: a raster of the LIF liquid's spikes.
- ``reservoir_explorer``: states from two starts, their distance, a 10-step-ahead prediction; the scrubber
  steps through the spectral radius, the leak and the input scale are live.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullLocator

from .. import plotting
from ..plotting import COLORS
from ..widgets import Explorer, Slider
from .criteria_figures import check_figure
from .reservoirs import AHEAD, RADII, WASHOUT, contraction_factor, explore

RADIUS_COLORS = dict(zip(RADII, (COLORS["purple"], COLORS["blue"], COLORS["green"], COLORS["red"])))
TITLE = "Reservoir states from two starts, their distance, and a 10-step-ahead prediction"


def _log_ticks(ax, low: int, high: int, step: int) -> None:
    """Plain-text decade labels (mathtext costs a tenth of a redraw) and no minor ticks."""
    powers = np.arange(low, high + 1, step)
    ax.set_yticks(10.0 ** powers, labels=["1" if p == 0 else f"1e{p}" for p in powers])
    ax.yaxis.set_minor_locator(NullLocator())


def draw_echo(fig, runs: dict) -> None:
    """Left: d_t/d_0 under one input, σ_max = 0.95 (leak 1 and 0.3, with the bound c^t dotted) and ρ = 0.95
    (σ_max > 1). Right: zero input, from h_0 and −h_0, ρ = 0.9 and 1.2. ``runs``: seed -> ``EchoRuns``."""
    check_figure(fig)
    left, right = fig.subplots(1, 2)
    first = next(iter(runs.values()))
    t = np.arange(1, len(first.practical) + 1)
    styles = {1.0: (COLORS["blue"], "σ_max = 0.95, ℓ = 1"), 0.3: (COLORS["green"], "σ_max = 0.95, ℓ = 0.3")}
    for i, r in enumerate(runs.values()):
        for leak, (color, label) in styles.items():
            left.semilogy(t, plotting.log_safe(r.contracting[leak], floor=1e-20), color=color, lw=1,
                          label=label if i == 0 else None)
        left.semilogy(t, plotting.log_safe(r.practical, floor=1e-20), color=COLORS["orange"], lw=1,
                      label="ρ = 0.95 (σ_max > 1), ℓ = 1" if i == 0 else None)
        for rho, color in ((0.9, COLORS["blue"]), (1.2, COLORS["red"])):
            z = r.zero_input[rho]
            right.semilogy(np.arange(1, len(z) + 1), plotting.log_safe(z, floor=1e-20), color=color, lw=1,
                           label=f"ρ = {rho}" if i == 0 else None)
    for leak, (color, _) in styles.items():
        left.semilogy(t, contraction_factor(leak, 0.95) ** t, ":", color=color, lw=1.5)
    left.axhline(plotting.VANISHED_BELOW, color=COLORS["grey"], lw=0.8, ls="--")
    left.set(xlabel="step t", ylabel="d_t / d_0", ylim=(1e-20, 1e6), title="one input, two starts")
    right.set(xlabel="step t", ylabel="d_t / d_0", ylim=(1e-20, 1e3), title="zero input, from h_0 and −h_0")
    left.legend(loc="upper right", fontsize=7)
    right.legend(loc="center right", fontsize=8)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.3)


def draw_prediction(fig, truth: np.ndarray, free: np.ndarray, prime: int, horizon: int = 84) -> None:
    """The series (truth, (T,)) and the network's free run (free, (T − prime,)) after ``prime`` teacher-forced
    steps; the scored horizon is marked."""
    check_figure(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    t = np.arange(len(truth)) - prime
    top.plot(t, truth, color=COLORS["grey"], lw=2.5, label="Mackey–Glass (squashed)")
    top.plot(t[prime:], free, color=COLORS["blue"], lw=1, label="ESN running free")
    bottom.semilogy(t[prime:], plotting.log_safe(np.abs(free - truth[prime:]), floor=1e-8), color=COLORS["red"],
                    lw=1)
    for ax in (top, bottom):
        ax.axvline(horizon, color=COLORS["grey"], lw=0.8, ls="--")
        ax.axvline(0, color=COLORS["grey"], lw=0.8)
    top.set(ylabel="x_t", ylim=(-0.6, 0.6), title="primed on true values (t ≤ 0), then its own output as input")
    bottom.set(xlabel="steps after the prime", ylabel="|error|", ylim=(1e-7, 1))
    top.legend(loc="upper left", fontsize=8, ncol=2)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.92, hspace=0.1)


def draw_scores(fig, scores: dict, published: float, bound: float) -> None:
    """NRMSE_84 of every seed (dots), one row per convention, beside the published value and the asserted bound.
    ``scores``: convention -> ``seeds.Spread``."""
    check_figure(fig)
    ax = fig.subplots()
    for row, (name, spread) in enumerate(scores.items()):
        ax.plot(spread.values, np.full(len(spread.values), row), "o", color=COLORS["blue"], ms=5, alpha=0.8)
    ax.axvline(published, color=COLORS["green"], lw=1.5, label="Jaeger (2001)")
    ax.axvline(bound, color=COLORS["grey"], lw=1, ls="--", label="the bound asserted")
    ax.set(xscale="log", xlim=(1e-4, 1e-2), ylim=(-0.6, len(scores) - 0.4), xlabel="NRMSE_84 (one dot per seed)",
           yticks=range(len(scores)), yticklabels=list(scores))
    ax.legend(loc="lower right", fontsize=8)
    fig.subplots_adjust(left=0.3, right=0.98, bottom=0.3, top=0.95)


def draw_memory(fig, curves: dict) -> None:
    """MC_k against k, one colour per spectral radius; ``curves``: seed -> radius -> ``MemoryCapacity``."""
    check_figure(fig)
    ax = fig.subplots()
    for i, by_radius in enumerate(curves.values()):
        for rho, m in by_radius.items():
            ax.plot(m.lags, m.mc, color=RADIUS_COLORS.get(rho, COLORS["grey"]), lw=1,
                    label=f"ρ = {rho}" if i == 0 else None)
    ax.set(xscale="log", xlabel="lag k", ylabel="MC_k", ylim=(-0.02, 1.05),
           title="how well a readout recalls x_(t−k), one line per seed")
    ax.legend(loc="upper right", fontsize=8)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9)


def draw_bpdc(fig, errors: dict) -> None:
    """BPDC's one-step NRMSE per window over time, every seed; persistence and the ridge readout as marks.
    ``errors``: seed -> ``BPDCErrors``."""
    check_figure(fig)
    ax = fig.subplots()
    for i, e in enumerate(errors.values()):
        t = (np.arange(len(e.online)) + 0.5) * e.window
        ax.semilogy(t, e.online, "o-", color=COLORS["blue"], ms=3, lw=1, label="BPDC, online" if i == 0 else None)
        ax.semilogy(t[-1], e.persistence, "s", color=COLORS["grey"], ms=5,
                    label="persistence: x_(k+1) ≈ x_k" if i == 0 else None)
        ax.semilogy(t[-1], e.ridge, "^", color=COLORS["green"], ms=5,
                    label="ridge readout, offline" if i == 0 else None)
    ax.set(xlabel="step k", ylabel="one-step NRMSE (per window)", title="learning online, one step ahead")
    ax.legend(loc="lower left", fontsize=8)
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.16, top=0.9)


def draw_liquid(fig, spikes: np.ndarray, title: str, values: int = 60) -> None:
    """A raster of the first ``values`` held inputs (5 steps each): one dot per spike."""
    check_figure(fig)
    ax = fig.subplots()
    steps, units = np.nonzero(spikes[:5 * values])
    ax.plot(steps, units, "|", color=COLORS["blue"], ms=3)
    ax.set(xlabel="step (each input held 5 steps)", ylabel="unit", xlim=(0, 5 * values),
           ylim=(-1, spikes.shape[1]), title=title)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.18, top=0.88)


def draw_explorer(fig, result: dict, params: dict) -> None:
    """Left: four units' states from both starts over the washout. Middle: d_t/d_0, with its fate at the washout's
    end. Right: the prediction AHEAD steps ahead against the truth on the test steps, with its NRMSE."""
    check_figure(fig)
    left, middle, right = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.3]})
    states = result["states"]  # (2, WASHOUT, 4)
    colors = (COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["purple"])
    for j, color in enumerate(colors):
        left.plot(states[0, :, j], color=color, lw=1)
        left.plot(states[1, :, j], color=color, lw=1, ls="--")
    left.set(xlabel="step t", ylabel="h_t, 4 units", ylim=(-1.05, 1.05), title="from 0 (—) and random (--)")
    d = result["distance"]
    middle.semilogy(np.arange(1, len(d) + 1), plotting.log_safe(d, floor=1e-20), color=COLORS["red"], lw=1)
    middle.axvline(WASHOUT, color=COLORS["grey"], lw=0.8)
    middle.axhline(plotting.VANISHED_BELOW, color=COLORS["grey"], lw=0.8, ls="--")
    middle.set(xlabel="step t", ylabel="d_t / d_0", ylim=(1e-20, 10), xlim=(0, len(d)))
    _log_ticks(middle, -20, 0, 10)
    plotting.annotate_status(middle, result["status"], f"at t = {WASHOUT}: {result['gain']:.0e}", above=True)
    right.plot(result["t_test"], result["target"], color=COLORS["grey"], lw=2.5, label="truth")
    right.plot(result["t_test"], result["guess"], color=COLORS["blue"], lw=1, label="readout")
    right.set(xlabel="step t", ylabel=f"x_(t+{AHEAD})", ylim=(-0.75, 0.55),
              title=f"{AHEAD} steps ahead: NRMSE {result['nrmse']:.2g}")
    right.legend(loc="lower left", fontsize=7)
    fig.subplots_adjust(left=0.09, right=0.99, bottom=0.17, top=0.86, wspace=0.45)


def reservoir_explorer() -> Explorer:
    """Sliders: the spectral radius ρ (main, 0 … 1.6), the leak ℓ and the input scale (live)."""
    sliders = [Slider("radius", "spectral radius ρ(W_hh)", 0.0, 1.6, 0.1, 0.9),
               Slider("leak", "leaking rate ℓ", 0.05, 1.0, 0.05, 1.0),
               Slider("input_scale", "input scale", 0.0, 2.0, 0.05, 0.2)]
    return Explorer(compute=explore, draw=draw_explorer, sliders=sliders, main="radius", frames=17,
                    figsize=(7.5, 3.0), title=TITLE)
