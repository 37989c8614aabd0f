"""Mackey–Glass: equal to an explicit RK4 / Euler loop, the batch equal to one series at a time, chaotic at τ = 17
and periodic at τ = 8, fast enough to draw every training batch afresh."""
import collections
import time

import numpy as np
import pytest

from rnnlab import series

SEEDS = range(5)


def _f(x, x_tau, a=0.2, b=0.1, n=10):
    """The right-hand side of dx/dt = a x(t−τ)/(1 + x(t−τ)^n) − b x(t)."""
    return a * x_tau / (1 + x_tau ** n) - b * x


def _reference(n_steps, history, x0=1.2, h=1.0, method="rk4"):
    """A plain loop, written like reservoirpy's (v0.3) ``mackey_glass``: a queue of the last L values, the delayed
    value popped once per step and held through the four RK4 stages."""
    past, x, out = collections.deque(history), x0, []
    for _ in range(n_steps):
        out.append(x)
        x_tau = past.popleft()
        past.append(x)
        if method == "euler":
            x = x + h * _f(x, x_tau)
        else:
            k1 = h * _f(x, x_tau)
            k2 = h * _f(x + k1 / 2, x_tau)
            k3 = h * _f(x + k2 / 2, x_tau)
            k4 = h * _f(x + k3, x_tau)
            x = x + (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return np.array(out)


@pytest.mark.parametrize("seed", SEEDS)
def test_rk4_equals_an_explicit_rk4_loop_with_reservoirpy_s_random_history(seed):
    history = 1.2 + 0.2 * (np.random.default_rng(seed).random(17) - 0.5)  # reservoirpy's default draw
    ours = series.mackey_glass(500, history=history)
    np.testing.assert_allclose(ours, _reference(500, history), rtol=0, atol=1e-11)
    assert ours[0] == 1.2  # x0 is the first value, as in reservoirpy


def test_jaeger_s_euler_protocol_equals_an_explicit_euler_loop_subsampled():
    """Jaeger (2001): Euler with δ = 1/10, every 10th value kept."""
    ours = series.mackey_glass(100, h=0.1, subsample=10, method="euler", discard=20)
    fine = _reference(1200, np.full(170, 1.2), h=0.1, method="euler")
    np.testing.assert_allclose(ours, fine[::10][20:120], rtol=0, atol=1e-12)


def test_the_two_schemes_agree_as_the_step_shrinks():
    """Held-delay RK4 and Euler approach one solution: their gap shrinks with h (Euler is first order)."""
    gaps = [np.abs(series.mackey_glass(30, h=h, subsample=round(1 / h), method="euler")
                   - series.mackey_glass(30, h=h, subsample=round(1 / h))).max() for h in (0.1, 0.05)]
    assert 1.8 < gaps[0] / gaps[1] < 2.2 and gaps[1] < 1e-3  # halving h halves the gap


@pytest.mark.parametrize("seed", SEEDS)
def test_the_batch_equals_one_series_at_a_time(seed):
    rng = np.random.default_rng(seed)
    batch = series.mackey_glass_batch(4, 100, rng, discard=50)
    start = np.random.default_rng(seed).uniform(0.5, 1.3, size=(4, 18))  # the same draw: history, then x0
    for row, s in zip(batch, start):
        np.testing.assert_allclose(row, series.mackey_glass(100, history=s[:17], x0=s[17], discard=50),
                                   rtol=0, atol=1e-10)
    assert np.abs(np.corrcoef(batch)[0, 1:]).max() < 0.99  # different places on the attractor


def test_tau_17_is_chaotic_and_tau_8_periodic():
    """Jaeger (2001): chaotic attractor for τ > 16.8. Two starts 1e-8 apart separate at τ = 17 and stay together
    at τ = 8, whose series repeats itself (to 1e-3 with an integer period)."""
    def separation(tau):
        a = series.mackey_glass(3000, tau=tau)
        return np.abs(a - series.mackey_glass(3000, tau=tau, x0=1.2 + 1e-8))[-500:].max()

    def repeat_error(tau):
        tail = series.mackey_glass(1000, tau=tau, discard=3000)
        return min(np.abs(tail[P:] - tail[:-P]).max() for P in range(5, 200))

    assert separation(17) > 0.1 and separation(8) < 1e-6
    assert repeat_error(8) < 1e-3 and repeat_error(17) > 0.1


def test_the_published_range_and_the_squash():
    x = series.mackey_glass(5000, discard=1000)
    assert 0.35 < x.min() < 0.5 and 1.25 < x.max() < 1.4  # the familiar τ = 17 series, between about 0.4 and 1.3
    np.testing.assert_allclose(series.squash(x), np.tanh(x - 1), rtol=0, atol=0)
    assert np.abs(series.squash(x)).max() < 0.6  # squashed into the near-linear part of tanh


def test_a_training_batch_costs_a_few_milliseconds():
    rng = np.random.default_rng(0)
    costs = []
    for _ in range(5):
        start = time.perf_counter()
        series.mackey_glass_batch(32, 450, rng)
        costs.append(time.perf_counter() - start)
    assert min(costs) < 0.02  # measured about 1 ms on one core


def test_a_step_too_large_or_off_the_grid_is_refused():
    with pytest.raises(ValueError, match="tau/h must be a whole number"):
        series.mackey_glass(10, h=0.3)
    with pytest.raises(ValueError, match="too large a step"):
        series.mackey_glass(10, h=17.0, b=0.5, tau=17)
