// convert-sse-gpu-to-gpu: a routed sse_gpu.chunk_scan (4 partitions, 2
// visits per token, per-key gates, partial outputs) becomes a launch over
// (V slices, heads, sequences x partitions); each block walks the token
// list of its (sequence, partition): the list's length from counts, the
// rows of the listed tokens gathered by 16-byte cp.async, each visit's
// weight by a 4-byte cp.async, and one f32 partial per visit written at
// (b, t, h, slot); the states of partitions 1 + p are loaded and stored
// only by walks that have tokens. Its PTX assembles.
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | FileCheck %s
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" | %python %sse_src/scripts/extract_ptx.py %t | FileCheck %s --check-prefix=PTX
// REQUIRES: ptxas
// RUN: %ptxas -arch=sm_90a %t/kernel0.ptx -o %t/kernel0.cubin
// RUN: FileCheck %s --input-file=%t/kernel0.ptx --check-prefix=ASM

// CHECK-LABEL: func.func @routed
// CHECK: %[[WALKS:.*]] = arith.constant 4 : index
// CHECK: gpu.launch_func @sse_kernels::@sse_chunk_scan_0 blocks in (%[[ONE:.*]], %[[TWO:.*]], %[[WALKS]]) threads in
// CHECK: gpu.func @sse_chunk_scan_0
// Block z = (sequence, partition); the walk's length is the list's.
// CHECK: %[[Z:.*]] = gpu.block_id z
// CHECK: %[[SEQ:.*]] = arith.divui %[[Z]], %c4
// CHECK: %[[PART:.*]] = arith.remui %[[Z]], %c4
// CHECK: memref.load %{{.*}}[%[[SEQ]], %[[PART]]] : memref<1x4xi32>
// A walk without tokens skips everything, its states staying in place:
// CHECK: %[[ANY:.*]] = arith.cmpi ugt, %{{.*}}, %c0
// CHECK: scf.if %[[ANY]] {
// A row's token is its list entry / k, the slot entry % k:
// CHECK: memref.load %{{.*}}[%[[SEQ]], %[[PART]], %{{.*}}] : memref<1x4x100xi32>
// CHECK: arith.divui %{{.*}}, %c2
// CHECK: nvgpu.device_async_copy {{.*}} : memref<1x100x2x64xbf16> to memref<64x64xbf16, #gpu.address_space<workgroup>>
// The visit's weight, 4 bytes, 0 past the list's end:
// CHECK: nvgpu.device_async_copy {{.*}}, 1, %{{.*}} : memref<1x100x2xf32> to memref<64xf32, #gpu.address_space<workgroup>>
// CHECK: nvvm.cp.async.commit.group
// CHECK: vector.load %{{.*}} : memref<1x2x5x64x64xf32>, vector<2xf32>
// CHECK: scf.for
// CHECK: nvvm.wgmma.mma_async
// The partials of the chunk's visits, two columns per store:
// CHECK: vector.store {{.*}} : memref<1x100x2x2x64xf32>, vector<2xf32>
// The states of partitions 1 + p:
// CHECK: arith.addi %[[PART]], %c1
// CHECK: vector.store %{{.*}} : memref<1x2x5x64x64xf32>, vector<2xf32>
// The shared partition after them writes o, adding both slots' partials
// (read before the products) to its own output:
// CHECK: gpu.func @sse_chunk_scan_1
// CHECK: nvvm.barrier id = %{{.*}} number_of_threads
// CHECK-COUNT-2: vector.load %{{.*}} : memref<1x100x2x2x64xf32>, vector<2xf32>
// CHECK: nvvm.wgmma.mma_async
// CHECK: vector.store {{.*}} : memref<1x100x2x64xbf16>, vector<2xbf16>
// With an output stage in the plan, the partials leave as 16-byte pieces
// of their rows, in two rounds of 32 columns:
// CHECK: gpu.func @sse_chunk_scan_2
// CHECK: vector.store {{.*}} : memref<2304xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-COUNT-4: vector.store {{.*}} : memref<1x100x2x2x64xf32>, vector<4xf32>
// CHECK: vector.store {{.*}} : memref<2304xf32, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-COUNT-4: vector.store {{.*}} : memref<1x100x2x2x64xf32>, vector<4xf32>
// PTX: kernel0.ptx
// ASM: .entry sse_chunk_scan_0
// ASM: cp.async.cg.shared.global
// ASM: cp.async.ca.shared.global {{.*}}, 4,
// ASM: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16

