"""One self-attention layer, how strongly each output feels each input, and what the layer costs.

Scaled dot-product self-attention with one head (Vaswani et al., 2017), in column-vector form (N batch,
T time, D input size, H head size):

    q_t = W_q x_t,   k_s = W_k x_s,   v_s = W_v x_s                     (W_q, W_k, W_v of shape (H, D))
    e_ts = q_t · k_s / √H,   e_ts = −∞ for s > t under the causal mask
    A_ts = exp(e_ts) / Σ_s' exp(e_ts'),   y_t = Σ_s A_ts v_s                                  (eq-attention)

No bias, output projection, residual connection or normalisation: the layer alone. Every output y_t reads every
allowed input x_s through one map, so the gradient ∂y_t/∂x_k crosses one layer whatever the distance t − k; in a
recurrent network it crosses t − k step Jacobians (Chapter 2). ``input_sensitivity`` measures ‖∂y_t/∂x_k‖ for
any model; ``layer_cost`` counts the price: T² scores per layer against T sequential steps of a recurrence.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from ._validate import check_bool, check_callable, check_choice, check_int
from .models import check_dtype, check_input, check_seed


class SelfAttention(nn.Module):
    """One head of scaled dot-product self-attention (eq-attention), optionally causal.

    Parameters
    ----------
    input_size : int
        D, the size of each x_t.
    head_size : int
        H, the size of q_t, k_t, v_t and of each output y_t.
    causal : bool
        If True, y_t reads x_1..x_t only (the mask of a left-to-right model such as GPT); if False, all of x.
    seed : int
        Seed of the initial weights (the global torch random state is left untouched).
    dtype : torch.dtype
        float32 by default; float64 for gradient checks.

    Notes
    -----
    Initialisation: every entry of W_q, W_k, W_v is drawn from N(0, 1/D), so for inputs with unit-variance
    entries q_t, k_t and v_t have entries of variance about 1 and the scores e_ts of variance about 1.
    The weights are ``W_q.weight``, ``W_k.weight``, ``W_v.weight`` (bias-free ``nn.Linear``, shape (H, D)).
    """

    def __init__(self, input_size: int, head_size: int, causal: bool = False, seed: int = 0,
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        self.input_size = check_int("input_size", input_size, low=1)
        self.head_size = check_int("head_size", head_size, low=1)
        self.causal = check_bool("causal", causal)
        dtype = check_dtype(dtype)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(check_seed(seed))
            self.W_q, self.W_k, self.W_v = (nn.Linear(self.input_size, self.head_size, bias=False, dtype=dtype)
                                            for _ in range(3))
            for layer in (self.W_q, self.W_k, self.W_v):
                nn.init.normal_(layer.weight, std=1.0 / math.sqrt(self.input_size))

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """The attention weights A (N, T, T): ``A[n, t-1, s-1]`` is how much y_t of sequence n reads v_s."""
        x = check_input(x, self.input_size, self.W_q.weight.dtype)  # (N, T, D)
        q, k = self.W_q(x), self.W_k(x)  # (N, T, H) each
        scores = q @ k.transpose(1, 2) / math.sqrt(self.head_size)  # (N, T, T)  e_ts
        if self.causal:
            T = x.shape[1]
            future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)  # (T, T) True where s > t
            scores = scores.masked_fill(future, -math.inf)  # exp(−∞) = 0: no weight, no gradient
        return torch.softmax(scores, dim=-1)  # (N, T, T)  each row sums to 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map x (N, T, D) to y (N, T, H), ``y_t = Σ_s A_ts W_v x_s`` (eq-attention)."""
        return self.weights(x) @ self.W_v(check_input(x, self.input_size, self.W_v.weight.dtype))  # (N, T, H)


