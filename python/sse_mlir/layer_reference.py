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

It is written for clarity, not speed, and is the contract the compiled
layers of :mod:`sse_mlir.model` are checked against.
"""

from __future__ import annotations

from typing import Mapping, Optional, Tuple

import numpy as np

from . import reference

__all__ = ["silu", "softmax", "log_sigmoid", "linear", "sse_gla_layer"]


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
    w = {n: np.asarray(a, dtype=np.float64) for n, a in weights.items()}
    x = np.asarray(hidden_states, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != config.hidden_size:
        raise ValueError(f"hidden_states must be [B, T, {config.hidden_size}]; "
                         f"got {list(x.shape)}")
    B, T, _ = x.shape
    H, K, V = config.H, config.K, config.V

    def heads(t, width):
        return t.reshape(B, T, H, width)

    q1 = linear(x, w["q_proj.weight"])
    k1 = linear(x, w["k_proj.weight"])
    q2 = q1 + linear(linear(x, w["lora_q_proj.0.weight"]), w["lora_q_proj.1.weight"])
    k2 = k1 + linear(linear(x, w["lora_k_proj.0.weight"]), w["lora_k_proj.1.weight"])
    v = silu(heads(linear(x, w["v_proj.weight"]), V))
    q1, q2 = silu(heads(q1, K)), silu(heads(q2, K))
    k1, k2 = softmax(heads(k1, K)), softmax(heads(k2, K))
    g1, g2 = (heads(log_sigmoid(linear(linear(x, w[f"gk_proj.{i}.0.weight"]),
                                       w[f"gk_proj.{i}.1.weight"],
                                       w[f"gk_proj.{i}.1.bias"]))
                    / float(config.gate_logit_normalizer), K) for i in range(2))
    z = linear(x, w["e_proj.weight"])
    o, states = reference.sse_gla_core(q1, k1, q2, k2, v, g1, g2, z, int(config.top_k),
                                       init=initial_state)
    o = reference.rms_norm(o, w["o_norm.weight"], float(config.norm_eps))
    if config.use_output_gate:
        g = heads(linear(linear(x, w["g_proj.0.weight"]), w["g_proj.1.weight"]), V)
        o = reference.swish_gate(o, g)
    y = linear(o.reshape(B, T, H * V), w["o_proj.weight"])
    return y, states
