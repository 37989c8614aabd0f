"""Chapter 8 figures and explorer: success over the lag, steps to solve, gradient-norm profiles of a lag sweep.

They only draw what ``longterm`` computed from a results file. The explorer trains nothing: it looks records up
in the file, so its scrubber has one frame per lag of the sweep (the lags are discrete data).
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import FixedLocator

from .. import plotting
from ..widgets import Explorer, Slider
from .criteria_figures import check_figure, check_params, gain_badge, panel_title, panel_xlabel
from .longterm import MODELS, Results, base_model, clip_name, load, profile, steps_summary, success

_COLORS = (plotting.COLORS["blue"], plotting.COLORS["purple"], plotting.COLORS["orange"], plotting.COLORS["red"],
           plotting.COLORS["green"])
COLOR = dict(zip(MODELS.values(), _COLORS))  # one colour per model, in every figure of the chapter
_GREY = plotting.COLORS["grey"]


def _style(model: str) -> dict:
    """Line style of a model: its colour; full BPTT solid with filled dots, a control (k=K, readout) dotted with
    open markers — a control never looks like a model of its own."""
    color = COLOR[base_model(model)]
    if model == base_model(model):
        return dict(color=color, ls="-", marker="o")
    marker = "s" if model.endswith("readout") else "D" if model.endswith("k=1") else "^"
    return dict(color=color, ls=":", marker=marker, mfc="white")


def _check(results) -> Results:
    if not isinstance(results, Results):
        raise ValueError(f"results must be a longterm.Results from longterm.load(NAME); got {type(results).__name__}")
    return results


def _lag_axis(ax, lags) -> None:
    """Log-2 axis over the sweep's lags, one plain tick per lag."""
    if ax.get_xscale() != "log":
        ax.set_xscale("log", base=2)
    ax.set_xlim(lags[0] / 1.4, lags[-1] * 1.4)
    ax.xaxis.set_major_locator(FixedLocator(lags))
    ax.set_xticks(lags, labels=[str(T) for T in lags])
    ax.minorticks_off()
    panel_xlabel(ax, "lag T")


def _dodge(k: int, n: int) -> float:
    """Factor that shifts model k of n sideways on the log axis, so that equal counts stay visible."""
    return 2.0 ** (0.07 * (k - (n - 1) / 2))


def draw_success(fig, results: Results) -> None:
    """Runs solved (of the sweep's seeds) against the lag T, one line per model; left without clipping, right
    with. Models are shifted slightly sideways so that equal counts do not hide one another."""
    check_figure(fig)
    table = success(_check(results))
    axes = fig.subplots(1, len(results.clips), sharey=True, squeeze=False)[0]
    seeds = len(results.seeds)
    for ax, clip in zip(axes, results.clips):
        for k, model in enumerate(results.models):
            s = table[model, clip]
            x = np.asarray(s.lags, dtype=float) * _dodge(k, len(results.models))
            y = np.where(np.asarray(s.runs) > 0, s.solved, np.nan)
            ax.plot(x, y, ms=5, label=model, **_style(model))
        _lag_axis(ax, results.lags)
        ax.set_ylim(-0.3, seeds + 0.3)
        ax.set_yticks(range(seeds + 1))
        panel_title(ax, clip_name(clip))
    axes[0].set_ylabel(f"runs solved (of {seeds})")
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)  # outside: no line is hidden
    fig.subplots_adjust(left=0.08, right=0.84, bottom=0.17, top=0.9, wspace=0.08)


def draw_steps(fig, results: Results) -> None:
    """Median steps to solve over the solved runs against T (bars: min–max), one line per model; a lag where no
    run solved has no point."""
    check_figure(fig)
    table = success(_check(results))
    axes = fig.subplots(1, len(results.clips), sharey=True, squeeze=False)[0]
    steps = max(c.steps for c in results.configs)
    for ax, clip in zip(axes, results.clips):
        for k, model in enumerate(results.models):
            s = table[model, clip]
            stats = [steps_summary(st) for st in s.steps]
            x = np.array([T * _dodge(k, len(results.models)) for T, m in zip(s.lags, stats) if m])
            if not len(x):
                continue
            med, lo, hi = (np.array([m[i] for m in stats if m], dtype=float) for i in range(3))
            ax.errorbar(x, med, yerr=(med - lo, hi - med), ms=5, capsize=2, label=model, **_style(model))
        _lag_axis(ax, results.lags)
        ax.set_ylim(0, steps)
        panel_title(ax, clip_name(clip))
    axes[0].set_ylabel("steps to solve")
    handles = {h.get_label(): h for ax in axes for h in ax.get_legend_handles_labels()[0]}
    axes[0].legend(list(handles.values()), list(handles), loc="upper left", fontsize=8)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.17, top=0.9, wspace=0.08)


