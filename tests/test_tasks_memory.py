"""Chapter 11's tasks: delayed recall and Mackey–Glass T steps ahead — targets where the docstrings say, and the
baselines the registry judges them by."""
import numpy as np
import pytest
import torch

from rnnlab import series, tasks_memory
from rnnlab.experiments.registry import task_spec


@pytest.mark.parametrize("T", [1, 7, 40])
def test_recall_targets_the_input_T_steps_before_the_last(T):
    batch = tasks_memory.recall(16, T, np.random.default_rng(T))
    assert batch.x.shape == (16, T + 20, 1) and batch.y.shape == (16, 1)
    assert torch.equal(batch.y, batch.x[:, -1 - T])


def test_recall_s_baseline_is_the_variance_of_its_inputs():
    batch = tasks_memory.recall(20000, 3, np.random.default_rng(0))
    mse_of_the_mean = float((batch.y ** 2).mean())
    assert abs(mse_of_the_mean - tasks_memory.RECALL_BASELINE) < 0.01
    assert task_spec("recall").baseline(3) == tasks_memory.RECALL_BASELINE


@pytest.mark.parametrize("T", [1, 17, 84])
def test_mackey_glass_ahead_reads_a_window_and_targets_the_value_T_steps_past_it(T):
    batch = tasks_memory.mackey_glass_ahead(8, T, np.random.default_rng(T))
    s = series.squash(series.mackey_glass_batch(8, 50 + T, np.random.default_rng(T), discard=tasks_memory.MG_DISCARD))
    assert batch.x.shape == (8, 50, 1) and batch.y.shape == (8, 1)
    assert np.allclose(batch.x[:, :, 0].numpy(), s[:, :50], atol=1e-7)
    assert np.allclose(batch.y[:, 0].numpy(), s[:, -1], atol=1e-7)


def test_every_mackey_glass_sequence_is_a_fresh_stretch_of_the_attractor():
    a, b = (tasks_memory.mackey_glass_ahead(64, 17, np.random.default_rng(seed)) for seed in (1, 2))
    distances = torch.cdist(a.x[:, :, 0], b.x[:, :, 0])  # (64, 64): no window of one batch is one of the other's
    # (the attractor is low-dimensional: by chance a few windows pass close to one another, never onto)
    assert distances.min() > 0 and (distances < 0.05).double().mean() < 0.01


def test_mackey_glass_s_baseline_is_the_variance_of_the_squashed_series():
    batch = tasks_memory.mackey_glass_ahead(4000, 17, np.random.default_rng(7))
    assert abs(float(batch.y.var()) - tasks_memory.MG_BASELINE) < 0.05 * tasks_memory.MG_BASELINE
    assert task_spec("mackey_glass").baseline(84) == tasks_memory.MG_BASELINE
