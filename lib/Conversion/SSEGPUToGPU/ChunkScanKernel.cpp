//===- ChunkScanKernel.cpp - sse_gpu.chunk_scan as a gpu.func -------------===//
//
// The chunk-scan kernel on sm_90a: a block of two warpgroups per (sequence,
// head, V slice) of a dense partition walks the sequence, or per (sequence,
// partition, head, V slice) of routed ones the partition's token list, in
// 64-token chunks with the f32 state in the registers of warpgroup 1:
//
//   O  = scale (Qd S + mask(Qd Ks^T) V)     Qd = q exp(P)    (warpgroup 0)
//   S <- exp(P_last) S + Kd^T V             Kd = k exp(R)    (warpgroup 1)
//
// P is the inclusive prefix of the log-gates from the chunk's start, R the
// exclusive suffix to its end, both sums taken directly (never a
// difference), so every factor of the state products lies in [0, 1] and a
// -inf gate (a reset) makes it 0. The scores reuse Qd against
// Ks = k exp(-P) = Kd exp(-P_last), factors within [e^-B, 1] and
// [1, e^B] while the chunk's log-decay stays above -B for every key
// (B = fastBound; a vote over the block); any other chunk forms its
// masked scores elementwise with a running sum of the gates per key. The
// scale multiplies the output accumulator once, not every operand.
//
// Per chunk: cp.async loads of q, k, g, v (issued one chunk ahead, during
// the products; routed: the listed tokens' rows and each visit's weight),
// the gate prefix, the operands in core-matrix layouts (WarpgroupMMA.h),
// the vote, then wgmma. The outputs go to o (adding the routed partials
// when given) or, routed, to one f32 partial per visit. Every buffer is
// the plan's.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitters.h"

#include "sse/Conversion/SSEGPUToGPU/WarpgroupMMA.h"
#include "sse/Dialect/SSEGPU/Analysis/KernelPlan.h"
#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/Support/SaveAndRestore.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
constexpr int64_t kWarp = 32;
constexpr int64_t kWarpgroup = 128;
constexpr int64_t kThreads = 2 * kWarpgroup;
constexpr int64_t kChunk = 64;
/// Rows of one wgmma tile (M).
constexpr int64_t kTileRows = 64;
/// The scores of a chunk go on tensor cores, as Qd Ks^T, when for every
/// key the log-decay over the chunk is at least -fastBound: the factors
/// exp(P) of Qd lie in [e^-fastBound, 1], the factors exp(-P) of Ks in
/// [1, e^fastBound], and each product keeps its relative precision
/// (masked entries may overflow; they are selected away, never
/// multiplied). Ks is formed as Kd exp(-P_63), so exp(R) down to
/// e^-fastBound must be a normal f32 (e^-87.3); bf16 has f32's exponent
/// range, and 64 keeps Qd normal for |q| down to 1e-10. f16 overflows at
/// e^11.1 and turns subnormal below e^-9.7, so its bound is 6 (|k| up to
/// 160 stays finite, |q| down to 0.025 normal).
double fastBound(Type element) { return element.isF16() ? 6.0 : 64.0; }
/// Named barriers (0 is the block barrier), each arrived at by one
/// warpgroup and waited on by the other: warpgroup 0 has read the state
/// copy; warpgroup 1 has written the masked scores.
constexpr int64_t kStateReadBarrier = 1;
constexpr int64_t kScoresBarrier = 2;
/// Warpgroup 0 has filled, or emptied, the output stage (its own barrier).
constexpr int64_t kOutputStageBarrier = 3;
/// 16-byte pieces in a row of the output stage.
constexpr int64_t kPiecesPerStageRow = kOutputStageRowBytes / 16;

/// What a chunk-scan kernel reads and writes, from either op that builds
/// one: sse_gpu.chunk_scan (the walk with its outputs) or
/// sse_gpu.segment_states (a segmented walk's state pass: no q, no
/// outputs; the pieces' end states and decays instead of the states).
struct ScanOperands {
  Operation *op;
  Value q, k, v, gate, counts, tokens, weights, cuSeqlens, partialsIn;
  Value segmentInit, out, states, ends, decays;
  int64_t firstPartition = 0, partitions = 1;
  double scale = 1.0;
  bool readGate = false, writeGate = false, zeroInit = false;
  PlanAttr plan;

  explicit ScanOperands(ChunkScanOp scan)
      : op(scan), q(scan.getQ()), k(scan.getK()), v(scan.getV()),
        gate(scan.getGate()), counts(scan.getCounts()),
        tokens(scan.getTokens()), weights(scan.getWeights()),
        cuSeqlens(scan.getCuSeqlens()), partialsIn(scan.getPartialsIn()),
        segmentInit(scan.getSegmentInit()), out(scan.getOutInit()),
        states(scan.getStatesInit()),
        firstPartition(static_cast<int64_t>(scan.getFirstPartition())),
        partitions(static_cast<int64_t>(scan.getPartitions())),
        scale(scan.getScale().convertToFloat()), readGate(scan.getReadGate()),
        writeGate(scan.getWriteGate()), zeroInit(scan.getZeroInit()),
        plan(scan.getPlan()) {}
  explicit ScanOperands(SegmentStatesOp pass)
      : op(pass), k(pass.getK()), v(pass.getV()), gate(pass.getGate()),
        cuSeqlens(pass.getCuSeqlens()), ends(pass.getEndsInit()),
        decays(pass.getDecaysInit()), zeroInit(true), plan(pass.getPlan()) {}
  bool routed() const { return counts != nullptr; }
  /// The state pass of a segmented walk.
  bool statesOnly() const { return ends != nullptr; }
  /// The walk's blocks per sequence: its pieces (the state pass has no
  /// block for the last).
  int64_t pieces() const {
    return statesOnly() ? plan.getSegments() - 1 : plan.getSegments();
  }
};

/// What the kernel is built for, from the op's types and plan.
struct KernelShape {
  int64_t keys, values, vSlice, parts, span;
  Type element, gateElement;
  bool gated, perKey, packed, zeroInit;
  double scale;
  /// Routed partitions: a block walks the token list of one (sequence,
  /// partition) from sse_gpu.group; `slots` visits per token (k), the
  /// lists per head when `perHeadRouting`; the read and write gates scale
  /// q and k by the visit's weight.
  bool routed = false, perHeadRouting = false, readGate = false,
       writeGate = false;
  int64_t slots = 1, partitions = 1;
  /// Outputs as one f32 partial per visit ([B, T, H, k, V]), not o.
  bool partials = false;
};

