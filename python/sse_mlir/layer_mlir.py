"""The MLIR of whole SSE layers: a builder of upstream ops and the
emitters of the SSE-GLA and SSE-GDN layers (SPEC 1.4).

Every value is ``(ssa, (shape, elem))``.  A layer is written with upstream
``linalg`` (``matmul``, ``generic``, ``softmax``, ``reduce``,
``broadcast``), ``tensor``, ``arith``, ``math`` and ``func``, plus
``sse.classify`` and ``sse.scan``; ``sse-fuse`` folds its core, norm and
output gate into one fused scan.  The configs are those of
:mod:`sse_mlir.model`; this module reads only their fields.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .mlirgen import Module, _Builder, _emit_gdn_core, _emit_gla_core, tensor_type

__all__ = ["LayerBuilder", "emit_rms_norm", "emit_swish_gate", "emit_l2_norm",
           "emit_gla_layer", "emit_gdn_layer", "gla_layer_body", "gdn_layer_body"]

Value = Tuple[str, Tuple[Tuple[int, ...], str]]  # (SSA value, (shape, element type))

#: eps of the per-head L2 norm of q and k in SSE-GDN (FLA's in-kernel
#: ``l2norm``: ``x / sqrt(sum(x^2) + eps)``).
L2_NORM_EPS = 1e-6


class LayerBuilder(_Builder):
    """A function body under construction, with emitters for the upstream
    ops a layer is made of.  Every value is ``(ssa, (shape, elem))``.

    Names are made unique by :meth:`fresh`; the names that the scan emitters
    of :mod:`sse_mlir.mlirgen` use are reserved.
    """

    _RESERVED = {"w", "i", "shared_o", "shared_s", "routed_o", "routed_s", "empty",
                 "o", "states", "init_shared", "init_routed"}

    def __init__(self):
        super().__init__()
        self._used = set(self._RESERVED)
        self._scalars = 0

    def arg(self, name: str, shape: Sequence[int], elem: str) -> str:
        self._used.add(name)
        return super().arg(name, shape, elem)

    def argv(self, name: str, shape: Sequence[int], elem: str) -> Value:
        """Declares an argument; returns it as a value."""
        return (self.arg(name, shape, elem), (tuple(int(d) for d in shape), elem))

    def fresh(self, base: str) -> str:
        """A new SSA name ``%base`` (``%base_2``, ... if taken)."""
        name, n = base, 1
        while name in self._used:
            n += 1
            name = f"{base}_{n}"
        self._used.add(name)
        return f"%{name}"

    def empty(self, shape: Sequence[int], elem: str) -> str:
        e = self.fresh("init")
        self.op(f"{e} = tensor.empty() : {tensor_type(shape, elem)}")
        return e

    def zeros(self, shape: Sequence[int], elem: str) -> str:
        zero, e, z = self.fresh("zero"), self.empty(shape, elem), self.fresh("acc")
        t = tensor_type(shape, elem)
        self.op(f"{zero} = arith.constant 0.0 : {elem}")
        self.op(f"{z} = linalg.fill ins({zero} : {elem}) outs({e} : {t}) -> {t}")
        return z

    def linear(self, x: Value, weight: Value, name: str) -> Value:
        """``x W^T`` for x [M, in] and a PyTorch weight W [out, in]: a
        ``linalg.matmul`` with the transposed operand's indexing map,
        accumulated in f32."""
        (m, kin), _ = x[1]
        (n, kin2), _ = weight[1]
        if kin != kin2:
            raise ValueError(f"{name}: x is [{m}, {kin}] but the weight is [{n}, {kin2}]")
        out_t = ((m, n), "f32")
        acc = self.zeros(*out_t)
        r = self.fresh(name)
        self.op(f"{r} = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
                f"affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]")
        self.op(f"    ins({x[0]}, {weight[0]} : {tensor_type(*x[1])}, {tensor_type(*weight[1])}) "
                f"outs({acc} : {tensor_type(*out_t)}) -> {tensor_type(*out_t)}")
        return (r, out_t)

    def reshape(self, x: Value, shape: Sequence[int], groups: Sequence[Sequence[int]],
                name: str) -> Value:
        """``tensor.expand_shape`` (more dims) or ``tensor.collapse_shape``
        (fewer); ``groups`` is the reassociation (in the larger rank)."""
        shape = tuple(int(d) for d in shape)
        src, elem = x[1]
        reassoc = "[" + ", ".join("[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"
        r = self.fresh(name)
        if len(shape) > len(src):
            self.op(f"{r} = tensor.expand_shape {x[0]} {reassoc} output_shape "
                    f"[{', '.join(map(str, shape))}] : {tensor_type(src, elem)} into "
                    f"{tensor_type(shape, elem)}")
        else:
            self.op(f"{r} = tensor.collapse_shape {x[0]} {reassoc} : "
                    f"{tensor_type(src, elem)} into {tensor_type(shape, elem)}")
        return (r, (shape, elem))

    def generic(self, name: str, inputs: Sequence[Value],
                body: Callable[[List[str], "LayerBuilder"], Tuple[List[str], str]],
                out_elem: str = "f32", dims: Optional[Sequence[Sequence[int]]] = None,
                comment: Optional[str] = None) -> Value:
        """An elementwise ``linalg.generic`` over the shape of ``inputs[0]``.

        ``dims[j]``: the loop dimensions input ``j`` is indexed by (identity
        when None; e.g. ``(1,)`` broadcasts a bias over the rows).
        ``body(args, b)`` returns (lines, result) given the scalar block
        arguments; it names its temporaries with ``b.scalar``.
        """
        shape = inputs[0][1][0]
        rank = len(shape)
        loops = ", ".join(f"d{i}" for i in range(rank))
        dims = dims or [tuple(range(rank))] * len(inputs)
        maps = [f"affine_map<({loops}) -> ({', '.join(f'd{i}' for i in d)})>" for d in dims]
        maps.append(f"affine_map<({loops}) -> ({loops})>")
        iters = ", ".join(['"parallel"'] * rank)
        out_t = (tuple(shape), out_elem)
        if comment:
            self.op(f"// {comment}")
        e = self.empty(*out_t)
        r = self.fresh(name)
        self._scalars = 0
        args = [f"%in{j}" for j in range(len(inputs))]
        lines, result = body(args, self)
        self.op(f"{r} = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                f"iterator_types = [{iters}]}}")
        self.op(f"    ins({', '.join(v for v, _ in inputs)} : "
                f"{', '.join(tensor_type(*t) for _, t in inputs)}) "
                f"outs({e} : {tensor_type(*out_t)}) {{")
        block_args = ", ".join(f"{a}: {t[1]}" for a, (_, t) in zip(args, inputs))
        self.op(f"  ^bb0({block_args}, %out: {out_elem}):")
        for line in lines:
            self.op(f"    {line}")
        self.op(f"    linalg.yield {result} : {out_elem}")
        self.op(f"  }} -> {tensor_type(*out_t)}")
        return (r, out_t)

    def scalar(self) -> str:
        """A fresh scalar name inside a :meth:`generic` body."""
        self._scalars += 1
        return f"%t{self._scalars}"

    def to_f32(self, x: Value, name: str) -> Value:
        """x as f32 (``arith.extf`` in a generic; x itself when f32)."""
        elem = x[1][1]
        if elem == "f32":
            return x

        def body(a, b):
            t = b.scalar()
            return [f"{t} = arith.extf {a[0]} : {elem} to f32"], t
        return self.generic(name, [x], body)

    def from_f32(self, x: Value, elem: str, name: str) -> Value:
        """x (f32) as ``elem`` (``arith.truncf``; x itself for f32)."""
        if elem == "f32":
            return x

        def body(a, b):
            t = b.scalar()
            return [f"{t} = arith.truncf {a[0]} : f32 to {elem}"], t
        return self.generic(name, [x], body, out_elem=elem)

    def add(self, a: Value, c: Value, name: str) -> Value:
        """``linalg.add`` of two tensors of one type."""
        t = tensor_type(*a[1])
        e, r = self.empty(*a[1]), self.fresh(name)
        self.op(f"{r} = linalg.add ins({a[0]}, {c[0]} : {t}, {t}) outs({e} : {t}) -> {t}")
        return (r, a[1])

    def silu(self, x: Value, name: str) -> Value:
        """``x * sigmoid(x)`` = ``x / (1 + exp(-x))``, elementwise (f32)."""
        def body(a, b):
            one, n, e, d, r = (b.scalar() for _ in range(5))
            return [f"{one} = arith.constant 1.0 : f32",
                    f"{n} = arith.negf {a[0]} : f32",
                    f"{e} = math.exp {n} : f32",
                    f"{d} = arith.addf {one}, {e} : f32",
                    f"{r} = arith.divf {a[0]}, {d} : f32"], r
        return self.generic(name, [x], body, comment=f"{name} = silu(x)")

    def softmax(self, x: Value, dim: int, name: str) -> Value:
        """``linalg.softmax`` over dimension ``dim``."""
        e, r = self.empty(*x[1]), self.fresh(name)
        t = tensor_type(*x[1])
        self.op(f"{r} = linalg.softmax dimension({int(dim)}) ins({x[0]} : {t}) "
                f"outs({e} : {t}) -> {t}")
        return (r, x[1])

    def log_gate(self, x: Value, bias: Value, normalizer: float, name: str) -> Value:
        """``logsigmoid(x + bias) / normalizer`` for x [M, n], bias [n] (f32),
        written stably as ``(min(y, 0) - log1p(exp(-|y|))) / normalizer``."""
        def body(a, b):
            y, zero, lo, ab, na, ex, lp, ls, nz, r = (b.scalar() for _ in range(10))
            return [f"{y} = arith.addf {a[0]}, {a[1]} : f32",
                    f"{zero} = arith.constant 0.0 : f32",
                    f"{lo} = arith.minimumf {y}, {zero} : f32",
                    f"{ab} = math.absf {y} : f32",
                    f"{na} = arith.negf {ab} : f32",
                    f"{ex} = math.exp {na} : f32",
                    f"{lp} = math.log1p {ex} : f32",
                    f"{ls} = arith.subf {lo}, {lp} : f32",
                    f"{nz} = arith.constant {_f32_literal(normalizer)} : f32",
                    f"{r} = arith.divf {ls}, {nz} : f32"], r
        return self.generic(name, [x, bias], body, dims=[(0, 1), (1,)],
                            comment=f"{name} = logsigmoid(x + bias) / {normalizer:g}")

    def sigmoid(self, x: Value, name: str, scale: float = 1.0) -> Value:
        """``scale / (1 + exp(-x))``, elementwise (f32)."""
        def body(a, b):
            sc, one, n, e, d, r = (b.scalar() for _ in range(6))
            return [f"{sc} = arith.constant {_f32_literal(scale)} : f32",
                    f"{one} = arith.constant 1.0 : f32",
                    f"{n} = arith.negf {a[0]} : f32",
                    f"{e} = math.exp {n} : f32",
                    f"{d} = arith.addf {one}, {e} : f32",
                    f"{r} = arith.divf {sc}, {d} : f32"], r
        return self.generic(name, [x], body, comment=f"{name} = {scale:g} sigmoid(x)")

    def decay_gate(self, x: Value, a_log: Value, dt_bias: Value, name: str) -> Value:
        """``-exp(A_log) * softplus(x + dt_bias)`` for x [M, n], A_log and
        dt_bias [n] (f32): SSE-GDN's scalar log-gates, softplus written
        stably as ``max(y, 0) + log1p(exp(-|y|))``."""
        def body(a, b):
            y, zero, hi, ab, na, ex, lp, sp, ea, ne, r = (b.scalar() for _ in range(11))
            return [f"{y} = arith.addf {a[0]}, {a[2]} : f32",
                    f"{zero} = arith.constant 0.0 : f32",
                    f"{hi} = arith.maximumf {y}, {zero} : f32",
                    f"{ab} = math.absf {y} : f32",
                    f"{na} = arith.negf {ab} : f32",
                    f"{ex} = math.exp {na} : f32",
                    f"{lp} = math.log1p {ex} : f32",
                    f"{sp} = arith.addf {hi}, {lp} : f32",
                    f"{ea} = math.exp {a[1]} : f32",
                    f"{ne} = arith.negf {ea} : f32",
                    f"{r} = arith.mulf {ne}, {sp} : f32"], r
        return self.generic(name, [x, a_log, dt_bias], body, dims=[(0, 1), (1,), (1,)],
                            comment=f"{name} = -exp(A_log) softplus(x + dt_bias)")

    def columns(self, x: Value, first: int, count: int, name: str) -> Value:
        """Columns ``[first, first + count)`` of x [M, n]
        (``tensor.extract_slice``)."""
        (m, n), elem = x[1]
        r = self.fresh(name)
        self.op(f"{r} = tensor.extract_slice {x[0]}[0, {int(first)}] [{m}, {int(count)}] "
                f"[1, 1] : {tensor_type((m, n), elem)} to {tensor_type((m, count), elem)}")
        return (r, ((m, int(count)), elem))


def _f32_literal(value: float) -> str:
    """A decimal literal that parses back to the f32 nearest ``value``."""
    return f"{float(np.float32(value)):.9e}"


def _sum_of_squares(b: LayerBuilder, x: Value) -> str:
    """sum over the last axis of x * x, for x [B, T, H, W]: a
    ``linalg.reduce`` into zeros, [B, T, H]."""
    (B, T, H, W), elem = x[1]
    vt, rt = tensor_type((B, T, H, W), elem), tensor_type((B, T, H), elem)
    sq, zero, acc, s = (b.fresh(p) for p in ("sq", "zero", "sum_init", "sum"))
    b.op(f"{sq} = arith.mulf {x[0]}, {x[0]} : {vt}")
    b.op(f"{zero} = arith.constant 0.0 : {elem}")
    e3 = b.empty((B, T, H), elem)
    b.op(f"{acc} = linalg.fill ins({zero} : {elem}) outs({e3} : {rt}) -> {rt}")
    b.op(f"{s} = linalg.reduce ins({sq} : {vt}) outs({acc} : {rt}) dimensions = [3]")
    b.op(f"  (%a: {elem}, %c: {elem}) {{")
    b.op(f"    %r = arith.addf %a, %c : {elem}")
    b.op(f"    linalg.yield %r : {elem}")
    b.op("  }")
    return s


def emit_rms_norm(b: LayerBuilder, x: Value, weight: Value, eps: float) -> Value:
    """The per-head RMS norm of x [B, T, H, V] with weight [H, V] or [V],
    spelled with upstream ops as ``sse-raise`` recognises it:
    ``x * broadcast(rsqrt(sum(x * x) / V + eps)) * broadcast(w)``, the sum a
    ``linalg.reduce`` over V into zeros, elementwise ``arith``/``math`` on
    tensors.  ``sse-fuse`` turns it into the scan's ``norm(w)``."""
    (B, T, H, V), elem = x[1]
    vt, rt = tensor_type((B, T, H, V), elem), tensor_type((B, T, H), elem)
    wt = tensor_type(*weight[1])
    s = _sum_of_squares(b, x)
    width, mean, e, ms, rs, rb, n0, wb, n = (
        b.fresh(p) for p in ("width", "mean", "eps", "mean_eps", "rsqrt", "rsqrt_b",
                             "scaled", "weight_b", "normed"))
    b.op(f"{width} = arith.constant dense<{float(V)}> : {rt}")
    b.op(f"{mean} = arith.divf {s}, {width} : {rt}")
    b.op(f"{e} = arith.constant dense<{_f32_literal(eps)}> : {rt}")
    b.op(f"{ms} = arith.addf {mean}, {e} : {rt}")
    b.op(f"{rs} = math.rsqrt {ms} : {rt}")
    e4 = b.empty((B, T, H, V), elem)
    b.op(f"{rb} = linalg.broadcast ins({rs} : {rt}) outs({e4} : {vt}) dimensions = [3]")
    b.op(f"{n0} = arith.mulf {x[0]}, {rb} : {vt}")
    wdims = "[0, 1]" if len(weight[1][0]) == 2 else "[0, 1, 2]"
    b.op(f"{wb} = linalg.broadcast ins({weight[0]} : {wt}) outs({e4} : {vt}) "
         f"dimensions = {wdims}")
    b.op(f"{n} = arith.mulf {n0}, {wb} : {vt}")
    return (n, x[1])


