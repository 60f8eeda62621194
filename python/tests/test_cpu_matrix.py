"""sse-runner on the CPU against the float64 reference (SPEC.md section 5).

Every case draws fresh random inputs from ``np.random.default_rng`` seeded
by its id, runs the generated module through ``sse-runner --target=cpu``
(outputs are poisoned with NaN, so a NaN means an element was never written)
and compares both results -- ``o`` and the final states -- with
``||out - ref||_F / ||ref||_F``:

* f32 inputs: <= 1e-5;
* f16 / bf16 inputs: <= 1e-2, where the reference gets the inputs already
  rounded to f16 / bf16, so only the compute error (and the rounding of
  the output) is measured.

The scan matrix is an all-pairs covering array (see ``cases.pairwise``)
over T, (N, k), (K, V), gate, rule, init, element type, routing source and
pattern, packing, heads, read/write gating, router order and index type;
explicit cases add the big shapes, packing corner cases, decode, and exact
checks (untouched partitions and empty sequences keep ``init`` bit for bit).
"""

import numpy as np
import pytest

from sse_mlir.cases import (
    TOL, check_close,
    ClassifyCase,
    GlaCoreCase,
    ScanCase,
    draw_classify_inputs,
    draw_gla_core_inputs,
    draw_scan_inputs,
    pairwise,
    reference_gla_core,
    reference_scan,
    rel_err,
    seed_of,
)
from sse_mlir.reference import classify
from sse_mlir.runner import run_module



# ---------------------------------------------------------------------------
# The scan matrix (all pairs)
# ---------------------------------------------------------------------------

FACTORS = {
    "T": [1, 7, 63, 64, 65, 1000],
    "NK": [(1, 1), (2, 1), (2, 2), (4, 1), (4, 2), (4, 4), (16, 1), (16, 2), (16, 4)],
    "KV": [(16, 16), (64, 64), (128, 128), (256, 256), (16, 64), (64, 16), (128, 256),
           (256, 128)],
    "gate": [None, "scalar", "per_key"],
    "rule": ["additive", "delta"],
    "init": [False, True],
    "dtype": ["f32", "f16", "bf16"],
    "routing": ["none", "args", "classify", "args_per_head", "classify_per_head"],
    "pattern": ["random", "same", "unused"],
    "packing": ["none", "packed", "batch2"],
    "H": [1, 2],
    "gating": ["both", "noread", "nowrite", "neither"],
    "router": ["softmax", "softmax_renorm", "topk_softmax"],
    "index_type": ["i32", "i64"],
}

# Work bounds of one generated case: T * H * k token steps of K x V each.
MAX_STEPS = 4000
MAX_WORK = 6.6e7  # allows T = 1000 with K = V = 256 at H = k = 1


def _valid(a):
    """May the partial assignment ``a`` be completed into an allowed case?"""
    get = a.get
    if get("routing") == "none" and get("NK", (1, 1)) != (1, 1):
        return False
    if get("routing") == "none" and (get("pattern", "random") != "random"
                                    or get("gating", "both") != "both"
                                    or get("router", "softmax") != "softmax"
                                    or get("index_type", "i32") != "i32"):
        return False
    if get("routing") in ("args", "args_per_head") and get("router", "softmax") != "softmax":
        return False
    if get("pattern") == "unused" and "NK" in a and a["NK"][1] >= a["NK"][0]:
        return False
    if get("rule") == "delta" and get("gate") == "per_key":
        return False
    if get("routing", "").endswith("per_head") and get("H", 2) != 2:
        return False
    # Cost lower bound: unassigned factors at their cheapest.
    T = get("T", 1)
    H = get("H", 1)
    k = get("NK", (1, 1))[1]
    K, V = get("KV", (16, 16))
    batch = 2 if get("packing") == "batch2" else 1
    steps = T * H * k * batch
    if steps > MAX_STEPS or steps * K * V > MAX_WORK:
        return False
    return True


def packed_lengths(T):
    """Sequence lengths for T tokens: pieces of {5, 64, 130}, an empty
    sequence after the first, and the remainder last."""
    lens, left = [], T
    for piece in (5, 64, 130):
        if left <= piece:
            break
        lens.append(piece)
        left -= piece
        if len(lens) == 1:
            lens.append(0)
    lens.append(left)
    if 0 not in lens:
        lens.insert(0, 0)
    return tuple(lens)


