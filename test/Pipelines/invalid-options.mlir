// A pipeline option outside its listed values is an error that names the
// option and the value (not a silent fallback to the default).
// RUN: not sse-opt %s --sse-to-nvvm="kernels=v3" 2>&1 | FileCheck %s
// CHECK: for the --kernels option: Cannot find option named 'v3'!
func.func @empty() {
  return
}
