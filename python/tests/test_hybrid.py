"""Stacked models (sse_mlir.hybrid): SSE-H hybrids of SSE-GLA, SSE-GDN and
causal attention blocks with norms, residuals and SwiGLU MLPs, on the CPU.

Fresh random weights and hidden states; the compiled model (one shared
object per (B, T)) against the float64 model
sse_mlir.layer_reference.sse_h_model within SPEC 5's f32 tolerance, y and
every SSE layer's final state cache (outputs poisoned first). Also: one
token, a model of attention alone and of SSE layers alone, weights through
.safetensors, the bundled examples/sse_h_small.json, and bad model files
and weights as clear errors.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from layer_checks import F32_TOL, check, fresh_seed
from sse_mlir import hybrid
from sse_mlir.hybrid import AttentionConfig, Model, ModelConfig
from sse_mlir.layer_reference import sse_h_model
from sse_mlir.model import ConfigError
from sse_mlir.safetensors import WeightsError

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
EXAMPLE = os.path.join(ROOT, "examples", "sse_h_small.json")

MIXED = {"hidden_size": 32, "intermediate_size": 48, "layers": [
    {"type": "sse_gla", "num_heads": 2, "head_dim": 16, "expand_v": 2, "num_partitions": 4,
     "top_k": 2},
    {"type": "attention", "num_heads": 4},
    {"type": "sse_gdn", "num_heads": 2, "head_dim": 16, "num_partitions": 4, "top_k": 1,
     "use_output_gate": False},
]}


def run_and_check(cfg, x, tmp_path, seed, what):
    m = Model.random(cfg, np.random.default_rng(seed))
    y, states = hybrid.compile(m, cache_dir=str(tmp_path))(x)
    ref_y, ref_states = sse_h_model(cfg, m.weights, x)
    assert y.shape == x.shape and len(states) == len(ref_states) == len(cfg.state_shapes(1))
    check(y, ref_y, F32_TOL, f"{what}: y (seed {seed})")
    for i, (s, r) in enumerate(zip(states, ref_states)):
        assert s.shape == r.shape == cfg.state_shapes(x.shape[0])[i]
        check(s, r, F32_TOL, f"{what}: state of SSE layer {i} (seed {seed})")
    return m


@pytest.mark.parametrize("B, T", [(2, 21), (1, 1)])
def test_mixed_model_matches_float64(B, T, tmp_path):
    seed = fresh_seed()
    cfg = ModelConfig.from_dict(MIXED)
    x = np.random.default_rng(seed).standard_normal((B, T, 32)).astype(np.float32)
    run_and_check(cfg, x, tmp_path, seed, f"mixed B={B} T={T}")


def test_attention_only_and_sse_only_models(tmp_path):
    seed = fresh_seed()
    x = np.random.default_rng(seed).standard_normal((2, 13, 32)).astype(np.float32)
    attn = ModelConfig(hidden_size=32, intermediate_size=32,
                       layers=[AttentionConfig(32, 2), AttentionConfig(32, 4, head_dim=4)])
    run_and_check(attn, x, tmp_path / "attn", seed, "attention only")
    sse = ModelConfig.from_dict(dict(MIXED, layers=[MIXED["layers"][0], MIXED["layers"][2]]))
    run_and_check(sse, x, tmp_path / "sse", seed, "sse only")


def test_example_model_and_weights_through_safetensors(tmp_path):
    """The bundled example: its JSON loads, its weights round-trip through
    a .safetensors file, and the script the README's main job runs passes."""
    seed = fresh_seed()
    cfg = ModelConfig.from_json(EXAMPLE)
    kinds = {type(c).__name__ for c in cfg.layers}
    assert kinds == {"SSEGLAConfig", "SSEGDNConfig", "AttentionConfig"}
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
    path = str(tmp_path / "w.safetensors")
    Model.random(cfg, seed).save_safetensors(path)
    loaded = Model.from_safetensors(cfg, path)
    assert set(loaded.weights) == set(cfg.parameter_shapes())
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "run_model.py"),
                           EXAMPLE, "--weights", path, "--workdir", str(tmp_path / "run")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "relative error" in proc.stdout


@pytest.mark.parametrize("change, message", [
    (lambda d: d["layers"].append({"type": "mamba"}), r"layers\[3\]: needs a 'type'"),
    (lambda d: d["layers"][1].update(heads=2), r"layers\[1\]: unknown key 'heads' for attention"),
    (lambda d: d.pop("intermediate_size"), r"missing key 'intermediate_size'"),
    (lambda d: d.update(dropout=0.1), r"unknown key 'dropout'"),
    (lambda d: d["layers"][0].update(top_k=9), r"layers\[0\]: top_k=9 exceeds num_partitions=4"),
    (lambda d: d["layers"][1].update(num_heads=5), r"layers\[1\]: hidden_size=32 is not "
                                                   r"divisible by num_heads=5"),
    (lambda d: d["layers"][2].update(dtype="bf16"), r"layers\[2\] has dtype 'bf16'"),
    (lambda d: d.update(layers=[]), r"at least one layer"),
])
def test_bad_model_files_are_clear_errors(change, message, tmp_path):
    d = json.loads(json.dumps(MIXED))
    change(d)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(d))
    with pytest.raises(ConfigError, match=message):
        ModelConfig.from_json(str(path))


def test_bad_weights_and_inputs_are_clear_errors(tmp_path):
    cfg = ModelConfig.from_dict(MIXED)
    w = hybrid.random_weights(cfg, 0)
    del w["layers.1.attn.k_proj.weight"]
    w["layers.2.mlp.up_proj.weight"] = np.zeros((3, 32), np.float32)
    with pytest.raises(WeightsError) as e:
        Model(cfg, w)
    msg = str(e.value)
    assert "missing layers.1.attn.k_proj.weight" in msg
    assert "layers.2.mlp.up_proj.weight is [3, 32], expected [48, 32]" in msg
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ConfigError, match="cannot read the model file"):
        ModelConfig.from_json(str(tmp_path / "broken.json"))
    m = Model.random(cfg, 1)
    with pytest.raises(ValueError, match=r"non-empty \[B, T, 32\]"):
        hybrid.compile(m)(np.zeros((1, 0, 32), np.float32))
    with pytest.raises(NotImplementedError, match="sse-to-nvvm"):
        hybrid.compile(m, target="cuda")
