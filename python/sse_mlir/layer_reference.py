"""Float64 NumPy model of whole SSE layers (SPEC 1.4).

Built on :mod:`sse_mlir.reference` (the router and the scans); every
projection, activation and norm is computed here in float64 from the
parameters under their published names (``nn.Linear`` weights [out, in])::

    q1 = x Wq,  k1 = x Wk
    q2 = q1 + (x A_q) B_q,  k2 = k1 + (x A_k) B_k
    v  = silu(x Wv)
    q  = silu(q),  k = softmax over the K entries of each head (both pairs)
    g1, g2 = logsigmoid((x G_i) U_i + b_i) / 16
    z  = x W_e
    o  = scan(q1, k1, v, g1) + scan(q2, k2, v, g2, routed by classify(z))
    y  = W_o (rmsnorm(o) * swish(x A_g B_g))     (the gate only with g_proj)

and SSE-GDN (:func:`sse_gdn_layer`): the same projections; q, k =
l2norm(silu(.)) per head; g = -exp(A_log) softplus(x W_a + dt_bias) and
beta = sigmoid(x W_b), each [.., 2H]: the first H for the shared
partition; both scans on the gated delta rule, the router only selecting.

It is written for clarity, not speed, and is the contract the compiled
layers of :mod:`sse_mlir.model` are checked against.
"""

from __future__ import annotations

from typing import Mapping, Optional, Tuple

import numpy as np

from . import reference

__all__ = ["silu", "softmax", "log_sigmoid", "sigmoid", "softplus", "l2_normalize",
           "linear", "sse_gla_layer", "sse_gdn_layer", "row_rms_norm", "causal_attention",
           "sse_h_model"]

#: eps of SSE-GDN's per-head L2 norm of q and k (FLA's in-kernel ``l2norm``).
L2_EPS = 1e-6


def silu(x: np.ndarray) -> np.ndarray:
    """x * sigmoid(x)."""
    return x / (1.0 + np.exp(-x))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax over ``axis``, shifted by the max."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log(sigmoid(x)) = -log(1 + exp(-x)), without overflow."""
    return -np.logaddexp(0.0, -x)


def linear(x: np.ndarray, weight: np.ndarray, bias: Optional[np.ndarray] = None) -> np.ndarray:
    """``nn.Linear``: x W^T (+ b) for a weight [out, in]."""
    y = x @ np.asarray(weight, dtype=np.float64).T
    if bias is not None:
        y = y + np.asarray(bias, dtype=np.float64)
    return y


