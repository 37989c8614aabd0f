"""The book's figure style, applied explicitly (importing rnnlab never restyles matplotlib).

Use ``with plotting.style(): ...`` around a figure, or let :class:`rnnlab.widgets.Explorer` do it.
Helpers here only draw; every number they draw comes from a tested compute function.
"""
from __future__ import annotations

import contextlib

import matplotlib as mpl
import numpy as np

from ._validate import as_array, check_float, check_positive

# One palette for the whole book (colour-blind safe, Okabe–Ito).
COLORS = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "red": "#D55E00",
    "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "grey": "#7F7F7F",
}
# The book's one vocabulary for what happened to a gradient over a lag (book/notation.md, "Fate of a gradient").
# Its argument is always a gain: how many times larger a gradient — or one BPTT contribution — is after n steps
# back than where it started (‖∂h_t/∂h_{t-n}‖, |∂h_T/∂x_1|, or the oldest BPTT term relative to the newest).
VANISHED_BELOW = 1e-6  # a gain below this has vanished
EXPLODED_ABOVE = 1e6   # above this (or inf/NaN) it has exploded
VANISHED, WITHIN, EXPLODED = "vanished", "within 10^±6", "exploded"
# "within 10^±6" says only that the gain stayed inside a million-fold change either way — not that it is
# healthy: 1e-5 over 100 steps still hides a long-range dependency from gradient descent.
STATUS_COLORS = {EXPLODED: COLORS["red"], VANISHED: COLORS["purple"], WITHIN: COLORS["grey"]}
STATUS_LABELS = {WITHIN: "within 10$^{\\pm 6}$"}  # how a status is written on a figure (mathtext)

STYLE = {
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.8,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "axes.prop_cycle": mpl.cycler(color=list(COLORS.values())),
    "svg.hashsalt": "rnnlab",  # deterministic SVG ids
}


@contextlib.contextmanager
def style():
    """Context manager applying the book's matplotlib style."""
    with mpl.rc_context(STYLE):
        yield


def classify(gain, vanished_below: float = VANISHED_BELOW, exploded_above: float = EXPLODED_ABOVE) -> str:
    """The fate of a gradient with this ``gain``: ``EXPLODED`` ("exploded": non-finite or > ``exploded_above``),
    ``VANISHED`` ("vanished": < ``vanished_below``) or ``WITHIN`` ("within 10^±6").

    ``gain`` is a non-negative magnitude relative to where the gradient started (see the module constants),
    e.g. ‖∂h_T/∂h_0‖, or the oldest BPTT contribution divided by the newest. NaN and inf count as exploded.
    """
    gain = check_float("gain", gain, low=0.0, finite=False)  # a magnitude: NaN and inf allowed, not < 0
    vanished_below, exploded_above = _check_bounds("vanished_below", vanished_below, "exploded_above", exploded_above)
    if not np.isfinite(gain) or gain > exploded_above:
        return EXPLODED
    if gain < vanished_below:
        return VANISHED
    return WITHIN


def annotate_status(ax, status: str, detail: str = "", above: bool = False) -> None:
    """Write a boxed status label ("exploded", "vanished", …) in the top-right corner of ``ax`` — inside it, or
    ``above=True`` just above it, where it can never cover the data."""
    from matplotlib.axes import Axes  # here, so that importing plotting stays light

    if not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes, e.g. from fig.subplots(); got {type(ax).__name__}")
    for name, value in (("status", status), ("detail", detail)):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text, e.g. plotting.classify(gain); got {value!r}")
    color = STATUS_COLORS.get(status, COLORS["grey"])
    label = STATUS_LABELS.get(status, status)
    text = label if not detail else f"{label}: {detail}"
    x, y, va, pad = (1.0, 1.03, "bottom", 0.25) if above else (0.98, 0.95, "top", 0.3)
    ax.text(x, y, text, transform=ax.transAxes, ha="right", va=va, fontsize=9, color="white",
            fontweight="bold", bbox={"boxstyle": f"round,pad={pad}", "facecolor": color, "edgecolor": "none"})


def log_safe(values, floor: float = 1e-200, ceil: float = 1e200) -> np.ndarray:
    """Values made drawable on a log axis: non-positive → ``floor``, inf/NaN/overflow → ``ceil``."""
    floor, ceil = _check_bounds("floor", floor, "ceil", ceil)
    v = as_array("values", values, finite=False).copy()
    v[~np.isfinite(v)] = ceil
    return np.clip(v, floor, ceil)


def _check_bounds(low_name, low, high_name, high) -> tuple[float, float]:
    """Two positive thresholds with ``low ≤ high``, as floats."""
    low, high = check_positive(low_name, low), check_positive(high_name, high)
    if low > high:
        raise ValueError(f"{low_name} must be at most {high_name}; got {low} and {high}")
    return low, high
