"""Chapter 12: recursive networks over trees and message passing on graphs — the chapter's numbers.

- Trees (``rnnlab.trees``): the three trees of the chapter, weights at a scale β, BPTS against torch autograd,
  the left chain against ``rnn.rnn_forward``, and every node's gain g(v) = ‖∂L/∂h_v‖ / ‖∂L/∂h_root‖ beside its
  depth and its bound ∏ σ_max(W_side) along its path (thm-bpts-path).
- Graphs (``rnnlab.graphs``): the path, binary-tree and barbell set-ups, the sensitivity ‖∂h_v^(K)/∂x_u‖₂ against
  dist(u, v), the contraction's fixed point with its bound σ_max(W_xh) μ^dist / (1 − μ) (thm-contraction), the
  same fixed point with σ_max(W_msg) ≥ 1 (a control), and the decay per edge of either.
- ``explore``: what the chapter's explorer draws (``structure_figures.depth_explorer``).

Weights at scale β (the β of Chapters 4 and 6): W_left, W_right, W_self, W_msg have entries N(0, β²/H) (σ_max about
2β for large H),
W_xh entries N(0, 1/D), b = 0, inputs N(0, 1). Every function takes the seed it draws from.
"""
from __future__ import annotations

import numpy as np

from .. import graphs, plotting, rnn, trees
from .._validate import check_choice, check_float, check_int
from ..gradcheck import max_relative_error

H_TREE, D_TREE = 64, 4   # the recursive net's state and input sizes
H_GRAPH = 32             # the message-passing states' size (x_v and h_v)
H_EXPLORER = 8           # the same in the explorer, which must redraw fast
TREE_KINDS = ("left chain", "balanced", "random")


def make_trees(seed: int, n_chain: int = 51, depth: int = 6, n_random: int = 51) -> dict:
    """name -> Tree: the left chain (an RNN over n_chain inputs), the balanced tree of the given depth, and a
    random bracketing of n_random leaves drawn from ``seed``."""
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    return {"left chain": trees.left_chain(n_chain), "balanced": trees.balanced(depth),
            "random": trees.random_tree(n_random, rng)}


def tree_weights(scale: float, seed: int, H: int = H_TREE, D: int = D_TREE) -> tuple:
    """(W_xh (H, D), W_left (H, H), W_right (H, H), b (H,)) at weight scale β = ``scale``."""
    scale = check_float("scale", scale, low=0.0)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    W_xh = rng.normal(size=(H, D)) / np.sqrt(D)
    W_left, W_right = (scale * rng.normal(size=(H, H)) / np.sqrt(H) for _ in range(2))
    return W_xh, W_left, W_right, np.zeros(H)


def node_gains(tree, scale: float, seed: int, H: int = H_TREE, D: int = D_TREE, bound: bool = True) -> dict:
    """Every node's depth and gain g(v) = ‖∂L/∂h_v‖ / ‖∂L/∂h_root‖ (BPTS from a random ∂L/∂h_root) and, with
    ``bound``, the bound ∏ σ_max(W_side) over the weights on its path to the root; each (n,), leaves first."""
    W_xh, W_left, W_right, b = tree_weights(scale, seed, H, D)
    rng = np.random.default_rng([seed, 1])
    h, cache = trees.tree_forward(tree, rng.normal(size=(tree.n_leaves, D)), W_xh, W_left, W_right, b)
    dh_root = rng.normal(size=H)
    norms = np.linalg.norm(trees.tree_backward(dh_root, cache).dh, axis=1) / np.linalg.norm(dh_root)
    out = {"depth": trees.depths(tree), "gain": norms}
    if bound:
        smax = {"left": np.linalg.norm(W_left, 2), "right": np.linalg.norm(W_right, 2)}
        out["bound"] = np.array([np.prod([smax[side] for _, side in trees.path_to_root(tree, v)])
                                 for v in range(tree.n)])
    return out


def depth_profiles(seeds, scales=(0.5, 8.0)) -> dict:
    """(tree name, β) -> [node_gains(...) for each seed]: the chapter's gain-against-depth figure and claims."""
    out = {}
    for seed in seeds:
        for name, tree in make_trees(seed).items():
            for scale in scales:
                out.setdefault((name, scale), []).append(node_gains(tree, scale, seed))
    return out


