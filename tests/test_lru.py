"""The LRU: |λ| < 1 whatever its parameters, the ring, γ's normalisation, the scan equal to the loop, truncation."""
import math

import numpy as np
import pytest
import torch

from rnnlab import lru, models
from rnnlab.experiments import config, runner

SEEDS = range(5)


def test_every_eigenvalue_lies_inside_the_unit_circle_whatever_nu_and_theta():
    nu = np.linspace(-30, 5, 2001)  # exp(−exp(−30)) = 1 − 1e-13: as close to 1 as float64 tells apart
    lam = lru.eigenvalues(nu, np.linspace(-5, 3, 2001))
    assert np.all(np.abs(lam) < 1) and np.all(np.abs(lam) > 0)
    assert np.all(np.diff(np.abs(lam)) < 0)  # |λ| = exp(−exp(ν)) falls as ν grows


@pytest.mark.parametrize("seed", SEEDS)
def test_the_ring_initialisation_is_uniform_on_the_ring(seed):
    r_min, r_max, max_phase = 0.4, 0.95, math.pi
    lam = lru.eigenvalues(*lru.ring_init(20000, r_min, r_max, max_phase, np.random.default_rng(seed)))
    r2, phase = np.abs(lam) ** 2, np.angle(lam)
    assert r2.min() >= r_min ** 2 - 1e-12 and r2.max() <= r_max ** 2 + 1e-12
    assert phase.min() >= 0 and phase.max() <= max_phase
    # uniform on the ring: |λ|² uniform on [r_min², r_max²] (area), the phase uniform on [0, max_phase]
    for x, low, high in ((r2, r_min ** 2, r_max ** 2), (phase, 0, max_phase)):
        u = (np.sort(x) - low) / (high - low)
        assert np.max(np.abs(u - np.linspace(0, 1, len(u)))) < 0.02  # Kolmogorov–Smirnov distance


@pytest.mark.parametrize("seed", SEEDS)
def test_gamma_keeps_a_state_as_large_as_its_input_for_white_noise(seed):
    """E|h_t|² = γ² Σ_k |λ|^{2k} E|x|² = E|x|² once γ = √(1 − |λ|²), however close |λ| is to 1."""
    rng = np.random.default_rng(seed)
    layer = lru.LRU(1, 64, 1, r_min=0.99, r_max=0.999, seed=seed)
    lam = layer.lam().detach().numpy()
    gamma = np.exp(layer.log_gamma.detach().numpy())
    np.testing.assert_allclose(gamma, np.sqrt(1 - np.abs(lam) ** 2), rtol=1e-12)
    T = 20000
    x = rng.normal(size=(T, 64)) + 1j * rng.normal(size=(T, 64))  # E|x|² = 2
    h = np.zeros(64, complex)
    energy = []
    for t in range(T):
        h = lam * h + gamma * x[t]
        if t >= T // 2:
            energy.append(np.abs(h) ** 2)
    assert 1.8 < np.mean(energy) < 2.2  # without γ: 2 / (1 − |λ|²), 100 to 1000 times larger


def _x(seed, N=3, T=60, D=2):
    return torch.tensor(np.random.default_rng(seed).normal(size=(N, T, D)))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_scan_gives_the_loop_s_outputs_and_gradients(seed):
    """forward() runs the chunked scan; with return_states the loop. Both give one function and one gradient."""
    model = lru.LRUClassifier(2, 8, 3, seed=seed, every_step=True)
    x = _x(seed)
    grads = []
    for states in (False, True):
        model.zero_grad()
        out = model(x, return_states=states)
        out = out[0] if states else out
        (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)).sum().backward()
        grads.append((out.detach().numpy(), [p.grad.numpy().copy() for p in model.parameters()]))
    (y_scan, g_scan), (y_loop, g_loop) = grads
    np.testing.assert_allclose(y_scan, y_loop, rtol=0, atol=1e-12)
    for a, b in zip(g_scan, g_loop):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 5, 17])
def test_truncation_keeps_the_outputs_and_cuts_the_gradient_after_k_steps(seed, k):
    model = lru.LRUClassifier(2, 8, 1, seed=seed)
    x = _x(seed).requires_grad_(True)
    for states in (False, True):
        out = model(x, truncate=k, return_states=states)
        out = out[0] if states else out
        np.testing.assert_allclose(out.detach().numpy(), model(x).detach().numpy(), rtol=0, atol=1e-12)
        (grad,) = torch.autograd.grad(out.sum(), x)
        reached = grad.abs().sum(dim=(0, 2)).numpy() > 0  # (T,)
        np.testing.assert_array_equal(reached, np.arange(60) >= 60 - k)  # exactly the last k inputs
    full = torch.autograd.grad(model(x, truncate=60).sum(), x)[0]
    np.testing.assert_array_equal(full.numpy(), torch.autograd.grad(model(x).sum(), x)[0].numpy())


@pytest.mark.parametrize("seed", SEEDS)
def test_lag_gains_are_the_norms_of_the_jacobian_over_k_steps(seed):
    """h_T = λ^k ⊙ h_{T−k} + …: ‖∂h_T/∂h_{T−k}‖₂ = max |λ_j|^k, checked against autograd's Jacobian."""
    layer = lru.LRU(1, 6, 1, r_min=0.5, r_max=0.99, seed=seed)
    lam = layer.lam().detach()
    for k in (0, 1, 7, 40):  # the map as a real one: (Re h, Im h) of 6 states -> (Re h_T, Im h_T), 12 × 12
        jac = torch.autograd.functional.jacobian(
            lambda v: torch.view_as_real(lam ** k * torch.view_as_complex(v)).flatten(),
            torch.zeros(6, 2, dtype=torch.float64)).reshape(12, 12)
        sigma = np.linalg.svd(jac.numpy(), compute_uv=False).max()
        np.testing.assert_allclose(lru.lag_gains(lam.numpy(), np.array([k])), [sigma], rtol=1e-12)


def test_the_runner_builds_and_trains_an_lru_and_its_controls():
    finals = {}
    for name, kw in (("full", {}), ("k=1", {"truncate": 1}), ("readout", {"train": "readout"})):
        cfg = config.RunConfig(task="copy", T=5, cell="lru", hidden=8, lr=0.01, steps=20, clip=1.0, eval_every=10,
                               eval_size=20, **kw)
        model = config.build_model(cfg)
        assert isinstance(model, lru.LRUClassifier) and model.every_step
        assert {"lrus.0.nu", "lrus.1.nu", "encoder.weight"} <= dict(model.cell.named_parameters()).keys()
        record = runner.run(cfg)
        assert len(record["grad_norms_init"]) == 5 + 20 and min(record["grad_norms_init"]) > 0
        finals[name] = record["final_metric"]
    assert len(set(finals.values())) == 3, finals  # the controls train differently from full BPTT
    with pytest.raises(ValueError, match="forget_bias applies only"):
        config.RunConfig(task="copy", T=5, cell="lru", forget_bias=1.0)
    with pytest.raises(ValueError, match="init='orthogonal' initialises"):
        config.RunConfig(task="copy", T=5, cell="lru", init="orthogonal")


def test_hidden_gradient_norms_read_the_total_derivative_through_the_states():
    """For the last-step readout, ∂L/∂h_t reaches back through λ: not zero before T (the loop holds each h_t)."""
    from rnnlab import tasks
    model = lru.LRUClassifier(2, 8, 1, seed=0)
    batch = tasks.adding_hs(4, 30, np.random.default_rng(0))
    norms = models.hidden_gradient_norms(model, batch, "mse")
    assert norms.shape == (30,) and np.all(norms > 0)
