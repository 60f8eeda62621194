// Every verifier rule of the sse_gpu dialect: #sse_gpu.plan on its own,
// then the kernel ops (group, chunk_scan, route, combine_outputs, and the
// segmented walk's segment_states, combine_segments and chunk_scan's
// segment_init) against their operands and plan.
// One case per rule; each message names the value it rejects.
// RUN: sse-opt %s -split-input-file -verify-diagnostics

// -----

// expected-error @below {{chunk must be 16, 32, 64 or 128, got 48}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 48, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{sub_block must be 8, 16 or 32 and divide chunk = 64, got 12}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 12, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{sub_block must be 8, 16 or 32 and divide chunk = 16, got 32}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 16, sub_block = 32, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{k_width and v_slice must be positive multiples of 16, got 24 and 32}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 24, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{k_width and v_slice must be positive multiples of 16, got 16 and 0}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 0, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{segments must be >= 1, got 0}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 0, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{a kernel has 0 or 1 producer and 1 to 3 consumer warpgroups, got 2 and 2}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 2, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{a kernel has 0 or 1 producer and 1 to 3 consumer warpgroups, got 1 and 4}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 4, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{v_slice = 16 must split into 3 consumer slices of a multiple of 8 columns}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 16, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 3, producer_registers = 40, consumer_registers = 152, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{producer_registers and consumer_registers are both 0 (no setmaxnreg) or, with a producer warpgroup, multiples of 8 in [24, 256]; got 0 and 232}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 0, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{multiples of 8 in [24, 256]; got 40 and 230}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 230, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{multiples of 8 in [24, 256]; got 40 and 232}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 0, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{the warpgroups ask for 103424 registers, more than an SM's 65536}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 48, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 3, producer_registers = 40, consumer_registers = 256, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{stages must be in [1, 4], got 5}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 5, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{cluster must be 1, 2, 4 or 8 blocks, got 3}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 3, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{smem_bytes must be in [0, 232448] (227 KiB per block on sm_90), got 300000}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {}, smem_bytes = 300000>} {
  return
}

// -----

// expected-error @below {{smem buffer 'q' must be array<i64: offset, bytes>, got 7}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = 7}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{smem buffer 'q' at offset 64 of 128 bytes must be 128-byte aligned and lie in [0, smem_bytes = 4224)}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 64, 128>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{smem buffer 'q' at offset 4096 of 256 bytes must be 128-byte aligned}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 4096, 256>}, smem_bytes = 4224>} {
  return
}

// -----

