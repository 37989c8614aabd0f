"""Step Jacobians of the LSTM state ``s_t = (h_t, c_t)`` with respect to ``s_{t-1} = (h_{t-1}, c_{t-1})``.

From (eq-lstm-pre, eq-lstm-gates, eq-lstm-state) in ``rnnlab.lstm``, with ``W_i, W_f, W_g, W_o`` the four
(H, H) row blocks of ``weight_hh`` and the gates as functions of h_{t-1} only:

    ∂i/∂h_{t-1} = diag(i(1−i)) W_i,  ∂f/∂h_{t-1} = diag(f(1−f)) W_f,  ∂g/∂h_{t-1} = diag(1−g²) W_g,
    ∂o/∂h_{t-1} = diag(o(1−o)) W_o
    ∂c_t/∂c_{t-1} = diag(f_t)                       the direct path (constant error carousel when f_t = 1)
    ∂c_t/∂h_{t-1} = diag(c_{t-1}) ∂f/∂h + diag(g_t) ∂i/∂h + diag(i_t) ∂g/∂h
    ∂h_t/∂c_{t-1} = diag(o_t ⊙ (1 − tanh²c_t)) diag(f_t)
    ∂h_t/∂h_{t-1} = diag(tanh c_t) ∂o/∂h + diag(o_t ⊙ (1 − tanh²c_t)) ∂c_t/∂h_{t-1}          (eq-lstm-jacobian)

The state is ordered (h, c): ``J_t = [[∂h_t/∂h_{t-1}, ∂h_t/∂c_{t-1}], [∂c_t/∂h_{t-1}, ∂c_t/∂c_{t-1}]]``.
"""
from __future__ import annotations

import numpy as np

from .lstm import check_cache


def step_jacobians(cache) -> np.ndarray:
    """Per-step Jacobians ``J_t = ∂(h_t, c_t)/∂(h_{t-1}, c_{t-1})`` for t = 1..T (eq-lstm-jacobian).

    Parameters
    ----------
    cache : Cache
        From ``rnnlab.lstm.lstm_forward``.

    Returns
    -------
    J : array, shape (N, T, 2H, 2H)
        ``J[n, t-1]`` is ``J_t`` for example n; rows are the outputs (h_t then c_t), columns the inputs
        (h_{t-1} then c_{t-1}). Memory N·T·4H²·8 bytes.
    """
    cache = check_cache(cache)
    N, T, H = cache.h.shape
    i, f, g, o = np.split(cache.gates, 4, axis=2)  # (N, T, H) each
    c_prev = np.concatenate([cache.c0[:, None], cache.c[:, :-1]], axis=1)  # (N, T, H)  c_0..c_{T-1}
    tanh_c = np.tanh(cache.c)  # (N, T, H)
    W_i, W_f, W_g, W_o = np.split(cache.weight_hh, 4, axis=0)  # (H, H) each
    di = (i * (1 - i))[..., None] * W_i  # (N, T, H, H)  ∂i_t/∂h_{t-1}
    df = (f * (1 - f))[..., None] * W_f  # ∂f_t/∂h_{t-1}
    dg = (1 - g ** 2)[..., None] * W_g  # ∂g_t/∂h_{t-1}
    do = (o * (1 - o))[..., None] * W_o  # ∂o_t/∂h_{t-1}
    dc_dh = c_prev[..., None] * df + g[..., None] * di + i[..., None] * dg  # (N, T, H, H)
    dc_dc = f[..., None] * np.eye(H)  # (N, T, H, H)  diag(f_t)
    out = o * (1 - tanh_c ** 2)  # (N, T, H)  ∂h_t/∂c_t
    J = np.empty((N, T, 2 * H, 2 * H))
    J[..., :H, :H] = tanh_c[..., None] * do + out[..., None] * dc_dh  # ∂h_t/∂h_{t-1}
    J[..., :H, H:] = out[..., None] * dc_dc  # ∂h_t/∂c_{t-1}
    J[..., H:, :H] = dc_dh  # ∂c_t/∂h_{t-1}
    J[..., H:, H:] = dc_dc  # ∂c_t/∂c_{t-1}
    return J


def cell_path(cache) -> np.ndarray:
    """The direct path ``∂c_t/∂c_{t-1} = diag(f_t)`` (gates held fixed), as its diagonal f_t.

    Along this path a gradient from step t back to step s is scaled by ``∏_{k=s+1}^{t} f_k`` elementwise,
    where the vanilla RNN multiplies by ``W_hhᵀ diag(φ')`` every step; f_k = 1 is the constant error carousel.

    Parameters
    ----------
    cache : Cache
        From ``rnnlab.lstm.lstm_forward``.

    Returns
    -------
    f : array, shape (N, T, H)
        ``f[n, t-1]`` is the diagonal of ``∂c_t/∂c_{t-1}`` for example n.
    """
    cache = check_cache(cache)
    H = cache.h.shape[2]
    return cache.gates[..., H:2 * H].copy()  # (N, T, H)