def sse_gla_layer(config, weights: Mapping[str, np.ndarray], hidden_states: np.ndarray,
                  initial_state: Optional[np.ndarray] = None
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """The SSE-GLA layer of ``config`` (a :class:`sse_mlir.model.SSEGLAConfig`)
    on hidden states [B, T, hidden], in float64.

    ``initial_state``: the state cache [B, H, 1 + N, K, V] (shared partition
    first) or None (zeros).  Returns ``(y [B, T, hidden], final state cache)``.
    """
    w, x, heads = _inputs(config, weights, hidden_states)
    K = config.K
    q1, k1, q2, k2, v = _qkv(w, x, heads, config.V, config)
    q1, q2 = silu(heads(q1, K)), silu(heads(q2, K))
    k1, k2 = softmax(heads(k1, K)), softmax(heads(k2, K))
    g1, g2 = (heads(log_sigmoid(linear(linear(x, w[f"gk_proj.{i}.0.weight"]),
                                       w[f"gk_proj.{i}.1.weight"],
                                       w[f"gk_proj.{i}.1.bias"]))
                    / float(config.gate_logit_normalizer), K) for i in range(2))
    z = linear(x, w["e_proj.weight"])
    o, states = reference.sse_gla_core(q1, k1, q2, k2, v, g1, g2, z, int(config.top_k),
                                       init=initial_state)
    return _epilogue(config, w, x, heads, o), states


def l2_normalize(x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """x / sqrt(sum over the last axis of x^2 + eps): FLA's in-kernel l2norm."""
    return x / np.sqrt(np.sum(x * x, axis=-1, keepdims=True) + eps)


def softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def sse_gdn_layer(config, weights: Mapping[str, np.ndarray], hidden_states: np.ndarray,
                  initial_state: Optional[np.ndarray] = None
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """The SSE-GDN layer of ``config`` (a :class:`sse_mlir.model.SSEGDNConfig`)
    on hidden states [B, T, hidden], in float64 (FLA's ``SSEGDN.forward``):
    silu then L2-normalised q and k, silu v; scalar log-gates
    ``-exp(A_log) softplus(x W_a + dt_bias)`` and ``beta = sigmoid(x W_b)``
    (times 2 with ``allow_neg_eigval``), the first half of each for the
    shared partition; the gated delta rule, the router only selecting.

    Returns ``(y [B, T, hidden], final state cache [B, H, 1 + N, K, V])``.
    """
    w, x, heads = _inputs(config, weights, hidden_states)
    H, K = config.H, config.K
    q1, k1, q2, k2, v = _qkv(w, x, heads, config.V, config)
    q1, q2, k1, k2 = (l2_normalize(silu(heads(t, K)), L2_EPS) for t in (q1, q2, k1, k2))
    beta = sigmoid(linear(x, w["b_proj.weight"]))
    if config.allow_neg_eigval:
        beta = 2.0 * beta
    g = -np.exp(w["A_log"]) * softplus(linear(x, w["a_proj.weight"]) + w["dt_bias"])
    beta1, beta2 = beta[..., :H], beta[..., H:]
    g1, g2 = g[..., :H], g[..., H:]
    z = linear(x, w["e_proj.weight"])
    o, states = reference.sse_gdn_core(q1, k1, q2, k2, v, g1, g2, beta1, beta2, z,
                                       int(config.top_k), init=initial_state)
    return _epilogue(config, w, x, heads, o), states


def _inputs(config, weights, hidden_states):
    """The parameters and x in float64, and ``heads(t, width)``: [B, T, H
    width] -> [B, T, H, width]."""
    w = {n: np.asarray(a, dtype=np.float64) for n, a in weights.items()}
    x = np.asarray(hidden_states, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != config.hidden_size:
        raise ValueError(f"hidden_states must be [B, T, {config.hidden_size}]; "
                         f"got {list(x.shape)}")
    B, T, _ = x.shape
    return w, x, lambda t, width: t.reshape(B, T, config.H, width)


def short_conv(x: np.ndarray, weight: np.ndarray, bias: Optional[np.ndarray]) -> np.ndarray:
    """The depthwise causal convolution of x [B, T, C] with weight [C, 1, W]
    (FLA's ShortConvolution, no activation)."""
    B, T, C = x.shape
    W = weight.shape[2]
    padded = np.concatenate([np.zeros((B, W - 1, C)), x], axis=1)
    y = sum(padded[:, i:i + T, :] * weight[:, 0, i] for i in range(W))
    return y + bias if bias is not None else y


def _qkv(w, x, heads, V, config=None):
    """Both layers' q1, k1, the routed q2 = q1 + lora_q(x), k2 = k1 +
    lora_k(x) (flat), and v = silu(x Wv) per head."""
    q1 = linear(x, w["q_proj.weight"])
    k1 = linear(x, w["k_proj.weight"])
    q2 = q1 + linear(linear(x, w["lora_q_proj.0.weight"]), w["lora_q_proj.1.weight"])
    k2 = k1 + linear(linear(x, w["lora_k_proj.0.weight"]), w["lora_k_proj.1.weight"])
    if config is not None and config.use_short_conv:
        q1 = short_conv(q1, w["q_conv1d_shared.weight"], w.get("q_conv1d_shared.bias"))
        k1 = short_conv(k1, w["k_conv1d_shared.weight"], w.get("k_conv1d_shared.bias"))
    return q1, k1, q2, k2, silu(heads(linear(x, w["v_proj.weight"]), V))


def _epilogue(config, w, x, heads, o):
    """rmsnorm(o) (times the swish output gate), then the output projection."""
    B, T, H, V = o.shape
    o = reference.rms_norm(o, w["o_norm.weight"], float(config.norm_eps))
    if config.use_output_gate:
        g = heads(linear(linear(x, w["g_proj.0.weight"]), w["g_proj.1.weight"]), V)
        o = reference.swish_gate(o, g)
    return linear(o.reshape(B, T, H * V), w["o_proj.weight"])


def row_rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    """x * rsqrt(mean over the last axis of x^2 + eps) * weight."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def causal_attention(config, weights: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Causal multi-head softmax attention (``hybrid.AttentionConfig``) on
    x [B, T, hidden], float64, scale head_dim^-0.5."""
    w = {n: np.asarray(a, dtype=np.float64) for n, a in weights.items()}
    B, T, _ = x.shape
    H, d = int(config.num_heads), int(config.head_dim)
    q, k, v = (linear(x, w[f"{n}_proj.weight"]).reshape(B, T, H, d) for n in "qkv")
    s = np.einsum("bihd,bjhd->bhij", q, k) / np.sqrt(d)
    s = np.where(np.tril(np.ones((T, T), bool)), s, -np.inf)
    p = softmax(s, axis=-1)
    o = np.einsum("bhij,bjhd->bihd", p, v).reshape(B, T, H * d)
    return linear(o, w["o_proj.weight"])


def sse_h_model(config, weights: Mapping[str, np.ndarray], hidden_states: np.ndarray):
    """The stacked model of ``config`` (a ``hybrid.ModelConfig``) in
    float64: pre-norm blocks with residuals, each layer then a SwiGLU MLP,
    a final norm.  Returns (y [B, T, hidden], [final state cache of each
    SSE layer])."""
    w = {n: np.asarray(a, dtype=np.float64) for n, a in weights.items()}
    x = np.asarray(hidden_states, dtype=np.float64)
    eps = float(config.norm_eps)
    states = []
    for i, c in enumerate(config.layers):
        h = row_rms_norm(x, w[f"layers.{i}.attn_norm.weight"], eps)
        lw = {n[len(f"layers.{i}.attn."):]: a for n, a in w.items()
              if n.startswith(f"layers.{i}.attn.")}
        kind = type(c).__name__
        if kind == "AttentionConfig":
            y = causal_attention(c, lw, h)
        else:
            y, s = (sse_gla_layer if kind == "SSEGLAConfig" else sse_gdn_layer)(c, lw, h)
            states.append(s)
        x = x + y
        h = row_rms_norm(x, w[f"layers.{i}.mlp_norm.weight"], eps)
        gate = silu(linear(h, w[f"layers.{i}.mlp.gate_proj.weight"]))
        x = x + linear(gate * linear(h, w[f"layers.{i}.mlp.up_proj.weight"]),
                       w[f"layers.{i}.mlp.down_proj.weight"])
    return row_rms_norm(x, w["norm.weight"], eps), states
