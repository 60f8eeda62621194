//===- CudaRuntime.cpp - mgpu* functions over a dlopen'ed CUDA driver -----===//
//
// Implements the functions LLVM 22's GPU-to-LLVM lowering calls (module
// load, function lookup, launches, streams, events, memory) and the C API
// of SSERuntime.h. The driver (libcuda.so.1) is opened at first use: the
// library links and loads on machines without one. A failing driver call is
// reported with its name and the CUDA error name; the mgpu* entry points
// cannot return errors, so after reporting they end the process with exit
// status 1 rather than continue into a crash. Managed memory is never
// requested (isHostShared allocations are refused).
//
//===----------------------------------------------------------------------===//

#include "sse/Runtime/SSERuntime.h"

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

// The few driver types used here, so that no CUDA header is needed.
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;
using CUdeviceptr = unsigned long long;
constexpr CUresult CUDA_SUCCESS = 0;

/// cuLaunchKernelEx's configuration (cuda.h's CUlaunchConfig and
/// CUlaunchAttribute, with the cluster dimension as the only attribute).
struct LaunchAttribute {
  int id;
  char pad[4];
  union {
    char raw[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
  } value;
};
struct LaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  void *hStream;
  LaunchAttribute *attrs;
  unsigned numAttrs;
};
constexpr int kLaunchAttributeClusterDimension = 4;
constexpr int CU_JIT_OPTIMIZATION_LEVEL = 7;

/// Driver entry points, resolved by name (the versioned names the v2 API
/// exports).
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuLaunchKernelEx)(const LaunchConfig *, CUfunction, void **,
                               void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuDeviceGetDefaultMemPool)(void **, CUdevice);
  CUresult (*cuMemPoolSetAttribute)(void *, int, void *);
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventDestroy)(CUevent);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*cuMemFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  CUresult (*cuMemHostRegister)(void *, size_t, unsigned);
  CUresult (*cuMemHostUnregister)(void *);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  /// Optional (CUDA 12+ drivers): only TMA descriptors need it.
  CUresult (*cuTensorMapEncodeTiled)(void *, int, unsigned, void *,
                                     const uint64_t *, const uint64_t *,
                                     const unsigned *, const unsigned *, int,
                                     int, int, int);
};

Driver driver;
CUcontext context = nullptr;
CUdevice device = 0;
int defaultDevice = 0;
std::string lastError;
std::string deviceName;
std::once_flag initOnce;
int initStatus = -1;

void setError(const char *fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(buffer, sizeof(buffer), fmt, args);
  va_end(args);
  lastError = buffer;
}

const char *errorName(CUresult result) {
  const char *name = nullptr;
  if (driver.cuGetErrorName && driver.cuGetErrorName(result, &name) == 0 &&
      name)
    return name;
  return "unknown CUDA error";
}

/// Records a failed driver call; returns false if it failed.
bool check(CUresult result, const char *call) {
  if (result == CUDA_SUCCESS)
    return true;
  setError("%s failed: %s (%d)", call, errorName(result), result);
  return false;
}

