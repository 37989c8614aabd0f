"""Chapter 5, §5.3: three element-wise clippings of an RNN's gradient that are not the same operation.

For a loss at the last step only, BPTT writes ``∂L/∂W_hh = Σ_k C_k`` with one *temporal component* per step,
``C_k = δ_k h_{k-1}ᵀ`` (``rnn.bptt_contributions``; Pascanu et al. 2013, eq. 4). With a threshold v:

- ``value_clipped_sum``: clamp every entry of the summed gradient to [−v, v] (``torch.nn.utils.clip_grad_value_``);
- ``component_clipped_sum``: clamp every entry of every temporal component, then sum — Pascanu et al.'s words for
  Mikolov's method, "clipping the gradient's temporal components element-wise";
- ``error_clipped_bptt``: clamp every entry of the error ∂L/∂h_{k-1} as BPTT passes it back through W_hh, before
  it travels further — what Mikolov's RNNLM toolkit does (``rnnlmlib.cpp``, ``matrixXvector``: ``if
  (dest[a].er>15) dest[a].er=15;``, at every step of BPTT), a clipped error changing every older component.

Arrays follow ``rnn``: ``cache`` from ``rnn.rnn_forward``, ``dh_T`` (N, H) = ∂L/∂h_T, the result (H, H).
"""
from __future__ import annotations

import numpy as np

from .. import rnn
from .._validate import as_array, check_positive, check_shape


def _check(dh_T, cache, v):
    if not isinstance(cache, rnn.Cache):
        raise ValueError(f"cache must be the rnn.Cache returned by rnn.rnn_forward; got {type(cache).__name__}")
    dh_T = as_array("dh_T", dh_T, ndim=2)
    check_shape("dh_T", dh_T, (cache.h.shape[0], cache.h.shape[2]), "(N, H)")
    return dh_T, check_positive("v", v)


def components(dh_T, cache: rnn.Cache) -> np.ndarray:
    """The temporal components C_k of ∂L_T/∂W_hh, shape (T, H, H) (``rnn.bptt_contributions``)."""
    return rnn.bptt_contributions(dh_T, cache)


def value_clipped_sum(dh_T, cache: rnn.Cache, v: float) -> np.ndarray:
    """clip(Σ_k C_k, −v, v): value clipping of the finished gradient, as ``clip_grad_value_`` does."""
    dh_T, v = _check(dh_T, cache, v)
    return np.clip(components(dh_T, cache).sum(axis=0), -v, v)  # (H, H)


def component_clipped_sum(dh_T, cache: rnn.Cache, v: float) -> np.ndarray:
    """Σ_k clip(C_k, −v, v): every temporal component clipped element-wise before the sum."""
    dh_T, v = _check(dh_T, cache, v)
    return np.clip(components(dh_T, cache), -v, v).sum(axis=0)  # (H, H)


def error_clipped_bptt(dh_T, cache: rnn.Cache, v: float) -> np.ndarray:
    """∂L_T/∂W_hh by BPTT with the error passed back to each earlier state clipped to [−v, v] (Mikolov's RNNLM).

    The recursion of ``rnn.bptt_contributions`` with one change: ∂L/∂h_{k-1} = clip(W_hhᵀ δ_k, −v, v), entry by
    entry, before it is used for the older steps. The error at h_T itself is not clipped (RNNLM clips what
    ``matrixXvector`` propagates into the previous hidden state).
    """
    dh_T, v = _check(dh_T, cache, v)
    x, h0, h, a, W_xh, W_hh, act = cache
    g = dh_T  # (N, H)  ∂L_T/∂h_k, starting at k = T
    dW = np.zeros_like(W_hh)  # (H, H)
    for t in reversed(range(h.shape[1])):  # Python index t holds step k = t + 1
        d = g * act.df(a[:, t])  # (N, H)  δ_k
        dW += d.T @ (h[:, t - 1] if t > 0 else h0)  # (H, H)  δ_k h_{k-1}ᵀ
        g = np.clip(d @ W_hh, -v, v)  # (N, H)  the clipped error reaching h_{k-1}
    return dW
