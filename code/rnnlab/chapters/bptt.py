"""Chapter 2: backpropagation through time, term by term.

The gradient of one loss term, written as a sum over the steps k at which W_hh was used (column vectors,
``∂L_t/∂h_t`` a row vector, ``J_j = ∂h_j/∂h_{j-1} = diag(φ'(a_j)) W_hh``):

    ∂L_t/∂W_hh = Σ_{k=1}^{t} (∂L_t/∂h_t) (J_t J_{t-1} ⋯ J_{k+1}) ∂⁺h_k/∂W_hh
               = Σ_k δ_k^{(t)} h_{k-1}ᵀ                                                (eq-bptt-general)

where ``∂⁺h_k/∂W_hh`` is the immediate derivative (h_{k-1} held fixed, eq-bptt-immediate) and
``δ_k^{(t)} = φ'(a_k) ⊙ (∂L_t/∂h_k)ᵀ``. ``rnnlab.rnn.rnn_backward`` computes the sum over t and k at once with
the recursion (eq-bptt-recursion); the functions here compute its terms one by one, so the chapter can check
that the derivation and the code agree. The running example uses the squared error
``L = Σ_t L_t, L_t = ½‖h_t − y_t‖²`` (eq-bptt-loss). The one-unit warm-up and the popular formula are in
``bptt_paths``, the per-step contributions and the explorer in ``bptt_explorer``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .. import gradcheck, plotting, rnn, spectral
from .._validate import as_array, check_float, check_int, check_shape
from ..activations import ACTIVATIONS, get_activation


@dataclass(frozen=True)
class Example:
    """A small RNN with targets, the chapter's running example (shapes as in ``rnnlab.rnn.rnn_forward``);
    checked on construction (consistent shapes, finite numbers, a known activation), stored as float64."""
    x: np.ndarray      # (N, T, D) inputs x_1..x_T
    h0: np.ndarray     # (N, H) initial state h_0
    W_xh: np.ndarray   # (H, D) input weights
    W_hh: np.ndarray   # (H, H) recurrent weights, scale · (orthogonal matrix)
    b: np.ndarray      # (H,) bias
    y: np.ndarray      # (N, T, H) targets y_1..y_T of the squared error
    activation: str    # φ, a name in rnnlab.activations.ACTIVATIONS

    def __post_init__(self):
        x, h0, W_xh, W_hh, b = rnn.check_params("x", self.x, "h0", self.h0, self.W_xh, self.W_hh, self.b)
        y = as_array("y", self.y)
        N, T, _ = x.shape
        check_shape("y", y, (N, T, h0.shape[1]), "(N, T, H)")
        if not isinstance(self.activation, str) or self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {self.activation!r}")
        for name, value in zip(("x", "h0", "W_xh", "W_hh", "b", "y"), (x, h0, W_xh, W_hh, b, y)):
            object.__setattr__(self, name, value)

    @property
    def params(self) -> tuple:
        """``(x, h0, W_xh, W_hh, b)``, the positional arguments of ``rnn.rnn_forward``."""
        return self.x, self.h0, self.W_xh, self.W_hh, self.b


def check_example(ex) -> Example:
    """``ex`` if it is an :class:`Example`, else a ``TypeError`` naming what was expected."""
    if not isinstance(ex, Example):
        raise TypeError(f"ex must be a bptt.Example (see bptt.example); got {type(ex).__name__}")
    return ex


def check_figure(fig) -> None:
    """A ``TypeError`` unless ``fig`` is a matplotlib Figure (what the drawing functions draw into)."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, e.g. plt.figure(); got {type(fig).__name__}")


