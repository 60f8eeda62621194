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
#include "mlir/Dialect/SCF/Utils/Utils.h"
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

/// Marks an scf.for that the pass unrolls by the given factor once the
/// conversion is done.
constexpr llvm::StringLiteral kUnrollAttr = "sse.unroll";

struct SlotInputs {
  Value q, k, gate, beta;
  bool perKeyGate;
};

class ScanKernels {
public:
  ScanKernels(ScanOp op, ImplicitLocOpBuilder &b, bool tensorCores)
      : op(op), b(b), e(b), tensorCores(tensorCores) {}

  std::pair<Value, Value> lower() {
    setUp();
    emitZeroKernel();
    if (canUseTensorCores()) {
      std::optional<ScheduleAttr> schedule = op.getSchedule();
      if (schedule && schedule->getGrouping() == Grouping::sorted &&
          op.isRouted())
        emitGroupingKernel();
      emitTensorCoreScanKernel();
    } else {
      emitScanKernel();
    }
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
    states =
        allocStates(e, sType, numSeqs, numHeads,
                    e.idx(op.getNumStatePartitions()), keyWidth, valueWidth);
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
  /// `unroll` > 1 marks the loop for unrolling after the conversion.
  void forStep(Value lb, Value ub, Value step, function_ref<void(Value)> body,
               int64_t unroll = 0) {
    auto loop = scf::ForOp::create(b, lb, ub, step);
    if (unroll > 1)
      loop->setAttr(kUnrollAttr, b.getI64IntegerAttr(unroll));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(loop.getInductionVar());
  }

  void emitScanKernel() {
    Value gridX = arith::MulIOp::create(b, numSeqs, numHeads);
    Value gridY = e.idx(op.getNumStatePartitions());
    launch(gridX, gridY, e.idx(kThreads),
           [&](Value bx, Value part, Value tid, Value nthreads) {
             Value seq = arith::DivUIOp::create(b, bx, numHeads);
             Value h = arith::RemUIOp::create(b, bx, numHeads);
             auto [start, end, batch] = sequenceRange(seq);
             auto [pickW, pickI] = privatePickRows();
             Value scale = scanScale(e, op, keyWidth);
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
                   forEachPickOf(
                       batch, t, h, routedPart, pickW, pickI, [&](Value w) {
                         emitSlot(routed, tok, t, op.getWriteGate() ? w : oneF,
                                  op.getReadGate() ? w : oneF, scale);
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
    launch(blocks, one, e.idx(kThreads),
           [&](Value bx, Value, Value tid, Value nthreads) {
             Value row = arith::AddIOp::create(
                 b, arith::MulIOp::create(b, bx, nthreads), tid);
             Value inside =
                 arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, rows);
             e.ifThen(inside, [&] {
               auto [bi, t, h] = rowOf(row);
               Value eps = e.f32(
                   op.getNormEps() ? op.getNormEps()->convertToFloat() : 1e-5);
               emitOutputRow(
                   e,
                   [&](Value c) -> Value {
                     return memref::LoadOp::create(b, oacc,
                                                   ValueRange{bi, t, h, c});
                   },
                   valueWidth, normWeight, eps, outGate, o, bi, t, h);
             });
           });
  }

  /// Calls onPick(weight) for each routing slot of token t (in head h)
  /// that picks routed partition `routedPart`; with router(z), the token is
  /// classified into the private rows pickW/pickI first.
  void forEachPickOf(Value batch, Value t, Value h, Value routedPart,
                     Value pickW, Value pickI,
                     function_ref<void(Value)> onPick) {
    SmallVector<Value> row{batch, t};
    if (perHeadRouting)
      row.push_back(h);
    if (logits)
      emitClassifyRow(e, logits, row, e.dim(logits, row.size()),
                      routerConfigOf(op), pickW, pickI,
                      [](Value j) { return SmallVector<Value>{j}; });
    Value slots =
        weights ? e.dim(weights, row.size()) : e.idx(op.getNumSlots());
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
      e.ifThen(
          arith::CmpIOp::create(b, arith::CmpIPredicate::eq, pj, routedPart),
          [&] { onPick(w); });
    });
  }

  /// Private rows for the router's picks of one token (with router(z)).
  std::pair<Value, Value> privatePickRows() {
    if (!logits)
      return {Value(), Value()};
    int64_t slots = op.getNumSlots();
    return {
        memref::AllocaOp::create(b, MemRefType::get({slots}, b.getF32Type())),
        memref::AllocaOp::create(b, MemRefType::get({slots}, b.getI32Type()))};
  }

  ScanOp op;
  ImplicitLocOpBuilder &b;
  LoopEmitter e;
  Value q, v, weights, indices, logits, init, cu, normWeight, outGate;
  SlotInputs routed, shared;
  bool perHeadRouting = false, delta = false;
  Value zero, one, numBatch, numTokens, numHeads, keyWidth, valueWidth, numSeqs;
  Value o, states, oacc;
  bool tensorCores;

  //===--------------------------------------------------------------------===//
  // The tensor-core kernel (additive rule, f16/bf16 inputs)
  //===--------------------------------------------------------------------===//

  /// Tiles of the warp-level matrix ops (WMMA m16n16k16, f16 in, f32 acc).
  static constexpr int64_t kTile = 16;

  /// grouping = sorted: lists of each routed partition's (token, weight)
  /// entries per (sequence, head), in token order, built on the device by
  /// one thread per partition; the scan kernel then walks only those.
  Value listT, listW, listCount;

  void emitGroupingKernel() {
    int64_t n = op.getPartitions();
    auto dyn = ShapedType::kDynamic;
    SmallVector<Value> sizes{numSeqs, numHeads, e.idx(n), numTokens};
    listT =
        e.alloc(MemRefType::get({dyn, dyn, dyn, dyn}, b.getI32Type()), sizes);
    listW =
        e.alloc(MemRefType::get({dyn, dyn, dyn, dyn}, b.getF32Type()), sizes);
    listCount = e.alloc(MemRefType::get({dyn, dyn, dyn}, b.getI32Type()),
                        ValueRange{numSeqs, numHeads, e.idx(n)});
    Value gridX = arith::MulIOp::create(b, numSeqs, numHeads);
    launch(gridX, one, e.idx(n), [&](Value bx, Value, Value p, Value) {
      Value seq = arith::DivUIOp::create(b, bx, numHeads);
      Value h = arith::RemUIOp::create(b, bx, numHeads);
      auto [start, end, batch] = sequenceRange(seq);
      auto [pickW, pickI] = privatePickRows();
      Value counter =
          memref::AllocaOp::create(b, MemRefType::get({1}, b.getI32Type()));
      Value zero32 = arith::ConstantOp::create(b, b.getI32IntegerAttr(0));
      Value one32 = arith::ConstantOp::create(b, b.getI32IntegerAttr(1));
      memref::StoreOp::create(b, zero32, counter, ValueRange{zero});
      e.forLoop(start, end, [&](Value t) {
        forEachPickOf(batch, t, h, p, pickW, pickI, [&](Value w) {
          Value c = memref::LoadOp::create(b, counter, ValueRange{zero});
          Value at = arith::IndexCastOp::create(b, b.getIndexType(), c);
          memref::StoreOp::create(
              b, arith::IndexCastOp::create(b, b.getI32Type(), t), listT,
              ValueRange{seq, h, p, at});
          memref::StoreOp::create(b, w, listW, ValueRange{seq, h, p, at});
          memref::StoreOp::create(b, arith::AddIOp::create(b, c, one32),
                                  counter, ValueRange{zero});
        });
      });
      memref::StoreOp::create(
          b, memref::LoadOp::create(b, counter, ValueRange{zero}), listCount,
          ValueRange{seq, h, p});
    });
  }

  /// The token range and batch row of sequence `seq`.
  std::tuple<Value, Value, Value> sequenceRange(Value seq) {
    if (!cu)
      return {zero, numTokens, seq};
    auto clamp = [&](Value x) {
      Value lo = arith::MaxSIOp::create(b, x, zero);
      return arith::MinSIOp::create(b, lo, numTokens).getResult();
    };
    return {clamp(e.loadIndex(cu, {seq})),
            clamp(e.loadIndex(cu, {arith::AddIOp::create(b, seq, one)})), zero};
  }

  bool canUseTensorCores() {
    if (!tensorCores || delta)
      return false;
    auto qType = cast<RankedTensorType>(op.getQ().getType());
    auto vType = cast<RankedTensorType>(op.getV().getType());
    int64_t k = qType.getDimSize(3), vw = vType.getDimSize(3);
    Type elem = qType.getElementType();
    return (elem.isF16() || elem.isBF16()) && !ShapedType::isDynamic(k) &&
           !ShapedType::isDynamic(vw) && k % kTile == 0 && k <= 256 &&
           vw % kTile == 0;
  }

  /// One warp per (sequence, head, state partition, 16 columns of V). The
  /// tokens are walked in chunks of 16 with the chunk form of the additive
  /// rule; unselected tokens of the partition get weight 0 and no decay
  /// (dense masks). Per chunk, on tensor cores (f16 operands, f32 accum):
  ///   O  = Qd S + A V             Qd = scale w q exp(G), A = masked
  ///                               (w q)(w k)^T exp(G_i - G_j) (f32 on the
  ///                               CUDA cores: exp(-G) may overflow f16)
  ///   S <- exp(G_last) S + Kd^T V Kd = w k exp(G_last - G)
  /// with G the cumulative log-decay of the partition's tokens in the chunk.
  /// The f32 state tile lives in the final-states buffer.
  void emitTensorCoreScanKernel() {
    int64_t kw = cast<RankedTensorType>(op.getQ().getType()).getDimSize(3);
    int64_t vw = cast<RankedTensorType>(op.getV().getType()).getDimSize(3);
    MLIRContext *ctx = b.getContext();
    auto wg = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    auto f16 = b.getF16Type(), f32 = b.getF32Type();
    auto smem = [&](ArrayRef<int64_t> shape, Type t) {
      return MemRefType::get(shape, t, MemRefLayoutAttrInterface(), wg);
    };
    // Warps per block: each owns 16 columns of V; the chunk's selection,
    // decays, decayed q and k and the scores are computed once per block
    // and shared by its warps. As many warps as fit 48 KiB of shared
    // memory; the f32 state tile stays on chip when it fits too.
    auto sharedBytes = [&](int64_t warps, bool state) {
      int64_t cols = kTile * warps;
      int64_t bytes = 2 * kTile * kw * 2 + kw * cols * 2 + kTile * kw * 4 +
                      kTile * cols * 2 + kTile * kTile * 2 + kTile * cols * 4 +
                      3 * kTile * 4;
      return bytes + (state ? kw * cols * 4 : 0);
    };
    int64_t warps = 1;
    for (int64_t w : {4, 2})
      if (vw % (kTile * w) == 0 && sharedBytes(w, false) <= 48 * 1024) {
        warps = w;
        break;
      }
    int64_t cw = kTile * warps;
    bool stateOnChip = sharedBytes(warps, true) <= 48 * 1024;
    SmallVector<Type> attributions = {
        smem({kTile, kw}, f16),    // qd: scaled, decayed queries
        smem({kw, kTile}, f16),    // kdT: decayed keys, transposed
        smem({kw, cw}, f16),       // sh: the state tiles in f16 (for O)
        smem({kTile, kw}, f32),    // gcum: cumulative log-decays
        smem({kTile, cw}, f16),    // vt: values of the chunk
        smem({kTile, kTile}, f16), // am: masked intra-chunk scores
        smem({kTile, cw}, f32),    // ot: the chunk's outputs
        smem({kTile}, f32),        // wr: read weight per token (0: skip)
        smem({kTile}, f32),        // ww: write weight per token
        smem({kTile}, f32)};       // sel: 1 if the token selects
    if (stateOnChip)
      attributions.push_back(smem({kw, cw}, f32));
    int64_t statePartitions = op.getNumStatePartitions();
    Value vTiles = e.idx(vw / cw);
    Value gridX = arith::MulIOp::create(
        b, arith::MulIOp::create(b, numSeqs, numHeads), vTiles);
    auto launchOp = gpu::LaunchOp::create(
        b, gridX, e.idx(statePartitions), one, e.idx(32 * warps), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        ValueRange(), attributions);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launchOp.getBody().front());
    auto mem = launchOp.getWorkgroupAttributions();
    Value qd = mem[0], kdT = mem[1], sh = mem[2], gcum = mem[3], vt = mem[4],
          am = mem[5], ot = mem[6], wr = mem[7], wwr = mem[8], sel = mem[9];
    Value stateTile = stateOnChip ? Value(mem[10]) : Value();
    Value tid = launchOp.getThreadIds().x;
    Value part = launchOp.getBlockIds().y;
    Value bx = launchOp.getBlockIds().x;
    Value vtile = arith::RemUIOp::create(b, bx, vTiles);
    Value sh2 = arith::DivUIOp::create(b, bx, vTiles);
    Value seq = arith::DivUIOp::create(b, sh2, numHeads);
    Value h = arith::RemUIOp::create(b, sh2, numHeads);
    Value c0 = arith::MulIOp::create(b, vtile, e.idx(cw));
    auto [start, end, batch] = sequenceRange(seq);
    // `warp` is the stride of block-wide loops (all threads of the block).
    Value warp = e.idx(32 * warps), tile = e.idx(kTile), keys = e.idx(kw);
    Value cwidth = e.idx(cw);
    // This warp's 16 columns within the block's cw.
    Value colBase = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, tid, e.idx(32)), tile);
    Value scale = scanScale(e, op, keyWidth);
    Value zeroF = e.f32(0.0), oneF = e.f32(1.0);
    bool hasShared = shared.q != nullptr;
    Value isShared =
        hasShared
            ? arith::CmpIOp::create(b, arith::CmpIPredicate::eq, part, zero)
                  .getResult()
            : Value();
    Value routedPart =
        hasShared ? arith::SubIOp::create(b, part, one).getResult() : part;
    auto [pickW, pickI] = privatePickRows();
    auto stateAt = [&](Value r, Value c) {
      return SmallVector<Value>{seq, h, part, r,
                                arith::AddIOp::create(b, c0, c)};
    };
    // Element (r, c) of the state tile, on chip or in the states buffer.
    auto loadState = [&](Value r, Value c) -> Value {
      if (stateTile)
        return memref::LoadOp::create(b, stateTile, ValueRange{r, c});
      return memref::LoadOp::create(b, states, stateAt(r, c));
    };
    auto storeState = [&](Value x, Value r, Value c) {
      if (stateTile)
        memref::StoreOp::create(b, x, stateTile, ValueRange{r, c});
      else
        memref::StoreOp::create(b, x, states, stateAt(r, c));
    };
    // Chooses between the shared inputs (partition 0) and the routed ones.
    auto pickInput = [&](Value sharedV, Value routedV) -> Value {
      if (!hasShared)
        return routedV;
      return arith::SelectOp::create(b, isShared, sharedV, routedV);
    };
    auto loadQK = [&](bool isQ, Value t, Value r) -> Value {
      const SlotInputs &rin = routed;
      Value rv = e.loadF32(isQ ? rin.q : rin.k, {batch, t, h, r});
      if (!hasShared)
        return rv;
      Value sv = e.loadF32(isQ ? shared.q : shared.k, {batch, t, h, r});
      return pickInput(sv, rv);
    };
    auto loadGate = [&](Value t, Value r) -> Value {
      auto one = [&](const SlotInputs &in) -> Value {
        if (!in.gate)
          return zeroF;
        return in.perKeyGate ? e.loadF32(in.gate, {batch, t, h, r})
                             : e.loadF32(in.gate, {batch, t, h});
      };
      Value rv = one(routed);
      if (!hasShared)
        return rv;
      return pickInput(one(shared), rv);
    };