class ChunkScanEmitter {
public:
  ChunkScanEmitter(const ScanOperands &ops, gpu::GPUFuncOp fn,
                   ImplicitLocOpBuilder &b)
      : ops(ops), fn(fn), b(b), plan(ops.plan) {}
  void emit();

private:
  // Small builders.
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(double v) {
    return arith::ConstantFloatOp::create(b, b.getF32Type(),
                                          APFloat(static_cast<float>(v)));
  }
  Value toF32(Value v) {
    return v.getType().isF32() ? v
                               : arith::ExtFOp::create(b, b.getF32Type(), v);
  }
  Value exp(Value v) {
    return math::ExpOp::create(b, v,
                               arith::FastMathFlagsAttr::get(
                                   b.getContext(), arith::FastMathFlags::afn));
  }
  /// 2^v on the MUFU unit, subnormal results flushed to zero: the operand
  /// preparation keeps its sums in log2 units, so one instruction per
  /// factor (math.exp adds a multiply and a subnormal range fix-up).
  Value exp2(Value v) {
    return LLVM::CallIntrinsicOp::create(
               b, b.getF32Type(),
               b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f32"), ValueRange{v})
        .getResult(0);
  }
  /// `values` as one vector of `element`, each rounded to it unless it
  /// has that type already.
  Value pack(Type element, ArrayRef<Value> values) {
    SmallVector<Value> narrow;
    for (Value v : values)
      narrow.push_back(
          v.getType() == element ? v : arith::TruncFOp::create(b, element, v));
    return vector::FromElementsOp::create(
        b, VectorType::get({int64_t(values.size())}, element), narrow);
  }
  Value arg(Value operand);
  Value view(StringRef name, ArrayRef<int64_t> shape, Type element,
             Value stage = Value());
  Value address(Value view1D);
  void storeAt(Value view1D, const CoreMatrixLayout &layout, Value row, Value k,
               Value value);
  void proxyFence();
  Value rawColumn(Value row, Value col);
  SmallVector<Value> loadQuad(Value tile, Value row, Value key0, Type element);
  Value partScan(Value v, Value part, bool up);
  Value fromPart(Value v, Value part, int64_t from);

  // Stages.
  void setUp();
  void narrowToSegment();
  void stateOnlyStep(scf::ForOp loop, Value stateGroup, Value nextChunk,
                     Value more, Value nextGates);
  void outputStep(scf::ForOp loop, Value fastHere, Value stateGroup,
                  Value nextChunk, Value more, Value nextGates);
  void refillAfterPreparation(Value nextChunk, Value more, Value nextGates);
  void bindStage(Value chunk);
  void issueFirstChunk();
  Value issueNextChunkEarly(Value nextChunk, Value more);
  void issueLoads(Value chunk);
  void copyWeights(Value chunk);
  Value loadScalarGates(Value chunk);
  void storeScalarGates(Value gates, Value tile);
  Value stageOf(Value chunk);
  Value prepareOperands();
  /// A thread's gate sums (one column per key, or one for scalar gates):
  /// P of each of its tokens, the sum of the parts after its own, and the
  /// factor that turns Kd into Ks.
  struct GateSums {
    SmallVector<SmallVector<Value>> prefix;
    SmallVector<Value> after, toKs;
  };
  void writeOperands(const GateSums &sums, Value key0, Value t0);
  SmallVector<Value> gateRow(Value t, Value key0);
  Value addGate(Value sum, Value g);
  void transposeValues();
  void slowScores(Value chunk);
  void outputProducts(Value chunk);
  void writeScores(Value sAcc, Value fast);
  void exactFirstScore(Value single);
  void exactScoreIntoScores(Value chunk);
  /// Where an output row of the chunk goes: the token (and its visit's
  /// slot) when the row is inside the walk.
  struct Destination {
    Value valid, tok, slot;
  };
  Destination destination(Value chunk, Value row);
  void storeStagedOutputs(ArrayRef<Destination> pieceRows, Value oAcc,
                          ArrayRef<Value> added);
  SmallVector<Value> stateUpdate(ValueRange state, Value fast);
  SmallVector<Value> stateOnlyUpdate(ValueRange state);
  void decayState(SmallVectorImpl<Value> &acc);
  void issueStateProducts(SmallVectorImpl<Value> &acc);
  /// Whether chunk `chunk` holds one token of the walk (a decode step);
  /// formed where it is used rather than carried between the roles.
  Value oneToken(Value chunk) {
    return arith::CmpIOp::create(
        b, arith::CmpIPredicate::eq,
        arith::SubIOp::create(b, end, token(chunk, idx(0))), idx(1));
  }
  NVVM::WGMMATypes operandType() const {
    return shape.element.isBF16() ? NVVM::WGMMATypes::bf16
                                  : NVVM::WGMMATypes::f16;
  }
  SmallVector<Value> loadState();
  void storeState(ValueRange state);
  void storeSegmentDecay(Value product);
  Value accumulateDecay(Value product);
  void writeStateCopy(ArrayRef<Value> acc);
  void zeroOutputs(Value lo, Value hi);
  /// The token and slot of routed list entry `pos` (clamped into the
  /// buffers).
  std::pair<Value, Value> visitAt(Value pos);
  /// The token and slot of row `row` of chunk `chunk` of a routed walk:
  /// from the ring of list entries when the plan has one, else visitAt.
  std::pair<Value, Value> visitOfRow(Value chunk, Value row);
  std::pair<Value, Value> decodeVisit(Value visit);
  /// Indices of list entry `pos` of this block's walk in the tokens buffer.
  SmallVector<Value> listIndices(Value pos);
  /// Index of row `row` of chunk `chunk` in the ring of list entries.
  Value entrySlot(Value chunk, Value row);
  /// Opens `if (tid < 64)`, one thread per row of the chunk, and returns
  /// its body for the caller's insertion point.
  Block *rowThreads();
  /// Copies the list entries of chunk `chunk` into the ring (part of the
  /// current cp.async group; 0 past the list's end).
  void copyEntries(Value chunk);
  /// The token whose rows the walk's position (chunk, row) reads: the
  /// position itself, or its list entry; `valid` false gives a safe row.
  Value sourceToken(Value chunk, Value row, Value valid);
  /// The weight of chunk row `t`'s visit, or nothing when `gateOn` is off.
  Value visitWeight(Value t, bool gateOn);
  SmallVector<Value> outIndices(Value tok, Value slot, Value col);
  /// The sums over the slots of partials_in at this thread's output pairs
  /// (one vector<2xf32> per pair, 0 outside the walk), or nothing.
  SmallVector<Value> loadAddedPartials(ArrayRef<Destination> rows);
  void zeroUncoveredOutputs();
  SmallVector<Value> stateIndices(int64_t m, int64_t i, bool perSegment);
  Value idx32(int64_t v) {
    return arith::ConstantIntOp::create(b, b.getI32Type(), v);
  }
  /// Position `row` of chunk `chunk` in the block's walk: a token of the
  /// sequence, or (routed) an entry of the token list.
  Value token(Value chunk, Value row) {
    return arith::AddIOp::create(
        b, start,
        arith::AddIOp::create(b, arith::MulIOp::create(b, chunk, idx(kChunk)),
                              row));
  }
  CoreMatrixLayout layout(int64_t rows, int64_t depth) const {
    return {rows, depth, shape.element.getIntOrFloatBitWidth() / 8};
  }
  /// Qd, Ks (row = token, depth = key) and Kd^T (row = key, depth =
  /// token), padded as the plan's buffer sizes are (KernelPlan.h).
  CoreMatrixLayout padded(int64_t rows, int64_t depth,
                          OperandPadding padding) const {
    CoreMatrixLayout l = layout(rows, depth);
    l.padLeading = padding.leading;
    l.padStride = padding.stride;
    return l;
  }
  CoreMatrixLayout tokenRows() const {
    return padded(kChunk, shape.keys, kTokenRowsPadding);
  }
  CoreMatrixLayout keyRows() const {
    return padded(shape.keys, kChunk, kKeyRowsPadding);
  }

  ScanOperands ops;
  gpu::GPUFuncOp fn;
  ImplicitLocOpBuilder &b;
  PlanAttr plan;
  KernelShape shape;
  Value tid, inGroup, head, seq, batch, start, end, v0;
  /// Segmented walks: the piece of the sequence this block walks (0
  /// otherwise), and the sequence's whole token range.
  Value segment, sequenceStart, sequenceEnd;
  Value partition; ///< the routed partition of this block (0..P-1)
  // Raw tiles as loaded, and the prepared operands (1-D, core layouts).
  Value qRaw, kRaw, vRaw, gRaw, qd, ks, kd, vt, st, scores;
  Value slow, decay, weights;
  /// Routed with a ring: the list entries of stages + 1 chunks (i32).
  Value entries;
  /// The plan has an output stage (`ostage`).
  bool stagedOutputs = false;
};

Value ChunkScanEmitter::arg(Value operand) {
  for (OpOperand &o : ops.op->getOpOperands())
    if (o.get() == operand)
      return fn.getArgument(o.getOperandNumber());
  llvm_unreachable("not an operand of the op");
}

/// Buffer `name` of the plan as a `dims` memref of `element`; with
/// `stage`, the stage-th tile of that size in the buffer (a ring of the
/// plan's stages).
Value ChunkScanEmitter::view(StringRef name, ArrayRef<int64_t> dims,
                             Type element, Value stage) {
  Value offset = idx(plan.getBuffer(name)->first);
  if (stage) {
    int64_t tileBytes = element.getIntOrFloatBitWidth() / 8;
    for (int64_t d : dims)
      tileBytes *= d;
    offset = arith::AddIOp::create(
        b, offset, arith::MulIOp::create(b, stage, idx(tileBytes)));
  }
  auto wg = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  Value base = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface(), wg));
  return memref::ViewOp::create(
      b, MemRefType::get(dims, element, MemRefLayoutAttrInterface(), wg), base,
      offset, ValueRange());
}

Value ChunkScanEmitter::address(Value view1D) {
  Value p = memref::ExtractAlignedPointerAsIndexOp::create(b, view1D);
  return arith::IndexCastOp::create(b, b.getI64Type(), p);
}

void ChunkScanEmitter::storeAt(Value view1D, const CoreMatrixLayout &l,
                               Value row, Value k, Value value) {
  Value offset = arith::DivUIOp::create(b, l.byteOffset(b, b.getLoc(), row, k),
                                        idx(l.elementBytes));
  if (isa<VectorType>(value.getType())) {
    auto vector = cast<VectorType>(value.getType());
    int64_t bytes = vector.getNumElements() * l.elementBytes;
    vector::StoreOp::create(b, value, view1D, ValueRange{offset},
                            /*nontemporal=*/false, llvm::MaybeAlign(bytes));
    return;
  }
  memref::StoreOp::create(b, value, view1D, ValueRange{offset});
}

void ChunkScanEmitter::proxyFence() {
  NVVM::FenceProxyOp::create(
      b, NVVM::ProxyKind::async_shared,
      NVVM::SharedSpaceAttr::get(b.getContext(),
                                 NVVM::SharedSpace::shared_cta));
}

/// Thread and block indices, the sequence's token range, the buffers.
void ChunkScanEmitter::setUp() {
  auto qType = cast<MemRefType>(ops.k.getType());
  auto vType = cast<MemRefType>(ops.v.getType());
  shape.keys = qType.getDimSize(3);
  shape.values = vType.getDimSize(3);
  shape.vSlice = plan.getVSlice();
  // prepareOperands' threads: (part of `span` tokens, 4 keys).
  shape.parts = kThreads / (shape.keys / 4);
  shape.span = kChunk / shape.parts;
  shape.element = qType.getElementType();
  shape.gated = ops.gate != nullptr;
  shape.perKey =
      shape.gated && cast<MemRefType>(ops.gate.getType()).getRank() == 4;
  shape.gateElement =
      shape.gated ? cast<MemRefType>(ops.gate.getType()).getElementType()
                  : shape.element;
  shape.packed = ops.cuSeqlens != nullptr;
  shape.zeroInit = ops.zeroInit;
  shape.scale = ops.scale;
  shape.routed = ops.routed();
  shape.partials = plan.getCombine() == CombineMode::partials;
  if (shape.routed) {
    auto w = cast<MemRefType>(ops.weights.getType());
    shape.perHeadRouting = w.getRank() == 4;
    shape.slots = w.getDimSize(w.getRank() - 1);
    shape.partitions = ops.partitions;
    shape.readGate = ops.readGate;
    shape.writeGate = ops.writeGate;
  }

  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  inGroup = arith::RemUIOp::create(b, tid, idx(kWarpgroup));
  v0 = arith::MulIOp::create(b, gpu::BlockIdOp::create(b, gpu::Dimension::x),
                             idx(shape.vSlice));
  head = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  seq = gpu::BlockIdOp::create(b, gpu::Dimension::z);
  segment = idx(0);
  if (plan.getSegments() > 1) {
    // Block z = (sequence, piece).
    Value z = seq;
    seq = arith::DivUIOp::create(b, z, idx(ops.pieces()));
    segment = arith::RemUIOp::create(b, z, idx(ops.pieces()));
  }
  partition = idx(0);
  if (shape.routed) {
    // Block z = (sequence, partition): the walk is the partition's token
    // list, its length counts[s, (h,) p], clamped into [0, T].
    Value z = seq;
    seq = arith::DivUIOp::create(b, z, idx(shape.partitions));
    partition = arith::RemUIOp::create(b, z, idx(shape.partitions));
    SmallVector<Value> at = {seq};
    if (shape.perHeadRouting)
      at.push_back(head);
    at.push_back(partition);
    Value count = arith::IndexCastOp::create(
        b, b.getIndexType(), memref::LoadOp::create(b, arg(ops.counts), at));
    batch = seq;
    start = idx(0);
    end = arith::MinSIOp::create(b, arith::MaxSIOp::create(b, count, idx(0)),
                                 idx(qType.getDimSize(1)));
  } else if (shape.packed) {
    batch = idx(0);
    std::tie(start, end) =
        packedSequenceRange(b, arg(ops.cuSeqlens), seq, qType.getDimSize(1));
  } else {
    batch = seq;
    start = idx(0);
    end = idx(qType.getDimSize(1));
  }
  sequenceStart = start;
  sequenceEnd = end;
  if (plan.getSegments() > 1)
    narrowToSegment();

  Type e = shape.element, f = b.getF32Type();
  int64_t K = shape.keys, BV = shape.vSlice;
  bindStage(idx(0));
  qd = view("qd", {kChunk * K}, e);
  ks = view("ks", {kChunk * K}, e);
  kd = view("kd", {K * kChunk}, e);
  vt = view("vt", {BV * kChunk}, e);
  st = view("state", {BV * K}, e);
  scores = view("scores", {kChunk * kChunk}, e);
  if (shape.gated) {
    slow = view("slow", {kChunk, kChunk}, f);
    decay = view("decay", {K}, f);
  }
  stagedOutputs = plan.getBuffer("ostage").has_value();
  if (shape.routed && plan.getStages() > 1)
    entries =
        view("entries", {(plan.getStages() + 1) * kChunk}, b.getI32Type());
}