def _case_from(a):
    N, k = a["NK"]
    K, V = a["KV"]
    routing = None if a["routing"] == "none" else a["routing"].split("_")[0]
    order = "topk_then_softmax" if a["router"] == "topk_softmax" else "softmax_then_topk"
    return ScanCase(
        T=a["T"], K=K, V=V, H=a["H"], B=2 if a["packing"] == "batch2" else 1, N=N, k=k,
        dtype=a["dtype"], gate=a["gate"], rule=a["rule"], init=a["init"], routing=routing,
        per_head=a["routing"].endswith("per_head"), pattern=a["pattern"], order=order,
        renormalize=a["router"] == "softmax_renorm", index_type=a["index_type"],
        seq_lens=packed_lengths(a["T"]) if a["packing"] == "packed" else None,
        read_gate=a["gating"] in ("both", "nowrite"),
        write_gate=a["gating"] in ("both", "noread"))


MATRIX = [_case_from(a) for a in pairwise(FACTORS, _valid, seed=0)]

# Explicit cases: big shapes, corner cases, decode.
EXPLICIT = [
    # The big ones (T = 1000 with K = V = 256), few on purpose.
    ScanCase(T=1000, K=256, V=256, N=4, k=1, routing="classify", gate="per_key"),
    ScanCase(T=1000, K=256, V=256, dtype="bf16", gate="scalar", init=True),
    ScanCase(T=1000, K=256, V=128, N=4, k=2, routing="classify", gate="scalar",
             rule="delta", dtype="f16", read_gate=False, write_gate=False),
    # Packed {5, 64, 130} with an empty sequence and uncovered tail tokens.
    ScanCase(T=206, K=64, V=32, H=2, N=4, k=2, routing="classify", gate="per_key",
             init=True, seq_lens=(5, 0, 64, 130), tail=7),
    ScanCase(T=199, K=16, V=64, N=4, k=1, routing="args", pattern="unused", init=True,
             seq_lens=(5, 64, 0, 130), cu_dtype="i64", dtype="bf16", gate="scalar"),
    ScanCase(T=199, K=32, V=32, H=2, N=2, k=1, routing="classify", rule="delta",
             gate="scalar", seq_lens=(130, 5, 64, 0), dtype="f16"),
    # Decode: one token per sequence, states carried in.
    ScanCase(T=4, K=128, V=128, H=2, N=4, k=1, routing="classify", gate="per_key",
             init=True, seq_lens=(1, 1, 1, 1)),
    ScanCase(T=4, K=64, V=64, H=2, N=4, k=2, routing="classify", gate="scalar",
             rule="delta", init=True, seq_lens=(1, 1, 1, 1), dtype="bf16",
             read_gate=False, write_gate=False),
    # Routing corner cases.
    ScanCase(T=65, K=16, V=32, H=2, N=4, k=2, routing="args", pattern="out_of_range",
             gate="per_key", init=True),
    ScanCase(T=64, K=16, V=16, H=2, N=4, k=2, routing="args", pattern="duplicate",
             gate="scalar"),
    ScanCase(T=63, K=16, V=16, H=2, N=4, k=3, routing="args", pattern="duplicate",
             rule="delta", per_head=True, index_type="i64"),
    ScanCase(T=64, K=32, V=16, H=2, N=16, k=2, routing="classify", pattern="same",
             per_head=True, init=True, order="topk_then_softmax"),
    ScanCase(T=64, K=32, V=16, H=3, N=4, k=2, routing="classify", pattern="unused",
             gate="per_key", init=True, renormalize=True),
    ScanCase(T=63, K=16, V=16, N=3, k=2, routing="classify", pattern="unused", init=True),
    # Element types mixed / low-precision router logits, explicit scale.
    ScanCase(T=65, K=64, V=64, H=2, N=4, k=1, dtype="bf16", gate_dtype="f32",
             gate="per_key", routing="classify"),
    ScanCase(T=65, K=64, V=64, H=2, N=4, k=2, dtype="f16", z_dtype="bf16",
             routing="classify", gate="scalar"),
    ScanCase(T=63, K=64, V=64, N=4, k=2, z_dtype="f16", routing="classify",
             order="topk_then_softmax", scale=0.3),
    ScanCase(T=7, K=16, V=16, H=2, N=1, k=1, routing="classify", scale=1.0, init=True),
    # The routed branch of SSE-GDN: delta rule, router only selects.
    ScanCase(T=128, K=64, V=64, H=2, N=4, k=2, routing="classify", rule="delta",
             gate="scalar", read_gate=False, write_gate=False, init=True),
]

ALL_SCAN_CASES = MATRIX + EXPLICIT


