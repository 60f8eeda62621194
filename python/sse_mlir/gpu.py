"""Run compiled sse entries on an NVIDIA GPU from Python, through the C API.

    model = gpu.Model.build(module_text, entry, workdir)   # needs sse-runner
    model = gpu.Model.load(workdir)                        # needs only this file
    outputs, ms = model(inputs)                            # NumPy in, NumPy out

`build` compiles with `sse-runner --target=cuda --emit-aot` and links the
host object into model.so (machines with the build; no GPU needed). `load`
and calls need only libsse_cuda_runtime.so (found beside model.so or in
its parent folder, in $SSE_RUNTIME_LIB, or in <repo>/build/lib) and a GPU: inputs are NumPy arrays
(copied to the device) or PyTorch CUDA tensors (used in place); outputs are
poisoned (NaN) on the device before the call, so unwritten elements show.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .npyio import BF16_NPY_DTYPE, bf16_bits_to_f32, f32_to_bf16_bits

_NUMPY = {"f32": np.dtype("<f4"), "f16": np.dtype("<f2"), "bf16": BF16_NPY_DTYPE,
          "i32": np.dtype("<i4"), "i64": np.dtype("<i8")}

#: The PyTorch dtype (its name in torch) a CUDA tensor argument must have.
TORCH_DTYPES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16",
                "i32": "int32", "i64": "int64"}


def cuda_tensor(a, dtype: str):
    """A contiguous PyTorch CUDA tensor of argument type ``dtype`` from the
    array ``a`` (floats are rounded to it)."""
    import torch
    return torch.from_numpy(np.ascontiguousarray(a)).to(
        device="cuda", dtype=getattr(torch, TORCH_DTYPES[dtype])).contiguous()


class GpuError(RuntimeError):
    """A runtime call failed; the message is the runtime's (with the CUDA error)."""


def _runtime_path(model_dir: str) -> str:
    for candidate in (os.path.join(model_dir, "libsse_cuda_runtime.so"),
                      os.path.join(model_dir, "..", "libsse_cuda_runtime.so"),
                      os.environ.get("SSE_RUNTIME_LIB", ""),
                      os.path.join(os.path.dirname(__file__), "..", "..", "build",
                                   "lib", "libsse_cuda_runtime.so")):
        if candidate and os.path.exists(candidate):
            return candidate
    raise GpuError("libsse_cuda_runtime.so not found (set SSE_RUNTIME_LIB)")


def _load_runtime(path: str):
    # RTLD_GLOBAL: model.so resolves its mgpu* calls against this library.
    lib = ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_GLOBAL)
    lib.sseRuntimeInit.restype = ctypes.c_int
    lib.sseRuntimeLastError.restype = ctypes.c_char_p
    lib.sseRuntimeDeviceName.restype = ctypes.c_char_p
    lib.sseRuntimeAlloc.restype = ctypes.c_void_p
    lib.sseRuntimeAlloc.argtypes = [ctypes.c_size_t]
    lib.sseRuntimeFree.argtypes = [ctypes.c_void_p]
    lib.sseRuntimeCopyToDevice.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lib.sseRuntimeCopyToHost.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lib.sseRuntimeMemset32.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_size_t]
    lib.sseRuntimeLoadModel.restype = ctypes.c_void_p
    lib.sseRuntimeLoadModel.argtypes = [ctypes.c_char_p]
    lib.sseRuntimeCallEntry.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                        ctypes.POINTER(ctypes.c_void_p), ctypes.c_int]
    lib.sseRuntimeTimerStopMs.restype = ctypes.c_float
    lib.sseRuntimeTimerDeviceMs.restype = ctypes.c_float
    return lib


_MAX_RANK = 8  # kMaxMemRefRank of include/sse/Runner/MemRef.h


def _memref_descriptor(rank: int):
    """The ctypes layout of upstream's StridedMemRefType<T, rank> (the one
    descriptor definition of this package): {allocated, aligned, offset,
    sizes[rank], strides[rank]}."""
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
              ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"StridedMemRef{rank}", (ctypes.Structure,), {"_fields_": fields})


