//===- SSEToGPU.h - Lower sse ops to GPU kernels ----------------*- C++ -*-===//
//
// convert-sse-to-gpu and sse-device-buffers.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSETOGPU_SSETOGPU_H
#define SSE_CONVERSION_SSETOGPU_SSETOGPU_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace sse {
#define GEN_PASS_DECL_CONVERTSSETOGPU
#define GEN_PASS_DECL_SSEDEVICEBUFFERS
#define GEN_PASS_DECL_SSEOUTLINEKERNELS
#include "sse/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite sse.scan into gpu.launch kernels; with
/// `tensorCores`, additive scans on f16/bf16 use the tensor-core kernel.
void populateSSEToGPUConversionPatterns(RewritePatternSet &patterns,
                                        bool tensorCores = true);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_SSETOGPU_SSETOGPU_H
