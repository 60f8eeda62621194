#!/usr/bin/env python3
"""The GPU suite: build here (no GPU), run on a machine with one (no LLVM).

    python3 scripts/gpu_suite.py build DIR   # on a machine with the build
    python3 scripts/gpu_suite.py run DIR     # on a machine with an NVIDIA GPU

`build` compiles every case of the GPU matrix (SPEC.md section 5) with
`sse-runner --target=cuda --emit-aot`, links each host object into
DIR/<case>/model.so, and copies sse-aot-run and libsse_cuda_runtime.so into
DIR. `run` needs only Python with NumPy, the repository's python/ folder and
DIR: for every case it draws fresh random inputs, runs the kernels through
sse-aot-run (outputs poisoned with NaN first), compares o and the final
states with the float64 reference, and prints one line per case, the worst
relative error per input dtype, and "N passed, M failed".
"""

import os
import re
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import numpy as np  # noqa: E402

from sse_mlir.cases import (GlaCoreCase, ScanCase,  # noqa: E402
                            draw_gla_core_inputs, draw_scan_inputs, fresh_rng,
                            load_built_cases, reference_gla_core,
                            reference_scan, rel_err)
from sse_mlir.mlirgen import Schedule  # noqa: E402
from sse_mlir.npyio import bf16_bits_to_f32, f32_to_bf16_bits  # noqa: E402

# SSE_PIPELINE_OPTIONS (e.g. kernels=v1) goes to sse-to-nvvm in `build`.
PIPELINE_OPTIONS = os.environ.get("SSE_PIPELINE_OPTIONS", "")
# Whether the build uses the sse_gpu kernels (the default, kernels=v2).
V2_BUILD = "kernels=v1" not in PIPELINE_OPTIONS.replace(" ", "")

# Accuracy on the GPU (SPEC.md section 5).
TOLERANCE = {"f32": 1e-3, "f16": 1e-2, "bf16": 1e-2}


