// convert-sse-gpu-to-gpu: sse_gpu.group on buffers becomes a launch of the
// grouping kernel, one block of 256 threads per list (sequence [x head] x
// partition: 2 x 4 here, 2 x 3 x 2 per head), which lowers to PTX that
// ptxas accepts.
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | FileCheck %s
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" | %python %sse_src/scripts/extract_ptx.py %t | FileCheck %s --check-prefix=PTX
// REQUIRES: ptxas
// RUN: %ptxas -arch=sm_90a %t/kernel0.ptx -o %t/kernel0.cubin

// CHECK-LABEL: func.func @group
// CHECK-NOT: sse_gpu.group
// CHECK: %[[EIGHT:.*]] = arith.constant 8 : index
// CHECK: gpu.launch_func @sse_kernels::@sse_group_0 blocks in (%[[EIGHT]], %{{.*}}, %{{.*}}) threads in (%[[T:.*]], %{{.*}}, %{{.*}}) args(%arg0 : memref<2x100x2xi32>, %arg1 : memref<2x4xi32>, %arg2 : memref<2x4x100xi32>)
// CHECK: gpu.launch_func @sse_kernels::@sse_group_1 {{.*}} args(%arg3 : memref<1x50x3x1xi32>, %arg4 : memref<3xi32>, %arg5 : memref<2x3x2xi32>, %arg6 : memref<2x3x2x50xi32>)
// CHECK: gpu.module @sse_kernels
// Block = (sequence, partition); the warps' totals in workgroup memory;
// the steps walk 256 x 8 tokens; the visits are t * k + slot.
// CHECK: gpu.func @sse_group_0(%{{.*}}: memref<2x100x2xi32>, %{{.*}}: memref<2x4xi32>, %{{.*}}: memref<2x4x100xi32>) workgroup(%[[TOTALS:.*]] : memref<8xindex, #gpu.address_space<workgroup>>) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c2048
// CHECK: gpu.shuffle up
// CHECK: gpu.barrier
// CHECK: memref.store {{.*}}, %[[TOTALS]]
// CHECK: gpu.barrier
// CHECK: memref.store {{.*}} : memref<2x4x100xi32>
// CHECK: scf.yield
// CHECK: memref.store {{.*}} : memref<2x4xi32>
// CHECK: gpu.return
// Packed sequences: the range from cu_seqlens, lists per head.
// CHECK: gpu.func @sse_group_1
// CHECK: memref.load {{.*}} : memref<3xi32>
// CHECK: memref.store {{.*}} : memref<2x3x2x50xi32>
// PTX: kernel0.ptx

func.func @group(%i: memref<2x100x2xi32>, %c: memref<2x4xi32>, %t: memref<2x4x100xi32>,
                 %ih: memref<1x50x3x1xi32>, %cu: memref<3xi32>, %ch: memref<2x3x2xi32>, %th: memref<2x3x2x50xi32>) {
  sse_gpu.group ins(%i : memref<2x100x2xi32>) outs(%c, %t : memref<2x4xi32>, memref<2x4x100xi32>) {partitions = 4 : i64}
  sse_gpu.group ins(%ih, %cu : memref<1x50x3x1xi32>, memref<3xi32>) outs(%ch, %th : memref<2x3x2xi32>, memref<2x3x2x50xi32>) {partitions = 2 : i64}
  return
}
