//===- SSETransformOps.cpp - Transform dialect extension of sse -----------===//
//
// transform.sse.fuse_shared_routed / fuse_router apply the fusion patterns of
// the sse-fuse-* passes inside a target op, with the interpreter's tracking
// listener so handles follow the rewrites. transform.sse.tile records a
// #sse.schedule on scans: forced parameters plus the cost model's choice of
// the rest, exactly as sse-tile does.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/TransformOps/SSETransformOps.h"

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Dialect/SSE/Transforms/CostModel.h"
#include "sse/Dialect/SSE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::sse;

//===----------------------------------------------------------------------===//
// Fusion ops
//===----------------------------------------------------------------------===//

/// Applies the patterns of `populate` greedily inside `target`, reporting
/// rewrites to the transform rewriter's tracking listener.
template <typename OpTy>
static DiagnosedSilenceableFailure
applyFusionPatterns(OpTy op, transform::TransformRewriter &rewriter,
                    Operation *target, void (*populate)(RewritePatternSet &)) {
  // The greedy driver also folds and erases dead ops: never let it loose on
  // the transform script that is being interpreted.
  if (target->isAncestor(op.getOperation())) {
    DiagnosedSilenceableFailure diag =
        op.emitSilenceableError()
        << "cannot apply to an ancestor of the transform script itself; "
           "target the payload functions instead (e.g. "
           "transform.structured.match ops{[\"func.func\"]})";
    diag.attachNote(target->getLoc()) << "target payload op";
    return diag;
  }

  RewritePatternSet patterns(target->getContext());
  populate(patterns);
  FrozenRewritePatternSet frozen(std::move(patterns));

  GreedyRewriteConfig config;
  config.setListener(
      static_cast<RewriterBase::Listener *>(rewriter.getListener()));

  LogicalResult result = failure();
  if (target->hasTrait<OpTrait::IsIsolatedFromAbove>()) {
    // As the passes do: the nested ops, to a fixpoint, with folding and
    // region simplification.
    result = applyPatternsGreedily(target, frozen, config);
  } else {
    // The greedy driver only walks the regions of isolated ops; gather the
    // nested ops by hand (no region simplification then).
    SmallVector<Operation *> ops;
    target->walk([&](Operation *nested) {
      if (nested != target)
        ops.push_back(nested);
    });
    result = applyOpPatternsGreedily(ops, frozen, config);
  }
  if (failed(result)) {
    DiagnosedSilenceableFailure diag = op.emitSilenceableError()
                                       << "greedy fusion did not converge";
    diag.attachNote(target->getLoc()) << "target payload op";
    return diag;
  }
  return DiagnosedSilenceableFailure::success();
}

DiagnosedSilenceableFailure transform::FuseSharedRoutedOp::applyToOne(
    transform::TransformRewriter &rewriter, Operation *target,
    transform::ApplyToEachResultList &results,
    transform::TransformState &state) {
  return applyFusionPatterns(*this, rewriter, target,
                             sse::populateFuseSharedRoutedPatterns);
}

void transform::FuseSharedRoutedOp::getEffects(
    SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
  transform::onlyReadsHandle(getTargetMutable(), effects);
  transform::modifiesPayload(effects);
}

DiagnosedSilenceableFailure
transform::FuseRouterOp::applyToOne(transform::TransformRewriter &rewriter,
                                    Operation *target,
                                    transform::ApplyToEachResultList &results,
                                    transform::TransformState &state) {
  return applyFusionPatterns(*this, rewriter, target,
                             sse::populateFuseRouterPatterns);
}

void transform::FuseRouterOp::getEffects(
    SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
  transform::onlyReadsHandle(getTargetMutable(), effects);
  transform::modifiesPayload(effects);
}

//===----------------------------------------------------------------------===//
// TileOp
//===----------------------------------------------------------------------===//

namespace {
/// `size` as text: the number, or `?` when dynamic.
std::string sizeString(int64_t size) {
  return ShapedType::isDynamic(size) ? std::string("?") : std::to_string(size);
}
} // namespace

