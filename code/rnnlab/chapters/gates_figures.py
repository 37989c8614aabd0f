"""Chapter 7 figures and explorers: retention over the lag for the three cells, the gates over a pulse, and the
forget gates' time scales under three bias initialisations (cell diagrams: ``cell_diagrams``).

The gain panels reuse Chapter 4's axes and badges (``criteria_figures``), so every chapter's gain plot reads alike.
"""
from __future__ import annotations

import numpy as np

from .. import plotting
from ..widgets import Explorer, Slider
from .criteria_figures import check_figure, check_params, gain_badge, lag_axes, panel_title, panel_xlabel
from .gates import Retention, TimeScales, Traces, gate_traces, retention_all

NAME = {"rnn": "tanh RNN", "lstm": "LSTM", "gru": "GRU"}
COLOR = {"rnn": plotting.COLORS["blue"], "lstm": plotting.COLORS["red"], "gru": plotting.COLORS["green"]}
GATE_COLOR = {"i": plotting.COLORS["blue"], "f": plotting.COLORS["red"], "o": plotting.COLORS["green"],
              "z": plotting.COLORS["red"], "r": plotting.COLORS["blue"]}
NAME_GATE = {"i": "input i_t", "f": "forget f_t", "o": "output o_t", "z": "update z_t", "r": "reset r_t"}


def _check_retentions(results) -> dict:
    if not isinstance(results, dict) or not results or not all(isinstance(r, Retention) for r in results.values()):
        raise ValueError(f"results must be a dict {{cell: Retention}} from gates.retention; got {results!r:.80}")
    return results


def draw_retention(fig, results, ylim=(1e-30, 1e5)) -> None:
    """The gain of eq-gates-gain over the lag n per cell (solid), the LSTM's cell path ∏ f (dashed)."""
    check_figure(fig)
    results = _check_retentions(results)
    ax = fig.subplots()
    n_max = 0
    for cell, r in results.items():
        n = np.arange(len(r.gains))
        n_max = max(n_max, n[-1])
        status = plotting.classify(r.gains[-1])
        ax.plot(n, plotting.log_safe(r.gains), color=COLOR[cell],
                label=f"{NAME[cell]}: {plotting.STATUS_LABELS.get(status, status)}")
        if r.cell_path is not None:
            ax.plot(n, plotting.log_safe(r.cell_path), "--", color=COLOR[cell], lw=1.2,
                    label="LSTM cell path max ∏ f")
    lag_axes(ax, n_max, ylim)
    ax.set_ylabel("gain over the lag n")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)  # beside the axes: it hides no curve
    if "lstm" in results:
        gain_badge(ax, results["lstm"].gains[-1])
        panel_title(ax, "LSTM at n = T:", loc="left")
    fig.subplots_adjust(left=0.1, right=0.69, bottom=0.17, top=0.88)


def draw_retention_explorer(fig, results, params: dict) -> None:
    check_params(params, ("gate_bias", "input_scale"))
    draw_retention(fig, results)


GATE_BIAS = Slider("gate_bias", "gate bias b_f", -2.0, 4.0, 0.5, 0.0)  # the main slider of both explorers


def _gate_bias_explorer(compute, draw, other: Slider, figsize, title: str) -> Explorer:
    """An explorer whose scrubber steps through the gate bias b_f (13 frames), with one more live slider."""
    return Explorer(compute=compute, draw=draw, main="gate_bias", frames=13, figsize=figsize, title=title,
                    sliders=[GATE_BIAS, other])


RETENTION_TITLE = ("Gain ‖∂h_T/∂h_(T−n)‖ (for the LSTM, of the pair (h, c)) over the lag n (log scale) of a tanh "
                   "RNN, an LSTM and a GRU (H = 16, PyTorch's initialisation, seed 0) driven by Gaussian inputs; the "
                   "LSTM's forget-gate bias and the GRU's update-gate bias are set to b_f")
GATES_TITLE = ("An LSTM and a GRU (H = 8, seed 0) receive one pulse at t = 1, then silence: their gates over time "
               "(mean over units, band min–max) and the largest difference between the state and the state without "
               "the pulse (log scale)")


def retention_explorer() -> Explorer:
    """Sliders: gate bias b_f (main, −2 to 4: LSTM forget gate, GRU update gate) and input scale s_x (0–3)."""
    scale = Slider("input_scale", "input scale s_x", 0.0, 3.0, 0.1, 1.0)
    return _gate_bias_explorer(retention_all, draw_retention_explorer, scale, (7.5, 3.2), RETENTION_TITLE)


