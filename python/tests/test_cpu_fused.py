"""The fused forms of ``sse.scan`` on the CPU against the float64 reference.

The fused scan (include/sse/Dialect/SSE/IR/SSEOps.td, ScanOp) adds

* ``shared(%q1, %k1) shared_gate(%g1) shared_beta(%b1)``: an always-selected
  shared partition (state partition 0, weight 1, its own q/k/gate/beta;
  read_gate/write_gate do not apply to it); routed partition ``p`` is state
  partition ``p + 1``, so init/states are ``[S, H, 1 + N, K, V]``;
* ``router(%z)`` with ``top_k``, ``router_order``, ``renormalize``: the scan
  classifies ``z`` (``[B, T, N]`` or ``[B, T, H, N]``) itself;
* ``schedule = #sse.schedule<...>``: tiling, which must not change results.

Every case draws fresh random inputs (``np.random.default_rng`` seeded by the
case id), runs the generated module through ``sse-runner --target=cpu``
(by default its pipeline runs ``sse-fuse`` and ``sse-tile`` first, so a scan
without a schedule gets one from the cost model; ``TOKEN_MAJOR`` turns both
off, which lowers an unscheduled scan token by token)
(outputs are poisoned with NaN, so a NaN means "never written") and compares
``o`` and the final states with ``reference.fused_scan`` (which composes
``classify`` and ``scan``) by ``||out - ref||_F / ||ref||_F``: <= 1e-5 for
f32 inputs, <= 1e-2 for f16 / bf16 inputs (the reference gets the inputs
already rounded).  The SSE-GLA / SSE-GDN core written as one fused scan is
checked against ``reference.sse_gla_core`` / ``reference.sse_gdn_core``.
"""

import numpy as np
import pytest

from sse_mlir import mlirgen
from sse_mlir.cases import (
    TOL, check_close,
    FusedCoreCase,
    ScanCase,
    Schedule,
    draw_fused_core_inputs,
    draw_scan_inputs,
    pairwise,
    reference_fused_core,
    reference_scan,
    rel_err,
    seed_of,
)
from sse_mlir.reference import classify, fused_scan, scan, sse_gdn_core, sse_gla_core
from sse_mlir.runner import run_module


#: sse-runner flags: the default pipeline (fuse, then tile by the cost model)
#: and one with both off (an unscheduled scan is lowered token-major).
PIPELINES = {"default": (), "token_major": ("--pipeline-options=fuse=false tile=false",)}
TOKEN_MAJOR = PIPELINES["token_major"]


def run_case(case, tmp_path, x=None, pipeline=()):
    """Runs ``case`` on the CPU (``pipeline``: extra sse-runner flags);
    returns (inputs, o, states)."""
    module = case.module()
    if x is None:
        x = draw_scan_inputs(case, np.random.default_rng(seed_of(case.id)))
    assert sorted(x) == sorted(module.args)
    o, states = run_module(module, [x[n] for n in module.args], workdir=str(tmp_path),
                           extra_args=list(pipeline))
    return x, o, states


def check_case(case, tmp_path, error_log, x=None, pipeline=()):
    x, o, states = run_case(case, tmp_path, x, pipeline)
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)
    exact_checks(case, x, o, states)
    return x, o, states


def exact_checks(case, x, o, states):
    """Things that must hold bit for bit (state partition = routed p + shared)."""
    init = x.get("init")
    if init is None:
        init = np.zeros_like(states)
    off = 1 if case.shared else 0
    if case.pattern == "unused":
        p = case.N - 1 + off  # routed partition N-1 is never picked
        np.testing.assert_array_equal(states[:, :, p], init[:, :, p],
                                      err_msg="never-picked partition changed")
    if case.seq_lens is not None:
        for s, n in enumerate(case.seq_lens):
            if n == 0:
                np.testing.assert_array_equal(states[s], init[s],
                                              err_msg=f"empty sequence {s} changed its state")
        if case.tail:
            assert np.all(o[:, case.T - case.tail:] == 0), \
                "tokens outside every sequence must get o = 0"


def packed_lengths(T):
    """Sequence lengths for T tokens with an empty sequence: pieces of {5, 64},
    then the remainder."""
    lens, left = [0], T
    for piece in (5, 64):
        if left <= piece:
            break
        lens.append(piece)
        left -= piece
    lens.append(left)
    return tuple(lens)