/// A segmented walk: [start, end) becomes piece `segment` of the
/// sequence's chunks, ceil(chunks / segments) of them a piece (the last
/// ones may be shorter or empty).
void ChunkScanEmitter::narrowToSegment() {
  Value chunks = arith::DivUIOp::create(
      b,
      arith::AddIOp::create(b, arith::SubIOp::create(b, end, start),
                            idx(kChunk - 1)),
      idx(kChunk));
  int64_t n = plan.getSegments();
  Value tokens = arith::MulIOp::create(
      b,
      arith::DivUIOp::create(b, arith::AddIOp::create(b, chunks, idx(n - 1)),
                             idx(n)),
      idx(kChunk));
  Value lo = arith::MinUIOp::create(
      b,
      arith::AddIOp::create(b, start,
                            arith::MulIOp::create(b, segment, tokens)),
      end);
  end = arith::MinUIOp::create(b, arith::AddIOp::create(b, lo, tokens), end);
  start = lo;
}

Value ChunkScanEmitter::stageOf(Value chunk) {
  int64_t stages = plan.getStages();
  return stages == 1 ? idx(0) : arith::RemUIOp::create(b, chunk, idx(stages));
}

/// Points the raw tiles (q, k, v, g and the visits' weights) at the ring
/// stage of chunk `chunk`: chunk mod the plan's stages.
void ChunkScanEmitter::bindStage(Value chunk) {
  Value stage = stageOf(chunk);
  Type e = shape.element;
  int64_t K = shape.keys;
  qRaw = view("q", {kChunk, K}, e, stage);
  kRaw = view("k", {kChunk, K}, e, stage);
  vRaw = view("v", {kChunk, shape.vSlice}, e, stage);
  if (shape.gated)
    gRaw = shape.perKey ? view("g", {kChunk, K}, shape.gateElement, stage)
                        : view("g", {kChunk}, shape.gateElement, stage);
  if (shape.routed)
    weights = view("visits", {kChunk}, b.getF32Type(), stage);
}

std::pair<Value, Value> ChunkScanEmitter::visitAt(Value pos) {
  return decodeVisit(arith::IndexCastUIOp::create(
      b, b.getIndexType(),
      memref::LoadOp::create(b, arg(ops.tokens), listIndices(pos))));
}

SmallVector<Value> ChunkScanEmitter::listIndices(Value pos) {
  SmallVector<Value> at = {seq};
  if (shape.perHeadRouting)
    at.push_back(head);
  at.append({partition, pos});
  return at;
}

Value ChunkScanEmitter::entrySlot(Value chunk, Value row) {
  return arith::AddIOp::create(
      b,
      arith::MulIOp::create(
          b, arith::RemUIOp::create(b, chunk, idx(plan.getStages() + 1)),
          idx(kChunk)),
      row);
}

Block *ChunkScanEmitter::rowThreads() {
  auto first = scf::IfOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, tid, idx(kChunk)),
      /*withElseRegion=*/false);
  return &first.getThenRegion().front();
}

std::pair<Value, Value> ChunkScanEmitter::decodeVisit(Value visit) {
  // Visits are t * k + slot (sse_gpu.group); the clamp keeps a corrupt
  // list inside the buffers.
  Value t = arith::MinUIOp::create(
      b, arith::DivUIOp::create(b, visit, idx(shape.slots)),
      idx(cast<MemRefType>(ops.k.getType()).getDimSize(1) - 1));
  return {t, arith::RemUIOp::create(b, visit, idx(shape.slots))};
}

Value ChunkScanEmitter::sourceToken(Value chunk, Value row, Value valid) {
  Value pos = token(chunk, row);
  if (!shape.routed)
    return arith::SelectOp::create(b, valid, pos, start);
  // The list's first entry stands in for rows past its end (the walk has
  // a chunk only when the list is not empty).
  return visitOfRow(chunk, row).first;
}

std::pair<Value, Value> ChunkScanEmitter::visitOfRow(Value chunk, Value row) {
  if (!entries) {
    Value pos = token(chunk, row);
    Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, pos, end);
    return visitAt(arith::SelectOp::create(b, valid, pos, idx(0)));
  }
  return decodeVisit(arith::IndexCastUIOp::create(
      b, b.getIndexType(),
      memref::LoadOp::create(b, entries, ValueRange{entrySlot(chunk, row)})));
}

void ChunkScanEmitter::copyEntries(Value chunk) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rowThreads());
  Value pos = token(chunk, tid);
  Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, pos, end);
  nvgpu::DeviceAsyncCopyOp::create(
      b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), entries,
      ValueRange{entrySlot(chunk, tid)}, arg(ops.tokens),
      listIndices(arith::SelectOp::create(b, valid, pos, idx(0))),
      b.getIndexAttr(1), arith::SelectOp::create(b, valid, idx(1), idx(0)),
      UnitAttr());
}

Value ChunkScanEmitter::visitWeight(Value t, bool gateOn) {
  if (!shape.routed || !gateOn)
    return Value();
  return memref::LoadOp::create(b, weights, ValueRange{t});
}

SmallVector<Value> ChunkScanEmitter::outIndices(Value tok, Value slot,
                                                Value col) {
  if (shape.partials)
    return {batch, tok, head, slot, col};
  return {batch, tok, head, col};
}

/// Starts the cp.async copies of chunk `chunk`'s q, k, g, v rows (16 bytes
/// each, zero-filled past the sequence's end; routed: the rows of the
/// listed tokens, and each visit's weight) and commits them as a group.
void ChunkScanEmitter::issueLoads(Value chunk) {
  // The source token of each (row mapping, copy step): the q, k and g
  // copies share their rows, so a routed row's list entry is read once.
  std::map<std::pair<int64_t, int64_t>, Value> sources;
  auto copyRows = [&](Value src, Value dst, int64_t cols, Value col0,
                      bool swizzled) {
    int64_t perVec =
        16 * 8 / cast<MemRefType>(src.getType()).getElementTypeBitWidth();
    int64_t vecsPerRow = cols / perVec;
    for (int64_t i = 0; i < kChunk * vecsPerRow / kThreads; ++i) {
      Value linear = arith::AddIOp::create(b, tid, idx(kThreads * i));
      Value row = arith::DivUIOp::create(b, linear, idx(vecsPerRow));
      Value col = arith::MulIOp::create(
          b, arith::RemUIOp::create(b, linear, idx(vecsPerRow)), idx(perVec));
      Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                          token(chunk, row), end);
      Value &safe = sources[{vecsPerRow, i}];
      if (!safe)
        safe = sourceToken(chunk, row, valid);
      Value srcCol = col0 ? arith::AddIOp::create(b, col0, col) : col;
      Value n = arith::SelectOp::create(b, valid, idx(perVec), idx(0));
      Value dstCol = swizzled ? rawColumn(row, col) : col;
      nvgpu::DeviceAsyncCopyOp::create(
          b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), dst,
          ValueRange{row, dstCol}, src, ValueRange{batch, safe, head, srcCol},
          b.getIndexAttr(perVec), n, b.getUnitAttr());
    }
  };
  if (!ops.statesOnly())
    copyRows(arg(ops.q), qRaw, shape.keys, Value(), true);
  copyRows(arg(ops.k), kRaw, shape.keys, Value(), true);
  copyRows(arg(ops.v), vRaw, shape.vSlice, v0, false);
  if (shape.perKey)
    copyRows(arg(ops.gate), gRaw, shape.keys, Value(), true);
  if (shape.routed && (shape.readGate || shape.writeGate))
    copyWeights(chunk);
  NVVM::CpAsyncCommitGroupOp::create(b);
}

/// Scalar gates: one element per token, strided, too narrow for cp.async:
/// a plain load of row tid mod 64's gate (0 past the walk's end), which
/// storeScalarGates puts into the raw tile once it is needed.
Value ChunkScanEmitter::loadScalarGates(Value chunk) {
  Value row = arith::RemUIOp::create(b, tid, idx(kChunk));
  Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                      token(chunk, row), end);
  Value safe = sourceToken(chunk, row, valid);
  Value g =
      memref::LoadOp::create(b, arg(ops.gate), ValueRange{batch, safe, head});
  Value zero =
      arith::ConstantOp::create(b, b.getFloatAttr(shape.gateElement, 0.0));
  return arith::SelectOp::create(b, valid, g, zero);
}

/// Threads 0..63 store their row's gate into `tile`.
void ChunkScanEmitter::storeScalarGates(Value gates, Value tile) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rowThreads());
  memref::StoreOp::create(b, gates, tile, ValueRange{tid});
}

/// Routed: threads 0..63 copy the weight of their row's visit (4 bytes,
/// 0 past the list's end) into the visits buffer.
void ChunkScanEmitter::copyWeights(Value chunk) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(rowThreads());
  Value pos = token(chunk, tid);
  Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, pos, end);
  auto [t, slot] = visitOfRow(chunk, tid);
  SmallVector<Value> at = {batch, t};
  if (shape.perHeadRouting)
    at.push_back(head);
  at.push_back(slot);
  nvgpu::DeviceAsyncCopyOp::create(
      b, nvgpu::DeviceAsyncTokenType::get(b.getContext()), weights,
      ValueRange{tid}, arg(ops.weights), at, b.getIndexAttr(1),
      arith::SelectOp::create(b, valid, idx(1), idx(0)), UnitAttr());
}

/// Column of element (row, col) in a swizzled raw tile: the 16-byte unit
/// is XORed with the row's part (row / span, mod 8), so the eight parts
/// that one quarter-warp of prepareOperands reads at once lie in eight bank
/// groups.
Value ChunkScanEmitter::rawColumn(Value row, Value col) {
  int64_t perUnit = 16 / (shape.element.getIntOrFloatBitWidth() / 8);
  Value unit = arith::DivUIOp::create(b, col, idx(perUnit));
  Value swizzle = arith::RemUIOp::create(
      b, arith::DivUIOp::create(b, row, idx(shape.span)), idx(8));
  Value swizzled = arith::XOrIOp::create(b, unit, swizzle);
  return arith::AddIOp::create(b,
                               arith::MulIOp::create(b, swizzled, idx(perUnit)),
                               arith::RemUIOp::create(b, col, idx(perUnit)));
}

