"""Bad calls to every public library function fail loudly, with a message that names the argument.

One row per bad call: what is called, the exception, and a pattern the message must contain (the argument's
name and what was expected). Rows marked "silent" once returned a wrong answer instead of raising: complex
input lost its imaginary part, None became NaN, a classification loss on regression targets was 0, an
(N, 1) output broadcast against (N,) targets into (N, N), a length-0 sequence returned the readout bias.
"""
import importlib
import math
import os
import pkgutil
import warnings

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import rnnlab
from rnnlab import (_validate, activations, attention, bidirectional, blanks, bpdc, clipping, esn, execute, flow,
                    flow_plot, flow_spectrum, gradcheck, gru, init, lru, lstm, lstm_jacobian, ltrnn, models,
                    plotting, readout, regularizers, reservoir, reservoir_torch, rnn, scan, scan_torch, seeds,
                    series, spectral, tasks, tasks_memory, train, widgets)
from rnnlab import graphs, lsm, trees
from rnnlab.experiments import cluster, config, errors, locking, parallel, pool, registry, runner, store, sweeps

N, T, D, H = 2, 3, 2, 3
RNG = np.random.default_rng


def _params(**changes):
    """Valid arguments of rnn_forward, with ``changes`` applied."""
    p = dict(x=np.ones((N, T, D)), h0=np.zeros((N, H)), W_xh=0.1 * np.ones((H, D)), W_hh=0.5 * np.eye(H),
             b=np.zeros(H))
    return {**p, **changes}


_, CACHE = rnn.rnn_forward(**_params())
_, STEP_CACHE = rnn.rnn_step_forward(np.ones((N, D)), np.zeros((N, H)), 0.1 * np.ones((H, D)), np.eye(H),
                                     np.zeros(H))
GRADS = rnn.rnn_backward(np.ones((N, T, H)), CACHE)
FIRST = tasks.first_bit(8, 4, RNG(0))
ADDING = tasks.adding(8, 4, RNG(0))
QUIET = train.TrainConfig(steps=2, progress=False)
SCAN_A = np.full((3, 2), 0.5)  # a valid a (or b) of shape (T, d) = (3, 2)
SCAN_PAIR = (np.ones(2), np.zeros(2))
ESN_GEN = esn.Generator(np.zeros((2, 2)), np.ones((2, 2)), np.ones((1, 4)), 1.0)  # a valid esn.Generator


def _classifier(n_outputs=2, input_size=1):
    return models.RecurrentClassifier(input_size, 4, n_outputs, seed=0)


def _as_regression(n, T_, rng):
    """first_bit with float targets of shape (N,): a regression task whose y lacks the output axis."""
    batch = tasks.first_bit(n, T_, rng)
    return tasks.Batch(batch.x, batch.y.float())


def _explorer(**changes):
    slider = widgets.Slider("w", "w", 0.0, 1.0, 0.1, 0.5)
    args = dict(compute=lambda w: w, draw=lambda fig, result, params: None, sliders=[slider], main="w")
    return widgets.Explorer(**{**args, **changes})


def _with_env(value, call):
    old = os.environ.get(seeds.ENV)
    os.environ[seeds.ENV] = value
    try:
        return call()
    finally:
        if old is None:
            del os.environ[seeds.ENV]
        else:
            os.environ[seeds.ENV] = old


ELEMENTWISE = [activations.sigmoid, activations.sigmoid_prime, activations.tanh, activations.tanh_prime,
               activations.relu, activations.relu_prime, activations.leaky_relu, activations.leaky_relu_prime,
               activations.linear, activations.linear_prime]
ELEMENTWISE_CASES = [
    (np.array([1.0 + 2.0j, 0.5]), "a must hold real numbers, not complex"),  # silent: imaginary part dropped
    (None, "a must be an array of numbers; got None"),  # silent: None became NaN
    ([1.0, None], "a must be an array of numbers; got None in it"),  # silent: NaN
    (np.array([True, False]), "a must be an array of numbers, not of booleans"),  # silent: read as 1, 0
    ("1.5", "a must be an array of numbers"),  # silent: text read as a number
    (torch.ones(2, requires_grad=True), r"a is a torch tensor that requires grad; pass a.detach\(\)"),
    ([[1.0], [1.0, 2.0]], "a must be an array of numbers"),
]
ROWS = [pytest.param(lambda f=f, a=a: f(a), ValueError, m, id=f"{f.__name__}-{i}")
        for f in ELEMENTWISE for i, (a, m) in enumerate(ELEMENTWISE_CASES)]

