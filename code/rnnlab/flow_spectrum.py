"""The largest singular value σ_max(J_t) of the step Jacobians along a trajectory, without forming J_t.

For a step ``s_t = step(s_{t-1}, x_t)`` the step Jacobian is J_t = ∂s_t/∂s_{t-1}, and σ_max(J_t) = ‖J_t‖₂ bounds
how much one step can amplify a gradient (Chapter 4: ‖∂h_T/∂h_{T-n}‖ ≤ ∏ σ_max(J_t)). Power iteration on JᵀJ
needs only two products per iteration — a Jacobian-vector product J u (forward mode, ``torch.func.jvp``)
and a vector-Jacobian product Jᵀ w (reverse mode, ``torch.func.vjp``) — so a layer of H units costs O(H²) per
vector and iteration instead of the O(H³) of an SVD of the formed (H, H) Jacobian. On a block U of k
orthonormal vectors (subspace iteration; k = 1 is the textbook power iteration u ← JᵀJu / ‖JᵀJu‖):

    W = J U,   σ ← σ_max(W) (an SVD of N·T small (H, k) matrices),   U ← qr(Jᵀ W),
    until |σ_i − σ_{i-1}| ≤ tol · σ_i.

The T steps of a batch of N sequences are done at once, as T·N rows of one batch: the step must treat the rows
of a batch independently (every recurrent cell does), so that the batch's Jacobian is block-diagonal. The start vector
is drawn from a seeded torch generator. For the LSTM the state is s = (h | c), 2H numbers, as in
``rnnlab.lstm_jacobian``.
"""
from __future__ import annotations

import warnings
from typing import Callable, NamedTuple

import numpy as np
import torch
from torch import nn

from ._validate import check_callable, check_float, check_int
from .flow import Trajectory, by_direction, cell_function, check_recurrent, layer_weights


class SigmaMax(NamedTuple):
    """σ_max(J_t) for every sequence and step, and how the power iteration got there."""

    values: np.ndarray  # (N, T) σ_max(J_t) of sequence n at step t (column t-1)
    iterations: np.ndarray  # (T,) iterations until every sequence met tol at step t (max_iter if not)
    converged: np.ndarray  # (T,) bool: the relative change fell below tol for every sequence


def step_function(rnn, layer: int = -1, direction: str = "forward") -> Callable:
    """The step ``s_t = step(s_{t-1}, x_t)`` of one layer of an ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``.

    ``s`` is h_t (N, H), or for the LSTM the concatenation (h_t | c_t) (N, 2H); ``x_t`` (N, D_ℓ) is what the
    layer reads (the input, or the layer below's h_t). The weights are the module's own, detached: measuring
    builds no graph. ``direction="backward"`` is the reverse direction of a bidirectional module.
    """
    rnn = check_recurrent(rnn)
    cell = cell_function(rnn)
    weights = tuple(None if w is None else w.detach() for w in layer_weights(rnn, layer, direction))
    H = rnn.hidden_size
    if isinstance(rnn, nn.LSTM):
        def step(s, x_t):
            h, c = cell(x_t, (s[:, :H], s[:, H:]), *weights)  # (N, H), (N, H)
            return torch.cat([h, c], dim=1)  # (N, 2H)
        return step
    return lambda s, x_t: cell(x_t, s, *weights)  # (N, H)


