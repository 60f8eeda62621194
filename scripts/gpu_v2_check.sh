#!/usr/bin/env bash
# On the GPU machine (one device call): the GPU suite built with the
# sse_gpu kernels (kernels=v2, the default), the benchmark of the v2 build, and an ncu
# profile of the chunk-scan kernel on dense-gla. Build both here first:
#   python3 scripts/gpu_suite.py build .gpu_suite_v2
#   python3 bench/gpu_bench.py build .gpu_bench_v2
# Usage: bash scripts/gpu_v2_check.sh OUT [suite] [bench] [bench-v1] [kernels] [ncu] [racecheck-probe]
set -u
out=$1; shift
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/card.txt"
git log -1 --format=%H 2>/dev/null | tee -a "$out/card.txt"
for step in "$@"; do
  case $step in
  suite)
    python3 scripts/gpu_suite.py run .gpu_suite_v2 >"$out/suite.log" 2>&1
    grep -E "FAIL|sse_gpu kernel|passed|worst" "$out/suite.log" | tail -n 60 ;;
  bench)
    # The table: every built shape, no per-kernel timing in the way.
    python3 bench/gpu_bench.py run .gpu_bench_v2 >"$out/bench.log" 2>&1
    tail -n 12 "$out/bench.log" ;;
  bench-v1)
    # The same benchmark of the v1 kernels in the same run, for "no
    # slower than v1": build it with
    #   SSE_PIPELINE_OPTIONS=kernels=v1 python3 bench/gpu_bench.py build .gpu_bench_v1
    python3 bench/gpu_bench.py run .gpu_bench_v1 >"$out/bench-v1.log" 2>&1
    tail -n 12 "$out/bench-v1.log" ;;
  kernels)
    # Per-kernel times (events around each launch) on the v2 shapes
    # (SSE_KERNEL_SHAPES, default dense-gla,core-4k).
    SSE_BENCH_SHAPES=${SSE_KERNEL_SHAPES:-dense-gla,core-4k} SSE_RUNTIME_PROFILE=1 \
      python3 bench/gpu_bench.py run .gpu_bench_v2 >"$out/kernels.log" 2>&1
    grep "sse-runtime: kernel" "$out/kernels.log" | head -n 20 ;;
  ncu)
    # One profiled launch (SSE_NCU_SHAPE, default dense-gla; the first
    # kernel matching SSE_NCU_KERNEL, default sse_chunk_scan): the report,
    # its text, and the per-instruction counters of the SASS (source page).
    SSE_BENCH_SHAPES=${SSE_NCU_SHAPE:-dense-gla} timeout 300 ncu \
      --kernel-name regex:${SSE_NCU_KERNEL:-sse_chunk_scan} \
      --launch-count 1 --section SpeedOfLight --section LaunchStats \
      --section Occupancy --section MemoryWorkloadAnalysis \
      --section ComputeWorkloadAnalysis --section WarpStateStats \
      --section MemoryWorkloadAnalysis_Tables --section InstructionStats \
      --section SchedulerStats --section SourceCounters -o "$out/chunk_scan" \
      python3 bench/gpu_bench.py run .gpu_bench_v2 >"$out/ncu-run.log" 2>&1
    ncu -i "$out/chunk_scan.ncu-rep" --print-details all >"$out/ncu.log" 2>&1
    ncu -i "$out/chunk_scan.ncu-rep" --page source --csv --print-source sass \
      >"$out/sass.csv" 2>&1
    # The samples by phase (pieces between barriers and wgmma waits).
    python3 scripts/sass_phases.py "$out/sass.csv" >"$out/phases.txt" 2>&1
    grep -vE "^==PROF==|^ *$" "$out/ncu.log" | tail -n 200 ;;
  racecheck-probe)
    # Whether racecheck sees bar.red and bar.arrive/bar.sync as barriers
    # (scripts/racecheck_probe.cu): a report on viaRed or viaArrive means
    # the chunk scan's hazards are the tool's, none means look again.
    cs=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
    nvcc -arch=sm_90a -o "$out/probe" scripts/racecheck_probe.cu &&
      "$cs" --tool racecheck "$out/probe" >"$out/probe.log" 2>&1
    grep -E "Race|Error|done|via" "$out/probe.log" | head -n 20 ;;
  esac
done
