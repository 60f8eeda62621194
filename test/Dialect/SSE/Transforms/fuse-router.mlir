// sse-fuse-router: route(classify(z)) becomes router(z) on the scan.
// RUN: sse-opt %s -sse-fuse-router -split-input-file | FileCheck %s

// The classify's k, order and renormalize move onto the scan; the classify
// is erased.
// CHECK-LABEL: func.func @fuse
// CHECK-SAME: %[[Z:[a-z0-9]+]]: tensor<1x8x4xbf16>)
// CHECK-NOT: sse.classify
// CHECK: sse.scan %{{.*}} router(%[[Z]]) {partitions = 4 : i64, renormalize, router_order = #sse.order<topk_then_softmax>, top_k = 2 : i64}
func.func @fuse(%q: tensor<1x8x2x16xbf16>, %v: tensor<1x8x2x32xbf16>, %z: tensor<1x8x4xbf16>) -> tensor<1x8x2x32xbf16> {
  %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<topk_then_softmax>, renormalize} : tensor<1x8x4xbf16> -> (tensor<1x8x2xf32>, tensor<1x8x2xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64} : (tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2x32xbf16>, tensor<1x8x2xf32>, tensor<1x8x2xi32>) -> (tensor<1x8x2x32xbf16>, tensor<1x2x4x16x32xf32>)
  return %o : tensor<1x8x2x32xbf16>
}

// -----

// Per-head routing fuses too; a classify still used elsewhere stays, and
// the default order is not spelled out.
// CHECK-LABEL: func.func @per_head_kept
// CHECK: %[[W:.*]], %{{.*}} = sse.classify
// CHECK: sse.scan %{{.*}} router(%{{.*}}) {partitions = 2 : i64, top_k = 1 : i64}
// CHECK: return %{{.*}}, %[[W]]
func.func @per_head_kept(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %z: tensor<1x8x2x2xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x8x2x1xf32>) {
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<1x8x2x2xf32> -> (tensor<1x8x2x1xf32>, tensor<1x8x2x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x1xf32>, tensor<1x8x2x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x2x16x32xf32>)
  return %o, %w : tensor<1x8x2x32xf32>, tensor<1x8x2x1xf32>
}

// -----

// Must not fire: weights and indices from two different classifies, and
// routing that does not come from a classify.
// CHECK-LABEL: func.func @not_from_one_classify
// CHECK-COUNT-2: sse.classify
// CHECK: route(
// CHECK: route(
// CHECK-NOT: router(
func.func @not_from_one_classify(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %z1: tensor<1x8x4xf32>, %z2: tensor<1x8x4xf32>, %w3: tensor<1x8x1xf32>, %i3: tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>) {
  %w1, %i1 = sse.classify %z1 {k = 1 : i64} : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
  %w2, %i2 = sse.classify %z2 {k = 1 : i64} : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w1, %i2) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %o3, %s3 = sse.scan %q, %q, %v route(%w3, %i3) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return %o, %o3 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
}
