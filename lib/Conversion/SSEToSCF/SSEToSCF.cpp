//===- SSEToSCF.cpp - Lower sse ops to scf loops over memrefs -------------===//
//
// The CPU reference lowering: sse.classify and sse.scan become sequential
// scf.for loop nests that compute SPEC.md section 1 in f32, token by token.
// Inputs are read through bufferization.to_buffer; results are fresh buffers
// handed back with bufferization.to_tensor, ready for one-shot-bufferize.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToSCF/SSEToSCF.h"
#include "sse/Conversion/LoopEmitter.h"
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

//===----------------------------------------------------------------------===//
// sse.rms_norm, sse.swish_gate (when not fused into a scan)
//===----------------------------------------------------------------------===//

/// Loops over [B, T, H] rows of a rank-4 buffer.
void forEachRow(LoopEmitter &e, Value x,
                function_ref<void(Value, Value, Value)> body) {
  Value zero = e.idx(0);
  e.forLoop(zero, e.dim(x, 0), [&](Value bi) {
    e.forLoop(zero, e.dim(x, 1), [&](Value t) {
      e.forLoop(zero, e.dim(x, 2), [&](Value h) { body(bi, t, h); });
    });
  });
}

struct RmsNormToSCF : public OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RmsNormOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    LoopEmitter e(b);
    Value x = toBuffer(b, op.getX()), w = toBuffer(b, op.getWeight());
    auto type = cast<RankedTensorType>(op.getY().getType());
    Value y = allocResult(e, type, [&](int64_t d) { return e.dim(x, d); });
    bool perHead = cast<MemRefType>(w.getType()).getRank() == 2;
    Value zero = e.idx(0), width = e.dim(x, 3);
    Value eps = e.f32(op.getEffectiveEps());
    forEachRow(e, x, [&](Value bi, Value t, Value h) {
      Value sumSq = e.forLoop(zero, width, {e.f32(0.0)},
                              [&](Value c, ValueRange s) -> SmallVector<Value> {
                                Value xc = e.loadF32(x, {bi, t, h, c});
                                return {arith::AddFOp::create(
                                    b, s[0], arith::MulFOp::create(b, xc, xc))};
                              })[0];
      Value n = arith::SIToFPOp::create(
          b, b.getF32Type(),
          arith::IndexCastOp::create(b, b.getI64Type(), width));
      Value inv = arith::DivFOp::create(
          b, e.f32(1.0),
          math::SqrtOp::create(
              b, arith::AddFOp::create(b, arith::DivFOp::create(b, sumSq, n),
                                       eps)));
      e.forLoop(zero, width, [&](Value c) {
        Value wc = perHead ? e.loadF32(w, {h, c}) : e.loadF32(w, {c});
        Value xc = e.loadF32(x, {bi, t, h, c});
        e.storeF32(
            arith::MulFOp::create(b, arith::MulFOp::create(b, xc, inv), wc), y,
            {bi, t, h, c});
      });
    });
    rewriter.replaceOp(op, toTensor(b, type, y));
    return success();
  }
};

struct SwishGateToSCF : public OpRewritePattern<SwishGateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SwishGateOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    LoopEmitter e(b);
    auto type = cast<RankedTensorType>(op.getY().getType());
    Value x = toBuffer(b, op.getX()), g = toBuffer(b, op.getGate());
    Value y = allocResult(e, type, [&](int64_t d) { return e.dim(x, d); });
    int64_t rank = type.getRank();
    SmallVector<Value> ix;
    std::function<void(int64_t)> nest = [&](int64_t d) {
      if (d == rank) {
        Value xv = e.loadF32(x, ix);
        e.storeF32(arith::MulFOp::create(b, xv, swish(b, e.loadF32(g, ix))), y,
                   ix);
        return;
      }
      e.forLoop(e.idx(0), e.dim(x, d), [&](Value iv) {
        ix.push_back(iv);
        nest(d + 1);
        ix.pop_back();
      });
    };
    nest(0);
    rewriter.replaceOp(op, toTensor(b, type, y));
    return success();
  }
};

