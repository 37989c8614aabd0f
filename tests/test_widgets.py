"""The explorer: both MIME types, a static scrubber with the right number of frames, safe extremes."""
import base64
import itertools
import re

import numpy as np
import pytest

from rnnlab import bench, plotting
from rnnlab.widgets import Explorer, Slider

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _line(fig, result, params):
    ax = fig.subplots()
    ax.semilogy(plotting.log_safe(result))
    plotting.annotate_status(ax, plotting.classify(result[-1]))


def _powers(scale, T):
    with np.errstate(over="ignore"):
        return np.abs(scale) ** np.arange(T, dtype=float)


@pytest.fixture
def explorer():
    return Explorer(compute=_powers, draw=_line, main="scale", frames=5, title="powers",
                    sliders=[Slider("scale", "s", 0.0, 2.0, 0.5, 1.0), Slider("T", "T", 1, 2000, 1, 10)])


def _frames(html):
    return re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]+", html)


def test_bundle_carries_widget_view_and_scrubber(explorer):
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) >= {"text/plain", "text/html", WIDGET_VIEW}
    assert bundle[WIDGET_VIEW]["model_id"]
    assert 'type="range"' in bundle["text/html"]


def test_static_html_has_one_frame_per_value(explorer):
    html = explorer.static_html()
    values = explorer.frame_values()
    assert values == [0.0, 0.5, 1.0, 1.5, 2.0]
    frames = re.search(r"var frames = (\[.*?\]);", html).group(1)
    assert len(_frames(frames)) == len(values)
    assert len(set(_frames(frames))) == len(values), "every frame must differ"
    assert f'max="{len(values) - 1}"' in html and 'value="2"' in html  # starts at the default 1.0
    for frame in _frames(html):
        assert base64.b64decode(frame.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "T = 10" in html, "the note names the values of the fixed sliders"


def test_static_html_is_deterministic(explorer):
    assert explorer.static_html() == explorer.static_html()


def test_extremes_draw_exploded_and_vanished_without_raising(explorer):
    for scale, T in itertools.product([0.0, 2.0], [1, 2000]):
        assert explorer.png(scale=scale, T=T)[:4] == b"\x89PNG"
    assert plotting.classify(_powers(2.0, 2000)[-1]) == "exploded"   # 2**1999 overflows to inf
    assert plotting.classify(_powers(0.5, 2000)[-1]) == "vanished"


def test_live_widget_redraws_on_slider_change(explorer):
    box = explorer.widget()
    slider, image = box.children[0], box.children[-1]
    before = image.value
    slider.value = 2.0
    assert image.value != before


def test_integer_and_float_sliders(explorer):
    box = explorer.widget()
    assert type(box.children[0]).__name__ == "FloatSlider"
    assert type(box.children[1]).__name__ == "IntSlider"
    assert Slider("T", "T", 5, 200, 1, 60).grid(4) == [5, 70, 135, 200]


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="s", label="s", min=1.0, max=0.0, step=0.1, value=0.5), "min must be below max"),
    (dict(name="s", label="s", min=0.0, max=1.0, step=0.0, value=0.5), "step must be positive"),
    (dict(name="s", label="s", min=0.0, max=1.0, step=0.1, value=2.0), "outside"),
    (dict(name="s", label="s", min=0.0, max=float("inf"), step=0.1, value=0.5), "finite"),
])
def test_slider_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Slider(**kwargs)


def test_explorer_validation(explorer):
    with pytest.raises(ValueError, match="main must be one of"):
        Explorer(_powers, _line, explorer.sliders, main="nope")
    with pytest.raises(ValueError, match="unknown parameter"):
        explorer.render(scael=1.0)
    with pytest.raises(ValueError, match="frames"):
        Explorer(_powers, _line, explorer.sliders, main="scale", frames=1)


@pytest.mark.parametrize("name", list(bench.EXPLORERS))
def test_book_explorers_draw_every_corner(name):
    """Every explorer of the book draws at every combination of slider extremes, never raising."""
    module, factory = bench.EXPLORERS[name].split(":")
    explorer = getattr(__import__(module, fromlist=[factory]), factory)()
    for corner in itertools.product(*[(s.min, s.max) for s in explorer.sliders]):
        params = dict(zip([s.name for s in explorer.sliders], corner))
        assert explorer.png(**params)[:4] == b"\x89PNG", params
    frames = _frames(explorer.static_html())
    assert len(frames) == len(explorer.frame_values()) + 1  # the array plus the initial <img>
    assert 12 <= len(explorer.frame_values()) <= 24
    assert max(len(base64.b64decode(f.split(",", 1)[1])) for f in frames) <= 25 * 1024, "frames ≤ 25 KB"


@pytest.mark.parametrize("name", list(bench.EXPLORERS))
def test_redrawing_the_kept_figure_matches_a_fresh_figure(name):
    """png() reuses one figure's axes for speed; every frame must equal a freshly drawn figure, pixel for pixel."""
    import io

    module, factory = bench.EXPLORERS[name].split(":")
    explorer = getattr(__import__(module, fromlist=[factory]), factory)()
    main = next(s for s in explorer.sliders if s.name == explorer.main)
    others = [s for s in explorer.sliders if s.name != explorer.main]
    settings = [{main.name: v} for v in explorer.frame_values()[::3]]
    settings += [{s.name: s.min} for s in others] + [{s.name: s.max} for s in others]
    for params in settings:
        kept = explorer.png(**params)
        buf = io.BytesIO()
        explorer.render(**params).savefig(buf, format="png", dpi=explorer.dpi, metadata={"Software": None},
                                          pil_kwargs={"compress_level": 1})
        assert kept == buf.getvalue(), params
