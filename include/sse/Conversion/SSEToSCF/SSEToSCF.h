//===- SSEToSCF.h - Lower sse ops to scf loops ------------------*- C++ -*-===//
//
// The CPU reference lowering of sse.classify and sse.scan.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSETOSCF_SSETOSCF_H
#define SSE_CONVERSION_SSETOSCF_SSETOSCF_H

#include "mlir/IR/Value.h"
#include "mlir/Pass/Pass.h"

#include <utility>

namespace mlir {
class ImplicitLocOpBuilder;
class RewritePatternSet;
namespace sse {
class ScanOp;

#define GEN_PASS_DECL_CONVERTSSETOSCF
#include "sse/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite sse ops into scf loops (sse.scan only
/// with `lowerScans`).
void populateSSEToSCFConversionPatterns(RewritePatternSet &patterns,
                                        bool lowerScans = true);

/// Emits the CPU loops of `op` on buffers (`bufferOf(tensor)` gives an
/// operand's buffer), writing the final states into `statesInPlace` if
/// given; returns the buffers of o and the final states. One-shot
/// bufferization lowers scans through it (ScanBufferization.h).
std::pair<Value, Value> lowerScanToLoops(ScanOp op, ImplicitLocOpBuilder &b,
                                         function_ref<Value(Value)> bufferOf,
                                         Value statesInPlace);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_SSETOSCF_SSETOSCF_H
