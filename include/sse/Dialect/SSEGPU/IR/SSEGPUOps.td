//===- SSEGPUOps.td - Kernel ops of the sse_gpu dialect ------*- tablegen -*-===//
//
// One op per kernel kind, in destination-passing style. Each kernel op
// carries its #sse_gpu.plan.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_GPU_OPS_TD
#define SSE_GPU_OPS_TD

include "sse/Dialect/SSEGPU/IR/SSEGPUAttrs.td"
include "sse/Dialect/SSE/IR/SSEEnums.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

class SSEGPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<SSEGPU_Dialect, mnemonic, traits>;

def SSEGPU_AnyShaped : AnyTypeOf<[AnyRankedTensor, AnyMemRef]>;

def SSEGPU_RouteOp : SSEGPU_Op<"route", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "the router kernel: top-k partitions and weights per token";
  let description = [{
    `sse.classify` as a kernel: for every row of `logits` (`[B, T, N]`, or
    `[B, T, H, N]` for per-head routing) the `top_k` partitions and their
    weights, in the order and normalisation of `sse.classify` (SPEC 1.2),
    into `weights` (f32) and `indices` (i32), both `[..., top_k]`.

    ```mlir
    func.func @route(%z: tensor<4x4096x4xbf16>) -> (tensor<4x4096x1xf32>, tensor<4x4096x1xi32>) {
      %w0 = tensor.empty() : tensor<4x4096x1xf32>
      %i0 = tensor.empty() : tensor<4x4096x1xi32>
      %w, %i = sse_gpu.route ins(%z : tensor<4x4096x4xbf16>)
          outs(%w0, %i0 : tensor<4x4096x1xf32>, tensor<4x4096x1xi32>)
          {top_k = 1 : i64} -> tensor<4x4096x1xf32>, tensor<4x4096x1xi32>
      return %w, %i : tensor<4x4096x1xf32>, tensor<4x4096x1xi32>
    }
    ```
  }];
  let arguments = (ins SSEGPU_AnyShaped:$logits,
                   SSEGPU_AnyShaped:$weights_init,
                   SSEGPU_AnyShaped:$indices_init,
                   I64Attr:$top_k,
                   DefaultValuedAttr<SSE_ClassifyOrderAttr,
                       "::mlir::sse::ClassifyOrder::softmax_then_topk">:$order,
                   UnitAttr:$renormalize);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $logits `:` type($logits) `)`
    `outs` `(` $weights_init `,` $indices_init `:` type($weights_init) `,`
        type($indices_init) `)`
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(), 1, 2);
    }
  }];
}

def SSEGPU_GroupOp : SSEGPU_Op<"group", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "token lists per (sequence, partition): the routed grouping";
  let description = [{
    Groups the routed visits of every sequence by partition: for sequence
    `s` and partition `p`, `counts[s, p]` is the number of its tokens that
    picked `p`, and `tokens[s, p, 0 .. counts[s, p])` their visits in
    token order, each encoded as `t * k + slot` (t the token's index in
    the batch row, or in the packed row with `cu_seqlens`). With
    `indices` of shape `[B, T, k]` (one routing for all heads) the lists
    are per sequence, built once for every head; with `[B, T, H, k]` they
    are per (sequence, head): `counts` is `[S, H, N]`, `tokens`
    `[S, H, N, T]`. S is B, or the number of packed sequences.

    ```mlir
    func.func @group(%i: tensor<4x4096x1xi32>) -> (tensor<4x4xi32>, tensor<4x4x4096xi32>) {
      %c0 = tensor.empty() : tensor<4x4xi32>
      %t0 = tensor.empty() : tensor<4x4x4096xi32>
      %c, %t = sse_gpu.group ins(%i : tensor<4x4096x1xi32>)
          outs(%c0, %t0 : tensor<4x4xi32>, tensor<4x4x4096xi32>)
          {partitions = 4 : i64} -> tensor<4x4xi32>, tensor<4x4x4096xi32>
      return %c, %t : tensor<4x4xi32>, tensor<4x4x4096xi32>
    }
    ```
  }];
  let arguments = (ins SSEGPU_AnyShaped:$indices,
                   Optional<SSEGPU_AnyShaped>:$cu_seqlens,
                   SSEGPU_AnyShaped:$counts_init,
                   SSEGPU_AnyShaped:$tokens_init,
                   I64Attr:$partitions);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $indices (`,` $cu_seqlens^)? `:` type($indices)
        (`,` type($cu_seqlens)^)? `)`
    `outs` `(` $counts_init `,` $tokens_init `:` type($counts_init) `,`
        type($tokens_init) `)`
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(),
                                 getNumOperands() - 2, 2);
    }
  }];
}