void initialize() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    setError("cannot load the CUDA driver (libcuda.so.1): %s; is an NVIDIA "
             "GPU and its driver installed?",
             dlerror());
    initStatus = -1;
    return;
  }
  bool complete = true;
  auto resolve = [&](auto &fn, const char *name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(lib, name));
    if (!fn) {
      setError("the CUDA driver lacks %s", name);
      complete = false;
    }
  };
  resolve(driver.cuGetErrorName, "cuGetErrorName");
  resolve(driver.cuInit, "cuInit");
  resolve(driver.cuDeviceGet, "cuDeviceGet");
  resolve(driver.cuDeviceGetName, "cuDeviceGetName");
  resolve(driver.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(driver.cuCtxSetCurrent, "cuCtxSetCurrent");
  resolve(driver.cuModuleLoadData, "cuModuleLoadData");
  resolve(driver.cuModuleLoadDataEx, "cuModuleLoadDataEx");
  resolve(driver.cuModuleUnload, "cuModuleUnload");
  resolve(driver.cuModuleGetFunction, "cuModuleGetFunction");
  resolve(driver.cuFuncSetAttribute, "cuFuncSetAttribute");
  resolve(driver.cuLaunchKernel, "cuLaunchKernel");
  resolve(driver.cuLaunchKernelEx, "cuLaunchKernelEx");
  resolve(driver.cuStreamCreate, "cuStreamCreate");
  resolve(driver.cuStreamDestroy, "cuStreamDestroy_v2");
  resolve(driver.cuStreamSynchronize, "cuStreamSynchronize");
  resolve(driver.cuCtxSynchronize, "cuCtxSynchronize");
  resolve(driver.cuDeviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool");
  resolve(driver.cuMemPoolSetAttribute, "cuMemPoolSetAttribute");
  resolve(driver.cuStreamWaitEvent, "cuStreamWaitEvent");
  resolve(driver.cuEventCreate, "cuEventCreate");
  resolve(driver.cuEventDestroy, "cuEventDestroy_v2");
  resolve(driver.cuEventRecord, "cuEventRecord");
  resolve(driver.cuEventSynchronize, "cuEventSynchronize");
  resolve(driver.cuEventElapsedTime, "cuEventElapsedTime");
  resolve(driver.cuMemAlloc, "cuMemAlloc_v2");
  resolve(driver.cuMemFree, "cuMemFree_v2");
  resolve(driver.cuMemAllocAsync, "cuMemAllocAsync");
  resolve(driver.cuMemFreeAsync, "cuMemFreeAsync");
  resolve(driver.cuMemcpy, "cuMemcpy");
  resolve(driver.cuMemcpyAsync, "cuMemcpyAsync");
  resolve(driver.cuMemsetD32Async, "cuMemsetD32Async");
  resolve(driver.cuMemsetD16Async, "cuMemsetD16Async");
  resolve(driver.cuMemHostRegister, "cuMemHostRegister_v2");
  resolve(driver.cuMemHostUnregister, "cuMemHostUnregister");
  if (!complete)
    return;
  driver.cuTensorMapEncodeTiled =
      reinterpret_cast<decltype(driver.cuTensorMapEncodeTiled)>(
          dlsym(lib, "cuTensorMapEncodeTiled"));
  if (!check(driver.cuInit(0), "cuInit") ||
      !check(driver.cuDeviceGet(&device, defaultDevice), "cuDeviceGet") ||
      !check(driver.cuDevicePrimaryCtxRetain(&context, device),
             "cuDevicePrimaryCtxRetain") ||
      !check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent"))
    return;
  // Keep freed stream-ordered allocations in the device's pool: with the
  // default release threshold (0) every synchronisation hands them back,
  // and the next call's cuMemAllocAsync maps the scan's scratch buffers
  // again.
  constexpr int releaseThresholdAttr = 4; // CU_MEMPOOL_ATTR_RELEASE_THRESHOLD
  void *pool = nullptr;
  uint64_t keepAll = UINT64_MAX;
  if (!check(driver.cuDeviceGetDefaultMemPool(&pool, device),
             "cuDeviceGetDefaultMemPool") ||
      !check(driver.cuMemPoolSetAttribute(pool, releaseThresholdAttr, &keepAll),
             "cuMemPoolSetAttribute(release threshold)"))
    return;
  char name[256] = {0};
  if (check(driver.cuDeviceGetName(name, sizeof(name) - 1, device),
            "cuDeviceGetName"))
    deviceName = name;
  initStatus = 0;
}

int ensureInit() {
  std::call_once(initOnce, initialize);
  if (initStatus == 0)
    driver.cuCtxSetCurrent(context); // this thread too
  return initStatus;
}

/// For the mgpu* entry points, which cannot return an error.
[[noreturn]] void fatal() {
  fprintf(stderr, "sse-runtime: error: %s\n", lastError.c_str());
  fflush(stderr);
  std::exit(1);
}

void require(bool ok) {
  if (!ok)
    fatal();
}

void requireInit() { require(ensureInit() == 0); }

/// Bytes per element of each CUtensorMapDataType (UINT8 .. TFLOAT32_FTZ).
constexpr int64_t kTensorMapElementBytes[] = {1, 2, 4, 4, 8, 8, 2,
                                              4, 8, 2, 4, 4, 4};

/// Fills `tensorMap` for the memref behind `rankedDescriptor` (a
/// StridedMemRefType of `rank`: allocated, aligned, offset, sizes,
/// strides); checks what the driver would reject with a less precise
/// error: the rank, the enums, the box, 16-byte alignment of the start
/// and of every stride but the innermost, which must be 1.
bool encodeTensorMap(void *tensorMap, int64_t rank, void *rankedDescriptor,
                     int64_t dataType, int64_t interleave, int64_t swizzle,
                     int64_t l2Promotion, int64_t oobFill,
                     const int64_t *boxDims) {
  if (!driver.cuTensorMapEncodeTiled) {
    setError("the CUDA driver lacks cuTensorMapEncodeTiled (TMA needs a "
             "CUDA 12 driver)");
    return false;
  }
  if (rank < 1 || rank > 5 || dataType < 0 || dataType > 12 ||
      !rankedDescriptor || !boxDims) {
    setError("mgpuTensorMapEncodeTiledMemref: rank %lld (1 to 5) or data "
             "type %lld (0 to 12) out of range",
             static_cast<long long>(rank), static_cast<long long>(dataType));
    return false;
  }
  auto *fields = static_cast<int64_t *>(rankedDescriptor);
  const int64_t *sizes = fields + 3, *strides = fields + 3 + rank;
  int64_t elementBytes = kTensorMapElementBytes[dataType];
  char *address =
      reinterpret_cast<char *>(fields[1]) + fields[2] * elementBytes;
  uint64_t globalDim[5] = {1, 1, 1, 1, 1}, globalStrides[5] = {0};
  unsigned box[5] = {1, 1, 1, 1, 1}, elementStrides[5] = {1, 1, 1, 1, 1};
  bool ok =
      strides[rank - 1] == 1 && reinterpret_cast<uintptr_t>(address) % 16 == 0;
  for (int64_t i = 0; i < rank; ++i) {
    // The driver counts dimensions innermost first.
    globalDim[i] = static_cast<uint64_t>(sizes[rank - 1 - i]);
    ok = ok && boxDims[rank - 1 - i] >= 1 && boxDims[rank - 1 - i] <= 256;
    box[i] = static_cast<unsigned>(boxDims[rank - 1 - i]);
    if (i + 1 < rank) {
      globalStrides[i] =
          static_cast<uint64_t>(strides[rank - 2 - i] * elementBytes);
      ok = ok && globalStrides[i] % 16 == 0;
    }
  }
  if (!ok) {
    setError("mgpuTensorMapEncodeTiledMemref: a TMA tile needs a 16-byte "
             "aligned start, unit innermost stride, 16-byte multiples for "
             "the other strides and box sizes in [1, 256]");
    return false;
  }
  return check(driver.cuTensorMapEncodeTiled(
                   tensorMap, static_cast<int>(dataType),
                   static_cast<unsigned>(rank), address, globalDim,
                   globalStrides, box, elementStrides,
                   static_cast<int>(interleave), static_cast<int>(swizzle),
                   static_cast<int>(l2Promotion), static_cast<int>(oobFill)),
               "cuTensorMapEncodeTiled");
}

CUevent timerStart = nullptr, timerStop = nullptr;

/// The timed call's device time on its own streams: between
/// sseRuntimeTimerStart and sseRuntimeTimerStopMs, an event on the first
/// stream the entry creates (before its first launch) and one before every
/// stream synchronisation (the last one ends the span). These are the
/// events PyTorch or Triton record around a call on its stream: the span
/// holds the entry's device work and the gaps between its kernels, not
/// the host's latency before the first launch or after the last.
struct StreamTimer {
  CUevent start = nullptr, stop = nullptr;
  bool armed = false, started = false, stopped = false;
} streamTimer;

void streamTimerOnCreate(CUstream stream) {
  if (!streamTimer.armed || streamTimer.started)
    return;
  streamTimer.started = check(
      driver.cuEventRecord(streamTimer.start, stream), "cuEventRecord");
}

void streamTimerOnSynchronize(CUstream stream) {
  if (streamTimer.armed && streamTimer.started)
    streamTimer.stopped = check(driver.cuEventRecord(streamTimer.stop, stream),
                                "cuEventRecord");
}

/// More than 48 KiB of dynamic shared memory must be allowed explicitly.
void allowDynamicSharedMemory(void *function, int32_t smem) {
  constexpr int maxDynamicSharedAttr = 8; // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_...
  if (smem > 48 * 1024)
    require(
        check(driver.cuFuncSetAttribute(function, maxDynamicSharedAttr, smem),
              "cuFuncSetAttribute(max dynamic shared memory)"));
}

/// Per-kernel timing, on when SSE_RUNTIME_PROFILE is set: events around
/// every launch, reported (kernel name, milliseconds) at each stream
/// synchronisation.
struct KernelTiming {
  std::string name;
  CUevent start, stop;
};
std::vector<KernelTiming> pendingTimings;
std::map<void *, std::string> kernelNames;
bool profiling() {
  static bool on = std::getenv("SSE_RUNTIME_PROFILE") != nullptr;
  return on;
}

void reportTimings() {
  for (KernelTiming &k : pendingTimings) {
    float ms = 0;
    if (check(driver.cuEventSynchronize(k.stop), "cuEventSynchronize") &&
        check(driver.cuEventElapsedTime(&ms, k.start, k.stop),
              "cuEventElapsedTime"))
      fprintf(stderr, "sse-runtime: kernel %s: %.4f ms\n", k.name.c_str(), ms);
    driver.cuEventDestroy(k.start);
    driver.cuEventDestroy(k.stop);
  }
  pendingTimings.clear();
}

/// Launches through `launch`, between timing events when profiling.
template <typename Launch>
void timedLaunch(void *function, void *stream, Launch launch) {
  if (!profiling()) {
    launch();
    return;
  }
  KernelTiming t{kernelNames[function], nullptr, nullptr};
  require(check(driver.cuEventCreate(&t.start, 0), "cuEventCreate"));
  require(check(driver.cuEventCreate(&t.stop, 0), "cuEventCreate"));
  require(check(driver.cuEventRecord(t.start, stream), "cuEventRecord"));
  launch();
  require(check(driver.cuEventRecord(t.stop, stream), "cuEventRecord"));
  pendingTimings.push_back(t);
}

// Every entry call creates a stream and destroys it at the end (the host
// code of gpu-async-region); destroyed streams are kept for the next
// create instead of being handed back to the driver. Work already queued
// on a kept stream runs before anything queued after its reuse (stream
// order), so a reused stream behaves as a fresh one.
std::mutex streamCacheMutex;
std::vector<CUstream> idleStreams;

} // namespace

//===----------------------------------------------------------------------===//
// mgpu*: what the GPU-to-LLVM lowering calls
//===----------------------------------------------------------------------===//

extern "C" {

void *mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  requireInit();
  CUmodule module = nullptr;
  require(check(driver.cuModuleLoadData(&module, data), "cuModuleLoadData"));
  return module;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  requireInit();
  CUmodule module = nullptr;
  int options[] = {CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  require(check(driver.cuModuleLoadDataEx(&module, data, 1, options, values),
                "cuModuleLoadDataEx (PTX JIT)"));
  return module;
}

void mgpuModuleUnload(void *module) {
  requireInit();
  // Modules are unloaded by a global destructor; at process exit the driver
  // may already be shut down (CUDA_ERROR_DEINITIALIZED), which is harmless.
  constexpr CUresult deinitialized = 4;
  CUresult result = driver.cuModuleUnload(module);
  if (result != deinitialized)
    require(check(result, "cuModuleUnload"));
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  requireInit();
  CUfunction function = nullptr;
  if (!check(driver.cuModuleGetFunction(&function, module, name),
             "cuModuleGetFunction")) {
    lastError += std::string(" for kernel ") + name;
    fatal();
  }
  kernelNames[function] = name;
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  requireInit();
  allowDynamicSharedMemory(function, smem);
  timedLaunch(function, stream, [&] {
    require(check(driver.cuLaunchKernel(function, gridX, gridY, gridZ, blockX,
                                        blockY, blockZ, smem, stream, params,
                                        extra),
                  "cuLaunchKernel"));
  });
}

void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra) {
  requireInit();
  allowDynamicSharedMemory(function, smem);
  LaunchAttribute cluster{};
  cluster.id = kLaunchAttributeClusterDimension;
  cluster.value.clusterDim.x = unsigned(clusterX);
  cluster.value.clusterDim.y = unsigned(clusterY);
  cluster.value.clusterDim.z = unsigned(clusterZ);
  LaunchConfig config{unsigned(gridX),  unsigned(gridY),
                      unsigned(gridZ),  unsigned(blockX),
                      unsigned(blockY), unsigned(blockZ),
                      unsigned(smem),   stream,
                      &cluster,         1};
  timedLaunch(function, stream, [&] {
    require(check(driver.cuLaunchKernelEx(&config, function, params, extra),
                  "cuLaunchKernelEx (cluster launch)"));
  });
}

void *mgpuStreamCreate() {
  requireInit();
  {
    std::lock_guard<std::mutex> lock(streamCacheMutex);
    if (!idleStreams.empty()) {
      CUstream stream = idleStreams.back();
      idleStreams.pop_back();
      streamTimerOnCreate(stream);
      return stream;
    }
  }
  CUstream stream = nullptr;
  require(check(driver.cuStreamCreate(&stream, /*CU_STREAM_NON_BLOCKING=*/1),
                "cuStreamCreate"));
  streamTimerOnCreate(stream);
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  requireInit();
  std::lock_guard<std::mutex> lock(streamCacheMutex);
  idleStreams.push_back(static_cast<CUstream>(stream));
}

void mgpuStreamSynchronize(void *stream) {
  requireInit();
  streamTimerOnSynchronize(static_cast<CUstream>(stream));
  require(check(driver.cuStreamSynchronize(stream),
                "cuStreamSynchronize (a kernel failed?)"));
  if (profiling())
    reportTimings();
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  requireInit();
  require(
      check(driver.cuStreamWaitEvent(stream, event, 0), "cuStreamWaitEvent"));
}

void *mgpuEventCreate() {
  requireInit();
  CUevent event = nullptr;
  require(check(driver.cuEventCreate(&event, /*CU_EVENT_DISABLE_TIMING=*/2),
                "cuEventCreate"));
  return event;
}

void mgpuEventDestroy(void *event) {
  requireInit();
  require(check(driver.cuEventDestroy(event), "cuEventDestroy"));
}

void mgpuEventSynchronize(void *event) {
  requireInit();
  require(check(driver.cuEventSynchronize(event), "cuEventSynchronize"));
}

void mgpuEventRecord(void *event, void *stream) {
  requireInit();
  require(check(driver.cuEventRecord(event, stream), "cuEventRecord"));
}

// Buffers of an entry are allocated and freed in stream order from the
// device's default memory pool: after the first call the pool serves them
// without a driver allocation, and a free does not synchronise the device.
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) {
  requireInit();
  if (isHostShared) {
    setError("host-shared (managed) memory was requested; sse-mlir's "
             "runtime allocates device memory only");
    fatal();
  }
  CUdeviceptr ptr = 0;
  if (sizeBytes == 0)
    return nullptr;
  require(check(
      driver.cuMemAllocAsync(&ptr, sizeBytes, static_cast<CUstream>(stream)),
      "cuMemAllocAsync"));
  return reinterpret_cast<void *>(ptr);
}