ROWS += [pytest.param(call, exc, match, id=name) for name, exc, match, call in [
    # --- activations ---------------------------------------------------------------------------------------
    ("leaky_relu-slope-bool", ValueError, "slope must be a finite", lambda: activations.leaky_relu(1.0, slope=True)),
    ("leaky_relu_prime-slope", ValueError, "slope must be at most",
     lambda: activations.leaky_relu_prime(1.0, slope=2.0)),
    ("Activation-f", ValueError, "Activation f must be a function",
     lambda: activations.Activation("x", 1, activations.tanh_prime, 1.0)),
    ("Activation-gamma-nan", ValueError, "Activation gamma",
     lambda: activations.Activation("x", np.tanh, np.tanh, math.nan)),
    ("Activation-name", ValueError, "Activation name", lambda: activations.Activation("", np.tanh, np.tanh, 1.0)),
    ("get_activation-list", ValueError, "activation must be one of", lambda: activations.get_activation(["tanh"])),
    ("steps_until_below-nan", ValueError, "eps must be a finite", lambda: activations.steps_until_below(0.5, math.nan)),
    ("steps_until_below-bool", ValueError, "gamma must be a finite", lambda: activations.steps_until_below(True, 0.1)),
    # --- rnn ---------------------------------------------------------------------------------------------
    ("rnn_forward-complex-x", ValueError, "x must hold real numbers, not complex",
     lambda: rnn.rnn_forward(**_params(x=np.ones((N, T, D)) * (1 + 1j)))),  # silent: imaginary part dropped
    ("rnn_forward-complex-W_hh", ValueError, "W_hh must hold real numbers",
     lambda: rnn.rnn_forward(**_params(W_hh=np.eye(H) * 1j))),  # silent
    ("rnn_forward-None-x", ValueError, "x must be an array of numbers; got None",
     lambda: rnn.rnn_forward(**_params(x=None))),
    ("rnn_forward-bool-x", ValueError, "x must be an array of numbers, not of booleans",
     lambda: rnn.rnn_forward(**_params(x=np.ones((N, T, D), bool)))),
    ("rnn_forward-H0", ValueError, r"h0 must have shape \(N, H\) with N ≥ 1 sequences and H ≥ 1",
     lambda: rnn.rnn_forward(**_params(h0=np.zeros((N, 0)), W_xh=np.zeros((0, D)), W_hh=np.zeros((0, 0)),
                                       b=np.zeros(0)))),  # silent: an empty result
    ("rnn_forward-N0", ValueError, "h0 must have shape",
     lambda: rnn.rnn_forward(**_params(x=np.ones((0, T, D)), h0=np.zeros((0, H))))),
    ("rnn_forward-T0", ValueError, r"x must have at least one time step",
     lambda: rnn.rnn_forward(**_params(x=np.ones((N, 0, D))))),
    ("rnn_forward-grad", ValueError, "W_hh is a torch tensor that requires grad",
     lambda: rnn.rnn_forward(**_params(W_hh=torch.eye(H, requires_grad=True)))),
    ("rnn_forward-activation", ValueError, "activation must be one of",
     lambda: rnn.rnn_forward(**_params(), activation="softmax")),
    ("check_params-b", ValueError, r"b must have shape \(H,\)",
     lambda: rnn.check_params("x", np.ones((N, T, D)), "h0", np.zeros((N, H)), np.ones((H, D)), np.eye(H),
                              np.zeros(2))),
    ("rnn_step_forward-complex", ValueError, "x_t must hold real numbers",
     lambda: rnn.rnn_step_forward(np.ones((N, D)) * 1j, np.zeros((N, H)), np.ones((H, D)), np.eye(H),
                                  np.zeros(H))),  # silent
    ("rnn_step_forward-H0", ValueError, "h_prev must have shape",
     lambda: rnn.rnn_step_forward(np.ones((N, D)), np.zeros((N, 0)), np.ones((0, D)), np.zeros((0, 0)), np.zeros(0))),
    ("rnn_step_backward-Cache", ValueError, "cache must be the StepCache that rnn_step_forward returns",
     lambda: rnn.rnn_step_backward(np.ones((N, H)), CACHE)),
    ("rnn_step_backward-None", ValueError, "cache must be the StepCache",
     lambda: rnn.rnn_step_backward(np.ones((N, H)), None)),
    ("rnn_step_backward-shapes", ValueError, r"cache.W_hh must have shape \(H, H\) = \(3, 3\); got \(4, 4\)",
     lambda: rnn.rnn_step_backward(np.ones((N, H)), STEP_CACHE._replace(W_hh=np.eye(4)))),
    ("rnn_step_backward-dh_t", ValueError, "dh_t must hold real numbers",
     lambda: rnn.rnn_step_backward(np.ones((N, H)) * 1j, STEP_CACHE)),
    ("rnn_backward-StepCache", ValueError, "cache must be the Cache that rnn_forward returns",
     lambda: rnn.rnn_backward(np.ones((N, T, H)), STEP_CACHE)),
    ("rnn_backward-tuple", ValueError, "cache must be the Cache",
     lambda: rnn.rnn_backward(np.ones((N, T, H)), tuple(CACHE))),
    ("rnn_backward-shapes", ValueError, r"cache.a must have shape \(N, T, H\) = \(2, 3, 3\)",
     lambda: rnn.rnn_backward(np.ones((N, T, H)), CACHE._replace(a=np.ones((N, T + 1, H))))),
    ("rnn_backward-activation", ValueError, "cache.activation must be an Activation",
     lambda: rnn.rnn_backward(np.ones((N, T, H)), CACHE._replace(activation="tanh"))),
    ("rnn_backward-dh-complex", ValueError, "dh must hold real numbers",
     lambda: rnn.rnn_backward(np.ones((N, T, H)) * 1j, CACHE)),  # silent
    ("rnn_backward-truncate", ValueError, "truncate must be an integer",
     lambda: rnn.rnn_backward(np.ones((N, T, H)), CACHE, truncate=2.0)),
    ("bptt_contributions-StepCache", ValueError, "cache must be the Cache",
     lambda: rnn.bptt_contributions(np.ones((N, H)), STEP_CACHE)),
    ("bptt_contributions-dh_T", ValueError, r"dh_T must have shape \(N, H\)",
     lambda: rnn.bptt_contributions(np.ones((N, T, H)), CACHE)),
    ("step_jacobians-None", ValueError, "cache must be the Cache that rnn_forward returns",
     lambda: rnn.step_jacobians(None)),
    ("step_jacobians-shapes", ValueError, r"cache.W_hh must have shape \(H, H\)",
     lambda: rnn.step_jacobians(CACHE._replace(W_hh=np.ones((H, H + 1))))),
    # --- spectral ----------------------------------------------------------------------------------------
    ("spectral_radius-complex", ValueError, "W must hold real numbers",
     lambda: spectral.spectral_radius(np.eye(2) * 1j)),  # silent
    ("spectral_radius-H0", ValueError, r"W must be square \(H, H\) with H ≥ 1",
     lambda: spectral.spectral_radius(np.zeros((0, 0)))),
    ("singular_values-empty", ValueError, "W must have at least one row and one column",
     lambda: spectral.singular_values(np.zeros((3, 0)))),  # silent: []
    ("max_singular_value-H0", ValueError, "W must have at least one row",
     lambda: spectral.max_singular_value(np.zeros((0, 0)))),
    ("max_singular_value-None", ValueError, "W must be an array of numbers; got None",
     lambda: spectral.max_singular_value(None)),
    ("gaussian-H0", ValueError, "H must be at least 1", lambda: spectral.gaussian(0, RNG(0))),
    ("gaussian-rng", ValueError, "rng must be a numpy Generator", lambda: spectral.gaussian(3, 0)),
    ("orthogonal-H-float", ValueError, "H must be an integer", lambda: spectral.orthogonal(3.0, RNG(0))),
    ("with_spectral_radius-rho", ValueError, "rho must be a finite number",
     lambda: spectral.with_spectral_radius(3, math.inf, RNG(0))),
    ("with_singular_values-complex", ValueError, "s must hold real numbers",
     lambda: spectral.with_singular_values([1 + 1j, 2.0], RNG(0))),
    ("nonnormal-rng", ValueError, "rng must be a numpy Generator", lambda: spectral.nonnormal(3, 0.5, 0.5, None)),
    ("jacobian_product_norms-complex", ValueError, "J must hold real numbers",
     lambda: spectral.jacobian_product_norms(np.ones((2, 3, 3)) * 1j)),  # silent
    ("jacobian_product_norms-bool", ValueError, "J must be an array of numbers, not of booleans",
     lambda: spectral.jacobian_product_norms(np.ones((2, 3, 3), bool))),  # silent: read as 1
    ("jacobian_product_norms-H0", ValueError, r"J must have shape \(..., T, H, H\)",
     lambda: spectral.jacobian_product_norms(np.ones((2, 0, 0)))),
    ("jacobian_product_norms-grad", ValueError, "J is a torch tensor that requires grad",
     lambda: spectral.jacobian_product_norms(torch.ones(2, 3, 3, requires_grad=True))),
    ("power_norms-H0", ValueError, "W must be square", lambda: spectral.power_norms(np.zeros((0, 0)), 3)),
    ("power_norms-n_max", ValueError, "n_max must be an integer", lambda: spectral.power_norms(np.eye(2), 1.5)),
    ("with_eigenvalues-bool", ValueError, "lam must be an array of numbers, not of booleans",
     lambda: spectral.with_eigenvalues([True, False], RNG(0))),
    ("with_eigenvalues-None", ValueError, "lam must be an array of numbers; got None",
     lambda: spectral.with_eigenvalues([0.5, None], RNG(0))),
    # --- gradcheck ---------------------------------------------------------------------------------------
    ("numerical_gradient-f", ValueError, "f must be a function", lambda: gradcheck.numerical_gradient(3, np.ones(2))),
    ("numerical_gradient-f-complex", ValueError, "f must return one real number",
     lambda: gradcheck.numerical_gradient(lambda v: v.sum() * (1 + 1j), np.ones(2))),  # silent: imaginary part dropped
    ("numerical_gradient-f-array", ValueError, "f must return one real number",
     lambda: gradcheck.numerical_gradient(lambda v: v, np.ones(2))),
    ("numerical_gradient-x-int", ValueError, "x must be a float64 numpy array",
     lambda: gradcheck.numerical_gradient(np.sum, np.ones(2, int))),
    ("relative_error-text", ValueError, "a must be an array of numbers",
     lambda: gradcheck.relative_error("1", "2")),  # silent: 0.5
    ("relative_error-complex", ValueError, "a must hold real numbers",
     lambda: gradcheck.relative_error(np.array([1j]), np.array([0.0]))),  # silent
    ("relative_error-None", ValueError, "b must be an array of numbers; got None",
     lambda: gradcheck.relative_error(np.ones(1), None)),
    ("torch_activation-list", ValueError, "activation must be one of", lambda: gradcheck.torch_activation(["tanh"])),
    ("torch_rnn_gradients-complex", ValueError, "b must hold real numbers",
     lambda: gradcheck.torch_rnn_gradients(**_params(b=np.zeros(H) * 1j), dh=np.ones((N, T, H)))),
    ("torch_rnn_gradients-dh", ValueError, "dh must be an array of numbers",
     lambda: gradcheck.torch_rnn_gradients(**_params(), dh=None)),
    ("compare_gradients-shapes", ValueError, "ours.dx and reference.dx must have the same shape",
     lambda: gradcheck.compare_gradients(GRADS, GRADS._replace(dx=np.ones(3)))),
    ("max_relative_error-type", ValueError, "ours and reference must be Grads",
     lambda: gradcheck.max_relative_error(GRADS, None)),
    # --- tasks -------------------------------------------------------------------------------------------
    ("Batch-complex", ValueError, "Batch.x must hold real numbers",
     lambda: tasks.Batch(torch.ones(2, 3, 1, dtype=torch.complex64), torch.zeros(2))),  # silent: models cast it
    ("Batch-T0", ValueError, r"Batch.x must have shape \(N, T, D\) with N, T, D ≥ 1",
     lambda: tasks.Batch(torch.ones(2, 0, 1), torch.zeros(2))),
    ("Batch-nan", ValueError, "Batch.x contains NaN",
     lambda: tasks.Batch(torch.full((2, 3, 1), math.nan), torch.zeros(2))),
    ("Batch-y-3d", ValueError, "Batch.y must have one row per sequence",
     lambda: tasks.Batch(torch.ones(2, 3, 1), torch.zeros(2, 1, 1))),
    ("first_bit-n", ValueError, r"n \(number of sequences\) must be an integer",
     lambda: tasks.first_bit(True, 3, RNG(0))),
    ("adding-rng", ValueError, "rng must be a numpy Generator", lambda: tasks.adding(2, 4, None)),
    # --- models ------------------------------------------------------------------------------------------
    ("WindowMLP-dtype", ValueError, "dtype must be a torch floating-point dtype",
     lambda: models.WindowMLP(1, 1, 4, 2, dtype=torch.int64)),
    ("WindowMLP-seed", ValueError, "seed must be at most", lambda: models.WindowMLP(1, 1, 4, 2, seed=2**70)),
    ("WindowMLP-forward-complex", ValueError, "x must hold real numbers",
     lambda: models.WindowMLP(1, 1, 4, 2)(torch.ones(2, 3, 1, dtype=torch.complex64))),  # silent
    ("WindowMLP-forward-N0", ValueError, r"x must hold at least one sequence \(N ≥ 1\)",
     lambda: models.WindowMLP(1, 1, 4, 2)(torch.ones(0, 3, 1))),
    ("RecurrentClassifier-forward-T0", ValueError, r"at least one step \(T ≥ 1\)",
     lambda: _classifier()(torch.ones(2, 0, 1))),  # silent: bias
    ("RecurrentClassifier-forward-bool", ValueError, "x must hold real numbers",
     lambda: _classifier()(torch.ones(2, 3, 1, dtype=torch.bool))),
    ("RecurrentClassifier-forward-truncate", ValueError, "truncate must be at least 1",
     lambda: _classifier()(torch.ones(2, 3, 1), truncate=0)),
    ("ltrnn.LinearTransitionCell-size", ValueError, "hidden_size must be",
     lambda: ltrnn.LinearTransitionCell(2, 0)),
    ("ltrnn.LinearTransitionCell-dtype", ValueError, "dtype must be a torch floating-point",
     lambda: ltrnn.LinearTransitionCell(2, 3, dtype=torch.int64)),
    ("ltrnn.LinearTransitionCell-forward-shape", ValueError, r"x and h must be tensors of shapes \(N, D = 2\)",
     lambda: ltrnn.LinearTransitionCell(2, 3)(torch.ones(4, 3), torch.zeros(4, 3))),
    ("RecurrentClassifier-cell-list", ValueError, "cell must be one of",
     lambda: models.RecurrentClassifier(1, 4, 2, cell=["rnn"])),
    ("RecurrentClassifier-dtype", ValueError, "dtype must be a torch floating-point",
     lambda: models.RecurrentClassifier(1, 4, 2, dtype="float64")),
    ("loss_function-list", ValueError, "loss must be one of", lambda: models.loss_function(["mse"])),
    ("loss_function-mse-broadcast", ValueError, r"loss='mse' needs targets y of the outputs' shape",
     lambda: models.loss_function("mse")(torch.ones(4, 1), torch.ones(4))),  # silent: (N, N)
    ("loss_function-ce-regression", ValueError, r"loss='cross_entropy' needs a model with n_outputs ≥ 2",
     lambda: models.loss_function("cross_entropy")(torch.ones(4, 1), torch.ones(4, 1))),  # silent: loss 0
    ("loss_function-ce-range", ValueError, "y holds class indices from 0 to 3",
     lambda: models.loss_function("cross_entropy")(torch.ones(4, 2), torch.tensor([0, 1, 2, 3]))),
    ("check_targets-numpy", ValueError, "y must be a torch tensor",
     lambda: models.check_targets("mse", torch.ones(2, 1), np.ones((2, 1)))),
    ("check_targets-loss", ValueError, "loss must be one of",
     lambda: models.check_targets("hinge", torch.ones(2, 1), torch.ones(2, 1))),
    ("hidden_gradient_norms-model", ValueError, "model must be recurrent",
     lambda: models.hidden_gradient_norms("model", FIRST)),
    ("hidden_gradient_norms-ce-regression", ValueError, "loss='cross_entropy' needs a model with n_outputs ≥ 2",
     lambda: models.hidden_gradient_norms(_classifier(1, 2), ADDING)),  # silent: zero norms
    ("hidden_gradient_norms-mse-broadcast", ValueError, r"loss='mse' needs targets y",
     lambda: models.hidden_gradient_norms(_classifier(1), _as_regression(4, 3, RNG(0)), "mse")),  # silent
    ("hidden_gradient_norms-loss_fn", ValueError, "loss_fn must return the loss as a scalar torch tensor",
     lambda: models.hidden_gradient_norms(_classifier(), FIRST, lambda o, y: 3.0)),
    # --- train -------------------------------------------------------------------------------------------
    ("TrainConfig-lr-bool", ValueError, "lr must be a finite number", lambda: train.TrainConfig(lr=True)),
    ("TrainConfig-optimizer-list", ValueError, "optimizer must be one of",
     lambda: train.TrainConfig(optimizer=["adam"])),
    ("TrainConfig-seed", ValueError, "seed must be an integer", lambda: train.TrainConfig(seed=1.5)),
    ("TrainConfig-truncate", ValueError, "truncate must be an integer", lambda: train.TrainConfig(truncate=2.0)),
    ("History-metric", ValueError, "metric must be one of", lambda: train.History(metric="acc")),
    ("evaluate-model", ValueError, r"model must be a torch.nn.Module", lambda: train.evaluate("model", FIRST)),
    ("evaluate-ce-regression", ValueError, "loss='cross_entropy' needs a model with n_outputs ≥ 2",
     lambda: train.evaluate(_classifier(1, 2), ADDING)),  # silent: accuracy of a regression
    ("evaluate-ce-broadcast", ValueError, r"loss='cross_entropy' needs y of class indices",
     lambda: train.evaluate(_classifier(), tasks.Batch(FIRST.x, FIRST.y[:, None]))),  # silent: (N,) == (N, 1) is (N, N)
    ("evaluate-mse-broadcast", ValueError, r"loss='mse' needs targets y",
     lambda: train.evaluate(_classifier(1), _as_regression(4, 3, RNG(0)), loss="mse")),  # silent
    ("fraction_within-classifier", ValueError, r"fraction_within needs one output per sequence, shape \(N, 1\)",
     lambda: train.fraction_within(_classifier(), FIRST, 0.04)),  # silent: |class scores − index| broadcast
    ("fraction_within-tolerance", ValueError, "tolerance must be",
     lambda: train.fraction_within(_classifier(1), ADDING, 0.0)),  # silent: 0 sequences correct, whatever the model
    ("train-ce-regression", ValueError, "loss='cross_entropy' needs a model with n_outputs ≥ 2",
     lambda: train.train(_classifier(1, 2), tasks.adding, QUIET, 4)),  # silent: trained on a zero loss
    ("train-ce-regression-2-outputs", ValueError, "loss='cross_entropy' needs y of class indices",
     lambda: train.train(_classifier(2, 2), tasks.adding, QUIET, 4)),
    ("train-mse-broadcast", ValueError, r"loss='mse' needs targets y",
     lambda: train.train(_classifier(1), _as_regression, QUIET, 4, loss="mse")),  # silent: (N, 1) − (N,) is (N, N)
    ("train-model", ValueError, r"model must be a torch.nn.Module",
     lambda: train.train("model", tasks.first_bit, QUIET, 4)),
    ("train-truncate-window", ValueError, "truncate=2 needs a recurrent model whose forward takes truncate=",
     lambda: train.train(models.WindowMLP(2, 1, 4, 2), tasks.first_bit, train.TrainConfig(steps=2, truncate=2), 4)),
    ("train-no-parameters", ValueError, "model has no parameters",
     lambda: train.train(torch.nn.Identity(), tasks.first_bit, QUIET, 4)),
    ("train-task-result", ValueError, "task must return a rnnlab.tasks.Batch",
     lambda: train.train(_classifier(), lambda n, T_, rng: (1, 2), QUIET, 4)),
    # --- plotting ----------------------------------------------------------------------------------------
    ("classify-text", ValueError, "gain must be a real number", lambda: plotting.classify("abc")),
    ("classify-number-text", ValueError, "gain must be a real number", lambda: plotting.classify("1")),  # silent
    ("classify-None", ValueError, "gain must be a real number; got None", lambda: plotting.classify(None)),
    ("classify-array", ValueError, "gain must be a real number", lambda: plotting.classify(np.ones(3))),
    ("classify-negative", ValueError, "gain must be at least 0", lambda: plotting.classify(-1.0)),  # silent: "vanished"
    ("classify-bounds", ValueError, "vanished_below must be at most exploded_above",
     lambda: plotting.classify(1.0, vanished_below=1e6, exploded_above=1e-6)),
    ("log_safe-None", ValueError, "values must be an array of numbers; got None",
     lambda: plotting.log_safe(None)),  # silent: 1e200
    ("log_safe-complex", ValueError, "values must hold real numbers",
     lambda: plotting.log_safe(np.array([1 + 1j]))),  # silent
    ("log_safe-floor", ValueError, "floor must be positive", lambda: plotting.log_safe([1.0], floor=0.0)),
    ("annotate_status-ax", ValueError, "ax must be a matplotlib Axes",
     lambda: plotting.annotate_status(None, plotting.EXPLODED)),
    ("annotate_status-status", ValueError, "status must be text",
     lambda: plotting.annotate_status(Figure().subplots(), None)),
    # --- widgets -----------------------------------------------------------------------------------------
    ("Slider-name", ValueError, "Slider name must be a keyword argument",
     lambda: widgets.Slider(3, "w", 0, 1, 0.1, 0.5)),
    ("Slider-bool", ValueError, "slider 'w': min must be a finite number",
     lambda: widgets.Slider("w", "w", False, True, 1, 0)),
    ("Slider-label", ValueError, "slider 'w': label must be text", lambda: widgets.Slider("w", None, 0, 1, 0.1, 0.5)),
    ("Slider-step", ValueError, "slider 'w': step must be at most max − min",
     lambda: widgets.Slider("w", "w", 0, 1, 2, 0.5)),
    ("Slider.grid-n", ValueError, "n must be an integer", lambda: widgets.Slider("w", "w", 0, 1, 0.1, 0.5).grid(1.5)),
    ("Slider.format-value", ValueError, "value must be a finite number",
     lambda: widgets.Slider("w", "w", 0, 1, 0.1, 0.5).format("abc")),
    ("Explorer-compute", ValueError, "compute must be a function", lambda: _explorer(compute=3)),
    ("Explorer-draw", ValueError, "draw must be a function", lambda: _explorer(draw=None)),
    ("Explorer-sliders", ValueError, "sliders must be a non-empty list of Slider", lambda: _explorer(sliders=["w"])),
    ("Explorer-figsize", ValueError, "figsize width must be positive", lambda: _explorer(figsize=(0, 3))),
    ("Explorer-title", ValueError, "title must be text", lambda: _explorer(title=None)),
    ("Explorer.render-unknown", ValueError, "unknown parameter", lambda: _explorer().render(v=1.0)),
    ("Explorer.png-density", ValueError, "density must be positive", lambda: _explorer().png(density=0)),
    # --- seeds -------------------------------------------------------------------------------------------
    ("claim_seeds-env", ValueError, "RNNLAB_CLAIM_SEEDS must name at least 5",
     lambda: _with_env("1-3", seeds.claim_seeds)),
    ("claim_seeds-duplicate", ValueError, "the seeds in RNNLAB_CLAIM_SEEDS must be distinct.*seed 5 appears twice",
     lambda: _with_env("1,2,3,4,5,5", seeds.claim_seeds)),  # silent: seed 5 counted twice
    ("over_seeds-measure", ValueError, "measure must be a function", lambda: seeds.over_seeds(3, [0])),
    ("over_seeds-negative", ValueError, "each of seeds must be at least 0",
     lambda: seeds.over_seeds(float, [-1, 2])),  # silent
    ("over_seeds-duplicate", ValueError, "seeds must be distinct", lambda: seeds.over_seeds(float, [1, 1])),  # silent
    ("over_seeds-text", ValueError, "seeds must be a list of non-negative integers",
     lambda: seeds.over_seeds(float, "012")),  # silent
    ("over_seeds-None", ValueError, "each of seeds must be an integer",
     lambda: seeds.over_seeds(float, [None])),  # silent
    ("over_seeds-nan", ValueError, r"measure\(seed\) returned NaN",
     lambda: seeds.over_seeds(lambda s: math.nan, [0])),  # silent
    ("over_seeds-complex", TypeError, r"measure\(seed\) must return a real number",
     lambda: seeds.over_seeds(lambda s: 1j, [0])),
    ("Spread-lengths", ValueError, "Spread needs seeds and values", lambda: seeds.Spread((1, 2), (1.0,))),  # silent
    ("Spread.format-fmt", ValueError, "fmt must be a number format", lambda: seeds.Spread((1,), (1.0,)).format("zz")),
    # --- execute -----------------------------------------------------------------------------------------
    ("book_notebooks-missing", ValueError, "root must be the book's folder",
     lambda: execute.book_notebooks("no/such/folder")),
    ("run_notebook-None", ValueError, "path must be the path of a .ipynb file", lambda: execute.run_notebook(None)),
    ("run_notebook-write", ValueError, "write must be True or False",
     lambda: execute.run_notebook("chapters/none.ipynb", write="no")),
    ("main-missing", ValueError, "path must be an existing .ipynb file", lambda: execute.main(["chapters/none.ipynb"])),
    # --- _validate (the shared checks) -------------------------------------------------------------------
    ("as_array-ragged", ValueError, "x must be an array of numbers",
     lambda: _validate.as_array("x", [[1.0], [1.0, 2.0]])),
    ("check_shape", ValueError, r"W must have shape \(H, H\)",
     lambda: _validate.check_shape("W", np.ones((3, 4)), (3, 3), "(H, H)")),
    ("check_dims-type", ValueError, r"cache.h must be a numpy array of shape \(N, T, H\)",
     lambda: _validate.check_dims([("cache.h", [1.0], "NTH")])),
    ("check_input_and_state-N", ValueError, r"x must have shape \(N, T, D\) with N = 2 \(from h0\)",
     lambda: _validate.check_input_and_state("x", np.ones((3, 4, 1)), "h0", np.ones((2, 5)))),
    ("check_input_and_state-H0", ValueError, r"h0 must have shape \(N, H\) with N ≥ 1",
     lambda: _validate.check_input_and_state("x", np.ones((2, 4, 1)), "h0", np.ones((2, 0)))),
    ("check_arrays-shape", ValueError, r"weight_hh must have shape \(4H, H\)",
     lambda: _validate.check_arrays([("weight_hh", np.ones((3, 2)), (8, 2), "(4H, H)")])),
    ("check_int-float", ValueError, "T must be an integer", lambda: _validate.check_int("T", 2.0)),
    ("check_float-complex", ValueError, "w must be a finite number", lambda: _validate.check_float("w", 1j)),
    ("check_positive-zero", ValueError, "eps must be positive", lambda: _validate.check_positive("eps", 0)),
    ("check_bool-int", ValueError, "causal must be True or False; got 1", lambda: _validate.check_bool("causal", 1)),
    ("check_choice-unhashable", ValueError, "loss must be one of",
     lambda: _validate.check_choice("loss", ["mse"], {"mse"})),
    ("check_square-empty", ValueError, "W_hh must be square", lambda: _validate.check_square("W_hh", np.zeros((0, 0)))),
    ("check_rng-seed", ValueError, "rng must be a numpy Generator", lambda: _validate.check_rng(0)),
    ("check_callable", ValueError, "task must be a function",
     lambda: _validate.check_callable("task", "first_bit", "a function")),
]]


