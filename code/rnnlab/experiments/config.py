"""A run's configuration: everything its result depends on, frozen, with a stable text key.

``RunConfig.key`` spells every field as ``name=value`` in a fixed order (floats by ``repr``, the shortest text
that reads back as the same float), so the same config has the same key on any machine and in any Python run —
unlike ``hash()``, which Python salts per process. Changing any field, or a default, changes the key: a results
file whose keys are not those of its sweep is stale. The fields added after results were committed (``LATER``:
``truncate``, ``train``, ``omega``, ``init``, and Chapter 11's ``radius``, ``leak``, ``input_scale``, ``ridge``) are
spelled only where they differ from their defaults, so older configs keep their keys.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import torch

from .. import init, lru, models, reservoir_torch
from .._validate import check_choice, check_float, check_int
from ..train import TrainConfig
from .registry import task_spec

# tanh RNN, ReLU RNN with W_hh = I (Le et al. 2015), LSTM, GRU, linear-transition RNN (rnnlab.ltrnn; Henaff et al.),
# the deep LRU of rnnlab.lru (Orvieto et al. 2023: two blocks, states on the ring 0.9 ≤ |λ| ≤ 0.999), an echo state
# network's reservoir (rnnlab.reservoir: a leaky tanh RNN with a sparse W_hh scaled to a spectral radius; Jaeger 2001)
CELLS = ("rnn", "irnn", "lstm", "gru", "ltrnn", "lru", "esn")
# what RunConfig.train may update: every parameter, the readout only (by gradient), or the readout only, solved in
# closed form by ridge regression (rnnlab.readout.fit_ridge)
TRAINED = ("all", "readout", "ridge")
# W_hh's initialisation (see build_model): torch's default, Pascanu et al.'s "basic tanh", or one of rnnlab.init's
# families at scale 1 — "orthogonal" (Haar-random orthogonal), "gaussian" (entries N(0, 1/H)), "identity" — with zero
# biases
INITS = ("torch", "basic_tanh", "orthogonal", "gaussian", "identity")
FAMILY_INITS = ("orthogonal", "gaussian", "identity")  # the inits that are rnnlab.init families (init.apply, gain 1)
# fields added later: in the key and dict only when not these defaults
LATER = {"truncate": None, "train": "all", "omega": 0.0, "init": "torch", "radius": None, "leak": None,
         "input_scale": None, "ridge": None}
RESERVOIR = ("radius", "leak", "input_scale")  # the fields of cell "esn" (radius and leak needed, input_scale 1)


@dataclass(frozen=True)
class RunConfig:
    """One training run: task and lag, model and its initialisation, optimiser, data and evaluation, seed.

    Two controls change how the model learns (Chapter 8's latch), never what the record measures: the
    gradient-norm profiles (``models.hidden_gradient_norms``) are those of full BPTT whatever the controls.

    - ``truncate = k``: truncated BPTT. The T steps are cut into chunks of k counted back from the end (steps
      T−k+1 … T, then T−2k+1 … T−k, …) and the state entering each chunk is detached. A loss at the last step
      (latch, adding, temporal order) gets gradient through exactly its last k steps, a per-step loss (copy)
      through at most k. k = 1: the gradient reaches only x_T and the parameters of the last step, h_{T−1} is a
      constant. k ≥ T is full BPTT.
    - ``train = "readout"``: the cell is frozen at its initialisation (``requires_grad`` False during training)
      and the optimiser gets only the readout's W_out and b_out.

    Two more reproduce Pascanu, Mikolov & Bengio (2013)'s temporal-order experiment (Chapter 5): ``omega = α``
    adds α times their regularizer Ω to W_hh's gradient (``train.TrainConfig.omega``; tanh RNN only), and
    ``init = "basic_tanh"`` draws W_hh, W_xh and W_out from N(0, 0.1²) with zero biases (their "basic tanh").

    Chapter 11 adds the echo state network: ``cell = "esn"`` is a reservoir (``reservoir_torch.ESNClassifier``: W_hh
    sparse and scaled to spectral radius ``radius``, leaking rate ``leak``, W_xh scaled by ``input_scale``), whose
    cell is never trained; ``train = "ridge"`` solves the readout of any model in closed form by ridge regression
    with β = ``ridge`` (``readout.fit_ridge``) on the same batches a trained run would see.

    Chapter 6 compares initialisations of W_hh (after Henaff, Szlam & LeCun 2016): ``init = "orthogonal"`` makes
    W_hh a Haar-random orthogonal matrix, ``init = "gaussian"`` draws its entries from N(0, 1/H), ``init =
    "identity"`` sets W_hh = I (``rnnlab.init``'s families at scale 1, ``init.apply``); each zeroes the two cell
    biases and keeps torch's W_xh and readout, so that only W_hh differs from ``cell="irnn"`` (W_hh = I, ReLU, zero
    biases) besides the cell. They apply to the tanh RNN and to ``cell="ltrnn"``, the linear-transition RNN of
    ``rnnlab.ltrnn`` (h_t = W_hh h_{t−1} + b_hh + tanh(W_xh x_t + b_ih)), which needs one of them.
    """

    task: str  # a name of registry.TASKS
    T: int  # the lag: sequence length (the delay for "copy", whose sequences are T + 20 long)
    cell: str = "rnn"  # "rnn" (tanh), "irnn" (ReLU, W_hh = I, zero biases), "lstm", "gru", "ltrnn" (linear W_hh),
    #                    "lru" (lru.LRUClassifier: H wide, H complex states per layer), "esn" (a reservoir)
    hidden: int = 32  # hidden size H
    forget_bias: float | None = None  # LSTM only: b_f set by init.forget_bias; None keeps torch's init
    clip: float | None = None  # norm-clipping threshold, or None
    optimizer: str = "adam"  # "adam" or "sgd"
    lr: float = 1e-3  # learning rate
    steps: int = 500  # parameter updates, one fresh batch each
    batch: int = 32  # sequences per training batch
    eval_every: int = 50  # evaluate every this many steps (and at step 0 and at the end)
    eval_size: int = 500  # sequences in the held-out evaluation batch
    seed: int = 0  # 0 ≤ seed < 2**64: seeds the model's initial parameters, the training and evaluation data
    truncate: int | None = None  # None: full BPTT; k ≥ 1: gradient back at most k steps (see above)
    train: str = "all"  # "all" trains every parameter; "readout" only the readout, the cell stays as initialised
    omega: float = 0.0  # weight α of Pascanu et al.'s Ω added to W_hh's gradient (tanh RNN, full BPTT); 0: none
    init: str = "torch"  # "torch": torch's default; tanh RNN only: "basic_tanh" (N(0, 0.1²) weights, zero biases);
    #                      tanh RNN or LT-RNN: "orthogonal" (W_hh Haar-orthogonal), "gaussian" (W_hh ~ N(0, 1/H)),
    #                      "identity" (W_hh = I), each with zero biases
    radius: float | None = None  # cell "esn" only: the spectral radius ρ(W_hh) of the reservoir (≥ 0)
    leak: float | None = None  # cell "esn" only: the leaking rate, in (0, 1] (1: no leak)
    input_scale: float | None = None  # cell "esn" only: the scale of W_xh (None: 1)
    ridge: float | None = None  # train "ridge" only: β ≥ 0 of the ridge readout (readout.fit_ridge)

    def __post_init__(self):
        spec = task_spec(self.task)
        spec.make(1, check_int("T", self.T, low=1), np.random.default_rng(0))  # the task's own limits on T
        if not isinstance(self.cell, str):
            raise ValueError(f"cell must be one of {list(CELLS)}; got {self.cell!r}")
        check_choice("cell", self.cell, CELLS)
        check_int("hidden", self.hidden, low=1)
        check_int("eval_size", self.eval_size, low=1)
        models.check_seed(self.seed)  # 0 ≤ seed < 2**64: numpy refuses negative seeds, torch more than 64 bits
        if self.forget_bias is not None:
            check_float("forget_bias", self.forget_bias)
            if self.cell != "lstm":
                raise ValueError(f"forget_bias applies only to cell='lstm' (the others have no forget gate); "
                                 f"got cell={self.cell!r}")
        if self.truncate is not None:
            object.__setattr__(self, "truncate", check_int("truncate", self.truncate, low=1))
        check_choice("train", self.train, TRAINED)
        if self.train == "readout" and self.truncate is not None:
            raise ValueError(f"truncate applies only to train='all': with train='readout' no gradient enters the "
                             f"cell, so there is nothing to truncate; got truncate={self.truncate}")
        if not isinstance(self.init, str):
            raise ValueError(f"init must be one of {list(INITS)}; got {self.init!r}")
        check_choice("init", self.init, INITS)
        if self.init == "basic_tanh" and self.cell != "rnn":
            raise ValueError(f"init='basic_tanh' is Pascanu et al.'s initialisation of a tanh RNN: it needs "
                             f"cell='rnn'; got cell={self.cell!r}")
        if self.init in FAMILY_INITS and self.cell not in ("rnn", "ltrnn"):
            raise ValueError(f"init={self.init!r} initialises the single W_hh of a tanh RNN or an LT-RNN: it needs "
                             f"cell='rnn' or 'ltrnn' (the IRNN is cell='irnn'); got cell={self.cell!r}")
        if self.cell == "ltrnn" and self.init not in FAMILY_INITS:
            raise ValueError(f"cell='ltrnn' (a linear transition W_hh) needs its W_hh from a family: init must be one "
                             f"of {list(FAMILY_INITS)}; got init={self.init!r}")
        self._check_reservoir()
        check_float("omega", self.omega, low=0.0)
        if self.omega and (self.cell != "rnn" or self.train != "all"):
            raise ValueError(f"omega (Pascanu et al.'s Ω) acts on the W_hh of a tanh RNN that is trained: it needs "
                             f"cell='rnn' and train='all'; got cell={self.cell!r}, train={self.train!r}")
        self.train_config()  # checks clip, optimizer, lr, steps, batch, eval_every, omega with truncate
        for f in fields(self):  # store plain Python numbers, so that the key reads the same everywhere
            value = getattr(self, f.name)
            if f.name in ("lr", "omega") or (f.name in ("clip", "forget_bias", *RESERVOIR, "ridge")
                                               and value is not None):
                object.__setattr__(self, f.name, float(value))
            elif f.type == "int":
                object.__setattr__(self, f.name, int(value))

    def _check_reservoir(self) -> None:
        """The echo state network's fields belong to cell "esn" (radius and leak needed), ridge to train "ridge"."""
        given = [name for name in RESERVOIR if getattr(self, name) is not None]
        if self.cell != "esn" and given:
            raise ValueError(f"{', '.join(given)} set the reservoir of cell='esn'; got cell={self.cell!r}")
        if self.cell == "esn":
            if self.radius is None or self.leak is None:
                raise ValueError(f"cell='esn' needs its reservoir's spectral radius and leaking rate: radius ≥ 0 and "
                                 f"leak in (0, 1]; got radius={self.radius}, leak={self.leak}")
            check_float("radius", self.radius, low=0.0)
            check_float("leak", self.leak, low=0.0, high=1.0)
            if self.leak == 0:
                raise ValueError("leak must be in (0, 1]: with leak 0 the state never changes; got 0")
            if self.input_scale is not None:
                check_float("input_scale", self.input_scale, low=0.0)
            if self.train == "all":
                raise ValueError("cell='esn' is a reservoir: only its readout is trained (train='ridge' or "
                                 "'readout'); got train='all'")
        if (self.ridge is not None) != (self.train == "ridge"):
            raise ValueError(f"train='ridge' needs ridge=β ≥ 0 (the ridge readout's regularisation), and ridge "
                             f"belongs to train='ridge' only; got train={self.train!r}, ridge={self.ridge}")
        if self.train == "ridge":
            check_float("ridge", self.ridge, low=0.0)
            if self.clip is not None or self.truncate is not None:
                raise ValueError(f"train='ridge' solves the readout in closed form: no gradient to clip or truncate; "
                                 f"got clip={self.clip}, truncate={self.truncate}")

    def train_config(self) -> TrainConfig:
        """The ``rnnlab.train.TrainConfig`` of this run (no progress bar)."""
        return TrainConfig(steps=self.steps, batch_size=self.batch, lr=self.lr, optimizer=self.optimizer,
                           clip=self.clip, seed=self.seed, eval_every=self.eval_every, progress=False,
                           truncate=self.truncate, omega=self.omega)

    @property
    def key(self) -> str:
        """Stable text key, e.g. ``task=adding,T=50,cell=rnn,hidden=32,clip=None,…,seed=0``.

        Every field in definition order, except the later ones (``LATER``: ``truncate``, ``train``, ``omega``,
        ``init``) while they hold their defaults: ``…,seed=0,truncate=1`` for a truncated run, and the key a config
        had before those fields existed for every other, so that the committed results files keep their keys.
        """
        return ",".join(f"{name}={value!r}" if isinstance(value, float) else f"{name}={value}"
                        for name, value in self.to_dict().items())

    def to_dict(self) -> dict:
        """The fields as a plain dict (JSON-ready), the later ones only where not default (as in ``key``)."""
        return {name: value for name, value in asdict(self).items()
                if name not in LATER or value != LATER[name]}

    @classmethod
    def from_dict(cls, data: dict) -> "RunConfig":
        """The config whose ``to_dict()`` is ``data``; unknown fields, or a missing task or T, are an error."""
        if not isinstance(data, dict):
            raise ValueError(f"data must be a dict of RunConfig fields; got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        if set(data) - names:
            raise ValueError(f"data has fields RunConfig does not know: {sorted(set(data) - names)}")
        return cls(**data)


def build_model(config: RunConfig) -> models.RecurrentClassifier | lru.LRUClassifier | reservoir_torch.ESNClassifier:
    """The model of ``config``, initialised from ``config.seed`` (float64 parameters)."""
    if not isinstance(config, RunConfig):
        raise ValueError(f"config must be a RunConfig; got {type(config).__name__}")
    spec = task_spec(config.task)
    if config.cell == "lru":
        return lru.LRUClassifier(spec.input_size, config.hidden, spec.n_outputs, seed=config.seed,
                                 dtype=torch.float64, every_step=spec.every_step)
    if config.cell == "esn":
        scale = 1.0 if config.input_scale is None else config.input_scale
        return reservoir_torch.ESNClassifier(spec.input_size, config.hidden, spec.n_outputs, radius=config.radius,
                                             leak=config.leak, input_scale=scale, seed=config.seed,
                                             dtype=torch.float64, every_step=spec.every_step)
    cell = {"irnn": "rnn", "ltrnn": "lt"}.get(config.cell, config.cell)
    model = models.RecurrentClassifier(spec.input_size, config.hidden, spec.n_outputs, cell=cell,
                                       nonlinearity="relu" if config.cell == "irnn" else "tanh",
                                       seed=config.seed, dtype=torch.float64, every_step=spec.every_step)
    if config.cell == "irnn":
        init.apply(model, "identity", gain=1.0)
    if config.forget_bias is not None:
        init.forget_bias(model, config.forget_bias)
    if config.init == "basic_tanh":
        _basic_tanh(model, config.seed)
    elif config.init in FAMILY_INITS:  # W_hh from the family at scale 1, both cell biases 0, drawn from the seed
        init.apply(model, config.init, gain=1.0, seed=config.seed)
    return model


def _basic_tanh(model: models.RecurrentClassifier, seed: int) -> models.RecurrentClassifier:
    """Pascanu et al. (2013)'s "basic tanh" initialisation, in place: W_hh, W_xh, W_out ~ N(0, 0.1²), biases 0.

    The paper writes N(0, 0.1); the authors' code draws ``normal(scale=.1)``, a standard deviation of 0.1. The
    draws come from ``torch.Generator().manual_seed(seed)`` in the order W_xh, W_hh, W_out (the global torch RNG
    is not touched). Needs a tanh RNN (``cell="rnn"``).
    """
    if not isinstance(model, models.RecurrentClassifier) or model.cell_type != "rnn":
        raise ValueError(f"init='basic_tanh' needs a models.RecurrentClassifier with cell='rnn'; got {model!r:.60}")
    generator = torch.Generator().manual_seed(models.check_seed(seed))
    with torch.no_grad():
        for weight in (model.cell.weight_ih, model.cell.weight_hh, model.readout.weight):
            torch.nn.init.normal_(weight, 0.0, 0.1, generator=generator)
        for bias in (model.cell.bias_ih, model.cell.bias_hh, model.readout.bias):
            bias.zero_()
    return model
