"""Describe, emit, compile and run whole SSE layers (SPEC 1.4).

An SSE-GLA layer is described by a :class:`SSEGLAConfig` (sizes and
options, checked when it is made) and carries its parameters in a
:class:`SSEGLALayer` (checked against the published names and shapes of
:mod:`sse_mlir.layer_params`, from a dict of NumPy arrays or a
``.safetensors`` file).  :func:`emit_mlir` writes the whole layer for a
static batch and sequence length as readable MLIR: upstream ``linalg``
(``matmul``, ``generic``, ``softmax``, ``reduce``, ``broadcast``),
``tensor``, ``arith``, ``math`` and ``func``, plus ``sse.classify`` and
``sse.scan``; ``sse-fuse`` folds its core, norm and output gate into one
fused scan.  :func:`compile` returns a callable that runs it on the CPU
through ``sse-runner``::

    cfg = SSEGLAConfig(hidden_size=64, num_heads=2, head_dim=16, expand_v=2,
                       num_partitions=4, top_k=2)
    layer = SSEGLALayer.random(cfg, seed=0)     # or SSEGLALayer.from_safetensors(cfg, path)
    y, state = compile(layer)(x)                # x: [B, T, 64] -> y: [B, T, 64]

The float64 model of the same layer is :func:`sse_mlir.layer_reference.sse_gla_layer`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import runner
from .layer_params import sse_gla_parameters
from .mlirgen import FLOAT_TYPES, Module, _Builder, _emit_gla_core, tensor_type
from .safetensors import WeightsError, check_weights, read_safetensors, write_safetensors

__all__ = [
    "ConfigError",
    "WeightsError",
    "SSEGLAConfig",
    "SSEGLALayer",
    "CompiledLayer",
    "LayerOutput",
    "LayerBuilder",
    "emit_mlir",
    "emit_rms_norm",
    "emit_swish_gate",
    "random_weights",
    "compile",
]

Value = Tuple[str, Tuple[Tuple[int, ...], str]]  # (SSA value, (shape, element type))

#: The element types a layer's hidden states and weights may have, and the
#: ``.safetensors`` dtype each is saved as.
SAFETENSORS_DTYPES = {"f32": "F32", "f16": "F16", "bf16": "BF16"}


class ConfigError(ValueError):
    """A layer configuration that is not a valid SSE layer."""


# ---------------------------------------------------------------------------
# The configuration
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SSEGLAConfig:
    """An SSE-GLA layer (FLA's ``SSEGLA``, SPEC 1.4).

    hidden_size : width of the hidden states (``hidden_size`` there).
    num_heads : heads H.
    head_dim : key width K of a head; None takes ``hidden_size // num_heads``
        (which must then divide evenly).
    expand_v : value width V = expand_v * K (1 or 2 in the published models).
    num_partitions : sparse partitions N (``num_sparse_partition``).
    top_k : partitions a token selects, 1 <= top_k <= N (``num_writer`` =
        ``num_reader``).
    use_output_gate : the low-rank swish output gate ``g_proj`` (else the
        norm alone).
    gate_low_rank_dim : rank of the log-gate projections ``gk_proj``.
    gate_logit_normalizer : the log-gates are ``logsigmoid(.) / this``.
    norm_eps : eps of the per-head RMS norm.
    dtype : element type of the hidden states, the weights and y: ``f32``,
        ``f16`` or ``bf16``.  Projections accumulate in f32 and everything
        between them (the scan included) is computed in f32.

    Not modelled yet: ``num_v_heads`` (GVA), short convolutions.
    """

    hidden_size: int
    num_heads: int
    head_dim: Optional[int] = None
    expand_v: float = 1.0
    num_partitions: int = 4
    top_k: int = 1
    use_output_gate: bool = True
    gate_low_rank_dim: int = 16
    gate_logit_normalizer: float = 16.0
    norm_eps: float = 1e-5
    dtype: str = "f32"

    def __post_init__(self):
        def positive_int(name: str) -> int:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
            return int(value)

        hidden, heads = positive_int("hidden_size"), positive_int("num_heads")
        if self.head_dim is None:
            if hidden % heads:
                raise ConfigError(f"hidden_size={hidden} is not divisible by "
                                  f"num_heads={heads} (give head_dim explicitly)")
            object.__setattr__(self, "head_dim", hidden // heads)
        positive_int("head_dim")
        n, k = positive_int("num_partitions"), positive_int("top_k")
        if k > n:
            raise ConfigError(f"top_k={k} exceeds num_partitions={n}")
        positive_int("gate_low_rank_dim")
        try:
            expand = float(self.expand_v)
        except (TypeError, ValueError):
            raise ConfigError(f"expand_v must be a number, got {self.expand_v!r}") from None
        head_v = expand * self.head_dim
        if not (head_v > 0 and math.isclose(head_v, round(head_v), rel_tol=1e-5)):
            raise ConfigError(f"expand_v={self.expand_v} times head_dim={self.head_dim} "
                              "is not a positive integer value width")
        if self.dtype not in FLOAT_TYPES:
            raise ConfigError(f"dtype must be one of {FLOAT_TYPES}, got {self.dtype!r}")
        if not (float(self.gate_logit_normalizer) > 0):
            raise ConfigError("gate_logit_normalizer must be > 0, got "
                              f"{self.gate_logit_normalizer!r}")
        if not (float(self.norm_eps) >= 0):
            raise ConfigError(f"norm_eps must be >= 0, got {self.norm_eps!r}")
        if not isinstance(self.use_output_gate, bool):
            raise ConfigError(f"use_output_gate must be a bool, got {self.use_output_gate!r}")

    @property
    def K(self) -> int:
        """Key width of a head."""
        return int(self.head_dim)

    @property
    def V(self) -> int:
        """Value width of a head (``head_v_dim``)."""
        return int(round(float(self.expand_v) * self.K))

    @property
    def H(self) -> int:
        return int(self.num_heads)

    @property
    def N(self) -> int:
        return int(self.num_partitions)

    @property
    def key_dim(self) -> int:
        return self.H * self.K

    @property
    def value_dim(self) -> int:
        return self.H * self.V

    def state_shape(self, batch: int) -> Tuple[int, int, int, int, int]:
        """The state cache ``[B, H, 1 + N, K, V]`` (f32, shared partition first)."""
        return (int(batch), self.H, 1 + self.N, self.K, self.V)

    def parameter_shapes(self) -> Dict[str, Tuple[int, ...]]:
        """Parameter name -> shape, the published layer's (``nn.Linear``: [out, in])."""
        return sse_gla_parameters(hidden_size=int(self.hidden_size), head_dim=self.K,
                                  num_heads=self.H, expand_v=float(self.expand_v),
                                  num_sparse_partition=self.N,
                                  gate_low_rank_dim=int(self.gate_low_rank_dim),
                                  use_output_gate=self.use_output_gate)


# ---------------------------------------------------------------------------
# Writing MLIR
# ---------------------------------------------------------------------------


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


def _f32_literal(value: float) -> str:
    """A decimal literal that parses back to the f32 nearest ``value``."""
    return f"{float(np.float32(value)):.9e}"


def emit_rms_norm(b: LayerBuilder, x: Value, weight: Value, eps: float) -> Value:
    """The per-head RMS norm of x [B, T, H, V] with weight [H, V] or [V],
    spelled with upstream ops as ``sse-raise`` recognises it:
    ``x * broadcast(rsqrt(sum(x * x) / V + eps)) * broadcast(w)``, the sum a
    ``linalg.reduce`` over V into zeros, elementwise ``arith``/``math`` on
    tensors.  ``sse-fuse`` turns it into the scan's ``norm(w)``."""
    (B, T, H, V), elem = x[1]
    vt, rt = tensor_type((B, T, H, V), elem), tensor_type((B, T, H), elem)
    wt = tensor_type(*weight[1])
    sq, zero, acc, s, width, mean, e, ms, rs, rb, n0, wb, n = (
        b.fresh(p) for p in ("sq", "zero", "sum_init", "sum", "width", "mean", "eps",
                             "mean_eps", "rsqrt", "rsqrt_b", "scaled", "weight_b", "normed"))
    b.op(f"{sq} = arith.mulf {x[0]}, {x[0]} : {vt}")
    b.op(f"{zero} = arith.constant 0.0 : {elem}")
    e3 = b.empty((B, T, H), elem)
    b.op(f"{acc} = linalg.fill ins({zero} : {elem}) outs({e3} : {rt}) -> {rt}")
    b.op(f"{s} = linalg.reduce ins({sq} : {vt}) outs({acc} : {rt}) dimensions = [3]")
    b.op(f"  (%a: {elem}, %c: {elem}) {{")
    b.op(f"    %r = arith.addf %a, %c : {elem}")
    b.op(f"    linalg.yield %r : {elem}")
    b.op("  }")
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


def emit_mlir(config: SSEGLAConfig, batch: int, seq_len: int, *,
              initial_state: bool = False, entry: str = "sse_gla_layer") -> Module:
    """The whole SSE-GLA layer for static ``batch`` x ``seq_len`` as a module.

    Arguments, in order: ``hidden_states`` [B, T, hidden] (config.dtype),
    every parameter of :meth:`SSEGLAConfig.parameter_shapes` under its
    published name (``%q_proj.weight``, ...; config.dtype), and with
    ``initial_state`` the state cache [B, H, 1 + N, K, V] f32.  Results:
    ``y`` [B, T, hidden] (config.dtype) and the final state cache.
    """
    if not isinstance(config, SSEGLAConfig):
        raise TypeError(f"config must be an SSEGLAConfig, got {type(config).__name__}")
    for name, value in (("batch", batch), ("seq_len", seq_len)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    B, T = int(batch), int(seq_len)
    D, H, K, V, N = int(config.hidden_size), config.H, config.K, config.V, config.N
    dt = config.dtype
    b = LayerBuilder()
    x = b.argv("hidden_states", (B, T, D), dt)
    w = {name: b.argv(name, shape, dt) for name, shape in config.parameter_shapes().items()}
    init = b.arg("initial_state", config.state_shape(B), "f32") if initial_state else None

    b.op("// projections: every nn.Linear weight is [out, in]")
    x2 = b.reshape(x, (B * T, D), [[0, 1], [2]], "x")
    q1 = b.linear(x2, w["q_proj.weight"], "q1_proj")
    k1 = b.linear(x2, w["k_proj.weight"], "k1_proj")
    v = b.linear(x2, w["v_proj.weight"], "v_proj")
    q2 = b.add(q1, b.linear(b.linear(x2, w["lora_q_proj.0.weight"], "lora_q_a"),
                            w["lora_q_proj.1.weight"], "lora_q"), "q2_proj")
    k2 = b.add(k1, b.linear(b.linear(x2, w["lora_k_proj.0.weight"], "lora_k_a"),
                            w["lora_k_proj.1.weight"], "lora_k"), "k2_proj")
    gates = []
    for i in range(2):
        low = b.linear(b.linear(x2, w[f"gk_proj.{i}.0.weight"], f"gk{i + 1}_a"),
                       w[f"gk_proj.{i}.1.weight"], f"gk{i + 1}_proj")
        bias = b.to_f32(w[f"gk_proj.{i}.1.bias"], f"gk{i + 1}_bias")
        gates.append(b.log_gate(low, bias, float(config.gate_logit_normalizer),
                                f"g{i + 1}_flat"))
    z = b.linear(x2, w["e_proj.weight"], "router_logits")
    g = None
    if config.use_output_gate:
        g = b.linear(b.linear(x2, w["g_proj.0.weight"], "out_gate_a"),
                     w["g_proj.1.weight"], "out_gate_flat")

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
    norm_weight = b.to_f32(w["o_norm.weight"], "o_norm_weight")

    b.op("// the SSE core: shared partition + N routed partitions (top-k router)")
    o, o_t, states, states_t = _emit_gla_core(b, q1, k1, q2, k2, v, g1, g2, z, N,
                                              int(config.top_k), init=init)

    b.op("// epilogue: per-head rms norm, output gate, output projection")
    out = emit_rms_norm(b, (o, o_t), norm_weight, float(config.norm_eps))
    if g is not None:
        out = emit_swish_gate(b, out, g)
    out2 = b.reshape(out, (B * T, H * V), [[0, 1], [2, 3]], "normed_flat")
    y2 = b.from_f32(b.linear(out2, w["o_proj.weight"], "y_flat_f32"), dt, "y_flat")
    y = b.reshape(y2, (B, T, D), [[0, 1], [2]], "y")
    return b.finish(entry, [("y", y[0], y[1]), ("state", states, states_t)])


# ---------------------------------------------------------------------------
# Layers with weights
# ---------------------------------------------------------------------------


def random_weights(config: SSEGLAConfig,
                   seed: Union[None, int, np.random.Generator] = None) -> Dict[str, np.ndarray]:
    """Fresh float32 parameters of the layer, by name: weights
    ``N(0, 1/in)``, biases ``N(0, 1/4)``, the norm's weight in [0.5, 1.5],
    the router scaled so that the top-k choice varies between tokens."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = {}
    for name, shape in config.parameter_shapes().items():
        if name == "o_norm.weight":
            a = rng.uniform(0.5, 1.5, shape)
        elif name.endswith(".bias"):
            a = 0.5 * rng.standard_normal(shape)
        else:
            a = rng.standard_normal(shape) / math.sqrt(shape[-1])
            if name == "e_proj.weight":
                a *= 3.0
        out[name] = a.astype(np.float32)
    return out


class SSEGLALayer:
    """An SSE-GLA layer: its config and its checked parameters.

    ``weights`` maps each published parameter name to a float array of its
    shape; a missing, extra or misshapen tensor is a
    :class:`~sse_mlir.safetensors.WeightsError` naming all of them.
    """

    def __init__(self, config: SSEGLAConfig, weights: Mapping[str, np.ndarray],
                 source: str = "weights"):
        if not isinstance(config, SSEGLAConfig):
            raise TypeError(f"config must be an SSEGLAConfig, got {type(config).__name__}")
        if not isinstance(weights, Mapping):
            raise TypeError(f"weights must be a mapping of name -> array, got "
                            f"{type(weights).__name__}")
        arrays = {}
        for name, a in weights.items():
            a = np.asarray(a)
            if a.dtype.kind != "f":
                raise WeightsError(f"{source}: tensor {name!r} has dtype {a.dtype}, "
                                   "expected a floating-point array")
            arrays[name] = a
        check_weights(arrays, config.parameter_shapes(), source)
        for name, a in arrays.items():
            if not np.isfinite(a).all():
                raise WeightsError(f"{source}: tensor {name!r} holds NaN or inf")
        self.config = config
        self.weights: Dict[str, np.ndarray] = {
            n: np.ascontiguousarray(a, dtype=np.float32) for n, a in arrays.items()}

    @classmethod
    def random(cls, config: SSEGLAConfig,
               seed: Union[None, int, np.random.Generator] = None) -> "SSEGLALayer":
        """A layer with :func:`random_weights`."""
        return cls(config, random_weights(config, seed), source="random weights")

    @classmethod
    def from_safetensors(cls, config: SSEGLAConfig, path: str) -> "SSEGLALayer":
        """A layer whose parameters are read from the ``.safetensors`` file
        ``path`` (bf16, f16 or f32 tensors; names and shapes checked)."""
        return cls(config, read_safetensors(path), source=path)

    def save_safetensors(self, path: str, dtype: Optional[str] = None) -> None:
        """Writes the parameters to ``path`` as ``F32``, ``F16`` or ``BF16``
        (default: the config's dtype)."""
        dtype = dtype or SAFETENSORS_DTYPES[self.config.dtype]
        write_safetensors(path, {n: (a, dtype) for n, a in self.weights.items()})

    def mlir(self, batch: int, seq_len: int, *, initial_state: bool = False) -> str:
        """The text of :func:`emit_mlir` for this layer's config."""
        return emit_mlir(self.config, batch, seq_len, initial_state=initial_state).text


class LayerOutput(NamedTuple):
    """What a compiled layer returns: ``y`` [B, T, hidden] (float32 arrays,
    bf16/f16 results widened) and the final state cache
    ``state`` [B, H, 1 + N, K, V] (f32)."""

    y: np.ndarray
    state: np.ndarray


class CompiledLayer:
    """A layer compiled for a target; call it on hidden states.

    ``layer(x, initial_state=None)`` -> :class:`LayerOutput`.  The module is
    emitted for each (B, T) seen (shapes are static) and run by
    ``sse-runner --target=cpu``, which compiles it through
    ``sse-to-llvm-cpu`` and poisons its outputs first.
    """

    def __init__(self, layer: SSEGLALayer, target: str = "cpu",
                 pipeline_options: str = ""):
        if not isinstance(layer, SSEGLALayer):
            raise TypeError(f"compile() takes an SSEGLALayer, got {type(layer).__name__}")
        if target == "cuda":
            raise NotImplementedError(
                "target='cuda': a whole layer does not compile through sse-to-nvvm yet "
                "(issue 11, item 1); use target='cpu'")
        if target != "cpu":
            raise ValueError(f"target must be 'cpu' or 'cuda', got {target!r}")
        self.layer = layer
        self.target = target
        self.pipeline_options = pipeline_options
        self._modules: Dict[Tuple[int, int, bool], Module] = {}

    @property
    def config(self) -> SSEGLAConfig:
        return self.layer.config

    def module(self, batch: int, seq_len: int, initial_state: bool = False) -> Module:
        """The module run for inputs of this batch and length."""
        key = (int(batch), int(seq_len), bool(initial_state))
        if key not in self._modules:
            self._modules[key] = emit_mlir(self.config, *key[:2], initial_state=key[2])
        return self._modules[key]

    def __call__(self, hidden_states: np.ndarray, initial_state: Optional[np.ndarray] = None,
                 *, workdir: Optional[str] = None) -> LayerOutput:
        cfg = self.config
        x = np.asarray(hidden_states)
        if x.ndim != 3 or x.shape[2] != cfg.hidden_size:
            raise ValueError(f"hidden_states must be [B, T, {cfg.hidden_size}]; got "
                             f"{list(x.shape)}")
        if x.dtype.kind != "f" and x.dtype != np.uint16:
            raise ValueError(f"hidden_states must be floating point; got {x.dtype}")
        if 0 in x.shape:
            raise ValueError(f"hidden_states has an empty dimension: {list(x.shape)}")
        B, T, _ = x.shape
        inputs = [x] + [self.layer.weights[n] for n in cfg.parameter_shapes()]
        if initial_state is not None:
            s = np.asarray(initial_state)
            if s.shape != cfg.state_shape(B):
                raise ValueError(f"initial_state must be [B, H, 1 + N, K, V] = "
                                 f"{list(cfg.state_shape(B))}; got {list(s.shape)}")
            inputs.append(s.astype(np.float32))
        module = self.module(B, T, initial_state is not None)
        extra = [f"--pipeline-options={self.pipeline_options}"] if self.pipeline_options else []
        y, state = runner.run_module(module, inputs, workdir=workdir, extra_args=extra)
        return LayerOutput(np.asarray(y, dtype=np.float32), state)


def compile(layer: SSEGLALayer, target: str = "cpu", *,
            pipeline_options: str = "") -> CompiledLayer:
    """Compiles ``layer`` for ``target`` (``"cpu"``; ``"cuda"`` is not built
    yet and raises NotImplementedError); returns a callable
    ``(hidden_states, initial_state=None) -> LayerOutput(y, state)``.
    ``pipeline_options`` go to the pipeline (e.g. ``"fuse=false"``)."""
    return CompiledLayer(layer, target, pipeline_options)
