"""Chapter 4's figures and its two explorers: they only draw what ``criteria`` computed.

The explorers redraw on every slider move (goal ≤ 150 ms), so their panels avoid what makes matplotlib slow:
fixed tick positions with plain-text labels (no mathtext, few ticks), axis labels and titles at fixed
positions (no layout search over tick-label boxes), one legend, and status badges *above* the axes, where
they never cover a curve.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator

from .. import plotting
from ..widgets import Explorer, Slider
from .criteria import GammaFate, InitFate, LinearFate, Modes, gamma_fate, spectrum_fate

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_GREY = plotting.COLORS["grey"]


# --- input checks ----------------------------------------------------------------------------------------
def check_figure(fig) -> None:
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, e.g. plt.figure(); got {type(fig).__name__}")


def _check_result(name, result, cls) -> None:
    if not isinstance(result, cls):
        raise ValueError(f"{name} must be a {cls.__name__} from criteria; got {type(result).__name__}")


def _check_results(name, results, cls) -> list:
    """``results`` as a non-empty list of ``cls``."""
    items = list(results) if isinstance(results, (list, tuple)) else []
    if not items or not all(isinstance(r, cls) for r in items):
        got = [type(r).__name__ for r in items] if items else type(results).__name__
        raise ValueError(f"{name} must be a non-empty list of {cls.__name__} from criteria; got {got}")
    return items


def check_params(params, keys) -> dict:
    if not isinstance(params, dict) or any(k not in params for k in keys):
        raise ValueError(f"params must be a dict with the slider values {sorted(keys)}; got {params!r}")
    return params


# --- shared panels (Chapter 6 draws its gain panels with these too) ---------------------------------------
def panel_title(ax, text, loc="center") -> None:
    ax.set_title(text, loc=loc, y=1.0)  # a fixed y: no search for a free spot above the tick labels


def panel_xlabel(ax, text) -> None:
    ax.set_xlabel(text)
    ax.xaxis.set_label_coords(0.5, -0.14)  # a fixed place: no search over the tick-label boxes


def gain_badge(ax, gain) -> None:
    """The gain's fate (plotting.classify) in a box *above* the top-right corner of ``ax``."""
    plotting.annotate_status(ax, plotting.classify(gain), f"{gain:.0e}", above=True)


def _unit_circle(ax) -> None:
    z = np.exp(2j * np.pi * np.linspace(0, 1, 121))
    ax.plot(z.real, z.imag, color=_GREY, lw=1)
    ax.set(aspect="equal", xlabel="Re λ", ylabel="Im λ")


def lag_axes(ax, n_max, ylim=(1e-15, 1e15)) -> None:
    """Log axis of gains against the lag n, with fixed plain-text ticks (mathtext would double the time)."""
    if ax.get_yscale() != "log":  # a kept axis is log already: setting it again rebuilds its ticker
        ax.set_yscale("log")
    ax.set(ylim=ylim, xlim=(0, n_max))
    ax.plot((0, n_max), (1.0, 1.0), color=_GREY, lw=0.8)  # gain 1; axhline would autoscale first (slow)
    panel_xlabel(ax, "steps back n")
    lo, hi = (int(round(np.log10(v))) for v in ylim)
    step = 6 if hi - lo > 15 else 2  # at 10^±6 the ticks mark the thresholds of "vanished" and "exploded"
    exponents = [k for k in range(lo, hi + 1) if k % step == 0]
    ax.set_yticks([10.0**k for k in exponents], labels=[f"10{str(k).translate(_SUPERSCRIPT)}" for k in exponents])
    ax.minorticks_off()
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if s >= n_max / 3.5 or s == 500)
    ax.xaxis.set_major_locator(FixedLocator(np.arange(0, n_max + 1, step)))  # fixed: no tick search


def _norm_panel(ax, result: LinearFate, ylim=(1e-15, 1e15)) -> None:
    """‖Wⁿ‖ against n with the eigenvalue line ρⁿ, the bound σ_maxⁿ, its fate and any transient peak.

    The legend stands to the right of the axes (the caller leaves room): inside, some curve would pass under it.
    """
    n = np.arange(len(result.norms))
    with np.errstate(over="ignore"):
        ax.plot(n, plotting.log_safe(result.sigma_max ** n), ":", color=plotting.COLORS["red"],
                label="bound σ_maxⁿ")
        ax.plot(n, plotting.log_safe(result.rho ** n), "--", color=_GREY, label="ρⁿ")
    ax.plot(n, plotting.log_safe(result.norms), color=plotting.COLORS["blue"], label="‖Wⁿ‖ = ‖∂h_T/∂h_(T−n)‖")
    if result.peak > 1.0 and result.rho < 1.0:  # transient growth: mark the peak
        ax.plot(result.peak_lag, result.peak, "o", ms=5, color=plotting.COLORS["blue"],
                label=f"peak {result.peak:.3g} at n = {result.peak_lag}")
    lag_axes(ax, n[-1], ylim)
    panel_title(ax, f"σ_max = {result.sigma_max:.2f}", loc="left")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    gain_badge(ax, result.norms[-1])


