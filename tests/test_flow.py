"""Tests of rnnlab.flow: the stepwise run reproduces torch's fused modules, its ∂L/∂h_t are the total derivatives
of rnnlab's hand-written BPTT (float64, ≤ 1e-10), and the fused output's .grad is not (the pitfall)."""
import numpy as np
import pytest
import torch

from rnnlab import flow, flow_plot, gru, lstm, models, rnn, tasks
from rnnlab.gradcheck import relative_error

KINDS = ["lstm", "gru", "rnn_tanh", "rnn_relu"]
SEEDS = [0, 1, 2, 3, 4]


def module(kind, D, H, K=1, seed=0, batch_first=True, bias=True, bidirectional=False):
    """A float64 torch module with seeded weights (gains > 1 so that the gradient really changes along t)."""
    torch.manual_seed(seed)
    options = dict(batch_first=batch_first, bias=bias, bidirectional=bidirectional, dtype=torch.float64)
    if kind.startswith("rnn"):
        m = torch.nn.RNN(D, H, K, nonlinearity=kind[4:], **options)
    else:
        m = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](D, H, K, **options)
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(3.0)
    return m


def handwritten_totals(m, x, h0, c0, dh):
    """∂L/∂h_t and ∂L/∂c_t, t = 1..T, by rnnlab's hand-written BPTT for a one-layer module, for L = Σ_t ⟨dh_t, h_t⟩.

    The total derivative at step t is the immediate dh_t plus what full BPTT over steps t+1..T delivers to its
    initial state, i.e. the dh0 (and dc0) of a run started at (h_t, c_t).
    """
    N, T, H = dh.shape
    if isinstance(m, torch.nn.LSTM):
        p = lstm.from_torch(m)
        run = lambda xs, h, c: lstm.lstm_forward(xs, h, c, *p)  # noqa: E731
        back = lambda d, cache: lstm.lstm_backward(d, cache)  # noqa: E731
    elif isinstance(m, torch.nn.GRU):
        p = gru.from_torch(m)
        run = lambda xs, h, c: gru.gru_forward(xs, h, *p)  # noqa: E731
        back = gru.gru_backward
    else:
        W_xh, W_hh = (w.detach().numpy() for w in (m.weight_ih_l0, m.weight_hh_l0))
        b = (m.bias_ih_l0 + m.bias_hh_l0).detach().numpy()
        run = lambda xs, h, c: rnn.rnn_forward(xs, h, W_xh, W_hh, b, m.nonlinearity)  # noqa: E731
        back = rnn.rnn_backward
    out = run(x, h0, c0)
    h, c = out[0], (out[1] if len(out) == 3 else None)
    total_h, total_c = dh.copy(), np.zeros((N, T, H))
    for t in range(1, T):  # 1-based step t; nothing comes back from after T
        later = run(x[:, t:], h[:, t - 1], None if c is None else c[:, t - 1])
        grads = back(dh[:, t:], later[-1])
        total_h[:, t - 1] += grads.dh0
        if c is not None:
            total_c[:, t - 1] = grads.dc0
    if c is not None:  # c_t also reaches the loss through h_t = o_t ⊙ tanh(c_t) (eq-lstm-dc)
        o = out[-1].gates[:, :, 3 * H:]  # (N, T, H)
        total_c += total_h * o * (1 - np.tanh(c) ** 2)
    return total_h, total_c, h


