"""One letter, one meaning: the retired uses of g, s, y and E stay out of the book (book/notation.md).

The book writes g for a gain, s for a spread, y for a target and L for the loss. Each pattern below matches one
meaning these letters had in earlier drafts or in the papers the book quotes. The test reads every chapter and
appendix notebook and every page in ``book/``: the markdown of every cell, and the comments and string literals of
every code cell (what a reader sees printed or drawn; variable names such as ``for s in seeds`` are not notation).
Skipped on purpose: inline code spans and fenced code blocks (names of code, e.g. PyTorch's ``delta_g``), and text
between ``<!--quote-->`` and ``<!--/quote-->``, the marker of a quotation of another text's letters (the marker is
an HTML comment, invisible in every reading mode; the prose around it must say whose letters they are).

``test_each_pattern_catches_the_old_text_and_spares_the_allowed`` shows that every pattern is a real check: it
catches samples of the text the book used to contain and does not catch the uses the book keeps.
"""
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("appendix/*.ipynb"), *ROOT.glob("book/*.md")])

# name -> regex of a retired use. Lookbehinds keep a letter from matching inside a longer TeX name (\log, \tanh).
NOT_TEX = r"(?<![\\A-Za-z])"
RETIRED = {
    # g is a gain; the gradient is ∇L (Chapter 5), the LSTM candidate c̃_t (Chapter 7)
    "g as the gradient (norm)": r"\\lVert\s*g\s*\\rVert|‖g‖|‖g_t‖",
    "g as the gradient (clipped ĝ)": r"\\hat\s*\{?\s*g(?![A-Za-z])|\\widehat\s*\{\s*g\s*\}|ĝ",
    "g as the gradient (step, components)": NOT_TEX + r"g\s*=\s*\\nabla|\\epsilon\\?,?\s*g\b|"
                                            + NOT_TEX + r"g_i\b|" + NOT_TEX + r"g\s*\^\s*\{?\\top",
    "g as the LSTM candidate": r"(?<![\\A-Za-z^])g_\{?t\b|" + NOT_TEX + r"g\s*(?:=|\\to|→)\s*n\b",  # not a^g_t
    "g, h as the 1997 squashing functions": r"\\tilde\s*\{?\s*[gh]\b|" + NOT_TEX + r"g\s*\(\s*\\mathrm\{net",
    # s is a spread; a cell's state is h_t or (h_t, c_t), a position index j or k
    "s as a cell's state": NOT_TEX + r"s_(?:\{(?!xh\})[^}]*\}|[tTk0-9c])|∂s[_ₜT]|\\partial\s*s_",
    "s as a position index": r"\\(?:sum|prod)_\{s\s*=|A_\{ts\}|A_ts\b|" + NOT_TEX + r"[qkvx]_\{?s'?\}?(?![A-Za-z])",
    "s_x as the spread of W_xh": r"N\(0,\s*s_x\^2\)",
    # y is a target; a layer's output is h_t, a unit's input activation u, the 1997 gates i_t and o_t
    "y as a layer's output": r"\\partial\s*y_|∂y_|" + NOT_TEX + r"y_t\s*=\s*\\sum|outputs\s+\$y_",
    "y as the 1997 gates or cell output": r"y\s*\^\s*\{?\s*(?:\\mathrm\{(?:in|out)\}|c\b)",
    "y as a unit's input activation": r"a\s*=\s*w\s*y\b|\\sigma'\(wy\)",
    # L is the loss; E only as the expectation \mathbb E
    "E as the loss": NOT_TEX + r"E_\{?[tk0-9]|\\nabla\s*E\b|\$E\b|\\mathcal\s*\{?\s*E\b|\\partial\s*E\b|"
                     + r"E[₀-₉]|E\(w",
}
PATTERNS = {name: re.compile(rx) for name, rx in RETIRED.items()}

