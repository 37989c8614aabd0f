"""The gated recurrent unit (GRU): forward pass, backpropagation through time and truncated BPTT.

PyTorch's formulation and parameter layout (``torch.nn.GRU``; N batch, T time, D input size, H hidden size):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)                                  (eq-gru-reset)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)                                  (eq-gru-update)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))                       (eq-gru-candidate)
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}                                           (eq-gru-state)

``weight_ih (3H, D)`` stacks (W_ir | W_iz | W_in), ``weight_hh (3H, H)`` stacks (W_hr | W_hz | W_hn), and the
biases ``bias_ih``, ``bias_hh`` (3H,) follow the same gate order r, z, n. The polarity is Cho et al. (2014),
arXiv 1406.1078, eqs. (5)–(8): z → 1 keeps the old state. Unlike the paper, r multiplies ``W_hn h + b_hn``
(PyTorch's "reset after"), not h before W_hn: a different function. In code rows are examples, so ``W h``
becomes ``h @ W.T``. The loss is ``L = Σ_t L_t``; the API mirrors ``rnnlab.rnn``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_arrays, check_dims, check_input_and_state, check_int, check_shape


class Params(NamedTuple):
    """The weights of a single-layer GRU, laid out as ``torch.nn.GRU``'s ``*_l0`` parameters."""

    weight_ih: np.ndarray  # (3H, D)  (W_ir | W_iz | W_in)
    weight_hh: np.ndarray  # (3H, H)  (W_hr | W_hz | W_hn)
    bias_ih: np.ndarray  # (3H,)  (b_ir | b_iz | b_in)
    bias_hh: np.ndarray  # (3H,)  (b_hr | b_hz | b_hn)


class Cache(NamedTuple):
    """What ``gru_backward`` and ``step_jacobians`` need from ``gru_forward``."""

    x: np.ndarray  # (N, T, D) inputs x_1..x_T
    h0: np.ndarray  # (N, H) initial state
    h: np.ndarray  # (N, T, H) states h_1..h_T
    r: np.ndarray  # (N, T, H) reset gates
    z: np.ndarray  # (N, T, H) update gates
    n: np.ndarray  # (N, T, H) candidates
    hn: np.ndarray  # (N, T, H) W_hn h_{t-1} + b_hn, the term r multiplies
    weight_ih: np.ndarray  # (3H, D)
    weight_hh: np.ndarray  # (3H, H)


class Grads(NamedTuple):
    """Gradients of the loss L with respect to every input of ``gru_forward``."""

    dx: np.ndarray  # (N, T, D)
    dh0: np.ndarray  # (N, H)
    dweight_ih: np.ndarray  # (3H, D)
    dweight_hh: np.ndarray  # (3H, H)
    dbias_ih: np.ndarray  # (3H,)
    dbias_hh: np.ndarray  # (3H,)


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # σ(a), without overflow for large |a|


