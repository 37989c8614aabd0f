"""The explorer: one output that is a live slider in a kernel and a working scrubber on the static site.

An :class:`Explorer` couples a pure ``compute(**params) -> result`` function (unit-tested, fast) with a
``draw(fig, result, params)`` function that only draws what ``compute`` returned. Displaying it produces one
output whose MIME bundle carries both

- ``application/vnd.jupyter.widget-view+json``: ipywidgets sliders over every parameter and the figure
  (JupyterLab, Binder, Colab), redrawn on every change, and
- ``text/html``: a self-contained scrubber (an ``<input type="range">`` swapping pre-rendered PNG frames)
  over the *main* parameter, the others at their defaults — what the static website shows, since it has no
  kernel. ``_config.yml`` ranks the widget view below ``text/html`` for the HTML builder. Its script builds
  the range input: where scripts are stripped (an untrusted notebook in JupyterLab, GitHub's viewer) the
  reader sees one frame and a note to run the chapter, never a control that does nothing.

Live frames are rendered at ``LIVE_DENSITY`` times the figure's dpi and displayed at its size in CSS pixels,
so they stay sharp on high-density screens. On Colab, whose custom widget manager only decorates
``display_data`` messages, the bundle carries that manager's metadata itself (see :func:`colab_metadata`).

Extreme parameter values must draw an "exploded"/"vanished" annotation (see ``plotting.annotate_status``),
never raise: ``compute`` runs with NumPy floating-point warnings silenced.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import numbers
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from . import plotting
from ._reused_figure import ReusedFigure
from ._validate import check_callable, check_float, check_int, check_positive

RUN_NOTE = "Run this chapter (locally, on Binder or on Colab) for live sliders over every parameter."
LIVE_NOTE = "Static preview: drag the slider to step through pre-computed frames. " + RUN_NOTE
LIVE_DENSITY = 2  # live frames have this many device pixels per CSS pixel (sharp on HiDPI screens)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class Slider:
    """One parameter of an explorer."""
    name: str     # keyword argument of the compute function
    label: str    # what the reader sees beside the slider, e.g. "w (recurrent weight)"
    min: float    # smallest value
    max: float    # largest value
    step: float   # slider resolution; ints everywhere make an integer slider
    value: float  # initial value (the static frames fix the non-main sliders here)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"Slider name must be a keyword argument of compute (a Python name); got {self.name!r}")
        if not isinstance(self.label, str):
            raise ValueError(f"slider {self.name!r}: label must be text; got {self.label!r}")
        for field in ("min", "max", "step", "value"):
            v = getattr(self, field)
            if isinstance(v, np.ndarray) and v.ndim == 0:  # a 0-d array stands for its number
                object.__setattr__(self, field, v.item())
            check_float(f"slider {self.name!r}: {field}", getattr(self, field))
        if not self.min < self.max:
            raise ValueError(f"slider {self.name!r}: min must be below max; got {self.min} and {self.max}")
        if self.step <= 0:
            raise ValueError(f"slider {self.name!r}: step must be positive; got {self.step}")
        if self.step > self.max - self.min:
            raise ValueError(f"slider {self.name!r}: step must be at most max − min = {self.max - self.min}; "
                             f"got {self.step}")
        if not self.min <= self.value <= self.max:
            raise ValueError(f"slider {self.name!r}: value {self.value} is outside [{self.min}, {self.max}]")

    @property
    def integer(self) -> bool:
        return all(isinstance(v, numbers.Integral) for v in (self.min, self.max, self.step, self.value))

    def grid(self, n: int) -> list:
        """``n`` values from ``min`` to ``max``, snapped to ``step`` (duplicates removed)."""
        raw = np.linspace(self.min, self.max, check_int("n", n, low=1))
        snapped = self.min + np.round((raw - self.min) / self.step) * self.step
        snapped = np.clip(snapped, self.min, self.max)
        values = sorted({int(round(v)) if self.integer else round(float(v), 10) for v in snapped})
        return values

    def format(self, value) -> str:
        check_float("value", value)
        if self.integer:
            return f"{self.label} = {int(value)}"
        digits = max(0, -int(np.floor(np.log10(self.step)))) if self.step < 1 else 0
        return f"{self.label} = {value:.{digits}f}"


class Explorer:
    """An interactive figure: live sliders in a kernel, a pre-rendered scrubber on the static site.

    Parameters
    ----------
    compute : callable
        ``compute(**params) -> result``, pure and fast (goal ≤ 20 ms); params are the sliders' names.
    draw : callable
        ``draw(fig, result, params)`` draws ``result`` into the empty :class:`~matplotlib.figure.Figure` ``fig``.
    sliders : sequence of Slider
    main : str
        Name of the slider the static scrubber steps through.
    frames : int
        Number of static frames (12–24 keeps the page light).
    title : str
        Alt text of the figure and the text/plain representation.
    figsize, dpi :
        Figure size in inches and resolution of every rendering (dpi ~72–80 keeps frames ≤ ~25 KB).
    """

    def __init__(self, compute: Callable, draw: Callable, sliders, main: str, frames: int = 17,
                 title: str = "explorer", figsize=(7.5, 3.0), dpi: int = 80):
        check_callable("compute", compute, "a function compute(**params) -> result")
        check_callable("draw", draw, "a function draw(fig, result, params)")
        self.sliders = tuple(sliders) if hasattr(sliders, "__iter__") else ()
        if not self.sliders or not all(isinstance(s, Slider) for s in self.sliders):
            raise ValueError(f"sliders must be a non-empty list of Slider; got {sliders!r}")
        if not isinstance(title, str):
            raise ValueError(f"title must be text (the figure's alt text); got {title!r}")
        if not isinstance(figsize, (list, tuple)) or len(figsize) != 2:
            raise ValueError(f"figsize must be (width, height) in inches; got {figsize!r}")
        for name, inches in zip(("width", "height"), figsize):
            check_positive(f"figsize {name}", inches)
        names = [s.name for s in self.sliders]
        if len(set(names)) != len(names):
            raise ValueError(f"slider names must be unique; got {names}")
        if main not in names:
            raise ValueError(f"main must be one of the slider names {names}; got {main!r}")
        self.compute, self.draw, self.main = compute, draw, main
        self.frames = check_int("frames", frames, low=2, high=64)
        self.title, self.figsize, self.dpi = title, figsize, check_int("dpi", dpi, low=30, high=300)
        self._figure = None  # the figure png() redraws (created on first use)

    # --- rendering -------------------------------------------------------------------------------------
    @property
    def defaults(self) -> dict:
        return {s.name: s.value for s in self.sliders}

    def render(self, **params) -> Figure:
        """Compute and draw for ``params`` (missing ones take their defaults); return a new figure."""
        return self._draw_into(self._new_figure(), params)

    def png(self, compact: bool = False, density: int = 1, **params) -> bytes:
        """The figure for ``params`` as PNG bytes (what the live widget and the scrubber show).

        Every call redraws one :class:`ReusedFigure` that the explorer keeps — its axes, ticks and cached
        text metrics survive between frames, which makes a redraw about twice as fast as drawing a new
        figure, pixel for pixel the same (tested). ``compact=True`` quantises to a 64-colour palette: about
        4× smaller and visually the same for line plots, at ~15 ms extra; the static scrubber uses it to keep
        pages light. ``density`` multiplies the dpi (the live widget uses ``LIVE_DENSITY``).
        """
        check_positive("density", density)
        if self._figure is None:
            self._figure = self._new_figure(ReusedFigure)
        fig = self._draw_into(self._figure, params)
        buf = io.BytesIO()
        # Live frames favour speed (zlib level 1 saves ~25 ms); static frames are re-encoded below anyway.
        fig.savefig(buf, format="png", dpi=self.dpi * density, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
        if not compact:
            return buf.getvalue()
        image = Image.open(buf).convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()

    def _draw_into(self, fig: Figure, params: dict) -> Figure:
        params = {**self.defaults, **params}
        unknown = set(params) - set(self.defaults)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; the sliders are {sorted(self.defaults)}")
        with np.errstate(all="ignore"), plotting.style():
            result = self.compute(**params)
            fig.clear()
            self.draw(fig, result, params)
        return fig

    def _new_figure(self, cls=Figure) -> Figure:
        fig = cls(figsize=self.figsize, dpi=self.dpi)
        FigureCanvasAgg(fig)
        return fig

    def frame_values(self) -> list:
        return self._slider(self.main).grid(self.frames)

    def static_html(self) -> str:
        """The scrubber: the frames as data URIs and a script that adds a range input over them."""
        main = self._slider(self.main)
        values = self.frame_values()
        frames = ["data:image/png;base64," + base64.b64encode(self.png(compact=True, **{self.main: v})).decode() for v in values]
        labels = [main.format(v) for v in values]
        start = int(np.argmin([abs(v - main.value) for v in values]))
        uid = "rnnlab-explorer-" + hashlib.sha1("".join(frames).encode()).hexdigest()[:12]
        fixed = ", ".join(s.format(s.value) for s in self.sliders if s.name != self.main)
        fixed = f" Fixed here: {fixed}." if fixed else ""
        return _SCRUBBER.format(
            uid=uid, alt=html.escape(self.title, quote=True), src=frames[start], start=start,
            note=html.escape(f"Preview at {labels[start]}.{fixed} {RUN_NOTE}"),
            live_note=_js(LIVE_NOTE + fixed), main=_js(main.label), frames=_js(frames), labels=_js(labels))

    # --- live widget -----------------------------------------------------------------------------------
    def widget(self):
        """ipywidgets sliders and an image of the figure, redrawn whenever a slider moves."""
        import ipywidgets as w

        controls = {}
        for s in self.sliders:
            cls = w.IntSlider if s.integer else w.FloatSlider
            controls[s.name] = cls(value=s.value, min=s.min, max=s.max, step=s.step, description=s.label,
                                   continuous_update=True, style={"description_width": "initial"},
                                   layout=w.Layout(width="32em"))
        width, height = (round(inches * self.dpi) for inches in self.figsize)  # CSS pixels
        image = w.Image(value=self.png(density=LIVE_DENSITY), format="png", width=str(width), height=str(height),
                        layout=w.Layout(max_width="100%", height="auto"))

        def redraw(_change=None):
            image.value = self.png(density=LIVE_DENSITY, **{name: c.value for name, c in controls.items()})

        for c in controls.values():
            c.observe(redraw, names="value")
        return w.VBox([*controls.values(), image])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<Explorer: {self.title}; live sliders need a Python kernel>",
                  "text/html": self.static_html()}
        view = self.widget()._repr_mimebundle_()
        if view and WIDGET_VIEW in view:
            bundle[WIDGET_VIEW] = view[WIDGET_VIEW]
            return bundle, colab_metadata()
        return bundle, {}

    def _slider(self, name: str) -> Slider:
        return next(s for s in self.sliders if s.name == name)


def colab_metadata() -> dict:
    """The output metadata Colab needs to render a widget view, or ``{}`` outside Colab.

    Colab draws third-party widgets only through its custom widget manager, which
    ``google.colab.output.enable_custom_widget_manager()`` turns on by registering a hook that adds
    ``{"colab": {"custom_widget_manager": {"url": ...}}}`` to the widget view's metadata — of
    ``display_data`` messages only. An explorer that is a cell's last expression is sent as an
    ``execute_result``, which that hook never sees, so the explorer attaches the same metadata itself (as
    anywidget and other widget libraries do). It also turns the manager on if the reader skipped the set-up cell.
    """
    output = sys.modules.get("google.colab.output")
    if output is None:
        return {}
    if getattr(output._widgets, "_installed_url", None) is None:
        output.enable_custom_widget_manager()
    url = getattr(output._widgets, "_installed_url", None)
    return {WIDGET_VIEW: {"colab": {"custom_widget_manager": {"url": url}}}} if url else {}


def _js(value) -> str:
    """``value`` as a JavaScript literal that is safe inside a <script> element."""
    return json.dumps(value).replace("</", "<\\/")


_SCRUBBER = """<div class="rnnlab-explorer" id="{uid}">
<img class="rnnlab-explorer-frame" src="{src}" alt="{alt}" style="max-width:100%;height:auto">
<p class="rnnlab-explorer-note" style="font-size:0.85em;opacity:0.8">{note}</p>
<script>
(function () {{
  var root = document.getElementById("{uid}");
  if (!root || root.querySelector("input")) return;
  var frames = {frames};
  var labels = {labels};
  var img = root.querySelector("img"), note = root.querySelector("p");
  var controls = document.createElement("div"), input = document.createElement("input");
  var out = document.createElement("output");
  controls.className = "rnnlab-explorer-controls";
  input.type = "range"; input.min = 0; input.max = frames.length - 1; input.step = 1; input.value = {start};
  input.setAttribute("aria-label", {main});
  out.className = "rnnlab-explorer-label";
  out.textContent = labels[{start}];
  controls.append(input, out);
  root.insertBefore(controls, note);
  note.textContent = {live_note};
  input.addEventListener("input", function () {{
    var i = parseInt(input.value, 10);
    img.src = frames[i];
    out.textContent = labels[i];
  }});
}})();
</script>
</div>"""