def deepest(profiles: list) -> tuple:
    """(depths, gains): per seed, the deepest leaf's depth and the largest gain among the deepest leaves (the
    deepest nodes of a tree are leaves)."""
    depth = [int(p["depth"].max()) for p in profiles]
    gain = [float(p["gain"][p["depth"] == d].max()) for p, d in zip(profiles, depth)]
    return depth, gain


def bpts_error(seed: int) -> float:
    """The largest relative error of ``tree_backward`` against torch autograd (every gradient and every node's
    ∂L/∂h_v) over a left chain, a balanced and a random tree, H = 16, D = 3, β = 1.5, float64."""
    worst = 0.0
    for tree in make_trees(seed, n_chain=12, depth=4, n_random=16).values():
        W_xh, W_left, W_right, b = tree_weights(1.5, seed, H=16, D=3)
        rng = np.random.default_rng([seed, 2])
        b = 0.1 * rng.normal(size=16)
        x, dh_root = rng.normal(size=(tree.n_leaves, 3)), rng.normal(size=16)
        ours = trees.tree_backward(dh_root, trees.tree_forward(tree, x, W_xh, W_left, W_right, b)[1])
        ref = trees.torch_gradients(dh_root, tree, x, W_xh, W_left, W_right, b)
        worst = max(worst, max_relative_error(ours, ref))
    return worst


def chain_is_rnn(seed: int, n_leaves: int = 20) -> float:
    """max |difference| between the left chain's internal states and ``rnn.rnn_forward`` with W_hh = W_left,
    W_xh = W_right, inputs the leaves' states h_2 … h_n and initial state leaf 1's state."""
    tree = trees.left_chain(n_leaves)
    W_xh, W_left, W_right, b = tree_weights(1.0, seed, H=16, D=3)
    x = np.random.default_rng([seed, 3]).normal(size=(n_leaves, 3))
    h, _ = trees.tree_forward(tree, x, W_xh, W_left, W_right, b)
    leaves = h[:n_leaves]
    h_rnn, _ = rnn.rnn_forward(leaves[None, 1:], leaves[None, 0], W_right, W_left, b)
    return float(np.abs(h_rnn[0] - h[n_leaves:]).max())


# --- graphs -------------------------------------------------------------------------------------------------
# name -> (adjacency, K layers, target node v). K ≥ the diameter, so that every node is within reach.
SETUPS = {"path": (graphs.path_graph(9), 8, 0), "binary tree": (graphs.tree_graph(4), 8, 0),
          "barbell": (graphs.barbell_graph(6, 1), 4, 0), "barbell, 4 bridges": (graphs.barbell_graph(6, 4), 4, 0)}


def graph_weights(scale: float, seed: int, H: int | None = None) -> tuple:
    """(W_self, W_msg), each (H, H) with entries N(0, β²/H), β = ``scale``; H = H_GRAPH unless given."""
    H = H_GRAPH if H is None else check_int("H", H, low=1)
    scale = check_float("scale", scale, low=0.0)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    return tuple(scale * rng.normal(size=(H, H)) / np.sqrt(H) for _ in range(2))


def graph_sensitivity(name: str, seed: int, scale: float = 1.0, K: int | None = None) -> dict:
    """dist(u, v) and ‖∂h_v^(K)/∂x_u‖₂ for every node u (each (n,)) in set-up ``name`` (K from SETUPS unless
    given), inputs and weights drawn from ``seed``."""
    A, K_default, target = SETUPS[check_choice("name", name, SETUPS)]
    K = K_default if K is None else check_int("K", K, low=0)
    x = np.random.default_rng([seed, 4]).normal(size=(A.shape[0], H_GRAPH))
    W_self, W_msg = graph_weights(scale, seed)
    return {"dist": graphs.distances(A)[target], "sens": graphs.sensitivity(A, x, W_self, W_msg, K, target)}


def by_distance(result: dict) -> np.ndarray:
    """The mean sensitivity over the nodes at each distance 0 … max (one entry per distance)."""
    dist, sens = result["dist"], result["sens"]
    return np.array([sens[dist == k].mean() for k in range(dist.max() + 1)])


