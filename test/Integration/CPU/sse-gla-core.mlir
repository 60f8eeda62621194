// The bundled example (examples/sse_gla_core.mlir) JIT-run on the CPU against
// the float64 reference on seeded inputs.
// RUN: rm -rf %t && sse-runner %sse_src/examples/sse_gla_core.mlir --entry=sse_gla_core --seed=11 --dump-inputs --output-dir=%t | FileCheck %s --check-prefix=RUNNER
// RUN: %python -m sse_mlir.check %t --ref gla_core --args q1,k1,q2,k2,v,g1,g2,z --k 1 | FileCheck %s

// RUNNER: result 0: f32 (2, 64, 2, 32)
// RUNNER: result 1: f32 (2, 2, 1, 16, 32)
// RUNNER: result 2: f32 (2, 2, 4, 16, 32)

// CHECK: result0 o: {{.*}} nan=0 PASS
// CHECK: result1 shared_states: {{.*}} nan=0 PASS
// CHECK: result2 routed_states: {{.*}} nan=0 PASS
