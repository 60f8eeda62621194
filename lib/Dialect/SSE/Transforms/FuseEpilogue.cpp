//===- FuseEpilogue.cpp - norm and output gate into the scan's epilogue ---===//
//
// rms_norm(scan.o) and swish_gate(scan.o, x) become norm(...) and
// out_gate(...) on the scan: o is finished while it is still on chip.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/IR/Dominance.h"
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

/// Makes `operand` (the norm's weight or the gate) usable by `scan`, whose
/// output only `consumer` uses: true when it already dominates the scan;
/// otherwise the scan moves down to just before `consumer` when `operand` is
/// defined before `consumer` in the same block and nothing between them uses
/// the scan's states (a layer computes its output gate after the scan, and
/// fusing it without the move would use the gate before its definition).
bool makeAvailable(Value operand, ScanOp scan, Operation *consumer,
                   PatternRewriter &rewriter) {
  DominanceInfo dom;
  if (dom.properlyDominates(operand, scan))
    return true;
  Block *block = scan->getBlock();
  if (consumer->getBlock() != block || !dom.properlyDominates(operand, consumer))
    return false;
  for (Operation *user : scan.getFinalStates().getUsers()) {
    Operation *ancestor = block->findAncestorOpInBlock(*user);
    if (!ancestor || ancestor->isBeforeInBlock(consumer))
      return false;
  }
  rewriter.moveOpBefore(scan, consumer);
  return true;
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
    if (!makeAvailable(norm.getWeight(), scan, norm, rewriter))
      return rewriter.notifyMatchFailure(norm, "the weight is not available at the scan");
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
    if (!makeAvailable(gate.getGate(), scan, gate, rewriter))
      return rewriter.notifyMatchFailure(gate, "the gate is not available at the scan");
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