def emit_swish_gate(b: LayerBuilder, x: Value, gate: Value) -> Value:
    """``x * (g / (1 + exp(-g)))`` elementwise on tensors, as ``sse-raise``
    recognises it (it becomes the scan's ``out_gate(g)``)."""
    t = tensor_type(*x[1])
    one, ng, ex, den, sw, y = (b.fresh(p) for p in ("one", "neg_g", "exp_neg_g", "denom",
                                                     "swish", "gated"))
    b.op(f"{one} = arith.constant dense<1.0> : {t}")
    b.op(f"{ng} = arith.negf {gate[0]} : {t}")
    b.op(f"{ex} = math.exp {ng} : {t}")
    b.op(f"{den} = arith.addf {one}, {ex} : {t}")
    b.op(f"{sw} = arith.divf {gate[0]}, {den} : {t}")
    b.op(f"{y} = arith.mulf {x[0]}, {sw} : {t}")
    return (y, x[1])


def emit_l2_norm(b: LayerBuilder, x: Value, eps: float = L2_NORM_EPS) -> Value:
    """x [B, T, H, K] over its last axis: ``x * rsqrt(sum(x * x) + eps)``
    (f32), the sum a ``linalg.reduce`` into zeros."""
    (B, T, H, K), elem = x[1]
    vt, rt = tensor_type((B, T, H, K), elem), tensor_type((B, T, H), elem)
    s = _sum_of_squares(b, x)
    e, se, rs, rb, n = (b.fresh(p) for p in ("l2_eps", "l2_sum_eps", "l2_rsqrt",
                                             "l2_rsqrt_b", "l2_normed"))
    b.op(f"{e} = arith.constant dense<{_f32_literal(eps)}> : {rt}")
    b.op(f"{se} = arith.addf {s}, {e} : {rt}")
    b.op(f"{rs} = math.rsqrt {se} : {rt}")
    e4 = b.empty((B, T, H, K), elem)
    b.op(f"{rb} = linalg.broadcast ins({rs} : {rt}) outs({e4} : {vt}) dimensions = [3]")
    b.op(f"{n} = arith.mulf {x[0]}, {rb} : {vt}")
    return (n, x[1])


