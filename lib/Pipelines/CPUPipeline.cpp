//===- CPUPipeline.cpp - sse-to-llvm-cpu ----------------------------------===//
//
// Lowers a module with sse ops (and upstream tensor/linalg/arith/math graph
// ops) to the LLVM dialect for the CPU: sse-fuse and sse-tile (so every CPU
// run exercises fusion and the schedule), sse -> scf loops, one-shot
// bufferization with identity layouts at function boundaries, returned
// buffers as out parameters, ownership-based deallocation, then the usual
// conversions to LLVM. bf16 extensions/truncations are expanded in software
// because the host may lack native support.
//
//===----------------------------------------------------------------------===//

#include "sse/Pipelines/Pipelines.h"

#include "sse/Conversion/Passes.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void sse::buildSSEToLLVMCPUPipeline(OpPassManager &pm,
                                    const CPUPipelineOptions &options) {
  // Attributes that later passes set and trust may not come in the input.
  pm.addPass(createSSECheckPipelineInput());
  if (options.fuse) {
    pm.addPass(createSSEFuse());
    pm.addPass(createCanonicalizerPass());
  }
  if (options.tile) {
    SSETileOptions tile;
    tile.chunk = options.chunk;
    tile.split = options.split;
    tile.grouping = options.grouping;
    pm.addPass(createSSETile(tile));
  }
  // Aggregate linalg ops (softmax) have no lowering of their own.
  pm.addPass(createSSEDecomposeAggregates());
  // Scans are lowered by one-shot bufferization, in place on their states.
  ConvertSSEToSCFOptions toSCF;
  toSCF.lowerScans = false;
  pm.addPass(createConvertSSEToSCF(toSCF));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertElementwiseToLinalgPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (options.resultsToOutParams) {
    // No two results share a buffer (upstream's out-params pass crashes on
    // a repeated result); states updated in place stay in their argument
    // (no copy to an out parameter); the module records where they are.
    pm.addPass(createSSEDistinctReturnedBuffers());
    pm.addPass(createSSEDropInPlaceResults());
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  bufferization::buildBufferDeallocationPipeline(pm);

  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // bf16 <-> f32 in integer arithmetic: the host may lack native support.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (erf, ...) becomes a libm call.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  SSECheckLoweredOptions check;
  check.pipeline = "sse-to-llvm-cpu";
  pm.addPass(createSSECheckLowered(check));
}

namespace {
/// PassPipelineRegistration<Options>, except that options that do not parse
/// are also reported through the caller's error handler: upstream's
/// registration drops it, so `--sse-to-nvvm=kernels=v3` printed only
/// llvm::cl's line and no error naming the pipeline.
template <typename Options>
void registerPipeline(StringRef arg, StringRef description,
                      void (*builder)(OpPassManager &, const Options &)) {
  registerPassPipeline(
      arg, description,
      [arg, builder](OpPassManager &pm, StringRef optionsStr,
                     function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        std::string why;
        llvm::raw_string_ostream os(why);
        if (failed(options.parseFromString(optionsStr, os)))
          return errorHandler(arg + ": invalid options `" + optionsStr + "`" +
                              (why.empty() ? "" : ": ") +
                              StringRef(why).trim());
        builder(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(Options());
      });
}
} // namespace

void sse::registerSSEPipelines() {
  registerPipeline<CPUPipelineOptions>(
      "sse-to-llvm-cpu",
      "Lower sse ops and the surrounding graph to the LLVM dialect for the "
      "CPU (reference path, used by sse-runner --target=cpu)",
      buildSSEToLLVMCPUPipeline);
  registerPipeline<NVVMPipelineOptions>(
      "sse-to-nvvm",
      "Lower sse ops to GPU kernels and host code calling the mgpu* runtime "
      "(ends in gpu.binary; default sm_90a, +ptx80, fatbin)",
      buildSSEToNVVMPipeline);
}
