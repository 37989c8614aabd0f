"""Checking gradients: central finite differences, the relative error, and torch autograd as a reference.

The book's gradient tests (STYLE rule 7) compare every hand-written backward pass in float64 with torch
autograd (relative error ≤ 1e-10) and, on small cases, with central finite differences
``∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / 2ε`` (error O(ε²) from truncation plus O(u/ε) from rounding,
u ≈ 1.1e-16, so ε ≈ 1e-6 gives about 1e-8 to 1e-10). See CS231n's "gradient checks" notes.
torch is imported inside the functions that use it, so ``import rnnlab.gradcheck`` stays light.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ._validate import as_array, check_callable, check_float, check_int, check_shape
from .activations import get_activation
from .rnn import Grads, check_params


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function: ``g_i = (f(x + ε e_i) − f(x − ε e_i)) / 2ε``.

    ``x`` is perturbed in place, one entry at a time, so ``f`` may close over it (e.g. a weight matrix
    used inside ``f``); every entry is restored afterwards, also if ``f`` raises.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``, a scalar function of x.
    x : np.ndarray of float64, any shape
    eps : float > 0
        Step ε.

    Returns
    -------
    grad : np.ndarray, same shape as x
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(
            "x must be a float64 numpy array (it is perturbed in place); "
            f"got {type(x).__name__} of dtype {getattr(x, 'dtype', None)}"
        )
    check_callable("f", f, "a function f(x) -> float")
    eps = check_float("eps", eps, low=0.0)
    if eps == 0.0:
        raise ValueError("eps must be positive; got 0.0")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + eps
            f_plus = _real_scalar(f(x))
            x[i] = old - eps
            f_minus = _real_scalar(f(x))
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _real_scalar(value) -> float:
    """``f(x)`` as a float; a complex, boolean, text or multi-entry result is refused, not converted."""
    dtype = str(getattr(value, "dtype", ""))  # numpy or torch results have one
    shape = tuple(getattr(value, "shape", ()))
    if not hasattr(type(value), "__float__") or isinstance(value, (bool, complex)) or "complex" in dtype \
            or "bool" in dtype or math.prod(shape) != 1:
        got = f"{type(value).__name__} of dtype {dtype} and shape {shape}" if dtype else repr(value)
        raise ValueError(f"f must return one real number, the value f(x); got {got}")
    return float(value)


def relative_error(a, b) -> float:
    """The book's relative error ``‖a − b‖ / max(‖a‖, ‖b‖)`` over all entries (2-norm of the flattened
    arrays), defined as 0 when both are zero.

    Norm-based rather than elementwise: an elementwise ratio ``|a_i − b_i| / |a_i|`` blows up on entries
    where both gradients are ~0 (dead ReLU units, vanished gradients), although the two agree to machine
    precision relative to the gradient as a whole. The result is symmetric in a and b, lies in [0, 2], and
    is computed after dividing both by their largest entry, so it stays exact for gradients that have
    vanished to 1e-200 or exploded to 1e200. A NaN or inf in either gives NaN, which fails every `<=` test.

    Parameters
    ----------
    a, b : array_like, same shape
    """
    try:  # NaN and inf are allowed: they give NaN
        a, b = as_array("a", a, finite=False), as_array("b", b, finite=False)
    except ValueError as err:
        raise ValueError(f"a and b must be arrays of numbers: {err}") from None
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got {a.shape} and {b.shape}")
    m = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if m == 0.0:
        return 0.0
    with np.errstate(invalid="ignore"):  # inf / inf → NaN is the intended answer
        a, b = a / m, b / m  # vanished (1e-200) or exploded (1e200) gradients: keep the squares in range
        return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b)))


def torch_activation(name: str):
    """The torch function of the rnnlab activation ``name`` (for autograd references; imports torch)."""
    import torch

    functions = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,  # relu'(0) = 0, as in rnnlab.activations
        "leaky_relu": lambda a: torch.nn.functional.leaky_relu(a, 0.01),  # slope at 0, as in rnnlab
        "linear": lambda a: a,
    }
    if not isinstance(name, str) or name not in functions:
        raise ValueError(f"activation must be one of {sorted(functions)} for the torch reference; got {name!r}")
    return functions[name]


def torch_rnn_gradients(x, h0, W_xh, W_hh, b, dh, activation="tanh", truncate: int | None = None) -> Grads:
    """Reference gradients of the vanilla RNN by torch autograd, float64, from an explicitly unrolled loop.

    The loss is ``L = Σ_t L_t`` with ``L_t = Σ (h_t ⊙ dh_t)``, so ``∂L_t/∂h_t = dh_t`` is the same input
    ``rnnlab.rnn.rnn_backward`` takes. With ``truncate = k`` the graph of each L_t is rebuilt from
    ``h_{t-k}.detach()`` (the gradient of L_t is cut there; h_0 itself is never cut), an implementation of
    truncated BPTT independent of ``rnn_backward``'s. Cost O(T·k).

    Parameters
    ----------
    x : (N, T, D);  h0 : (N, H);  W_xh : (H, D);  W_hh : (H, H);  b : (H,)
        As for ``rnnlab.rnn.rnn_forward``.
    dh : (N, T, H)
        ``∂L_t/∂h_t`` for t = 1..T.
    activation : str or Activation
        Any name in ``rnnlab.activations.ACTIVATIONS``.
    truncate : int ≥ 1 or None

    Returns
    -------
    Grads
        ``(dx, dh0, dW_xh, dW_hh, db)`` as float64 numpy arrays.
    """
    import torch

    phi = torch_activation(get_activation(activation).name)
    x, h0, W_xh, W_hh, b = check_params("x", x, "h0", h0, W_xh, W_hh, b)
    N, T, _ = x.shape
    dh = as_array("dh", dh)
    check_shape("dh", dh, (N, T, h0.shape[1]), "(N, T, H)")
    if truncate is not None:
        truncate = check_int("truncate", truncate, low=1)

    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, h0, W_xh, W_hh, b)]
    tx, th0, tW_xh, tW_hh, tb = leaves
    tdh = torch.tensor(dh, dtype=torch.float64)

    def step(h_prev, t):  # h_{t+1} from h_t, 0-based t
        return phi(tx[:, t] @ tW_xh.T + h_prev @ tW_hh.T + tb)  # (N, H)

    loss = torch.zeros((), dtype=torch.float64)
    if truncate is None:
        h = th0
        for t in range(T):
            h = step(h, t)
            loss = loss + (h * tdh[:, t]).sum()
    else:
        k = truncate
        with torch.no_grad():  # the values h_0..h_T at which the gradient is cut
            hs = [th0]
            for t in range(T):
                hs.append(step(hs[-1], t))
        for t in range(1, T + 1):  # the loss L_t, 1-based
            start = max(t - k, 0)
            h = th0 if start == 0 else hs[start].detach()
            for s in range(start, t):
                h = step(h, s)
            loss = loss + (h * tdh[:, t - 1]).sum()
    loss.backward()
    grads = [v.grad if v.grad is not None else torch.zeros_like(v) for v in leaves]
    return Grads(*(g.detach().numpy().copy() for g in grads))


def compare_gradients(ours, reference) -> dict[str, float]:
    """Relative error of every field of two ``Grads`` (or any NamedTuples with the same fields)."""
    fields = getattr(ours, "_fields", None)
    if fields is None or fields != getattr(reference, "_fields", None):
        raise ValueError("ours and reference must be Grads (NamedTuples with the same fields); "
                         f"got {type(ours).__name__} and {type(reference).__name__}")
    for name, a, b in zip(fields, ours, reference):
        if np.shape(a) != np.shape(b):
            raise ValueError(f"ours.{name} and reference.{name} must have the same shape; "
                             f"got {np.shape(a)} and {np.shape(b)}")
    return {name: relative_error(a, b) for name, a, b in zip(fields, ours, reference)}


def max_relative_error(ours, reference) -> float:
    """The largest relative error over the fields of two ``Grads``."""
    return max(compare_gradients(ours, reference).values())
