"""Tests of rnnlab.bidirectional against torch.nn.RNN / nn.LSTM(bidirectional=True) (float64, ≤ 1e-10), finite
differences, and the fact they rest on: a bidirectional RNN is two ordinary RNNs, one on the reversed sequence."""
import numpy as np
import pytest
import torch

from rnnlab.bidirectional import (BiLSTMGrads, BiLSTMParams, BiRNNGrads, BiRNNParams, bilstm_backward,
                                  bilstm_forward, birnn_backward, birnn_forward, from_torch, to_torch)
from rnnlab.gradcheck import compare_gradients, numerical_gradient, relative_error
from rnnlab.lstm import lstm_forward
from rnnlab.rnn import rnn_forward

SHAPES = [(1, 1, 1, 1), (2, 1, 3, 4), (3, 5, 2, 1), (1, 7, 1, 3), (4, 6, 3, 5), (2, 4, 1, 2)]  # (N, T, D, H)


def rnn_problem(seed, N, T, D, H):
    """Seeded x (N, T, D), h0 (2, N, H), BiRNNParams and upstream d_output (N, T, 2H)."""
    rng = np.random.default_rng(seed)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((2, N, H))
    params = BiRNNParams(*(p for _ in range(2) for p in (rng.standard_normal((H, D)) / np.sqrt(D),
                                                         rng.standard_normal((H, H)) / np.sqrt(H),
                                                         0.5 * rng.standard_normal(H))))
    return x, h0, params, rng.standard_normal((N, T, 2 * H))


def lstm_problem(seed, N, T, D, H):
    """Seeded x (N, T, D), h0 and c0 (2, N, H), BiLSTMParams, d_output (N, T, 2H) and dc_n (2, N, H)."""
    rng = np.random.default_rng(seed)
    x, h0, c0 = rng.standard_normal((N, T, D)), rng.standard_normal((2, N, H)), rng.standard_normal((2, N, H))
    params = BiLSTMParams(*(p for _ in range(2) for p in (rng.standard_normal((4 * H, D)) / np.sqrt(D),
                                                          rng.standard_normal((4 * H, H)) / np.sqrt(H),
                                                          0.5 * rng.standard_normal(4 * H),
                                                          0.5 * rng.standard_normal(4 * H))))
    return x, h0, c0, params, rng.standard_normal((N, T, 2 * H)), rng.standard_normal((2, N, H))


def torch_reference(module, x, states, d_output, dc_n=None):
    """Output, final states and autograd gradients of L = Σ output ⊙ d_output (+ Σ c_n ⊙ dc_n) through ``module``."""
    tx = torch.tensor(x, requires_grad=True)
    ts = [torch.tensor(s, requires_grad=True) for s in states]
    out, final = module(tx, ts[0] if len(ts) == 1 else tuple(ts))
    loss = (out * torch.from_numpy(d_output)).sum()
    if dc_n is not None:
        loss = loss + (final[1] * torch.from_numpy(dc_n)).sum()
    loss.backward()
    leaves = [tx, *ts] + [getattr(module, n + s) for s in ("", "_reverse")
                          for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
    grads = [v.grad.numpy().copy() for v in leaves]
    final = [f.detach().numpy() for f in (final if isinstance(final, tuple) else (final,))]
    return out.detach().numpy(), final, grads


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}".format(*s))
def test_birnn_matches_torch(shape, activation):
    x, h0, params, d_output = rnn_problem(sum(shape), *shape)
    output, cache = birnn_forward(x, h0, params, activation)
    ref_out, (ref_hn,), g = torch_reference(to_torch(params, activation), x, [h0], d_output)
    assert output.shape == (shape[0], shape[1], 2 * shape[3])
    assert relative_error(output, ref_out) <= 1e-12 and relative_error(cache.h_n, ref_hn) <= 1e-12
    ref = BiRNNGrads(*g[:4], g[4], *g[6:9])  # torch's bias_ih carries b (bias_hh = 0): the same gradient
    assert relative_error(g[4], g[5]) <= 1e-13 and relative_error(g[8], g[9]) <= 1e-13  # torch sums in its order
    ours = birnn_backward(d_output, cache)
    errors = compare_gradients(ours, ref)
    assert max(errors.values()) <= 1e-10, errors


