"""The SSE layer's epilogue (rms_norm, swish_gate) on the CPU.

The SSE-GLA core followed by sse.rms_norm and sse.swish_gate is compiled
with the epilogue fused into the scan (default pipeline) and unfused
(fuse=false), under forced schedules, and compared with the float64
reference on fresh random inputs. Outputs are poisoned by sse-runner, so a
NaN means an element was never written.
"""

import numpy as np
import pytest

from sse_mlir import reference
from sse_mlir.model import LayerBuilder, emit_rms_norm, emit_swish_gate
from sse_mlir.runner import run

F32_TOL = 1e-5


def layer_text(B, T, H, K, V, N, k, per_head_norm, dtype="f32"):
    q = f"tensor<{B}x{T}x{H}x{K}x{dtype}>"
    v = f"tensor<{B}x{T}x{H}x{V}x{dtype}>"
    z = f"tensor<{B}x{T}x{N}x{dtype}>"
    w = f"tensor<{H}x{V}x{dtype}>" if per_head_norm else f"tensor<{V}x{dtype}>"
    s1 = f"tensor<{B}x{H}x1x{K}x{V}xf32>"
    s2 = f"tensor<{B}x{H}x{N}x{K}x{V}xf32>"
    wk = f"tensor<{B}x{T}x{k}xf32>"
    ik = f"tensor<{B}x{T}x{k}xi32>"
    return f"""
func.func @layer(%q1: {q}, %k1: {q}, %q2: {q}, %k2: {q}, %v: {v}, %g1: {q},
                 %g2: {q}, %z: {z}, %nw: {w}, %og: {v}) -> {v} {{
  %w, %i = sse.classify %z {{k = {k} : i64}} : {z} -> ({wk}, {ik})
  %o1, %s1 = sse.scan %q1, %k1, %v gate(%g1) : ({q}, {q}, {v}, {q}) -> ({v}, {s1})
  %o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {{partitions = {N} : i64}}
      : ({q}, {q}, {v}, {q}, {wk}, {ik}) -> ({v}, {s2})
  %e = tensor.empty() : {v}
  %o = linalg.add ins(%o1, %o2 : {v}, {v}) outs(%e : {v}) -> {v}
  %n = sse.rms_norm %o, %nw {{eps = 1.000000e-05 : f32}} : {v}, {w}
  %y = sse.swish_gate %n, %og : {v}, {v}
  return %y : {v}
}}
"""


def draw(rng, B, T, H, K, V, N, per_head_norm):
    def u(*shape, lo=-1.0, hi=1.0):
        return rng.uniform(lo, hi, shape).astype(np.float32)
    q1, k1, q2, k2 = (u(B, T, H, K) for _ in range(4))
    v = u(B, T, H, V)
    g1, g2 = u(B, T, H, K, lo=-1.0, hi=0.0), u(B, T, H, K, lo=-1.0, hi=0.0)
    z = u(B, T, N, lo=-3.0, hi=3.0)
    nw = u(H, V, lo=0.5, hi=1.5) if per_head_norm else u(V, lo=0.5, hi=1.5)
    og = u(B, T, H, V, lo=-2.0, hi=2.0)
    return [q1, k1, q2, k2, v, g1, g2, z, nw, og]


def expected(x, k):
    q1, k1, q2, k2, v, g1, g2, z, nw, og = (a.astype(np.float64) for a in x)
    o, _ = reference.sse_gla_core(q1, k1, q2, k2, v, g1, g2, z, k)
    return reference.swish_gate(reference.rms_norm(o, nw, 1e-5), og)


PIPELINES = [
    "",  # fused, cost-model schedule
    "fuse=false tile=false",
    "split=chunked grouping=sorted chunk=16",
    "split=recurrent grouping=dense",
]


