"""Chapter 6, §6.5: vanishing along depth against vanishing along time — the same product, one difference.

The gradient that crosses n factors is multiplied by their Jacobians, ``J_n ⋯ J_1`` with
``J = diag(φ'(a)) W``, in a deep feedforward network (a different W in every layer) and in an RNN (the same
W_hh at every step). With the activation left out (its diag(φ') factors multiply both products alike), this
module compares the two with factors that cannot be told apart one at a time:

- time: one matrix W, shared by every step: ``‖Wⁿ‖``. Gelfand's formula, ``‖Wⁿ‖^{1/n} → ρ(W)``, makes the
  eigenvalues decide the long run (Chapter 4);
- depth: n layers ``W_ℓ = U_ℓ diag(σ(W)) V_ℓᵀ`` with W's singular values and Haar-random U_ℓ, V_ℓ, drawn
  independently: ``‖W_n ⋯ W_1‖``. For a random unit vector x, ``E‖W_ℓ x‖² = mean_i σ_i(W)²``, so the product
  grows or shrinks by about ``(mean_i σ_i²)^{1/2}`` per layer, whatever W's eigenvalues are.

W is Chapter 4's non-normal matrix (``spectral.nonnormal``): its spectral radius is fixed while its singular
values are pushed up, so the two criteria can disagree. ``mirror`` draws the opposite case, a symmetric W with one
eigenvalue above 1 and the rest small, so that ρ(W) > 1 while mean_i σ_i² < 1: it explodes along time and vanishes
along depth.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import spectral
from .._validate import check_float, check_int


@dataclass(frozen=True)
class Setup:
    """The comparison of §6.5."""
    H: int = 64                # width of W and of every layer
    n: int = 300               # factors: steps of the RNN, layers of the deep network
    rho: float = 0.9           # ρ(W) of the shared matrix (below 1: the RNN's product must vanish in the end)
    nonnormality: float = 1.5  # spectral.nonnormal's scale: pushes the mean squared singular value above 1

    def __post_init__(self):
        check_int("H", self.H, low=1)
        check_int("n", self.n, low=1)
        check_float("rho", self.rho, low=0.0)
        check_float("nonnormality", self.nonnormality, low=0.0)


@dataclass(frozen=True)
class DepthTime:
    """One draw: the shared matrix's powers against a product of independent layers with its singular values."""
    rho: float                # ρ(W), exact by construction (``Setup.rho``)
    singular: np.ndarray      # (H,) σ_i(W), descending: the singular values of every factor, in both products
    time: np.ndarray          # (n+1,) ‖W^k‖, k = 0..n: one matrix at every step
    depth: np.ndarray         # (n+1,) ‖W_k ⋯ W_1‖, k = 0..n: a new orientation in every layer

    @property
    def mean_square(self) -> float:
        """``mean_i σ_i(W)²``, the expected squared stretch of a random direction by any one factor."""
        return float(np.mean(self.singular ** 2))

    @property
    def depth_rate(self) -> float:
        """``log(‖W_n ⋯ W_1‖) / n``, the measured growth per layer (natural log)."""
        return float(np.log(self.depth[-1]) / (len(self.depth) - 1))

    @property
    def predicted_depth_rate(self) -> float:
        """``½ log mean_i σ_i²``, the growth per layer that the singular values predict (natural log)."""
        return 0.5 * float(np.log(self.mean_square))


def depth_and_time(seed: int, setup: Setup = Setup()) -> DepthTime:
    """Draw W from ``default_rng(seed)``, then the n layers from the same generator, and measure both products.

    Parameters
    ----------
    seed : int ≥ 0
    setup : Setup
        H, n, ρ(W) and the non-normality of W.
    """
    seed = check_int("seed", seed, low=0)
    if not isinstance(setup, Setup):
        raise ValueError(f"setup must be an init_depth.Setup; got {type(setup).__name__}")
    rng = np.random.default_rng(seed)
    W = spectral.nonnormal(setup.H, setup.rho, setup.nonnormality, rng)  # (H, H)
    s = spectral.singular_values(W)  # (H,)
    layers = np.stack([spectral.with_singular_values(s, rng) for _ in range(setup.n)])  # (n, H, H)
    return DepthTime(float(setup.rho), s, spectral.power_norms(W, setup.n), spectral.jacobian_product_norms(layers))


def mirror(seed: int, H: int = 64, n: int = 300, top: float = 1.2, rest: float = 0.5) -> DepthTime:
    """The mirror case: ``W = Q diag(top, rest, …, rest) Qᵀ`` with Q Haar-orthogonal from ``default_rng(seed)``.

    W is symmetric, so its singular values are its eigenvalues' sizes: ρ(W) = σ_max(W) = ``top`` and
    ``mean_i σ_i² = (top² + (H − 1) rest²) / H``. With ``top > 1`` and that mean below 1, the shared matrix's product
    grows like ``topⁿ`` while the independent layers' shrinks like ``(mean_i σ_i²)^{n/2}``.
    """
    seed, H, n = check_int("seed", seed, low=0), check_int("H", H, low=2), check_int("n", n, low=1)
    top, rest = check_float("top", top, low=0.0), check_float("rest", rest, low=0.0)
    if rest > top:
        raise ValueError(f"rest must not exceed top (top is the largest eigenvalue); got top={top}, rest={rest}")
    rng = np.random.default_rng(seed)
    Q = spectral.orthogonal(H, rng)  # (H, H)
    s = np.array([top] + [rest] * (H - 1))  # (H,) descending
    W = (Q * s) @ Q.T  # (H, H) Q diag(s) Qᵀ
    layers = np.stack([spectral.with_singular_values(s, rng) for _ in range(n)])  # (n, H, H)
    return DepthTime(float(top), s, spectral.power_norms(W, n), spectral.jacobian_product_norms(layers))
