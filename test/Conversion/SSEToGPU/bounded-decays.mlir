// The tensor-core scan forms every decay factor from direct sums of
// log-gates (docs/Semantics.md, "Gates and how their decays are formed"):
// no factor is a difference of running sums (arith.subf) or clamped
// (arith.minimumf). A step whose half-step decays all stay above -30 takes
// every score from one tensor-core product; any other step (strong gates,
// -inf resets) raises the block's flag and computes the diagonal 8 x 8
// blocks elementwise, a warp per row reduced with shuffles.
// RUN: sse-opt %s -convert-sse-to-gpu -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @per_key_gate
// CHECK: gpu.launch {{.*}} module(@sse_scan_tc)
// CHECK-NOT: arith.minimumf
// CHECK-NOT: arith.subf
// CHECK: %[[BOUND:.*]] = arith.constant -3.000000e+01 : f32
// CHECK-NEXT: arith.cmpf ult, %{{.*}}, %[[BOUND]] : f32
// CHECK-NEXT: arith.cmpf ult, %{{.*}}, %[[BOUND]] : f32
// CHECK-NEXT: %[[LOW:.*]] = arith.ori %{{.*}}, %{{.*}} : i1
// CHECK-NEXT: scf.if %[[LOW]] {
// CHECK: gpu.barrier
// CHECK: %[[STRONG:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK-NOT: arith.subf
// CHECK: scf.if %[[STRONG]] {
// CHECK: gpu.shuffle  xor
// CHECK-NOT: arith.minimumf
// CHECK-NOT: arith.subf
// CHECK: gpu.launch {{.*}} module(@sse_epilogue)
func.func @per_key_gate(%q: tensor<1x64x2x32xbf16>, %v: tensor<1x64x2x32xbf16>, %g: tensor<1x64x2x32xbf16>) -> tensor<1x64x2x32xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%g) : (tensor<1x64x2x32xbf16>, tensor<1x64x2x32xbf16>, tensor<1x64x2x32xbf16>, tensor<1x64x2x32xbf16>) -> (tensor<1x64x2x32xbf16>, tensor<1x2x1x32x32xf32>)
  return %o : tensor<1x64x2x32xbf16>
}

// -----

// The delta rule's k k^T scores take the same path (twice the diagonal).
// CHECK-LABEL: func.func @delta_scalar_gate
// CHECK: gpu.launch {{.*}} module(@sse_scan_tc)
// CHECK-NOT: arith.minimumf
// CHECK: %[[STRONG:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK: scf.if %[[STRONG]] {
// CHECK-COUNT-2: gpu.shuffle  xor %{{.*}}#0, %c16_i32
// CHECK-NOT: arith.minimumf
// CHECK: gpu.launch {{.*}} module(@sse_epilogue)
func.func @delta_scalar_gate(%q: tensor<1x64x2x32xbf16>, %v: tensor<1x64x2x32xbf16>, %g: tensor<1x64x2xbf16>, %b: tensor<1x64x2xbf16>) -> tensor<1x64x2x32xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%g) beta(%b) {rule = #sse.rule<delta>} : (tensor<1x64x2x32xbf16>, tensor<1x64x2x32xbf16>, tensor<1x64x2x32xbf16>, tensor<1x64x2xbf16>, tensor<1x64x2xbf16>) -> (tensor<1x64x2x32xbf16>, tensor<1x2x1x32x32xf32>)
  return %o : tensor<1x64x2x32xbf16>
}
