//===- InitAll.cpp - Register everything sse-mlir tools need --------------===//
//
// Kept out of the tool mains so sse-opt and sse-runner register the same set.
//
//===----------------------------------------------------------------------===//

#include "sse/InitAll.h"

#include "sse/Conversion/Passes.h"
#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/TransformOps/SSETransformOps.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"
#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"
#include "sse/Dialect/SSEGPU/Transforms/BufferizableOpInterfaceImpl.h"
#include "sse/Dialect/SSEGPU/Transforms/Passes.h"
#include "sse/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/FileSystem.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include <cstdlib>

void mlir::sse::registerAllDialectsAndExtensions(DialectRegistry &registry) {
  registry.insert<SSEDialect, sse_gpu::SSEGPUDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerTransformDialectExtension(registry);
  registerAllToLLVMIRTranslations(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerScanBufferizationModel(registry);
  sse_gpu::registerBufferizableOpInterfaceExternalModels(registry);
}

void mlir::sse::registerAllPassesAndPipelines() {
  registerAllPasses();
  registerSSEConversionPasses();
  registerSSEPasses();
  sse_gpu::registerSSEGPUPasses();
  registerSSEPipelines();
}

void mlir::sse::setDefaultCudaToolkitPath() {
  if (std::getenv("CUDA_ROOT") || std::getenv("CUDA_HOME"))
    return;
  if (llvm::sys::fs::is_directory("/usr/local/cuda"))
    setenv("CUDA_HOME", "/usr/local/cuda", /*overwrite=*/0);
}
