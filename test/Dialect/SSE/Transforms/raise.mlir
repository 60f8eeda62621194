// sse-raise: the output gate written as tensor arith/math becomes
// sse.swish_gate (and sse-fuse then absorbs it into the scan).
// RUN: sse-opt %s -sse-raise -split-input-file | FileCheck %s
// RUN: sse-opt %s -sse-fuse -split-input-file | FileCheck %s --check-prefix=FUSE

// x * (g / (1 + exp(-g))).
// CHECK-LABEL: func.func @swish_div
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x2x8xf32>, %[[G:.*]]: tensor<1x4x2x8xf32>)
// CHECK: %[[Y:.*]] = sse.swish_gate %[[X]], %[[G]] : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
// CHECK: return %[[Y]]
func.func @swish_div(%x: tensor<1x4x2x8xf32>, %g: tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x2x8xf32>
  %n = arith.negf %g : tensor<1x4x2x8xf32>
  %e = math.exp %n : tensor<1x4x2x8xf32>
  %d = arith.addf %one, %e : tensor<1x4x2x8xf32>
  %s = arith.divf %g, %d : tensor<1x4x2x8xf32>
  %y = arith.mulf %x, %s : tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}

// -----

// (g * sigmoid(g)) * x, operands swapped; the scan's output is gated, so
// sse-fuse moves the gate into the scan's epilogue.
// CHECK-LABEL: func.func @swish_sigmoid
// CHECK: sse.swish_gate %[[O:.*]], %{{.*}}
// FUSE-LABEL: func.func @swish_sigmoid
// FUSE: sse.scan {{.*}} out_gate(%{{.*}})
// FUSE-NOT: sse.swish_gate
// FUSE-NOT: math.exp
func.func @swish_sigmoid(%q: tensor<1x4x2x8xf32>, %g: tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32> {
  %o, %st = sse.scan %q, %q, %q : (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) -> (tensor<1x4x2x8xf32>, tensor<1x2x1x8x8xf32>)
  %one = arith.constant dense<1.0> : tensor<1x4x2x8xf32>
  %n = arith.negf %g : tensor<1x4x2x8xf32>
  %e = math.exp %n : tensor<1x4x2x8xf32>
  %d = arith.addf %e, %one : tensor<1x4x2x8xf32>
  %sig = arith.divf %one, %d : tensor<1x4x2x8xf32>
  %s = arith.mulf %sig, %g : tensor<1x4x2x8xf32>
  %y = arith.mulf %s, %o : tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}

// -----

// Must not fire: exp(+g) is not a sigmoid, and x * swish(x) is a plain silu.
// CHECK-LABEL: func.func @not_swish
// CHECK-NOT: sse.swish_gate
// FUSE-LABEL: func.func @not_swish
func.func @not_swish(%x: tensor<1x4x2x8xf32>, %g: tensor<1x4x2x8xf32>) -> (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) {
  %one = arith.constant dense<1.0> : tensor<1x4x2x8xf32>
  %e = math.exp %g : tensor<1x4x2x8xf32>
  %d = arith.addf %one, %e : tensor<1x4x2x8xf32>
  %s = arith.divf %g, %d : tensor<1x4x2x8xf32>
  %y = arith.mulf %x, %s : tensor<1x4x2x8xf32>
  %n = arith.negf %x : tensor<1x4x2x8xf32>
  %e2 = math.exp %n : tensor<1x4x2x8xf32>
  %d2 = arith.addf %one, %e2 : tensor<1x4x2x8xf32>
  %s2 = arith.divf %x, %d2 : tensor<1x4x2x8xf32>
  %z = arith.mulf %x, %s2 : tensor<1x4x2x8xf32>
  return %y, %z : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
}
