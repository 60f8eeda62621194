// sse-fuse-epilogue: sse.rms_norm and sse.swish_gate of a scan's output move
// into the scan's epilogue as norm(...) and out_gate(...).
// RUN: sse-opt %s -sse-fuse-epilogue -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @norm_then_gate
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<2x32xf32>, %[[X:[a-z0-9]+]]: tensor<1x8x2x32xf32>)
// CHECK-NEXT: %[[O:.*]], %{{.*}} = sse.scan {{.*}} norm(%[[W]]) out_gate(%[[X]]) {norm_eps = 9.99999997E-7 : f32}
// CHECK-NEXT: return %[[O]]
func.func @norm_then_gate(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<2x32xf32>, %x: tensor<1x8x2x32xf32>) -> tensor<1x8x2x32xf32> {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %n = sse.rms_norm %o, %w {eps = 1.0e-6 : f32} : tensor<1x8x2x32xf32>, tensor<2x32xf32>
  %y = sse.swish_gate %n, %x : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
  return %y : tensor<1x8x2x32xf32>
}

// -----

// The gate applied first: it fuses, but the norm after it must not (the
// epilogue applies the norm first).
// CHECK-LABEL: func.func @gate_then_norm
// CHECK: %[[O:.*]], %{{.*}} = sse.scan {{.*}} out_gate(
// CHECK-NOT: norm(
// CHECK: sse.rms_norm %[[O]]
func.func @gate_then_norm(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<32xf32>, %x: tensor<1x8x2x32xf32>) -> tensor<1x8x2x32xf32> {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %g = sse.swish_gate %o, %x : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
  %y = sse.rms_norm %g, %w : tensor<1x8x2x32xf32>, tensor<32xf32>
  return %y : tensor<1x8x2x32xf32>
}

// -----

// Must not fire: the scan's output has another use; the schedule splits V.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: norm(
// CHECK-COUNT-2: sse.rms_norm
func.func @not_fused(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>) {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %y = sse.rms_norm %o, %w : tensor<1x8x2x32xf32>, tensor<32xf32>
  %o2, %s2 = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 16, k_tile = 16, v_tile = 16, split = recurrent, grouping = dense>} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %y2 = sse.rms_norm %o2, %w : tensor<1x8x2x32xf32>, tensor<32xf32>
  return %y, %o, %y2 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
}

// -----

// The gate and the norm's weight are computed after the scan (as a layer
// writes them): the scan moves down to its consumer, so the fused operands
// are defined before their use.
// CHECK-LABEL: func.func @operands_after_scan
// CHECK: %[[W:.*]] = math.absf
// CHECK: %[[G:.*]] = math.exp
// CHECK-NEXT: %[[O:.*]], %[[S:.*]] = sse.scan {{.*}} norm(%[[W]]) out_gate(%[[G]])
// CHECK-NEXT: return %[[O]], %[[S]]
func.func @operands_after_scan(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<32xf32>, %x: tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>) {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %w2 = math.absf %w : tensor<32xf32>
  %n = sse.rms_norm %o, %w2 : tensor<1x8x2x32xf32>, tensor<32xf32>
  %g = math.exp %x : tensor<1x8x2x32xf32>
  %y = sse.swish_gate %n, %g : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
  return %y, %s : tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>
}

// -----

// Must not fire: the gate is computed from the scan's states, so the scan
// cannot move below it.
// CHECK-LABEL: func.func @gate_uses_states
// CHECK-NOT: out_gate(
// CHECK: sse.swish_gate
func.func @gate_uses_states(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>) -> tensor<1x8x2x32xf32> {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %c = tensor.collapse_shape %s [[0, 1, 2, 3], [4]] : tensor<1x2x1x16x32xf32> into tensor<32x32xf32>
  %e = tensor.extract_slice %c[0, 0] [8, 32] [1, 1] : tensor<32x32xf32> to tensor<8x32xf32>
  %g = tensor.expand_shape %e [[0, 1, 2], [3]] output_shape [1, 8, 1, 32] : tensor<8x32xf32> into tensor<1x8x1x32xf32>
  %b = tensor.empty() : tensor<1x8x2x32xf32>
  %g2 = linalg.broadcast ins(%e : tensor<8x32xf32>) outs(%b : tensor<1x8x2x32xf32>) dimensions = [0, 2]
  %y = sse.swish_gate %o, %g2 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
  return %y : tensor<1x8x2x32xf32>
}
