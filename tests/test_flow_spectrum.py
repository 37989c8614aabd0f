"""Tests of rnnlab.flow_spectrum: σ_max(J_t) by power iteration with Jacobian-vector products agrees with the SVD
of the explicitly formed Jacobian (torch.autograd.functional.jacobian, and rnnlab's hand-written step Jacobians)."""
import numpy as np
import pytest
import torch

from rnnlab import flow, flow_spectrum, gru, lstm, lstm_jacobian, models, rnn
from test_flow import KINDS, SEEDS, inputs, module

TOL = 1e-9  # relative agreement with the exact σ_max; the iteration stops at a relative change of 1e-13


def explicit_sigma_max(step, states, inputs_):
    """σ_max of every J_t, row by row: the Jacobian formed by autograd, then its singular values."""
    out = np.empty((states[0].shape[0], len(states)))
    for t, (s, x_t) in enumerate(zip(states, inputs_)):
        for n in range(s.shape[0]):
            J = torch.autograd.functional.jacobian(lambda v: step(v[None], x_t[n:n + 1].detach())[0],
                                                   s[n].detach())
            out[n, t] = torch.linalg.svdvals(J)[0].item()
    return out


def record(kind, seed, K=1, N=3, T=6, D=2, H=4):
    m = module(kind, D, H, K, seed=seed)
    x, h0, c0, _ = inputs(seed, N, T, D, H, K)
    hx = (torch.from_numpy(h0), torch.from_numpy(c0)) if kind == "lstm" else torch.from_numpy(h0)
    return m, x, h0, c0, flow.run_stepwise(m, torch.from_numpy(x), hx)[2]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layer", [0, 1])
def test_power_iteration_agrees_with_the_svd_of_the_formed_jacobian(kind, seed, layer):
    """Plain power iteration (block 1) on even seeds, a block of 3 vectors (fewer than the state's 4 or 8
    numbers, so the block never spans the whole space) on odd ones."""
    m, _, _, _, trajectory = record(kind, seed, K=2)
    result = flow_spectrum.trajectory_sigma_max(m, trajectory, layer=layer, seed=seed, tol=1e-13, max_iter=5000,
                                                block=1 + 2 * (seed % 2))
    h = trajectory.h[layer][:-1]
    states = h if kind != "lstm" else [torch.cat([a, b], 1) for a, b in zip(h, trajectory.c[layer][:-1])]
    exact = explicit_sigma_max(flow_spectrum.step_function(m, layer), states, trajectory.inputs[layer])
    assert result.values.shape == exact.shape == (3, 6)
    assert np.all(result.converged) and np.all(result.iterations < 5000)
    np.testing.assert_allclose(result.values, exact, rtol=TOL, atol=1e-300)


@pytest.mark.parametrize("seed", SEEDS)
def test_agrees_with_rnnlabs_handwritten_step_jacobians(seed):
    """One-layer modules against rnn.step_jacobians, gru.step_jacobians, lstm_jacobian.step_jacobians."""
    for kind in ["rnn_tanh", "gru", "lstm"]:
        m, x, h0, c0, trajectory = record(kind, seed)
        if kind == "lstm":
            _, _, cache = lstm.lstm_forward(x, h0[0], c0[0], *lstm.from_torch(m))
            J = lstm_jacobian.step_jacobians(cache)  # (N, T, 2H, 2H)
        elif kind == "gru":
            J = gru.step_jacobians(gru.gru_forward(x, h0[0], *gru.from_torch(m))[1])
        else:
            b = (m.bias_ih_l0 + m.bias_hh_l0).detach().numpy()
            _, cache = rnn.rnn_forward(x, h0[0], m.weight_ih_l0.detach().numpy(), m.weight_hh_l0.detach().numpy(), b)
            J = rnn.step_jacobians(cache)
        exact = np.linalg.svd(J, compute_uv=False)[..., 0]  # (N, T)
        for block in (1, 2):
            result = flow_spectrum.trajectory_sigma_max(m, trajectory, tol=1e-13, max_iter=5000, block=block)
            np.testing.assert_allclose(result.values, exact, rtol=TOL, atol=1e-300)


