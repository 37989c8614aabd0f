"""Chapter 5's additions: Pascanu's NaN guard, Mikolov's clipping of the temporal components, clipping with
Adam, the runner's omega / init fields, and the reading of the clip-order sweeps."""
import dataclasses
import math

import numpy as np
import pytest
import torch

from rnnlab import rnn
from rnnlab.chapters import clipping_runs as runs
from rnnlab.chapters import bptt_explorer
from rnnlab.chapters import clipping_adam as ca
from rnnlab.chapters import clipping_fig7 as fig7
from rnnlab.chapters import clipping_mikolov as mk
from rnnlab.experiments import RunConfig, build_model, run
from rnnlab.experiments.sweeps import PASCANU_LRS, PASCANU_VARIANTS, SWEEPS

# --- Pascanu's guard ------------------------------------------------------------------------------------

W = 3.0 * np.eye(2)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan, 1e200])
def test_guard_replaces_a_non_finite_or_huge_gradient_by_a_shrink_of_w_hh(bad):
    grads = [np.array([[bad, 0.0], [0.0, 1.0]]), np.ones(3)]
    direction, guarded = runs.pascanu_guard(grads, 0, W)
    assert guarded
    np.testing.assert_array_equal(direction[0], 0.02 * W)
    np.testing.assert_array_equal(direction[1], np.zeros(3))
    lr = 0.01  # the SGD step multiplies W_hh by 1 - 0.02 lr
    np.testing.assert_allclose(W - lr * direction[0], (1 - 0.02 * lr) * W, rtol=1e-15)


def test_guard_clips_like_their_code_otherwise():
    grads = [np.full((2, 2), 3.0), np.ones(2)]
    direction, guarded = runs.pascanu_guard(grads, 0, W, threshold=1.0)
    norm = math.sqrt(4 * 9 + 2)
    assert not guarded
    for d, g in zip(direction, grads):
        np.testing.assert_allclose(d, g / norm, rtol=1e-15)  # exactly τ/‖g‖, without torch's 1e-6
    small = [0.1 * g for g in grads]
    direction, _ = runs.pascanu_guard(small, 0, W, threshold=1.0)
    for d, g in zip(direction, small):
        np.testing.assert_array_equal(d, g)
    _, guarded = runs.pascanu_guard([np.full((2, 2), 1e9)], 0, W, limit=1e10)  # ‖g‖ = 2e9: trusted
    assert not guarded


