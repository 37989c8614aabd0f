"""``run(config) -> record``: one training run, a pure function of its config.

The record holds, for the config's task (``registry``): whether the run solved it, the first evaluation step at
which the criterion held, the final metric beside the task's baseline, the gradient-norm profile ‖∂L/∂h_t‖ over
t at initialisation and at the end (``models.hidden_gradient_norms`` on a fixed probe batch), the step at which
the loss or gradient diverged (or None), the evaluation metric at every evaluation (``curve``) and the wall time.
A run of the same config cut to its first S steps (a multiple of ``eval_every``) reproduces the first
S / eval_every + 1 values of the curve: an expensive record can be checked on a prefix. The controls
``RunConfig.truncate`` and ``train`` shape the training updates only; the profiles are always full BPTT's, of the
whole model. With ``train = "ridge"`` there
are no updates: the readout is solved in closed form from the same batches (``readout.fit_ridge``), and the steps
count batches.

Determinism: the model's parameters come from ``config.seed`` (float64), the training batches from
``np.random.default_rng(seed)``, the evaluation and probe batches from ``default_rng([seed, 1])`` and
``default_rng([seed, 2])``; torch runs single-threaded with deterministic algorithms during the run (both
settings are restored after it; on "cuda" a nondeterministic kernel warns instead of failing, and records
are not promised to match the CPU's). Numbers are rounded to ``DIGITS`` significant digits, so that the
last-bit differences of another machine's arithmetic do not show in the record (a run that amplifies them over
many steps could still differ). Records are compared in every field but ``wall_time`` (``COMPARED``):
``same_record`` asks for equality, which holds for two runs on one machine; ``same_outcome`` asks what a run on
another CPU can promise (its vector kernels round differently, and training amplifies that over thousands of
steps: measured with torch's AVX2 kernels against its AVX-512 ones, 0.08–29 % in an unsolved run's final metric
and up to 90 % in a final gradient norm after 3000 steps). ``tests/test_experiments_reproduce.py`` checks a
committed record with ``same_record`` where it was made on a CPU like this one (``VERSIONS["cpu"]``), else with
``same_outcome``.
"""
from __future__ import annotations

import math
import os
import platform
import time

import numpy as np
import torch

from .. import __version__, models, readout, train
from .._validate import check_float
from ..tasks import Batch
from .config import RunConfig, build_model
from .registry import task_spec

DIGITS = 4  # significant digits kept in a record
PROBE = 32  # sequences in the batch the gradient-norm profile is averaged over
COMPARED = ("solved", "steps_to_solve", "final_metric", "metric", "baseline", "threshold", "diverged_at",
            "grad_norms_init", "grad_norms_final")  # every field but wall_time …
# … and, where both records have them, the per-sequence rule's fraction (regression tasks) and the curve (records
# committed before either existed do not carry it)
OPTIONAL = ("correct", "curve")


def cpu_signature() -> str:
    """What decides the last bits of a run's arithmetic on this machine, beside the versions: the architecture,
    the CPU's vendor, the vector instruction set torch dispatches to, and MKL's reproducibility mode if set."""
    vendor = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            vendor = next((line.split(":", 1)[1].strip() for line in f if line.startswith("vendor_id")), vendor)
    except OSError:
        pass
    mkl = os.environ.get("MKL_CBWR")
    return " ".join([platform.machine(), vendor, torch.backends.cpu.get_cpu_capability()]
                    + ([f"MKL_CBWR={mkl}"] if mkl else []))


# What this process computes records with. Two runs with the same versions agree exactly (``same_record``); a
# record made under another ``cpu`` is compared by outcome (``same_outcome``).
VERSIONS = {"rnnlab": __version__, "torch": torch.__version__, "cpu": cpu_signature()}
# What a run on another CPU must reproduce (see the module docstring): the same outcome, a step count within 10 %
# or two evaluations, the initial profile to its rounding, and the fate (vanished / within / exploded) of the
# final profile's gain.
STEP_SLACK, INIT_SLACK = 0.10, 2e-3


