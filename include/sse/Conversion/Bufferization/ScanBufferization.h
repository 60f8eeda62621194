//===- ScanBufferization.h - sse.scan in bufferization ---------*- C++ -*-===//
//
// The BufferizableOpInterface of sse.scan: its final states are the buffer
// of `init` (its destination), and bufferizing it emits its lowering on
// buffers, the GPU kernels for scans marked by
// convert-sse-to-gpu{lower-scans=false}, the CPU loops otherwise; and
// sse-drop-in-place-results, which keeps such states off the copies of
// buffer-results-to-out-params; sse-distinct-returned-buffers, which gives
// a buffer returned twice a copy.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_BUFFERIZATION_SCANBUFFERIZATION_H
#define SSE_CONVERSION_BUFFERIZATION_SCANBUFFERIZATION_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class DialectRegistry;
namespace sse {
#define GEN_PASS_DECL_SSEDROPINPLACERESULTS
#define GEN_PASS_DECL_SSEDISTINCTRETURNEDBUFFERS
#include "sse/Conversion/Passes.h.inc"

/// Attaches the interface to sse.scan.
void registerScanBufferizationModel(DialectRegistry &registry);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_BUFFERIZATION_SCANBUFFERIZATION_H
