"""Tests of rnnlab.chapters.criteria (Chapter 4): eigen-components, the bounds of its two theorems, the explorers'
numbers and every public function's input checks (the figures: test_criteria_figures.py)."""
import numpy as np
import pytest
import torch

from rnnlab import activations, spectral
from rnnlab.chapters import criteria


def rng(seed=0):
    return np.random.default_rng(seed)


# --- 4.2 linear RNN: eigen-components and thm-eig-linear ----------------------------------------------------------
@pytest.mark.parametrize("rho", [0.8, 1.0, 1.15])
def test_gradient_modes_reconstruct_the_gradient(rho):
    z_rng = rng(3)
    W = spectral.with_spectral_radius(8, rho, z_rng)
    z = z_rng.standard_normal(8)
    m = criteria.gradient_modes(W, z, 40)
    _, V = np.linalg.eig(W.T)
    for n in [0, 1, 7, 40]:
        direct = np.linalg.matrix_power(W.T, n) @ z
        modal = V @ (m.coefficients * m.eigenvalues**n)  # (eq-eig-modes)
        np.testing.assert_allclose(modal.real, direct, rtol=1e-10, atol=1e-12 * np.linalg.norm(direct))
        assert abs(m.norms[n] - np.linalg.norm(direct)) <= 1e-12 * np.linalg.norm(direct)
    np.testing.assert_allclose(m.components[5], np.abs(m.coefficients) * np.abs(m.eigenvalues) ** 5, rtol=1e-14)
    n = np.arange(41)
    # the bounds (a) and (b) of thm-eig-linear
    assert np.all(m.norms <= m.condition * rho**n * np.linalg.norm(z) * (1 + 1e-12))
    i = np.argmax(np.abs(m.eigenvalues))
    assert np.all(m.norms >= np.abs(m.coefficients[i]) * rho**n / m.inverse_norm * (1 - 1e-12))


def test_gradient_modes_of_a_normal_matrix():
    W = spectral.with_eigenvalues([0.9, -0.5, 0.3 + 0.4j, 0.3 - 0.4j], rng(4))
    m = criteria.gradient_modes(W, np.ones(4), 10)
    assert m.condition == pytest.approx(1.0, abs=1e-12) and m.inverse_norm == pytest.approx(1.0, abs=1e-12)
    # orthonormal eigenvectors: the squared norm is the sum of the squared components (Pythagoras)
    np.testing.assert_allclose(m.norms**2, np.sum(m.components**2, axis=1), rtol=1e-12)


def test_stable_part_vanishes_although_rho_exceeds_one():
    W = spectral.with_eigenvalues([1.2, 0.7, -0.5, 0.4 + 0.3j, 0.4 - 0.3j], rng(5), nonnormality=0.5)
    z = rng(6).standard_normal(5)
    s = criteria.stable_part(W, z)
    assert s.dtype == np.float64
    m = criteria.gradient_modes(W, s, 40)
    assert m.norms[-1] < 1e-5 * m.norms[0]  # decays like 0.7ⁿ
    assert abs(m.coefficients[np.argmax(np.abs(m.eigenvalues))]) < 1e-12
    grows = criteria.gradient_modes(W, z - s, 40)  # the rest lies along λ = 1.2 only
    np.testing.assert_allclose(grows.norms[1:] / grows.norms[:-1], 1.2, rtol=1e-10)


def test_modes_example_has_the_prescribed_spectrum_and_a_gap():
    W, z = criteria.modes_example(3)
    assert W.shape == (8, 8) and z.shape == (8,)
    np.testing.assert_allclose(np.sort_complex(np.linalg.eigvals(W)), np.sort_complex(criteria.MODES_SPECTRUM),
                               atol=1e-12)
    assert spectral.spectral_radius(W) == pytest.approx(1.0, abs=1e-12)
    assert np.array_equal(criteria.modes_example(3)[0], W)  # one seed, one matrix
    m = criteria.gradient_modes(1.1 * W, z, 60)
    assert 1 < m.condition < 100  # random eigenvectors, non-normal: κ > 1
    # the gap: past n = 30 the dominant term alone sets the rate, ‖(Wᵀ)ⁿ⁺¹z‖ = 1.1 ‖(Wᵀ)ⁿg‖
    np.testing.assert_allclose(m.norms[31:] / m.norms[30:-1], 1.1, rtol=1e-3)
    s = criteria.gradient_modes(1.1 * W, criteria.stable_part(1.1 * W, z), 60)
    assert s.norms[-1] < 1e-6 * s.norms[0]  # the stable part has vanished: |λ| ≤ 0.66 there


