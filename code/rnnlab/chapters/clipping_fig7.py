"""Chapter 5, §5.5: Pascanu et al. (2013)'s temporal-order experiment (their Fig. 7) at CPU scale, read from the
committed sweeps ``clip-order-lr`` (learning rates, tuning seeds) and ``clip-order`` (the reported runs).

Three variants of plain minibatch SGD (``experiments.sweeps.PASCANU_VARIANTS``): MSGD, MSGD-C (norm clipping at 1)
and MSGD-CR (clipping and Ω, weight 4). A run **reaches** the criterion when an evaluation finds at least 99% of
the held-out sequences right (``record["steps_to_solve"]`` is not None): Pascanu et al. stop training there. It is
**solved** (``record["solved"]``) when that still holds at its last step. Nothing here trains.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import plotting
from .._validate import check_choice
from ..experiments import store
from ..experiments.sweeps import PASCANU_LRS, PASCANU_VARIANTS, get_sweep

NAMES = {(None, 0.0): "MSGD", (1.0, 0.0): "MSGD-C", (1.0, 4.0): "MSGD-CR"}  # Pascanu et al.'s names
assert tuple(NAMES) == PASCANU_VARIANTS
COLORS = {"MSGD": "orange", "MSGD-C": "blue", "MSGD-CR": "green"}


def variant(config) -> str:
    """Pascanu et al.'s name of a config's variant: "MSGD", "MSGD-C" or "MSGD-CR"."""
    return NAMES[(config.clip, config.omega)]


@dataclass(frozen=True)
class Runs:
    """The configs of a sweep and the records finished so far."""
    sweep: str
    configs: tuple  # RunConfigs, in sweep order
    records: dict  # key -> record

    @property
    def complete(self) -> bool:
        return all(c.key in self.records for c in self.configs)

    @property
    def wall_time(self) -> float:
        """Seconds of run time of the finished records (one job: the sweep's wall time, less start-up)."""
        return float(sum(r["wall_time"] for r in self.records.values()))

    def select(self, name: str, **fields) -> list:
        """(config, record) of the finished runs of variant ``name`` whose fields equal ``fields`` (e.g. T=30)."""
        check_choice("variant", name, NAMES.values())
        return [(c, self.records[c.key]) for c in self.configs if variant(c) == name and c.key in self.records
                and all(getattr(c, f) == v for f, v in fields.items())]


def load(name: str, folder=None) -> Runs:
    """The runs of sweep ``name`` ("clip-order" or "clip-order-lr") from its results file in ``folder``."""
    check_choice("sweep", name, ("clip-order", "clip-order-lr"))
    sweep = get_sweep(name)
    records = store.ResultsFile(sweep, folder).records
    return Runs(name, sweep.configs, {c.key: records[c.key] for c in sweep.configs if c.key in records})


def reached(record: dict) -> bool:
    """Did an evaluation find the criterion met (where Pascanu et al. would have stopped)?"""
    return record["steps_to_solve"] is not None


@dataclass(frozen=True)
class Tuning:
    """One variant's tuning runs: at each learning rate, runs that reached the criterion and their cost."""
    variant: str
    lrs: tuple
    reached: tuple  # runs that reached the criterion, per lr
    runs: tuple  # runs finished, per lr
    steps: tuple  # per lr: the summed steps to reach it, an unreached run counting the whole budget
    accuracy: tuple  # per lr: the mean final accuracy of its runs

    @property
    def best(self) -> float:
        """The lr with most runs reaching the criterion; ties: fewest summed steps (an unreached run counts the
        budget), then the higher mean final accuracy, then the smaller lr."""
        order = sorted(range(len(self.lrs)),
                       key=lambda i: (-self.reached[i], self.steps[i], -self.accuracy[i], self.lrs[i]))
        return self.lrs[order[0]]


def tuning(runs: Runs) -> dict:
    """variant -> :class:`Tuning` from the learning-rate sweep (``clip-order-lr``)."""
    out = {}
    for name in NAMES.values():
        rows = [runs.select(name, lr=lr) for lr in PASCANU_LRS]
        out[name] = Tuning(name, PASCANU_LRS, tuple(sum(reached(r) for _, r in row) for row in rows),
                           tuple(len(row) for row in rows),
                           tuple(sum(r["steps_to_solve"] if reached(r) else c.steps for c, r in row)
                                 for row in rows),
                           tuple(float(np.mean([r["final_metric"] for _, r in row])) if row else np.nan
                                 for row in rows))
    return out


@dataclass(frozen=True)
class Success:
    """One variant over the lengths of ``clip-order``."""
    variant: str
    lr: float
    lags: tuple
    reached: tuple  # runs that reached the criterion at each length
    solved: tuple  # runs solved at their last step
    nonfinite: tuple  # runs stopped by a NaN/inf loss or gradient
    runs: tuple  # runs finished at each length
    steps: tuple  # at each length, the steps to reach the criterion of the runs that did

    @property
    def rate(self) -> np.ndarray:
        """Fraction of the finished runs that reached the criterion, per length (NaN where none finished)."""
        runs = np.asarray(self.runs, dtype=float)
        return np.divide(self.reached, runs, out=np.full(len(runs), np.nan), where=runs > 0)

    def count(self, T: int) -> str:
        i = self.lags.index(T)
        return f"{self.reached[i]}/{self.runs[i]}"


def success(runs: Runs) -> dict:
    """variant -> :class:`Success` from the reported sweep (``clip-order``)."""
    lags = tuple(sorted({c.T for c in runs.configs}))
    out = {}
    for name in NAMES.values():
        rows = [runs.select(name, T=T) for T in lags]
        lrs = {c.lr for c in runs.configs if variant(c) == name}
        if len(lrs) != 1:
            raise ValueError(f"sweep {runs.sweep!r} has {len(lrs)} learning rates for {name}; expected one")
        out[name] = Success(name, lrs.pop(), lags,
                            tuple(sum(reached(r) for _, r in row) for row in rows),
                            tuple(sum(r["solved"] for _, r in row) for row in rows),
                            tuple(sum(r["diverged_at"] is not None for _, r in row) for row in rows),
                            tuple(len(row) for row in rows),
                            tuple(tuple(r["steps_to_solve"] for _, r in row if reached(r)) for row in rows))
    return out


def draw_success(ax, table: dict) -> None:
    """Rate of runs reaching the criterion against the length, one line per variant (Pascanu et al.'s Fig. 7)."""
    for i, s in enumerate(table.values()):
        x = np.asarray(s.lags) + (i - 1) * 0.4  # a small offset, so that equal rates stay visible
        ax.plot(x, s.rate, "o-", color=plotting.COLORS[COLORS[s.variant]], lw=1.2, ms=4,
                label=f"{s.variant} (lr {s.lr:g})")
    ax.set(xlabel="sequence length T", ylabel="rate of success", ylim=(-0.05, 1.05),
           xticks=list(next(iter(table.values())).lags))
    ax.legend(fontsize=7)
