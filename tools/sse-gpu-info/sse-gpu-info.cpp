//===- sse-gpu-info.cpp - Is there a GPU the sse runtime can use? ---------===//
//
// Initialises libsse_cuda_runtime and prints the device name, or the
// runtime's error (e.g. no driver) and exits with status 1.
//
//===----------------------------------------------------------------------===//

#include "sse/Runtime/SSERuntime.h"

#include <cstdio>

int main() {
  if (sseRuntimeInit() != 0) {
    std::fprintf(stderr, "sse-gpu-info: error: %s\n", sseRuntimeLastError());
    return 1;
  }
  std::printf("device: %s\n", sseRuntimeDeviceName());
  return 0;
}
