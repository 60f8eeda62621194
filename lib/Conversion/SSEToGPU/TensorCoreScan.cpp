//===- TensorCoreScan.cpp - The chunked tensor-core scan kernel -----------===//
//
// The scan kernel (any input type, either update rule): one block per
// (sequence, head, state partition, `cols` columns of V). The block walks
// its tokens (every token, or with grouping = sorted the routed
// partition's list) in chunks of the schedule's length C: one round of
// coalesced loads stages the chunk's q, k, log-gates and v in shared
// memory, then the chunk is processed in 16-token steps on tensor cores
// (nvgpu.ldmatrix + mma.sync m16n8k16 on operands of the input's 16-bit
// type, f32 accumulation; for f32 inputs f32 operands multiplied as
// 3xTF32):
//
//   O  = Qd S + A V        Qd = scale w_r q exp(G)        (16 x K)
//   S <- exp(G_15) S + Kd^T V,  Kd = w_w k exp(G_15 - G)  (16 x K)
//
// with G the cumulative log-decay of the step's selected tokens, and A the
// masked 16 x 16 scores scale w_r,i w_w,j sum_r q_ir k_jr exp(G_ir - G_jr).
// Every decay factor is the exponential of a sum of log-gates over a run
// of tokens, taken directly, so it lies in [0, 1] and a -inf gate (a
// reset) makes it 0 (docs/Semantics.md): the step is cut into halves of 8
// tokens with prefix sums P (from a half's start) and suffix sums Q (to a
// half's end). The scores' off-diagonal 8 x 8 block (rows 8..15, columns
// 0..7) is (q exp(P)) . (k exp(Q)) on tensor cores in tf32 (3xTF32 for f32
// inputs), both factors <= 1 around the boundary of the halves; the two
// diagonal blocks are computed elementwise, a warp per row with a running
// sum of the log-gates per key.
//
// The f32 state tile lives in registers, as the accumulators of the
// S update: each warp owns a fixed set of its 16 x 8 tiles across the
// whole sequence; after each step the warps write it to shared memory as
// the B operand of the next step's Qd S. The final states leave the chip
// once. With split = chunked the same kernel runs twice per segment of the
// entries (segment states from zero; outputs from the combined starting
// state), around a short combine scan (emitSegmentCombineKernel).
//
// The gated delta rule (scalar gates) runs the same step with V replaced
// by U, the solution of u_i = beta_i (v_i - Kg_i S) - sum_j<i M_ij u_j
// (Kg = w_w k exp(G); M the strictly lower beta_i w_w,i w_w,j k_i k_j^T
// e^(G_i - G_j), on tensor cores like A): a 16 x 16 unit lower-triangular
// solve per step, a thread per column (the WY form of the chunk, solved
// rather than inverted).
//
//===----------------------------------------------------------------------===//

#include "ScanKernels.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sse;
using namespace mlir::sse::gpu_lowering;

namespace {

/// m16n8k16: rows and reduction of a tile, and its columns.
constexpr int64_t kTile = 16;
constexpr int64_t kN = 8;
/// Padding (in elements) of the f16 operand rows, so that the eight rows an
/// ldmatrix reads fall in different shared-memory banks.
constexpr int64_t kPad = 8;
/// The same for f32 operand rows read as tf32 fragments (rows g, columns t:
/// a stride of 4 banks per row keeps the 32 lanes apart).
constexpr int64_t kPadTf32 = 4;
/// SMs of the target (an H100 SXM), for the grid-size heuristics.
constexpr int64_t kSMs = 132;
/// Shared memory per block the plan aims below: 100 KiB where two blocks
/// should share an SM (grids of four or more waves), else 200 KiB (the
/// chunk staged at once is then the schedule's, up to 64 tokens).
constexpr int64_t kSharedBudgetTwoBlocks = 100 * 1024;
constexpr int64_t kSharedBudgetOneBlock = 200 * 1024;
/// Tokens of a half step: the reference point of the score factors.
constexpr int64_t kHalf = 8;
/// A step whose half-step log-decays all stay above -kMaxHalfDecay (for
/// every key) forms all its scores on tensor cores with the boundary of
/// the halves as the one reference: its factors are then within
/// e^(+-kMaxHalfDecay), far inside f32's range, and each product keeps its
/// relative precision. Any other step (strong gates, resets) computes the
/// diagonal blocks elementwise.
constexpr double kMaxHalfDecay = 30.0;

/// The static shape of the kernel: tile sizes, warps and the shared-memory
/// layout (byte offsets of each buffer).
struct TensorCorePlan {
  int64_t keys, values, cols, warps, chunk;
  Type qkType, vType;
  /// The gated delta rule: the step's values are replaced by the solved
  /// u (see the file comment), which takes the buffers kBeta..kU.
  bool delta = false;

  int64_t nTiles() const { return cols / kN; }
  /// f32 inputs multiply in tf32 (f32 operands), bf16 inputs in bf16 (its
  /// range: an f16 copy of a long ungated sum could overflow), f16 in f16.
  bool tf32() const { return qkType.isF32(); }
  bool bf16() const { return qkType.isBF16(); }
  Type operandType(MLIRContext *ctx) const {
    if (tf32())
      return Float32Type::get(ctx);
    if (bf16())
      return BFloat16Type::get(ctx);
    return Float16Type::get(ctx);
  }
  int64_t outTilesPerWarp() const { return nTiles() / warps; }
  int64_t threads() const { return 32 * warps; }

  struct Buffer {
    SmallVector<int64_t> shape;
    Type type;
    int64_t offset;
  };
  SmallVector<Buffer> buffers;
  int64_t bytes = 0;

