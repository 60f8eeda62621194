//===- SSEGPUOps.cpp - Verifiers and interfaces of the sse_gpu ops --------===//
//
// Each kernel op checks its operands against each other and against its
// #sse_gpu.plan, so a plan the lowering follows always fits the op.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::sse_gpu;

#define GET_OP_CLASSES
#include "sse/Dialect/SSEGPU/IR/SSEGPUOps.cpp.inc"

namespace {
ShapedType shapeOf(Value v) { return cast<ShapedType>(v.getType()); }

/// Sizes equal, or one of them dynamic.
bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// `v` has rank `rank`, its leading sizes agree with `lead`, and its
/// element type satisfies `elementOk`; else an error naming `name`.
LogicalResult expectShape(Operation *op, Value v, StringRef name,
                          ArrayRef<int64_t> lead, int64_t rank,
                          function_ref<bool(Type)> elementOk,
                          StringRef elementWhat, StringRef layout) {
  ShapedType t = shapeOf(v);
  bool ok = t.getRank() == rank && elementOk(t.getElementType());
  for (auto [i, size] : llvm::enumerate(lead))
    ok = ok && i < static_cast<size_t>(t.getRank()) &&
         compatible(t.getDimSize(i), size);
  if (!ok)
    return op->emitOpError() << name << " must be " << layout << " of "
                             << elementWhat << ", got " << v.getType();
  return success();
}

bool isI32(Type t) { return t.isSignlessInteger(32); }
bool isInteger(Type t) { return isa<IntegerType>(t); }
bool isF32(Type t) { return t.isF32(); }

/// S, the sequences of a batch of `batch` rows: B, or one less than the
/// length of `cuSeqlens` (packed sequences, which need B = 1). An error on
/// `op` names a malformed `cuSeqlens` and `batchOwner`, the type with B.
FailureOr<int64_t> sequencesOf(Operation *op, Value cuSeqlens, int64_t batch,
                               Type batchOwner) {
  if (!cuSeqlens)
    return batch;
  ShapedType t = shapeOf(cuSeqlens);
  if (t.getRank() != 1 || !isInteger(t.getElementType()))
    return op->emitOpError("cu_seqlens must be a 1-D integer array, got ") << t;
  if (!compatible(batch, 1))
    return op->emitOpError("packed sequences (cu_seqlens) need B = 1, got ")
           << batchOwner;
  return t.isDynamicDim(0) ? ShapedType::kDynamic : t.getDimSize(0) - 1;
}

/// Destinations on tensors come back as the results, of the same types;
/// on memrefs there are no results. Inits must be all one or the other.
LogicalResult verifyDestinations(Operation *op, ValueRange inits,
                                 TypeRange results) {
  bool tensors = llvm::all_of(
      inits, [](Value v) { return isa<RankedTensorType>(v.getType()); });
  bool memrefs =
      llvm::all_of(inits, [](Value v) { return isa<MemRefType>(v.getType()); });
  if (!tensors && !memrefs)
    return op->emitOpError("destinations must be all tensors or all memrefs");
  if (memrefs && !results.empty())
    return op->emitOpError("has results, but its destinations are memrefs");
  if (tensors && TypeRange(inits) != results)
    return op->emitOpError("results must have the types of the "
                           "destinations (")
           << TypeRange(inits) << "), got (" << results << ")";
  return success();
}

/// Reads of every memref operand, writes of the memref destinations.
void addEffects(
    Operation *op, unsigned numInits,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  unsigned firstInit = op->getNumOperands() - numInits;
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
    if (operand.getOperandNumber() >= firstInit)
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}
} // namespace

//===----------------------------------------------------------------------===//
// sse_gpu.group
//===----------------------------------------------------------------------===//

