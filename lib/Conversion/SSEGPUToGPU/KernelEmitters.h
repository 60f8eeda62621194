//===- KernelEmitters.h - One gpu.func per sse_gpu kernel op ----*- C++ -*-===//
//
// The per-kernel emitters of convert-sse-gpu-to-gpu (one file each); the
// pass turns each op on buffers into a launch of the kernel emitted here.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_CONVERSION_SSEGPUTOGPU_KERNELEMITTERS_H
#define LIB_CONVERSION_SSEGPUTOGPU_KERNELEMITTERS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <array>
#include <optional>
#include <string>

namespace mlir {
namespace sse_gpu {
class RouteOp;
class GroupOp;
class ChunkScanOp;
class CombineOutputsOp;
class SegmentStatesOp;
class CombineSegmentsOp;

/// An empty kernel `name` in `module` that takes `op`'s operands, with
/// `threads` x 1 x 1 threads per block; `b` is left at the start of its
/// body.
inline gpu::GPUFuncOp createKernelFunc(ImplicitLocOpBuilder &b, Operation *op,
                                       gpu::GPUModuleOp module, StringRef name,
                                       int32_t threads) {
  b.setInsertionPointToEnd(module.getBody());
  auto fn = gpu::GPUFuncOp::create(
      b, name, b.getFunctionType(op->getOperandTypes(), {}));
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  fn.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({threads, 1, 1}));
  b.setInsertionPointToStart(&fn.getBody().front());
  return fn;
}

/// Packed sequences: the token range [start, end) of sequence `seq` in
/// cu_seqlens `cu`, clamped into [0, tokens] and ordered, so that a bad
/// cu_seqlens cannot index outside the buffers. Every kernel that walks a
/// packed sequence reads it so.
std::pair<Value, Value> packedSequenceRange(ImplicitLocOpBuilder &b, Value cu,
                                            Value seq, int64_t tokens);

/// The router kernel of `op` (on buffers), named `name`, appended to
/// `module`; it takes the op's operands in order.
gpu::GPUFuncOp emitRouteKernel(RouteOp op, gpu::GPUModuleOp module,
                               StringRef name);
/// Rows of logits `op` routes, and the blocks of its launch.
int64_t routeRows(RouteOp op);
int64_t routeBlocks(RouteOp op);
int64_t routeThreads();

/// The grouping kernel of `op` (on buffers): one block per list, i.e. per
/// element of `counts`.
gpu::GPUFuncOp emitGroupKernel(GroupOp op, gpu::GPUModuleOp module,
                               StringRef name);
int64_t groupBlocks(GroupOp op);
int64_t groupThreads();

/// The output-combine kernel of `op` (on buffers): one warp per row
/// (b, t, h) of o.
gpu::GPUFuncOp emitCombineKernel(CombineOutputsOp op, gpu::GPUModuleOp module,
                                 StringRef name);
int64_t combineRows(CombineOutputsOp op);
int64_t combineBlocks(CombineOutputsOp op);
int64_t combineThreads();

/// Why the chunk-scan kernel cannot compute `op` (on buffers), or nothing.
std::optional<std::string> chunkScanUnsupported(ChunkScanOp op);
/// The chunk-scan kernel of `op`, named `name`, appended to `module`; it
/// takes the op's operands in order and plan.smem_bytes of dynamic shared
/// memory.
gpu::GPUFuncOp emitChunkScanKernel(ChunkScanOp op, gpu::GPUModuleOp module,
                                   StringRef name);
/// Its grid (V slices, heads, sequences x segments) and threads per block.
std::array<int64_t, 3> chunkScanGrid(ChunkScanOp op);
int64_t chunkScanThreads();

/// The state pass of a segmented walk: the chunk-scan kernel without q and
/// outputs (ChunkScanKernel.cpp), one block per (V slice, head, sequence x
/// piece but the last); chunkScanThreads() threads, plan.smem_bytes.
std::optional<std::string> segmentStatesUnsupported(SegmentStatesOp op);
gpu::GPUFuncOp emitSegmentStatesKernel(SegmentStatesOp op,
                                       gpu::GPUModuleOp module, StringRef name);
std::array<int64_t, 3> segmentStatesGrid(SegmentStatesOp op);

/// The segment combine kernel: one thread per state element of `op`'s
/// inits (sequence, head, key, column) walks the segments in order.
gpu::GPUFuncOp emitCombineSegmentsKernel(CombineSegmentsOp op,
                                         gpu::GPUModuleOp module,
                                         StringRef name);
int64_t combineSegmentsBlocks(CombineSegmentsOp op);
int64_t combineSegmentsThreads();

} // namespace sse_gpu
} // namespace mlir

#endif // LIB_CONVERSION_SSEGPUTOGPU_KERNELEMITTERS_H
