// sse-to-nvvm updates a decode step's state cache in place: the entry no
// longer returns the cache (no out parameter, so no copy of it), and the
// module records that result 1 is argument 2 for the runners.
// RUN: sse-opt %s --sse-to-nvvm | FileCheck %s
// CHECK: module attributes {{{.*}}sse.results_in_args = {decode = array<i64: -1, 2>}
// CHECK: llvm.func @decode(
// CHECK: gpu.binary

func.func @decode(%q: tensor<4x1x2x16xbf16>, %v: tensor<4x1x2x16xbf16>, %cache: tensor<4x2x1x16x16xf32>) -> (tensor<4x1x2x16xbf16>, tensor<4x2x1x16x16xf32>) {
  %o, %s = sse.scan %q, %q, %v init(%cache) : (tensor<4x1x2x16xbf16>, tensor<4x1x2x16xbf16>, tensor<4x1x2x16xbf16>, tensor<4x2x1x16x16xf32>) -> (tensor<4x1x2x16xbf16>, tensor<4x2x1x16x16xf32>)
  return %o, %s : tensor<4x1x2x16xbf16>, tensor<4x2x1x16x16xf32>
}
