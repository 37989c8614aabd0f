"""Named sweeps: each a deterministic list of run configs (task × model × clipping × lag × seed).

``SWEEPS[name]`` is what ``python -m rnnlab.experiments run NAME`` runs. The order of the configs is fixed by
the definition (task, model, clip, T, seed — the last varies fastest), never by a set or a dict of floats.

The lag sweeps: 5 models (tanh RNN, IRNN, LSTM, LSTM with forget bias 1, GRU) × without / with norm clipping
(threshold 1) × 4 lags × 5 seeds = 200 runs each, H = 32, Adam lr 0.01, batches of 32, evaluated every 50 steps
on 500 held-out sequences. Wall time of one run per model at each sweep's largest lag (seed 0, no clipping,
float64, one thread), measured on a 2-core machine shared with other work (load ≈ 2.8), and the estimated wall
time of the whole sweep with ``--jobs 2`` on 2 cores — from those runs (cost taken as linear in the sequence
length) and, second, from the cost of a step and of an evaluation measured at every lag (least of 5 repeats):

==========  =======  =====  ==================================================  ===============
sweep       lags     steps  one run: RNN, IRNN, LSTM, LSTM (b_f = 1), GRU       ``--jobs 2``
==========  =======  =====  ==================================================  ===============
lag-adding  10–80    3000   25, 20, 50, 38, 43 s (T = 80)                       ≈ 27 / 21 min
lag-order   10–80    3000   20, 20, 42, 42, 40 s (T = 80)                       ≈ 26 / 26 min
lag-latch   25–200   1000   17, 14, 48, 31, 28 s (T = 200)                      ≈ 22 / 24 min
==========  =======  =====  ==================================================  ===============

Measured runs: lag-adding 22 min, lag-order 24 min, lag-latch 28 min with ``--jobs 2`` (beside other work).
``latch-budget`` (30 runs: the gated models of lag-latch, clipped, at T = 25 and 50 with 3000 steps) took 7 min
with ``--jobs 2`` (770 s of run time). Starting a worker adds a few seconds. ``smoke`` (20 runs) took 10 s with one
job. ``latch-controls`` (120 runs: lag-latch's tanh RNN with truncated BPTT, k = 1 and 5, or the readout alone):
one run with k = 1 at T = 200 (seed 0, no clipping) took 21 s (load ≈ 3), no cheaper than full BPTT's 17 s (the
forward pass and evaluations dominate); estimated ≈ 10–12 min with ``--jobs 2`` on a quiet machine (not yet run).

``copy-delay`` (75 runs; 26 min with ``--jobs 2``, 3093 s of run time) has H = 128 and clipping only: in trial runs
(seed 0, clip 1, 3000 steps, delay 5) no model with H = 32 came near the criterion (final cross-entropy 86% (LSTM)
and 85% (GRU) of the baseline), at H = 64 the GRU reached 25% and the LSTM (b_f = 1) 45%, and at H = 128 the GRU
met it (step 1900). One run with H = 128 took 13–16 s (tanh RNN, IRNN, delay 5) to 41 s (GRU, delay 10) on a quiet
machine.
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
)}


def get_sweep(name: str) -> Sweep:
    """The sweep called ``name`` (one of ``SWEEPS``)."""
    if not isinstance(name, str):
        raise ValueError(f"sweep must be one of {sorted(SWEEPS)}; got {name!r}")
    return SWEEPS[check_choice("sweep", name, SWEEPS)]
