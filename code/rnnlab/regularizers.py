"""Pascanu, Mikolov & Bengio's (2013, ICML, eq. 9) regularizer Ω, which asks every step Jacobian to preserve
the norm of the back-propagated gradient.

For a tanh (or any φ) RNN with row gradients v_k = ∂L/∂h_k (Chapter 2) and step Jacobians
J_k = ∂h_k/∂h_{k-1} = diag(φ'(a_k)) W_hh, the product v_{k+1} J_{k+1} = (v_{k+1} ⊙ φ'(a_{k+1})) W_hh, and

    r_k = ‖v_{k+1} J_{k+1}‖ / ‖v_{k+1}‖,      Ω = Σ_k (r_k − 1)².

Ω is 0 when no step shrinks or grows the gradient. Like the paper, :func:`omega_grad` returns only the
*immediate* derivative of Ω with respect to W_hh: v_{k+1} and φ'(a_{k+1}) are held constant (the states are
"detached"), so with u_k = v_{k+1} ⊙ φ'(a_{k+1}) and z_k = u_k W_hh,

    ∂Ω/∂W_hh = Σ_k 2 (r_k − 1) / (‖v_{k+1}‖ ‖z_k‖) · u_kᵀ z_k       (an (H, H) sum of outer products).

Arrays: ``dh`` (K, H) holds v_{k+1} for K steps, ``dphi`` (K, H) holds φ'(a_{k+1}), ``W_hh`` (H, H). Only the
direction of each row of ``dh`` counts (r_k, Ω and ∂Ω/∂W_hh do not change when a row is scaled), so rows of
any size work; a zero row has no direction and is refused.

:func:`omega_penalty` is the torch form that ``train.train`` adds to the loss (``TrainConfig.omega``): as in the
authors' code, squared ratios (eq. 10), averaged over the steps and sequences of a batch.
"""
from __future__ import annotations

import numpy as np
import torch

from ._validate import as_array, check_square


def _check(dh, dphi, W_hh):
    W_hh = check_square("W_hh", W_hh)
    dh, dphi = as_array("dh", dh, ndim=2), as_array("dphi", dphi, ndim=2)
    H = W_hh.shape[0]
    if dh.shape[1] != H or dh.shape != dphi.shape or dh.shape[0] == 0:
        raise ValueError(f"dh and dphi must both have shape (K, H) with K ≥ 1 and H = {H} (W_hh is {W_hh.shape}); "
                         f"got {dh.shape} and {dphi.shape}")
    # r_k and Ω depend on the direction of each row v_{k+1} only: scale each row by a power of two (exactly)
    # so that its largest entry lies in [½, 1), and rows of 1e200 or 1e-200 neither overflow nor vanish
    dh = np.ldexp(dh, -np.frexp(np.max(np.abs(dh), axis=1, keepdims=True))[1])  # (K, H)
    norms = np.linalg.norm(dh, axis=1)  # (K,)
    if np.any(norms == 0):
        raise ValueError("every row of dh must be non-zero: r_k divides by ‖∂L/∂h_{k+1}‖; row "
                         f"{np.flatnonzero(norms == 0)[0]} is 0")
    return dh, dphi, W_hh, norms


def jacobian_ratios(dh, dphi, W_hh) -> np.ndarray:
    """r_k = ‖v_{k+1} J_{k+1}‖ / ‖v_{k+1}‖ for every step k (K,): 1 means the step keeps the gradient's norm."""
    dh, dphi, W_hh, norms = _check(dh, dphi, W_hh)
    z = (dh * dphi) @ W_hh  # (K, H)  v J, row form
    return np.linalg.norm(z, axis=1) / norms


def omega(dh, dphi, W_hh) -> float:
    """Ω = Σ_k (r_k − 1)² (Pascanu et al. 2013, eq. 9)."""
    return float(np.sum((jacobian_ratios(dh, dphi, W_hh) - 1.0) ** 2))


