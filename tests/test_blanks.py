"""Tests of rnnlab.blanks: the fill-in-the-blank task (inputs, targets, blank positions), the exact ceilings
checked by brute force, and what each tagger's output at the blank can read (exact independence of the unseen
side), plus the bad calls of its public functions."""
import itertools

import numpy as np
import pytest
import torch

from rnnlab import blanks, seeds
from rnnlab.tasks import Batch


def test_inputs_and_targets_follow_the_definition():
    batch = blanks.fill_blank(200, 7, np.random.default_rng(0), C=5)
    assert isinstance(batch, Batch) and batch.x.shape == (200, 7, 6) and batch.x.dtype == torch.float32
    x, y = batch.x.numpy(), batch.y.numpy()
    assert batch.y.dtype == torch.long
    assert np.all(x.sum(axis=2) == 1)  # one channel per step: a token or the flag
    p = x[..., 5].argmax(axis=1) + 1  # blank positions, from 1
    assert np.all(x[..., 5].sum(axis=1) == 1)
    assert set(p) == set(range(1, 8))  # every position, edges included, is drawn
    for n in range(200):
        tok = [0] + [int(x[n, t, :5].argmax()) if t != p[n] - 1 else -1 for t in range(7)] + [0]  # x_0, x_8 = 0
        assert y[n] == (tok[p[n] - 1] + tok[p[n] + 1]) % 5, n  # written out, one sequence at a time


def test_fixed_position_and_reproducibility():
    a = blanks.fill_blank(50, 6, np.random.default_rng(3), position=6)
    b = blanks.fill_blank(50, 6, np.random.default_rng(3), position=6)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert torch.all(a.x[:, 5, 4] == 1) and torch.all(a.x[:, :5, 4] == 0)
    assert torch.equal(a.y, a.x[:, 4, :4].argmax(dim=1))  # p = T: y = x_{T-1}
    first = blanks.fill_blank(50, 6, np.random.default_rng(3), position=1)
    assert torch.equal(first.y, first.x[:, 1, :4].argmax(dim=1))  # p = 1: y = x_2
    assert torch.equal(blanks.blank_positions(a.x), torch.full((50,), 5))


def _brute_force(C, T, position, view):
    """Bayes-optimal accuracy of a model that sees ``view`` at the blank, by listing every sequence."""
    counts = {}
    for tokens in itertools.product(range(C), repeat=T):
        padded = (0, *tokens, 0)
        y = (padded[position - 1] + padded[position + 1]) % C
        seen = {"past": tokens[:position - 1], "future": tokens[position:],
                "both": tokens[:position - 1] + tokens[position:]}[view]
        counts.setdefault(seen, [0] * C)[y] += 1
    return sum(max(c) for c in counts.values()) / C ** T


@pytest.mark.parametrize("C, T", [(2, 2), (2, 5), (3, 4), (4, 4)])
def test_best_accuracy_is_the_bayes_optimum(C, T):
    for view in blanks.VIEWS:
        for p in range(1, T + 1):
            assert blanks.best_accuracy(C, T, p, view) == _brute_force(C, T, p, view), (view, p)


def _taggers(seed):
    kw = dict(C=3, hidden_size=5, seed=seed, dtype=torch.float64)
    return {"causal gru": blanks.Tagger(**kw), "causal lstm": blanks.Tagger(kind="lstm", **kw),
            "causal rnn": blanks.Tagger(kind="rnn", **kw), "causal attention": blanks.Tagger(kind="attention", T=8, **kw),
            "reversed gru": blanks.Tagger(reverse=True, **kw),
            "bidirectional gru": blanks.Tagger(bidirectional=True, **kw),
            "bidirectional attention": blanks.Tagger(kind="attention", bidirectional=True, T=8, **kw)}


@pytest.mark.parametrize("p", [1, 4, 8])
def test_what_each_tagger_reads_at_the_blank(p):
    """Changing the tokens after p leaves a causal tagger's logits at p exactly unchanged, changing those before
    p leaves a reversed one's unchanged; a bidirectional tagger's change either way (claim seeds)."""
    def check(seed):
        rng = np.random.default_rng(seed)
        x = blanks.fill_blank(16, 8, rng, C=3, position=p).x.double()
        later, earlier = x.clone(), x.clone()
        later[:, p:, :3] = torch.from_numpy(np.eye(3)[rng.integers(0, 3, size=(16, 8 - p))])
        earlier[:, :p - 1, :3] = torch.from_numpy(np.eye(3)[rng.integers(0, 3, size=(16, p - 1))])
        moved = np.inf
        for name, model in _taggers(seed).items():
            with torch.no_grad():
                out, out_later, out_earlier = model(x), model(later), model(earlier)
            assert out.shape == (16, 3) and torch.equal(out, model.tag(x)[:, p - 1])
            if name.startswith("causal"):
                assert torch.equal(out, out_later), name
            if name.startswith("reversed"):
                assert torch.equal(out, out_earlier), name
            if name.startswith("bidirectional"):
                moved = min(moved, *((a - out).abs().max().item() for a, changed in
                                     ((out_later, p < 8), (out_earlier, p > 1)) if changed))
        return moved

    assert seeds.over_seeds(check).min > 0


def test_tagger_is_seeded_and_leaves_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    a, b = blanks.Tagger(4, 6, seed=2), blanks.Tagger(4, 6, seed=2)
    assert torch.equal(state, torch.random.get_rng_state())
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.layer.weight_hh_l0, blanks.Tagger(4, 6, seed=3).layer.weight_hh_l0)
    assert a.readout[0].in_features == 6 and blanks.Tagger(4, 6, bidirectional=True).readout[0].in_features == 12


BAD_CALLS = [
    ("blanks.fill_blank-T", "T \\(sequence length\\) must be at least 2",
     lambda: blanks.fill_blank(4, 1, np.random.default_rng(0))),
    ("blanks.fill_blank-position", "position must be at most 5",
     lambda: blanks.fill_blank(4, 5, np.random.default_rng(0), position=6)),
    ("blanks.fill_blank-rng", "rng must be a numpy Generator", lambda: blanks.fill_blank(4, 5, 0)),
    ("blanks.best_accuracy-view", "view must be one of", lambda: blanks.best_accuracy(4, 5, 2, "left")),
    ("blanks.blank_positions-two", "exactly one blank",
     lambda: blanks.blank_positions(torch.ones(2, 3, 5))),
    ("blanks.blank_positions-numpy", "x must be a torch tensor", lambda: blanks.blank_positions(np.ones((2, 3, 5)))),
    ("blanks.Tagger-kind", "kind must be one of", lambda: blanks.Tagger(4, 6, kind="transformer")),
    ("blanks.Tagger-T", "T \\(the sequence length\\) is needed by kind='attention' only",
     lambda: blanks.Tagger(4, 6, kind="attention")),
    ("blanks.Tagger-reverse", "reverse=True applies to a unidirectional recurrent tagger only",
     lambda: blanks.Tagger(4, 6, bidirectional=True, reverse=True)),
    ("blanks.Tagger-input", "D = input_size = 5", lambda: blanks.Tagger(4, 6).tag(torch.ones(2, 3, 4))),
]


@pytest.mark.parametrize("match, call", [row[1:] for row in BAD_CALLS], ids=[row[0] for row in BAD_CALLS])
def test_bad_calls_fail_naming_the_argument(match, call):
    with pytest.raises(ValueError, match=match):
        call()
