//===- SSEToGPU.cpp - Lower sse.scan to GPU kernels -----------------------===//
//
// The first GPU lowering of sse.scan, written for correctness over the whole
// op (shared partition, route or router, both rules, gates, init,
// cu_seqlens, epilogue): three kernels on the gpu dialect.
//
//   1. zero an f32 accumulator for o, [B, T, H, V];
//   2. the scan: one block per (sequence, head) x state partition; each
//      thread owns columns c of that partition's K x V state (kept in the
//      final-states buffer), walks the sequence's tokens in order, updates
//      its column when the token selects the partition (the delta rule is
//      column-separable: kw S needs only the column), reads q S[:, c] and
//      adds it to the accumulator atomically (partitions of one head run in
//      different blocks);
//   3. the epilogue: one thread per (b, t, h) row applies norm and gate and
//      rounds o to its element type.
//
// It follows no schedule yet (no chunking, no tensor cores): the chunked
// tensor-core kernels of SPEC section 6 replace kernel 2.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToGPU/SSEToGPU.h"

#include "sse/Conversion/LoopEmitter.h"
#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_CONVERTSSETOGPU
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

namespace {

/// Threads per block of the scan and zeroing kernels.
constexpr int64_t kThreads = 128;

struct SlotInputs {
  Value q, k, gate, beta;
  bool perKeyGate;
};

class ScanKernels {
public:
  ScanKernels(ScanOp op, ImplicitLocOpBuilder &b) : op(op), b(b), e(b) {}

