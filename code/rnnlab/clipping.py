"""Gradient clipping: norm clipping (Pascanu, Mikolov & Bengio 2013, Algorithm 1) and value clipping.

A gradient g is the list of the gradients of all parameters, read as one long vector. Norm clipping rescales
the whole vector when its norm exceeds a threshold θ and so keeps its direction; value clipping clamps every
coordinate to [−v, v] and so turns it:

    norm:   ĝ = min(1, θ / (‖g‖ + 1e-6)) · g        (torch.nn.utils.clip_grad_norm_, same formula)
    value:  ĝ_i = min(max(g_i, −v), v)              (torch.nn.utils.clip_grad_value_)

Pascanu et al.'s Algorithm 1 rescales to exactly θ when ‖g‖ ≥ θ; torch adds 1e-6 to the norm, so a clipped
gradient has norm θ‖g‖/(‖g‖ + 1e-6), just below θ. This module uses torch's formula so that both agree to
the last bit (tests/test_clipping.py). ‖g‖ is the 2-norm (or the max-norm, ``norm_type=inf``) of all
gradients concatenated. Arrays are float64 NumPy; pass ``p.grad.detach().numpy()`` for torch parameters.

References: Pascanu, Mikolov & Bengio (2013), ICML, §3.2 and Algorithm 1; Mikolov (2012) for element-wise
clipping.
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import as_array, check_choice, check_positive

EPS = 1e-6  # torch's clip_grad_norm_ divides by ‖g‖ + EPS


def _check_grads(grads, name: str = "grads") -> list[np.ndarray]:
    """``grads`` as a list of float64 arrays: a list or tuple of arrays, at least one, all finite."""
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
        raise ValueError(f"{name} must be a list of gradient arrays, one per parameter (e.g. [dW_hh, db]); "
                         f"got {type(grads).__name__}")
    if len(grads) == 0:
        raise ValueError(f"{name} must hold at least one gradient array; got an empty list")
    arrays = []
    for i, g in enumerate(grads):
        g = as_array(f"{name}[{i}]", g, finite=False)
        if not np.all(np.isfinite(g)):  # torch would silently turn every gradient into 0 or NaN
            raise ValueError(f"{name}[{i}] contains NaN or infinity: the gradient is not finite, so no "
                             "clipping can repair it (skip this step; see torch's error_if_nonfinite)")
        arrays.append(g)
    return arrays


def _check_norm_type(norm_type) -> float:
    if norm_type == math.inf:
        return math.inf
    check_choice("norm_type", norm_type, {2, 2.0})
    return 2.0


def _unit_scaled(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """``(g / 2^e for g in arrays), e`` with 2^e the power of two just above the largest |entry| (e = 0 if all are 0).

    A norm computed from the scaled arrays, then multiplied by 2^e, neither overflows (entries of 1e200) nor
    underflows (1e-300), as LAPACK's nrm2 scales; a power of two scales exactly, so for ordinary gradients the
    result is the same to the last bit as the plain sum of squares (torch's).
    """
    largest = max((float(np.max(np.abs(g))) for g in arrays if g.size), default=0.0)
    e = int(np.frexp(largest)[1])  # largest = m · 2^e with ½ ≤ m < 1
    return [np.ldexp(g, -e) for g in arrays], e


def _norm(arrays: list[np.ndarray], norm_type: float) -> float:
    per_array = [float(np.linalg.norm(g.ravel(), ord=norm_type)) if g.size else 0.0 for g in arrays]
    return float(np.linalg.norm(per_array, ord=norm_type))  # the norm of the per-array norms


def total_norm(grads, norm_type: float = 2.0) -> float:
    """‖g‖ of all gradients concatenated: the 2-norm (default) or the max-norm (``norm_type=math.inf``).

    Parameters
    ----------
    grads : list of arrays
        One array per parameter, any shapes, finite. Huge or tiny entries (1e200, 1e-300) are fine: the
        arrays are scaled by a power of two first, so their squares neither overflow nor vanish.
    norm_type : 2 or math.inf
    """
    arrays = _check_grads(grads)
    norm_type = _check_norm_type(norm_type)
    scaled, e = _unit_scaled(arrays)
    with np.errstate(over="ignore"):  # a norm beyond the largest float is inf
        return float(np.ldexp(_norm(scaled, norm_type), e))


def clip_by_norm(grads, max_norm: float, norm_type: float = 2.0) -> tuple[list[np.ndarray], float]:
    """Norm clipping, Pascanu et al.'s Algorithm 1 with torch's coefficient.

    ĝ = c g with c = min(1, max_norm / (‖g‖ + 1e-6)), the same c for every array.

    Parameters
    ----------
    grads : list of arrays
        One array per parameter, finite.
    max_norm : float > 0
        The threshold θ.
    norm_type : 2 or math.inf

    Returns
    -------
    clipped : list of arrays
        New arrays (the input is not modified), same shapes.
    norm : float
        ‖g‖ before clipping (what ``clip_grad_norm_`` returns).
    """
    arrays = _check_grads(grads)
    max_norm = check_positive("max_norm", max_norm)
    norm = total_norm(arrays, norm_type)
    coef = min(1.0, max_norm / (norm + EPS))
    if coef < np.finfo(float).tiny:  # ‖g‖ overflowed or c underflowed: apply c to the scaled arrays instead
        scaled, e = _unit_scaled(arrays)
        coef = max_norm / (_norm(scaled, norm_type) + np.ldexp(EPS, -e))  # c · 2^e
        return [coef * g for g in scaled], norm
    return [coef * g for g in arrays], norm


def clip_by_value(grads, clip_value: float) -> list[np.ndarray]:
    """Value clipping: every coordinate of every array clamped to [−clip_value, clip_value].

    Parameters
    ----------
    grads : list of arrays
        One array per parameter, finite.
    clip_value : float > 0

    Returns
    -------
    list of arrays
        New arrays, same shapes.
    """
    arrays = _check_grads(grads)
    clip_value = check_positive("clip_value", clip_value)
    return [np.clip(g, -clip_value, clip_value) for g in arrays]


def angle_degrees(grads, other) -> float:
    """The angle in degrees between two gradients, each a list of arrays read as one long vector.

    0 for norm clipping (same direction); value clipping gives an angle between 0 and 90 degrees.
    Both gradients must have the same shapes and be non-zero (a zero vector has no direction); their sizes do not
    matter (huge and tiny gradients are scaled first).
    """
    a, b = _check_grads(grads), _check_grads(other, "other")
    if [g.shape for g in a] != [g.shape for g in b]:
        raise ValueError(f"grads and other must have the same shapes; got {[g.shape for g in a]} and "
                         f"{[g.shape for g in b]}")
    # the angle does not depend on the lengths: scale each vector by a power of two first (exact), so that
    # gradients of 1e200 or 1e-200 neither overflow nor vanish
    u = np.concatenate([g.ravel() for g in _unit_scaled(a)[0]])  # (P,)
    v = np.concatenate([g.ravel() for g in _unit_scaled(b)[0]])  # (P,)
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        raise ValueError("grads and other must both be non-zero: a zero gradient has no direction")
    # Kahan's formula: accurate near 0 degrees, where acos of the cosine loses half the digits
    a, b = u * nv, v * nu  # (P,), (P,) the two vectors scaled to the same length
    return math.degrees(2.0 * math.atan2(np.linalg.norm(a - b), np.linalg.norm(a + b)))