SCHEDULES = [
    Schedule(chunk=64, k_tile=16, v_tile=16, split="recurrent", grouping="dense"),
    Schedule(chunk=16, k_tile=16, v_tile=16, split="chunked", grouping="sorted"),
    Schedule(chunk=256, k_tile=16, v_tile=16, split="chunked", grouping="dense"),
    Schedule(chunk=32, k_tile=16, v_tile=16, split="recurrent", grouping="sorted"),
]

# ---------------------------------------------------------------------------
# All-pairs matrix over the fused options
# ---------------------------------------------------------------------------

FACTORS = {
    "T": [1, 63, 65, 200],
    "NK": [(1, 1), (2, 2), (4, 1), (4, 2), (16, 2)],
    "KV": [(16, 32), (32, 16), (64, 16), (16, 64)],
    "routing": ["router", "router_per_head", "args", "args_per_head", "classify"],
    "shared": ["none", "nogate", "scalar", "per_key"],
    "gate": [None, "scalar", "per_key"],
    "rule": ["additive", "delta"],
    "init": [False, True],
    "packing": ["none", "packed", "batch2"],
    "dtype": ["f32", "bf16", "f16"],
    "router": ["softmax", "softmax_renorm", "topk_softmax", "topk_softmax_renorm"],
    "gating": ["both", "neither", "noread", "nowrite"],
    "pattern": ["random", "same", "unused", "out_of_range"],
    "schedule": [None, 0, 1, 2, 3],
    "H": [1, 2],
    "pipeline": ["default", "token_major"],
}

MAX_WORK = 2.0e7  # T * H * (k + 1) * batch * K * V of one case


def _valid(a):
    get = a.get
    routing = get("routing")
    if get("shared") == "none" and routing is not None and not routing.startswith("router"):
        return False  # nothing fused: covered by test_cpu_matrix
    if routing is not None and not routing.startswith(("router", "classify")) \
            and get("router", "softmax") != "softmax":
        return False
    if get("pattern") == "out_of_range" and routing is not None \
            and not routing.startswith("args"):
        return False
    if get("pattern") == "unused" and "NK" in a and a["NK"][1] >= a["NK"][0]:
        return False
    if get("rule") == "delta" and "per_key" in (get("gate"), get("shared")):
        return False
    if routing is not None and routing.endswith("per_head") and get("H", 2) != 2:
        return False
    T, H = get("T", 1), get("H", 1)
    k = get("NK", (1, 1))[1]
    K, V = get("KV", (16, 16))
    batch = 2 if get("packing") == "batch2" else 1
    return T * H * (k + 1) * batch * K * V <= MAX_WORK


def _case_from(a):
    N, k = a["NK"]
    K, V = a["KV"]
    routing = a["routing"].split("_")[0]
    shared = a["shared"] != "none"
    return ScanCase(
        T=a["T"], K=K, V=V, H=a["H"], B=2 if a["packing"] == "batch2" else 1, N=N, k=k,
        dtype=a["dtype"], gate=a["gate"], rule=a["rule"], init=a["init"],
        routing=routing, per_head=a["routing"].endswith("per_head"), pattern=a["pattern"],
        order="topk_then_softmax" if a["router"].startswith("topk") else "softmax_then_topk",
        renormalize=a["router"].endswith("renorm"),
        seq_lens=packed_lengths(a["T"]) if a["packing"] == "packed" else None,
        read_gate=a["gating"] in ("both", "nowrite"),
        write_gate=a["gating"] in ("both", "noread"),
        shared=shared,
        shared_gate=a["shared"] if a["shared"] in ("scalar", "per_key") else None,
        schedule=None if a["schedule"] is None else SCHEDULES[a["schedule"]])


MATRIX = [(_case_from(a), a["pipeline"]) for a in pairwise(FACTORS, _valid, seed=1)]

