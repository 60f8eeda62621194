//===- Passes.h - Passes of the sse_gpu dialect -----------------*- C++ -*-===//
//
// Declarations of the sse_gpu passes (the test-only plan printer).
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSEGPU_TRANSFORMS_PASSES_H
#define SSE_DIALECT_SSEGPU_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace sse_gpu {

#define GEN_PASS_DECL
#include "sse/Dialect/SSEGPU/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sse/Dialect/SSEGPU/Transforms/Passes.h.inc"

} // namespace sse_gpu
} // namespace mlir

#endif // SSE_DIALECT_SSEGPU_TRANSFORMS_PASSES_H