LogicalResult GroupOp::verify() {
  ShapedType indices = shapeOf(getIndices());
  if ((indices.getRank() != 3 && indices.getRank() != 4) ||
      !isInteger(indices.getElementType()))
    return emitOpError("indices must be [B, T, k] or [B, T, H, k] of "
                       "integers, got ")
           << indices;
  bool perHead = indices.getRank() == 4;
  int64_t batch = indices.getDimSize(0), tokens = indices.getDimSize(1);
  FailureOr<int64_t> sequences =
      sequencesOf(*this, getCuSeqlens(), batch, indices);
  if (failed(sequences))
    return failure();
  int64_t partitions = getPartitionsAttr().getInt();
  if (partitions < 1)
    return emitOpError("partitions must be >= 1, got ") << partitions;
  SmallVector<int64_t> lead = {*sequences};
  if (perHead)
    lead.push_back(indices.getDimSize(2));
  lead.push_back(partitions);
  StringRef countsLayout = perHead ? "[S, H, N]" : "[S, N]";
  StringRef tokensLayout = perHead ? "[S, H, N, T]" : "[S, N, T]";
  if (failed(expectShape(*this, getCountsInit(), "counts", lead, lead.size(),
                         isI32, "i32", countsLayout)))
    return failure();
  lead.push_back(tokens);
  if (failed(expectShape(*this, getTokensInit(), "tokens", lead, lead.size(),
                         isI32, "i32", tokensLayout)))
    return failure();
  return verifyDestinations(*this, getDpsInits(), getResultTypes());
}

void GroupOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addEffects(*this, 2, effects);
}

//===----------------------------------------------------------------------===//
// sse_gpu.chunk_scan
//===----------------------------------------------------------------------===//

namespace {
/// The matrix precision a plan must use for inputs of `element`.
bool precisionFits(MatrixPrecision p, Type element) {
  if (element.isBF16())
    return p == MatrixPrecision::bf16;
  if (element.isF16())
    return p == MatrixPrecision::f16;
  return element.isF32() &&
         (p == MatrixPrecision::tf32 || p == MatrixPrecision::tf32x3);
}

/// The checks of the plan against the operands' sizes.
/// `plan` fits the inputs of a chunk-scan kernel op (`routed`: it reads
/// token lists) with K = `keyWidth`, V = `valueWidth` and `element`s.
LogicalResult verifyPlanFits(Operation *op, PlanAttr plan, bool routed,
                             int64_t keyWidth, int64_t valueWidth,
                             Type element) {
  if (!ShapedType::isDynamic(keyWidth) && plan.getKWidth() != keyWidth)
    return op->emitOpError("plan holds k_width = ")
           << plan.getKWidth() << " rows of the state, but K = " << keyWidth;
  if (!ShapedType::isDynamic(valueWidth) && valueWidth % plan.getVSlice() != 0)
    return op->emitOpError("plan's v_slice = ")
           << plan.getVSlice() << " does not divide V = " << valueWidth;
  if (!precisionFits(plan.getPrecision(), element))
    return op->emitOpError("plan's precision ")
           << stringifyMatrixPrecision(plan.getPrecision())
           << " does not fit inputs of " << element;
  // Gathered rows are not tiles: TMA cannot load a routed partition's.
  if (routed && plan.getLoad() != LoadKind::cp_async)
    return op->emitOpError("routed partitions gather rows with load = "
                           "cp_async (the plan says ")
           << stringifyLoadKind(plan.getLoad()) << ")";
  if (routed && plan.getCombine() != CombineMode::partials)
    return op->emitOpError("routed partitions write one partial per visit: "
                           "the plan must say combine = partials, not ")
           << stringifyCombineMode(plan.getCombine());
  return success();
}
} // namespace

namespace {
/// A chunk-scan kernel's optional log-gate: [B, T, H] (scalar) or
/// [B, T, H, K] (per key) of floats.
LogicalResult verifyGate(Operation *op, Value gate, int64_t b, int64_t t,
                         int64_t h, int64_t kw) {
  if (!gate)
    return success();
  int64_t rank = shapeOf(gate).getRank();
  SmallVector<int64_t> lead = {b, t, h};
  if (rank == 4)
    lead.push_back(kw);
  return expectShape(
      op, gate, "gate", lead, rank == 4 ? 4 : 3,
      [](Type e) { return isa<FloatType>(e); }, "floats",
      "[B, T, H] or [B, T, H, K]");
}
} // namespace

