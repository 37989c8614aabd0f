"""Echo state networks (Jaeger 2001): a fixed random recurrent reservoir, and only a linear readout trained.

The reservoir state h_t (H) is driven by the input x_t (D) through fixed random weights,

    h_t = (1 − leak) h_{t−1} + leak · tanh(W_xh [1; x_t] + W_hh h_{t−1}),    h_0 = 0,         (eq-esn)

where column 0 of W_xh (H, 1 + D) multiplies a constant 1 (a bias), as in Lukoševičius's ``minimalESN`` (in his
letters x(n) = (1 − a) x(n−1) + a tanh(W_in [1; u(n)] + W x(n−1)), his x our h, his u our x); leak = a = 1 is
Jaeger's (2001) plain update. Nothing
is propagated back through time: the readout ŷ_t = W_out z_t of features z_t (e.g. [1; x_t; h_t]) is a ridge
regression, W_out = Y Zᵀ (Z Zᵀ + βI)⁻¹ (eq-ridge).

It works when the reservoir has the *echo state property*: h_t is a function of the inputs alone, whatever h_0,
i.e. two runs from different h_0 driven by the same inputs converge (``echo_state_distance``). Jaeger (2001):
σ_max(W_hh) < 1 suffices for tanh units (``sufficient_condition``; for every leak too, since the leaky map's
Lipschitz constant is (1 − leak) + leak σ_max); ρ(W_hh) > 1 with zero input violates it, because the zero state
becomes unstable (``zero_input_distance``; with leak < 1 see its docstring). In between, ρ < 1 nearly always works
in practice, and ρ > 1 can work with non-zero input (Lukoševičius & Jaeger 2009). ``memory_capacity`` is Jaeger's
short-term memory ("Short term memory in echo state networks", as reservoirpy cites it; its report number and year
are not checked here), MC = Σ_k MC_k, MC_k the squared correlation between x_{t−k} and a readout trained to
recall it.
``esn`` trains the Mackey–Glass generator; ``reservoir_torch`` wraps (eq-esn) as a torch model.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_float, check_int, check_positive, check_rng, check_square


def spectral_radius(W_hh) -> float:
    """ρ(W_hh) = max |λ_i|, the largest modulus of an eigenvalue of a square matrix."""
    return float(np.abs(np.linalg.eigvals(check_square("W_hh", W_hh))).max())


def reservoir_matrix(H: int, radius: float, density: float = 0.1, *, rng: np.random.Generator) -> np.ndarray:
    """A sparse random W_hh (H, H) rescaled to spectral radius exactly ``radius``.

    Each entry is non-zero with probability ``density``, uniform on [−1, 1], then the matrix is multiplied by
    radius / ρ. A draw with ρ = 0 (empty, or nilpotent: likely when H · density is small) is drawn again from the
    same ``rng``. ``radius = 0`` gives the zero matrix (no recurrence: h_t depends on x_t alone).
    """
    H = check_int("H", H, low=1)
    radius = check_float("radius", radius, low=0.0)
    density = check_float("density", density, low=0.0, high=1.0)
    if density == 0:
        raise ValueError("density must be positive: with no connections W_hh = 0 cannot be rescaled to a radius")
    rng = check_rng(rng)
    if radius == 0:
        return np.zeros((H, H))
    for _ in range(1000):
        W = np.where(rng.random((H, H)) < density, rng.uniform(-1.0, 1.0, (H, H)), 0.0)  # (H, H)
        rho = spectral_radius(W)
        if rho > 1e-8:
            return W * (radius / rho)
    raise ValueError(f"1000 draws of W_hh all had spectral radius 0: raise density (got {density}) or H (got {H})")


def input_matrix(H: int, D: int, scale: float = 1.0, *, rng: np.random.Generator) -> np.ndarray:
    """W_xh (H, 1 + D), uniform on [−scale, scale]; column 0 multiplies the constant 1 of [1; x_t] (a bias)."""
    H, D = check_int("H", H, low=1), check_int("D", D, low=0)
    scale = check_float("scale", scale, low=0.0)
    return check_rng(rng).uniform(-scale, scale, (H, 1 + D))


def run_reservoir(W_hh, W_xh, x, leak: float = 1.0, h0=None) -> np.ndarray:
    """The states of (eq-esn): x (T, D) -> h (T, H), or a batch x (N, T, D) -> h (N, T, H).

    ``h0`` is the state before x_1: shape (H,) or (N, H) for a batch; zeros by default.
    """
    W_hh, W_xh, x, leak, h, batched = _check_run(W_hh, W_xh, x, leak, h0)
    drive = x @ W_xh[:, 1:].T + W_xh[:, 0]  # (N, T, H) W_xh [1; x_t] for every t at once
    states = np.empty_like(drive)
    for t in range(drive.shape[1]):
        h = (1 - leak) * h + leak * np.tanh(drive[:, t] + h @ W_hh.T)  # (N, H) (eq-esn)
        states[:, t] = h
    return states if batched else states[0]


def _check_run(W_hh, W_xh, x, leak, h0) -> tuple:
    """Validate run_reservoir's arguments; return (W_hh, W_xh, x, leak, h0, batched), x and h0 with a batch axis."""
    W_hh = check_square("W_hh", W_hh)
    H = len(W_hh)
    W_xh = as_array("W_xh", W_xh, ndim=2)
    if W_xh.shape[0] != H or W_xh.shape[1] < 1:
        raise ValueError(f"W_xh must have shape (H, 1 + D) = ({H}, 1 + D), column 0 the bias; got {W_xh.shape}")
    D = W_xh.shape[1] - 1
    x = as_array("x", x)
    batched = x.ndim == 3
    if x.ndim not in (2, 3) or x.shape[-1] != D or x.shape[-2] < 1 or (batched and x.shape[0] < 1):
        raise ValueError(f"x must have shape (T, D) or (N, T, D) with D = {D} (from W_xh) and T ≥ 1; got {x.shape}")
    x = x if batched else x[None]
    leak = check_float("leak", leak, low=0.0, high=1.0)
    if leak == 0:
        raise ValueError("leak must be in (0, 1]: with leak = 0 the state never moves from h0")
    N = len(x)
    if h0 is None:
        return W_hh, W_xh, x, leak, np.zeros((N, H)), batched
    h0 = as_array("h0", h0)
    want = (N, H) if batched else (H,)
    if h0.shape != want:
        raise ValueError(f"h0 must have shape {'(N, H)' if batched else '(H,)'} = {want}; got {h0.shape}")
    return W_hh, W_xh, x, leak, np.broadcast_to(h0, (N, H)), batched