EXPLICIT = [
    # shared + route(w, i): shared-across-heads and per-head routing, i64 indices.
    ScanCase(T=65, K=16, V=32, H=2, N=4, k=2, routing="args", shared=True,
             shared_gate="scalar", gate="per_key"),
    ScanCase(T=63, K=32, V=16, H=2, N=4, k=2, routing="args", per_head=True, shared=True,
             shared_gate="per_key", index_type="i64", init=True),
    ScanCase(T=64, K=16, V=16, H=2, N=4, k=2, routing="args", pattern="duplicate",
             shared=True, rule="delta", gate="scalar", shared_gate="scalar"),
    # A 1-partition classify feeding a shared scan: the canonicalizer must keep
    # the routing (a shared partition needs it).
    ScanCase(T=63, K=16, V=32, H=2, N=1, k=1, routing="classify", shared=True,
             shared_gate="scalar", init=True),
    # shared + router with low-precision logits / gates of another type.
    ScanCase(T=65, K=32, V=16, H=2, N=4, k=2, routing="router", shared=True,
             shared_gate="per_key", gate="scalar", z_dtype="bf16", dtype="bf16",
             gate_dtype="f32"),
    ScanCase(T=63, K=16, V=64, H=2, N=16, k=2, routing="router", per_head=True,
             shared=True, shared_gate="scalar", z_dtype="f16", dtype="f16",
             order="topk_then_softmax", scale=0.3),
    # The SSE-GDN core: delta rule, shared_beta, router only selects.
    ScanCase(T=200, K=32, V=16, H=2, N=4, k=2, routing="router", rule="delta",
             gate="scalar", shared=True, shared_gate="scalar", read_gate=False,
             write_gate=False, init=True),
    ScanCase(T=65, K=16, V=32, H=2, N=4, k=1, routing="router", per_head=True,
             rule="delta", shared=True, read_gate=False, write_gate=False,
             dtype="bf16"),
    ScanCase(T=63, K=16, V=16, H=1, N=2, k=2, routing="args", rule="delta",
             gate="scalar", shared=True, read_gate=False, write_gate=False,
             dtype="f16", gate_dtype="f32"),
    # init and cu_seqlens with shared: an empty sequence, uncovered tail tokens.
    ScanCase(T=206, K=32, V=16, H=2, N=4, k=2, routing="router", shared=True,
             shared_gate="per_key", gate="per_key", init=True,
             seq_lens=(5, 0, 64, 130), tail=7),
    ScanCase(T=199, K=16, V=32, H=2, N=4, k=1, routing="args", pattern="unused",
             shared=True, shared_gate="scalar", init=True, seq_lens=(130, 5, 0, 64),
             cu_dtype="i64", rule="delta", gate="scalar"),
    # Decode: one token per sequence, states (shared partition included) carried in.
    ScanCase(T=4, K=32, V=32, H=2, N=4, k=2, routing="router", shared=True,
             shared_gate="scalar", gate="scalar", rule="delta", init=True,
             seq_lens=(1, 1, 1, 1), read_gate=False, write_gate=False),
    ScanCase(T=1, K=64, V=16, H=2, N=16, k=2, routing="router", shared=True,
             shared_gate="per_key", gate="per_key", init=True, dtype="bf16"),
    # Every token picks the same partitions / one partition is never picked.
    ScanCase(T=65, K=16, V=32, H=2, N=16, k=2, routing="router", pattern="same",
             shared=True, init=True),
    ScanCase(T=63, K=16, V=32, H=2, N=4, k=2, routing="router", pattern="unused",
             per_head=True, shared=True, shared_gate="scalar", init=True),
]

MATRIX_AND_EXPLICIT = MATRIX + [(c, "default") for c in EXPLICIT]
ALL_CASES = [c for c, _ in MATRIX_AND_EXPLICIT]


@pytest.mark.parametrize("case,pipeline", MATRIX_AND_EXPLICIT,
                         ids=[f"{c.id}-{p}" for c, p in MATRIX_AND_EXPLICIT])
def test_fused_scan(case, pipeline, tmp_path, error_log):
    check_case(case, tmp_path, error_log, pipeline=PIPELINES[pipeline])


def test_matrix_covers_brief():
    """The cases really contain what the fused forms need covered."""
    seen = lambda f: {f(c) for c in ALL_CASES}  # noqa: E731
    assert {1, 63, 65, 200} <= seen(lambda c: c.T)
    assert {1, 2, 4, 16} <= seen(lambda c: c.N)
    assert {1, 2} <= seen(lambda c: c.k)
    assert any(c.K != c.V for c in ALL_CASES)
    shared = [c for c in ALL_CASES if c.shared]
    assert {None, "scalar", "per_key"} <= {c.shared_gate for c in shared}
    assert {"args", "router", "classify"} <= {c.routing for c in shared}
    assert any(c.per_head for c in shared if c.routing == "args")
    assert any(c.per_head for c in shared if c.routing == "router")
    assert any(c.init for c in shared) and any(c.seq_lens for c in shared)
    assert any(c.rule == "delta" and not c.read_gate and not c.write_gate for c in shared)
    router = [c for c in ALL_CASES if c.routing == "router"]
    assert {(o, r) for o in ("softmax_then_topk", "topk_then_softmax")
            for r in (False, True)} <= {(c.order, c.renormalize) for c in router}
    assert {True, False} <= {c.per_head for c in router}
    assert {"f32", "f16", "bf16"} <= seen(lambda c: c.dtype)
    assert any(c.schedule is not None for c in ALL_CASES)
    assert {p for _, p in MATRIX} == set(PIPELINES)


