//===- SSEToSCF.cpp - Lower sse ops to scf loops over memrefs -------------===//
//
// The CPU reference lowering: sse.classify and sse.scan become sequential
// scf.for loop nests that compute SPEC.md section 1 in f32, token by token.
// Inputs are read through bufferization.to_buffer; results are fresh buffers
// handed back with bufferization.to_tensor, ready for one-shot-bufferize.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToSCF/SSEToSCF.h"
#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_CONVERTSSETOSCF
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

namespace {

/// Small helpers over an ImplicitLocOpBuilder that keep the loop nests below
/// readable: index and f32 constants, loads/stores with conversion to and
/// from f32, and for-loops with or without loop-carried values.
class LoopEmitter {
public:
  explicit LoopEmitter(ImplicitLocOpBuilder &b) : b(b) {}

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }

  /// Size of dimension `d` of a memref, as an index.
  Value dim(Value mem, int64_t d) { return memref::DimOp::create(b, mem, d); }

  /// Loads an element and converts floats to f32.
  Value loadF32(Value mem, ValueRange indices) {
    Value v = memref::LoadOp::create(b, mem, indices);
    if (v.getType() != b.getF32Type())
      v = arith::ExtFOp::create(b, b.getF32Type(), v);
    return v;
  }

  /// Loads an integer element as an index (sign-extending).
  Value loadIndex(Value mem, ValueRange indices) {
    Value v = memref::LoadOp::create(b, mem, indices);
    return arith::IndexCastOp::create(b, b.getIndexType(), v);
  }

  /// Stores an f32 value, truncating to the buffer's element type.
  void storeF32(Value v, Value mem, ValueRange indices) {
    Type elem = cast<MemRefType>(mem.getType()).getElementType();
    if (elem != v.getType())
      v = arith::TruncFOp::create(b, elem, v);
    memref::StoreOp::create(b, v, mem, indices);
  }

