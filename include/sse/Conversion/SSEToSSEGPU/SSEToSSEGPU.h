//===- SSEToSSEGPU.h - sse.scan to sse_gpu kernel ops -----------*- C++ -*-===//
//
// The tensor-level conversion of GPU codegen v2: tiled scans become the
// sse_gpu kernel ops (route, group, chunk_scan, combine_outputs) with plans.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSETOSSEGPU_SSETOSSEGPU_H
#define SSE_CONVERSION_SSETOSSEGPU_SSETOSSEGPU_H

#include "sse/Dialect/SSE/Transforms/CostModel.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace sse {

#define GEN_PASS_DECL_CONVERTSSETOSSEGPU
#include "sse/Conversion/Passes.h.inc"

/// Adds the pattern that rewrites a tiled sse.scan the new kernels cover
/// into sse_gpu ops, planned for `target`; with `builtOnly`, only the scans
/// whose kernels convert-sse-gpu-to-gpu builds.
void populateSSEToSSEGPUConversionPatterns(RewritePatternSet &patterns,
                                           const TargetDescription &target,
                                           bool builtOnly = false);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_SSETOSSEGPU_SSETOSSEGPU_H
