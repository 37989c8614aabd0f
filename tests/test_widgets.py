"""The explorer: both MIME types, a static scrubber with the right number of frames, safe extremes, sharp
live frames, no dead control without scripts, and the metadata Colab's widget manager needs."""
import base64
import io
import itertools
import re
import sys
import types

import numpy as np
import pytest

from PIL import Image

from rnnlab import bench, plotting
from rnnlab.widgets import LIVE_DENSITY, LIVE_NOTE, RUN_NOTE, WIDGET_VIEW, Explorer, Slider


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
    bundle, metadata = explorer._repr_mimebundle_()
    assert set(bundle) >= {"text/plain", "text/html", WIDGET_VIEW}
    assert bundle[WIDGET_VIEW]["model_id"]
    assert 'input.type = "range"' in bundle["text/html"]
    assert metadata == {}, "outside Colab the bundle needs no metadata"


def test_without_scripts_the_scrubber_shows_a_frame_and_says_to_run_the_chapter(explorer):
    """JupyterLab strips the script of an untrusted notebook's HTML: what remains has no control to drag."""
    html = explorer.static_html()
    stripped = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert "<input" not in stripped and "<output" not in stripped, "no control that does nothing"
    assert stripped.count("<img") == 1
    assert "Preview at s = 1.0." in stripped and RUN_NOTE in stripped
    assert LIVE_NOTE not in stripped, "the drag instruction appears only once the script built the slider"
    assert '"Static preview: drag the slider' in html, "the script swaps in the drag instruction"


def test_static_html_has_one_frame_per_value(explorer):
    html = explorer.static_html()
    values = explorer.frame_values()
    assert values == [0.0, 0.5, 1.0, 1.5, 2.0]
    frames = re.search(r"var frames = (\[.*?\]);", html).group(1)
    assert len(_frames(frames)) == len(values)
    assert len(set(_frames(frames))) == len(values), "every frame must differ"
    assert "input.max = frames.length - 1;" in html and "input.value = 2;" in html  # starts at the default 1.0
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


def test_live_frames_are_sharp_on_high_density_screens(explorer):
    """Live frames carry LIVE_DENSITY device pixels per CSS pixel: rendered at that multiple of the dpi,
    displayed at the figure's size in CSS pixels (never stretched)."""
    image = explorer.widget().children[-1]
    css = [round(inches * explorer.dpi) for inches in explorer.figsize]
    assert [int(image.width), int(image.height)] == css
    assert list(Image.open(io.BytesIO(image.value)).size) == [LIVE_DENSITY * c for c in css]
    static = Image.open(io.BytesIO(explorer.png(compact=True)))
    assert list(static.size) == css, "the static page's frames stay at 1x (page weight)"


@pytest.fixture
def colab(monkeypatch):
    """A stand-in for Colab's ``google.colab.output``: enable_custom_widget_manager() stores the manager's URL
    and registers a display-publisher hook that, like Colab's, decorates only display_data messages."""
    url = "https://ssl.gstatic.com/colaboratory-static/widgets/colab-cdn-widget-manager/abc/manager.min.js"
    widgets = types.SimpleNamespace(_installed_url=None)

    def hook(msg):  # Colab's _widget_display_hook, reduced to what it does to a widget view
        content = msg.get("content", {})
        if widgets._installed_url and WIDGET_VIEW in content.get("data", {}):
            content.setdefault("metadata", {}).setdefault(WIDGET_VIEW, {})["colab"] = {
                "custom_widget_manager": {"url": widgets._installed_url}}
        return msg

    def enable():
        widgets._installed_url = url

    output = types.SimpleNamespace(_widgets=widgets, enable_custom_widget_manager=enable, hook=hook, url=url)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    return output


def test_colab_execute_result_carries_the_custom_widget_manager(explorer, colab):
    """An explorer as a cell's last expression becomes an execute_result, formatted by IPython's display
    formatter and never passed through Colab's display_data hook: its metadata must already name the manager."""
    from IPython.core.formatters import DisplayFormatter

    colab.enable_custom_widget_manager()
    data, metadata = DisplayFormatter().format(explorer)
    execute_result = {"msg_type": "execute_result", "content": {"data": data, "metadata": metadata}}
    assert WIDGET_VIEW in data and data[WIDGET_VIEW]["model_id"]
    manager = metadata[WIDGET_VIEW]["colab"]["custom_widget_manager"]
    assert manager == {"url": colab.url}
    # the same bundle sent by display() (display_data) through Colab's hook ends up identical
    display_data = {"msg_type": "display_data", "content": {"data": data, "metadata": {}}}
    assert colab.hook(display_data)["content"]["metadata"] == execute_result["content"]["metadata"]


def test_colab_manager_is_enabled_if_the_reader_skipped_the_setup_cell(explorer, colab):
    assert colab._widgets._installed_url is None
    _, metadata = explorer._repr_mimebundle_()
    assert colab._widgets._installed_url == colab.url
    assert metadata[WIDGET_VIEW]["colab"]["custom_widget_manager"]["url"] == colab.url


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
    main = next(s for s in explorer.sliders if s.name == explorer.main)
    values = round((main.max - main.min) / main.step) + 1
    if main.integer and values < 12:  # a parameter with few values (Chapter 8's lags): one frame for each
        assert explorer.frame_values() == list(range(main.min, main.max + 1, main.step))
    else:
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