def check_device(device) -> str:
    """``device`` is "cpu" or "cuda"; "cuda" only where torch has a GPU."""
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda'; got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device='cuda' needs a GPU that torch can use, but torch.cuda.is_available() is False "
                         f"here (torch {torch.__version__}); use device 'cpu'")
    return device


def rounded(value):
    """``value`` (a number or a list of numbers) rounded to DIGITS significant digits; NaN/inf kept."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [rounded(v) for v in value]
    value = check_float("value", value, finite=False)
    return float(f"{value:.{DIGITS}g}") if math.isfinite(value) else value


def _on_device(make, device: str):
    """The task ``make`` with its batches moved to ``device``."""
    if device == "cpu":
        return make

    def task(n, T, rng):
        batch = make(n, T, rng)
        return Batch(x=batch.x.to(device), y=batch.y.to(device))

    return task


def run(config: RunConfig, device: str = "cpu") -> dict:
    """Train the model of ``config`` on its task and return the record (see the module docstring).

    Parameters
    ----------
    config : RunConfig
        Task, lag, model, optimiser, steps, batch and seed.
    device : {"cpu", "cuda"}
        Where the model and the batches live ("cuda" only if torch has one).

    Returns
    -------
    dict
        ``solved`` (bool: the criterion holds at the end), ``steps_to_solve`` (int or None), ``final_metric``,
        ``metric`` (its name), ``baseline`` and ``threshold`` (at this T), ``diverged_at`` (int or None),
        ``grad_norms_init`` and ``grad_norms_final`` (lists over t = 1 .. T), ``curve`` (the evaluation metric at
        steps 0, eval_every, 2 eval_every, …, and the last step: ``train.History.eval_metric``), for a regression
        task ``correct``
        (the fraction of evaluation sequences within the task's per-sequence tolerance, ``registry``), and
        ``wall_time`` (seconds).
    """
    if not isinstance(config, RunConfig):
        raise ValueError(f"config must be a RunConfig; got {type(config).__name__}")
    device = check_device(device)
    spec = task_spec(config.task)
    start = time.perf_counter()
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True, warn_only=device == "cuda")  # cuBLAS needs CUBLAS_WORKSPACE_CONFIG
    try:
        task = _on_device(spec.make, device)
        model = build_model(config).to(device)
        eval_batch = task(config.eval_size, config.T, np.random.default_rng([config.seed, 1]))
        probe = task(PROBE, config.T, np.random.default_rng([config.seed, 2]))
        model.cell.requires_grad_(True)  # the profile needs a graph through the cell (a reservoir's is frozen)
        grads_init = models.hidden_gradient_norms(model, probe, spec.loss)
        model.cell.requires_grad_(config.train == "all")  # "readout", "ridge": the readout only
        if config.train == "ridge":  # the readout in closed form, batch by batch (an echo state network's training)
            history = readout.fit_ridge(model, task, config.train_config(), config.T, loss=spec.loss,
                                        eval_batch=eval_batch, score=spec.score, beta=config.ridge)
        else:
            history = train.train(model, task, config.train_config(), config.T, loss=spec.loss,
                                  eval_batch=eval_batch, score=spec.score)
        model.cell.requires_grad_(True)  # the final profile needs a graph through the (unchanged) cell
        final = history.eval_metric[-1]
        if history.diverged_at is not None:  # the model stopped before the step that would have spoilt it
            final = train.evaluate(model, eval_batch, spec.loss, spec.score)
        grads_final = models.hidden_gradient_norms(model, probe, spec.loss)
        correct = None if spec.tolerance is None else train.fraction_within(model, eval_batch, spec.tolerance)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    solved_at = [s for s, m in zip(history.eval_steps, history.eval_metric) if spec.solved(rounded(m), config.T)]
    return {"solved": spec.solved(rounded(final), config.T),
            "steps_to_solve": solved_at[0] if solved_at else None,
            "final_metric": rounded(final), "metric": spec.metric,
            "baseline": rounded(spec.baseline(config.T)), "threshold": rounded(spec.threshold(config.T)),
            "diverged_at": history.diverged_at,
            "grad_norms_init": rounded(grads_init), "grad_norms_final": rounded(grads_final),
            "curve": rounded(history.eval_metric),
            **({} if correct is None else {"correct": rounded(correct)}),
            "wall_time": round(time.perf_counter() - start, 3)}


def run_with_versions(config: RunConfig, device: str = "cpu") -> dict:
    """``run(config, device)``'s record plus ``versions``: the rnnlab and torch of the process that ran it.

    What workers compute (a Dask worker may have another torch than the process that saves the record).
    """
    return {**run(config, device), "versions": dict(VERSIONS)}


def same_record(a: dict, b: dict) -> bool:
    """Do two records agree on every compared field (all but the wall time)?"""
    _check_records(a, b)
    return (all(_same(a.get(f), b.get(f)) for f in COMPARED) and all(f in a and f in b for f in COMPARED)
            and all(_same(a[f], b[f]) for f in OPTIONAL if f in a and f in b))


def _check_records(a, b) -> None:
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, dict):
            raise ValueError(f"{name} must be a record (dict) returned by run; got {type(value).__name__}")


def _same(x, y) -> bool:
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_same(u, v) for u, v in zip(x, y))
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return x == y


def same_outcome(a: dict, b: dict, config: RunConfig) -> list[str]:
    """How two records of ``config`` differ beyond what another CPU's arithmetic explains; [] if they do not.

    ``a`` and ``b`` are records of the same config (one computed here, one committed, say). Exact: ``solved``,
    ``metric``, ``baseline``, ``threshold``, whether the run diverged, and (where both have ``correct``) the
    per-sequence rule's verdict. Within a slack: the steps to solve and
    to diverge (``STEP_SLACK`` of the larger, or two evaluations) and the initial gradient-norm profile
    (``INIT_SLACK``, relative: its 4th digit; nothing has been trained yet). Of the final profile only the fate of
    its gain (first norm over the last non-zero one) is compared, and the final metric not at all: a solved run's
    is below the threshold in both, and an unsolved run's wanders with the trajectory (see the module docstring).
    """
    from ..plotting import classify  # matplotlib: only where records are compared

    _check_records(a, b)
    if not isinstance(config, RunConfig):
        raise ValueError(f"config must be the RunConfig of both records; got {type(config).__name__}")
    missing = [f for f in COMPARED if f not in a or f not in b]
    if missing:
        return [f"missing fields {missing}"]
    differ = [f for f in ("solved", "metric", "baseline", "threshold") if a[f] != b[f]]
    if "correct" in a and "correct" in b:  # the per-sequence rule's verdict, exact like ``solved``
        spec = task_spec(config.task)
        if spec.solved_per_sequence(a["correct"]) != spec.solved_per_sequence(b["correct"]):
            differ.append(f"correct {a['correct']} vs {b['correct']} (the per-sequence rule)")
    steps = max(STEP_SLACK, 2 * config.eval_every / config.steps)
    for f in ("steps_to_solve", "diverged_at"):
        if (a[f] is None) != (b[f] is None) or a[f] is not None and not _close(a[f], b[f], steps * config.steps):
            differ.append(f"{f} {a[f]} vs {b[f]}")
    if len(a["grad_norms_init"]) != len(b["grad_norms_init"]) or not all(
            _close(u, v, INIT_SLACK * abs(v)) for u, v in zip(a["grad_norms_init"], b["grad_norms_init"])):
        differ.append("grad_norms_init")
    fates = [classify(_gain(r["grad_norms_final"])) for r in (a, b)]
    if fates[0] != fates[1]:
        differ.append(f"the final profile's gain: {fates[0]} vs {fates[1]}")
    return differ


def _close(x, y, tolerance) -> bool:
    return x == y or (math.isfinite(x) and math.isfinite(y) and abs(x - y) <= tolerance)


def _gain(norms) -> float:
    """First norm over the last non-zero one (inf where every norm but the first is 0, NaN where all are)."""
    last = next((n for n in reversed(norms) if n != 0), 0.0)
    return norms[0] / last if last else (math.inf if norms and norms[0] else math.nan)
