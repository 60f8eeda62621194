func.func @decode(%q: tensor<0x1x2x65xf32>, %v: tensor<0x1x2x65xf32>, %cache: tensor<0x2x1x65x65xf32>) -> (tensor<0x1x2x65xf32>, tensor<0x2x1x65x65xf32>) {
  %o, %s = sse.scan %q, %q, %v init(%cache) : (tensor<0x1x2x65xf32>, tensor<0x1x2x65xf32>, tensor<0x1x2x65xf32>, tensor<0x2x1x65x65xf32>) -> (tensor<0x1x2x65xf32>, tensor<0x2x1x65x65xf32>)
  return %o, %s : tensor<0x1x2x65xf32>, tensor<0x2x1x65x65xf32>
}