def test_an_orthogonal_step_has_every_singular_value_one_and_a_dead_step_zero():
    """A ReLU RNN with W_hh orthogonal: J_t = diag(1[a_t > 0]) W_hh keeps rows of an orthogonal matrix, so its
    singular values are 1 and 0 and one product JᵀJ u lands on the top space: σ_max = 1, found at once. With every
    unit off, J_t = 0: σ_max = 0, not NaN."""
    m = module("rnn_relu", 2, 5, seed=0)
    Q, _ = torch.linalg.qr(torch.randn(5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(1)))
    with torch.no_grad():
        m.weight_hh_l0.copy_(Q)
        m.weight_ih_l0.zero_()
        m.bias_hh_l0.zero_()
        for bias, t in ((5.0, "alive"), (-5.0, "dead")):
            m.bias_ih_l0.fill_(bias)
            trajectory = flow.run_stepwise(m, torch.ones(2, 4, 2, dtype=torch.float64))[2]
            result = flow_spectrum.trajectory_sigma_max(m, trajectory)
            if t == "alive":
                np.testing.assert_allclose(result.values, 1.0, rtol=0, atol=1e-12)
                assert np.all(result.iterations <= 3)
            else:
                assert np.all(result.values == 0.0) and np.all(result.converged)


def test_the_start_is_seeded_max_iter_reported_and_a_block_converges_faster():
    m, _, _, _, trajectory = record("lstm", 0, H=6)  # the (h, c) state: 12 numbers
    a = flow_spectrum.trajectory_sigma_max(m, trajectory, seed=4, block=1)
    b = flow_spectrum.trajectory_sigma_max(m, trajectory, seed=4, block=1)
    assert np.array_equal(a.values, b.values) and np.array_equal(a.iterations, b.iterations)
    short = flow_spectrum.trajectory_sigma_max(m, trajectory, max_iter=2, block=1)
    assert np.all(short.iterations == 2) and not np.any(short.converged)
    assert np.all(short.values <= a.values * (1 + 1e-12))  # ‖J u‖ ≤ σ_max for a unit u: never above
    fast = flow_spectrum.trajectory_sigma_max(m, trajectory, seed=4, block=4)
    np.testing.assert_allclose(fast.values, a.values, rtol=1e-8)
    assert fast.iterations.sum() < a.iterations.sum()


def test_a_generic_step_function():
    """A hand-made step s_t = tanh(W s_{t-1} + x_t) with a known Jacobian diag(1 − s_t²) W."""
    rng = np.random.default_rng(0)
    W = torch.from_numpy(rng.standard_normal((3, 3)))
    step = lambda s, x_t: torch.tanh(s @ W.T + x_t)  # noqa: E731
    states = [torch.from_numpy(rng.standard_normal((2, 3))) for _ in range(4)]
    xs = [torch.from_numpy(rng.standard_normal((2, 3))) for _ in range(4)]
    result = flow_spectrum.top_singular_values(step, states, xs, tol=1e-13, max_iter=5000)
    exact = [[np.linalg.svd((1 - step(s, x).numpy()[n] ** 2)[:, None] * W.numpy(), compute_uv=False)[0]
              for s, x in zip(states, xs)] for n in range(2)]
    np.testing.assert_allclose(result.values, exact, rtol=TOL)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_a_users_own_cell_whose_parameters_require_grad(cell):
    """The natural step of a user's cell loop, ``lambda h, x: m.cell(x, h)``: the cell's parameters require grad
    and the states are nodes of the model's graph; σ_max is that of the formed Jacobian, as plain numbers."""
    m = models.RecurrentClassifier(2, 5, 2, cell=cell, seed=1, dtype=torch.float64)
    assert all(p.requires_grad for p in m.cell.parameters())
    x = torch.from_numpy(np.random.default_rng(1).standard_normal((3, 6, 2)))
    _, states = m(x, return_states=True)  # [h_1, …, h_6], nodes that require grad
    h = [torch.zeros(3, 5, dtype=torch.float64)] + states[:-1]  # h_0 … h_5: where each J_t is taken
    step = lambda h, x: m.cell(x, h)  # noqa: E731
    result = flow_spectrum.top_singular_values(step, h, list(x.unbind(1)), tol=1e-13, max_iter=5000)
    assert isinstance(result.values, np.ndarray) and result.values.shape == (3, 6) and np.all(result.converged)
    np.testing.assert_allclose(result.values, explicit_sigma_max(step, h, list(x.unbind(1))), rtol=TOL)
    assert all(p.grad is None for p in m.parameters())  # measuring touched no parameter gradient


