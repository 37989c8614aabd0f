"""Tests of rnnlab.chapters.bptt_explorer: the per-step contributions to ∂L_T/∂W_hh, computed in logarithms,
against rnn.bptt_contributions; correct where the sizes overflow float64; the explorer; bad inputs."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import plotting, rnn
from rnnlab.chapters import bptt_explorer


def direct(scale, T, H=32, seed=0, factor=1.0):
    """log10 ‖term k‖ straight from rnn.bptt_contributions, with ∂L_T/∂h_T multiplied by ``factor``: the
    terms are linear in it, so a small factor brings terms of 10^200 into range. (The Frobenius norm squares
    the entries, so only terms between about 10^-150 and 10^150 are measured exactly.)"""
    cache, g = bptt_explorer.contribution_network(scale, T, H, seed)
    norms = np.linalg.norm(rnn.bptt_contributions(factor * g, cache), axis=(1, 2))
    with np.errstate(divide="ignore"):
        return np.log10(norms) - np.log10(factor)


def horizon(log10_norms):
    weights = 10.0 ** (log10_norms - log10_norms.max())
    share = np.cumsum(weights[::-1]) / weights.sum()
    return int(np.argmax(share >= bptt_explorer.HORIZON_SHARE - 1e-12)) + 1


def test_profile_is_consistent():
    p = bptt_explorer.contribution_profile(1.3, 40, H=8, seed=2)
    assert p.log10_norms.shape == p.relative.shape == p.log10_guide.shape == p.share.shape == (40,)
    assert p.relative[-1] == 1.0 and p.log10_guide[-1] == 0.0
    assert p.log10_guide[0] == pytest.approx(39 * np.log10(1.3))
    assert np.all(np.diff(p.share) >= 0) and p.share[-1] == pytest.approx(1.0)
    assert p.share[p.horizon - 1] >= bptt_explorer.HORIZON_SHARE
    assert p.horizon == 1 or p.share[p.horizon - 2] < bptt_explorer.HORIZON_SHARE
    bound = p.log10_guide + np.log10(p.state_norms)  # (eq-bptt-term-bound), ‖∂L_T/∂h_T‖ = 1
    assert np.all(p.log10_norms <= bound + np.log10(1 + 1e-12))
    assert p.ratio == pytest.approx(p.relative[0]) and p.status == plotting.classify(p.ratio)
    np.testing.assert_array_equal(bptt_explorer.contribution_profile(1.3, 40, H=8, seed=2).log10_norms,
                                  p.log10_norms)  # pure


@pytest.mark.parametrize("scale, T", [(0.5, 30), (1.0, 100), (1.3, 40), (3.0, 100)])
def test_logs_agree_with_the_terms_of_rnn_bptt_contributions(scale, T):
    p = bptt_explorer.contribution_profile(scale, T)
    np.testing.assert_allclose(p.log10_norms, direct(scale, T), rtol=0, atol=1e-12)
    assert p.horizon == horizon(direct(scale, T))


@pytest.mark.parametrize("scale, T, seed", [(4.5, 1000, 0), (10.0, 1000, 0), (6.0, 1000, 3)])
def test_correct_where_the_terms_overflow_float64(scale, T, seed):
    """In the documented range the oldest terms reach 10^200: the profile measures them, it does not
    overflow (the linear computation gave inf, a NaN share and horizon 1 at c = 4.5, T = 1000)."""
    p = bptt_explorer.contribution_profile(scale, T, seed=seed)
    with np.errstate(over="ignore", invalid="ignore"):
        assert not np.all(np.isfinite(direct(scale, T, seed=seed))), "this case overflows without logs"
    factor = 10.0 ** -round(p.log10_norms.max() / 2)  # every term's square in range after scaling
    reference = direct(scale, T, seed=seed, factor=factor)
    assert np.all(np.isfinite(reference)) and np.all(np.abs(reference + np.log10(factor)) < 150)
    np.testing.assert_allclose(p.log10_norms, reference, rtol=0, atol=1e-9)
    assert p.horizon == horizon(reference) > 1
    assert p.log10_ratio > 100 and p.status == plotting.EXPLODED
    assert np.all(np.isfinite(p.log10_norms)) and np.all(np.isfinite(p.share))


def test_correct_where_the_terms_underflow_float64():
    p = bptt_explorer.contribution_profile(0.1, 1000)
    assert np.all(np.isfinite(p.log10_norms)), "10^-1000 is measured, not rounded to 0"
    assert p.log10_ratio < -900 and p.status == plotting.VANISHED and p.horizon == 1
    with np.errstate(under="ignore"):
        reference = direct(0.1, 1000)  # the oldest terms, 10^-1000, are out of reach
    newest = reference > -150
    assert 10 < newest.sum() < 1000
    np.testing.assert_allclose(p.log10_norms[newest], reference[newest], rtol=0, atol=1e-9)


def test_scale_zero_leaves_only_the_newest_term():
    p = bptt_explorer.contribution_profile(0.0, 10)
    assert np.all(p.log10_norms[:-1] == -np.inf) and np.isfinite(p.log10_norms[-1])
    assert p.log10_guide[-1] == 0.0 and np.all(p.log10_guide[:-1] == -np.inf)
    assert p.horizon == 1 and p.status == plotting.VANISHED


@pytest.mark.parametrize("scale, T, status", [(0.25, 100, "vanished"), (3.0, 100, "exploded"),
                                              (1.0, 50, plotting.WITHIN), (0.25, 5, plotting.WITHIN)])
def test_contribution_status(scale, T, status):
    assert bptt_explorer.contribution_profile(scale, T).status == status


def test_network_has_the_documented_spectrum_and_extends_the_same_sequence():
    cache, g = bptt_explorer.contribution_network(1.7, 10, H=8, seed=4)
    np.testing.assert_allclose(np.linalg.svd(cache.W_hh, compute_uv=False), 1.7, rtol=1e-12)
    assert g.shape == (1, 8) and np.linalg.norm(g) == pytest.approx(1.0)
    short, long = bptt_explorer.contribution_profile(0.9, 10), bptt_explorer.contribution_profile(0.9, 30)
    np.testing.assert_allclose(short.state_norms, long.state_norms[:10], rtol=1e-14)


def test_explorer_draws_every_corner_and_its_scrubber_matches_the_prose():
    explorer = bptt_explorer.contribution_explorer()
    assert explorer.sliders[0].label == "c (scale of W_hh)"  # the chapter writes W_hh = c Q
    assert explorer.main == "scale"
    assert {s.name: s.value for s in explorer.sliders[1:]} == {"T": 100, "seed": 0}  # §2.8 quotes T = 100, seed 0
    assert explorer.frame_values() == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0]
    for scale in (0.25, 3.0):
        for T in (5, 100):
            for seed in (0, 9):
                assert explorer.png(scale=scale, T=T, seed=seed)[:4] == b"\x89PNG"


PROFILE = bptt_explorer.contribution_profile(1.0, 10)
PARAMS = {"scale": 1.0, "T": 10, "seed": 0}


@pytest.mark.parametrize("call, error, match", [
    (lambda: bptt_explorer.contribution_profile(float("nan"), 10), ValueError, "scale must be a finite number"),
    (lambda: bptt_explorer.contribution_profile(-0.1, 10), ValueError, "scale must be at least 0"),
    (lambda: bptt_explorer.contribution_profile(10.5, 10), ValueError, "scale must be at most 10"),
    (lambda: bptt_explorer.contribution_profile(1.0, 0), ValueError, "T must be at least 1"),
    (lambda: bptt_explorer.contribution_profile(1.0, 1001), ValueError, "T must be at most 1000"),
    (lambda: bptt_explorer.contribution_profile(1.0, 10.0), ValueError, "T must be an integer"),
    (lambda: bptt_explorer.contribution_profile(1.0, 10, H=0), ValueError, "H must be at least 1"),
    (lambda: bptt_explorer.contribution_profile(1.0, 10, seed=-1), ValueError, "seed must be at least 0"),
    (lambda: bptt_explorer.contribution_network("1", 10), ValueError, "scale must be a finite number"),
    (lambda: bptt_explorer.contribution_network(1.0, 10, H=257), ValueError, "H must be at most 256"),
    (lambda: bptt_explorer.draw_contributions(Figure(), PROFILE.share, PARAMS), TypeError,
     "result must be a ContributionProfile"),
    (lambda: bptt_explorer.draw_contributions(Figure(), PROFILE, {"scale": 1.0}), ValueError,
     "params must name scale, T and seed"),
    (lambda: bptt_explorer.draw_contributions(None, PROFILE, PARAMS), TypeError, "fig must be a matplotlib Figure"),
])
def test_bad_inputs_fail_loudly(call, error, match):
    with pytest.raises(error, match=match):
        call()