# --- 4.2 and 4.4: static figures -----------------------------------------------------------------------------
def draw_modes(fig, modes, titles, stable=None) -> None:
    """One panel per ``Modes``: each term |ξ_i||λ_i|ⁿ (red if |λ_i| ≥ 1), the norm, the bound κρⁿ‖z‖.

    ``titles`` (text, one per panel); ``stable``, a ``Modes`` of ``stable_part(W, z)``, joins the last panel.
    """
    check_figure(fig)
    modes = _check_results("modes", modes, Modes)
    if not isinstance(titles, (list, tuple)) or len(titles) != len(modes) or not all(isinstance(t, str)
                                                                                     for t in titles):
        raise ValueError(f"titles must be {len(modes)} strings, one per panel; got {titles!r}")
    if stable is not None and not isinstance(stable, Modes):
        raise ValueError(f"stable must be None or Modes from criteria.gradient_modes; got {type(stable).__name__}")
    axes = fig.subplots(1, len(modes), sharey=True)
    for ax, m, title in zip(np.atleast_1d(axes), modes, titles):
        ax.plot(m.bound, "--", color=_GREY, lw=1.2, label="bound κρⁿ‖z‖")
        ax.plot(m.norms, color="black", label="‖(Wᵀ)ⁿ z‖")
        for i, lam in enumerate(m.eigenvalues):  # on top: the dominant term shows where the norm follows it
            big = abs(lam) >= 1 - 1e-12
            ax.plot(m.components[:, i], lw=1.2 if big else 0.8, alpha=1 if big else 0.7,
                    color=plotting.COLORS["red" if big else "sky"])
        ax.set(yscale="log", ylim=(1e-12, 1e4), xlabel="steps back n", title=title)
    if stable is not None:
        ax.plot(stable.norms, color=plotting.COLORS["green"], label="its part\nalong |λ| < 1")
    ax.plot([], [], lw=0.8, color=plotting.COLORS["sky"], label="terms, |λ_i| < 1")
    ax.plot([], [], lw=1.2, color=plotting.COLORS["red"], label="terms, |λ_i| ≥ 1")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)  # beside the panels: no line under it
    fig.subplots_adjust(left=0.07, right=0.8, bottom=0.16, top=0.9, wspace=0.12)


def draw_transient(fig, result: LinearFate) -> None:
    """Left: singular values and eigenvalue moduli, sorted, against 1. Right: ‖Wⁿ‖ as in the explorer."""
    check_figure(fig)
    _check_result("result", result, LinearFate)
    ax_s, ax_n = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    i = np.arange(1, len(result.singular_values) + 1)
    ax_s.plot(i, result.singular_values, "o", color=plotting.COLORS["red"], label="σ_i(W)")
    ax_s.plot(i, np.sort(np.abs(result.eigenvalues))[::-1], "s", ms=4, color=plotting.COLORS["blue"],
              label="|λ_i(W)|")
    ax_s.axhline(1.0, color=_GREY, lw=0.8)
    ax_s.set(xlabel="index i", title="sorted spectrum")
    ax_s.legend()
    _norm_panel(ax_n, result, ylim=(1e-6, 1e6))
    fig.subplots_adjust(left=0.07, right=0.72, bottom=0.16, top=0.88, wspace=0.3)  # legend on the right


# --- 4.5 initialisation -------------------------------------------------------------------------------------
def draw_init(fig, results) -> None:
    """2×2: eigenvalues, singular-value histograms, linear curves, tanh curves, one colour per ``InitFate``."""
    check_figure(fig)
    results = _check_results("results", results, InitFate)
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
        ax.axhline(1.0, color=_GREY, lw=0.8)
        ax.set(yscale="log", xlabel="steps back n", ylabel=r"$\|\partial h_T/\partial h_{T-n}\|$", title=what)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.09, top=0.95, wspace=0.75, hspace=0.45)


# --- explorer (a), §4.4: eigenvalues against singular values ---------------------------------------------------
def draw_spectrum_fate(fig, result: LinearFate, params: dict) -> None:
    """Left: eigenvalues and the unit circle. Right: ‖Wⁿ‖ against n with ρⁿ and the bound σ_maxⁿ."""
    check_figure(fig)
    _check_result("result", result, LinearFate)
    check_params(params, ("rho", "nonnormality", "T"))
    ax_e, ax_n = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    _unit_circle(ax_e)
    ax_e.yaxis.set_label_coords(-0.2, 0.5)
    ax_e.xaxis.set_label_coords(0.5, -0.14)
    ax_e.plot(result.eigenvalues.real, result.eigenvalues.imag, "o", ms=4, color=plotting.COLORS["blue"])
    ax_e.set(xlim=(-1.6, 1.6), ylim=(-1.6, 1.6), xticks=[-1, 0, 1], yticks=[-1, 0, 1])
    panel_title(ax_e, f"eigenvalues: ρ = {result.rho:.2f}")
    _norm_panel(ax_n, result)
    fig.subplots_adjust(left=0.08, right=0.75, bottom=0.16, top=0.88, wspace=0.3)  # legend on the right


