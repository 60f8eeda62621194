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
# 1 would look like an expected error to `not sse-opt ...` tests), and goes
# to $B/sanitizer-logs/report.<pid> (lit and pytest do not always show a
# tool's stderr), which the summary at the end reads.
# detect_leaks=0: MLIR tools exit without freeing their contexts on purpose
# (and the uninstrumented libMLIR allocations would be noise).
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons the unused rest of
# its slabs when the code that inlines it is instrumented (ours), and the
# uninstrumented libMLIR, allocating from the same slab, never unpoisons it:
# every parse reported a use-after-poison in libMLIR's memmove. Mixed
# instrumentation makes those annotations meaningless, so they are ignored.
LOGDIR=$ROOT/$B/sanitizer-logs
export ASAN_OPTIONS="detect_leaks=0:allow_user_poisoning=0:abort_on_error=1:halt_on_error=1:symbolize=1:log_path=$LOGDIR/report:${ASAN_OPTIONS_EXTRA:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:suppressions=$ROOT/scripts/ubsan.supp:log_path=$LOGDIR/report:${UBSAN_OPTIONS_EXTRA:-}"
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
  rm -rf "$LOGDIR"
  mkdir -p "$LOGDIR"
  local lit_log py_log
  lit_log=$(mktemp) py_log=$(mktemp)
  /usr/lib/llvm-22/bin/lit -sv "$B/test" 2>&1 | tee "$lit_log"
  lit_rc=${PIPESTATUS[0]}
  (cd python && SSE_TOOLS_DIR="$ROOT/$B/bin" /usr/bin/python3 -m pytest -q \
     -p no:cacheprovider tests) 2>&1 | tee "$py_log"
  py_rc=${PIPESTATUS[0]}
  echo "sanitize: lit $( [ "$lit_rc" -eq 0 ] && echo passed || echo FAILED ), pytest $( [ "$py_rc" -eq 0 ] && echo passed || echo FAILED ) in $((SECONDS - t0)) s"
  echo "sanitize: $(grep -E '^ *(Passed|Failed) *:' "$lit_log" | tr -s ' ' | tr '\n' ' ')| pytest: $(tail -1 "$py_log")"
  summarize_reports
  rm -f "$lit_log" "$py_log"
  [ "$lit_rc" -eq 0 ] && [ "$py_rc" -eq 0 ]
}

# One line per distinct report: count, kind, and the innermost frame in this
# repository's sources (else in our binaries, else the first frame).
summarize_reports() {
  /usr/bin/python3 - "$LOGDIR" "$ROOT" <<'PY'
import collections, glob, os, re, subprocess, sys
logdir, root = sys.argv[1], sys.argv[2]
groups = collections.Counter()
cache = {}


def symbolize(loc):
    """(/path/bin+0xOFF) of one of our binaries -> file:line, when the
    run-time symbolizer left it at that."""
    m = re.match(r"\((/\S+)\+(0x[0-9a-f]+)\)$", loc)
    if not m or root not in m.group(1):
        return loc
    if loc not in cache:
        try:
            out = subprocess.run(["/usr/lib/llvm-22/bin/llvm-symbolizer", "--obj=" + m.group(1),
                                  hex(int(m.group(2), 16) - 1)],
                                 capture_output=True, text=True, timeout=30).stdout.split("\n")
            cache[loc] = out[1].strip() if len(out) > 1 and ":" in out[1] and not out[1].startswith("??") else loc
        except (OSError, subprocess.SubprocessError):
            cache[loc] = loc
    return cache[loc]

example = {}
for path in sorted(glob.glob(os.path.join(logdir, "report.*"))):
    text = open(path, errors="replace").read()
    for m in re.finditer(r"(?m)^(\S+:\d+:\d+): runtime error: (.*)$", text):
        key = ("UBSan: " + re.sub(r"0x[0-9a-f]+", "ADDR", m.group(2))[:120], m.group(1).replace(root + "/", ""))
        groups[key] += 1
        example.setdefault(key, path)
    for m in re.finditer(r"ERROR: AddressSanitizer: ([\w-]+)(.*?)(?=\n\n|\Z)", text, re.S):
        frames = re.findall(r"#\d+ 0x[0-9a-f]+ in (.+?) ((?:/|\.\./)\S+|\(\S+\))$", m.group(2), re.M)
        frames = [(fn, symbolize(loc)) for fn, loc in frames]
        ours = [f for f in frames if root in f[1]]
        f = (ours or frames or [("?", "?")])[0]
        key = ("ASan: " + m.group(1), f"{f[1].replace(root + '/', '')} in {f[0][:100]}")
        groups[key] += 1
        example.setdefault(key, path)
if not groups:
    print("sanitize: no sanitizer reports")
    sys.exit(0)
print(f"sanitize: {sum(groups.values())} reports, {len(groups)} distinct (logs in {logdir}):")
for (kind, where), n in groups.most_common():
    print(f"  {n:4d}  {kind} at {where}  (e.g. {os.path.basename(example[(kind, where)])})")
PY
}

case "$what" in
  build) build ;;
  test) run_tests ;;
  all) build && run_tests ;;
  *) echo "usage: $0 [all|build|test]" >&2; exit 2 ;;
esac
