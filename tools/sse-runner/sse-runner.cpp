//===- sse-runner.cpp - JIT-run an entry of an sse module -----------------===//
//
//   sse-runner model.mlir --entry=layer --target=cpu q.npy k.npy ...
//       --output-dir=out [--seed=N] [--repeat=N] [--time]
//
// Inputs are .npy files in argument order (or drawn from --seed); each result
// i is written to <output-dir>/result<i>.npy and summarised on stdout.
//
//===----------------------------------------------------------------------===//

#include "sse/InitAll.h"
#include "sse/Runner/Runner.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <cstdlib>

using namespace llvm;
using namespace mlir;

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<module.mlir>"));
static cl::list<std::string> arrays(cl::Positional,
                                    cl::desc("[<arg0.npy> <arg1.npy> ...]"));
static cl::opt<std::string> entry("entry", cl::desc("Entry function to run"),
                                  cl::init("main"));
static cl::opt<std::string> target("target",
                                   cl::desc("Where to run: cpu (default) or "
                                            "cuda"),
                                   cl::init("cpu"));
static cl::opt<std::string> emitAot(
    "emit-aot",
    cl::desc("Do not run; write <dir>/model.o and <dir>/manifest.json (the "
             "entry's signature). --target=cuda: host code with the kernels "
             "embedded, calling libsse_cuda_runtime, for sse-aot-run; "
             "--target=cpu: code for this CPU, and <dir>/support-libs.txt, "
             "the libraries to load beside it"),
    cl::value_desc("dir"));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Directory for result<i>.npy"),
                                      cl::init("."));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Draw inputs from this seed instead "
                                       "of reading .npy files"));
static cl::opt<unsigned> repeat("repeat", cl::desc("Run the entry N times"),
                                cl::init(1));
static cl::opt<bool> reportTime("time",
                                cl::desc("Report compile and run times"));
static cl::opt<std::string> pipelineOptions(
    "pipeline-options",
    cl::desc("Options of the compilation pipeline, e.g. \"split=chunked "
             "chunk=32 grouping=sorted\" or \"fuse=false tile=false\""),
    cl::init(""));
static cl::opt<bool> dumpInputs(
    "dump-inputs",
    cl::desc("Also write the inputs as <output-dir>/input<i>.npy (useful "
             "with --seed to check results against a reference)"));
static cl::list<std::string>
    sharedLibs("shared-libs", cl::desc("Extra libraries to load into the JIT"),
               cl::CommaSeparated);

