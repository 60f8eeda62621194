func.func @two_scans(%q: tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>) {
  %o, %s = sse.scan %q, %q, %q {sse.gpu_kernels = {}} : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>)
  %o2, %s2 = sse.scan %o, %o, %o : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>)
  return %o2, %s : tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>
}
