"""Chapter 12's figures and its explorer. The numbers come from ``structure`` (and ``rnnlab.trees``); these only draw.

- ``draw_trees``: small examples of the three trees, nodes at their depth.
- ``draw_depth_profiles``: every node's gain against its depth, per tree, at two weight scales, every seed.
- ``draw_graph_sensitivity``: ‖∂h_v^(K)/∂x_u‖₂ against dist(u, v) on the path, the binary tree and the barbells.
- ``draw_fixed_point``: the contraction's fixed point, measured beside its bound μ^dist.
- ``depth_explorer``: gain against depth and sensitivity against distance; the scrubber steps through the
  weight scale, the longest path's length is live.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator, NullLocator

from .. import plotting, trees
from ..plotting import COLORS
from ..widgets import Explorer, Slider
from .criteria_figures import check_figure
from .structure import explore

SCALE_COLORS = {0.5: COLORS["purple"], 2.0: COLORS["grey"], 8.0: COLORS["red"]}
GRAPH_COLORS = {"path": COLORS["blue"], "binary tree": COLORS["green"], "barbell": COLORS["red"],
                "barbell, 4 bridges": COLORS["orange"]}
GAIN_LABEL = r"gain $\Vert\partial L/\partial h_v\Vert \,/\, \Vert\partial L/\partial h_{\mathrm{root}}\Vert$"
SENS_LABEL = r"$\Vert\partial h_v^{(K)}/\partial x_u\Vert_2$"
TITLE = "Gain against depth in a recursive net, sensitivity against distance in message passing"


def _thresholds(ax) -> None:
    for level in (plotting.VANISHED_BELOW, plotting.EXPLODED_ABOVE):
        ax.axhline(level, color=COLORS["grey"], lw=0.8, ls="--")


def draw_trees(fig, examples: dict) -> None:
    """One panel per Tree of ``examples`` (name -> Tree): leaves left to right at the bottom, each internal node
    above the middle of its children, one row per depth, the root on top."""
    check_figure(fig)
    axes = np.atleast_1d(fig.subplots(1, len(examples)))
    for ax, (name, tree) in zip(axes, examples.items()):
        depth, pos = trees.depths(tree), np.zeros(tree.n)
        pos[:tree.n_leaves] = np.arange(tree.n_leaves)
        for j, (left, right) in enumerate(tree.children):
            pos[tree.n_leaves + j] = (pos[left] + pos[right]) / 2
            for c in (left, right):
                ax.plot([pos[tree.n_leaves + j], pos[c]], [-depth[tree.n_leaves + j], -depth[c]],
                        color=COLORS["grey"], lw=1)
        ax.plot(pos[:tree.n_leaves], -depth[:tree.n_leaves], "o", color=COLORS["blue"], ms=4)
        ax.plot(pos[tree.n_leaves:], -depth[tree.n_leaves:], "o", color=COLORS["orange"], ms=4)
        ax.set(title=f"{name}: depth {depth.max()}", xticks=[], yticks=[])
        ax.grid(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.04, top=0.86, wspace=0.1)


def draw_depth_profiles(fig, profiles: dict) -> None:
    """One panel per tree: every node's gain g(v) against its depth, one colour per weight scale β, every seed
    (``structure.depth_profiles``), with the book's thresholds 10^±6 dashed."""
    check_figure(fig)
    names = list(dict.fromkeys(name for name, _ in profiles))
    axes = fig.subplots(1, len(names), sharey=True)
    for ax, name in zip(axes, names):
        for (tree_name, scale), per_seed in profiles.items():
            if tree_name != name:
                continue
            for i, p in enumerate(per_seed):
                ax.semilogy(p["depth"], plotting.log_safe(p["gain"]), ".", ms=3, alpha=0.5,
                            color=SCALE_COLORS.get(scale, COLORS["blue"]),
                            label=f"β = {scale:g}" if i == 0 else None)
        _thresholds(ax)
        ax.set(title=name, xlabel="depth of the node", ylim=(1e-35, 1e14))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # depths are whole numbers
    axes[0].set_ylabel(GAIN_LABEL)
    axes[0].legend(loc="lower left", fontsize=8, markerscale=3)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.08)


def draw_graph_sensitivity(fig, results: dict) -> None:
    """Left: path and binary tree; right: the barbell with one bridge and with four. Each line is one seed's mean
    ‖∂h_v^(K)/∂x_u‖₂ over the nodes u at each distance (``results``: set-up name -> [by-distance arrays])."""
    check_figure(fig)
    left, right = fig.subplots(1, 2)
    for name, rows in results.items():
        ax = right if name.startswith("barbell") else left
        for i, row in enumerate(rows):
            ax.semilogy(np.arange(len(row)), row, "o-", ms=3, lw=1, color=GRAPH_COLORS[name],
                        label=name if i == 0 else None)
    left.set(xlabel="distance dist(u, v)", ylabel=SENS_LABEL, title="path of 9, binary tree of depth 4 (K = 8)")
    right.set(xlabel="distance dist(u, v)", title="barbell, two cliques of 6 (K = 4)", xticks=[0, 1, 2, 3])
    for ax in (left, right):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="lower left")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.25)


