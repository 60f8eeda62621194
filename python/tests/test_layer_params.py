"""Tests for the SSE layers' parameter tables (sse_mlir.layer_params):
the names of the published layers for every option, shapes that follow
from the widths, and a weight file checked against a table."""

import os

import numpy as np
import pytest

from sse_mlir.layer_params import sse_gdn_parameters, sse_gla_parameters
from sse_mlir.safetensors import (WeightsError, check_weights,
                                  read_safetensors, write_safetensors)

GLA_NAMES = {"q_proj.weight", "k_proj.weight", "v_proj.weight",
             "lora_q_proj.0.weight", "lora_q_proj.1.weight",
             "lora_k_proj.0.weight", "lora_k_proj.1.weight",
             "gk_proj.0.0.weight", "gk_proj.0.1.weight", "gk_proj.0.1.bias",
             "gk_proj.1.0.weight", "gk_proj.1.1.weight", "gk_proj.1.1.bias",
             "e_proj.weight", "g_proj.0.weight", "g_proj.1.weight",
             "o_norm.weight", "o_proj.weight"}


def test_gla_names_and_widths():
    p = sse_gla_parameters(hidden_size=64, head_dim=16, num_heads=2,
                           expand_v=2.0, num_sparse_partition=4,
                           gate_low_rank_dim=8)
    assert set(p) == GLA_NAMES
    key_dim, value_dim, head_v = 2 * 16, 2 * 32, 32
    assert p["q_proj.weight"] == (key_dim, 64)
    assert p["v_proj.weight"] == (value_dim, 64)          # V = 2K
    assert p["lora_q_proj.1.weight"] == (key_dim, head_v)
    assert p["gk_proj.1.0.weight"] == (8, 64)
    assert p["gk_proj.0.1.bias"] == (key_dim,)
    assert p["e_proj.weight"] == (4, 64)
    assert p["o_norm.weight"] == (head_v,)
    assert p["o_proj.weight"] == (64, value_dim)


def test_options_add_and_remove_parameters():
    plain = sse_gla_parameters(hidden_size=32, head_dim=8, num_heads=2,
                               use_output_gate=False)
    assert "g_proj.0.weight" not in plain and "o_norm.weight" in plain
    conv = sse_gla_parameters(hidden_size=32, head_dim=8, num_heads=2,
                              use_short_conv=True, conv_size=3, conv_bias=True)
    assert conv["q_conv1d_shared.weight"] == (16, 1, 3)
    assert conv["k_conv1d_shared.bias"] == (16,)
    gdn = sse_gdn_parameters(hidden_size=32, head_dim=8, num_heads=2)
    assert set(gdn) - GLA_NAMES == {"a_proj.weight", "b_proj.weight",
                                    "A_log", "dt_bias"}
    assert not any(n.startswith("gk_proj") for n in gdn)
    assert gdn["A_log"] == (4,) and gdn["b_proj.weight"] == (4, 32)
    assert gdn["v_proj.weight"] == (2 * 16, 32)           # expand_v = 2


@pytest.mark.parametrize("kwargs,message", [
    ({"expand_v": 0.3}, "not an integer value width"),
    ({"num_v_heads": 3}, "must be a multiple of num_heads"),
    ({"head_dim": 0}, "must be positive"),
])
def test_bad_widths_are_errors(kwargs, message):
    args = dict(hidden_size=32, head_dim=8, num_heads=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        sse_gla_parameters(**args)


def test_a_weight_file_checked_against_the_table(tmp_path):
    rng = np.random.default_rng(int.from_bytes(os.urandom(4), "little"))
    table = sse_gdn_parameters(hidden_size=32, head_dim=8, num_heads=2)
    path = str(tmp_path / "gdn.safetensors")
    write_safetensors(path, {n: (rng.standard_normal(s), "BF16")
                             for n, s in table.items()})
    check_weights(read_safetensors(path), table, path)
    bad = dict(table)
    del bad["A_log"]
    bad["o_proj.weight"] = (32, 8)
    write_safetensors(path, {n: (rng.standard_normal(s), "F32")
                             for n, s in bad.items()})
    with pytest.raises(WeightsError, match="missing A_log; o_proj.weight is "
                       r"\[32, 8\], expected \[32, 32\]"):
        check_weights(read_safetensors(path), table, path)
