"""The router (sse.classify, and the router fused into a scan) on logits
near f32's limits, against the float64 reference on the CPU.

Logits of magnitude up to 3.4e38 (f32's largest finite values) must give
finite weights, no NaN, and the reference's picks: softmax subtracts the
row's maximum first, so `z - max` may be -inf (weight 0), never inf - inf.
"""

import numpy as np
import pytest

from sse_mlir.cases import (
    ClassifyCase,
    ScanCase,
    check_close,
    extreme_logits,
    draw_scan_inputs,
    reference_scan,
    rel_err,
)
from sse_mlir.reference import classify
from sse_mlir.runner import run_module

@pytest.mark.parametrize("order, renormalize", [
    ("softmax_then_topk", False), ("softmax_then_topk", True),
    ("topk_then_softmax", False)])
def test_classify_extreme_logits(order, renormalize, tmp_path):
    rng = np.random.default_rng(11)
    z = extreme_logits(rng, (2, 200, 8))
    case = ClassifyCase(z.shape, 2, order=order, renormalize=renormalize)
    weights, indices = run_module(case.module(), [z], workdir=str(tmp_path))
    ref_w, ref_i = classify(z, 2, order=order, renormalize=renormalize)
    assert np.isfinite(weights).all(), "weights must be finite"
    np.testing.assert_array_equal(indices, ref_i)
    assert rel_err(weights, ref_w) <= 1e-5


def test_scan_router_extreme_logits(tmp_path, error_log):
    """The router fused into a scan (routing="router"), same logits."""
    case = ScanCase(B=1, T=64, H=2, K=16, V=16, N=4, k=2, gate="per_key",
                    routing="router", shared=True, shared_gate="scalar",
                    logit_mix="extreme")
    rng = np.random.default_rng(12)
    x = draw_scan_inputs(case, rng)
    assert np.abs(x["z"]).max() > 3e38
    module = case.module()
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path))
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)
