// The call that upstream's lowering of nvgpu.tma.create.descriptor emits
// has the signature libsse_cuda_runtime.so implements:
// mgpuTensorMapEncodeTiledMemref(rank, memref descriptor, data type,
// interleave, swizzle, L2 promotion, OOB fill, box sizes) -> tensor map.
// RUN: sse-opt %s --convert-nvgpu-to-nvvm | FileCheck %s
// CHECK-LABEL: func.func @make_descriptor
// The data type is CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 (9), the swizzle
// CU_TENSOR_MAP_SWIZZLE_128B (3); the box sizes go in memref order.
// CHECK: %[[TYPE:.*]] = llvm.mlir.constant(9 : i32) : i64
// CHECK: %[[RANK:.*]] = llvm.extractvalue %{{.*}}[0] : !llvm.struct<(i64, ptr)>
// CHECK: %[[DESC:.*]] = llvm.extractvalue %{{.*}}[1] : !llvm.struct<(i64, ptr)>
// CHECK: %[[BOX:.*]] = llvm.alloca
// CHECK: %[[SWIZZLE:.*]] = llvm.mlir.constant(3 : i32) : i64
// CHECK: llvm.call @mgpuTensorMapEncodeTiledMemref(%[[RANK]], %[[DESC]], %[[TYPE]], %{{.*}}, %[[SWIZZLE]], %{{.*}}, %{{.*}}, %[[BOX]]) : (i64, !llvm.ptr, i64, i64, i64, i64, i64, !llvm.ptr) -> !llvm.ptr

!tile = memref<64x64xbf16, 3>
!map = !nvgpu.tensormap.descriptor<tensor = !tile, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
func.func @make_descriptor(%m: memref<4096x128xbf16>) -> !map {
  %c64 = arith.constant 64 : index
  %unranked = memref.cast %m : memref<4096x128xbf16> to memref<*xbf16>
  %d = nvgpu.tma.create.descriptor %unranked box[%c64, %c64] : memref<*xbf16> -> !map
  return %d : !map
}
