"""The Linear Recurrent Unit (LRU) of Orvieto et al. (2023): Chapter 4's eigenvalue criterion as a parametrisation.

One LRU layer maps inputs u_t (H_in) to outputs (H_out) through a diagonal complex recurrence of n states:

    h_t = λ ⊙ h_{t-1} + γ ⊙ (B u_t),    output_t = Re(C h_t) + D ⊙ u_t,    h_0 = 0     (eq-lru)
    λ_j = exp(−exp(ν_j) + i exp(θ_j))                                                   (eq-lru-lambda)

so |λ_j| = exp(−exp(ν_j)) lies in (0, 1) whatever ν_j is: the linear part can never explode, and a state keeps a
fraction |λ_j|^k of itself over k steps. Ring initialisation: |λ_j|² uniform on [r_min², r_max²] (the eigenvalues
uniform on the ring r_min ≤ |λ| ≤ r_max of the complex plane), phase arg λ_j uniform on [0, max_phase]. The
normalisation γ_j = √(1 − |λ_j|²) keeps a state's variance at that of its input for white-noise input, however
close |λ_j| is to 1 (Σ_k |λ|^{2k} = 1/(1 − |λ|²)). ν, θ and log γ are the trained parameters (γ is initialised from
λ, then trained on its own). B and C are complex, D real. The recurrence is a linear scan (``rnnlab.scan_torch``).

The parametrisation and the initialisation follow the paper's description as several independent implementations
that cite it write it (ν = log(−½ log(u (r_max² − r_min²) + r_min²)), θ = log(max_phase · u′), B and C complex
Gaussian scaled by 1/√(2 H_in) and 1/√n); the paper's own text was not reachable here.

``LRUClassifier`` stacks layers as the paper's deep LRU does: a linear encoder, then per layer LayerNorm → LRU →
GELU → a gated linear unit, added back to its input, and a linear readout of the last step (or of every step).
Its forward has the interface of ``models.RecurrentClassifier`` (``return_states``, ``truncate``), so the training
loop and the experiment runner take it as they are.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validate import check_bool, check_float, check_int
from .models import check_dtype, check_input, check_seed
from .scan_torch import chunked_any

R_MIN, R_MAX, MAX_PHASE = 0.9, 0.999, 2 * math.pi  # the ring this book trains with (an LRU layer's defaults)


def check_ring(r_min, r_max, max_phase) -> tuple:
    """Check a ring 0 ≤ r_min < r_max < 1 and a phase range 0 < max_phase ≤ 2π; return them as floats."""
    r_min = check_float("r_min", r_min, low=0.0)
    r_max = check_float("r_max", r_max, low=0.0)
    if not r_min < r_max < 1:
        raise ValueError(f"the ring needs 0 ≤ r_min < r_max < 1 (|λ| < 1 is what keeps the LRU from exploding); "
                         f"got r_min = {r_min}, r_max = {r_max}")
    max_phase = check_float("max_phase", max_phase, low=0.0, high=2 * math.pi)
    if max_phase == 0:
        raise ValueError("max_phase must be positive (θ = log(max_phase · u) needs it); got 0")
    return r_min, r_max, max_phase


def ring_init(n: int, r_min: float = R_MIN, r_max: float = R_MAX, max_phase: float = MAX_PHASE,
              rng: np.random.Generator | None = None) -> tuple:
    """ν and θ (each (n,)) of n eigenvalues drawn uniformly on the ring r_min ≤ |λ| ≤ r_max (eq-lru-lambda)."""
    n = check_int("n", n, low=1)
    r_min, r_max, max_phase = check_ring(r_min, r_max, max_phase)
    rng = np.random.default_rng(0) if rng is None else rng
    u1, u2 = rng.uniform(size=n), rng.uniform(size=n)
    nu = np.log(-0.5 * np.log(u1 * (r_max ** 2 - r_min ** 2) + r_min ** 2))  # |λ|² = u1 (r_max² − r_min²) + r_min²
    theta = np.log(max_phase * np.maximum(u2, np.finfo(float).tiny))
    return nu, theta


def eigenvalues(nu, theta) -> np.ndarray:
    """λ = exp(−exp(ν) + i exp(θ)) (eq-lru-lambda), complex, for ν and θ of one shape."""
    nu, theta = np.asarray(nu, dtype=float), np.asarray(theta, dtype=float)
    if nu.shape != theta.shape:
        raise ValueError(f"nu and theta must have one shape; got {nu.shape} and {theta.shape}")
    return np.exp(-np.exp(nu) + 1j * np.exp(theta))


def lag_gains(lam, lags) -> np.ndarray:
    """‖∂h_T/∂h_{T−k}‖₂ = max_j |λ_j|^k for each lag k: the Jacobian over k steps is diag(λ^k)."""
    lam = np.asarray(lam)
    if lam.ndim != 1 or lam.size < 1 or not np.all(np.isfinite(lam)):
        raise ValueError(f"lam must be a non-empty 1-D array of finite eigenvalues; got shape {lam.shape}")
    lags = np.asarray(lags)
    if lags.ndim != 1 or lags.size < 1 or not np.issubdtype(lags.dtype, np.integer) or (lags < 0).any():
        raise ValueError(f"lags must be a non-empty 1-D array of integers k ≥ 0; got {lags!r:.60}")
    return np.abs(lam).max() ** lags.astype(float)


class LRU(nn.Module):
    """One LRU layer (eq-lru): inputs (N, T, H_in) to outputs (N, T, H_out), through n complex states.

    Parameters
    ----------
    input_size, state_size, output_size : int
        H_in, n and H_out.
    r_min, r_max, max_phase : float
        The ring 0 ≤ r_min < r_max < 1 the eigenvalues start on, and their phase range (0, 2π].
    seed : int
        Seed for the initial parameters (the global random state is left untouched).
    dtype : torch.dtype
        Real dtype of the parameters (float64 by default); the states use the matching complex dtype.
    """

    def __init__(self, input_size: int, state_size: int, output_size: int, r_min: float = R_MIN,
                 r_max: float = R_MAX, max_phase: float = MAX_PHASE, seed: int = 0, dtype=torch.float64):
        super().__init__()
        H_in, n, H_out = (check_int(k, v, low=1) for k, v in
                          (("input_size", input_size), ("state_size", state_size), ("output_size", output_size)))
        dtype = check_dtype(dtype)
        rng = np.random.default_rng(check_seed(seed))
        nu, theta = ring_init(n, r_min, r_max, max_phase, rng)
        gamma = np.sqrt(1 - np.abs(eigenvalues(nu, theta)) ** 2)

        def param(x):
            return nn.Parameter(torch.tensor(x, dtype=dtype))
        self.nu, self.theta, self.log_gamma = param(nu), param(theta), param(np.log(gamma))
        self.B_re, self.B_im = (param(rng.normal(size=(n, H_in)) / math.sqrt(2 * H_in)) for _ in range(2))
        self.C_re, self.C_im = (param(rng.normal(size=(H_out, n)) / math.sqrt(n)) for _ in range(2))
        self.D = param(rng.normal(size=H_out))
        self.input_size = H_in

    def lam(self) -> torch.Tensor:
        """The eigenvalues λ (n,), complex (eq-lru-lambda)."""
        return torch.exp(torch.complex(-torch.exp(self.nu), torch.exp(self.theta)))

    def forward(self, u: torch.Tensor, truncate: int | None = None, return_states: bool = False):
        """Outputs y (N, T, H_out); with ``return_states`` also the states [h_1, …, h_T], each (N, n) complex,
        computed by the loop instead of the scan (the same numbers to rounding) so that the graph holds each h_t.

        ``truncate = k``: the state entering each chunk of k steps counted back from t = T is detached, as in
        ``models.RecurrentClassifier.forward``: the same outputs, the gradient back at most k steps.
        """
        u = check_input(u, self.input_size, self.nu.dtype)  # (N, T, H_in)
        lam = self.lam()  # (n,)
        Bu = torch.complex(u @ self.B_re.T, u @ self.B_im.T) * torch.exp(self.log_gamma)  # (N, T, n)
        b = Bu.transpose(0, 1)  # (T, N, n)
        truncate = None if truncate is None else check_int("truncate", truncate, low=1)
        if return_states:  # the loop, so that each h_t is a node upstream of h_{t+1} (total derivatives ∂L/∂h_t)
            states, h = [], b.new_zeros(b.shape[1:])  # h_0 = 0, (N, n)
            for t in range(len(b)):
                if truncate is not None and t > 0 and (len(b) - t) % truncate == 0:
                    h = h.detach()
                h = lam * h + b[t]  # (eq-lru)
                states.append(h)
            h = torch.stack(states)  # (T, N, n)
        else:
            a = lam.expand(len(b), 1, len(lam))  # (T, 1, n): one λ for the whole batch
            if truncate is not None:
                a, b = _truncated(a.expand_as(b), b, lam, truncate)
            h = chunked_any(a, b)  # (T, N, n) (eq-lru), as a scan
        y = (h @ torch.complex(self.C_re, self.C_im).T).real.transpose(0, 1) + self.D * u  # (N, T, H_out)
        return (y, states) if return_states else y


def _truncated(a, b, lam, k):
    """(a, b) with the state entering every chunk of k steps (counted back from T) a constant: there a_t = 0 and
    b_t = b_t + λ ⊙ h_{t−1}, with h_{t−1} computed without a graph. The same states, the gradient cut."""
    T = len(a)
    starts = [t for t in range(1, T) if (T - t) % k == 0]
    if not starts:
        return a, b
    with torch.no_grad():
        h = chunked_any(a, b)  # (T, N, n)
    cut = torch.zeros(T, dtype=torch.bool)
    cut[starts] = True
    held = torch.zeros_like(b)
    held[starts] = h[[t - 1 for t in starts]]
    mask = cut[:, None, None]
    return torch.where(mask, torch.zeros_like(a), a), b + torch.where(mask, lam * held, torch.zeros_like(b))


class _GLU(nn.Module):
    """The gated linear unit after each LRU: W₁ x ⊙ σ(W₂ x)."""

    def __init__(self, size: int, dtype):
        super().__init__()
        self.value, self.gate = nn.Linear(size, size, dtype=dtype), nn.Linear(size, size, dtype=dtype)

    def forward(self, x):
        return self.value(x) * torch.sigmoid(self.gate(x))


class _LRUStack(nn.Module):
    """Encoder, then ``layers`` blocks x ← x + GLU(GELU(LRU(LayerNorm(x)))): the part before the readout."""

    def __init__(self, input_size, hidden_size, state_size, layers, r_min, r_max, max_phase, seed, dtype):
        super().__init__()
        self.encoder = nn.Linear(input_size, hidden_size, dtype=dtype)
        self.norms = nn.ModuleList(nn.LayerNorm(hidden_size, dtype=dtype) for _ in range(layers))
        self.lrus = nn.ModuleList(LRU(hidden_size, state_size, hidden_size, r_min, r_max, max_phase,
                                      seed=seed + 1 + i, dtype=dtype) for i in range(layers))
        self.glus = nn.ModuleList(_GLU(hidden_size, dtype) for _ in range(layers))

    def forward(self, x, truncate=None, return_states=False):
        x = self.encoder(x)  # (N, T, H)
        states = None
        for norm, lru, glu in zip(self.norms, self.lrus, self.glus):
            last = lru is self.lrus[-1]
            y = lru(norm(x), truncate=truncate, return_states=return_states and last)
            if return_states and last:
                y, states = y
            x = x + glu(F.gelu(y))
        return x, states


class LRUClassifier(nn.Module):
    """A deep LRU with a linear readout on the last step (or every step), like ``models.RecurrentClassifier``.

    Parameters
    ----------
    input_size, hidden_size, n_outputs : int
        D, the width H of the encoder and of every block, and the readout's outputs.
    state_size : int, optional
        n, the complex states of each LRU layer; H by default.
    layers : int
        The number of blocks (2 by default).
    r_min, r_max, max_phase : float
        Every layer's ring (``LRU``).
    seed : int
        Seed for the initial parameters (the global torch random state is left untouched).
    dtype : torch.dtype
        Parameter dtype (float64 by default, as the experiment runner trains).
    every_step : bool
        If True, read out every step: outputs (N, T, n_outputs) (the copy-memory task).

    Notes
    -----
    ``cell`` is everything before the readout (encoder and blocks), ``readout`` the linear readout, so that the
    runner's "readout alone" control freezes ``cell``. The states returned with ``return_states`` are the last
    layer's complex states h_t (N, n).
    """

    def __init__(self, input_size: int, hidden_size: int, n_outputs: int, state_size: int | None = None,
                 layers: int = 2, r_min: float = R_MIN, r_max: float = R_MAX, max_phase: float = MAX_PHASE,
                 seed: int = 0, dtype: torch.dtype = torch.float64, every_step: bool = False):
        super().__init__()
        self.input_size = check_int("input_size", input_size, low=1)
        hidden_size = check_int("hidden_size", hidden_size, low=1)
        n_outputs = check_int("n_outputs", n_outputs, low=1)
        state_size = hidden_size if state_size is None else check_int("state_size", state_size, low=1)
        layers = check_int("layers", layers, low=1)
        check_ring(r_min, r_max, max_phase)
        dtype = check_dtype(dtype)
        self.every_step = check_bool("every_step", every_step)
        seed = check_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.cell = _LRUStack(self.input_size, hidden_size, state_size, layers, r_min, r_max, max_phase,
                                 seed % 2**32, dtype)
            self.readout = nn.Linear(hidden_size, n_outputs, dtype=dtype)

    def forward(self, x: torch.Tensor, return_states: bool = False, truncate: int | None = None):
        """Outputs (N, n_outputs) from the last step, or (N, T, n_outputs) if ``every_step``; with
        ``return_states`` also [h_1, …, h_T] of the last layer, each (N, n) complex, retaining their gradients."""
        x = check_input(x, self.input_size, self.readout.weight.dtype)  # (N, T, D)
        truncate = None if truncate is None else check_int("truncate", truncate, low=1)
        z, states = self.cell(x, truncate=truncate, return_states=return_states)  # (N, T, H)
        output = self.readout(z if self.every_step else z[:, -1])  # (N, [T,] n_outputs)
        if return_states:
            for h in states:
                if h.requires_grad:
                    h.retain_grad()
            return output, states
        return output
