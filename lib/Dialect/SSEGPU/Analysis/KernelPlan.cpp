//===- KernelPlan.cpp - Plans of the chunk-scan kernel --------------------===//
//
// The decisions, in the order they constrain each other:
//
// 1. precision from the input type (bf16, f16; 3xTF32 for f32, which must
//    meet the f32 tolerance);
// 2. V slice: the widest of {128, 64, 32, 16} dividing V whose blocks
//    still fill ~0.7 of the SMs (FlashQLA's rule) and whose f32 state fits
//    in at most 128 registers per consumer thread; with the schedule's
//    `chunked` split, the widest, and segments per sequence fill the SMs;
// 3. warp roles: one producer warpgroup (loads only, 40 registers) and two
//    consumer warpgroups (one when the slice is narrow) with the rest of
//    the SM's registers;
// 4. chunk and stages: 64-token chunks with three, else two stages of
//    input tiles, narrowing the V slice before the chunk; then 32-token
//    chunks (K = 256); a single stage only where no ring fits at all;
// 5. the shared-memory layout of that choice, each buffer aligned to
//    1024 bytes (what 128-byte-swizzled wgmma/TMA tiles need).
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSEGPU/Analysis/KernelPlan.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
constexpr int64_t kSubBlock = 16;
constexpr int64_t kProducerRegisters = 40;
constexpr int64_t kMaxStateRegisters = 128;
constexpr int64_t kAlign = 1024;

/// Consumer warpgroups of a V slice: two for 64 columns and more.
int64_t consumersFor(int64_t vSlice) { return vSlice >= 64 ? 2 : 1; }

/// The buffers of one (chunk, stages) choice, laid out in order.
class SmemLayout {
public:
  explicit SmemLayout(Builder &b) : b(&b) {}
  void add(StringRef name, int64_t bytes) {
    entries.push_back(
        b->getNamedAttr(name, b->getDenseI64ArrayAttr({end, bytes})));
    end = llvm::alignTo(end + bytes, kAlign);
  }
  int64_t bytes() const { return end; }
  DictionaryAttr attr() { return b->getDictionaryAttr(entries); }

private:
  Builder *b;
  SmallVector<NamedAttribute> entries;
  int64_t end = 0;
};

/// Lays out the buffers of a chunk step: the ring of input tiles (per
/// stage), the operands the consumers prepare, and the mbarriers.
SmemLayout layoutFor(Builder &b, const sse::ScanShape &s, ScanPart part,
                     int64_t chunk, int64_t vSlice, int64_t stages) {
  int64_t eb = s.elementBytes, kw = s.keyWidth;
  SmemLayout layout(b);
  // Input tiles, one per stage.
  layout.add("q", stages * chunk * kw * eb);
  layout.add("k", stages * chunk * kw * eb);
  layout.add("v", stages * chunk * vSlice * eb);
  bool hasGate = s.perKeyGate || s.scalarGate;
  if (hasGate)
    layout.add("g", stages * chunk * (s.perKeyGate ? kw : 1) * eb);
  if (s.delta)
    layout.add("beta", stages * chunk * eb);
  if (part == ScanPart::Routed)
    layout.add("visits", stages * chunk * (4 + 4)); // token index, weight
  // Operands prepared by the consumers for the products.
  layout.add("qd", chunk * kw * eb);
  layout.add("kd", chunk * kw * eb);
  layout.add("state", kw * vSlice * eb);
  layout.add("scores", chunk * chunk * eb);
  if (hasGate)
    layout.add("decay", chunk * (s.perKeyGate ? kw : 1) * 4);
  if (s.delta)
    layout.add("wy", chunk * chunk * 4 + chunk * vSlice * eb);
  // A full and an empty mbarrier per stage.
  layout.add("barriers", 2 * stages * 8);
  return layout;
}

/// (sequence, head, partition, V slice) items before segmenting.
int64_t itemsFor(const sse::ScanShape &s, ScanPart part, int64_t vSlice) {
  int64_t partitions = part == ScanPart::Shared ? 1 : s.routedPartitions;
  return s.sequences * s.heads * partitions * (s.valueWidth / vSlice);
}

/// The V slices whose f32 state fits the consumers' registers, widest
/// first, starting at `widest`.
SmallVector<int64_t> vSlicesFrom(const sse::ScanShape &s, int64_t widest) {
  SmallVector<int64_t> slices;
  for (int64_t w : {128, 64, 32, 16})
    if (w <= widest && w <= s.valueWidth && s.valueWidth % w == 0 &&
        s.keyWidth * w / (128 * consumersFor(w)) <= kMaxStateRegisters)
      slices.push_back(w);
  return slices;
}

