//===- KernelPlan.cpp - Plans of the chunk-scan kernel --------------------===//
//
// The decisions, in the order they constrain each other:
//
// 1. precision from the input type (bf16, f16; 3xTF32 for f32, which must
//    meet the f32 tolerance);
// 2. V slice: the wider of {128, 64} dividing V whose blocks
//    still fill ~0.7 of the SMs (FlashQLA's rule) and whose f32 state fits
//    in at most 128 registers per thread of the one warpgroup holding it,
//    preferring slices whose state fits in 64; with the schedule's
//    `chunked` split, the widest;
// 3. warp roles, those of the kernel built today: two warpgroups that
//    both load (16-byte cp.async) and prepare operands, warpgroup 0 then
//    forming the outputs and warpgroup 1 updating the state; no producer
//    warpgroup and no setmaxnreg split yet;
// 4. chunk and stages: 64-token chunks, narrowing the V slice before the
//    chunk, then 32-token chunks (K = 256); two stages of input tiles
//    where they fit (the next chunk's loads start before this chunk's
//    operand preparation), else one (refilled while the products run);
// 5. the shared-memory layout of that choice (chunkScanBuffers), each
//    buffer aligned to 1024 bytes (what 128-byte-swizzled tiles need);
// 6. a stage for the outputs (`ostage`, outputStageBytes) where it still
//    fits;
// 7. segments: a dense walk whose blocks leave SMs idle (few long
//    sequences: core-32k has 32 shared blocks for 132 SMs) is cut into as
//    many pieces as fill the SMs with one block each (at least
//    kMinSegmentChunks chunks a piece); the pieces cost a state pass and a
//    combine besides the walk itself (sse_gpu.segment_states,
//    combine_segments). Routed walks stay whole: their lists already give
//    N times the blocks.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSEGPU/Analysis/KernelPlan.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
constexpr int64_t kSubBlock = 16;
constexpr int64_t kMaxStateRegisters = 128;
/// The kernel's two warpgroups share one register budget (255 per thread,
/// no setmaxnreg split yet): beside the operand preparation it holds a
/// state of 64 f32 registers per thread without spilling. Measured with
/// ptxas for sm_90a: K = 128 with a 128-column slice (128 registers)
/// spills 444 bytes, with a 64-column slice none.
constexpr int64_t kPreferredStateRegisters = 64;
constexpr int64_t kAlign = 1024;

/// The shortest piece of a segmented walk, in chunks: below it the state
/// pass and the combine cost more than the parallelism gives back.
constexpr int64_t kMinSegmentChunks = 8;

/// Warpgroups of the kernel: one forms outputs, one updates the state.
constexpr int64_t kWarpgroups = 2;
/// Stages of the input ring the kernel is built for, deepest first.
constexpr int64_t kMaxStages = 2;

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
/// stage), the operands the consumers prepare, and the kernel's scratch
/// (chunkScanBuffers, the list the emitter checks against).
SmemLayout layoutFor(Builder &b, const sse::ScanShape &s, ScanPart part,
                     int64_t chunk, int64_t vSlice, int64_t stages) {
  SmemLayout layout(b);
  for (const SmemBuffer &buffer :
       chunkScanBuffers(s.keyWidth, vSlice, chunk, stages, s.elementBytes,
                        s.perKeyGate, s.scalarGate))
    layout.add(buffer.name, buffer.bytes);
  if (s.delta)
    layout.add("beta", stages * chunk * s.elementBytes);
  if (part == ScanPart::Routed) {
    layout.add("visits", stages * chunk * 4); // each visit's weight (f32)
    // With a ring, the list entries of a chunk arrive one chunk before its
    // rows do (routedEntryBytes).
    if (stages > 1)
      layout.add("entries", routedEntryBytes(chunk, stages));
  }
  if (s.delta)
    layout.add("wy", chunk * chunk * 4 + chunk * vSlice * s.elementBytes);
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
  // The widths the kernel's wgmma tiles are built for.
  for (int64_t w : {128, 64})
    if (w <= widest && w <= s.valueWidth && s.valueWidth % w == 0 &&
        s.keyWidth * w / 128 <= kMaxStateRegisters)
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
  // Slices that spill only when nothing narrower exists.
  while (slices.size() > 1 &&
         s.keyWidth * slices.front() / 128 > kPreferredStateRegisters)
    slices.erase(slices.begin());
  if (split == sse::WorkSplit::chunked)
    return slices.front();
  for (int64_t w : slices)
    if (10 * itemsFor(s, part, w) >= 7 * target.numSMs)
      return w;
  return slices.back();
}

