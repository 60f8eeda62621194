// sse-check-gpu-ops (in sse-to-nvvm, before bufferization): linalg ops and
// arith/math on tensors have no GPU kernel; each distinct one is an error
// naming it. Scalars, constants and the scans themselves pass.
// RUN: sse-opt %s -split-input-file -verify-diagnostics --sse-check-gpu-ops
// RUN: not sse-opt %s --sse-to-nvvm=format=isa 2>&1 | FileCheck %s --check-prefix=LAYER

// A projection (the error the whole layer of issue 11 used to end in was
// "expected add/mul op in the body", from convert-arith-to-llvm):
// LAYER: error: sse-to-nvvm has no GPU kernel for 'linalg.matmul': only sse scans (with their router and the norm/gate epilogues sse-fuse folds into them) compile for the GPU; run the whole layer with sse-to-llvm-cpu, or keep this op outside the module
func.func @projection(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %acc: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error @below {{sse-to-nvvm has no GPU kernel for 'linalg.matmul'}}
  %y = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%acc : tensor<8x4xf32>) -> tensor<8x4xf32>
  // The second matmul is the same op: one error per op name.
  %z = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%y : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %z : tensor<8x4xf32>
}

// -----

// A residual add on tensors ("op was not bufferized" before), and math on
// tensors:
func.func @residual(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{sse-to-nvvm has no GPU kernel for 'arith.addf'}}
  %s = arith.addf %a, %b : tensor<4x8xf32>
  // expected-error @below {{sse-to-nvvm has no GPU kernel for 'math.exp'}}
  %e = math.exp %s : tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}

// -----

// Scalar arith, tensor constants and a scan are fine: no diagnostic.
func.func @scan(%q: tensor<1x16x1x16xf32>, %v: tensor<1x16x1x16xf32>, %x: f32) -> (tensor<1x16x1x16xf32>, tensor<1x1x1x16x16xf32>, f32, tensor<2xf32>) {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x16x1x16xf32>, tensor<1x16x1x16xf32>, tensor<1x16x1x16xf32>) -> (tensor<1x16x1x16xf32>, tensor<1x1x1x16x16xf32>)
  %y = arith.addf %x, %x : f32
  %c = arith.constant dense<1.0> : tensor<2xf32>
  return %o, %s, %y, %c : tensor<1x16x1x16xf32>, tensor<1x1x1x16x16xf32>, f32, tensor<2xf32>
}