def inputs(seed, N, T, D, H, K=1):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((N, T, D)), 0.5 * rng.standard_normal((K, N, H)), 0.5 * rng.standard_normal((K, N, H)),
            rng.standard_normal((N, T, H)))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("K", [1, 2, 3])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_the_stepwise_run_reproduces_the_fused_module(kind, K, batch_first, bias):
    m = module(kind, 2, 4, K, seed=K, batch_first=batch_first, bias=bias)
    x, h0, c0, _ = inputs(K, 3, 5, 2, 4, K)
    x = torch.from_numpy(x if batch_first else x.transpose(1, 0, 2).copy())
    hx = (torch.from_numpy(h0), torch.from_numpy(c0)) if kind == "lstm" else torch.from_numpy(h0)
    for state in (hx, None):
        ref_out, ref_final = m(x, state)
        out, final, trajectory = flow.run_stepwise(m, x, state)
        assert torch.allclose(out, ref_out, rtol=0, atol=1e-12)
        for a, b in zip(final if kind == "lstm" else [final], ref_final if kind == "lstm" else [ref_final]):
            assert torch.allclose(a, b, rtol=0, atol=1e-12)
        assert len(trajectory.h) == K and all(len(h) == 6 for h in trajectory.h)
        assert (trajectory.c is None) == (kind != "lstm")
        assert trajectory.inputs[1:] == [h[1:] for h in trajectory.h[:-1]]  # a layer reads the nodes below


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_total_derivatives_match_handwritten_bptt(kind, seed):
    N, T, D, H = 3, 7, 2, 4
    batch_first = seed % 2 == 0  # time-first on odd seeds
    m = module(kind, D, H, seed=seed, batch_first=batch_first)
    x, h0, c0, dh = inputs(seed, N, T, D, H)
    total_h, total_c, _ = handwritten_totals(m, x, h0[0], c0[0], dh)
    hx = (torch.from_numpy(h0), torch.from_numpy(c0)) if kind == "lstm" else torch.from_numpy(h0)
    xs = torch.from_numpy(x if batch_first else x.transpose(1, 0, 2).copy())
    with flow.record(m) as runs:
        out, _ = m(xs, hx)
    out = out if batch_first else out.transpose(0, 1)  # (N, T, H)
    loss = (out * torch.from_numpy(dh)).sum()
    assert relative_error(flow.state_gradients(loss, runs[0]), total_h) <= 1e-10
    norms = flow.gradient_norms(loss, runs[0])
    assert relative_error(norms, np.linalg.norm(total_h, axis=2).mean(axis=0)) <= 1e-10
    if kind == "lstm":
        assert relative_error(flow.state_gradients(loss, runs[0], state="c"), total_c) <= 1e-10
    # the pitfall: the fused output's .grad is the immediate derivative dh_t only, not the total derivative
    out, _ = m(xs, hx)
    out.retain_grad()
    (out * torch.from_numpy(dh if batch_first else dh.transpose(1, 0, 2).copy())).sum().backward()
    grad = out.grad.numpy() if batch_first else out.grad.numpy().transpose(1, 0, 2)  # (N, T, H)
    assert np.array_equal(grad, dh)
    assert relative_error(grad[:, :-1], total_h[:, :-1]) > 0.1  # they differ before T
    assert relative_error(grad[:, -1], total_h[:, -1]) <= 1e-14  # and agree at T, where no later step


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_lower_layer_gets_every_path_through_the_layer_above(kind, seed):
    """Layer 0 of a two-layer stack: its immediate derivative is what layer 1's hand-written BPTT sends to its
    inputs (dx); its total derivative adds the path through layer 0's own later steps."""
    N, T, D, H = 2, 6, 3, 4
    m = module(kind, D, H, K=2, seed=seed)
    x, h0, c0, dh = inputs(seed, N, T, D, H, K=2)
    layers = [module(kind, D if k == 0 else H, H, seed=seed) for k in range(2)]
    with torch.no_grad():
        for k, one in enumerate(layers):
            for name, p in one.named_parameters():
                p.copy_(getattr(m, name.replace("_l0", f"_l{k}")))
    _, _, h_below = handwritten_totals(layers[0], x, h0[0], c0[0], dh)
    if kind == "lstm":
        _, _, cache = lstm.lstm_forward(h_below, h0[1], c0[1], *lstm.from_torch(layers[1]))
        dx_above = lstm.lstm_backward(dh, cache).dx
    else:
        _, cache = gru.gru_forward(h_below, h0[1], *gru.from_torch(layers[1]))
        dx_above = gru.gru_backward(dh, cache).dx
    total_below, _, _ = handwritten_totals(layers[0], x, h0[0], c0[0], dx_above)
    hx = (torch.from_numpy(h0), torch.from_numpy(c0)) if kind == "lstm" else torch.from_numpy(h0)
    with flow.record(m) as runs:
        out, _ = m(torch.from_numpy(x), hx)
    loss = (out * torch.from_numpy(dh)).sum()
    assert relative_error(flow.state_gradients(loss, runs[0], layer=0), total_below) <= 1e-10
    assert relative_error(flow.state_gradients(loss, runs[0], layer=1),
                          handwritten_totals(layers[1], h_below, h0[1], c0[1], dh)[0]) <= 1e-10


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_users_own_cell_loop_agrees_with_models_hidden_gradient_norms(cell):
    model = models.RecurrentClassifier(1, 5, 2, cell=cell, seed=3, dtype=torch.float64)
    batch = tasks.first_bit(6, 9, np.random.default_rng(3))
    batch = tasks.Batch(batch.x.double(), batch.y)
    output, states = model(batch.x, return_states=True)
    loss = models.loss_function("cross_entropy", reduction="sum")(output, batch.y)
    ours = flow.gradient_norms(loss, states)
    assert relative_error(ours, models.hidden_gradient_norms(model, batch)) <= 1e-10
    assert ours.shape == (9,) and ours[0] < ours[-1]  # the loss reads h_T: the gradient shrinks going back


