// sse-unroll-kernel-loops unrolls the loops the scan kernels marked with
// sse.unroll = factor (an epilogue loop takes the remainder of a dynamic
// trip count) and removes the mark; unmarked loops stay.
// RUN: sse-opt %s -sse-unroll-kernel-loops | FileCheck %s

// CHECK-LABEL: func.func @marked
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK-COUNT-4: memref.store
// CHECK-NOT: sse.unroll
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[N:.*]] step %c1
// CHECK-NOT: scf.for
// CHECK: return
func.func @marked(%m: memref<16xf32>, %n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  } {sse.unroll = 4 : i64}
  scf.for %i = %c0 to %n step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  }
  return
}
