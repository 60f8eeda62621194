"""The ahead-of-time CUDA path compiles on machines without a GPU.

`sse-runner --target=cuda --emit-aot=DIR` writes a host object that calls
the mgpu* runtime (kernels embedded) and a manifest of the entry's
signature; sse-aot-run then needs only libsse_cuda_runtime. These checks
run everywhere; running the objects needs a GPU (scripts/gpu_suite.py).
"""

import os
import subprocess

import numpy as np
import pytest

from sse_mlir.cases import ScanCase
from sse_mlir.runner import find_tool


def emit(tmp_path, case):
    module = case.module()
    src = tmp_path / "m.mlir"
    src.write_text(module.text)
    out = tmp_path / "aot"
    proc = subprocess.run([find_tool("sse-runner"), str(src), f"--entry={module.entry}",
                           "--target=cuda", f"--emit-aot={out}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return module, out


def test_emit_aot_object_and_manifest(tmp_path):
    case = ScanCase(T=40, K=32, V=32, H=2, N=4, k=1, dtype="bf16", gate="per_key",
                    routing="router", shared=True, shared_gate="per_key", init=True)
    module, out = emit(tmp_path, case)
    manifest = (out / "manifest.txt").read_text().splitlines()
    assert manifest[0] == f"entry {module.entry}"
    args = [l for l in manifest if l.startswith("arg ")]
    results = [l for l in manifest if l.startswith("result ")]
    assert len(args) == len(module.args)
    # The final states are written in place into init (no out parameter).
    init = module.args.index("init")
    assert results == ["result bf16 1x40x2x32",
                       f"result f32 1x2x5x32x32 in-arg {init}"]
    symbols = subprocess.run(["nm", str(out / "model.o")], capture_output=True,
                             text=True, check=True).stdout
    assert f"T _mlir_ciface_{module.entry}" in symbols
    for fn in ("mgpuLaunchKernel", "mgpuModuleLoadJIT", "mgpuMemAlloc"):
        assert f"U {fn}" in symbols
    # The object links into a shared library without LLVM.
    subprocess.run(["c++", "-shared", "-o", str(out / "model.so"), str(out / "model.o")],
                   check=True)
    assert os.path.getsize(out / "model.so") > 0


def test_python_manifest_reads_results_in_arguments(tmp_path):
    from sse_mlir.gpu import Manifest
    case = ScanCase(T=8, K=16, V=16, H=1, N=2, k=1, routing="args", init=True)
    module, out = emit(tmp_path, case)
    m = Manifest(str(out / "manifest.txt"))
    assert m.entry == module.entry
    assert len(m.args) == len(module.args)
    assert m.results == [("f32", (1, 8, 1, 16)), ("f32", (1, 1, 2, 16, 16))]
    assert m.result_in_arg == [None, module.args.index("init")]


def test_states_without_init_are_an_out_parameter(tmp_path):
    case = ScanCase(T=20, K=16, V=16, H=1, N=2, k=1, routing="args")
    module, out = emit(tmp_path, case)
    results = [l for l in (out / "manifest.txt").read_text().splitlines()
               if l.startswith("result ")]
    assert results == ["result f32 1x20x1x16", "result f32 1x1x2x16x16"]


@pytest.mark.skipif(os.path.exists("/dev/nvidiactl"),
                    reason="GPU machine: scripts/gpu_suite.py runs the objects")
def test_aot_run_without_gpu_is_a_clear_error(tmp_path):
    case = ScanCase(T=8, K=16, V=16, H=1, N=1, k=1)
    module, out = emit(tmp_path, case)
    subprocess.run(["c++", "-shared", "-o", str(out / "model.so"), str(out / "model.o")],
                   check=True)
    inputs = []
    for name, (shape, _) in zip(module.args, module.arg_types):
        path = tmp_path / f"{name}.npy"
        np.save(path, np.ones(shape, np.float32))
        inputs.append(str(path))
    proc = subprocess.run([find_tool("sse-aot-run"), str(out / "model.so"),
                           str(out / "manifest.txt"), *inputs, "--output-dir=x"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "sse-aot-run: error: cannot load the CUDA driver" in proc.stderr
