//===- CostModel.cpp - How long a tiled sse.scan takes on a GPU -----------===//
//
// The model follows the kernels the GPU lowering emits:
//
// * a work item (one thread block) owns one (sequence, head, state partition,
//   V tile) and keeps its K x v_tile f32 state on chip;
// * `recurrent`: the item walks its tokens chunk by chunk, so its chunk
//   steps form a sequential chain;
// * `chunked`: every sequence is cut into segments that run in parallel
//   (segment-local states, a short scan over segment boundaries, then an
//   output pass that re-reads q, k, v and gates): more bytes, shorter chain;
// * `dense`: a routed partition visits every token and masks the ones that
//   did not pick it; `sorted`: tokens are grouped by partition first
//   (counts, prefix sums, a permutation), so each partition visits only its
//   own, at the price of that grouping pass.
//
// Time = max(bytes / bandwidth, flops / matrix rate) spread over the work
// items that fit the machine, but never less than the chain of one item.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSE/Transforms/CostModel.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::sse;

std::optional<ScanShape> ScanShape::of(ScanOp scan) {
  auto qType = cast<RankedTensorType>(scan.getQ().getType());
  auto vType = cast<RankedTensorType>(scan.getV().getType());
  auto sType = cast<RankedTensorType>(scan.getFinalStates().getType());
  if (!qType.hasStaticShape() || !vType.hasStaticShape() ||
      !sType.hasStaticShape())
    return std::nullopt;
  ScanShape s;
  s.batch = qType.getDimSize(0);
  s.tokens = qType.getDimSize(1);
  s.heads = qType.getDimSize(2);
  s.keyWidth = qType.getDimSize(3);
  s.valueWidth = vType.getDimSize(3);
  s.sequences = sType.getDimSize(0);
  s.routed = scan.isRouted();
  s.routedPartitions = scan.getPartitions();
  s.slots = scan.getNumSlots();
  s.shared = scan.hasShared();
  s.delta = scan.getRule() == UpdateRule::delta;
  s.perKeyGate = scan.hasPerKeyGate();
  s.scalarGate = scan.getGate() && !s.perKeyGate;
  s.carriesState = scan.getInit() != nullptr;
  s.epilogue = scan.getNormWeight() || scan.getOutGate();
  s.elementBytes = qType.getElementTypeBitWidth() / 8;
  return s;
}

namespace {
/// Fraction of the tensor-core rate a C x C chunk product reaches: small
/// tiles leave the pipes idle between loads.
double matrixEfficiency(int64_t chunk) { return chunk / (chunk + 32.0); }

/// Tensor-core FLOPs of one partition over `tokens` visited tokens.
double partitionFlops(const ScanShape &s, const Schedule &sch, double tokens) {
  double c = sch.chunk, k = s.keyWidth, v = sch.vTile;
  double chunks = std::ceil(tokens / c);
  // q k^T, (q k^T) v, q S, k^T v on C x C and C x K x V tiles.
  double perChunk = 2 * (c * c * k + c * c * v + 2 * c * k * v);
  if (s.delta)
    perChunk *= 1.5; // the WY/UT transform of the delta rule
  return chunks * perChunk;
}
} // namespace