def SSEGPU_ChunkScanOp : SSEGPU_Op<"chunk_scan", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "the chunked tensor-core scan of some state partitions";
  let description = [{
    The main kernel: for each (sequence, head, partition in
    `[first_partition, first_partition + partitions)`, V slice), walks the
    sequence in chunks of `plan.chunk` tokens with the state on chip:
    `O = Qd S + P V` and `S <- exp(G_last) S + Kd^T V` on tensor cores,
    the intra-chunk scores `P` in sub-blocks of bounded decay factors.

    Operands: `q`, `k` `[B, T, H, K]`, `v` `[B, T, H, V]`, an optional
    log-gate (`[B, T, H]` or `[B, T, H, K]`), an optional `beta`
    `[B, T, H]` (the delta rule), the routed visits (`counts`, `tokens`
    from `sse_gpu.group`, and `weights` `[B, T, k]` or `[B, T, H, k]`)
    when the partitions are routed, and `cu_seqlens` for packed
    sequences. Destinations: the output and the states
    `[S, H, P, K, V]` f32 (S = B, or the number of packed sequences; P the
    state partitions of the whole layer; the op updates its own, in
    place; with `zero_init` they start from zero and their values in
    the destination are not read). The output is o `[B, T, H, V]` when
    `plan.combine` is `direct` or `on_chip`, and one f32 partial per
    visit, `[B, T, H, k, V]`, when it is `partials`. A dense scan that
    writes o may add the routed visits' partials (`add`, f32
    `[B, T, H, k, V]`, each carrying its read weight and scale) to it: the
    shared partition of a layer without an epilogue runs last and combines
    the outputs as it writes them.

    With `plan.segments` = n > 1 (a dense scan of one partition), each
    sequence is cut into n pieces of whole chunks, one block walk each:
    the op then reads the state at the start of each piece from
    `segment_init` (`[S, n, H, K, V]` f32, made by
    `sse_gpu.segment_states` and `sse_gpu.combine_segments`) instead of
    from its states destination, which the last piece writes (so
    `zero_init` does not apply).

    On buffers, after bufferization (one dense partition, per-key gates,
    a plan written by hand):

    ```mlir
    func.func @dense(%q: memref<1x256x2x64xbf16>, %v: memref<1x256x2x64xbf16>,
                     %o: memref<1x256x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
      sse_gpu.chunk_scan ins(%q, %q, %v : memref<1x256x2x64xbf16>,
            memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>)
          gate(%q : memref<1x256x2x64xbf16>)
          outs(%o, %s : memref<1x256x2x64xbf16>, memref<1x2x1x64x64xf32>)
          {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.125 : f32,
           plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64,
             v_slice = 64, segments = 1, producer_warpgroups = 1,
             consumer_warpgroups = 2, producer_registers = 40,
             consumer_registers = 232, stages = 3, load = tma, cluster = 1,
             combine = direct, precision = bf16,
             smem = {q = array<i64: 0, 24576>, k = array<i64: 24576, 24576>,
                     v = array<i64: 49152, 24576>, g = array<i64: 73728, 24576>,
                     qd = array<i64: 98304, 8192>, kd = array<i64: 106496, 8192>,
                     state = array<i64: 114688, 8192>,
                     scores = array<i64: 122880, 8192>,
                     decay = array<i64: 131072, 16384>,
                     barriers = array<i64: 147456, 48>},
             smem_bytes = 148480>}
      return
    }
    ```
  }];
  let arguments = (ins SSEGPU_AnyShaped:$q, SSEGPU_AnyShaped:$k,
                   SSEGPU_AnyShaped:$v,
                   Optional<SSEGPU_AnyShaped>:$gate,
                   Optional<SSEGPU_AnyShaped>:$beta,
                   Optional<SSEGPU_AnyShaped>:$counts,
                   Optional<SSEGPU_AnyShaped>:$tokens,
                   Optional<SSEGPU_AnyShaped>:$weights,
                   Optional<SSEGPU_AnyShaped>:$cu_seqlens,
                   Optional<SSEGPU_AnyShaped>:$partials_in,
                   Optional<SSEGPU_AnyShaped>:$segment_init,
                   SSEGPU_AnyShaped:$out_init,
                   SSEGPU_AnyShaped:$states_init,
                   I64Attr:$first_partition,
                   I64Attr:$partitions,
                   F32Attr:$scale,
                   DefaultValuedAttr<SSE_UpdateRuleAttr,
                       "::mlir::sse::UpdateRule::additive">:$rule,
                   DefaultValuedAttr<BoolAttr, "true">:$read_gate,
                   DefaultValuedAttr<BoolAttr, "true">:$write_gate,
                   UnitAttr:$zero_init,
                   SSEGPU_PlanAttr:$plan);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $q `,` $k `,` $v `:` type($q) `,` type($k) `,` type($v) `)`
    (`gate` `(` $gate^ `:` type($gate) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`groups` `(` $counts^ `,` $tokens `,` $weights `:` type($counts) `,`
        type($tokens) `,` type($weights) `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `:` type($cu_seqlens) `)`)?
    (`add` `(` $partials_in^ `:` type($partials_in) `)`)?
    (`segment_init` `(` $segment_init^ `:` type($segment_init) `)`)?
    `outs` `(` $out_init `,` $states_init `:` type($out_init) `,`
        type($states_init) `)`
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(),
                                 getNumOperands() - 2, 2);
    }
    /// True if the op's partitions are routed (it reads token lists).
    bool isRouted() { return getCounts() != nullptr; }
    /// The verifier's rules for segment_init, given S, H, K and V.
    ::llvm::LogicalResult verifySegmentInit(int64_t sequences, int64_t heads,
                                            int64_t keys, int64_t values);
  }];
}

def SSEGPU_SegmentStatesOp : SSEGPU_Op<"segment_states", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "each segment's own state: the first pass of a segmented scan";
  let description = [{
    A dense chunk scan whose plan cuts each sequence into `plan.segments`
    = n pieces of whole chunks (`ceil(chunks / n)` each) runs in three
    kernels: this one, `sse_gpu.combine_segments`, then the
    `sse_gpu.chunk_scan` with `segment_init`. Here one block per
    (sequence, piece 0..n-2, head, V slice) walks its piece from a zero
    state with the chunk scan's state update only (no q, no outputs) and
    writes the state at the piece's end to `ends` (`[S, n - 1, H, K, V]`
    f32) and the piece's decay exp(sum of the log-gates) per key to
    `decays` (`[S, n - 1, H, K]` f32; 1 without gates). The last piece
    needs neither. Operands and `plan` as for `sse_gpu.chunk_scan` (the
    same plan: the two kernels share their shared-memory layout).

    ```mlir
    func.func @pieces(%k: tensor<1x4096x2x64xbf16>, %v: tensor<1x4096x2x64xbf16>,
                      %g: tensor<1x4096x2x64xbf16>)
        -> (tensor<1x3x2x64x64xf32>, tensor<1x3x2x64xf32>) {
      %e0 = tensor.empty() : tensor<1x3x2x64x64xf32>
      %d0 = tensor.empty() : tensor<1x3x2x64xf32>
      %ends, %decays = sse_gpu.segment_states
          ins(%k, %v : tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>)
          gate(%g : tensor<1x4096x2x64xbf16>)
          outs(%e0, %d0 : tensor<1x3x2x64x64xf32>, tensor<1x3x2x64xf32>)
          {plan = #sse_gpu.plan<chunk = 64, sub_block = 16,
               k_width = 64, v_slice = 64, segments = 4,
               producer_warpgroups = 0, consumer_warpgroups = 2,
               producer_registers = 0, consumer_registers = 0, stages = 2,
               load = cp_async, cluster = 1, combine = direct,
               precision = bf16, smem = {}, smem_bytes = 0>}
          -> tensor<1x3x2x64x64xf32>, tensor<1x3x2x64xf32>
      return %ends, %decays : tensor<1x3x2x64x64xf32>, tensor<1x3x2x64xf32>
    }
    ```
  }];
  let arguments = (ins SSEGPU_AnyShaped:$k, SSEGPU_AnyShaped:$v,
                   Optional<SSEGPU_AnyShaped>:$gate,
                   Optional<SSEGPU_AnyShaped>:$cu_seqlens,
                   SSEGPU_AnyShaped:$ends_init,
                   SSEGPU_AnyShaped:$decays_init,
                   SSEGPU_PlanAttr:$plan);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $k `,` $v `:` type($k) `,` type($v) `)`
    (`gate` `(` $gate^ `:` type($gate) `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `:` type($cu_seqlens) `)`)?
    `outs` `(` $ends_init `,` $decays_init `:` type($ends_init) `,`
        type($decays_init) `)`
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(),
                                 getNumOperands() - 2, 2);
    }
  }];
}

