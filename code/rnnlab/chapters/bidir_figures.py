"""Chapter 9 figures and explorer: what a tagger can see from the blank, and sensitivity against distance.

They only draw what ``bidir`` computed. The explorer trains nothing in a redraw: it reads the per-position
accuracies of the seed-0 runs (``bidir.accuracies(0)``, trained once and cached) and ``blanks.best_accuracy``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import blanks, plotting
from .._validate import check_int
from ..widgets import Explorer, Slider
from .bidir import SETUP, VIEW, accuracies
from .criteria_figures import check_figure, check_params, panel_title, panel_xlabel

COLOR = {"causal": plotting.COLORS["blue"], "bidirectional": plotting.COLORS["green"],
         "reversed": plotting.COLORS["orange"]}
PROFILE_COLOR = {"tanh RNN": plotting.COLORS["blue"], "LSTM": plotting.COLORS["red"],
                 "attention": plotting.COLORS["green"], "causal attention": plotting.COLORS["purple"]}
SAMPLE_SEED = 0  # the runs the explorer shows (one sample)


class View(NamedTuple):
    """What the explorer draws for one blank position and one mask."""

    p: int  # blank position, 1..T
    model: str  # "causal" or "bidirectional"
    tokens: np.ndarray  # (T,) a sample sequence (seed 0); tokens[p − 1] is the hidden one
    target: int  # its answer y at the blank, eq-blank
    visible: np.ndarray  # (T,) bool: positions whose token the model's output at p reads
    accuracy: dict  # {model: (T,) measured accuracy with the blank at 1..T, seed-0 runs}
    ceiling: np.ndarray  # (T,) best_accuracy of the selected model's view at each position


def view(position: int, bidirectional: int) -> View:
    """The explorer's numbers for the blank at ``position`` and the mask (0 causal, 1 bidirectional)."""
    s = SETUP
    p = check_int("position", position, low=1, high=s.T)
    model = "bidirectional" if check_int("bidirectional", bidirectional, low=0, high=1) else "causal"
    batch = blanks.fill_blank(1, s.T, np.random.default_rng(SAMPLE_SEED), s.C, position=p)
    tokens = np.random.default_rng(SAMPLE_SEED).integers(0, s.C, size=s.T)  # fill_blank's first draw: the same
    visible = np.arange(1, s.T + 1) < p if model == "causal" else np.arange(1, s.T + 1) != p
    ceiling = np.array([blanks.best_accuracy(s.C, s.T, q, VIEW[model]) for q in range(1, s.T + 1)])
    acc = accuracies(SAMPLE_SEED)
    return View(p, model, tokens, int(batch.y[0]), visible, {m: acc[m] for m in ("causal", "bidirectional")},
                ceiling)


def _edge_note(p: int, T: int) -> str:
    if p == 1:
        return "p = 1: nothing before the blank (x_0 = 0); y = x_2 lies in the future"
    if p == T:
        return f"p = T = {T}: nothing after the blank (x_{T + 1} = 0); y = x_{T - 1} is in the past"
    return ""


def draw_view(fig, v: View, params: dict) -> None:
    """Top: the sample sequence, the blank and what the output at p can read. Bottom: accuracy per position."""
    check_figure(fig)
    check_params(params, ("position", "bidirectional"))
    if not isinstance(v, View):
        raise ValueError(f"v must be a bidir_figures.View from view(); got {type(v).__name__}")
    T, C = len(v.tokens), SETUP.C
    ax_s, ax_a = fig.subplots(2, 1, height_ratios=(1, 2.2))
    for q in range(1, T + 1):
        blank = q == v.p
        face = "white" if blank else (COLOR[v.model] if v.visible[q - 1] else plotting.COLORS["grey"])
        ax_s.add_patch(_box(q, face, 0.35 if not blank and v.visible[q - 1] else 0.12, blank))
        ax_s.text(q, 0.5, "?" if blank else str(v.tokens[q - 1]), ha="center", va="center", fontsize=11,
                  color="black" if blank or v.visible[q - 1] else plotting.COLORS["grey"])
    for q in (v.p - 1, v.p + 1):  # the two neighbours the answer needs (x_0 and x_(T+1) are 0)
        ax_s.add_patch(_box(q, "none", 1.0, True, lw=2.2, color=plotting.COLORS["red"]))
        if q in (0, T + 1):
            ax_s.text(q, 0.5, "0", ha="center", va="center", fontsize=10, color=plotting.COLORS["red"])
    ax_s.set(xlim=(-0.6, T + 1.6), ylim=(0, 1), xticks=[], yticks=[])
    ax_s.grid(False)
    for side in ("left", "bottom"):
        ax_s.spines[side].set_visible(False)
    panel_title(ax_s, f"{v.model} tagger at p = {v.p}: reads the shaded tokens; answer "
                      f"(x_{v.p - 1} + x_{v.p + 1}) mod {C} = {v.target}", loc="left")
    q = np.arange(1, T + 1)
    for m, acc in v.accuracy.items():
        ax_a.plot(q, acc, "o-", color=COLOR[m], lw=2.4 if m == v.model else 1.0, alpha=1 if m == v.model else 0.4,
                  label=f"{m} GRU (seed {SAMPLE_SEED})")
    ax_a.step(q, v.ceiling, where="mid", color="black", ls=":", lw=1.2, label=f"best possible, {v.model}")
    ax_a.axhline(1 / C, color=plotting.COLORS["grey"], lw=0.8)
    ax_a.axvline(v.p, color=plotting.COLORS["red"], lw=1.0)
    ax_a.set(xlim=(0.5, T + 0.5), ylim=(0, 1.08), xticks=q, ylabel="accuracy at the blank")
    ax_a.legend(loc="center left", bbox_to_anchor=(0.0, 0.62), fontsize=8)
    panel_title(ax_a, f"{v.model} GRU at p = {v.p}: accuracy {v.accuracy[v.model][v.p - 1]:.2f}, best possible "
                      f"{v.ceiling[v.p - 1]:.2f}", loc="left")
    panel_xlabel(ax_a, "blank position p   (grey line: chance 1/C)")
    note = _edge_note(v.p, T)
    if note:
        ax_a.text(0.99, 0.03, note, transform=ax_a.transAxes, ha="right", va="bottom", fontsize=8,
                  bbox={"facecolor": "white", "edgecolor": plotting.COLORS["red"], "boxstyle": "round"})
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.91, hspace=0.45)


