// RUN: sse-opt %s | sse-opt | FileCheck %s
// RUN: sse-opt %s --mlir-print-op-generic | sse-opt | FileCheck %s

// Round trip of every form of sse.classify and sse.scan, through the custom
// and through the generic assembly. Default-valued attributes (order,
// partitions, rule, read_gate, write_gate) are elided by the printer; the
// CHECK lines pin that: an op without options must print its operands
// directly followed by ` : `.

//===----------------------------------------------------------------------===//
// sse.classify
//===----------------------------------------------------------------------===//

// The default router: softmax_then_topk, no renormalisation, i32 indices.
// The default order is not printed.
// CHECK-LABEL: func.func @classify_default(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x64x4xf32>)
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
// CHECK:         return %[[W]], %[[I]] : tensor<2x64x1xf32>, tensor<2x64x1xi32>
func.func @classify_default(%z: tensor<2x64x4xf32>)
    -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>) {
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
  return %w, %i : tensor<2x64x1xf32>, tensor<2x64x1xi32>
}

// k > 1; an explicitly spelled default order is elided on output.
// CHECK-LABEL: func.func @classify_k2(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<2x64x4xf32>)
// CHECK:         %{{.*}}, %{{.*}} = sse.classify %[[Z]] {k = 2 : i64} : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
func.func @classify_k2(%z: tensor<2x64x4xf32>)
    -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>) {
  %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<softmax_then_topk>}
      : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
  return %w, %i : tensor<2x64x2xf32>, tensor<2x64x2xi32>
}

// k = N (every partition selected) is allowed.
// CHECK-LABEL: func.func @classify_k_eq_n(
// CHECK:         sse.classify %{{.*}} {k = 4 : i64} : tensor<2x64x4xf32> -> (tensor<2x64x4xf32>, tensor<2x64x4xi32>)
func.func @classify_k_eq_n(%z: tensor<2x64x4xf32>)
    -> (tensor<2x64x4xf32>, tensor<2x64x4xi32>) {
  %w, %i = sse.classify %z {k = 4 : i64}
      : tensor<2x64x4xf32> -> (tensor<2x64x4xf32>, tensor<2x64x4xi32>)
  return %w, %i : tensor<2x64x4xf32>, tensor<2x64x4xi32>
}

// The row-sparse order is printed.
// CHECK-LABEL: func.func @classify_topk_then_softmax(
// CHECK:         sse.classify %{{.*}} {k = 2 : i64, order = #sse.order<topk_then_softmax>} : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
func.func @classify_topk_then_softmax(%z: tensor<2x64x4xf32>)
    -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>) {
  %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<topk_then_softmax>}
      : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
  return %w, %i : tensor<2x64x2xf32>, tensor<2x64x2xi32>
}

// renormalize is a unit attribute: printed bare, with and without an order.
// CHECK-LABEL: func.func @classify_renormalize(
// CHECK:         sse.classify %{{.*}} {k = 2 : i64, renormalize} : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
// CHECK:         sse.classify %{{.*}} {k = 2 : i64, order = #sse.order<topk_then_softmax>, renormalize} : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
func.func @classify_renormalize(%z: tensor<2x64x4xf32>)
    -> (tensor<2x64x2xf32>, tensor<2x64x2xf32>) {
  %w, %i = sse.classify %z {k = 2 : i64, renormalize}
      : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
  %w2, %i2 = sse.classify %z {renormalize, order = #sse.order<topk_then_softmax>, k = 2 : i64}
      : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi32>)
  return %w, %w2 : tensor<2x64x2xf32>, tensor<2x64x2xf32>
}

// Indices may be any signless integer type; i64 here.
// CHECK-LABEL: func.func @classify_i64(
// CHECK:         sse.classify %{{.*}} {k = 2 : i64} : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi64>)
func.func @classify_i64(%z: tensor<2x64x4xf32>) -> tensor<2x64x2xi64> {
  %w, %i = sse.classify %z {k = 2 : i64}
      : tensor<2x64x4xf32> -> (tensor<2x64x2xf32>, tensor<2x64x2xi64>)
  return %i : tensor<2x64x2xi64>
}

// bf16 and f16 logits; the weights stay f32.
// CHECK-LABEL: func.func @classify_half(
// CHECK:         sse.classify %{{.*}} {k = 1 : i64} : tensor<2x64x4xbf16> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
// CHECK:         sse.classify %{{.*}} {k = 3 : i64} : tensor<2x64x4xf16> -> (tensor<2x64x3xf32>, tensor<2x64x3xi32>)
func.func @classify_half(%zb: tensor<2x64x4xbf16>, %zh: tensor<2x64x4xf16>)
    -> (tensor<2x64x1xf32>, tensor<2x64x3xf32>) {
  %w, %i = sse.classify %zb {k = 1 : i64}
      : tensor<2x64x4xbf16> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
  %w2, %i2 = sse.classify %zh {k = 3 : i64}
      : tensor<2x64x4xf16> -> (tensor<2x64x3xf32>, tensor<2x64x3xi32>)
  return %w, %w2 : tensor<2x64x1xf32>, tensor<2x64x3xf32>
}