def SSEGPU_CombineSegmentsOp : SSEGPU_Op<"combine_segments", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "the state at the start of each segment, from their ends";
  let description = [{
    The middle kernel of a segmented scan: with n = `ends`' second size
    plus one, `inits[s, 0] = initial[s, :, partition]` (0 without
    `initial`) and `inits[s, j + 1] = decays[s, j] * inits[s, j] +
    ends[s, j]` per key row, for the `ends` and `decays` of
    `sse_gpu.segment_states`. `inits` is `[S, n, H, K, V]` f32, what the
    segmented `sse_gpu.chunk_scan` reads as `segment_init`; `initial` the
    layer's states `[S, H, P, K, V]`. One thread per state element walks
    the segments in order.

    ```mlir
    func.func @joined(%ends: tensor<1x3x2x64x64xf32>, %decays: tensor<1x3x2x64xf32>,
                      %s0: tensor<1x2x1x64x64xf32>) -> tensor<1x4x2x64x64xf32> {
      %i0 = tensor.empty() : tensor<1x4x2x64x64xf32>
      %inits = sse_gpu.combine_segments
          ins(%ends, %decays : tensor<1x3x2x64x64xf32>, tensor<1x3x2x64xf32>)
          initial(%s0 : tensor<1x2x1x64x64xf32>)
          outs(%i0 : tensor<1x4x2x64x64xf32>) {partition = 0 : i64}
          -> tensor<1x4x2x64x64xf32>
      return %inits : tensor<1x4x2x64x64xf32>
    }
    ```
  }];
  let arguments = (ins SSEGPU_AnyShaped:$ends, SSEGPU_AnyShaped:$decays,
                   Optional<SSEGPU_AnyShaped>:$initial,
                   SSEGPU_AnyShaped:$inits_init,
                   I64Attr:$partition);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $ends `,` $decays `:` type($ends) `,` type($decays) `)`
    (`initial` `(` $initial^ `:` type($initial) `)`)?
    `outs` `(` $inits_init `:` type($inits_init) `)`
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(), getNumOperands() - 1, 1);
    }
  }];
}

