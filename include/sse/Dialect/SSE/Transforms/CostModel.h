//===- CostModel.h - How long a tiled sse.scan takes on a GPU ---*- C++ -*-===//
//
// An analytic model of the GPU kernels the scan lowers to: bytes moved and
// tensor-core FLOPs for a schedule, the parallelism it exposes (work items
// against SMs) and the sequential chain of chunk steps inside one work item.
// sse-tile picks the cheapest schedule; test-sse-cost-model prints it.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSE_TRANSFORMS_COSTMODEL_H
#define SSE_DIALECT_SSE_TRANSFORMS_COSTMODEL_H

#include "sse/Dialect/SSE/IR/SSE.h"

#include <optional>

namespace mlir {
namespace sse {

/// What the cost model knows about the GPU. Defaults: one H100 SXM, with
/// measured (not peak) copy bandwidth and dense bf16 matrix rate.
struct TargetDescription {
  int64_t numSMs = 132;
  int64_t sharedBytesPerBlock = 227 * 1024;
  /// 32-bit registers of one SM (a block may use them all).
  int64_t registersPerSM = 65536;
  double bytesPerSecond = 3.0e12;
  double flopsPerSecond = 660e12;
  /// Fixed cost of one chunk step of a work item (barriers, load latency).
  double chunkStepSeconds = 0.5e-6;
};

/// The static shape facts of one scan.
struct ScanShape {
  int64_t batch, tokens, heads, keyWidth, valueWidth;
  int64_t sequences;        ///< S: batch rows or packed sequences
  int64_t routedPartitions; ///< N (1 when unrouted)
  int64_t slots;            ///< k routed picks per token (1 when unrouted)
  bool routed, shared, delta, perKeyGate, scalarGate, carriesState;
  bool epilogue; ///< a fused norm or output gate
  int64_t elementBytes;

  /// Fails (returns nullopt) when a size the model needs is dynamic.
  static std::optional<ScanShape> of(ScanOp scan);
};

struct Schedule {
  int64_t chunk, kTile, vTile;
  WorkSplit split;
  Grouping grouping;
};

struct CostEstimate {
  double seconds = 0;      ///< the estimate
  double bytes = 0;        ///< global memory traffic
  double flops = 0;        ///< tensor-core FLOPs
  int64_t workItems = 0;   ///< blocks of the main kernel
  double chainSeconds = 0; ///< longest sequential chain of chunk steps
};

/// Choices forced by the user (options or transform ops).
struct ScheduleConstraints {
  std::optional<int64_t> chunk, kTile, vTile;
  std::optional<WorkSplit> split;
  std::optional<Grouping> grouping;
};

/// Estimates `schedule` for `shape` on `target`.
CostEstimate estimateSchedule(const ScanShape &shape, const Schedule &schedule,
                              const TargetDescription &target);

/// The cheapest schedule that satisfies `constraints`, or nullopt if none
/// does (e.g. a forced tile that does not divide the width).
std::optional<std::pair<Schedule, CostEstimate>>
chooseSchedule(const ScanShape &shape, const TargetDescription &target,
               const ScheduleConstraints &constraints = {});

} // namespace sse
} // namespace mlir

#endif // SSE_DIALECT_SSE_TRANSFORMS_COSTMODEL_H
