"""Tests of rnnlab.train: the Chapter 1 experiment in miniature, determinism, clipping, divergence."""
import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from rnnlab import tasks
from rnnlab.models import RecurrentClassifier, WindowMLP
from rnnlab.train import History, TrainConfig, evaluate, train

QUIET = dict(progress=False)


def _flat(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def test_chapter1_window_model_at_chance_rnn_learns_the_first_bit():
    T = 20
    held_out = tasks.first_bit(2000, T, np.random.default_rng(1_000))
    config = TrainConfig(steps=200, batch_size=64, lr=1e-2, seed=0, eval_every=50, **QUIET)
    window = WindowMLP(window=5, input_size=1, hidden_size=32, n_outputs=2, seed=0)
    train(window, tasks.first_bit, config, T, eval_batch=held_out)
    rnn = RecurrentClassifier(input_size=1, hidden_size=32, n_outputs=2, cell="rnn", seed=0)
    history = train(rnn, tasks.first_bit, config, T, eval_batch=held_out)
    assert 0.40 <= evaluate(window, held_out) <= 0.60
    assert evaluate(rnn, held_out) >= 0.95
    assert history.eval_metric[-1] == evaluate(rnn, held_out)
    assert history.diverged_at is None


def test_same_config_and_model_seed_give_identical_history():
    held_out = tasks.first_bit(50, 10, np.random.default_rng(9))
    config = TrainConfig(steps=25, batch_size=8, lr=1e-2, clip=0.5, seed=4, eval_every=10, **QUIET)
    runs = [train(RecurrentClassifier(1, 6, 2, seed=2), tasks.first_bit, config, 10, eval_batch=held_out)
            for _ in range(2)]
    assert runs[0] == runs[1]
    other = train(RecurrentClassifier(1, 6, 2, seed=2), tasks.first_bit,
                  dataclasses.replace(config, seed=5), 10, eval_batch=held_out)
    assert other.loss != runs[0].loss


def test_history_records_every_step_and_the_evaluations():
    held_out = tasks.adding(40, 6, np.random.default_rng(0))
    config = TrainConfig(steps=12, batch_size=4, eval_every=5, **QUIET)
    model = RecurrentClassifier(2, 4, 1)
    history = train(model, tasks.adding, config, 6, loss="mse", eval_batch=held_out)
    assert isinstance(history, History) and history.metric == "mse"
    assert history.steps == list(range(1, 13))
    assert len(history.loss) == len(history.grad_norm) == len(history.clipped) == 12
    assert history.clipped == [False] * 12  # no clipping configured
    assert history.eval_steps == [0, 5, 10, 12]
    assert history.eval_metric[-1] == evaluate(model, held_out, loss="mse")  # scored after the last step


def test_sgd_step_without_clipping_applies_the_logged_gradient():
    """One plain SGD step moves θ by lr·g, so ‖Δθ‖/lr is the logged norm."""
    model = RecurrentClassifier(1, 5, 2, seed=0, dtype=torch.float64)
    before = _flat(model)
    history = train(model, tasks.first_bit, TrainConfig(steps=1, lr=0.1, optimizer="sgd", **QUIET), 8)
    applied = ((_flat(model) - before).norm() / 0.1).item()
    assert applied == pytest.approx(history.grad_norm[0], rel=1e-6)


def test_clipping_caps_the_applied_update():
    clip, lr = 0.05, 0.1
    pre_clip = []
    for seed in range(5):
        model = RecurrentClassifier(1, 5, 2, seed=seed, dtype=torch.float64)
        before = _flat(model)
        config = TrainConfig(steps=1, lr=lr, optimizer="sgd", clip=clip, seed=seed, **QUIET)
        history = train(model, tasks.first_bit, config, 8)
        applied = ((_flat(model) - before).norm() / lr).item()  # norm of the gradient actually used
        assert applied <= clip + 1e-6
        assert history.clipped[0] == (history.grad_norm[0] > clip)
        if not history.clipped[0]:
            assert applied == pytest.approx(history.grad_norm[0], rel=1e-6)
        pre_clip.append(history.grad_norm[0])
    assert max(pre_clip) > clip  # the logged norms are from before clipping


def test_divergence_stops_training_without_raising():
    model = RecurrentClassifier(2, 8, 1, seed=0)
    config = TrainConfig(steps=50, lr=1e3, optimizer="sgd", **QUIET)
    history = train(model, tasks.adding, config, 10, loss="mse")
    assert history.diverged_at is not None and history.diverged_at < 50
    assert history.steps[-1] == history.diverged_at == len(history.loss)
    assert not (np.isfinite(history.loss[-1]) and np.isfinite(history.grad_norm[-1]))
    assert np.all(np.isfinite(history.loss[:-1]))


def test_evaluate_accuracy_and_mse_baselines():
    class Constant(nn.Module):
        def __init__(self, value):
            super().__init__()
            self.value = torch.tensor(value)

        def forward(self, x):
            return self.value.expand(x.shape[0], -1)  # (N, K)

    first = tasks.first_bit(4000, 5, np.random.default_rng(0))
    assert evaluate(Constant([0.0, 1.0]), first) == pytest.approx(first.y.double().mean().item())
    assert 0.47 < evaluate(Constant([0.0, 1.0]), first) < 0.53
    adding = tasks.adding(20_000, 10, np.random.default_rng(0))
    assert evaluate(Constant([1.0]), adding, loss="mse") == pytest.approx(1 / 6, abs=0.01)
    with pytest.raises(ValueError, match="loss must be one of"):
        evaluate(Constant([1.0]), adding, loss="hinge")


def test_progress_bar_only_when_asked(capsys, monkeypatch):
    def run(progress):
        train(WindowMLP(2, 1, 3, 2), tasks.first_bit, TrainConfig(steps=3, progress=progress), 4)
        return capsys.readouterr()

    quiet = run(False)
    assert quiet.out == "" and quiet.err == ""
    monkeypatch.setenv("RNNLAB_PROGRESS", "0")
    quiet = run(None)
    assert quiet.out == "" and quiet.err == ""
    shown = run(True)
    assert "training" in shown.err
    monkeypatch.setenv("RNNLAB_PROGRESS", "1")
    assert "training" in run(None).err


@pytest.mark.parametrize("kwargs, match", [
    (dict(steps=0), "steps"),
    (dict(batch_size=0), "batch_size"),
    (dict(lr=0.0), "lr must be positive"),
    (dict(lr=float("nan")), "lr"),
    (dict(optimizer="rmsprop"), "optimizer must be one of"),
    (dict(clip=0.0), "clip"),
    (dict(clip=-1.0), "clip"),
    (dict(seed=-1), "seed"),
    (dict(eval_every=0), "eval_every"),
    (dict(progress="yes"), "progress"),
    (dict(weight_decay=-0.1), "weight_decay must be at least 0"),
    (dict(weight_decay=float("nan")), "weight_decay"),
])
def test_config_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kwargs)


