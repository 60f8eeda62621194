//===- RouteKernel.cpp - sse_gpu.route as a gpu.func ----------------------===//
//
// The router kernel: one thread per row of logits (a token, or a token and
// head), SPEC 1.2 in f32: the row's max and softmax denominator, then k
// selections in (logit descending, index ascending) order, each after the
// previous pick in that order, so ties go to the lower index.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitters.h"

#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
constexpr int64_t kThreads = 128;

/// The indices of row `row` of a [..., N] buffer: the leading dimensions
/// delinearised, innermost last, then `last`.
SmallVector<Value> rowIndices(ImplicitLocOpBuilder &b, MemRefType type,
                              Value row, Value last) {
  SmallVector<Value> idx(type.getRank() - 1);
  for (int64_t d = type.getRank() - 2; d >= 0; --d) {
    Value size = arith::ConstantIndexOp::create(b, type.getDimSize(d));
    idx[d] = arith::RemUIOp::create(b, row, size);
    row = arith::DivUIOp::create(b, row, size);
  }
  idx.push_back(last);
  return idx;
}

Value loadF32(ImplicitLocOpBuilder &b, Value logits, ArrayRef<Value> idx) {
  Value v = memref::LoadOp::create(b, logits, idx);
  return v.getType().isF32() ? v : arith::ExtFOp::create(b, b.getF32Type(), v);
}

/// Whether (v, j) comes before (bv, bj): a larger logit, or an equal one
/// at a lower index.
Value before(ImplicitLocOpBuilder &b, Value v, Value j, Value bv, Value bj) {
  Value greater = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, v, bv);
  Value equal = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, v, bv);
  Value lower = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, j, bj);
  return arith::OrIOp::create(b, greater,
                              arith::AndIOp::create(b, equal, lower));
}

/// The body for one row: writes its k weights and indices.
void routeRow(ImplicitLocOpBuilder &b, RouteOp op, Value row, Value logits,
              Value weights, Value indices) {
  auto type = cast<MemRefType>(logits.getType());
  int64_t n = type.getDimSize(type.getRank() - 1),
          k = op.getTopKAttr().getInt();
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value one = arith::ConstantIndexOp::create(b, 1);
  Value nIdx = arith::ConstantIndexOp::create(b, n);
  Value negInf = arith::ConstantFloatOp::create(
      b, b.getF32Type(), APFloat::getInf(APFloat::IEEEsingle(), true));
  Value fzero =
      arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(0.0f));
  // The max and the softmax denominator over all N.
  auto maxLoop = scf::ForOp::create(b, zero, nIdx, one, ValueRange{negInf});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(maxLoop.getBody());
    Value v =
        loadF32(b, logits, rowIndices(b, type, row, maxLoop.getInductionVar()));
    scf::YieldOp::create(b, ValueRange{arith::MaximumFOp::create(
                                b, v, maxLoop.getRegionIterArgs()[0])});
  }
  Value max = maxLoop.getResult(0);
  auto sumLoop = scf::ForOp::create(b, zero, nIdx, one, ValueRange{fzero});
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(sumLoop.getBody());
    Value v =
        loadF32(b, logits, rowIndices(b, type, row, sumLoop.getInductionVar()));
    Value e = math::ExpOp::create(b, arith::SubFOp::create(b, v, max));
    scf::YieldOp::create(b, ValueRange{arith::AddFOp::create(
                                b, e, sumLoop.getRegionIterArgs()[0])});
  }
  Value total = sumLoop.getResult(0);
  // k selections; the picks' exponentials are kept for renormalising.
  Value prevV = arith::ConstantFloatOp::create(
      b, b.getF32Type(), APFloat::getInf(APFloat::IEEEsingle()));
  Value prevJ = arith::ConstantIndexOp::create(b, -1);
  SmallVector<Value> pickedExp, pickedIdx;
  for (int64_t slot = 0; slot < k; ++slot) {
    auto pick = scf::ForOp::create(
        b, zero, nIdx, one,
        ValueRange{negInf, arith::ConstantIndexOp::create(b, n)});
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(pick.getBody());
      Value j = pick.getInductionVar();
      Value v = loadF32(b, logits, rowIndices(b, type, row, j));
      Value bv = pick.getRegionIterArgs()[0], bj = pick.getRegionIterArgs()[1];
      Value eligible = before(b, prevV, prevJ, v, j);
      Value better =
          arith::AndIOp::create(b, eligible, before(b, v, j, bv, bj));
      scf::YieldOp::create(
          b, ValueRange{arith::SelectOp::create(b, better, v, bv),
                        arith::SelectOp::create(b, better, j, bj)});
    }
    prevV = pick.getResult(0);
    prevJ = pick.getResult(1);
    pickedExp.push_back(
        math::ExpOp::create(b, arith::SubFOp::create(b, prevV, max)));
    pickedIdx.push_back(prevJ);
  }
  // Normaliser: all N (softmax then top-k) or the picks (renormalised, or
  // top-k then softmax).
  bool overPicks = op.getRenormalize() ||
                   op.getOrder() == sse::ClassifyOrder::topk_then_softmax;
  Value norm = total;
  if (overPicks) {
    norm = fzero;
    for (Value e : pickedExp)
      norm = arith::AddFOp::create(b, norm, e);
  }
  auto outType = cast<MemRefType>(weights.getType());
  for (int64_t slot = 0; slot < k; ++slot) {
    SmallVector<Value> at =
        rowIndices(b, outType, row, arith::ConstantIndexOp::create(b, slot));
    memref::StoreOp::create(b, arith::DivFOp::create(b, pickedExp[slot], norm),
                            weights, at);
    memref::StoreOp::create(
        b,
        arith::IndexCastOp::create(
            b, cast<MemRefType>(indices.getType()).getElementType(),
            pickedIdx[slot]),
        indices, at);
  }
}
} // namespace

gpu::GPUFuncOp mlir::sse_gpu::emitRouteKernel(RouteOp op,
                                              gpu::GPUModuleOp module,
                                              StringRef name) {
  ImplicitLocOpBuilder b(op.getLoc(), op.getContext());
  gpu::GPUFuncOp fn = createKernelFunc(b, op, module, name, kThreads);
  Value row = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                            arith::ConstantIndexOp::create(b, kThreads)),
      gpu::ThreadIdOp::create(b, gpu::Dimension::x));
  Value rows = arith::ConstantIndexOp::create(b, routeRows(op));
  auto inside = scf::IfOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, rows),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(&inside.getThenRegion().front());
  routeRow(b, op, row, fn.getArgument(0), fn.getArgument(1), fn.getArgument(2));
  b.setInsertionPointToEnd(&fn.getBody().front());
  gpu::ReturnOp::create(b);
  return fn;
}

int64_t mlir::sse_gpu::routeRows(RouteOp op) {
  auto type = cast<MemRefType>(op.getLogits().getType());
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < type.getRank(); ++d)
    rows *= type.getDimSize(d);
  return rows;
}

int64_t mlir::sse_gpu::routeBlocks(RouteOp op) {
  return (routeRows(op) + kThreads - 1) / kThreads;
}

int64_t mlir::sse_gpu::routeThreads() { return kThreads; }
