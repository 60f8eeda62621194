//===- KernelEmitters.cpp - Pieces the kernel emitters share --------------===//
//
// What more than one kernel of convert-sse-gpu-to-gpu reads the same way.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

std::pair<Value, Value>
mlir::sse_gpu::packedSequenceRange(ImplicitLocOpBuilder &b, Value cu, Value seq,
                                   int64_t tokens) {
  auto idx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
  auto bound = [&](Value i) {
    Value v = memref::LoadOp::create(b, cu, ValueRange{i});
    return arith::IndexCastOp::create(b, b.getIndexType(), v).getResult();
  };
  Value limit = idx(tokens);
  Value start = arith::MinSIOp::create(
      b, arith::MaxSIOp::create(b, bound(seq), idx(0)), limit);
  Value end = arith::MinSIOp::create(
      b,
      arith::MaxSIOp::create(b, bound(arith::AddIOp::create(b, seq, idx(1))),
                             start),
      limit);
  return {start, end};
}