  int64_t add(ArrayRef<int64_t> shape, Type type) {
    int64_t n = type.getIntOrFloatBitWidth() / 8;
    for (int64_t d : shape)
      n *= d;
    buffers.push_back({SmallVector<int64_t>(shape), type, bytes});
    bytes += (n + 15) / 16 * 16;
    return buffers.size() - 1;
  }
};

/// Buffer indices within TensorCorePlan::buffers.
enum SharedBuffer {
  kTok,    // [C] i32: token of each staged row
  kRead,   // [C] f32: read weight (0: not selected)
  kWrite,  // [C] f32: write weight
  kSel,    // [C] f32: 1 if the row selects the partition
  kQRaw,   // [C][K]: q of the chunk, in q's type
  kKRaw,   // [C][K]: k
  kGate,   // [C][K] f32: log-gates
  kVRaw,   // [C][cols]: v
  kQp,     // [16][K+4] f32: q exp(P) in rows 8..15, else 0 (scores; the
           // padding spreads a tf32 fragment's rows over the banks)
  kKp,     // [16][K+4] f32: k exp(Q) in rows 0..7, else 0 (scores)
  kQd,     // [16][K+pad] f16: A operand of Qd S
  kKdT,    // [K][16+pad] f16: A operand of Kd^T V
  kScore,  // [16][16+pad] f16: A operand of A V
  kVt,     // [16][cols+pad] f16: B operand of A V and Kd^T V
  kSh,     // [K][cols+pad] f16: the state, B operand of Qd S
  kDecay,  // [K] f32: the segment's summed log-decay (SegmentLocal)
  kGPre,   // [16][K] f32: P, log-gates summed from the half's start to i
  kGSuf,   // [16][K] f32: Q, log-gates summed from i + 1 to the half's end
  kDiag,   // [16][8] f32: diagonal-block scores, [i][d] for column i - d
  kStrong, // [1] i32: 1 if the step has a half-step decay below the bound
  // Delta rule only:
  kBeta,  // [C] f32: beta of each row (0: not selected)
  kKq,    // [16][K+4] f32: k exp(P) in rows 8..15, else 0 (the k k^T scores)
  kKg,    // [16][K+pad] f16: A operand of Kg S, Kg = w_w k exp(G)
  kM,     // [16][16+1] f32: M = beta_i w_w,i w_w,j k_i k_j^T e^(G_i - G_j), j<i
  kU,     // [16][cols+4] f32: R = V - Kg S, then solved in place into U
  kDiagM, // [16][8] f32: diagonal-block k k^T scores, like kDiag
};

TensorCorePlan planTensorCoreScan(ScanOp op,
                                  int64_t budget = kSharedBudgetTwoBlocks) {
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  auto vType = cast<RankedTensorType>(op.getV().getType());
  TensorCorePlan p;
  p.keys = qType.getDimSize(3);
  p.values = vType.getDimSize(3);
  p.qkType = qType.getElementType();
  p.vType = vType.getElementType();
  p.delta = op.getRule() == UpdateRule::delta;
  std::optional<ScheduleAttr> schedule = op.getSchedule();
  // Columns per block: the schedule's V tile, as far as the state tile
  // fits 64 f32 registers per thread of at most 8 warps.
  int64_t wanted = schedule ? schedule->getVTile() : p.values;
  p.cols = kTile;
  // At most 256 columns: the kernel unrolls its column tiles, and K = 16
  // with V = 1024 took 17 s to compile (2.5 s at 256; a V of 2^31 once
  // also made this loop run 2^27 times).
  constexpr int64_t kMaxColumns = 256;
  int64_t widest = std::min({p.values, std::max(wanted, kTile), kMaxColumns,
                             std::max<int64_t>(kTile, 16384 / p.keys)});
  for (int64_t c = kTile; c <= widest; c += kTile)
    if (p.values % c == 0)
      p.cols = c;
  p.warps = std::clamp<int64_t>(p.keys * p.cols / 2048, 1, 8);
  while (p.nTiles() % p.warps || (p.keys / kTile) % p.warps)
    --p.warps;
  // Tokens staged per chunk: the schedule's chunk (multiples of 16, at
  // most 64), shortened until the buffers fit the budget.
  int64_t chunk = schedule ? schedule->getChunk() : 64;
  chunk = std::clamp<int64_t>(chunk / kTile * kTile, kTile, 64);
  for (;; chunk -= kTile) {
    TensorCorePlan t = p;
    MLIRContext *ctx = qType.getContext();
    Type f32 = Float32Type::get(ctx), i32 = IntegerType::get(ctx, 32);
    int64_t k = p.keys, c = p.cols;
    t.chunk = chunk;
    t.add({chunk}, i32);
    t.add({chunk}, f32);
    t.add({chunk}, f32);
    t.add({chunk}, f32);
    t.add({chunk, k}, p.qkType);
    t.add({chunk, k}, p.qkType);
    t.add({chunk, k}, f32);
    t.add({chunk, c}, p.vType);
    t.add({kTile, k + 4}, f32);
    t.add({kTile, k + 4}, f32);
    // Operands in the input's 16-bit type, or f32 (tf32 mma) for f32.
    Type op = p.operandType(ctx);
    int64_t pad = p.tf32() ? kPadTf32 : kPad;
    t.add({kTile, k + pad}, op);
    t.add({k, kTile + pad}, op);
    t.add({kTile, kTile + pad}, op);
    t.add({kTile, c + pad}, op);
    t.add({k, c + pad}, op);
    t.add({k}, f32);
    t.add({kTile, k}, f32);
    t.add({kTile, k}, f32);
    t.add({kTile, kHalf}, f32);
    t.add({1}, i32);
    if (p.delta) {
      t.add({chunk}, f32);
      t.add({kTile, k + 4}, f32);
      t.add({kTile, k + pad}, op);
      t.add({kTile, kTile + 1}, f32);
      t.add({kTile, c + 4}, f32);
      t.add({kTile, kHalf}, f32);
    }
    if (t.bytes <= budget || chunk == kTile)
      return t;
  }
}

} // namespace

