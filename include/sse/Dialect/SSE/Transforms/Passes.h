//===- Passes.h - Fusion and tiling passes of the sse dialect ---*- C++ -*-===//
//
// Pass declarations and the populate functions each pass is a shell over.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSE_TRANSFORMS_PASSES_H
#define SSE_DIALECT_SSE_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace sse {

#define GEN_PASS_DECL
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"

/// shared + routed scans (added together) -> one scan with shared(...).
void populateFuseSharedRoutedPatterns(RewritePatternSet &patterns);
/// route(classify(z)) -> router(z).
void populateFuseRouterPatterns(RewritePatternSet &patterns);
/// x * swish(g) in arith/math on tensors -> sse.swish_gate.
void populateRaisePatterns(RewritePatternSet &patterns);
/// swish_gate(rms_norm(scan.o)) -> scan with norm(...) out_gate(...).
void populateFuseEpiloguePatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"

} // namespace sse
} // namespace mlir

#endif // SSE_DIALECT_SSE_TRANSFORMS_PASSES_H
