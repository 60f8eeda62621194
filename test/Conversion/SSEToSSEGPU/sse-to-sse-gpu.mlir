// convert-sse-to-sse-gpu: a tiled scan becomes the sse_gpu kernel ops, on
// tensors, each chunk scan with the plan the kernel-plan analysis makes;
// scans the new kernels do not cover stay as they are.
// RUN: sse-opt %s -split-input-file --convert-sse-to-sse-gpu | FileCheck %s
// The ops bufferize as DPS ops: the states are written in place into init.
// RUN: sse-opt %s -split-input-file --convert-sse-to-sse-gpu -one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUF

#rec = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = sorted>

// The SSE-GLA core with a fused router and epilogue: states start at zero
// (zero_init on each chunk scan, no fill); the shared partition (state 0)
// and the routed ones (states 1..4) each
// write f32 partials, chained through the states; the router is a kernel;
// the combine sums the partials and applies the norm and the gate.
// CHECK-LABEL: func.func @core
// CHECK-SAME: (%[[Q:.*]]: tensor<2x64x2x64xbf16>, %[[V:.*]]: tensor<2x64x2x64xbf16>, %[[Z:.*]]: tensor<2x64x4xbf16>, %[[NW:.*]]: tensor<2x64xf32>, %[[OG:.*]]: tensor<2x64x2x64xbf16>)
// CHECK-NOT: linalg.fill
// CHECK: %[[ZERO:.*]] = tensor.empty() : tensor<2x2x5x64x64xf32>
// CHECK: %[[SH:.*]]:2 = sse_gpu.chunk_scan ins(%[[Q]], %[[Q]], %[[V]] : {{.*}}) gate(%[[Q]] : tensor<2x64x2x64xbf16>) outs(%{{.*}}, %[[ZERO]] : tensor<2x64x2x1x64xf32>, tensor<2x2x5x64x64xf32>)
// CHECK-SAME: first_partition = 0 : i64, partitions = 1 : i64
// CHECK-SAME: load = cp_async
// CHECK-SAME: combine = partials
// CHECK-SAME: scale = 1.250000e-01 : f32, zero_init
// CHECK: %[[R:.*]]:2 = sse_gpu.route ins(%[[Z]] : tensor<2x64x4xbf16>) outs({{.*}} : tensor<2x64x1xf32>, tensor<2x64x1xi32>) {top_k = 1 : i64}
// CHECK: %[[G:.*]]:2 = sse_gpu.group ins(%[[R]]#1 : tensor<2x64x1xi32>) outs({{.*}} : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64}
// CHECK: %[[RT:.*]]:2 = sse_gpu.chunk_scan ins(%[[Q]], %[[Q]], %[[V]] : {{.*}}) gate(%[[Q]] : {{.*}}) groups(%[[G]]#0, %[[G]]#1, %[[R]]#0 : tensor<2x4xi32>, tensor<2x4x64xi32>, tensor<2x64x1xf32>) outs(%{{.*}}, %[[SH]]#1 : tensor<2x64x2x1x64xf32>, tensor<2x2x5x64x64xf32>)
// CHECK-SAME: first_partition = 1 : i64, partitions = 4 : i64
// CHECK-SAME: load = cp_async
// CHECK-SAME: zero_init
// CHECK: %[[O:.*]] = sse_gpu.combine_outputs ins(%[[RT]]#0 : tensor<2x64x2x1x64xf32>) shared(%[[SH]]#0 : tensor<2x64x2x1x64xf32>) norm(%[[NW]] : tensor<2x64xf32>) out_gate(%[[OG]] : tensor<2x64x2x64xbf16>) outs(%{{.*}} : tensor<2x64x2x64xbf16>) {eps = 9.99999974E-6 : f32}
// CHECK: return %[[O]], %[[RT]]#1
// CHECK-NOT: sse.scan
func.func @core(%q: tensor<2x64x2x64xbf16>, %v: tensor<2x64x2x64xbf16>, %z: tensor<2x64x4xbf16>, %nw: tensor<2x64xf32>, %og: tensor<2x64x2x64xbf16>) -> (tensor<2x64x2x64xbf16>, tensor<2x2x5x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) norm(%nw) out_gate(%og) {partitions = 4 : i64, top_k = 1 : i64, schedule = #rec} : (tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x4xbf16>, tensor<2x64xf32>, tensor<2x64x2x64xbf16>) -> (tensor<2x64x2x64xbf16>, tensor<2x2x5x64x64xf32>)
  return %o, %s : tensor<2x64x2x64xbf16>, tensor<2x2x5x64x64xf32>
}

