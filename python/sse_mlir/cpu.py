"""Compile an sse entry for the CPU once, then call it from Python.

    model = cpu.CpuModel.build(module_text, entry, workdir)   # needs sse-runner
    model = cpu.CpuModel.load(workdir)                        # needs no LLVM tools
    outputs = model(inputs)                                   # NumPy in, NumPy out

``build`` compiles with ``sse-runner --target=cpu --emit-aot`` (the
``sse-to-llvm-cpu`` pipeline, code for this machine's CPU) and links
model.o into model.so; ``load`` opens it with ctypes beside the support
libraries that ``support-libs.txt`` names (MLIR's runner utilities).  A call
is then a direct call of the entry's packed interface on the arrays' own
memory: no process, no JIT, no file.  Outputs are poisoned with NaN (all
ones for integers) before the call, so an element never written shows.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
from typing import List, Sequence

import numpy as np

from .aot import NUMPY_DTYPES, Manifest, descriptor
from .npyio import bf16_bits_to_f32, f32_to_bf16_bits

__all__ = ["CpuError", "CpuModel"]


class CpuError(RuntimeError):
    """A model that cannot be built, loaded or called; the message says why."""


def _poison(a: np.ndarray) -> None:
    if a.dtype.kind == "f":
        a.fill(np.nan)
    else:  # ints, and bf16 as its bits: all ones is a NaN for every float
        a.fill(-1 if a.dtype.kind == "i" else np.iinfo(a.dtype).max)


class CpuModel:
    """An entry compiled ahead of time for this CPU, callable on NumPy arrays."""

    def __init__(self, model_dir: str):
        self.dir = model_dir
        manifest = Manifest(os.path.join(model_dir, "manifest.json"), CpuError)
        self.entry = manifest.entry
        self.args = manifest.args
        self.results = manifest.results
        self.result_in_arg = manifest.result_in_arg
        libs_txt = os.path.join(model_dir, "support-libs.txt")
        try:
            with open(libs_txt) as f:
                libs = [line.strip() for line in f if line.strip()]
        except OSError as e:
            raise CpuError(f"{libs_txt}: {e.strerror}; rebuild with "
                           "sse-runner --target=cpu --emit-aot") from None
        # RTLD_GLOBAL: model.so resolves memrefCopy and friends against them.
        self._libs = []
        for lib in libs:
            try:
                self._libs.append(ctypes.CDLL(lib, mode=os.RTLD_NOW | os.RTLD_GLOBAL))
            except OSError as e:
                raise CpuError(f"{libs_txt} names {lib}, which cannot be loaded: {e}") from None
        so = os.path.join(model_dir, "model.so")
        try:
            self._lib = ctypes.CDLL(so, mode=os.RTLD_NOW)
        except OSError as e:
            raise CpuError(f"cannot load {so}: {e}") from None
        try:
            embedded = ctypes.string_at(ctypes.addressof(
                ctypes.c_char.in_dll(self._lib, f"_sse_aot_signature_{self.entry}"))).decode()
            self._fn = getattr(self._lib, f"_mlir__mlir_ciface_{self.entry}")
        except (ValueError, AttributeError):
            raise CpuError(f"{so} has no AOT interface of @{self.entry}; rebuild it "
                           "with this sse-runner --emit-aot") from None
        if embedded != manifest.signature():
            raise CpuError(f"the manifest does not describe {so}: the model is "
                           f"{embedded}, the manifest {manifest.signature()}")
        self._fn.restype = None
        self._fn.argtypes = [ctypes.POINTER(ctypes.c_void_p)]

    @staticmethod
    def build(module_text: str, entry: str, model_dir: str, runner: str = None,
              pipeline_options: str = "") -> "CpuModel":
        """Compiles ``entry`` of ``module_text`` into model_dir and loads it.
        ``pipeline_options`` go to sse-to-llvm-cpu (e.g. ``"fuse=false"``)."""
        from .runner import RunnerError, find_tool
        os.makedirs(model_dir, exist_ok=True)
        src = os.path.join(model_dir, "model.mlir")
        with open(src, "w") as f:
            f.write(module_text)
        extra = [f"--pipeline-options={pipeline_options}"] if pipeline_options else []
        proc = subprocess.run([runner or find_tool("sse-runner"), src, f"--entry={entry}",
                               "--target=cpu", f"--emit-aot={model_dir}", *extra],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RunnerError(f"sse-runner --emit-aot failed for {src}:\n{proc.stderr.strip()}")
        link = subprocess.run(["c++", "-shared", "-o", os.path.join(model_dir, "model.so"),
                               os.path.join(model_dir, "model.o"), "-lm"],
                              capture_output=True, text=True)
        if link.returncode != 0:
            raise CpuError(f"linking {model_dir}/model.so failed:\n{link.stderr.strip()}")
        return CpuModel(model_dir)

    @staticmethod
    def load(model_dir: str) -> "CpuModel":
        return CpuModel(model_dir)

    def __call__(self, inputs: Sequence) -> List[np.ndarray]:
        """Runs the entry on ``inputs`` (NumPy arrays in argument order; bf16
        arguments given as floats are rounded) and returns its results
        (bf16 ones widened to float32).  Arguments are read in place and
        never written: one whose buffer the entry updates (a scan's states,
        ``in_arg`` in the manifest) is copied first."""
        if len(inputs) != len(self.args):
            raise CpuError(f"@{self.entry} takes {len(self.args)} arguments, "
                           f"got {len(inputs)}")
        written = {j for j in self.result_in_arg if j is not None}
        arrays, descriptors = [], []
        for i, (x, (dtype, shape)) in enumerate(zip(inputs, self.args)):
            a = np.asarray(x)
            if dtype == "bf16" and a.dtype != np.uint16:
                a = f32_to_bf16_bits(a)
            if a.shape != shape:
                raise CpuError(f"argument {i} of @{self.entry}: an array of shape "
                               f"{a.shape} for {dtype}{list(shape)}")
            if a.dtype != NUMPY_DTYPES[dtype] and not (
                    dtype != "bf16" and a.dtype.kind == NUMPY_DTYPES[dtype].kind):
                raise CpuError(f"argument {i} of @{self.entry}: an array of "
                               f"{a.dtype} for {dtype}")
            a = np.ascontiguousarray(a, dtype=NUMPY_DTYPES[dtype])
            if i in written and a is x:
                a = a.copy()
            arrays.append(a)
            descriptors.append(descriptor(a.ctypes.data, shape))
        outputs = []
        for (dtype, shape), j in zip(self.results, self.result_in_arg):
            if j is not None:
                outputs.append(arrays[j])
                continue
            out = np.empty(shape, NUMPY_DTYPES[dtype])
            _poison(out)
            outputs.append(out)
            descriptors.append(descriptor(out.ctypes.data, shape))
        # args[i] points to the i-th argument of _mlir_ciface_<entry>: a
        # pointer to a descriptor.
        pointers = (ctypes.c_void_p * len(descriptors))(
            *[ctypes.addressof(d) for d in descriptors])
        slots = (ctypes.c_void_p * len(descriptors))(
            *[ctypes.addressof(pointers) + k * ctypes.sizeof(ctypes.c_void_p)
              for k in range(len(descriptors))])
        self._fn(slots)
        return [bf16_bits_to_f32(o) if dtype == "bf16" else o
                for o, (dtype, _) in zip(outputs, self.results)]
