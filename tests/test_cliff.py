"""The cliff of Chapter 5: forward-mode derivatives against torch autograd (float64), the wall, the descent's
float loop against the per-point NumPy code it replaced, bad inputs."""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from rnnlab import activations, clipping
from rnnlab.chapters import cliff


def _torch_cliff(w, b, T=cliff.T_CLIFF):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    x0 = torch.tensor(cliff.X0, dtype=torch.float64, requires_grad=True)
    x = x0
    for _ in range(T):
        x = w * torch.sigmoid(x) + b
    E = (torch.sigmoid(x) - cliff.TARGET) ** 2
    gw, gb = torch.autograd.grad(E, (w, b), retain_graph=True)
    gain, = torch.autograd.grad(x, x0)
    return E.item(), gw.item(), gb.item(), gain.item()


@pytest.mark.parametrize("seed", range(5))
def test_forward_mode_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    w, b = rng.uniform(*cliff.W_LIM, 6), rng.uniform(*cliff.B_LIM, 6)
    p = cliff.cliff(w, b)
    for i in range(6):
        E, gw, gb, gain = _torch_cliff(w[i], b[i])
        assert p.loss[i] == pytest.approx(E, rel=1e-12, abs=1e-300)
        assert p.grad_w[i] == pytest.approx(gw, rel=1e-9, abs=1e-14)
        assert p.grad_b[i] == pytest.approx(gb, rel=1e-9, abs=1e-14)
        assert p.gain[i] == pytest.approx(gain, rel=1e-9, abs=1e-300)


def test_grid_equals_pointwise():
    w, b, E = cliff.loss_surface(9)
    assert E.shape == (9, 9)
    assert E[3, 5] == cliff.cliff(w[5], b[3]).loss


def test_the_wall_is_where_x0_is_an_unstable_fixed_point():
    for w in (5.0, 6.0, 7.0):
        b = cliff.wall_bias(w)
        assert abs(cliff.cliff(w, b, T=1).x_T - cliff.X0) < 1e-12
        low, high = cliff.cliff(w, b - 1e-3).x_T, cliff.cliff(w, b + 1e-3).x_T
        assert high - low > 3  # two different attractors on the two sides
        lo, hi = cliff.bistable_bounds(w)
        assert lo < b < hi
    assert np.isnan(cliff.wall_bias(3.0)) and all(np.isnan(v) for v in cliff.bistable_bounds(3.0))


def test_clipped_descent_never_steps_further_than_lr_times_threshold():
    d = cliff.descend(threshold=0.5)
    steps = np.linalg.norm(np.diff(d.path, axis=0), axis=1)
    assert np.all(steps <= cliff.LR * 0.5 + 1e-12)
    plain = cliff.descend()
    assert plain.grad_norm.max() > 100 and not np.allclose(plain.path, d.path)


def _reference_descend(lr, threshold=None, start=cliff.START, steps=cliff.STEPS):
    """The descent as first written: a checked ``cliff.cliff`` call and ``clipping.clip_by_norm`` per step."""
    w, b = start
    path, loss, norms, clipped = [(w, b)], [], [], []
    for _ in range(steps):
        p = cliff.cliff(w, b)
        g = [float(p.grad_w), float(p.grad_b)]
        loss.append(float(p.loss))
        norms.append(float(np.hypot(*g)))
        if threshold is not None:
            g = [float(v[0]) for v in clipping.clip_by_norm([np.array([g[0]]), np.array([g[1]])], threshold)[0]]
        clipped.append(threshold is not None and norms[-1] > threshold)
        w, b = w - lr * g[0], b - lr * g[1]
        path.append((w, b))
    loss.append(float(cliff.cliff(w, b).loss))
    return cliff.Descent(np.array(path), np.array(loss), np.array(norms), np.array(clipped))


def _assert_same_descent(new, ref):
    for field in ("path", "loss", "grad_norm"):
        np.testing.assert_allclose(getattr(new, field), getattr(ref, field), rtol=1e-12, atol=0, equal_nan=True,
                                   err_msg=field)
    np.testing.assert_array_equal(new.clipped, ref.clipped)


