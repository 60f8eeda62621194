//===- SSEDialect.cpp - sse dialect registration --------------------------===//
//
// Registers the sse dialect's operations and attributes.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/IR/SSEAttrNames.h"

#include "mlir/IR/BuiltinOps.h"

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

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

namespace {
/// An integer attribute (not a bool) in [lo, hi], or an error.
LogicalResult verifyIntegerInRange(Operation *op, NamedAttribute attr,
                                   int64_t lo, int64_t hi) {
  auto value = dyn_cast<IntegerAttr>(attr.getValue());
  if (!value || value.getType().isInteger(1))
    return op->emitOpError("attribute '")
           << attr.getName().getValue() << "' must be an integer in [" << lo
           << ", " << hi << "], got " << attr.getValue();
  const APInt &v = value.getValue();
  bool isSigned = !value.getType().isUnsignedInteger();
  if ((isSigned ? v.getSignificantBits() : v.getActiveBits()) > 63 ||
      (isSigned ? v.getSExtValue() : int64_t(v.getZExtValue())) < lo ||
      (isSigned ? v.getSExtValue() : int64_t(v.getZExtValue())) > hi)
    return op->emitOpError("attribute '")
           << attr.getName().getValue() << "' must be an integer in [" << lo
           << ", " << hi << "], got " << attr.getValue();
  return success();
}

LogicalResult requireOp(Operation *op, NamedAttribute attr, StringRef name) {
  if (op->getName().getStringRef() != name)
    return op->emitOpError("attribute '")
           << attr.getName().getValue() << "' belongs on a '" << name
           << "' op, not on '" << op->getName() << "'";
  return success();
}
} // namespace

LogicalResult SSEDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  using namespace attr_names;
  StringRef name = attr.getName().getValue();
  if (name == kUnroll) {
    if (failed(requireOp(op, attr, "scf.for")))
      return failure();
    return verifyIntegerInRange(op, attr, kMinUnroll, kMaxUnroll);
  }
  if (name == kMinBlocksPerSM) {
    if (failed(requireOp(op, attr, "gpu.launch")))
      return failure();
    return verifyIntegerInRange(op, attr, kMinBlocksPerSMLow,
                                kMinBlocksPerSMHigh);
  }
  if (name == kGPUKernels) {
    if (!isa<ScanOp>(op))
      return op->emitOpError("attribute '")
             << name << "' belongs on an 'sse.scan' op";
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    auto index = dict ? dict.getAs<IntegerAttr>("index") : IntegerAttr();
    auto tensorCores = dict ? dict.getAs<BoolAttr>("tensor_cores") : BoolAttr();
    if (!dict || dict.size() != 2 || !index || index.getType().isInteger(1) ||
        index.getValue().isNegative() || !tensorCores)
      return op->emitOpError("attribute '")
             << name
             << "' must be a dictionary {index = i : i64, tensor_cores = "
                "true|false} with i >= 0, got "
             << attr.getValue();
    return success();
  }
  if (name == kResultsInArgs) {
    if (!isa<ModuleOp>(op))
      return op->emitOpError("attribute '")
             << name << "' belongs on a 'builtin.module' op";
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    if (!dict)
      return op->emitOpError("attribute '")
             << name
             << "' must be a dictionary of function name -> array<i64>, got "
             << attr.getValue();
    for (NamedAttribute entry : dict) {
      auto indices = dyn_cast<DenseI64ArrayAttr>(entry.getValue());
      if (!indices)
        return op->emitOpError("attribute '")
               << name << "': the entry of function '"
               << entry.getName().getValue()
               << "' must be an array<i64> of argument indices, got "
               << entry.getValue();
      for (int64_t a : indices.asArrayRef())
        if (a < -1)
          return op->emitOpError("attribute '")
                 << name << "': the entry of function '"
                 << entry.getName().getValue() << "' holds " << a
                 << "; an entry is an argument index (>= 0) or -1 (a result "
                    "that is still returned)";
    }
    return success();
  }
  return op->emitOpError("unknown discardable attribute '")
         << name
         << "' of the sse dialect (declared: sse.unroll, "
            "sse.min_blocks_per_sm, sse.gpu_kernels, sse.results_in_args)";
}