def _box(q, face, alpha, edge, lw=1.0, color="black"):
    from matplotlib.patches import Rectangle

    return Rectangle((q - 0.42, 0.1), 0.84, 0.8, facecolor=face, alpha=alpha if face != "none" else 1.0,
                     edgecolor=color if edge else "none", lw=lw)


VIEW_TITLE = ("Fill in the blank (T = 12, C = 4): the sample sequence (seed 0) with the blank at p, the tokens a "
              "causal or a bidirectional GRU tagger reads from there, and both taggers' accuracy with the blank at "
              "each position (seed-0 runs), against the best any model with that view can do")


def blank_explorer() -> Explorer:
    """Sliders: the blank position p (main, 1..T, one frame each) and the mask (0 causal, 1 bidirectional)."""
    sliders = [Slider("position", "blank position p", 1, SETUP.T, 1, 6),
               Slider("bidirectional", "mask (0 causal, 1 bidirectional)", 0, 1, 1, 0)]
    return Explorer(compute=view, draw=draw_view, sliders=sliders, main="position", frames=SETUP.T,
                    figsize=(7.5, 3.8), title=VIEW_TITLE)


def draw_weights(fig, weights: dict) -> None:
    """The attention weights A_tj of one sequence as two T × T images: unmasked (left) and causal (right).

    ``weights`` is ``bidir.attention_weights(seed)``. Row t holds output t's weights on the inputs s = 1..T
    (each row sums to 1); the causal mask leaves the upper triangle, s > t, exactly 0 (drawn white)."""
    check_figure(fig)
    if not isinstance(weights, dict) or set(weights) != {"unmasked", "causal"}:
        raise ValueError("weights must be bidir.attention_weights(seed): {'unmasked': A, 'causal': A}")
    axes = fig.subplots(1, 2)
    T = weights["unmasked"].shape[0]
    ticks = np.arange(T)
    titles = {"unmasked": "unmasked: A_tj", "causal": "causal: A_tj = 0 for j > t"}
    for ax, (name, A) in zip(axes, weights.items()):
        shown = np.ma.masked_where(A == 0, A)  # exact zeros (masked out) stay white
        image = ax.imshow(shown, cmap="Greens", vmin=0, vmax=1)
        ax.set(xticks=ticks, xticklabels=ticks + 1, yticks=ticks, yticklabels=ticks + 1,
               xlabel="input j", ylabel="output t")
        ax.grid(False)
        panel_title(ax, titles[name])
    fig.colorbar(image, ax=axes, shrink=0.8)


def draw_profiles(fig, runs: dict) -> None:
    """‖∂h_T/∂x_j‖ against the distance T − j (log scale): per model the median over seeds, band min–max.

    ``runs`` maps each seed to ``bidir.profiles(seed)``. The legend classifies the farthest over the nearest
    (plotting.classify, the seed with the smallest ratio)."""
    check_figure(fig)
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a dict {seed: bidir.profiles(seed)}")
    ax = fig.subplots()
    for name, color in PROFILE_COLOR.items():
        curves = np.array([r[name] for r in runs.values()])  # (seeds, T)
        d = np.arange(curves.shape[1])
        gain = min(c[-1] / c[0] for c in curves)
        ax.fill_between(d, plotting.log_safe(curves.min(axis=0)), plotting.log_safe(curves.max(axis=0)),
                        color=color, alpha=0.2, lw=0)
        ax.plot(d, plotting.log_safe(np.median(curves, axis=0)), color=color, ls="--" if "causal" in name else "-",
                label=f"{name}: {plotting.STATUS_LABELS.get(plotting.classify(gain), plotting.classify(gain))}")
    ax.set_yscale("log")
    ax.set(ylim=(1e-25, 1e2), xlim=(0, d[-1]), ylabel="‖∂h_T/∂x_j‖")
    ax.legend(loc="lower left", fontsize=8, ncol=2)
    panel_xlabel(ax, "distance T − j")
    fig.subplots_adjust(left=0.11, right=0.97, bottom=0.17, top=0.95)
