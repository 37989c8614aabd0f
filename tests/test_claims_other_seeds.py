"""Claims about random families hold beyond the seeds the text was written with.

Each chapter checks such claims over ``rnnlab.seeds.claim_seeds()``; here every chapter runs top to bottom with
``RNNLAB_CLAIM_SEEDS`` set to seeds the chapter has never seen, and every assert must still pass. (The printed
ranges change, so this run is not compared with the committed outputs; nbval does that with the default seeds.)

The live-kernel browser test (``test_live_kernel.py``) already runs every chapter with these seeds — Run All in
JupyterLab, where a failing assert is an error output — so where it can run, this test skips rather than execute
every chapter a third time. Without a browser (or JupyterLab) this test is the one that checks the claims.
"""
from pathlib import Path

import pytest

from browsers import missing_live_kernel
from rnnlab import seeds
from rnnlab.execute import book_notebooks, run_notebook

CHAPTERS = book_notebooks(Path(__file__).resolve().parents[1])  # the appendix pages too
OTHER_SEEDS = "1000-1004"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_claims_hold_for_other_seeds(chapter, monkeypatch):
    if not missing_live_kernel():  # test_live_kernel.py can run here
        pytest.skip(f"test_live_kernel.py runs this chapter with {seeds.ENV}={OTHER_SEEDS}")
    monkeypatch.setenv(seeds.ENV, OTHER_SEEDS)  # the kernel inherits it
    run_notebook(chapter, write=False)  # raises, naming the cell, if an assert fails
