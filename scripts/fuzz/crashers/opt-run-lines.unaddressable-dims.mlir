// RUN: sse-opt %s --transform-interpreter -split-input-file -verify-diagnostics
module attributes {transform.with_named_sequence} {
  func.func @gla_core_fused(
      %q1: tensor<2147483648x64x2147483648x16xf32>, %k1: tensor<2147483648x64x2147483648x16xf32>,
      %q2: tensor<2147483648x64x2147483648x16xf32>, %k2: tensor<2147483648x64x2147483648x16xf32>,
      %v: tensor<2147483648x64x2147483648x32xf32>,
      %g1: tensor<2147483648x64x2147483648x16xf32>, %g2: tensor<2147483648x64x2147483648x16xf32>,
      %z: tensor<2147483648x64x4xf32>)
      -> (tensor<2147483648x64x2147483648x32xf32>, tensor<2147483648x2147483648x1x16x32xf32>, tensor<2147483648x2147483648x4x16x32xf32>) {
    %w, %i = sse.classify %z {k = 1 : i64}
        : tensor<2147483648x64x4xf32> -> (tensor<2147483648x64x1xf32>, tensor<2147483648x64x1xi32>)
    %o1, %s1 = sse.scan %q1, %k1, %v gate(%g1)
        : (tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x64x2147483648x32xf32>,
           tensor<2147483648x64x2147483648x16xf32>)
        -> (tensor<2147483648x64x2147483648x32xf32>, tensor<2147483648x2147483648x1x16x32xf32>)
    %o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {partitions = 4 : i64}
        : (tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x64x2147483648x32xf32>,
           tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x64x1xf32>, tensor<2147483648x64x1xi32>)
        -> (tensor<2147483648x64x2147483648x32xf32>, tensor<2147483648x2147483648x4x16x32xf32>)
    %empty = tensor.empty() : tensor<2147483648x64x2147483648x32xf32>
    %o = linalg.add ins(%o1, %o2 : tensor<2147483648x64x2147483648x32xf32>, tensor<2147483648x64x2147483648x32xf32>)
                    outs(%empty : tensor<2147483648x64x2147483648x32xf32>) -> tensor<2147483648x64x2147483648x32xf32>
    return %o, %s1, %s2
        : tensor<2147483648x64x2147483648x32xf32>, tensor<2147483648x2147483648x1x16x32xf32>, tensor<2147483648x2147483648x4x16x32xf32>
  }
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %scan = transform.structured.match ops{["sse.scan"]} in %func
        : (!transform.any_op) -> !transform.op<"sse.scan">
    %tiled = transform.sse.tile %scan {chunk = 32, k_tile = 8, v_tile = 16,
        split = #sse.split<chunked>, grouping = #sse.grouping<dense>}
        : (!transform.op<"sse.scan">) -> !transform.op<"sse.scan">
    transform.yield
  }
}
