"""Tests of rnnlab.rnn: BPTT against torch autograd (float64, ≤ 1e-10) and central finite differences."""
import numpy as np
import pytest
import torch

from rnnlab.activations import ACTIVATIONS
from rnnlab.gradcheck import compare_gradients, numerical_gradient, relative_error, torch_rnn_gradients
from rnnlab.rnn import (
    Grads,
    bptt_contributions,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    step_jacobians,
)

SHAPES = [(1, 1, 1, 1), (2, 1, 3, 4), (3, 5, 2, 1), (1, 7, 1, 3), (4, 6, 3, 5)]  # (N, T, D, H)


def problem(seed, N, T, D, H, w_scale=1.0):
    """Seeded random inputs, parameters and upstream gradients dh (N, T, H)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H))  # (N, H)
    W_xh = rng.standard_normal((H, D)) / np.sqrt(D)  # (H, D)
    W_hh = rng.standard_normal((H, H)) * (w_scale / np.sqrt(H))  # (H, H)
    b = 0.1 * rng.standard_normal(H)  # (H,)
    dh = rng.standard_normal((N, T, H))  # (N, T, H)
    return x, h0, W_xh, W_hh, b, dh


def assert_grads_close(ours, ref, tol):
    errors = compare_gradients(ours, ref)
    assert max(errors.values()) <= tol, errors


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}".format(*s))
def test_backward_matches_autograd(shape, activation):
    x, h0, W_xh, W_hh, b, dh = problem(sum(shape), *shape)
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b, activation)
    assert h.shape == shape[:2] + (shape[3],)
    ours = rnn_backward(dh, cache)
    assert isinstance(ours, Grads)
    assert_grads_close(ours, torch_rnn_gradients(x, h0, W_xh, W_hh, b, dh, activation), 1e-10)


def test_forward_matches_torch_rnn():
    x, h0, W_xh, W_hh, b, _ = problem(0, 3, 6, 2, 4)
    rnn = torch.nn.RNN(2, 4, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(W_xh))
        rnn.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
        expected, _ = rnn(torch.from_numpy(x), torch.from_numpy(h0)[None])
    h, _ = rnn_forward(x, h0, W_xh, W_hh, b)
    np.testing.assert_allclose(h, expected.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_backward_matches_finite_differences(activation):
    x, h0, W_xh, W_hh, b, dh = problem(1, 2, 4, 3, 3)
    inputs = {"dx": x, "dh0": h0, "dW_xh": W_xh, "dW_hh": W_hh, "db": b}

    def loss(_):  # L = Σ_t Σ h_t ⊙ dh_t, reading the arrays numerical_gradient perturbs in place
        h, _cache = rnn_forward(x, h0, W_xh, W_hh, b, activation)
        return np.sum(h * dh)

    _, cache = rnn_forward(x, h0, W_xh, W_hh, b, activation)
    ours = rnn_backward(dh, cache)._asdict()
    for name, arr in inputs.items():
        assert relative_error(ours[name], numerical_gradient(loss, arr)) <= 1e-6, name


@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_truncated_matches_autograd_with_detach(k, activation):
    x, h0, W_xh, W_hh, b, dh = problem(2, 3, 9, 2, 4, w_scale=1.5)
    _, cache = rnn_forward(x, h0, W_xh, W_hh, b, activation)
    ours = rnn_backward(dh, cache, truncate=k)
    ref = torch_rnn_gradients(x, h0, W_xh, W_hh, b, dh, activation, truncate=k)
    assert_grads_close(ours, ref, 1e-10)


@pytest.mark.parametrize("k", [5, 6, 50])
def test_truncated_equals_full_when_T_le_k(k):
    x, h0, W_xh, W_hh, b, dh = problem(3, 2, 5, 2, 3, w_scale=1.5)
    _, cache = rnn_forward(x, h0, W_xh, W_hh, b)
    assert_grads_close(rnn_backward(dh, cache, truncate=k), rnn_backward(dh, cache), 1e-13)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_differs_when_T_gt_k(k):
    x, h0, W_xh, W_hh, b, dh = problem(4, 2, 10, 2, 4, w_scale=1.5)
    _, cache = rnn_forward(x, h0, W_xh, W_hh, b)
    full, trunc = rnn_backward(dh, cache), rnn_backward(dh, cache, truncate=k)
    assert relative_error(trunc.dW_hh, full.dW_hh) > 1e-2
    assert relative_error(trunc.dh0, full.dh0) > 1e-2


def test_truncated_dh0_only_from_losses_that_reach_step_1():
    k = 3
    x, h0, W_xh, W_hh, b, dh = problem(5, 2, 8, 2, 4)
    dh[:, :k] = 0.0  # only L_t with t > k remain; none of them reaches h_0
    _, cache = rnn_forward(x, h0, W_xh, W_hh, b)
    assert np.all(rnn_backward(dh, cache, truncate=k).dh0 == 0.0)
    assert np.any(rnn_backward(dh, cache, truncate=k + 1).dh0 != 0.0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_bptt_contributions_sum_to_dW_hh(activation):
    x, h0, W_xh, W_hh, b, dh = problem(6, 3, 7, 2, 4)
    _, cache = rnn_forward(x, h0, W_xh, W_hh, b, activation)
    C = bptt_contributions(dh[:, -1], cache)
    assert C.shape == (7, 4, 4)
    dh_last = np.zeros_like(dh)
    dh_last[:, -1] = dh[:, -1]  # a loss on h_T only
    np.testing.assert_allclose(C.sum(axis=0), rnn_backward(dh_last, cache).dW_hh, rtol=1e-12, atol=1e-14)
    # the last term is the immediate one: δ_T h_{T-1}ᵀ
    delta_T = dh[:, -1] * ACTIVATIONS[activation].df(cache.a[:, -1])
    np.testing.assert_allclose(C[-1], delta_T.T @ cache.h[:, -2], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "leaky_relu"])
def test_step_jacobians_match_autograd(activation):
    N, T, D, H = 2, 4, 3, 5
    x, h0, W_xh, W_hh, b, _ = problem(7, N, T, D, H)
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b, activation)
    J = step_jacobians(cache)
    assert J.shape == (N, T, H, H)
    phi = {"tanh": torch.tanh, "sigmoid": torch.sigmoid,
           "leaky_relu": lambda a: torch.nn.functional.leaky_relu(a, 0.01)}[activation]
    tW_xh, tW_hh, tb = (torch.from_numpy(v) for v in (W_xh, W_hh, b))
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (N, T, H)
    for n in range(N):
        for t in range(T):
            x_t = torch.from_numpy(x[n, t])

            def step(hp):  # h_t as a function of h_{t-1}, column-vector form
                return phi(tW_hh @ hp + tW_xh @ x_t + tb)

            ref = torch.autograd.functional.jacobian(step, torch.from_numpy(h_prev[n, t])).numpy()
            np.testing.assert_allclose(J[n, t], ref, rtol=1e-12, atol=1e-15)


def test_step_functions_match_sequence_functions():
    x, h0, W_xh, W_hh, b, dh = problem(8, 3, 5, 2, 4)
    h, cache = rnn_forward(x, h0, W_xh, W_hh, b, "sigmoid")
    h_t, caches = h0, []
    for t in range(x.shape[1]):
        h_t, c = rnn_step_forward(x[:, t], h_t, W_xh, W_hh, b, "sigmoid")
        np.testing.assert_allclose(h_t, h[:, t], rtol=1e-14, atol=1e-15)
        caches.append(c)
    full = rnn_backward(dh, cache)
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros_like(b)
    dx, dh_next = np.zeros_like(x), np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        dx[:, t], dh_next, dWx, dWh, db_t = rnn_step_backward(dh[:, t] + dh_next, caches[t])
        dW_xh, dW_hh, db = dW_xh + dWx, dW_hh + dWh, db + db_t
    assert_grads_close(Grads(dx, dh_next, dW_xh, dW_hh, db), full, 1e-13)


# ---- validation: every bad input names the argument ----

def good():
    x, h0, W_xh, W_hh, b, dh = problem(9, 2, 3, 2, 3)
    return dict(x=x, h0=h0, W_xh=W_xh, W_hh=W_hh, b=b)


@pytest.mark.parametrize("name, value, match", [
    ("W_hh", np.zeros((3, 4)), r"W_hh must have shape \(H, H\) = \(3, 3\); got \(3, 4\)"),
    ("W_xh", np.zeros((3, 5)), r"W_xh must have shape \(H, D\) = \(3, 2\); got \(3, 5\)"),
    ("b", np.zeros(4), r"b must have shape \(H,\) = \(3,\); got \(4,\)"),
    ("x", np.zeros((2, 3)), r"x must have shape \(N, T, D\)"),
    ("x", np.zeros((5, 3, 2)), r"x must have shape \(N, T, D\) with N = 2"),
    ("x", np.zeros((2, 0, 2)), r"x must have at least one time step"),
    ("h0", np.zeros(3), "h0 must have 2 dimension"),
    ("h0", np.full((2, 3), np.nan), "h0 contains NaN or infinity"),
    ("W_hh", np.array([[np.inf, 0, 0]] * 3), "W_hh contains NaN or infinity"),
    ("x", "abc", "x must be an array of numbers"),
])
def test_forward_validation(name, value, match):
    args = good()
    args[name] = value
    with pytest.raises(ValueError, match=match):
        rnn_forward(**args)
    if name != "x":  # the same checks guard the reference implementation
        with pytest.raises(ValueError, match=match):
            torch_rnn_gradients(**args, dh=np.zeros((2, 3, 3)))


def test_bad_activation_name():
    with pytest.raises(ValueError, match="activation must be one of"):
        rnn_forward(**good(), activation="softmax")


def test_step_validation():
    args = good()
    with pytest.raises(ValueError, match=r"x_t must have shape \(N, D\)"):
        rnn_step_forward(args["x"], args["h0"], args["W_xh"], args["W_hh"], args["b"])
    _, cache = rnn_step_forward(args["x"][:, 0], args["h0"], args["W_xh"], args["W_hh"], args["b"])
    with pytest.raises(ValueError, match=r"dh_t must have shape \(N, H\) = \(2, 3\)"):
        rnn_step_backward(np.zeros((2, 4)), cache)


@pytest.mark.parametrize("truncate, match", [(0, "truncate must be at least 1"), (2.5, "truncate must be an integer"),
                                             (True, "truncate must be an integer")])
def test_backward_validation(truncate, match):
    _, cache = rnn_forward(**good())
    with pytest.raises(ValueError, match=match):
        rnn_backward(np.zeros((2, 3, 3)), cache, truncate=truncate)
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\) = \(2, 3, 3\)"):
        rnn_backward(np.zeros((2, 4, 3)), cache)
    with pytest.raises(ValueError, match="dh contains NaN"):
        rnn_backward(np.full((2, 3, 3), np.nan), cache)
    with pytest.raises(ValueError, match=r"dh_T must have shape \(N, H\)"):
        bptt_contributions(np.zeros((2, 3, 3)), cache)
