"""Run an entry function of an ``.mlir`` module on the CPU through ``sse-runner``.

Arrays travel as ``.npy`` files: f32 ``'<f4'``, f16 ``'<f2'``, i32, i64, and
bf16 as raw bits in ``'<u2'`` (see :mod:`sse_mlir.npyio`).  bf16 results are
widened back to float32.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from typing import List, Optional, Sequence

import numpy as np

from .npyio import BF16_NPY_DTYPE, bf16_bits_to_f32, f32_to_bf16_bits

__all__ = ["RunnerError", "find_tool", "tools_dir", "to_npy_array", "run", "run_module"]

#: dtype name -> NumPy dtype of its ``.npy`` representation.
NPY_DTYPES = {
    "f32": np.dtype("<f4"),
    "f16": np.dtype("<f2"),
    "bf16": BF16_NPY_DTYPE,
    "i32": np.dtype("<i4"),
    "i64": np.dtype("<i8"),
}


class RunnerError(RuntimeError):
    """sse-runner failed; carries its command line, exit status and stderr."""

    def __init__(self, message: str, cmd=None, returncode=None, stdout="", stderr=""):
        super().__init__(message)
        self.cmd = cmd
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def tools_dir() -> str:
    """``$SSE_TOOLS_DIR`` if set, else ``<repo>/build/bin`` (python/../build/bin)
    for the package in its source tree."""
    env = os.environ.get("SSE_TOOLS_DIR")
    if env:
        return env
    package = os.path.dirname(os.path.abspath(__file__))  # python/sse_mlir
    return os.path.normpath(os.path.join(package, "..", "..", "build", "bin"))


def find_tool(name: str) -> str:
    """Absolute path of the executable ``name``: in :func:`tools_dir`, or,
    when SSE_TOOLS_DIR is not set and the package is installed outside its
    source tree (no build/bin beside it), on PATH."""
    path = os.path.join(tools_dir(), name)
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    if not os.environ.get("SSE_TOOLS_DIR"):
        found = shutil.which(name)
        if found:
            return os.path.abspath(found)
    raise FileNotFoundError(
        f"{name} not found in {tools_dir()} or on PATH (set SSE_TOOLS_DIR to "
        f"the directory holding the built tools)")


def to_npy_array(x, dtype: str) -> np.ndarray:
    """Convert ``x`` to the ``.npy`` representation of element type ``dtype``."""
    if dtype not in NPY_DTYPES:
        raise ValueError(f"unsupported dtype {dtype!r}; supported: {sorted(NPY_DTYPES)}")
    if dtype == "bf16":
        x = np.asarray(x)
        if x.dtype == BF16_NPY_DTYPE or x.dtype == np.uint16:
            return np.ascontiguousarray(x, dtype=BF16_NPY_DTYPE)  # already bits
        return f32_to_bf16_bits(x)
    return np.ascontiguousarray(np.asarray(x), dtype=NPY_DTYPES[dtype])


def _from_npy_array(a: np.ndarray, dtype: Optional[str]) -> np.ndarray:
    """bf16 bits -> float32; everything else unchanged."""
    if dtype == "bf16" or (dtype is None and a.dtype == BF16_NPY_DTYPE):
        return bf16_bits_to_f32(a)
    return a


def run(mlir_text: str, entry: str, inputs: Sequence, dtypes: Sequence[str],
        workdir: Optional[str] = None, result_dtypes: Optional[Sequence[str]] = None,
        extra_args: Sequence[str] = (), timeout: Optional[float] = None
        ) -> List[np.ndarray]:
    """JIT-run ``@entry`` of ``mlir_text`` on the CPU and return its results.

    Parameters
    ----------
    mlir_text : the module text.
    entry : the function to run.
    inputs : one array per function argument, in order.
    dtypes : the element type of each argument (``f32``, ``f16``, ``bf16``,
        ``i32``, ``i64``); inputs are converted to it (bf16 by rounding to
        nearest even, unless the array already holds uint16 bits).
    workdir : where the ``.mlir``/``.npy`` files go; a temporary directory
        (removed afterwards) if None.
    result_dtypes : element types of the results, used to recognise bf16
        outputs; if None any ``'<u2'`` result is taken to be bf16.
    extra_args : more command-line flags for sse-runner.

    Returns the results in order; bf16 ones as float32.

    Raises :class:`RunnerError` (with sse-runner's stderr in the message) if
    it exits non-zero or is killed by a signal.
    """
    if len(inputs) != len(dtypes):
        raise ValueError(f"{len(inputs)} inputs but {len(dtypes)} dtypes")
    tool = find_tool("sse-runner")
    tmp = None
    if workdir is None:
        tmp = tempfile.mkdtemp(prefix="sse_run_")
        workdir = tmp
    try:
        os.makedirs(workdir, exist_ok=True)
        module_path = os.path.join(workdir, "module.mlir")
        with open(module_path, "w") as f:
            f.write(mlir_text)
        arg_paths = []
        for i, (x, dt) in enumerate(zip(inputs, dtypes)):
            path = os.path.join(workdir, f"arg{i}.npy")
            np.save(path, to_npy_array(x, dt))
            arg_paths.append(path)
        out_dir = os.path.join(workdir, "out")
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        cmd = [tool, module_path, f"--entry={entry}", "--target=cpu", *arg_paths,
               f"--output-dir={out_dir}", *extra_args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            how = (f"was killed by signal {-proc.returncode}" if proc.returncode < 0
                   else f"exited with status {proc.returncode}")
            raise RunnerError(
                f"sse-runner {how} running @{entry}:\n{proc.stderr.strip()}",
                cmd=cmd, returncode=proc.returncode, stdout=proc.stdout,
                stderr=proc.stderr)
        results = []
        i = 0
        while os.path.exists(os.path.join(out_dir, f"result{i}.npy")):
            a = np.load(os.path.join(out_dir, f"result{i}.npy"))
            dt = result_dtypes[i] if result_dtypes is not None and i < len(result_dtypes) else None
            results.append(_from_npy_array(a, dt))
            i += 1
        if result_dtypes is not None and len(results) != len(result_dtypes):
            raise RunnerError(
                f"sse-runner wrote {len(results)} results for @{entry}, expected "
                f"{len(result_dtypes)}", cmd=cmd, returncode=0, stdout=proc.stdout,
                stderr=proc.stderr)
        return results
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def run_module(module, inputs: Sequence, workdir: Optional[str] = None, **kwargs
               ) -> List[np.ndarray]:
    """:func:`run` for a :class:`sse_mlir.mlirgen.Module` (dtypes from it)."""
    return run(module.text, module.entry, inputs, module.arg_dtypes, workdir=workdir,
               result_dtypes=module.result_dtypes, **kwargs)
