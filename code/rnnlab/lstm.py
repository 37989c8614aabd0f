"""The LSTM in PyTorch's formulation: forward pass, BPTT and truncated BPTT, and loading ``torch.nn.LSTM``.

Column-vector equations (N batch, T time, D input size, H hidden size; σ the logistic sigmoid):

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh,   a_t = (a_i | a_f | a_g | a_o), four blocks of H  (eq-lstm-pre)
    i_t = σ(a_i),  f_t = σ(a_f),  g_t = tanh(a_g),  o_t = σ(a_o)                                   (eq-lstm-gates)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t,   h_t = o_t ⊙ tanh(c_t)                                         (eq-lstm-state)

with ``weight_ih (4H, D)``, ``weight_hh (4H, H)``, ``bias_ih (4H,)``, ``bias_hh (4H,)`` laid out as
``torch.nn.LSTM``'s ``weight_ih_l0`` etc. (gate order i, f, g, o; see FACTS-PART2 §3). Backward (Chapter 7,
§7.3), with the total derivatives h̄_t = ∂L/∂h_t (``dh``) and c̄_t = ∂L/∂c_t (``dc``) as columns:

    h̄_t = ∂L_t/∂h_t + W_hhᵀ δ_{t+1}                                                 (eq-lstm-recursion)
    c̄_t = f_{t+1} ⊙ c̄_{t+1} + h̄_t ⊙ o_t ⊙ (1 − tanh²c_t)                             (eq-lstm-dc)
    δ^i_t = c̄_t ⊙ g_t ⊙ i_t(1−i_t),  δ^f_t = c̄_t ⊙ c_{t-1} ⊙ f_t(1−f_t),
    δ^g_t = c̄_t ⊙ i_t ⊙ (1−g_t²),    δ^o_t = h̄_t ⊙ tanh(c_t) ⊙ o_t(1−o_t)             (eq-lstm-delta)
    ∂L/∂W_ih = Σ_t δ_t x_tᵀ,  ∂L/∂W_hh = Σ_t δ_t h_{t-1}ᵀ,  ∂L/∂b_ih = ∂L/∂b_hh = Σ_t δ_t,
    ∂L/∂x_t = W_ihᵀ δ_t,  ∂L/∂h_0 = W_hhᵀ δ_1,  ∂L/∂c_0 = f_1 ⊙ c̄_1             (eq-lstm-param)

with δ_t = (δ^i_t | δ^f_t | δ^g_t | δ^o_t) = ∂L/∂a_t (4H), δ_{T+1} = 0 and f_{T+1} ⊙ c̄_{T+1} replaced by
∂L/∂c_T of a loss that reads the final cell (``dc_T``, else 0). The term f_{t+1} ⊙ c̄_{t+1} is the direct path,
the constant error carousel when f = 1.

API as ``rnnlab.rnn`` (CS231n style): pure functions; forward returns a cache for backward. Rows are
examples, so ``W h`` becomes ``h @ W.T``. Loss ``L = Σ_t L_t``. Step Jacobians: ``rnnlab.lstm_jacobian``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_arrays, check_dims, check_input_and_state, check_int, check_shape
from .activations import sigmoid


class Params(NamedTuple):
    """The parameters of a one-layer ``torch.nn.LSTM``, as float64 numpy arrays."""

    weight_ih: np.ndarray  # (4H, D)  (W_ii | W_if | W_ig | W_io)
    weight_hh: np.ndarray  # (4H, H)  (W_hi | W_hf | W_hg | W_ho)
    bias_ih: np.ndarray  # (4H,)
    bias_hh: np.ndarray  # (4H,)


class Cache(NamedTuple):
    """What ``lstm_backward`` needs from ``lstm_forward``."""

    x: np.ndarray  # (N, T, D) inputs x_1..x_T
    h0: np.ndarray  # (N, H) initial state h_0
    c0: np.ndarray  # (N, H) initial cell c_0
    h: np.ndarray  # (N, T, H) states h_1..h_T
    c: np.ndarray  # (N, T, H) cells c_1..c_T
    gates: np.ndarray  # (N, T, 4H) activated gates (i | f | g | o)
    weight_ih: np.ndarray  # (4H, D)
    weight_hh: np.ndarray  # (4H, H)


class Grads(NamedTuple):
    """Gradients of the loss L with respect to every input of ``lstm_forward``."""

    dx: np.ndarray  # (N, T, D)
    dh0: np.ndarray  # (N, H)
    dc0: np.ndarray  # (N, H)
    dweight_ih: np.ndarray  # (4H, D)
    dweight_hh: np.ndarray  # (4H, H)
    dbias_ih: np.ndarray  # (4H,)
    dbias_hh: np.ndarray  # (4H,)


def check_params(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    """Validate x (N, T, D), h0 and c0 (N, H) and the parameters; D from x, N and H from h0."""
    x, h0, N, H, D = check_input_and_state("x", x, "h0", h0)
    c0 = as_array("c0", c0)
    check_shape("c0", c0, (N, H), "(N, H) like h0")
    return [x, h0, c0] + check_arrays([
        ("weight_ih", weight_ih, (4 * H, D), "(4H, D)"), ("weight_hh", weight_hh, (4 * H, H), "(4H, H)"),
        ("bias_ih", bias_ih, (4 * H,), "(4H,)"), ("bias_hh", bias_hh, (4 * H,), "(4H,)")])


_CACHE_DIMS = {"x": "NTD", "h0": "NH", "c0": "NH", "h": "NTH", "c": "NTH", "gates": "NTG", "weight_ih": "GD",
               "weight_hh": "GH"}


def check_cache(cache) -> Cache:
    """Check that ``cache`` is the Cache that ``lstm_forward`` returns, with consistent shapes."""
    if not isinstance(cache, Cache):
        raise ValueError("cache must be the Cache that lstm_forward returns (the third value of "
                         f"`h, c, cache = lstm_forward(...)`); got {type(cache).__name__}")
    sizes = check_dims([(f"cache.{f}", getattr(cache, f), _CACHE_DIMS[f]) for f in cache._fields])
    if sizes["G"] != 4 * sizes["H"]:
        raise ValueError(f"cache.gates must have shape (N, T, 4H) with H = {sizes['H']}; got {cache.gates.shape}")
    return cache


def lstm_forward(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    """Run the LSTM over a sequence (eq-lstm-pre, eq-lstm-gates, eq-lstm-state) for t = 1..T.

    Parameters
    ----------
    x : array, shape (N, T, D)
        Inputs x_1..x_T.
    h0, c0 : array, shape (N, H)
        Initial state h_0 and cell c_0.
    weight_ih : array, shape (4H, D)
    weight_hh : array, shape (4H, H)
    bias_ih, bias_hh : array, shape (4H,)
        Gate order i, f, g, o, as ``torch.nn.LSTM`` (``*Params`` can be passed).

    Returns
    -------
    h : array, shape (N, T, H)
        States h_1..h_T (``h[:, -1]`` is torch's h_n).
    c : array, shape (N, T, H)
        Cells c_1..c_T (``c[:, -1]`` is torch's c_n).
    cache : Cache
    """
    x, h0, c0, W_ih, W_hh, b_ih, b_hh = check_params(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)
    N, T, _ = x.shape
    H = h0.shape[1]
    gates = x @ W_ih.T + b_ih + b_hh  # (N, T, 4H)  input part of every a_t, computed at once
    h, c = np.empty((N, T, H)), np.empty((N, T, H))
    h_prev, c_prev = h0, c0
    for t in range(T):
        a = gates[:, t] + h_prev @ W_hh.T  # (N, 4H)  (eq-lstm-pre)
        gates[:, t, :2 * H] = sigmoid(a[:, :2 * H])  # i, f  (eq-lstm-gates)
        gates[:, t, 2 * H:3 * H] = np.tanh(a[:, 2 * H:3 * H])  # g
        gates[:, t, 3 * H:] = sigmoid(a[:, 3 * H:])  # o
        i, f, g, o = np.split(gates[:, t], 4, axis=1)  # (N, H) each
        c[:, t] = f * c_prev + i * g  # (N, H)  (eq-lstm-state)
        h[:, t] = o * np.tanh(c[:, t])  # (N, H)  (eq-lstm-state)
        h_prev, c_prev = h[:, t], c[:, t]
    return h, c, Cache(x, h0, c0, h, c, gates, W_ih, W_hh)


def _step_backward(dh, dc_next, s, cache: Cache):
    """Back through step t = s + 1 (s 0-based), line by line as Chapter 7 derives it.

    ``dh`` (N, H) is h̄_t, the total ∂L/∂h_t; ``dc_next`` (N, H) is f_{t+1} ⊙ c̄_{t+1}, what reaches c_t
    from later steps. Returns δ_t (N, 4H), W_hhᵀ δ_t and f_t ⊙ c̄_t: the parts of h̄_{t-1} and c̄_{t-1}
    through step t.
    """
    i, f, g, o = np.split(cache.gates[:, s], 4, axis=1)  # (N, H) each
    c_prev = cache.c[:, s - 1] if s > 0 else cache.c0  # (N, H)  c_{t-1}
    tanh_c = np.tanh(cache.c[:, s])  # (N, H)
    dc = dc_next + dh * o * (1.0 - tanh_c ** 2)  # (N, H)  c̄_t  (eq-lstm-dc)
    delta_i = dc * g * i * (1.0 - i)  # (N, H)  (eq-lstm-delta)
    delta_f = dc * c_prev * f * (1.0 - f)  # (N, H)
    delta_g = dc * i * (1.0 - g ** 2)  # (N, H)
    delta_o = dh * tanh_c * o * (1.0 - o)  # (N, H)
    delta = np.concatenate([delta_i, delta_f, delta_g, delta_o], axis=1)  # (N, 4H)  δ_t = ∂L/∂a_t
    dh_prev = delta @ cache.weight_hh  # (N, H)  W_hhᵀ δ_t  (eq-lstm-recursion)
    dc_prev = dc * f  # (N, H)  f_t ⊙ c̄_t, the direct path  (eq-lstm-dc)
    return delta, dh_prev, dc_prev


def lstm_backward(dh, cache: Cache, truncate: int | None = None, dc_T=None) -> Grads:
    """Backpropagation through time for the LSTM, full or truncated.

    ``dh[:, t-1]`` holds the immediate derivative ``∂L_t/∂h_t``; a loss on the last step only is
    ``dh`` with zeros before T. ``dc_T`` (N, H), optional, is ``∂L_T/∂c_T`` for a loss that also reads the
    final cell (torch's c_n); the final state h_n is ``dh[:, -1]``.

    Truncated BPTT with ``truncate = k`` as ``rnnlab.rnn.rnn_backward``: each L_t back-propagates through at
    most k steps; its gradient is cut at ``(h_{t-k}, c_{t-k})`` (both treated as constants, like ``.detach()``
    in torch). ``(h_0, c_0)`` is never cut: L_t reaches ``dh0``, ``dc0`` exactly when t ≤ k. For T ≤ k this is
    full BPTT. Cost O(T·k).

    Parameters
    ----------
    dh : array, shape (N, T, H)
    cache : Cache
        From ``lstm_forward``.
    truncate : int ≥ 1 or None
        None for full BPTT, else the number of steps k each L_t back-propagates through.
    dc_T : array, shape (N, H), or None

    Returns
    -------
    Grads
        ``(dx (N, T, D), dh0 (N, H), dc0 (N, H), dweight_ih (4H, D), dweight_hh (4H, H), dbias_ih (4H,),
        dbias_hh (4H,))``.
    """
    cache = check_cache(cache)
    N, T, H = cache.h.shape
    dh = as_array("dh", dh)
    check_shape("dh", dh, (N, T, H), "(N, T, H)")
    dc_T = np.zeros((N, H)) if dc_T is None else as_array("dc_T", dc_T)
    check_shape("dc_T", dc_T, (N, H), "(N, H)")
    if truncate is not None:
        truncate = check_int("truncate", truncate, low=1)
    delta = np.zeros((N, T, 4 * H))  # δ_t = ∂L/∂a_t; Python index t holds step t+1

    if truncate is None:
        dh_next, dc_next = np.zeros((N, H)), dc_T  # W_hhᵀ δ_{t+1} and f_{t+1} ⊙ c̄_{t+1}; after T only dc_T
        for t in reversed(range(T)):  # h̄_t = ∂L_t/∂h_t + W_hhᵀ δ_{t+1}  (eq-lstm-recursion)
            delta[:, t], dh_next, dc_next = _step_backward(dh[:, t] + dh_next, dc_next, t, cache)
        dh0, dc0 = dh_next, dc_next  # W_hhᵀ δ_1 and f_1 ⊙ c̄_1  (eq-lstm-param)
    else:
        k = truncate
        dh0, dc0 = np.zeros((N, H)), np.zeros((N, H))
        for t in range(T):  # the loss L_{t+1} (0-based t)
            gh, gc = dh[:, t], (dc_T if t == T - 1 else np.zeros((N, H)))
            for s in range(t, max(t - k, -1), -1):  # at most k steps back, never below step 1
                d, gh, gc = _step_backward(gh, gc, s, cache)
                delta[:, s] += d
            if t < k:  # the chain reached step 1, so it continues into (h_0, c_0)
                dh0, dc0 = dh0 + gh, dc0 + gc

    h_prev = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)  # (N, T, H)  h_0..h_{T-1}
    dW_ih = np.tensordot(delta, cache.x, axes=([0, 1], [0, 1]))  # (4H, D)  Σ_t δ_t x_tᵀ  (eq-lstm-param)
    dW_hh = np.tensordot(delta, h_prev, axes=([0, 1], [0, 1]))  # (4H, H)  Σ_t δ_t h_{t-1}ᵀ  (eq-lstm-param)
    db = delta.sum(axis=(0, 1))  # (4H,)  Σ_t δ_t, the same for both biases  (eq-lstm-param)
    dx = delta @ cache.weight_ih  # (N, T, D)  W_ihᵀ δ_t  (eq-lstm-param)
    return Grads(dx, dh0, dc0, dW_ih, dW_hh, db, db.copy())


def from_torch(lstm) -> Params:
    """The parameters of a one-layer, unidirectional ``torch.nn.LSTM`` as float64 numpy arrays (copies)."""
    import torch

    if not isinstance(lstm, torch.nn.LSTM):
        raise ValueError(f"lstm must be a torch.nn.LSTM; got {type(lstm).__name__}")
    if lstm.num_layers != 1 or lstm.bidirectional or lstm.proj_size != 0:
        raise ValueError("lstm must have num_layers=1, bidirectional=False and proj_size=0; got "
                         f"num_layers={lstm.num_layers}, bidirectional={lstm.bidirectional}, "
                         f"proj_size={lstm.proj_size}")
    H = lstm.hidden_size
    zeros = torch.zeros(4 * H)  # bias=False: torch's LSTM adds nothing
    arrays = [lstm.weight_ih_l0, lstm.weight_hh_l0, getattr(lstm, "bias_ih_l0", zeros) if lstm.bias else zeros,
              getattr(lstm, "bias_hh_l0", zeros) if lstm.bias else zeros]
    return Params(*(a.detach().to(torch.float64).numpy().copy() for a in arrays))


def to_torch(params):
    """A float64 ``torch.nn.LSTM(D, H, batch_first=True)`` carrying ``params`` (an Params or 4-tuple)."""
    import torch

    if not isinstance(params, tuple) or len(params) != 4:
        raise ValueError("params must be an Params (weight_ih, weight_hh, bias_ih, bias_hh); "
                         f"got {type(params).__name__}")
    W_hh = as_array("weight_hh", params[1], ndim=2)
    if W_hh.shape[0] != 4 * W_hh.shape[1] or W_hh.shape[1] < 1:
        raise ValueError(f"weight_hh must have shape (4H, H) with H ≥ 1; got {W_hh.shape}")
    H = W_hh.shape[1]
    W_ih = as_array("weight_ih", params[0], ndim=2)
    if W_ih.shape[0] != 4 * H or W_ih.shape[1] < 1:
        raise ValueError(f"weight_ih must have shape (4H, D) with 4H = {4 * H} and D ≥ 1; got {W_ih.shape}")
    biases = [as_array(name, b) for name, b in zip(("bias_ih", "bias_hh"), params[2:])]
    for name, b in zip(("bias_ih", "bias_hh"), biases):
        check_shape(name, b, (4 * H,), "(4H,)")
    lstm = torch.nn.LSTM(W_ih.shape[1], H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for p, value in zip((lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0),
                            (W_ih, W_hh, *biases)):
            p.copy_(torch.from_numpy(value))
    return lstm
