func.func @f16_additive(%q: tensor<1x20x1x32xf16>, %v: tensor<1x20x1x32xf16>, %g: tensor<1x20x1xf16>) -> (tensor<1x20x1x32xf16>, tensor<1x20x1x32xf16>) {
  %o, %s = sse.scan %q, %q, %v gate(%g)
    : (tensor<1x20x1x32xf16>, tensor<1x20x1x32xf16>, tensor<1x20x1x32xf16>, tensor<1x20x1xf16>) -> (tensor<1x20x1x32xf16>, tensor<1x1x1x32x32xf32>)
  return %o, %o : tensor<1x20x1x32xf16>, tensor<1x20x1x32xf16>
}
