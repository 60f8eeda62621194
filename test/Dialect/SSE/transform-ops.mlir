// RUN: sse-opt %s --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// transform.sse.fuse_shared_routed, transform.sse.fuse_router and
// transform.sse.tile (the transform dialect extension of the sse dialect).

// fuse_shared_routed on the SSE-GLA core (examples/sse_gla_core.mlir): the
// shared scan and the routed scan become one scan with shared(...); the
// classify is kept (route(...) stays); the final states are slices of the
// fused ones; the add and its tensor.empty are gone.

// CHECK-LABEL: func.func @gla_core_shared(
// CHECK-SAME:      %[[Q1:[^:]+]]: tensor<2x64x2x16xf32>, %[[K1:[^:]+]]: tensor<2x64x2x16xf32>, %[[Q2:[^:]+]]: tensor<2x64x2x16xf32>, %[[K2:[^:]+]]: tensor<2x64x2x16xf32>, %[[V:[^:]+]]: tensor<2x64x2x32xf32>, %[[G1:[^:]+]]: tensor<2x64x2x16xf32>, %[[G2:[^:]+]]: tensor<2x64x2x16xf32>, %[[Z:[^:]+]]: tensor<2x64x4xf32>)
// CHECK-NEXT:    %[[W:.*]], %[[I:.*]] = sse.classify %[[Z]] {k = 1 : i64} : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
// CHECK-NEXT:    %[[O:.*]], %[[S:.*]] = sse.scan %[[Q2]], %[[K2]], %[[V]] gate(%[[G2]]) shared(%[[Q1]], %[[K1]]) shared_gate(%[[G1]]) route(%[[W]], %[[I]]) {partitions = 4 : i64} : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x1xf32>, tensor<2x64x1xi32>) -> (tensor<2x64x2x32xf32>, tensor<2x2x5x16x32xf32>)
// CHECK-NEXT:    %[[S1:.*]] = tensor.extract_slice %[[S]][0, 0, 0, 0, 0] [2, 2, 1, 16, 32] [1, 1, 1, 1, 1] : tensor<2x2x5x16x32xf32> to tensor<2x2x1x16x32xf32>
// CHECK-NEXT:    %[[S2:.*]] = tensor.extract_slice %[[S]][0, 0, 1, 0, 0] [2, 2, 4, 16, 32] [1, 1, 1, 1, 1] : tensor<2x2x5x16x32xf32> to tensor<2x2x4x16x32xf32>
// CHECK-NEXT:    return %[[O]], %[[S1]], %[[S2]] : tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>
// CHECK-NEXT:  }
module attributes {transform.with_named_sequence} {
  func.func @gla_core_shared(
      %q1: tensor<2x64x2x16xf32>, %k1: tensor<2x64x2x16xf32>,
      %q2: tensor<2x64x2x16xf32>, %k2: tensor<2x64x2x16xf32>,
      %v: tensor<2x64x2x32xf32>,
      %g1: tensor<2x64x2x16xf32>, %g2: tensor<2x64x2x16xf32>,
      %z: tensor<2x64x4xf32>)
      -> (tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>) {
    %w, %i = sse.classify %z {k = 1 : i64}
        : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
    %o1, %s1 = sse.scan %q1, %k1, %v gate(%g1)
        : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>,
           tensor<2x64x2x16xf32>)
        -> (tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>)
    %o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {partitions = 4 : i64}
        : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>,
           tensor<2x64x2x16xf32>, tensor<2x64x1xf32>, tensor<2x64x1xi32>)
        -> (tensor<2x64x2x32xf32>, tensor<2x2x4x16x32xf32>)
    %empty = tensor.empty() : tensor<2x64x2x32xf32>
    %o = linalg.add ins(%o1, %o2 : tensor<2x64x2x32xf32>, tensor<2x64x2x32xf32>)
                    outs(%empty : tensor<2x64x2x32xf32>) -> tensor<2x64x2x32xf32>
    return %o, %s1, %s2
        : tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.sse.fuse_shared_routed %func : (!transform.any_op) -> ()
    transform.yield
  }
}

