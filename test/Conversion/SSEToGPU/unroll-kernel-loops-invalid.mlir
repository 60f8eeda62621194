// sse-unroll-kernel-loops checks its marks itself (they can come from the
// input as well as from the kernels): a mark that is not an integer in
// [1, 64] on an scf.for is an error, never a crash or a hang. The parser's
// verifier is off here so that the pass, not the dialect's attribute
// verifier, meets the bad marks.
// RUN: sse-opt %s --mlir-very-unsafe-disable-verifier-on-parsing -sse-unroll-kernel-loops -split-input-file -verify-diagnostics

func.func @unit(%m: memref<16xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{'sse.unroll' must be an integer unroll factor, got unit}}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  } {sse.unroll}
  return
}

// -----

func.func @zero(%m: memref<16xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{'sse.unroll' = 0 is outside [1, 64]}}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  } {sse.unroll = 0 : i64}
  return
}

// -----

func.func @negative(%m: memref<16xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{'sse.unroll' = -1 is outside [1, 64]}}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  } {sse.unroll = -1 : i64}
  return
}

// -----

func.func @huge(%m: memref<16xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{'sse.unroll' = 100000000 is outside [1, 64]}}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  } {sse.unroll = 100000000 : i64}
  return
}

// -----

func.func @float(%m: memref<16xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{'sse.unroll' must be an integer unroll factor, got 1.000000e+00 : f32}}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  } {sse.unroll = 1.0 : f32}
  return
}

// -----

func.func @boolean(%m: memref<16xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-error @+1 {{'sse.unroll' must be an integer unroll factor, got true}}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %x, %m[%i] : memref<16xf32>
  } {sse.unroll = true}
  return
}

// -----

func.func @not_a_loop(%x: f32) -> f32 {
  // expected-error @+1 {{'sse.unroll' marks scf.for loops only}}
  %y = arith.addf %x, %x {sse.unroll = 2 : i64} : f32
  return %y : f32
}
