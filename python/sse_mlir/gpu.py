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
import os
import subprocess
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .npyio import BF16_NPY_DTYPE, bf16_bits_to_f32, f32_to_bf16_bits

_NUMPY = {"f32": np.dtype("<f4"), "f16": np.dtype("<f2"), "bf16": BF16_NPY_DTYPE,
          "i32": np.dtype("<i4"), "i64": np.dtype("<i8")}


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
    return lib


def _parse_type(words):
    dtype, dims = words
    return dtype, tuple(int(d) for d in dims.split("x"))


class Manifest:
    """manifest.txt of `sse-runner --emit-aot`: the entry, its arguments and
    results as (dtype, shape), and per result the argument whose buffer
    holds it after a call (`in-arg J`: a scan's states updated in place), or
    None (an out parameter)."""

    def __init__(self, path: str):
        self.entry = None
        self.args: List[Tuple[str, tuple]] = []
        self.results: List[Tuple[str, tuple]] = []
        self.result_in_arg: List[Optional[int]] = []
        for line in open(path):
            words = line.split()
            if not words:
                continue
            if words[0] == "entry":
                self.entry = words[1]
            elif words[0] == "arg":
                self.args.append(_parse_type(words[1:3]))
            elif words[0] == "result":
                self.results.append(_parse_type(words[1:3]))
                in_arg = words[3:5]
                self.result_in_arg.append(
                    int(in_arg[1]) if in_arg[:1] == ["in-arg"] else None)
        for j in self.result_in_arg:
            if j is not None and not 0 <= j < len(self.args):
                raise GpuError(f"{path}: a result is in argument {j}, but "
                               f"@{self.entry} takes {len(self.args)}")


class Model:
    """An AOT-compiled entry, callable on device buffers."""

    def __init__(self, model_dir: str):
        self.dir = model_dir
        manifest = Manifest(os.path.join(model_dir, "manifest.txt"))
        self.entry = manifest.entry
        self.args = manifest.args
        self.results = manifest.results
        self.result_in_arg = manifest.result_in_arg
        self.rt = _load_runtime(_runtime_path(model_dir))
        self._check(self.rt.sseRuntimeInit())
        self.device = self.rt.sseRuntimeDeviceName().decode()
        self.handle = self.rt.sseRuntimeLoadModel(
            os.path.join(model_dir, "model.so").encode())
        if not self.handle:
            raise GpuError(self.rt.sseRuntimeLastError().decode())

    @staticmethod
    def build(module_text: str, entry: str, model_dir: str, runner: str = None):
        """Compiles an entry for CUDA into model_dir (no GPU needed)."""
        from .runner import find_tool
        os.makedirs(model_dir, exist_ok=True)
        src = os.path.join(model_dir, "model.mlir")
        with open(src, "w") as f:
            f.write(module_text)
        subprocess.run([runner or find_tool("sse-runner"), src, f"--entry={entry}",
                        "--target=cuda", f"--emit-aot={model_dir}"], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["c++", "-shared", "-o", os.path.join(model_dir, "model.so"),
                        os.path.join(model_dir, "model.o")], check=True)

    @staticmethod
    def load(model_dir: str) -> "Model":
        return Model(model_dir)

    def _check(self, status):
        if status != 0:
            raise GpuError(self.rt.sseRuntimeLastError().decode())

    def _descriptor(self, ptr: int, shape: tuple):
        rank = len(shape)
        words = (ctypes.c_int64 * (3 + 2 * rank))()
        words[0] = words[1] = ptr
        stride = 1
        for d in range(rank - 1, -1, -1):
            words[3 + d] = shape[d]
            words[3 + rank + d] = stride
            stride *= shape[d]
        return words

    def __call__(self, inputs: Sequence, repeat: int = 1):
        """Runs the entry; returns (outputs as NumPy, median milliseconds).

        Inputs are NumPy arrays (bf16 given as float32 is rounded) or torch
        CUDA tensors of the right dtype and shape (no copy). A scan's final
        states are written in place into its initial states' argument (the
        manifest says `in-arg J`): a torch tensor given there is updated by
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
                    arg_ptrs.append(x.data_ptr())
                    descriptors.append(self._descriptor(x.data_ptr(), shape))
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
                descriptors.append(self._descriptor(ptr, shape))
            outputs = []
            for (dtype, shape), in_arg in zip(self.results, self.result_in_arg):
                host = np.empty(shape, _NUMPY[dtype])
                if in_arg is not None:
                    outputs.append((host, arg_ptrs[in_arg]))
                    continue
                ptr = self.rt.sseRuntimeAlloc(max(host.nbytes, 4))
                if not ptr:
                    raise GpuError(self.rt.sseRuntimeLastError().decode())
                owned.append(ptr)
                self._check(self.rt.sseRuntimeMemset32(ptr, 0xFFFFFFFF, host.nbytes // 4))
                outputs.append((host, ptr))
                descriptors.append(self._descriptor(ptr, shape))
            array = (ctypes.c_void_p * len(descriptors))(
                *[ctypes.cast(d, ctypes.c_void_p) for d in descriptors])
            times = []
            for _ in range(max(1, repeat)):
                for ptr, host in uploads:
                    self._check(self.rt.sseRuntimeCopyToDevice(
                        ptr, host.ctypes.data, host.nbytes))
                self._check(self.rt.sseRuntimeTimerStart())
                self._check(self.rt.sseRuntimeCallEntry(
                    self.handle, self.entry.encode(), array, len(descriptors)))
                times.append(self.rt.sseRuntimeTimerStopMs())
            result = []
            for (host, ptr), (dtype, _) in zip(outputs, self.results):
                self._check(self.rt.sseRuntimeCopyToHost(host.ctypes.data, ptr,
                                                         host.nbytes))
                result.append(bf16_bits_to_f32(host) if dtype == "bf16" else host)
            return result, float(np.median(times))
        finally:
            for ptr in owned:
                self.rt.sseRuntimeFree(ptr)
