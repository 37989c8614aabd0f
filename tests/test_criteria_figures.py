"""Tests of rnnlab.chapters.criteria_figures (Chapter 4): the figures draw, the explorers draw every slider
corner with a badge that never covers the data, and every public function refuses bad input."""
import itertools

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rnnlab import spectral
from rnnlab.chapters import criteria
from rnnlab.chapters import criteria_figures as figures


def rng(seed=0):
    return np.random.default_rng(seed)


W6 = spectral.with_spectral_radius(6, 1.1, rng(14))
Z6 = rng(15).standard_normal(6)
MODES = criteria.gradient_modes(W6, Z6, 20)
FATE = criteria.linear_fate(spectral.nonnormal(8, 0.9, 2.0, rng(16)), 50)
INITS = [criteria.init_fate("orthogonal", spectral.orthogonal(10, rng(17)), 20, 1.0, rng(18)),
         criteria.init_fate("Gaussian", spectral.gaussian(10, rng(19)), 20, 1.0, rng(18))]
GAMMA = criteria.gamma_fate(2.0, 20, 0.5)
SPECTRUM_PARAMS = {"rho": 0.9, "nonnormality": 3.0, "T": 60}
GAMMA_PARAMS = {"sigma_max": 2.0, "input_scale": 0.5, "T": 20}


def test_static_figures_draw():
    assert np.all(MODES.norms <= MODES.bound * (1 + 1e-12))
    fig = Figure()
    figures.draw_modes(fig, [MODES, MODES], ["a", "b"],
                       stable=criteria.gradient_modes(W6, criteria.stable_part(W6, Z6), 20))
    assert len(fig.axes) == 2
    fig = Figure()
    figures.draw_transient(fig, FATE)
    assert len(fig.axes) == 2
    fig = Figure()
    figures.draw_init(fig, INITS)
    assert len(fig.axes) == 4


def _overlaps(fig, ax, text):
    """Whether ``text`` (drawn) overlaps the data area of ``ax``."""
    FigureCanvasAgg(fig).draw()
    return text.get_window_extent().overlaps(ax.get_window_extent())


@pytest.mark.parametrize("factory", [figures.spectrum_explorer, figures.gamma_explorer])
def test_explorers_draw_every_corner_with_badges_outside_the_data(factory):
    explorer = factory()
    for corner in itertools.product(*[(s.min, s.max) for s in explorer.sliders]):
        params = dict(zip([s.name for s in explorer.sliders], corner))
        assert explorer.png(**params)[:4] == b"\x89PNG", params
        fig = explorer.render(**params)
        badges = [(ax, t) for ax in fig.axes for t in ax.texts if t.get_text().startswith(
            ("vanished", "within", "exploded"))]
        assert badges, params
        assert not any(_overlaps(fig, ax, t) for ax, t in badges), params  # above the axes, never on a curve
    assert 12 <= len(explorer.frame_values()) <= 24


def test_gamma_labels_sit_between_the_rows_of_ticks():
    fig = figures.gamma_explorer().render()
    labels = [t for t in fig.axes[0].texts if t.get_text().startswith("1/γ")]
    assert len(labels) == 2 and all(t.get_position()[1] == 0.5 and t.get_rotation() == 0 for t in labels)


BAD_CALLS = [
    (lambda: figures.draw_modes(None, [MODES], ["a"]), "fig must be a matplotlib Figure"),
    (lambda: figures.draw_modes(Figure(), [], []), "modes must be a non-empty list of Modes"),
    (lambda: figures.draw_modes(Figure(), [MODES, MODES], ["a"]), "titles must be 2 strings"),
    (lambda: figures.draw_modes(Figure(), [MODES], ["a"], stable=np.ones(6)), "stable must be None or Modes"),
    (lambda: figures.draw_transient(Figure(), MODES), "result must be a LinearFate from criteria; got Modes"),
    (lambda: figures.draw_init(Figure(), INITS[0]), "results must be a non-empty list of InitFate"),
    (lambda: figures.draw_init(plt_figure_stand_in(), INITS), "fig must be a matplotlib Figure"),
    (lambda: figures.draw_spectrum_fate(Figure(), GAMMA, SPECTRUM_PARAMS), "result must be a LinearFate from criteria; got GammaFate"),
    (lambda: figures.draw_spectrum_fate(Figure(), FATE, {"rho": 0.9}), "params must be a dict with the slider"),
    (lambda: figures.draw_gamma_fate(Figure(), FATE, GAMMA_PARAMS), "result must be a GammaFate from criteria; got LinearFate"),
    (lambda: figures.draw_gamma_fate(Figure(), GAMMA, [2.0, 0.5, 20]), "params must be a dict with the slider"),
]


def plt_figure_stand_in():
    """Something figure-like that is not a Figure: an Axes-less dict."""
    return {"axes": []}


@pytest.mark.parametrize("call, match", BAD_CALLS)
def test_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("factory", [figures.spectrum_explorer, figures.gamma_explorer])
def test_explorer_factories_take_no_arguments(factory):
    with pytest.raises(TypeError):
        factory(0.9)
