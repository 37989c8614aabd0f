"""Chapter 3: how the activation's derivative shrinks a product of Jacobians, and why ReLU is no cure.

Backpropagation through time multiplies one factor ``J_t = diag(φ'(a_t)) W_hh`` per step, so

    ‖∂h_T/∂h_0‖ ≤ Π_t ‖diag(φ'(a_t))‖ ‖W_hh‖ ≤ (γ σ_max(W_hh))^T,   γ = sup |φ'|    (eq-act-product-bound)

with γ = 1/4 for the logistic sigmoid (Hochreiter & Schmidhuber 1997, §3.1) and γ = 1 for tanh and ReLU
(Pascanu, Mikolov & Bengio 2013, arXiv 1211.5063, §2.1). This module computes the chapter's three figures:

- ``derivative_bounds``: σ', tanh' and their exponential saturation bounds on a grid (eq-act-saturation);
- ``derivative_statistics``: for pre-activations ``a ~ N(mean, spread²)``, the average derivative
  ``E[φ'(a)]`` and the typical size ``exp(t E[log φ'(a)])`` of a product of t factors (eq-act-typical),
  by deterministic quadrature — the numbers of ``saturation_explorer``;
- ``compare_activations``: N small random RNNs, each run with sigmoid, tanh, ReLU and leaky ReLU on the same
  inputs and the same ``W_hh = scale · Q`` (Q orthogonal), and the norms ``‖∂h_T/∂h_{T-n}‖``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import activations, plotting, rnn, spectral
from .._validate import as_array, check_choice, check_float, check_int
from ..widgets import Explorer, Slider

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")  # the four activations compared, in this order
LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
SHORT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky"}
LEAKY_SLOPE = 0.01  # the slope of leaky_relu on a < 0: rnnlab.activations' default, used by ACTIVATIONS
_COLORS = dict(zip(NAMES, (plotting.COLORS["blue"], plotting.COLORS["orange"], plotting.COLORS["green"],
                           plotting.COLORS["purple"])))

# Quadrature for E[f(a)], a = mean + spread · z, z ~ N(0, 1): the trapezoidal rule on z ∈ [-8, 8] (the mass
# beyond is 1e-15). Step 0.01 resolves σ' and tanh' even at spread 8 (a-step 0.08, their widths are ~1).
_Z = np.linspace(-8.0, 8.0, 1601)
_W = np.exp(-0.5 * _Z**2)
_W /= _W.sum()  # (1601,)  weights of the normal density, summing to 1
_A_PLOT = np.linspace(-10.0, 10.0, 401)  # where the explorer draws the derivative curves
_DERIVATIVES = np.array([activations.get_activation(n).df(_A_PLOT) for n in NAMES])  # (4, 401)


def log_derivative(name: str, a) -> np.ndarray:
    """``log φ'(a)`` for φ in ``NAMES``, without underflow; ``-inf`` where ReLU' is 0 (no warning).

    With ``u = exp(-|a|)``: ``log σ'(a) = -|a| - 2 log(1 + u)`` and ``log tanh'(a) = log 4 - 2|a| - 2 log(1 + u²)``
    (eq-act-saturation), exact for every float ``a``, where ``log(sigmoid_prime(a))`` would give -inf for |a| > 745.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "leaky_relu"}
    a : array_like, any shape
        Pre-activations.
    """
    check_choice("name", name, NAMES)
    a = np.asarray(a, dtype=np.float64)
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
    a = bounds.a
    ax_d, ax_s = fig.subplots(1, 2)
    for name in NAMES:
        ax_d.plot(a, getattr(bounds, name), color=_COLORS[name], label=LABELS[name] + "'")
    ax_d.axhline(0.25, color=_COLORS["sigmoid"], ls=":", lw=1)
    ax_d.text(a[0], 0.27, "γ = 1/4", color=_COLORS["sigmoid"], fontsize=9)
    ax_d.set(xlabel="pre-activation $a$", ylabel=r"$\phi'(a)$", ylim=(-0.03, 1.12), title="derivatives")
    ax_d.legend(loc="center left", fontsize=8)
    for name, up, low in (("sigmoid", bounds.sigmoid_upper, bounds.sigmoid_lower),
                          ("tanh", bounds.tanh_upper, bounds.tanh_lower)):
        ax_s.semilogy(a, getattr(bounds, name), color=_COLORS[name], label=LABELS[name] + "'")
        ax_s.fill_between(a, low, up, color=_COLORS[name], alpha=0.2, lw=0)
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
    linear axis with plain tick labels (mathtext log ticks would double the time).
    """
    ax_d, ax_p = fig.subplots(1, 2)
    ax_d.fill_between(result.density_a, result.density, color=plotting.COLORS["grey"], alpha=0.3, lw=0)
    T = result.log10_product.shape[1]
    t = np.arange(1, T + 1)
    for i, name in enumerate(NAMES):
        ax_d.plot(result.a, result.derivatives[i], color=_COLORS[name], lw=1.4,
                  label=f"{LABELS[name]} {result.mean_derivative[i]:.2f}")
        y = np.maximum(result.log10_product[i], -40.0)  # -inf (a product that is exactly 0) drawn at the floor
        ax_p.plot(t, y, color=_COLORS[name], ls="--" if name == "relu" else "-", marker="o" if T == 1 else None)
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


