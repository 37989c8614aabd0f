"""Tests of rnnlab.chapters.init_depth (Chapter 6, §6.5): both products are built from factors with the same
singular values, each is the norm it claims to be, and bad inputs fail loudly."""
import numpy as np
import pytest

from rnnlab import spectral
from rnnlab.chapters import init_depth

SMALL = init_depth.Setup(H=6, n=12, rho=0.8, nonnormality=1.0)


def _factors(seed, setup):
    """The shared W and the layers, drawn as depth_and_time draws them."""
    rng = np.random.default_rng(seed)
    W = spectral.nonnormal(setup.H, setup.rho, setup.nonnormality, rng)
    s = spectral.singular_values(W)
    return W, [spectral.with_singular_values(s, rng) for _ in range(setup.n)]


def test_every_factor_has_the_singular_values_of_w_and_the_norms_are_the_products():
    r = init_depth.depth_and_time(3, SMALL)
    W, layers = _factors(3, SMALL)
    np.testing.assert_allclose(r.singular, np.linalg.svd(W, compute_uv=False), rtol=1e-12)
    for L in layers:
        np.testing.assert_allclose(np.linalg.svd(L, compute_uv=False), r.singular, rtol=1e-10)
    assert np.isclose(np.abs(np.linalg.eigvals(W)).max(), SMALL.rho, rtol=1e-6) and r.rho == SMALL.rho
    for k in (0, 1, 5, SMALL.n):
        np.testing.assert_allclose(r.time[k], np.linalg.norm(np.linalg.matrix_power(W, k), 2), rtol=1e-10)
        P = np.eye(SMALL.H)
        for L in layers[SMALL.n - k:]:  # W_n ⋯ W_(n-k+1): the last k layers, as jacobian_product_norms
            P = L @ P
        np.testing.assert_allclose(r.depth[k], np.linalg.norm(P, 2), rtol=1e-10)


def test_the_rates():
    r = init_depth.depth_and_time(0, SMALL)
    assert r.mean_square == pytest.approx(np.mean(r.singular ** 2))
    assert r.predicted_depth_rate == pytest.approx(0.5 * np.log(r.mean_square))
    assert r.depth_rate == pytest.approx(np.log(r.depth[-1]) / SMALL.n)


def test_a_normal_w_gives_the_same_fate_along_depth_and_time_when_every_singular_value_is_rho():
    r = init_depth.depth_and_time(1, init_depth.Setup(H=5, n=20, rho=0.9, nonnormality=0.0))
    # nonnormality 0: a symmetric W, so ‖Wⁿ‖ = ρⁿ exactly; its layers share the singular values |λ_i| ≤ ρ
    np.testing.assert_allclose(r.time, 0.9 ** np.arange(21), rtol=1e-10)
    assert np.all(r.depth <= 0.9 ** np.arange(21) * (1 + 1e-10))


@pytest.mark.parametrize("call, match", [
    (lambda: init_depth.Setup(H=0), "H"),
    (lambda: init_depth.Setup(n=0), "n"),
    (lambda: init_depth.Setup(rho=-0.1), "rho"),
    (lambda: init_depth.Setup(nonnormality=float("nan")), "nonnormality"),
    (lambda: init_depth.depth_and_time(-1), "seed"),
    (lambda: init_depth.depth_and_time(0, {"H": 4}), "setup"),
])
def test_bad_inputs_fail_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_mirror_explodes_along_time_and_vanishes_along_depth():
    r = init_depth.mirror(2, H=8, n=200, top=1.2, rest=0.5)
    assert r.rho == 1.2 and r.singular[0] == 1.2 and np.allclose(r.singular[1:], 0.5)
    assert np.isclose(r.mean_square, (1.44 + 7 * 0.25) / 8) and r.mean_square < 1
    np.testing.assert_allclose(r.time, 1.2 ** np.arange(201), rtol=1e-9)  # symmetric: ‖W^k‖ = ρ^k exactly
    assert r.depth[-1] < 1e-6 and abs(r.depth_rate - r.predicted_depth_rate) < 0.1


@pytest.mark.parametrize("kwargs, match", [
    (dict(seed=-1), "seed"), (dict(seed=0, H=1), "H"), (dict(seed=0, top=-1.0), "top"),
    (dict(seed=0, top=0.5, rest=0.9), "rest must not exceed top"),
])
def test_mirror_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        init_depth.mirror(**kwargs)
