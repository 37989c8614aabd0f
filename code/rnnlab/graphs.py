"""Graphs, message passing, and how much one node's input can move another node's state.

A graph on n nodes is its adjacency matrix A (n, n): symmetric, 0/1, zero diagonal; ne(v) are v's neighbours
(Scarselli et al.'s notation), deg(v) = |ne(v)|, dist(u, v) the number of edges on a shortest path. The
message-passing layer (Chapter 12, no graph library), with the neighbours' mean as the message and Â = D⁻¹A the
row-normalised adjacency:

    h_v^(0) = x_v,   h_v^(ℓ+1) = tanh(W_self h_v^(ℓ) + W_msg Σ_{u∈ne(v)} h_u^(ℓ) / deg(v)),   ℓ = 0 … K − 1   (eq-mp)

with x_v, h_v of size H. The **sensitivity** of node v's state after K layers to node u's input is the spectral
norm ‖∂h_v^(K)/∂x_u‖₂, measured by autograd (``sensitivity``). It is exactly 0 when dist(u, v) > K: K layers
see K edges away (the receptive field).

Scarselli et al. (2009) define node states instead as the fixed point of one map, which their model keeps a
contraction. Ours (eq-gnn-fixed):

    h_v = tanh(W_xh x_v + W_msg Σ_{u∈ne(v)} h_u / deg(v))

is a contraction with constant μ = σ_max(W_msg) in the norm max_v ‖h_v‖₂; ``fixed_point`` iterates it and
``fixed_point_sensitivity`` differentiates the fixed point by the implicit function theorem,
∂h*/∂x = (I − ∂F/∂h)⁻¹ ∂F/∂x. torch is imported only inside the functions that use it.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from ._validate import as_array, check_arrays, check_float, check_int

MAX_NODES = 2000  # a guard against a typo such as barbell_graph(10**6)


def check_adjacency(A) -> np.ndarray:
    """``A`` as a float64 (n, n) adjacency matrix: symmetric, entries 0 or 1, no self-loops, n ≥ 1."""
    A = as_array("A", A, ndim=2)
    if A.shape[0] != A.shape[1] or A.shape[0] < 1:
        raise ValueError(f"A must be a square adjacency matrix (n, n) with n ≥ 1; got {A.shape}")
    if not np.all((A == 0) | (A == 1)):
        raise ValueError("A must hold only 0 and 1 (an unweighted graph)")
    if not np.array_equal(A, A.T):
        raise ValueError("A must be symmetric (an undirected graph: u ~ v exactly when v ~ u)")
    if np.any(np.diag(A) != 0):
        raise ValueError("A must have a zero diagonal (no self-loops: W_self handles a node's own state)")
    return A


def _from_edges(n: int, edges) -> np.ndarray:
    A = np.zeros((n, n))
    for u, v in edges:
        A[u, v] = A[v, u] = 1.0
    return A


def path_graph(n: int) -> np.ndarray:
    """0 – 1 – … – (n − 1): diameter n − 1."""
    n = check_int("n", n, low=1, high=MAX_NODES)
    return _from_edges(n, [(i, i + 1) for i in range(n - 1)])


def tree_graph(depth: int) -> np.ndarray:
    """The complete binary tree of the given depth as a graph: root 0, node i's children 2i + 1 and 2i + 2;
    2^(depth+1) − 1 nodes, the root at distance ``depth`` from every leaf."""
    depth = check_int("depth", depth, low=0, high=10)
    n = 2 ** (depth + 1) - 1
    return _from_edges(n, [((i - 1) // 2, i) for i in range(1, n)])


def barbell_graph(m: int, bridges: int = 1) -> np.ndarray:
    """Two cliques of m nodes (0 … m − 1 and m … 2m − 1) joined by ``bridges`` edges (m − 1 − i) – (m + i),
    i = 0 … bridges − 1. Nodes 0 and 2m − 1 touch no bridge: dist(0, 2m − 1) = 3 however many bridges there are."""
    m = check_int("m", m, low=2, high=MAX_NODES // 2)
    bridges = check_int("bridges", bridges, low=1, high=m - 1)
    clique = [(u, v) for u in range(m) for v in range(u + 1, m)]
    links = [(m - 1 - i, m + i) for i in range(bridges)]
    return _from_edges(2 * m, clique + [(u + m, v + m) for u, v in clique] + links)


def distances(A) -> np.ndarray:
    """(n, n) integers: dist(u, v), the fewest edges between u and v (breadth-first search); −1 if unreachable."""
    A = check_adjacency(A)
    n = A.shape[0]
    neighbours = [np.flatnonzero(A[v]) for v in range(n)]
    dist = np.full((n, n), -1, dtype=int)
    for source in range(n):
        dist[source, source] = 0
        queue = deque([source])
        while queue:
            v = queue.popleft()
            for u in neighbours[v]:
                if dist[source, u] < 0:
                    dist[source, u] = dist[source, v] + 1
                    queue.append(u)
    return dist


def mean_adjacency(A) -> np.ndarray:
    """Â = D⁻¹A (n, n): row v averages v's neighbours (a node with no neighbour gets a zero row)."""
    A = check_adjacency(A)
    deg = A.sum(axis=1, keepdims=True)
    return np.divide(A, deg, out=np.zeros_like(A), where=deg > 0)


