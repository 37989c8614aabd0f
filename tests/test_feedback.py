"""Chapter 1's one-unit pulse experiment, fixed points and critical paths."""
import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import plotting
from rnnlab.chapters import feedback

matplotlib.use("Agg")


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


@pytest.mark.parametrize("w, memory, gradient", [
    (0.5, "faded", "vanished"), (0.0, "faded", "vanished"), (-0.5, "faded", "vanished"),
    (0.95, "fading", plotting.WITHIN), (1.0, "fading", plotting.WITHIN),
    (1.5, "persists", "vanished"), (-1.5, "persists", "vanished"), (2.0, "saturates", "vanished")])
def test_classification(w, memory, gradient):
    r = feedback.pulse_response(w, 60)
    assert (r.memory, r.gradient) == (memory, gradient)


def test_memory_label_rule():
    assert feedback.memory_label(0.9, 0.5, 0.0051) == "fading"   # 1.02 % of h_1: not yet below 1 %
    assert feedback.memory_label(0.9, 0.5, -0.0049) == "faded"
    assert feedback.memory_label(0.9, 0.0, 0.0) == "faded"       # no pulse, nothing to remember
    assert feedback.memory_label(1.5, 0.0, 0.0) == "faded"
    assert feedback.memory_label(1.0, 0.99, 0.95) == "fading"    # |w| ≤ 1 never persists, even near ±1
    assert feedback.memory_label(1.2, 0.5, 0.5) == "persists"
    assert feedback.memory_label(-3.0, 0.5, -0.99) == "saturates"
    assert set(feedback.MEMORY) == {"fading", "faded", "persists", "saturates"}


def test_weights_below_one_eventually_fade():
    for w in [0.5, 0.9, 0.95, 0.99]:
        assert feedback.pulse_response(w, 10_000).memory == "faded"


def test_short_sequences_keep_the_gradient():
    assert feedback.pulse_response(0.9, 5).gradient == plotting.WITHIN


def test_fixed_point():
    assert feedback.fixed_point(0.7) == 0.0 and feedback.fixed_point(1.0) == 0.0
    for w in [1.01, 1.5, 2.0, 5.0]:
        h = feedback.fixed_point(w)
        assert h > 0 and abs(np.tanh(w * h) - h) < 1e-13
        assert w * (1 - h ** 2) < 1, "the nonzero fixed points are attractors"


def test_fixed_point_stops_at_float64_resolution_and_at_max_iter():
    exact = feedback.fixed_point(1.5)
    finest = feedback.fixed_point(1.5, tol=1e-300)                       # no endless loop
    assert abs(np.tanh(1.5 * finest) - finest) < 1e-15 and abs(finest - exact) < 1e-14
    assert abs(feedback.fixed_point(1.5, tol=0.1) - exact) <= 0.05       # a coarse bracket
    coarse = feedback.fixed_point(1.5, max_iter=3)                        # bracket of width ~ 1/8
    assert abs(coarse - exact) <= 1 / 16


def _critical_path_by_loops(T, K, schedule, bidirectional):
    """The same dynamic programme, cell by cell (the module vectorises it)."""
    below = [0] * T
    for _ in range(K):
        ready = [max(below)] * T if schedule == "layer_by_layer" else below
        fwd, bwd = [0] * T, [0] * T
        for t in range(T):
            fwd[t] = 1 + max(fwd[t - 1] if t > 0 else 0, ready[t])
        for t in reversed(range(T)):
            bwd[t] = 1 + max(bwd[t + 1] if t < T - 1 else 0, ready[t])
        below = [max(f, b) for f, b in zip(fwd, bwd)] if bidirectional else fwd
    return max(below)


@pytest.mark.parametrize("T, K", [(1, 1), (7, 1), (1, 5), (20, 3), (64, 8), (5, 30)])
def test_critical_path_formulas(T, K):
    assert feedback.critical_path(T, K) == T + K - 1
    assert feedback.critical_path(T, K, schedule="layer_by_layer") == K * T
    for schedule in feedback.SCHEDULES:
        assert feedback.critical_path(T, K, schedule, bidirectional=True) == K * T
        for bidirectional in (False, True):
            assert feedback.critical_path(T, K, schedule, bidirectional) == \
                _critical_path_by_loops(T, K, schedule, bidirectional)