def _profile_axes(ax, T: int, ylim=(1e-20, 1e5)) -> None:
    """Log axis of ‖∂L/∂h_t‖ over the steps t = 1 .. T (set whether or not a profile is drawn in it)."""
    if ax.get_yscale() != "log":
        ax.set_yscale("log")
    ax.set(ylim=ylim, xlim=(1, T))
    ax.set_yticks([10.0 ** k for k in range(-20, 6, 5)], labels=[f"1e{k}" for k in range(-20, 6, 5)])
    ax.minorticks_off()
    panel_xlabel(ax, "step t")


def _profile_panel(ax, p) -> None:
    """‖∂L/∂h_t‖ over t at initialisation (dashed) and after training (solid), with the trained gain's fate."""
    t = np.arange(1, p.T + 1)
    color = COLOR[base_model(p.model)]
    ax.plot(t, plotting.log_safe(p.init), "--", color=color, lw=1.2, label="init")
    ax.plot(t, plotting.log_safe(p.final), color=color, label="trained")
    _profile_axes(ax, p.T)
    gain_badge(ax, p.gains[1])


def draw_profiles(fig, results: Results, T: int, clip, seed: int) -> None:
    """One panel per model: the profiles of the run (T, clip, seed), with the trained gain's fate above it."""
    check_figure(fig)
    models = _check(results).models
    axes = fig.subplots(1, len(models), sharey=True)
    for ax, model in zip(axes, models):
        p = profile(results, model, clip, T, seed)
        ax.text(0.04, 0.96, model, ha="left", va="top", fontsize=9, transform=ax.transAxes)
        if p is None:
            ax.text(0.5, 0.5, "not run yet", ha="center", transform=ax.transAxes)
            _profile_axes(ax, T)
            continue
        _profile_panel(ax, p)
    axes[0].set_ylabel("‖∂L/∂h_t‖")
    axes[0].legend(loc="lower right", fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.17, top=0.88, wspace=0.12)


# --- the explorer ---------------------------------------------------------------------------------------------
def sweep_view(results: Results, lag: int, model: int, clip: int, seed: int) -> dict:
    """What the explorer draws for slider values (indices into the sweep's lags, models, clips; the seed index):
    the final metric of every seed at that setting, the task's threshold and baseline, and the chosen run's
    profile (None while it has not run)."""
    results = _check(results)
    T, name, c = results.lags[lag], results.models[model], results.clips[clip]
    records = [results.record(name, c, T, s) for s in results.seeds]
    done = [r for r in records if r is not None]
    return {"T": T, "model": name, "clip": c, "seed": results.seeds[seed], "metric": done[0]["metric"] if done
            else None, "final": [np.nan if r is None else r["final_metric"] for r in records],
            "solved": [bool(r and r["solved"]) for r in records], "runs": len(done),
            "threshold": done[0]["threshold"] if done else None, "baseline": done[0]["baseline"] if done else None,
            "profile": profile(results, name, c, T, results.seeds[seed])}


