//===- SSECanonicalize.cpp - Canonicalization patterns of sse ops ---------===//
//
// A scan over a single partition whose routing comes from a classify over a
// single logit always selects partition 0 with weight exactly 1: the routing
// is dropped, and with it the classify (which is then dead).
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::sse;

namespace {
struct DropTrivialRouting : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp scan,
                                PatternRewriter &rewriter) const override {
    if (!scan.getWeights() || scan.getPartitions() != 1 || scan.hasShared())
      return rewriter.notifyMatchFailure(scan, "not a routed 1-partition scan");
    auto classify = scan.getWeights().getDefiningOp<ClassifyOp>();
    if (!classify || scan.getIndices() != classify.getIndices())
      return rewriter.notifyMatchFailure(scan, "routing not from a classify");
    auto logitsType = cast<RankedTensorType>(classify.getLogits().getType());
    if (logitsType.getShape().back() != 1 || classify.getK() != 1)
      return rewriter.notifyMatchFailure(scan, "router has several choices");
    // softmax over one logit is 1 whatever the order or renormalisation,
    // and the index is 0: the scan is the plain one-state scan.
    rewriter.modifyOpInPlace(scan, [&] {
      scan.getWeightsMutable().clear();
      scan.getIndicesMutable().clear();
    });
    return success();
  }
};
} // namespace

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<DropTrivialRouting>(context);
}
