#!/usr/bin/env python3
"""Compiles a model with its weights for the CPU and runs a batch through it.

    python3 examples/run_model.py examples/sse_h_small.json --weights W.safetensors
        [--batch 2] [--seq-len 48] [--seed 1] [--workdir DIR]

Reads the model file and the weights (names and shapes checked), compiles
the whole model once for this (batch, seq-len) through sse-to-llvm-cpu into
a shared object, runs random hidden states through it, and compares y and
each SSE layer's final state cache with the float64 model
(sse_mlir.layer_reference.sse_h_model). Exits 1 if an error exceeds the f32
CPU tolerance (1e-5), 2 on a bad model or weight file.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import numpy as np  # noqa: E402

from sse_mlir import hybrid  # noqa: E402
from sse_mlir.cases import rel_err  # noqa: E402
from sse_mlir.layer_reference import sse_h_model  # noqa: E402
from sse_mlir.model import ConfigError, WeightsError  # noqa: E402

TOLERANCE = 1e-5


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("--weights", required=True)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--seq-len", type=int, default=48)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", default=None, help="keep the compiled model here")
    args = p.parse_args()
    try:
        cfg = hybrid.ModelConfig.from_json(args.model)
        model = hybrid.Model.from_safetensors(cfg, args.weights)
    except (ConfigError, WeightsError) as e:
        print(f"run_model: {e}", file=sys.stderr)
        return 2
    kinds = ", ".join(type(c).__name__.replace("Config", "") for c in cfg.layers)
    print(f"model {args.model}: hidden {cfg.hidden_size}, {len(cfg.layers)} blocks ({kinds}), "
          f"{sum(a.size for a in model.weights.values())} parameters")
    run = hybrid.compile(model, cache_dir=args.workdir)
    start = time.perf_counter()
    run.compiled(args.batch, args.seq_len)
    print(f"compiled for B = {args.batch}, T = {args.seq_len} in "
          f"{time.perf_counter() - start:.2f} s")
    x = np.random.default_rng(args.seed).standard_normal(
        (args.batch, args.seq_len, cfg.hidden_size)).astype(np.float32)
    start = time.perf_counter()
    y, states = run(x)
    ms = (time.perf_counter() - start) * 1e3
    ref_y, ref_states = sse_h_model(cfg, model.weights, x)
    errors = [("y", rel_err(y, ref_y))] + [
        (f"state {i}", rel_err(s, r)) for i, (s, r) in enumerate(zip(states, ref_states))]
    print(f"ran in {ms:.1f} ms: y {list(y.shape)}, mean {y.mean():+.4f}, std {y.std():.4f}")
    worst = 0.0
    for name, err in errors:
        bad = not np.isfinite(err) or err > TOLERANCE
        worst = max(worst, err if np.isfinite(err) else np.inf)
        print(f"  {name}: relative error {err:.2e} against float64"
              f"{'  FAIL' if bad else ''}")
    print(f"{'PASS' if worst <= TOLERANCE else 'FAIL'} (tolerance {TOLERANCE:g})")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
