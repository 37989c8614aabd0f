"""Chapter 11's sweeps: an echo state network, whose readout alone is solved by ridge regression, beside a tanh RNN
and an LSTM (b_f = 1) trained by BPTT, on the same data: 2000 batches of 32 fresh sequences each. Imported at the end
of ``sweeps``, whose ``SWEEPS`` they join.

- ``reservoir-tuning``: the settings, on ``TUNING_SEEDS`` at one lag per task. The ESN (H = 200): spectral radius ×
  leaking rate × input scale (``ESN_GRID``); the tanh RNN and the LSTM (H = 32, clipped at 1): ``ADAM_LRS``.
- ``reservoir-recall`` and ``reservoir-mg``: every model at its chosen setting, ``SEEDS``, over the lags: recall of
  the input T steps back, and the Mackey–Glass series predicted T steps ahead. The models: the ESN (H = 200), the
  same reservoir at H = 32 (as many states as the trained models), the ESN with radius 0 (no recurrence: what the
  leak alone remembers), the tanh RNN and the LSTM.
- ``reservoir-recall-controls``: where a trained model solved recall, the same runs with truncated BPTT at k = T,
  then with the readout alone.
"""
from __future__ import annotations

import itertools

from .sweeps import ADAM_LRS, MODELS, SEEDS, TUNING_SEEDS, Sweep, grid

RESERVOIR_TRAINING = dict(batch=32, eval_every=100, eval_size=500, steps=2000)
ESN_HIDDEN, TRAINED_HIDDEN = 200, 32
RIDGE = 1e-6  # β of the ridge readout (Lukoševičius's minimalESN uses 1e-8 on a longer single series)
ESN_GRID = dict(radius=(0.5, 0.9, 1.2), leak=(0.3, 1.0), input_scale=(0.1, 1.0))
RESERVOIR_LAGS = {"recall": (5, 10, 20, 40, 80), "mackey_glass": (1, 17, 84)}
RESERVOIR_TUNING_LAG = {"recall": 20, "mackey_glass": 17}
TRAINED = (MODELS[0], MODELS[3])  # the tanh RNN and the LSTM (b_f = 1), as Chapter 10's
# The chosen settings per task (None: not chosen yet), from reservoir-tuning by Chapter 8's rule
# (``chapters.reservoir_runs``; a test checks them against the committed runs): the ESN's (radius, leak, input_scale)
# and the rates of TRAINED, in order
ESN_CHOSEN = {"recall": (0.9, 1.0, 0.1), "mackey_glass": (1.2, 1.0, 1.0)}
TRAINED_LR = {"recall": (0.003, 0.003), "mackey_glass": (0.003, 0.01)}


def _esn(radius, leak, input_scale, hidden=ESN_HIDDEN) -> dict:
    """The RunConfig fields of an echo state network with a ridge readout."""
    return {"cell": "esn", "hidden": hidden, "radius": radius, "leak": leak, "input_scale": input_scale,
            "train": "ridge", "ridge": RIDGE}


def _tuning() -> tuple:
    configs = []
    for task, T in RESERVOIR_TUNING_LAG.items():
        settings = dict(tasks=(task,), lags=(T,), seeds=TUNING_SEEDS, **RESERVOIR_TRAINING)
        configs += grid("tuning", "", models=tuple(_esn(*s) for s in itertools.product(*ESN_GRID.values())),
                        **settings).configs
        configs += [c for lr in ADAM_LRS for c in grid("tuning", "", models=TRAINED, clips=(1.0,), lr=lr,
                                                        hidden=TRAINED_HIDDEN, **settings).configs]
    return tuple(configs)


def _compared(task: str) -> tuple:
    """Every model at its chosen setting on ``task``, ``SEEDS``, over ``RESERVOIR_LAGS[task]``."""
    radius, leak, scale = ESN_CHOSEN[task]
    reservoirs = (_esn(radius, leak, scale), _esn(radius, leak, scale, TRAINED_HIDDEN), _esn(0.0, leak, scale))
    settings = dict(tasks=(task,), lags=RESERVOIR_LAGS[task], seeds=SEEDS, **RESERVOIR_TRAINING)
    return (grid("compared", "", models=reservoirs, **settings).configs
            + tuple(c for model, lr in zip(TRAINED, TRAINED_LR[task])
                    for c in grid("compared", "", models=(model,), clips=(1.0,), lr=lr, hidden=TRAINED_HIDDEN,
                                  **settings).configs))


RESERVOIR_SWEEPS = {"reservoir-tuning": Sweep(
    "reservoir-tuning", "Chapter 11, the settings: the ESN (H = 200, ridge readout) over spectral radius 0.5, 0.9, "
    "1.2 × leaking rate 0.3, 1 × input scale 0.1, 1; the tanh RNN and the LSTM (b_f = 1; H = 32, clipped) over Adam lr "
    "0.001–0.03; tuning seeds 100, 101, 2000 batches: recall at T = 20, Mackey–Glass 17 steps ahead.", _tuning())}
for _task, _name, _what in (("recall", "reservoir-recall", "recall of the input T = 5 … 80 steps back"),
                            ("mackey_glass", "reservoir-mg", "the Mackey–Glass series T = 1, 17, 84 steps ahead")):
    if ESN_CHOSEN[_task] is not None and None not in TRAINED_LR[_task]:
        RESERVOIR_SWEEPS[_name] = Sweep(
            _name, f"Chapter 11, {_what}: the ESN at its chosen setting (H = 200; H = 32; radius 0), the tanh RNN "
            f"and the LSTM (b_f = 1, H = 32, clipped) at their chosen rates, 5 seeds, 2000 batches.", _compared(_task))
# The trained models that solved recall at least once at a lag (index into TRAINED -> lags; empty: none did): their
# two controls of Chapter 8's rule before "it learned the lag", at the same rate and seeds: truncated BPTT at k = T,
# whose gradient never reaches the recalled input (T steps before the last one), and the readout alone
RECALL_CONTROLLED: dict = {0: (5, 10), 1: (5, 20)}  # reservoir-recall: the tanh RNN solved T = 5, 10, the LSTM 5, 20
if RECALL_CONTROLLED:
    RESERVOIR_SWEEPS["reservoir-recall-controls"] = Sweep(
        "reservoir-recall-controls", "Chapter 11, the controls of the trained models where they solved recall: "
        "truncated BPTT at k = T (no gradient reaches the recalled input), then the readout alone; their rate, "
        "clipped, 5 seeds.",
        tuple(c for control in ("truncate", "readout") for m, lags in RECALL_CONTROLLED.items() for T in lags
              for c in grid("controls", "", tasks=("recall",), lags=(T,), clips=(1.0,), lr=TRAINED_LR["recall"][m],
                            models=({**TRAINED[m], **({"truncate": T} if control == "truncate" else
                                                      {"train": "readout"})},),
                            hidden=TRAINED_HIDDEN, **RESERVOIR_TRAINING).configs))
