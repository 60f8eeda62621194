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

    the classify becomes a loop nest over the 8 rows that computes the max,
    the softmax denominator and the top-1 selection, storing into two new
    buffers.

    With `lower-scans=false`, `sse.scan` is left for `one-shot-bufferize`,
    which lowers it in place through its BufferizableOpInterface: the
    final states are the buffer of `init` (the scan's destination), copied
    only where the initial states are still read afterwards. The CPU
    pipeline works that way, so a decode step updates the state cache in
    place.
  }];
  let options = [
    Option<"lowerScans", "lower-scans", "bool", "true",
           "Lower sse.scan here (false: leave it to one-shot-bufferize)">
  ];
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

    Additive scans on f16/bf16 inputs with K, V multiples of 16 (K <= 256)
    use a tensor-core kernel instead of kernel 2 (option `tensor-cores`):
    one block per (sequence, head, state partition, up to 64 columns of V),
    a warp per 16 columns, walks chunks of 16 tokens with the chunk form of
    the rule; the products
    `Qd S`, `A V` and `Kd^T V` run as warp-level matrix ops
    (`gpu.subgroup_mma_*`, m16n16k16, f16 operands, f32 accumulation) and
    the f32 state tile is updated in place; the masked intra-chunk scores
    are computed in f32. With `grouping = sorted` a grouping kernel first
    lists each routed partition's tokens per (sequence, head), and routed
    partitions walk only those. Other scans use the column-per-thread
    kernel (dense masks). The schedule's chunk length and `chunked` split
    are not followed yet.
  }];
  let options = [
    Option<"tensorCores", "tensor-cores", "bool", "true",
           "Use the tensor-core kernel where it applies">
  ];
  let dependentDialects = [
    "arith::ArithDialect", "bufferization::BufferizationDialect",
    "gpu::GPUDialect", "math::MathDialect", "memref::MemRefDialect",
    "nvgpu::NVGPUDialect", "scf::SCFDialect", "vector::VectorDialect"
  ];
}

def SSEDeviceBuffers : Pass<"sse-device-buffers", "func::FuncOp"> {
  let summary = "Host-side buffers of a CUDA entry become device buffers";
  let description = [{
    For the CUDA target every buffer an entry function sees is device
    memory: outside GPU kernels, `memref.alloc` becomes `gpu.alloc`,
    `memref.dealloc` becomes `gpu.dealloc` and `memref.copy` becomes
    `gpu.memcpy` (or, between strided buffers such as slices of the fused
    states, a copy kernel). Allocations left without a free are freed
    before each return.
  }];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "scf::SCFDialect"];
}

def SSEOutlineKernels : Pass<"sse-outline-kernels", "ModuleOp"> {
  let summary = "gpu-kernel-outlining that keeps the lowering's occupancy hints";
  let description = [{
    Runs upstream `gpu-kernel-outlining`, then gives each outlined kernel
    the occupancy hint its `gpu.launch` carried: a launch with
    `sse.min_blocks_per_sm = n` (set by `convert-sse-to-gpu` where n blocks
    fit an SM's shared memory) becomes a `gpu.func` with
    `nvvm.minctasm = n`, so ptxas keeps the registers low enough for n
    blocks per SM. Launches are matched to kernels by their `function`
    name. A launch ending in
    `{function = @k, module = @k, sse.min_blocks_per_sm = 2 : i32}` becomes
    `gpu.module @k { gpu.func @k(...) kernel attributes {nvvm.minctasm = 2 : i32, ...} }`
    (test/Conversion/SSEToGPU/outline-kernels.mlir has the whole IR).
  }];
  let dependentDialects = ["gpu::GPUDialect"];
}

#endif // SSE_CONVERSION_PASSES_TD
