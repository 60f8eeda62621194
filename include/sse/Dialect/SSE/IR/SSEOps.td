//===- SSEOps.td - Operations of the sse dialect -------------*- tablegen -*-===//
//
// sse.classify (the router) and sse.scan (the expanded-state scan). Shapes and
// semantics follow section 1 and 2 of SPEC.md; the verifiers enforce them.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_OPS_TD
#define SSE_OPS_TD

include "sse/Dialect/SSE/IR/SSEDialect.td"
include "sse/Dialect/SSE/IR/SSEEnums.td"
include "sse/Dialect/SSE/IR/SSEAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

class SSE_Op<string mnemonic, list<Trait> traits = []>
    : Op<SSE_Dialect, mnemonic, traits>;

def SSE_FloatTensor : RankedTensorOf<[BF16, F16, F32]>;
def SSE_F32Tensor : RankedTensorOf<[F32]>;
def SSE_IndexTensor : RankedTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// ClassifyOp
//===----------------------------------------------------------------------===//

def SSE_ClassifyOp : SSE_Op<"classify", [Pure]> {
  let summary = "softmax top-k router: sparse state classification";
  let description = [{
    Classifies every row of `logits` (`[..., N]`) into `k` of the `N`
    partitions. With `order = #sse.order<softmax_then_topk>` (the default,
    the SSE router) the weights are `softmax(logits)` over all `N` entries,
    restricted to the `k` largest; they are not renormalised unless
    `renormalize` is set (mixture-of-memories style). With
    `order = #sse.order<topk_then_softmax>` (the row-sparse form) the `k`
    largest logits are kept and the softmax runs over those `k` only.

    The softmax is computed in f32 whatever the logits' element type.
    Selection is by logit value (softmax is monotone); ties go to the lower
    index; the `k` results are sorted by logit, descending (that is, by
    weight, except where distinct logits give equal weights by underflow).

    Results: `weights` `[..., k]` f32 and `indices` `[..., k]` (i32 or i64),
    with the leading shape of `logits`. Logits are expected to be finite:
    for NaN or infinite logits the weights and indices are unspecified (the
    canonicalizer may assume finiteness).

    Empty tensors are rejected: every dimension of `logits` must be >= 1
    (in particular `N = 0` logits are an error, see docs/Semantics.md,
    "Empty dimensions").

    Example:

    ```mlir
    func.func @router(%z: tensor<2x64x4xf32>)
        -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>) {
      %w, %i = sse.classify %z {k = 1 : i64}
          : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
      return %w, %i : tensor<2x64x1xf32>, tensor<2x64x1xi32>
    }
    ```
  }];

  let arguments = (ins SSE_FloatTensor:$logits,
                   I64Attr:$k,
                   DefaultValuedAttr<SSE_ClassifyOrderAttr,
                       "ClassifyOrder::softmax_then_topk">:$order,
                   UnitAttr:$renormalize);
  let results = (outs SSE_F32Tensor:$weights, SSE_IndexTensor:$indices);

  let assemblyFormat = [{
    $logits attr-dict `:` type($logits) `->` `(` type($weights) `,` type($indices) `)`
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

def SSE_ScanOp : SSE_Op<"scan", [Pure, AttrSizedOperandSegments]> {
  let summary = "expanded-state (routed) linear-attention scan";
  let description = [{
    Runs linear attention over `T` tokens with the state of every
    (sequence, head) expanded into `partitions` (N) partitions of `K x V`
    f32 entries. Per token, for each routing slot `j` with partition
    `p = indices[j]` and weight `w = weights[j]`:

    ```
    S^p = D_t S^p + (w k_t)^T v_t                 (rule = additive)
    S^p = exp(g_t) (I - beta_t kw^T kw) S^p + beta_t kw^T v_t, kw = w k_t
                                                  (rule = delta)
    o_t += scale * (w q_t) S^p                    (read after write)
    ```

    Partitions that a token does not select are neither decayed, written
    nor read. `write_gate = false` / `read_gate = false` replace `w` by 1 in
    the write / read. An index outside `[0, N)` makes its slot a no-op.

    Operands (`B` batch, `T` tokens, `H` heads, `K` key width, `V` value
    width, `k` slots, `S` sequences):

    * `q`, `k`: `[B, T, H, K]`; `v`: `[B, T, H, V]` (bf16, f16 or f32);
    * `gate(%g)`: log-space decay, `[B, T, H]` (scalar per head) or
      `[B, T, H, K]` (per key, additive rule only);
    * `beta(%b)`: `[B, T, H]`, required exactly when `rule = delta`;
    * `route(%weights, %indices)`: `[B, T, k]` (shared by all heads) or
      `[B, T, H, k]` (per head); weights f32, indices i32 or i64.
      Without routing every token selects partition 0 with weight 1 and
      `partitions` must be 1;
    * `shared(%q1, %k1)`, `shared_gate(%g1)`, `shared_beta(%b1)`: an
      always-selected shared partition with its own q, k, gate and beta
      (the SSE layer's first scan, fused in by `sse-fuse-shared-routed`).
      It is partition 0 of the states; routed partition `p` is state
      partition `p + 1`. Every token updates and reads it first, with
      weight 1. Needs routing;
    * `router(%z)`: the scan classifies the logits `z` itself (`[B, T, N]`
      or `[B, T, H, N]`) exactly as `sse.classify` with `k = top_k`,
      `order = router_order` and `renormalize` would (the router fused into
      the prologue by `sse-fuse-router`); excludes `route(...)`;
    * `init(%s0)`: initial states `[S, H, N', K, V]` f32 with `N' = N` (+1
      with a shared partition); zeros if absent;
    * `cu_seqlens(%cu)`: `[S + 1]` i32 or i64 offsets of packed sequences
      along T; requires `B = 1`. Without it `S = B`. Tokens outside every
      sequence get a zero output.

    Sizes must be non-empty: a static zero in `B`, `T`, `H`, `K` or `V` of
    `q`, `k` or `v` is a verifier error naming the operand and the
    dimension (docs/Semantics.md, "Empty dimensions"). Empty sequences
    inside `cu_seqlens` (two equal offsets) stay legal.

    * `norm(%w)`, `out_gate(%x)`: the epilogue of an SSE layer, fused in by
      `sse-fuse-epilogue`: `o = rms_norm(o) * w` per head over V (`w` is
      `[H, V]` or `[V]`, `norm_eps` default 1e-5), then `o = o * swish(x)`
      (`x` shaped like o); both in f32 before o is rounded. A scan with
      `norm(...)` needs its schedule to cover a whole head's V
      (`v_tile = V`).

    Attributes: `partitions` (N, default 1), `scale` (default `K^-0.5`),
    `rule` (`#sse.rule<additive>` default, or `#sse.rule<delta>`),
    `read_gate`, `write_gate` (default true); with `router(...)`: `top_k`,
    `router_order`, `renormalize`; `schedule` (a `#sse.schedule`, set by
    tiling: the scan is then in tiled form).

    Results: `o` `[B, T, H, V]` in v's element type, and the final states
    `[S, H, N', K, V]` f32. The final states are the destination of the scan:
    they continue `init` (a decode step feeds them back as the next `init`).

    Example:

    ```mlir
    func.func @routed(%q: tensor<1x8x2x16xf32>, %k: tensor<1x8x2x16xf32>,
                      %v: tensor<1x8x2x32xf32>, %g: tensor<1x8x2x16xf32>,
                      %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>,
                      %s0: tensor<1x2x4x16x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>) {
      %o, %s = sse.scan %q, %k, %v gate(%g) route(%w, %i) init(%s0)
          {partitions = 4 : i64}
          : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
             tensor<1x8x2x16xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>,
             tensor<1x2x4x16x32xf32>)
          -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
      return %o, %s : tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>
    }
    ```
  }];

  let arguments = (ins SSE_FloatTensor:$q,
                   SSE_FloatTensor:$k,
                   SSE_FloatTensor:$v,
                   Optional<SSE_FloatTensor>:$gate,
                   Optional<SSE_FloatTensor>:$beta,
                   Optional<SSE_FloatTensor>:$shared_q,
                   Optional<SSE_FloatTensor>:$shared_k,
                   Optional<SSE_FloatTensor>:$shared_gate,
                   Optional<SSE_FloatTensor>:$shared_beta,
                   Optional<SSE_F32Tensor>:$weights,
                   Optional<SSE_IndexTensor>:$indices,
                   Optional<SSE_FloatTensor>:$logits,
                   Optional<SSE_F32Tensor>:$init,
                   Optional<SSE_IndexTensor>:$cu_seqlens,
                   Optional<SSE_FloatTensor>:$norm_weight,
                   Optional<SSE_FloatTensor>:$out_gate,
                   DefaultValuedAttr<I64Attr, "1">:$partitions,
                   OptionalAttr<F32Attr>:$scale,
                   DefaultValuedAttr<SSE_UpdateRuleAttr,
                       "UpdateRule::additive">:$rule,
                   DefaultValuedAttr<BoolAttr, "true">:$read_gate,
                   DefaultValuedAttr<BoolAttr, "true">:$write_gate,
                   OptionalAttr<I64Attr>:$top_k,
                   OptionalAttr<SSE_ClassifyOrderAttr>:$router_order,
                   UnitAttr:$renormalize,
                   OptionalAttr<SSE_ScheduleAttr>:$schedule,
                   OptionalAttr<F32Attr>:$norm_eps);
  let results = (outs SSE_FloatTensor:$o, SSE_F32Tensor:$final_states);

  let assemblyFormat = [{
    $q `,` $k `,` $v
    (`gate` `(` $gate^ `)`)?
    (`beta` `(` $beta^ `)`)?
    (`shared` `(` $shared_q^ `,` $shared_k `)`)?
    (`shared_gate` `(` $shared_gate^ `)`)?
    (`shared_beta` `(` $shared_beta^ `)`)?
    (`route` `(` $weights^ `,` $indices `)`)?
    (`router` `(` $logits^ `)`)?
    (`init` `(` $init^ `)`)?
    (`cu_seqlens` `(` $cu_seqlens^ `)`)?
    (`norm` `(` $norm_weight^ `)`)?
    (`out_gate` `(` $out_gate^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];

  let builders = [
    // Builds a scan whose result types are derived from the operands.
    // Shared and router operands are added by the fusion passes.
    OpBuilder<(ins "Value":$q, "Value":$k, "Value":$v, "Value":$gate,
                   "Value":$beta, "Value":$weights, "Value":$indices,
                   "Value":$init, "Value":$cuSeqlens, "int64_t":$partitions)>
  ];

  let extraClassDeclaration = [{
    /// True if the scan is routed, by route(w, i) or by router(z).
    bool isRouted() { return getWeights() || getLogits(); }
    /// True if the scan has an always-selected shared partition (index 0).
    bool hasShared() { return getSharedQ() != nullptr; }
    /// Partitions of the state: the routed N, plus 1 for a shared one.
    int64_t getNumStatePartitions() {
      return getPartitions() + (hasShared() ? 1 : 0);
    }
    /// True if the gate (or the shared gate) is one log-decay per key.
    bool hasPerKeySharedGate();
    /// True if the gate is one log-decay per key (rank 4).
    bool hasPerKeyGate();
    /// The scale applied to reads: the attribute, or K^-0.5 when K is
    /// static; nullopt when it must be computed from a dynamic K.
    std::optional<float> getEffectiveScale();
    /// Number of routed slots per token (1 when not routed).
    int64_t getNumSlots();
  }];

  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// RmsNormOp and SwishGateOp: the epilogue of an SSE layer
//===----------------------------------------------------------------------===//

def SSE_RmsNormOp : SSE_Op<"rms_norm", [Pure, AllTypesMatch<["x", "y"]>]> {
  let summary = "RMS norm of each head's V-vector, with a learned weight";
  let description = [{
    `y[b, t, h, :] = x[b, t, h, :] / sqrt(mean(x[b, t, h, :]^2) + eps) * w`,
    computed in f32, with `w` `[H, V]` (per head) or `[V]` (shared), and
    `eps` default 1e-5. The result has x's type. `sse-fuse-epilogue` moves
    it into the epilogue of the scan that produces `x`.

    ```mlir
    func.func @norm(%x: tensor<1x8x2x32xf32>, %w: tensor<2x32xf32>)
        -> tensor<1x8x2x32xf32> {
      %y = sse.rms_norm %x, %w : tensor<1x8x2x32xf32>, tensor<2x32xf32>
      return %y : tensor<1x8x2x32xf32>
    }
    ```
  }];
  let arguments = (ins SSE_FloatTensor:$x, SSE_FloatTensor:$weight,
                   OptionalAttr<F32Attr>:$eps);
  let results = (outs SSE_FloatTensor:$y);
  let assemblyFormat = [{
    $x `,` $weight attr-dict `:` type($x) `,` type($weight)
  }];
  let extraClassDeclaration = [{
    float getEffectiveEps() {
      return getEps() ? getEps()->convertToFloat() : 1e-5f;
    }
  }];
  let builders = [OpBuilder<(ins "Value":$x, "Value":$weight), [{
    build($_builder, $_state, x.getType(), x, weight, nullptr);
  }]>];
  let hasVerifier = 1;
}

def SSE_SwishGateOp : SSE_Op<"swish_gate", [Pure, AllTypesMatch<["x", "y"]>]> {
  let summary = "output gate: x * swish(gate)";
  let description = [{
    `y = x * gate * sigmoid(gate)`, elementwise in f32, with `gate` shaped
    like `x`; the result has x's type. `sse-fuse-epilogue` moves it into
    the epilogue of the scan that produces `x`.

    ```mlir
    func.func @gate(%x: tensor<1x8x2x32xbf16>, %g: tensor<1x8x2x32xbf16>)
        -> tensor<1x8x2x32xbf16> {
      %y = sse.swish_gate %x, %g : tensor<1x8x2x32xbf16>, tensor<1x8x2x32xbf16>
      return %y : tensor<1x8x2x32xbf16>
    }
    ```
  }];
  let arguments = (ins SSE_FloatTensor:$x, SSE_FloatTensor:$gate);
  let results = (outs SSE_FloatTensor:$y);
  let assemblyFormat = [{
    $x `,` $gate attr-dict `:` type($x) `,` type($gate)
  }];
  let builders = [OpBuilder<(ins "Value":$x, "Value":$gate), [{
    build($_builder, $_state, x.getType(), x, gate);
  }]>];
  let hasVerifier = 1;
}

#endif // SSE_OPS_TD
