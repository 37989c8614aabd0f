"""The committed chapters: run top to bottom, outputs present, the anatomy of CHAPTER.md, consistent config,
and Markdown that every reading mode renders.

nbval (run by the same `make test`) re-executes each chapter and compares its outputs; these tests check what
nbval does not: that the committed notebook is publishable as it stands. The live-kernel browser test
(test_live_kernel.py) proves the Markdown renders in JupyterLab; the rules below are the fast, static part of
that promise, with messages that say what to write instead.
"""
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

from rnnlab.execute import book_notebooks

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PAGES = book_notebooks(ROOT)  # the chapters and the appendix pages: every rule but the chapter anatomy applies
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _toc_files(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for value in node.values():
            yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell):
    return "".join(cell["source"])


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    listed = {f for f in _toc_files(TOC) if f.startswith(("chapters/", "appendix/"))}
    assert listed == {f"{p.parent.name}/{p.stem}" for p in PAGES}
    for f in _toc_files(TOC):
        assert (ROOT / f).with_suffix(".ipynb").exists() or (ROOT / f).with_suffix(".md").exists(), f


def test_there_is_at_least_one_chapter():
    assert CHAPTERS, "no chapter notebooks found in chapters/"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_chapter_was_run_top_to_bottom_without_errors(path):
    cells = _code_cells(_load(path))
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), \
        "execution counts must be 1..n: refresh with `make outputs`"
    assert any(c["outputs"] for c in cells), "the chapter has no outputs"
    errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"error outputs committed: {[e['ename'] for e in errors]}"
    streams = [o for c in cells for o in c["outputs"] if o.get("name") == "stderr"]
    assert not streams, f"stderr committed (warnings or progress bars): {streams[0]['text'][:200]}"


def _check_code_anatomy(nb):
    """What every executable page shares: the setup cell, code that imports, cells that assert, explorers with a
    scrubber; returns the page's whole text."""
    cells, code = nb["cells"], _code_cells(nb)
    text = "\n".join(_source(c) for c in cells)
    setup = code[0]
    assert "hide-input" in setup["metadata"].get("tags", []), "the setup cell is tagged hide-input"
    assert '"google.colab" in sys.modules' in _source(setup), "the setup cell installs rnnlab on Colab"
    assert f"git+{CONFIG['repository']['url']}" in _source(setup), \
        "the Colab install URL must match repository.url in _config.yml"
    assert not re.search(r"^\s*(def|class) ", "\n".join(_source(c) for c in code), re.M), \
        "notebooks import; reusable code lives in rnnlab"
    assert "import *" not in text and "sys.path" not in text
    asserts = sum(bool(re.search(r"^\s*assert ", _source(c), re.M)) for c in code)
    assert asserts >= 3, f"claim checks must assert; found {asserts} asserting cells"
    for cell in code:
        if any(WIDGET_VIEW in o.get("data", {}) for o in cell["outputs"]):
            assert "nbval-ignore-output" in cell["metadata"].get("tags", []), "explorer cells skip nbval"
            assert any("text/html" in o.get("data", {}) for o in cell["outputs"]), "explorers carry a scrubber"
    assert "widgets" not in nb["metadata"], "no widget state: the static site shows the scrubber"
    return text


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_anatomy(path):
    text = _check_code_anatomy(_load(path))
    assert text.count("```{exercise}") >= 3 and text.count("```{solution}") >= 3
    assert ":class: dropdown" in text, "solutions sit in dropdowns"
    assert re.search(r"Myth", text), "a myth-vs-fact box"
    assert CITATION.search(text), "cites the literature (links to book/references.md#key)"


@pytest.mark.parametrize("path", sorted(set(PAGES) - set(CHAPTERS)), ids=lambda p: p.stem)
def test_appendix_page_anatomy(path):
    """An appendix page is a worked how-to: no exercises or myth box required, the rest as a chapter."""
    _check_code_anatomy(_load(path))


CITATION = re.compile(r"\]\(\.\./book/references\.md#([A-Za-z0-9_-]+)\)")
TEX_MACROS = re.compile(r"\\(newcommand|renewcommand|def|DeclareMathOperator|Whh|Wxh|pd|ipd|smax|diag|R)(?![A-Za-z])")
ROLE = re.compile(r"\{(eq|ref|prf:ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`")
TARGETS = [re.compile(r"^\$\$ *\(([\w-]+)\)\s*$", re.M),   # $$ ... $$ (label)
           re.compile(r"^:label: *([\w-]+)", re.M),            # directive labels
           re.compile(r"^\(([\w-]+)\)=\s*$", re.M)]          # (label)= targets


