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

// -----

// The per-head RMS norm in linalg and tensor arith/math: mean of squares
// by linalg.reduce, rsqrt, broadcasts; the weight per head [H, V].
// CHECK-LABEL: func.func @rms_norm_linalg
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x2x8xf32>, %[[W:.*]]: tensor<2x8xf32>)
// CHECK: %[[Y:.*]] = sse.rms_norm %[[X]], %[[W]] {eps = 9.99999974E-6 : f32} : tensor<1x4x2x8xf32>, tensor<2x8xf32>
// CHECK: return %[[Y]]
// FUSE-LABEL: func.func @rms_norm_linalg
func.func @rms_norm_linalg(%x: tensor<1x4x2x8xf32>, %w: tensor<2x8xf32>) -> tensor<1x4x2x8xf32> {
  %sq = arith.mulf %x, %x : tensor<1x4x2x8xf32>
  %zero = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<1x4x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
  %sum = linalg.reduce ins(%sq : tensor<1x4x2x8xf32>) outs(%acc : tensor<1x4x2xf32>) dimensions = [3]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %inv = arith.constant dense<0.125> : tensor<1x4x2xf32>
  %mean = arith.mulf %sum, %inv : tensor<1x4x2xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<1x4x2xf32>
  %ms = arith.addf %mean, %eps : tensor<1x4x2xf32>
  %r = math.rsqrt %ms : tensor<1x4x2xf32>
  %e4 = tensor.empty() : tensor<1x4x2x8xf32>
  %rb = linalg.broadcast ins(%r : tensor<1x4x2xf32>) outs(%e4 : tensor<1x4x2x8xf32>) dimensions = [3]
  %n = arith.mulf %x, %rb : tensor<1x4x2x8xf32>
  %wb = linalg.broadcast ins(%w : tensor<2x8xf32>) outs(%e4 : tensor<1x4x2x8xf32>) dimensions = [0, 1]
  %y = arith.mulf %n, %wb : tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}

// -----

// Must not fire: the squares are of another tensor than the one scaled.
// CHECK-LABEL: func.func @not_rms_norm
// CHECK-NOT: sse.rms_norm
func.func @not_rms_norm(%x: tensor<1x4x2x8xf32>, %z: tensor<1x4x2x8xf32>, %w: tensor<8xf32>) -> tensor<1x4x2x8xf32> {
  %sq = arith.mulf %z, %z : tensor<1x4x2x8xf32>
  %zero = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<1x4x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
  %sum = linalg.reduce ins(%sq : tensor<1x4x2x8xf32>) outs(%acc : tensor<1x4x2xf32>) dimensions = [3]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %v = arith.constant dense<8.0> : tensor<1x4x2xf32>
  %mean = arith.divf %sum, %v : tensor<1x4x2xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<1x4x2xf32>
  %ms = arith.addf %eps, %mean : tensor<1x4x2xf32>
  %r = math.rsqrt %ms : tensor<1x4x2xf32>
  %e4 = tensor.empty() : tensor<1x4x2x8xf32>
  %rb = linalg.broadcast ins(%r : tensor<1x4x2xf32>) outs(%e4 : tensor<1x4x2x8xf32>) dimensions = [3]
  %n = arith.mulf %x, %rb : tensor<1x4x2x8xf32>
  %wb = linalg.broadcast ins(%w : tensor<8xf32>) outs(%e4 : tensor<1x4x2x8xf32>) dimensions = [0, 1, 2]
  %y = arith.mulf %n, %wb : tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}
