"""Describe, emit, compile and run whole SSE layers (SPEC 1.4).

An SSE-GLA or SSE-GDN layer is described by an :class:`SSEGLAConfig` or
:class:`SSEGDNConfig` (sizes and options, checked when it is made) and
carries its parameters in an :class:`SSEGLALayer` or :class:`SSEGDNLayer`
(checked against the published names and shapes of
:mod:`sse_mlir.layer_params`, from a dict of NumPy arrays or a
``.safetensors`` file).  :func:`emit_mlir` writes the whole layer for a
static batch and sequence length as readable MLIR
(:mod:`sse_mlir.layer_mlir`); ``sse-fuse`` folds its core, norm and output
gate into one fused scan.  :func:`compile` returns a callable that runs it
on the CPU through ``sse-runner``::

    cfg = SSEGLAConfig(hidden_size=64, num_heads=2, head_dim=16, expand_v=2,
                       num_partitions=4, top_k=2)
    layer = SSEGLALayer.random(cfg, seed=0)     # or SSEGLALayer.from_safetensors(cfg, path)
    y, state = compile(layer)(x)                # x: [B, T, 64] -> y: [B, T, 64]

The float64 models of the same layers are
:func:`sse_mlir.layer_reference.sse_gla_layer` and ``sse_gdn_layer``.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from typing import Dict, Mapping, NamedTuple, Optional, Tuple, Union

import numpy as np

from .aot import NUMPY_DTYPES
from .cpu import CpuModel
from .layer_mlir import (LayerBuilder, emit_gdn_layer, emit_gla_layer, emit_l2_norm,
                         emit_rms_norm, emit_swish_gate)
from .layer_params import sse_gdn_parameters, sse_gla_parameters
from .mlirgen import FLOAT_TYPES, Module
from .npyio import f32_to_bf16_bits
from .safetensors import WeightsError, check_weights, read_safetensors, write_safetensors

__all__ = [
    "ConfigError",
    "WeightsError",
    "SSEGLAConfig",
    "SSEGDNConfig",
    "SSEGLALayer",
    "SSEGDNLayer",
    "CompiledLayer",
    "LayerOutput",
    "LayerBuilder",
    "emit_mlir",
    "emit_rms_norm",
    "emit_swish_gate",
    "emit_l2_norm",
    "random_weights",
    "compile",
]

#: The element types a layer's hidden states and weights may have, and the
#: ``.safetensors`` dtype each is saved as.
SAFETENSORS_DTYPES = {"f32": "F32", "f16": "F16", "bf16": "BF16"}


class ConfigError(ValueError):
    """A layer configuration that is not a valid SSE layer."""


# ---------------------------------------------------------------------------
# The configuration
# ---------------------------------------------------------------------------


def positive_int(name: str, value, error: type = ConfigError) -> int:
    """``value`` as an int, or ``error`` naming ``name`` unless it is a
    positive integer (bools are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise error(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class _LayerConfig:
    """What both layer configs share: the head sizes they derive and the
    checks of the fields they have in common (``_check_common``)."""

    def _check_common(self) -> None:
        def field(name: str) -> int:
            return positive_int(name, getattr(self, name))

        hidden, heads = field("hidden_size"), field("num_heads")
        if self.head_dim is None:
            if hidden % heads:
                raise ConfigError(f"hidden_size={hidden} is not divisible by "
                                  f"num_heads={heads} (give head_dim explicitly)")
            object.__setattr__(self, "head_dim", hidden // heads)
        field("head_dim")
        n, k = field("num_partitions"), field("top_k")
        if k > n:
            raise ConfigError(f"top_k={k} exceeds num_partitions={n}")
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
        if not (float(self.norm_eps) >= 0):
            raise ConfigError(f"norm_eps must be >= 0, got {self.norm_eps!r}")
        if not isinstance(self.use_output_gate, bool):
            raise ConfigError(f"use_output_gate must be a bool, got {self.use_output_gate!r}")
        for name in ("use_short_conv", "conv_bias"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be a bool, got {getattr(self, name)!r}")
        field("conv_size")

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

    def _parameter_args(self) -> dict:
        """The arguments of sse_mlir.layer_params that both layers take."""
        return dict(hidden_size=int(self.hidden_size), head_dim=self.K, num_heads=self.H,
                    expand_v=float(self.expand_v), num_sparse_partition=self.N,
                    use_output_gate=self.use_output_gate, use_short_conv=self.use_short_conv,
                    conv_size=int(self.conv_size), conv_bias=self.conv_bias)

    def state_shape(self, batch: int) -> Tuple[int, int, int, int, int]:
        """The state cache ``[B, H, 1 + N, K, V]`` (f32, shared partition first)."""
        return (int(batch), self.H, 1 + self.N, self.K, self.V)


@dataclass(frozen=True)
class SSEGLAConfig(_LayerConfig):
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

    use_short_conv, conv_size, conv_bias : the depthwise causal convolutions
        of q1 and k1 (``q_conv1d_shared``, ``k_conv1d_shared``; no
        activation), after q2 = q1 + lora_q(x) and k2 are formed, as in FLA;
        prefill only (a decode step would need their cache).

    Not modelled yet: ``num_v_heads`` (GVA).
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
    use_short_conv: bool = False
    conv_size: int = 4
    conv_bias: bool = False

    def __post_init__(self):
        self._check_common()
        positive_int("gate_low_rank_dim", self.gate_low_rank_dim)
        if not (float(self.gate_logit_normalizer) > 0):
            raise ConfigError("gate_logit_normalizer must be > 0, got "
                              f"{self.gate_logit_normalizer!r}")

    def parameter_shapes(self) -> Dict[str, Tuple[int, ...]]:
        """Parameter name -> shape, the published layer's (``nn.Linear``: [out, in])."""
        return sse_gla_parameters(gate_low_rank_dim=int(self.gate_low_rank_dim),
                                  **self._parameter_args())


@dataclass(frozen=True)
class SSEGDNConfig(_LayerConfig):
    """An SSE-GDN layer (FLA's ``SSEGDN``, SPEC 1.4): the gated delta rule
    with scalar gates ``-exp(A_log) softplus(x W_a + dt_bias)`` and ``beta =
    sigmoid(x W_b)``, q and k through silu then L2-normalised per head (eps
    1e-6, as FLA's in-kernel ``l2norm``), the router only selecting.

    The fields as for :class:`SSEGLAConfig` (``expand_v`` defaults to 2, as
    there), and ``allow_neg_eigval``: beta = 2 sigmoid(.), in (0, 2).  No
    low-rank gate fields: the decay has its own projection ``a_proj``.

    The short convolutions as for SSE-GLA (prefill only).  Not modelled
    yet: ``num_v_heads`` (GVA).
    """

    hidden_size: int
    num_heads: int
    head_dim: Optional[int] = None
    expand_v: float = 2.0
    num_partitions: int = 4
    top_k: int = 1
    use_output_gate: bool = True
    allow_neg_eigval: bool = False
    norm_eps: float = 1e-5
    dtype: str = "f32"
    use_short_conv: bool = False
    conv_size: int = 4
    conv_bias: bool = False

    def __post_init__(self):
        self._check_common()
        if not isinstance(self.allow_neg_eigval, bool):
            raise ConfigError(f"allow_neg_eigval must be a bool, got {self.allow_neg_eigval!r}")

    def parameter_shapes(self) -> Dict[str, Tuple[int, ...]]:
        """Parameter name -> shape, the published layer's (``nn.Linear``: [out, in])."""
        return sse_gdn_parameters(**self._parameter_args())


LayerConfig = Union[SSEGLAConfig, SSEGDNConfig]


def emit_mlir(config: LayerConfig, batch: int, seq_len: int, *,
              initial_state: bool = False, entry: Optional[str] = None) -> Module:
    """The whole layer of ``config`` for static ``batch`` x ``seq_len`` as a
    module (:func:`~sse_mlir.layer_mlir.emit_gla_layer` or
    :func:`~sse_mlir.layer_mlir.emit_gdn_layer`).

    Arguments, in order: ``hidden_states`` [B, T, hidden] (config.dtype),
    every parameter of ``config.parameter_shapes()`` under its published
    name (``%q_proj.weight``, ...; config.dtype), and with ``initial_state``
    the state cache [B, H, 1 + N, K, V] f32.  Results: ``y`` [B, T, hidden]
    (config.dtype) and the final state cache.  The entry is
    ``sse_gla_layer`` or ``sse_gdn_layer`` unless ``entry`` says otherwise.
    """
    if isinstance(config, SSEGLAConfig):
        emit, default = emit_gla_layer, "sse_gla_layer"
    elif isinstance(config, SSEGDNConfig):
        emit, default = emit_gdn_layer, "sse_gdn_layer"
    else:
        raise TypeError("config must be an SSEGLAConfig or an SSEGDNConfig, got "
                        f"{type(config).__name__}")
    return emit(config, batch, seq_len, initial_state=initial_state, entry=entry or default)


# ---------------------------------------------------------------------------
# Layers with weights
# ---------------------------------------------------------------------------


def random_weights(config: LayerConfig,
                   seed: Union[None, int, np.random.Generator] = None) -> Dict[str, np.ndarray]:
    """Fresh float32 parameters of the layer, by name: weights
    ``N(0, 1/in)``, biases ``N(0, 1/4)``, the norm's weight in [0.5, 1.5],
    the router scaled so that the top-k choice varies between tokens; for
    SSE-GDN ``A_log`` and ``dt_bias`` drawn as FLA initialises them (A in
    [1, 16], dt in [0.001, 0.1] through softplus's inverse)."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = {}
    for name, shape in config.parameter_shapes().items():
        if name == "o_norm.weight":
            a = rng.uniform(0.5, 1.5, shape)
        elif name == "A_log":
            a = np.log(rng.uniform(1.0, 16.0, shape))
        elif name == "dt_bias":
            dt = np.exp(rng.uniform(math.log(1e-3), math.log(0.1), shape))
            a = dt + np.log(-np.expm1(-dt))
        elif name.endswith(".bias"):
            a = 0.5 * rng.standard_normal(shape)
        else:
            a = rng.standard_normal(shape) / math.sqrt(shape[-1])
            if name == "e_proj.weight":
                a *= 3.0
        out[name] = a.astype(np.float32)
    return out


class _Layer:
    """A layer: its config (of ``config_type``) and its checked parameters.

    ``weights`` maps each published parameter name to a float array of its
    shape; a missing, extra or misshapen tensor is a
    :class:`~sse_mlir.safetensors.WeightsError` naming all of them.
    """

    config_type: type = _LayerConfig

    def __init__(self, config: LayerConfig, weights: Mapping[str, np.ndarray],
                 source: str = "weights"):
        if not isinstance(config, self.config_type):
            raise TypeError(f"config must be an {self.config_type.__name__}, got "
                            f"{type(config).__name__}")
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
    def random(cls, config: LayerConfig,
               seed: Union[None, int, np.random.Generator] = None) -> "_Layer":
        """A layer with :func:`random_weights`."""
        return cls(config, random_weights(config, seed), source="random weights")

    @classmethod
    def from_safetensors(cls, config: LayerConfig, path: str) -> "_Layer":
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


class SSEGLALayer(_Layer):
    """An SSE-GLA layer (:class:`SSEGLAConfig`) with its parameters."""

    config_type = SSEGLAConfig


class SSEGDNLayer(_Layer):
    """An SSE-GDN layer (:class:`SSEGDNConfig`) with its parameters
    (``a_proj``, ``b_proj``, ``A_log``, ``dt_bias`` besides the shared
    ones)."""

    config_type = SSEGDNConfig


class LayerOutput(NamedTuple):
    """What a compiled layer returns: ``y`` [B, T, hidden] (float32 arrays,
    bf16/f16 results widened) and the final state cache
    ``state`` [B, H, 1 + N, K, V] (f32)."""

    y: np.ndarray
    state: np.ndarray


class CompiledLayer:
    """A layer compiled for a target; call it on hidden states.

    ``layer(x, initial_state=None)`` -> :class:`LayerOutput`.  Shapes are
    static: the module is emitted for each (B, T, with or without an
    initial state) seen, compiled once through ``sse-to-llvm-cpu`` into a
    shared object (``sse-runner --target=cpu --emit-aot``,
    :class:`~sse_mlir.cpu.CpuModel`) and then called directly, so a later
    call of the same shape (a decode step) costs the computation, not a
    compile.  Outputs are poisoned before each call.  The shared objects
    live in ``cache_dir`` (default: a temporary directory removed with the
    object).
    """

    def __init__(self, layer: _Layer, target: str = "cpu",
                 pipeline_options: str = "", cache_dir: Optional[str] = None):
        if not isinstance(layer, _Layer):
            raise TypeError("compile() takes an SSEGLALayer or an SSEGDNLayer, got "
                            f"{type(layer).__name__}")
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
        self._compiled: Dict[Tuple[int, int, bool], CpuModel] = {}
        self._tmp = None if cache_dir else tempfile.TemporaryDirectory(prefix="sse-layer-")
        self.cache_dir = cache_dir or self._tmp.name
        # The parameters as the module takes them (bf16 as its bits), once.
        dt = layer.config.dtype
        self._weights = [f32_to_bf16_bits(layer.weights[n]) if dt == "bf16"
                         else layer.weights[n].astype(NUMPY_DTYPES[dt])
                         for n in layer.config.parameter_shapes()]

    @property
    def config(self) -> LayerConfig:
        return self.layer.config

    def module(self, batch: int, seq_len: int, initial_state: bool = False) -> Module:
        """The module run for inputs of this batch and length."""
        key = (int(batch), int(seq_len), bool(initial_state))
        if key not in self._modules:
            self._modules[key] = emit_mlir(self.config, *key[:2], initial_state=key[2])
        return self._modules[key]

    def compiled(self, batch: int, seq_len: int, initial_state: bool = False,
                 workdir: Optional[str] = None) -> CpuModel:
        """The compiled module of this shape, built on first use (into
        ``workdir`` if given, else into the cache directory)."""
        key = (int(batch), int(seq_len), bool(initial_state))
        if key not in self._compiled:
            module = self.module(*key)
            where = workdir or os.path.join(self.cache_dir,
                                            f"b{key[0]}-t{key[1]}-{'init' if key[2] else 'zero'}")
            self._compiled[key] = CpuModel.build(module.text, module.entry, where,
                                                 pipeline_options=self.pipeline_options)
        return self._compiled[key]

    def __call__(self, hidden_states: np.ndarray, initial_state: Optional[np.ndarray] = None,
                 *, workdir: Optional[str] = None) -> LayerOutput:
        """y and the final state cache of ``hidden_states`` [B, T, hidden]
        from ``initial_state`` (the cache [B, H, 1 + N, K, V], not modified;
        None: zeros).  ``workdir``: where to build this shape if it is new."""
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
        inputs = [x] + self._weights
        if initial_state is not None and cfg.use_short_conv:
            raise NotImplementedError(
                "a decode step of a layer with short convolutions needs their cache (the "
                "last conv_size - 1 inputs of q1 and k1), which is not built yet; run the "
                "whole sequence as one prefill")
        if initial_state is not None:
            s = np.asarray(initial_state)
            if s.shape != cfg.state_shape(B):
                raise ValueError(f"initial_state must be [B, H, 1 + N, K, V] = "
                                 f"{list(cfg.state_shape(B))}; got {list(s.shape)}")
            inputs.append(np.asarray(s, dtype=np.float32))  # CpuModel copies it: the entry updates it
        y, state = self.compiled(B, T, initial_state is not None, workdir)(inputs)
        return LayerOutput(np.asarray(y, dtype=np.float32), state)


def compile(layer: _Layer, target: str = "cpu", *, pipeline_options: str = "",
            cache_dir: Optional[str] = None) -> CompiledLayer:
    """Compiles ``layer`` for ``target`` (``"cpu"``; ``"cuda"`` is not built
    yet and raises NotImplementedError); returns a callable
    ``(hidden_states, initial_state=None) -> LayerOutput(y, state)`` that
    compiles each new shape once.  ``pipeline_options`` go to the pipeline
    (e.g. ``"fuse=false"``); ``cache_dir`` keeps the compiled shapes."""
    return CompiledLayer(layer, target, pipeline_options, cache_dir)
