"""Tests of rnnlab.models: shapes, seeding without global side effects, and the ∂L/∂h_t diagnostic."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnnlab import models, tasks
from rnnlab.models import RecurrentClassifier, WindowMLP, hidden_gradient_norms
from rnnlab.tasks import Batch

CELLS = ["rnn", "lstm", "gru"]


def _params(model):
    return [p.detach().clone() for p in model.parameters()]


# --- WindowMLP -----------------------------------------------------------------------------------------

def test_window_mlp_output_shape():
    model = WindowMLP(window=3, input_size=2, hidden_size=5, n_outputs=4)
    assert model(torch.randn(6, 10, 2)).shape == (6, 4)


def test_window_mlp_ignores_everything_before_the_window():
    model = WindowMLP(window=3, input_size=1, hidden_size=5, n_outputs=2)
    x = torch.randn(4, 10, 1)
    x_changed = x.clone()
    x_changed[:, :7] = torch.randn(4, 7, 1)  # steps 1..7 are outside the last 3
    torch.testing.assert_close(model(x), model(x_changed), rtol=0, atol=0)
    x_changed[:, 7] += 1.0  # step 8 is inside
    assert not torch.allclose(model(x), model(x_changed))


def test_window_mlp_needs_T_at_least_window():
    model = WindowMLP(window=5, input_size=1, hidden_size=4, n_outputs=2)
    model(torch.zeros(2, 5, 1))  # T = window is fine
    with pytest.raises(ValueError, match=r"window=5 needs sequences of length T ≥ 5; got T = 4"):
        model(torch.zeros(2, 4, 1))


def test_models_check_the_input_size():
    for model in (WindowMLP(2, 3, 4, 2), RecurrentClassifier(3, 4, 2)):
        with pytest.raises(ValueError, match="input_size = 3"):
            model(torch.zeros(2, 5, 1))
        with pytest.raises(ValueError, match=r"\(N, T, D\)"):
            model(torch.zeros(2, 5))


# --- RecurrentClassifier -------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
def test_recurrent_shapes_and_states(cell):
    model = RecurrentClassifier(input_size=2, hidden_size=6, n_outputs=3, cell=cell)
    x = torch.randn(4, 7, 2)
    output, states = model(x, return_states=True)
    assert output.shape == (4, 3)
    assert len(states) == 7 and all(h.shape == (4, 6) for h in states)
    torch.testing.assert_close(model(x), output)  # same result without states
    torch.testing.assert_close(output, model.readout(states[-1]))  # the readout sees h_T only


def test_rnn_states_follow_the_equation():
    model = RecurrentClassifier(2, 3, 2, cell="rnn", dtype=torch.float64)
    x = torch.randn(5, 4, 2, dtype=torch.float64)
    _, states = model(x, return_states=True)
    c = model.cell
    h = torch.zeros(5, 3, dtype=torch.float64)
    for t in range(4):  # h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)
        h = torch.tanh(h @ c.weight_hh.T + c.bias_hh + x[:, t] @ c.weight_ih.T + c.bias_ih)
        torch.testing.assert_close(states[t], h, rtol=1e-12, atol=1e-12)


def test_relu_nonlinearity():
    model = RecurrentClassifier(1, 4, 2, nonlinearity="relu")
    _, states = model(torch.randn(3, 5, 1), return_states=True)
    assert all((h >= 0).all() for h in states)


def test_states_retain_their_gradients():
    model = RecurrentClassifier(1, 4, 2)
    output, states = model(torch.randn(3, 5, 1), return_states=True)
    output.sum().backward()
    assert all(h.grad is not None and h.grad.shape == (3, 4) for h in states)


@pytest.mark.parametrize("make", [
    lambda seed: WindowMLP(4, 1, 8, 2, seed=seed),
    lambda seed: RecurrentClassifier(1, 8, 2, cell="rnn", seed=seed),
    lambda seed: RecurrentClassifier(1, 8, 2, cell="lstm", seed=seed),
    lambda seed: RecurrentClassifier(1, 8, 2, cell="gru", seed=seed),
])
def test_seed_fixes_the_init_and_leaves_the_global_rng_alone(make):
    a, b, c = _params(make(7)), _params(make(7)), _params(make(8))
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    assert not all(torch.equal(p, q) for p, q in zip(a, c))
    torch.manual_seed(123)
    expected = torch.rand(5)
    torch.manual_seed(123)
    make(0)
    assert torch.equal(torch.rand(5), expected)


def test_dtype_float64_and_float32_inputs():
    model = RecurrentClassifier(1, 4, 2, dtype=torch.float64)
    assert all(p.dtype == torch.float64 for p in model.parameters())
    assert model(torch.zeros(2, 3, 1, dtype=torch.float32)).dtype == torch.float64


def test_recurrent_arguments_are_validated():
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentClassifier(1, 4, 2, cell="transformer")
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        RecurrentClassifier(1, 4, 2, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="only to cell='rnn'"):
        RecurrentClassifier(1, 4, 2, cell="lstm", nonlinearity="relu")
    with pytest.raises(ValueError, match="hidden_size"):
        RecurrentClassifier(1, 0, 2)
    with pytest.raises(ValueError, match="seed"):
        WindowMLP(2, 1, 4, 2, seed=-1)
    with pytest.raises(ValueError, match="window"):
        WindowMLP(0, 1, 4, 2)


# --- hidden_gradient_norms -----------------------------------------------------------------------------

def _batch64(n=6, T=8, seed=0):
    batch = tasks.first_bit(n, T, np.random.default_rng(seed))
    return Batch(x=batch.x.double(), y=batch.y)


def test_hidden_gradient_norms_match_hand_written_bptt():
    """Vanilla tanh RNN, float64: dh_T = W_outᵀ(softmax(o) − onehot(y)); dh_{t-1} = W_hhᵀ (dh_t ⊙ (1 − h_t²))."""
    model = RecurrentClassifier(1, 5, 2, cell="rnn", seed=3, dtype=torch.float64)
    batch = _batch64()
    with torch.no_grad():
        output, states = model(batch.x, return_states=True)
        dh = (torch.softmax(output, dim=1) - F.one_hot(batch.y, 2)) @ model.readout.weight  # (N, H)
        expected = [None] * len(states)
        for t in reversed(range(len(states))):
            expected[t] = dh.norm(dim=1).mean().item()
            dh = (dh * (1 - states[t] ** 2)) @ model.cell.weight_hh  # (N, H) ∂L/∂h_{t-1}
    norms = hidden_gradient_norms(model, batch, "cross_entropy")
    assert norms.shape == (8,)
    np.testing.assert_allclose(norms, expected, rtol=1e-10)


@pytest.mark.parametrize("cell", CELLS)
def test_hidden_gradient_norms_match_restarting_from_each_state(cell):
    """∂L/∂h_t computed independently: make h_t a leaf, run the rest of the sequence, backprop."""
    model = RecurrentClassifier(1, 4, 2, cell=cell, seed=1, dtype=torch.float64)
    batch = _batch64(n=5, T=6)
    norms = hidden_gradient_norms(model, batch, "cross_entropy")
    for t0 in range(6):
        h = torch.zeros(5, 4, dtype=torch.float64)
        c = torch.zeros(5, 4, dtype=torch.float64)
        for t in range(6):
            if cell == "lstm":
                h, c = model.cell(batch.x[:, t], (h, c))
            else:
                h = model.cell(batch.x[:, t], h)
            if t == t0:
                h = leaf = h.detach().requires_grad_()
                c = c.detach()
        F.cross_entropy(model.readout(h), batch.y, reduction="sum").backward()
        assert norms[t0] == pytest.approx(leaf.grad.norm(dim=1).mean().item(), rel=1e-10)


def test_hidden_gradient_norms_with_a_callable_loss_and_no_side_effects():
    model = RecurrentClassifier(2, 4, 1, seed=2, dtype=torch.float64)
    batch = tasks.adding(8, 5, np.random.default_rng(0))
    per_sequence = hidden_gradient_norms(model, batch, "mse")
    mean_loss = hidden_gradient_norms(model, batch, lambda out, y: F.mse_loss(out, y.double()))
    np.testing.assert_allclose(mean_loss, per_sequence / 8, rtol=1e-10)
    assert all(p.grad is None for p in model.parameters())


def test_hidden_gradient_norms_validation():
    model = RecurrentClassifier(1, 4, 2)
    batch = tasks.first_bit(3, 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Batch"):
        hidden_gradient_norms(model, (batch.x, batch.y))
    with pytest.raises(ValueError, match="loss must be one of"):
        hidden_gradient_norms(model, batch, "hinge")
    with pytest.raises(ValueError, match="must be recurrent"):
        hidden_gradient_norms(WindowMLP(2, 1, 4, 2), batch)
    model.requires_grad_(False)
    with pytest.raises(ValueError, match="requires_grad"):
        hidden_gradient_norms(model, batch)


def test_loss_function_names():
    out, y = torch.tensor([[2.0, 0.0]]), torch.tensor([0])
    assert models.loss_function("cross_entropy")(out, y).item() == pytest.approx(F.cross_entropy(out, y).item())
    with pytest.raises(ValueError, match="reduction"):
        models.loss_function("mse", reduction="none")


# --- an output at every step (copy memory) ---------------------------------------------------------------

@pytest.mark.parametrize("cell", CELLS)
def test_every_step_reads_out_every_state_and_ends_like_the_final_readout(cell):
    x = torch.randn(3, 6, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    many = RecurrentClassifier(2, 4, 5, cell=cell, seed=1, dtype=torch.float64, every_step=True)
    last = RecurrentClassifier(2, 4, 5, cell=cell, seed=1, dtype=torch.float64)
    out, states = many(x, return_states=True)
    assert out.shape == (3, 6, 5) and len(states) == 6
    for t, h in enumerate(states):
        torch.testing.assert_close(out[:, t], many.readout(h), rtol=0, atol=1e-14)
    torch.testing.assert_close(out[:, -1], last(x), rtol=0, atol=1e-14)
    torch.testing.assert_close(many(x), out, rtol=0, atol=0)


def test_every_step_cross_entropy_is_the_mean_over_all_steps_and_checks_targets():
    model = RecurrentClassifier(10, 4, 10, cell="lstm", seed=0, dtype=torch.float64, every_step=True)
    batch = tasks.copy_memory(5, 3, np.random.default_rng(0))  # y (5, 23)
    out = model(batch.x)  # (5, 23, 10)
    per_step = [F.cross_entropy(out[:, t], batch.y[:, t], reduction="none") for t in range(23)]
    expected = torch.stack(per_step, dim=1)  # (N, T)
    loss = models.loss_function("cross_entropy")
    torch.testing.assert_close(loss(out, batch.y), expected.mean(), rtol=1e-14, atol=0)
    total = models.loss_function("cross_entropy", reduction="sum")(out, batch.y)
    torch.testing.assert_close(total, expected.sum(), rtol=1e-14, atol=0)
    with pytest.raises(ValueError, match="class indices from 2 to 10"):
        loss(out, batch.y + 2)
    with pytest.raises(ValueError, match="output must have shape"):
        loss(out, batch.y[:, :-1])


def test_every_step_gradient_norms_collect_every_steps_loss():
    model = RecurrentClassifier(10, 4, 10, cell="gru", seed=0, dtype=torch.float64, every_step=True)
    batch = tasks.copy_memory(4, 2, np.random.default_rng(1))
    norms = hidden_gradient_norms(model, batch)
    out, states = model(batch.x, return_states=True)
    models.loss_function("cross_entropy", reduction="sum")(out, batch.y).backward()
    expected = [h.grad.norm(dim=1).mean().item() for h in states]
    np.testing.assert_allclose(norms, expected, rtol=1e-14, atol=0)
    assert norms.shape == (22,) and np.all(norms > 0)


def test_every_step_is_validated():
    with pytest.raises(ValueError, match="every_step must be True or False"):
        RecurrentClassifier(1, 2, 2, every_step="yes")