DiagnosedSilenceableFailure
transform::TileOp::applyToOne(transform::TransformRewriter &rewriter,
                              Operation *target,
                              transform::ApplyToEachResultList &results,
                              transform::TransformState &state) {
  auto fail = [&](const Twine &message) {
    DiagnosedSilenceableFailure diag = emitSilenceableError() << message;
    diag.attachNote(target->getLoc()) << "payload op";
    return diag;
  };

  auto scan = dyn_cast<ScanOp>(target);
  if (!scan)
    return fail("expected an sse.scan payload op, got '" +
                target->getName().getStringRef() + "'");

  auto qType = cast<RankedTensorType>(scan.getQ().getType());
  auto vType = cast<RankedTensorType>(scan.getV().getType());
  int64_t keyWidth = qType.getDimSize(3);
  int64_t valueWidth = vType.getDimSize(3);

  // The forced parameters, each checked on its own first so the message
  // names the one at fault.
  ScheduleConstraints forced;
  if (IntegerAttr attr = getChunkAttr()) {
    int64_t chunk = attr.getInt();
    if (chunk < 16 || chunk > 256 || !llvm::isPowerOf2_64(chunk))
      return fail("chunk = " + Twine(chunk) +
                  " is not a power of two in [16, 256]");
    forced.chunk = chunk;
  }
  auto checkTile =
      [&](IntegerAttr attr, StringRef name, StringRef dim, int64_t size,
          std::optional<int64_t> &slot) -> std::optional<std::string> {
    if (!attr)
      return std::nullopt;
    int64_t tile = attr.getInt();
    if (tile < 1)
      return (name + " = " + Twine(tile) + " is not positive").str();
    if (!ShapedType::isDynamic(size) && size % tile != 0)
      return (name + " = " + Twine(tile) + " does not divide " + dim + " = " +
              Twine(size))
          .str();
    slot = tile;
    return std::nullopt;
  };
  if (auto error =
          checkTile(getKTileAttr(), "k_tile", "K", keyWidth, forced.kTile))
    return fail(*error);
  if (auto error =
          checkTile(getVTileAttr(), "v_tile", "V", valueWidth, forced.vTile))
    return fail(*error);
  if (WorkSplitAttr attr = getSplitAttr())
    forced.split = attr.getValue();
  if (GroupingAttr attr = getGroupingAttr())
    forced.grouping = attr.getValue();

  Schedule schedule;
  if (std::optional<ScanShape> shape = ScanShape::of(scan)) {
    auto choice = chooseSchedule(*shape, TargetDescription(), forced);
    if (!choice)
      return fail("no schedule satisfies the given parameters for K = " +
                  Twine(keyWidth) + ", V = " + Twine(valueWidth));
    schedule = choice->first;
  } else {
    // Dynamic sizes: no cost model; every parameter must be given.
    SmallVector<StringRef> missing;
    if (!forced.chunk)
      missing.push_back("chunk");
    if (!forced.kTile)
      missing.push_back("k_tile");
    if (!forced.vTile)
      missing.push_back("v_tile");
    if (!forced.split)
      missing.push_back("split");
    if (!forced.grouping)
      missing.push_back("grouping");
    if (!missing.empty())
      return fail("the cost model needs static sizes, but the scan has "
                  "dynamic ones (K = " +
                  sizeString(keyWidth) + ", V = " + sizeString(valueWidth) +
                  "); give every parameter (missing: " +
                  llvm::join(missing, ", ") + ")");
    schedule = {*forced.chunk, *forced.kTile, *forced.vTile, *forced.split,
                *forced.grouping};
  }

  auto attr =
      ScheduleAttr::get(getContext(), schedule.chunk, schedule.kTile,
                        schedule.vTile, schedule.split, schedule.grouping);
  rewriter.modifyOpInPlace(scan, [&] { scan.setScheduleAttr(attr); });
  results.push_back(scan);
  return DiagnosedSilenceableFailure::success();
}

//===----------------------------------------------------------------------===//
// Extension
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "sse/Dialect/SSE/TransformOps/SSETransformOps.cpp.inc"

namespace {
class SSETransformDialectExtension
    : public transform::TransformDialectExtension<
          SSETransformDialectExtension> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SSETransformDialectExtension)

  using Base::Base;

  void init() {
    // The ops take #sse.split / #sse.grouping attributes.
    declareDependentDialect<SSEDialect>();
    // The fusion patterns create these.
    declareGeneratedDialect<SSEDialect>();
    declareGeneratedDialect<arith::ArithDialect>();
    declareGeneratedDialect<linalg::LinalgDialect>();
    declareGeneratedDialect<tensor::TensorDialect>();

    registerTransformOps<
#define GET_OP_LIST
#include "sse/Dialect/SSE/TransformOps/SSETransformOps.cpp.inc"
        >();
  }
};
} // namespace

void mlir::sse::registerTransformDialectExtension(DialectRegistry &registry) {
  registry.addExtensions<SSETransformDialectExtension>();
}
