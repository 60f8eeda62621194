#!/usr/bin/env python3
"""Check the self-contained JIT runner on a GPU machine without LLVM.

    python3 scripts/gpu_jit_check.py OUTDIR [--target=cuda] [--seed=N]

OUTDIR is what scripts/pack_jit_runner.sh wrote (bin/sse-runner.xz, lib/).
Run from anywhere on a machine with an NVIDIA GPU and its driver, Python
with NumPy and this repository's python/ folder; no LLVM/MLIR needed. It
decompresses bin/sse-runner (once), then for each case writes the .mlir
(python/sse_mlir), draws inputs, runs `sse-runner --target=cuda --time`
(JIT: lowering, PTX, launch; outputs are poisoned with NaN first, so an
element never written shows), compares every output with the float64
reference (relative Frobenius error, as scripts/gpu_suite.py) and prints one
line per case with the per-kernel times, then "N passed, M failed". Exits
non-zero if any case fails.

--target=cpu runs the same cases on the CPU (with the CPU tolerances), to
check a packed runner on a machine without a GPU.
"""

import argparse
import lzma
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import numpy as np  # noqa: E402

from sse_mlir import reference  # noqa: E402
from sse_mlir.cases import TOL as CPU_TOLERANCE  # noqa: E402
from sse_mlir.cases import (ScanCase, draw_scan_inputs,  # noqa: E402
                            reference_scan, rel_err)
from sse_mlir.example import EXAMPLE, layer_inputs  # noqa: E402
from sse_mlir.npyio import bf16_bits_to_f32  # noqa: E402
from sse_mlir.runner import to_npy_array  # noqa: E402

# Accuracy on the GPU (SPEC.md section 5; as scripts/gpu_suite.py).
GPU_TOLERANCE = {"f32": 1e-3, "f16": 1e-2, "bf16": 1e-2}


class Check:
    """One module to run: its text, entry, inputs and expected outputs."""

    def __init__(self, name, dtype, text, entry, inputs, arg_dtypes,
                 result_dtypes, expected):
        self.name = name
        self.dtype = dtype
        self.text = text
        self.entry = entry
        self.inputs = inputs              # arrays in argument order
        self.arg_dtypes = arg_dtypes
        self.result_dtypes = result_dtypes
        self.expected = expected          # [(label, result index, float64 ref)]


def scan_check(label, case, rng):
    module = case.module()
    x = draw_scan_inputs(case, rng)
    o, states = reference_scan(case, x)
    return Check(f"{label} {case.id}", case.dtype, module.text, module.entry,
                 [x[name] for name in module.args], module.arg_dtypes,
                 module.result_dtypes, [("o", 0, o), ("states", 1, states)])


def example_check(rng):
    """examples/sse_gla_core.mlir with inputs as sse_mlir.example draws them."""
    text = open(EXAMPLE).read()
    arg_types = re.findall(r"%\w+: tensor<([0-9x]+)xf32>", text.split("->")[0])
    shapes = [tuple(int(d) for d in t.split("x")) for t in arg_types]
    B, T, H, K = shapes[0]
    V, N, k = shapes[4][3], shapes[7][2], 1
    inputs = layer_inputs(rng, B, T, H, K, V, N)
    o, states = reference.sse_gla_core(*[a.astype(np.float64) for a in inputs], k=k)
    return Check(f"example {os.path.basename(EXAMPLE)}", "f32", text, "sse_gla_core",
                 inputs, ["f32"] * len(inputs), ["f32"] * 3,
                 [("o", 0, o), ("shared state", 1, states[:, :, :1]),
                  ("routed states", 2, states[:, :, 1:])])


def checks(rng):
    return [
        scan_check("f32 router+shared", ScanCase(
            T=65, K=64, V=64, H=2, N=4, k=1, gate="per_key", routing="router",
            shared=True, shared_gate="per_key"), rng),
        scan_check("bf16 router+shared (tensor cores)", ScanCase(
            T=200, K=128, V=128, H=2, N=4, k=1, dtype="bf16", gate="per_key",
            routing="router", shared=True, shared_gate="per_key", init=True), rng),
        scan_check("f32 delta rule (SSE-GDN)", ScanCase(
            T=130, K=64, V=64, H=2, N=4, k=1, gate="scalar", rule="delta",
            routing="router", shared=True, shared_gate="scalar", read_gate=False,
            write_gate=False), rng),
        scan_check("bf16 delta rule, routing args", ScanCase(
            T=100, K=64, V=64, H=2, N=4, k=2, dtype="bf16", gate="scalar",
            rule="delta", routing="args", init=True), rng),
        scan_check("f32 packed cu_seqlens", ScanCase(
            T=205, K=32, V=32, H=2, N=4, k=1, gate="per_key", routing="router",
            seq_lens=(5, 64, 130), tail=6, init=True), rng),
        example_check(rng),
    ]


