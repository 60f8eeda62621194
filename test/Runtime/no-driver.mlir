// Without a GPU driver the runtime library still loads, and reports the
// missing driver as an error with a non-zero exit, never a crash.
// UNSUPPORTED: cuda
// RUN: not sse-gpu-info 2>&1 | FileCheck %s
// CHECK: sse-gpu-info: error: {{cannot load the CUDA driver \(libcuda.so.1\)|cuInit failed: CUDA_ERROR_}}
