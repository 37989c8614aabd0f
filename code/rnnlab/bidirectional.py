"""Bidirectional RNN and LSTM: two ordinary recurrent networks, one reading the sequence backwards.

Schuster & Paliwal (1997) train a network "simultaneously in positive and negative time direction"
(FACTS-PART2 §6). With → the forward and ← the reverse direction, each with its own weights:

    h→_t = φ(W→_hh h→_{t-1} + W→_xh x_t + b→),   t = 1..T,   from h→_0
    h←_t = φ(W←_hh h←_{t+1} + W←_xh x_t + b←),   t = T..1,   from h←_{T+1} (torch calls it h_0[1])
    output_t = [h→_t ; h←_t]                                                            (eq-birnn)

(the LSTM: ``rnnlab.lstm``'s update in both directions). The reverse direction is the ordinary network run on
x_T..x_1 and reversed back: the code flips the time axis around ``rnnlab.rnn`` / ``rnnlab.lstm``'s forward and
backward functions and adds the two directions' ∂L/∂x_t. Layout as torch's ``bidirectional=True`` modules, batch
first: ``output[..., :H]`` forward, ``output[..., H:]`` reverse; initial states (2, N, H), row 0 forward; torch's
parameter names (``weight_ih_l0``, ``weight_ih_l0_reverse``, …); torch's ``h_n`` is ``[h→_T ; h←_1]``, the last
step of the forward half and the *first* step of the reverse half of ``output``.

Biases: ``torch.nn.RNN`` adds two bias vectors, ``rnnlab.rnn`` one. ``from_torch`` maps ``b = bias_ih + bias_hh``
(both are added to the same pre-activation); ``to_torch`` puts ``b`` in ``bias_ih`` and zeros in ``bias_hh``.
The LSTM keeps torch's two biases, as ``rnnlab.lstm`` does.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_arrays, check_choice, check_input_and_state, check_shape
from . import lstm, rnn
from .lstm import lstm_backward, lstm_forward
from .rnn import rnn_backward, rnn_forward


class BiRNNParams(NamedTuple):
    """The parameters of both directions of a bidirectional vanilla RNN (torch's names with ``_reverse``)."""

    W_xh: np.ndarray  # (H, D)  forward direction, torch's weight_ih_l0
    W_hh: np.ndarray  # (H, H)  weight_hh_l0
    b: np.ndarray  # (H,)  bias_ih_l0 + bias_hh_l0
    W_xh_reverse: np.ndarray  # (H, D)  reverse direction, weight_ih_l0_reverse
    W_hh_reverse: np.ndarray  # (H, H)
    b_reverse: np.ndarray  # (H,)


class BiLSTMParams(NamedTuple):
    """The parameters of a one-layer bidirectional ``torch.nn.LSTM`` (gate order i, f, g, o), float64."""

    weight_ih: np.ndarray  # (4H, D)  forward direction
    weight_hh: np.ndarray  # (4H, H)
    bias_ih: np.ndarray  # (4H,)
    bias_hh: np.ndarray  # (4H,)
    weight_ih_reverse: np.ndarray  # (4H, D)  reverse direction
    weight_hh_reverse: np.ndarray  # (4H, H)
    bias_ih_reverse: np.ndarray  # (4H,)
    bias_hh_reverse: np.ndarray  # (4H,)


def _final(field):
    """torch's final ``h_n`` or ``c_n`` (2, N, H) = [last step forward, first step reverse] read from a cache."""
    return property(lambda self: np.stack([getattr(self.forward, field)[:, -1], getattr(self.reverse, field)[:, -1]]),
                    doc=f"torch's final {field}_n (2, N, H): [{field}→_T, {field}←_1].")


class BiRNNCache(NamedTuple):
    """What ``birnn_backward`` needs: the two directions' ``rnnlab.rnn.Cache`` (reverse in reversed time)."""

    forward: rnn.Cache
    reverse: rnn.Cache
    h_n = _final("h")


class BiLSTMCache(NamedTuple):
    """What ``bilstm_backward`` needs: the two directions' ``rnnlab.lstm.Cache`` (reverse in reversed time)."""

    forward: lstm.Cache
    reverse: lstm.Cache
    h_n, c_n = _final("h"), _final("c")


class BiRNNGrads(NamedTuple):
    """Gradients of the loss with respect to every input of ``birnn_forward``."""

    dx: np.ndarray  # (N, T, D)
    dh0: np.ndarray  # (2, N, H)
    dW_xh: np.ndarray  # (H, D)
    dW_hh: np.ndarray  # (H, H)
    db: np.ndarray  # (H,)
    dW_xh_reverse: np.ndarray  # (H, D)
    dW_hh_reverse: np.ndarray  # (H, H)
    db_reverse: np.ndarray  # (H,)


class BiLSTMGrads(NamedTuple):
    """Gradients of the loss with respect to every input of ``bilstm_forward``."""

    dx: np.ndarray  # (N, T, D)
    dh0: np.ndarray  # (2, N, H)
    dc0: np.ndarray  # (2, N, H)
    dweight_ih: np.ndarray  # (4H, D)
    dweight_hh: np.ndarray  # (4H, H)
    dbias_ih: np.ndarray  # (4H,)
    dbias_hh: np.ndarray  # (4H,)
    dweight_ih_reverse: np.ndarray  # (4H, D)
    dweight_hh_reverse: np.ndarray  # (4H, H)
    dbias_ih_reverse: np.ndarray  # (4H,)
    dbias_hh_reverse: np.ndarray  # (4H,)


_AXES = {BiRNNParams: ("HD", "HH", "H"), BiLSTMParams: ("GD", "GH", "G", "G")}  # G = 4H, the stacked gates


def _check_params(params, kind, H=None, D=None):
    """``params`` as a ``kind`` of checked float64 arrays; H and D from the arguments or from W_hh and W_xh."""
    n = len(kind._fields)
    if not isinstance(params, tuple) or len(params) != n:
        got = f"{type(params).__name__} of {len(params)}" if isinstance(params, tuple) else type(params).__name__
        raise ValueError(f"params must be a {kind.__name__} ({', '.join(kind._fields[:n // 2])} and the same "
                         f"with _reverse: {n} arrays), e.g. from from_torch; got {got}")
    names, axes = kind._fields, _AXES[kind] * 2
    if H is None:  # to_torch: the sizes from the forward direction's weights
        H, D = (as_array(names[i], params[i], ndim=2).shape[1] for i in (1, 0))
        if H < 1 or D < 1:
            raise ValueError(f"{names[1]} and {names[0]} must have H ≥ 1 and D ≥ 1 columns; got H = {H}, D = {D}")
    sizes = {"H": H, "D": D, "G": 4 * H}

    def spelled(ax):  # "GD" -> "(4H, D)", "H" -> "(H,)"
        return "(" + ", ".join("4H" if a == "G" else a for a in ax) + ("," if len(ax) == 1 else "") + ")"

    return kind(*check_arrays([(name, value, tuple(sizes[a] for a in ax), spelled(ax))
                               for name, value, ax in zip(names, params, axes)]))


def _check_states(x, h0, *cells):
    """Validate x (N, T, D), initial states h0 (2, N, H) and the LSTM's c0 like h0; return x, h0, cells, H, D."""
    h0 = as_array("h0", h0, ndim=3)
    if h0.shape[0] != 2:
        raise ValueError(f"h0 must have shape (2, N, H): row 0 for the forward direction, row 1 for the reverse "
                         f"one, as torch's bidirectional modules; got {h0.shape}")
    x, _, N, H, D = check_input_and_state("x", x, "h0[0]", h0[0])
    return x, h0, check_arrays([("c0", c, (2, N, H), "(2, N, H) like h0") for c in cells]), H, D


def _check_backward(d_output, cache, kind, forward):
    """Check ``cache`` (the ``kind`` that ``forward`` returns) and ``d_output`` (N, T, 2H); return N, H and the
    forward half and the reverse half of d_output, the latter in the reverse direction's time."""
    inner = rnn.Cache if kind is BiRNNCache else lstm.Cache
    if not isinstance(cache, kind) or not all(isinstance(c, inner) for c in cache) \
            or np.shape(cache.forward.h) != np.shape(cache.reverse.h):
        raise ValueError(f"cache must be the {kind.__name__} that {forward} returns (the second value of "
                         f"`output, cache = {forward}(...)`); got {type(cache).__name__}")
    N, T, H = cache.forward.h.shape
    d_output = as_array("d_output", d_output)
    check_shape("d_output", d_output, (N, T, 2 * H), "(N, T, 2H)")
    return N, H, d_output[..., :H], d_output[:, ::-1, H:]


def birnn_forward(x, h0, params, activation="tanh"):
    """The bidirectional vanilla RNN (eq-birnn): ``rnnlab.rnn.rnn_forward`` forwards and on the reversed sequence.

    Parameters
    ----------
    x : array, shape (N, T, D)
    h0 : array, shape (2, N, H)
        Initial states: ``h0[0]`` = h→_0 of the forward direction, ``h0[1]`` = h←_{T+1} of the reverse one.
    params : BiRNNParams
        ``(W_xh (H, D), W_hh (H, H), b (H,))`` of each direction, forward first.
    activation : str or Activation
        φ of both directions (torch's ``nonlinearity``: "tanh" or "relu").

    Returns
    -------
    output : array, shape (N, T, 2H)
        ``output[:, t-1] = [h→_t ; h←_t]``.
    cache : BiRNNCache
    """
    x, h0, _, H, D = _check_states(x, h0)
    params = _check_params(params, BiRNNParams, H, D)
    h_fwd, cache_fwd = rnn_forward(x, h0[0], *params[:3], activation=activation)  # (N, T, H)
    h_rev, cache_rev = rnn_forward(x[:, ::-1], h0[1], *params[3:], activation=activation)  # (N, T, H) x_T..x_1
    return np.concatenate([h_fwd, h_rev[:, ::-1]], axis=2), BiRNNCache(cache_fwd, cache_rev)


def birnn_backward(d_output, cache: BiRNNCache) -> BiRNNGrads:
    """Backpropagation through time in both directions, given ``d_output = ∂L/∂output`` (N, T, 2H).

    Each half of ``d_output`` goes to its own direction's ``rnn_backward``; x feeds both directions, so
    ``dx`` is the sum of the two. A loss on torch's ``h_n`` is a loss on ``output[:, -1, :H]`` and
    ``output[:, 0, H:]``: add its gradient there.

    Returns
    -------
    BiRNNGrads
        ``(dx (N, T, D), dh0 (2, N, H), dW_xh, dW_hh, db, dW_xh_reverse, dW_hh_reverse, db_reverse)``.
    """
    _, _, d_fwd, d_rev = _check_backward(d_output, cache, BiRNNCache, "birnn_forward")
    g_fwd, g_rev = rnn_backward(d_fwd, cache.forward), rnn_backward(d_rev, cache.reverse)
    return BiRNNGrads(g_fwd.dx + g_rev.dx[:, ::-1], np.stack([g_fwd.dh0, g_rev.dh0]), *g_fwd[2:], *g_rev[2:])


def bilstm_forward(x, h0, c0, params):
    """The bidirectional LSTM: ``rnnlab.lstm.lstm_forward`` forwards and on the reversed sequence (eq-birnn).

    Parameters
    ----------
    x : array, shape (N, T, D)
    h0, c0 : array, shape (2, N, H)
        Initial states and cells, row 0 for the forward direction, row 1 for the reverse one.
    params : BiLSTMParams
        ``(weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,))`` of each direction, forward first.

    Returns
    -------
    output : array, shape (N, T, 2H)
        ``output[:, t-1] = [h→_t ; h←_t]``; torch's ``(h_n, c_n)`` are ``cache.h_n``, ``cache.c_n``.
    cache : BiLSTMCache
    """
    x, h0, (c0,), H, D = _check_states(x, h0, c0)
    params = _check_params(params, BiLSTMParams, H, D)
    h_fwd, _, cache_fwd = lstm_forward(x, h0[0], c0[0], *params[:4])  # (N, T, H)
    h_rev, _, cache_rev = lstm_forward(x[:, ::-1], h0[1], c0[1], *params[4:])  # (N, T, H) over x_T..x_1
    return np.concatenate([h_fwd, h_rev[:, ::-1]], axis=2), BiLSTMCache(cache_fwd, cache_rev)


def bilstm_backward(d_output, cache: BiLSTMCache, dc_n=None) -> BiLSTMGrads:
    """Backpropagation through time in both directions of the LSTM.

    Parameters
    ----------
    d_output : array, shape (N, T, 2H)
        ``∂L/∂output``; a loss on torch's ``h_n`` adds to ``d_output[:, -1, :H]`` and ``d_output[:, 0, H:]``.
    cache : BiLSTMCache from ``bilstm_forward``
    dc_n : array, shape (2, N, H), or None
        ``∂L/∂c_n`` for a loss that reads torch's final cells ``c_n``.

    Returns
    -------
    BiLSTMGrads
        ``(dx (N, T, D), dh0 (2, N, H), dc0 (2, N, H), the four parameter gradients forward, then reverse)``.
    """
    N, H, d_fwd, d_rev = _check_backward(d_output, cache, BiLSTMCache, "bilstm_forward")
    dc_n = np.zeros((2, N, H)) if dc_n is None else as_array("dc_n", dc_n)
    check_shape("dc_n", dc_n, (2, N, H), "(2, N, H)")
    g_fwd = lstm_backward(d_fwd, cache.forward, dc_T=dc_n[0])
    g_rev = lstm_backward(d_rev, cache.reverse, dc_T=dc_n[1])
    return BiLSTMGrads(g_fwd.dx + g_rev.dx[:, ::-1], np.stack([g_fwd.dh0, g_rev.dh0]),
                       np.stack([g_fwd.dc0, g_rev.dc0]), *g_fwd[3:], *g_rev[3:])


_TORCH_NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def from_torch(module):
    """The float64 parameters of a one-layer bidirectional ``torch.nn.RNN`` or ``torch.nn.LSTM`` (copies).

    Returns ``BiRNNParams`` with ``b = bias_ih + bias_hh`` for an RNN (pass ``activation=module.nonlinearity``
    to ``birnn_forward``), ``BiLSTMParams`` for an LSTM. A module built with ``bias=False`` gives zero biases.
    """
    import torch

    if not isinstance(module, (torch.nn.RNN, torch.nn.LSTM)):
        raise ValueError(f"module must be a torch.nn.RNN or torch.nn.LSTM; got {type(module).__name__}")
    if not module.bidirectional:
        raise ValueError(f"module must be bidirectional (bidirectional=True); got a unidirectional "
                         f"{type(module).__name__}: use rnnlab.lstm.from_torch or one direction of rnnlab.rnn")
    if module.num_layers != 1 or getattr(module, "proj_size", 0) != 0:
        raise ValueError(f"module must have num_layers=1 (and proj_size=0); got num_layers={module.num_layers}, "
                         f"proj_size={getattr(module, 'proj_size', 0)}")
    rows = 4 * module.hidden_size if isinstance(module, torch.nn.LSTM) else module.hidden_size
    got = [[getattr(module, name + suffix, None) for name in _TORCH_NAMES] for suffix in ("", "_reverse")]
    directions = [[np.zeros(rows) if p is None else p.detach().cpu().to(torch.float64).numpy().copy() for p in d]
                  for d in got]  # bias=False: torch registers no biases and adds nothing
    if isinstance(module, torch.nn.LSTM):
        return BiLSTMParams(*directions[0], *directions[1])
    return BiRNNParams(*(p for W_ih, W_hh, b_ih, b_hh in directions for p in (W_ih, W_hh, b_ih + b_hh)))


def to_torch(params, activation="tanh"):
    """A float64 bidirectional ``torch.nn.RNN`` (from ``BiRNNParams``) or ``torch.nn.LSTM`` (from ``BiLSTMParams``),
    one layer, ``batch_first=True``, carrying ``params``. An RNN gets ``bias_ih = b``, ``bias_hh = 0`` and
    ``nonlinearity=activation`` ("tanh" or "relu"); an LSTM takes no activation.
    """
    import torch

    if not isinstance(params, tuple) or len(params) not in (6, 8):
        got = f"{type(params).__name__} of {len(params)}" if isinstance(params, tuple) else type(params).__name__
        raise ValueError("params must be a BiRNNParams (6 arrays) or a BiLSTMParams (8 arrays), e.g. from "
                         f"from_torch; got {got}")
    is_lstm = len(params) == 8
    params = _check_params(params, BiLSTMParams if is_lstm else BiRNNParams)
    H, D = params[1].shape[1], params[0].shape[1]
    activation = check_choice("activation", activation, {"tanh"} if is_lstm else {"tanh", "relu"})  # LSTM: fixed
    extra = {} if is_lstm else {"nonlinearity": activation}
    module = (torch.nn.LSTM if is_lstm else torch.nn.RNN)(D, H, batch_first=True, bidirectional=True,
                                                        dtype=torch.float64, **extra)
    values = list(params) if is_lstm else [v for W, U, b in (params[:3], params[3:]) for v in (W, U, b, np.zeros_like(b))]
    with torch.no_grad():
        for name, value in zip([n + s for s in ("", "_reverse") for n in _TORCH_NAMES], values):
            getattr(module, name).copy_(torch.from_numpy(value))
    return module
