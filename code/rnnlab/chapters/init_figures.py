"""Chapter 6 figures and explorer: spectra at initialisation and the gain over lag, per family.

The explorer's main slider is the scale β of W_hh (torch's ``gain`` argument); the gain it plots is
‖∂h_T/∂h_(T−n)‖, the book's one meaning of the word.

The panels reuse Chapter 4's axes and badges (``criteria_figures``), so the two chapters' gain plots read alike.
"""
from __future__ import annotations

import numpy as np

from .. import init, plotting
from ..widgets import Explorer, Slider
from .criteria_figures import gain_badge, check_figure, check_params, lag_axes, panel_title, panel_xlabel
from .init_profiles import LABEL, Profile, explorer_profile

_COLOR = {"gaussian": plotting.COLORS["blue"], "orthogonal": plotting.COLORS["red"],
          "identity": plotting.COLORS["green"]}

_SHORT = {"gaussian": "Gaussian", "orthogonal": "orthogonal", "identity": "IRNN"}


def _check_profiles(profiles) -> list:
    items = list(profiles) if isinstance(profiles, (list, tuple)) else []
    if not items or not all(isinstance(p, Profile) for p in items):
        raise ValueError(f"profiles must be a non-empty list of init_profiles.Profile; got {profiles!r:.80}")
    return items


def draw_profiles(fig, profiles, ylim=(1e-15, 1e15)) -> None:
    """Left: σ_i(W_hh) (dots) and the range of σ_max(J_t) over t (bar). Right: the gain over lag, per profile."""
    check_figure(fig)
    profiles = _check_profiles(profiles)
    ax_s, ax_g = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    for k, p in enumerate(profiles):
        c = _COLOR[p.family]
        H = len(p.W_singular)
        ax_s.plot(np.full(H, k), p.W_singular, "o", ms=4, color=c, label=p.label)
        top = np.nan_to_num(p.J_singular[:, 0], posinf=1e300)  # (T,) σ_max(J_t)
        ax_s.plot((k + 0.3, k + 0.3), (top.min(), top.max()), "_-", ms=9, lw=4, color=c, alpha=0.5)
        n = np.arange(len(p.norms))
        ax_g.plot(n, plotting.log_safe(p.norms), color=c)
    ax_s.axhline(1.0, color=plotting.COLORS["grey"], lw=0.8)
    ax_s.set(xlim=(-0.5, len(profiles) - 0.2), ylim=(0, 3.5), xticks=range(len(profiles)),
             xticklabels=[_SHORT[p.family] for p in profiles])
    panel_title(ax_s, "σ_i(W_hh) •   σ_max(J_t) ▮")
    lag_axes(ax_g, len(profiles[0].norms) - 1, ylim)
    ax_g.set_ylabel("‖∂h_T/∂h_(T−n)‖")
    if len(profiles) == 1:
        gain_badge(ax_g, profiles[0].norms[-1])
        panel_title(ax_g, f"‖h_T‖ = {profiles[0].h_norm[-1]:.3g}", loc="left")
    else:
        ax_g.legend([p.label for p in profiles], loc="lower left", fontsize=8)
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.17, top=0.9, wspace=0.3)


def draw_explorer(fig, result: Profile, params: dict) -> None:
    """The explorer's frame: ``draw_profiles`` of the one profile."""
    check_params(params, ("family", "scale", "input_scale", "T"))
    draw_profiles(fig, [result])
    fig.axes[0].set_xticks([0], [LABEL[result.family]])
    fig.axes[0].set_xlim(-0.5, 0.8)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.17, top=0.88, wspace=0.25)


def init_explorer() -> Explorer:
    """Sliders: scale β (main, 0.5–1.5), family (0 Gaussian, 1 orthogonal, 2 identity), s_xh (0–3),
    T (10–200)."""
    names = ", ".join(f"{k} {f}" for k, f in enumerate(init.FAMILIES))
    return Explorer(
        compute=explorer_profile, draw=draw_explorer, main="scale", frames=21, figsize=(9.0, 3.0),
        title="One initialised RNN (H = 16) driven by an adding-problem sequence: the singular values of W_hh "
              "and the range of the largest singular value of the step Jacobians J_t (left), and the gain "
              "‖∂h_T/∂h_(T−n)‖ over the lag n (right, log scale)",
        sliders=[Slider("scale", "scale β of W_hh", 0.5, 1.5, 0.05, 1.0),
                 Slider("family", f"family ({names})", 0, 2, 1, 2),
                 Slider("input_scale", "input weights’ spread s_xh", 0.0, 3.0, 0.1, 1.0),
                 Slider("T", "T (steps back)", 10, 200, 1, 100)])
