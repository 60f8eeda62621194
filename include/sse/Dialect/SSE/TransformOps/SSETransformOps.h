//===- SSETransformOps.h - Transform dialect extension of sse ---*- C++ -*-===//
//
// transform.sse.fuse_shared_routed, transform.sse.fuse_router and
// transform.sse.tile: the sse-fuse-* and sse-tile passes as transform ops, so
// a schedule can fuse and tile chosen scans with chosen parameters.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSE_TRANSFORMOPS_SSETRANSFORMOPS_H
#define SSE_DIALECT_SSE_TRANSFORMOPS_SSETRANSFORMOPS_H

#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/IR/TransformTypes.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "sse/Dialect/SSE/TransformOps/SSETransformOps.h.inc"

namespace mlir {
class DialectRegistry;

namespace sse {
/// Registers the transform.sse.* ops as an extension of the transform
/// dialect.
void registerTransformDialectExtension(DialectRegistry &registry);
} // namespace sse
} // namespace mlir

#endif // SSE_DIALECT_SSE_TRANSFORMOPS_SSETRANSFORMOPS_H