def check_layer(A, x, W_self, W_msg, first: str = "W_self") -> tuple:
    """Validate a graph, node inputs x (n, H) and two (H, H) weights, the first named ``first`` (W_self, or W_xh
    for the fixed point); returns them as float64 arrays."""
    A = check_adjacency(A)
    x = as_array("x", x, ndim=2)
    n, H = A.shape[0], x.shape[1]
    if x.shape[0] != n or H < 1:
        raise ValueError(f"x must have shape (n, H) with one row per node, n = {n}, and H ≥ 1; got {x.shape}")
    W_self, W_msg = check_arrays([(first, W_self, (H, H), "(H, H)"), ("W_msg", W_msg, (H, H), "(H, H)")])
    return A, x, W_self, W_msg


def message_passing(A, x, W_self, W_msg, K: int):
    """h^(K) (n, H) of eq-mp, in torch (float64), differentiable with respect to ``x`` when it is a tensor.

    Parameters
    ----------
    A : array, shape (n, n)
        The adjacency matrix.
    x : array or float64 torch tensor, shape (n, H)
        The node inputs x_v, which are also h^(0).
    W_self, W_msg : arrays, shape (H, H)
    K : int ≥ 0
        Number of layers.
    """
    import torch

    tensor = isinstance(x, torch.Tensor)
    if tensor and x.dtype != torch.float64:
        raise ValueError(f"x must be a float64 tensor (the book checks gradients in float64); got {x.dtype}")
    A, _, W_self, W_msg = check_layer(A, x.detach() if tensor else x, W_self, W_msg)
    K = check_int("K", K, low=0, high=1000)
    h = x if tensor else torch.tensor(x)
    mean, W_self, W_msg = (torch.tensor(m) for m in (mean_adjacency(A), W_self, W_msg))
    for _ in range(K):
        h = torch.tanh(h @ W_self.T + (mean @ h) @ W_msg.T)  # (n, H)  (eq-mp)
    return h


def sensitivity(A, x, W_self, W_msg, K: int, target: int) -> np.ndarray:
    """(n,) the spectral norms ‖∂h_target^(K)/∂x_u‖₂ for every node u, by torch autograd (float64): one backward
    pass per component of h_target^(K), the H of them batched in one call."""
    import torch

    A, x, W_self, W_msg = check_layer(A, x, W_self, W_msg)
    target = check_int("target", target, low=0, high=A.shape[0] - 1)
    K = check_int("K", K, low=0, high=1000)
    inputs = torch.tensor(x, requires_grad=True)
    h = message_passing(A, inputs, W_self, W_msg, K)[target]  # (H,)
    # the H backward passes, one per component of h, batched in one call: rows[i] = ∂h_i/∂x (n, H)
    (rows,) = torch.autograd.grad(h, inputs, grad_outputs=torch.eye(h.shape[0], dtype=torch.float64),
                                  is_grads_batched=True)
    return np.linalg.norm(rows.numpy().transpose(1, 0, 2), ord=2, axis=(1, 2))  # (n, H, H) blocks → (n,)


def fixed_point(A, x, W_xh, W_msg, tol: float = 1e-13, max_iter: int = 100_000) -> tuple:
    """The fixed point h* (n, H) of eq-gnn-fixed by iteration from h = 0, and the number of iterations.

    Raises ``ValueError`` if the iteration has not settled (max |change| < tol) within ``max_iter`` steps, which
    a contraction (σ_max(W_msg) < 1) always does.
    """
    A, x, W_xh, W_msg = check_layer(A, x, W_xh, W_msg, first="W_xh")
    tol = check_float("tol", tol, low=0.0)
    max_iter = check_int("max_iter", max_iter, low=1)
    mean, drive = mean_adjacency(A), x @ W_xh.T  # (n, n), (n, H)
    h = np.zeros_like(x)
    for i in range(1, max_iter + 1):
        new = np.tanh(drive + (mean @ h) @ W_msg.T)  # (n, H)  (eq-gnn-fixed)
        change, h = np.max(np.abs(new - h)), new
        if change < tol:
            return h, i
    raise ValueError(f"the iteration did not settle in max_iter = {max_iter} steps; is σ_max(W_msg) < 1?")


def fixed_point_sensitivity(A, x, W_xh, W_msg, target: int) -> np.ndarray:
    """(n,) the spectral norms ‖∂h*_target/∂x_u‖₂ of the fixed point, by the implicit function theorem:
    ∂h*/∂x = (I − J)⁻¹ B with J = ∂F/∂h (blocks diag(1 − h*_v²) W_msg Â_vu) and B = ∂F/∂x (blocks
    diag(1 − h*_v²) W_xh on the diagonal)."""
    A, x, W_xh, W_msg = check_layer(A, x, W_xh, W_msg, first="W_xh")
    target = check_int("target", target, low=0, high=A.shape[0] - 1)
    h, _ = fixed_point(A, x, W_xh, W_msg)
    n, H = x.shape
    slope = (1 - h ** 2).reshape(n * H, 1)  # tanh' at the fixed point, one row per (node, unit)
    J = slope * np.kron(mean_adjacency(A), W_msg)  # (nH, nH)
    B = slope * np.kron(np.eye(n), W_xh)  # (nH, nH)
    rows = np.linalg.solve(np.eye(n * H) - J, B)[target * H:(target + 1) * H]  # (H, nH)  ∂h*_target/∂x
    return np.linalg.norm(rows.reshape(H, n, H).transpose(1, 0, 2), ord=2, axis=(1, 2))