def example(N: int = 1, T: int = 6, D: int = 2, H: int = 3, scale: float = 0.9, seed: int = 0,
            activation: str = "tanh") -> Example:
    """A seeded random ``Example``: ``W_hh = scale · Q`` with Q orthogonal (so ρ(W_hh) = σ_max(W_hh) = scale),
    ``W_xh ~ N(0, 1/D)``, ``b ~ N(0, 0.1²)``, ``h0 ~ N(0, 0.5²)``, ``x ~ N(0, 1)`` and targets ``y ~ U(-1, 1)``.

    Parameters
    ----------
    N, T : int, 1 ≤ each ≤ 1000
    D, H : int, 1 ≤ each ≤ 256
    scale : float ≥ 0
    seed : int ≥ 0
    activation : str, a name in ``rnnlab.activations.ACTIVATIONS``
    """
    N, T = (check_int(n, v, low=1, high=1000) for n, v in zip("NT", (N, T)))
    D, H = (check_int(n, v, low=1, high=256) for n, v in zip("DH", (D, H)))
    scale = check_float("scale", scale, low=0.0)
    get_activation(activation)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    W_hh = scale * spectral.orthogonal(H, rng)           # (H, H)
    W_xh = rng.standard_normal((H, D)) / np.sqrt(D)      # (H, D)
    b = 0.1 * rng.standard_normal(H)                     # (H,)
    h0 = 0.5 * rng.standard_normal((N, H))               # (N, H)
    x = rng.standard_normal((N, T, D))                   # (N, T, D)
    y = rng.uniform(-1.0, 1.0, size=(N, T, H))           # (N, T, H)
    return Example(x, h0, W_xh, W_hh, b, y, activation)


def squared_error(h, y) -> tuple[float, np.ndarray]:
    """``L = Σ_t L_t`` with ``L_t = ½‖h_t − y_t‖²`` (summed over the batch) and ``dh[:, t-1] = ∂L_t/∂h_t``.

    (eq-bptt-loss). ``∂L_t/∂h_t = (h_t − y_t)ᵀ``: L_t depends on h_t only directly, so here the total and
    the immediate derivative agree.

    Parameters
    ----------
    h, y : arrays, shape (N, T, H)
        States h_1..h_T and targets y_1..y_T.

    Returns
    -------
    L : float;  dh : array, shape (N, T, H)
    """
    h = as_array("h", h, ndim=3)
    y = as_array("y", y)
    check_shape("y", y, h.shape, "(N, T, H)")
    dh = h - y  # (N, T, H)  ∂L_t/∂h_t  (eq-bptt-loss)
    return float(0.5 * np.sum(dh**2)), dh


def finite_difference_gradients(ex: Example, eps: float = 1e-6) -> rnn.Grads:
    """Central finite differences of the loss L (eq-bptt-loss) with respect to x, h0, W_xh, W_hh and b: an
    independent check of BPTT, which never uses the chain rule. Cost: two forward passes per entry."""
    check_example(ex)
    eps = check_float("eps", eps, low=1e-12, high=1e-2)
    arrays = [np.array(a, dtype=np.float64) for a in ex.params]  # copies, perturbed in place

    def loss(_):
        h, _cache = rnn.rnn_forward(*arrays, activation=ex.activation)
        return squared_error(h, ex.y)[0]

    return rnn.Grads(*(gradcheck.numerical_gradient(loss, a, eps) for a in arrays))


def _check_cache(cache, single: bool = False) -> rnn.Cache:
    if not isinstance(cache, rnn.Cache):
        raise TypeError(f"cache must be the rnn.Cache returned by rnn.rnn_forward; got {type(cache).__name__}")
    if single and cache.h.shape[0] != 1:
        raise ValueError(f"this function works on one sequence (N = 1); got N = {cache.h.shape[0]}")
    return cache


def immediate_jacobian_W_hh(cache: rnn.Cache, k: int) -> np.ndarray:
    """The immediate derivative ``∂⁺h_k/∂W_hh`` (h_{k-1} held fixed) as an (H, H, H) array:

        [∂⁺h_k/∂W_hh]_{i,p,q} = ∂⁺h_{k,i} / ∂(W_hh)_{pq} = φ'(a_{k,i}) [i = p] h_{k-1,q}      (eq-bptt-immediate)

    Parameters
    ----------
    cache : rnn.Cache
        From ``rnn.rnn_forward`` on one sequence (N = 1).
    k : int, 1 ≤ k ≤ T
    """
    _check_cache(cache, single=True)
    T, H = cache.h.shape[1:]
    k = check_int("k", k, low=1, high=T)
    h_prev = cache.h0[0] if k == 1 else cache.h[0, k - 2]  # (H,)  h_{k-1}
    dphi = cache.activation.df(cache.a[0, k - 1])  # (H,)  φ'(a_k)
    return np.einsum("i,ip,q->ipq", dphi, np.eye(H), h_prev)  # (H, H, H)  (eq-bptt-immediate)


