//===- FuseRouter.cpp - sse.classify into the prologue of its scan --------===//
//
// route(classify(z)) becomes router(z): the scan classifies each token
// itself, so weights and indices never round-trip through memory.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEFUSEROUTER
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

namespace {
struct FuseRouterIntoScan : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp scan,
                                PatternRewriter &rewriter) const override {
    if (!scan.getWeights())
      return rewriter.notifyMatchFailure(scan, "no route(...) operands");
    auto classify = scan.getWeights().getDefiningOp<ClassifyOp>();
    if (!classify || scan.getIndices() != classify.getIndices())
      return rewriter.notifyMatchFailure(scan, "routing not from a classify");
    auto logitsType = cast<RankedTensorType>(classify.getLogits().getType());
    auto weightsType = cast<RankedTensorType>(scan.getWeights().getType());
    if (logitsType.getRank() != weightsType.getRank() ||
        logitsType.getShape().back() !=
            static_cast<int64_t>(scan.getPartitions()))
      return rewriter.notifyMatchFailure(scan, "logits do not match routing");

    rewriter.modifyOpInPlace(scan, [&] {
      scan.getWeightsMutable().clear();
      scan.getIndicesMutable().clear();
      scan.getLogitsMutable().assign(classify.getLogits());
      scan.setTopK(classify.getK());
      if (classify.getOrder() != ClassifyOrder::softmax_then_topk)
        scan.setRouterOrderAttr(classify.getOrderAttr());
      scan.setRenormalize(classify.getRenormalize());
    });
    if (classify->use_empty())
      rewriter.eraseOp(classify);
    return success();
  }
};

struct SSEFuseRouterPass
    : public sse::impl::SSEFuseRouterBase<SSEFuseRouterPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseRouterPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::sse::populateFuseRouterPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseRouterIntoScan>(patterns.getContext());
}
