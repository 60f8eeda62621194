// sse-device-buffers: host-side allocations, copies and frees of a CUDA
// entry work on device memory; strided copies become a copy kernel; scratch
// buffers are freed before returning.
// RUN: sse-opt %s -pass-pipeline="builtin.module(func.func(sse-device-buffers))" | FileCheck %s

// CHECK-LABEL: func.func @entry
// CHECK-SAME: (%[[IN:.*]]: memref<2x3x4xf32>, %[[OUT:.*]]: memref<2x1x4xf32>, %[[OUT2:.*]]: memref<2x3x4xf32>)
// CHECK: %[[BUF:.*]] = gpu.alloc () : memref<2x3x4xf32>
// CHECK: gpu.memcpy %[[BUF]], %[[IN]]
// CHECK: %[[SLICE:.*]] = memref.subview %[[BUF]]
// CHECK: gpu.launch
// CHECK: memref.load %[[SLICE]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: gpu.memcpy %[[OUT2]], %[[BUF]]
// CHECK: gpu.dealloc %[[BUF]]
// CHECK-NEXT: return
func.func @entry(%in: memref<2x3x4xf32>, %out: memref<2x1x4xf32>, %out2: memref<2x3x4xf32>) {
  %buf = memref.alloc() : memref<2x3x4xf32>
  memref.copy %in, %buf : memref<2x3x4xf32> to memref<2x3x4xf32>
  %slice = memref.subview %buf[0, 1, 0] [2, 1, 4] [1, 1, 1] : memref<2x3x4xf32> to memref<2x1x4xf32, strided<[12, 4, 1], offset: 4>>
  memref.copy %slice, %out : memref<2x1x4xf32, strided<[12, 4, 1], offset: 4>> to memref<2x1x4xf32>
  memref.copy %buf, %out2 : memref<2x3x4xf32> to memref<2x3x4xf32>
  return
}
