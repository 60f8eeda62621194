//===- SSEToSCF.h - Lower sse ops to scf loops ------------------*- C++ -*-===//
//
// The CPU reference lowering of sse.classify and sse.scan.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSETOSCF_SSETOSCF_H
#define SSE_CONVERSION_SSETOSCF_SSETOSCF_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class DialectRegistry;
class RewritePatternSet;
namespace sse {
#define GEN_PASS_DECL_CONVERTSSETOSCF
#include "sse/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite sse ops into scf loops (sse.scan only
/// with `lowerScans`).
void populateSSEToSCFConversionPatterns(RewritePatternSet &patterns,
                                        bool lowerScans = true);

/// Lets one-shot bufferization lower sse.scan in place: the final states
/// are the buffer of `init`, the scan's destination.
void registerScanBufferizationModel(DialectRegistry &registry);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_SSETOSCF_SSETOSCF_H
