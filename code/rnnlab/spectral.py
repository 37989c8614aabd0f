"""Recurrent matrices with a chosen spectrum, and the norms of Jacobian products.

Backpropagation through time multiplies per-step Jacobians ``J_t = ∂h_t/∂h_{t-1} = diag(φ'(a_t)) W_hh``:

    ∂h_T/∂h_{T-n} = J_T J_{T-1} ⋯ J_{T-n+1},        and for a linear RNN (J_t = W)  ∂h_T/∂h_{T-n} = Wⁿ.

Pascanu, Mikolov & Bengio (2013, ICML, §2.1): for a linear RNN, spectral radius ρ(W) < 1 is
sufficient for these products to vanish and ρ > 1 necessary for them to explode; with a nonlinearity whose
derivative is bounded by γ, a largest singular value σ_max(W) < 1/γ is sufficient for vanishing. The two
criteria differ for non-normal matrices, where σ_max(W) > ρ(W): ‖Wⁿ‖ can grow for a while before it decays
(Trefethen & Embree, *Spectra and Pseudospectra*, 2005). The constructors below build matrices to probe
exactly these cases; every random one takes an explicit ``rng = np.random.default_rng(seed)``.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_array, check_float, check_int, check_rng, check_square


def spectral_radius(W) -> float:
    """``ρ(W) = max_i |λ_i(W)|``, the largest eigenvalue modulus of a square matrix W (H, H)."""
    return float(np.max(np.abs(np.linalg.eigvals(check_square("W", W)))))


def singular_values(W) -> np.ndarray:
    """Singular values ``σ_1 ≥ σ_2 ≥ … ≥ 0`` of a 2-D matrix W (M, H), in descending order."""
    W = as_array("W", W, ndim=2)
    if W.size == 0:
        raise ValueError(f"W must have at least one row and one column; got an empty matrix {W.shape}")
    return np.linalg.svd(W, compute_uv=False)


def max_singular_value(W) -> float:
    """``σ_max(W) = ‖W‖₂ = max_{‖v‖=1} ‖W v‖`` of a 2-D matrix W (M, H)."""
    return float(singular_values(W)[0])


def gaussian(H: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    """W (H, H) with i.i.d. entries ``W_ij ~ N(0, scale²/H)``; for large H, ρ(W) ≈ scale (circular law)."""
    H = check_int("H", H, low=1)
    scale = check_float("scale", scale, low=0.0)
    return check_rng(rng).standard_normal((H, H)) * (scale / np.sqrt(H))


def orthogonal(H: int, rng: np.random.Generator) -> np.ndarray:
    """Haar-random orthogonal Q (H, H), ``QᵀQ = I``: all singular values and eigenvalue moduli are 1.

    Q comes from the QR factorisation of a Gaussian matrix, with each column's sign fixed so that R has a
    positive diagonal; without this fix Q would not be uniformly distributed (Mezzadri 2007).
    """
    H = check_int("H", H, low=1)
    Q, R = np.linalg.qr(check_rng(rng).standard_normal((H, H)))
    signs = np.where(np.diag(R) < 0, -1.0, 1.0)  # (H,)
    return Q * signs  # (H, H)  column j times sign(R_jj)


def with_spectral_radius(H: int, rho: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian W (H, H) rescaled so that ``ρ(W) = rho`` (up to rounding): ``W = rho · G / ρ(G)``."""
    rho = check_float("rho", rho, low=0.0)
    G = gaussian(H, rng)
    return G * (rho / spectral_radius(G))


def with_singular_values(s, rng: np.random.Generator) -> np.ndarray:
    """``W = U diag(s) Vᵀ`` (H, H) with Haar-random orthogonal U, V: the singular values of W are s.

    Parameters
    ----------
    s : array, shape (H,)
        Non-negative singular values, in any order.
    rng : np.random.Generator
    """
    s = as_array("s", s, ndim=1)
    if s.size == 0 or np.any(s < 0):
        raise ValueError(f"s must be a non-empty array of non-negative singular values; got {s}")
    H = s.size
    U, V = orthogonal(H, rng), orthogonal(H, rng)
    return (U * s) @ V.T  # (H, H)  U diag(s) Vᵀ