/// Four consecutive elements of a raw tile row (f32).
SmallVector<Value> ChunkScanEmitter::loadQuad(Value tile, Value row, Value key0,
                                              Type element) {
  Value quad = vector::LoadOp::create(
      b, VectorType::get({4}, element), tile,
      ValueRange{row, rawColumn(row, key0)}, /*nontemporal=*/false,
      llvm::MaybeAlign(4 * element.getIntOrFloatBitWidth() / 8));
  SmallVector<Value> out;
  if (element.isBF16()) {
    // A bf16 is the upper half of its f32: one shift or one mask per
    // element of a pair (extf takes a byte permute and a shift).
    Value pairs = vector::BitCastOp::create(
        b, VectorType::get({2}, b.getI32Type()), quad);
    for (int64_t p = 0; p < 2; ++p) {
      Value bits = vector::ExtractOp::create(b, pairs, p);
      Value low = arith::ShLIOp::create(b, bits, idx32(16));
      Value high = arith::AndIOp::create(
          b, bits, idx32(static_cast<int32_t>(0xFFFF0000)));
      for (Value half : {low, high})
        out.push_back(arith::BitcastOp::create(b, b.getF32Type(), half));
    }
    return out;
  }
  for (int64_t j = 0; j < 4; ++j)
    out.push_back(toF32(vector::ExtractOp::create(b, quad, j)));
  return out;
}

/// The sum over the parts before (`up`) or after this thread's part of
/// `v`, taken directly: a shift by one part, then log2(parts) shuffle steps
/// within the part's segment of lanes.
Value ChunkScanEmitter::partScan(Value v, Value part, bool up) {
  int64_t parts = shape.parts;
  auto shift = [&](Value x, int64_t by) {
    auto mode = up ? gpu::ShuffleMode::UP : gpu::ShuffleMode::DOWN;
    Value moved = gpu::ShuffleOp::create(b, x, by, 32, mode).getShuffleResult();
    Value inside =
        up ? arith::CmpIOp::create(b, arith::CmpIPredicate::uge, part, idx(by))
                 .getResult()
           : arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                   arith::AddIOp::create(b, part, idx(by)),
                                   idx(parts))
                 .getResult();
    return arith::SelectOp::create(b, inside, moved, f32(0.0)).getResult();
  };
  Value x = shift(v, 1);
  for (int64_t by = 1; by < parts; by *= 2)
    x = arith::AddFOp::create(b, x, shift(x, by));
  return x;
}

/// `v` of part `from` of this thread's segment of lanes.
Value ChunkScanEmitter::fromPart(Value v, Value part, int64_t from) {
  Value lane = arith::RemUIOp::create(b, tid, idx(32));
  Value src =
      arith::AddIOp::create(b, arith::SubIOp::create(b, lane, part), idx(from));
  Value src32 = arith::IndexCastOp::create(b, b.getI32Type(), src);
  return gpu::ShuffleOp::create(b, v, src32, idx32(32), gpu::ShuffleMode::IDX)
      .getShuffleResult();
}

/// Thread (part, quad) holds `span` consecutive tokens of 4 keys: it sums
/// their gates directly (prefix P within the part, the other parts' sums
/// by shuffles), writes Qd, Ks (row = token, 4 keys per store) and Kd^T
/// (row = key, `span` tokens per store), and returns whether its keys
/// allow the tensor-core scores. Ks is Kd times one factor per key,
/// exp(-P_63): within the vote's bound every exp(P), exp(R) is a normal
/// f32, and a chunk outside it never reads Ks.
Value ChunkScanEmitter::prepareOperands() {
  Value part = arith::RemUIOp::create(b, tid, idx(shape.parts));
  Value key0 = arith::MulIOp::create(
      b, arith::DivUIOp::create(b, tid, idx(shape.parts)), idx(4));
  Value t0 = arith::MulIOp::create(b, part, idx(shape.span));
  int64_t span = shape.span, columns = shape.perKey ? 4 : 1;
  GateSums sums;
  sums.prefix.assign(span, SmallVector<Value>(columns));
  sums.toKs.assign(columns, f32(1.0));
  Value fast = arith::ConstantIntOp::create(b, b.getI1Type(), 1);
  if (!shape.gated) {
    writeOperands(sums, key0, t0);
    return fast;
  }
  SmallVector<SmallVector<Value>> g;
  for (int64_t i = 0; i < span; ++i)
    g.push_back(gateRow(arith::AddIOp::create(b, t0, idx(i)), key0));
  Value bound = f32(fastBound(shape.element) * M_LOG2E);
  for (int64_t j = 0; j < columns; ++j) {
    Value run = f32(0.0);
    for (int64_t i = 0; i < span; ++i)
      sums.prefix[i][j] = run = addGate(run, g[i][j]);
    Value before = partScan(run, part, /*up=*/true);
    sums.after.push_back(partScan(run, part, /*up=*/false));
    for (int64_t i = 0; i < span; ++i)
      sums.prefix[i][j] = arith::AddFOp::create(b, before, sums.prefix[i][j]);
    Value total = fromPart(sums.prefix[span - 1][j], part, shape.parts - 1);
    Value negTotal = arith::NegFOp::create(b, total);
    sums.toKs[j] = exp2(negTotal);
    // -P_63 within the bound (false for -inf and NaN sums).
    fast = arith::AndIOp::create(
        b, fast,
        arith::CmpFOp::create(b, arith::CmpFPredicate::OLE, negTotal, bound));
    // The state's decay exp(P_63): every part holds the same total, so
    // every part stores the same value (no branch).
    Value decayed = exp2(total);
    for (int64_t jj = 0; jj < 4; ++jj)
      if (!shape.perKey || jj == j)
        memref::StoreOp::create(
            b, decayed, decay,
            ValueRange{arith::AddIOp::create(b, key0, idx(jj))});
  }
  writeOperands(sums, key0, t0);
  return fast;
}

/// The gates of token `t` for keys key0..key0+3 (per-key gates) or the
/// token's one gate, as f32 (natural-log units: addGate converts).
SmallVector<Value> ChunkScanEmitter::gateRow(Value t, Value key0) {
  return shape.perKey ? loadQuad(gRaw, t, key0, shape.gateElement)
                      : SmallVector<Value>{toF32(
                            memref::LoadOp::create(b, gRaw, ValueRange{t}))};
}

/// sum + g log2 e: a running gate sum in log2 units, one fma per gate.
Value ChunkScanEmitter::addGate(Value sum, Value g) {
  return math::FmaOp::create(b, g, f32(M_LOG2E), sum);
}

/// Stores the thread's Qd, Ks rows and Kd^T rows (see prepareOperands),
/// last token first: the suffix R (the gates after the token, directly
/// summed) grows by one row of gates per step. That row is loaded from
/// shared memory again rather than kept from prepareOperands: holding all
/// of them beside warpgroup 1's state spilled registers.
void ChunkScanEmitter::writeOperands(const GateSums &sums, Value key0,
                                     Value t0) {
  CoreMatrixLayout rowsByToken = tokenRows(), rowsByKey = keyRows();
  int64_t span = shape.span, columns = shape.perKey ? 4 : 1;
  SmallVector<Value> suffix(sums.after.begin(), sums.after.end());
  SmallVector<SmallVector<Value>> kdT(4, SmallVector<Value>(span));
  for (int64_t i = span - 1; i >= 0; --i) {
    Value t = arith::AddIOp::create(b, t0, idx(i));
    if (shape.gated && i < span - 1) {
      SmallVector<Value> next =
          gateRow(arith::AddIOp::create(b, t, idx(1)), key0);
      for (int64_t j = 0; j < columns; ++j)
        suffix[j] = addGate(suffix[j], next[j]);
    }
    SmallVector<Value> expP, expR;
    for (int64_t j = 0; j < columns; ++j) {
      if (!ops.statesOnly())
        expP.push_back(shape.gated ? exp2(sums.prefix[i][j]) : f32(1.0));
      expR.push_back(shape.gated ? exp2(suffix[j]) : f32(1.0));
    }
    SmallVector<Value> k = loadQuad(kRaw, t, key0, shape.element);
    // Routed: the read gate scales q, the write gate k, by the visit's
    // weight (folded into the factors they are multiplied by anyway).
    Value w = visitWeight(t, shape.readGate || shape.writeGate);
    if (shape.readGate)
      for (Value &p : expP)
        p = arith::MulFOp::create(b, p, w);
    if (shape.writeGate)
      for (Value &r : expR)
        r = arith::MulFOp::create(b, r, w);
    for (int64_t j = 0; j < 4; ++j)
      kdT[j][i] = arith::MulFOp::create(b, k[j], expR[shape.perKey ? j : 0]);
    // The state pass of a segmented walk has no scores and no outputs.
    if (ops.statesOnly())
      continue;
    SmallVector<Value> q = loadQuad(qRaw, t, key0, shape.element);
    SmallVector<Value> qdRow, ksRow;
    for (int64_t j = 0; j < 4; ++j) {
      int64_t c = shape.perKey ? j : 0;
      qdRow.push_back(arith::MulFOp::create(b, q[j], expP[c]));
      ksRow.push_back(arith::MulFOp::create(b, kdT[j][i], sums.toKs[c]));
    }
    storeAt(qd, rowsByToken, t, key0, pack(shape.element, qdRow));
    storeAt(ks, rowsByToken, t, key0, pack(shape.element, ksRow));
  }
  for (int64_t j = 0; j < 4; ++j)
    storeAt(kd, rowsByKey, arith::AddIOp::create(b, key0, idx(j)), t0,
            pack(shape.element, kdT[j]));
}

/// V^T (row = column of the slice, depth = token), 8 tokens per store.
void ChunkScanEmitter::transposeValues() {
  int64_t BV = shape.vSlice;
  CoreMatrixLayout l = layout(BV, kChunk);
  for (int64_t i = 0; i < BV * (kChunk / 8) / kThreads; ++i) {
    Value unit = arith::AddIOp::create(b, tid, idx(kThreads * i));
    Value col = arith::RemUIOp::create(b, unit, idx(BV));
    Value t0 = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, unit, idx(BV)), idx(8));
    SmallVector<Value> vals;
    for (int64_t j = 0; j < 8; ++j)
      vals.push_back(memref::LoadOp::create(
          b, vRaw, ValueRange{arith::AddIOp::create(b, t0, idx(j)), col}));
    storeAt(vt, l, col, t0, pack(shape.element, vals));
  }
}

