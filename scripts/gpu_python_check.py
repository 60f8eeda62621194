#!/usr/bin/env python3
"""The Python GPU path (sse_mlir.gpu.Model) against the float64 reference.

    python3 scripts/gpu_python_check.py build DIR   # on a machine with the build
    python3 scripts/gpu_python_check.py run DIR     # on a machine with a GPU

`build` compiles a few scans with `Model.build` (AOT, no GPU needed). `run`
needs Python with NumPy (and PyTorch with CUDA for the tensor half), the
repository's python/ folder and DIR. Per case it draws fresh inputs and
checks o and the final states against the reference twice: with NumPy
inputs (copied to the device; the states come back from init's buffer),
and with PyTorch CUDA tensors, where init must be updated in place to the
final states (a decode step's state cache). Prints one line per check and
"N passed, M failed".
"""

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import numpy as np  # noqa: E402

from sse_mlir.cases import (ScanCase, draw_scan_inputs,  # noqa: E402
                            fresh_rng, load_built_cases, reference_scan,
                            rel_err)

TOLERANCE = {"f32": 1e-3, "f16": 1e-2, "bf16": 1e-2}


def cases():
    return [
        ScanCase(T=200, K=64, V=64, H=2, N=4, k=1, dtype="bf16", gate="per_key",
                 routing="router", shared=True, shared_gate="per_key",
                 init=True),
        ScanCase(T=130, K=64, V=64, H=2, N=4, k=1, gate="scalar", rule="delta",
                 routing="router", shared=True, shared_gate="scalar",
                 read_gate=False, write_gate=False, init=True),
        # A decode step: most routed partitions get no token.
        ScanCase(B=4, T=1, K=128, V=128, H=2, N=4, k=1, dtype="bf16",
                 gate="per_key", routing="router", shared=True,
                 shared_gate="per_key", init=True),
    ]


def build(out):
    from sse_mlir.gpu import Model
    os.makedirs(out, exist_ok=True)
    for i, case in enumerate(cases()):
        module = case.module()
        d = os.path.join(out, f"case{i}")
        Model.build(module.text, module.entry, d)
        with open(os.path.join(d, "case.py"), "w") as f:
            f.write(repr(case))
    shutil.copy(os.path.join(HERE, "..", "build", "lib",
                             "libsse_cuda_runtime.so"), out)
    print(f"built {len(cases())} cases into {out}")


def run(out):
    from sse_mlir.gpu import Model, cuda_tensor
    try:
        import torch
        have_torch = torch.cuda.is_available()
    except ImportError:
        have_torch = False
    passed = failed = 0

    def report(ok, text):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(("PASS " if ok else "FAIL ") + text)

    for d, path, case in load_built_cases(out):
        module = case.module()
        x = draw_scan_inputs(case, fresh_rng())
        o_ref, s_ref = reference_scan(case, x)
        tol = TOLERANCE[case.dtype]
        model = Model.load(path)
        inputs = [x[name] for name in module.args]
        (o, s), _ = model(inputs, repeat=2)
        errs = (rel_err(o, o_ref), rel_err(s, s_ref))
        report(max(errs) <= tol and not np.isnan(o).any(),
               f"{d} {case.id} numpy: o {errs[0]:.1e}, states {errs[1]:.1e} "
               f"(tol {tol})")
        if not have_torch:
            print(f"SKIP {d} torch: no PyTorch with CUDA")
            continue
        tensors = [cuda_tensor(a, t) for a, t in zip(inputs, module.arg_dtypes)]
        init = tensors[module.args.index("init")]
        (o, s), _ = model(tensors)
        torch.cuda.synchronize()
        in_place = init.cpu().numpy().astype(np.float64)
        errs = (rel_err(o, o_ref), rel_err(s, s_ref), rel_err(in_place, s_ref))
        report(max(errs) <= tol,
               f"{d} {case.id} torch: o {errs[0]:.1e}, states {errs[1]:.1e}, "
               f"init updated in place {errs[2]:.1e} (tol {tol})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("build", "run"):
        sys.exit(__doc__)
    sys.exit(build(sys.argv[2]) if sys.argv[1] == "build" else run(sys.argv[2]))
