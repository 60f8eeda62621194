// convert-sse-to-gpu: three kernels per scan (zero the f32 accumulator, the
// scan, the epilogue); additive scans on f16/bf16 use the tensor-core scan
// kernel (warp-level MMA on workgroup memory), others the column-per-thread
// kernel with atomic accumulation.
// RUN: sse-opt %s -convert-sse-to-gpu -split-input-file | FileCheck %s
// RUN: sse-opt %s -convert-sse-to-gpu=tensor-cores=false -split-input-file | FileCheck %s --check-prefix=NOTC

// CHECK-LABEL: func.func @f32_delta
// CHECK: gpu.launch
// CHECK: gpu.launch
// CHECK-NOT: gpu.subgroup_mma
// CHECK: memref.atomic_rmw addf
// CHECK: gpu.launch
// CHECK: bufferization.to_tensor
func.func @f32_delta(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>, %g: tensor<1x8x2xf32>, %b: tensor<1x8x2xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) -> tensor<1x8x2x32xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g) beta(%b) route(%w, %i) {partitions = 4 : i64, rule = #sse.rule<delta>}
    : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
  return %o : tensor<1x8x2x32xf32>
}

// -----

// bf16, additive, K and V multiples of 16: one warp per (sequence, head,
// partition, 16 columns); operands staged as f16 in workgroup memory;
// Qd S (K / 16 steps) + A V, then Kd^T V on the f32 state tile.
// CHECK-LABEL: func.func @bf16_additive
// CHECK: gpu.launch
// CHECK: gpu.launch {{.*}} workgroup(%{{.*}} : memref<16x32xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x16xf16, #gpu.address_space<workgroup>>
// CHECK: gpu.barrier
// CHECK: gpu.subgroup_mma_constant_matrix
// CHECK-COUNT-3: gpu.subgroup_mma_compute
// CHECK: gpu.subgroup_mma_store_matrix
// CHECK: memref.atomic_rmw addf
// CHECK-COUNT-2: gpu.subgroup_mma_compute
// CHECK: gpu.launch
// NOTC-LABEL: func.func @bf16_additive
// NOTC-NOT: gpu.subgroup_mma
// NOTC: return
func.func @bf16_additive(%q: tensor<1x40x2x32xbf16>, %v: tensor<1x40x2x32xbf16>, %g: tensor<1x40x2x32xbf16>, %z: tensor<1x40x4xf32>) -> tensor<1x40x2x32xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%g) shared(%q, %q) router(%z) {partitions = 4 : i64, top_k = 1 : i64}
    : (tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x4xf32>) -> (tensor<1x40x2x32xbf16>, tensor<1x2x5x32x32xf32>)
  return %o : tensor<1x40x2x32xbf16>
}

