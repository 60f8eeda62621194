// Malformed input gives a diagnostic and a non-zero exit, never a crash.
// RUN: not sse-opt %s 2>&1 | FileCheck %s
// CHECK: error: expected ','
func.func @missing_operand(%q: tensor<1x2x1x4xf32>) {
  %o, %s = sse.scan %q, %q gate() : (tensor<1x2x1x4xf32>, tensor<1x2x1x4xf32>) -> (tensor<1x2x1x4xf32>, tensor<1x1x1x4x4xf32>)
  return
}
