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
    """The same layer with the norm and the gate spelled in linalg/arith/math."""
    q = f"tensor<{B}x{T}x{H}x{K}xf32>"
    v = f"tensor<{B}x{T}x{H}x{V}xf32>"
    r = f"tensor<{B}x{T}x{H}xf32>"
    z = f"tensor<{B}x{T}x{N}xf32>"
    w = f"tensor<{H}x{V}xf32>"
    s1 = f"tensor<{B}x{H}x1x{K}x{V}xf32>"
    s2 = f"tensor<{B}x{H}x{N}x{K}x{V}xf32>"
    wk, ik = f"tensor<{B}x{T}x1xf32>", f"tensor<{B}x{T}x1xi32>"
    return f"""
func.func @layer(%q1: {q}, %k1: {q}, %q2: {q}, %k2: {q}, %v: {v}, %g1: {q},
                 %g2: {q}, %z: {z}, %nw: {w}, %og: {v}) -> {v} {{
  %w, %i = sse.classify %z {{k = 1 : i64}} : {z} -> ({wk}, {ik})
  %o1, %s1 = sse.scan %q1, %k1, %v gate(%g1) : ({q}, {q}, {v}, {q}) -> ({v}, {s1})
  %o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {{partitions = {N} : i64}}
      : ({q}, {q}, {v}, {q}, {wk}, {ik}) -> ({v}, {s2})
  %o = arith.addf %o1, %o2 : {v}
  %sq = arith.mulf %o, %o : {v}
  %zero = arith.constant 0.0 : f32
  %e3 = tensor.empty() : {r}
  %acc = linalg.fill ins(%zero : f32) outs(%e3 : {r}) -> {r}
  %sum = linalg.reduce ins(%sq : {v}) outs(%acc : {r}) dimensions = [3]
    (%a: f32, %b: f32) {{
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }}
  %width = arith.constant dense<{float(V)}> : {r}
  %mean = arith.divf %sum, %width : {r}
  %eps = arith.constant dense<1.0e-5> : {r}
  %ms = arith.addf %mean, %eps : {r}
  %rs = math.rsqrt %ms : {r}
  %e4 = tensor.empty() : {v}
  %rb = linalg.broadcast ins(%rs : {r}) outs(%e4 : {v}) dimensions = [3]
  %n0 = arith.mulf %o, %rb : {v}
  %wb = linalg.broadcast ins(%nw : {w}) outs(%e4 : {v}) dimensions = [0, 1]
  %n = arith.mulf %n0, %wb : {v}
  %one = arith.constant dense<1.0> : {v}
  %ng = arith.negf %og : {v}
  %ex = math.exp %ng : {v}
  %den = arith.addf %one, %ex : {v}
  %sw = arith.divf %og, %den : {v}
  %y = arith.mulf %n, %sw : {v}
  return %y : {v}
}}
"""


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