LogicalResult ChunkScanOp::verify() {
  auto isFloat = [](Type t) { return isa<FloatType>(t); };
  ShapedType q = shapeOf(getQ());
  if (q.getRank() != 4 || !isFloat(q.getElementType()))
    return emitOpError("q must be [B, T, H, K] of floats, got ") << q;
  int64_t b = q.getDimSize(0), t = q.getDimSize(1), h = q.getDimSize(2),
          kw = q.getDimSize(3);
  Type element = q.getElementType();
  auto same = [&](Type e) { return e == element; };
  if (failed(expectShape(*this, getK(), "k", {b, t, h, kw}, 4, same,
                         "q's element type", "[B, T, H, K]")) ||
      failed(expectShape(*this, getV(), "v", {b, t, h}, 4, same,
                         "q's element type", "[B, T, H, V]")))
    return failure();
  int64_t vw = shapeOf(getV()).getDimSize(3);
  if (failed(verifyGate(*this, getGate(), b, t, h, kw)))
    return failure();
  bool delta = getRule() == sse::UpdateRule::delta;
  if (delta != static_cast<bool>(getBeta()))
    return emitOpError("beta is needed by, and only by, the delta rule");
  if (Value beta = getBeta())
    if (failed(expectShape(*this, beta, "beta", {b, t, h}, 3, isFloat, "floats",
                           "[B, T, H]")))
      return failure();
  int64_t slots = 1;
  if (Value w = getWeights()) {
    int64_t rank = shapeOf(w).getRank();
    SmallVector<int64_t> lead = {b, t};
    if (rank == 4)
      lead.push_back(h);
    if (failed(expectShape(*this, w, "weights", lead, rank == 4 ? 4 : 3, isF32,
                           "f32", "[B, T, k] or [B, T, H, k]")))
      return failure();
    slots = shapeOf(w).getDimSize(rank - 1);
  }
  int64_t first = getFirstPartitionAttr().getInt();
  int64_t count = getPartitionsAttr().getInt();
  if (first < 0 || count < 1)
    return emitOpError("first_partition must be >= 0 and partitions >= 1, "
                       "got ")
           << first << " and " << count;
  // Packed sequences (B = 1) have a state per sequence: S = len - 1.
  FailureOr<int64_t> sequences = sequencesOf(*this, getCuSeqlens(), b, q);
  if (failed(sequences))
    return failure();
  if (failed(expectShape(*this, getStatesInit(), "states", {*sequences, h}, 5,
                         isF32, "f32", "[S, H, P, K, V]")))
    return failure();
  ShapedType states = shapeOf(getStatesInit());
  if (!compatible(states.getDimSize(3), kw) ||
      !compatible(states.getDimSize(4), vw))
    return emitOpError("states must be [S, H, P, K, V] with K, V of q and "
                       "v, got ")
           << states;
  int64_t p = states.getDimSize(2);
  if (!ShapedType::isDynamic(p) && first + count > p)
    return emitOpError("partitions [")
           << first << ", " << first + count
           << ") are not all among the states' " << p;
  if (getPlan().getCombine() == CombineMode::partials) {
    if (failed(expectShape(*this, getOutInit(), "the output (partials)",
                           {b, t, h, slots, vw}, 5, isF32, "f32",
                           "[B, T, H, k, V]")))
      return failure();
  } else if (failed(expectShape(*this, getOutInit(), "the output (o)",
                                {b, t, h, vw}, 4, same, "v's element type",
                                "[B, T, H, V]"))) {
    return failure();
  }
  if (Value added = getPartialsIn()) {
    if (isRouted() || getPlan().getCombine() != CombineMode::direct)
      return emitOpError("only a dense scan that writes o (combine = "
                         "direct) adds the routed partials");
    if (failed(expectShape(*this, added, "the added partials", {b, t, h}, 5,
                           isF32, "f32", "[B, T, H, k, V]")))
      return failure();
    if (!compatible(shapeOf(added).getDimSize(4), vw))
      return emitOpError("the added partials must be [B, T, H, k, V] with "
                         "V of v, got ")
             << shapeOf(added);
  }
  if (failed(verifySegmentInit(*sequences, h, kw, vw)))
    return failure();
  if (failed(verifyPlanFits(*this, getPlan(), isRouted(), kw, vw, element)))
    return failure();
  return verifyDestinations(*this, getDpsInits(), getResultTypes());
}

