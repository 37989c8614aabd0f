"""The scans equal the loop, the operator is associative, the backward pass equals autograd, the costs the formulas."""
import numpy as np
import pytest
import torch

from rnnlab import scan, scan_torch

SEEDS = range(5)
TS = [1, 2, 3, 5, 8, 13, 100, 1000]
NUMPY_SCANS = [scan.hillis_steele, scan.blelloch, scan.chunked]
TORCH_SCANS = [scan_torch.sequential, scan_torch.hillis_steele, scan_torch.blelloch, scan_torch.chunked]


def _recurrence(seed, T, d, low=-1.0, high=1.0):
    """Random a in [low, high], b and h0 standard normal."""
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, (T, d)), rng.normal(size=(T, d)), rng.normal(size=d)


def _pair(rng, shape=(4,)):
    return rng.normal(size=shape), rng.normal(size=shape)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_operator_is_associative_with_identity_1_0(seed):
    rng = np.random.default_rng(seed)
    p, q, r = _pair(rng), _pair(rng), _pair(rng)
    left, right = scan.combine(scan.combine(p, q), r), scan.combine(p, scan.combine(q, r))
    np.testing.assert_allclose(left, right, rtol=0, atol=1e-12)
    identity = (np.ones(4), np.zeros(4))
    for composed in (scan.combine(identity, p), scan.combine(p, identity)):
        np.testing.assert_array_equal(composed, p)


def test_the_operator_applies_its_first_pair_first():
    """h ↦ a h + b, then h ↦ a′ h + b′ is h ↦ a′(a h + b) + b′."""
    (a, b), (a2, b2), h = _pair(np.random.default_rng(0)), _pair(np.random.default_rng(1)), np.arange(4.0)
    ac, bc = scan.combine((a, b), (a2, b2))
    np.testing.assert_allclose(ac * h + bc, a2 * (a * h + b) + b2, rtol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("T", TS)
def test_every_scan_equals_the_loop(seed, T):
    for d in (1, 3):
        a, b, h0 = _recurrence(seed, T, d)
        loop = scan.sequential(a, b, h0)
        assert loop.shape == (T, d)
        for f in NUMPY_SCANS:
            np.testing.assert_allclose(f(a, b, h0), loop, rtol=0, atol=1e-12, err_msg=f.__name__)
        tensors = [torch.tensor(x) for x in (a, b, h0)]
        for f in TORCH_SCANS:
            np.testing.assert_allclose(f(*tensors).numpy(), loop, rtol=0, atol=1e-12, err_msg=f"torch {f.__name__}")


def test_h0_defaults_to_zeros_and_inputs_are_not_changed():
    a, b, h0 = _recurrence(0, 13, 2)
    copies = a.copy(), b.copy()
    for f in (scan.sequential, *NUMPY_SCANS):
        np.testing.assert_array_equal(f(a, b), f(a, b, np.zeros(2)))
    np.testing.assert_array_equal(a, copies[0])
    np.testing.assert_array_equal(b, copies[1])
    t = torch.tensor(a), torch.tensor(b)
    zeros = torch.zeros(2, dtype=torch.float64)
    np.testing.assert_array_equal(scan_torch.blelloch(*t).numpy(), scan_torch.blelloch(*t, zeros).numpy())


def _autograd_through_the_loop(a, b, h0, w):
    a_t, b_t, h0_t = [torch.tensor(x, requires_grad=True) for x in (a, b, h0)]
    (scan_torch.sequential(a_t, b_t, h0_t) * torch.tensor(w)).sum().backward()  # L = Σ w ⊙ h
    return a_t.grad.numpy(), b_t.grad.numpy(), h0_t.grad.numpy()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("T", [1, 2, 7, 64, 300])
def test_backward_equals_autograd_through_the_loop(seed, T):
    a, b, h0 = _recurrence(seed, T, 3)
    w = np.random.default_rng(100 + seed).normal(size=(T, 3))  # gL = ∂L/∂h_t = w for L = Σ w ⊙ h
    expected = _autograd_through_the_loop(a, b, h0, w)
    for name in scan.SCANS:
        grads = scan.backward(a, b, h0, w, scan=name)
        for got, want in zip(grads, expected):
            err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)
            assert err <= 1e-10, (name, err)


