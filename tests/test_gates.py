"""Chapter 7's chapter layer: retention measurements (gates), figures and explorers; and the library's
``init.forget_bias``. (Chapter 7's training comparison reads Chapter 8's committed runs: tests/test_longterm*.)"""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from rnnlab import bench, init, lstm, models
from rnnlab.chapters import gates, gates_figures


def test_forget_bias_sets_the_sum_and_leaves_the_other_gates():
    model = models.RecurrentClassifier(2, 5, 1, cell="lstm", seed=3)
    before = [p.detach().clone() for p in (model.cell.bias_ih, model.cell.bias_hh)]
    assert init.forget_bias(model, 1.5) is model
    b = (model.cell.bias_ih + model.cell.bias_hh).detach()
    assert torch.equal(b[5:10], torch.full((5,), 1.5))
    for rows in (slice(0, 5), slice(10, 20)):  # i, g, o unchanged
        assert torch.equal(model.cell.bias_ih[rows], before[0][rows])
        assert torch.equal(model.cell.bias_hh[rows], before[1][rows])


@pytest.mark.parametrize("call, match", [
    (lambda: init.forget_bias(models.RecurrentClassifier(1, 3, 2, cell="gru"), 1.0), "cell='lstm'"),
    (lambda: init.forget_bias(torch.nn.LSTM(1, 3), 1.0), "models.RecurrentClassifier"),
    (lambda: init.forget_bias(models.RecurrentClassifier(1, 3, 2, cell="lstm"), float("nan")), "value must be"),
    (lambda: gates.cell_params("lstmx", 4, 0), "cell must be one of"),
    (lambda: gates.cell_params("lstm", 4, 0, gate_bias="1"), "gate_bias must be"),
    (lambda: gates.retention("gru", input_scale=-1.0), "input_scale must be"),
    (lambda: gates.retention("rnn", T=0), "T must be"),
    (lambda: gates.forward("gru", [1, 2], np.zeros((1, 3, 2))), "params must be"),
    (lambda: gates.autograd_cell_jacobian(gates.cell_params("lstm", 3, 0), np.zeros((1, 4, 2)), 5), "t must be"),
    (lambda: gates.parameter_count("lstm", 0, 4), "D must be"),
    (lambda: gates.multiply_adds(3, 2, 4), "cell must be one of"),
    (lambda: gates.gate_traces(amplitude=float("inf")), "amplitude must be"),
    (lambda: gates_figures.draw_retention(Figure(), [1, 2]), "results must be"),
    (lambda: gates_figures.draw_gates(Figure(), None), "traces must be"),
    (lambda: gates_figures.draw_retention(None, {}), "fig must be"),
    (lambda: gates.cell_params("gru", 4, 0, chrono_T_max=50), "chrono_T_max applies to an LSTM"),
    (lambda: gates.cell_params("lstm", 4, 0, gate_bias=1.0, chrono_T_max=50), "chrono_T_max applies"),
    (lambda: gates.cell_params("lstm", 4, 0, chrono_T_max=1.0), "T_max must be at least 2"),
    (lambda: gates.time_scales(input_scale=-1.0), "input_scale must be"),
    (lambda: gates.time_scales(H=0), "H must be"),
    (lambda: gates_figures.draw_time_scales(Figure(), {"a": 1}), "results must be"),
    (lambda: gates_figures.draw_time_scales(Figure(), {str(k): gates.time_scales(H=2, T=3) for k in range(5)}),
     "at most 4"),
])
def test_bad_inputs_fail_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("cell, k", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_cell_params_have_torch_shapes_and_the_gate_bias(cell, k):
    W_ih, W_hh, b_ih, b_hh = gates.cell_params(cell, 4, 0, gate_bias=2.0, D=3)
    assert W_ih.shape == (k * 4, 3) and W_hh.shape == (k * 4, 4) and b_ih.shape == b_hh.shape == (k * 4,)
    assert W_ih.dtype == np.float64
    default = gates.cell_params(cell, 4, 0, D=3)
    if cell == "rnn":  # no gate: the bias is ignored
        assert all(np.array_equal(a, b) for a, b in zip(default, (W_ih, W_hh, b_ih, b_hh)))
    else:  # rows H..2H: the LSTM's forget gate, the GRU's update gate
        assert np.array_equal((b_ih + b_hh)[4:8], np.full(4, 2.0))
        assert np.array_equal(np.delete(b_ih, range(4, 8)), np.delete(default[2], range(4, 8)))
        assert np.all(np.abs(default[2]) <= 0.5) and not np.array_equal(default[2][4:8], b_ih[4:8])


def _torch_state_jacobian(cell, params, x):
    """‖∂s_T/∂s_0‖ by torch autograd through torch.nn.RNN / LSTM / GRU (float64), s as in gates.retention."""
    W_ih, W_hh, b_ih, b_hh = (torch.from_numpy(p) for p in params)
    H, D = W_hh.shape[1], W_ih.shape[1]
    net = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H, batch_first=True,
                                                                                 dtype=torch.float64)
    with torch.no_grad():
        for name, p in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), (W_ih, W_hh, b_ih, b_hh)):
            getattr(net, name).copy_(p)
    xt = torch.from_numpy(x)

    def final(s0):
        if cell == "lstm":
            _, (h, c) = net(xt, (s0[None, None, :H], s0[None, None, H:]))
            return torch.cat([h[0, 0], c[0, 0]])
        return net(xt, s0[None, None])[1][0, 0]

    S = 2 * H if cell == "lstm" else H
    J = torch.autograd.functional.jacobian(final, torch.zeros(S, dtype=torch.float64))
    return float(torch.linalg.matrix_norm(J, ord=2))


