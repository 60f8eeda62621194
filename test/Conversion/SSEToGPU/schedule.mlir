// What convert-sse-to-gpu takes from a tensor-core scan's schedule and
// shape, on the SPEC section 6 shapes (bf16, K = V = 128): the kernels and
// their names, the V tile (threads per block), the chunk staged at once
// (the shared-memory size), the occupancy hint, and split = chunked as
// segment kernels.
// RUN: sse-opt %s -convert-sse-to-gpu -split-input-file | FileCheck %s

// core-n8k2: 4 x 16 x 9 = 576 blocks (four waves of one block per SM or
// more): two blocks per SM asked for; grouping = sorted lists first.
// CHECK-LABEL: func.func @many_waves
// CHECK: gpu.memset
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256{{.*}} module(@sse_group) function(@sse_group)
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}, %{{.*}} = %c9{{.*}}) threads({{.*}}) in ({{.*}} = %c256{{.*}} dynamic_shared_memory_size %c105488_i32 module(@sse_scan_tc) function(@sse_scan_tc)
// CHECK: } {sse.min_blocks_per_sm = 2 : i32}
// CHECK: gpu.launch {{.*}} module(@sse_epilogue) function(@sse_epilogue)
func.func @many_waves(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>, %z: tensor<4x4096x8xbf16>) -> tensor<4x4096x16x128xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 8 : i64, top_k = 2 : i64, schedule = #sse.schedule<chunk = 16, k_tile = 128, v_tile = 128, split = recurrent, grouping = sorted>} : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x8xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x9x128x128xf32>)
  return %o : tensor<4x4096x16x128xbf16>
}

// -----

// core-4k with 64-column V tiles: 4 x 16 x 5 x 2 = 640 blocks of 128
// threads, a 32-token chunk; four waves of one block per SM are 528
// blocks, and 640 is more, so it asks for two blocks per SM.
// CHECK-LABEL: func.func @narrow_tiles
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}}, %{{.*}} = %c5{{.*}}) threads({{.*}}) in ({{.*}} = %c128{{.*}} dynamic_shared_memory_size %{{.*}} module(@sse_scan_tc) function(@sse_scan_tc)
// CHECK: } {sse.min_blocks_per_sm = 2 : i32}
func.func @narrow_tiles(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>, %z: tensor<4x4096x4xbf16>) -> tensor<4x4096x16x128xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 32, k_tile = 128, v_tile = 64, split = recurrent, grouping = sorted>} : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x4xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x5x128x128xf32>)
  return %o : tensor<4x4096x16x128xbf16>
}

// -----

// core-4k as the cost model tiles it: 320 blocks of 256 threads, one per
// SM (its time is the longest block's walk), no hint.
// CHECK-LABEL: func.func @one_wave
// CHECK: gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c256{{.*}} dynamic_shared_memory_size %{{.*}} module(@sse_scan_tc) function(@sse_scan_tc)
// CHECK-NOT: sse.min_blocks_per_sm
// CHECK: module(@sse_epilogue)
func.func @one_wave(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>, %z: tensor<4x4096x4xbf16>) -> tensor<4x4096x16x128xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 32, k_tile = 128, v_tile = 128, split = recurrent, grouping = sorted>} : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x4xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x5x128x128xf32>)
  return %o : tensor<4x4096x16x128xbf16>
}

// -----

// core-32k with split = chunked: 16 x 5 = 80 (head, partition) items, so
// 4 segments each (320 blocks): segment states, the combine scan over the
// segments (one block per item), then the outputs.
// CHECK-LABEL: func.func @chunked
// CHECK: module(@sse_group)
// CHECK: gpu.launch blocks({{.*}}) {{.*}} module(@sse_scan_tc_segment_states) function(@sse_scan_tc_segment_states)
// CHECK: memref.store {{.*}} : memref<?x?x?x4x?x?xf32>
// CHECK: module(@sse_scan_tc_segment_combine) function(@sse_scan_tc_segment_combine)
// CHECK: module(@sse_scan_tc_segment_outputs) function(@sse_scan_tc_segment_outputs)
// CHECK: module(@sse_epilogue)
func.func @chunked(%q: tensor<1x32768x16x128xbf16>, %v: tensor<1x32768x16x128xbf16>, %z: tensor<1x32768x4xbf16>) -> tensor<1x32768x16x128xbf16> {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 16, k_tile = 128, v_tile = 128, split = chunked, grouping = sorted>} : (tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x4xbf16>) -> (tensor<1x32768x16x128xbf16>, tensor<1x16x5x128x128xf32>)
  return %o : tensor<1x32768x16x128xbf16>
}
