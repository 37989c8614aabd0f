"""The vanilla RNN: forward pass, backpropagation through time (BPTT) and truncated BPTT.

Column-vector equations (the book's notation; N batch, T time, D input size, H hidden size):

    a_t = W_hh h_{t-1} + W_xh x_t + b,        h_t = φ(a_t)                           (eq-rnn-state)
    ∂L/∂h_{t-1} = ∂L_{t-1}/∂h_{t-1} + W_hhᵀ (φ'(a_t) ⊙ ∂L/∂h_t)                      (eq-bptt-recursion)
    ∂L/∂W_hh = Σ_t δ_t h_{t-1}ᵀ,  ∂L/∂W_xh = Σ_t δ_t x_tᵀ,  ∂L/∂b = Σ_t δ_t,
        with δ_t = ∂L/∂a_t = φ'(a_t) ⊙ ∂L/∂h_t                                       (eq-bptt-param)

with ``W_hh (H, H)``, ``W_xh (H, D)``, ``b (H,)`` laid out as torch.nn.RNN's ``weight_hh_l0`` and
``weight_ih_l0``. In code rows are examples, so ``W h`` becomes ``h @ W.T``. The per-step Jacobian is
``∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_hh``. The API follows CS231n's ``rnn_layers.py``: pure functions that
return a cache for the matching backward function. The loss is ``L = Σ_t L_t``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_arrays, check_dims, check_input_and_state, check_int, check_shape
from .activations import Activation, get_activation


class StepCache(NamedTuple):
    """What ``rnn_step_backward`` needs from ``rnn_step_forward``."""

    x_t: np.ndarray  # (N, D) input
    h_prev: np.ndarray  # (N, H) previous state h_{t-1}
    a_t: np.ndarray  # (N, H) pre-activation
    W_xh: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    activation: Activation


class Cache(NamedTuple):
    """What ``rnn_backward`` needs from ``rnn_forward``."""

    x: np.ndarray  # (N, T, D) inputs x_1..x_T
    h0: np.ndarray  # (N, H) initial state
    h: np.ndarray  # (N, T, H) states h_1..h_T
    a: np.ndarray  # (N, T, H) pre-activations a_1..a_T
    W_xh: np.ndarray  # (H, D)
    W_hh: np.ndarray  # (H, H)
    activation: Activation


class Grads(NamedTuple):
    """Gradients of the loss L with respect to every input of ``rnn_forward``."""

    dx: np.ndarray  # (N, T, D)
    dh0: np.ndarray  # (N, H)
    dW_xh: np.ndarray  # (H, D)
    dW_hh: np.ndarray  # (H, H)
    db: np.ndarray  # (H,)


def check_params(x_name, x, h_name, h, W_xh, W_hh, b):
    """Validate x (N, T, D) or x_t (N, D), a state (N, H) and the parameters; D from x, N and H from h."""
    x, h, N, H, D = check_input_and_state(x_name, x, h_name, h)
    W_xh, W_hh, b = check_arrays([("W_xh", W_xh, (H, D), "(H, D)"), ("W_hh", W_hh, (H, H), "(H, H)"),
                                  ("b", b, (H,), "(H,)")])
    return x, h, W_xh, W_hh, b


_CACHE_DIMS = {"x": "NTD", "h0": "NH", "h": "NTH", "a": "NTH", "x_t": "ND", "h_prev": "NH", "a_t": "NH",
               "W_xh": "HD", "W_hh": "HH"}


def _check_cache(cache, kind):
    """Check that ``cache`` is the ``kind`` (Cache or StepCache) its forward function returns, shapes consistent."""
    forward = "rnn_forward" if kind is Cache else "rnn_step_forward"
    if not isinstance(cache, kind):
        raise ValueError(f"cache must be the {kind.__name__} that {forward} returns (the second value of "
                         f"`h, cache = {forward}(...)`); got {type(cache).__name__}")
    if not isinstance(cache.activation, Activation):
        raise ValueError(f"cache.activation must be an Activation; got {cache.activation!r}")
    check_dims([(f"cache.{f}", getattr(cache, f), _CACHE_DIMS[f]) for f in cache._fields if f != "activation"])
    return cache


def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b, activation="tanh"):
    """One step ``h_t = φ(W_hh h_{t-1} + W_xh x_t + b)`` (eq-rnn-state).

    Parameters
    ----------
    x_t : array, shape (N, D)
    h_prev : array, shape (N, H)
        The previous state h_{t-1}.
    W_xh : array, shape (H, D)
    W_hh : array, shape (H, H)
    b : array, shape (H,)
    activation : str or Activation
        φ; one of the names in ``rnnlab.activations.ACTIVATIONS``.

    Returns
    -------
    h_t : array, shape (N, H)
    cache : StepCache
    """
    act = get_activation(activation)
    x_t, h_prev, W_xh, W_hh, b = check_params("x_t", x_t, "h_prev", h_prev, W_xh, W_hh, b)
    a_t = x_t @ W_xh.T + h_prev @ W_hh.T + b  # (N, H)  (eq-rnn-state)
    h_t = act.f(a_t)  # (N, H)
    return h_t, StepCache(x_t, h_prev, a_t, W_xh, W_hh, act)


def rnn_step_backward(dh_t, cache: StepCache):
    """Backward pass of one step, given ``dh_t = ∂L/∂h_t`` (N, H).

    Returns
    -------
    dx_t : (N, D);  dh_prev : (N, H);  dW_xh : (H, D);  dW_hh : (H, H);  db : (H,)
    """
    x_t, h_prev, a_t, W_xh, W_hh, act = _check_cache(cache, StepCache)
    dh_t = as_array("dh_t", dh_t)
    check_shape("dh_t", dh_t, a_t.shape, "(N, H)")
    da = dh_t * act.df(a_t)  # (N, H)  δ_t = φ'(a_t) ⊙ ∂L/∂h_t
    dh_prev = da @ W_hh  # (N, H)  (eq-bptt-recursion)
    dx_t = da @ W_xh  # (N, D)
    dW_xh = da.T @ x_t  # (H, D)  (eq-bptt-param)
    dW_hh = da.T @ h_prev  # (H, H)  (eq-bptt-param)
    db = da.sum(axis=0)  # (H,)  (eq-bptt-param)
    return dx_t, dh_prev, dW_xh, dW_hh, db


def rnn_forward(x, h0, W_xh, W_hh, b, activation="tanh"):
    """Run the RNN over a sequence: ``h_t = φ(W_hh h_{t-1} + W_xh x_t + b)`` for t = 1..T (eq-rnn-state).

    Parameters
    ----------
    x : array, shape (N, T, D)
        Inputs x_1..x_T.
    h0 : array, shape (N, H)
        Initial state h_0.
    W_xh : array, shape (H, D)
    W_hh : array, shape (H, H)
    b : array, shape (H,)
    activation : str or Activation
        φ; one of the names in ``rnnlab.activations.ACTIVATIONS``.

    Returns
    -------
    h : array, shape (N, T, H)
        States h_1..h_T (h_0 is not included).
    cache : Cache
    """
    act = get_activation(activation)
    x, h0, W_xh, W_hh, b = check_params("x", x, "h0", h0, W_xh, W_hh, b)
    T = x.shape[1]
    a = x @ W_xh.T + b  # (N, T, H)  input part of every a_t, computed at once
    h = np.empty_like(a)  # (N, T, H)
    h_prev = h0
    for t in range(T):
        a[:, t] += h_prev @ W_hh.T  # (N, H)  (eq-rnn-state)
        h[:, t] = act.f(a[:, t])  # (N, H)
        h_prev = h[:, t]
    return h, Cache(x, h0, h, a, W_xh, W_hh, act)


def rnn_backward(dh, cache: Cache, truncate: int | None = None) -> Grads:
    """Backpropagation through time, full or truncated.

    ``dh[:, t-1]`` holds the immediate derivative ``∂L_t/∂h_t`` of the per-step loss L_t; the loss is
    ``L = Σ_t L_t``. Full BPTT runs the recursion (eq-bptt-recursion) from t = T down to 1.

    Truncated BPTT with ``truncate = k``: each L_t back-propagates through at most k steps. Its gradient
    is cut at ``h_{t-k}`` (treated as a constant, like ``.detach()`` in torch), so L_t contributes to
    δ_s for s = t-k+1..t only. ``h_0`` is the input of the chain, never cut: L_t reaches ``dh0`` exactly
    when t ≤ k. For T ≤ k this is full BPTT. Cost O(T·k).

    Parameters
    ----------
    dh : array, shape (N, T, H)
        ``∂L_t/∂h_t`` for t = 1..T.
    cache : Cache
        From ``rnn_forward``.
    truncate : int ≥ 1 or None
        None for full BPTT, else the number of steps k each L_t back-propagates through.

    Returns
    -------
    Grads
        ``(dx (N, T, D), dh0 (N, H), dW_xh (H, D), dW_hh (H, H), db (H,))``.
    """
    x, h0, h, a, W_xh, W_hh, act = _check_cache(cache, Cache)
    N, T, H = h.shape
    dh = as_array("dh", dh)
    check_shape("dh", dh, (N, T, H), "(N, T, H)")
    if truncate is not None:
        truncate = check_int("truncate", truncate, low=1)
    dphi = act.df(a)  # (N, T, H)  φ'(a_t) for every t
    da = np.zeros_like(a)  # (N, T, H)  δ_t = ∂L/∂a_t; Python index t holds step t+1, as in dh, a and h

    if truncate is None:
        dh_next = np.zeros((N, H))  # ∂L/∂h_t through h_{t+1}; nothing after T
        for t in reversed(range(T)):
            dh_t = dh[:, t] + dh_next  # (N, H)  total ∂L/∂h_t  (eq-bptt-recursion)
            da[:, t] = dh_t * dphi[:, t]  # (N, H)  δ_t = φ'(a_t) ⊙ ∂L/∂h_t
            dh_next = da[:, t] @ W_hh  # (N, H)  W_hhᵀ δ_t, in row form  (eq-bptt-recursion)
        dh0 = dh_next  # (N, H)
    else:
        k = truncate
        dh0 = np.zeros((N, H))
        for t in range(T):  # the loss L_{t+1} (0-based t)
            g = dh[:, t]  # (N, H)  ∂L_{t+1}/∂h_{t+1}
            for s in range(t, max(t - k, -1), -1):  # at most k steps back, never below step 1
                d = g * dphi[:, s]  # (N, H)  this loss's share of δ_{s+1}
                da[:, s] += d
                g = d @ W_hh  # (N, H)  (eq-bptt-recursion)
            if t < k:  # the chain reached step 1, so it continues into h_0
                dh0 += g

    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (N, T, H)  h_0..h_{T-1}
    dW_hh = np.tensordot(da, h_prev, axes=([0, 1], [0, 1]))  # (H, H)  Σ_t δ_t h_{t-1}ᵀ  (eq-bptt-param)
    dW_xh = np.tensordot(da, x, axes=([0, 1], [0, 1]))  # (H, D)  Σ_t δ_t x_tᵀ  (eq-bptt-param)
    db = da.sum(axis=(0, 1))  # (H,)  Σ_t δ_t  (eq-bptt-param)
    dx = da @ W_xh  # (N, T, D)  W_xhᵀ δ_t
    return Grads(dx, dh0, dW_xh, dW_hh, db)


def bptt_contributions(dh_T, cache: Cache) -> np.ndarray:
    """Per-step terms of ``∂L_T/∂W_hh`` for a loss that depends on the last state h_T only.

    ``∂L_T/∂W_hh = Σ_{k=1}^{T} (∂L_T/∂h_k) ∂⁺h_k/∂W_hh = Σ_k δ_k h_{k-1}ᵀ``, where ∂⁺ is the immediate
    derivative (h_{k-1} held fixed) and ``∂L_T/∂h_k = (∂L_T/∂h_T)(∂h_T/∂h_k)``. Term k measures how much
    step k, which lies T − k steps before the loss, contributes. The terms sum to ``dW_hh`` of
    ``rnn_backward`` with ``dh[:, T-1] = dh_T`` and zeros elsewhere. For the size of each term take
    ``np.linalg.norm(C, axis=(1, 2))`` (Frobenius norm of each (H, H) slice).

    Parameters
    ----------
    dh_T : array, shape (N, H)
        ``∂L_T/∂h_T``.
    cache : Cache
        From ``rnn_forward``.

    Returns
    -------
    C : array, shape (T, H, H)
        ``C[k-1]`` is the term of step k, summed over the batch.
    """
    x, h0, h, a, W_xh, W_hh, act = _check_cache(cache, Cache)
    N, T, H = h.shape
    dh_T = as_array("dh_T", dh_T)
    check_shape("dh_T", dh_T, (N, H), "(N, H)")
    C = np.empty((T, H, H))
    g = dh_T  # (N, H)  ∂L_T/∂h_k, starting at k = T
    for t in reversed(range(T)):  # Python index t holds step k = t+1
        d = g * act.df(a[:, t])  # (N, H)  δ_k
        h_prev = h[:, t - 1] if t > 0 else h0  # (N, H)  h_{k-1}
        C[t] = d.T @ h_prev  # (H, H)  (eq-bptt-param), one term
        g = d @ W_hh  # (N, H)  (eq-bptt-recursion)
    return C


def step_jacobians(cache: Cache) -> np.ndarray:
    """Per-step Jacobians ``J_t = ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_hh`` for t = 1..T.

    Parameters
    ----------
    cache : Cache
        From ``rnn_forward``.

    Returns
    -------
    J : array, shape (N, T, H, H)
        ``J[n, t-1]`` is ``J_t`` for example n (the row index is the output unit of h_t).
        Memory is N·T·H²·8 bytes: 210 MB for N = 32, T = 200, H = 64.
    """
    dphi = _check_cache(cache, Cache).activation.df(cache.a)  # (N, T, H)
    return dphi[..., :, None] * cache.W_hh  # (N, T, H, H)  row i scaled by φ'(a_t)_i