@pytest.mark.parametrize("f", TORCH_SCANS[1:], ids=lambda f: f.__name__)
def test_autograd_through_the_torch_scans_equals_the_hand_written_backward(f):
    a, b, h0 = _recurrence(3, 37, 2)
    w = np.random.default_rng(4).normal(size=(37, 2))
    tensors = [torch.tensor(x, requires_grad=True) for x in (a, b, h0)]
    (f(*tensors) * torch.tensor(w)).sum().backward()
    for got, tensor in zip(scan.backward(a, b, h0, w), tensors):
        np.testing.assert_allclose(got, tensor.grad.numpy(), rtol=1e-10, atol=1e-12)


def _levels(T):
    return (T - 1).bit_length()  # ⌈log2 T⌉


@pytest.mark.parametrize("T", [1, 2, 3, 4, 5, 8, 13, 16, 17, 100, 1000, 1024, 1025])
def test_work_and_depth_equal_the_formulas(T):
    L = _levels(T)
    assert L == (0 if T == 1 else int(np.ceil(np.log2(T))))
    assert scan.cost("sequential", T) == (T - 1, T - 1)
    assert scan.cost("hillis_steele", T) == (sum(T - 2 ** k for k in range(L)), L)
    work, depth = scan.cost("blelloch", T)
    assert (work, depth) == (2 * T - 2 - L, L + sum(3 * 2 ** k < T for k in range(L)))
    assert work <= 2 * T and depth <= 2 * L
    a, b, h0 = _recurrence(0, T, 2)
    assert scan.blelloch(a, b, h0, count=True)[1] == (work, depth)  # the same count on any data
    m = int(np.ceil(np.sqrt(T)))  # the chunked scan's block: ⌈√T⌉ steps, ⌈T/m⌉ blocks
    assert scan.cost("chunked", T) == (2 * T - 1 - m, (m - 1) + (-(-T // m) - 1) + (T > m))
    assert scan.cost("chunked", T).work <= 2 * T and scan.cost("chunked", T).depth <= 2 * m


@pytest.mark.parametrize("seed", SEEDS)
def test_exploding_and_vanishing_recurrences_stay_equal_in_relative_terms(seed):
    rng = np.random.default_rng(seed)
    T, d = 1000, 4
    exploding = rng.uniform(1.2, 1.6, (T, d)) * rng.choice([-1.0, 1.0], (T, d))  # |h_T| ~ 1e145
    vanishing = rng.uniform(0.5, 0.9, (T, d))  # h_t = Π a_s: down to ~1e-150, still a normal float64
    for a, b, h0 in [(exploding, rng.normal(size=(T, d)), None), (vanishing, np.zeros((T, d)), np.ones(d))]:
        loop = scan.sequential(a, b, h0)
        assert np.all(np.isfinite(loop)) and np.all(loop != 0)
        for f in NUMPY_SCANS:
            np.testing.assert_allclose(f(a, b, h0), loop, rtol=1e-12, atol=0, err_msg=f.__name__)


def test_where_a_product_of_a_overflows_the_scans_give_nan_and_the_loop_does_not():
    """The tree scans form Π a_s over blocks of up to 2^11 steps (here 2^1024 = inf), the loop never does: with h = 0
    until the last steps the loop stays small, while they meet inf · 0 = NaN. A known limit of float64 scans, not a
    bug. The chunked scan forms products over at most ⌈√T⌉ = 46 steps, so it stays equal to the loop here."""
    T = 2100
    a, b = np.full((T, 1), 2.0), np.zeros((T, 1))
    b[-3:] = 1.0
    np.testing.assert_array_equal(scan.sequential(a, b)[-3:, 0], [1.0, 3.0, 7.0])
    with np.errstate(over="ignore", invalid="ignore"):
        for f in (scan.hillis_steele, scan.blelloch):
            assert np.all(np.isnan(f(a, b)[-3:])), f.__name__
    np.testing.assert_array_equal(scan.chunked(a, b)[-3:, 0], [1.0, 3.0, 7.0])
