//===- ScanKernels.h - The kernels of one sse.scan -------------*- C++ -*-===//
//
// Private to the SSEToGPU library: the builder of the kernels of one
// sse.scan. This header holds the buffers' set-up and the CUDA-core kernels
// (the column-per-thread scan, grouping, epilogue); TensorCoreScan.cpp
// holds the chunked tensor-core scan and its segment kernels.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_LIB_CONVERSION_SSETOGPU_SCANKERNELS_H
#define SSE_LIB_CONVERSION_SSETOGPU_SCANKERNELS_H

#include "sse/Conversion/LoopEmitter.h"
#include "sse/Conversion/SSEToGPU/SSEToGPU.h"
#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/IR/SSEAttrNames.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace sse {
namespace gpu_lowering {

/// What one launch of the tensor-core scan kernel computes.
enum class TensorCoreMode { Full, SegmentLocal, SegmentOutput };

/// Threads per block of the scan and zeroing kernels.
constexpr int64_t kThreads = 128;

/// Marks an scf.for to unroll by the given factor once the kernels are
/// emitted (unrollMarkedKernelLoops).
constexpr llvm::StringLiteral kUnrollAttr = attr_names::kUnroll;

class ScanKernels : ScanOperands {
public:
  /// `scanIndex` numbers the scans of a module: the kernels of scan i > 0
  /// get the suffix "_i" (kernel names must be unique).
  /// `bufferOf(tensor)` gives the buffer of a tensor operand; with
  /// `statesInPlace` (the buffer of `init`, at bufferization) the final
  /// states are written there instead of into a new buffer.
  ScanKernels(ScanOp op, ImplicitLocOpBuilder &b, bool tensorCores,
              int64_t scanIndex, function_ref<Value(Value)> bufferOf,
              Value statesInPlace = {})
      : op(op), b(b), e(b), tensorCores(tensorCores), scanIndex(scanIndex),
        bufferOf(bufferOf), statesInPlace(statesInPlace) {}

  /// Names the kernel (and its module) that `launchOp` becomes when
  /// outlined: `role`, with the scan's suffix. Per-kernel timings
  /// (SSE_RUNTIME_PROFILE) print it.
  void nameKernel(gpu::LaunchOp launchOp, StringRef role) {
    std::string name = role.str();
    if (scanIndex > 0)
      name += "_" + std::to_string(scanIndex);
    auto sym = FlatSymbolRefAttr::get(b.getContext(), name);
    launchOp.setFunctionAttr(sym);
    launchOp.setModuleAttr(sym);
  }

  /// Emits the kernels; returns the buffers of o and the final states.
  std::pair<Value, Value> lower() {
    setUp();
    emitZeroKernel();
    if (canUseTensorCores()) {
      std::optional<ScheduleAttr> schedule = op.getSchedule();
      if (schedule && schedule->getGrouping() == Grouping::sorted &&
          op.isRouted())
        emitGroupingKernel();
      int64_t segments = segmentsOf();
      if (segments > 1) {
        auto dyn = ShapedType::kDynamic;
        Value parts = e.idx(op.getNumStatePartitions());
        Value segStates =
            e.alloc(MemRefType::get({dyn, dyn, dyn, segments, dyn, dyn},
                                    b.getF32Type()),
                    ValueRange{numSeqs, numHeads, parts, keyWidth, valueWidth});
        Value segDecay = e.alloc(
            MemRefType::get({dyn, dyn, dyn, segments, dyn}, b.getF32Type()),
            ValueRange{numSeqs, numHeads, parts, keyWidth});
        emitTensorCoreScanKernel(TensorCoreMode::SegmentLocal, segments,
                                 segStates, segDecay);
        emitSegmentCombineKernel(segments, segStates, segDecay);
        emitTensorCoreScanKernel(TensorCoreMode::SegmentOutput, segments,
                                 segStates, segDecay);
      } else {
        emitTensorCoreScanKernel();
      }
    } else {
      emitScanKernel();
    }
    emitEpilogueKernel();
    return {o, states};
  }

private:
  void setUp() {
    // In place: every kernel reads an element of init and writes its final
    // value from the same thread, so init and states may be one buffer.
    bindOperands(op, bufferOf, statesInPlace);
    bindResults(e, op, statesInPlace);

    zero = e.idx(0);
    one = e.idx(1);
    numBatch = e.dim(q, 0);
    auto dyn = ShapedType::kDynamic;
    oacc = e.alloc(MemRefType::get({dyn, dyn, dyn, dyn}, b.getF32Type()),
                   ValueRange{numBatch, numTokens, numHeads, valueWidth});
  }