def _fixed_point(name: str, seed: int, smax: float) -> dict:
    """dist, ‖∂h*_v/∂x_u‖₂ (each (n,)) and σ_max(W_xh) of the fixed point in set-up ``name``, W_msg scaled to
    σ_max(W_msg) = ``smax``; the same W_xh, direction of W_msg and inputs for every ``smax`` (they come from seed)."""
    A, _, target = SETUPS[check_choice("name", name, SETUPS)]
    rng = np.random.default_rng([seed, 5])
    x = rng.normal(size=(A.shape[0], H_GRAPH))
    W_xh, W = rng.normal(size=(H_GRAPH, H_GRAPH)) / np.sqrt(H_GRAPH), rng.normal(size=(H_GRAPH, H_GRAPH))
    W_msg = smax * W / np.linalg.norm(W, 2)
    return {"dist": graphs.distances(A)[target], "sens": graphs.fixed_point_sensitivity(A, x, W_xh, W_msg, target),
            "smax_xh": float(np.linalg.norm(W_xh, 2))}


def fixed_point_sensitivity(name: str, seed: int, mu: float) -> dict:
    """The contraction's fixed point in set-up ``name``: dist, ‖∂h*_v/∂x_u‖₂ and the bound
    σ_max(W_xh) μ^dist / (1 − μ), each (n,); W_msg scaled to σ_max(W_msg) = μ."""
    mu = check_float("mu", mu, low=0.0)
    if mu >= 1:
        raise ValueError(f"mu must be below 1 (a contraction); got {mu}")
    out = _fixed_point(name, seed, mu)
    out["bound"] = out["smax_xh"] * mu ** out["dist"].astype(float) / (1 - mu)
    return out


def fixed_point_control(name: str, seed: int, smax: float) -> dict:
    """The control for thm-contraction: the same fixed point with σ_max(W_msg) = ``smax`` ≥ 1, where the theorem's
    hypothesis fails and it bounds nothing; dist and ‖∂h*_v/∂x_u‖₂, each (n,). ``graphs.fixed_point`` raises if the
    iteration does not settle (on the chapter's graphs it settles up to σ_max = 2)."""
    smax = check_float("smax", smax, low=1.0)
    return _fixed_point(name, seed, smax)


def per_edge_decay(result: dict) -> float:
    """(mean sensitivity at the largest distance / mean at distance 1)^(1 / (largest distance − 1)): the factor by
    which the sensitivity fell per edge between distance 1 and the farthest nodes (the bound's factor is μ)."""
    dist, sens = result["dist"], result["sens"]
    far = int(dist.max())
    if far < 2:
        raise ValueError(f"result must reach distance 2 or more to measure a decay per edge; it reaches {far}")
    return float((sens[dist == far].mean() / sens[dist == 1].mean()) ** (1 / (far - 1)))


# --- the explorer's numbers ---------------------------------------------------------------------------------
def explore(log2_scale: float = 0.0, depth: int = 50) -> dict:
    """Weight scale β = 2^log2_scale and longest path ``depth``: node gains of a left chain (depth + 1 leaves,
    an RNN) and of a random tree with as many leaves (seed 0), H = 64; the sensitivity of a path's end node to every
    node of a path of depth + 1 nodes through K = depth message-passing layers (seed 0, H = 8); in the book's
    vocabulary, the fate of the chain's deepest leaf's gain, of the path's farthest node's sensitivity, and of the
    end node's sensitivity to its own input (distance 0: walks of K steps that end where they start)."""
    scale = 2.0 ** check_float("log2_scale", log2_scale, low=-8.0, high=8.0)
    depth = check_int("depth", depth, low=1, high=60)
    out = {"scale": scale, "depth": depth}
    for name, tree in (("chain", trees.left_chain(depth + 1)),
                       ("random", trees.random_tree(depth + 1, np.random.default_rng(0)))):
        out[name] = node_gains(tree, scale, seed=0, bound=False)
    A = graphs.path_graph(depth + 1)
    x = np.random.default_rng([0, 4]).normal(size=(depth + 1, H_EXPLORER))
    W_self, W_msg = graph_weights(scale, seed=0, H=H_EXPLORER)
    out["sens"] = graphs.sensitivity(A, x, W_self, W_msg, depth, 0)  # node u is at distance u
    out["tree_status"] = plotting.classify(out["chain"]["gain"][0])  # leaf 0: the chain's deepest
    out["graph_status"] = plotting.classify(out["sens"][-1])
    out["own_status"] = plotting.classify(out["sens"][0])
    return out
