// RUN: sse-opt %s -canonicalize -split-input-file | FileCheck %s

// DropTrivialRouting (SSECanonicalize.cpp): a 1-partition scan whose routing
// weights and indices are both results of one sse.classify over a single
// logit (last dim 1, k = 1) always selects partition 0 with weight 1; the
// route(...) group is dropped, and the classify, now dead, is erased.

// Positive: the routing is dropped and the classify disappears. Every other
// operand and attribute of the scan is kept.
// CHECK-LABEL: func.func @drop_trivial_routing(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x8x1xf32>, %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[G:[^:]+]]: tensor<2x8x4xf32>)
// CHECK-NOT:     sse.classify
// CHECK:         %[[O:.*]], %{{.*}} = sse.scan %[[Q]], %[[Q]], %[[V]] gate(%[[G]]) {scale = 5.000000e-01 : f32} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK-NOT:     sse.classify
// CHECK:         return %[[O]]
func.func @drop_trivial_routing(%z: tensor<2x8x1xf32>, %q: tensor<2x8x4x16xf32>,
                                %v: tensor<2x8x4x32xf32>, %g: tensor<2x8x4xf32>)
    -> tensor<2x8x4x32xf32> {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v gate(%g) route(%w, %i) {scale = 0.5 : f32}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x4xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// -----

// Positive, per-head routing from a rank-4 classify whatever its order and
// renormalisation, with the delta rule, init and cu_seqlens kept in place.
// CHECK-LABEL: func.func @drop_trivial_routing_per_head(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<1x8x4x1xbf16>, %[[Q:[^:]+]]: tensor<1x8x4x16xf32>, %[[V:[^:]+]]: tensor<1x8x4x32xf32>, %[[B:[^:]+]]: tensor<1x8x4xf32>, %[[S0:[^:]+]]: tensor<2x4x1x16x32xf32>, %[[CU:[^:]+]]: tensor<3xi32>)
// CHECK-NOT:     sse.classify
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] beta(%[[B]]) init(%[[S0]]) cu_seqlens(%[[CU]]) {rule = #sse.rule<delta>} : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<1x8x4xf32>, tensor<2x4x1x16x32xf32>, tensor<3xi32>) -> (tensor<1x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK-NOT:     sse.classify
func.func @drop_trivial_routing_per_head(%z: tensor<1x8x4x1xbf16>,
                                         %q: tensor<1x8x4x16xf32>,
                                         %v: tensor<1x8x4x32xf32>,
                                         %b: tensor<1x8x4xf32>,
                                         %s0: tensor<2x4x1x16x32xf32>,
                                         %cu: tensor<3xi32>)
    -> tensor<2x4x1x16x32xf32> {
  %w, %i = sse.classify %z {k = 1 : i64, order = #sse.order<topk_then_softmax>, renormalize}
      : tensor<1x8x4x1xbf16> -> (tensor<1x8x4x1xf32>, tensor<1x8x4x1xi64>)
  %o, %s = sse.scan %q, %q, %v beta(%b) route(%w, %i) init(%s0) cu_seqlens(%cu)
      {rule = #sse.rule<delta>}
      : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>,
         tensor<1x8x4xf32>, tensor<1x8x4x1xf32>, tensor<1x8x4x1xi64>,
         tensor<2x4x1x16x32xf32>, tensor<3xi32>)
      -> (tensor<1x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %s : tensor<2x4x1x16x32xf32>
}

// -----

// Negative: routing from function arguments (not a classify) is kept, even
// for a 1-partition scan with k = 1.
// CHECK-LABEL: func.func @keep_routing_from_args(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[W:[^:]+]]: tensor<2x8x1xf32>, %[[I:[^:]+]]: tensor<2x8x1xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @keep_routing_from_args(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                                  %w: tensor<2x8x1xf32>, %i: tensor<2x8x1xi32>)
    -> tensor<2x8x4x32xf32> {
  %o, %s = sse.scan %q, %q, %v route(%w, %i)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// -----

// Negative: partitions > 1. The classify is trivial (one logit, k = 1) but
// the scan has 2 partitions, so dropping the routing would leave an invalid
// unrouted scan; nothing changes.
// CHECK-LABEL: func.func @keep_routing_partitions_gt_1(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x8x1xf32>, %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>)
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 2 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
func.func @keep_routing_partitions_gt_1(%z: tensor<2x8x1xf32>,
                                        %q: tensor<2x8x4x16xf32>,
                                        %v: tensor<2x8x4x32xf32>)
    -> tensor<2x8x4x32xf32> {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// -----

// Negative: the classify has several choices (N = 4 logits, k = 1). A
// 1-partition scan accepts it (indices are not range-checked by the
// verifier; out-of-range slots are no-ops at run time), so the routing is
// semantically live and must stay.
// CHECK-LABEL: func.func @keep_routing_several_logits(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x8x4xf32>, %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>)
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @keep_routing_several_logits(%z: tensor<2x8x4xf32>,
                                       %q: tensor<2x8x4x16xf32>,
                                       %v: tensor<2x8x4x32xf32>)
    -> tensor<2x8x4x32xf32> {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x8x4xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// -----

// Negative: a dynamic number of logits is not known to be 1.
// CHECK-LABEL: func.func @keep_routing_dynamic_logits(
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %{{.*}} {k = 1 : i64} : tensor<2x8x?xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
// CHECK:         sse.scan %{{.*}}, %{{.*}}, %{{.*}} route(%[[W]], %[[I]]) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @keep_routing_dynamic_logits(%z: tensor<2x8x?xf32>,
                                       %q: tensor<2x8x4x16xf32>,
                                       %v: tensor<2x8x4x32xf32>)
    -> tensor<2x8x4x32xf32> {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x8x?xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// -----

// Negative: weights from one classify and indices from another. The pattern
// requires both from the same op, even though both classifies here are
// trivial (it is conservative; canonicalize does not CSE the two identical
// classifies either). Both classifies and the routing stay.
// CHECK-LABEL: func.func @keep_routing_two_classifies(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x8x1xf32>, %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>)
// CHECK:         %[[W:.*]], %{{.*}} = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
// CHECK:         %{{.*}}, %[[I2:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I2]]) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @keep_routing_two_classifies(%z: tensor<2x8x1xf32>,
                                       %q: tensor<2x8x4x16xf32>,
                                       %v: tensor<2x8x4x32xf32>)
    -> tensor<2x8x4x32xf32> {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %w2, %i2 = sse.classify %z {k = 1 : i64}
      : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i2)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// -----

// The classify result is still used elsewhere: the scan still drops its
// routing (the pattern only looks at the scan), but the classify stays for
// its other user.
// CHECK-LABEL: func.func @classify_used_elsewhere(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x8x1xf32>, %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>)
// CHECK:         %{{.*}}, %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
// CHECK:         %[[O:.*]], %{{.*}} = sse.scan %[[Q]], %[[Q]], %[[V]] : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK:         return %[[O]], %[[I]] : tensor<2x8x4x32xf32>, tensor<2x8x1xi32>
func.func @classify_used_elsewhere(%z: tensor<2x8x1xf32>,
                                   %q: tensor<2x8x4x16xf32>,
                                   %v: tensor<2x8x4x32xf32>)
    -> (tensor<2x8x4x32xf32>, tensor<2x8x1xi32>) {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o, %i : tensor<2x8x4x32xf32>, tensor<2x8x1xi32>
}

// -----

// One classify feeding two trivial scans: both drop their routing and the
// classify is erased once its last user is gone.
// CHECK-LABEL: func.func @classify_two_scans(
// CHECK-NOT:     sse.classify
// CHECK-COUNT-2: sse.scan %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK-NOT:     sse.classify
func.func @classify_two_scans(%z: tensor<2x8x1xf32>, %q: tensor<2x8x4x16xf32>,
                              %v: tensor<2x8x4x32xf32>)
    -> (tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>) {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x8x1xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v route(%w, %i)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o, %o2 : tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>
}

// -----

// Unused classify and scan ops are erased as dead (both are Pure), routed
// scan first, then its classify.
// CHECK-LABEL: func.func @dead_ops(
// CHECK-NEXT:    return
func.func @dead_ops(%z: tensor<2x8x4xf32>, %q: tensor<2x8x4x16xf32>,
                    %v: tensor<2x8x4x32xf32>) {
  %w, %i = sse.classify %z {k = 2 : i64}
      : tensor<2x8x4xf32> -> (tensor<2x8x2xf32>, tensor<2x8x2xi32>)
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x2xf32>, tensor<2x8x2xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
  return
}
