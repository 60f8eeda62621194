// sse-drop-in-place-results: a public function's results that are its own
// argument buffers (a scan's states updated in place) are dropped, and the
// module records which argument holds each result; other results, private
// functions and functions with callers keep their signatures.
// RUN: sse-opt %s -sse-drop-in-place-results -split-input-file | FileCheck %s

// CHECK: module attributes {sse.results_in_args = {step = array<i64: -1, 1, 2>}}
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[O:.*]]: memref<4xf32>, %[[S:.*]]: memref<8xf32>, %[[T:.*]]: memref<2x2xf32>) -> memref<4xf32>
// CHECK: %[[NEW:.*]] = memref.alloc() : memref<4xf32>
// CHECK: return %[[NEW]] : memref<4xf32>
func.func @step(%o: memref<4xf32>, %s: memref<8xf32>, %t: memref<2x2xf32>) -> (memref<4xf32>, memref<8xf32>, memref<2x2xf32>) {
  %new = memref.alloc() : memref<4xf32>
  %c = memref.cast %t : memref<2x2xf32> to memref<2x2xf32>
  return %new, %s, %c : memref<4xf32>, memref<8xf32>, memref<2x2xf32>
}

// -----

// A cast that changes the type is not the argument's buffer as the result
// type describes it: kept.
// CHECK-NOT: sse.results_in_args
// CHECK-LABEL: func.func @layout_change
// CHECK-SAME: -> memref<?xf32>
// CHECK: return
func.func @layout_change(%s: memref<8xf32>) -> memref<?xf32> {
  %c = memref.cast %s : memref<8xf32> to memref<?xf32>
  return %c : memref<?xf32>
}

// -----

// Private functions and functions with callers are left alone.
// CHECK-NOT: sse.results_in_args
// CHECK-LABEL: func.func private @helper
// CHECK-SAME: -> memref<8xf32>
// CHECK-LABEL: func.func @called
// CHECK-SAME: -> memref<8xf32>
// CHECK-LABEL: func.func @caller
// CHECK: call @called
func.func private @helper(%s: memref<8xf32>) -> memref<8xf32> {
  return %s : memref<8xf32>
}
func.func @called(%s: memref<8xf32>) -> memref<8xf32> {
  return %s : memref<8xf32>
}
func.func @caller(%s: memref<8xf32>) {
  %r = call @called(%s) : (memref<8xf32>) -> memref<8xf32>
  return
}
