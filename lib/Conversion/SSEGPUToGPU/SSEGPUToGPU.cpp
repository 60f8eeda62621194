//===- SSEGPUToGPU.cpp - convert-sse-gpu-to-gpu ---------------------------===//
//
// The pass shell: each sse_gpu op on buffers is replaced by a launch of its
// kernel, which the kernel's emitter adds to gpu.module @sse_kernels.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEGPUToGPU/SSEGPUToGPU.h"

#include "KernelEmitters.h"
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
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_CONVERTSSEGPUTOGPU
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
constexpr StringLiteral kKernelModule = "sse_kernels";

/// The module's gpu.module for sse kernels, created on first use.
gpu::GPUModuleOp kernelModule(PatternRewriter &rewriter, Operation *op) {
  auto module = op->getParentOfType<ModuleOp>();
  if (auto existing = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModule))
    return existing;
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  rewriter.getUnitAttr());
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToEnd(module.getBody());
  return gpu::GPUModuleOp::create(rewriter, module.getLoc(), kKernelModule);
}

/// A name not yet used in `module`: `base_0`, `base_1`, ...
std::string uniqueName(gpu::GPUModuleOp module, StringRef base) {
  for (int i = 0;; ++i) {
    std::string name = (base + "_" + Twine(i)).str();
    if (!module.lookupSymbol(name))
      return name;
  }
}

/// Replaces `op` by a launch of `fn` over `grid` with `threads` per block
/// and `smem` bytes of dynamic shared memory (none when 0), the op's
/// operands as the kernel's arguments.
void replaceWithLaunch(PatternRewriter &rewriter, Operation *op,
                       gpu::GPUFuncOp fn, std::array<int64_t, 3> grid,
                       int64_t threads, int64_t smem) {
  Location loc = op->getLoc();
  auto idx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  Value smemBytes = smem ? arith::ConstantIntOp::create(
                               rewriter, loc, rewriter.getI32Type(), smem)
                               .getResult()
                         : Value();
  gpu::LaunchFuncOp::create(
      rewriter, loc, fn,
      gpu::KernelDim3{idx(grid[0]), idx(grid[1]), idx(grid[2])},
      gpu::KernelDim3{idx(threads), idx(1), idx(1)}, smemBytes,
      op->getOperands());
  rewriter.eraseOp(op);
}

/// An op on buffers whose kernel runs on a one-dimensional grid without
/// dynamic shared memory (route, group, combine): its kernel's name, its
/// emitter, blocks and threads per block.
template <typename OpTy> struct LinearKernel {
  StringLiteral name;
  gpu::GPUFuncOp (*emit)(OpTy, gpu::GPUModuleOp, StringRef);
  int64_t (*blocks)(OpTy);
  int64_t (*threads)();
};

template <typename OpTy>
struct LinearKernelToLaunch : public OpRewritePattern<OpTy> {
  LinearKernelToLaunch(MLIRContext *ctx, LinearKernel<OpTy> kernel)
      : OpRewritePattern<OpTy>(ctx), kernel(kernel) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.getResults().empty())
      return rewriter.notifyMatchFailure(op, "on tensors");
    gpu::GPUModuleOp module = kernelModule(rewriter, op);
    gpu::GPUFuncOp fn =
        kernel.emit(op, module, uniqueName(module, kernel.name));
    replaceWithLaunch(rewriter, op, fn, {kernel.blocks(op), 1, 1},
                      kernel.threads(), /*smem=*/0);
    return success();
  }
  LinearKernel<OpTy> kernel;
};

/// An op whose kernel is the chunk-scan kernel (chunk_scan, and the state
/// pass of a segmented walk, segment_states): why it cannot be built, its
/// emitter and grid; 256 threads and plan.smem_bytes of shared memory.
template <typename OpTy> struct ScanKernel {
  StringLiteral name;
  std::optional<std::string> (*unsupported)(OpTy);
  gpu::GPUFuncOp (*emit)(OpTy, gpu::GPUModuleOp, StringRef);
  std::array<int64_t, 3> (*grid)(OpTy);
};

