"""Chapter 7: static diagrams of the LSTM cell, the GRU cell and the LSTM's gradient paths (eq-lstm-dcdc).

Each diagram uses the chapter's symbols — x_t, h_{t-1}, c_{t-1}, the gates i_t, f_t, o_t and the candidate c̃_t
(LSTM) and r_t, z_t, the candidate n_t (GRU), the new state c_t, h_t — in PyTorch's formulation (``rnnlab.lstm``,
``rnnlab.gru``).
A box is a layer: σ or tanh of ``W_i· x_t + b_i· + W_h· h_{t-1} + b_h·`` for its gate; a circle is an
elementwise operation (⊙, +, 1 − ·). The path a gradient takes without meeting a weight matrix is drawn thick:
the LSTM's cell path c_{t-1} → c_t (factor diag(f_t)) and the GRU's direct path h_{t-1} → h_t (diag(z_t)).

``LSTM_LABELS``, ``GRU_LABELS`` and ``PATH_LABELS`` list the symbols each figure must show (the tests check them).
The functions only draw; the numbers behind the chapter's claims come from ``gates`` and ``lstm_jacobian``.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from .. import plotting

LSTM_LABELS = ("$x_t$", "$h_{t-1}$", "$c_{t-1}$", "$i_t$", "$f_t$", r"$\tilde c_t$", "$o_t$", "$c_t$", "$h_t$")
GRU_LABELS = ("$x_t$", "$h_{t-1}$", "$r_t$", "$z_t$", "$1-z_t$", "$n_t$", "$h_t$")
SYMBOL = {"f": "f", "i": "i", "g": r"\tilde c"}  # gate block (PyTorch's label) -> its symbol
PATH_LABELS = ("$c_{t-1}$", "$h_{t-1}$", "$f_t$", "$i_t$", r"$\tilde c_t$", "$c_t$", r"$\mathrm{diag}(f_t)$")
SIZE = (7.5, 3.3)  # inches: about 700 px wide on the website, fonts of 11–12 pt stay legible

CARRY = plotting.COLORS["red"]    # the path without a weight matrix
ROUTE = plotting.COLORS["blue"]   # paths through a gate layer (a weight matrix)
INK = "#333333"
FONT = 12


def _canvas(fig, xlim, ylim):
    """One axis without frame on ``fig`` (a new Figure of ``SIZE`` if None), equal scales."""
    if fig is None:
        fig = Figure(figsize=SIZE)
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure (e.g. plt.figure(figsize=(7.5, 3.3))) or None; got "
                         f"{type(fig).__name__}")
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.axis("off")
    return fig, ax


def _box(ax, x, y, text, color=ROUTE, w=0.95, h=0.6, back=False):
    """A layer: a rounded box centred at (x, y) with its activation written in it (``back``: the cell's frame)."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                fc="#F6F6F6" if back else "white", ec=color, lw=1.6, zorder=0 if back else 3))
    ax.text(x, y, text, ha="center", va="center", fontsize=FONT - 1, color=color, zorder=4)


def _op(ax, x, y, symbol, color=INK, r=0.24):
    """An elementwise operation: a circle at (x, y) holding ``symbol``."""
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), r, fc="white", ec=color, lw=1.4, zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=FONT, color=color, zorder=4)


def _arrow(ax, points, color=INK, lw=1.5):
    """A polyline through ``points`` with an arrowhead at the last one."""
    xs, ys = zip(*points)
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, solid_capstyle="butt", zorder=2)
    ax.annotate("", xy=points[-1], xytext=points[-2], zorder=2,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, shrinkA=0, shrinkB=0, mutation_scale=14))


def _text(ax, x, y, text, color=INK, size=FONT, **kw):
    ax.text(x, y, text, color=color, fontsize=size, zorder=5, **kw)


def _line(ax, points, color=INK, lw=1.5):
    """A polyline without an arrowhead (a bus that several arrows leave)."""
    xs, ys = zip(*points)
    ax.plot(xs, ys, color=color, lw=lw, solid_capstyle="butt", zorder=2)


def _carry_canvas(fig, cx: float, width: float, ends: tuple, x_add: float, note: str):
    """A cell's canvas, its box (centre ``cx``, ``width``) and its carry line along the top: the state in and out
    (``ends``), ⊙ at x = 3 and + at ``x_add``, with ``note`` above it. Returns (fig, ax)."""
    fig, ax = _canvas(fig, (-0.2, 12.2), (-0.75, 5.1))
    _box(ax, cx, 2.15, "", color="#BBBBBB", w=width, h=4.5, back=True)  # the cell
    _arrow(ax, [(0.6, 4.0), (2.76, 4.0)], CARRY, lw=3)
    _arrow(ax, [(3.24, 4.0), (x_add - 0.24, 4.0)], CARRY, lw=3)
    _arrow(ax, [(x_add + 0.24, 4.0), (11.4, 4.0)], CARRY, lw=3)
    _text(ax, 0.0, 4.15, ends[0], CARRY, ha="left", va="bottom")
    _text(ax, 11.5, 4.0, ends[1], CARRY, ha="left", va="center")
    _text(ax, cx, 4.5, note, CARRY, size=FONT - 2, ha="center", va="bottom")
    _op(ax, 3.0, 4.0, r"$\odot$", CARRY)
    _op(ax, x_add, 4.0, "$+$", CARRY)
    return fig, ax


