//===- Pipelines.h - Named pass pipelines of sse-mlir -----------*- C++ -*-===//
//
// The end-to-end pipelines: sse-to-llvm-cpu lowers a module with sse ops to
// the LLVM dialect for the CPU JIT.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_PIPELINES_PIPELINES_H
#define SSE_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace sse {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Turn returned buffers into caller-allocated out "
                     "parameters (what sse-runner expects)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuse{*this, "fuse",
                                 llvm::cl::desc("Run sse-fuse first"),
                                 llvm::cl::init(true)};
  PassOptions::Option<bool> tile{
      *this, "tile", llvm::cl::desc("Run sse-tile (cost model) first"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> chunk{
      *this, "chunk", llvm::cl::desc("Force the chunk length (0: cost model)"),
      llvm::cl::init(0)};
  PassOptions::Option<std::string> split{
      *this, "split",
      llvm::cl::desc("Force the work split: auto, recurrent, chunked"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> grouping{
      *this, "grouping",
      llvm::cl::desc("Force the grouping: auto, dense, sorted"),
      llvm::cl::init("auto")};
};

/// Which scan kernels sse-to-nvvm emits.
enum class ScanKernels { V1, V2 };

struct NVVMPipelineOptions : public PassPipelineOptions<NVVMPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture: sm_80, sm_90, sm_90a"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> features{*this, "features",
                                            llvm::cl::desc("PTX features"),
                                            llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format", llvm::cl::desc("Binary format: isa (PTX), bin, fatbin"),
      llvm::cl::init("isa")};
  PassOptions::Option<int> optLevel{
      *this, "opt-level", llvm::cl::desc("Optimisation level of the kernels"),
      llvm::cl::init(2)};
  PassOptions::Option<bool> fuse{*this, "fuse",
                                 llvm::cl::desc("Run sse-fuse first"),
                                 llvm::cl::init(true)};
  PassOptions::Option<bool> tile{
      *this, "tile", llvm::cl::desc("Run sse-tile (cost model) first"),
      llvm::cl::init(true)};
  PassOptions::Option<ScanKernels> kernels{
      *this, "kernels", llvm::cl::desc("Scan kernels"),
      llvm::cl::init(ScanKernels::V2),
      llvm::cl::values(
          clEnumValN(ScanKernels::V1, "v1",
                     "convert-sse-to-gpu for every scan"),
          clEnumValN(ScanKernels::V2, "v2",
                     "the sse_gpu kernels where they are built, v1 for the "
                     "rest"))};
};

/// Builds sse-to-nvvm: fusion and tiling, convert-sse-to-gpu,
/// bufferization with device buffers, then the upstream GPU-to-NVVM steps,
/// ending in gpu.binary.
void buildSSEToNVVMPipeline(OpPassManager &pm,
                            const NVVMPipelineOptions &options);

/// Builds sse-to-llvm-cpu: fusion and tiling, sse -> scf loops ->
/// bufferization -> LLVM dialect.
void buildSSEToLLVMCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options);

/// Registers the named pipelines with the global pass registry.
void registerSSEPipelines();

} // namespace sse
} // namespace mlir

#endif // SSE_PIPELINES_PIPELINES_H
