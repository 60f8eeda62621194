// sse-drop-in-place-results records where results live in
// sse.results_in_args; a module that already carries the attribute (a
// second run, or one written in the input) is an error, not overwritten.
// RUN: sse-opt %s -sse-drop-in-place-results -split-input-file -verify-diagnostics

// expected-error @below {{'sse.results_in_args' is already set: sse-drop-in-place-results runs once}}
module attributes {sse.results_in_args = {step = array<i64: 0>}} {
  func.func @step(%s: memref<8xf32>) -> memref<8xf32> {
    return %s : memref<8xf32>
  }
}

// -----

// Running the pass twice: the second run reports the first run's record.
// RUN: not sse-opt %s -split-input-file -sse-drop-in-place-results -sse-drop-in-place-results 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: error: 'sse.results_in_args' is already set
func.func @twice(%s: memref<8xf32>) -> memref<8xf32> {
  return %s : memref<8xf32>
}
