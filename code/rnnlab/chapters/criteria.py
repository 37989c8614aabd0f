"""Chapter 4: what the spectrum of W_hh says about the gain ‖∂h_T/∂h_{T-n}‖ after n steps back.

- Linear RNN (φ = identity): ``∂h_T/∂h_{T-n} = Wⁿ`` and the column gradient ``∇_{h_{T-n}} L_T = (Wᵀ)ⁿ z`` with
  ``z = ∇_{h_T} L_T``; for diagonalisable ``Wᵀ = V Λ V⁻¹``, ``(Wᵀ)ⁿ z = Σ_i ξ_i λ_iⁿ v_i`` with ``ξ = V⁻¹ z``
  (eq-eig-modes), so ρ(W) decides the long run and κ = ‖V‖ ‖V⁻¹‖ the constant.
- Nonlinear RNN: ``‖J_t‖ = ‖diag(φ'(a_t)) W_hh‖ ≤ γ σ_max(W_hh) =: η`` and ``‖∂h_T/∂h_{T-n}‖ ≤ ηⁿ``
  (eq-eig-bound; Pascanu, Mikolov & Bengio 2013, ICML).
- Non-normal W: ρ(W) < 1 < σ_max(W) lets ‖Wⁿ‖ grow before it decays (Trefethen & Embree 2005).

Pure compute functions return frozen dataclasses; ``criteria_figures`` draws them and builds the two explorers
(H = 16, ≤ 20 ms per compute). Every random quantity comes from an explicit seed or generator.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import plotting, rnn, spectral
from .._validate import as_array, check_choice, check_float, check_int, check_rng, check_shape, check_square
from ..activations import get_activation

EXPLORER_H = 16    # hidden size of both explorers: small enough for ≤ 20 ms, large enough for a spectrum
EXPLORER_SEED = 0  # the explorers' matrix and inputs come from this seed
CENTRED = ("tanh", "sigmoid", "linear")  # activations with |φ'| maximal (= γ) at a = 0
# §4.2's example: one real eigenvalue of modulus 1 and a gap below it (the others at most 0.6), so the
# dominant term takes over within a few dozen steps; conjugate pairs keep the matrix real.
MODES_SPECTRUM = np.array([1.0, 0.6, -0.55, 0.5 * np.exp(1.2j), 0.5 * np.exp(-1.2j), 0.4 * np.exp(2.5j),
                           0.4 * np.exp(-2.5j), -0.2])
MODES_NONNORMALITY = 1.0  # ν of spectral.with_eigenvalues for that example: κ > 1, not huge


def _seed(seed) -> int:
    return check_int("seed", seed, low=0)


# --- 4.2 the linear RNN: eigen-components ---------------------------------------------------------------
@dataclass(frozen=True)
class Modes:
    """The column gradient ``(Wᵀ)ⁿ z`` of a linear RNN split into eigen-components (eq-eig-modes)."""
    eigenvalues: np.ndarray   # (H,) complex λ_i of W (also those of Wᵀ)
    coefficients: np.ndarray  # (H,) complex ξ_i with z = Σ_i ξ_i v_i, v_i the unit eigenvectors of Wᵀ
    condition: float          # κ = ‖V‖ ‖V⁻¹‖ of the eigenvector matrix V; 1 for a normal W
    inverse_norm: float       # ‖V⁻¹‖, for the lower bound (b) of thm-eig-linear
    norms: np.ndarray         # (n_max+1,) ‖(Wᵀ)ⁿ z‖, by repeated multiplication
    components: np.ndarray    # (n_max+1, H) |ξ_i| |λ_i|ⁿ, the size of each term
    bound: np.ndarray         # (n_max+1,) κ ρ(W)ⁿ ‖z‖, the upper bound (a) of thm-eig-linear


def _eigen(W, z):
    """W (H, H), z (H,), eigenvalues λ (H,) and unit eigenvectors V (H, H) of Wᵀ; V must be invertible."""
    W = check_square("W", W)
    z = as_array("z", z, ndim=1)
    check_shape("z", z, (W.shape[0],), "(H,)")
    lam, V = np.linalg.eig(W.T)
    if np.linalg.cond(V) > 1e12:
        raise ValueError("W must be diagonalisable: its eigenvector matrix is (numerically) singular")
    return W, z, lam, V


def modes_example(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """§4.2's example from ``seed``: W (8, 8) with eigenvalues ``MODES_SPECTRUM`` (ρ(W) = 1), random
    eigenvectors (``spectral.with_eigenvalues``, non-normality ``MODES_NONNORMALITY``), and z (8,) ~ N(0, I).

    Scale W by ρ to get spectral radius ρ with the same eigenvectors.
    """
    rng = np.random.default_rng(_seed(seed))
    W = spectral.with_eigenvalues(MODES_SPECTRUM, rng, nonnormality=MODES_NONNORMALITY)  # (8, 8)
    return W, rng.standard_normal(len(MODES_SPECTRUM))  # (8, 8), (8,)


def gradient_modes(W, z, n_max: int) -> Modes:
    """Split ``∇_{h_{T-n}} L_T = (Wᵀ)ⁿ z`` into the terms ``ξ_i λ_iⁿ v_i`` of (eq-eig-modes).

    Parameters
    ----------
    W : array, shape (H, H)
        The recurrent matrix of a linear RNN; it must be diagonalisable.
    z : array, shape (H,)
        ``∇_{h_T} L_T``, the gradient arriving at the last state, as a column.
    n_max : int ≥ 0
        Largest lag n.
    """
    W, z, lam, V = _eigen(W, z)
    n_max = check_int("n_max", n_max, low=0)
    xi = np.linalg.solve(V, z)  # (H,)  z = V ξ
    norms, v = np.empty(n_max + 1), z.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for n in range(n_max + 1):
            norms[n] = np.linalg.norm(v)
            v = W.T @ v  # (H,)  (eq-eig-linear): one more step back
        components = np.abs(xi) * np.abs(lam) ** np.arange(n_max + 1)[:, None]  # (n_max+1, H)
        kappa = float(np.linalg.cond(V))
        bound = kappa * np.max(np.abs(lam)) ** np.arange(n_max + 1) * np.linalg.norm(z)  # (n_max+1,)
    return Modes(lam, xi, kappa, float(np.linalg.norm(np.linalg.inv(V), 2)), norms, components, bound)


def stable_part(W, z) -> np.ndarray:
    """The part of z (H,) along the eigenvectors v_i of Wᵀ with |λ_i| < 1: ``Σ_{|λ_i|<1} ξ_i v_i`` (H,)."""
    W, z, lam, V = _eigen(W, z)
    xi = np.linalg.solve(V, z) * (np.abs(lam) < 1)  # (H,)  conjugate pairs are kept or dropped together
    return (V @ xi).real  # (H,)  real up to rounding


# --- 4.3 the nonlinear RNN: σ_max against 1/γ ---------------------------------------------------------------
def driven_norms(W, activation: str, T: int, input_scale: float, rng: np.random.Generator, N: int = 1):
    """``‖∂h_T/∂h_{T-n}‖`` (N, T+1) of ``h_t = φ(W h_{t-1} + x_t + b)`` driven by ``x_t ~ N(0, input_scale² I)``.

    The network is centred: ``h_0 = φ(0)·1`` and ``b = −W h_0``, so with no input every ``a_t = 0``, where
    ``φ'(a_t) = γ`` and ``J_t = γ W`` — the worst case of (eq-eig-bound). Inputs push units away from 0,
    where φ' < γ.

    Parameters
    ----------
    W : array, shape (H, H)
        ``W_hh``; the input weights are ``W_xh = I`` (D = H).
    activation : "tanh", "sigmoid" or "linear"
    T : int ≥ 1;  input_scale : float ≥ 0 (the input scale s_x);  rng : np.random.Generator;  N : int ≥ 1
    """
    return spectral.jacobian_product_norms(_driven_jacobians(W, activation, T, input_scale, rng, N))  # (N, T+1)


def _driven_jacobians(W, activation, T, input_scale, rng, N=1) -> np.ndarray:
    """The step Jacobians J_t (N, T, H, H) behind ``driven_norms``."""
    W = check_square("W", W)
    act = get_activation(check_choice("activation", activation, CENTRED))
    T, N = check_int("T", T, low=1), check_int("N", N, low=1)
    input_scale = check_float("input_scale", input_scale, low=0.0)
    H = W.shape[0]
    h0 = np.full((N, H), float(act.f(0.0)))  # (N, H)  φ(0)
    x = input_scale * check_rng(rng).standard_normal((N, T, H))  # (N, T, D = H)
    _, cache = rnn.rnn_forward(x, h0, np.eye(H), W, -W @ h0[0], act)  # b = −W h_0: a_t = 0 without input
    return rnn.step_jacobians(cache)  # (N, T, H, H)


@dataclass(frozen=True)
class GammaFate:
    """Explorer (b): one W (scaled to a given σ_max) in a tanh and in a sigmoid RNN."""
    singular_values: np.ndarray  # (H,) of W
    eigen_moduli: np.ndarray     # (H,) |λ_i(W)|
    names: tuple                 # ("tanh", "sigmoid")
    gamma: np.ndarray            # (2,) γ of each: 1 and 1/4
    norms: np.ndarray            # (2, T+1) gains ‖∂h_T/∂h_{T-n}‖ along one driven sequence
    bound: np.ndarray            # (2, T+1) ηⁿ = (γ σ_max)ⁿ, thm-eig-nonlinear
    status: tuple                # plotting.classify of each gain at n = T, norms[:, -1]


def gamma_fate(sigma_max: float, T: int, input_scale: float, seed: int = EXPLORER_SEED) -> GammaFate:
    """Explorer (b): a seeded Gaussian W (H = 16) scaled to ``σ_max(W) = sigma_max``, tanh and sigmoid.

    Both networks are centred (see ``driven_norms``) and driven by the same inputs, drawn from ``seed + 2``;
    ``bound`` is ηⁿ of (eq-eig-bound). Arguments: ``sigma_max ≥ 0``, ``1 ≤ T ≤ 1000`` steps,
    ``input_scale ≥ 0``, ``seed ≥ 0`` (the explorer's is ``EXPLORER_SEED``; others give other samples).
    """
    sigma_max = check_float("sigma_max", sigma_max, low=0.0)
    T, seed = check_int("T", T, low=1, high=1000), _seed(seed)
    G = spectral.gaussian(EXPLORER_H, np.random.default_rng(seed))
    W = G * (sigma_max / spectral.max_singular_value(G))  # (H, H)
    names = ("tanh", "sigmoid")
    gamma = np.array([get_activation(a).gamma for a in names])  # (2,)
    J = np.concatenate([_driven_jacobians(W, a, T, input_scale, np.random.default_rng(seed + 2))
                        for a in names])  # (2, T, H, H): the same inputs for both
    norms = spectral.jacobian_product_norms(J)  # (2, T+1)
    with np.errstate(over="ignore"):
        bound = (gamma[:, None] * sigma_max) ** np.arange(T + 1)  # (2, T+1)  (eq-eig-bound)
    return GammaFate(spectral.singular_values(W), np.abs(np.linalg.eigvals(W)), names, gamma, norms, bound,
                     tuple(plotting.classify(v) for v in norms[:, -1]))


# --- 4.4 eigenvalues vs singular values: ‖Wⁿ‖ ---------------------------------------------------------------
@dataclass(frozen=True)
class LinearFate:
    """The spectrum of W and the gain ``‖∂h_T/∂h_{T-n}‖ = ‖Wⁿ‖`` of the linear RNN it defines."""
    eigenvalues: np.ndarray      # (H,) complex
    singular_values: np.ndarray  # (H,) descending
    rho: float                   # ρ(W) = max |λ_i|: ‖Wⁿ‖ behaves like ρⁿ in the long run
    sigma_max: float             # σ_max(W) = ‖W‖: ‖Wⁿ‖ ≤ σ_maxⁿ at every n
    norms: np.ndarray            # (n_max+1,) ‖Wⁿ‖
    peak: float                  # max_n ‖Wⁿ‖ (1 at n = 0 unless the norms grow)
    peak_lag: int                # the n where it is attained
    status: str                  # plotting.classify(‖W^n_max‖)


def linear_fate(W, n_max: int) -> LinearFate:
    """Spectrum and ``‖Wⁿ‖`` (n = 0..n_max) of a square W (H, H); overflow gives inf, never an error."""
    W = check_square("W", W)
    n_max = check_int("n_max", n_max, low=0)
    norms = spectral.power_norms(W, n_max)
    s = spectral.singular_values(W)
    eig = np.linalg.eigvals(W)
    return LinearFate(eig, s, float(np.max(np.abs(eig))), float(s[0]), norms, float(np.max(norms)),
                      int(np.argmax(norms)), plotting.classify(norms[-1]))


def explorer_matrix(rho: float, nonnormality: float, H: int = EXPLORER_H, seed: int = EXPLORER_SEED):
    """W (H, H) with eigenvalues ``rho · λ̂`` and the given non-normality (``spectral.with_eigenvalues``).

    λ̂ are the eigenvalues of a seeded Gaussian matrix scaled to ``max |λ̂| = 1``, so ρ(W) = rho exactly and
    the eigenvalues fill a disc, as for a random initialisation. The same seed gives the same λ̂, Q and R
    for every (rho, nonnormality): the sliders move one matrix, not a new random one.
    """
    rho = check_float("rho", rho, low=0.0)
    nonnormality = check_float("nonnormality", nonnormality, low=0.0)
    H, seed = check_int("H", H, low=1), _seed(seed)
    base = np.linalg.eigvals(spectral.gaussian(H, np.random.default_rng(seed)))  # (H,)
    return spectral.with_eigenvalues(rho * base / np.max(np.abs(base)), np.random.default_rng(seed + 1),
                                     nonnormality)


def spectrum_fate(rho: float, nonnormality: float, T: int) -> LinearFate:
    """Explorer (a): ``linear_fate(explorer_matrix(rho, nonnormality), T)`` for 1 ≤ T ≤ 1000."""
    T = check_int("T", T, low=1, high=1000)
    return linear_fate(explorer_matrix(rho, nonnormality), T)


# --- 4.5 initialisation ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitFate:
    """An initial W_hh: its spectrum and its gradient-norm curves in a linear and a tanh RNN."""
    name: str                    # e.g. "orthogonal" or "Gaussian, β = 0.9"
    eigenvalues: np.ndarray      # (H,) complex
    singular_values: np.ndarray  # (H,) descending
    rho: float
    sigma_max: float
    linear: np.ndarray           # (T+1,) ‖Wⁿ‖
    tanh: np.ndarray             # (T+1,) ‖∂h_T/∂h_{T-n}‖ of the centred tanh RNN, one driven sequence


def init_fate(name: str, W, T: int, input_scale: float, rng: np.random.Generator) -> InitFate:
    """Spectrum of W (H, H) and its curves: ``linear_fate(W, T)`` and ``driven_norms(W, "tanh", ...)``.

    ``name`` (text) labels the figure; ``T ≥ 1`` is the largest lag; the tanh network is driven by
    ``x_t ~ N(0, input_scale² I)`` drawn from ``rng``.
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be text that labels the figure, e.g. 'orthogonal'; got {name!r}")
    p = linear_fate(W, check_int("T", T, low=1))
    tanh = driven_norms(W, "tanh", T, input_scale, rng)[0]
    return InitFate(name, p.eigenvalues, p.singular_values, p.rho, p.sigma_max, p.norms, tanh)
