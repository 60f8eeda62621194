func.func @per_key_gate(%q: tensor<1x64x0x32xbf16>, %v: tensor<1x64x0x32xbf16>, %g: tensor<1x64x0x32xbf16>) -> tensor<1x64x0x32xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%g) : (tensor<1x64x0x32xbf16>, tensor<1x64x0x32xbf16>, tensor<1x64x0x32xbf16>, tensor<1x64x0x32xbf16>) -> (tensor<1x64x0x32xbf16>, tensor<1x0x1x32x32xf32>)
  return %o : tensor<1x64x0x32xbf16>
}
