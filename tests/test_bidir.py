"""Tests of Chapter 9's modules: the enumeration behind the theorem, the torch agreement, the parameter count of a
bidirectional stack, the cost table, the chapter's trained-tagger and sensitivity claims over the claim seeds, and
the explorer (one frame per position, the edges annotated, nothing trained in a redraw)."""
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from rnnlab import attention, bench, blanks, plotting, seeds
from rnnlab.chapters import bidir, bidir_figures


@pytest.mark.parametrize("C, T", [(2, 3), (3, 5), (4, 6)])
def test_enumeration_matches_the_formula(C, T):
    for view in blanks.VIEWS:
        for p in range(1, T + 1):
            assert bidir.enumerated_best(C, T, p, view) == blanks.best_accuracy(C, T, p, view), (view, p)
    with pytest.raises(ValueError, match="too many to enumerate"):
        bidir.enumerated_best(4, 12, 3, "past")


def test_bidirectional_agrees_with_torch_over_claim_seeds():
    worst = seeds.over_seeds(bidir.agreement)
    assert worst.max < 1e-10, worst
    assert bidir.agreement(0, N=1, T=1, D=1, H=1) < 1e-10  # the smallest case


def test_stack_parameters_match_torch():
    for cell, net in (("rnn", torch.nn.RNN), ("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM)):
        for D, H, L in [(1, 1, 1), (4, 3, 2), (2, 7, 3), (9, 2, 5)]:
            m = net(D, H, num_layers=L, bidirectional=True)
            assert sum(p.numel() for p in m.parameters()) == bidir.stack_parameters(cell, D, H, L), (cell, D, H, L)
    with pytest.raises(ValueError, match="L must be at least 1"):
        bidir.stack_parameters("gru", 2, 2, 0)


def test_cost_rows_follow_layer_cost():
    for T, rnn_ops, att_ops, ratio, steps in bidir.cost_rows((1, 10, 300), d=8):
        assert rnn_ops == 2 * T * 64 and att_ops == 3 * T * 64 + 2 * T * T * 8 and steps == T
        assert ratio == att_ops / rnn_ops == attention.layer_cost("attention", T, 8)[0] / rnn_ops


def test_band_is_five_standard_errors():
    assert bidir.band(4, 1000) == pytest.approx(5 * np.sqrt(0.25 * 0.75 / 1000), rel=1e-15)
    assert bidir.band(2, 100, z=2) == pytest.approx(0.1, rel=1e-15)


def test_trained_taggers_claims_over_claim_seeds():
    """Chapter 9 §9.2 and Exercise ex9-reverse: causal at chance (within 5 SE) before T, above 0.5 at T; reversed at
    chance from p = 2; bidirectional ≥ 0.99 everywhere; the runs are cached and reproducible."""
    C, n = bidir.SETUP.C, bidir.SETUP.n_eval
    width = bidir.band(C, n)
    for s in seeds.claim_seeds():
        acc = bidir.accuracies(s)
        assert set(acc) == set(bidir.MODELS) and all(a.shape == (bidir.SETUP.T,) for a in acc.values())
        assert np.all(np.abs(acc["causal"][:-1] - 1 / C) < width), s
        assert np.all(np.abs(acc["reversed"][1:] - 1 / C) < width), s
        assert acc["causal"][-1] > 0.5 and acc["bidirectional"].min() >= 0.99, s
    assert bidir.accuracies(0) is bidir.accuracies(0)


def test_sensitivity_claims_over_claim_seeds():
    """Chapter 9 §9.4: recurrent gains at distance 50 vanished, attention's flat; causal = unmasked at t = T."""
    for s in seeds.claim_seeds():
        pr = bidir.profiles(s)
        assert all(p.shape == (bidir.SENSITIVITY["T"],) for p in pr.values())
        for name in ("tanh RNN", "LSTM"):
            assert plotting.classify(pr[name][50] / pr[name][0]) == "vanished", (s, name)
        a = pr["attention"]
        assert a[1:].min() / a[1:].max() > 0.1 and a[50] / a[0] > 0.01, s
        assert a[0] > 3 * a[1:].max(), s  # x_T also enters y_T through the query q_T
        assert np.array_equal(a, pr["causal attention"])


def test_one_thread_restores_the_thread_count_even_after_an_error():
    threads = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with bidir.one_thread():
            assert torch.get_num_threads() == 1
            raise RuntimeError("inside")
    assert torch.get_num_threads() == threads
    bidir.agreement(0, N=1, T=3, D=2, H=2)
    assert torch.get_num_threads() == threads


def test_attention_weights_are_the_layers_and_the_mask_zeroes_the_future():
    w = bidir.attention_weights(2, T=6)
    assert set(w) == {"unmasked", "causal"} and all(A.shape == (6, 6) for A in w.values())
    for A in w.values():
        np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.triu(w["causal"], 1) == 0) and np.all(w["unmasked"] > 0)
    np.testing.assert_allclose(w["causal"][-1], w["unmasked"][-1], rtol=1e-12)  # row T: nothing masked
    D, H = bidir.SENSITIVITY["D"], bidir.SENSITIVITY["H"]
    x = torch.from_numpy(np.random.default_rng(2).standard_normal((1, 6, D)))
    layer = attention.SelfAttention(D, H, seed=2, dtype=torch.float64)
    np.testing.assert_array_equal(w["unmasked"], layer.weights(x)[0].detach().numpy())
    fig = Figure()
    bidir_figures.draw_weights(fig, w)
    assert len(fig.axes) == 3  # two panels and the colour bar


def test_explorer_is_registered_and_annotates_the_edges():
    assert bench.EXPLORERS["ch09 fill in the blank (position p)"] == "rnnlab.chapters.bidir_figures:blank_explorer"
    explorer = bidir_figures.blank_explorer()
    assert explorer.frame_values() == list(range(1, bidir.SETUP.T + 1))
    for p, mask in [(1, 0), (1, 1), (6, 0), (12, 1), (12, 0)]:
        v = explorer.compute(position=p, bidirectional=mask)
        assert v.visible.sum() == (11 if mask else p - 1) and not v.visible[p - 1]
        padded = np.r_[0, v.tokens, 0]
        assert v.target == (padded[p - 1] + padded[p + 1]) % bidir.SETUP.C
        fig = explorer.render(position=p, bidirectional=mask)
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any(t.startswith("p = ") and "nothing" in t for t in texts) == (p in (1, 12)), (p, texts)
    with pytest.raises(ValueError, match="bidirectional must be at most 1"):
        bidir_figures.view(3, 2)


def test_draw_functions_reject_bad_input():
    with pytest.raises(ValueError, match="v must be a bidir_figures.View"):
        bidir_figures.draw_view(Figure(), None, {"position": 1, "bidirectional": 0})
    with pytest.raises(ValueError, match="runs must be a dict"):
        bidir_figures.draw_profiles(Figure(), {})
    with pytest.raises(ValueError, match="weights must be"):
        bidir_figures.draw_weights(Figure(), {"unmasked": np.eye(2)})
    with pytest.raises(ValueError, match="T"):
        bidir.attention_weights(0, T=0)
