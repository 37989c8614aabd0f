"""Graphs and message passing: the constructors and distances, the receptive field, the sensitivity against
finite differences, the contraction's fixed point, its implicit Jacobian against autograd through the iteration,
and the bound of thm-contraction."""
import numpy as np
import pytest
import torch

from rnnlab import graphs

SEEDS = range(5)
H = 4


def _weights(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return tuple(scale * rng.normal(size=(H, H)) / np.sqrt(H) for _ in range(2))


def test_constructors_have_the_promised_shapes_degrees_and_distances():
    path, tree, bar = graphs.path_graph(6), graphs.tree_graph(3), graphs.barbell_graph(4)
    assert path.sum() == 2 * 5 and graphs.distances(path)[0].tolist() == [0, 1, 2, 3, 4, 5]
    assert tree.shape == (15, 15) and tree.sum() == 2 * 14
    assert graphs.distances(tree)[0].tolist() == [0, 1, 1] + [2] * 4 + [3] * 8
    assert bar.sum(axis=1).tolist() == [3, 3, 3, 4, 4, 3, 3, 3]  # the bridge's ends have one more neighbour
    assert graphs.distances(bar)[0].tolist() == [0, 1, 1, 1, 2, 3, 3, 3]
    wide = graphs.barbell_graph(6, bridges=4)
    assert graphs.distances(wide)[0, 11] == 3 and wide.sum() == graphs.barbell_graph(6).sum() + 2 * 3
    for A in (path, tree, bar, wide):
        graphs.check_adjacency(A)
        d = graphs.distances(A)
        assert np.array_equal(d, d.T) and np.all(np.diag(d) == 0)


def test_distances_mark_unreachable_nodes_and_mean_rows_sum_to_one():
    A = np.zeros((3, 3))
    A[0, 1] = A[1, 0] = 1
    assert graphs.distances(A)[0].tolist() == [0, 1, -1]
    mean = graphs.mean_adjacency(graphs.barbell_graph(3))
    np.testing.assert_allclose(mean.sum(axis=1), 1.0)
    assert graphs.mean_adjacency(A)[2].tolist() == [0, 0, 0]  # an isolated node averages nothing


@pytest.mark.parametrize("seed", SEEDS)
def test_a_node_farther_than_K_edges_has_exactly_no_influence(seed):
    A = graphs.tree_graph(3)
    x = np.random.default_rng(seed).normal(size=(15, H))
    dist = graphs.distances(A)[7]  # a leaf
    for K in range(0, 7):
        sens = graphs.sensitivity(A, x, *_weights(seed), K, target=7)
        assert np.all(sens[dist > K] == 0) and np.all(sens[dist <= K] > 0), K


def test_zero_layers_is_the_identity():
    x = np.random.default_rng(0).normal(size=(4, H))
    sens = graphs.sensitivity(graphs.path_graph(4), x, *_weights(0), K=0, target=2)
    assert sens.tolist() == [0.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("seed", SEEDS)
def test_sensitivity_is_the_norm_of_the_finite_difference_jacobian(seed):
    A, K, target, eps = graphs.barbell_graph(3), 3, 0, 1e-6
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(6, H))
    W_self, W_msg = _weights(seed, scale=1.5)

    def h(xx):
        return graphs.message_passing(A, xx, W_self, W_msg, K).numpy()[target]

    for u in range(6):
        J = np.zeros((H, H))
        for i in range(H):
            up, down = x.copy(), x.copy()
            up[u, i] += eps
            down[u, i] -= eps
            J[:, i] = (h(up) - h(down)) / (2 * eps)
        sens = graphs.sensitivity(A, x, W_self, W_msg, K, target)[u]
        assert abs(np.linalg.norm(J, 2) - sens) <= 1e-7 * max(sens, 1e-3)


def test_message_passing_is_the_equation_written_out():
    A = graphs.path_graph(3)
    x = np.random.default_rng(1).normal(size=(3, H))
    W_self, W_msg = _weights(1)
    mean = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0]])
    by_hand = np.tanh(x @ W_self.T + (mean @ x) @ W_msg.T)
    by_hand = np.tanh(by_hand @ W_self.T + (mean @ by_hand) @ W_msg.T)
    np.testing.assert_allclose(graphs.message_passing(A, x, W_self, W_msg, 2).numpy(), by_hand, atol=1e-14)
    tensor = torch.tensor(x, requires_grad=True)
    assert graphs.message_passing(A, tensor, W_self, W_msg, 2).requires_grad


@pytest.mark.parametrize("seed", SEEDS)
def test_the_implicit_jacobian_matches_autograd_through_the_iteration(seed):
    A, mu = graphs.tree_graph(2), 0.8
    rng = np.random.default_rng(seed)
    x, W_xh, W = rng.normal(size=(7, H)), rng.normal(size=(H, H)) / 2, rng.normal(size=(H, H))
    W_msg = mu * W / np.linalg.norm(W, 2)
    h_star, steps = graphs.fixed_point(A, x, W_xh, W_msg)
    assert steps < 200
    xt = torch.tensor(x, requires_grad=True)
    mean, Wt, Wxt = (torch.tensor(m) for m in (graphs.mean_adjacency(A), W_msg, W_xh))
    h = torch.zeros(7, H, dtype=torch.float64)
    for _ in range(steps + 200):  # μ^200 < 1e-19: the unrolled iteration has converged too
        h = torch.tanh(xt @ Wxt.T + (mean @ h) @ Wt.T)
    np.testing.assert_allclose(h.detach().numpy(), h_star, atol=1e-12)
    rows = np.stack([torch.autograd.grad(h[3, i], xt, retain_graph=True)[0].numpy() for i in range(H)], axis=1)
    unrolled = np.linalg.norm(rows, ord=2, axis=(1, 2))
    implicit = graphs.fixed_point_sensitivity(A, x, W_xh, W_msg, target=3)
    assert np.max(np.abs(unrolled - implicit)) <= 1e-10 * implicit.max()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mu", [0.3, 0.9, 0.99])
def test_the_fixed_point_sensitivity_is_below_the_contraction_bound(seed, mu):
    """thm-contraction: ‖∂h*_v/∂x_u‖₂ ≤ σ_max(W_xh) μ^dist(u, v) / (1 − μ), on every graph and pair."""
    rng = np.random.default_rng(seed)
    for A in (graphs.path_graph(7), graphs.tree_graph(2), graphs.barbell_graph(4)):
        n = A.shape[0]
        x, W_xh, W = rng.normal(size=(n, H)), 2 * rng.normal(size=(H, H)), rng.normal(size=(H, H))
        W_msg = mu * W / np.linalg.norm(W, 2)
        dist = graphs.distances(A)
        for v in (0, n - 1):
            sens = graphs.fixed_point_sensitivity(A, x, W_xh, W_msg, target=v)
            bound = np.linalg.norm(W_xh, 2) * mu ** dist[v].astype(float) / (1 - mu)
            assert np.all(sens <= bound * (1 + 1e-10))


def test_an_iteration_that_has_not_settled_raises():
    A = graphs.path_graph(2)
    with pytest.raises(ValueError, match="did not settle in max_iter = 3 steps"):
        graphs.fixed_point(A, np.array([[1.0], [-1.0]]), np.array([[1.0]]), np.array([[0.9]]), max_iter=3)
