"""Seeds for claims about random families, and the spread of a quantity over them.

A sentence such as "for a random orthogonal W_hh the oldest term is below a fifth" is a claim about the
family, not about one draw. The chapters check such claims with :func:`over_seeds`, over the seeds that
:func:`claim_seeds` returns, and print the :class:`Spread` they found. Those seeds are ``0, 1, 2, 3, 4``
unless the environment variable ``RNNLAB_CLAIM_SEEDS`` names others (``"100-104"`` or ``"3,17,42,99,512"``,
at least five): the test suite re-runs every chapter with seeds the text was not written with, and a claim that
held only for its own seeds fails there. A number that belongs to one sampled matrix or run is not such a
claim: the chapter draws it from a fixed seed and calls it that sample's.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validate import check_callable, check_float, check_int

DEFAULT = (0, 1, 2, 3, 4)
MIN_SEEDS = 5
ENV = "RNNLAB_CLAIM_SEEDS"


def claim_seeds() -> tuple[int, ...]:
    """The seeds that claims about random families are checked over (see the module docstring)."""
    spec = os.environ.get(ENV, "").strip()
    if not spec:
        return DEFAULT
    try:
        if "-" in spec and "," not in spec:
            first, last = (int(part) for part in spec.split("-"))
            seeds = tuple(range(first, last + 1))
        else:
            seeds = tuple(int(part) for part in spec.split(","))
    except ValueError:
        raise ValueError(f"{ENV} must be a range like '100-104' or a list like '3,17,42,99,512'; got {spec!r}") \
            from None
    _check_distinct(f"the seeds in {ENV}", seeds, repr(spec))
    if len(seeds) < MIN_SEEDS or min(seeds) < 0:
        raise ValueError(f"{ENV} must name at least {MIN_SEEDS} distinct non-negative seeds; got {spec!r}")
    return seeds


@dataclass(frozen=True)
class Spread:
    """One quantity measured once per seed."""
    seeds: tuple    # the seeds, in order
    values: tuple   # the quantity for each seed

    def __post_init__(self):
        if not isinstance(self.seeds, (tuple, list)) or not isinstance(self.values, (tuple, list)) \
                or len(self.seeds) != len(self.values) or not self.values:
            raise ValueError(f"Spread needs seeds and values as tuples, one value per seed (at least one); "
                             f"got {self.seeds!r} and {self.values!r}")
        for value in self.values:
            if np.isnan(check_float("each value", value, finite=False)):
                raise ValueError("each value must be a number, not NaN (a spread with NaN has no order)")

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def format(self, fmt: str = ".2g") -> str:
        """``"0.14–0.17 over 5 seeds"`` (one value if all agree at that precision)."""
        try:
            low, high = format(self.min, fmt), format(self.max, fmt)
        except (TypeError, ValueError) as err:
            raise ValueError(f"fmt must be a number format such as '.2g' or '.3f'; got {fmt!r}") from err
        span = low if low == high else f"{low}–{high}"
        return f"{span} over {len(self.seeds)} seeds"

    def __str__(self) -> str:
        return self.format()


def over_seeds(measure: Callable[[int], float], seeds=None) -> Spread:
    """``measure(seed)`` for every claim seed (or the ``seeds`` given): the spread of a random family's quantity.

    ``measure`` takes a seed and returns a real number; build its generator from it,
    ``np.random.default_rng(seed)``.
    """
    check_callable("measure", measure, "a function seed -> number")
    seeds = claim_seeds() if seeds is None else _check_seeds(seeds)
    values = []
    for seed in seeds:
        value = measure(seed)
        if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array stands for its number
            value = value[()]
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
            raise TypeError(f"measure(seed) must return a real number; got {type(value).__name__} for seed {seed}")
        if np.isnan(value):
            raise ValueError(f"measure(seed) returned NaN for seed {seed}; a spread with NaN has no order")
        values.append(float(value))
    return Spread(tuple(seeds), tuple(values))


def _check_seeds(seeds) -> tuple:
    """The seeds given to ``over_seeds``: distinct non-negative integers, at least one."""
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise ValueError(f"seeds must be a list of non-negative integers, e.g. [0, 1, 2, 3, 4]; got {seeds!r}")
    seeds = tuple(seeds)
    if len(seeds) == 0:
        raise ValueError("seeds must not be empty")
    for seed in seeds:
        check_int("each of seeds", seed, low=0)
    _check_distinct("seeds", seeds, seeds)
    return seeds


def _check_distinct(name: str, seeds: tuple, given) -> None:
    """Refuse a repeated seed: it would count one draw twice. ``given`` is what the caller passed."""
    repeated = next((seed for seed in seeds if seeds.count(seed) > 1), None)
    if repeated is not None:
        times = seeds.count(repeated)
        raise ValueError(f"{name} must be distinct (a repeated seed counts one draw twice); got {given}, in which "
                         f"seed {repeated} appears {'twice' if times == 2 else f'{times} times'}")