/// Step 2: the widest V slice that keeps ~0.7 of the SMs busy (with
/// segments, any width does: the pieces give the parallelism).
int64_t preferredVSlice(const sse::ScanShape &s, ScanPart part,
                        sse::WorkSplit split,
                        const sse::TargetDescription &target) {
  SmallVector<int64_t> slices = vSlicesFrom(s, 128);
  if (slices.empty())
    return 0;
  if (split == sse::WorkSplit::chunked)
    return slices.front();
  for (int64_t w : slices)
    if (10 * itemsFor(s, part, w) >= 7 * target.numSMs)
      return w;
  return slices.back();
}

/// Pieces per sequence: enough items for one wave of the machine.
int64_t segmentsFor(const sse::ScanShape &s, ScanPart part, int64_t vSlice,
                    int64_t chunk, sse::WorkSplit split,
                    const sse::TargetDescription &target) {
  if (split != sse::WorkSplit::chunked)
    return 1;
  int64_t items = itemsFor(s, part, vSlice);
  int64_t chunksPerSeq =
      std::max<int64_t>(1, s.batch * s.tokens / s.sequences / chunk);
  int64_t want = (target.numSMs + items - 1) / items;
  return std::clamp<int64_t>(want, 1, chunksPerSeq);
}

MatrixPrecision precisionFor(Type element) {
  if (element.isBF16())
    return MatrixPrecision::bf16;
  if (element.isF16())
    return MatrixPrecision::f16;
  return MatrixPrecision::tf32x3;
}
} // namespace

FailureOr<ChunkScanPlan> mlir::sse_gpu::planChunkScan(
    MLIRContext *ctx, const sse::ScanShape &s, Type element, ScanPart part,
    sse::WorkSplit split, sse::Grouping grouping,
    const sse::TargetDescription &target, std::string &why) {
  if (s.keyWidth % 16 != 0 || s.valueWidth % 16 != 0) {
    why = "K and V must be multiples of 16 for the tensor cores (the column "
          "kernel runs other widths)";
    return failure();
  }
  bool routed = part == ScanPart::Routed;
  if (routed && grouping != sse::Grouping::sorted) {
    why = "the chunk-scan kernel gathers routed tokens: it needs grouping = "
          "sorted";
    return failure();
  }
  int64_t widest = preferredVSlice(s, part, split, target);
  if (widest == 0) {
    why = "no V slice keeps the f32 state within 128 registers per thread";
    return failure();
  }
  // Step 4: 64-token chunks first, then the widest slice and deepest ring
  // that fit.
  Builder b(ctx);
  std::optional<SmemLayout> layout;
  int64_t chunk = 0, vSlice = 0, stages = 0;
  // A single stage overlaps nothing: it is the last resort, after 32-token
  // chunks with a ring.
  for (auto [c, minStages] :
       {std::pair<int64_t, int64_t>{64, 2}, {32, 2}, {32, 1}}) {
    for (int64_t w : vSlicesFrom(s, widest)) {
      for (int64_t st = 3; st >= minStages; --st) {
        SmemLayout candidate = layoutFor(b, s, part, c, w, st);
        if (candidate.bytes() > target.sharedBytesPerBlock)
          continue;
        layout = candidate;
        chunk = c, vSlice = w, stages = st;
        break;
      }
      if (layout)
        break;
    }
    if (layout)
      break;
  }
  if (!layout) {
    why = "even 32-token chunks with one stage need more than " +
          std::to_string(target.sharedBytesPerBlock) +
          " bytes of shared memory";
    return failure();
  }
  int64_t consumers = consumersFor(vSlice);
  int64_t registerBudget = target.registersPerSM / 128 - kProducerRegisters;
  int64_t consumerRegisters =
      std::min<int64_t>(256, registerBudget / consumers / 8 * 8);
  int64_t segments = segmentsFor(s, part, vSlice, chunk, split, target);
  // A dense scan writes o itself unless an epilogue (norm, gate) follows.
  CombineMode combine = part == ScanPart::Dense && !s.epilogue
                            ? CombineMode::direct
                            : CombineMode::partials;
  ChunkScanPlan result;
  result.plan = PlanAttr::get(
      ctx, chunk, kSubBlock, s.keyWidth, vSlice, segments,
      /*producerWarpgroups=*/1, consumers, kProducerRegisters,
      consumerRegisters, stages, routed ? LoadKind::cp_async : LoadKind::tma,
      /*cluster=*/1, combine, precisionFor(element), layout->attr(),
      layout->bytes());
  result.blocks = itemsFor(s, part, vSlice) * segments;
  return result;
}

FailureOr<sse::TargetDescription> mlir::sse_gpu::planTarget(Operation *op,
                                                            StringRef pass,
                                                            int64_t sms,
                                                            int64_t smemKB) {
  if (sms < 1 || sms > 4096 || smemKB < 1 || smemKB > 1024)
    return op->emitError(pass)
           << ": target-sms must be in [1, 4096] and target-smem-kb in [1, "
              "1024]";
  sse::TargetDescription target;
  target.numSMs = sms;
  target.sharedBytesPerBlock = smemKB * 1024;
  return target;
}
