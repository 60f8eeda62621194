// sse-opt lists the sse passes and pipelines, and has the upstream GPU
// pipeline passes that need the GPU-to-LLVM-IR translations registered.
// RUN: sse-opt --help | FileCheck %s
// CHECK-DAG: --convert-sse-to-scf
// CHECK-DAG: --sse-to-llvm-cpu
// CHECK-DAG: --gpu-module-to-binary
// CHECK-DAG: Available Dialects: {{.*}}sse
