"""The built website in a real headless browser (Debian's chromium, driven by Playwright).

Needs ``_build/html`` (``make test`` builds it first). Serves it on 127.0.0.1, then: every page loads without
a JavaScript error and is linked from another; Chapter 1's explorer scrubber changes the displayed frame; its
launch buttons point at the chapter's ``.ipynb``; every formula typesets without a TeX error; every page reads at
a 1280-px window and on a 390-px phone (nothing wider than the window, no cut equation, code block or table, a
scrubber's label whole, a shrunk figure opening at full size); screenshots go to ``_build/screenshots/``.
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

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # then every test here skips, saying why (browsers.require_browser)
    PlaywrightTimeout = TimeoutError

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


DESKTOP, PHONE = 1280, 390  # a laptop's window, and a phone's (an iPhone 12–15 is 390 CSS px wide)


@pytest.fixture
def page(browser, server):
    yield from _page(browser, server, DESKTOP)


@pytest.fixture
def phone(browser, server):
    yield from _page(browser, server, PHONE)


@pytest.fixture(params=[DESKTOP, PHONE], ids=lambda width: f"{width}px")
def any_width(browser, server, request):
    yield from _page(browser, server, request.param)


def _page(browser, server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.width = width
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


# Where a phone may scroll a table sideways inside its own box (never the page). Every other table fits at 390 px.
TABLES_THAT_SCROLL_ON_A_PHONE = {
    "book/notation.html": "reference tables: symbol, meaning with its formula, shape, code name",
    "chapters/03_activation_bounds.html": "a four-column table of formulas (σ(a)(1 − σ(a)), 1 − tanh²(a), …)",
}

# What stops a page from reading at this width: one line per problem. `desktop` is strict: every formula, display
# or inline, every code block and every table fits its box. On a phone a formula or a code block may scroll inside
# its own box (neither can wrap), a formula then showing on which side there is more (reading.js); tables fit but
# on the pages listed above; the page itself never scrolls, and nothing sticks out of the window.
LAYOUT_PROBLEMS = r"""([desktop, tablesMayScroll]) => {
  const problems = [], width = document.documentElement.clientWidth;
  const text = e => e.textContent.trim().replace(/\s+/g, ' ').slice(0, 50);
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const mathWidth = box => box.querySelector('mjx-math').getBoundingClientRect().width;  // not scrollWidth: it
  // also counts MathJax's hidden text for screen readers
  const inScrollBox = e => { for (let a = e.parentElement; a; a = a.parentElement) if (scrolls(a)) return true; return false; };
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  if (document.documentElement.scrollWidth > width + 1)
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${width}-px window`);
  for (const e of document.querySelectorAll('.bd-article *')) {
    if (e.closest('mjx-assistive-mml')) continue;  // MathJax's text for screen readers, clipped to nothing
    const r = e.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !(e.parentElement.getBoundingClientRect().right > width + 1) && !inScrollBox(e))
      problems.push(`<${e.tagName.toLowerCase()}> sticks out of the window: ${text(e)}`);
  }
  for (const box of document.querySelectorAll('div.math mjx-container')) {
    const div = box.closest('div.math'), number = div.querySelector('.eqno');
    const name = number ? `equation ${number.textContent.replace('#', '')} (${div.id})` : `equation "${text(box)}"`;
    const need = mathWidth(box), have = box.clientWidth;
    if (number && overlap(number.getBoundingClientRect(), box.getBoundingClientRect()))
      problems.push(`${name}: its number is drawn over it`);
    if (need <= have + 1) continue;
    if (desktop) problems.push(`${name} is ${Math.round(need)} px wide in a ${have}-px box: break it (aligned)`);
    else if (!scrolls(box) || !(box.dataset.more || '').includes('right'))
      problems.push(`${name} is cut: ${Math.round(need)} px in a ${have}-px box that does not scroll, or hides it`);
  }
  for (const span of document.querySelectorAll('span.math')) {
    const need = mathWidth(span), have = span.clientWidth;
    if (need > have + 1 && (desktop || !scrolls(span) || !(span.dataset.more || '').includes('right')))
      problems.push(`inline formula "${text(span)}" is cut: ${Math.round(need)} px in a ${have}-px box`);
  }
  if (desktop)
    for (const pre of document.querySelectorAll('.bd-article pre'))
      if (pre.scrollWidth > pre.clientWidth + 1) problems.push(`a code block scrolls sideways: ${text(pre)}`);
  if (desktop || !tablesMayScroll)
    for (const table of document.querySelectorAll('.bd-article table'))
      if (table.getBoundingClientRect().width > table.parentElement.clientWidth + 1)
        problems.push(`a table is ${Math.round(table.getBoundingClientRect().width)} px wide in a `
                      + `${table.parentElement.clientWidth}-px box: ${text(table)}`);
  return problems;
}"""
FORMULAS_MARKED = """() => [...document.querySelectorAll('div.math mjx-container, span.math')].every(box =>
  !box.querySelector('mjx-math') || box.querySelector('mjx-math').getBoundingClientRect().width <= box.clientWidth + 1
  || box.dataset.more)"""


def _typeset(page, rel):
    """Wait until MathJax has typeset the page (if it has formulas) and reading.js has marked those that scroll."""
    if page.locator(".math").count():
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=120_000)
        page.evaluate("() => MathJax.startup.promise")
        try:
            page.wait_for_function(FORMULAS_MARKED, timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail(f"{rel} at {page.width} px: reading.js did not mark the formulas that scroll")


def test_every_page_reads_at_this_width(any_width, server):
    """No page is wider than the window and nothing sticks out of it; at 1280 px every formula, code block and
    table fits its box, and on a phone a formula wider than the column scrolls inside its box and shows that it
    does. An equation's number is never drawn over it. Tables fit on a phone too, but on the pages listed above."""
    skip_or_fail([] if MATHJAX.is_dir() else ["no local MathJax: run `npm ci --prefix tests/browser`"])
    page, problems = any_width, []
    for rel in _pages():
        page.goto(f"{server}/{rel}", wait_until="load")
        _typeset(page, rel)
        found = page.evaluate(LAYOUT_PROBLEMS, [page.width == DESKTOP, rel in TABLES_THAT_SCROLL_ON_A_PHONE])
        problems += [f"{rel}: {problem}" for problem in found]
    assert not problems, f"{len(problems)} problems at {page.width} px:\n" + "\n".join(problems[:25])


FIGURES = ".cell_output img, .rnnlab-explorer img"
FIGURES_MARKED = f"""() => [...document.querySelectorAll({FIGURES!r})].every(img => img.complete
  && (img.clientWidth === 0 || img.naturalWidth <= img.clientWidth * 1.1 || img.classList.contains('rnnlab-zoomable')))"""


@pytest.mark.parametrize("chapter", _chapters())
def test_on_a_phone_figures_open_at_full_size_and_scrubber_labels_are_whole(phone, server, chapter):
    """At 390 px a figure is shown at a third to a half of the size it was drawn at, its labels 4–6 px tall: a tap
    opens it at full size (reading.js), in an overlay that scrolls, and Escape closes it. Every frame's label of
    every scrubber is whole and inside the window (it wraps under the slider rather than being cut)."""
    page = phone
    page.goto(f"{server}/chapters/{chapter}.html", wait_until="load")
    try:
        page.wait_for_function(FIGURES_MARKED, timeout=60_000)
    except PlaywrightTimeout:
        pytest.fail(f"{chapter}: a figure shown smaller than drawn is not marked zoomable (reading.js)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    zoomable = page.locator("img.rnnlab-zoomable")
    if zoomable.count():
        figure = zoomable.first
        figure.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{chapter}_{PHONE}px.png"))
        natural = figure.evaluate("img => img.naturalWidth")
        figure.click()
        big = page.locator(".rnnlab-zoom img")
        big.wait_for(state="visible")
        assert abs(big.evaluate("img => img.getBoundingClientRect().width") - natural) <= 1, "shown at full size"
        assert page.locator(".rnnlab-zoom").evaluate("o => o.scrollWidth > o.clientWidth"), "the reader can pan"
        page.screenshot(path=str(SHOTS / f"{chapter}_{PHONE}px_zoomed.png"))
        page.keyboard.press("Escape")
        page.locator(".rnnlab-zoom").wait_for(state="detached")

    for i in range(page.locator(".rnnlab-explorer").count()):
        explorer = page.locator(".rnnlab-explorer").nth(i)
        slider, label = explorer.locator("input[type=range]"), explorer.locator("output")
        for frame in range(int(slider.get_attribute("max")) + 1):
            slider.fill(str(frame))
            cut = label.evaluate("""out => { const r = out.getBoundingClientRect();
                return out.scrollWidth > out.clientWidth + 1 || r.left < 0 || r.right > window.innerWidth; }""")
            assert not cut, f"{chapter}, explorer {i}, frame {frame}: label cut: {label.inner_text()!r}"
    assert page.errors == []


def test_every_page_is_linked_from_another(page, server):
    """A page that nothing links to is one no reader finds. sphinx-proof built such a page, its "Proof Index"
    (prf-prf.html, a list of bare labels), until `html_domain_indices: false` in _config.yml stopped it."""
    built = set(_pages()) | {"genindex.html", "search.html"}
    linked = set()
    for rel in sorted(built):
        page.goto(f"{server}/{rel}", wait_until="load")
        linked |= set(page.eval_on_selector_all(
            "a[href], form[action]", "els => els.map(e => (e.href || e.action).split(/[#?]/)[0])"))
    orphans = sorted(rel for rel in built if f"{server}/{rel}" not in linked)
    assert not orphans, f"pages no other page links to: {orphans} (left from an older build? `make clean`)"


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
