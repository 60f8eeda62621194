"""Tests for the float64 SSE reference (sse_mlir.reference) and bf16 helpers.

Every test draws fresh inputs from ``np.random.default_rng(seed)``; the only
hard-coded expected numbers are in the hand-worked cases, whose arithmetic is
spelled out in comments.
"""

import math
import os
import sys
import zlib

import numpy as np
import pytest

# Make ``sse_mlir`` importable however pytest is launched.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sse_mlir.npyio import (  # noqa: E402
    BF16_NPY_DTYPE,
    bf16_bits_to_f32,
    f32_to_bf16_bits,
    round_to_bf16,
)
from sse_mlir.reference import (  # noqa: E402
    classify,
    scan,
    scan_naive,
    sse_gdn_core,
    sse_gla_core,
)

TOL = 1e-12


def rel_err(a, b):
    """Relative Frobenius error of ``a`` against reference ``b``."""
    denom = np.linalg.norm(b)
    return np.linalg.norm(a - b) / (denom if denom > 0 else 1.0)


def assert_close(a, b, tol=TOL):
    assert a.shape == b.shape
    err = rel_err(a, b)
    assert err < tol, f"relative error {err:.3e} >= {tol:.1e}"


def make_inputs(rng, B=2, T=5, H=2, K=3, V=2, gate=None, rule="additive",
                routing=None, N=1, kk=1, with_init=False, num_seqs=None):
    """Random scan kwargs.

    gate: None | "scalar" | "per_key";  routing: None | "shared" | "per_head".
    Log-gates lie in (-0.7, 0], i.e. decays in (0.5, 1].
    """
    kw = dict(
        q=rng.standard_normal((B, T, H, K)),
        k=rng.standard_normal((B, T, H, K)),
        v=rng.standard_normal((B, T, H, V)),
        partitions=N,
        rule=rule,
    )
    if gate == "scalar":
        kw["gate"] = -rng.uniform(0, 0.7, (B, T, H))
    elif gate == "per_key":
        kw["gate"] = -rng.uniform(0, 0.7, (B, T, H, K))
    if rule == "delta":
        kw["beta"] = rng.uniform(0, 1, (B, T, H))
    if routing is not None:
        shape = (B, T, kk) if routing == "shared" else (B, T, H, kk)
        kw["weights"] = rng.uniform(0.1, 1.0, shape)
        kw["indices"] = rng.integers(0, N, shape)
    if with_init:
        S = B if num_seqs is None else num_seqs
        kw["init"] = rng.standard_normal((S, H, N, K, V))
    return kw


def check_against_naive(kw):
    o, st = scan(**kw)
    o_n, st_n = scan_naive(**kw)
    assert_close(o, o_n)
    assert_close(st, st_n)
    return o, st


# ---------------------------------------------------------------------------
# scan vs scan_naive
# ---------------------------------------------------------------------------

ROUTINGS = [
    (None, 1, 1),
    ("shared", 1, 1),
    ("shared", 2, 1),
    ("shared", 2, 2),
    ("shared", 4, 2),
    ("per_head", 2, 1),
    ("per_head", 4, 2),
]


@pytest.mark.parametrize("routing,N,kk", ROUTINGS)
@pytest.mark.parametrize("with_init", [False, True])
@pytest.mark.parametrize("gate,rule", [
    (None, "additive"), ("scalar", "additive"), ("per_key", "additive"),
    (None, "delta"), ("scalar", "delta"),
])
def test_scan_matches_naive(gate, rule, with_init, routing, N, kk):
    # crc32, not hash(): str hashes are randomised per process.
    seed = zlib.crc32(repr((gate, rule, with_init, routing, N, kk)).encode())
    rng = np.random.default_rng(seed)
    kw = make_inputs(rng, gate=gate, rule=rule, routing=routing, N=N, kk=kk,
                     with_init=with_init)
    o, st = check_against_naive(kw)
    assert o.dtype == np.float64 and st.dtype == np.float64
    assert o.shape == (2, 5, 2, 2) and st.shape == (2, 2, N, 3, 2)


@pytest.mark.parametrize("read_gate,write_gate", [(True, False), (False, True), (False, False)])
@pytest.mark.parametrize("rule", ["additive", "delta"])
def test_scan_read_write_gates_match_naive(read_gate, write_gate, rule):
    rng = np.random.default_rng(100 + 2 * read_gate + write_gate)
    kw = make_inputs(rng, gate="scalar", rule=rule, routing="per_head", N=4, kk=2,
                     with_init=True)
    check_against_naive(dict(kw, read_gate=read_gate, write_gate=write_gate))