def top_singular_values(step, states, inputs, seed: int = 0, tol: float = 1e-10, max_iter: int = 1000,
                        block: int = 4) -> SigmaMax:
    """σ_max(J_t) of ``J_t = ∂ step(s, x_t)/∂s`` at ``s = states[t-1]``, t = 1..T, by power iteration on JᵀJ.

    Parameters
    ----------
    step : callable
        ``step(s, x_t) -> s_t``, tensors (N, S) and (N, D) -> (N, S), rows independent.
    states : list of torch.Tensor
        [s_0, …, s_{T-1}], each (N, S): where each Jacobian is taken. They may be nodes of a graph (e.g. the
        states of your own cell loop): they are detached, and no graph is built while measuring.
    inputs : list of torch.Tensor
        [x_1, …, x_T], each (N, D), same length as ``states``.
        Each state has the same shape (N, S), each input N rows; all of one floating-point dtype, that of
        ``step``'s weights.
    seed : int
        Seed of the random start vector.
    tol : float
        Stop when the relative change of every row's σ falls below ``tol`` (0 < tol < 1).
    max_iter : int
        At most this many iterations (``converged`` says, step by step, whether tol was reached).
    block : int
        Iterate on a block of this many orthonormal vectors (subspace iteration; 1 is plain power iteration).
        σ is the largest singular value of J restricted to the block, which converges to σ_max(J) at the rate
        (σ_{block+1}/σ_1)² per iteration instead of (σ_2/σ_1)²: much faster when the top singular values are
        close, as they are for an LSTM's (h, c) step.

    Returns
    -------
    SigmaMax
    """
    check_callable("step", step, "a function step(s, x_t) -> s_t")
    tol = check_float("tol", tol, low=0.0, high=1.0)
    if tol <= 0:
        raise ValueError(f"tol must be positive; got {tol}")
    max_iter = check_int("max_iter", max_iter, low=1)
    block = check_int("block", block, low=1)
    generator = torch.Generator().manual_seed(check_int("seed", seed, low=0, high=2**63 - 1))
    for name, seq in (("states", states), ("inputs", inputs)):
        if not isinstance(seq, (list, tuple)) or not seq or not all(isinstance(v, torch.Tensor) and v.ndim == 2
                                                                     for v in seq):
            raise ValueError(f"{name} must be a non-empty list of tensors (N, ·), one per step; got "
                             f"{type(seq).__name__}")
    if len(states) != len(inputs):
        raise ValueError(f"states and inputs must have one entry per step; got {len(states)} and {len(inputs)}")
    dtypes = {v.dtype for v in (*states, *inputs)}
    if len(dtypes) > 1 or not states[0].dtype.is_floating_point:
        raise ValueError("states and inputs must all have one floating-point dtype, that of step's weights; got "
                         f"{sorted(str(d) for d in dtypes)}")
    # no_grad: a user's step whose weights require grad (lambda h, x: m.cell(x, h)) builds no graph either
    with warnings.catch_warnings(), torch.no_grad():  # torch's first forward-mode call scripts with torch.jit
        warnings.filterwarnings("ignore", r".*torch\.jit\.script.* is deprecated", DeprecationWarning)
        return _power_iteration(step, states, inputs, generator, tol, max_iter, block)


