"""A recursive network over binary trees and its backward pass, backpropagation through structure (BPTS).

Goller and Küchler (1996) trained one network on every node of a tree (more generally, of a directed acyclic
graph): a node's state is computed from its children's states by the same weights everywhere, and the loss at the
root is back-propagated through the tree. Column-vector equations (Chapter 12; H hidden size, D input size):

    h_v = tanh(a_v),  a_v = W_xh x_v + b                                   leaf v          (eq-tree-leaf)
    h_v = tanh(a_v),  a_v = W_left h_left(v) + W_right h_right(v) + b       internal v      (eq-tree-node)
    δ_v = ∂L/∂a_v = (1 − h_v²) ⊙ ∂L/∂h_v                                                   (eq-bpts-delta)
    ∂L/∂h_left(v) = W_leftᵀ δ_v,   ∂L/∂h_right(v) = W_rightᵀ δ_v                           (eq-bpts-children)
    ∂L/∂W_left = Σ_v δ_v h_left(v)ᵀ,  ∂L/∂W_right = Σ_v δ_v h_right(v)ᵀ,
        ∂L/∂W_xh = Σ_leaves δ_v x_vᵀ,  ∂L/∂b = Σ_v δ_v,  ∂L/∂x_v = W_xhᵀ δ_v                (eq-bpts-params)

The loss L depends on the root's state only; the backward pass starts from ``dh_root = ∂L/∂h_root``.

Layout: a tree with n_leaves leaves has n = 2 n_leaves − 1 nodes. Nodes 0 … n_leaves − 1 are the leaves, left
to right; node n_leaves + j is internal node j, whose children are ``tree.children[j]``; every child has a
smaller index than its parent, so the root is node n − 1 and the index order is a topological order (children
first). In code rows are nodes, so ``W h`` becomes ``h @ W.T``. The API follows CS231n's ``rnn_layers.py``: a
forward that returns a cache, a backward that reads it. torch is imported only by ``torch_gradients``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_arrays, check_int, check_rng, check_shape


@dataclass(frozen=True)
class Tree:
    """A binary tree in the layout of the module docstring."""
    n_leaves: int      # number of leaves (nodes 0 … n_leaves − 1, left to right)
    children: tuple    # children[j] = (left, right): the children of internal node n_leaves + j

    def __post_init__(self):
        n_leaves = check_int("n_leaves", self.n_leaves, low=1)
        if not isinstance(self.children, tuple) or len(self.children) != n_leaves - 1:
            raise ValueError(f"children must be a tuple of n_leaves − 1 = {n_leaves - 1} pairs (left, right); "
                             f"got {self.children!r}")
        parents = {}
        for j, pair in enumerate(self.children):
            v = n_leaves + j
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ValueError(f"children[{j}] must be a pair (left, right) of node indices; got {pair!r}")
            for c in pair:
                check_int(f"children[{j}]", c, low=0, high=v - 1)  # children before parents
                if c in parents:
                    raise ValueError(f"node {c} has two parents ({parents[c]} and {v}); a tree gives each one")
                parents[c] = v

    @property
    def n(self) -> int:
        return 2 * self.n_leaves - 1

    @property
    def root(self) -> int:
        return self.n - 1


def balanced(depth: int) -> Tree:
    """The complete binary tree with 2^depth leaves, all at distance ``depth`` from the root."""
    depth = check_int("depth", depth, low=0, high=16)
    level, children, nxt = list(range(2 ** depth)), [], 2 ** depth
    while len(level) > 1:
        merged = []
        for i in range(0, len(level), 2):
            children.append((level[i], level[i + 1]))
            merged.append(nxt)
            nxt += 1
        level = merged
    return Tree(2 ** depth, tuple(children))


def left_chain(n_leaves: int) -> Tree:
    """((((x_1, x_2), x_3), x_4) …): a "tree" that is an RNN. Leaf 0 sits at depth n_leaves − 1."""
    n_leaves = check_int("n_leaves", n_leaves, low=1)
    children = [(0, 1)] if n_leaves > 1 else []
    children += [(n_leaves + j - 1, j + 1) for j in range(1, n_leaves - 1)]
    return Tree(n_leaves, tuple(children))


def random_tree(n_leaves: int, rng: np.random.Generator) -> Tree:
    """A random bracketing of n_leaves leaves: repeatedly merge a uniformly chosen pair of neighbouring subtrees."""
    n_leaves, rng = check_int("n_leaves", n_leaves, low=1), check_rng(rng)
    tops, children = list(range(n_leaves)), []
    while len(tops) > 1:
        i = int(rng.integers(len(tops) - 1))
        children.append((tops[i], tops[i + 1]))
        tops[i:i + 2] = [n_leaves + len(children) - 1]
    return Tree(n_leaves, tuple(children))


def check_tree(tree) -> Tree:
    if not isinstance(tree, Tree):
        raise ValueError(f"tree must be an rnnlab.trees.Tree, e.g. trees.balanced(3); got {type(tree).__name__}")
    return tree


def depths(tree: Tree) -> np.ndarray:
    """(n,) integers: each node's distance from the root (the number of Jacobians on its path, eq-bpts-path)."""
    tree = check_tree(tree)
    depth = np.zeros(tree.n, dtype=int)
    for j in reversed(range(tree.n_leaves - 1)):  # parents before children
        depth[list(tree.children[j])] = depth[tree.n_leaves + j] + 1
    return depth


