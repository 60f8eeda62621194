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
  }];
  let cppNamespace = "::mlir::sse";
  let useDefaultAttributePrinterParser = 1;
}

#endif // SSE_DIALECT_TD
