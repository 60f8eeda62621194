// convert-sse-gpu-to-gpu: sse_gpu.combine_outputs on buffers becomes a
// launch of the output kernel, one warp per row (b, t, h): 2 x 64 x 2 rows,
// 8 per block, 32 blocks. The lanes sum the shared partial and every
// visit's; with a norm the warp reduces the sum of squares by xor shuffles
// before the swish gate. PTX that ptxas accepts.
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | FileCheck %s
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" | %python %sse_src/scripts/extract_ptx.py %t | FileCheck %s --check-prefix=PTX
// REQUIRES: ptxas
// RUN: %ptxas -arch=sm_90a %t/kernel0.ptx -o %t/kernel0.cubin

// CHECK-LABEL: func.func @combine
// CHECK-NOT: sse_gpu.combine_outputs
// CHECK: %[[BLOCKS:.*]] = arith.constant 32 : index
// CHECK: gpu.launch_func @sse_kernels::@sse_combine_0 blocks in (%[[BLOCKS]], %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%arg0 : memref<2x64x2x2x32xf32>, %arg1 : memref<2x64x2x1x32xf32>, %arg4 : memref<2x64x2x32xbf16>)
// CHECK: gpu.launch_func @sse_kernels::@sse_combine_1 {{.*}} args(%arg0 : memref<2x64x2x2x32xf32>, %arg1 : memref<2x64x2x1x32xf32>, %arg2 : memref<32xf32>, %arg3 : memref<2x64x2x32xbf16>, %arg4 : memref<2x64x2x32xbf16>)
// CHECK: gpu.func @sse_combine_0
// CHECK: arith.cmpi ult, %{{.*}}, %c256
// CHECK: scf.for
// CHECK-COUNT-3: memref.load
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK-NOT: gpu.shuffle
// CHECK: gpu.return
// CHECK: gpu.func @sse_combine_1
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: math.sqrt
// CHECK: math.exp
// CHECK: gpu.return
// PTX: kernel0.ptx

func.func @combine(%p: memref<2x64x2x2x32xf32>, %p0: memref<2x64x2x1x32xf32>,
                   %w: memref<32xf32>, %g: memref<2x64x2x32xbf16>, %o: memref<2x64x2x32xbf16>) {
  sse_gpu.combine_outputs ins(%p : memref<2x64x2x2x32xf32>) shared(%p0 : memref<2x64x2x1x32xf32>) outs(%o : memref<2x64x2x32xbf16>)
  sse_gpu.combine_outputs ins(%p : memref<2x64x2x2x32xf32>) shared(%p0 : memref<2x64x2x1x32xf32>) norm(%w : memref<32xf32>) out_gate(%g : memref<2x64x2x32xbf16>) outs(%o : memref<2x64x2x32xbf16>) {eps = 1.0e-05 : f32}
  return
}
