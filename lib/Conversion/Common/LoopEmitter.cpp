//===- LoopEmitter.cpp - Loop-building helpers of the sse lowerings -------===//
//
// The router of one row of logits (shared by the CPU and GPU lowerings).
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/LoopEmitter.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace mlir::sse;

/// Classifies one row of `logits` (the row at `row`, the last index running
/// over N) into `cfg.k` weights and indices, stored at `weights[outAt(j)]`
/// and `indices[outAt(j)]`.
void mlir::sse::emitClassifyRow(LoopEmitter &e, Value logits,
                                ArrayRef<Value> row, Value n,
                                const RouterConfig &cfg, Value weights,
                                Value indices,
                                function_ref<SmallVector<Value>(Value)> outAt) {
  ImplicitLocOpBuilder &b = e.b;
  Type indexElem = cast<MemRefType>(indices.getType()).getElementType();
  Value zero = e.idx(0), kSize = e.idx(cfg.k);
  Value posInf = e.f32(std::numeric_limits<float>::infinity());
  Value negInf = e.f32(-std::numeric_limits<float>::infinity());
  auto at = [&](Value last) {
    SmallVector<Value> ix(row.begin(), row.end());
    ix.push_back(last);
    return ix;
  };
  // Softmax statistics over all N logits, in f32.
  Value max = e.forLoop(zero, n, {negInf}, [&](Value i, ValueRange acc) {
    Value z = e.loadF32(logits, at(i));
    return SmallVector<Value>{arith::MaximumFOp::create(b, acc[0], z)};
  })[0];
  Value denom = e.forLoop(zero, n, {e.f32(0.0)}, [&](Value i, ValueRange acc) {
    Value z = e.loadF32(logits, at(i));
    Value ez = math::ExpOp::create(b, arith::SubFOp::create(b, z, max));
    return SmallVector<Value>{arith::AddFOp::create(b, acc[0], ez)};
  })[0];

  // Top-k by repeated selection: pick j is the first logit, in the order
  // (value descending, index ascending), that comes after pick j-1. This
  // gives "ties: the lower index wins" with no scratch buffer.
  Value minusOne = e.idx(-1);
  Value trueV = arith::ConstantOp::create(b, b.getBoolAttr(true));
  Value falseV = arith::ConstantOp::create(b, b.getBoolAttr(false));
  ValueRange last = e.forLoop(
      zero, kSize, {posInf, minusOne, e.f32(0.0)},
      [&](Value j, ValueRange prev) {
        Value prevVal = prev[0], prevIdx = prev[1];
        ValueRange best = e.forLoop(
            zero, n, {negInf, minusOne, falseV}, [&](Value i, ValueRange cur) {
              Value z = e.loadF32(logits, at(i));
              Value below = arith::CmpFOp::create(b, arith::CmpFPredicate::OLT,
                                                  z, prevVal);
              Value tie = arith::AndIOp::create(
                  b,
                  arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, z,
                                        prevVal),
                  arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, i,
                                        prevIdx));
              Value after = arith::OrIOp::create(b, below, tie);
              Value better = arith::OrIOp::create(
                  b, arith::XOrIOp::create(b, cur[2], trueV),
                  arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, z,
                                        cur[0]));
              Value take = arith::AndIOp::create(b, after, better);
              return SmallVector<Value>{
                  arith::SelectOp::create(b, take, z, cur[0]),
                  arith::SelectOp::create(b, take, i, cur[1]),
                  arith::OrIOp::create(b, take, cur[2])};
            });
        Value bestVal = best[0], bestIdx = best[1];
        // Keep the raw logit for now; weights are formed below.
        memref::StoreOp::create(b, bestVal, weights, outAt(j));
        memref::StoreOp::create(
            b, arith::IndexCastOp::create(b, indexElem, bestIdx), indices,
            outAt(j));
        // The first pick is the largest logit: the reference point of a
        // softmax over the picks.
        Value top = arith::SelectOp::create(
            b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, j, zero),
            bestVal, prev[2]);
        return SmallVector<Value>{bestVal, bestIdx, top};
      });
  Value top = last[2];

  // Turn the picked logits into weights.
  Value center = cfg.softmaxFirst ? max : top;
  auto expAt = [&](Value j) {
    Value z = memref::LoadOp::create(b, weights, outAt(j));
    return math::ExpOp::create(b, arith::SubFOp::create(b, z, center));
  };
  Value norm = denom;
  if (!cfg.softmaxFirst || cfg.renormalize)
    norm = e.forLoop(zero, kSize, {e.f32(0.0)}, [&](Value j, ValueRange acc) {
      return SmallVector<Value>{arith::AddFOp::create(b, acc[0], expAt(j))};
    })[0];
  e.forLoop(zero, kSize, [&](Value j) {
    Value w = arith::DivFOp::create(b, expAt(j), norm);
    memref::StoreOp::create(b, w, weights, outAt(j));
  });
}

Value mlir::sse::swish(ImplicitLocOpBuilder &b, Value x) {
  Value one = arith::ConstantOp::create(b, b.getF32FloatAttr(1.0f));
  Value denom = arith::AddFOp::create(
      b, one, math::ExpOp::create(b, arith::NegFOp::create(b, x)));
  return arith::DivFOp::create(b, x, denom);
}

