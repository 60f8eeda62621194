//===- Raise.cpp - SSE layer pieces written with upstream ops -> sse ------===//
//
// A frontend that knows nothing of the sse dialect writes the output gate
// and the per-head RMS norm as tensor arithmetic and linalg reductions.
// Raising them to sse.swish_gate and sse.rms_norm lets the epilogue fusion
// absorb them into the scan.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
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

/// The float value of a scalar or splat constant.
std::optional<double> splatValue(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr))
    if (dense.isSplat())
      return dense.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

/// If `v` is linalg.broadcast of `source` over `dims`, returns source.
Value matchBroadcast(Value v, ArrayRef<int64_t> dims) {
  auto broadcast = v.getDefiningOp<linalg::BroadcastOp>();
  if (!broadcast || broadcast.getDimensions() != dims)
    return nullptr;
  return broadcast.getInput();
}

/// If `v` is sum(x * x) over the last dimension (a linalg.reduce with an
/// addf combiner into zeros), returns x.
Value matchSumOfSquares(Value v) {
  auto reduce = v.getDefiningOp<linalg::ReduceOp>();
  if (!reduce || reduce.getInputs().size() != 1 ||
      reduce.getDimensions() != ArrayRef<int64_t>{3})
    return nullptr;
  Block &body = reduce.getCombiner().front();
  if (body.getOperations().size() != 2 || !isa<arith::AddFOp>(body.front()))
    return nullptr;
  auto fill = reduce.getInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill || splatValue(fill.getInputs()[0]) != 0.0)
    return nullptr;
  auto square = reduce.getInputs()[0].getDefiningOp<arith::MulFOp>();
  if (!square || square.getLhs() != square.getRhs())
    return nullptr;
  return square.getLhs();
}

/// x * broadcast(rsqrt(mean(x^2) + eps)) * broadcast(w), the RMS norm of
/// each head's V-vector spelled with linalg.reduce/broadcast and tensor
/// arith/math -> sse.rms_norm x, w {eps}.
struct RaiseRmsNorm : public OpRewritePattern<arith::MulFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::MulFOp mul,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(mul.getType());
    if (!type || type.getRank() != 4 || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(mul, "not a static [B, T, H, V]");
    int64_t width = type.getDimSize(3);
    Value operands[2] = {mul.getLhs(), mul.getRhs()};
    for (int side = 0; side < 2; ++side) {
      // The learned weight, [H, V] or [V], broadcast over the rows.
      Value weight = matchBroadcast(operands[1 - side], {0, 1});
      if (!weight)
        weight = matchBroadcast(operands[1 - side], {0, 1, 2});
      auto normalized = operands[side].getDefiningOp<arith::MulFOp>();
      if (!weight || !normalized)
        continue;
      Value inner[2] = {normalized.getLhs(), normalized.getRhs()};
      for (int j = 0; j < 2; ++j) {
        Value x = inner[j];
        Value rsqrtArg;
        if (Value r = matchBroadcast(inner[1 - j], {3}))
          if (auto rsqrt = r.getDefiningOp<math::RsqrtOp>())
            rsqrtArg = rsqrt.getOperand();
        auto plusEps =
            rsqrtArg ? rsqrtArg.getDefiningOp<arith::AddFOp>() : nullptr;
        if (!plusEps)
          continue;
        for (int k = 0; k < 2; ++k) {
          Value meanSq = k ? plusEps.getRhs() : plusEps.getLhs();
          std::optional<double> eps =
              splatValue(k ? plusEps.getLhs() : plusEps.getRhs());
          if (!eps || *eps < 0)
            continue;
          // mean = sum * (1 / V) or sum / V.
          Value sum;
          if (auto scaled = meanSq.getDefiningOp<arith::MulFOp>()) {
            for (int m = 0; m < 2 && !sum; ++m) {
              std::optional<double> c =
                  splatValue(m ? scaled.getLhs() : scaled.getRhs());
              if (c && std::abs(*c * width - 1.0) < 1e-6)
                sum = m ? scaled.getRhs() : scaled.getLhs();
            }
          } else if (auto divided = meanSq.getDefiningOp<arith::DivFOp>()) {
            if (splatValue(divided.getRhs()) == double(width))
              sum = divided.getLhs();
          }
          if (!sum || matchSumOfSquares(sum) != x)
            continue;
          Value y = RmsNormOp::create(rewriter, mul.getLoc(), type, x, weight,
                                      rewriter.getF32FloatAttr(float(*eps)))
                        .getY();
          rewriter.replaceOp(mul, y);
          return success();
        }
      }
    }
    return rewriter.notifyMatchFailure(mul, "not an RMS norm");
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
  patterns.add<RaiseSwishGate, RaiseRmsNorm>(patterns.getContext());
}
