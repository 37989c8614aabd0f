"""Tests of rnnlab.chapters.init_profiles and init_figures (Chapter 6): the profiles agree with Chapter 4's
tools and with what each family guarantees, the explorer draws every corner, bad inputs fail loudly."""
import itertools

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import rnn, spectral, tasks
from rnnlab.chapters import init_figures, init_profiles

PARAMS = {"family": 0, "scale": 1.0, "input_scale": 1.0, "T": 30}


@pytest.mark.parametrize("family", ["gaussian", "orthogonal", "identity"])
def test_profile_is_chapter_4s_gain_of_the_step_jacobians(family):
    p = init_profiles.profile(family, 0.9, 40, 1.5, seed=3, H=8)
    assert p.norms.shape == (41,) and p.J_singular.shape == (40, 8) and p.h_norm.shape == (40,)
    W_xh = 1.5 * np.random.default_rng(4).standard_normal((8, 2))
    W_hh = {"gaussian": spectral.gaussian(8, np.random.default_rng(3), 0.9),
            "orthogonal": 0.9 * spectral.orthogonal(8, np.random.default_rng(3)),
            "identity": 0.9 * np.eye(8)}[family]
    x = tasks.adding(1, 40, np.random.default_rng(5)).x.double().numpy()
    _, cache = rnn.rnn_forward(x, np.zeros((1, 8)), W_xh, W_hh, np.zeros(8), p.activation)
    J = rnn.step_jacobians(cache)[0]
    np.testing.assert_allclose(p.norms, spectral.jacobian_product_norms(J), rtol=1e-12)
    np.testing.assert_allclose(p.J_singular, np.linalg.svd(J, compute_uv=False), rtol=1e-12)
    assert np.all(p.J_singular[:, 0] <= spectral.max_singular_value(W_hh) * (1 + 1e-12))  # |φ'| ≤ 1


def test_irnn_gain_is_beta_to_the_n_while_a_unit_stays_active():
    for beta in (0.9, 1.0, 1.1):
        p = init_profiles.profile("identity", beta, 100, 1.0, seed=0)
        np.testing.assert_allclose(p.norms, beta ** np.arange(101), rtol=1e-12)
        assert set(np.round(p.J_singular.ravel(), 12)) <= {0.0, round(beta, 12)}


def test_huge_gain_gives_exploded_never_an_error():
    p = init_profiles.profile("identity", 1.5, 1000, 3.0)
    assert p.status == "exploded"
    q = init_profiles.profile("gaussian", 0.0, 10, 0.0)
    assert q.status == "vanished"


@pytest.mark.parametrize("family, scale, s_x", [("gaussian", 1.0, 0.5), ("orthogonal", 1.0, 3.0),
                                                 ("identity", 1.1, 1.0), ("identity", 0.0, 1.0)])
def test_final_gain_is_the_profiles_gain_at_the_largest_lag(family, scale, s_x):
    for seed, H in ((0, 16), (3, 9)):
        p = init_profiles.profile(family, scale, 120, s_x, seed=seed, H=H)
        g = init_profiles.final_gain(family, scale, 120, s_x, seed=seed, H=H)
        assert g == pytest.approx(p.norms[-1], rel=1e-9, abs=0.0)


def test_final_gain_keeps_huge_and_tiny_gains_and_never_raises():
    # the rescaled product keeps 1.5^1000 ≈ 1e176; 0.4^1000 ≈ 1e-398 is below float64: 0, no warning
    assert init_profiles.final_gain("identity", 1.5, 1000, 3.0) == pytest.approx(1.5 ** 1000, rel=1e-9)
    assert init_profiles.final_gain("identity", 0.4, 1000, 1.0) == 0.0
    assert init_profiles.final_gain("gaussian", 0.0, 10, 1.0) == 0.0


def test_urnn_matrix_is_unitary():
    for seed in range(3):
        W = init_profiles.urnn_matrix(12, np.random.default_rng(seed))
        np.testing.assert_allclose(W.conj().T @ W, np.eye(12), atol=1e-12)
    assert init_profiles.urnn_matrix(1, np.random.default_rng(0)).shape == (1, 1)


def test_figures_and_every_explorer_corner_draw():
    fig = Figure()
    profiles = [init_profiles.profile(f, 1.0, 20, 1.0) for f in ("gaussian", "orthogonal", "identity")]
    init_figures.draw_profiles(fig, profiles)
    assert len(fig.axes) == 2
    e = init_figures.init_explorer()
    for family, scale, s_x, T in itertools.product((0, 1, 2), (0.5, 1.5), (0.0, 3.0), (10, 200)):
        assert e.png(family=family, scale=scale, input_scale=s_x, T=T)[:4] == b"\x89PNG"


@pytest.mark.parametrize("call, match", [
    (lambda: init_profiles.profile("xavier", 1.0, 10, 1.0), "family"),
    (lambda: init_profiles.profile("identity", -1.0, 10, 1.0), "scale"),
    (lambda: init_profiles.profile("identity", 1.0, 1, 1.0), "T"),
    (lambda: init_profiles.profile("identity", 1.0, 5000, 1.0), "T"),
    (lambda: init_profiles.profile("identity", 1.0, 10, -1.0), "input_scale"),
    (lambda: init_profiles.profile("identity", 1.0, 10, 1.0, seed=-2), "seed"),
    (lambda: init_profiles.profile("identity", 1.0, 10, 1.0, H=0), "H"),
    (lambda: init_profiles.final_gain("gaussian", 1.0, 10, 1.0, H=0), "H"),
    (lambda: init_profiles.final_gain("gaussian", float("nan"), 10, 1.0), "scale"),
    (lambda: init_profiles.explorer_profile(3, 1.0, 1.0, 10), "family"),
    (lambda: init_profiles.explorer_profile(0.5, 1.0, 1.0, 10), "family"),
    (lambda: init_profiles.urnn_matrix(0, np.random.default_rng()), "n"),
    (lambda: init_profiles.urnn_matrix(4, 4), "rng"),
    (lambda: init_figures.draw_profiles(Figure(), []), "profiles"),
    (lambda: init_figures.draw_profiles("fig", [init_profiles.profile("identity", 1, 5, 1)]), "fig"),
    (lambda: init_figures.draw_explorer(Figure(), init_profiles.profile("identity", 1, 5, 1), {}), "params"),
    (lambda: init_figures.draw_explorer(Figure(), "result", PARAMS), "profiles"),
])
def test_bad_inputs_fail_naming_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
