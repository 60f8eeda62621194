// One-shot bufferization handles the sse_gpu ops through upstream's
// destination-passing-style model: each op is rebuilt on the buffers of its
// operands, its destinations written in place (no copy of the states, which
// are the function's argument), and nothing else happens (no kernel).
// RUN: sse-opt %s -one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s

#plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32,
  segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2,
  producer_registers = 40, consumer_registers = 232, stages = 2, load = tma,
  cluster = 1, combine = direct, precision = bf16, smem = {}, smem_bytes = 0>

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[Q:.*]]: memref<2x64x2x16xbf16{{.*}}>, %[[V:.*]]: memref<2x64x2x32xbf16{{.*}}>, %[[S:.*]]: memref<2x2x1x16x32xf32{{.*}}>)
// CHECK: %[[O:.*]] = memref.alloc() {{.*}}: memref<2x64x2x32xbf16>
// CHECK-NOT: memref.copy
// CHECK: sse_gpu.chunk_scan ins(%[[Q]], %[[Q]], %[[V]] : {{.*}}) outs(%[[O]], %[[S]] : memref<2x64x2x32xbf16>, memref<2x2x1x16x32xf32{{.*}}>) {first_partition = 0 : i64
// CHECK-NOT: ->
// CHECK: return %[[O]], %[[S]]
func.func @step(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %s0: tensor<2x2x1x16x32xf32>) -> (tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {
  %o0 = tensor.empty() : tensor<2x64x2x32xbf16>
  %o, %s = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o0, %s0 : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #plan} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return %o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
}

// CHECK-LABEL: func.func @group
// CHECK: sse_gpu.group ins(%{{.*}} : memref<2x64x1xi32{{.*}}>) outs(%{{.*}}, %{{.*}} : memref<2x4xi32>, memref<2x4x64xi32>) {partitions = 4 : i64}
// CHECK-NOT: ->
func.func @group(%i: tensor<2x64x1xi32>) -> (tensor<2x4xi32>, tensor<2x4x64xi32>) {
  %c0 = tensor.empty() : tensor<2x4xi32>
  %t0 = tensor.empty() : tensor<2x4x64xi32>
  %c, %t = sse_gpu.group ins(%i : tensor<2x64x1xi32>) outs(%c0, %t0 : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64} -> tensor<2x4xi32>, tensor<2x4x64xi32>
  return %c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>
}