def ridge(X, Y, beta: float) -> np.ndarray:
    """W_out = Y Xᵀ (X Xᵀ + βI)⁻¹ (eq-ridge), by ``np.linalg.solve`` on the symmetric system, never an inverse.

    Time runs along the columns, as Lukoševičius writes it: X (F, T) holds one feature vector z_t per column,
    Y (O, T) the targets; the readout W_out (O, F) predicts Y ≈ W_out X. β > 0 bounds the condition number of
    X Xᵀ + βI by (σ_max(X)² + β) / β, so nearly collinear features cannot blow the weights up.
    """
    X, Y = as_array("X", X, ndim=2), as_array("Y", Y, ndim=2)
    if Y.shape[1] != X.shape[1] or X.shape[1] < 1:
        raise ValueError(f"X (F, T) and Y (O, T) must have the same number T ≥ 1 of columns (time steps); "
                         f"got {X.shape} and {Y.shape}")
    beta = check_positive("beta", beta)
    A = X @ X.T + beta * np.eye(len(X))  # (F, F) symmetric positive definite
    return np.linalg.solve(A, X @ Y.T).T  # (O, F): W_out A = Y Xᵀ, transposed


def nrmse(target, prediction, variance: float | None = None) -> float:
    """√(mean((target − prediction)²) / σ²), σ² the variance of ``target`` (population, ddof = 0) unless given.

    Jaeger (2001) normalises by the variance of the signal: NRMSE = 1 is the error of always predicting its mean.
    Pass ``variance`` when ``target`` holds only a few samples of a longer signal (e.g. one per test run).
    """
    target, prediction = as_array("target", target), as_array("prediction", prediction)
    if target.shape != prediction.shape or target.size < 1:
        raise ValueError(f"target and prediction must have one non-empty shape; got {target.shape} and "
                         f"{prediction.shape}")
    variance = float(np.var(target)) if variance is None else check_positive("variance", variance)
    if variance == 0:
        raise ValueError("target is constant (variance 0): pass the variance of the signal as variance=")
    return float(np.sqrt(np.mean((target - prediction) ** 2) / variance))


def echo_state_distance(W_hh, W_xh, x, leak: float, h0_a, h0_b) -> np.ndarray:
    """‖h_t(a) − h_t(b)‖₂, t = 1 … T (shape (T,)): runs from h0_a and h0_b (each (H,)) driven by one x (T, D).

    With the echo state property the distance goes to 0: the state forgets where it started.
    """
    H = len(check_square("W_hh", W_hh))
    h0 = np.zeros((2, H))  # (2, H) the two starting states
    for i, (name, value) in enumerate((("h0_a", h0_a), ("h0_b", h0_b))):
        value = as_array(name, value, ndim=1)
        if len(value) != H:
            raise ValueError(f"{name} must have shape (H,) = ({H},); got {value.shape}")
        h0[i] = value
    x = as_array("x", x, ndim=2)
    h = run_reservoir(W_hh, W_xh, np.broadcast_to(x, (2, *x.shape)), leak, h0)  # (2, T, H)
    return np.linalg.norm(h[0] - h[1], axis=1)


