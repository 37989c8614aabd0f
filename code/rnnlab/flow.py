"""Measure gradient flow in any torch sequence model: the per-step total derivatives ∂L/∂h_t and their norms.

The quantity is Chapter 2's **total** derivative ∂L/∂h_t: every path from h_t to the loss, through h_{t+1}, …,
h_T (and, in a stack, through the layers above). A fused ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` call computes all
T steps inside one operation, so no h_t is a node of the autograd graph; ``output.retain_grad()`` on its output
gives only the **immediate** derivative ∂L/∂y_t (what the loss reads at step t directly), not what reaches h_t
from later steps. :func:`record` therefore runs the module one step at a time, layer by layer, with its own
weights (torch's ``gru_cell`` / ``rnn_tanh_cell``, the LSTM's step written out): the same outputs, and every
h_t^(ℓ) (and c_t^(ℓ)) a node. Usage, for a model whose ``model.lstm`` is an ``nn.LSTM`` (N batch, T time)::

    with flow.record(model.lstm) as runs:
        loss = loss_fn(model(x), y)            # the model's own forward, unchanged
    norms = flow.gradient_norms(loss, runs[0], layer=-1)    # (T,)
    fig = flow_plot.plot_gradient_flow(norms)

A bidirectional module (``bidirectional=True``) is two runs, one reading x_1..x_T and one reading x_T..x_1: each
is measured against its own past, and every result comes as a dict ``{"forward": …, "backward": …}`` (the
backward direction's entries in the order it reads, see :class:`Trajectory`), which ``plot_gradient_flow`` draws
as two curves. A user's own cell loop passes the list [h_1, …, h_T] it produced (e.g.
``models.RecurrentClassifier.forward(x, return_states=True)``) instead of ``runs[0]``. The largest singular value
of the step Jacobians, by Jacobian-vector products: ``rnnlab.flow_spectrum``; the one plotting call:
``rnnlab.flow_plot``.
"""
from __future__ import annotations

import contextlib
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validate import check_choice, check_int

RECURRENT = (nn.RNN, nn.LSTM, nn.GRU)
DIRECTIONS = ("forward", "backward")  # a bidirectional module's two runs, in torch's order


class Trajectory(NamedTuple):
    """What one stepwise run of an ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` produced, as autograd nodes.

    ``inputs[ℓ][t-1]`` (N, D_ℓ) is what layer ℓ read at step t (x_t for ℓ = 0, else h_t^(ℓ-1));
    ``h[ℓ][t]`` (N, H) is h_t^(ℓ) for t = 0..T (h[ℓ][0] is the initial state); ``c`` the same for the LSTM's
    cells c_t^(ℓ), None for RNN and GRU. Layers count from 0 (bottom) to K-1 (top, the module's output).

    A bidirectional module's run is the dict ``{"forward": Trajectory, "backward": Trajectory}``. The backward
    direction's lists run in the order it reads: its step s reads position T+1-s, so ``h[ℓ][s]`` is h←_{T+1-s}
    (``h[ℓ][0]`` its initial state) and its profiles, like the forward one's, end where its run ends. Layer
    ℓ > 0 of either direction reads [h→_t ; h←_t] (N, 2H).
    """

    inputs: list
    h: list
    c: list | None


def check_recurrent(rnn) -> nn.RNNBase:
    """``rnn`` must be an ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (one or two directions) that a stepwise run reproduces."""
    if not isinstance(rnn, RECURRENT):
        raise ValueError(f"rnn must be a torch.nn.RNN, nn.LSTM or nn.GRU; got {type(rnn).__name__} "
                         "(for your own cell loop, pass the list of states it produced to gradient_norms)")
    if getattr(rnn, "proj_size", 0):
        raise ValueError(f"rnn is an LSTM with proj_size={rnn.proj_size}, whose h_t = W_hr (o_t ⊙ tanh c_t) is "
                         "projected; the stepwise run implements the LSTM without W_hr: build it with proj_size=0")
    if rnn.dropout and rnn.training and rnn.num_layers > 1:
        raise ValueError(f"rnn has dropout={rnn.dropout} between layers and is in training mode; call "
                         "rnn.eval() (or build it with dropout=0) to measure its gradient flow")
    return rnn


