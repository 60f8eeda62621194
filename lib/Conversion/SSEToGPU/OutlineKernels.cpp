//===- OutlineKernels.cpp - Outlining that keeps occupancy hints ---------===//
//
// sse-outline-kernels: upstream gpu-kernel-outlining drops the discardable
// attributes of gpu.launch; this pass carries the lowering's
// `sse.min_blocks_per_sm` hint over to the outlined gpu.func as
// `nvvm.minctasm` (ptxas then limits registers so that many blocks fit).
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToGPU/SSEToGPU.h"
#include "sse/Dialect/SSE/IR/SSEAttrNames.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEOUTLINEKERNELS
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kHint = sse::attr_names::kMinBlocksPerSM;
constexpr llvm::StringLiteral kMinCtaPerSm = "nvvm.minctasm";

struct SSEOutlineKernelsPass
    : public sse::impl::SSEOutlineKernelsBase<SSEOutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<Attribute> hints;
    module.walk([&](gpu::LaunchOp launch) {
      if (Attribute hint = launch->getAttr(kHint))
        if (std::optional<StringRef> name = launch.getFunction())
          hints[*name] = hint;
    });
    OpPassManager outlining(ModuleOp::getOperationName());
    outlining.addPass(createGpuKernelOutliningPass());
    if (failed(runPipeline(outlining, module)))
      return signalPassFailure();
    module.walk([&](gpu::GPUFuncOp func) {
      auto it = hints.find(func.getName());
      if (func.isKernel() && it != hints.end())
        func->setAttr(kMinCtaPerSm, it->second);
    });
  }
};

} // namespace
