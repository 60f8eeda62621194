//===- SSEGPUDialect.cpp - sse_gpu registration and #sse_gpu.plan ---------===//
//
// Registers the sse_gpu dialect and checks a plan on its own (what any
// kernel needs of it); the ops check it against their operands.
//
//===----------------------------------------------------------------------===//

#include "sse/Dialect/SSEGPU/IR/SSEGPU.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sse_gpu;

#include "sse/Dialect/SSEGPU/IR/SSEGPUDialect.cpp.inc"
#include "sse/Dialect/SSEGPU/IR/SSEGPUEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sse/Dialect/SSEGPU/IR/SSEGPUAttrs.cpp.inc"

void SSEGPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sse/Dialect/SSEGPU/IR/SSEGPUAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "sse/Dialect/SSEGPU/IR/SSEGPUOps.cpp.inc"
      >();
}

namespace {
/// The dynamic shared memory one block may use on sm_90.
constexpr int64_t kMaxSharedBytesPerBlock = 227 * 1024;

/// Registers per thread that setmaxnreg accepts: a multiple of 8 in
/// [24, 256].
bool isRegisterCount(int64_t n) { return n >= 24 && n <= 256 && n % 8 == 0; }

/// Checks the shared-memory layout: every buffer an `array<i64: offset,
/// bytes>` aligned to 128 bytes, inside `smemBytes`, none overlapping.
LogicalResult verifyLayout(function_ref<InFlightDiagnostic()> emitError,
                           DictionaryAttr smem, int64_t smemBytes) {
  SmallVector<std::tuple<int64_t, int64_t, StringRef>> spans;
  for (NamedAttribute entry : smem) {
    auto span = dyn_cast<DenseI64ArrayAttr>(entry.getValue());
    if (!span || span.size() != 2)
      return emitError() << "smem buffer '" << entry.getName().getValue()
                         << "' must be array<i64: offset, bytes>, got "
                         << entry.getValue();
    int64_t offset = span[0], bytes = span[1];
    if (offset < 0 || bytes <= 0 || offset % 128 != 0 ||
        offset > smemBytes - bytes)
      return emitError() << "smem buffer '" << entry.getName().getValue()
                         << "' at offset " << offset << " of " << bytes
                         << " bytes must be 128-byte aligned and lie in [0, "
                            "smem_bytes = "
                         << smemBytes << ")";
    spans.push_back({offset, bytes, entry.getName().getValue()});
  }
  llvm::sort(spans);
  for (size_t i = 1; i < spans.size(); ++i)
    if (std::get<0>(spans[i - 1]) + std::get<1>(spans[i - 1]) >
        std::get<0>(spans[i]))
      return emitError() << "smem buffers '" << std::get<2>(spans[i - 1])
                         << "' and '" << std::get<2>(spans[i]) << "' overlap";
  return success();
}
} // namespace

LogicalResult PlanAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, int64_t chunk,
    int64_t subBlock, int64_t kWidth, int64_t vSlice, int64_t segments,
    int64_t producerWarpgroups, int64_t consumerWarpgroups,
    int64_t producerRegisters, int64_t consumerRegisters, int64_t stages,
    LoadKind load, int64_t cluster, CombineMode combine,
    MatrixPrecision precision, DictionaryAttr smem, int64_t smemBytes) {
  if (!llvm::is_contained({16, 32, 64, 128}, chunk))
    return emitError() << "chunk must be 16, 32, 64 or 128, got " << chunk;
  if (!llvm::is_contained({8, 16, 32}, subBlock) || chunk % subBlock != 0)
    return emitError() << "sub_block must be 8, 16 or 32 and divide chunk = "
                       << chunk << ", got " << subBlock;
  if (kWidth < 16 || kWidth % 16 != 0 || vSlice < 16 || vSlice % 16 != 0)
    return emitError() << "k_width and v_slice must be positive multiples of "
                          "16, got "
                       << kWidth << " and " << vSlice;
  if (segments < 1)
    return emitError() << "segments must be >= 1, got " << segments;
  if (producerWarpgroups < 0 || producerWarpgroups > 1 ||
      consumerWarpgroups < 1 || consumerWarpgroups > 3)
    return emitError() << "a kernel has 0 or 1 producer and 1 to 3 consumer "
                          "warpgroups, got "
                       << producerWarpgroups << " and " << consumerWarpgroups;
  if (vSlice % (8 * consumerWarpgroups) != 0)
    return emitError() << "v_slice = " << vSlice << " must split into "
                       << consumerWarpgroups
                       << " consumer slices of a multiple of 8 columns";
  bool split = producerRegisters != 0 || consumerRegisters != 0;
  if (split && (!isRegisterCount(producerRegisters) ||
                !isRegisterCount(consumerRegisters) || producerWarpgroups != 1))
    return emitError() << "producer_registers and consumer_registers are both "
                          "0 (no setmaxnreg) or, with a producer warpgroup, "
                          "multiples of 8 in [24, 256]; got "
                       << producerRegisters << " and " << consumerRegisters;
  int64_t registers = 128 * (producerWarpgroups * producerRegisters +
                             consumerWarpgroups * consumerRegisters);
  if (registers > 65536)
    return emitError() << "the warpgroups ask for " << registers
                       << " registers, more than an SM's 65536";
  if (stages < 1 || stages > 4)
    return emitError() << "stages must be in [1, 4], got " << stages;
  if (!llvm::is_contained({1, 2, 4, 8}, cluster))
    return emitError() << "cluster must be 1, 2, 4 or 8 blocks, got "
                       << cluster;
  if (smemBytes < 0 || smemBytes > kMaxSharedBytesPerBlock)
    return emitError() << "smem_bytes must be in [0, "
                       << kMaxSharedBytesPerBlock
                       << "] (227 KiB per "
                          "block on sm_90), got "
                       << smemBytes;
  (void)load;
  (void)combine;
  (void)precision;
  return verifyLayout(emitError, smem, smemBytes);
}
