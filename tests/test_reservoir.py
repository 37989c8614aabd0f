"""Echo state networks: the radius exact, the states those of the equation, ridge the closed form and better
conditioned than least squares, the echo state property and its loss, memory capacity, the Mackey–Glass generator,
and the torch model equal to the numpy one."""
import numpy as np
import pytest
import torch

from rnnlab import esn, models, reservoir, series, tasks
from rnnlab.reservoir_torch import ESNClassifier

SEEDS = range(5)
RNG = np.random.default_rng


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("H, radius", [(10, 0.5), (50, 0.95), (200, 1.25)])
def test_the_spectral_radius_is_exactly_the_one_asked_for(seed, H, radius):
    W = reservoir.reservoir_matrix(H, radius, 0.2, rng=RNG(seed))
    assert abs(np.abs(np.linalg.eigvals(W)).max() - radius) < 1e-12
    assert 0.1 < np.mean(W != 0) < 0.3  # about density of the entries are connections


def test_radius_zero_is_the_zero_matrix_and_the_input_matrix_has_a_bias_column():
    assert not reservoir.reservoir_matrix(5, 0.0, rng=RNG(0)).any()
    W_xh = reservoir.input_matrix(6, 3, 0.5, rng=RNG(0))
    assert W_xh.shape == (6, 4) and np.abs(W_xh).max() <= 0.5


def _loop(W_hh, W_xh, x, leak, h):
    """(eq-esn) one step at a time, with [1; x_t] built explicitly."""
    out = []
    for x_t in x:
        h = (1 - leak) * h + leak * np.tanh(W_xh @ np.concatenate([[1.0], x_t]) + W_hh @ h)
        out.append(h)
    return np.array(out)


@pytest.mark.parametrize("seed", SEEDS)
def test_run_reservoir_is_the_equation_for_one_sequence_and_a_batch(seed):
    rng = RNG(seed)
    W_hh, W_xh = reservoir.reservoir_matrix(8, 0.9, 0.5, rng=rng), reservoir.input_matrix(8, 2, rng=rng)
    x, h0 = rng.normal(size=(3, 20, 2)), rng.normal(size=(3, 8))
    batch = reservoir.run_reservoir(W_hh, W_xh, x, 0.3, h0)  # (3, 20, 8)
    for n in range(3):
        np.testing.assert_allclose(batch[n], _loop(W_hh, W_xh, x[n], 0.3, h0[n]), rtol=0, atol=1e-13)
        np.testing.assert_allclose(reservoir.run_reservoir(W_hh, W_xh, x[n], 0.3, h0[n]), batch[n], rtol=0, atol=1e-13)


def test_ridge_is_the_closed_form_and_keeps_collinear_features_bounded():
    rng = RNG(0)
    X, Y = rng.normal(size=(4, 30)), rng.normal(size=(2, 30))
    closed = Y @ X.T @ np.linalg.inv(X @ X.T + 0.1 * np.eye(4))
    np.testing.assert_allclose(reservoir.ridge(X, Y, 0.1), closed, rtol=1e-12, atol=1e-12)
    # Two features that differ by 1e-9: least squares splits the weight into huge opposite values, ridge does not.
    base = rng.normal(size=200)
    X = np.vstack([base, base + 1e-9 * rng.normal(size=200)])  # (2, T)
    Y = (base + 0.01 * rng.normal(size=200))[None]  # (1, T)
    W_ls = np.linalg.lstsq(X.T, Y.T, rcond=None)[0].T
    W_ridge = reservoir.ridge(X, Y, 1e-3)
    assert np.abs(W_ls).max() > 1e3 and np.abs(W_ridge).max() < 1
    np.testing.assert_allclose(W_ridge.sum(), 1.0, atol=0.01)  # the weight shared between the two copies
    A = X @ X.T + 1e-3 * np.eye(2)
    assert np.linalg.cond(A) <= (np.linalg.norm(X, 2) ** 2 + 1e-3) / 1e-3 * (1 + 1e-9)


def test_nrmse_is_0_for_a_perfect_prediction_and_1_for_the_mean():
    target = np.sin(np.linspace(0, 20, 500))
    assert reservoir.nrmse(target, target) == 0
    assert reservoir.nrmse(target, np.full(500, target.mean())) == pytest.approx(1.0, abs=1e-12)
    assert reservoir.nrmse(target[:3], target[:3] + 0.1, variance=0.01) == pytest.approx(1.0)


def _contraction(seed, H=30, sigma=0.95):
    """A W_hh with σ_max exactly ``sigma``, and input weights."""
    rng = RNG(seed)
    W = rng.normal(size=(H, H))
    return W * sigma / np.linalg.norm(W, 2), reservoir.input_matrix(H, 1, rng=rng), rng