def _exact_checks(case, x, o, states):
    """Things that must hold bit for bit."""
    init = x.get("init")
    if init is None:
        init = np.zeros_like(states)
    if case.pattern == "unused":
        # Partition N-1 is never picked: neither decayed nor written.
        np.testing.assert_array_equal(states[:, :, case.N - 1], init[:, :, case.N - 1],
                                      err_msg="never-picked partition changed")
    if case.seq_lens is not None:
        for s, n in enumerate(case.seq_lens):
            if n == 0:
                np.testing.assert_array_equal(states[s], init[s],
                                              err_msg=f"empty sequence {s} changed its state")
        if case.tail:
            tail = o[:, case.T - case.tail:]
            assert np.all(tail == 0), "tokens outside every sequence must get o = 0"


@pytest.mark.parametrize("case", ALL_SCAN_CASES, ids=[c.id for c in ALL_SCAN_CASES])
def test_scan(case, tmp_path, error_log):
    rng = np.random.default_rng(seed_of(case.id))
    module = case.module()
    x = draw_scan_inputs(case, rng)
    assert sorted(x) == sorted(module.args)
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path))
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)
    _exact_checks(case, x, o, states)


def test_matrix_covers_spec_values():
    """The generated matrix really contains every value SPEC section 5 lists."""
    seen = lambda f: {f(c) for c in ALL_SCAN_CASES}  # noqa: E731
    assert {1, 7, 63, 64, 65, 1000} <= seen(lambda c: c.T)
    assert {1, 2, 4, 16} <= seen(lambda c: c.N)
    assert {1, 2, 4} <= seen(lambda c: c.k)
    assert {16, 64, 128, 256} <= seen(lambda c: c.K) & seen(lambda c: c.V)
    assert any(c.K != c.V for c in ALL_SCAN_CASES)
    assert {None, "scalar", "per_key"} <= seen(lambda c: c.gate)
    assert {"additive", "delta"} <= seen(lambda c: c.rule)
    assert {True, False} <= seen(lambda c: c.init)
    assert {"random", "same", "unused"} <= seen(lambda c: c.pattern)
    assert {"f32", "f16", "bf16"} <= seen(lambda c: c.dtype)
    assert any(c.seq_lens and 0 in c.seq_lens and {5, 64, 130} <= set(c.seq_lens)
               for c in ALL_SCAN_CASES)
    assert any(c.per_head for c in ALL_SCAN_CASES)
    assert any(not c.read_gate for c in ALL_SCAN_CASES)
    assert any(not c.write_gate for c in ALL_SCAN_CASES)
    assert any(c.renormalize for c in ALL_SCAN_CASES)
    assert any(c.order == "topk_then_softmax" for c in ALL_SCAN_CASES)
    big = [c for c in ALL_SCAN_CASES if c.T == 1000 and c.K == 256 and c.V == 256]
    assert 1 <= len(big) <= 4


# ---------------------------------------------------------------------------
# classify alone
# ---------------------------------------------------------------------------

CLASSIFY_CASES = [
    ClassifyCase((1, 7, 4), 2),
    ClassifyCase((1, 7, 4), 2, order="topk_then_softmax"),
    ClassifyCase((1, 7, 4), 2, renormalize=True),
    ClassifyCase((1, 7, 4), 2, order="topk_then_softmax", renormalize=True),
    ClassifyCase((2, 63, 16), 4, index_type="i64"),
    ClassifyCase((2, 63, 16), 4, order="topk_then_softmax", z_dtype="bf16"),
    ClassifyCase((2, 64, 16), 1, renormalize=True, z_dtype="f16"),
    ClassifyCase((1, 65, 2), 2, z_dtype="bf16", index_type="i64"),
    ClassifyCase((3, 5, 2, 4), 1),  # per-head logits [B, T, H, N]
    ClassifyCase((3, 5, 2, 4), 4, order="topk_then_softmax"),
    ClassifyCase((16,), 16),  # rank 1, k = N
    ClassifyCase((2, 7, 1), 1, renormalize=True),  # N = 1
    ClassifyCase((1, 1000, 16), 2, z_dtype="f16"),
    ClassifyCase((1, 1000, 4), 1, order="topk_then_softmax", z_dtype="bf16"),
]


@pytest.mark.parametrize("case", CLASSIFY_CASES, ids=[c.id for c in CLASSIFY_CASES])
def test_classify(case, tmp_path, error_log):
    rng = np.random.default_rng(seed_of(case.id))
    z = draw_classify_inputs(case, rng)
    module = case.module()
    weights, indices = run_module(module, [z], workdir=str(tmp_path))
    ref_w, ref_i = classify(z, case.k, order=case.order, renormalize=case.renormalize)
    assert indices.dtype == np.dtype("<" + {"i32": "i4", "i64": "i8"}[case.index_type])
    np.testing.assert_array_equal(indices, ref_i)
    assert not np.isnan(weights).any()
    err = rel_err(weights, ref_w)
    error_log.record(case.z_dtype, "weights", err)
    assert err <= 1e-5, f"weights: relative error {err:.3e}"
    assert np.all(np.diff(weights, axis=-1) <= 0), "weights must be sorted descending"


