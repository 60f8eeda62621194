//===- SSEToSSEGPU.cpp - convert-sse-to-sse-gpu ---------------------------===//
//
// Rewrites a tiled sse.scan into the sse_gpu kernel ops that compute it, on
// tensors: the router, the grouping, one chunk scan per kind of partition
// (shared, routed) chained through the states, and the output combine. The
// plans come from the kernel-plan analysis; this file only builds IR.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToSSEGPU/SSEToSSEGPU.h"

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSEGPU/Analysis/KernelPlan.h"
#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_CONVERTSSETOSSEGPU
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;
using sse_gpu::ChunkScanPlan;
using sse_gpu::ScanPart;

namespace {

/// The plans of a scan's chunk-scan kernels, or nothing when the new
/// kernels do not cover it (it stays for convert-sse-to-gpu).
struct ScanPlans {
  std::optional<ChunkScanPlan> shared, main; ///< main: routed or dense
};

/// Whether convert-sse-gpu-to-gpu builds every kernel of `scan` with
/// `plans`: the additive rule, q, k, v and the gates of one 16-bit type,
/// plans the chunk-scan kernel implements, and, for routed partitions, a
/// fused router (its indices are valid and distinct by construction, so
/// every visit is in exactly one list) without packed sequences.
bool isBuilt(ScanOp scan, const ScanShape &shape, const ScanPlans &plans) {
  Type element = cast<ShapedType>(scan.getQ().getType()).getElementType();
  auto sameType = [&](Value v) {
    return !v || cast<ShapedType>(v.getType()).getElementType() == element;
  };
  if (shape.delta || !(element.isBF16() || element.isF16()) ||
      !sameType(scan.getK()) || !sameType(scan.getV()) ||
      !sameType(scan.getGate()) || !sameType(scan.getSharedQ()) ||
      !sameType(scan.getSharedK()) || !sameType(scan.getSharedGate()) ||
      !plans.main || plans.shared.has_value() != scan.hasShared())
    return false;
  if (scan.isRouted() && (!scan.getLogits() || scan.getCuSeqlens()))
    return false;
  if (!scan.isRouted() && scan.getPartitions() != 1)
    return false;
  auto implemented = [&](const std::optional<ChunkScanPlan> &p, Value gate) {
    if (!p)
      return true;
    bool perKey = gate && cast<ShapedType>(gate.getType()).getRank() == 4;
    return !sse_gpu::checkImplementedPlan(p->plan, shape.keyWidth,
                                          shape.valueWidth, shape.elementBytes,
                                          perKey, gate && !perKey);
  };
  return implemented(plans.main, scan.getGate()) &&
         implemented(plans.shared, scan.getSharedGate());
}

std::optional<ScanPlans> planScan(ScanOp scan,
                                  const TargetDescription &target) {
  std::optional<ScanShape> shape = ScanShape::of(scan);
  ScheduleAttr schedule = scan.getScheduleAttr();
  // Either split runs on these kernels: the plan decides the segments.
  if (!shape || !schedule)
    return std::nullopt;
  Type element = cast<ShapedType>(scan.getQ().getType()).getElementType();
  auto plan = [&](ScanPart part) -> std::optional<ChunkScanPlan> {
    std::string why;
    FailureOr<ChunkScanPlan> p = sse_gpu::planChunkScan(
        scan.getContext(), *shape, element, part, schedule.getSplit(),
        schedule.getGrouping(), target, why);
    if (failed(p))
      return std::nullopt;
    return *p;
  };
  ScanPlans plans;
  if (scan.hasShared() && !(plans.shared = plan(ScanPart::Shared)))
    return std::nullopt;
  if (!(plans.main =
            plan(scan.isRouted() ? ScanPart::Routed : ScanPart::Dense)))
    return std::nullopt;
  return plans;
}

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}

Value emptyLike(PatternRewriter &rewriter, Location loc,
                RankedTensorType type) {
  return tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                 type.getElementType());
}

/// The initial states: `init`, or an empty tensor that the chunk scans
/// start from zero (`zero_init`): no fill kernel, no host-side fill.
Value initialStates(PatternRewriter &rewriter, ScanOp scan) {
  if (Value init = scan.getInit())
    return init;
  return emptyLike(rewriter, scan.getLoc(),
                   cast<RankedTensorType>(scan.getFinalStates().getType()));
}

