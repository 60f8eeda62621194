//===- SSEDialect.cpp - sse dialect registration --------------------------===//
//
// Registers the sse dialect's operations and attributes.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sse;

#include "sse/Dialect/SSE/IR/SSEDialect.cpp.inc"
#include "sse/Dialect/SSE/IR/SSEEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sse/Dialect/SSE/IR/SSEAttrs.cpp.inc"

void SSEDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sse/Dialect/SSE/IR/SSEAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "sse/Dialect/SSE/IR/SSEOps.cpp.inc"
      >();
}
