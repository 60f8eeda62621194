//===- DistinctReturnedBuffers.cpp - One buffer per returned result -------===//
//
// sse-distinct-returned-buffers: after one-shot bufferization, a function
// that returns one buffer at two result positions (`return %r, %r`, or a
// buffer and a memref.cast of it) gets a copy for every repeat, so each
// result has a buffer of its own. Upstream buffer-results-to-out-params
// with hoist-static-allocs crashes on the repeat (llvm-project issue
// #219492, fixed after LLVM 22 by PR #220232), and both pipelines use that
// option; a caller also expects two results not to alias. Once the project
// moves past LLVM 22 this pass only keeps the non-aliasing promise.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/Bufferization/ScanBufferization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEDISTINCTRETURNEDBUFFERS
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {

/// The buffer `v` views, through memref.cast.
Value underlyingBuffer(Value v) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  return v;
}

/// A fresh identity-layout buffer holding a copy of `v`, cast back to v's
/// type where that has a layout.
Value copyOf(OpBuilder &b, Location loc, Value v) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<Value> dynSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynSizes.push_back(memref::DimOp::create(b, loc, v, d));
  auto plain =
      MemRefType::get(type.getShape(), type.getElementType(),
                      MemRefLayoutAttrInterface(), type.getMemorySpace());
  Value copy = memref::AllocOp::create(b, loc, plain, dynSizes);
  memref::CopyOp::create(b, loc, v, copy);
  if (plain == type)
    return copy;
  return memref::CastOp::create(b, loc, type, copy);
}

struct DistinctReturnedBuffers
    : public sse::impl::SSEDistinctReturnedBuffersBase<
          DistinctReturnedBuffers> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallDenseSet<Value, 4> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        if (!isa<MemRefType>(operand.get().getType()))
          continue;
        if (!seen.insert(underlyingBuffer(operand.get())).second)
          operand.set(copyOf(b, ret.getLoc(), operand.get()));
      }
    });
  }
};

} // namespace