void mgpuMemFree(void *ptr, void *stream) {
  requireInit();
  if (ptr)
    require(check(driver.cuMemFreeAsync(reinterpret_cast<CUdeviceptr>(ptr),
                                        static_cast<CUstream>(stream)),
                  "cuMemFreeAsync"));
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  requireInit();
  require(check(driver.cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                     reinterpret_cast<CUdeviceptr>(src),
                                     sizeBytes, stream),
                "cuMemcpyAsync"));
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  requireInit();
  require(check(driver.cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                        value, count, stream),
                "cuMemsetD32Async"));
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  requireInit();
  require(check(driver.cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                        value, count, stream),
                "cuMemsetD16Async"));
}

void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  requireInit();
  require(
      check(driver.cuMemHostRegister(ptr, sizeBytes, 0), "cuMemHostRegister"));
}

void mgpuMemHostUnregister(void *ptr) {
  requireInit();
  require(check(driver.cuMemHostUnregister(ptr), "cuMemHostUnregister"));
}

void mgpuSetDefaultDevice(int32_t index) { defaultDevice = index; }

// TMA: the GPU-to-LLVM lowering of nvgpu.tma.create.descriptor calls this
// with a ranked memref descriptor, the CUtensorMapDataType, interleave,
// swizzle, L2 promotion and out-of-bounds fill enums, and the box sizes
// (outermost first). It returns a device copy of the 128-byte CUtensorMap
// (kept for the life of the process, as upstream's wrapper does).
void *mgpuTensorMapEncodeTiledMemref(int64_t rank, void *rankedDescriptor,
                                     int64_t dataType, int64_t interleave,
                                     int64_t swizzle, int64_t l2Promotion,
                                     int64_t oobFill, int64_t *boxDims) {
  requireInit();
  alignas(64) unsigned char tensorMap[128] = {0};
  if (!encodeTensorMap(tensorMap, rank, rankedDescriptor, dataType, interleave,
                       swizzle, l2Promotion, oobFill, boxDims))
    fatal();
  CUdeviceptr copy = 0;
  require(check(driver.cuMemAlloc(&copy, sizeof(tensorMap)), "cuMemAlloc"));
  require(check(driver.cuMemcpy(copy, reinterpret_cast<CUdeviceptr>(tensorMap),
                                sizeof(tensorMap)),
                "cuMemcpy(tensor map)"));
  return reinterpret_cast<void *>(copy);
}

