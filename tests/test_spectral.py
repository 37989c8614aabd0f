"""Tests of rnnlab.spectral: constructors hit their targets, Jacobian-product norms match direct loops."""
import warnings

import numpy as np
import pytest

from rnnlab.rnn import rnn_forward, step_jacobians
from rnnlab.spectral import (
    gaussian,
    jacobian_product_norms,
    max_singular_value,
    nonnormal,
    orthogonal,
    power_norms,
    singular_values,
    spectral_radius,
    with_eigenvalues,
    with_singular_values,
    with_spectral_radius,
)


def rng(seed=0):
    return np.random.default_rng(seed)


def direct_product_norms(J):
    """‖J_T ⋯ J_{T-n+1}‖₂ for n = 0..T by the obvious loop, for one (T, H, H) stack."""
    T, H, _ = J.shape
    P, out = np.eye(H), [1.0]
    for n in range(1, T + 1):
        P = P @ J[T - n]
        out.append(np.linalg.norm(P, 2))
    return np.array(out)


def test_spectrum_helpers_on_known_matrices():
    W = np.array([[0.0, 2.0], [-2.0, 0.0]])  # eigenvalues ±2i
    assert spectral_radius(W) == pytest.approx(2.0, rel=1e-15)
    A = np.diag([1.0, 3.0, 2.0])
    np.testing.assert_allclose(singular_values(A), [3.0, 2.0, 1.0], rtol=1e-15)
    assert max_singular_value(np.array([[1.0, 1.0], [0.0, 1.0]])) == pytest.approx((1 + 5**0.5) / 2, rel=1e-14)
    assert singular_values(np.ones((2, 3))).shape == (2,)  # rectangular is fine


@pytest.mark.parametrize("H", [1, 2, 5, 32])
def test_orthogonal(H):
    Q = orthogonal(H, rng(H))
    np.testing.assert_allclose(Q.T @ Q, np.eye(H), atol=1e-12)
    np.testing.assert_allclose(singular_values(Q), np.ones(H), rtol=1e-12)


def test_orthogonal_is_haar():
    # For Haar O(3): E[tr Q] = 0 and E[(tr Q)²] = 1. Plain QR without the sign fix gives E[tr Q] ≈ -1/2.
    g = rng(1)
    tr = np.array([np.trace(orthogonal(3, g)) for _ in range(4000)])
    assert abs(tr.mean()) < 0.1 and abs((tr**2).mean() - 1.0) < 0.15


@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0, 1.7])
@pytest.mark.parametrize("H", [1, 4, 64])
def test_with_spectral_radius(H, rho):
    W = with_spectral_radius(H, rho, rng(H))
    assert W.shape == (H, H)
    assert spectral_radius(W) == pytest.approx(rho, rel=1e-12, abs=1e-15)


def test_gaussian_scale():
    W = gaussian(200, rng(2), scale=2.0)
    assert np.std(W) * np.sqrt(200) == pytest.approx(2.0, rel=0.02)  # entries N(0, scale²/H)
    assert spectral_radius(W) == pytest.approx(2.0, rel=0.1)  # circular law


@pytest.mark.parametrize("s", [[3.0, 1.0, 0.5], [0.1, 2.0, 0.0, 1.0], [4.0]])
def test_with_singular_values(s):
    W = with_singular_values(s, rng(3))
    np.testing.assert_allclose(singular_values(W), sorted(s, reverse=True), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.2])
def test_nonnormal_zero_is_symmetric(rho):
    W = nonnormal(8, rho, 0.0, rng(4))
    np.testing.assert_allclose(W, W.T, atol=1e-14)
    assert spectral_radius(W) == pytest.approx(rho, rel=1e-12)
    assert max_singular_value(W) == pytest.approx(rho, rel=1e-12)  # normal: σ_max = ρ


@pytest.mark.parametrize("nu", [0.5, 1.0, 3.0])
def test_nonnormal_keeps_rho_and_raises_sigma_max(nu):
    W = nonnormal(16, 0.9, nu, rng(5))
    # eigenvalues of a non-normal matrix are ill-conditioned, hence the looser tolerance
    assert spectral_radius(W) == pytest.approx(0.9, rel=1e-8)
    assert max_singular_value(W) > 0.9 + 0.1


