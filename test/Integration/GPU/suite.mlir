// The GPU matrix of SPEC section 5 (scripts/gpu_suite.py: every case
// compiled ahead of time, run on the GPU with fresh inputs, outputs
// poisoned, checked against the float64 reference). Needs an NVIDIA GPU:
// set SSE_ENABLE_CUDA_TESTS=1.
// REQUIRES: cuda
// RUN: rm -rf %t && %python %sse_src/scripts/gpu_suite.py build %t/aot
// RUN: %python %sse_src/scripts/gpu_suite.py run %t/aot | FileCheck %s
// CHECK: {{^[0-9]+}} passed, 0 failed
