"""Chapter 9 computations: the fill-in-the-blank runs, the exact ceilings, the torch agreement of the
bidirectional RNN and LSTM, sensitivity against distance, and the parameter count of a bidirectional stack.

Figures and the explorer live in ``bidir_figures``. Training is cached per seed (``accuracies``), so the claim
checks, the exercises and the explorer share the same runs.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
from dataclasses import dataclass

import numpy as np
import torch

from .. import attention, bidirectional, blanks
from .._validate import check_choice, check_int
from ..gradcheck import compare_gradients, relative_error
from ..train import TrainConfig, evaluate, train
from .gates import parameter_count


@dataclass(frozen=True)
class Setup:
    """The fill-in-the-blank experiment of §9.2."""

    T: int = 12  # sequence length
    C: int = 4  # token values; chance at the blank is 1/C
    H: int = 16  # GRU state size per direction
    steps: int = 400  # Adam steps, one fresh batch each, blank position uniform in 1..T
    batch_size: int = 64  # sequences per step
    lr: float = 1e-2  # Adam's learning rate
    n_eval: int = 1000  # held-out sequences per blank position


SETUP = Setup()
MODELS = {"causal": {"bidirectional": False}, "bidirectional": {"bidirectional": True},
          "reversed": {"reverse": True}}  # the three GRU taggers, by what they read at p: past, both, future
VIEW = {"causal": "past", "bidirectional": "both", "reversed": "future"}


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block, then restore the thread count it found.

    The chapter's models are tiny: with several threads a busy machine made it several times slower (waiting
    worker threads spin), and one thread also keeps one summation order on every machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.lru_cache(maxsize=None)
def trained(seed: int) -> dict:
    """The three GRU taggers of ``MODELS`` trained with model and data seed ``seed`` (cached), in float64 so that
    the accuracies the chapter prints do not depend on the machine's float32 kernels."""
    check_int("seed", seed, low=0)
    s = SETUP
    task = functools.partial(blanks.fill_blank, C=s.C)
    config = TrainConfig(steps=s.steps, batch_size=s.batch_size, lr=s.lr, seed=seed, progress=False,
                         eval_every=s.steps)
    models = {}
    with one_thread():
        for name, kwargs in MODELS.items():
            model = blanks.Tagger(s.C, s.H, "gru", seed=seed, dtype=torch.float64, **kwargs)  # printed: float64
            train(model, task, config, s.T)
            models[name] = model
    return models


@functools.lru_cache(maxsize=None)
def accuracies(seed: int) -> dict:
    """``{model: (T,) accuracy with the blank at p = 1..T}`` on ``n_eval`` fresh sequences per position."""
    s = SETUP
    rng = np.random.default_rng([seed, 9])  # held-out data, independent of the training stream
    batches = [blanks.fill_blank(s.n_eval, s.T, rng, s.C, position=p) for p in range(1, s.T + 1)]
    return {name: np.array([evaluate(model, b) for b in batches]) for name, model in trained(seed).items()}


def band(C: int, n: int, z: float = 5.0) -> float:
    """``z`` standard errors of an accuracy measured on ``n`` sequences when the true accuracy is 1/C."""
    p = 1.0 / check_int("C", C, low=2)
    return z * np.sqrt(p * (1 - p) / check_int("n", n, low=1))


def enumerated_best(C: int, T: int, position: int, view: str) -> float:
    """``blanks.best_accuracy`` by brute force: every one of the C^T token sequences, the Bayes-optimal guess
    (the most frequent target) for each thing the model can see, averaged. Exact (integer counts)."""
    check_choice("view", view, blanks.VIEWS)
    if C ** T > 2 ** 20:
        raise ValueError(f"C^T = {C}^{T} sequences is too many to enumerate; keep C^T ≤ 2^20")
    tokens = np.array(list(itertools.product(range(C), repeat=T)))  # (C^T, T)
    padded = np.pad(tokens, ((0, 0), (1, 1)))
    y = (padded[:, position - 1] + padded[:, position + 1]) % C  # eq-blank
    seen = {"past": slice(0, position - 1), "future": slice(position, T),
            "both": np.r_[0:position - 1, position:T]}[view]  # what the output at p reads, the blank excluded
    visible = tokens[:, seen] @ (C ** np.arange(tokens[:, seen].shape[1]))  # one code per visible part
    counts = np.zeros((C ** (T - 1), C), dtype=np.int64)
    np.add.at(counts, (visible, y), 1)
    return counts.max(axis=1).sum() / len(tokens)


def _torch_gradients(module, x, states, d_output):
    """Output and autograd gradients of L = Σ output ⊙ d_output: x, the initial states, then the parameters."""
    tx, *ts = (torch.tensor(v, requires_grad=True) for v in (x, *states))
    out, _ = module(tx, ts[0] if len(ts) == 1 else tuple(ts))
    (out * torch.from_numpy(d_output)).sum().backward()
    return out.detach().numpy(), [v.grad.numpy() for v in (tx, *ts, *module.parameters())]