def _layer_arguments(config, batch: int, seq_len: int, initial_state: bool):
    """A builder with the layer's arguments declared: ``hidden_states``
    [B, T, hidden], every parameter under its published name, and with
    ``initial_state`` the state cache.  Returns (builder, x as [B T,
    hidden], parameters by name, the cache's SSA name or None)."""
    from .model import positive_int  # model imports this module
    B, T = positive_int("batch", batch, ValueError), positive_int("seq_len", seq_len, ValueError)
    D, dt = int(config.hidden_size), config.dtype
    b = LayerBuilder()
    x = b.argv("hidden_states", (B, T, D), dt)
    w = {name: b.argv(name, shape, dt) for name, shape in config.parameter_shapes().items()}
    init = b.arg("initial_state", config.state_shape(B), "f32") if initial_state else None
    b.op("// projections: every nn.Linear weight is [out, in]")
    return b, b.reshape(x, (B * T, D), [[0, 1], [2]], "x"), w, init


def _emit_qkv(b: LayerBuilder, x2: Value, w: Dict[str, Value]):
    """q1, k1, v and the routed q2 = q1 + lora_q(x), k2 = k1 + lora_k(x)
    (flat [B T, width], f32)."""
    q1 = b.linear(x2, w["q_proj.weight"], "q1_proj")
    k1 = b.linear(x2, w["k_proj.weight"], "k1_proj")
    v = b.linear(x2, w["v_proj.weight"], "v_proj")
    q2 = b.add(q1, b.linear(b.linear(x2, w["lora_q_proj.0.weight"], "lora_q_a"),
                            w["lora_q_proj.1.weight"], "lora_q"), "q2_proj")
    k2 = b.add(k1, b.linear(b.linear(x2, w["lora_k_proj.0.weight"], "lora_k_a"),
                            w["lora_k_proj.1.weight"], "lora_k"), "k2_proj")
    return q1, k1, v, q2, k2


