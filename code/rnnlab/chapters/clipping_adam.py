"""Chapter 5, §5.6: what norm clipping changes for Adam, and why Adam's steps are not proportional to the gradient.

Adam (Kingma & Ba 2015; ``torch.optim.Adam``) steps by ``ε m̂_t / (√v̂_t + eps)`` per parameter, with m̂ and v̂
the bias-corrected running means of g and g² (β₁ = 0.9, β₂ = 0.999). Multiplying *every* gradient by the same
c > 0 multiplies m̂ by c and √v̂ by c, so the steps do not change (up to ``eps``). Norm clipping multiplies each
step's gradient by its own factor min(1, τ/‖∇L‖): it is not a constant rescaling, and it acts on Adam through
what enters m̂ and v̂. One spike shows it: SGD takes a step a spike times longer; Adam's step is bounded by about
ε (1 − β₁)/√(1 − β₂) per coordinate, but the spike's g² sits in v̂ and shrinks the steps that follow for
thousands of steps, unless the spike was clipped before it entered v̂.

Every function feeds a prescribed stream of gradients (``stream``) to a torch optimiser on one float64 parameter
vector and returns the steps it took: a pure function of its arguments.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._validate import as_array, check_choice, check_float, check_int, check_positive

LR = 1e-3  # learning rate ε of both optimisers in this section's computations


def stream(steps: int = 1500, P: int = 10, spike_at: int | None = 300, spike: float = 1000.0,
           seed: int = 0) -> np.ndarray:
    """Gradients (steps, P): entries N(1, 0.5²) (a steady downhill direction with noise); at ``spike_at`` every
    entry is ``spike`` instead (a thousand times the mean by default)."""
    steps, P = check_int("steps", steps, low=1), check_int("P", P, low=1)
    spike = check_positive("spike", spike)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    g = 1.0 + 0.5 * rng.standard_normal((steps, P))  # (steps, P)
    if spike_at is not None:
        g[check_int("spike_at", spike_at, low=0, high=steps - 1)] = spike
    return g


def steps_taken(grads, optimizer: str = "adam", clip: float | None = None, lr: float = LR) -> np.ndarray:
    """The steps θ_t − θ_{t−1} (steps, P) an optimiser takes when its gradients are ``grads`` (steps, P).

    ``optimizer`` is "adam" (``torch.optim.Adam``, default betas and eps) or "sgd" (plain SGD); ``clip`` None or
    a threshold τ for ``torch.nn.utils.clip_grad_norm_`` applied to each gradient before the step.
    """
    grads = as_array("grads", grads, ndim=2)
    check_choice("optimizer", optimizer, {"adam", "sgd"})
    lr = check_positive("lr", lr)
    if clip is not None:
        clip = check_positive("clip", clip)
    p = torch.zeros(grads.shape[1], dtype=torch.float64, requires_grad=True)  # (P,)
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)([p], lr=lr)
    out = np.empty_like(grads)  # (steps, P)
    for t, g in enumerate(grads):
        before = p.detach().clone()
        p.grad = torch.as_tensor(g, dtype=torch.float64).clone()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([p], clip)
        opt.step()
        out[t] = (p.detach() - before).numpy()
    return out


@dataclass(frozen=True)
class SpikeRun:
    """Step lengths ‖θ_t − θ_{t−1}‖ of SGD and Adam, with and without clipping, on one gradient stream."""
    grad_norm: np.ndarray  # (steps,) ‖∇L‖ of the stream at each step
    step_norm: dict  # (optimizer, clip) -> (steps,) step lengths
    spike_at: int
    clip: float


def spike_run(steps: int = 1500, spike_at: int = 300, spike: float = 1000.0, clip: float = 5.0,
              seed: int = 0) -> SpikeRun:
    """:func:`steps_taken` for SGD and Adam, unclipped and clipped at ``clip``, on one :func:`stream`."""
    g = stream(steps, spike_at=spike_at, spike=spike, seed=seed)
    clip = check_float("clip", clip, low=0.0)
    norms = {(opt, c): np.linalg.norm(steps_taken(g, opt, c), axis=1)
             for opt in ("sgd", "adam") for c in (None, clip)}
    return SpikeRun(np.linalg.norm(g, axis=1), norms, spike_at, clip)


def draw_spike(ax, run: SpikeRun) -> None:
    """Step length against step, log scale, the four runs of :func:`spike_run`."""
    from .. import plotting

    styles = {("sgd", None): ("orange", "-", "SGD"), ("sgd", run.clip): ("orange", "--", "SGD, clipped"),
              ("adam", None): ("blue", "-", "Adam"), ("adam", run.clip): ("blue", "--", "Adam, clipped")}
    for key, (color, ls, label) in styles.items():
        ax.semilogy(run.step_norm[key], ls, color=plotting.COLORS[color], lw=1, label=label)
    ax.axvline(run.spike_at, color="grey", lw=0.6)
    ax.set(xlabel="step $t$", ylabel=r"step length $\|\theta_t - \theta_{t-1}\|$")
    ax.legend(fontsize=7, ncol=2)