/// The routing of a routed scan: its route(w, i), or a route kernel for
/// its fused router(z).
std::pair<Value, Value> routing(PatternRewriter &rewriter, ScanOp scan) {
  if (!scan.getLogits())
    return {scan.getWeights(), scan.getIndices()};
  Location loc = scan.getLoc();
  auto logits = cast<RankedTensorType>(scan.getLogits().getType());
  SmallVector<int64_t> shape(logits.getShape().drop_back());
  shape.push_back(scan.getNumSlots());
  auto weights = tensorOf(shape, rewriter.getF32Type());
  auto indices = tensorOf(shape, rewriter.getI32Type());
  auto route = sse_gpu::RouteOp::create(
      rewriter, loc, TypeRange{weights, indices}, scan.getLogits(),
      emptyLike(rewriter, loc, weights), emptyLike(rewriter, loc, indices),
      rewriter.getI64IntegerAttr(scan.getNumSlots()),
      scan.getRouterOrderAttr()
          ? scan.getRouterOrderAttr()
          : ClassifyOrderAttr::get(rewriter.getContext(),
                                   ClassifyOrder::softmax_then_topk),
      scan.getRenormalizeAttr());
  return {route.getResult(0), route.getResult(1)};
}

/// Token lists per (sequence[, head], partition) of `indices`.
std::pair<Value, Value> groups(PatternRewriter &rewriter, ScanOp scan,
                               Value indices) {
  Location loc = scan.getLoc();
  auto idx = cast<RankedTensorType>(indices.getType());
  auto states = cast<RankedTensorType>(scan.getFinalStates().getType());
  SmallVector<int64_t> shape = {states.getDimSize(0)};
  if (idx.getRank() == 4)
    shape.push_back(idx.getDimSize(2));
  shape.push_back(scan.getPartitions());
  auto counts = tensorOf(shape, rewriter.getI32Type());
  shape.push_back(idx.getDimSize(1));
  auto tokens = tensorOf(shape, rewriter.getI32Type());
  auto group = sse_gpu::GroupOp::create(
      rewriter, loc, TypeRange{counts, tokens}, indices, scan.getCuSeqlens(),
      emptyLike(rewriter, loc, counts), emptyLike(rewriter, loc, tokens),
      rewriter.getI64IntegerAttr(scan.getPartitions()));
  return {group.getResult(0), group.getResult(1)};
}

/// What one chunk-scan kernel reads besides the states.
struct ChunkScanInputs {
  Value q, k, gate, beta;
  Value counts, tokens, weights; ///< the routed visits (or null)
  int64_t firstPartition, partitions, slots;
  Value addedPartials; ///< the routed partials a direct scan adds to o
};

/// A segmented walk's first two kernels: each piece's own end state and
/// decay (segment_states), then the state at the start of each piece
/// (combine_segments, from the scan's initial states when it has them).
Value segmentInitialStates(PatternRewriter &rewriter, ScanOp scan,
                           const ChunkScanInputs &in, sse_gpu::PlanAttr plan,
                           Value states) {
  Location loc = scan.getLoc();
  auto st = cast<RankedTensorType>(states.getType());
  int64_t s = st.getDimSize(0), h = st.getDimSize(1), kw = st.getDimSize(3),
          vw = st.getDimSize(4), n = plan.getSegments();
  Type f32 = rewriter.getF32Type();
  auto ends = tensorOf({s, n - 1, h, kw, vw}, f32);
  auto decays = tensorOf({s, n - 1, h, kw}, f32);
  auto pieces = sse_gpu::SegmentStatesOp::create(
      rewriter, loc, TypeRange{ends, decays}, in.k, scan.getV(), in.gate,
      scan.getCuSeqlens(), emptyLike(rewriter, loc, ends),
      emptyLike(rewriter, loc, decays), plan);
  auto inits = tensorOf({s, n, h, kw, vw}, f32);
  return sse_gpu::CombineSegmentsOp::create(
             rewriter, loc, TypeRange{inits}, pieces.getResult(0),
             pieces.getResult(1), scan.getInit() ? states : Value(),
             emptyLike(rewriter, loc, inits),
             rewriter.getI64IntegerAttr(in.firstPartition))
      .getResult(0);
}

/// Emits one chunk scan (with a segmented plan, after the kernels that
/// give each piece its initial state); returns (its output, the states
/// after it).
std::pair<Value, Value> chunkScan(PatternRewriter &rewriter, ScanOp scan,
                                  const ChunkScanInputs &in,
                                  const ChunkScanPlan &plan, Value states) {
  Location loc = scan.getLoc();
  bool segmented = plan.plan.getSegments() > 1;
  Value segmentInit =
      segmented ? segmentInitialStates(rewriter, scan, in, plan.plan, states)
                : Value();
  auto o = cast<RankedTensorType>(scan.getO().getType());
  RankedTensorType out = o;
  if (plan.plan.getCombine() == sse_gpu::CombineMode::partials) {
    SmallVector<int64_t> shape(o.getShape());
    shape.insert(shape.begin() + 3, in.slots);
    out = tensorOf(shape, rewriter.getF32Type());
  }
  auto op = sse_gpu::ChunkScanOp::create(
      rewriter, loc, TypeRange{out, states.getType()}, in.q, in.k, scan.getV(),
      in.gate, in.beta, in.counts, in.tokens, in.weights, scan.getCuSeqlens(),
      in.addedPartials, segmentInit, emptyLike(rewriter, loc, out), states,
      rewriter.getI64IntegerAttr(in.firstPartition),
      rewriter.getI64IntegerAttr(in.partitions),
      rewriter.getF32FloatAttr(*scan.getEffectiveScale()), scan.getRuleAttr(),
      scan.getReadGateAttr(), scan.getWriteGateAttr(),
      scan.getInit() || segmented ? UnitAttr() : rewriter.getUnitAttr(),
      plan.plan);
  return {op.getResult(0), op.getResult(1)};
}

