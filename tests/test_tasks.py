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


# --- the long-lag tasks of Chapter 8 ----------------------------------------------------------------------
LONG = [tasks.adding_hs, tasks.copy_memory, tasks.temporal_order, tasks.latch]


def _mean_within(sample, expected, sigmas=5.0):
    """Monte Carlo check: |mean − expected| < sigmas · (standard error of the mean)."""
    sample = np.asarray(sample, dtype=float).ravel()
    error = sample.std(ddof=1) / np.sqrt(sample.size)
    assert abs(sample.mean() - expected) < sigmas * error, (sample.mean(), expected, error)


@pytest.mark.parametrize("task", LONG)
def test_long_tasks_are_reproducible_float32_batches(task):
    a, b, c = (task(16, 24, np.random.default_rng(s)) for s in (3, 3, 4))
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y) and not torch.equal(a.x, c.x)
    assert isinstance(a, Batch) and a.x.dtype == torch.float32 and a.n == 16


def test_simplified_adding_baseline_is_one_sixth():
    assert round(1 / 6, 3) == 0.167
    y = tasks.adding(40_000, 20, np.random.default_rng(7)).y.double().numpy()
    _mean_within(y, 1.0)  # predicting the constant 1 predicts the mean
    _mean_within((y - 1.0) ** 2, 1 / 6)  # ... and its MSE is Var(v + v') = 2/12


def test_adding_hs_follows_the_1997_protocol():
    T = 30
    batch = tasks.adding_hs(4000, T, np.random.default_rng(8))
    values, markers = batch.x[..., 0].double(), batch.x[..., 1].double()  # (N, T)
    assert batch.x.shape == (4000, T, 2) and batch.y.shape == (4000, 1)
    assert values.min() >= -1 and values.max() <= 1 and values.min() < -0.99 and values.max() > 0.99
    assert set(markers.unique().tolist()) == {-1.0, 0.0, 1.0}
    marked = markers == 1
    assert torch.all(marked.sum(dim=1) == 2)
    first = marked.double().argmax(dim=1)  # position of the earlier marked pair
    second = T - 1 - marked.flip(1).double().argmax(dim=1)  # and of the later one
    assert first.max() <= 9 and second.max() <= T // 2 - 1  # X1 among the first 10, X2 among the first T/2 − 1
    assert second.max() == T // 2 - 1 and torch.any(second >= 10)
    zeroed = marked[:, 0] & (values[:, 0] == 0)  # X1 = 0 when X1 is the first pair
    _mean_within(zeroed.numpy(), 1 / 10)
    kept = marked[:, 0] & (values[:, 0] != 0)  # the first pair marked as X2: X1 is another of the first 10
    assert torch.any(kept) and torch.all(second[kept] < 10)
    ends = torch.stack([markers[:, 0], markers[:, -1]], dim=1)[~torch.stack([marked[:, 0], marked[:, -1]], 1)]
    assert torch.all(ends == -1)  # first and final pair carry −1 unless marked
    middle = markers[:, 1:-1]
    assert torch.all((middle == 0) | (middle == 1))
    expected = 0.5 + (values * marked).sum(dim=1) / 4.0  # 0.5 + (X1 + X2)/4
    torch.testing.assert_close(batch.y[:, 0].double(), expected, rtol=0, atol=1e-6)


def test_adding_hs_baseline_is_19_over_480():
    y = tasks.adding_hs(40_000, 40, np.random.default_rng(9)).y.double().numpy()
    _mean_within(y, 0.5)
    _mean_within((y - 0.5) ** 2, 19 / 480)  # E[X1²] = 0.9/3 (X1 = 0 w.p. 1/10), E[X2²] = 1/3, over 16


def test_copy_memory_layout():
    T = 7
    batch = tasks.copy_memory(300, T, np.random.default_rng(10))
    assert batch.x.shape == (300, T + 20, 10) and batch.y.shape == (300, T + 20) and batch.y.dtype == torch.long
    assert torch.all(batch.x.sum(dim=2) == 1)  # one-hot
    cls = batch.x.argmax(dim=2)  # (N, T + 20)
    assert cls[:, :10].min() >= 1 and cls[:, :10].max() <= 8
    assert torch.all(cls[:, 10:T + 9] == 0) and torch.all(cls[:, T + 9] == 9) and torch.all(cls[:, T + 10:] == 0)
    assert torch.all(batch.y[:, :T + 10] == 0) and torch.equal(batch.y[:, T + 10:], cls[:, :10])


@pytest.mark.parametrize("T", [1, 10, 100])
def test_copy_memory_baseline_is_exactly_the_memoryless_cross_entropy(T):
    batch = tasks.copy_memory(50, T, np.random.default_rng(T))
    logits = torch.full((50, T + 20, 10), -1e9, dtype=torch.float64)
    logits[:, :T + 10, 0] = 0.0  # blank, certain
    logits[:, T + 10:, 1:9] = 0.0  # a uniform guess over the 8 symbols
    loss = torch.nn.functional.cross_entropy(logits.transpose(1, 2), batch.y).item()
    assert loss == pytest.approx(10 * np.log(8) / (T + 20), rel=1e-12)
    assert tasks.copy_baseline(T) == pytest.approx(10 * np.log(8) / (T + 20), rel=1e-15)


