"""The parameters of the published SSE layers, by name and shape.

The names and shapes are those of the SSE authors' layers, ``SSEGLA`` and
``SSEGDN`` in FLA's ``fla/layers/sse.py`` at commit bf82e824 (PyTorch
``nn.Linear`` weights are [out, in]), so that a ``.safetensors`` file saved
from those layers loads as it is. :func:`check_weights
<sse_mlir.safetensors.check_weights>` compares a file against a table.
"""

from __future__ import annotations

import math
from typing import Dict, Optional, Tuple

__all__ = ["sse_gla_parameters", "sse_gdn_parameters"]

Shapes = Dict[str, Tuple[int, ...]]


def _widths(head_dim: int, num_heads: int, expand_v: float,
            num_v_heads: Optional[int]) -> Tuple[int, int, int, int]:
    """(key_dim, value_dim, head_v_dim, num_v_heads) as the layers derive
    them; a value width that is not an integer is an error, as there."""
    v_heads = num_heads if num_v_heads is None else num_v_heads
    head_v = head_dim * expand_v
    if head_dim <= 0 or num_heads <= 0 or v_heads <= 0 or head_v <= 0:
        raise ValueError("head_dim, num_heads, num_v_heads and expand_v must "
                         "be positive")
    if not math.isclose(head_v, round(head_v), rel_tol=1e-5):
        raise ValueError(f"expand_v={expand_v} times head_dim={head_dim} is "
                         "not an integer value width")
    if v_heads > num_heads and v_heads % num_heads != 0:
        raise ValueError(f"num_v_heads={v_heads} must be a multiple of "
                         f"num_heads={num_heads}")
    head_v = int(round(head_v))
    return num_heads * head_dim, v_heads * head_v, head_v, v_heads


def _common(hidden: int, key_dim: int, value_dim: int, head_v: int,
            partitions: int, use_output_gate: bool, use_short_conv: bool,
            conv_size: int, conv_bias: bool) -> Shapes:
    """What both layers have: the q, k, v projections and their low-rank
    deltas, the router, the optional short convolutions, the output gate
    and norm, the output projection."""
    p: Shapes = {
        "q_proj.weight": (key_dim, hidden),
        "k_proj.weight": (key_dim, hidden),
        "v_proj.weight": (value_dim, hidden),
        "lora_q_proj.0.weight": (head_v, hidden),
        "lora_q_proj.1.weight": (key_dim, head_v),
        "lora_k_proj.0.weight": (head_v, hidden),
        "lora_k_proj.1.weight": (key_dim, head_v),
        "e_proj.weight": (partitions, hidden),
        "o_norm.weight": (head_v,),
        "o_proj.weight": (hidden, value_dim),
    }
    if use_short_conv:
        for name in ("q_conv1d_shared", "k_conv1d_shared"):
            p[f"{name}.weight"] = (key_dim, 1, conv_size)  # depthwise
            if conv_bias:
                p[f"{name}.bias"] = (key_dim,)
    if use_output_gate:
        p["g_proj.0.weight"] = (head_v, hidden)
        p["g_proj.1.weight"] = (value_dim, head_v)
    return p


def sse_gla_parameters(hidden_size: int = 2048, head_dim: int = 256,
                       num_heads: int = 6, expand_v: float = 1.0,
                       num_v_heads: Optional[int] = None,
                       num_sparse_partition: int = 4,
                       gate_low_rank_dim: int = 16,
                       use_output_gate: bool = True,
                       use_short_conv: bool = False, conv_size: int = 4,
                       conv_bias: bool = False) -> Shapes:
    """The SSE-GLA layer's parameters (defaults: the published ones)."""
    key_dim, value_dim, head_v, _ = _widths(head_dim, num_heads, expand_v,
                                            num_v_heads)
    p = _common(hidden_size, key_dim, value_dim, head_v, num_sparse_partition,
                use_output_gate, use_short_conv, conv_size, conv_bias)
    # Two low-rank gate projections: the shared partition's and the routed
    # partitions'.
    for i in range(2):
        p[f"gk_proj.{i}.0.weight"] = (gate_low_rank_dim, hidden_size)
        p[f"gk_proj.{i}.1.weight"] = (key_dim, gate_low_rank_dim)
        p[f"gk_proj.{i}.1.bias"] = (key_dim,)
    return p


def sse_gdn_parameters(hidden_size: int = 2048, head_dim: int = 256,
                       num_heads: int = 6, expand_v: float = 2.0,
                       num_v_heads: Optional[int] = None,
                       num_sparse_partition: int = 4,
                       use_output_gate: bool = True,
                       use_short_conv: bool = False, conv_size: int = 4,
                       conv_bias: bool = False) -> Shapes:
    """The SSE-GDN layer's parameters (defaults: the published ones)."""
    key_dim, value_dim, head_v, v_heads = _widths(head_dim, num_heads,
                                                  expand_v, num_v_heads)
    p = _common(hidden_size, key_dim, value_dim, head_v, num_sparse_partition,
                use_output_gate, use_short_conv, conv_size, conv_bias)
    # Decay and beta per value head, for the shared and the routed halves.
    p["a_proj.weight"] = (2 * v_heads, hidden_size)
    p["b_proj.weight"] = (2 * v_heads, hidden_size)
    p["A_log"] = (2 * v_heads,)
    p["dt_bias"] = (2 * v_heads,)
    return p
