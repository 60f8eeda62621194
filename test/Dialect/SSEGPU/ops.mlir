// The sse_gpu ops and #sse_gpu.plan print and parse back unchanged, on
// tensors (with results) and on memrefs (without).
// RUN: sse-opt %s | sse-opt | FileCheck %s
// RUN: sse-opt %s -mlir-print-op-generic | sse-opt | FileCheck %s

#plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32,
  segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2,
  producer_registers = 40, consumer_registers = 232, stages = 2, load = tma,
  cluster = 1, combine = direct, precision = bf16,
  smem = {q = array<i64: 0, 4096>, k = array<i64: 4096, 4096>, barriers = array<i64: 8192, 32>},
  smem_bytes = 8320>

// CHECK-LABEL: func.func @dense
// CHECK: sse_gpu.chunk_scan ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) gate(%{{.*}} : tensor<2x64x2x16xbf16>) outs(%{{.*}}, %{{.*}} : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>)
// CHECK-SAME: first_partition = 0 : i64
// CHECK-SAME: plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {barriers = array<i64: 8192, 32>, k = array<i64: 4096, 4096>, q = array<i64: 0, 4096>}, smem_bytes = 8320>
// CHECK-SAME: -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
func.func @dense(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o0: tensor<2x64x2x32xbf16>, %s0: tensor<2x2x1x16x32xf32>) -> (tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {
  %o, %s = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) gate(%q : tensor<2x64x2x16xbf16>) outs(%o0, %s0 : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #plan} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return %o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
}

// CHECK-LABEL: func.func @shared_adds_partials
// CHECK: sse_gpu.chunk_scan {{.*}} add(%{{.*}} : tensor<2x64x2x2x32xf32>) outs(%{{.*}}, %{{.*}} : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>)
func.func @shared_adds_partials(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>, %s0: tensor<2x2x1x16x32xf32>) -> (tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {
  %o, %s = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) add(%p : tensor<2x64x2x2x32xf32>) outs(%o0, %s0 : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #plan} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return %o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
}

// CHECK-LABEL: func.func @routed_delta_on_buffers
// CHECK: sse_gpu.group ins(%{{.*}} : memref<2x64x2xi32>) outs(%{{.*}}, %{{.*}} : memref<2x4xi32>, memref<2x4x64xi32>) {partitions = 4 : i64}
// CHECK-NOT: ->
// CHECK: sse_gpu.chunk_scan {{.*}} beta(%{{.*}} : memref<2x64x2xf32>) groups(%{{.*}}, %{{.*}}, %{{.*}} : memref<2x4xi32>, memref<2x4x64xi32>, memref<2x64x2xf32>) outs(%{{.*}}, %{{.*}} : memref<2x64x2x2x16xf32>, memref<2x2x5x16x16xf32>)
// CHECK-SAME: first_partition = 1 : i64
// CHECK-SAME: load = cp_async
// CHECK-SAME: combine = partials, precision = tf32x3
// CHECK-SAME: rule = #sse.rule<delta>
// CHECK-NOT: ->
func.func @routed_delta_on_buffers(%q: memref<2x64x2x16xf32>, %v: memref<2x64x2x16xf32>, %beta: memref<2x64x2xf32>, %i: memref<2x64x2xi32>, %w: memref<2x64x2xf32>, %counts: memref<2x4xi32>, %tokens: memref<2x4x64xi32>, %partials: memref<2x64x2x2x16xf32>, %s: memref<2x2x5x16x16xf32>) {
  sse_gpu.group ins(%i : memref<2x64x2xi32>) outs(%counts, %tokens : memref<2x4xi32>, memref<2x4x64xi32>) {partitions = 4 : i64}
  sse_gpu.chunk_scan ins(%q, %q, %v : memref<2x64x2x16xf32>, memref<2x64x2x16xf32>, memref<2x64x2x16xf32>) beta(%beta : memref<2x64x2xf32>) groups(%counts, %tokens, %w : memref<2x4xi32>, memref<2x4x64xi32>, memref<2x64x2xf32>) outs(%partials, %s : memref<2x64x2x2x16xf32>, memref<2x2x5x16x16xf32>) {first_partition = 1 : i64, partitions = 4 : i64, scale = 0.25 : f32, rule = #sse.rule<delta>,
    plan = #sse_gpu.plan<chunk = 32, sub_block = 16, k_width = 16, v_slice = 16, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 1, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 2, combine = partials, precision = tf32x3, smem = {}, smem_bytes = 0>}
  return
}

// CHECK-LABEL: func.func @packed_per_head_groups
// CHECK: sse_gpu.group ins(%{{.*}}, %{{.*}} : tensor<1x100x2x1xi32>, tensor<4xi32>) outs(%{{.*}}, %{{.*}} : tensor<3x2x4xi32>, tensor<3x2x4x100xi32>) {partitions = 4 : i64} -> tensor<3x2x4xi32>, tensor<3x2x4x100xi32>
func.func @packed_per_head_groups(%i: tensor<1x100x2x1xi32>, %cu: tensor<4xi32>, %c0: tensor<3x2x4xi32>, %t0: tensor<3x2x4x100xi32>) -> (tensor<3x2x4xi32>, tensor<3x2x4x100xi32>) {
  %c, %t = sse_gpu.group ins(%i, %cu : tensor<1x100x2x1xi32>, tensor<4xi32>) outs(%c0, %t0 : tensor<3x2x4xi32>, tensor<3x2x4x100xi32>) {partitions = 4 : i64} -> tensor<3x2x4xi32>, tensor<3x2x4x100xi32>
  return %c, %t : tensor<3x2x4xi32>, tensor<3x2x4x100xi32>
}

// CHECK-LABEL: func.func @route_and_combine
// CHECK: sse_gpu.route ins(%{{.*}} : tensor<2x64x2x4xbf16>) outs(%{{.*}}, %{{.*}} : tensor<2x64x2x2xf32>, tensor<2x64x2x2xi32>) {order = #sse.order<topk_then_softmax>, renormalize, top_k = 2 : i64} -> tensor<2x64x2x2xf32>, tensor<2x64x2x2xi32>
// CHECK: sse_gpu.combine_outputs ins(%{{.*}} : tensor<2x64x2x2x32xf32>) shared(%{{.*}} : tensor<2x64x2x1x32xf32>) norm(%{{.*}} : tensor<2x32xf32>) out_gate(%{{.*}} : tensor<2x64x2x32xbf16>) outs(%{{.*}} : tensor<2x64x2x32xbf16>) {eps = 9.99999974E-6 : f32} -> tensor<2x64x2x32xbf16>
// CHECK: sse_gpu.combine_outputs ins(%{{.*}} : memref<2x64x2x2x32xf32>) outs(%{{.*}} : memref<2x64x2x32xf32>)
// CHECK-NOT: ->
func.func @route_and_combine(%z: tensor<2x64x2x4xbf16>, %w0: tensor<2x64x2x2xf32>, %i0: tensor<2x64x2x2xi32>, %p: tensor<2x64x2x2x32xf32>, %p0: tensor<2x64x2x1x32xf32>, %nw: tensor<2x32xf32>, %g: tensor<2x64x2x32xbf16>, %o0: tensor<2x64x2x32xbf16>, %pm: memref<2x64x2x2x32xf32>, %om: memref<2x64x2x32xf32>) -> (tensor<2x64x2x2xf32>, tensor<2x64x2x2xi32>, tensor<2x64x2x32xbf16>) {
  %w, %i = sse_gpu.route ins(%z : tensor<2x64x2x4xbf16>) outs(%w0, %i0 : tensor<2x64x2x2xf32>, tensor<2x64x2x2xi32>) {top_k = 2 : i64, order = #sse.order<topk_then_softmax>, renormalize} -> tensor<2x64x2x2xf32>, tensor<2x64x2x2xi32>
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) shared(%p0 : tensor<2x64x2x1x32xf32>) norm(%nw : tensor<2x32xf32>) out_gate(%g : tensor<2x64x2x32xbf16>) outs(%o0 : tensor<2x64x2x32xbf16>) {eps = 1.0e-05 : f32} -> tensor<2x64x2x32xbf16>
  sse_gpu.combine_outputs ins(%pm : memref<2x64x2x2x32xf32>) outs(%om : memref<2x64x2x32xf32>)
  return %w, %i, %o : tensor<2x64x2x2xf32>, tensor<2x64x2x2xi32>, tensor<2x64x2x32xbf16>
}

// A segmented walk (plan segments = 4): the state pass, the combine of the
// pieces' ends (with and without the layer's initial states) and the chunk
// scan that reads each piece's initial state from segment_init; the
// optional operands keep their places (gate vs cu_seqlens, initial,
// segment_init) through the generic form.
#seg = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32,
  segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2,
  producer_registers = 40, consumer_registers = 232, stages = 2, load = tma,
  cluster = 1, combine = direct, precision = bf16,
  smem = {q = array<i64: 0, 4096>, k = array<i64: 4096, 4096>, barriers = array<i64: 8192, 32>},
  smem_bytes = 8320>

// CHECK-LABEL: func.func @segment_states
// CHECK: %{{.*}}:2 = sse_gpu.segment_states ins(%arg0, %arg1 : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) gate(%arg2 : tensor<1x256x2x16xbf16>) outs(%arg3, %arg4 : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>)
// CHECK-SAME: {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {barriers = array<i64: 8192, 32>, k = array<i64: 4096, 4096>, q = array<i64: 0, 4096>}, smem_bytes = 8320>}
// CHECK-SAME: -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %g: tensor<1x256x2x16xbf16>, %e0: tensor<1x3x2x16x32xf32>, %d0: tensor<1x3x2x16xf32>) -> (tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {
  %e, %d = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) gate(%g : tensor<1x256x2x16xbf16>) outs(%e0, %d0 : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #seg} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return %e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
}

// Ungated, packed sequences (S = 3 of cu_seqlens), on buffers.
// CHECK-LABEL: func.func @segment_states_packed_on_buffers
// CHECK: sse_gpu.segment_states ins(%arg0, %arg1 : memref<1x256x2x16xbf16>, memref<1x256x2x32xbf16>) cu_seqlens(%arg2 : memref<4xi32>) outs(%arg3, %arg4 : memref<3x3x2x16x32xf32>, memref<3x3x2x16xf32>)
// CHECK-SAME: segments = 4
// CHECK-NOT: ->
// CHECK: return
func.func @segment_states_packed_on_buffers(%k: memref<1x256x2x16xbf16>, %v: memref<1x256x2x32xbf16>, %cu: memref<4xi32>, %e: memref<3x3x2x16x32xf32>, %d: memref<3x3x2x16xf32>) {
  sse_gpu.segment_states ins(%k, %v : memref<1x256x2x16xbf16>, memref<1x256x2x32xbf16>) cu_seqlens(%cu : memref<4xi32>) outs(%e, %d : memref<3x3x2x16x32xf32>, memref<3x3x2x16xf32>) {plan = #seg}
  return
}

// CHECK-LABEL: func.func @combine_segments
// CHECK: %{{.*}} = sse_gpu.combine_segments ins(%arg0, %arg1 : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) initial(%arg2 : tensor<1x2x3x16x32xf32>) outs(%arg3 : tensor<1x4x2x16x32xf32>) {partition = 2 : i64} -> tensor<1x4x2x16x32xf32>
// CHECK: sse_gpu.combine_segments ins(%arg4, %arg5 : memref<1x3x2x16x32xf32>, memref<1x3x2x16xf32>) outs(%arg6 : memref<1x4x2x16x32xf32>) {partition = 0 : i64}{{$}}
func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %s0: tensor<1x2x3x16x32xf32>, %i0: tensor<1x4x2x16x32xf32>, %em: memref<1x3x2x16x32xf32>, %dm: memref<1x3x2x16xf32>, %im: memref<1x4x2x16x32xf32>) -> tensor<1x4x2x16x32xf32> {
  %i = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) initial(%s0 : tensor<1x2x3x16x32xf32>) outs(%i0 : tensor<1x4x2x16x32xf32>) {partition = 2 : i64} -> tensor<1x4x2x16x32xf32>
  sse_gpu.combine_segments ins(%em, %dm : memref<1x3x2x16x32xf32>, memref<1x3x2x16xf32>) outs(%im : memref<1x4x2x16x32xf32>) {partition = 0 : i64}
  return %i : tensor<1x4x2x16x32xf32>
}

// CHECK-LABEL: func.func @segmented_chunk_scan
// CHECK: %{{.*}}:2 = sse_gpu.chunk_scan ins(%arg0, %arg0, %arg1 : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) gate(%arg0 : tensor<1x256x2x16xbf16>) segment_init(%arg2 : tensor<1x4x2x16x32xf32>) outs(%arg3, %arg4 : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>)
// CHECK-SAME: segments = 4
// CHECK-NOT: zero_init
// CHECK-SAME: -> tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
func.func @segmented_chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %i: tensor<1x4x2x16x32xf32>, %o0: tensor<1x256x2x32xbf16>, %s0: tensor<1x2x1x16x32xf32>) -> (tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>) {
  %o, %s = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) gate(%q : tensor<1x256x2x16xbf16>) segment_init(%i : tensor<1x4x2x16x32xf32>) outs(%o0, %s0 : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #seg} -> tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
  return %o, %s : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
}
