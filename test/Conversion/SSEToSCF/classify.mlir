// convert-sse-to-scf on sse.classify: per row, the softmax statistics in f32,
// then k rounds of selection in (value desc, index asc) order, then weights.
// RUN: sse-opt %s -convert-sse-to-scf -canonicalize -split-input-file | FileCheck %s

// softmax_then_topk: max and denominator over all N logits; each weight is
// exp(z - max) / denominator.
// CHECK-LABEL: func.func @softmax_then_topk
// CHECK-SAME: (%[[Z:.*]]: tensor<2x5x4xf32>)
// CHECK: %[[W:.*]] = memref.alloc() : memref<2x5x1xf32>
// CHECK: %[[I:.*]] = memref.alloc() : memref<2x5x1xi32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[MAX:.*]] = scf.for {{.*}} -> (f32) {
// CHECK: arith.maximumf
// CHECK: %[[DEN:.*]] = scf.for {{.*}} -> (f32) {
// CHECK: math.exp
// With k = 1 the loop over picks is folded away by the canonicalizer.
// CHECK: scf.for {{.*}} -> (f32, index, i1) {
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpf ogt
// CHECK: arith.index_cast %{{.*}} : index to i32
// CHECK: memref.store %{{.*}}, %[[I]]
// CHECK: arith.subf %{{.*}}, %[[MAX]] : f32
// CHECK: arith.divf %{{.*}}, %[[DEN]] : f32
// CHECK: memref.store %{{.*}}, %[[W]]
// CHECK: bufferization.to_tensor %[[W]] restrict writable
// CHECK: bufferization.to_tensor %[[I]] restrict writable
func.func @softmax_then_topk(%z: tensor<2x5x4xf32>) -> (tensor<2x5x1xf32>, tensor<2x5x1xi32>) {
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x5x4xf32> -> (tensor<2x5x1xf32>, tensor<2x5x1xi32>)
  return %w, %i : tensor<2x5x1xf32>, tensor<2x5x1xi32>
}

// -----

// renormalize: the denominator is the sum over the k picks, not over N.
// CHECK-LABEL: func.func @renormalize
// CHECK: %[[MAX:.*]] = scf.for {{.*}} -> (f32) {
// CHECK: scf.for {{.*}} -> (f32, index, f32) {
// CHECK: %[[SEL:.*]] = scf.for %{{.*}} = %c0 to %c2 {{.*}} -> (f32) {
// CHECK: arith.subf %{{.*}}, %[[MAX]] : f32
// CHECK: arith.divf %{{.*}}, %[[SEL]] : f32
func.func @renormalize(%z: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi32>) {
  %w, %i = sse.classify %z {k = 2 : i64, renormalize} : tensor<3x4xf32> -> (tensor<3x2xf32>, tensor<3x2xi32>)
  return %w, %i : tensor<3x2xf32>, tensor<3x2xi32>
}

// -----

// topk_then_softmax: the softmax runs over the picks only, centred on the
// first (largest) pick; no statistics over all N are needed (and the
// canonicalizer drops them). bf16 logits are extended to f32.
// CHECK-LABEL: func.func @topk_then_softmax
// CHECK-NOT: arith.maximumf
// CHECK: %[[PICK:.*]]:3 = scf.for {{.*}} -> (f32, index, f32) {
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.index_cast %{{.*}} : index to i64
// CHECK: %[[SEL:.*]] = scf.for {{.*}} -> (f32) {
// CHECK: arith.subf %{{.*}}, %[[PICK]]#2 : f32
// CHECK: arith.divf %{{.*}}, %[[SEL]] : f32
func.func @topk_then_softmax(%z: tensor<3x4xbf16>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<topk_then_softmax>} : tensor<3x4xbf16> -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %w, %i : tensor<3x2xf32>, tensor<3x2xi64>
}