def _emit_short_conv(b: LayerBuilder, x: Value, weight: Value, bias: Optional[Value],
                     B: int, T: int, name: str) -> Value:
    """The depthwise causal convolution of x [B T, C] (FLA's
    ShortConvolution without activation): ``y[b, t, c] = sum over w of
    x[b, t - (W - 1) + w, c] * weight[c, 0, w] (+ bias[c])``, zero before
    the sequence's start; a reduction over w reading x with
    ``tensor.extract``."""
    (M, C), _ = x[1]
    W = weight[1][0][2]
    x3 = b.reshape(x, (B, T, C), [[0, 1], [2]], f"{name}_in")
    wf = b.to_f32(weight, f"{name}_weight")
    acc, r = b.zeros((B, T, C), "f32"), b.fresh(name)
    t3 = tensor_type((B, T, C), "f32")
    b.op(f"{r} = linalg.generic {{indexing_maps = [affine_map<(b, t, c, w) -> (c, 0, w)>, "
         "affine_map<(b, t, c, w) -> (b, t, c)>], iterator_types = [\"parallel\", "
         "\"parallel\", \"parallel\", \"reduction\"]}")
    b.op(f"    ins({wf[0]} : {tensor_type(*wf[1])}) outs({acc} : {t3}) {{")
    b.op("  ^bb0(%_w: f32, %_acc: f32):")
    b.op("    %_b = linalg.index 0 : index")
    b.op("    %_t = linalg.index 1 : index")
    b.op("    %_c = linalg.index 2 : index")
    b.op("    %_k = linalg.index 3 : index")
    b.op(f"    %_back = arith.constant {W - 1} : index")
    b.op("    %_tk = arith.addi %_t, %_k : index")
    b.op("    %_inside = arith.cmpi uge, %_tk, %_back : index")
    b.op("    %_src0 = arith.subi %_tk, %_back : index")
    b.op("    %_zero_i = arith.constant 0 : index")
    b.op("    %_src = arith.select %_inside, %_src0, %_zero_i : index")
    b.op(f"    %_x = tensor.extract {x3[0]}[%_b, %_src, %_c] : {t3}")
    b.op("    %_zero = arith.constant 0.0 : f32")
    b.op("    %_xv = arith.select %_inside, %_x, %_zero : f32")
    b.op("    %_p = arith.mulf %_xv, %_w : f32")
    b.op("    %_s = arith.addf %_acc, %_p : f32")
    b.op("    linalg.yield %_s : f32")
    b.op(f"  }} -> {t3}")
    y = b.reshape((r, ((B, T, C), "f32")), (M, C), [[0, 1], [2]], f"{name}_flat")
    if bias is None:
        return y

    def add(a, bb):
        t = bb.scalar()
        return [f"{t} = arith.addf {a[0]}, {a[1]} : f32"], t
    return b.generic(f"{name}_biased", [y, b.to_f32(bias, f"{name}_bias")], add,
                     dims=[(0, 1), (1,)])


