"""Generate small ``.mlir`` modules that exercise the ``sse`` dialect.

Every generator returns a :class:`Module`: the text of a module with one
``func.func`` entry, plus the names of its arguments in order (so the caller
knows which array goes to which ``.npy`` file) and the names of its results.

Types are written from shapes and element-type names::

    tensor_type((1, 7, 2, 16), "bf16")  ->  "tensor<1x7x2x16xbf16>"

The generated IR follows ``include/sse/Dialect/SSE/IR/SSEOps.td``::

    %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<topk_then_softmax>,
                              renormalize} : T_z -> (T_w, T_i)
    %o, %s = sse.scan %q, %k, %v gate(%g) beta(%b) route(%w, %i) init(%s0)
                      cu_seqlens(%cu) {partitions = 4 : i64, ...}
        : (T_q, T_k, T_v, T_g, T_b, T_w, T_i, T_s0, T_cu) -> (T_o, T_states)

and the fused forms of the scan (a shared partition, the router in the
prologue, a tiling schedule)::

    %o, %s = sse.scan %q, %k, %v gate(%g) beta(%b) shared(%q1, %k1)
                      shared_gate(%g1) shared_beta(%b1) router(%z) init(%s0)
                      cu_seqlens(%cu) {partitions = 4 : i64, top_k = 2 : i64,
                      router_order = #sse.order<topk_then_softmax>, renormalize,
                      schedule = #sse.schedule<chunk = 64, k_tile = 16, ...>}
        : (T_q, ..., T_cu) -> (T_o, T_states)     // states [S, H, 1 + N, K, V]

with each optional group (and its type) present only when used.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

__all__ = [
    "Module",
    "Schedule",
    "tensor_type",
    "f32_attr",
    "classify_module",
    "scan_module",
    "sse_gla_core_module",
]

FLOAT_TYPES = ("f32", "f16", "bf16")
INDEX_TYPES = ("i32", "i64")
CLASSIFY_ORDERS = ("softmax_then_topk", "topk_then_softmax")
RULES = ("additive", "delta")
SPLITS = ("recurrent", "chunked")
GROUPINGS = ("dense", "sorted")


@dataclass(frozen=True)
class Schedule:
    """A ``#sse.schedule`` attribute (how a scan is tiled).

    ``chunk`` is a power of two in [16, 256]; ``k_tile`` / ``v_tile`` must
    divide K / V (checked by :func:`scan_module`, which knows them).
    """

    chunk: int = 64
    k_tile: int = 16
    v_tile: int = 16
    split: str = "recurrent"
    grouping: str = "dense"

    def __post_init__(self):
        c = int(self.chunk)
        if not (16 <= c <= 256 and c & (c - 1) == 0):
            raise ValueError(f"schedule chunk must be a power of two in [16, 256], got {c}")
        if self.k_tile < 1 or self.v_tile < 1:
            raise ValueError("schedule tiles must be >= 1")
        if self.split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {self.split!r}")
        if self.grouping not in GROUPINGS:
            raise ValueError(f"grouping must be one of {GROUPINGS}, got {self.grouping!r}")

    def check(self, K: int, V: int) -> None:
        if K % self.k_tile or V % self.v_tile:
            raise ValueError(f"schedule tiles k_tile={self.k_tile}, v_tile={self.v_tile} "
                             f"must divide K={K}, V={V}")

    def attr(self) -> str:
        return (f"#sse.schedule<chunk = {int(self.chunk)}, k_tile = {int(self.k_tile)}, "
                f"v_tile = {int(self.v_tile)}, split = {self.split}, "
                f"grouping = {self.grouping}>")

    @property
    def id(self) -> str:
        return (f"c{self.chunk}k{self.k_tile}v{self.v_tile}-{self.split[:3]}-"
                f"{self.grouping[:3]}")


@dataclass
class Module:
    """A generated module: its text, entry name and argument/result names.

    ``arg_types``/``result_types`` hold ``(shape, element type)`` pairs in the
    same order as ``args``/``results``.
    """

    text: str
    entry: str
    args: List[str]
    arg_types: List[Tuple[Tuple[int, ...], str]]
    results: List[str]
    result_types: List[Tuple[Tuple[int, ...], str]] = field(default_factory=list)

    @property
    def arg_dtypes(self) -> List[str]:
        return [t for _, t in self.arg_types]

    @property
    def result_dtypes(self) -> List[str]:
        return [t for _, t in self.result_types]


def tensor_type(shape: Sequence[int], elem: str) -> str:
    """``tensor<AxBx...xELEM>`` (a rank-0 tensor is ``tensor<ELEM>``)."""
    dims = "".join(f"{int(d)}x" for d in shape)
    return f"tensor<{dims}{elem}>"


def f32_attr(value: float) -> str:
    """An f32 attribute whose printed value round-trips exactly.

    Written as the hex bit pattern (``0x3E000000 : f32``), which MLIR accepts
    for float attributes, so no decimal rounding happens between Python and
    the compiler.
    """
    bits = struct.unpack("<I", struct.pack("<f", float(value)))[0]
    return f"0x{bits:08X} : f32"


class _Builder:
    """Collects function arguments and body lines with unique SSA names."""

    def __init__(self):
        self.arg_names: List[str] = []
        self.arg_types: List[Tuple[Tuple[int, ...], str]] = []
        self.lines: List[str] = []

    def arg(self, name: str, shape: Sequence[int], elem: str) -> str:
        """Declares a function argument; returns its SSA value ``%name``."""
        if name in self.arg_names:
            raise ValueError(f"duplicate argument name {name!r}")
        self.arg_names.append(name)
        self.arg_types.append((tuple(int(d) for d in shape), elem))
        return f"%{name}"

    def op(self, line: str) -> None:
        self.lines.append("  " + line)

    def finish(self, entry: str, results: List[Tuple[str, str, Tuple[Tuple[int, ...], str]]]
               ) -> Module:
        """``results``: (result name, SSA value, (shape, elem)) triples."""
        params = ", ".join(f"%{n}: {tensor_type(*t)}"
                           for n, t in zip(self.arg_names, self.arg_types))
        rtypes = [t for _, _, t in results]
        rtext = ", ".join(tensor_type(*t) for t in rtypes)
        body = "\n".join(self.lines)
        ret_vals = ", ".join(v for _, v, _ in results)
        ret_types = ", ".join(tensor_type(*t) for t in rtypes)
        text = (f"func.func @{entry}({params}) -> ({rtext}) {{\n"
                f"{body}\n"
                f"  return {ret_vals} : {ret_types}\n"
                f"}}\n")
        return Module(text=text, entry=entry, args=list(self.arg_names),
                      arg_types=list(self.arg_types),
                      results=[n for n, _, _ in results], result_types=rtypes)


# ---------------------------------------------------------------------------
# Op emitters (append one op to a builder; return its SSA results)
# ---------------------------------------------------------------------------


def _classify_attrs(k: int, order: str, renormalize: bool) -> str:
    if order not in CLASSIFY_ORDERS:
        raise ValueError(f"order must be one of {CLASSIFY_ORDERS}, got {order!r}")
    attrs = [f"k = {int(k)} : i64"]
    if order != "softmax_then_topk":
        attrs.append(f"order = #sse.order<{order}>")
    if renormalize:
        attrs.append("renormalize")
    return "{" + ", ".join(attrs) + "}"


def _emit_classify(bld: _Builder, z: str, z_type, k: int, order: str,
                   renormalize: bool, index_type: str, prefix: str = ""):
    """Emits ``sse.classify``; returns (w, i, w_type, i_type)."""
    z_shape, z_elem = z_type
    out_shape = tuple(z_shape[:-1]) + (int(k),)
    w_type, i_type = (out_shape, "f32"), (out_shape, index_type)
    w, i = f"%{prefix}w", f"%{prefix}i"
    bld.op(f"{w}, {i} = sse.classify {z} {_classify_attrs(k, order, renormalize)} : "
           f"{tensor_type(*z_type)} -> ({tensor_type(*w_type)}, {tensor_type(*i_type)})")
    return w, i, w_type, i_type


def _scan_attrs(partitions: int, scale: Optional[float], rule: str,
                read_gate: bool, write_gate: bool,
                router: Optional[Tuple[int, str, bool]] = None,
                schedule: Optional[Schedule] = None) -> str:
    """The attribute dictionary of a scan.

    ``router``: ``(top_k, order, renormalize)`` of a fused ``router(z)``; the
    default order is left out, as the printer does.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    attrs = [f"partitions = {int(partitions)} : i64"]
    if scale is not None:
        attrs.append(f"scale = {f32_attr(scale)}")
    if rule != "additive":
        attrs.append(f"rule = #sse.rule<{rule}>")
    if not read_gate:
        attrs.append("read_gate = false")
    if not write_gate:
        attrs.append("write_gate = false")
    if router is not None:
        top_k, order, renormalize = router
        if order not in CLASSIFY_ORDERS:
            raise ValueError(f"order must be one of {CLASSIFY_ORDERS}, got {order!r}")
        attrs.append(f"top_k = {int(top_k)} : i64")
        if order != "softmax_then_topk":
            attrs.append(f"router_order = #sse.order<{order}>")
        if renormalize:
            attrs.append("renormalize")
    if schedule is not None:
        attrs.append(f"schedule = {schedule.attr()}")
    return "{" + ", ".join(attrs) + "}"


