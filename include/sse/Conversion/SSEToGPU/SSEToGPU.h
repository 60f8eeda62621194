//===- SSEToGPU.h - Lower sse ops to GPU kernels ----------------*- C++ -*-===//
//
// convert-sse-to-gpu and sse-device-buffers.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSETOGPU_SSETOGPU_H
#define SSE_CONVERSION_SSETOGPU_SSETOGPU_H

#include "mlir/IR/Value.h"
#include "mlir/Pass/Pass.h"

#include <utility>

namespace mlir {
class ImplicitLocOpBuilder;
class RewritePatternSet;
namespace sse {
class ScanOp;

#define GEN_PASS_DECL_CONVERTSSETOGPU
#define GEN_PASS_DECL_SSEDEVICEBUFFERS
#define GEN_PASS_DECL_SSEOUTLINEKERNELS
#define GEN_PASS_DECL_SSEUNROLLKERNELLOOPS
#include "sse/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite sse.scan into gpu.launch kernels; with
/// `tensorCores`, scans whose K and V are multiples of 16 use the
/// tensor-core kernel.
void populateSSEToGPUConversionPatterns(RewritePatternSet &patterns,
                                        bool tensorCores = true);

/// Unrolls the loops the kernels marked with `sse.unroll` under `root`.
/// A mark that is not an integer in [attr_names::kMinUnroll,
/// attr_names::kMaxUnroll] on an scf.for
/// is an error (emitted on its op); nothing is unrolled then.
LogicalResult unrollMarkedKernelLoops(Operation *root);

/// Whether convert-sse-to-gpu{lower-scans=false} left `op` for one-shot
/// bufferization to lower into GPU kernels.
bool isMarkedForGPUKernels(ScanOp op);

/// Emits the GPU kernels of `op` on buffers (`bufferOf(tensor)` gives an
/// operand's buffer), writing the final states into `statesInPlace` if
/// given; returns the buffers of o and the final states.
std::pair<Value, Value>
lowerScanToGPUKernels(ScanOp op, ImplicitLocOpBuilder &b,
                      function_ref<Value(Value)> bufferOf, Value statesInPlace);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_SSETOGPU_SSETOGPU_H