// Rank 1 ([N]), rank 2 ([tokens, N]) and rank 4 ([B, T, H, N], per head).
// CHECK-LABEL: func.func @classify_ranks(
// CHECK:         sse.classify %{{.*}} {k = 2 : i64} : tensor<8xf32> -> (tensor<2xf32>, tensor<2xi32>)
// CHECK:         sse.classify %{{.*}} {k = 2 : i64} : tensor<64x8xf32> -> (tensor<64x2xf32>, tensor<64x2xi32>)
// CHECK:         sse.classify %{{.*}} {k = 3 : i64} : tensor<2x64x4x8xf32> -> (tensor<2x64x4x3xf32>, tensor<2x64x4x3xi32>)
func.func @classify_ranks(%z1: tensor<8xf32>, %z2: tensor<64x8xf32>,
                          %z4: tensor<2x64x4x8xf32>)
    -> (tensor<2xf32>, tensor<64x2xf32>, tensor<2x64x4x3xf32>) {
  %w1, %i1 = sse.classify %z1 {k = 2 : i64}
      : tensor<8xf32> -> (tensor<2xf32>, tensor<2xi32>)
  %w2, %i2 = sse.classify %z2 {k = 2 : i64}
      : tensor<64x8xf32> -> (tensor<64x2xf32>, tensor<64x2xi32>)
  %w4, %i4 = sse.classify %z4 {k = 3 : i64}
      : tensor<2x64x4x8xf32> -> (tensor<2x64x4x3xf32>, tensor<2x64x4x3xi32>)
  return %w1, %w2, %w4 : tensor<2xf32>, tensor<64x2xf32>, tensor<2x64x4x3xf32>
}

// Dynamic dims: leading dims may be dynamic on either side; a dynamic N skips
// the k <= N check; a dynamic k dimension in the results is accepted.
// CHECK-LABEL: func.func @classify_dynamic(
// CHECK:         sse.classify %{{.*}} {k = 2 : i64} : tensor<?x?x8xf32> -> (tensor<?x?x2xf32>, tensor<?x?x2xi32>)
// CHECK:         sse.classify %{{.*}} {k = 3 : i64} : tensor<4x?xf32> -> (tensor<4x3xf32>, tensor<4x3xi32>)
// CHECK:         sse.classify %{{.*}} {k = 2 : i64} : tensor<?x8xf32> -> (tensor<4x?xf32>, tensor<?x2xi32>)
func.func @classify_dynamic(%z: tensor<?x?x8xf32>, %zn: tensor<4x?xf32>,
                            %zd: tensor<?x8xf32>)
    -> (tensor<?x?x2xf32>, tensor<4x3xf32>, tensor<4x?xf32>) {
  %w, %i = sse.classify %z {k = 2 : i64}
      : tensor<?x?x8xf32> -> (tensor<?x?x2xf32>, tensor<?x?x2xi32>)
  %wn, %in = sse.classify %zn {k = 3 : i64}
      : tensor<4x?xf32> -> (tensor<4x3xf32>, tensor<4x3xi32>)
  %wd, %id = sse.classify %zd {k = 2 : i64}
      : tensor<?x8xf32> -> (tensor<4x?xf32>, tensor<?x2xi32>)
  return %w, %wn, %wd : tensor<?x?x2xf32>, tensor<4x3xf32>, tensor<4x?xf32>
}

//===----------------------------------------------------------------------===//
// sse.scan
//===----------------------------------------------------------------------===//

// No optional operand and no attribute: an explicitly spelled set of
// defaults (partitions = 1, rule = additive, read_gate = write_gate = true)
// is elided, so nothing sits between v and the type list.
// CHECK-LABEL: func.func @scan_plain(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[K:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>)
// CHECK:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[K]], %[[V]] : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK:         %{{.*}}, %{{.*}} = sse.scan %[[Q]], %[[K]], %[[V]] : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>
func.func @scan_plain(%q: tensor<2x8x4x16xf32>, %k: tensor<2x8x4x16xf32>,
                      %v: tensor<2x8x4x32xf32>)
    -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>) {
  %o, %s = sse.scan %q, %k, %v
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  %o2, %s2 = sse.scan %q, %k, %v {partitions = 1 : i64, rule = #sse.rule<additive>, read_gate = true, write_gate = true}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o, %s : tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>
}

// Scalar gate: one log-decay per (token, head), [B, T, H].
// CHECK-LABEL: func.func @scan_scalar_gate(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[G:[^:]+]]: tensor<2x8x4xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] gate(%[[G]]) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @scan_scalar_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                            %g: tensor<2x8x4xf32>) -> tensor<2x8x4x32xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x4xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// Per-key gate, [B, T, H, K] (additive rule).
// CHECK-LABEL: func.func @scan_per_key_gate(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[G:[^:]+]]: tensor<2x8x4x16xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] gate(%[[G]]) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @scan_per_key_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                             %g: tensor<2x8x4x16xf32>) -> tensor<2x8x4x32xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x4x16xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// Delta rule with beta and a scalar gate; gate( ) prints before beta( ).
// CHECK-LABEL: func.func @scan_delta_gate(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[G:[^:]+]]: tensor<2x8x4xf32>, %[[B:[^:]+]]: tensor<2x8x4xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] gate(%[[G]]) beta(%[[B]]) {rule = #sse.rule<delta>} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @scan_delta_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                           %g: tensor<2x8x4xf32>, %b: tensor<2x8x4xf32>)
    -> tensor<2x8x4x32xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g) beta(%b) {rule = #sse.rule<delta>}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x4xf32>, tensor<2x8x4xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// Delta rule without a gate.
// CHECK-LABEL: func.func @scan_delta_no_gate(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[B:[^:]+]]: tensor<2x8x4xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] beta(%[[B]]) {rule = #sse.rule<delta>} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @scan_delta_no_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                              %b: tensor<2x8x4xf32>) -> tensor<2x8x4x32xf32> {
  %o, %s = sse.scan %q, %q, %v beta(%b) {rule = #sse.rule<delta>}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x4xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o : tensor<2x8x4x32xf32>
}

// Routing shared by all heads, [B, T, k], k = 2 of N = 4 partitions; the
// partition count appears in the state type.
// CHECK-LABEL: func.func @scan_route_shared(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[W:[^:]+]]: tensor<2x8x2xf32>, %[[I:[^:]+]]: tensor<2x8x2xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 4 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x2xf32>, tensor<2x8x2xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
func.func @scan_route_shared(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                             %w: tensor<2x8x2xf32>, %i: tensor<2x8x2xi32>)
    -> tensor<2x4x4x16x32xf32> {
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x2xf32>, tensor<2x8x2xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
  return %s : tensor<2x4x4x16x32xf32>
}

// Per-head routing, [B, T, H, k], with i64 indices; k = N.
// CHECK-LABEL: func.func @scan_route_per_head(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[W:[^:]+]]: tensor<2x8x4x3xf32>, %[[I:[^:]+]]: tensor<2x8x4x3xi64>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 3 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x3xf32>, tensor<2x8x4x3xi64>) -> (tensor<2x8x4x32xf32>, tensor<2x4x3x16x32xf32>)
func.func @scan_route_per_head(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                               %w: tensor<2x8x4x3xf32>, %i: tensor<2x8x4x3xi64>)
    -> tensor<2x4x3x16x32xf32> {
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 3 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x4x3xf32>, tensor<2x8x4x3xi64>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x3x16x32xf32>)
  return %s : tensor<2x4x3x16x32xf32>
}