def _emit_scan(bld: _Builder, operands: Dict[str, Optional[Tuple[str, Tuple]]],
               partitions: int, scale: Optional[float], rule: str,
               read_gate: bool, write_gate: bool, prefix: str = "", *,
               router: Optional[Tuple[int, str, bool]] = None,
               schedule: Optional[Schedule] = None):
    """Emits ``sse.scan``.

    ``operands`` maps q, k, v, gate, beta, shared_q, shared_k, shared_gate,
    shared_beta, weights, indices, logits, init, cu_seqlens to
    ``(ssa value, (shape, elem))`` or None.  ``router``: ``(top_k, order,
    renormalize)``, required exactly when ``logits`` is given.  Returns (o,
    states, o_type, states_type); with a shared partition the states hold
    ``partitions + 1`` partitions.
    """
    if (operands.get("logits") is None) != (router is None):
        raise ValueError("router(...) logits and the router attributes go together")
    q, k, v = operands["q"], operands["k"], operands["v"]
    (B, T, H, K), _ = q[1]
    V = v[1][0][3]
    num_seqs = B
    if operands.get("cu_seqlens") is not None:
        num_seqs = operands["cu_seqlens"][1][0][0] - 1
    o_type = (tuple(v[1][0]), v[1][1])
    state_parts = int(partitions) + (1 if operands.get("shared_q") is not None else 0)
    s_type = ((num_seqs, H, state_parts, K, V), "f32")

    text = f"{q[0]}, {k[0]}, {v[0]}"
    types = [q[1], k[1], v[1]]
    for group, names in (("gate", ["gate"]), ("beta", ["beta"]),
                         ("shared", ["shared_q", "shared_k"]),
                         ("shared_gate", ["shared_gate"]),
                         ("shared_beta", ["shared_beta"]),
                         ("route", ["weights", "indices"]), ("router", ["logits"]),
                         ("init", ["init"]), ("cu_seqlens", ["cu_seqlens"])):
        vals = [operands.get(n) for n in names]
        if all(x is None for x in vals):
            continue
        if any(x is None for x in vals):
            raise ValueError(f"{group} needs all of {names}")
        text += f" {group}(" + ", ".join(x[0] for x in vals) + ")"
        types += [x[1] for x in vals]
    o, s = f"%{prefix}o", f"%{prefix}s"
    attrs = _scan_attrs(partitions, scale, rule, read_gate, write_gate,
                        router=router, schedule=schedule)
    bld.op(f"{o}, {s} = sse.scan {text} {attrs}")
    bld.op("    : (" + ", ".join(tensor_type(*t) for t in types) + ") -> ("
           f"{tensor_type(*o_type)}, {tensor_type(*s_type)})")
    return o, s, o_type, s_type


