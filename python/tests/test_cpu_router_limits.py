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
    draw_scan_inputs,
    reference_scan,
    rel_err,
)
from sse_mlir.reference import classify
from sse_mlir.runner import run_module

F32_MAX = float(np.finfo(np.float32).max)


def _extreme_logits(rng, shape):
    """Rows mixing +-f32 max, huge, ordinary and tiny logits."""
    pool = np.array([F32_MAX, -F32_MAX, 1e38, -1e38, 3e37, 88.0, 89.0, -104.0,
                     0.0, 1e-38, -1e-45, 1.0, 2.0], np.float32)
    z = rng.choice(pool, shape).astype(np.float32)
    z += rng.standard_normal(shape).astype(np.float32) * (np.abs(z) < 1e3)
    return z


@pytest.mark.parametrize("order, renormalize", [
    ("softmax_then_topk", False), ("softmax_then_topk", True),
    ("topk_then_softmax", False)])
def test_classify_extreme_logits(order, renormalize, tmp_path):
    rng = np.random.default_rng(11)
    z = _extreme_logits(rng, (2, 200, 8))
    case = ClassifyCase(z.shape, 2, order=order, renormalize=renormalize)
    weights, indices = run_module(case.module(), [z], workdir=str(tmp_path))
    ref_w, ref_i = classify(z, 2, order=order, renormalize=renormalize)
    assert np.isfinite(weights).all(), "weights must be finite"
    np.testing.assert_array_equal(indices, ref_i)
    assert rel_err(weights, ref_w) <= 1e-5


def test_scan_router_extreme_logits(tmp_path, error_log):
    """The router fused into a scan (routing="router"), same logits."""
    case = ScanCase(B=1, T=64, H=2, K=16, V=16, N=4, k=2, gate="per_key",
                    routing="router", shared=True, shared_gate="scalar")
    rng = np.random.default_rng(12)
    x = draw_scan_inputs(case, rng)
    x["z"] = _extreme_logits(rng, x["z"].shape)
    module = case.module()
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path))
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)