def _descriptor(ptr: int, shape: tuple):
    """A descriptor over a C-order buffer at device address ``ptr``."""
    d = _memref_descriptor(len(shape))()
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
    in place), or None (an out parameter). Any problem raises GpuError."""

    def __init__(self, path: str):
        try:
            with open(path) as f:
                m = json.load(f)
        except (OSError, ValueError) as e:
            raise GpuError(f"{path}: cannot read the manifest: {e}") from None

        def bad(msg):
            raise GpuError(f"{path}: {msg}")

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


class Model:
    """An AOT-compiled entry, callable on device buffers."""

    def __init__(self, model_dir: str):
        self.dir = model_dir
        manifest = Manifest(os.path.join(model_dir, "manifest.json"))
        self.entry = manifest.entry
        self.args = manifest.args
        self.results = manifest.results
        self.result_in_arg = manifest.result_in_arg
        self.device_ms = None  # set by each call (see __call__)
        self.rt = _load_runtime(_runtime_path(model_dir))
        self._check(self.rt.sseRuntimeInit())
        self.device = self.rt.sseRuntimeDeviceName().decode()
        self.handle = self.rt.sseRuntimeLoadModel(
            os.path.join(model_dir, "model.so").encode())
        if not self.handle:
            raise GpuError(self.rt.sseRuntimeLastError().decode())
        # The model must be the one the manifest describes.
        lib = ctypes.CDLL(os.path.join(model_dir, "model.so"))  # the same handle
        try:
            embedded = ctypes.string_at(ctypes.addressof(
                ctypes.c_char.in_dll(lib, f"_sse_aot_signature_{self.entry}"))).decode()
        except ValueError:
            raise GpuError(f"{model_dir}/model.so has no signature of @{self.entry}; "
                           "rebuild it with this sse-runner --emit-aot") from None
        if embedded != manifest.signature():
            raise GpuError(f"the manifest does not describe {model_dir}/model.so: the "
                           f"model is {embedded}, the manifest {manifest.signature()}")

    @staticmethod
    def build(module_text: str, entry: str, model_dir: str, runner: str = None,
              pipeline_options: str = ""):
        """Compiles an entry for CUDA into model_dir (no GPU needed).

        pipeline_options go to sse-to-nvvm (e.g. "kernels=v1")."""
        from .runner import find_tool
        os.makedirs(model_dir, exist_ok=True)
        src = os.path.join(model_dir, "model.mlir")
        with open(src, "w") as f:
            f.write(module_text)
        extra = [f"--pipeline-options={pipeline_options}"] if pipeline_options else []
        subprocess.run([runner or find_tool("sse-runner"), src, f"--entry={entry}",
                        "--target=cuda", f"--emit-aot={model_dir}", *extra],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["c++", "-shared", "-o", os.path.join(model_dir, "model.so"),
                        os.path.join(model_dir, "model.o")], check=True)

    @staticmethod
    def load(model_dir: str) -> "Model":
        return Model(model_dir)

    def _check(self, status):
        if status != 0:
            raise GpuError(self.rt.sseRuntimeLastError().decode())

    def __call__(self, inputs: Sequence, repeat: int = 1):
        """Runs the entry; returns (outputs as NumPy, median milliseconds
        of the whole synchronous call); ``self.device_ms`` is then the
        median device time on the call's own streams (see
        sseRuntimeTimerDeviceMs), or None when no kernel ran.

        Inputs are NumPy arrays (bf16 given as float32 is rounded) or torch
        CUDA tensors of the right dtype and shape (no copy). A scan's final
        states are written in place into its initial states' argument (the
        manifest says ``"in_arg": J``): a torch tensor given there is updated by
        every call (a decode step's state cache); NumPy inputs are copied to
        the device again before each call, so repeated calls see the same
        inputs.
        """
        if len(inputs) != len(self.args):
            raise GpuError(f"@{self.entry} takes {len(self.args)} arguments, "
                           f"got {len(inputs)}")
        owned, keep, descriptors = [], [], []
        arg_ptrs, uploads = [], []
        try:
            for x, (dtype, shape) in zip(inputs, self.args):
                if hasattr(x, "data_ptr") and getattr(x, "is_cuda", False):
                    if tuple(x.shape) != shape or not x.is_contiguous():
                        raise GpuError(f"tensor of shape {tuple(x.shape)} for an "
                                       f"argument of shape {shape}")
                    if str(x.dtype) != "torch." + TORCH_DTYPES[dtype]:
                        raise GpuError(f"tensor of {x.dtype} for an argument of "
                                       f"{dtype} (torch.{TORCH_DTYPES[dtype]})")
                    arg_ptrs.append(x.data_ptr())
                    descriptors.append(_descriptor(x.data_ptr(), shape))
                    continue
                host = np.asarray(x)
                if dtype == "bf16" and host.dtype != np.uint16:
                    host = f32_to_bf16_bits(host)
                host = np.ascontiguousarray(host, dtype=_NUMPY[dtype])
                if host.shape != shape:
                    raise GpuError(f"array of shape {host.shape} for an argument "
                                   f"of shape {shape}")
                ptr = self.rt.sseRuntimeAlloc(max(host.nbytes, 4))
                if not ptr:
                    raise GpuError(self.rt.sseRuntimeLastError().decode())
                owned.append(ptr)
                keep.append(host)
                uploads.append((ptr, host))
                arg_ptrs.append(ptr)
                descriptors.append(_descriptor(ptr, shape))
            outputs = []
            for (dtype, shape), in_arg in zip(self.results, self.result_in_arg):
                host = np.empty(shape, _NUMPY[dtype])
                if in_arg is not None:
                    outputs.append((host, arg_ptrs[in_arg]))
                    continue
                ptr = self.rt.sseRuntimeAlloc(max(4, (host.nbytes + 3) // 4 * 4))
                if not ptr:
                    raise GpuError(self.rt.sseRuntimeLastError().decode())
                owned.append(ptr)
                self._check(self.rt.sseRuntimeMemset32(ptr, 0xFFFFFFFF,
                                                       (host.nbytes + 3) // 4))
                outputs.append((host, ptr))
                descriptors.append(_descriptor(ptr, shape))
            array = (ctypes.c_void_p * len(descriptors))(
                *[ctypes.addressof(d) for d in descriptors])
            times, device_times = [], []
            for _ in range(max(1, repeat)):
                for ptr, host in uploads:
                    self._check(self.rt.sseRuntimeCopyToDevice(
                        ptr, host.ctypes.data, host.nbytes))
                self._check(self.rt.sseRuntimeTimerStart())
                self._check(self.rt.sseRuntimeCallEntry(
                    self.handle, self.entry.encode(), array, len(descriptors)))
                times.append(self.rt.sseRuntimeTimerStopMs())
                device_times.append(self.rt.sseRuntimeTimerDeviceMs())
            # The call's device time on its own streams (events before its
            # first launch and its last synchronisation), None without one.
            self.device_ms = (float(np.median(device_times))
                              if min(device_times) >= 0 else None)
            result = []
            for (host, ptr), (dtype, _) in zip(outputs, self.results):
                self._check(self.rt.sseRuntimeCopyToHost(host.ctypes.data, ptr,
                                                         host.nbytes))
                result.append(bf16_bits_to_f32(host) if dtype == "bf16" else host)
            return result, float(np.median(times))
        finally:
            for ptr in owned:
                self.rt.sseRuntimeFree(ptr)
