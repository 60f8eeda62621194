//===- CombineKernel.cpp - sse_gpu.combine_outputs as a gpu.func ----------===//
//
// The output kernel of a routed scan: one warp per output row (b, t, h),
// its lanes on every 32nd column. A column's value is the sum of the row's
// partials (one per visit, each already carrying its read weight and
// scale) and the shared partition's; the norm's sum of squares is reduced
// over the warp by shuffles, and the epilogue (RMS norm, swish gate) is the
// one the other lowerings use (emitOutputRow).
//
//===----------------------------------------------------------------------===//

#include "KernelEmitters.h"

#include "sse/Conversion/LoopEmitter.h"
#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
constexpr int64_t kThreads = 256;
constexpr int64_t kRowsPerBlock = kThreads / 32;

/// The kernel's arguments, in the op's operand order.
struct CombineArgs {
  Value partials, shared, norm, gate, out;
};

CombineArgs argsOf(CombineOutputsOp op, gpu::GPUFuncOp fn) {
  CombineArgs a;
  unsigned next = 0;
  a.partials = fn.getArgument(next++);
  if (op.getShared())
    a.shared = fn.getArgument(next++);
  if (op.getNormWeight())
    a.norm = fn.getArgument(next++);
  if (op.getOutGate())
    a.gate = fn.getArgument(next++);
  a.out = fn.getArgument(next);
  return a;
}

/// Output row `row` (a linear (b, t, h)) by the lanes of one warp.
void combineRow(sse::LoopEmitter &e, CombineOutputsOp op, const CombineArgs &a,
                Value row, Value lane) {
  ImplicitLocOpBuilder &b = e.b;
  auto type = cast<MemRefType>(a.partials.getType());
  int64_t slots = type.getDimSize(3), width = type.getDimSize(4);
  Value h = arith::RemUIOp::create(b, row, e.idx(type.getDimSize(2)));
  Value rest = arith::DivUIOp::create(b, row, e.idx(type.getDimSize(2)));
  Value t = arith::RemUIOp::create(b, rest, e.idx(type.getDimSize(1)));
  Value bi = arith::DivUIOp::create(b, rest, e.idx(type.getDimSize(1)));
  auto sumAt = [&](Value c) -> Value {
    Value x =
        a.shared ? e.loadF32(a.shared, {bi, t, h, e.idx(0), c}) : e.f32(0.0);
    for (int64_t s = 0; s < slots; ++s)
      x = arith::AddFOp::create(b, x,
                                e.loadF32(a.partials, {bi, t, h, e.idx(s), c}));
    return x;
  };
  auto warpSum = [&](Value x) -> Value {
    for (int64_t by = 16; by >= 1; by /= 2)
      x = arith::AddFOp::create(
          b, x,
          gpu::ShuffleOp::create(b, x, by, 32, gpu::ShuffleMode::XOR)
              .getShuffleResult());
    return x;
  };
  Value eps = op.getEps() ? e.f32(op.getEps()->convertToFloat()) : Value();
  sse::emitOutputRow(e, sumAt, e.idx(width), a.norm, eps, a.gate, a.out, bi, t,
                     h, sse::RowColumns{lane, e.idx(32), warpSum});
}
} // namespace

gpu::GPUFuncOp mlir::sse_gpu::emitCombineKernel(CombineOutputsOp op,
                                                gpu::GPUModuleOp module,
                                                StringRef name) {
  ImplicitLocOpBuilder b(op.getLoc(), op.getContext());
  gpu::GPUFuncOp fn = createKernelFunc(b, op, module, name, kThreads);
  sse::LoopEmitter e(b);
  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value row = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            e.idx(kRowsPerBlock)),
      arith::DivUIOp::create(b, tid, e.idx(32)));
  // Whole warps leave together, so the shuffles see every lane.
  e.ifThen(arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row,
                                 e.idx(combineRows(op))),
           [&] {
             combineRow(e, op, argsOf(op, fn), row,
                        arith::RemUIOp::create(b, tid, e.idx(32)));
           });
  gpu::ReturnOp::create(b);
  return fn;
}

int64_t mlir::sse_gpu::combineRows(CombineOutputsOp op) {
  auto type = cast<MemRefType>(op.getPartials().getType());
  return type.getDimSize(0) * type.getDimSize(1) * type.getDimSize(2);
}

int64_t mlir::sse_gpu::combineBlocks(CombineOutputsOp op) {
  return (combineRows(op) + kRowsPerBlock - 1) / kRowsPerBlock;
}

int64_t mlir::sse_gpu::combineThreads() { return kThreads; }