def test_train_validation():
    model, config = WindowMLP(2, 1, 3, 2), TrainConfig(steps=1, **QUIET)
    with pytest.raises(ValueError, match="TrainConfig"):
        train(model, tasks.first_bit, {"steps": 1}, 4)
    with pytest.raises(ValueError, match="task must be a function"):
        train(model, "first_bit", config, 4)
    with pytest.raises(ValueError, match="T"):
        train(model, tasks.first_bit, config, 0)
    with pytest.raises(ValueError, match="loss must be one of"):
        train(model, tasks.first_bit, config, 4, loss="hinge")
    with pytest.raises(ValueError, match="eval_batch"):
        train(model, tasks.first_bit, config, 4, eval_batch=(1, 2))
    with pytest.raises(ValueError, match="window=2 needs"):
        train(model, tasks.first_bit, config, 1)


def test_weight_decay_adds_lambda_theta_to_the_sgd_step():
    """SGD with weight decay λ moves θ by −lr (g + λθ); λ = 0 (the default) is the old step exactly."""
    steps = {}
    for wd in (0.0, 0.5):
        model = RecurrentClassifier(1, 5, 2, seed=0, dtype=torch.float64)
        before = _flat(model)
        config = TrainConfig(steps=1, lr=0.1, optimizer="sgd", weight_decay=wd, **QUIET)
        train(model, tasks.first_bit, config, 8)
        steps[wd] = _flat(model) - before
    assert TrainConfig().weight_decay == 0.0
    torch.testing.assert_close(steps[0.5] - steps[0.0], -0.1 * 0.5 * before, rtol=1e-12, atol=1e-14)


def test_every_step_models_train_and_are_scored_by_their_loss():
    task, T = tasks.copy_memory, 2
    model = RecurrentClassifier(10, 8, 10, cell="gru", seed=0, dtype=torch.float64, every_step=True)
    held_out = task(64, T, np.random.default_rng(99))
    config = TrainConfig(steps=30, batch_size=16, lr=1e-2, eval_every=10, **QUIET)
    history = train(model, task, config, T, eval_batch=held_out, score="loss")
    assert history.metric == "cross_entropy" and history.eval_steps == [0, 10, 20, 30]
    assert history.eval_metric[-1] == evaluate(model, held_out, score="loss")
    with torch.no_grad():
        loss = nn.functional.cross_entropy(model(held_out.x).transpose(1, 2), held_out.y).item()
    assert history.eval_metric[-1] == pytest.approx(loss, rel=1e-14)
    assert history.eval_metric[-1] < history.eval_metric[0]
    accuracy = evaluate(model, held_out)  # over all N·T outputs
    with torch.no_grad():
        hits = (model(held_out.x).argmax(dim=2) == held_out.y).double().mean().item()
    assert accuracy == hits and 0.5 < accuracy <= 1.0  # the T + 10 blanks are easy


