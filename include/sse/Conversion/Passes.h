//===- Passes.h - Conversion passes of sse-mlir -----------------*- C++ -*-===//
//
// Declares the conversion passes out of the sse dialect and their
// registration.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_PASSES_H
#define SSE_CONVERSION_PASSES_H

#include "sse/Conversion/Bufferization/ScanBufferization.h"
#include "sse/Conversion/SSEGPUToGPU/SSEGPUToGPU.h"
#include "sse/Conversion/SSEToGPU/SSEToGPU.h"
#include "sse/Conversion/SSEToSCF/SSEToSCF.h"
#include "sse/Conversion/SSEToSSEGPU/SSEToSSEGPU.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace sse {
#define GEN_PASS_REGISTRATION
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_PASSES_H
