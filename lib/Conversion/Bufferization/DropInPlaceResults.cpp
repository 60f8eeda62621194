//===- DropInPlaceResults.cpp - Results that are argument buffers ---------===//
//
// sse-drop-in-place-results: after one-shot bufferization, a public
// function that returns one of its own argument buffers (a scan's final
// states, written in place into its `init`) would have that result copied
// into a caller-allocated buffer by buffer-results-to-out-params: a whole
// state cache read and written again per decode step. This pass drops such
// results and records, per function, which argument holds each result, as
// the module attribute `sse.results_in_args` = {name = array<i64: a0, ...>}
// (-1: a result of its own). The runners read it and take those results
// from the argument buffers after the call.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/Bufferization/ScanBufferization.h"
#include "sse/Dialect/SSE/IR/SSEAttrNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSEDROPINPLACERESULTS
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;

namespace {

/// The argument number `v` is, through memref.cast, or -1.
int64_t argumentOf(func::FuncOp func, Value v) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != &func.getBody().front())
    return -1;
  return arg.getArgNumber();
}

struct DropInPlaceResultsPass
    : public sse::impl::SSEDropInPlaceResultsBase<DropInPlaceResultsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The record describes the signatures this run leaves; one that is
    // already there describes other ones (a second run, or the input).
    if (module->hasAttr(sse::attr_names::kResultsInArgs)) {
      module->emitError("'")
          << sse::attr_names::kResultsInArgs
          << "' is already set: sse-drop-in-place-results runs once, on a "
             "module that does not carry the attribute";
      return signalPassFailure();
    }
    Builder b(&getContext());
    SmallVector<NamedAttribute> recorded;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic() || func.getNumResults() == 0)
        continue;
      // Callers inside the module would need rewriting too: leave those.
      if (!SymbolTable::symbolKnownUseEmpty(func, module))
        continue;
      SmallVector<func::ReturnOp> returns;
      func.walk([&](func::ReturnOp r) { returns.push_back(r); });
      SmallVector<int64_t> inArg(func.getNumResults(), -1);
      for (unsigned i = 0; i < func.getNumResults(); ++i) {
        int64_t arg = -1;
        for (auto [n, r] : llvm::enumerate(returns)) {
          int64_t a = argumentOf(func, r.getOperand(i));
          arg = n == 0 || a == arg ? a : -1;
        }
        // The argument must have the result's type (no layout change).
        if (arg >= 0 &&
            func.getArgumentTypes()[arg] != func.getResultTypes()[i])
          arg = -1;
        inArg[i] = arg;
      }
      if (llvm::all_of(inArg, [](int64_t a) { return a < 0; }))
        continue;
      llvm::BitVector dropped(func.getNumResults());
      for (auto [i, a] : llvm::enumerate(inArg))
        if (a >= 0)
          dropped.set(i);
      for (func::ReturnOp r : returns)
        r->eraseOperands(dropped);
      if (failed(func.eraseResults(dropped)))
        return signalPassFailure();
      recorded.push_back(
          b.getNamedAttr(func.getSymName(), b.getDenseI64ArrayAttr(inArg)));
    }
    if (!recorded.empty())
      module->setAttr(sse::attr_names::kResultsInArgs,
                      b.getDictionaryAttr(recorded));
  }
};

} // namespace