/// The masked scores of a chunk with a strong gate (or of one token),
/// elementwise: thread (row t, quarter of the keys) keeps the running
/// log-decay of each key over (s, t], summed directly, for s from the
/// chunk's last token down to 0.
void ChunkScanEmitter::slowScores(Value chunk) {
  int64_t quarter = shape.keys / 4;
  Value t = arith::DivUIOp::create(b, tid, idx(4));
  Value firstKey = arith::MulIOp::create(
      b, arith::RemUIOp::create(b, tid, idx(4)), idx(quarter));
  SmallVector<Value> keys, qv;
  for (int64_t i = 0; i < quarter; ++i) {
    keys.push_back(arith::AddIOp::create(b, firstKey, idx(i)));
    qv.push_back(toF32(memref::LoadOp::create(
        b, qRaw, ValueRange{t, rawColumn(t, keys.back())})));
  }
  int64_t decays = shape.perKey ? quarter : 1;
  SmallVector<Value> init(decays, f32(0.0));
  // Keys s past the walk's end never meet a query of it: the loop runs
  // over the chunk's tokens only (one step for a decode token).
  Value count = arith::MinUIOp::create(
      b, arith::SubIOp::create(b, end, token(chunk, idx(0))), idx(kChunk));
  auto loop = scf::ForOp::create(b, idx(0), count, idx(1), init);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value s = arith::SubIOp::create(b, arith::SubIOp::create(b, count, idx(1)),
                                  loop.getInductionVar());
  Value next = arith::MinUIOp::create(b, arith::AddIOp::create(b, s, idx(1)),
                                      idx(kChunk - 1));
  Value grows = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, s, t);
  SmallVector<Value> run;
  for (int64_t i = 0; i < decays; ++i) {
    Value g = shape.perKey
                  ? memref::LoadOp::create(
                        b, gRaw, ValueRange{next, rawColumn(next, keys[i])})
                  : memref::LoadOp::create(b, gRaw, ValueRange{next});
    run.push_back(arith::AddFOp::create(
        b, loop.getRegionIterArgs()[i],
        arith::SelectOp::create(b, grows, toF32(g), f32(0.0))));
  }
  Value acc = f32(0.0);
  Value shared = shape.perKey ? Value() : exp(run[0]);
  for (int64_t i = 0; i < quarter; ++i) {
    Value k = toF32(
        memref::LoadOp::create(b, kRaw, ValueRange{s, rawColumn(s, keys[i])}));
    Value w = shape.perKey ? exp(run[i]) : shared;
    acc = math::FmaOp::create(b, arith::MulFOp::create(b, qv[i], k), w, acc);
  }
  for (int64_t offset : {1, 2}) {
    auto shuffle =
        gpu::ShuffleOp::create(b, acc, offset, 32, gpu::ShuffleMode::XOR);
    acc = arith::AddFOp::create(b, acc, shuffle.getShuffleResult());
  }
  auto writer = scf::IfOp::create(
      b,
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                            arith::RemUIOp::create(b, tid, idx(4)), idx(0)),
      /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(&writer.getThenRegion().front());
    if (Value w = visitWeight(t, shape.readGate))
      acc = arith::MulFOp::create(b, acc, w);
    if (Value w = visitWeight(s, shape.writeGate))
      acc = arith::MulFOp::create(b, acc, w);
    memref::StoreOp::create(b, acc, slow, ValueRange{t, s});
  }
  scf::YieldOp::create(b, run);
}

/// Warpgroup 0: Qd S, then (once warpgroup 1 has written the masked
/// scores) + scores V, and o of the chunk's tokens.
void ChunkScanEmitter::outputProducts(Value chunk) {
  MLIRContext *ctx = b.getContext();
  int64_t K = shape.keys, BV = shape.vSlice;
  NVVM::WGMMATypes type = operandType();
  CoreMatrixLayout tokensByKey = tokenRows(), state = layout(BV, K);
  CoreMatrixLayout scoresL = layout(kChunk, kChunk), vtL = layout(BV, kChunk);
  Value qdA = address(qd), stA = address(st), scA = address(scores),
        vtA = address(vt);
  int64_t depthK = K / wgmmaDepth(tokensByKey.elementBytes);
  int64_t depthT = kChunk / wgmmaDepth(tokensByKey.elementBytes);
  // Where this thread's two accumulator rows go and, with an output
  // stage, the rows of the pieces it writes, and the routed partials this
  // scan adds to o: all read before the products, so that the list
  // entries' and partials' latency hides behind them.
  SmallVector<Destination> rows, pieceRows;
  for (int64_t r = 0; r < kAccumulatorRowsPerThread; ++r) {
    assert(accumulatorRowOf(2 * r) == r && "element 2r lies in row r");
    rows.push_back(destination(
        chunk, accumulatorPosition(b, b.getLoc(), inGroup, 2 * r).first));
  }
  if (stagedOutputs)
    for (int64_t n = 0; n < kChunk * kPiecesPerStageRow / kWarpgroup; ++n)
      pieceRows.push_back(destination(
          chunk, arith::DivUIOp::create(
                     b, arith::AddIOp::create(b, inGroup, idx(kWarpgroup * n)),
                     idx(kPiecesPerStageRow))));
  SmallVector<Value> added = loadAddedPartials(rows);
  Value oAcc = LLVM::UndefOp::create(b, accumulatorType(ctx, BV));
  wgmmaFence(b, b.getLoc());
  for (int64_t step = 0; step < depthK; ++step)
    oAcc = warpgroupMMA(b, b.getLoc(),
                        matrixDescriptor(b, b.getLoc(), qdA, tokensByKey, step),
                        matrixDescriptor(b, b.getLoc(), stA, state, step), oAcc,
                        BV, type, step > 0);
  wgmmaCommitAndWait(b, b.getLoc());
  // The state copy is read: warpgroup 1 may overwrite it.
  NVVM::BarrierArriveOp::create(b, idx32(kStateReadBarrier), idx32(kThreads));
  NVVM::BarrierOp::create(b, Type(), idx32(kScoresBarrier), idx32(kThreads),
                          NVVM::BarrierReductionAttr(), Value());
  if (shape.gated && !shape.routed)
    exactScoreIntoScores(chunk);
  wgmmaFence(b, b.getLoc());
  for (int64_t step = 0; step < depthT; ++step)
    oAcc = warpgroupMMA(b, b.getLoc(),
                        matrixDescriptor(b, b.getLoc(), scA, scoresL, step),
                        matrixDescriptor(b, b.getLoc(), vtA, vtL, step), oAcc,
                        BV, type, /*accumulate=*/true);
  wgmmaCommitAndWait(b, b.getLoc());
  if (stagedOutputs) {
    storeStagedOutputs(pieceRows, oAcc, added);
    return;
  }

  Value out = arg(ops.out);
  Type outElement = cast<MemRefType>(out.getType()).getElementType();
  // Columns col, col + 1 of one token: one store per pair.
  for (int64_t i = 0; i < BV / 2; i += 2) {
    Value col = accumulatorPosition(b, b.getLoc(), inGroup, i).second;
    const Destination &d = rows[accumulatorRowOf(i)];
    auto inside = scf::IfOp::create(b, d.valid, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&inside.getThenRegion().front());
    Value scale = f32(shape.scale);
    SmallVector<Value> sums;
    for (int64_t c = 0; c < 2; ++c)
      sums.push_back(arith::MulFOp::create(
          b, LLVM::ExtractValueOp::create(b, oAcc, i + c), scale));
    if (!added.empty())
      for (int64_t c = 0; c < 2; ++c)
        sums[c] = arith::AddFOp::create(
            b, sums[c], vector::ExtractOp::create(b, added[i / 2], c));
    Value pair = pack(outElement, sums);
    vector::StoreOp::create(
        b, pair, out,
        outIndices(d.tok, d.slot, arith::AddIOp::create(b, v0, col)),
        /*nontemporal=*/false,
        llvm::MaybeAlign(2 * outElement.getIntOrFloatBitWidth() / 8));
  }
}

/// Where output row `row` of the chunk goes: its token (and its visit's
/// slot) when the row is inside the walk.
ChunkScanEmitter::Destination ChunkScanEmitter::destination(Value chunk,
                                                            Value row) {
  Value pos = token(chunk, row);
  Destination d{arith::CmpIOp::create(b, arith::CmpIPredicate::ult, pos, end),
                pos, idx(0)};
  if (shape.routed)
    std::tie(d.tok, d.slot) = visitOfRow(chunk, row);
  return d;
}

/// Warpgroup 0, with an output stage: the outputs leave in rounds of one
/// 128-byte piece per row (64 bf16 columns of o, 32 f32 columns of a
/// partial). Each thread puts its accumulator pairs of the round (times
/// the scale, plus the added partials) into the stage; then thread u
/// writes 16 bytes of row u / 8 + 16 n for each n (`pieceRows`).
void ChunkScanEmitter::storeStagedOutputs(ArrayRef<Destination> pieceRows,
                                          Value oAcc, ArrayRef<Value> added) {
  Value out = arg(ops.out);
  Type outElement = cast<MemRefType>(out.getType()).getElementType();
  int64_t eb = outElement.getIntOrFloatBitWidth() / 8;
  int64_t roundColumns = kOutputStageRowBytes / eb;
  int64_t pitch = (kOutputStageRowBytes + kOutputStagePad) / eb;
  int64_t perPiece = 16 / eb;
  Value stage = view("ostage", {kChunk * pitch}, outElement);
  Value scale = f32(shape.scale);
  auto pieceType = VectorType::get({perPiece}, outElement);
  Value pieceColumn = arith::MulIOp::create(
      b, arith::RemUIOp::create(b, inGroup, idx(kPiecesPerStageRow)),
      idx(perPiece));
  auto stageBarrier = [&] {
    NVVM::BarrierOp::create(b, Type(), idx32(kOutputStageBarrier),
                            idx32(kWarpgroup), NVVM::BarrierReductionAttr(),
                            Value());
  };
  for (int64_t round = 0; round < shape.vSlice / roundColumns; ++round) {
    // The previous round's pieces are out of the stage.
    if (round > 0)
      stageBarrier();
    // Pairs i, i + 1 lie in columns 8 (i / 4) .. + 7 of their row.
    for (int64_t i = 0; i < shape.vSlice / 2; i += 2) {
      if (8 * (i / 4) / roundColumns != round)
        continue;
      auto [row, col] = accumulatorPosition(b, b.getLoc(), inGroup, i);
      SmallVector<Value> sums;
      for (int64_t c = 0; c < 2; ++c) {
        Value v = arith::MulFOp::create(
            b, LLVM::ExtractValueOp::create(b, oAcc, i + c), scale);
        if (!added.empty())
          v = arith::AddFOp::create(
              b, v, vector::ExtractOp::create(b, added[i / 2], c));
        sums.push_back(v);
      }
      Value at = arith::AddIOp::create(
          b, arith::MulIOp::create(b, row, idx(pitch)),
          arith::SubIOp::create(b, col, idx(round * roundColumns)));
      vector::StoreOp::create(b, pack(outElement, sums), stage, ValueRange{at},
                              /*nontemporal=*/false, llvm::MaybeAlign(2 * eb));
    }
    stageBarrier();
    for (auto [n, d] : llvm::enumerate(pieceRows)) {
      Value row = arith::AddIOp::create(
          b, arith::DivUIOp::create(b, inGroup, idx(kPiecesPerStageRow)),
          idx(n * kWarpgroup / kPiecesPerStageRow));
      auto inside = scf::IfOp::create(b, d.valid, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&inside.getThenRegion().front());
      Value piece = vector::LoadOp::create(
          b, pieceType, stage,
          ValueRange{arith::AddIOp::create(
              b, arith::MulIOp::create(b, row, idx(pitch)), pieceColumn)},
          /*nontemporal=*/false, llvm::MaybeAlign(16));
      Value col = arith::AddIOp::create(
          b, v0,
          arith::AddIOp::create(b, pieceColumn, idx(round * roundColumns)));
      vector::StoreOp::create(b, piece, out, outIndices(d.tok, d.slot, col),
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    }
  }
}

/// A chunk of one token (a decode step) has one score, q.k: the first warp
/// forms it exactly in f32 from the raw tiles into slow[0][0], which
/// exactScoreIntoScores puts over the product of Qd and Ks (each rounded
/// to the inputs' type: 2^-8 relative per term, and a lone dot product has
/// nothing to average that over).
void ChunkScanEmitter::exactFirstScore(Value single) {
  // Uniform over the block: the barrier at its end publishes slow[0][0].
  auto oneTokenChunk = scf::IfOp::create(b, single, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard outer(b);
  b.setInsertionPointToStart(&oneTokenChunk.getThenRegion().front());
  gpu::BarrierOp::create(b);
  b.setInsertionPointToStart(&oneTokenChunk.getThenRegion().front());
  auto firstWarp = scf::IfOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, tid, idx(kWarp)),
      /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&firstWarp.getThenRegion().front());
  int64_t perLane = shape.keys / kWarp;
  Value acc = f32(0.0);
  for (int64_t j = 0; j < perLane; ++j) {
    Value key = arith::AddIOp::create(
        b, arith::MulIOp::create(b, tid, idx(perLane)), idx(j));
    Value q = toF32(memref::LoadOp::create(
        b, qRaw, ValueRange{idx(0), rawColumn(idx(0), key)}));
    Value k = toF32(memref::LoadOp::create(
        b, kRaw, ValueRange{idx(0), rawColumn(idx(0), key)}));
    acc = math::FmaOp::create(b, q, k, acc);
  }
  for (int64_t offset = 1; offset < kWarp; offset *= 2)
    acc = arith::AddFOp::create(
        b, acc,
        gpu::ShuffleOp::create(b, acc, offset, kWarp, gpu::ShuffleMode::XOR)
            .getShuffleResult());
  if (Value w = visitWeight(idx(0), shape.readGate))
    acc = arith::MulFOp::create(b, acc, w);
  if (Value w = visitWeight(idx(0), shape.writeGate))
    acc = arith::MulFOp::create(b, acc, w);
  memref::StoreOp::create(b, acc, slow, ValueRange{idx(0), idx(0)});
}

