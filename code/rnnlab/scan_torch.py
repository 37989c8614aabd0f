"""The scans of ``rnnlab.scan`` in torch (float64), differentiable by autograd.

Same recurrence h_t = a_t ⊙ h_{t-1} + b_t (eq-linear-recurrence), same operator and the same level schedules as the
numpy versions (they share the code of each level); every write is out of place, so autograd can follow a
gradient back through the scan and tests can compare ``rnnlab.scan.backward`` with it.
"""
from __future__ import annotations

import numpy as np
import torch

from .scan import _block, _blelloch, _hillis_steele, _levels


def check_tensors(a, b, h0=None) -> tuple:
    """Return ``a``, ``b`` (T, d) and ``h0`` (d,), checked float64 torch tensors; ``h0=None`` means zeros."""
    for name, x in (("a", a), ("b", b), ("h0", h0)):
        if x is None and name == "h0":
            continue
        if not isinstance(x, torch.Tensor) or x.dtype != torch.float64:
            got = f"a tensor of dtype {x.dtype}" if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"{name} must be a torch tensor of dtype float64 (torch.float64); got {got}")
        if not torch.isfinite(x).all():
            raise ValueError(f"{name} contains NaN or infinity")
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"a must have shape (T, d) with T ≥ 1 time steps and d ≥ 1 channels; got {tuple(a.shape)}")
    if b.shape != a.shape:
        raise ValueError(f"b must have shape (T, d) like a = {tuple(a.shape)}; got {tuple(b.shape)}")
    h0 = torch.zeros(a.shape[1], dtype=torch.float64) if h0 is None else h0
    if h0.shape != (a.shape[1],):
        raise ValueError(f"h0 must have shape (d,) = ({a.shape[1]},); got {tuple(h0.shape)}")
    return a, b, h0


def _put(X, idx, V):
    """X with rows ``idx`` set to V (a tensor or a number), out of place."""
    if isinstance(idx, slice):
        idx = range(*idx.indices(len(X)))
    idx = torch.as_tensor(np.asarray(idx, dtype=np.int64))
    return X.index_fill(0, idx, V) if isinstance(V, float) else X.index_copy(0, idx, V)


def _fold(a, b, h0):
    """b with b_1 ← a_1 ⊙ h_0 + b_1."""
    return torch.cat([(a[0] * h0 + b[0])[None], b[1:]])


def sequential(a, b, h0=None):
    """The loop h_t = a_t ⊙ h_{t-1} + b_t (eq-linear-recurrence).

    Parameters
    ----------
    a, b : torch.Tensor, float64, shape (T, d)
    h0 : torch.Tensor, float64, shape (d,), optional
        The initial state h_0; zeros by default.

    Returns
    -------
    h : torch.Tensor, shape (T, d)
        h_1..h_T.
    """
    a, b, h0 = check_tensors(a, b, h0)
    h = [h0]
    for t in range(len(a)):
        h.append(a[t] * h[-1] + b[t])  # (eq-linear-recurrence)
    return torch.stack(h[1:])  # (T, d)


def hillis_steele(a, b, h0=None):
    """Hillis & Steele's inclusive scan (⌈log2 T⌉ levels). Parameters and returns as ``sequential``."""
    a, b, h0 = check_tensors(a, b, h0)
    return _hillis_steele(a, _fold(a, b, h0), _put)[1]


def blelloch(a, b, h0=None):
    """Blelloch's work-efficient scan, padded with the identity (1, 0). Parameters and returns as ``sequential``."""
    a, b, h0 = check_tensors(a, b, h0)
    T, d = a.shape
    n = 2 ** _levels(T)
    A = torch.cat([a, torch.ones(n - T, d, dtype=a.dtype)])  # (n, d)
    B = torch.cat([_fold(a, b, h0), torch.zeros(n - T, d, dtype=a.dtype)])  # (n, d)
    _, B_excl, (_, B_total), _ = _blelloch(A, B, T, _put)
    return torch.cat([B_excl, B_total])  # (T, d)


def chunked(a, b, h0=None):
    """The two-level (blocked) scan of ``rnnlab.scan.chunked``. Parameters and returns as ``sequential``."""
    a, b, h0 = check_tensors(a, b, h0)
    return chunked_any(a, b, h0)


def chunked_any(a, b, h0=None):
    """The chunked scan over the first axis of ``b`` (T, …), real or complex, from h_0 (zeros by default, else of
    the shape of one step of b); ``a`` (T, …) may be smaller where it broadcasts against b (e.g. (T, 1, n): one λ
    for every sequence of a batch). Unchecked (for models: ``rnnlab.lru``); out of place, so autograd follows it.
    Returns h of b's shape."""
    T = len(b)
    if len(a) != T:
        raise ValueError(f"a must cover every step of b: {T} rows along the first axis; got {len(a)}")
    m = _block(T)
    c = -(-T // m)

    def rows(x, pad):  # m × (c, …): row k of every block, in one op (unbind: one gradient op, not m)
        rest = tuple(x.shape[1:])
        padded = x if c * m == T else torch.cat([x, pad((c * m - T,) + rest)])  # a copy only where T needs padding
        return padded.reshape(c, m, *rest).unbind(1)
    A, B = rows(a, a.new_ones), rows(b, b.new_zeros)
    rest = tuple(b.shape[1:])
    A_rows, B_rows = [A[0]], [B[0]]
    for k in range(1, m):  # level 1: every block at once (eq-scan-operator)
        B_rows.append(A[k] * B_rows[-1] + B[k])
        A_rows.append(A[k] * A_rows[-1])
    carry = [torch.zeros_like(B[0][0]) if h0 is None else h0]  # level 2: the state at the end of block j − 1
    for j in range(1, c):
        carry.append(A_rows[-1][j - 1] * carry[-1] + B_rows[-1][j - 1])
    h = torch.stack(B_rows, 1) + torch.stack(A_rows, 1) * torch.stack(carry)[:, None]  # level 3, (c, m, …)
    return h.reshape(c * m, *rest)[:T]
