//===- SSEGPU.h - The sse_gpu dialect ---------------------------*- C++ -*-===//
//
// Include this to use the sse_gpu dialect: kernel ops and #sse_gpu.plan.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSEGPU_IR_SSEGPU_H
#define SSE_DIALECT_SSEGPU_IR_SSEGPU_H

#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sse/Dialect/SSEGPU/IR/SSEGPUDialect.h.inc"
#include "sse/Dialect/SSEGPU/IR/SSEGPUEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sse/Dialect/SSEGPU/IR/SSEGPUAttrs.h.inc"

#define GET_OP_CLASSES
#include "sse/Dialect/SSEGPU/IR/SSEGPUOps.h.inc"

#endif // SSE_DIALECT_SSEGPU_IR_SSEGPU_H