def draw_lstm(fig=None) -> Figure:
    """The LSTM cell of eqs. eq-lstm-gates and eq-lstm-state; returns the figure (a new one if ``fig`` is None)."""
    fig, ax = _carry_canvas(fig, 6.0, 9.0, ("$c_{t-1}$", "$c_t$"), 6.0, r"cell path: $\partial c_t/\partial c_{t-1} = "
                            r"\mathrm{diag}(f_t)$ with the gates held fixed")
    # the cell path c_{t-1} → ⊙ f_t → + i_t ⊙ c̃_t → c_t is the only route with no weight matrix
    # inputs: h_{t-1} from the left, x_t from below, one bus feeding every gate layer
    _line(ax, [(0.6, 0.9), (7.6, 0.9)])
    _text(ax, 0.0, 1.05, "$h_{t-1}$", ha="left", va="bottom")
    _arrow(ax, [(2.0, -0.35), (2.0, 0.9)])
    _text(ax, 2.0, -0.4, "$x_t$", ha="center", va="top")
    gates = ((3.0, r"$\sigma$", "forget"), (4.5, r"$\sigma$", "input"), (6.0, "tanh", "cell input"),
             (7.6, r"$\sigma$", "output"))
    for x, act, word in gates:
        _arrow(ax, [(x, 0.9), (x, 1.9)])
        _box(ax, x, 2.2, act)
        _text(ax, x, 0.75, word, ROUTE, size=FONT - 3, ha="center", va="top")
    _arrow(ax, [(3.0, 2.5), (3.0, 3.76)], ROUTE)  # f_t into the first ⊙
    _text(ax, 3.12, 3.15, "$f_t$", ROUTE, ha="left", va="center")
    _arrow(ax, [(4.5, 2.5), (4.5, 3.2), (5.76, 3.2)], ROUTE)  # i_t and c̃_t meet
    _text(ax, 4.62, 3.3, "$i_t$", ROUTE, ha="left", va="bottom")
    _arrow(ax, [(6.0, 2.5), (6.0, 2.96)], ROUTE)
    _text(ax, 6.12, 2.68, r"$\tilde c_t$", ROUTE, ha="left", va="center")
    _op(ax, 6.0, 3.2, r"$\odot$")
    _arrow(ax, [(6.0, 3.44), (6.0, 3.76)])
    # the output: h_t = o_t ⊙ tanh(c_t)
    _arrow(ax, [(9.2, 4.0), (9.2, 3.45)])
    _box(ax, 9.2, 3.2, "tanh", INK, w=0.95, h=0.5)
    _arrow(ax, [(9.2, 2.95), (9.2, 2.44)])
    _op(ax, 9.2, 2.2, r"$\odot$")
    _arrow(ax, [(8.08, 2.2), (8.96, 2.2)], ROUTE)
    _text(ax, 8.5, 2.3, "$o_t$", ROUTE, ha="center", va="bottom")
    _arrow(ax, [(9.2, 1.96), (9.2, 1.3), (11.4, 1.3)])
    _text(ax, 11.5, 1.3, "$h_t$", ha="left", va="center")
    return fig