# ---------------------------------------------------------------------------
# router(z) alone: every (N, k), order, renormalisation and logits shape
# ---------------------------------------------------------------------------

# Every (N, k) with every order / renormalisation; the logits are shared
# across heads ([B, T, N]) or per head ([B, T, H, N]) in turn, so each order
# sees both shapes.
ROUTER_ALONE = [
    ScanCase(T=65, K=16, V=32, H=2, N=N, k=k, routing="router", per_head=bool(i % 2),
             order=order, renormalize=renorm, gate=("scalar", "per_key", None)[N % 3],
             init=bool(k == 2))
    for order in ("softmax_then_topk", "topk_then_softmax")
    for renorm in (False, True)
    for i, (N, k) in enumerate(((1, 1), (2, 1), (2, 2), (4, 1), (4, 2), (16, 1), (16, 2)))
]


@pytest.mark.parametrize("case", ROUTER_ALONE, ids=[c.id for c in ROUTER_ALONE])
def test_router_alone(case, tmp_path, error_log):
    check_case(case, tmp_path, error_log)


# The router in the scan runs the same f32 classification as sse.classify:
# the fused scan and classify-then-scan give the same bits, lowered as they
# are (token_major) and through the default pipeline (where sse-fuse-router
# folds the classify into the scan and sse-tile schedules both alike).
ROUTER_VS_CLASSIFY = [
    ScanCase(T=65, K=16, V=32, H=2, N=4, k=2, routing="router", gate="per_key"),
    ScanCase(T=63, K=32, V=16, H=2, N=16, k=2, routing="router", per_head=True,
             order="topk_then_softmax", shared=True, shared_gate="scalar"),
    ScanCase(T=65, K=16, V=16, H=2, N=4, k=1, routing="router", renormalize=True,
             rule="delta", gate="scalar", shared=True, read_gate=False, write_gate=False,
             z_dtype="bf16", dtype="bf16", init=True),
    ScanCase(T=63, K=16, V=16, H=1, N=2, k=2, routing="router", renormalize=True,
             order="topk_then_softmax", z_dtype="f16", shared=True,
             shared_gate="per_key", seq_lens=(0, 20, 43)),
]


@pytest.mark.parametrize("pipeline", list(PIPELINES))
@pytest.mark.parametrize("case", ROUTER_VS_CLASSIFY, ids=[c.id for c in ROUTER_VS_CLASSIFY])
def test_router_equals_classify_then_scan(case, pipeline, tmp_path):
    x, o, states = run_case(case, tmp_path / "fused", pipeline=PIPELINES[pipeline])
    unfused = case.with_(routing="classify")
    _, o2, states2 = run_case(unfused, tmp_path / "unfused", x, PIPELINES[pipeline])
    np.testing.assert_array_equal(o, o2, err_msg="router(z) o != classify + scan o")
    np.testing.assert_array_equal(states, states2,
                                  err_msg="router(z) states != classify + scan states")


def test_router_exact_ties(tmp_path, error_log):
    """Exactly equal logits in router(z): the lower index wins (as classify)."""
    case = ScanCase(T=64, K=16, V=16, H=2, N=8, k=3, routing="router", per_head=True,
                    shared=True, order="topk_then_softmax")
    rng = np.random.default_rng(seed_of(case.id))
    x = draw_scan_inputs(case, rng)
    x["z"] = rng.integers(0, 3, x["z"].shape).astype(np.float32)
    x["z"][0, 0] = 0.0  # a row of all-equal logits
    check_case(case, tmp_path, error_log, x)


# ---------------------------------------------------------------------------
# The shared partition: every shared gate against every routed gate
# ---------------------------------------------------------------------------

SHARED_GATES = [
    ScanCase(T=65, K=32, V=16, H=2, N=4, k=2, routing="router", shared=True,
             shared_gate=sg, gate=g, init=True)
    for sg in (None, "scalar", "per_key") for g in (None, "scalar", "per_key")
]


