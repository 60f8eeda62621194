"""Tests for the safetensors reader, writer and weight checks
(sse_mlir.safetensors): round trips on fresh random data, files written
byte by byte here (so the reader is not only checked against its own
writer), and every malformed-file error."""

import json
import os
import struct

import numpy as np
import pytest

from sse_mlir.npyio import round_to_bf16
from sse_mlir.safetensors import (WeightsError, check_weights,
                                  read_safetensors, write_safetensors)


def fresh_rng():
    return np.random.default_rng(int.from_bytes(os.urandom(4), "little"))


def raw_file(path, header, data=b""):
    """A file from a header dict and data bytes, exactly as the format
    says (no writer involved)."""
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    return str(path)


def test_round_trip_every_dtype(tmp_path):
    rng = fresh_rng()
    x = {"q_proj.weight": rng.standard_normal((6, 4)).astype(np.float32),
         "o_norm.weight": rng.standard_normal(5).astype(np.float32),
         "A_log": rng.standard_normal((3, 2, 2)).astype(np.float32),
         "scalar": np.array(rng.standard_normal(), dtype=np.float32),
         "empty": np.zeros((0, 3), np.float32)}
    dtypes = {"q_proj.weight": "BF16", "o_norm.weight": "F16", "A_log": "F32",
              "scalar": "F32", "empty": "BF16"}
    path = str(tmp_path / "w.safetensors")
    write_safetensors(path, {n: (x[n], dtypes[n]) for n in x},
                      metadata={"format": "pt"})
    back = read_safetensors(path)
    assert set(back) == set(x)
    np.testing.assert_array_equal(back["q_proj.weight"],
                                  round_to_bf16(x["q_proj.weight"]))
    assert back["q_proj.weight"].dtype == np.float32
    np.testing.assert_array_equal(back["o_norm.weight"],
                                  x["o_norm.weight"].astype(np.float16))
    assert back["o_norm.weight"].dtype == np.float16
    np.testing.assert_array_equal(back["A_log"], x["A_log"])
    assert back["scalar"].shape == () and back["scalar"] == x["scalar"]
    assert back["empty"].shape == (0, 3)


def test_reads_a_file_written_by_hand(tmp_path):
    rng = fresh_rng()
    a = rng.standard_normal((2, 3)).astype("<f4")
    h = rng.standard_normal(4).astype("<f2")
    bf = np.array([0x3F80, 0xC000, 0x7F80], "<u2")  # 1.0, -2.0, +inf
    data = a.tobytes() + h.tobytes() + bf.tobytes()
    header = {"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "h": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]},
              "b": {"dtype": "BF16", "shape": [3], "data_offsets": [32, 38]}}
    back = read_safetensors(raw_file(tmp_path / "w", header, data))
    np.testing.assert_array_equal(back["a"], a)
    np.testing.assert_array_equal(back["h"], h)
    np.testing.assert_array_equal(back["b"], [1.0, -2.0, np.inf])


BAD_HEADERS = [
    ({"t": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}},
     "dtype 'F64' is not one of BF16, F16, F32"),
    ({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}},
     "shape must be a list of sizes >= 0"),
    ({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}},
     "F32 [2] needs 8 bytes, data_offsets hold 4"),
    ({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}},
     "data_offsets [0, 16] lie outside the 8 data bytes"),
    ({"t": {"dtype": "F32", "shape": [1]}},
     "an entry needs exactly dtype, shape and data_offsets"),
    ({"s": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}},
     "tensors 's' and 't' overlap"),
    ({"__metadata__": {"k": 1}}, "__metadata__ must map strings to strings"),
    ([1, 2], "the header must be a JSON object"),
]


@pytest.mark.parametrize("header,message", BAD_HEADERS)
def test_malformed_headers_are_named(tmp_path, header, message):
    path = raw_file(tmp_path / "bad.safetensors", header, b"\0" * 8)
    with pytest.raises(WeightsError) as e:
        read_safetensors(path)
    assert message in str(e.value) and path in str(e.value)


def test_truncated_and_unreadable_files(tmp_path):
    short = tmp_path / "short"
    short.write_bytes(b"\1\2\3")
    with pytest.raises(WeightsError, match="too short"):
        read_safetensors(str(short))
    huge = tmp_path / "huge"
    huge.write_bytes(struct.pack("<Q", 1 << 40) + b"{}")
    with pytest.raises(WeightsError, match="header length"):
        read_safetensors(str(huge))
    not_json = tmp_path / "notjson"
    not_json.write_bytes(struct.pack("<Q", 3) + b"{x}")
    with pytest.raises(WeightsError, match="not UTF-8 JSON"):
        read_safetensors(str(not_json))
    with pytest.raises(WeightsError, match="cannot read"):
        read_safetensors(str(tmp_path / "absent.safetensors"))


def test_check_weights_names_every_problem():
    rng = fresh_rng()
    have = {"q_proj.weight": rng.standard_normal((4, 8)),
            "k_proj.weight": rng.standard_normal((8, 8)),
            "bogus": rng.standard_normal(2)}
    expected = {"q_proj.weight": (8, 8), "k_proj.weight": (8, 8),
                "o_proj.weight": (8, 8)}
    with pytest.raises(WeightsError) as e:
        check_weights(have, expected, "w.safetensors")
    text = str(e.value)
    assert "missing o_proj.weight" in text
    assert "unexpected bogus" in text
    assert "q_proj.weight is [4, 8], expected [8, 8]" in text
    assert "k_proj" not in text
    check_weights({n: np.zeros(s) for n, s in expected.items()}, expected, "ok")