/// Lowers one sse.scan. Two loop structures, chosen by the schedule:
///
/// * token-major (no schedule, or recurrent + dense): for every token, each
///   of its slots updates and reads its partition; o is accumulated per
///   token;
/// * partition-major (grouping = sorted, or split = chunked): every
///   partition walks the list of its own tokens, built by a masked pass
///   over all tokens (dense) or by one counting sort of all picks (sorted:
///   counts, prefix sums, a permutation); with split = chunked the list is
///   cut into chunks of C entries and each chunk uses the chunk form of the
///   additive rule (inter-chunk read of the chunk's start state, intra-chunk
///   attention with relative decays, one state update per chunk). o is
///   accumulated in an f32 [T, V] buffer per (sequence, head).
class ScanLowering : ScanOperands {
public:
  /// How operand tensors become buffers: `bufferization.to_buffer` when
  /// lowering at tensor level, the bufferization state's buffers when the
  /// scan is lowered by one-shot bufferization.
  using BufferFn = std::function<Value(Value)>;

  ScanLowering(ScanOp op, ImplicitLocOpBuilder &b, BufferFn bufferOf = {},
               Value statesInPlace = {})
      : op(op), b(b), e(b), bufferOf(std::move(bufferOf)),
        statesInPlace(statesInPlace) {
    if (!this->bufferOf)
      this->bufferOf = [this](Value t) { return toBuffer(this->b, t); };
  }

  /// Emits the loops; returns the buffers of o and of the final states.
  std::pair<Value, Value> lowerToBuffers() {
    setUp();
    std::optional<ScheduleAttr> schedule = op.getSchedule();
    bool partitionMajor =
        schedule && (schedule->getGrouping() == Grouping::sorted ||
                     schedule->getSplit() == WorkSplit::chunked);
    e.forLoop(zero, numSeqs, [&](Value seq) {
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
        Token tok{batch, seq, h, start, end};
        if (partitionMajor)
          lowerPartitionMajor(tok, *schedule);
        else
          lowerTokenMajor(tok);
      });
    });
    return {o, states};
  }

  /// Emits the loops; returns o and the final states as tensors.
  std::pair<Value, Value> lower() {
    auto [oBuffer, statesBuffer] = lowerToBuffers();
    return {toTensor(b, op.getO().getType(), oBuffer),
            toTensor(b, op.getFinalStates().getType(), statesBuffer)};
  }