def test_score_loss_of_a_regression_task_is_its_mse_and_score_is_validated():
    model = RecurrentClassifier(2, 4, 1, seed=0)
    batch = tasks.adding(50, 6, np.random.default_rng(0))
    assert evaluate(model, batch, loss="mse", score="loss") == evaluate(model, batch, loss="mse")
    with pytest.raises(ValueError, match="score must be None"):
        evaluate(model, batch, loss="mse", score="accuracy")
    with pytest.raises(ValueError, match="score must be None"):
        train(model, tasks.adding, TrainConfig(steps=1, **QUIET), 6, loss="mse", score=["loss"])
    history = train(model, tasks.adding, TrainConfig(steps=1, **QUIET), 6, loss="mse", score="loss")
    assert history.metric == "mse"


# --- Pascanu et al.'s Ω in training (TrainConfig.omega) ---------------------------------------------------

def _one_sgd_step(omega, clip=None, seed=0):
    model = RecurrentClassifier(8, 6, 4, seed=seed, dtype=torch.float64)
    before = [p.detach().clone() for p in model.parameters()]
    config = TrainConfig(steps=1, batch_size=5, lr=0.1, optimizer="sgd", omega=omega, clip=clip, seed=seed, **QUIET)
    history = train(model, tasks.temporal_order, config, 12)
    return model, before, history


def test_omega_adds_alpha_times_its_immediate_derivative_to_w_hh_only():
    """One SGD step with Ω weight α moves W_hh by −lr (∂L/∂W_hh + α ∂⁺Ω/∂W_hh), every other parameter as without Ω.

    The reference is built independently: the batch of the step, the states and ∂L/∂h_t from autograd, and
    ∂⁺Ω/∂W_hh by central differences of regularizers.omega_penalty with dh and h held fixed.
    """
    from rnnlab.regularizers import omega_penalty

    plain, before, _ = _one_sgd_step(0.0)
    reg, _, _ = _one_sgd_step(2.0)
    names = [n for n, _ in plain.named_parameters()]
    for name, p0, p1 in zip(names, plain.parameters(), reg.parameters()):
        if name != "cell.weight_hh":
            torch.testing.assert_close(p1, p0, rtol=0, atol=0)
    model = RecurrentClassifier(8, 6, 4, seed=0, dtype=torch.float64)
    batch = tasks.temporal_order(5, 12, np.random.default_rng(0))
    out, states = model(batch.x, return_states=True)
    torch.nn.functional.cross_entropy(out, batch.y).backward()
    h = torch.stack([s.detach() for s in states])
    dh = torch.stack([s.grad for s in states])
    W = model.cell.weight_hh.detach().clone()
    fd = torch.zeros_like(W)
    for i in range(6):
        for j in range(6):
            E = torch.zeros_like(W)
            E[i, j] = 1e-6
            fd[i, j] = (omega_penalty(dh, h, W + E) - omega_penalty(dh, h, W - E)) / 2e-6
    expected = plain.cell.weight_hh.detach() - 0.1 * 2.0 * fd
    torch.testing.assert_close(reg.cell.weight_hh.detach(), expected, rtol=0, atol=1e-9)


def test_omega_enters_the_clipped_norm():
    """As in the authors' RNN.py, α ∂⁺Ω/∂W_hh is added before clipping: the logged norm includes it."""
    _, _, plain = _one_sgd_step(0.0, clip=1e-3)
    _, _, reg = _one_sgd_step(50.0, clip=1e-3)
    assert reg.grad_norm[0] != plain.grad_norm[0] and reg.clipped == [True]


def test_omega_is_refused_where_it_is_not_defined():
    config = TrainConfig(steps=1, omega=1.0, **QUIET)
    for model in (RecurrentClassifier(1, 4, 2, cell="lstm"), RecurrentClassifier(1, 4, 2, nonlinearity="relu"),
                  WindowMLP(2, 1, 3, 2)):
        with pytest.raises(ValueError, match="needs a tanh RNN"):
            train(model, tasks.first_bit, config, 4)
    frozen = RecurrentClassifier(1, 4, 2)
    frozen.cell.requires_grad_(False)
    with pytest.raises(ValueError, match="does not require grad"):
        train(frozen, tasks.first_bit, config, 4)
    with pytest.raises(ValueError, match="cannot be combined with truncate"):
        TrainConfig(omega=1.0, truncate=2)
    for bad, match in ((-1.0, "omega must be at least 0"), (float("nan"), "omega"), ("4", "omega")):
        with pytest.raises(ValueError, match=match):
            TrainConfig(omega=bad)
    assert TrainConfig().omega == 0.0
