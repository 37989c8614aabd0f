"""One plotting call for gradient flow: ‖∂L/∂h_t‖ over t on a log axis with the book's fate, σ_max(J_t) beside it.

The fate is the book's one vocabulary (``plotting.classify``) applied to one gain, :func:`flow_gain`: the
gradient at the first step relative to the last, ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ (or to the last step the loss reaches).
The profiles come from ``rnnlab.flow.gradient_norms`` and ``rnnlab.flow_spectrum``; this module only draws them.
"""
from __future__ import annotations

import numpy as np

from . import plotting
from ._validate import as_array


def flow_gain(norms) -> float:
    """The gain the book classifies for a profile ‖∂L/∂h_t‖, t = 1..T: ‖∂L/∂h_1‖ / ‖∂L/∂h_τ‖.

    τ is the last step with a non-zero gradient: T when the loss reads h_T (then the gain is ‖∂L/∂h_1‖ /
    ‖∂L/∂h_T‖), earlier when no later state reaches the loss (a tagger's loss at one position, a causal model
    read before its last step, where ∂L/∂h_t = 0 for t > τ). How many times larger the gradient is at the first
    step than where it enters, after travelling back τ − 1 steps. Meaningful as the gain of Chapter 4 when the
    loss reads one step only; a loss at every step adds fresh gradient along the way, which can hide a vanished
    path (see the appendix page).
    """
    norms = as_array("norms", norms, ndim=1, finite=False)
    if norms.size < 2 or np.any(norms < 0) or np.any(np.isnan(norms)):
        raise ValueError(f"norms must be a profile of ≥ 2 non-negative norms ‖∂L/∂h_t‖; got {norms}")
    reached = np.flatnonzero(norms)  # the steps whose gradient is not 0
    if reached.size == 0:
        raise ValueError("norms must not all be 0: the loss reaches none of these states, so there is no gradient "
                         "to compare")
    with np.errstate(over="ignore"):
        return float(norms[0] / norms[reached[-1]])


def _as_curves(name, value, ndims):
    """A dict label -> float64 array from one array or a dict of them."""
    curves = value if isinstance(value, dict) else {"": value}
    if not curves:
        raise ValueError(f"{name} must be an array or a non-empty dict of arrays")
    out = {}
    for label, v in curves.items():
        arr = as_array(f"{name}[{label!r}]" if label else name, v, finite=False)
        if arr.ndim not in ndims or arr.shape[-1] < 2:
            raise ValueError(f"{name} must have shape (T,) (or (N, T)) with T ≥ 2; got {arr.shape}")
        out[str(label)] = arr
    return out


def plot_gradient_flow(norms, sigma=None, fig=None, title: str = ""):
    """Draw ‖∂L/∂h_t‖ over t on a log axis with its fate, and optionally σ_max(J_t) over t beside it.

    Parameters
    ----------
    norms : array (T,), or dict label -> (T,)
        Profiles from ``flow.gradient_norms`` (e.g. {"layer 1": …, "layer 2": …}). Each curve's fate,
        ``plotting.classify(flow_gain(norms))``, is written in its legend (one curve: in a status box).
    sigma : array (T,) or (N, T), or dict of them, or None
        σ_max(J_t) from ``flow_spectrum``; (N, T) draws the batch mean and its min–max band.
    fig : matplotlib Figure or None
        Drawn into (cleared first); None makes a new ``matplotlib.figure.Figure``.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    curves = _as_curves("norms", norms, (1,))
    sigmas = None if sigma is None else _as_curves("sigma", sigma, (1, 2))
    if fig is None:
        fig = Figure(figsize=(9.0 if sigmas else 5.0, 3.2))
    if not isinstance(fig, Figure) or not isinstance(title, str):
        raise ValueError(f"fig must be a matplotlib Figure (or None) and title text; got {type(fig).__name__}, "
                         f"{title!r}")
    with plotting.style():
        fig.clear()
        axes = fig.subplots(1, 2 if sigmas else 1, squeeze=False)[0]
        ax = axes[0]
        for label, v in curves.items():
            fate = plotting.classify(flow_gain(v))
            fate = plotting.STATUS_LABELS.get(fate, fate)  # as a figure writes it
            t = np.arange(1, v.size + 1)
            ax.semilogy(t, plotting.log_safe(v), label=f"{label}: {fate}" if len(curves) > 1 else label or None)
        if len(curves) == 1:
            gain = flow_gain(next(iter(curves.values())))
            plotting.annotate_status(ax, plotting.classify(gain), f"gain {gain:.0e}", above=True)
        ax.set(xlabel="step t", ylabel="‖∂L/∂h_t‖", title=title)
        if len(curves) > 1:
            ax.legend()
        if sigmas:
            ax = axes[1]
            for label, v in sigmas.items():
                t = np.arange(1, v.shape[-1] + 1)
                line = ax.plot(t, v if v.ndim == 1 else v.mean(axis=0), label=label or None)[0]
                if v.ndim == 2:
                    ax.fill_between(t, v.min(axis=0), v.max(axis=0), color=line.get_color(), alpha=0.2)
            ax.axhline(1.0, color=plotting.COLORS["grey"], lw=1, ls="--")
            ax.set(xlabel="step t", ylabel="σ_max(J_t)", title="largest singular value of J_t")
            if len(sigmas) > 1:
                ax.legend()
        fig.tight_layout()
    return fig
