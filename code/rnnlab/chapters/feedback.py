"""Chapter 1: feedback in its simplest form — one tanh unit remembering (or forgetting) one pulse.

The unit follows the book's state equation with H = D = 1:

    h_t = tanh(w h_{t-1} + x_t),   h_0 = 0,   x_1 = p (the pulse),   x_t = 0 for t > 1.      (eq-pulse)

Its trace h_t shows what the state remembers; the sensitivity |∂h_t/∂x_1| = |tanh'(a_1)| Π_{s=2..t} |w tanh'(a_s)|
previews the gradient that training would send back to the pulse (Chapter 2 derives it in general).
The chapter also counts the critical path of K stacked recurrent layers (:func:`critical_path`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import activations, plotting, rnn
from .._validate import check_choice, check_float, check_int
from ..widgets import Explorer, Slider

FADE_RATIO = 0.01  # for |w| ≤ 1 the pulse has "faded" once |h_T| < FADE_RATIO * |h_1| (else it is "fading")
SATURATED = 0.9    # for |w| > 1 it "saturates" when |h_T| > SATURATED (tanh is nearly flat there)
MEMORY = ("fading", "faded", "persists", "saturates")  # the four labels of PulseResponse.memory
SCHEDULES = ("wavefront", "layer_by_layer")  # how critical_path lets the K layers overlap in time


@dataclass(frozen=True)
class PulseResponse:
    """What one pulse does to a one-unit tanh RNN (all arrays over t = 1..T)."""
    h: np.ndarray            # (T,) the state h_t
    sensitivity: np.ndarray  # (T,) |∂h_t/∂x_1|, the gradient's view of the pulse
    memory: str              # one of MEMORY: what the state does with the pulse (see memory_label)
    gradient: str            # plotting.classify of |∂h_T/∂x_1|: "vanished", "within 10^±6" or "exploded"


def memory_label(w: float, h_1: float, h_T: float) -> str:
    """The label of the explorer's left panel: what the state does with the pulse by step T.

    If h_1 = 0 there was nothing to remember: ``"faded"``. For |w| ≤ 1 the only fixed point of
    h ↦ tanh(w h) is 0, and every state heads there: the pulse is ``"faded"`` once |h_T| < FADE_RATIO · |h_1|,
    and ``"fading"`` before that. For |w| > 1 the state heads for an attractor ±h* (the sign of the pulse; for
    w < −1 the sign alternates): ``"saturates"`` if |h_T| > SATURATED, else ``"persists"``.
    """
    w, h_1, h_T = check_float("w", w), check_float("h_1", h_1), check_float("h_T", h_T)
    if h_1 == 0.0:
        return "faded"
    if abs(w) > 1.0:
        return "saturates" if abs(h_T) > SATURATED else "persists"
    return "faded" if abs(h_T) < FADE_RATIO * abs(h_1) else "fading"


def pulse_response(w: float, T: int, pulse: float = 1.0) -> PulseResponse:
    """Run (eq-pulse) for ``T`` steps and classify what remains of the pulse.

    Parameters
    ----------
    w : float
        Recurrent weight (the 1×1 ``W_hh``), any finite value.
    T : int
        Number of time steps, 1 ≤ T ≤ 10,000.
    pulse : float
        The input at t = 1 (``x_1``), any finite value; all later inputs are 0.
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
    return PulseResponse(h=trace, sensitivity=sensitivity, memory=memory_label(w, trace[0], trace[-1]),
                         gradient=plotting.classify(sensitivity[-1]))


def draw_pulse(fig, result: PulseResponse, params: dict) -> None:
    """Left: the state h_t. Right: |∂h_t/∂x_1| on a log scale, with the status of both.

    ``params`` holds the values of ``w``, ``T`` and ``pulse`` that produced ``result`` (for the title).
    """
    _check_figure(fig)
    if not isinstance(result, PulseResponse):
        raise TypeError(f"result must be a PulseResponse from pulse_response; got {type(result).__name__}")
    if not isinstance(params, dict) or not {"w", "T", "pulse"} <= set(params):
        raise ValueError(f"params must be a dict with the keys 'w', 'T' and 'pulse'; got {params!r}")
    t = np.arange(1, len(result.h) + 1)
    ax_h, ax_g = fig.subplots(1, 2)
    ax_h.plot(t, result.h, color=plotting.COLORS["blue"])
    ax_h.set(xlabel="time step t", ylabel="state $h_t$", ylim=(-1.05, 1.05),
             title=f"memory of the pulse: {result.memory}")
    ax_g.semilogy(t, plotting.log_safe(result.sensitivity), color=plotting.COLORS["orange"])
    ax_g.set(xlabel="time step t", ylabel=r"$|\partial h_t / \partial x_1|$", ylim=(1e-30, 1e4),
             title="gradient reaching the pulse")
    gain = rf"$|\partial h_T / \partial x_1|$ = {result.sensitivity[-1]:.1e}"
    plotting.annotate_status(ax_g, result.gradient, gain)
    fig.suptitle(f"one tanh unit, w = {params['w']:.2f}, pulse = {params['pulse']:g}, T = {params['T']}",
                 fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.17, top=0.8, wspace=0.3)