def gpu_cases():
    """The GPU matrix: every value of SPEC section 5, combined pairwise-ish."""
    c = []
    for T in (1, 7, 63, 64, 65, 1000):
        c.append(ScanCase(T=T, K=64, V=64, H=2, N=4, k=1, gate="per_key",
                          routing="router", shared=True, shared_gate="per_key"))
    for N, k in ((1, 1), (2, 1), (2, 2), (4, 2), (4, 4), (16, 1), (16, 4)):
        c.append(ScanCase(T=65, K=32, V=32, H=2, N=N, k=k, gate="scalar",
                          routing="args"))
    for K, V in ((16, 16), (64, 128), (128, 64), (128, 128), (256, 256),
                 (16, 256)):
        c.append(ScanCase(T=63, K=K, V=V, H=1, N=4, k=2, gate="per_key",
                          routing="router", init=True))
    for dtype in ("bf16", "f16"):
        c.append(ScanCase(T=200, K=128, V=128, H=2, N=4, k=1, dtype=dtype,
                          gate="per_key", routing="router", shared=True,
                          shared_gate="per_key", init=True))
        c.append(ScanCase(T=100, K=64, V=64, H=2, N=4, k=2, dtype=dtype,
                          gate="scalar", rule="delta", routing="args",
                          init=True))
    for gate in (None, "scalar", "per_key"):
        c.append(ScanCase(T=64, K=32, V=64, H=2, N=2, k=1, gate=gate,
                          routing="args"))
    for gate in (None, "scalar"):
        c.append(ScanCase(T=65, K=64, V=32, H=2, N=4, k=2, gate=gate,
                          rule="delta", routing="router", init=True))
    # SSE-GDN: delta rule, router only selects (read/write gates off).
    c.append(ScanCase(T=130, K=64, V=64, H=2, N=4, k=1, gate="scalar",
                      rule="delta", routing="router", shared=True,
                      shared_gate="scalar", read_gate=False, write_gate=False))
    # Packed sequences and tails; routing patterns.
    c.append(ScanCase(T=205, K=32, V=32, H=2, N=4, k=1, gate="per_key",
                      routing="router", seq_lens=(5, 64, 130), tail=6,
                      init=True))
    c.append(ScanCase(T=199, K=64, V=64, H=1, N=2, k=1, gate="scalar",
                      rule="delta", routing="args", seq_lens=(5, 64, 130),
                      init=True))
    for pattern in ("same", "unused"):
        c.append(ScanCase(T=64, K=32, V=32, H=2, N=4, k=1, gate="per_key",
                          routing="args", pattern=pattern))
    c.append(ScanCase(T=64, K=32, V=32, H=2, N=4, k=2, routing="args",
                      per_head=True, pattern="out_of_range"))
    # The tensor-core kernel: additive rule on bf16/f16 inputs.
    for T, K, V in ((1, 16, 16), (15, 64, 64), (16, 64, 32), (17, 128, 128),
                    (1000, 128, 128), (63, 256, 256), (65, 16, 256)):
        c.append(ScanCase(T=T, K=K, V=V, H=2, N=4, k=1, dtype="bf16",
                          gate="per_key", routing="router", shared=True,
                          shared_gate="per_key", init=True))
    for gate in (None, "scalar"):
        c.append(ScanCase(T=100, K=64, V=64, H=2, N=4, k=2, dtype="f16",
                          gate=gate, routing="args", per_head=True))
    c.append(ScanCase(T=205, K=64, V=64, H=2, N=4, k=1, dtype="bf16",
                      gate="per_key", routing="router", seq_lens=(5, 64, 130),
                      tail=6, init=True))
    c.append(ScanCase(T=64, K=32, V=32, H=2, N=4, k=1, dtype="bf16",
                      gate="scalar", routing="args", pattern="unused",
                      read_gate=False))
    # Forced groupings: dense masks (the cost model picks sorted lists for
    # routed scans), and sorted lists with k = 2 and duplicate/out-of-range
    # picks.
    c.append(ScanCase(T=100, K=64, V=64, H=2, N=4, k=1, dtype="bf16",
                      gate="per_key", routing="router", shared=True,
                      shared_gate="per_key", init=True,
                      schedule=Schedule(chunk=16, k_tile=64, v_tile=64,
                                        grouping="dense")))
    c.append(ScanCase(T=90, K=32, V=32, H=2, N=4, k=2, dtype="f16",
                      gate="scalar", routing="args", per_head=True,
                      pattern="out_of_range",
                      schedule=Schedule(chunk=16, k_tile=32, v_tile=32,
                                        grouping="sorted")))
    c.append(ScanCase(T=90, K=32, V=32, H=2, N=4, k=2, dtype="bf16",
                      gate="per_key", routing="args", pattern="duplicate",
                      schedule=Schedule(chunk=16, k_tile=32, v_tile=32,
                                        grouping="sorted")))
    # The schedule's chunk and V tile in the tensor-core kernel: 32-token
    # chunks of sorted lists with full-width tiles, 64-token chunks of dense
    # masks with 32-column tiles (4 blocks per head and partition).
    c.append(ScanCase(T=300, K=128, V=128, H=2, N=4, k=1, dtype="bf16",
                      gate="per_key", routing="router", shared=True,
                      shared_gate="per_key", init=True,
                      schedule=Schedule(chunk=32, k_tile=128, v_tile=128,
                                        grouping="sorted")))
    c.append(ScanCase(T=150, K=64, V=128, H=2, N=4, k=2, dtype="f16",
                      gate="scalar", routing="args", init=True,
                      schedule=Schedule(chunk=64, k_tile=64, v_tile=32,
                                        grouping="dense")))
    # A gated shared partition beside ungated routed ones (the tensor-core
    # kernel reads each kind's own gate).
    c.append(ScanCase(T=100, K=32, V=32, H=2, N=4, k=1, dtype="bf16",
                      gate=None, routing="args", shared=True,
                      shared_gate="scalar"))
    # split = chunked: segments of each partition's entries run in parallel
    # (local states, a short combine scan, then the outputs): long routed
    # and shared sequences, packed sequences shorter than a segment, and
    # k = 2 with 32-column tiles.
    c.append(ScanCase(T=600, K=64, V=64, H=2, N=4, k=1, dtype="bf16",
                      gate="per_key", routing="router", shared=True,
                      shared_gate="per_key", init=True,
                      schedule=Schedule(chunk=32, k_tile=64, v_tile=64,
                                        split="chunked", grouping="sorted")))
    c.append(ScanCase(T=205, K=64, V=64, H=2, N=4, k=1, dtype="bf16",
                      gate="per_key", routing="router", seq_lens=(5, 64, 130),
                      tail=6, init=True,
                      schedule=Schedule(chunk=16, k_tile=64, v_tile=64,
                                        split="chunked", grouping="dense")))
    c.append(ScanCase(T=400, K=64, V=64, H=2, N=4, k=2, dtype="f16",
                      gate="scalar", routing="args",
                      schedule=Schedule(chunk=64, k_tile=64, v_tile=32,
                                        split="chunked", grouping="sorted")))
    # The delta rule on the tensor-core kernel (a triangular solve per
    # 16-token step): long bf16 sequences with the shared partition and
    # sorted lists, f32 with 16-token chunks and narrow V tiles, dense
    # masks with k = 2, and split = chunked (kept state-carrying).
    c.append(ScanCase(T=1000, K=128, V=128, H=2, N=4, k=1, dtype="bf16",
                      gate="scalar", rule="delta", routing="router",
                      shared=True, shared_gate="scalar", init=True,
                      schedule=Schedule(chunk=64, k_tile=128, v_tile=128,
                                        grouping="sorted")))
    c.append(ScanCase(T=300, K=128, V=64, H=2, N=2, k=1, dtype="f32",
                      gate="scalar", rule="delta", routing="args", init=True,
                      schedule=Schedule(chunk=16, k_tile=128, v_tile=32,
                                        grouping="sorted")))
    c.append(ScanCase(T=150, K=64, V=64, H=2, N=4, k=2, dtype="f16",
                      gate=None, rule="delta", routing="args",
                      schedule=Schedule(chunk=32, k_tile=64, v_tile=64,
                                        grouping="dense")))
    c.append(ScanCase(T=400, K=64, V=64, H=2, N=4, k=1, dtype="bf16",
                      gate="scalar", rule="delta", routing="router",
                      schedule=Schedule(chunk=32, k_tile=64, v_tile=64,
                                        split="chunked", grouping="sorted")))
    # States in place: blocks of partitions without entries leave them
    # untouched (a never-picked partition with init; a decode step where
    # most routed partitions get no token).
    c.append(ScanCase(T=64, K=32, V=32, H=2, N=4, k=1, dtype="bf16",
                      gate="scalar", routing="args", pattern="unused",
                      init=True))
    c.append(ScanCase(B=8, T=1, K=64, V=64, H=2, N=4, k=1, dtype="bf16",
                      gate="per_key", routing="router", shared=True,
                      shared_gate="per_key", init=True))
    # bf16 range: an ungated sum of 1000 tokens with |v| ~ 2000 makes state
    # entries beyond f16's 65504; the bf16 operands keep them.
    c.append(ScanCase(T=1000, K=64, V=64, H=2, dtype="bf16", gate=None,
                      init=True, v_scale=2000.0))
    # Gates anywhere in [-inf, 0] (gate_mix="strong": weak ones mixed with
    # strong ones down to -1e4, resets at -inf and zeros), scalar and per
    # key, both rules, every operand type, both splits; beta at 0 and 1.
    # The first is the input (bf16, T = 1000, K = V = 64, scalar).
    c.append(ScanCase(T=1000, K=64, V=64, H=2, dtype="bf16", gate="scalar",
                      gate_mix="strong"))
    for dtype in ("bf16", "f16", "f32"):
        c.append(ScanCase(T=300, K=64, V=64, H=2, N=4, k=1, dtype=dtype,
                          gate="per_key", routing="router", shared=True,
                          shared_gate="scalar", init=True, gate_mix="strong"))
    c.append(ScanCase(T=200, K=128, V=128, H=1, N=4, k=2, dtype="bf16",
                      gate="scalar", routing="args", init=True,
                      gate_mix="strong",
                      schedule=Schedule(chunk=32, k_tile=128, v_tile=64,
                                        split="chunked", grouping="sorted")))
    for dtype in ("bf16", "f32"):
        c.append(ScanCase(T=250, K=64, V=64, H=2, N=4, k=1, dtype=dtype,
                          gate="scalar", rule="delta", routing="router",
                          shared=True, shared_gate="scalar", init=True,
                          gate_mix="strong", beta_mix="edges"))
    c.append(ScanCase(T=65, K=16, V=32, H=2, N=2, k=1, dtype="f16",
                      gate="scalar", rule="delta", routing="args",
                      beta_mix="edges"))
    # Router logits near f32's limits (the router fused into the scan).
    c.append(ScanCase(T=100, K=32, V=32, H=2, N=4, k=2, dtype="bf16",
                      gate="per_key", routing="router", shared=True,
                      shared_gate="scalar", logit_mix="extreme"))
    # The SSE-GLA core as a graph (classify, two scans, add; states sliced
    # and joined on the device), fused by the pipeline.
    c.append(GlaCoreCase(B=2, T=64, H=2, K=16, V=32, N=4, k=1))
    c.append(GlaCoreCase(B=1, T=130, H=2, K=64, V=64, N=4, k=2, dtype="bf16",
                         init=True))
    return c + v2_cases()


