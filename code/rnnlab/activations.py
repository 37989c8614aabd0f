"""Activation functions φ, their derivatives φ' with respect to the pre-activation, and the bound γ.

The vanilla RNN computes ``h_t = φ(a_t)`` with ``a_t = W_hh h_{t-1} + W_xh x_t + b``, so every step of
backpropagation through time multiplies by ``diag(φ'(a_t))``. How small ``φ'`` can make that product is
bounded by

    γ = sup_a |φ'(a)|,        γ = 1/4 for the logistic sigmoid, γ = 1 for tanh, ReLU and the identity.

Pascanu, Mikolov & Bengio (2013, ICML, §2.1) use γ in the vanishing-gradient condition
``λ₁ < 1/γ``; Hochreiter & Schmidhuber (1997, §3.1) note ``σ' ≤ 0.25``. ``steps_until_below`` turns a
bound γ < 1 into the number of steps after which ``γ^T`` is negligible.

Every function takes an array of any shape and returns a float64 array of the same shape.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validate import as_array, check_choice, check_float


def _as_float(a) -> np.ndarray:
    """``a`` as a float64 array. ±inf is allowed (σ(±inf) is well defined) and NaN gives NaN, as in an
    overflowing network; None, text, booleans and complex numbers are refused (``as_array``)."""
    return as_array("a", a, finite=False)


def sigmoid(a):
    """Logistic sigmoid ``σ(a) = 1 / (1 + exp(-a))``, computed without overflow.

    Uses ``e = exp(-|a|) ∈ [0, 1]``: ``σ(a) = 1/(1+e)`` for ``a ≥ 0`` and ``e/(1+e)`` for ``a < 0``,
    so ``sigmoid(-1000)`` is ``0.0`` without an overflow warning.

    Parameters
    ----------
    a : array_like, any shape
        Pre-activation.
    """
    a = _as_float(a)
    with np.errstate(under="ignore"):  # exp(-|a|) → 0 for large |a| is intended
        e = np.exp(-np.abs(a))  # (...)  in [0, 1]: never overflows
        return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(a):
    """``σ'(a) = σ(a)(1 − σ(a)) = e / (1 + e)²`` with ``e = exp(-|a|)``; at most 1/4, attained only at 0.

    The second form is exactly symmetric and keeps full relative accuracy in the tails, where
    ``1 − σ(a)`` would cancel. For |a| < 1.5e-8 it can round one ulp above 1/4; the clamp keeps the
    bound σ' ≤ 1/4 true in float64 too (σ' may round to exactly 1/4 for |a| below about 3e-8).
    """
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(_as_float(a)))  # (...)  in [0, 1]
        return np.minimum(e / (1.0 + e) ** 2, 0.25)


def tanh(a):
    """Hyperbolic tangent ``tanh(a) = (e^a − e^{−a}) / (e^a + e^{−a})``."""
    return np.tanh(_as_float(a))


def tanh_prime(a):
    """``tanh'(a) = 1 − tanh²(a) = 4e / (1 + e)²`` with ``e = exp(-2|a|)``; at most 1, attained only at 0.

    The second form stays positive and accurate for 19 < |a| < 370, where ``1 − tanh²`` rounds to 0.
    For |a| < 7.5e-9 it can round one ulp above 1; the clamp keeps tanh' ≤ 1 true in float64 too.
    For |a| > 9e307 the product 2|a| overflows to inf and e = 0: the right limit, tanh' = 0, without a warning.
    """
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(-2.0 * np.abs(_as_float(a)))  # (...)  in [0, 1]
        return np.minimum(4.0 * e / (1.0 + e) ** 2, 1.0)


def relu(a):
    """Rectified linear unit ``relu(a) = max(a, 0)``."""
    return np.maximum(_as_float(a), 0.0)


def relu_prime(a):
    """``relu'(a) = 1 if a > 0 else 0``. At the kink we define ``relu'(0) = 0`` (as torch does)."""
    return (_as_float(a) > 0).astype(np.float64)


def leaky_relu(a, slope: float = 0.01):
    """``leaky_relu(a) = a if a > 0 else slope · a``, with ``0 ≤ slope ≤ 1``."""
    slope = check_float("slope", slope, 0.0, 1.0)
    a = _as_float(a)
    return np.where(a > 0, a, slope * a)


def leaky_relu_prime(a, slope: float = 0.01):
    """``leaky_relu'(a) = 1 if a > 0 else slope``; at the kink ``leaky_relu'(0) = slope`` (as torch does)."""
    slope = check_float("slope", slope, 0.0, 1.0)
    return np.where(_as_float(a) > 0, 1.0, slope)


def linear(a):
    """Identity ``linear(a) = a``: the linear RNN of the spectral-radius analysis."""
    return _as_float(a).copy()


def linear_prime(a):
    """``linear'(a) = 1``."""
    return np.ones_like(_as_float(a))


