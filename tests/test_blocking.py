"""Chapter 8's lag-blocking control (sweep ``blocking-controls``): each k is the largest truncation whose gradient
reaches no informative input of its task (checked with ``longterm_controls.reach`` on the sweep's own models), and
each run (truncated at k, or the readout alone) has the settings of the committed full-BPTT runs it controls."""
import pytest

from rnnlab.chapters import longterm
from rnnlab.chapters.longterm_controls import reach
from rnnlab.experiments.sweeps import BLOCKING, SEEDS, SWEEPS

LAST_INFORMATIVE = {"order": lambda T: (6 * T) // 10 - 1, "adding_hs": lambda T: T // 2 - 1,
                    "marked_latch": lambda T: 1, "copy": lambda T: 9}  # latest 0-based position of an informative input
FULL = {"order": ("lag-order", "order-tuned"), "adding_hs": ("adding-hs",), "marked_latch": ("marked-latch",),
        "copy": ("copy-delay",)}  # the sweeps whose full-BPTT runs the controls control


@pytest.mark.parametrize("task, model, T, lr, steps, hidden, k", BLOCKING)
def test_k_blocks_every_informative_input_and_one_more_step_would_not(task, model, T, lr, steps, hidden, k):
    config = next(c for c in SWEEPS["blocking-controls"].configs
                  if (c.task, c.T, c.cell, c.truncate) == (task, T, model["cell"], k))
    r = reach(config, n=16)  # the sweep's own model at initialisation
    last = LAST_INFORMATIVE[task](T)
    assert r.last_informative <= last and r.reached > last
    if task != "copy":  # the largest such k: one more step reaches the last informative input
        assert r.reached_next == last
    else:  # copy: the one chunk boundary sits just after the ten symbols
        assert k == T + 10 and r.reached == 10


def test_each_control_has_the_settings_of_its_committed_full_bptt_runs():
    full = {c.key: c for name in {n for ns in FULL.values() for n in ns} for c in SWEEPS[name].configs}
    configs = SWEEPS["blocking-controls"].configs
    assert len(configs) == 2 * len(BLOCKING) * len(SEEDS)  # truncated at k, and the readout alone
    for c in configs:
        twin = c.__class__(**{**c.to_dict(), "truncate": None, "train": "all"})
        assert twin.key in full, longterm.model_name(c)
        assert (c.truncate is None) == (c.train == "readout") and c.clip == 1.0