def _markdown(nb):
    return "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_markdown_renders_in_every_reading_mode(path):
    """What JupyterLab (jupyterlab-myst), Notebook 7 and Colab cannot render is not written at all."""
    markdown = _markdown(_load(path))
    macros = sorted(set(TEX_MACROS.findall(markdown)))
    assert not macros, f"TeX macros {macros} are undefined outside the website: write them out (W_{{hh}}, …)"
    assert "{cite" not in markdown, \
        "{cite} shows as 'Citation Not Found' in JupyterLab: cite as ([Author et al., 2013](../book/references.md#key))"
    keys = set(parse_file(ROOT / "book" / "references.bib").entries)
    unknown = sorted(set(CITATION.findall(markdown)) - keys)
    assert not unknown, f"citation links to keys missing from book/references.bib: {unknown}"
    defined = {label for pattern in TARGETS for label in pattern.findall(markdown)}
    elsewhere = sorted({target for _, target in ROLE.findall(markdown)} - defined)
    assert not elsewhere, (f"references to labels of another chapter {elsewhere} show as 'Cross Reference Not "
                           "Found' in JupyterLab: link the chapter ([Chapter 1](01_….ipynb)) or restate the equation")


CODE_COLUMNS = 75  # what fits the website's content column at a 1280-px window (measured by the browser test)


def _text_outputs(cell):
    for output in cell["outputs"]:
        if output.get("name") == "stdout":
            yield "".join(output["text"])
        elif WIDGET_VIEW not in output.get("data", {}) and "text/plain" in output.get("data", {}) \
                and "image/png" not in output.get("data", {}):
            yield "".join(output["data"]["text/plain"])


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_code_and_printed_output_fit_the_page(path):
    """No reader scrolls sideways: code lines and printed lines fit the website's content column."""
    wide = []
    for i, cell in enumerate(_code_cells(_load(path)), start=1):
        lines = _source(cell).splitlines() + [line for text in _text_outputs(cell) for line in text.splitlines()]
        wide += [f"cell {i}: {line[:40]}… ({len(line)})" for line in lines if len(line) > CODE_COLUMNS]
    assert not wide, f"lines over {CODE_COLUMNS} characters: {wide[:6]}"


FENCE_LINE = re.compile(r"^ *(`{3,}|~{3,})\s*(.*?)\s*$")


def fenced_code_lines(markdown: str) -> list[str]:
    """The lines of the code blocks (```bash … ```) of a Markdown text; a MyST directive (```{exercise} … ```)
    is not a code block, but a code block inside one is, and so is a {code-block} directive."""
    lines, fences = [], []  # fences: the open fences, innermost last, as (marker, is_code)
    for line in markdown.splitlines():
        match = FENCE_LINE.match(line)
        if fences and fences[-1][1]:  # inside a code block only its closing fence counts
            marker = fences[-1][0]
            if match and match.group(1)[0] == marker[0] and len(match.group(1)) >= len(marker) \
                    and not match.group(2):
                fences.pop()
            else:
                lines.append(line)
        elif match and not match.group(2) and fences and match.group(1)[0] == fences[-1][0][0] \
                and len(match.group(1)) >= len(fences[-1][0]):
            fences.pop()  # a directive closes
        elif match:
            info = match.group(2)
            fences.append((match.group(1), not info.startswith("{") or info.startswith(("{code", "{code-block"))))
    return lines


def test_fenced_code_lines_are_found_inside_directives_and_not_in_prose():
    text = "\n".join(["```{exercise}", "a long line of prose " * 5, "```bash", "make book", "```", "```",
                      "````{solution} ex", "```python", "x = 1", "```", "````", "~~~", "plain", "~~~"])
    assert fenced_code_lines(text) == ["make book", "x = 1", "plain"]


def _markdown_pages():
    """Every page of the website written in Markdown: the Markdown cells of the notebooks and book/*.md."""
    yield from ((path.relative_to(ROOT), _markdown(_load(path))) for path in PAGES)
    yield from ((path.relative_to(ROOT), path.read_text(encoding="utf-8")) for path in sorted(ROOT.glob("book/*.md")))


MARKDOWN_PAGES = dict(_markdown_pages())


@pytest.mark.parametrize("name", MARKDOWN_PAGES, ids=lambda name: name.stem)
def test_code_blocks_in_markdown_fit_the_page(name):
    """The same rule as for code cells, for the code blocks written in Markdown (a shell session, a snippet)."""
    lines = fenced_code_lines(MARKDOWN_PAGES[name])
    wide = [f"{line[:40]}… ({len(line)})" for line in lines if len(line) > CODE_COLUMNS]
    assert not wide, f"{name}: code-block lines over {CODE_COLUMNS} characters: {wide[:6]}"


# A difference or an error below 1e-12 between two float64 computations is rounding noise: its digits depend on
# the CPU, the BLAS kernel and the thread count, so a printed value fails nbval on another machine (Chapter 7
# printed "3e-17–1e-16" here and "1e-16–2e-16" on an AMD machine). Such lines print the bound the cell asserts.
# Gains and products of many factors (1e-30, "vanished") are not noise: they are accurate to ~T·1e-16 relative.
DIFFERENCE_WORDS = re.compile(r"differ|error|residual|deviat|agree|mismatch|\bvs\.?\b|−", re.I)
PRINTED_NUMBER = re.compile(r"(?<![\w.])(?P<bound>(?:[<≤]|below|under) *)?[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?",
                            re.I)