def _emit_short_convs(b: LayerBuilder, config, q1: Value, k1: Value, w: Dict[str, Value],
                      B: int, T: int):
    """q1 and k1 through their short convolutions, when the layer has them."""
    if not config.use_short_conv:
        return q1, k1
    b.op("// short convolutions of q1 and k1 (after q2, k2 are formed from them)")
    out = []
    for t, n in ((q1, "q"), (k1, "k")):
        bias = w.get(f"{n}_conv1d_shared.bias")
        out.append(_emit_short_conv(b, t, w[f"{n}_conv1d_shared.weight"], bias, B, T,
                                    f"{n}1_conv"))
    return tuple(out)


def _emit_output_gate(b: LayerBuilder, config, x2: Value, w: Dict[str, Value]):
    """The low-rank output gate's logits (flat), or None without one."""
    if not config.use_output_gate:
        return None
    return b.linear(b.linear(x2, w["g_proj.0.weight"], "out_gate_a"),
                    w["g_proj.1.weight"], "out_gate_flat")


def _emit_epilogue(b: LayerBuilder, config, w: Dict[str, Value], o: Value,
                   gate: Optional[Value]) -> Value:
    """Per-head RMS norm, the swish output gate ([B, T, H, V] or None), the
    output projection: y [B T, hidden] in f32."""
    (B, T, H, V), _ = o[1]
    b.op("// epilogue: per-head rms norm, output gate, output projection")
    norm_weight = b.to_f32(w["o_norm.weight"], "o_norm_weight")
    out = emit_rms_norm(b, o, norm_weight, float(config.norm_eps))
    if gate is not None:
        out = emit_swish_gate(b, out, gate)
    out2 = b.reshape(out, (B * T, H * V), [[0, 1], [2, 3]], "normed_flat")
    return b.linear(out2, w["o_proj.weight"], "y_flat_f32")