// -----

// fuse_router alone: route(classify(z)) becomes router(z) with top_k,
// router_order and renormalize of the classify; the classify is erased. The
// scan is updated in place: the scan handle taken before stays valid and the
// function handle can be reused.

// CHECK-LABEL: func.func @router_only(
// CHECK-SAME:      %[[Q:[^:]+]]: tensor<1x8x2x16xf32>, %[[V:[^:]+]]: tensor<1x8x2x32xf32>, %[[Z:[^:]+]]: tensor<1x8x2x4xf32>)
// CHECK-NOT:     sse.classify
// CHECK-NEXT:    %[[O:.*]], %[[S:.*]] = sse.scan %[[Q]], %[[Q]], %[[V]] router(%[[Z]]) {partitions = 4 : i64, renormalize, router_order = #sse.order<topk_then_softmax>, top_k = 2 : i64} : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>, tensor<1x8x2x4xf32>) -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
// CHECK-NEXT:    return %[[O]], %[[S]]
module attributes {transform.with_named_sequence} {
  func.func @router_only(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>,
                         %z: tensor<1x8x2x4xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>) {
    %w, %i = sse.classify %z {k = 2 : i64, order = #sse.order<topk_then_softmax>, renormalize}
        : tensor<1x8x2x4xf32> -> (tensor<1x8x2x2xf32>, tensor<1x8x2x2xi64>)
    // expected-remark @below {{still tracked}}
    %o, %s = sse.scan %q, %q, %v route(%w, %i) {partitions = 4 : i64}
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
           tensor<1x8x2x2xf32>, tensor<1x8x2x2xi64>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
    return %o, %s : tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %scan = transform.structured.match ops{["sse.scan"]} in %func
        : (!transform.any_op) -> !transform.any_op
    transform.sse.fuse_router %func : (!transform.any_op) -> ()
    // Nothing left to fuse: not an error.
    transform.sse.fuse_router %func : (!transform.any_op) -> ()
    transform.debug.emit_remark_at %scan, "still tracked" : !transform.any_op
    transform.yield
  }
}

// -----

// Both fusions in order, then tiling with every parameter explicit: the SSE-
// GLA core becomes one scan with a shared partition, its own router and the
// given schedule.

// CHECK-LABEL: func.func @gla_core_fused(
// CHECK-SAME:      %[[Q1:[^:]+]]: tensor<2x64x2x16xf32>, %[[K1:[^:]+]]: tensor<2x64x2x16xf32>, %[[Q2:[^:]+]]: tensor<2x64x2x16xf32>, %[[K2:[^:]+]]: tensor<2x64x2x16xf32>, %[[V:[^:]+]]: tensor<2x64x2x32xf32>, %[[G1:[^:]+]]: tensor<2x64x2x16xf32>, %[[G2:[^:]+]]: tensor<2x64x2x16xf32>, %[[Z:[^:]+]]: tensor<2x64x4xf32>)
// CHECK-NEXT:    %[[O:.*]], %[[S:.*]] = sse.scan %[[Q2]], %[[K2]], %[[V]] gate(%[[G2]]) shared(%[[Q1]], %[[K1]]) shared_gate(%[[G1]]) router(%[[Z]]) {partitions = 4 : i64, schedule = #sse.schedule<chunk = 32, k_tile = 8, v_tile = 16, split = chunked, grouping = dense>, top_k = 1 : i64} : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x4xf32>) -> (tensor<2x64x2x32xf32>, tensor<2x2x5x16x32xf32>)
// CHECK-NEXT:    %[[S1:.*]] = tensor.extract_slice %[[S]][0, 0, 0, 0, 0] [2, 2, 1, 16, 32] [1, 1, 1, 1, 1] : tensor<2x2x5x16x32xf32> to tensor<2x2x1x16x32xf32>
// CHECK-NEXT:    %[[S2:.*]] = tensor.extract_slice %[[S]][0, 0, 1, 0, 0] [2, 2, 4, 16, 32] [1, 1, 1, 1, 1] : tensor<2x2x5x16x32xf32> to tensor<2x2x4x16x32xf32>
// CHECK-NEXT:    return %[[O]], %[[S1]], %[[S2]] : tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>
// CHECK-NEXT:  }
module attributes {transform.with_named_sequence} {
  func.func @gla_core_fused(
      %q1: tensor<2x64x2x16xf32>, %k1: tensor<2x64x2x16xf32>,
      %q2: tensor<2x64x2x16xf32>, %k2: tensor<2x64x2x16xf32>,
      %v: tensor<2x64x2x32xf32>,
      %g1: tensor<2x64x2x16xf32>, %g2: tensor<2x64x2x16xf32>,
      %z: tensor<2x64x4xf32>)
      -> (tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>) {
    %w, %i = sse.classify %z {k = 1 : i64}
        : tensor<2x64x4xf32> -> (tensor<2x64x1xf32>, tensor<2x64x1xi32>)
    %o1, %s1 = sse.scan %q1, %k1, %v gate(%g1)
        : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>,
           tensor<2x64x2x16xf32>)
        -> (tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>)
    %o2, %s2 = sse.scan %q2, %k2, %v gate(%g2) route(%w, %i) {partitions = 4 : i64}
        : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>,
           tensor<2x64x2x16xf32>, tensor<2x64x1xf32>, tensor<2x64x1xi32>)
        -> (tensor<2x64x2x32xf32>, tensor<2x2x4x16x32xf32>)
    %empty = tensor.empty() : tensor<2x64x2x32xf32>
    %o = linalg.add ins(%o1, %o2 : tensor<2x64x2x32xf32>, tensor<2x64x2x32xf32>)
                    outs(%empty : tensor<2x64x2x32xf32>) -> tensor<2x64x2x32xf32>
    return %o, %s1, %s2
        : tensor<2x64x2x32xf32>, tensor<2x2x1x16x32xf32>, tensor<2x2x4x16x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.sse.fuse_shared_routed %func : (!transform.any_op) -> ()
    transform.sse.fuse_router %func : (!transform.any_op) -> ()
    %scan = transform.structured.match ops{["sse.scan"]} in %func
        : (!transform.any_op) -> !transform.op<"sse.scan">
    %tiled = transform.sse.tile %scan {chunk = 32, k_tile = 8, v_tile = 16,
        split = #sse.split<chunked>, grouping = #sse.grouping<dense>}
        : (!transform.op<"sse.scan">) -> !transform.op<"sse.scan">
    transform.yield
  }
}