# ---------------------------------------------------------------------------
# Module generators
# ---------------------------------------------------------------------------


def classify_module(z_shape: Sequence[int], k: int, *, z_dtype: str = "f32",
                    order: str = "softmax_then_topk", renormalize: bool = False,
                    index_type: str = "i32", entry: str = "classify") -> Module:
    """``classify(z) -> (weights, indices)`` alone.  Argument: ``z``."""
    bld = _Builder()
    z_type = (tuple(z_shape), z_dtype)
    z = bld.arg("z", *z_type)
    w, i, w_type, i_type = _emit_classify(bld, z, z_type, k, order, renormalize, index_type)
    return bld.finish(entry, [("weights", w, w_type), ("indices", i, i_type)])


def scan_module(B: int, T: int, H: int, K: int, V: int, *, dtype: str = "f32",
                gate: Optional[str] = None, gate_dtype: Optional[str] = None,
                rule: str = "additive", routing: Optional[str] = None,
                partitions: int = 1, topk: int = 1, per_head: bool = False,
                index_type: str = "i32", classify_order: str = "softmax_then_topk",
                renormalize: bool = False, z_dtype: str = "f32",
                init: bool = False, num_seqs: Optional[int] = None,
                cu_dtype: str = "i32", scale: Optional[float] = None,
                read_gate: bool = True, write_gate: bool = True,
                shared: bool = False, shared_gate: Optional[str] = None,
                schedule: Optional[Schedule] = None,
                entry: str = "scan") -> Module:
    """One ``sse.scan`` with any combination of its options.

    Parameters
    ----------
    B, T, H, K, V : sizes; ``dtype`` is the element type of q, k, v (and of
        the gate and beta unless ``gate_dtype`` says otherwise).
    gate : None, ``"scalar"`` ([B,T,H]) or ``"per_key"`` ([B,T,H,K]).
    rule : ``"additive"`` or ``"delta"`` (adds a ``beta`` argument).
    routing : None (unrouted), ``"args"`` (``weights``/``indices`` arguments),
        ``"classify"`` (a ``z`` argument routed by a separate
        ``sse.classify``) or ``"router"`` (a ``z`` argument classified by the
        scan itself, ``router(%z)`` with ``top_k``/``router_order``/
        ``renormalize`` attributes).
    partitions, topk : N and k.  per_head: routing is [B,T,H,k] (logits
        [B,T,H,N]) instead of [B,T,k].
    classify_order, renormalize, z_dtype : the router (classify or router).
    init : add an ``init`` argument ([S,H,N',K,V] f32, N' = N (+1 if shared)).
    num_seqs : if given, ``B`` must be 1 and a ``cu_seqlens`` argument of
        ``num_seqs + 1`` offsets is added.
    shared : add the fused shared partition: ``shared_q``, ``shared_k``
        ([B,T,H,K], dtype) arguments, plus ``shared_beta`` ([B,T,H],
        gate_dtype) with the delta rule.  Needs routing.
    shared_gate : None, ``"scalar"`` or ``"per_key"``: a ``shared_gate``
        argument (gate_dtype); only with ``shared``.
    schedule : a :class:`Schedule` recorded as the ``schedule`` attribute.

    Arguments, in order (each only when present): q, k, v, gate, beta,
    shared_q, shared_k, shared_gate, shared_beta, z | (weights, indices),
    init, cu_seqlens.  Results: o, states.
    """
    if gate not in (None, "scalar", "per_key"):
        raise ValueError(f"gate must be None, 'scalar' or 'per_key', got {gate!r}")
    if shared_gate not in (None, "scalar", "per_key"):
        raise ValueError(
            f"shared_gate must be None, 'scalar' or 'per_key', got {shared_gate!r}")
    if routing not in (None, "args", "classify", "router"):
        raise ValueError(
            f"routing must be None, 'args', 'classify' or 'router', got {routing!r}")
    if num_seqs is not None and B != 1:
        raise ValueError("cu_seqlens (num_seqs) requires B == 1")
    if shared and routing is None:
        raise ValueError("a shared partition needs routing")
    if shared_gate is not None and not shared:
        raise ValueError("shared_gate needs shared=True")
    if isinstance(schedule, dict):
        schedule = Schedule(**schedule)
    if schedule is not None:
        schedule.check(K, V)
    gate_dtype = gate_dtype or dtype
    bld = _Builder()
    ops: Dict[str, Optional[Tuple[str, Tuple]]] = {}
    for name, width in (("q", K), ("k", K), ("v", V)):
        t = ((B, T, H, width), dtype)
        ops[name] = (bld.arg(name, *t), t)
    if gate is not None:
        t = ((B, T, H) if gate == "scalar" else (B, T, H, K), gate_dtype)
        ops["gate"] = (bld.arg("gate", *t), t)
    if rule == "delta":
        t = ((B, T, H), gate_dtype)
        ops["beta"] = (bld.arg("beta", *t), t)
    if shared:
        t = ((B, T, H, K), dtype)
        ops["shared_q"] = (bld.arg("shared_q", *t), t)
        ops["shared_k"] = (bld.arg("shared_k", *t), t)
        if shared_gate is not None:
            t = ((B, T, H) if shared_gate == "scalar" else (B, T, H, K), gate_dtype)
            ops["shared_gate"] = (bld.arg("shared_gate", *t), t)
        if rule == "delta":
            t = ((B, T, H), gate_dtype)
            ops["shared_beta"] = (bld.arg("shared_beta", *t), t)
    lead = (B, T, H) if per_head else (B, T)
    router = None
    if routing == "args":
        wt, it = (lead + (topk,), "f32"), (lead + (topk,), index_type)
        ops["weights"] = (bld.arg("weights", *wt), wt)
        ops["indices"] = (bld.arg("indices", *it), it)
    elif routing == "classify":
        zt = (lead + (partitions,), z_dtype)
        z = bld.arg("z", *zt)
        w, i, wt, it = _emit_classify(bld, z, zt, topk, classify_order, renormalize,
                                      index_type)
        ops["weights"], ops["indices"] = (w, wt), (i, it)
    elif routing == "router":
        zt = (lead + (partitions,), z_dtype)
        ops["logits"] = (bld.arg("z", *zt), zt)
        router = (topk, classify_order, renormalize)
    S = B if num_seqs is None else num_seqs
    if init:
        t = ((S, H, partitions + (1 if shared else 0), K, V), "f32")
        ops["init"] = (bld.arg("init", *t), t)
    if num_seqs is not None:
        t = ((num_seqs + 1,), cu_dtype)
        ops["cu_seqlens"] = (bld.arg("cu_seqlens", *t), t)
    o, s, o_type, s_type = _emit_scan(bld, ops, partitions, scale, rule,
                                      read_gate, write_gate, router=router,
                                      schedule=schedule)
    return bld.finish(entry, [("o", o, o_type), ("states", s, s_type)])


