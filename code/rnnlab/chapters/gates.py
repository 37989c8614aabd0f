"""Chapter 7: how much gradient the vanilla RNN, the LSTM and the GRU keep over a lag, at initialisation.

Every cell is a ``models.RecurrentClassifier`` cell with PyTorch's default initialisation (every weight and
bias ~ U(−1/√H, 1/√H)), seeded, copied to float64 NumPy and run by the library's hand-written forward passes
(``rnn``, ``lstm``, ``gru``). The **gain** over the lag n is the spectral norm of the product of step
Jacobians of the cell's whole state — h_t for the RNN and the GRU, the pair (h_t, c_t) for the LSTM —

    ‖∂h_T/∂h_{T−n}‖ (RNN, GRU), ‖∂(h_T, c_T)/∂(h_{T−n}, c_{T−n})‖ (LSTM), each = ‖J_T J_{T−1} ⋯ J_{T−n+1}‖,

the factor by which a gradient arriving at the last state can at most be multiplied on its way back n steps
(eq-gates-gain; Chapter 4's ``spectral.jacobian_product_norms``). For the LSTM we also report the direct cell
path alone, gates held fixed: ``max_j ∏_k f_{k,j}``, the norm of ``∏_k diag(f_k)`` (``lstm_jacobian.cell_path``).

``gate_bias`` sets the bias of the gate that carries the state: the LSTM's forget gate (b_if + b_hf, as
``init.forget_bias``) and the GRU's update gate z (b_iz + b_hz); None keeps PyTorch's random biases.
``chrono_T_max`` instead draws the LSTM's forget and input biases by the chrono initialisation (``init.chrono``);
:func:`time_scales` measures what either does to the forget gates' characteristic times 1/(1 − f).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import gru, init, lstm, lstm_jacobian, models, plotting, rnn, spectral
from .._validate import check_choice, check_float, check_int

CELLS = ("rnn", "lstm", "gru")
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}  # weight blocks stacked in weight_ih / weight_hh
D_INPUT = 2  # input size D of the retention measurements (as the adding problem)


def _check_cell(cell) -> str:
    if not isinstance(cell, str):
        raise ValueError(f"cell must be one of {CELLS}; got {cell!r}")
    return check_choice("cell", cell, CELLS)


def _check_gate_bias(gate_bias):
    return None if gate_bias is None else check_float("gate_bias", gate_bias)


def cell_params(cell: str, H: int, seed: int, gate_bias: float | None = None, D: int = D_INPUT,
                chrono_T_max: float | None = None) -> tuple:
    """The float64 parameters ``(weight_ih, weight_hh, bias_ih, bias_hh)`` of a PyTorch-initialised cell.

    Shapes (kH, D), (kH, H), (kH,), (kH,) with k = 1 (RNN), 4 (LSTM, gates i, f, g, o), 3 (GRU, r, z, n).
    ``gate_bias`` (see the module docstring) is ignored for the RNN, which has no gate. ``chrono_T_max`` (LSTM
    only, not together with ``gate_bias``) applies ``init.chrono(model, chrono_T_max, seed)``.
    """
    cell, gate_bias = _check_cell(cell), _check_gate_bias(gate_bias)
    H, D = check_int("H", H, low=1), check_int("D", D, low=1)
    if chrono_T_max is not None and (cell != "lstm" or gate_bias is not None):
        raise ValueError(f"chrono_T_max applies to an LSTM whose gate_bias is None (chrono sets the forget bias "
                         f"itself); got cell={cell!r}, gate_bias={gate_bias!r}")
    model = models.RecurrentClassifier(D, H, 1, cell=cell, seed=check_int("seed", seed, low=0))
    if chrono_T_max is not None:
        init.chrono(model, chrono_T_max, seed)
    elif gate_bias is not None and cell == "lstm":
        init.forget_bias(model, gate_bias)
    elif gate_bias is not None and cell == "gru":
        with torch.no_grad():
            model.cell.bias_ih[H:2 * H] = gate_bias  # the update gate z: rows H..2H (order r, z, n)
            model.cell.bias_hh[H:2 * H] = 0.0
    c = model.cell
    return tuple(p.detach().double().numpy().copy() for p in (c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh))


def forward(cell: str, params: tuple, x: np.ndarray):
    """Run the cell from a zero state over x (N, T, D); return ``(J, cache)``, J the step Jacobians.

    J has shape (N, T, S, S) with S = H (RNN, GRU) or 2H (LSTM, state ordered (h, c)).
    """
    cell = _check_cell(cell)
    if not isinstance(params, tuple) or len(params) != 4:
        raise ValueError(f"params must be (weight_ih, weight_hh, bias_ih, bias_hh), e.g. from cell_params; got "
                         f"{type(params).__name__}")
    W_ih, W_hh, b_ih, b_hh = params
    N, H = np.shape(x)[0], np.shape(W_hh)[1]
    h0 = np.zeros((N, H))  # (N, H)
    if cell == "rnn":
        _, cache = rnn.rnn_forward(x, h0, W_ih, W_hh, b_ih + b_hh)
        return rnn.step_jacobians(cache), cache
    if cell == "gru":
        _, cache = gru.gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
        return gru.step_jacobians(cache), cache
    _, _, cache = lstm.lstm_forward(x, h0, h0.copy(), W_ih, W_hh, b_ih, b_hh)
    return lstm_jacobian.step_jacobians(cache), cache


@dataclass(frozen=True)
class Retention:
    """The gain over the lag of one cell driven by one input sequence."""
    cell: str                     # "rnn", "lstm" or "gru"
    gains: np.ndarray             # (T+1,) the gain of eq-gates-gain for n = 0..T
    cell_path: np.ndarray | None  # (T+1,) LSTM only: max_j ∏_{k>T−n} f_{k,j}, the direct path through c
    forget: np.ndarray | None     # (T, H) LSTM f_t or GRU z_t (the carry gate) over time, else None

    @property
    def status(self) -> str:
        """The fate of the gain at the largest lag (``plotting.classify``)."""
        return plotting.classify(self.gains[-1])


def retention(cell: str, gate_bias: float | None = None, input_scale: float = 1.0, T: int = 100, H: int = 16,
              seed: int = 0) -> Retention:
    """Gain over lag of one PyTorch-initialised cell (seed ``seed``) driven by x_t ~ N(0, input_scale² I).

    Inputs and weights come from the same seed, so the three cells see the same sequence.
    """
    cell = _check_cell(cell)
    input_scale = check_float("input_scale", input_scale, low=0.0)
    T, H, seed = check_int("T", T, low=1, high=2000), check_int("H", H, low=1), check_int("seed", seed, low=0)
    x = input_scale * np.random.default_rng(seed).standard_normal((1, T, D_INPUT))  # (1, T, D)
    J, cache = forward(cell, cell_params(cell, H, seed, gate_bias), x)
    gains = spectral.jacobian_product_norms(J)[0]  # (T+1,)
    path = carry = None
    if cell == "lstm":
        carry = lstm_jacobian.cell_path(cache)[0]  # (T, H) f_t
        with np.errstate(under="ignore"):
            path = np.concatenate([[1.0], np.cumprod(carry[::-1], axis=0).max(axis=1)])  # (T+1,)
    elif cell == "gru":
        carry = cache.z[0].copy()  # (T, H) z_t
    return Retention(cell, gains, path, carry)


def retention_all(gate_bias: float = 0.0, input_scale: float = 1.0, T: int = 100, H: int = 16,
                  seed: int = 0) -> dict:
    """``{cell: Retention}`` for the three cells with the same gate bias, inputs and seed (the explorer's data)."""
    return {cell: retention(cell, gate_bias, input_scale, T, H, seed) for cell in CELLS}


def parameter_count(cell: str, D: int, H: int) -> int:
    """k(H² + HD + 2H) with k = 1, 4, 3 for the RNN, LSTM, GRU: PyTorch's weights plus its two bias vectors."""
    k = GATE_BLOCKS[_check_cell(cell)]
    D, H = check_int("D", D, low=1), check_int("H", H, low=1)
    return k * (H * H + H * D + 2 * H)


def multiply_adds(cell: str, D: int, H: int) -> int:
    """Multiply-adds of one step's matrix products, k(H² + HD) (elementwise gate work, O(kH), not counted)."""
    k = GATE_BLOCKS[_check_cell(cell)]
    D, H = check_int("D", D, low=1), check_int("H", H, low=1)
    return k * (H * H + H * D)


def total_cell_jacobian(cache, t: int) -> np.ndarray:
    """``dc_t/dc_{t−1}`` with ``h_{t−1} = o_{t−1} ⊙ tanh(c_{t−1})`` followed back (o_{t−1} fixed), example 0.

    From the step Jacobian's blocks (``step_jacobians``): ``diag(f_t) + (∂c_t/∂h_{t−1})
    diag(o_{t−1} ⊙ (1 − tanh²c_{t−1}))`` — the direct path plus the terms through h_{t−1} (eq-lstm-dcdc).

    Parameters
    ----------
    cache : lstm.Cache
    t : int, 2 ≤ t ≤ T

    Returns
    -------
    array, shape (H, H)
    """
    cache = lstm.check_cache(cache)
    N, T, H = cache.h.shape
    t = check_int("t", t, low=2, high=T)
    J = lstm_jacobian.step_jacobians(cache)[0, t - 1]  # (2H, 2H)
    o_prev = cache.gates[0, t - 2, 3 * H:]  # (H,)
    back = o_prev * (1.0 - np.tanh(cache.c[0, t - 2]) ** 2)  # (H,) ∂h_{t−1}/∂c_{t−1}, o fixed
    return J[H:, H:] + J[H:, :H] * back  # (H, H)


def autograd_cell_jacobian(params: tuple, x: np.ndarray, t: int) -> np.ndarray:
    """The same derivative as :func:`total_cell_jacobian`, by torch autograd through ``torch.nn.LSTMCell``.

    ``params`` as from :func:`cell_params` ("lstm"); ``x`` (1, T, D); example 0, zero initial state.
    """
    T = np.shape(x)[1]
    t = check_int("t", t, low=2, high=T)
    lstm_torch = lstm.to_torch(params)  # float64 nn.LSTM
    cell = torch.nn.LSTMCell(lstm_torch.input_size, lstm_torch.hidden_size, dtype=torch.float64)
    H = cell.hidden_size
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(lstm_torch, f"{name}_l0"))
        xt = torch.as_tensor(np.asarray(x, dtype=np.float64)[0])  # (T, D)
        out, (h, c) = lstm_torch(xt[None, :t - 1])  # (1, t−1, H): h_1..h_{t−1}; c: c_{t−1}
        h_before = out[0, t - 3] if t > 2 else torch.zeros(H, dtype=torch.float64)  # h_{t−2}
        a = cell.weight_ih @ xt[t - 2] + cell.bias_ih + cell.weight_hh @ h_before + cell.bias_hh  # (4H,) a_{t−1}
        o_prev = torch.sigmoid(a[3 * H:])  # (H,) o_{t−1}

    def step(c_prev):  # c_{t−1} -> c_t, with h_{t−1} = o_{t−1} ⊙ tanh(c_{t−1})
        return cell(xt[t - 1][None], ((o_prev * torch.tanh(c_prev))[None], c_prev[None]))[1][0]

    return torch.autograd.functional.jacobian(step, c[0, 0]).numpy()  # (H, H)


