"""The package's architecture: a library, and a chapter layer on top of it; small modules."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "code" / "rnnlab"
MODULES = sorted(PACKAGE.rglob("*.py"))
LIBRARY = [m for m in MODULES if m.parent == PACKAGE]
MAX_LINES = 300


@pytest.mark.parametrize("module", MODULES, ids=lambda m: str(m.relative_to(PACKAGE)))
def test_modules_stay_small(module):
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.name} has {lines} lines: split it by idea (≤ {MAX_LINES})"


@pytest.mark.parametrize("module", LIBRARY, ids=lambda m: m.name)
def test_the_library_never_imports_a_chapter_module(module):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [m for m in imported if "chapters" in m.split(".")], \
        f"{module.name} imports the chapter layer; chapter modules build on the library, not the other way round"
