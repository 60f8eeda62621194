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

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEUNROLLKERNELLOOPS
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

void mlir::sse::unrollMarkedKernelLoops(Operation *root) {
  SmallVector<scf::ForOp> toUnroll;
  root->walk([&](scf::ForOp loop) {
    if (loop->hasAttr(kUnrollMarkAttrName))
      toUnroll.push_back(loop);
  });
  for (scf::ForOp loop : toUnroll) {
    auto factor =
        cast<IntegerAttr>(loop->getAttr(kUnrollMarkAttrName)).getInt();
    loop->removeAttr(kUnrollMarkAttrName);
    (void)loopUnrollByFactor(loop, factor); // a hint: failure keeps it
  }
}

namespace {
struct UnrollKernelLoopsPass
    : public sse::impl::SSEUnrollKernelLoopsBase<UnrollKernelLoopsPass> {
  void runOnOperation() override {
    sse::unrollMarkedKernelLoops(getOperation());
  }
};
} // namespace
