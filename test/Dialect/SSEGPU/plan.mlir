// test-sse-gpu-plan pins the kernel plans of the chunk-scan kernels for the
// benchmark shapes of SPEC.md section 6 (bf16, K = V = 128 unless said; the
// SSE-GLA core as one fused scan with a shared partition and its router),
// on the default target (132 SMs, 227 KiB of shared memory per block). The
// strategy (split, grouping) is the cost model's; chunk, V slice, warp
// roles, stages and the shared-memory layout are the plan's. A change to
// the analysis that moves one of these decisions must update this file.
// RUN: sse-opt %s -test-sse-gpu-plan --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s
// RUN: sse-opt %s -test-sse-gpu-plan=target-smem-kb=96 --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=SMALL
// RUN: not sse-opt %s -test-sse-gpu-plan=target-sms=0 -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADTARGET
// BADTARGET: error: test-sse-gpu-plan: target-sms must be in [1, 4096] and target-smem-kb in [1, 1024]
//
// With 96 KiB, 64-token chunks do not fit at K = 128: 32-token chunks.
// SMALL: remark: kernel plan (split = recurrent, grouping = sorted): shared #sse_gpu.plan<chunk = 32,
//
// core-4k: 64-token chunks; both parts in 64-column V slices (a state of
// 64 f32 registers per thread); the shared partition writes o, adding the
// routed partitions' partials (one f32 partial per visit). Every plan is
// the kernel built today: two warpgroups that load with 16-byte cp.async
// into a ring of two stages of tiles (the next chunk's loads start before
// this chunk's operand preparation), no producer warpgroup, no setmaxnreg.
// Every part stages its outputs in shared memory (`ostage`, 64 rows of
// 144 bytes), o and the routed partials alike.; the routed parts keep a ring of
// three chunks' list entries (`entries`, copied a chunk ahead).
// CHECK: remark: kernel plan (split = recurrent, grouping = sorted):
// CHECK-SAME: shared #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {{.*}}, smem_bytes = 227328> x 128 blocks;
// CHECK-SAME: routed #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {{.*}}entries = array<i64: {{[0-9]+}}, 768>{{.*}}, smem_bytes = 229376> x 512 blocks;
//
// core-32k: one sequence of 512 chunks. Its shared partition has 32
// (head, V slice) walks for 132 SMs: each is cut into 4 segments of 128
// chunks (128 blocks; segment_states, combine_segments, then the walk).
// The routed lists stay whole (128 blocks of about 128 chunks).
// CHECK: remark: kernel plan (split = chunked, grouping = sorted):
// CHECK-SAME: shared #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 4, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {{.*}}, smem_bytes = 227328> x 128 blocks;
// CHECK-SAME: routed #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {{.*}}, smem_bytes = 229376> x 128 blocks;
//
// core-d256: K = V = 256: 32-token chunks, 64-column slices.
// CHECK: remark: kernel plan (split = recurrent, grouping = sorted):
// CHECK-SAME: shared #sse_gpu.plan<chunk = 32, sub_block = 16, k_width = 256, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {{.*}}, smem_bytes = 208896> x 192 blocks;
// CHECK-SAME: routed #sse_gpu.plan<chunk = 32, sub_block = 16, k_width = 256, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {{.*}}, smem_bytes = 210944> x 768 blocks;
//
// core-n8k2: N = 8, k = 2.
// CHECK: remark: kernel plan (split = recurrent, grouping = sorted):
// CHECK-SAME: shared #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {{.*}}, smem_bytes = 227328> x 128 blocks;
// CHECK-SAME: routed #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {{.*}}, smem_bytes = 229376> x 1024 blocks;
//
// dense-gla: one state, no routing: o written directly.
// CHECK: remark: kernel plan (split = recurrent, grouping = dense):
// CHECK-SAME: dense #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {{.*}}ostage = array<i64: 218112, 9216>{{.*}}, smem_bytes = 227328> x 128 blocks;
//
// decode: one token per sequence (the decode kernel will replace this).
// CHECK: remark: kernel plan (split = recurrent, grouping = sorted):
// CHECK-SAME: shared #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {{.*}}, smem_bytes = 227328> x 2048 blocks;
// CHECK-SAME: routed #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 128, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {{.*}}, smem_bytes = 229376> x 8192 blocks;
//

