//===- Passes.td - Conversion passes of sse-mlir --------------*- tablegen -*-===//
//
// Lowerings out of the sse dialect. Each pass is a thin shell over a
// populate...Patterns function in its own library (lib/Conversion/<Name>).
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_PASSES_TD
#define SSE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSSEToSCF : Pass<"convert-sse-to-scf"> {
  let summary = "Lower sse ops to scf loops over memrefs (the CPU reference path)";
  let description = [{
    Rewrites `sse.classify` and `sse.scan` into sequential `scf.for` loop
    nests that compute SPEC.md section 1 exactly, in f32, one token after
    the other. Tensor operands are exposed as buffers with
    `bufferization.to_buffer`; results are fresh buffers wrapped with
    `bufferization.to_tensor restrict writable`, so the output is ready for
    `one-shot-bufferize`. Every output element is written: tokens outside
    the packed sequences of `cu_seqlens` get zeros, states without `init`
    start from zeros.

    This is the reference lowering for the CPU and for machines without a
    GPU; it is deliberately simple (no tiling, no vectorisation).

    Example:

    ```mlir
    func.func @router(%z: tensor<1x8x4xf32>)
        -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>) {
      %w, %i = sse.classify %z {k = 1 : i64}
          : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
      return %w, %i : tensor<1x8x1xf32>, tensor<1x8x1xi32>
    }
    ```

    the classify becomes a loop nest over the 8 rows that computes the max, the softmax
    denominator and the top-1 selection, storing into two new buffers.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "bufferization::BufferizationDialect",
    "linalg::LinalgDialect", "math::MathDialect", "memref::MemRefDialect",
    "scf::SCFDialect"
  ];
}

#endif // SSE_CONVERSION_PASSES_TD
