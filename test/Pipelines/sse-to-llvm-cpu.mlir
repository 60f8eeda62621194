// sse-to-llvm-cpu takes the bundled SSE-GLA core all the way to the LLVM
// dialect: no sse, scf, memref, linalg or tensor op is left, results become
// out parameters, and the C interface wrapper is emitted on request.
// RUN: sse-opt %sse_src/examples/sse_gla_core.mlir --sse-to-llvm-cpu | FileCheck %s
// RUN: sse-opt %sse_src/examples/sse_gla_core.mlir --sse-to-llvm-cpu="results-to-out-params=false" | FileCheck %s --check-prefix=RESULTS

// CHECK-NOT: sse.
// CHECK-LABEL: llvm.func @sse_gla_core(
// CHECK-NOT: -> !llvm.struct
// CHECK-NOT: {{(sse|scf|memref|linalg|tensor|bufferization)\.}}
// CHECK: llvm.intr.exp
// CHECK: llvm.return
// CHECK-NOT: {{(sse|scf|memref|linalg|tensor|bufferization)\.}}

// Without out parameters the three results come back as one struct.
// RESULTS-LABEL: llvm.func @sse_gla_core(
// RESULTS-SAME: -> !llvm.struct<(struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)>, struct<(ptr, ptr, i64, array<5 x i64>, array<5 x i64>)>, struct<(ptr, ptr, i64, array<5 x i64>, array<5 x i64>)>)>
