// convert-sse-to-gpu: per scan, a device memset zeroes the f32 output
// accumulator, then two kernels (the scan, the epilogue) run; scans whose
// K and V are multiples of 16 use the tensor-core scan kernel (ldmatrix +
// mma.sync on shared memory; the delta rule through a triangular solve per
// 16-token step), others the column-per-thread kernel with atomic
// accumulation.
// RUN: sse-opt %s -convert-sse-to-gpu -split-input-file | FileCheck %s
// RUN: sse-opt %s -convert-sse-to-gpu=tensor-cores=false -split-input-file | FileCheck %s --check-prefix=NOTC

// V = 24 is not a multiple of 16: the column kernel.
// CHECK-LABEL: func.func @f32_delta_column
// CHECK: gpu.memset
// CHECK: gpu.launch
// CHECK-NOT: nvgpu.mma.sync
// CHECK: memref.atomic_rmw addf
// CHECK: gpu.launch
// CHECK: bufferization.to_tensor
func.func @f32_delta_column(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x24xf32>, %g: tensor<1x8x2xf32>, %b: tensor<1x8x2xf32>, %w: tensor<1x8x1xf32>, %i: tensor<1x8x1xi32>) -> tensor<1x8x2x24xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g) beta(%b) route(%w, %i) {partitions = 4 : i64, rule = #sse.rule<delta>}
    : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x24xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>, tensor<1x8x1xf32>, tensor<1x8x1xi32>) -> (tensor<1x8x2x24xf32>, tensor<1x2x4x16x24xf32>)
  return %o : tensor<1x8x2x24xf32>
}

// -----

// The delta rule on the tensor-core kernel (K = V = 32, bf16). Per 16-token
// step, before the additive step's products: M (the strictly lower
// beta w w k k^T e^(G_i - G_j) scores, tf32, kept in f32), R = V - Kg S
// (bf16 operands, f32 accumulation), then a thread per column solves
// U = beta R - M U into the bf16 B operand that A U and Kd^T U read.
// CHECK-LABEL: func.func @bf16_delta
// CHECK: gpu.launch {{.*}} module(@sse_scan_tc)
// CHECK: %[[M:[a-z0-9_]+]] = memref.view {{.*}} to memref<16x17xf32, #gpu.address_space<workgroup>>
// CHECK: %[[R:[a-z0-9_]+]] = memref.view {{.*}} to memref<16x36xf32, #gpu.address_space<workgroup>>
// CHECK: scf.for {{.*}} step %c64
// CHECK-COUNT-4: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// CHECK: arith.cmpi ult
// CHECK: memref.store {{.*}}, %[[M]]
// CHECK: nvvm.mma.sync {{.*}} multiplicandAPtxType = #nvvm.mma_type<bf16>
// CHECK: arith.subf
// CHECK: memref.store {{.*}}, %[[R]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[M]]
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: gpu.barrier
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// CHECK: arith.cmpi ule
// NOTC-LABEL: func.func @bf16_delta
// NOTC-NOT: nvgpu.mma.sync
// NOTC: return
func.func @bf16_delta(%q: tensor<1x40x2x32xbf16>, %v: tensor<1x40x2x32xbf16>, %g: tensor<1x40x2xbf16>, %b: tensor<1x40x2xbf16>, %w: tensor<1x40x1xf32>, %i: tensor<1x40x1xi32>) -> tensor<1x40x2x32xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%g) beta(%b) route(%w, %i) {partitions = 4 : i64, rule = #sse.rule<delta>}
    : (tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2xbf16>, tensor<1x40x2xbf16>, tensor<1x40x1xf32>, tensor<1x40x1xi32>) -> (tensor<1x40x2x32xbf16>, tensor<1x2x4x32x32xf32>)
  return %o : tensor<1x40x2x32xbf16>
}

// -----

// bf16, additive, K and V multiples of 16: the tensor-core kernel. One
// warp (K = V = 32) per (sequence, head, partition); the chunk (64 tokens
// without a schedule) is staged in dynamic shared memory; the f32 state
// tiles (2 x 4 of 16 x 8) are loop-carried mma accumulators; per 16-token
// step Qd S (K / 16 = 2 mmas) + A V (1) per 8 output columns, then one
// mma per state tile for Kd^T V. The operands are bf16 (the input type's
// range), multiplied by nvvm.mma.sync on packed registers, since
// nvgpu.mma.sync does not lower bf16.
// CHECK-LABEL: func.func @bf16_additive
// CHECK: gpu.memset
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c32{{.*}} dynamic_shared_memory_size
// CHECK: gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK: memref.view {{.*}} to memref<64x32xbf16, #gpu.address_space<workgroup>>
// CHECK: scf.for {{.*}} step %c64{{.*}} iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK: gpu.barrier
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<2x2xf32>
// The scores: 16 x 16 over K = 32 in tf32, two column tiles of 4 k-steps.
// CHECK-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// CHECK-COUNT-3: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : memref<{{.*}}xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = 2 : i32, transpose = true} : memref<32x40xbf16, #gpu.address_space<workgroup>> -> vector<2x2xbf16>
// CHECK-COUNT-3: nvvm.mma.sync
// CHECK: memref.atomic_rmw addf
// CHECK-COUNT-8: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK: vector.store {{.*}} : memref<1x2x5x32x32xf32>, vector<2xf32>
// CHECK: gpu.launch
// NOTC-LABEL: func.func @bf16_additive
// NOTC-NOT: nvgpu.mma.sync
// NOTC: return
func.func @bf16_additive(%q: tensor<1x40x2x32xbf16>, %v: tensor<1x40x2x32xbf16>, %g: tensor<1x40x2x32xbf16>, %z: tensor<1x40x4xf32>) -> tensor<1x40x2x32xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%g) shared(%q, %q) router(%z) {partitions = 4 : i64, top_k = 1 : i64}
    : (tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x4xf32>) -> (tensor<1x40x2x32xbf16>, tensor<1x2x5x32x32xf32>)
  return %o : tensor<1x40x2x32xbf16>
}