@pytest.mark.parametrize("case", SHARED_GATES, ids=[c.id for c in SHARED_GATES])
def test_shared_gates(case, tmp_path, error_log):
    check_case(case, tmp_path, error_log)


def test_shared_partition_ignores_read_write_gates(tmp_path):
    """read_gate/write_gate do not apply to the shared partition: with all
    routing weights scaled, the shared state is bit for bit the same."""
    case = ScanCase(T=63, K=16, V=32, H=2, N=4, k=2, routing="args", shared=True,
                    shared_gate="per_key", init=True)
    x, _, states = run_case(case, tmp_path / "a")
    y = dict(x, weights=(x["weights"] * 0.25).astype(np.float32))
    _, _, states2 = run_case(case, tmp_path / "b", y)
    np.testing.assert_array_equal(states[:, :, 0], states2[:, :, 0])
    assert not np.array_equal(states[:, :, 1:], states2[:, :, 1:])


def test_shared_decode_continues_prefill(tmp_path, error_log):
    """Prefill T1 tokens, then feed the final states (shared partition first)
    as init of a T2-token scan: equals one scan over T1 + T2 tokens."""
    T1, T2 = 50, 15
    full = ScanCase(T=T1 + T2, K=16, V=32, H=2, N=4, k=2, routing="router", shared=True,
                    shared_gate="scalar", gate="per_key", init=True)
    x, o, states = run_case(full, tmp_path / "full")
    parts = []
    s = x["init"]
    for lo, hi in ((0, T1), (T1, T1 + T2)):
        part = full.with_(T=hi - lo)
        y = {n: (a[:, lo:hi] if n not in ("init",) else s) for n, a in x.items()}
        _, o_p, s = run_case(part, tmp_path / f"part{lo}", y)
        parts.append(o_p)
    check_close(error_log, "f32", "o", np.concatenate(parts, axis=1), o.astype(np.float64))
    check_close(error_log, "f32", "states", s, states.astype(np.float64))


# ---------------------------------------------------------------------------
# A schedule attribute does not change the results
# ---------------------------------------------------------------------------

# The CPU lowering follows the schedule: no schedule or recurrent + dense is
# token-major; grouping = sorted or split = chunked is partition-major (per
# partition token lists, by a masked pass or a counting sort; chunked: the
# chunk form of the additive rule).  Each variant -- and "auto", the schedule
# the default pipeline's cost model picks -- must match the reference and the
# unscheduled token-major scan (up to f32 rounding, not bit for bit).
SCHEDULE_VARIANTS = [
    Schedule(chunk=64, k_tile=16, v_tile=16, split="recurrent", grouping="dense"),
    Schedule(chunk=16, k_tile=8, v_tile=16, split="recurrent", grouping="sorted"),
    Schedule(chunk=32, k_tile=16, v_tile=8, split="chunked", grouping="dense"),
    Schedule(chunk=256, k_tile=16, v_tile=16, split="chunked", grouping="sorted"),
]

SCHEDULE_BASES = [
    # shared + router, packed with an empty sequence and uncovered tail tokens.
    ScanCase(T=206, K=32, V=16, H=2, N=4, k=2, routing="router", shared=True,
             shared_gate="per_key", gate="per_key", init=True,
             seq_lens=(5, 0, 64, 130), tail=7),
    # SSE-GDN core (the delta rule has no chunk form: chunked falls back).
    ScanCase(T=65, K=32, V=16, H=2, N=4, k=2, routing="router", per_head=True,
             rule="delta", gate="scalar", shared=True, shared_gate="scalar",
             read_gate=False, write_gate=False, init=True),
    # Repeated and out-of-range picks through the token lists.
    ScanCase(T=63, K=16, V=32, H=2, N=4, k=3, routing="args", pattern="duplicate",
             gate="scalar", shared=True, index_type="i64"),
    ScanCase(T=65, K=16, V=32, H=2, N=4, k=2, routing="args", pattern="out_of_range",
             gate="per_key", per_head=True, init=True),
    # Many partitions, one never picked; low precision.
    ScanCase(T=200, K=16, V=16, H=2, N=16, k=2, routing="router", pattern="unused",
             order="topk_then_softmax", renormalize=True, dtype="bf16", init=True),
    # Unrouted scans (a single partition, weight 1).
    ScanCase(T=100, K=16, V=16, H=2, gate="per_key", init=True),
    ScanCase(T=100, K=16, V=16, H=2, gate="scalar", rule="delta", seq_lens=(30, 0, 70)),
]