# Modules added after the first edition name their rows "module.function-case" (check_params, from_torch and
# to_torch exist in several modules).
LSTM_ARGS = dict(x=np.ones((N, T, D)), h0=np.zeros((N, H)), c0=np.zeros((N, H)), weight_ih=np.zeros((4 * H, D)),
                 weight_hh=np.zeros((4 * H, H)), bias_ih=np.zeros(4 * H), bias_hh=np.zeros(4 * H))
GRU_ARGS = dict(x=np.ones((N, T, D)), h0=np.zeros((N, H)), weight_ih=np.zeros((3 * H, D)),
                weight_hh=np.zeros((3 * H, H)), bias_ih=np.zeros(3 * H), bias_hh=np.zeros(3 * H))
*_, LSTM_CACHE = lstm.lstm_forward(**LSTM_ARGS)
_, GRU_CACHE = gru.gru_forward(**GRU_ARGS)
TWO = [np.ones(2), np.ones((2, 2))]
CELL = torch.nn.RNNCell(2, 3)  # a user's cell, parameters requiring grad: step(s, x_t) is lambda h, x: CELL(x, h)
TINY = config.RunConfig("latch", 4, hidden=4, steps=2, batch=4, eval_every=1, eval_size=8)
ROWS += [pytest.param(call, exc, match, id=name) for name, exc, match, call in [
    # --- clipping ------------------------------------------------------------------------------------------
    ("clipping.total_norm-array", ValueError, "grads must be a list of gradient arrays",
     lambda: clipping.total_norm(np.ones(3))),
    ("clipping.total_norm-norm_type", ValueError, "norm_type must be one of", lambda: clipping.total_norm(TWO, 1)),
    ("clipping.clip_by_norm-nan", ValueError, r"grads\[1\] contains NaN or infinity",
     lambda: clipping.clip_by_norm([np.ones(2), np.array([np.nan])], 1.0)),
    ("clipping.clip_by_norm-0", ValueError, "max_norm must be", lambda: clipping.clip_by_norm(TWO, 0.0)),
    ("clipping.clip_by_value-neg", ValueError, "clip_value must be", lambda: clipping.clip_by_value(TWO, -1.0)),
    ("clipping.angle_degrees-shapes", ValueError, "grads and other must have the same shapes",
     lambda: clipping.angle_degrees(TWO, [np.ones(2)])),
    ("clipping.angle_degrees-zero", ValueError, "must both be non-zero",
     lambda: clipping.angle_degrees(TWO, [np.zeros(2), np.zeros((2, 2))])),
    ("clipping.angle_degrees-tiny-and-zero", ValueError, "must both be non-zero",
     lambda: clipping.angle_degrees([np.full(2, 1e-200)], [np.zeros(2)])),  # 1e-200 alone was refused too
    ("clipping.total_norm-huge-and-inf", ValueError, r"grads\[0\] contains NaN or infinity",
     lambda: clipping.total_norm([np.array([1e200, np.inf])])),  # 1e200 alone gave inf (silent)
    ("clipping.clip_by_norm-huge-max_norm", ValueError, "max_norm must be a finite number",
     lambda: clipping.clip_by_norm([np.full(4, 1e200)], math.inf)),  # 1e200 was zeroed (silent)
    # --- regularizers --------------------------------------------------------------------------------------
    ("regularizers.jacobian_ratios-W", ValueError, "W_hh must", lambda: regularizers.jacobian_ratios(
        np.ones((2, H)), np.ones((2, H)), np.ones((H, H + 1)))),
    ("regularizers.omega-shapes", ValueError, r"dh and dphi must both have shape \(K, H\)",
     lambda: regularizers.omega(np.ones((2, H)), np.ones((3, H)), np.eye(H))),
    ("regularizers.omega_grad-zero-row", ValueError, "every row of dh must be non-zero",
     lambda: regularizers.omega_grad(np.zeros((2, H)), np.ones((2, H)), np.eye(H))),
    ("regularizers.omega-tiny-and-zero-row", ValueError, "every row of dh must be non-zero.*row 1 is 0",
     lambda: regularizers.omega(np.array([[1e-200] * H, [0.0] * H]), np.ones((2, H)), np.eye(H))),  # 1e-200 was refused
    # --- init ----------------------------------------------------------------------------------------------
    ("init.recurrent_matrix-family", ValueError, "family must be one of",
     lambda: init.recurrent_matrix("xavier", 3, 1.0, RNG(0))),
    ("init.recurrent_matrix-gain", ValueError, "gain must be", lambda: init.recurrent_matrix("orthogonal", 3, -1.0,
                                                                                                 RNG(0))),
    ("init.apply-lstm", ValueError, "model must have cell='rnn'",
     lambda: init.apply(models.RecurrentClassifier(1, 3, 2, cell="lstm"), "orthogonal")),
    ("init.apply-module", ValueError, "model must be a models.RecurrentClassifier",
     lambda: init.apply(torch.nn.RNN(1, 3), "orthogonal")),
    ("init.forget_bias-gru", ValueError, "model must be a models.RecurrentClassifier with cell='lstm'",
     lambda: init.forget_bias(models.RecurrentClassifier(1, 3, 2, cell="gru"), 1.0)),
    ("init.forget_bias-value", ValueError, "value must be a finite number",
     lambda: init.forget_bias(models.RecurrentClassifier(1, 3, 2, cell="lstm"), float("nan"))),
    ("init.forget_bias-float32", ValueError, "value must be representable in the model's dtype torch.float32",
     lambda: init.forget_bias(models.RecurrentClassifier(1, 3, 2, cell="lstm"), 1e300)),  # was torch's overflow
    ("experiments.sweeps.controls_where_solved-map", ValueError, "solved must map each lag",
     lambda: sweeps.controls_where_solved("adding", [10, 20], 100)),
    ("experiments.sweeps.controls_where_solved-index", ValueError, r"solved\[10\] must list model indices",
     lambda: sweeps.controls_where_solved("adding", {10: (5,)}, 100)),
    ("regularizers.omega_penalty-shape", ValueError, r"shape \(T, N, H\)",
     lambda: regularizers.omega_penalty(torch.ones(2, 3), torch.ones(2, 3), torch.ones(3, 3))),
    ("init.chrono-gru", ValueError, "cell='lstm'",
     lambda: init.chrono(models.RecurrentClassifier(1, 3, 2, cell="gru"), 10)),
    ("init.chrono_biases-T_max", ValueError, "T_max must be at least 2", lambda: init.chrono_biases(3, 1.5, RNG(0))),
    ("init.recurrent_weight-gru", ValueError, "model must be a models.RecurrentClassifier with cell='rnn'",
     lambda: init.recurrent_weight(models.RecurrentClassifier(1, 3, 2, cell="gru"))),
    # --- lstm, lstm_jacobian -------------------------------------------------------------------------------
    ("lstm.lstm_forward-weight_hh", ValueError, r"weight_hh must have shape \(4H, H\)",
     lambda: lstm.lstm_forward(**{**LSTM_ARGS, "weight_hh": np.zeros((3 * H, H))})),  # a GRU's weights
    ("lstm.lstm_forward-complex", ValueError, "x must hold real numbers",
     lambda: lstm.lstm_forward(**{**LSTM_ARGS, "x": np.ones((N, T, D)) * 1j})),  # silent
    ("lstm.check_params-c0", ValueError, r"c0 must have shape \(N, H\)",
     lambda: lstm.check_params(**{**LSTM_ARGS, "c0": np.zeros((N, H + 1))})),
    ("lstm.check_cache-gru", ValueError, "cache must be the Cache", lambda: lstm.check_cache(GRU_CACHE)),
    ("lstm.lstm_backward-dh", ValueError, r"dh must have shape \(N, T, H\)",
     lambda: lstm.lstm_backward(np.ones((N, T + 1, H)), LSTM_CACHE)),
    ("lstm.lstm_backward-truncate", ValueError, "truncate must be at least 1",
     lambda: lstm.lstm_backward(np.ones((N, T, H)), LSTM_CACHE, truncate=0)),
    ("lstm.from_torch-gru", ValueError, "lstm must be a torch.nn.LSTM", lambda: lstm.from_torch(torch.nn.GRU(2, 3))),
    ("lstm.to_torch-list", ValueError, "params must be an Params", lambda: lstm.to_torch([1, 2])),
    ("lstm_jacobian.step_jacobians-gru", ValueError, "cache must be the Cache",
     lambda: lstm_jacobian.step_jacobians(GRU_CACHE)),
    ("lstm_jacobian.cell_path-None", ValueError, "cache must be the Cache",
     lambda: lstm_jacobian.cell_path(None)),
    # --- bidirectional -----------------------------------------------------------------------------------
    ("bidirectional.birnn_forward-h0", ValueError, r"h0 must have shape \(2, N, H\)",
     lambda: bidirectional.birnn_forward(np.ones((N, T, D)), np.zeros((1, N, H)),
                                         bidirectional.BiRNNParams(*[np.ones((H, D)), np.eye(H), np.zeros(H)] * 2))),
    ("bidirectional.birnn_backward-cache", ValueError, "cache must be the BiRNNCache",
     lambda: bidirectional.birnn_backward(np.ones((N, T, 2 * H)), CACHE)),
    ("bidirectional.bilstm_forward-params", ValueError, "params must be a BiLSTMParams",
     lambda: bidirectional.bilstm_forward(np.ones((N, T, D)), np.zeros((2, N, H)), np.zeros((2, N, H)),
                                          (np.eye(H),) * 6)),
    ("bidirectional.bilstm_backward-cache", ValueError, "cache must be the BiLSTMCache",
     lambda: bidirectional.bilstm_backward(np.ones((N, T, 2 * H)), None)),
    ("bidirectional.from_torch-unidirectional", ValueError, "module must be bidirectional",
     lambda: bidirectional.from_torch(torch.nn.LSTM(2, 3))),
    ("bidirectional.to_torch-list", ValueError, "params must be a BiRNNParams", lambda: bidirectional.to_torch([1, 2])),
    # --- attention ---------------------------------------------------------------------------------------
    ("attention.SelfAttention-causal", ValueError, "causal must be True or False",
     lambda: attention.SelfAttention(3, 2, causal=1)),
    ("attention.input_sensitivity-t", ValueError, "t must be at most 4",
     lambda: attention.input_sensitivity(attention.SelfAttention(2, 2), torch.ones(1, 4, 2), t=5)),
    ("attention.layer_cost-kind", ValueError, "kind must be one of", lambda: attention.layer_cost("gpt", 4, 2)),
    # --- blanks ------------------------------------------------------------------------------------------
    ("blanks.fill_blank-T", ValueError, r"T \(sequence length\) must be at least 2",
     lambda: blanks.fill_blank(4, 1, RNG(0))),
    ("blanks.fill_blank-position", ValueError, "position must be at most 5",
     lambda: blanks.fill_blank(4, 5, RNG(0), position=6)),
    ("blanks.best_accuracy-view", ValueError, "view must be one of", lambda: blanks.best_accuracy(4, 5, 2, "left")),
    ("blanks.blank_positions-two", ValueError, "exactly one blank",
     lambda: blanks.blank_positions(torch.ones(2, 3, 5))),
    ("blanks.Tagger-attention-T", ValueError, r"T \(the sequence length\) is needed by kind='attention' only",
     lambda: blanks.Tagger(4, 6, kind="attention")),
    ("blanks.Tagger-reverse", ValueError, "reverse=True applies to a unidirectional recurrent tagger only",
     lambda: blanks.Tagger(4, 6, bidirectional=True, reverse=True)),
    ("blanks.Tagger.forward-width", ValueError, r"x must have shape \(N, T, D\) with D = input_size = 5",
     lambda: blanks.Tagger(4, 3)(torch.zeros(2, 5, 3))),  # was "exactly one blank"
    # --- flow, flow_spectrum, flow_plot ------------------------------------------------------------------
    ("flow.run_stepwise-module", ValueError, "rnn must be a torch.nn.RNN, nn.LSTM or nn.GRU",
     lambda: flow.run_stepwise(torch.nn.Linear(2, 2), torch.ones(1, 2, 2))),
    ("flow.run_stepwise-x", ValueError, r"x must be a tensor of shape \(T, N, D\) with D = input_size = 2",
     lambda: flow.run_stepwise(torch.nn.RNN(2, 3), torch.ones(2, 3))),
    ("flow.record-module", ValueError, "rnn must be a torch.nn.RNN",
     lambda: flow.record(torch.nn.RNNCell(2, 3)).__enter__()),
    ("flow.state_gradients-loss", ValueError, "loss must be a scalar torch tensor",
     lambda: flow.state_gradients(3.0, [torch.ones(1, 2, requires_grad=True)])),
    ("flow.gradient_norms-states", ValueError, "states must be a Trajectory", lambda: flow.gradient_norms(None, "h")),
    ("flow.check_recurrent-None", ValueError, "rnn must be a torch.nn.RNN", lambda: flow.check_recurrent(None)),
    ("flow.layer_weights-layer", ValueError, "layer must be at most 1",
     lambda: flow.layer_weights(torch.nn.RNN(1, 2, 2), 2)),
    ("flow.cell_function-cell", ValueError, "rnn must be a torch.nn.RNN",
     lambda: flow.cell_function(torch.nn.GRUCell(1, 2))),
    ("flow.run_stepwise-hx-dtype", ValueError, "hx must have the module's dtype torch.float64, as x; got torch.float32",
     lambda: flow.run_stepwise(torch.nn.GRU(2, 3, dtype=torch.float64), torch.ones(2, 1, 2, dtype=torch.float64),
                               torch.zeros(1, 1, 3))),  # was torch's "mat1 and mat2 must have the same dtype"
    ("flow.run_stepwise-proj_size", ValueError, r"rnn is an LSTM with proj_size=2, whose h_t = W_hr",
     lambda: flow.run_stepwise(torch.nn.LSTM(2, 3, proj_size=2), torch.ones(2, 1, 2))),  # was "no single past"
    ("flow.run_stepwise-bidirectional-hx", ValueError,
     r"hx must be a tensor of shape \(num_layers · 2, N, H\) = \(2, 1, 3\); got \(1, 1, 3\)",
     lambda: flow.run_stepwise(torch.nn.GRU(2, 3, bidirectional=True), torch.ones(2, 1, 2), torch.zeros(1, 1, 3))),
    ("flow.layer_weights-direction", ValueError, r"direction must be one of \['forward'\]; got 'backward'",
     lambda: flow.layer_weights(torch.nn.GRU(1, 2), 0, "backward")),
    ("flow.directions-cell", ValueError, "rnn must be a torch.nn.RNN", lambda: flow.directions(torch.nn.GRUCell(1, 2))),
    ("flow.by_direction-keys", ValueError, r"a bidirectional run must be the dict \{'forward': Trajectory",
     lambda: flow.by_direction({"left": None, "right": None}, lambda run, direction: run)),
    ("flow_spectrum.step_function-layer", ValueError, "layer must be at most 0",
     lambda: flow_spectrum.step_function(torch.nn.LSTM(1, 2), 1)),
    ("flow_spectrum.top_singular_values-tol", ValueError, "tol must be positive",
     lambda: flow_spectrum.top_singular_values(torch.add, [torch.ones(1, 2)], [torch.ones(1, 2)], tol=0.0)),
    ("flow_spectrum.trajectory_sigma_max-trajectory", ValueError, "trajectory must be a flow.Trajectory",
     lambda: flow_spectrum.trajectory_sigma_max(torch.nn.GRU(1, 2), [torch.ones(1, 2)])),
    ("flow_spectrum.trajectory_sigma_max-dtype", ValueError,
     "trajectory holds states of dtype torch.float32 but rnn's weights are torch.float64",
     lambda: flow_spectrum.trajectory_sigma_max(torch.nn.GRU(1, 2, dtype=torch.float64), flow.run_stepwise(
         torch.nn.GRU(1, 2), torch.ones(1, 1, 1))[2])),  # was torch's "mat1 and mat2 must have the same dtype"
    ("flow_spectrum.trajectory_sigma_max-bidirectional", ValueError, "rnn: a dict of two Trajectory; got Trajectory",
     lambda: flow_spectrum.trajectory_sigma_max(torch.nn.GRU(1, 2, bidirectional=True), flow.run_stepwise(
         torch.nn.GRU(1, 2), torch.ones(1, 1, 1))[2])),
    ("flow_spectrum.top_singular_values-dtype", ValueError,
     r"step\(s, x_t\) failed on states \(1, 3\) and inputs \(1, 2\) of dtype torch.float32",
     lambda: flow_spectrum.top_singular_values(flow_spectrum.step_function(torch.nn.GRU(2, 3, dtype=torch.float64)),
                                               [torch.zeros(1, 3)], [torch.ones(1, 2)])),  # was torch's dtype error
    ("flow_spectrum.top_singular_values-mixed-dtype", ValueError,
     "states and inputs must all have one floating-point dtype",
     lambda: flow_spectrum.top_singular_values(torch.add, [torch.ones(1, 2)], [torch.ones(1, 2, dtype=torch.float64)])),
    ("flow_spectrum.top_singular_values-cell-order", ValueError, r"step\(s, x_t\) failed on states \(1, 3\)",
     lambda: flow_spectrum.top_singular_values(lambda h, x: CELL(h, x), [torch.zeros(1, 3)], [torch.ones(1, 2)])),
    ("flow_plot.flow_gain-all-zero", ValueError, "norms must not all be 0", lambda: flow_plot.flow_gain([0.0, 0.0])),
    ("flow_plot.plot_gradient_flow-fig", ValueError, "fig must be a matplotlib Figure",
     lambda: flow_plot.plot_gradient_flow([1, 1], fig=3)),
    # --- tasks, models, train: Chapter 8's additions --------------------------------------------------------
    ("adding_hs-T", ValueError, r"T \(sequence length\) must be at least 11", lambda: tasks.adding_hs(2, 10, RNG(0))),
    ("copy_memory-rng", ValueError, "rng must be a numpy Generator", lambda: tasks.copy_memory(2, 5, 0)),
    ("copy_baseline-T", ValueError, r"T \(delay\) must be an integer", lambda: tasks.copy_baseline(5.5)),
    ("temporal_order-n", ValueError, r"n \(number of sequences\) must be at least 1",
     lambda: tasks.temporal_order(0, 20, RNG(0))),
    ("latch-informative", ValueError, "informative must be an integer", lambda: tasks.latch(2, 5, RNG(0), True)),
    ("marked_latch-T", ValueError, "T .sequence length. must be at least 3", lambda: tasks.marked_latch(2, 2, RNG(0))),
    ("check_input-numpy", ValueError, r"x must be a torch tensor of shape \(N, T, D\)",
     lambda: models.check_input(np.ones((1, 2, 3)), 3, torch.float64)),
    ("check_input-complex", ValueError, "x must hold real numbers",
     lambda: models.check_input(torch.ones(1, 2, 3, dtype=torch.complex64), 3, torch.float64)),  # silent
    ("check_seed-negative", ValueError, "seed must be", lambda: models.check_seed(-1)),
    ("check_dtype-int", ValueError, "dtype must be a torch floating-point dtype",
     lambda: models.check_dtype(torch.int64)),
    ("RecurrentClassifier-every_step", ValueError, "every_step must be True or False",
     lambda: models.RecurrentClassifier(1, 4, 2, every_step=1)),
    ("evaluate-score", ValueError, "score must be None",
     lambda: train.evaluate(models.RecurrentClassifier(1, 4, 2), tasks.first_bit(2, 3, RNG(0)), score="accuracy")),
    # --- experiments -------------------------------------------------------------------------------------
    ("experiments.config.RunConfig-cell", ValueError, "cell must be one of",
     lambda: config.RunConfig("adding", 10, cell="elman")),
    ("experiments.config.RunConfig-forget_bias", ValueError, "forget_bias applies only to cell='lstm'",
     lambda: config.RunConfig("adding", 10, cell="gru", forget_bias=1.0)),
    ("experiments.config.RunConfig-truncate", ValueError, "truncate must be at least 1",
     lambda: config.RunConfig("latch", 10, truncate=0)),
    ("experiments.config.RunConfig-train", ValueError, r"train must be one of \['all', 'readout', 'ridge'\]",
     lambda: config.RunConfig("latch", 10, train="cell")),
    ("experiments.config.RunConfig-train-truncate", ValueError, "truncate applies only to train='all'",
     lambda: config.RunConfig("latch", 10, train="readout", truncate=1)),
    ("experiments.config.build_model-dict", ValueError, "config must be a RunConfig",
     lambda: config.build_model(TINY.to_dict())),
    ("experiments.registry.TaskSpec-make", ValueError, "make must be a task function",
     lambda: registry.TaskSpec("adding", 2, 1, "mse", "mse", lambda T: 1 / 6, 0.01)),
    ("experiments.registry.TaskSpec-metric", ValueError, "metric must be one of",
     lambda: registry.TaskSpec(tasks.adding, 2, 1, "mse", "r2", lambda T: 1 / 6, 0.01)),
    ("experiments.registry.task_spec-name", ValueError, "task must be one of", lambda: registry.task_spec("parity")),
    ("experiments.runner.check_device-tpu", ValueError, "device must be 'cpu' or 'cuda'",
     lambda: runner.check_device("tpu")),
    ("experiments.runner.rounded-text", ValueError, "value must be a real number", lambda: runner.rounded(["0.5"])),
    ("experiments.runner.run-dict", ValueError, "config must be a RunConfig", lambda: runner.run(TINY.to_dict())),
    ("experiments.runner.same_record-None", ValueError, "b must be a record", lambda: runner.same_record({}, None)),
    ("experiments.runner.same_outcome-None", ValueError, "a must be a record",
     lambda: runner.same_outcome(None, {}, config.RunConfig("latch", 4))),
    ("experiments.store.results_dir-int", ValueError, "folder must be a path", lambda: store.results_dir(3)),
    ("experiments.store.load-int", ValueError, "path must be a file path", lambda: store.load(3)),
    ("experiments.store.write_atomic-list", ValueError, "data must be a dict",
     lambda: store.write_atomic("/nonexistent/x.json", [1])),
    ("experiments.store.ResultsFile-name", ValueError, "sweep must be a Sweep", lambda: store.ResultsFile("smoke")),
    ("experiments.sweeps.Sweep-empty", ValueError, "configs must be a non-empty tuple",
     lambda: sweeps.Sweep("empty", "d", ())),
    ("experiments.sweeps.grid-task", ValueError, "task must be one of",
     lambda: sweeps.grid("g", "d", tasks=("parity",), models=({"cell": "rnn"},), lags=(5,))),
    ("experiments.sweeps.get_sweep-None", ValueError, "sweep must be one of", lambda: sweeps.get_sweep(None)),
    ("experiments.parallel.execute-jobs", ValueError, "jobs must be at least 1",
     lambda: parallel.execute([TINY], print, jobs=0)),
    ("experiments.parallel.run_sweep-name", ValueError, "sweep must be one of", lambda: parallel.run_sweep("lag")),
    ("experiments.parallel.status-name", ValueError, "sweep must be one of", lambda: parallel.status(["smoke"])),
    ("experiments.config.RunConfig-init", ValueError, "init must be one of",
     lambda: config.RunConfig("copy", 10, init="xavier")),
    ("experiments.config.RunConfig-init-orthogonal-irnn", ValueError, "needs cell='rnn' or 'ltrnn'.*got cell='irnn'",
     lambda: config.RunConfig("copy", 10, cell="irnn", init="orthogonal")),  # silent: the identity overwritten
    ("experiments.config.RunConfig-init-gaussian-lstm", ValueError, "needs cell='rnn' or 'ltrnn'.*got cell='lstm'",
     lambda: config.RunConfig("adding", 10, cell="lstm", init="gaussian")),
    ("experiments.registry.TaskSpec.solved_per_sequence-classification", ValueError, "no per-sequence rule",
     lambda: registry.task_spec("order").solved_per_sequence(0.995)),
    ("experiments.registry.TaskSpec.solved_per_sequence-percent", ValueError, "correct must be at most 1",
     lambda: registry.task_spec("adding").solved_per_sequence(99.0)),  # silent: a percentage passes
    ("experiments.registry.TaskSpec-tolerance", ValueError, "tolerance .* is for regression tasks",
     lambda: registry.TaskSpec(tasks.temporal_order, 8, 4, "cross_entropy", "accuracy", lambda T: 0.25, 0.99,
                               tolerance=0.04)),
    ("experiments.registry.TaskSpec.solved-T", ValueError, "T must be at least 1",
     lambda: registry.task_spec("adding").solved(0.001, T=-5)),  # silent: was True
    ("experiments.config.RunConfig-seed", ValueError, "seed must be at most 18446744073709551615",
     lambda: config.RunConfig("adding", 10, seed=2**64)),  # torch.manual_seed takes 64 bits
    ("experiments.store.load-not-json", ValueError, r"is not valid JSON .*git checkout -- ",
     lambda: store.load(__file__)),
    ("experiments.store.load-empty", ValueError, "is empty: restore it from git", lambda: store.load(os.devnull)),
    ("experiments.sweeps.grid-str", ValueError, "tasks must be a non-empty list or tuple",
     lambda: sweeps.grid("g", "d", tasks="adding", models=({"cell": "rnn"},), lags=(12,))),  # silent: 6 letters
    ("experiments.sweeps.grid-int", ValueError, "lags must be a non-empty list or tuple",
     lambda: sweeps.grid("g", "d", tasks=("adding",), models=({"cell": "rnn"},), lags=12)),
    ("experiments.store.write_atomic-set", ValueError, "cannot be written as JSON",
     lambda: store.write_atomic("/nonexistent/x.json", {"a": {1}})),
    ("experiments.store.results_path-None", ValueError, "name must be a sweep's name",
     lambda: store.results_path(None)),
    ("experiments.store.version_label-list", ValueError, "versions must be a dict", lambda: store.version_label([1])),
    ("experiments.runner.run_with_versions-dict", ValueError, "config must be a RunConfig",
     lambda: runner.run_with_versions(TINY.to_dict())),
    ("experiments.parallel.execute-timeout", ValueError, "timeout must be positive",
     lambda: parallel.execute([TINY], print, scheduler="tcp://127.0.0.1:1", timeout=0)),
    ("experiments.pool.run_in_processes-jobs", ValueError, "jobs must be at least 1",
     lambda: pool.run_in_processes([TINY], print, jobs=0)),
    ("experiments.cluster.run_on_dask-address", ValueError, "address must be the address of a Dask scheduler",
     lambda: cluster.run_on_dask([TINY], print, 8786)),
    ("experiments.locking.hold-int", ValueError, "path must be a results file's path",
     lambda: locking.hold(3).__enter__()),
    ("experiments.errors.ExperimentError-empty", ValueError, "message must be a non-empty str",
     lambda: errors.ExperimentError("")),
    ("experiments.errors.ResultsFileError-None", ValueError, "path must be the results file's path",
     lambda: errors.ResultsFileError(None, "is empty")),
    ("experiments.errors.RunFailed-dict", ValueError, "config must be a RunConfig",
     lambda: errors.RunFailed(TINY.to_dict(), ValueError("x"))),
    ("experiments.errors.describe-text", ValueError, "error must be an exception", lambda: errors.describe("x")),
    # --- gru -----------------------------------------------------------------------------------------------
    ("gru.gru_forward-weight_hh", ValueError, r"weight_hh must have shape \(3H, H\)",
     lambda: gru.gru_forward(**{**GRU_ARGS, "weight_hh": np.zeros((4 * H, H))})),  # an LSTM's weights
    ("gru.gru_forward-complex", ValueError, "x must hold real numbers",
     lambda: gru.gru_forward(**{**GRU_ARGS, "x": np.ones((N, T, D)) * 1j})),  # silent
    ("gru.check_params-bias", ValueError, r"bias_ih must have shape \(3H,\)",
     lambda: gru.check_params(**{**GRU_ARGS, "bias_ih": np.zeros(H)})),
    ("gru.gru_backward-lstm-cache", ValueError, "cache must be", lambda: gru.gru_backward(np.ones((N, T, H)),
                                                                                          LSTM_CACHE)),
    ("gru.gru_backward-truncate", ValueError, "truncate must be", lambda: gru.gru_backward(np.ones((N, T, H)),
                                                                                           GRU_CACHE, truncate=0)),
    ("gru.step_jacobians-None", ValueError, "cache must be", lambda: gru.step_jacobians(None)),
    ("gru.from_torch-lstm", ValueError, "must be a torch.nn.GRU", lambda: gru.from_torch(torch.nn.LSTM(2, 3))),
    ("gru.to_torch-list", ValueError, "params must be", lambda: gru.to_torch([1, 2])),
    # --- scan, scan_torch ----------------------------------------------------------------------------------
    ("scan.check_recurrence-T0", ValueError, r"a must have shape \(T, d\) with T ≥ 1",
     lambda: scan.check_recurrence(np.ones((0, 2)), np.ones((0, 2)))),
    ("scan.combine-list", ValueError, r"q must be a pair \(a, b\)", lambda: scan.combine(SCAN_PAIR, [1.0, 2.0])),
    ("scan.combine-shape", ValueError, r"q\[1\] must have shape like p\[0\]",
     lambda: scan.combine(SCAN_PAIR, (np.ones(2), np.ones(3)))),
    ("scan.sequential-b", ValueError, r"b must have shape \(T, d\) like a = \(3, 2\); got \(2, 3\)",
     lambda: scan.sequential(SCAN_A, SCAN_A.T)),  # silent: a broadcast or a transposed b
    ("scan.hillis_steele-h0", ValueError, r"h0 must have shape \(d,\) = \(2,\); got \(3,\)",
     lambda: scan.hillis_steele(SCAN_A, SCAN_A, np.zeros(3))),
    ("scan.blelloch-1d", ValueError, "a must have 2 dimension", lambda: scan.blelloch(np.ones(3), np.ones(3))),
    ("scan.blelloch-nan", ValueError, "b contains NaN", lambda: scan.blelloch(SCAN_A, SCAN_A * np.nan)),
    ("scan.blelloch-complex", ValueError, "a must hold real numbers", lambda: scan.blelloch(SCAN_A * 1j, SCAN_A)),
    ("scan.sequential-count", ValueError, "count must be True or False",
     lambda: scan.sequential(SCAN_A, SCAN_A, count=1)),
    ("scan.cost-name", ValueError, "scan must be one of", lambda: scan.cost("parallel", 4)),
    ("scan.cost-T", ValueError, "T must be at least 1", lambda: scan.cost("blelloch", 0)),
    ("scan.backward-gL", ValueError, r"gL must have shape \(T, d\) like a",
     lambda: scan.backward(SCAN_A, SCAN_A, None, np.ones((2, 2)))),
    ("scan.backward-scan", ValueError, "scan must be one of",
     lambda: scan.backward(SCAN_A, SCAN_A, None, SCAN_A, scan=scan.blelloch)),
    ("scan_torch.check_tensors-numpy", ValueError,
     r"a must be a torch tensor of dtype float64 \(torch.float64\); got ndarray",
     lambda: scan_torch.check_tensors(SCAN_A, torch.ones(3, 2, dtype=torch.float64))),
    ("scan_torch.sequential-float32", ValueError, "b must be a torch tensor of dtype float64",
     lambda: scan_torch.sequential(torch.tensor(SCAN_A), torch.ones(3, 2))),
    ("scan_torch.hillis_steele-h0", ValueError, r"h0 must have shape \(d,\) = \(2,\)",
     lambda: scan_torch.hillis_steele(torch.tensor(SCAN_A), torch.tensor(SCAN_A), torch.tensor(SCAN_A))),
    ("scan_torch.blelloch-b", ValueError, r"b must have shape \(T, d\) like a",
     lambda: scan_torch.blelloch(torch.tensor(SCAN_A), torch.tensor(SCAN_A.T))),
    ("scan_torch.blelloch-inf", ValueError, "a contains NaN or infinity",
     lambda: scan_torch.blelloch(torch.tensor(SCAN_A) * math.inf, torch.tensor(SCAN_A))),
    ("scan_torch.blelloch-T0", ValueError, r"a must have shape \(T, d\) with T ≥ 1",
     lambda: scan_torch.blelloch(torch.ones(0, 2, dtype=torch.float64), torch.ones(0, 2, dtype=torch.float64))),
    ("scan.chunked-a", ValueError, r"b must have shape \(T, d\) like a", lambda: scan.chunked(SCAN_A, SCAN_A[:2])),
    ("scan_torch.chunked-float32", ValueError, "a must be a torch tensor of dtype float64",
     lambda: scan_torch.chunked(torch.ones(3, 2), torch.ones(3, 2, dtype=torch.float64))),
    ("scan_torch.chunked_any-short-b", ValueError, "a must cover every step of b",
     lambda: scan_torch.chunked_any(torch.ones(2, 1), torch.ones(3, 1))),
    # --- lru -------------------------------------------------------------------------------------------------
    ("lru.check_ring-r_max-1", ValueError, r"0 ≤ r_min < r_max < 1 \(\|λ\| < 1 is what keeps",
     lambda: lru.check_ring(0.5, 1.0, 1.0)),
    ("lru.check_ring-phase-0", ValueError, "max_phase must be positive", lambda: lru.check_ring(0.5, 0.9, 0.0)),
    ("lru.ring_init-n", ValueError, "n must be at least 1", lambda: lru.ring_init(0)),
    ("lru.ring_init-reversed", ValueError, "r_min = 0.9, r_max = 0.5", lambda: lru.ring_init(4, 0.9, 0.5)),
    ("lru.eigenvalues-shapes", ValueError, r"nu and theta must have one shape; got \(3,\) and \(2,\)",
     lambda: lru.eigenvalues(np.zeros(3), np.zeros(2))),
    ("lru.lag_gains-float-lags", ValueError, "lags must be a non-empty 1-D array of integers",
     lambda: lru.lag_gains(np.array([0.5 + 0.1j]), np.array([1.5]))),
    ("lru.lag_gains-nan", ValueError, "lam must be a non-empty 1-D array of finite eigenvalues",
     lambda: lru.lag_gains(np.array([np.nan]), np.array([1]))),
    ("lru.LRU-state_size", ValueError, "state_size must be at least 1", lambda: lru.LRU(2, 0, 2)),
    ("lru.LRU-input", ValueError, r"x must have shape \(N, T, D\) with D = input_size = 2",
     lambda: lru.LRU(2, 3, 2)(torch.ones(1, 4, 3, dtype=torch.float64))),
    ("lru.LRUClassifier-layers", ValueError, "layers must be at least 1", lambda: lru.LRUClassifier(2, 4, 1, layers=0)),
    ("lru.LRUClassifier-truncate", ValueError, "truncate must be at least 1",
     lambda: lru.LRUClassifier(2, 4, 1)(torch.ones(1, 5, 2), truncate=0)),
    ("lru.LRUClassifier-ring", ValueError, "r_min < r_max < 1", lambda: lru.LRUClassifier(2, 4, 1, r_max=1.5)),
    # --- series, reservoir, esn, reservoir_torch, bpdc --------------------------------------------------------
    ("series.squash-None", ValueError, "x must be an array of numbers; got None", lambda: series.squash(None)),
    ("series.mackey_glass-off-grid", ValueError, r"tau/h must be a whole number of steps",
     lambda: series.mackey_glass(10, h=0.3)),
    ("series.mackey_glass-history", ValueError, "history must hold at least L = tau/h = 17 values",
     lambda: series.mackey_glass(10, history=np.ones(5))),
    ("series.mackey_glass_batch-rng", ValueError, "rng must be a numpy Generator",
     lambda: series.mackey_glass_batch(2, 10, 0)),
    ("reservoir.spectral_radius-shape", ValueError, r"W_hh must be square \(H, H\)",
     lambda: reservoir.spectral_radius(np.ones((2, 3)))),
    ("reservoir.reservoir_matrix-density", ValueError, "density must be positive",
     lambda: reservoir.reservoir_matrix(4, 0.9, 0.0, rng=RNG(0))),
    ("reservoir.input_matrix-rng", ValueError, "rng must be a numpy Generator",
     lambda: reservoir.input_matrix(4, 1, rng=None)),
    ("reservoir.run_reservoir-D", ValueError, r"x must have shape \(T, D\) or \(N, T, D\) with D = 1",
     lambda: reservoir.run_reservoir(0.5 * np.eye(3), np.ones((3, 2)), np.ones((5, 2)))),
    ("reservoir.run_reservoir-leak", ValueError, r"leak must be in \(0, 1\]",
     lambda: reservoir.run_reservoir(0.5 * np.eye(3), np.ones((3, 2)), np.ones((5, 1)), leak=0.0)),
    ("reservoir.ridge-T", ValueError, r"X \(F, T\) and Y \(O, T\) must have the same number T",
     lambda: reservoir.ridge(np.ones((3, 10)), np.ones((1, 9)), 1e-3)),  # silent once transposed: Y Xᵀ of rows
    ("reservoir.nrmse-shapes", ValueError, "target and prediction must have one non-empty shape",
     lambda: reservoir.nrmse(np.ones(4), np.ones((4, 1)))),  # silent: (4,) − (4, 1) broadcasts to (4, 4)
    ("reservoir.echo_state_distance-h0_b", ValueError, r"h0_b must have shape \(H,\) = \(3,\)",
     lambda: reservoir.echo_state_distance(0.5 * np.eye(3), np.ones((3, 2)), np.ones((4, 1)), 1.0, np.zeros(3),
                                           np.zeros(4))),
    ("reservoir.sufficient_condition-complex", ValueError, "W_hh must hold real numbers",
     lambda: reservoir.sufficient_condition(np.eye(2) * 0.5j)),
    ("reservoir.zero_input_distance-n_steps", ValueError, "n_steps must be at least 1",
     lambda: reservoir.zero_input_distance(0.5 * np.eye(2), np.ones(2), -np.ones(2), 0)),
    ("reservoir.memory_capacity-washout", ValueError, "washout must be at least 50",
     lambda: reservoir.memory_capacity(0.9, 1.0, 10, np.arange(1, 51), RNG(0), washout=10)),
    ("esn.fit_generator-short", ValueError, "series must be longer than washout",
     lambda: esn.fit_generator(np.ones(50), 10, rng=RNG(0))),
    ("esn.generate-gen", ValueError, "gen must be the Generator that fit_generator returns",
     lambda: esn.generate((np.eye(2), np.ones((2, 2)), np.ones((1, 4)), 1.0), np.ones(5), 3)),
    ("esn.prediction_nrmse-short", ValueError, r"series must hold prime \+ horizon \+ n_runs − 1 = 633",
     lambda: esn.prediction_nrmse(ESN_GEN, np.ones(600))),
    ("reservoir_torch.Reservoir-W_xh", ValueError, r"W_xh must have shape \(H, 1 \+ D\) = \(3, 1 \+ D\)",
     lambda: reservoir_torch.Reservoir(0.5 * np.eye(3), np.ones((2, 2)))),
    ("reservoir_torch.ESNClassifier-leak", ValueError, r"leak must be in \(0, 1\]",
     lambda: reservoir_torch.ESNClassifier(1, 4, 2, leak=0.0)),
    ("bpdc.bpdc_update-dt", ValueError, r"dt must be in \(0, 1\]",
     lambda: bpdc.bpdc_update(np.ones(3), 0.1, 0.5, 0.0, 1.0, 0.1, dt=0.0)),
    ("bpdc.run_bpdc-short", ValueError, "series must hold at least 3 values",
     lambda: bpdc.run_bpdc(np.ones(2), 4, rng=RNG(0))),
    ("lsm.liquid_matrix-inhibitory", ValueError, "inhibitory must be at most 1",
     lambda: lsm.liquid_matrix(10, rng=RNG(0), inhibitory=1.5)),
    ("lsm.run_liquid-W_xh", ValueError, r"need W_hh \(H, H\), W_xh \(H, 1 \+ D\) and x \(T, D\)",
     lambda: lsm.run_liquid(np.zeros((3, 3)), np.ones((3, 1)), np.ones((5, 1)))),
]]
ROWS += [pytest.param(call, exc, match, id=name) for name, exc, match, call in [
    # --- the ridge readout and Chapter 11's tasks ------------------------------------------------------------
    ("readout.fit_ridge-model", ValueError, "model must be a torch.nn.Module with a linear readout",
     lambda: readout.fit_ridge(torch.nn.Linear(2, 2), tasks_memory.recall, QUIET, 2)),
    ("readout.fit_ridge-clip", ValueError, "fit_ridge takes no gradient step",
     lambda: readout.fit_ridge(_classifier(1), tasks_memory.recall,
                               train.TrainConfig(steps=1, clip=1.0, progress=False), 2)),
    ("readout.fit_ridge-beta", ValueError, "beta must be",
     lambda: readout.fit_ridge(_classifier(1), tasks_memory.recall, QUIET, 2, beta=-1.0)),
    ("tasks_memory.recall-T", ValueError, r"T \(sequence length\) must be at least 1",
     lambda: tasks_memory.recall(2, 0, RNG(0))),
    ("tasks_memory.mackey_glass_ahead-rng", ValueError, "rng must be a numpy Generator",
     lambda: tasks_memory.mackey_glass_ahead(2, 5, 0)),
    ("experiments.config.RunConfig-ridge", ValueError, r"train='ridge' needs ridge=β",
     lambda: config.RunConfig("recall", 5, train="ridge")),
    ("experiments.config.RunConfig-esn", ValueError, "needs its reservoir's spectral radius and leaking rate",
     lambda: config.RunConfig("recall", 5, cell="esn", train="ridge", ridge=1e-6)),
]]
TREE = trees.balanced(2)  # 4 leaves, 7 nodes
TREE_ARGS = dict(x=np.ones((4, 2)), W_xh=np.ones((3, 2)), W_left=np.eye(3), W_right=np.eye(3), b=np.zeros(3))
PATH3 = graphs.path_graph(3)
ROWS += [pytest.param(call, exc, match, id=name) for name, exc, match, call in [
    # --- trees (Chapter 12) --------------------------------------------------------------------------------
    ("trees.Tree-two-parents", ValueError, "node 1 has two parents", lambda: trees.Tree(3, ((0, 1), (1, 2)))),
    ("trees.Tree-list", ValueError, r"children must be a tuple of n_leaves − 1 = 1 pairs",
     lambda: trees.Tree(2, [(0, 1)])),
    ("trees.balanced-negative", ValueError, "depth must be at least 0", lambda: trees.balanced(-1)),
    ("trees.left_chain-zero", ValueError, "n_leaves must be at least 1", lambda: trees.left_chain(0)),
    ("trees.random_tree-rng", ValueError, "rng must be a numpy Generator", lambda: trees.random_tree(4, 0)),
    ("trees.check_tree-list", ValueError, "tree must be an rnnlab.trees.Tree", lambda: trees.check_tree([(0, 1)])),
    ("trees.depths-none", ValueError, "tree must be an rnnlab.trees.Tree", lambda: trees.depths(None)),
    ("trees.check_weights-x-rows", ValueError, r"x must have shape \(n_leaves, D\) with one row per leaf, n_leaves = 4",
     lambda: trees.check_weights(TREE, **{**TREE_ARGS, "x": np.ones((3, 2))})),
    ("trees.tree_forward-W_left", ValueError, r"W_left must have shape \(H, H\) = \(3, 3\); got \(3, 2\)",
     lambda: trees.tree_forward(TREE, **{**TREE_ARGS, "W_left": np.ones((3, 2))})),  # silent: a broadcast
    ("trees.tree_forward-nan", ValueError, "x contains NaN", lambda: trees.tree_forward(TREE, **{**TREE_ARGS,
                                                                                          "x": np.full((4, 2), np.nan)})),
    ("trees.tree_backward-cache", ValueError, "cache must be the TreeCache returned by tree_forward",
     lambda: trees.tree_backward(np.ones(3), None)),
    ("trees.tree_backward-dh_root", ValueError, r"dh_root must have shape \(H,\) = \(3,\); got \(2,\)",
     lambda: trees.tree_backward(np.ones(2), trees.tree_forward(TREE, **TREE_ARGS)[1])),
    ("trees.path_to_root-v", ValueError, "v must be at most 6", lambda: trees.path_to_root(TREE, 7)),
    ("trees.torch_gradients-dh_root", ValueError, r"dh_root must have shape \(H,\) = \(3,\)",
     lambda: trees.torch_gradients(np.ones(4), TREE, **TREE_ARGS)),
    # --- graphs (Chapter 12) -------------------------------------------------------------------------------
    ("graphs.check_adjacency-directed", ValueError, "A must be symmetric",
     lambda: graphs.check_adjacency(np.triu(np.ones((3, 3)), 1))),
    ("graphs.check_adjacency-weights", ValueError, "A must hold only 0 and 1",
     lambda: graphs.check_adjacency(0.5 * PATH3)),  # silent: a weighted graph read as an unweighted one
    ("graphs.check_adjacency-loops", ValueError, "A must have a zero diagonal",
     lambda: graphs.check_adjacency(np.ones((2, 2)))),
    ("graphs.path_graph-zero", ValueError, "n must be at least 1", lambda: graphs.path_graph(0)),
    ("graphs.tree_graph-deep", ValueError, "depth must be at most 10", lambda: graphs.tree_graph(11)),
    ("graphs.barbell_graph-bridges", ValueError, "bridges must be at most 3", lambda: graphs.barbell_graph(4, 4)),
    ("graphs.distances-rectangular", ValueError, r"A must be a square adjacency matrix \(n, n\)",
     lambda: graphs.distances(np.zeros((2, 3)))),
    ("graphs.mean_adjacency-nan", ValueError, "A contains NaN", lambda: graphs.mean_adjacency(PATH3 * np.nan)),
    ("graphs.check_layer-x", ValueError, r"x must have shape \(n, H\) with one row per node, n = 3",
     lambda: graphs.check_layer(PATH3, np.ones((2, 2)), np.eye(2), np.eye(2))),
    ("graphs.message_passing-float32", ValueError, "x must be a float64 tensor",
     lambda: graphs.message_passing(PATH3, torch.ones(3, 2), np.eye(2), np.eye(2), 1)),
    ("graphs.message_passing-K", ValueError, "K must be at least 0",
     lambda: graphs.message_passing(PATH3, np.ones((3, 2)), np.eye(2), np.eye(2), -1)),
    ("graphs.sensitivity-target", ValueError, "target must be at most 2",
     lambda: graphs.sensitivity(PATH3, np.ones((3, 2)), np.eye(2), np.eye(2), 2, target=3)),
    ("graphs.fixed_point-W_xh", ValueError, r"W_xh must have shape \(H, H\) = \(2, 2\)",
     lambda: graphs.fixed_point(PATH3, np.ones((3, 2)), np.eye(3), 0.5 * np.eye(2))),
    ("graphs.fixed_point_sensitivity-target", ValueError, "target must be at least 0",
     lambda: graphs.fixed_point_sensitivity(PATH3, np.ones((3, 2)), np.eye(2), 0.5 * np.eye(2), target=-1)),
]]


