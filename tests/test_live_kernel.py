"""Every chapter as a reader runs it: JupyterLab (with jupyterlab-myst) in headless Chromium, a live kernel, Run All.

A JupyterLab server is started on 127.0.0.1 (a free port, a random token, its own settings, workspaces and
runtime folders) over a temporary copy of the chapters, so nothing in the repository changes; it is always
stopped, kernels included. For every chapter the test opens the notebook as a reader would and asserts

- before running: the rendered Markdown has no TeX error, no unresolved reference or citation, and none of the
  raw MyST markup {eq} {cite} {ref} {prf: :::{ ```{ ; every solution is collapsed; every saved explorer is
  either a working scrubber or says plainly that the chapter must be run — never a dead control;
- after Run All: no error output, every code cell executed; every explorer shows live sliders, and moving one
  (by keyboard, as a reader would) redraws its figure.

The kernels run with ``RNNLAB_CLAIM_SEEDS`` set to seeds the chapters were not written with, so Run All is also
the test that every claim about a random family holds beyond its own seeds (an assert that fails is an error
output; ``test_claims_other_seeds.py`` runs the same check without a browser when this test cannot run).

Every wait is for a condition (a rendered cell, an idle kernel, a new frame), never for an amount of time; the
deadlines are generous, only there to end a hang, so that a slow or busy machine passes too. Each chapter's kernel
is shut down after its test.

Run-All time and slider-to-figure latency are written to ``_build/live-kernel.json`` (measurements, not
assertions). Skip/fail policy: as the website's browser test (``tests/browsers.py``).
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from browsers import ROOT, launch, missing_live_kernel, skip_or_fail
from rnnlab import seeds
from rnnlab.execute import book_notebooks
from test_claims_other_seeds import OTHER_SEEDS

CHAPTERS = book_notebooks(ROOT)  # the chapters and the appendix pages
TIMINGS = ROOT / "_build" / "live-kernel.json"
RAW_MARKUP = ["{eq}", "{cite}", "{ref}", "{prf:", ":::{", "```{", "{numref}", "{doc}"]
RUN_NOTE = "Run this chapter"
# Deadlines that only end a hang: a busy 2-core machine ran chapters 5-10x slower than a quiet one.
STARTUP_S, MARKDOWN_S, RUN_ALL_S, REDRAW_S = 300, 300, 1800, 120
# JupyterLab settings for a reproducible, quiet session: no news or update pop-ups over the notebook.
SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}
# JupyterLab's cell toolbar checks, on a timer, whether it overlaps a rendered Markdown cell; on a busy machine the
# check can run before the cell's widget exists and throws "Cannot read properties of undefined (reading 'node')"
# in _markdownOverlapsToolbar (JupyterLab's race, not the book's: it does not depend on the chapter). The test
# turns that extension off, so every JavaScript error it still sees is one a chapter can cause.
DISABLED = {"@jupyterlab/cell-toolbar-extension": True}

# The chapter's notebook panel (through the app object that --LabApp.expose_app_in_browser exposes), found once
# by its path and kept: not the focused widget (shell.currentWidget), which can change under a busy test.
PANEL = "window.rnnlabPanel"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab over a copy of the book's notebooks (chapters/, appendix/): yields (base URL, token);
    always stopped."""
    skip_or_fail(missing_live_kernel())
    home = tmp_path_factory.mktemp("jupyterlab")
    notebooks = home / "book"
    for chapter in CHAPTERS:
        (notebooks / _relative(chapter)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(chapter, notebooks / _relative(chapter))
    for name, values in SETTINGS.items():
        path = home / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": DISABLED}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "IPYTHONDIR": str(home / "ipython"),
           seeds.ENV: OTHER_SEEDS}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--port-retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
               "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(server, f"{base}/api/status?token={token}", home / "server.log")
        yield base, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _api(base, token, path, method="GET"):
    request = urllib.request.Request(f"{base}/api/{path}?token={token}", method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def _shut_down_kernels(base, token):
    """Shut down every kernel the server runs (a chapter's kernel holds ~400 MB) and wait until they are gone."""
    for kernel in _api(base, token, "kernels"):
        _api(base, token, f"kernels/{kernel['id']}", method="DELETE")
    deadline = time.monotonic() + STARTUP_S
    while _api(base, token, "kernels"):
        assert time.monotonic() < deadline, "kernels still running after shutdown"
        time.sleep(0.2)


def _relative(notebook):
    """The notebook's path in the served copy, as JupyterLab names it: chapters/01_….ipynb."""
    return f"{notebook.parent.name}/{notebook.name}"


def _wait_for_server(server, url, log):
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {STARTUP_S} s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def browser(lab):
    with launch() as browser:
        yield browser


@pytest.fixture(scope="module")
def timings():
    results = {}
    yield results
    TIMINGS.parent.mkdir(exist_ok=True)
    TIMINGS.write_text(json.dumps(results, indent=1) + "\n")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_reads_and_runs_in_jupyterlab(lab, browser, timings, chapter):
    base, token = lab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda err: errors.append(f"{err}\n{err.stack}"))
    try:
        page.goto(f"{base}/lab/tree/{_relative(chapter)}?token={token}&reset", wait_until="load")
        page.wait_for_function(f"""() => {{
            if (!window.jupyterapp) return false;
            {PANEL} = Array.from(window.jupyterapp.shell.widgets('main'))
                .find(w => w.context && w.context.path === {json.dumps(_relative(chapter))});
            return !!{PANEL};
        }}""", timeout=STARTUP_S * 1000, polling=250)
        page.evaluate(f"async () => {{ await {PANEL}.context.ready; await {PANEL}.sessionContext.ready; }}")
        solutions = chapter.read_text().count("{solution}")
        _wait_for_markdown(page, solutions)
        _check_markdown(page, solutions)
        _check_saved_explorers(page)

        start = time.perf_counter()
        page.evaluate(f"() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # Done when every code cell has run and the kernel is idle, or when a cell failed (Run All stops there).
        page.wait_for_function(f"""() => {{
            const panel = {PANEL};
            const code = panel.content.widgets.filter(c => c.model.type === 'code');
            const idle = panel.sessionContext.session.kernel.status === 'idle';
            const failed = code.some(c => c.model.toJSON().outputs.some(o => o.output_type === 'error'));
            return idle && (failed || code.every(c => c.model.executionCount !== null));
        }}""", timeout=RUN_ALL_S * 1000, polling=250)
        run_all = time.perf_counter() - start

        # each error as "code cell i: the failing line: ename: evalue" (an assert's evalue is often empty)
        failures = page.evaluate(f"""() => {PANEL}.content.widgets
            .filter(c => c.model.type === 'code')
            .flatMap((c, i) => c.model.toJSON().outputs.filter(o => o.output_type === 'error')
                .map(o => `code cell ${{i}}: ` + (o.traceback || []).join('\\n').replace(/\\x1b\\[[0-9;]*m/g, '')
                    .split('\\n').filter(l => l.startsWith('--->')).slice(-1).join('') +
                    ` ${{o.ename}}: ${{o.evalue}}`))""")
        assert failures == [], (f"error outputs after Run All (the kernel ran with {seeds.ENV}={OTHER_SEEDS}: an "
                                f"assert that fails only here is a claim that does not hold beyond its seeds): "
                                f"{failures}")
        latencies = _check_live_explorers(page, chapter)
        assert errors == [], f"JavaScript errors: {errors}"
        timings[chapter.stem] = {"run_all_s": round(run_all, 1),
                                 "slider_to_figure_ms": [round(t * 1000) for t in latencies]}
        print(f"{chapter.stem}: Run All {run_all:.1f} s; slider -> figure "
              f"{', '.join(f'{t * 1000:.0f}' for t in latencies)} ms")
    finally:
        context.close()
        _shut_down_kernels(base, token)


# jupyterlab-myst marks a formula that failed or a reference it could not resolve with a warning whose title
# says why ("Undefined control sequence …", "Cross Reference Not Found", "Citation Not Found").
FLAGGED = """cells => cells.flatMap(c => [...c.querySelectorAll('[title]')]
    .filter(e => /yellow|red|error/.test(String(e.className)))
    .map(e => e.title + ': ' + e.textContent.trim().slice(0, 80)))"""
SOLUTIONS = """cells => cells.flatMap(c => [...c.querySelectorAll('details')]
    .filter(d => /^Solution to/.test(d.querySelector('summary')?.textContent.trim() || '')))"""


def _wait_for_markdown(page, solutions):
    """Every Markdown cell is rendered (its editor hidden, its MyST output present). jupyterlab-myst renders
    cell by cell, then resolves references across the notebook: a reference to a later cell is flagged, and a
    solution is not yet a dropdown, until that pass has run — so wait for both (on a busy machine that pass came
    after 15 s). If the deadline passes, _check_markdown reports what is still flagged."""
    cells = f"[...{PANEL}.node.querySelectorAll('.jp-MarkdownCell')]"
    page.wait_for_function(f"""() => {{
        const cells = {cells};
        return cells.length > 0 && cells.every(c => c.querySelector('.jp-InputArea-editor.lm-mod-hidden')
                                                    && c.querySelector('.myst'));
    }}""", timeout=STARTUP_S * 1000)
    try:
        page.wait_for_function(f"() => ({FLAGGED})({cells}).length === 0 && "
                               f"({SOLUTIONS})({cells}).length === {solutions}", timeout=MARKDOWN_S * 1000,
                               polling=250)
    except Exception:  # noqa: BLE001 - what is still flagged is reported by _check_markdown
        pass


def _check_markdown(page, solutions):
    found = page.evaluate(f"""() => {{
        const cells = [...{PANEL}.node.querySelectorAll('.jp-MarkdownCell .myst')];
        const flagged = ({FLAGGED})(cells);
        const texErrors = cells.flatMap(c => [...c.querySelectorAll('.katex-error, mjx-merror, [data-mjx-error]')]
            .map(e => e.textContent.slice(0, 80)));
        const solutions = ({SOLUTIONS})(cells);
        return {{flagged, texErrors, text: cells.map(c => c.textContent).join('\\n'),
                 math: cells.reduce((n, c) => n + c.querySelectorAll('.katex').length, 0),
                 solutions: solutions.length, openSolutions: solutions.filter(d => d.open).length}};
    }}""")
    assert found["flagged"] == [], f"TeX errors or unresolved references: {found['flagged'][:8]}"
    assert found["texErrors"] == [], f"TeX errors: {found['texErrors'][:8]}"
    assert found["math"] > 0, "no formula was typeset: is jupyterlab-myst active?"
    raw = {m: found["text"].count(m) for m in RAW_MARKUP if m in found["text"]}
    assert raw == {}, f"raw MyST markup visible: {raw}"
    assert found["solutions"] == solutions, f"{found['solutions']} of {solutions} solutions are dropdowns"
    assert found["openSolutions"] == 0, "solutions must start collapsed"


def _check_saved_explorers(page):
    """Before the chapter runs, an explorer is its saved HTML (JupyterLab strips the script of an untrusted
    notebook): it must either work or say that the chapter must be run — never offer a control that does nothing."""
    explorers = page.locator(".jp-OutputArea-output .rnnlab-explorer")
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        assert RUN_NOTE in explorer.text_content(), f"saved explorer {i} does not say how to get live sliders"
        slider = explorer.locator("input[type=range]")
        if slider.count():  # a working scrubber: moving it must swap the frame
            image = explorer.locator("img")
            before = image.get_attribute("src")
            slider.fill(str(int(slider.get_attribute("max"))))
            assert image.get_attribute("src") != before, f"saved explorer {i}: a slider that does nothing"


def _check_live_explorers(page, chapter):
    """Every explorer became live sliders; moving the first slider by one keyboard step redraws the figure.
    Returns the time from the key press to the new figure, per explorer."""
    outputs = page.locator(".jp-OutputArea-output:has(.widget-slider)")
    expected = sum("application/vnd.jupyter.widget-view+json" in output.get("data", {})
                   for cell in json.loads(chapter.read_text())["cells"] for output in cell.get("outputs", []))
    page.wait_for_function(f"() => {PANEL}.node.querySelectorAll('.jp-OutputArea-output .widget-slider').length "
                           f">= {expected}", timeout=REDRAW_S * 1000)
    assert outputs.count() == expected, f"{outputs.count()} live explorers, {expected} in the chapter"
    latencies = []
    for i in range(expected):
        output = outputs.nth(i)
        output.scroll_into_view_if_needed()
        image = output.locator("img.widget-image")
        assert image.count() == 1 and image.is_visible(), f"explorer {i}: no live figure"
        before = image.get_attribute("src")
        handle = output.locator(".widget-slider .noUi-handle").first
        handle.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("([img, before]) => img.getAttribute('src') !== before && img.complete",
                               arg=[image.element_handle(), before], timeout=REDRAW_S * 1000, polling="raf")
        latencies.append(time.perf_counter() - start)
        natural, shown = image.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
        assert natural >= 1.9 * shown, f"explorer {i}: a {natural}-px frame shown {shown:.0f} px wide is not sharp"
    return latencies
