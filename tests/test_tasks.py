"""Tests of rnnlab.tasks: shapes, the rule behind each target, determinism, baselines, validation."""
import numpy as np
import pytest
import torch

from rnnlab import tasks
from rnnlab.tasks import Batch

TASKS = [tasks.first_bit, tasks.adding]


@pytest.mark.parametrize("task", TASKS)
def test_same_seed_same_batch_and_different_seed_differs(task):
    a = task(16, 12, np.random.default_rng(3))
    b = task(16, 12, np.random.default_rng(3))
    c = task(16, 12, np.random.default_rng(4))
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)


@pytest.mark.parametrize("task", TASKS)
def test_task_is_a_batch_of_float32_inputs(task):
    batch = task(5, 7, np.random.default_rng(0))
    assert isinstance(batch, Batch)
    assert batch.x.dtype == torch.float32
    assert batch.x.shape[:2] == (5, 7) and (batch.n, batch.T) == (5, 7)


def test_first_bit_shapes_values_and_label_rule():
    batch = tasks.first_bit(200, 9, np.random.default_rng(1))
    assert batch.x.shape == (200, 9, 1)
    assert batch.y.shape == (200,) and batch.y.dtype == torch.long
    assert set(batch.x.unique().tolist()) == {-1.0, 1.0}
    assert torch.equal(batch.y, (batch.x[:, 0, 0] > 0).long())


def test_first_bit_classes_are_balanced_and_late_inputs_say_nothing():
    batch = tasks.first_bit(20_000, 10, np.random.default_rng(2))
    y = batch.y.double()
    assert abs(y.mean().item() - 0.5) < 0.02
    # a rule that reads any later input is at chance
    for t in range(1, 10):
        guess = (batch.x[:, t, 0] > 0).long()
        assert abs((guess == batch.y).double().mean().item() - 0.5) < 0.02


def test_first_bit_with_T_equal_one():
    batch = tasks.first_bit(4, 1, np.random.default_rng(0))
    assert batch.x.shape == (4, 1, 1)


def test_adding_markers_values_and_target():
    T = 11
    batch = tasks.adding(500, T, np.random.default_rng(5))
    assert batch.x.shape == (500, T, 2)
    assert batch.y.shape == (500, 1) and batch.y.dtype == torch.float32
    values, markers = batch.x[..., 0].double(), batch.x[..., 1].double()
    assert values.min() >= 0 and values.max() <= 1
    assert torch.all(markers.sum(dim=1) == 2)
    assert torch.all(markers[:, : T // 2].sum(dim=1) == 1)  # one marker in each half
    assert torch.all(markers[:, T // 2:].sum(dim=1) == 1)
    expected = (values * markers).sum(dim=1, keepdim=True)
    torch.testing.assert_close(batch.y.double(), expected, rtol=0, atol=1e-6)


def test_adding_with_the_shortest_sequence_marks_both_steps():
    batch = tasks.adding(3, 2, np.random.default_rng(0))
    assert torch.all(batch.x[..., 1] == 1)


def test_adding_constant_one_baseline_has_mse_one_sixth():
    batch = tasks.adding(20_000, 30, np.random.default_rng(6))
    mse = ((batch.y.double() - 1.0) ** 2).mean().item()
    assert mse == pytest.approx(1 / 6, abs=0.01)  # standard error ≈ 0.0014


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("n, T, rng, match", [
    (0, 5, np.random.default_rng(0), "n"),
    (2.5, 5, np.random.default_rng(0), "n"),
    (3, 0, np.random.default_rng(0), "T"),
    (3, 5, 0, "np.random.default_rng"),
    (3, 5, np.random.RandomState(0), "Generator"),
])
def test_task_arguments_are_validated(task, n, T, rng, match):
    with pytest.raises(ValueError, match=match):
        task(n, T, rng)


def test_adding_needs_two_steps():
    with pytest.raises(ValueError, match="T"):
        tasks.adding(3, 1, np.random.default_rng(0))


def test_batch_checks_its_shapes():
    with pytest.raises(ValueError, match=r"\(N, T, D\)"):
        Batch(x=torch.zeros(4, 5), y=torch.zeros(4))
    with pytest.raises(ValueError, match="one row per sequence"):
        Batch(x=torch.zeros(4, 5, 1), y=torch.zeros(3))
    with pytest.raises(ValueError, match="torch tensors"):
        Batch(x=np.zeros((4, 5, 1)), y=torch.zeros(4))