func.func @routed(%q: memref<1x100x2x64xbf16>, %g: memref<1x100x2x64xbf16>, %c: memref<1x4xi32>, %t: memref<1x4x100xi32>, %w: memref<1x100x2xf32>, %o: memref<1x100x2x2x64xf32>, %s: memref<1x2x5x64x64xf32>) {
  sse_gpu.chunk_scan ins(%q, %q, %q : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) gate(%g : memref<1x100x2x64xbf16>) groups(%c, %t, %w : memref<1x4xi32>, memref<1x4x100xi32>, memref<1x100x2xf32>) outs(%o, %s : memref<1x100x2x2x64xf32>, memref<1x2x5x64x64xf32>) {first_partition = 1 : i64, partitions = 4 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {decay = array<i64: 110592, 256>, g = array<i64: 24576, 8192>, k = array<i64: 8192, 8192>, kd = array<i64: 60416, 9200>, ks = array<i64: 51200, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 32768, 8304>, scores = array<i64: 86016, 8192>, slow = array<i64: 94208, 16384>, state = array<i64: 77824, 8192>, v = array<i64: 16384, 8192>, visits = array<i64: 111616, 256>, vt = array<i64: 69632, 8192>}, smem_bytes = 112640>, scale = 1.250000e-01 : f32}
  return
}

func.func @shared_adds(%q: memref<1x100x2x64xbf16>, %g: memref<1x100x2x64xbf16>, %p: memref<1x100x2x2x64xf32>, %o: memref<1x100x2x64xbf16>, %s: memref<1x2x5x64x64xf32>) {
  sse_gpu.chunk_scan ins(%q, %q, %q : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) gate(%g : memref<1x100x2x64xbf16>) add(%p : memref<1x100x2x2x64xf32>) outs(%o, %s : memref<1x100x2x64xbf16>, memref<1x2x5x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {decay = array<i64: 110592, 256>, g = array<i64: 24576, 8192>, k = array<i64: 8192, 8192>, kd = array<i64: 60416, 9200>, ks = array<i64: 51200, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 32768, 8304>, scores = array<i64: 86016, 8192>, slow = array<i64: 94208, 16384>, state = array<i64: 77824, 8192>, v = array<i64: 16384, 8192>, vt = array<i64: 69632, 8192>}, smem_bytes = 111616>, scale = 1.250000e-01 : f32}
  return
}

func.func @routed_staged(%q: memref<1x100x2x64xbf16>, %g: memref<1x100x2x64xbf16>, %c: memref<1x4xi32>, %t: memref<1x4x100xi32>, %w: memref<1x100x2xf32>, %o: memref<1x100x2x2x64xf32>, %s: memref<1x2x5x64x64xf32>) {
  sse_gpu.chunk_scan ins(%q, %q, %q : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) gate(%g : memref<1x100x2x64xbf16>) groups(%c, %t, %w : memref<1x4xi32>, memref<1x4x100xi32>, memref<1x100x2xf32>) outs(%o, %s : memref<1x100x2x2x64xf32>, memref<1x2x5x64x64xf32>) {first_partition = 1 : i64, partitions = 4 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {decay = array<i64: 110592, 256>, g = array<i64: 24576, 8192>, k = array<i64: 8192, 8192>, kd = array<i64: 60416, 9200>, ks = array<i64: 51200, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 32768, 8304>, scores = array<i64: 86016, 8192>, slow = array<i64: 94208, 16384>, state = array<i64: 77824, 8192>, v = array<i64: 16384, 8192>, ostage = array<i64: 112640, 9216>, visits = array<i64: 111616, 256>, vt = array<i64: 69632, 8192>}, smem_bytes = 121856>, scale = 1.250000e-01 : f32}
  return
}
