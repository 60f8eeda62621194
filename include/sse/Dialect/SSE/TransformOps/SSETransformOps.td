//===- SSETransformOps.td - Transform ops of the sse dialect -*- tablegen -*-===//
//
// The fusion and tiling passes of the sse dialect as transform dialect ops:
// a transform schedule picks which payload ops are fused and tiled, and
// with which parameters (forced ones, the cost model for the rest).
//
//===----------------------------------------------------------------------===//

#ifndef SSE_TRANSFORM_OPS_TD
#define SSE_TRANSFORM_OPS_TD

include "sse/Dialect/SSE/IR/SSEEnums.td"
include "mlir/Dialect/Transform/IR/TransformDialect.td"
include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// Fusion ops
//===----------------------------------------------------------------------===//

// A fusion op: applies one set of sse fusion patterns greedily inside each
// target payload op. Reads the handle, modifies the payload.
class SSE_FusePatternsOp<string mnemonic>
    : TransformDialectOp<"sse." # mnemonic,
        [DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
         TransformOpInterface, TransformEachOpTrait,
         ReportTrackingListenerFailuresOpTrait]> {
  let arguments = (ins TransformHandleTypeInterface:$target);
  let results = (outs);
  let assemblyFormat =
      "$target attr-dict `:` functional-type(operands, results)";

  let extraClassDeclaration = [{
    ::mlir::DiagnosedSilenceableFailure applyToOne(
        ::mlir::transform::TransformRewriter &rewriter,
        ::mlir::Operation *target,
        ::mlir::transform::ApplyToEachResultList &results,
        ::mlir::transform::TransformState &state);
  }];
}

def SSE_FuseSharedRoutedOp : SSE_FusePatternsOp<"fuse_shared_routed"> {
  let summary = "Fuse shared + routed scans inside the target into one scan";
  let description = [{
    Applies the patterns of `sse-fuse-shared-routed`
    (`sse::populateFuseSharedRoutedPatterns`) greedily to the ops nested in
    every target payload op (typically a `func.func`): a `linalg.add` or
    `arith.addf` of the outputs of an unrouted one-partition `sse.scan` and
    a routed `sse.scan` over the same `v` becomes one scan with
    `shared(q1, k1) shared_gate(g1) shared_beta(b1)`; uses of the old final
    states read `tensor.extract_slice`s of the fused ones.

    Example:

    ```text
    transform.sse.fuse_shared_routed %func : (!transform.any_op) -> ()
    ```

    #### Return modes

    Reads the target handle and modifies the payload; returns nothing.
    Handles to the fused scans and the add (the old payload) are dropped or
    updated by the tracking listener; a handle that is still used afterwards
    and points to a scan without a single replacement op makes the op fail
    (match the scans again after fusing). Applying it to the module that
    holds the transform script itself (or to any other ancestor of this op)
    is a silenceable failure, as is a greedy rewrite that does not converge.
    Nothing to fuse is not an error.
  }];
}

def SSE_FuseRouterOp : SSE_FusePatternsOp<"fuse_router"> {
  let summary = "Fuse sse.classify into the scans it routes inside the target";
  let description = [{
    Applies the patterns of `sse-fuse-router`
    (`sse::populateFuseRouterPatterns`) greedily to the ops nested in every
    target payload op: a scan routed by `route(%w, %i)` with both from one
    `sse.classify` of logits `%z` becomes `router(%z)` with `top_k`,
    `router_order` and `renormalize` copied from the classify, which is
    erased when nothing else uses it. The scans are updated in place, so
    handles to them stay valid.

    Example:

    ```text
    transform.sse.fuse_router %func : (!transform.any_op) -> ()
    ```

    #### Return modes

    Reads the target handle and modifies the payload; returns nothing.
    Handles to erased classify ops lose them. Same failure modes as
    `transform.sse.fuse_shared_routed`.
  }];
}

//===----------------------------------------------------------------------===//
// TileOp
//===----------------------------------------------------------------------===//

def SSE_TileOp : TransformDialectOp<"sse.tile",
    [FunctionalStyleTransformOpTrait, MemoryEffectsOpInterface,
     TransformOpInterface, TransformEachOpTrait]> {
  let summary = "Record the tiling of sse.scan ops (#sse.schedule)";
  let description = [{
    Sets the `schedule` attribute of every `sse.scan` the target handle
    points to (replacing any schedule already there). Each of `chunk`,
    `k_tile`, `v_tile`, `split` and `grouping` is optional: the given ones
    are forced, the missing ones are chosen by the cost model of `sse-tile`
    (`sse::chooseSchedule`, default target: one H100 SXM) as the cheapest
    schedule that satisfies the forced ones.

    Example:

    ```text
    %tiled = transform.sse.tile %scan {chunk = 64, k_tile = 128, v_tile = 64,
        split = #sse.split<recurrent>, grouping = #sse.grouping<sorted>}
        : (!transform.any_op) -> !transform.any_op
    ```

    #### Return modes

    Consumes the target handle and returns a handle to the same scans (the
    payload is modified in place). A silenceable failure, with a message
    naming the problem, when a payload op is not an `sse.scan`, when
    `chunk` is not a power of two in [16, 256], when `k_tile` / `v_tile` is
    not positive or does not divide K / V, when the scan has dynamic sizes
    and not all five parameters are given (the cost model needs static
    shapes), or when no schedule satisfies the forced parameters.
  }];

  let arguments = (ins TransformHandleTypeInterface:$target,
                   OptionalAttr<I64Attr>:$chunk,
                   OptionalAttr<I64Attr>:$k_tile,
                   OptionalAttr<I64Attr>:$v_tile,
                   OptionalAttr<SSE_WorkSplitAttr>:$split,
                   OptionalAttr<SSE_GroupingAttr>:$grouping);
  let results = (outs TransformHandleTypeInterface:$tiled);
  let assemblyFormat =
      "$target attr-dict `:` functional-type(operands, results)";

  let extraClassDeclaration = [{
    ::mlir::DiagnosedSilenceableFailure applyToOne(
        ::mlir::transform::TransformRewriter &rewriter,
        ::mlir::Operation *target,
        ::mlir::transform::ApplyToEachResultList &results,
        ::mlir::transform::TransformState &state);
  }];
}

#endif // SSE_TRANSFORM_OPS_TD
