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
from typing import Sequence

import numpy as np

from .aot import NUMPY_DTYPES as _NUMPY
from .aot import Manifest as _Manifest
from .aot import descriptor as _descriptor
from .npyio import bf16_bits_to_f32, f32_to_bf16_bits


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


class Model:
    """An AOT-compiled entry, callable on device buffers."""

    def __init__(self, model_dir: str):
        self.dir = model_dir
        manifest = _Manifest(os.path.join(model_dir, "manifest.json"), GpuError)
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
