// Issue 9: static zero sizes and the declared sse.* attributes are verifier
// errors (they crashed sse-tile, the pipelines and sse-unroll-kernel-loops).
// RUN: sse-opt %s -split-input-file -verify-diagnostics

func.func @zero_h(%q: tensor<1x16x0x8xf32>) {
  // expected-error @+1 {{q 'tensor<1x16x0x8xf32>' has H = 0 (dimension 2)}}
  %o, %s = sse.scan %q, %q, %q : (tensor<1x16x0x8xf32>, tensor<1x16x0x8xf32>, tensor<1x16x0x8xf32>) -> (tensor<1x16x0x8xf32>, tensor<1x0x1x8x8xf32>)
  return
}

// -----

func.func @zero_b(%q: tensor<0x16x2x8xf32>) {
  // expected-error @+1 {{q 'tensor<0x16x2x8xf32>' has B = 0 (dimension 0)}}
  %o, %s = sse.scan %q, %q, %q : (tensor<0x16x2x8xf32>, tensor<0x16x2x8xf32>, tensor<0x16x2x8xf32>) -> (tensor<0x16x2x8xf32>, tensor<0x2x1x8x8xf32>)
  return
}

// -----

func.func @zero_t(%q: tensor<1x0x2x8xf32>) {
  // expected-error @+1 {{q 'tensor<1x0x2x8xf32>' has T = 0 (dimension 1)}}
  %o, %s = sse.scan %q, %q, %q : (tensor<1x0x2x8xf32>, tensor<1x0x2x8xf32>, tensor<1x0x2x8xf32>) -> (tensor<1x0x2x8xf32>, tensor<1x2x1x8x8xf32>)
  return
}

// -----

func.func @zero_k(%q: tensor<1x4x2x0xf32>, %v: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{q 'tensor<1x4x2x0xf32>' has K = 0 (dimension 3)}}
  %o, %s = sse.scan %q, %q, %v : (tensor<1x4x2x0xf32>, tensor<1x4x2x0xf32>, tensor<1x4x2x8xf32>) -> (tensor<1x4x2x8xf32>, tensor<1x2x1x0x8xf32>)
  return
}

// -----

func.func @zero_v(%q: tensor<1x4x2x8xf32>, %v: tensor<1x4x2x0xf32>) {
  // expected-error @+1 {{v 'tensor<1x4x2x0xf32>' has V = 0 (dimension 3)}}
  %o, %s = sse.scan %q, %q, %v : (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x0xf32>) -> (tensor<1x4x2x0xf32>, tensor<1x2x1x8x0xf32>)
  return
}

// -----

func.func @classify_zero_n(%z: tensor<2x4x0xf32>) {
  // expected-error @+1 {{logits 'tensor<2x4x0xf32>' has a zero N (last dimension) at dimension 2}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x4x0xf32> -> (tensor<2x4x1xf32>, tensor<2x4x1xi32>)
  return
}

// -----

func.func @classify_zero_t(%z: tensor<2x0x4xf32>) {
  // expected-error @+1 {{logits 'tensor<2x0x4xf32>' has a zero size at dimension 1}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<2x0x4xf32> -> (tensor<2x0x1xf32>, tensor<2x0x1xi32>)
  return
}

// -----

func.func @unroll_unit(%m: memref<4xf32>, %n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{attribute 'sse.unroll' must be an integer in [1, 64], got unit}}
  scf.for %i = %c0 to %n step %c1 {
    memref.store %x, %m[%i] : memref<4xf32>
  } {sse.unroll}
  return
}

// -----

func.func @unroll_zero(%m: memref<4xf32>, %n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{attribute 'sse.unroll' must be an integer in [1, 64], got 0 : i64}}
  scf.for %i = %c0 to %n step %c1 {
    memref.store %x, %m[%i] : memref<4xf32>
  } {sse.unroll = 0 : i64}
  return
}

// -----

func.func @unroll_huge(%m: memref<4xf32>, %n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{attribute 'sse.unroll' must be an integer in [1, 64], got 100000000 : i64}}
  scf.for %i = %c0 to %n step %c1 {
    memref.store %x, %m[%i] : memref<4xf32>
  } {sse.unroll = 100000000 : i64}
  return
}