# --- 4.4 ‖Wⁿ‖ and the explorer matrix --------------------------------------------------------------------------
def test_linear_fate_and_transient_growth():
    W = spectral.nonnormal(16, 0.9, 3.0, rng(1))
    p = criteria.linear_fate(W, 300)
    np.testing.assert_allclose(p.norms, spectral.power_norms(W, 300), rtol=1e-12)
    assert p.rho == pytest.approx(0.9, rel=1e-8) and p.sigma_max == pytest.approx(spectral.max_singular_value(W))
    assert p.peak == p.norms.max() > 100 and p.peak_lag == np.argmax(p.norms) > 5
    assert p.status == "vanished" and np.all(p.norms <= p.sigma_max ** np.arange(301) * (1 + 1e-12))
    assert criteria.linear_fate(0.5 * np.eye(2), 30).status == "vanished"
    assert criteria.linear_fate(2.0 * np.eye(2), 30).status == "exploded"
    assert criteria.linear_fate(10.0 * np.eye(2), 400).norms[-1] == np.inf


def test_explorer_matrix():
    W = criteria.explorer_matrix(0.9, 0.0)
    assert spectral.spectral_radius(W) == pytest.approx(0.9, rel=1e-12)
    np.testing.assert_allclose(W @ W.T, W.T @ W, atol=1e-12)
    # one matrix moved by the sliders: W(ρ, ν) = ρ W(1, 0) + ν (W(1, 1) − W(1, 0))
    base = criteria.explorer_matrix(1.0, 0.0)
    push = criteria.explorer_matrix(1.0, 1.0) - base
    np.testing.assert_allclose(criteria.explorer_matrix(1.3, 2.5), 1.3 * base + 2.5 * push, atol=1e-12)
    Wn = criteria.explorer_matrix(0.9, 3.0)
    assert spectral.spectral_radius(Wn) == pytest.approx(0.9, rel=1e-8) and spectral.max_singular_value(Wn) > 3


