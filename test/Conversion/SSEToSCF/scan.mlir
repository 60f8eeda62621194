// convert-sse-to-scf on sse.scan: the loop structure of the CPU reference
// lowering (sequence, head, token, slot; write then read) for each option.
// RUN: sse-opt %s -convert-sse-to-scf -canonicalize -split-input-file | FileCheck %s

// A routed scan with a per-key gate: the slot's partition index is range
// checked, the decay is exp(g[r]) per key row, the key is scaled by the
// routing weight (write gate) and the query by weight * scale (read gate).
// CHECK-LABEL: func.func @routed_per_key_gate
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x2x8xf32>, %[[K:.*]]: tensor<1x4x2x8xf32>, %[[V:.*]]: tensor<1x4x2x16xf32>, %[[G:.*]]: tensor<1x4x2x8xf32>, %[[W:.*]]: tensor<1x4x1xf32>, %[[I:.*]]: tensor<1x4x1xi32>)
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 0.353553385 : f32
// CHECK-DAG: %[[NPART:.*]] = arith.constant 2 : index
// CHECK: %[[O:.*]] = memref.alloc() : memref<1x4x2x16xf32>
// CHECK: %[[S:.*]] = memref.alloc() : memref<1x2x2x8x16xf32>
// CHECK: linalg.fill {{.*}} outs(%[[O]] :
// CHECK: linalg.fill {{.*}} outs(%[[S]] :
// CHECK: scf.for %[[H:.*]] = {{.*}} {
// CHECK: scf.for %[[T:.*]] = {{.*}} {
// CHECK: %[[IDX:.*]] = tensor.extract %[[I]]
// CHECK: %[[P:.*]] = arith.index_cast %[[IDX]] : i32 to index
// CHECK: %[[WT:.*]] = tensor.extract %[[W]]
// CHECK-DAG: arith.cmpi slt, %[[P]], %[[NPART]] : index
// CHECK-DAG: arith.cmpi sge, %[[P]], %{{.*}} : index
// CHECK: scf.if
// CHECK: tensor.extract %[[K]]
// CHECK: arith.mulf %{{.*}}, %[[WT]] : f32
// CHECK: %[[GR:.*]] = tensor.extract %[[G]][%{{.*}}, %[[T]], %[[H]], %[[R:.*]]]
// CHECK: %[[DECAY:.*]] = math.exp %[[GR]] : f32
// CHECK: memref.load %[[S]][%{{.*}}, %[[H]], %[[P]], %[[R]], %{{.*}}]
// CHECK: arith.mulf %[[DECAY]]
// CHECK: memref.store {{.*}}, %[[S]][%{{.*}}, %[[H]], %[[P]], %[[R]], %{{.*}}]
// CHECK: arith.mulf %[[WT]], %[[SCALE]] : f32
// CHECK: tensor.extract %[[Q]]
// CHECK: memref.store {{.*}}, %[[O]]
// CHECK: bufferization.to_tensor %[[O]] restrict writable
// CHECK: bufferization.to_tensor %[[S]] restrict writable
func.func @routed_per_key_gate(%q: tensor<1x4x2x8xf32>, %k: tensor<1x4x2x8xf32>, %v: tensor<1x4x2x16xf32>, %g: tensor<1x4x2x8xf32>, %w: tensor<1x4x1xf32>, %i: tensor<1x4x1xi32>) -> (tensor<1x4x2x16xf32>, tensor<1x2x2x8x16xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g) route(%w, %i) {partitions = 2 : i64}
    : (tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x16xf32>, tensor<1x4x2x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xi32>) -> (tensor<1x4x2x16xf32>, tensor<1x2x2x8x16xf32>)
  return %o, %s : tensor<1x4x2x16xf32>, tensor<1x2x2x8x16xf32>
}

// -----

// Delta rule with packed sequences and bf16 inputs: the token range of each
// sequence is read from cu_seqlens and clamped to [0, T]; kw S is
// accumulated in a scratch row before the state update; inputs are extended
// to f32 and o is truncated back to bf16.
// CHECK-LABEL: func.func @delta_packed_bf16
// CHECK-SAME: %[[CU:[a-z0-9]+]]: tensor<3xi32>)
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[T:.*]] = arith.constant 4 : index
// CHECK: %[[O:.*]] = memref.alloc() : memref<1x4x2x16xbf16>
// CHECK: %[[S:.*]] = memref.alloc() : memref<2x2x1x8x16xf32>
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: %[[KS:.*]] = memref.alloc() : memref<16xf32>
// CHECK: scf.for %[[SEQ:.*]] = {{.*}} {
// CHECK: tensor.extract %[[CU]][%[[SEQ]]]
// CHECK: arith.maxsi
// CHECK: %[[START:.*]] = arith.minsi %{{.*}}, %[[T]] : index
// CHECK: arith.maxsi
// CHECK: %[[END:.*]] = arith.minsi %{{.*}}, %[[T]] : index
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %[[START]] to %[[END]]
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: math.exp
// CHECK: linalg.fill {{.*}} outs(%[[KS]] :
// CHECK: memref.store {{.*}}, %[[KS]]
// CHECK: arith.subf
// CHECK: memref.store {{.*}}, %[[S]][%[[SEQ]],
// CHECK: arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: memref.store {{.*}}, %[[O]]
func.func @delta_packed_bf16(%q: tensor<1x4x2x8xbf16>, %k: tensor<1x4x2x8xbf16>, %v: tensor<1x4x2x16xbf16>, %g: tensor<1x4x2xbf16>, %b: tensor<1x4x2xbf16>, %cu: tensor<3xi32>) -> (tensor<1x4x2x16xbf16>, tensor<2x2x1x8x16xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g) beta(%b) cu_seqlens(%cu) {rule = #sse.rule<delta>, scale = 5.000000e-01 : f32}
    : (tensor<1x4x2x8xbf16>, tensor<1x4x2x8xbf16>, tensor<1x4x2x16xbf16>, tensor<1x4x2xbf16>, tensor<1x4x2xbf16>, tensor<3xi32>) -> (tensor<1x4x2x16xbf16>, tensor<2x2x1x8x16xf32>)
  return %o, %s : tensor<1x4x2x16xbf16>, tensor<2x2x1x8x16xf32>
}