def _gate_panel(ax, gates: dict, names) -> None:
    t = np.arange(1, len(gates[names[0]]) + 1)
    for name in names:
        g = gates[name]  # (T, H)
        ax.fill_between(t, g.min(axis=1), g.max(axis=1), color=GATE_COLOR[name], alpha=0.15, lw=0)
        ax.plot(t, g.mean(axis=1), color=GATE_COLOR[name], label=NAME_GATE[name])
    ax.set(ylim=(0, 1), xlim=(1, t[-1]))
    _legend_below(ax)
    panel_xlabel(ax, "step t")


def _legend_below(ax) -> None:
    """The legend under the axes and their x label, where it can hide no curve."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=2, fontsize=8)


def draw_gates(fig, traces: Traces) -> None:
    """LSTM gates i, f, o (left) and GRU gates z, r (middle): mean over units, band min–max; right: how much of
    the pulse each state still holds (log scale)."""
    check_figure(fig)
    if not isinstance(traces, Traces):
        raise ValueError(f"traces must be a gates.Traces from gates.gate_traces; got {type(traces).__name__}")
    ax_l, ax_g, ax_m = fig.subplots(1, 3)
    _gate_panel(ax_l, traces.lstm, ("i", "f", "o"))
    panel_title(ax_l, "LSTM gates")
    _gate_panel(ax_g, traces.gru, ("z", "r"))
    panel_title(ax_g, "GRU gates")
    t = np.arange(1, len(traces.x) + 1)
    ax_m.set_yscale("log")
    ax_m.plot(t, plotting.log_safe(traces.lstm["memory"]), color=COLOR["lstm"], label="LSTM |Δc_t|")
    ax_m.plot(t, plotting.log_safe(traces.gru["memory"]), color=COLOR["gru"], label="GRU |Δh_t|")
    ax_m.set(ylim=(1e-20, 1e1), xlim=(1, t[-1]))
    _legend_below(ax_m)
    panel_title(ax_m, "pulse left in the state")
    panel_xlabel(ax_m, "step t")
    fig.subplots_adjust(left=0.05, right=0.98, bottom=0.33, top=0.9, wspace=0.3)


def draw_gate_explorer(fig, traces: Traces, params: dict) -> None:
    check_params(params, ("gate_bias", "amplitude"))
    draw_gates(fig, traces)


def gate_explorer() -> Explorer:
    """Sliders: gate bias b_f (main, −2 to 4) and the pulse amplitude (0–5)."""
    amplitude = Slider("amplitude", "pulse amplitude", 0.0, 5.0, 0.5, 1.0)
    return _gate_bias_explorer(gate_traces, draw_gate_explorer, amplitude, (9.0, 3.6), GATES_TITLE)


TIME_COLORS = (plotting.COLORS["purple"], plotting.COLORS["blue"], plotting.COLORS["red"], plotting.COLORS["green"])


def draw_time_scales(fig, results) -> None:
    """Each unit's forget time scale 1/(1 − f), sorted (log scale): measured on a driven sequence (solid) and
    set by the bias alone, 1 + e^{b_f} (dashed), for each ``{label: gates.TimeScales}``."""
    check_figure(fig)
    if not isinstance(results, dict) or not results or not all(isinstance(r, TimeScales) for r in results.values()):
        raise ValueError(f"results must be a dict {{label: TimeScales}} from gates.time_scales; got {results!r:.80}")
    if len(results) > len(TIME_COLORS):
        raise ValueError(f"results can hold at most {len(TIME_COLORS)} settings; got {len(results)}")
    ax = fig.subplots()
    for (label, r), color in zip(results.items(), TIME_COLORS):
        unit = np.arange(1, len(r.measured) + 1)
        ax.plot(unit, np.sort(r.at_bias), "--", color=color, lw=1.2)
        status = plotting.classify(r.cell_path)
        ax.plot(unit, np.sort(r.measured), color=color, label=f"{label}: cell path over {r.T} steps "
                f"{r.cell_path:.0e}, {plotting.STATUS_LABELS.get(status, status)}")
    ax.plot([], [], "--", color=plotting.COLORS["grey"], lw=1.2, label="dashed: set by the bias alone, $1 + e^{b_f}$")
    ax.set_yscale("log")
    ax.set(xlim=(1, max(len(r.measured) for r in results.values())), ylim=(1, 3000))  # legend room on top
    ax.set_ylabel("time scale 1/(1 − f) (steps)")
    ax.legend(loc="upper left", fontsize=8)
    panel_xlabel(ax, "unit (sorted by its time scale)")
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.17, top=0.95)