// -----

// fuse_shared_routed applied to several functions at once. In @other_use a
// scan output has another use: nothing is fused (not an error). In
// @with_init only the shared scan carries a state in: the fused init is the
// shared init concatenated with zeros for the routed partitions.

// CHECK-LABEL: func.func @other_use(
// CHECK:         sse.scan %{{.*}} gate(%{{.*}}) :
// CHECK:         sse.scan %{{.*}} route(%{{.*}}) {partitions = 4 : i64}
// CHECK:         linalg.add
// CHECK-LABEL: func.func @with_init(
// CHECK-SAME:      %[[Q1:[^:]+]]: tensor<1x8x2x16xf32>, %[[Q2:[^:]+]]: tensor<1x8x2x16xf32>, %[[V:[^:]+]]: tensor<1x8x2x32xf32>, %[[W:[^:]+]]: tensor<1x8x1xf32>, %[[I:[^:]+]]: tensor<1x8x1xi32>, %[[S0:[^:]+]]: tensor<1x2x1x16x32xf32>)
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[EMPTY:.*]] = tensor.empty() : tensor<1x2x4x16x32xf32>
// CHECK:         %[[ZEROS:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<1x2x4x16x32xf32>) -> tensor<1x2x4x16x32xf32>
// CHECK:         %[[INIT:.*]] = tensor.concat dim(2) %[[S0]], %[[ZEROS]] : (tensor<1x2x1x16x32xf32>, tensor<1x2x4x16x32xf32>) -> tensor<1x2x5x16x32xf32>
// CHECK:         %[[O:.*]], %[[S:.*]] = sse.scan %[[Q2]], %[[Q2]], %[[V]] shared(%[[Q1]], %[[Q1]]) route(%[[W]], %[[I]]) init(%[[INIT]]) {partitions = 4 : i64}
// CHECK-NOT:     linalg.add
// CHECK:         return %[[O]]
module attributes {transform.with_named_sequence} {
  func.func @other_use(%q1: tensor<1x8x2x16xf32>, %q2: tensor<1x8x2x16xf32>,
                       %v: tensor<1x8x2x32xf32>, %w: tensor<1x8x1xf32>,
                       %i: tensor<1x8x1xi32>, %g: tensor<1x8x2x16xf32>)
      -> (tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>) {
    %o1, %s1 = sse.scan %q1, %q1, %v gate(%g)
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
           tensor<1x8x2x16xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    %o2, %s2 = sse.scan %q2, %q2, %v route(%w, %i) {partitions = 4 : i64}
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
           tensor<1x8x1xf32>, tensor<1x8x1xi32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
    %e = tensor.empty() : tensor<1x8x2x32xf32>
    %o = linalg.add ins(%o1, %o2 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>)
                    outs(%e : tensor<1x8x2x32xf32>) -> tensor<1x8x2x32xf32>
    return %o, %o1 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>
  }

