// convert-sse-gpu-to-gpu: a segmented dense walk on buffers (bf16, B = 1,
// T = 4096, H = 2, K = V = 64, per-key gates; the plan convert-sse-to-sse-gpu
// makes for it: 8 segments of 8 chunks) becomes three launches in order:
// - the state pass sse_segment_states_N, the chunk-scan kernel without q
//   and outputs: 256 threads, a grid of (V / v_slice, H, S * (segments - 1))
//   = (1, 2, 7) with the plan's dynamic shared memory; block z is
//   (sequence z / 7, piece z % 7), which writes its piece's end state and
//   decay;
// - sse_combine_segments_N, one thread per state element (S H K V = 8192,
//   32 blocks of 256), which carries each element across the 8 pieces from
//   the initial states (or from zero, without initial);
// - the chunk scan with segment_init, a grid of (1, 2, S * segments = 8)
//   whose block reads its piece's initial state and of which only the last
//   piece writes the states.
// The PTX assembles; the state pass loads with cp.async and updates the
// state with wgmma, and writes no o.
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | FileCheck %s
// RUN: sse-opt %s --convert-sse-gpu-to-gpu | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" | %python %sse_src/scripts/extract_ptx.py %t | FileCheck %s --check-prefix=PTX
// REQUIRES: ptxas
// RUN: %ptxas -arch=sm_90a %t/kernel0.ptx -o %t/kernel0.cubin
// RUN: FileCheck %s --input-file=%t/kernel0.ptx --check-prefix=ASM