    // The state tile starts from init (or zeros).
    forStep(tid, arith::MulIOp::create(b, keys, cwidth), warp, [&](Value x) {
      Value r = arith::DivUIOp::create(b, x, cwidth);
      Value c = arith::RemUIOp::create(b, x, cwidth);
      Value s0 =
          init ? memref::LoadOp::create(b, init, stateAt(r, c)).getResult()
               : zeroF;
      storeState(s0, r, c);
    });
    gpu::BarrierOp::create(b);

    // With sorted grouping, a routed partition walks its list of entries
    // instead of every token; the shared partition walks every token.
    bool lists = listT != nullptr;
    Value listPart, loopLo = start, loopHi = end;
    if (lists) {
      listPart = hasShared
                     ? arith::MaxSIOp::create(b, routedPart, zero).getResult()
                     : part;
      Value count = arith::IndexCastOp::create(
          b, b.getIndexType(),
          memref::LoadOp::create(b, listCount, ValueRange{seq, h, listPart}));
      loopLo =
          hasShared
              ? arith::SelectOp::create(b, isShared, start, zero).getResult()
              : zero;
      loopHi =
          hasShared
              ? arith::SelectOp::create(b, isShared, end, count).getResult()
              : count;
    }
    auto loop = scf::ForOp::create(b, loopLo, loopHi, tile);
    b.setInsertionPointToStart(loop.getBody());
    Value t0 = loop.getInductionVar();
    Value n =
        arith::MinSIOp::create(b, tile, arith::SubIOp::create(b, loopHi, t0));
    Value lastToken = arith::SubIOp::create(b, numTokens, one);
    auto tokenAt = [&](Value i) -> Value {
      Value pos = arith::AddIOp::create(b, t0, i);
      if (!lists)
        return pos;
      // Entries past the end are never used (all uses are guarded by
      // inChunk); clamping keeps every load in bounds anyway.
      Value entry = arith::MinUIOp::create(b, pos, lastToken);
      Value listed = arith::IndexCastOp::create(
          b, b.getIndexType(),
          memref::LoadOp::create(b, listT,
                                 ValueRange{seq, h, listPart, entry}));
      return hasShared
                 ? arith::SelectOp::create(b, isShared, pos, listed).getResult()
                 : listed;
    };
    auto inChunk = [&](Value i) {
      return arith::CmpIOp::create(b, arith::CmpIPredicate::slt, i, n);
    };

