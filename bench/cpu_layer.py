#!/usr/bin/env python3
"""Whole SSE layers on the CPU: compile once, then prefill and decode steps.

    python3 bench/cpu_layer.py            # every shape below
    SSE_BENCH_SHAPES=gla-256 python3 bench/cpu_layer.py

Each shape is an SSE-GLA or SSE-GDN layer (sse_mlir.model, f32, random
weights) compiled through sse-to-llvm-cpu into a shared object per shape
(sse_mlir.cpu.CpuModel): a prefill of B x T tokens, then decode steps of
one token per sequence from the prefill's state cache. Printed: the shape,
the compile time of each module (once per shape, not per call), the
prefill time and the decode step time (medians of repeated calls after a
warm-up, the whole Python call: argument checks, descriptors, the
computation), tokens per second, and the CPU. No floor is printed: the CPU
path is the portable one, not the tuned one.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import numpy as np  # noqa: E402

from sse_mlir import model  # noqa: E402

# name: (kind, hidden, heads, head_dim, expand_v, N, k, B, T)
SHAPES = {
    "gla-256": ("gla", 256, 4, 64, 1, 4, 1, 1, 256),
    "gdn-256": ("gdn", 256, 4, 64, 2, 4, 1, 1, 256),
    "gla-1024": ("gla", 1024, 8, 128, 1, 4, 1, 1, 512),
}


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def median_seconds(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def run_shape(name: str):
    kind, hidden, heads, head_dim, expand_v, n, k, B, T = SHAPES[name]
    make = model.SSEGLAConfig if kind == "gla" else model.SSEGDNConfig
    cfg = make(hidden_size=hidden, num_heads=heads, head_dim=head_dim, expand_v=expand_v,
               num_partitions=n, top_k=k)
    layer = (model.SSEGLALayer if kind == "gla" else model.SSEGDNLayer).random(cfg, 0)
    run = model.compile(layer)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, T, hidden)).astype(np.float32)
    step = rng.standard_normal((B, 1, hidden)).astype(np.float32)
    start = time.perf_counter()
    run.compiled(B, T, False)
    compile_prefill = time.perf_counter() - start
    start = time.perf_counter()
    run.compiled(B, 1, True)
    compile_decode = time.perf_counter() - start
    _, state = run(x)
    prefill = median_seconds(lambda: run(x), 5)
    decode = median_seconds(lambda: run(step, initial_state=state), 50)
    return (f"| {name} | {kind} hidden {hidden}, H {heads}, K {cfg.K}, V {cfg.V}, N {n}, "
            f"k {k}, B {B} | {compile_prefill:.2f} + {compile_decode:.2f} | "
            f"{prefill * 1e3:.2f} ({B * T / prefill:.0f} tok/s) | {decode * 1e3:.3f} | "
            f"{cpu_name()} |")


def main() -> int:
    names = [s for s in os.environ.get("SSE_BENCH_SHAPES", ",".join(SHAPES)).split(",") if s]
    unknown = [s for s in names if s not in SHAPES]
    if unknown:
        print(f"unknown shapes {unknown}; known: {', '.join(SHAPES)}", file=sys.stderr)
        return 2
    print("| shape | layer | compile (s, prefill + decode module) | prefill T tokens (ms) "
          "| decode step (ms) | card |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        print(run_shape(name), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
