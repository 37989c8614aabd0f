"""Chapter 3's networks (rnnlab.chapters.saturation_rnns): gains against torch autograd, the product bound, the
centred sigmoid network that explodes, the ReLU state-growth inequality, and a clear error for every bad input."""
import itertools
import warnings

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from rnnlab import plotting, spectral
from rnnlab.chapters.saturation import NAMES
from rnnlab.chapters.saturation_rnns import ActivationComparison, compare_activations, draw_comparison, \
    relu_state_growth
from rnnlab.gradcheck import torch_activation


def _networks(seed, M, H, D, T, input_scale=1.0):
    """The networks of compare_activations, drawn in its documented order."""
    rng = np.random.default_rng(seed)
    return [(spectral.orthogonal(H, rng), rng.standard_normal((H, D)) / np.sqrt(D),
             input_scale * rng.standard_normal((1, T, D)), 0.5 * rng.standard_normal((1, H))) for _ in range(M)]


def _torch_gain(name, W_hh, W_xh, x, h0, b):
    """‖∂h_T/∂h_0‖₂ by torch autograd, float64."""
    phi = torch_activation(name)  # torch's φ, with relu'(0) = 0 and slope 0.01 as in rnnlab
    tW, tU, tx, tb = (torch.tensor(v, dtype=torch.float64) for v in (W_hh, W_xh, x, b))

    def h_T(h):
        for t in range(tx.shape[0]):
            h = phi(tW @ h + tU @ tx[t] + tb)
        return h

    jac = torch.autograd.functional.jacobian(h_T, torch.tensor(h0, dtype=torch.float64)).numpy()
    return np.linalg.norm(jac, 2)


@pytest.mark.parametrize("input_scale, centred", [(1.0, False), (0.3, False), (0.5, True)])
def test_gains_match_torch_autograd(input_scale, centred):
    T, H, M, D, seed, scales = 7, 5, 3, 2, 4, (0.7, 1.8, 5.0)
    r = compare_activations(scales=scales, T=T, H=H, M=M, D=D, seed=seed, input_scale=input_scale,
                            centred=centred)
    nets = _networks(seed, M, H, D, T, input_scale)
    for (i, name), (j, c), (m, (Q, W_xh, x, h0)) in itertools.product(
            enumerate(NAMES), enumerate(scales), enumerate(nets)):
        W_hh, b, start = c * Q, np.zeros(H), h0[0]
        if centred:
            start = np.full(H, 0.5 if name == "sigmoid" else 0.0)  # φ(0)𝟙
            b = -W_hh @ start
        expected = _torch_gain(name, W_hh, W_xh, x[0], start, b)
        assert abs(r.norms[i, j, m, -1] - expected) <= 1e-10 * expected, (name, c, m)
    assert np.all(r.norms[..., 0] == 1.0)


def test_centred_sigmoid_without_input_attains_the_bound():
    """b = −W_hh·½𝟙 keeps every a_t = 0 exactly: J_t = W_hh/4, gain (c/4)^T for every network."""
    r = compare_activations(scales=(2.0, 8.0), T=40, H=6, M=3, names=("sigmoid", "tanh"), seed=5,
                            input_scale=0.0, centred=True)
    assert np.all(r.active[0] == 0.25) and np.all(r.active[1] == 1.0)  # σ'(0) = 1/4, tanh'(0) = 1
    np.testing.assert_allclose(r.norms[0, :, :, -1], np.array([[0.5**40] * 3, [2.0**40] * 3]), rtol=1e-10)
    np.testing.assert_allclose(r.norms[1, :, :, -1], np.array([[2.0**40] * 3, [8.0**40] * 3]), rtol=1e-10)
    gains = r.norms[..., -1]  # (A, S, M)
    np.testing.assert_allclose(gains, np.broadcast_to(r.bound[..., None], gains.shape), rtol=1e-10)  # attained


def test_centred_sigmoid_with_weak_input_explodes_and_b0_does_not():
    big = dict(scales=(8.0,), names=("sigmoid",), T=100, H=32, M=9, input_scale=0.01)
    centred, plain = compare_activations(**big, centred=True), compare_activations(**big, centred=False)
    assert plotting.classify(centred.table()[0, 0]) == plotting.EXPLODED
    assert centred.table()[0, 0] > 1e6 * plain.table()[0, 0]
    assert plain.active[0, 0] < 0.1 < centred.active[0, 0] < 0.25


def test_sigmoid_obeys_the_product_bound():
    r = compare_activations(scales=(0.5, 2.0, 3.9), T=60, H=8, M=4, names=("sigmoid", "tanh"), seed=1)
    assert np.all(r.norms[0, :, :, -1] <= r.bound[0][:, None])
    np.testing.assert_allclose(r.bound[0], (np.array([0.5, 2.0, 3.9]) / 4) ** 60, rtol=1e-14)
    assert np.all(r.norms[1, 0, :, -1] <= 0.5**60)  # tanh: γ = 1


def test_input_scale_zero_is_no_input_and_weak_input_spares_tanh():
    r0 = compare_activations(scales=(1.0,), T=50, H=8, M=3, names=("tanh",), seed=6, input_scale=0.0)
    r1 = compare_activations(scales=(1.0,), T=50, H=8, M=3, names=("tanh",), seed=6, input_scale=1.0)
    assert np.all(r0.norms[..., -1] > r1.norms[..., -1])  # the input drive saturates tanh
    assert np.all((0.05 < r0.norms[..., -1]) & (r0.norms[..., -1] <= 1.0 + 1e-12))


