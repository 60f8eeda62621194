#!/usr/bin/env python3
"""Writes random weights for a model file to .safetensors.

    python3 examples/make_weights.py examples/sse_h_small.json OUT.safetensors [--seed N]

The weights are drawn as sse_mlir.hybrid.random_weights draws them (the SSE
layers' as the published layers initialise theirs) and saved as F32 under
the model's parameter names (layers.{i}.attn.q_proj.weight, ...).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from sse_mlir import hybrid  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="the model's JSON file")
    p.add_argument("out", help="the .safetensors file to write")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    cfg = hybrid.ModelConfig.from_json(args.model)
    hybrid.Model.random(cfg, args.seed).save_safetensors(args.out)
    print(f"wrote {len(cfg.parameter_shapes())} tensors of {args.model} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
