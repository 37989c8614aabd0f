"""Named sweeps: each a deterministic list of run configs (task × model × clipping × lag × seed).

``SWEEPS[name]`` is what ``python -m rnnlab.experiments run NAME`` runs. The order of the configs is fixed by
the definition (task, model, clip, T, seed — the last varies fastest), never by a set or a dict of floats.

The lag sweeps: 5 models (tanh RNN, IRNN, LSTM, LSTM with forget bias 1, GRU) × without / with norm clipping
(threshold 1) × 4 lags × 5 seeds = 200 runs each, H = 32, Adam lr 0.01, batches of 32, evaluated every 50 steps
on 500 held-out sequences. What each sweep cost to run, measured, is in ``costs.md`` beside this module.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, fields

from .._validate import check_choice
from .config import RunConfig

SEEDS = (0, 1, 2, 3, 4)  # ≥ 5 seeds per cell of every sweep


@dataclass(frozen=True)
class Sweep:
    """A named, ordered list of configs."""

    name: str
    description: str
    configs: tuple

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise ValueError(f"Sweep name must be a non-empty file name (no '/'); got {self.name!r}")
        if not self.configs or not all(isinstance(c, RunConfig) for c in self.configs):
            raise ValueError(f"Sweep {self.name!r}: configs must be a non-empty tuple of RunConfig")
        keys = [c.key for c in self.configs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"Sweep {self.name!r} lists a config twice")

    def __len__(self) -> int:
        return len(self.configs)


def grid(name: str, description: str, tasks, models, lags, seeds=SEEDS, clips=(None,), **options) -> Sweep:
    """The sweep of every combination task × model × clip × T × seed (in that order, seed fastest).

    ``tasks``, ``models``, ``lags``, ``seeds`` and ``clips`` are each a non-empty list or tuple, also for one
    value (``lags=(12,)``, not ``lags=12``): a lone string would otherwise be read letter by letter, and a sweep
    definition reads the same whatever its sizes. ``models`` lists dicts of model fields of ``RunConfig``, e.g.
    ``{"cell": "lstm", "forget_bias": 1.0}``; ``options`` (hidden, lr, steps, …) apply to every config.
    """
    axes = dict(tasks=(tasks, '("adding",)'), models=(models, '({"cell": "rnn"},)'), lags=(lags, "(10, 20)"),
                seeds=(seeds, "(0, 1, 2)"), clips=(clips, "(None, 1.0)"))
    for axis, (values, example) in axes.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"{axis} must be a non-empty list or tuple, e.g. {axis}={example}, even for one "
                             f"value; got {values!r}")
    for model in models:
        if not isinstance(model, dict):
            raise ValueError(f"models must list dicts of RunConfig fields, e.g. {{'cell': 'lstm'}}; got {model!r}")
    settable = {f.name for f in fields(RunConfig)} - {"task", "T", "clip", "seed"}  # the others are axes
    for where, given in [("models", {k for m in models for k in m}), ("options", set(options))]:
        if given - settable:
            raise ValueError(f"{where} may set only these RunConfig fields: {sorted(settable)} (task, T, clip and "
                             f"seed are the grid's axes); got {sorted(given - settable)}")
    configs = tuple(RunConfig(task=task, T=T, clip=clip, seed=seed, **model, **options)
                    for task, model, clip, T, seed in itertools.product(tasks, models, clips, lags, seeds))
    return Sweep(name, description, configs)


MODELS = ({"cell": "rnn"}, {"cell": "irnn"}, {"cell": "lstm"}, {"cell": "lstm", "forget_bias": 1.0}, {"cell": "gru"})
TASK_NAMES = ("adding", "adding_hs", "copy", "order", "latch")
TRAINING = dict(hidden=32, lr=1e-2, batch=32, eval_every=50, eval_size=500)
CLIPS = (None, 1.0)  # without clipping, and with norm clipping at threshold 1 (Pascanu et al. 2013's setting)
LATCH = dict(tasks=("latch",), lags=(25, 50, 100, 200), clips=CLIPS, steps=1000, **TRAINING)  # lag-latch's settings
# The tanh RNN trained with no gradient through the lag: truncated BPTT (k = 1, 5) and the readout alone.
CONTROLS = ({"cell": "rnn", "truncate": 1}, {"cell": "rnn", "truncate": 5}, {"cell": "rnn", "train": "readout"})
# The same models with no gradient through the lag (truncated BPTT, k = 1): a run counts as having learned across
# the lag only where this control fails.
NO_BPTT = tuple({**model, "truncate": 1} for model in MODELS)
GATED = (MODELS[0], MODELS[3], MODELS[4])  # tanh RNN, LSTM (b_f = 1), GRU


def controls_where_solved(task: str, solved: dict, steps: int, **options) -> tuple:
    """The k = 1 control (clipped, seeds ``SEEDS``) of every model × lag that full BPTT solved at least once.

    ``solved`` maps a lag to the indices (in ``MODELS``) of the models whose clipped full-BPTT runs solved it at
    least once in the committed sweep: a control is needed only where there is a "solved" to qualify.
    """
    if not isinstance(solved, dict) or not solved:
        raise ValueError(f"solved must map each lag T to the indices of the models that solved it, e.g. "
                         f"{{10: (0, 4)}}; got {solved!r}")
    for T, ms in solved.items():
        if not all(isinstance(m, int) and 0 <= m < len(MODELS) for m in ms):
            raise ValueError(f"solved[{T!r}] must list model indices 0 … {len(MODELS) - 1} (into MODELS); got {ms!r}")
    return tuple(RunConfig(task=task, T=T, clip=1.0, seed=seed, steps=steps, **NO_BPTT[m], **options)
                 for T, ms in solved.items() for m in ms for seed in SEEDS)


# Chapter 5: Pascanu et al. (2013)'s temporal-order experiment (their Fig. 7) at CPU scale: a tanh RNN with their
# "basic tanh" initialisation, H = 50, minibatches of 20, plain SGD (their "MSGD": no momentum). Three variants
# (clip, omega): MSGD, MSGD-C (norm clipping at 1) and MSGD-CR (clipping and Ω with weight 4, as in the paper).
PASCANU = dict(tasks=("order",), hidden=50, optimizer="sgd", steps=3000, batch=20, eval_every=100, eval_size=1000)
PASCANU_VARIANTS = ((None, 0.0), (1.0, 0.0), (1.0, 4.0))  # (clip, omega): MSGD, MSGD-C, MSGD-CR
PASCANU_LRS = (0.01, 0.03, 0.1, 0.3)  # the learning rates tried on the tuning seeds (sweep clip-order-lr, T = 30)
PASCANU_TUNING_SEEDS = (100, 101)  # not the reported SEEDS
# Each variant's learning rate in clip-order: its best on the tuning seeds (clipping_fig7.Tuning.best on clip-order-lr)
PASCANU_LR = {(None, 0.0): 0.03, (1.0, 0.0): 0.1, (1.0, 4.0): 0.3}
# Sweeps that only choose a hyperparameter, on tuning seeds disjoint from SEEDS: no claim rests on their counts, so
# they may have fewer than 5 seeds per cell.
TUNING_SWEEPS = ("clip-order-lr", "order-lr", "copy-lr", "adding-lr", "init-lr", "lru-lr", "reservoir-tuning")

# Chapter 8's fair comparisons: each model's Adam learning rate, chosen on tuning seeds (not SEEDS) at one lag per
# task, clipped at 1, on a grid around the 0.01 the lag sweeps use (which is one of its points).
ADAM_LRS = (0.001, 0.003, 0.01, 0.03)
TUNING_SEEDS = (100, 101)
LR_TUNING = {"order": (40, 3000, TRAINING), "copy": (10, 3000, {**TRAINING, "hidden": 128}),
             "adding": (40, 3000, TRAINING)}  # task -> (the lag it is tuned at, steps, settings)

LAG_SWEEP = {"order": "lag-order", "copy": "copy-delay", "adding": "lag-adding"}  # the sweeps at Adam 0.01
# Each model's chosen rate per task, in MODELS order: ``chapters.longterm_tuning.Tuning.best`` on the tuning sweep
# (a test checks that they agree with the committed tuning runs).
TUNED_LR = {"order": (0.003, 0.003, 0.001, 0.01, 0.03), "copy": (0.003, 0.001, 0.03, 0.01, 0.01),
            "adding": (0.003, 0.003, 0.03, 0.03, 0.03)}


# Chapter 6, after Henaff, Szlam & LeCun (2016): W_hh orthogonal or Gaussian in a tanh RNN, orthogonal or identity in
# their linear-transition RNN, and the IRNN on H&S's adding problem (whose k = 1 controls all failed in Chapter 8),
# each tuned like Chapter 8's models (init-lr), then over the lag (init-lag)
INIT_MODELS = ({"cell": "rnn", "init": "orthogonal"}, {"cell": "rnn", "init": "gaussian"},
               {"cell": "ltrnn", "init": "orthogonal"}, {"cell": "ltrnn", "init": "identity"})
INIT_TUNING = {"copy": LR_TUNING["copy"], "adding_hs": (40, 3000, TRAINING)}
INIT_TASK_MODELS = {"copy": INIT_MODELS, "adding_hs": ({"cell": "irnn"},) + INIT_MODELS}
INIT_LR = {"copy": (0.001, 0.001, 0.003, 0.003), "adding_hs": (0.003, 0.003, 0.001, 0.001, 0.001)}  # from init-lr
INIT_LAGS = {"copy": (10, 20), "adding_hs": (20, 40)}  # every recipe; the LT-RNN orth. on copy also at 40 and 80
INIT_CONTROLS = (("copy", 2, (20, 80), {"truncate": 1}), ("copy", 2, (20, 80), {"train": "readout"}),
                 ("copy", 0, (10, 20), {"train": "readout"}),
                 ("adding_hs", 0, (20, 40), {"truncate": 1}), ("adding_hs", 1, (20,), {"truncate": 1}),
                 ("adding_hs", 2, (20,), {"truncate": 1}))  # (task, index in INIT_TASK_MODELS, lags, control)


def _init_lag() -> tuple:
    """init-lag's configs: every recipe at its chosen rate over INIT_LAGS, the LT-RNN orth. on copy at 40 and 80 too,
    then the controls (INIT_CONTROLS: k = 1 where a recipe solved in tuning or here; on copy the readout alone, for the
    LT-RNN orth. and, beside it, the tanh RNN orth.) — clipped, SEEDS, the tuning's budget and settings."""
    def at(task, m, lags, **control):
        _, steps, settings = INIT_TUNING[task]
        model = {**INIT_TASK_MODELS[task][m], **control}
        return grid("init", "", tasks=(task,), models=(model,), lags=lags, clips=(1.0,), steps=steps,
                    **{**settings, "lr": INIT_LR[task][m]}).configs
    return (tuple(c for task, models in INIT_TASK_MODELS.items() for m in range(len(models))
                  for c in at(task, m, INIT_LAGS[task]))
            + at("copy", 2, (40, 80))
            + tuple(c for task, m, lags, control in INIT_CONTROLS for c in at(task, m, lags, **control)))


