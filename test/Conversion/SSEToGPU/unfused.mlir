// convert-sse-to-gpu lowers scans only: other sse ops must have been fused
// into them (sse-fuse); the pass names the op that is left, says what to
// do, and fails cleanly; so does the sse-to-nvvm pipeline for a lone router.
// RUN: sse-opt %s -convert-sse-to-gpu -split-input-file -verify-diagnostics
// RUN: not sse-opt %s -split-input-file --sse-to-nvvm=format=isa 2>&1 | FileCheck %s --check-prefix=NVVM
// NVVM: error: 'sse.classify' has no GPU lowering of its own: convert-sse-to-gpu (and the sse-to-nvvm pipeline) lowers sse.scan only; fuse it into a scan with sse-fuse
// NVVM-NOT: failed to legalize
func.func @unfused_classify(%z: tensor<1x8x4xf32>) -> tensor<1x8x1xi32> {
  // expected-error @+1 {{'sse.classify' has no GPU lowering of its own: convert-sse-to-gpu (and the sse-to-nvvm pipeline) lowers sse.scan only; fuse it into a scan with sse-fuse (a router feeding a routed scan, a norm or gate after a scan's output) or compile for the CPU (sse-to-llvm-cpu)}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
  return %i : tensor<1x8x1xi32>
}

// -----

func.func @unfused_norm(%x: tensor<1x8x2x16xf32>, %w: tensor<16xf32>) -> tensor<1x8x2x16xf32> {
  // expected-error @+1 {{'sse.rms_norm' has no GPU lowering of its own}}
  %y = sse.rms_norm %x, %w : tensor<1x8x2x16xf32>, tensor<16xf32>
  return %y : tensor<1x8x2x16xf32>
}
