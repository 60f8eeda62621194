#!/usr/bin/env bash
# Build the self-contained sse-runner and pack it for a GPU machine without
# LLVM/MLIR (see docs/Runner.md, "Running the JIT on a GPU machine without
# LLVM").
#
#   scripts/pack_jit_runner.sh OUTDIR      # e.g. .jit
#
# Configures build-static/ (-DSSE_STATIC_TOOLS=ON: LLVM and MLIR linked in
# from their static archives), builds sse-runner and the libraries it loads,
# and writes
#
#   OUTDIR/bin/sse-runner.xz                      the stripped runner, xz
#   OUTDIR/lib/libsse_cuda_runtime.so             mgpu* runtime (dlopens libcuda)
#   OUTDIR/lib/libmlir_c_runner_utils.so          memrefCopy, ... for the JIT
#   OUTDIR/lib/libmlir_float16_utils.so.<ver>     needed by the one above
#   OUTDIR/README.txt
#
# On the GPU machine: python3 scripts/gpu_jit_check.py OUTDIR (decompresses
# bin/sse-runner and runs a few cases with --target=cuda).
#
# Environment: BUILD_DIR (default build-static), JOBS (default 2),
# MLIR_DIR (default /usr/lib/llvm-22/lib/cmake/mlir).
set -euo pipefail

if [ $# -ne 1 ]; then
  sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 2
fi
OUT=$1
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$REPO/build-static}
JOBS=${JOBS:-2}
MLIR_DIR=${MLIR_DIR:-/usr/lib/llvm-22/lib/cmake/mlir}
PYTHON=${PYTHON:-/usr/bin/python3}
# Lets ccache reuse objects compiled for build/ (paths made relative).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$REPO}

start=$(date +%s)
mkdir -p "$BUILD"
cmake -G Ninja -S "$REPO" -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=Release \
  -DSSE_STATIC_TOOLS=ON \
  -DMLIR_DIR="$MLIR_DIR" \
  -DPython3_EXECUTABLE="$PYTHON" > "$BUILD/configure.log" 2>&1 \
  || { cat "$BUILD/configure.log"; exit 1; }
ninja -C "$BUILD" -j "$JOBS" sse-runner sse_cuda_runtime sse-runner-libs
built=$(date +%s)

# Nothing it needs may come from LLVM/MLIR's shared libraries.
for f in "$BUILD/bin/sse-runner" "$BUILD"/lib/*.so*; do
  if readelf -d "$f" | grep -E 'NEEDED.*lib(LLVM|MLIR|clang)[-.]' ; then
    echo "error: $f still needs a shared LLVM/MLIR library" >&2
    exit 1
  fi
done

rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib"
strip -o "$OUT/bin/sse-runner" "$BUILD/bin/sse-runner"
for lib in libsse_cuda_runtime.so libmlir_c_runner_utils.so "$(cd "$BUILD/lib" && ls libmlir_float16_utils.so.*)"; do
  strip --strip-unneeded -o "$OUT/lib/$lib" "$BUILD/lib/$lib"
done
# The runner must start with only these next to it (no LLVM on the path).
"$OUT/bin/sse-runner" --version > /dev/null
raw=$(stat -c %s "$OUT/bin/sse-runner")
xz -9e -T "$JOBS" -f "$OUT/bin/sse-runner"
packed=$(stat -c %s "$OUT/bin/sse-runner.xz")

git_rev=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
cat > "$OUT/README.txt" <<EOF
Self-contained sse-runner (LLVM/MLIR linked in) from sse-mlir $git_rev, built $(date -u +%Y-%m-%dT%H:%MZ).
On a GPU machine (CUDA driver; /usr/local/cuda or CUDA_HOME for libdevice), from the repository root:
  python3 scripts/gpu_jit_check.py $(basename "$OUT")      # decompresses bin/sse-runner, runs cases with --target=cuda
or by hand: xz -dk bin/sse-runner.xz && bin/sse-runner model.mlir --entry=NAME --target=cuda --seed=1 --output-dir=out --time
bin/ and lib/ must stay side by side (the runner finds lib/ through \$ORIGIN/../lib).
EOF
(cd "$OUT" && sha256sum bin/sse-runner.xz lib/* > SHA256SUMS)

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
total=$(du -sb "$OUT" | cut -f1)
echo "sse-runner: $(mib "$raw") stripped, $(mib "$packed") as xz"
echo "$OUT: $(mib "$total") in all; build $((built - start)) s, pack $(($(date +%s) - built)) s"