// -----

#rec = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = sorted>

// The core without an epilogue: the routed partitions run first and write
// their partials; the shared partition runs last, writes o directly
// (combine = direct) and adds the partials as it writes (add): no
// combine_outputs, and the states chain routed -> shared.
// CHECK-LABEL: func.func @core_no_epilogue
// CHECK: %[[ZERO:.*]] = tensor.empty() : tensor<2x2x5x64x64xf32>
// CHECK: %[[R:.*]]:2 = sse_gpu.route
// CHECK: %[[G:.*]]:2 = sse_gpu.group ins(%[[R]]#1
// CHECK: %[[RT:.*]]:2 = sse_gpu.chunk_scan {{.*}} groups(%[[G]]#0, %[[G]]#1, %[[R]]#0 : {{.*}}) outs(%{{.*}}, %[[ZERO]] : tensor<2x64x2x1x64xf32>, tensor<2x2x5x64x64xf32>)
// CHECK-SAME: first_partition = 1 : i64, partitions = 4 : i64
// CHECK-SAME: combine = partials
// CHECK: %[[SH:.*]]:2 = sse_gpu.chunk_scan {{.*}} add(%[[RT]]#0 : tensor<2x64x2x1x64xf32>) outs(%{{.*}}, %[[RT]]#1 : tensor<2x64x2x64xbf16>, tensor<2x2x5x64x64xf32>)
// CHECK-SAME: first_partition = 0 : i64, partitions = 1 : i64
// CHECK-SAME: combine = direct
// CHECK-NOT: sse_gpu.combine_outputs
// CHECK: return %[[SH]]#0, %[[SH]]#1
func.func @core_no_epilogue(%q: tensor<2x64x2x64xbf16>, %v: tensor<2x64x2x64xbf16>, %z: tensor<2x64x4xbf16>) -> (tensor<2x64x2x64xbf16>, tensor<2x2x5x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #rec} : (tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x2x64xbf16>, tensor<2x64x4xbf16>) -> (tensor<2x64x2x64xbf16>, tensor<2x2x5x64x64xf32>)
  return %o, %s : tensor<2x64x2x64xbf16>, tensor<2x2x5x64x64xf32>
}

// -----

#rec = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = dense>

// Dense GLA decode-style step with init: one chunk scan writes o directly
// and updates the states in place; no route, group or combine.
// CHECK-LABEL: func.func @dense
// CHECK-NOT: linalg.fill
// CHECK: %[[R:.*]]:2 = sse_gpu.chunk_scan ins({{.*}}) gate({{.*}} : tensor<2x64x2x64xf32>) outs(%{{.*}}, %arg2 : tensor<2x64x2x64xf32>, tensor<2x2x1x64x64xf32>)
// CHECK-SAME: combine = direct, precision = tf32x3
// CHECK-SAME: scale = 5.000000e-01 : f32
// CHECK-NOT: zero_init
// CHECK-NOT: sse_gpu.combine_outputs
// CHECK: return %[[R]]#0, %[[R]]#1
// BUF-LABEL: func.func @dense
// BUF-SAME: %[[INIT:arg2]]: memref<2x2x1x64x64xf32
// BUF-NOT: memref.copy
// BUF: sse_gpu.chunk_scan {{.*}} outs(%{{.*}}, %[[INIT]] :
// BUF: return %{{.*}}, %[[INIT]]
func.func @dense(%q: tensor<2x64x2x64xf32>, %v: tensor<2x64x2x64xf32>, %s0: tensor<2x2x1x64x64xf32>) -> (tensor<2x64x2x64xf32>, tensor<2x2x1x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) init(%s0) {scale = 0.5 : f32, schedule = #rec} : (tensor<2x64x2x64xf32>, tensor<2x64x2x64xf32>, tensor<2x64x2x64xf32>, tensor<2x64x2x64xf32>, tensor<2x2x1x64x64xf32>) -> (tensor<2x64x2x64xf32>, tensor<2x2x1x64x64xf32>)
  return %o, %s : tensor<2x64x2x64xf32>, tensor<2x2x1x64x64xf32>
}