def SSEGPU_CombineOutputsOp : SSEGPU_Op<"combine_outputs", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "sum the partial outputs of a token's visits; norm and gate";
  let description = [{
    The output kernel of a routed (or epilogue-fused) scan:
    `o = sum over slots of partials[b, t, h, slot, :]` plus the shared
    partition's `shared[b, t, h, 0, :]` when given (each partial already
    carries its read weight and scale), then the per-head RMS norm over V
    with `norm` weights (`[V]` or `[H, V]`) and `eps`, then the swish
    output gate `o * (g * sigmoid(g))` with `out_gate` `[B, T, H, V]`.
    `o` is `[B, T, H, V]` in the type of the layer's `v`.

    ```mlir
    func.func @combine(%p: tensor<2x64x2x1x32xf32>, %p0: tensor<2x64x2x1x32xf32>,
                       %w: tensor<32xf32>, %g: tensor<2x64x2x32xbf16>) -> tensor<2x64x2x32xbf16> {
      %o0 = tensor.empty() : tensor<2x64x2x32xbf16>
      %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x1x32xf32>)
          shared(%p0 : tensor<2x64x2x1x32xf32>) norm(%w : tensor<32xf32>)
          out_gate(%g : tensor<2x64x2x32xbf16>)
          outs(%o0 : tensor<2x64x2x32xbf16>) {eps = 1.0e-05 : f32}
          -> tensor<2x64x2x32xbf16>
      return %o : tensor<2x64x2x32xbf16>
    }
    ```
  }];
  let arguments = (ins SSEGPU_AnyShaped:$partials,
                   Optional<SSEGPU_AnyShaped>:$shared,
                   Optional<SSEGPU_AnyShaped>:$norm_weight,
                   Optional<SSEGPU_AnyShaped>:$out_gate,
                   SSEGPU_AnyShaped:$out_init,
                   OptionalAttr<F32Attr>:$eps);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $partials `:` type($partials) `)`
    (`shared` `(` $shared^ `:` type($shared) `)`)?
    (`norm` `(` $norm_weight^ `:` type($norm_weight) `)`)?
    (`out_gate` `(` $out_gate^ `:` type($out_gate) `)`)?
    `outs` `(` $out_init `:` type($out_init) `)`
    attr-dict (`->` type($results)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(), getNumOperands() - 1, 1);
    }
  }];
}

#endif // SSE_GPU_OPS_TD
