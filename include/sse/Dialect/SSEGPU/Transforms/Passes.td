//===- Passes.td - Passes of the sse_gpu dialect -------------*- tablegen -*-===//
//
// Test-only passes that print what the kernel-plan analysis decides.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_GPU_TRANSFORMS_PASSES_TD
#define SSE_GPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TestSSEGPUPlan : Pass<"test-sse-gpu-plan"> {
  let summary = "Test only: print the chunk-scan kernel plan of every scan";
  let description = [{
    For every `sse.scan` with static shapes, runs the kernel-plan analysis
    (`planChunkScan`, over the same machine description as the cost
    model) on its `#sse.schedule` (or the cost model's choice when it has
    none) and emits a remark with the plans of its chunk-scan kernels: one
    for the shared partition when there is one, one for the routed (or
    only) partitions, each with the number of blocks it launches. A scan
    the analysis cannot plan gets a remark that says why.
  }];
  let dependentDialects = ["sse_gpu::SSEGPUDialect"];
  let options = [
    Option<"targetSMs", "target-sms", "int64_t", "132",
           "Streaming multiprocessors of the target">,
    Option<"targetSmemKB", "target-smem-kb", "int64_t", "227",
           "Dynamic shared memory per block (KiB)">,
  ];
}

#endif // SSE_GPU_TRANSFORMS_PASSES_TD