def v2_cases():
    """Dense scans for the sse_gpu chunk-scan kernel (built with
    the default kernels=v2, `build` checks that each one runs it):
    SPEC 5's lengths, widths with V != K, every gate kind, both 16-bit
    types, initial states, packed sequences, strong gates and resets, and
    a one-token step."""
    def sched(K, V):
        return Schedule(chunk=64, k_tile=K, v_tile=min(V, 64),
                        grouping="dense")
    c = []
    for T in (1, 7, 63, 64, 65, 1000):
        c.append(ScanCase(T=T, B=2, K=64, V=64, H=2, dtype="bf16",
                          gate="per_key", schedule=sched(64, 64)))
    for K, V in ((128, 128), (64, 128), (128, 64), (128, 256)):
        c.append(ScanCase(T=200, K=K, V=V, H=2, dtype="bf16", gate="per_key",
                          init=True, schedule=sched(K, V)))
    for gate in (None, "scalar"):
        c.append(ScanCase(T=130, B=2, K=128, V=128, H=2, dtype="f16",
                          gate=gate, schedule=sched(128, 128)))
    c.append(ScanCase(T=205, K=64, V=64, H=2, dtype="bf16", gate="per_key",
                      seq_lens=(5, 64, 130), tail=6, init=True,
                      schedule=sched(64, 64)))
    c.append(ScanCase(T=300, K=64, V=64, H=2, dtype="bf16", gate="per_key",
                      gate_mix="strong", schedule=sched(64, 64)))
    c.append(ScanCase(T=300, K=128, V=128, H=2, dtype="f16", gate="scalar",
                      gate_mix="strong", init=True, schedule=sched(128, 128)))
    c.append(ScanCase(T=200, K=128, V=128, H=1, dtype="bf16", gate="per_key",
                      gate_mix="strong", init=True, schedule=sched(128, 128)))
    c.append(ScanCase(T=1, B=8, K=128, V=128, H=2, dtype="bf16",
                      gate="per_key", init=True, schedule=sched(128, 128)))
    return c + segmented_v2_cases() + routed_v2_cases()


