//===- CheckLowered.cpp - sse-check-lowered -------------------------------===//
//
// The pipelines' last pass: what is not the LLVM dialect (or a gpu.binary
// and its gpu.launch_func) was not handled by any pass, and is reported here,
// by name, instead of failing later in translation.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSECHECKLOWERED
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {
struct SSECheckLoweredPass
    : public sse::impl::SSECheckLoweredBase<SSECheckLoweredPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringSet<> reported;
    module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op == module.getOperation() ||
          isa<LLVM::LLVMDialect>(op->getDialect()))
        return WalkResult::advance();
      // The kernels, and their launches (translated with them).
      if (isa<gpu::BinaryOp>(op))
        return WalkResult::skip();
      if (isa<gpu::LaunchFuncOp>(op))
        return WalkResult::advance();
      if (reported.insert(op->getName().getStringRef()).second)
        op->emitError(pipeline)
            << " left '" << op->getName()
            << "' unlowered: no pass of the pipeline handles it";
      return WalkResult::advance();
    });
    if (!reported.empty())
      signalPassFailure();
  }
};
} // namespace
