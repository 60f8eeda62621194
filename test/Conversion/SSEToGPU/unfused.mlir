// convert-sse-to-gpu lowers scans only: other sse ops must have been fused
// into them (sse-fuse); the pass says which op is left, and fails cleanly.
// RUN: not sse-opt %s -convert-sse-to-gpu 2>&1 | FileCheck %s
// CHECK: error: failed to legalize operation 'sse.classify'
func.func @unfused_classify(%z: tensor<1x8x4xf32>) -> tensor<1x8x1xi32> {
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
  return %i : tensor<1x8x1xi32>
}
