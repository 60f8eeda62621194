//===- GroupKernel.cpp - sse_gpu.group as a gpu.func ----------------------===//
//
// The grouping kernel: one block per (sequence[, head], partition) walks the
// sequence's routing in steps of 256 threads x 8 consecutive tokens. Each
// thread counts its tokens that picked the block's partition, a block-wide
// exclusive scan of those counts gives every thread its place, and the
// thread writes its visits (t * k + slot) there, so each list is in token
// order without a sort. Thread 0 writes the list's length at the end.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitters.h"

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
constexpr int64_t kWarps = kThreads / 32;
/// Consecutive tokens per thread and step.
constexpr int64_t kSpan = 8;

class GroupEmitter {
public:
  GroupEmitter(GroupOp op, gpu::GPUFuncOp fn, ImplicitLocOpBuilder &b)
      : op(op), fn(fn), b(b) {}
  void emit();

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, b.getI32Type(), v);
  }
  void setUp();
  Value blockScan(Value count, Value &total);
  Value step(Value base, Value placed);

  GroupOp op;
  gpu::GPUFuncOp fn;
  ImplicitLocOpBuilder &b;
  Value indices, counts, tokens, warpTotals;
  Value tid, seq, head, partition, batch, lo, hi;
  int64_t slots = 1;
  bool perHead = false;
};

/// The block's (sequence, head, partition) and the sequence's token range.
void GroupEmitter::setUp() {
  indices = fn.getArgument(0);
  unsigned next = 1;
  Value cu = op.getCuSeqlens() ? fn.getArgument(next++) : Value();
  counts = fn.getArgument(next++);
  tokens = fn.getArgument(next);
  auto type = cast<MemRefType>(indices.getType());
  perHead = type.getRank() == 4;
  slots = type.getDimSize(type.getRank() - 1);
  int64_t partitions = op.getPartitions(),
          heads = perHead ? type.getDimSize(2) : 1;
  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value block = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  partition = arith::RemUIOp::create(b, block, idx(partitions));
  Value rest = arith::DivUIOp::create(b, block, idx(partitions));
  head = arith::RemUIOp::create(b, rest, idx(heads));
  seq = arith::DivUIOp::create(b, rest, idx(heads));
  if (cu) {
    batch = idx(0);
    std::tie(lo, hi) = packedSequenceRange(b, cu, seq, type.getDimSize(1));
  } else {
    batch = seq;
    lo = idx(0);
    hi = idx(type.getDimSize(1));
  }
  auto wg = gpu::AddressSpaceAttr::get(
      b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  warpTotals = fn.addWorkgroupAttribution(
      MemRefType::get({kWarps}, b.getIndexType(), MemRefLayoutAttrInterface(),
                      wg),
      b.getLoc());
}

/// The exclusive prefix of `count` over the block's threads, in thread
/// order; `total` receives the block's sum. Warp scans by shuffles, then
/// the warps' totals through shared memory (a barrier before it is
/// written, so the previous step's readers are done, and one after).
Value GroupEmitter::blockScan(Value count, Value &total) {
  Value lane = arith::RemUIOp::create(b, tid, idx(32));
  Value warp = arith::DivUIOp::create(b, tid, idx(32));
  Value c32 = arith::IndexCastOp::create(b, b.getI32Type(), count);
  Value inclusive = c32;
  for (int64_t by = 1; by < 32; by *= 2) {
    Value up =
        gpu::ShuffleOp::create(b, inclusive, by, 32, gpu::ShuffleMode::UP)
            .getShuffleResult();
    Value inside =
        arith::CmpIOp::create(b, arith::CmpIPredicate::uge, lane, idx(by));
    inclusive = arith::AddIOp::create(
        b, inclusive, arith::SelectOp::create(b, inside, up, i32(0)));
  }
  gpu::BarrierOp::create(b);
  auto last = scf::IfOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, idx(31)),
      /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&last.getThenRegion().front());
    memref::StoreOp::create(
        b, arith::IndexCastOp::create(b, b.getIndexType(), inclusive),
        warpTotals, ValueRange{warp});
  }
  gpu::BarrierOp::create(b);
  Value before = idx(0);
  total = idx(0);
  for (int64_t w = 0; w < kWarps; ++w) {
    Value t = memref::LoadOp::create(b, warpTotals, ValueRange{idx(w)});
    Value earlier =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, idx(w), warp);
    before = arith::AddIOp::create(
        b, before, arith::SelectOp::create(b, earlier, t, idx(0)));
    total = arith::AddIOp::create(b, total, t);
  }
  Value exclusive = arith::SubIOp::create(
      b, arith::IndexCastOp::create(b, b.getIndexType(), inclusive), count);
  return arith::AddIOp::create(b, before, exclusive);
}