// Initial states [S, H, N, K, V] with S = B; the final states feed a second
// (decode) scan as its init.
// CHECK-LABEL: func.func @scan_init(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[S0:[^:]+]]: tensor<2x4x1x16x32xf32>, %[[Q1:[^:]+]]: tensor<2x1x4x16xf32>, %[[V1:[^:]+]]: tensor<2x1x4x32xf32>)
// CHECK:         %{{.*}}, %[[S1:.*]] = sse.scan %[[Q]], %[[Q]], %[[V]] init(%[[S0]]) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK:         sse.scan %[[Q1]], %[[Q1]], %[[V1]] init(%[[S1]]) : (tensor<2x1x4x16xf32>, tensor<2x1x4x16xf32>, tensor<2x1x4x32xf32>, tensor<2x4x1x16x32xf32>) -> (tensor<2x1x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @scan_init(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                     %s0: tensor<2x4x1x16x32xf32>, %q1: tensor<2x1x4x16xf32>,
                     %v1: tensor<2x1x4x32xf32>) -> tensor<2x4x1x16x32xf32> {
  %o, %s = sse.scan %q, %q, %v init(%s0)
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x4x1x16x32xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  %o1, %s1 = sse.scan %q1, %q1, %v1 init(%s)
      : (tensor<2x1x4x16xf32>, tensor<2x1x4x16xf32>, tensor<2x1x4x32xf32>,
         tensor<2x4x1x16x32xf32>)
      -> (tensor<2x1x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %s1 : tensor<2x4x1x16x32xf32>
}

// Packed sequences: B = 1, cu_seqlens [S + 1] = [4] gives S = 3 states, for
// init and final states alike; i64 offsets are accepted too.
// CHECK-LABEL: func.func @scan_cu_seqlens(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x4x16xf32>, %[[V:[^:]+]]: tensor<1x8x4x32xf32>, %[[S0:[^:]+]]: tensor<3x4x1x16x32xf32>, %[[CU:[^:]+]]: tensor<4xi32>, %[[CU64:[^:]+]]: tensor<2xi64>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] init(%[[S0]]) cu_seqlens(%[[CU]]) : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<3x4x1x16x32xf32>, tensor<4xi32>) -> (tensor<1x8x4x32xf32>, tensor<3x4x1x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] cu_seqlens(%[[CU64]]) : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<2xi64>) -> (tensor<1x8x4x32xf32>, tensor<1x4x1x16x32xf32>)
func.func @scan_cu_seqlens(%q: tensor<1x8x4x16xf32>, %v: tensor<1x8x4x32xf32>,
                           %s0: tensor<3x4x1x16x32xf32>, %cu: tensor<4xi32>,
                           %cu64: tensor<2xi64>)
    -> (tensor<3x4x1x16x32xf32>, tensor<1x4x1x16x32xf32>) {
  %o, %s = sse.scan %q, %q, %v init(%s0) cu_seqlens(%cu)
      : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>,
         tensor<3x4x1x16x32xf32>, tensor<4xi32>)
      -> (tensor<1x8x4x32xf32>, tensor<3x4x1x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v cu_seqlens(%cu64)
      : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>,
         tensor<2xi64>)
      -> (tensor<1x8x4x32xf32>, tensor<1x4x1x16x32xf32>)
  return %s, %s2 : tensor<3x4x1x16x32xf32>, tensor<1x4x1x16x32xf32>
}

// An explicit read scale (f32), including 0 and a negative value.
// CHECK-LABEL: func.func @scan_scale(
// CHECK:         sse.scan %{{.*}} {scale = 1.250000e-01 : f32} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK:         sse.scan %{{.*}} {scale = 0.000000e+00 : f32} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
// CHECK:         sse.scan %{{.*}} {scale = -2.000000e+00 : f32} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
func.func @scan_scale(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>)
    -> (tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>) {
  %o, %s = sse.scan %q, %q, %v {scale = 0.125 : f32}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v {scale = 0.0 : f32}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  %o3, %s3 = sse.scan %q, %q, %v {scale = -2.0 : f32}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return %o, %o2, %o3 : tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>
}

// read_gate / write_gate = false are printed (each alone, then both), true is
// elided.
// CHECK-LABEL: func.func @scan_gates_false(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x4x16xf32>, %[[V:[^:]+]]: tensor<2x8x4x32xf32>, %[[W:[^:]+]]: tensor<2x8x1xf32>, %[[I:[^:]+]]: tensor<2x8x1xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 2 : i64, read_gate = false} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 2 : i64, write_gate = false} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 2 : i64, read_gate = false, write_gate = false} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
func.func @scan_gates_false(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>,
                            %w: tensor<2x8x1xf32>, %i: tensor<2x8x1xi32>)
    -> (tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>) {
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64, read_gate = false, write_gate = true}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64, write_gate = false}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  %o3, %s3 = sse.scan %q, %q, %v route(%w, %i) {write_gate = false, read_gate = false, partitions = 2 : i64}
      : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>,
         tensor<2x8x1xf32>, tensor<2x8x1xi32>)
      -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return %o, %o2, %o3 : tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>
}

