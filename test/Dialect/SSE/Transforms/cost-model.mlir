// test-sse-cost-model pins the cost model's decisions on the benchmark
// shapes of SPEC.md section 6 (bf16, K = V = 128 unless said; the SSE-GLA
// core as one fused scan with a shared partition and its router), for the
// default target (one H100 SXM). A change to the model that moves one of
// these decisions must update this file on purpose.
// RUN: sse-opt %s -test-sse-cost-model --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s
//
// core-4k: enough work items (B*H*(1+N) = 320) to fill the machine, so
// each walks its chunks in order with the state on chip; tokens grouped by
// partition, since top-1 of 4 leaves each partition a quarter of them.
// CHECK: remark: cost model: #sse.schedule<chunk = 32, k_tile = 128, v_tile = 128, split = recurrent, grouping = sorted>
// CHECK-SAME: best chunked: #sse.schedule<{{.*}}split = chunked
//
// core-32k: 80 (sequence, head, partition) items and 32768-token chains:
// splitting each sequence into segments wins despite the extra bytes.
// CHECK: remark: cost model: #sse.schedule<chunk = 16, k_tile = 128, v_tile = 128, split = chunked, grouping = sorted>
// CHECK-SAME: best recurrent: #sse.schedule<{{.*}}split = recurrent
//
// core-d256: K = V = 256.
// CHECK: remark: cost model: #sse.schedule<chunk = 64, k_tile = 256, v_tile = 256, split = recurrent, grouping = sorted>
//
// core-n8k2: N = 8, k = 2.
// CHECK: remark: cost model: #sse.schedule<chunk = 16, k_tile = 128, v_tile = 128, split = recurrent, grouping = sorted>
//
// dense-gla: one state, no routing: dense, narrower V tiles for more items.
// CHECK: remark: cost model: #sse.schedule<chunk = 128, k_tile = 128, v_tile = 64, split = recurrent, grouping = dense>
//
// decode: one token, states carried: bound by reading and writing the
// 64 x 16 x 5 x 128 x 128 f32 states (671 MB).
// CHECK: remark: cost model: #sse.schedule<chunk = 16, k_tile = 128, v_tile = 128, split = recurrent, grouping = sorted> 0.225 ms (bytes 6.75e+08

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