@pytest.mark.parametrize("with_dc_n", [False, True])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "N{}T{}D{}H{}".format(*s))
def test_bilstm_matches_torch(shape, with_dc_n):
    x, h0, c0, params, d_output, dc_n = lstm_problem(sum(shape) + 50, *shape)
    dc_n = dc_n if with_dc_n else None
    output, cache = bilstm_forward(x, h0, c0, params)
    ref_out, (ref_hn, ref_cn), g = torch_reference(to_torch(params), x, [h0, c0], d_output, dc_n)
    assert relative_error(output, ref_out) <= 1e-12
    assert relative_error(cache.h_n, ref_hn) <= 1e-12 and relative_error(cache.c_n, ref_cn) <= 1e-12
    ours = bilstm_backward(d_output, cache, dc_n)
    errors = compare_gradients(ours, BiLSTMGrads(*g))
    assert max(errors.values()) <= 1e-10, errors


def test_birnn_matches_finite_differences():
    x, h0, params, d_output = rnn_problem(1, 2, 3, 2, 2)
    arrays = dict(dx=x, dh0=h0, **{"d" + k: v for k, v in params._asdict().items()})
    ours = birnn_backward(d_output, birnn_forward(x, h0, params)[1])._asdict()
    for name, arr in arrays.items():  # the objective reads the arrays numerical_gradient perturbs in place
        num = numerical_gradient(lambda _: np.sum(birnn_forward(x, h0, params)[0] * d_output), arr)
        assert relative_error(ours[name], num) <= 1e-7, name


def test_bilstm_matches_finite_differences():
    x, h0, c0, params, d_output, dc_n = lstm_problem(2, 1, 3, 2, 2)
    arrays = dict(dx=x, dh0=h0, dc0=c0, **{"d" + k: v for k, v in params._asdict().items()})

    def objective(_):
        output, cache = bilstm_forward(x, h0, c0, params)
        return np.sum(output * d_output) + np.sum(cache.c_n * dc_n)

    ours = bilstm_backward(d_output, bilstm_forward(x, h0, c0, params)[1], dc_n)._asdict()
    for name, arr in arrays.items():
        assert relative_error(ours[name], numerical_gradient(objective, arr)) <= 1e-7, name


def test_a_bidirectional_rnn_is_two_rnns():
    """Forward half: rnn_forward on x; reverse half: rnn_forward on x reversed in time, reversed back."""
    x, h0, params, _ = rnn_problem(3, 2, 6, 3, 4)
    output, _ = birnn_forward(x, h0, params)
    np.testing.assert_array_equal(output[..., :4], rnn_forward(x, h0[0], *params[:3])[0])
    np.testing.assert_array_equal(output[..., 4:], rnn_forward(x[:, ::-1], h0[1], *params[3:])[0][:, ::-1])
    x, h0, c0, lstm_params, _, _ = lstm_problem(3, 2, 6, 3, 4)
    output, _ = bilstm_forward(x, h0, c0, lstm_params)
    np.testing.assert_array_equal(output[..., 4:],
                                  lstm_forward(x[:, ::-1], h0[1], c0[1], *lstm_params[4:])[0][:, ::-1])


def test_reversing_the_input_swaps_the_directions():
    """Run on x_T..x_1 with the directions' weights and initial states swapped: the same output, reversed in time
    and with its halves swapped (each direction reads the sequence the other one read)."""
    x, h0, params, _ = rnn_problem(4, 3, 5, 2, 3)
    output, _ = birnn_forward(x, h0, params)
    swapped, _ = birnn_forward(x[:, ::-1], h0[::-1], BiRNNParams(*params[3:], *params[:3]))
    np.testing.assert_allclose(swapped[:, ::-1], np.concatenate([output[..., 3:], output[..., :3]], axis=2),
                               rtol=0, atol=1e-15)


