// A pipeline option outside its listed values, or one the pipeline does not
// have, is an error that names the pipeline, the options and the problem
// (not a silent fallback to the default), in the flag form and in
// --pass-pipeline.
// RUN: not sse-opt %s --sse-to-nvvm="kernels=v3" 2>&1 | FileCheck %s
// CHECK: for the --kernels option: Cannot find option named 'v3'!
// CHECK: error: sse-to-nvvm: invalid options `kernels=v3`
// RUN: not sse-opt %s --pass-pipeline="builtin.module(sse-to-nvvm{kernels=v3})" 2>&1 | FileCheck %s
// RUN: not sse-opt %s --sse-to-llvm-cpu="bogus=1" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: sse-to-llvm-cpu: invalid options `bogus=1`: <Pass-Options-Parser>: no such option bogus
func.func @empty() {
  return
}