//===----------------------------------------------------------------------===//
// The C API
//===----------------------------------------------------------------------===//

int sseRuntimeInit(void) { return ensureInit(); }

const char *sseRuntimeLastError(void) { return lastError.c_str(); }

const char *sseRuntimeDeviceName(void) {
  return ensureInit() == 0 ? deviceName.c_str() : "";
}

void *sseRuntimeAlloc(size_t bytes) {
  if (ensureInit() != 0)
    return nullptr;
  CUdeviceptr ptr = 0;
  if (!check(driver.cuMemAlloc(&ptr, bytes), "cuMemAlloc"))
    return nullptr;
  return reinterpret_cast<void *>(ptr);
}

void sseRuntimeFree(void *devicePtr) {
  if (ensureInit() == 0 && devicePtr)
    check(driver.cuMemFree(reinterpret_cast<CUdeviceptr>(devicePtr)),
          "cuMemFree");
}

int sseRuntimeCopyToDevice(void *devicePtr, const void *hostPtr, size_t bytes) {
  if (ensureInit() != 0)
    return -1;
  return check(driver.cuMemcpy(reinterpret_cast<CUdeviceptr>(devicePtr),
                               reinterpret_cast<CUdeviceptr>(hostPtr), bytes),
               "cuMemcpy (to device)")
             ? 0
             : -2;
}

