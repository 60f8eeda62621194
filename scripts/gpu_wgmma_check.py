#!/usr/bin/env python3
"""Checks the warpgroup matrix helper (WarpgroupMMA.h) on a GPU.

    python3 scripts/gpu_wgmma_check.py build DIR   # here: sse-opt + PTX
    python3 scripts/gpu_wgmma_check.py run DIR     # on an sm_90a GPU

`build` emits the test kernel of `sse-opt --test-sse-gpu-wgmma-gemm` for a
few shapes and operand types (bf16, f16, f32 as tf32; N from 8 to 128; K
from 16 to 64) and writes each one's PTX to DIR. `run` needs PyTorch with
CUDA and the driver: it loads each PTX through the CUDA driver API
(ctypes), fills A and B with fresh random values and C with NaN, launches
the kernel on one warpgroup and compares C with the float64 product of the
inputs as the kernel sees them (rounded to the operand type; to tf32 for
f32). The shared-memory layout, the descriptors and the lane map are all
checked at once: any of them wrong puts values in the wrong places. It
also encodes a TMA descriptor through the runtime's
mgpuTensorMapEncodeTiledMemref (DIR/libsse_cuda_runtime.so, copied by
`build`) for a bf16 tensor, which the driver accepts only with a
well-formed argument list. Prints one line per case and "N passed, M
failed".
"""

import ctypes
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [  # (n, k, element)
    (64, 16, "bf16"), (64, 64, "bf16"), (8, 32, "bf16"), (256, 16, "bf16"),
    (128, 32, "f16"), (64, 16, "f32"), (32, 32, "f32"),
]
TOLERANCE = {"bf16": 1e-5, "f16": 1e-5, "f32": 2e-3}  # tf32 keeps 10 bits


def build(out):
    tools = os.environ.get("SSE_TOOLS_DIR", os.path.join(HERE, "..", "build", "bin"))
    opt = os.path.join(tools, "sse-opt")
    os.makedirs(out, exist_ok=True)
    cases = []
    for n, k, element in CASES:
        name = f"n{n}_k{k}_{element}"
        kernel = subprocess.run(
            [opt, "/dev/null", f"--test-sse-gpu-wgmma-gemm=n={n} k={k} element={element}"],
            check=True, capture_output=True).stdout
        lowered = subprocess.run(
            [opt, "--gpu-lower-to-nvvm-pipeline=cubin-chip=sm_90a cubin-features=+ptx80 "
             "cubin-format=isa kernel-bare-ptr-calling-convention=1"],
            input=kernel, check=True, capture_output=True).stdout
        tmp = os.path.join(out, name)
        os.makedirs(tmp, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "extract_ptx.py"), tmp],
                       input=lowered, check=True, capture_output=True)
        os.replace(os.path.join(tmp, "kernel0.ptx"), tmp + ".ptx")
        os.rmdir(tmp)
        cases.append({"name": name, "n": n, "k": k, "element": element})
    runtime = os.path.join(tools, "..", "lib", "libsse_cuda_runtime.so")
    subprocess.run(["cp", runtime, os.path.join(out, "libsse_cuda_runtime.so")], check=True)
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    print(f"built {len(cases)} cases into {out}")


def check(rc, what):
    if rc != 0:
        raise RuntimeError(f"{what} failed with CUDA error {rc}")


def run(out):
    import numpy as np
    import torch
    torch.zeros(1, device="cuda")  # the primary context, current on this thread
    cuda = ctypes.CDLL("libcuda.so.1")
    dtypes = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}
    rng = np.random.default_rng()
    passed = failed = 0
    print(f"device: {torch.cuda.get_device_name()}")
    for case in json.load(open(os.path.join(out, "cases.json"))):
        n, k, element = case["n"], case["k"], case["element"]
        ptx = open(os.path.join(out, case["name"] + ".ptx"), "rb").read() + b"\0"
        module, fn = ctypes.c_void_p(), ctypes.c_void_p()
        check(cuda.cuModuleLoadData(ctypes.byref(module), ptx), "cuModuleLoadData")
        check(cuda.cuModuleGetFunction(ctypes.byref(fn), module, b"gemm"), "cuModuleGetFunction")
        a = torch.tensor(rng.standard_normal((64, k)), dtype=dtypes[element], device="cuda")
        b = torch.tensor(rng.standard_normal((k, n)), dtype=dtypes[element], device="cuda")
        c = torch.full((64, n), float("nan"), dtype=torch.float32, device="cuda")
        ptrs = [ctypes.c_void_p(t.data_ptr()) for t in (a, b, c)]
        params = (ctypes.c_void_p * 3)(*[ctypes.cast(ctypes.byref(p), ctypes.c_void_p) for p in ptrs])
        check(cuda.cuLaunchKernel(fn, 1, 1, 1, 128, 1, 1, 0, None, params, None), "cuLaunchKernel")
        torch.cuda.synchronize()
        a64, b64 = a.double().cpu().numpy(), b.double().cpu().numpy()
        ref = a64 @ b64
        got = c.double().cpu().numpy()
        nan = int(np.isnan(got).sum())
        err = float(np.linalg.norm(np.nan_to_num(got, nan=1e30) - ref) / np.linalg.norm(ref))
        ok = nan == 0 and err <= TOLERANCE[element]
        passed += ok
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {case['name']}: rel err {err:.2e}, nan {nan} "
              f"(tol {TOLERANCE[element]:.0e})")
        cuda.cuModuleUnload(module)
    ok = check_tensor_map(out, torch)
    passed += ok
    failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def check_tensor_map(out, torch):
    """A TMA descriptor of a 4096 x 128 bf16 tensor, 64 x 64 boxes, 128-byte
    swizzle, through the runtime (a ranked memref descriptor as the MLIR
    lowering passes it)."""
    rt = ctypes.CDLL(os.path.join(out, "libsse_cuda_runtime.so"))
    rt.mgpuTensorMapEncodeTiledMemref.restype = ctypes.c_void_p
    t = torch.zeros((4096, 128), dtype=torch.bfloat16, device="cuda")
    desc = (ctypes.c_int64 * 7)(t.data_ptr(), t.data_ptr(), 0, 4096, 128, 128, 1)
    box = (ctypes.c_int64 * 2)(64, 64)
    i64 = ctypes.c_int64
    ptr = rt.mgpuTensorMapEncodeTiledMemref(i64(2), desc, i64(9), i64(0), i64(3), i64(0),
                                            i64(0), box)
    ok = bool(ptr)
    print(f"{'PASS' if ok else 'FAIL'} tensor map: mgpuTensorMapEncodeTiledMemref returned "
          f"{ptr:#x}" if ptr else "FAIL tensor map: null")
    return ok


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("build", "run"):
        sys.exit(__doc__)
    sys.exit(build(sys.argv[2]) if sys.argv[1] == "build" else run(sys.argv[2]))
