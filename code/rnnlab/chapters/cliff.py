"""Chapter 5: the cliff of Pascanu, Mikolov & Bengio (2013, ICML, §2.3 and Fig. 6), and gradient descent on it.

One unit, no input, the logistic σ (eq-clip-cliff):

    x_t = w σ(x_{t-1}) + b,   x_0 = 0.5,   L(w, b) = (σ(x_T) − 0.7)²,   T = 50.

:func:`cliff` is vectorised over arrays of (w, b): the derivatives ∂x_t/∂w and ∂x_t/∂b are carried forward with
the state (forward mode), ∂x_t/∂w = σ(x_{t-1}) + w σ'(x_{t-1}) ∂x_{t-1}/∂w and
∂x_t/∂b = 1 + w σ'(x_{t-1}) ∂x_{t-1}/∂b, so a 200 × 200 grid costs 50 array steps. For w > 1/σ'(x_0) the point
x_0 is an unstable fixed point when b = x_0 − w σ(x_0) (:func:`wall_bias`): there x_0 sits on the boundary
between the basins of two attractors, x_T jumps from one to the other, and L has a wall. (Pascanu et al. write the
loss E, for error; the book writes L.)

A descent (:func:`descend`, the explorer's :func:`race`) follows one point, step after step: its arguments are
checked once, and its inner loop runs the same recurrence on Python floats, bit for bit as :func:`cliff` on that
point (tests/test_cliff.py), about ten times faster than NumPy calls on single numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import activations, plotting
from .._validate import as_array, check_float, check_int, check_positive
from ..clipping import EPS
from ..widgets import Explorer, Slider

X0, TARGET, T_CLIFF = 0.5, 0.7, 50  # Pascanu et al.'s x_0, target and length
W_LIM, B_LIM = (2.0, 8.0), (-5.0, 1.0)  # the window of the figures
START, LR, STEPS = (5.5, -2.0), 0.5, 60  # the descent of §5.2: start, learning rate, steps


@dataclass(frozen=True)
class CliffPoint:
    """The one-unit model at an array of (w, b) (every field has their broadcast shape)."""
    x_T: np.ndarray    # the final state x_T
    loss: np.ndarray   # L = (σ(x_T) − target)²
    grad_w: np.ndarray  # ∂L/∂w
    grad_b: np.ndarray  # ∂L/∂b
    gain: np.ndarray   # ∂x_T/∂x_0 = Π_t w σ'(x_{t-1}): how much x_T moves per unit change of x_0


def cliff(w, b, T: int = T_CLIFF, x0: float = X0, target: float = TARGET) -> CliffPoint:
    """The state, loss, gradient and gain of eq-clip-cliff at every (w, b) (arrays, broadcast together)."""
    w, b = as_array("w", w), as_array("b", b)
    T = check_int("T", T, low=1, high=10_000)
    x0, target = check_float("x0", x0), check_float("target", target, low=0.0, high=1.0)
    try:
        shape = np.broadcast(w, b).shape
    except ValueError:
        raise ValueError(f"w and b must broadcast together; got shapes {w.shape} and {b.shape}") from None
    x = np.full(shape, x0)
    dx_dw, dx_db, gain = np.zeros(shape), np.zeros(shape), np.ones(shape)
    for _ in range(T):
        s, ds = activations.sigmoid(x), activations.sigmoid_prime(x)
        dx_dw = s + w * ds * dx_dw  # forward-mode chain rule, one step
        dx_db = 1.0 + w * ds * dx_db
        gain = gain * w * ds
        x = w * s + b
    s = activations.sigmoid(x)
    dE_dx = 2.0 * (s - target) * activations.sigmoid_prime(x)
    return CliffPoint(x, (s - target) ** 2, dE_dx * dx_dw, dE_dx * dx_db, gain)


def wall_bias(w, x0: float = X0):
    """b on the wall: x0 is then a fixed point, unstable when w σ'(x0) > 1 (NaN where it is stable)."""
    w, x0 = as_array("w", w), check_float("x0", x0)
    b = x0 - w * activations.sigmoid(x0)
    return np.where(w * activations.sigmoid_prime(x0) > 1.0, b, np.nan)


def bistable_bounds(w):
    """(b_low, b_high): for w > 4 the map x ↦ w σ(x) + b has two attractors exactly for b_low < b < b_high.

    The ends are saddle-node bifurcations, where w σ'(x) = 1 at a fixed point; NaN for w ≤ 4 (one attractor).
    """
    w = as_array("w", w)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(1.0 - 4.0 / w)
        bounds = []
        for s in ((1.0 - root) / 2.0, (1.0 + root) / 2.0):  # σ(x*) where σ'(x*) = 1/w
            x = np.log(s / (1.0 - s))
            bounds.append(np.where(w > 4.0, x - w * s, np.nan))
    return tuple(sorted(bounds, key=lambda v: np.nansum(v)))


