//===- SSEOps.cpp - sse.classify and sse.scan: builders and verifiers -----===//
//
// The verifiers reject every shape, type and attribute inconsistency of
// SPEC.md section 2 with a message naming the operand and both shapes.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/IR/SSE.h"

#include "llvm/Support/CheckedArithmetic.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sse;

namespace {
/// True if two dimension sizes can describe the same runtime size.
bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// True if `shape` can equal `expected` (same rank, compatible dims).
bool shapeCompatible(ArrayRef<int64_t> shape, ArrayRef<int64_t> expected) {
  if (shape.size() != expected.size())
    return false;
  for (auto [a, b] : llvm::zip_equal(shape, expected))
    if (!dimsCompatible(a, b))
      return false;
  return true;
}

/// The size two compatible dimensions agree on (static if either is).
int64_t mergeDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

/// Prints a shape like [B, T, H, K] with `?` for dynamic sizes.
std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

RankedTensorType rankedType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Every tensor of `op` must fit in memory that can be addressed: its static
/// sizes times the element size below 2^63 bytes. (Larger ones overflowed
/// the cost model's and the lowerings' size arithmetic.)
LogicalResult verifyAddressable(Operation *op) {
  auto check = [&](Type type, StringRef what, unsigned i) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return success();
    std::optional<int64_t> bytes =
        std::max<int64_t>(1, tensor.getElementTypeBitWidth() / 8);
    for (int64_t size : tensor.getShape())
      if (bytes && !ShapedType::isDynamic(size))
        bytes = llvm::checkedMul(*bytes, size);
    if (bytes)
      return success();
    return op->emitOpError() << what << " #" << i << " has type " << type
                             << ", more bytes than can be addressed (2^63)";
  };
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (failed(check(v.getType(), "operand", i)))
      return failure();
  for (auto [i, v] : llvm::enumerate(op->getResults()))
    if (failed(check(v.getType(), "result", i)))
      return failure();
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// ClassifyOp
//===----------------------------------------------------------------------===//

LogicalResult ClassifyOp::verify() {
  if (failed(verifyAddressable(*this)))
    return failure();
  RankedTensorType logits = rankedType(getLogits());
  if (logits.getRank() < 1)
    return emitOpError("logits must have rank >= 1 ([..., N]), got ") << logits;
  // Empty tensors are rejected: no size of an sse op may be a static zero.
  for (auto [d, size] : llvm::enumerate(logits.getShape()))
    if (size == 0)
      return emitOpError("logits ")
             << logits << " has a zero "
             << (d + 1 == size_t(logits.getRank()) ? "N (last dimension)"
                                                   : "size")
             << " at dimension " << d
             << "; every dimension of an sse op must be >= 1";
  int64_t k = getK();
  int64_t n = logits.getShape().back();
  if (k < 1)
    return emitOpError("'k' must be >= 1, got ") << k;
  if (!ShapedType::isDynamic(n) && k > n)
    return emitOpError("'k' = ")
           << k << " exceeds the number of partitions N = " << n
           << " (last dimension of logits " << logits << ")";
  SmallVector<int64_t> expected(logits.getShape().drop_back());
  expected.push_back(k);
  RankedTensorType weights = rankedType(getWeights());
  if (!shapeCompatible(weights.getShape(), expected))
    return emitOpError("weights ")
           << weights << " must have shape " << formatShape(expected)
           << " (logits " << logits << " with the last dimension replaced "
           << "by k = " << k << ")";
  RankedTensorType indices = rankedType(getIndices());
  if (!shapeCompatible(indices.getShape(), expected) ||
      !shapeCompatible(indices.getShape(), weights.getShape()))
    return emitOpError("indices ")
           << indices << " must have shape " << formatShape(expected)
           << " (logits " << logits << " with the last dimension replaced "
           << "by k = " << k << ") and the shape of the weights " << weights;
  return success();
}

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

void ScanOp::build(OpBuilder &builder, OperationState &state, Value q, Value k,
                   Value v, Value gate, Value beta, Value weights,
                   Value indices, Value init, Value cuSeqlens,
                   int64_t partitions) {
  RankedTensorType qType = rankedType(q), vType = rankedType(v);
  ArrayRef<int64_t> qs = qType.getShape(), vs = vType.getShape();
  int64_t numSeqs = qs[0];
  if (cuSeqlens) {
    int64_t n = rankedType(cuSeqlens).getShape()[0];
    numSeqs = ShapedType::isDynamic(n) ? ShapedType::kDynamic : n - 1;
  }
  auto oType = RankedTensorType::get(vs, vType.getElementType());
  auto sType = RankedTensorType::get({numSeqs, qs[2], partitions, qs[3], vs[3]},
                                     builder.getF32Type());
  build(builder, state, TypeRange{oType, sType}, q, k, v, gate, beta,
        /*shared_q=*/Value(), /*shared_k=*/Value(), /*shared_gate=*/Value(),
        /*shared_beta=*/Value(), weights, indices, /*logits=*/Value(), init,
        cuSeqlens, /*norm_weight=*/Value(), /*out_gate=*/Value(), partitions,
        /*scale=*/nullptr, UpdateRule::additive,
        /*read_gate=*/true, /*write_gate=*/true, /*top_k=*/nullptr,
        /*router_order=*/nullptr, /*renormalize=*/false, /*schedule=*/nullptr,
        /*norm_eps=*/nullptr);
}

bool ScanOp::hasPerKeyGate() {
  return getGate() && rankedType(getGate()).getRank() == 4;
}

std::optional<float> ScanOp::getEffectiveScale() {
  if (std::optional<APFloat> s = getScale())
    return s->convertToFloat();
  int64_t keyWidth = rankedType(getQ()).getShape()[3];
  if (ShapedType::isDynamic(keyWidth))
    return std::nullopt;
  return 1.0f / std::sqrt(static_cast<float>(keyWidth));
}

int64_t ScanOp::getNumSlots() {
  if (getWeights())
    return rankedType(getWeights()).getShape().back();
  if (getLogits())
    return getTopK().value_or(1);
  return 1;
}

bool ScanOp::hasPerKeySharedGate() {
  return getSharedGate() && rankedType(getSharedGate()).getRank() == 4;
}

LogicalResult ScanOp::verify() {
  if (failed(verifyAddressable(*this)))
    return failure();
  RankedTensorType qT = rankedType(getQ()), kT = rankedType(getK()),
                   vT = rankedType(getV());
  if (qT.getRank() != 4)
    return emitOpError("q must have shape [B, T, H, K], got ") << qT;
  ArrayRef<int64_t> qs = qT.getShape();
  int64_t b = qs[0], t = qs[1], h = qs[2], keyWidth = qs[3];
  if (!shapeCompatible(kT.getShape(), qs))
    return emitOpError("k ") << kT << " must have the shape of q " << qT;
  if (vT.getRank() != 4 || !dimsCompatible(vT.getDimSize(0), b) ||
      !dimsCompatible(vT.getDimSize(1), t) ||
      !dimsCompatible(vT.getDimSize(2), h))
    return emitOpError("v ") << vT << " must have shape [B, T, H, V] with "
                             << "the B, T, H of q " << qT;
  // Empty tensors are rejected (docs/Semantics.md, "Empty dimensions"): a
  // static zero in B, T, H, K or V is an error.
  auto checkNonEmpty = [&](RankedTensorType type, StringRef operand,
                           StringRef last) -> LogicalResult {
    static constexpr const char *kNames[] = {"B", "T", "H"};
    for (int64_t d = 0; d < 4; ++d)
      if (type.getDimSize(d) == 0)
        return emitOpError()
               << operand << " " << type << " has "
               << (d < 3 ? StringRef(kNames[d]) : last) << " = 0 (dimension "
               << d << "); B, T, H, K and V must be >= 1";
    return success();
  };
  if (failed(checkNonEmpty(qT, "q", "K")) ||
      failed(checkNonEmpty(kT, "k", "K")) ||
      failed(checkNonEmpty(vT, "v", "V")))
    return failure();
  // The sizes every operand and result must agree on, from q, k and v: an
  // operand is then checked against what all three say, not q alone.
  keyWidth = mergeDims(keyWidth, kT.getDimSize(3));
  b = mergeDims(mergeDims(b, kT.getDimSize(0)), vT.getDimSize(0));
  t = mergeDims(mergeDims(t, kT.getDimSize(1)), vT.getDimSize(1));
  h = mergeDims(mergeDims(h, kT.getDimSize(2)), vT.getDimSize(2));
  SmallVector<int64_t> qkShape{b, t, h, keyWidth};
  int64_t valueWidth = vT.getDimSize(3);
  if (qT.getElementType() != vT.getElementType() ||
      kT.getElementType() != vT.getElementType())
    return emitOpError("q ") << qT << ", k " << kT << " and v " << vT
                             << " must have the same element type";

  int64_t n = getPartitions();
  if (n < 1)
    return emitOpError("'partitions' must be >= 1, got ") << n;

  if (std::optional<APFloat> s = getScale())
    if (!s->isFinite())
      return emitOpError("'scale' must be finite");

  bool delta = getRule() == UpdateRule::delta;
  SmallVector<int64_t> tokenShape{b, t, h};
  // Checks a gate (scalar or per key) and a beta against the merged sizes.
  auto verifyGate = [&](Value gate, StringRef name) -> LogicalResult {
    RankedTensorType gT = rankedType(gate);
    bool isScalar = shapeCompatible(gT.getShape(), tokenShape);
    bool isPerKey = shapeCompatible(gT.getShape(), qkShape);
    if (!isScalar && !isPerKey)
      return emitOpError() << name << " " << gT
                           << " must have shape [B, T, H] = "
                           << formatShape(tokenShape)
                           << " or [B, T, H, K] = " << formatShape(qkShape)
                           << " to match q " << qT;
    if (isPerKey && delta)
      return emitOpError()
             << name << " " << gT
             << " is per key, but the delta rule takes a scalar gate "
             << "[B, T, H] = " << formatShape(tokenShape);
    return success();
  };
  auto verifyBeta = [&](Value beta, StringRef name) -> LogicalResult {
    RankedTensorType bT = rankedType(beta);
    if (!delta)
      return emitOpError()
             << name << " " << bT
             << " is only meaningful with rule = #sse.rule<delta>";
    if (!shapeCompatible(bT.getShape(), tokenShape))
      return emitOpError() << name << " " << bT
                           << " must have shape [B, T, H] = "
                           << formatShape(tokenShape) << " to match q " << qT;
    return success();
  };

  if (Value gate = getGate())
    if (failed(verifyGate(gate, "gate")))
      return failure();
  if (Value beta = getBeta()) {
    if (failed(verifyBeta(beta, "beta")))
      return failure();
  } else if (delta) {
    return emitOpError("rule = #sse.rule<delta> requires a beta operand");
  }

  // The shared partition: its own q, k (shaped like q, k), gate and beta.
  if (static_cast<bool>(getSharedQ()) != static_cast<bool>(getSharedK()))
    return emitOpError("shared q and k must be given together");
  if (hasShared()) {
    for (Value x : {getSharedQ(), getSharedK()}) {
      RankedTensorType xT = rankedType(x);
      if (!shapeCompatible(xT.getShape(), qkShape) ||
          xT.getElementType() != qT.getElementType())
        return emitOpError("shared q/k ")
               << xT
               << " must have the shape [B, T, H, K] = " << formatShape(qkShape)
               << " and element type of q " << qT;
    }
    if (Value gate = getSharedGate())
      if (failed(verifyGate(gate, "shared_gate")))
        return failure();
    if (Value beta = getSharedBeta()) {
      if (failed(verifyBeta(beta, "shared_beta")))
        return failure();
    } else if (delta) {
      return emitOpError("rule = #sse.rule<delta> with a shared partition "
                         "requires a shared_beta operand");
    }
    if (!isRouted())
      return emitOpError("shared(...) adds an always-selected partition to a "
                         "routed scan; it needs route(...) or router(...)");
  } else if (getSharedGate() || getSharedBeta()) {
    return emitOpError("shared_gate and shared_beta need shared(q, k)");
  }

  if (static_cast<bool>(getWeights()) != static_cast<bool>(getIndices()))
    return emitOpError("routing weights and indices must be given together");
  if (getWeights() && getLogits())
    return emitOpError("route(...) and router(...) are exclusive: the scan is "
                       "routed either by given weights and indices or by its "
                       "own router");
  // Routing tensors are [B, T, x] (shared by all heads) or [B, T, H, x].
  auto routingShapeOk = [&](RankedTensorType type) {
    int64_t rank = type.getRank();
    return (rank == 3 || rank == 4) && dimsCompatible(type.getDimSize(0), b) &&
           dimsCompatible(type.getDimSize(1), t) &&
           (rank == 3 || dimsCompatible(type.getDimSize(2), h));
  };
  if (getWeights()) {
    RankedTensorType wT = rankedType(getWeights()),
                     iT = rankedType(getIndices());
    if (!routingShapeOk(wT))
      return emitOpError("routing weights ")
             << wT << " must have shape [B, T, k] or [B, T, H, k] with the "
             << "B, T, H of q " << qT;
    if (!shapeCompatible(iT.getShape(), wT.getShape()))
      return emitOpError("routing indices ")
             << iT << " must have the shape of the weights " << wT;
    int64_t slots = wT.getShape().back();
    if (!ShapedType::isDynamic(slots) && (slots < 1 || slots > n))
      return emitOpError("routing picks k = ")
             << slots << " partitions per token (last dimension of weights "
             << wT << "), but k must be in [1, partitions = " << n << "]";
  }
  bool routerAttrs = getTopK() || getRouterOrder() || getRenormalize();
  if (Value logits = getLogits()) {
    RankedTensorType zT = rankedType(logits);
    if (!routingShapeOk(zT) || !dimsCompatible(zT.getShape().back(), n))
      return emitOpError("router logits ")
             << zT << " must have shape [B, T, N] or [B, T, H, N] with the "
             << "B, T, H of q " << qT << " and N = partitions = " << n;
    std::optional<int64_t> topK = getTopK();
    if (!topK)
      return emitOpError("router(...) needs the 'top_k' attribute");
    if (*topK < 1 || *topK > n)
      return emitOpError("'top_k' = ")
             << *topK << " must be in [1, partitions = " << n << "]";
  } else if (routerAttrs) {
    return emitOpError("'top_k', 'router_order' and 'renormalize' configure "
                       "router(...), which this scan does not have");
  }
  if (!isRouted() && n != 1)
    return emitOpError("an unrouted scan has a single partition, but "
                       "'partitions' = ")
           << n;

  int64_t numSeqs = b;
  if (Value cu = getCuSeqlens()) {
    RankedTensorType cT = rankedType(cu);
    if (cT.getRank() != 1)
      return emitOpError("cu_seqlens ") << cT << " must have rank 1 ([S + 1])";
    if (!dimsCompatible(b, 1))
      return emitOpError("cu_seqlens packs sequences along T and requires "
                         "B = 1, but q is ")
             << qT;
    int64_t len = cT.getDimSize(0);
    if (!ShapedType::isDynamic(len) && len < 2)
      return emitOpError("cu_seqlens ")
             << cT << " must hold at least 2 offsets (one sequence)";
    numSeqs = ShapedType::isDynamic(len) ? ShapedType::kDynamic : len - 1;
  }

  SmallVector<int64_t> stateShape{numSeqs, h, getNumStatePartitions(), keyWidth,
                                  valueWidth};
  if (Value init = getInit()) {
    RankedTensorType sT = rankedType(init);
    if (!shapeCompatible(sT.getShape(), stateShape))
      return emitOpError("init ")
             << sT
             << " must have shape [S, H, N, K, V] = " << formatShape(stateShape)
             << " for q " << qT << " and v " << vT;
  }

  SmallVector<int64_t> oShape{b, t, h, valueWidth};
  if (Value w = getNormWeight()) {
    RankedTensorType wT = rankedType(w);
    SmallVector<int64_t> perHead{h, valueWidth}, shared{valueWidth};
    if (!shapeCompatible(wT.getShape(), perHead) &&
        !shapeCompatible(wT.getShape(), shared))
      return emitOpError("norm weight ")
             << wT << " must have shape [H, V] = " << formatShape(perHead)
             << " or [V] = " << formatShape(shared);
  } else if (getNormEps()) {
    return emitOpError("'norm_eps' configures norm(...), which this scan "
                       "does not have");
  }
  if (std::optional<APFloat> eps = getNormEps())
    if (!eps->isFinite() || eps->isNegative())
      return emitOpError("'norm_eps' must be finite and >= 0");
  if (Value g = getOutGate()) {
    RankedTensorType gT = rankedType(g);
    if (!shapeCompatible(gT.getShape(), oShape))
      return emitOpError("out_gate ")
             << gT << " must have the shape of o, [B, T, H, V] = "
             << formatShape(oShape);
  }

  if (std::optional<ScheduleAttr> schedule = getSchedule()) {
    int64_t chunk = schedule->getChunk();
    if (chunk < 16 || chunk > 256 || !llvm::isPowerOf2_64(chunk))
      return emitOpError("schedule chunk = ")
             << chunk << " must be a power of two in [16, 256]";
    auto tileOk = [](int64_t tile, int64_t size) {
      return tile >= 1 && (ShapedType::isDynamic(size) || (size % tile == 0));
    };
    if (!tileOk(schedule->getKTile(), keyWidth))
      return emitOpError("schedule k_tile = ")
             << schedule->getKTile()
             << " must be >= 1 and divide K = " << keyWidth;
    if (!tileOk(schedule->getVTile(), valueWidth))
      return emitOpError("schedule v_tile = ")
             << schedule->getVTile()
             << " must be >= 1 and divide V = " << valueWidth;
    if (getNormWeight() && !ShapedType::isDynamic(valueWidth) &&
        schedule->getVTile() != valueWidth)
      return emitOpError("schedule v_tile = ")
             << schedule->getVTile()
             << " splits V, but norm(...) needs a whole head's V = "
             << valueWidth << " in one tile";
  }

  RankedTensorType oT = rankedType(getO());
  if (!shapeCompatible(oT.getShape(), oShape) ||
      oT.getElementType() != vT.getElementType())
    return emitOpError("result o ")
           << oT << " must have shape [B, T, H, V] = " << formatShape(oShape)
           << " and the element type of v " << vT;
  RankedTensorType fT = rankedType(getFinalStates());
  if (!shapeCompatible(fT.getShape(), stateShape))
    return emitOpError("result final_states ")
           << fT
           << " must have shape [S, H, N, K, V] = " << formatShape(stateShape);
  return success();
}

//===----------------------------------------------------------------------===//
// RmsNormOp, SwishGateOp
//===----------------------------------------------------------------------===//

LogicalResult RmsNormOp::verify() {
  RankedTensorType xT = rankedType(getX()), wT = rankedType(getWeight());
  if (xT.getRank() != 4)
    return emitOpError("x must have shape [B, T, H, V], got ") << xT;
  SmallVector<int64_t> perHead{xT.getDimSize(2), xT.getDimSize(3)};
  SmallVector<int64_t> shared{xT.getDimSize(3)};
  if (!shapeCompatible(wT.getShape(), perHead) &&
      !shapeCompatible(wT.getShape(), shared))
    return emitOpError("weight ")
           << wT << " must have shape [H, V] = " << formatShape(perHead)
           << " or [V] = " << formatShape(shared) << " for x " << xT;
  if (std::optional<APFloat> eps = getEps())
    if (!eps->isFinite() || eps->isNegative())
      return emitOpError("'eps' must be finite and >= 0");
  return success();
}

LogicalResult SwishGateOp::verify() {
  RankedTensorType xT = rankedType(getX()), gT = rankedType(getGate());
  if (!shapeCompatible(gT.getShape(), xT.getShape()))
    return emitOpError("gate ") << gT << " must have the shape of x " << xT;
  return success();
}

#define GET_OP_CLASSES
#include "sse/Dialect/SSE/IR/SSEOps.cpp.inc"
