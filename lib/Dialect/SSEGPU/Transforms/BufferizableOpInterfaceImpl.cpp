//===- BufferizableOpInterfaceImpl.cpp - sse_gpu ops in bufferization -----===//
//
// Upstream's DPS model decides reads, writes and aliasing (a destination is
// its result); bufferizing only swaps tensors for their buffers: the op is
// rebuilt on memrefs, with no results, and its destinations' buffers
// replace its results. No kernel is emitted here.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSEGPU/Transforms/BufferizableOpInterfaceImpl.h"
#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {
template <typename OpTy>
struct KernelOpInterface
    : public DstBufferizableOpInterfaceExternalModel<KernelOpInterface<OpTy>,
                                                     OpTy> {
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value operand : op->getOperands()) {
      if (!isa<TensorType>(operand.getType())) {
        buffers.push_back(operand);
        continue;
      }
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    auto dps = cast<DestinationStyleOpInterface>(op);
    SmallVector<Value> inits;
    for (OpOperand &init : dps.getDpsInitsMutable())
      inits.push_back(buffers[init.getOperandNumber()]);
    rewriter.setInsertionPoint(op);
    OperationState rebuilt(op->getLoc(), op->getName(), buffers,
                           /*types=*/{}, op->getAttrs());
    rewriter.create(rebuilt);
    replaceOpWithBufferizedValues(rewriter, op, inits);
    return success();
  }
};
} // namespace

void mlir::sse_gpu::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SSEGPUDialect *) {
    RouteOp::attachInterface<KernelOpInterface<RouteOp>>(*ctx);
    GroupOp::attachInterface<KernelOpInterface<GroupOp>>(*ctx);
    CombineOutputsOp::attachInterface<KernelOpInterface<CombineOutputsOp>>(
        *ctx);
    ChunkScanOp::attachInterface<KernelOpInterface<ChunkScanOp>>(*ctx);
    SegmentStatesOp::attachInterface<KernelOpInterface<SegmentStatesOp>>(*ctx);
    CombineSegmentsOp::attachInterface<KernelOpInterface<CombineSegmentsOp>>(
        *ctx);
  });
}