    // (a) Per token of the chunk: does it select this partition, and with
    // which read and write weights?
    e.ifThen(
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, tid, tile), [&] {
          Value i = tid;
          memref::StoreOp::create(b, zeroF, sel, ValueRange{i});
          memref::StoreOp::create(b, zeroF, wr, ValueRange{i});
          memref::StoreOp::create(b, zeroF, wwr, ValueRange{i});
          e.ifThen(inChunk(i), [&] {
            Value t = tokenAt(i);
            auto select = [&](Value w) {
              memref::StoreOp::create(b, oneF, sel, ValueRange{i});
              memref::StoreOp::create(b, op.getReadGate() ? w : oneF, wr,
                                      ValueRange{i});
              memref::StoreOp::create(b, op.getWriteGate() ? w : oneF, wwr,
                                      ValueRange{i});
            };
            auto routedPick = [&] {
              if (!op.isRouted()) {
                select(oneF);
                return;
              }
              if (lists) {
                // Every listed entry picks this partition, with its weight.
                Value entry = arith::AddIOp::create(b, t0, i);
                select(memref::LoadOp::create(
                    b, listW, ValueRange{seq, h, listPart, entry}));
                return;
              }
              forEachPickOf(batch, t, h, routedPart, pickW, pickI, select);
            };
            if (!hasShared) {
              routedPick();
              return;
            }
            auto ifOp = scf::IfOp::create(b, isShared, /*withElseRegion=*/true);
            OpBuilder::InsertionGuard g2(b);
            b.setInsertionPointToStart(ifOp.thenBlock());
            memref::StoreOp::create(b, oneF, sel, ValueRange{i});
            memref::StoreOp::create(b, oneF, wr, ValueRange{i});
            memref::StoreOp::create(b, oneF, wwr, ValueRange{i});
            b.setInsertionPointToStart(ifOp.elseBlock());
            routedPick();
          });
        });
    gpu::BarrierOp::create(b);

    // (b) Cumulative log-decays over the selected tokens, per key.
    forStep(tid, keys, warp, [&](Value r) {
      Value cumulative = e.forLoop(
          zero, tile, {zeroF},
          [&](Value i, ValueRange acc) -> SmallVector<Value> {
            Value g = zeroF;
            auto ifOp = scf::IfOp::create(b, TypeRange{f32}, inChunk(i),
                                          /*withElseRegion=*/true);
            {
              OpBuilder::InsertionGuard g2(b);
              b.setInsertionPointToStart(ifOp.thenBlock());
              Value gi = arith::MulFOp::create(
                  b, loadGate(tokenAt(i), r),
                  memref::LoadOp::create(b, sel, ValueRange{i}));
              scf::YieldOp::create(b, ValueRange{gi});
              b.setInsertionPointToStart(ifOp.elseBlock());
              scf::YieldOp::create(b, ValueRange{g});
            }
            Value cum = arith::AddFOp::create(b, acc[0], ifOp.getResult(0));
            memref::StoreOp::create(b, cum, gcum, ValueRange{i, r});
            return {cum};
          })[0];
      // A serial chain of 16 dependent loads: unrolled, they overlap.
      cumulative.getDefiningOp()->setAttr(kUnrollAttr,
                                          b.getI64IntegerAttr(kTile));
    });
    gpu::BarrierOp::create(b);

    // (c) Operands of the chunk products.
    Value lastRow = e.idx(kTile - 1);
    forStep(tid, arith::MulIOp::create(b, tile, keys), warp, [&](Value x) {
      Value i = arith::DivUIOp::create(b, x, keys);
      Value r = arith::RemUIOp::create(b, x, keys);
      Value gir = memref::LoadOp::create(b, gcum, ValueRange{i, r});
      Value glast = memref::LoadOp::create(b, gcum, ValueRange{lastRow, r});
      auto ifOp = scf::IfOp::create(b, TypeRange{f32, f32}, inChunk(i), true);
      {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        Value t = tokenAt(i);
        Value qv = arith::MulFOp::create(
            b, loadQK(true, t, r),
            arith::MulFOp::create(
                b, scale, memref::LoadOp::create(b, wr, ValueRange{i})));
        Value kv = arith::MulFOp::create(
            b, loadQK(false, t, r),
            memref::LoadOp::create(b, wwr, ValueRange{i}));
        scf::YieldOp::create(
            b, ValueRange{
                   arith::MulFOp::create(b, qv, math::ExpOp::create(b, gir)),
                   arith::MulFOp::create(
                       b, kv,
                       math::ExpOp::create(
                           b, arith::SubFOp::create(b, glast, gir)))});
        b.setInsertionPointToStart(ifOp.elseBlock());
        scf::YieldOp::create(b, ValueRange{zeroF, zeroF});
      }
      memref::StoreOp::create(
          b, arith::TruncFOp::create(b, f16, ifOp.getResult(0)), qd,
          ValueRange{i, r});
      memref::StoreOp::create(
          b, arith::TruncFOp::create(b, f16, ifOp.getResult(1)), kdT,
          ValueRange{r, i});
    });
    forStep(tid, arith::MulIOp::create(b, keys, cwidth), warp, [&](Value x) {
      Value r = arith::DivUIOp::create(b, x, cwidth);
      Value c = arith::RemUIOp::create(b, x, cwidth);
      Value s = loadState(r, c);
      memref::StoreOp::create(b, arith::TruncFOp::create(b, f16, s), sh,
                              ValueRange{r, c});
    });
    forStep(tid, arith::MulIOp::create(b, tile, cwidth), warp, [&](Value x) {
      Value i = arith::DivUIOp::create(b, x, cwidth);
      Value c = arith::RemUIOp::create(b, x, cwidth);
      Value j = c;
      // Values of the chunk.
      auto vIf = scf::IfOp::create(b, TypeRange{f32}, inChunk(i), true);
      {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(vIf.thenBlock());
        scf::YieldOp::create(
            b, ValueRange{e.loadF32(v, {batch, tokenAt(i), h,
                                        arith::AddIOp::create(b, c0, c)})});
        b.setInsertionPointToStart(vIf.elseBlock());
        scf::YieldOp::create(b, ValueRange{zeroF});
      }
      memref::StoreOp::create(b,
                              arith::TruncFOp::create(b, f16, vIf.getResult(0)),
                              vt, ValueRange{i, c});
      // Masked scores (16 x 16, the first 16 columns of the loop): j <= i,
      // both in the chunk, in f32.
      Value isScore =
          arith::CmpIOp::create(b, arith::CmpIPredicate::ult, j, tile);
      Value causal = arith::AndIOp::create(
          b, arith::CmpIOp::create(b, arith::CmpIPredicate::ule, j, i),
          inChunk(i));
      causal = arith::AndIOp::create(b, causal, isScore);
      auto aIf = scf::IfOp::create(b, TypeRange{f32}, causal, true);
      {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(aIf.thenBlock());
        Value ti = tokenAt(i), tj = tokenAt(j);
        Value wq = arith::MulFOp::create(
            b, scale, memref::LoadOp::create(b, wr, ValueRange{i}));
        Value wk = memref::LoadOp::create(b, wwr, ValueRange{j});
        Value dot = e.forLoop(
            zero, keys, {zeroF},
            [&](Value r, ValueRange acc) -> SmallVector<Value> {
              Value rel = math::ExpOp::create(
                  b, arith::SubFOp::create(
                         b, memref::LoadOp::create(b, gcum, ValueRange{i, r}),
                         memref::LoadOp::create(b, gcum, ValueRange{j, r})));
              Value qk = arith::MulFOp::create(b, loadQK(true, ti, r),
                                               loadQK(false, tj, r));
              return {arith::AddFOp::create(b, acc[0],
                                            arith::MulFOp::create(b, qk, rel))};
            })[0];
        // Unrolled after the conversion, so that several iterations' loads
        // are in flight at once (the loop is latency bound).
        dot.getDefiningOp()->setAttr(kUnrollAttr, b.getI64IntegerAttr(8));
        scf::YieldOp::create(b, ValueRange{arith::MulFOp::create(
                                    b, dot, arith::MulFOp::create(b, wq, wk))});
        b.setInsertionPointToStart(aIf.elseBlock());
        scf::YieldOp::create(b, ValueRange{zeroF});
      }
      e.ifThen(isScore, [&] {
        memref::StoreOp::create(
            b, arith::TruncFOp::create(b, f16, aIf.getResult(0)), am,
            ValueRange{i, j});
      });
    });
    gpu::BarrierOp::create(b);

    // (d) O = Qd S + A V on tensor cores.
    auto aType = gpu::MMAMatrixType::get({kTile, kTile}, f16, "AOp");
    auto bType = gpu::MMAMatrixType::get({kTile, kTile}, f16, "BOp");
    auto cType = gpu::MMAMatrixType::get({kTile, kTile}, f32, "COp");
    auto ld = [&](int64_t lead) { return b.getIndexAttr(lead); };
    Value acc = gpu::SubgroupMmaConstantMatrixOp::create(b, cType, zeroF);
    for (int64_t r0 = 0; r0 < kw; r0 += kTile) {
      Value a = gpu::SubgroupMmaLoadMatrixOp::create(
          b, aType, qd, ValueRange{zero, e.idx(r0)}, ld(kw), UnitAttr());
      Value bm = gpu::SubgroupMmaLoadMatrixOp::create(
          b, bType, sh, ValueRange{e.idx(r0), colBase}, ld(cw), UnitAttr());
      acc = gpu::SubgroupMmaComputeOp::create(b, cType, a, bm, acc, UnitAttr(),
                                              UnitAttr());
    }
    {
      Value a = gpu::SubgroupMmaLoadMatrixOp::create(
          b, aType, am, ValueRange{zero, zero}, ld(kTile), UnitAttr());
      Value bm = gpu::SubgroupMmaLoadMatrixOp::create(
          b, bType, vt, ValueRange{zero, colBase}, ld(cw), UnitAttr());
      acc = gpu::SubgroupMmaComputeOp::create(b, cType, a, bm, acc, UnitAttr(),
                                              UnitAttr());
    }
    gpu::SubgroupMmaStoreMatrixOp::create(b, acc, ot, ValueRange{zero, colBase},
                                          ld(cw), UnitAttr());
    gpu::BarrierOp::create(b);

    // (e) Outputs of the selected tokens, added to the accumulator; and the
    // decay of the state tile by exp(G_last).
    forStep(tid, arith::MulIOp::create(b, tile, cwidth), warp, [&](Value x) {
      Value i = arith::DivUIOp::create(b, x, cwidth);
      Value c = arith::RemUIOp::create(b, x, cwidth);
      Value selected = arith::CmpFOp::create(
          b, arith::CmpFPredicate::ONE,
          memref::LoadOp::create(b, sel, ValueRange{i}), zeroF);
      e.ifThen(arith::AndIOp::create(b, inChunk(i), selected), [&] {
        Value val = memref::LoadOp::create(b, ot, ValueRange{i, c});
        memref::AtomicRMWOp::create(
            b, arith::AtomicRMWKind::addf, val, oacc,
            ValueRange{batch, tokenAt(i), h, arith::AddIOp::create(b, c0, c)});
      });
    });
    forStep(tid, arith::MulIOp::create(b, keys, cwidth), warp, [&](Value x) {
      Value r = arith::DivUIOp::create(b, x, cwidth);
      Value c = arith::RemUIOp::create(b, x, cwidth);
      Value decay = math::ExpOp::create(
          b, memref::LoadOp::create(b, gcum, ValueRange{lastRow, r}));
      storeState(arith::MulFOp::create(b, decay, loadState(r, c)), r, c);
    });
    gpu::BarrierOp::create(b);

    // (f) S += Kd^T V on tensor cores, straight on the f32 state tile.
    for (int64_t r0 = 0; r0 < kw; r0 += kTile) {
      Value stMem = stateTile ? stateTile : states;
      SmallVector<Value> at = stateTile ? SmallVector<Value>{e.idx(r0), colBase}
                                        : stateAt(e.idx(r0), colBase);
      int64_t lead = stateTile ? cw : vw;
      Value c = gpu::SubgroupMmaLoadMatrixOp::create(b, cType, stMem, at,
                                                     ld(lead), UnitAttr());
      Value a = gpu::SubgroupMmaLoadMatrixOp::create(
          b, aType, kdT, ValueRange{e.idx(r0), zero}, ld(kTile), UnitAttr());
      Value bm = gpu::SubgroupMmaLoadMatrixOp::create(
          b, bType, vt, ValueRange{zero, colBase}, ld(cw), UnitAttr());
      Value d = gpu::SubgroupMmaComputeOp::create(b, cType, a, bm, c,
                                                  UnitAttr(), UnitAttr());
      gpu::SubgroupMmaStoreMatrixOp::create(b, d, stMem, at, ld(lead),
                                            UnitAttr());
    }
    gpu::BarrierOp::create(b);
    b.setInsertionPointAfter(loop);
    // The final states leave the chip once.
    if (stateTile)
      forStep(tid, arith::MulIOp::create(b, keys, cwidth), warp, [&](Value x) {
        Value r = arith::DivUIOp::create(b, x, cwidth);
        Value c = arith::RemUIOp::create(b, x, cwidth);
        memref::StoreOp::create(
            b, memref::LoadOp::create(b, stateTile, ValueRange{r, c}), states,
            stateAt(r, c));
      });
    gpu::TerminatorOp::create(b);
  }
};

