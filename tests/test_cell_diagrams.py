"""Chapter 7's cell diagrams: each returns a figure that shows every symbol of the equations it draws."""
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from rnnlab.chapters import cell_diagrams

DIAGRAMS = [(cell_diagrams.draw_lstm, cell_diagrams.LSTM_LABELS),
            (cell_diagrams.draw_gru, cell_diagrams.GRU_LABELS),
            (cell_diagrams.draw_cell_path, cell_diagrams.PATH_LABELS)]


def _texts(fig):
    return [t for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("draw, labels", DIAGRAMS, ids=lambda v: getattr(v, "__name__", "labels"))
def test_diagram_returns_a_figure_labelling_every_symbol(draw, labels):
    fig = draw()
    assert isinstance(fig, Figure)
    shown = {t.get_text() for t in _texts(fig)}
    missing = [label for label in labels if label not in shown]
    assert not missing, f"{draw.__name__} does not show {missing}"


def test_the_label_lists_are_the_equations_symbols():
    lstm = {"x_t", "h_{t-1}", "c_{t-1}", "i_t", "f_t", r"\tilde c_t", "o_t", "c_t", "h_t"}  # eq-lstm-gates, -state
    gru = {"x_t", "h_{t-1}", "r_t", "z_t", "1-z_t", "n_t", "h_t"}  # eq-gru
    assert {label.strip("$") for label in cell_diagrams.LSTM_LABELS} == lstm
    assert {label.strip("$") for label in cell_diagrams.GRU_LABELS} == gru


@pytest.mark.parametrize("draw, labels", DIAGRAMS, ids=lambda v: getattr(v, "__name__", "labels"))
def test_every_text_is_legible_and_inside_the_figure(draw, labels):
    fig = draw(Figure(figsize=cell_diagrams.SIZE))
    renderer = FigureCanvasAgg(fig).get_renderer()
    box = fig.bbox
    for text in _texts(fig):
        assert text.get_fontsize() >= 9, text.get_text()
        extent = text.get_window_extent(renderer)
        assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1, text.get_text()
        assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1, text.get_text()


def test_draws_into_a_given_figure():
    fig = Figure(figsize=(7.5, 3.3))
    assert cell_diagrams.draw_gru(fig) is fig and len(fig.axes) == 1


@pytest.mark.parametrize("draw", [d for d, _ in DIAGRAMS])
def test_a_bad_figure_fails_naming_the_argument(draw):
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure"):
        draw("figure")
