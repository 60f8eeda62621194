//===- FuseEpilogue.cpp - norm and output gate into the scan's epilogue ---===//
//
// rms_norm(scan.o) and swish_gate(scan.o, x) become norm(...) and
// out_gate(...) on the scan: o is finished while it is still on chip.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEFUSEEPILOGUE
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

namespace {
/// The scan whose output `x` is, if `x` has no other use.
ScanOp producingScan(Value x) {
  auto scan = x.getDefiningOp<ScanOp>();
  if (!scan || x != scan.getO() || !x.hasOneUse())
    return nullptr;
  return scan;
}

struct FuseRmsNorm : public OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RmsNormOp norm,
                                PatternRewriter &rewriter) const override {
    ScanOp scan = producingScan(norm.getX());
    if (!scan)
      return rewriter.notifyMatchFailure(norm, "not the only use of a scan");
    if (scan.getNormWeight() || scan.getOutGate())
      return rewriter.notifyMatchFailure(norm, "the scan has an epilogue");
    std::optional<ScheduleAttr> schedule = scan.getSchedule();
    int64_t v = cast<RankedTensorType>(scan.getV().getType()).getDimSize(3);
    if (schedule && schedule->getVTile() != v)
      return rewriter.notifyMatchFailure(norm, "the schedule splits V");
    rewriter.modifyOpInPlace(scan, [&] {
      scan.getNormWeightMutable().assign(norm.getWeight());
      if (norm.getEps())
        scan.setNormEpsAttr(norm.getEpsAttr());
    });
    rewriter.replaceOp(norm, scan.getO());
    return success();
  }
};

struct FuseSwishGate : public OpRewritePattern<SwishGateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SwishGateOp gate,
                                PatternRewriter &rewriter) const override {
    ScanOp scan = producingScan(gate.getX());
    if (!scan)
      return rewriter.notifyMatchFailure(gate, "not the only use of a scan");
    if (scan.getOutGate())
      return rewriter.notifyMatchFailure(gate, "the scan is already gated");
    rewriter.modifyOpInPlace(
        scan, [&] { scan.getOutGateMutable().assign(gate.getGate()); });
    rewriter.replaceOp(gate, scan.getO());
    return success();
  }
};

struct SSEFuseEpiloguePass
    : public sse::impl::SSEFuseEpilogueBase<SSEFuseEpiloguePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseEpiloguePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::sse::populateFuseEpiloguePatterns(RewritePatternSet &patterns) {
  patterns.add<FuseRmsNorm, FuseSwishGate>(patterns.getContext());
}
