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


# ---- chrono initialisation (Tallec & Ollivier, 2018) ----

def lstm_model(H=6, seed=0):
    return models.RecurrentClassifier(2, H, 1, cell="lstm", seed=seed)


@pytest.mark.parametrize("T_max", [2, 3.5, 100, 1000])
def test_chrono_biases_spread_the_forget_time_scales_uniformly_over_2_to_T_max(T_max):
    b_i, b_f = init.chrono_biases(4000, T_max, rng(1))
    assert b_i.shape == b_f.shape == (4000,) and np.array_equal(b_i, -b_f)
    tau = 1.0 + np.exp(b_f)  # 1/(1 − σ(b_f))
    np.testing.assert_allclose(tau, 1.0 / (1.0 - 1.0 / (1.0 + np.exp(-b_f))), rtol=1e-9)
    assert tau.min() >= 2.0 - 1e-12 and tau.max() <= T_max + 1e-9
    if T_max > 2:  # uniform: the mean is the midpoint, each quarter holds about a quarter of the units
        assert abs(tau.mean() - (2 + T_max) / 2) < 0.03 * (T_max - 2)
        counts = np.histogram(tau, bins=4, range=(2, T_max))[0]
        assert counts.min() > 850
    else:
        assert np.all(b_f == 0.0)


def test_chrono_writes_the_biases_and_leaves_everything_else():
    m = lstm_model(H=5, seed=3)
    before = {name: p.detach().clone() for name, p in m.named_parameters()}
    assert init.chrono(m, 50, seed=7) is m
    b = (m.cell.bias_ih + m.cell.bias_hh).detach().double().numpy()
    b_i, b_f = init.chrono_biases(5, 50, np.random.default_rng(7))
    np.testing.assert_allclose(b[5:10], b_f, rtol=1e-6)  # float32 model
    np.testing.assert_allclose(b[:5], b_i, rtol=1e-6)
    assert torch.equal(m.cell.bias_hh[:10], torch.zeros(10))
    for name, p in m.named_parameters():
        if "bias" in name:
            assert torch.equal(p[10:], before[name][10:]), name  # g and o keep their biases
        else:
            assert torch.equal(p, before[name]), name


def test_chrono_is_seeded_and_leaves_the_global_rng_alone():
    state = torch.random.get_rng_state()
    a, b = init.chrono(lstm_model(), 30, seed=2), init.chrono(lstm_model(seed=1), 30, seed=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.cell.bias_ih[:12], b.cell.bias_ih[:12])
    c = init.chrono(lstm_model(), 30, seed=3)
    assert not torch.equal(a.cell.bias_ih[6:12], c.cell.bias_ih[6:12])


@pytest.mark.parametrize("call, match", [
    (lambda: init.chrono(models.RecurrentClassifier(2, 3, 1, cell="gru"), 10), "cell='lstm'"),
    (lambda: init.chrono(torch.nn.LSTM(2, 3), 10), "models.RecurrentClassifier"),
    (lambda: init.chrono(lstm_model(), 1.5), "T_max must be at least 2"),
    (lambda: init.chrono(lstm_model(), float("inf")), "T_max must be a finite number"),
    (lambda: init.chrono(lstm_model(), "100"), "T_max must be"),
    (lambda: init.chrono(lstm_model(), 10, seed=-1), "seed"),
    (lambda: init.chrono_biases(0, 10, rng()), "H must be"),
    (lambda: init.chrono_biases(4, 10, 0), "rng"),
])
def test_chrono_bad_inputs_fail_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