def test_scan_gates_off_ignore_weights():
    # With both gates off the routing weights must have no effect at all.
    rng = np.random.default_rng(7)
    kw = make_inputs(rng, gate="per_key", routing="shared", N=4, kk=2)
    kw.update(read_gate=False, write_gate=False)
    o1, s1 = scan(**kw)
    o2, s2 = scan(**dict(kw, weights=kw["weights"] * 3.7 + 1.0))
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(s1, s2)


@pytest.mark.parametrize("rule", ["additive", "delta"])
def test_scan_packed_cu_seqlens_matches_naive(rule):
    rng = np.random.default_rng(11)
    cu = np.array([0, 2, 2, 5])  # sequences of length 2, 0, 3; token 5 uncovered
    kw = make_inputs(rng, B=1, T=6, gate="scalar", rule=rule, routing="per_head",
                     N=2, kk=2, with_init=True, num_seqs=3)
    o, st = check_against_naive(dict(kw, cu_seqlens=cu))
    assert st.shape == (3, 2, 2, 3, 2)
    np.testing.assert_array_equal(o[0, 5], 0.0)  # not covered by any sequence
    # The empty sequence's final state is its initial state, untouched.
    np.testing.assert_array_equal(st[1], kw["init"][1])


def test_scan_out_of_range_index_is_ignored():
    rng = np.random.default_rng(12)
    N = 3
    kw = make_inputs(rng, gate="per_key", routing="per_head", N=N, kk=2, with_init=True)
    # Slot 1 everywhere gets an out-of-range partition (-1 or N) -> skipped, so
    # the result must equal using slot 0 alone.
    bad = kw["indices"].copy()
    bad[..., 1] = np.where(rng.random(bad.shape[:-1]) < 0.5, -1, N)
    o, st = check_against_naive(dict(kw, indices=bad))
    o1, st1 = scan(**dict(kw, weights=kw["weights"][..., :1], indices=kw["indices"][..., :1]))
    assert_close(o, o1)
    assert_close(st, st1)
    # All slots out of range: output zero, states == init.
    o0, st0 = scan(**dict(kw, indices=np.full_like(bad, -5)))
    np.testing.assert_array_equal(o0, 0.0)
    np.testing.assert_array_equal(st0, kw["init"])


# ---------------------------------------------------------------------------
# scan: independent closed forms and structural properties
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("gate", [None, "scalar", "per_key"])
def test_scan_additive_matches_closed_form(gate):
    """Single-partition additive scan == causal (gated) linear attention.

    o_t = scale * sum_{s<=t} sum_r q_t[r] k_s[r] exp(G_t[r] - G_s[r]) v_s,
    where G is the cumulative log-gate (broadcast over r for a scalar gate).
    """
    rng = np.random.default_rng(21)
    kw = make_inputs(rng, B=2, T=7, H=3, K=4, V=3, gate=gate)
    q, k, v = kw["q"], kw["k"], kw["v"]
    g = kw.get("gate", np.zeros(q.shape[:3]))
    if g.ndim == 3:
        g = np.broadcast_to(g[..., None], q.shape)
    G = np.cumsum(g, axis=1)  # [B,T,H,K]
    T = q.shape[1]
    # decay[b,t,s,h,r] = exp(G_t - G_s) for s <= t, else 0 (causal mask)
    decay = np.exp(G[:, :, None] - G[:, None, :])
    decay *= np.tril(np.ones((T, T)))[None, :, :, None, None]
    attn = np.einsum("bthr,bshr,btshr->bths", q, k, decay)
    expected = 0.5 * np.einsum("bths,bshc->bthc", attn, v)  # scale = K**-0.5 = 0.5
    o, _ = scan(**kw)
    assert_close(o, expected)


@pytest.mark.parametrize("rule", ["additive", "delta"])
def test_packed_equals_separate_runs(rule):
    rng = np.random.default_rng(31)
    lengths = [3, 1, 0, 4]
    cu = np.concatenate([[0], np.cumsum(lengths)])
    T = int(cu[-1])
    kw = make_inputs(rng, B=1, T=T, gate="scalar", rule=rule, routing="per_head",
                     N=2, kk=2, with_init=True, num_seqs=len(lengths))
    o, st = scan(**dict(kw, cu_seqlens=cu))
    for s, (a, b) in enumerate(zip(cu[:-1], cu[1:])):
        piece = {name: (val[:, a:b] if name in ("q", "k", "v", "gate", "beta",
                                                "weights", "indices") else val)
                 for name, val in kw.items()}
        piece["init"] = kw["init"][s:s + 1]
        o_s, st_s = scan(**piece)
        assert_close(o[:, a:b], o_s)
        assert_close(st[s:s + 1], st_s)


