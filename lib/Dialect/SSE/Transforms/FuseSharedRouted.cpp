//===- FuseSharedRouted.cpp - shared + routed scans into one --------------===//
//
// The SSE layer adds the output of a plain scan (the shared partition) to the
// output of a routed scan over the same v. Both become one scan with a
// shared(...) partition at state index 0, so one kernel serves both.
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
#define GEN_PASS_DEF_SSEFUSESHAREDROUTED
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

namespace {

/// Initial states of one side of the fusion: its init, or zeros.
FailureOr<Value> initOrZeros(PatternRewriter &rewriter, Location loc,
                             ScanOp scan) {
  if (Value init = scan.getInit())
    return init;
  auto type = cast<RankedTensorType>(scan.getFinalStates().getType());
  if (!type.hasStaticShape())
    return failure();
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        rewriter.getF32Type());
  Value zero =
      arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0.0f));
  return linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
}

/// The slice [.., first : first + count, ..] of the fused states along the
/// partition dimension, cast to `type` (the old states' type).
Value partitionSlice(PatternRewriter &rewriter, Location loc, Value states,
                     int64_t first, int64_t count, Type type) {
  SmallVector<OpFoldResult> offsets(5, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(rewriter, loc, states);
  SmallVector<OpFoldResult> strides(5, rewriter.getIndexAttr(1));
  offsets[2] = rewriter.getIndexAttr(first);
  sizes[2] = rewriter.getIndexAttr(count);
  Value slice = tensor::ExtractSliceOp::create(rewriter, loc, states, offsets,
                                               sizes, strides);
  if (slice.getType() != type)
    slice = tensor::CastOp::create(rewriter, loc, type, slice);
  return slice;
}

/// Fuses `add(lhs, rhs)` when one side is a shared scan and the other a
/// routed scan of the same layer.
LogicalResult fuseAddedScans(Operation *add, Value lhs, Value rhs,
                             PatternRewriter &rewriter) {
  auto lhsScan = lhs.getDefiningOp<ScanOp>();
  auto rhsScan = rhs.getDefiningOp<ScanOp>();
  if (!lhsScan || !rhsScan || lhsScan == rhsScan)
    return rewriter.notifyMatchFailure(add, "not an add of two scans");
  if (lhs != lhsScan.getO() || rhs != rhsScan.getO())
    return rewriter.notifyMatchFailure(add, "not an add of scan outputs");
  ScanOp shared = lhsScan.isRouted() ? rhsScan : lhsScan;
  ScanOp routed = lhsScan.isRouted() ? lhsScan : rhsScan;
  if (shared.isRouted() || shared.hasShared() || !routed.isRouted() ||
      routed.hasShared() || shared.getNormWeight() || shared.getOutGate() ||
      routed.getNormWeight() || routed.getOutGate())
    return rewriter.notifyMatchFailure(add, "need one plain, one routed scan");
  if (shared.getV() != routed.getV() || shared.getRule() != routed.getRule() ||
      shared.getCuSeqlens() != routed.getCuSeqlens() ||
      shared.getEffectiveScale() != routed.getEffectiveScale() ||
      shared.getQ().getType() != routed.getQ().getType())
    return rewriter.notifyMatchFailure(add, "scans of different layers");
  if (!shared.getO().hasOneUse() || !routed.getO().hasOneUse())
    return rewriter.notifyMatchFailure(add, "a scan output has other uses");
  if (add->getResult(0).getType() != routed.getO().getType())
    return rewriter.notifyMatchFailure(add, "the sum changes type");

  Location loc = add->getLoc();
  Value init;
  if (shared.getInit() || routed.getInit()) {
    FailureOr<Value> sharedInit = initOrZeros(rewriter, loc, shared);
    FailureOr<Value> routedInit = initOrZeros(rewriter, loc, routed);
    if (failed(sharedInit) || failed(routedInit))
      return rewriter.notifyMatchFailure(add, "dynamic states without init");
    init = tensor::ConcatOp::create(rewriter, loc, /*dim=*/2,
                                    ValueRange{*sharedInit, *routedInit});
  }

  auto routedStates = cast<RankedTensorType>(routed.getFinalStates().getType());
  SmallVector<int64_t> stateShape(routedStates.getShape());
  stateShape[2] = routed.getPartitions() + 1;
  auto statesType = RankedTensorType::get(stateShape, rewriter.getF32Type());
  auto fused = ScanOp::create(
      rewriter, loc, TypeRange{routed.getO().getType(), statesType},
      routed.getQ(), routed.getK(), routed.getV(), routed.getGate(),
      routed.getBeta(), shared.getQ(), shared.getK(), shared.getGate(),
      shared.getBeta(), routed.getWeights(), routed.getIndices(),
      routed.getLogits(), init, routed.getCuSeqlens(),
      /*norm_weight=*/Value(), /*out_gate=*/Value(), routed.getPartitionsAttr(),
      routed.getScaleAttr(), routed.getRuleAttr(), routed.getReadGateAttr(),
      routed.getWriteGateAttr(), routed.getTopKAttr(),
      routed.getRouterOrderAttr(), routed.getRenormalizeAttr(),
      /*schedule=*/nullptr, /*norm_eps=*/nullptr);

  rewriter.replaceOp(add, fused.getO());
  Value sharedStates = partitionSlice(rewriter, loc, fused.getFinalStates(), 0,
                                      1, shared.getFinalStates().getType());
  Value routedSlice = partitionSlice(rewriter, loc, fused.getFinalStates(), 1,
                                     routed.getPartitions(), routedStates);
  rewriter.replaceOp(shared, {fused.getO(), sharedStates});
  rewriter.replaceOp(routed, {fused.getO(), routedSlice});
  return success();
}

struct FuseLinalgAdd : public OpRewritePattern<linalg::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::AddOp add,
                                PatternRewriter &rewriter) const override {
    if (add.getNumDpsInputs() != 2 || add->getNumResults() != 1)
      return rewriter.notifyMatchFailure(add, "not a tensor add");
    return fuseAddedScans(add, add.getDpsInputs()[0], add.getDpsInputs()[1],
                          rewriter);
  }
};

struct FuseArithAdd : public OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::AddFOp add,
                                PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(add.getType()))
      return rewriter.notifyMatchFailure(add, "not a tensor add");
    return fuseAddedScans(add, add.getLhs(), add.getRhs(), rewriter);
  }
};

struct SSEFuseSharedRoutedPass
    : public sse::impl::SSEFuseSharedRoutedBase<SSEFuseSharedRoutedPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseSharedRoutedPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::sse::populateFuseSharedRoutedPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseLinalgAdd, FuseArithAdd>(patterns.getContext());
}
