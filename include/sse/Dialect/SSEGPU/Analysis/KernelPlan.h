//===- KernelPlan.h - How each sse_gpu kernel is built ----------*- C++ -*-===//
//
// The one place where the GPU kernels' build decisions are made: chunk, V
// slice, warp roles and registers, pipeline stages, shared-memory layout,
// how outputs combine. It works over the cost model's machine description
// (sse::TargetDescription) and returns #sse_gpu.plan attributes, which the
// kernel ops carry and the lowering follows.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSEGPU_ANALYSIS_KERNELPLAN_H
#define SSE_DIALECT_SSEGPU_ANALYSIS_KERNELPLAN_H

#include "sse/Dialect/SSE/Transforms/CostModel.h"
#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include <string>

namespace mlir {
namespace sse_gpu {

/// Which state partitions of a scan one chunk-scan kernel runs.
enum class ScanPart {
  Dense,  ///< an unrouted scan: all its partitions, every token
  Shared, ///< the shared partition of a routed scan: every token
  Routed, ///< the routed partitions: the tokens that picked each
};

/// A plan and what it launches.
struct ChunkScanPlan {
  PlanAttr plan;
  int64_t blocks = 0; ///< (sequence, head, partition, V slice) items
};

/// Plans the chunk-scan kernel of `part` of a scan of `shape` whose inputs
/// have element type `element`, for the strategy the scan's schedule
/// chose (its `split` and `grouping`; the kernel's chunk and V slice are
/// the plan's, not the schedule's, which modelled the previous kernel).
/// Fails with a reason (in `why`) when no tensor-core plan exists: K or V
/// not a multiple of 16 (the column kernel runs those), routed tokens not
/// grouped, or no chunk whose buffers fit the shared memory.
FailureOr<ChunkScanPlan>
planChunkScan(MLIRContext *ctx, const sse::ScanShape &shape, Type element,
              ScanPart part, sse::WorkSplit split, sse::Grouping grouping,
              const sse::TargetDescription &target, std::string &why);

/// A shared-memory buffer the chunk-scan kernel needs: its name in the
/// plan's `smem` and its size.
struct SmemBuffer {
  StringRef name;
  int64_t bytes;
};

/// The buffers of the chunk-scan kernel for these sizes, in layout order:
/// the one list the planner lays out and the emitter checks.
SmallVector<SmemBuffer> chunkScanBuffers(int64_t keys, int64_t vSlice,
                                         int64_t chunk, int64_t stages,
                                         int64_t elementBytes, bool perKeyGate,
                                         bool scalarGate);

/// Why the chunk-scan kernel built today cannot run `plan` (K = `keys`,
/// V = `values`), or nothing when it can.
std::optional<std::string>
checkImplementedPlan(PlanAttr plan, int64_t keys, int64_t values,
                     int64_t elementBytes, bool perKeyGate, bool scalarGate);

/// Bytes of a core-matrix operand tile of `rows` x `depth` elements
/// (8 x 16-byte core matrices of 128 contiguous bytes) whose core matrices
/// along K are 128 + `padLeading` bytes apart and those along the rows
/// (depth / core-row elements) times that plus `padStride`.
int64_t coreMatrixTileBytes(int64_t rows, int64_t depth, int64_t elementBytes,
                            int64_t padLeading, int64_t padStride);

/// The output stage holds one 128-byte piece of each row of a chunk's
/// outputs (64 columns of bf16 o, 32 of an f32 partial); the outputs leave
/// in as many rounds as a row has pieces. Rows are kOutputStagePad bytes
/// further apart than that, one 16-byte bank group, so that the stores of
/// a warp's accumulator pairs (8 rows at once) do not conflict.
constexpr int64_t kOutputStageRowBytes = 128;
constexpr int64_t kOutputStagePad = 16;

/// Bytes of the routed chunk scan's ring of list entries (`entries`): the
/// i32 visits of `stages` + 1 chunks, copied one chunk ahead of the rows
/// they name, so that no address waits on a global load of the list.
int64_t routedEntryBytes(int64_t chunk, int64_t stages);

/// Bytes of the output stage of a `chunk`-token chunk.
int64_t outputStageBytes(int64_t chunk);

/// The chunk-scan kernel's operand padding: 16 bytes between the core
/// matrices that one warp's stores reach at once (the row groups of Qd, Qs,
/// Ks; the token groups of Kd^T), so that each core matrix starts one bank
/// group further and the stores do not conflict.
constexpr int64_t kChunkScanOperandPad = 16;

/// Where that padding goes, stated once for the planner (buffer sizes) and
/// the emitter (layouts): bytes added between core matrices along K
/// (`leading`) and between row groups (`stride`).
struct OperandPadding {
  int64_t leading = 0, stride = 0;
};
/// Qd, Qs, Ks (row = token, depth = key): the row groups are padded.
constexpr OperandPadding kTokenRowsPadding{0, kChunkScanOperandPad};
/// Kd^T (row = key, depth = token): the token groups are padded.
constexpr OperandPadding kKeyRowsPadding{kChunkScanOperandPad, 0};

/// The machine description of a pass's target-sms and target-smem-kb
/// options, or an error on `op` naming `pass` when they are out of range
/// (SMs in [1, 4096], shared memory in [1, 1024] KiB).
FailureOr<sse::TargetDescription> planTarget(Operation *op, StringRef pass,
                                             int64_t sms, int64_t smemKB);

} // namespace sse_gpu
} // namespace mlir

#endif // SSE_DIALECT_SSEGPU_ANALYSIS_KERNELPLAN_H