struct ScanToKernelOps : public OpRewritePattern<ScanOp> {
  ScanToKernelOps(MLIRContext *ctx, const TargetDescription &target,
                  bool builtOnly)
      : OpRewritePattern<ScanOp>(ctx), target(target), builtOnly(builtOnly) {}

  LogicalResult matchAndRewrite(ScanOp scan,
                                PatternRewriter &rewriter) const override {
    std::optional<ScanPlans> plans = planScan(scan, target);
    if (!plans || !scan.getEffectiveScale())
      return rewriter.notifyMatchFailure(scan, "not covered by the new "
                                               "kernels");
    if (builtOnly && !isBuilt(scan, *ScanShape::of(scan), *plans))
      return rewriter.notifyMatchFailure(scan, "a kernel it needs is not "
                                               "built yet");
    Value states = initialStates(rewriter, scan);
    ChunkScanInputs shared{scan.getSharedQ(),
                           scan.getSharedK(),
                           scan.getSharedGate(),
                           scan.getSharedBeta(),
                           {},
                           {},
                           {},
                           0,
                           1,
                           1,
                           {}};
    ChunkScanInputs main{scan.getQ(),
                         scan.getK(),
                         scan.getGate(),
                         scan.getBeta(),
                         {},
                         {},
                         {},
                         scan.hasShared() ? 1 : 0,
                         static_cast<int64_t>(scan.getPartitions()),
                         scan.getNumSlots(),
                         {}};
    auto routeAndGroup = [&] {
      if (!scan.isRouted())
        return;
      auto [weights, indices] = routing(rewriter, scan);
      std::tie(main.counts, main.tokens) = groups(rewriter, scan, indices);
      main.weights = weights;
    };
    // A shared partition that writes o (no epilogue) runs after the routed
    // ones and adds their partials as it writes; otherwise it writes its
    // own partial first and combine_outputs sums them.
    if (plans->shared && scan.isRouted() &&
        plans->shared->plan.getCombine() == sse_gpu::CombineMode::direct) {
      routeAndGroup();
      auto [routedOut, routedStates] =
          chunkScan(rewriter, scan, main, *plans->main, states);
      shared.addedPartials = routedOut;
      auto [o, finalStates] =
          chunkScan(rewriter, scan, shared, *plans->shared, routedStates);
      rewriter.replaceOp(scan, {o, finalStates});
      return success();
    }
    Value sharedOut;
    if (plans->shared)
      std::tie(sharedOut, states) =
          chunkScan(rewriter, scan, shared, *plans->shared, states);
    routeAndGroup();
    auto [out, finalStates] =
        chunkScan(rewriter, scan, main, *plans->main, states);
    Value o = out;
    if (plans->main->plan.getCombine() == sse_gpu::CombineMode::partials) {
      auto oType = cast<RankedTensorType>(scan.getO().getType());
      FloatAttr eps;
      if (scan.getNormWeight())
        eps = scan.getNormEpsAttr() ? scan.getNormEpsAttr()
                                    : rewriter.getF32FloatAttr(1e-5f);
      o = sse_gpu::CombineOutputsOp::create(
              rewriter, scan.getLoc(), TypeRange{oType}, out, sharedOut,
              scan.getNormWeight(), scan.getOutGate(),
              emptyLike(rewriter, scan.getLoc(), oType), eps)
              .getResult(0);
    }
    rewriter.replaceOp(scan, {o, finalStates});
    return success();
  }

  TargetDescription target;
  bool builtOnly;
};

struct ConvertSSEToSSEGPUPass
    : public sse::impl::ConvertSSEToSSEGPUBase<ConvertSSEToSSEGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<TargetDescription> target = sse_gpu::planTarget(
        getOperation(), "convert-sse-to-sse-gpu", targetSMs, targetSmemKB);
    if (failed(target))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateSSEToSSEGPUConversionPatterns(patterns, *target, builtOnly);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::sse::populateSSEToSSEGPUConversionPatterns(
    RewritePatternSet &patterns, const TargetDescription &target,
    bool builtOnly) {
  patterns.add<ScanToKernelOps>(patterns.getContext(), target, builtOnly);
}
