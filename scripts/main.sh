#!/usr/bin/env bash
# The main job: set everything up, then compile and run the bundled example
# (examples/sse_gla_core.mlir, an SSE-GLA layer core with N = 4, k = 1) on the
# CPU and report what it did and its error against the float64 reference.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PYTHONPATH=python SSE_TOOLS_DIR=build/bin /usr/bin/python3 -m sse_mlir.example "$@"
