// sse-decompose-aggregates: linalg.softmax becomes a max reduction,
// exp(x - max), a sum reduction and a division, which the pipelines lower;
// both pipelines run it, so nothing of linalg is left in their output.
// RUN: sse-opt %s --sse-decompose-aggregates | FileCheck %s
// RUN: sse-opt %s --sse-to-llvm-cpu | FileCheck %s --check-prefix=CPU

// CHECK-LABEL: func.func @softmax
// CHECK-NOT: linalg.softmax
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maxnumf
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf
// CPU-LABEL: llvm.func @softmax
// CPU-NOT: linalg.
func.func @softmax(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x16xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
