//===- Fuse.cpp - sse-fuse: every sse fusion, in order
//---------------------===//
//
// Shared + routed first (it keeps route(...) or router(...) as it is), then
// the router into the scan's prologue, then the epilogue (the shared +
// routed fusion does not fire on scans that already have one).
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEFUSE
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {
struct SSEFusePass : public sse::impl::SSEFuseBase<SSEFusePass> {
  void runOnOperation() override {
    for (auto populate :
         {sse::populateRaisePatterns, sse::populateFuseSharedRoutedPatterns,
          sse::populateFuseRouterPatterns, sse::populateFuseEpiloguePatterns}) {
      RewritePatternSet patterns(&getContext());
      populate(patterns);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
  }
};
} // namespace