// -----

// Initial states are copied into the result states; an unrouted scan has no
// range check (it always selects partition 0) and, with read and write
// gating off, no weight multiplies q or k.
// CHECK-LABEL: func.func @init_unrouted
// CHECK-SAME: %[[INIT:[a-z0-9]+]]: tensor<2x1x1x4x4xf32>)
// CHECK: %[[IB:.*]] = bufferization.to_buffer %[[INIT]] read_only
// CHECK: %[[S:.*]] = memref.alloc() : memref<2x1x1x4x4xf32>
// CHECK: memref.copy %[[IB]], %[[S]]
// CHECK-NOT: scf.if
// CHECK: return
func.func @init_unrouted(%q: tensor<2x3x1x4xf32>, %k: tensor<2x3x1x4xf32>, %v: tensor<2x3x1x4xf32>, %s0: tensor<2x1x1x4x4xf32>) -> (tensor<2x3x1x4xf32>, tensor<2x1x1x4x4xf32>) {
  %o, %s = sse.scan %q, %k, %v init(%s0) {read_gate = false, write_gate = false}
    : (tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x3x1x4xf32>, tensor<2x1x1x4x4xf32>) -> (tensor<2x3x1x4xf32>, tensor<2x1x1x4x4xf32>)
  return %o, %s : tensor<2x3x1x4xf32>, tensor<2x1x1x4x4xf32>
}

// -----

// Dynamic sizes are read from the operands at run time.
// CHECK-LABEL: func.func @dynamic
// CHECK-DAG: %[[T:.*]] = tensor.dim %{{.*}}, %c1
// CHECK-DAG: memref.alloc(%{{.*}}) : memref<1x?x2x8xf32>
// CHECK: scf.for %{{.*}} = %c0 to %[[T]]
func.func @dynamic(%q: tensor<1x?x2x8xf32>, %k: tensor<1x?x2x8xf32>, %v: tensor<1x?x2x8xf32>) -> (tensor<1x?x2x8xf32>, tensor<1x2x1x8x8xf32>) {
  %o, %s = sse.scan %q, %k, %v
    : (tensor<1x?x2x8xf32>, tensor<1x?x2x8xf32>, tensor<1x?x2x8xf32>) -> (tensor<1x?x2x8xf32>, tensor<1x2x1x8x8xf32>)
  return %o, %s : tensor<1x?x2x8xf32>, tensor<1x2x1x8x8xf32>
}

// -----

// With K dynamic and no scale attribute, the default scale K^-0.5 is
// computed at run time; a dynamic N in the result type is sized from the
// partitions attribute (here 1), not from another dimension.
// CHECK-LABEL: func.func @dynamic_key_width
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[KD:.*]] = tensor.dim %{{.*}}, %c3 : tensor<1x8x2x?xf32>
// CHECK: memref.alloc(%[[KD]]) : memref<1x2x1x?x32xf32>
// CHECK: %[[KI:.*]] = arith.index_cast %[[KD]] : index to i64
// CHECK: %[[KF:.*]] = arith.sitofp %[[KI]] : i64 to f32
// CHECK: %[[SQ:.*]] = math.sqrt %[[KF]] : f32
// CHECK: %[[SCALE:.*]] = arith.divf %[[ONE]], %[[SQ]] : f32
// CHECK: arith.mulf %[[SCALE]], %{{.*}} : f32
func.func @dynamic_key_width(%q: tensor<1x8x2x?xf32>, %v: tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x?x?x32xf32>) {
  %o, %s = sse.scan %q, %q, %v
    : (tensor<1x8x2x?xf32>, tensor<1x8x2x?xf32>, tensor<1x8x2x32xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x?x?x32xf32>)
  return %o, %s : tensor<1x8x2x32xf32>, tensor<1x2x?x?x32xf32>
}
