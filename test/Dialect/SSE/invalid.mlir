// RUN: sse-opt %s -split-input-file -verify-diagnostics

// Every verifier rule of sse.classify and sse.scan (SSEOps.cpp), the ODS type
// constraints, and parse errors of the custom assembly. At least one case per
// emitOpError of SSEOps.cpp (27 in all), each labelled `Rule:`; the expected
// messages pin the operand named and the shapes printed.
// Shapes used below: B = 2, T = 8, H = 4, K = 16, V = 32.

//===----------------------------------------------------------------------===//
// sse.classify: verifier
//===----------------------------------------------------------------------===//

// Rule: logits must have rank >= 1.
func.func @classify_rank0_logits(%z: tensor<f32>) {
  // expected-error @below {{'sse.classify' op logits must have rank >= 1 ([..., N]), got 'tensor<f32>'}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<f32> -> (tensor<1xf32>, tensor<1xi32>)
  return
}

// -----

// Rule: k >= 1.
func.func @classify_k0(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op 'k' must be >= 1, got 0}}
  %w, %i = sse.classify %z {k = 0 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x0xf32>, tensor<2x8x0xi32>)
  return
}

// -----

// Rule: k <= N (static last dimension of logits).
func.func @classify_k_gt_n(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op 'k' = 5 exceeds the number of partitions N = 4 (last dimension of logits 'tensor<2x8x4xf32>')}}
  %w, %i = sse.classify %z {k = 5 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x5xf32>, tensor<2x8x5xi32>)
  return
}

// -----

// Rule: weights are [..., k] with the leading shape of logits (here the last
// dimension is wrong).
func.func @classify_weights_shape(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op weights 'tensor<2x8x3xf32>' must have shape [2, 8, 2] (logits 'tensor<2x8x4xf32>' with the last dimension replaced by k = 2)}}
  %w, %i = sse.classify %z {k = 2 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x3xf32>, tensor<2x8x2xi32>)
  return
}

// -----

// Same rule, a leading dimension wrong next to a dynamic one, which the
// expected shape prints as `?`.
func.func @classify_weights_leading_dim(%z: tensor<?x8x4xf32>) {
  // expected-error @below {{'sse.classify' op weights 'tensor<3x9x2xf32>' must have shape [?, 8, 2] (logits 'tensor<?x8x4xf32>' with the last dimension replaced by k = 2)}}
  %w, %i = sse.classify %z {k = 2 : i64} : tensor<?x8x4xf32> -> (tensor<3x9x2xf32>, tensor<3x8x2xi32>)
  return
}

// -----

// Same rule, rank mismatch.
func.func @classify_weights_rank(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op weights 'tensor<16x2xf32>' must have shape [2, 8, 2]}}
  %w, %i = sse.classify %z {k = 2 : i64} : tensor<2x8x4xf32> -> (tensor<16x2xf32>, tensor<2x8x2xi32>)
  return
}

// -----

// Rule: indices are [..., k] like the weights.
func.func @classify_indices_shape(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op indices 'tensor<2x8x1xi32>' must have shape [2, 8, 2] (logits 'tensor<2x8x4xf32>' with the last dimension replaced by k = 2)}}
  %w, %i = sse.classify %z {k = 2 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x2xf32>, tensor<2x8x1xi32>)
  return
}

//===----------------------------------------------------------------------===//
// sse.classify: ODS constraints
//===----------------------------------------------------------------------===//

// -----

// Logits must be bf16, f16 or f32.
func.func @classify_i32_logits(%z: tensor<2x8x4xi32>) {
  // expected-error @below {{'sse.classify' op operand #0 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values, but got 'tensor<2x8x4xi32>'}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x8x4xi32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  return
}

// -----

// Logits must be ranked. The custom form parses a ranked tensor type and
// rejects an unranked one while parsing; the generic form reaches the ODS
// constraint.
func.func @classify_unranked_logits(%z: tensor<*xf32>) {
  // expected-error @below {{custom op 'sse.classify' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<*xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  return
}

// -----

func.func @classify_unranked_logits_generic(%z: tensor<*xf32>) {
  // expected-error @below {{'sse.classify' op operand #0 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values, but got 'tensor<*xf32>'}}
  %0:2 = "sse.classify"(%z) <{k = 1 : i64}> : (tensor<*xf32>) -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  return
}

// -----

