"""The short convolutions of SSE-GLA and SSE-GDN (use_short_conv): FLA's
depthwise causal ShortConvolution of q1 and k1, applied after q2 and k2
are formed from them. Fresh weights and inputs against the float64 model,
with and without bias and for several kernel sizes (including one longer
than the sequence); the convolution must change the result (a test that
ignored it would fail), decode is refused with a clear error, and the
parameters are those of the published layers."""

import numpy as np
import pytest

from layer_checks import F32_TOL, check, fresh_seed
from sse_mlir import hybrid, model
from sse_mlir.layer_reference import sse_gdn_layer, sse_gla_layer, sse_h_model
from sse_mlir.model import ConfigError

KINDS = {"gla": (model.SSEGLAConfig, model.SSEGLALayer, sse_gla_layer),
         "gdn": (model.SSEGDNConfig, model.SSEGDNLayer, sse_gdn_layer)}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("size, bias, T", [(4, False, 17), (2, True, 9), (5, True, 3)])
def test_short_conv_layer_matches_float64(kind, size, bias, T, tmp_path):
    seed = fresh_seed()
    rng = np.random.default_rng(seed)
    make, layer_type, reference = KINDS[kind]
    cfg = make(hidden_size=32, num_heads=2, head_dim=16, num_partitions=4, top_k=2,
               use_short_conv=True, conv_size=size, conv_bias=bias)
    names = set(cfg.parameter_shapes())
    assert {"q_conv1d_shared.weight", "k_conv1d_shared.weight"} <= names
    assert ("q_conv1d_shared.bias" in names) == bias
    assert cfg.parameter_shapes()["k_conv1d_shared.weight"] == (32, 1, size)
    layer = layer_type.random(cfg, rng)
    x = rng.standard_normal((2, T, 32)).astype(np.float32)
    y, state = model.compile(layer, cache_dir=str(tmp_path))(x)
    ref_y, ref_state = reference(cfg, layer.weights, x)
    check(y, ref_y, F32_TOL, f"{kind} y (seed {seed})")
    check(state, ref_state, F32_TOL, f"{kind} state (seed {seed})")
    # The same weights without the convolutions give another layer.
    plain = make(**{**{f: getattr(cfg, f) for f in cfg.__dataclass_fields__},
                    "use_short_conv": False, "conv_bias": False})
    w = {n: a for n, a in layer.weights.items() if "conv1d" not in n}
    other, _ = reference(plain, w, x)
    assert np.linalg.norm(other - ref_y) > 1e-3 * np.linalg.norm(ref_y)


def test_short_conv_decode_and_config_errors():
    cfg = model.SSEGLAConfig(hidden_size=32, num_heads=2, use_short_conv=True)
    run = model.compile(model.SSEGLALayer.random(cfg, 0))
    x = np.zeros((1, 1, 32), np.float32)
    with pytest.raises(NotImplementedError, match="short convolutions needs their cache"):
        run(x, initial_state=np.zeros(cfg.state_shape(1), np.float32))
    with pytest.raises(ConfigError, match="conv_size must be a positive integer"):
        model.SSEGDNConfig(hidden_size=32, num_heads=2, conv_size=0)
    with pytest.raises(ConfigError, match="use_short_conv must be a bool"):
        model.SSEGLAConfig(hidden_size=32, num_heads=2, use_short_conv="yes")


def test_model_of_conv_layers(tmp_path):
    """A model file may switch them on per layer."""
    seed = fresh_seed()
    cfg = hybrid.ModelConfig.from_dict({"hidden_size": 32, "intermediate_size": 32, "layers": [
        {"type": "sse_gdn", "num_heads": 2, "use_short_conv": True, "conv_bias": True},
        {"type": "sse_gla", "num_heads": 2, "use_short_conv": True, "conv_size": 3}]})
    m = hybrid.Model.random(cfg, seed)
    x = np.random.default_rng(seed).standard_normal((1, 10, 32)).astype(np.float32)
    y, _ = hybrid.compile(m, cache_dir=str(tmp_path))(x)

    check(y, sse_h_model(cfg, m.weights, x)[0], F32_TOL, f"model y (seed {seed})")