// expected-error @below {{smem buffers 'q' and 'k' overlap}}
func.func @plan() attributes {p = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, k = array<i64: 3968, 128>}, smem_bytes = 4224>} {
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %g: tensor<2x64x2xbf16>) {
  // expected-error @below {{'sse_gpu.chunk_scan' op q must be [B, T, H, K] of floats, got 'tensor<2x64x2xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%g, %q, %v : tensor<2x64x2xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %k: tensor<2x64x2x32xbf16>) {
  // expected-error @below {{k must be [B, T, H, K] of q's element type, got 'tensor<2x64x2x32xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %k, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{v must be [B, T, H, V] of q's element type, got 'tensor<2x64x2x32xf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %g: tensor<2x64x2x8xbf16>) {
  // expected-error @below {{gate must be [B, T, H] or [B, T, H, K] of floats, got 'tensor<2x64x2x8xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) gate(%g : tensor<2x64x2x8xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %b: tensor<2x64x2xbf16>) {
  // expected-error @below {{beta is needed by, and only by, the delta rule}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) beta(%b : tensor<2x64x2xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{beta is needed by, and only by, the delta rule}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, rule = #sse.rule<delta>, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %b: tensor<2x64xbf16>) {
  // expected-error @below {{beta must be [B, T, H] of floats, got 'tensor<2x64xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) beta(%b : tensor<2x64xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, rule = #sse.rule<delta>, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x1x32xf32>, %s: tensor<2x2x1x16x32xf32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>, %w: tensor<2x64x1xbf16>) {
  // expected-error @below {{weights must be [B, T, k] or [B, T, H, k] of f32, got 'tensor<2x64x1xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) groups(%c, %t, %w : tensor<2x4xi32>, tensor<2x4x64xi32>, tensor<2x64x1xbf16>) outs(%o, %s : tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{first_partition must be >= 0 and partitions >= 1, got -1 and 1}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = -1 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf16>) {
  // expected-error @below {{states must be [S, H, P, K, V] of f32, got 'tensor<2x2x1x16x32xf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf16>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf16>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x16xf32>) {
  // expected-error @below {{states must be [S, H, P, K, V] with K, V of q and v, got 'tensor<2x2x1x16x16xf32>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x16xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x16xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{partitions [1, 2) are not all among the states' 1}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 1 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{the output (partials) must be [B, T, H, k, V] of f32, got 'tensor<2x64x2x32xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = partials, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x1x32xf32>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{the output (o) must be [B, T, H, V] of v's element type, got 'tensor<2x64x2x1x32xf32>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{plan holds k_width = 32 rows of the state, but K = 16}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 32, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x48xbf16>, %o: tensor<2x64x2x48xbf16>, %s: tensor<2x2x1x16x48xf32>) {
  // expected-error @below {{plan's v_slice = 32 does not divide V = 48}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x48xbf16>) outs(%o, %s : tensor<2x64x2x48xbf16>, tensor<2x2x1x16x48xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x48xbf16>, tensor<2x2x1x16x48xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{plan's precision f16 does not fit inputs of 'bf16'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = f16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x1x32xf32>, %s: tensor<2x2x1x16x32xf32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>, %w: tensor<2x64x1xf32>) {
  // expected-error @below {{routed partitions gather rows with load = cp_async (the plan says tma)}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) groups(%c, %t, %w : tensor<2x4xi32>, tensor<2x4x64xi32>, tensor<2x64x1xf32>) outs(%o, %s : tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = partials, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>, %w: tensor<2x64x1xf32>) {
  // expected-error @below {{routed partitions write one partial per visit: the plan must say combine = partials, not direct}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) groups(%c, %t, %w : tensor<2x4xi32>, tensor<2x4x64xi32>, tensor<2x64x1xf32>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: memref<2x2x1x16x32xf32>) {
  // expected-error @below {{destinations must be all tensors or all memrefs}}
  %r = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, memref<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: memref<2x64x2x32xbf16>, %s: memref<2x2x1x16x32xf32>) {
  // expected-error @below {{has results, but its destinations are memrefs}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : memref<2x64x2x32xbf16>, memref<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{results must have the types of the destinations}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf16>
  return
}

// -----

func.func @group(%i: tensor<2x64xi32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{indices must be [B, T, k] or [B, T, H, k] of integers, got 'tensor<2x64xi32>'}}
  %r:2 = sse_gpu.group ins(%i : tensor<2x64xi32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64} -> tensor<2x4xi32>, tensor<2x4x64xi32>
  return
}

// -----

func.func @group(%i: tensor<2x64x1xf32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{indices must be [B, T, k] or [B, T, H, k] of integers, got 'tensor<2x64x1xf32>'}}
  %r:2 = sse_gpu.group ins(%i : tensor<2x64x1xf32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64} -> tensor<2x4xi32>, tensor<2x4x64xi32>
  return
}

// -----

func.func @group(%i: tensor<1x64x1xi32>, %cu: tensor<3x2xi32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{cu_seqlens must be a 1-D integer array, got 'tensor<3x2xi32>'}}
  %r:2 = sse_gpu.group ins(%i, %cu : tensor<1x64x1xi32>, tensor<3x2xi32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64} -> tensor<2x4xi32>, tensor<2x4x64xi32>
  return
}

// -----

