"""The package's architecture: a library, and a chapter layer on top of it; small modules."""
import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "code" / "rnnlab"
MODULES = sorted(PACKAGE.rglob("*.py"))
LIBRARY = [m for m in MODULES if "chapters" not in m.relative_to(PACKAGE).parts]  # sub-packages too
MAX_LINES = 300


@pytest.mark.parametrize("module", MODULES, ids=lambda m: str(m.relative_to(PACKAGE)))
def test_modules_stay_small(module):
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.name} has {lines} lines: split it by idea (≤ {MAX_LINES})"


@pytest.mark.parametrize("module", LIBRARY, ids=lambda m: str(m.relative_to(PACKAGE)))
def test_the_library_never_imports_a_chapter_module(module):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [m for m in imported if "chapters" in m.split(".")], \
        f"{module.name} imports the chapter layer; chapter modules build on the library, not the other way round"


def test_an_installed_package_has_every_module_and_the_committed_results(tmp_path):
    """Colab installs rnnlab from the repository as a wheel, not in editable mode: every sub-package and the
    committed sweep results (which Chapter 8 reads) must be in it."""
    source = shutil.copytree(PACKAGE.parent, tmp_path / "code", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, capture_output=True)  # builds in the copy
    wheel, = tmp_path.glob("rnnlab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {f"rnnlab/{m.relative_to(PACKAGE).as_posix()}" for m in MODULES}
    results = {f"rnnlab/{p.relative_to(PACKAGE).as_posix()}" for p in (PACKAGE / "experiments" / "results").glob("*.json")}
    assert results, "no committed results files found"
    assert sources | results <= names, f"missing from the wheel: {sorted((sources | results) - names)[:5]}"
