//===- Raise.cpp - SSE layer pieces written with upstream ops -> sse ------===//
//
// A frontend that knows nothing of the sse dialect writes the output gate
// as tensor arithmetic. Raising it to sse.swish_gate lets the epilogue
// fusion absorb it into the scan.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_SSERAISE
#include "sse/Dialect/SSE/Transforms/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse;

namespace {
/// True if `v` is the constant 1.0 (scalar or splat).
bool isOne(Value v) { return matchPattern(v, m_OneFloat()); }

/// If `v` is sigmoid(g) = 1 / (1 + exp(-g)), returns g.
Value matchSigmoid(Value v) {
  auto div = v.getDefiningOp<arith::DivFOp>();
  if (!div || !isOne(div.getLhs()))
    return nullptr;
  auto add = div.getRhs().getDefiningOp<arith::AddFOp>();
  if (!add)
    return nullptr;
  Value expArg;
  Value addends[2] = {add.getLhs(), add.getRhs()};
  for (int i = 0; i < 2; ++i)
    if (auto exp = addends[i].getDefiningOp<math::ExpOp>())
      if (isOne(addends[1 - i]))
        expArg = exp.getOperand();
  if (!expArg)
    return nullptr;
  auto neg = expArg.getDefiningOp<arith::NegFOp>();
  return neg ? neg.getOperand() : nullptr;
}

/// If `v` is swish(g), spelled g / (1 + exp(-g)) or g * sigmoid(g), returns
/// g.
Value matchSwish(Value v) {
  if (auto div = v.getDefiningOp<arith::DivFOp>()) {
    auto add = div.getRhs().getDefiningOp<arith::AddFOp>();
    if (!add)
      return nullptr;
    Value addends[2] = {add.getLhs(), add.getRhs()};
    for (int i = 0; i < 2; ++i) {
      Value other = addends[1 - i];
      auto exp = addends[i].getDefiningOp<math::ExpOp>();
      if (!exp || !isOne(other))
        continue;
      auto neg = exp.getOperand().getDefiningOp<arith::NegFOp>();
      if (neg && neg.getOperand() == div.getLhs())
        return div.getLhs();
    }
    return nullptr;
  }
  if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    Value lhs = mul.getLhs(), rhs = mul.getRhs();
    if (matchSigmoid(rhs) == lhs)
      return lhs;
    if (matchSigmoid(lhs) == rhs)
      return rhs;
  }
  return nullptr;
}

/// x * swish(g) on ranked tensors of rank 4 -> sse.swish_gate x, g.
struct RaiseSwishGate : public OpRewritePattern<arith::MulFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::MulFOp mul,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(mul.getType());
    if (!type || type.getRank() != 4)
      return rewriter.notifyMatchFailure(mul, "not a [B, T, H, V] tensor");
    Value lhs = mul.getLhs(), rhs = mul.getRhs();
    for (int order = 0; order < 2; ++order) {
      Value x = order ? rhs : lhs, sw = order ? lhs : rhs;
      Value g = matchSwish(sw);
      if (!g || g == x)
        continue;
      Value gated =
          SwishGateOp::create(rewriter, mul.getLoc(), mul.getType(), x, g)
              .getY();
      rewriter.replaceOp(mul, gated);
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "not x * swish(g)");
  }
};

struct SSERaisePass : public sse::impl::SSERaiseBase<SSERaisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaisePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::sse::populateRaisePatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseSwishGate>(patterns.getContext());
}