@dataclass(frozen=True)
class ActivationComparison:
    """Gradient norms of the same N random RNNs run with each activation."""
    names: tuple          # (A,) activations, rows
    scales: tuple         # (S,) σ_max(W_hh) of each column: W_hh = scale · Q_n with Q_n orthogonal
    norms: np.ndarray     # (A, S, N, T+1) ‖∂h_T/∂h_{T-n}‖₂ for n = 0..T, one row per network
    bound: np.ndarray     # (A, S) (γ · scale)^T, the guarantee of (eq-act-product-bound)
    active: np.ndarray    # (A, S) mean of φ'(a_t) over networks, steps and units

    @property
    def median(self) -> np.ndarray:
        """(A, S, T+1) median of ``norms`` over the N networks."""
        return np.median(self.norms, axis=2)

    def table(self) -> np.ndarray:
        """(A, S) the median ``‖∂h_T/∂h_0‖``."""
        return self.median[..., -1]


def compare_activations(scales=(0.5, 1.0, 2.0), T: int = 100, H: int = 32, N: int = 9, D: int = 4,
                        names=NAMES, seed: int = 0) -> ActivationComparison:
    """Run N random RNNs ``h_t = φ(W_hh h_{t-1} + W_xh x_t)`` (eq-rnn-state, b = 0) with each φ and scale.

    Network n has its own Haar-orthogonal ``Q_n`` (H, H), ``W_xh`` (H, D) with N(0, 1/D) entries, input
    sequence ``x ~ N(0, 1)`` (T, D) and ``h_0 ~ N(0, 1/4)`` (H,), all drawn once from ``default_rng(seed)``
    and shared by every run: only φ and the scale differ. ``W_hh = scale · Q_n`` has every singular value
    equal to ``scale``, so ``σ_max(W_hh) = ρ(W_hh) = scale``. The norms of the products of step Jacobians
    ``J_t = diag(φ'(a_t)) W_hh`` come from ``spectral.jacobian_product_norms``. A state that overflows makes
    its step Jacobian NaN, so every norm through that step is NaN ("exploded" for ``plotting.classify``),
    without a warning or an error.

    Parameters
    ----------
    scales : sequence of float in (0, 100]
    T, H, N, D : int
        Time steps (1–1000), hidden units (1–128), networks (1–64), input size (1–64).
    names : sequence of str
        Activations, each one of ``NAMES`` (leaky ReLU with slope 0.01).
    seed : int ≥ 0
    """
    T = check_int("T", T, 1, 1000)
    H, N, D = check_int("H", H, 1, 128), check_int("N", N, 1, 64), check_int("D", D, 1, 64)
    seed = check_int("seed", seed, low=0)
    scales = tuple(check_float("scale", s, 0.0, 100.0) for s in np.atleast_1d(np.asarray(scales, dtype=object)))
    if not scales or min(scales) <= 0:
        raise ValueError(f"scales must be a non-empty list of positive numbers; got {scales}")
    names = tuple(check_choice("activation", n, NAMES) for n in names)
    if not names:
        raise ValueError("names must list at least one activation")
    rng = np.random.default_rng(seed)
    nets = [(spectral.orthogonal(H, rng),  # Q_n (H, H)
             rng.standard_normal((H, D)) / np.sqrt(D),  # W_xh (H, D)
             rng.standard_normal((1, T, D)),  # x (1, T, D)
             0.5 * rng.standard_normal((1, H))) for _ in range(N)]  # h_0 (1, H)
    norms = np.empty((len(names), len(scales), N, T + 1))
    bound = np.empty((len(names), len(scales)))
    active = np.empty((len(names), len(scales)))
    for i, name in enumerate(names):
        act = activations.get_activation(name)
        for j, scale in enumerate(scales):
            J = np.empty((N, T, H, H))
            dphi = np.empty((N, T, H))
            with np.errstate(over="ignore", invalid="ignore"):
                for n, (Q, W_xh, x, h0) in enumerate(nets):
                    _, cache = rnn.rnn_forward(x, h0, W_xh, scale * Q, np.zeros(H), act)
                    J[n] = rnn.step_jacobians(cache)[0]  # (T, H, H)  J_t = diag(φ'(a_t)) W_hh
                    J[n][~np.all(np.isfinite(cache.a[0]), axis=-1)] = np.nan  # overflowed state: NaN norms
                    dphi[n] = act.df(cache.a[0])  # (T, H)
            norms[i, j] = spectral.jacobian_product_norms(J)  # (N, T+1)  (eq-act-product-bound)
            with np.errstate(over="ignore"):
                bound[i, j] = np.float64(act.gamma * scale) ** T  # inf beyond the float64 range
            active[i, j] = float(np.mean(dphi))
    return ActivationComparison(names=names, scales=scales, norms=norms, bound=bound, active=active)


def draw_comparison(fig, result: ActivationComparison) -> None:
    """One panel per scale: the median ‖∂h_T/∂h_{T-n}‖ against n for each activation, with the bound σ_maxⁿ."""
    axes = np.atleast_1d(fig.subplots(1, len(result.scales), sharey=True))
    n = np.arange(result.norms.shape[-1])
    median = result.median
    for j, (ax, scale) in enumerate(zip(axes, result.scales)):
        with np.errstate(over="ignore"):
            ax.semilogy(n, plotting.log_safe(scale ** n.astype(float)), color=plotting.COLORS["grey"], ls=":",
                        lw=1, label=r"$\sigma_{\max}^n$")
        for i, name in enumerate(result.names):
            ax.semilogy(n, plotting.log_safe(median[i, j]), color=_COLORS[name], label=LABELS[name],
                        ls="--" if name == "leaky_relu" else "-")  # dashed: it lies on top of ReLU
        ax.set(title=f"$W_{{hh}}$ = {scale:g} · orthogonal", xlabel="steps back $n$", ylim=(1e-60, 1e40))
    axes[0].set_ylabel(r"median $\|\partial h_T / \partial h_{T-n}\|$")
    axes[-1].legend(loc="lower left", fontsize=7)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.88, wspace=0.08)