@pytest.mark.parametrize("kind", KINDS)
def test_a_bidirectional_module_gives_one_sigma_per_direction(kind):
    """Each direction along its own steps (the backward one reading x_T..x_1), against the formed Jacobians."""
    m = module(kind, 2, 4, 2, seed=2, bidirectional=True)
    runs = flow.run_stepwise(m, torch.from_numpy(np.random.default_rng(2).standard_normal((3, 5, 2))))[2]
    for layer in (0, 1):
        result = flow_spectrum.trajectory_sigma_max(m, runs, layer=layer, tol=1e-13, max_iter=5000)
        assert set(result) == {"forward", "backward"}
        for direction, run in runs.items():
            h = run.h[layer][:-1]
            states = h if kind != "lstm" else [torch.cat([a, b], 1) for a, b in zip(h, run.c[layer][:-1])]
            exact = explicit_sigma_max(flow_spectrum.step_function(m, layer, direction), states, run.inputs[layer])
            np.testing.assert_allclose(result[direction].values, exact, rtol=TOL, atol=1e-300)


GOOD = [torch.ones(1, 2)]
BAD = [
    ("step_function-module", "rnn must be a torch.nn.RNN", lambda: flow_spectrum.step_function("lstm")),
    ("step_function-layer", "layer must be at most 0", lambda: flow_spectrum.step_function(torch.nn.LSTM(1, 2), 1)),
    ("top_singular_values-step", "step must be a function", lambda: flow_spectrum.top_singular_values(3, GOOD, GOOD)),
    ("top_singular_values-tol", "tol must be positive",
     lambda: flow_spectrum.top_singular_values(torch.add, GOOD, GOOD, tol=0.0)),
    ("top_singular_values-max_iter", "max_iter must be at least 1",
     lambda: flow_spectrum.top_singular_values(torch.add, GOOD, GOOD, max_iter=0)),
    ("top_singular_values-block", "block must be at least 1",
     lambda: flow_spectrum.top_singular_values(torch.add, GOOD, GOOD, block=0)),
    ("top_singular_values-ragged", "every state must have the shape of states.0.",
     lambda: flow_spectrum.top_singular_values(torch.add, GOOD + [torch.ones(2, 2)], GOOD * 2)),
    ("top_singular_values-seed", "seed must be at least 0",
     lambda: flow_spectrum.top_singular_values(torch.add, GOOD, GOOD, seed=-1)),
    ("top_singular_values-states", "states must be a non-empty list of tensors",
     lambda: flow_spectrum.top_singular_values(torch.add, [], GOOD)),
    ("top_singular_values-lengths", "states and inputs must have one entry per step",
     lambda: flow_spectrum.top_singular_values(torch.add, GOOD, GOOD * 2)),
    ("top_singular_values-shape", "step.s, x_t. must return a state of the shape of s",
     lambda: flow_spectrum.top_singular_values(lambda s, x: s.sum(1), GOOD, GOOD)),
    ("top_singular_values-dtype", r"step\(s, x_t\) failed on states \(1, 3\) and inputs \(1, 2\) of dtype "
     "torch.float32",
     lambda: flow_spectrum.top_singular_values(flow_spectrum.step_function(torch.nn.GRU(2, 3, dtype=torch.float64)),
                                               [torch.zeros(1, 3)], [torch.ones(1, 2)])),
    ("top_singular_values-mixed-dtype", "states and inputs must all have one floating-point dtype",
     lambda: flow_spectrum.top_singular_values(torch.add, GOOD, [torch.ones(1, 2, dtype=torch.float64)])),
    ("trajectory_sigma_max-dtype", "trajectory holds states of dtype torch.float32 but rnn's weights are torch.float64",
     lambda: flow_spectrum.trajectory_sigma_max(torch.nn.GRU(1, 2, dtype=torch.float64),
                                                flow.run_stepwise(torch.nn.GRU(1, 2), torch.ones(1, 1, 1))[2])),
    ("step_function-direction", "direction must be one of",
     lambda: flow_spectrum.step_function(torch.nn.GRU(1, 2), direction="backward")),
    ("trajectory_sigma_max-trajectory", "trajectory must be a flow.Trajectory",
     lambda: flow_spectrum.trajectory_sigma_max(torch.nn.GRU(1, 2), [GOOD])),
    ("trajectory_sigma_max-layers", "trajectory has 1 layers but rnn has num_layers = 2",
     lambda: flow_spectrum.trajectory_sigma_max(torch.nn.GRU(1, 2, 2),
                                                flow.run_stepwise(torch.nn.GRU(1, 2), torch.ones(1, 1, 1))[2])),
]


@pytest.mark.parametrize("call, match", [pytest.param(c, m, id=i) for i, m, c in BAD])
def test_bad_calls_fail_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
