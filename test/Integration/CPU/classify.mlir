// The router alone: top-2 of 8 with renormalisation, over rank-4 logits.
// RUN: rm -rf %t && sse-runner %s --entry=router --seed=2 --dump-inputs --output-dir=%t | FileCheck %s --check-prefix=RUNNER
// RUN: %python -m sse_mlir.check %t --ref classify --args z --k 2 --renormalize | FileCheck %s

// RUNNER: result 0: f32 (2, 5, 3, 2)
// RUNNER: result 1: i32 (2, 5, 3, 2)
// CHECK: result0 weights: {{.*}} nan=0 PASS
// CHECK: result1 indices: exact=True PASS

func.func @router(%z: tensor<2x5x3x8xf32>)
    -> (tensor<2x5x3x2xf32>, tensor<2x5x3x2xi32>) {
  %w, %i = sse.classify %z {k = 2 : i64, renormalize}
      : tensor<2x5x3x8xf32> -> (tensor<2x5x3x2xf32>, tensor<2x5x3x2xi32>)
  return %w, %i : tensor<2x5x3x2xf32>, tensor<2x5x3x2xi32>
}