@lru_cache(maxsize=4)
def loss_surface(n: int = 161) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L on an n × n grid over W_LIM × B_LIM: (w (n,), b (n,), L (n_b, n_w)). Cached; do not modify."""
    n = check_int("n", n, low=2, high=1000)
    w, b = np.linspace(*W_LIM, n), np.linspace(*B_LIM, n)
    return w, b, cliff(w[None, :], b[:, None]).loss


@dataclass(frozen=True)
class Descent:
    """Gradient descent on the cliff, one row per step."""
    path: np.ndarray       # (steps + 1, 2) the points (w, b) visited
    loss: np.ndarray       # (steps + 1,) L at those points
    grad_norm: np.ndarray  # (steps,) ‖∇L‖ before clipping, at path[k]
    clipped: np.ndarray    # (steps,) True where clipping rescaled the step


def descend(start=START, lr: float = LR, steps: int = STEPS, threshold: float | None = None) -> Descent:
    """Plain gradient descent θ ← θ − lr ĝ from ``start`` = (w, b), with ĝ = g or the norm-clipped g."""
    w, b = (check_float(f"start[{i}]", v) for i, v in enumerate(_pair(start)))
    lr, steps = check_positive("lr", lr), check_int("steps", steps, low=1, high=10_000)
    if threshold is not None:
        threshold = check_positive("threshold", threshold)
    path, loss, grads = [(w, b)], [], []
    _walk(path, loss, grads, lr, steps, threshold)
    return _as_descent(path, loss, grads, threshold)


def _walk(path: list, loss: list, grads: list, lr: float, steps: int, threshold: float | None) -> None:
    """Extend a descent in place until it has taken ``steps`` steps (``path`` holds one point more than ``loss``
    and ``grads``; checked arguments, Python floats).

    A descent is sequential in its steps and in time, so there is nothing to vectorise over; on one number a
    NumPy call costs ~1 µs, ten times the arithmetic, so the loop runs on floats. Its numbers are those of the
    NumPy code on that point to the last bit (tests/test_cliff.py).
    """
    w, b = path[-1]
    while len(grads) < steps:
        L, g_w, g_b = _loss_and_grad(w, b)
        loss.append(L)
        grads.append((g_w, g_b))
        if threshold is not None:
            c = _clip_coefficient(g_w, g_b, threshold)
            g_w, g_b = c * g_w, c * g_b
        w, b = w - lr * g_w, b - lr * g_b
        path.append((w, b))


def _as_descent(path: list, loss: list, grads: list, threshold: float | None) -> Descent:
    """The lists of :func:`_walk` as a :class:`Descent`, with L at the last point."""
    grads = np.array(grads)  # (steps, 2)
    norms = np.hypot(grads[:, 0], grads[:, 1])  # (steps,)
    clipped = norms > threshold if threshold is not None else np.zeros(len(norms), dtype=bool)
    return Descent(np.array(path), np.array(loss + [_loss_and_grad(*path[-1])[0]]), norms, clipped)


def _loss_and_grad(w: float, b: float) -> tuple[float, float, float]:
    """L, ∂L/∂w and ∂L/∂b at one point: :func:`cliff` (T_CLIFF, X0, TARGET) on Python floats, unchecked."""
    x, dx_dw, dx_db = X0, 0.0, 0.0
    for _ in range(T_CLIFF):
        s, ds = _sigmoid_and_prime(x)
        dx_dw = s + w * ds * dx_dw  # forward-mode chain rule, one step
        dx_db = 1.0 + w * ds * dx_db
        x = w * s + b
    s, ds = _sigmoid_and_prime(x)
    dE_dx = 2.0 * (s - TARGET) * ds
    return (s - TARGET) ** 2, dE_dx * dx_dw, dE_dx * dx_db


def _sigmoid_and_prime(x: float) -> tuple[float, float]:
    """σ(x) and σ'(x) of a float as ``activations.sigmoid``/``sigmoid_prime`` compute them for a scalar, bit
    for bit: NumPy's exp (math.exp differs in the last bit for ~5 % of inputs) and ``** 2`` (pow, as NumPy's
    scalar power; an array's ``** 2`` is a product, which differs for ~0.02 %)."""
    e = float(np.exp(-abs(x)))
    p = 1.0 + e
    return (1.0 if x >= 0 else e) / p, min(e / p ** 2, 0.25)


def _clip_coefficient(g_w: float, g_b: float, threshold: float) -> float:
    """c in ĝ = c g, c = min(1, θ / (‖g‖ + ε)), as ``clipping.clip_by_norm`` computes it for [[g_w], [g_b]],
    without its checks (~10× faster): ‖g‖ is the norm of the per-array norms, through np.linalg.norm (whose
    dot product may fuse multiply and add, so math.hypot would differ in the last bit)."""
    norm = float(np.linalg.norm([float(np.linalg.norm(np.array([g]), ord=2.0)) for g in (g_w, g_b)], ord=2.0))
    return min(1.0, threshold / (norm + EPS))


