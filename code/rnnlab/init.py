"""Initialisation families for the recurrent matrix W_hh, for NumPy and for a torch RecurrentClassifier.

Three families, each scaled by a gain g:

- ``"gaussian"``: i.i.d. entries ``W_ij ~ N(0, g²/H)``; for large H the eigenvalues fill the disc of radius g
  (circular law) while σ_max(W) ≈ 2g, so at g = 1 the matrix sits on the edge between shrinking and growing.
- ``"orthogonal"``: ``W = g Q`` with Q Haar-random orthogonal (``QᵀQ = I``): every singular value is g. Saxe,
  McClelland & Ganguli (2014) proposed orthogonal initial weights; ``torch.nn.init.orthogonal_`` cites them.
- ``"identity"``: ``W = g I``. With ReLU units and zero biases this is the IRNN of Le, Jaitly & Hinton (2015).

``recurrent_matrix`` returns W (H, H) as a NumPy array for the hand-written RNN of ``rnnlab.rnn``;
``apply`` writes the same family into the cell of a ``models.RecurrentClassifier`` with torch's own
initialisers (``orthogonal_``, ``eye_``, ``normal_``) and a seeded ``torch.Generator``. ``forget_bias`` sets an
LSTM classifier's forget-gate bias to one value; ``chrono`` draws the forget- and input-gate biases by the chrono
initialisation of Tallec & Ollivier (2018), from ``chrono_biases`` (Chapter 7).
"""
from __future__ import annotations

import numpy as np
import torch

from . import spectral
from ._validate import check_choice, check_float, check_int, check_rng
from .models import RecurrentClassifier

FAMILIES = ("gaussian", "orthogonal", "identity")


def _check_family(family) -> str:
    if not isinstance(family, str):
        raise ValueError(f"family must be one of {FAMILIES}; got {family!r}")
    return check_choice("family", family, FAMILIES)


def recurrent_matrix(family: str, H: int, gain: float, rng: np.random.Generator) -> np.ndarray:
    """W_hh (H, H) of an initialisation family, scaled by ``gain``.

    Parameters
    ----------
    family : {"gaussian", "orthogonal", "identity"}
        ``g·G`` with ``G_ij ~ N(0, 1/H)``; ``g·Q`` with Q Haar-orthogonal; ``g·I``.
    H : int ≥ 1
        Hidden size.
    gain : float ≥ 0
        The scale g. Singular values: all g (orthogonal, identity); about 0 to 2g (Gaussian, large H).
    rng : np.random.Generator
        Source of randomness (unused by "identity", but checked, so every call looks the same).

    Returns
    -------
    numpy.ndarray, shape (H, H), float64
    """
    family = _check_family(family)
    H = check_int("H", H, low=1)
    gain = check_float("gain", gain, low=0.0)
    rng = check_rng(rng)
    if family == "gaussian":
        return spectral.gaussian(H, rng, scale=gain)  # (H, H)
    if family == "orthogonal":
        return gain * spectral.orthogonal(H, rng)  # (H, H)
    return gain * np.eye(H)  # (H, H)


def apply(model: RecurrentClassifier, family: str, gain: float = 1.0, seed: int = 0) -> RecurrentClassifier:
    """Initialise ``model.cell.weight_hh`` (W_hh) in place from a family and set both cell biases to 0.

    Uses torch's initialisers with ``torch.Generator().manual_seed(seed)`` (the global torch RNG is not
    touched): ``orthogonal_(W, gain)``, ``eye_(W)·gain`` or ``normal_(W, 0, gain/√H)``. The input weights
    W_xh and the readout keep the model's own initialisation. Zero biases make the identity family the IRNN
    of Le et al. (2015); the other families get them too, so that only W_hh differs between families.

    Parameters
    ----------
    model : RecurrentClassifier
        Must have ``cell="rnn"`` or ``"lt"`` (a single W_hh; LSTM and GRU stack gate blocks).
    family : {"gaussian", "orthogonal", "identity"}
    gain : float ≥ 0
    seed : int ≥ 0

    Returns
    -------
    The same model (for chaining).
    """
    if not isinstance(model, RecurrentClassifier):
        raise ValueError(f"model must be a models.RecurrentClassifier; got {type(model).__name__}")
    if model.cell_type not in ("rnn", "lt"):
        raise ValueError(f"model must have cell='rnn' or 'lt' (one square W_hh); got cell={model.cell_type!r}, whose "
                         f"weight_hh stacks gate blocks")
    family = _check_family(family)
    gain = check_float("gain", gain, low=0.0)
    seed = check_int("seed", seed, low=0)
    generator = torch.Generator().manual_seed(seed)
    W = model.cell.weight_hh  # (H, H)
    with torch.no_grad():
        if family == "orthogonal":
            torch.nn.init.orthogonal_(W, gain=gain, generator=generator)
        elif family == "identity":
            torch.nn.init.eye_(W).mul_(gain)
        else:
            torch.nn.init.normal_(W, 0.0, gain / np.sqrt(model.hidden_size), generator=generator)
        model.cell.bias_hh.zero_()
        model.cell.bias_ih.zero_()
    return model


