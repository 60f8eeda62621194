// The bundled example: the core of one SSE-GLA layer (SPEC.md 1.4) with
// N = 4 sparse partitions, top-1 routing, per-key log-gates, at a small size
// (B = 2, T = 64, H = 2, K = 16, V = 32).
//
//   o = scan(q1, k1, v, g1)                          shared partition
//     + scan(q2, k2, v, g2, routed by classify(z))   4 sparse partitions
//
// Results: o, the shared state and the 4 routed states of every head.
func.func @sse_gla_core(
    %q1: tensor<2x64x2x16xf32>, %k1: tensor<2x64x2x16xf32>,
    %q2: tensor<2x64x2x16xf32>, %k2: tensor<2x64x2x16xf32>,
    %v: tensor<2x64x2x32xf32>,
    %g1: tensor<2x64x2x16xf32>, %g2: tensor<2x64x2x16xf32>,
    %z: tensor<2x64x4xf32>)
    -> (tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>) {
  // Sparse state classification: softmax over 4 partitions, keep the top 1.
  %w, %i = sse.classify %z {k = 1 : i64}
      : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
  // The shared partition: every token, weight 1.
  %o1, %s1 = sse.scan %q1, %k1, %v gate(%g1)
      : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>,
         tensor<2x64x2x16xf32>)
      -> (tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>)
  // The routed partitions: each token writes and reads only its own.
  %o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {partitions = 4 : i64}
      : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>,
         tensor<2x64x2x16xf32>, tensor<2x64x1xf32>, tensor<2x64x1xi32>)
      -> (tensor<2x64x2x32xf32>, tensor<2x2x4x16x32xf32>)
  %empty = tensor.empty() : tensor<2x64x2x32xf32>
  %o = linalg.add ins(%o1, %o2 : tensor<2x64x2x32xf32>, tensor<2x64x2x32xf32>)
                  outs(%empty : tensor<2x64x2x32xf32>) -> tensor<2x64x2x32xf32>
  return %o, %s1, %s2
      : tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>
}