def test_cu_seqlens_are_clamped():
    rng = np.random.default_rng(32)
    kw = make_inputs(rng, B=1, T=5, gate="scalar", with_init=True, num_seqs=2)
    o_clamped, st_clamped = scan(**dict(kw, cu_seqlens=np.array([-3, 2, 100])))
    o_exact, st_exact = scan(**dict(kw, cu_seqlens=np.array([0, 2, 5])))
    np.testing.assert_array_equal(o_clamped, o_exact)
    np.testing.assert_array_equal(st_clamped, st_exact)
    check_against_naive(dict(kw, cu_seqlens=np.array([-3, 2, 100])))


@pytest.mark.parametrize("gate_shape", ["scalar", "per_key"])
def test_zero_log_gate_equals_no_gate(gate_shape):
    rng = np.random.default_rng(41)
    kw = make_inputs(rng, routing="shared", N=2, kk=2, with_init=True)
    B, T, H, K = kw["q"].shape
    zeros = np.zeros((B, T, H) if gate_shape == "scalar" else (B, T, H, K))
    o1, s1 = scan(**kw)
    o2, s2 = scan(**dict(kw, gate=zeros))
    # exp(0) == 1 exactly, so the results are bit-identical.
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(s1, s2)


def test_shared_routing_equals_per_head_broadcast():
    rng = np.random.default_rng(42)
    kw = make_inputs(rng, gate="scalar", routing="shared", N=4, kk=2)
    H = kw["q"].shape[2]
    per_head = dict(kw,
                    weights=np.repeat(kw["weights"][:, :, None], H, axis=2),
                    indices=np.repeat(kw["indices"][:, :, None], H, axis=2))
    o1, s1 = scan(**kw)
    o2, s2 = scan(**per_head)
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(s1, s2)


def test_scan_rejects_invalid_arguments():
    rng = np.random.default_rng(43)
    kw = make_inputs(rng, gate="per_key")
    with pytest.raises(ValueError):  # delta rule with a per-key gate
        scan(**dict(kw, rule="delta", beta=np.ones(kw["q"].shape[:3])))
    with pytest.raises(ValueError):  # delta rule without beta
        scan(**dict(kw, rule="delta", gate=None))
    with pytest.raises(ValueError):  # several partitions but no routing
        scan(**dict(kw, partitions=2))
    with pytest.raises(ValueError):  # only one of weights / indices
        scan(**dict(kw, weights=np.ones((2, 5, 1))))
    with pytest.raises(ValueError):  # packed sequences need B == 1
        scan(**dict(kw, cu_seqlens=np.array([0, 5])))
    with pytest.raises(ValueError):  # init of the wrong shape
        scan(**dict(kw, init=np.zeros((2, 2, 2, 3, 2))))


# ---------------------------------------------------------------------------
# Hand-worked cases (B=1, T=2, H=1, scale=1)
# ---------------------------------------------------------------------------


def test_hand_worked_additive_scalar_gate():
    # K=2, V=1, decay exp(log 0.5) = 0.5 at both steps, S starts at 0.
    # t=0: k=[1,0], v=2  -> S = 0.5*0 + [1,0]^T*2 = [[2],[0]]
    #      q=[1,1]       -> o = 1*2 + 1*0 = 2
    # t=1: k=[0,1], v=3  -> S = 0.5*[[2],[0]] + [[0],[3]] = [[1],[3]]
    #      q=[1,2]       -> o = 1*1 + 2*3 = 7
    q = np.array([[1.0, 1.0], [1.0, 2.0]]).reshape(1, 2, 1, 2)
    k = np.array([[1.0, 0.0], [0.0, 1.0]]).reshape(1, 2, 1, 2)
    v = np.array([2.0, 3.0]).reshape(1, 2, 1, 1)
    g = np.full((1, 2, 1), math.log(0.5))
    for fn in (scan, scan_naive):
        o, st = fn(q, k, v, gate=g, scale=1.0)
        # exp(log(0.5)) may differ from 0.5 by an ulp, hence the 1e-15 slack.
        np.testing.assert_allclose(o.ravel(), [2.0, 7.0], rtol=1e-15)
        np.testing.assert_allclose(st.ravel(), [1.0, 3.0], rtol=1e-15)


