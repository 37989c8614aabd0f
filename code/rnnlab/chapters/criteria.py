"""Chapter 4: what the spectrum of W_hh says about the gradient ‖∂h_T/∂h_{T-n}‖ after n steps back.

- Linear RNN (φ = identity): ``∂h_T/∂h_{T-n} = Wⁿ`` and ``∂L_T/∂h_{T-n} = (Wᵀ)ⁿ g`` with ``g = ∂L_T/∂h_T``;
  for diagonalisable W, ``(Wᵀ)ⁿ g = Σ_i c_i λ_iⁿ u_i`` (eq-eig-modes), so ρ(W) decides the long run.
- Nonlinear RNN: ``‖J_t‖ = ‖diag(φ'(a_t)) W_hh‖ ≤ γ σ_max(W_hh) =: η`` and ``‖∂h_T/∂h_{T-n}‖ ≤ ηⁿ``
  (eq-eig-bound; Pascanu, Mikolov & Bengio 2013, arXiv 1211.5063).
- Non-normal W: ρ(W) < 1 < σ_max(W) lets ‖Wⁿ‖ grow before it decays (Trefethen & Embree 2005).

Pure compute functions return frozen dataclasses; ``draw_*`` functions only draw them; ``*_explorer``
build the chapter's two explorers (H = 16, fixed seeds, ≤ 20 ms per compute).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import plotting, rnn, spectral
from .._validate import as_array, check_choice, check_float, check_int, check_rng, check_shape, check_square
from ..activations import get_activation
from ..widgets import Explorer, Slider

EXPLORER_H = 16    # hidden size of both explorers: small enough for ≤ 20 ms, large enough for a spectrum
EXPLORER_SEED = 0  # every explorer matrix and input comes from this seed
CENTRED = ("tanh", "sigmoid", "linear")  # activations with |φ'| maximal (= γ) at a = 0


def _unit_circle(ax) -> None:
    z = np.exp(2j * np.pi * np.linspace(0, 1, 121))
    ax.plot(z.real, z.imag, color=plotting.COLORS["grey"], lw=1)
    ax.set(aspect="equal", xlabel="Re λ", ylabel="Im λ")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _lag_axes(ax, n_max, title, ylim=(1e-15, 1e15)):
    """Log axis with fixed plain-text ticks (mathtext tick labels would double the redraw time)."""
    ax.axhline(1.0, color=plotting.COLORS["grey"], lw=0.8)
    ax.set(yscale="log", ylim=ylim, xlim=(0, n_max), xlabel="steps back n", title=title)
    lo, hi = (int(round(np.log10(v))) for v in ylim)
    exponents = range(lo, hi + 1, 5 if hi - lo > 15 else 2)
    ax.set_yticks([10.0**k for k in exponents], labels=[f"10{str(k).translate(_SUPERSCRIPT)}" for k in exponents])
    ax.minorticks_off()
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))  # few ticks: tick labels dominate redraw time


# --- 4.2 the linear RNN: eigen-components ---------------------------------------------------------------
@dataclass(frozen=True)
class Modes:
    """The gradient ``(Wᵀ)ⁿ g`` of a linear RNN split into eigen-components (eq-eig-modes)."""
    eigenvalues: np.ndarray   # (H,) complex λ_i of W (also those of Wᵀ)
    coefficients: np.ndarray  # (H,) complex c_i with g = Σ_i c_i u_i, u_i the unit eigenvectors of Wᵀ
    condition: float          # κ = ‖U‖ ‖U⁻¹‖ of the eigenvector matrix U; 1 for a normal W
    inverse_norm: float       # ‖U⁻¹‖, for the lower bound (b) of thm-eig-linear
    norms: np.ndarray         # (n_max+1,) ‖(Wᵀ)ⁿ g‖, by repeated multiplication
    components: np.ndarray    # (n_max+1, H) |c_i| |λ_i|ⁿ, the size of each term
    bound: np.ndarray         # (n_max+1,) κ ρ(W)ⁿ ‖g‖, the upper bound (a) of thm-eig-linear


def _eigen(W):
    """Eigenvalues λ (H,) and unit eigenvectors U (H, H) of Wᵀ; ValueError if W is not diagonalisable."""
    W = check_square("W", W)
    lam, U = np.linalg.eig(W.T)
    if np.linalg.cond(U) > 1e12:
        raise ValueError("W must be diagonalisable: its eigenvector matrix is (numerically) singular")
    return W, lam, U


def gradient_modes(W, g, n_max: int) -> Modes:
    """Split ``∂L_T/∂h_{T-n} = (Wᵀ)ⁿ g`` into the terms ``c_i λ_iⁿ u_i`` of (eq-eig-modes).

    Parameters
    ----------
    W : array, shape (H, H)
        The recurrent matrix of a linear RNN; it must be diagonalisable.
    g : array, shape (H,)
        ``∂L_T/∂h_T``, the gradient arriving at the last state.
    n_max : int ≥ 0
        Largest lag n.
    """
    W, lam, U = _eigen(W)
    g = as_array("g", g, ndim=1)
    check_shape("g", g, (W.shape[0],), "(H,)")
    n_max = check_int("n_max", n_max, low=0)
    c = np.linalg.solve(U, g)  # (H,)  g = U c
    norms, v = np.empty(n_max + 1), g.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for n in range(n_max + 1):
            norms[n] = np.linalg.norm(v)
            v = W.T @ v  # (H,)  (eq-eig-linear): one more step back
        components = np.abs(c) * np.abs(lam) ** np.arange(n_max + 1)[:, None]  # (n_max+1, H)
        kappa = float(np.linalg.cond(U))
        bound = kappa * np.max(np.abs(lam)) ** np.arange(n_max + 1) * np.linalg.norm(g)  # (n_max+1,)
    return Modes(lam, c, kappa, float(np.linalg.norm(np.linalg.inv(U), 2)), norms, components, bound)


def draw_modes(fig, modes, titles, stable=None) -> None:
    """One panel per ``Modes``: each term |c_i||λ_i|ⁿ (red if |λ_i| ≥ 1), the norm, the bound κρⁿ‖g‖.

    ``stable``, a ``Modes`` of ``stable_part(W, g)``, is added to the last panel.
    """
    axes = fig.subplots(1, len(modes), sharey=True)
    for ax, m, title in zip(np.atleast_1d(axes), modes, titles):
        for i, lam in enumerate(m.eigenvalues):
            ax.plot(m.components[:, i], lw=0.8, alpha=0.7,
                    color=plotting.COLORS["red" if abs(lam) >= 1 - 1e-12 else "sky"])
        ax.plot(m.bound, "--", color=plotting.COLORS["grey"], lw=1.2, label="bound κρⁿ‖g‖")
        ax.plot(m.norms, color="black", label="‖(Wᵀ)ⁿ g‖")
        ax.set(yscale="log", ylim=(1e-8, 1e4), xlabel="steps back n", title=title)
    if stable is not None:
        ax.plot(stable.norms, color=plotting.COLORS["green"], label="its part along |λ| < 1")
    ax.legend(loc="lower left", fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.12)


def stable_part(W, g) -> np.ndarray:
    """The part of g (H,) along the eigenvectors u_i of Wᵀ with |λ_i| < 1: ``Σ_{|λ_i|<1} c_i u_i`` (H,)."""
    W, lam, U = _eigen(W)
    g = as_array("g", g, ndim=1)
    check_shape("g", g, (W.shape[0],), "(H,)")
    c = np.linalg.solve(U, g) * (np.abs(lam) < 1)  # (H,)  conjugate pairs are kept or dropped together
    return (U @ c).real  # (H,)  real up to rounding


# --- 4.3 the nonlinear RNN: σ_max against 1/γ --------------------------------------------------------------
def driven_norms(W, activation: str, T: int, input_scale: float, rng: np.random.Generator, N: int = 1):
    """``‖∂h_T/∂h_{T-n}‖`` (N, T+1) of ``h_t = φ(W h_{t-1} + x_t + b)`` driven by ``x_t ~ N(0, input_scale² I)``.

    The network is centred: ``h_0 = φ(0)·1`` and ``b = −W h_0``, so with no input every ``a_t = 0``, where
    ``φ'(a_t) = γ`` and ``J_t = γ W`` — the worst case of (eq-eig-bound). Inputs push units away from 0,
    where φ' < γ.

    Parameters
    ----------
    W : array, shape (H, H)
        ``W_hh``; the input weights are ``W_xh = I`` (D = H).
    activation : "tanh", "sigmoid" or "linear"
    T : int ≥ 1;  input_scale : float ≥ 0;  rng : np.random.Generator;  N : int ≥ 1 sequences
    """
    return spectral.jacobian_product_norms(_driven_jacobians(W, activation, T, input_scale, rng, N))  # (N, T+1)


def _driven_jacobians(W, activation, T, input_scale, rng, N=1) -> np.ndarray:
    """The step Jacobians J_t (N, T, H, H) behind ``driven_norms``."""
    W = check_square("W", W)
    act = get_activation(check_choice("activation", activation, CENTRED))
    T, N = check_int("T", T, low=1), check_int("N", N, low=1)
    input_scale = check_float("input_scale", input_scale, low=0.0)
    H = W.shape[0]
    h0 = np.full((N, H), float(act.f(0.0)))  # (N, H)  φ(0)
    x = input_scale * check_rng(rng).standard_normal((N, T, H))  # (N, T, D = H)
    _, cache = rnn.rnn_forward(x, h0, np.eye(H), W, -W @ h0[0], act)  # b = −W h_0: a_t = 0 without input
    return rnn.step_jacobians(cache)  # (N, T, H, H)


@dataclass(frozen=True)
class GammaFate:
    """Explorer (b): one W (scaled to a given σ_max) in a tanh and in a sigmoid RNN."""
    singular_values: np.ndarray  # (H,) of W
    eigen_moduli: np.ndarray     # (H,) |λ_i(W)|
    names: tuple                 # ("tanh", "sigmoid")
    gamma: np.ndarray            # (2,) γ of each: 1 and 1/4
    norms: np.ndarray            # (2, T+1) ‖∂h_T/∂h_{T-n}‖ along one driven sequence
    bound: np.ndarray            # (2, T+1) ηⁿ = (γ σ_max)ⁿ, thm-eig-nonlinear
    status: tuple                # plotting.classify of each norms[:, -1]


def gamma_fate(sigma_max: float, T: int, input_scale: float) -> GammaFate:
    """Explorer (b): a seeded Gaussian W (H = 16) scaled to ``σ_max(W) = sigma_max``, tanh and sigmoid.

    Both networks are centred (see ``driven_norms``) and driven by the same inputs; ``bound`` is ηⁿ of
    (eq-eig-bound). Arguments: ``sigma_max ≥ 0``, ``1 ≤ T ≤ 1000`` steps, ``input_scale ≥ 0``.
    """
    sigma_max = check_float("sigma_max", sigma_max, low=0.0)
    T = check_int("T", T, low=1, high=1000)
    G = spectral.gaussian(EXPLORER_H, np.random.default_rng(EXPLORER_SEED))
    W = G * (sigma_max / spectral.max_singular_value(G))  # (H, H)
    names = ("tanh", "sigmoid")
    gamma = np.array([get_activation(a).gamma for a in names])  # (2,)
    J = np.concatenate([_driven_jacobians(W, a, T, input_scale, np.random.default_rng(EXPLORER_SEED + 2))
                        for a in names])  # (2, T, H, H): the same inputs for both
    norms = spectral.jacobian_product_norms(J)  # (2, T+1)
    with np.errstate(over="ignore"):
        bound = (gamma[:, None] * sigma_max) ** np.arange(T + 1)  # (2, T+1)  (eq-eig-bound)
    return GammaFate(spectral.singular_values(W), np.abs(np.linalg.eigvals(W)), names, gamma, norms, bound,
                     tuple(plotting.classify(v) for v in norms[:, -1]))


def draw_gamma_fate(fig, result: GammaFate, params: dict) -> None:
    """Left: σ_i(W) and |λ_i(W)| against the lines 1/γ. Middle, right: the gradient norms and the bound."""
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.3, 1.3]})
    ax = axes[0]
    ax.plot(result.singular_values, np.ones_like(result.singular_values), "|", ms=12, color=plotting.COLORS["red"])
    ax.plot(result.eigen_moduli, np.zeros_like(result.eigen_moduli), "|", ms=12, color=plotting.COLORS["blue"])
    colors = (plotting.COLORS["orange"], plotting.COLORS["green"])
    for name, g, c in zip(result.names, result.gamma, colors):
        ax.axvline(1 / g, color=c, ls="--", lw=1.2)
        ax.text(1 / g + 0.15, 1.45, f"1/γ {name}", color=c, fontsize=8, rotation=90, va="top")
    ax.set(xlim=(0, 8.5), ylim=(-0.5, 1.5), xticks=[0, 2, 4, 6, 8], yticks=[0, 1], yticklabels=["|λ|", "σ"],
           xlabel="value", title=f"σ_max = {params['sigma_max']:.2f}")
    n = np.arange(result.norms.shape[1])
    for ax, name, g, c, norms, bound, status in zip(axes[1:], result.names, result.gamma, colors, result.norms,
                                                    result.bound, result.status):
        ax.plot(n, plotting.log_safe(bound), ":", color=plotting.COLORS["red"], label="bound ηⁿ")
        ax.plot(n, plotting.log_safe(norms), color=c, label="‖∂h_T/∂h_(T−n)‖")
        _lag_axes(ax, n[-1], f"{name}: η = γσ_max = {g * params['sigma_max']:.2f}")
        plotting.annotate_status(ax, status, f"{norms[-1]:.0e}")
    axes[1].legend(loc="lower left")  # one legend: both panels draw the same two lines
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.16, top=0.9, wspace=0.28)


def gamma_explorer() -> Explorer:
    """Explorer (b): tanh and sigmoid RNNs; sliders σ_max(W) (main, 0.5–8), input scale (0–3) and T (10–100)."""
    return Explorer(
        compute=gamma_fate, draw=draw_gamma_fate, main="sigma_max", frames=16, figsize=(9.0, 3.0),
        title="One matrix W (H = 16) scaled to a chosen σ_max, in a tanh and in a sigmoid RNN driven by noise: "
              "its singular values against 1/γ (left) and the gradient norms against the bound (γ σ_max)^n",
        sliders=[Slider("sigma_max", "σ_max(W)", 0.5, 8.0, 0.5, 2.0),
                 Slider("input_scale", "input scale", 0.0, 3.0, 0.1, 0.5),
                 Slider("T", "T (steps back)", 10, 100, 1, 60)])


# --- 4.4 eigenvalues vs singular values: ‖Wⁿ‖ ---------------------------------------------------------------
@dataclass(frozen=True)
class LinearFate:
    """The spectrum of W and ``‖∂h_T/∂h_{T-n}‖ = ‖Wⁿ‖`` of the linear RNN it defines."""
    eigenvalues: np.ndarray      # (H,) complex
    singular_values: np.ndarray  # (H,) descending
    rho: float                   # ρ(W) = max |λ_i|: ‖Wⁿ‖ behaves like ρⁿ in the long run
    sigma_max: float             # σ_max(W) = ‖W‖: ‖Wⁿ‖ ≤ σ_maxⁿ at every n
    norms: np.ndarray            # (n_max+1,) ‖Wⁿ‖
    peak: float                  # max_n ‖Wⁿ‖ (1 at n = 0 unless the norms grow)
    peak_lag: int                # the n where it is attained
    status: str                  # plotting.classify(‖W^n_max‖)


def linear_fate(W, n_max: int) -> LinearFate:
    """Spectrum and ``‖Wⁿ‖`` (n = 0..n_max) of a square W (H, H); overflow gives inf, never an error."""
    W = check_square("W", W)
    n_max = check_int("n_max", n_max, low=0)
    norms = spectral.power_norms(W, n_max)
    s = spectral.singular_values(W)
    eig = np.linalg.eigvals(W)
    return LinearFate(eig, s, float(np.max(np.abs(eig))), float(s[0]), norms, float(np.max(norms)),
                      int(np.argmax(norms)), plotting.classify(norms[-1]))


def explorer_matrix(rho: float, nonnormality: float, H: int = EXPLORER_H, seed: int = EXPLORER_SEED):
    """W (H, H) with eigenvalues ``rho · λ̂`` and the given non-normality (``spectral.with_eigenvalues``).

    λ̂ are the eigenvalues of a seeded Gaussian matrix scaled to ``max |λ̂| = 1``, so ρ(W) = rho exactly and
    the eigenvalues fill a disc, as for a random initialisation. The same seed gives the same λ̂, Q and U
    for every (rho, nonnormality): the sliders move one matrix, not a new random one.
    """
    rho = check_float("rho", rho, low=0.0)
    base = np.linalg.eigvals(spectral.gaussian(H, np.random.default_rng(seed)))  # (H,)
    return spectral.with_eigenvalues(rho * base / np.max(np.abs(base)), np.random.default_rng(seed + 1),
                                     nonnormality)


def spectrum_fate(rho: float, nonnormality: float, T: int) -> LinearFate:
    """Explorer (a): ``linear_fate(explorer_matrix(rho, nonnormality), T)`` for 1 ≤ T ≤ 1000."""
    return linear_fate(explorer_matrix(rho, nonnormality), check_int("T", T, low=1, high=1000))


def _norm_panel(ax, result: LinearFate, ylim=(1e-15, 1e15)) -> None:
    """‖Wⁿ‖ against n with the eigenvalue line ρⁿ, the bound σ_maxⁿ, the status and any transient peak."""
    n = np.arange(len(result.norms))
    with np.errstate(over="ignore"):
        ax.plot(n, plotting.log_safe(result.sigma_max ** n), ":", color=plotting.COLORS["red"],
                label="bound σ_maxⁿ")
        ax.plot(n, plotting.log_safe(result.rho ** n), "--", color=plotting.COLORS["grey"], label="ρⁿ")
    ax.plot(n, plotting.log_safe(result.norms), color=plotting.COLORS["blue"], label="‖Wⁿ‖ = ‖∂h_T/∂h_(T−n)‖")
    _lag_axes(ax, n[-1], f"gradient norm; σ_max = {result.sigma_max:.2f}", ylim)
    ax.legend(loc="lower left")
    plotting.annotate_status(ax, result.status, f"{result.norms[-1]:.0e}")
    if result.peak > 1.0 and result.rho < 1.0:
        ax.text(0.98, 0.8, f"grows to {result.peak:.3g} at n = {result.peak_lag}", transform=ax.transAxes,
                ha="right", fontsize=9, color=plotting.COLORS["red"])


def draw_spectrum_fate(fig, result: LinearFate, params: dict) -> None:
    """Left: eigenvalues and the unit circle. Right: ‖Wⁿ‖ against n with ρⁿ and the bound σ_maxⁿ."""
    ax_e, ax_n = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    _unit_circle(ax_e)
    ax_e.plot(result.eigenvalues.real, result.eigenvalues.imag, "o", ms=4, color=plotting.COLORS["blue"])
    ax_e.set(xlim=(-1.6, 1.6), ylim=(-1.6, 1.6), title=f"eigenvalues: ρ = {result.rho:.2f}")
    _norm_panel(ax_n, result)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.3)  # room for "Im λ"


def draw_transient(fig, result: LinearFate) -> None:
    """Left: singular values and eigenvalue moduli, sorted, against 1. Right: ‖Wⁿ‖ as in the explorer."""
    ax_s, ax_n = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    i = np.arange(1, len(result.singular_values) + 1)
    ax_s.plot(i, result.singular_values, "o", color=plotting.COLORS["red"], label="σ_i(W)")
    ax_s.plot(i, np.sort(np.abs(result.eigenvalues))[::-1], "s", ms=4, color=plotting.COLORS["blue"],
              label="|λ_i(W)|")
    ax_s.axhline(1.0, color=plotting.COLORS["grey"], lw=0.8)
    ax_s.set(xlabel="index i (sorted)", title="singular values vs eigenvalues")
    ax_s.legend()
    _norm_panel(ax_n, result, ylim=(1e-6, 1e6))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.3)


def spectrum_explorer() -> Explorer:
    """Explorer (a): a linear RNN; sliders ρ (main, 0.5–1.5), non-normality (0–3) and T (10–100)."""
    return Explorer(
        compute=spectrum_fate, draw=draw_spectrum_fate, main="rho", frames=21,
        title="Linear RNN with H = 16: eigenvalues of W (left) and the gradient norm ‖W^n‖ after n steps "
              "back (right, log scale) with the eigenvalue line ρ^n and the singular-value bound σ_max^n",
        sliders=[Slider("rho", "ρ(W) (spectral radius)", 0.5, 1.5, 0.05, 0.9),
                 Slider("nonnormality", "non-normality", 0.0, 3.0, 0.1, 0.0),
                 Slider("T", "T (steps back)", 10, 100, 1, 60)])


# --- 4.5 initialisation ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitFate:
    """An initial W_hh: its spectrum and its gradient-norm curves in a linear and a tanh RNN."""
    name: str                    # e.g. "orthogonal" or "Gaussian, β = 0.9"
    eigenvalues: np.ndarray      # (H,) complex
    singular_values: np.ndarray  # (H,) descending
    rho: float
    sigma_max: float
    linear: np.ndarray           # (T+1,) ‖Wⁿ‖
    tanh: np.ndarray             # (T+1,) ‖∂h_T/∂h_{T-n}‖ of the centred tanh RNN, one driven sequence


def init_fate(name: str, W, T: int, input_scale: float, rng: np.random.Generator) -> InitFate:
    """Spectrum of W (H, H) and its curves: ``linear_fate(W, T)`` and ``driven_norms(W, "tanh", ...)``.

    ``name`` labels the figure; ``T ≥ 1`` is the largest lag; the tanh network is driven by
    ``x_t ~ N(0, input_scale² I)`` drawn from ``rng``.
    """
    p = linear_fate(W, check_int("T", T, low=1))
    tanh = driven_norms(W, "tanh", T, input_scale, rng)[0]
    return InitFate(str(name), p.eigenvalues, p.singular_values, p.rho, p.sigma_max, p.norms, tanh)


def draw_init(fig, results) -> None:
    """2×2: eigenvalues, singular-value histograms, linear curves, tanh curves, one colour per init."""
    (ax_e, ax_s), (ax_l, ax_t) = fig.subplots(2, 2)
    colors = list(plotting.COLORS.values())
    _unit_circle(ax_e)
    bins = np.linspace(-0.05, 2.55, 27)  # width 0.1, centred on multiples of 0.1 (1.0 is a centre)
    for r, c in zip(results, colors):
        ax_e.plot(r.eigenvalues.real, r.eigenvalues.imag, ".", ms=3, color=c, label=r.name)
        s = r.singular_values
        if np.ptp(s) < 1e-9:  # all equal (orthogonal): one arrow instead of a spike that squashes the rest
            ax_s.annotate(f"{r.name}: all {len(s)} at {s[0]:.2f}", xy=(s[0], 0), xytext=(s[0], 1.02), color=c,
                          ha="center", textcoords=("data", "axes fraction"), fontsize=8,
                          arrowprops={"arrowstyle": "->", "color": c})
        else:
            ax_s.hist(s, bins=bins, histtype="step", color=c, lw=1.5)
        ax_l.plot(plotting.log_safe(r.linear), color=c)
        ax_t.plot(plotting.log_safe(r.tanh), color=c)
    ax_e.set(xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), title="eigenvalues")
    ax_e.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, markerscale=3)
    ax_s.set(xlabel="singular value", ylabel="count")
    for ax, what in [(ax_l, "linear RNN"), (ax_t, "tanh RNN, driven")]:
        ax.axhline(1.0, color=plotting.COLORS["grey"], lw=0.8)
        ax.set(yscale="log", xlabel="steps back n", ylabel=r"$\|\partial h_T/\partial h_{T-n}\|$", title=what)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.09, top=0.95, wspace=0.75, hspace=0.45)
