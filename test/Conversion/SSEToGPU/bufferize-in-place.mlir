// convert-sse-to-gpu=lower-scans=false marks each scan and leaves it to
// one-shot bufferization, which emits the kernels on buffers with the final
// states written in place into init's buffer (the scan's destination): the
// scan kernel loads init and stores the final states into the same buffer,
// and no states buffer is allocated (a block with no entries touches
// neither). sse-drop-in-place-results then drops
// the returned cache and records it for the runners. If the initial states
// are still read after the scan, bufferization copies them first.
// RUN: sse-opt %s -convert-sse-to-gpu=lower-scans=false -split-input-file | FileCheck %s --check-prefix=MARK
// RUN: sse-opt %s -convert-sse-to-gpu=lower-scans=false -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" -sse-drop-in-place-results -split-input-file | FileCheck %s

// MARK-LABEL: func.func @decode
// MARK: sse.scan {{.*}} {sse.gpu_kernels = {index = 0 : i64, tensor_cores = true}}
// CHECK: module attributes {gpu.container_module, sse.results_in_args = {decode = array<i64: -1, 2>}}
// CHECK-LABEL: func.func @decode
// CHECK-SAME: %[[CACHE:arg2]]: memref<4x2x1x16x16xf32>) -> memref<4x1x2x16xf32>
// CHECK-NOT: memref.alloc{{.*}} memref<4x2x1x16x16xf32>
// CHECK-NOT: memref.copy
// A block whose partition has no entries in its sequence leaves the
// states as they are: the loads of init and the stores of the final states
// are guarded by "the walk has entries".
// CHECK: gpu.launch {{.*}} module(@sse_scan_tc)
// CHECK: %[[HAS:.*]] = arith.cmpi slt, %{{.*}}, %{{.*}} : index
// CHECK-NEXT: scf.if %[[HAS]] -> (vector<2x2xf32>, vector<2x2xf32>)
// Each fragment row's pair of states moves as one 8-byte access.
// CHECK: vector.load %[[CACHE]][{{.*}}] {alignment = 8 : i64} : memref<4x2x1x16x16xf32>, vector<2xf32>
// CHECK: scf.if %[[HAS]] {
// CHECK: vector.store %{{.*}}, %[[CACHE]][{{.*}}] {alignment = 8 : i64} : memref<4x2x1x16x16xf32>, vector<2xf32>
// CHECK: gpu.launch {{.*}} module(@sse_epilogue)
// CHECK: return %{{.*}} : memref<4x1x2x16xf32>
func.func @decode(%q: tensor<4x1x2x16xf32>, %v: tensor<4x1x2x16xf32>, %cache: tensor<4x2x1x16x16xf32>) -> (tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>) {
  %o, %s = sse.scan %q, %q, %v init(%cache) : (tensor<4x1x2x16xf32>, tensor<4x1x2x16xf32>, tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>) -> (tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>)
  return %o, %s : tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>
}

// -----

// The initial states are returned too: the kernels work on a copy, whose
// final states stay a result; the unchanged initial states are the
// argument itself.
// MARK-LABEL: func.func @init_still_used
// CHECK: sse.results_in_args = {init_still_used = array<i64: -1, -1, 2>}
// CHECK-LABEL: func.func @init_still_used
// CHECK-SAME: %[[CACHE:arg2]]: memref<4x2x1x16x16xf32>) -> (memref<4x1x2x16xf32>, memref<4x2x1x16x16xf32>)
// CHECK: %[[COPY:.*]] = memref.alloc() {{.*}}: memref<4x2x1x16x16xf32>
// CHECK: memref.copy %[[CACHE]], %[[COPY]]
// CHECK: vector.store %{{.*}}, %[[COPY]]
// CHECK: return %{{.*}}, %[[COPY]] :
func.func @init_still_used(%q: tensor<4x1x2x16xf32>, %v: tensor<4x1x2x16xf32>, %cache: tensor<4x2x1x16x16xf32>) -> (tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>, tensor<4x2x1x16x16xf32>) {
  %o, %s = sse.scan %q, %q, %v init(%cache) : (tensor<4x1x2x16xf32>, tensor<4x1x2x16xf32>, tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>) -> (tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>)
  return %o, %s, %cache : tensor<4x1x2x16xf32>, tensor<4x2x1x16x16xf32>, tensor<4x2x1x16x16xf32>
}

// -----

// Without init the final states are a new buffer (still a result); scans
// are numbered in order for their kernels' names.
// MARK-LABEL: func.func @two_scans
// MARK: sse.scan {{.*}} {sse.gpu_kernels = {index = 0 : i64, tensor_cores = true}}
// MARK: sse.scan {{.*}} {sse.gpu_kernels = {index = 1 : i64, tensor_cores = true}}
// CHECK-LABEL: func.func @two_scans
// CHECK-SAME: -> (memref<1x4x1x16xf32>, memref<1x1x1x16x16xf32>)
// CHECK: %[[S:.*]] = memref.alloc() : memref<1x1x1x16x16xf32>
// CHECK: module(@sse_scan_tc)
// CHECK: vector.store %{{.*}}, %[[S]]
// CHECK: module(@sse_scan_tc_1)
func.func @two_scans(%q: tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>) {
  %o, %s = sse.scan %q, %q, %q : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>)
  %o2, %s2 = sse.scan %o, %o, %o : (tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>, tensor<1x4x1x16xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>)
  return %o2, %s : tensor<1x4x1x16xf32>, tensor<1x1x1x16x16xf32>
}