// -----

#rec = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = sorted>

// Routing arguments, per head, k = 2, packed sequences, the delta rule with
// both gates off: no route kernel; groups per (sequence, head); partials of
// both slots; beta and cu_seqlens reach every kernel that needs them.
// CHECK-LABEL: func.func @delta_per_head_packed
// CHECK-NOT: sse_gpu.route
// CHECK: sse_gpu.group ins(%arg4, %arg5 : tensor<1x64x2x2xi32>, tensor<3xi32>) outs({{.*}} : tensor<2x2x4xi32>, tensor<2x2x4x64xi32>)
// CHECK: sse_gpu.chunk_scan {{.*}} beta(%arg2 : tensor<1x64x2xf16>) groups({{.*}}, %arg3 : tensor<2x2x4xi32>, tensor<2x2x4x64xi32>, tensor<1x64x2x2xf32>) cu_seqlens(%arg5 : tensor<3xi32>) outs({{.*}} : tensor<1x64x2x2x64xf32>, tensor<2x2x4x64x64xf32>)
// CHECK-SAME: precision = f16
// CHECK-SAME: read_gate = false, rule = #sse.rule<delta>
// CHECK-SAME: write_gate = false
// CHECK: sse_gpu.combine_outputs ins(%{{.*}} : tensor<1x64x2x2x64xf32>) outs(%{{.*}} : tensor<1x64x2x64xf16>)
func.func @delta_per_head_packed(%q: tensor<1x64x2x64xf16>, %v: tensor<1x64x2x64xf16>, %b: tensor<1x64x2xf16>, %w: tensor<1x64x2x2xf32>, %i: tensor<1x64x2x2xi32>, %cu: tensor<3xi32>) -> (tensor<1x64x2x64xf16>, tensor<2x2x4x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v beta(%b) route(%w, %i) cu_seqlens(%cu) {partitions = 4 : i64, rule = #sse.rule<delta>, read_gate = false, write_gate = false, schedule = #rec} : (tensor<1x64x2x64xf16>, tensor<1x64x2x64xf16>, tensor<1x64x2x64xf16>, tensor<1x64x2xf16>, tensor<1x64x2x2xf32>, tensor<1x64x2x2xi32>, tensor<3xi32>) -> (tensor<1x64x2x64xf16>, tensor<2x2x4x64x64xf32>)
  return %o, %s : tensor<1x64x2x64xf16>, tensor<2x2x4x64x64xf32>
}

// -----

#rec = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = dense>

// A long dense walk on few blocks: B = 1, H = 2 and one V slice of 64
// columns are 2 blocks on 132 SMs, and T = 4096 is 64 chunks of 64, so the
// plan cuts each sequence into min(132 / 2, 64 / 8) = 8 segments. The
// state pass (segment_states, the same plan as the chunk scan: they share
// the shared-memory layout) writes the ends and decays of pieces 0..6;
// combine_segments joins them into the start of each of the 8 pieces, from
// zero (no initial: the scan has no init); the chunk scan reads them as
// segment_init and writes the states, which it does not read (no
// zero_init).
// CHECK-LABEL: func.func @segmented(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x4096x2x64xbf16>, %[[V:[^:]*]]: tensor<1x4096x2x64xbf16>)
// CHECK: %[[S0:.*]] = tensor.empty() : tensor<1x2x1x64x64xf32>
// CHECK: %[[P:.*]]:2 = sse_gpu.segment_states ins(%[[Q]], %[[V]] : tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>) gate(%[[Q]] : tensor<1x4096x2x64xbf16>) outs(%{{.*}}, %{{.*}} : tensor<1x7x2x64x64xf32>, tensor<1x7x2x64xf32>) {plan = [[PLAN:#sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 8, producer_warpgroups = 0, consumer_warpgroups = 2, [^}]*combine = direct, precision = bf16, [^}]*}, smem_bytes = 144384>]]} -> tensor<1x7x2x64x64xf32>, tensor<1x7x2x64xf32>
// CHECK-NOT: sse_gpu.
// CHECK: %[[I:.*]] = sse_gpu.combine_segments ins(%[[P]]#0, %[[P]]#1 : tensor<1x7x2x64x64xf32>, tensor<1x7x2x64xf32>) outs(%{{.*}} : tensor<1x8x2x64x64xf32>) {partition = 0 : i64} -> tensor<1x8x2x64x64xf32>
// CHECK-NOT: sse_gpu.
// CHECK: %[[R:.*]]:2 = sse_gpu.chunk_scan ins(%[[Q]], %[[Q]], %[[V]] : {{.*}}) gate(%[[Q]] : tensor<1x4096x2x64xbf16>) segment_init(%[[I]] : tensor<1x8x2x64x64xf32>) outs(%{{.*}}, %[[S0]] : tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>)
// CHECK-SAME: first_partition = 0 : i64, partitions = 1 : i64, plan = [[PLAN]], scale = 1.250000e-01 : f32} -> tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>
// CHECK: return %[[R]]#0, %[[R]]#1
// On buffers: the ends, decays and inits are allocated (no copies), the
// three ops read and write memrefs and have no results.
// BUF-LABEL: func.func @segmented(
// BUF-NOT: memref.copy
// BUF-DAG: %[[D:.*]] = memref.alloc() {{.*}} : memref<1x7x2x64xf32>
// BUF-DAG: %[[E:.*]] = memref.alloc() {{.*}} : memref<1x7x2x64x64xf32>
// BUF: sse_gpu.segment_states ins(%{{.*}}, %{{.*}} : memref<1x4096x2x64xbf16, {{.*}}>, memref<1x4096x2x64xbf16, {{.*}}>) gate(%{{.*}} : memref<1x4096x2x64xbf16, {{.*}}>) outs(%[[E]], %[[D]] : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) {plan = #sse_gpu.plan<{{.*}}, segments = 8, {{.*}}, smem_bytes = 144384>}{{$}}
// BUF: %[[I:.*]] = memref.alloc() {{.*}} : memref<1x8x2x64x64xf32>
// BUF: sse_gpu.combine_segments ins(%[[E]], %[[D]] : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) outs(%[[I]] : memref<1x8x2x64x64xf32>) {partition = 0 : i64}{{$}}
// BUF-NOT: memref.copy
// BUF: sse_gpu.chunk_scan {{.*}} segment_init(%[[I]] : memref<1x8x2x64x64xf32>) outs(%{{.*}}, %{{.*}} : memref<1x4096x2x64xbf16>, memref<1x2x1x64x64xf32>)
// BUF-SAME: scale = 1.250000e-01 : f32}{{$}}
func.func @segmented(%q: tensor<1x4096x2x64xbf16>, %v: tensor<1x4096x2x64xbf16>) -> (tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) {schedule = #rec} : (tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>) -> (tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>)
  return %o, %s : tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>
}

// With init(%s0): the first piece of each sequence starts from the given
// states (combine_segments' initial, partition 0), and the chunk scan
// writes the final states into %s0 in place, after combine_segments has
// read it.
// CHECK-LABEL: func.func @segmented_init(
// CHECK-SAME: %[[S0:arg2]]: tensor<1x2x1x64x64xf32>
// CHECK-NOT: tensor.empty() : tensor<1x2x1x64x64xf32>
// CHECK: %[[P:.*]]:2 = sse_gpu.segment_states {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x7x2x64x64xf32>, tensor<1x7x2x64xf32>)
// CHECK: %[[I:.*]] = sse_gpu.combine_segments ins(%[[P]]#0, %[[P]]#1 : tensor<1x7x2x64x64xf32>, tensor<1x7x2x64xf32>) initial(%[[S0]] : tensor<1x2x1x64x64xf32>) outs(%{{.*}} : tensor<1x8x2x64x64xf32>) {partition = 0 : i64}
// CHECK: %[[R:.*]]:2 = sse_gpu.chunk_scan {{.*}} segment_init(%[[I]] : tensor<1x8x2x64x64xf32>) outs(%{{.*}}, %[[S0]] : tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>)
// CHECK-NOT: zero_init
// CHECK: return %[[R]]#0, %[[R]]#1
// BUF-LABEL: func.func @segmented_init(
// BUF-SAME: %[[INIT:arg2]]: memref<1x2x1x64x64xf32
// BUF-NOT: memref.copy
// BUF: sse_gpu.combine_segments ins(%{{.*}}, %{{.*}} : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) initial(%[[INIT]] : memref<1x2x1x64x64xf32, {{.*}}>) outs(%{{.*}} : memref<1x8x2x64x64xf32>) {partition = 0 : i64}{{$}}
// BUF-NOT: memref.copy
// BUF: sse_gpu.chunk_scan {{.*}} segment_init(%{{.*}} : memref<1x8x2x64x64xf32>) outs(%{{.*}}, %[[INIT]] :
// BUF: return %{{.*}}, %[[INIT]]
func.func @segmented_init(%q: tensor<1x4096x2x64xbf16>, %v: tensor<1x4096x2x64xbf16>, %s0: tensor<1x2x1x64x64xf32>) -> (tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) init(%s0) {schedule = #rec} : (tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>, tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>) -> (tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>)
  return %o, %s : tensor<1x4096x2x64xbf16>, tensor<1x2x1x64x64xf32>
}

// -----

// Left for convert-sse-to-gpu: no schedule; a chunked split of V = 16 (no
// V slice of 64 or 128 columns divides it, whatever the split); routed
// tokens kept dense; K not a multiple of 16.
// CHECK-LABEL: func.func @not_covered
// CHECK-NOT: sse_gpu.
// CHECK-COUNT-4: sse.scan
// CHECK-NOT: sse_gpu.
func.func @not_covered(%q: tensor<1x64x2x16xf32>, %v: tensor<1x64x2x16xf32>, %z: tensor<1x64x4xf32>, %q24: tensor<1x64x2x24xf32>) -> (tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x24xf32>) {
  %o1, %s1 = sse.scan %q, %q, %v : (tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>) -> (tensor<1x64x2x16xf32>, tensor<1x2x1x16x16xf32>)
  %o2, %s2 = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 16, k_tile = 16, v_tile = 16, split = chunked, grouping = dense>} : (tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>) -> (tensor<1x64x2x16xf32>, tensor<1x2x1x16x16xf32>)
  %o3, %s3 = sse.scan %q, %q, %v router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 16, k_tile = 16, v_tile = 16, split = recurrent, grouping = dense>} : (tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x4xf32>) -> (tensor<1x64x2x16xf32>, tensor<1x2x4x16x16xf32>)
  %o4, %s4 = sse.scan %q24, %q24, %q24 {schedule = #sse.schedule<chunk = 16, k_tile = 24, v_tile = 24, split = recurrent, grouping = dense>} : (tensor<1x64x2x24xf32>, tensor<1x64x2x24xf32>, tensor<1x64x2x24xf32>) -> (tensor<1x64x2x24xf32>, tensor<1x2x1x24x24xf32>)
  return %o1, %o2, %o3, %o4 : tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x24xf32>
}