func.func @core_4k(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>, %z: tensor<4x4096x4xbf16>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x4xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x5x128x128xf32>)
  return
}
func.func @core_32k(%q: tensor<1x32768x16x128xbf16>, %v: tensor<1x32768x16x128xbf16>, %z: tensor<1x32768x4xbf16>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x4xbf16>) -> (tensor<1x32768x16x128xbf16>, tensor<1x16x5x128x128xf32>)
  return
}
func.func @core_d256(%q: tensor<8x2048x6x256xbf16>, %v: tensor<8x2048x6x256xbf16>, %z: tensor<8x2048x4xbf16>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<8x2048x6x256xbf16>, tensor<8x2048x6x256xbf16>, tensor<8x2048x6x256xbf16>, tensor<8x2048x6x256xbf16>, tensor<8x2048x6x256xbf16>, tensor<8x2048x6x256xbf16>, tensor<8x2048x6x256xbf16>, tensor<8x2048x4xbf16>) -> (tensor<8x2048x6x256xbf16>, tensor<8x6x5x256x256xf32>)
  return
}
func.func @core_n8k2(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>, %z: tensor<4x4096x8xbf16>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 8 : i64, top_k = 2 : i64} : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x8xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x9x128x128xf32>)
  return
}
func.func @dense_gla(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x1x128x128xf32>)
  return
}
func.func @decode(%q: tensor<64x1x16x128xbf16>, %v: tensor<64x1x16x128xbf16>, %z: tensor<64x1x4xbf16>, %s0: tensor<64x16x5x128x128xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) init(%s0) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x4xbf16>, tensor<64x16x5x128x128xf32>) -> (tensor<64x1x16x128xbf16>, tensor<64x16x5x128x128xf32>)
  return
}

// Scans the chunk-scan kernel cannot run say why.
// CHECK: remark: kernel plan (split = recurrent, grouping = dense): dense none (K and V must be multiples of 16 for the tensor cores (the column kernel runs other widths));
func.func @narrow(%q: tensor<1x64x2x24xf32>, %v: tensor<1x64x2x24xf32>) {
  %o, %s = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 16, k_tile = 24, v_tile = 24, split = recurrent, grouping = dense>} : (tensor<1x64x2x24xf32>, tensor<1x64x2x24xf32>, tensor<1x64x2x24xf32>) -> (tensor<1x64x2x24xf32>, tensor<1x2x1x24x24xf32>)
  return
}
// A routed scan whose schedule keeps dense masks: the routed part has no
// plan; nor has the 16-column shared one (the kernel's slices are 64 and
// 128 columns wide).
// CHECK: remark: kernel plan (split = recurrent, grouping = dense): shared none (no V slice of 64 or 128 columns divides V with the f32 state within 128 registers per thread); routed none (the chunk-scan kernel gathers routed tokens: it needs grouping = sorted);
func.func @masked(%q: tensor<1x64x2x16xf32>, %v: tensor<1x64x2x16xf32>, %z: tensor<1x64x4xf32>) {
  %o, %s = sse.scan %q, %q, %v shared(%q, %q) router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 16, k_tile = 16, v_tile = 16, split = recurrent, grouping = dense>} : (tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x4xf32>) -> (tensor<1x64x2x16xf32>, tensor<1x2x5x16x16xf32>)
  return
}
// CHECK: remark: kernel plan: dynamic sizes, no plan
func.func @dynamic(%q: tensor<1x?x2x16xf32>, %v: tensor<1x?x2x16xf32>) {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>, tensor<1x?x2x16xf32>) -> (tensor<1x?x2x16xf32>, tensor<1x2x1x16x16xf32>)
  return
}
