"""The ridge readout (rnnlab.readout.fit_ridge) and the runner's train="ridge": the closed form of (eq-ridge) on the
very batches the fit drew, one-hot targets for classes, the history's shape, and what the runner accepts."""
import numpy as np
import pytest
import torch

from rnnlab import models, tasks, tasks_memory, train
from rnnlab.experiments import RunConfig, build_model, run
from rnnlab.readout import fit_ridge

QUIET = dict(progress=False)


def _model(H=20, D=1, n_outputs=1, seed=0, **kw):
    return models.RecurrentClassifier(D, H, n_outputs, seed=seed, dtype=torch.float64, **kw)


def _closed_form(model, task, steps, batch, T, seed, beta, targets):
    """(eq-ridge) written out on the stacked features of the same batches, in numpy."""
    rng, F, Y = np.random.default_rng(seed), [], []
    for _ in range(steps):
        b = task(batch, T, rng)
        with torch.no_grad():
            _, states = model(b.x.double(), return_states=True)
        F.append(states[-1].numpy())
        Y.append(targets(b.y))
    F = np.concatenate(F).T  # (H, M): one column per sample
    F1 = np.vstack([np.ones(F.shape[1]), F])  # (H + 1, M)
    Y = np.concatenate(Y).T  # (n_outputs, M)
    return Y @ F1.T @ np.linalg.inv(F1 @ F1.T + beta * np.eye(len(F1)))  # (n_outputs, H + 1)


@pytest.mark.parametrize("beta", [1e-6, 1e-1])
def test_the_fitted_readout_is_the_closed_form_on_the_batches_drawn(beta):
    model = _model()
    config = train.TrainConfig(steps=7, batch_size=16, eval_every=3, seed=5, **QUIET)
    fit_ridge(model, tasks_memory.recall, config, 4, "mse", beta=beta)
    W = _closed_form(_model(), tasks_memory.recall, 7, 16, 4, 5, beta, lambda y: y.double().numpy())
    fitted = np.hstack([model.readout.bias.detach().numpy()[:, None], model.readout.weight.detach().numpy()])
    assert np.abs(fitted - W).max() <= 1e-8 * np.abs(W).max()


def test_classes_are_fitted_as_one_hot_rows_and_a_visible_class_is_read_perfectly():
    model = _model(n_outputs=2)
    config = train.TrainConfig(steps=5, batch_size=32, eval_every=5, **QUIET)
    evaluation = tasks.first_bit(200, 1, np.random.default_rng(1))
    history = fit_ridge(model, tasks.first_bit, config, 1, "cross_entropy", evaluation, beta=1e-3)
    W = _closed_form(_model(n_outputs=2), tasks.first_bit, 5, 32, 1, 0, 1e-3,
                     lambda y: np.eye(2)[y.numpy()])
    fitted = np.hstack([model.readout.bias.detach().numpy()[:, None], model.readout.weight.detach().numpy()])
    assert np.abs(fitted - W).max() <= 1e-8 * np.abs(W).max()
    assert history.eval_metric[-1] == 1.0  # T = 1: the class is the input itself


def test_the_history_has_a_loss_per_batch_and_an_evaluation_per_interval_but_no_gradient():
    config = train.TrainConfig(steps=10, batch_size=8, eval_every=4, **QUIET)
    evaluation = tasks_memory.recall(50, 3, np.random.default_rng(2))
    history = fit_ridge(_model(), tasks_memory.recall, config, 3, "mse", evaluation)
    assert history.steps == list(range(1, 11)) and len(history.loss) == 10
    assert history.eval_steps == [0, 4, 8, 10] and history.grad_norm == [] and history.diverged_at is None
    assert history.eval_metric[-1] < 0.05 * tasks_memory.RECALL_BASELINE < history.eval_metric[0]


def test_features_that_are_not_finite_stop_the_fit_and_keep_the_last_solution():
    model = _model()
    config = train.TrainConfig(steps=6, batch_size=8, eval_every=2, **QUIET)
    calls = []

    def task(n, T, rng):  # from the 4th batch on, the cell's W_hh is NaN: so are the features
        calls.append(n)
        if len(calls) == 4:
            with torch.no_grad():
                model.cell.weight_hh.fill_(np.nan)
        return tasks_memory.recall(n, T, rng)

    history = fit_ridge(model, task, config, 2, "mse")
    assert history.diverged_at == 4 and history.steps == [1, 2, 3, 4]
    assert torch.isfinite(model.readout.weight).all() and model.readout.weight.abs().sum() > 0


def test_the_runner_trains_any_model_s_readout_by_ridge_and_leaves_the_cell_as_it_was():
    config = RunConfig("recall", 3, cell="rnn", hidden=40, train="ridge", ridge=1e-6, steps=20, eval_every=10,
                       eval_size=200)
    record = run(config)
    assert record["solved"] and record["curve"][0] > record["threshold"] > record["curve"][-1]
    assert "ridge=1e-06" in config.key and "radius" not in config.key


def test_the_runner_runs_an_echo_state_network_whose_reservoir_stays_as_drawn():
    config = RunConfig("recall", 3, cell="esn", hidden=50, radius=0.9, leak=1.0, input_scale=0.1, train="ridge",
                       ridge=1e-6, steps=10, eval_every=5, eval_size=100)
    assert config.key.endswith("train=ridge,radius=0.9,leak=1.0,input_scale=0.1,ridge=1e-06")
    record = run(config)
    assert record["solved"] and record["steps_to_solve"] == 5 and len(record["grad_norms_init"]) == 3 + 20
    model, drawn = build_model(config), build_model(config)
    fit_ridge(model, tasks_memory.recall, config.train_config(), 3, "mse", beta=config.ridge)
    assert torch.equal(model.cell.W_hh, drawn.cell.W_hh) and torch.equal(model.cell.W_xh, drawn.cell.W_xh)
    assert not torch.equal(model.readout.weight, drawn.readout.weight)


@pytest.mark.parametrize("changes, message", [
    (dict(train="ridge"), "ridge=β"),
    (dict(ridge=1e-6), "ridge=β"),
    (dict(train="ridge", ridge=-1.0), "ridge"),
    (dict(train="ridge", ridge=1e-6, clip=1.0), "no gradient to clip"),
    (dict(radius=0.9), "cell='esn'"),
    (dict(cell="esn", train="ridge", ridge=1e-6), "spectral radius and leaking rate"),
    (dict(cell="esn", train="ridge", ridge=1e-6, radius=0.9, leak=0.0), "leak"),
    (dict(cell="esn", train="ridge", ridge=1e-6, radius=0.9, leak=1.5), "leak"),
    (dict(cell="esn", radius=0.9, leak=1.0), "only its readout is trained"),
])
def test_bad_reservoir_and_ridge_settings_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        RunConfig("recall", 3, **changes)