def draw_gru(fig=None) -> Figure:
    """The GRU cell of eq. eq-gru (PyTorch: r_t acts after W_hn); returns the figure (a new one if None)."""
    fig, ax = _carry_canvas(fig, 5.9, 8.8, ("$h_{t-1}$", "$h_t$"), 7.4,
                            r"direct path: the term $\mathrm{diag}(z_t)$ of $\partial h_t/\partial h_{t-1}$")
    # the direct path h_{t-1} → ⊙ z_t → + (1 − z_t) ⊙ n_t → h_t
    # h_{t-1} also feeds the gate layers, with x_t from below
    _line(ax, [(1.0, 4.0), (1.0, 0.9), (7.4, 0.9)])
    _arrow(ax, [(1.8, -0.35), (1.8, 0.9)])
    _text(ax, 1.8, -0.4, "$x_t$", ha="center", va="top")
    for x, word in ((3.0, "update"), (4.9, "reset")):
        _arrow(ax, [(x, 0.9), (x, 1.9)])
        _box(ax, x, 2.2, r"$\sigma$")
        _text(ax, x, 0.75, word, ROUTE, size=FONT - 3, ha="center", va="top")
    _text(ax, 7.4, 0.75, "candidate", ROUTE, size=FONT - 3, ha="center", va="top")
    _arrow(ax, [(3.0, 2.5), (3.0, 3.76)], ROUTE)  # z_t keeps the old state
    _text(ax, 3.12, 3.5, "$z_t$", ROUTE, ha="left", va="center")
    _arrow(ax, [(3.0, 3.2), (3.92, 3.2)], ROUTE)  # and 1 − z_t writes the candidate
    _op(ax, 4.2, 3.2, r"$1{-}$", ROUTE, r=0.28)
    _arrow(ax, [(4.48, 3.2), (7.16, 3.2)], ROUTE)
    _text(ax, 5.6, 3.3, "$1-z_t$", ROUTE, ha="center", va="bottom")
    # reset after the matrix: r_t ⊙ (W_hn h_{t-1} + b_hn), then the candidate n_t = tanh(W_in x_t + b_in + …)
    _arrow(ax, [(5.37, 2.2), (5.96, 2.2)], ROUTE)
    _text(ax, 5.6, 2.3, "$r_t$", ROUTE, ha="center", va="bottom")
    _op(ax, 6.2, 2.2, r"$\odot$")
    _arrow(ax, [(6.2, 0.9), (6.2, 1.96)])
    _text(ax, 6.3, 1.4, r"$W_{hn}h_{t-1}+b_{hn}$", size=FONT - 3, ha="left", va="center")
    _arrow(ax, [(6.44, 2.2), (6.92, 2.2)])
    _box(ax, 7.4, 2.2, "tanh", w=0.95)
    _arrow(ax, [(7.4, 0.9), (7.4, 1.9)])
    _arrow(ax, [(7.4, 2.5), (7.4, 2.96)], ROUTE)
    _text(ax, 7.52, 2.7, "$n_t$", ROUTE, ha="left", va="center")
    _op(ax, 7.4, 3.2, r"$\odot$")
    _arrow(ax, [(7.4, 3.44), (7.4, 3.76)])
    return fig


def draw_cell_path(fig=None) -> Figure:
    """The paths from c_{t-1} to c_t in eq-lstm-dcdc: diag(f_t) directly (thick), and the three routes of A_t
    through h_{t-1}, the gates f_t, i_t and the candidate c̃_t (layers with W_hf, W_hi, W_hg); returns the figure."""
    fig, ax = _canvas(fig, (-0.3, 12.3), (-0.7, 4.7))
    c_prev, c, h_prev = (0.8, 3.7), (11.2, 3.7), (2.6, 1.3)
    gates = {"f": ((6.6, 2.4), r"$\mathrm{diag}(c_{t-1})$"), "i": ((6.6, 1.3), r"$\mathrm{diag}(\tilde c_t)$"),
             "g": ((6.6, 0.2), r"$\mathrm{diag}(i_t)$")}
    r = 0.38
    _arrow(ax, [(c_prev[0] + r, 3.7), (c[0] - r, 3.7)], CARRY, lw=3)
    _text(ax, 6.0, 3.85, r"$\mathrm{diag}(f_t)$", CARRY, ha="center", va="bottom")
    _text(ax, 6.0, 4.4, "the cell path: no weight matrix", CARRY, size=FONT - 2, ha="center", va="bottom")
    _arrow(ax, [(0.98, 3.37), (2.42, 1.63)])
    _text(ax, 1.95, 2.6, r"$\mathrm{diag}(o_{t-1}\odot(1-\tanh^2 c_{t-1}))$", size=FONT - 2, ha="left",
          va="center")
    for gate, ((x, y), back) in gates.items():
        start = (h_prev[0] + r * 0.95, h_prev[1] + r * 0.9 * (y - 1.3) / 1.1)
        _arrow(ax, [start, (x - r, y)], ROUTE)
        mid = ((start[0] + x - r) / 2, (start[1] + y) / 2)
        below = gate == "g"
        _text(ax, mid[0], mid[1] + (-0.12 if below else 0.1), rf"$\partial {SYMBOL[gate]}_t/\partial h_{{t-1}}$", ROUTE,
              size=FONT - 2, ha="center", va="top" if below else "bottom")
        dx, dy = c[0] - x, c[1] - y
        norm = (dx ** 2 + dy ** 2) ** 0.5
        _arrow(ax, [(x + r * dx / norm, y + r * dy / norm), (c[0] - r * dx / norm, c[1] - r * dy / norm)], ROUTE)
        _text(ax, x + 0.42 * dx, y + 0.42 * dy, back, ROUTE, size=FONT - 2, ha="center", va="center",
              bbox=dict(fc="white", ec="none", pad=0.6))
    for (x, y), text, color in [(c_prev, "$c_{t-1}$", CARRY), (c, "$c_t$", CARRY), (h_prev, "$h_{t-1}$", INK)] + \
            [(xy, f"${SYMBOL[g]}_t$", ROUTE) for g, (xy, _) in gates.items()]:
        _op(ax, x, y, text, color, r=r)
    _text(ax, 0.0, -0.5, r"blue: the three routes of $A_t$, each through a weight matrix ($W_{hf}$, $W_{hi}$, "
          r"$W_{hg}$ inside the $\partial\,\cdot/\partial h_{t-1}$)", ROUTE, size=FONT - 3, ha="left", va="center")
    return fig