def check_params(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    """Validate x (N, T, D), h0 (N, H) and the parameters; D from x, N and H from h0."""
    x, h0, N, H, D = check_input_and_state("x", x, "h0", h0)
    return x, h0, Params(*check_arrays([
        ("weight_ih", weight_ih, (3 * H, D), "(3H, D)"), ("weight_hh", weight_hh, (3 * H, H), "(3H, H)"),
        ("bias_ih", bias_ih, (3 * H,), "(3H,)"), ("bias_hh", bias_hh, (3 * H,), "(3H,)")]))


_CACHE_DIMS = {"x": "NTD", "h0": "NH", "h": "NTH", "r": "NTH", "z": "NTH", "n": "NTH", "hn": "NTH"}


def _check_cache(cache):
    """Check that ``cache`` is the Cache ``gru_forward`` returns, with consistent shapes."""
    if not isinstance(cache, Cache):
        raise ValueError("cache must be the Cache that gru_forward returns (the second value of "
                         f"`h, cache = gru_forward(...)`); got {type(cache).__name__}")
    sizes = check_dims([(f"cache.{f}", getattr(cache, f), dims) for f, dims in _CACHE_DIMS.items()])
    for f, cols in (("weight_ih", "D"), ("weight_hh", "H")):
        W, expected = getattr(cache, f), (3 * sizes["H"], sizes[cols])
        if not isinstance(W, np.ndarray) or W.shape != expected:
            got = W.shape if isinstance(W, np.ndarray) else type(W).__name__
            raise ValueError(f"cache.{f} must be a numpy array of shape (3H, {cols}) = {expected}; got {got}")
    return cache


def gru_forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    """Run the GRU over a sequence (eq-gru-reset … eq-gru-state) for t = 1..T.

    Parameters
    ----------
    x : array, shape (N, T, D)
        Inputs x_1..x_T.
    h0 : array, shape (N, H)
        Initial state h_0.
    weight_ih : array, shape (3H, D)
        (W_ir | W_iz | W_in), as ``torch.nn.GRU.weight_ih_l0``.
    weight_hh : array, shape (3H, H)
        (W_hr | W_hz | W_hn), as ``weight_hh_l0``.
    bias_ih, bias_hh : array, shape (3H,)
        As ``bias_ih_l0`` and ``bias_hh_l0``.

    Returns
    -------
    h : array, shape (N, T, H)
        States h_1..h_T (h_0 is not included).
    cache : Cache
    """
    x, h0, (W_ih, W_hh, b_ih, b_hh) = check_params(x, h0, weight_ih, weight_hh, bias_ih, bias_hh)
    N, T, _ = x.shape
    H = h0.shape[1]
    gi = x @ W_ih.T + b_ih  # (N, T, 3H)  input parts of all three gates, computed at once
    h, r, z, n, hn = (np.empty((N, T, H)) for _ in range(5))
    h_prev = h0
    for t in range(T):
        gh = h_prev @ W_hh.T + b_hh  # (N, 3H)  recurrent parts
        r[:, t] = _sigmoid(gi[:, t, :H] + gh[:, :H])  # (N, H)  (eq-gru-reset)
        z[:, t] = _sigmoid(gi[:, t, H:2 * H] + gh[:, H:2 * H])  # (N, H)  (eq-gru-update)
        hn[:, t] = gh[:, 2 * H:]  # (N, H)  W_hn h_{t-1} + b_hn
        n[:, t] = np.tanh(gi[:, t, 2 * H:] + r[:, t] * hn[:, t])  # (N, H)  (eq-gru-candidate)
        h[:, t] = (1.0 - z[:, t]) * n[:, t] + z[:, t] * h_prev  # (N, H)  (eq-gru-state)
        h_prev = h[:, t]
    return h, Cache(x, h0, h, r, z, n, hn, W_ih, W_hh)


def _step_backward(g, t, h_prev, cache):
    """Back through step t (0-based) given ``g = ∂L/∂h_t`` (N, H): returns (dgi, dgh, dh_prev).

    ``dgi`` (N, 3H) is ∂L/∂(W_ih x_t + b_ih) and ``dgh`` (N, 3H) is ∂L/∂(W_hh h_{t-1} + b_hh).
    """
    r, z, n, hn = cache.r[:, t], cache.z[:, t], cache.n[:, t], cache.hn[:, t]
    dn = g * (1.0 - z)  # (N, H)  (eq-gru-state)
    dz = g * (h_prev - n)  # (N, H)  (eq-gru-state)
    da_n = dn * (1.0 - n ** 2)  # (N, H)  tanh' (eq-gru-candidate)
    dr = da_n * hn  # (N, H)  (eq-gru-candidate)
    dhn = da_n * r  # (N, H)  (eq-gru-candidate): r scales W_hn h + b_hn
    da_r = dr * r * (1.0 - r)  # (N, H)  σ' (eq-gru-reset)
    da_z = dz * z * (1.0 - z)  # (N, H)  σ' (eq-gru-update)
    dgi = np.concatenate([da_r, da_z, da_n], axis=1)  # (N, 3H)
    dgh = np.concatenate([da_r, da_z, dhn], axis=1)  # (N, 3H)
    dh_prev = g * z + dgh @ cache.weight_hh  # (N, H)  direct path z_t plus the three gates
    return dgi, dgh, dh_prev


def gru_backward(dh, cache: Cache, truncate: int | None = None) -> Grads:
    """Backpropagation through time for the GRU, full or truncated (same semantics as ``rnn.rnn_backward``).

    ``dh[:, t-1]`` holds ``∂L_t/∂h_t``; the loss is ``L = Σ_t L_t`` (a loss on the last step only: zeros
    elsewhere). With ``truncate = k`` each L_t back-propagates through at most k steps: its gradient is cut at
    ``h_{t-k}`` (like ``.detach()`` in torch); ``h_0`` is never cut, so L_t reaches ``dh0`` exactly when
    t ≤ k. For T ≤ k this is full BPTT. Cost O(T·k).

    Parameters
    ----------
    dh : array, shape (N, T, H)
        ``∂L_t/∂h_t`` for t = 1..T.
    cache : Cache
        From ``gru_forward``.
    truncate : int ≥ 1 or None
        None for full BPTT, else the number of steps k each L_t back-propagates through.

    Returns
    -------
    Grads
        ``(dx (N, T, D), dh0 (N, H), dweight_ih (3H, D), dweight_hh (3H, H), dbias_ih (3H,), dbias_hh (3H,))``.
    """
    x, h0, h = _check_cache(cache)[:3]
    N, T, H = h.shape
    dh = as_array("dh", dh)
    check_shape("dh", dh, (N, T, H), "(N, T, H)")
    if truncate is not None:
        truncate = check_int("truncate", truncate, low=1)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (N, T, H)  h_0..h_{T-1}
    dgi = np.zeros((N, T, 3 * H))  # ∂L/∂(W_ih x_t + b_ih); Python index t holds step t+1
    dgh = np.zeros((N, T, 3 * H))  # ∂L/∂(W_hh h_{t-1} + b_hh)

    if truncate is None:
        dh_next = np.zeros((N, H))  # ∂L/∂h_t through h_{t+1}; nothing after T
        for t in reversed(range(T)):
            dgi[:, t], dgh[:, t], dh_next = _step_backward(dh[:, t] + dh_next, t, h_prev[:, t], cache)
        dh0 = dh_next  # (N, H)
    else:
        k = truncate
        dh0 = np.zeros((N, H))
        for t in range(T):  # the loss L_{t+1} (0-based t)
            g = dh[:, t]  # (N, H)  ∂L_{t+1}/∂h_{t+1}
            for s in range(t, max(t - k, -1), -1):  # at most k steps back, never below step 1
                di, dg, g = _step_backward(g, s, h_prev[:, s], cache)
                dgi[:, s] += di
                dgh[:, s] += dg
            if t < k:  # the chain reached step 1, so it continues into h_0
                dh0 += g

    dweight_ih = np.tensordot(dgi, x, axes=([0, 1], [0, 1]))  # (3H, D)  Σ_t dgi_t x_tᵀ
    dweight_hh = np.tensordot(dgh, h_prev, axes=([0, 1], [0, 1]))  # (3H, H)  Σ_t dgh_t h_{t-1}ᵀ
    dx = dgi @ cache.weight_ih  # (N, T, D)
    return Grads(dx, dh0, dweight_ih, dweight_hh, dgi.sum(axis=(0, 1)), dgh.sum(axis=(0, 1)))


def step_jacobians(cache: Cache) -> np.ndarray:
    """Per-step Jacobians ``J_t = ∂h_t/∂h_{t-1}`` of the GRU for t = 1..T.

    ``J_t = diag(z_t)                                          (direct path: h_t = … + z_t ⊙ h_{t-1})
          + diag((1 − z_t) ⊙ (1 − n_t²) ⊙ r_t) W_hn            (through the candidate)
          + diag((1 − z_t) ⊙ (1 − n_t²) ⊙ (W_hn h_{t-1} + b_hn) ⊙ r_t ⊙ (1 − r_t)) W_hr   (reset gate)
          + diag((h_{t-1} − n_t) ⊙ z_t ⊙ (1 − z_t)) W_hz``     (update gate).
    The direct term diag(z_t) carries the gradient past step t unattenuated as z_t → 1, with no weight
    matrix in it: the GRU's answer to vanishing gradients.

    Parameters
    ----------
    cache : Cache
        From ``gru_forward``.

    Returns
    -------
    J : array, shape (N, T, H, H)
        ``J[n, t-1]`` is ``J_t`` for example n (the row index is the output unit of h_t).
    """
    x, h0, h, r, z, n, hn, _, W_hh = _check_cache(cache)
    H = h0.shape[1]
    W_hr, W_hz, W_hn = W_hh[:H], W_hh[H:2 * H], W_hh[2 * H:]  # (H, H) each
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (N, T, H)
    dn = (1.0 - z) * (1.0 - n ** 2)  # (N, T, H)  ∂h_t/∂(candidate pre-activation)
    J = (dn * r)[..., None] * W_hn  # (N, T, H, H)
    J += (dn * hn * r * (1.0 - r))[..., None] * W_hr
    J += ((h_prev - n) * z * (1.0 - z))[..., None] * W_hz
    J += z[..., None] * np.eye(H)  # the direct path
    return J


def from_torch(gru) -> Params:
    """The float64 numpy ``Params`` of a single-layer, unidirectional ``torch.nn.GRU``.

    A GRU built with ``bias=False`` gives zero biases.
    """
    import torch

    if not isinstance(gru, torch.nn.GRU):
        raise ValueError(f"gru must be a torch.nn.GRU; got {type(gru).__name__}")
    if gru.num_layers != 1 or gru.bidirectional:
        raise ValueError("gru must have one layer and one direction (num_layers=1, bidirectional=False); "
                         f"got num_layers={gru.num_layers}, bidirectional={gru.bidirectional}")
    H = gru.hidden_size

    def get(name):
        p = getattr(gru, name, None)
        return np.zeros(3 * H) if p is None else p.detach().cpu().to(torch.float64).numpy().copy()

    return Params(get("weight_ih_l0"), get("weight_hh_l0"), get("bias_ih_l0"), get("bias_hh_l0"))


def to_torch(params) -> "torch.nn.GRU":
    """A float64 ``torch.nn.GRU(D, H, batch_first=True)`` carrying ``params`` (Params or a 4-tuple)."""
    import torch

    if not isinstance(params, tuple) or len(params) != 4:
        raise ValueError("params must be Params(weight_ih, weight_hh, bias_ih, bias_hh), e.g. from from_torch; "
                         f"got {type(params).__name__}")
    weight_hh = as_array("params.weight_hh", params[1], ndim=2)
    H = weight_hh.shape[1]
    if H < 1 or weight_hh.shape[0] != 3 * H:
        raise ValueError(f"params.weight_hh must have shape (3H, H) with H ≥ 1; got {weight_hh.shape}")
    weight_ih = as_array("params.weight_ih", params[0], ndim=2)
    check_shape("params.weight_ih", weight_ih, (3 * H, weight_ih.shape[1]), "(3H, D)")
    if weight_ih.shape[1] < 1:
        raise ValueError(f"params.weight_ih must have shape (3H, D) with D ≥ 1; got {weight_ih.shape}")
    bias_ih, bias_hh = (as_array(f"params.{f}", params[i]) for i, f in ((2, "bias_ih"), (3, "bias_hh")))
    check_shape("params.bias_ih", bias_ih, (3 * H,), "(3H,)")
    check_shape("params.bias_hh", bias_hh, (3 * H,), "(3H,)")
    gru = torch.nn.GRU(weight_ih.shape[1], H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for name, value in zip(Params._fields, (weight_ih, weight_hh, bias_ih, bias_hh)):
            getattr(gru, f"{name}_l0").copy_(torch.from_numpy(value))
    return gru
