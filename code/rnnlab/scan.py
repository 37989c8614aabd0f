"""Linear recurrences as scans: the loop, Hillis–Steele and Blelloch, and the backward pass as a reverse scan.

The recurrence, elementwise over d channels (T time steps; ``a``, ``b`` of shape (T, d), ``h0`` of shape (d,)):

    h_t = a_t ⊙ h_{t-1} + b_t,   t = 1..T                                              (eq-linear-recurrence)

Each step is the affine map h ↦ a ⊙ h + b, stored as the pair (a, b). Doing (a, b) first, then (a′, b′), is

    (a, b) ∘ (a′, b′) = (a′ ⊙ a, a′ ⊙ b + b′)                                          (eq-scan-operator)

an associative operator with identity (1, 0), so h_t is the b-part of the prefix (a_1, a_1 ⊙ h_0 + b_1) ∘ (a_2, b_2)
∘ … ∘ (a_t, b_t), and all prefixes together are a *scan*, computable in O(log T) parallel levels (Blelloch 1990;
Martin & Cundy 2018). Every scan here first folds h_0 into b_1 (b_1 ← a_1 ⊙ h_0 + b_1, the same one step for all
of them, not counted), then scans the T pairs; levels are vectorised over t with NumPy slicing.

Work and depth (applications of ∘ and levels holding at least one), as ``cost`` and ``count=True`` report them:
``sequential`` T − 1 and T − 1; ``hillis_steele`` Σ_{k<L} (T − 2^k) and L; ``blelloch`` 2T − 2 − L and
L + #{k : 3·2^k < T}, with L = ⌈log2 T⌉; ``chunked`` (blocks of m = ⌈√T⌉ steps, one per processor) at most 2T
and at most 2m levels. Blelloch pads to 2^L with the identity (1, 0) and skips every application
whose result only padding needs, or whose left operand is the identity (a copy, not arithmetic).

The backward pass: with ``gL_t = ∂L/∂h_t`` the immediate derivatives (those not passing through h_{t+1}),

    δ_t = gL_t + a_{t+1} ⊙ δ_{t+1},  δ_T = gL_T                                          (eq-scan-backward)
    ∂L/∂a_t = δ_t ⊙ h_{t-1},  ∂L/∂b_t = δ_t,  ∂L/∂h_0 = a_1 ⊙ δ_1                        (eq-scan-param)

δ is the same linear recurrence run backwards in time, so any of the scans computes it. ``rnnlab.scan_torch``
has the torch versions of the forward scans.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._validate import as_array, check_bool, check_choice, check_int, check_shape


class Cost(NamedTuple):
    """What a scan costs."""

    work: int  # applications of the operator ∘ (each over all d channels)
    depth: int  # levels holding at least one application: the critical path with unlimited processors


class Grads(NamedTuple):
    """Gradients of L with respect to the inputs of the recurrence (eq-scan-param)."""

    da: np.ndarray  # (T, d)
    db: np.ndarray  # (T, d)
    dh0: np.ndarray  # (d,)


def check_recurrence(a, b, h0=None) -> tuple:
    """Return ``a``, ``b`` (T, d) and ``h0`` (d,) as float64 arrays, checked; ``h0=None`` means zeros."""
    a = as_array("a", a, ndim=2)
    b = as_array("b", b, ndim=2)
    if a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"a must have shape (T, d) with T ≥ 1 time steps and d ≥ 1 channels; got {a.shape}")
    check_shape("b", b, a.shape, "(T, d) like a")
    h0 = np.zeros(a.shape[1]) if h0 is None else as_array("h0", h0, ndim=1)
    check_shape("h0", h0, (a.shape[1],), "(d,)")
    return a, b, h0


def combine(p, q):
    """The operator (eq-scan-operator): ``p`` first, then ``q``; ``(a, b) ∘ (a′, b′) = (a′ ⊙ a, a′ ⊙ b + b′)``.

    Parameters
    ----------
    p, q : pairs (a, b) of arrays, all four of one shape, e.g. (d,) or (T, d)

    Returns
    -------
    (a′ ⊙ a, a′ ⊙ b + b′) : pair of arrays of that shape
    """
    for name, pair in (("p", p), ("q", q)):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"{name} must be a pair (a, b) of arrays; got {type(pair).__name__}")
    (a, b), (a2, b2) = [[as_array(f"{n}[{i}]", v) for i, v in enumerate(pair)] for n, pair in (("p", p), ("q", q))]
    for name, arr in (("p[1]", b), ("q[0]", a2), ("q[1]", b2)):
        check_shape(name, arr, a.shape, "like p[0]")
    return _combine((a, b), (a2, b2))


def _combine(p, q):
    """(eq-scan-operator) without checks; works on numpy arrays and torch tensors alike."""
    return q[0] * p[0], q[0] * p[1] + q[1]


def _levels(T: int) -> int:
    """L = ⌈log2 T⌉, exactly (no floating point)."""
    return (T - 1).bit_length()


def _hillis_steele(A, B, put):
    """Inclusive scan of the pairs (A, B), each (T, d): level k combines t − 2^k into t. ``put(X, idx, V)`` returns
    X with rows idx set to V (in place for numpy, out of place for torch so that autograd can follow)."""
    T, work, depth = len(A), 0, 0
    for k in range(_levels(T)):
        s = 2 ** k
        A_new, B_new = A[s:] * A[:-s], A[s:] * B[:-s] + B[s:]  # (eq-scan-operator), before either is written
        A, B = put(A, slice(s, T), A_new), put(B, slice(s, T), B_new)
        work, depth = work + T - s, depth + 1
    return A, B, Cost(work, depth)


def _blelloch(A, B, T, put):
    """Blelloch's scan of (A, B), each (n, d) with n = 2^L ≥ T and rows ≥ T the identity (1, 0).

    Up-sweep: node r (the right end of a block of 2^(k+1) rows) becomes the total of its block. Down-sweep: from the
    root, set to the identity, each node passes its exclusive prefix to its left child and prefix ∘ left total to
    its right child. Returns the inclusive prefixes (T, d) (rows 1..T-1 exclusive, then the root's total)."""
    n, work, depth = len(A), 0, 0
    for k in range(_levels(n)):  # up-sweep
        r = np.arange(2 ** (k + 1) - 1, n, 2 ** (k + 1))
        l = r - 2 ** k
        real = l + 1 < T  # the right child holds a real row; otherwise r = l ∘ (1, 0) = l, a copy
        op, left = r[real], l[real]
        if len(op):
            A_new, B_new = A[op] * A[left], A[op] * B[left] + B[op]  # (eq-scan-operator): l first, then r
            A, B = put(A, op, A_new), put(B, op, B_new)
            work, depth = work + len(op), depth + 1
        A, B = put(A, r[~real], A[l[~real]]), put(B, r[~real], B[l[~real]])
    total = A[[n - 1]], B[[n - 1]]  # P_T, (1, d), a copy (fancy indexing)
    A, B = put(A, [n - 1], 1.0), put(B, [n - 1], 0.0)  # the root's exclusive prefix: the identity
    for k in reversed(range(_levels(n))):  # down-sweep
        r = np.arange(2 ** (k + 1) - 1, n, 2 ** (k + 1))
        l = r - 2 ** k
        needed = (l + 1 < T) & (r + 1 > 2 ** (k + 1))  # a real right child, and a prefix that is not the identity
        op = r[needed]
        A_l, B_l, A_r, B_r = A[l], B[l], A[op], B[op]
        A, B = put(A, l, A[r]), put(B, l, B[r])
        if len(op):
            A, B = put(A, op, A_l[needed] * A_r), put(B, op, A_l[needed] * B_r + B_l[needed])  # prefix, then l
            work, depth = work + len(op), depth + 1
        A, B = put(A, r[:1], A_l[:1]), put(B, r[:1], B_l[:1])  # r[0] starts the sequence: (1, 0) ∘ left = left
    return A[1:T], B[1:T], total, Cost(work, depth)


def _put(X, idx, V):
    X[idx] = V
    return X


def _fold(a, b, h0):
    """b with b_1 ← a_1 ⊙ h_0 + b_1 (a copy): h_0 folded into the first pair."""
    b = b.copy()
    b[0] = a[0] * h0 + b[0]
    return b


def sequential(a, b, h0=None, count=False):
    """The loop h_t = a_t ⊙ h_{t-1} + b_t (eq-linear-recurrence), one step after another.

    Parameters
    ----------
    a, b : array, shape (T, d)
    h0 : array, shape (d,), optional
        The initial state h_0; zeros by default.
    count : bool
        Also return the ``Cost`` (T − 1 applications of ∘ after folding h_0, in T − 1 levels).

    Returns
    -------
    h : array, shape (T, d)
        h_1..h_T; with ``count=True`` the pair ``(h, cost)``.
    """
    a, b, h0 = check_recurrence(a, b, h0)
    h = np.empty_like(b)  # (T, d)
    h_prev = h0
    for t in range(len(a)):
        h_prev = h[t] = a[t] * h_prev + b[t]  # (eq-linear-recurrence)
    T = len(a)
    return (h, Cost(T - 1, T - 1)) if check_bool("count", count) else h


def hillis_steele(a, b, h0=None, count=False):
    """The inclusive scan of Hillis & Steele: ⌈log2 T⌉ levels, Σ_k (T − 2^k) applications of ∘ (O(T log T) work).

    Parameters and returns as ``sequential``.
    """
    a, b, h0 = check_recurrence(a, b, h0)
    _, h, cost = _hillis_steele(a.copy(), _fold(a, b, h0), _put)
    return (h, cost) if check_bool("count", count) else h


def blelloch(a, b, h0=None, count=False):
    """Blelloch's work-efficient scan (up-sweep, down-sweep): 2T − 2 − ⌈log2 T⌉ applications of ∘, at most
    2⌈log2 T⌉ levels; any T, padded to a power of two with the identity pair (1, 0).

    Parameters and returns as ``sequential``.
    """
    a, b, h0 = check_recurrence(a, b, h0)
    T, d = a.shape
    n = 2 ** _levels(T)
    A = np.concatenate([a, np.ones((n - T, d))])  # (n, d)
    B = np.concatenate([_fold(a, b, h0), np.zeros((n - T, d))])  # (n, d)
    _, B_excl, (_, B_total), cost = _blelloch(A, B, T, _put)
    h = np.concatenate([B_excl, B_total])  # (T, d)
    return (h, cost) if check_bool("count", count) else h


def _block(T: int) -> int:
    """The block length m = ⌈√T⌉ of the chunked scan."""
    return math.isqrt(T - 1) + 1


def _chunked_cost(T: int) -> Cost:
    """The chunked scan's work and depth on T steps (m = ⌈√T⌉, c = ⌈T/m⌉ blocks): level 1 scans each block,
    T − c applications in m − 1 levels; level 2 carries between blocks, c − 1 in c − 1 levels; level 3 applies the
    carries, T − m in one level."""
    m = _block(T)
    c = -(-T // m)
    return Cost((T - c) + (c - 1) + (T - m), (m - 1) + (c - 1) + (T > m))


def chunked(a, b, h0=None, count=False):
    """The two-level (blocked) scan a CPU runs best: the T steps in ⌈T/m⌉ blocks of m = ⌈√T⌉, each block scanned on
    its own (all at once), the carries between blocks from the block totals, then each block's carry applied. At most
    2T applications of ∘ in at most 2m levels: with p processors, one block each, the time of about 2√T steps.

    Parameters and returns as ``sequential``.
    """
    a, b, h0 = check_recurrence(a, b, h0)
    T, d = a.shape
    m = _block(T)
    c = -(-T // m)  # blocks, the last padded with the identity (1, 0)
    A, B = np.ones((c * m, d)), np.zeros((c * m, d))
    A[:T], B[:T] = a, _fold(a, b, h0)
    A, B = A.reshape(c, m, d), B.reshape(c, m, d)  # views: block j, row k is step j·m + k
    for k in range(1, m):  # level 1: every block at once, row k-1 ∘ row k, in place (eq-scan-operator)
        B[:, k] += A[:, k] * B[:, k - 1]
        A[:, k] *= A[:, k - 1]
    carry = np.zeros((c, d))  # level 2: the state at the end of block j − 1 (none into block 0)
    for j in range(1, c):
        carry[j] = A[j - 1, -1] * carry[j - 1] + B[j - 1, -1]
    B += A * carry[:, None]  # level 3: the carry first, then the block's prefix
    h = B.reshape(c * m, d)[:T]  # (T, d)
    return (h, _chunked_cost(T)) if check_bool("count", count) else h


SCANS = {"sequential": sequential, "hillis_steele": hillis_steele, "blelloch": blelloch, "chunked": chunked}


def cost(scan: str, T: int) -> Cost:
    """The work and depth of the scan named ``scan`` (a key of ``SCANS``) on T time steps, as it runs them."""
    check_choice("scan", scan, SCANS)
    T = check_int("T", T, low=1)
    return SCANS[scan](np.ones((T, 1)), np.zeros((T, 1)), count=True)[1]


def backward(a, b, h0, gL, scan="blelloch") -> Grads:
    """Gradients of L through the recurrence, given ``gL_t = ∂L/∂h_t`` (eq-scan-backward, eq-scan-param).

    Parameters
    ----------
    a, b : array, shape (T, d)
    h0 : array, shape (d,), or None for zeros
    gL : array, shape (T, d)
        The immediate derivatives ∂L/∂h_t, not counting the paths through h_{t+1}.
    scan : str
        Which scan (a key of ``SCANS``) runs the forward pass and the reverse recurrence for δ.

    Returns
    -------
    Grads
        ``da`` (T, d), ``db`` (T, d), ``dh0`` (d,).
    """
    a, b, h0 = check_recurrence(a, b, h0)
    gL = as_array("gL", gL, ndim=2)
    check_shape("gL", gL, a.shape, "(T, d) like a")
    run = SCANS[check_choice("scan", scan, SCANS)]
    h = run(a, b, h0)  # (T, d)
    a_next = np.concatenate([a[1:], np.zeros((1, a.shape[1]))])  # (T, d) a_{t+1}, with a_{T+1} unused (δ_{T+1} = 0)
    delta = run(a_next[::-1], gL[::-1])[::-1]  # (T, d) (eq-scan-backward), reversed in time
    h_prev = np.concatenate([h0[None], h[:-1]])  # (T, d) h_{t-1}
    return Grads(delta * h_prev, delta, a[0] * delta[0])  # (eq-scan-param)
