"""Chapter 11: the echo-state runs obey Theorem thm-esp for any seed, the Mackey–Glass protocol and the other
experiments return what the chapter reads, and the explorer draws every corner with the book's vocabulary."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import bench, plotting, reservoir
from rnnlab.chapters import reservoir_figures, reservoirs


@pytest.mark.parametrize("seed", [7, 8])
def test_echo_runs_obey_the_theorem_for_any_seed(seed):
    r = reservoirs.echo_runs(seed, T=120, T_zero=300)
    for leak, d in r.contracting.items():
        bound = reservoirs.contraction_factor(leak, 0.95) ** np.arange(1, 121)
        assert d.shape == (120,) and np.all(d <= bound * (1 + 1e-9))
    assert r.sigma_max > 1 and plotting.classify(r.practical[-1]) == plotting.VANISHED
    assert plotting.classify(r.zero_input[0.9][-1]) == plotting.VANISHED
    assert r.zero_input[1.2][-50:].min() > 1


def test_contraction_factor_and_the_steps_to_vanish():
    assert reservoirs.contraction_factor(1.0, 0.95) == 0.95
    assert reservoirs.contraction_factor(0.3, 0.95) == pytest.approx(0.985, abs=1e-15)
    assert reservoirs.steps_to_vanish([1.0, 1e-3, 1e-7, 1e-9]) == 3
    assert reservoirs.steps_to_vanish([1.0, 0.5]) == 0
    with pytest.raises(ValueError, match="leak"):
        reservoirs.contraction_factor(1.5, 0.9)


def test_both_conventions_give_squashed_series_of_the_right_lengths():
    parts = {c: reservoirs.mackey_glass_split(c) for c in reservoirs.CONVENTIONS}
    for train, test in parts.values():
        assert (len(train), len(test)) == (reservoirs.MG_TRAIN, reservoirs.MG_TEST)
        assert np.all(np.abs(train) < 1) and 0.02 < np.var(test) < 0.1
    (a, _), (b, _) = parts.values()
    assert not np.allclose(a, b)  # two integrations, two series
    with pytest.raises(ValueError, match="convention"):
        reservoirs.mackey_glass_split("midpoint")


def test_a_small_esn_predicts_84_steps_ahead_under_both_conventions():
    scores = reservoirs.esn_scores(3, H=100)
    assert set(scores) == set(reservoirs.CONVENTIONS)
    for error, gen in scores.values():
        assert error < 0.1 and gen.W_hh.shape == (100, 100)


def test_memory_curves_and_their_reach():
    curves = reservoirs.memory_curves(5, radii=(0.5, 0.9), H=40)
    assert set(curves) == {0.5, 0.9}
    for m in curves.values():
        assert m.mc.shape == reservoirs.LAGS.shape and 0 < m.total < 40
    assert reservoirs.memory_reach(curves[0.9]) >= reservoirs.memory_reach(curves[0.5]) > 0
    fake = reservoir.MemoryCapacity(np.arange(1, 5), np.array([0.9, 0.6, 0.4, 0.7]), 2.6)
    assert reservoirs.memory_reach(fake) == 4 and reservoirs.memory_reach(fake, 0.95) == 0


def test_bpdc_errors_fall_and_adapt_only_the_output_unit():
    e = reservoirs.bpdc_errors(2, n_steps=3000, window=500, H=50)
    assert e.online.shape == (6,) and e.adapted == 53 and e.window == 500
    assert e.online[-1] < e.online[0] and e.ridge < e.persistence
    with pytest.raises(ValueError, match="multiple of window"):
        reservoirs.bpdc_errors(2, n_steps=1000, window=300)


def test_the_liquid_readout_recalls_the_current_value():
    lq = reservoirs.liquid_readout(4, H=60, n_values=1000, n_back=2)
    assert lq.spikes.shape == (5000, 60) and lq.r2.shape == (2,)
    assert lq.r2[0] > lq.r2[1] and 0.01 < lq.rate < 0.3


def test_explore_classifies_the_start_and_stays_finite_at_the_extremes():
    r = reservoirs.explore()
    assert r["states"].shape == (2, reservoirs.WASHOUT, 4) and r["status"] == plotting.VANISHED
    assert r["guess"].shape == r["target"].shape == (reservoirs.TEST,)
    silent = reservoirs.explore(radius=1.5, input_scale=0.0)  # no drive: the start is never forgotten
    assert silent["status"] == plotting.WITHIN and np.isfinite(silent["nrmse"])
    assert reservoirs.explore(radius=0.0, leak=0.05)["status"] == plotting.WITHIN  # a slow leak: not yet
    with pytest.raises(ValueError, match="leak"):
        reservoirs.explore(leak=0.0)


def test_the_explorer_is_registered_and_its_figures_draw():
    assert bench.EXPLORERS["ch11 reservoir (spectral radius)"] == \
        "rnnlab.chapters.reservoir_figures:reservoir_explorer"
    explorer = reservoir_figures.reservoir_explorer()
    assert explorer.main == "radius" and 12 <= len(explorer.frame_values()) <= 24
    runs = {s: reservoirs.echo_runs(s, T=50, T_zero=60) for s in (0, 1)}
    reservoir_figures.draw_echo(Figure(), runs)
    reservoir_figures.draw_prediction(Figure(), np.zeros(30), np.zeros(20), prime=10, horizon=5)
    reservoir_figures.draw_memory(Figure(), {0: reservoirs.memory_curves(0, radii=(0.5,), H=20)})
    reservoir_figures.draw_liquid(Figure(), np.eye(10), "a raster", values=2)
    with pytest.raises(ValueError, match="Figure"):
        reservoir_figures.draw_echo(None, runs)