@pytest.mark.parametrize("cell", gates.CELLS)
@pytest.mark.parametrize("gate_bias", [None, 1.0])
def test_retention_gain_over_the_whole_sequence_matches_autograd(cell, gate_bias):
    T, H, seed = 7, 3, 2
    r = gates.retention(cell, gate_bias, 1.5, T, H, seed)
    assert r.gains.shape == (T + 1,) and r.gains[0] == 1.0
    x = 1.5 * np.random.default_rng(seed).standard_normal((1, T, gates.D_INPUT))
    ref = _torch_state_jacobian(cell, gates.cell_params(cell, H, seed, gate_bias), x)
    assert abs(r.gains[-1] - ref) <= 1e-10 * ref
    assert r.status in ("vanished", "within 10^±6", "exploded")


def test_lstm_cell_path_is_the_running_product_of_forget_gates():
    r = gates.retention("lstm", 1.0, 1.0, 12, 4, 1)
    f = r.forget  # (T, H)
    for n in range(13):
        expected = np.prod(f[12 - n:], axis=0).max() if n else 1.0
        assert np.isclose(r.cell_path[n], expected, rtol=1e-12)
    assert np.all(np.diff(r.cell_path) < 0)
    assert gates.retention("rnn", T=5).cell_path is None and gates.retention("gru", T=5).cell_path is None


def test_forget_bias_one_keeps_more_gradient_than_zero():
    g0, g1 = (gates.retention("lstm", b, 1.0, 60, 8, 0).gains[60] for b in (0.0, 1.0))
    assert g1 > 100 * g0


@pytest.mark.parametrize("t", [2, 5, 9])
def test_total_cell_jacobian_matches_autograd(t):
    p = gates.cell_params("lstm", 5, 1, gate_bias=0.5)
    x = np.random.default_rng(4).standard_normal((1, 9, gates.D_INPUT))
    z = np.zeros((1, 5))
    *_, cache = lstm.lstm_forward(x, z, z, *p)
    ours = gates.total_cell_jacobian(cache, t)
    ref = gates.autograd_cell_jacobian(p, x, t)
    assert np.abs(ours - ref).max() <= 1e-10 * np.abs(ref).max()
    assert not np.allclose(ours, np.diag(np.diag(ours)))  # the routes through h are really there
    with pytest.raises(ValueError, match="t must be"):
        gates.total_cell_jacobian(cache, 1)


