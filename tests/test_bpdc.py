"""BPDC: the update is the published formula, one step of it shrinks the error as a normalised LMS step does,
and online it learns to predict Mackey–Glass one step ahead."""
import numpy as np
import pytest

from rnnlab import bpdc, series

SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", [1.0, 0.5])
def test_the_update_is_the_formula(seed, dt):
    rng = np.random.default_rng(seed)
    z, (w_oo, fp, e0, e1) = rng.normal(size=12), rng.normal(size=4)
    gamma = ((1 - dt) + dt * w_oo * fp) * e0 - e1  # γ(k+1), written out
    want = 0.3 / dt * np.array([z_j / (np.sum(z ** 2) + 0.01) for z_j in z]) * gamma
    np.testing.assert_allclose(bpdc.bpdc_update(z, w_oo, fp, e0, e1, 0.3, dt, 0.01), want, rtol=1e-13, atol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_without_an_error_one_step_back_it_is_normalised_lms(seed):
    """e(k) = 0, Δt = 1: the output recomputed with the new weights keeps (1 − η z·z/(z·z + ε)) of the error."""
    rng = np.random.default_rng(seed)
    z, w = rng.normal(size=20), rng.normal(size=20)
    e = w @ z - 0.7  # the output w·z against a target 0.7
    w_new = w + bpdc.bpdc_update(z, w[-1], 0.5, 0.0, e, eta=0.4, eps=0.002)
    assert w_new @ z - 0.7 == pytest.approx(e * (1 - 0.4 * (z @ z) / (z @ z + 0.002)), rel=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_online_the_one_step_error_falls(seed):
    s = series.squash(series.mackey_glass(6000, discard=500))
    run = bpdc.run_bpdc(s, 100, rng=np.random.default_rng(seed))
    rms = [np.sqrt(np.mean(run.error[i:i + 500] ** 2)) / s.std() for i in (0, 5400)]
    assert rms[1] < 0.5 * rms[0] and rms[1] < 0.2  # measured 0.30 → 0.085 for seed 0
    np.testing.assert_allclose(run.prediction - s[1:], run.error, rtol=0, atol=1e-15)
    assert run.w_o.shape == (103,)  # the output unit's weights only: 100 reservoir units, itself, bias, input