@pytest.mark.parametrize("seed", SEEDS)
def test_sigma_max_below_1_washes_out_the_initial_state(seed):
    W_hh, W_xh, rng = _contraction(seed)
    assert reservoir.sufficient_condition(W_hh)
    d = reservoir.echo_state_distance(W_hh, W_xh, rng.uniform(-1, 1, (300, 1)), 1.0, rng.normal(size=30) * 3,
                                      rng.normal(size=30) * 3)
    assert d[0] > 0.1 and d[-1] < 1e-6 and np.all(d[1:] <= 0.95 * d[:-1] + 1e-15)  # at least 5 % a step


@pytest.mark.parametrize("seed", SEEDS)
def test_radius_above_1_with_zero_input_loses_the_echo_state_property(seed):
    """The zero state is unstable: a run from h0 and one from −h0 (its mirror image) never meet."""
    rng = RNG(seed)
    h0 = 0.1 * rng.normal(size=50)
    W_hh = reservoir.reservoir_matrix(50, 1.5, 0.2, rng=rng)
    assert not reservoir.sufficient_condition(W_hh)
    assert reservoir.zero_input_distance(W_hh, h0, -h0, 500)[-100:].min() > 0.5
    W_stable = W_hh / 1.5 * 0.9  # the same matrix at ρ = 0.9: both runs fall to the zero state
    assert reservoir.zero_input_distance(W_stable, h0, -h0, 500)[-1] < 1e-6


def test_memory_capacity_recalls_recent_inputs_and_is_at_most_H():
    lags = np.arange(1, 101)
    totals = {r: reservoir.memory_capacity(r, 1.0, 50, lags, RNG(0), n_train=1000, n_test=1000, washout=100)
              for r in (0.5, 0.9, 1.5)}
    assert np.all(totals[0.9].mc[:3] > 0.99) and totals[0.9].mc[-10:].max() < 0.02
    assert totals[1.5].total < totals[0.5].total < totals[0.9].total < 50  # memory grows with ρ until ρ > 1


@pytest.fixture(scope="module")
def mackey_glass():
    s = series.squash(series.mackey_glass(5000, discard=1000))
    return s[:2000], s[2000:]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_generator_predicts_84_steps_ahead_far_better_than_persistence(seed, mackey_glass):
    train, test = mackey_glass
    gen = esn.fit_generator(train, 100, rng=RNG(seed))
    err = esn.prediction_nrmse(gen, test, horizon=84, n_runs=20, prime=300)
    starts = np.arange(20) * (len(test) - 384) // 19 + 299
    persistence = reservoir.nrmse(test[starts + 84], test[starts], variance=np.var(test))
    assert err < 0.1 < 0.5 < persistence  # measured 0.011–0.041 at H = 100, 2000 training steps


def test_generate_takes_one_prime_or_a_batch_and_starts_from_the_readout(mackey_glass):
    train, test = mackey_glass
    gen = esn.fit_generator(train, 50, rng=RNG(0))
    primes = np.stack([test[:200], test[100:300]])
    batch = esn.generate(gen, primes, 10)
    np.testing.assert_allclose(esn.generate(gen, primes[1], 10), batch[1], rtol=0, atol=1e-12)
    h = reservoir.run_reservoir(gen.W_hh, gen.W_xh, primes[0][:, None], gen.leak)[-1]
    first = gen.W_out @ np.concatenate([[1.0, primes[0][-1]], h])
    np.testing.assert_allclose(batch[0, 0], first[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("leak", [1.0, 0.3])
def test_the_torch_model_has_the_numpy_states(seed, leak):
    model = ESNClassifier(2, 16, 3, radius=0.9, leak=leak, input_scale=0.5, seed=seed, every_step=True)
    rng = np.random.default_rng(seed)
    np.testing.assert_array_equal(model.cell.W_hh.numpy(), reservoir.reservoir_matrix(16, 0.9, 0.1, rng=rng))
    x = RNG(seed + 10).normal(size=(4, 25, 2))
    out, states = model(torch.tensor(x), return_states=True)
    want = reservoir.run_reservoir(model.cell.W_hh.numpy(), model.cell.W_xh.numpy(), x, leak)  # (4, 25, 16)
    np.testing.assert_allclose(torch.stack(states, 1).detach().numpy(), want, rtol=0, atol=1e-12)
    assert out.shape == (4, 25, 3) and not any(p.requires_grad for p in model.cell.parameters())


def test_only_the_readout_trains_unless_the_cell_is_unfrozen():
    model = ESNClassifier(1, 8, 2, seed=0)
    batch = tasks.first_bit(16, 10, RNG(0))
    loss = models.loss_function("cross_entropy")(model(batch.x.double()), batch.y)
    loss.backward()
    assert model.readout.weight.grad is not None and model.cell.W_hh.grad is None
    model.cell.requires_grad_(True)  # now a leaky tanh RNN trained by BPTT: its gradient flow can be measured
    norms = models.hidden_gradient_norms(model, tasks.Batch(batch.x.double(), batch.y))
    assert norms.shape == (10,) and norms[0] < norms[-1]
    x = batch.x.double()
    torch.testing.assert_close(model(x, truncate=3), model(x), rtol=0, atol=0)  # truncation cuts only the graph