def omega_grad(dh, dphi, W_hh) -> np.ndarray:
    """The immediate derivative ∂Ω/∂W_hh (H, H), with dh and dphi held constant (see the module docstring)."""
    dh, dphi, W_hh, norms = _check(dh, dphi, W_hh)
    u = dh * dphi  # (K, H)
    z = u @ W_hh  # (K, H)
    z_norms = np.linalg.norm(z, axis=1)  # (K,)
    if np.any(z_norms == 0):
        raise ValueError("a step Jacobian maps ∂L/∂h_{k+1} to 0, so ‖v J‖ has no derivative there")
    coef = 2.0 * (z_norms / norms - 1.0) / (norms * z_norms)  # (K,)
    return (u * coef[:, None]).T @ z  # (H, H)  Σ_k coef_k u_kᵀ z_k


BOUND = 1e-20  # the authors' `bound`: a step whose ‖∂L/∂h‖² is below it is left out of Ω (RNN.py)


def omega_penalty(dh, h, W_hh, bound: float = BOUND):
    """Ω as the authors' code adds it to training (torch): a batch, squared ratios, the mean over steps.

    Pascanu et al.'s ``RNN.py`` computes, for every step t and sequence n of a batch, the squared ratio of
    eq. (10), ρ = ‖(v ⊙ φ'(a)) W_hh‖² / ‖v‖² with v = ∂L/∂h_t and φ' = 1 − h_t² (tanh), and returns

        Ω = mean over the (t, n) with ‖v‖² ≥ bound of (ρ − 1)².

    Steps whose back-propagated gradient has all but vanished (‖v‖² < bound) are left out (and Ω = 0 if every
    step is). Near ρ = 1, (ρ − 1)² = (r − 1)²(r + 1)² ≈ 4 (r − 1)², the term of eq. (9) (:func:`omega`, a
    sum over steps). ``dh`` and ``h`` are detached here, so ``torch.autograd`` of the result with respect to
    ``W_hh`` is the *immediate* derivative the paper uses.

    Parameters
    ----------
    dh : torch.Tensor, shape (T, N, H)
        ∂L/∂h_t for every step and sequence (``states[t].grad`` after ``loss.backward()``).
    h : torch.Tensor, shape (T, N, H)
        The tanh states h_t (so φ'(a_t) = 1 − h_t²).
    W_hh : torch.Tensor, shape (H, H)
        The recurrent weight (``model.cell.weight_hh``); the gradient flows to it only.
    bound : float ≥ 0

    Returns
    -------
    torch.Tensor
        A scalar.
    """
    tensors = {"dh": dh, "h": h, "W_hh": W_hh}
    for name, value in tensors.items():
        if not isinstance(value, torch.Tensor) or not value.dtype.is_floating_point:
            raise ValueError(f"{name} must be a floating-point torch tensor; got {type(value).__name__}")
    if dh.ndim != 3 or dh.shape != h.shape or W_hh.shape != (dh.shape[2], dh.shape[2]):
        raise ValueError(f"dh and h must both have shape (T, N, H) and W_hh (H, H); got {tuple(dh.shape)}, "
                         f"{tuple(h.shape)} and {tuple(W_hh.shape)}")
    bound = float(bound)
    if not bound >= 0:
        raise ValueError(f"bound must be at least 0; got {bound}")
    v, dphi = dh.detach(), 1.0 - h.detach() ** 2  # (T, N, H) held constant: the immediate derivative
    vv = (v * v).sum(-1)  # (T, N) ‖v‖²
    keep = (vv >= bound) & (vv > 0)  # (T, N) a zero v has no direction
    zz = (((v * dphi) @ W_hh) ** 2).sum(-1)  # (T, N) ‖(v ⊙ φ') W_hh‖², row form
    ratio = torch.where(keep, zz / torch.where(keep, vv, torch.ones_like(vv)), torch.ones_like(vv))
    return ((ratio - 1.0) ** 2).sum() / keep.sum().clamp(min=1)
