"""Chapter 2, §2.1 and the myth box of §2.5: every term of BPTT is one path through the unrolled network.

- :func:`one_unit`: Chapter 1's one-unit network (H = D = 1), ``h_t = φ(a_t)``, ``a_t = w h_{t-1} + u x_t + b``,
  with the loss ``L_T = ½(h_T − y_T)²`` at the last step, and the T terms of

      ∂L_T/∂w = Σ_{k=1}^{T} (h_T − y_T) · Π_{j=k+1}^{T} w φ'(a_j) · φ'(a_k) h_{k-1}         (eq-bptt-scalar)

- :func:`unrolled_graph` and :func:`draw_unrolled_graph`: the computational graph of that network for
  t = 1..T, the path of term k, and the local derivative on each edge (the figure of §2.1);
- :func:`popular_formula`: the formula of blog posts, ``∂E_3/∂W = Σ_k ∂E_3/∂ŷ_3 ∂ŷ_3/∂s_3 ∂s_3/∂s_k ∂s_k/∂W``,
  in the book's notation (E → L, s → h, W → W_hh, ŷ_t = softmax(W_hy h_t)), with its last factor read as the
  immediate or as the total derivative, against torch autograd.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np

from .. import gradcheck, plotting, rnn
from .._validate import as_array, check_float, check_int
from .bptt import check_example, check_figure, immediate_jacobian_W_hh, total_jacobian_W_hh


@dataclass(frozen=True)
class OneUnit:
    """Chapter 1's one-unit network run over T steps, and the terms of ``∂L_T/∂w`` (eq-bptt-scalar)."""
    w: float           # the recurrent weight (the 1×1 W_hh)
    u: float           # the input weight (the 1×1 W_xh)
    h: np.ndarray      # (T + 1,) h_0, h_1, ..., h_T
    dphi: np.ndarray   # (T,) φ'(a_1), ..., φ'(a_T)
    loss: float        # L_T = ½(h_T − y_T)²
    dL_dh: float       # ∂L_T/∂h_T = h_T − y_T
    terms: np.ndarray  # (T,) terms[k-1] is term k: the path that starts where step k uses w

    @property
    def gradient(self) -> float:
        """``∂L_T/∂w``, the sum of the terms."""
        return float(self.terms.sum())


def one_unit(w: float, u: float, b: float, x, h0: float, y: float, activation: str = "tanh") -> OneUnit:
    """Run ``h_t = φ(w h_{t-1} + u x_t + b)`` for t = 1..T and write ``∂L_T/∂w`` as T products (eq-bptt-scalar).

    Parameters
    ----------
    w, u, b : float
        Recurrent weight, input weight and bias (W_hh, W_xh and b with H = D = 1).
    x : array, shape (T,), 1 ≤ T ≤ 1000
        The inputs x_1..x_T.
    h0, y : float
        The initial state h_0 and the target y_T of the loss ``L_T = ½(h_T − y_T)²``.
    activation : str
        φ, a name in ``rnnlab.activations.ACTIVATIONS``.
    """
    w, u, b, h0, y = (check_float(n, v) for n, v in zip(("w", "u", "b", "h0", "y"), (w, u, b, h0, y)))
    x = as_array("x", x, ndim=1)
    T = check_int("len(x)", x.size, low=1, high=1000)
    h, cache = rnn.rnn_forward(x.reshape(1, T, 1), np.array([[h0]]), np.array([[u]]), np.array([[w]]),
                               np.array([b]), activation)
    hs = np.concatenate([[h0], h[0, :, 0]])  # (T + 1,)  h_0..h_T
    dphi = cache.activation.df(cache.a[0, :, 0])  # (T,)  φ'(a_t)
    dL_dh = hs[T] - y  # ∂L_T/∂h_T
    terms = np.empty(T)
    for k in range(1, T + 1):
        long_term = np.prod([w * dphi[j - 1] for j in range(k + 1, T + 1)])  # Π_{j=k+1}^{T} w φ'(a_j)
        terms[k - 1] = dL_dh * long_term * dphi[k - 1] * hs[k - 1]  # (eq-bptt-scalar)
    return OneUnit(w, u, hs, dphi, float(0.5 * dL_dh**2), float(dL_dh), terms)


@dataclass(frozen=True)
class Edge:
    """One edge of the unrolled graph, with its local derivative ∂(dst)/∂(src)."""
    src: str      # node name: "h_0".."h_T", "x_1".."x_T", "w_1".."w_T" (w as used at step t), "L"
    dst: str
    label: str    # the local derivative, as matplotlib mathtext
    value: float  # its value in this network