def test_nonnormal_transient_growth():
    W = nonnormal(16, 0.9, 3.0, rng(6))
    norms = power_norms(W, 400)
    assert norms.max() > 5.0 and norms.argmax() > 1  # grows first although ρ = 0.9 < 1 ...
    assert norms[-1] < 1e-6  # ... and decays eventually, like 0.9ⁿ
    normal = power_norms(nonnormal(16, 0.9, 0.0, rng(6)), 50)
    np.testing.assert_allclose(normal, 0.9 ** np.arange(51), rtol=1e-12)  # normal: ‖Wⁿ‖ = ρⁿ


def test_jacobian_product_norms_match_direct_loop():
    J = rng(7).standard_normal((2, 3, 12, 5, 5)) * 0.6  # (2, 3) batch, T = 12, H = 5
    norms = jacobian_product_norms(J)
    assert norms.shape == (2, 3, 13)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(norms[i, j], direct_product_norms(J[i, j]), rtol=1e-12)


def test_jacobian_product_norms_of_rnn():
    g = rng(8)
    N, T, D, H = 3, 30, 2, 6
    W_hh = with_spectral_radius(H, 1.3, g)
    _, cache = rnn_forward(g.standard_normal((N, T, D)), np.zeros((N, H)), g.standard_normal((H, D)), W_hh,
                           np.zeros(H), "tanh")
    J = step_jacobians(cache)
    norms = jacobian_product_norms(J)
    for n in range(N):
        np.testing.assert_allclose(norms[n], direct_product_norms(J[n]), rtol=1e-11)


def test_linear_rnn_gives_power_norms():
    g = rng(9)
    N, T, D, H = 2, 25, 3, 4
    W_hh = nonnormal(H, 0.95, 1.0, g)
    _, cache = rnn_forward(g.standard_normal((N, T, D)), g.standard_normal((N, H)), g.standard_normal((H, D)),
                           W_hh, g.standard_normal(H), "linear")
    expected = power_norms(W_hh, T)
    np.testing.assert_allclose(jacobian_product_norms(step_jacobians(cache)), np.stack([expected] * N), rtol=1e-12)
    direct = [np.linalg.norm(np.linalg.matrix_power(W_hh, n), 2) for n in range(T + 1)]
    np.testing.assert_allclose(expected, direct, rtol=1e-12)


def test_overflow_and_underflow_do_not_raise():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        big = power_norms(10.0 * np.eye(3), 400)
        small = power_norms(0.1 * np.eye(3), 400)
        mixed = power_norms(np.diag([10.0, 0.1]), 400)
    assert big[308] == pytest.approx(1e308, rel=1e-12) and np.all(np.isinf(big[309:]))
    assert small[300] == pytest.approx(1e-300, rel=1e-12) and small[-1] == 0.0
    np.testing.assert_array_equal(mixed, big)  # ‖diag(10ⁿ, 0.1ⁿ)‖ = 10ⁿ


def test_nan_stays_nan():
    J = rng(10).standard_normal((2, 8, 3, 3))
    J[0, 5, 1, 2] = np.nan  # J_6 of example 0: every product ∂h_8/∂h_{8-n} with n ≥ 3 contains it
    norms = jacobian_product_norms(J)
    assert np.all(np.isfinite(norms[0, :3])) and np.all(np.isnan(norms[0, 3:]))
    np.testing.assert_allclose(norms[1], direct_product_norms(J[1]), rtol=1e-12)


def test_zero_jacobian_gives_zero():
    J = np.ones((4, 2, 2))
    J[1] = 0.0  # J_2 = 0: products with n ≥ 3 vanish
    np.testing.assert_array_equal(jacobian_product_norms(J)[3:], [0.0, 0.0])


def test_edge_sizes():
    assert power_norms(np.array([[0.5]]), 3).tolist() == [1.0, 0.5, 0.25, 0.125]
    np.testing.assert_array_equal(power_norms(np.eye(2), 0), [1.0])
    assert jacobian_product_norms(np.zeros((4, 0, 3, 3))).shape == (4, 1)


