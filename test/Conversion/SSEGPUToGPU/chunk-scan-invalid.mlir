// convert-sse-gpu-to-gpu refuses a chunk_scan (or a segmented walk's state
// pass, segment_states) that the chunk-scan kernel cannot compute, with an
// error that names the reason, and leaves the module as it was (no partial
// kernel).
// RUN: sse-opt %s -split-input-file -verify-diagnostics --convert-sse-gpu-to-gpu

// A plan whose buffers are not the ones the kernel is built with (here
// Qd without its padding): the emitter does not guess another layout.
func.func @stale_plan(%q: memref<1x100x2x64xbf16>, %k: memref<1x100x2x64xbf16>, %v: memref<1x100x2x64xbf16>, %o: memref<1x100x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this op: the plan's shared memory has no buffer 'qd' of 8304 bytes}}
  sse_gpu.chunk_scan ins(%q, %k, %v : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) outs(%o, %s : memref<1x100x2x64xbf16>, memref<1x2x1x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {k = array<i64: 8192, 8192>, kd = array<i64: 52224, 9200>, ks = array<i64: 43008, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 24576, 8192>, scores = array<i64: 77824, 8192>, state = array<i64: 69632, 8192>, v = array<i64: 16384, 8192>, visits = array<i64: 86016, 512>, vt = array<i64: 61440, 8192>}, smem_bytes = 87040>, scale = 1.250000e-01 : f32}
  return
}

// -----

// The kernel is emitted for static shapes.
func.func @dynamic_tokens(%q: memref<1x?x2x64xbf16>, %k: memref<1x?x2x64xbf16>, %v: memref<1x?x2x64xbf16>, %o: memref<1x?x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this op: every buffer must have a static shape and the identity layout}}
  sse_gpu.chunk_scan ins(%q, %k, %v : memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>) outs(%o, %s : memref<1x?x2x64xbf16>, memref<1x2x1x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {k = array<i64: 8192, 8192>, kd = array<i64: 52224, 9200>, ks = array<i64: 43008, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 24576, 8304>, scores = array<i64: 77824, 8192>, state = array<i64: 69632, 8192>, v = array<i64: 16384, 8192>, visits = array<i64: 86016, 512>, vt = array<i64: 61440, 8192>}, smem_bytes = 87040>, scale = 1.250000e-01 : f32}
  return
}

// -----

// A V slice the kernel is not built for.
func.func @v_slice_32(%q: memref<1x100x2x64xbf16>, %k: memref<1x100x2x64xbf16>, %v: memref<1x100x2x64xbf16>, %o: memref<1x100x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this op: the kernel is built for V slices of 64 or 128 columns that divide V}}
  sse_gpu.chunk_scan ins(%q, %k, %v : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) outs(%o, %s : memref<1x100x2x64xbf16>, memref<1x2x1x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 32, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {k = array<i64: 8192, 8192>, kd = array<i64: 52224, 9200>, ks = array<i64: 43008, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 24576, 8304>, scores = array<i64: 77824, 8192>, state = array<i64: 69632, 8192>, v = array<i64: 16384, 8192>, visits = array<i64: 86016, 512>, vt = array<i64: 61440, 8192>}, smem_bytes = 87040>, scale = 1.250000e-01 : f32}
  return
}

// -----

// An output stage smaller than a chunk of o (64 rows of 64 bf16 and 16
// bytes of padding each).
func.func @small_output_stage(%q: memref<1x100x2x64xbf16>, %k: memref<1x100x2x64xbf16>, %v: memref<1x100x2x64xbf16>, %o: memref<1x100x2x64xbf16>, %s: memref<1x2x1x64x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this op: the plan's 'ostage' holds 4096 bytes, not the 9216 of a chunk's 128-byte row pieces}}
  sse_gpu.chunk_scan ins(%q, %k, %v : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) outs(%o, %s : memref<1x100x2x64xbf16>, memref<1x2x1x64x64xf32>) {first_partition = 0 : i64, partitions = 1 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 1, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {k = array<i64: 8192, 8192>, kd = array<i64: 52224, 9200>, ks = array<i64: 43008, 8304>, ostage = array<i64: 87040, 4096>, q = array<i64: 0, 8192>, qd = array<i64: 24576, 8304>, scores = array<i64: 77824, 8192>, state = array<i64: 69632, 8192>, v = array<i64: 16384, 8192>, vt = array<i64: 61440, 8192>}, smem_bytes = 96256>, scale = 1.250000e-01 : f32}
  return
}

// -----