class TreeCache(NamedTuple):
    """What ``tree_backward`` needs from ``tree_forward``."""
    tree: Tree
    x: np.ndarray        # (n_leaves, D) the leaves' inputs
    h: np.ndarray        # (n, H) every node's state
    W_xh: np.ndarray     # (H, D)
    W_left: np.ndarray   # (H, H)
    W_right: np.ndarray  # (H, H)


class TreeGrads(NamedTuple):
    """Gradients of L with respect to every input of ``tree_forward``, and every node's total ∂L/∂h_v."""
    dx: np.ndarray        # (n_leaves, D)
    dW_xh: np.ndarray     # (H, D)
    dW_left: np.ndarray   # (H, H)
    dW_right: np.ndarray  # (H, H)
    db: np.ndarray        # (H,)
    dh: np.ndarray        # (n, H)  ∂L/∂h_v for every node v


def check_weights(tree, x, W_xh, W_left, W_right, b) -> tuple:
    """Validate the arguments of ``tree_forward``; H from b, D from x. Returns them as float64 arrays."""
    tree = check_tree(tree)
    b = as_array("b", b, ndim=1)
    x = as_array("x", x, ndim=2)
    if x.shape[0] != tree.n_leaves:
        raise ValueError(f"x must have shape (n_leaves, D) with one row per leaf, n_leaves = {tree.n_leaves}; "
                         f"got {x.shape}")
    H, D = b.shape[0], x.shape[1]
    W_xh, W_left, W_right = check_arrays([("W_xh", W_xh, (H, D), "(H, D)"), ("W_left", W_left, (H, H), "(H, H)"),
                                          ("W_right", W_right, (H, H), "(H, H)")])
    return tree, x, W_xh, W_left, W_right, b


def tree_forward(tree: Tree, x, W_xh, W_left, W_right, b) -> tuple:
    """Every node's state, leaves first, then the internal nodes in index order (eq-tree-leaf, eq-tree-node).

    Parameters
    ----------
    tree : Tree
    x : array, shape (n_leaves, D)
        The leaves' inputs, leaf i in row i.
    W_xh : array, shape (H, D)
    W_left, W_right : arrays, shape (H, H)
        The weights applied to a node's left and right child's state; the same at every node.
    b : array, shape (H,)

    Returns
    -------
    h : array, shape (n, H)
        ``h[v]`` is node v's state; ``h[tree.root]`` the root's.
    cache : TreeCache
    """
    tree, x, W_xh, W_left, W_right, b = check_weights(tree, x, W_xh, W_left, W_right, b)
    h = np.zeros((tree.n, b.shape[0]))
    h[:tree.n_leaves] = np.tanh(x @ W_xh.T + b)  # (n_leaves, H)  (eq-tree-leaf)
    for j, (left, right) in enumerate(tree.children):  # children before parents
        h[tree.n_leaves + j] = np.tanh(W_left @ h[left] + W_right @ h[right] + b)  # (H,)  (eq-tree-node)
    return h, TreeCache(tree, x, h, W_xh, W_left, W_right)