def _layer_output(b: LayerBuilder, config, y2: Value, B: int, T: int) -> Value:
    """y [B T, hidden] (f32) as the layer's result: [B, T, hidden] in
    config.dtype."""
    y2 = b.from_f32(y2, config.dtype, "y_flat")
    return b.reshape(y2, (B, T, int(config.hidden_size)), [[0, 1], [2]], "y")


def emit_gla_layer(config, batch: int, seq_len: int, *,
                   initial_state: bool = False, entry: str = "sse_gla_layer") -> Module:
    """The whole SSE-GLA layer of ``config`` (an ``SSEGLAConfig``) for static
    ``batch`` x ``seq_len`` as a module.

    Arguments, in order: ``hidden_states`` [B, T, hidden] (config.dtype),
    every parameter of :meth:`SSEGLAConfig.parameter_shapes` under its
    published name (``%q_proj.weight``, ...; config.dtype), and with
    ``initial_state`` the state cache [B, H, 1 + N, K, V] f32.  Results:
    ``y`` [B, T, hidden] (config.dtype) and the final state cache.
    """
    b, x2, w, init = _layer_arguments(config, batch, seq_len, initial_state)
    y2, (states, states_t) = gla_layer_body(b, config, x2, w, init, int(batch), int(seq_len))
    y = _layer_output(b, config, y2, int(batch), int(seq_len))
    return b.finish(entry, [("y", y[0], y[1]), ("state", states, states_t)])


