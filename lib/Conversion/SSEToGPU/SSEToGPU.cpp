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
#include "sse/Dialect/SSE/IR/SSEAttrNames.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
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

/// The discardable attribute convert-sse-to-gpu{lower-scans=false} leaves on
/// a scan for one-shot bufferization: {index, tensor_cores}.
constexpr llvm::StringLiteral kGPUKernelsAttr = sse::attr_names::kGPUKernels;

/// Emits the kernels of `op`; their loops marked for unrolling are unrolled
/// once no rewrite driver tracks the ops (unrollMarkedKernelLoops).
std::pair<Value, Value> emitKernels(ScanOp op, ImplicitLocOpBuilder &b,
                                    bool tensorCores, int64_t index,
                                    function_ref<Value(Value)> bufferOf,
                                    Value statesInPlace) {
  return ScanKernels(op, b, tensorCores, index, bufferOf, statesInPlace)
      .lower();
}

struct ScanToGPU : public OpRewritePattern<ScanOp> {
  ScanToGPU(MLIRContext *ctx, bool tensorCores)
      : OpRewritePattern(ctx), tensorCores(tensorCores) {}
  bool tensorCores;
  /// Scans lowered so far (names their kernels apart).
  mutable int64_t scans = 0;
  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto [o, states] = emitKernels(
        op, b, tensorCores, scans++, [&](Value x) { return toBuffer(b, x); },
        Value());
    rewriter.replaceOp(op,
                       {toTensor(b, op.getO().getType(), o),
                        toTensor(b, op.getFinalStates().getType(), states)});
    return success();
  }
};

struct ConvertSSEToGPUPass
    : public sse::impl::ConvertSSEToGPUBase<ConvertSSEToGPUPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ModuleOp module = dyn_cast<ModuleOp>(getOperation());
    if (module)
      module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                      UnitAttr::get(ctx));
    if (!lowerScans) {
      // Left for one-shot bufferization (lowerScanToGPUKernels), which
      // writes the final states in place into init's buffer.
      int64_t index = 0;
      getOperation()->walk([&](ScanOp op) {
        Builder b(ctx);
        op->setAttr(
            kGPUKernelsAttr,
            b.getDictionaryAttr(
                {b.getNamedAttr("index", b.getI64IntegerAttr(index++)),
                 b.getNamedAttr("tensor_cores", b.getBoolAttr(tensorCores))}));
      });
    }
    // Only sse.scan has GPU kernels: every other sse op must have been
    // fused into a scan (sse-fuse) by now. Say so, naming the op, rather
    // than leave the conversion's bare "failed to legalize".
    WalkResult unfused = getOperation()->walk([&](Operation *op) {
      if (!isa<SSEDialect>(op->getDialect()) || isa<ScanOp>(op))
        return WalkResult::advance();
      op->emitError("'")
          << op->getName()
          << "' has no GPU lowering of its own: convert-sse-to-gpu (and the "
             "sse-to-nvvm pipeline) lowers sse.scan only; fuse it into a "
             "scan with sse-fuse (a router feeding a routed scan, a norm or "
             "gate after a scan's output) or compile for the CPU "
             "(sse-to-llvm-cpu)";
      return WalkResult::interrupt();
    });
    if (unfused.wasInterrupted())
      return signalPassFailure();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<SSEDialect>();
    if (!lowerScans)
      target.addLegalOp<ScanOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    if (lowerScans)
      populateSSEToGPUConversionPatterns(patterns, tensorCores);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    if (failed(unrollMarkedKernelLoops(getOperation())))
      return signalPassFailure();
  }
};

} // namespace

void mlir::sse::populateSSEToGPUConversionPatterns(RewritePatternSet &patterns,
                                                   bool tensorCores) {
  patterns.add<ScanToGPU>(patterns.getContext(), tensorCores);
}

bool mlir::sse::isMarkedForGPUKernels(ScanOp op) {
  return op->hasAttr(kGPUKernelsAttr);
}

std::pair<Value, Value>
mlir::sse::lowerScanToGPUKernels(ScanOp op, ImplicitLocOpBuilder &b,
                                 function_ref<Value(Value)> bufferOf,
                                 Value statesInPlace) {
  auto marks = op->getAttrOfType<DictionaryAttr>(kGPUKernelsAttr);
  int64_t index = 0;
  bool tensorCores = true;
  if (marks) {
    if (auto i = marks.getAs<IntegerAttr>("index"))
      index = i.getInt();
    if (auto tc = marks.getAs<BoolAttr>("tensor_cores"))
      tensorCores = tc.getValue();
  }
  return emitKernels(op, b, tensorCores, index, bufferOf, statesInPlace);
}
