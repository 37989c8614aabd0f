"""Tests of rnnlab.chapters.bptt: every term of the BPTT sum against rnn_backward, torch autograd and finite
differences; the running example's checks; flop counts; bad inputs."""
from functools import reduce

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from rnnlab import rnn
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


def test_term_table_figure_draws_the_truncation_band():
    from matplotlib.figure import Figure

    cache, _, dh = forward(bptt.example(T=8))
    fig = Figure()
    bptt.draw_term_table(fig, bptt.term_table(dh, cache), truncate=3)
    assert len(fig.axes) == 2  # the heat map and its colour bar


@pytest.mark.parametrize("N, T, D, H", [(1, 25, 2, 3), (2, 7, 3, 4), (3, 1, 1, 1)])
def test_flop_counts_forward_and_backward(N, T, D, H):
    forward, backward = bptt.count_flops(N, T, D, H)
    _, no_dx = bptt.count_flops(N, T, D, H, input_grad=False)
    assert forward == 2 * N * T * (H * H + H * D)
    assert backward == 2 * forward  # every product has two derivatives when dx is formed too
    assert no_dx == 2 * N * T * (2 * H * H + H * D)  # W_xhᵀ δ_t skipped


def test_example_fields_are_checked_and_stored_as_float64():
    ex = bptt.example(N=2, T=3, D=2, H=3)
    again = bptt.Example(ex.x.astype(np.float32), ex.h0, ex.W_xh, ex.W_hh.tolist(), ex.b, ex.y, "tanh")
    assert again.W_hh.dtype == again.x.dtype == np.float64
    np.testing.assert_array_equal(again.W_hh, ex.W_hh)
    assert bptt.check_example(again) is again


def _fields(**changes):
    ex = bptt.example(N=2, T=3, D=2, H=3)
    fields = dict(x=ex.x, h0=ex.h0, W_xh=ex.W_xh, W_hh=ex.W_hh, b=ex.b, y=ex.y, activation="tanh")
    return {**fields, **changes}


EX = bptt.example()
CACHE = forward(EX)[0]


@pytest.mark.parametrize("call, error, match", [
    (lambda: bptt.Example(**_fields(W_hh=np.eye(4))), ValueError, r"W_hh must have shape \(H, H\)"),
    (lambda: bptt.Example(**_fields(W_xh=np.ones((3, 5)))), ValueError, r"W_xh must have shape \(H, D\)"),
    (lambda: bptt.Example(**_fields(b=np.zeros(2))), ValueError, r"b must have shape \(H,\)"),
    (lambda: bptt.Example(**_fields(h0=np.zeros((1, 3)))), ValueError, "x must have shape"),
    (lambda: bptt.Example(**_fields(y=np.zeros((2, 3, 2)))), ValueError, r"y must have shape \(N, T, H\)"),
    (lambda: bptt.Example(**_fields(y=np.full((2, 3, 3), np.nan))), ValueError, "y contains NaN"),
    (lambda: bptt.Example(**_fields(x=np.zeros((2, 3)))), ValueError, "x must have shape"),
    (lambda: bptt.Example(**_fields(activation="softmax")), ValueError, "activation must be one of"),
    (lambda: bptt.Example(**_fields(activation=None)), ValueError, "activation must be one of"),
    (lambda: bptt.check_example("example"), TypeError, "ex must be a bptt.Example"),
    (lambda: bptt.check_figure(np.zeros(3)), TypeError, "fig must be a matplotlib Figure"),
    (lambda: bptt.draw_term_table(None, np.ones((3, 3, 2, 2))), TypeError, "fig must be a matplotlib Figure"),
    (lambda: bptt.example(T=0), ValueError, "T must be at least 1"),
    (lambda: bptt.example(H=257), ValueError, "H must be at most 256"),
    (lambda: bptt.example(N=1.5), ValueError, "N must be an integer"),
    (lambda: bptt.example(scale=-1.0), ValueError, "scale must be at least 0"),
    (lambda: bptt.example(seed=-1), ValueError, "seed must be at least 0"),
    (lambda: bptt.example(activation="softmax"), ValueError, "activation must be one of"),
    (lambda: bptt.squared_error(np.zeros((1, 2, 3)), np.zeros((1, 2, 4))), ValueError, r"y must have shape \(N, T, H\)"),
    (lambda: bptt.squared_error(np.zeros((2, 3)), np.zeros((2, 3))), ValueError, "h must have 3 dimension"),
    (lambda: bptt.finite_difference_gradients(EX.params), TypeError, "ex must be a bptt.Example"),
    (lambda: bptt.finite_difference_gradients(EX, eps=0.0), ValueError, "eps must be at least"),
    (lambda: bptt.immediate_jacobian_W_hh(CACHE, 7), ValueError, "k must be at most 6"),
    (lambda: bptt.immediate_jacobian_W_hh(CACHE, 0), ValueError, "k must be at least 1"),
    (lambda: bptt.immediate_jacobian_W_hh(forward(bptt.example(N=2))[0], 1), ValueError, r"one sequence \(N = 1\)"),
    (lambda: bptt.immediate_jacobian_W_hh(tuple(CACHE)[:3], 1), TypeError, "cache must be the rnn.Cache"),
    (lambda: bptt.total_jacobian_W_hh(EX, 0), ValueError, "t must be at least 1"),
    (lambda: bptt.total_jacobian_W_hh(EX, 7), ValueError, "t must be at most 6"),
    (lambda: bptt.total_jacobian_W_hh(bptt.example(N=2), 1), ValueError, r"one sequence \(N = 1\)"),
    (lambda: bptt.total_jacobian_W_hh(EX.params, 1), TypeError, "ex must be a bptt.Example"),
    (lambda: bptt.term_table(np.zeros((1, 5, 3)), CACHE), ValueError, r"dh must have shape \(N, T, H\)"),
    (lambda: bptt.term_table(np.zeros((1, 6, 3)), None), TypeError, "cache must be the rnn.Cache"),
    (lambda: bptt.untied_gradients(None), TypeError, "ex must be a bptt.Example"),
    (lambda: bptt.count_flops(0, 5, 2, 3), ValueError, "N must be at least 1"),
    (lambda: bptt.count_flops(1, 1001, 2, 3), ValueError, "T must be at most 1000"),
    (lambda: bptt.count_flops(1, 5, 2, 65), ValueError, "H must be at most 64"),
    (lambda: bptt.count_flops(1, 5, 2, 3, input_grad="yes"), TypeError, "input_grad must be True or False"),
    (lambda: bptt.draw_term_table(Figure(), np.zeros((3, 3, 2))), ValueError, "table must have 4 dimension"),
    (lambda: bptt.draw_term_table(Figure(), np.zeros((3, 4, 2, 2))), ValueError, r"table must have shape \(T, T, H, H\)"),
    (lambda: bptt.draw_term_table(Figure(), np.zeros((3, 3, 2, 2))), ValueError, "at least one nonzero term"),
    (lambda: bptt.draw_term_table(Figure(), np.ones((3, 3, 2, 2)), truncate=0), ValueError, "truncate must be at least 1"),
])
def test_bad_inputs_fail_loudly(call, error, match):
    with pytest.raises(error, match=match):
        call()
