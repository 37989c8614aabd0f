"""Chapter 3: the activation's own factor in a product of Jacobians — its bound γ, saturation, typical products.

Backpropagation through time multiplies one factor ``J_t = diag(φ'(a_t)) W_hh`` per step, so

    ‖∂h_T/∂h_0‖ ≤ Π_t ‖diag(φ'(a_t))‖ ‖W_hh‖ ≤ (γ σ_max(W_hh))^T,   γ = sup |φ'|    (eq-act-product-bound)

with γ = 1/4 for the logistic sigmoid (Hochreiter & Schmidhuber 1997, §3.1) and γ = 1 for tanh and ReLU
(Pascanu, Mikolov & Bengio 2013, ICML, §2.1). This module computes the activation's share of that product:

- ``log_derivative``: ``log φ'(a)`` without underflow;
- ``derivative_bounds``: σ', tanh' and their exponential saturation bounds on a grid (eq-act-saturation);
- ``derivative_statistics``: for pre-activations ``a ~ N(mean, spread²)``, the average derivative
  ``E[φ'(a)]`` and the typical size ``exp(t E[log φ'(a)])`` of a product of t factors (eq-act-typical),
  by deterministic quadrature — the numbers of ``saturation_explorer``.

The activations inside whole recurrent networks are in ``rnnlab.chapters.saturation_rnns``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import activations, plotting
from .._validate import as_array, check_choice, check_float, check_int
from ..widgets import Explorer, Slider

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")  # the four activations compared, in this order
LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
SHORT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky"}
LEAKY_SLOPE = 0.01  # the slope of leaky_relu on a < 0: rnnlab.activations' default, used by ACTIVATIONS
COLORS = dict(zip(NAMES, (plotting.COLORS["blue"], plotting.COLORS["orange"], plotting.COLORS["green"],
                          plotting.COLORS["purple"])))

# Quadrature for E[f(a)], a = mean + spread · z, z ~ N(0, 1): the trapezoidal rule on z ∈ [-8, 8] (the mass
# beyond is 1e-15). Step 0.01 resolves σ' and tanh' even at spread 8 (a-step 0.08, their widths are ~1).
_Z = np.linspace(-8.0, 8.0, 1601)
_W = np.exp(-0.5 * _Z**2)
_W /= _W.sum()  # (1601,)  weights of the normal density, summing to 1
_A_PLOT = np.linspace(-10.0, 10.0, 401)  # where the explorer draws the derivative curves
_DERIVATIVES = np.array([activations.get_activation(n).df(_A_PLOT) for n in NAMES])  # (4, 401)


def check_type(name: str, value, expected, what: str):
    """``value`` if it is an instance of ``expected``, else ``TypeError`` naming ``name`` and ``what`` it must be."""
    if not isinstance(value, expected):
        raise TypeError(f"{name} must be {what}; got {type(value).__name__}")
    return value


def check_figure(fig) -> Figure:
    """``fig`` if it is a matplotlib ``Figure`` (the draw functions fill an empty one)."""
    return check_type("fig", fig, Figure, "a matplotlib Figure, e.g. plt.figure()")


def log_derivative(name: str, a) -> np.ndarray:
    """``log φ'(a)`` for φ in ``NAMES``, without underflow; ``-inf`` where ReLU' is 0 (no warning).

    With ``u = exp(-|a|)``: ``log σ'(a) = -|a| - 2 log(1 + u)`` and ``log tanh'(a) = log 4 - 2|a| - 2 log(1 + u²)``
    (eq-act-saturation), exact for every float ``a``, where ``log(sigmoid_prime(a))`` would give -inf for |a| > 745.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "leaky_relu"}
    a : array_like, any shape
        Pre-activations; ±inf is allowed (log φ'(±inf) = -inf for σ and tanh), NaN is not.
    """
    check_choice("name", name, NAMES)
    a = as_array("a", a, finite=False)  # refuses None, text, booleans and complex numbers; ±inf is fine
    if np.any(np.isnan(a)):
        raise ValueError("a contains NaN: log φ'(a) is undefined there")
    x = np.abs(a)
    with np.errstate(under="ignore"):  # exp(-x) → 0 for large x is intended
        if name == "sigmoid":
            return -x - 2.0 * np.log1p(np.exp(-x))
        if name == "tanh":
            return math.log(4.0) - 2.0 * x - 2.0 * np.log1p(np.exp(-2.0 * x))
    negative = np.log(LEAKY_SLOPE) if name == "leaky_relu" else -np.inf
    return np.where(a > 0, 0.0, negative)


@dataclass(frozen=True)
class DerivativeBounds:
    """σ', tanh' and the bounds of (eq-act-saturation) on a grid ``a`` (every array has the shape of ``a``)."""
    a: np.ndarray              # the pre-activations
    sigmoid: np.ndarray        # σ'(a) = σ(a)(1 - σ(a))
    tanh: np.ndarray           # tanh'(a) = 1 - tanh²(a)
    relu: np.ndarray           # relu'(a) ∈ {0, 1}
    leaky_relu: np.ndarray     # leaky_relu'(a) ∈ {0.01, 1}
    sigmoid_upper: np.ndarray  # min(1/4, e^{-|a|}) ≥ σ'(a)
    sigmoid_lower: np.ndarray  # e^{-|a|} / 4 ≤ σ'(a)
    tanh_upper: np.ndarray     # min(1, 4 e^{-2|a|}) ≥ tanh'(a)
    tanh_lower: np.ndarray     # e^{-2|a|} ≤ tanh'(a)


def derivative_bounds(a) -> DerivativeBounds:
    """The derivatives of the four activations and the two-sided saturation bounds (eq-act-saturation).

    Parameters
    ----------
    a : array_like, any shape
        Finite pre-activations.
    """
    a = as_array("a", a)
    with np.errstate(under="ignore"):
        u, u2 = np.exp(-np.abs(a)), np.exp(-2.0 * np.abs(a))  # e^{-|a|}, e^{-2|a|} ∈ (0, 1], as in activations
        return DerivativeBounds(
            a=a, sigmoid=activations.sigmoid_prime(a), tanh=activations.tanh_prime(a),
            relu=activations.relu_prime(a), leaky_relu=activations.leaky_relu_prime(a, LEAKY_SLOPE),
            sigmoid_upper=np.minimum(0.25, u), sigmoid_lower=u / 4.0,
            tanh_upper=np.minimum(1.0, 4.0 * u2), tanh_lower=u2)


def draw_derivative_bounds(fig, bounds: DerivativeBounds) -> None:
    """Left: the four derivatives and their bounds γ. Right: σ' and tanh' on a log scale inside their bounds."""
    check_figure(fig)
    a = check_type("bounds", bounds, DerivativeBounds, "the DerivativeBounds of derivative_bounds(a)").a
    ax_d, ax_s = fig.subplots(1, 2)
    for name in NAMES:
        ax_d.plot(a, getattr(bounds, name), color=COLORS[name], label=LABELS[name] + "'")
    ax_d.axhline(0.25, color=COLORS["sigmoid"], ls=":", lw=1)
    ax_d.text(a[0], 0.27, "γ = 1/4", color=COLORS["sigmoid"], fontsize=9)
    ax_d.set(xlabel="pre-activation $a$", ylabel=r"$\phi'(a)$", ylim=(-0.03, 1.12), title="derivatives")
    ax_d.legend(loc="center left", fontsize=8)
    for name, up, low in (("sigmoid", bounds.sigmoid_upper, bounds.sigmoid_lower),
                          ("tanh", bounds.tanh_upper, bounds.tanh_lower)):
        ax_s.semilogy(a, getattr(bounds, name), color=COLORS[name], label=LABELS[name] + "'")
        ax_s.fill_between(a, low, up, color=COLORS[name], alpha=0.2, lw=0)
    ax_s.set(xlabel="pre-activation $a$", ylim=(1e-9, 2), title="saturation: squeezed between exponentials")
    ax_s.legend(loc="lower center", fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.88, wspace=0.25)


@dataclass(frozen=True)
class DerivativeStatistics:
    """Averages of φ'(a) over ``a ~ N(mean, spread²)`` for the activations in ``NAMES`` (rows, in order)."""
    mean: float                       # μ, the mean pre-activation
    spread: float                     # s, its standard deviation
    mean_derivative: np.ndarray       # (4,) E[φ'(a)]
    mean_log_derivative: np.ndarray   # (4,) E[log φ'(a)]; -inf for ReLU whenever P(a ≤ 0) > 0
    zero_fraction: np.ndarray         # (4,) P(φ'(a) = 0): P(a ≤ 0) for ReLU, 0 for the others
    log10_product: np.ndarray         # (4, T) log10 of the product of t = 1..T factors (see derivative_statistics)
    status: tuple                     # (4,) plotting.classify of that product at t = T
    a: np.ndarray                     # (401,) grid of the derivative curves, [-10, 10]
    derivatives: np.ndarray           # (4, 401) φ'(a) on that grid
    density_a: np.ndarray             # (161,) where the density is drawn, mean ± 4 spread
    density: np.ndarray               # (161,) the normal density there, scaled to peak 1


def derivative_statistics(mean: float, spread: float, T: int) -> DerivativeStatistics:
    """What saturation does to a product of T derivative factors when the pre-activations are ``N(mean, spread²)``.

    For independent ``a_1, …, a_T``, ``log Π_t φ'(a_t) = Σ_t log φ'(a_t) ≈ T · E[log φ'(a)]`` (law of large
    numbers), so a product of t factors typically has size ``exp(t · E[log φ'(a)])`` (eq-act-typical).
    ``log10_product`` holds ``t · E[log φ'(a)] / ln 10`` for sigmoid, tanh and leaky ReLU. A ReLU product is
    exactly 1 (all t factors active) or 0, and ``E[log relu'] = -inf`` as soon as ``q = P(a ≤ 0) > 0``; its row
    holds instead ``t · log10(1 - q)``, the log of the probability ``(1 - q)^t`` that the product is still 1
    (which is also its mean). The expectations use the trapezoidal rule on 1601 points (sigmoid, tanh) and
    the normal CDF (ReLU, leaky ReLU): deterministic, accurate to ~1e-10, and fast (< 1 ms).

    Parameters
    ----------
    mean : float in [-50, 50]
    spread : float in [1e-3, 50]
    T : int in [1, 10000]
    """
    mean = check_float("mean", mean, -50.0, 50.0)
    spread = check_float("spread", spread, 1e-3, 50.0)
    T = check_int("T", T, low=1, high=10_000)
    a = mean + spread * _Z  # (1601,)  quadrature nodes
    q = 0.5 * math.erfc(mean / (spread * math.sqrt(2.0)))  # P(a ≤ 0) = Φ(-mean/spread)
    with np.errstate(under="ignore"):
        m = [float(_W @ activations.sigmoid_prime(a)), float(_W @ activations.tanh_prime(a)),
             1.0 - q, 1.0 - q + LEAKY_SLOPE * q]
        lg = [float(_W @ log_derivative("sigmoid", a)), float(_W @ log_derivative("tanh", a)),
              -math.inf if q > 0 else 0.0, q * math.log(LEAKY_SLOPE)]
    t = np.arange(1, T + 1)
    relu_row = t * math.log10(1.0 - q) if q < 1.0 else np.full(T, -np.inf)  # (T,)  log10 (1-q)^t
    rate = np.array([lg[0], lg[1], 0.0, lg[3]]) / math.log(10.0)  # (4,)  log10 of one typical factor
    log10_product = rate[:, None] * t  # (4, T)  (eq-act-typical)
    log10_product[2] = relu_row
    with np.errstate(under="ignore", over="ignore"):
        status = tuple(plotting.classify(10.0 ** v) for v in log10_product[:, -1])
    da = mean + spread * np.linspace(-4.0, 4.0, 161)  # (161,)
    return DerivativeStatistics(
        mean=mean, spread=spread, mean_derivative=np.array(m), mean_log_derivative=np.array(lg),
        zero_fraction=np.array([0.0, 0.0, q, 0.0]), log10_product=log10_product, status=status,
        a=_A_PLOT, derivatives=_DERIVATIVES,
        density_a=da, density=np.exp(-0.5 * ((da - mean) / spread) ** 2))


def draw_statistics(fig, result: DerivativeStatistics, params: dict) -> None:
    """Left: the pre-activation density over the four derivative curves. Right: the product of t factors.

    Text is what costs redraw time, so labels are few and plain: the right panel plots log10 values on a
    linear axis with plain tick labels (mathtext log ticks would double the time). ``params`` (the slider
    values, a dict) is the Explorer's third argument; the figure reads everything from ``result``.
    """
    check_figure(fig)
    check_type("result", result, DerivativeStatistics, "the DerivativeStatistics of derivative_statistics")
    check_type("params", params, dict, "a dict of slider values")
    ax_d, ax_p = fig.subplots(1, 2)
    ax_d.fill_between(result.density_a, result.density, color=plotting.COLORS["grey"], alpha=0.3, lw=0)
    T = result.log10_product.shape[1]
    t = np.arange(1, T + 1)
    for i, name in enumerate(NAMES):
        ax_d.plot(result.a, result.derivatives[i], color=COLORS[name], lw=1.4,
                  label=f"{LABELS[name]} {result.mean_derivative[i]:.2f}")
        y = np.maximum(result.log10_product[i], -40.0)  # -inf (a product that is exactly 0) drawn at the floor
        ax_p.plot(t, y, color=COLORS[name], ls="--" if name == "relu" else "-", marker="o" if T == 1 else None)
    ax_d.set_xticks([-10, -5, 0, 5, 10])
    ax_d.set_yticks([0, 0.25, 0.5, 1])
    ax_d.set(xlim=(-10, 10), ylim=(0, 1.08), xlabel="pre-activation a (grey: its density)",
             title="φ'(a), legend: E[φ'(a)]")
    ax_d.legend(loc="upper left", fontsize=7, handlelength=1.2, labelspacing=0.25)
    ax_p.axhline(math.log10(plotting.VANISHED_BELOW), color=plotting.COLORS["grey"], lw=0.8, ls=":")
    ax_p.set_yticks([0, -10, -20, -30], ["1", "1e-10", "1e-20", "1e-30"])
    ax_p.set(ylim=(-32, 2), xlim=(0.5, max(T, 2) + 0.5), xlabel="number of factors t",
             title="typical product (ReLU dashed: P(= 1))")
    vanished = [SHORT[n] for n, s in zip(NAMES, result.status) if s == "vanished"]
    plotting.annotate_status(ax_p, plotting.VANISHED if vanished else plotting.WITHIN, ", ".join(vanished))
    fig.suptitle(f"a ~ N(μ, s²): μ = {result.mean:.1f}, s = {result.spread:.1f}, T = {T}", fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.16, top=0.83, wspace=0.22)


def saturation_explorer() -> Explorer:
    """Chapter 3's explorer: sliders for the spread (main, 0.1–8) and mean of the pre-activations, and T."""
    return Explorer(
        compute=derivative_statistics, draw=draw_statistics, main="spread", frames=17,
        title="Pre-activations a ~ N(mean, spread²) over the derivatives of sigmoid, tanh, ReLU and leaky ReLU "
              "(left), and the typical size of a product of t derivative factors (right, log scale)",
        sliders=[Slider("spread", "s (spread of a)", 0.1, 8.0, 0.1, 1.0),
                 Slider("mean", "μ (mean of a)", -4.0, 4.0, 0.1, 0.0),
                 Slider("T", "T (factors)", 1, 100, 1, 50)])
