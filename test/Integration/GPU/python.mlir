// The Python GPU path (scripts/gpu_python_check.py): sse_mlir.gpu.Model
// runs scans with init from NumPy arrays and from PyTorch CUDA tensors,
// against the float64 reference; the init tensor must hold the final states
// after the call (states in place). Needs an NVIDIA GPU (and PyTorch for
// the tensor half): set SSE_ENABLE_CUDA_TESTS=1.
// REQUIRES: cuda
// RUN: rm -rf %t && %python %sse_src/scripts/gpu_python_check.py build %t/py
// RUN: %python %sse_src/scripts/gpu_python_check.py run %t/py | FileCheck %s
// CHECK: {{^[0-9]+}} passed, 0 failed