int sseRuntimeCopyToHost(void *hostPtr, const void *devicePtr, size_t bytes) {
  if (ensureInit() != 0)
    return -1;
  return check(driver.cuMemcpy(reinterpret_cast<CUdeviceptr>(hostPtr),
                               reinterpret_cast<CUdeviceptr>(devicePtr), bytes),
               "cuMemcpy (to host)")
             ? 0
             : -2;
}

int sseRuntimeMemset32(void *devicePtr, uint32_t value, size_t count) {
  if (ensureInit() != 0)
    return -1;
  if (!check(driver.cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(devicePtr),
                                     value, count, nullptr),
             "cuMemsetD32Async"))
    return -2;
  return sseRuntimeSynchronize();
}

int sseRuntimeSynchronize(void) {
  if (ensureInit() != 0)
    return -1;
  return check(driver.cuStreamSynchronize(nullptr),
               "cuStreamSynchronize (a kernel failed?)")
             ? 0
             : -2;
}

void *sseRuntimeLoadModel(const char *path) {
  if (ensureInit() != 0)
    return nullptr;
  void *model = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!model)
    setError("cannot load %s: %s", path, dlerror());
  return model;
}

int sseRuntimeCallEntry(void *model, const char *entry, void **d, int count) {
  if (!model || !entry || count < 0 || (count > 0 && !d)) {
    setError("sseRuntimeCallEntry: bad arguments (model %p, entry %s, %d "
             "descriptors)",
             model, entry ? entry : "(null)", count);
    return -4;
  }
  // The packed wrapper sse-runner --emit-aot adds, as ExecutionEngine's:
  // void _mlir__mlir_ciface_<entry>(void **args), args[i] pointing to the
  // i-th argument of _mlir_ciface_<entry> (a descriptor pointer). A typed
  // call for any number of descriptors.
  std::string packed = std::string("_mlir__mlir_ciface_") + entry;
  void *fn = dlsym(model, packed.c_str());
  if (!fn) {
    setError("no %s in the model (build it with this sse-runner --emit-aot)",
             packed.c_str());
    return -3;
  }
  std::string countName = std::string("_sse_aot_descriptors_") + entry;
  auto *expected =
      static_cast<const int64_t *>(dlsym(model, countName.c_str()));
  if (!expected) {
    setError("no %s in the model (build it with this sse-runner --emit-aot)",
             countName.c_str());
    return -3;
  }
  if (*expected != count) {
    setError("@%s takes %lld memref descriptors, but %d were given", entry,
             static_cast<long long>(*expected), count);
    return -4;
  }
  std::vector<void *> slots(static_cast<size_t>(count) + 1, nullptr);
  for (int i = 0; i < count; ++i)
    slots[i] = &d[i];
  reinterpret_cast<void (*)(void **)>(fn)(slots.data());
  return sseRuntimeSynchronize();
}

