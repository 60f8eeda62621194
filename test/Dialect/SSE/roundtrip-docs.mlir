// RUN: sse-opt %s -split-input-file | sse-opt -split-input-file | FileCheck %s
// RUN: sse-opt %s -split-input-file --mlir-print-op-generic | sse-opt -split-input-file | FileCheck %s
// RUN: sse-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=CANON

// The ```mlir examples of docs/ (copied verbatim; test/Docs/examples.mlir
// extracts them automatically but only checks that they parse and print
// stably). Here the printed form of each is pinned, and the canonicalization
// that docs/Pipeline.md promises for @trivial is checked.

// From docs/Dialects/SSEOps.md (sse.classify).
// CHECK-LABEL: func.func @router(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x64x4xf32>) -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
// CHECK:         return %[[W]], %[[I]] : tensor<2x64x1xf32>, tensor<2x64x1xi32>
// CANON-LABEL: func.func @router(
// CANON:         sse.classify
func.func @router(%z: tensor<2x64x4xf32>)
    -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>) {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
  return %w, %i : tensor<2x64x1xf32>, tensor<2x64x1xi32>
}

// -----

// From docs/Dialects/SSEOps.md (sse.scan): per-key gate, shared routing,
// init, N = 4.
// CHECK-LABEL: func.func @routed(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x2x16xf32>, %[[K:[^:]+]]: tensor<1x8x2x16xf32>, %[[V:[^:]+]]: tensor<1x8x2x32xf32>, %[[G:[^:]+]]: tensor<1x8x2x16xf32>, %[[W:[^:]+]]: tensor<1x8x1xf32>, %[[I:[^:]+]]: tensor<1x8x1xi32>, %[[S0:[^:]+]]: tensor<1x2x4x16x32xf32>)
// CHECK:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[K]], %[[V]] gate(%[[G]]) route(%[[W]], %[[I]]) init(%[[S0]]) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>, tensor<1x2x4x16x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>
// CANON-LABEL: func.func @routed(
// CANON:         sse.scan %{{.*}} route(
func.func @routed(%q: tensor<1x8x2x16xf32>, %k: tensor<1x8x2x16xf32>,
                  %v: tensor<1x8x2x32xf32>, %g: tensor<1x8x2x16xf32>,
                  %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>,
                  %s0: tensor<1x2x4x16x32xf32>)
    -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g) route(%w, %i) init(%s0)
      {partitions = 4 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x2x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>,
         tensor<1x2x4x16x32xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return %o, %s : tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>
}

// -----

// From docs/Passes/SSEConversionPasses.md.
// CHECK-LABEL: func.func @router(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<1x8x4xf32>) -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
// CHECK:         return %[[W]], %[[I]] : tensor<1x8x1xf32>, tensor<1x8x1xi32>
func.func @router(%z: tensor<1x8x4xf32>)
    -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>) {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
  return %w, %i : tensor<1x8x1xf32>, tensor<1x8x1xi32>
}

// -----

// From docs/Pipeline.md (Canonicalization): round trip, and "becomes, with
// sse-opt -canonicalize, `sse.scan %q, %q, %v` with no route(...) and no
// classify".
// CHECK-LABEL: func.func @trivial(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<1x4x1xf32>, %[[Q:[^:]+]]: tensor<1x4x1x8xf32>, %[[V:[^:]+]]: tensor<1x4x1x8xf32>)
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<1x4x1xf32> -> (tensor<1x4x1xf32>, tensor<1x4x1xi32>)
// CHECK:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>
// CANON-LABEL: func.func @trivial(
// CANON-SAME:      %{{[^:]+}}: tensor<1x4x1xf32>, %[[Q:[^:]+]]: tensor<1x4x1x8xf32>, %[[V:[^:]+]]: tensor<1x4x1x8xf32>)
// CANON-NOT:     sse.classify
// CANON:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[Q]], %[[V]] : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>)
// CANON-NOT:     sse.classify
// CANON:         return %[[O]], %[[S]] : tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>
func.func @trivial(%z: tensor<1x4x1xf32>, %q: tensor<1x4x1x8xf32>,
                   %v: tensor<1x4x1x8xf32>)
    -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>) {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<1x4x1xf32> -> (tensor<1x4x1xf32>, tensor<1x4x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i)
      : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>,
         tensor<1x4x1xf32>, tensor<1x4x1xi32>)
      -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>)
  return %o, %s : tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>
}
