//===- Passes.td - Fusion and tiling passes of the sse dialect -*- tablegen -*-===//
//
// The middle of the compiler: fuse a model graph's SSE layers into few scans
// and record how each scan is tiled (chunk length, tiles, work split,
// grouping of routed tokens), chosen by a cost model or by options.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_TRANSFORMS_PASSES_TD
#define SSE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SSECheckPipelineInput : Pass<"sse-check-pipeline-input", "ModuleOp"> {
  let summary = "Reject attributes that only the pipeline may set";
  let description = [{
    The first pass of `sse-to-llvm-cpu` and `sse-to-nvvm`. Two discardable
    attributes are contracts between passes of a pipeline, not hints a
    user gives: `sse.gpu_kernels` (convert-sse-to-gpu tells one-shot
    bufferization which scans it lowers) and `sse.results_in_args`
    (sse-drop-in-place-results tells the runners where results live).
    A well-formed value of either in the input would be trusted by a later
    pass and lead it astray (a scan marked for GPU kernels in the CPU
    pipeline, a runner passing the wrong buffers), so the input may not
    carry them: each one is an error that names it and the pass that owns
    it. `sse.unroll` and `sse.min_blocks_per_sm` are hints; the verifier
    checks their values and they are allowed in the input.
  }];
}

def SSEDecomposeAggregates : Pass<"sse-decompose-aggregates"> {
  let summary = "Decompose aggregate linalg ops (linalg.softmax) into ones the pipelines lower";
  let description = [{
    `linalg.softmax` is an aggregate op: no conversion lowers it, and the
    pipelines used to leave it in their output (the runner then failed
    late on an unrealized cast). This pass replaces every op with
    `linalg::AggregatedOpInterface` by its decomposition (for softmax: a
    max reduction, `exp(x - max)`, a sum reduction and a division, as
    `linalg.generic`/`linalg.fill`), which both pipelines then lower. It
    runs in both pipelines after fusion and tiling. An op whose
    decomposition fails is an error naming it.
  }];
  let dependentDialects = ["linalg::LinalgDialect", "arith::ArithDialect",
                           "math::MathDialect", "tensor::TensorDialect"];
}

def SSECheckGPUOps : Pass<"sse-check-gpu-ops", "ModuleOp"> {
  let summary = "Fail, naming the op, on tensor work sse-to-nvvm has no kernel for";
  let description = [{
    Runs in `sse-to-nvvm` after the scans became kernels (or were marked
    for them) and before bufferization. On the GPU only `sse` scans compile
    (with the router and the norm and gate epilogues that `sse-fuse` folds
    into them); a `linalg` op, or `arith`/`math` on tensors, that is still
    there would otherwise be bufferized into host code and break much later
    (a `linalg.matmul` fails in `convert-arith-to-llvm` with "expected
    add/mul op in the body", a tensor `arith.addf` with "op was not
    bufferized"). Each distinct such op is an error here that names it,
    the pipeline, and what runs it instead:

    ```text
    error: sse-to-nvvm has no GPU kernel for 'linalg.matmul': only sse scans
    (with their router and the norm/gate epilogues sse-fuse folds into them)
    compile for the GPU; run the whole layer with sse-to-llvm-cpu, or keep
    this op outside the module
    ```
  }];
}

def SSECheckLowered : Pass<"sse-check-lowered", "ModuleOp"> {
  let summary = "Fail, naming the op, when a pipeline left something unlowered";
  let description = [{
    The last pass of `sse-to-llvm-cpu` and `sse-to-nvvm`. Their output may
    hold only the LLVM dialect (and `gpu.binary` and `gpu.launch_func` for
    the kernels): any
    other op is one no pass of the pipeline handled, and used to surface
    only later, in the runner's translation, at an unrelated line (or as
    an unrealized cast). Each distinct leftover op is an error that names
    it and the pipeline.
  }];
  let options = [
    Option<"pipeline", "pipeline", "std::string", "\"the pipeline\"",
           "The pipeline's name, for the message">,
  ];
}

def SSEFuseSharedRouted : Pass<"sse-fuse-shared-routed"> {
  let summary = "Fuse a shared scan added to a routed scan into one expanded scan";
  let description = [{
    Matches `linalg.add` (or `arith.addf` on tensors) of the outputs of an
    unrouted one-partition `sse.scan` (the shared partition of an SSE layer)
    and a routed `sse.scan` over the same `v`, with the same rule, scale and
    `cu_seqlens`, whose outputs have no other use. Replaces them with one
    scan that has `shared(q1, k1) shared_gate(g1) shared_beta(b1)`: the
    shared partition becomes state partition 0, so one kernel serves both.
    Initial states are concatenated along the partition dimension; uses of
    the old final states read slices of the fused ones.

    It does not fire when either output has another use, when the scans
    differ in `v`, rule, scale or `cu_seqlens`, or when the routed scan
    already has a shared partition.
  }];
  let dependentDialects = ["tensor::TensorDialect", "linalg::LinalgDialect",
                           "arith::ArithDialect"];
}

