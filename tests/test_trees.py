"""The recursive network over trees: layouts, BPTS against torch autograd and finite differences in float64, the
left chain as an RNN, and the path bound of thm-bpts-path."""
import numpy as np
import pytest

from rnnlab import gradcheck, rnn, trees

SEEDS = range(5)


def _example(tree, seed, H=5, D=3, scale=1.5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(tree.n_leaves, D))
    W_xh, W_left, W_right = rng.normal(size=(H, D)), *(scale * rng.normal(size=(2, H, H)) / np.sqrt(H))
    return x, W_xh, W_left, W_right, 0.1 * rng.normal(size=H), rng.normal(size=H)


def _trees(seed):
    return [trees.balanced(3), trees.left_chain(7), trees.random_tree(11, np.random.default_rng(seed)),
            trees.left_chain(1), trees.balanced(0), trees.Tree(3, ((1, 2), (0, 3)))]


def test_layouts_put_children_before_parents_and_the_root_last():
    for tree in _trees(0):
        seen = set(range(tree.n_leaves))
        for j, pair in enumerate(tree.children):
            assert set(pair) <= seen
            seen.add(tree.n_leaves + j)
        assert tree.n == 2 * tree.n_leaves - 1 and tree.root == tree.n - 1
    assert trees.depths(trees.balanced(4))[:16].tolist() == [4] * 16
    assert trees.depths(trees.left_chain(6))[:6].tolist() == [5, 5, 4, 3, 2, 1]
    assert trees.depths(trees.Tree(3, ((1, 2), (0, 3)))).tolist() == [1, 2, 2, 1, 0]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_trees_are_trees_with_the_leaves_in_order(seed):
    tree = trees.random_tree(40, np.random.default_rng(seed))
    # every leaf is reached from the root exactly once, left to right
    order, stack = [], [tree.root]
    while stack:
        v = stack.pop()
        if v < tree.n_leaves:
            order.append(v)
        else:
            left, right = tree.children[v - tree.n_leaves]
            stack += [right, left]
    assert order == list(range(40))
    assert trees.depths(tree).max() < 39  # not a chain (for these seeds)


@pytest.mark.parametrize("seed", SEEDS)
def test_bpts_matches_torch_autograd_in_float64(seed):
    for tree in _trees(seed):
        x, W_xh, W_left, W_right, b, dh_root = _example(tree, seed)
        _, cache = trees.tree_forward(tree, x, W_xh, W_left, W_right, b)
        ours = trees.tree_backward(dh_root, cache)
        ref = trees.torch_gradients(dh_root, tree, x, W_xh, W_left, W_right, b)
        assert gradcheck.max_relative_error(ours, ref) <= 1e-10


def test_bpts_matches_central_finite_differences():
    tree = trees.random_tree(6, np.random.default_rng(3))
    x, W_xh, W_left, W_right, b, dh_root = _example(tree, 3, H=3, D=2)
    grads = trees.tree_backward(dh_root, trees.tree_forward(tree, x, W_xh, W_left, W_right, b)[1])

    def loss():
        return float(dh_root @ trees.tree_forward(tree, x, W_xh, W_left, W_right, b)[0][tree.root])

    for param, grad in ((W_left, grads.dW_left), (W_right, grads.dW_right), (W_xh, grads.dW_xh), (b, grads.db),
                        (x, grads.dx)):
        assert gradcheck.relative_error(gradcheck.numerical_gradient(lambda _: loss(), param), grad) < 1e-7


@pytest.mark.parametrize("seed", SEEDS)
def test_the_left_chain_is_an_rnn(seed):
    tree = trees.left_chain(9)
    x, W_xh, W_left, W_right, b, dh_root = _example(tree, seed)
    h, cache = trees.tree_forward(tree, x, W_xh, W_left, W_right, b)
    leaves = h[None, :9]
    h_rnn, rnn_cache = rnn.rnn_forward(leaves[:, 1:], leaves[:, 0], W_right, W_left, b)
    np.testing.assert_allclose(h_rnn[0], h[9:], rtol=0, atol=1e-13)
    dh = np.zeros((1, 8, 5))
    dh[0, -1] = dh_root
    bptt, bpts = rnn.rnn_backward(dh, rnn_cache), trees.tree_backward(dh_root, cache)
    assert gradcheck.relative_error(bpts.dW_left, bptt.dW_hh) < 1e-12
    assert gradcheck.relative_error(bpts.dW_right, bptt.dW_xh) < 1e-12
    assert gradcheck.relative_error(bpts.dh[1:9], bptt.dx[0]) < 1e-12


@pytest.mark.parametrize("seed", SEEDS)
def test_every_node_gain_is_below_its_path_bound(seed):
    """thm-bpts-path: ‖∂L/∂h_v‖ ≤ ∏ σ_max(W_side) ‖∂L/∂h_root‖ along v's path, for small and large weights."""
    tree = trees.random_tree(30, np.random.default_rng(seed))
    for scale in (0.3, 1.0, 5.0):
        x, W_xh, W_left, W_right, b, dh_root = _example(tree, seed, scale=scale)
        dh = trees.tree_backward(dh_root, trees.tree_forward(tree, x, W_xh, W_left, W_right, b)[1]).dh
        smax = {"left": np.linalg.norm(W_left, 2), "right": np.linalg.norm(W_right, 2)}
        for v in range(tree.n):
            path = trees.path_to_root(tree, v)
            assert len(path) == trees.depths(tree)[v]
            bound = np.prod([smax[side] for _, side in path]) * np.linalg.norm(dh_root)
            assert np.linalg.norm(dh[v]) <= bound * (1 + 1e-12)


def test_path_to_root_names_the_weight_each_step_uses():
    tree = trees.Tree(3, ((1, 2), (0, 3)))
    assert trees.path_to_root(tree, 1) == [(3, "left"), (4, "right")]
    assert trees.path_to_root(tree, 0) == [(4, "left")]
    assert trees.path_to_root(tree, 4) == []


@pytest.mark.parametrize("children, match", [
    (((0, 1), (1, 2)), "node 1 has two parents"),
    (((0, 3), (1, 2)), r"children\[0\] must be at most 2"),
    (((0, 1),), "tuple of n_leaves − 1 = 2 pairs"),
    (((0, 1, 2), (2, 3)), r"children\[0\] must be a pair"),
])
def test_malformed_trees_are_refused(children, match):
    with pytest.raises(ValueError, match=match):
        trees.Tree(3, children)
