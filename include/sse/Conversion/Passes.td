//===- Passes.td - Conversion passes of sse-mlir --------------*- tablegen -*-===//
//
// Lowerings out of the sse dialect. Each pass is a thin shell over a
// populate...Patterns function in its own library (lib/Conversion/<Name>).
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_PASSES_TD
#define SSE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSSEToSCF : Pass<"convert-sse-to-scf"> {
  let summary = "Lower sse ops to scf loops over memrefs (the CPU reference path)";
  let description = [{
    Rewrites `sse.classify` and `sse.scan` into sequential `scf.for` loop
    nests that compute SPEC.md section 1 exactly, in f32, one token after
    the other. Tensor operands are exposed as buffers with
    `bufferization.to_buffer`; results are fresh buffers wrapped with
    `bufferization.to_tensor restrict writable`, so the output is ready for
    `one-shot-bufferize`. Every output element is written: tokens outside
    the packed sequences of `cu_seqlens` get zeros, states without `init`
    start from zeros.

    This is the reference lowering for the CPU and for machines without a
    GPU; it is deliberately simple (no tiling, no vectorisation).

    Example:

    ```mlir
    func.func @router(%z: tensor<1x8x4xf32>)
        -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>) {
      %w, %i = sse.classify %z {k = 1 : i64}
          : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
      return %w, %i : tensor<1x8x1xf32>, tensor<1x8x1xi32>
    }
    ```

    the classify becomes a loop nest over the 8 rows that computes the max, the softmax
    denominator and the top-1 selection, storing into two new buffers.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "bufferization::BufferizationDialect",
    "linalg::LinalgDialect", "math::MathDialect", "memref::MemRefDialect",
    "scf::SCFDialect"
  ];
}

def ConvertSSEToGPU : Pass<"convert-sse-to-gpu", "ModuleOp"> {
  let summary = "Lower sse.scan to gpu.launch kernels (first, untiled version)";
  let description = [{
    Rewrites every `sse.scan` (any form: shared partition, route or router,
    both rules, gates, init, cu_seqlens, epilogue) into three `gpu.launch`
    kernels over buffers: zero an f32 output accumulator; the scan, one
    block per (sequence, head) x state partition, each thread owning state
    columns and walking the tokens in order, adding its reads to the
    accumulator atomically; the epilogue (norm, gate, rounding to o's type).
    The module becomes a `gpu.container_module`. Other sse ops must have
    been fused into scans (`sse-fuse`); the pass fails on them.

    This lowering ignores the schedule: it is the correct baseline the
    chunked tensor-core kernels are measured against.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "bufferization::BufferizationDialect",
    "gpu::GPUDialect", "math::MathDialect", "memref::MemRefDialect",
    "scf::SCFDialect"
  ];
}

def SSEDeviceBuffers : Pass<"sse-device-buffers", "func::FuncOp"> {
  let summary = "Host-side buffers of a CUDA entry become device buffers";
  let description = [{
    For the CUDA target every buffer an entry function sees is device
    memory: outside GPU kernels, `memref.alloc` becomes `gpu.alloc`,
    `memref.dealloc` becomes `gpu.dealloc` and `memref.copy` becomes
    `gpu.memcpy`. Allocations left without a free are freed before each
    return.
  }];
  let dependentDialects = ["gpu::GPUDialect"];
}

#endif // SSE_CONVERSION_PASSES_TD