def SSERaise : Pass<"sse-raise"> {
  let summary = "Recognise SSE layer pieces written with upstream ops";
  let description = [{
    Rewrites the output gate written elementwise on tensors with `arith`
    and `math`, `x * (g / (1 + exp(-g)))` or `x * (g * sigmoid(g))` spelled
    as `arith.mulf %x, (arith.divf %g, (arith.addf 1, (math.exp
    (arith.negf %g))))` in either operand order, into `sse.swish_gate`, so
    `sse-fuse-epilogue` can absorb it; and the per-head RMS norm written as
    `x * broadcast(rsqrt(sum(x * x) / V + eps)) * broadcast(w)`, the sum a
    `linalg.reduce` over V with an `addf` combiner into zeros, `/ V` as a
    multiplication by `1/V` or a division, `w` `[H, V]` or `[V]` broadcast
    with `linalg.broadcast`, into `sse.rms_norm`. (Shared + routed sums
    written with `linalg.add` or `arith.addf` need no raising:
    `sse-fuse-shared-routed` matches them directly. A top-k router has no
    upstream spelling to recognise; frontends use `sse.classify`.)
  }];
  let dependentDialects = ["sse::SSEDialect"];
}

def SSEFuseRouter : Pass<"sse-fuse-router"> {
  let summary = "Fuse sse.classify into the prologue of the scan it routes";
  let description = [{
    A scan routed by `route(%w, %i)` where both come from one
    `sse.classify` of logits `z` becomes `router(%z)` with `top_k`,
    `router_order` and `renormalize` taken from the classify, so no weights
    or indices round-trip through memory. The classify is erased when
    nothing else uses it.
  }];
}

def SSEFuseEpilogue : Pass<"sse-fuse-epilogue"> {
  let summary = "Fuse the RMS norm and swish output gate into the scan's epilogue";
  let description = [{
    `sse.rms_norm` of a scan's output becomes `norm(%w)` on the scan (with
    its eps as `norm_eps`), and `sse.swish_gate` of it becomes
    `out_gate(%x)`, so o is normalised and gated while it is still on chip.
    The scan's output must have no other use. The norm is not fused into a
    scan that already gates its output (the order would change), nor into
    a scan whose schedule splits V (the norm needs a whole head's V). The
    sum over partitions needs no op: the scan already accumulates it.
  }];
}

def SSEFuse : Pass<"sse-fuse"> {
  let summary = "Run the sse fusions in order (shared + routed, router, epilogue)";
  let description = [{
    Applies `sse-raise`, `sse-fuse-shared-routed`, then `sse-fuse-router`,
    then `sse-fuse-epilogue`, each to a fixpoint. The SSE-GLA layer core becomes
    one scan with a shared partition, its own router and its epilogue.
  }];
  let dependentDialects = ["sse::SSEDialect", "tensor::TensorDialect",
                           "linalg::LinalgDialect", "arith::ArithDialect"];
}

def SSETile : Pass<"sse-tile"> {
  let summary = "Choose and record the tiling of every sse.scan";
  let description = [{
    Attaches a `#sse.schedule` to every scan without one: chunk length,
    key/value tiles, work split and grouping. Each is taken from the option
    when given, otherwise from the cost model for the target described by
    the `target-*` options (default: one H100 SXM).

    Example: `sse-opt --sse-tile="chunk=32 split=chunked"` forces those two
    choices and lets the cost model pick the rest.
  }];
  let options = [
    Option<"chunk", "chunk", "int64_t", "0",
           "Chunk length (0: cost model)">,
    Option<"kTile", "k-tile", "int64_t", "0", "Key tile (0: cost model)">,
    Option<"vTile", "v-tile", "int64_t", "0", "Value tile (0: cost model)">,
    Option<"split", "split", "std::string", "\"auto\"",
           "Work split: auto, recurrent or chunked">,
    Option<"grouping", "grouping", "std::string", "\"auto\"",
           "Grouping of routed tokens: auto, dense or sorted">,
    Option<"targetSMs", "target-sms", "int64_t", "132",
           "Streaming multiprocessors">,
    Option<"targetSharedKB", "target-smem-kb", "int64_t", "227",
           "Shared memory per block (KiB)">,
    Option<"targetGBps", "target-gbps", "double", "3000.0",
           "Measured copy bandwidth (GB/s)">,
    Option<"targetTFlops", "target-tflops", "double", "660.0",
           "Measured dense bf16 tensor-core rate (TFLOP/s)">
  ];
}

def TestSSECostModel : Pass<"test-sse-cost-model"> {
  let summary = "Test only: print the cost model's decision for every scan";
  let description = [{
    Emits a remark on every `sse.scan` with the schedule the cost model
    picks, its estimate, and the best alternative of the other work split,
    so lit tests can pin decisions for representative shapes.
  }];
  let options = [
    Option<"targetSMs", "target-sms", "int64_t", "132",
           "Streaming multiprocessors">,
    Option<"targetSharedKB", "target-smem-kb", "int64_t", "227",
           "Shared memory per block (KiB)">,
    Option<"targetGBps", "target-gbps", "double", "3000.0",
           "Measured copy bandwidth (GB/s)">,
    Option<"targetTFlops", "target-tflops", "double", "660.0",
           "Measured dense bf16 tensor-core rate (TFLOP/s)">
  ];
}

#endif // SSE_TRANSFORMS_PASSES_TD