def _pair(start):
    if not isinstance(start, (tuple, list)) or len(start) != 2:
        raise ValueError(f"start must be a pair (w, b); got {start!r}")
    return start


@dataclass(frozen=True)
class CliffRace:
    """The explorer's result: the same start, with and without clipping."""
    plain: Descent
    clipped: Descent
    threshold: float
    lr: float


def race(threshold: float, lr: float = LR) -> CliffRace:
    """:func:`descend` from START for STEPS steps, without clipping and with this threshold (the explorer's
    compute: checks its two numbers once; the clipped descent reuses the plain one's steps until the first
    step that clipping rescales)."""
    threshold, lr = check_positive("threshold", threshold), check_positive("lr", lr)
    path, loss, grads = [START], [], []
    _walk(path, loss, grads, lr, STEPS, None)
    # Clipping leaves g as it is (c = 1 exactly) until the first step where it rescales: up to there the
    # clipped descent is the plain one, and only its remaining steps need computing.
    k = next((i for i, g in enumerate(grads) if _clip_coefficient(*g, threshold) < 1.0), STEPS)
    shared = path[:k + 1], loss[:k], grads[:k]
    _walk(*shared, lr, STEPS, threshold)
    return CliffRace(_as_descent(path, loss, grads, None), _as_descent(*shared, threshold), threshold, lr)


def draw_surface(ax, n: int = 161, colorbar: bool = True) -> None:
    """log10 L over the window, the wall (dashed) and the bistable region's edges (dotted)."""
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes, e.g. from fig.subplots(); got {type(ax).__name__}")
    w, b, L = loss_surface(n)
    image = ax.pcolormesh(w, b, np.log10(L + 1e-6), shading="auto", cmap="viridis", rasterized=True)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="log$_{10}$ L")
    ax.plot(w, wall_bias(w), "--", color="white", lw=1.2, label="wall: $x_0$ unstable fixed point")
    for i, edge in enumerate(bistable_bounds(w)):
        ax.plot(w, edge, ":", color=plotting.COLORS["orange"], lw=1.2,
                label="saddle-node bifurcations" if i == 0 else None)
    ax.set(xlim=W_LIM, ylim=B_LIM, xlabel="w", ylabel="b")


def _in_window(path):
    inside = (path[:, 0] >= W_LIM[0]) & (path[:, 0] <= W_LIM[1]) & (path[:, 1] >= B_LIM[0]) & \
        (path[:, 1] <= B_LIM[1])
    return inside


def draw_race(fig, result: CliffRace, params: dict) -> None:
    """Left: both paths on the surface. Right: the loss along each path."""
    if not isinstance(result, CliffRace):
        raise ValueError(f"result must be a CliffRace from cliff.race; got {type(result).__name__}")
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    draw_surface(ax, n=81, colorbar=False)
    for d, color, name in ((result.plain, plotting.COLORS["red"], "no clipping"),
                           (result.clipped, plotting.COLORS["sky"], f"clipped at {result.threshold:g}")):
        inside = _in_window(d.path)
        stop = len(inside) if inside.all() else int(np.argmin(inside))
        ax.plot(d.path[:stop, 0], d.path[:stop, 1], ".-", color=color, ms=3, lw=1, label=name)
        ax2.plot(d.loss, color=color, label=name)
        if stop < len(inside):  # the step that left the window
            far = d.path[stop]
            ax.annotate(f"thrown to ({far[0]:.3g}, {far[1]:.3g})", xy=d.path[stop - 1], color="white",
                        xytext=(0.03, 0.06), textcoords="axes fraction", fontsize=8,
                        arrowprops={"arrowstyle": "->", "color": color})
    ax.plot(*START, "o", color="white", ms=5)
    ax.legend(loc="upper left", fontsize=7)
    ax2.set(xlabel="step", ylabel="L", ylim=(0, 0.5), title=f"learning rate {result.lr:g}")
    ax2.legend(fontsize=8)
    big = result.plain.grad_norm.max()
    plotting.annotate_status(ax2, plotting.EXPLODED if big > plotting.EXPLODED_ABOVE else "largest ‖∇L‖",
                             f"{big:.3g}")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.25)


def cliff_explorer() -> Explorer:
    """Sliders: the clipping threshold (main) and the learning rate."""
    return Explorer(race, draw_race, main="threshold", frames=16, figsize=(8.5, 3.2),
                    title="gradient descent on the cliff, with and without clipping",
                    sliders=[Slider("threshold", "clipping threshold", 0.1, 3.1, 0.2, 0.5),
                             Slider("lr", "learning rate", 0.1, 2.0, 0.1, LR)])