func.func @group(%i: tensor<2x64x1xi32>, %cu: tensor<3xi32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{packed sequences (cu_seqlens) need B = 1, got 'tensor<2x64x1xi32>'}}
  %r:2 = sse_gpu.group ins(%i, %cu : tensor<2x64x1xi32>, tensor<3xi32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64} -> tensor<2x4xi32>, tensor<2x4x64xi32>
  return
}

// -----

func.func @group(%i: tensor<2x64x1xi32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{partitions must be >= 1, got 0}}
  %r:2 = sse_gpu.group ins(%i : tensor<2x64x1xi32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 0 : i64} -> tensor<2x4xi32>, tensor<2x4x64xi32>
  return
}

// -----

func.func @group(%i: tensor<2x64x1xi32>, %c: tensor<2x8xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{counts must be [S, N] of i32, got 'tensor<2x8xi32>'}}
  %r:2 = sse_gpu.group ins(%i : tensor<2x64x1xi32>) outs(%c, %t : tensor<2x8xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64} -> tensor<2x8xi32>, tensor<2x4x64xi32>
  return
}

// -----

func.func @group(%i: tensor<2x64x2x1xi32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{counts must be [S, H, N] of i32, got 'tensor<2x4xi32>'}}
  %r:2 = sse_gpu.group ins(%i : tensor<2x64x2x1xi32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64} -> tensor<2x4xi32>, tensor<2x4x64xi32>
  return
}

// -----

func.func @group(%i: tensor<2x64x1xi32>, %c: tensor<2x4xi32>, %t: tensor<2x4x32xi32>) {
  // expected-error @below {{tokens must be [S, N, T] of i32, got 'tensor<2x4x32xi32>'}}
  %r:2 = sse_gpu.group ins(%i : tensor<2x64x1xi32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x32xi32>) {partitions = 4 : i64} -> tensor<2x4xi32>, tensor<2x4x32xi32>
  return
}

// -----

func.func @group(%i: tensor<2x64x1xi32>, %c: tensor<2x4xi32>, %t: tensor<2x4x64xi32>) {
  // expected-error @below {{results must have the types of the destinations}}
  sse_gpu.group ins(%i : tensor<2x64x1xi32>) outs(%c, %t : tensor<2x4xi32>, tensor<2x4x64xi32>) {partitions = 4 : i64}
  return
}

// -----

func.func @route(%z: tensor<2x64xbf16>, %w0: tensor<2x64x2xf32>, %i0: tensor<2x64x2xi32>) {
  // expected-error @below {{logits must be [B, T, N] or [B, T, H, N] of floats, got 'tensor<2x64xbf16>'}}
  %w, %i = sse_gpu.route ins(%z : tensor<2x64xbf16>) outs(%w0, %i0 : tensor<2x64x2xf32>, tensor<2x64x2xi32>) {top_k = 2 : i64} -> tensor<2x64x2xf32>, tensor<2x64x2xi32>
  return
}

// -----

func.func @route(%z: tensor<2x64x4xbf16>, %w0: tensor<2x64x2xf32>, %i0: tensor<2x64x2xi32>) {
  // expected-error @below {{top_k must be in [1, N = 4], got 5}}
  %w, %i = sse_gpu.route ins(%z : tensor<2x64x4xbf16>) outs(%w0, %i0 : tensor<2x64x2xf32>, tensor<2x64x2xi32>) {top_k = 5 : i64} -> tensor<2x64x2xf32>, tensor<2x64x2xi32>
  return
}

// -----

func.func @route(%z: tensor<2x64x4xbf16>, %w0: tensor<2x64x2xf32>, %i0: tensor<2x64x2xi32>) {
  // expected-error @below {{top_k must be in [1, N = 4], got 0}}
  %w, %i = sse_gpu.route ins(%z : tensor<2x64x4xbf16>) outs(%w0, %i0 : tensor<2x64x2xf32>, tensor<2x64x2xi32>) {top_k = 0 : i64} -> tensor<2x64x2xf32>, tensor<2x64x2xi32>
  return
}

// -----