@dataclass(frozen=True)
class Activation:
    """An activation φ together with its derivative and the bound γ = sup |φ'|."""

    name: str  # key in ACTIVATIONS, also used to pick the matching torch function
    f: Callable[[np.ndarray], np.ndarray]  # φ, elementwise
    df: Callable[[np.ndarray], np.ndarray]  # φ', evaluated at the pre-activation a (not at φ(a))
    gamma: float  # sup_a |φ'(a)|: the factor in the bound ‖diag(φ'(a_t)) W_hh‖ ≤ γ ‖W_hh‖

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Activation name must be a non-empty string; got {self.name!r}")
        for field, value in (("f", self.f), ("df", self.df)):
            if not callable(value):
                raise ValueError(f"Activation {field} must be a function of the pre-activation a; got {value!r}")
        gamma = check_float("Activation gamma", self.gamma, low=0.0, finite=False)  # inf: φ' is unbounded
        if np.isnan(gamma):
            raise ValueError("Activation gamma must be sup |φ'|, a number ≥ 0 (inf if unbounded); got nan")


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, 0.25),
    "tanh": Activation("tanh", tanh, tanh_prime, 1.0),
    "relu": Activation("relu", relu, relu_prime, 1.0),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_prime, 1.0),
    "linear": Activation("linear", linear, linear_prime, 1.0),
}


def get_activation(name_or_activation) -> Activation:
    """Return the ``Activation`` named ``name_or_activation`` (or the ``Activation`` itself).

    Parameters
    ----------
    name_or_activation : str or Activation
        One of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"linear"``, or an ``Activation``.
    """
    if isinstance(name_or_activation, Activation):
        return name_or_activation
    if not isinstance(name_or_activation, str):
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)} or an Activation; got {name_or_activation!r}"
        )
    return ACTIVATIONS[check_choice("activation", name_or_activation, ACTIVATIONS)]


def steps_until_below(gamma: float, eps: float) -> int:
    """Smallest integer ``T ≥ 1`` with ``gamma**T < eps``.

    Since ``log gamma < 0``, ``gamma^T < eps`` ⇔ ``T > log(eps) / log(gamma)``. The formula gives a first
    guess; the direct power then corrects it by ±1 where rounding in the logarithms put it off.
    Example: ``steps_until_below(0.25, 1e-6) == 10`` because ``4^-10 ≈ 9.5e-7 < 1e-6 ≤ 4^-9 ≈ 3.8e-6``.

    Parameters
    ----------
    gamma : float, 0 < gamma < 1
        Per-step factor, e.g. the bound γ = 1/4 of the sigmoid's derivative.
    eps : float, 0 < eps < 1
        Threshold.
    """
    for name, value in (("gamma", gamma), ("eps", eps)):
        value = check_float(name, value)
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must satisfy 0 < {name} < 1; got {value}")
    gamma, eps = float(gamma), float(eps)
    T = max(1, math.floor(math.log(eps) / math.log(gamma)) + 1)
    while T > 1 and gamma ** (T - 1) < eps:  # the guess was too large
        T -= 1
    while not gamma**T < eps:  # the guess was too small
        T += 1
    return T
