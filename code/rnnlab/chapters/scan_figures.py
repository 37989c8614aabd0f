"""Chapter 10's figures: what a pass over T steps costs, the scans' work and depth, the measured scans, and the
gradient over 500 steps at initialisation. The numbers come from ``scans`` and ``lru_ring``; these only draw."""
from __future__ import annotations

import numpy as np

from .. import plotting
from ..plotting import COLORS
from .criteria_figures import check_figure

LINES = {"tanh RNN loop (rnnlab)": COLORS["blue"], "torch.nn.RNN": COLORS["sky"],
         "no time dependence": COLORS["orange"], "sequential": COLORS["blue"], "hillis_steele": COLORS["green"],
         "blelloch": COLORS["purple"], "chunked": COLORS["orange"], "loop (numpy)": COLORS["blue"],
         "chunked (numpy)": COLORS["orange"], "loop (torch)": COLORS["sky"], "chunked (torch)": COLORS["red"],
         "LRU": COLORS["orange"], "tanh RNN": COLORS["blue"], "LSTM b_f=1": COLORS["green"], "GRU": COLORS["purple"]}


def draw_times(fig, Ts, seconds: dict, title: str) -> None:
    """Left: wall time of a forward + backward pass against T; right: the same per step (µs). Log axes."""
    check_figure(fig)
    left, right = fig.subplots(1, 2)
    for name, s in seconds.items():
        left.loglog(Ts, s, "o-", color=LINES[name], label=name, ms=3)
        right.semilogx(Ts, 1e6 * s / Ts, "o-", color=LINES[name], ms=3)
    left.set(xlabel="sequence length T", ylabel="seconds per pass", title=title)
    right.set(xlabel="sequence length T", ylabel="µs per time step", ylim=(0, None))
    left.legend(fontsize=8)
    fig.subplots_adjust(wspace=0.35, bottom=0.16)


def draw_costs(fig, Ts, costs: dict) -> None:
    """Work (applications of ∘) and depth (levels) of each scan against T, log–log."""
    check_figure(fig)
    work_ax, depth_ax = fig.subplots(1, 2)
    for name, (work, depth) in costs.items():
        work_ax.loglog(Ts, np.maximum(work, 1), color=LINES[name], label=name.replace("_", "–"))
        depth_ax.loglog(Ts, np.maximum(depth, 1), color=LINES[name])
    work_ax.set(xlabel="T", ylabel="work: applications of ∘", title="work")
    depth_ax.set(xlabel="T", ylabel="depth: levels", title="depth (unlimited processors)")
    work_ax.legend(fontsize=8)
    fig.subplots_adjust(wspace=0.35, bottom=0.16)


def draw_profiles(fig, profiles: dict) -> None:
    """‖∂L/∂h_t‖ / ‖∂L/∂h_T‖ against the distance T − t, one line per model and seed (``lru_ring.init_profiles``
    per seed), with the book's "vanished" line."""
    check_figure(fig)
    ax = fig.subplots()
    for i, per_model in enumerate(profiles.values()):
        for name, norms in per_model.items():
            gain = norms[::-1] / norms[-1]  # distance 0 … T − 1
            ax.semilogy(np.arange(len(gain)), np.maximum(gain, 1e-300), color=LINES[name], lw=1,
                        label=name if i == 0 else None)
    ax.axhline(plotting.VANISHED_BELOW, color=COLORS["purple"], lw=0.8, ls="--")
    ax.set(xlabel="distance T − t (steps)", ylabel="‖∂L/∂h_t‖ / ‖∂L/∂h_T‖", ylim=(1e-40, 10),
           title="at initialisation, H = 32, every claim seed")
    ax.legend(fontsize=8, loc="lower left")
