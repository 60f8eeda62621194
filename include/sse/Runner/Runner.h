//===- Runner.h - Compile and run one entry of an sse module ----*- C++ -*-===//
//
// The library behind sse-runner: binds .npy (or seeded) inputs to the
// arguments of an entry function, compiles the module for a target, runs it
// and returns its results as arrays.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_RUNNER_RUNNER_H
#define SSE_RUNNER_RUNNER_H

#include "sse/Runner/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace sse {

struct RunOptions {
  std::string entry = "main";
  std::string target = "cpu";
  /// Inputs, in argument order; empty when drawn from `seed`.
  std::vector<std::string> inputFiles;
  std::optional<uint64_t> seed;
  /// Runs of the entry (results come from the last one).
  unsigned repeat = 1;
  /// Options of the sse-to-llvm-cpu pipeline, e.g. "split=chunked chunk=32".
  std::string pipelineOptions;
  /// Directories holding libmlir_c_runner_utils.so and friends.
  std::vector<std::string> sharedLibs;
};

struct RunResult {
  /// The inputs as given (the entry may update its own copies in place,
  /// e.g. a state cache).
  std::vector<NpyArray> inputs;
  std::vector<NpyArray> outputs;
  double compileSeconds = 0;
  /// Wall time of each run of the entry.
  std::vector<double> runSeconds;
};

/// What an ahead-of-time build of an entry holds: an object file with the
/// host code (on CUDA, the kernels embedded), and a manifest of the entry's
/// signature.
struct AotArtifacts {
  std::string object;
  std::string manifest;
};

/// Compiles `module` ahead of time for `options.target`: on `cuda` with
/// sse-to-nvvm, a host object for generic x86-64 that calls the mgpu*
/// runtime; on `cpu` with sse-to-llvm-cpu, an object for this machine's
/// CPU (it is built where it runs) that needs MLIR's runner utilities
/// (`memrefCopy`) loaded beside it. No LLVM is needed to run either.
llvm::Expected<AotArtifacts> compileForAot(ModuleOp module,
                                           const RunOptions &options);

/// Compiles `module` (consumed: it is lowered in place) and runs the entry.
/// Every failure is returned as an Error whose message names the argument,
/// file, type or pass at fault.
llvm::Expected<RunResult> compileAndRun(ModuleOp module,
                                        const RunOptions &options);

} // namespace sse
} // namespace mlir

#endif // SSE_RUNNER_RUNNER_H
