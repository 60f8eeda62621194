"""Log-gates anywhere in [-inf, 0] on the CPU, against the float64 reference.

Issue 9 (numerics): with ``split = chunked`` the chunk form took every decay
as ``exp(G_i - G_j)`` of running sums, which is NaN after a reset
(``-inf - -inf``) and loses digits after a strong gate. These cases draw
gates from a mixture of weak ones, strong ones down to -1e4, resets (-inf)
and zeros (``gate_mix = "strong"``), scalar and per key, both update rules,
both work splits, and the delta rule's beta at exactly 0 and 1.
"""

import numpy as np
import pytest

from sse_mlir.cases import (
    ScanCase,
    check_close,
    draw_scan_inputs,
    reference_scan,
    seed_of,
)
from sse_mlir.mlirgen import Schedule
from sse_mlir.runner import run_module

RECURRENT = Schedule(chunk=64, k_tile=16, v_tile=16, split="recurrent", grouping="dense")
CHUNKED = Schedule(chunk=16, k_tile=16, v_tile=16, split="chunked", grouping="sorted")
CHUNKED64 = Schedule(chunk=64, k_tile=16, v_tile=16, split="chunked", grouping="dense")


def _cases():
    out = []
    for sched in (RECURRENT, CHUNKED, CHUNKED64):
        for gate in ("scalar", "per_key"):
            for dtype in ("f32", "bf16"):
                out.append(ScanCase(B=1, T=65, H=2, K=16, V=32, N=4, k=2, dtype=dtype,
                                    gate=gate, routing="args", init=True,
                                    gate_mix="strong", schedule=sched))
        out.append(ScanCase(B=1, T=200, H=1, K=64, V=16, gate="per_key",
                            gate_mix="strong", schedule=sched))
        out.append(ScanCase(B=1, T=64, H=2, K=16, V=16, N=2, k=1, gate="scalar",
                            routing="classify", shared=True, shared_gate="per_key",
                            gate_mix="strong", schedule=sched))
    for beta_mix in ("interior", "edges"):
        out.append(ScanCase(B=2, T=63, H=2, K=16, V=16, N=2, k=1, gate="scalar",
                            rule="delta", routing="args", init=True,
                            gate_mix="strong", beta_mix=beta_mix))
    out.append(ScanCase(B=1, T=64, H=1, K=16, V=16, rule="delta", gate="scalar",
                        beta_mix="edges", dtype="f16"))
    return out


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gates_in_full_range(case, tmp_path, error_log):
    rng = np.random.default_rng(seed_of(case.id))
    module = case.module()
    x = draw_scan_inputs(case, rng)
    if case.gate_mix == "strong":
        g = x["gate"]
        assert np.isneginf(g).any() and (g == 0).any() and (g < -1000).any(), \
            "the strong mixture must contain resets, zeros and gates below -1000"
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path))
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)


@pytest.mark.parametrize("sched", [RECURRENT, CHUNKED64], ids=["recurrent", "chunked"])
def test_reset_gate_exact(sched, tmp_path):
    """The issue's input: q = k = v = 1, g = [0, -inf, 0, -inf, ...]: a reset
    before every other token, so o alternates between one and two tokens'
    worth and the final state holds only the last token (T is even)."""
    case = ScanCase(B=1, T=64, H=2, K=16, V=16, gate="scalar", scale=1.0, schedule=sched)
    module = case.module()
    ones = np.ones((1, 64, 2, 16), np.float32)
    g = np.zeros((1, 64, 2), np.float32)
    g[:, 1::2] = -np.inf
    x = {"q": ones, "k": ones, "v": ones, "gate": g}
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path))
    assert not np.isnan(o).any() and not np.isnan(states).any()
    # Token t reads q S_t with S_t = (number of tokens since the last reset) k^T v.
    since_reset = np.where(np.arange(64) % 2 == 1, 1, 2)
    since_reset[0] = 1
    expected_o = np.broadcast_to((16.0 * since_reset)[None, :, None, None], o.shape)
    np.testing.assert_allclose(o, expected_o, rtol=1e-6)
    np.testing.assert_allclose(states, 1.0, rtol=1e-6)
