//===- InitAll.h - Register everything sse-mlir tools need ------*- C++ -*-===//
//
// One place that registers the sse dialect, its passes and pipelines, and
// the upstream dialects, extensions, passes and LLVM IR translations.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_INITALL_H
#define SSE_INITALL_H

namespace mlir {
class DialectRegistry;
namespace sse {
/// Registers the sse dialect, all upstream dialects and extensions, and the
/// translations to LLVM IR (incl. NVVM targets for gpu-module-to-binary).
void registerAllDialectsAndExtensions(DialectRegistry &registry);
/// Registers sse passes and pipelines and all upstream passes.
void registerAllPassesAndPipelines();
/// The NVVM serializer finds libdevice (for exp, sqrt, ... in kernels) and
/// ptxas through CUDA_ROOT or CUDA_HOME; when neither is set and
/// /usr/local/cuda exists, point CUDA_HOME there.
void setDefaultCudaToolkitPath();
} // namespace sse
} // namespace mlir

#endif // SSE_INITALL_H