SCHEDULED = [(c, sch) for c in SCHEDULE_BASES for sch in SCHEDULE_VARIANTS + ["auto"]]
_TOKEN_MAJOR_RUNS = {}  # base case id -> (inputs, o, states)


@pytest.mark.parametrize("case,schedule", SCHEDULED,
                         ids=[c.id + "-" + (s if s == "auto" else s.id) for c, s in SCHEDULED])
def test_schedule_does_not_change_results(case, schedule, tmp_path, error_log):
    # All variants of a base case share its inputs and its token-major run.
    if case.id not in _TOKEN_MAJOR_RUNS:
        _TOKEN_MAJOR_RUNS[case.id] = run_case(case, tmp_path / "plain", pipeline=TOKEN_MAJOR)
    x, o2, states2 = _TOKEN_MAJOR_RUNS[case.id]
    scheduled = case if schedule == "auto" else case.with_(schedule=schedule)
    _, o, states = check_case(scheduled, tmp_path / "sched", error_log, x)
    err_o, err_s = rel_err(o, o2), rel_err(states, states2)
    assert err_o <= TOL[case.dtype], f"the schedule changed o by {err_o:.2e}"
    assert err_s <= 1e-5, f"the schedule changed the states by {err_s:.2e}"


ODD_CU = {
    "overlap-later-wins": [0, 10, 5, 20, 100],
    "negative-and-past-T": [-3, 4, 2, 9, 12],
    "all-empty": [0, 0, 0, 0, 0],
    "descending": [16, 16, 0, 16, 3],
}


@pytest.mark.parametrize("schedule", [None] + SCHEDULE_VARIANTS[1:],
                         ids=["token_major"] + [s.id for s in SCHEDULE_VARIANTS[1:]])
@pytest.mark.parametrize("cu", list(ODD_CU.values()), ids=list(ODD_CU))
def test_shared_unusual_cu_seqlens(cu, schedule, tmp_path, error_log):
    """Clamped, empty, overlapping (the later sequence's o wins) offsets with a
    shared partition, token-major and partition-major."""
    case = ScanCase(T=16, K=16, V=32, H=2, N=4, k=2, routing="router", gate="per_key",
                    init=True, seq_lens=(4, 4, 4, 4), shared=True, shared_gate="scalar",
                    schedule=schedule)
    rng = np.random.default_rng(seed_of(case.id + str(cu)))
    x = draw_scan_inputs(case, rng)
    x["cu_seqlens"] = np.array(cu, dtype=np.int64)
    _, o, states = run_case(case, tmp_path, x, TOKEN_MAJOR if schedule is None else ())
    ref_o, ref_states = reference_scan(case, x)
    check_close(error_log, "f32", "states", states, ref_states)
    assert not np.isnan(o).any()
    if np.linalg.norm(ref_o) == 0:
        assert np.all(o == 0)
    else:
        check_close(error_log, "f32", "o", o, ref_o)
    np.testing.assert_array_equal(o[ref_o == 0], 0.0)  # uncovered tokens: exactly 0


# ---------------------------------------------------------------------------
# The SSE-GLA / SSE-GDN core as one fused scan with router(z)
# ---------------------------------------------------------------------------

CORE_CASES = [
    FusedCoreCase("gla", B=2, T=64, H=2, K=16, V=32, N=4, k=1, gate="per_key"),
    FusedCoreCase("gla", B=1, T=65, H=2, K=32, V=32, N=4, k=2, dtype="bf16",
                  gate="per_key", init=True),
    FusedCoreCase("gla", B=2, T=63, H=1, K=16, V=16, N=16, k=2, dtype="f16",
                  gate="scalar", renormalize=True, per_head=True),
    FusedCoreCase("gla", B=1, T=200, H=2, K=32, V=16, N=2, k=2, gate=None, init=True,
                  schedule=Schedule(chunk=64, k_tile=16, v_tile=16)),
    FusedCoreCase("gla", B=1, T=1, H=2, K=64, V=64, N=4, k=1, init=True),
    FusedCoreCase("gdn", B=2, T=64, H=2, K=16, V=32, N=4, k=2, gate="scalar"),
    FusedCoreCase("gdn", B=1, T=200, H=2, K=32, V=16, N=4, k=1, gate="scalar", init=True),
    FusedCoreCase("gdn", B=1, T=65, H=2, K=16, V=16, N=16, k=2, gate=None, dtype="bf16",
                  per_head=True, init=True),
    FusedCoreCase("gdn", B=2, T=63, H=1, K=32, V=64, N=2, k=1, gate="scalar", dtype="f16",
                  schedule=Schedule(chunk=32, k_tile=32, v_tile=16, split="chunked",
                                    grouping="sorted")),
]