// Weights are f32 whatever the logits' type.
func.func @classify_f16_weights(%z: tensor<2x8x4xf16>) {
  // expected-error @below {{'sse.classify' op result #0 must be ranked tensor of 32-bit float values, but got 'tensor<2x8x1xf16>'}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x8x4xf16> -> (tensor<2x8x1xf16>, tensor<2x8x1xi32>)
  return
}

// -----

// Indices are a signless integer type.
func.func @classify_f32_indices(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op result #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x8x1xf32>'}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xf32>)
  return
}

// -----

func.func @classify_ui32_indices(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op result #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x8x1xui32>'}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xui32>)
  return
}

// -----

// k is a required attribute.
func.func @classify_missing_k(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.classify' op requires attribute 'k'}}
  %w, %i = sse.classify %z : tensor<2x8x4xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  return
}

//===----------------------------------------------------------------------===//
// sse.classify: parse errors
//===----------------------------------------------------------------------===//

// -----

// Unknown order.
func.func @classify_unknown_order(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{expected ::mlir::sse::ClassifyOrder to be one of: softmax_then_topk, topk_then_softmax}}
  // expected-error @below {{failed to parse SSE_ClassifyOrderAttr parameter 'value' which is to be a `::mlir::sse::ClassifyOrder`}}
  %w, %i = sse.classify %z {k = 1 : i64, order = #sse.order<bogus>} : tensor<2x8x4xf32> -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>)
  return
}

// -----

// Missing type list.
func.func @classify_missing_types(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{expected ':'}}
  %w, %i = sse.classify %z {k = 1 : i64}
  return
}

// -----

// Only one result type in the parenthesised list.
func.func @classify_one_result_type(%z: tensor<2x8x4xf32>) {
  // expected-error @below {{expected ','}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x8x4xf32> -> (tensor<2x8x1xf32>)
  return
}

//===----------------------------------------------------------------------===//
// sse.scan: verifier
//===----------------------------------------------------------------------===//

// -----

// Rule: q is [B, T, H, K].
func.func @scan_q_rank(%q: tensor<2x8x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op q must have shape [B, T, H, K], got 'tensor<2x8x16xf32>'}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: k has the shape of q.
func.func @scan_k_shape(%q: tensor<2x8x4x16xf32>, %k: tensor<2x8x4x8xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op k 'tensor<2x8x4x8xf32>' must have the shape of q 'tensor<2x8x4x16xf32>'}}
  %o, %s = sse.scan %q, %k, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x8xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: v is [B, T, H, V] with q's B, T, H (here T differs).
func.func @scan_v_shape(%q: tensor<2x8x4x16xf32>, %v: tensor<2x9x4x32xf32>) {
  // expected-error @below {{'sse.scan' op v 'tensor<2x9x4x32xf32>' must have shape [B, T, H, V] with the B, T, H of q 'tensor<2x8x4x16xf32>'}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x9x4x32xf32>) -> (tensor<2x9x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: q, k and v share one element type.
func.func @scan_qkv_element_type(%q: tensor<2x8x4x16xf32>, %k: tensor<2x8x4x16xbf16>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op q 'tensor<2x8x4x16xf32>', k 'tensor<2x8x4x16xbf16>' and v 'tensor<2x8x4x32xf32>' must have the same element type}}
  %o, %s = sse.scan %q, %k, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xbf16>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: partitions >= 1.
func.func @scan_partitions0(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op 'partitions' must be >= 1, got 0}}
  %o, %s = sse.scan %q, %q, %v {partitions = 0 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x0x16x32xf32>)
  return
}

// -----

// Rule: scale is finite (+inf here).
func.func @scan_scale_inf(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op 'scale' must be finite}}
  %o, %s = sse.scan %q, %q, %v {scale = 0x7F800000 : f32} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: gate is [B, T, H] or [B, T, H, K].
func.func @scan_gate_shape(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %g: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op gate 'tensor<2x8x4x32xf32>' must have shape [B, T, H] = [2, 8, 4] or [B, T, H, K] = [2, 8, 4, 16] to match q 'tensor<2x8x4x16xf32>'}}
  %o, %s = sse.scan %q, %q, %v gate(%g) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: the delta rule takes a scalar gate only.