private:
  /// Where a (sequence, head) sits: its batch row, sequence index, head and
  /// token range.
  struct Token {
    Value batch, seq, h, start, end;
  };

  void setUp() {
    bindOperands(op, bufferOf, statesInPlace);
    bindResults(e, op, statesInPlace);
    zero = e.idx(0);
    one = e.idx(1);
    oneF = e.f32(1.0);
    normEps = e.f32(op.getNormEps() ? op.getNormEps()->convertToFloat() : 1e-5);
    numSlots = op.getNumSlots();
    slots = weights ? e.dim(weights,
                            cast<MemRefType>(weights.getType()).getRank() - 1)
                    : e.idx(numSlots);
    nPart = e.idx(op.getPartitions());
    partOffset = e.idx(shared.q ? 1 : 0);
    routerCfg = routerConfigOf(op);

    e.fill(o, 0.0);
    // States updated in place (init is the states buffer) already hold the
    // initial states.
    if (!init)
      e.fill(states, 0.0);
    else if (init != states)
      memref::CopyOp::create(b, init, states);

    // Scratch rows: the weighted key and, for the delta rule, kw S.
    auto rowType = MemRefType::get({ShapedType::kDynamic}, b.getF32Type());
    kw = e.alloc(rowType, keyWidth);
    kS = delta ? e.alloc(rowType, valueWidth) : Value();
    if (logits) {
      routerW = e.alloc(MemRefType::get({numSlots}, b.getF32Type()), {});
      routerI = e.alloc(MemRefType::get({numSlots}, b.getI32Type()), {});
    }
    scale = scanScale(e, op, keyWidth);
  }

  /// The routing row of token t: [batch, t] or [batch, t, h].
  SmallVector<Value> routingRow(const Token &tok, Value t) {
    SmallVector<Value> row{tok.batch, t};
    if (perHeadRouting)
      row.push_back(tok.h);
    return row;
  }

  /// Slot j of token t: (partition index, weight). With router(z), the
  /// router rows must have been computed for t.
  std::pair<Value, Value> loadPick(const Token &tok, Value t, Value j,
                                   Value rowW, Value rowI,
                                   SmallVector<Value> rowPrefix) {
    if (weights) {
      SmallVector<Value> ix = routingRow(tok, t);
      ix.push_back(j);
      return {e.loadIndex(indices, ix), e.loadF32(weights, ix)};
    }
    if (logits) {
      rowPrefix.push_back(j);
      return {e.loadIndex(rowI, rowPrefix), e.loadF32(rowW, rowPrefix)};
    }
    return {zero, oneF};
  }

  Value inRange(Value p) {
    return arith::AndIOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::sge, p, zero),
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, p, nPart));
  }

  void classifyToken(const Token &tok, Value t, Value rowW, Value rowI,
                     SmallVector<Value> rowPrefix) {
    SmallVector<Value> row = routingRow(tok, t);
    emitClassifyRow(e, logits, row, e.dim(logits, row.size()), routerCfg, rowW,
                    rowI, [&](Value j) {
                      SmallVector<Value> ix(rowPrefix);
                      ix.push_back(j);
                      return ix;
                    });
  }

  //===--------------------------------------------------------------------===//
  // Token-major
  //===--------------------------------------------------------------------===//

  void lowerTokenMajor(const Token &tok) {
    auto rowType = MemRefType::get({ShapedType::kDynamic}, b.getF32Type());
    Value acc = e.alloc(rowType, valueWidth);
    e.forLoop(tok.start, tok.end, [&](Value t) {
      e.fill(acc, 0.0);
      if (logits)
        classifyToken(tok, t, routerW, routerI, {});
      // The shared partition first: always selected, weight 1.
      if (shared.q)
        emitSlot(shared, tok, t, zero, oneF, oneF, acc, {});
      e.forLoop(zero, slots, [&](Value j) {
        auto [p, w] = loadPick(tok, t, j, routerW, routerI, {});
        Value ww = op.getWriteGate() ? w : oneF;
        Value rw = op.getReadGate() ? w : oneF;
        e.ifThen(inRange(p), [&] {
          emitSlot(routed, tok, t, arith::AddIOp::create(b, p, partOffset), ww,
                   rw, acc, {});
        });
      });
      storeOutputRow(tok, t, acc, {});
    });
  }

  //===--------------------------------------------------------------------===//
  // Partition-major
  //===--------------------------------------------------------------------===//

  void lowerPartitionMajor(const Token &tok, ScheduleAttr schedule) {
    bool chunked = schedule.getSplit() == WorkSplit::chunked && !delta;
    bool sorted = schedule.getGrouping() == Grouping::sorted;
    Value chunk = e.idx(schedule.getChunk());
    auto f32 = b.getF32Type();
    auto dyn = ShapedType::kDynamic;
    Value oacc = e.alloc(MemRefType::get({dyn, dyn}, f32),
                         ValueRange{numTokens, valueWidth});
    e.forLoop(tok.start, tok.end, [&](Value t) {
      e.forLoop(zero, valueWidth, [&](Value c) {
        memref::StoreOp::create(b, e.f32(0.0), oacc, ValueRange{t, c});
      });
    });

    // Entry lists: (token, weight) per processed pick, in token order.
    Value numPicks = arith::MulIOp::create(b, numTokens, slots);
    Value listT = e.alloc(MemRefType::get({dyn}, b.getIndexType()), numPicks);
    Value listW = e.alloc(MemRefType::get({dyn}, f32), numPicks);

    // The router's picks of every token of this (sequence, head).
    Value tableW, tableI;
    if (logits) {
      tableW = e.alloc(MemRefType::get({dyn, numSlots}, f32), numTokens);
      tableI =
          e.alloc(MemRefType::get({dyn, numSlots}, b.getI32Type()), numTokens);
      e.forLoop(tok.start, tok.end,
                [&](Value t) { classifyToken(tok, t, tableW, tableI, {t}); });
    }
    auto pick = [&](Value t, Value j) {
      return loadPick(tok, t, j, tableW, tableI, {t});
    };

    // The shared partition (or the one partition of an unrouted scan)
    // visits every token with weight 1.
    if (shared.q || !op.isRouted()) {
      e.forLoop(tok.start, tok.end, [&](Value t) {
        Value pos = arith::SubIOp::create(b, t, tok.start);
        memref::StoreOp::create(b, t, listT, ValueRange{pos});
        memref::StoreOp::create(b, oneF, listW, ValueRange{pos});
      });
      processList(shared.q ? shared : routed, tok, zero, listT, listW, zero,
                  arith::SubIOp::create(b, tok.end, tok.start), chunked, chunk,
                  oacc, /*routedWeights=*/false);
    }

    if (op.isRouted()) {
      Value offsets;
      if (sorted) {
        // Counting sort of all picks by partition: counts, exclusive prefix
        // sums, then a stable scatter (token order within a partition).
        Value counts = e.alloc(MemRefType::get({dyn}, b.getIndexType()), nPart);
        offsets = e.alloc(MemRefType::get({dyn}, b.getIndexType()),
                          arith::AddIOp::create(b, nPart, one).getResult());
        e.forLoop(zero, nPart, [&](Value p) {
          memref::StoreOp::create(b, zero, counts, ValueRange{p});
        });
        forEachPick(tok, pick, [&](Value t, Value p, Value w) {
          Value n = memref::LoadOp::create(b, counts, ValueRange{p});
          memref::StoreOp::create(b, arith::AddIOp::create(b, n, one), counts,
                                  ValueRange{p});
        });
        memref::StoreOp::create(b, zero, offsets, ValueRange{zero});
        e.forLoop(zero, nPart, [&](Value p) {
          Value base = memref::LoadOp::create(b, offsets, ValueRange{p});
          Value n = memref::LoadOp::create(b, counts, ValueRange{p});
          memref::StoreOp::create(b, arith::AddIOp::create(b, base, n), offsets,
                                  ValueRange{arith::AddIOp::create(b, p, one)});
          // counts becomes the scatter cursor of partition p.
          memref::StoreOp::create(b, base, counts, ValueRange{p});
        });
        forEachPick(tok, pick, [&](Value t, Value p, Value w) {
          Value pos = memref::LoadOp::create(b, counts, ValueRange{p});
          memref::StoreOp::create(b, t, listT, ValueRange{pos});
          memref::StoreOp::create(b, w, listW, ValueRange{pos});
          memref::StoreOp::create(b, arith::AddIOp::create(b, pos, one), counts,
                                  ValueRange{p});
        });
      }
      e.forLoop(zero, nPart, [&](Value p) {
        Value first, last;
        if (sorted) {
          first = memref::LoadOp::create(b, offsets, ValueRange{p});
          last = memref::LoadOp::create(
              b, offsets, ValueRange{arith::AddIOp::create(b, p, one)});
        } else {
          // Dense: a masked pass over all picks collects partition p's.
          first = zero;
          last = e.forLoop(
              tok.start, tok.end, {zero},
              [&](Value t, ValueRange n) -> SmallVector<Value> {
                Value count = e.forLoop(
                    zero, slots, {n[0]},
                    [&](Value j, ValueRange m) -> SmallVector<Value> {
                      auto [pj, w] = pick(t, j);
                      Value hit = arith::CmpIOp::create(
                          b, arith::CmpIPredicate::eq, pj, p);
                      auto ifOp =
                          scf::IfOp::create(b, TypeRange{b.getIndexType()}, hit,
                                            /*withElseRegion=*/true);
                      {
                        OpBuilder::InsertionGuard guard(b);
                        b.setInsertionPointToStart(ifOp.thenBlock());
                        memref::StoreOp::create(b, t, listT, ValueRange{m[0]});
                        memref::StoreOp::create(b, w, listW, ValueRange{m[0]});
                        scf::YieldOp::create(
                            b, ValueRange{arith::AddIOp::create(b, m[0], one)});
                        b.setInsertionPointToStart(ifOp.elseBlock());
                        scf::YieldOp::create(b, ValueRange{m[0]});
                      }
                      return {ifOp.getResult(0)};
                    })[0];
                return {count};
              })[0];
        }
        processList(routed, tok, arith::AddIOp::create(b, p, partOffset), listT,
                    listW, first, last, chunked, chunk, oacc,
                    /*routedWeights=*/true);
      });
    }

    e.forLoop(tok.start, tok.end,
              [&](Value t) { storeOutputRow(tok, t, oacc, {t}); });
  }

  /// Rounds the f32 output row acc[prefix, :] of token t into o, through the
  /// epilogue: o = rms_norm(o) * w, then o = o * swish(out_gate).
  void storeOutputRow(const Token &tok, Value t, Value acc,
                      SmallVector<Value> prefix) {
    emitOutputRow(
        e,
        [&](Value c) -> Value {
          SmallVector<Value> ix(prefix);
          ix.push_back(c);
          return memref::LoadOp::create(b, acc, ix);
        },
        valueWidth, normWeight, normEps, outGate, o, tok.batch, t, tok.h);
  }

  /// Calls body(t, p, w) for every in-range pick of every token, in token
  /// then slot order.
  void forEachPick(const Token &tok,
                   function_ref<std::pair<Value, Value>(Value, Value)> pick,
                   function_ref<void(Value, Value, Value)> body) {
    e.forLoop(tok.start, tok.end, [&](Value t) {
      e.forLoop(zero, slots, [&](Value j) {
        auto [p, w] = pick(t, j);
        e.ifThen(inRange(p), [&] { body(t, p, w); });
      });
    });
  }

  /// Processes entries [first, last) of a partition's list, recurrently or
  /// in chunks of `chunk` entries.
  void processList(const SlotInputs &in, const Token &tok, Value part,
                   Value listT, Value listW, Value first, Value last,
                   bool chunked, Value chunk, Value oacc, bool routedWeights) {
    auto weightsAt = [&](Value i) {
      Value w = memref::LoadOp::create(b, listW, ValueRange{i});
      return std::make_pair(routedWeights && op.getWriteGate() ? w : oneF,
                            routedWeights && op.getReadGate() ? w : oneF);
    };
    if (!chunked) {
      e.forLoop(first, last, [&](Value i) {
        Value t = memref::LoadOp::create(b, listT, ValueRange{i});
        auto [ww, rw] = weightsAt(i);
        emitSlot(in, tok, t, part, ww, rw, oacc, {t});
      });
      return;
    }
    // Chunk form of the additive rule over C entries at a time. Every decay
    // factor is the exponential of a sum of log-gates over a run of
    // consecutive entries, accumulated directly (all terms <= 0, so the sum
    // is accurate and a -inf gate makes it -inf, a factor of 0): never a
    // difference of running sums, which loses digits after a strong gate
    // and is NaN (-inf - -inf) after a reset. See docs/Semantics.md.
    ChunkBuffers cb = allocChunkBuffers(chunk);
    Value count = arith::SubIOp::create(b, last, first);
    Value numChunks = arith::CeilDivSIOp::create(b, count, chunk);
    e.forLoop(zero, numChunks, [&](Value ci) {
      Value lo =
          arith::AddIOp::create(b, first, arith::MulIOp::create(b, ci, chunk));
      Value hi =
          arith::MinSIOp::create(b, arith::AddIOp::create(b, lo, chunk), last);
      Value len = arith::SubIOp::create(b, hi, lo);
      stageChunk(in, tok, listT, lo, len, cb, weightsAt);
      emitChunkOutputs(tok, part, listT, lo, len, cb, oacc);
      emitChunkStateUpdate(tok, part, listT, lo, len, cb);
    });
  }

  /// Per-chunk scratch of the chunk form: weighted keys, scaled queries,
  /// raw log-gates, their prefix sums (entry 0..i) and suffix sums
  /// (entries i+1..last), each [C, K]; a running sum per key [K].
  struct ChunkBuffers {
    Value kw, q, gate, prefix, suffix, run;
  };

  ChunkBuffers allocChunkBuffers(Value chunk) {
    auto f32 = b.getF32Type();
    auto dyn = ShapedType::kDynamic;
    auto matrix = [&] {
      return e.alloc(MemRefType::get({dyn, dyn}, f32),
                     ValueRange{chunk, keyWidth});
    };
    ChunkBuffers cb;
    cb.kw = matrix();
    cb.q = matrix();
    cb.gate = matrix();
    cb.prefix = matrix();
    cb.suffix = matrix();
    cb.run = e.alloc(MemRefType::get({dyn}, f32), ValueRange{keyWidth});
    return cb;
  }

  /// Stages entries [lo, lo + len): weighted key, scaled query, log-gate
  /// and its prefix and suffix sums over the chunk.
  void stageChunk(const SlotInputs &in, const Token &tok, Value listT, Value lo,
                  Value len, const ChunkBuffers &cb,
                  function_ref<std::pair<Value, Value>(Value)> weightsAt) {
    e.forLoop(zero, len, [&](Value i) {
      Value entry = arith::AddIOp::create(b, lo, i);
      Value t = memref::LoadOp::create(b, listT, ValueRange{entry});
      auto [ww, rw] = weightsAt(entry);
      Value qs = arith::MulFOp::create(b, scale, rw);
      Value scalarG;
      if (in.gate && !in.perKeyGate)
        scalarG = e.loadF32(in.gate, {tok.batch, t, tok.h});
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value kr = e.loadF32(in.k, {tok.batch, t, tok.h, r});
        memref::StoreOp::create(b, arith::MulFOp::create(b, kr, ww), cb.kw,
                                ValueRange{i, r});
        Value qr = e.loadF32(in.q, {tok.batch, t, tok.h, r});
        memref::StoreOp::create(b, arith::MulFOp::create(b, qr, qs), cb.q,
                                ValueRange{i, r});
        Value g = e.f32(0.0);
        if (in.gate)
          g = in.perKeyGate ? e.loadF32(in.gate, {tok.batch, t, tok.h, r})
                            : scalarG;
        memref::StoreOp::create(b, g, cb.gate, ValueRange{i, r});
      });
    });
    e.forLoop(zero, keyWidth, [&](Value r) {
      e.forLoop(zero, len, {e.f32(0.0)},
                [&](Value i, ValueRange acc) -> SmallVector<Value> {
                  Value sum = arith::AddFOp::create(
                      b, acc[0],
                      memref::LoadOp::create(b, cb.gate, ValueRange{i, r}));
                  memref::StoreOp::create(b, sum, cb.prefix, ValueRange{i, r});
                  return {sum};
                });
      e.forLoop(
          zero, len, {e.f32(0.0)},
          [&](Value n, ValueRange acc) -> SmallVector<Value> {
            Value j =
                arith::SubIOp::create(b, arith::SubIOp::create(b, len, one), n);
            memref::StoreOp::create(b, acc[0], cb.suffix, ValueRange{j, r});
            return {arith::AddFOp::create(
                b, acc[0],
                memref::LoadOp::create(b, cb.gate, ValueRange{j, r}))};
          });
    });
  }

  /// o of the chunk's entries: the start state read through the prefix
  /// decay, plus the intra-chunk attention; for each entry i the pairs
  /// j = i, i-1, ... are visited in that order so that the decay of the
  /// run (j, i] is one running sum per key.
  void emitChunkOutputs(const Token &tok, Value part, Value listT, Value lo,
                        Value len, const ChunkBuffers &cb, Value oacc) {
    auto stateAt = [&](Value r, Value c) {
      return SmallVector<Value>{tok.seq, tok.h, part, r, c};
    };
    e.forLoop(zero, len, [&](Value i) {
      Value t = memref::LoadOp::create(
          b, listT, ValueRange{arith::AddIOp::create(b, lo, i)});
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value qd = arith::MulFOp::create(
            b, memref::LoadOp::create(b, cb.q, ValueRange{i, r}),
            math::ExpOp::create(
                b, memref::LoadOp::create(b, cb.prefix, ValueRange{i, r})));
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value cur = memref::LoadOp::create(b, oacc, ValueRange{t, c});
          Value add = arith::MulFOp::create(
              b, qd, memref::LoadOp::create(b, states, stateAt(r, c)));
          memref::StoreOp::create(b, arith::AddFOp::create(b, cur, add), oacc,
                                  ValueRange{t, c});
        });
      });
      e.fill(cb.run, 0.0);
      e.forLoop(zero, arith::AddIOp::create(b, i, one), [&](Value n) {
        Value j = arith::SubIOp::create(b, i, n);
        Value a = e.forLoop(
            zero, keyWidth, {e.f32(0.0)},
            [&](Value r, ValueRange sum) -> SmallVector<Value> {
              // run[r] = sum of the log-gates of entries (j, i].
              Value decay = memref::LoadOp::create(b, cb.run, ValueRange{r});
              memref::StoreOp::create(
                  b,
                  arith::AddFOp::create(
                      b, decay,
                      memref::LoadOp::create(b, cb.gate, ValueRange{j, r})),
                  cb.run, ValueRange{r});
              Value qk = arith::MulFOp::create(
                  b, memref::LoadOp::create(b, cb.q, ValueRange{i, r}),
                  memref::LoadOp::create(b, cb.kw, ValueRange{j, r}));
              return {arith::AddFOp::create(
                  b, sum[0],
                  arith::MulFOp::create(b, qk, math::ExpOp::create(b, decay)))};
            })[0];
        Value tj = memref::LoadOp::create(
            b, listT, ValueRange{arith::AddIOp::create(b, lo, j)});
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value vc = e.loadF32(v, {tok.batch, tj, tok.h, c});
          Value cur = memref::LoadOp::create(b, oacc, ValueRange{t, c});
          memref::StoreOp::create(
              b, arith::AddFOp::create(b, cur, arith::MulFOp::create(b, a, vc)),
              oacc, ValueRange{t, c});
        });
      });
    });
  }

  /// S = exp(prefix_last) S + sum_j exp(suffix_j) kw_j^T v_j.
  void emitChunkStateUpdate(const Token &tok, Value part, Value listT, Value lo,
                            Value len, const ChunkBuffers &cb) {
    auto stateAt = [&](Value r, Value c) {
      return SmallVector<Value>{tok.seq, tok.h, part, r, c};
    };
    Value lastI = arith::SubIOp::create(b, len, one);
    e.forLoop(zero, keyWidth, [&](Value r) {
      Value decay = math::ExpOp::create(
          b, memref::LoadOp::create(b, cb.prefix, ValueRange{lastI, r}));
      e.forLoop(zero, valueWidth, [&](Value c) {
        Value s = arith::MulFOp::create(
            b, decay, memref::LoadOp::create(b, states, stateAt(r, c)));
        s = e.forLoop(
            zero, len, {s}, [&](Value j, ValueRange acc) -> SmallVector<Value> {
              Value rel = math::ExpOp::create(
                  b, memref::LoadOp::create(b, cb.suffix, ValueRange{j, r}));
              Value tj = memref::LoadOp::create(
                  b, listT, ValueRange{arith::AddIOp::create(b, lo, j)});
              Value kv = arith::MulFOp::create(
                  b, memref::LoadOp::create(b, cb.kw, ValueRange{j, r}),
                  e.loadF32(v, {tok.batch, tj, tok.h, c}));
              return {arith::AddFOp::create(b, acc[0],
                                            arith::MulFOp::create(b, rel, kv))};
            })[0];
        memref::StoreOp::create(b, s, states, stateAt(r, c));
      });
    });
  }

  //===--------------------------------------------------------------------===//
  // One slot
  //===--------------------------------------------------------------------===//

  /// Token t updates partition `p` (a state partition index) of the state of
  /// its (sequence, head) from `in`, then reads it into acc[accPrefix, :].
  void emitSlot(const SlotInputs &in, const Token &tok, Value t, Value p,
                Value writeW, Value readW, Value acc,
                SmallVector<Value> accPrefix) {
    Value batch = tok.batch, h = tok.h;
    auto stateAt = [&](Value r, Value c) {
      return SmallVector<Value>{tok.seq, h, p, r, c};
    };
    auto loadState = [&](Value r, Value c) {
      return memref::LoadOp::create(b, states, stateAt(r, c)).getResult();
    };
    auto storeState = [&](Value x, Value r, Value c) {
      memref::StoreOp::create(b, x, states, stateAt(r, c));
    };
    auto accAt = [&](Value c) {
      SmallVector<Value> ix(accPrefix);
      ix.push_back(c);
      return ix;
    };

    // kw = writeW * k_t (the write gate scales the key).
    e.forLoop(zero, keyWidth, [&](Value r) {
      Value kr = e.loadF32(in.k, {batch, t, h, r});
      memref::StoreOp::create(b, arith::MulFOp::create(b, kr, writeW), kw,
                              ValueRange{r});
    });
    auto kwAt = [&](Value r) {
      return memref::LoadOp::create(b, kw, ValueRange{r}).getResult();
    };

    // exp(g) for a scalar gate, computed once per token.
    Value scalarDecay;
    if (in.gate && !in.perKeyGate)
      scalarDecay = math::ExpOp::create(b, e.loadF32(in.gate, {batch, t, h}));

    if (delta) {
      // S = a (S - beta kw^T (kw S)) + beta kw^T v.
      Value betaT = e.loadF32(in.beta, {batch, t, h});
      e.fill(kS, 0.0);
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value kr = kwAt(r);
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value cur = memref::LoadOp::create(b, kS, ValueRange{c});
          Value add = arith::MulFOp::create(b, kr, loadState(r, c));
          memref::StoreOp::create(b, arith::AddFOp::create(b, cur, add), kS,
                                  ValueRange{c});
        });
      });
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value bk = arith::MulFOp::create(b, betaT, kwAt(r));
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value kSc = memref::LoadOp::create(b, kS, ValueRange{c});
          Value s = arith::SubFOp::create(b, loadState(r, c),
                                          arith::MulFOp::create(b, bk, kSc));
          if (scalarDecay)
            s = arith::MulFOp::create(b, scalarDecay, s);
          Value vc = e.loadF32(v, {batch, t, h, c});
          s = arith::AddFOp::create(b, s, arith::MulFOp::create(b, bk, vc));
          storeState(s, r, c);
        });
      });
    } else {
      // S = D S + kw^T v, D = exp(g) or diag(exp(g)).
      e.forLoop(zero, keyWidth, [&](Value r) {
        Value decay = scalarDecay;
        if (in.perKeyGate)
          decay = math::ExpOp::create(b, e.loadF32(in.gate, {batch, t, h, r}));
        Value kr = kwAt(r);
        e.forLoop(zero, valueWidth, [&](Value c) {
          Value s = loadState(r, c);
          if (decay)
            s = arith::MulFOp::create(b, decay, s);
          Value vc = e.loadF32(v, {batch, t, h, c});
          s = arith::AddFOp::create(b, s, arith::MulFOp::create(b, kr, vc));
          storeState(s, r, c);
        });
      });
    }

    // Read after write: acc += scale * readW * q_t S.
    Value qScale = arith::MulFOp::create(b, scale, readW);
    e.forLoop(zero, keyWidth, [&](Value r) {
      Value qr =
          arith::MulFOp::create(b, qScale, e.loadF32(in.q, {batch, t, h, r}));
      e.forLoop(zero, valueWidth, [&](Value c) {
        Value cur = memref::LoadOp::create(b, acc, accAt(c));
        Value add = arith::MulFOp::create(b, qr, loadState(r, c));
        memref::StoreOp::create(b, arith::AddFOp::create(b, cur, add), acc,
                                accAt(c));
      });
    });
  }

  ScanOp op;
  ImplicitLocOpBuilder &b;
  LoopEmitter e;
  BufferFn bufferOf;
  Value statesInPlace;
  Value normEps;
  Value zero, one, oneF;
  int64_t numSlots = 1;
  Value slots, nPart, partOffset, kw, kS, routerW, routerI, scale;
  RouterConfig routerCfg{1, true, false};
};

struct ScanToSCF : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto [o, states] = ScanLowering(op, b).lower();
    rewriter.replaceOp(op, {o, states});
    return success();
  }
};

struct ConvertSSEToSCFPass
    : public sse::impl::ConvertSSEToSCFBase<ConvertSSEToSCFPass> {
  using Base::Base;
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<SSEDialect>();
    if (!lowerScans)
      target.addLegalOp<ScanOp>(); // left for one-shot bufferization
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateSSEToSCFConversionPatterns(patterns, lowerScans);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::sse::populateSSEToSCFConversionPatterns(RewritePatternSet &patterns,
                                                   bool lowerScans) {
  patterns.add<ClassifyToSCF, RmsNormToSCF, SwishGateToSCF>(
      patterns.getContext());
  if (lowerScans)
    patterns.add<ScanToSCF>(patterns.getContext());
}

std::pair<Value, Value>
mlir::sse::lowerScanToLoops(ScanOp op, ImplicitLocOpBuilder &b,
                            function_ref<Value(Value)> bufferOf,
                            Value statesInPlace) {
  return ScanLowering(op, b, bufferOf, statesInPlace).lowerToBuffers();
}