def sufficient_condition(W_hh) -> bool:
    """Jaeger's (2001) sufficient condition for the echo state property with tanh units: σ_max(W_hh) < 1."""
    return bool(np.linalg.norm(check_square("W_hh", W_hh), 2) < 1)


def zero_input_distance(W_hh, h0_a, h0_b, n_steps: int, leak: float = 1.0) -> np.ndarray:
    """``echo_state_distance`` with zero input and no bias: h_t = (1 − leak) h_{t−1} + leak tanh(W_hh h_{t−1}).

    h = 0 is then a fixed point with Jacobian (1 − leak) I + leak W_hh, with eigenvalues (1 − leak) + leak λ_i.
    With leak = 1 its spectral radius is ρ(W_hh); with leak < 1 it exceeds 1 when some |(1 − leak) + leak λ_i| > 1
    (e.g. a real eigenvalue λ_i > 1), not for every ρ(W_hh) > 1 (W_hh = −1.2 I at leak 0.5 gives −0.1 I). Then
    the zero state is unstable and a run from any other h_0 need not return to it. Two runs from h0 and −h0
    stay apart (tanh is odd, so the second is minus the first), and the echo state property is lost.
    """
    n_steps = check_int("n_steps", n_steps, low=1)
    H = len(check_square("W_hh", W_hh))
    return echo_state_distance(W_hh, np.zeros((H, 1)), np.zeros((n_steps, 0)), leak, h0_a, h0_b)


class MemoryCapacity(NamedTuple):
    """MC_k for each lag k, and MC = Σ_k MC_k."""
    lags: np.ndarray  # (K,) the lags k
    mc: np.ndarray  # (K,) MC_k = squared correlation of x_{t−k} and the readout ŷ_k(t), on test data
    total: float  # Σ_k MC_k (a bound MC ≤ H for i.i.d. input is attributed to Jaeger; not checked here)


def memory_capacity(radius: float, leak: float, H: int, lags, rng: np.random.Generator, n_train: int = 2000,
                    n_test: int = 1000, washout: int = 200, input_scale: float = 0.1, density: float = 0.1,
                    beta: float = 1e-8) -> MemoryCapacity:
    """Jaeger's short-term memory capacity of a fresh reservoir (H units, spectral radius ``radius``).

    The input x_t is i.i.d. uniform on [−1, 1]. For each lag k a ridge readout of [1; h_t] is trained to output
    x_{t−k} on ``n_train`` steps (after ``washout`` ≥ max lag steps), and MC_k = corr²(x_{t−k}, ŷ_k(t)) is
    measured on the next ``n_test`` steps (Jaeger, "Short term memory in echo state networks", as reservoirpy cites
    it; the same definition as reservoirpy's ``observables.memory_capacity``).
    """
    lags = np.asarray(lags)
    if lags.ndim != 1 or lags.size < 1 or not np.issubdtype(lags.dtype, np.integer) or (lags < 0).any():
        raise ValueError(f"lags must be a non-empty 1-D array of integers k ≥ 0; got {lags!r:.60}")
    n_train, n_test = check_int("n_train", n_train, low=2), check_int("n_test", n_test, low=2)
    washout = check_int("washout", washout, low=int(lags.max()))
    rng = check_rng(rng)
    W_hh = reservoir_matrix(H, radius, density, rng=rng)
    W_xh = input_matrix(H, 1, input_scale, rng=rng)
    T = washout + n_train + n_test
    x = rng.uniform(-1.0, 1.0, T)  # (T,)
    h = run_reservoir(W_hh, W_xh, x[:, None], leak)  # (T, H)
    Z = np.vstack([np.ones(T), h.T])  # (1 + H, T) features [1; h_t] as columns
    t = np.arange(washout, T)
    Y = x[t[None, :] - lags[:, None]]  # (K, T − washout) row k: x_{t − k}
    train, test = slice(0, n_train), slice(n_train, None)
    W_out = ridge(Z[:, t[train]], Y[:, train], beta)  # (K, 1 + H)
    y = W_out @ Z[:, t[test]]  # (K, n_test)
    mc = np.array([np.corrcoef(a, b)[0, 1] ** 2 for a, b in zip(Y[:, test], y)])  # (K,)
    return MemoryCapacity(lags, mc, float(mc.sum()))
