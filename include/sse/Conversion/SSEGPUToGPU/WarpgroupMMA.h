//===- WarpgroupMMA.h - Warpgroup matrix products (wgmma) -------*- C++ -*-===//
//
// The one helper the sm_90a kernels use for warpgroup-level matrix work:
// where an operand tile lives in shared memory (core-matrix layouts), the
// 64-bit wgmma descriptor of that layout, the wgmma issue sequence, and
// which accumulator element a thread holds (the lane map). All of it is
// derived from the tile's shape and element type; no kernel computes these
// offsets itself.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSEGPUTOGPU_WARPGROUPMMA_H
#define SSE_CONVERSION_SSEGPUTOGPU_WARPGROUPMMA_H

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace sse_gpu {

/// A K-major operand tile of `rows` x `depth` elements (A: rows = M; B:
/// rows = N, stored transposed) in shared memory without swizzling: 8 x 16
/// byte core matrices, each 128 contiguous bytes (row r at 16 r), the core
/// matrices along K `leadingBytes` apart and those along the rows
/// `strideBytes` apart. Threads write operands in this layout; wgmma reads
/// it through matrixDescriptor().
struct CoreMatrixLayout {
  int64_t rows, depth, elementBytes;
  /// Bytes added between core matrices along K, and between row groups.
  int64_t padLeading = 0, padStride = 0;

  /// Elements of one core-matrix row (16 bytes).
  int64_t elementsPerCoreRow() const { return 16 / elementBytes; }
  /// Bytes between core matrices adjacent in K (the descriptor's LBO).
  int64_t leadingBytes() const { return 128 + padLeading; }
  /// Bytes between core matrices adjacent in the rows (the SBO).
  int64_t strideBytes() const {
    return leadingBytes() * (depth / elementsPerCoreRow()) + padStride;
  }
  int64_t bytes() const;
  /// Whether wgmma can read the tile: whole core matrices, 16-byte rows,
  /// strides in 16-byte units.
  bool isValid() const;
  /// The byte offset of element (row, k), both `index` values.
  Value byteOffset(OpBuilder &b, Location loc, Value row, Value k) const;
};

/// Elements of K one wgmma consumes: 32 bytes of each row (k16 for 16-bit
/// operands, k8 for tf32).
int64_t wgmmaDepth(int64_t elementBytes);

/// The wgmma descriptor of a tile at shared-memory byte address `address`
/// (an i64, the tile's start in the shared window) with `layout`, starting
/// `kStep` wgmma slices into K.
Value matrixDescriptor(OpBuilder &b, Location loc, Value address,
                       const CoreMatrixLayout &layout, int64_t kStep);

/// The f32 accumulator of one 64 x N product: N / 2 floats per thread.
LLVM::LLVMStructType accumulatorType(MLIRContext *ctx, int64_t n);

/// Where accumulator element `i` of thread `threadInGroup` (0..127) lies in
/// the 64 x N tile: (row, col) as `index` values. Warp w holds rows
/// 16w..16w+15; each 8-column block j holds elements 4j..4j+3.
std::pair<Value, Value> accumulatorPosition(OpBuilder &b, Location loc,
                                            Value threadInGroup, int64_t i);

/// The accumulator elements of one thread lie in two rows of the tile
/// (accumulatorPosition's rows): element `i` lies in row
/// accumulatorRowOf(i) of the two.
constexpr int64_t kAccumulatorRowsPerThread = 2;
inline int64_t accumulatorRowOf(int64_t i) { return (i / 2) % 2; }

/// Stores the 64 x N f32 accumulator `acc` of thread `threadInGroup`,
/// rounded to `element` (bf16 or f16), transposed into the core-matrix tile
/// `layout` at shared-memory address `tile` (an i64): accumulator column c
/// goes to tile row c, accumulator row r to depth `depth0` + r. One
/// stmatrix.x4.trans per 16 columns: the accumulator's 8 x 8 blocks are
/// the m8n8 fragments stmatrix takes.
void storeAccumulatorTransposed(OpBuilder &b, Location loc, Value acc,
                                int64_t n, Value threadInGroup, Value tile,
                                const CoreMatrixLayout &layout, int64_t depth0,
                                Type element);

/// Issues D = A B (+ D when `accumulate`) for one 64 x N x wgmmaDepth slice
/// with bf16, f16 or tf32 operands given by descriptors (A and B K-major);
/// returns the new accumulator. The caller fences, commits and waits
/// (wgmmaFence, wgmmaCommitAndWait), so that several slices share one
/// group.
Value warpgroupMMA(OpBuilder &b, Location loc, Value descA, Value descB,
                   Value acc, int64_t n, NVVM::WGMMATypes operandType,
                   bool accumulate);

/// The wgmma synchronisation around a group of warpgroupMMA calls:
/// commit closes a group; wait blocks until at most `pending` of the
/// committed groups are still running.
void wgmmaFence(OpBuilder &b, Location loc);
void wgmmaCommit(OpBuilder &b, Location loc);
void wgmmaWait(OpBuilder &b, Location loc, int64_t pending);
void wgmmaCommitAndWait(OpBuilder &b, Location loc);

} // namespace sse_gpu
} // namespace mlir

#endif // SSE_CONVERSION_SSEGPUTOGPU_WARPGROUPMMA_H
