"""The SSE-GDN layer builder (sse_mlir.model.SSEGDNConfig) on the CPU.

As test_model.py does for SSE-GLA: fresh random weights and hidden states,
the whole layer (projections, silu + L2 norm of q and k, the decay and beta
projections, router, two delta-rule scans, norm, gate, output projection)
compiled through sse-runner --target=cpu, y and the final state cache
compared with the float64 model (sse_mlir.layer_reference.sse_gdn_layer;
SPEC 5: f32 within 1e-5, bf16 within 1e-2). sse-runner poisons its outputs
first, so an element never written fails the NaN check. Also the hard
inputs: strong decays (A up to 16 times a large softplus), beta near 0 and
2 (allow_neg_eigval), one token, V != K; a decode step after a prefill
equals the longer prefill; the module fuses into one delta-rule scan with a
selecting router; weights and configs that are wrong are clear errors.
"""


import numpy as np
import pytest

from layer_checks import (BF16_TOL, F32_TOL, check, check_decode_after_prefill, fresh_seed,
                          fused_scan)
from sse_mlir import model
from sse_mlir.cases import round_to
from sse_mlir.layer_reference import sse_gdn_layer
from sse_mlir.model import ConfigError, SSEGDNConfig, SSEGDNLayer, emit_mlir
from sse_mlir.safetensors import WeightsError


def small_config(**kw) -> SSEGDNConfig:
    args = dict(hidden_size=32, num_heads=2, head_dim=16, expand_v=2,
                num_partitions=4, top_k=1, use_output_gate=True)
    args.update(kw)
    return SSEGDNConfig(**args)


def strong(layer: SSEGDNLayer) -> SSEGDNLayer:
    """The same layer with decays far from 1: A = 16 for half the heads and
    the decay projection scaled up, so softplus(.) reaches ~10 and a token
    can all but reset the state; beta pushed towards 0 and 1."""
    w = dict(layer.weights)
    w["A_log"] = np.where(np.arange(w["A_log"].size) % 2 == 0, np.log(16.0),
                          w["A_log"]).astype(np.float32)
    w["a_proj.weight"] = (8.0 * w["a_proj.weight"]).astype(np.float32)
    w["b_proj.weight"] = (6.0 * w["b_proj.weight"]).astype(np.float32)
    return SSEGDNLayer(layer.config, w)


CONFIGS = {
    "v2-n4k1-gate": dict(expand_v=2, top_k=1),
    "v1-n4k2-nogate": dict(expand_v=1, top_k=2, use_output_gate=False),
    "v2-n4k2-negeig": dict(expand_v=2, top_k=2, allow_neg_eigval=True),
}


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("decay", ["published", "strong"])
def test_gdn_layer_matches_float64_model(name, decay, tmp_path, error_log):
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(**CONFIGS[name])
    layer = SSEGDNLayer.random(cfg, rng)
    if decay == "strong":
        layer = strong(layer)
    x = rng.standard_normal((2, 23, cfg.hidden_size)).astype(np.float32)
    y, state = model.compile(layer)(x, workdir=str(tmp_path))
    ref_y, ref_state = sse_gdn_layer(cfg, layer.weights, x)
    assert y.shape == (2, 23, cfg.hidden_size)
    assert state.shape == cfg.state_shape(2) == ref_state.shape
    error_log.record("f32", "gdn y", check(y, ref_y, F32_TOL, f"y (seed {seed})"))
    error_log.record("f32", "gdn state",
                     check(state, ref_state, F32_TOL, f"state (seed {seed})"))


def test_gdn_one_token_and_unfused_pipelines(tmp_path):
    """T = 1, and the layer as written (no fusion) over a T that is not a
    multiple of a forced chunk."""
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(top_k=2)
    layer = SSEGDNLayer.random(cfg, rng)
    for T, options in ((1, ""), (37, "fuse=false tile=false"), (37, "split=chunked chunk=16")):
        x = rng.standard_normal((1, T, cfg.hidden_size)).astype(np.float32)
        run = model.compile(layer, pipeline_options=options)
        y, state = run(x, workdir=str(tmp_path / f"{T}-{len(options)}"))
        ref_y, ref_state = sse_gdn_layer(cfg, layer.weights, x)
        check(y, ref_y, F32_TOL, f"y, T = {T}, '{options}' (seed {seed})")
        check(state, ref_state, F32_TOL, f"state, T = {T}, '{options}' (seed {seed})")