ROUNDING_LEVEL = 1e-12


def rounding_level_lines(nb) -> list[str]:
    """Printed lines about a difference or an error that show a value below 1e-12 instead of a bound."""
    found = []
    for i, cell in enumerate(_code_cells(nb), start=1):
        if "nbval-ignore-output" in cell["metadata"].get("tags", []):
            continue  # not compared by nbval: explorers
        for line in (line for text in _text_outputs(cell) for line in text.splitlines()):
            if DIFFERENCE_WORDS.search(line) and any(
                    0 < abs(float(m.group().removeprefix(m.group("bound") or ""))) < ROUNDING_LEVEL
                    and not m.group("bound") for m in PRINTED_NUMBER.finditer(line)):
                found.append(f"cell {i}: {line.strip()}")
    return found


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_no_printed_value_at_rounding_level(path):
    found = rounding_level_lines(_load(path))
    assert not found, f"print the asserted bound (\"< 1e-14\"), not rounding noise: {found[:6]}"


def test_the_rounding_level_rule_catches_noise_and_passes_bounds_and_gains():
    def nb(*lines):
        return {"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "\n".join(lines)}]}]}

    assert rounding_level_lines(nb("eq-lstm-dcdc vs autograd, max |difference| 3e-17–1e-16 over 5 seeds",
                                   "‖W*W − I‖_max 7e-16", "relative error: 0e+00–2e-16")) == [
        "cell 1: eq-lstm-dcdc vs autograd, max |difference| 3e-17–1e-16 over 5 seeds",
        "cell 1: ‖W*W − I‖_max 7e-16", "cell 1: relative error: 0e+00–2e-16"]
    assert rounding_level_lines(nb("max |difference| < 1e-14 over 5 seeds", "relative error ≤ 1e-14",
                                   "gain at distance 50: 9e-20–3e-15 over 5 seeds", "error 0.03",
                                   "oldest / newest term: 1e-30 (vanished)")) == []


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_claim_checks_fold_away_with_a_one_line_result(path):
    """A cell of many asserts is a claim check: tagged `claim-check` and `hide-input` (its source one click
    away on the website), ending in one visible line that starts with "checked:"."""
    for i, cell in enumerate(_code_cells(_load(path)), start=1):
        tags = cell["metadata"].get("tags", [])
        asserts = len(re.findall(r"^\s*assert ", _source(cell), re.M))
        if asserts >= 5:
            assert "claim-check" in tags, f"cell {i} has {asserts} asserts: tag it claim-check"
        if "claim-check" in tags:
            assert "hide-input" in tags, f"cell {i}: a claim check folds its source away (hide-input)"
            assert asserts >= 1, f"cell {i}: a claim check asserts"
            printed = "".join("".join(o["text"]) for o in cell["outputs"] if o.get("name") == "stdout")
            last = printed.rstrip("\n").splitlines()[-1] if printed.strip() else ""
            assert last.startswith("checked: "), f"cell {i}: end with one line 'checked: …'; got {last!r}"


def test_binder_pins_match_requirements():
    def pins(path):
        lines = [line.strip() for line in path.read_text().splitlines()]
        return {line for line in lines if line and not line.startswith(("#", "--"))}

    ours, binder = pins(ROOT / "requirements.txt"), pins(ROOT / ".binder" / "requirements.txt")
    assert "torch==2.13.0" in ours and "torch==2.13.0+cpu" in binder
    assert ours - {"torch==2.13.0"} == binder - {"torch==2.13.0+cpu"}


def test_the_publishing_command_reaches_every_use_of_the_repository_address():
    """book/running.md ("Publishing your copy") and the README tell a publisher to rewrite the repository's address
    in _config.yml, chapters/*.ipynb and appendix/*.ipynb; `_check_code_anatomy` makes the notebooks agree with
    _config.yml. No other file may use the address (those two pages only quote it), or publishing would leave a
    link or an install line pointing at the old repository."""
    address = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    rewritten = {ROOT / "_config.yml", *ROOT.glob("chapters/*.ipynb"), *ROOT.glob("appendix/*.ipynb")}
    quoting = {ROOT / "README.md", ROOT / "book" / "running.md"}
    skipped = {".git", ".venv", "_build", "node_modules", "__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
    others = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in skipped and not name.endswith(".egg-info")]
        for path in (Path(folder) / name for name in files if not name.startswith(".")):  # hidden: scratch
            if path not in rewritten | quoting and address in path.read_text(encoding="utf-8", errors="ignore"):
                others.append(str(path.relative_to(ROOT)))
    assert not others, f"{others} name {address}: add them to the publishing command of book/running.md and README.md"


def test_launch_buttons_are_configured():
    assert CONFIG["launch_buttons"]["binderhub_url"] and CONFIG["launch_buttons"]["colab_url"]
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    overrides = CONFIG["sphinx"]["config"]["nb_mime_priority_overrides"]
    assert ["html", WIDGET_VIEW, 35] in overrides, "the static site must prefer the scrubber"