template <typename OpTy>
struct ScanKernelToLaunch : public OpRewritePattern<OpTy> {
  ScanKernelToLaunch(MLIRContext *ctx, ScanKernel<OpTy> kernel)
      : OpRewritePattern<OpTy>(ctx), kernel(kernel) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (kernel.unsupported(op))
      return rewriter.notifyMatchFailure(op, "not covered by the kernel");
    gpu::GPUModuleOp module = kernelModule(rewriter, op);
    gpu::GPUFuncOp fn =
        kernel.emit(op, module, uniqueName(module, kernel.name));
    replaceWithLaunch(rewriter, op, fn, kernel.grid(op), chunkScanThreads(),
                      op.getPlan().getSmemBytes());
    return success();
  }
  ScanKernel<OpTy> kernel;
};

struct ConvertSSEGPUToGPUPass
    : public sse::impl::ConvertSSEGPUToGPUBase<ConvertSSEGPUToGPUPass> {
  void runOnOperation() override {
    bool unlowerable = false;
    getOperation()->walk([&](Operation *op) {
      if (isa<SSEGPUDialect>(op->getDialect()) && op->getNumResults() > 0) {
        op->emitError("convert-sse-gpu-to-gpu works on buffers: bufferize "
                      "the sse_gpu ops first (one-shot-bufferize)");
        unlowerable = true;
      } else if (auto scan = dyn_cast<ChunkScanOp>(op)) {
        if (std::optional<std::string> why = chunkScanUnsupported(scan)) {
          op->emitError("convert-sse-gpu-to-gpu: the chunk-scan kernel "
                        "cannot compute this op: ")
              << *why;
          unlowerable = true;
        }
      } else if (auto pass = dyn_cast<SegmentStatesOp>(op)) {
        if (std::optional<std::string> why = segmentStatesUnsupported(pass)) {
          op->emitError("convert-sse-gpu-to-gpu: the chunk-scan kernel "
                        "cannot compute this state pass: ")
              << *why;
          unlowerable = true;
        }
      } else if (isa<RouteOp, GroupOp, CombineOutputsOp, CombineSegmentsOp>(
                     op) &&
                 !llvm::all_of(op->getOperandTypes(), [](Type t) {
                   return cast<MemRefType>(t).hasStaticShape();
                 })) {
        op->emitError("convert-sse-gpu-to-gpu: the ")
            << op->getName() << " kernel needs buffers of static shape";
        unlowerable = true;
      }
    });
    if (unlowerable)
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    sse::populateSSEGPUToGPUConversionPatterns(patterns);
    // Top-down, so kernels are numbered in program order.
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig().setUseTopDownTraversal(true))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::sse::populateSSEGPUToGPUConversionPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LinearKernelToLaunch<RouteOp>>(
      ctx, LinearKernel<RouteOp>{"sse_route", emitRouteKernel, routeBlocks,
                                 routeThreads});
  patterns.add<LinearKernelToLaunch<GroupOp>>(
      ctx, LinearKernel<GroupOp>{"sse_group", emitGroupKernel, groupBlocks,
                                 groupThreads});
  patterns.add<ScanKernelToLaunch<ChunkScanOp>>(
      ctx, ScanKernel<ChunkScanOp>{"sse_chunk_scan", chunkScanUnsupported,
                                   emitChunkScanKernel, chunkScanGrid});
  patterns.add<LinearKernelToLaunch<CombineOutputsOp>>(
      ctx, LinearKernel<CombineOutputsOp>{"sse_combine", emitCombineKernel,
                                          combineBlocks, combineThreads});
  // A segmented walk's state pass: the chunk-scan kernel without outputs.
  patterns.add<ScanKernelToLaunch<SegmentStatesOp>>(
      ctx, ScanKernel<SegmentStatesOp>{
               "sse_segment_states", segmentStatesUnsupported,
               emitSegmentStatesKernel, segmentStatesGrid});
  patterns.add<LinearKernelToLaunch<CombineSegmentsOp>>(
      ctx, LinearKernel<CombineSegmentsOp>{
               "sse_combine_segments", emitCombineSegmentsKernel,
               combineSegmentsBlocks, combineSegmentsThreads});
}
