"""Small torch models for the experiments, and the book's main gradient diagnostic.

``WindowMLP`` sees only the last ``window`` inputs (a fixed-window feedforward model); ``RecurrentClassifier``
carries a state h_t through the whole sequence,

    h_t = φ(W_hh h_{t-1} + W_xh x_t + b),    h_0 = 0,    output = W_out h_T + b_out,

(or the LSTM / GRU update in place of the tanh step), unrolled in an explicit Python loop over t so that
every h_t is its own node in the autograd graph. ``hidden_gradient_norms`` reads the total derivatives
∂L/∂h_t from that graph (Chapter 2; used throughout Part II). Notation: N batch, T time, D input size,
H hidden size. Both models use float32 unless given ``dtype``; ``seed`` fixes their initial parameters
without touching the global torch random state.

References: Elman (1990) for the recurrent state; Hochreiter & Schmidhuber (1997) for the LSTM cell;
Cho et al. (2014) for the GRU cell. The cells are torch.nn.RNNCell / LSTMCell / GRUCell.
"""
from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validate import check_bool, check_choice, check_int
from .ltrnn import LinearTransitionCell
from .tasks import Batch

CELLS = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell, "lt": LinearTransitionCell}


def check_input(x, input_size: int, dtype: torch.dtype) -> torch.Tensor:
    """Check that ``x`` is a (N, T, D) tensor with D = input_size and N, T ≥ 1; return it in the model's dtype."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"x must be a torch tensor of shape (N, T, D); got {type(x).__name__}")
    if x.ndim != 3 or x.shape[2] != input_size:
        raise ValueError(f"x must have shape (N, T, D) with D = input_size = {input_size}; got {tuple(x.shape)}")
    if x.shape[0] < 1 or x.shape[1] < 1:  # T = 0 would return the readout of h_0 = 0: its bias, whatever x is
        raise ValueError(f"x must hold at least one sequence (N ≥ 1) of at least one step (T ≥ 1); "
                         f"got shape {tuple(x.shape)}")
    if x.dtype == torch.bool or x.dtype.is_complex:  # .to(float) would read True as 1 or drop the imaginary part
        raise ValueError(f"x must hold real numbers; got dtype {x.dtype}")
    return x.to(dtype)


def check_seed(seed) -> int:
    """A seed for ``torch.manual_seed``: an integer from 0 to 2**64 − 1."""
    return check_int("seed", seed, low=0, high=2**64 - 1)  # torch.manual_seed takes at most 64 bits


def check_dtype(dtype) -> torch.dtype:
    """A floating-point torch dtype for a model's parameters."""
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype must be a torch floating-point dtype such as torch.float32 or torch.float64; "
                         f"got {dtype!r}")
    return dtype


