// sse-tile records a #sse.schedule on every scan: forced choices from the
// options, the rest from the cost model.
// RUN: sse-opt %s -sse-tile | FileCheck %s --check-prefix=AUTO
// RUN: sse-opt %s -sse-tile="chunk=32 split=chunked grouping=dense v-tile=64" | FileCheck %s --check-prefix=FORCED
// RUN: not sse-opt %s -sse-tile="v-tile=48" 2>&1 | FileCheck %s --check-prefix=BADTILE
// RUN: not sse-opt %s -sse-tile="split=diagonal" 2>&1 | FileCheck %s --check-prefix=BADSPLIT

// AUTO-LABEL: func.func @routed
// AUTO: sse.scan {{.*}}schedule = #sse.schedule<chunk = {{16|32|64|128}}, k_tile = 128, v_tile = {{32|64|128}}, split = {{recurrent|chunked}}, grouping = {{dense|sorted}}>
// FORCED-LABEL: func.func @routed
// FORCED: schedule = #sse.schedule<chunk = 32, k_tile = 128, v_tile = 64, split = chunked, grouping = dense>
// BADTILE: error: sse-tile: no schedule satisfies the forced options (tiles must divide K = 128 and V = 128
// BADSPLIT: error: sse-tile: unknown split 'diagonal' (auto, recurrent or chunked)
func.func @routed(%q: tensor<2x256x4x128xbf16>, %v: tensor<2x256x4x128xbf16>, %z: tensor<2x256x4xbf16>) -> tensor<2x256x4x128xbf16> {
  %o, %s = sse.scan %q, %q, %v router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<2x256x4x128xbf16>, tensor<2x256x4x128xbf16>, tensor<2x256x4x128xbf16>, tensor<2x256x4xbf16>) -> (tensor<2x256x4x128xbf16>, tensor<2x4x4x128x128xf32>)
  return %o : tensor<2x256x4x128xbf16>
}

// A scan that already has a schedule keeps it.
// AUTO-LABEL: func.func @scheduled
// AUTO: schedule = #sse.schedule<chunk = 128, k_tile = 64, v_tile = 32, split = recurrent, grouping = dense>
// An unrouted scan never gets sorted grouping from the cost model.
// AUTO-LABEL: func.func @unrouted
// AUTO: grouping = dense>
func.func @scheduled(%q: tensor<1x64x1x64xf32>, %v: tensor<1x64x1x64xf32>) -> tensor<1x64x1x64xf32> {
  %o, %s = sse.scan %q, %q, %v {schedule = #sse.schedule<chunk = 128, k_tile = 64, v_tile = 32, split = recurrent, grouping = dense>} : (tensor<1x64x1x64xf32>, tensor<1x64x1x64xf32>, tensor<1x64x1x64xf32>) -> (tensor<1x64x1x64xf32>, tensor<1x1x1x64x64xf32>)
  return %o : tensor<1x64x1x64xf32>
}
func.func @unrouted(%q: tensor<1x64x1x64xf32>, %v: tensor<1x64x1x64xf32>) -> tensor<1x64x1x64xf32> {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x64x1x64xf32>, tensor<1x64x1x64xf32>, tensor<1x64x1x64xf32>) -> (tensor<1x64x1x64xf32>, tensor<1x1x1x64x64xf32>)
  return %o : tensor<1x64x1x64xf32>
}