// A routed plan with a two-stage ring but no ring of list entries.
func.func @routed_ring_without_entries(%q: memref<1x100x2x64xbf16>, %g: memref<1x100x2x64xbf16>, %c: memref<1x4xi32>, %t: memref<1x4x100xi32>, %w: memref<1x100x2xf32>, %o: memref<1x100x2x2x64xf32>, %s: memref<1x2x5x64x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this op: a routed plan with a ring needs an 'entries' buffer of 768 bytes}}
  sse_gpu.chunk_scan ins(%q, %q, %q : memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>, memref<1x100x2x64xbf16>) gate(%g : memref<1x100x2x64xbf16>) groups(%c, %t, %w : memref<1x4xi32>, memref<1x4x100xi32>, memref<1x100x2xf32>) outs(%o, %s : memref<1x100x2x2x64xf32>, memref<1x2x5x64x64xf32>) {first_partition = 1 : i64, partitions = 4 : i64, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {decay = array<i64: 110592, 256>, g = array<i64: 24576, 8192>, k = array<i64: 8192, 8192>, kd = array<i64: 60416, 9200>, ks = array<i64: 51200, 8304>, q = array<i64: 0, 8192>, qd = array<i64: 32768, 8304>, scores = array<i64: 86016, 8192>, slow = array<i64: 94208, 16384>, state = array<i64: 77824, 8192>, v = array<i64: 16384, 8192>, visits = array<i64: 111616, 256>, vt = array<i64: 69632, 8192>}, smem_bytes = 112640>, scale = 1.250000e-01 : f32}
  return
}

// -----

// The state pass of a segmented walk (sse_gpu.segment_states) is the same
// kernel: f32 inputs (3xTF32) are not built.
func.func @state_pass_f32(%k: memref<1x4096x2x64xf32>, %v: memref<1x4096x2x64xf32>, %e: memref<1x7x2x64x64xf32>, %d: memref<1x7x2x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this state pass: q, k, v must share one 16-bit type (bf16 or f16)}}
  sse_gpu.segment_states ins(%k, %v : memref<1x4096x2x64xf32>, memref<1x4096x2x64xf32>) outs(%e, %d : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 8, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = tf32x3, smem = {decay = array<i64: 134144, 256>, g = array<i64: 49152, 16384>, k = array<i64: 16384, 16384>, kd = array<i64: 83968, 9200>, ks = array<i64: 74752, 8304>, ostage = array<i64: 135168, 9216>, q = array<i64: 0, 16384>, qd = array<i64: 65536, 8304>, scores = array<i64: 109568, 8192>, slow = array<i64: 117760, 16384>, state = array<i64: 101376, 8192>, v = array<i64: 32768, 16384>, vt = array<i64: 93184, 8192>}, smem_bytes = 144384>}
  return
}

// -----

// It is held to the plan's buffers as the chunk scan is (here Qd without
// its padding).
func.func @state_pass_stale_plan(%k: memref<1x4096x2x64xbf16>, %v: memref<1x4096x2x64xbf16>, %e: memref<1x7x2x64x64xf32>, %d: memref<1x7x2x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this state pass: the plan's shared memory has no buffer 'qd' of 8304 bytes}}
  sse_gpu.segment_states ins(%k, %v : memref<1x4096x2x64xbf16>, memref<1x4096x2x64xbf16>) outs(%e, %d : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 8, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {decay = array<i64: 134144, 256>, g = array<i64: 49152, 16384>, k = array<i64: 16384, 16384>, kd = array<i64: 83968, 9200>, ks = array<i64: 74752, 8304>, ostage = array<i64: 135168, 9216>, q = array<i64: 0, 16384>, qd = array<i64: 65536, 8192>, scores = array<i64: 109568, 8192>, slow = array<i64: 117760, 16384>, state = array<i64: 101376, 8192>, v = array<i64: 32768, 16384>, vt = array<i64: 93184, 8192>}, smem_bytes = 144384>}
  return
}

// -----

// Gates of another type than k.
func.func @state_pass_gate_type(%k: memref<1x4096x2x64xbf16>, %v: memref<1x4096x2x64xbf16>, %g: memref<1x4096x2x64xf32>, %e: memref<1x7x2x64x64xf32>, %d: memref<1x7x2x64xf32>) {
  // expected-error @below {{the chunk-scan kernel cannot compute this state pass: the gates must have the type of q}}
  sse_gpu.segment_states ins(%k, %v : memref<1x4096x2x64xbf16>, memref<1x4096x2x64xbf16>) gate(%g : memref<1x4096x2x64xf32>) outs(%e, %d : memref<1x7x2x64x64xf32>, memref<1x7x2x64xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 64, v_slice = 64, segments = 8, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 0, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {decay = array<i64: 134144, 256>, g = array<i64: 49152, 16384>, k = array<i64: 16384, 16384>, kd = array<i64: 83968, 9200>, ks = array<i64: 74752, 8304>, ostage = array<i64: 135168, 9216>, q = array<i64: 0, 16384>, qd = array<i64: 65536, 8304>, scores = array<i64: 109568, 8192>, slow = array<i64: 117760, 16384>, state = array<i64: 101376, 8192>, v = array<i64: 32768, 16384>, vt = array<i64: 93184, 8192>}, smem_bytes = 144384>}
  return
}