/// Warpgroup 0, after the scores are written: a one-token chunk's score
/// (0, 0) becomes the exact one (exactFirstScore) before P V reads it.
/// Here rather than in warpgroup 1, whose state and scores accumulators
/// leave no registers for it.
void ChunkScanEmitter::exactScoreIntoScores(Value chunk) {
  auto oneTokenChunk =
      scf::IfOp::create(b, oneToken(chunk), /*withElseRegion=*/false);
  OpBuilder::InsertionGuard outer(b);
  b.setInsertionPointToStart(&oneTokenChunk.getThenRegion().front());
  auto first = scf::IfOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, inGroup, idx(0)),
      /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&first.getThenRegion().front());
    Value exact = memref::LoadOp::create(b, slow, ValueRange{idx(0), idx(0)});
    storeAt(scores, layout(kChunk, kChunk), idx(0), idx(0),
            arith::TruncFOp::create(b, shape.element, exact));
    proxyFence();
  }
  NVVM::BarrierOp::create(b, Type(), idx32(kOutputStageBarrier),
                          idx32(kWarpgroup), NVVM::BarrierReductionAttr(),
                          Value());
}

/// Warpgroup 1: the masked scores of the chunk into the scores buffer,
/// from the tensor cores' `sAcc` when `fast`, else from the elementwise
/// ones; then it tells warpgroup 0 they are there. Accumulator elements
/// 2m, 2m + 1 are columns s, s + 1 of one row: one 4-byte store per pair.
/// The scores are unscaled, as Qd S is.
void ChunkScanEmitter::writeScores(Value sAcc, Value fast) {
  CoreMatrixLayout scoresL = layout(kChunk, kChunk);
  auto write = [&](bool fromTensorCores) {
    Value zero = f32(0.0);
    for (int64_t i = 0; i < kChunk / 2; i += 2) {
      auto [t, s] = accumulatorPosition(b, b.getLoc(), inGroup, i);
      SmallVector<Value> pair;
      for (int64_t c = 0; c < 2; ++c) {
        Value col = arith::AddIOp::create(b, s, idx(c));
        Value v = fromTensorCores
                      ? LLVM::ExtractValueOp::create(b, sAcc, i + c).getResult()
                      : memref::LoadOp::create(b, slow, ValueRange{t, col})
                            .getResult();
        Value causal =
            arith::CmpIOp::create(b, arith::CmpIPredicate::ule, col, t);
        pair.push_back(arith::SelectOp::create(b, causal, v, zero));
      }
      storeAt(scores, scoresL, t, s, pack(shape.element, pair));
    }
  };
  if (shape.gated) {
    auto branch = scf::IfOp::create(b, fast, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&branch.getThenRegion().front());
    write(true);
    b.setInsertionPointToStart(&branch.getElseRegion().front());
    write(false);
  } else {
    write(true);
  }
  proxyFence();
  NVVM::BarrierArriveOp::create(b, idx32(kScoresBarrier), idx32(kThreads));
}

SmallVector<Value>
ChunkScanEmitter::loadAddedPartials(ArrayRef<Destination> rows) {
  Value partials = ops.partialsIn ? arg(ops.partialsIn) : Value();
  if (!partials)
    return {};
  auto type = cast<MemRefType>(partials.getType());
  auto pairType = VectorType::get({2}, b.getF32Type());
  Value zero = arith::ConstantOp::create(
      b, DenseElementsAttr::get(pairType, b.getF32FloatAttr(0.0f)));
  SmallVector<Value> sums;
  for (int64_t i = 0; i < shape.vSlice / 2; i += 2) {
    Value col = arith::AddIOp::create(
        b, v0, accumulatorPosition(b, b.getLoc(), inGroup, i).second);
    const Destination &d = rows[accumulatorRowOf(i)];
    // Rows past the walk's end read token 0's (then dropped).
    Value tok = arith::SelectOp::create(b, d.valid, d.tok, idx(0));
    Value sum = zero;
    for (int64_t slot = 0; slot < type.getDimSize(3); ++slot)
      sum = arith::AddFOp::create(
          b, sum,
          vector::LoadOp::create(b, pairType, partials,
                                 ValueRange{batch, tok, head, idx(slot), col},
                                 /*nontemporal=*/false, llvm::MaybeAlign(8)));
    sums.push_back(sum);
  }
  return sums;
}

/// Warpgroup 1: the scores Qd Ks^T and S <- exp(P_last) S + Kd^T V on its
/// accumulators (one per 64 keys) as two wgmma groups; the masked scores
/// once the first is done (writeScores); then, once warpgroup 0 has read
/// the old copy, the new bf16 copy S^T (row = column, depth = key) for the
/// next chunk's Qd S. The scores are here rather than beside Qd S in
/// warpgroup 0, whose P V waits for them: the two warpgroups' chains
/// are then about as long (warpgroup 1 waited at the loop-top barrier).
SmallVector<Value> ChunkScanEmitter::stateUpdate(ValueRange state, Value fast) {
  int64_t K = shape.keys;
  NVVM::WGMMATypes type = operandType();
  CoreMatrixLayout tokensByKey = tokenRows();
  SmallVector<Value> acc(state.begin(), state.end());
  decayState(acc);
  Value qdA = address(qd), ksA = address(ks);
  int64_t depthK = K / wgmmaDepth(tokensByKey.elementBytes);
  wgmmaFence(b, b.getLoc());
  Value sAcc =
      LLVM::UndefOp::create(b, accumulatorType(b.getContext(), kChunk));
  for (int64_t step = 0; step < depthK; ++step)
    sAcc = warpgroupMMA(b, b.getLoc(),
                        matrixDescriptor(b, b.getLoc(), qdA, tokensByKey, step),
                        matrixDescriptor(b, b.getLoc(), ksA, tokensByKey, step),
                        sAcc, kChunk, type, step > 0);
  wgmmaCommit(b, b.getLoc());
  issueStateProducts(acc);
  wgmmaCommit(b, b.getLoc());
  // The scores' group is done; the state's may still run.
  wgmmaWait(b, b.getLoc(), 1);
  writeScores(sAcc, fast);
  wgmmaWait(b, b.getLoc(), 0);
  NVVM::BarrierOp::create(b, Type(), idx32(kStateReadBarrier), idx32(kThreads),
                          NVVM::BarrierReductionAttr(), Value());
  writeStateCopy(acc);
  return acc;
}

/// Warpgroup 1 in the state pass of a segmented walk: the state update
/// alone (no scores, and no copy of the state: nothing reads it).
SmallVector<Value> ChunkScanEmitter::stateOnlyUpdate(ValueRange state) {
  SmallVector<Value> acc(state.begin(), state.end());
  decayState(acc);
  wgmmaFence(b, b.getLoc());
  issueStateProducts(acc);
  wgmmaCommitAndWait(b, b.getLoc());
  return acc;
}

/// The state times the chunk's decay exp(P_last), one factor per key row
/// (nothing without gates).
void ChunkScanEmitter::decayState(SmallVectorImpl<Value> &acc) {
  if (!shape.gated)
    return;
  for (int64_t m = 0; m < shape.keys / kTileRows; ++m)
    for (int64_t i = 0; i < shape.vSlice / 2; ++i) {
      Value row = accumulatorPosition(b, b.getLoc(), inGroup, i).first;
      Value d = memref::LoadOp::create(
          b, decay,
          ValueRange{arith::AddIOp::create(b, row, idx(m * kTileRows))});
      Value v = LLVM::ExtractValueOp::create(b, acc[m], i);
      acc[m] = LLVM::InsertValueOp::create(b, acc[m],
                                           arith::MulFOp::create(b, v, d), i);
    }
}

/// acc += Kd^T V, one wgmma chain per 64 keys (not committed).
void ChunkScanEmitter::issueStateProducts(SmallVectorImpl<Value> &acc) {
  int64_t BV = shape.vSlice;
  CoreMatrixLayout kdL = keyRows(), vtL = layout(BV, kChunk);
  Value kdA = address(kd), vtA = address(vt);
  int64_t depthT = kChunk / wgmmaDepth(kdL.elementBytes);
  for (int64_t m = 0; m < shape.keys / kTileRows; ++m) {
    // Tile m starts at key row 64 m: whole core matrices, SBO apart.
    Value tileA = arith::AddIOp::create(
        b, kdA,
        arith::ConstantIntOp::create(b, b.getI64Type(),
                                     m * (kTileRows / 8) * kdL.strideBytes()));
    for (int64_t step = 0; step < depthT; ++step)
      acc[m] = warpgroupMMA(b, b.getLoc(),
                            matrixDescriptor(b, b.getLoc(), tileA, kdL, step),
                            matrixDescriptor(b, b.getLoc(), vtA, vtL, step),
                            acc[m], BV, operandType(), /*accumulate=*/true);
  }
}