def sse_gla_core_module(B: int, T: int, H: int, K: int, V: int, N: int, topk: int, *,
                        dtype: str = "f32", gate: Optional[str] = "per_key",
                        renormalize: bool = False, z_dtype: str = "f32",
                        init: bool = False, scale: Optional[float] = None,
                        entry: str = "sse_gla_core") -> Module:
    """The SSE-GLA core (SPEC 1.4): shared scan + routed scan, summed.

    ``o = scan(q1, k1, v, g1) + scan(q2, k2, v, g2, route = classify(z))``,
    the sum written as ``linalg.add`` into a ``tensor.empty``.  The states
    use the layer's cache layout ``[B, H, 1 + N, K, V]`` (shared partition
    first): ``init`` is split with ``tensor.extract_slice`` and the final
    states are joined with ``tensor.concat``, as ``reference.sse_gla_core``.

    Arguments: q1, k1, q2, k2, v, [g1, g2], z, [init].  Results: o, states.
    """
    if gate not in (None, "scalar", "per_key"):
        raise ValueError(f"gate must be None, 'scalar' or 'per_key', got {gate!r}")
    bld = _Builder()
    qk_t, v_t = ((B, T, H, K), dtype), ((B, T, H, V), dtype)
    q1, k1 = (bld.arg("q1", *qk_t), qk_t), (bld.arg("k1", *qk_t), qk_t)
    q2, k2 = (bld.arg("q2", *qk_t), qk_t), (bld.arg("k2", *qk_t), qk_t)
    v = (bld.arg("v", *v_t), v_t)
    g1 = g2 = None
    if gate is not None:
        g_t = ((B, T, H) if gate == "scalar" else (B, T, H, K), dtype)
        g1, g2 = (bld.arg("g1", *g_t), g_t), (bld.arg("g2", *g_t), g_t)
    z_t = ((B, T, N), z_dtype)
    z = bld.arg("z", *z_t)
    init_arg = None
    if init:
        init_arg = bld.arg("init", (B, H, 1 + N, K, V), "f32")
    o, o_t, states, all_t = _emit_gla_core(bld, q1, k1, q2, k2, v, g1, g2, (z, z_t),
                                           N, topk, renormalize=renormalize,
                                           init=init_arg, scale=scale)
    return bld.finish(entry, [("o", o, o_t), ("states", states, all_t)])


