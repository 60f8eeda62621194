//===- CheckPipelineInput.cpp - sse-check-pipeline-input ------------------===//
//
// The pipelines' first pass: an attribute that passes of the pipeline use to
// talk to each other (sse.gpu_kernels, sse.results_in_args) must not come in
// the input, where a later pass would trust it.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSEAttrNames.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSECHECKPIPELINEINPUT
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {
/// A pipeline-owned attribute and the pass that sets it.
struct OwnedAttr {
  llvm::StringLiteral name;
  llvm::StringLiteral owner;
};

constexpr OwnedAttr kOwnedAttrs[] = {
    {sse::attr_names::kGPUKernels, "convert-sse-to-gpu"},
    {sse::attr_names::kResultsInArgs, "sse-drop-in-place-results"},
};

struct SSECheckPipelineInputPass
    : public sse::impl::SSECheckPipelineInputBase<SSECheckPipelineInputPass> {
  void runOnOperation() override {
    bool ok = true;
    getOperation()->walk([&](Operation *op) {
      for (const OwnedAttr &owned : kOwnedAttrs) {
        if (!op->hasAttr(owned.name))
          continue;
        op->emitError("attribute '")
            << owned.name << "' is set by the pipeline (" << owned.owner
            << ") and may not appear in its input; remove it";
        ok = false;
      }
    });
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
