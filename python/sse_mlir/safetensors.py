"""Reading and writing ``.safetensors`` weight files, and checking them.

The format (https://huggingface.co/docs/safetensors): an 8-byte
little-endian header length N, N bytes of JSON mapping each tensor name to
``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets into the data
that follows the header; an optional ``"__metadata__"`` entry maps strings
to strings), then the raw little-endian tensor data. It is read directly,
without the ``safetensors`` package (no package index on these machines).

bf16 tensors come back as float32 arrays (NumPy has no bf16; every value is
exact), f16 as float16, f32 as float32. Every malformed file is a
:class:`WeightsError` that names the file and, where there is one, the
tensor; nothing is read outside the file's data.
"""

from __future__ import annotations

import json
import struct
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

from .npyio import bf16_bits_to_f32, f32_to_bf16_bits

__all__ = ["WeightsError", "read_safetensors", "write_safetensors",
           "check_weights"]

#: The dtypes a weight file may hold: name -> (bytes per element, NumPy
#: dtype of the stored bits).
_DTYPES = {"BF16": (2, np.dtype("<u2")), "F16": (2, np.dtype("<f2")),
           "F32": (4, np.dtype("<f4"))}

#: A header larger than this is not a weight file's (the reference
#: implementation refuses 100 MB).
_MAX_HEADER = 100 * 1000 * 1000


class WeightsError(ValueError):
    """A weight file that cannot be read, or whose tensors are not the
    ones a layer needs."""


def _parse_header(path: str, raw: bytes, data_bytes: int) -> Dict[str, dict]:
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WeightsError(f"{path}: the header is not UTF-8 JSON ({e})") from None
    if not isinstance(header, dict):
        raise WeightsError(f"{path}: the header must be a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise WeightsError(f"{path}: __metadata__ must map strings to strings")
    spans = []
    for name, entry in header.items():
        where = f"{path}: tensor {name!r}"
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape",
                                                          "data_offsets"}:
            raise WeightsError(f"{where}: an entry needs exactly dtype, shape "
                               "and data_offsets")
        if entry["dtype"] not in _DTYPES:
            raise WeightsError(f"{where}: dtype {entry['dtype']!r} is not one "
                               f"of {', '.join(sorted(_DTYPES))}")
        shape, offsets = entry["shape"], entry["data_offsets"]
        if not isinstance(shape, list) or not all(
                type(d) is int and d >= 0 for d in shape):
            raise WeightsError(f"{where}: shape must be a list of sizes >= 0")
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(
                type(o) is int for o in offsets):
            raise WeightsError(f"{where}: data_offsets must be [begin, end]")
        begin, end = offsets
        if not 0 <= begin <= end <= data_bytes:
            raise WeightsError(f"{where}: data_offsets [{begin}, {end}] lie "
                               f"outside the {data_bytes} data bytes")
        expected = int(np.prod(shape, dtype=np.int64)) * _DTYPES[entry["dtype"]][0]
        if end - begin != expected:
            raise WeightsError(f"{where}: {entry['dtype']} {shape} needs "
                               f"{expected} bytes, data_offsets hold {end - begin}")
        spans.append((begin, end, name))
    spans.sort()
    for (b0, e0, n0), (b1, e1, n1) in zip(spans, spans[1:]):
        if b1 < e0:
            raise WeightsError(f"{path}: tensors {n0!r} and {n1!r} overlap")
    return header


def read_safetensors(path: str) -> Dict[str, np.ndarray]:
    """All tensors of the file ``path``, by name (see the module's doc)."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise WeightsError(f"{path}: cannot read the weight file ({e.strerror})") from None
    if len(blob) < 8:
        raise WeightsError(f"{path}: too short for a safetensors header "
                           f"({len(blob)} bytes)")
    (size,) = struct.unpack("<Q", blob[:8])
    if size > min(_MAX_HEADER, len(blob) - 8):
        raise WeightsError(f"{path}: the header length {size} exceeds the "
                           f"file ({len(blob)} bytes) or 100 MB")
    data = memoryview(blob)[8 + size:]
    header = _parse_header(path, blob[8:8 + size], len(data))
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        stored = np.frombuffer(data[begin:end], dtype=_DTYPES[entry["dtype"]][1])
        stored = stored.reshape(entry["shape"])
        tensors[name] = (bf16_bits_to_f32(stored) if entry["dtype"] == "BF16"
                         else stored.astype(stored.dtype.newbyteorder("=")))
    return tensors


def write_safetensors(path: str, tensors: Mapping[str, Tuple[np.ndarray, str]],
                      metadata: Optional[Mapping[str, str]] = None) -> None:
    """Writes ``{name: (array, dtype)}`` with dtype "BF16", "F16" or "F32"
    (bf16 rounds to nearest even), tensors in name order, contiguous."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        array, dtype = tensors[name]
        if dtype not in _DTYPES:
            raise WeightsError(f"tensor {name!r}: dtype {dtype!r} is not one "
                               f"of {', '.join(sorted(_DTYPES))}")
        array = np.asarray(array)
        stored = (f32_to_bf16_bits(array) if dtype == "BF16"
                  else np.ascontiguousarray(array, dtype=_DTYPES[dtype][1]))
        raw = stored.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = dict(metadata)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def check_weights(tensors: Mapping[str, np.ndarray],
                  expected: Mapping[str, Tuple[int, ...]], source: str) -> None:
    """Raises a WeightsError naming every missing, extra and misshapen
    tensor of ``tensors`` (from ``source``) against ``expected`` shapes."""
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    misshapen = sorted(
        f"{n} is {list(tensors[n].shape)}, expected {list(expected[n])}"
        for n in set(expected) & set(tensors)
        if tuple(tensors[n].shape) != tuple(expected[n]))
    problems = []
    if missing:
        problems.append("missing " + ", ".join(missing))
    if extra:
        problems.append("unexpected " + ", ".join(extra))
    if misshapen:
        problems.append("; ".join(misshapen))
    if problems:
        raise WeightsError(f"{source}: " + "; ".join(problems))
