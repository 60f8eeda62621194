// sse-fuse-shared-routed: a shared (unrouted) scan added to a routed scan
// over the same v becomes one scan with a shared partition at index 0.
// RUN: sse-opt %s -sse-fuse-shared-routed -split-input-file | FileCheck %s

// The SSE-GLA core written with linalg.add: one scan, the shared scan's q,
// k and gate as shared(...), states [B, H, 1 + N, K, V] sliced back into the
// old results.
// CHECK-LABEL: func.func @linalg_add
// CHECK-SAME: (%[[Q1:.*]]: tensor<1x8x2x16xf32>, %[[K1:.*]]: tensor<1x8x2x16xf32>, %[[Q2:.*]]: tensor<1x8x2x16xf32>, %[[K2:.*]]: tensor<1x8x2x16xf32>, %[[V:.*]]: tensor<1x8x2x32xf32>, %[[G1:.*]]: tensor<1x8x2x16xf32>, %[[G2:.*]]: tensor<1x8x2xf32>, %[[W:.*]]: tensor<1x8x1xf32>, %[[I:.*]]: tensor<1x8x1xi32>)
// CHECK-NEXT: %[[O:.*]], %[[S:.*]] = sse.scan %[[Q2]], %[[K2]], %[[V]] gate(%[[G2]]) shared(%[[Q1]], %[[K1]]) shared_gate(%[[G1]]) route(%[[W]], %[[I]]) {partitions = 4 : i64}
// CHECK-SAME: -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
// CHECK-NEXT: %[[S1:.*]] = tensor.extract_slice %[[S]][0, 0, 0, 0, 0] [1, 2, 1, 16, 32] [1, 1, 1, 1, 1]
// CHECK-NEXT: %[[S2:.*]] = tensor.extract_slice %[[S]][0, 0, 1, 0, 0] [1, 2, 4, 16, 32] [1, 1, 1, 1, 1]
// CHECK-NEXT: return %[[O]], %[[S1]], %[[S2]]
func.func @linalg_add(%q1: tensor<1x8x2x16xf32>, %k1: tensor<1x8x2x16xf32>, %q2: tensor<1x8x2x16xf32>, %k2: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %g1: tensor<1x8x2x16xf32>, %g2: tensor<1x8x2xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>, tensor<1x2x4x16x32xf32>) {
  %o1, %s1 = sse.scan %q1, %k1, %v gate(%g1) : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %e = tensor.empty() : tensor<1x8x2x32xf32>
  %o = linalg.add ins(%o1, %o2 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>) outs(%e : tensor<1x8x2x32xf32>) -> tensor<1x8x2x32xf32>
  return %o, %s1, %s2 : tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>, tensor<1x2x4x16x32xf32>
}

// -----

// arith.addf on tensors, routed scan on the left, delta rule: betas carry
// over (the shared one as shared_beta); only the routed scan has init, so
// the shared part of the fused init is zeros.
// CHECK-LABEL: func.func @arith_add_delta_init
// CHECK-SAME: %[[B1:[a-z0-9]+]]: tensor<1x4x1xf32>, %[[B2:[a-z0-9]+]]: tensor<1x4x1xf32>, %[[W:.*]]: tensor<1x4x2xf32>, %[[I:.*]]: tensor<1x4x2xi32>, %[[S0:.*]]: tensor<1x1x2x8x8xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x1x1x8x8xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<1x1x1x8x8xf32>)
// CHECK: %[[INIT:.*]] = tensor.concat dim(2) %[[Z]], %[[S0]] : (tensor<1x1x1x8x8xf32>, tensor<1x1x2x8x8xf32>) -> tensor<1x1x3x8x8xf32>
// CHECK: sse.scan %{{.*}} beta(%[[B2]]) shared(%{{.*}}) shared_beta(%[[B1]]) route(%[[W]], %[[I]]) init(%[[INIT]]) {partitions = 2 : i64, rule = #sse.rule<delta>}
// CHECK-NOT: arith.addf
func.func @arith_add_delta_init(%q1: tensor<1x4x1x8xf32>, %q2: tensor<1x4x1x8xf32>, %v: tensor<1x4x1x8xf32>, %b1: tensor<1x4x1xf32>, %b2: tensor<1x4x1xf32>, %w: tensor<1x4x2xf32>, %i: tensor<1x4x2xi32>, %s0: tensor<1x1x2x8x8xf32>) -> tensor<1x4x1x8xf32> {
  %o1, %s1 = sse.scan %q1, %q1, %v beta(%b1) {rule = #sse.rule<delta>} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>)
  %o2, %s2 = sse.scan %q2, %q2, %v beta(%b2) route(%w, %i) init(%s0) {partitions = 2 : i64, rule = #sse.rule<delta>} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>, tensor<1x4x2xf32>, tensor<1x4x2xi32>, tensor<1x1x2x8x8xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x2x8x8xf32>)
  %o = arith.addf %o2, %o1 : tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

// -----

// Must not fire: the scans read different v.
// CHECK-LABEL: func.func @different_v
// CHECK-COUNT-2: sse.scan
// CHECK: linalg.add
func.func @different_v(%q: tensor<1x4x1x8xf32>, %v1: tensor<1x4x1x8xf32>, %v2: tensor<1x4x1x8xf32>, %w: tensor<1x4x1xf32>, %i: tensor<1x4x1xi32>) -> tensor<1x4x1x8xf32> {
  %o1, %s1 = sse.scan %q, %q, %v1 : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>)
  %o2, %s2 = sse.scan %q, %q, %v2 route(%w, %i) {partitions = 2 : i64} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x2x8x8xf32>)
  %e = tensor.empty() : tensor<1x4x1x8xf32>
  %o = linalg.add ins(%o1, %o2 : tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) outs(%e : tensor<1x4x1x8xf32>) -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

// -----

// Must not fire: the shared scan's output has another use.
// CHECK-LABEL: func.func @output_used_twice
// CHECK-COUNT-2: sse.scan
// CHECK: linalg.add
func.func @output_used_twice(%q: tensor<1x4x1x8xf32>, %v: tensor<1x4x1x8xf32>, %w: tensor<1x4x1xf32>, %i: tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) {
  %o1, %s1 = sse.scan %q, %q, %v : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>)
  %o2, %s2 = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x2x8x8xf32>)
  %e = tensor.empty() : tensor<1x4x1x8xf32>
  %o = linalg.add ins(%o1, %o2 : tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) outs(%e : tensor<1x4x1x8xf32>) -> tensor<1x4x1x8xf32>
  return %o, %o1 : tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>
}

// -----

// Must not fire: two routed scans (no shared partition to fuse), and two
// scans with different scales.
// CHECK-LABEL: func.func @both_routed_or_scale
// CHECK-COUNT-4: sse.scan
func.func @both_routed_or_scale(%q: tensor<1x4x1x8xf32>, %v: tensor<1x4x1x8xf32>, %w: tensor<1x4x1xf32>, %i: tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) {
  %o1, %s1 = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x2x8x8xf32>)
  %o2, %s2 = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x2x8x8xf32>)
  %a = arith.addf %o1, %o2 : tensor<1x4x1x8xf32>
  %o3, %s3 = sse.scan %q, %q, %v {scale = 1.0 : f32} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x1x8x8xf32>)
  %o4, %s4 = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64} : (tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xi32>) -> (tensor<1x4x1x8xf32>, tensor<1x1x2x8x8xf32>)
  %b = arith.addf %o3, %o4 : tensor<1x4x1x8xf32>
  return %a, %b : tensor<1x4x1x8xf32>, tensor<1x4x1x8xf32>
}