def test_hand_worked_delta_rule():
    # K=V=1, no gate, beta=0.5 at both steps, S starts at 0, q=k=1.
    # t=0: v=2: S = 0 - 0.5*1*(1*0) + 0.5*1*2 = 1;        o = 1
    # t=1: v=4: S = 1 - 0.5*1*(1*1) + 0.5*1*4 = 2.5;      o = 2.5
    ones = np.ones((1, 2, 1, 1))
    v = np.array([2.0, 4.0]).reshape(1, 2, 1, 1)
    beta = np.full((1, 2, 1), 0.5)
    for fn in (scan, scan_naive):
        o, st = fn(ones, ones, v, beta=beta, scale=1.0, rule="delta")
        np.testing.assert_array_equal(o.ravel(), [1.0, 2.5])
        np.testing.assert_array_equal(st.ravel(), [2.5])


def test_hand_worked_routing_and_write_gate():
    # K=V=1, N=2, q=k=1, v=2, both tokens -> partition 1 with weight 0.5.
    # Gated (default):   t=0: S1 = 0.5*1*2 = 1,      o = 0.5*1 = 0.5
    #                    t=1: S1 = 1 + 1 = 2,        o = 0.5*2 = 1
    # write_gate=False:  t=0: S1 = 2,                o = 0.5*2 = 1
    #                    t=1: S1 = 4,                o = 0.5*4 = 2
    # Partition 0 is never selected and stays 0.
    ones = np.ones((1, 2, 1, 1))
    v = 2.0 * ones
    w = np.full((1, 2, 1), 0.5)
    idx = np.ones((1, 2, 1), dtype=np.int32)
    for fn in (scan, scan_naive):
        o, st = fn(ones, ones, v, weights=w, indices=idx, partitions=2, scale=1.0)
        np.testing.assert_array_equal(o.ravel(), [0.5, 1.0])
        np.testing.assert_array_equal(st.ravel(), [0.0, 2.0])
        o, st = fn(ones, ones, v, weights=w, indices=idx, partitions=2, scale=1.0,
                   write_gate=False)
        np.testing.assert_array_equal(o.ravel(), [1.0, 2.0])
        np.testing.assert_array_equal(st.ravel(), [0.0, 4.0])


# ---------------------------------------------------------------------------
# classify
# ---------------------------------------------------------------------------


def classify_brute_force(row, k, order, renormalize):
    """Per-row classify written from the spec with Python sorting."""
    row = [float(x) for x in row]
    chosen = sorted(range(len(row)), key=lambda i: (-row[i], i))[:k]
    if order == "softmax_then_topk":
        m = max(row)
        total = sum(math.exp(x - m) for x in row)
        w = {i: math.exp(row[i] - m) / total for i in chosen}
    else:
        m = max(row[i] for i in chosen)
        total = sum(math.exp(row[i] - m) for i in chosen)
        w = {i: math.exp(row[i] - m) / total for i in chosen}
    chosen.sort(key=lambda i: (-w[i], i))
    weights = [w[i] for i in chosen]
    if renormalize and order == "softmax_then_topk":
        s = sum(weights)
        weights = [x / s for x in weights]
    return weights, chosen


@pytest.mark.parametrize("order,renormalize", [
    ("softmax_then_topk", False), ("softmax_then_topk", True),
    ("topk_then_softmax", False), ("topk_then_softmax", True),
])
@pytest.mark.parametrize("k", [1, 2, 4])
def test_classify_matches_brute_force(order, renormalize, k):
    rng = np.random.default_rng(51 + k)
    # Small integer logits make ties frequent, exercising the tie rule.
    z = rng.integers(-2, 3, size=(3, 4, 6)).astype(np.float64)
    weights, indices = classify(z, k, order=order, renormalize=renormalize)
    assert weights.shape == indices.shape == (3, 4, k)
    assert weights.dtype == np.float64 and indices.dtype == np.int32
    for pos in np.ndindex(z.shape[:-1]):
        w_ref, i_ref = classify_brute_force(z[pos], k, order, renormalize)
        assert indices[pos].tolist() == i_ref
        np.testing.assert_allclose(weights[pos], w_ref, rtol=1e-14)