CostEstimate mlir::sse::estimateSchedule(const ScanShape &s,
                                         const Schedule &sch,
                                         const TargetDescription &target) {
  double eb = s.elementBytes;
  double tokensPerSeq = double(s.batch * s.tokens) / double(s.sequences);
  int64_t vTiles = s.valueWidth / sch.vTile;
  int64_t kTiles = s.keyWidth / sch.kTile;
  int64_t routedParts = s.routed ? s.routedPartitions : 0;
  int64_t sharedParts = s.shared || !s.routed ? 1 : 0;
  int64_t stateParts = sharedParts + routedParts;

  // A work item keeps all state partitions of its (sequence, head, V tile)
  // on chip when they fit next to the double-buffered chunk tiles; then
  // every token is read once and o is written once. Otherwise there is one
  // item per partition, and partial outputs are summed in f32.
  double stateTile = sch.kTile * sch.vTile * 4.0;
  double chunkTiles =
      2.0 * sch.chunk *
      ((sharedParts + (routedParts ? 1 : 0)) * 2 * s.keyWidth + sch.vTile) * eb;
  bool fusedItem =
      stateParts * stateTile + chunkTiles <= double(target.sharedBytesPerBlock);
  int64_t partsPerItem = fusedItem ? stateParts : 1;

  // Tokens a routed partition visits: all of them (dense masks) or, once
  // grouped, its share of the picks.
  double routedTokens = tokensPerSeq;
  if (routedParts && sch.grouping == Grouping::sorted)
    routedTokens = tokensPerSeq * double(s.slots) / double(routedParts);

  int64_t items =
      s.sequences * s.heads * vTiles * kTiles * (stateParts / partsPerItem);
  int64_t segments = 1;
  if (sch.split == WorkSplit::chunked) {
    // Enough segments per sequence to fill two waves of the machine.
    int64_t want = (2 * target.numSMs + items - 1) / items;
    int64_t maxSegments = std::max<int64_t>(1, tokensPerSeq / sch.chunk);
    segments = std::clamp<int64_t>(want, 2, std::max<int64_t>(2, maxSegments));
  }

  // Bytes per (sequence, head, V tile) over one pass of its tokens.
  double qkBytes = 2 * s.keyWidth * eb;
  double gateBytes =
      (s.perKeyGate ? s.keyWidth * eb : (s.scalarGate ? eb : 0)) +
      (s.delta ? eb : 0);
  double sharedTokenBytes = sharedParts * (qkBytes + gateBytes);
  double routedTokenBytes =
      routedParts ? qkBytes + gateBytes + routedParts * eb : 0;
  double vBytes = sch.vTile * eb;
  double streamed;
  if (fusedItem) {
    double visited = routedParts && sch.grouping == Grouping::dense
                         ? routedParts * tokensPerSeq
                         : tokensPerSeq;
    streamed = tokensPerSeq * (sharedTokenBytes + vBytes + sch.vTile * eb) +
               visited * routedTokenBytes;
  } else {
    streamed = tokensPerSeq * (sharedTokenBytes + sharedParts * vBytes) +
               routedParts * routedTokens * (routedTokenBytes + vBytes) +
               (stateParts > 1 ? tokensPerSeq * sch.vTile * (4.0 * 2 + eb)
                               : tokensPerSeq * sch.vTile * eb);
  }
  double states = stateParts * stateTile * kTiles * (s.carriesState ? 2 : 1);

  CostEstimate e;
  double perSeqHeadTile = streamed + states;
  e.bytes = s.sequences * s.heads * vTiles * perSeqHeadTile;
  if (routedParts && sch.grouping == Grouping::sorted)
    // Grouping pass: read logits; write counts, offsets, permutation and
    // weights.
    e.bytes +=
        double(s.batch) * s.tokens * (s.routedPartitions * eb + 12.0 * s.slots);

  double flopsPerSeqHead = sharedParts * partitionFlops(s, sch, tokensPerSeq) +
                           routedParts * partitionFlops(s, sch, routedTokens);
  e.flops = s.sequences * s.heads * vTiles * flopsPerSeqHead;

  if (sch.split == WorkSplit::chunked) {
    // Pass 1 reads k, v and gates; the output pass reads everything again;
    // segment boundary states are written and read.
    e.bytes += s.sequences * s.heads * vTiles *
               (tokensPerSeq * (sharedParts + (routedParts ? 1 : 0)) *
                    (s.keyWidth * eb + gateBytes) +
                tokensPerSeq * vBytes +
                2.0 * segments * stateParts * stateTile * kTiles);
    e.flops *= 1.5;
  }
  e.workItems = items * segments;

  // The chain of one item: its chunk steps, each a few chunk products on
  // one SM plus a fixed step cost.
  double chainTokens = std::max(tokensPerSeq, routedTokens) / segments;
  double stepFlops = partsPerItem * partitionFlops(s, sch, sch.chunk);
  double step = stepFlops / (target.flopsPerSecond / target.numSMs) /
                    matrixEfficiency(sch.chunk) +
                target.chunkStepSeconds;
  e.chainSeconds = std::ceil(chainTokens / sch.chunk) * step;

  double smemPerItem = partsPerItem * stateTile + chunkTiles;
  int64_t perSM = std::clamp<int64_t>(
      int64_t(target.sharedBytesPerBlock / std::max(1.0, smemPerItem)), 1, 4);
  double utilisation =
      std::min(1.0, double(e.workItems) / double(target.numSMs * perSM));
  double throughput =
      std::max(e.bytes / target.bytesPerSecond,
               e.flops / (target.flopsPerSecond * matrixEfficiency(sch.chunk)));
  e.seconds = std::max(throughput / utilisation, e.chainSeconds);
  return e;
}

std::optional<std::pair<Schedule, CostEstimate>>
mlir::sse::chooseSchedule(const ScanShape &s, const TargetDescription &target,
                          const ScheduleConstraints &c) {
  std::optional<std::pair<Schedule, CostEstimate>> best;
  // Degenerate shapes (the verifier rejects static zeros; dynamic shapes
  // resolved later may still be empty): no schedule, never a division by 0.
  if (s.batch < 1 || s.tokens < 1 || s.heads < 1 || s.keyWidth < 1 ||
      s.valueWidth < 1 || s.sequences < 1 || s.routedPartitions < 1 ||
      s.slots < 1 || s.elementBytes < 1)
    return std::nullopt;
  int64_t tokensPerSeq = std::max<int64_t>(1, s.batch * s.tokens / s.sequences);
  int64_t maxChunk =
      std::max<int64_t>(16, llvm::PowerOf2Ceil(uint64_t(tokensPerSeq)));
  SmallVector<int64_t> chunks, vTiles;
  for (int64_t chunk : {16, 32, 64, 128})
    if (c.chunk ? *c.chunk == chunk : chunk <= maxChunk)
      chunks.push_back(chunk);
  if (c.chunk && chunks.empty())
    chunks.push_back(*c.chunk); // any valid power of two the user forces
  for (int64_t tile : {32, 64, 128, 256})
    if (c.vTile ? *c.vTile == tile : tile <= s.valueWidth)
      vTiles.push_back(tile);
  if (c.vTile && vTiles.empty())
    vTiles.push_back(*c.vTile);
  if (vTiles.empty())
    vTiles.push_back(s.valueWidth); // narrow V: one tile
  int64_t kTile = c.kTile.value_or(s.keyWidth);
  if (kTile < 1 || s.keyWidth % kTile != 0)
    return std::nullopt;

  for (int64_t chunk : chunks)
    for (int64_t vTile : vTiles) {
      if (vTile < 1 || s.valueWidth % vTile != 0)
        continue;
      for (WorkSplit split : {WorkSplit::recurrent, WorkSplit::chunked}) {
        if (c.split && *c.split != split)
          continue;
        for (Grouping grouping : {Grouping::dense, Grouping::sorted}) {
          if (c.grouping ? *c.grouping != grouping
                         : (!s.routed && grouping == Grouping::sorted))
            continue;
          Schedule sch{chunk, kTile, vTile, split, grouping};
          CostEstimate e = estimateSchedule(s, sch, target);
          if (!best || e.seconds < best->second.seconds)
            best = std::make_pair(sch, e);
        }
      }
    }
  return best;
}
