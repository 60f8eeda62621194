//===- NVVMPipeline.cpp - sse-to-nvvm -------------------------------------===//
//
// Lowers a module whose entry holds fused sse scans to host code that calls
// the mgpu* runtime and a gpu.binary with the kernels: sse-fuse, sse-tile,
// convert-sse-to-gpu, one-shot bufferization with returned buffers as out
// parameters, host buffers as device buffers, kernel outlining, async
// regions, then upstream's GPU-to-NVVM pipeline for the chosen chip.
//
//===----------------------------------------------------------------------===//

#include "sse/Pipelines/Pipelines.h"

#include "sse/Conversion/Passes.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void sse::buildSSEToNVVMPipeline(OpPassManager &pm,
                                 const NVVMPipelineOptions &options) {
  if (options.fuse) {
    pm.addPass(createSSEFuse());
    pm.addPass(createCanonicalizerPass());
  }
  if (options.tile)
    pm.addPass(createSSETile());
  pm.addPass(createConvertSSEToGPU());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addNestedPass<func::FuncOp>(createSSEDeviceBuffers());
  pm.addPass(createCanonicalizerPass());
  // The canonicalizer hoists the kernels' constants out of gpu.launch (it is
  // not isolated from above); without sinking them back, outlining turns
  // each into a kernel parameter, and the kernels lose every folded index
  // (64-bit divisions by "unknown" tile sizes in the inner loops).
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createSSEOutlineKernels());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());

  gpu::GPUToNVVMPipelineOptions nvvm;
  nvvm.cubinChip = options.chip;
  nvvm.cubinFeatures = options.features;
  nvvm.cubinFormat = options.format;
  nvvm.optLevel = options.optLevel;
  gpu::buildLowerToNVVMPassPipeline(pm, nvvm);
}