void ChunkScanEmitter::writeStateCopy(ArrayRef<Value> acc) {
  CoreMatrixLayout l = layout(shape.vSlice, shape.keys);
  for (int64_t m = 0; m < shape.keys / kTileRows; ++m)
    storeAccumulatorTransposed(b, b.getLoc(), acc[m], shape.vSlice, inGroup,
                               address(st), l, m * kTileRows, shape.element);
  proxyFence();
}

/// Indices of element i of tile m's accumulator in the states buffer
/// ([S, H, P, K, V]) or, `perSegment`, in a buffer of one state per
/// piece of a segmented walk ([S, pieces, H, K, V]: segment_init, ends).
SmallVector<Value> ChunkScanEmitter::stateIndices(int64_t m, int64_t i,
                                                  bool perSegment) {
  auto [row, col] = accumulatorPosition(b, b.getLoc(), inGroup, i);
  Value key = arith::AddIOp::create(b, row, idx(m * kTileRows));
  Value column = arith::AddIOp::create(b, v0, col);
  if (perSegment)
    return {seq, segment, head, key, column};
  return {seq, head,
          arith::AddIOp::create(b, partition, idx(ops.firstPartition)), key,
          column};
}

/// Accumulator elements i, i + 1 are adjacent columns of one row: the
/// state moves as 8-byte pairs (a quad of lanes covers 32 contiguous
/// bytes), which a decode step's state-bound blocks need.
SmallVector<Value> ChunkScanEmitter::loadState() {
  // A segmented walk starts from its piece's state (combine_segments).
  bool perSegment = ops.segmentInit != nullptr;
  Value states =
      shape.zeroInit ? Value() : arg(perSegment ? ops.segmentInit : ops.states);
  auto pairType = VectorType::get({2}, b.getF32Type());
  SmallVector<Value> acc;
  for (int64_t m = 0; m < shape.keys / kTileRows; ++m) {
    Value a =
        LLVM::UndefOp::create(b, accumulatorType(b.getContext(), shape.vSlice));
    for (int64_t i = 0; i < shape.vSlice / 2; i += 2) {
      Value pair = shape.zeroInit
                       ? Value()
                       : vector::LoadOp::create(b, pairType, states,
                                                stateIndices(m, i, perSegment),
                                                /*nontemporal=*/false,
                                                llvm::MaybeAlign(8))
                             .getResult();
      for (int64_t c = 0; c < 2; ++c)
        a = LLVM::InsertValueOp::create(
            b, a, pair ? vector::ExtractOp::create(b, pair, c) : f32(0.0),
            i + c);
    }
    acc.push_back(a);
  }
  return acc;
}

/// The state at the walk's end into the states or, in the state pass, into
/// `ends` at this block's piece.
void ChunkScanEmitter::storeState(ValueRange acc) {
  bool perSegment = ops.statesOnly();
  Value states = arg(perSegment ? ops.ends : ops.states);
  for (int64_t m = 0; m < shape.keys / kTileRows; ++m)
    for (int64_t i = 0; i < shape.vSlice / 2; i += 2)
      vector::StoreOp::create(
          b,
          pack(b.getF32Type(),
               {LLVM::ExtractValueOp::create(b, acc[m], i),
                LLVM::ExtractValueOp::create(b, acc[m], i + 1)}),
          states, stateIndices(m, i, perSegment), /*nontemporal=*/false,
          llvm::MaybeAlign(8));
}

/// The state pass: the piece's decay per key, the product of its chunks'
/// exp(P_last) (`product`, held by thread `key` of warpgroup 1), into
/// `decays`; the first V slice's block writes it.
void ChunkScanEmitter::storeSegmentDecay(Value product) {
  Value first = arith::AndIOp::create(
      b,
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, inGroup,
                            idx(shape.keys)),
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, v0, idx(0)));
  auto branch = scf::IfOp::create(b, first, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&branch.getThenRegion().front());
  memref::StoreOp::create(b, product, arg(ops.decays),
                          ValueRange{seq, segment, head, inGroup});
}

/// The state pass: thread `key` of warpgroup 1 multiplies its key's decay
/// of this chunk into `product` (1 without gates).
Value ChunkScanEmitter::accumulateDecay(Value product) {
  if (!shape.gated)
    return product;
  Value key = arith::MinUIOp::create(b, inGroup, idx(shape.keys - 1));
  return arith::MulFOp::create(
      b, product, memref::LoadOp::create(b, decay, ValueRange{key}));
}

/// o = 0 for the tokens of [lo, hi) in this block's head and V slice.
void ChunkScanEmitter::zeroOutputs(Value lo, Value hi) {
  Value out = arg(ops.out);
  Type element = cast<MemRefType>(out.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, b.getFloatAttr(element, 0.0));
  Value count = arith::MulIOp::create(
      b, arith::MaxSIOp::create(b, arith::SubIOp::create(b, hi, lo), idx(0)),
      idx(shape.vSlice));
  auto loop = scf::ForOp::create(b, tid, count, idx(kThreads));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value i = loop.getInductionVar();
  Value tok = arith::AddIOp::create(
      b, lo, arith::DivUIOp::create(b, i, idx(shape.vSlice)));
  Value col = arith::AddIOp::create(
      b, v0, arith::RemUIOp::create(b, i, idx(shape.vSlice)));
  memref::StoreOp::create(b, zero, out, outIndices(tok, idx(0), col));
}

/// Packed sequences: tokens outside every sequence get o = 0, those
/// before the first by sequence 0's blocks, those after the last by the
/// last sequence's.
void ChunkScanEmitter::zeroUncoveredOutputs() {
  int64_t sequences = cast<MemRefType>(ops.states.getType()).getDimSize(0);
  // A segmented walk's first piece stands for its sequence.
  Value firstPiece =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, segment, idx(0));
  auto when = [&](int64_t s, Value lo, Value hi) {
    auto branch = scf::IfOp::create(
        b,
        arith::AndIOp::create(
            b, firstPiece,
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq, seq, idx(s))),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&branch.getThenRegion().front());
    zeroOutputs(lo, hi);
  };
  when(0, idx(0), sequenceStart);
  when(sequences - 1, sequenceEnd,
       idx(cast<MemRefType>(ops.k.getType()).getDimSize(1)));
}

/// The prologue's loads: chunk 0's rows and, routed with a ring, chunks
/// 0's and 1's list entries, which travel with them; chunk 0's sources
/// come from the list in global memory, so nothing waits here.
void ChunkScanEmitter::issueFirstChunk() {
  if (entries) {
    copyEntries(idx(0));
    copyEntries(idx(1));
  }
  llvm::SaveAndRestore<Value> fromGlobal(entries, Value());
  issueLoads(idx(0));
  if (shape.gated && !shape.perKey)
    storeScalarGates(loadScalarGates(idx(0)), gRaw);
}

/// With a ring, at the loop top: when there is a next chunk (`more`), its
/// loads into its stage and the list entries of the chunk after it (they
/// travel in this group: those rows are copied at the next loop top, after
/// the group is waited for). Scalar gates are loaded now and returned, to
/// be stored after the preparation, so the load's latency hides behind it;
/// null without scalar gates.
Value ChunkScanEmitter::issueNextChunkEarly(Value nextChunk, Value more) {
  bool scalarGates = shape.gated && !shape.perKey;
  SmallVector<Type> results;
  if (scalarGates)
    results.push_back(shape.gateElement);
  auto early =
      scf::IfOp::create(b, results, more, /*withElseRegion=*/scalarGates);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&early.getThenRegion().front());
  bindStage(nextChunk);
  if (entries)
    copyEntries(arith::AddIOp::create(b, nextChunk, idx(1)));
  issueLoads(nextChunk);
  if (!scalarGates)
    return Value();
  scf::YieldOp::create(b, loadScalarGates(nextChunk));
  b.setInsertionPointToStart(&early.getElseRegion().front());
  scf::YieldOp::create(b, ValueRange{arith::ConstantOp::create(
                              b, b.getFloatAttr(shape.gateElement, 0.0))});
  return early.getResult(0);
}

/// The kernel: set-up, the state in, the chunk loop, the state out.
void ChunkScanEmitter::emit() {
  setUp();
  if (shape.packed && !ops.statesOnly())
    zeroUncoveredOutputs();
  Value chunks = arith::DivUIOp::create(
      b,
      arith::AddIOp::create(b, arith::SubIOp::create(b, end, start),
                            idx(kChunk - 1)),
      idx(kChunk));
  Value stateGroup =
      arith::CmpIOp::create(b, arith::CmpIPredicate::uge, tid, idx(kWarpgroup));
  Value any =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, chunks, idx(0));
  // States are updated in place: a walk without tokens (a routed partition
  // no token of the sequence picked, as in most of a decode step's) leaves
  // them as they are and skips their load and store, unless they start
  // from zero. The condition is the block's, so its barriers stay uniform.
  // A segmented walk's blocks always run: the state pass writes every
  // piece's end, and the last piece writes the states even when empty.
  bool always = shape.zeroInit || plan.getSegments() > 1;
  auto work = scf::IfOp::create(
      b, always ? arith::ConstantIntOp::create(b, b.getI1Type(), 1) : any,
      /*withElseRegion=*/false);
  OpBuilder::InsertionGuard outer(b);
  b.setInsertionPointToStart(&work.getThenRegion().front());
  // With more than one stage the next chunk's loads start before this
  // chunk's operand preparation, so they overlap all of the chunk's work.
  bool ahead = plan.getStages() > 1;
  auto prologue = scf::IfOp::create(b, any, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&prologue.getThenRegion().front());
    issueFirstChunk();
  }
  // Warpgroup 1 holds the state; warpgroup 0 carries placeholders. The
  // state pass also carries the piece's decay per key.
  SmallVector<Type> accTypes(shape.keys / kTileRows,
                             accumulatorType(b.getContext(), shape.vSlice));
  auto stateIn = scf::IfOp::create(b, accTypes, stateGroup,
                                   /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&stateIn.getThenRegion().front());
    SmallVector<Value> acc = loadState();
    if (!ops.statesOnly())
      writeStateCopy(acc);
    scf::YieldOp::create(b, acc);
    b.setInsertionPointToStart(&stateIn.getElseRegion().front());
    SmallVector<Value> undef;
    for (Type t : accTypes)
      undef.push_back(LLVM::UndefOp::create(b, t));
    scf::YieldOp::create(b, undef);
  }
  SmallVector<Value> carried(stateIn.getResults());
  if (ops.statesOnly()) {
    accTypes.push_back(b.getF32Type());
    carried.push_back(f32(1.0));
  }
  auto loop = scf::ForOp::create(b, idx(0), chunks, idx(1), carried);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value chunk = loop.getInductionVar();
    NVVM::CpAsyncWaitGroupOp::create(b, 0);
    gpu::BarrierOp::create(b);
    // Every thread is past the chunk before: its stage is free.
    Value nextChunk = arith::AddIOp::create(b, chunk, idx(1));
    Value more =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, nextChunk, chunks);
    Value nextGates = ahead ? issueNextChunkEarly(nextChunk, more) : Value();
    bindStage(chunk);
    Value fastHere = prepareOperands();
    transposeValues();
    proxyFence();
    if (ops.statesOnly())
      stateOnlyStep(loop, stateGroup, nextChunk, more, nextGates);
    else
      outputStep(loop, fastHere, stateGroup, nextChunk, more, nextGates);
  }
  // A segmented walk's last piece ends where the sequence does.
  Value writes = stateGroup;
  if (plan.getSegments() > 1 && !ops.statesOnly())
    writes = arith::AndIOp::create(
        b, writes,
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, segment,
                              idx(plan.getSegments() - 1)));
  auto stateOut = scf::IfOp::create(b, writes, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&stateOut.getThenRegion().front());
  ValueRange results = loop.getResults();
  storeState(results.take_front(shape.keys / kTileRows));
  if (ops.statesOnly())
    storeSegmentDecay(results.back());
}