def unpack_runner(outdir):
    """OUTDIR/bin/sse-runner, decompressed from sse-runner.xz if needed."""
    runner = os.path.join(outdir, "bin", "sse-runner")
    packed = runner + ".xz"
    if os.path.exists(packed) and (not os.path.exists(runner) or
                                   os.path.getmtime(runner) < os.path.getmtime(packed)):
        t0 = time.time()
        tmp = runner + ".tmp"
        with lzma.open(packed) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(tmp, 0o755)
        os.replace(tmp, runner)
        print(f"decompressed {packed} ({os.path.getsize(runner) / 2**20:.1f} MiB) "
              f"in {time.time() - t0:.1f} s")
    if not os.path.exists(runner):
        sys.exit(f"error: neither {runner} nor {packed} exists "
                 f"(run scripts/pack_jit_runner.sh {outdir} on the build machine)")
    return runner


def kernel_times(stderr):
    """{kernel: [ms, ...]} from the runtime's `sse-runtime: kernel K: X ms` lines."""
    times = {}
    for name, ms in re.findall(r"sse-runtime: kernel (\S+): ([0-9.]+) ms", stderr):
        times.setdefault(name, []).append(float(ms))
    return times


def run_check(runner, check, target, repeat, work):
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "model.mlir")
    with open(model, "w") as f:
        f.write(check.text)
    files = []
    for i, (x, dtype) in enumerate(zip(check.inputs, check.arg_dtypes)):
        path = os.path.join(work, f"arg{i}.npy")
        np.save(path, to_npy_array(x, dtype))
        files.append(path)
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [runner, model, f"--entry={check.entry}", f"--target={target}", *files,
           f"--output-dir={out}", "--time", f"--repeat={repeat}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        return False, proc.stderr.strip() or f"exit status {proc.returncode}", proc
    outs = []
    for i, dtype in enumerate(check.result_dtypes):
        a = np.load(os.path.join(out, f"result{i}.npy"))
        outs.append(bf16_bits_to_f32(a).astype(np.float64) if dtype == "bf16"
                    else a.astype(np.float64))
    tol = (GPU_TOLERANCE if target == "cuda" else CPU_TOLERANCE)[check.dtype]
    nan = sum(int(np.isnan(a).sum()) for a in outs)
    errs = []
    for label, index, ref in check.expected:
        if outs[index].shape != ref.shape:
            return False, f"{label}: shape {outs[index].shape} != {ref.shape}", proc
        errs.append((label, rel_err(outs[index], ref)))
    ok = nan == 0 and all(e <= tol for _, e in errs)
    summary = ", ".join(f"{label} {e:.1e}" for label, e in errs)
    summary += f", nan {nan} (tol {tol:g})"
    m = re.search(r"compile: ([0-9.]+) s, run: median ([0-9.]+) s", proc.stdout)
    if m:
        summary += f"; compile {float(m.group(1)):.2f} s, run {1e3 * float(m.group(2)):.3f} ms"
    return ok, summary, proc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", help="what scripts/pack_jit_runner.sh wrote")
    parser.add_argument("--target", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--seed", type=int, default=None,
                        help="input seed (default: fresh randomness)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep the modules, inputs and outputs in DIR")
    opts = parser.parse_args(argv)

    runner = unpack_runner(opts.outdir)
    proc = subprocess.run([runner, "--version"], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"FAIL: {runner} does not start:\n{proc.stderr.strip()}")
        print("0 passed, 1 failed")
        return 1
    version = " ".join(proc.stdout.split())
    seed = opts.seed if opts.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"{runner} ({version}), --target={opts.target}, seed {seed}")
    rng = np.random.default_rng(seed)

    work = opts.keep or tempfile.mkdtemp(prefix="sse_jit_check_")
    passed = failed = 0
    try:
        for n, check in enumerate(checks(rng)):
            ok, summary, proc = run_check(runner, check, opts.target, opts.repeat,
                                          os.path.join(work, f"case{n}"))
            passed += ok
            failed += not ok
            print(f"{'PASS' if ok else 'FAIL'} {check.name}: {summary}", flush=True)
            times = kernel_times(proc.stderr)
            if times:
                # Kernels of one entry may share a name: say how many ran.
                print("     kernels (median ms): " + ", ".join(
                    f"{name} {statistics.median(ms):.4f}"
                    + (f" (x{len(ms) // opts.repeat} per run)"
                       if len(ms) > opts.repeat else "")
                    for name, ms in times.items()))
            if not ok and "--target=cuda: " in summary:
                print("(the runner cannot use the GPU; not trying the other cases)")
                break
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
