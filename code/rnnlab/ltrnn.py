"""The linear-transition RNN cell: a linear recurrence, with the nonlinearity on the input only.

    h_t = W_hh h_{t-1} + b_hh + tanh(W_xh x_t + b_ih)

Henaff, Szlam & LeCun (2016) build their solutions of the copy and adding problems from such a cell (their
"LT-RNN"): with W_hh orthogonal the state rotates and keeps every input (a clock that stores a sequence), with
W_hh = I it sums them (a counter that stores a total). Because the transition is linear, ∂h_T/∂h_t = W_hh^(T−t)
exactly: with W_hh orthogonal the gradient neither vanishes nor explodes at any lag — Chapter 4's criterion met
with equality, which the tanh of a vanilla RNN breaks (Chapter 6). The paper's input nonlinearity σ could not be
checked against its text here; tanh is our choice (one third-party implementation uses the logistic sigmoid).

``LinearTransitionCell`` has torch's ``RNNCell`` interface and parameter names (``weight_ih`` W_xh (H, D),
``weight_hh`` W_hh (H, H), ``bias_ih``, ``bias_hh``) and its default initialisation, uniform on ±1/√H, so that
``models.RecurrentClassifier(cell="lt")`` and ``init.apply`` treat it as they treat ``cell="rnn"``.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from ._validate import check_int


class LinearTransitionCell(nn.Module):
    """One step h_{t-1}, x_t -> W_hh h_{t-1} + b_hh + tanh(W_xh x_t + b_ih), on batches (N, D), (N, H) -> (N, H)."""

    def __init__(self, input_size: int, hidden_size: int, dtype: torch.dtype | None = None):
        super().__init__()
        input_size = check_int("input_size", input_size, low=1)
        hidden_size = check_int("hidden_size", hidden_size, low=1)
        if dtype is not None and (not isinstance(dtype, torch.dtype) or not dtype.is_floating_point):
            raise ValueError(f"dtype must be a torch floating-point dtype such as torch.float64; got {dtype!r}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size, dtype=dtype))  # W_xh (H, D)
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size, dtype=dtype))  # W_hh (H, H)
        self.bias_ih = nn.Parameter(torch.empty(hidden_size, dtype=dtype))  # (H,)
        self.bias_hh = nn.Parameter(torch.empty(hidden_size, dtype=dtype))  # (H,)
        bound = 1.0 / math.sqrt(hidden_size)  # as torch.nn.RNNCell.reset_parameters
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """x (N, D), h (N, H) -> h' (N, H)."""
        if not (isinstance(x, torch.Tensor) and isinstance(h, torch.Tensor) and x.ndim == 2 and h.ndim == 2
                and x.shape[1] == self.input_size and h.shape == (x.shape[0], self.hidden_size)):
            raise ValueError(f"x and h must be tensors of shapes (N, D = {self.input_size}) and (N, H = "
                             f"{self.hidden_size}); got {getattr(x, 'shape', type(x).__name__)} and "
                             f"{getattr(h, 'shape', type(h).__name__)}")
        return h @ self.weight_hh.T + self.bias_hh + torch.tanh(x @ self.weight_ih.T + self.bias_ih)  # (N, H)