// -----

// RUN: not sse-opt %s -split-input-file --convert-sse-to-sse-gpu=target-smem-kb=0 2>&1 | FileCheck %s --check-prefix=BADTARGET
// BADTARGET: error: convert-sse-to-sse-gpu: target-sms must be in [1, 4096] and target-smem-kb in [1, 1024]
func.func @empty() {
  return
}

// -----

// built-only (sse-to-nvvm kernels=v2): only the scans whose kernels
// convert-sse-gpu-to-gpu builds today become kernel ops: one dense bf16
// partition does, and so does a routed one with its fused router (route,
// group, chunk scan, combine); an f32 one (3xTF32) stays.
// RUN: sse-opt %s -split-input-file --convert-sse-to-sse-gpu=built-only | FileCheck %s --check-prefix=BUILT
// CHECK-LABEL: func.func @built_only
// BUILT-LABEL: func.func @built_only
// BUILT: sse_gpu.chunk_scan {{.*}} gate(%arg0 : tensor<1x100x2x64xbf16>)
// BUILT-SAME: zero_init
// BUILT: sse.scan %arg2
// BUILT: sse_gpu.route ins(%arg1
// BUILT: sse_gpu.group
// BUILT: sse_gpu.chunk_scan {{.*}} groups(
// BUILT-SAME: combine = partials
// BUILT: sse_gpu.combine_outputs
// BUILT-NOT: sse.scan
func.func @built_only(%q: tensor<1x100x2x64xbf16>, %z: tensor<1x100x4xbf16>, %f: tensor<1x100x2x64xf32>) -> (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xf32>, tensor<1x100x2x64xbf16>) {
  %o1, %s1 = sse.scan %q, %q, %q gate(%q) {schedule = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = dense>} : (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>) -> (tensor<1x100x2x64xbf16>, tensor<1x2x1x64x64xf32>)
  %o2, %s2 = sse.scan %f, %f, %f gate(%f) {schedule = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = dense>} : (tensor<1x100x2x64xf32>, tensor<1x100x2x64xf32>, tensor<1x100x2x64xf32>, tensor<1x100x2x64xf32>) -> (tensor<1x100x2x64xf32>, tensor<1x2x1x64x64xf32>)
  %o3, %s3 = sse.scan %q, %q, %q router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = sorted>} : (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x4xbf16>) -> (tensor<1x100x2x64xbf16>, tensor<1x2x4x64x64xf32>)
  return %o1, %o2, %o3 : tensor<1x100x2x64xbf16>, tensor<1x100x2x64xf32>, tensor<1x100x2x64xbf16>
}

