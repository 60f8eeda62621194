"""The SSE-GLA layer builder (sse_mlir.model) on the CPU.

Each test draws fresh random weights and hidden states, compiles the whole
layer (projections, activations, router, scans, norm, gate, output
projection) through sse-runner --target=cpu and compares y and the final
state cache with the float64 model of sse_mlir.layer_reference (SPEC 5:
f32 on the CPU within 1e-5, bf16 within 1e-2). sse-runner poisons its
outputs with NaN first, so an element never written fails the NaN check.
Also: the emitted module fuses into one scan, a decode step after a
prefill equals the longer prefill, weights round-trip through
.safetensors, and bad weights, configs and inputs are clear exceptions.
"""

import os

import numpy as np
import pytest

from layer_checks import (BF16_TOL, F32_TOL, check, check_decode_after_prefill, fresh_seed,
                          fused_scan)
from sse_mlir import model
from sse_mlir.cases import round_to
from sse_mlir.layer_reference import sse_gla_layer
from sse_mlir.model import ConfigError, SSEGLAConfig, SSEGLALayer, emit_mlir
from sse_mlir.reference import classify
from sse_mlir.safetensors import WeightsError, read_safetensors, write_safetensors


def small_config(**kw) -> SSEGLAConfig:
    args = dict(hidden_size=32, num_heads=2, head_dim=16, expand_v=1,
                num_partitions=4, top_k=1, use_output_gate=True)
    args.update(kw)
    return SSEGLAConfig(**args)


def hidden_states(rng, B, T, D):
    return rng.standard_normal((B, T, D)).astype(np.float32)


def partitions_used(cfg, layer, x):
    """How many partitions the router picks over x (a sanity check that the
    test routes tokens to several partitions, not all to one)."""
    z = x.astype(np.float64) @ layer.weights["e_proj.weight"].astype(np.float64).T
    _, idx = classify(z, cfg.top_k)
    return len(np.unique(idx))


