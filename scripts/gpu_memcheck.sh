#!/usr/bin/env bash
# The GPU suite under NVIDIA's compute-sanitizer, on the GPU machine (no LLVM
# needed there; build the suite here first: python3 scripts/gpu_suite.py
# build .gpu_suite).
#
#   bash scripts/gpu_memcheck.sh [DIR] [TOOL ...]
#
# DIR defaults to .gpu_suite, the tools to "memcheck racecheck" (initcheck
# and synccheck work too). For each tool the suite runs once, every
# sse-aot-run call wrapped in `compute-sanitizer --tool TOOL` (through
# gpu_suite.py's SSE_AOT_RUN_PREFIX) with --repeat=1 (SSE_GPU_SUITE_REPEAT);
# each call's report goes to DIR/memcheck-logs/TOOL-<case>.log. The summary
# gives the errors per tool and the cases that had them; the exit status is
# 1 if any tool reported an error or the suite failed under it.
# compute-sanitizer is taken from PATH, $CUDA_HOME/bin or /usr/local/cuda/bin;
# PYTHON (default python3) runs the suite.
set -uo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-.gpu_suite}
shift || true
TOOLS=("$@")
[ ${#TOOLS[@]} -eq 0 ] && TOOLS=(memcheck racecheck)

CS=$(command -v compute-sanitizer || true)
for c in "${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer" /usr/local/cuda/bin/compute-sanitizer; do
  [ -z "$CS" ] && [ -x "$c" ] && CS=$c
done
if [ -z "$CS" ]; then
  echo "gpu_memcheck: compute-sanitizer not found (PATH, \$CUDA_HOME/bin, /usr/local/cuda/bin)" >&2
  exit 1
fi
if [ ! -x "$DIR/sse-aot-run" ]; then
  echo "gpu_memcheck: $DIR has no built suite (python3 scripts/gpu_suite.py build $DIR)" >&2
  exit 1
fi
DIR=$(cd "$DIR" && pwd)
LOGS=$DIR/memcheck-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
echo "gpu_memcheck: $("$CS" --version | tail -1), suite $DIR"

status=0
summary=()
for tool in "${TOOLS[@]}"; do
  # One wrapper per tool: the case's name (the folder of model.so, the
  # argument after sse-aot-run) names the log; exit status 86 marks "the
  # sanitizer found errors", so the suite prints that case as FAIL.
  wrap=$LOGS/wrap-$tool.sh
  cat > "$wrap" <<WRAP
#!/bin/sh
case=\$(basename "\$(dirname "\$2")")
exec "$CS" --tool $tool --error-exitcode 86 --log-file "$LOGS/$tool-\$case.log" "\$@"
WRAP
  chmod +x "$wrap"
  t0=$SECONDS
  SSE_AOT_RUN_PREFIX="$wrap" SSE_GPU_SUITE_REPEAT=1 \
    "${PYTHON:-python3}" scripts/gpu_suite.py run "$DIR" 2>&1 | tee "$LOGS/suite-$tool.txt"
  suite_rc=${PIPESTATUS[0]}
  # "ERROR SUMMARY: N errors" (memcheck, initcheck, synccheck) or
  # "RACECHECK SUMMARY: H hazards displayed (E errors, W warnings)".
  errors=0 warnings=0 bad=()
  for log in "$LOGS/$tool"-*.log; do
    [ -f "$log" ] || continue
    e=$(sed -nE 's/.*ERROR SUMMARY: ([0-9]+) error.*/\1/p; s/.*SUMMARY: .*\(([0-9]+) errors?, .*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    w=$(sed -nE 's/.*SUMMARY: .*, ([0-9]+) warnings?\).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    errors=$((errors + e)) warnings=$((warnings + w))
    [ "$e" -gt 0 ] && bad+=("$(basename "$log" .log | sed "s/^$tool-//") ($e)")
  done
  ran=$(ls "$LOGS/$tool"-*.log 2>/dev/null | wc -l)
  line="$tool: $errors errors, $warnings warnings in $ran cases ($((SECONDS - t0)) s); suite $(tail -1 "$LOGS/suite-$tool.txt")"
  [ ${#bad[@]} -gt 0 ] && line+="; errors in: ${bad[*]}"
  summary+=("$line")
  if [ "$errors" -gt 0 ] || [ "$suite_rc" -ne 0 ] || [ "$ran" -eq 0 ]; then
    status=1
  fi
done
echo
echo "gpu_memcheck summary (logs in $LOGS):"
printf '  %s\n' "${summary[@]}"
[ "$status" -eq 0 ] && echo "gpu_memcheck: clean" || echo "gpu_memcheck: FAILED"
exit "$status"
