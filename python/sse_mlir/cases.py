"""Test cases for the sse ops: shapes/options, random inputs, references.

A :class:`ScanCase` describes one ``sse.scan`` configuration.  From it:

* :meth:`ScanCase.module` builds the ``.mlir`` (via :mod:`sse_mlir.mlirgen`);
* :func:`draw_scan_inputs` draws random inputs (already rounded to the
  element types the runner will see, so the float64 reference measures only
  the compute error);
* :func:`reference_scan` evaluates the float64 reference on them.

A case may use the fused forms of the scan: ``shared=True`` (an
always-selected shared partition with its own q, k, gate, beta; states
``[S, H, 1 + N, K, V]``), ``routing="router"`` (the scan classifies the logits
``z`` itself) and ``schedule`` (a ``#sse.schedule`` attribute, which must not
change the results).  :class:`FusedCoreCase` writes the SSE-GLA / SSE-GDN
core as one fused scan, checked against ``reference.sse_gla_core`` /
``reference.sse_gdn_core``.

:func:`pairwise` builds an all-pairs covering array over named factors, so a
test matrix can cover every pair of option values without the full product.
"""

from __future__ import annotations

import itertools
import random
import zlib
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import mlirgen
from .mlirgen import Schedule
from .npyio import round_to_bf16
from .reference import classify, fused_scan, scan, sse_gdn_core, sse_gla_core