// bf16 q/k/v: o is bf16 (v's element type), the states stay f32; gate and
// beta may keep their own float type (f32 and f16 here).
// CHECK-LABEL: func.func @scan_bf16(
// CHECK:         sse.scan %{{.*}}, %{{.*}}, %{{.*}} gate(%{{.*}}) beta(%{{.*}}) {rule = #sse.rule<delta>} : (tensor<2x8x4x16xbf16>, tensor<2x8x4x16xbf16>, tensor<2x8x4x32xbf16>, tensor<2x8x4xf32>, tensor<2x8x4xf16>) -> (tensor<2x8x4x32xbf16>, tensor<2x4x1x16x32xf32>)
func.func @scan_bf16(%q: tensor<2x8x4x16xbf16>, %k: tensor<2x8x4x16xbf16>,
                     %v: tensor<2x8x4x32xbf16>, %g: tensor<2x8x4xf32>,
                     %b: tensor<2x8x4xf16>)
    -> (tensor<2x8x4x32xbf16>, tensor<2x4x1x16x32xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g) beta(%b) {rule = #sse.rule<delta>}
      : (tensor<2x8x4x16xbf16>, tensor<2x8x4x16xbf16>, tensor<2x8x4x32xbf16>,
         tensor<2x8x4xf32>, tensor<2x8x4xf16>)
      -> (tensor<2x8x4x32xbf16>, tensor<2x4x1x16x32xf32>)
  return %o, %s : tensor<2x8x4x32xbf16>, tensor<2x4x1x16x32xf32>
}

// f16 q/k/v with a bf16 per-key gate: o is f16.
// CHECK-LABEL: func.func @scan_f16(
// CHECK:         sse.scan %{{.*}}, %{{.*}}, %{{.*}} gate(%{{.*}}) : (tensor<2x8x4x16xf16>, tensor<2x8x4x16xf16>, tensor<2x8x4x32xf16>, tensor<2x8x4x16xbf16>) -> (tensor<2x8x4x32xf16>, tensor<2x4x1x16x32xf32>)
func.func @scan_f16(%q: tensor<2x8x4x16xf16>, %k: tensor<2x8x4x16xf16>,
                    %v: tensor<2x8x4x32xf16>, %g: tensor<2x8x4x16xbf16>)
    -> (tensor<2x8x4x32xf16>, tensor<2x4x1x16x32xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g)
      : (tensor<2x8x4x16xf16>, tensor<2x8x4x16xf16>, tensor<2x8x4x32xf16>,
         tensor<2x8x4x16xbf16>)
      -> (tensor<2x8x4x32xf16>, tensor<2x4x1x16x32xf32>)
  return %o, %s : tensor<2x8x4x32xf16>, tensor<2x4x1x16x32xf32>
}

// K != V, with K > V: the state is [S, H, N, K, V] = [.., 64, 8] and the
// per-key gate follows K.
// CHECK-LABEL: func.func @scan_k_ne_v(
// CHECK:         sse.scan %{{.*}}, %{{.*}}, %{{.*}} gate(%{{.*}}) : (tensor<2x8x4x64xf32>, tensor<2x8x4x64xf32>, tensor<2x8x4x8xf32>, tensor<2x8x4x64xf32>) -> (tensor<2x8x4x8xf32>, tensor<2x4x1x64x8xf32>)
func.func @scan_k_ne_v(%q: tensor<2x8x4x64xf32>, %v: tensor<2x8x4x8xf32>,
                       %g: tensor<2x8x4x64xf32>) -> tensor<2x4x1x64x8xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g)
      : (tensor<2x8x4x64xf32>, tensor<2x8x4x64xf32>, tensor<2x8x4x8xf32>,
         tensor<2x8x4x64xf32>)
      -> (tensor<2x8x4x8xf32>, tensor<2x4x1x64x8xf32>)
  return %s : tensor<2x4x1x64x8xf32>
}

// Dynamic dims everywhere: B, T, K, V and the routing k are dynamic, a
// dynamic cu_seqlens length makes S dynamic, and static and dynamic sizes
// may meet (k static against a dynamic q, static result dims).
// CHECK-LABEL: func.func @scan_dynamic(
// CHECK:         sse.scan %{{.*}}, %{{.*}}, %{{.*}} gate(%{{.*}}) route(%{{.*}}, %{{.*}}) init(%{{.*}}) {partitions = 4 : i64} : (tensor<?x?x4x?xf32>, tensor<?x?x4x?xf32>, tensor<?x?x4x?xf32>, tensor<?x?x4x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xi32>, tensor<?x4x4x?x?xf32>) -> (tensor<?x?x4x?xf32>, tensor<?x4x4x?x?xf32>)
// CHECK:         sse.scan %{{.*}}, %{{.*}}, %{{.*}} cu_seqlens(%{{.*}}) : (tensor<1x?x4x16xf32>, tensor<?x8x?x16xf32>, tensor<1x?x4x32xf32>, tensor<?xi32>) -> (tensor<1x8x4x32xf32>, tensor<?x4x1x16x32xf32>)
func.func @scan_dynamic(%q: tensor<?x?x4x?xf32>, %v: tensor<?x?x4x?xf32>,
                        %g: tensor<?x?x4x?xf32>, %w: tensor<?x?x?xf32>,
                        %i: tensor<?x?x?xi32>, %s0: tensor<?x4x4x?x?xf32>,
                        %q1: tensor<1x?x4x16xf32>, %k1: tensor<?x8x?x16xf32>,
                        %v1: tensor<1x?x4x32xf32>, %cu: tensor<?xi32>)
    -> (tensor<?x4x4x?x?xf32>, tensor<?x4x1x16x32xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%g) route(%w, %i) init(%s0) {partitions = 4 : i64}
      : (tensor<?x?x4x?xf32>, tensor<?x?x4x?xf32>, tensor<?x?x4x?xf32>,
         tensor<?x?x4x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xi32>,
         tensor<?x4x4x?x?xf32>)
      -> (tensor<?x?x4x?xf32>, tensor<?x4x4x?x?xf32>)
  %o1, %s1 = sse.scan %q1, %k1, %v1 cu_seqlens(%cu)
      : (tensor<1x?x4x16xf32>, tensor<?x8x?x16xf32>, tensor<1x?x4x32xf32>,
         tensor<?xi32>)
      -> (tensor<1x8x4x32xf32>, tensor<?x4x1x16x32xf32>)
  return %s, %s1 : tensor<?x4x4x?x?xf32>, tensor<?x4x1x16x32xf32>
}

