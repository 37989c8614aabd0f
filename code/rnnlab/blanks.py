"""Fill in the blank: a task whose answer lies on both sides of a position, and taggers that read one side or both.

The task (Chapter 9). Tokens x_1..x_T are drawn uniformly from {0, …, C−1}; one position p is blanked. Each
step's input is the one-hot code of its token plus a blank flag (D = C + 1): the blank has all C token channels
at 0 and the flag at 1. The target at the blank is

    y = (x_{p−1} + x_{p+1}) mod C,      with x_0 = x_{T+1} = 0 (a missing neighbour counts as 0),     (eq-blank)

so it needs the token just before *and* the token just after the blank. A *tagger* emits one output per
position, as in sequence labelling; the loss and the accuracy read its output at the blank.

What a model can know at the blank (``best_accuracy``). A causal model's output at p is a function of
x_1..x_p only. For p < T, x_{p+1} is uniform and independent of everything before it, so (a + x_{p+1}) mod C is
uniform for every value a: given the past, each of the C answers has probability 1/C and no causal model does
better than chance, 1/C, however it is trained. At p = T there is no future, y = x_{T−1}, and a causal model can
be exact. A model that sees only the future (a causal model fed the reversed sequence) is exact only at p = 1.
A bidirectional model sees both neighbours everywhere.

Taggers (``Tagger``): a unidirectional or bidirectional ``torch.nn.RNN`` / ``GRU`` / ``LSTM`` (Schuster &
Paliwal 1997), or one ``rnnlab.attention.SelfAttention`` layer, causal or unmasked, whose input also carries a
one-hot code of the position (attention alone cannot tell which input is next to which). Each is followed by
the same two-layer readout, Linear–tanh–Linear: (a + b) mod C is not a sum of a function of a and a function of
b (for C = 2 it is XOR), so a linear readout on [h→_p ; h←_p] could not compute it.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._validate import check_bool, check_choice, check_int, check_rng
from .attention import SelfAttention
from .models import check_dtype, check_input, check_seed
from .tasks import Batch

RECURRENT = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
KINDS = (*RECURRENT, "attention")
VIEWS = ("past", "future", "both")  # what a model's output at p can read: x_1..x_p, x_p..x_T or all of x


def fill_blank(n: int, T: int, rng: np.random.Generator, C: int = 4, position: int | None = None) -> Batch:
    """``n`` sequences of ``T`` tokens from {0..C−1} with one blank; the target is eq-blank at the blank.

    Parameters
    ----------
    n, T : int
        The number of sequences N (≥ 1) and their length T (≥ 2), as every task of ``rnnlab.tasks``.
    rng : numpy.random.Generator
        Where every token and blank position comes from.
    C : int
        Number of token values (≥ 2). Chance at the blank is 1/C.
    position : int in 1..T, or None
        The blank's position p, counted from 1; None draws it uniformly from 1..T for each sequence.

    Returns
    -------
    Batch
        ``x`` float32 (N, T, C + 1): one-hot tokens, the blank's token channels 0 and its flag (channel C) 1;
        ``y`` long (N,) in 0..C−1.
    """
    n = check_int("n (number of sequences)", n, low=1)
    T = check_int("T (sequence length)", T, low=2)
    check_rng(rng)
    C = check_int("C (number of token values)", C, low=2)
    tokens = rng.integers(0, C, size=(n, T))  # (N, T) x_1..x_T
    if position is None:
        p = rng.integers(1, T + 1, size=n)  # (N,) blank positions, from 1
    else:
        p = np.full(n, check_int("position", position, low=1, high=T))
    padded = np.pad(tokens, ((0, 0), (1, 1)))  # (N, T + 2) x_0 = x_{T+1} = 0
    rows = np.arange(n)
    y = (padded[rows, p - 1] + padded[rows, p + 1]) % C  # (N,) eq-blank: columns p − 1 and p + 1 hold x_{p∓1}
    x = np.zeros((n, T, C + 1), dtype=np.float32)
    x[rows[:, None], np.arange(T), tokens] = 1.0  # one-hot tokens
    x[rows, p - 1] = 0.0
    x[rows, p - 1, C] = 1.0  # the blank: flag only
    return Batch(x=torch.from_numpy(x), y=torch.from_numpy(y).long())


def best_accuracy(C: int, T: int, position: int, view: str) -> float:
    """The highest expected accuracy at a blank in ``position`` of any model whose output there reads ``view``:
    "past" (x_1..x_p, a causal model), "future" (x_p..x_T, a causal model on the reversed sequence) or "both".

    1/C when the unseen side holds a uniform neighbour (past: p < T; future: p > 1), else 1 (module docstring).
    """
    C = check_int("C (number of token values)", C, low=2)
    T = check_int("T (sequence length)", T, low=2)
    position = check_int("position", position, low=1, high=T)
    check_choice("view", view, VIEWS)
    hidden = {"past": position < T, "future": position > 1, "both": False}[view]  # a uniform neighbour unseen
    return 1.0 / C if hidden else 1.0


def blank_positions(x) -> torch.Tensor:
    """The blank's index (from 0) in each sequence of x (N, T, C + 1), read from the flag channel (the last one).

    Raises ``ValueError`` unless every sequence has exactly one flagged step.
    """
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[2] < 3:
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x must be a torch tensor (N, T, C + 1) from fill_blank, C ≥ 2; got {got}")
    flags = x[..., -1] > 0.5  # (N, T)
    counts = flags.sum(dim=1)
    if not torch.all(counts == 1):
        raise ValueError(f"every sequence of x must have exactly one blank (flag channel x[..., -1] = 1); "
                         f"got {counts.tolist()[:8]} blanks in the first sequences")
    return flags.float().argmax(dim=1)  # (N,)


class Tagger(nn.Module):
    """One output per position from a recurrent layer or one attention layer, and a Linear–tanh–Linear readout.

    Parameters
    ----------
    C : int
        Number of token values (inputs have D = C + 1 channels; outputs C logits per position).
    hidden_size : int
        H: the recurrent state size (per direction) or the attention head size.
    kind : {"rnn", "gru", "lstm", "attention"}
        torch's ``nn.RNN`` (tanh), ``nn.GRU``, ``nn.LSTM``, or ``rnnlab.attention.SelfAttention``.
    bidirectional : bool
        Recurrent: ``bidirectional=True`` (the readout reads [h→_t ; h←_t], 2H features). Attention: no mask
        (False: the causal mask).
    T : int or None
        The sequence length, needed by attention only (its input carries a one-hot position code of size T).
    reverse : bool
        Feed a unidirectional recurrent layer x_T..x_1 and flip its outputs back: each output reads the future.
    readout_size : int
        Width M of the readout's hidden layer.
    seed, dtype :
        Seed of the initial parameters (the global torch random state is untouched) and their dtype.
    """

    def __init__(self, C: int, hidden_size: int, kind: str = "gru", bidirectional: bool = False,
                 T: int | None = None, reverse: bool = False, readout_size: int = 32, seed: int = 0,
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        self.C = check_int("C (number of token values)", C, low=2)
        H = check_int("hidden_size", hidden_size, low=1)
        self.kind = check_choice("kind", kind, KINDS)
        check_bool("bidirectional", bidirectional)
        check_bool("reverse", reverse)
        if reverse and (bidirectional or kind == "attention"):
            raise ValueError("reverse=True applies to a unidirectional recurrent tagger only (kind 'rnn', 'gru' "
                             "or 'lstm' with bidirectional=False)")
        if (T is None) == (kind == "attention"):
            raise ValueError(f"T (the sequence length) is needed by kind='attention' only, for its position code; "
                             f"got T={T!r} with kind={kind!r}")
        self.bidirectional, self.reverse = bidirectional, reverse
        self.T = None if T is None else check_int("T (sequence length)", T, low=2)
        M = check_int("readout_size", readout_size, low=1)
        dtype = check_dtype(dtype)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(check_seed(seed))
            if kind == "attention":
                self.layer = SelfAttention(C + 1 + self.T, H, causal=not bidirectional, seed=seed, dtype=dtype)
                features = H
            else:
                self.layer = RECURRENT[kind](C + 1, H, batch_first=True, bidirectional=bidirectional, dtype=dtype)
                features = 2 * H if bidirectional else H
            self.readout = nn.Sequential(nn.Linear(features, M, dtype=dtype), nn.Tanh(),
                                         nn.Linear(M, self.C, dtype=dtype))

    def tag(self, x: torch.Tensor) -> torch.Tensor:
        """Logits at every position: x (N, T, C + 1) -> (N, T, C)."""
        dtype = self.readout[0].weight.dtype
        x = check_input(x, self.C + 1, dtype)  # (N, T, D)
        if self.kind == "attention":
            N, T, _ = x.shape
            if T != self.T:
                raise ValueError(f"this attention tagger was built for T = {self.T}; got sequences of T = {T}")
            where = torch.eye(T, dtype=dtype).expand(N, T, T)  # (N, T, T) one-hot position code
            h = self.layer(torch.cat([x, where], dim=2))  # (N, T, H)
        elif self.reverse:
            h = self.layer(x.flip(1))[0].flip(1)  # (N, T, H) output t has read x_T..x_t
        else:
            h = self.layer(x)[0]  # (N, T, H or 2H)
        return self.readout(h)  # (N, T, C)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits at the blank of each sequence: x (N, T, C + 1) -> (N, C), for ``rnnlab.train``."""
        logits = self.tag(x)  # (N, T, C); checks x's shape before the blanks are counted
        return logits[torch.arange(x.shape[0]), blank_positions(x)]  # (N, C)
