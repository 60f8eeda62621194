func.func @norm_then_gate(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %w: tensor<2x32xf32>, %x: tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>) {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
  %n = sse.rms_norm %o, %w {eps = 1.0e-6 : f32} : tensor<1x8x2x32xf32>, tensor<2x32xf32>
  %y = sse.swish_gate %n, %x : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
  return %y, %y : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
}
