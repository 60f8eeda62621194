/*===- SSERuntime.h - C API of the sse-mlir CUDA runtime ----------*- C -*-===*\
|*                                                                            *|
|* The runtime library libsse_cuda_runtime.so exports the mgpu* functions    *|
|* that MLIR's GPU-to-LLVM lowering calls, and this small C API for hosts    *|
|* (sse-runner's AOT harness, Python through ctypes). The CUDA driver is     *|
|* opened with dlopen at first use, so the library loads on machines without *|
|* one; every function reports a missing driver as an error.                 *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SSE_RUNTIME_SSERUNTIME_H
#define SSE_RUNTIME_SSERUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0 on success; otherwise a negative code, and sseRuntimeLastError() says
 * which call failed and why (with the CUDA error name). */
int sseRuntimeInit(void);
const char *sseRuntimeLastError(void);
/* Name of the current device, e.g. "NVIDIA H100 80GB HBM3". */
const char *sseRuntimeDeviceName(void);

/* Device memory, synchronous. */
void *sseRuntimeAlloc(size_t bytes);
void sseRuntimeFree(void *devicePtr);
int sseRuntimeCopyToDevice(void *devicePtr, const void *hostPtr, size_t bytes);
int sseRuntimeCopyToHost(void *hostPtr, const void *devicePtr, size_t bytes);
int sseRuntimeMemset32(void *devicePtr, uint32_t value, size_t count);
int sseRuntimeSynchronize(void);

/* Compiled entries: a shared object linked from `sse-runner --target=cuda
 * --emit-aot` output. Load returns NULL on error. Call passes one memref
 * descriptor per argument then per result (each a pointer to {allocated,
 * aligned, offset, sizes[rank], strides[rank]} over device memory) to
 * _mlir_ciface_<entry>; at most 20 descriptors. */
void *sseRuntimeLoadModel(const char *path);
int sseRuntimeCallEntry(void *model, const char *entry, void **descriptors,
                        int count);

/* Timing with CUDA events on the default stream: start (after the device
 * has finished all earlier work, copies included), then stop returns the
 * milliseconds in between (negative on error). */
int sseRuntimeTimerStart(void);
float sseRuntimeTimerStopMs(void);

#ifdef __cplusplus
}
#endif

#endif /* SSE_RUNTIME_SSERUNTIME_H */