/// One step from token `base`: the thread's kSpan tokens; returns the
/// visits placed so far after it.
Value GroupEmitter::step(Value base, Value placed) {
  Value t0 =
      arith::AddIOp::create(b, base, arith::MulIOp::create(b, tid, idx(kSpan)));
  SmallVector<Value> hit, visit;
  Value count = idx(0);
  for (int64_t j = 0; j < kSpan; ++j) {
    Value t = arith::AddIOp::create(b, t0, idx(j));
    Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, t, hi);
    Value safe = arith::SelectOp::create(b, inside, t, lo);
    // The first slot that picked the partition (a router picks each
    // partition at most once).
    Value found = arith::ConstantIntOp::create(b, b.getI1Type(), 0);
    Value slot = idx(0);
    for (int64_t s = slots - 1; s >= 0; --s) {
      SmallVector<Value> at = {batch, safe};
      if (perHead)
        at.push_back(head);
      at.push_back(idx(s));
      Value p = arith::IndexCastOp::create(
          b, b.getIndexType(), memref::LoadOp::create(b, indices, at));
      Value match =
          arith::CmpIOp::create(b, arith::CmpIPredicate::eq, p, partition);
      slot = arith::SelectOp::create(b, match, idx(s), slot);
      found = arith::OrIOp::create(b, found, match);
    }
    found = arith::AndIOp::create(b, found, inside);
    hit.push_back(found);
    visit.push_back(arith::AddIOp::create(
        b, arith::MulIOp::create(b, t, idx(slots)), slot));
    count = arith::AddIOp::create(
        b, count, arith::SelectOp::create(b, found, idx(1), idx(0)));
  }
  Value total;
  Value at = arith::AddIOp::create(b, placed, blockScan(count, total));
  for (int64_t j = 0; j < kSpan; ++j) {
    auto write = scf::IfOp::create(b, hit[j], /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&write.getThenRegion().front());
      SmallVector<Value> dst = {seq};
      if (perHead)
        dst.push_back(head);
      dst.append({partition, at});
      memref::StoreOp::create(
          b, arith::IndexCastOp::create(b, b.getI32Type(), visit[j]), tokens,
          dst);
    }
    at = arith::AddIOp::create(
        b, at, arith::SelectOp::create(b, hit[j], idx(1), idx(0)));
  }
  return arith::AddIOp::create(b, placed, total);
}

void GroupEmitter::emit() {
  setUp();
  Value stride = idx(kThreads * kSpan);
  auto loop = scf::ForOp::create(b, lo, hi, stride, ValueRange{idx(0)});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    scf::YieldOp::create(
        b, step(loop.getInductionVar(), loop.getRegionIterArgs()[0]));
  }
  auto first = scf::IfOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tid, idx(0)),
      /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&first.getThenRegion().front());
  SmallVector<Value> at = {seq};
  if (perHead)
    at.push_back(head);
  at.push_back(partition);
  memref::StoreOp::create(
      b, arith::IndexCastOp::create(b, b.getI32Type(), loop.getResult(0)),
      counts, at);
}
} // namespace

gpu::GPUFuncOp mlir::sse_gpu::emitGroupKernel(GroupOp op,
                                              gpu::GPUModuleOp module,
                                              StringRef name) {
  ImplicitLocOpBuilder b(op.getLoc(), op.getContext());
  gpu::GPUFuncOp fn = createKernelFunc(b, op, module, name, kThreads);
  GroupEmitter(op, fn, b).emit();
  b.setInsertionPointToEnd(&fn.getBody().front());
  gpu::ReturnOp::create(b);
  return fn;
}

int64_t mlir::sse_gpu::groupBlocks(GroupOp op) {
  auto counts = cast<MemRefType>(op.getCountsInit().getType());
  return counts.getNumElements();
}

int64_t mlir::sse_gpu::groupThreads() { return kThreads; }