def gla_layer_body(b: LayerBuilder, config, x2: Value, w: Dict[str, Value],
                   init: Optional[str], B: int, T: int, prefix: str = ""):
    """The SSE-GLA layer on x2 [B T, hidden] with parameters ``w`` (by
    published name) and the state cache ``init`` (or None): returns (y [B T,
    hidden] f32, (final states, their type)). ``prefix`` names the core's
    values (several layers in one function)."""
    H, K, V, N = config.H, config.K, config.V, config.N
    q1, k1, v, q2, k2 = _emit_qkv(b, x2, w)
    q1, k1 = _emit_short_convs(b, config, q1, k1, w, B, T)
    gates = []
    for i in range(2):
        low = b.linear(b.linear(x2, w[f"gk_proj.{i}.0.weight"], f"gk{i + 1}_a"),
                       w[f"gk_proj.{i}.1.weight"], f"gk{i + 1}_proj")
        bias = b.to_f32(w[f"gk_proj.{i}.1.bias"], f"gk{i + 1}_bias")
        gates.append(b.log_gate(low, bias, float(config.gate_logit_normalizer),
                                f"g{i + 1}_flat"))
    z = b.linear(x2, w["e_proj.weight"], "router_logits")
    g = _emit_output_gate(b, config, x2, w)

    b.op("// activations, per head: q = silu(q), k = softmax over K, v = silu(v)")
    def heads(t: Value, width: int, name: str) -> Value:
        return b.reshape(t, (B, T, H, width), [[0, 1], [2, 3]], name)
    q1 = heads(b.silu(q1, "q1_flat"), K, "q1")
    q2 = heads(b.silu(q2, "q2_flat"), K, "q2")
    k1 = b.softmax(heads(k1, K, "k1_logits"), 3, "k1")
    k2 = b.softmax(heads(k2, K, "k2_logits"), 3, "k2")
    v = heads(b.silu(v, "v_flat"), V, "v")
    g1, g2 = (heads(g, K, f"g{i + 1}") for i, g in enumerate(gates))
    z = b.reshape(z, (B, T, N), [[0, 1], [2]], "z")
    if g is not None:
        g = heads(g, V, "out_gate")

    b.op("// the SSE core: shared partition + N routed partitions (top-k router)")
    o, o_t, states, states_t = _emit_gla_core(b, q1, k1, q2, k2, v, g1, g2, z, N,
                                              int(config.top_k), init=init, prefix=prefix)
    return _emit_epilogue(b, config, w, (o, o_t), g), (states, states_t)