  std::pair<Value, Value> lower() {
    setUp();
    emitZeroKernel();
    emitScanKernel();
    emitEpilogueKernel();
    return {toTensor(b, op.getO().getType(), o),
            toTensor(b, op.getFinalStates().getType(), states)};
  }

private:
  void setUp() {
    auto buf = [&](Value x) { return x ? toBuffer(b, x) : Value(); };
    q = buf(op.getQ());
    v = buf(op.getV());
    weights = buf(op.getWeights());
    indices = buf(op.getIndices());
    logits = buf(op.getLogits());
    init = buf(op.getInit());
    cu = buf(op.getCuSeqlens());
    normWeight = buf(op.getNormWeight());
    outGate = buf(op.getOutGate());
    routed = {q, buf(op.getK()), buf(op.getGate()), buf(op.getBeta()),
              op.hasPerKeyGate()};
    shared = {buf(op.getSharedQ()), buf(op.getSharedK()),
              buf(op.getSharedGate()), buf(op.getSharedBeta()),
              op.hasPerKeySharedGate()};
    Value routing = weights ? weights : logits;
    perHeadRouting =
        routing && cast<MemRefType>(routing.getType()).getRank() == 4;
    delta = op.getRule() == UpdateRule::delta;

    zero = e.idx(0);
    one = e.idx(1);
    numBatch = e.dim(q, 0);
    numTokens = e.dim(q, 1);
    numHeads = e.dim(q, 2);
    keyWidth = e.dim(q, 3);
    valueWidth = e.dim(v, 3);
    numSeqs =
        cu ? arith::SubIOp::create(b, e.dim(cu, 0), one).getResult() : numBatch;

    auto oType = cast<RankedTensorType>(op.getO().getType());
    auto sType = cast<RankedTensorType>(op.getFinalStates().getType());
    o = allocResult(e, oType, [&](int64_t d) { return e.dim(v, d); });
    states = allocResult(e, sType, [&](int64_t d) -> Value {
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
    auto dyn = ShapedType::kDynamic;
    oacc = e.alloc(MemRefType::get({dyn, dyn, dyn, dyn}, b.getF32Type()),
                   ValueRange{numBatch, numTokens, numHeads, valueWidth});
  }

  /// Builds `gpu.launch` with the given grid and block sizes; `body` gets
  /// (block id x, block id y, thread id x, block size x).
  void launch(Value gridX, Value gridY, Value blockX,
              function_ref<void(Value, Value, Value, Value)> body) {
    auto launchOp =
        gpu::LaunchOp::create(b, gridX, gridY, one, blockX, one, one);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launchOp.getBody().front());
    body(launchOp.getBlockIds().x, launchOp.getBlockIds().y,
         launchOp.getThreadIds().x, launchOp.getBlockSize().x);
    gpu::TerminatorOp::create(b);
  }

  /// The (b, t, h) row of a flat row index over [B, T, H].
  std::tuple<Value, Value, Value> rowOf(Value row) {
    Value h = arith::RemUIOp::create(b, row, numHeads);
    Value bt = arith::DivUIOp::create(b, row, numHeads);
    Value t = arith::RemUIOp::create(b, bt, numTokens);
    Value bi = arith::DivUIOp::create(b, bt, numTokens);
    return {bi, t, h};
  }

  void emitZeroKernel() {
    Value rows = arith::MulIOp::create(
        b, arith::MulIOp::create(b, numBatch, numTokens), numHeads);
    launch(rows, one, e.idx(kThreads),
           [&](Value row, Value, Value tid, Value nthreads) {
             auto [bi, t, h] = rowOf(row);
             forStep(tid, valueWidth, nthreads, [&](Value c) {
               memref::StoreOp::create(b, e.f32(0.0), oacc,
                                       ValueRange{bi, t, h, c});
             });
           });
  }

  /// for (iv = lb; iv < ub; iv += step) body(iv);
  void forStep(Value lb, Value ub, Value step, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, lb, ub, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(loop.getInductionVar());
  }

  void emitScanKernel() {
    Value gridX = arith::MulIOp::create(b, numSeqs, numHeads);
    Value gridY = e.idx(op.getNumStatePartitions());
    int64_t slotCount = op.getNumSlots();
    launch(gridX, gridY, e.idx(kThreads),
           [&](Value bx, Value part, Value tid, Value nthreads) {
             Value seq = arith::DivUIOp::create(b, bx, numHeads);
             Value h = arith::RemUIOp::create(b, bx, numHeads);
             Value start = zero, end = numTokens, batch = seq;
             if (cu) {
               auto clamp = [&](Value x) {
                 Value lo = arith::MaxSIOp::create(b, x, zero);
                 return arith::MinSIOp::create(b, lo, numTokens).getResult();
               };
               start = clamp(e.loadIndex(cu, {seq}));
               end =
                   clamp(e.loadIndex(cu, {arith::AddIOp::create(b, seq, one)}));
               batch = zero;
             }
             // Private rows for the router's picks of the current token.
             Value pickW, pickI;
             if (logits) {
               pickW = memref::AllocaOp::create(
                   b, MemRefType::get({slotCount}, b.getF32Type()));
               pickI = memref::AllocaOp::create(
                   b, MemRefType::get({slotCount}, b.getI32Type()));
             }
             Value scale = scaleValue();
             Value oneF = e.f32(1.0);
             bool hasShared = shared.q != nullptr;
             Value isShared =
                 hasShared ? arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                                   part, zero)
                                 .getResult()
                           : Value();
             Value routedPart =
                 hasShared ? arith::SubIOp::create(b, part, one).getResult()
                           : part;

             forStep(tid, valueWidth, nthreads, [&](Value c) {
               Token tok{batch, seq, h, part, c};
               // The column starts from init (or zeros).
               e.forLoop(zero, keyWidth, [&](Value r) {
                 Value s0 = init ? memref::LoadOp::create(
                                       b, init, ValueRange{seq, h, part, r, c})
                                       .getResult()
                                 : e.f32(0.0);
                 memref::StoreOp::create(b, s0, states,
                                         ValueRange{seq, h, part, r, c});
               });
               e.forLoop(start, end, [&](Value t) {
                 auto routedSlots = [&] {
                   if (!op.isRouted()) {
                     emitSlot(routed, tok, t, oneF, oneF, scale);
                     return;
                   }
                   SmallVector<Value> row{batch, t};
                   if (perHeadRouting)
                     row.push_back(h);
                   if (logits)
                     emitClassifyRow(e, logits, row, e.dim(logits, row.size()),
                                     routerConfig(), pickW, pickI, [](Value j) {
                                       return SmallVector<Value>{j};
                                     });
                   Value slots =
                       weights ? e.dim(weights, row.size()) : e.idx(slotCount);
                   e.forLoop(zero, slots, [&](Value j) {
                     Value pj, w;
                     if (weights) {
                       SmallVector<Value> ix(row);
                       ix.push_back(j);
                       pj = e.loadIndex(indices, ix);
                       w = e.loadF32(weights, ix);
                     } else {
                       pj = e.loadIndex(pickI, {j});
                       w = e.loadF32(pickW, {j});
                     }
                     Value hit = arith::CmpIOp::create(
                         b, arith::CmpIPredicate::eq, pj, routedPart);
                     e.ifThen(hit, [&] {
                       emitSlot(routed, tok, t, op.getWriteGate() ? w : oneF,
                                op.getReadGate() ? w : oneF, scale);
                     });
                   });
                 };
                 if (!hasShared) {
                   routedSlots();
                   return;
                 }
                 auto ifOp =
                     scf::IfOp::create(b, isShared, /*withElseRegion=*/true);
                 OpBuilder::InsertionGuard guard(b);
                 b.setInsertionPointToStart(ifOp.thenBlock());
                 emitSlot(shared, tok, t, oneF, oneF, scale);
                 b.setInsertionPointToStart(ifOp.elseBlock());
                 routedSlots();
               });
             });
           });
  }