struct ScanToGPU : public OpRewritePattern<ScanOp> {
  ScanToGPU(MLIRContext *ctx, bool tensorCores)
      : OpRewritePattern(ctx), tensorCores(tensorCores) {}
  bool tensorCores;
  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto [o, states] = ScanKernels(op, b, tensorCores).lower();
    rewriter.replaceOp(op, {o, states});
    return success();
  }
};

struct ConvertSSEToGPUPass
    : public sse::impl::ConvertSSEToGPUBase<ConvertSSEToGPUPass> {
  using Base::Base;
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
    populateSSEToGPUConversionPatterns(patterns, tensorCores);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    SmallVector<scf::ForOp> toUnroll;
    getOperation()->walk([&](scf::ForOp loop) {
      if (loop->hasAttr(kUnrollAttr))
        toUnroll.push_back(loop);
    });
    for (scf::ForOp loop : toUnroll) {
      auto factor = cast<IntegerAttr>(loop->getAttr(kUnrollAttr)).getInt();
      loop->removeAttr(kUnrollAttr);
      (void)loopUnrollByFactor(loop, factor); // a hint: failure keeps it
    }
  }
};

} // namespace

void mlir::sse::populateSSEToGPUConversionPatterns(RewritePatternSet &patterns,
                                                   bool tensorCores) {
  patterns.add<ScanToGPU>(patterns.getContext(), tensorCores);
}
