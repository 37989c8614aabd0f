"""Chapter 3's saturation module: the bounds as properties, quadrature against brute force and Monte Carlo,
safe extremes for the explorer, and a clear error for every bad input (the networks: test_saturation_rnns)."""
import itertools
import math
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import activations, plotting
from rnnlab.chapters import saturation
from rnnlab.chapters.saturation import NAMES, derivative_bounds, derivative_statistics, log_derivative

GRID = np.arange(-30_000, 30_001) / 1000  # step 1e-3, contains 0 exactly


def _points(seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([GRID, rng.normal(0, 1, 2000), rng.normal(0, 10, 2000)])


# --- log φ' and the saturation bounds ------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_log_derivative_matches_log_of_derivative(name):
    a = _points(1)
    df = activations.get_activation(name).df(a)  # leaky ReLU with slope 0.01, as in saturation
    with np.errstate(divide="ignore"):
        expected = np.log(df)
    np.testing.assert_allclose(log_derivative(name, a), expected, rtol=1e-12, atol=1e-13)


def test_log_derivative_has_no_underflow_and_no_warnings():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        big = np.array([-2000.0, 2000.0])
        np.testing.assert_allclose(log_derivative("sigmoid", big), [-2000.0, -2000.0], rtol=1e-15)
        np.testing.assert_allclose(log_derivative("tanh", big), math.log(4) - 4000.0, rtol=1e-15)
        assert list(log_derivative("relu", [-1.0, 0.0, 1.0])) == [-np.inf, -np.inf, 0.0]
    assert list(log_derivative("sigmoid", [-np.inf, np.inf])) == [-np.inf, -np.inf]  # the limit, not NaN


@pytest.mark.parametrize("name, a, error, match", [
    ("softplus", 1.0, ValueError, "name must be one of"),
    (["sigmoid"], 1.0, ValueError, "name must be one of"),
    ("tanh", [0.0, np.nan], ValueError, "a contains NaN"),  # would silently return NaN
    ("sigmoid", "one", ValueError, "a must be an array of numbers"),
    ("relu", [[1.0], [2.0, 3.0]], ValueError, "a must be an array of numbers"),  # ragged
    ("sigmoid", "1.5", ValueError, "a must be an array of numbers"),  # text that looks like a number
    ("sigmoid", None, ValueError, "a must be an array of numbers; got None"),  # would become NaN
    ("tanh", [True, False], ValueError, "not of booleans"),  # would become 1.0 and 0.0
    ("tanh", [1 + 2j], ValueError, "not complex"),  # would silently drop the imaginary part
])
def test_log_derivative_validation(name, a, error, match):
    with pytest.raises(error, match=match):
        log_derivative(name, a)


def test_saturation_bounds_hold_everywhere():
    b = derivative_bounds(_points(2))
    assert np.all(b.sigmoid_lower <= b.sigmoid) and np.all(b.sigmoid <= b.sigmoid_upper)
    assert np.all(b.tanh_lower <= b.tanh) and np.all(b.tanh <= b.tanh_upper)
    assert np.all(b.sigmoid <= 0.25) and np.all(b.tanh <= 1.0)
    assert set(np.unique(b.relu)) == {0.0, 1.0} and set(np.unique(b.leaky_relu)) == {0.01, 1.0}
    at0 = derivative_bounds(0.0)  # both bounds are attained at 0
    assert at0.sigmoid == at0.sigmoid_upper == 0.25 and at0.tanh == at0.tanh_upper == 1.0
    assert at0.sigmoid_lower == 0.25 and at0.tanh_lower == 1.0


def test_tanh_prime_is_four_sigmoid_prime_of_twice():
    a = _points(3)
    np.testing.assert_allclose(activations.tanh_prime(a), 4 * activations.sigmoid_prime(2 * a), rtol=1e-13, atol=0)


@pytest.mark.parametrize("a, match", [
    ([0.0, np.nan], "a contains NaN or infinity"),
    ([np.inf], "a contains NaN or infinity"),
    ("grid", "a must be an array of numbers"),
    ([0.5, None], "a must be an array of numbers; got None"),
    (np.array([1.0 + 1j]), "not complex"),
])
def test_derivative_bounds_validation(a, match):
    with pytest.raises(ValueError, match=match):
        derivative_bounds(a)


# --- the explorer's statistics -------------------------------------------------------------------------------

CASES = [(0.0, 1.0), (1.5, 3.0), (-2.0, 0.3), (0.0, 8.0), (4.0, 0.1), (-4.0, 8.0)]


@pytest.mark.parametrize("mean, spread", CASES)
def test_quadrature_matches_a_much_finer_rule(mean, spread):
    r = derivative_statistics(mean, spread, 10)
    a = np.linspace(mean - 12 * spread, mean + 12 * spread, 400_001)
    w = np.exp(-0.5 * ((a - mean) / spread) ** 2)
    w /= w.sum()
    for i, name in enumerate(["sigmoid", "tanh"]):
        df = activations.get_activation(name).df(a)
        assert abs(r.mean_derivative[i] - w @ df) < 1e-8
        expected = w @ log_derivative(name, a)
        assert abs(r.mean_log_derivative[i] - expected) < 1e-6 * max(1, abs(expected))


@pytest.mark.parametrize("mean, spread", CASES[:4])
def test_statistics_match_monte_carlo(mean, spread):
    r = derivative_statistics(mean, spread, 10)
    a = np.random.default_rng(0).normal(mean, spread, 400_000)
    mc = [activations.sigmoid_prime(a), activations.tanh_prime(a), activations.relu_prime(a),
          activations.leaky_relu_prime(a)]
    for i in range(4):
        assert abs(r.mean_derivative[i] - mc[i].mean()) < 5 * mc[i].std() / np.sqrt(a.size) + 1e-10
    q = np.mean(a <= 0)
    assert abs(r.zero_fraction[2] - q) < 5 * np.sqrt(q * (1 - q) / a.size) + 1e-10


def test_closed_forms_and_identities():
    r = derivative_statistics(0.0, 2.0, 5)
    assert r.zero_fraction[2] == 0.5 and r.mean_derivative[2] == 0.5
    assert r.mean_derivative[3] == pytest.approx(0.5 + 0.01 * 0.5, rel=1e-15)
    assert r.mean_log_derivative[2] == -np.inf
    assert r.mean_log_derivative[3] == pytest.approx(0.5 * math.log(0.01), rel=1e-15)
    for mean, spread in CASES:  # tanh'(a) = 4σ'(2a): E over N(μ, s²) is 4 E over N(2μ, 4s²), node for node
        s1, s2 = derivative_statistics(mean, spread, 1), derivative_statistics(2 * mean, 2 * spread, 1)
        assert r.mean_derivative.shape == (4,)
        assert s1.mean_derivative[1] == pytest.approx(4 * s2.mean_derivative[0], rel=1e-12)
        # Jensen: E[log φ'] ≤ log E[φ'], so the typical product is below the mean product
        assert np.all(s1.mean_log_derivative <= np.log(s1.mean_derivative) + 1e-12)


def test_narrow_distribution_gives_the_derivative_at_the_mean():
    for mean in [-3.0, 0.0, 0.7, 2.5]:
        r = derivative_statistics(mean, 1e-3, 1)
        assert r.mean_derivative[0] == pytest.approx(activations.sigmoid_prime(mean), rel=1e-5)
        assert r.mean_derivative[1] == pytest.approx(activations.tanh_prime(mean), rel=1e-5)


def test_products_and_status():
    T = 40
    r = derivative_statistics(0.0, 1.0, T)
    t = np.arange(1, T + 1)
    typical = np.outer(r.mean_log_derivative[[0, 1, 3]], t) / math.log(10)  # (eq-act-typical)
    np.testing.assert_allclose(r.log10_product[[0, 1, 3]], typical, rtol=1e-14)
    np.testing.assert_allclose(r.log10_product[2], t * math.log10(0.5), rtol=1e-14)
    assert r.status == ("vanished", "vanished", "vanished", "vanished")
    assert derivative_statistics(0.0, 0.1, T).status[1] == plotting.WITHIN  # tanh' ≈ 1 near 0
    # sigmoid and tanh saturate at μ = 3; ReLU does not
    assert derivative_statistics(3.0, 0.5, T).status == ("vanished", "vanished", plotting.WITHIN, plotting.WITHIN)


def test_explorer_corners_are_finite_or_minus_inf_without_warnings():
    explorer = saturation.saturation_explorer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for corner in itertools.product(*[(s.min, s.max) for s in explorer.sliders]):
            r = derivative_statistics(**dict(zip([s.name for s in explorer.sliders], corner)))
            assert np.all(np.isfinite(r.mean_derivative)) and not np.any(np.isnan(r.log10_product))
            assert all(s in ("vanished", plotting.WITHIN) for s in r.status)  # every factor is ≤ 1: nothing explodes
    r = derivative_statistics(-4.0, 0.1, 3)  # every ReLU factor is 0 (in float64)
    assert r.zero_fraction[2] == 1.0 and np.all(r.log10_product[2] == -np.inf) and r.status[2] == "vanished"


def test_explorer_draws_every_corner():
    explorer = saturation.saturation_explorer()
    for corner in itertools.product(*[(s.min, s.max) for s in explorer.sliders]):
        assert explorer.png(**dict(zip([s.name for s in explorer.sliders], corner)))[:4] == b"\x89PNG"
    assert 12 <= len(explorer.frame_values()) <= 24
    assert max(len(explorer.png(compact=True, spread=v)) for v in explorer.frame_values()[::4]) <= 25 * 1024
    # its speed (goal: compute ≤ 20 ms) is measured by `make bench`, not asserted: a busy machine is slower


@pytest.mark.parametrize("kwargs, match", [
    (dict(mean=np.nan, spread=1.0, T=5), "mean must be a finite number"),
    (dict(mean=0.0, spread=0.0, T=5), "spread must be at least"),
    (dict(mean=0.0, spread=1.0, T=0), "T must be at least 1"),
    (dict(mean=0.0, spread=1.0, T=2.5), "T must be an integer"),
    (dict(mean=True, spread=1.0, T=5), "mean must be a finite number"),  # a bool is not a mean
    (dict(mean=0.0, spread=1.0, T=True), "T must be an integer"),
    (dict(mean=0.0, spread=60.0, T=5), "spread must be at most 50"),
    (dict(mean=0.0, spread=1.0, T=20_000), "T must be at most 10000"),
])
def test_statistics_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        derivative_statistics(**kwargs)


def test_figures_draw():
    with plotting.style():
        saturation.draw_derivative_bounds(Figure(), derivative_bounds(np.linspace(-10, 10, 201)))
        saturation.draw_statistics(Figure(), derivative_statistics(0.5, 2.0, 30), {"mean": 0.5})


def test_draw_derivative_bounds_validation():
    bounds = derivative_bounds(np.linspace(-1, 1, 11))
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        saturation.draw_derivative_bounds(None, bounds)
    with pytest.raises(TypeError, match="bounds must be the DerivativeBounds"):
        saturation.draw_derivative_bounds(Figure(), np.linspace(-1, 1, 11))  # the grid, not its bounds


def test_draw_statistics_validation():
    result = derivative_statistics(0.0, 1.0, 5)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        saturation.draw_statistics("fig", result, {})
    with pytest.raises(TypeError, match="result must be the DerivativeStatistics"):
        saturation.draw_statistics(Figure(), derivative_bounds(0.0), {})
    with pytest.raises(TypeError, match="params must be a dict"):
        saturation.draw_statistics(Figure(), result, [("mean", 0.0)])


def test_check_type_names_the_argument():
    assert saturation.check_type("x", 3, int, "an int") == 3
    with pytest.raises(TypeError, match="x must be an int; got str"):
        saturation.check_type("x", "3", int, "an int")
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        saturation.check_figure(object())