def nonnormal(H: int, rho: float, nonnormality: float, rng: np.random.Generator) -> np.ndarray:
    """``W = Q (Λ + nonnormality · U) Qᵀ`` (H, H): spectral radius ``rho``, adjustable non-normality.

    Q is Haar-orthogonal, Λ is diagonal with real eigenvalues drawn uniformly and scaled so that
    ``max |λ_i| = rho`` exactly, and U is strictly upper triangular with ``N(0, 1/H)`` entries. The
    eigenvalues of a triangular matrix are its diagonal, so ``ρ(W) = rho`` for every ``nonnormality``;
    ``nonnormality = 0`` gives a symmetric (normal) W with ``σ_max = ρ``, larger values push σ_max(W)
    above ρ, and ‖Wⁿ‖ can then grow before it decays even when rho < 1. (Numerically computed
    eigenvalues of a strongly non-normal matrix are sensitive to rounding, so ``spectral_radius`` may
    differ from rho by more than machine precision.)

    Parameters
    ----------
    H : int ≥ 1
    rho : float ≥ 0
    nonnormality : float ≥ 0
        Scale of the strictly upper triangular part.
    rng : np.random.Generator
    """
    H = check_int("H", H, low=1)
    rho = check_float("rho", rho, low=0.0)
    nonnormality = check_float("nonnormality", nonnormality, low=0.0)
    Q = orthogonal(H, rng)  # (H, H)
    u = rng.uniform(-1.0, 1.0, size=H)  # (H,)
    lam = rho * (u / np.max(np.abs(u)))  # (H,)  the largest |λ| is exactly rho
    U = np.triu(rng.standard_normal((H, H)) / np.sqrt(H), k=1)  # (H, H)  strictly upper triangular
    return Q @ (np.diag(lam) + nonnormality * U) @ Q.T  # (H, H)


def jacobian_product_norms(J) -> np.ndarray:
    """Spectral norms ``‖∂h_T/∂h_{T-n}‖₂ = ‖J_T J_{T-1} ⋯ J_{T-n+1}‖₂`` for n = 0..T.

    ``n = 0`` is the empty product, the identity, with norm 1. The product is built from the left,
    ``P_n = P_{n-1} J_{T-n+1}``, and stored as ``P_n = P̃_n · 2^{e_n}`` with the largest entry of P̃_n in
    [1/2, 1) and an integer exponent e_n. Scaling by a power of two is exact in floating point, so this costs
    no accuracy, yet intermediate products never overflow or underflow: a norm beyond the float64 range comes out as
    ``inf`` (or 0) without raising, and a NaN in a factor gives NaN for every product that contains it.

    Parameters
    ----------
    J : array, shape (..., T, H, H)
        ``J[..., t-1, :, :] = ∂h_t/∂h_{t-1}``, e.g. from ``rnnlab.rnn.step_jacobians`` (N, T, H, H).
        Leading axes are batch axes. NaN and inf entries are allowed: they give NaN or inf, never an error.

    Returns
    -------
    norms : array, shape (..., T+1)
        ``norms[..., n] = ‖∂h_T/∂h_{T-n}‖₂``.
    """
    J = as_array("J", J, finite=False)
    if J.ndim < 3 or J.shape[-1] != J.shape[-2] or J.shape[-1] == 0:
        raise ValueError(f"J must have shape (..., T, H, H) with square (H, H) Jacobians, H ≥ 1; got {J.shape}")
    *batch, T, H, _ = J.shape
    P = np.empty((*batch, T + 1, H, H))  # (..., T+1, H, H)  P̃_n = P_n / 2^e_n
    e = np.zeros((*batch, T + 1), dtype=np.int64)  # (..., T+1)
    P[..., 0, :, :] = np.eye(H)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for n in range(1, T + 1):
            Q = P[..., n - 1, :, :] @ J[..., T - n, :, :]  # (..., H, H)  P_n / 2^e_{n-1}
            k = np.frexp(np.max(np.abs(Q), axis=(-2, -1)))[1]  # (...)  0 for 0, inf and NaN
            P[..., n, :, :] = np.ldexp(Q, -k[..., None, None])  # exact rescaling, largest entry in [1/2, 1)
            e[..., n] = e[..., n - 1] + k
        m = np.max(np.abs(P), axis=(-2, -1))  # (..., T+1)  NaN or inf where the product is
        ok = np.isfinite(m)
        P = np.where(ok[..., None, None], P, 0.0)  # eigvalsh must not see NaN or inf
        # ‖P̃‖₂² = λ_max(P̃ᵀP̃): one batched symmetric eigen-solve, faster than an SVD per product
        lam = np.linalg.eigvalsh(np.swapaxes(P, -1, -2) @ P)[..., -1]  # (..., T+1)
        return np.where(ok, np.ldexp(np.sqrt(lam), e), m)