@dataclass(frozen=True)
class Traces:
    """Gate values of one LSTM and one GRU (same seed) over a pulse-then-silence input."""
    x: np.ndarray     # (T,) the input: amplitude at t = 1, 0 afterwards
    lstm: dict        # "i", "f", "o": (T, H) gates; "memory": (T,) max_j |c_t − c_t(no pulse)|
    gru: dict         # "z", "r": (T, H) gates; "memory": (T,) max_j |h_t − h_t(no pulse)|


def _pulse_run(cell: str, params: tuple, x: np.ndarray):
    """The cell's cache on x and its state's distance from the run without the pulse, max over units (T,)."""
    _, cache = forward(cell, params, x)
    _, silent = forward(cell, params, np.zeros_like(x))
    state = (lambda c: c.c) if cell == "lstm" else (lambda c: c.h)
    return cache, np.abs(state(cache)[0] - state(silent)[0]).max(axis=1)  # (T,)


def gate_traces(gate_bias: float = 0.0, amplitude: float = 1.0, T: int = 40, H: int = 8, seed: int = 0) -> Traces:
    """Gates of a PyTorch-initialised LSTM and GRU (D = 1, ``gate_bias`` as in :func:`cell_params`) over the
    input x_1 = ``amplitude``, x_t = 0 for t > 1, from a zero state; and how much of the pulse each state
    still holds: the distance from the same cell's state without the pulse."""
    amplitude = check_float("amplitude", amplitude)
    T, H, seed = check_int("T", T, low=2, high=2000), check_int("H", H, low=1), check_int("seed", seed, low=0)
    gate_bias = check_float("gate_bias", gate_bias)
    x = np.zeros((1, T, 1))  # (1, T, 1)
    x[0, 0, 0] = amplitude
    cache, c_memory = _pulse_run("lstm", cell_params("lstm", H, seed, gate_bias, D=1), x)
    i, f, _, o = np.split(cache.gates[0], 4, axis=1)  # (T, H) each
    g_cache, h_memory = _pulse_run("gru", cell_params("gru", H, seed, gate_bias, D=1), x)
    return Traces(x[0, :, 0], {"i": i, "f": f, "o": o, "memory": c_memory},
                  {"z": g_cache.z[0], "r": g_cache.r[0], "memory": h_memory})