func.func @route(%z: tensor<2x64x4xbf16>, %w0: tensor<2x64x1xf32>, %i0: tensor<2x64x2xi32>) {
  // expected-error @below {{weights must be [B, T, top_k] of f32, got 'tensor<2x64x1xf32>'}}
  %w, %i = sse_gpu.route ins(%z : tensor<2x64x4xbf16>) outs(%w0, %i0 : tensor<2x64x1xf32>, tensor<2x64x2xi32>) {top_k = 2 : i64} -> tensor<2x64x1xf32>, tensor<2x64x2xi32>
  return
}

// -----

func.func @route(%z: tensor<2x64x4xbf16>, %w0: tensor<2x64x2xf32>, %i0: tensor<2x64x2xi64>) {
  // expected-error @below {{indices must be [B, T, top_k] of i32, got 'tensor<2x64x2xi64>'}}
  %w, %i = sse_gpu.route ins(%z : tensor<2x64x4xbf16>) outs(%w0, %i0 : tensor<2x64x2xf32>, tensor<2x64x2xi64>) {top_k = 2 : i64} -> tensor<2x64x2xf32>, tensor<2x64x2xi64>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x32xf32>, %o0: tensor<2x64x2x32xbf16>) {
  // expected-error @below {{partials must be [B, T, H, k, V] of f32, got 'tensor<2x64x2x32xf32>'}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x32xf32>) outs(%o0 : tensor<2x64x2x32xbf16>) -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>, %s: tensor<2x64x2x2x32xf32>) {
  // expected-error @below {{shared must be [B, T, H, 1, V] of f32, got 'tensor<2x64x2x2x32xf32>'}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) shared(%s : tensor<2x64x2x2x32xf32>) outs(%o0 : tensor<2x64x2x32xbf16>) -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>, %w: tensor<2x2x32xf32>) {
  // expected-error @below {{norm must be [V] or [H, V] of floats, got 'tensor<2x2x32xf32>'}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) norm(%w : tensor<2x2x32xf32>) outs(%o0 : tensor<2x64x2x32xbf16>) {eps = 1.0e-05 : f32} -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>, %w: tensor<16xf32>) {
  // expected-error @below {{norm must be [V] or [H, V] of floats, got 'tensor<16xf32>'}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) norm(%w : tensor<16xf32>) outs(%o0 : tensor<2x64x2x32xbf16>) {eps = 1.0e-05 : f32} -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>, %w: tensor<32xf32>) {
  // expected-error @below {{the norm needs its eps}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) norm(%w : tensor<32xf32>) outs(%o0 : tensor<2x64x2x32xbf16>) -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>) {
  // expected-error @below {{eps is an attribute of the norm, which is absent}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) outs(%o0 : tensor<2x64x2x32xbf16>) {eps = 1.0e-05 : f32} -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x16xbf16>) {
  // expected-error @below {{o must be [B, T, H, V] of floats, got 'tensor<2x64x2x16xbf16>'}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) outs(%o0 : tensor<2x64x2x16xbf16>) -> tensor<2x64x2x16xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>, %g: tensor<2x64x2x32xi32>) {
  // expected-error @below {{out_gate must be [B, T, H, V] of floats, got 'tensor<2x64x2x32xi32>'}}
  %o = sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) out_gate(%g : tensor<2x64x2x32xi32>) outs(%o0 : tensor<2x64x2x32xbf16>) -> tensor<2x64x2x32xbf16>
  return
}

// -----

