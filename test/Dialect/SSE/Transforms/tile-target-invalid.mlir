// The target-* options of sse-tile and test-sse-cost-model are checked
// before the cost model runs: a value that would overflow the byte count
// (target-smem-kb * 1024 was a signed overflow) or divide by zero is an
// error naming the option.
// RUN: not sse-opt %s -sse-tile=target-smem-kb=9223372036854775807 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not sse-opt %s -sse-tile=target-smem-kb=0 2>&1 | FileCheck %s --check-prefix=SMEM0
// RUN: not sse-opt %s -sse-tile=target-sms=0 2>&1 | FileCheck %s --check-prefix=SMS
// RUN: not sse-opt %s -sse-tile=target-gbps=-1 2>&1 | FileCheck %s --check-prefix=GBPS
// RUN: not sse-opt %s -test-sse-cost-model=target-tflops=0 2>&1 | FileCheck %s --check-prefix=TFLOPS

// SMEM: error: sse-tile: target-smem-kb = 9223372036854775807 is outside [1, 1048576]
// SMEM0: error: sse-tile: target-smem-kb = 0 is outside [1, 1048576]
// SMS: error: sse-tile: target-sms = 0 is outside [1, 1048576]
// GBPS: error: sse-tile: target-gbps = -1.000000e+00 must be in (0, 1e9)
// TFLOPS: error: test-sse-cost-model: target-tflops = 0.000000e+00 must be in (0, 1e9)
func.func @scan(%q: tensor<1x64x2x16xf32>, %v: tensor<1x64x2x16xf32>) -> tensor<1x64x2x16xf32> {
  %o, %s = sse.scan %q, %q, %v : (tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>, tensor<1x64x2x16xf32>) -> (tensor<1x64x2x16xf32>, tensor<1x2x1x16x16xf32>)
  return %o : tensor<1x64x2x16xf32>
}
