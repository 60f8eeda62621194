//===- ScanBufferization.cpp - sse.scan under one-shot bufferization ------===//
//
// sse.scan bufferizes in place: the final states are the buffer of `init`
// (its destination), which one-shot bufferization copies only where the
// initial states are still needed. Bufferizing a scan emits its lowering
// over the buffers: the GPU kernels (SSEToGPU) for scans that
// convert-sse-to-gpu{lower-scans=false} marked, else the CPU loops
// (SSEToSCF).
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/Bufferization/ScanBufferization.h"

#include "sse/Conversion/SSEToGPU/SSEToGPU.h"
#include "sse/Conversion/SSEToSCF/SSEToSCF.h"
#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::sse;

namespace {

struct ScanBufferization
    : public bufferization::BufferizableOpInterface::ExternalModel<
          ScanBufferization, ScanOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const bufferization::AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *op, OpOperand &operand,
                               const bufferization::AnalysisState &) const {
    auto scan = cast<ScanOp>(op);
    return scan.getInit() && &operand == &scan.getInitMutable()[0];
  }
  bufferization::AliasingValueList
  getAliasingValues(Operation *op, OpOperand &operand,
                    const bufferization::AnalysisState &state) const {
    auto scan = cast<ScanOp>(op);
    if (!bufferizesToMemoryWrite(op, operand, state))
      return {};
    return {{scan.getFinalStates(), bufferization::BufferRelation::Equivalent}};
  }
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto scan = cast<ScanOp>(op);
    std::string error;
    auto bufferOf = [&](Value tensor) -> Value {
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, tensor, options, state);
      if (failed(buffer)) {
        error = "cannot bufferize an operand";
        return Value();
      }
      return *buffer;
    };
    rewriter.setInsertionPoint(op);
    Value statesInPlace = scan.getInit() ? bufferOf(scan.getInit()) : Value();
    if (!error.empty())
      return op->emitError(error);
    ImplicitLocOpBuilder b(op->getLoc(), rewriter);
    auto [o, states] =
        isMarkedForGPUKernels(scan)
            ? lowerScanToGPUKernels(scan, b, bufferOf, statesInPlace)
            : lowerScanToLoops(scan, b, bufferOf, statesInPlace);
    if (!error.empty())
      return op->emitError(error);
    bufferization::replaceOpWithBufferizedValues(rewriter, op, {o, states});
    return success();
  }
};

} // namespace

void mlir::sse::registerScanBufferizationModel(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SSEDialect *) {
    ScanOp::attachInterface<ScanBufferization>(*ctx);
  });
}