// A per-head classify feeding a scan that uses every optional operand and
// every attribute at once (delta rule, so the gate is scalar). The printed
// operand groups keep the order gate, beta, route, init, cu_seqlens whatever
// order the attributes are written in.
// CHECK-LABEL: func.func @classify_then_scan(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<1x16x2x8xbf16>, %[[Q:[^:]+]]: tensor<1x16x2x32xbf16>, %[[K:[^:]+]]: tensor<1x16x2x32xbf16>, %[[V:[^:]+]]: tensor<1x16x2x64xbf16>, %[[G:[^:]+]]: tensor<1x16x2xf32>, %[[B:[^:]+]]: tensor<1x16x2xf32>, %[[S0:[^:]+]]: tensor<3x2x8x32x64xf32>, %[[CU:[^:]+]]: tensor<4xi32>)
// CHECK:         %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 2 : i64, order = #sse.order<topk_then_softmax>, renormalize} : tensor<1x16x2x8xbf16> -> (tensor<1x16x2x2xf32>, tensor<1x16x2x2xi32>)
// CHECK:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[K]], %[[V]] gate(%[[G]]) beta(%[[B]]) route(%[[W]], %[[I]]) init(%[[S0]]) cu_seqlens(%[[CU]]) {partitions = 8 : i64, read_gate = false, rule = #sse.rule<delta>, scale = 2.500000e-01 : f32, write_gate = false} : (tensor<1x16x2x32xbf16>, tensor<1x16x2x32xbf16>, tensor<1x16x2x64xbf16>, tensor<1x16x2xf32>, tensor<1x16x2xf32>, tensor<1x16x2x2xf32>, tensor<1x16x2x2xi32>, tensor<3x2x8x32x64xf32>, tensor<4xi32>) -> (tensor<1x16x2x64xbf16>, tensor<3x2x8x32x64xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<1x16x2x64xbf16>, tensor<3x2x8x32x64xf32>
func.func @classify_then_scan(%z: tensor<1x16x2x8xbf16>,
                              %q: tensor<1x16x2x32xbf16>,
                              %k: tensor<1x16x2x32xbf16>,
                              %v: tensor<1x16x2x64xbf16>,
                              %g: tensor<1x16x2xf32>, %b: tensor<1x16x2xf32>,
                              %s0: tensor<3x2x8x32x64xf32>,
                              %cu: tensor<4xi32>)
    -> (tensor<1x16x2x64xbf16>, tensor<3x2x8x32x64xf32>) {
  %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<topk_then_softmax>, renormalize}
      : tensor<1x16x2x8xbf16> -> (tensor<1x16x2x2xf32>, tensor<1x16x2x2xi32>)
  %o, %s = sse.scan %q, %k, %v gate(%g) beta(%b) route(%w, %i) init(%s0)
      cu_seqlens(%cu)
      {write_gate = false, scale = 0.25 : f32, rule = #sse.rule<delta>,
       read_gate = false, partitions = 8 : i64}
      : (tensor<1x16x2x32xbf16>, tensor<1x16x2x32xbf16>, tensor<1x16x2x64xbf16>,
         tensor<1x16x2xf32>, tensor<1x16x2xf32>, tensor<1x16x2x2xf32>,
         tensor<1x16x2x2xi32>, tensor<3x2x8x32x64xf32>, tensor<4xi32>)
      -> (tensor<1x16x2x64xbf16>, tensor<3x2x8x32x64xf32>)
  return %o, %s : tensor<1x16x2x64xbf16>, tensor<3x2x8x32x64xf32>
}

//===----------------------------------------------------------------------===//
// sse.scan, fused forms: shared partition, router(z), #sse.schedule
//===----------------------------------------------------------------------===//

// A shared partition with its own q and k and no gate: the states hold
// 1 + N = 5 partitions; shared(...) prints after gate/beta, before route(...).
// CHECK-LABEL: func.func @scan_shared(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x2x16xf32>, %[[Q1:[^:]+]]: tensor<1x8x2x16xf32>, %[[K1:[^:]+]]: tensor<1x8x2x16xf32>, %[[V:[^:]+]]: tensor<1x8x2x32xf32>, %[[G:[^:]+]]: tensor<1x8x2x16xf32>, %[[W:[^:]+]]: tensor<1x8x2xf32>, %[[I:[^:]+]]: tensor<1x8x2xi32>)
// CHECK:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[Q]], %[[V]] gate(%[[G]]) shared(%[[Q1]], %[[K1]]) route(%[[W]], %[[I]]) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2xf32>, tensor<1x8x2xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>
func.func @scan_shared(%q: tensor<1x8x2x16xf32>, %q1: tensor<1x8x2x16xf32>,
                       %k1: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>,
                       %g: tensor<1x8x2x16xf32>, %w: tensor<1x8x2xf32>,
                       %i: tensor<1x8x2xi32>)
    -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%g) shared(%q1, %k1) route(%w, %i)
      {partitions = 4 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>,
         tensor<1x8x2xf32>, tensor<1x8x2xi32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
  return %o, %s : tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>
}

