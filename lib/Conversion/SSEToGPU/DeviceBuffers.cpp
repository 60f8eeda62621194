//===- DeviceBuffers.cpp - Host-side buffers of a CUDA entry on the device
//-===//
//
// In the CUDA target the entry's arguments and out-parameters are device
// pointers, so the allocations, copies and frees that bufferization leaves
// in host code must be GPU ones.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToGPU/SSEToGPU.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEDEVICEBUFFERS
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {
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
        rewriter.replaceOpWithNewOp<gpu::MemcpyOp>(
            copy, /*asyncToken=*/Type(), ValueRange(), copy.getTarget(),
            copy.getSource());
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
