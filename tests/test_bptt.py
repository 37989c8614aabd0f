"""Tests of rnnlab.chapters.bptt: every term of the BPTT sum against rnn_backward, torch autograd and finite differences."""
from functools import reduce

import numpy as np
import pytest
import torch

from rnnlab import plotting, rnn
from rnnlab.chapters import bptt
from rnnlab.gradcheck import compare_gradients, numerical_gradient, relative_error, torch_rnn_gradients


def forward(ex):
    h, cache = rnn.rnn_forward(*ex.params, activation=ex.activation)
    L, dh = bptt.squared_error(h, ex.y)
    return cache, L, dh


def only(dh, t):
    """dh with every loss but L_t removed (1-based t)."""
    out = np.zeros_like(dh)
    out[:, t - 1] = dh[:, t - 1]
    return out


def test_example_is_seeded_and_shaped():
    a, b = bptt.example(N=2, T=5, D=3, H=4, seed=7), bptt.example(N=2, T=5, D=3, H=4, seed=7)
    for u, v in zip(a.params + (a.y,), b.params + (b.y,)):
        np.testing.assert_array_equal(u, v)
    assert [v.shape for v in a.params] == [(2, 5, 3), (2, 4), (4, 3), (4, 4), (4,)]
    assert a.y.shape == (2, 5, 4)
    np.testing.assert_allclose(np.linalg.svd(a.W_hh, compute_uv=False), 0.9, rtol=1e-12)  # scale · orthogonal