@pytest.mark.parametrize("D, H", [(1, 1), (2, 16), (7, 33)])
def test_parameter_count_matches_torch(D, H):
    for cell, net in {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.items():
        assert gates.parameter_count(cell, D, H) == sum(p.numel() for p in net(D, H).parameters())
    assert gates.multiply_adds("lstm", D, H) == 4 * (H * H + H * D) == 4 * gates.multiply_adds("rnn", D, H)


def test_gate_traces_follow_the_pulse_and_the_bias():
    t = gates.gate_traces(2.0, 1.0, T=30, H=6)
    assert t.x[0] == 1.0 and np.all(t.x[1:] == 0) and t.lstm["f"].shape == (30, 6)
    assert abs(t.lstm["f"][1:].mean() - 1 / (1 + np.exp(-2.0))) < 0.05
    assert np.all(np.diff(t.lstm["memory"][5:]) < 0)  # the pulse fades in silence
    silent = gates.gate_traces(2.0, 0.0, T=30, H=6)
    assert np.all(silent.lstm["memory"] == 0) and np.all(silent.gru["memory"] == 0)


def test_explorers_are_registered_and_draw():
    registered = set(bench.EXPLORERS.values())
    assert "rnnlab.chapters.gates_figures:retention_explorer" in registered
    assert "rnnlab.chapters.gates_figures:gate_explorer" in registered
    for explorer in (gates_figures.retention_explorer(), gates_figures.gate_explorer()):
        assert explorer.png()[:4] == b"\x89PNG"
        assert 12 <= len(explorer.frame_values()) <= 24


def test_time_scales_follow_the_bias_and_chrono_spreads_them():
    T_max, H = 60, 32
    for b in (0.0, 1.0):
        r = gates.time_scales(b, H=H, T=40, seed=1)
        np.testing.assert_allclose(r.at_bias, 1 + np.exp(b), rtol=1e-6)  # float32 model, 1/(1 − σ(b))
        assert r.measured.shape == (H,) and r.T == 40 and 0 < r.cell_path < 1
    chrono = gates.time_scales(chrono_T_max=T_max, H=H, T=40, seed=1)
    assert chrono.at_bias.min() >= 2 - 1e-5 and chrono.at_bias.max() <= T_max * (1 + 1e-5)
    assert chrono.at_bias.max() > 10 * chrono.at_bias.min()
    params = gates.cell_params("lstm", H, 1, chrono_T_max=T_max)
    b = params[2] + params[3]
    np.testing.assert_allclose(b[:H], -b[H:2 * H])  # b_i = −b_f


def test_time_scales_measured_and_cell_path_from_the_forget_gates():
    r = gates.time_scales(1.0, H=5, T=9, seed=2)
    params = gates.cell_params("lstm", 5, 2, 1.0)
    x = np.random.default_rng(2).standard_normal((1, 9, gates.D_INPUT))
    z = np.zeros((1, 5))
    *_, cache = lstm.lstm_forward(x, z, z, *params)
    f = cache.gates[0, :, 5:10]  # (T, H)
    np.testing.assert_allclose(r.measured, 1 / (1 - f.mean(axis=0)), rtol=1e-12)
    assert np.isclose(r.cell_path, np.prod(f, axis=0).max(), rtol=1e-12)


def test_time_scales_figure_draws():
    fig = Figure()
    gates_figures.draw_time_scales(fig, {"b_f = 1": gates.time_scales(1.0, H=4, T=5),
                                         "chrono": gates.time_scales(chrono_T_max=20, H=4, T=5)})
    assert len(fig.axes[0].lines) == 5  # two per setting and the legend's dashed sample
