// Every ```mlir example in docs/ parses, verifies and round-trips through
// sse-opt (printed form parses again to the same text).
// RUN: %python %sse_src/scripts/doc_examples.py %sse_src/docs > %t.mlir
// RUN: sse-opt %t.mlir -split-input-file > %t.1.mlir
// RUN: sse-opt %t.1.mlir -split-input-file > %t.2.mlir
// RUN: diff %t.1.mlir %t.2.mlir
// RUN: FileCheck %s --input-file=%t.1.mlir

// The op reference's own examples are among them.
// CHECK-DAG: sse.classify
// CHECK-DAG: sse.scan