func.func @combine(%p: tensor<2x64x2x2x32xf32>, %o0: tensor<2x64x2x32xbf16>) {
  // expected-error @below {{results must have the types of the destinations}}
  sse_gpu.combine_outputs ins(%p : tensor<2x64x2x2x32xf32>) outs(%o0 : tensor<2x64x2x32xbf16>)
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %cu: tensor<3x1xi32>) {
  // expected-error @below {{cu_seqlens must be a 1-D integer array, got 'tensor<3x1xi32>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) cu_seqlens(%cu : tensor<3x1xi32>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %cu: tensor<3xi32>) {
  // expected-error @below {{packed sequences (cu_seqlens) need B = 1, got 'tensor<2x64x2x16xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) cu_seqlens(%cu : tensor<3xi32>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x64x2x16xbf16>, %v: tensor<1x64x2x32xbf16>, %o: tensor<1x64x2x32xbf16>, %s: tensor<1x2x1x16x32xf32>, %cu: tensor<3xi32>) {
  // expected-error @below {{states must be [S, H, P, K, V] of f32, got 'tensor<1x2x1x16x32xf32>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x64x2x16xbf16>, tensor<1x64x2x16xbf16>, tensor<1x64x2x32xbf16>) cu_seqlens(%cu : tensor<3xi32>) outs(%o, %s : tensor<1x64x2x32xbf16>, tensor<1x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x64x2x32xbf16>, tensor<1x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x1x32xf32>, %s: tensor<2x2x1x16x32xf32>, %p: tensor<2x64x2x1x32xf32>) {
  // expected-error @below {{only a dense scan that writes o (combine = direct) adds the routed partials}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) add(%p : tensor<2x64x2x1x32xf32>) outs(%o, %s : tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x1x32xf32>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %p: tensor<2x64x2x1x32xbf16>) {
  // expected-error @below {{the added partials must be [B, T, H, k, V] of f32, got 'tensor<2x64x2x1x32xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) add(%p : tensor<2x64x2x1x32xbf16>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<2x64x2x16xbf16>, %v: tensor<2x64x2x32xbf16>, %o: tensor<2x64x2x32xbf16>, %s: tensor<2x2x1x16x32xf32>, %p: tensor<2x64x2x1x16xf32>) {
  // expected-error @below {{the added partials must be [B, T, H, k, V] with V of v, got 'tensor<2x64x2x1x16xf32>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<2x64x2x16xbf16>, tensor<2x64x2x16xbf16>, tensor<2x64x2x32xbf16>) add(%p : tensor<2x64x2x1x16xf32>) outs(%o, %s : tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = cp_async, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<2x64x2x32xbf16>, tensor<2x2x1x16x32xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{'sse_gpu.segment_states' op k must be [B, T, H, K] of floats, got 'tensor<1x256x2xbf16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xi16>, %v: tensor<1x256x2x32xi16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{k must be [B, T, H, K] of floats, got 'tensor<1x256x2x16xi16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xi16>, tensor<1x256x2x32xi16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{v must be [B, T, H, V] of k's element type, got 'tensor<1x256x2x32xf16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x128x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{v must be [B, T, H, V] of k's element type, got 'tensor<1x128x2x32xbf16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x128x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %g: tensor<1x256x2x8xbf16>) {
  // expected-error @below {{gate must be [B, T, H] or [B, T, H, K] of floats, got 'tensor<1x256x2x8xbf16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) gate(%g : tensor<1x256x2x8xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %g: tensor<1x256x4xbf16>) {
  // expected-error @below {{gate must be [B, T, H] or [B, T, H, K] of floats, got 'tensor<1x256x4xbf16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) gate(%g : tensor<1x256x4xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

// One piece is the plain chunk scan: no state pass.
func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{a plan of at least two segments is needed (plan: segments = 1)}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %cu: tensor<3x2xi32>) {
  // expected-error @below {{cu_seqlens must be a 1-D integer array, got 'tensor<3x2xi32>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) cu_seqlens(%cu : tensor<3x2xi32>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<2x256x2x16xbf16>, %v: tensor<2x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %cu: tensor<3xi32>) {
  // expected-error @below {{packed sequences (cu_seqlens) need B = 1, got 'tensor<2x256x2x16xbf16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<2x256x2x16xbf16>, tensor<2x256x2x32xbf16>) cu_seqlens(%cu : tensor<3xi32>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

// n - 1 ends: the last piece needs none.
func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x4x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{ends must be [S, segments - 1, H, K, V] of f32, got 'tensor<1x4x2x16x32xf32>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x4x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x4x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

// Packed sequences: S = 3 (cu_seqlens of 4), not B.
func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %cu: tensor<4xi32>) {
  // expected-error @below {{ends must be [S, segments - 1, H, K, V] of f32, got 'tensor<1x3x2x16x32xf32>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) cu_seqlens(%cu : tensor<4xi32>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xbf16>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{ends must be [S, segments - 1, H, K, V] of f32, got 'tensor<1x3x2x16x32xbf16>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xbf16>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xbf16>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x32xf32>) {
  // expected-error @below {{decays must be [S, segments - 1, H, K] of f32, got 'tensor<1x3x2x32xf32>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x32xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x32xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16x32xf32>) {
  // expected-error @below {{decays must be [S, segments - 1, H, K] of f32, got 'tensor<1x3x2x16x32xf32>'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16x32xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16x32xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{plan holds k_width = 32 rows of the state, but K = 16}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 32, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{plan's precision f16 does not fit inputs of 'bf16'}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = f16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x48xbf16>, %e: tensor<1x3x2x16x48xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{plan's v_slice = 32 does not divide V = 48}}
  %r:2 = sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x48xbf16>) outs(%e, %d : tensor<1x3x2x16x48xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x3x2x16x48xf32>, tensor<1x3x2x16xf32>
  return
}

// -----

func.func @segment_states(%k: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>) {
  // expected-error @below {{results must have the types of the destinations}}
  sse_gpu.segment_states ins(%k, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) {plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>}
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{'sse_gpu.combine_segments' op ends must be [S, segments - 1, H, K, V] of f32, got 'tensor<1x3x2x16xf32>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16xf32>, tensor<1x3x2x16xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xbf16>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{ends must be [S, segments - 1, H, K, V] of f32, got 'tensor<1x3x2x16x32xbf16>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xbf16>, tensor<1x3x2x16xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x4x2x16xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{decays must be [S, segments - 1, H, K] of f32, got 'tensor<1x4x2x16xf32>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x4x2x16xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16x1xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{decays must be [S, segments - 1, H, K] of f32, got 'tensor<1x3x2x16x1xf32>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16x1xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

// One init per piece: one more than the ends.
func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x3x2x16x32xf32>) {
  // expected-error @below {{inits must be [S, segments, H, K, V] of f32, got 'tensor<1x3x2x16x32xf32>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) outs(%i : tensor<1x3x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x3x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x16xf32>) {
  // expected-error @below {{inits must be [S, segments, H, K, V] of f32, got 'tensor<1x4x2x16x16xf32>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) outs(%i : tensor<1x4x2x16x16xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x16xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{partition must be >= 0, got -1}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = -1 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>, %s: tensor<2x2x1x16x32xf32>) {
  // expected-error @below {{initial must be [S, H, P, K, V] of f32, got 'tensor<2x2x1x16x32xf32>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) initial(%s : tensor<2x2x1x16x32xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>, %s: tensor<1x2x1x16x32xf16>) {
  // expected-error @below {{initial must be [S, H, P, K, V] of f32, got 'tensor<1x2x1x16x32xf16>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) initial(%s : tensor<1x2x1x16x32xf16>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>, %s: tensor<1x2x1x32x16xf32>) {
  // expected-error @below {{initial must be [S, H, P, K, V] with the K, V of ends, got 'tensor<1x2x1x32x16xf32>'}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) initial(%s : tensor<1x2x1x32x16xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>, %s: tensor<1x2x1x16x32xf32>) {
  // expected-error @below {{partition 1 is not among the initial states' 1}}
  %r = sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) initial(%s : tensor<1x2x1x16x32xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 1 : i64} -> tensor<1x4x2x16x32xf32>
  return
}

// -----

func.func @combine_segments(%e: tensor<1x3x2x16x32xf32>, %d: tensor<1x3x2x16xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{results must have the types of the destinations}}
  sse_gpu.combine_segments ins(%e, %d : tensor<1x3x2x16x32xf32>, tensor<1x3x2x16xf32>) outs(%i : tensor<1x4x2x16x32xf32>) {partition = 0 : i64}
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %o: tensor<1x256x2x32xbf16>, %s: tensor<1x2x1x16x32xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{'sse_gpu.chunk_scan' op segment_init is needed by, and only by, a plan of more than one segment (plan: segments = 1)}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) segment_init(%i : tensor<1x4x2x16x32xf32>) outs(%o, %s : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 1, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %o: tensor<1x256x2x32xbf16>, %s: tensor<1x2x1x16x32xf32>) {
  // expected-error @below {{segment_init is needed by, and only by, a plan of more than one segment (plan: segments = 4)}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) outs(%o, %s : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %o: tensor<1x256x2x1x32xf32>, %s: tensor<1x2x5x16x32xf32>, %c: tensor<1x4xi32>, %t: tensor<1x4x256xi32>, %w: tensor<1x256x1xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{only a dense scan of one partition walks in segments; routed partitions walk their token lists whole}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) groups(%c, %t, %w : tensor<1x4xi32>, tensor<1x4x256xi32>, tensor<1x256x1xf32>) segment_init(%i : tensor<1x4x2x16x32xf32>) outs(%o, %s : tensor<1x256x2x1x32xf32>, tensor<1x2x5x16x32xf32>) {first_partition = 1 : i64, partitions = 4 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = cp_async, cluster = 1, combine = partials, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x256x2x1x32xf32>, tensor<1x2x5x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %o: tensor<1x256x2x32xbf16>, %s: tensor<1x2x2x16x32xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{only a dense scan of one partition walks in segments}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) segment_init(%i : tensor<1x4x2x16x32xf32>) outs(%o, %s : tensor<1x256x2x32xbf16>, tensor<1x2x2x16x32xf32>) {first_partition = 0 : i64, partitions = 2 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x256x2x32xbf16>, tensor<1x2x2x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %o: tensor<1x256x2x32xbf16>, %s: tensor<1x2x1x16x32xf32>, %i: tensor<1x4x2x16x32xf32>) {
  // expected-error @below {{with segment_init the states destination is only written: zero_init does not apply}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) segment_init(%i : tensor<1x4x2x16x32xf32>) outs(%o, %s : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, zero_init, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %o: tensor<1x256x2x32xbf16>, %s: tensor<1x2x1x16x32xf32>, %i: tensor<1x3x2x16x32xf32>) {
  // expected-error @below {{segment_init must be [S, segments, H, K, V] of f32, got 'tensor<1x3x2x16x32xf32>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) segment_init(%i : tensor<1x3x2x16x32xf32>) outs(%o, %s : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
  return
}

// -----

func.func @chunk_scan(%q: tensor<1x256x2x16xbf16>, %v: tensor<1x256x2x32xbf16>, %o: tensor<1x256x2x32xbf16>, %s: tensor<1x2x1x16x32xf32>, %i: tensor<1x4x2x16x32xbf16>) {
  // expected-error @below {{segment_init must be [S, segments, H, K, V] of f32, got 'tensor<1x4x2x16x32xbf16>'}}
  %r:2 = sse_gpu.chunk_scan ins(%q, %q, %v : tensor<1x256x2x16xbf16>, tensor<1x256x2x16xbf16>, tensor<1x256x2x32xbf16>) segment_init(%i : tensor<1x4x2x16x32xbf16>) outs(%o, %s : tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>) {first_partition = 0 : i64, partitions = 1 : i64, scale = 0.25 : f32, plan = #sse_gpu.plan<chunk = 64, sub_block = 16, k_width = 16, v_slice = 32, segments = 4, producer_warpgroups = 1, consumer_warpgroups = 2, producer_registers = 40, consumer_registers = 232, stages = 2, load = tma, cluster = 1, combine = direct, precision = bf16, smem = {q = array<i64: 0, 4096>, barriers = array<i64: 4096, 32>}, smem_bytes = 4224>} -> tensor<1x256x2x32xbf16>, tensor<1x2x1x16x32xf32>
  return
}