def spectrum_explorer() -> Explorer:
    """Explorer (a): a linear RNN; sliders ρ (main, 0.5–1.5), non-normality (0–3) and T (10–100)."""
    return Explorer(
        compute=spectrum_fate, draw=draw_spectrum_fate, main="rho", frames=21, figsize=(9.0, 3.0),
        title="Linear RNN with H = 16: eigenvalues of W (left) and the gain ‖W^n‖ = ‖∂h_T/∂h_(T−n)‖ after n "
              "steps back (right, log scale) with the eigenvalue line ρ^n and the singular-value bound σ_max^n",
        sliders=[Slider("rho", "ρ(W) (spectral radius)", 0.5, 1.5, 0.05, 0.9),
                 Slider("nonnormality", "non-normality", 0.0, 3.0, 0.1, 0.0),
                 Slider("T", "T (steps back)", 10, 100, 1, 60)])


# --- explorer (b), §4.3: σ_max against 1/γ ----------------------------------------------------------------------
def draw_gamma_fate(fig, result: GammaFate, params: dict) -> None:
    """Left: σ_i(W) and |λ_i(W)| against the lines 1/γ. Middle, right: the gains ‖∂h_T/∂h_(T−n)‖ and ηⁿ."""
    check_figure(fig)
    _check_result("result", result, GammaFate)
    sigma_max = check_params(params, ("sigma_max", "input_scale", "T"))["sigma_max"]
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.3, 1.3]})
    ax = axes[0]
    ax.plot(result.singular_values, np.ones_like(result.singular_values), "|", ms=12, color=plotting.COLORS["red"])
    ax.plot(result.eigen_moduli, np.zeros_like(result.eigen_moduli), "|", ms=12, color=plotting.COLORS["blue"])
    colors = (plotting.COLORS["orange"], plotting.COLORS["green"])
    ax.set(xlim=(0, 8.5), ylim=(-0.5, 1.5), xticks=[0, 2, 4, 6, 8], yticks=[0, 1], yticklabels=["|λ|", "σ"])
    for name, gamma, c in zip(result.names, result.gamma, colors):
        ax.plot((1 / gamma, 1 / gamma), (-0.5, 1.5), color=c, ls="--", lw=1.2)  # axvline would autoscale first
        ax.text(1 / gamma + 0.15, 0.5, f"1/γ {name}", color=c, fontsize=8, va="center")  # between the two rows
    panel_xlabel(ax, "value")
    panel_title(ax, f"σ_max = {sigma_max:.2f}")
    n = np.arange(result.norms.shape[1])
    for ax, name, gamma, c, norms, bound in zip(axes[1:], result.names, result.gamma, colors, result.norms,
                                            result.bound):
        ax.plot(n, plotting.log_safe(bound), ":", color=plotting.COLORS["red"], label="bound ηⁿ")
        ax.plot(n, plotting.log_safe(norms), color=c, label="‖∂h_T/∂h_(T−n)‖")
        lag_axes(ax, n[-1])
        panel_title(ax, f"{name}: η = {gamma * sigma_max:.2f}", loc="left")
        gain_badge(ax, norms[-1])
    axes[2].tick_params(labelleft=False)  # the same axis as the middle panel
    axes[1].legend(loc="lower left")  # one legend: both panels draw the same two lines
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.16, top=0.88, wspace=0.2)


def gamma_explorer() -> Explorer:
    """Explorer (b): tanh and sigmoid RNNs; sliders σ_max(W) (main, 0.5–8), input scale (0–3) and T (10–100)."""
    return Explorer(
        compute=gamma_fate, draw=draw_gamma_fate, main="sigma_max", frames=16, figsize=(9.0, 3.0),
        title="One matrix W (H = 16) scaled to a chosen σ_max, in a tanh and in a sigmoid RNN driven by noise: "
              "its singular values against 1/γ (left) and the gains ‖∂h_T/∂h_(T−n)‖ against the bound "
              "η^n = (γ σ_max)^n",
        sliders=[Slider("sigma_max", "σ_max(W)", 0.5, 8.0, 0.5, 2.0),
                 Slider("input_scale", "input scale", 0.0, 3.0, 0.1, 0.5),
                 Slider("T", "T (steps back)", 10, 100, 1, 60)])
