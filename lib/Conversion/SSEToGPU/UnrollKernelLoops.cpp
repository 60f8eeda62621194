//===- UnrollKernelLoops.cpp - Unroll the kernels' marked loops -----------===//
//
// The scan kernels mark loops whose unrolling pays (staging loads kept in
// flight, the per-key cumulative decays) with `sse.unroll = factor`. They
// are unrolled once no rewrite driver tracks the ops: at the end of
// convert-sse-to-gpu, or, when one-shot bufferization emitted the kernels,
// by sse-unroll-kernel-loops after it.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToGPU/SSEToGPU.h"
#include "sse/Dialect/SSE/IR/SSEAttrNames.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEUNROLLKERNELLOOPS
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

/// The factor of a mark: an integer (not i1) in [1, attr_names::kMaxUnroll].
/// The mark also comes from input IR, so it is checked here too, not only
/// by the dialect's attribute verifier.
static FailureOr<int64_t> unrollFactorOf(Operation *loop, Attribute mark) {
  auto factor = dyn_cast<IntegerAttr>(mark);
  if (!factor || factor.getType().isInteger(1) ||
      !isa<IntegerType, IndexType>(factor.getType()))
    return loop->emitError("'")
           << attr_names::kUnroll << "' must be an integer unroll factor, got "
           << mark;
  int64_t value = factor.getValue().getSExtValue();
  if (value < attr_names::kMinUnroll || value > attr_names::kMaxUnroll)
    return loop->emitError("'")
           << attr_names::kUnroll << "' = " << value << " is outside [1, "
           << attr_names::kMaxUnroll << "]";
  return value;
}

LogicalResult mlir::sse::unrollMarkedKernelLoops(Operation *root) {
  SmallVector<std::pair<scf::ForOp, int64_t>> toUnroll;
  bool bad = false;
  root->walk([&](Operation *op) {
    Attribute mark = op->getAttr(attr_names::kUnroll);
    if (!mark)
      return;
    if (!isa<scf::ForOp>(op)) {
      op->emitError("'") << attr_names::kUnroll << "' marks scf.for loops only";
      bad = true;
      return;
    }
    FailureOr<int64_t> factor = unrollFactorOf(op, mark);
    if (failed(factor)) {
      bad = true;
      return;
    }
    toUnroll.push_back({cast<scf::ForOp>(op), *factor});
  });
  if (bad)
    return failure();
  for (auto [loop, factor] : toUnroll) {
    loop->removeAttr(attr_names::kUnroll);
    if (factor > 1)
      (void)loopUnrollByFactor(loop, factor); // a hint: failure keeps it
  }
  return success();
}

namespace {
struct UnrollKernelLoopsPass
    : public sse::impl::SSEUnrollKernelLoopsBase<UnrollKernelLoopsPass> {
  void runOnOperation() override {
    if (failed(sse::unrollMarkedKernelLoops(getOperation())))
      signalPassFailure();
  }
};
} // namespace
