"""Tests of rnnlab.lstm and rnnlab.lstm_jacobian against torch.nn.LSTM (float64, ≤ 1e-10) and finite differences."""
import numpy as np
import pytest
import torch

from rnnlab.gradcheck import compare_gradients, numerical_gradient, relative_error
from rnnlab.lstm import Grads, Params, from_torch, lstm_backward, lstm_forward, to_torch
from rnnlab.lstm_jacobian import cell_path, step_jacobians
from rnnlab.rnn import rnn_forward

SHAPES = [(1, 1, 1, 1), (2, 1, 3, 4), (3, 5, 2, 1), (1, 7, 1, 3), (4, 6, 3, 5), (2, 4, 1, 2)]  # (N, T, D, H)
LOSSES = ["every", "last", "last+c"]  # loss on every h_t; on h_T only; on h_T and c_T


def problem(seed, N, T, D, H, loss="every"):
    """Seeded inputs (N, T, D), states (N, H), parameters, upstream dh (N, T, H) and dc_T (N, H) or None."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))
    h0, c0 = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    params = Params(rng.standard_normal((4 * H, D)) / np.sqrt(D), rng.standard_normal((4 * H, H)) / np.sqrt(H),
                        0.5 * rng.standard_normal(4 * H), 0.5 * rng.standard_normal(4 * H))
    dh = rng.standard_normal((N, T, H))
    if loss != "every":
        dh[:, :-1] = 0.0  # a loss on the last step only
    dc_T = rng.standard_normal((N, H)) if loss == "last+c" else None
    return x, h0, c0, params, dh, dc_T


def torch_reference(x, h0, c0, params, dh, dc_T=None, truncate=None):
    """Forward (h, c_T) and gradients by autograd through torch.nn.LSTM; truncation by ``.detach()``."""
    lstm = to_torch(params)
    tx, th0, tc0 = (torch.tensor(v, requires_grad=True) for v in (x, h0, c0))
    tdh = torch.from_numpy(dh)
    tdc = torch.zeros_like(th0) if dc_T is None else torch.from_numpy(dc_T)
    T = x.shape[1]
    out, (hn, cn) = lstm(tx, (th0[None], tc0[None]))
    if truncate is None:
        loss = (out * tdh).sum() + (cn[0] * tdc).sum()
    else:
        k = truncate
        with torch.no_grad():  # (h_t, c_t) for t = 0..T, the values at which gradients are cut
            states = [(th0, tc0)]
            for t in range(T):
                _, (h, c) = lstm(tx[:, t:t + 1], (states[-1][0][None], states[-1][1][None]))
                states.append((h[0], c[0]))
        loss = torch.zeros((), dtype=torch.float64)
        for t in range(1, T + 1):  # the loss L_t, 1-based
            start = max(t - k, 0)
            h, c = (th0, tc0) if start == 0 else (states[start][0].detach(), states[start][1].detach())
            o, (_, c_t) = lstm(tx[:, start:t], (h[None], c[None]))
            loss = loss + (o[:, -1] * tdh[:, t - 1]).sum() + (t == T) * (c_t[0] * tdc).sum()
    loss.backward()
    leaves = [tx, th0, tc0, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0]
    grads = Grads(*(np.zeros(v.shape) if v.grad is None else v.grad.numpy().copy() for v in leaves))
    return out.detach().numpy(), cn[0].detach().numpy(), grads


def assert_grads_close(ours, ref, tol):
    errors = compare_gradients(ours, ref)
    assert max(errors.values()) <= tol, errors


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}".format(*s))
def test_forward_and_backward_match_torch_lstm(shape, loss):
    x, h0, c0, params, dh, dc_T = problem(sum(shape), *shape, loss=loss)
    h, c, cache = lstm_forward(x, h0, c0, *params)
    ref_h, ref_c_T, ref = torch_reference(x, h0, c0, params, dh, dc_T)
    assert relative_error(h, ref_h) <= 1e-12 and relative_error(c[:, -1], ref_c_T) <= 1e-12
    ours = lstm_backward(dh, cache, dc_T=dc_T)
    assert isinstance(ours, Grads)
    assert_grads_close(ours, ref, 1e-10)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}".format(*s))
def test_backward_matches_finite_differences(shape, loss):
    x, h0, c0, params, dh, dc_T = problem(sum(shape) + 100, *shape, loss=loss)
    W_ih, W_hh, b_ih, b_hh = params
    inputs = dict(dx=x, dh0=h0, dc0=c0, dweight_ih=W_ih, dweight_hh=W_hh, dbias_ih=b_ih, dbias_hh=b_hh)

    def objective(_):  # L = Σ_t Σ h_t ⊙ dh_t (+ Σ c_T ⊙ dc_T), reading the arrays perturbed in place
        h, c, _cache = lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh)
        return np.sum(h * dh) + (0.0 if dc_T is None else np.sum(c[:, -1] * dc_T))

    ours = lstm_backward(dh, lstm_forward(x, h0, c0, *params)[2], dc_T=dc_T)._asdict()
    for name, arr in inputs.items():
        assert relative_error(ours[name], numerical_gradient(objective, arr)) <= 1e-6, name


def test_torch_round_trip():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, batch_first=True, dtype=torch.float64)
    params = from_torch(lstm)
    assert [p.shape for p in params] == [(16, 3), (16, 4), (16,), (16,)]
    back = to_torch(params)
    for name, p in lstm.named_parameters():
        assert torch.equal(p, getattr(back, name)), name
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    h, c, _ = lstm_forward(x, np.zeros((2, 4)), np.zeros((2, 4)), *params)
    out, (hn, cn) = lstm(torch.from_numpy(x))
    np.testing.assert_allclose(h, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c[:, -1], cn[0].detach().numpy(), rtol=1e-12, atol=1e-14)


def test_from_torch_float32_and_no_bias():
    params = from_torch(torch.nn.LSTM(2, 3, bias=False))
    assert all(p.dtype == np.float64 for p in params)
    assert np.all(params.bias_ih == 0) and np.all(params.bias_hh == 0)


@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("loss", LOSSES)
def test_truncated_matches_torch_with_detach(k, loss):
    x, h0, c0, params, dh, dc_T = problem(2, 3, 9, 2, 4, loss=loss)
    _, _, cache = lstm_forward(x, h0, c0, *params)
    ours = lstm_backward(dh, cache, truncate=k, dc_T=dc_T)
    assert_grads_close(ours, torch_reference(x, h0, c0, params, dh, dc_T, truncate=k)[2], 1e-10)


@pytest.mark.parametrize("k", [5, 6, 50])
def test_truncated_equals_full_when_T_le_k(k):
    x, h0, c0, params, dh, dc_T = problem(3, 2, 5, 2, 3, loss="last+c")
    dh[:] = np.random.default_rng(3).standard_normal(dh.shape)
    _, _, cache = lstm_forward(x, h0, c0, *params)
    assert_grads_close(lstm_backward(dh, cache, k, dc_T), lstm_backward(dh, cache, None, dc_T), 1e-13)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_differs_when_T_gt_k(k):
    x, h0, c0, params, dh, _ = problem(4, 2, 10, 2, 4)
    _, _, cache = lstm_forward(x, h0, c0, *params)
    full, trunc = lstm_backward(dh, cache), lstm_backward(dh, cache, truncate=k)
    assert relative_error(trunc.dweight_hh, full.dweight_hh) > 1e-3
    assert relative_error(trunc.dc0, full.dc0) > 1e-2


def test_truncated_initial_state_only_from_losses_that_reach_step_1():
    k = 3
    x, h0, c0, params, dh, _ = problem(5, 2, 8, 2, 4)
    dh[:, :k] = 0.0  # only L_t with t > k remain; none reaches (h_0, c_0)
    _, _, cache = lstm_forward(x, h0, c0, *params)
    g = lstm_backward(dh, cache, truncate=k)
    assert np.all(g.dh0 == 0.0) and np.all(g.dc0 == 0.0)
    assert np.any(lstm_backward(dh, cache, truncate=k + 1).dc0 != 0.0)


def test_step_jacobians_match_autograd():
    N, T, D, H = 2, 4, 3, 3
    x, h0, c0, params, _, _ = problem(7, N, T, D, H)
    h, c, cache = lstm_forward(x, h0, c0, *params)
    J = step_jacobians(cache)
    assert J.shape == (N, T, 2 * H, 2 * H)
    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)  # torch's own step, same weights
    with torch.no_grad():
        for name, p in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), params):
            getattr(cell, name).copy_(torch.from_numpy(p))
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)
    c_prev = np.concatenate([c0[:, None], c[:, :-1]], axis=1)
    f = cell_path(cache)
    for n in range(N):
        for t in range(T):
            x_t = torch.from_numpy(x[n, t])[None]

            def step(s):  # (h_t, c_t) from (h_{t-1}, c_{t-1})
                h_t, c_t = cell(x_t, (s[None, :H], s[None, H:]))
                return torch.cat([h_t[0], c_t[0]])

            s_prev = torch.from_numpy(np.concatenate([h_prev[n, t], c_prev[n, t]]))
            ref = torch.autograd.functional.jacobian(step, s_prev).numpy()
            np.testing.assert_allclose(J[n, t], ref, rtol=1e-12, atol=1e-15)
            np.testing.assert_array_equal(J[n, t, H:, H:], np.diag(f[n, t]))  # ∂c_t/∂c_{t-1} = diag(f_t)


def test_constant_error_carousel():
    x, h0, c0, params, _, _ = problem(8, 2, 6, 2, 3)
    params.bias_hh[3:6] = 100.0  # forget gate σ(≈100) = 1 in float64
    _, _, cache = lstm_forward(x, h0, c0, *params)
    f = cell_path(cache)
    assert f.shape == (2, 6, 3) and np.all(f == 1.0)
    assert np.all(step_jacobians(cache)[..., 3:, 3:] == np.eye(3))


# ---- validation: every bad input names the argument ----

N, T, D, H = 2, 3, 2, 3
X, H0, C0, PARAMS, DH, _ = problem(9, N, T, D, H)
_, _, CACHE = lstm_forward(X, H0, C0, *PARAMS)
_, RNN_CACHE = rnn_forward(X, H0, PARAMS.weight_ih[:H], PARAMS.weight_hh[:H], PARAMS.bias_ih[:H])  # the wrong cache


def _forward(**changes):
    args = dict(x=X, h0=H0, c0=C0, **PARAMS._asdict())
    return lstm_forward(**{**args, **changes})


BAD = [
    ("forward-x-2d", lambda: _forward(x=np.zeros((N, T))), r"x must have shape \(N, T, D\)"),
    ("forward-x-N", lambda: _forward(x=np.zeros((5, T, D))), r"x must have shape \(N, T, D\) with N = 2"),
    ("forward-x-T0", lambda: _forward(x=np.zeros((N, 0, D))), "x must have at least one time step"),
    ("forward-x-text", lambda: _forward(x="abc"), "x must be an array of numbers"),
    ("forward-x-complex", lambda: _forward(x=X * 1j), "x must hold real numbers"),
    ("forward-h0-1d", lambda: _forward(h0=np.zeros(H)), "h0 must have 2 dimension"),
    ("forward-h0-nan", lambda: _forward(h0=np.full((N, H), np.nan)), "h0 contains NaN"),
    ("forward-h0-empty", lambda: _forward(h0=np.zeros((N, 0))), r"h0 must have shape \(N, H\) with N ≥ 1"),
    ("forward-c0-shape", lambda: _forward(c0=np.zeros((N, H + 1))), r"c0 must have shape \(N, H\)"),
    ("forward-c0-inf", lambda: _forward(c0=np.full((N, H), np.inf)), "c0 contains NaN or infinity"),
    ("forward-weight_ih", lambda: _forward(weight_ih=np.zeros((3 * H, D))), r"weight_ih must have shape \(4H, D\)"),
    ("forward-weight_hh", lambda: _forward(weight_hh=np.zeros((4 * H, H + 1))), r"weight_hh must have shape \(4H, H\)"),
    ("forward-weight_hh-grad", lambda: _forward(weight_hh=torch.zeros(4 * H, H, requires_grad=True)),
     "weight_hh is a torch tensor that requires grad"),
    ("forward-bias_ih", lambda: _forward(bias_ih=np.zeros(3 * H)), r"bias_ih must have shape \(4H,\)"),
    ("forward-bias_hh-bool", lambda: _forward(bias_hh=np.ones(4 * H, bool)), "bias_hh must be an array of numbers"),
    ("backward-dh", lambda: lstm_backward(np.zeros((N, T + 1, H)), CACHE), r"dh must have shape \(N, T, H\)"),
    ("backward-dh-nan", lambda: lstm_backward(np.full((N, T, H), np.nan), CACHE), "dh contains NaN"),
    ("backward-dc_T", lambda: lstm_backward(DH, CACHE, dc_T=np.zeros((N, T, H))), r"dc_T must have shape \(N, H\)"),
    ("backward-truncate-0", lambda: lstm_backward(DH, CACHE, truncate=0), "truncate must be at least 1"),
    ("backward-truncate-float", lambda: lstm_backward(DH, CACHE, truncate=2.5), "truncate must be an integer"),
    ("backward-cache-tuple", lambda: lstm_backward(DH, tuple(CACHE)), "cache must be the Cache"),
    ("backward-cache-rnn", lambda: lstm_backward(DH, RNN_CACHE), "cache must be the Cache that lstm_forward"),
    ("backward-cache-shape", lambda: lstm_backward(DH, CACHE._replace(c=np.zeros((N, T + 1, H)))),
     r"cache.c must have shape \(N, T, H\)"),
    ("backward-cache-gates", lambda: lstm_backward(DH, CACHE._replace(gates=np.zeros((N, T, 3 * H)),
                                                                      weight_ih=np.zeros((3 * H, D)),
                                                                      weight_hh=np.zeros((3 * H, H)))),
     r"cache.gates must have shape \(N, T, 4H\)"),
    ("jacobians-cache", lambda: step_jacobians(None), "cache must be the Cache"),
    ("jacobians-cache-shape", lambda: step_jacobians(CACHE._replace(weight_hh=np.zeros((4 * H, H + 1)))),
     "cache.weight_hh must have shape"),
    ("cell_path-cache", lambda: cell_path(CACHE[:3]), "cache must be the Cache"),
    ("from_torch-gru", lambda: from_torch(torch.nn.GRU(2, 3)), "lstm must be a torch.nn.LSTM"),
    ("from_torch-layers", lambda: from_torch(torch.nn.LSTM(2, 3, num_layers=2)), "lstm must have num_layers=1"),
    ("from_torch-bidirectional", lambda: from_torch(torch.nn.LSTM(2, 3, bidirectional=True)), "lstm must have"),
    ("to_torch-list", lambda: to_torch([1, 2]), "params must be an Params"),
    ("to_torch-weight_hh", lambda: to_torch(PARAMS._replace(weight_hh=np.zeros((H, H)))),
     r"weight_hh must have shape \(4H, H\)"),
    ("to_torch-weight_ih", lambda: to_torch(PARAMS._replace(weight_ih=np.zeros((4 * H + 1, D)))),
     r"weight_ih must have shape \(4H, D\)"),
    ("to_torch-bias_hh", lambda: to_torch(PARAMS._replace(bias_hh=np.zeros(H))), r"bias_hh must have shape \(4H,\)"),
    ("to_torch-nan", lambda: to_torch(PARAMS._replace(bias_ih=np.full(4 * H, np.nan))), "bias_ih contains NaN"),
]


@pytest.mark.parametrize("call, match", [pytest.param(c, m, id=i) for i, c, m in BAD])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
