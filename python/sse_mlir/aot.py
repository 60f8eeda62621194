"""What both ahead-of-time paths share (``sse-runner --emit-aot``, the CPU
one in :mod:`sse_mlir.cpu` and the CUDA one in :mod:`sse_mlir.gpu`): the
manifest of an entry's signature, checked as sse-aot-run checks it, and the
ctypes layout of upstream's memref descriptors that the entry's packed
interface ``_mlir__mlir_ciface_<entry>(void **args)`` takes.
"""

from __future__ import annotations

import ctypes
import json
from typing import List, Optional, Tuple

import numpy as np

from .npyio import BF16_NPY_DTYPE

__all__ = ["NUMPY_DTYPES", "Manifest", "descriptor", "memref_descriptor"]

#: The NumPy dtype of each manifest dtype (bf16 as its raw bits).
NUMPY_DTYPES = {"f32": np.dtype("<f4"), "f16": np.dtype("<f2"), "bf16": BF16_NPY_DTYPE,
                "i32": np.dtype("<i4"), "i64": np.dtype("<i8")}
_NUMPY = NUMPY_DTYPES

_MAX_RANK = 8  # kMaxMemRefRank of include/sse/Runner/MemRef.h


def memref_descriptor(rank: int):
    """The ctypes layout of upstream's StridedMemRefType<T, rank> (the one
    descriptor definition of this package): {allocated, aligned, offset,
    sizes[rank], strides[rank]}."""
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"StridedMemRef{rank}", (ctypes.Structure,), {"_fields_": fields})


def descriptor(ptr: int, shape: tuple):
    """A descriptor over a C-order buffer at address ``ptr`` (host or device)."""
    d = memref_descriptor(len(shape))()
    d.allocated = d.aligned = ptr
    d.offset = 0
    stride = 1
    for i in range(len(shape) - 1, -1, -1):
        d.sizes[i] = shape[i]
        d.strides[i] = stride
        stride *= shape[i]
    return d


_MANIFEST_KEYS = {"format", "version", "entry", "args", "results", "descriptors"}


class Manifest:
    """manifest.json of `sse-runner --emit-aot` (format in docs/Runner.md),
    validated as sse-aot-run does (lib/Runner/AotManifest.cpp): the entry,
    its arguments and results as (dtype, shape), and per result the argument
    whose buffer holds it after a call (``in_arg``: a scan's states updated
    in place), or None (an out parameter). Any problem raises ``error``
    (the caller's exception class) naming the file."""

    def __init__(self, path: str, error: type = RuntimeError):
        try:
            with open(path) as f:
                m = json.load(f)
        except (OSError, ValueError) as e:
            raise error(f"{path}: cannot read the manifest: {e}") from None

        def bad(msg):
            raise error(f"{path}: {msg}")

        if not isinstance(m, dict):
            bad("expected a JSON object")
        for key in m:
            if key not in _MANIFEST_KEYS:
                bad(f'manifest: unknown key "{key}"')
        for key in sorted(_MANIFEST_KEYS - set(m)):
            bad(f'manifest: missing key "{key}"')
        if m["format"] != "sse-aot-manifest":
            bad('"format" must be "sse-aot-manifest"')
        if m["version"] != 1 or isinstance(m["version"], bool):
            bad('unsupported "version" (this reader knows 1)')
        if not isinstance(m["entry"], str) or not m["entry"]:
            bad('"entry" must be a non-empty string')
        self.entry = m["entry"]
        self.args: List[Tuple[str, tuple]] = []
        self.results: List[Tuple[str, tuple]] = []
        self.result_in_arg: List[Optional[int]] = []

        def is_int(x):
            return isinstance(x, int) and not isinstance(x, bool)

        for key in ("args", "results"):
            if not isinstance(m[key], list):
                bad(f'"{key}" must be an array')
            for i, t in enumerate(m[key]):
                where = f"{key}[{i}]"
                allowed = {"dtype", "shape"} | ({"in_arg"} if key == "results" else set())
                if not isinstance(t, dict):
                    bad(f"{where}: expected an object")
                for k in t:
                    if k not in allowed:
                        bad(f'{where}: unknown key "{k}"')
                for k in ("dtype", "shape"):
                    if k not in t:
                        bad(f'{where}: missing key "{k}"')
                if t["dtype"] not in _NUMPY:
                    bad(f"{where}.dtype: expected one of {', '.join(_NUMPY)}")
                shape = t["shape"]
                if not isinstance(shape, list):
                    bad(f"{where}.shape: expected an array of non-negative integers")
                if len(shape) > _MAX_RANK:
                    bad(f"{where}.shape: rank {len(shape)} is more than the supported {_MAX_RANK}")
                nbytes = _NUMPY[t["dtype"]].itemsize
                for j, d in enumerate(shape):
                    if not is_int(d) or not 0 <= d < 2 ** 63:
                        bad(f"{where}.shape[{j}]: expected a non-negative integer "
                            "that fits in int64")
                    nbytes *= d
                if nbytes >= 2 ** 63:
                    bad(f"{where}.shape: {tuple(shape)} is too large to address")
                entry = (t["dtype"], tuple(shape))
                if key == "args":
                    self.args.append(entry)
                    continue
                self.results.append(entry)
                j = t.get("in_arg")
                if j is not None and (not is_int(j) or j < 0):
                    bad(f"{where}.in_arg: expected an argument index (a non-negative integer)")
                self.result_in_arg.append(j)
        holder = {}
        for i, (j, r) in enumerate(zip(self.result_in_arg, self.results)):
            if j is None:
                continue
            where = f"results[{i}].in_arg"
            if j >= len(self.args):
                bad(f"{where}: {j} is not an argument (@{self.entry} takes {len(self.args)})")
            if self.args[j] != r:
                bad(f"{where}: argument {j} is {self.args[j]}, but the result is {r}")
            if j in holder:
                bad(f"{where}: argument {j} already holds result {holder[j]}")
            holder[j] = i
        if not is_int(m["descriptors"]) or m["descriptors"] != self.num_descriptors():
            bad(f'"descriptors" must be {self.num_descriptors()} (one per argument '
                "and per result not in an argument)")

    def num_descriptors(self) -> int:
        return len(self.args) + sum(j is None for j in self.result_in_arg)

    def signature(self) -> str:
        """The signature the model embeds (AotManifest::signature)."""
        def one(t, j=None):
            return f"{t[0]}[{','.join(str(d) for d in t[1])}]" + ("" if j is None else f"@{j}")
        return (f"{self.entry}({','.join(one(a) for a in self.args)})->("
                + ",".join(one(r, j) for r, j in zip(self.results, self.result_in_arg)) + ")")
