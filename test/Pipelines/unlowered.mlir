// What a pipeline cannot lower is an error at its end (sse-check-lowered)
// that names the op and the pipeline, not an exit status of 0 and a late
// failure in translation.
// RUN: not sse-opt %s -split-input-file --sse-to-llvm-cpu 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not sse-opt %s -split-input-file --sse-to-nvvm=format=isa 2>&1 | FileCheck %s --check-prefix=NVVM

// CPU: error: sse-to-llvm-cpu left 'complex.abs' unlowered: no pass of the pipeline handles it
// CPU-NOT: left 'complex.abs'
func.func @complex_abs(%x: f32) -> f32 {
  %c = complex.create %x, %x : complex<f32>
  %a = complex.abs %c : complex<f32>
  %b = complex.abs %c : complex<f32>
  %y = arith.addf %a, %b : f32
  return %y : f32
}

// -----

// The GPU pipeline lowers no host-side linalg yet (issue 11): sse-check-gpu-ops
// says so before bufferization (test/Dialect/SSE/Transforms/check-gpu-ops.mlir).
// NVVM: error: sse-to-nvvm has no GPU kernel for 'linalg.fill': only sse scans
func.func @host_fill() -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %c = arith.constant 2.0 : f32
  %r = linalg.fill ins(%c : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