def cell_loop(m, x, h0, c0):
    """An independent run of a bidirectional module: torch's nn.RNNCell / GRUCell / LSTMCell holding its weights,
    a plain loop per layer and direction. Returns the output (N, T, 2H) and, per direction, each layer's
    [h_1, …, h_T] in the order that direction reads (the backward direction's first state is h←_T)."""
    cells = {torch.nn.LSTM: torch.nn.LSTMCell, torch.nn.GRU: torch.nn.GRUCell, torch.nn.RNN: torch.nn.RNNCell}
    extra = {"nonlinearity": m.nonlinearity} if isinstance(m, torch.nn.RNN) else {}
    states = {"forward": [], "backward": []}
    layer_in = list(x.unbind(1))  # T × (N, D)
    for layer in range(m.num_layers):
        outputs = []
        for i, (direction, suffix) in enumerate((("forward", ""), ("backward", "_reverse"))):
            cell = cells[type(m)](layer_in[0].shape[1], m.hidden_size, bias=m.bias, dtype=torch.float64, **extra)
            with torch.no_grad():
                for name, p in cell.named_parameters():
                    p.copy_(getattr(m, f"{name}_l{layer}{suffix}"))
            h, c, hs = h0[2 * layer + i], c0[2 * layer + i], []
            for x_t in (layer_in if direction == "forward" else layer_in[::-1]):
                h, c = cell(x_t, (h, c)) if isinstance(m, torch.nn.LSTM) else (cell(x_t, h), None)
                hs.append(h)
            states[direction].append(hs)
            outputs.append(hs if direction == "forward" else hs[::-1])
        layer_in = [torch.cat(pair, dim=1) for pair in zip(*outputs)]  # (N, 2H) [h→_t ; h←_t]
    return torch.stack(layer_in, dim=1), states


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("K", [1, 2])
def test_a_bidirectional_module_gives_one_profile_per_direction(kind, K):
    """Output, final states and every total derivative ∂L/∂h_t of both directions and layers against autograd
    through an independent cell loop (float64, ≤ 1e-10); the backward direction in the order it reads."""
    N, T, D, H = 3, 6, 2, 4
    m = module(kind, D, H, K, seed=K, bidirectional=True)
    rng = np.random.default_rng(K)
    x, h0, c0 = (torch.from_numpy(rng.standard_normal(shape)) for shape in ((N, T, D), (2 * K, N, H), (2 * K, N, H)))
    dy = torch.from_numpy(rng.standard_normal((N, T, 2 * H)))
    hx = (h0, c0) if kind == "lstm" else h0
    with flow.record(m) as runs:
        out, final = m(x, hx)
    ref_out, ref_final = m(x, hx)
    assert torch.allclose(out, ref_out, rtol=0, atol=1e-12)
    for a, b in zip(final if kind == "lstm" else [final], ref_final if kind == "lstm" else [ref_final]):
        assert torch.allclose(a, b, rtol=0, atol=1e-12)
    loop_out, loop_states = cell_loop(m, x, h0, c0)
    assert torch.allclose(loop_out, ref_out, rtol=0, atol=1e-12)
    loss, loop_loss = (out * dy).sum(), (loop_out * dy).sum()
    for layer in range(K):
        ours = flow.state_gradients(loss, runs[0], layer=layer)
        assert set(ours) == {"forward", "backward"}
        for direction, grads in ours.items():
            exact = torch.autograd.grad(loop_loss, loop_states[direction][layer], retain_graph=True)
            assert relative_error(grads, torch.stack(exact, dim=1).numpy()) <= 1e-10
    norms = flow.gradient_norms(loss, runs[0])
    for direction, grads in flow.state_gradients(loss, runs[0]).items():
        np.testing.assert_array_equal(norms[direction], np.linalg.norm(grads, axis=2).mean(axis=0))


