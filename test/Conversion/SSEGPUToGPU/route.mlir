// convert-sse-gpu-to-gpu: sse_gpu.route on buffers becomes a launch of a
// router kernel emitted directly into gpu.module @sse_kernels, one thread
// per row (2 x 100 rows: 2 blocks of 128), which lowers to PTX that ptxas
// accepts. (Ops on tensors: route-invalid.mlir.)
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | FileCheck %s
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" | %python %sse_src/scripts/extract_ptx.py %t | FileCheck %s --check-prefix=PTX
// REQUIRES: ptxas
// RUN: %ptxas -arch=sm_90a %t/kernel0.ptx -o %t/kernel0.cubin

// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func.func @route
// CHECK-NOT: sse_gpu.route
// CHECK: gpu.launch_func @sse_kernels::@sse_route_0 blocks in (%[[TWO:.*]], %[[ONE:.*]], %[[ONE]]) threads in (%[[T:.*]], %[[ONE]], %[[ONE]]) args(%arg0 : memref<2x100x4xbf16>, %arg1 : memref<2x100x2xf32>, %arg2 : memref<2x100x2xi32>)
// CHECK: gpu.launch_func @sse_kernels::@sse_route_1 {{.*}} args(%arg3 : memref<4x4x16xf32>
// CHECK: gpu.module @sse_kernels
// The softmax-then-top-k router divides by the sum over all N:
// CHECK: gpu.func @sse_route_0(%{{.*}}: memref<2x100x4xbf16>, %{{.*}}: memref<2x100x2xf32>, %{{.*}}: memref<2x100x2xi32>) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// CHECK: arith.cmpi ult, %{{.*}}, %c200
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK-COUNT-2: scf.for
// CHECK: memref.store {{.*}} : memref<2x100x2xf32>
// CHECK: arith.index_cast {{.*}} : index to i32
// CHECK: gpu.return
// CHECK: gpu.func @sse_route_1
// PTX: kernel0.ptx

func.func @route(%z: memref<2x100x4xbf16>, %w: memref<2x100x2xf32>, %i: memref<2x100x2xi32>, %z2: memref<4x4x16xf32>, %w2: memref<4x4x1xf32>, %i2: memref<4x4x1xi32>) {
  sse_gpu.route ins(%z : memref<2x100x4xbf16>) outs(%w, %i : memref<2x100x2xf32>, memref<2x100x2xi32>) {top_k = 2 : i64}
  sse_gpu.route ins(%z2 : memref<4x4x16xf32>) outs(%w2, %i2 : memref<4x4x1xf32>, memref<4x4x1xi32>) {top_k = 1 : i64, order = #sse.order<topk_then_softmax>}
  return
}