def segmented_v2_cases():
    """Dense walks long enough and few enough that the plan cuts each
    sequence into segments (segment_states, combine_segments, then the
    walk from each piece's state; `build` checks each runs the state
    pass): 2 to 8 pieces; with and without initial states; strong gates
    and resets, scalar and per key; f16 and V != K; packed sequences, one
    of them shorter than a piece (its last pieces are empty); a length
    that is not a whole number of chunks."""
    def sched(K, V):
        return Schedule(chunk=64, k_tile=K, v_tile=min(V, 64),
                        grouping="dense")
    c = []
    c.append(ScanCase(T=4096, K=128, V=128, H=1, dtype="bf16",
                      gate="per_key", gate_mix="strong", init=True,
                      schedule=sched(128, 128)))
    c.append(ScanCase(T=2000, K=64, V=64, H=1, dtype="bf16", gate="scalar",
                      gate_mix="strong", schedule=sched(64, 64)))
    c.append(ScanCase(T=1500, B=2, K=64, V=128, H=1, dtype="f16",
                      gate="scalar", init=True, schedule=sched(64, 128)))
    c.append(ScanCase(T=1100, K=128, V=64, H=2, dtype="bf16", gate=None,
                      init=True, schedule=sched(128, 64)))
    c.append(ScanCase(T=3237, K=64, V=64, H=1, dtype="bf16", gate="per_key",
                      seq_lens=(1500, 20, 1700), tail=17, init=True,
                      schedule=sched(64, 64)))
    return c