LogicalResult ChunkScanOp::verifySegmentInit(int64_t sequences, int64_t heads,
                                             int64_t keys, int64_t values) {
  int64_t n = getPlan().getSegments();
  Value init = getSegmentInit();
  if ((n > 1) != static_cast<bool>(init))
    return emitOpError("segment_init is needed by, and only by, a plan of "
                       "more than one segment (plan: segments = ")
           << n << ")";
  if (!init)
    return success();
  if (isRouted() || getPartitionsAttr().getInt() != 1)
    return emitOpError("only a dense scan of one partition walks in "
                       "segments; routed partitions walk their token lists "
                       "whole");
  if (getZeroInit())
    return emitOpError("with segment_init the states destination is only "
                       "written: zero_init does not apply");
  return expectShape(*this, init, "segment_init",
                     {sequences, n, heads, keys, values}, 5, isF32, "f32",
                     "[S, segments, H, K, V]");
}

//===----------------------------------------------------------------------===//
// sse_gpu.segment_states
//===----------------------------------------------------------------------===//

LogicalResult SegmentStatesOp::verify() {
  auto isFloat = [](Type t) { return isa<FloatType>(t); };
  ShapedType k = shapeOf(getK());
  if (k.getRank() != 4 || !isFloat(k.getElementType()))
    return emitOpError("k must be [B, T, H, K] of floats, got ") << k;
  int64_t b = k.getDimSize(0), t = k.getDimSize(1), h = k.getDimSize(2),
          kw = k.getDimSize(3);
  Type element = k.getElementType();
  if (failed(expectShape(
          *this, getV(), "v", {b, t, h}, 4,
          [&](Type e) { return e == element; }, "k's element type",
          "[B, T, H, V]")))
    return failure();
  int64_t vw = shapeOf(getV()).getDimSize(3);
  if (failed(verifyGate(*this, getGate(), b, t, h, kw)))
    return failure();
  int64_t n = getPlan().getSegments();
  if (n < 2)
    return emitOpError("a plan of at least two segments is needed (plan: "
                       "segments = ")
           << n << ")";
  FailureOr<int64_t> sequences = sequencesOf(*this, getCuSeqlens(), b, k);
  if (failed(sequences))
    return failure();
  if (failed(expectShape(*this, getEndsInit(), "ends",
                         {*sequences, n - 1, h, kw, vw}, 5, isF32, "f32",
                         "[S, segments - 1, H, K, V]")) ||
      failed(expectShape(*this, getDecaysInit(), "decays",
                         {*sequences, n - 1, h, kw}, 4, isF32, "f32",
                         "[S, segments - 1, H, K]")))
    return failure();
  if (failed(
          verifyPlanFits(*this, getPlan(), /*routed=*/false, kw, vw, element)))
    return failure();
  return verifyDestinations(*this, getDpsInits(), getResultTypes());
}

void SegmentStatesOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addEffects(*this, 2, effects);
}

//===----------------------------------------------------------------------===//
// sse_gpu.combine_segments
//===----------------------------------------------------------------------===//

LogicalResult CombineSegmentsOp::verify() {
  ShapedType ends = shapeOf(getEnds());
  if (ends.getRank() != 5 || !ends.getElementType().isF32())
    return emitOpError("ends must be [S, segments - 1, H, K, V] of f32, got ")
           << ends;
  int64_t s = ends.getDimSize(0), pieces = ends.getDimSize(1),
          h = ends.getDimSize(2), kw = ends.getDimSize(3),
          vw = ends.getDimSize(4);
  if (failed(expectShape(*this, getDecays(), "decays", {s, pieces, h, kw}, 4,
                         isF32, "f32", "[S, segments - 1, H, K]")))
    return failure();
  int64_t n = ShapedType::isDynamic(pieces) ? pieces : pieces + 1;
  if (failed(expectShape(*this, getInitsInit(), "inits", {s, n, h, kw, vw}, 5,
                         isF32, "f32", "[S, segments, H, K, V]")))
    return failure();
  int64_t partition = getPartitionAttr().getInt();
  if (partition < 0)
    return emitOpError("partition must be >= 0, got ") << partition;
  if (Value initial = getInitial()) {
    if (failed(expectShape(*this, initial, "initial", {s, h}, 5, isF32, "f32",
                           "[S, H, P, K, V]")))
      return failure();
    ShapedType t = shapeOf(initial);
    if (!compatible(t.getDimSize(3), kw) || !compatible(t.getDimSize(4), vw))
      return emitOpError("initial must be [S, H, P, K, V] with the K, V of "
                         "ends, got ")
             << t;
    if (!t.isDynamicDim(2) && partition >= t.getDimSize(2))
      return emitOpError("partition ")
             << partition << " is not among the initial states' "
             << t.getDimSize(2);
  }
  return verifyDestinations(*this, getDpsInits(), getResultTypes());
}

void CombineSegmentsOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addEffects(*this, 1, effects);
}

void ChunkScanOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addEffects(*this, 2, effects);
}

//===----------------------------------------------------------------------===//
// sse_gpu.route
//===----------------------------------------------------------------------===//

LogicalResult RouteOp::verify() {
  ShapedType logits = shapeOf(getLogits());
  if ((logits.getRank() != 3 && logits.getRank() != 4) ||
      !isa<FloatType>(logits.getElementType()))
    return emitOpError("logits must be [B, T, N] or [B, T, H, N] of floats, "
                       "got ")
           << logits;
  int64_t rank = logits.getRank();
  int64_t n = logits.getDimSize(rank - 1);
  int64_t k = getTopKAttr().getInt();
  if (k < 1 || (!ShapedType::isDynamic(n) && k > n))
    return emitOpError("top_k must be in [1, N = ") << n << "], got " << k;
  SmallVector<int64_t> lead(logits.getShape().drop_back());
  lead.push_back(k);
  StringRef layout = rank == 3 ? "[B, T, top_k]" : "[B, T, H, top_k]";
  if (failed(expectShape(*this, getWeightsInit(), "weights", lead, rank, isF32,
                         "f32", layout)) ||
      failed(expectShape(*this, getIndicesInit(), "indices", lead, rank, isI32,
                         "i32", layout)))
    return failure();
  return verifyDestinations(*this, getDpsInits(), getResultTypes());
}

void RouteOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addEffects(*this, 2, effects);
}

//===----------------------------------------------------------------------===//
// sse_gpu.combine_outputs
//===----------------------------------------------------------------------===//

LogicalResult CombineOutputsOp::verify() {
  auto isFloat = [](Type t) { return isa<FloatType>(t); };
  ShapedType partials = shapeOf(getPartials());
  if (partials.getRank() != 5 || !partials.getElementType().isF32())
    return emitOpError("partials must be [B, T, H, k, V] of f32, got ")
           << partials;
  int64_t b = partials.getDimSize(0), t = partials.getDimSize(1),
          h = partials.getDimSize(2), v = partials.getDimSize(4);
  if (Value shared = getShared())
    if (failed(expectShape(*this, shared, "shared", {b, t, h, 1, v}, 5, isF32,
                           "f32", "[B, T, H, 1, V]")))
      return failure();
  if (Value w = getNormWeight()) {
    bool perHead = shapeOf(w).getRank() == 2;
    SmallVector<int64_t> lead =
        perHead ? SmallVector<int64_t>{h, v} : SmallVector<int64_t>{v};
    if (failed(expectShape(*this, w, "norm", lead, perHead ? 2 : 1, isFloat,
                           "floats", "[V] or [H, V]")))
      return failure();
    if (!getEps())
      return emitOpError("the norm needs its eps");
  } else if (getEps()) {
    return emitOpError("eps is an attribute of the norm, which is absent");
  }
  if (failed(expectShape(*this, getOutInit(), "o", {b, t, h, v}, 4, isFloat,
                         "floats", "[B, T, H, V]")))
    return failure();
  if (Value g = getOutGate())
    if (failed(expectShape(*this, g, "out_gate", {b, t, h, v}, 4, isFloat,
                           "floats", "[B, T, H, V]")))
      return failure();
  return verifyDestinations(*this, getDpsInits(), getResultTypes());
}

void CombineOutputsOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addEffects(*this, 1, effects);
}