class WindowMLP(nn.Module):
    """A feedforward model that sees only the last ``window`` inputs.

    output = W_2 tanh(W_1 [x_{T-window+1}; …; x_T] + b_1) + b_2. Whatever happened before step
    T − window + 1 is invisible to it, however it is trained.

    Parameters
    ----------
    window : int
        Number of most recent time steps the model sees (≥ 1).
    input_size : int
        Input size D of each x_t.
    hidden_size : int
        Width of the hidden layer.
    n_outputs : int
        Number of outputs (classes for cross-entropy, targets for MSE).
    seed : int
        Seed for the initial parameters (the global torch RNG is left untouched).
    dtype : torch.dtype
        Parameter dtype (float32 by default; float64 for gradient checks).
    """

    def __init__(self, window: int, input_size: int, hidden_size: int, n_outputs: int, seed: int = 0,
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        self.window = check_int("window", window, low=1)
        self.input_size = check_int("input_size", input_size, low=1)
        hidden_size = check_int("hidden_size", hidden_size, low=1)
        n_outputs = check_int("n_outputs", n_outputs, low=1)
        dtype = check_dtype(dtype)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(check_seed(seed))
            self.hidden = nn.Linear(self.window * self.input_size, hidden_size, dtype=dtype)
            self.readout = nn.Linear(hidden_size, n_outputs, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map inputs (N, T, D) with T ≥ window to outputs (N, n_outputs)."""
        x = check_input(x, self.input_size, self.readout.weight.dtype)  # (N, T, D)
        N, T, _ = x.shape
        if T < self.window:
            raise ValueError(f"WindowMLP with window={self.window} needs sequences of length T ≥ {self.window}; "
                             f"got T = {T}")
        recent = x[:, T - self.window:, :].reshape(N, self.window * self.input_size)  # (N, window*D)
        return self.readout(torch.tanh(self.hidden(recent)))  # (N, n_outputs)


class RecurrentClassifier(nn.Module):
    """A recurrent cell unrolled over time, with a linear readout on the final state h_T.

    Parameters
    ----------
    input_size : int
        Input size D of each x_t.
    hidden_size : int
        Hidden size H.
    n_outputs : int
        Number of outputs (classes for cross-entropy, targets for MSE).
    cell : {"rnn", "lstm", "gru", "lt"}
        The update h_{t-1}, x_t -> h_t: torch.nn.RNNCell, LSTMCell, GRUCell or ``ltrnn.LinearTransitionCell``.
    nonlinearity : {"tanh", "relu"}
        φ of the vanilla RNN cell; only "tanh" is allowed for the others (their activations are fixed).
    seed : int
        Seed for the initial parameters (the global torch RNG is left untouched).
    dtype : torch.dtype
        Parameter dtype (float32 by default; float64 for gradient checks).
    every_step : bool
        If True, read out every state: outputs (N, T, n_outputs), one per step (e.g. the copy-memory task).

    Notes
    -----
    The parameters keep torch's names: ``cell.weight_hh`` is W_hh (H, H) for "rnn" (stacked gate blocks
    (4H, H) / (3H, H) for "lstm" / "gru"), ``cell.weight_ih`` is W_xh, ``readout.weight`` is W_out.
    For the LSTM the states returned are the outputs h_t, not the memory cells c_t.
    """

    def __init__(self, input_size: int, hidden_size: int, n_outputs: int, cell: str = "rnn",
                 nonlinearity: str = "tanh", seed: int = 0, dtype: torch.dtype = torch.float32,
                 every_step: bool = False):
        super().__init__()
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = check_int("hidden_size", hidden_size, low=1)
        n_outputs = check_int("n_outputs", n_outputs, low=1)
        self.cell_type = check_choice("cell", cell, CELLS)
        check_choice("nonlinearity", nonlinearity, {"tanh", "relu"})
        if cell != "rnn" and nonlinearity != "tanh":
            raise ValueError(f"nonlinearity applies only to cell='rnn'; the {cell} cell has fixed "
                             f"activations, so leave nonlinearity='tanh' (got {nonlinearity!r})")
        dtype = check_dtype(dtype)
        self.every_step = check_bool("every_step", every_step)
        extra = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(check_seed(seed))
            self.cell = CELLS[cell](self.input_size, self.hidden_size, dtype=dtype, **extra)
            self.readout = nn.Linear(self.hidden_size, n_outputs, dtype=dtype)

    def forward(self, x: torch.Tensor, return_states: bool = False, truncate: int | None = None):
        """Run the recurrence over x (N, T, D) and read out the final state.

        Parameters
        ----------
        x : torch.Tensor
            Inputs of shape (N, T, D).
        return_states : bool
            If True, also return the hidden states.
        truncate : int, optional
            Truncated BPTT (``train.TrainConfig.truncate``). None: full BPTT. k ≥ 1: the steps are cut into chunks
            of k counted back from t = T, and the state entering each chunk (h_{T-k}, h_{T-2k}, …, with c for the
            LSTM) is detached, so a loss at step t sends gradient back to the start of its chunk only: at most k
            steps, exactly the last k for a loss at T (k = 1: h_{T-1} is a constant). k ≥ T is full BPTT. The
            outputs are the same numbers; only the graph is cut.

        Returns
        -------
        output : torch.Tensor
            Shape (N, n_outputs), computed from h_T; (N, T, n_outputs) from every h_t if ``every_step``.
        states : list of torch.Tensor
            Only if ``return_states``: [h_1, …, h_T], each (N, H). When they require grad they retain it,
            so after ``loss.backward()`` ``states[t].grad`` is the total derivative ∂L/∂h_{t+1}.
        """
        x = check_input(x, self.input_size, self.readout.weight.dtype)  # (N, T, D)
        truncate = None if truncate is None else check_int("truncate", truncate, low=1)
        N, T, _ = x.shape
        h = x.new_zeros(N, self.hidden_size)  # (N, H) h_0 = 0
        c = x.new_zeros(N, self.hidden_size)  # (N, H) LSTM memory cell c_0 = 0
        states = []
        for t in range(T):
            if truncate is not None and t > 0 and (T - t) % truncate == 0:  # h = h_t enters a chunk
                h, c = h.detach(), c.detach()
            if self.cell_type == "lstm":
                h, c = self.cell(x[:, t], (h, c))  # (N, H), (N, H)
            else:
                h = self.cell(x[:, t], h)  # (N, H)
            if return_states or self.every_step:
                if return_states and h.requires_grad:
                    h.retain_grad()
                states.append(h)
        output = self.readout(torch.stack(states, dim=1) if self.every_step else h)  # (N, [T,] n_outputs)
        return (output, states) if return_states else output


def loss_function(name: str, reduction: str = "mean") -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Return the loss called ``name``: "cross_entropy" (y class indices) or "mse" (y float targets).

    ``reduction`` is "mean" (average over the batch, used for training) or "sum" (sum over sequences,
    so that the gradient with respect to sequence n's states is that sequence's own ∂L_n/∂h_t).
    The loss checks its targets against the outputs first (:func:`check_targets`).
    """
    check_choice("loss", name, {"cross_entropy", "mse"})
    check_choice("reduction", reduction, {"mean", "sum"})

    def loss(output, y):
        check_targets(name, output, y)
        if name == "cross_entropy":  # one output per step: classes on axis 1 for torch
            return F.cross_entropy(output.transpose(1, 2) if output.ndim == 3 else output, y, reduction=reduction)
        return F.mse_loss(output, y.to(output.dtype), reduction=reduction)

    return loss


def check_targets(loss: str, output: torch.Tensor, y: torch.Tensor) -> None:
    """Check that targets ``y`` fit a model's ``output`` (N, n_outputs) under ``loss``, which torch does not
    (output (N, T, n_outputs) of an ``every_step`` model is checked step by step, against y (N, T)):

    - "cross_entropy" needs n_outputs ≥ 2 classes and y of class indices, integers of shape (N,) in
      [0, n_outputs). Float targets of the outputs' shape would be read as class probabilities: a regression
      target (N, 1) then gives a loss of 0 whatever the model does, as does a single output.
    - "mse" needs y of the outputs' shape: torch would broadcast (N, 1) against (N,) into (N, N).
    """
    check_choice("loss", loss, {"cross_entropy", "mse"})
    for name, v in (("output", output), ("y", y)):
        if not isinstance(v, torch.Tensor):
            raise ValueError(f"{name} must be a torch tensor; got {type(v).__name__}")
    if output.ndim == 3 and y.ndim >= 1 and y.shape[:2] == output.shape[:2]:  # every step: (N, T, ...)
        return check_targets(loss, output.flatten(0, 1), y.flatten(0, 1))
    if output.ndim != 2 or y.ndim == 0 or y.shape[0] != output.shape[0]:
        raise ValueError(f"output must have shape (N, n_outputs) and y one row per sequence; "
                         f"got {tuple(output.shape)} and {tuple(y.shape)}")
    N, C = output.shape
    if loss == "mse":
        if y.shape != output.shape:
            raise ValueError(f"loss='mse' needs targets y of the outputs' shape (N, n_outputs) = {(N, C)}; got y of "
                             f"shape {tuple(y.shape)} (torch would broadcast them into a wrong loss)")
        return
    if C < 2:
        raise ValueError(f"loss='cross_entropy' needs a model with n_outputs ≥ 2 classes; got n_outputs = {C} "
                         "(with one output the loss is always 0). For a regression task use loss='mse'")
    if y.dtype not in (torch.long, torch.uint8) or y.shape != (N,):
        raise ValueError(f"loss='cross_entropy' needs y of class indices: torch.long of shape (N,) = ({N},); got "
                         f"{y.dtype} of shape {tuple(y.shape)}. For regression targets use loss='mse'")
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= C):
        raise ValueError(f"y holds class indices from {int(y.min())} to {int(y.max())}, but the model has "
                         f"n_outputs = {C} classes (indices 0 to {C - 1})")


