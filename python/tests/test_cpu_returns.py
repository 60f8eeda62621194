"""A function that returns one value at several result positions, run on
the CPU (issue 9, finding 3: both pipelines crashed in upstream
buffer-results-to-out-params; sse-distinct-returned-buffers copies each
repeat). Every returned copy must hold the value, against the reference."""

import numpy as np

from sse_mlir.cases import ScanCase, draw_scan_inputs, reference_scan, rel_err
from sse_mlir.runner import run

FILL_TWICE = """
func.func @fill_twice() -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %e = tensor.empty() : tensor<4x3xf32>
  %c = arith.constant 2.5 : f32
  %r = linalg.fill ins(%c : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r, %r : tensor<4x3xf32>, tensor<4x3xf32>
}
"""

STATE_TWICE = """
func.func @state_twice(%q: tensor<1x20x2x16xf32>, %k: tensor<1x20x2x16xf32>,
                       %v: tensor<1x20x2x16xf32>, %init: tensor<1x2x1x16x16xf32>)
    -> (tensor<1x20x2x16xf32>, tensor<1x2x1x16x16xf32>, tensor<1x2x1x16x16xf32>) {
  %o, %s = sse.scan %q, %k, %v init(%init)
    : (tensor<1x20x2x16xf32>, tensor<1x20x2x16xf32>, tensor<1x20x2x16xf32>,
       tensor<1x2x1x16x16xf32>) -> (tensor<1x20x2x16xf32>, tensor<1x2x1x16x16xf32>)
  return %o, %s, %s : tensor<1x20x2x16xf32>, tensor<1x2x1x16x16xf32>, tensor<1x2x1x16x16xf32>
}
"""


def test_fill_returned_twice(tmp_path):
    a, b = run(FILL_TWICE, "fill_twice", [], [], workdir=str(tmp_path))
    np.testing.assert_array_equal(a, np.full((4, 3), 2.5, np.float32))
    np.testing.assert_array_equal(b, a)


def test_scan_state_returned_twice(tmp_path):
    case = ScanCase(B=1, T=20, H=2, K=16, V=16, init=True)
    x = draw_scan_inputs(case, np.random.default_rng(3))
    o, s1, s2 = run(STATE_TWICE, "state_twice", [x["q"], x["k"], x["v"], x["init"]],
                    ["f32"] * 4, workdir=str(tmp_path))
    ref_o, ref_s = reference_scan(case, x)
    assert rel_err(o, ref_o) <= 1e-5
    assert rel_err(s1, ref_s) <= 1e-5
    np.testing.assert_array_equal(s2, s1)
