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
 * --emit-aot` output. Load returns NULL on error. Call passes `count` memref
 * descriptors, one per argument then per result that is not in an argument
 * (each a pointer to upstream's StridedMemRefType layout {allocated,
 * aligned, offset, sizes[rank], strides[rank]} over device memory), through
 * the model's packed wrapper `void _mlir__mlir_ciface_<entry>(void **args)`
 * (args[i] points to descriptors[i]; the convention of MLIR's
 * ExecutionEngine), so any number of descriptors works. The model records
 * its descriptor count (`int64_t _sse_aot_descriptors_<entry>`); a
 * different `count` is an error (-4), a model without the wrapper or count
 * too (-3). After the call the default stream is synchronised: a failing
 * kernel is reported here. `model` may be any dlopen() handle that exports
 * these symbols. */
void *sseRuntimeLoadModel(const char *path);
int sseRuntimeCallEntry(void *model, const char *entry, void **descriptors,
                        int count);

/* Timing with CUDA events on the default stream: start (after the device
 * has finished all earlier work, copies included), then stop returns the
 * milliseconds in between (negative on error). */
int sseRuntimeTimerStart(void);
float sseRuntimeTimerStopMs(void);
/* After sseRuntimeTimerStopMs: the device time of the timed call on its own
 * streams, from an event recorded before its first launch to one recorded
 * before its last stream synchronisation (what events around a call on its
 * stream measure in PyTorch or Triton: the kernels and the gaps between
 * them, not the host's call latency). Negative, with the last error set,
 * when the call ran no stream. */
float sseRuntimeTimerDeviceMs(void);

#ifdef __cplusplus
}
#endif

#endif /* SSE_RUNTIME_SSERUNTIME_H */