_SLIDERS = {s.name: s for s in cliff.cliff_explorer().sliders}
_LRS = _SLIDERS["lr"].grid(64)  # every learning rate the slider offers (0.1 to 2.0)
_THRESHOLDS = cliff.cliff_explorer().frame_values()  # the static frames' thresholds (0.1 to 3.1)


@pytest.mark.parametrize("lr", _LRS)
def test_race_equals_the_per_point_reference_on_the_explorer_grid(lr):
    """Every static frame (threshold grid at the default lr), every lr at the default threshold, the corners."""
    thresholds = _THRESHOLDS if lr == cliff.LR else [0.5] + ([0.1, 3.1] if lr in (0.1, 2.0) else [])
    with np.errstate(all="ignore"):  # as the explorer runs it: far from the window the plain path overflows
        plain = _reference_descend(lr)
        for threshold in thresholds:
            result = cliff.race(threshold, lr)
            _assert_same_descent(result.plain, plain)
            _assert_same_descent(result.clipped, _reference_descend(lr, threshold))


def test_descend_from_other_starts_equals_the_reference():
    for start, steps, threshold in (((3.0, 0.5), 5, None), ((7.5, -4.5), 30, 1.0), ((6.0, -3.2), 40, 0.05)):
        with np.errstate(all="ignore"):
            _assert_same_descent(cliff.descend(start, lr=0.3, steps=steps, threshold=threshold),
                                 _reference_descend(0.3, threshold, start, steps))


def test_float_helpers_are_bit_for_bit_the_library_functions():
    x = np.concatenate([np.linspace(-40, 40, 4001), [0.0, -0.0, 1e-9, -1e-9, 3e-8, 745.0, -745.0, 1e300, -np.inf]])
    for v in x.tolist():  # scalars, as the reference descent called them
        s, ds = cliff._sigmoid_and_prime(v)
        assert s == activations.sigmoid(v) and ds == activations.sigmoid_prime(v), v
    rng = np.random.default_rng(0)
    for g_w, g_b in (rng.standard_normal((500, 2)) * np.exp(rng.uniform(-20, 20, (500, 1)))).tolist():
        threshold = float(np.exp(rng.uniform(-10, 10)))
        c = cliff._clip_coefficient(g_w, g_b, threshold)
        clipped, _ = clipping.clip_by_norm([np.array([g_w]), np.array([g_b])], threshold)
        assert (c * g_w, c * g_b) == (clipped[0][0], clipped[1][0])


def test_explorer_extremes_draw():
    e = cliff.cliff_explorer()
    for th in (0.1, 3.1):
        for lr in (0.1, 2.0):
            assert e.png(threshold=th, lr=lr)[:4] == b"\x89PNG"


@pytest.mark.parametrize("call, pattern", [
    (lambda: cliff.cliff("a", 1.0), "w must be"),
    (lambda: cliff.cliff(1.0, np.nan), "b contains NaN"),
    (lambda: cliff.cliff(1.0, 1.0, T=0), "T must be at least 1"),
    (lambda: cliff.cliff(1.0, 1.0, target=2.0), "target must be at most 1"),
    (lambda: cliff.cliff(np.ones(2), np.ones(3)), "w and b must broadcast"),
    (lambda: cliff.wall_bias(None), "w must be"),
    (lambda: cliff.bistable_bounds([1j]), "w must"),
    (lambda: cliff.loss_surface(1), "n must be at least 2"),
    (lambda: cliff.descend(start=(1.0,)), "start must be a pair"),
    (lambda: cliff.descend(lr=0.0), "lr must be positive"),
    (lambda: cliff.descend(threshold=-1.0), "threshold must be positive"),
    (lambda: cliff.race(0.0), "threshold must be positive"),
    (lambda: cliff.draw_surface(None), "ax must be a matplotlib Axes"),
    (lambda: cliff.draw_race(Figure(), None, {}), "result must be a CliffRace"),
])
def test_bad_inputs(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