def test_forward_half_ignores_the_future_and_reverse_half_the_past():
    x, h0, params, _ = rnn_problem(5, 2, 6, 2, 3)
    t = 3  # steps 1..3 are the past of step 3, steps 4..6 its future (0-based slices :t and t:)
    future, past = x.copy(), x.copy()
    future[:, t:] += 1.0
    past[:, :t] += 1.0
    out, out_future, out_past = (birnn_forward(v, h0, params)[0] for v in (x, future, past))
    np.testing.assert_array_equal(out[:, :t, :3], out_future[:, :t, :3])  # h→_1..h→_3 read x_1..x_3 only
    assert np.all(out[:, :t, 3:] != out_future[:, :t, 3:])  # h←_1..h←_3 read the future too
    np.testing.assert_array_equal(out[:, t:, 3:], out_past[:, t:, 3:])  # h←_4..h←_6 read x_4..x_6 only
    assert np.all(out[:, t:, :3] != out_past[:, t:, :3])


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_round_trip(nonlinearity):
    """torch's two biases become b = bias_ih + bias_hh: the same function; params → torch → params is exact."""
    torch.manual_seed(0)
    module = torch.nn.RNN(3, 4, nonlinearity=nonlinearity, batch_first=True, bidirectional=True,
                          dtype=torch.float64)
    params = from_torch(module)
    assert isinstance(params, BiRNNParams) and [p.shape for p in params] == [(4, 3), (4, 4), (4,)] * 2
    np.testing.assert_array_equal(params.b_reverse, (module.bias_ih_l0_reverse + module.bias_hh_l0_reverse)
                                  .detach().numpy())
    back = to_torch(params, nonlinearity)
    assert back.nonlinearity == nonlinearity and back.bidirectional
    for name in ("weight_ih_l0", "weight_hh_l0_reverse"):
        assert torch.equal(getattr(module, name), getattr(back, name))
    assert torch.all(back.bias_hh_l0 == 0) and torch.all(back.bias_hh_l0_reverse == 0)
    again = from_torch(back)
    assert all(np.array_equal(a, b) for a, b in zip(again, params))  # exact: b + 0 = b
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    h0 = np.random.default_rng(1).standard_normal((2, 2, 4))
    ref, hn = module(torch.from_numpy(x), torch.from_numpy(h0))
    for out in (back(torch.from_numpy(x), torch.from_numpy(h0))[0].detach().numpy(),
                birnn_forward(x, h0, params, nonlinearity)[0]):
        assert relative_error(out, ref.detach().numpy()) <= 1e-14  # rounding of (x W + b_ih) + b_hh only


def test_lstm_round_trip_and_float32():
    torch.manual_seed(1)
    module = torch.nn.LSTM(2, 3, bidirectional=True)  # float32, batch_first=False: the parameters are the same
    params = from_torch(module)
    assert isinstance(params, BiLSTMParams) and all(p.dtype == np.float64 for p in params)
    back = to_torch(params)
    for name, p in module.named_parameters():
        assert torch.equal(p.double(), getattr(back, name)), name
    assert all(np.array_equal(a, b) for a, b in zip(from_torch(back), params))


def test_from_torch_without_bias():
    rnn_params = from_torch(torch.nn.RNN(2, 3, bias=False, bidirectional=True))
    lstm_params = from_torch(torch.nn.LSTM(2, 3, bias=False, bidirectional=True))
    assert np.all(rnn_params.b == 0) and np.all(rnn_params.b_reverse == 0) and rnn_params.b.shape == (3,)
    assert all(np.all(p == 0) and p.shape == (12,) for p in lstm_params[2:4] + lstm_params[6:])


# ---- validation: every bad input names the argument ----

X, H0, PARAMS, D_OUT = rnn_problem(9, 2, 3, 2, 3)
_, CACHE = birnn_forward(X, H0, PARAMS)
LX, LH0, LC0, LPARAMS, _, DC_N = lstm_problem(9, 2, 3, 2, 3)
_, LCACHE = bilstm_forward(LX, LH0, LC0, LPARAMS)

