//===- SSEGPUAttrs.td - #sse_gpu.plan and its enums ----------*- tablegen -*-===//
//
// The plan of a kernel: every decision the lowering to gpu/nvvm follows.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_GPU_ATTRS_TD
#define SSE_GPU_ATTRS_TD

include "sse/Dialect/SSEGPU/IR/SSEGPUDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SSEGPU_LoadKind : I32EnumAttr<"LoadKind",
    "how a kernel's input tiles reach shared memory", [
      I32EnumAttrCase<"tma", 0>,
      I32EnumAttrCase<"cp_async", 1>,
    ]> {
  let cppNamespace = "::mlir::sse_gpu";
  let genSpecializedAttr = 0;
}
def SSEGPU_LoadKindAttr : EnumAttr<SSEGPU_Dialect, SSEGPU_LoadKind, "load">;

def SSEGPU_CombineMode : I32EnumAttr<"CombineMode",
    "how the outputs of the partitions a token visits are combined", [
      I32EnumAttrCase<"direct", 0>,
      I32EnumAttrCase<"on_chip", 1>,
      I32EnumAttrCase<"partials", 2>,
    ]> {
  let cppNamespace = "::mlir::sse_gpu";
  let genSpecializedAttr = 0;
}
def SSEGPU_CombineModeAttr
    : EnumAttr<SSEGPU_Dialect, SSEGPU_CombineMode, "combine">;

def SSEGPU_MatrixPrecision : I32EnumAttr<"MatrixPrecision",
    "the operand type of the tensor-core products", [
      I32EnumAttrCase<"bf16", 0>,
      I32EnumAttrCase<"f16", 1>,
      I32EnumAttrCase<"tf32", 2>,
      I32EnumAttrCase<"tf32x3", 3>,
    ]> {
  let cppNamespace = "::mlir::sse_gpu";
  let genSpecializedAttr = 0;
}
def SSEGPU_MatrixPrecisionAttr
    : EnumAttr<SSEGPU_Dialect, SSEGPU_MatrixPrecision, "precision">;

def SSEGPU_PlanAttr : AttrDef<SSEGPU_Dialect, "Plan"> {
  let mnemonic = "plan";
  let summary = "every decision of how one kernel is built";
  let description = [{
    Made by the kernel-plan analysis (or written in a test) and followed
    by `convert-sse-gpu-to-gpu` without deciding anything again.

    * `chunk`: tokens per chunk step (64; 32 where shared memory forces
      it), and `sub_block`: tokens per block of the intra-chunk scores
      whose decay factors are formed from a reference point inside the
      block, so every factor is <= 1 (docs/Semantics.md);
    * `k_width`: rows of the state a block holds (all of K), `v_slice`:
      its columns (divides V), `segments`: pieces each sequence is cut
      into (1: one block walks the whole sequence; n > 1, dense scans
      only, for shapes with few sequences and heads: pieces of
      ceil(chunks / n) chunks, whose own end states `segment_states`
      forms from zero, `combine_segments` joins into each piece's
      initial state, and the chunk scan walks from it); one block per
      (sequence, segment, head, partition, V slice);
    * `producer_warpgroups` (0 or 1): a warpgroup that only issues loads,
      `consumer_warpgroups` (1 to 3): the warpgroups that multiply and
      keep the state, each holding `v_slice / consumer_warpgroups`
      columns; `producer_registers` and `consumer_registers`: the
      per-thread registers each role asks for with `setmaxnreg` (multiples
      of 8 in [24, 256]; 0 when the roles are not split);
    * `stages`: depth of the ring of input tiles, each stage guarded by
      one mbarrier;
    * `load`: `tma` (tiles of dense rows) or `cp_async` (16-byte copies of
      gathered rows: tokens grouped by partition);
    * `cluster`: blocks per cluster (along V slices);
    * `combine`: `direct` (one partition per token: the block writes o),
      `on_chip` (the partitions of a token meet in one block or cluster),
      `partials` (one partial output per visit, summed by the output
      combine kernel with the norm/gate epilogue);
    * `precision`: operand type of the products;
    * `smem`: the shared-memory layout, buffer name -> `array<i64: offset,
      bytes>`, and `smem_bytes`: the dynamic shared memory of a block.

    ```text
    #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 128,
      segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2,
      producer_registers = 40, consumer_registers = 232, stages = 2,
      load = tma, cluster = 1, combine = partials, precision = bf16,
      smem = {...}, smem_bytes = 205840>
    ```
  }];
  let parameters = (ins "int64_t":$chunk, "int64_t":$sub_block,
                        "int64_t":$k_width, "int64_t":$v_slice,
                        "int64_t":$segments,
                        "int64_t":$producer_warpgroups,
                        "int64_t":$consumer_warpgroups,
                        "int64_t":$producer_registers,
                        "int64_t":$consumer_registers,
                        "int64_t":$stages,
                        "LoadKind":$load,
                        "int64_t":$cluster,
                        "CombineMode":$combine,
                        "MatrixPrecision":$precision,
                        "DictionaryAttr":$smem,
                        "int64_t":$smem_bytes);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Threads per block: 128 per warpgroup of either role.
    int64_t getThreads() const {
      return 128 * (getProducerWarpgroups() + getConsumerWarpgroups());
    }
    /// Columns of the state each consumer warpgroup holds.
    int64_t getColumnsPerConsumer() const {
      return getVSlice() / getConsumerWarpgroups();
    }
    /// The (offset, bytes) of shared-memory buffer `name`, if laid out.
    std::optional<std::pair<int64_t, int64_t>>
    getBuffer(::llvm::StringRef name) const {
      auto range = ::llvm::dyn_cast_if_present<::mlir::DenseI64ArrayAttr>(
          getSmem().get(name));
      if (!range || range.size() != 2)
        return std::nullopt;
      return std::make_pair(range[0], range[1]);
    }
  }];
}

#endif // SSE_GPU_ATTRS_TD