/// The rest of a chunk step of the walk: the vote, the elementwise scores
/// of a chunk outside the vote's bound, the refill, then the two roles
/// (warpgroup 1: scores and state; warpgroup 0: outputs).
void ChunkScanEmitter::outputStep(scf::ForOp loop, Value fastHere,
                                  Value stateGroup, Value nextChunk, Value more,
                                  Value nextGates) {
  Value chunk = loop.getInductionVar();
  Value votes = NVVM::BarrierOp::create(
                    b, b.getI32Type(), Value(), Value(),
                    NVVM::BarrierReductionAttr::get(
                        b.getContext(), NVVM::BarrierReduction::AND),
                    arith::ExtUIOp::create(b, b.getI32Type(), fastHere))
                    .getRes();
  Value fast =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ne, votes,
                            arith::ConstantIntOp::create(b, b.getI32Type(), 0));
  if (shape.gated) {
    // After the vote, where the preparation's registers are free.
    // Dense and shared parts only: the routed kernel has no registers
    // left for it (ptxas spills); its one-token chunks keep the product.
    if (!shape.routed)
      exactFirstScore(oneToken(chunk));
    auto slowChunk = scf::IfOp::create(
        b,
        arith::XOrIOp::create(
            b, fast, arith::ConstantIntOp::create(b, b.getI1Type(), 1)),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(&slowChunk.getThenRegion().front());
    slowScores(chunk);
    gpu::BarrierOp::create(b);
  }
  refillAfterPreparation(nextChunk, more, nextGates);
  auto roles = scf::IfOp::create(b, loop.getResultTypes(), stateGroup,
                                 /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(&roles.getThenRegion().front());
    scf::YieldOp::create(b, stateUpdate(loop.getRegionIterArgs(), fast));
    b.setInsertionPointToStart(&roles.getElseRegion().front());
    outputProducts(chunk);
    scf::YieldOp::create(b, loop.getRegionIterArgs());
  }
  scf::YieldOp::create(b, roles.getResults());
}

/// After the preparation: the scalar gates loaded early go into the next
/// chunk's stage (past the walk's end, zeros that no chunk reads); with
/// one stage the raw tiles are consumed, so the next chunk's loads start
/// now and run during the products.
void ChunkScanEmitter::refillAfterPreparation(Value nextChunk, Value more,
                                              Value nextGates) {
  if (nextGates) {
    storeScalarGates(
        nextGates, view("g", {kChunk}, shape.gateElement, stageOf(nextChunk)));
    return;
  }
  if (plan.getStages() > 1)
    return;
  auto late = scf::IfOp::create(b, more, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard inner(b);
  b.setInsertionPointToStart(&late.getThenRegion().front());
  issueLoads(nextChunk);
  if (shape.gated && !shape.perKey)
    storeScalarGates(loadScalarGates(nextChunk), gRaw);
}

/// The rest of a chunk step of the state pass: once the operands are
/// written (a block barrier), warpgroup 1 updates the state and its key's
/// decay, beside the refill.
void ChunkScanEmitter::stateOnlyStep(scf::ForOp loop, Value stateGroup,
                                     Value nextChunk, Value more,
                                     Value nextGates) {
  gpu::BarrierOp::create(b);
  refillAfterPreparation(nextChunk, more, nextGates);
  ValueRange carried = loop.getRegionIterArgs();
  auto roles = scf::IfOp::create(b, carried.getTypes(), stateGroup,
                                 /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(&roles.getThenRegion().front());
    SmallVector<Value> next =
        stateOnlyUpdate(carried.take_front(shape.keys / kTileRows));
    next.push_back(accumulateDecay(carried.back()));
    scf::YieldOp::create(b, next);
    b.setInsertionPointToStart(&roles.getElseRegion().front());
    scf::YieldOp::create(b, carried);
  }
  scf::YieldOp::create(b, roles.getResults());
}
} // namespace

namespace {
/// Why the kernel cannot take the buffers of `op`: every operand must be a
/// static identity-layout memref (`k`, `v`: the op's keys and values).
std::optional<std::string> checkScanBuffers(Operation *op, Value k, Value v) {
  if (!isa<MemRefType>(k.getType()) || !isa<MemRefType>(v.getType()))
    return std::string("the op is on tensors");
  for (Value operand : op->getOperands())
    if (!cast<MemRefType>(operand.getType()).hasStaticShape() ||
        !cast<MemRefType>(operand.getType()).getLayout().isIdentity())
      return std::string("every buffer must have a static shape and the "
                         "identity layout");
  return std::nullopt;
}

/// The chunk-scan kernel of `ops` (either op that builds one), named
/// `name`, appended to `module`.
gpu::GPUFuncOp emitScanKernel(const ScanOperands &ops, gpu::GPUModuleOp module,
                              StringRef name) {
  ImplicitLocOpBuilder b(ops.op->getLoc(), ops.op->getContext());
  gpu::GPUFuncOp fn = createKernelFunc(b, ops.op, module, name, kThreads);
  ChunkScanEmitter(ops, fn, b).emit();
  gpu::ReturnOp::create(b);
  return fn;
}

/// Why the kernel cannot run `plan` over keys `k`, values `v` and `gate`
/// (on buffers), or nothing.
std::optional<std::string> checkScanInputs(PlanAttr plan, MemRefType k,
                                           MemRefType v, Value gate) {
  Type e = k.getElementType();
  if (!(e.isBF16() || e.isF16()) || v.getElementType() != e)
    return std::string("q, k, v must share one 16-bit type (bf16 or f16)");
  if (gate && cast<MemRefType>(gate.getType()).getElementType() != e)
    return std::string("the gates must have the type of q");
  bool perKey = gate && cast<MemRefType>(gate.getType()).getRank() == 4;
  return checkImplementedPlan(plan, k.getDimSize(3), v.getDimSize(3),
                              e.getIntOrFloatBitWidth() / 8, perKey,
                              gate && !perKey);
}
} // namespace

std::optional<std::string> mlir::sse_gpu::chunkScanUnsupported(ChunkScanOp op) {
  PlanAttr plan = op.getPlan();
  if (auto why = checkScanBuffers(op, op.getQ(), op.getV()))
    return why;
  auto q = cast<MemRefType>(op.getQ().getType());
  auto v = cast<MemRefType>(op.getV().getType());
  if (op.getBeta())
    return std::string("the additive rule only (delta-rule scans are not "
                       "built yet)");
  if (!op.isRouted() && op.getPartitions() != 1)
    return std::string("a dense scan has one partition");
  if (op.isRouted() && op.getCuSeqlens())
    return std::string("routed partitions of packed sequences are not built "
                       "yet");
  if (op.isRouted() &&
      !cast<MemRefType>(op.getWeights().getType()).getElementType().isF32())
    return std::string("the routed weights must be f32");
  if (op.isRouted() &&
      (!plan.getBuffer("visits") || plan.getBuffer("visits")->second < 64 * 4))
    return std::string("a routed plan needs a 'visits' buffer of 256 bytes");
  if (op.isRouted() && plan.getStages() > 1 &&
      (!plan.getBuffer("entries") ||
       plan.getBuffer("entries")->second <
           routedEntryBytes(plan.getChunk(), plan.getStages())))
    return "a routed plan with a ring needs an 'entries' buffer of " +
           std::to_string(routedEntryBytes(plan.getChunk(), plan.getStages())) +
           " bytes";
  if (op.getK().getType() != q)
    return std::string("q and k must have one type");
  return checkScanInputs(plan, q, v, op.getGate());
}

gpu::GPUFuncOp mlir::sse_gpu::emitChunkScanKernel(ChunkScanOp op,
                                                  gpu::GPUModuleOp module,
                                                  StringRef name) {
  return emitScanKernel(ScanOperands(op), module, name);
}

std::array<int64_t, 3> mlir::sse_gpu::chunkScanGrid(ChunkScanOp op) {
  auto v = cast<MemRefType>(op.getV().getType());
  auto states = cast<MemRefType>(op.getStatesInit().getType());
  int64_t walks = states.getDimSize(0) * op.getPlan().getSegments();
  if (op.isRouted())
    walks *= op.getPartitions();
  return {v.getDimSize(3) / op.getPlan().getVSlice(), v.getDimSize(2), walks};
}

std::array<int64_t, 3> mlir::sse_gpu::segmentStatesGrid(SegmentStatesOp op) {
  auto v = cast<MemRefType>(op.getV().getType());
  auto ends = cast<MemRefType>(op.getEndsInit().getType());
  return {v.getDimSize(3) / op.getPlan().getVSlice(), v.getDimSize(2),
          ends.getDimSize(0) * ends.getDimSize(1)};
}

gpu::GPUFuncOp mlir::sse_gpu::emitSegmentStatesKernel(SegmentStatesOp op,
                                                      gpu::GPUModuleOp module,
                                                      StringRef name) {
  return emitScanKernel(ScanOperands(op), module, name);
}

std::optional<std::string>
mlir::sse_gpu::segmentStatesUnsupported(SegmentStatesOp op) {
  if (auto why = checkScanBuffers(op, op.getK(), op.getV()))
    return why;
  return checkScanInputs(op.getPlan(), cast<MemRefType>(op.getK().getType()),
                         cast<MemRefType>(op.getV().getType()), op.getGate());
}

int64_t mlir::sse_gpu::chunkScanThreads() { return kThreads; }
