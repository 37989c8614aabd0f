"""The liquid state machine: a lone LIF unit fires at the period its equation predicts, the wiring obeys Dale's law,
and a ridge readout of the spike traces decodes the input, in well under a second."""
import math
import time

import numpy as np
import pytest

from rnnlab import lsm, reservoir


@pytest.mark.parametrize("current, dt, refractory", [(1.5, 0.1, 2), (3.0, 0.1, 0), (1.2, 0.05, 5)])
def test_a_lone_unit_fires_at_the_period_of_its_equation(current, dt, refractory):
    """Constant input I > 1 from v = 0: v_k = I (1 − (1 − dt)^k) reaches 1 after k* steps, then rests."""
    k_star = math.ceil(math.log(1 - 1 / current) / math.log(1 - dt))
    spikes = lsm.run_liquid(np.zeros((1, 1)), [[current, 0.0]], np.zeros((300, 1)), dt, refractory).spikes[:, 0]
    times = np.flatnonzero(spikes)
    assert times[0] == k_star - 1 and np.all(np.diff(times) == k_star + refractory)


def test_without_input_nothing_fires_and_the_wiring_obeys_dale_s_law():
    rng = np.random.default_rng(0)
    W = lsm.liquid_matrix(50, rng=rng)
    assert lsm.run_liquid(W, np.zeros((50, 2)), np.zeros((100, 1))).spikes.sum() == 0
    assert np.all(W[:, :40] >= 0) and np.all(W[:, 40:] <= 0) and np.all(np.diag(W) == 0)


@pytest.mark.parametrize("seed", range(3))
def test_a_readout_of_the_traces_decodes_the_input(seed):
    rng = np.random.default_rng(seed)
    W_hh = lsm.liquid_matrix(100, rng=rng)
    W_xh = np.column_stack([rng.uniform(0.8, 1.2, 100), rng.uniform(0.0, 1.5, 100)])  # bias, then input weights
    values = rng.uniform(0, 1, 1200)
    start = time.perf_counter()
    liquid = lsm.run_liquid(W_hh, W_xh, np.repeat(values, 5)[:, None])  # each value held for 5 steps
    assert time.perf_counter() - start < 1.0
    Z = np.vstack([np.ones(1200), liquid.traces[4::5].T])  # (1 + H, 1200) the traces at the end of each value
    W_out = reservoir.ridge(Z[:, :800], values[None, :800], 0.1)
    assert np.corrcoef(W_out @ Z[:, 800:], values[800:])[0, 1] ** 2 > 0.4  # measured 0.63 for seed 0
    assert 0.01 < liquid.spikes.mean() < 0.3  # sparse spiking, neither silent nor saturated