def test_classify_tie_rule_and_order():
    z = np.array([[1.0, 3.0, 3.0, 0.0],   # tie between 1 and 2 -> 1 first
                  [0.5, 0.5, 0.5, 0.5],   # all equal -> 0, 1, 2
                  [2.0, -1.0, 5.0, 2.0]])  # 2, then tie 0/3 -> 0 first
    for order in ("softmax_then_topk", "topk_then_softmax"):
        weights, indices = classify(z, 3, order=order)
        assert indices.tolist() == [[1, 2, 0], [0, 1, 2], [2, 0, 3]]
        assert np.all(np.diff(weights, axis=-1) <= 0)  # descending


def test_classify_weights_descending_and_normalised():
    rng = np.random.default_rng(52)
    z = rng.standard_normal((5, 7, 8)) * 3
    w, _ = classify(z, 3)
    assert np.all(np.diff(w, axis=-1) <= 0)
    assert np.all(w.sum(-1) < 1.0 + 1e-15)  # a subset of a softmax
    w, _ = classify(z, 3, renormalize=True)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-14)
    w, _ = classify(z, 3, order="topk_then_softmax")
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-14)
    w2, _ = classify(z, 3, order="topk_then_softmax", renormalize=True)
    np.testing.assert_array_equal(w, w2)  # renormalize is a no-op here


def test_classify_rejects_bad_k():
    z = np.zeros((2, 4))
    for bad in (0, 5):
        with pytest.raises(ValueError):
            classify(z, bad)
    with pytest.raises(ValueError):
        classify(z, 2, order="nope")


# ---------------------------------------------------------------------------
# SSE cores
# ---------------------------------------------------------------------------


def make_core_inputs(rng, B=2, T=6, H=2, K=3, V=2, N=4, per_key=True):
    shape_g = (B, T, H, K) if per_key else (B, T, H)
    return dict(
        q1=rng.standard_normal((B, T, H, K)), k1=rng.standard_normal((B, T, H, K)),
        q2=rng.standard_normal((B, T, H, K)), k2=rng.standard_normal((B, T, H, K)),
        v=rng.standard_normal((B, T, H, V)),
        g1=-rng.uniform(0, 0.7, shape_g), g2=-rng.uniform(0, 0.7, shape_g),
        z=rng.standard_normal((B, T, N)),
    )


@pytest.mark.parametrize("with_init", [False, True])
@pytest.mark.parametrize("renormalize", [False, True])
def test_sse_gla_core_is_sum_of_scans(with_init, renormalize):
    rng = np.random.default_rng(61 + 2 * with_init + renormalize)
    c = make_core_inputs(rng)
    B, T, H, K = c["q1"].shape
    N, V = c["z"].shape[-1], c["v"].shape[-1]
    init = rng.standard_normal((B, H, 1 + N, K, V)) if with_init else None

    o, st = sse_gla_core(**c, k=2, init=init, renormalize=renormalize)

    w, idx = classify(c["z"], 2, renormalize=renormalize)
    o1, s1 = scan(c["q1"], c["k1"], c["v"], gate=c["g1"],
                  init=None if init is None else init[:, :, :1])
    o2, s2 = scan(c["q2"], c["k2"], c["v"], gate=c["g2"], weights=w, indices=idx,
                  partitions=N, init=None if init is None else init[:, :, 1:])
    assert st.shape == (B, H, 1 + N, K, V)
    assert_close(o, o1 + o2)
    assert_close(st[:, :, :1], s1)
    assert_close(st[:, :, 1:], s2)


def test_sse_gla_core_zero_gates_equal_no_gates():
    rng = np.random.default_rng(65)
    c = make_core_inputs(rng)
    zero = dict(c, g1=np.zeros_like(c["g1"]), g2=np.zeros_like(c["g2"]))
    none = dict(c, g1=None, g2=None)
    o1, s1 = sse_gla_core(**zero, k=2)
    o2, s2 = sse_gla_core(**none, k=2)
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(s1, s2)


