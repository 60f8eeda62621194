//===- SSEDialect.td - The sse dialect definition ------------*- tablegen -*-===//
//
// Declares the `sse` dialect: Sparse State Expansion (SSE) layers at the level
// of a model graph (router classification and expanded-state scans).
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_TD
#define SSE_DIALECT_TD

include "mlir/IR/OpBase.td"

def SSE_Dialect : Dialect {
  let name = "sse";
  let summary = "Sparse State Expansion: routed, expanded-state linear attention";
  let description = [{
    The `sse` dialect carries the two computations of a Sparse State
    Expansion layer at graph level, with tensor (value) semantics:

    * `sse.classify` turns router logits into top-k partition weights and
      indices (the "sparse state classification");
    * `sse.scan` runs the expanded-state linear-attention recurrence in
      which every token writes and reads only the partitions it was
      classified into.

    Projections, norms and elementwise work stay in upstream `linalg`,
    `tensor`, `arith` and `math`.

    The passes communicate through a few discardable attributes, declared
    by the dialect and checked by its verifier (names in
    `sse/Dialect/SSE/IR/SSEAttrNames.h`):

    * `sse.unroll = n : i64` on an `scf.for` of a GPU kernel: unroll by n,
      an integer in [1, 64];
    * `sse.min_blocks_per_sm = n : i32` on a `gpu.launch`: the occupancy
      hint (`nvvm.minctasm` after outlining), an integer in [1, 32];
    * `sse.gpu_kernels = {index = i : i64, tensor_cores = b}` on an
      `sse.scan`: set by `convert-sse-to-gpu{lower-scans=false}` for
      one-shot bufferization, `i >= 0`, `b` a bool;
    * `sse.results_in_args = {fn = array<i64: a0, ...>}` on a module: set by
      `sse-drop-in-place-results`, `a_i >= 0` the argument that holds
      result i after the call, -1 a result that is still returned.

    `sse.gpu_kernels` and `sse.results_in_args` are owned by the pipelines:
    `sse-to-llvm-cpu` and `sse-to-nvvm` reject them in their input.
  }];
  let cppNamespace = "::mlir::sse";
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
}

#endif // SSE_DIALECT_TD