@pytest.mark.parametrize("call, pattern", [
    (lambda: runs.pascanu_guard(np.ones((2, 2)), 0, W), "non-empty list"),
    (lambda: runs.pascanu_guard([], 0, W), "non-empty list"),
    (lambda: runs.pascanu_guard([np.ones((2, 2))], 1, W), "index must be the position"),
    (lambda: runs.pascanu_guard([np.ones((2, 2))], True, W), "index must be the position"),
    (lambda: runs.pascanu_guard([np.ones((3, 3))], 0, W), "W_hh must be square and have the shape"),
    (lambda: runs.pascanu_guard([np.ones((2, 2))], 0, W * np.nan), "W_hh contains NaN"),
    (lambda: runs.pascanu_guard([np.ones((2, 2))], 0, W, threshold=0.0), "threshold must be positive"),
    (lambda: runs.pascanu_guard([np.ones((2, 2))], 0, W, limit=-1.0), "limit must be positive"),
])
def test_guard_bad_inputs(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_torch_clip_grad_norm_does_not_repair_a_non_finite_gradient():
    """The facts the chapter's myth box prints: inf -> NaN and zeros; NaN -> all NaN; an overflowing norm -> zeros."""
    def clipped(values):
        p = torch.zeros(len(values), dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(values, dtype=torch.float64)
        norm = torch.nn.utils.clip_grad_norm_([p], 1.0)
        return norm.item(), p.grad.tolist()

    norm, g = clipped([math.inf, 1.0])
    assert norm == math.inf and math.isnan(g[0]) and g[1] == 0.0
    norm, g = clipped([math.nan, 1.0])
    assert math.isnan(norm) and all(math.isnan(v) for v in g)
    norm, g = clipped([1e308, 1e308])
    assert norm == math.inf and g == [0.0, 0.0]


# --- Mikolov's clipping ---------------------------------------------------------------------------------

def _network(seed=0, scale=1.5, T=20, H=8):
    return bptt_explorer.contribution_network(scale, T, H=H, seed=seed)


@pytest.mark.parametrize("seed", range(3))
def test_the_three_clippings_equal_bptt_when_nothing_is_clipped(seed):
    cache, g = _network(seed)
    T, H = cache.h.shape[1:]
    dh = np.zeros((1, T, H))
    dh[:, -1] = g
    full = rnn.rnn_backward(dh, cache).dW_hh
    for f in (mk.value_clipped_sum, mk.component_clipped_sum, mk.error_clipped_bptt):
        np.testing.assert_allclose(f(g, cache, 1e12), full, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(mk.components(g, cache).sum(axis=0), full, rtol=1e-12, atol=1e-14)


def test_error_clipping_is_bptt_with_the_propagated_error_clamped():
    """Independent loop: the error reaching h_{k-1} clamped, then used for every older step."""
    cache, g = _network(1)
    v = 0.05
    x, h0, h, a, W_xh, W_hh, act = cache
    err, dW = g[0].copy(), np.zeros_like(W_hh)
    for k in range(h.shape[1] - 1, -1, -1):
        delta = err * (1 - np.tanh(a[0, k]) ** 2)
        prev = h[0, k - 1] if k else h0[0]
        dW += np.outer(delta, prev)
        err = np.clip(W_hh.T @ delta, -v, v)
    np.testing.assert_allclose(mk.error_clipped_bptt(g, cache, v), dW, rtol=1e-12, atol=1e-15)


def test_component_clipping_is_not_value_clipping():
    """At v = the largest entry of any component, clipping each component does nothing, value clipping does."""
    cache, g = _network(0)
    C = mk.components(g, cache)
    v = np.abs(C).max()
    assert np.abs(C.sum(axis=0)).max() > v  # the components add up beyond any one of them
    np.testing.assert_array_equal(mk.component_clipped_sum(g, cache, v), np.clip(C, -v, v).sum(axis=0))
    np.testing.assert_allclose(mk.component_clipped_sum(g, cache, v), C.sum(axis=0), rtol=1e-12)
    assert not np.allclose(mk.value_clipped_sum(g, cache, v), C.sum(axis=0))


@pytest.mark.parametrize("call, pattern", [
    (lambda c, g: mk.value_clipped_sum(g, c, 0.0), "v must be positive"),
    (lambda c, g: mk.component_clipped_sum(g[0], c, 1.0), "dh_T must have 2"),
    (lambda c, g: mk.error_clipped_bptt(np.ones((1, 3)), c, 1.0), r"dh_T must have shape \(N, H\)"),
    (lambda c, g: mk.error_clipped_bptt(g, tuple(c), 1.0), "cache must be the rnn.Cache"),
])
def test_mikolov_bad_inputs(call, pattern):
    cache, g = _network(0)
    with pytest.raises(ValueError, match=pattern):
        call(cache, g)


# --- clipping with Adam -----------------------------------------------------------------------------------

def test_adam_steps_do_not_change_when_every_gradient_is_scaled_sgd_steps_do():
    g = ca.stream(200, spike_at=None)
    adam = ca.steps_taken(g, "adam")
    for c in (1e-2, 1e2):
        np.testing.assert_allclose(ca.steps_taken(c * g, "adam"), adam, rtol=1e-5, atol=1e-12)
        np.testing.assert_allclose(ca.steps_taken(c * g, "sgd"), c * ca.steps_taken(g, "sgd"), rtol=1e-9)


def test_adams_first_step_is_lr_times_the_sign():
    steps = ca.steps_taken(np.array([[1e-6, -1.0, 1e3]]), "adam", lr=0.01)
    np.testing.assert_allclose(steps[0], [-0.01 * 1e-6 / (1e-6 + 1e-8), 0.01, -0.01], rtol=1e-7)


def test_a_spike_throws_sgd_and_stalls_adam_unless_clipped():
    r = ca.spike_run(steps=900, spike_at=200)
    s = r.spike_at
    before = {k: np.median(v[s - 100:s]) for k, v in r.step_norm.items()}
    assert r.step_norm["sgd", None][s] > 500 * before["sgd", None]
    assert r.step_norm["sgd", 5.0][s] <= ca.LR * 5.0
    assert r.step_norm["adam", None][s] < 3 * before["adam", None]  # Adam's own step stays bounded
    assert np.median(r.step_norm["adam", None][s + 100:]) < before["adam", None] / 10  # the stall
    assert np.median(r.step_norm["adam", 5.0][s + 100:]) > 0.8 * before["adam", 5.0]


@pytest.mark.parametrize("call, pattern", [
    (lambda: ca.steps_taken(np.ones(3)), "grads must have 2"),
    (lambda: ca.steps_taken(np.ones((2, 2)), "rmsprop"), "optimizer must be one of"),
    (lambda: ca.steps_taken(np.ones((2, 2)), clip=0.0), "clip must be positive"),
    (lambda: ca.stream(10, spike_at=10), "spike_at must be at most 9"),
    (lambda: ca.stream(0), "steps must be at least 1"),
])
def test_adam_bad_inputs(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# --- the runner's omega and init fields ---------------------------------------------------------------------

def test_omega_and_init_keep_old_keys_and_spell_new_ones():
    old = RunConfig("order", 12)
    assert "omega" not in old.key and "init" not in old.key
    assert RunConfig("order", 12, omega=0, init="torch") == old
    new = RunConfig("order", 12, omega=4, init="basic_tanh")
    assert new.key == old.key + ",omega=4.0,init=basic_tanh" and type(new.omega) is float
    assert RunConfig.from_dict(new.to_dict()) == new


def test_basic_tanh_draws_normal_weights_with_sd_0_1_and_zero_biases():
    model = build_model(RunConfig("order", 12, hidden=50, init="basic_tanh", seed=3))
    for w in (model.cell.weight_ih, model.cell.weight_hh, model.readout.weight):
        n = w.numel()  # 400, 2500, 200 draws: the sample mean and sd within 4 standard errors
        assert abs(w.mean().item()) < 4 * 0.1 / n ** 0.5 and abs(w.std().item() - 0.1) < 4 * 0.1 / (2 * n) ** 0.5
    for b in (model.cell.bias_ih, model.cell.bias_hh, model.readout.bias):
        assert torch.all(b == 0)
    again = build_model(RunConfig("order", 12, hidden=50, init="basic_tanh", seed=3))
    assert torch.equal(again.cell.weight_hh, model.cell.weight_hh)
    assert not torch.equal(build_model(RunConfig("order", 12, hidden=50, init="basic_tanh", seed=4))
                           .cell.weight_hh, model.cell.weight_hh)


def test_omega_reaches_the_training_loop():
    tiny = dict(hidden=4, steps=3, batch=4, eval_every=3, eval_size=20, optimizer="sgd", lr=0.1)
    plain = run(RunConfig("order", 12, **tiny))
    reg = run(RunConfig("order", 12, omega=5.0, **tiny))
    assert plain["grad_norms_init"] == reg["grad_norms_init"]  # same model, same probe
    assert plain["grad_norms_final"] != reg["grad_norms_final"]  # a different W_hh after training


@pytest.mark.parametrize("kwargs, match", [
    (dict(omega=-1.0), "omega must be at least 0"),
    (dict(omega=None), "omega"),
    (dict(omega=1.0, cell="lstm"), "omega .* needs cell='rnn' and train='all'"),
    (dict(omega=1.0, cell="irnn"), "omega .* needs cell='rnn' and train='all'"),
    (dict(omega=1.0, train="readout"), "omega .* needs cell='rnn' and train='all'"),
    (dict(omega=1.0, truncate=2), "cannot be combined with truncate"),
    (dict(init="smart_tanh"), "init must be one of"),
    (dict(init=None), "init must be one of"),
    (dict(init="basic_tanh", cell="gru"), "needs cell='rnn'"),
])
def test_omega_and_init_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RunConfig("order", 12, **kwargs)


# --- the clip-order sweeps ------------------------------------------------------------------------------------

def test_clip_order_sweeps_have_the_three_variants_and_the_paper_settings():
    for name in ("clip-order-lr", "clip-order"):
        if name not in SWEEPS:
            continue
        configs = SWEEPS[name].configs
        assert {(c.clip, c.omega) for c in configs} == set(PASCANU_VARIANTS)
        assert all(c.task == "order" and c.cell == "rnn" and c.init == "basic_tanh" and c.hidden == 50
                   and c.optimizer == "sgd" and c.batch == 20 for c in configs)
        assert {fig7.variant(c) for c in configs} == {"MSGD", "MSGD-C", "MSGD-CR"}
    tuning_seeds = {c.seed for c in SWEEPS["clip-order-lr"].configs}
    if "clip-order" in SWEEPS:
        assert not tuning_seeds & {c.seed for c in SWEEPS["clip-order"].configs}


def test_tuning_picks_most_reached_then_fewest_steps_then_accuracy():
    t = fig7.Tuning("MSGD", (0.01, 0.03, 0.1), (1, 2, 2), (2, 2, 2), (5000, 900, 400), (0.9, 0.99, 0.99))
    assert t.best == 0.1
    t = dataclasses.replace(t, steps=(5000, 400, 400))
    assert t.best == 0.03
    none = fig7.Tuning("MSGD", (0.01, 0.03, 0.1), (0, 0, 0), (2, 2, 2), (6000, 6000, 6000), (0.3, 0.4, 0.25))
    assert none.best == 0.03


def test_tuning_and_success_read_a_results_file(tmp_path):
    """A results file written by the runner (tiny configs) is read back into counts per variant."""
    from rnnlab.experiments import store
    from rnnlab.experiments.sweeps import Sweep, _pascanu

    tiny = _pascanu((12,), (0, 1), lambda v: (0.1,))
    tiny = tuple(dataclasses.replace(c, hidden=4, steps=4, eval_every=2, eval_size=20) for c in tiny)
    sweep = Sweep("clip-order", "tiny", tiny)
    results = store.ResultsFile(sweep, tmp_path)
    for c in tiny:
        results.add(c.key, run(c))
    import rnnlab.chapters.clipping_fig7 as module
    runs = module.Runs("clip-order", tiny, store.ResultsFile(sweep, tmp_path).records)
    table = module.success(runs)
    assert set(table) == {"MSGD", "MSGD-C", "MSGD-CR"}
    assert all(s.runs == (2,) and s.lr == 0.1 for s in table.values())
    tuned = module.tuning(runs)
    assert all(t.runs[PASCANU_LRS.index(0.1)] == 2 for t in tuned.values())