// -----

func.func @unroll_float(%m: memref<4xf32>, %n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{attribute 'sse.unroll' must be an integer in [1, 64], got 1.000000e+00 : f32}}
  scf.for %i = %c0 to %n step %c1 {
    memref.store %x, %m[%i] : memref<4xf32>
  } {sse.unroll = 1.0 : f32}
  return
}

// -----

func.func @unroll_not_a_loop() {
  // expected-error @+1 {{attribute 'sse.unroll' belongs on a 'scf.for' op}}
  %c0 = arith.constant {sse.unroll = 2 : i64} 0 : index
  return
}

// -----

func.func @min_blocks(%m: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{attribute 'sse.min_blocks_per_sm' must be an integer in [1, 32], got 33 : i32}}
  gpu.launch blocks(%a, %b, %c) in (%x = %c1, %y = %c1, %z = %c1) threads(%d, %e, %f) in (%u = %c1, %v = %c1, %w = %c1) {
    gpu.terminator
  } {sse.min_blocks_per_sm = 33 : i32}
  return
}

// -----

func.func @gpu_kernels(%q: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{attribute 'sse.gpu_kernels' must be a dictionary {index = i : i64, tensor_cores = true|false} with i >= 0}}
  %o, %s = sse.scan %q, %q, %q {sse.gpu_kernels = {index = -1 : i64, tensor_cores = true}} : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>)
  return
}

// -----

// expected-error @+1 {{attribute 'sse.results_in_args': the entry of function 'f' must be an array<i64> of argument indices}}
module attributes {sse.results_in_args = {f = 3 : i64}} {
}

// -----

// expected-error @+1 {{attribute 'sse.results_in_args': the entry of function 'f' holds -2}}
module attributes {sse.results_in_args = {f = array<i64: 0, -2>}} {
}

// -----

// expected-error @+1 {{unknown discardable attribute 'sse.bogus' of the sse dialect}}
module attributes {sse.bogus = 1 : i64} {
}

// -----

// Tensors too large to address (2^72 elements here) are rejected: the cost
// model's and the lowerings' size arithmetic overflowed on them (a SIGFPE
// in the cost model, found by the fuzzer through transform.sse.tile).
func.func @unaddressable_scan(%q: tensor<2147483648x64x2147483648x16xf32>) {
  // expected-error @+1 {{'sse.scan' op operand #0 has type 'tensor<2147483648x64x2147483648x16xf32>', more bytes than can be addressed (2^63)}}
  %o, %s = sse.scan %q, %q, %q : (tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x64x2147483648x16xf32>) -> (tensor<2147483648x64x2147483648x16xf32>, tensor<2147483648x2147483648x1x16x16xf32>)
  return
}

// -----

func.func @unaddressable_classify(%z: tensor<4294967296x4294967296x4xf32>) {
  // expected-error @+1 {{'sse.classify' op operand #0 has type 'tensor<4294967296x4294967296x4xf32>', more bytes than can be addressed (2^63)}}
  %w, %i = sse.classify %z {k = 1 : i64} : tensor<4294967296x4294967296x4xf32> -> (tensor<4294967296x4294967296x1xf32>, tensor<4294967296x4294967296x1xi32>)
  return
}

// -----

// One operand alone is enough: v of 2^31 heads with 2^31 columns.
func.func @unaddressable_states(%q: tensor<1x4x2147483648x16xf32>, %v: tensor<1x4x2147483648x2147483648xf32>) {
  // expected-error @+1 {{'sse.scan' op operand #2 has type 'tensor<1x4x2147483648x2147483648xf32>', more bytes than can be addressed (2^63)}}
  %o, %s = sse.scan %q, %q, %v : (tensor<1x4x2147483648x16xf32>, tensor<1x4x2147483648x16xf32>, tensor<1x4x2147483648x2147483648xf32>) -> (tensor<1x4x2147483648x2147483648xf32>, tensor<1x2147483648x1x16x2147483648xf32>)
  return
}