def _tuned(task: str) -> tuple:
    """The configs at each model's chosen rate over the lag sweep's lags, on SEEDS, clipped: only the models whose
    rate is not 0.01 (the others' runs are the lag sweep's)."""
    _, steps, settings = LR_TUNING[task]
    lags = tuple(sorted({c.T for c in SWEEPS[LAG_SWEEP[task]].configs}))
    return tuple(c for model, lr in zip(MODELS, TUNED_LR[task]) if lr != 0.01
                 for c in grid("tuned", "", tasks=(task,), models=(model,), lags=lags, clips=(1.0,), steps=steps,
                               **{**settings, "lr": lr}).configs)


def _tuned_controls(task: str, solved: dict) -> tuple:
    """The k = 1 control (clipped, SEEDS) of each model × lag in ``solved`` (lag -> model indices), each model at its
    chosen rate ``TUNED_LR[task]`` with the tuning's budget and settings (``controls_where_solved``, per model)."""
    _, steps, settings = LR_TUNING[task]
    return tuple(c for T, ms in solved.items() for m in ms
                 for c in controls_where_solved(task, {T: (m,)}, steps, **{**settings, "lr": TUNED_LR[task][m]}))


def _lr_grid(task: str, models=MODELS, tuning=LR_TUNING) -> tuple:
    """The configs of every model × ``ADAM_LRS`` × ``TUNING_SEEDS`` on ``task`` at its tuning lag, clipped."""
    T, steps, settings = tuning[task]
    return tuple(c for model in models for lr in ADAM_LRS
                 for c in grid("lr", "", tasks=(task,), models=(model,), lags=(T,), seeds=TUNING_SEEDS,
                               clips=(1.0,), steps=steps, **{**settings, "lr": lr}).configs)