def test_copy_memory_symbols_are_uniform_so_no_memoryless_guess_beats_log_8():
    symbols = tasks.copy_memory(5000, 3, np.random.default_rng(11)).y[:, -10:].numpy()  # (N, 10)
    for s in range(1, 9):
        _mean_within(symbols == s, 1 / 8)


def test_temporal_order_layout_and_label_rule():
    T = 50
    batch = tasks.temporal_order(2000, T, np.random.default_rng(12))
    assert batch.x.shape == (2000, T, 8) and batch.y.shape == (2000,) and batch.y.dtype == torch.long
    sym = batch.x.argmax(dim=2)  # (N, T)
    assert torch.all(sym[:, 0] == 0) and torch.all(sym[:, -1] == 1)
    xy = sym >= 6
    assert torch.all(xy.sum(dim=1) == 2)
    assert torch.all(xy[:, T // 10:T // 5].sum(dim=1) == 1) and torch.all(xy[:, T // 2:6 * T // 10].sum(dim=1) == 1)
    assert torch.all((sym[:, 1:-1] >= 2) & (sym[:, 1:-1] <= 7))
    pair = sym[xy].reshape(2000, 2) - 6  # (N, 2) 0 = X, 1 = Y, in time order
    assert torch.equal(batch.y, 2 * pair[:, 0] + pair[:, 1])


def test_temporal_order_chance_is_one_quarter():
    batch = tasks.temporal_order(20_000, 20, np.random.default_rng(13))
    y = batch.y.numpy()
    for k in range(4):
        _mean_within(y == k, 0.25)
    distractor = batch.x[:, 1].argmax(dim=1).numpy() - 2  # a rule reading a distractor: classes 0 .. 3
    _mean_within(distractor == y, 0.25)


@pytest.mark.parametrize("informative", [1, 3])
def test_latch_layout_noise_and_chance(informative):
    batch = tasks.latch(20_000, 12, np.random.default_rng(14), informative=informative)
    x, y = batch.x[..., 0].double().numpy(), batch.y.numpy()
    assert batch.x.shape == (20_000, 12, 1) and batch.y.dtype == torch.long
    assert np.all(x[:, :informative] == (2.0 * y - 1.0)[:, None])
    noise = x[:, informative:]
    _mean_within(noise, 0.0)
    _mean_within((noise - noise.mean()) ** 2, 0.2)
    _mean_within(y, 0.5)
    _mean_within((noise[:, -1] > 0) == y, 0.5)  # a rule reading the noise is at chance


@pytest.mark.parametrize("task, T", [(tasks.adding_hs, 10), (tasks.temporal_order, 9), (tasks.latch, 1)])
def test_long_tasks_refuse_too_short_sequences(task, T):
    with pytest.raises(ValueError, match="T .sequence length. must be at least"):
        task(4, T, np.random.default_rng(0))


@pytest.mark.parametrize("task", LONG)
@pytest.mark.parametrize("n, T, rng, match", [
    (0, 20, np.random.default_rng(0), "n"), (3, 20.0, np.random.default_rng(0), "T"), (3, 20, 0, "Generator")])
def test_long_task_arguments_are_validated(task, n, T, rng, match):
    with pytest.raises(ValueError, match=match):
        task(n, T, rng)


def test_latch_informative_is_validated():
    with pytest.raises(ValueError, match="informative must be at least 1"):
        tasks.latch(4, 10, np.random.default_rng(0), informative=0)
    with pytest.raises(ValueError, match="T .sequence length. must be at least 4"):
        tasks.latch(4, 3, np.random.default_rng(0), informative=3)
    with pytest.raises(ValueError, match="T .delay. must be"):
        tasks.copy_baseline(0)


def test_marked_latch_layout_marker_distractors_and_chance():
    batch = tasks.marked_latch(20_000, 12, np.random.default_rng(15))
    x, y = batch.x.double().numpy(), batch.y.numpy()
    assert batch.x.shape == (20_000, 12, 2) and batch.y.dtype == torch.long
    assert np.all(x[:, 1, 0] == 2.0 * y - 1.0)  # the class at step 2, marked
    assert np.all(x[:, :, 1] == np.eye(12)[1])  # the marker line: 1 at step 2 only
    assert np.all(np.abs(x[:, 0, 0]) == 1.0)  # a distractor first
    pulses = np.abs(x[:, 2:, 0]) == 1.0  # exactly one more unit pulse after the class (noise never hits ±1)
    assert np.all(pulses.sum(axis=1) == 1)
    _mean_within(y, 0.5)
    _mean_within((x[:, 0, 0] > 0) == y, 0.5)  # latching the first pulse is at chance
    last = x[:, 2:, 0][pulses]  # the last unit pulse's sign: at chance too
    _mean_within((last > 0) == y, 0.5)
    noise = x[:, 2:, 0][~pulses]
    _mean_within(noise, 0.0)
    _mean_within(noise ** 2, 0.2)


def test_marked_latch_needs_three_steps():
    with pytest.raises(ValueError, match="T .sequence length. must be at least 3"):
        tasks.marked_latch(4, 2, np.random.default_rng(0))
