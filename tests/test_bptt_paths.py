"""Tests of rnnlab.chapters.bptt_paths: the one-unit terms of ∂L_T/∂w against autograd, finite differences and
the term table; the unrolled graph's paths are the terms; the popular formula against autograd; bad inputs."""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from rnnlab import gradcheck, rnn
from rnnlab.chapters import bptt, bptt_paths

ARGS = dict(u=1.0, b=0.1, x=[1.0, -0.5, 0.8], h0=0.5, y=0.2)


def autograd_dw(w, u, b, x, h0, y, activation="tanh"):
    """∂L_T/∂w by torch autograd on an unrolled float64 loop, independently of the formula."""
    phi = gradcheck.torch_activation(activation)
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    h = torch.tensor(h0, dtype=torch.float64)
    for x_t in x:
        h = phi(tw * h + u * x_t + b)
    (0.5 * (h - y) ** 2).backward()
    return float(tw.grad)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_unit_terms_sum_to_autograd_and_finite_differences(activation, seed):
    rng = np.random.default_rng(seed)
    w, u, b, h0, y = rng.normal(size=5)
    x = rng.normal(size=int(rng.integers(1, 8)))
    unit = bptt_paths.one_unit(w, u, b, x, h0, y, activation)
    assert unit.terms.shape == (x.size,) and unit.h.shape == (x.size + 1,)
    assert gradcheck.relative_error(unit.gradient, autograd_dw(w, u, b, x, h0, y, activation)) <= 1e-10
    finite = gradcheck.numerical_gradient(lambda v: bptt_paths.one_unit(v[0], u, b, x, h0, y, activation).loss,
                                          np.array([w]))[0]
    assert gradcheck.relative_error(unit.gradient, finite) <= 1e-6


def test_one_unit_terms_are_the_last_row_of_the_term_table():
    unit = bptt_paths.one_unit(w=0.8, **ARGS)
    x, h0 = np.array(ARGS["x"]).reshape(1, 3, 1), np.array([[ARGS["h0"]]])
    _, cache = rnn.rnn_forward(x, h0, np.array([[ARGS["u"]]]), np.array([[0.8]]), np.array([ARGS["b"]]))
    dh = np.zeros((1, 3, 1))
    dh[0, 2, 0] = unit.dL_dh
    np.testing.assert_allclose(bptt.term_table(dh, cache)[2, :, 0, 0], unit.terms, rtol=1e-14)
    assert unit.terms[0] == pytest.approx(unit.dL_dh * 0.8 * unit.dphi[2] * 0.8 * unit.dphi[1] * unit.dphi[0] * 0.5)


def test_h0_zero_makes_the_first_term_exactly_zero():
    assert bptt_paths.one_unit(w=0.8, **{**ARGS, "h0": 0.0}).terms[0] == 0.0


@pytest.mark.parametrize("T", [1, 3, 5])
def test_each_graph_path_is_one_term(T):
    unit = bptt_paths.one_unit(0.9, 1.0, 0.1, np.linspace(-1, 1, T), 0.5, 0.2)
    for k in range(1, T + 1):
        g = bptt_paths.unrolled_graph(unit, k)
        assert len(g.nodes) == 3 * T + 2 and len(g.edges) == 3 * T + 1
        assert all(e.src in g.nodes and e.dst in g.nodes for e in g.edges)
        path = [g.edges[i] for i in g.path]
        assert (path[0].src, path[0].dst) == (f"w_{k}", f"h_{k}") and path[-1].dst == "L"
        assert all(a.dst == b.src for a, b in zip(path, path[1:])), "the path is connected"
        assert sum(e.src.startswith("h_") and e.dst.startswith("h_") for e in path) == T - k
        assert g.path_product == pytest.approx(unit.terms[k - 1], rel=1e-14)


