"""Chapter 10's sweeps: the deep LRU (``rnnlab.lru``) beside the tanh RNN, the LSTM (b_f = 1) and the GRU at lags
Chapter 8 did not reach, each model at a learning rate tuned as in Chapter 8. Imported at the end of ``sweeps``,
whose ``SWEEPS`` they join.

- ``lru-lr``: the rates. Every model × ``ADAM_LRS`` × ``TUNING_SEEDS`` on H&S's adding problem at T = 40; on copy
  memory (delay 10, H = 128) the LRU alone, since ``copy-lr`` (Chapter 8) already tuned the others there.
- ``lru-adding`` and ``lru-copy``: the LRU at its rate, clipped at 1, ``SEEDS``, 3000 steps, on H&S's adding problem
  at T = 200 (H = 32) and on copy memory at delay 40 (H = 128), with its controls (truncated BPTT that reaches no
  informative input; the readout alone). ``lru-adding-others`` and ``lru-copy-others``: the tanh RNN, the LSTM
  (b_f = 1) and the GRU on the same settings, each at its rate.
"""
from __future__ import annotations

from .sweeps import ADAM_LRS, MODELS, TRAINING, TUNED_LR, TUNING_SEEDS, Sweep, grid

LRU_MODELS = ({"cell": "lru"}, MODELS[0], MODELS[3], MODELS[4])  # LRU, tanh RNN, LSTM (b_f = 1), GRU
# (lag tuned at, steps, settings) per task. On copy the others are H = 128 wide (Chapter 8: narrower ones did not come
# near the criterion), the LRU H = 32 (its layers apply two linear maps and an MLP at every step: at H = 128 a run cost
# too much for this sweep on two cores)
LRU_TUNING = {"adding_hs": (40, 3000, TRAINING), "copy": (10, 3000, {**TRAINING, "hidden": 128})}
LRU_HIDDEN = {"adding_hs": 32, "copy": 32}
LRU_LAGS = {"adding_hs": 200, "copy": 40}
# the lag-blocking truncation of Chapter 8 (sweeps.BLOCKING): the largest k whose gradient reaches no informative input
# (adding_hs: the second marker is never in the last half; copy: the symbols are the first 10 of T + 20 steps)
LRU_BLOCKING = {"adding_hs": LRU_LAGS["adding_hs"] // 2, "copy": LRU_LAGS["copy"] + 10}
# Each model's chosen rate per task, in LRU_MODELS order (None: not chosen yet): from lru-lr (the LRU's, and all of
# the adding problem's; ``chapters.scan_training``, a test checks them against the committed runs), on copy the
# others' from copy-lr (Chapter 8)
LRU_LR = {"adding_hs": (0.01, 0.003, 0.003, 0.03),
          "copy": (0.003, TUNED_LR["copy"][0], TUNED_LR["copy"][3], TUNED_LR["copy"][4])}


def _tuning() -> tuple:
    return tuple(c for task, (T, steps, settings) in LRU_TUNING.items()
                 for model in (LRU_MODELS if task == "adding_hs" else LRU_MODELS[:1]) for lr in ADAM_LRS
                 for c in grid("lr", "", tasks=(task,), models=(model,), lags=(T,), seeds=TUNING_SEEDS,
                               clips=(1.0,), steps=steps, **{**settings, "lr": lr, **_width(task, model)}).configs)


def _width(task: str, model: dict) -> dict:
    """The LRU's width on ``task`` (``LRU_HIDDEN``); the others keep the settings'."""
    return {"hidden": LRU_HIDDEN[task]} if model["cell"] == "lru" else {}


def _at(task: str, m: int, **control) -> tuple:
    """LRU_MODELS[m] on ``task`` at its chosen rate and lag, clipped, SEEDS, the tuning's budget and settings."""
    _, steps, settings = LRU_TUNING[task]
    return grid("lag", "", tasks=(task,), models=({**LRU_MODELS[m], **control},), lags=(LRU_LAGS[task],),
                clips=(1.0,), steps=steps, **{**settings, "lr": LRU_LR[task][m], **_width(task, LRU_MODELS[m])}).configs


LRU_SWEEPS = {s.name: s for s in (
    Sweep("lru-lr", "Chapter 10, the learning rates of the LRU sweeps: LRU, tanh RNN, LSTM (b_f = 1), GRU × Adam lr "
          "0.001, 0.003, 0.01, 0.03 × tuning seeds 100, 101, clipped, 3000 steps: H&S's adding problem at T = 40; "
          "copy memory at delay 10, the LRU alone (H = 32; copy-lr tuned the others at H = 128).", _tuning()),
)}
# the tasks where the LRU's full runs solved at least once, so that its controls have a "solved" to qualify (Chapter
# 8's rule): on H&S's adding problem at T = 200 none did (lru-adding: 0 of 5), and its controls were not run
LRU_CONTROLLED = ("copy",)
for _task, _name in (("adding_hs", "lru-adding"), ("copy", "lru-copy")):
    _what = {"adding_hs": "H&S's adding problem at T = 200 (H = 32)",
             "copy": "copy memory at delay 40 (the LRU H = 32, the others H = 128)"}[_task]
    if LRU_LR[_task][0] is not None:
        controls = _task in LRU_CONTROLLED
        LRU_SWEEPS[_name] = Sweep(
            _name, f"Chapter 10, the LRU on {_what} at its chosen rate, clipped, 5 seeds, 3000 steps"
            + (f"; then its controls: truncated BPTT at k = {LRU_BLOCKING[_task]} (no gradient reaches an informative "
               "input) and the readout alone." if controls else "."),
            _at(_task, 0) + ((_at(_task, 0, truncate=LRU_BLOCKING[_task]) + _at(_task, 0, train="readout"))
                             if controls else ()))
    if all(lr is not None for lr in LRU_LR[_task][1:]):
        LRU_SWEEPS[_name + "-others"] = Sweep(
            _name + "-others", f"Chapter 10, beside the LRU on {_what}: tanh RNN, LSTM (b_f = 1), GRU, each at its "
            "chosen rate, clipped, 5 seeds, 3000 steps.", tuple(c for m in (1, 2, 3) for c in _at(_task, m)))
# the other models that solved at least once (indices into LRU_MODELS): their lag-blocking control, as the LRU's
OTHERS_CONTROLLED = {"adding_hs": (3,)}  # the GRU on H&S's adding problem at T = 200
LRU_SWEEPS["lru-adding-controls"] = Sweep(
    "lru-adding-controls", "Chapter 10, the GRU on H&S's adding problem at T = 200 (it solved in lru-adding-others) "
    "with truncated BPTT at k = 100, whose gradient reaches no informative input; its rate, clipped, 5 seeds.",
    tuple(c for task, ms in OTHERS_CONTROLLED.items() for m in ms for c in _at(task, m, truncate=LRU_BLOCKING[task])))

