"""Tests of rnnlab.init: the families' spectra, agreement with torch's own initialisers, and bad inputs."""
import numpy as np
import pytest
import torch

from rnnlab import init, models, spectral


def rng(seed=0):
    return np.random.default_rng(seed)


def rnn_model(nonlinearity="tanh", H=6, seed=0, dtype=torch.float64):
    return models.RecurrentClassifier(2, H, 1, nonlinearity=nonlinearity, seed=seed, dtype=dtype)


@pytest.mark.parametrize("gain", [0.0, 0.5, 1.0, 1.7])
def test_orthogonal_and_identity_have_every_singular_value_equal_to_the_gain(gain):
    for family in ("orthogonal", "identity"):
        W = init.recurrent_matrix(family, 9, gain, rng(3))
        assert W.shape == (9, 9)
        np.testing.assert_allclose(spectral.singular_values(W), gain, atol=1e-12)
        np.testing.assert_allclose(W.T @ W, gain**2 * np.eye(9), atol=1e-12)
    np.testing.assert_array_equal(init.recurrent_matrix("identity", 4, gain, rng()), gain * np.eye(4))


def test_gaussian_is_the_spectral_gaussian_scaled_by_the_gain():
    np.testing.assert_array_equal(init.recurrent_matrix("gaussian", 7, 1.3, rng(5)),
                                  spectral.gaussian(7, rng(5), scale=1.3))
    W = init.recurrent_matrix("gaussian", 400, 1.0, rng(1))
    assert abs(W.std() * np.sqrt(400) - 1) < 0.01  # entries N(0, 1/H)
    assert 1.9 < spectral.max_singular_value(W) < 2.1  # σ_max ≈ 2β for large H


def test_the_same_seed_gives_the_same_matrix():
    for family in init.FAMILIES:
        np.testing.assert_array_equal(init.recurrent_matrix(family, 5, 1.0, rng(8)),
                                      init.recurrent_matrix(family, 5, 1.0, rng(8)))


def test_apply_matches_torch_initialisers_and_zeroes_the_biases():
    H = 6
    m = init.apply(rnn_model(H=H), "orthogonal", 1.5, seed=4)
    expected = torch.empty(H, H, dtype=torch.float64)
    torch.nn.init.orthogonal_(expected, gain=1.5, generator=torch.Generator().manual_seed(4))
    torch.testing.assert_close(m.cell.weight_hh.detach(), expected, rtol=0, atol=0)
    W = init.recurrent_weight(m)
    np.testing.assert_allclose(W.T @ W, 1.5**2 * np.eye(H), atol=1e-12)
    assert torch.all(m.cell.bias_hh == 0) and torch.all(m.cell.bias_ih == 0)
    irnn = init.apply(rnn_model("relu", H=H), "identity", 1.0, seed=0)
    eye = torch.nn.init.eye_(torch.empty(H, H, dtype=torch.float64))
    torch.testing.assert_close(irnn.cell.weight_hh.detach(), eye, rtol=0, atol=0)
    g = init.apply(rnn_model(H=200), "gaussian", 0.8, seed=1)
    assert abs(init.recurrent_weight(g).std() * np.sqrt(200) - 0.8) < 0.02


def test_apply_leaves_the_input_weights_and_the_global_rng_alone():
    m = rnn_model()
    before = m.cell.weight_ih.detach().clone()
    state = torch.random.get_rng_state()
    init.apply(m, "gaussian", 1.0, seed=3)
    torch.testing.assert_close(m.cell.weight_ih.detach(), before)
    assert torch.equal(torch.random.get_rng_state(), state)
    a = init.recurrent_weight(init.apply(rnn_model(), "orthogonal", 1.0, seed=9))
    b = init.recurrent_weight(init.apply(rnn_model(seed=5), "orthogonal", 1.0, seed=9))
    np.testing.assert_array_equal(a, b)  # W_hh depends on the init seed only


@pytest.mark.parametrize("call, match", [
    (lambda: init.recurrent_matrix("xavier", 3, 1.0, rng()), "family"),
    (lambda: init.recurrent_matrix(None, 3, 1.0, rng()), "family"),
    (lambda: init.recurrent_matrix("identity", 0, 1.0, rng()), "H"),
    (lambda: init.recurrent_matrix("orthogonal", 2.5, 1.0, rng()), "H"),
    (lambda: init.recurrent_matrix("gaussian", 3, -1.0, rng()), "gain"),
    (lambda: init.recurrent_matrix("gaussian", 3, float("nan"), rng()), "gain"),
    (lambda: init.recurrent_matrix("gaussian", 3, 1.0, 0), "rng"),
    (lambda: init.apply(torch.nn.RNN(2, 3), "identity"), "model"),
    (lambda: init.apply(models.RecurrentClassifier(2, 3, 1, cell="lstm"), "identity"), "cell='rnn'"),
    (lambda: init.apply(rnn_model(), "Identity"), "family"),
    (lambda: init.apply(rnn_model(), "identity", gain=-0.1), "gain"),
    (lambda: init.apply(rnn_model(), "identity", gain="1"), "gain"),
    (lambda: init.apply(rnn_model(), "orthogonal", seed=-1), "seed"),
    (lambda: init.apply(rnn_model(), "orthogonal", seed=1.5), "seed"),
    (lambda: init.recurrent_weight(models.RecurrentClassifier(2, 3, 1, cell="gru")), "cell='rnn'"),
    (lambda: init.recurrent_weight(np.eye(3)), "model"),
])
def test_bad_inputs_fail_naming_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
