// libsse_cuda_runtime.so exports every function LLVM 22's GPU-to-LLVM
// lowering calls, and the C API.
// RUN: nm -D --defined-only %sse_obj/lib/libsse_cuda_runtime.so | FileCheck %s
// CHECK-DAG: T mgpuEventCreate
// CHECK-DAG: T mgpuEventDestroy
// CHECK-DAG: T mgpuEventRecord
// CHECK-DAG: T mgpuEventSynchronize
// CHECK-DAG: T mgpuLaunchClusterKernel
// CHECK-DAG: T mgpuLaunchKernel
// CHECK-DAG: T mgpuMemAlloc
// CHECK-DAG: T mgpuMemFree
// CHECK-DAG: T mgpuMemHostRegister
// CHECK-DAG: T mgpuMemHostUnregister
// CHECK-DAG: T mgpuMemcpy
// CHECK-DAG: T mgpuMemset16
// CHECK-DAG: T mgpuMemset32
// CHECK-DAG: T mgpuModuleGetFunction
// CHECK-DAG: T mgpuModuleLoad
// CHECK-DAG: T mgpuModuleLoadJIT
// CHECK-DAG: T mgpuModuleUnload
// CHECK-DAG: T mgpuSetDefaultDevice
// CHECK-DAG: T mgpuStreamCreate
// CHECK-DAG: T mgpuStreamDestroy
// CHECK-DAG: T mgpuStreamSynchronize
// CHECK-DAG: T mgpuStreamWaitEvent
// CHECK-DAG: T mgpuTensorMapEncodeTiledMemref
// CHECK-DAG: T sseRuntimeCallEntry
// CHECK-DAG: T sseRuntimeLoadModel
// CHECK-DAG: T sseRuntimeTimerStopMs
// CHECK-DAG: T sseRuntimeTimerDeviceMs
