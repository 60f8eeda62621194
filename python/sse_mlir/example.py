"""The main job: compile and run the bundled SSE-GLA layer core on the CPU.

    PYTHONPATH=python python3 -m sse_mlir.example [--seed N]

Draws inputs the way an SSE-GLA layer produces them (SPEC.md 1.4: q through
silu, k through a softmax over each head's K entries, v through silu,
per-key log-gates logsigmoid(.)/16, router logits), runs
examples/sse_gla_core.mlir through sse-runner (sse-to-llvm-cpu + JIT), and
reports what it computed and its error against the float64 reference.
Exits non-zero if an output is off by more than the f32 CPU tolerance.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

import numpy as np

from . import reference
from .runner import find_tool, run

F32_CPU_TOLERANCE = 1e-5
EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples",
                       "sse_gla_core.mlir")


def silu(x):
    return x / (1.0 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def layer_inputs(rng, B, T, H, K, V, N):
    """Inputs of the layer core as the SSE-GLA projections would make them."""
    def draw(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    q1 = silu(draw(B, T, H, K))
    k1 = softmax(draw(B, T, H, K))
    q2 = silu(q1 + 0.5 * draw(B, T, H, K))           # low-rank delta, here noise
    k2 = softmax(np.log(k1) + 0.5 * draw(B, T, H, K))
    v = silu(draw(B, T, H, V))
    g1 = log_sigmoid(draw(B, T, H, K)) / 16.0
    g2 = log_sigmoid(draw(B, T, H, K)) / 16.0
    z = 2.0 * draw(B, T, N)
    return [a.astype(np.float32) for a in (q1, k1, q2, k2, v, g1, g2, z)]


def rel_err(out, ref):
    return float(np.linalg.norm((out - ref).ravel()) / np.linalg.norm(ref.ravel()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None,
                        help="input seed (default: fresh randomness)")
    opts = parser.parse_args(argv)
    seed = opts.seed if opts.seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = np.random.default_rng(seed)

    text = open(EXAMPLE).read()
    arg_types = re.findall(r"%\w+: tensor<([0-9x]+)xf32>", text.split("->")[0])
    shapes = [tuple(int(d) for d in t.split("x")) for t in arg_types]
    B, T, H, K = shapes[0]
    V, N, k = shapes[4][3], shapes[7][2], 1

    print(f"sse-mlir example: SSE-GLA layer core ({os.path.relpath(EXAMPLE)})")
    print(f"  B={B} T={T} H={H} K={K} V={V}  partitions N={N}, top-k={k}, "
          f"per-key gates, f32, seed={seed}")
    inputs = layer_inputs(rng, B, T, H, K, V, N)

    with tempfile.TemporaryDirectory(prefix="sse_example_") as work:
        try:
            outs = run(text, "sse_gla_core", inputs, ["f32"] * len(inputs),
                       workdir=work, extra_args=["--time"])
        except Exception as err:  # the runner's message says what failed
            print(f"FAILED to compile/run: {err}", file=sys.stderr)
            return 1
    print(f"  compiled with sse-to-llvm-cpu and ran with {find_tool('sse-runner')}")

    o_ref, states_ref = reference.sse_gla_core(*[a.astype(np.float64) for a in inputs], k=k)
    _, idx = reference.classify(inputs[7].astype(np.float64), k)
    counts = np.bincount(idx.ravel(), minlength=N)
    print("  router: tokens per partition " +
          ", ".join(f"p{p}={c}" for p, c in enumerate(counts)))

    checks = [("o", outs[0], o_ref),
              ("shared state", outs[1], states_ref[:, :, :1]),
              ("routed states", outs[2], states_ref[:, :, 1:])]
    ok = True
    for name, out, ref in checks:
        nan = int(np.isnan(out).sum())
        err = rel_err(out, ref)
        good = nan == 0 and err <= F32_CPU_TOLERANCE
        ok &= good
        print(f"  {name:14s} {str(out.shape):22s} rel. error vs float64 reference "
              f"{err:.2e}  unwritten={nan}  {'ok' if good else 'FAIL'}")
    print(f"{'PASS' if ok else 'FAIL'}: tolerance {F32_CPU_TOLERANCE:g} (f32 on CPU)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
