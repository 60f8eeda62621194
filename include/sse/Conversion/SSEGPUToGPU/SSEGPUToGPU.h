//===- SSEGPUToGPU.h - sse_gpu kernel ops to gpu/nvvm kernels ---*- C++ -*-===//
//
// The buffer-level conversion of GPU codegen v2 (in progress): sse_gpu ops
// on memrefs become gpu.func kernels and their launches; and the test pass
// that checks the warpgroup matrix helper on its own.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSEGPUTOGPU_SSEGPUTOGPU_H
#define SSE_CONVERSION_SSEGPUTOGPU_SSEGPUTOGPU_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
}

#include <string>

namespace mlir {
namespace sse {
#define GEN_PASS_DECL_CONVERTSSEGPUTOGPU
#define GEN_PASS_DECL_TESTSSEGPUWGMMAGEMM
#include "sse/Conversion/Passes.h.inc"

/// Adds the patterns that lower sse_gpu ops on buffers to kernel launches.
void populateSSEGPUToGPUConversionPatterns(RewritePatternSet &patterns);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_SSEGPUTOGPU_SSEGPUTOGPU_H
