"""rnnlab.seeds: the seeds claims about random families are checked over, and their spread."""
import numpy as np
import pytest

from rnnlab import seeds


def test_default_seeds(monkeypatch):
    monkeypatch.delenv(seeds.ENV, raising=False)
    assert seeds.claim_seeds() == (0, 1, 2, 3, 4)


@pytest.mark.parametrize("spec, expected", [("100-104", (100, 101, 102, 103, 104)),
                                            ("3,17,42,99,512", (3, 17, 42, 99, 512)),
                                            (" 7-13 ", tuple(range(7, 14)))])
def test_seeds_from_the_environment(monkeypatch, spec, expected):
    monkeypatch.setenv(seeds.ENV, spec)
    assert seeds.claim_seeds() == expected


@pytest.mark.parametrize("spec", ["1-3", "1,1,1,1,1", "a-b", "1,2,x", "-5-0", "1,2,3,4,5,5"])
def test_bad_seed_specs_fail_loudly(monkeypatch, spec):
    monkeypatch.setenv(seeds.ENV, spec)
    with pytest.raises(ValueError, match=seeds.ENV):
        seeds.claim_seeds()


def test_a_repeated_seed_is_named(monkeypatch):
    """Five distinct seeds and a repeat once passed, and the repeated draw counted twice in every spread."""
    monkeypatch.setenv(seeds.ENV, "1,2,3,4,5,5")
    with pytest.raises(ValueError, match=r"the seeds in RNNLAB_CLAIM_SEEDS must be distinct .*seed 5 appears twice"):
        seeds.claim_seeds()


def test_over_seeds_measures_once_per_seed(monkeypatch):
    monkeypatch.delenv(seeds.ENV, raising=False)
    spread = seeds.over_seeds(lambda s: np.random.default_rng(s).uniform())
    assert spread.seeds == (0, 1, 2, 3, 4) and len(set(spread.values)) == 5
    assert spread.min == min(spread.values) and spread.max == max(spread.values)
    assert str(spread) == f"{spread.min:.2g}–{spread.max:.2g} over 5 seeds"
    assert seeds.over_seeds(lambda s: 0.5).format() == "0.5 over 5 seeds"


def test_over_seeds_rejects_what_is_not_a_number():
    with pytest.raises(TypeError, match="real number"):
        seeds.over_seeds(lambda s: np.ones(2))
    with pytest.raises(TypeError, match="real number"):
        seeds.over_seeds(lambda s: True)
    with pytest.raises(ValueError, match="empty"):
        seeds.over_seeds(lambda s: 1.0, seeds=[])