def power_norms(W, n_max: int) -> np.ndarray:
    """``‖Wⁿ‖₂`` for n = 0..n_max: the Jacobian-product norms of a linear RNN (every J_t = W).

    Parameters
    ----------
    W : array, shape (H, H)
    n_max : int ≥ 0

    Returns
    -------
    norms : array, shape (n_max + 1,)
        Overflow gives ``inf`` without raising.
    """
    W = check_square("W", W)
    n_max = check_int("n_max", n_max, low=0)
    return jacobian_product_norms(np.broadcast_to(W, (n_max, *W.shape)))


def with_eigenvalues(lam, rng: np.random.Generator, nonnormality: float = 0.0) -> np.ndarray:
    """Real ``W = Q (B + nonnormality · U) Qᵀ`` (H, H) whose eigenvalues are exactly ``lam``.

    B is block diagonal: a 1×1 block ``[λ]`` for each real λ and a 2×2 block ``[[a, b], [−b, a]]`` for
    each pair ``a ± ib``; Q is Haar-orthogonal and U has ``N(0, 1/H)`` entries strictly above B's blocks.
    W is block upper triangular in the basis Q, so its eigenvalues are those of the blocks, ``lam``, for
    every ``nonnormality`` (a real Schur form). ``nonnormality = 0`` gives a normal W (``‖Wⁿ‖ = ρ(W)ⁿ``);
    larger values leave the spectrum alone and raise σ_max(W), as in :func:`nonnormal`, which is the
    special case of real eigenvalues.

    Parameters
    ----------
    lam : array, shape (H,), complex or real
        The eigenvalues; non-real ones must come in conjugate pairs (a real matrix has no others),
        e.g. ``np.linalg.eigvals`` of a real matrix.
    rng : np.random.Generator
    nonnormality : float ≥ 0
        Scale of the part above the diagonal blocks.
    """
    lam = as_array("lam", lam, finite=False, dtype=np.complex128)
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(f"lam must be a non-empty 1-D array of finite eigenvalues; got shape {lam.shape}")
    nonnormality = check_float("nonnormality", nonnormality, low=0.0)
    tol = 1e-12 * float(np.max(np.abs(lam)))  # relative: scaling lam keeps the same block structure
    real = lam[np.abs(lam.imag) <= tol].real  # (R,)
    upper = np.sort_complex(lam[lam.imag > tol])  # (P,)  one of each pair a + ib, b > 0
    lower = np.sort_complex(np.conj(lam[lam.imag < -tol]))  # (P,)  the conjugates, to match
    if upper.shape != lower.shape or np.any(np.abs(upper - lower) > tol):
        raise ValueError("lam must be closed under complex conjugation (a real matrix has conjugate pairs)")
    H = lam.size
    Q = orthogonal(H, check_rng(rng))  # (H, H)
    B = np.zeros((H, H))  # (H, H)  the normal part, block diagonal
    in_block = np.zeros((H, H), dtype=bool)  # (H, H)  entries inside B's blocks
    i = 0
    for lr in real:
        B[i, i], in_block[i, i] = lr, True
        i += 1
    for z in upper:
        B[i:i + 2, i:i + 2] = [[z.real, z.imag], [-z.imag, z.real]]  # eigenvalues a ± ib
        in_block[i:i + 2, i:i + 2] = True
        i += 2
    U = np.triu(rng.standard_normal((H, H)) / np.sqrt(H), k=1) * ~in_block  # (H, H)  above the blocks
    return Q @ (B + nonnormality * U) @ Q.T  # (H, H)
