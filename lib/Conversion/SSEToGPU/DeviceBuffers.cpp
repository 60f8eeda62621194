//===- DeviceBuffers.cpp - Host-side buffers of a CUDA entry on the device
//-===//
//
// In the CUDA target the entry's arguments and out-parameters are device
// pointers, so the allocations, copies and frees that bufferization leaves
// in host code must be GPU ones.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToGPU/SSEToGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEDEVICEBUFFERS
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {
/// A copy between strided device buffers (e.g. a slice of the fused states)
/// cannot be one gpu.memcpy: it becomes a kernel with one block per row of
/// the leading dimensions and threads along the last one.
void emitStridedCopy(IRRewriter &rewriter, memref::CopyOp copy) {
  Location loc = copy.getLoc();
  Value src = copy.getSource(), dst = copy.getTarget();
  auto type = cast<MemRefType>(src.getType());
  int64_t rank = type.getRank();
  auto idx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
  };
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(memref::DimOp::create(rewriter, loc, src, d));
  Value rows = idx(1);
  for (int64_t d = 0; d + 1 < rank; ++d)
    rows = arith::MulIOp::create(rewriter, loc, rows, sizes[d]);
  Value one = idx(1), threads = idx(128);
  auto launch =
      gpu::LaunchOp::create(rewriter, loc, rows, one, one, threads, one, one);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(&launch.getBody().front());
  // Delinearize the block id over the leading dimensions.
  SmallVector<Value> ix(rank);
  Value rest = launch.getBlockIds().x;
  for (int64_t d = rank - 2; d >= 0; --d) {
    ix[d] = arith::RemUIOp::create(rewriter, loc, rest, sizes[d]);
    rest = arith::DivUIOp::create(rewriter, loc, rest, sizes[d]);
  }
  auto loop = scf::ForOp::create(rewriter, loc, launch.getThreadIds().x,
                                 sizes[rank - 1], launch.getBlockSize().x);
  rewriter.setInsertionPointToStart(loop.getBody());
  ix[rank - 1] = loop.getInductionVar();
  Value x = memref::LoadOp::create(rewriter, loc, src, ix);
  memref::StoreOp::create(rewriter, loc, x, dst, ix);
  rewriter.setInsertionPointAfter(loop);
  gpu::TerminatorOp::create(rewriter, loc);
  rewriter.eraseOp(copy);
}

struct SSEDeviceBuffersPass
    : public sse::impl::SSEDeviceBuffersBase<SSEDeviceBuffersPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> hostOps;
    func.walk([&](Operation *op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
        hostOps.push_back(op);
    });
    SmallVector<Value> unfreed;
    for (Operation *op : hostOps) {
      rewriter.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto gpuAlloc = gpu::AllocOp::create(
            rewriter, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
            alloc.getSymbolOperands(), /*hostShared=*/false);
        rewriter.replaceOp(alloc, gpuAlloc.getMemref());
        unfreed.push_back(gpuAlloc.getMemref());
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        llvm::erase(unfreed, dealloc.getMemref());
        rewriter.replaceOpWithNewOp<gpu::DeallocOp>(
            dealloc, /*asyncToken=*/Type(), ValueRange(), dealloc.getMemref());
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        auto isContiguous = [](Value m) {
          return cast<MemRefType>(m.getType()).getLayout().isIdentity();
        };
        if (isContiguous(copy.getSource()) && isContiguous(copy.getTarget()))
          rewriter.replaceOpWithNewOp<gpu::MemcpyOp>(
              copy, /*asyncToken=*/Type(), ValueRange(), copy.getTarget(),
              copy.getSource());
        else
          emitStridedCopy(rewriter, copy);
      }
    }
    // Scratch buffers that nothing frees (no deallocation pipeline runs on
    // device buffers) are freed before every return.
    func.walk([&](func::ReturnOp ret) {
      rewriter.setInsertionPoint(ret);
      for (Value buffer : unfreed)
        if (!llvm::is_contained(ret.getOperands(), buffer))
          gpu::DeallocOp::create(rewriter, ret.getLoc(), Type(), ValueRange(),
                                 buffer);
    });
  }
};
} // namespace