@dataclass(frozen=True)
class Graph:
    """The unrolled one-unit network, and the path of term k of ``∂L_T/∂w``."""
    nodes: dict   # name -> (x, y) position in the drawing
    edges: tuple  # every Edge
    path: tuple   # indices into edges: term k's path, from w at step k to the loss L_T
    k: int        # the term
    T: int        # the number of steps, and of the loss L_T

    @property
    def path_product(self) -> float:
        """The product of the local derivatives along the path: term k (eq-bptt-scalar)."""
        return float(np.prod([self.edges[i].value for i in self.path]))


def unrolled_graph(unit: OneUnit, k: int) -> Graph:
    """The graph of ``unit`` unrolled over t = 1..T; ``path`` follows term k (1 ≤ k ≤ T) from the use of w at
    step k through h_k, h_{k+1}, ..., h_T to the loss: T − k recurrent edges, one per factor w φ'(a_j)."""
    if not isinstance(unit, OneUnit):
        raise TypeError(f"unit must be the OneUnit returned by one_unit; got {type(unit).__name__}")
    T = unit.dphi.size
    k = check_int("k", k, low=1, high=T)
    nodes = {"h_0": (0.0, 0.0), "L": (2.0 * T + 1.4, 0.0)}
    edges = []
    for t in range(1, T + 1):
        nodes |= {f"h_{t}": (2.0 * t, 0.0), f"w_{t}": (2.0 * t - 0.9, 1.0), f"x_{t}": (2.0 * t - 0.9, -1.0)}
        edges += [Edge(f"h_{t - 1}", f"h_{t}", rf"$w\,\phi'(a_{{{t}}})$", unit.w * unit.dphi[t - 1]),
                  Edge(f"w_{t}", f"h_{t}", rf"$\phi'(a_{{{t}}})\,h_{{{t - 1}}}$", unit.dphi[t - 1] * unit.h[t - 1]),
                  Edge(f"x_{t}", f"h_{t}", rf"$u\,\phi'(a_{{{t}}})$", unit.u * unit.dphi[t - 1])]
    edges.append(Edge(f"h_{T}", "L", rf"$h_{{{T}}} - y_{{{T}}}$", unit.dL_dh))
    index = {(e.src, e.dst): i for i, e in enumerate(edges)}
    path = [index[(f"w_{k}", f"h_{k}")]] + [index[(f"h_{j - 1}", f"h_{j}")] for j in range(k + 1, T + 1)]
    path.append(index[(f"h_{T}", "L")])
    return Graph(nodes, tuple(edges), tuple(path), k, T)


def draw_unrolled_graph(fig, graphs) -> None:
    """One panel per graph (same network, one term each): the path of the term in orange with the local
    derivative on each of its edges, every other edge in grey."""
    check_figure(fig)
    graphs = list(graphs) if isinstance(graphs, (list, tuple)) else graphs
    if not isinstance(graphs, list) or not graphs or not all(isinstance(g, Graph) for g in graphs):
        raise TypeError("graphs must be a non-empty list of Graph, from unrolled_graph")
    axes = fig.subplots(len(graphs), 1, squeeze=False)[:, 0]
    for ax, graph in zip(axes, graphs):
        for i, e in enumerate(graph.edges):
            on = i in graph.path
            (x0, y0), (x1, y1) = graph.nodes[e.src], graph.nodes[e.dst]
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={
                "arrowstyle": "-|>", "shrinkA": 11, "shrinkB": 11, "lw": 2.4 if on else 0.8,
                "color": plotting.COLORS["orange"] if on else plotting.COLORS["grey"]})
            if on:  # the label above a level edge, to the right of a slanted one
                slanted = y0 != y1
                ax.text((x0 + x1) / 2 + 0.12 * slanted, (y0 + y1) / 2 + 0.22 * (not slanted), e.label,
                        ha="left" if slanted else "center", fontsize=9, color=plotting.COLORS["red"])
        for name, (x, y) in graph.nodes.items():
            index = graph.T if name == "L" else name[2:]  # "h_12" is drawn as h with subscript 12
            text = "$w$" if name[0] == "w" else f"${name[0]}_{{{index}}}$"
            ax.text(x, y, text, ha="center", va="center", fontsize=10, bbox={
                "boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": plotting.COLORS["blue"]})
        labels = [graph.edges[i].label.strip("$") for i in reversed(graph.path)]
        labels = [f"({label})" if "-" in label else label for label in labels]
        ax.set_title(f"term k = {graph.k}:  $" + r"\;\cdot\;".join(labels) + f"$  = {graph.path_product:.4f}",
                     fontsize=10, loc="left")
        xs, ys = zip(*graph.nodes.values())
        ax.set(xlim=(min(xs) - 0.5, max(xs) + 0.5), ylim=(min(ys) - 0.5, max(ys) + 0.5))
        ax.axis("off")


