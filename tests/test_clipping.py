"""rnnlab.clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ in float64, and bad inputs."""
import math

import numpy as np
import pytest
import torch

from rnnlab import clipping


def _grads(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 4), (4, 1), (4,), (2, 4), (2,)]
    return [scale * rng.standard_normal(s) for s in shapes]


def _torch_params(grads):
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
    return params


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("scale", [1e-3, 0.3, 1.0, 50.0, 1e6])
@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_norm_clipping_equals_torch(seed, scale, norm_type):
    grads = _grads(seed, scale)
    params = _torch_params(grads)
    torch_norm = torch.nn.utils.clip_grad_norm_(params, 1.0, norm_type=norm_type).item()
    ours, norm = clipping.clip_by_norm(grads, 1.0, norm_type=norm_type)
    assert norm == pytest.approx(torch_norm, rel=1e-14)
    assert norm == pytest.approx(clipping.total_norm(grads, norm_type), rel=0)
    for o, p in zip(ours, params):
        np.testing.assert_allclose(o, p.grad.numpy(), rtol=1e-14, atol=0)


def test_total_norm_is_the_norm_of_the_concatenation():
    grads = _grads(0)
    flat = np.concatenate([g.ravel() for g in grads])
    assert clipping.total_norm(grads) == pytest.approx(np.linalg.norm(flat), rel=1e-14)
    assert clipping.total_norm(grads, math.inf) == np.abs(flat).max()


def test_norm_clipping_keeps_direction_and_lands_just_below_threshold():
    grads = _grads(1, 100.0)
    clipped, norm = clipping.clip_by_norm(grads, 2.0)
    assert norm > 2.0
    after = clipping.total_norm(clipped)
    assert after == pytest.approx(2.0 * norm / (norm + clipping.EPS), rel=1e-14) and after < 2.0
    assert clipping.angle_degrees(grads, clipped) < 1e-6
    small = _grads(2, 1e-3)
    same, _ = clipping.clip_by_norm(small, 2.0)
    for a, b in zip(small, same):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scale", [1e200, 1e-300, 8 * 5e-324])
def test_huge_and_tiny_gradients_keep_their_norm_and_direction(scale):
    """‖g‖ = 13·scale exactly (3-4-12 entries); it neither overflows to inf (which zeroed the clipped gradient)
    nor underflows to 0, and the angle between two such gradients is that of the unscaled ones."""
    g = [np.array([3.0, 4.0]) * scale, np.array([[12.0]]) * scale]
    assert clipping.total_norm(g) == pytest.approx(13 * scale, rel=1e-15)
    assert clipping.total_norm(g, math.inf) == 12 * scale
    clipped, norm = clipping.clip_by_norm(g, 1.0)
    assert norm == pytest.approx(13 * scale, rel=1e-15)
    expected = min(1.0, 1.0 / (13 * scale + clipping.EPS))  # torch's coefficient
    for c, a in zip(clipped, g):
        np.testing.assert_allclose(c, expected * a, rtol=1e-15, atol=0)
    assert clipping.angle_degrees(g, clipped) == pytest.approx(0.0, abs=1e-6)
    other = [np.array([4.0, 3.0]) * scale, np.array([[12.0]]) * scale]
    unscaled = clipping.angle_degrees([a / scale for a in g], [b / scale for b in other])
    assert clipping.angle_degrees(g, other) == pytest.approx(unscaled, rel=1e-14) and unscaled > 1


def test_a_gradient_whose_norm_overflows_is_still_clipped_along_its_direction():
    clipped, norm = clipping.clip_by_norm([np.full(4, 1e308)], 1.0)
    assert norm == math.inf  # 2e308 is beyond the largest float
    np.testing.assert_allclose(clipped[0], 0.5, rtol=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_value_clipping_equals_torch(seed):
    grads = _grads(seed, 3.0)
    params = _torch_params(grads)
    torch.nn.utils.clip_grad_value_(params, 0.5)
    for o, p in zip(clipping.clip_by_value(grads, 0.5), params):
        np.testing.assert_array_equal(o, p.grad.numpy())


def test_value_clipping_turns_the_example_of_the_text():
    g = [np.array([10.0, 1.0])]
    v = clipping.clip_by_value(g, 1.0)
    np.testing.assert_array_equal(v[0], [1.0, 1.0])
    assert clipping.angle_degrees(g, v) == pytest.approx(math.degrees(math.acos(11 / math.sqrt(202))))
    assert round(clipping.angle_degrees(g, v), 1) == 39.3


def test_inputs_are_not_modified():
    grads = _grads(3, 10.0)
    copies = [g.copy() for g in grads]
    clipping.clip_by_norm(grads, 1.0)
    clipping.clip_by_value(grads, 1.0)
    for a, b in zip(grads, copies):
        np.testing.assert_array_equal(a, b)


GOOD = [np.ones(3)]


@pytest.mark.parametrize("call, pattern", [
    (lambda: clipping.total_norm(np.ones(3)), "grads must be a list"),            # silent: rows as params
    (lambda: clipping.total_norm([]), "at least one"),
    (lambda: clipping.total_norm([np.array([1.0, np.nan])]), "NaN or infinity"),  # silent: torch gives NaN
    (lambda: clipping.total_norm([np.array([np.inf])]), "NaN or infinity"),       # silent: torch gives 0
    (lambda: clipping.total_norm(GOOD, norm_type=1), "norm_type"),
    (lambda: clipping.total_norm(["a"]), "grads\\[0\\]"),
    (lambda: clipping.clip_by_norm(GOOD, 0.0), "max_norm must be positive"),
    (lambda: clipping.clip_by_norm(GOOD, None), "max_norm"),
    (lambda: clipping.clip_by_norm(None, 1.0), "grads must be a list"),
    (lambda: clipping.clip_by_value(GOOD, -1.0), "clip_value must be positive"),
    (lambda: clipping.clip_by_value([np.ones(2) * 1j], 1.0), "grads\\[0\\]"),    # silent: drops imaginary
    (lambda: clipping.angle_degrees(GOOD, [np.ones(2)]), "same shapes"),
    (lambda: clipping.angle_degrees(GOOD, [np.zeros(3)]), "non-zero"),
    (lambda: clipping.angle_degrees(GOOD, "x"), "other must be a list"),
])
def test_bad_inputs(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
