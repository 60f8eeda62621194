"""linalg.softmax through the CPU pipeline (sse-decompose-aggregates): it
used to stay unlowered, sse-to-llvm-cpu exited 0 and the runner failed late
on an unrealized cast. Now it runs and matches a float64 softmax, over each
dimension, with -inf entries (a masked logit) and large logits."""

import subprocess

import numpy as np
import pytest

from sse_mlir.cases import rel_err
from sse_mlir.runner import find_tool, run


def softmax_module(shape, dim, dtype):
    t = f"tensor<{'x'.join(map(str, shape))}x{dtype}>"
    return (f"func.func @sm(%x: {t}) -> {t} {{\n"
            f"  %e = tensor.empty() : {t}\n"
            f"  %y = linalg.softmax dimension({dim}) ins(%x : {t}) outs(%e : {t}) -> {t}\n"
            f"  return %y : {t}\n}}\n")


def reference(x, dim):
    x = x.astype(np.float64)
    m = np.max(x, axis=dim, keepdims=True)
    e = np.exp(x - m)
    return e / np.sum(e, axis=dim, keepdims=True)


@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("dtype", ["f32", "f16"])
def test_softmax_matches_reference(tmp_path, dim, dtype):
    rng = np.random.default_rng()
    x = (rng.standard_normal((3, 5, 16)) * 4).astype(np.float32)
    x[1, 2, 3] = -np.inf          # a masked entry: weight 0, nothing NaN
    x[2, 4, :] = 60.0             # large equal logits: no overflow
    if dtype == "f16":
        x = x.astype(np.float16).astype(np.float32)
    (y,) = run(softmax_module(x.shape, dim, dtype), "sm", [x], [dtype],
               workdir=str(tmp_path), result_dtypes=["f32"])
    ref = reference(x, dim)
    assert not np.isnan(y).any()
    assert rel_err(y, ref) <= (1e-5 if dtype == "f32" else 1e-2)


def test_pipeline_output_has_no_linalg_left(tmp_path):
    src = tmp_path / "sm.mlir"
    src.write_text(softmax_module((2, 8, 16), 2, "f32"))
    out = subprocess.run([find_tool("sse-opt"), str(src), "--sse-to-llvm-cpu"],
                         capture_output=True, text=True, check=True).stdout
    assert "linalg." not in out and "llvm.func @sm" in out
