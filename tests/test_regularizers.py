"""Ω of Pascanu et al. (2013) and its immediate derivative, against torch autograd with the states detached."""
import numpy as np
import pytest
import torch

from rnnlab import regularizers
from rnnlab.chapters import clipping_penalties as cp


def _sample(seed, K=7, H=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((K, H)), rng.uniform(0.1, 1.0, (K, H)), rng.standard_normal((H, H))


def _torch_omega(dh, dphi, W):
    v = torch.tensor(dh).detach()      # ∂L/∂h_{k+1}: held constant, as in the paper
    d = torch.tensor(dphi).detach()    # φ'(a_{k+1}): held constant
    W = torch.tensor(W, requires_grad=True)
    r = ((v * d) @ W).norm(dim=1) / v.norm(dim=1)
    omega = ((r - 1) ** 2).sum()
    grad, = torch.autograd.grad(omega, W)
    return omega.item(), r.detach().numpy(), grad.numpy()


@pytest.mark.parametrize("seed", range(5))
def test_omega_and_its_immediate_derivative_match_autograd(seed):
    dh, dphi, W = _sample(seed)
    omega, r, grad = _torch_omega(dh, dphi, W)
    np.testing.assert_allclose(regularizers.jacobian_ratios(dh, dphi, W), r, rtol=1e-13)
    assert regularizers.omega(dh, dphi, W) == pytest.approx(omega, rel=1e-13)
    np.testing.assert_allclose(regularizers.omega_grad(dh, dphi, W), grad, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e-310])
def test_omega_does_not_depend_on_the_size_of_dh(scale):
    """r_k divides ‖v J‖ by ‖v‖: rows of 1e200 once gave NaN (inf/inf), rows of 1e-200 were refused as zero."""
    dh, dphi, W = _sample(3)
    omega, r, grad = _torch_omega(dh, dphi, W)
    np.testing.assert_allclose(regularizers.jacobian_ratios(scale * dh, dphi, W), r, rtol=1e-13)
    assert regularizers.omega(scale * dh, dphi, W) == pytest.approx(omega, rel=1e-13)
    np.testing.assert_allclose(regularizers.omega_grad(scale * dh, dphi, W), grad, rtol=1e-10, atol=1e-13)
    mixed = dh * np.array([1e200, 1e-200, 1.0, 1e-300, 1e300, 1e-5, 1e5])[:, None]  # every row its own size
    np.testing.assert_allclose(regularizers.jacobian_ratios(mixed, dphi, W), r, rtol=1e-13)


def test_omega_is_zero_for_orthogonal_w_and_unit_derivatives():
    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((4, 4)))
    dh = np.random.default_rng(1).standard_normal((3, 4))
    assert regularizers.omega(dh, np.ones((3, 4)), Q) == pytest.approx(0.0, abs=1e-24)
    np.testing.assert_allclose(regularizers.omega_grad(dh, np.ones((3, 4)), Q), 0.0, atol=1e-12)


def test_omega_descent_brings_ratios_toward_one():
    run = cp.omega_descent(steps=10)
    assert run.omega[-1] < run.omega[0] / 10
    assert np.abs(run.ratios[-1] - 1).mean() < np.abs(run.ratios[0] - 1).mean()


def test_decayed_spectrum_shrinks():
    s0, r0 = cp.decayed_spectrum(0, 0.0, steps=20)
    s1, r1 = cp.decayed_spectrum(0, 0.5, steps=20)
    assert s1 < s0 and r1 < r0


GOOD = _sample(0)