def test_squared_error_derivative():
    rng = np.random.default_rng(0)
    h, y = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3))
    L, dh = bptt.squared_error(h, y)
    assert L == pytest.approx(0.5 * np.sum((h - y) ** 2))
    np.testing.assert_allclose(dh, numerical_gradient(lambda v: bptt.squared_error(v, y)[0], h), rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_full_pipeline_against_autograd_and_finite_differences(activation):
    ex = bptt.example(N=2, T=5, D=2, H=3, scale=1.2, seed=3, activation=activation)
    cache, _, dh = forward(ex)
    ours = rnn.rnn_backward(dh, cache)
    assert max(compare_gradients(ours, torch_rnn_gradients(*ex.params, dh, activation)).values()) <= 1e-10
    assert max(compare_gradients(ours, bptt.finite_difference_gradients(ex)).values()) <= 1e-6


def test_finite_differences_leave_the_example_unchanged():
    ex = bptt.example()
    before = [v.copy() for v in ex.params]
    bptt.finite_difference_gradients(ex)
    for u, v in zip(ex.params, before):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_immediate_jacobian_matches_autograd_with_h_prev_fixed(activation):
    ex = bptt.example(T=4, H=4, seed=1, activation=activation)
    cache, _, _ = forward(ex)
    phi = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[activation]
    h_prev = np.concatenate([ex.h0, cache.h[0, :-1]])  # (T, H)
    for k in range(1, 5):
        x_k, hp = torch.from_numpy(ex.x[0, k - 1]), torch.from_numpy(h_prev[k - 1])

        def step(W):  # h_k as a function of W_hh with h_{k-1} held fixed
            return phi(W @ hp + torch.from_numpy(ex.W_xh) @ x_k + torch.from_numpy(ex.b))

        ref = torch.autograd.functional.jacobian(step, torch.from_numpy(ex.W_hh)).numpy()
        np.testing.assert_allclose(bptt.immediate_jacobian_W_hh(cache, k), ref, rtol=1e-12, atol=1e-15)


def test_total_jacobian_unrolls_into_immediate_terms_and_matches_finite_differences():
    ex = bptt.example(T=5, H=3, scale=1.3, seed=2)
    cache, _, _ = forward(ex)
    J = rnn.step_jacobians(cache)[0]
    for t in range(1, 6):
        products = {k: reduce(np.matmul, [J[j - 1] for j in range(t, k, -1)], np.eye(3)) for k in range(1, t + 1)}
        expected = sum(np.tensordot(products[k], bptt.immediate_jacobian_W_hh(cache, k), axes=1) for k in products)
        total = bptt.total_jacobian_W_hh(ex, t)
        assert relative_error(total, expected) <= 1e-12  # (eq-bptt-general) without the loss factor
    W = ex.W_hh.copy()
    for i in range(3):  # finite differences of h_{5,i} with respect to W_hh
        fd = numerical_gradient(lambda _: rnn.rnn_forward(ex.x, ex.h0, ex.W_xh, W, ex.b)[0][0, -1, i], W)
        assert relative_error(total[i], fd) <= 1e-8


def test_term_table_sums():
    ex = bptt.example(N=2, T=7, D=2, H=4, scale=1.1, seed=4)
    cache, _, dh = forward(ex)
    table = bptt.term_table(dh, cache)
    assert table.shape == (7, 7, 4, 4)
    assert np.all(table[np.triu_indices(7, 1)] == 0.0), "no term for k > t"
    full = rnn.rnn_backward(dh, cache)
    assert relative_error(table.sum(axis=(0, 1)), full.dW_hh) <= 1e-12
    for t in range(1, 8):
        assert relative_error(table[t - 1].sum(axis=0), rnn.rnn_backward(only(dh, t), cache).dW_hh) <= 1e-12
    np.testing.assert_allclose(table[-1], rnn.bptt_contributions(dh[:, -1], cache), rtol=1e-12, atol=1e-15)
    for k in range(1, 8):  # truncation keeps the band t − k' < k
        band = sum(table[t, j] for t in range(7) for j in range(t + 1) if t - j < k)
        assert relative_error(rnn.rnn_backward(dh, cache, truncate=k).dW_hh, band) <= 1e-12


def test_untied_copies_are_the_step_terms():
    ex = bptt.example(N=2, T=6, D=3, H=3, scale=0.8, seed=5)
    cache, _, dh = forward(ex)
    copies = bptt.untied_gradients(ex)
    assert copies.shape == (6, 3, 3)
    assert relative_error(copies, bptt.term_table(dh, cache).sum(axis=0)) <= 1e-10
    assert relative_error(copies.sum(axis=0), rnn.rnn_backward(dh, cache).dW_hh) <= 1e-10


def test_contribution_profile_is_consistent():
    p = bptt.contribution_profile(1.3, 40, H=8, seed=2)
    assert p.norms.shape == p.relative.shape == p.guide.shape == p.share.shape == (40,)
    assert p.relative[-1] == 1.0 and p.guide[-1] == 1.0 and p.guide[0] == pytest.approx(1.3**39)
    assert np.all(np.diff(p.share) >= 0) and p.share[-1] == pytest.approx(1.0)
    assert p.share[p.horizon - 1] >= bptt.HORIZON_SHARE and (p.horizon == 1 or p.share[p.horizon - 2] < 0.9)
    assert np.all(p.norms <= p.guide * p.state_norms * (1 + 1e-12)), "(eq-bptt-term-bound)"
    np.testing.assert_array_equal(bptt.contribution_profile(1.3, 40, H=8, seed=2).norms, p.norms)  # pure


@pytest.mark.parametrize("scale, T, status", [(0.25, 100, "vanished"), (3.0, 100, "exploded"), (1.0, 50, plotting.WITHIN),
                                              (0.25, 5, plotting.WITHIN)])
def test_contribution_status(scale, T, status):
    assert bptt.contribution_profile(scale, T).status == status


def test_contribution_profile_extends_the_same_sequence():
    short, long = bptt.contribution_profile(0.9, 10), bptt.contribution_profile(0.9, 30)
    np.testing.assert_allclose(short.state_norms, long.state_norms[:10], rtol=1e-14)


def test_explorer_draws_every_corner_and_the_term_table():
    from matplotlib.figure import Figure

    explorer = bptt.contribution_explorer()
    assert explorer.sliders[0].label == "c (scale of W_hh)"  # the chapter writes W_hh = c Q
    for scale in (0.25, 3.0):
        for T in (5, 100):
            assert explorer.png(scale=scale, T=T)[:4] == b"\x89PNG"
    ex = bptt.example(T=8)
    cache, _, dh = forward(ex)
    bptt.draw_term_table(Figure(), bptt.term_table(dh, cache), truncate=3)


@pytest.mark.parametrize("call, match", [
    (lambda: bptt.example(T=0), "T must be at least 1"),
    (lambda: bptt.example(scale=-1.0), "scale must be at least 0"),
    (lambda: bptt.example(activation="softmax"), "activation must be one of"),
    (lambda: bptt.squared_error(np.zeros((1, 2, 3)), np.zeros((1, 2, 4))), r"y must have shape \(N, T, H\)"),
    (lambda: bptt.squared_error(np.zeros((2, 3)), np.zeros((2, 3))), "h must have 3 dimension"),
    (lambda: bptt.immediate_jacobian_W_hh(forward(bptt.example())[0], 7), "k must be at most 6"),
    (lambda: bptt.immediate_jacobian_W_hh(forward(bptt.example(N=2))[0], 1), r"one sequence \(N = 1\)"),
    (lambda: bptt.total_jacobian_W_hh(bptt.example(), 0), "t must be at least 1"),
    (lambda: bptt.total_jacobian_W_hh(bptt.example(N=2), 1), r"one sequence \(N = 1\)"),
    (lambda: bptt.term_table(np.zeros((1, 5, 3)), forward(bptt.example())[0]), r"dh must have shape \(N, T, H\)"),
    (lambda: bptt.contribution_profile(float("nan"), 10), "scale must be a finite number"),
    (lambda: bptt.contribution_profile(1.0, 0), "T must be at least 1"),
    (lambda: bptt.contribution_profile(1.0, 10, seed=-1), "seed must be at least 0"),
])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()
