// sse-check-pipeline-input: the attributes passes of a pipeline set for each
// other (sse.gpu_kernels, sse.results_in_args) are errors in the input, even
// with values the verifier accepts; hints (sse.unroll) pass. Both pipelines
// run the check first, so a marked scan never reaches the CPU lowering
// (where sse.gpu_kernels once crashed ScanKernels).
// RUN: sse-opt %s -split-input-file -verify-diagnostics --sse-check-pipeline-input | FileCheck %s
// RUN: sse-opt %s -split-input-file -verify-diagnostics --sse-to-llvm-cpu | FileCheck %s --check-prefix=CPU
// RUN: sse-opt %s -split-input-file -verify-diagnostics --sse-to-nvvm | FileCheck %s --check-prefix=NVVM

func.func @marked_scan(%q: tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>) {
  // expected-error @below {{attribute 'sse.gpu_kernels' is set by the pipeline (convert-sse-to-gpu) and may not appear in its input; remove it}}
  %o, %s = sse.scan %q, %q, %q {sse.gpu_kernels = {index = 0 : i64, tensor_cores = false}} : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>)
  return %o, %s : tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>
}

// -----

// expected-error @below {{attribute 'sse.results_in_args' is set by the pipeline (sse-drop-in-place-results) and may not appear in its input; remove it}}
module attributes {sse.results_in_args = {f = array<i64: 0>}} {
  func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// Both in one module: each is reported.
// expected-error @below {{attribute 'sse.results_in_args' is set by the pipeline}}
module attributes {sse.results_in_args = {g = array<i64: -1, -1>}} {
  func.func @g(%q: tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>) {
    // expected-error @below {{attribute 'sse.gpu_kernels' is set by the pipeline}}
    %o, %s = sse.scan %q, %q, %q {sse.gpu_kernels = {index = 3 : i64, tensor_cores = true}} : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>)
    return %o, %s : tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>
  }
}

// -----

// A hint is not owned: the input keeps it and every pipeline accepts it.
// CHECK-LABEL: func.func @hinted_loop
// CHECK: scf.for
// CHECK: {sse.unroll = 2 : i64}
// CPU-LABEL: llvm.func @hinted_loop
// NVVM-LABEL: llvm.func @hinted_loop
func.func @hinted_loop(%m: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %one, %m[%i] : memref<8xf32>
  } {sse.unroll = 2 : i64}
  return
}
