"""Chapter 1: feedback in its simplest form — one tanh unit remembering (or forgetting) one pulse.

The unit follows the book's state equation with H = D = 1:

    h_t = tanh(w h_{t-1} + x_t),   h_0 = 0,   x_1 = p (the pulse),   x_t = 0 for t > 1.      (eq-pulse)

Its trace h_t shows what the state remembers; the sensitivity |∂h_t/∂x_1| = |tanh'(a_1)| Π_{s=2..t} |w tanh'(a_s)|
previews the gradient that training would send back to the pulse (Chapter 2 derives it in general).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import activations, plotting, rnn
from .._validate import check_float, check_int
from ..widgets import Explorer, Slider

FADE_RATIO = 0.01  # the pulse "fades" when |h_T| < FADE_RATIO * |h_1|
SATURATED = 0.9    # ... and "saturates" when |h_T| > SATURATED (tanh is nearly flat there)


@dataclass(frozen=True)
class PulseResponse:
    """What one pulse does to a one-unit tanh RNN (all arrays over t = 1..T)."""
    h: np.ndarray            # (T,) the state h_t
    sensitivity: np.ndarray  # (T,) |∂h_t/∂x_1|, the gradient's view of the pulse
    memory: str              # "fades", "persists" or "saturates": what happens to h_T
    gradient: str            # plotting.classify of |∂h_T/∂x_1|: "vanished", "within 10^±6" or "exploded"


def pulse_response(w: float, T: int, pulse: float = 1.0) -> PulseResponse:
    """Run (eq-pulse) for ``T`` steps and classify what remains of the pulse.

    Parameters
    ----------
    w : float
        Recurrent weight (the 1×1 ``W_hh``), any finite value.
    T : int
        Number of time steps, 1 ≤ T ≤ 10,000.
    pulse : float
        The input at t = 1 (``x_1``); all later inputs are 0.
    """
    w = check_float("w", w)
    T = check_int("T", T, low=1, high=10_000)
    pulse = check_float("pulse", pulse)
    x = np.zeros((1, T, 1))                       # (N, T, D) = (1, T, 1)
    x[0, 0, 0] = pulse
    h, cache = rnn.rnn_forward(x, np.zeros((1, 1)), W_xh=np.ones((1, 1)), W_hh=np.array([[w]]), b=np.zeros(1))
    J = rnn.step_jacobians(cache)[0, :, 0, 0]     # (T,) ∂h_t/∂h_{t-1} = tanh'(a_t) w
    first = activations.tanh_prime(pulse)         # ∂h_1/∂x_1 = tanh'(a_1), and a_1 = x_1 since h_0 = 0
    with np.errstate(over="ignore", under="ignore"):
        sensitivity = np.abs(first * np.concatenate([[1.0], np.cumprod(J[1:])]))
    trace = h[0, :, 0]
    if abs(trace[-1]) > SATURATED:
        memory = "saturates"
    elif abs(trace[-1]) < FADE_RATIO * abs(trace[0]) or trace[0] == 0:
        memory = "fades"
    else:
        memory = "persists"
    return PulseResponse(h=trace, sensitivity=sensitivity, memory=memory, gradient=plotting.classify(sensitivity[-1]))


def draw_pulse(fig, result: PulseResponse, params: dict) -> None:
    """Left: the state h_t. Right: |∂h_t/∂x_1| on a log scale, with the status of both."""
    t = np.arange(1, len(result.h) + 1)
    ax_h, ax_g = fig.subplots(1, 2)
    ax_h.plot(t, result.h, color=plotting.COLORS["blue"])
    ax_h.set(xlabel="time step t", ylabel="state $h_t$", ylim=(-1.05, 1.05),
             title=f"memory of the pulse: {result.memory}")
    ax_g.semilogy(t, plotting.log_safe(result.sensitivity), color=plotting.COLORS["orange"])
    ax_g.set(xlabel="time step t", ylabel=r"$|\partial h_t / \partial x_1|$", ylim=(1e-30, 10),
             title="gradient reaching the pulse")
    plotting.annotate_status(ax_g, result.gradient, f"{result.sensitivity[-1]:.0e}")
    fig.suptitle(f"one tanh unit, w = {params['w']:.2f}, pulse = {params['pulse']:.1f}, T = {params['T']}",
                 fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.17, top=0.8, wspace=0.3)


def pulse_explorer() -> Explorer:
    """Chapter 1's explorer: sliders for w (main, 0–2), T and the pulse size."""
    return Explorer(
        compute=pulse_response, draw=draw_pulse, main="w", frames=17,
        title="One tanh unit h_t = tanh(w h_(t-1) + x_t) after a single pulse: its state (left) and "
              "the sensitivity of h_t to the pulse (right, log scale)",
        sliders=[Slider("w", "w (recurrent weight)", 0.0, 2.0, 0.05, 0.9),
                 Slider("T", "T (time steps)", 5, 200, 1, 60),
                 Slider("pulse", "pulse x₁", 0.1, 5.0, 0.1, 1.0)])


