// A gated delta-rule scan with per-head top-2 routing over 4 partitions,
// initial states and bf16 inputs, against the float64 reference.
// RUN: rm -rf %t && sse-runner %s --entry=delta --seed=5 --dump-inputs --output-dir=%t | FileCheck %s --check-prefix=RUNNER
// RUN: %python -m sse_mlir.check %t --ref scan --args q,k,v,gate,beta,w,i,init --partitions 4 --rule delta | FileCheck %s

// RUNNER: result 0: bf16 (1, 33, 2, 16)
// RUNNER: result 1: f32 (1, 2, 4, 8, 16)
// CHECK: result0 o: {{.*}} tol=0.01 nan=0 PASS
// CHECK: result1 final_states: {{.*}} nan=0 PASS

func.func @delta(%q: tensor<1x33x2x8xbf16>, %k: tensor<1x33x2x8xbf16>,
                 %v: tensor<1x33x2x16xbf16>, %g: tensor<1x33x2xbf16>,
                 %b: tensor<1x33x2xbf16>, %w: tensor<1x33x2x2xf32>,
                 %i: tensor<1x33x2x2xi32>, %s0: tensor<1x2x4x8x16xf32>)
    -> (tensor<1x33x2x16xbf16>, tensor<1x2x4x8x16xf32>) {
  %o, %s = sse.scan %q, %k, %v gate(%g) beta(%b) route(%w, %i) init(%s0)
      {partitions = 4 : i64, rule = #sse.rule<delta>}
      : (tensor<1x33x2x8xbf16>, tensor<1x33x2x8xbf16>, tensor<1x33x2x16xbf16>,
         tensor<1x33x2xbf16>, tensor<1x33x2xbf16>, tensor<1x33x2x2xf32>,
         tensor<1x33x2x2xi32>, tensor<1x2x4x8x16xf32>)
      -> (tensor<1x33x2x16xbf16>, tensor<1x2x4x8x16xf32>)
  return %o, %s : tensor<1x33x2x16xbf16>, tensor<1x2x4x8x16xf32>
}