@pytest.mark.parametrize("pipeline", PIPELINES, ids=lambda p: p or "default")
@pytest.mark.parametrize("shape", [(1, 33, 2, 16, 32, 4, 1, True),
                                   (2, 70, 1, 32, 16, 2, 2, False)],
                         ids=["perhead-norm", "shared-norm-k2"])
def test_layer_epilogue(pipeline, shape, tmp_path):
    B, T, H, K, V, N, k, per_head = shape
    rng = np.random.default_rng(abs(hash((pipeline, shape))) % 2**32)
    x = draw(rng, B, T, H, K, V, N, per_head)
    (y,) = run(layer_text(B, T, H, K, V, N, k, per_head), "layer", x,
               ["f32"] * len(x), workdir=str(tmp_path),
               extra_args=[f"--pipeline-options={pipeline}"])
    ref = expected(x, k)
    assert not np.isnan(y).any(), "unwritten output elements"
    err = np.linalg.norm(y - ref) / np.linalg.norm(ref)
    assert err <= F32_TOL, f"rel. error {err:.2e}"


def upstream_layer_text(B, T, H, K, V, N):
    """The same layer with the norm and the gate spelled in linalg/arith/math
    (by the emitters the model builder uses), the sum as arith.addf."""
    b = LayerBuilder()
    q = f"tensor<{B}x{T}x{H}x{K}xf32>"
    v = f"tensor<{B}x{T}x{H}x{V}xf32>"
    z = f"tensor<{B}x{T}x{N}xf32>"
    s1 = f"tensor<{B}x{H}x1x{K}x{V}xf32>"
    s2 = f"tensor<{B}x{H}x{N}x{K}x{V}xf32>"
    wk, ik = f"tensor<{B}x{T}x1xf32>", f"tensor<{B}x{T}x1xi32>"
    for name in ("q1", "k1", "q2", "k2"):
        b.arg(name, (B, T, H, K), "f32")
    b.arg("v", (B, T, H, V), "f32")
    b.arg("g1", (B, T, H, K), "f32")
    b.arg("g2", (B, T, H, K), "f32")
    b.arg("z", (B, T, N), "f32")
    nw = b.argv("nw", (H, V), "f32")
    og = b.argv("og", (B, T, H, V), "f32")
    b.op(f"%w, %i = sse.classify %z {{k = 1 : i64}} : {z} -> ({wk}, {ik})")
    b.op(f"%o1, %s1 = sse.scan %q1, %k1, %v gate(%g1) : ({q}, {q}, {v}, {q}) -> ({v}, {s1})")
    b.op(f"%o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {{partitions = {N} : i64}}"
         f" : ({q}, {q}, {v}, {q}, {wk}, {ik}) -> ({v}, {s2})")
    b.op(f"%o = arith.addf %o1, %o2 : {v}")
    n = emit_rms_norm(b, ("%o", ((B, T, H, V), "f32")), nw, 1e-5)
    y = emit_swish_gate(b, n, og)
    return b.finish("layer", [("y", y[0], y[1])]).text


@pytest.mark.parametrize("pipeline", ["", "fuse=false tile=false"],
                         ids=["raised-and-fused", "as-written"])
def test_layer_written_with_upstream_ops(pipeline, tmp_path):
    """sse-raise recognises the norm and the gate; results match either way."""
    B, T, H, K, V, N = 1, 40, 2, 16, 32, 4
    rng = np.random.default_rng(int.from_bytes(__import__("os").urandom(4), "little"))
    x = draw(rng, B, T, H, K, V, N, per_head_norm=True)
    (y,) = run(upstream_layer_text(B, T, H, K, V, N), "layer", x, ["f32"] * len(x),
               workdir=str(tmp_path), extra_args=[f"--pipeline-options={pipeline}"])
    ref = expected(x, 1)
    assert not np.isnan(y).any()
    err = np.linalg.norm(y - ref) / np.linalg.norm(ref)
    assert err <= F32_TOL, f"rel. error {err:.2e}"