def fixed_point(w: float, tol: float = 1e-14) -> float:
    """The positive fixed point h* = tanh(w h*) of the undriven unit, found by bisection.

    For w ≤ 1 the only fixed point is 0 (returned as 0.0). For w > 1, 0 is unstable and ±h* are the two
    attractors that let the unit latch the sign of a pulse (Bengio et al., 1994).
    """
    w = check_float("w", w, low=0.0)
    if w <= 1.0:
        return 0.0
    lo, hi = 1e-12, 1.0  # tanh(w h) - h is > 0 just above 0 and < 0 at 1
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.tanh(w * mid) > mid else (lo, mid)
    return 0.5 * (lo + hi)


def critical_path(T: int, L: int) -> int:
    """Length of the longest chain of dependent steps in an L-layer RNN unrolled over T time steps.

    Cell (l, t) needs (l, t-1) (the same layer one step earlier) and (l-1, t) (the layer below, same step).
    Computed by dynamic programming over that grid, not by formula, so the chapter can check the formula.
    """
    T = check_int("T", T, low=1, high=100_000)
    L = check_int("L", L, low=1, high=1_000)
    depth = np.zeros((L + 1, T + 1), dtype=np.int64)  # depth[l, t]: longest chain ending at cell (l, t)
    for l in range(1, L + 1):
        for t in range(1, T + 1):
            depth[l, t] = 1 + max(depth[l, t - 1], depth[l - 1, t])
    return int(depth[L, T])


def draw_unrolled(fig, T: int = 4) -> None:
    """Schematic: the folded loop (left) and the same network unrolled over T steps (right)."""
    T = check_int("T", T, low=1, high=8)
    ax = fig.subplots()
    ax.set_axis_off()
    box = {"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": plotting.COLORS["blue"], "lw": 1.5}
    arrow = {"arrowstyle": "-|>", "color": plotting.COLORS["grey"], "lw": 1.2}

    def node(x, y, text, **kw):
        ax.text(x, y, text, ha="center", va="center", bbox={**box, **kw}, fontsize=11)

    def link(x0, y0, x1, y1, label="", rad=0.0):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={**arrow, "connectionstyle": f"arc3,rad={rad}"})
        if label:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.12, label, ha="center", fontsize=9,
                    color=plotting.COLORS["red"])

    node(0, 0, "$x_t$", edgecolor=plotting.COLORS["grey"])
    node(0, 1, "$h_t$")
    link(0, 0.2, 0, 0.8)
    ax.text(0.08, 0.45, r"$W_{xh}$", fontsize=9, color=plotting.COLORS["grey"])
    loop = {**arrow, "color": plotting.COLORS["red"]}
    ax.plot([0.22, 0.5, 0.5, 0.0, 0.0], [1.0, 1.0, 1.4, 1.4, 1.4], color=loop["color"], lw=1.2)
    ax.annotate("", xy=(0.0, 1.2), xytext=(0.0, 1.4), arrowprops=loop)
    ax.text(0.55, 1.2, r"$W_{hh}$", fontsize=9, color=plotting.COLORS["red"], va="center")
    ax.text(1.25, 0.62, "unroll", fontsize=10, ha="center", color=plotting.COLORS["grey"])
    ax.annotate("", xy=(1.6, 0.5), xytext=(0.9, 0.5), arrowprops=arrow)
    x0 = 2.2
    node(x0 - 0.8, 1, "$h_0$")
    for t in range(1, T + 1):
        x = x0 + (t - 1) * 1.1
        node(x, 0, f"$x_{t}$", edgecolor=plotting.COLORS["grey"])
        node(x, 1, f"$h_{t}$")
        link(x, 0.2, x, 0.8)
        link(x - 1.1 + 0.25 if t > 1 else x0 - 0.55, 1, x - 0.25, 1, r"$W_{hh}$" if t > 1 else "")
    ax.set(xlim=(-0.5, x0 + T * 1.1 - 0.5), ylim=(-0.3, 1.55))
    ax.set_title("the same weights at every step: an unrolled RNN is a deep network with shared weights",
                 fontsize=10)