void ScanKernels::emitTensorCoreScanKernel(TensorCoreMode mode,
                                           int64_t segments, Value segStates,
                                           Value segDecay) {
  bool local = mode == TensorCoreMode::SegmentLocal;
  // Two blocks per SM (sse-outline-kernels turns the hint into
  // nvvm.minctasm, which caps the registers to match) when the grid is at
  // least four waves of one block per SM: measured on an H100, core-n8k2
  // (576 blocks) went from 3.59 to 3.13 ms, while core-4k (320 blocks,
  // bound by its longest block's walk) went from 2.52 to 3.18 ms. Their
  // shared memory must fit an SM (228 KiB, 1 KiB reserved per block).
  std::optional<int64_t> items = staticWorkItems();
  bool twoBlocks = items && *items * segments >= 4 * kSMs;
  TensorCorePlan plan = planTensorCoreScan(
      op, twoBlocks ? kSharedBudgetTwoBlocks : kSharedBudgetOneBlock);
  twoBlocks = twoBlocks && 2 * (plan.bytes + 1024) <= 228 * 1024;
  const int64_t kw = plan.keys, cw = plan.cols, chunk = plan.chunk;
  MLIRContext *ctx = b.getContext();
  auto wg = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  const bool tf32 = plan.tf32();
  // The 16-bit operand type (f16 or bf16; f32 operands for tf32).
  Type half = plan.operandType(ctx);
  // An f32 value as a matrix operand (rounded to `half` unless tf32).
  auto toOperand = [&](Value x) -> Value {
    return tf32 ? x : arith::TruncFOp::create(b, half, x).getResult();
  };
  auto fragA = VectorType::get({4, 2}, half);
  auto fragB = VectorType::get({2, 2}, half);
  auto fragC = VectorType::get({2, 2}, f32);

  Value vTiles = e.idx(plan.values / cw);
  Value gridX =
      arith::MulIOp::create(b, arith::MulIOp::create(b, numSeqs, numHeads),
                            arith::MulIOp::create(b, vTiles, e.idx(segments)));
  Value smemBytes =
      arith::ConstantOp::create(b, b.getI32IntegerAttr(plan.bytes));
  auto launchOp =
      gpu::LaunchOp::create(b, gridX, e.idx(op.getNumStatePartitions()), one,
                            e.idx(plan.threads()), one, one, smemBytes);
  nameKernel(launchOp, mode == TensorCoreMode::Full ? "sse_scan_tc"
                       : local ? "sse_scan_tc_segment_states"
                               : "sse_scan_tc_segment_outputs");
  if (twoBlocks)
    launchOp->setAttr(sse::attr_names::kMinBlocksPerSM, b.getI32IntegerAttr(2));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launchOp.getBody().front());

  // Views of the dynamic shared memory.
  Value base = gpu::DynamicSharedMemoryOp::create(
      b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                         MemRefLayoutAttrInterface(), wg));
  SmallVector<Value> mem;
  for (const TensorCorePlan::Buffer &buf : plan.buffers)
    mem.push_back(memref::ViewOp::create(
        b,
        MemRefType::get(buf.shape, buf.type, MemRefLayoutAttrInterface(), wg),
        base, e.idx(buf.offset), ValueRange()));

  Value tid = launchOp.getThreadIds().x;
  Value part = launchOp.getBlockIds().y;
  Value segment =
      arith::RemUIOp::create(b, launchOp.getBlockIds().x, e.idx(segments));
  Value bx =
      arith::DivUIOp::create(b, launchOp.getBlockIds().x, e.idx(segments));
  Value c32 = e.idx(32);
  Value lane = arith::RemUIOp::create(b, tid, c32);
  Value warpId = arith::DivUIOp::create(b, tid, c32);
  Value group = arith::DivUIOp::create(b, lane, e.idx(4)); // row of a fragment
  Value quad = arith::RemUIOp::create(b, lane, e.idx(4));  // column pair
  Value lane16 = arith::RemUIOp::create(b, lane, e.idx(kTile));
  Value laneHalf = arith::MulIOp::create(
      b, arith::DivUIOp::create(b, lane, e.idx(kTile)), e.idx(8));
  Value vtile = arith::RemUIOp::create(b, bx, vTiles);
  Value seqHead = arith::DivUIOp::create(b, bx, vTiles);
  Value seq = arith::DivUIOp::create(b, seqHead, numHeads);
  Value h = arith::RemUIOp::create(b, seqHead, numHeads);
  Value c0 = arith::MulIOp::create(b, vtile, e.idx(cw));
  auto [start, end, batch] = sequenceRange(seq);
  Value threads = e.idx(plan.threads());
  Value keys = e.idx(kw), cols = e.idx(cw), tile = e.idx(kTile);
  Value scale = scanScale(e, op, keyWidth);
  Value zeroF = e.f32(0.0), oneF = e.f32(1.0);
  bool hasShared = shared.q != nullptr;
  Value isShared =
      hasShared ? arith::CmpIOp::create(b, arith::CmpIPredicate::eq, part, zero)
                      .getResult()
                : Value();
  Value routedPart =
      hasShared ? arith::SubIOp::create(b, part, one).getResult() : part;
  auto [pickW, pickI] = privatePickRows();

  auto add = [&](Value x, Value y) -> Value {
    return arith::AddIOp::create(b, x, y);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulIOp::create(b, x, y);
  };
  auto load = [&](int buf, ValueRange at) -> Value {
    return memref::LoadOp::create(b, mem[buf], at);
  };
  auto store = [&](Value x, int buf, ValueRange at) {
    memref::StoreOp::create(b, x, mem[buf], at);
  };
  auto toF32 = [&](Value x) -> Value {
    return x.getType() == f32 ? x : arith::ExtFOp::create(b, f32, x);
  };
  auto truncTo = [&](Type t, Value x) -> Value {
    return t == f32 ? x : arith::TruncFOp::create(b, t, x);
  };
  // Exponentials of log-decays: the fast (ex2-based) form; its error is
  // far below the f16 rounding of the operands it scales.
  auto fastExp = [&](Value x) -> Value {
    return math::ExpOp::create(
        b, x, arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::afn));
  };
  auto isNonZero = [&](Value x) {
    return arith::CmpFOp::create(b, arith::CmpFPredicate::ONE, x, zeroF);
  };
  // A value read from the shared inputs (partition 0) or the routed ones;
  // the branch is uniform over the block.
  auto fromInputs = [&](function_ref<Value(const SlotInputs &)> read) -> Value {
    if (!hasShared)
      return read(routed);
    auto ifOp = scf::IfOp::create(b, TypeRange{f32}, isShared, true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, ValueRange{read(shared)});
    b.setInsertionPointToStart(ifOp.elseBlock());
    scf::YieldOp::create(b, ValueRange{read(routed)});
    return ifOp.getResult(0);
  };

  // The state tiles this warp owns: row tiles warpId + warps m, every
  // column tile; the fragment of a tile holds rows group and group + 8,
  // columns 2 quad and 2 quad + 1. Offsets from two per-thread bases are
  // constants, which keeps the index registers few.
  int64_t rowTilesPerWarp = kw / kTile / plan.warps;
  Value rowBase = add(mul(warpId, tile), group);
  Value colBase = mul(quad, e.idx(2));
  struct OwnedTile {
    Value rowTile, colTile, r0, r1, col;
  };
  SmallVector<OwnedTile> owned;
  for (int64_t m = 0; m < rowTilesPerWarp; ++m)
    for (int64_t ct = 0; ct < plan.nTiles(); ++ct) {
      Value r0 = add(rowBase, e.idx(m * plan.warps * kTile));
      owned.push_back({add(warpId, e.idx(m * plan.warps)), e.idx(ct), r0,
                       add(r0, e.idx(8)), add(colBase, e.idx(ct * kN))});
    }
  auto element = [&](Value frag, int64_t i, int64_t j) -> Value {
    return vector::ExtractOp::create(b, frag, ArrayRef<int64_t>{i, j});
  };
  // Writes the state fragments to shared memory in f16 (Qd S's operand).
  auto writeStateOperand = [&](ValueRange frags) {
    for (auto [t, frag] : llvm::zip(owned, frags))
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j)
          store(toOperand(element(frag, i, j)), kSh,
                {i ? t.r1 : t.r0, add(t.col, e.idx(j))});
  };

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
    loopLo = hasShared
                 ? arith::SelectOp::create(b, isShared, start, zero).getResult()
                 : zero;
    loopHi = hasShared
                 ? arith::SelectOp::create(b, isShared, end, count).getResult()
                 : count;
  }
  if (segments > 1) {
    // This block's segment: an equal share of the partition's entries.
    Value len = arith::CeilDivUIOp::create(
        b, arith::SubIOp::create(b, loopHi, loopLo), e.idx(segments));
    loopLo = arith::MinSIOp::create(b, add(loopLo, mul(segment, len)), loopHi);
    loopHi = arith::MinSIOp::create(b, add(loopLo, len), loopHi);
  }
  // States in place (init is the states buffer): a block without entries
  // (a routed partition no token picked, an empty sequence) leaves its
  // states as they are, so it neither loads nor stores them. In a decode
  // step that is most routed partitions.
  Value hasEntries;
  if (mode == TensorCoreMode::Full && init && init == states)
    hasEntries =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, loopLo, loopHi);

  // A fragment row's two adjacent f32 of a [.., K, V] states buffer move
  // as one 8-byte access (a quad of lanes then covers 32 contiguous bytes)
  // where the buffer has the identity layout (allocations are aligned and
  // the columns even).
  auto pairwise = [](Value buf) {
    return cast<MemRefType>(buf.getType()).getLayout().isIdentity();
  };
  auto pairType = VectorType::get({2}, f32);
  // The state starts from init (or zeros).
  auto loadInitial = [&]() {
    SmallVector<Value> frags;
    for (const OwnedTile &t : owned) {
      SmallVector<Value> xs;
      for (int64_t i = 0; i < 2; ++i) {
        Value r = i ? t.r1 : t.r0, c = add(c0, t.col);
        if (mode != TensorCoreMode::SegmentOutput && init && !local &&
            pairwise(init)) {
          Value pair = vector::LoadOp::create(
              b, pairType, init, ValueRange{seq, h, part, r, c},
              /*nontemporal=*/false, llvm::MaybeAlign(8));
          for (int64_t j = 0; j < 2; ++j)
            xs.push_back(
                vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{j}));
          continue;
        }
        for (int64_t j = 0; j < 2; ++j) {
          Value cj = add(c, e.idx(j));
          if (mode == TensorCoreMode::SegmentOutput) // from the combine kernel
            xs.push_back(memref::LoadOp::create(
                b, segStates, ValueRange{seq, h, part, segment, r, cj}));
          else if (init && !local)
            xs.push_back(memref::LoadOp::create(
                b, init, ValueRange{seq, h, part, r, cj}));
          else
            xs.push_back(zeroF);
        }
      }
      frags.push_back(vector::FromElementsOp::create(b, fragC, xs));
    }
    return frags;
  };
  SmallVector<Value> initial;
  if (hasEntries) {
    SmallVector<Type> types(owned.size(), fragC);
    auto ifOp = scf::IfOp::create(b, types, hasEntries, /*withElse=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    scf::YieldOp::create(b, loadInitial());
    b.setInsertionPointToStart(ifOp.elseBlock());
    Value zeroFragment = arith::ConstantOp::create(
        b, fragC, DenseElementsAttr::get(fragC, b.getF32FloatAttr(0.0)));
    scf::YieldOp::create(b, SmallVector<Value>(owned.size(), zeroFragment));
    initial.assign(ifOp.getResults().begin(), ifOp.getResults().end());
  } else {
    initial = loadInitial();
  }
  writeStateOperand(initial);
  if (local)
    forStep(tid, keys, threads, [&](Value r) { store(zeroF, kDecay, {r}); });
  // The strong-step flag is cleared here and after each step's last read.
  auto clearStrong = [&] {
    e.ifThen(arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tid, zero),
             [&] {
               store(arith::ConstantIntOp::create(b, 0, 32), kStrong, {zero});
             });
  };
  clearStrong();
  gpu::BarrierOp::create(b);

  auto chunkLoop = scf::ForOp::create(b, loopLo, loopHi, e.idx(chunk), initial);
  b.setInsertionPointToStart(chunkLoop.getBody());
  Value t0 = chunkLoop.getInductionVar();
  Value n = arith::MinSIOp::create(b, e.idx(chunk),
                                   arith::SubIOp::create(b, loopHi, t0));

  // (1) Rows of the chunk: token, selection, read and write weights.
  forStep(tid, e.idx(chunk), threads, [&](Value i) {
    store(zeroF, kSel, {i});
    store(zeroF, kRead, {i});
    store(zeroF, kWrite, {i});
    store(arith::ConstantOp::create(b, b.getI32IntegerAttr(0)), kTok, {i});
    if (plan.delta)
      store(zeroF, kBeta, {i});
    e.ifThen(arith::CmpIOp::create(b, arith::CmpIPredicate::slt, i, n), [&] {
      Value pos = add(t0, i);
      Value t = pos;
      if (lists) {
        Value listed = arith::IndexCastOp::create(
            b, b.getIndexType(),
            memref::LoadOp::create(b, listT,
                                   ValueRange{seq, h, listPart, pos}));
        t = hasShared
                ? arith::SelectOp::create(b, isShared, pos, listed).getResult()
                : listed;
      }
      store(arith::IndexCastOp::create(b, i32, t), kTok, {i});
      auto select = [&](Value w, const SlotInputs &in) {
        store(oneF, kSel, {i});
        store(op.getReadGate() ? w : oneF, kRead, {i});
        store(op.getWriteGate() ? w : oneF, kWrite, {i});
        if (plan.delta)
          store(e.loadF32(in.beta, {batch, t, h}), kBeta, {i});
      };
      auto routedPick = [&] {
        if (!op.isRouted())
          return select(oneF, routed);
        if (lists) // every listed entry picks this partition
          return select(memref::LoadOp::create(
                            b, listW, ValueRange{seq, h, listPart, pos}),
                        routed);
        forEachPickOf(batch, t, h, routedPart, pickW, pickI,
                      [&](Value w) { select(w, routed); });
      };
      if (!hasShared)
        return routedPick();
      auto ifOp = scf::IfOp::create(b, isShared, /*withElseRegion=*/true);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      select(oneF, shared);
      b.setInsertionPointToStart(ifOp.elseBlock());
      routedPick();
    });
  });
  gpu::BarrierOp::create(b);

  // (2) One round of coalesced loads stages the chunk (zeros for the rows
  // that do not select the partition).
  auto tokenOf = [&](Value i) -> Value {
    return arith::IndexCastOp::create(b, b.getIndexType(), load(kTok, {i}));
  };
  auto selected = [&](Value i) { return isNonZero(load(kSel, {i})); };
  // Every staged row holds a valid token (row 0's when past the end), so
  // the loads need no branch: the row's selection masks them afterwards,
  // and an unrolled loop keeps many of them in flight. Shared and routed
  // inputs of one type are chosen between once per block.
  auto pickMem = [&](Value sharedM, Value routedM) -> Value {
    if (!hasShared)
      return routedM;
    if (!sharedM || !routedM || sharedM.getType() != routedM.getType())
      return Value();
    return arith::SelectOp::create(b, isShared, sharedM, routedM);
  };
  Value qMem = pickMem(shared.q, routed.q), kMem = pickMem(shared.k, routed.k);
  bool sameGates = !hasShared || (shared.perKeyGate == routed.perKeyGate);
  Value gMem = sameGates ? pickMem(shared.gate, routed.gate) : Value();
  auto masked = [&](Value i, Value x, Type t) -> Value {
    if (x.getType() != t)
      x = truncTo(t, toF32(x));
    Value z = arith::ConstantOp::create(b, b.getFloatAttr(t, 0.0));
    return arith::SelectOp::create(b, selected(i), x, z);
  };
  auto unrollOf = [&](int64_t items) {
    return std::min<int64_t>(items / plan.threads(), 16);
  };
  forStep(
      tid, mul(e.idx(chunk), keys), threads,
      [&](Value x) {
        Value i = arith::DivUIOp::create(b, x, keys);
        Value r = arith::RemUIOp::create(b, x, keys);
        Value t = tokenOf(i);
        auto qk = [&](Value mem, bool isQ) -> Value {
          if (mem)
            return memref::LoadOp::create(b, mem, ValueRange{batch, t, h, r});
          return fromInputs([&](const SlotInputs &in) {
            return e.loadF32(isQ ? in.q : in.k, {batch, t, h, r});
          });
        };
        auto gateOf = [&](const SlotInputs &in, Value mem) -> Value {
          if (!mem)
            return zeroF;
          return in.perKeyGate ? e.loadF32(mem, {batch, t, h, r})
                               : e.loadF32(mem, {batch, t, h});
        };
        // One gate buffer for both partition kinds, or none at all: no
        // branch; otherwise each kind reads its own (or none).
        Value g;
        if (gMem || (!routed.gate && !shared.gate))
          g = gateOf(routed, gMem);
        else
          g = fromInputs(
              [&](const SlotInputs &in) { return gateOf(in, in.gate); });
        store(masked(i, qk(qMem, true), plan.qkType), kQRaw, {i, r});
        store(masked(i, qk(kMem, false), plan.qkType), kKRaw, {i, r});
        store(masked(i, g, f32), kGate, {i, r});
      },
      unrollOf(chunk * kw));
  forStep(
      tid, mul(e.idx(chunk), cols), threads,
      [&](Value x) {
        Value i = arith::DivUIOp::create(b, x, cols);
        Value c = arith::RemUIOp::create(b, x, cols);
        Value val = memref::LoadOp::create(
            b, v, ValueRange{batch, tokenOf(i), h, add(c0, c)});
        store(masked(i, val, plan.vType), kVRaw, {i, c});
      },
      unrollOf(chunk * cw));
  gpu::BarrierOp::create(b);

  // (3) The 16-token steps of the chunk.
  Value steps = arith::CeilDivUIOp::create(b, n, tile);
  auto stepLoop =
      scf::ForOp::create(b, zero, steps, one, chunkLoop.getRegionIterArgs());
  {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(stepLoop.getBody());
    Value row0 = mul(stepLoop.getInductionVar(), tile);
    auto rowOfStep = [&](Value i) { return add(row0, i); };

    // (a) Per key, the log-gates of each half of the step summed directly
    // (terms of one sign: accurate, and -inf stays -inf): P_i from the
    // half's start to i, Q_i from i + 1 to the half's end.
    forStep(tid, keys, threads, [&](Value r) {
      Value halfSums[2];
      for (int64_t h0 = 0; h0 < kTile; h0 += kHalf) {
        Value pre = zeroF, suf = zeroF;
        for (int64_t i = h0; i < h0 + kHalf; ++i) {
          pre = arith::AddFOp::create(b, pre,
                                      load(kGate, {rowOfStep(e.idx(i)), r}));
          store(pre, kGPre, {e.idx(i), r});
        }
        for (int64_t i = h0 + kHalf - 1; i >= h0; --i) {
          store(suf, kGSuf, {e.idx(i), r});
          suf = arith::AddFOp::create(b, suf,
                                      load(kGate, {rowOfStep(e.idx(i)), r}));
        }
        halfSums[h0 / kHalf] = pre;
      }
      if (local)
        store(arith::AddFOp::create(
                  b, load(kDecay, {r}),
                  arith::AddFOp::create(b, halfSums[0], halfSums[1])),
              kDecay, {r});
      Value bound = e.f32(-kMaxHalfDecay);
      Value strongKey = arith::OrIOp::create(
          b,
          arith::CmpFOp::create(b, arith::CmpFPredicate::ULT, halfSums[0],
                                bound),
          arith::CmpFOp::create(b, arith::CmpFPredicate::ULT, halfSums[1],
                                bound));
      e.ifThen(strongKey, [&] {
        store(arith::ConstantIntOp::create(b, 1, 32), kStrong, {zero});
      });
    });
    gpu::BarrierOp::create(b);
    // Block-uniform: whether this step takes the elementwise diagonal.
    Value strong = arith::CmpIOp::create(
        b, arith::CmpIPredicate::ne, load(kStrong, {zero}),
        arith::ConstantIntOp::create(b, 0, 32));
    Value weak =
        arith::XOrIOp::create(b, strong, arith::ConstantIntOp::create(b, 1, 1));

    // (b) The step's operands. With h = (i >= 8): the decay from the step's
    // start through i is P_i (+ P_7 if h), from i + 1 to the step's end
    // Q_i (+ P_15 unless h); the score factors are exp(P_i) for rows of
    // the second half and exp(Q_j) for columns of the first (both <= 1).
    // In a weak step the other rows and columns take exp(-Q_i) and
    // exp(-P_j) (the same reference, factors <= e^kMaxHalfDecay) so that
    // one product gives every score; in a strong step they are 0 and the
    // diagonal blocks come from diagonalScores.
    forStep(
        tid, mul(tile, keys), threads,
        [&](Value x) {
          Value i = arith::DivUIOp::create(b, x, keys);
          Value r = arith::RemUIOp::create(b, x, keys);
          Value row = rowOfStep(i);
          Value second = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, i,
                                               e.idx(kHalf));
          Value pre = load(kGPre, {i, r}), suf = load(kGSuf, {i, r});
          Value fromStart = arith::AddFOp::create(
              b, pre,
              arith::SelectOp::create(
                  b, second, load(kGPre, {e.idx(kHalf - 1), r}), zeroF));
          Value toEnd = arith::AddFOp::create(
              b, suf,
              arith::SelectOp::create(b, second, zeroF,
                                      load(kGPre, {e.idx(kTile - 1), r})));
          Value qv = toF32(load(kQRaw, {row, r}));
          Value kv = toF32(load(kKRaw, {row, r}));
          Value qw = arith::MulFOp::create(
              b, qv, arith::MulFOp::create(b, scale, load(kRead, {row})));
          Value kwt = arith::MulFOp::create(b, kv, load(kWrite, {row}));
          // x exp(own) where `own` holds, x exp(-other) in a weak step,
          // else 0.
          auto factor = [&](Value own, Value x, Value ownExp, Value other) {
            Value exponent = arith::SelectOp::create(
                b, own, ownExp, arith::NegFOp::create(b, other));
            return arith::SelectOp::create(
                b, arith::OrIOp::create(b, own, weak),
                arith::MulFOp::create(b, x, fastExp(exponent)), zeroF);
          };
          Value first = arith::XOrIOp::create(
              b, second, arith::ConstantIntOp::create(b, 1, 1));
          if (!local)
            store(toOperand(arith::MulFOp::create(b, qw, fastExp(fromStart))),
                  kQd, {i, r});
          store(toOperand(arith::MulFOp::create(b, kwt, fastExp(toEnd))), kKdT,
                {r, i});
          if (!local)
            store(factor(second, qv, pre, suf), kQp, {i, r});
          if (!local || plan.delta)
            store(factor(first, kv, suf, pre), kKp, {i, r});
          if (plan.delta) {
            store(factor(second, kv, pre, suf), kKq, {i, r});
            store(toOperand(arith::MulFOp::create(b, kwt, fastExp(fromStart))),
                  kKg, {i, r});
          }
        },
        unrollOf(kTile * kw));
    // The diagonal 8 x 8 blocks of the scores of the rows of `rowsBuf`
    // (q or k of the chunk) against k: out[i][d] = sum_r x_ir k_jr
    // exp(sum of the log-gates of (j, i]) for j = i - d in i's half. A
    // warp per row, its lanes over the keys, each with a running sum.
    auto diagonalScores = [&](int rowsBuf, int out) {
      Value lanes = e.idx(32), warps = e.idx(plan.warps);
      auto rows = scf::ForOp::create(b, warpId, tile, warps);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(rows.getBody());
      Value i = rows.getInductionVar();
      Value inHalf = arith::RemUIOp::create(b, i, e.idx(kHalf));
      SmallVector<Value> init(kHalf, zeroF);
      auto keysLoop = scf::ForOp::create(b, lane, keys, lanes, init);
      {
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(keysLoop.getBody());
        Value r = keysLoop.getInductionVar();
        Value xr = toF32(load(rowsBuf, {rowOfStep(i), r}));
        Value decay = zeroF;
        SmallVector<Value> next;
        for (int64_t d = 0; d < kHalf; ++d) {
          Value active = arith::CmpIOp::create(b, arith::CmpIPredicate::ule,
                                               e.idx(d), inHalf);
          Value j = arith::SelectOp::create(
              b, active, arith::SubIOp::create(b, i, e.idx(d)), i);
          Value kj = toF32(load(kKRaw, {rowOfStep(j), r}));
          Value term = arith::MulFOp::create(
              b, arith::MulFOp::create(b, xr, kj), fastExp(decay));
          next.push_back(arith::AddFOp::create(
              b, keysLoop.getRegionIterArgs()[d],
              arith::SelectOp::create(b, active, term, zeroF)));
          decay = arith::AddFOp::create(
              b, decay,
              arith::SelectOp::create(b, active, load(kGate, {rowOfStep(j), r}),
                                      zeroF));
        }
        scf::YieldOp::create(b, next);
      }
      Value lane0 =
          arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, zero);
      for (int64_t d = 0; d < kHalf; ++d) {
        Value sum = keysLoop.getResult(d);
        for (int32_t offset = 16; offset >= 1; offset /= 2)
          sum = arith::AddFOp::create(
              b, sum,
              gpu::ShuffleOp::create(b, sum, offset, 32, gpu::ShuffleMode::XOR)
                  .getShuffleResult());
        e.ifThen(lane0, [&] { store(sum, out, {i, e.idx(d)}); });
      }
    };
    e.ifThen(strong, [&] {
      if (!local)
        diagonalScores(kQRaw, kDiag);
      if (plan.delta)
        diagonalScores(kKRaw, kDiagM);
    });
    if (!plan.delta) // the delta rule's B operand is the solved U instead
      forStep(
          tid, mul(tile, cols), threads,
          [&](Value x) {
            Value i = arith::DivUIOp::create(b, x, cols);
            Value c = arith::RemUIOp::create(b, x, cols);
            store(toOperand(toF32(load(kVRaw, {rowOfStep(i), c}))), kVt,
                  {i, c});
          },
          unrollOf(kTile * cw));
    gpu::BarrierOp::create(b);

    Value zeroFrag = arith::ConstantOp::create(
        b, fragC, DenseElementsAttr::get(fragC, b.getF32FloatAttr(0.0)));
    // The matrix products: 16-bit operands through ldmatrix and mma
    // m16n8k16, or f32 operands read as tf32 fragments for mma m16n8k8.
    int64_t kStep = tf32 ? kN : kTile;
    auto fragTA = VectorType::get({4, 1}, f32);
    auto fragTB = VectorType::get({2, 1}, f32);
    // tf32 fragments read from f32 shared memory (no ldmatrix for 32-bit
    // elements): A (m16 x k8) has rows row0 + group (+ 8), columns
    // col + quad (+ 4); B (k8 x n8) has rows k0 + quad (+ 4), column
    // n0 + group, element (k, n) at [k][n], or at [n][k] when `transposed`.
    auto tf32AFrag = [&](int buf, Value row0, Value col) -> Value {
      Value r0 = add(row0, group), r1 = add(r0, e.idx(8));
      Value k0 = add(col, quad), k1 = add(k0, e.idx(4));
      return vector::FromElementsOp::create(
          b, fragTA,
          ValueRange{load(buf, {r0, k0}), load(buf, {r1, k0}),
                     load(buf, {r0, k1}), load(buf, {r1, k1})});
    };
    auto tf32BFrag = [&](int buf, Value k0, Value n0, bool transposed) {
      Value n = add(n0, group), k = add(k0, quad), k4 = add(k, e.idx(4));
      auto at = [&](Value kk) {
        return transposed ? load(buf, {n, kk}) : load(buf, {kk, n});
      };
      return vector::FromElementsOp::create(b, fragTB,
                                            ValueRange{at(k), at(k4)})
          .getResult();
    };
    // tf32 keeps 10 of f32's 23 mantissa bits (the mma ignores the rest),
    // about 1e-3 relative: too coarse for f32 inputs (SPEC: 1e-3 on the
    // whole output). Their products split each operand into a tf32 part and
    // the f32 remainder and add three mmas (big x small, small x big,
    // big x big), which leaves an error near 2^-20 (the "3xTF32" method).
    auto splitTf32 = [&](Value x) -> std::pair<Value, Value> {
      auto vt = cast<VectorType>(x.getType());
      auto it = VectorType::get(vt.getShape(), b.getI32Type());
      Value mask = arith::ConstantOp::create(
          b, it, DenseElementsAttr::get(it, b.getI32IntegerAttr(~0x1FFF)));
      Value big = arith::BitcastOp::create(
          b, vt,
          arith::AndIOp::create(b, arith::BitcastOp::create(b, it, x), mask));
      return {big, arith::SubFOp::create(b, x, big)};
    };
    auto tf32Product = [&](Value a, Value bm, Value c, bool exact) -> Value {
      auto one = [&](Value x, Value y, Value acc) -> Value {
        return nvgpu::MmaSyncOp::create(b, x, y, acc,
                                        ArrayRef<int64_t>{kTile, kN, kN},
                                        /*tf32Enabled=*/true);
      };
      if (!exact)
        return one(a, bm, c);
      auto [aBig, aSmall] = splitTf32(a);
      auto [bBig, bSmall] = splitTf32(bm);
      c = one(aBig, bSmall, c);
      c = one(aSmall, bBig, c);
      return one(aBig, bBig, c);
    };
    // bf16: nvgpu.mma.sync does not lower bf16 operands, so nvvm.mma.sync
    // m16n8k16 takes them as packed 32-bit registers (a pair of bf16 each:
    // a row of the ldmatrix fragment).
    auto bf16Product = [&](Value a, Value bm, Value c) -> Value {
      auto regs = [&](Value frag, int64_t rows) {
        SmallVector<Value> out;
        auto pair = VectorType::get({1}, i32);
        for (int64_t r = 0; r < rows; ++r) {
          Value row = vector::ExtractOp::create(b, frag, ArrayRef<int64_t>{r});
          out.push_back(vector::ExtractOp::create(
              b, vector::BitCastOp::create(b, pair, row),
              ArrayRef<int64_t>{0}));
        }
        return out;
      };
      SmallVector<Value> acc;
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j)
          acc.push_back(element(c, i, j));
      auto resultType =
          LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(4, f32));
      Value d = NVVM::MmaOp::create(
          b, resultType, regs(a, 4), regs(bm, 2), acc,
          ArrayRef<int64_t>{kTile, kN, kTile}, std::nullopt, std::nullopt,
          std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                        NVVM::MMATypes::bf16},
          std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                         NVVM::MMALayout::col});
      SmallVector<Value> out;
      for (int64_t i = 0; i < 4; ++i)
        out.push_back(LLVM::ExtractValueOp::create(b, d, i));
      return vector::FromElementsOp::create(b, fragC, out);
    };
    auto mma = [&](Value a, Value bm, Value c) -> Value {
      if (tf32)
        return tf32Product(a, bm, c, /*exact=*/true);
      if (plan.bf16())
        return bf16Product(a, bm, c);
      return nvgpu::MmaSyncOp::create(b, a, bm, c,
                                      ArrayRef<int64_t>{kTile, kN, kStep});
    };
    // A fragments of rows [row0, row0 + 16), columns [col0, col0 + len).
    auto aFrags = [&](int buf, Value row0, Value col0, int64_t len) {
      SmallVector<Value> frags;
      for (int64_t kk = 0; kk < len; kk += kStep) {
        Value col = add(col0, e.idx(kk));
        if (!tf32) {
          frags.push_back(nvgpu::LdMatrixOp::create(
              b, fragA, mem[buf],
              ValueRange{add(row0, lane16), add(col, laneHalf)},
              /*transpose=*/false, /*numTiles=*/4));
          continue;
        }
        frags.push_back(tf32AFrag(buf, row0, col));
      }
      return frags;
    };
    // acc + A B, with B the rows [row0, ...) x columns [col0, col0 + 8) of
    // buffer `buf`, as many rows as `a` covers.
    auto accumulate = [&](ArrayRef<Value> a, int buf, Value row0, Value col0,
                          Value acc) {
      for (auto [s, frag] : llvm::enumerate(a)) {
        Value row = add(row0, e.idx(s * kStep));
        Value bm =
            tf32 ? tf32BFrag(buf, row, col0, /*transposed=*/false)
                 : nvgpu::LdMatrixOp::create(b, fragB, mem[buf],
                                             ValueRange{add(row, lane16), col0},
                                             /*transpose=*/true, /*numTiles=*/2)
                       .getResult();
        acc = mma(frag, bm, acc);
      }
      return acc;
    };
    // The masked 16 x 16 scores of the rows of `rowsBuf` (f32 factors, as
    // qp) against the keys of kp: the off-diagonal block on tensor cores
    // in tf32, one warp per 8 of the 16 columns (mma m16n8k8 over the
    // keys, fragments read straight from the factors, which are zero
    // outside that block), plus the diagonal blocks from `diagBuf`. Entry
    // (row, c) is kept where c <= row (c < row if `strict`), scaled by
    // weight(row, c), and handed to put(value, row, c).
    auto maskedScores = [&](int rowsBuf, int diagBuf, bool strict,
                            function_ref<Value(Value, Value)> weight,
                            function_ref<void(Value, Value, Value)> put) {
      for (int64_t nt = 0; nt < kTile / kN; ++nt) {
        Value owner = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, warpId,
                                            e.idx(nt % plan.warps));
        e.ifThen(owner, [&] {
          Value acc = zeroFrag;
          for (int64_t k0 = 0; k0 < kw; k0 += kN) {
            Value a = tf32AFrag(rowsBuf, zero, e.idx(k0));
            Value bm = tf32BFrag(kKp, e.idx(k0), e.idx(nt * kN),
                                 /*transposed=*/true);
            // Plain tf32 for f16/bf16 inputs (the scores are then
            // rounded to f16); 3xTF32 for f32 inputs.
            acc = tf32Product(a, bm, acc, /*exact=*/tf32);
          }
          for (int64_t i = 0; i < 2; ++i)
            for (int64_t j = 0; j < 2; ++j) {
              Value row = add(group, e.idx(8 * i));
              Value c = add(e.idx(nt * kN + j), mul(quad, e.idx(2)));
              Value kept =
                  arith::CmpIOp::create(b,
                                        strict ? arith::CmpIPredicate::ult
                                               : arith::CmpIPredicate::ule,
                                        c, row);
              // Column c is in the row's half when row - c < row mod 8.
              Value dist = arith::SubIOp::create(
                  b, arith::MaxUIOp::create(b, row, c), c);
              Value diagonal = arith::AndIOp::create(
                  b, arith::AndIOp::create(b, kept, strong),
                  arith::CmpIOp::create(
                      b, arith::CmpIPredicate::ule, dist,
                      arith::RemUIOp::create(b, row, e.idx(kHalf))));
              Value fromDiag =
                  load(diagBuf,
                       {row, arith::SelectOp::create(b, diagonal, dist, zero)});
              Value score = arith::AddFOp::create(
                  b, element(acc, i, j),
                  arith::SelectOp::create(b, diagonal, fromDiag, zeroF));
              Value val = arith::SelectOp::create(
                  b, kept, arith::MulFOp::create(b, score, weight(row, c)),
                  zeroF);
              put(val, row, c);
            }
        });
      }
    };

    // Each warp's column tiles (8 columns from n0) of the step's 16 rows.
    auto forWarpColumnTiles = [&](function_ref<void(Value)> body) {
      for (int64_t m = 0; m < plan.outTilesPerWarp(); ++m)
        body(mul(add(mul(warpId, e.idx(plan.outTilesPerWarp())), e.idx(m)),
                 e.idx(kN)));
    };
    // (16 rows of `aBuf`) x S on the column tile at n0, from zero. 16-bit
    // A fragments are loaded once (`cached`) and reused over the warp's
    // tiles; tf32 ones (twice the registers) are reloaded per tile.
    auto timesState = [&](int aBuf, ArrayRef<Value> cached, Value n0) {
      return accumulate(tf32 ? aFrags(aBuf, zero, zero, kw) : cached, kSh, zero,
                        n0, zeroFrag);
    };

    if (plan.delta) {
      // The delta rule's values. With Kg = w_w k exp(G) and
      // M_ij = beta_i w_w,i w_w,j (k_i . k_j) exp(G_i - G_j) for j < i, the
      // step's updates u_i = beta_i (v_i - Kg_i S) - sum_j<i M_ij u_j (a
      // unit lower-triangular solve) make it an additive step with V := U:
      // S <- exp(G_15) S + Kd^T U, O = Qd S + A U.
      // (1) M on tensor cores; R = V - Kg S, each warp its column tiles.
      maskedScores(
          kKq, kDiagM, /*strict=*/true,
          [&](Value row, Value c) -> Value {
            Value wi = arith::MulFOp::create(b, load(kBeta, {rowOfStep(row)}),
                                             load(kWrite, {rowOfStep(row)}));
            return arith::MulFOp::create(b, wi, load(kWrite, {rowOfStep(c)}));
          },
          [&](Value val, Value row, Value c) {
            store(val, kM, {row, c});
          });
      SmallVector<Value> kgFrags;
      if (!tf32)
        kgFrags = aFrags(kKg, zero, zero, kw);
      forWarpColumnTiles([&](Value n0) {
        Value acc = timesState(kKg, kgFrags, n0);
        for (int64_t i = 0; i < 2; ++i)
          for (int64_t j = 0; j < 2; ++j) {
            Value row = add(group, e.idx(8 * i));
            Value c = add(n0, add(mul(quad, e.idx(2)), e.idx(j)));
            Value val = toF32(load(kVRaw, {rowOfStep(row), c}));
            store(arith::SubFOp::create(b, val, element(acc, i, j)), kU,
                  {row, c});
          }
      });
      gpu::BarrierOp::create(b);
      // (2) The solve, a thread per column (in registers, fully unrolled):
      // U is the B operand of A U and Kd^T U.
      forStep(tid, cols, threads, [&](Value c) {
        SmallVector<Value> u;
        for (int64_t i = 0; i < kTile; ++i) {
          Value x = arith::MulFOp::create(b, load(kBeta, {rowOfStep(e.idx(i))}),
                                          load(kU, {e.idx(i), c}));
          for (int64_t j = 0; j < i; ++j)
            x = arith::SubFOp::create(
                b, x,
                arith::MulFOp::create(b, load(kM, {e.idx(i), e.idx(j)}), u[j]));
          u.push_back(x);
          store(toOperand(x), kVt, {e.idx(i), c});
        }
      });
      gpu::BarrierOp::create(b);
    }

    if (!local) { // outputs: not in the segment-state pass
      // (c) The masked scores A, rounded to the operand type.
      maskedScores(
          kQp, kDiag, /*strict=*/false,
          [&](Value row, Value c) -> Value {
            return arith::MulFOp::create(
                b,
                arith::MulFOp::create(b, scale, load(kRead, {rowOfStep(row)})),
                load(kWrite, {rowOfStep(c)}));
          },
          [&](Value val, Value row, Value c) {
            store(toOperand(val), kScore, {row, c});
          });
      gpu::BarrierOp::create(b);

      // (d) O = Qd S + A V on tensor cores; each warp owns nTiles / warps
      // column tiles of the 16 output rows.
      SmallVector<Value> qdFrags, scoreFrags;
      if (!tf32) {
        qdFrags = aFrags(kQd, zero, zero, kw);
        scoreFrags = aFrags(kScore, zero, zero, kTile);
      }
      forWarpColumnTiles([&](Value n0) {
        Value acc = timesState(kQd, qdFrags, n0);
        acc = accumulate(tf32 ? aFrags(kScore, zero, zero, kTile) : scoreFrags,
                         kVt, zero, n0, acc);
        // Rows group and group + 8 of the step, columns 2 quad (+ 1).
        for (int64_t i = 0; i < 2; ++i) {
          Value row = rowOfStep(add(group, e.idx(8 * i)));
          e.ifThen(selected(row), [&] {
            Value t = tokenOf(row);
            for (int64_t j = 0; j < 2; ++j) {
              Value c = add(add(c0, n0), add(mul(quad, e.idx(2)), e.idx(j)));
              memref::AtomicRMWOp::create(b, arith::AtomicRMWKind::addf,
                                          element(acc, i, j), oacc,
                                          ValueRange{batch, t, h, c});
            }
          });
        }
      });
    }

    // (e) S <- exp(G_15) S + Kd^T V, in the registers that hold S.
    SmallVector<Value> next;
    for (auto [t, frag] : llvm::zip(owned, stepLoop.getRegionIterArgs())) {
      auto stepDecay = [&](Value r) {
        return fastExp(
            arith::AddFOp::create(b, load(kGPre, {e.idx(kHalf - 1), r}),
                                  load(kGPre, {e.idx(kTile - 1), r})));
      };
      Value d0 = stepDecay(t.r0), d1 = stepDecay(t.r1);
      Value decay =
          vector::FromElementsOp::create(b, fragC, ValueRange{d0, d0, d1, d1});
      Value s = arith::MulFOp::create(b, frag, decay);
      next.push_back(accumulate(aFrags(kKdT, mul(t.rowTile, tile), zero, kTile),
                                kVt, zero, mul(t.colTile, e.idx(kN)), s));
    }
    gpu::BarrierOp::create(b); // every warp is done reading sh
    writeStateOperand(next);
    clearStrong();
    gpu::BarrierOp::create(b);
    scf::YieldOp::create(b, next);
  }
  scf::YieldOp::create(b, stepLoop.getResults());
  b.setInsertionPointAfter(chunkLoop);

  // The final states leave the chip once: the scan's, or the segment's
  // local state and summed log-decay for the combine kernel.
  auto storeFinal = [&] {
    for (auto [t, frag] : llvm::zip(owned, chunkLoop.getResults()))
      for (int64_t i = 0; i < 2; ++i) {
        if (!local && pairwise(states)) {
          Value r = i ? t.r1 : t.r0, c = add(c0, t.col);
          Value row = vector::ExtractOp::create(b, frag, ArrayRef<int64_t>{i});
          vector::StoreOp::create(b, row, states,
                                  ValueRange{seq, h, part, r, c},
                                  /*nontemporal=*/false, llvm::MaybeAlign(8));
          continue;
        }
        for (int64_t j = 0; j < 2; ++j) {
          Value r = i ? t.r1 : t.r0, c = add(c0, add(t.col, e.idx(j)));
          if (local)
            memref::StoreOp::create(b, element(frag, i, j), segStates,
                                    ValueRange{seq, h, part, segment, r, c});
          else
            memref::StoreOp::create(b, element(frag, i, j), states,
                                    ValueRange{seq, h, part, r, c});
        }
      }
  };
  if (hasEntries)
    e.ifThen(hasEntries, storeFinal);
  else if (mode != TensorCoreMode::SegmentOutput)
    storeFinal();
  if (local)
    e.ifThen(arith::CmpIOp::create(b, arith::CmpIPredicate::eq, vtile, zero),
             [&] {
               forStep(tid, keys, threads, [&](Value r) {
                 memref::StoreOp::create(b, load(kDecay, {r}), segDecay,
                                         ValueRange{seq, h, part, segment, r});
               });
             });
  gpu::TerminatorOp::create(b);
}

