// Packed sequences (cu_seqlens, B = 1) with a scalar gate and f16 inputs.
// The seeded offsets are 0, 8, 16, 24: the last sequence is clamped to T = 20,
// so tokens 16..19 form a short sequence.
// RUN: rm -rf %t && sse-runner %s --entry=packed --seed=9 --dump-inputs --output-dir=%t | FileCheck %s --check-prefix=RUNNER
// RUN: %python -m sse_mlir.check %t --ref scan --args q,k,v,gate,cu | FileCheck %s

// RUNNER: result 0: f16 (1, 20, 3, 16)
// RUNNER: result 1: f32 (3, 3, 1, 16, 16)
// CHECK: result0 o: {{.*}} nan=0 PASS
// CHECK: result1 final_states: {{.*}} nan=0 PASS

func.func @packed(%q: tensor<1x20x3x16xf16>, %k: tensor<1x20x3x16xf16>,
                  %v: tensor<1x20x3x16xf16>, %g: tensor<1x20x3xf16>,
                  %cu: tensor<4xi32>)
    -> (tensor<1x20x3x16xf16>, tensor<3x3x1x16x16xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g) cu_seqlens(%cu)
      : (tensor<1x20x3x16xf16>, tensor<1x20x3x16xf16>, tensor<1x20x3x16xf16>,
         tensor<1x20x3xf16>, tensor<4xi32>)
      -> (tensor<1x20x3x16xf16>, tensor<3x3x1x16x16xf32>)
  return %o, %s : tensor<1x20x3x16xf16>, tensor<3x3x1x16x16xf32>
}
