"""Chapter 2, §2.7: how much each past step contributes to ``∂L_T/∂W_hh``, and the explorer that shows it.

Term k of ``∂L_T/∂W_hh = Σ_k δ_k^{(T)} h_{k-1}ᵀ`` (eq-bptt-general) has Frobenius norm
``‖δ_k^{(T)}‖ ‖h_{k-1}‖``; its first factor carries the long-term factor, a product of T − k step Jacobians.
For ``W_hh = c Q`` (Q orthogonal, so every singular value of W_hh is c) and tanh, each Jacobian has norm at
most c, so ``‖term k‖ ≤ c^(T−k) ‖∂L_T/∂h_T‖ ‖h_{k-1}‖`` (eq-bptt-term-bound). Over T = 1000 steps that
product leaves the range of float64 (3^1000 ≈ 10^477), so the norms are computed as logarithms: the backward
vector is renormalised at every step and its scale accumulated in ``log``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from .. import plotting, rnn, spectral
from .._validate import check_float, check_int
from ..widgets import Explorer, Slider
from .bptt import check_figure

HORIZON_SHARE = 0.9  # the "horizon" is the number of recent steps that carry this share of Σ‖term k‖


@dataclass(frozen=True)
class ContributionProfile:
    """How much each step k contributes to ``∂L_T/∂W_hh`` (arrays over k = 1..T, i.e. lag T − k = T-1..0).

    Sizes are stored as base-10 logarithms (−inf for a term that is exactly 0, e.g. for c = 0), so that
    they stay exact where the sizes themselves would overflow; the properties give the sizes.
    """
    log10_norms: np.ndarray     # (T,) log10 ‖term k‖ (Frobenius), term k = δ_k^{(T)} h_{k-1}ᵀ
    log10_relative: np.ndarray  # (T,) log10(‖term k‖ / ‖term T‖): size relative to the newest term
    log10_guide: np.ndarray     # (T,) log10 c^(T−k): what T − k Jacobians of norm c do to a vector
    state_norms: np.ndarray     # (T,) ‖h_{k-1}‖, the other factor of term k
    share: np.ndarray           # (T,) share[n-1]: fraction of Σ_k ‖term k‖ carried by the n newest terms
    horizon: int                # smallest n with share[n-1] ≥ HORIZON_SHARE
    log10_ratio: float          # log10_relative[0]: the oldest term over the newest (the gain)
    status: str                 # plotting.classify of that gain: vanished / within 10^±6 / exploded

    @property
    def ratio(self) -> float:
        """The gain ``‖term 1‖ / ‖term T‖`` (``inf`` or 0.0 where float64 cannot hold it)."""
        with np.errstate(over="ignore", under="ignore"):
            return float(10.0 ** self.log10_ratio)

    @property
    def relative(self) -> np.ndarray:
        """``‖term k‖ / ‖term T‖`` (T,), ``inf`` where it overflows float64."""
        with np.errstate(over="ignore", under="ignore"):
            return 10.0 ** self.log10_relative


def contribution_network(scale: float, T: int, H: int = 32, seed: int = 0) -> tuple[rnn.Cache, np.ndarray]:
    """The network of :func:`contribution_profile`: a tanh RNN with ``W_hh = c Q``, ``c = scale``.

    Q is a random orthogonal matrix, so every singular value of W_hh is c (the chapter's
    eq-bptt-term-bound). One sequence of T standard-normal inputs (D = 1) through input weights N(0, 0.1²),
    ``h0 ~ N(0, 0.1²)``, b = 0. Seeded; the inputs are drawn last, so a longer T extends the same sequence.

    Parameters
    ----------
    scale : float, 0 ≤ scale ≤ 10
    T : int, 1 ≤ T ≤ 1000
    H : int, 1 ≤ H ≤ 256
    seed : int ≥ 0

    Returns
    -------
    cache : rnn.Cache
        From ``rnn.rnn_forward`` on the one sequence (N = 1).
    dh_T : array, shape (1, H)
        ``∂L_T/∂h_T``, a random unit vector.
    """
    scale = check_float("scale", scale, low=0.0, high=10.0)
    T = check_int("T", T, low=1, high=1000)
    H = check_int("H", H, low=1, high=256)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    W_hh = scale * spectral.orthogonal(H, rng)  # (H, H)
    W_xh = 0.1 * rng.standard_normal((H, 1))  # (H, D)
    h0 = 0.1 * rng.standard_normal((1, H))  # (N, H)
    g = rng.standard_normal((1, H))  # (N, H)
    g /= np.linalg.norm(g)  # ‖∂L_T/∂h_T‖ = 1
    x = rng.standard_normal((1, T, 1))  # (N, T, D)
    _, cache = rnn.rnn_forward(x, h0, W_xh, W_hh, np.zeros(H))
    return cache, g


def contribution_profile(scale: float, T: int, H: int = 32, seed: int = 0) -> ContributionProfile:
    """Per-step terms of ``∂L_T/∂W_hh`` for the network of :func:`contribution_network` (same arguments).

    Correct over the whole range of the arguments: the sizes are logarithms, so a gain of 10^200 (c = 4.5,
    T = 1000) is measured, not an overflow.
    """
    cache, g = contribution_network(scale, T, H, seed)  # validates the arguments
    T, g, W_hh = cache.h.shape[1], g[0], cache.W_hh  # g: (H,) ∂L_T/∂h_T; W_hh: (H, H)
    dphi = cache.activation.df(cache.a[0])  # (T, H)  φ'(a_k)
    h_prev = np.concatenate([cache.h0, cache.h[0, :-1]])  # (T, H)  h_0..h_{T-1}
    state_norms = np.linalg.norm(h_prev, axis=1)  # (T,)  ‖h_{k-1}‖
    log_delta = np.empty(T)  # ln ‖δ_k^{(T)}‖
    log_scale = 0.0  # ∂L_T/∂h_k = e^{log_scale} g with ‖g‖ = 1 (or g = 0)
    with np.errstate(divide="ignore"):  # ln 0 = −inf: an exactly zero term (c = 0)
        for k in reversed(range(T)):  # Python index k holds step k + 1
            d = g * dphi[k]  # (H,)  δ_k^{(T)} / e^{log_scale}
            log_delta[k] = log_scale + np.log(np.linalg.norm(d))
            g = d @ W_hh  # (H,)  (eq-bptt-recursion), row form
            size = np.linalg.norm(g)
            log_scale = log_scale + np.log(size)
            g = g / size if size > 0 else g
        log10_norms = (log_delta + np.log(state_norms)) / np.log(10.0)  # (T,)
    lags = np.arange(T - 1, -1, -1)  # (T,)  T − k
    log10_guide = lags * np.log10(scale) if scale > 0 else np.where(lags == 0, 0.0, -np.inf)  # 0^0 = 1
    log10_relative = log10_norms - log10_norms[-1]  # (T,)
    weights = 10.0 ** (log10_norms - log10_norms.max())  # (T,)  ∝ ‖term k‖, the largest = 1
    share = np.cumsum(weights[::-1]) / np.sum(weights)  # (T,)  newest first
    horizon = int(np.argmax(share >= HORIZON_SHARE - 1e-12)) + 1
    log10_ratio = float(log10_relative[0])
    with np.errstate(over="ignore", under="ignore"):
        status = plotting.classify(10.0 ** log10_ratio)
    return ContributionProfile(log10_norms, log10_relative, log10_guide, state_norms, share, horizon,
                               log10_ratio, status)


def draw_contributions(fig, result: ContributionProfile, params: dict) -> None:
    """Left: ‖term k‖ / ‖term T‖ against the lag T − k (log scale) with the guide c^(T−k), c = scale.
    Right: the share of Σ‖term k‖ carried by the newest n terms. ``params`` names scale, T and seed."""
    check_figure(fig)
    if not isinstance(result, ContributionProfile):
        raise TypeError(f"result must be a ContributionProfile; got {type(result).__name__}")
    missing = {"scale", "T", "seed"} - set(params)
    if missing:
        raise ValueError(f"params must name scale, T and seed; missing {sorted(missing)}")
    T = len(result.log10_norms)
    lag = np.arange(T - 1, -1, -1)  # (T,)  T − k for k = 1..T
    with np.errstate(over="ignore", under="ignore"):
        guide = 10.0 ** result.log10_guide
    ax_n, ax_s = fig.subplots(1, 2)
    ax_n.semilogy(lag, plotting.log_safe(guide), color=plotting.COLORS["grey"], ls="--", lw=1.2,
                  label="c^(T−k)")
    ax_n.semilogy(lag, plotting.log_safe(result.relative), color=plotting.COLORS["blue"],
                  label="‖term k‖ / ‖term T‖")
    ax_n.set_yticks(10.0 ** np.arange(-30, 31, 10))
    # plain-text tick labels: mathtext would cost ~100 ms a frame
    ax_n.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))
    ax_n.yaxis.set_minor_locator(NullLocator())
    ax_n.set(xlabel="lag T − k (steps back from the loss)", ylim=(1e-30, 1e30),
             xlim=(0, max(T - 1, 1)), title="size of each step's term")
    ax_n.legend(loc="lower left")
    ratio, log_ratio = result.ratio, result.log10_ratio  # beyond float64 the gain is shown from its log
    gain = f"{ratio:.1e}" if 0 < ratio < np.inf else "0" if log_ratio == -np.inf else f"~1e{log_ratio:+.0f}"
    plotting.annotate_status(ax_n, result.status, f"oldest/newest {gain}")
    ax_s.plot(np.arange(T), result.share, color=plotting.COLORS["orange"])
    ax_s.axhline(HORIZON_SHARE, color=plotting.COLORS["grey"], lw=1, ls=":")
    ax_s.axvline(result.horizon - 1, color=plotting.COLORS["red"], lw=1)
    ax_s.set(xlabel="lag T − k", ylabel="cumulative share", ylim=(0, 1.05), xlim=(0, max(T - 1, 1)),
             title=f"{HORIZON_SHARE:.0%} of Σ‖term‖ from the newest {result.horizon} steps")
    fig.suptitle(f"∂L_T/∂W_hh, tanh RNN, H = 32, W_hh = c·Q (Q orthogonal, seed {params['seed']}), "
                 f"c = {params['scale']:.2f}, T = {params['T']}", fontsize=10)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.8, wspace=0.25)


def contribution_explorer() -> Explorer:
    """Chapter 2's explorer: sliders for the scale c of ``W_hh = c Q`` (keyword ``scale``; main, 0.25–3),
    T (5–100, static frames at T = 100) and the seed of Q and the inputs (0–9, static frames at seed 0)."""
    return Explorer(
        compute=contribution_profile, draw=draw_contributions, main="scale", frames=12,
        title="Per-step terms of the gradient dL_T/dW_hh of a tanh RNN: their size against the lag T - k "
              "(left, log scale) and the share of the gradient carried by the newest steps (right)",
        sliders=[Slider("scale", "c (scale of W_hh)", 0.25, 3.0, 0.05, 1.0),
                 Slider("T", "T (time steps)", 5, 100, 1, 100),
                 Slider("seed", "seed (Q and inputs)", 0, 9, 1, 0)])