@dataclass(frozen=True)
class PopularFormula:
    """``∂E_t/∂W_hh`` by the blog formula, term by term, and by torch autograd, for the cross-entropy
    ``E_t = −log ŷ_t[label]`` of the output ``ŷ_t = softmax(W_hy h_t)``."""
    immediate: np.ndarray  # (t, H, H) term k with the immediate ∂⁺h_k/∂W_hh in the last slot
    total: np.ndarray      # (t, H, H) term k with the total ∂h_k/∂W_hh in the last slot
    autograd: np.ndarray   # (H, H) ∂E_t/∂W_hh by torch autograd, independent of the formula


def popular_formula(ex, W_hy, label: int, t: int = 3) -> PopularFormula:
    """Evaluate ``∂E_t/∂W = Σ_{k=1}^{t} ∂E_t/∂ŷ_t · ∂ŷ_t/∂s_t · ∂s_t/∂s_k · ∂s_k/∂W`` factor by factor, with
    s → h, W → W_hh: ``∂s_t/∂s_k = J_t ⋯ J_{k+1}`` and the last factor read both ways.

    Parameters
    ----------
    ex : bptt.Example
        One sequence (N = 1); its targets y are not used (the loss here is E_t).
    W_hy : array, shape (O, H)
        Output weights, ``ŷ_t = softmax(W_hy h_t)``.
    label : int, 0 ≤ label < O
        The class at step t.
    t : int, 1 ≤ t ≤ T
    """
    import torch

    x, h0, W_xh, W_hh, b = check_example(ex).params
    N, T, H = x.shape[0], x.shape[1], W_hh.shape[0]
    if N != 1:
        raise ValueError(f"ex must hold one sequence (N = 1); got N = {N}")
    W_hy = as_array("W_hy", W_hy, ndim=2)
    if W_hy.shape[1] != H or W_hy.shape[0] < 2:
        raise ValueError(f"W_hy must have shape (O, H) with H = {H} and O ≥ 2; got {W_hy.shape}")
    label = check_int("label", label, low=0, high=W_hy.shape[0] - 1)
    t = check_int("t", t, low=1, high=T)
    h, cache = rnn.rnn_forward(*ex.params, activation=ex.activation)
    J = rnn.step_jacobians(cache)[0]  # (T, H, H)  J[j-1] is J_j
    z = W_hy @ h[0, t - 1]  # (O,)
    y_hat = np.exp(z - z.max()) / np.exp(z - z.max()).sum()  # (O,)  ŷ_t
    dE_dyhat = -np.eye(z.size)[label] / y_hat  # (O,)  ∂E_t/∂ŷ_t, a row
    dyhat_dh = (np.diag(y_hat) - np.outer(y_hat, y_hat)) @ W_hy  # (O, H)  ∂ŷ_t/∂h_t
    dE_dh = dE_dyhat @ dyhat_dh  # (H,)  ∂E_t/∂h_t
    immediate, total = [], []
    for k in range(1, t + 1):
        long_term = reduce(np.matmul, [J[j - 1] for j in range(t, k, -1)], np.eye(H))  # ∂h_t/∂h_k
        v = dE_dh @ long_term  # (H,)  ∂E_t/∂h_k
        immediate.append(np.tensordot(v, immediate_jacobian_W_hh(cache, k), axes=1))  # (H, H)
        total.append(np.tensordot(v, total_jacobian_W_hh(ex, k), axes=1))  # (H, H)
    phi = gradcheck.torch_activation(cache.activation.name)
    tx, th, tW_xh, tb, tW_hy = (torch.tensor(v, dtype=torch.float64) for v in (x[0], h0[0], W_xh, b, W_hy))
    W = torch.tensor(W_hh, dtype=torch.float64, requires_grad=True)
    for s in range(t):
        th = phi(W @ th + tW_xh @ tx[s] + tb)  # (H,)  (eq-bptt-state)
    (-torch.log_softmax(tW_hy @ th, dim=0)[label]).backward()
    return PopularFormula(np.stack(immediate), np.stack(total), W.grad.numpy())
