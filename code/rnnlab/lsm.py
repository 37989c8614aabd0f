"""A tiny liquid state machine (Maass, Natschläger & Markram 2002): a reservoir of spiking neurons, a linear readout.

Each of the H units is a leaky integrate-and-fire neuron with membrane potential v, integrated by Euler steps of
length dt (in units of the membrane time constant τ_m = 1):

    v ← v + dt (−v + I_t),    I_t = W_hh s_{t−1} + W_xh [1; x_t],                                 (eq-lif)

and when v reaches the threshold θ = 1 the unit spikes (s_t = 1), v is reset to 0 and held there for
``refractory`` steps. The recurrent weights obey Dale's law: a unit is excitatory (positive outgoing weights) or
inhibitory (negative). A readout cannot use spikes directly; it reads their low-pass filtered traces
r_t = e^{−dt/τ_r} r_{t−1} + s_t, one per unit, by ridge regression (``reservoir.ridge``) — like an ESN's readout
of h_t. Maass et al. call the reservoir a "liquid": "Stable internal states are not required", only transients
that a trained readout can map to outputs. This is the idea at toy scale, not their far richer circuit models.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_float, check_int, check_positive, check_rng


class Liquid(NamedTuple):
    """What ``run_liquid`` returns."""
    spikes: np.ndarray  # (T, H) s_t, 1.0 where a unit fired at step t
    traces: np.ndarray  # (T, H) r_t, the spike trains low-pass filtered with time constant τ_r


def liquid_matrix(H: int, *, rng: np.random.Generator, density: float = 0.1, inhibitory: float = 0.2,
                  scale: float = 0.5) -> np.ndarray:
    """W_hh (H, H) with Dale's law: column j is ≥ 0 for an excitatory unit j and ≤ 0 for an inhibitory one.

    Each connection exists with probability ``density`` and has strength uniform on [0, scale]; a fraction
    ``inhibitory`` of the units (the last ones) are inhibitory, with strengths doubled to balance the excitation.
    """
    H = check_int("H", H, low=1)
    density = check_float("density", density, low=0.0, high=1.0)
    inhibitory = check_float("inhibitory", inhibitory, low=0.0, high=1.0)
    scale = check_float("scale", scale, low=0.0)
    rng = check_rng(rng)
    W = np.where(rng.random((H, H)) < density, rng.uniform(0.0, scale, (H, H)), 0.0)  # (H, H)
    n_inh = round(inhibitory * H)
    W[:, H - n_inh:] *= -2.0  # inhibitory columns
    np.fill_diagonal(W, 0.0)  # no self-connections
    return W


def run_liquid(W_hh, W_xh, x, dt: float = 0.1, refractory: int = 2, tau_trace: float = 2.0) -> Liquid:
    """Drive the LIF reservoir (eq-lif) with x (T, D) from rest (v = 0, no spikes); W_xh is (H, 1 + D).

    Parameters
    ----------
    dt : float
        Euler step in units of the membrane time constant (0 < dt ≤ 1).
    refractory : int
        Steps a unit's potential stays at 0 after a spike.
    tau_trace : float
        Time constant τ_r of the traces the readout sees, in units of τ_m.
    """
    W_hh = as_array("W_hh", W_hh, ndim=2)
    H = len(W_hh)
    W_xh, x = as_array("W_xh", W_xh, ndim=2), as_array("x", x, ndim=2)
    if W_hh.shape != (H, H) or H < 1 or W_xh.shape[0] != H or W_xh.shape[1] != x.shape[1] + 1 or len(x) < 1:
        raise ValueError(f"need W_hh (H, H), W_xh (H, 1 + D) and x (T, D) with T ≥ 1; got {W_hh.shape}, "
                         f"{W_xh.shape} and {x.shape}")
    dt = check_float("dt", dt, low=0.0, high=1.0)
    if dt == 0:
        raise ValueError("dt must be in (0, 1]: with dt = 0 the potentials never move")
    refractory = check_int("refractory", refractory, low=0)
    decay = np.exp(-dt / check_positive("tau_trace", tau_trace))
    drive = x @ W_xh[:, 1:].T + W_xh[:, 0]  # (T, H) W_xh [1; x_t]
    v, s, r, wait = np.zeros(H), np.zeros(H), np.zeros(H), np.zeros(H, dtype=int)
    spikes, traces = np.zeros((len(x), H)), np.zeros((len(x), H))
    for t in range(len(x)):
        v = v + dt * (-v + W_hh @ s + drive[t])  # (eq-lif)
        v[wait > 0] = 0.0  # refractory units stay at rest
        wait = np.maximum(wait - 1, 0)
        s = (v >= 1.0).astype(float)  # (H,) threshold θ = 1
        v[s > 0], wait[s > 0] = 0.0, refractory
        r = decay * r + s
        spikes[t], traces[t] = s, r
    return Liquid(spikes, traces)
