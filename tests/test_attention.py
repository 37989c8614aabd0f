"""Tests of rnnlab.attention: the layer, the input sensitivity ‖∂y_t/∂x_k‖ (checked against full Jacobians), what
each model can see (exact zeros), how the sensitivity depends on the distance t − k over claim seeds, and the
cost counts (checked against torch's FLOP counter)."""
from functools import lru_cache

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from rnnlab import seeds
from rnnlab.attention import Cost, SelfAttention, input_sensitivity, layer_cost
from rnnlab.bidirectional import BiRNNParams, to_torch

N, T, D, H = 32, 60, 8, 16  # the claims' setting: 32 sequences of 60 steps, x_t ~ N(0, I_8), 16 units


def seeded(cls, seed, **kwargs):
    """A float64 torch recurrent module (batch first) with torch's default init, U(−1/√H, 1/√H), from ``seed``."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return cls(D, H, batch_first=True, dtype=torch.float64, **kwargs)


def inputs(seed, n=N, T_=T):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal((n, T_, D)))


def test_layer_matches_the_equations():
    """y_t = Σ_s softmax_s(q_t·k_s/√H) v_s, written out with numpy; the causal layer sets A_ts = 0 for s > t."""
    x = inputs(0, 2, 5)
    for causal in (False, True):
        layer = SelfAttention(D, 3, causal=causal, seed=1, dtype=torch.float64)
        Wq, Wk, Wv = (w.weight.detach().numpy() for w in (layer.W_q, layer.W_k, layer.W_v))
        xn = x.numpy()
        e = (xn @ Wq.T) @ (xn @ Wk.T).transpose(0, 2, 1) / np.sqrt(3)  # (N, T, T)
        if causal:
            e = np.where(np.triu(np.ones((5, 5), bool), 1), -np.inf, e)
        A = np.exp(e - e.max(axis=2, keepdims=True))
        A /= A.sum(axis=2, keepdims=True)
        np.testing.assert_allclose(layer.weights(x).detach().numpy(), A, rtol=1e-13, atol=1e-16)
        np.testing.assert_allclose(layer(x).detach().numpy(), A @ (xn @ Wv.T), rtol=1e-12, atol=1e-15)
        assert np.all(A[:, np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] == 0) == causal


def test_init_is_seeded_and_scaled():
    a, b = SelfAttention(64, 32, seed=3), SelfAttention(64, 32, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.W_q.weight, SelfAttention(64, 32, seed=4).W_q.weight)
    assert not torch.equal(a.W_q.weight, a.W_k.weight)
    state = torch.random.get_rng_state()
    SelfAttention(4, 4, seed=5)
    assert torch.equal(state, torch.random.get_rng_state())  # the global random state is untouched
    w = torch.cat([a.W_q.weight, a.W_k.weight, a.W_v.weight]).flatten()  # 6144 draws of N(0, 1/64)
    assert abs(w.std().item() * 8 - 1) < 0.05 and abs(w.mean().item()) < 0.01
    assert SelfAttention(2, 2).W_v.weight.dtype == torch.float32 and sum(p.numel() for p in a.parameters()) == 6144


def test_sensitivity_equals_norms_of_jacobian_blocks():
    x = inputs(1, 2, 4)
    models = [SelfAttention(D, 3, seed=2, dtype=torch.float64), seeded(torch.nn.LSTM, 2, bidirectional=True)]
    for model in models:
        J = torch.autograd.functional.jacobian(lambda v: model(v)[0] if isinstance(model, torch.nn.LSTM)
                                               else model(v), x).numpy()  # (N, T, H', N, T, D)
        for t in (1, 3, 4):
            S = input_sensitivity(model, x, t)
            for n in range(2):
                ref = np.linalg.norm(J[n, t - 1, :, n].transpose(1, 0, 2), axis=(1, 2))  # (T,) blocks (H', D)
                np.testing.assert_allclose(S[n], ref, rtol=1e-12, atol=0)
                assert np.all(J[n, :, :, 1 - n] == 0)  # the sequences are independent, as the function assumes
    np.testing.assert_array_equal(input_sensitivity(models[0], x), input_sensitivity(models[0], x, t=4))
    with torch.no_grad():  # the graph is built all the same
        np.testing.assert_array_equal(input_sensitivity(models[0], x), input_sensitivity(models[0], x, t=4))
        assert np.all(input_sensitivity(models[0], x) > 0)


def test_sensitivity_of_a_running_sum_is_known():
    """y_t = W Σ_{s ≤ t} x_s: ∂y_t/∂x_k = W for k ≤ t and 0 after, so S = ‖W‖_F up to t."""
    W = torch.from_numpy(np.random.default_rng(4).standard_normal((5, D)))
    S = input_sensitivity(lambda v: torch.cumsum(v, dim=1) @ W.T, inputs(5, 3, 7), t=4)
    np.testing.assert_allclose(S[:, :4], np.linalg.norm(W.numpy()), rtol=1e-15)
    assert S.shape == (3, 7) and S.dtype == np.float64 and np.all(S[:, 4:] == 0)
    assert np.all(input_sensitivity(lambda v: torch.ones(3, 7, 2, dtype=v.dtype), inputs(5, 3, 7)) == 0)


@pytest.mark.parametrize("t", [1, 12, 30])
def test_what_each_model_can_see(t):
    """Exactly 0 for k > t: the causal layer and unidirectional RNNs. Nonzero for every k: the unmasked layer and
    bidirectional RNNs. Over the claim seeds, 4 sequences of T = 30 steps."""
    def reach(seed):
        x = inputs(seed, 4, 30)
        causal = [SelfAttention(D, H, causal=True, seed=seed, dtype=torch.float64)]
        causal += [seeded(cls, seed) for cls in (torch.nn.RNN, torch.nn.LSTM, torch.nn.GRU)]
        for model in causal:
            S = input_sensitivity(model, x, t)
            assert np.all(S[:, t:] == 0) and np.all(S[:, :t] > 0), type(model).__name__
        params = BiRNNParams(*(p for _ in range(2) for p in (0.4 * np.random.default_rng(seed).standard_normal(s)
                                                             for s in ((H, D), (H, H), (H,)))))
        whole = [SelfAttention(D, H, seed=seed, dtype=torch.float64), seeded(torch.nn.LSTM, seed, bidirectional=True),
                 to_torch(params)]
        return min(input_sensitivity(model, x, t).min() for model in whole)

    spread = seeds.over_seeds(reach)
    assert spread.min > 0, spread


@lru_cache(maxsize=None)
def decay(seed):
    """Batch-mean sensitivity of y_T against the distance T − k, as ratios, for the four models of ``seed``."""
    x = inputs(seed)
    profiles = {name: input_sensitivity(model, x).mean(axis=0)[::-1] for name, model in [  # index = distance
        ("attention", SelfAttention(D, H, seed=seed, dtype=torch.float64)),
        ("causal", SelfAttention(D, H, causal=True, seed=seed, dtype=torch.float64)),
        ("rnn", seeded(torch.nn.RNN, seed)), ("lstm", seeded(torch.nn.LSTM, seed))]}
    out = {f"{name}_50": p[50] / p[0] for name, p in profiles.items()}  # distance 50 against distance 0
    for name in ("attention", "causal"):
        p = profiles[name]
        out[f"{name}_far"] = p[T - 1] / p[0]  # farthest (k = 1) against k = T
        out[f"{name}_flat"] = p[1:].min() / p[1:].max()  # over every distance 1..T−1
    return out


def test_attention_does_not_decay_with_distance():
    """At initialisation (W_q, W_k, W_v ~ N(0, 1/D)) the sensitivity of y_T to x_k, averaged over 32 sequences,
    varies by less than a factor of 10 over the distances 1..59, and at the farthest input it is above 1/100
    of that to x_T itself (which also enters through q_T). The causal layer at t = T sees every input too."""
    for name in ("attention", "causal"):
        flat = seeds.over_seeds(lambda s: decay(s)[f"{name}_flat"])
        far = seeds.over_seeds(lambda s: decay(s)[f"{name}_far"])
        assert flat.min > 0.1, (name, flat)
        assert far.min > 0.01, (name, far)
    assert all(decay(s)["attention_far"] == decay(s)["causal_far"] for s in seeds.claim_seeds())


def test_recurrent_sensitivity_vanishes_with_distance():
    """torch's default init U(−1/√16, 1/√16) (spectral radius of W_hh about 1/√3): at distance 50 the tanh RNN's
    and the LSTM's sensitivity, averaged over 32 sequences, is below 1e-6 of that at distance 0; attention's
    stays above 1/100 there."""
    for name in ("rnn", "lstm"):
        spread = seeds.over_seeds(lambda s: decay(s)[f"{name}_50"])
        assert spread.max < 1e-6, (name, spread)
    assert seeds.over_seeds(lambda s: decay(s)["attention_50"]).min > 0.01


def _flops(model, x):
    with FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops()


@pytest.mark.parametrize("T_, d", [(1, 1), (7, 5), (20, 3), (3, 12)])
def test_cost_counts_match_torch_flop_counter(T_, d):
    """torch counts 2 flops per multiply-add, for each of the 2 sequences of the batch."""
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((2, T_, d)))
    for causal in (False, True):  # the dense layer computes the masked scores too
        assert _flops(SelfAttention(d, d, causal=causal, dtype=torch.float64), x) == \
            4 * layer_cost("attention", T_, d).multiply_adds
    for kind, cls in (("rnn", torch.nn.RNN), ("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM)):
        assert _flops(cls(d, d, batch_first=True, dtype=torch.float64), x) == 4 * layer_cost(kind, T_, d).multiply_adds


def test_cost_trade_off():
    """Recurrent: linear in T, T sequential steps, a path of T maps. Attention: quadratic in T, one step, one map."""
    assert layer_cost("rnn", 100, 8) == Cost(2 * 100 * 64, 100, 100)
    assert layer_cost("attention", 100, 8) == Cost(3 * 100 * 64 + 2 * 100 ** 2 * 8, 1, 1)
    for T_, d in [(10, 4), (64, 16), (1000, 32)]:
        assert layer_cost("rnn", 2 * T_, d).multiply_adds == 2 * layer_cost("rnn", T_, d).multiply_adds
        a, a2 = layer_cost("attention", T_, d).multiply_adds, layer_cost("attention", 2 * T_, d).multiply_adds
        assert a2 - 2 * a == 4 * T_ ** 2 * d  # the T² term: doubling T quadruples it
    for T_ in range(1, 60):  # attention costs more than an LSTM layer exactly when T > 2.5 d
        for d in (2, 4, 8):
            assert (layer_cost("attention", T_, d).multiply_adds > layer_cost("lstm", T_, d).multiply_adds) == \
                (2 * T_ > 5 * d)


# ---- validation: every bad input names the argument ----

LAYER = SelfAttention(D, 4, dtype=torch.float64)
X = inputs(0, 2, 5)

BAD = [
    ("SelfAttention-input_size", lambda: SelfAttention(0, 4), "input_size must be at least 1"),
    ("SelfAttention-head_size", lambda: SelfAttention(3, 2.5), "head_size must be an integer"),
    ("SelfAttention-causal", lambda: SelfAttention(3, 2, causal="yes"), "causal must be True or False"),
    ("SelfAttention-seed", lambda: SelfAttention(3, 2, seed=-1), "seed must be at least 0"),
    ("SelfAttention-dtype", lambda: SelfAttention(3, 2, dtype=torch.int64), "dtype must be a torch floating-point"),
    ("SelfAttention.forward-D", lambda: LAYER(X[..., :3]), r"x must have shape \(N, T, D\) with D = input_size"),
    ("SelfAttention.forward-numpy", lambda: LAYER(X.numpy()), "x must be a torch tensor"),
    ("SelfAttention.weights-T0", lambda: LAYER.weights(X[:, :0]), "x must hold at least one sequence"),
    ("input_sensitivity-fn", lambda: input_sensitivity("rnn", X), "fn must be a function x"),
    ("input_sensitivity-batch_first", lambda: input_sensitivity(torch.nn.RNN(D, 3), X), "batch_first=False"),
    ("input_sensitivity-x-numpy", lambda: input_sensitivity(LAYER, X.numpy()), "x must be a floating-point torch"),
    ("input_sensitivity-x-int", lambda: input_sensitivity(LAYER, X.long()), "x must be a floating-point torch"),
    ("input_sensitivity-x-2d", lambda: input_sensitivity(LAYER, X[0]), r"x must be .* shape \(N, T, D\)"),
    ("input_sensitivity-t-0", lambda: input_sensitivity(LAYER, X, 0), "t must be at least 1"),
    ("input_sensitivity-t-big", lambda: input_sensitivity(LAYER, X, 6), "t must be at most 5"),
    ("input_sensitivity-t-float", lambda: input_sensitivity(LAYER, X, 2.0), "t must be an integer"),
    ("input_sensitivity-output", lambda: input_sensitivity(lambda v: v.sum(1), X), r"fn must return a tensor y"),
    ("input_sensitivity-output-T", lambda: input_sensitivity(lambda v: v[:, 1:], X), r"\(N, T, H\) = \(2, 5, H\)"),
    ("layer_cost-kind", lambda: layer_cost("transformer", 4, 2), "kind must be one of"),
    ("layer_cost-T", lambda: layer_cost("rnn", 0, 2), "T must be at least 1"),
    ("layer_cost-d", lambda: layer_cost("lstm", 3, 1.5), "d must be an integer"),
]


@pytest.mark.parametrize("call, match", [pytest.param(c, m, id=i) for i, c, m in BAD])
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