def tree_backward(dh_root, cache: TreeCache) -> TreeGrads:
    """Backpropagation through structure: the nodes in reverse topological order, parents before children.

    Parameters
    ----------
    dh_root : array, shape (H,)
        ``∂L/∂h_root``, the loss's derivative with respect to the root's state.
    cache : TreeCache
        From ``tree_forward``.

    Returns
    -------
    TreeGrads
        ``(dx (n_leaves, D), dW_xh (H, D), dW_left (H, H), dW_right (H, H), db (H,), dh (n, H))``.
    """
    if not isinstance(cache, TreeCache):
        raise ValueError(f"cache must be the TreeCache returned by tree_forward; got {type(cache).__name__}")
    tree, x, h, W_xh, W_left, W_right = cache
    H = h.shape[1]
    dh_root = as_array("dh_root", dh_root, ndim=1)
    check_shape("dh_root", dh_root, (H,), "(H,)")
    dh = np.zeros_like(h)  # (n, H)  total ∂L/∂h_v, filled in as each parent is visited
    dh[tree.root] = dh_root
    dW_left, dW_right, db = np.zeros((H, H)), np.zeros((H, H)), np.zeros(H)
    for j in reversed(range(tree.n_leaves - 1)):  # reverse topological order: a node's parent comes first
        v = tree.n_leaves + j
        left, right = tree.children[j]
        delta = (1 - h[v] ** 2) * dh[v]  # (H,)  δ_v  (eq-bpts-delta)
        dh[left] += W_left.T @ delta  # (H,)  (eq-bpts-children); += because a DAG node may have several parents
        dh[right] += W_right.T @ delta  # (H,)  (eq-bpts-children)
        dW_left += np.outer(delta, h[left])  # (H, H)  (eq-bpts-params)
        dW_right += np.outer(delta, h[right])  # (H, H)  (eq-bpts-params)
        db += delta  # (H,)  (eq-bpts-params)
    delta = (1 - h[:tree.n_leaves] ** 2) * dh[:tree.n_leaves]  # (n_leaves, H)  δ at the leaves  (eq-bpts-delta)
    dW_xh = delta.T @ x  # (H, D)  (eq-bpts-params)
    dx = delta @ W_xh  # (n_leaves, D)  W_xhᵀ δ_v, in row form  (eq-bpts-params)
    return TreeGrads(dx, dW_xh, dW_left, dW_right, db + delta.sum(axis=0), dh)


def path_to_root(tree: Tree, v: int) -> list:
    """[(node, side), …] from v's parent up to the root; side is "left" or "right": which weight v's line uses."""
    tree = check_tree(tree)
    v = check_int("v", v, low=0, high=tree.n - 1)
    parent = {c: (tree.n_leaves + j, side) for j, pair in enumerate(tree.children)
              for c, side in zip(pair, ("left", "right"))}
    path = []
    while v in parent:
        v, side = parent[v]
        path.append((v, side))
    return path


def torch_gradients(dh_root, tree: Tree, x, W_xh, W_left, W_right, b) -> TreeGrads:
    """The same ``TreeGrads`` from torch autograd in float64 (the reference ``tree_backward`` is tested against):
    the forward pass of eq-tree-leaf and eq-tree-node in torch, then ``L = dh_root · h_root``."""
    import torch

    tree, x, W_xh, W_left, W_right, b = check_weights(tree, x, W_xh, W_left, W_right, b)
    dh_root = as_array("dh_root", dh_root, ndim=1)
    check_shape("dh_root", dh_root, b.shape, "(H,)")
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in (x, W_xh, W_left, W_right, b)]
    tx, tW_xh, tW_left, tW_right, tb = params
    h = list(torch.tanh(tx @ tW_xh.T + tb))  # one (H,) tensor per leaf
    for left, right in tree.children:
        h.append(torch.tanh(tW_left @ h[left] + tW_right @ h[right] + tb))
    loss = torch.dot(torch.tensor(dh_root, dtype=torch.float64), h[tree.root])
    grads = torch.autograd.grad(loss, params + h, allow_unused=True)  # None: unused (one leaf, no W_left)
    grads = [np.zeros(tuple(t.shape)) if g is None else g.numpy() for g, t in zip(grads, params + h)]
    return TreeGrads(*grads[:5], np.stack(grads[5:]))