def agreement(seed: int, N: int = 3, T: int = 20, D: int = 4, H: int = 6) -> float:
    """Largest relative error of ``rnnlab.bidirectional`` against ``nn.RNN`` and ``nn.LSTM(bidirectional=True)``
    (PyTorch's initialisation from ``seed``, random initial states, float64): the output and every gradient
    of L = Σ output ⊙ G."""
    rng = np.random.default_rng(seed)
    x, G = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, 2 * H))
    h0, c0 = rng.standard_normal((2, 2, N, H))
    with one_thread():
        return max(_agreement_errors(seed, x, G, h0, c0, H, D))


def _agreement_errors(seed, x, G, h0, c0, H, D) -> list:
    """Every relative error of ``agreement``: per cell, the shared-bias checks, the output, every gradient."""
    errors = []
    for cls in (torch.nn.RNN, torch.nn.LSTM):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = cls(D, H, batch_first=True, bidirectional=True, dtype=torch.float64)
        params = bidirectional.from_torch(module)
        if cls is torch.nn.RNN:
            ref, g = _torch_gradients(module, x, [h0], G)
            out, cache = bidirectional.birnn_forward(x, h0, params)
            ours = bidirectional.birnn_backward(G, cache)
            # torch: x, h0, then W_ih, W_hh, b_ih, b_hh per direction; b_hh's gradient equals b_ih's
            reference = bidirectional.BiRNNGrads(*g[:5], *g[6:9])
            errors += [relative_error(g[4], g[5]), relative_error(g[8], g[9])]
        else:
            ref, g = _torch_gradients(module, x, [h0, c0], G)
            out, cache = bidirectional.bilstm_forward(x, h0, c0, params)
            ours, reference = bidirectional.bilstm_backward(G, cache), bidirectional.BiLSTMGrads(*g)
        errors.append(relative_error(out, ref))
        errors.extend(compare_gradients(ours, reference).values())
    return errors


def stack_parameters(cell: str, D: int, H: int, L: int) -> int:
    """Parameters of torch's ``nn.RNN/LSTM/GRU(D, H, num_layers=L, bidirectional=True)``: two directions per
    layer, layer 1 reads D inputs, every later layer reads the 2H of the layer below."""
    L = check_int("L", L, low=1)
    return 2 * (parameter_count(cell, D, H) + (L - 1) * parameter_count(cell, 2 * H, H))


SENSITIVITY = {"N": 32, "T": 60, "D": 8, "H": 16}  # Chapter 9's profiles: as tests/test_attention.py's claims


@functools.lru_cache(maxsize=None)
def profiles(seed: int) -> dict:
    """Batch-mean ‖∂h_T/∂x_j‖ against the distance T − j (index = distance) at initialisation, for a tanh RNN
    and an LSTM (torch's init from ``seed``) and one attention layer, unmasked and causal (float64)."""
    N, T, D, H = SENSITIVITY.values()
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((N, T, D)))
    models = {"attention": attention.SelfAttention(D, H, seed=seed, dtype=torch.float64),
              "causal attention": attention.SelfAttention(D, H, causal=True, seed=seed, dtype=torch.float64)}
    for name, cls in (("tanh RNN", torch.nn.RNN), ("LSTM", torch.nn.LSTM)):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            models[name] = cls(D, H, batch_first=True, dtype=torch.float64)
    with one_thread():
        return {name: attention.input_sensitivity(m, x).mean(axis=0)[::-1] for name, m in models.items()}


WEIGHTS_T = 8  # sequence length of the attention-weight figure of §9.4


def attention_weights(seed: int, T: int = WEIGHTS_T) -> dict:
    """The attention weights A (T, T) of one sequence, ``{"unmasked": A, "causal": A}`` (float64).

    One ``SelfAttention(D, H)`` of ``SENSITIVITY``'s sizes, weights and Gaussian input from ``seed``; the two
    layers share their weights and differ only in the mask. Row t is output t's weights on inputs 1..T.
    """
    seed, T = check_int("seed", seed, low=0), check_int("T", T, low=1)
    D, H = SENSITIVITY["D"], SENSITIVITY["H"]
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((1, T, D)))  # (1, T, D)
    out = {}
    for name, causal in (("unmasked", False), ("causal", True)):
        layer = attention.SelfAttention(D, H, causal=causal, seed=seed, dtype=torch.float64)
        with torch.no_grad():
            out[name] = layer.weights(x)[0].numpy()  # (T, T)
    return out


def cost_rows(Ts=(16, 256, 4096), d: int = 64) -> list:
    """``(T, rnn multiply-adds, attention multiply-adds, their ratio, rnn sequential steps)`` per T."""
    rows = []
    for T in Ts:
        rnn, att = attention.layer_cost("rnn", T, d), attention.layer_cost("attention", T, d)
        rows.append((T, rnn.multiply_adds, att.multiply_adds, att.multiply_adds / rnn.multiply_adds,
                     rnn.sequential_steps))
    return rows
