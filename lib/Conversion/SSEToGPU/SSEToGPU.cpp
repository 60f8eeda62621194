//===- SSEToGPU.cpp - Lower sse.scan to GPU kernels -----------------------===//
//
// convert-sse-to-gpu: a thin pass over the ScanToGPU pattern, which hands
// each sse.scan to ScanKernels (ScanKernels.h): a device memset of the f32
// output accumulator; the grouping kernel for sorted groupings; the scan,
// on the tensor-core kernel (TensorCoreScan.cpp: K and V multiples of 16,
// K <= 256, either rule) or the column kernel (one thread per state column,
// the other widths); the epilogue kernel (norm, gate, rounding). Kernels are
// named after their role. Marked loops are unrolled once the conversion is
// done.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEToGPU/SSEToGPU.h"

#include "sse/Conversion/LoopEmitter.h"
#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

#include "ScanKernels.h"

using namespace mlir::sse::gpu_lowering;

namespace {

struct ScanToGPU : public OpRewritePattern<ScanOp> {
  ScanToGPU(MLIRContext *ctx, bool tensorCores)
      : OpRewritePattern(ctx), tensorCores(tensorCores) {}
  bool tensorCores;
  /// Scans lowered so far (names their kernels apart).
  mutable int64_t scans = 0;
  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto [o, states] = ScanKernels(op, b, tensorCores, scans++).lower();
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