def hidden_gradient_norms(model: RecurrentClassifier, batch: Batch, loss_fn="cross_entropy") -> np.ndarray:
    """Mean over the batch of the total-derivative norms ‖∂L/∂h_t‖, t = 1 .. T.

    ∂L/∂h_t is the total derivative: it collects every path from h_t to the loss through h_{t+1}, …, h_T
    (Chapter 2), so a curve that falls as t moves back from T shows the gradient vanishing.

    Parameters
    ----------
    model : RecurrentClassifier
        Any model whose ``forward(x, return_states=True)`` returns ``(output, [h_1, …, h_T])``.
    batch : Batch
        Inputs x (N, T, D) and targets y.
    loss_fn : str or callable
        "cross_entropy" or "mse" use the per-sequence loss L_n (sum reduction), so each norm is that of
        ∂L_n/∂h_t^(n), independent of N. A callable ``loss_fn(output, y) -> scalar`` is used as given
        (with a mean-reduced loss every norm is 1/N as large).

    Returns
    -------
    numpy.ndarray
        Shape (T,); entry t-1 is (1/N) Σ_n ‖∂L/∂h_t^(n)‖₂. The model's parameter gradients are not touched.
    """
    if not isinstance(batch, Batch):
        raise ValueError(f"batch must be a rnnlab.tasks.Batch; got {type(batch).__name__}")
    if not isinstance(model, nn.Module) or "return_states" not in inspect.signature(model.forward).parameters:
        raise ValueError(f"model must be recurrent, with forward(x, return_states=True) like RecurrentClassifier; "
                         f"got {type(model).__name__}")
    if isinstance(loss_fn, str):
        loss_fn = loss_function(loss_fn, reduction="sum")
    elif not callable(loss_fn):
        raise ValueError(f"loss_fn must be 'cross_entropy', 'mse' or a function (output, y) -> loss; got {loss_fn!r}")
    with torch.enable_grad():
        output, states = model(batch.x, return_states=True)  # (N, n_outputs), T × (N, H)
        if not all(h.requires_grad for h in states):
            raise ValueError("the hidden states do not require grad: the model's parameters must have "
                             "requires_grad=True for ∂L/∂h_t to exist")
        loss = loss_fn(output, batch.y)
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1 or not loss.requires_grad:
            raise ValueError(f"loss_fn must return the loss as a scalar torch tensor computed from output; "
                             f"got {loss!r}")
        grads = torch.autograd.grad(loss, states)  # T × (N, H)
    norms = torch.stack([g.norm(dim=1).mean() for g in grads])  # (T,)
    return norms.detach().cpu().double().numpy()