  struct Token {
    Value batch, seq, h, part, c;
  };

  /// Token t updates column c of the partition's state, then adds
  /// scale * readW * q_t S[:, c] to the accumulator.
  void emitSlot(const SlotInputs &in, const Token &tok, Value t, Value writeW,
                Value readW, Value scale) {
    auto stateAt = [&](Value r) {
      return SmallVector<Value>{tok.seq, tok.h, tok.part, r, tok.c};
    };
    auto kwAt = [&](Value r) {
      return arith::MulFOp::create(b, e.loadF32(in.k, {tok.batch, t, tok.h, r}),
                                   writeW);
    };
    Value vc = e.loadF32(v, {tok.batch, t, tok.h, tok.c});
    Value scalarDecay;
    if (in.gate && !in.perKeyGate)
      scalarDecay =
          math::ExpOp::create(b, e.loadF32(in.gate, {tok.batch, t, tok.h}));
    if (delta) {
      Value betaT = e.loadF32(in.beta, {tok.batch, t, tok.h});
      Value kS =
          e.forLoop(zero, keyWidth, {e.f32(0.0)},
                    [&](Value r, ValueRange acc) -> SmallVector<Value> {
                      Value s = memref::LoadOp::create(b, states, stateAt(r));
                      return {arith::AddFOp::create(
                          b, acc[0], arith::MulFOp::create(b, kwAt(r), s))};
                    })[0];
      // S[r, c] = a (S[r, c] - beta kw_r kS) + beta kw_r v_c
      Value diff = arith::SubFOp::create(b, vc, kS);
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value bk = arith::MulFOp::create(b, betaT, kwAt(r));
        Value s = memref::LoadOp::create(b, states, stateAt(r));
        if (scalarDecay) {
          Value kept =
              arith::SubFOp::create(b, s, arith::MulFOp::create(b, bk, kS));
          s = arith::AddFOp::create(b,
                                    arith::MulFOp::create(b, scalarDecay, kept),
                                    arith::MulFOp::create(b, bk, vc));
        } else {
          s = arith::AddFOp::create(b, s, arith::MulFOp::create(b, bk, diff));
        }
        memref::StoreOp::create(b, s, states, stateAt(r));
      });
    } else {
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value decay = scalarDecay;
        if (in.perKeyGate)
          decay = math::ExpOp::create(
              b, e.loadF32(in.gate, {tok.batch, t, tok.h, r}));
        Value s = memref::LoadOp::create(b, states, stateAt(r));
        if (decay)
          s = arith::MulFOp::create(b, decay, s);
        s = arith::AddFOp::create(b, s, arith::MulFOp::create(b, kwAt(r), vc));
        memref::StoreOp::create(b, s, states, stateAt(r));
      });
    }
    Value read =
        e.forLoop(zero, keyWidth, {e.f32(0.0)},
                  [&](Value r, ValueRange acc) -> SmallVector<Value> {
                    Value qr = e.loadF32(in.q, {tok.batch, t, tok.h, r});
                    Value s = memref::LoadOp::create(b, states, stateAt(r));
                    return {arith::AddFOp::create(
                        b, acc[0], arith::MulFOp::create(b, qr, s))};
                  })[0];
    Value contribution =
        arith::MulFOp::create(b, arith::MulFOp::create(b, scale, readW), read);
    memref::AtomicRMWOp::create(b, arith::AtomicRMWKind::addf, contribution,
                                oacc, ValueRange{tok.batch, t, tok.h, tok.c});
  }

  void emitEpilogueKernel() {
    Value rows = arith::MulIOp::create(
        b, arith::MulIOp::create(b, numBatch, numTokens), numHeads);
    Value blocks = arith::CeilDivUIOp::create(b, rows, e.idx(kThreads));
    launch(
        blocks, one, e.idx(kThreads),
        [&](Value bx, Value, Value tid, Value nthreads) {
          Value row = arith::AddIOp::create(
              b, arith::MulIOp::create(b, bx, nthreads), tid);
          Value inside =
              arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, rows);
          e.ifThen(inside, [&] {
            auto [bi, t, h] = rowOf(row);
            Value invRms;
            if (normWeight) {
              Value sumSq =
                  e.forLoop(zero, valueWidth, {e.f32(0.0)},
                            [&](Value c, ValueRange s) -> SmallVector<Value> {
                              Value x = memref::LoadOp::create(
                                  b, oacc, ValueRange{bi, t, h, c});
                              return {arith::AddFOp::create(
                                  b, s[0], arith::MulFOp::create(b, x, x))};
                            })[0];
              Value width = arith::SIToFPOp::create(
                  b, b.getF32Type(),
                  arith::IndexCastOp::create(b, b.getI64Type(), valueWidth));
              Value eps = e.f32(
                  op.getNormEps() ? op.getNormEps()->convertToFloat() : 1e-5);
              invRms = arith::DivFOp::create(
                  b, e.f32(1.0),
                  math::SqrtOp::create(
                      b, arith::AddFOp::create(
                             b, arith::DivFOp::create(b, sumSq, width), eps)));
            }
            bool perHeadNorm =
                normWeight &&
                cast<MemRefType>(normWeight.getType()).getRank() == 2;
            e.forLoop(zero, valueWidth, [&](Value c) {
              Value x =
                  memref::LoadOp::create(b, oacc, ValueRange{bi, t, h, c});
              if (normWeight) {
                Value w = perHeadNorm ? e.loadF32(normWeight, {h, c})
                                      : e.loadF32(normWeight, {c});
                x = arith::MulFOp::create(
                    b, arith::MulFOp::create(b, x, invRms), w);
              }
              if (outGate)
                x = arith::MulFOp::create(
                    b, x, swish(b, e.loadF32(outGate, {bi, t, h, c})));
              e.storeF32(x, o, {bi, t, h, c});
            });
          });
        });
  }

  RouterConfig routerConfig() {
    return {op.getNumSlots(),
            op.getRouterOrder().value_or(ClassifyOrder::softmax_then_topk) ==
                ClassifyOrder::softmax_then_topk,
            op.getRenormalize()};
  }

  Value scaleValue() {
    if (std::optional<float> s = op.getEffectiveScale())
      return e.f32(*s);
    Value kInt = arith::IndexCastOp::create(b, b.getI64Type(), keyWidth);
    Value kf = arith::SIToFPOp::create(b, b.getF32Type(), kInt);
    return arith::DivFOp::create(b, e.f32(1.0), math::SqrtOp::create(b, kf));
  }

  ScanOp op;
  ImplicitLocOpBuilder &b;
  LoopEmitter e;
  Value q, v, weights, indices, logits, init, cu, normWeight, outGate;
  SlotInputs routed, shared;
  bool perHeadRouting = false, delta = false;
  Value zero, one, numBatch, numTokens, numHeads, keyWidth, valueWidth, numSeqs;
  Value o, states, oacc;
};

struct ScanToGPU : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto [o, states] = ScanKernels(op, b).lower();
    rewriter.replaceOp(op, {o, states});
    return success();
  }
};

struct ConvertSSEToGPUPass
    : public sse::impl::ConvertSSEToGPUBase<ConvertSSEToGPUPass> {
  void runOnOperation() override {
    ModuleOp module = dyn_cast<ModuleOp>(getOperation());
    if (module)
      module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                      UnitAttr::get(&getContext()));
    ConversionTarget target(getContext());
    // The other sse ops must have been fused into scans (sse-fuse).
    target.addIllegalDialect<SSEDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateSSEToGPUConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::sse::populateSSEToGPUConversionPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ScanToGPU>(patterns.getContext());
}
