"""The training controls of Chapter 8's latch: truncated BPTT and readout-only training.

Truncation (``RecurrentClassifier.forward(x, truncate=k)``, ``TrainConfig.truncate``, ``RunConfig.truncate``) is
checked in float64 against an independent construction: the first T − k steps run without a graph, the last k
with one. Readout-only training (``RunConfig.train``) must leave the cell exactly at its initialisation. Neither
may change a default run: the committed smoke records still reproduce, and the committed keys are unchanged.
"""
import dataclasses
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnnlab import tasks, train
from rnnlab.experiments import RunConfig, build_model, run, same_outcome, same_record, store
from rnnlab.experiments import runner
from rnnlab.experiments.runner import VERSIONS
from rnnlab.models import RecurrentClassifier

N, T, H = 5, 7, 4
TINY = dict(hidden=4, steps=6, batch=4, eval_every=3, eval_size=20)


def _model_and_batch(cell, every_step=False):
    model = RecurrentClassifier(1, H, 2, cell=cell, seed=3, dtype=torch.float64, every_step=every_step)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(N, T, 1, dtype=torch.float64, generator=gen).requires_grad_()  # (N, T, D)
    return model, x, torch.randint(0, 2, (N,), generator=gen)


def _step(model, x_t, state):
    """One step of the model's cell on state (h, c); c is unused but by the LSTM."""
    h, c = state
    return model.cell(x_t, (h, c)) if model.cell_type == "lstm" else (model.cell(x_t, h), c)


def _last_k_with_grad(model, x, y, k):
    """The loss at T with gradient through the last k steps only, built independently of ``truncate``."""
    state = (x.new_zeros(N, H), x.new_zeros(N, H))  # (N, H) h_0, c_0
    with torch.no_grad():  # steps 1 .. T−k: constants for the gradient
        for t in range(max(T - k, 0)):
            state = _step(model, x[:, t], state)
    for t in range(max(T - k, 0), T):
        state = _step(model, x[:, t], state)
    return F.cross_entropy(model.readout(state[0]), y)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("k", [1, 3, T - 1, T, T + 2])
def test_truncate_k_sends_the_last_steps_loss_back_exactly_k_steps(cell, k):
    model, x, y = _model_and_batch(cell)
    params = list(model.parameters())
    output = model(x, truncate=k)
    assert torch.equal(output, model(x))  # the same numbers; only the graph is cut
    dx, *dparams = torch.autograd.grad(F.cross_entropy(output, y), [x, *params])  # dx (N, T, 1)
    reached = dx.abs().amax(dim=(0, 2)) > 0  # (T,): does the gradient reach x_t?
    assert reached.tolist() == [t > T - k for t in range(1, T + 1)]
    expected = torch.autograd.grad(_last_k_with_grad(model, x, y, k), params)
    for ours, theirs in zip(dparams, expected):
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


def test_chunks_are_counted_back_from_the_end_for_a_loss_at_every_step():
    model, x, _ = _model_and_batch("rnn", every_step=True)
    k, output = 3, model(x, truncate=3)  # T = 7: chunks {1}, {2, 3, 4}, {5, 6, 7}
    starts = {1: 1, 2: 2, 3: 2, 4: 2, 5: 5, 6: 5, 7: 5}
    for s in range(1, T + 1):
        (dx,) = torch.autograd.grad(output[:, s - 1].sum(), x, retain_graph=True)  # the output at step s
        reached = [t for t in range(1, T + 1) if dx[:, t - 1].abs().max() > 0]
        assert reached == list(range(starts[s], s + 1)) and len(reached) <= k


def test_training_with_truncate_takes_the_truncated_gradient_step():
    model, _, _ = _model_and_batch("rnn")
    before = [p.detach().clone() for p in model.parameters()]
    config = train.TrainConfig(steps=1, batch_size=N, lr=0.1, optimizer="sgd", seed=4, progress=False, truncate=2)
    train.train(model, tasks.first_bit, config, T)
    batch = tasks.first_bit(N, T, np.random.default_rng(4))  # the batch train drew
    fresh = RecurrentClassifier(1, H, 2, seed=3, dtype=torch.float64)
    grads = torch.autograd.grad(_last_k_with_grad(fresh, batch.x.double(), batch.y, 2), list(fresh.parameters()))
    for p, p0, g in zip(model.parameters(), before, grads):
        torch.testing.assert_close(p.detach(), p0 - 0.1 * g, rtol=1e-12, atol=1e-12)


def test_readout_only_leaves_the_cell_at_its_initialisation(monkeypatch):
    config = RunConfig("latch", 6, train="readout", **TINY)
    built = []
    monkeypatch.setattr(runner, "build_model", lambda c: built.append(build_model(c)) or built[-1])
    record = run(config)
    (model,), initial = built, build_model(config)
    for name, p in model.cell.named_parameters():
        assert torch.equal(p, initial.cell.get_parameter(name)), name
    assert not torch.equal(model.readout.weight, initial.readout.weight)
    assert not torch.equal(model.readout.bias, initial.readout.bias)
    assert all(n > 0 for n in record["grad_norms_final"])  # the probe still reads ∂L/∂h_t through the cell
    assert record["grad_norms_init"] == run(dataclasses.replace(config, train="all"))["grad_norms_init"]