@pytest.mark.parametrize("call, match", [
    (lambda: spectral_radius(np.ones((3, 4))), r"W must be square \(H, H\); got \(3, 4\)"),
    (lambda: spectral_radius(np.ones(3)), "W must have 2 dimension"),
    (lambda: power_norms(np.ones((2, 3)), 5), "W must be square"),
    (lambda: power_norms(np.eye(2), -1), "n_max must be at least 0"),
    (lambda: gaussian(0, rng()), "H must be at least 1"),
    (lambda: gaussian(3, 0), "rng must be a numpy Generator"),
    (lambda: gaussian(3, rng(), scale=-1.0), "scale must be at least 0"),
    (lambda: orthogonal(2.5, rng()), "H must be an integer"),
    (lambda: with_spectral_radius(3, -0.5, rng()), "rho must be at least 0"),
    (lambda: with_singular_values([1.0, -1.0], rng()), "s must be a non-empty array of non-negative"),
    (lambda: with_singular_values(np.ones((2, 2)), rng()), "s must have 1 dimension"),
    (lambda: nonnormal(4, 0.9, -1.0, rng()), "nonnormality must be at least 0"),
    (lambda: nonnormal(4, np.inf, 1.0, rng()), "rho must be a finite number"),
    (lambda: nonnormal(4, 0.9, 1.0, np.random.RandomState(0)), "rng must be a numpy Generator"),
    (lambda: jacobian_product_norms(np.ones((3, 3))), r"J must have shape \(..., T, H, H\)"),
    (lambda: jacobian_product_norms(np.ones((2, 3, 4))), r"J must have shape \(..., T, H, H\)"),
])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _sorted_eigs(z):
    z = np.asarray(z, dtype=complex)
    return z[np.lexsort((np.round(z.imag, 9), np.round(z.real, 9)))]


@pytest.mark.parametrize("lam", [
    [0.5, -0.3, 0.9],
    [0.8 + 0.3j, 0.8 - 0.3j, -0.2],
    np.linalg.eigvals(gaussian(12, rng(11))),
    [2.0],
])
def test_with_eigenvalues_hits_the_spectrum_and_is_normal_at_zero(lam):
    W = with_eigenvalues(lam, rng(12))
    assert W.dtype == np.float64 and W.shape == (len(lam), len(lam))
    np.testing.assert_allclose(_sorted_eigs(np.linalg.eigvals(W)), _sorted_eigs(lam), atol=1e-12)
    np.testing.assert_allclose(W @ W.T, W.T @ W, atol=1e-12)  # normal
    rho = np.max(np.abs(lam))
    np.testing.assert_allclose(power_norms(W, 30), rho ** np.arange(31), rtol=1e-11)  # ‖Wⁿ‖ = ρⁿ


@pytest.mark.parametrize("nu", [0.5, 2.0])
def test_with_eigenvalues_nonnormality_keeps_the_spectrum(nu):
    lam = np.linalg.eigvals(gaussian(10, rng(13)))
    lam = 0.9 * lam / np.max(np.abs(lam))
    W0, W = with_eigenvalues(lam, rng(14)), with_eigenvalues(lam, rng(14), nonnormality=nu)
    np.testing.assert_allclose(_sorted_eigs(np.linalg.eigvals(W)), _sorted_eigs(lam), atol=1e-8)
    assert max_singular_value(W) > max_singular_value(W0) + 0.1
    # the same rng gives the same Q and U: W is affine in the non-normality
    W2 = with_eigenvalues(lam, rng(14), nonnormality=2 * nu)
    np.testing.assert_allclose(W2 - W, W - W0, atol=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: with_eigenvalues([0.5 + 0.1j, 0.5 + 0.1j], rng()), "closed under complex conjugation"),
    (lambda: with_eigenvalues([0.5 + 0.1j], rng()), "closed under complex conjugation"),
    (lambda: with_eigenvalues([], rng()), "non-empty 1-D array"),
    (lambda: with_eigenvalues([[0.5]], rng()), "non-empty 1-D array"),
    (lambda: with_eigenvalues([np.nan], rng()), "finite eigenvalues"),
    (lambda: with_eigenvalues(["a"], rng()), "lam must be an array of numbers"),
    (lambda: with_eigenvalues([0.5], rng(), nonnormality=-1.0), "nonnormality must be at least 0"),
    (lambda: with_eigenvalues([0.5], 0), "rng must be a numpy Generator"),
])
def test_with_eigenvalues_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()