/// Step 7: pieces per sequence of a dense walk (1: whole walks).
int64_t segmentsFor(const sse::ScanShape &s, ScanPart part, int64_t vSlice,
                    int64_t chunk, const sse::TargetDescription &target) {
  if (part == ScanPart::Routed || s.delta || s.sequences < 1)
    return 1;
  int64_t items = itemsFor(s, part, vSlice);
  // Tokens per sequence: T, or the packed tokens over the sequences.
  int64_t perSequence = llvm::divideCeil(s.batch * s.tokens, s.sequences);
  int64_t chunks = llvm::divideCeil(perSequence, chunk);
  return std::max<int64_t>(
      1, std::min(target.numSMs / items, chunks / kMinSegmentChunks));
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
    why = "no V slice of 64 or 128 columns divides V with the f32 state "
          "within 128 registers per thread";
    return failure();
  }
  // Step 4: 64-token chunks first, then the widest slice that fits.
  Builder b(ctx);
  std::optional<SmemLayout> layout;
  int64_t chunk = 0, vSlice = 0, stages = 0;
  for (int64_t c : {64, 32}) {
    for (int64_t w : vSlicesFrom(s, widest)) {
      for (int64_t n = kMaxStages; n >= 1 && !layout; --n) {
        SmemLayout candidate = layoutFor(b, s, part, c, w, n);
        if (candidate.bytes() > target.sharedBytesPerBlock)
          continue;
        layout = candidate;
        chunk = c, vSlice = w, stages = n;
      }
      if (layout)
        break;
    }
    if (layout)
      break;
  }
  if (!layout) {
    why = "even 32-token chunks need more than " +
          std::to_string(target.sharedBytesPerBlock) +
          " bytes of shared memory";
    return failure();
  }
  int64_t segments = segmentsFor(s, part, vSlice, chunk, target);
  // A dense scan writes o itself unless an epilogue (norm, gate) follows;
  // so does a shared partition, adding the routed partials (it runs after
  // them). Routed partitions write one partial per visit.
  CombineMode combine = part != ScanPart::Routed && !s.epilogue
                            ? CombineMode::direct
                            : CombineMode::partials;
  // Step 6: the outputs through shared memory, where the stage fits
  // beside the rest: the output warpgroup then writes 16-byte pieces of
  // whole rows instead of one pair of columns per store.
  SmemLayout staged = *layout;
  staged.add("ostage", outputStageBytes(chunk));
  if (staged.bytes() <= target.sharedBytesPerBlock)
    layout = staged;
  ChunkScanPlan result;
  result.plan = PlanAttr::get(
      ctx, chunk, kSubBlock, s.keyWidth, vSlice, segments,
      /*producerWarpgroups=*/0, kWarpgroups, /*producerRegisters=*/0,
      /*consumerRegisters=*/0, stages, LoadKind::cp_async,
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

int64_t mlir::sse_gpu::routedEntryBytes(int64_t chunk, int64_t stages) {
  return (stages + 1) * chunk * 4;
}

int64_t mlir::sse_gpu::outputStageBytes(int64_t chunk) {
  return chunk * (kOutputStageRowBytes + kOutputStagePad);
}

int64_t mlir::sse_gpu::coreMatrixTileBytes(int64_t rows, int64_t depth,
                                           int64_t elementBytes,
                                           int64_t padLeading,
                                           int64_t padStride) {
  int64_t coresAlongK = depth * elementBytes / 16;
  int64_t leading = 128 + padLeading;
  int64_t stride = coresAlongK * leading + padStride;
  return (rows / 8 - 1) * stride + (coresAlongK - 1) * leading + 128;
}

SmallVector<SmemBuffer>
mlir::sse_gpu::chunkScanBuffers(int64_t keys, int64_t vSlice, int64_t chunk,
                                int64_t stages, int64_t elementBytes,
                                bool perKeyGate, bool scalarGate) {
  int64_t eb = elementBytes;
  bool gated = perKeyGate || scalarGate;
  SmallVector<SmemBuffer> buffers = {// Input tiles as loaded, per stage.
                                     {"q", stages * chunk * keys * eb},
                                     {"k", stages * chunk * keys * eb},
                                     {"v", stages * chunk * vSlice * eb}};
  if (gated)
    buffers.push_back({"g", stages * chunk * (perKeyGate ? keys : 1) * eb});
  // The wgmma operands, in core-matrix layouts: Qd, Ks by token (the row
  // groups padded), Kd^T by key (the token groups padded).
  int64_t byToken = coreMatrixTileBytes(
      chunk, keys, eb, kTokenRowsPadding.leading, kTokenRowsPadding.stride);
  for (StringRef name : {"qd", "ks"})
    buffers.push_back({name, byToken});
  buffers.push_back(
      {"kd", coreMatrixTileBytes(keys, chunk, eb, kKeyRowsPadding.leading,
                                 kKeyRowsPadding.stride)});
  buffers.push_back({"vt", vSlice * chunk * eb});
  buffers.push_back({"state", keys * vSlice * eb});
  buffers.push_back({"scores", chunk * chunk * eb});
  if (gated) {
    // Elementwise scores of strong-gate chunks; the state's decay per key.
    buffers.push_back({"slow", chunk * chunk * 4});
    buffers.push_back({"decay", keys * 4});
  }
  return buffers;
}

std::optional<std::string>
mlir::sse_gpu::checkImplementedPlan(PlanAttr plan, int64_t keys, int64_t values,
                                    int64_t elementBytes, bool perKeyGate,
                                    bool scalarGate) {
  if (plan.getChunk() != 64 || (keys != 64 && keys != 128))
    return std::string("the kernel is built for 64-token chunks and K of "
                       "64 or 128");
  if ((plan.getVSlice() != 64 && plan.getVSlice() != 128) ||
      values % plan.getVSlice() != 0)
    return std::string("the kernel is built for V slices of 64 or 128 "
                       "columns that divide V");
  if (plan.getProducerWarpgroups() != 0 ||
      plan.getConsumerWarpgroups() != kWarpgroups ||
      plan.getConsumerRegisters() != 0 || plan.getStages() < 1 ||
      plan.getStages() > kMaxStages || plan.getLoad() != LoadKind::cp_async ||
      plan.getCluster() != 1 || plan.getCombine() == CombineMode::on_chip)
    return std::string("the kernel is built for two warpgroups without "
                       "setmaxnreg, one or two cp.async stages, no cluster "
                       "and direct or partial outputs");
  if (auto stage = plan.getBuffer("ostage")) {
    int64_t want = outputStageBytes(plan.getChunk());
    if (stage->second < want)
      return "the plan's 'ostage' holds " + std::to_string(stage->second) +
             " bytes, not the " + std::to_string(want) +
             " of a chunk's 128-byte row pieces";
  }
  if (plan.getPrecision() != MatrixPrecision::bf16 &&
      plan.getPrecision() != MatrixPrecision::f16)
    return std::string("the kernel is built for bf16 and f16 operands");
  for (const SmemBuffer &buffer : chunkScanBuffers(
           keys, plan.getVSlice(), plan.getChunk(), plan.getStages(),
           elementBytes, perKeyGate, scalarGate)) {
    auto range = plan.getBuffer(buffer.name);
    if (!range || range->second < buffer.bytes)
      return ("the plan's shared memory has no buffer '" + buffer.name +
              "' of " + std::to_string(buffer.bytes) + " bytes")
          .str();
  }
  return std::nullopt;
}
