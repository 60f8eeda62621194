#!/usr/bin/env bash
# Runs every test: the lit suite (check-sse: dialect, conversion, pipeline
# and CPU integration tests) and the Python suite (reference checks and the
# CPU matrix against the float64 reference), then a bounded fuzz smoke
# (scripts/fuzz.py, fixed seed, about 2 minutes; crashers are saved under
# build/fuzz-smoke). Prints the counts; fails on a failed test or on any
# crash or hang the fuzzer finds. SSE_FUZZ_SMOKE=0 skips the smoke.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
ninja -C build all mlir-doc || exit 1

lit_log=$(mktemp)
/usr/lib/llvm-22/bin/lit -sv build/test 2>&1 | tee "$lit_log"
lit_rc=${PIPESTATUS[0]}
lit_passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$lit_log" | tail -1)
lit_failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$lit_log" | tail -1)

py_log=$(mktemp)
(cd python && SSE_TOOLS_DIR="$PWD/../build/bin" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests) 2>&1 | tee "$py_log"
py_rc=${PIPESTATUS[0]}
py_passed=$(grep -oE '[0-9]+ passed' "$py_log" | tail -1 | grep -oE '[0-9]+')
py_failed=$(grep -oE '[0-9]+ failed' "$py_log" | tail -1 | grep -oE '[0-9]+')

# Fuzz smoke: a fixed seed and a fixed number of mutants, capped in time so
# that a slow machine stays within about 2 minutes (minimizing included).
fuzz_rc=0
if [ "${SSE_FUZZ_SMOKE:-1}" != 0 ]; then
  rm -rf build/fuzz-smoke
  /usr/bin/python3 scripts/fuzz.py --seed 1 --jobs 2 --max-mutants 2400 \
    --seconds 100 --minimize-seconds 20 --out build/fuzz-smoke \
    --tools build/bin
  fuzz_rc=$?
fi

passed=$(( ${lit_passed:-0} + ${py_passed:-0} ))
failed=$(( ${lit_failed:-0} + ${py_failed:-0} ))
echo "lit: ${lit_passed:-0} passed, ${lit_failed:-0} failed"
echo "pytest: ${py_passed:-0} passed, ${py_failed:-0} failed"
if [ "${SSE_FUZZ_SMOKE:-1}" != 0 ]; then
  echo "fuzz smoke: $([ "$fuzz_rc" -eq 0 ] && echo "no crashes or hangs" || echo "FAILED (crashes or hangs, see build/fuzz-smoke)")"
fi
if [ "$lit_rc" -ne 0 ] || [ "$py_rc" -ne 0 ] || [ "$passed" -eq 0 ]; then
  echo "total: $passed passed, $((failed > 0 ? failed : 1)) failed"
  exit 1
fi
if [ "$fuzz_rc" -ne 0 ]; then
  echo "total: $passed passed, $failed failed; the fuzz smoke found crashes or hangs"
  exit 1
fi
echo "total: $passed passed, $failed failed"