@pytest.mark.parametrize("case", CORE_CASES, ids=[c.id for c in CORE_CASES])
def test_fused_core(case, tmp_path, error_log):
    rng = np.random.default_rng(seed_of(case.id))
    module = case.module()
    x = draw_fused_core_inputs(case, rng)
    assert sorted(case.ARG_ROLES[a] for a in module.args) == sorted(x)
    o, states = run_module(module, case.module_inputs(module, x), workdir=str(tmp_path))
    ref_o, ref_states = reference_fused_core(case, x)
    check_close(error_log, case.dtype, "o", o, ref_o)
    check_close(error_log, case.dtype, "states", states, ref_states)


# ---------------------------------------------------------------------------
# The reference itself (float64, no tools)
# ---------------------------------------------------------------------------


def _core_inputs(rng, B=2, T=9, H=2, K=4, V=3, N=4, per_key=False):
    shape_g = (B, T, H, K) if per_key else (B, T, H)
    d = {n: rng.standard_normal((B, T, H, K)) for n in ("q1", "k1", "q2", "k2")}
    d["v"] = rng.standard_normal((B, T, H, V))
    d["g1"], d["g2"] = -rng.uniform(0, 0.7, shape_g), -rng.uniform(0, 0.7, shape_g)
    d["z"] = rng.standard_normal((B, T, N))
    d["init"] = rng.standard_normal((B, H, 1 + N, K, V))
    return d


def test_reference_fused_equals_gla_core():
    d = _core_inputs(np.random.default_rng(1), per_key=True)
    o, s = fused_scan(d["q2"], d["k2"], d["v"], gate=d["g2"], shared_q=d["q1"],
                      shared_k=d["k1"], shared_gate=d["g1"], logits=d["z"], top_k=2,
                      renormalize=True, init=d["init"], partitions=4)
    ro, rs = sse_gla_core(d["q1"], d["k1"], d["q2"], d["k2"], d["v"], d["g1"], d["g2"],
                          d["z"], 2, init=d["init"], renormalize=True)
    assert rel_err(o, ro) < 1e-14 and rel_err(s, rs) < 1e-14


def test_reference_fused_equals_gdn_core():
    rng = np.random.default_rng(2)
    d = _core_inputs(rng)
    b1, b2 = rng.uniform(0, 1, (2, 9, 2)), rng.uniform(0, 1, (2, 9, 2))
    o, s = fused_scan(d["q2"], d["k2"], d["v"], gate=d["g2"], beta=b2, shared_q=d["q1"],
                      shared_k=d["k1"], shared_gate=d["g1"], shared_beta=b1,
                      logits=d["z"], top_k=2, init=d["init"], partitions=4,
                      rule="delta", read_gate=False, write_gate=False)
    ro, rs = sse_gdn_core(d["q1"], d["k1"], d["q2"], d["k2"], d["v"], d["g1"], d["g2"],
                          b1, b2, d["z"], 2, init=d["init"])
    assert rel_err(o, ro) < 1e-14 and rel_err(s, rs) < 1e-14


def test_reference_fused_router_equals_classify_then_scan():
    rng = np.random.default_rng(3)
    q, k = rng.standard_normal((1, 11, 2, 4)), rng.standard_normal((1, 11, 2, 4))
    v, z = rng.standard_normal((1, 11, 2, 5)), rng.standard_normal((1, 11, 2, 4))
    cu = np.array([0, 3, 3, 11])
    for order in ("softmax_then_topk", "topk_then_softmax"):
        w, i = classify(z, 2, order=order, renormalize=True)
        o, s = fused_scan(q, k, v, logits=z, top_k=2, router_order=order,
                          renormalize=True, cu_seqlens=cu, partitions=4)
        ro, rs = scan(q, k, v, weights=w, indices=i, cu_seqlens=cu, partitions=4)
        np.testing.assert_array_equal(o, ro)
        np.testing.assert_array_equal(s, rs)