QUOTE = re.compile(r"<!--quote-->.*?<!--/quote-->", re.S)
FENCE = re.compile(r"^(`{3,}|~{3,})(?!\{)[^\n]*\n.*?^\1\s*$", re.S | re.M)  # ```python … ```, not ```{directive}
CODE_SPAN = re.compile(r"(`+)(?!\{).+?\1", re.S)


def _blank(match: re.Match) -> str:
    """The matched text as spaces, its line breaks kept (so that line numbers stay right)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def prose(markdown: str) -> str:
    """The markdown a reader reads as notation: quotations, code blocks and code spans blanked (lines kept)."""
    for rx in (QUOTE, FENCE, CODE_SPAN):
        markdown = rx.sub(_blank, markdown)
    return markdown


def shown(code: str) -> str:
    """The comments and string literals of a code cell (what it prints or labels), one per line."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code + "\n").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    kept = {tokenize.COMMENT, tokenize.STRING}
    kept |= {getattr(tokenize, n) for n in ("FSTRING_MIDDLE",) if hasattr(tokenize, n)}
    return "\n".join(t.string for t in tokens if t.type in kept)


def texts(path: Path):
    """(where, text) for every cell of a notebook or for a markdown page."""
    if path.suffix == ".md":
        yield "page", prose(path.read_text(encoding="utf-8"))
        return
    for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            yield f"cell {i} (markdown)", prose(source)
        elif cell["cell_type"] == "code":
            yield f"cell {i} (code)", shown(source)


def retired_uses(text: str):
    """(pattern name, line, matched text) for every retired use in ``text``."""
    for n, line in enumerate(text.splitlines(), 1):
        for name, rx in PATTERNS.items():
            for m in rx.finditer(line):
                yield name, n, line[max(0, m.start() - 30):m.end() + 30].strip()


def test_no_retired_use_of_g_s_y_or_E():
    found = [f"{path.relative_to(ROOT)} {where} line {n}: {name}: …{snippet}…"
             for path in FILES for where, text in texts(path) for name, n, snippet in retired_uses(text)]
    assert FILES and not found, "retired notation (see book/notation.md):\n" + "\n".join(found)


# Samples of the old text (from the chapters before the rename), each with the pattern that must catch it.
OLD = [
    ("g as the gradient (norm)", r"its default makes $\lVert g \rVert = \infty$"),
    ("g as the gradient (norm)", 'print(f"unclipped: ‖g‖ = {plain.grad_norm[k]:.0f}")'),
    ("g as the gradient (clipped ĝ)", r"$\hat g_i = \min(\max(g_i, -v), v)$"),
    ("g as the gradient (step, components)",
     r"updates $\theta \leftarrow \theta - \epsilon\, g$ with $g = \nabla L(\theta)$"),
    ("g as the gradient (step, components)", r"so $g^{\top} \hat g > 0$"),
    ("g as the LSTM candidate", r"c_t = f_t \odot c_{t-1} + i_t \odot g_t"),
    ("g as the LSTM candidate", "# eq-lstm-cifg, f = z, g = n"),
    ("g, h as the 1997 squashing functions", r"y^{\mathrm{in}}(t)\, \tilde g(\mathrm{net}_c(t))"),
    ("s as a cell's state", r"\Big\lVert \frac{\partial s_T}{\partial s_{T-n}} \Big\rVert"),
    ("s as a cell's state", 'print("gain ‖∂s_T/∂s_(T−n)‖ at n = 100")'),
    ("s as a cell's state", r"with $s_c(0) = 0$, in their notation"),
    ("s as a position index", r"y_t = \sum_{s=1}^{T} A_{ts}\, v_s"),
    ("s as a position index", r"Each input $x_s$ gives a **query** $q_s = W_q x_s$"),
    ("s as a position index", r"\tanh'(a_1) \prod_{s=2}^{t} w \tanh'(a_s)"),
    ("s_x as the spread of W_xh", r"input weights $W_{xh}$ with entries $\mathcal N(0, s_x^2)$"),
    ("y as a layer's output", r"the gradient $\partial y_T / \partial x_j$ crosses"),
    ("y as a layer's output", r"to outputs $y_1, \dots, y_T$ ($H$ values each)"),
    ("y as the 1997 gates or cell output", r"an input gate $y^{\mathrm{in}}$ and an output gate $y^{\mathrm{out}}$"),
    ("y as a unit's input activation", r"activation $y \ne 0$ times the weight, $a = w y$, with no bias"),
    ("E as the loss", r"The chapter uses $E(w,b)$ and $\nabla E$ for its own loss"),
    ("E as the loss", r"their error $E_t$ is our loss $L_t$"),
    ("E as the loss", r"\frac{\partial E_3}{\partial W}"),
    ("E as the loss", "write the loss where they write $\\mathcal E$"),
]

