// sse-fuse on the bundled SSE-GLA core: shared + routed, then the router,
// leave exactly one scan with a shared partition and its own router.
// RUN: sse-opt %sse_src/examples/sse_gla_core.mlir -sse-fuse | FileCheck %s

// CHECK-LABEL: func.func @sse_gla_core
// CHECK-SAME: (%[[Q1:.*]]: tensor<2x64x2x16xf32>, %[[K1:.*]]: tensor<2x64x2x16xf32>, %[[Q2:.*]]: tensor<2x64x2x16xf32>, %[[K2:.*]]: tensor<2x64x2x16xf32>, %[[V:.*]]: tensor<2x64x2x32xf32>, %[[G1:.*]]: tensor<2x64x2x16xf32>, %[[G2:.*]]: tensor<2x64x2x16xf32>, %[[Z:.*]]: tensor<2x64x4xf32>)
// CHECK-NOT: sse.classify
// CHECK-NOT: linalg.add
// CHECK: %[[O:.*]], %[[S:.*]] = sse.scan %[[Q2]], %[[K2]], %[[V]] gate(%[[G2]]) shared(%[[Q1]], %[[K1]]) shared_gate(%[[G1]]) router(%[[Z]]) {partitions = 4 : i64, top_k = 1 : i64}
// CHECK-SAME: -> (tensor<2x64x2x32xf32>, tensor<2x2x5x16x32xf32>)
// CHECK-NOT: sse.scan
// CHECK: return %[[O]]
