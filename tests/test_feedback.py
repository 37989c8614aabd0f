"""Chapter 1's one-unit pulse experiment, fixed points and critical paths."""
import numpy as np
import pytest

from rnnlab import plotting
from rnnlab.chapters import feedback


def test_pulse_follows_the_state_equation():
    w, T, p = 0.8, 12, 0.7
    r = feedback.pulse_response(w, T, pulse=p)
    h, expected = 0.0, []
    for t in range(T):
        h = np.tanh(w * h + (p if t == 0 else 0.0))
        expected.append(h)
    np.testing.assert_allclose(r.h, expected, rtol=0, atol=1e-15)


def test_sensitivity_matches_finite_differences():
    w, T, p, eps = 1.3, 25, 0.4, 1e-6
    r = feedback.pulse_response(w, T, pulse=p)
    fd = (feedback.pulse_response(w, T, pulse=p + eps).h - feedback.pulse_response(w, T, pulse=p - eps).h) / (2 * eps)
    np.testing.assert_allclose(r.sensitivity, np.abs(fd), rtol=1e-6, atol=1e-9)  # FD round-off ~ 1e-16 / eps


@pytest.mark.parametrize("w, memory, gradient", [(0.5, "fades", "vanished"), (1.5, "persists", "vanished"),
                                                 (2.0, "saturates", "vanished"), (0.0, "fades", "vanished")])
def test_classification(w, memory, gradient):
    r = feedback.pulse_response(w, 60)
    assert (r.memory, r.gradient) == (memory, gradient)


def test_short_sequences_keep_the_gradient():
    assert feedback.pulse_response(0.9, 5).gradient == plotting.WITHIN


def test_fixed_point():
    assert feedback.fixed_point(0.7) == 0.0 and feedback.fixed_point(1.0) == 0.0
    for w in [1.01, 1.5, 2.0, 5.0]:
        h = feedback.fixed_point(w)
        assert h > 0 and abs(np.tanh(w * h) - h) < 1e-13
        assert w * (1 - h ** 2) < 1, "the nonzero fixed points are attractors"


@pytest.mark.parametrize("T, L", [(1, 1), (7, 1), (1, 5), (20, 3), (64, 8)])
def test_critical_path_is_T_plus_L_minus_1(T, L):
    assert feedback.critical_path(T, L) == T + L - 1


@pytest.mark.parametrize("call, match", [
    (lambda: feedback.pulse_response(float("nan"), 10), "w must be a finite number"),
    (lambda: feedback.pulse_response(0.5, 0), "T must be at least 1"),
    (lambda: feedback.pulse_response(0.5, 2.5), "T must be an integer"),
    (lambda: feedback.fixed_point(-1.0), "w must be at least 0"),
    (lambda: feedback.critical_path(0, 2), "T must be at least 1"),
])
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()
