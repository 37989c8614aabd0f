"""Tests of rnnlab.activations: the bounds γ as properties, derivatives against finite differences."""
import warnings

import numpy as np
import pytest

from rnnlab.activations import (
    ACTIVATIONS,
    Activation,
    get_activation,
    leaky_relu,
    leaky_relu_prime,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    steps_until_below,
    tanh_prime,
)

GRID = np.linspace(-20.0, 20.0, 40_001)  # step 1e-3, contains 0


def points(seed=0):
    """A fine grid plus seeded random points at several scales."""
    rng = np.random.default_rng(seed)
    return np.concatenate([GRID, rng.normal(0, 1, 1000), rng.normal(0, 10, 1000)])


def test_sigmoid_prime_bound():
    a = points()
    d = sigmoid_prime(a)
    assert np.all(d > 0) and np.all(d <= 0.25)
    assert sigmoid_prime(0.0) == 0.25  # exactly
    assert np.all(d[np.abs(a) >= 1e-6] < 0.25)  # the maximum is attained only at 0
    s = sigmoid(a)
    np.testing.assert_allclose(d, s * (1 - s), rtol=1e-12, atol=1e-15)  # s(1-s) cancels in the tails


def test_tanh_prime_bound():
    a = points(1)
    d = tanh_prime(a)
    assert np.all(d > 0) and np.all(d <= 1.0)
    assert tanh_prime(0.0) == 1.0
    assert np.all(d[np.abs(a) >= 1e-6] < 1.0)
    np.testing.assert_allclose(d, 1 - np.tanh(a) ** 2, rtol=1e-10, atol=1e-15)


def test_bounds_hold_in_floating_point_near_zero():
    tiny = np.logspace(-20, -6, 200_001)  # e/(1+e)² alone rounds one ulp above the bound here
    a = np.concatenate([tiny, -tiny])
    assert np.all(sigmoid_prime(a) <= 0.25) and np.all(tanh_prime(a) <= 1.0)
    assert sigmoid_prime(1e-9) == 0.25 and tanh_prime(1e-9) == 1.0  # 1/4 - σ'(a) ≈ a²/16 is below half an ulp
    assert np.all(sigmoid_prime(a[np.abs(a) >= 1e-7]) < 0.25) and np.all(tanh_prime(a[np.abs(a) >= 1e-7]) < 1.0)


def test_relu_prime_values():
    a = points(2)
    assert set(np.unique(relu_prime(a))) <= {0.0, 1.0}
    assert relu_prime(0.0) == 0.0  # defined, documented choice
    assert relu_prime(1e-300) == 1.0 and relu_prime(-1e-300) == 0.0
    assert leaky_relu_prime(0.0) == 0.01 and leaky_relu_prime(2.0) == 1.0


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_central_differences(name):
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(3)
    a = rng.normal(0, 3, 500)
    a = a[np.abs(a) > 1e-3]  # keep away from the ReLU kink
    eps = 1e-6
    fd = (act.f(a + eps) - act.f(a - eps)) / (2 * eps)
    np.testing.assert_allclose(act.df(a), fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_gamma_is_sup_of_derivative(name):
    act = ACTIVATIONS[name]
    d = np.abs(act.df(points(4)))
    assert np.all(d <= act.gamma)
    assert d.max() == act.gamma  # attained on the grid (at 0 for sigmoid and tanh)


def test_gamma_values():
    assert {n: a.gamma for n, a in ACTIVATIONS.items()} == {
        "sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0, "linear": 1.0,
    }


@pytest.mark.parametrize("fprime", [sigmoid_prime, tanh_prime])
def test_saturation(fprime):
    assert np.all(fprime(np.array([-20.0, 20.0])) < 1e-8)


def test_sigmoid_no_overflow():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        s = sigmoid(np.array([-1000.0, 1000.0]))
        d = sigmoid_prime(np.array([-1000.0, 1000.0]))
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(d))
    assert s[0] == 0.0 and s[1] == 1.0
    np.testing.assert_allclose(sigmoid(-30.0), np.exp(-30.0) / (1 + np.exp(-30.0)), rtol=1e-15)


def test_get_activation():
    assert get_activation("tanh") is ACTIVATIONS["tanh"]
    custom = Activation("cube", lambda a: a**3, lambda a: 3 * a**2, np.inf)
    assert get_activation(custom) is custom
    with pytest.raises(ValueError, match=r"activation must be one of \['leaky_relu', 'linear', 'relu'"):
        get_activation("softplus")
    with pytest.raises(ValueError, match="activation"):
        get_activation(3)


@pytest.mark.parametrize("fn", [leaky_relu, leaky_relu_prime])
def test_leaky_relu_slope_validated(fn):
    with pytest.raises(ValueError, match="slope"):
        fn(np.ones(2), slope=-0.1)


def test_activation_rejects_text():
    with pytest.raises(ValueError, match="a must be an array of numbers"):
        sigmoid("x")


def test_steps_until_below_example():
    assert steps_until_below(0.25, 1e-6) == 10  # 4^-10 ≈ 9.5e-7 < 1e-6 ≤ 4^-9 ≈ 3.8e-6


@pytest.mark.parametrize("gamma, eps, T", [(0.5, 0.25, 3), (0.5, 0.5, 2), (0.9, 0.95, 1), (0.5, 0.5000001, 1)])
def test_steps_until_below_at_exact_powers(gamma, eps, T):
    assert steps_until_below(gamma, eps) == T  # gamma^T == eps is not "below"


def test_steps_until_below_is_minimal():
    rng = np.random.default_rng(5)
    for gamma, eps in zip(rng.uniform(0.01, 0.999, 300), 10.0 ** rng.uniform(-12, -0.01, 300)):
        T = steps_until_below(gamma, eps)
        assert T >= 1 and gamma**T < eps
        assert T == 1 or gamma ** (T - 1) >= eps
    for k in range(1, 30):  # thresholds that are exact powers of 1/2
        assert steps_until_below(0.5, 0.5**k) == k + 1


@pytest.mark.parametrize("gamma, eps, name", [(1.0, 0.1, "gamma"), (0.0, 0.1, "gamma"), (1.5, 0.1, "gamma"),
                                              (0.5, 0.0, "eps"), (0.5, 1.0, "eps"), (np.nan, 0.1, "gamma")])
def test_steps_until_below_validation(gamma, eps, name):
    with pytest.raises(ValueError, match=name):
        steps_until_below(gamma, eps)