void mlir::sse::emitOutputRow(LoopEmitter &e,
                              function_ref<Value(Value)> loadAcc, Value width,
                              Value normWeight, Value normEps, Value outGate,
                              Value out, Value bi, Value t, Value h,
                              std::optional<RowColumns> columns) {
  ImplicitLocOpBuilder &b = e.b;
  RowColumns cols = columns.value_or(RowColumns{e.idx(0), e.idx(1)});
  auto forColumns =
      [&](ValueRange init,
          function_ref<SmallVector<Value>(Value, ValueRange)> body) {
        auto loop = scf::ForOp::create(b, cols.first, width, cols.step, init);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(loop.getBody());
        SmallVector<Value> next =
            body(loop.getInductionVar(), loop.getRegionIterArgs());
        if (!init.empty()) // without values the loop has its terminator
          scf::YieldOp::create(b, next);
        return loop.getResults();
      };
  Value invRms;
  if (normWeight) {
    Value sumSq = forColumns(
        {e.f32(0.0)}, [&](Value c, ValueRange sum) -> SmallVector<Value> {
          Value x = loadAcc(c);
          return {
              arith::AddFOp::create(b, sum[0], arith::MulFOp::create(b, x, x))};
        })[0];
    if (cols.allReduce)
      sumSq = cols.allReduce(sumSq);
    Value n = arith::SIToFPOp::create(
        b, b.getF32Type(),
        arith::IndexCastOp::create(b, b.getI64Type(), width));
    Value meanSq = arith::DivFOp::create(b, sumSq, n);
    invRms = arith::DivFOp::create(
        b, e.f32(1.0),
        math::SqrtOp::create(b, arith::AddFOp::create(b, meanSq, normEps)));
  }
  bool perHead =
      normWeight && cast<MemRefType>(normWeight.getType()).getRank() == 2;
  forColumns({}, [&](Value c, ValueRange) -> SmallVector<Value> {
    Value x = loadAcc(c);
    if (normWeight) {
      Value w =
          perHead ? e.loadF32(normWeight, {h, c}) : e.loadF32(normWeight, {c});
      x = arith::MulFOp::create(b, arith::MulFOp::create(b, x, invRms), w);
    }
    if (outGate)
      x = arith::MulFOp::create(b, x,
                                swish(b, e.loadF32(outGate, {bi, t, h, c})));
    e.storeF32(x, out, {bi, t, h, c});
    return {};
  });
}

void mlir::sse::ScanOperands::bindOperands(ScanOp op,
                                           function_ref<Value(Value)> bufferOf,
                                           Value statesInPlace) {
  auto bufferOrNull = [&](Value x) { return x ? bufferOf(x) : Value(); };
  q = bufferOf(op.getQ());
  v = bufferOf(op.getV());
  weights = bufferOrNull(op.getWeights());
  indices = bufferOrNull(op.getIndices());
  logits = bufferOrNull(op.getLogits());
  init = statesInPlace ? statesInPlace : bufferOrNull(op.getInit());
  cu = bufferOrNull(op.getCuSeqlens());
  normWeight = bufferOrNull(op.getNormWeight());
  outGate = bufferOrNull(op.getOutGate());
  routed = {q, bufferOf(op.getK()), bufferOrNull(op.getGate()),
            bufferOrNull(op.getBeta()), op.hasPerKeyGate()};
  shared = {bufferOrNull(op.getSharedQ()), bufferOrNull(op.getSharedK()),
            bufferOrNull(op.getSharedGate()), bufferOrNull(op.getSharedBeta()),
            op.hasPerKeySharedGate()};
  Value routing = weights ? weights : logits;
  perHeadRouting =
      routing && cast<MemRefType>(routing.getType()).getRank() == 4;
  delta = op.getRule() == UpdateRule::delta;
}

void mlir::sse::ScanOperands::bindResults(LoopEmitter &e, ScanOp op,
                                          Value statesInPlace) {
  numTokens = e.dim(q, 1);
  numHeads = e.dim(q, 2);
  keyWidth = e.dim(q, 3);
  valueWidth = e.dim(v, 3);
  numSeqs = cu ? arith::SubIOp::create(e.b, e.dim(cu, 0), e.idx(1)).getResult()
               : e.dim(q, 0);
  auto oType = cast<RankedTensorType>(op.getO().getType());
  auto sType = cast<RankedTensorType>(op.getFinalStates().getType());
  o = allocResult(e, oType, [&](int64_t d) { return e.dim(v, d); });
  states = statesInPlace ? statesInPlace
                         : allocStates(e, sType, numSeqs, numHeads,
                                       e.idx(op.getNumStatePartitions()),
                                       keyWidth, valueWidth);
}

Value mlir::sse::scanScale(LoopEmitter &e, ScanOp op, Value keyWidth) {
  if (std::optional<float> fixed = op.getEffectiveScale())
    return e.f32(*fixed);
  ImplicitLocOpBuilder &b = e.b;
  Value k = arith::IndexCastOp::create(b, b.getI64Type(), keyWidth);
  Value kf = arith::SIToFPOp::create(b, b.getF32Type(), k);
  return arith::DivFOp::create(b, e.f32(1.0), math::SqrtOp::create(b, kf));
}