def _emit_gla_core(bld: _Builder, q1, k1, q2, k2, v, g1, g2, z, N: int, topk: int, *,
                   renormalize: bool = False, init: Optional[str] = None,
                   scale: Optional[float] = None, prefix: str = ""):
    """Emits the SSE-GLA core: ``sse.classify`` of ``z``, the shared and the
    routed ``sse.scan``, their sum as ``linalg.add`` and the states joined in
    the layer's cache layout ``[B, H, 1 + N, K, V]`` (shared partition first).

    Every operand is ``(ssa value, (shape, elem))`` (``g1``/``g2`` may be
    None); ``init`` is the SSA value of initial states in the cache layout,
    split with ``tensor.extract_slice``.  Returns (o, o_type, states,
    states_type); ``sse-fuse`` folds all of it into one scan.
    """
    return _emit_sse_core(bld, q1, k1, q2, k2, v, g1, g2, z, N, topk,
                          renormalize=renormalize, init=init, scale=scale, prefix=prefix)


def _emit_gdn_core(bld: _Builder, q1, k1, q2, k2, v, g1, g2, beta1, beta2, z, N: int,
                   topk: int, *, init: Optional[str] = None, scale: Optional[float] = None,
                   prefix: str = ""):
    """The SSE-GDN core: as :func:`_emit_gla_core` with the gated delta rule
    (scalar gates ``g1``/``g2``, learning rates ``beta1``/``beta2``, all
    ``[B, T, H]``) and a router that only selects (the routed scan has
    ``read_gate = false, write_gate = false``)."""
    return _emit_sse_core(bld, q1, k1, q2, k2, v, g1, g2, z, N, topk, init=init,
                          scale=scale, rule="delta", beta1=beta1, beta2=beta2,
                          router_weights=False, prefix=prefix)