def routed_v2_cases():
    """Routed scans with a fused router for the sse_gpu kernels (route,
    group, the routed chunk scan, then the shared partition adding the
    partials or combine_outputs; `build` checks each runs the grouping
    kernel): k of 1 and 2, N up to 16, lists per head, every
    token on the same partitions (skew) or one partition never picked,
    the read or the write gate off, scalar and strong gates, f16, V != K,
    with and without the shared partition, one-token steps."""
    def sched(K, V):
        return Schedule(chunk=64, k_tile=K, v_tile=min(V, 64),
                        grouping="sorted")
    c = []
    for T, N, k in ((1, 4, 1), (63, 4, 2), (65, 16, 1), (1000, 8, 2)):
        c.append(ScanCase(T=T, B=2, K=128, V=128, H=2, N=N, k=k,
                          dtype="bf16", gate="per_key", routing="router",
                          shared=True, shared_gate="per_key", init=T == 1,
                          schedule=sched(128, 128)))
    c.append(ScanCase(T=300, K=64, V=128, H=2, N=4, k=1, dtype="f16",
                      gate="scalar", routing="router", per_head=True,
                      read_gate=False, schedule=sched(64, 128)))
    c.append(ScanCase(T=260, K=128, V=64, H=2, N=4, k=2, dtype="bf16",
                      gate="per_key", routing="router", pattern="same",
                      gate_mix="strong", shared=True, shared_gate="scalar",
                      init=True, schedule=sched(128, 64)))
    c.append(ScanCase(T=200, K=64, V=64, H=2, B=3, N=4, k=1, dtype="bf16",
                      gate="per_key", routing="router", pattern="unused",
                      write_gate=False, renormalize=True, z_dtype="bf16",
                      schedule=sched(64, 64)))
    c.append(ScanCase(T=150, K=128, V=256, H=1, N=4, k=2, dtype="f16",
                      gate=None, routing="router", order="topk_then_softmax",
                      shared=True, schedule=sched(128, 256)))
    return c


def draw_inputs(case, rng):
    if isinstance(case, GlaCoreCase):
        return draw_gla_core_inputs(case, rng)
    return draw_scan_inputs(case, rng)


def reference(case, x):
    if isinstance(case, GlaCoreCase):
        return reference_gla_core(case, x)
    return reference_scan(case, x)


def tools_dir():
    return os.environ.get("SSE_TOOLS_DIR",
                          os.path.join(HERE, "..", "build", "bin"))


def build(out):
    os.makedirs(out, exist_ok=True)
    runner = os.path.join(tools_dir(), "sse-runner")
    lib_dir = os.path.join(tools_dir(), "..", "lib")
    shutil.copy(os.path.join(tools_dir(), "sse-aot-run"), out)
    shutil.copy(os.path.join(lib_dir, "libsse_cuda_runtime.so"), out)
    v2 = v2_cases()
    segmented = segmented_v2_cases()
    for n, case in enumerate(gpu_cases()):
        d = os.path.join(out, f"case{n:03d}")
        os.makedirs(d, exist_ok=True)
        module = case.module()
        with open(os.path.join(d, "model.mlir"), "w") as f:
            f.write(module.text)
        extra = [f"--pipeline-options={PIPELINE_OPTIONS}"] if PIPELINE_OPTIONS else []
        subprocess.run([runner, os.path.join(d, "model.mlir"),
                        f"--entry={module.entry}", "--target=cuda",
                        f"--emit-aot={d}", *extra], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["c++", "-shared", "-o", os.path.join(d, "model.so"),
                        os.path.join(d, "model.o")], check=True)
        os.remove(os.path.join(d, "model.o"))
        # Which scan kernels the case runs (v2 cases must reach the new one).
        with open(os.path.join(d, "model.so"), "rb") as f:
            blob = f.read()
        kernels = sorted({m.decode() for m in re.findall(
            rb"\.entry (sse_\w+)", blob)})
        with open(os.path.join(d, "kernels.txt"), "w") as f:
            f.write(" ".join(kernels))
        if case in v2 and "sse_chunk_scan_0" not in kernels and V2_BUILD:
            sys.exit(f"case{n:03d} {case.id} was meant for the sse_gpu "
                     f"chunk-scan kernel but runs {kernels}")
        if (case in v2 and case.routing and V2_BUILD and
                "sse_group_0" not in kernels):
            sys.exit(f"case{n:03d} {case.id} was meant for the sse_gpu "
                     f"routed kernels but runs {kernels}")
        if (case in segmented and V2_BUILD and
                "sse_segment_states_0" not in kernels):
            sys.exit(f"case{n:03d} {case.id} was meant for a segmented "
                     f"walk but runs {kernels}")
        with open(os.path.join(d, "case.py"), "w") as f:
            f.write(repr(case))
    print(f"built {len(gpu_cases())} cases into {out} "
          f"(pipeline options: {PIPELINE_OPTIONS or 'none'})")