def test_gdn_emitted_layer_fuses_into_one_delta_scan(tmp_path):
    cfg = small_config(top_k=2)
    mod = emit_mlir(cfg, 2, 8)
    text = mod.text
    assert mod.entry == "sse_gdn_layer"
    assert mod.args == ["hidden_states"] + list(cfg.parameter_shapes())
    for name in ("%a_proj.weight: tensor<4x32xf32>", "%b_proj.weight: tensor<4x32xf32>",
                 "%A_log: tensor<4xf32>", "%dt_bias: tensor<4xf32>"):
        assert name in text, name
    assert text.count("sse.scan") == 2 and text.count("rule = #sse.rule<delta>") == 2
    assert "math.log1p" in text and "linalg.softmax" not in text
    scan, fused = fused_scan(text, tmp_path)
    for part in ("beta(", "shared(", "shared_gate(", "shared_beta(", "router(", "norm(",
                 "out_gate(", "read_gate = false", "write_gate = false",
                 "rule = #sse.rule<delta>"):
        assert part in scan, f"{part} not fused: {scan}"


def test_gdn_decode_after_prefill_equals_longer_prefill(tmp_path):
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(top_k=2)
    layer = SSEGDNLayer.random(cfg, rng)
    run = model.compile(layer)
    x = rng.standard_normal((2, 12, cfg.hidden_size)).astype(np.float32)
    check_decode_after_prefill(run, sse_gdn_layer, layer.weights, x, tmp_path, seed)


def test_gdn_bf16_layer_from_safetensors(tmp_path):
    """dtype bf16, the weights saved to and read from a BF16 file."""
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    cfg = small_config(top_k=2, dtype="bf16")
    path = str(tmp_path / "gdn.safetensors")
    SSEGDNLayer.random(cfg, rng).save_safetensors(path)
    layer = SSEGDNLayer.from_safetensors(cfg, path)
    x = rng.standard_normal((2, 9, cfg.hidden_size)).astype(np.float32)
    y, state = model.compile(layer)(x, workdir=str(tmp_path / "run"))
    ref_y, ref_state = sse_gdn_layer(cfg, layer.weights, round_to(x, "bf16"))
    check(y, ref_y, BF16_TOL, f"bf16 y (seed {seed})")
    check(state, ref_state, BF16_TOL, f"bf16 state (seed {seed})")


def test_gdn_weights_and_config_errors():
    cfg = small_config()
    good = model.random_weights(cfg, 0)
    w = dict(good)
    del w["dt_bias"]
    with pytest.raises(WeightsError, match=r"missing dt_bias"):
        SSEGDNLayer(cfg, w)
    w = dict(good, **{"a_proj.weight": np.zeros((2, 32), np.float32)})
    with pytest.raises(WeightsError, match=r"a_proj\.weight is \[2, 32\], expected \[4, 32\]"):
        SSEGDNLayer(cfg, w)
    # An SSE-GLA file is not an SSE-GDN layer: its gate projections are
    # named as unexpected, the decay and beta ones as missing.
    gla = model.random_weights(model.SSEGLAConfig(hidden_size=32, num_heads=2, head_dim=16,
                                                  expand_v=2), 0)
    with pytest.raises(WeightsError, match=r"missing A_log, a_proj\.weight"):
        SSEGDNLayer(cfg, gla)
    with pytest.raises(TypeError, match="SSEGDNConfig"):
        SSEGDNLayer(model.SSEGLAConfig(hidden_size=32, num_heads=2), good)
    with pytest.raises(ConfigError, match="allow_neg_eigval must be a bool"):
        small_config(allow_neg_eigval=1)
    with pytest.raises(ConfigError, match="top_k=5 exceeds num_partitions=4"):
        small_config(top_k=5)
    with pytest.raises(TypeError, match="SSEGLAConfig or an SSEGDNConfig"):
        emit_mlir({"hidden_size": 32}, 1, 1)