def total_jacobian_W_hh(ex: Example, t: int) -> np.ndarray:
    """The total derivative ``∂h_t/∂W_hh`` (every path from W_hh to h_t) as an (H, H, H) array, computed by
    torch autograd in float64 from an unrolled loop, independently of the chapter's formulas.

    ``ex`` must hold one sequence (N = 1); ``1 ≤ t ≤ T``. Entry ``[i, p, q]`` is ``∂h_{t,i}/∂(W_hh)_{pq}``.
    """
    import torch

    x, h0, W_xh, W_hh, b = check_example(ex).params
    _, cache = rnn.rnn_forward(x, h0, W_xh, W_hh, b, ex.activation)
    _check_cache(cache, single=True)
    t = check_int("t", t, low=1, high=x.shape[1])
    phi = gradcheck.torch_activation(get_activation(ex.activation).name)
    tx, th0, tW_xh, tb = (torch.tensor(v, dtype=torch.float64) for v in (x[0], h0[0], W_xh, b))

    def h_t(W):  # h_t as a function of W_hh, column-vector form
        h = th0
        for s in range(t):
            h = phi(W @ h + tW_xh @ tx[s] + tb)
        return h

    return torch.autograd.functional.jacobian(h_t, torch.tensor(W_hh, dtype=torch.float64)).numpy()


def term_table(dh, cache: rnn.Cache) -> np.ndarray:
    """Every term of the double sum ``∂L/∂W_hh = Σ_t Σ_{k≤t} δ_k^{(t)} h_{k-1}ᵀ`` (eq-bptt-general):
    ``table[t-1, k-1]`` is the term of step k in ``∂L_t/∂W_hh`` (summed over the batch), 0 for k > t.
    Summed over k it gives ``∂L_t/∂W_hh``, over both ``dW_hh``. Cost O(T² H²), against O(T H²) for the
    recursion: a tool for small T.

    Parameters
    ----------
    dh : array, shape (N, T, H)
        ``∂L_t/∂h_t`` for t = 1..T.
    cache : rnn.Cache
        From ``rnn.rnn_forward``.

    Returns
    -------
    table : array, shape (T, T, H, H)
    """
    x, h0, h, a, W_xh, W_hh, act = _check_cache(cache)
    N, T, H = h.shape
    dh = as_array("dh", dh)
    check_shape("dh", dh, (N, T, H), "(N, T, H)")
    dphi = act.df(a)  # (N, T, H)
    h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # (N, T, H)  h_0..h_{T-1}
    table = np.zeros((T, T, H, H))
    for t in range(T):  # Python indices hold step + 1, as in dh, a and h: this is the loss L_{t+1}
        g = dh[:, t]  # (N, H)  ∂L_{t+1}/∂h_{k+1}, starting at k = t
        for k in range(t, -1, -1):
            d = g * dphi[:, k]  # (N, H)  δ_{k+1}^{(t+1)}
            table[t, k] = d.T @ h_prev[:, k]  # (H, H)  δ h_kᵀ, one term of (eq-bptt-general)
            g = d @ W_hh  # (N, H)  one more Jacobian: ∂L_{t+1}/∂h_k
    return table


def untied_gradients(ex: Example) -> np.ndarray:
    """BPTT as plain backpropagation: give every step t its own copy W_hh^(t) of the recurrent weights (all
    equal to W_hh), let torch autograd differentiate the squared-error loss with respect to each copy, and
    return the T gradients, shape (T, H, H). Their sum is ``dW_hh`` (the copies are one tied weight)."""
    import torch

    x, h0, W_xh, W_hh, b = check_example(ex).params
    phi = gradcheck.torch_activation(get_activation(ex.activation).name)
    tx, th, tW_xh, tb, ty = (torch.tensor(v, dtype=torch.float64) for v in (x, h0, W_xh, b, ex.y))
    copies = [torch.tensor(W_hh, dtype=torch.float64, requires_grad=True) for _ in range(x.shape[1])]
    loss = torch.zeros((), dtype=torch.float64)
    for t, W in enumerate(copies):
        th = phi(tx[:, t] @ tW_xh.T + th @ W.T + tb)  # (N, H)  step t+1 uses its own copy
        loss = loss + 0.5 * ((th - ty[:, t]) ** 2).sum()  # (eq-bptt-loss)
    loss.backward()
    return np.stack([W.grad.numpy() for W in copies])


