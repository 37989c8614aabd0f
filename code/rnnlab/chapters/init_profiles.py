"""Chapter 6: what an initialisation does to the step Jacobians and to the gain over lag, before training.

One network per call: ``h_t = φ(W_hh h_{t-1} + W_xh x_t)`` with zero biases and ``h_0 = 0``, ``W_hh`` drawn from
an ``rnnlab.init`` family and multiplied by the scale β, driven by one sequence of the adding problem
(``rnnlab.tasks.adding``: a value channel in [0, 1] and a marker channel) through input weights
``W_xh ~ N(0, s_xh²)`` (H, 2). The family fixes φ: tanh for "gaussian" and "orthogonal", ReLU for "identity"
(the IRNN). The gain ``‖∂h_T/∂h_{T-n}‖`` comes from Chapter 4's tool ``spectral.jacobian_product_norms``;
``final_gain`` computes only the one at n = T, cheaply enough for wide networks (H = 256).

β is the *scale* of W_hh (``init.recurrent_matrix`` and torch call their argument ``gain``); in the book a gain
is always a ratio of gradients, ‖∂h_T/∂h_{T-n}‖.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import init, plotting, rnn, spectral, tasks
from .._validate import check_float, check_int, check_rng

ACTIVATION = {"gaussian": "tanh", "orthogonal": "tanh", "identity": "relu"}  # the family's φ
LABEL = {"gaussian": "Gaussian + tanh", "orthogonal": "orthogonal + tanh", "identity": "identity + ReLU (IRNN)"}
EXPLORER_H = 16     # hidden size of the explorer and the figures
EXPLORER_SEED = 0   # the explorer's matrix, input weights and sequence come from this seed


@dataclass(frozen=True)
class Profile:
    """One initialised network driven by one sequence: spectra at initialisation and the gain over lag."""
    family: str                # "gaussian", "orthogonal" or "identity"
    activation: str            # "tanh" or "relu"
    scale: float               # β, the scale of W_hh
    W_singular: np.ndarray     # (H,) σ_i(W_hh), descending
    W_eigenvalues: np.ndarray  # (H,) complex λ_i(W_hh)
    J_singular: np.ndarray     # (T, H) σ_i(J_t) of each step Jacobian J_t = diag(φ'(a_t)) W_hh, descending
    norms: np.ndarray          # (T+1,) the gain ‖∂h_T/∂h_{T-n}‖, n = 0..T (inf/0 past float64, never an error)
    h_norm: np.ndarray         # (T,) ‖h_t‖, t = 1..T, the forward states
    status: str                # plotting.classify(norms[-1]): the fate at the largest lag n = T

    @property
    def label(self) -> str:
        return f"{LABEL[self.family]}, β = {self.scale:g}"


def _network(family, scale, T, input_scale, seed, H):
    """Check the arguments, draw the network and its input, run it: ``(W_hh, activation, h, J)``."""
    T = check_int("T", T, low=2, high=1000)
    scale = check_float("scale", scale, low=0.0)
    input_scale = check_float("input_scale", input_scale, low=0.0)
    seed, H = check_int("seed", seed, low=0), check_int("H", H, low=1)
    W_hh = init.recurrent_matrix(family, H, scale, np.random.default_rng(seed))  # checks family
    activation = ACTIVATION[family]
    W_xh = input_scale * np.random.default_rng(seed + 1).standard_normal((H, 2))  # (H, D = 2)
    x = tasks.adding(1, T, np.random.default_rng(seed + 2)).x.double().numpy()  # (1, T, 2)
    with np.errstate(over="ignore", invalid="ignore"):  # large β: states overflow to inf, gains to inf/NaN
        h, cache = rnn.rnn_forward(x, np.zeros((1, H)), W_xh, W_hh, np.zeros(H), activation)  # (1, T, H)
        J = rnn.step_jacobians(cache)[0]  # (T, H, H)
    return W_hh, activation, h[0], J


def profile(family: str, scale: float, T: int, input_scale: float, seed: int = EXPLORER_SEED,
            H: int = EXPLORER_H) -> Profile:
    """Initialise, drive with one adding-problem sequence of length T, and measure (see the module docstring).

    Parameters
    ----------
    family : {"gaussian", "orthogonal", "identity"}
    scale : float ≥ 0
        β; W_hh = ``init.recurrent_matrix(family, H, scale, rng)``.
    T : int, 2 ≤ T ≤ 1000
        Sequence length, and the largest lag.
    input_scale : float ≥ 0
        s_xh, the standard deviation of the entries of W_xh (H, 2).
    seed : int ≥ 0
        W_hh from ``default_rng(seed)``, W_xh from ``seed + 1``, the sequence from ``seed + 2``.
    H : int ≥ 1
    """
    W_hh, activation, h, J = _network(family, scale, T, input_scale, seed, H)
    with np.errstate(over="ignore", invalid="ignore"):
        norms = spectral.jacobian_product_norms(J)  # (T+1,)
        J_singular = np.linalg.svd(np.nan_to_num(J, posinf=1e300, neginf=-1e300), compute_uv=False)  # (T, H)
        h_norm = np.linalg.norm(h, axis=1)  # (T,)
    return Profile(family, activation, float(scale), spectral.singular_values(W_hh), np.linalg.eigvals(W_hh),
                   J_singular, norms, h_norm, plotting.classify(norms[-1]))


def final_gain(family: str, scale: float, T: int, input_scale: float, seed: int = EXPLORER_SEED,
               H: int = EXPLORER_H) -> float:
    """``profile(...).norms[-1]``, the gain ‖∂h_T/∂h_0‖ = ‖J_T ⋯ J_1‖₂ over the whole sequence, alone.

    The same network and input as ``profile`` (same arguments, same draws), without the per-lag norms and the
    spectra of every J_t: one product and one norm, so that wide networks stay cheap. The product is kept as
    ``P̃ · 2^e`` with an exact power-of-two rescaling after every factor, so it never overflows or underflows.
    """
    _, _, _, J = _network(family, scale, T, input_scale, seed, H)
    P, e = np.eye(J.shape[-1]), 0  # (H, H), int:  the product so far is P · 2^e
    with np.errstate(over="ignore", invalid="ignore"):
        for J_t in J[::-1]:  # J_T first: P_n = P_{n-1} J_{T-n+1}
            P = P @ J_t  # (H, H)
            big = np.max(np.abs(P))
            if not np.isfinite(big) or big == 0:  # NaN, inf, or an exactly zero product (dead ReLUs)
                return float(big)
            k = int(np.frexp(big)[1])
            P, e = np.ldexp(P, -k), e + k  # exact: largest entry in [1/2, 1)
        return float(np.ldexp(np.sqrt(np.linalg.eigvalsh(P.T @ P)[-1]), e))


def explorer_profile(family: int, scale: float, input_scale: float, T: int) -> Profile:
    """The explorer's compute: ``family`` 0, 1, 2 = Gaussian, orthogonal, identity (a slider gives a number)."""
    index = check_int("family", family, low=0, high=len(init.FAMILIES) - 1)
    return profile(init.FAMILIES[index], scale, T, input_scale)