def _library_modules():
    """Every library module (sub-packages included), not the chapter layer, not the bench script (bench*)."""
    names = [m.name for m in pkgutil.walk_packages(rnnlab.__path__, "rnnlab.")]
    return [importlib.import_module(n) for n in names
            if not n.startswith(("rnnlab.chapters", "rnnlab.bench")) and n != "rnnlab._reused_figure"
            and not n.endswith("__main__")]


# Rows of the first edition's modules are named "function-case"; later modules' rows "module.function-case".
FIRST_EDITION = {m.__name__ for m in (activations, rnn, spectral, gradcheck, tasks, models, train, plotting, widgets,
                                      seeds, execute, _validate)}

@pytest.mark.parametrize("call, exception, match", ROWS)
def test_bad_call_fails_naming_the_argument(call, exception, match):
    with pytest.raises(exception, match=match):
        call()


def test_every_public_function_has_a_bad_call():
    """Each public function or class of every library module appears in a row id (style(), colab_metadata() and
    cpu_signature() take no input; NamedTuples are checked where they are used)."""
    ids = {p.id.split("-")[0] for p in ROWS}
    missing = []
    for m in _library_modules():
        short = m.__name__.removeprefix("rnnlab.")
        for name, value in vars(m).items():
            if (name.startswith("_") or not callable(value) or getattr(value, "__module__", None) != m.__name__
                    or name in ("style", "colab_metadata", "cpu_signature") or (isinstance(value, type) and issubclass(value, tuple))):
                continue
            if f"{short}.{name}" not in ids and not (m.__name__ in FIRST_EDITION and name in ids):
                missing.append(f"{short}.{name}")
    assert missing == [], f"public functions without a bad-call row: {missing}"


