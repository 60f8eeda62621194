//===- SSE.h - The sse dialect, its attributes and ops ----------*- C++ -*-===//
//
// Single header that users of the sse dialect include.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSE_IR_SSE_H
#define SSE_DIALECT_SSE_IR_SSE_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sse/Dialect/SSE/IR/SSEDialect.h.inc"
#include "sse/Dialect/SSE/IR/SSEEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sse/Dialect/SSE/IR/SSEAttrs.h.inc"

#define GET_OP_CLASSES
#include "sse/Dialect/SSE/IR/SSEOps.h.inc"

#endif // SSE_DIALECT_SSE_IR_SSE_H
