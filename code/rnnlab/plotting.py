"""The book's figure style, applied explicitly (importing rnnlab never restyles matplotlib).

Use ``with plotting.style(): ...`` around a figure, or let :class:`rnnlab.widgets.Explorer` do it.
Helpers here only draw; every number they draw comes from a tested compute function.
"""
from __future__ import annotations

import contextlib

import matplotlib as mpl
import numpy as np

# One palette for the whole book (colour-blind safe, Okabe–Ito).
COLORS = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "red": "#D55E00",
    "purple": "#CC79A7", "sky": "#56B4E9", "yellow": "#F0E442", "grey": "#7F7F7F",
}
# What each status looks like when annotated on a figure.
STATUS_COLORS = {"exploded": COLORS["red"], "vanished": COLORS["purple"], "ok": COLORS["green"]}

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

VANISHED_BELOW = 1e-6  # a gradient factor below this is reported as vanished
EXPLODED_ABOVE = 1e6   # above this (or inf/NaN) as exploded


@contextlib.contextmanager
def style():
    """Context manager applying the book's matplotlib style."""
    with mpl.rc_context(STYLE):
        yield


def classify(value, vanished_below: float = VANISHED_BELOW, exploded_above: float = EXPLODED_ABOVE) -> str:
    """Return ``"exploded"`` (non-finite or > ``exploded_above``), ``"vanished"`` (< ``vanished_below``) or ``"ok"``.

    ``value`` is a non-negative magnitude, e.g. a gradient norm at the end of a sequence.
    """
    value = float(value)
    if not np.isfinite(value) or value > exploded_above:
        return "exploded"
    if value < vanished_below:
        return "vanished"
    return "ok"


def annotate_status(ax, status: str, detail: str = "") -> None:
    """Write a boxed status label ("exploded", "vanished", …) in the top-right corner of ``ax``."""
    color = STATUS_COLORS.get(status, COLORS["grey"])
    text = status if not detail else f"{status}: {detail}"
    ax.text(0.98, 0.95, text, transform=ax.transAxes, ha="right", va="top", fontsize=9, color="white",
            fontweight="bold", bbox={"boxstyle": "round,pad=0.3", "facecolor": color, "edgecolor": "none"})


def log_safe(values, floor: float = 1e-200, ceil: float = 1e200) -> np.ndarray:
    """Values made drawable on a log axis: non-positive → ``floor``, inf/NaN/overflow → ``ceil``."""
    v = np.asarray(values, dtype=np.float64).copy()
    v[~np.isfinite(v)] = ceil
    return np.clip(v, floor, ceil)