# Uses the book keeps: no pattern may catch them.
ALLOWED = [
    r"a vanished $g$ means that the loss barely changes; $g < 10^{-6}$; the gain $g$ of eq-profile-gain",
    r"g = \frac{\lVert \partial L / \partial h_1 \rVert}{\lVert \partial L / \partial h_T \rVert}",
    r"$\theta \leftarrow \theta - \epsilon\, \nabla L$, $\lVert \nabla L \rVert$, "
    r"$\widehat{\nabla L} = \zeta\, \nabla L$",
    r"\tilde c_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}), \delta^g_t, a^g_t, \log_t, \arg",
    r"$a_t \sim \mathcal N(\mu, s^2)$ with spread $s = 0.5$; $x_t \sim \mathcal N(0, s_x^2 I)$; $s_{xh} = 1$",
    r"\Big\lVert \frac{\partial (h_T, c_T)}{\partial (h_{T-n}, c_{T-n})} \Big\rVert, $x_1, \dots, x_T$",
    r"h_t = \sum_{j=1}^{T} A_{tj}\, v_j, $q_j = W_q x_j$, $\lVert \partial h_T / \partial x_j \rVert$",
    r"L_t = \tfrac12 \lVert h_t - y_t \rVert^2, $\hat y_3 = \operatorname{softmax}(W_{hy} h_3)$, the answer $y = x_2$",
    r"$1 = \mathbb E[X_1 + X_2]$; distractors a–d, E first and the trigger B last; $\operatorname{Var}(X_1 + X_2)$",
    r"$a = w h$, $\lvert w\, \sigma'(wh) \rvert \le 0.224 / \lvert h \rvert$; $i_t$, $o_t$; $\phi_{\mathrm{in}}$",
    r"Pascanu et al.'s Algorithm 1 writes the gradient <!--quote-->$\hat g$<!--/quote-->; the book keeps $g$",
    r"PyTorch's `delta_g` and `i, f, g, o` blocks, `dz = g * (h_prev - n)`",
    "```python\ngW_hh = TT.switch(new_cond, numpy.float32(.02)*W_hh, gW_hh)  # E_t s_t g_t\n```",
]


@pytest.mark.parametrize("name, old", OLD, ids=[f"{i}-{n}" for i, (n, _) in enumerate(OLD)])
def test_each_pattern_catches_the_old_text_and_spares_the_allowed(name, old):
    caught = {n for n, *_ in retired_uses(prose(old))} | {n for n, *_ in retired_uses(shown(old))}
    assert name in caught, f"{name!r} misses {old!r}"


@pytest.mark.parametrize("allowed", ALLOWED)
def test_allowed_uses_are_not_caught(allowed):
    assert not list(retired_uses(prose(allowed))), list(retired_uses(prose(allowed)))


def test_every_pattern_has_an_old_sample_and_code_is_read_for_strings_and_comments():
    assert {name for name, _ in OLD} == set(RETIRED)
    code = 'for s in seeds.claim_seeds():\n    g = gain(s)  # ‖∂s_T/∂s_(T−n)‖\n    print("‖g‖", g)\n'
    assert shown(code).splitlines() == ["# ‖∂s_T/∂s_(T−n)‖", '"‖g‖"']
    assert {n for n, *_ in retired_uses(shown(code))} == {"s as a cell's state", "g as the gradient (norm)"}
