// sse-distinct-returned-buffers: a buffer returned at several positions
// (directly or through memref.cast) gets a fresh copy for every repeat.
// RUN: sse-opt %s -sse-distinct-returned-buffers -split-input-file | FileCheck %s
// The pipelines with the workaround: a value returned twice compiles
// (upstream buffer-results-to-out-params with hoist-static-allocs crashed).
// RUN: sse-opt %s -split-input-file --sse-to-llvm-cpu | FileCheck %s --check-prefix=CPU
// The GPU pipeline does not lower host-side linalg yet: @fill_twice is an
// error there (test/Pipelines/unlowered.mlir); the other cases must pass.
// RUN: not sse-opt %s -split-input-file --sse-to-nvvm=format=isa 2>&1 | FileCheck %s --check-prefix=NVVM

// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%[[M:.*]]: memref<4xf32>)
// CHECK: %[[C:.*]] = memref.alloc() : memref<4xf32>
// CHECK: memref.copy %[[M]], %[[C]] : memref<4xf32> to memref<4xf32>
// CHECK: return %[[M]], %[[C]] : memref<4xf32>, memref<4xf32>
// CPU-LABEL: llvm.func @twice
// NVVM-LABEL: llvm.func @twice
func.func @twice(%m: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  return %m, %m : memref<4xf32>, memref<4xf32>
}

// -----

// A cast of a returned buffer is the same buffer; a dynamic size is kept.
// CHECK-LABEL: func.func @through_cast
// CHECK-SAME: (%[[M:.*]]: memref<?xf32>, %[[N:.*]]: memref<8xi32>)
// CHECK: %[[CAST:.*]] = memref.cast %[[M]] : memref<?xf32> to memref<3xf32>
// CHECK: %[[D:.*]] = memref.dim %[[M]], %c0 : memref<?xf32>
// CHECK: %[[C:.*]] = memref.alloc(%[[D]]) : memref<?xf32>
// CHECK: memref.copy %[[M]], %[[C]]
// CHECK: return %[[CAST]], %[[N]], %[[C]], %{{.*}} : memref<3xf32>, memref<8xi32>, memref<?xf32>, index
// CPU-LABEL: llvm.func @through_cast
// NVVM-LABEL: llvm.func @through_cast
func.func @through_cast(%m: memref<?xf32>, %n: memref<8xi32>) -> (memref<3xf32>, memref<8xi32>, memref<?xf32>, index) {
  %c = memref.cast %m : memref<?xf32> to memref<3xf32>
  %i = arith.constant 1 : index
  return %c, %n, %m, %i : memref<3xf32>, memref<8xi32>, memref<?xf32>, index
}

// -----

// Through both pipelines from tensors: one linalg.fill returned twice, and
// one scan state returned twice beside its output.
// CHECK-LABEL: func.func @fill_twice
// CPU-LABEL: llvm.func @fill_twice
// NVVM-NOT: llvm.func @fill_twice
func.func @fill_twice() -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %c = arith.constant 2.0 : f32
  %r = linalg.fill ins(%c : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %r, %r : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @state_twice
// CPU-LABEL: llvm.func @state_twice
// NVVM-LABEL: llvm.func @state_twice
func.func @state_twice(%q: tensor<1x16x2x16xf32>, %v: tensor<1x16x2x16xf32>) -> (tensor<1x16x2x16xf32>, tensor<1x2x1x16x16xf32>, tensor<1x2x1x16x16xf32>) {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x16x2x16xf32>, tensor<1x16x2x16xf32>, tensor<1x16x2x16xf32>) -> (tensor<1x16x2x16xf32>, tensor<1x2x1x16x16xf32>)
  return %o, %s, %s : tensor<1x16x2x16xf32>, tensor<1x2x1x16x16xf32>, tensor<1x2x1x16x16xf32>
}