func.func @scan_delta_per_key_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %g: tensor<2x8x4x16xf32>, %b: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.scan' op gate 'tensor<2x8x4x16xf32>' is per key, but the delta rule takes a scalar gate [B, T, H] = [2, 8, 4]}}
  %o, %s = sse.scan %q, %q, %v gate(%g) beta(%b) {rule = #sse.rule<delta>} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: beta only with the delta rule.
func.func @scan_beta_additive(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %b: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.scan' op beta 'tensor<2x8x4xf32>' is only meaningful with rule = #sse.rule<delta>}}
  %o, %s = sse.scan %q, %q, %v beta(%b) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: beta is [B, T, H].
func.func @scan_beta_shape(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %b: tensor<2x8x4x16xf32>) {
  // expected-error @below {{'sse.scan' op beta 'tensor<2x8x4x16xf32>' must have shape [B, T, H] = [2, 8, 4] to match q 'tensor<2x8x4x16xf32>'}}
  %o, %s = sse.scan %q, %q, %v beta(%b) {rule = #sse.rule<delta>} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: the delta rule requires beta.
func.func @scan_delta_no_beta(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @below {{'sse.scan' op rule = #sse.rule<delta> requires a beta operand}}
  %o, %s = sse.scan %q, %q, %v gate(%g) {rule = #sse.rule<delta>} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: routing weights and indices come together. The custom form cannot
// express one without the other; the generic form can.
func.func @scan_weights_without_indices(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x1xf32>) {
  // expected-error @below {{'sse.scan' op routing weights and indices must be given together}}
  %0:2 = "sse.scan"(%q, %q, %v, %w) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0>, partitions = 2 : i64}> : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return
}

// -----

// Rule: routing weights are [B, T, k] or [B, T, H, k] with q's B, T (, H).
func.func @scan_route_weights_shape(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x3x2xf32>, %i: tensor<2x8x3x2xi32>) {
  // expected-error @below {{'sse.scan' op routing weights 'tensor<2x8x3x2xf32>' must have shape [B, T, k] or [B, T, H, k] with the B, T, H of q 'tensor<2x8x4x16xf32>'}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x3x2xf32>, tensor<2x8x3x2xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
  return
}

// -----

// Rule: routing indices have the shape of the weights.
func.func @scan_route_indices_shape(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x2xf32>, %i: tensor<2x8x4x2xi32>) {
  // expected-error @below {{'sse.scan' op routing indices 'tensor<2x8x4x2xi32>' must have the shape of the weights 'tensor<2x8x2xf32>'}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x2xf32>, tensor<2x8x4x2xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
  return
}

// -----

// Rule: 1 <= k <= partitions (k = 5 > N = 4 here).
func.func @scan_route_k_gt_partitions(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x4x5xf32>, %i: tensor<2x8x4x5xi32>) {
  // expected-error @below {{'sse.scan' op routing picks k = 5 partitions per token (last dimension of weights 'tensor<2x8x4x5xf32>'), but k must be in [1, partitions = 4]}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4x5xf32>, tensor<2x8x4x5xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
  return
}

// -----

// Same rule, lower bound: k = 0.
func.func @scan_route_k0(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x0xf32>, %i: tensor<2x8x0xi32>) {
  // expected-error @below {{'sse.scan' op routing picks k = 0 partitions per token (last dimension of weights 'tensor<2x8x0xf32>'), but k must be in [1, partitions = 4]}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x0xf32>, tensor<2x8x0xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
  return
}

// -----

// Rule: an unrouted scan has exactly one partition.
func.func @scan_unrouted_partitions(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op an unrouted scan has a single partition, but 'partitions' = 4}}
  %o, %s = sse.scan %q, %q, %v {partitions = 4 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x4x16x32xf32>)
  return
}

// -----

// Rule: cu_seqlens has rank 1.
func.func @scan_cu_seqlens_rank(%q: tensor<1x8x4x16xf32>, %v: tensor<1x8x4x32xf32>, %cu: tensor<1x4xi32>) {
  // expected-error @below {{'sse.scan' op cu_seqlens 'tensor<1x4xi32>' must have rank 1 ([S + 1])}}
  %o, %s = sse.scan %q, %q, %v cu_seqlens(%cu) : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<1x4xi32>) -> (tensor<1x8x4x32xf32>, tensor<3x4x1x16x32xf32>)
  return
}

// -----

// Rule: cu_seqlens requires B = 1.
func.func @scan_cu_seqlens_batch(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %cu: tensor<4xi32>) {
  // expected-error @below {{'sse.scan' op cu_seqlens packs sequences along T and requires B = 1, but q is 'tensor<2x8x4x16xf32>'}}
  %o, %s = sse.scan %q, %q, %v cu_seqlens(%cu) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<4xi32>) -> (tensor<2x8x4x32xf32>, tensor<3x4x1x16x32xf32>)
  return
}

// -----

// Rule: cu_seqlens holds at least two offsets.
func.func @scan_cu_seqlens_short(%q: tensor<1x8x4x16xf32>, %v: tensor<1x8x4x32xf32>, %cu: tensor<1xi32>) {
  // expected-error @below {{'sse.scan' op cu_seqlens 'tensor<1xi32>' must hold at least 2 offsets (one sequence)}}
  %o, %s = sse.scan %q, %q, %v cu_seqlens(%cu) : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<1xi32>) -> (tensor<1x8x4x32xf32>, tensor<0x4x1x16x32xf32>)
  return
}

// -----

// Rule: init is [S, H, N, K, V] (N wrong here).
func.func @scan_init_shape(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x1xf32>, %i: tensor<2x8x1xi32>, %s0: tensor<2x4x3x16x32xf32>) {
  // expected-error @below {{'sse.scan' op init 'tensor<2x4x3x16x32xf32>' must have shape [S, H, N, K, V] = [2, 4, 2, 16, 32] for q 'tensor<2x8x4x16xf32>' and v 'tensor<2x8x4x32xf32>'}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) init(%s0) {partitions = 2 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>, tensor<2x4x3x16x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return
}

// -----

// Same rule with cu_seqlens: S comes from cu_seqlens ([4] -> S = 3), not B.
func.func @scan_init_shape_cu_seqlens(%q: tensor<1x8x4x16xf32>, %v: tensor<1x8x4x32xf32>, %s0: tensor<1x4x1x16x32xf32>, %cu: tensor<4xi32>) {
  // expected-error @below {{'sse.scan' op init 'tensor<1x4x1x16x32xf32>' must have shape [S, H, N, K, V] = [3, 4, 1, 16, 32]}}
  %o, %s = sse.scan %q, %q, %v init(%s0) cu_seqlens(%cu) : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<1x4x1x16x32xf32>, tensor<4xi32>) -> (tensor<1x8x4x32xf32>, tensor<3x4x1x16x32xf32>)
  return
}

// -----

// Rule: result o has v's shape and element type (element type wrong here).
func.func @scan_result_o_type(%q: tensor<2x8x4x16xbf16>, %v: tensor<2x8x4x32xbf16>) {
  // expected-error @below {{'sse.scan' op result o 'tensor<2x8x4x32xf32>' must have shape [B, T, H, V] = [2, 8, 4, 32] and the element type of v 'tensor<2x8x4x32xbf16>'}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xbf16>, tensor<2x8x4x16xbf16>, tensor<2x8x4x32xbf16>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Same rule, shape wrong.
func.func @scan_result_o_shape(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op result o 'tensor<2x8x4x16xf32>' must have shape [B, T, H, V] = [2, 8, 4, 32] and the element type of v 'tensor<2x8x4x32xf32>'}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: result final_states is [S, H, N, K, V] (K and V swapped here).
func.func @scan_result_final_states(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op result final_states 'tensor<2x4x1x32x16xf32>' must have shape [S, H, N, K, V] = [2, 4, 1, 16, 32]}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x32x16xf32>)
  return
}