def recurrent_weight(model: RecurrentClassifier) -> np.ndarray:
    """``model.cell.weight_hh`` as a float64 NumPy array (H, H), detached (for ``spectral`` functions)."""
    if not isinstance(model, RecurrentClassifier) or model.cell_type != "rnn":
        raise ValueError(f"model must be a models.RecurrentClassifier with cell='rnn'; got {model!r:.60}")
    return model.cell.weight_hh.detach().cpu().double().numpy()


def _check_lstm(model, why: str) -> None:
    """A ValueError unless ``model`` is a RecurrentClassifier with an LSTM cell; ``why`` says why one is needed."""
    if not isinstance(model, RecurrentClassifier) or model.cell_type != "lstm":
        got = f"cell={model.cell_type!r}" if isinstance(model, RecurrentClassifier) else type(model).__name__
        raise ValueError(f"model must be a models.RecurrentClassifier with cell='lstm' ({why}); got {got}")


def forget_bias(model: RecurrentClassifier, value: float) -> RecurrentClassifier:
    """Set an LSTM's forget-gate bias in place: ``b_if + b_hf = value`` for every unit (FACTS-PART2 §3).

    PyTorch draws both biases from U(−1/√H, 1/√H), so their sum has mean 0 and f_t ≈ σ(0) = ½ at the start;
    it has no ``forget_bias`` argument. This writes ``value`` into ``cell.bias_ih[H:2H]`` and 0 into
    ``cell.bias_hh[H:2H]`` (only the sum counts); the other gates keep their biases. ``value = 1`` is the
    recommendation of Jozefowicz et al. (2015) (Keras ``unit_forget_bias=True``).

    Parameters
    ----------
    model : RecurrentClassifier
        Must have ``cell="lstm"`` (gate order i, f, g, o).
    value : float
        The forget-gate bias b_f = b_if + b_hf (finite, also in the model's dtype: |value| ≤ 3.4e38 in float32).

    Returns
    -------
    The same model (for chaining).
    """
    _check_lstm(model, "it has a forget gate")
    value = check_float("value", value)
    dtype = model.cell.bias_ih.dtype
    if not torch.isfinite(torch.tensor(value, dtype=torch.float64).to(dtype)):  # e.g. 1e300 in float32
        raise ValueError(f"value must be representable in the model's dtype {dtype} (|value| ≤ "
                         f"{torch.finfo(dtype).max:.3g}); got {value!r}")
    H = model.hidden_size
    with torch.no_grad():
        model.cell.bias_ih[H:2 * H] = value
        model.cell.bias_hh[H:2 * H] = 0.0
    return model


def chrono_biases(H: int, T_max: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Chrono initialisation's biases (Tallec & Ollivier, 2018): ``b_f ~ log U([1, T_max − 1])``, ``b_i = −b_f``.

    With the gates' weights at 0, f = σ(b_f) and the forget gate's characteristic time ``1/(1 − f) = 1 + e^{b_f}``
    is uniform on ``[2, T_max]``: each unit forgets on its own time scale, the longest one T_max steps, the
    longest dependency the task is expected to hold. The input gate gets the mirror bias, so that i = 1 − f at
    that point (a unit that keeps long writes little).

    Parameters
    ----------
    H : int ≥ 1
        Hidden size (one bias per unit).
    T_max : float ≥ 2
        The longest dependency, in steps. T_max = 2 gives b_f = 0, PyTorch's mean forget bias.
    rng : np.random.Generator
        Source of the uniform draws.

    Returns
    -------
    (b_i, b_f) : arrays of shape (H,), float64
    """
    H = check_int("H", H, low=1)
    T_max = check_float("T_max", T_max)
    if T_max < 2:
        raise ValueError(f"T_max must be at least 2 steps (the longest dependency the forget gates should span; "
                         f"b_f is drawn from log U([1, T_max − 1])); got {T_max!r}")
    rng = check_rng(rng)
    b_f = np.log(rng.uniform(1.0, T_max - 1.0, size=H))  # (H,)
    return -b_f, b_f


def chrono(model: RecurrentClassifier, T_max: float, seed: int = 0) -> RecurrentClassifier:
    """Chrono-initialise an LSTM's gate biases in place (Tallec & Ollivier, 2018), from :func:`chrono_biases`.

    Writes ``b_f`` into ``cell.bias_ih[H:2H]`` and ``b_i = −b_f`` into ``cell.bias_ih[:H]``, and 0 into the same
    rows of ``cell.bias_hh`` (only the sums b_if + b_hf and b_ii + b_hi count); the weights and the other gates'
    biases keep their values. Draws from ``np.random.default_rng(seed)``; the global RNGs are not touched.

    Parameters
    ----------
    model : RecurrentClassifier
        Must have ``cell="lstm"`` (gate order i, f, g, o).
    T_max : float ≥ 2
        The longest dependency, in steps, the forget gates should span at the start.
    seed : int ≥ 0

    Returns
    -------
    The same model (for chaining).
    """
    _check_lstm(model, "chrono sets its forget and input gates")
    seed = check_int("seed", seed, low=0)
    H = model.hidden_size
    b_i, b_f = chrono_biases(H, T_max, np.random.default_rng(seed))
    with torch.no_grad():
        model.cell.bias_ih[:H] = torch.from_numpy(b_i)
        model.cell.bias_ih[H:2 * H] = torch.from_numpy(b_f)
        model.cell.bias_hh[:2 * H] = 0.0
    return model