def test_reference_fused_shared_is_partition_zero():
    """The shared partition is state partition 0, weight 1, whatever the
    routing weights and read/write gates; routed p is state partition p + 1."""
    rng = np.random.default_rng(4)
    B, T, H, K, V, N = 1, 7, 2, 3, 2, 3
    q, k, q1, k1 = (rng.standard_normal((B, T, H, K)) for _ in range(4))
    v = rng.standard_normal((B, T, H, V))
    w = rng.uniform(0.1, 1, (B, T, 1))
    i = rng.integers(0, N, (B, T, 1))
    o, s = fused_scan(q, k, v, shared_q=q1, shared_k=k1, weights=w, indices=i,
                      partitions=N, read_gate=False)
    o1, s1 = scan(q1, k1, v)
    o2, s2 = scan(q, k, v, weights=w, indices=i, partitions=N, read_gate=False)
    np.testing.assert_allclose(o, o1 + o2, rtol=1e-14, atol=1e-14)
    np.testing.assert_array_equal(s[:, :, :1], s1)
    np.testing.assert_array_equal(s[:, :, 1:], s2)


def test_reference_fused_rejects_invalid():
    rng = np.random.default_rng(5)
    q = rng.standard_normal((1, 4, 1, 2))
    v = rng.standard_normal((1, 4, 1, 2))
    w, i = np.ones((1, 4, 1)), np.zeros((1, 4, 1), dtype=np.int64)
    z = rng.standard_normal((1, 4, 2))
    bad = [
        dict(shared_q=q),  # q1 without k1
        dict(shared_q=q, shared_k=q),  # shared without routing
        dict(shared_gate=np.zeros((1, 4, 1)), weights=w, indices=i),  # gate without shared
        dict(logits=z, partitions=2),  # no top_k
        dict(logits=z, top_k=1, weights=w, indices=i, partitions=2),  # route and router
        dict(top_k=1, weights=w, indices=i),  # router attrs without router
        dict(logits=z, top_k=1, partitions=3),  # N mismatch
        dict(shared_q=q, shared_k=q, weights=w, indices=i, rule="delta",
             beta=np.ones((1, 4, 1))),  # delta without shared_beta
        dict(shared_q=q, shared_k=q, weights=w, indices=i,
             init=np.zeros((1, 1, 1, 2, 2))),  # init without the shared partition
        dict(shared_q=q[:, :, :, :1], shared_k=q[:, :, :, :1], weights=w, indices=i),
    ]
    for kw in bad:
        with pytest.raises(ValueError):
            fused_scan(q, q, v, **kw)


def test_mlirgen_fused_text():
    """The generated text follows the ODS syntax order and attribute names."""
    m = mlirgen.scan_module(
        1, 8, 2, 16, 32, gate="scalar", rule="delta", shared=True, shared_gate="scalar",
        routing="router", partitions=4, topk=2, per_head=True,
        classify_order="topk_then_softmax", renormalize=True, init=True, num_seqs=2,
        read_gate=False, write_gate=False, schedule=Schedule(64, 16, 32, "chunked", "sorted"))
    assert m.args == ["q", "k", "v", "gate", "beta", "shared_q", "shared_k", "shared_gate",
                      "shared_beta", "z", "init", "cu_seqlens"]
    assert ("sse.scan %q, %k, %v gate(%gate) beta(%beta) shared(%shared_q, %shared_k) "
            "shared_gate(%shared_gate) shared_beta(%shared_beta) router(%z) init(%init) "
            "cu_seqlens(%cu_seqlens) {") in m.text
    for attr in ("top_k = 2 : i64", "router_order = #sse.order<topk_then_softmax>",
                 "renormalize", "#sse.schedule<chunk = 64, k_tile = 16, v_tile = 32, "
                 "split = chunked, grouping = sorted>"):
        assert attr in m.text
    assert m.result_types[1] == ((2, 2, 5, 16, 32), "f32")
    assert m.arg_types[m.args.index("init")] == ((2, 2, 5, 16, 32), "f32")
    assert m.arg_types[m.args.index("z")] == ((1, 8, 2, 4), "f32")
    with pytest.raises(ValueError):
        mlirgen.scan_module(1, 8, 2, 16, 32, shared=True)  # needs routing
    with pytest.raises(ValueError):
        mlirgen.scan_module(1, 8, 2, 16, 32, routing="router", partitions=4,
                            schedule=Schedule(k_tile=5))
    with pytest.raises(ValueError):
        Schedule(chunk=48)