def input_sensitivity(fn, x: torch.Tensor, t: int | None = None) -> np.ndarray:
    """``S[n, k-1] = ‖∂y_t/∂x_k‖_F`` of sequence n for k = 1..T: how strongly output t feels input k.

    The Frobenius norm of the (H, D) block of the Jacobian of y_t with respect to x_k, by autograd (one backward
    pass per output unit). Distance t − k; for k > t the output would read the future.

    Parameters
    ----------
    fn : callable
        ``fn(x) -> y`` of shape (N, T, H), treating the N sequences independently: a ``SelfAttention``, a
        ``torch.nn.RNN`` / ``LSTM`` / ``GRU`` with ``batch_first=True`` (its ``(output, h_n)`` is read as
        output), or any function such as ``lambda x: model(x)[0]``.
    x : torch.Tensor, shape (N, T, D)
        The inputs at which the Jacobian is taken, in the dtype fn expects (float64 for exact zeros and
        small values).
    t : int in 1..T, or None
        The output position, counted from 1 as in the book; None means T, the last.

    Returns
    -------
    S : np.ndarray, shape (N, T), float64
        ``S[:, k-1]`` belongs to input position k, so for t = T ``S[:, ::-1][:, n]`` is distance n. Exactly 0
        where y_t does not depend on x_k.
    """
    check_callable("fn", fn, "a function x (N, T, D) -> y (N, T, H), e.g. a SelfAttention or lambda x: rnn(x)[0]")
    if isinstance(fn, nn.RNNBase) and not fn.batch_first:
        raise ValueError("fn is a torch recurrent module with batch_first=False: it would read x (N, T, D) as "
                         "(T, N, D); build it with batch_first=True")
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or not x.dtype.is_floating_point or min(x.shape[:2]) < 1:
        got = f"{x.dtype} tensor of shape {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x must be a floating-point torch tensor of shape (N, T, D) with N, T ≥ 1; got {got}")
    N, T, _ = x.shape
    t = T if t is None else check_int("t", t, low=1, high=T)
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():  # also when called under torch.no_grad(), e.g. from an explorer
        y = fn(x)
        y = y[0] if isinstance(y, tuple) else y  # torch's recurrent modules return (output, h_n)
        if not isinstance(y, torch.Tensor) or y.ndim != 3 or tuple(y.shape[:2]) != (N, T):
            got = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
            raise ValueError(f"fn must return a tensor y of shape (N, T, H) = ({N}, {T}, H) for x of shape "
                             f"{tuple(x.shape)}; got {got}")
        squares = torch.zeros(N, T, dtype=torch.float64)  # Σ over output units i and features of (∂y_ti/∂x_k)²
        for i in range(y.shape[2] if y.requires_grad else 0):  # no graph: y does not depend on x
            (grad,) = torch.autograd.grad(y[:, t - 1, i].sum(), x, retain_graph=True, allow_unused=True)
            if grad is not None:  # None: y_t does not depend on x
                squares += (grad.detach().to(torch.float64) ** 2).sum(dim=2)  # (N, T)  sequences independent
    return squares.sqrt().numpy()


class Cost(NamedTuple):
    """The work of one layer over a sequence of T steps of width d (``layer_cost``)."""

    multiply_adds: int  # of the matrix products, per sequence (elementwise work and softmax not counted)
    sequential_steps: int  # steps that must run one after the other: T for a recurrence, 1 for attention
    path_length: int  # maps a gradient crosses from y_T back to x_1: T for a recurrence, 1 for attention


def layer_cost(kind: str, T: int, d: int) -> Cost:
    """The cost of one layer with input and hidden size d over T steps: O(T·d²) recurrent, O(T²·d) attention.

    - "rnn": per step W_xh x_t and W_hh h_{t-1}, 2d² each step: ``2·T·d²``.
    - "gru", "lstm": the same for three or four gates (torch's ``weight_ih``, ``weight_hh`` of 3d or 4d rows):
      ``6·T·d²``, ``8·T·d²``.
    - "attention": W_q, W_k, W_v on every x_t, ``3·T·d²``, then the T² scores q_t·k_s and the T² terms of
      Σ_s A_ts v_s, d each: ``3·T·d² + 2·T²·d``. A dense implementation computes the masked scores too, so the
      causal mask leaves this count unchanged.

    Returns
    -------
    Cost
        ``(multiply_adds, sequential_steps, path_length)``.
    """
    check_choice("kind", kind, {"rnn", "gru", "lstm", "attention"})
    T, d = check_int("T", T, low=1), check_int("d", d, low=1)
    if kind == "attention":
        return Cost(3 * T * d * d + 2 * T * T * d, 1, 1)
    return Cost(_MATRICES[kind] * T * d * d, T, T)


_MATRICES = {"rnn": 2, "gru": 6, "lstm": 8}  # (d, d) blocks multiplied per step: input and recurrent, per gate