def test_graph_figure_has_one_panel_per_term():
    unit = bptt_paths.one_unit(w=0.8, **ARGS)
    fig = Figure()
    bptt_paths.draw_unrolled_graph(fig, [bptt_paths.unrolled_graph(unit, k) for k in (1, 2, 3)])
    assert len(fig.axes) == 3
    assert fig.axes[0].get_title(loc="left").startswith("term k = 1")


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("t", [1, 3, 5])
def test_popular_formula_with_the_immediate_derivative_is_autograd(activation, t):
    ex = bptt.example(T=5, H=4, scale=1.1, seed=t + 1, activation=activation)
    W_hy = np.random.default_rng(t).standard_normal((3, 4))
    pf = bptt_paths.popular_formula(ex, W_hy, label=1, t=t)
    assert pf.immediate.shape == pf.total.shape == (t, 4, 4) and pf.autograd.shape == (4, 4)
    assert gradcheck.relative_error(pf.immediate.sum(axis=0), pf.autograd) <= 1e-10
    overcount = sum((t - k + 1) * pf.immediate[k - 1] for k in range(1, t + 1))  # path k counted t − k + 1 times
    assert gradcheck.relative_error(pf.total.sum(axis=0), overcount) <= 1e-12
    if t == 1:  # ∂h_1/∂W_hh = ∂⁺h_1/∂W_hh: the two readings agree
        assert gradcheck.relative_error(pf.total.sum(axis=0), pf.autograd) <= 1e-10
    else:
        assert gradcheck.relative_error(pf.total.sum(axis=0), pf.autograd) > 1e-3


UNIT = bptt_paths.one_unit(w=0.8, **ARGS)
EX = bptt.example()
W_HY = np.ones((4, 3))


@pytest.mark.parametrize("call, error, match", [
    (lambda: bptt_paths.one_unit(float("nan"), **ARGS), ValueError, "w must be a finite number"),
    (lambda: bptt_paths.one_unit(0.8, **{**ARGS, "u": "1"}), ValueError, "u must be a finite number"),
    (lambda: bptt_paths.one_unit(0.8, **{**ARGS, "h0": None}), ValueError, "h0 must be a finite number"),
    (lambda: bptt_paths.one_unit(0.8, **{**ARGS, "x": []}), ValueError, r"len\(x\) must be at least 1"),
    (lambda: bptt_paths.one_unit(0.8, **{**ARGS, "x": [[1.0]]}), ValueError, "x must have 1 dimension"),
    (lambda: bptt_paths.one_unit(0.8, **{**ARGS, "x": [1.0, np.inf]}), ValueError, "x contains NaN or inf"),
    (lambda: bptt_paths.one_unit(0.8, **ARGS, activation="softmax"), ValueError, "activation must be one of"),
    (lambda: bptt_paths.unrolled_graph(UNIT, 4), ValueError, "k must be at most 3"),
    (lambda: bptt_paths.unrolled_graph(UNIT, 0), ValueError, "k must be at least 1"),
    (lambda: bptt_paths.unrolled_graph(UNIT.terms, 1), TypeError, "unit must be the OneUnit"),
    (lambda: bptt_paths.draw_unrolled_graph(Figure(), []), TypeError, "graphs must be a non-empty list"),
    (lambda: bptt_paths.draw_unrolled_graph(Figure(), [UNIT]), TypeError, "graphs must be a non-empty list"),
    (lambda: bptt_paths.draw_unrolled_graph(None, [bptt_paths.unrolled_graph(UNIT, 1)]), TypeError,
     "fig must be a matplotlib Figure"),
    (lambda: bptt_paths.popular_formula(EX.params, W_HY, 0), TypeError, "ex must be a bptt.Example"),
    (lambda: bptt_paths.popular_formula(bptt.example(N=2), W_HY, 0), ValueError, r"one sequence \(N = 1\)"),
    (lambda: bptt_paths.popular_formula(EX, np.ones((4, 2)), 0), ValueError, r"W_hy must have shape \(O, H\)"),
    (lambda: bptt_paths.popular_formula(EX, np.ones((1, 3)), 0), ValueError, "O ≥ 2"),
    (lambda: bptt_paths.popular_formula(EX, W_HY, 4), ValueError, "label must be at most 3"),
    (lambda: bptt_paths.popular_formula(EX, W_HY, True), ValueError, "label must be an integer"),
    (lambda: bptt_paths.popular_formula(EX, W_HY, 0, t=7), ValueError, "t must be at most 6"),
])
def test_bad_inputs_fail_loudly(call, error, match):
    with pytest.raises(error, match=match):
        call()
