#!/usr/bin/env bash
# The main job: set everything up, then compile and run the bundled SSE-H
# model (examples/sse_h_small.json: SSE-GLA, SSE-GDN and attention blocks
# with MLPs) on the CPU from random weights written to .safetensors, and the
# SSE-GLA layer core (examples/sse_gla_core.mlir); each reports its error
# against the float64 reference and fails beyond the f32 tolerance.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PYTHONPATH=python SSE_TOOLS_DIR=build/bin
mkdir -p build/examples
/usr/bin/python3 examples/make_weights.py examples/sse_h_small.json \
  build/examples/sse_h_small.safetensors
/usr/bin/python3 examples/run_model.py examples/sse_h_small.json \
  --weights build/examples/sse_h_small.safetensors
/usr/bin/python3 -m sse_mlir.example "$@"