int sseRuntimeTimerStart(void) {
  if (ensureInit() != 0)
    return -1;
  if (!timerStart &&
      (!check(driver.cuEventCreate(&timerStart, 0), "cuEventCreate") ||
       !check(driver.cuEventCreate(&timerStop, 0), "cuEventCreate") ||
       !check(driver.cuEventCreate(&streamTimer.start, 0), "cuEventCreate") ||
       !check(driver.cuEventCreate(&streamTimer.stop, 0), "cuEventCreate")))
    return -2;
  streamTimer.armed = true;
  streamTimer.started = streamTimer.stopped = false;
  // The device is idle first, so that no earlier work (a copy from
  // pageable host memory may return before its last DMA is done) runs
  // inside the timed region. (On an H100 this made no measurable
  // difference to the bench; the per-call gap it was meant for came from
  // the memory pool, see initialize().)
  if (!check(driver.cuCtxSynchronize(), "cuCtxSynchronize"))
    return -2;
  return check(driver.cuEventRecord(timerStart, nullptr), "cuEventRecord") ? 0
                                                                           : -2;
}

float sseRuntimeTimerStopMs(void) {
  if (ensureInit() != 0 || !timerStart)
    return -1.0f;
  float ms = -1.0f;
  streamTimer.armed = false;
  if (!check(driver.cuEventRecord(timerStop, nullptr), "cuEventRecord") ||
      !check(driver.cuEventSynchronize(timerStop), "cuEventSynchronize") ||
      !check(driver.cuEventElapsedTime(&ms, timerStart, timerStop),
             "cuEventElapsedTime"))
    return -1.0f;
  return ms;
}

float sseRuntimeTimerDeviceMs(void) {
  if (ensureInit() != 0)
    return -1.0f;
  if (!streamTimer.started || !streamTimer.stopped) {
    setError("sseRuntimeTimerDeviceMs: the timed call synchronised no "
             "stream of its own (no kernel ran)");
    return -1.0f;
  }
  float ms = -1.0f;
  if (!check(driver.cuEventSynchronize(streamTimer.stop),
             "cuEventSynchronize") ||
      !check(driver.cuEventElapsedTime(&ms, streamTimer.start,
                                       streamTimer.stop),
             "cuEventElapsedTime"))
    return -1.0f;
  return ms;
}

} // extern "C"