def to_npy(x, dtype):
    if dtype == "bf16":
        return f32_to_bf16_bits(x)
    return np.ascontiguousarray(x, dtype={"f32": "<f4", "f16": "<f2",
                                          "i32": "<i4", "i64": "<i8"}[dtype])


# For scripts/gpu_memcheck.sh: SSE_AOT_RUN_PREFIX goes in front of every
# sse-aot-run command (a compute-sanitizer wrapper), SSE_GPU_SUITE_REPEAT
# replaces the 3 calls per case (1 under the sanitizer).
AOT_RUN_PREFIX = shlex.split(os.environ.get("SSE_AOT_RUN_PREFIX", ""))
REPEAT = int(os.environ.get("SSE_GPU_SUITE_REPEAT", "3"))


def run(out):
    aot_run = os.path.join(out, "sse-aot-run")
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = out + ":" + env.get("LD_LIBRARY_PATH", "")
    passed = failed = 0
    worst = {}
    device = ""
    for d, path, case in load_built_cases(out):
        module = case.module()
        x = draw_inputs(case, fresh_rng())
        files = []
        for name, (shape, dtype) in zip(module.args, module.arg_types):
            f = os.path.join(path, f"{name}.npy")
            np.save(f, to_npy(x[name], dtype))
            files.append(f)
        proc = subprocess.run([*AOT_RUN_PREFIX, aot_run, os.path.join(path, "model.so"),
                               os.path.join(path, "manifest.json"), *files,
                               f"--output-dir={path}/out", f"--repeat={REPEAT}"],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            failed += 1
            print(f"FAIL {d} {case.id}: sse-aot-run: {proc.stderr.strip()}")
            continue
        device = proc.stdout.strip().splitlines()[-1]
        o_ref, s_ref = reference(case, x)
        outs = []
        for i, (shape, dtype) in enumerate(module.result_types):
            a = np.load(os.path.join(path, "out", f"result{i}.npy"))
            outs.append(bf16_bits_to_f32(a) if dtype == "bf16"
                        else a.astype(np.float64))
        tol = TOLERANCE[case.dtype]
        errs = [rel_err(outs[0], o_ref), rel_err(outs[1], s_ref)]
        nan = sum(int(np.isnan(a).sum()) for a in outs)
        ok = nan == 0 and max(errs) <= tol
        worst[case.dtype] = max(worst.get(case.dtype, 0.0), *errs)
        passed += ok
        failed += not ok
        kernels_txt = os.path.join(path, "kernels.txt")
        if os.path.exists(kernels_txt):
            with open(kernels_txt) as f:
                if "sse_chunk_scan" in f.read():
                    d += " [sse_gpu kernel]"
        print(f"{'PASS' if ok else 'FAIL'} {d} {case.id}: o {errs[0]:.1e}, "
              f"states {errs[1]:.1e}, nan {nan} (tol {tol:g}); "
              f"{device.split(';')[-1].strip()}")
    print(device.split(";")[0])
    for dtype, err in sorted(worst.items()):
        print(f"worst relative error, {dtype} inputs: {err:.2e}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("build", "run"):
        sys.exit(__doc__)
    sys.exit(build(sys.argv[2]) if sys.argv[1] == "build" else run(sys.argv[2]))
