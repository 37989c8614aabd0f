"""Tests of rnnlab.gru against torch.nn.GRU (float64, ≤ 1e-10) and central finite differences (≤ 1e-6)."""
import numpy as np
import pytest
import torch

from rnnlab.gradcheck import compare_gradients, numerical_gradient, relative_error
from rnnlab.gru import Cache, Grads, Params, from_torch, gru_backward, gru_forward, step_jacobians, to_torch

SHAPES = [(1, 1, 1, 1), (2, 1, 3, 4), (3, 5, 2, 1), (1, 7, 1, 3), (4, 6, 3, 5), (2, 4, 1, 2)]  # (N, T, D, H)
LOSSES = ["every_step", "last_step"]


def problem(seed, N, T, D, H, loss="every_step", w_scale=1.0):
    """Seeded random inputs, GRU parameters (Params) and upstream gradients dh (N, T, H)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))  # (N, T, D)
    h0 = rng.standard_normal((N, H))  # (N, H)
    params = Params(rng.standard_normal((3 * H, D)) / np.sqrt(D),  # (3H, D)
                    rng.standard_normal((3 * H, H)) * (w_scale / np.sqrt(H)),  # (3H, H)
                    0.3 * rng.standard_normal(3 * H), 0.3 * rng.standard_normal(3 * H))  # (3H,) each
    dh = rng.standard_normal((N, T, H))  # (N, T, H)
    if loss == "last_step":
        dh[:, :-1] = 0.0  # L = L_T only
    return x, h0, params, dh


def torch_reference(x, h0, params, dh):
    """States and gradients of L = Σ_t Σ h_t ⊙ dh_t from torch.nn.GRU carrying the same weights."""
    gru = to_torch(params)
    tx = torch.tensor(x, requires_grad=True)
    th0 = torch.tensor(h0[None], requires_grad=True)
    h, _ = gru(tx, th0)
    (h * torch.from_numpy(dh)).sum().backward()
    grads = Grads(tx.grad.numpy(), th0.grad[0].numpy(),
                  *(getattr(gru, f"{f}_l0").grad.numpy() for f in Params._fields))
    return h.detach().numpy(), grads


def torch_truncated(x, h0, params, dh, k):
    """Truncated BPTT by autograd: each L_t is rebuilt from h_{t-k}.detach() (h_0 is never cut)."""
    W_ih, W_hh, b_ih, b_hh = leaves = [torch.tensor(p, requires_grad=True) for p in params]
    tx, th0 = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    H, T = h0.shape[1], x.shape[1]

    def step(h, t):  # PyTorch's equations, written out
        gi, gh = tx[:, t] @ W_ih.T + b_ih, h @ W_hh.T + b_hh
        r, z = torch.sigmoid(gi[:, :H] + gh[:, :H]), torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
        n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        return (1 - z) * n + z * h

    with torch.no_grad():
        hs = [th0]
        for t in range(T):
            hs.append(step(hs[-1], t))
    loss = torch.zeros((), dtype=torch.float64)
    for t in range(1, T + 1):
        start = max(t - k, 0)
        h = th0 if start == 0 else hs[start].detach()
        for s in range(start, t):
            h = step(h, s)
        loss = loss + (h * torch.from_numpy(dh[:, t - 1])).sum()
    loss.backward()
    return Grads(*(v.grad.numpy() if v.grad is not None else np.zeros(v.shape) for v in [tx, th0, *leaves]))


def assert_grads_close(ours, ref, tol):
    errors = compare_gradients(ours, ref)
    assert max(errors.values()) <= tol, errors


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}".format(*s))
def test_forward_and_backward_match_torch_gru(shape, loss):
    x, h0, params, dh = problem(sum(shape), *shape, loss=loss)
    h, cache = gru_forward(x, h0, *params)
    ref_h, ref = torch_reference(x, h0, params, dh)
    assert h.shape == shape[:2] + (shape[3],)
    assert relative_error(h, ref_h) <= 1e-12
    ours = gru_backward(dh, cache)
    assert isinstance(ours, Grads)
    assert_grads_close(ours, ref, 1e-10)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}".format(*s))
def test_backward_matches_finite_differences(shape, loss):
    x, h0, params, dh = problem(sum(shape) + 1, *shape, loss=loss)
    inputs = {"dx": x, "dh0": h0, **{f"d{f}": p for f, p in zip(Params._fields, params)}}

    def L(_):  # L = Σ_t Σ h_t ⊙ dh_t, reading the arrays numerical_gradient perturbs in place
        return np.sum(gru_forward(x, h0, *params)[0] * dh)

    ours = gru_backward(dh, gru_forward(x, h0, *params)[1])._asdict()
    for name, arr in inputs.items():
        assert relative_error(ours[name], numerical_gradient(L, arr)) <= 1e-6, name


@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("loss", LOSSES)
def test_truncated_matches_autograd_with_detach(k, loss):
    x, h0, params, dh = problem(2, 3, 9, 2, 4, loss=loss, w_scale=1.5)
    ours = gru_backward(dh, gru_forward(x, h0, *params)[1], truncate=k)
    assert_grads_close(ours, torch_truncated(x, h0, params, dh, k), 1e-10)


def test_truncated_reference_without_cut_is_torch_gru():
    x, h0, params, dh = problem(3, 2, 5, 2, 3)
    assert_grads_close(torch_truncated(x, h0, params, dh, 5), torch_reference(x, h0, params, dh)[1], 1e-12)


@pytest.mark.parametrize("k", [5, 6, 50])
def test_truncated_equals_full_when_T_le_k(k):
    x, h0, params, dh = problem(3, 2, 5, 2, 3, w_scale=1.5)
    _, cache = gru_forward(x, h0, *params)
    assert_grads_close(gru_backward(dh, cache, truncate=k), gru_backward(dh, cache), 1e-13)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_differs_when_T_gt_k(k):
    x, h0, params, dh = problem(4, 2, 10, 2, 4, w_scale=1.5)
    _, cache = gru_forward(x, h0, *params)
    full, trunc = gru_backward(dh, cache), gru_backward(dh, cache, truncate=k)
    assert relative_error(trunc.dweight_hh, full.dweight_hh) > 1e-3
    assert relative_error(trunc.dh0, full.dh0) > 1e-3


def test_truncated_dh0_only_from_losses_that_reach_step_1():
    k = 3
    x, h0, params, dh = problem(5, 2, 8, 2, 4)
    dh[:, :k] = 0.0  # only L_t with t > k remain; none of them reaches h_0
    _, cache = gru_forward(x, h0, *params)
    assert np.all(gru_backward(dh, cache, truncate=k).dh0 == 0.0)
    assert np.any(gru_backward(dh, cache, truncate=k + 1).dh0 != 0.0)


def test_step_jacobians_match_autograd():
    N, T, D, H = 2, 4, 3, 5
    x, h0, params, _ = problem(7, N, T, D, H)
    h, cache = gru_forward(x, h0, *params)
    J = step_jacobians(cache)
    assert J.shape == (N, T, H, H)
    gru = to_torch(params)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (N, T, H)
    for n in range(N):
        for t in range(T):
            x_t = torch.from_numpy(x[n, t][None, None])  # (1, 1, D)

            def step(hp):  # h_t as a function of h_{t-1}, through torch.nn.GRU itself
                return gru(x_t, hp[None, None])[0][0, 0]

            ref = torch.autograd.functional.jacobian(step, torch.from_numpy(h_prev[n, t])).numpy()
            np.testing.assert_allclose(J[n, t], ref, rtol=1e-12, atol=1e-15)


def test_step_jacobian_is_diag_z_when_the_update_gate_saturates():
    x, h0, params, _ = problem(8, 2, 3, 2, 3)
    H = 3
    params.bias_ih[H:2 * H] = 40.0  # z_t ≈ 1: the state is copied, J_t → I (the direct path)
    J = step_jacobians(gru_forward(x, h0, *params)[1])
    np.testing.assert_allclose(J, np.broadcast_to(np.eye(H), J.shape), atol=1e-12)


def test_torch_round_trip():
    gru = torch.nn.GRU(3, 4, batch_first=True, dtype=torch.float64)
    params = from_torch(gru)
    assert [p.shape for p in params] == [(12, 3), (12, 4), (12,), (12,)]
    back = from_torch(to_torch(params))
    for a, b in zip(params, back):
        np.testing.assert_array_equal(a, b)
    no_bias = from_torch(torch.nn.GRU(2, 3, bias=False))
    assert np.all(no_bias.bias_ih == 0) and np.all(no_bias.bias_hh == 0)


def test_polarity_z_near_one_keeps_the_state():
    x, h0, params, _ = problem(9, 2, 4, 2, 3)
    params.bias_ih[3:6] = 40.0  # z ≈ 1 (Cho et al.'s and PyTorch's polarity)
    h, _ = gru_forward(x, h0, *params)
    np.testing.assert_allclose(h[:, -1], h0, atol=1e-12)


# ---- validation: every bad input names the argument ----

def good():
    x, h0, params, _ = problem(10, 2, 3, 2, 3)
    return dict(x=x, h0=h0, **params._asdict())


@pytest.mark.parametrize("name, value, match", [
    ("weight_hh", np.zeros((9, 4)), r"weight_hh must have shape \(3H, H\) = \(9, 3\); got \(9, 4\)"),
    ("weight_hh", np.zeros((3, 3)), r"weight_hh must have shape \(3H, H\)"),
    ("weight_ih", np.zeros((9, 5)), r"weight_ih must have shape \(3H, D\) = \(9, 2\); got \(9, 5\)"),
    ("bias_ih", np.zeros(3), r"bias_ih must have shape \(3H,\) = \(9,\); got \(3,\)"),
    ("bias_hh", np.zeros(9, dtype=complex), "bias_hh must hold real numbers"),
    ("x", np.zeros((2, 3)), r"x must have shape \(N, T, D\)"),
    ("x", np.zeros((5, 3, 2)), r"x must have shape \(N, T, D\) with N = 2"),
    ("x", np.zeros((2, 0, 2)), r"x must have at least one time step"),
    ("h0", np.zeros(3), "h0 must have 2 dimension"),
    ("h0", np.zeros((2, 0)), r"h0 must have shape \(N, H\)"),
    ("h0", np.full((2, 3), np.nan), "h0 contains NaN or infinity"),
    ("weight_ih", np.full((9, 2), np.inf), "weight_ih contains NaN or infinity"),
    ("x", "abc", "x must be an array of numbers"),
    ("h0", torch.zeros(2, 3, requires_grad=True), "h0 is a torch tensor that requires grad"),
])
def test_forward_validation(name, value, match):
    args = good()
    args[name] = value
    with pytest.raises(ValueError, match=match):
        gru_forward(**args)


@pytest.mark.parametrize("dh, truncate, match", [
    (np.zeros((2, 3, 3)), 0, "truncate must be at least 1"),
    (np.zeros((2, 3, 3)), 2.5, "truncate must be an integer"),
    (np.zeros((2, 3, 3)), True, "truncate must be an integer"),
    (np.zeros((2, 4, 3)), None, r"dh must have shape \(N, T, H\) = \(2, 3, 3\)"),
    (np.full((2, 3, 3), np.nan), None, "dh contains NaN"),
])
def test_backward_validation(dh, truncate, match):
    _, cache = gru_forward(**good())
    with pytest.raises(ValueError, match=match):
        gru_backward(dh, cache, truncate=truncate)


def _wrong_caches():
    from rnnlab.rnn import rnn_forward

    _, cache = gru_forward(**good())
    rnn_cache = rnn_forward(np.zeros((2, 3, 2)), np.zeros((2, 3)), np.zeros((3, 2)), np.eye(3), np.zeros(3))[1]
    return [(rnn_cache, "cache must be the Cache that gru_forward returns"),
            ((1, 2), "cache must be the Cache that gru_forward returns"),
            (cache._replace(h=cache.h[:, :2]), r"cache.h must have shape \(N, T, H\)"),
            (cache._replace(weight_hh=np.zeros((6, 3))),
             r"cache.weight_hh must be a numpy array of shape \(3H, H\) = \(9, 3\); got \(6, 3\)")]


@pytest.mark.parametrize("case", range(4))
def test_wrong_cache(case):
    cache, match = _wrong_caches()[case]
    with pytest.raises(ValueError, match=match):
        gru_backward(np.zeros((2, 3, 3)), cache)
    with pytest.raises(ValueError, match=match):
        step_jacobians(cache)


@pytest.mark.parametrize("value, match", [
    (torch.nn.LSTM(2, 3), "gru must be a torch.nn.GRU; got LSTM"),
    (torch.nn.GRU(2, 3, num_layers=2), "gru must have one layer and one direction"),
    (torch.nn.GRU(2, 3, bidirectional=True), "gru must have one layer and one direction"),
])
def test_from_torch_validation(value, match):
    with pytest.raises(ValueError, match=match):
        from_torch(value)


@pytest.mark.parametrize("change, match", [
    (None, "params must be Params"),
    ({"weight_hh": np.zeros((3, 3))}, r"params.weight_hh must have shape \(3H, H\)"),
    ({"weight_ih": np.zeros((6, 2))}, r"params.weight_ih must have shape \(3H, D\) = \(9, 2\)"),
    ({"bias_ih": np.zeros(6)}, r"params.bias_ih must have shape \(3H,\)"),
    ({"bias_hh": np.full(9, np.nan)}, "params.bias_hh contains NaN"),
])
def test_to_torch_validation(change, match):
    args = good()
    params = Params(*(args[f] for f in Params._fields))
    with pytest.raises(ValueError, match=match):
        to_torch({"x": 1} if change is None else params._replace(**change))


def test_cache_type_is_exported():
    assert Cache._fields[:3] == ("x", "h0", "h")