@pytest.mark.parametrize("call, pattern", [
    (lambda: regularizers.omega(GOOD[0], GOOD[1], np.ones((5, 4))), "W_hh must be square"),
    (lambda: regularizers.omega(GOOD[0][:, :3], GOOD[1], GOOD[2]), "dh and dphi must both have shape"),
    (lambda: regularizers.omega(GOOD[0], GOOD[1][:3], GOOD[2]), "dh and dphi must both have shape"),
    (lambda: regularizers.jacobian_ratios(np.zeros((2, 5)), np.ones((2, 5)), GOOD[2]), "non-zero"),
    (lambda: regularizers.jacobian_ratios(GOOD[0][0], GOOD[1][0], GOOD[2]), "dh must have 2"),
    (lambda: regularizers.omega_grad(GOOD[0], np.zeros_like(GOOD[1]), GOOD[2]), "maps"),
    (lambda: regularizers.omega_grad(GOOD[0] * np.nan, GOOD[1], GOOD[2]), "dh contains NaN"),
    (lambda: cp.decayed_spectrum(0, -1.0), "weight_decay must be at least 0"),
    (lambda: cp.decayed_spectrum(0, 0.1, steps=0), "steps must be at least 1"),
    (lambda: cp.omega_descent(lr=0.0), "lr must be positive"),
    (lambda: cp.omega_descent(scale=-1.0), "scale must be at least 0"),
    (lambda: cp.omega_descent(steps=0), "steps must be at least 1"),
])
def test_bad_inputs(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# --- omega_penalty: the torch form used in training --------------------------------------------------------

def _batch(seed, T=6, N=3, H=5):
    rng = np.random.default_rng(seed)
    dh = torch.tensor(rng.standard_normal((T, N, H)))
    h = torch.tensor(np.tanh(rng.standard_normal((T, N, H))))
    return dh, h, torch.tensor(rng.standard_normal((H, H)), requires_grad=True)


@pytest.mark.parametrize("seed", range(3))
def test_omega_penalty_is_the_mean_of_squared_ratios_minus_one_squared(seed):
    """Every (t, n) kept: the mean of (r² − 1)² with r from jacobian_ratios (eq. 9's ratio), dphi = 1 − h²."""
    dh, h, W = _batch(seed)
    r = np.stack([regularizers.jacobian_ratios(dh[:, n].numpy(), 1 - h[:, n].numpy() ** 2, W.detach().numpy())
                  for n in range(dh.shape[1])])
    assert regularizers.omega_penalty(dh, h, W).item() == pytest.approx(np.mean((r ** 2 - 1) ** 2), rel=1e-12)


def test_omega_penalty_gradient_is_the_immediate_derivative():
    """autograd of omega_penalty w.r.t. W_hh = central differences with dh and h fixed, even if dh and h
    are part of a graph through W_hh (they are detached inside)."""
    dh, h, W = _batch(4)
    grad, = torch.autograd.grad(regularizers.omega_penalty(dh * W.sum(), h * W.mean(), W), W)
    fd = torch.zeros_like(W)
    with torch.no_grad():
        for i in range(5):
            for j in range(5):
                E = torch.zeros_like(W)
                E[i, j] = 1e-6
                d1, h1 = dh * W.sum(), h * W.mean()
                up, down = regularizers.omega_penalty(d1, h1, W + E), regularizers.omega_penalty(d1, h1, W - E)
                fd[i, j] = (up - down) / 2e-6
    torch.testing.assert_close(grad, fd, rtol=1e-7, atol=1e-9)


def test_omega_penalty_leaves_out_vanished_steps_like_the_authors_code():
    """A step with ‖∂L/∂h‖² below the bound (1e-20) counts neither in the sum nor in the mean; all vanished: 0."""
    dh, h, W = _batch(5)
    tiny = dh.clone()
    tiny[:2] *= 1e-11  # ‖v‖² ≈ 1e-22 < 1e-20
    kept = regularizers.omega_penalty(dh[2:], h[2:], W)
    assert regularizers.omega_penalty(tiny, h, W).item() == pytest.approx(kept.item(), rel=1e-12)
    assert regularizers.omega_penalty(0 * dh, h, W).item() == 0.0
    assert regularizers.omega_penalty(tiny, h, W, bound=0.0).item() != pytest.approx(kept.item())


@pytest.mark.parametrize("call, pattern", [
    (lambda d, h, W: regularizers.omega_penalty(d.numpy(), h, W), "dh must be a floating-point torch tensor"),
    (lambda d, h, W: regularizers.omega_penalty(d[0], h[0], W), r"shape \(T, N, H\)"),
    (lambda d, h, W: regularizers.omega_penalty(d, h, W[:3, :3]), r"W_hh \(H, H\)"),
    (lambda d, h, W: regularizers.omega_penalty(d, h, W, bound=-1.0), "bound must be at least 0"),
])
def test_omega_penalty_bad_inputs(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call(*_batch(0))
