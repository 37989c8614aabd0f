"""Tests of rnnlab.gradcheck: finite differences on known functions, the relative error's properties."""
import numpy as np
import pytest

from rnnlab.gradcheck import (
    compare_gradients,
    max_relative_error,
    numerical_gradient,
    relative_error,
    torch_rnn_gradients,
)
from rnnlab.activations import Activation
from rnnlab.rnn import Grads


def test_numerical_gradient_of_known_functions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), rtol=1e-8,
                               atol=1e-10)
    u, v = rng.standard_normal(4), rng.standard_normal(3)
    np.testing.assert_allclose(numerical_gradient(lambda W: v @ W @ u, x), np.outer(v, u), rtol=1e-8, atol=1e-10)
    s = np.array(0.7)  # a 0-d array works too
    assert numerical_gradient(lambda t: float(np.exp(t)), s) == pytest.approx(np.exp(0.7), rel=1e-9)


def test_numerical_gradient_restores_x():
    x = np.random.default_rng(1).standard_normal(5)
    before = x.copy()
    numerical_gradient(lambda v: np.sum(np.exp(v)), x)
    np.testing.assert_array_equal(x, before)

    def fails(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(fails, x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_sees_perturbations_through_closures():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    h = np.array([0.5, -1.0])
    np.testing.assert_allclose(numerical_gradient(lambda _: np.sum(W @ h), W), np.outer([1, 1], h), rtol=1e-9)


@pytest.mark.parametrize("x, eps, match", [
    ([1.0, 2.0], 1e-6, "x must be a float64 numpy array"),
    (np.ones(3, dtype=np.float32), 1e-6, "x must be a float64 numpy array"),
    (np.ones(3), 0.0, "eps must be positive"),
    (np.ones(3), -1e-6, "eps must be at least 0"),
])
def test_numerical_gradient_validation(x, eps, match):
    with pytest.raises(ValueError, match=match):
        numerical_gradient(np.sum, x, eps)


def test_relative_error_properties():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0  # no 0/0
    assert relative_error(a, b) == relative_error(b, a)
    assert relative_error(a, np.zeros_like(a)) == 1.0
    assert relative_error(a, -a) == 2.0  # the largest possible value
    # vanished and exploded gradients keep their relative error
    assert relative_error(1e-200 * a, 1e-200 * b) == pytest.approx(relative_error(a, b), rel=1e-12)
    assert relative_error(1e200 * a, 1e200 * b) == pytest.approx(relative_error(a, b), rel=1e-12)
    for bad in (np.nan, np.inf):
        assert np.isnan(relative_error(a, np.full_like(a, bad))) and np.isnan(relative_error(np.full_like(a, bad), a))
    # norm-based: entries that are ~0 in both do not blow it up (elementwise ratios would be ~1 here)
    c = np.array([1.0, 1e-20])
    assert relative_error(c, np.array([1.0, 2e-20])) < 1e-19
    expected = np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b))
    assert relative_error(a, b) == pytest.approx(expected, rel=1e-15)


def test_relative_error_validation():
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="arrays of numbers"):
        relative_error("a", np.ones(1))


def test_compare_gradients():
    rng = np.random.default_rng(3)
    g = Grads(*(rng.standard_normal(s) for s in [(2, 3, 1), (2, 4), (4, 1), (4, 4), (4,)]))
    h = g._replace(db=2 * g.db)
    errors = compare_gradients(g, h)
    assert list(errors) == ["dx", "dh0", "dW_xh", "dW_hh", "db"]
    assert errors["dx"] == 0.0 and errors["db"] == pytest.approx(0.5)
    assert max_relative_error(g, h) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="ours and reference must be Grads"):
        compare_gradients(g, tuple(h))


def test_torch_reference_truncation_consistency():
    rng = np.random.default_rng(4)
    N, T, D, H = 2, 4, 2, 3
    args = (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((H, D)),
            rng.standard_normal((H, H)), rng.standard_normal(H), rng.standard_normal((N, T, H)))
    full = torch_rnn_gradients(*args)
    assert max_relative_error(torch_rnn_gradients(*args, truncate=T), full) <= 1e-13
    assert max_relative_error(torch_rnn_gradients(*args, truncate=1), full) > 1e-2


def test_torch_reference_validation():
    rng = np.random.default_rng(5)
    args = [rng.standard_normal((2, 3, 1)), np.zeros((2, 4)), np.zeros((4, 1)), np.zeros((4, 4)), np.zeros(4)]
    with pytest.raises(ValueError, match=r"dh must have shape \(N, T, H\) = \(2, 3, 4\)"):
        torch_rnn_gradients(*args, np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match="activation must be one of"):
        torch_rnn_gradients(*args, np.zeros((2, 3, 4)), activation="gelu")
    cube = Activation("cube", lambda a: a**3, lambda a: 3 * a**2, np.inf)
    with pytest.raises(ValueError, match="for the torch reference; got 'cube'"):
        torch_rnn_gradients(*args, np.zeros((2, 3, 4)), activation=cube)
    with pytest.raises(ValueError, match="truncate must be at least 1"):
        torch_rnn_gradients(*args, np.zeros((2, 3, 4)), truncate=0)