def urnn_matrix(n: int, rng: np.random.Generator) -> np.ndarray:
    """Arjovsky et al.'s (2016) unitary W = D₃ R₂ F⁻¹ D₂ Π R₁ F D₁ (n, n), complex, from 7n real parameters.

    D_k = diag(e^{i w_k}) with w_k ~ U[−π, π]; R_k = I − 2 v_k v_k*/‖v_k‖² with Re v, Im v ~ U[−1, 1]; Π a fixed
    random permutation; F the unitary DFT. Every factor is unitary, so W*W = I and all singular values are 1.
    The factorisation is the paper's (ICML 2016); these particular draws of the 7n parameters are ours.
    """
    n, rng = check_int("n", n, low=1), check_rng(rng)
    D = [np.diag(np.exp(1j * rng.uniform(-np.pi, np.pi, n))) for _ in range(3)]  # 3 × (n, n)
    R = []
    for _ in range(2):
        v = rng.uniform(-1, 1, n) + 1j * rng.uniform(-1, 1, n)  # (n,)
        R.append(np.eye(n) - 2 * np.outer(v, v.conj()) / np.vdot(v, v).real)  # (n, n) reflection
    Pi = np.eye(n)[rng.permutation(n)]  # (n, n)
    F = np.fft.fft(np.eye(n), norm="ortho")  # (n, n) unitary DFT
    return D[2] @ R[1] @ F.conj().T @ D[1] @ Pi @ R[0] @ F @ D[0]