@dataclass(frozen=True)
class TimeScales:
    """The characteristic times 1/(1 − f) of one LSTM's forget gates, one per unit."""
    at_bias: np.ndarray   # (H,) 1/(1 − σ(b_f)) = 1 + e^{b_f}: the time the bias alone sets (gate weights at 0)
    measured: np.ndarray  # (H,) 1/(1 − f̄_j), f̄_j the unit's forget gate averaged over the driven sequence
    cell_path: float      # max_j ∏_{t=1}^{T} f_{t,j}: the direct path's largest gain from c_T back to c_0
    T: int                # the length of the driving sequence


def time_scales(gate_bias: float | None = None, chrono_T_max: float | None = None, H: int = 64, T: int = 100,
                input_scale: float = 1.0, seed: int = 0) -> TimeScales:
    """Forget-gate time scales of a PyTorch-initialised LSTM (seed ``seed``) driven by x_t ~ N(0, input_scale² I).

    The forget bias is PyTorch's draw (both None), ``gate_bias`` for every unit (``init.forget_bias``) or the
    chrono initialisation with ``chrono_T_max`` (``init.chrono``). A constant forget value f keeps the fraction
    f^n = e^{n ln f} ≈ e^{−n(1−f)} of the cell after n steps, so 1/(1 − f) is the number of steps over which the
    cell path shrinks by about e.
    """
    input_scale = check_float("input_scale", input_scale, low=0.0)
    T, H, seed = check_int("T", T, low=1, high=2000), check_int("H", H, low=1), check_int("seed", seed, low=0)
    params = cell_params("lstm", H, seed, gate_bias, chrono_T_max=chrono_T_max)
    x = input_scale * np.random.default_rng(seed).standard_normal((1, T, D_INPUT))  # (1, T, D)
    zeros = np.zeros((1, H))  # (1, H)
    *_, cache = lstm.lstm_forward(x, zeros, zeros, *params)
    f = lstm_jacobian.cell_path(cache)[0]  # (T, H) f_t
    b_f = (params[2] + params[3])[H:2 * H]  # (H,) b_if + b_hf
    with np.errstate(under="ignore"):
        path = float(np.prod(f, axis=0).max())
    return TimeScales(1.0 + np.exp(b_f), 1.0 / (1.0 - f.mean(axis=0)), path, T)
