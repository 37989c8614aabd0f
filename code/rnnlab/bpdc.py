"""Backpropagation-decorrelation (BPDC, Steil 2004): online learning of a reservoir's output unit in O(N) a step.

Steil's network is one recurrent net of M units. In the book's letters (his x(k) is our pre-activation a(k), his
d(k) our target y(k)), the pre-activations move by

    a(k+1) = (1 − Δt) a(k) + Δt W h(k),    h(k) = tanh(a(k)),                                 (eq-bpdc-net)

and the output units O are among the M: the output is ŷ(k) = a_o(k), o ∈ O, its error e(k) = ŷ(k) − y(k). Here
the H reservoir units also receive the input [1; x(k)] through fixed weights, and one output unit o reads
z(k) = [h(k); 1; x(k)]: every unit (itself included), the bias and the input. BPDC adapts **only the output unit's
incoming weights** w_o, after each step (Steil's letters η, a learning rate, and ε, a regulariser):

    γ(k+1) = ((1 − Δt) + Δt w_oo tanh'(a_o(k))) e(k) − e(k+1)                                (eq-bpdc-gamma)
    Δw_o(k+1) = (η / Δt) · z(k) / (z(k)·z(k) + ε) · γ(k+1)                                      (eq-bpdc)

(for several outputs, γ_i(k+1) = Σ_{s∈O} ((1 − Δt) δ_is + Δt w_is tanh'(a_s(k))) e_s(k) − e_i(k+1)). The
first term of γ is the error one step back, propagated through the output unit's own Jacobian ("backpropagation", one
step only); the division by z·z + ε is the inverse of the instantaneous correlation εI + z zᵀ applied to z
("decorrelation"). Both cost O(M): nothing is stored across time, nothing is propagated further back. It does
**not** adapt the reservoir W_hh, the reservoir's input weights, or the output-to-reservoir feedback weights: they
stay random, as in an echo state network, and BPDC is the online, one-step relative of ESN regression.

Source: Steil (2004), "Backpropagation-decorrelation: online recurrent learning with O(N) complexity", IJCNN
2004. The paper's text was not reachable here; the rule is as restated, with its derivation from Atiya–Parlos
recurrent learning (the APRL online update with its momentum term dropped and C(k) = εI + h(k) h(k)ᵀ), in a public
note citing Steil 2004, 2006 and 2007 (see FACTS-PART2 §8). Lukoševičius & Jaeger (2009) and Verstraeten et al.
(2007) confirm what it adapts: "only the weights to the output layer and the recurrent connections inside the
output layer are trained", with output feedback into the reservoir.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_float, check_int, check_positive, check_rng
from .reservoir import input_matrix, reservoir_matrix


def bpdc_update(z, w_oo: float, fprime_o: float, e_prev: float, e_now: float, eta: float, dt: float = 1.0,
                eps: float = 0.002) -> np.ndarray:
    """Δw_o of (eq-bpdc) for one output unit o: an O(F) vector, F = len(z).

    Parameters
    ----------
    z : array_like
        z(k) (F,), what the output unit reads at step k: [h(k); 1; x(k)] in ``run_bpdc``.
    w_oo : float
        The output unit's weight onto itself (the only weight of W that γ needs).
    fprime_o : float
        tanh'(a_o(k)) = 1 − h_o(k)².
    e_prev, e_now : float
        e(k) and e(k+1), output minus target.
    eta, dt, eps : float
        Learning rate η > 0, time step 0 < Δt ≤ 1 of (eq-bpdc-net) and regulariser ε > 0.

    Returns
    -------
    numpy.ndarray
        Δw_o (F,) = (η/Δt) z γ / (z·z + ε), with γ = ((1 − Δt) + Δt w_oo tanh'(a_o(k))) e(k) − e(k+1)
        (eq-bpdc-gamma).
    """
    z = as_array("z", z, ndim=1)
    w_oo, fprime_o, e_prev, e_now = (check_float(k, v) for k, v in
                                     (("w_oo", w_oo), ("fprime_o", fprime_o), ("e_prev", e_prev), ("e_now", e_now)))
    eta, eps = check_positive("eta", eta), check_positive("eps", eps)
    dt = _check_dt(dt)
    gamma = ((1 - dt) + dt * w_oo * fprime_o) * e_prev - e_now  # (eq-bpdc-gamma) one step of backpropagation
    return (eta / dt) * gamma * z / (z @ z + eps)  # (eq-bpdc) decorrelated by (εI + z zᵀ)⁻¹ z = z / (ε + z·z)


def _check_dt(dt) -> float:
    dt = check_float("dt", dt, low=0.0, high=1.0)
    if dt == 0:
        raise ValueError("dt must be in (0, 1]: with dt = 0 the network never moves")
    return dt


class BPDCRun(NamedTuple):
    """What ``run_bpdc`` returns."""
    prediction: np.ndarray  # (T − 1,) ŷ(k+1) = a_o(k+1), the guess of x(k+1) before w_o learns from it
    error: np.ndarray  # (T − 1,) e(k+1) = ŷ(k+1) − x(k+1), the online (a priori) error
    w_o: np.ndarray  # (H + 3,) the output unit's final incoming weights: reservoir, itself, bias, input


def run_bpdc(series, H: int = 100, *, rng: np.random.Generator, eta: float = 0.5, dt: float = 1.0,
             eps: float = 0.002, radius: float = 0.9, input_scale: float = 0.5, feedback_scale: float = 0.1,
             density: float = 0.1) -> BPDCRun:
    """Learn one-step-ahead prediction of ``series`` online with BPDC, from w_o = 0.

    The input is the series x(k) and the target y(k+1) = x(k+1). Unit order: H reservoir units (W_hh from
    ``reservoir.reservoir_matrix``, input weights from ``reservoir.input_matrix``, feedback weights from the
    output unit uniform on ±``feedback_scale``), then the output unit; all fixed but its incoming weights w_o. At
    each step the network moves by (eq-bpdc-net), the error e(k+1) is measured, then w_o changes by (eq-bpdc).

    Returns
    -------
    BPDCRun
        The predictions, the online errors over time, and the final w_o.
    """
    s = as_array("series", series, ndim=1)
    if len(s) < 3:
        raise ValueError(f"series must hold at least 3 values; got {len(s)}")
    eta, eps = check_positive("eta", eta), check_positive("eps", eps)
    dt = _check_dt(dt)
    H = check_int("H", H, low=1)
    rng = check_rng(rng)
    W = np.zeros((H + 1, H + 1))  # (M, M), unit H is the output unit o
    W[:H, :H] = reservoir_matrix(H, radius, density, rng=rng)
    W[:H, H] = rng.uniform(-1.0, 1.0, H) * check_float("feedback_scale", feedback_scale, low=0.0)  # fixed feedback
    W_in = input_matrix(H, 1, input_scale, rng=rng)  # (H, 2) fixed, into the reservoir only
    w_o = np.zeros(H + 3)  # (M + 2,) trained: from the M units, the bias and the input
    a = np.zeros(H + 1)  # (M,) the pre-activations a(k)
    prediction, error = np.empty(len(s) - 1), np.empty(len(s) - 1)
    e_prev = 0.0  # e(0): no output yet
    for k in range(len(s) - 1):
        h = np.tanh(a)  # (M,)
        z = np.concatenate([h, [1.0, s[k]]])  # (M + 2,) what the output unit reads
        drive = np.concatenate([W[:H] @ h + W_in @ z[H + 1:], [w_o @ z]])  # (M,)
        a_next = (1 - dt) * a + dt * drive  # (eq-bpdc-net)
        e_now = a_next[H] - s[k + 1]
        w_o = w_o + bpdc_update(z, w_o[H], 1 - h[H] ** 2, e_prev, e_now, eta, dt, eps)
        prediction[k], error[k] = a_next[H], e_now
        a, e_prev = a_next, e_now
    return BPDCRun(prediction, error, w_o)
