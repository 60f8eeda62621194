// convert-sse-to-scf follows the #sse.schedule of a scan: grouping = sorted
// builds a counting sort of the picks (counts, exclusive prefix sums,
// a stable scatter), and every partition walks its own entries;
// split = chunked cuts those entries into chunks of C and uses the chunk
// form, whose every decay is the exponential of a sum of log-gates over a
// run of entries (prefix, suffix, or a running sum over the pairs (j, i]),
// never a difference of running sums (NaN after a -inf reset).
// RUN: sse-opt %s -convert-sse-to-scf -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @sorted_chunked
// The f32 output accumulator of one (sequence, head): [T, V].
// CHECK: %[[OACC:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf32>
// Entry lists: token and weight of every pick.
// CHECK: %[[LT:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: %[[LW:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// The router runs once per token into a [T, k] table.
// CHECK: memref.alloc(%{{.*}}) : memref<?x1xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?x1xi32>
// Counting sort: counts, offsets (N + 1), scatter.
// CHECK: %[[COUNTS:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: %[[OFFS:.*]] = memref.alloc(%{{.*}}) : memref<?xindex>
// CHECK: memref.store %{{.*}}, %[[LT]][%{{.*}}] : memref<?xindex>
// Chunks of 16 entries per partition.
// CHECK: arith.ceildivsi %{{.*}}, %c16 : index
// CHECK-NOT: arith.subf
// The running decay of the pairs (j, i], reset per entry i.
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[DECAYS:.*]] : memref<?xf32>)
// CHECK-NOT: arith.subf
// CHECK: %[[D:.*]] = memref.load %[[DECAYS]]
// CHECK: %[[D2:.*]] = arith.addf %[[D]], %{{.*}} : f32
// CHECK: memref.store %[[D2]], %[[DECAYS]]
// CHECK: math.exp %[[D]] : f32
// CHECK-NOT: arith.subf
// CHECK: memref.store {{.*}}, %[[OACC]]
// CHECK-NOT: arith.subf
// CHECK: return
func.func @sorted_chunked(%q: tensor<1x40x2x8xf32>, %v: tensor<1x40x2x8xf32>, %g: tensor<1x40x2x8xf32>, %z: tensor<1x40x4xf32>) -> tensor<1x40x2x8xf32> {
  %o, %s = sse.scan %q, %q, %v gate(%g) router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 16, k_tile = 8, v_tile = 8, split = chunked, grouping = sorted>}
    : (tensor<1x40x2x8xf32>, tensor<1x40x2x8xf32>, tensor<1x40x2x8xf32>, tensor<1x40x2x8xf32>, tensor<1x40x4xf32>) -> (tensor<1x40x2x8xf32>, tensor<1x2x4x8x8xf32>)
  return %o : tensor<1x40x2x8xf32>
}

// -----

// Recurrent + dense is the token-major structure: no entry lists.
// CHECK-LABEL: func.func @recurrent_dense
// CHECK-NOT: memref<?xindex>
// CHECK: return
func.func @recurrent_dense(%q: tensor<1x40x2x8xf32>, %v: tensor<1x40x2x8xf32>, %z: tensor<1x40x4xf32>) -> tensor<1x40x2x8xf32> {
  %o, %s = sse.scan %q, %q, %v router(%z) {partitions = 4 : i64, top_k = 1 : i64, schedule = #sse.schedule<chunk = 16, k_tile = 8, v_tile = 8, split = recurrent, grouping = dense>}
    : (tensor<1x40x2x8xf32>, tensor<1x40x2x8xf32>, tensor<1x40x2x8xf32>, tensor<1x40x4xf32>) -> (tensor<1x40x2x8xf32>, tensor<1x2x4x8x8xf32>)
  return %o : tensor<1x40x2x8xf32>
}