// -----

// f16, additive: f16 operands through nvgpu.ldmatrix and nvgpu.mma.sync.
// CHECK-LABEL: func.func @f16_additive
// CHECK: gpu.launch {{.*}} module(@sse_scan_tc)
// CHECK: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : memref<16x40xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT: nvvm.mma.sync
// CHECK: module(@sse_epilogue)
// NOTC-LABEL: func.func @f16_additive
// NOTC-NOT: nvgpu.mma.sync
// NOTC: return
func.func @f16_additive(%q: tensor<1x20x1x32xf16>, %v: tensor<1x20x1x32xf16>, %g: tensor<1x20x1xf16>) -> tensor<1x20x1x32xf16> {
  %o, %s = sse.scan %q, %q, %v gate(%g)
    : (tensor<1x20x1x32xf16>, tensor<1x20x1x32xf16>, tensor<1x20x1x32xf16>, tensor<1x20x1xf16>) -> (tensor<1x20x1x32xf16>, tensor<1x1x1x32x32xf32>)
  return %o : tensor<1x20x1x32xf16>
}

// -----

// f32, additive: the tensor-core kernel with f32 operands multiplied as
// 3xTF32 (each operand split into a tf32 part and its remainder, three mma
// m16n8k8 per product; fragments read from shared memory without
// ldmatrix). K = V = 16: scores 2 x 2 products, Qd S 2 + A V 2 per column
// tile (2 tiles), the state update 2 per state tile (2 tiles): 16 products.
// CHECK-LABEL: func.func @f32_additive
// CHECK: gpu.memset
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size
// CHECK: memref.view {{.*}} to memref<64x16xf32, #gpu.address_space<workgroup>>
// CHECK-NOT: nvgpu.ldmatrix
// CHECK: arith.andi {{.*}} : vector<4x1xi32>
// CHECK-COUNT-48: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT: nvgpu.mma.sync
// CHECK: gpu.launch
// NOTC-LABEL: func.func @f32_additive
// NOTC-NOT: nvgpu.mma.sync
// NOTC: return
func.func @f32_additive(%q: tensor<1x20x1x16xf32>, %v: tensor<1x20x1x16xf32>, %g: tensor<1x20x1xf32>) -> tensor<1x20x1x16xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g)
    : (tensor<1x20x1x16xf32>, tensor<1x20x1x16xf32>, tensor<1x20x1x16xf32>, tensor<1x20x1xf32>) -> (tensor<1x20x1x16xf32>, tensor<1x1x1x16x16xf32>)
  return %o : tensor<1x20x1x16xf32>
}

// -----

// A gated shared partition beside ungated routed ones: the tensor-core
// kernel stages the shared gate for partition 0 (a uniform branch on the
// partition kind) and no gate for the others.
// CHECK-LABEL: func.func @shared_gate_only
// CHECK: gpu.launch {{.*}} dynamic_shared_memory_size {{.*}} module(@sse_scan_tc)
// CHECK: scf.if %{{.*}} -> (f32) {
// CHECK-NEXT: memref.load %{{.*}} : memref<1x20x1xbf16>
// NOTC-LABEL: func.func @shared_gate_only
// NOTC: return
func.func @shared_gate_only(%q: tensor<1x20x1x16xbf16>, %v: tensor<1x20x1x16xbf16>, %sg: tensor<1x20x1xbf16>, %w: tensor<1x20x1xf32>, %i: tensor<1x20x1xi32>) -> tensor<1x20x1x16xbf16> {
  %o, %s = sse.scan %q, %q, %v shared(%q, %q) shared_gate(%sg) route(%w, %i) {partitions = 2 : i64}
    : (tensor<1x20x1x16xbf16>, tensor<1x20x1x16xbf16>, tensor<1x20x1x16xbf16>, tensor<1x20x1x16xbf16>, tensor<1x20x1x16xbf16>, tensor<1x20x1xbf16>, tensor<1x20x1xf32>, tensor<1x20x1xi32>) -> (tensor<1x20x1x16xbf16>, tensor<1x1x3x16x16xf32>)
  return %o : tensor<1x20x1x16xbf16>
}
