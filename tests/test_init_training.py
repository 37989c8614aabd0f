"""Tests of rnnlab.chapters.init_training (Chapter 6): the runs are reproducible, the constraint keeps W_hh
orthogonal, success is the stated margin under the baseline, and bad inputs fail loudly."""
import numpy as np
import pytest
import torch

from rnnlab import init, models, tasks
from rnnlab.chapters import init_training as it

TINY = it.Setup(T=6, H=4, steps=3, batch_size=4, n_eval=8)


def test_runs_are_reproducible_and_report_the_trained_spectrum():
    a, model = it.run("IRNN", 2, TINY)
    b, _ = it.run("IRNN", 2, TINY)
    assert a.mse == b.mse and a.initial_mse == b.initial_mse and a.diverged_at is None
    np.testing.assert_allclose(a.W_singular, np.linalg.svd(init.recurrent_weight(model), compute_uv=False))


def test_training_leaves_torchs_thread_count_as_it_found_it():
    threads = torch.get_num_threads()
    it.run("IRNN", 2, TINY)
    assert torch.get_num_threads() == threads


def test_success_is_half_the_baseline():
    def run(mse):
        return it.Run("IRNN", 0, mse, 0.2, None, np.ones(2))
    assert it.BASELINE == pytest.approx(1 / 6)
    assert run(0.083).success and not run(0.084).success and not run(float("inf")).success


def test_the_constraint_keeps_w_orthogonal_and_starts_from_the_initial_w():
    W0 = init.recurrent_weight(it.build("tanh, orthogonal", 1, 4))
    m = it.build("tanh, orthogonal", 1, 4, orthogonal_constraint=True)
    np.testing.assert_allclose(init.recurrent_weight(m), W0, atol=1e-6)
    _, m = it.run("tanh, orthogonal", 1, TINY, orthogonal_constraint=True)
    assert it.orthogonality_error(m) < 1e-5
    assert isinstance(m.cell.parametrizations.weight_hh[0], torch.nn.Module)


def test_initial_gradient_norm_matches_backward_of_the_same_loss():
    g = it.initial_gradient_norm("IRNN", 0, 10, n=4)
    model = it.build("IRNN", 0).double()
    batch = tasks.adding(4, 10, np.random.default_rng(0))
    models.loss_function("mse")(model(batch.x.double()), batch.y.double()).backward()
    expected = np.sqrt(sum(float(p.grad.norm()) ** 2 for p in model.parameters()))
    assert g == pytest.approx(expected, rel=1e-12) and g > 0
    assert it.initial_gradient_norm("IRNN", 0, 10, input_scale=0.0, n=4) < g


@pytest.mark.parametrize("call, match", [
    (lambda: it.Setup(T=1), "T"),
    (lambda: it.Setup(lr=0.0), "lr"),
    (lambda: it.Setup(clip=-1.0), "clip"),
    (lambda: it.Setup(steps=0), "steps"),
    (lambda: it.build("lstm", 0), "recipe"),
    (lambda: it.build("IRNN", -1), "seed"),
    (lambda: it.run("IRNN", 0, setup={"T": 5}), "setup"),
    (lambda: it.orthogonality_error(torch.nn.Linear(2, 2)), "model"),
    (lambda: it.initial_gradient_norm("IRNN", 0, 1), "T"),
    (lambda: it.initial_gradient_norm("IRNN", 0, 10, input_scale=-1.0), "input_scale"),
    (lambda: it.initial_gradient_norm("IRNN", 0, 10, n=0), "n"),
])
def test_bad_inputs_fail_naming_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
