func.func @topk_then_softmax(%z: tensor<3x2147483648xbf16>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<topk_then_softmax>} : tensor<3x2147483648xbf16> -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %w, %i : tensor<3x2xf32>, tensor<3x2xi64>
}