// -----

// Same rule, dynamic sizes of q and v appear as `?` in the expected shape.
func.func @scan_result_final_states_dynamic(%q: tensor<2x?x4x?xf32>, %v: tensor<2x?x4x?xf32>) {
  // expected-error @below {{'sse.scan' op result final_states 'tensor<2x4x2x?x?xf32>' must have shape [S, H, N, K, V] = [2, 4, 1, ?, ?]}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x?x4x?xf32>, tensor<2x?x4x?xf32>, tensor<2x?x4x?xf32>) -> (tensor<2x?x4x?xf32>, tensor<2x4x2x?x?xf32>)
  return
}

//===----------------------------------------------------------------------===//
// sse.scan: ODS constraints
//===----------------------------------------------------------------------===//

// -----

// q, k, v are bf16, f16 or f32 tensors.
func.func @scan_i32_q(%q: tensor<2x8x4x16xi32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op operand #0 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values, but got 'tensor<2x8x4x16xi32>'}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xi32>, tensor<2x8x4x16xi32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

func.func @scan_f64_v(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf64>) {
  // expected-error @below {{'sse.scan' op operand #2 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values, but got 'tensor<2x8x4x32xf64>'}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf64>) -> (tensor<2x8x4x32xf64>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Routing weights are f32 (operand #N counts the operands actually present:
// q, k, v, weights here).
func.func @scan_f16_weights(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x1xf16>, %i: tensor<2x8x1xi32>) {
  // expected-error @below {{'sse.scan' op operand #3 must be ranked tensor of 32-bit float values, but got 'tensor<2x8x1xf16>'}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf16>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return
}

// -----

// Routing indices are signless integers.
func.func @scan_f32_indices(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x1xf32>, %i: tensor<2x8x1xf32>) {
  // expected-error @below {{'sse.scan' op operand #4 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x8x1xf32>'}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 2 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>, tensor<2x8x1xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return
}

// -----

// Initial states are f32.
func.func @scan_f16_init(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %s0: tensor<2x4x1x16x32xf16>) {
  // expected-error @below {{'sse.scan' op operand #3 must be ranked tensor of 32-bit float values, but got 'tensor<2x4x1x16x32xf16>'}}
  %o, %s = sse.scan %q, %q, %v init(%s0) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf16>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Final states are f32.
func.func @scan_f16_final_states(%q: tensor<2x8x4x16xf16>, %v: tensor<2x8x4x32xf16>) {
  // expected-error @below {{'sse.scan' op result #1 must be ranked tensor of 32-bit float values, but got 'tensor<2x4x1x16x32xf16>'}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xf16>, tensor<2x8x4x16xf16>, tensor<2x8x4x32xf16>) -> (tensor<2x8x4x32xf16>, tensor<2x4x1x16x32xf16>)
  return
}

// -----

// cu_seqlens are signless integers.
func.func @scan_f32_cu_seqlens(%q: tensor<1x8x4x16xf32>, %v: tensor<1x8x4x32xf32>, %cu: tensor<4xf32>) {
  // expected-error @below {{'sse.scan' op operand #3 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf32>'}}
  %o, %s = sse.scan %q, %q, %v cu_seqlens(%cu) : (tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<4xf32>) -> (tensor<1x8x4x32xf32>, tensor<3x4x1x16x32xf32>)
  return
}

// -----

// The gate is a float tensor.
func.func @scan_i32_gate(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %g: tensor<2x8x4xi32>) {
  // expected-error @below {{'sse.scan' op operand #3 must be ranked tensor of bfloat16 type or 16-bit float or 32-bit float values, but got 'tensor<2x8x4xi32>'}}
  %o, %s = sse.scan %q, %q, %v gate(%g) : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// scale is an f32 attribute.
func.func @scan_f64_scale(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{'sse.scan' op attribute 'scale' failed to satisfy constraint: 32-bit float attribute}}
  %o, %s = sse.scan %q, %q, %v {scale = 0.5 : f64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

//===----------------------------------------------------------------------===//
// sse.scan: parse errors
//===----------------------------------------------------------------------===//

// -----

// route(...) takes two operands.
func.func @scan_route_one_operand(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %w: tensor<2x8x1xf32>) {
  // expected-error @below {{expected ','}}
  %o, %s = sse.scan %q, %q, %v route(%w) {partitions = 2 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x1xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return
}

// -----

// Unknown update rule.
func.func @scan_unknown_rule(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{expected ::mlir::sse::UpdateRule to be one of: additive, delta}}
  // expected-error @below {{failed to parse SSE_UpdateRuleAttr parameter 'value' which is to be a `::mlir::sse::UpdateRule`}}
  %o, %s = sse.scan %q, %q, %v {rule = #sse.rule<gated_delta>} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Missing functional type.
func.func @scan_missing_types(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{expected ':'}}
  %o, %s = sse.scan %q, %q, %v
  return
}

// -----

// The functional type lists every operand: here it omits v.
func.func @scan_too_few_types(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>) {
  // expected-error @below {{custom op 'sse.scan' number of operands and types do not match: got 3 operands and 2 types}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Optional groups have a fixed order: gate( ) cannot follow route( ).
func.func @scan_group_order(%q: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x32xf32>, %g: tensor<2x8x4xf32>, %w: tensor<2x8x1xf32>, %i: tensor<2x8x1xi32>) {
  // expected-error @below {{expected ':'}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) gate(%g) {partitions = 2 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x32xf32>, tensor<2x8x4xf32>, tensor<2x8x1xf32>, tensor<2x8x1xi32>) -> (tensor<2x8x4x32xf32>, tensor<2x4x2x16x32xf32>)
  return
}

// -----

// Rule (type constraint): routing indices are i32 or i64, not i1.
func.func @classify_i1_indices(%z: tensor<2x300xf32>) {
  // expected-error @below {{'sse.classify' op result #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x1xi1>'}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x300xf32> -> (tensor<2x1xf32>, tensor<2x1xi1>)
  return
}

// -----

// Rule: weights and indices of a classify agree with each other, also where
// the logits leave a dimension dynamic.
func.func @classify_weights_indices_disagree(%z: tensor<?x4xf32>) {
  // expected-error @below {{indices 'tensor<3x2xi32>' must have shape [?, 2] (logits 'tensor<?x4xf32>' with the last dimension replaced by k = 2) and the shape of the weights 'tensor<2x2xf32>'}}
  %w, %i = sse.classify %z {k = 2 : i64} : tensor<?x4xf32> -> (tensor<2x2xf32>, tensor<3x2xi32>)
  return
}

// -----

// Rule: sizes are merged across q, k and v before checking: o's B must be
// q's B even when v leaves B dynamic.
func.func @scan_o_batch_from_q(%q: tensor<2x8x4x16xf32>, %v: tensor<?x8x4x32xf32>) {
  // expected-error @below {{result o 'tensor<3x8x4x32xf32>' must have shape [B, T, H, V] = [2, 8, 4, 32]}}
  %o, %s = sse.scan %q, %q, %v : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<?x8x4x32xf32>) -> (tensor<3x8x4x32xf32>, tensor<2x4x1x16x32xf32>)
  return
}

// -----

// Rule: the states' H comes from v when q leaves it dynamic.
func.func @scan_states_heads_from_v(%q: tensor<1x8x?x16xf32>, %v: tensor<1x8x4x32xf32>) {
  // expected-error @below {{result final_states 'tensor<1x5x1x16x32xf32>' must have shape [S, H, N, K, V] = [1, 4, 1, 16, 32]}}
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x?x16xf32>, tensor<1x8x?x16xf32>, tensor<1x8x4x32xf32>) -> (tensor<1x8x4x32xf32>, tensor<1x5x1x16x32xf32>)
  return
}

// -----

// Rule: a per-key gate's K comes from k when q leaves it dynamic.
func.func @scan_gate_key_from_k(%q: tensor<1x8x4x?xf32>, %k: tensor<1x8x4x16xf32>, %v: tensor<1x8x4x32xf32>, %g: tensor<1x8x4x17xf32>) {
  // expected-error @below {{gate 'tensor<1x8x4x17xf32>' must have shape [B, T, H] = [1, 8, 4] or [B, T, H, K] = [1, 8, 4, 16]}}
  %o, %s = sse.scan %q, %k, %v gate(%g) : (tensor<1x8x4x?xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x32xf32>, tensor<1x8x4x17xf32>) -> (tensor<1x8x4x32xf32>, tensor<1x4x1x16x32xf32>)
  return
}

// -----

// Rule: shared q and k come together (only reachable in generic form).
func.func @shared_q_alone(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{'sse.scan' op shared q and k must be given together}}
  %0:2 = "sse.scan"(%q, %q, %v, %q, %w, %i) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0>, partitions = 4 : i64}> : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
  return
}

// -----

// Rule: shared q/k have q's shape and element type.
func.func @shared_q_shape(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %q1: tensor<1x8x2x8xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{shared q/k 'tensor<1x8x2x8xf32>' must have the shape [B, T, H, K] = [1, 8, 2, 16] and element type of q 'tensor<1x8x2x16xf32>'}}
  %o, %s = sse.scan %q, %q, %v shared(%q1, %q1) route(%w, %i) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x8xf32>, tensor<1x8x2x8xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
  return
}

// -----

// Rule: the shared gate is [B, T, H] or [B, T, H, K].
func.func @shared_gate_shape(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %g1: tensor<1x8x3xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{shared_gate 'tensor<1x8x3xf32>' must have shape [B, T, H] = [1, 8, 2] or [B, T, H, K] = [1, 8, 2, 16]}}
  %o, %s = sse.scan %q, %q, %v shared(%q, %q) shared_gate(%g1) route(%w, %i) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x3xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
  return
}

// -----

// Rule: the delta rule needs a shared_beta for the shared partition.
func.func @shared_delta_no_beta(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %b: tensor<1x8x2xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{rule = #sse.rule<delta> with a shared partition requires a shared_beta operand}}
  %o, %s = sse.scan %q, %q, %v beta(%b) shared(%q, %q) route(%w, %i) {partitions = 4 : i64, rule = #sse.rule<delta>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
  return
}

// -----

// Rule: shared_beta only with the delta rule.
func.func @shared_beta_additive(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %b: tensor<1x8x2xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{shared_beta 'tensor<1x8x2xf32>' is only meaningful with rule = #sse.rule<delta>}}
  %o, %s = sse.scan %q, %q, %v shared(%q, %q) shared_beta(%b) route(%w, %i) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x5x16x32xf32>)
  return
}

// -----

// Rule: a shared partition needs routing.
func.func @shared_unrouted(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>) {
  // expected-error @below {{shared(...) adds an always-selected partition to a routed scan; it needs route(...) or router(...)}}
  %o, %s = sse.scan %q, %q, %v shared(%q, %q) : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x2x16x32xf32>)
  return
}

// -----

// Rule: shared_gate needs shared(q, k).
func.func @shared_gate_alone(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{shared_gate and shared_beta need shared(q, k)}}
  %o, %s = sse.scan %q, %q, %v shared_gate(%q) route(%w, %i) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return
}

// -----

// Rule: with a shared partition the states hold N + 1 partitions.
func.func @shared_states_count(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{result final_states 'tensor<1x2x4x16x32xf32>' must have shape [S, H, N, K, V] = [1, 2, 5, 16, 32]}}
  %o, %s = sse.scan %q, %q, %v shared(%q, %q) route(%w, %i) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return
}