/// The directory of MLIR's runtime support libraries (memrefCopy, ...):
/// $SSE_MLIR_LIB_DIR if set; else the LLVM library directory this was built
/// against, or, for the self-contained build (SSE_STATIC_TOOLS), a directory
/// relative to this executable's (<bin>/../lib, where the build and
/// scripts/pack_jit_runner.sh put them).
static std::string mlirLibDir(const char *argv0) {
  if (const char *env = std::getenv("SSE_MLIR_LIB_DIR"); env && *env)
    return env;
#ifdef SSE_MLIR_LIB_DIR_FROM_EXE
  static int anchor;
  SmallString<256> dir(sys::path::parent_path(
      sys::fs::getMainExecutable(argv0, static_cast<void *>(&anchor))));
  sys::path::append(dir, SSE_MLIR_LIB_DIR_FROM_EXE);
  return std::string(dir);
#else
  return SSE_MLIR_LIB_DIR;
#endif
}

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "sse-mlir JIT runner\n");

  sse::setDefaultCudaToolkitPath();
  DialectRegistry registry;
  sse::registerAllDialectsAndExtensions(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  std::string errorMessage;
  std::unique_ptr<MemoryBuffer> file = openInputFile(inputFile, &errorMessage);
  if (!file) {
    errs() << "sse-runner: error: " << errorMessage << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // The parser or verifier already reported why.

  // With --time on CUDA, the runtime also reports each kernel's time.
  if (reportTime && target == "cuda")
    setenv("SSE_RUNTIME_PROFILE", "1", /*overwrite=*/0);

  sse::RunOptions options;
  options.entry = entry;
  options.target = target;
  options.inputFiles.assign(arrays.begin(), arrays.end());
  if (seed.getNumOccurrences())
    options.seed = seed;
  options.repeat = repeat;
  options.pipelineOptions = pipelineOptions;
  std::string libDir = mlirLibDir(argv[0]);
  for (const char *lib : {"libmlir_c_runner_utils.so"}) {
    std::string path = (Twine(libDir) + "/" + lib).str();
    // The runtime support libraries must be there (the JIT would only warn,
    // and then fail to resolve memrefCopy, or worse, run without it).
    if ((emitAot.empty() || target == "cpu") &&
        !sys::fs::is_regular_file(path)) {
      const char *env = std::getenv("SSE_MLIR_LIB_DIR");
      errs() << "sse-runner: error: " << path << " not found"
             << (env && *env ? " (SSE_MLIR_LIB_DIR=" + std::string(env) +
                                   " must hold MLIR's runner utils libraries)"
                             : std::string())
             << "\n";
      return 1;
    }
    options.sharedLibs.push_back(path);
  }
  for (const std::string &lib : sharedLibs)
    options.sharedLibs.push_back(lib);

  if (!emitAot.empty()) {
    Expected<sse::AotArtifacts> aot = sse::compileForAot(*module, options);
    if (!aot) {
      errs() << "sse-runner: error: " << toString(aot.takeError()) << "\n";
      return 1;
    }
    if (std::error_code ec = sys::fs::create_directories(emitAot)) {
      errs() << "sse-runner: error: cannot create " << emitAot << ": "
             << ec.message() << "\n";
      return 1;
    }
    // On the CPU the object calls MLIR's runner utilities: their paths,
    // one per line, for whoever loads the model.
    std::string supportLibs;
    for (const std::string &lib : options.sharedLibs)
      supportLibs += lib + "\n";
    SmallVector<std::pair<const char *, const std::string *>> files = {
        {"model.o", &aot->object}, {"manifest.json", &aot->manifest}};
    if (target == "cpu")
      files.push_back({"support-libs.txt", &supportLibs});
    for (auto [name, bytes] : files) {
      SmallString<128> path(emitAot);
      sys::path::append(path, name);
      std::error_code ec;
      raw_fd_ostream os(path, ec, sys::fs::OF_None);
      if (ec) {
        errs() << "sse-runner: error: cannot write " << path << ": "
               << ec.message() << "\n";
        return 1;
      }
      os << *bytes;
      outs() << "wrote " << path << "\n";
    }
    return 0;
  }

  Expected<sse::RunResult> result = sse::compileAndRun(*module, options);
  if (!result) {
    errs() << "sse-runner: error: " << toString(result.takeError()) << "\n";
    return 1;
  }

  if (std::error_code ec = sys::fs::create_directories(outputDir)) {
    errs() << "sse-runner: error: cannot create " << outputDir << ": "
           << ec.message() << "\n";
    return 1;
  }
  if (dumpInputs) {
    for (size_t i = 0; i < result->inputs.size(); ++i) {
      SmallString<128> path(outputDir);
      sys::path::append(path, "input" + Twine(i) + ".npy");
      if (Error err = sse::writeNpy(path, result->inputs[i])) {
        errs() << "sse-runner: error: " << toString(std::move(err)) << "\n";
        return 1;
      }
    }
  }
  for (size_t i = 0; i < result->outputs.size(); ++i) {
    SmallString<128> path(outputDir);
    sys::path::append(path, "result" + Twine(i) + ".npy");
    const sse::NpyArray &out = result->outputs[i];
    if (Error err = sse::writeNpy(path, out)) {
      errs() << "sse-runner: error: " << toString(std::move(err)) << "\n";
      return 1;
    }
    outs() << "result " << i << ": " << sse::npyName(out.dtype) << " "
           << out.shapeString() << " -> " << path << "\n";
  }
  if (reportTime) {
    std::vector<double> runs = result->runSeconds;
    std::sort(runs.begin(), runs.end());
    outs() << format("compile: %.3f s, run: median %.6f s over %zu runs\n",
                     result->compileSeconds, runs[runs.size() / 2],
                     runs.size());
  }
  return 0;
}
