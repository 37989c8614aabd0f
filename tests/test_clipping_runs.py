"""Chapter 5's training runs: the model, the real gradients, divergence and the spike detector."""
import numpy as np
import pytest
import torch

from rnnlab import clipping, train
from rnnlab.chapters import clipping_runs as runs


def test_model_scales_w_hh_and_gradients_match_autograd_dtype():
    plain = runs.explosive_model(0, gain=1.0)
    big = runs.explosive_model(0)
    assert torch.allclose(big.cell.weight_hh, runs.GAIN * plain.cell.weight_hh)
    model, g = runs.batch_gradients(0)
    assert all(a.dtype == np.float64 for a in g) and len(g) == 6
    assert clipping.total_norm(g) > 0


def test_divergence_and_peak_ratio():
    h = train.History(metric="mse", loss=[1.0, 2.0, 11.0])
    assert runs.peak_ratio(h) == 11.0 and runs.diverged(h) and not runs.diverged(h, factor=20)
    h = train.History(metric="mse", loss=[1.0, 0.5], diverged_at=2)
    assert runs.peak_ratio(h) == float("inf")
    clipped = runs.run(0, 1.0, steps=20)
    assert not runs.diverged(clipped)


def test_first_spike():
    assert runs.first_spike([1, 1, 1, 1, 1, 1, 20, 1]) == 6
    assert runs.first_spike([1, 1, 1, 1, 1, 1, 5]) is None
    assert runs.first_spike([1, 1, 1, 1, 1, np.inf]) == 5
    assert runs.first_spike([1, 50, 1], warmup=1) == 1


@pytest.mark.parametrize("call, pattern", [
    (lambda: runs.explosive_model(-1), "seed must be at least 0"),
    (lambda: runs.explosive_model(0, gain=-1.0), "gain must be at least 0"),
    (lambda: runs.batch_gradients(0, n=0), "n must be at least 1"),
    (lambda: runs.run(0, None, steps=0), "steps must be at least 1"),
    (lambda: runs.run(0, None, lr=0.0), "lr must be positive"),
    (lambda: runs.run(0, -1.0), "clip must be"),
    (lambda: runs.peak_ratio([1.0]), "history must be"),
    (lambda: runs.peak_ratio(train.History(metric="mse")), "history must be"),
    (lambda: runs.diverged(train.History(metric="mse", loss=[1.0]), factor=0), "factor must be positive"),
    (lambda: runs.first_spike([[1.0]]), "values must have 1 dimension"),
    (lambda: runs.first_spike([1.0], warmup=0), "warmup must be at least 1"),
])
def test_bad_inputs(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