// CHECK-LABEL: func.func @segmented
// CHECK-NOT: sse_gpu.
// CHECK-DAG: %[[SMEM:.*]] = arith.constant 144384 : i32
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: gpu.launch_func @sse_kernels::@sse_segment_states_0 blocks in (%[[C1]], %[[C2]], %[[C7]]) threads in (%[[C256]], %[[C1]], %[[C1]]) dynamic_shared_memory_size %[[SMEM]] args(%arg1 : memref<1x4096x2x64xbf16>, %arg2 : memref<1x4096x2x64xbf16>, %arg3 : memref<1x4096x2x64xbf16>, %arg4 : memref<1x7x2x64x64xf32>, %arg5 : memref<1x7x2x64xf32>){{$}}
// CHECK: gpu.launch_func @sse_kernels::@sse_combine_segments_0 blocks in (%[[C32]], %[[C1]], %[[C1]]) threads in (%[[C256]], %[[C1]], %[[C1]]) args(%arg4 : memref<1x7x2x64x64xf32>, %arg5 : memref<1x7x2x64xf32>, %arg8 : memref<1x2x1x64x64xf32>, %arg6 : memref<1x8x2x64x64xf32>){{$}}
// CHECK: gpu.launch_func @sse_kernels::@sse_chunk_scan_0 blocks in (%[[C1]], %[[C2]], %[[C8]]) threads in (%[[C256]], %[[C1]], %[[C1]]) dynamic_shared_memory_size %[[SMEM]] args(%arg0 : memref<1x4096x2x64xbf16>, %arg1 : memref<1x4096x2x64xbf16>, %arg2 : memref<1x4096x2x64xbf16>, %arg3 : memref<1x4096x2x64xbf16>, %arg6 : memref<1x8x2x64x64xf32>, %arg7 : memref<1x4096x2x64xbf16>, %arg8 : memref<1x2x1x64x64xf32>){{$}}
// CHECK-NOT: sse_gpu.
// CHECK: return
// Without initial: the combine kernel reads only the ends and decays.
// CHECK-LABEL: func.func @from_zero
// CHECK: gpu.launch_func @sse_kernels::@sse_combine_segments_1 blocks in (%{{.*}}) threads in (%{{.*}}) args(%arg0 : memref<1x7x2x64x64xf32>, %arg1 : memref<1x7x2x64xf32>, %arg2 : memref<1x8x2x64x64xf32>){{$}}
// The state pass: k, v, the gate, the ends and the decays (no q, no o).
// CHECK: gpu.module @sse_kernels
// CHECK: gpu.func @sse_segment_states_0(%{{[^:]*}}: memref<1x4096x2x64xbf16>, %{{[^:]*}}: memref<1x4096x2x64xbf16>, %{{[^:]*}}: memref<1x4096x2x64xbf16>, %[[ENDS:[^:]*]]: memref<1x7x2x64x64xf32>, %[[DECAYS:[^:]*]]: memref<1x7x2x64xf32>) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: %[[Z:.*]] = gpu.block_id z
// CHECK: %[[SEQ:.*]] = arith.divui %[[Z]], %c7 : index
// CHECK: %[[PIECE:.*]] = arith.remui %[[Z]], %c7 : index
// CHECK: nvgpu.device_async_copy {{.*}}, 8, %{{.*}} {bypassL1}
// CHECK: nvvm.cp.async.commit.group
// CHECK: scf.for
// CHECK: nvvm.cp.async.wait.group
// CHECK: nvvm.wgmma.mma_async
// CHECK: vector.store %{{.*}}, %[[ENDS]][%[[SEQ]], %[[PIECE]], %block_id_y, %{{.*}}, %{{.*}}] {{.*}} : memref<1x7x2x64x64xf32>, vector<2xf32>
// CHECK: memref.store %{{.*}}, %[[DECAYS]][%[[SEQ]], %[[PIECE]], %block_id_y, %{{.*}}] : memref<1x7x2x64xf32>
// CHECK: gpu.return
// The combine: element (s, h, k, c) of 8192; inits[0] = initial, then
// inits[j + 1] = decays[j] * inits[j] + ends[j] for j = 0..6.
// CHECK: gpu.func @sse_combine_segments_0(%[[E:[^:]*]]: memref<1x7x2x64x64xf32>, %[[D:[^:]*]]: memref<1x7x2x64xf32>, %[[S:[^:]*]]: memref<1x2x1x64x64xf32>, %[[I:[^:]*]]: memref<1x8x2x64x64xf32>) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK: arith.cmpi ult, %{{.*}}, %c8192 : index
// CHECK: %[[X0:.*]] = memref.load %[[S]][%[[SS:.*]], %[[HH:.*]], %c0, %[[KK:.*]], %[[CC:.*]]] : memref<1x2x1x64x64xf32>
// CHECK: memref.store %[[X0]], %[[I]][%[[SS]], %c0, %[[HH]], %[[KK]], %[[CC]]]
// CHECK: %[[D0:.*]] = memref.load %[[D]][%[[SS]], %c0, %[[HH]], %[[KK]]]
// CHECK: %[[E0:.*]] = memref.load %[[E]][%[[SS]], %c0, %[[HH]], %[[KK]], %[[CC]]]
// CHECK: %[[M0:.*]] = arith.mulf %[[D0]], %[[X0]] : f32
// CHECK: %[[X1:.*]] = arith.addf %[[M0]], %[[E0]] : f32
// CHECK: memref.store %[[X1]], %[[I]][%[[SS]], %c1, %[[HH]], %[[KK]], %[[CC]]]
// CHECK: memref.load %[[D]][%[[SS]], %c6, %[[HH]], %[[KK]]]
// CHECK: memref.store %{{.*}}, %[[I]][%[[SS]], %c7, %[[HH]], %[[KK]], %[[CC]]]
// CHECK-NOT: memref.store
// CHECK: gpu.return
// The chunk scan: block z is (sequence z / 8, piece z % 8); it starts from
// segment_init and only piece 7 stores the states.
// CHECK: gpu.func @sse_chunk_scan_0(%{{[^:]*}}: memref<1x4096x2x64xbf16>, %{{[^:]*}}: memref<1x4096x2x64xbf16>, %{{[^:]*}}: memref<1x4096x2x64xbf16>, %{{[^:]*}}: memref<1x4096x2x64xbf16>, %[[INIT:[^:]*]]: memref<1x8x2x64x64xf32>, %{{[^:]*}}: memref<1x4096x2x64xbf16>, %[[STATES:[^:]*]]: memref<1x2x1x64x64xf32>)
// CHECK: %[[Z:.*]] = gpu.block_id z
// CHECK: %[[SEQ:.*]] = arith.divui %[[Z]], %c8 : index
// CHECK: %[[PIECE:.*]] = arith.remui %[[Z]], %c8 : index
// CHECK: vector.load %[[INIT]][%[[SEQ]], %[[PIECE]], %block_id_y, %{{.*}}, %{{.*}}] {{.*}} : memref<1x8x2x64x64xf32>, vector<2xf32>
// CHECK: nvvm.wgmma.mma_async
// CHECK: %[[LAST:.*]] = arith.cmpi eq, %[[PIECE]], %c7 : index
// CHECK: %[[STORE:.*]] = arith.andi %{{.*}}, %[[LAST]] : i1
// CHECK: scf.if %[[STORE]] {
// CHECK: vector.store %{{.*}}, %[[STATES]][%[[SEQ]], %block_id_y, %c0, %{{.*}}, %{{.*}}] {{.*}} : memref<1x2x1x64x64xf32>, vector<2xf32>
// The combine from zero stores 0 as the first piece's state.
// CHECK: gpu.func @sse_combine_segments_1(%{{[^:]*}}: memref<1x7x2x64x64xf32>, %{{[^:]*}}: memref<1x7x2x64xf32>, %[[I:[^:]*]]: memref<1x8x2x64x64xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT: memref.load
// CHECK: memref.store %[[ZERO]], %[[I]][%{{.*}}, %c0, %{{.*}}, %{{.*}}, %{{.*}}]
// PTX: kernel0.ptx
// ASM-LABEL: .entry sse_segment_states_0(
// ASM-NOT: st.global.v4
// ASM: cp.async.cg.shared.global
// ASM-NOT: st.global.v4
// ASM: cp.async.commit_group
// ASM-NOT: st.global.v4
// ASM: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// ASM-NOT: st.global.v4
// ASM: wgmma.commit_group.sync.aligned
// ASM-NOT: st.global.v4
// ASM-LABEL: .entry sse_combine_segments_0(
// ASM-NOT: wgmma
// ASM-COUNT-8: st.global.b32
// ASM-NOT: wgmma
// ASM-LABEL: .entry sse_chunk_scan_0(
// ASM: cp.async.cg.shared.global
// ASM: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// The plan stages o: its rows leave as 16-byte stores.
// ASM: st.global.v4.b32
// ASM-LABEL: .entry sse_combine_segments_1(
// ASM-COUNT-8: st.global.b32

#plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 8, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {decay = array<i64: 134144, 256>, g = array<i64: 49152, 16384>, k = array<i64: 16384, 16384>, kd = array<i64: 83968, 9200>, ks = array<i64: 74752, 8304>, ostage = array<i64: 135168, 9216>, q = array<i64: 0, 16384>, qd = array<i64: 65536, 8304>, scores = array<i64: 109568, 8192>, slow = array<i64: 117760, 16384>, state = array<i64: 101376, 8192>, v = array<i64: 32768, 16384>, vt = array<i64: 93184, 8192>}, smem_bytes = 144384>

func.func @segmented(%q: memref<1x4096x2x64xbf16>, %k: memref<1x4096x2x64xbf16>, %v: memref<1x4096x2x64xbf16>, %g: memref<1x4096x2x64xbf16>, %ends: memref<1x7x2x64x64xf32>, %decays: memref<1x7x2x64xf32>, %inits: memref<1x8x2x64x64xf32>, %o: memref<1x4096x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
  sse_gpu.segment_states ins(%k, %v : memref<1x4096x2x64xbf16>, memref<1x4096x2x64xbf16>) gate(%g : memref<1x4096x2x64xbf16>) outs(%ends, %decays : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) {plan = #plan}
  sse_gpu.combine_segments ins(%ends, %decays : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) initial(%s : memref<1x2x1x64x64xf32>) outs(%inits : memref<1x8x2x64x64xf32>) {partition = 0 : i64}
  sse_gpu.chunk_scan ins(%q, %k, %v : memref<1x4096x2x64xbf16>, memref<1x4096x2x64xbf16>, memref<1x4096x2x64xbf16>) gate(%g : memref<1x4096x2x64xbf16>) segment_init(%inits : memref<1x8x2x64x64xf32>) outs(%o, %s : memref<1x4096x2x64xbf16>, memref<1x2x1x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.125 : f32, plan = #plan}
  return
}

func.func @from_zero(%ends: memref<1x7x2x64x64xf32>, %decays: memref<1x7x2x64xf32>, %inits: memref<1x8x2x64x64xf32>) {
  sse_gpu.combine_segments ins(%ends, %decays : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) outs(%inits : memref<1x8x2x64x64xf32>) {partition = 0 : i64}
  return
}