  func.func @with_init(%q1: tensor<1x8x2x16xf32>, %q2: tensor<1x8x2x16xf32>,
                       %v: tensor<1x8x2x32xf32>, %w: tensor<1x8x1xf32>,
                       %i: tensor<1x8x1xi32>, %s0: tensor<1x2x1x16x32xf32>)
      -> tensor<1x8x2x32xf32> {
    %o1, %s1 = sse.scan %q1, %q1, %v init(%s0)
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
           tensor<1x2x1x16x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    %o2, %s2 = sse.scan %q2, %q2, %v route(%w, %i) {partitions = 4 : i64}
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>,
           tensor<1x8x1xf32>, tensor<1x8x1xi32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x4x16x32xf32>)
    %e = tensor.empty() : tensor<1x8x2x32xf32>
    %o = linalg.add ins(%o1, %o2 : tensor<1x8x2x32xf32>, tensor<1x8x2x32xf32>)
                    outs(%e : tensor<1x8x2x32xf32>) -> tensor<1x8x2x32xf32>
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.sse.fuse_shared_routed %funcs : (!transform.any_op) -> ()
    transform.yield
  }
}

// -----

// tile without parameters: the cost model (default target, one H100 SXM)
// picks the schedule; these are the choices sse-tile makes for the same
// shapes. With some parameters forced, it picks the rest.

