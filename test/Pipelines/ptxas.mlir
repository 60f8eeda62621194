// Every kernel sse-to-nvvm emits for the bundled example and for a bf16
// fused scan assembles with ptxas for sm_90a and for sm_80.
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t && sse-opt %sse_src/test/Pipelines/sse-to-nvvm.mlir --sse-to-nvvm | %python %sse_src/scripts/extract_ptx.py %t/a > %t/a.list
// RUN: sse-opt %sse_src/examples/sse_gla_core.mlir --sse-to-nvvm | %python %sse_src/scripts/extract_ptx.py %t/b > %t/b.list
// RUN: sse-opt %sse_src/test/Pipelines/sse-to-nvvm.mlir --sse-to-nvvm="chip=sm_80" | %python %sse_src/scripts/extract_ptx.py %t/c > %t/c.list
// RUN: for f in %t/a/*.ptx %t/b/*.ptx; do %ptxas -arch=sm_90a $f -o $f.cubin || exit 1; done
// RUN: for f in %t/c/*.ptx; do %ptxas -arch=sm_80 $f -o $f.cubin || exit 1; done
// RUN: ls %t/a/*.cubin %t/b/*.cubin %t/c/*.cubin | FileCheck %s
// CHECK-COUNT-10: .cubin

// The format option: a cubin, assembled by ptxas at compile time.
// RUN: sse-opt %sse_src/test/Pipelines/sse-to-nvvm.mlir --sse-to-nvvm="format=bin" | FileCheck %s --check-prefix=BIN
// BIN: gpu.binary @{{.*}} [#gpu.object<#nvvm.target<chip = "sm_90a", features = "+ptx80">, properties = {ISAToBinaryTimeInMs = {{[0-9]+}} : i64{{.*}}}, bin = "