def pulse_explorer() -> Explorer:
    """Chapter 1's explorer: sliders for w (main, 0–2), T and the pulse size (down to a tiny 0.01)."""
    return Explorer(
        compute=pulse_response, draw=draw_pulse, main="w", frames=17,
        title="One tanh unit h_t = tanh(w h_(t-1) + x_t) after a single pulse: its state (left) and "
              "the sensitivity of h_t to the pulse (right, log scale)",
        sliders=[Slider("w", "w (recurrent weight)", 0.0, 2.0, 0.05, 0.9),
                 Slider("T", "T (time steps)", 5, 200, 1, 60),
                 Slider("pulse", "pulse x₁", 0.01, 5.0, 0.01, 1.0)])


def fixed_point(w: float, tol: float = 1e-14, max_iter: int = 200) -> float:
    """The positive fixed point h* = tanh(w h*) of the undriven unit, found by bisection.

    For w ≤ 1 the only fixed point is 0 (returned as 0.0). For w > 1, 0 is unstable and ±h* are the two
    attractors that let the unit latch the sign of a pulse (Bengio et al., 1994).

    Parameters
    ----------
    w : float
        Recurrent weight, w ≥ 0.
    tol : float
        Width of the final bracket, 0 < tol ≤ 0.1. The bisection also stops when the bracket cannot shrink
        any more in float64 (about 1e-16 wide), so a tol below that gives float64 accuracy, not a hang.
    max_iter : int
        Most halvings, 1 ≤ max_iter ≤ 10,000 (60 already reach float64 resolution).
    """
    w = check_float("w", w, low=0.0)
    tol = check_float("tol", tol, high=0.1)
    if tol <= 0:
        raise ValueError(f"tol must be positive (the width of the final bracket); got {tol}")
    max_iter = check_int("max_iter", max_iter, low=1, high=10_000)
    if w <= 1.0:
        return 0.0
    lo, hi = 1e-12, 1.0  # tanh(w h) - h is > 0 just above 0 and < 0 at 1
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        if hi - lo <= tol or not lo < mid < hi:  # converged, or float64 cannot split the bracket
            break
        lo, hi = (mid, hi) if np.tanh(w * mid) > mid else (lo, mid)
    return 0.5 * (lo + hi)


def _chain(ready: np.ndarray) -> np.ndarray:
    """Depths d_t = 1 + max(d_{t-1}, ready_t), d_0 = 0, of one layer's T cells run in order t = 1..T.

    ``ready[t-1]`` is the depth of what cell t waits for from below. The recursion is evaluated exactly,
    vectorised: d_t - t = max(0, max_{s ≤ t} (ready_s - s + 1)) is a running maximum.
    """
    t = np.arange(1, len(ready) + 1)
    return t + np.maximum.accumulate(np.maximum(ready - t + 1, 0))


def critical_path(T: int, K: int, schedule: str = "wavefront", bidirectional: bool = False) -> int:
    """Length of the longest chain of dependent steps of K stacked RNN layers unrolled over T time steps.

    Cell (ℓ, t) — layer ℓ at step t — needs (ℓ, t-1), the same layer one step earlier (t+1 for the backward
    direction of a bidirectional layer), and (ℓ-1, t), the layer below at the same step (both of its
    directions). Computed by dynamic programming over that grid, not by formula, so the chapter can check
    the formulas.

    Parameters
    ----------
    T : int
        Sequence length, 1 ≤ T ≤ 1,000,000.
    K : int
        Number of stacked recurrent layers, 1 ≤ K ≤ 10,000.
    schedule : {"wavefront", "layer_by_layer"}
        ``"wavefront"``: a cell runs as soon as its inputs are ready, so layer ℓ+1 at step t-1 overlaps
        layer ℓ at step t (T + K - 1 steps for unidirectional layers). ``"layer_by_layer"``: a plain loop
        that runs all T steps of layer 1, then all of layer 2, …: a layer starts only when the layer below
        has finished (K·T steps).
    bidirectional : bool
        Each layer also runs backward in time (t = T..1) and the next layer reads both directions.
    """
    T = check_int("T", T, low=1, high=1_000_000)
    K = check_int("K", K, low=1, high=10_000)
    check_choice("schedule", schedule, SCHEDULES)
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise TypeError(f"bidirectional must be True or False; got {bidirectional!r}")
    below = np.zeros(T, dtype=np.int64)  # (T,) depth of layer ℓ-1 at each step; the inputs x_t are ready at 0
    for _ in range(K):
        ready = np.full(T, below.max()) if schedule == "layer_by_layer" else below  # (T,)
        depth = _chain(ready)                                       # forward direction, t = 1..T
        if bidirectional:
            depth = np.maximum(depth, _chain(ready[::-1])[::-1])    # backward direction, t = T..1
        below = depth
    return int(below.max())


def _check_figure(fig) -> None:
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, e.g. plt.figure(); got {type(fig).__name__}")


def draw_unrolled(fig, T: int = 4) -> None:
    """Schematic: the folded loop (left) and the same network unrolled over T steps (right)."""
    _check_figure(fig)
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
