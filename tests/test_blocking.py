"""Chapter 8's blocking-controls control (sweep ``blocking-controls``): each k is the largest truncation whose gradient reaches
no informative input of its task, and each run has the settings of the committed full-BPTT runs it controls."""
import numpy as np
import pytest
import torch

from rnnlab import models
from rnnlab.chapters import longterm
from rnnlab.experiments.registry import TASKS
from rnnlab.experiments.sweeps import BLOCKING, SEEDS, SWEEPS

LAST_INFORMATIVE = {"order": lambda T: (6 * T) // 10 - 1, "adding_hs": lambda T: T // 2 - 1,
                    "marked_latch": lambda T: 1, "copy": lambda T: 9}  # latest 0-based position of an informative input
FULL = {"order": ("lag-order", "order-tuned"), "adding_hs": ("adding-hs",), "marked_latch": ("marked-latch",),
        "copy": ("copy-delay",)}  # the sweeps whose full-BPTT runs the controls control


def reached(task, T, k, cell):
    """The earliest input position the truncated gradient of the task's informative losses reaches."""
    spec = TASKS[task]
    batch = spec.make(16, T, np.random.default_rng(0))
    model = models.RecurrentClassifier(spec.input_size, 8, spec.n_outputs, cell=cell, seed=0, dtype=torch.float64,
                                       every_step=spec.every_step)
    x = batch.x.double().requires_grad_(True)
    out = model(x, truncate=k)
    (out[:, -10:] if task == "copy" else out).sum().backward()  # copy: the losses of the ten copied symbols
    return int(np.nonzero(x.grad.abs().sum(dim=(0, 2)).numpy() > 0)[0].min())


@pytest.mark.parametrize("task, model, T, lr, steps, hidden, k", BLOCKING)
def test_k_blocks_every_informative_input_and_one_more_step_would_not(task, model, T, lr, steps, hidden, k):
    cell = "rnn" if model["cell"] == "irnn" else model["cell"]
    last = LAST_INFORMATIVE[task](T)
    assert reached(task, T, k, cell) > last
    if task != "copy":  # the largest such k: one more step reaches the last informative input
        assert reached(task, T, k + 1, cell) == last
    else:  # copy: the one chunk boundary sits just after the ten symbols
        assert k == T + 10 and reached(task, T, k, cell) == 10


def test_each_control_has_the_settings_of_its_committed_full_bptt_runs():
    full = {c.key: c for name in {n for ns in FULL.values() for n in ns} for c in SWEEPS[name].configs}
    configs = SWEEPS["blocking-controls"].configs
    assert len(configs) == 2 * len(BLOCKING) * len(SEEDS)  # truncated at k, and the readout alone
    for c in configs:
        twin = c.__class__(**{**c.to_dict(), "truncate": None, "train": "all"})
        assert twin.key in full, longterm.model_name(c)
        assert (c.truncate is None) == (c.train == "readout") and c.clip == 1.0