def _pascanu(lags, seeds, lrs) -> tuple:
    """The configs of the three variants × ``lrs(variant)`` × lags × seeds, in that order (seed fastest)."""
    return tuple(c for clip, omega in PASCANU_VARIANTS for lr in lrs((clip, omega))
                 for c in grid("pascanu", "", models=({"cell": "rnn", "init": "basic_tanh", "omega": omega},),
                               lags=lags, seeds=seeds, clips=(clip,), lr=lr, **PASCANU).configs)


SWEEPS = {s.name: s for s in (
    grid("smoke", "Every task, 4 models (the LSTM with forget bias 1), clipped, one lag and seed: the sample "
         "the reproducibility tests re-run.", tasks=TASK_NAMES, models=MODELS[:2] + MODELS[3:], lags=(12,),
         seeds=(0,), clips=(1.0,), hidden=16, lr=1e-2, steps=150, batch=16, eval_every=25, eval_size=200),
    grid("lag-adding", "Simplified adding problem over the lag: 5 models × clipping × 4 lags × 5 seeds.",
         tasks=("adding",), models=MODELS, lags=(10, 20, 40, 80), clips=CLIPS, steps=3000, **TRAINING),
    grid("lag-order", "Temporal order over the lag: 5 models × clipping × 4 lags × 5 seeds.",
         tasks=("order",), models=MODELS, lags=(10, 20, 40, 80), clips=CLIPS, steps=3000, **TRAINING),
    grid("lag-latch", "Latch (2-sequence) over the lag: 5 models × clipping × 4 lags × 5 seeds.", models=MODELS,
         **LATCH),
    grid("latch-controls", "Latch, tanh RNN without gradient through the lag: truncated BPTT k = 1 and 5, and the "
         "readout alone × clipping × lag-latch's lags and seeds (its full-BPTT runs are lag-latch's).",
         models=CONTROLS, **LATCH),
    grid("latch-budget", "Latch with three times the steps of lag-latch: the gated models, clipped, T = 25 and 50, "
         "5 seeds (is 1000 steps what failed them?).", tasks=("latch",), models=MODELS[2:], lags=(25, 50),
         clips=(1.0,), steps=3000, **TRAINING),
    grid("copy-delay", "Copy memory over the delay, H = 128, clipped: 5 models × delays 5, 10, 20 × 5 seeds.",
         tasks=("copy",), models=MODELS, lags=(5, 10, 20), clips=(1.0,), steps=3000, **{**TRAINING, "hidden": 128}),
    grid("marked-latch", "Latch with distractors (only the marked pulse carries the class): tanh RNN, LSTM (b_f = "
         "1), GRU, each with full BPTT and with k = 1, clipped, T = 25, 50, 100, 5 seeds, 1000 steps.",
         tasks=("marked_latch",), models=tuple(m for g in GATED for m in (g, {**g, "truncate": 1})),
         lags=LATCH["lags"][:3], clips=(1.0,), steps=1000, **TRAINING),
    Sweep("lag-controls", "No gradient through the lag (truncated BPTT, k = 1), clipped, 5 seeds, wherever full "
          "BPTT solved at least once with clipping: adding, temporal order (3000 steps), copy (H = 128).",
          controls_where_solved("adding", {10: range(5), 20: range(5), 40: (1, 2, 3, 4), 80: (2, 3, 4)}, 3000,
                                **TRAINING)
          + controls_where_solved("order", {10: range(5), 20: range(5), 40: (1, 3, 4), 80: (1, 4)}, 3000,
                                  **TRAINING)
          + controls_where_solved("copy", {5: (4,), 10: (4,), 20: (4,)}, 3000, **{**TRAINING, "hidden": 128})),
    Sweep("order-lr", "Chapter 8, each model's learning rate for temporal order: 5 models × Adam lr 0.001, 0.003, "
          "0.01, 0.03 × tuning seeds 100, 101, T = 40, clipped, 3000 steps.", _lr_grid("order")),
    Sweep("copy-lr", "Chapter 8, each model's learning rate for copy memory: 5 models (H = 128) × Adam lr 0.001, "
          "0.003, 0.01, 0.03 × tuning seeds 100, 101, delay 10, clipped, 3000 steps.", _lr_grid("copy")),
    Sweep("adding-lr", "Chapter 8, each model's learning rate for the adding problem: 5 models × Adam lr 0.001, "
          "0.003, 0.01, 0.03 × tuning seeds 100, 101, T = 40, clipped, 3000 steps.", _lr_grid("adding")),
    Sweep("init-lr", "Chapter 6, the learning rates of init-lag: tanh RNN (W_hh orthogonal, Gaussian), LT-RNN "
          "(orthogonal, identity) and, for adding, the IRNN × Adam lr 0.001, 0.003, 0.01, 0.03 × tuning seeds 100, "
          "101, clipped, 3000 steps: copy at delay 10 (H = 128), H&S's adding problem at T = 40.",
          tuple(c for task, models in INIT_TASK_MODELS.items() for c in _lr_grid(task, models, INIT_TUNING))),
    grid("adding-hs", "Hochreiter & Schmidhuber's adding problem (its second marker never in the last half): IRNN, "
         "LSTM, LSTM b_f=1, GRU, each with full BPTT and with k = 1, clipped, T = 20, 40, 5 seeds, 3000 steps.",
         tasks=("adding_hs",), models=tuple(m for g in MODELS[1:] for m in (g, {**g, "truncate": 1})),
         lags=(20, 40), clips=(1.0,), steps=3000, **TRAINING),
    Sweep("clip-order-lr", "Chapter 5, learning rates for clip-order: temporal order at T = 30, tanh RNN (basic tanh, "
          "H = 50), SGD, MSGD / MSGD-C / MSGD-CR × lr 0.01, 0.03, 0.1, 0.3 × tuning seeds 100, 101.",
          _pascanu((30,), PASCANU_TUNING_SEEDS, lambda variant: PASCANU_LRS)),
    Sweep("clip-order", "Chapter 5, Pascanu et al.'s Fig. 7 at CPU scale: temporal order, T = 10, 20, 30, 40, tanh "
          "RNN (basic tanh, H = 50), SGD: MSGD / MSGD-C / MSGD-CR, each at its lr from clip-order-lr, 5 seeds.",
          _pascanu((10, 20, 30, 40), SEEDS, lambda variant: (PASCANU_LR[variant],))),
)}