def test_relu_explodes_and_vanishes_with_the_weights():
    r = compare_activations(scales=(0.5, 2.0), T=80, H=16, M=5, names=("relu", "leaky_relu"), seed=2)
    table = r.table()
    assert np.all(table[:, 0] < plotting.VANISHED_BELOW) and np.all(table[:, 1] > plotting.EXPLODED_ABOVE)
    assert np.all(np.diff(np.log(r.median[0, 1, 20:])) > -0.5)  # grows, up to small wiggles
    assert r.median.shape == (2, 2, 81) and r.active.shape == (2, 2)
    assert np.all((0 < r.active) & (r.active < 1))


def test_comparison_is_deterministic_and_overflow_is_quiet():
    a, b = compare_activations(T=20, H=4, M=2, seed=3), compare_activations(T=20, H=4, M=2, seed=3)
    assert np.array_equal(a.norms, b.norms)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = compare_activations(scales=(100.0,), T=400, H=3, M=1, names=("leaky_relu",), seed=0)
    assert np.isnan(r.norms[0, 0, 0, -1]) and plotting.classify(r.table()[0, 0]) == "exploded"
    assert np.isinf(r.bound[0, 0])


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(scales=()), ValueError, "scales must be a non-empty"),
    (dict(scales=(1.0, -2.0)), ValueError, "scale must be at least 0"),
    (dict(scales=(0.0,)), ValueError, "scales must be a non-empty list of positive numbers"),
    (dict(scales="2.0"), TypeError, "scales must be a sequence of numbers"),
    (dict(scales=(np.nan,)), ValueError, "scale must be a finite number"),
    (dict(T=0), ValueError, "T must be at least 1"),
    (dict(H=0), ValueError, "H must be at least 1"),
    (dict(M=0), ValueError, "M must be at least 1"),
    (dict(M=100), ValueError, "M must be at most 64"),
    (dict(M=2.0), ValueError, "M must be an integer"),
    (dict(D=0), ValueError, "D must be at least 1"),
    (dict(names=("softplus",)), ValueError, "activation must be one of"),
    (dict(names=()), ValueError, "names must list at least one activation"),
    (dict(names="tanh"), TypeError, "names must be a sequence of activation names"),  # not 't', 'a', …
    (dict(seed=-1), ValueError, "seed must be at least 0"),
    (dict(input_scale=-0.1), ValueError, "input_scale must be at least 0"),
    (dict(input_scale=np.inf), ValueError, "input_scale must be a finite number"),
    (dict(centred="yes"), TypeError, "centred must be True or False"),  # a truthy string would centre silently
    (dict(centred=1), TypeError, "centred must be True or False"),
])
def test_comparison_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        compare_activations(**kwargs)


def test_draw_comparison_and_its_validation():
    with plotting.style():
        draw_comparison(Figure(), compare_activations(T=10, H=4, M=2))
    r = compare_activations(T=5, H=3, M=1, names=("tanh",))
    assert isinstance(r, ActivationComparison)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        draw_comparison(None, r)
    with pytest.raises(TypeError, match="result must be the ActivationComparison"):
        draw_comparison(Figure(), r.table())  # the table, not the comparison


# --- the ReLU state-growth inequality of Exercise ex3-homogeneous --------------------------------------------

def test_relu_gain_is_at_least_the_state_growth():
    r = relu_state_growth(c=2.0, H=8, T=40, M=50, seed=7)
    assert r.state.shape == r.gain.shape == (50,)
    assert np.all(r.gain >= r.state * (1 - 1e-12))
    assert r.state.min() < 1 < r.state.max()  # some states shrink, others grow


def test_relu_state_growth_reproduces_the_explicit_sample():
    """Network 0 of seed 0 is the chapter's sample: h_0 and then Q drawn from default_rng(0)."""
    H, T = 16, 60
    rng = np.random.default_rng(0)
    h = rng.standard_normal(H)
    h0, W = h.copy(), 2 * spectral.orthogonal(H, rng)
    P = np.eye(H)
    for _ in range(T):
        mask = (W @ h > 0).astype(float)
        h, P = mask * (W @ h), (mask[:, None] * W) @ P  # h_t = relu(W h_{t-1}); P = J_t ⋯ J_1
    r = relu_state_growth(c=2.0, H=H, T=T, M=3, seed=0)
    assert r.state[0] == pytest.approx(np.linalg.norm(h) / np.linalg.norm(h0), rel=1e-12)
    assert r.gain[0] == pytest.approx(np.linalg.norm(P, 2), rel=1e-10)


def test_relu_with_small_weights_shrinks():
    r = relu_state_growth(c=0.5, H=8, T=30, M=10, seed=1)
    assert np.all(r.state <= 0.5**30 * (1 + 1e-12)) and np.all(r.gain <= 0.5**30 * (1 + 1e-12))


@pytest.mark.parametrize("kwargs, match", [
    (dict(c=0.0), "c must be positive"),
    (dict(c=5.0), "c must be at most 4"),  # beyond, states could overflow float64 and give NaN norms
    (dict(c=np.nan), "c must be a finite number"),
    (dict(H=0), "H must be at least 1"),
    (dict(T=201), "T must be at most 200"),
    (dict(M=0), "M must be at least 1"),
    (dict(M=1.5), "M must be an integer"),
    (dict(seed=-3), "seed must be at least 0"),
])
def test_relu_state_growth_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        relu_state_growth(**kwargs)
