"""Float64 NumPy reference for Sparse State Expansion (SSE) linear attention.

This module is the *semantic contract* for the rest of the project: every
optimised kernel is checked against it.  It is therefore written for clarity,
not speed -- plain Python loops over (sequence, head, token, slot) with small
vectorised matrix operations inside.

Notation
--------
``q, k``: ``[B, T, H, K]``, ``v``: ``[B, T, H, V]``.  Every
(sequence, head, partition) owns a ``K x V`` state matrix ``S``.  A token
updates ("writes") the state with the outer product ``k v^T`` and then reads
it with ``q S`` -- read happens *after* write, so a token sees itself.

SSE splits the state of each head into ``N`` partitions.  A router assigns
every token to ``kk`` of them (``classify``), and only those partitions are
decayed, written and read for that token; the others are left untouched.

Public API
----------
* :func:`classify`      -- router: logits -> (top-k weights, partition ids)
* :func:`scan`          -- the routed linear-attention recurrence
* :func:`scan_naive`    -- a deliberately dumb scalar-loop twin of ``scan``,
  only for cross-checking on small inputs
* :func:`sse_gla_core`  -- shared + routed additive (GLA-style) scan
* :func:`sse_gdn_core`  -- shared + routed delta-rule (GatedDeltaNet-style) scan
* :func:`fused_scan`    -- the fused forms of ``sse.scan``: a shared
  partition (``shared(q1, k1)``, ``shared_gate``, ``shared_beta``) and/or the
  router in the scan (``router(z)``), composed from ``classify`` and ``scan``
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Optional

import numpy as np

__all__ = ["classify", "scan", "scan_naive", "sse_gla_core", "sse_gdn_core", "fused_scan"]

CLASSIFY_ORDERS = ("softmax_then_topk", "topk_then_softmax")
RULES = ("additive", "delta")


# ---------------------------------------------------------------------------
# Router
# ---------------------------------------------------------------------------


def _softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by the max so exp never overflows."""
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def classify(z, k, order="softmax_then_topk", renormalize=False):
    """Route each row of logits ``z`` to its ``k`` best partitions.

    Parameters
    ----------
    z : array_like, shape ``[..., N]``
        Router logits, one per partition.
    k : int
        Number of partitions to select, ``1 <= k <= N``.
    order : {"softmax_then_topk", "topk_then_softmax"}
        ``softmax_then_topk``: softmax over all ``N`` logits, then keep the
        ``k`` largest probabilities (they need not sum to 1).
        ``topk_then_softmax``: keep the ``k`` largest logits, then softmax over
        just those (they sum to 1).
    renormalize : bool
        Only for ``softmax_then_topk``: divide the kept probabilities by their
        sum.  A no-op for ``topk_then_softmax``, whose weights already sum to 1.

    Returns
    -------
    weights : float64 ``[..., k]``
    indices : int32 ``[..., k]``
        Sorted by logit descending (the same as by weight, except where
        distinct logits give equal weights, e.g. by underflow); equal logits
        are ordered by lower index first.

    Notes
    -----
    Selection is done on ``z`` (softmax is monotone, so this picks the same
    set as selecting on probabilities, but is immune to probabilities that
    round to equal values).  Ties in ``z`` are broken towards the lower index;
    a *stable* sort of ``-z`` gives exactly that rule, and the output keeps
    that order (docs/Semantics.md): it is what the compiled kernels produce,
    and it does not depend on the precision the weights are computed in.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim < 1:
        raise ValueError("z must have at least one dimension [..., N]")
    n = z.shape[-1]
    k = operator.index(k)
    if not 1 <= k <= n:
        raise ValueError(f"k must be in [1, N={n}], got {k}")
    if order not in CLASSIFY_ORDERS:
        raise ValueError(f"order must be one of {CLASSIFY_ORDERS}, got {order!r}")

    # Stable sort on -z: largest logits first, equal logits keep index order.
    selected = np.argsort(-z, axis=-1, kind="stable")[..., :k]

    if order == "softmax_then_topk":
        weights = np.take_along_axis(_softmax(z), selected, axis=-1)
    else:
        weights = _softmax(np.take_along_axis(z, selected, axis=-1))

    if renormalize and order == "softmax_then_topk":
        weights = weights / np.sum(weights, axis=-1, keepdims=True)
    return weights, selected.astype(np.int32)


# ---------------------------------------------------------------------------
# Input validation shared by scan and scan_naive
# ---------------------------------------------------------------------------


@dataclass
class _ScanInputs:
    """Validated, float64-converted scan arguments (routing left as given)."""

    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    gate: Optional[np.ndarray]  # None, [B,T,H] or [B,T,H,K]
    beta: Optional[np.ndarray]  # [B,T,H] for the delta rule, else None
    weights: Optional[np.ndarray]  # None, [B,T,kk] or [B,T,H,kk]
    indices: Optional[np.ndarray]  # same shape as weights, int64
    init: np.ndarray  # [S,H,N,K,V]
    cu_seqlens: Optional[np.ndarray]  # [S+1] int64, or None
    num_seqs: int
    partitions: int
    scale: float


def _validate(q, k, v, gate, beta, weights, indices, init, cu_seqlens,
              partitions, scale, rule) -> _ScanInputs:
    """Check shapes/options of a scan call and convert arrays to float64.

    Kept separate from the maths so that ``scan`` and ``scan_naive`` reject
    exactly the same inputs while computing the recurrence independently.
    """
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    if q.ndim != 4 or k.shape != q.shape:
        raise ValueError(f"q and k must both be [B,T,H,K]; got {q.shape}, {k.shape}")
    B, T, H, K = q.shape
    if v.ndim != 4 or v.shape[:3] != (B, T, H):
        raise ValueError(f"v must be [B,T,H,V] = [{B},{T},{H},V]; got {v.shape}")
    V = v.shape[3]

    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    partitions = operator.index(partitions)
    if partitions < 1:
        raise ValueError(f"partitions must be >= 1, got {partitions}")

    if gate is not None:
        gate = np.asarray(gate, dtype=np.float64)
        if gate.shape not in ((B, T, H), (B, T, H, K)):
            raise ValueError(
                f"gate must be [B,T,H] (scalar) or [B,T,H,K] (per-key); got {gate.shape}")

    if rule == "delta":
        if gate is not None and gate.ndim == 4:
            raise ValueError("the delta rule supports only no gate or a scalar [B,T,H] gate")
        if beta is None:
            raise ValueError("the delta rule requires beta [B,T,H]")
        beta = np.asarray(beta, dtype=np.float64)
        if beta.shape != (B, T, H):
            raise ValueError(f"beta must be [B,T,H]; got {beta.shape}")
    elif beta is not None:
        # Silently ignoring beta would hide a caller mixing up the two rules.
        raise ValueError("beta is only meaningful for rule='delta'")

    if (weights is None) != (indices is None):
        raise ValueError("weights and indices must be given together (or both None)")
    if weights is None:
        if partitions != 1:
            raise ValueError("without routing every token uses partition 0, so partitions must be 1")
    else:
        weights = np.asarray(weights, dtype=np.float64)
        indices = np.asarray(indices)
        if not np.issubdtype(indices.dtype, np.integer):
            raise ValueError(f"indices must be integers; got dtype {indices.dtype}")
        indices = indices.astype(np.int64)
        if weights.shape != indices.shape:
            raise ValueError(f"weights {weights.shape} and indices {indices.shape} differ in shape")
        shared_ok = weights.ndim == 3 and weights.shape[:2] == (B, T)
        per_head_ok = weights.ndim == 4 and weights.shape[:3] == (B, T, H)
        if not (shared_ok or per_head_ok) or weights.shape[-1] < 1:
            raise ValueError(
                f"routing must be [B,T,kk] or [B,T,H,kk] with kk >= 1; got {weights.shape}")

    if cu_seqlens is None:
        num_seqs = B
    else:
        cu_seqlens = np.asarray(cu_seqlens)
        if cu_seqlens.ndim != 1 or cu_seqlens.size < 1 or not np.issubdtype(
                cu_seqlens.dtype, np.integer):
            raise ValueError("cu_seqlens must be a 1-D integer array of length S+1")
        if B != 1:
            raise ValueError(f"cu_seqlens requires B == 1 (packed sequences); got B={B}")
        cu_seqlens = cu_seqlens.astype(np.int64)
        num_seqs = cu_seqlens.size - 1

    state_shape = (num_seqs, H, partitions, K, V)
    if init is None:
        init = np.zeros(state_shape)
    else:
        init = np.asarray(init, dtype=np.float64)
        if init.shape != state_shape:
            raise ValueError(f"init must be [S,H,N,K,V] = {state_shape}; got {init.shape}")

    scale = K ** -0.5 if scale is None else float(scale)
    return _ScanInputs(q, k, v, gate, beta, weights, indices, init, cu_seqlens,
                       num_seqs, partitions, scale)


def _sequence_ranges(x: _ScanInputs):
    """Yield ``(batch_row, start, end)`` for every sequence ``s`` in order.

    Unpacked input: sequence ``s`` is batch row ``s`` covering all ``T`` tokens.
    Packed input (``cu_seqlens``): all sequences live in batch row 0 and cover
    ``[cu[s], cu[s+1])``, clamped into ``[0, T]``; ``end <= start`` is empty.
    """
    T = x.q.shape[1]
    if x.cu_seqlens is None:
        for b in range(x.num_seqs):
            yield b, 0, T
        return
    bounds = np.clip(x.cu_seqlens, 0, T)
    for s in range(x.num_seqs):
        yield 0, int(bounds[s]), int(bounds[s + 1])  # range() is empty if end <= start


# ---------------------------------------------------------------------------
# The recurrence
# ---------------------------------------------------------------------------


def scan(q, k, v, gate=None, beta=None, weights=None, indices=None, init=None,
         cu_seqlens=None, partitions=1, scale=None, rule="additive",
         read_gate=True, write_gate=True):
    """Routed (sparse-state) linear-attention scan, float64.

    For each sequence and head, partition states ``S^0..S^{N-1}`` (``K x V``)
    start from ``init`` and evolve token by token.  At token ``t`` the output
    starts at zero and, for each routing slot ``j`` in order with partition
    ``p = indices[..., j]`` and weight ``w = weights[..., j]``:

    * slots with ``p < 0`` or ``p >= N`` are skipped entirely;
    * ``kw = (w if write_gate else 1) * k_t``, ``qw = (w if read_gate else 1) * q_t``;
    * write -- ``additive``: ``S^p = D_t S^p + kw v_t^T`` where ``D_t`` is
      ``exp(g_t) I`` (scalar gate), ``diag(exp(g_t))`` (per-key gate) or ``I``;
      ``delta``: ``S^p = exp(g_t) (S^p - beta_t kw (kw^T S^p)) + beta_t kw v_t^T``;
    * read (after the write): ``o_t += scale * qw^T S^p``.

    Partitions not selected at ``t`` are not decayed, written or read.  If the
    same partition appears in two slots it is updated (and read) twice, in
    slot order.

    Parameters
    ----------
    q, k : ``[B, T, H, K]``;  v : ``[B, T, H, V]``
    gate : None, ``[B, T, H]`` or ``[B, T, H, K]`` log-decay.
    beta : ``[B, T, H]``, required for (and only for) ``rule="delta"``.
    weights, indices : both None (single partition, weight 1) or both
        ``[B, T, kk]`` (shared by all heads) or ``[B, T, H, kk]`` (per head).
    init : ``[S, H, N, K, V]`` initial states, default zeros.
    cu_seqlens : optional int array ``[S + 1]`` of packed-sequence offsets
        (then ``B`` must be 1).  Values are clamped into ``[0, T]``; tokens not
        covered by any sequence get ``o = 0``.  If non-monotone offsets make
        sequences overlap, the later sequence's output wins.
    partitions : N, the number of state partitions per head.
    scale : output scale, default ``K ** -0.5``.
    rule : ``"additive"`` or ``"delta"``.
    read_gate, write_gate : whether the routing weight scales q / k.

    Returns
    -------
    o : float64 ``[B, T, H, V]``
    final_states : float64 ``[S, H, N, K, V]`` (``S = B`` unless packed).
    """
    x = _validate(q, k, v, gate, beta, weights, indices, init, cu_seqlens,
                  partitions, scale, rule)
    B, T, H, K = x.q.shape
    V = x.v.shape[3]
    N = x.partitions

    # Normalise routing to one [B, T, H, kk] pair so the loop has one shape.
    if x.weights is None:
        route_w = np.ones((B, T, H, 1))
        route_i = np.zeros((B, T, H, 1), dtype=np.int64)
    elif x.weights.ndim == 3:
        route_w = np.broadcast_to(x.weights[:, :, None, :], (B, T, H, x.weights.shape[-1]))
        route_i = np.broadcast_to(x.indices[:, :, None, :], route_w.shape)
    else:
        route_w, route_i = x.weights, x.indices
    num_slots = route_w.shape[-1]

    o = np.zeros((B, T, H, V))
    final_states = x.init.copy()

    for s, (b, start, end) in enumerate(_sequence_ranges(x)):
        for h in range(H):
            states = final_states[s, h]  # [N, K, V] view, updated in place
            for t in range(start, end):
                decay = _decay(x.gate, b, t, h)
                k_t, q_t, v_t = x.k[b, t, h], x.q[b, t, h], x.v[b, t, h]
                out = np.zeros(V)
                for j in range(num_slots):
                    p = int(route_i[b, t, h, j])
                    if not 0 <= p < N:
                        continue  # out-of-range slot: a "no partition" marker
                    w = route_w[b, t, h, j]
                    kw = (w if write_gate else 1.0) * k_t
                    qw = (w if read_gate else 1.0) * q_t
                    S = states[p]
                    if rule == "additive":
                        S = decay * S + np.outer(kw, v_t)
                    else:
                        bt = x.beta[b, t, h]
                        # Delta rule: replace the value currently stored under
                        # key kw (kw^T S) by v_t, with learning rate beta_t.
                        S = decay * (S - bt * np.outer(kw, kw @ S)) + bt * np.outer(kw, v_t)
                    states[p] = S
                    out += x.scale * (qw @ S)  # read after write
                o[b, t, h] = out
    return o, final_states


def _decay(gate, b, t, h):
    """Multiplier applied to a K x V state: 1, a scalar, or a [K, 1] column.

    A per-key gate scales row r of the state (the r-th key dimension) by
    ``exp(g[r])``, i.e. ``diag(exp(g)) @ S``; a column vector broadcasts that.
    """
    if gate is None:
        return 1.0
    if gate.ndim == 3:
        return math.exp(gate[b, t, h])
    return np.exp(gate[b, t, h])[:, None]


def scan_naive(q, k, v, gate=None, beta=None, weights=None, indices=None, init=None,
               cu_seqlens=None, partitions=1, scale=None, rule="additive",
               read_gate=True, write_gate=True):
    """Same contract as :func:`scan`, computed the dumbest possible way.

    Independent of ``scan`` on purpose, so the two can cross-check each other:
    states are nested Python lists of floats, every matrix product is an
    explicit scalar loop over K and V entries, routing is looked up in its
    original shape rather than broadcast, and the token loop runs over all T
    positions testing sequence membership.  Only input validation is shared.
    Use for small cases only -- it is very slow.
    """
    x = _validate(q, k, v, gate, beta, weights, indices, init, cu_seqlens,
                  partitions, scale, rule)
    B, T, H, K = x.q.shape
    V = x.v.shape[3]
    N = x.partitions
    num_slots = 1 if x.weights is None else x.weights.shape[-1]

    # state[s][h][n][r][c] as Python floats.
    state = [[[[[float(x.init[s, h, n, r, c]) for c in range(V)] for r in range(K)]
               for n in range(N)] for h in range(H)] for s in range(x.num_seqs)]
    o = np.zeros((B, T, H, V))

    for s in range(x.num_seqs):
        if x.cu_seqlens is None:
            b, lo, hi = s, 0, T
        else:
            b = 0
            lo = min(max(int(x.cu_seqlens[s]), 0), T)
            hi = min(max(int(x.cu_seqlens[s + 1]), 0), T)
        for t in range(T):
            if not lo <= t < hi:
                continue
            for h in range(H):
                out = [0.0] * V
                for j in range(num_slots):
                    if x.weights is None:
                        p, w = 0, 1.0
                    elif x.weights.ndim == 3:
                        p, w = int(x.indices[b, t, j]), float(x.weights[b, t, j])
                    else:
                        p, w = int(x.indices[b, t, h, j]), float(x.weights[b, t, h, j])
                    if p < 0 or p >= N:
                        continue
                    S = state[s][h][p]
                    kw = [(w if write_gate else 1.0) * float(x.k[b, t, h, r]) for r in range(K)]
                    qw = [(w if read_gate else 1.0) * float(x.q[b, t, h, r]) for r in range(K)]
                    vt = [float(x.v[b, t, h, c]) for c in range(V)]
                    a = [1.0] * K  # per-row decay factor
                    if x.gate is not None:
                        for r in range(K):
                            g = x.gate[b, t, h] if x.gate.ndim == 3 else x.gate[b, t, h, r]
                            a[r] = math.exp(float(g))
                    if rule == "additive":
                        for r in range(K):
                            for c in range(V):
                                S[r][c] = a[r] * S[r][c] + kw[r] * vt[c]
                    else:
                        bt = float(x.beta[b, t, h])
                        u = [sum(kw[r] * S[r][c] for r in range(K)) for c in range(V)]
                        for r in range(K):
                            for c in range(V):
                                S[r][c] = (a[r] * (S[r][c] - bt * kw[r] * u[c])
                                           + bt * kw[r] * vt[c])
                    for c in range(V):
                        acc = 0.0
                        for r in range(K):
                            acc += qw[r] * S[r][c]
                        out[c] += x.scale * acc
                for c in range(V):
                    o[b, t, h, c] = out[c]

    final_states = np.array(state, dtype=np.float64).reshape(x.num_seqs, H, N, K, V)
    return o, final_states


# ---------------------------------------------------------------------------
# SSE cores: one shared (always-on) state + N routed partitions
# ---------------------------------------------------------------------------


def _split_init(init, H, N, K, V, B):
    """Split SSE states ``[B, H, 1+N, K, V]`` into (shared, routed) inits."""
    if init is None:
        return None, None
    init = np.asarray(init, dtype=np.float64)
    expected = (B, H, 1 + N, K, V)
    if init.shape != expected:
        raise ValueError(f"init must be [B,H,1+N,K,V] = {expected}; got {init.shape}")
    return init[:, :, :1], init[:, :, 1:]


def sse_gla_core(q1, k1, q2, k2, v, g1, g2, z, k, init=None, renormalize=False, scale=None):
    """SSE with additive (gated-linear-attention) updates.

    ``o = scan(q1, k1, v, gate=g1)``  (shared state, every token)
    ``  + scan(q2, k2, v, gate=g2, routing=classify(z, k), partitions=N)``.

    The router weights scale both the write key and the read query of the
    routed branch.  ``g1``/``g2`` may be None, scalar ``[B,T,H]`` or per-key
    ``[B,T,H,K]`` log-gates; ``z`` is ``[B, T, N]`` (routing shared by heads).

    Returns ``(o [B,T,H,V], states [B,H,1+N,K,V])`` with the shared state
    first, then the N routed partitions.
    """
    z = np.asarray(z, dtype=np.float64)
    B, T, H, K = np.shape(q1)
    V = np.shape(v)[-1]
    N = z.shape[-1]
    init_shared, init_routed = _split_init(init, H, N, K, V, B)
    weights, indices = classify(z, k, renormalize=renormalize)

    o_shared, s_shared = scan(q1, k1, v, gate=g1, init=init_shared, partitions=1, scale=scale)
    o_routed, s_routed = scan(q2, k2, v, gate=g2, weights=weights, indices=indices,
                              init=init_routed, partitions=N, scale=scale)
    return o_shared + o_routed, np.concatenate([s_shared, s_routed], axis=2)


def sse_gdn_core(q1, k1, q2, k2, v, g1, g2, beta1, beta2, z, k, init=None, scale=None):
    """SSE with delta-rule (gated DeltaNet) updates.

    Like :func:`sse_gla_core` but both branches use ``rule="delta"`` with
    scalar gates ``g1``/``g2`` (``[B,T,H]`` or None) and learning rates
    ``beta1``/``beta2`` (``[B,T,H]``).  In the routed branch the router only
    *selects* partitions: its weights scale neither key nor query
    (``read_gate=False, write_gate=False``); the step size of a delta update
    is governed by ``beta2`` alone.

    Returns ``(o [B,T,H,V], states [B,H,1+N,K,V])``, shared state first.
    """
    z = np.asarray(z, dtype=np.float64)
    B, T, H, K = np.shape(q1)
    V = np.shape(v)[-1]
    N = z.shape[-1]
    init_shared, init_routed = _split_init(init, H, N, K, V, B)
    weights, indices = classify(z, k)

    o_shared, s_shared = scan(q1, k1, v, gate=g1, beta=beta1, init=init_shared,
                              partitions=1, scale=scale, rule="delta")
    o_routed, s_routed = scan(q2, k2, v, gate=g2, beta=beta2, weights=weights,
                              indices=indices, init=init_routed, partitions=N,
                              scale=scale, rule="delta", read_gate=False, write_gate=False)
    return o_shared + o_routed, np.concatenate([s_shared, s_routed], axis=2)


# ---------------------------------------------------------------------------
# The fused sse.scan: shared partition and/or router inside the scan
# ---------------------------------------------------------------------------


def fused_scan(q, k, v, gate=None, beta=None, shared_q=None, shared_k=None,
               shared_gate=None, shared_beta=None, weights=None, indices=None,
               logits=None, top_k=None, router_order="softmax_then_topk",
               renormalize=False, init=None, cu_seqlens=None, partitions=1,
               scale=None, rule="additive", read_gate=True, write_gate=True):
    """``sse.scan`` with its fused operands, float64 (SSEOps.td, ScanOp).

    Composed from :func:`classify` and :func:`scan`:

    * ``logits`` (``router(z)``, ``[B, T, N]`` or ``[B, T, H, N]``): the
      routing is ``classify(logits, top_k, router_order, renormalize)``;
      excludes ``weights``/``indices``.
    * ``shared_q``/``shared_k`` (``shared(q1, k1)``): an always-selected
      shared partition with weight 1 (``read_gate``/``write_gate`` do not
      apply to it), its own gate ``shared_gate`` (None, ``[B,T,H]`` or
      ``[B,T,H,K]``) and, for the delta rule, ``shared_beta`` ``[B,T,H]``;
      it reads the same ``v`` and uses the same ``scale`` and ``rule``.  It
      is state partition 0; routed partition ``p`` is state partition
      ``p + 1``, so ``init`` and the final states are ``[S, H, 1 + N, K, V]``.
      Needs routing.

    Per token the shared partition is updated and read first, then the
    routed slots; as the partitions are disjoint and the reads are summed,
    this equals the sum of a shared ``scan`` and a routed ``scan`` (with the
    same ``cu_seqlens``, so uncovered tokens still get ``o = 0`` and the later
    of two overlapping sequences still wins).

    Returns ``(o [B,T,H,V], final_states [S,H,N',K,V])`` with ``N' = N``
    (+1 with a shared partition).
    """
    if (shared_q is None) != (shared_k is None):
        raise ValueError("shared_q and shared_k must be given together")
    has_shared = shared_q is not None
    if not has_shared and (shared_gate is not None or shared_beta is not None):
        raise ValueError("shared_gate and shared_beta need shared_q and shared_k")
    if logits is not None:
        if weights is not None or indices is not None:
            raise ValueError("router logits and weights/indices are exclusive")
        if top_k is None:
            raise ValueError("router logits need top_k")
        logits = np.asarray(logits, dtype=np.float64)
        if logits.shape[-1] != operator.index(partitions):
            raise ValueError(f"router logits end in N = partitions = {partitions}; "
                             f"got {logits.shape}")
        weights, indices = classify(logits, top_k, order=router_order,
                                    renormalize=renormalize)
    elif top_k is not None or renormalize or router_order != "softmax_then_topk":
        raise ValueError("top_k, router_order and renormalize need router logits")
    if has_shared and weights is None:
        raise ValueError("a shared partition needs routing (weights/indices or logits)")
    if not has_shared:
        return scan(q, k, v, gate=gate, beta=beta, weights=weights, indices=indices,
                    init=init, cu_seqlens=cu_seqlens, partitions=partitions,
                    scale=scale, rule=rule, read_gate=read_gate, write_gate=write_gate)

    if np.shape(shared_q) != np.shape(q) or np.shape(shared_k) != np.shape(q):
        raise ValueError(f"shared q/k must have the shape of q {np.shape(q)}; "
                         f"got {np.shape(shared_q)}, {np.shape(shared_k)}")
    if rule == "delta" and shared_beta is None:
        raise ValueError("the delta rule needs shared_beta for the shared partition")
    init_shared = init_routed = None
    if init is not None:
        init = np.asarray(init, dtype=np.float64)
        if init.ndim != 5 or init.shape[2] != operator.index(partitions) + 1:
            raise ValueError(f"init must be [S,H,1+N,K,V] with N = {partitions}; "
                             f"got {init.shape}")
        init_shared, init_routed = init[:, :, :1], init[:, :, 1:]
    o_shared, s_shared = scan(shared_q, shared_k, v, gate=shared_gate, beta=shared_beta,
                              init=init_shared, cu_seqlens=cu_seqlens, partitions=1,
                              scale=scale, rule=rule)
    o_routed, s_routed = scan(q, k, v, gate=gate, beta=beta, weights=weights,
                              indices=indices, init=init_routed, cu_seqlens=cu_seqlens,
                              partitions=partitions, scale=scale, rule=rule,
                              read_gate=read_gate, write_gate=write_gate)
    return o_shared + o_routed, np.concatenate([s_shared, s_routed], axis=2)


# ---------------------------------------------------------------------------
# Epilogue of an SSE layer
# ---------------------------------------------------------------------------


def rms_norm(x, weight, eps=1e-5):
    """RMS norm of each head's V-vector: x / sqrt(mean(x^2) + eps) * weight.

    ``x``: ``[B, T, H, V]``; ``weight``: ``[H, V]`` (per head) or ``[V]``.
    """
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    rms = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    return x / rms * weight


def swish_gate(x, gate):
    """The output gate: x * gate * sigmoid(gate)."""
    x = np.asarray(x, dtype=np.float64)
    gate = np.asarray(gate, dtype=np.float64)
    return x * gate / (1.0 + np.exp(-gate))