SWEEPS.update({f"{task}-tuned": Sweep(
    f"{task}-tuned", f"Chapter 8, {LAG_SWEEP[task]} at each model's chosen rate ({task}-lr), clipped, on the reported "
    f"seeds: only the models whose rate is not 0.01.", configs)
    for task in TUNED_LR if (configs := _tuned(task))})

SWEEPS["init-lag"] = Sweep(
    "init-lag", "Chapter 6, after Henaff et al. (2016): each recipe of init-lr at its chosen rate, clipped, 5 seeds: "
    "copy at delays 10, 20 (the LT-RNN orth. also 40, 80), H&S's adding problem at T = 20, 40; with the k = 1 "
    "controls where a recipe solved, and the readout alone on copy for the LT-RNN and the tanh RNN, orth.", _init_lag())
# Chapter 8's lag-blocking control: truncated BPTT at the largest k whose gradient reaches no informative input (order
# T − ⌊0.6T⌋, adding_hs T/2, marked_latch T − 2, copy T + 10: its one chunk boundary at position 10), where a failed
# k = 1 control was read as more than the last step; each at the settings of the full-BPTT runs it controls
BLOCKING = (("order", {"cell": "gru"}, 80, 0.01, 3000, 32, 32), ("order", {"cell": "irnn"}, 80, 0.003, 3000, 32, 32),
            ("order", {"cell": "rnn"}, 40, 0.003, 3000, 32, 16), ("adding_hs", {"cell": "gru"}, 40, 0.01, 3000, 32, 20),
            ("adding_hs", {"cell": "irnn"}, 40, 0.01, 3000, 32, 20),
            ("marked_latch", {"cell": "rnn"}, 25, 0.01, 1000, 32, 23),
            ("marked_latch", {"cell": "rnn"}, 50, 0.01, 1000, 32, 48),
            ("copy", {"cell": "gru"}, 5, 0.01, 3000, 128, 15), ("copy", {"cell": "gru"}, 10, 0.01, 3000, 128, 20))