std::optional<int64_t> ScanKernels::staticWorkItems() {
  TensorCorePlan plan = planTensorCoreScan(op);
  auto qType = cast<RankedTensorType>(op.getQ().getType());
  int64_t heads = qType.getDimSize(2), seqs = qType.getDimSize(0);
  if (Value cu = op.getCuSeqlens()) {
    int64_t offsets = cast<RankedTensorType>(cu.getType()).getDimSize(0);
    seqs = ShapedType::isDynamic(offsets) ? offsets : offsets - 1;
  }
  if (ShapedType::isDynamic(seqs) || ShapedType::isDynamic(heads))
    return std::nullopt;
  return seqs * heads * op.getNumStatePartitions() * (plan.values / plan.cols);
}

int64_t ScanKernels::segmentsOf() {
  std::optional<ScheduleAttr> schedule = op.getSchedule();
  // The delta rule keeps the state-carrying form: a segment's effect on
  // its starting state is a K x K matrix, not a decay (see docs/GPU.md).
  if (!schedule || schedule->getSplit() != WorkSplit::chunked ||
      op.getRule() == UpdateRule::delta)
    return 1;
  TensorCorePlan plan = planTensorCoreScan(op);
  int64_t tokens = cast<RankedTensorType>(op.getQ().getType()).getDimSize(1);
  constexpr int64_t kTargetBlocks = 2 * kSMs, kMaxSegments = 64;
  int64_t want = 8; // shapes known only at run time
  if (std::optional<int64_t> items = staticWorkItems())
    want = (kTargetBlocks + *items - 1) / std::max<int64_t>(*items, 1);
  if (!ShapedType::isDynamic(tokens))
    want = std::min(want, tokens / (2 * plan.chunk));
  return std::clamp<int64_t>(want, 1, kMaxSegments);
}