  /// for (iv = lb; iv < ub; ++iv) body(iv);
  void forLoop(Value lb, Value ub, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, lb, ub, idx(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(loop.getInductionVar());
  }

  /// A for-loop carrying values; body returns the next values.
  ValueRange forLoop(Value lb, Value ub, ValueRange init,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(b, lb, ub, idx(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> next =
          body(loop.getInductionVar(), loop.getRegionIterArgs());
      scf::YieldOp::create(b, next);
    }
    return loop.getResults();
  }

  /// if (cond) body();
  void ifThen(Value cond, function_ref<void()> body) {
    auto ifOp = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    body();
  }

  /// Allocates a buffer of `type` whose dynamic sizes are `dynSizes`.
  Value alloc(MemRefType type, ValueRange dynSizes) {
    return memref::AllocOp::create(b, type, dynSizes);
  }

  void fill(Value mem, double v) {
    Type elem = cast<MemRefType>(mem.getType()).getElementType();
    Value c = arith::ConstantOp::create(b, b.getFloatAttr(elem, v));
    linalg::FillOp::create(b, ValueRange{c}, ValueRange{mem});
  }

  ImplicitLocOpBuilder &b;
};

/// The buffer view of a tensor operand (read only).
Value toBuffer(ImplicitLocOpBuilder &b, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, memType, tensor,
                                           /*read_only=*/true);
}

/// A fresh buffer for a result of tensor type `type`; dynamic sizes are taken
/// from `sizeOf(d)`.
Value allocResult(LoopEmitter &e, RankedTensorType type,
                  function_ref<Value(int64_t)> sizeOf) {
  SmallVector<Value> dynSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynSizes.push_back(sizeOf(d));
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  return e.alloc(memType, dynSizes);
}

Value toTensor(ImplicitLocOpBuilder &b, Type tensorType, Value buffer) {
  return bufferization::ToTensorOp::create(b, tensorType, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

//===----------------------------------------------------------------------===//
// sse.classify
//===----------------------------------------------------------------------===//

/// How one row of logits is classified (the attributes of sse.classify, or
/// of a scan's router).
struct RouterConfig {
  int64_t k;
  bool softmaxFirst;
  bool renormalize;
};

/// Classifies one row of `logits` (the row at `row`, the last index running
/// over N) into `cfg.k` weights and indices, stored at `weights[outAt(j)]`
/// and `indices[outAt(j)]`.
void emitClassifyRow(LoopEmitter &e, Value logits, ArrayRef<Value> row,
                     Value n, const RouterConfig &cfg, Value weights,
                     Value indices, function_ref<SmallVector<Value>(Value)> outAt) {
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
              Value below = arith::CmpFOp::create(
                  b, arith::CmpFPredicate::OLT, z, prevVal);
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

struct ClassifyToSCF : public OpRewritePattern<ClassifyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ClassifyOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    LoopEmitter e(b);
    Value logits = toBuffer(b, op.getLogits());
    int64_t rank = cast<RankedTensorType>(op.getLogits().getType()).getRank();
    RouterConfig cfg{static_cast<int64_t>(op.getK()),
                     op.getOrder() == ClassifyOrder::softmax_then_topk,
                     op.getRenormalize()};

    auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    auto leadingSize = [&](int64_t d) { return e.dim(logits, d); };
    Value weights = allocResult(e, weightsType, leadingSize);
    Value indices = allocResult(e, indicesType, leadingSize);
    Value n = e.dim(logits, rank - 1);
    Value zero = e.idx(0);

    // One loop per leading dimension; `row` collects the induction variables.
    SmallVector<Value> row;
    std::function<void(int64_t)> nest = [&](int64_t d) {
      if (d < rank - 1) {
        e.forLoop(zero, e.dim(logits, d), [&](Value iv) {
          row.push_back(iv);
          nest(d + 1);
          row.pop_back();
        });
        return;
      }
      emitClassifyRow(e, logits, row, n, cfg, weights, indices, [&](Value j) {
        SmallVector<Value> ix(row);
        ix.push_back(j);
        return ix;
      });
    };
    nest(0);

    rewriter.replaceOp(op, {toTensor(b, weightsType, weights),
                            toTensor(b, indicesType, indices)});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// sse.scan
//===----------------------------------------------------------------------===//

/// The per-partition-kind inputs of a scan slot: the routed partitions use
/// the scan's q, k, gate, beta; the shared partition its shared_* operands.
struct SlotInputs {
  Value q, k, gate, beta;
  bool perKeyGate;
};

struct ScanToSCF : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    LoopEmitter e(b);
    auto bufferOrNull = [&](Value v) { return v ? toBuffer(b, v) : Value(); };
    Value q = toBuffer(b, op.getQ()), k = toBuffer(b, op.getK()),
          v = toBuffer(b, op.getV());
    Value gate = bufferOrNull(op.getGate()), beta = bufferOrNull(op.getBeta()),
          weights = bufferOrNull(op.getWeights()),
          indices = bufferOrNull(op.getIndices()),
          init = bufferOrNull(op.getInit()),
          cu = bufferOrNull(op.getCuSeqlens()),
          logits = bufferOrNull(op.getLogits());
    SlotInputs routed{q, k, gate, beta, op.hasPerKeyGate()};
    SlotInputs shared{bufferOrNull(op.getSharedQ()),
                      bufferOrNull(op.getSharedK()),
                      bufferOrNull(op.getSharedGate()),
                      bufferOrNull(op.getSharedBeta()),
                      op.hasPerKeySharedGate()};
    // Routing tensors are [B, T, x] (all heads) or [B, T, H, x] (per head).
    Value routing = weights ? weights : logits;
    bool perHeadRouting =
        routing && cast<MemRefType>(routing.getType()).getRank() == 4;
    bool delta = op.getRule() == UpdateRule::delta;
    bool readGate = op.getReadGate(), writeGate = op.getWriteGate();
    int64_t numPartitions = op.getPartitions();

    Value zero = e.idx(0), one = e.idx(1);
    Value numTokens = e.dim(q, 1), numHeads = e.dim(q, 2);
    Value keyWidth = e.dim(q, 3), valueWidth = e.dim(v, 3);
    Value numSeqs = cu ? arith::SubIOp::create(b, e.dim(cu, 0), one).getResult()
                       : e.dim(q, 0);
    Value slots =
        weights
            ? e.dim(weights, cast<MemRefType>(weights.getType()).getRank() - 1)
            : e.idx(op.getNumSlots());
    Value nPart = e.idx(numPartitions);
    // Routed partition p lives at state partition p + 1 behind a shared one.
    Value partOffset = e.idx(shared.q ? 1 : 0);

    // Results: o (zero where no sequence covers a token) and the states.
    auto oType = cast<RankedTensorType>(op.getO().getType());
    auto sType = cast<RankedTensorType>(op.getFinalStates().getType());
    Value o = allocResult(e, oType, [&](int64_t d) { return e.dim(v, d); });
    Value states = allocResult(e, sType, [&](int64_t d) -> Value {
      switch (d) {
      case 0:
        return numSeqs;
      case 1:
        return numHeads;
      case 2:
        return e.idx(op.getNumStatePartitions());
      case 3:
        return keyWidth;
      default:
        return valueWidth;
      }
    });
    e.fill(o, 0.0);
    if (init)
      memref::CopyOp::create(b, init, states);
    else
      e.fill(states, 0.0);

    // Per-token scratch rows: the output accumulator, the weighted key and,
    // for the delta rule, kw^T S.
    auto rowType = MemRefType::get({ShapedType::kDynamic}, b.getF32Type());
    Value acc = e.alloc(rowType, valueWidth);
    Value kw = e.alloc(rowType, keyWidth);
    Value kS = delta ? e.alloc(rowType, valueWidth) : Value();
    // With router(z), the token's weights and indices are computed into
    // these scratch rows in the prologue of every token.
    Value routerW, routerI;
    RouterConfig routerCfg{op.getNumSlots(),
                           op.getRouterOrder().value_or(
                               ClassifyOrder::softmax_then_topk) ==
                               ClassifyOrder::softmax_then_topk,
                           op.getRenormalize()};
    if (logits) {
      routerW = e.alloc(MemRefType::get({routerCfg.k}, b.getF32Type()), {});
      routerI = e.alloc(MemRefType::get({routerCfg.k}, b.getI32Type()), {});
    }
    Value scale;
    if (std::optional<float> s = op.getEffectiveScale()) {
      scale = e.f32(*s);
    } else {
      // Default scale K^-0.5 of a K only known at run time.
      Value k = arith::IndexCastOp::create(b, b.getI64Type(), keyWidth);
      Value kf = arith::SIToFPOp::create(b, b.getF32Type(), k);
      scale = arith::DivFOp::create(b, e.f32(1.0), math::SqrtOp::create(b, kf));
    }
    Value oneF = e.f32(1.0);

    e.forLoop(zero, numSeqs, [&](Value seq) {
      // Token range and batch row of this sequence.
      Value start = zero, end = numTokens, batch = seq;
      if (cu) {
        auto clamp = [&](Value x) {
          Value lo = arith::MaxSIOp::create(b, x, zero);
          return arith::MinSIOp::create(b, lo, numTokens).getResult();
        };
        start = clamp(e.loadIndex(cu, {seq}));
        end = clamp(e.loadIndex(cu, {arith::AddIOp::create(b, seq, one)}));
        batch = zero;
      }
      e.forLoop(zero, numHeads, [&](Value h) {
        e.forLoop(start, end, [&](Value t) {
          e.fill(acc, 0.0);
          SmallVector<Value> routingRow{batch, t};
          if (perHeadRouting)
            routingRow.push_back(h);
          if (logits)
            emitClassifyRow(e, logits, routingRow,
                            e.dim(logits, routingRow.size()), routerCfg,
                            routerW, routerI, [](Value j) {
                              return SmallVector<Value>{j};
                            });
          // The shared partition first: always selected, weight 1.
          if (shared.q)
            emitSlot(e, shared, v, states, acc, kw, kS, batch, seq, h, t,
                     zero, oneF, oneF, scale, delta);
          e.forLoop(zero, slots, [&](Value j) {
            Value p = zero, w = oneF;
            if (weights) {
              SmallVector<Value> ix(routingRow);
              ix.push_back(j);
              p = e.loadIndex(indices, ix);
              w = e.loadF32(weights, ix);
            } else if (logits) {
              p = e.loadIndex(routerI, {j});
              w = e.loadF32(routerW, {j});
            }
            Value inRange = arith::AndIOp::create(
                b, arith::CmpIOp::create(b, arith::CmpIPredicate::sge, p, zero),
                arith::CmpIOp::create(b, arith::CmpIPredicate::slt, p, nPart));
            e.ifThen(inRange, [&] {
              emitSlot(e, routed, v, states, acc, kw, kS, batch, seq, h, t,
                       arith::AddIOp::create(b, p, partOffset),
                       writeGate ? w : oneF, readGate ? w : oneF, scale,
                       delta);
            });
          });
          e.forLoop(zero, valueWidth, [&](Value c) {
            e.storeF32(memref::LoadOp::create(b, acc, ValueRange{c}), o,
                       {batch, t, h, c});
          });
        });
      });
    });
    // The scratch rows are freed by the deallocation pipeline after
    // bufferization (ownership-based deallocation rejects explicit frees).

    rewriter.replaceOp(op, {toTensor(b, oType, o), toTensor(b, sType, states)});
    return success();
  }

private:
  /// One slot of one token: update partition `p` (a state partition index)
  /// of the state of (seq, h) from `in` and accumulate its read into `acc`.
  static void emitSlot(LoopEmitter &e, const SlotInputs &in, Value v,
                       Value states, Value acc, Value kw, Value kS,
                       Value batch, Value seq, Value h, Value t, Value p,
                       Value writeW, Value readW, Value scale, bool delta) {
    struct {
      Value q, k, v, gate, beta, states, acc, kw, kS;
    } m{in.q, in.k, v, in.gate, in.beta, states, acc, kw, kS};
    bool perKeyGate = in.perKeyGate;
    ImplicitLocOpBuilder &b = e.b;
    Value zero = e.idx(0);
    Value keyWidth = e.dim(m.q, 3), valueWidth = e.dim(m.v, 3);
    auto stateAt = [&](Value r, Value c) {
      return SmallVector<Value>{seq, h, p, r, c};
    };
    auto loadState = [&](Value r, Value c) {
      return memref::LoadOp::create(b, m.states, stateAt(r, c)).getResult();
    };
    auto storeState = [&](Value x, Value r, Value c) {
      memref::StoreOp::create(b, x, m.states, stateAt(r, c));
    };

    // kw = writeW * k_t (the write gate scales the key).
    e.forLoop(zero, keyWidth, [&](Value r) {
      Value kr = e.loadF32(m.k, {batch, t, h, r});
      memref::StoreOp::create(b, arith::MulFOp::create(b, kr, writeW), m.kw,
                              ValueRange{r});
    });
    auto kwAt = [&](Value r) {
      return memref::LoadOp::create(b, m.kw, ValueRange{r}).getResult();
    };

    // exp(g) for a scalar gate, computed once per token.
    Value scalarDecay;
    if (m.gate && !perKeyGate)
      scalarDecay = math::ExpOp::create(b, e.loadF32(m.gate, {batch, t, h}));

    if (delta) {
      // S = a (S - beta kw^T (kw S)) + beta kw^T v.
      Value betaT = e.loadF32(m.beta, {batch, t, h});
      e.fill(m.kS, 0.0);
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value kr = kwAt(r);
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value cur = memref::LoadOp::create(b, m.kS, ValueRange{c});
          Value add = arith::MulFOp::create(b, kr, loadState(r, c));
          memref::StoreOp::create(b, arith::AddFOp::create(b, cur, add), m.kS,
                                  ValueRange{c});
        });
      });
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value bk = arith::MulFOp::create(b, betaT, kwAt(r));
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value kSc = memref::LoadOp::create(b, m.kS, ValueRange{c});
          Value s = arith::SubFOp::create(b, loadState(r, c),
                                          arith::MulFOp::create(b, bk, kSc));
          if (scalarDecay)
            s = arith::MulFOp::create(b, scalarDecay, s);
          Value vc = e.loadF32(m.v, {batch, t, h, c});
          s = arith::AddFOp::create(b, s, arith::MulFOp::create(b, bk, vc));
          storeState(s, r, c);
        });
      });
    } else {
      // S = D S + kw^T v, D = exp(g) or diag(exp(g)).
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value decay = scalarDecay;
        if (perKeyGate)
          decay = math::ExpOp::create(b, e.loadF32(m.gate, {batch, t, h, r}));
        Value kr = kwAt(r);
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value s = loadState(r, c);
          if (decay)
            s = arith::MulFOp::create(b, decay, s);
          Value vc = e.loadF32(m.v, {batch, t, h, c});
          s = arith::AddFOp::create(b, s, arith::MulFOp::create(b, kr, vc));
          storeState(s, r, c);
        });
      });
    }

    // Read after write: acc += scale * readW * q_t S.
    Value qScale = arith::MulFOp::create(b, scale, readW);
    e.forLoop(zero, keyWidth, [&](Value r) {
      Value qr =
          arith::MulFOp::create(b, qScale, e.loadF32(m.q, {batch, t, h, r}));
      e.forLoop(zero, valueWidth, [&](Value c) {
        Value cur = memref::LoadOp::create(b, m.acc, ValueRange{c});
        Value add = arith::MulFOp::create(b, qr, loadState(r, c));
        memref::StoreOp::create(b, arith::AddFOp::create(b, cur, add), m.acc,
                                ValueRange{c});
      });
    });
  }
};

struct ConvertSSEToSCFPass
    : public sse::impl::ConvertSSEToSCFBase<ConvertSSEToSCFPass> {
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<SSEDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateSSEToSCFConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::sse::populateSSEToSCFConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ClassifyToSCF, ScanToSCF>(patterns.getContext());
}
