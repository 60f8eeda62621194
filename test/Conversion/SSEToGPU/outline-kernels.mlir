// sse-outline-kernels: outlining keeps the lowering's occupancy hint (as
// nvvm.minctasm on the kernel it names); kernels without one get none.
// RUN: sse-opt %s -sse-outline-kernels | FileCheck %s

// CHECK-LABEL: gpu.module @hinted
// CHECK: gpu.func @hinted({{.*}}) kernel attributes {{{.*}}nvvm.minctasm = 2 : i32
// CHECK-LABEL: gpu.module @plain
// CHECK-NOT: nvvm.minctasm
// CHECK: gpu.return
module attributes {gpu.container_module} {
  func.func @f(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch blocks(%a, %b, %c) in (%x = %c1, %y = %c1, %z = %c1) threads(%d, %e, %f) in (%u = %c1, %v = %c1, %w = %c1) {
      %c0 = arith.constant 0 : index
      %one = arith.constant 1.0 : f32
      memref.store %one, %m[%c0] : memref<4xf32>
      gpu.terminator
    } {function = @hinted, module = @hinted, sse.min_blocks_per_sm = 2 : i32}
    gpu.launch blocks(%a, %b, %c) in (%x = %c1, %y = %c1, %z = %c1) threads(%d, %e, %f) in (%u = %c1, %v = %c1, %w = %c1) {
      %c0 = arith.constant 0 : index
      %two = arith.constant 2.0 : f32
      memref.store %two, %m[%c0] : memref<4xf32>
      gpu.terminator
    } {function = @plain, module = @plain}
    return
  }
}