def _power_iteration(step, states, inputs, generator, tol, max_iter, block) -> SigmaMax:
    """The loop of :func:`top_singular_values`, on checked arguments: all T steps at once, as T·N rows, each
    with ``block`` vectors (k), stacked as k·T·N rows of one batch."""
    T, N = len(states), states[0].shape[0]
    if any(v.shape != states[0].shape for v in states) or any(v.shape[0] != N for v in inputs):
        raise ValueError("every state must have the shape of states[0] and every input N rows; got "
                         f"{[tuple(v.shape) for v in states]} and {[tuple(v.shape) for v in inputs]}")
    s, x = torch.cat(states).detach(), torch.cat(inputs).detach()  # (R, S), (R, D): row t·N + n, R = T·N
    (R, S), k = s.shape, min(block, s.shape[1])
    s_k, x_k = s.repeat(k, 1), x.repeat(k, 1)  # (k·R, ·): copy j of row r is row j·R + r
    try:
        out, vjp_fn = torch.func.vjp(lambda v: step(v, x_k), s_k)
    except RuntimeError as err:  # e.g. float32 states into a float64 step: say which argument, then torch's words
        raise ValueError(f"step(s, x_t) failed on states {tuple(states[0].shape)} and inputs "
                         f"{tuple(inputs[0].shape)} of dtype {s.dtype}; are they the size and dtype of step's "
                         f"weights? torch says: {err}") from err
    if out.shape != s_k.shape:
        raise ValueError(f"step(s, x_t) must return a state of the shape of s {tuple(states[0].shape)}; got "
                         f"{tuple(out[:N].shape)}")
    Q = torch.linalg.qr(torch.randn((R, S, k), generator=generator, dtype=s.dtype)).Q  # (R, S, k) orthonormal
    sigma = torch.full((R,), float("inf"), dtype=s.dtype)
    done_at = torch.zeros(R, dtype=torch.long)  # first iteration at which a row met tol; 0: not yet
    for it in range(1, max_iter + 1):
        W = torch.func.jvp(lambda v: step(v, x_k), (s_k,), (Q.permute(2, 0, 1).reshape(k * R, S),))[1]  # J Q
        new = torch.linalg.svdvals(W.reshape(k, R, S).permute(1, 2, 0))[:, 0]  # (R,) σ_max(J Q) ≤ σ_max(J)
        Z = vjp_fn(W)[0].reshape(k, R, S).permute(1, 2, 0)  # (R, S, k)  Jᵀ J Q
        Q = torch.linalg.qr(Z).Q  # Householder QR: orthonormal even where J = 0
        met = (new - sigma).abs() <= tol * new
        done_at = torch.where((done_at == 0) & met, it, done_at)
        sigma = new
        if bool(torch.all(done_at > 0)):
            break
    done_at = done_at.reshape(T, N)
    converged = (done_at > 0).all(dim=1)  # (T,)
    iterations = torch.where(converged, done_at.max(dim=1).values, max_iter)  # (T,)
    return SigmaMax(sigma.reshape(T, N).T.double().numpy(), iterations.numpy(), converged.numpy())


def trajectory_sigma_max(rnn, trajectory, layer: int = -1, **options):
    """σ_max(J_t) of one layer of ``rnn`` along a recorded :class:`~rnnlab.flow.Trajectory`, t = 1..T.

    ``options`` are those of :func:`top_singular_values` (seed, tol, max_iter). For the LSTM, J_t is the
    Jacobian of (h_t, c_t) with respect to (h_{t-1}, c_{t-1}) (2H × 2H), as ``lstm_jacobian``. A bidirectional
    module's run (the dict of two trajectories) gives ``{"forward": SigmaMax, "backward": SigmaMax}``, each
    along its own direction's steps.
    """
    rnn = check_recurrent(rnn)
    if rnn.bidirectional != isinstance(trajectory, dict):
        raise ValueError(f"trajectory must be what flow.record() or flow.run_stepwise() recorded from rnn: "
                         f"{'a dict of two Trajectory' if rnn.bidirectional else 'a flow.Trajectory'}; got "
                         f"{type(trajectory).__name__}")
    return by_direction(trajectory, lambda run, direction: _sigma_max(rnn, run, layer, direction, options))


def _sigma_max(rnn, trajectory, layer, direction, options) -> SigmaMax:
    """:func:`trajectory_sigma_max` for one direction's run."""
    if not isinstance(trajectory, Trajectory):
        raise ValueError(f"trajectory must be a flow.Trajectory from flow.record() or flow.run_stepwise(); got "
                         f"{type(trajectory).__name__}")
    if trajectory.h[0][0].dtype != rnn.weight_hh_l0.dtype:
        raise ValueError(f"trajectory holds states of dtype {trajectory.h[0][0].dtype} but rnn's weights are "
                         f"{rnn.weight_hh_l0.dtype}: pass the trajectory recorded from this module")
    K = len(trajectory.h)
    if K != rnn.num_layers:
        raise ValueError(f"trajectory has {K} layers but rnn has num_layers = {rnn.num_layers}: pass the module "
                         "that produced it")
    layer = check_int("layer", layer, low=-K, high=K - 1)
    h = trajectory.h[layer][:-1]  # s_0..s_{T-1}
    states = h if trajectory.c is None else [torch.cat([a, b], dim=1) for a, b in zip(h, trajectory.c[layer][:-1])]
    return top_singular_values(step_function(rnn, layer, direction), states, trajectory.inputs[layer], **options)