def test_classify_exact_ties(tmp_path):
    """Exactly equal logits: the lower index wins and comes first."""
    rng = np.random.default_rng(7)
    z = rng.integers(0, 3, (1, 64, 8)).astype(np.float32)
    z[0, 0] = 0.0  # a row of all-equal logits
    for order in ("softmax_then_topk", "topk_then_softmax"):
        case = ClassifyCase(z.shape, 3, order=order)
        weights, indices = run_module(case.module(), [z], workdir=str(tmp_path / order))
        ref_w, ref_i = classify(z, 3, order=order)
        np.testing.assert_array_equal(indices, ref_i)
        np.testing.assert_array_equal(indices[0, 0], [0, 1, 2])
        assert rel_err(weights, ref_w) <= 1e-6


# ---------------------------------------------------------------------------
# SSE-GLA core end to end
# ---------------------------------------------------------------------------

GLA_CASES = [
    GlaCoreCase(B=2, T=64, H=2, K=16, V=32, N=4, k=1),
    GlaCoreCase(B=1, T=65, H=2, K=64, V=64, N=4, k=2, dtype="bf16", init=True),
    GlaCoreCase(B=2, T=7, H=1, K=16, V=16, N=16, k=4, dtype="f16", gate="scalar",
                renormalize=True),
    GlaCoreCase(B=1, T=1000, H=1, K=64, V=64, N=4, k=1, init=True),
    GlaCoreCase(B=1, T=63, H=2, K=128, V=64, N=2, k=2, gate=None, init=True),
    GlaCoreCase(B=1, T=1, H=2, K=128, V=128, N=4, k=1, dtype="bf16", init=True),
]


@pytest.mark.parametrize("case", GLA_CASES, ids=[c.id for c in GLA_CASES])
def test_sse_gla_core(case, tmp_path, error_log):
    rng = np.random.default_rng(seed_of(case.id))
    module = case.module()
    x = draw_gla_core_inputs(case, rng)
    assert sorted(x) == sorted(module.args)
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path))
    ref_o, ref_states = reference_gla_core(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)


# ---------------------------------------------------------------------------
# Unusual packing offsets and routing corner cases
# ---------------------------------------------------------------------------

ODD_CU = {
    "overlap-later-wins": [0, 10, 5, 20, 100],  # [10,5) empty, seq 2 overlaps seq 0
    "negative-and-past-T": [-3, 4, 2, 9, 12],   # clamped into [0, T]
    "all-empty": [0, 0, 0, 0, 0],                # every o = 0, states = init
    "descending": [16, 16, 0, 16, 3],
}


@pytest.mark.parametrize("cu", list(ODD_CU.values()), ids=list(ODD_CU))
def test_scan_unusual_cu_seqlens(cu, tmp_path, error_log):
    """Offsets are clamped into [0, T]; tokens outside every sequence get o = 0;
    overlapping sequences: the later one's output wins (reference.scan)."""
    case = ScanCase(T=16, K=16, V=32, H=2, N=4, k=2, routing="classify", gate="per_key",
                    init=True, seq_lens=(4, 4, 4, 4))
    rng = np.random.default_rng(seed_of(case.id + str(cu)))
    x = draw_scan_inputs(case, rng)
    x["cu_seqlens"] = np.array(cu, dtype=np.int64)
    module = case.module()
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path))
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, "f32", "states", states, ref_states)
    assert not np.isnan(o).any()
    if np.linalg.norm(ref_o) == 0:
        assert np.all(o == 0)
    else:
        check_close(error_log, "f32", "o", o, ref_o)


# Picks are ordered by logit (docs/Semantics.md), also where distinct logits
# give equal, underflowed weights: both the lowering and the reference do so.
def test_classify_underflowed_weights_order(tmp_path):
    z = np.array([[0.0, -2000.0, -1000.0, 5.0]], np.float32)
    weights, indices = run_module(ClassifyCase(z.shape, 4).module(), [z],
                                  workdir=str(tmp_path))
    ref_w, ref_i = classify(z, 4)
    np.testing.assert_allclose(weights, ref_w, rtol=1e-6, atol=0)
    np.testing.assert_array_equal(indices, ref_i)
    np.testing.assert_array_equal(indices, [[3, 0, 2, 1]])  # by logit: 5, 0, -1000, -2000
