"""Chapter 3: the activation inside a recurrent network — the same networks run with four activations.

Chapter 3's bound (eq-act-product-bound), ``‖∂h_T/∂h_0‖ ≤ (γ σ_max(W_hh))^T``, guarantees a vanishing gain
only when ``γ σ_max(W_hh) < 1``. This module runs the networks that show what happens on either side of it:

- ``compare_activations``: M small random RNNs with ``W_hh = c · Q_m`` (Q_m orthogonal, so every singular
  value is the scale c), each run with sigmoid, tanh, ReLU and leaky ReLU on the same inputs, and the gains
  ``‖∂h_T/∂h_{T-n}‖``. ``input_scale`` sets how hard the input drives the units; ``centred=True`` adds the
  bias ``b = −W_hh φ(0)𝟙`` that keeps sigmoid units at ``a = 0``, where σ' = 1/4: with ``c > 4`` the sigmoid
  gain then explodes, although σ' ≤ 1/4 (the half-truth of Chapter 3's myth box);
- ``relu_state_growth``: ReLU networks without input or bias, where ``h_T = J_T ⋯ J_1 h_0`` (Exercise
  ``ex3-homogeneous``), so the gain is at least the growth of the state.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import activations, plotting, rnn, spectral
from .._validate import check_choice, check_float, check_int
from .saturation import COLORS, LABELS, NAMES, check_figure, check_type


@dataclass(frozen=True)
class ActivationComparison:
    """Gains of the same M random RNNs run with each activation."""
    names: tuple          # (A,) activations, rows
    scales: tuple         # (S,) the scale c of each column: W_hh = c · Q_m, so σ_max(W_hh) = c
    norms: np.ndarray     # (A, S, M, T+1) ‖∂h_T/∂h_{T-n}‖₂ for n = 0..T, one row per network
    bound: np.ndarray     # (A, S) (γ c)^T, the guarantee of (eq-act-product-bound)
    active: np.ndarray    # (A, S) mean of φ'(a_t) over networks, steps and units

    @property
    def median(self) -> np.ndarray:
        """(A, S, T+1) median of ``norms`` over the M networks."""
        return np.median(self.norms, axis=2)

    def table(self) -> np.ndarray:
        """(A, S) the median gain ``‖∂h_T/∂h_0‖``."""
        return self.median[..., -1]


def _names(names) -> tuple:
    """The activations to run, each one of NAMES; a lone string is a mistake, not a list of letters."""
    if isinstance(names, str):
        raise TypeError(f"names must be a sequence of activation names, e.g. ('tanh',); got {names!r}")
    names = tuple(check_choice("activation", n, NAMES) for n in names)
    if not names:
        raise ValueError("names must list at least one activation")
    return names


def compare_activations(scales=(0.5, 1.0, 2.0), T: int = 100, H: int = 32, M: int = 9, D: int = 4,
                        names=NAMES, seed: int = 0, input_scale: float = 1.0,
                        centred: bool = False) -> ActivationComparison:
    """Run M random RNNs ``h_t = φ(W_hh h_{t-1} + W_xh x_t + b)`` (eq-rnn-state) with each φ and scale c.

    Network m has its own Haar-orthogonal ``Q_m`` (H, H), ``W_xh`` (H, D) with N(0, 1/D) entries, input
    sequence ``x = input_scale · z`` with ``z ~ N(0, 1)`` (T, D), and ``h_0 ~ N(0, 1/4)`` (H,), all drawn once
    from ``default_rng(seed)`` and shared by every run: only φ and c differ. With ``input_scale = 1`` each
    unit's input drive ``(W_xh x_t)_i`` has variance 1. ``W_hh = c · Q_m`` has every singular value equal to
    c, so ``σ_max(W_hh) = ρ(W_hh) = c``. By default ``b = 0``. With ``centred=True`` the network starts at
    ``h_0 = φ(0)·𝟙`` and has the bias ``b = −W_hh h_0``, so without input every ``a_t = 0`` exactly (φ'(0) = γ
    for σ and tanh); for tanh and the ReLUs φ(0) = 0, so that is b = 0 and h_0 = 0.

    The gains ``‖∂h_T/∂h_{T-n}‖`` of the products of step Jacobians ``J_t = diag(φ'(a_t)) W_hh`` come from
    ``spectral.jacobian_product_norms``. A state that overflows makes its step Jacobian NaN, so every gain
    through that step is NaN ("exploded" for ``plotting.classify``), without a warning or an error.

    Parameters
    ----------
    scales : sequence of float in (0, 100]
        The scales c of W_hh, one column each.
    T, H, M, D : int
        Time steps (1–1000), hidden units (1–128), networks (1–64), input size (1–64).
    names : sequence of str
        Activations, each one of ``NAMES`` (leaky ReLU with slope 0.01).
    seed : int ≥ 0
    input_scale : float in [0, 100]
        Multiplies the input sequences; 0 runs the networks without input.
    centred : bool
        Add the centring bias ``b = −W_hh φ(0)𝟙`` and start at ``h_0 = φ(0)𝟙``.
    """
    T = check_int("T", T, 1, 1000)
    H, M, D = check_int("H", H, 1, 128), check_int("M", M, 1, 64), check_int("D", D, 1, 64)
    seed = check_int("seed", seed, low=0)
    input_scale = check_float("input_scale", input_scale, 0.0, 100.0)
    centred = check_type("centred", centred, (bool, np.bool_), "True or False")
    if isinstance(scales, str):
        raise TypeError(f"scales must be a sequence of numbers, e.g. (0.5, 1.0); got {scales!r}")
    scales = tuple(check_float("scale", s, 0.0, 100.0) for s in np.atleast_1d(np.asarray(scales, dtype=object)))
    if not scales or min(scales) <= 0:
        raise ValueError(f"scales must be a non-empty list of positive numbers; got {scales}")
    names = _names(names)
    rng = np.random.default_rng(seed)
    nets = [(spectral.orthogonal(H, rng),  # Q_m (H, H)
             rng.standard_normal((H, D)) / np.sqrt(D),  # W_xh (H, D)
             input_scale * rng.standard_normal((1, T, D)),  # x (1, T, D)
             0.5 * rng.standard_normal((1, H))) for _ in range(M)]  # h_0 (1, H)
    norms = np.empty((len(names), len(scales), M, T + 1))
    bound = np.empty((len(names), len(scales)))
    active = np.empty((len(names), len(scales)))
    for i, name in enumerate(names):
        act = activations.get_activation(name)
        for j, scale in enumerate(scales):
            J = np.empty((M, T, H, H))
            dphi = np.empty((M, T, H))
            with np.errstate(over="ignore", invalid="ignore"):
                for m, (Q, W_xh, x, h0) in enumerate(nets):
                    W_hh, start, b = scale * Q, h0, np.zeros(H)
                    if centred:  # b = −W_hh h_0, computed as rnn_forward computes W_hh h_0: a_t = 0 exactly
                        start = np.full((1, H), float(act.f(0.0)))  # (1, H)
                        b = -(start @ W_hh.T)[0]  # (H,)
                    _, cache = rnn.rnn_forward(x, start, W_xh, W_hh, b, act)
                    J[m] = rnn.step_jacobians(cache)[0]  # (T, H, H)  J_t = diag(φ'(a_t)) W_hh
                    J[m][~np.all(np.isfinite(cache.a[0]), axis=-1)] = np.nan  # overflowed state: NaN gains
                    dphi[m] = act.df(cache.a[0])  # (T, H)
            norms[i, j] = spectral.jacobian_product_norms(J)  # (M, T+1)  (eq-act-product-bound)
            with np.errstate(over="ignore"):
                bound[i, j] = np.float64(act.gamma * scale) ** T  # inf beyond the float64 range
            active[i, j] = float(np.mean(dphi))
    return ActivationComparison(names=names, scales=scales, norms=norms, bound=bound, active=active)


def draw_comparison(fig, result: ActivationComparison) -> None:
    """One panel per scale c: the median ‖∂h_T/∂h_{T-n}‖ against n for each activation, with the guide cⁿ."""
    check_figure(fig)
    check_type("result", result, ActivationComparison, "the ActivationComparison of compare_activations")
    axes = np.atleast_1d(fig.subplots(1, len(result.scales), sharey=True))
    n = np.arange(result.norms.shape[-1])
    median = result.median
    for j, (ax, scale) in enumerate(zip(axes, result.scales)):
        with np.errstate(over="ignore"):
            ax.semilogy(n, plotting.log_safe(scale ** n.astype(float)), color=plotting.COLORS["grey"], ls=":",
                        lw=1, label=r"$\sigma_{\max}^n$")
        for i, name in enumerate(result.names):
            ax.semilogy(n, plotting.log_safe(median[i, j]), color=COLORS[name], label=LABELS[name],
                        ls="--" if name == "leaky_relu" else "-")  # dashed: it lies on top of ReLU
        ax.set(title=f"$W_{{hh}}$ = {scale:g} · orthogonal", xlabel="steps back $n$", ylim=(1e-60, 1e40))
    axes[0].set_ylabel(r"median $\|\partial h_T / \partial h_{T-n}\|$")
    axes[-1].legend(loc="lower left", fontsize=7)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.88, wspace=0.08)


@dataclass(frozen=True)
class ReluGrowth:
    """M ReLU networks ``h_t = relu(c Q_m h_{t-1})`` (no input, no bias): state growth against gain."""
    state: np.ndarray  # (M,) ‖h_T‖ / ‖h_0‖
    gain: np.ndarray   # (M,) ‖∂h_T/∂h_0‖₂ = ‖J_T ⋯ J_1‖₂ ≥ state (Exercise ex3-homogeneous)


def relu_state_growth(c: float = 2.0, H: int = 16, T: int = 60, M: int = 100, seed: int = 0) -> ReluGrowth:
    """Run M ReLU RNNs with ``W_hh = c · Q_m`` (Q_m Haar-orthogonal), ``x_t = 0`` and ``b = 0``.

    For each network m, ``h_0 ~ N(0, I)`` (H,) and then ``Q_m`` are drawn from ``default_rng(seed)``, in that
    order (network 0 of seed 0 is the chapter's sample). Since ``relu(z) = relu'(z) z``, ``h_T = J_T ⋯ J_1 h_0``
    and so ``gain ≥ state``. ``c ≤ 4`` and ``T ≤ 200`` keep every state finite (‖h_T‖ ≤ c^T ‖h_0‖).

    Parameters
    ----------
    c : float in (0, 4]
        The scale of W_hh.
    H, T, M : int
        Hidden units (1–64), time steps (1–200), networks (1–500).
    seed : int ≥ 0
    """
    c = check_float("c", c, 0.0, 4.0)
    if c <= 0:
        raise ValueError(f"c must be positive; got {c}")
    H, T, M = check_int("H", H, 1, 64), check_int("T", T, 1, 200), check_int("M", M, 1, 500)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    state, gain = np.empty(M), np.empty(M)
    x, W_xh, b = np.zeros((1, T, 1)), np.zeros((H, 1)), np.zeros(H)  # no input, no bias
    for m in range(M):
        h0 = rng.standard_normal((1, H))  # (1, H)
        W_hh = c * spectral.orthogonal(H, rng)  # (H, H)
        with np.errstate(under="ignore"):
            h, cache = rnn.rnn_forward(x, h0, W_xh, W_hh, b, "relu")
            J = rnn.step_jacobians(cache)  # (1, T, H, H)
            gain[m] = spectral.jacobian_product_norms(J)[0, -1]  # ‖J_T ⋯ J_1‖₂
        state[m] = np.linalg.norm(h[0, -1]) / np.linalg.norm(h0[0])
    return ReluGrowth(state=state, gain=gain)