BAD = [
    ("birnn_forward-x-2d", lambda: birnn_forward(X[0], H0, PARAMS), r"x must have shape \(N, T, D\)"),
    ("birnn_forward-x-N", lambda: birnn_forward(X[:1], H0, PARAMS), r"x must have shape \(N, T, D\) with N = 2"),
    ("birnn_forward-x-T0", lambda: birnn_forward(X[:, :0], H0, PARAMS), "x must have at least one time step"),
    ("birnn_forward-x-complex", lambda: birnn_forward(X * 1j, H0, PARAMS), "x must hold real numbers"),
    ("birnn_forward-h0-2d", lambda: birnn_forward(X, H0[0], PARAMS), "h0 must have 3 dimension"),
    ("birnn_forward-h0-one-direction", lambda: birnn_forward(X, H0[:1], PARAMS), r"h0 must have shape \(2, N, H\)"),
    ("birnn_forward-params-list", lambda: birnn_forward(X, H0, list(PARAMS)), "params must be a BiRNNParams"),
    ("birnn_forward-params-lstm", lambda: birnn_forward(X, H0, LPARAMS), "params must be a BiRNNParams"),
    ("birnn_forward-W_hh_reverse", lambda: birnn_forward(X, H0, PARAMS._replace(W_hh_reverse=np.eye(4))),
     r"W_hh_reverse must have shape \(H, H\)"),
    ("birnn_forward-W_xh", lambda: birnn_forward(X, H0, PARAMS._replace(W_xh=np.ones((3, 3)))),
     r"W_xh must have shape \(H, D\)"),
    ("birnn_forward-b_reverse-nan", lambda: birnn_forward(X, H0, PARAMS._replace(b_reverse=np.full(3, np.nan))),
     "b_reverse contains NaN"),
    ("birnn_forward-activation", lambda: birnn_forward(X, H0, PARAMS, "softmax"), "activation must be one of"),
    ("birnn_backward-d_output", lambda: birnn_backward(D_OUT[..., :3], CACHE),
     r"d_output must have shape \(N, T, 2H\)"),
    ("birnn_backward-cache", lambda: birnn_backward(D_OUT, CACHE.forward), "cache must be the BiRNNCache"),
    ("birnn_backward-cache-lstm", lambda: birnn_backward(D_OUT, LCACHE), "cache must be the BiRNNCache"),
    ("bilstm_forward-c0", lambda: bilstm_forward(LX, LH0, LC0[:, :, :2], LPARAMS), r"c0 must have shape \(2, N, H\)"),
    ("bilstm_forward-h0", lambda: bilstm_forward(LX, LH0[:1], LC0, LPARAMS), r"h0 must have shape \(2, N, H\)"),
    ("bilstm_forward-params-rnn", lambda: bilstm_forward(LX, LH0, LC0, PARAMS), "params must be a BiLSTMParams"),
    ("bilstm_forward-bias_hh_reverse", lambda: bilstm_forward(LX, LH0, LC0, LPARAMS._replace(
        bias_hh_reverse=np.zeros(3))), r"bias_hh_reverse must have shape \(4H,\)"),
    ("bilstm_backward-cache", lambda: bilstm_backward(D_OUT, CACHE), "cache must be the BiLSTMCache"),
    ("bilstm_backward-d_output", lambda: bilstm_backward(D_OUT[:, :2], LCACHE), "d_output must have shape"),
    ("bilstm_backward-dc_n", lambda: bilstm_backward(D_OUT, LCACHE, DC_N[0]), r"dc_n must have shape \(2, N, H\)"),
    ("from_torch-gru", lambda: from_torch(torch.nn.GRU(2, 3, bidirectional=True)), "module must be a torch.nn.RNN"),
    ("from_torch-numpy", lambda: from_torch(PARAMS), "module must be a torch.nn.RNN or torch.nn.LSTM"),
    ("from_torch-unidirectional-rnn", lambda: from_torch(torch.nn.RNN(2, 3)), "module must be bidirectional"),
    ("from_torch-unidirectional-lstm", lambda: from_torch(torch.nn.LSTM(2, 3)), "module must be bidirectional"),
    ("from_torch-layers", lambda: from_torch(torch.nn.LSTM(2, 3, num_layers=2, bidirectional=True)),
     "module must have num_layers=1"),
    ("from_torch-proj", lambda: from_torch(torch.nn.LSTM(2, 3, proj_size=2, bidirectional=True)), "proj_size=0"),
    ("to_torch-tuple", lambda: to_torch(PARAMS[:3]), "params must be a BiRNNParams .6 arrays. or a BiLSTMParams"),
    ("to_torch-activation", lambda: to_torch(PARAMS, "sigmoid"), "activation must be one of"),
    ("to_torch-lstm-activation", lambda: to_torch(LPARAMS, "relu"), "activation must be one of"),
    ("to_torch-W_hh", lambda: to_torch(PARAMS._replace(W_hh=np.ones((3, 0)))), "W_hh and W_xh must have H ≥ 1"),
    ("to_torch-weight_ih_reverse", lambda: to_torch(LPARAMS._replace(weight_ih_reverse=np.ones((12, 3)))),
     r"weight_ih_reverse must have shape \(4H, D\) = \(12, 2\)"),
]


@pytest.mark.parametrize("call, match", [pytest.param(c, m, id=i) for i, c, m in BAD])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