def test_default_configs_reproduce_the_committed_smoke_records():
    data = store.load(store.RESULTS / "smoke.json")
    for entry in data["configs"]:
        if entry["cell"] != "rnn" or entry["task"] not in ("latch", "adding"):
            continue
        config = RunConfig.from_dict({k: v for k, v in entry.items() if k != "key"})
        assert config.key == entry["key"] and (config.truncate, config.train) == (None, "all")
        committed, record = data["records"][config.key], run(config)
        assert same_record(record, run(config))  # on this machine, exactly
        if committed.get("versions", data["versions"]) == VERSIONS:
            assert same_record(record, committed)
        else:
            assert same_outcome(record, committed, config) == []


def test_the_controls_are_in_the_key_only_when_not_default():
    base = RunConfig("latch", 20)
    assert "truncate" not in base.key and "train" not in base.key
    assert set(base.to_dict()) == {"task", "T", "cell", "hidden", "forget_bias", "clip", "optimizer", "lr", "steps",
                                   "batch", "eval_every", "eval_size", "seed"}  # the fields of the committed files
    assert dataclasses.replace(base, truncate=None, train="all").key == base.key
    truncated = RunConfig("latch", 20, truncate=np.int64(3))
    readout = RunConfig("latch", 20, train="readout")
    assert truncated.key == base.key + ",truncate=3" and type(truncated.truncate) is int
    assert readout.key == base.key + ",train=readout"
    assert len({base.key, truncated.key, readout.key, dataclasses.replace(base, truncate=1).key}) == 4
    for config in (base, truncated, readout):
        data = json.loads(json.dumps(config.to_dict()))
        assert RunConfig.from_dict(data) == config and RunConfig.from_dict(data).key == config.key
    assert truncated.train_config().truncate == 3 and base.train_config().truncate is None


def test_ladder_counts_full_bptt_k1_and_the_control_of_the_same_configs():
    from rnnlab.chapters.longterm import Results
    from rnnlab.chapters.longterm_controls import ladder, ladder_table

    def results(name, configs, solved):
        return Results(name, "order", tuple(configs), {c.key: {"solved": s} for c, s in zip(configs, solved)})

    gru = [RunConfig("order", 20, cell="gru", lr=0.01, clip=1.0, seed=s, truncate=8) for s in range(3)]
    rnn = [RunConfig("order", 10, lr=0.003, clip=1.0, seed=s, truncate=4) for s in range(3)]
    control = results("ctl", gru + rnn, [True, False, False, False, False, False])
    full = results("full", [dataclasses.replace(c, truncate=None) for c in gru + rnn], [True] * 5 + [False])
    k1 = results("k1", [dataclasses.replace(c, truncate=1) for c in gru + rnn], [False, True] + [False] * 4)
    rows = ladder(control, k1, full)  # the order of the others does not matter
    assert [(r.model, r.T, r.lr, r.k, r.full, r.k1, r.control, r.runs) for r in rows] == [
        ("GRU", 20, 0.01, 8, 3, 1, 1, 3), ("tanh RNN", 10, 0.003, 4, 2, 0, 0, 3)]
    lines = ladder_table(rows)
    assert lines[1].split() == ["GRU", "20", "0.01", "8", "3", "→", "1", "→", "1"]
    assert all(len(line) <= 75 for line in lines)
    assert all(r.readout is None for r in rows) and "readout" not in lines[0]
    frozen = [dataclasses.replace(c, truncate=None, train="readout") for c in gru + rnn]
    both = results("ctl+ro", gru + rnn + frozen, [True] + [False] * 5 + [False, False, True] + [False] * 3)
    rows = ladder(both, k1, full)
    assert [r.readout for r in rows] == [1, 0] and [r.control for r in rows] == [1, 0]
    assert ladder_table(rows)[1].split()[-1] == "1" and "readout" in ladder_table(rows)[0]
    with pytest.raises(ValueError, match="truncate=1 for seeds"):
        ladder(control, full)  # no k = 1 runs
    with pytest.raises(ValueError, match="truncated-BPTT"):
        ladder(full, k1)
    with pytest.raises(ValueError, match="one task"):
        ladder(control, Results("x", "copy", (), {}))


@pytest.mark.parametrize("task, T, k, last", [("order", 20, 8, 11), ("adding_hs", 20, 10, 9),
                                              ("marked_latch", 10, 8, 1), ("copy", 5, 15, 9)])
def test_reach_finds_the_last_informative_input_and_where_the_truncated_gradient_stops(task, T, k, last):
    from rnnlab.chapters.longterm_controls import reach

    for cell in ("rnn", "gru"):
        r = reach(RunConfig(task, T, cell=cell, hidden=8, truncate=k), n=64)
        assert (r.last_informative, r.reached, r.reached_next) == (last, last + 1, last)
    assert reach(RunConfig(task, T, hidden=8, truncate=k - 1), n=64).reached == last + 2  # one step shorter


def test_reach_needs_a_truncated_config_of_a_task_with_known_informative_inputs():
    from rnnlab.chapters.longterm_controls import reach

    with pytest.raises(ValueError, match="truncate = k"):
        reach(RunConfig("order", 20))
    with pytest.raises(ValueError, match="config.task"):
        reach(RunConfig("latch", 20, truncate=3))
