"""The built website in a real headless browser (Debian's chromium, driven by Playwright).

Needs ``_build/html`` (``make test`` builds it first). Serves it on 127.0.0.1, then: every page loads without
a JavaScript error; Chapter 1's explorer scrubber changes the displayed frame; its launch buttons point at the
chapter's ``.ipynb``; every formula typesets without a TeX error; screenshots go to ``_build/screenshots/``.
MathJax, which the pages load from a CDN, is served from the npm copy in ``tests/browser/node_modules``
(``make test`` installs it); every other request to another host (Thebe, fonts, …) is answered with an error
at once, as it would fail offline anyway, and the pages must not throw because of it. Without chromium (or
without the MathJax copy, for the formula test) a test skips, saying why — except in CI (``CI`` set), where
it fails.
"""
import functools
import http.server
import re
import threading
from urllib.parse import urlparse

import pytest

from browsers import ROOT, launch, require_browser, skip_or_fail

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
MATHJAX = ROOT / "tests" / "browser" / "node_modules" / "mathjax" / "es5"
MATHJAX_CDN = re.compile(r"^https://cdn\.jsdelivr\.net/npm/mathjax@3/es5/([^?#]+)")
CHAPTER_1 = "chapters/01_feedforward_feedback"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    require_browser()
    if not (HTML / "index.html").is_file():
        pytest.fail("the book is not built: run `make book` (or `make test`, which builds it first)")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=HTML))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(server):
    with launch() as browser:
        yield browser


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    host = urlparse(server).netloc

    def offline(route):
        url = route.request.url
        if urlparse(url).netloc == host:
            return route.continue_()
        local = MATHJAX_CDN.match(url)
        if local and (MATHJAX / local.group(1)).is_file():
            return route.fulfill(path=str(MATHJAX / local.group(1)))
        return route.abort("internetdisconnected")

    page.route("**/*", offline)
    yield page
    context.close()


def _pages():
    skip = {"genindex.html", "search.html", "index.html"}  # index.html only redirects to book/intro.html
    return sorted(str(p.relative_to(HTML)) for p in HTML.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts and "_sources" not in p.parts) \
        if HTML.is_dir() else []


def test_every_page_loads_without_javascript_errors(page, server):
    pages = _pages()
    assert f"{CHAPTER_1}.html" in pages and "book/intro.html" in pages, pages
    for rel in pages:
        page.errors.clear()
        # networkidle: every script the page loads has run (the offline routes answer at once)
        response = page.goto(f"{server}/{rel}", wait_until="networkidle")
        assert response is not None and response.ok, rel
        assert page.errors == [], f"{rel}: {page.errors}"


def test_every_formula_typesets_without_tex_errors(page, server):
    """MathJax (served locally) renders every formula of every page; unknown macros or bad TeX would show
    as <mjx-merror> elements."""
    skip_or_fail([] if MATHJAX.is_dir() else ["no local MathJax: run `npm ci --prefix tests/browser`"])
    for rel in _pages():
        page.goto(f"{server}/{rel}", wait_until="load")
        formulas = page.locator(".math").count()
        if not formulas:
            continue
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=120_000)
        page.evaluate("() => MathJax.startup.promise")
        errors = page.locator("mjx-merror").all_inner_texts()
        assert errors == [], f"{rel}: TeX errors {errors[:5]}"
        rendered = page.locator(".math mjx-container").count()
        assert rendered >= formulas, f"{rel}: {rendered} of {formulas} formulas typeset"
        assert page.errors == [], f"{rel}: {page.errors}"


def _chapters():
    return sorted(p.stem for p in (HTML / "chapters").glob("*.html")) if HTML.is_dir() else []


@pytest.mark.parametrize("chapter", _chapters())
def test_every_explorer_scrubber_changes_the_frame(page, server, chapter):
    """Each explorer's static scrubber, moved by keyboard and by a drag to the far left, swaps the frame."""
    page.goto(f"{server}/chapters/{chapter}.html", wait_until="load")
    explorers = page.locator(".rnnlab-explorer")
    if chapter == CHAPTER_1.split("/")[1]:
        assert explorers.count() >= 1, "Chapter 1 has an explorer"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        slider, image, label = explorer.locator("input[type=range]"), explorer.locator("img"), explorer.locator("output")
        assert slider.is_visible() and image.is_visible(), f"explorer {i}"
        n_frames = int(slider.get_attribute("max")) + 1
        # 12–24 frames over a continuous parameter; an explorer of committed data (Chapter 8's sweep over 4 lags)
        # has one frame per value it has
        assert 2 <= n_frames <= 24, f"explorer {i}: {n_frames} frames"
        slider.fill("0")                                      # a drag to the far left
        first_src, first_label = image.get_attribute("src"), label.inner_text()
        slider.focus()
        page.keyboard.press("ArrowRight")                     # a reader's keyboard step
        assert slider.input_value() == "1"
        assert image.get_attribute("src") != first_src, f"explorer {i}: the frame must change"
        assert label.inner_text() != first_label, f"explorer {i}: the label must change"
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the frame must decode"
        explorer.screenshot(path=str(SHOTS / f"{chapter}_explorer{i}.png"))
    page.screenshot(path=str(SHOTS / f"{chapter}_page.png"))
    assert page.errors == []


@pytest.mark.parametrize("chapter", _chapters())
def test_no_code_or_output_overflows_its_box(page, server, chapter):
    """At a 1280-px window no code cell, input or printed output, makes the reader scroll sideways."""
    page.goto(f"{server}/chapters/{chapter}.html", wait_until="load")
    wide = page.eval_on_selector_all(
        ".cell_input pre, .cell_output pre",
        "pres => pres.filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent.split('\\n')"
        ".reduce((a, b) => b.length > a.length ? b : a, '').slice(0, 60))")
    assert wide == [], f"{len(wide)} code blocks overflow at 1280 px, e.g. {wide[:3]}"


def test_chapter_1_scrubber_labels_the_parameter(page, server):
    page.goto(f"{server}/{CHAPTER_1}.html", wait_until="load")
    explorer = page.locator(".rnnlab-explorer").first
    explorer.locator("input[type=range]").fill("0")
    assert explorer.locator("output").inner_text() == "w (recurrent weight) = 0.00"


def test_chapter_1_launch_links_point_at_the_notebook(page, server):
    page.goto(f"{server}/{CHAPTER_1}.html", wait_until="load")
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
    binder = [h for h in hrefs if "mybinder.org" in h]
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    assert binder and colab, "Binder and Colab launch buttons"
    assert all(f"{CHAPTER_1}.ipynb" in h for h in binder + colab), binder + colab


def test_citation_links_reach_their_bibliography_entry(page, server):
    """Chapters cite with plain links to references.html#key (they read the same in JupyterLab and on Colab):
    every such link must land on an entry of the bibliography."""
    page.goto(f"{server}/book/references.html", wait_until="load")
    entries = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
    cited = set()
    for chapter in _chapters():
        page.goto(f"{server}/chapters/{chapter}.html", wait_until="load")
        hrefs = page.eval_on_selector_all("a[href*='references.html#']", "links => links.map(a => a.href)")
        assert hrefs, f"{chapter} cites nothing"
        cited |= {href.split("#", 1)[1] for href in hrefs}
    assert cited and cited <= entries, f"citations without an entry: {sorted(cited - entries)}"