// shared_gate, scalar [B, T, H] and per key [B, T, H, K], with per-head
// routing; the shared gate may have its own float type (bf16 here).
// CHECK-LABEL: func.func @scan_shared_gate(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x2x16xf32>, %[[V:[^:]+]]: tensor<1x8x2x32xf32>, %[[G1:[^:]+]]: tensor<1x8x2xf32>, %[[GK:[^:]+]]: tensor<1x8x2x16xbf16>, %[[W:[^:]+]]: tensor<1x8x2x1xf32>, %[[I:[^:]+]]: tensor<1x8x2x1xi64>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] shared(%[[Q]], %[[Q]]) shared_gate(%[[G1]]) route(%[[W]], %[[I]]) {partitions = 2 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2xf32>, tensor<1x8x2x1xf32>, tensor<1x8x2x1xi64>) -> (tensor<1x8x2x32xf32>, tensor<1x2x3x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] gate(%[[G1]]) shared(%[[Q]], %[[Q]]) shared_gate(%[[GK]]) route(%[[W]], %[[I]]) {partitions = 2 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xbf16>, tensor<1x8x2x1xf32>, tensor<1x8x2x1xi64>) -> (tensor<1x8x2x32xf32>, tensor<1x2x3x16x32xf32>)
func.func @scan_shared_gate(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>,
                            %g1: tensor<1x8x2xf32>, %gk: tensor<1x8x2x16xbf16>,
                            %w: tensor<1x8x2x1xf32>, %i: tensor<1x8x2x1xi64>)
    -> (tensor<1x2x3x16x32xf32>, tensor<1x2x3x16x32xf32>) {
  %o, %s = sse.scan %q, %q, %v shared(%q, %q) shared_gate(%g1) route(%w, %i)
      {partitions = 2 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2xf32>,
         tensor<1x8x2x1xf32>, tensor<1x8x2x1xi64>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x3x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v gate(%g1) shared(%q, %q) shared_gate(%gk)
      route(%w, %i) {partitions = 2 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x2xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>,
         tensor<1x8x2x16xbf16>, tensor<1x8x2x1xf32>, tensor<1x8x2x1xi64>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x3x16x32xf32>)
  return %s, %s2 : tensor<1x2x3x16x32xf32>, tensor<1x2x3x16x32xf32>
}

// The delta rule with a shared partition: shared_beta (and a scalar
// shared_gate) print after shared(...) in the order gate, beta.
// CHECK-LABEL: func.func @scan_shared_delta(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x2x16xbf16>, %[[V:[^:]+]]: tensor<1x8x2x32xbf16>, %[[G:[^:]+]]: tensor<1x8x2xf32>, %[[B:[^:]+]]: tensor<1x8x2xf32>, %[[G1:[^:]+]]: tensor<1x8x2xf32>, %[[B1:[^:]+]]: tensor<1x8x2xf16>, %[[W:[^:]+]]: tensor<1x8x2xf32>, %[[I:[^:]+]]: tensor<1x8x2xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] gate(%[[G]]) beta(%[[B]]) shared(%[[Q]], %[[Q]]) shared_gate(%[[G1]]) shared_beta(%[[B1]]) route(%[[W]], %[[I]]) {partitions = 4 : i64, read_gate = false, rule = #sse.rule<delta>, write_gate = false} : (tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2x32xbf16>, tensor<1x8x2xf32>, tensor<1x8x2xf32>, tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2xf32>, tensor<1x8x2xf16>, tensor<1x8x2xf32>, tensor<1x8x2xi32>) -> (tensor<1x8x2x32xbf16>, tensor<1x2x5x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] beta(%[[B]]) shared(%[[Q]], %[[Q]]) shared_beta(%[[B1]]) route(%[[W]], %[[I]]) {partitions = 4 : i64, rule = #sse.rule<delta>} : (tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2x32xbf16>, tensor<1x8x2xf32>, tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2xf16>, tensor<1x8x2xf32>, tensor<1x8x2xi32>) -> (tensor<1x8x2x32xbf16>, tensor<1x2x5x16x32xf32>)
func.func @scan_shared_delta(%q: tensor<1x8x2x16xbf16>, %v: tensor<1x8x2x32xbf16>,
                             %g: tensor<1x8x2xf32>, %b: tensor<1x8x2xf32>,
                             %g1: tensor<1x8x2xf32>, %b1: tensor<1x8x2xf16>,
                             %w: tensor<1x8x2xf32>, %i: tensor<1x8x2xi32>)
    -> (tensor<1x8x2x32xbf16>, tensor<1x8x2x32xbf16>) {
  %o, %s = sse.scan %q, %q, %v gate(%g) beta(%b) shared(%q, %q) shared_gate(%g1)
      shared_beta(%b1) route(%w, %i)
      {rule = #sse.rule<delta>, partitions = 4 : i64, read_gate = false, write_gate = false}
      : (tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2x32xbf16>,
         tensor<1x8x2xf32>, tensor<1x8x2xf32>, tensor<1x8x2x16xbf16>,
         tensor<1x8x2x16xbf16>, tensor<1x8x2xf32>, tensor<1x8x2xf16>,
         tensor<1x8x2xf32>, tensor<1x8x2xi32>)
      -> (tensor<1x8x2x32xbf16>, tensor<1x2x5x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v beta(%b) shared(%q, %q) shared_beta(%b1)
      route(%w, %i) {rule = #sse.rule<delta>, partitions = 4 : i64}
      : (tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2x32xbf16>,
         tensor<1x8x2xf32>, tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>,
         tensor<1x8x2xf16>, tensor<1x8x2xf32>, tensor<1x8x2xi32>)
      -> (tensor<1x8x2x32xbf16>, tensor<1x2x5x16x32xf32>)
  return %o, %o2 : tensor<1x8x2x32xbf16>, tensor<1x8x2x32xbf16>
}

// router(z): the scan classifies the logits itself. top_k alone (the default
// order is not spelled); router_order = topk_then_softmax; renormalize (a
// unit attribute, printed bare); both; per-head logits [B, T, H, N] in bf16.
// router_order is an optional attribute without a default, so an explicitly
// spelled softmax_then_topk is kept as written.
// CHECK-LABEL: func.func @scan_router(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x2x16xf32>, %[[V:[^:]+]]: tensor<1x8x2x32xf32>, %[[Z:[^:]+]]: tensor<1x8x4xf32>, %[[ZH:[^:]+]]: tensor<1x8x2x4xbf16>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] router(%[[Z]]) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] router(%[[Z]]) {partitions = 4 : i64, router_order = #sse.order<topk_then_softmax>, top_k = 2 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] router(%[[Z]]) {partitions = 4 : i64, renormalize, top_k = 2 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] router(%[[ZH]]) {partitions = 4 : i64, renormalize, router_order = #sse.order<topk_then_softmax>, top_k = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x4xbf16>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] router(%[[Z]]) {partitions = 4 : i64, router_order = #sse.order<softmax_then_topk>, top_k = 1 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
func.func @scan_router(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>,
                       %z: tensor<1x8x4xf32>, %zh: tensor<1x8x2x4xbf16>)
    -> (tensor<1x2x4x16x32xf32>, tensor<1x2x4x16x32xf32>, tensor<1x2x4x16x32xf32>,
        tensor<1x2x4x16x32xf32>, tensor<1x2x4x16x32xf32>) {
  %o, %s = sse.scan %q, %q, %v router(%z) {partitions = 4 : i64, top_k = 1 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x4xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v router(%z)
      {top_k = 2 : i64, router_order = #sse.order<topk_then_softmax>, partitions = 4 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x4xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %o3, %s3 = sse.scan %q, %q, %v router(%z)
      {partitions = 4 : i64, top_k = 2 : i64, renormalize}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x4xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %o4, %s4 = sse.scan %q, %q, %v router(%zh)
      {renormalize, router_order = #sse.order<topk_then_softmax>, top_k = 4 : i64,
       partitions = 4 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x2x4xbf16>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %o5, %s5 = sse.scan %q, %q, %v router(%z)
      {partitions = 4 : i64, top_k = 1 : i64, router_order = #sse.order<softmax_then_topk>}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x4xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return %s, %s2, %s3, %s4, %s5 : tensor<1x2x4x16x32xf32>, tensor<1x2x4x16x32xf32>,
      tensor<1x2x4x16x32xf32>, tensor<1x2x4x16x32xf32>, tensor<1x2x4x16x32xf32>
}

// A shared partition routed by router(z): shared(...) prints before router(...).
// CHECK-LABEL: func.func @scan_shared_router(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<2x8x2x16xf32>, %[[Q1:[^:]+]]: tensor<2x8x2x16xf32>, %[[V:[^:]+]]: tensor<2x8x2x32xf32>, %[[G1:[^:]+]]: tensor<2x8x2x16xf32>, %[[Z:[^:]+]]: tensor<2x8x16xf16>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] shared(%[[Q1]], %[[Q1]]) shared_gate(%[[G1]]) router(%[[Z]]) {partitions = 16 : i64, top_k = 2 : i64} : (tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x32xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x16xf16>) -> (tensor<2x8x2x32xf32>, tensor<2x2x17x16x32xf32>)
func.func @scan_shared_router(%q: tensor<2x8x2x16xf32>, %q1: tensor<2x8x2x16xf32>,
                              %v: tensor<2x8x2x32xf32>, %g1: tensor<2x8x2x16xf32>,
                              %z: tensor<2x8x16xf16>) -> tensor<2x2x17x16x32xf32> {
  %o, %s = sse.scan %q, %q, %v shared(%q1, %q1) shared_gate(%g1) router(%z)
      {partitions = 16 : i64, top_k = 2 : i64}
      : (tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x32xf32>,
         tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>, tensor<2x8x2x16xf32>,
         tensor<2x8x16xf16>)
      -> (tensor<2x8x2x32xf32>, tensor<2x2x17x16x32xf32>)
  return %s : tensor<2x2x17x16x32xf32>
}

// #sse.schedule on a plain scan and on a routed one, with every split and
// grouping; the parameters print in declaration order whatever the input
// order.
// CHECK-LABEL: func.func @scan_schedule(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x2x16xf32>, %[[V:[^:]+]]: tensor<1x8x2x32xf32>, %[[W:[^:]+]]: tensor<1x8x1xf32>, %[[I:[^:]+]]: tensor<1x8x1xi32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] {schedule = #sse.schedule<chunk = 64, k_tile = 16, v_tile = 32, split = recurrent, grouping = dense>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 4 : i64, schedule = #sse.schedule<chunk = 16, k_tile = 8, v_tile = 4, split = chunked, grouping = sorted>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] route(%[[W]], %[[I]]) {partitions = 4 : i64, schedule = #sse.schedule<chunk = 256, k_tile = 1, v_tile = 32, split = recurrent, grouping = sorted>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK:         sse.scan %[[Q]], %[[Q]], %[[V]] {schedule = #sse.schedule<chunk = 128, k_tile = 2, v_tile = 16, split = chunked, grouping = dense>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
func.func @scan_schedule(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>,
                         %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>)
    -> (tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>,
        tensor<1x8x2x32xf32>) {
  %o, %s = sse.scan %q, %q, %v
      {schedule = #sse.schedule<chunk = 64, k_tile = 16, v_tile = 32, split = recurrent, grouping = dense>}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %o2, %s2 = sse.scan %q, %q, %v route(%w, %i)
      {schedule = #sse.schedule<chunk = 16, k_tile = 8, v_tile = 4, split = chunked, grouping = sorted>,
       partitions = 4 : i64}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x1xf32>, tensor<1x8x1xi32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %o3, %s3 = sse.scan %q, %q, %v route(%w, %i)
      {partitions = 4 : i64,
       schedule = #sse.schedule<chunk = 256, k_tile = 1, v_tile = 32, split = recurrent, grouping = sorted>}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
         tensor<1x8x1xf32>, tensor<1x8x1xi32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  %o4, %s4 = sse.scan %q, %q, %v
      {schedule = #sse.schedule<grouping = dense, split = chunked, v_tile = 16, k_tile = 2, chunk = 128>}
      : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return %o, %o2, %o3, %o4 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>,
      tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
}

// Every fused form at once on a packed, per-head-routed delta scan: the
// operand groups print in the order gate, beta, shared, shared_gate,
// shared_beta, router, init, cu_seqlens and the attributes sorted by name,
// whatever order they are written in.
// CHECK-LABEL: func.func @scan_fused_all(
// CHECK-SAME:      %[[Z:[^:]+]]: tensor<1x16x2x8xbf16>, %[[Q:[^:]+]]: tensor<1x16x2x32xbf16>, %[[K:[^:]+]]: tensor<1x16x2x32xbf16>, %[[V:[^:]+]]: tensor<1x16x2x64xbf16>, %[[G:[^:]+]]: tensor<1x16x2xf32>, %[[B:[^:]+]]: tensor<1x16x2xf32>, %[[Q1:[^:]+]]: tensor<1x16x2x32xbf16>, %[[K1:[^:]+]]: tensor<1x16x2x32xbf16>, %[[G1:[^:]+]]: tensor<1x16x2xf32>, %[[B1:[^:]+]]: tensor<1x16x2xf32>, %[[S0:[^:]+]]: tensor<3x2x9x32x64xf32>, %[[CU:[^:]+]]: tensor<4xi64>)
// CHECK:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[K]], %[[V]] gate(%[[G]]) beta(%[[B]]) shared(%[[Q1]], %[[K1]]) shared_gate(%[[G1]]) shared_beta(%[[B1]]) router(%[[Z]]) init(%[[S0]]) cu_seqlens(%[[CU]]) {partitions = 8 : i64, read_gate = false, renormalize, router_order = #sse.order<topk_then_softmax>, rule = #sse.rule<delta>, scale = 2.500000e-01 : f32, schedule = #sse.schedule<chunk = 32, k_tile = 16, v_tile = 64, split = chunked, grouping = sorted>, top_k = 2 : i64, write_gate = false} : (tensor<1x16x2x32xbf16>, tensor<1x16x2x32xbf16>, tensor<1x16x2x64xbf16>, tensor<1x16x2xf32>, tensor<1x16x2xf32>, tensor<1x16x2x32xbf16>, tensor<1x16x2x32xbf16>, tensor<1x16x2xf32>, tensor<1x16x2xf32>, tensor<1x16x2x8xbf16>, tensor<3x2x9x32x64xf32>, tensor<4xi64>) -> (tensor<1x16x2x64xbf16>, tensor<3x2x9x32x64xf32>)
// CHECK:         return %[[O]], %[[S]] : tensor<1x16x2x64xbf16>, tensor<3x2x9x32x64xf32>
func.func @scan_fused_all(%z: tensor<1x16x2x8xbf16>, %q: tensor<1x16x2x32xbf16>,
                          %k: tensor<1x16x2x32xbf16>, %v: tensor<1x16x2x64xbf16>,
                          %g: tensor<1x16x2xf32>, %b: tensor<1x16x2xf32>,
                          %q1: tensor<1x16x2x32xbf16>, %k1: tensor<1x16x2x32xbf16>,
                          %g1: tensor<1x16x2xf32>, %b1: tensor<1x16x2xf32>,
                          %s0: tensor<3x2x9x32x64xf32>, %cu: tensor<4xi64>)
    -> (tensor<1x16x2x64xbf16>, tensor<3x2x9x32x64xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g) beta(%b) shared(%q1, %k1) shared_gate(%g1)
      shared_beta(%b1) router(%z) init(%s0) cu_seqlens(%cu)
      {write_gate = false, top_k = 2 : i64,
       schedule = #sse.schedule<chunk = 32, k_tile = 16, v_tile = 64, split = chunked, grouping = sorted>,
       renormalize, router_order = #sse.order<topk_then_softmax>,
       rule = #sse.rule<delta>, read_gate = false, scale = 0.25 : f32,
       partitions = 8 : i64}
      : (tensor<1x16x2x32xbf16>, tensor<1x16x2x32xbf16>, tensor<1x16x2x64xbf16>,
         tensor<1x16x2xf32>, tensor<1x16x2xf32>, tensor<1x16x2x32xbf16>,
         tensor<1x16x2x32xbf16>, tensor<1x16x2xf32>, tensor<1x16x2xf32>,
         tensor<1x16x2x8xbf16>, tensor<3x2x9x32x64xf32>, tensor<4xi64>)
      -> (tensor<1x16x2x64xbf16>, tensor<3x2x9x32x64xf32>)
  return %o, %s : tensor<1x16x2x64xbf16>, tensor<3x2x9x32x64xf32>
}