def directions(rnn) -> tuple:
    """The runs of ``rnn``: ``("forward",)``, or ``("forward", "backward")`` for a bidirectional module."""
    return DIRECTIONS if check_recurrent(rnn).bidirectional else DIRECTIONS[:1]


def layer_weights(rnn, layer: int, direction: str = "forward") -> tuple:
    """``(weight_ih, weight_hh, bias_ih, bias_hh)`` of ``layer`` and ``direction`` (biases None when
    ``bias=False``); "backward" is the reverse direction of a bidirectional module (torch's ``_reverse`` weights)."""
    check_choice("direction", direction, directions(rnn))
    layer = check_int("layer", layer, low=-rnn.num_layers, high=rnn.num_layers - 1) % rnn.num_layers
    suffix = "_reverse" if direction == "backward" else ""
    return tuple(getattr(rnn, f"{name}_l{layer}{suffix}", None)
                 for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def cell_function(rnn):
    """torch's one-step cell for this module: ``cell(x_t, state, *weights) -> state``; an LSTM's state is (h, c)."""
    check_recurrent(rnn)
    if isinstance(rnn, nn.LSTM):
        return _lstm_cell
    if isinstance(rnn, nn.GRU):
        return torch.gru_cell
    return torch.rnn_tanh_cell if rnn.nonlinearity == "tanh" else torch.rnn_relu_cell


def _lstm_cell(x_t, state, weight_ih, weight_hh, bias_ih, bias_hh):
    """torch.nn.LSTM's step written out, so that h_t is computed from the node c_t on every device: the total
    ∂L/∂c_t then includes the path c_t → h_t (rnnlab.lstm's eq-lstm-dc), as a fused cell's would not."""
    h, c = state  # (N, H), (N, H)
    a = F.linear(x_t, weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh)  # (N, 4H)  gate order i, f, g, o
    i, f, g, o = a.chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # (N, H)
    return torch.sigmoid(o) * torch.tanh(c), c


def _initial_state(rnn, x, hx):
    """hx as torch takes it — h_0 (K·M, N, H) for M directions, or (h_0, c_0) for the LSTM — checked; zeros when
    None."""
    K, N, H = rnn.num_layers * len(directions(rnn)), x.shape[0], rnn.hidden_size
    lstm = isinstance(rnn, nn.LSTM)
    if hx is None:
        zeros = x.new_zeros(K, N, H)
        return (zeros, zeros) if lstm else (zeros, None)
    parts = hx if lstm else (hx,)
    names = ("hx[0] (h_0)", "hx[1] (c_0)") if lstm else ("hx",)
    if lstm and (not isinstance(hx, tuple) or len(hx) != 2):
        raise ValueError(f"hx of an LSTM must be a tuple (h_0, c_0); got {type(hx).__name__}")
    layers = "num_layers · 2" if rnn.bidirectional else "num_layers"
    for name, p in zip(names, parts):
        if not isinstance(p, torch.Tensor) or tuple(p.shape) != (K, N, H):
            got = tuple(p.shape) if isinstance(p, torch.Tensor) else type(p).__name__
            raise ValueError(f"{name} must be a tensor of shape ({layers}, N, H) = {(K, N, H)}; got {got}")
        if p.dtype != x.dtype:
            raise ValueError(f"{name} must have the module's dtype {x.dtype}, as x; got {p.dtype}")
    return (hx[0], hx[1]) if lstm else (hx, None)


def run_stepwise(rnn, x, hx=None):
    """Run ``rnn`` one step and one layer at a time, with its own weights; return what ``rnn(x, hx)`` returns.

    Parameters
    ----------
    rnn : torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU
        Any number of layers K, ``batch_first`` either way, one direction or two (M = 2, ``bidirectional=True``).
    x : torch.Tensor, shape (N, T, D) if ``rnn.batch_first`` else (T, N, D)
        The input sequence (of the module's dtype).
    hx : torch.Tensor (K·M, N, H), or a tuple (h_0, c_0) of two for the LSTM, or None (zeros); module's dtype

    Returns
    -------
    output : torch.Tensor, shape (N, T, M·H) or (T, N, M·H)
        The top layer's h_1..h_T (with two directions [h→_t ; h←_t]), as ``rnn(x, hx)[0]``.
    final : torch.Tensor (K·M, N, H), or (h_T, c_T) for the LSTM
        As ``rnn(x, hx)[1]``.
    trajectory : Trajectory, or a dict {"forward": Trajectory, "backward": Trajectory} with two directions
        Every h_t^(ℓ) (and c_t^(ℓ)) of the run: the nodes the total derivatives are taken with respect to.
    """
    rnn = check_recurrent(rnn)
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != rnn.input_size or 0 in x.shape:
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        order = "(N, T, D)" if rnn.batch_first else "(T, N, D)"
        raise ValueError(f"x must be a tensor of shape {order} with D = input_size = {rnn.input_size} and "
                         f"N, T ≥ 1 (batch_first={rnn.batch_first}); got {got}")
    if x.dtype != rnn.weight_hh_l0.dtype:
        raise ValueError(f"x must have the module's dtype {rnn.weight_hh_l0.dtype}; got {x.dtype}")
    x = x if rnn.batch_first else x.transpose(0, 1)  # (N, T, D)
    h0, c0 = _initial_state(rnn, x, hx)
    cell, K, names = cell_function(rnn), rnn.num_layers, directions(rnn)
    lstm = c0 is not None
    runs = {d: Trajectory([], [], [] if lstm else None) for d in names}
    layer_in = list(x.unbind(1))  # T × (N, D): what the bottom layer reads, in the order of time
    for layer in range(K):
        outputs = []
        for m, direction in enumerate(names):
            steps = layer_in if direction == "forward" else layer_in[::-1]  # in the order this direction reads
            i = layer * len(names) + m  # torch's order of h_0 and h_n: layer by layer, forward first
            h, c = h0[i], (c0[i] if lstm else None)
            h_list, c_list, weights = [h], [c], layer_weights(rnn, layer, direction)
            for x_t in steps:
                if lstm:
                    h, c = cell(x_t, (h, c), *weights)  # (N, H), (N, H)
                else:
                    h = cell(x_t, h, *weights)  # (N, H)
                h_list.append(h)
                c_list.append(c)
            run = runs[direction]
            run.inputs.append(steps)
            run.h.append(h_list)
            if lstm:
                run.c.append(c_list)
            outputs.append(h_list[1:] if direction == "forward" else h_list[:0:-1])  # back in the order of time
        # the layer above reads these very nodes (two directions: [h→_t ; h←_t], (N, 2H))
        layer_in = outputs[0] if len(names) == 1 else [torch.cat(pair, dim=1) for pair in zip(*outputs)]
    output = torch.stack(layer_in, dim=1 if rnn.batch_first else 0)  # (N, T, M·H) or (T, N, M·H)
    ends = [(run.h[layer][-1], run.c[layer][-1] if lstm else None) for layer in range(K) for run in runs.values()]
    h_n = torch.stack([h for h, _ in ends])  # (K·M, N, H)
    final = (h_n, torch.stack([c for _, c in ends])) if lstm else h_n
    return output, final, (runs["forward"] if len(names) == 1 else runs)


@contextlib.contextmanager
def record(rnn):
    """While active, every call of ``rnn`` runs step by step (:func:`run_stepwise`) and is recorded.

    Yields a list that receives one :class:`Trajectory` per call (a dict of two for a bidirectional module).
    The model around ``rnn`` needs no change; on exit the module's fused forward is back.
    """
    rnn = check_recurrent(rnn)
    if "forward" in vars(rnn):
        raise ValueError("rnn is already being recorded (record() calls cannot be nested on one module)")
    runs = []

    def forward(input, hx=None):
        output, final, trajectory = run_stepwise(rnn, input, hx)
        runs.append(trajectory)
        return output, final

    rnn.forward = forward  # an instance attribute shadows the class's fused forward
    try:
        yield runs
    finally:
        del rnn.forward


def _states(states, layer, state):
    """The list [s_1, …, s_T] of tensors (N, H) to differentiate with respect to."""
    check_choice("state", state, {"h", "c"})
    if isinstance(states, Trajectory):
        if state == "c" and states.c is None:
            raise ValueError("state='c' needs an LSTM's trajectory; RNN and GRU have no memory cell c_t")
        per_layer = states.h if state == "h" else states.c
        K = len(per_layer)
        layer = check_int("layer", layer, low=-K, high=K - 1)
        return per_layer[layer][1:]
    if state != "h" or layer != -1:
        raise ValueError("layer and state choose from a Trajectory; for your own list of states pass only the "
                         "list (e.g. the states of model(x, return_states=True))")
    if not isinstance(states, (list, tuple)) or not states or \
            not all(isinstance(s, torch.Tensor) and s.ndim == 2 for s in states):
        raise ValueError("states must be a Trajectory from record()/run_stepwise() or a non-empty list "
                         f"[h_1, …, h_T] of tensors (N, H); got {type(states).__name__}")
    return list(states)


def by_direction(states, measure):
    """``measure(states, "forward")`` for one run; for a bidirectional module's run, the dict
    ``{"forward": Trajectory, "backward": Trajectory}``, the dict of ``measure(run, direction)`` for each."""
    if not isinstance(states, dict):
        return measure(states, "forward")
    if set(states) != set(DIRECTIONS) or not all(isinstance(run, Trajectory) for run in states.values()):
        got = {k: type(v).__name__ for k, v in states.items()}
        raise ValueError("a bidirectional run must be the dict {'forward': Trajectory, 'backward': Trajectory} "
                         f"that record() or run_stepwise() gives; got {got}")
    return {direction: measure(states[direction], direction) for direction in DIRECTIONS}


def state_gradients(loss, states, layer: int = -1, state: str = "h"):
    """The total derivatives ∂L/∂s_t for t = 1..T, as an array (N, T, H) of float64 (for a bidirectional
    module's run, the dict ``{"forward": (N, T, H), "backward": (N, T, H)}``, see :class:`Trajectory`).

    Parameters
    ----------
    loss : torch.Tensor
        A scalar computed from the run's output.
    states : Trajectory, dict of two Trajectory, or list of torch.Tensor
        A :class:`Trajectory` or a bidirectional run's dict of two (then ``layer`` and ``state`` — "h" or the
        LSTM's "c" — choose its states), or your own cell loop's list [h_1, …, h_T] of (N, H) tensors, each a
        node the loss depends on.
    layer : int
        Which layer of the Trajectory (0 bottom; -1, the default, the top layer, whose h_t is the output).
    state : {"h", "c"}

    Notes
    -----
    The model's parameter gradients (``.grad``) are not touched; the graph is kept (``retain_graph``), so
    several calls on one loss measure several layers.
    """
    if isinstance(states, dict):
        return by_direction(states, lambda run, _: state_gradients(loss, run, layer, state))
    seq = _states(states, layer, state)
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1 or not loss.requires_grad:
        raise ValueError(f"loss must be a scalar torch tensor computed from the model's output; got {loss!r}")
    if not all(s.requires_grad for s in seq):
        raise ValueError("the states do not require grad: the parameters (or h_0) must have requires_grad=True "
                         "for ∂L/∂h_t to exist")
    grads = torch.autograd.grad(loss, seq, retain_graph=True, allow_unused=True)  # T × (N, H)
    if all(g is None for g in grads):
        raise ValueError("the loss does not depend on any of the states: pass the states (or Trajectory) of the "
                         "run that computed the loss")
    grads = [torch.zeros_like(s) if g is None else g for s, g in zip(seq, grads)]  # h_t the loss never reads
    return torch.stack(grads, dim=1).detach().cpu().double().numpy()  # (N, T, H)


def gradient_norms(loss, states, layer: int = -1, state: str = "h"):
    """Mean over the batch of the total-derivative norms, (1/N) Σ_n ‖∂L/∂s_t^(n)‖, t = 1..T; shape (T,).

    Arguments as :func:`state_gradients`. With a loss summed over sequences each norm is that of one sequence's
    own ∂L_n/∂h_t (as ``models.hidden_gradient_norms``); with a mean-reduced loss every norm is 1/N as large.
    A bidirectional module's run gives ``{"forward": (T,), "backward": (T,)}``, which ``plot_gradient_flow``
    draws as two curves.
    """
    return by_direction(states, lambda run, _: np.linalg.norm(state_gradients(loss, run, layer, state),
                                                               axis=2).mean(axis=0))