# --- 4.3 nonlinear RNN: thm-eig-nonlinear ---------------------------------------------------------------------------
def torch_product_norm(W, activation, x, h0, n):
    """‖∂h_T/∂h_{T-n}‖₂ by torch autograd (float64) for the centred RNN of ``criteria.driven_norms``."""
    W_t, x_t = torch.from_numpy(W), torch.from_numpy(x)  # (H, H), (T, H)
    phi = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda a: a}[activation]
    b = -W_t @ torch.from_numpy(h0)
    T = x.shape[0]
    h = torch.from_numpy(h0)
    for t in range(T - n):
        h = phi(W_t @ h + x_t[t] + b)

    def tail(h_start):
        for t in range(T - n, T):
            h_start = phi(W_t @ h_start + x_t[t] + b)
        return h_start

    J = torch.autograd.functional.jacobian(tail, h.detach())  # (H, H)  ∂h_T/∂h_{T-n}
    return float(torch.linalg.matrix_norm(J, ord=2))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_driven_norms_match_autograd(activation):
    W = spectral.gaussian(5, rng(7), scale=1.5)
    T, scale = 12, 0.8
    norms = criteria.driven_norms(W, activation, T, scale, rng(8))
    assert norms.shape == (1, T + 1)
    x = scale * rng(8).standard_normal((1, T, 5))[0]  # the same draw as inside driven_norms
    h0 = np.full(5, float(activations.get_activation(activation).f(0.0)))
    for n in [1, 2, 6, 12]:
        ref = torch_product_norm(W, activation, x, h0, n)
        assert abs(norms[0, n] - ref) <= 1e-10 * ref, (n, norms[0, n], ref)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_centred_network_attains_the_bound_without_input(activation):
    gamma = activations.get_activation(activation).gamma
    W = spectral.gaussian(8, rng(9), scale=2.0)
    norms = criteria.driven_norms(W, activation, 25, 0.0, rng(10))[0]
    np.testing.assert_allclose(norms, spectral.power_norms(gamma * W, 25), rtol=1e-12)  # J_t = γ W
    Q = spectral.orthogonal(8, rng(11))  # W = s Q: ‖(γ s Q)ⁿ‖ = (γ s)ⁿ, the bound exactly
    np.testing.assert_allclose(criteria.driven_norms(3.0 * Q, activation, 25, 0.0, rng(10))[0],
                               (3.0 * gamma) ** np.arange(26), rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("seed", range(4))
def test_theorem_bound_holds(activation, seed):
    gamma = activations.get_activation(activation).gamma
    g = rng(seed)
    W = spectral.gaussian(10, g, scale=float(g.uniform(0.5, 3.0)) / gamma)
    eta = gamma * spectral.max_singular_value(W)
    norms = criteria.driven_norms(W, activation, 40, float(g.uniform(0, 2)), g, N=3)
    assert np.all(norms <= eta ** np.arange(41) * (1 + 1e-12))  # (eq-eig-bound)


def test_gamma_fate():
    r = criteria.gamma_fate(2.0, 30, 0.5)
    assert r.names == ("tanh", "sigmoid") and r.gamma.tolist() == [1.0, 0.25]
    assert r.singular_values[0] == pytest.approx(2.0, rel=1e-12)
    assert r.norms.shape == r.bound.shape == (2, 31)
    np.testing.assert_allclose(r.bound[1], 0.5 ** np.arange(31), rtol=1e-14)
    assert np.all(r.norms <= r.bound * (1 + 1e-12))
    assert r.status[1] == "vanished"  # η = 0.5 for the sigmoid: 0.5³⁰ < 1e-6 is guaranteed
    assert criteria.gamma_fate(8.0, 100, 0.0).status[0] == "exploded"  # tanh at a = 0, ρ(W) > 1
    same = criteria.gamma_fate(2.0, 30, 0.5, seed=criteria.EXPLORER_SEED)
    np.testing.assert_array_equal(same.norms, r.norms)  # the explorer's sample is the default seed
    other = criteria.gamma_fate(2.0, 30, 0.5, seed=7)
    assert other.singular_values[0] == pytest.approx(2.0) and not np.allclose(other.norms, r.norms)


def test_init_fate():
    Q = spectral.orthogonal(20, rng(12))
    r = criteria.init_fate("orthogonal", Q, 30, 1.0, rng(13))
    np.testing.assert_allclose(r.linear, 1.0, rtol=1e-12)
    assert r.rho == pytest.approx(1.0) and r.sigma_max == pytest.approx(1.0)
    assert np.all(r.tanh <= 1.0 + 1e-12) and r.tanh[-1] < 0.1


def test_explorer_statuses():
    assert criteria.spectrum_fate(0.5, 0.0, 100).status == "vanished"
    assert criteria.spectrum_fate(1.5, 0.0, 100).status == "exploded"
    r = criteria.spectrum_fate(0.9, 3.0, 60)
    assert r.peak > 10 and r.rho < 1 < r.sigma_max


# --- validation: one row (at least) per public function; "silent" rows once gave a wrong answer ------------
SQUARE = np.eye(2)
BAD_CALLS = [
    (lambda: criteria.modes_example(-1), "seed must be at least 0"),
    (lambda: criteria.modes_example(1.5), "seed must be an integer"),
    (lambda: criteria.gradient_modes(np.ones((2, 3)), np.ones(2), 3), r"W must be square \(H, H\); got \(2, 3\)"),
    (lambda: criteria.gradient_modes(SQUARE, np.ones(3), 3), r"z must have shape \(H,\) = \(2,\)"),
    (lambda: criteria.gradient_modes(SQUARE, np.ones(2), -1), "n_max must be at least 0"),
    (lambda: criteria.gradient_modes(np.array([[1.0, 1.0], [0.0, 1.0]]), np.ones(2), 3), "diagonalisable"),
    (lambda: criteria.gradient_modes(SQUARE * (1 + 1j), np.ones(2), 3), "W must hold real numbers"),  # silent
    (lambda: criteria.gradient_modes(SQUARE, [1.0, None], 3), "z must be an array of numbers; got None"),  # silent
    (lambda: criteria.stable_part(SQUARE, np.ones((2, 1))), "z must have 1 dimension"),
    (lambda: criteria.stable_part(SQUARE, [np.nan, 1.0]), "z contains NaN"),
    (lambda: criteria.driven_norms(SQUARE, "relu", 5, 1.0, rng()), "activation must be one of"),
    (lambda: criteria.driven_norms(SQUARE, "tanh", 5, -1.0, rng()), "input_scale must be at least 0"),
    (lambda: criteria.driven_norms(SQUARE, "tanh", 5, 1.0, 0), "rng must be a numpy Generator"),
    (lambda: criteria.driven_norms(SQUARE, "tanh", 5, 1.0, rng(), N=0), "N must be at least 1"),
    (lambda: criteria.driven_norms(SQUARE, "tanh", True, 1.0, rng()), "T must be an integer"),  # silent: T = 1
    (lambda: criteria.gamma_fate(float("nan"), 10, 1.0), "sigma_max must be a finite number"),
    (lambda: criteria.gamma_fate(2.0, 1001, 1.0), "T must be at most 1000"),
    (lambda: criteria.gamma_fate(2.0, 10, 1.0, seed="0"), "seed must be an integer"),
    (lambda: criteria.linear_fate(np.ones(3), 3), "W must have 2 dimension"),
    (lambda: criteria.linear_fate(SQUARE, 2.0), "n_max must be an integer"),
    (lambda: criteria.explorer_matrix(-0.1, 0.0), "rho must be at least 0"),
    (lambda: criteria.explorer_matrix(0.9, -1.0), "nonnormality must be at least 0"),
    (lambda: criteria.explorer_matrix(0.9, 0.0, H=0), "H must be at least 1"),
    (lambda: criteria.spectrum_fate(0.9, 0.0, 0), "T must be at least 1"),
    (lambda: criteria.spectrum_fate("0.9", 0.0, 10), "rho must be a finite number"),  # silent: text as number
    (lambda: criteria.init_fate("x", SQUARE, 2.5, 1.0, rng()), "T must be an integer"),
    (lambda: criteria.init_fate(None, SQUARE, 5, 1.0, rng()), "name must be text"),
    (lambda: criteria.init_fate("x", SQUARE, 5, 1.0, None), "rng must be a numpy Generator"),
]


@pytest.mark.parametrize("call, match", BAD_CALLS)
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()
