//===- SegmentCombineKernel.cpp - sse_gpu.combine_segments as a gpu.func --===//
//
// The middle kernel of a segmented walk: one thread per element (sequence,
// head, key, column) of the state carries it across the pieces in order,
// inits[j + 1] = decays[j] * inits[j] + ends[j], from the layer's initial
// state (or zero). The column is the fastest index, so a warp's loads and
// stores are contiguous.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitters.h"

#include "sse/Conversion/LoopEmitter.h"
#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
constexpr int64_t kThreads = 256;

/// Elements of one state per sequence and head: K x V.
int64_t elements(CombineSegmentsOp op) {
  auto inits = cast<MemRefType>(op.getInitsInit().getType());
  return inits.getDimSize(0) * inits.getDimSize(2) * inits.getDimSize(3) *
         inits.getDimSize(4);
}

/// The pieces of the state element `linear` (s, h, k, c) in order.
void carryElement(sse::LoopEmitter &e, CombineSegmentsOp op, gpu::GPUFuncOp fn,
                  Value linear) {
  ImplicitLocOpBuilder &b = e.b;
  auto inits = cast<MemRefType>(op.getInitsInit().getType());
  int64_t heads = inits.getDimSize(2), keys = inits.getDimSize(3),
          columns = inits.getDimSize(4), pieces = inits.getDimSize(1);
  Value c = arith::RemUIOp::create(b, linear, e.idx(columns));
  Value rest = arith::DivUIOp::create(b, linear, e.idx(columns));
  Value k = arith::RemUIOp::create(b, rest, e.idx(keys));
  rest = arith::DivUIOp::create(b, rest, e.idx(keys));
  Value h = arith::RemUIOp::create(b, rest, e.idx(heads));
  Value s = arith::DivUIOp::create(b, rest, e.idx(heads));
  // Arguments in operand order: ends, decays, [initial], inits.
  Value ends = fn.getArgument(0), decays = fn.getArgument(1);
  Value out = fn.getArgument(fn.getNumArguments() - 1);
  Value x = op.getInitial() ? e.loadF32(fn.getArgument(2),
                                        {s, h, e.idx(op.getPartition()), k, c})
                            : e.f32(0.0);
  memref::StoreOp::create(b, x, out, ValueRange{s, e.idx(0), h, k, c});
  for (int64_t j = 0; j + 1 < pieces; ++j) {
    Value d = e.loadF32(decays, {s, e.idx(j), h, k});
    x = arith::AddFOp::create(b, arith::MulFOp::create(b, d, x),
                              e.loadF32(ends, {s, e.idx(j), h, k, c}));
    memref::StoreOp::create(b, x, out, ValueRange{s, e.idx(j + 1), h, k, c});
  }
}
} // namespace

gpu::GPUFuncOp mlir::sse_gpu::emitCombineSegmentsKernel(CombineSegmentsOp op,
                                                        gpu::GPUModuleOp module,
                                                        StringRef name) {
  ImplicitLocOpBuilder b(op.getLoc(), op.getContext());
  gpu::GPUFuncOp fn = createKernelFunc(b, op, module, name, kThreads);
  sse::LoopEmitter e(b);
  Value linear = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            e.idx(kThreads)),
      gpu::ThreadIdOp::create(b, gpu::Dimension::x));
  e.ifThen(arith::CmpIOp::create(b, arith::CmpIPredicate::ult, linear,
                                 e.idx(elements(op))),
           [&] { carryElement(e, op, fn, linear); });
  gpu::ReturnOp::create(b);
  return fn;
}

int64_t mlir::sse_gpu::combineSegmentsBlocks(CombineSegmentsOp op) {
  return (elements(op) + kThreads - 1) / kThreads;
}

int64_t mlir::sse_gpu::combineSegmentsThreads() { return kThreads; }