SWEEPS["blocking-controls"] = Sweep(
    "blocking-controls", "Chapter 8, the lag-blocking control: truncated BPTT just short of the nearest informative "
    "input, where a failed k = 1 control stood beside a solved full-BPTT run, and the readout alone on the same "
    "settings; clipped, 5 seeds.",
    tuple(RunConfig(task=task, T=T, clip=1.0, seed=seed, steps=steps, **{**TRAINING, "hidden": hidden, "lr": lr},
                    **model, **control)
          for readout in (False, True)  # truncated at k; then the cell frozen, the readout alone
          for task, model, T, lr, steps, hidden, k in BLOCKING for seed in SEEDS
          for control in ([{"train": "readout"}] if readout else [{"truncate": k}])))
SWEEPS["adding-tuned-controls"] = Sweep(
    "adding-tuned-controls", "Chapter 8, the k = 1 control of adding-tuned's IRNN at its chosen rate, where it solved "
    "lags its 0.01 runs did not (T = 40, 80): clipped, 5 seeds.", _tuned_controls("adding", {40: (1,), 80: (1,)}))
SWEEPS["order-tuned-controls"] = Sweep(
    "order-tuned-controls", "Chapter 8, the k = 1 control of order-tuned where a model at its chosen rate (not 0.01) "
    "solved T = 40 or 80 at least once: clipped, 5 seeds.", _tuned_controls("order", {40: (0, 1, 2, 4), 80: (1, 4)}))


def get_sweep(name: str) -> Sweep:
    """The sweep called ``name`` (one of ``SWEEPS``)."""
    if not isinstance(name, str):
        raise ValueError(f"sweep must be one of {sorted(SWEEPS)}; got {name!r}")
    return SWEEPS[check_choice("sweep", name, SWEEPS)]

from .sweeps_lru import LRU_SWEEPS  # noqa: E402 (Chapter 10's sweeps, built from the definitions above)
from .sweeps_reservoir import RESERVOIR_SWEEPS  # noqa: E402 (Chapter 11's)

SWEEPS.update(LRU_SWEEPS)
SWEEPS.update(RESERVOIR_SWEEPS)