@pytest.mark.parametrize("with_init", [False, True])
def test_sse_gdn_core_is_sum_of_scans(with_init):
    rng = np.random.default_rng(71 + with_init)
    c = make_core_inputs(rng, per_key=False)
    B, T, H, K = c["q1"].shape
    N, V = c["z"].shape[-1], c["v"].shape[-1]
    beta1, beta2 = rng.uniform(0, 1, (B, T, H)), rng.uniform(0, 1, (B, T, H))
    init = rng.standard_normal((B, H, 1 + N, K, V)) if with_init else None

    o, st = sse_gdn_core(**c, beta1=beta1, beta2=beta2, k=2, init=init)

    w, idx = classify(c["z"], 2)
    o1, s1 = scan(c["q1"], c["k1"], c["v"], gate=c["g1"], beta=beta1, rule="delta",
                  init=None if init is None else init[:, :, :1])
    o2, s2 = scan(c["q2"], c["k2"], c["v"], gate=c["g2"], beta=beta2, rule="delta",
                  weights=w, indices=idx, partitions=N, read_gate=False,
                  write_gate=False, init=None if init is None else init[:, :, 1:])
    assert_close(o, o1 + o2)
    assert_close(st, np.concatenate([s1, s2], axis=2))

    # The router only selects: scaling the logits keeps the ranking, changes
    # the weights, and must leave the output unchanged.
    o_scaled, st_scaled = sse_gdn_core(**dict(c, z=3.0 * c["z"]), beta1=beta1,
                                       beta2=beta2, k=2, init=init)
    np.testing.assert_array_equal(o_scaled, o)
    np.testing.assert_array_equal(st_scaled, st)


# ---------------------------------------------------------------------------
# bf16 helpers
# ---------------------------------------------------------------------------


def test_bf16_round_trip_of_representable_values():
    rng = np.random.default_rng(81)
    bits = rng.integers(0, 2**16, size=4096).astype(np.uint16)
    f = bf16_bits_to_f32(bits)
    finite_or_inf = ~np.isnan(f)
    assert f.dtype == np.float32
    np.testing.assert_array_equal(f32_to_bf16_bits(f)[finite_or_inf], bits[finite_or_inf])
    np.testing.assert_array_equal(round_to_bf16(f)[finite_or_inf], f[finite_or_inf])


def test_bf16_round_to_nearest_even():
    # bf16 has 7 mantissa bits: around 1.0 its spacing is 2^-7.
    # 1 + 2^-8   is halfway between 1 (0x3F80, even) and 1+2^-7 (0x3F81, odd) -> 1
    # 1 + 3*2^-8 is halfway between 1+2^-7 (odd) and 1+2^-6 (0x3F82, even) -> 1+2^-6
    # Just above a halfway point always rounds up.
    x = np.array([1 + 2**-8, 1 + 3 * 2**-8, -(1 + 2**-8), 1 + 2**-8 + 2**-20],
                 dtype=np.float32)
    assert f32_to_bf16_bits(x).tolist() == [0x3F80, 0x3F82, 0xBF80, 0x3F81]
    assert round_to_bf16(x).tolist() == [1.0, 1 + 2**-6, -1.0, 1 + 2**-7]


def test_bf16_special_values():
    inf_nan = np.array([np.inf, -np.inf, 0.0, -0.0, np.finfo(np.float32).max],
                       dtype=np.float32)
    assert f32_to_bf16_bits(inf_nan).tolist() == [0x7F80, 0xFF80, 0x0000, 0x8000, 0x7F80]
    # A signalling NaN with payload only in the low bits must not become inf.
    snan = np.array([0x7F800001, 0xFFC00000], dtype=np.uint32).view(np.float32)
    out = f32_to_bf16_bits(snan)
    assert np.all(np.isnan(bf16_bits_to_f32(out)))
    assert np.all(out & 0x0040)  # quiet bit set


def test_bf16_relative_error_bound():
    rng = np.random.default_rng(82)
    # Stay in the normal range, where bf16 rounding error is relative.
    x = (rng.standard_normal(100_000) * 10.0 ** rng.uniform(-30, 30, 100_000)).astype(np.float32)
    r = round_to_bf16(x)
    rel = np.abs(r.astype(np.float64) - x) / np.abs(x.astype(np.float64))
    assert rel.max() <= 2.0 ** -8


def test_bf16_npy_convention(tmp_path):
    rng = np.random.default_rng(83)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    bits = f32_to_bf16_bits(x)
    assert bits.dtype == BF16_NPY_DTYPE == np.dtype("<u2") and bits.shape == x.shape
    np.save(tmp_path / "a.npy", bits)
    loaded = np.load(tmp_path / "a.npy")
    assert loaded.dtype.str == "<u2"
    np.testing.assert_array_equal(bf16_bits_to_f32(loaded), round_to_bf16(x))
    # Big-endian bits decode to the same values.
    np.testing.assert_array_equal(bf16_bits_to_f32(loaded.astype(">u2")), round_to_bf16(x))
