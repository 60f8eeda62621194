// The bundled SSE-GLA core under every work split and grouping the tiling
// can choose, and chunk lengths 16..128, against the float64 reference:
// the schedule changes loop structure and rounding, never the result.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/run_schedules.py %sse_src/examples/sse_gla_core.mlir %t | FileCheck %s

// CHECK: split=recurrent grouping=dense: PASS
// CHECK: split=recurrent grouping=sorted: PASS
// CHECK: split=chunked grouping=dense chunk=16: PASS
// CHECK: split=chunked grouping=sorted chunk=32: PASS
// CHECK: split=chunked grouping=dense chunk=64: PASS
// CHECK: split=chunked grouping=sorted chunk=128: PASS
// CHECK: fuse=false tile=false: PASS
