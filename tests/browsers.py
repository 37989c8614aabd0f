"""What the two browser tests share: Debian's Chromium driven by Playwright, offline, and one skip/fail policy.

Never ``playwright install``: the tests launch ``/usr/bin/chromium`` (``apt-get install chromium``), or the
browser that ``CHROMIUM`` names. Without it (or without the playwright package) a test skips, saying why —
except in CI (``CI`` set), where it fails.
"""
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network and a root user: without the background-networking ones Chromium keeps trying
# (and failing) to reach Google's hosts.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def skip_or_fail(missing):
    """Skip with the reasons in ``missing`` (fail instead in CI); do nothing if it is empty."""
    if missing:
        if os.environ.get("CI"):
            pytest.fail("browser test cannot run in CI: " + "; ".join(missing))
        pytest.skip("browser test skipped: " + "; ".join(missing))


def missing_browser() -> list[str]:
    """Why the browser tests cannot run here (empty if they can)."""
    return [why for ok, why in [
        (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file(), f"no chromium at {CHROMIUM} (apt-get install chromium)"),
        (importable("playwright.sync_api"), "the playwright Python package is not installed"),
    ] if not ok]


def missing_live_kernel() -> list[str]:
    """Why the live-kernel test cannot run here: the browser, or JupyterLab with jupyterlab-myst."""
    return missing_browser() + [f"{m} is not installed (it is in requirements.txt)"
                                for m in ("jupyterlab", "jupyterlab_myst") if not importable(m)]


def require_browser():
    skip_or_fail(missing_browser())


def importable(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def launch():
    """A context manager yielding a headless Chromium (``with launch() as browser: ...``)."""
    from contextlib import contextmanager

    from playwright.sync_api import sync_playwright

    @contextmanager
    def _launch():
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                yield browser
            finally:
                browser.close()
    return _launch()
