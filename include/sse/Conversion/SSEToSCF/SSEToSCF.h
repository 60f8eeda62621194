//===- SSEToSCF.h - Lower sse ops to scf loops ------------------*- C++ -*-===//
//
// The CPU reference lowering of sse.classify and sse.scan.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_SSETOSCF_SSETOSCF_H
#define SSE_CONVERSION_SSETOSCF_SSETOSCF_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace sse {
#define GEN_PASS_DECL_CONVERTSSETOSCF
#include "sse/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite sse.classify and sse.scan into scf loops.
void populateSSEToSCFConversionPatterns(RewritePatternSet &patterns);
} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_SSETOSCF_SSETOSCF_H
