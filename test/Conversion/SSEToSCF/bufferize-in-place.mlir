// sse.scan bufferizes in place: its final states are the buffer of `init`
// (the scan's destination). A decode step whose state cache is writable
// updates it without a copy; if the initial states are read again after
// the scan, one-shot bufferization copies them first.
// RUN: sse-opt %s -convert-sse-to-scf=lower-scans=false -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @decode
// CHECK-SAME: %[[CACHE:[a-z0-9]+]]: memref<4x2x1x8x8xf32>)
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.alloc() : memref<4x2x1x8x8xf32>
// CHECK: memref.store %{{.*}}, %[[CACHE]]
// CHECK: return %{{.*}}, %[[CACHE]]
func.func @decode(%q: tensor<4x1x2x8xf32>, %v: tensor<4x1x2x8xf32>, %cache: tensor<4x2x1x8x8xf32> {bufferization.writable = true}) -> (tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>) {
  %o, %s = sse.scan %q, %q, %v init(%cache) : (tensor<4x1x2x8xf32>, tensor<4x1x2x8xf32>, tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>) -> (tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>)
  return %o, %s : tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>
}

// -----

// The initial states are returned too: the scan works on a copy.
// CHECK-LABEL: func.func @init_still_used
// CHECK-SAME: %[[CACHE:[a-z0-9]+]]: memref<4x2x1x8x8xf32>)
// CHECK: %[[COPY:.*]] = memref.alloc() {{.*}}: memref<4x2x1x8x8xf32>
// CHECK: memref.copy %[[CACHE]], %[[COPY]]
// CHECK: memref.store %{{.*}}, %[[COPY]]
// CHECK: return %{{.*}}, %[[COPY]], %[[CACHE]]
func.func @init_still_used(%q: tensor<4x1x2x8xf32>, %v: tensor<4x1x2x8xf32>, %cache: tensor<4x2x1x8x8xf32> {bufferization.writable = true}) -> (tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>, tensor<4x2x1x8x8xf32>) {
  %o, %s = sse.scan %q, %q, %v init(%cache) : (tensor<4x1x2x8xf32>, tensor<4x1x2x8xf32>, tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>) -> (tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>)
  return %o, %s, %cache : tensor<4x1x2x8xf32>, tensor<4x2x1x8x8xf32>, tensor<4x2x1x8x8xf32>
}
