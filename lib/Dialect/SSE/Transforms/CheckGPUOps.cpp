//===- CheckGPUOps.cpp - sse-check-gpu-ops --------------------------------===//
//
// sse-to-nvvm compiles sse scans, not whole layers: linalg ops and tensor
// arith/math left after the scans became kernels are reported here, by
// name, instead of failing in a later conversion with a message about
// something else.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSECHECKGPUOPS
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {
/// Work on tensors that no pass of sse-to-nvvm turns into a kernel.
bool hasNoGPUKernel(Operation *op) {
  if (isa<linalg::LinalgDialect>(op->getDialect()))
    return true;
  if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()))
    return false;
  // Constants feed the kernels' launches; only tensor work is refused.
  if (isa<arith::ConstantOp>(op))
    return false;
  auto isTensor = [](Type t) { return isa<TensorType>(t); };
  return llvm::any_of(op->getResultTypes(), isTensor) ||
         llvm::any_of(op->getOperandTypes(), isTensor);
}

struct SSECheckGPUOpsPass
    : public sse::impl::SSECheckGPUOpsBase<SSECheckGPUOpsPass> {
  void runOnOperation() override {
    llvm::StringSet<> reported;
    getOperation()->walk([&](Operation *op) {
      // Inside a linalg op's body only the op itself is reported.
      if (op->getParentOfType<linalg::LinalgOp>() || !hasNoGPUKernel(op))
        return;
      if (reported.insert(op->getName().getStringRef()).second)
        op->emitError("sse-to-nvvm has no GPU kernel for '")
            << op->getName()
            << "': only sse scans (with their router and the norm/gate "
               "epilogues sse-fuse folds into them) compile for the GPU; run "
               "the whole layer with sse-to-llvm-cpu, or keep this op outside "
               "the module";
    });
    if (!reported.empty())
      signalPassFailure();
  }
};
} // namespace
