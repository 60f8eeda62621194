//===- DecomposeAggregates.cpp - sse-decompose-aggregates -----------------===//
//
// Replaces aggregate linalg ops (linalg.softmax) by their decomposition into
// ops the pipelines lower: nothing else lowers them, and an op left over
// surfaced only as a late unrealized-cast error in the runner.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEDECOMPOSEAGGREGATES
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {
struct SSEDecomposeAggregatesPass
    : public sse::impl::SSEDecomposeAggregatesBase<
          SSEDecomposeAggregatesPass> {
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> aggregates;
    getOperation()->walk(
        [&](linalg::AggregatedOpInterface op) { aggregates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : aggregates) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> parts = op.decomposeOperation(rewriter);
      if (failed(parts)) {
        op->emitError("sse-decompose-aggregates: cannot decompose '")
            << op->getName() << "', which no pipeline lowers otherwise";
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *parts);
    }
  }
};
} // namespace