def emit_gdn_layer(config, batch: int, seq_len: int, *,
                   initial_state: bool = False, entry: str = "sse_gdn_layer") -> Module:
    """The whole SSE-GDN layer of ``config`` (an ``SSEGDNConfig``) for static
    ``batch`` x ``seq_len`` as a module: arguments and results as for
    :func:`emit_gla_layer`.

    q and k through silu then L2-normalised per head, v through silu; the
    scalar log-gates ``-exp(A_log) softplus(x W_a + dt_bias)`` and ``beta =
    sigmoid(x W_b)`` (2 sigmoid with ``allow_neg_eigval``), the first H
    columns of each for the shared partition, the next H for the routed
    ones; both scans on the gated delta rule, the router only selecting.
    """
    b, x2, w, init = _layer_arguments(config, batch, seq_len, initial_state)
    y2, (states, states_t) = gdn_layer_body(b, config, x2, w, init, int(batch), int(seq_len))
    y = _layer_output(b, config, y2, int(batch), int(seq_len))
    return b.finish(entry, [("y", y[0], y[1]), ("state", states, states_t)])


def gdn_layer_body(b: LayerBuilder, config, x2: Value, w: Dict[str, Value],
                   init: Optional[str], B: int, T: int, prefix: str = ""):
    """The SSE-GDN layer's body, as :func:`gla_layer_body`."""
    H, K, V, N = config.H, config.K, config.V, config.N
    q1, k1, v, q2, k2 = _emit_qkv(b, x2, w)
    q1, k1 = _emit_short_convs(b, config, q1, k1, w, B, T)
    a = b.linear(x2, w["a_proj.weight"], "a_proj")
    beta = b.sigmoid(b.linear(x2, w["b_proj.weight"], "b_proj"), "beta_flat",
                     scale=2.0 if config.allow_neg_eigval else 1.0)
    decay = b.decay_gate(a, b.to_f32(w["A_log"], "a_log"), b.to_f32(w["dt_bias"], "dt_bias"),
                         "g_flat")
    z = b.linear(x2, w["e_proj.weight"], "router_logits")
    g = _emit_output_gate(b, config, x2, w)

    b.op("// per head: q, k = l2norm(silu(.)), v = silu(v); gates and betas, "
         "shared then routed")
    def heads(t: Value, width: int, name: str) -> Value:
        return b.reshape(t, (B, T, H, width), [[0, 1], [2, 3]], name)
    def per_token(t: Value, half: int, name: str) -> Value:
        return b.reshape(b.columns(t, half * H, H, f"{name}_flat"), (B, T, H),
                         [[0, 1], [2]], name)
    q1, q2, k1, k2 = (emit_l2_norm(b, heads(b.silu(t, f"{n}_flat"), K, f"{n}_silu"))
                      for t, n in ((q1, "q1"), (q2, "q2"), (k1, "k1"), (k2, "k2")))
    v = heads(b.silu(v, "v_flat"), V, "v")
    g1, g2 = per_token(decay, 0, "g1"), per_token(decay, 1, "g2")
    beta1, beta2 = per_token(beta, 0, "beta1"), per_token(beta, 1, "beta2")
    z = b.reshape(z, (B, T, N), [[0, 1], [2]], "z")
    if g is not None:
        g = heads(g, V, "out_gate")

    b.op("// the SSE core: shared partition + N routed partitions, gated delta rule")
    o, o_t, states, states_t = _emit_gdn_core(b, q1, k1, q2, k2, v, g1, g2, beta1, beta2,
                                              z, N, int(config.top_k), init=init,
                                              prefix=prefix)
    return _emit_epilogue(b, config, w, (o, o_t), g), (states, states_t)