def _emit_sse_core(bld: _Builder, q1, k1, q2, k2, v, g1, g2, z, N: int, topk: int, *,
                   renormalize: bool = False, init: Optional[str] = None,
                   scale: Optional[float] = None, rule: str = "additive",
                   beta1=None, beta2=None, router_weights: bool = True,
                   prefix: str = ""):
    """The shared + routed core of either layer (see :func:`_emit_gla_core`):
    ``rule`` and the betas of the two scans; ``router_weights`` False turns
    the routed scan's read and write gates off; ``prefix`` starts every SSA
    name it defines (several cores in one function)."""
    (B, _, H, K), V = q1[1][0], v[1][0][3]
    s1_t, s2_t = ((B, H, 1, K, V), "f32"), ((B, H, N, K, V), "f32")
    all_t = ((B, H, 1 + N, K, V), "f32")
    init1 = init2 = None
    if init is not None:
        s0 = init
        sizes1 = ", ".join(map(str, s1_t[0]))
        sizes2 = ", ".join(map(str, s2_t[0]))
        bld.op(f"%{prefix}init_shared = tensor.extract_slice {s0}[0, 0, 0, 0, 0] [{sizes1}] "
               f"[1, 1, 1, 1, 1] : {tensor_type(*all_t)} to {tensor_type(*s1_t)}")
        bld.op(f"%{prefix}init_routed = tensor.extract_slice {s0}[0, 0, 1, 0, 0] [{sizes2}] "
               f"[1, 1, 1, 1, 1] : {tensor_type(*all_t)} to {tensor_type(*s2_t)}")
        init1, init2 = (f"%{prefix}init_shared", s1_t), (f"%{prefix}init_routed", s2_t)
    w, i, w_t, i_t = _emit_classify(bld, z[0], z[1], topk, "softmax_then_topk",
                                    renormalize, "i32", prefix=prefix)
    o1, s1, o_t, _ = _emit_scan(bld, {"q": q1, "k": k1, "v": v, "gate": g1, "beta": beta1,
                                      "init": init1},
                                1, scale, rule, True, True, prefix=f"{prefix}shared_")
    o2, s2, _, _ = _emit_scan(bld, {"q": q2, "k": k2, "v": v, "gate": g2, "beta": beta2,
                                    "weights": (w, w_t), "indices": (i, i_t),
                                    "init": init2},
                              N, scale, rule, router_weights, router_weights,
                              prefix=f"{prefix}routed_")
    ot = tensor_type(*o_t)
    o, empty, states = f"%{prefix}o", f"%{prefix}empty", f"%{prefix}states"
    bld.op(f"{empty} = tensor.empty() : {ot}")
    bld.op(f"{o} = linalg.add ins({o1}, {o2} : {ot}, {ot}) outs({empty} : {ot}) -> {ot}")
    bld.op(f"{states} = tensor.concat dim(2) {s1}, {s2} : ({tensor_type(*s1_t)}, "
           f"{tensor_type(*s2_t)}) -> {tensor_type(*all_t)}")
    return o, o_t, states, all_t