void ScanKernels::emitSegmentCombineKernel(int64_t segments, Value segStates,
                                           Value segDecay) {
  Value gridX =
      arith::MulIOp::create(b, arith::MulIOp::create(b, numSeqs, numHeads),
                            e.idx(op.getNumStatePartitions()));
  Value elements = arith::MulIOp::create(b, keyWidth, valueWidth);
  launch(
      "sse_scan_tc_segment_combine", gridX, one, e.idx(kThreads),
      [&](Value bx, Value, Value tid, Value nthreads) {
        Value part =
            arith::RemUIOp::create(b, bx, e.idx(op.getNumStatePartitions()));
        Value sh =
            arith::DivUIOp::create(b, bx, e.idx(op.getNumStatePartitions()));
        Value seq = arith::DivUIOp::create(b, sh, numHeads);
        Value h = arith::RemUIOp::create(b, sh, numHeads);
        forStep(tid, elements, nthreads, [&](Value x) {
          Value r = arith::DivUIOp::create(b, x, valueWidth);
          Value c = arith::RemUIOp::create(b, x, valueWidth);
          Value s0 = init ? memref::LoadOp::create(
                                b, init, ValueRange{seq, h, part, r, c})
                                .getResult()
                          : e.f32(0.0);
          Value s = e.forLoop(
              zero, e.idx(segments), {s0},
              [&](Value p, ValueRange acc) -> SmallVector<Value> {
                SmallVector<Value> at{seq, h, part, p, r, c};
                Value local = memref::LoadOp::create(b, segStates, at);
                memref::StoreOp::create(b, acc[0], segStates, at);
                Value decay = math::ExpOp::create(
                    b, memref::LoadOp::create(b, segDecay,
                                              ValueRange{seq, h, part, p, r}));
                return {arith::AddFOp::create(
                    b, arith::MulFOp::create(b, decay, acc[0]), local)};
              })[0];
          memref::StoreOp::create(b, s, states, ValueRange{seq, h, part, r, c});
        });
      });
}