__all__ = [
    "ScanCase", "ClassifyCase", "GlaCoreCase", "FusedCoreCase", "Schedule",
    "round_to", "rel_err", "seed_of", "distinct_logits",
    "draw_scan_inputs", "reference_scan", "reference_gla_core", "log_sigmoid_gate",
    "strong_gate", "extreme_logits",
    "draw_classify_inputs", "draw_gla_core_inputs", "draw_fused_core_inputs",
    "reference_fused_core", "pairwise",
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def round_to(x, dtype: str) -> np.ndarray:
    """Round ``x`` to element type ``dtype``; returned as float32."""
    x = np.asarray(x, dtype=np.float32)
    if dtype == "f32":
        return x
    if dtype == "f16":
        return x.astype(np.float16).astype(np.float32)
    if dtype == "bf16":
        return round_to_bf16(x)
    raise ValueError(f"not a float type: {dtype!r}")


def rel_err(out, ref) -> float:
    """``||out - ref||_F / ||ref||_F`` (absolute error if ``ref`` is zero)."""
    out = np.asarray(out, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    denom = np.linalg.norm(ref)
    return float(np.linalg.norm(out - ref) / (denom if denom > 0 else 1.0))


#: Accuracy on the CPU (SPEC.md section 5): f32 1e-5, f16/bf16 inputs 1e-2.
TOL = {"f32": 1e-5, "f16": 1e-2, "bf16": 1e-2}


def check_close(error_log, dtype, name, out, ref):
    """No NaN / inf anywhere, then the relative Frobenius error within TOL."""
    out = np.asarray(out)
    assert out.shape == ref.shape, f"{name}: shape {out.shape} != reference {ref.shape}"
    nan = int(np.isnan(out).sum())
    assert nan == 0, f"{name}: {nan} of {out.size} elements are NaN (never written?)"
    assert np.isfinite(out).all(), f"{name}: non-finite values"
    err = rel_err(out, ref)
    error_log.record(dtype, name, err)
    assert err <= TOL[dtype], f"{name}: relative error {err:.3e} > {TOL[dtype]:.0e}"
    return err


def seed_of(name: str) -> int:
    """A stable per-case seed derived from its id."""
    return zlib.crc32(name.encode())


def distinct_logits(rng, shape, gap: float = 0.5, jitter: float = 0.2) -> np.ndarray:
    """Logits ``[..., N]`` whose entries in a row differ by at least ``gap - jitter``.

    Each row is a random permutation of ``0, gap, 2 gap, ...`` plus uniform
    jitter in ``[0, jitter)``, centred; no near ties, so top-k selection is
    unambiguous even after rounding to bf16.
    """
    shape = tuple(shape)
    n = shape[-1]
    rows = int(np.prod(shape[:-1], dtype=np.int64))
    ranks = np.argsort(rng.random((rows, n)), axis=-1).astype(np.float64)
    z = ranks * gap + rng.uniform(0.0, jitter, (rows, n)) - 0.5 * gap * (n - 1)
    return z.reshape(shape)


# ---------------------------------------------------------------------------
# Scan cases
# ---------------------------------------------------------------------------

#: routing patterns (for routed cases)
PATTERNS = ("random", "same", "unused", "duplicate", "out_of_range")


@dataclass(frozen=True)
class ScanCase:
    """One ``sse.scan`` configuration.

    routing: None, "args", "classify" (a separate sse.classify) or "router"
    (the scan's own ``router(z)``).  pattern: which partitions tokens
    pick -- "random", "same" (every token picks the same set), "unused"
    (partition N-1 is never picked), "duplicate" (args only: a token may
    list the same partition twice), "out_of_range" (args only: some slots
    hold -1 or N, i.e. no partition).  seq_lens: packed sequence lengths
    (B = 1, cu_seqlens given); ``tail`` extra tokens after the last sequence
    belong to no sequence.  shared: the fused shared partition (state
    partition 0), with shared_gate None, "scalar" or "per_key".  schedule:
    a :class:`Schedule` attribute on the scan.
    """

    T: int
    K: int = 16
    V: int = 16
    H: int = 1
    B: int = 1
    N: int = 1
    k: int = 1
    dtype: str = "f32"
    gate: Optional[str] = None
    gate_dtype: Optional[str] = None
    rule: str = "additive"
    init: bool = False
    routing: Optional[str] = None
    per_head: bool = False
    pattern: str = "random"
    order: str = "softmax_then_topk"
    renormalize: bool = False
    index_type: str = "i32"
    z_dtype: str = "f32"
    seq_lens: Optional[Tuple[int, ...]] = None
    tail: int = 0
    cu_dtype: str = "i32"
    scale: Optional[float] = None
    read_gate: bool = True
    write_gate: bool = True
    shared: bool = False
    shared_gate: Optional[str] = None
    schedule: Optional[Schedule] = None
    v_scale: float = 1.0  # v is drawn from N(0, v_scale^2)
    # "weak": log-gates in [-1, 0); "strong": every value in [-inf, 0], a
    # mixture of weak, strong (down to -1e4), -inf (a reset) and 0.
    gate_mix: str = "weak"
    # "interior": beta in [0.05, 0.95]; "edges": beta is 0 or 1 or between.
    beta_mix: str = "interior"
    # "distinct": router logits a gap apart; "extreme": up to f32's limits.
    logit_mix: str = "distinct"

    def __post_init__(self):
        if self.seq_lens is not None:
            if self.B != 1:
                raise ValueError("packed sequences need B = 1")
            if sum(self.seq_lens) + self.tail != self.T:
                raise ValueError(f"seq_lens {self.seq_lens} + tail {self.tail} != T {self.T}")
        if self.routing is None and self.N != 1:
            raise ValueError("an unrouted scan has N = 1")
        if not 1 <= self.k <= self.N:
            raise ValueError(f"need 1 <= k <= N, got k={self.k}, N={self.N}")
        if self.pattern == "unused" and self.k >= self.N:
            raise ValueError("pattern 'unused' needs k < N")
        if self.pattern in ("duplicate", "out_of_range") and self.routing != "args":
            raise ValueError(f"pattern {self.pattern!r} needs routing='args'")
        if self.shared and self.routing is None:
            raise ValueError("a shared partition needs routing")
        if self.shared_gate is not None and not self.shared:
            raise ValueError("shared_gate needs shared=True")
        if self.rule == "delta" and "per_key" in (self.gate, self.shared_gate):
            raise ValueError("the delta rule takes no gate or a scalar gate")
        if self.schedule is not None:
            self.schedule.check(self.K, self.V)
        if self.gate_mix not in ("weak", "strong"):
            raise ValueError(f"gate_mix must be 'weak' or 'strong', got {self.gate_mix!r}")
        if self.logit_mix not in ("distinct", "extreme"):
            raise ValueError(f"logit_mix must be 'distinct' or 'extreme', got {self.logit_mix!r}")
        if self.beta_mix not in ("interior", "edges"):
            raise ValueError(f"beta_mix must be 'interior' or 'edges', got {self.beta_mix!r}")

    @property
    def state_partitions(self) -> int:
        """N, plus 1 for a shared partition."""
        return self.N + (1 if self.shared else 0)

    @property
    def num_seqs(self) -> int:
        return self.B if self.seq_lens is None else len(self.seq_lens)

    @property
    def id(self) -> str:
        """A readable test id."""
        parts = [f"T{self.T}", f"K{self.K}V{self.V}", f"H{self.H}"]
        if self.B != 1:
            parts.append(f"B{self.B}")
        if self.routing is None:
            parts.append("dense")
        else:
            r = f"N{self.N}k{self.k}-{self.routing}"
            if self.per_head:
                r += "-perhead"
            if self.pattern != "random":
                r += f"-{self.pattern}"
            if self.routing in ("classify", "router"):
                r += {"softmax_then_topk": "", "topk_then_softmax": "-topksm"}[self.order]
                r += "-renorm" if self.renormalize else ""
                r += "" if self.z_dtype == "f32" else f"-z{self.z_dtype}"
            if self.index_type != "i32":
                r += f"-{self.index_type}"
            parts.append(r)
        parts.append(self.dtype if self.gate_dtype in (None, self.dtype)
                     else f"{self.dtype}+gate{self.gate_dtype}")
        parts.append({None: "nogate", "scalar": "sgate", "per_key": "kgate"}[self.gate])
        if self.rule == "delta":
            parts.append("delta")
        if self.init:
            parts.append("init")
        if self.seq_lens is not None:
            p = "packed" + "-".join(map(str, self.seq_lens))
            if self.tail:
                p += f"+tail{self.tail}"
            if self.cu_dtype != "i32":
                p += f"-{self.cu_dtype}"
            parts.append(p)
        if self.scale is not None:
            parts.append(f"scale{self.scale:g}")
        if not self.read_gate:
            parts.append("noread")
        if not self.write_gate:
            parts.append("nowrite")
        if self.shared:
            parts.append("shared-" + {None: "nogate", "scalar": "sgate",
                                      "per_key": "kgate"}[self.shared_gate])
        if self.schedule is not None:
            parts.append("sched-" + self.schedule.id)
        if self.v_scale != 1.0:
            parts.append(f"vscale{self.v_scale:g}")
        if self.gate_mix != "weak":
            parts.append(f"gates-{self.gate_mix}")
        if self.beta_mix != "interior":
            parts.append(f"beta-{self.beta_mix}")
        if self.logit_mix != "distinct":
            parts.append(f"logits-{self.logit_mix}")
        return "-".join(parts)

    def module(self) -> mlirgen.Module:
        return mlirgen.scan_module(
            self.B, self.T, self.H, self.K, self.V, dtype=self.dtype, gate=self.gate,
            gate_dtype=self.gate_dtype, rule=self.rule, routing=self.routing,
            partitions=self.N, topk=self.k, per_head=self.per_head,
            index_type=self.index_type, classify_order=self.order,
            renormalize=self.renormalize, z_dtype=self.z_dtype, init=self.init,
            num_seqs=None if self.seq_lens is None else len(self.seq_lens),
            cu_dtype=self.cu_dtype, scale=self.scale, read_gate=self.read_gate,
            write_gate=self.write_gate, shared=self.shared, shared_gate=self.shared_gate,
            schedule=self.schedule)

    def with_(self, **kw) -> "ScanCase":
        return replace(self, **kw)


def log_sigmoid_gate(rng, shape) -> np.ndarray:
    """GLA-style per-key log-gates ``log(sigmoid(u))``, u in [-0.54, 6): in [-1, 0)."""
    u = rng.uniform(-0.54, 6.0, shape)
    return -np.log1p(np.exp(-u))


def strong_gate(rng, shape) -> np.ndarray:
    """Log-gates anywhere in [-inf, 0]: weak ones mixed with strong ones
    (Mamba2/GDN-style, down to -1e4), resets (-inf) and no decay (0)."""
    pick = rng.random(shape)
    weak = rng.uniform(-1.0, 0.0, shape)
    strong = rng.uniform(-30.0, -1.0, shape)
    huge = -np.exp(rng.uniform(np.log(30.0), np.log(1e4), shape))
    g = np.where(pick < 0.45, weak, strong)
    g = np.where((pick >= 0.6) & (pick < 0.75), huge, g)
    g = np.where((pick >= 0.75) & (pick < 0.85), -np.inf, g)
    return np.where(pick >= 0.85, 0.0, g)


def _gate(case: ScanCase, rng, kind: Optional[str], shape) -> np.ndarray:
    """A scalar ([B, T, H]) or per-key ([B, T, H, K]) log-gate, per gate_mix."""
    gdt = case.gate_dtype or case.dtype
    full = shape if kind == "per_key" else shape[:3]
    if case.gate_mix == "strong":
        return round_to(strong_gate(rng, full), gdt)
    if kind == "scalar":
        return round_to(rng.uniform(-1.0, 0.0, full), gdt)
    return round_to(log_sigmoid_gate(rng, full), gdt)


def _beta(case: ScanCase, rng, shape) -> np.ndarray:
    """beta of the delta rule, per beta_mix (0 and 1 are legal)."""
    gdt = case.gate_dtype or case.dtype
    b = rng.uniform(0.05, 0.95, shape)
    if case.beta_mix == "edges":
        pick = rng.random(shape)
        b = np.where(pick < 0.3, 0.0, np.where(pick < 0.6, 1.0, b))
    return round_to(b, gdt)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    """L2-normalise the last axis (as GatedDeltaNet does to q and k)."""
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _route_args(case: ScanCase, rng, lead: Tuple[int, ...]):
    """Weights (f32) and indices [lead..., k] for routing given as arguments."""
    N, k = case.N, case.k
    rows = int(np.prod(lead))
    weights = rng.uniform(0.1, 1.0, (rows, k))
    if case.pattern == "same":
        chosen = rng.permutation(N)[:k]
        idx = np.tile(chosen, (rows, 1))
    elif case.pattern == "unused":
        idx = np.stack([rng.permutation(N - 1)[:k] for _ in range(rows)])
    elif case.pattern == "duplicate":
        idx = rng.integers(0, N, (rows, k))
        idx[:, -1] = idx[:, 0]  # the last slot repeats the first
    else:
        idx = np.stack([rng.permutation(N)[:k] for _ in range(rows)])
        if case.pattern == "out_of_range":
            bad = rng.random((rows, k)) < 0.3
            idx = np.where(bad, rng.choice([-1, N, N + 5], (rows, k)), idx)
    return (weights.reshape(lead + (k,)).astype(np.float32),
            idx.reshape(lead + (k,)).astype(np.int64))


def extreme_logits(rng, shape) -> np.ndarray:
    """Logits mixing +-f32's largest values, huge, ordinary and tiny ones."""
    f32_max = float(np.finfo(np.float32).max)
    pool = np.array([f32_max, -f32_max, 1e38, -1e38, 3e37, 88.0, 89.0, -104.0,
                     0.0, 1e-38, -1e-45, 1.0, 2.0], np.float32)
    z = rng.choice(pool, shape).astype(np.float32)
    return z + rng.standard_normal(shape).astype(np.float32) * (np.abs(z) < 1e3)


def _route_logits(case: ScanCase, rng, lead: Tuple[int, ...]) -> np.ndarray:
    """Router logits [lead..., N] for routing by classify, per the pattern."""
    if case.logit_mix == "extreme":
        return round_to(extreme_logits(rng, lead + (case.N,)), case.z_dtype)
    z = distinct_logits(rng, lead + (case.N,))
    if case.pattern == "same":
        chosen = rng.permutation(case.N)[:case.k]
        z[..., chosen] += 100.0  # always the top k (gaps stay >= 0.3)
    elif case.pattern == "unused":
        z[..., case.N - 1] -= 100.0  # never among the top k (k < N)
    return round_to(z, case.z_dtype)


def draw_scan_inputs(case: ScanCase, rng) -> Dict[str, np.ndarray]:
    """Random inputs by argument name, rounded to the types the runner sees.

    Float arrays are float32 holding values exactly representable in their
    element type; indices and offsets are int64 (converted on write).
    """
    B, T, H, K, V = case.B, case.T, case.H, case.K, case.V
    x: Dict[str, np.ndarray] = {}
    q = rng.standard_normal((B, T, H, K))
    k = rng.standard_normal((B, T, H, K))
    if case.rule == "delta":
        q, k = _unit_rows(q), _unit_rows(k)
    x["q"] = round_to(q, case.dtype)
    x["k"] = round_to(k, case.dtype)
    x["v"] = round_to(case.v_scale * rng.standard_normal((B, T, H, V)),
                      case.dtype)
    if case.gate is not None:
        x["gate"] = _gate(case, rng, case.gate, (B, T, H, K))
    if case.rule == "delta":
        x["beta"] = _beta(case, rng, (B, T, H))
    if case.shared:  # drawn only for shared cases: other cases keep their inputs
        q1 = rng.standard_normal((B, T, H, K))
        k1 = rng.standard_normal((B, T, H, K))
        if case.rule == "delta":
            q1, k1 = _unit_rows(q1), _unit_rows(k1)
        x["shared_q"] = round_to(q1, case.dtype)
        x["shared_k"] = round_to(k1, case.dtype)
        if case.shared_gate is not None:
            x["shared_gate"] = _gate(case, rng, case.shared_gate, (B, T, H, K))
        if case.rule == "delta":
            x["shared_beta"] = _beta(case, rng, (B, T, H))
    lead = (B, T, H) if case.per_head else (B, T)
    if case.routing == "args":
        x["weights"], x["indices"] = _route_args(case, rng, lead)
    elif case.routing in ("classify", "router"):
        x["z"] = _route_logits(case, rng, lead)
    if case.init:
        x["init"] = (0.5 * rng.standard_normal(
            (case.num_seqs, H, case.state_partitions, K, V))).astype(np.float32)
    if case.seq_lens is not None:
        x["cu_seqlens"] = np.concatenate([[0], np.cumsum(case.seq_lens)]).astype(np.int64)
    return x


def reference_scan(case: ScanCase, x: Dict[str, np.ndarray]):
    """Float64 reference ``(o, states)`` for inputs drawn by :func:`draw_scan_inputs`."""
    weights, indices = x.get("weights"), x.get("indices")
    if case.routing == "classify":
        weights, indices = classify(x["z"], case.k, order=case.order,
                                    renormalize=case.renormalize)
    if case.shared or case.routing == "router":
        router = case.routing == "router"
        return fused_scan(
            x["q"], x["k"], x["v"], gate=x.get("gate"), beta=x.get("beta"),
            shared_q=x.get("shared_q"), shared_k=x.get("shared_k"),
            shared_gate=x.get("shared_gate"), shared_beta=x.get("shared_beta"),
            weights=weights, indices=indices,
            logits=x["z"] if router else None, top_k=case.k if router else None,
            router_order=case.order if router else "softmax_then_topk",
            renormalize=router and case.renormalize,
            init=x.get("init"), cu_seqlens=x.get("cu_seqlens"), partitions=case.N,
            scale=case.scale, rule=case.rule, read_gate=case.read_gate,
            write_gate=case.write_gate)
    return scan(x["q"], x["k"], x["v"], gate=x.get("gate"), beta=x.get("beta"),
                weights=weights, indices=indices, init=x.get("init"),
                cu_seqlens=x.get("cu_seqlens"), partitions=case.N, scale=case.scale,
                rule=case.rule, read_gate=case.read_gate, write_gate=case.write_gate)


# ---------------------------------------------------------------------------
# Classify and SSE-GLA core cases
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassifyCase:
    shape: Tuple[int, ...]  # logits shape [..., N]
    k: int
    order: str = "softmax_then_topk"
    renormalize: bool = False
    z_dtype: str = "f32"
    index_type: str = "i32"

    @property
    def id(self) -> str:
        s = "x".join(map(str, self.shape)) + f"-k{self.k}"
        s += {"softmax_then_topk": "-softmax_topk", "topk_then_softmax": "-topk_softmax"}[
            self.order]
        s += "-renorm" if self.renormalize else ""
        return s + f"-{self.z_dtype}-{self.index_type}"

    def module(self) -> mlirgen.Module:
        return mlirgen.classify_module(self.shape, self.k, z_dtype=self.z_dtype,
                                       order=self.order, renormalize=self.renormalize,
                                       index_type=self.index_type)


def draw_classify_inputs(case: ClassifyCase, rng) -> np.ndarray:
    return round_to(distinct_logits(rng, case.shape, gap=0.6, jitter=0.3), case.z_dtype)


@dataclass(frozen=True)
class GlaCoreCase:
    B: int
    T: int
    H: int
    K: int
    V: int
    N: int
    k: int
    dtype: str = "f32"
    gate: Optional[str] = "per_key"
    renormalize: bool = False
    init: bool = False

    @property
    def id(self) -> str:
        s = (f"B{self.B}T{self.T}H{self.H}-K{self.K}V{self.V}-N{self.N}k{self.k}-{self.dtype}-"
             + {None: "nogate", "scalar": "sgate", "per_key": "kgate"}[self.gate])
        s += "-renorm" if self.renormalize else ""
        return s + ("-init" if self.init else "")

    def module(self) -> mlirgen.Module:
        return mlirgen.sse_gla_core_module(self.B, self.T, self.H, self.K, self.V, self.N,
                                           self.k, dtype=self.dtype, gate=self.gate,
                                           renormalize=self.renormalize, init=self.init)


def draw_gla_core_inputs(case: GlaCoreCase, rng) -> Dict[str, np.ndarray]:
    B, T, H, K, V, N = case.B, case.T, case.H, case.K, case.V, case.N
    x = {}
    for name in ("q1", "k1", "q2", "k2"):
        x[name] = round_to(rng.standard_normal((B, T, H, K)), case.dtype)
    x["v"] = round_to(rng.standard_normal((B, T, H, V)), case.dtype)
    if case.gate is not None:
        shape = (B, T, H) if case.gate == "scalar" else (B, T, H, K)
        for name in ("g1", "g2"):
            x[name] = round_to(log_sigmoid_gate(rng, shape), case.dtype)
    x["z"] = round_to(distinct_logits(rng, (B, T, N)), "f32")
    if case.init:
        x["init"] = (0.5 * rng.standard_normal((B, H, 1 + N, K, V))).astype(np.float32)
    return x


def reference_gla_core(case: GlaCoreCase, x: Dict[str, np.ndarray]):
    return sse_gla_core(x["q1"], x["k1"], x["q2"], x["k2"], x["v"], x.get("g1"),
                        x.get("g2"), x["z"], case.k, init=x.get("init"),
                        renormalize=case.renormalize)


# ---------------------------------------------------------------------------
# The SSE-GLA / SSE-GDN core as one fused scan
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FusedCoreCase:
    """The SSE core written as ONE ``sse.scan`` with ``shared(...)`` and
    ``router(z)`` (what ``sse-fuse-shared-routed`` + ``sse-fuse-router``
    produce), checked against ``reference.sse_gla_core`` (kind "gla":
    additive, router weights scale q and k) or ``reference.sse_gdn_core``
    (kind "gdn": delta rule, ``read_gate = write_gate = false``, scalar gates).

    The module's arguments are named as :func:`mlirgen.scan_module` names
    them; :attr:`ARG_ROLES` maps them to the core's names (q1, k1 shared;
    q2, k2 routed; ...).
    """

    kind: str
    B: int
    T: int
    H: int
    K: int
    V: int
    N: int
    k: int
    dtype: str = "f32"
    gate: Optional[str] = "scalar"
    renormalize: bool = False
    per_head: bool = False
    init: bool = False
    schedule: Optional[Schedule] = None

    ARG_ROLES = {"q": "q2", "k": "k2", "v": "v", "gate": "g2", "beta": "beta2",
                 "shared_q": "q1", "shared_k": "k1", "shared_gate": "g1",
                 "shared_beta": "beta1", "z": "z", "init": "init"}

    def __post_init__(self):
        if self.kind not in ("gla", "gdn"):
            raise ValueError(f"kind must be 'gla' or 'gdn', got {self.kind!r}")
        if self.kind == "gdn" and (self.gate == "per_key" or self.renormalize):
            raise ValueError("the SSE-GDN core has scalar gates and no renormalisation")

    @property
    def id(self) -> str:
        s = (f"{self.kind}-B{self.B}T{self.T}H{self.H}-K{self.K}V{self.V}-N{self.N}k{self.k}-"
             f"{self.dtype}-" + {None: "nogate", "scalar": "sgate", "per_key": "kgate"}[self.gate])
        s += "-perhead" if self.per_head else ""
        s += "-renorm" if self.renormalize else ""
        s += "-init" if self.init else ""
        return s + (f"-sched-{self.schedule.id}" if self.schedule else "")

    def module(self) -> mlirgen.Module:
        gdn = self.kind == "gdn"
        return mlirgen.scan_module(
            self.B, self.T, self.H, self.K, self.V, dtype=self.dtype, gate=self.gate,
            rule="delta" if gdn else "additive", routing="router", partitions=self.N,
            topk=self.k, per_head=self.per_head, renormalize=self.renormalize,
            init=self.init, read_gate=not gdn, write_gate=not gdn, shared=True,
            shared_gate=self.gate, schedule=self.schedule, entry=f"sse_{self.kind}_core")

    def module_inputs(self, module: mlirgen.Module, x: Dict[str, np.ndarray]) -> List:
        """The arrays of ``x`` (by core name) in the module's argument order."""
        return [x[self.ARG_ROLES[a]] for a in module.args]


def draw_fused_core_inputs(case: FusedCoreCase, rng) -> Dict[str, np.ndarray]:
    """Inputs by core name: q1 k1 q2 k2 v [g1 g2] [beta1 beta2] z [init]."""
    B, T, H, K, V, N = case.B, case.T, case.H, case.K, case.V, case.N
    x = {}
    for name in ("q1", "k1", "q2", "k2"):
        a = rng.standard_normal((B, T, H, K))
        x[name] = round_to(_unit_rows(a) if case.kind == "gdn" else a, case.dtype)
    x["v"] = round_to(rng.standard_normal((B, T, H, V)), case.dtype)
    if case.gate is not None:
        shape = (B, T, H) if case.gate == "scalar" else (B, T, H, K)
        for name in ("g1", "g2"):
            x[name] = round_to(log_sigmoid_gate(rng, shape), case.dtype)
    if case.kind == "gdn":
        for name in ("beta1", "beta2"):
            x[name] = round_to(rng.uniform(0.05, 0.95, (B, T, H)), case.dtype)
    lead = (B, T, H) if case.per_head else (B, T)
    x["z"] = round_to(distinct_logits(rng, lead + (N,)), "f32")
    if case.init:
        x["init"] = (0.5 * rng.standard_normal((B, H, 1 + N, K, V))).astype(np.float32)
    return x


def reference_fused_core(case: FusedCoreCase, x: Dict[str, np.ndarray]):
    """``reference.sse_gla_core`` / ``sse_gdn_core`` on the drawn inputs."""
    if case.kind == "gla":
        return sse_gla_core(x["q1"], x["k1"], x["q2"], x["k2"], x["v"], x.get("g1"),
                            x.get("g2"), x["z"], case.k, init=x.get("init"),
                            renormalize=case.renormalize)
    return sse_gdn_core(x["q1"], x["k1"], x["q2"], x["k2"], x["v"], x.get("g1"),
                        x.get("g2"), x["beta1"], x["beta2"], x["z"], case.k,
                        init=x.get("init"))


# ---------------------------------------------------------------------------
# All-pairs covering arrays
# ---------------------------------------------------------------------------


def pairwise(factors: Dict[str, Sequence], valid: Callable[[Dict], bool],
             seed: int = 0, candidates: int = 30) -> List[Dict]:
    """A small list of assignments covering every valid pair of factor values.

    ``factors`` maps factor names to their values; ``valid(partial)`` says
    whether a partial assignment (a dict over some factors) may be completed
    -- it must reject every combination that is not allowed.  A pair no
    valid full assignment contains is left uncovered.  Greedy (AETG-style)
    and deterministic for a given ``seed``.
    """
    names = list(factors)
    values = {n: list(factors[n]) for n in names}
    rnd = random.Random(seed)

    def pairs_of(assign: Dict) -> set:
        keys = [n for n in names if n in assign]
        return {((a, values[a].index(assign[a])), (b, values[b].index(assign[b])))
                for a, b in itertools.combinations(keys, 2)}

    uncovered = set()
    for a, b in itertools.combinations(names, 2):
        for va in values[a]:
            for vb in values[b]:
                if valid({a: va, b: vb}):
                    uncovered.add(((a, values[a].index(va)), (b, values[b].index(vb))))

    def complete(start: Dict) -> Optional[Dict]:
        assign = dict(start)
        rest = [n for n in names if n not in assign]
        rnd.shuffle(rest)
        for n in rest:
            best, best_gain = None, -1
            opts = list(values[n])
            rnd.shuffle(opts)
            for v in opts:
                trial = dict(assign, **{n: v})
                if not valid(trial):
                    continue
                gain = len(pairs_of(trial) & uncovered)
                if gain > best_gain:
                    best, best_gain = v, gain
            if best is None:
                return None
            assign[n] = best
        return assign

    tests: List[Dict] = []
    while uncovered:
        target = min(uncovered)
        (a, ia), (b, ib) = target
        start = {a: values[a][ia], b: values[b][ib]}
        best, best_gain = None, 0
        for _ in range(candidates):
            cand = complete(start)
            if cand is None:
                continue
            gain = len(pairs_of(cand) & uncovered)
            if gain > best_gain:
                best, best_gain = cand, gain
        if best is None:
            uncovered.discard(target)  # no valid completion found: infeasible
            continue
        tests.append(best)
        uncovered -= pairs_of(best)
    return tests


def load_built_cases(out: str, prefix: str = "case"):
    """(name, folder, case) for each folder `<prefix>...` under `out` that a
    GPU build step wrote (its case.py holds the case's repr), by name."""
    import os
    found = []
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        spec = os.path.join(path, "case.py")
        if name.startswith(prefix) and os.path.isfile(spec):
            found.append((name, path, eval(open(spec).read(), globals())))
    return found


def fresh_rng():
    """A generator seeded from the OS: fresh inputs on every run."""
    import os
    return np.random.default_rng(int.from_bytes(os.urandom(4), "little"))
