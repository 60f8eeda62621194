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
