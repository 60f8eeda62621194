//===- SSEGPUDialect.td - The sse_gpu kernel-level dialect ---*- tablegen -*-===//
//
// Declares `sse_gpu`: the level between sse.scan and the gpu/nvvm kernels.
// One op per kernel kind, each carrying the #sse_gpu.plan that decides how
// the kernel is built, so that no decision is taken again in C++.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_GPU_DIALECT_TD
#define SSE_GPU_DIALECT_TD

include "mlir/IR/OpBase.td"

def SSEGPU_Dialect : Dialect {
  let name = "sse_gpu";
  let summary = "GPU kernels of sparse state expansion, one op per kernel";
  let description = [{
    The kernel level of the GPU path. Where `sse.scan` says what is
    computed, an `sse_gpu` op says which kernel computes it and how that
    kernel is built: its `#sse_gpu.plan` holds every decision (chunk, V
    slice, warp roles and their registers, pipeline stages, cluster shape,
    shared-memory layout, how outputs combine). One analysis
    (`sse/Dialect/SSEGPU/Analysis/KernelPlan.h`) makes plans, over the same
    machine description as the cost model; `test-sse-gpu-plan` prints them.

    The ops are in destination-passing style: on tensors before
    bufferization, on memrefs after it.
  }];
  let cppNamespace = "::mlir::sse_gpu";
  // The update rule of a scan is the sse dialect's attribute.
  let dependentDialects = ["::mlir::sse::SSEDialect"];
  let useDefaultAttributePrinterParser = 1;
}

#endif // SSE_GPU_DIALECT_TD