CONFIGS = {
    "v1-n4k1-gate": dict(expand_v=1, top_k=1, use_output_gate=True),
    "v2-n4k2-gate": dict(expand_v=2, top_k=2, use_output_gate=True),
    "v2-n4k1-nogate": dict(expand_v=2, top_k=1, use_output_gate=False),
    "v1-n4k2-nogate": dict(expand_v=1, top_k=2, use_output_gate=False),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_layer_matches_float64_model(name, tmp_path, error_log):
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(**CONFIGS[name])
    assert cfg.V == cfg.expand_v * cfg.K
    layer = SSEGLALayer.random(cfg, rng)
    x = hidden_states(rng, 2, 19, cfg.hidden_size)
    assert partitions_used(cfg, layer, x) >= 2, f"seed {seed}: degenerate routing"
    y, state = model.compile(layer)(x, workdir=str(tmp_path))
    ref_y, ref_state = sse_gla_layer(cfg, layer.weights, x)
    assert y.shape == (2, 19, cfg.hidden_size)
    assert state.shape == cfg.state_shape(2) == ref_state.shape
    error_log.record("f32", "y", check(y, ref_y, F32_TOL, f"y (seed {seed})"))
    error_log.record("f32", "state", check(state, ref_state, F32_TOL, f"state (seed {seed})"))


@pytest.mark.parametrize("pipeline", ["fuse=false tile=false", "split=chunked chunk=16"])
def test_layer_other_pipelines(pipeline, tmp_path):
    """Unfused (the layer as written) and a forced chunked schedule over a
    T that is not a multiple of the chunk."""
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(expand_v=2, top_k=2)
    layer = SSEGLALayer.random(cfg, rng)
    x = hidden_states(rng, 1, 37, cfg.hidden_size)
    y, state = model.compile(layer, pipeline_options=pipeline)(x, workdir=str(tmp_path))
    ref_y, ref_state = sse_gla_layer(cfg, layer.weights, x)
    check(y, ref_y, F32_TOL, f"y (seed {seed})")
    check(state, ref_state, F32_TOL, f"state (seed {seed})")


@pytest.mark.parametrize("gate", [True, False], ids=["gate", "nogate"])
def test_emitted_layer_is_readable_and_fuses_into_one_scan(gate, tmp_path):
    cfg = small_config(expand_v=2, top_k=2, use_output_gate=gate)
    mod = emit_mlir(cfg, 2, 8)
    text = mod.text
    # The published parameter names are the arguments, in the table's order.
    assert mod.args == ["hidden_states"] + list(cfg.parameter_shapes())
    assert "%lora_q_proj.0.weight: tensor<32x32xf32>" in text
    assert text.count("linalg.matmul") == (15 if gate else 13)
    assert text.count("linalg.softmax") == 2 and text.count("sse.scan") == 2
    scan, fused = fused_scan(text, tmp_path)
    for part in ("shared(", "shared_gate(", "router(", "norm("):
        assert part in scan, f"{part} not fused: {scan}"
    assert ("out_gate(" in scan) == gate
    assert "sse.classify" not in fused and "sse.rms_norm" not in fused


def test_decode_after_prefill_equals_longer_prefill(tmp_path):
    """Prefill T tokens, then one step from the returned state cache: equals
    the prefill of T + 1 tokens, and the float64 model from that cache."""
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(expand_v=2, top_k=2)
    layer = SSEGLALayer.random(cfg, rng)
    run = model.compile(layer)
    x = hidden_states(rng, 2, 12, cfg.hidden_size)
    check_decode_after_prefill(run, sse_gla_layer, layer.weights, x, tmp_path, seed)


def test_bf16_layer(tmp_path):
    """dtype bf16: hidden states, weights and y in bf16, the rest in f32."""
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(expand_v=2, top_k=2, dtype="bf16")
    layer = SSEGLALayer.random(cfg, rng)
    x = hidden_states(rng, 2, 9, cfg.hidden_size)
    y, state = model.compile(layer)(x, workdir=str(tmp_path))
    w16 = {n: round_to(a, "bf16") for n, a in layer.weights.items()}
    ref_y, ref_state = sse_gla_layer(cfg, w16, round_to(x, "bf16"))
    check(y, ref_y, BF16_TOL, f"bf16 y (seed {seed})")
    check(state, ref_state, BF16_TOL, f"bf16 state (seed {seed})")


@pytest.mark.parametrize("dtype", ["F32", "BF16"])
def test_weights_round_trip_through_safetensors(dtype, tmp_path):
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(expand_v=2, top_k=2)
    layer = SSEGLALayer.random(cfg, rng)
    path = str(tmp_path / "layer.safetensors")
    layer.save_safetensors(path, dtype)
    loaded = SSEGLALayer.from_safetensors(cfg, path)
    assert set(loaded.weights) == set(cfg.parameter_shapes())
    for n, a in layer.weights.items():
        expect = a if dtype == "F32" else round_to(a, "bf16")
        np.testing.assert_array_equal(loaded.weights[n], expect, err_msg=n)
    x = hidden_states(rng, 1, 10, cfg.hidden_size)
    y, _ = model.compile(loaded)(x, workdir=str(tmp_path / "run"))
    check(y, sse_gla_layer(cfg, loaded.weights, x)[0], F32_TOL, f"y (seed {seed})")


# ---------------------------------------------------------------------------
# Clear errors
# ---------------------------------------------------------------------------


def test_missing_extra_and_misshapen_weights_are_named():
    cfg = small_config()
    good = model.random_weights(cfg, 0)

    w = dict(good)
    del w["gk_proj.1.1.bias"]
    with pytest.raises(WeightsError, match=r"missing gk_proj\.1\.1\.bias"):
        SSEGLALayer(cfg, w)

    w = dict(good, **{"bogus.weight": np.zeros(3, np.float32)})
    with pytest.raises(WeightsError, match=r"unexpected bogus\.weight"):
        SSEGLALayer(cfg, w)

    w = dict(good, **{"q_proj.weight": np.zeros((32, 31), np.float32)})
    with pytest.raises(WeightsError,
                       match=r"q_proj\.weight is \[32, 31\], expected \[32, 32\]"):
        SSEGLALayer(cfg, w)

    w = dict(good, **{"o_norm.weight": np.ones(16, np.int32)})
    with pytest.raises(WeightsError, match=r"'o_norm\.weight' has dtype int32"):
        SSEGLALayer(cfg, w)

    w = dict(good)
    w["e_proj.weight"] = w["e_proj.weight"].copy()
    w["e_proj.weight"][0, 0] = np.nan
    with pytest.raises(WeightsError, match=r"'e_proj\.weight' holds NaN"):
        SSEGLALayer(cfg, w)

    # A layer without the output gate has no g_proj: the published file of a
    # gated layer is refused, naming the two tensors.
    with pytest.raises(WeightsError, match=r"unexpected g_proj\.0\.weight, g_proj\.1\.weight"):
        SSEGLALayer(small_config(use_output_gate=False), good)


def test_bad_weight_file_names_the_file_and_tensor(tmp_path):
    cfg = small_config()
    w = model.random_weights(cfg, 1)
    w["v_proj.weight"] = w["v_proj.weight"][:, :8]
    del w["o_proj.weight"]
    path = str(tmp_path / "bad.safetensors")
    write_safetensors(path, {n: (a, "F32") for n, a in w.items()})
    assert "v_proj.weight" in read_safetensors(path)
    with pytest.raises(WeightsError) as e:
        SSEGLALayer.from_safetensors(cfg, path)
    msg = str(e.value)
    assert msg.startswith(path) and "missing o_proj.weight" in msg
    assert "v_proj.weight is [32, 8], expected [32, 32]" in msg
    with pytest.raises(WeightsError, match="cannot read the weight file"):
        SSEGLALayer.from_safetensors(cfg, str(tmp_path / "absent.safetensors"))


@pytest.mark.parametrize("kw, message", [
    (dict(num_partitions=2, top_k=3), r"top_k=3 exceeds num_partitions=2"),
    (dict(top_k=0), r"top_k must be a positive integer"),
    (dict(num_partitions=0), r"num_partitions must be a positive integer"),
    (dict(hidden_size=30, num_heads=4, head_dim=None),
     r"hidden_size=30 is not divisible by num_heads=4"),
    (dict(expand_v=0.3), r"expand_v=0.3 times head_dim=16 is not a positive integer"),
    (dict(expand_v="two"), r"expand_v must be a number"),
    (dict(dtype="f64"), r"dtype must be one of"),
    (dict(num_heads=2.5), r"num_heads must be a positive integer"),
    (dict(use_output_gate="yes"), r"use_output_gate must be a bool"),
])
def test_bad_config_is_a_clear_error(kw, message):
    with pytest.raises(ConfigError, match=message):
        small_config(**kw)


def test_head_dim_from_hidden_size():
    cfg = SSEGLAConfig(hidden_size=64, num_heads=4, expand_v=2)
    assert (cfg.K, cfg.V, cfg.key_dim, cfg.value_dim) == (16, 32, 64, 128)


def test_bad_inputs_and_targets_are_clear_errors(tmp_path):
    cfg = small_config()
    layer = SSEGLALayer.random(cfg, 2)
    run = model.compile(layer)
    with pytest.raises(ValueError, match=r"hidden_states must be \[B, T, 32\]; got \[2, 5, 16\]"):
        run(np.zeros((2, 5, 16), np.float32))
    with pytest.raises(ValueError, match=r"initial_state must be .* \[2, 2, 5, 16, 16\]"):
        run(np.zeros((2, 5, 32), np.float32), initial_state=np.zeros((2, 2, 4, 16, 16)))
    with pytest.raises(NotImplementedError, match="sse-to-nvvm"):
        model.compile(layer, target="cuda")
    with pytest.raises(ValueError, match="target must be 'cpu' or 'cuda'"):
        model.compile(layer, target="tpu")
    with pytest.raises(ValueError, match="seq_len must be a positive integer"):
        emit_mlir(cfg, 1, 0)
    with pytest.raises(TypeError, match="SSEGLAConfig"):
        SSEGLALayer({"hidden_size": 32}, {})


def test_docs_examples_run(tmp_path, monkeypatch):
    """The Python blocks of docs/Model.md run as written (their asserts
    compare the compiled layer with the float64 model)."""
    doc = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "Model.md")
    with open(doc) as f:
        text = f.read()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/Model.md block {i + 1}", "exec"), {})