def test_drawings_run():
    fig = Figure()
    r = feedback.pulse_response(1.5, 30, pulse=0.01)
    feedback.draw_pulse(fig, r, {"w": 1.5, "T": 30, "pulse": 0.01})
    assert len(fig.axes) == 2
    feedback.draw_unrolled(Figure(), T=3)


def test_explorer_quotes_and_extremes():
    explorer = feedback.pulse_explorer()
    assert explorer.defaults == {"w": 0.9, "T": 60, "pulse": 1.0}
    pulse = next(s for s in explorer.sliders if s.name == "pulse")
    assert pulse.min <= 0.01, "the text asks the reader to try a tiny pulse"
    for params in [{"w": 2.0, "T": 200, "pulse": 0.01}, {"w": 0.0, "T": 5, "pulse": 5.0}]:
        assert explorer.png(**params).startswith(b"\x89PNG")


@pytest.mark.parametrize("call, error, match", [
    (lambda: feedback.pulse_response(float("nan"), 10), ValueError, "w must be a finite number"),
    (lambda: feedback.pulse_response(0.5, 0), ValueError, "T must be at least 1"),
    (lambda: feedback.pulse_response(0.5, 2.5), ValueError, "T must be an integer"),
    (lambda: feedback.pulse_response(0.5, 10, pulse=float("inf")), ValueError, "pulse must be a finite"),
    (lambda: feedback.pulse_response("0.5", 10), ValueError, "w must be a finite number"),
    (lambda: feedback.memory_label(0.5, float("nan"), 0.1), ValueError, "h_1 must be a finite number"),
    (lambda: feedback.fixed_point(-1.0), ValueError, "w must be at least 0"),
    (lambda: feedback.fixed_point(float("nan")), ValueError, "w must be a finite number"),
    (lambda: feedback.fixed_point(1.5, tol=float("nan")), ValueError, "tol must be a finite number"),
    (lambda: feedback.fixed_point(1.5, tol=0.0), ValueError, "tol must be positive"),
    (lambda: feedback.fixed_point(1.5, tol=-1e-3), ValueError, "tol must be positive"),
    (lambda: feedback.fixed_point(1.5, tol=0.5), ValueError, "tol must be at most 0.1"),
    (lambda: feedback.fixed_point(1.5, max_iter=0), ValueError, "max_iter must be at least 1"),
    (lambda: feedback.critical_path(0, 2), ValueError, "T must be at least 1"),
    (lambda: feedback.critical_path(10, 0), ValueError, "K must be at least 1"),
    (lambda: feedback.critical_path(10, 2.0), ValueError, "K must be an integer"),
    (lambda: feedback.critical_path(10, 2, schedule="pipelined"), ValueError, "schedule must be one of"),
    (lambda: feedback.critical_path(10, 2, bidirectional="yes"), TypeError, "bidirectional must be True or"),
    (lambda: feedback.draw_pulse("fig", feedback.pulse_response(0.5, 5), {"w": 0.5, "T": 5, "pulse": 1.0}),
     TypeError, "fig must be a matplotlib Figure"),
    (lambda: feedback.draw_pulse(Figure(), np.zeros(5), {"w": 0.5, "T": 5, "pulse": 1.0}),
     TypeError, "result must be a PulseResponse"),
    (lambda: feedback.draw_pulse(Figure(), feedback.pulse_response(0.5, 5), {"w": 0.5}),
     ValueError, "params must be a dict with the keys"),
    (lambda: feedback.draw_unrolled(None), TypeError, "fig must be a matplotlib Figure"),
    (lambda: feedback.draw_unrolled(Figure(), T=9), ValueError, "T must be at most 8"),
    (lambda: feedback.pulse_explorer(0.9), TypeError, "takes 0 positional arguments"),
])
def test_bad_inputs_are_refused_with_a_readable_message(call, error, match):
    with pytest.raises(error, match=match):
        call()