def draw_fixed_point(fig, results: dict) -> None:
    """Per graph: the fixed point's ‖∂h*_v/∂x_u‖₂ against dist(u, v) (dots, every seed and node) and the bound
    σ_max(W_xh) μ^dist / (1 − μ) (line); ``results``: (name, μ) -> [structure.fixed_point_sensitivity(...)]."""
    check_figure(fig)
    mus = sorted({mu for _, mu in results})
    axes = np.atleast_1d(fig.subplots(1, len(mus), sharey=True))
    for ax, mu in zip(axes, mus):
        for (name, m), per_seed in results.items():
            if m != mu:
                continue
            for i, r in enumerate(per_seed):
                ax.semilogy(r["dist"], r["sens"], ".", ms=3, alpha=0.5, color=GRAPH_COLORS[name],
                            label=name if i == 0 else None)
                order = np.argsort(r["dist"])
                ax.semilogy(r["dist"][order], r["bound"][order], "-", lw=0.8, color=GRAPH_COLORS[name])
        ax.set(title=f"μ = {mu:g}: measured (dots), bound (lines)", xlabel="distance dist(u, v)")
    axes[0].set_ylabel(r"$\Vert\partial h^*_v/\partial x_u\Vert_2$")
    axes[0].legend(fontsize=8, loc="lower left", markerscale=3)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.08)


def draw_explorer(fig, result: dict, params: dict) -> None:
    """Left: every node's gain against its depth in the left chain and a random tree with as many leaves. Right:
    the sensitivity of a path's end node to every node, against distance. Each panel labels its farthest point's
    fate above it; the right panel also labels the end node's own input (distance 0) inside, top right."""
    check_figure(fig)
    left, right = fig.subplots(1, 2)
    for name, color in (("chain", COLORS["blue"]), ("random", COLORS["orange"])):
        r = result[name]
        left.semilogy(r["depth"], plotting.log_safe(r["gain"], floor=1e-40), "o", ms=3, color=color,
                      label="left chain (an RNN)" if name == "chain" else "random tree, same leaves")
    right.semilogy(np.arange(len(result["sens"])), plotting.log_safe(result["sens"], floor=1e-40), "o-", ms=3, lw=1,
                   color=COLORS["green"])
    for ax in (left, right):
        _thresholds(ax)
        ax.set(ylim=(1e-42, 1e20), xlim=(-1, result["depth"] + 1))
        # plain-text tick labels: the log axis's default 10^k labels are mathtext, a tenth of a redraw
        ax.set_yticks(10.0 ** np.arange(-40, 21, 20), labels=["10⁻⁴⁰", "10⁻²⁰", "1", "10²⁰"])
        ax.yaxis.set_minor_locator(NullLocator())  # 62 decades of minor ticks cost most of a redraw
    # plain-text labels: mathtext would cost a tenth of a redraw
    left.set(xlabel="depth of the node (recursive net)", ylabel="gain ‖∂L/∂h_v‖ / ‖∂L/∂h_root‖")
    right.set(xlabel=f"distance from v (path, K = {result['depth']} layers)", ylabel="‖∂h_v/∂x_u‖ after K layers")
    left.legend(loc="lower left", fontsize=8)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.88, wspace=0.35)
    plotting.annotate_status(left, result["tree_status"],
                             f"β = {result['scale']:.3g}, deepest leaf {result['chain']['gain'][0]:.0e}", above=True)
    plotting.annotate_status(right, result["graph_status"], f"farthest node {result['sens'][-1]:.0e}", above=True)
    plotting.annotate_status(right, result["own_status"], f"own input {result['sens'][0]:.0e}")


def depth_explorer() -> Explorer:
    """Sliders: log₂ of the weight scale β (main, −2 … 3, β from 1/4 to 8) and the longest path's length (live,
    50 by default, so that the static page's frames show the chain's fates)."""
    sliders = [Slider("log2_scale", "log₂ β (weight scale)", -2.0, 3.0, 0.25, 0.0),
               Slider("depth", "longest path (edges)", 2, 50, 1, 50)]
    return Explorer(compute=explore, draw=draw_explorer, sliders=sliders, main="log2_scale", frames=21,
                    figsize=(7.5, 3.4), title=TITLE)
