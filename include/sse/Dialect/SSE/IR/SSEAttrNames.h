//===- SSEAttrNames.h - The sse dialect's discardable attributes -*- C++
//-*-===//
//
// The names of the discardable `sse.*` attributes the passes set and read,
// and the ranges the dialect's verifier (SSEDialect::verifyOperationAttribute)
// accepts. Use these constants instead of string literals.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSE_IR_SSEATTRNAMES_H
#define SSE_DIALECT_SSE_IR_SSEATTRNAMES_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mlir {
namespace sse {
namespace attr_names {

/// `sse.unroll = n : i64` on an scf.for (set by the GPU kernels): unroll by
/// n, n in [kMinUnroll, kMaxUnroll].
inline constexpr llvm::StringLiteral kUnroll = "sse.unroll";
inline constexpr int64_t kMinUnroll = 1;
inline constexpr int64_t kMaxUnroll = 64;

/// `sse.min_blocks_per_sm = n : i32` on a gpu.launch (set by
/// convert-sse-to-gpu): the occupancy hint that sse-outline-kernels turns
/// into nvvm.minctasm; n in [kMinBlocksPerSMLow, kMinBlocksPerSMHigh].
inline constexpr llvm::StringLiteral kMinBlocksPerSM = "sse.min_blocks_per_sm";
inline constexpr int64_t kMinBlocksPerSMLow = 1;
inline constexpr int64_t kMinBlocksPerSMHigh = 32;

/// `sse.gpu_kernels = {index = i : i64, tensor_cores = b}` on an sse.scan
/// (set by convert-sse-to-gpu{lower-scans=false}, read by one-shot
/// bufferization). Owned by the pipeline: rejected in its input.
inline constexpr llvm::StringLiteral kGPUKernels = "sse.gpu_kernels";

/// `sse.results_in_args = {fn = array<i64: a0, ...>}` on the module (set by
/// sse-drop-in-place-results, read by the runners): a_i >= 0 is the argument
/// that holds result i after the call, -1 a result still returned. Owned by
/// the pipeline: rejected in its input.
inline constexpr llvm::StringLiteral kResultsInArgs = "sse.results_in_args";

} // namespace attr_names
} // namespace sse
} // namespace mlir

#endif // SSE_DIALECT_SSE_IR_SSEATTRNAMES_H