// -----

// Rule: route(...) and router(...) exclude each other.
func.func @route_and_router(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>, %z: tensor<1x8x4xf32>) {
  // expected-error @below {{route(...) and router(...) are exclusive}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>, tensor<1x8x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return
}

// -----

// Rule: router logits end in N = partitions.
func.func @router_logits_n(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %z: tensor<1x8x3xf32>) {
  // expected-error @below {{router logits 'tensor<1x8x3xf32>' must have shape [B, T, N] or [B, T, H, N] with the B, T, H of q 'tensor<1x8x2x16xf32>' and N = partitions = 4}}
  %o, %s = sse.scan %q, %q, %v router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x3xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return
}

// -----

// Rule: router(...) needs top_k.
func.func @router_no_top_k(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %z: tensor<1x8x4xf32>) {
  // expected-error @below {{router(...) needs the 'top_k' attribute}}
  %o, %s = sse.scan %q, %q, %v router(%z) {partitions = 4 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return
}

// -----

// Rule: top_k is in [1, N].
func.func @router_top_k_range(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %z: tensor<1x8x4xf32>) {
  // expected-error @below {{'top_k' = 5 must be in [1, partitions = 4]}}
  %o, %s = sse.scan %q, %q, %v router(%z) {partitions = 4 : i64, top_k = 5 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return
}

// -----

// Rule: router attributes need router(...).
func.func @router_attrs_alone(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) {
  // expected-error @below {{'top_k', 'router_order' and 'renormalize' configure router(...), which this scan does not have}}
  %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64, renormalize} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return
}

// -----

// Rule: schedule chunk = 48 is checked.
func.func @schedule_chunk(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>) {
  // expected-error @below {{schedule chunk = 48 must be a power of two in [16, 256]}}
  %o, %s = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 48, k_tile = 16, v_tile = 32, split = recurrent, grouping = dense>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: schedule k_tile = 6 is checked.
func.func @schedule_k_tile(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>) {
  // expected-error @below {{schedule k_tile = 6 must be >= 1 and divide K = 16}}
  %o, %s = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 64, k_tile = 6, v_tile = 32, split = recurrent, grouping = dense>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: schedule v_tile = 0 is checked.
func.func @schedule_v_tile(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>) {
  // expected-error @below {{schedule v_tile = 0 must be >= 1 and divide V = 32}}
  %o, %s = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 64, k_tile = 16, v_tile = 0, split = chunked, grouping = sorted>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Parse error: a schedule names every parameter.
func.func @schedule_missing_param(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>) {
  // expected-error @below {{expected ','}}
  %o, %s = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 64, k_tile = 16, v_tile = 32, split = recurrent>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: the norm weight of a scan is [H, V] or [V].
func.func @scan_norm_weight_shape(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<16xf32>) {
  // expected-error @below {{norm weight 'tensor<16xf32>' must have shape [H, V] = [2, 32] or [V] = [32]}}
  %o, %s = sse.scan %q, %q, %v norm(%w) : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<16xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: norm_eps needs norm(...).
func.func @scan_norm_eps_alone(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>) {
  // expected-error @below {{'norm_eps' configures norm(...), which this scan does not have}}
  %o, %s = sse.scan %q, %q, %v {norm_eps = 1.0e-5 : f32} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: norm_eps is finite and >= 0.
func.func @scan_norm_eps_negative(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<32xf32>) {
  // expected-error @below {{'norm_eps' must be finite and >= 0}}
  %o, %s = sse.scan %q, %q, %v norm(%w) {norm_eps = -1.0 : f32} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: out_gate has the shape of o.
func.func @scan_out_gate_shape(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %x: tensor<1x8x2x16xf32>) {
  // expected-error @below {{out_gate 'tensor<1x8x2x16xf32>' must have the shape of o, [B, T, H, V] = [1, 8, 2, 32]}}
  %o, %s = sse.scan %q, %q, %v out_gate(%x) : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: a fused norm needs the whole V in one tile.
func.func @scan_norm_split_v(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<32xf32>) {
  // expected-error @below {{schedule v_tile = 16 splits V, but norm(...) needs a whole head's V = 32 in one tile}}
  %o, %s = sse.scan %q, %q, %v norm(%w) {schedule = #sse.schedule<chunk = 16, k_tile = 16, v_tile = 16, split = recurrent, grouping = dense>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  return
}

// -----

// Rule: rms_norm's x is [B, T, H, V].
func.func @rms_norm_rank(%x: tensor<8x32xf32>, %w: tensor<32xf32>) {
  // expected-error @below {{x must have shape [B, T, H, V], got 'tensor<8x32xf32>'}}
  %y = sse.rms_norm %x, %w : tensor<8x32xf32>, tensor<32xf32>
  return
}

// -----

// Rule: rms_norm's weight is [H, V] or [V].
func.func @rms_norm_weight(%x: tensor<1x8x2x32xf32>, %w: tensor<3x32xf32>) {
  // expected-error @below {{weight 'tensor<3x32xf32>' must have shape [H, V] = [2, 32] or [V] = [32] for x 'tensor<1x8x2x32xf32>'}}
  %y = sse.rms_norm %x, %w : tensor<1x8x2x32xf32>, tensor<3x32xf32>
  return
}

// -----

// Rule: rms_norm's eps is finite and >= 0.
func.func @rms_norm_eps(%x: tensor<1x8x2x32xf32>, %w: tensor<32xf32>) {
  // expected-error @below {{'eps' must be finite and >= 0}}
  %y = sse.rms_norm %x, %w {eps = 0x7F800000 : f32} : tensor<1x8x2x32xf32>, tensor<32xf32>
  return
}

// -----

// Rule: swish_gate's gate has the shape of x.
func.func @swish_gate_shape(%x: tensor<1x8x2x32xf32>, %g: tensor<1x8x2x16xf32>) {
  // expected-error @below {{gate 'tensor<1x8x2x16xf32>' must have the shape of x 'tensor<1x8x2x32xf32>'}}
  %y = sse.swish_gate %x, %g : tensor<1x8x2x32xf32>, tensor<1x8x2x16xf32>
  return
}

// -----

// Rule (trait): the result of rms_norm has x's type (generic form).
func.func @rms_norm_result_type(%x: tensor<1x8x2x32xf32>, %w: tensor<32xf32>) {
  // expected-error @below {{'sse.rms_norm' op failed to verify that all of {x, y} have same type}}
  %y = "sse.rms_norm"(%x, %w) : (tensor<1x8x2x32xf32>, tensor<32xf32>) -> tensor<1x8x2x32xbf16>
  return
}