@pytest.mark.parametrize("f", ELEMENTWISE, ids=lambda f: f.__name__)
def test_extreme_valid_inputs_give_the_limit_without_a_warning(f):
    a = np.array([-1e308, -np.inf, 0.0, 5e-324, 1e308, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(a)
        assert f(1e308) == out[4] and f(-1e308) == out[0]
    assert out.shape == a.shape and not np.any(np.isnan(out))


def test_tanh_prime_of_huge_inputs_is_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert activations.tanh_prime(1e308) == 0.0 and activations.tanh_prime(-1e308) == 0.0
        np.testing.assert_array_equal(activations.tanh_prime([8.9e307, 1e308, np.inf]), 0.0)


def test_values_that_were_valid_stay_valid():
    """0-d arrays stand for scalars, integers for floats, torch tensors without grad for arrays: same results."""
    assert np.array_equal(spectral.gaussian(3, RNG(1), scale=np.array(2.0)), spectral.gaussian(3, RNG(1), scale=2.0))
    assert activations.steps_until_below(np.array(0.25), 1e-6) == 10
    assert train.TrainConfig(lr=np.array(0.1), steps=np.array(5)) == train.TrainConfig(lr=0.1, steps=5)
    h_int, _ = rnn.rnn_forward(**_params(x=np.ones((N, T, D), dtype=int)))
    h_float, _ = rnn.rnn_forward(**_params())
    assert np.array_equal(h_int, h_float)
    t = torch.linspace(-3, 3, 7)
    assert np.array_equal(activations.tanh(t), activations.tanh(t.numpy()))
    assert np.array_equal(activations.sigmoid([1, 2.5, -np.inf]), activations.sigmoid(np.array([1, 2.5, -np.inf])))
    assert plotting.classify(np.float32(2.0)) == plotting.WITHIN
    assert plotting.classify(np.array(np.nan)) == plotting.EXPLODED
    assert plotting.classify(np.inf) == plotting.EXPLODED and plotting.classify(0.0) == plotting.VANISHED
    assert seeds.over_seeds(lambda s: np.array(float(s)), [3, 1]).values == (3.0, 1.0)
    assert widgets.Slider("w", "w", np.array(0), 5, 1, 2).integer
    assert len(rnn.rnn_forward(**_params(x=np.ones((N, T, 0)), W_xh=np.ones((H, 0))))[0]) == N  # D = 0: no input
    assert spectral.jacobian_product_norms(np.ones((0, 2, 2))).shape == (1,)  # T = 0: the empty product
    uint8 = tasks.Batch(FIRST.x, FIRST.y.to(torch.uint8))
    assert train.evaluate(_classifier(), uint8) == train.evaluate(_classifier(), FIRST)