def test_a_loss_at_one_position_reaches_each_direction_up_to_that_position():
    """A tagger's loss at position p = 2 of T = 5: the forward run's ∂L/∂h→_t is 0 after t = 2, the backward
    run's after its step T + 1 − p = 4 (position 2); each direction's gain is taken up to where the loss enters."""
    m = module("gru", 2, 3, bidirectional=True)
    with flow.record(m) as runs:
        out, _ = m(torch.from_numpy(np.random.default_rng(0).standard_normal((2, 5, 2))))
    norms = flow.gradient_norms(out[:, 1].sum(), runs[0])
    assert np.all(norms["forward"][2:] == 0) and np.all(norms["forward"][:2] > 0)
    assert np.all(norms["backward"][4:] == 0) and np.all(norms["backward"][:4] > 0)
    assert flow_plot.flow_gain(norms["forward"]) == norms["forward"][0] / norms["forward"][1]
    assert flow_plot.flow_gain(norms["backward"]) == norms["backward"][0] / norms["backward"][3]
    fig = flow_plot.plot_gradient_flow(norms)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][0].startswith("forward: ")


def test_record_leaves_the_model_as_it_was_and_records_every_call():
    m = module("gru", 2, 3)
    fused = m.forward
    x = torch.ones(1, 4, 2, dtype=torch.float64)
    with pytest.raises(RuntimeError):
        with flow.record(m) as runs:
            m(x)
            m(x[:, :2])
            raise RuntimeError("a failing model")
    assert m.forward == fused and "forward" not in vars(m)
    assert [len(r.h[0]) for r in runs] == [5, 3]
    with flow.record(m):
        with pytest.raises(ValueError, match="already being recorded"):
            with flow.record(m):
                pass


def test_a_state_the_loss_never_reads_gets_a_zero_gradient():
    m = module("rnn_tanh", 1, 2)
    _, _, trajectory = flow.run_stepwise(m, torch.ones(1, 3, 1, dtype=torch.float64))
    loss = trajectory.h[0][2].sum()  # reads h_2 only
    g = flow.state_gradients(loss, trajectory)
    assert np.all(g[:, 2] == 0) and np.all(g[:, 1] == 1) and np.all(g[:, 0] != 0)