def count_flops(N: int, T: int, D: int, H: int, input_grad: bool = True) -> tuple[int, int]:
    """Floating-point operations of the matrix products in the forward pass and in BPTT of a tanh RNN, as
    counted by torch's ``FlopCounterMode`` on an unrolled float64 loop (a multiply-add counts as 2; the
    elementwise work, O(N T H), is not counted). Gradients are taken for h0, W_xh and W_hh, and for the
    inputs x too if ``input_grad`` (as ``rnn.rnn_backward`` does: ``dx``).

    Parameters
    ----------
    N, D, H : int, 1 ≤ each ≤ 64
    T : int, 1 ≤ T ≤ 1000
    input_grad : bool
        Whether the backward pass also forms ``∂L/∂x_t = W_xhᵀ δ_t``.

    Returns
    -------
    (forward, backward) : tuple of int
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    N, D, H = (check_int(n, v, low=1, high=64) for n, v in zip("NDH", (N, D, H)))
    T = check_int("T", T, low=1, high=1000)
    if not isinstance(input_grad, bool):
        raise TypeError(f"input_grad must be True or False; got {input_grad!r}")
    x = torch.zeros((N, T, D), dtype=torch.float64, requires_grad=input_grad)
    h, W_xh, W_hh = (torch.zeros(shape, dtype=torch.float64, requires_grad=True)
                     for shape in ((N, H), (H, D), (H, H)))
    loss = torch.zeros((), dtype=torch.float64)
    with FlopCounterMode(display=False) as forward:
        for t in range(T):
            h = torch.tanh(x[:, t] @ W_xh.T + h @ W_hh.T)  # (N, H)  (eq-rnn-state)
            loss = loss + h.sum()
    with FlopCounterMode(display=False) as backward:
        loss.backward()
    return int(forward.get_total_flops()), int(backward.get_total_flops())


def draw_term_table(fig, table, truncate: int | None = None) -> None:
    """Heat map of log10 ‖table[t-1, k-1]‖ (loss t down, step k across), from ``term_table``; with
    ``truncate = k₂`` the band of terms truncated BPTT keeps (t − k < k₂) is outlined."""
    table = as_array("table", table, ndim=4)
    T, H = table.shape[0], table.shape[2]
    check_shape("table", table, (T, T, H, H), "(T, T, H, H)")
    if truncate is not None:
        truncate = check_int("truncate", truncate, low=1)
    check_figure(fig)
    with np.errstate(divide="ignore"):
        logn = np.log10(np.linalg.norm(table, axis=(2, 3)))  # (T, T)
    logn[np.triu_indices(T, 1)] = np.nan  # k > t: no term
    finite = logn[np.isfinite(logn)]
    if finite.size == 0:
        raise ValueError("table must hold at least one nonzero term; got only zeros")
    ax = fig.subplots()
    image = ax.imshow(logn, cmap="viridis", vmin=finite.min(), vmax=finite.max(),
                      extent=(0.5, T + 0.5, T + 0.5, 0.5))
    fig.colorbar(image, ax=ax)
    if truncate is not None:  # staircase between the kept terms (t − k < k₂) and the cut ones, column by column
        k = np.arange(1, T + 1)
        xs = np.stack([k - 0.5, k + 0.5], axis=1).ravel()  # (2T,)  left and right edge of column k
        ys = np.repeat(k + truncate - 0.5, 2)  # (2T,)  between t = k + k₂ − 1 (kept) and t = k + k₂ (cut)
        ax.plot(xs, ys, color=plotting.COLORS["red"], lw=2, label=f"truncation k₂ = {truncate}: terms below are cut")
        ax.legend(loc="upper right", fontsize=8)
    ax.set(xlabel=r"step $k$ where $W_{hh}$ is used", ylabel=r"loss $L_t$", xlim=(0.5, T + 0.5),
           ylim=(T + 0.5, 0.5), title=r"$\log_{10}$ of the norm of each term of $\partial L / \partial W_{hh}$")
    ax.grid(False)
