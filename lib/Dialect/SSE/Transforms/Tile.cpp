//===- Tile.cpp - sse-tile and test-sse-cost-model ------------------------===//
//
// sse-tile records a #sse.schedule on every scan: forced choices from the
// options, the rest from the cost model. test-sse-cost-model prints the
// model's decision so lit tests can pin it.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/CostModel.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "llvm/Support/Format.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSETILE
#define GEN_PASS_DEF_TESTSSECOSTMODEL
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

namespace {
/// The machine of the target-* options, each checked against a range that
/// keeps the model's arithmetic finite (no int64 overflow in bytes, no
/// division by zero); an error on `op` names the option otherwise.
FailureOr<TargetDescription> makeTarget(Operation *op, StringRef pass,
                                        int64_t sms, int64_t smemKB,
                                        double gbps, double tflops) {
  constexpr int64_t kMaxSMs = 1 << 20, kMaxSharedKB = 1 << 20;
  if (sms < 1 || sms > kMaxSMs)
    return op->emitError(pass)
           << ": target-sms = " << sms << " is outside [1, " << kMaxSMs << "]";
  if (smemKB < 1 || smemKB > kMaxSharedKB)
    return op->emitError(pass) << ": target-smem-kb = " << smemKB
                               << " is outside [1, " << kMaxSharedKB << "]";
  if (!(gbps > 0 && gbps < 1e9))
    return op->emitError(pass)
           << ": target-gbps = " << gbps << " must be in (0, 1e9)";
  if (!(tflops > 0 && tflops < 1e9))
    return op->emitError(pass)
           << ": target-tflops = " << tflops << " must be in (0, 1e9)";
  TargetDescription t;
  t.numSMs = sms;
  t.sharedBytesPerBlock = smemKB * 1024;
  t.bytesPerSecond = gbps * 1e9;
  t.flopsPerSecond = tflops * 1e12;
  return t;
}

ScheduleAttr toAttr(MLIRContext *ctx, const Schedule &s) {
  return ScheduleAttr::get(ctx, s.chunk, s.kTile, s.vTile, s.split, s.grouping);
}

std::string describe(const CostEstimate &e) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::format("%.3f ms (bytes %.3g, flops %.3g, items %lld, chain "
                     "%.3f ms)",
                     e.seconds * 1e3, e.bytes, e.flops,
                     static_cast<long long>(e.workItems), e.chainSeconds * 1e3);
  return out;
}

struct SSETilePass : public sse::impl::SSETileBase<SSETilePass> {
  using Base::Base;

  void runOnOperation() override {
    ScheduleConstraints forced;
    if (chunk)
      forced.chunk = chunk;
    if (kTile)
      forced.kTile = kTile;
    if (vTile)
      forced.vTile = vTile;
    if (split != "auto") {
      std::optional<WorkSplit> s = symbolizeWorkSplit(split);
      if (!s) {
        getOperation()->emitError("sse-tile: unknown split '")
            << split << "' (auto, recurrent or chunked)";
        return signalPassFailure();
      }
      forced.split = s;
    }
    if (grouping != "auto") {
      std::optional<Grouping> g = symbolizeGrouping(grouping);
      if (!g) {
        getOperation()->emitError("sse-tile: unknown grouping '")
            << grouping << "' (auto, dense or sorted)";
        return signalPassFailure();
      }
      forced.grouping = g;
    }
    FailureOr<TargetDescription> maybeTarget =
        makeTarget(getOperation(), "sse-tile", targetSMs, targetSharedKB,
                   targetGBps, targetTFlops);
    if (failed(maybeTarget))
      return signalPassFailure();
    TargetDescription target = *maybeTarget;

    WalkResult result = getOperation()->walk([&](ScanOp scan) {
      if (scan.getSchedule())
        return WalkResult::advance();
      std::optional<ScanShape> shape = ScanShape::of(scan);
      if (!shape) {
        // Dynamic sizes: no model; only a fully forced schedule applies.
        if (forced.chunk && forced.kTile && forced.vTile && forced.split &&
            forced.grouping)
          scan.setScheduleAttr(toAttr(
              &getContext(), {*forced.chunk, *forced.kTile, *forced.vTile,
                              *forced.split, *forced.grouping}));
        return WalkResult::advance();
      }
      // A fused norm needs a whole head's V in one tile.
      ScheduleConstraints constraints = forced;
      if (scan.getNormWeight())
        constraints.vTile = shape->valueWidth;
      auto choice = chooseSchedule(*shape, target, constraints);
      if (!choice) {
        scan.emitError("sse-tile: no schedule satisfies the forced options "
                       "(tiles must divide K = ")
            << shape->keyWidth << " and V = " << shape->valueWidth
            << ", chunk must be a power of two in [16, 256])";
        return WalkResult::interrupt();
      }
      scan.setScheduleAttr(toAttr(&getContext(), choice->first));
      if (failed(scan.verify()))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

struct TestSSECostModelPass
    : public sse::impl::TestSSECostModelBase<TestSSECostModelPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<TargetDescription> maybeTarget =
        makeTarget(getOperation(), "test-sse-cost-model", targetSMs,
                   targetSharedKB, targetGBps, targetTFlops);
    if (failed(maybeTarget))
      return signalPassFailure();
    TargetDescription target = *maybeTarget;
    getOperation()->walk([&](ScanOp scan) {
      std::optional<ScanShape> shape = ScanShape::of(scan);
      if (!shape) {
        scan.emitRemark("cost model: dynamic sizes, no estimate");
        return;
      }
      auto best = chooseSchedule(*shape, target);
      if (!best) {
        scan.emitRemark("cost model: degenerate shape, no estimate");
        return;
      }
      InFlightDiagnostic diag = scan.emitRemark("cost model: ");
      diag << toAttr(&getContext(), best->first) << " "
           << describe(best->second);
      WorkSplit other = best->first.split == WorkSplit::recurrent
                            ? WorkSplit::chunked
                            : WorkSplit::recurrent;
      ScheduleConstraints c;
      c.split = other;
      if (auto alt = chooseSchedule(*shape, target, c))
        diag << "; best " << stringifyWorkSplit(other) << ": "
             << toAttr(&getContext(), alt->first) << " "
             << describe(alt->second);
    });
  }
};
} // namespace
