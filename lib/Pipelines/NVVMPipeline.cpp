//===- NVVMPipeline.cpp - sse-to-nvvm -------------------------------------===//
//
// Lowers a module whose entry holds fused sse scans to host code that calls
// the mgpu* runtime and a gpu.binary with the kernels: sse-fuse, sse-tile,
// convert-sse-to-gpu (scans marked), one-shot bufferization (which emits
// the kernels, states in place) with in-place results dropped and the
// others as out parameters, host buffers as device buffers, kernel
// outlining, async
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
  // Attributes that later passes set and trust may not come in the input.
  pm.addPass(createSSECheckPipelineInput());
  if (options.fuse) {
    pm.addPass(createSSEFuse());
    pm.addPass(createCanonicalizerPass());
  }
  if (options.tile)
    pm.addPass(createSSETile());
  // Aggregate linalg ops (softmax) have no lowering of their own.
  pm.addPass(createSSEDecomposeAggregates());
  // v2: the scans the sse_gpu kernels cover become kernel ops on tensors.
  bool v2 = options.kernels == ScanKernels::V2;
  if (v2) {
    ConvertSSEToSSEGPUOptions toKernels;
    toKernels.builtOnly = true;
    pm.addPass(createConvertSSEToSSEGPU(toKernels));
  }
  // The other scans are lowered by one-shot bufferization, in place on
  // their states.
  ConvertSSEToGPUOptions toGPU;
  toGPU.lowerScans = false;
  pm.addPass(createConvertSSEToGPU(toGPU));
  pm.addPass(createCanonicalizerPass());
  // What is left on tensors besides the scans has no GPU kernel: say so,
  // by name, before bufferization turns it into host code.
  pm.addPass(createSSECheckGPUOps());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // The kernels were emitted over the shapes of the operands' buffers: fold
  // their sizes now, while the scratch buffers are memref.alloc (a dynamic
  // gpu.alloc stays dynamic, and the kernels would index it through
  // run-time strides).
  pm.addPass(createCanonicalizerPass());
  // The kernel ops on buffers become gpu.func kernels and their launches.
  if (v2)
    pm.addPass(createConvertSSEGPUToGPU());
  // No two results share a buffer (upstream's out-params pass crashes on
  // a repeated result); states updated in place stay in their argument
  // (no copy to an out parameter); the module records where they are.
  pm.addPass(createSSEDistinctReturnedBuffers());
  pm.addPass(createSSEDropInPlaceResults());
  pm.addPass(createSSEUnrollKernelLoops());
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
  SSECheckLoweredOptions check;
  check.pipeline = "sse-to-nvvm";
  pm.addPass(createSSECheckLowered(check));
}