BAD = [
    ("run_stepwise-module", "rnn must be a torch.nn.RNN, nn.LSTM or nn.GRU",
     lambda: flow.run_stepwise(torch.nn.Linear(2, 2), torch.ones(1, 2, 2))),
    ("run_stepwise-proj_size", "rnn is an LSTM with proj_size=2, whose h_t = W_hr",
     lambda: flow.run_stepwise(torch.nn.LSTM(2, 3, proj_size=2), torch.ones(1, 2, 2))),
    ("run_stepwise-hx-dtype", "hx must have the module's dtype torch.float32, as x; got torch.float64",
     lambda: flow.run_stepwise(torch.nn.RNN(2, 3), torch.ones(1, 2, 2), torch.zeros(1, 2, 3, dtype=torch.float64))),
    ("state_gradients-bidirectional-dict", "a bidirectional run must be the dict",
     lambda: flow.state_gradients(None, {"forward": None, "backward": None})),
    ("run_stepwise-dropout", "call rnn.eval",
     lambda: flow.run_stepwise(torch.nn.LSTM(2, 3, 2, dropout=0.5), torch.ones(1, 2, 2))),
    ("run_stepwise-x", r"x must be a tensor of shape \(T, N, D\) with D = input_size = 2",
     lambda: flow.run_stepwise(torch.nn.RNN(2, 3), torch.ones(2, 3))),
    ("run_stepwise-dtype", "x must have the module's dtype torch.float32",
     lambda: flow.run_stepwise(torch.nn.RNN(2, 3), torch.ones(1, 2, 2, dtype=torch.float64))),
    ("run_stepwise-hx", r"hx\[1\] \(c_0\) must be a tensor of shape \(num_layers, N, H\) = \(1, 1, 3\)",
     lambda: flow.run_stepwise(torch.nn.LSTM(2, 3), torch.ones(2, 1, 2), (torch.zeros(1, 1, 3), torch.zeros(3)))),
    ("run_stepwise-hx-tuple", "hx of an LSTM must be a tuple",
     lambda: flow.run_stepwise(torch.nn.LSTM(2, 3), torch.ones(2, 1, 2), torch.zeros(1, 1, 3))),
    ("record-module", "rnn must be a torch.nn.RNN", lambda: flow.record(torch.nn.RNNCell(2, 3)).__enter__()),
    ("state_gradients-loss", "loss must be a scalar torch tensor",
     lambda: flow.state_gradients(3.0, [torch.ones(1, 2, requires_grad=True)])),
    ("state_gradients-states", "states must be a Trajectory",
     lambda: flow.state_gradients(torch.ones((), requires_grad=True), [np.ones((1, 2))])),
    ("state_gradients-state", "state must be one of", lambda: flow.state_gradients(None, [], state="m")),
    ("state_gradients-layer-list", "layer and state choose from a Trajectory",
     lambda: flow.state_gradients(None, [torch.ones(1, 2)], layer=0)),
    ("state_gradients-c", "state='c' needs an LSTM",
     lambda: flow.state_gradients(None, flow.run_stepwise(torch.nn.GRU(1, 2), torch.ones(1, 1, 1))[2], state="c")),
    ("state_gradients-layer", "layer must be at most 0",
     lambda: flow.state_gradients(None, flow.run_stepwise(torch.nn.GRU(1, 2), torch.ones(1, 1, 1))[2], layer=1)),
    ("state_gradients-nograd", "the states do not require grad",
     lambda: flow.state_gradients(torch.ones((), requires_grad=True), [torch.ones(1, 2)])),
    ("state_gradients-other-run", "the loss does not depend on any of the states",
     lambda: flow.state_gradients(torch.ones((), requires_grad=True) * 2, [torch.ones(1, 2, requires_grad=True)])),
    ("gradient_norms-states", "states must be a Trajectory", lambda: flow.gradient_norms(None, "h")),
    ("check_recurrent", "rnn must be a torch.nn.RNN", lambda: flow.check_recurrent(None)),
    ("layer_weights-layer", "layer must be at most 1", lambda: flow.layer_weights(torch.nn.RNN(1, 2, 2), 2)),
    ("cell_function", "rnn must be a torch.nn.RNN", lambda: flow.cell_function(torch.nn.GRUCell(1, 2))),
]


@pytest.mark.parametrize("call, match", [pytest.param(c, m, id=i) for i, m, c in BAD])
def test_bad_calls_fail_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
