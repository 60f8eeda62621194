#!/usr/bin/env bash
# The sanitizer build: configures build-asan/ with ASan + UBSan
# (-DSSE_SANITIZE=address,undefined, -O1 -g1), builds every tool, and runs the
# lit suite and pytest against it. Any sanitizer report aborts the tool, so
# it fails the test that ran it (lit's `not` does not accept a crash).
#
#   bash scripts/sanitize.sh          # configure (once), build, test
#   bash scripts/sanitize.sh build    # only configure + build
#   bash scripts/sanitize.sh test     # only run the tests (already built)
#
# Environment: SSE_ASAN_DIR (default build-asan), SSE_ASAN_JOBS (default 2).
# The build runs under `nice -n 10` so that it does not starve other work on
# a small machine. Debian's libMLIR.so/libLLVM.so are not instrumented: only
# this project's code is checked (plus what it inlines from LLVM headers).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${SSE_ASAN_DIR:-build-asan}
JOBS=${SSE_ASAN_JOBS:-2}
what=${1:-all}

# Every report is fatal and aborts (a signal, not exit 1: an exit status of
# 1 would look like an expected error to `not sse-opt ...` tests).
# detect_leaks=0: MLIR tools exit without freeing their contexts on purpose
# (and the uninstrumented libMLIR allocations would be noise).
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:symbolize=1:print_summary=1:${ASAN_OPTIONS_EXTRA:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:suppressions=$ROOT/scripts/ubsan.supp:${UBSAN_OPTIONS_EXTRA:-}"
# Reports should symbolize with file:line.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-22/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-22/bin/llvm-symbolizer
fi

build() {
  local t0=$SECONDS
  if [ ! -f "$B/build.ninja" ]; then
    cmake -G Ninja -S . -B "$B" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      -DSSE_SANITIZE=address,undefined \
      -DSSE_ENABLE_WERROR=OFF \
      -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
      -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null || return 1
  fi
  nice -n 10 ninja -C "$B" -j"$JOBS" all mlir-doc || return 1
  echo "sanitize: build took $((SECONDS - t0)) s"
}

run_tests() {
  local t0=$SECONDS lit_rc py_rc
  local lit_log py_log
  lit_log=$(mktemp) py_log=$(mktemp)
  /usr/lib/llvm-22/bin/lit -sv "$B/test" 2>&1 | tee "$lit_log"
  lit_rc=${PIPESTATUS[0]}
  (cd python && SSE_TOOLS_DIR="$ROOT/$B/bin" /usr/bin/python3 -m pytest -q \
     -p no:cacheprovider tests) 2>&1 | tee "$py_log"
  py_rc=${PIPESTATUS[0]}
  # Where the reports came from: one line per distinct report location.
  local reports
  reports=$(cat "$lit_log" "$py_log" | grep -E 'runtime error:|ERROR: AddressSanitizer|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer)' | sed -E 's/^.*(SUMMARY|ERROR|runtime error)/\1/' | sort | uniq -c | sort -rn)
  echo "sanitize: lit $( [ "$lit_rc" -eq 0 ] && echo passed || echo FAILED ), pytest $( [ "$py_rc" -eq 0 ] && echo passed || echo FAILED ) in $((SECONDS - t0)) s"
  if [ -n "$reports" ]; then
    echo "sanitize: reports (count, kind and place):"
    echo "$reports"
  fi
  rm -f "$lit_log" "$py_log"
  [ "$lit_rc" -eq 0 ] && [ "$py_rc" -eq 0 ]
}

case "$what" in
  build) build ;;
  test) run_tests ;;
  all) build && run_tests ;;
  *) echo "usage: $0 [all|build|test]" >&2; exit 2 ;;
esac
