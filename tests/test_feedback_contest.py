"""Chapter 1, §1.4: the window model against the recurrent network on the first-bit task."""
import pytest
import torch

from rnnlab.chapters import feedback_contest


def test_a_short_run_is_reproducible_and_restores_the_thread_count():
    threads = torch.get_num_threads()
    a = feedback_contest.first_bit_contest(seed=3, T=6, window=2, hidden_size=8, steps=20, n_held_out=200)
    b = feedback_contest.first_bit_contest(seed=3, T=6, window=2, hidden_size=8, steps=20, n_held_out=200)
    assert torch.get_num_threads() == threads
    assert (a.window_accuracy, a.recurrent_accuracy) == (b.window_accuracy, b.recurrent_accuracy)
    assert set(a.histories) == {"window model", "recurrent network"} and not a.diverged
    assert a.histories["window model"].eval_steps == [0, 20]


def test_the_chapter_setting_separates_the_models():
    run = feedback_contest.first_bit_contest(seed=11)   # T = 10, window 5, 300 steps
    assert 0.45 <= run.window_accuracy <= 0.55
    assert run.recurrent_accuracy >= 0.95


@pytest.mark.parametrize("kwargs, match", [
    ({"seed": -1}, "seed must be at least 0"),
    ({"seed": 1.5}, "seed must be an integer"),
    ({"seed": 0, "T": 1}, "T must be at least 2"),
    ({"seed": 0, "T": 10, "window": 10}, "window must be shorter than T"),
    ({"seed": 0, "window": 0}, "window must be at least 1"),
    ({"seed": 0, "hidden_size": 0}, "hidden_size must be at least 1"),
    ({"seed": 0, "steps": 0}, "steps must be at least 1"),
    ({"seed": 0, "n_held_out": 10}, "n_held_out must be at least 100"),
    ({"seed": "0"}, "seed must be an integer"),
])
def test_bad_inputs_are_refused_with_a_readable_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        feedback_contest.first_bit_contest(**kwargs)