  /// Builds `gpu.launch` with the given grid and block sizes; `body` gets
  /// (block id x, block id y, thread id x, block size x).
  void launch(StringRef role, Value gridX, Value gridY, Value blockX,
              function_ref<void(Value, Value, Value, Value)> body) {
    auto launchOp =
        gpu::LaunchOp::create(b, gridX, gridY, one, blockX, one, one);
    nameKernel(launchOp, role);
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

  /// Zeroes the f32 accumulator of o with a device memset (no kernel).
  void emitZeroKernel() {
    gpu::MemsetOp::create(b, /*asyncToken=*/Type(), ValueRange(), oacc,
                          e.f32(0.0));
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
    launch("sse_scan", gridX, gridY, e.idx(kThreads),
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

  /// One warp per output row (4 rows per block): lanes take every 32nd
  /// column, so the warp reads and writes whole lines, and the norm's sum
  /// is a butterfly of shuffles.
  void emitEpilogueKernel() {
    Value rows = arith::MulIOp::create(
        b, arith::MulIOp::create(b, numBatch, numTokens), numHeads);
    constexpr int64_t rowsPerBlock = kThreads / 32;
    Value blocks = arith::CeilDivUIOp::create(b, rows, e.idx(rowsPerBlock));
    launch("sse_epilogue", blocks, one, e.idx(kThreads),
           [&](Value bx, Value, Value tid, Value) {
             Value row = arith::AddIOp::create(
                 b, arith::MulIOp::create(b, bx, e.idx(rowsPerBlock)),
                 arith::DivUIOp::create(b, tid, e.idx(32)));
             Value lane = arith::RemUIOp::create(b, tid, e.idx(32));
             Value inside =
                 arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, rows);
             e.ifThen(inside, [&] { // uniform over the warp
               auto [bi, t, h] = rowOf(row);
               Value eps = e.f32(
                   op.getNormEps() ? op.getNormEps()->convertToFloat() : 1e-5);
               auto warpSum = [&](Value x) -> Value {
                 Value width =
                     arith::ConstantOp::create(b, b.getI32IntegerAttr(32));
                 for (int64_t off = 16; off > 0; off /= 2) {
                   Value o =
                       arith::ConstantOp::create(b, b.getI32IntegerAttr(off));
                   Value y = gpu::ShuffleOp::create(b, x, o, width,
                                                    gpu::ShuffleMode::XOR)
                                 .getShuffleResult();
                   x = arith::AddFOp::create(b, x, y);
                 }
                 return x;
               };
               emitOutputRow(
                   e,
                   [&](Value c) -> Value {
                     return memref::LoadOp::create(b, oacc,
                                                   ValueRange{bi, t, h, c});
                   },
                   valueWidth, normWeight, eps, outGate, o, bi, t, h,
                   RowColumns{lane, e.idx(32), warpSum});
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
  Value zero, one, numBatch, oacc;
  bool tensorCores;
  int64_t scanIndex;
  function_ref<Value(Value)> bufferOf;
  Value statesInPlace;

  //===--------------------------------------------------------------------===//
  // The tensor-core kernel (any input type, either rule)
  //===--------------------------------------------------------------------===//

  /// Tiles of the warp-level matrix ops (mma.sync m16n8k16: 16 rows and a
  /// 16-long reduction).
  static constexpr int64_t kTile = 16;

  /// grouping = sorted: lists of each routed partition's (token, weight)
  /// entries per (sequence, head), in token order, built on the device;
  /// the scan kernel then walks only those.
  Value listT, listW, listCount;

  /// Threads per block of the grouping kernel.
  static constexpr int64_t kGroupThreads = 256;

  /// One block per (sequence, head, routed partition): each thread takes a
  /// contiguous range of the sequence's tokens and counts its picks of the
  /// partition; a block-wide prefix sum of the counts gives each thread
  /// where its entries go; a second walk writes them, so the list keeps
  /// token order.
  void emitGroupingKernel() {
    int64_t n = op.getPartitions();
    auto dyn = ShapedType::kDynamic;
    // A token may pick one partition in several slots: k entries at most.
    Value capacity =
        arith::MulIOp::create(b, numTokens, e.idx(op.getNumSlots()));
    SmallVector<Value> sizes{numSeqs, numHeads, e.idx(n), capacity};
    listT =
        e.alloc(MemRefType::get({dyn, dyn, dyn, dyn}, b.getI32Type()), sizes);
    listW =
        e.alloc(MemRefType::get({dyn, dyn, dyn, dyn}, b.getF32Type()), sizes);
    listCount = e.alloc(MemRefType::get({dyn, dyn, dyn}, b.getI32Type()),
                        ValueRange{numSeqs, numHeads, e.idx(n)});
    Type i32 = b.getI32Type();
    auto wg = gpu::AddressSpaceAttr::get(b.getContext(),
                                         gpu::AddressSpace::Workgroup);
    auto countsType =
        MemRefType::get({kGroupThreads}, i32, MemRefLayoutAttrInterface(), wg);
    Value gridX = arith::MulIOp::create(b, numSeqs, numHeads);
    auto launchOp = gpu::LaunchOp::create(
        b, gridX, e.idx(n), one, e.idx(kGroupThreads), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        ValueRange(), TypeRange{countsType});
    nameKernel(launchOp, "sse_group");
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launchOp.getBody().front());
    Value counts = launchOp.getWorkgroupAttributions()[0];
    Value tid = launchOp.getThreadIds().x, p = launchOp.getBlockIds().y;
    Value seq = arith::DivUIOp::create(b, launchOp.getBlockIds().x, numHeads);
    Value h = arith::RemUIOp::create(b, launchOp.getBlockIds().x, numHeads);
    auto [start, end, batch] = sequenceRange(seq);
    auto [pickW, pickI] = privatePickRows();
    Value per = arith::CeilDivUIOp::create(
        b, arith::SubIOp::create(b, end, start), e.idx(kGroupThreads));
    Value lo = arith::MinSIOp::create(
        b, arith::AddIOp::create(b, start, arith::MulIOp::create(b, tid, per)),
        end);
    Value hi =
        arith::MinSIOp::create(b, arith::AddIOp::create(b, lo, per), end);
    Value counter = memref::AllocaOp::create(b, MemRefType::get({1}, i32));
    Value one32 = arith::ConstantOp::create(b, b.getI32IntegerAttr(1));
    auto counterAt = [&] {
      return memref::LoadOp::create(b, counter, ValueRange{zero}).getResult();
    };
    auto bump = [&] {
      memref::StoreOp::create(b, arith::AddIOp::create(b, counterAt(), one32),
                              counter, ValueRange{zero});
    };
    // (1) Count this thread's picks.
    memref::StoreOp::create(
        b, arith::ConstantOp::create(b, b.getI32IntegerAttr(0)), counter,
        ValueRange{zero});
    e.forLoop(lo, hi, [&](Value t) {
      forEachPickOf(batch, t, h, p, pickW, pickI, [&](Value) { bump(); });
    });
    Value mine = counterAt();
    memref::StoreOp::create(b, mine, counts, ValueRange{tid});
    gpu::BarrierOp::create(b);
    // (2) Inclusive prefix sum over the threads (Hillis-Steele).
    for (int64_t off = 1; off < kGroupThreads; off *= 2) {
      Value has =
          arith::CmpIOp::create(b, arith::CmpIPredicate::uge, tid, e.idx(off));
      auto ifOp = scf::IfOp::create(b, TypeRange{i32}, has, true);
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(ifOp.thenBlock());
        scf::YieldOp::create(
            b, ValueRange{memref::LoadOp::create(
                   b, counts,
                   ValueRange{arith::SubIOp::create(b, tid, e.idx(off))})});
        b.setInsertionPointToStart(ifOp.elseBlock());
        scf::YieldOp::create(b, ValueRange{arith::ConstantOp::create(
                                    b, b.getI32IntegerAttr(0))});
      }
      gpu::BarrierOp::create(b);
      Value sum = arith::AddIOp::create(
          b, memref::LoadOp::create(b, counts, ValueRange{tid}),
          ifOp.getResult(0));
      memref::StoreOp::create(b, sum, counts, ValueRange{tid});
      gpu::BarrierOp::create(b);
    }
    e.ifThen(arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tid,
                                   e.idx(kGroupThreads - 1)),
             [&] {
               memref::StoreOp::create(
                   b, memref::LoadOp::create(b, counts, ValueRange{tid}),
                   listCount, ValueRange{seq, h, p});
             });
    // (3) Write the entries from the exclusive prefix on.
    memref::StoreOp::create(
        b,
        arith::SubIOp::create(
            b, memref::LoadOp::create(b, counts, ValueRange{tid}), mine),
        counter, ValueRange{zero});
    e.forLoop(lo, hi, [&](Value t) {
      forEachPickOf(batch, t, h, p, pickW, pickI, [&](Value w) {
        Value at = arith::IndexCastOp::create(b, b.getIndexType(), counterAt());
        memref::StoreOp::create(b, arith::IndexCastOp::create(b, i32, t), listT,
                                ValueRange{seq, h, p, at});
        memref::StoreOp::create(b, w, listW, ValueRange{seq, h, p, at});
        bump();
      });
    });
    gpu::TerminatorOp::create(b);
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
    if (!tensorCores)
      return false;
    auto qType = cast<RankedTensorType>(op.getQ().getType());
    auto vType = cast<RankedTensorType>(op.getV().getType());
    int64_t k = qType.getDimSize(3), vw = vType.getDimSize(3);
    Type elem = qType.getElementType();
    return (elem.isF16() || elem.isBF16() || elem.isF32()) &&
           !ShapedType::isDynamic(k) && !ShapedType::isDynamic(vw) &&
           k % kTile == 0 && k <= 256 && vw % kTile == 0;
  }

  /// The tensor-core scan kernel (TensorCoreScan.cpp). With `segments` > 1
  /// (split = chunked) each (sequence, head, partition) is cut into that
  /// many segments of its entries, one block each: SegmentLocal writes each
  /// segment's state from zero and its summed log-decay to `segStates` /
  /// `segDecay`; SegmentOutput starts each segment from `segStates` (the
  /// combine kernel's states at segment starts) and writes the outputs.
  void emitTensorCoreScanKernel(TensorCoreMode mode = TensorCoreMode::Full,
                                int64_t segments = 1, Value segStates = {},
                                Value segDecay = {});

  /// split = chunked: the number of segments per (sequence, head,
  /// partition), enough blocks for two waves on an H100 (132 SMs), each
  /// segment at least two chunks long; 1 keeps the recurrent form.
  int64_t segmentsOf();

  /// Blocks of the tensor-core kernel per segment (sequences x heads x
  /// state partitions x V tiles), when the shapes are static.
  std::optional<int64_t> staticWorkItems();

  /// The short scan over the segments: per state element, in segment
  /// order, stores the state at each segment's start over its local state
  /// and leaves the final state in `states`.
  void emitSegmentCombineKernel(int64_t segments, Value segStates,
                                Value segDecay);
};

} // namespace gpu_lowering
} // namespace sse
} // namespace mlir

#endif // SSE_LIB_CONVERSION_SSETOGPU_SCANKERNELS_H
