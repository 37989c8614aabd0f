"""Claims about random families hold beyond the seeds the text was written with.

Each chapter checks such claims over ``rnnlab.seeds.claim_seeds()``; here every chapter runs top to bottom with
``RNNLAB_CLAIM_SEEDS`` set to seeds the chapter has never seen, and every assert must still pass. (The printed
ranges change, so this run is not compared with the committed outputs; nbval does that with the default seeds.)
"""
import os
from pathlib import Path

import pytest

from rnnlab import seeds
from rnnlab.execute import book_notebooks, run_notebook

CHAPTERS = book_notebooks(Path(__file__).resolve().parents[1])  # the appendix pages too
OTHER_SEEDS = "1000-1004"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_claims_hold_for_other_seeds(chapter, monkeypatch):
    monkeypatch.setenv(seeds.ENV, OTHER_SEEDS)  # the kernel inherits it
    run_notebook(chapter, write=False)  # raises, naming the cell, if an assert fails