// CHECK-LABEL: func.func @cost_model(
// CHECK:         sse.scan {{.*}} {partitions = 8 : i64, schedule = #sse.schedule<chunk = 32, k_tile = 128, v_tile = 128, split = chunked, grouping = sorted>}
// CHECK:         sse.scan {{.*}} {schedule = #sse.schedule<chunk = 64, k_tile = 64, v_tile = 128, split = chunked, grouping = dense>}
// CHECK-LABEL: func.func @cost_model_forced(
// CHECK:         sse.scan {{.*}} {partitions = 8 : i64, schedule = #sse.schedule<chunk = 128, k_tile = 64, v_tile = 64, split = recurrent, grouping = sorted>}
module attributes {transform.with_named_sequence} {
  func.func @cost_model(%q: tensor<1x4096x8x128xbf16>, %v: tensor<1x4096x8x128xbf16>,
                        %g: tensor<1x4096x8xbf16>, %w: tensor<1x4096x2xf32>,
                        %i: tensor<1x4096x2xi32>, %q3: tensor<4x1024x16x64xbf16>,
                        %v3: tensor<4x1024x16x128xbf16>)
      -> (tensor<1x4096x8x128xbf16>, tensor<4x1024x16x128xbf16>) {
    %o, %s = sse.scan %q, %q, %v gate(%g) route(%w, %i) {partitions = 8 : i64}
        : (tensor<1x4096x8x128xbf16>, tensor<1x4096x8x128xbf16>, tensor<1x4096x8x128xbf16>,
           tensor<1x4096x8xbf16>, tensor<1x4096x2xf32>, tensor<1x4096x2xi32>)
        -> (tensor<1x4096x8x128xbf16>, tensor<1x8x8x128x128xf32>)
    %o3, %s3 = sse.scan %q3, %q3, %v3
        : (tensor<4x1024x16x64xbf16>, tensor<4x1024x16x64xbf16>, tensor<4x1024x16x128xbf16>)
        -> (tensor<4x1024x16x128xbf16>, tensor<4x16x1x64x128xf32>)
    return %o, %o3 : tensor<1x4096x8x128xbf16>, tensor<4x1024x16x128xbf16>
  }