def draw_view(fig, view: dict, params: dict) -> None:
    """Left: every seed's final metric at this setting against the success threshold. Right: the chosen run's
    gradient-norm profiles with the fate of its trained gain."""
    check_figure(fig)
    check_params(params, ("lag", "model", "clip", "seed"))  # and "task" when the explorer reads several sweeps
    ax_m, ax_p = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.5]})
    color = COLOR[base_model(view["model"])]
    n = len(view["final"])
    if view["runs"]:
        final = np.asarray(view["final"], dtype=float)
        for s, (v, ok) in enumerate(zip(final, view["solved"])):
            ax_m.bar(s, plotting.log_safe([v])[0], color=color if ok else "white", edgecolor=color,
                     lw=2 if s == params["seed"] else 1)
        ax_m.plot((-0.5, n - 0.5), (view["threshold"],) * 2, color="black", lw=1, label="solved below" if
                  view["metric"] != "accuracy" else "solved above")
        ax_m.plot((-0.5, n - 0.5), (view["baseline"],) * 2, ":", color=_GREY, label="blind baseline")
        ax_m.legend(loc="upper right", fontsize=7)
    if view["metric"] != "accuracy":
        ax_m.set_yscale("log")
        ax_m.set_ylim(1e-4, 1e2)
    else:  # a kept figure's axes may still be log-scaled from an MSE view
        ax_m.set_yscale("linear")
        ax_m.set_ylim(0, 1.4)
    ax_m.set_xticks(range(n))
    ax_m.set_xlim(-0.5, n - 0.5)
    panel_xlabel(ax_m, "seed (filled: solved)")
    ax_m.set_ylabel(f"final {view['metric'] or 'metric'}")
    task = f"{view['task']}, " if "task" in view else ""
    panel_title(ax_m, f"{task}{view['model']}, {clip_name(view['clip'])}, T = {view['T']}: "
                      f"{sum(view['solved'])}/{view['runs']} solved", loc="left")
    p = view["profile"]
    if p is None:
        ax_p.text(0.5, 0.5, "this run is not in the results file yet", ha="center", transform=ax_p.transAxes)
        _profile_axes(ax_p, view["T"])
    else:
        _profile_panel(ax_p, p)
        ax_p.set_ylabel("‖∂L/∂h_t‖")
        ax_p.legend(loc="lower right", fontsize=8)
        panel_title(ax_p, f"seed {p.seed}", loc="left")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.86, wspace=0.3)


def _lag_label(lags) -> str:
    ratio = lags[1] / lags[0] if len(lags) > 1 else 0
    if ratio == int(ratio) and all(b == a * ratio for a, b in zip(lags, lags[1:])):
        return f"T = {lags[0]}·{int(ratio)}^k"
    return f"T = {', '.join(map(str, lags))}"


SWEEPS = ("lag-adding", "lag-order", "lag-latch")  # the lag sweeps the chapter reads, one per task


def sweep_explorer(names=SWEEPS, folder=None) -> Explorer:
    """Explorer over lag sweeps' results files: the lag index k (main, one frame per lag), the task (one sweep
    each; live), the model, clipping and seed. The sweeps must share their number of lags, models, clips and seeds.

    Nothing trains: each frame looks its records up (``sweep_view``).
    """
    names = (names,) if isinstance(names, str) else tuple(names)
    if not names:
        raise ValueError("names must list at least one sweep, e.g. ('lag-adding', 'lag-order')")
    sweeps = [load(name, folder) for name in names]
    first = sweeps[0]
    for r in sweeps[1:]:
        if (len(r.lags), r.models, r.clips, r.seeds) != (len(first.lags), first.models, first.clips, first.seeds):
            raise ValueError(f"sweeps {first.sweep!r} and {r.sweep!r} differ in their number of lags, models, clips "
                             "or seeds: one explorer reads sweeps of the same shape")
    lags = "; ".join(f"{r.task}: {_lag_label(r.lags)}" for r in sweeps)
    models = ", ".join(f"{k} {m}" for k, m in enumerate(first.models))
    clips = ", ".join(f"{k} {clip_name(c)}" for k, c in enumerate(first.clips))
    sliders = [Slider("lag", f"lag index k ({lags})", 0, len(first.lags) - 1, 1, 0)]
    if len(sweeps) > 1:
        tasks = ", ".join(f"{k} {r.task}" for k, r in enumerate(sweeps))
        sliders.append(Slider("task", f"task ({tasks})", 0, len(sweeps) - 1, 1, 0))
    sliders += [Slider("model", f"model ({models})", 0, len(first.models) - 1, 1, 0),
                Slider("clip", f"clipping ({clips})", 0, len(first.clips) - 1, 1, 0),
                Slider("seed", "seed", 0, len(first.seeds) - 1, 1, 0)]
    title = (f"Sweeps {', '.join(names)}: final metric of every seed against the success threshold, and one "
             "run's gradient-norm profile ‖∂L/∂h_t‖ at initialisation (dashed) and after training (solid)")

    def compute(task=0, **params):
        return {**sweep_view(sweeps[task], **params), "task": sweeps[task].task}

    return Explorer(compute=compute, draw=draw_view, sliders=sliders, main="lag", frames=len(first.lags),
                    title=title, figsize=(8.0, 3.0))
