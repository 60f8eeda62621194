//===- TestKernelPlan.cpp - test-sse-gpu-plan -----------------------------===//
//
// Prints, as a remark on every static sse.scan, the plans of its
// chunk-scan kernels, so lit tests can pin what the analysis decides for
// the benchmark shapes.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSEGPU/Analysis/KernelPlan.h"
#include "sse/Dialect/SSEGPU/Transforms/Passes.h"

namespace mlir {
namespace sse_gpu {
#define GEN_PASS_DEF_TESTSSEGPUPLAN
#include "sse/Dialect/SSEGPU/Transforms/Passes.h.inc"
} // namespace sse_gpu
} // namespace mlir

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
struct TestSSEGPUPlanPass
    : public sse_gpu::impl::TestSSEGPUPlanBase<TestSSEGPUPlanPass> {
  using Base::Base;

  void runOnOperation() override {
    FailureOr<sse::TargetDescription> target = planTarget(
        getOperation(), "test-sse-gpu-plan", targetSMs, targetSmemKB);
    if (failed(target))
      return signalPassFailure();
    getOperation()->walk([&](sse::ScanOp scan) { report(scan, *target); });
  }

  void report(sse::ScanOp scan, const sse::TargetDescription &target) {
    std::optional<sse::ScanShape> shape = sse::ScanShape::of(scan);
    if (!shape) {
      scan.emitRemark("kernel plan: dynamic sizes, no plan");
      return;
    }
    Type element = cast<ShapedType>(scan.getQ().getType()).getElementType();
    // The strategy is the scan's schedule, or the cost model's choice.
    sse::Schedule schedule;
    if (sse::ScheduleAttr attr = scan.getScheduleAttr()) {
      schedule.split = attr.getSplit();
      schedule.grouping = attr.getGrouping();
    } else if (auto best = sse::chooseSchedule(*shape, target)) {
      schedule = best->first;
    } else {
      scan.emitRemark("kernel plan: degenerate shape, no plan");
      return;
    }
    SmallVector<std::pair<StringRef, ScanPart>> parts;
    if (scan.hasShared())
      parts.push_back({"shared", ScanPart::Shared});
    if (scan.isRouted())
      parts.push_back({"routed", ScanPart::Routed});
    else
      parts.push_back({"dense", ScanPart::Dense});
    InFlightDiagnostic diag = scan.emitRemark("kernel plan (split = ");
    diag << sse::stringifyWorkSplit(schedule.split)
         << ", grouping = " << sse::stringifyGrouping(schedule.grouping)
         << "):";
    for (auto [name, part] : parts) {
      std::string why;
      FailureOr<ChunkScanPlan> plan =
          planChunkScan(&getContext(), *shape, element, part, schedule.split,
                        schedule.grouping, target, why);
      diag << " " << name << " ";
      if (failed(plan)) {
        diag << "none (" << why << ");";
        continue;
      }
      diag << plan->plan << " x " << plan->blocks << " blocks;";
    }
  }
};
} // namespace