  func.func @cost_model_forced(%q: tensor<1x4096x8x128xbf16>, %v: tensor<1x4096x8x128xbf16>,
                               %g: tensor<1x4096x8xbf16>, %w: tensor<1x4096x2xf32>,
                               %i: tensor<1x4096x2xi32>)
      -> tensor<1x4096x8x128xbf16> {
    %o, %s = sse.scan %q, %q, %v gate(%g) route(%w, %i) {partitions = 8 : i64}
        : (tensor<1x4096x8x128xbf16>, tensor<1x4096x8x128xbf16>, tensor<1x4096x8x128xbf16>,
           tensor<1x4096x8xbf16>, tensor<1x4096x2xf32>, tensor<1x4096x2xi32>)
        -> (tensor<1x4096x8x128xbf16>, tensor<1x8x8x128x128xf32>)
    return %o : tensor<1x4096x8x128xbf16>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f1 = transform.structured.match ops{["func.func"]} attributes{sym_name = "cost_model"} in %root
        : (!transform.any_op) -> !transform.any_op
    %scans = transform.structured.match ops{["sse.scan"]} in %f1
        : (!transform.any_op) -> !transform.any_op
    %t1 = transform.sse.tile %scans : (!transform.any_op) -> !transform.any_op
    %f2 = transform.structured.match ops{["func.func"]} attributes{sym_name = "cost_model_forced"} in %root
        : (!transform.any_op) -> !transform.any_op
    %scan = transform.structured.match ops{["sse.scan"]} in %f2
        : (!transform.any_op) -> !transform.any_op
    %t2 = transform.sse.tile %scan {k_tile = 64, split = #sse.split<recurrent>}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// The fused SSE-GLA core tiled by the cost model (the schedule sse-fuse
// followed by sse-tile records); a second tile replaces the schedule and the
// returned handle is the same scan.

// CHECK-LABEL: func.func @gla_core_cost_model(
// CHECK:         sse.scan {{.*}} {partitions = 4 : i64, schedule = #sse.schedule<chunk = 64, k_tile = 16, v_tile = 32, split = recurrent, grouping = sorted>, top_k = 1 : i64}
// CHECK-LABEL: func.func @retile(
// CHECK:         sse.scan {{.*}} {schedule = #sse.schedule<chunk = 256, k_tile = 16, v_tile = 32, split = recurrent, grouping = dense>}
module attributes {transform.with_named_sequence} {
  func.func @gla_core_cost_model(
      %q1: tensor<2x64x2x16xf32>, %k1: tensor<2x64x2x16xf32>,
      %q2: tensor<2x64x2x16xf32>, %k2: tensor<2x64x2x16xf32>,
      %v: tensor<2x64x2x32xf32>,
      %g1: tensor<2x64x2x16xf32>, %g2: tensor<2x64x2x16xf32>,
      %z: tensor<2x64x4xf32>)
      -> tensor<2x64x2x32xf32> {
    %o, %s = sse.scan %q2, %k2, %v gate(%g2) shared(%q1, %k1) shared_gate(%g1) router(%z)
        {partitions = 4 : i64, top_k = 1 : i64}
        : (tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x32xf32>,
           tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>, tensor<2x64x2x16xf32>,
           tensor<2x64x2x16xf32>, tensor<2x64x4xf32>)
        -> (tensor<2x64x2x32xf32>, tensor<2x2x5x16x32xf32>)
    return %o : tensor<2x64x2x32xf32>
  }

  func.func @retile(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>)
      -> tensor<1x8x2x32xf32> {
    // expected-remark @below {{retiled}}
    %o, %s = sse.scan %q, %q, %v
        {schedule = #sse.schedule<chunk = 16, k_tile = 16, v_tile = 32, split = chunked, grouping = dense>}
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f1 = transform.structured.match ops{["func.func"]} attributes{sym_name = "gla_core_cost_model"} in %root
        : (!transform.any_op) -> !transform.any_op
    %s1 = transform.structured.match ops{["sse.scan"]} in %f1
        : (!transform.any_op) -> !transform.any_op
    %t1 = transform.sse.tile %s1 : (!transform.any_op) -> !transform.any_op
    %f2 = transform.structured.match ops{["func.func"]} attributes{sym_name = "retile"} in %root
        : (!transform.any_op) -> !transform.any_op
    %s2 = transform.structured.match ops{["sse.scan"]} in %f2
        : (!transform.any_op) -> !transform.any_op
    %t2 = transform.sse.tile %s2 {chunk = 256, split = #sse.split<recurrent>}
        : (!transform.any_op) -> !transform.any_op
    transform.debug.emit_remark_at %t2, "retiled" : !transform.any_op
    transform.yield
  }
}

// -----

// Dynamic sizes: the cost model cannot run, but a fully given schedule is
// recorded (tiles are checked against the static widths).

// CHECK-LABEL: func.func @dynamic(
// CHECK:         sse.scan {{.*}} {schedule = #sse.schedule<chunk = 64, k_tile = 32, v_tile = 64, split = chunked, grouping = dense>}
module attributes {transform.with_named_sequence} {
  func.func @dynamic(%q: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x128xf32>)
      -> tensor<?x?x4x128xf32> {
    %o, %s = sse.scan %q, %q, %v
        : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x128xf32>)
        -> (tensor<?x?x4x128xf32>, tensor<?x4x1x64x128xf32>)
    return %o : tensor<?x?x4x128xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %tiled = transform.sse.tile %scan {chunk = 64, k_tile = 32, v_tile = 64,
        split = #sse.split<chunked>, grouping = #sse.grouping<dense>}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: dynamic sizes and missing parameters.

module attributes {transform.with_named_sequence} {
  func.func @dynamic_missing(%q: tensor<?x?x4x64xf32>, %v: tensor<?x?x4x128xf32>)
      -> tensor<?x?x4x128xf32> {
    // expected-note @below {{payload op}}
    %o, %s = sse.scan %q, %q, %v
        : (tensor<?x?x4x64xf32>, tensor<?x?x4x64xf32>, tensor<?x?x4x128xf32>)
        -> (tensor<?x?x4x128xf32>, tensor<?x4x1x64x128xf32>)
    return %o : tensor<?x?x4x128xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{the cost model needs static sizes, but the scan has dynamic ones (K = 64, V = 128); give every parameter (missing: k_tile, split, grouping)}}
    %tiled = transform.sse.tile %scan {chunk = 64, v_tile = 64}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: a tile that does not divide K.

module attributes {transform.with_named_sequence} {
  func.func @bad_k_tile(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>)
      -> tensor<1x8x2x32xf32> {
    // expected-note @below {{payload op}}
    %o, %s = sse.scan %q, %q, %v
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{k_tile = 12 does not divide K = 16}}
    %tiled = transform.sse.tile %scan {k_tile = 12}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: a tile that does not divide V.

module attributes {transform.with_named_sequence} {
  func.func @bad_v_tile(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>)
      -> tensor<1x8x2x32xf32> {
    // expected-note @below {{payload op}}
    %o, %s = sse.scan %q, %q, %v
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{v_tile = 64 does not divide V = 32}}
    %tiled = transform.sse.tile %scan {chunk = 16, v_tile = 64}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: a tile that is not positive.

module attributes {transform.with_named_sequence} {
  func.func @zero_tile(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>)
      -> tensor<1x8x2x32xf32> {
    // expected-note @below {{payload op}}
    %o, %s = sse.scan %q, %q, %v
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{k_tile = -16 is not positive}}
    %tiled = transform.sse.tile %scan {k_tile = -16}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: a chunk that is not a power of two.

module attributes {transform.with_named_sequence} {
  func.func @bad_chunk(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>)
      -> tensor<1x8x2x32xf32> {
    // expected-note @below {{payload op}}
    %o, %s = sse.scan %q, %q, %v
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{chunk = 48 is not a power of two in [16, 256]}}
    %tiled = transform.sse.tile %scan {chunk = 48}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: a chunk outside [16, 256].

module attributes {transform.with_named_sequence} {
  func.func @big_chunk(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>)
      -> tensor<1x8x2x32xf32> {
    // expected-note @below {{payload op}}
    %o, %s = sse.scan %q, %q, %v
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{chunk = 512 is not a power of two in [16, 256]}}
    %tiled = transform.sse.tile %scan {chunk = 512}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: a handle to something other than a scan.

module attributes {transform.with_named_sequence} {
  // expected-note @below {{payload op}}
  func.func @not_a_scan(%z: tensor<1x8x4xf32>)
      -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>) {
    %w, %i = sse.classify %z {k = 1 : i64}
        : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
    return %w, %i : tensor<1x8x1xf32>, tensor<1x8x1xi32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{expected an sse.scan payload op, got 'func.func'}}
    %tiled = transform.sse.tile %func {chunk = 64}
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// Negative: the silenceable failure of tile can be suppressed; the scan is
// then left untouched.

// CHECK-LABEL: func.func @suppressed(
// CHECK:         sse.scan
// CHECK-NOT:     schedule
// CHECK:         return
module attributes {transform.with_named_sequence} {
  func.func @suppressed(%q: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x32xf32>)
      -> tensor<1x8x2x32xf32> {
    %o, %s = sse.scan %q, %q, %v
        : (tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x32xf32>)
        -> (tensor<1x8x2x32xf32>, tensor<1x2x1x16x32xf32>)
    return %o : tensor<1x8x2x32xf32>
  }

  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %scan = transform.structured.match ops{["sse.scan"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.sequence %root : !transform.any_op failures(suppress) {
    ^bb0(%arg0: !transform.any_op):
      %tiled = transform.sse.tile %scan {chunk = 17}
          : (!transform.any_op) -> !transform.any_op
    }
    transform.yield
  }
}

// -----

// Negative: fusing inside the module that holds the transform script.

// expected-note @below {{target payload op}}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // expected-error @below {{cannot apply to an ancestor of the transform script itself; target the payload functions instead (e.g. transform.structured.match ops{["func.func"]})}}
    transform.sse.fuse_shared_routed %root : (!transform.any_op) -> ()
    transform.yield
  }
}

// -----

// Negative: same for fuse_router.

// expected-note @below {{target payload op}}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // expected-error @below {{cannot apply to an ancestor of the transform script itself}}
    transform.sse.fuse_router %root : (!transform.any_op) -> ()
    transform.yield
  }
}