// -----

// built-only keeps routed scans whose visits the kernels cannot trust or
// place yet: given route(w, i) (indices may repeat or leave [0, N)), and
// packed sequences.
// CHECK-LABEL: func.func @built_only_stays
// BUILT-LABEL: func.func @built_only_stays
// BUILT: sse.scan %arg0, %arg0, %arg0 route(%arg2, %arg3)
// BUILT: sse.scan %arg0, %arg0, %arg0 router(%arg1) cu_seqlens(%arg4)
// BUILT-NOT: sse_gpu.
func.func @built_only_stays(%q: tensor<1x100x2x64xbf16>, %z: tensor<1x100x4xbf16>, %w: tensor<1x100x1xf32>, %i: tensor<1x100x1xi32>, %cu: tensor<3xi32>) -> (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>) {
  %o1, %s1 = sse.scan %q, %q, %q route(%w, %i) {partitions = 4 : i64, schedule = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = sorted>} : (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x1xf32>, tensor<1x100x1xi32>) -> (tensor<1x100x2x64xbf16>, tensor<1x2x4x64x64xf32>)
  %o2, %s2 = sse.scan %q, %q, %q router(%z) cu_seqlens(%cu) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 64, split = recurrent, grouping = sorted>} : (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x4xbf16>, tensor<3xi32>) -> (tensor<1x100x2x64xbf16>, tensor<2x2x4x64x64xf32>)
  return %o1, %o2 : tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>
}
