"""Models of stacked layers: SSE-H hybrids of SSE-GLA, SSE-GDN and causal
softmax attention, each block pre-normed with a residual, each followed by
a SwiGLU MLP (issue 11, item 3).

    cfg = hybrid.ModelConfig.from_json("model.json")
    m = hybrid.Model.random(cfg, seed=0)            # or Model.from_safetensors(cfg, path)
    y, states = hybrid.compile(m)(x)                # x, y: [B, T, hidden]

Block i computes, on the residual stream x (f32)::

    x = x + layer_i(rmsnorm(x; layers.i.attn_norm))
    x = x + down(silu(gate(h)) * up(h)),  h = rmsnorm(x; layers.i.mlp_norm)

and the model returns ``rmsnorm(x; norm)``.  ``layer_i`` is an SSE-GLA or
SSE-GDN layer (:mod:`sse_mlir.model`) or causal multi-head softmax
attention (``q_proj``, ``k_proj``, ``v_proj``, ``o_proj``; scale
``head_dim^-0.5``, no positional encoding: the SSE layers are causal
recurrences and carry the order).  Parameter names follow FLA's models
without their ``model.`` prefix: ``layers.{i}.attn_norm.weight``,
``layers.{i}.attn.<the layer's names>``, ``layers.{i}.mlp_norm.weight``,
``layers.{i}.mlp.{gate,up,down}_proj.weight``, ``norm.weight``.  There is
no embedding and no LM head: hidden states in, hidden states out.  The
model is f32 and runs prefill (the SSE layers' final state caches are
returned); decode through attention needs a KV cache of growing length,
which static shapes cannot hold (dynamic shapes are issue 11, item 2).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import model as layers
from .cpu import CpuModel
from .layer_mlir import LayerBuilder, Value, gdn_layer_body, gla_layer_body
from .mlirgen import Module, tensor_type
from .model import ConfigError, SSEGDNConfig, SSEGLAConfig, positive_int
from .safetensors import WeightsError, check_weights, read_safetensors, write_safetensors

__all__ = ["AttentionConfig", "ModelConfig", "Model", "CompiledModel", "emit_model_mlir",
           "random_weights", "compile"]


@dataclass(frozen=True)
class AttentionConfig:
    """Causal multi-head softmax attention of ``num_heads`` heads of
    ``head_dim`` (None: hidden_size // num_heads)."""

    hidden_size: int
    num_heads: int
    head_dim: Optional[int] = None

    def __post_init__(self):
        for name in ("hidden_size", "num_heads"):
            positive_int(name, getattr(self, name))
        if self.head_dim is None:
            if self.hidden_size % self.num_heads:
                raise ConfigError(f"hidden_size={self.hidden_size} is not divisible by "
                                  f"num_heads={self.num_heads} (give head_dim explicitly)")
            object.__setattr__(self, "head_dim", self.hidden_size // self.num_heads)
        positive_int("head_dim", self.head_dim)

    def parameter_shapes(self) -> Dict[str, Tuple[int, ...]]:
        width = int(self.num_heads) * int(self.head_dim)
        D = int(self.hidden_size)
        return {"q_proj.weight": (width, D), "k_proj.weight": (width, D),
                "v_proj.weight": (width, D), "o_proj.weight": (D, width)}


LayerConfig = Union[SSEGLAConfig, SSEGDNConfig, AttentionConfig]
_KINDS = {"sse_gla": SSEGLAConfig, "sse_gdn": SSEGDNConfig, "attention": AttentionConfig}


@dataclass(frozen=True)
class ModelConfig:
    """``layers``: one config per block (its ``hidden_size`` must be the
    model's); ``intermediate_size``: the MLPs' width; ``norm_eps``: the
    blocks' and the final RMS norms'."""

    hidden_size: int
    layers: Tuple[LayerConfig, ...]
    intermediate_size: int
    norm_eps: float = 1e-5

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(self.layers))
        for name in ("hidden_size", "intermediate_size"):
            positive_int(name, getattr(self, name))
        if not self.layers:
            raise ConfigError("a model needs at least one layer")
        for i, c in enumerate(self.layers):
            if not isinstance(c, tuple(_KINDS.values())):
                raise ConfigError(f"layers[{i}] is a {type(c).__name__}, not a layer config")
            if int(c.hidden_size) != int(self.hidden_size):
                raise ConfigError(f"layers[{i}] has hidden_size={c.hidden_size}, the model "
                                  f"{self.hidden_size}")
            if getattr(c, "dtype", "f32") != "f32":
                raise ConfigError(f"layers[{i}] has dtype {c.dtype!r}: models are f32")
        if not (float(self.norm_eps) >= 0):
            raise ConfigError(f"norm_eps must be >= 0, got {self.norm_eps!r}")

    @staticmethod
    def from_dict(d: Mapping, source: str = "the model") -> "ModelConfig":
        """From ``{"hidden_size", "intermediate_size", ["norm_eps"], "layers":
        [{"type": "sse_gla" | "sse_gdn" | "attention", <its fields>}, ...]}``
        (the layer's ``hidden_size`` is the model's); unknown or missing keys
        are a ConfigError naming ``source``, the layer and the key."""
        if not isinstance(d, Mapping):
            raise ConfigError(f"{source}: expected a JSON object")
        known = {"hidden_size", "intermediate_size", "norm_eps", "layers"}
        for key in d:
            if key not in known:
                raise ConfigError(f"{source}: unknown key {key!r} (known: {sorted(known)})")
        for key in ("hidden_size", "intermediate_size", "layers"):
            if key not in d:
                raise ConfigError(f"{source}: missing key {key!r}")
        if not isinstance(d["layers"], list):
            raise ConfigError(f"{source}: 'layers' must be a list")
        configs = []
        for i, spec in enumerate(d["layers"]):
            where = f"{source}: layers[{i}]"
            if not isinstance(spec, Mapping) or spec.get("type") not in _KINDS:
                raise ConfigError(f"{where}: needs a 'type' of {sorted(_KINDS)}")
            kind = _KINDS[spec["type"]]
            fields = set(kind.__dataclass_fields__) - {"hidden_size"}
            args = {k: v for k, v in spec.items() if k != "type"}
            for key in args:
                if key not in fields:
                    raise ConfigError(f"{where}: unknown key {key!r} for {spec['type']} "
                                      f"(known: {sorted(fields)})")
            try:
                configs.append(kind(hidden_size=d["hidden_size"], **args))
            except TypeError as e:
                raise ConfigError(f"{where}: {e}") from None
            except ConfigError as e:
                raise ConfigError(f"{where}: {e}") from None
        return ModelConfig(hidden_size=d["hidden_size"], layers=tuple(configs),
                           intermediate_size=d["intermediate_size"],
                           norm_eps=d.get("norm_eps", 1e-5))

    @staticmethod
    def from_json(path: str) -> "ModelConfig":
        try:
            with open(path) as f:
                d = json.load(f)
        except (OSError, ValueError) as e:
            raise ConfigError(f"{path}: cannot read the model file: {e}") from None
        return ModelConfig.from_dict(d, source=path)

    def to_dict(self) -> dict:
        kinds = {v: k for k, v in _KINDS.items()}
        out = []
        for c in self.layers:
            spec = {"type": kinds[type(c)]}
            spec.update({k: getattr(c, k) for k in c.__dataclass_fields__ if k != "hidden_size"})
            out.append(spec)
        return {"hidden_size": self.hidden_size, "intermediate_size": self.intermediate_size,
                "norm_eps": self.norm_eps, "layers": out}

    def parameter_shapes(self) -> Dict[str, Tuple[int, ...]]:
        D, I = int(self.hidden_size), int(self.intermediate_size)
        p: Dict[str, Tuple[int, ...]] = {}
        for i, c in enumerate(self.layers):
            p[f"layers.{i}.attn_norm.weight"] = (D,)
            for name, shape in c.parameter_shapes().items():
                p[f"layers.{i}.attn.{name}"] = shape
            p[f"layers.{i}.mlp_norm.weight"] = (D,)
            p[f"layers.{i}.mlp.gate_proj.weight"] = (I, D)
            p[f"layers.{i}.mlp.up_proj.weight"] = (I, D)
            p[f"layers.{i}.mlp.down_proj.weight"] = (D, I)
        p["norm.weight"] = (D,)
        return p

    def state_shapes(self, batch: int) -> List[Tuple[int, ...]]:
        """The final state cache of each SSE layer, in layer order."""
        return [c.state_shape(batch) for c in self.layers if not isinstance(c, AttentionConfig)]


# ---------------------------------------------------------------------------
# MLIR
# ---------------------------------------------------------------------------


def _emit_row_rms_norm(b: LayerBuilder, x: Value, weight: Value, eps: float) -> Value:
    """x [M, D] * rsqrt(mean over D of x^2 + eps) * weight [D], as
    ``linalg.generic``s (a reduction, then one elementwise op)."""
    (M, D), _ = x[1]
    acc, ss = b.zeros((M,), "f32"), b.fresh("row_sumsq")
    b.op(f"{ss} = linalg.generic {{indexing_maps = [affine_map<(m, d) -> (m, d)>, "
         f"affine_map<(m, d) -> (m)>], iterator_types = [\"parallel\", \"reduction\"]}}")
    b.op(f"    ins({x[0]} : {tensor_type(*x[1])}) outs({acc} : {tensor_type((M,), 'f32')}) {{")
    b.op("  ^bb0(%_x: f32, %_s: f32):")
    b.op("    %_sq = arith.mulf %_x, %_x : f32")
    b.op("    %_r = arith.addf %_s, %_sq : f32")
    b.op("    linalg.yield %_r : f32")
    b.op(f"  }} -> {tensor_type((M,), 'f32')}")

    def body(a, bb):
        w_, mean, e, r, n, y = (bb.scalar() for _ in range(6))
        return [f"{w_} = arith.constant {float(D):.1f} : f32",
                f"{mean} = arith.divf {a[1]}, {w_} : f32",
                f"{e} = arith.constant {float(np.float32(eps)):.9e} : f32",
                f"{r} = arith.addf {mean}, {e} : f32",
                f"{n} = math.rsqrt {r} : f32",
                f"{y} = arith.mulf {a[0]}, {n} : f32",
                f"{y}_w = arith.mulf {y}, {a[2]} : f32"], f"{y}_w"
    return b.generic("normed", [x, (ss, ((M,), "f32")), weight], body,
                     dims=[(0, 1), (0,), (1,)], comment="rms norm over the hidden width")


def _emit_mlp(b: LayerBuilder, x: Value, w: Dict[str, Value]) -> Value:
    """down(silu(gate(x)) * up(x)) for x [M, D] (f32)."""
    gate = b.silu(b.linear(x, w["gate_proj.weight"], "mlp_gate"), "mlp_silu")
    up = b.linear(x, w["up_proj.weight"], "mlp_up")

    def mul(a, bb):
        r = bb.scalar()
        return [f"{r} = arith.mulf {a[0]}, {a[1]} : f32"], r
    return b.linear(b.generic("mlp_h", [gate, up], mul), w["down_proj.weight"], "mlp_down")


def _emit_attention(b: LayerBuilder, c: AttentionConfig, x: Value, w: Dict[str, Value],
                    B: int, T: int) -> Value:
    """Causal softmax attention on x [B T, D]: scores as a reduction over
    the head width, the causal mask and scale, ``linalg.softmax`` over the
    keys, then the reduction over the keys; the output projection."""
    H, d = int(c.num_heads), int(c.head_dim)

    def heads(t: Value, name: str) -> Value:
        return b.reshape(t, (B, T, H, d), [[0, 1], [2, 3]], name)
    q = heads(b.linear(x, w["q_proj.weight"], "attn_q"), "attn_q_heads")
    k = heads(b.linear(x, w["k_proj.weight"], "attn_k"), "attn_k_heads")
    v = heads(b.linear(x, w["v_proj.weight"], "attn_v"), "attn_v_heads")
    st, ot = ((B, H, T, T), "f32"), ((B, T, H, d), "f32")
    scores, zero_s = b.fresh("attn_scores"), b.zeros(*st)
    b.op(f"{scores} = linalg.generic {{indexing_maps = ["
         "affine_map<(b, h, i, j, e) -> (b, i, h, e)>, affine_map<(b, h, i, j, e) -> (b, j, h, e)>, "
         "affine_map<(b, h, i, j, e) -> (b, h, i, j)>], iterator_types = [\"parallel\", "
         "\"parallel\", \"parallel\", \"parallel\", \"reduction\"]}")
    b.op(f"    ins({q[0]}, {k[0]} : {tensor_type(*q[1])}, {tensor_type(*k[1])}) "
         f"outs({zero_s} : {tensor_type(*st)}) {{")
    b.op("  ^bb0(%_q: f32, %_k: f32, %_s: f32):")
    b.op("    %_p = arith.mulf %_q, %_k : f32")
    b.op("    %_r = arith.addf %_s, %_p : f32")
    b.op("    linalg.yield %_r : f32")
    b.op(f"  }} -> {tensor_type(*st)}")
    masked, e_m = b.fresh("attn_masked"), b.empty(*st)
    scale = float(np.float32(1.0 / math.sqrt(d)))
    b.op(f"{masked} = linalg.generic {{indexing_maps = [affine_map<(b, h, i, j) -> (b, h, i, j)>, "
         "affine_map<(b, h, i, j) -> (b, h, i, j)>], iterator_types = [\"parallel\", "
         "\"parallel\", \"parallel\", \"parallel\"]}")
    b.op(f"    ins({scores} : {tensor_type(*st)}) outs({e_m} : {tensor_type(*st)}) {{")
    b.op("  ^bb0(%_s: f32, %_out: f32):")
    b.op("    %_i = linalg.index 2 : index")
    b.op("    %_j = linalg.index 3 : index")
    b.op("    %_causal = arith.cmpi ule, %_j, %_i : index")
    b.op(f"    %_scale = arith.constant {scale:.9e} : f32")
    b.op("    %_scaled = arith.mulf %_s, %_scale : f32")
    b.op("    %_ninf = arith.constant 0xFF800000 : f32")
    b.op("    %_r = arith.select %_causal, %_scaled, %_ninf : f32")
    b.op("    linalg.yield %_r : f32")
    b.op(f"  }} -> {tensor_type(*st)}")
    probs = b.softmax((masked, st), 3, "attn_probs")
    out, zero_o = b.fresh("attn_out"), b.zeros(*ot)
    b.op(f"{out} = linalg.generic {{indexing_maps = ["
         "affine_map<(b, i, h, e, j) -> (b, h, i, j)>, affine_map<(b, i, h, e, j) -> (b, j, h, e)>, "
         "affine_map<(b, i, h, e, j) -> (b, i, h, e)>], iterator_types = [\"parallel\", "
         "\"parallel\", \"parallel\", \"parallel\", \"reduction\"]}")
    b.op(f"    ins({probs[0]}, {v[0]} : {tensor_type(*st)}, {tensor_type(*v[1])}) "
         f"outs({zero_o} : {tensor_type(*ot)}) {{")
    b.op("  ^bb0(%_p: f32, %_v: f32, %_o: f32):")
    b.op("    %_pv = arith.mulf %_p, %_v : f32")
    b.op("    %_r = arith.addf %_o, %_pv : f32")
    b.op("    linalg.yield %_r : f32")
    b.op(f"  }} -> {tensor_type(*ot)}")
    flat = b.reshape((out, ot), (B * T, H * d), [[0, 1], [2, 3]], "attn_flat")
    return b.linear(flat, w["o_proj.weight"], "attn_o")


def emit_model_mlir(config: ModelConfig, batch: int, seq_len: int,
                    entry: str = "sse_model") -> Module:
    """The whole model for static ``batch`` x ``seq_len``: arguments
    ``hidden_states`` [B, T, hidden] then every parameter under its name
    (f32); results ``y`` [B, T, hidden] and the final state cache of each
    SSE layer (``state_<i>``, i its block)."""
    if not isinstance(config, ModelConfig):
        raise TypeError(f"config must be a ModelConfig, got {type(config).__name__}")
    B, T = positive_int("batch", batch, ValueError), positive_int("seq_len", seq_len, ValueError)
    D = int(config.hidden_size)
    b = LayerBuilder()
    x = b.argv("hidden_states", (B, T, D), "f32")
    w = {n: b.argv(n, s, "f32") for n, s in config.parameter_shapes().items()}
    stream = b.reshape(x, (B * T, D), [[0, 1], [2]], "stream")
    results = []
    for i, c in enumerate(config.layers):
        lw = {n[len(f"layers.{i}.attn."):]: v for n, v in w.items()
              if n.startswith(f"layers.{i}.attn.")}
        b.op(f"// block {i}: {type(c).__name__}")
        h = _emit_row_rms_norm(b, stream, w[f"layers.{i}.attn_norm.weight"], config.norm_eps)
        if isinstance(c, AttentionConfig):
            y = _emit_attention(b, c, h, lw, B, T)
        else:
            body = gla_layer_body if isinstance(c, SSEGLAConfig) else gdn_layer_body
            y, (states, states_t) = body(b, c, h, lw, None, B, T, prefix=f"l{i}_")
            results.append((f"state_{i}", states, states_t))
        stream = b.add(stream, y, "residual")
        h = _emit_row_rms_norm(b, stream, w[f"layers.{i}.mlp_norm.weight"], config.norm_eps)
        mw = {n[len(f"layers.{i}.mlp."):]: v for n, v in w.items()
              if n.startswith(f"layers.{i}.mlp.")}
        stream = b.add(stream, _emit_mlp(b, h, mw), "residual")
    out = _emit_row_rms_norm(b, stream, w["norm.weight"], config.norm_eps)
    y = b.reshape(out, (B, T, D), [[0, 1], [2]], "y")
    return b.finish(entry, [("y", y[0], y[1])] + results)


# ---------------------------------------------------------------------------
# Models with weights, compiled
# ---------------------------------------------------------------------------


def random_weights(config: ModelConfig,
                   seed: Union[None, int, np.random.Generator] = None) -> Dict[str, np.ndarray]:
    """Fresh float32 parameters: each SSE layer's as
    :func:`sse_mlir.model.random_weights` draws them, projections
    ``N(0, 1/in)``, norm weights in [0.5, 1.5]."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = {}
    for i, c in enumerate(config.layers):
        if not isinstance(c, AttentionConfig):
            for n, a in layers.random_weights(c, rng).items():
                out[f"layers.{i}.attn.{n}"] = a
    for name, shape in config.parameter_shapes().items():
        if name in out:
            continue
        if name.endswith("norm.weight"):
            a = rng.uniform(0.5, 1.5, shape)
        else:
            a = rng.standard_normal(shape) / math.sqrt(shape[-1])
        out[name] = a.astype(np.float32)
    return {n: out[n] for n in config.parameter_shapes()}


class Model:
    """A model: its config and its checked parameters (names as in
    :meth:`ModelConfig.parameter_shapes`; a missing, extra or misshapen
    tensor is a WeightsError naming all of them)."""

    def __init__(self, config: ModelConfig, weights: Mapping[str, np.ndarray],
                 source: str = "weights"):
        if not isinstance(config, ModelConfig):
            raise TypeError(f"config must be a ModelConfig, got {type(config).__name__}")
        arrays = {n: np.asarray(a) for n, a in weights.items()}
        for n, a in arrays.items():
            if a.dtype.kind != "f":
                raise WeightsError(f"{source}: tensor {n!r} has dtype {a.dtype}, expected "
                                   "a floating-point array")
        check_weights(arrays, config.parameter_shapes(), source)
        for n, a in arrays.items():
            if not np.isfinite(a).all():
                raise WeightsError(f"{source}: tensor {n!r} holds NaN or inf")
        self.config = config
        self.weights = {n: np.ascontiguousarray(a, dtype=np.float32) for n, a in arrays.items()}

    @classmethod
    def random(cls, config: ModelConfig, seed=None) -> "Model":
        return cls(config, random_weights(config, seed), source="random weights")

    @classmethod
    def from_safetensors(cls, config: ModelConfig, path: str) -> "Model":
        return cls(config, read_safetensors(path), source=path)

    def save_safetensors(self, path: str, dtype: str = "F32") -> None:
        write_safetensors(path, {n: (a, dtype) for n, a in self.weights.items()})


class CompiledModel:
    """``model(x)`` -> (y [B, T, hidden], [final state cache of each SSE
    layer]); each (B, T) is compiled once for the CPU (as
    :class:`sse_mlir.model.CompiledLayer` does) and called directly."""

    def __init__(self, m: Model, pipeline_options: str = "", cache_dir: Optional[str] = None):
        if not isinstance(m, Model):
            raise TypeError(f"compile() takes a hybrid.Model, got {type(m).__name__}")
        self.model = m
        self.pipeline_options = pipeline_options
        self._tmp = None if cache_dir else tempfile.TemporaryDirectory(prefix="sse-model-")
        self.cache_dir = cache_dir or self._tmp.name
        self._compiled: Dict[Tuple[int, int], CpuModel] = {}
        self._weights = [m.weights[n] for n in m.config.parameter_shapes()]

    def compiled(self, batch: int, seq_len: int) -> CpuModel:
        key = (int(batch), int(seq_len))
        if key not in self._compiled:
            module = emit_model_mlir(self.model.config, *key)
            self._compiled[key] = CpuModel.build(
                module.text, module.entry, os.path.join(self.cache_dir, f"b{key[0]}-t{key[1]}"),
                pipeline_options=self.pipeline_options)
        return self._compiled[key]

    def __call__(self, hidden_states: np.ndarray) -> Tuple[np.ndarray, List[np.ndarray]]:
        D = self.model.config.hidden_size
        x = np.asarray(hidden_states, dtype=np.float32)
        if x.ndim != 3 or x.shape[2] != D or 0 in x.shape:
            raise ValueError(f"hidden_states must be a non-empty [B, T, {D}]; got "
                             f"{list(np.shape(hidden_states))}")
        outs = self.compiled(x.shape[0], x.shape[1])([x] + self._weights)
        return outs[0], outs[1:]


def compile(m: Model, target: str = "cpu", *, pipeline_options: str = "",
            cache_dir: Optional[str] = None) -> CompiledModel:
    """The model compiled for ``target`` (``"cpu"``; a whole model does not
    compile for CUDA yet: NotImplementedError)."""
    if target == "cuda":
        raise NotImplementedError("target='cuda': whole models do not compile through "
                                  "sse-to-nvvm yet (issue 11, item 1); use target='cpu'")
    if target != "cpu":
        raise ValueError(f"target must be 'cpu' or 'cuda', got {target!r}")
    return CompiledModel(m, pipeline_options, cache_dir)
