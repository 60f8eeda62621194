// sse-fuse-epilogue: sse.rms_norm and sse.swish_gate of a scan's output move
// into the scan's epilogue as norm(...) and out_gate(...).

func.func @norm_then_gate(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x2147483648xf32>, %w: tensor<2x2147483648xf32>, %x: tensor<1x8x2x2147483648xf32>) -> tensor<1x8x2x2147483648xf32> {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x2147483648xf32>) -> (tensor<1x8x2x2147483648xf32>, tensor<1x2x1x16x2147483648xf32>)
  %n = sse.rms_norm %o, %w {eps = 1.0e-6 : f32} : tensor<1x8x2x2147483648xf32>, tensor<2x2147483648xf32>
  %y = sse.swish_gate %n, %x : tensor<1x8x2x2147483648xf32>, tensor<1x8x2x2147483648xf32>
  return %y : tensor<1x8x2x2147483648xf32>
}

