"""The echo state network as a torch model with the interface of ``models.RecurrentClassifier``.

``Reservoir`` is the update (eq-esn) of ``rnnlab.reservoir``, h_t = (1 − leak) h_{t−1} + leak tanh(W_xh [1; x_t]
+ W_hh h_{t−1}), with W_hh and W_xh drawn by ``reservoir.reservoir_matrix`` and ``reservoir.input_matrix`` from
``np.random.default_rng(seed)`` — the numpy and torch models share their matrices and give the same states.
They are parameters that do not require grad, so the training loop (``train.train``, which optimises only what
requires grad) trains the readout alone: an echo state network trained by gradient descent on its readout.
``model.cell.requires_grad_(True)`` turns it into a leaky tanh RNN trained by BPTT from the same start, the
comparison Chapter 11 makes.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._validate import as_array, check_bool, check_float, check_int, check_square
from .models import RecurrentClassifier, check_dtype, check_seed
from .reservoir import input_matrix, reservoir_matrix


class Reservoir(nn.Module):
    """One step of (eq-esn): (x_t (N, D), h (N, H)) -> h_t (N, H), with fixed W_hh (H, H) and W_xh (H, 1 + D)."""

    def __init__(self, W_hh, W_xh, leak: float = 1.0, dtype: torch.dtype = torch.float64):
        super().__init__()
        W_hh = check_square("W_hh", W_hh)
        W_xh = as_array("W_xh", W_xh)
        if W_xh.ndim != 2 or W_xh.shape[0] != len(W_hh) or W_xh.shape[1] < 1:
            raise ValueError(f"W_xh must have shape (H, 1 + D) = ({len(W_hh)}, 1 + D), column 0 the bias; "
                             f"got {W_xh.shape}")
        self.leak = check_float("leak", leak, low=0.0, high=1.0)
        if self.leak == 0:
            raise ValueError("leak must be in (0, 1]: with leak = 0 the state never moves from h_0")
        dtype = check_dtype(dtype)
        self.W_hh = nn.Parameter(torch.tensor(W_hh, dtype=dtype), requires_grad=False)  # (H, H)
        self.W_xh = nn.Parameter(torch.tensor(W_xh, dtype=dtype), requires_grad=False)  # (H, 1 + D)

    def forward(self, x_t: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        drive = x_t @ self.W_xh[:, 1:].T + self.W_xh[:, 0] + h @ self.W_hh.T  # (N, H)
        return (1 - self.leak) * h + self.leak * torch.tanh(drive)  # (N, H) (eq-esn)


class ESNClassifier(RecurrentClassifier):
    """A fixed random reservoir with a trained linear readout: a ``models.RecurrentClassifier`` whose cell is
    ``Reservoir`` (``cell_type = "esn"``), so ``forward(x, return_states=False, truncate=None)`` is the same loop.

    Parameters
    ----------
    input_size, hidden_size, n_outputs : int
        D, H and the number of outputs.
    radius, leak, input_scale, density : float
        Spectral radius of W_hh, leaking rate, scale of W_xh, connection density of W_hh (``rnnlab.reservoir``).
    seed : int
        W_hh then W_xh come from ``np.random.default_rng(seed)``; the readout from ``torch.manual_seed(seed)``
        (the global torch random state is left untouched).
    dtype : torch.dtype
        Parameter dtype (float64 by default).
    every_step : bool
        If True, read out every state: outputs (N, T, n_outputs).

    Notes
    -----
    ``cell.W_hh``, ``cell.W_xh`` are the reservoir (requires_grad False); ``readout.weight`` is W_out. ``truncate``
    matters only once the cell requires grad. Both states and outputs equal ``reservoir.run_reservoir``'s.
    """

    def __init__(self, input_size: int, hidden_size: int, n_outputs: int, radius: float = 0.9, leak: float = 1.0,
                 input_scale: float = 1.0, density: float = 0.1, seed: int = 0, dtype: torch.dtype = torch.float64,
                 every_step: bool = False):
        nn.Module.__init__(self)  # RecurrentClassifier's own __init__ builds a torch cell
        self.cell_type = "esn"
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = check_int("hidden_size", hidden_size, low=1)
        n_outputs = check_int("n_outputs", n_outputs, low=1)
        dtype = check_dtype(dtype)
        self.every_step = check_bool("every_step", every_step)
        rng = np.random.default_rng(check_seed(seed))
        W_hh = reservoir_matrix(self.hidden_size, radius, density, rng=rng)
        W_xh = input_matrix(self.hidden_size, self.input_size, input_scale, rng=rng)
        self.cell = Reservoir(W_hh, W_xh, leak, dtype)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.readout = nn.Linear(self.hidden_size, n_outputs, dtype=dtype)
