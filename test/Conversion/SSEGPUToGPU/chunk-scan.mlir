// convert-sse-gpu-to-gpu: a dense sse_gpu.chunk_scan on buffers becomes a
// launch of the chunk-scan kernel, a grid of (V slices, heads, sequences)
// with two warpgroups and the plan's dynamic shared memory; the kernel
// loads with 16-byte cp.async, forms the products with wgmma, and its PTX
// assembles (wgmma.mma_async and cp.async.cg checked in the PTX).
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | FileCheck %s
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" | %python %sse_src/scripts/extract_ptx.py %t | FileCheck %s --check-prefix=PTX
// REQUIRES: ptxas
// RUN: %ptxas -arch=sm_90a %t/kernel0.ptx -o %t/kernel0.cubin
// RUN: FileCheck %s --input-file=%t/kernel0.ptx --check-prefix=ASM
// RUN: FileCheck %s --input-file=%t/kernel0.ptx --check-prefix=STATECOPY
// RUN: FileCheck %s --input-file=%t/kernel0.ptx --check-prefix=ROLES

// CHECK-LABEL: func.func @gated
// CHECK-NOT: sse_gpu.chunk_scan
// CHECK: %[[SMEM:.*]] = arith.constant 120832 : i32
// CHECK: gpu.launch_func @sse_kernels::@sse_chunk_scan_0 blocks in (%[[ONE:.*]], %[[TWO:.*]], %[[ONE]]) threads in (%[[T:.*]], %[[ONE]], %[[ONE]]) dynamic_shared_memory_size %[[SMEM]] args(%arg0 : memref<1x100x2x64xbf16>, %arg1 : memref<1x100x2x64xbf16>, %arg2 : memref<1x100x2x64xbf16>, %arg3 : memref<1x100x2x64xbf16>, %arg4 : memref<1x100x2x64xbf16>, %arg5 : memref<1x2x1x64x64xf32>)
// CHECK-LABEL: func.func @ungated
// CHECK: gpu.launch_func @sse_kernels::@sse_chunk_scan_1
// CHECK: gpu.module @sse_kernels
// CHECK: gpu.func @sse_chunk_scan_0({{.*}}) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// The raw tiles are copied 16 bytes at a time, zero-filled past the end:
// CHECK: nvgpu.device_async_copy {{.*}}, 8, %{{.*}} {bypassL1}
// CHECK: nvvm.cp.async.commit.group
// The chunk loop: wait for the tiles, the vote on the fast scores, the
// tensor-core products.
// CHECK: scf.for
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: nvvm.barrier #nvvm.reduction<and>
// CHECK: nvvm.wgmma.mma_async
// CHECK: gpu.func @sse_chunk_scan_1
// PTX: kernel0.ptx
// ASM: .entry sse_chunk_scan_0
// ASM: cp.async.cg.shared.global
// ASM: bar.red.and.pred
// ASM: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// ASM: wgmma.commit_group.sync.aligned
// The gated case's plan stages o: its rows leave as 16-byte stores.
// ASM: st.global.v4.b32
// ASM: .entry sse_chunk_scan_1
// ASM-NOT: st.global.v4
// Warpgroup 1's bf16 copy of the state, transposed by stmatrix:
// STATECOPY: stmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// Warpgroup 1 forms the scores and the state update as two wgmma groups
// and writes the masked scores once the first is done; warpgroup 0 waits
// for them on named barrier 2 before P V.
// ROLES-DAG: wgmma.wait_group.sync.aligned {{[[:space:]]*}}1;
// ROLES-DAG: bar.sync {{[[:space:]]*}}2, 256;

func.func @gated(%q: memref<1x100x2x64xbf16>, %k: memref<1x100x2x64xbf16>, %v: memref<1x100x2x64xbf16>, %g: memref<1x100x2x64xbf16>, %o: memref<1x100x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
  sse_gpu.chunk_scan ins(%q, %k, %v : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) gate(%g : memref<1x100x2x64xbf16>) outs(%o, %s : memref<1x100x2x64xbf16>, memref<1x2x1x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {decay = array<i64: 110592, 256>, g = array<i64: 24576, 8192>, k = array<i64: 8192, 8192>, ostage = array<i64: 111616, 9216>, kd = array<i64: 60416, 9200>, ks = array<i64: 51200, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 32768, 8304>, scores = array<i64: 86016, 8192>, slow = array<i64: 94208, 16384>, state = array<i64: 77824, 8192>, v = array<i64: 16384, 8192>, vt = array<i64: 69632, 8192>}, smem_bytes = 120832>, scale = 1.250000e-01 : f32, zero_init}
  return
}

func.func @ungated(%q: memref<1x100x2x64xbf16>, %k: memref<1x100x2x64xbf16>, %v: memref<1x100x2x64xbf16>, %o: memref<1x100x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
  sse_gpu.chunk_scan ins(%q, %k, %v : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) outs(%o, %s : memref<1x100x2x64xbf16>, memref<1x2x1x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {k = array<i64: 8192, 8192>, kd = array<i64: 52224, 9200>, ks = array<i64: 43008, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 24576, 8304>, scores = array<i64: 77824, 8192>, state = array<i64: 69632, 8192>, v = array<i64: 16384, 8192>, visits = array<i64: 86016, 512>, vt = array<i64: 61440, 8192>}, smem_bytes = 87040>, scale = 1.250000e-01 : f32}
  return
}
