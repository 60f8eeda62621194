//===- Runner.cpp - Compile and run one entry of an sse module ------------===//
//
// Checks inputs against the entry's signature, lowers the module with
// sse-to-llvm-cpu (returned tensors become caller-allocated out parameters),
// JITs it with mlir::ExecutionEngine and calls the C interface of the entry
// with memref descriptors built over the arrays. Outputs are poisoned (NaN,
// or 0xAA.. for integers) before the call so unwritten elements show.
//
//===----------------------------------------------------------------------===//

#include "sse/Runner/Runner.h"

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "sse/Runtime/SSERuntime.h"
#include "llvm/ADT/APFloat.h"

#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <unistd.h>

using namespace mlir;
using namespace mlir::sse;

namespace {
llvm::Error runError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// The .npy dtype of a tensor element type, if sse-runner supports it.
std::optional<NpyDType> dtypeOf(Type elem) {
  if (elem.isF32())
    return NpyDType::F32;
  if (elem.isF16())
    return NpyDType::F16;
  if (elem.isBF16())
    return NpyDType::BF16;
  if (elem.isSignlessInteger(32))
    return NpyDType::I32;
  if (elem.isSignlessInteger(64))
    return NpyDType::I64;
  return std::nullopt;
}

/// Checks a function argument or result type and returns its array layout.
llvm::Expected<NpyArray> layoutOf(Type type, const llvm::Twine &what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return runError(what + " has type " + typeString(type) +
                    "; sse-runner needs ranked tensors of static shape");
  std::optional<NpyDType> dtype = dtypeOf(tensor.getElementType());
  if (!dtype)
    return runError(what + " has element type " +
                    typeString(tensor.getElementType()) +
                    "; supported: f32, f16, bf16, i32, i64");
  NpyArray array;
  array.dtype = *dtype;
  array.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  // Refuse what cannot be held, rather than failing an allocation later.
  std::optional<int64_t> bytes = array.numBytes();
  int64_t memory = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) *
                   static_cast<int64_t>(sysconf(_SC_PAGE_SIZE));
  if (!bytes || (memory > 0 && *bytes > memory))
    return runError(what + " has type " + typeString(type) + ", which needs " +
                    (bytes ? std::to_string(*bytes) + " bytes"
                           : std::string("more bytes than can be addressed")) +
                    ", more than this machine's memory (" +
                    std::to_string(memory) + " bytes)");
  return array;
}

/// What a seeded input is used for; it decides the distribution drawn from,
/// so that `--seed` runs are meaningful (decays <= 0, indices in range, ...).
enum class Role { Generic, LogGate, Beta, Indices, SeqOffsets, States };

Role roleOf(BlockArgument arg, int64_t &numPartitions) {
  for (OpOperand &use : arg.getUses()) {
    auto scan = dyn_cast<ScanOp>(use.getOwner());
    if (!scan)
      continue;
    Value v = use.get();
    numPartitions = scan.getPartitions();
    if (v == scan.getGate())
      return Role::LogGate;
    if (v == scan.getBeta())
      return Role::Beta;
    if (v == scan.getIndices())
      return Role::Indices;
    if (v == scan.getCuSeqlens())
      return Role::SeqOffsets;
    if (v == scan.getInit())
      return Role::States;
  }
  return Role::Generic;
}

void storeFloat(NpyArray &a, int64_t i, float x) {
  char *p = a.data.data() + i * npyElementSize(a.dtype);
  if (a.dtype == NpyDType::F32) {
    std::memcpy(p, &x, 4);
    return;
  }
  llvm::APFloat f(x);
  bool lost;
  f.convert(a.dtype == NpyDType::F16 ? llvm::APFloat::IEEEhalf()
                                     : llvm::APFloat::BFloat(),
            llvm::APFloat::rmNearestTiesToEven, &lost);
  uint16_t bits = f.bitcastToAPInt().getZExtValue();
  std::memcpy(p, &bits, 2);
}

void storeInt(NpyArray &a, int64_t i, int64_t x) {
  char *p = a.data.data() + i * npyElementSize(a.dtype);
  if (a.dtype == NpyDType::I32) {
    int32_t v = static_cast<int32_t>(x);
    std::memcpy(p, &v, 4);
  } else {
    std::memcpy(p, &x, 8);
  }
}

void fillSeeded(NpyArray &a, Role role, int64_t numPartitions,
                std::mt19937_64 &rng) {
  int64_t n = a.numElements();
  a.data.assign(n * npyElementSize(a.dtype), 0);
  bool isInt = a.dtype == NpyDType::I32 || a.dtype == NpyDType::I64;
  if (isInt) {
    if (role == Role::SeqOffsets) {
      // Offsets of n - 1 sequences splitting T evenly is unknown here; use
      // equal lengths of 8 tokens as a readable default.
      for (int64_t i = 0; i < n; ++i)
        storeInt(a, i, 8 * i);
      return;
    }
    int64_t hi = role == Role::Indices ? numPartitions : 2;
    std::uniform_int_distribution<int64_t> dist(0, hi - 1);
    for (int64_t i = 0; i < n; ++i)
      storeInt(a, i, dist(rng));
    return;
  }
  float lo = -1.0f, hi = 1.0f;
  switch (role) {
  case Role::LogGate:
    lo = -0.5f, hi = 0.0f;
    break;
  case Role::Beta:
    lo = 0.05f, hi = 0.95f;
    break;
  case Role::States:
    lo = -0.1f, hi = 0.1f;
    break;
  default:
    break;
  }
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < n; ++i)
    storeFloat(a, i, dist(rng));
}

void poison(NpyArray &a) {
  int64_t n = a.numElements();
  // Fills in place (resize is a no-op on a second call), so descriptors
  // over the buffer stay valid.
  a.data.resize(n * npyElementSize(a.dtype));
  std::fill(a.data.begin(), a.data.end(), static_cast<char>(0xAA));
  for (int64_t i = 0; i < n; ++i) {
    char *p = a.data.data() + i * npyElementSize(a.dtype);
    if (a.dtype == NpyDType::F32) {
      uint32_t nan = 0x7fc00000u;
      std::memcpy(p, &nan, 4);
    } else if (a.dtype == NpyDType::F16 || a.dtype == NpyDType::BF16) {
      uint16_t nan = a.dtype == NpyDType::F16 ? 0x7e00 : 0x7fc0;
      std::memcpy(p, &nan, 2);
    }
  }
}

/// A ranked memref descriptor {allocated, aligned, offset, sizes, strides}
/// over a C-order array, laid out as the C interface expects.
std::vector<int64_t> descriptorFor(NpyArray &a) {
  size_t rank = a.shape.size();
  std::vector<int64_t> words(3 + 2 * rank);
  auto base = reinterpret_cast<int64_t>(a.data.data());
  words[0] = words[1] = base;
  words[2] = 0;
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    words[3 + d] = a.shape[d];
    words[3 + rank + d] = stride;
    stride *= a.shape[d];
  }
  return words;
}
} // namespace

namespace {
/// The entry function, or an error listing the functions there are.
llvm::Expected<func::FuncOp> findEntry(ModuleOp module,
                                       const RunOptions &options) {
  auto func = module.lookupSymbol<func::FuncOp>(options.entry);
  if (func && func.isExternal())
    return runError("@" + options.entry +
                    " is only declared in the module; it has no body to run");
  if (!func) {
    std::string names;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal())
        names += (names.empty() ? "@" : ", @") + f.getSymName().str();
    return runError("no function @" + options.entry + " in the module" +
                    (names.empty() ? "" : " (it defines " + names + ")"));
  }
  return func;
}

/// Lowers the module for `options.target` with the entry's C interface.
llvm::Error lowerModule(ModuleOp module, func::FuncOp func,
                        const RunOptions &options) {
  MLIRContext *ctx = module.getContext();
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(ctx));
  PassManager pm(ctx);
  if (options.target == "cpu") {
    auto pipelineOptions =
        CPUPipelineOptions::createFromString(options.pipelineOptions);
    if (!pipelineOptions)
      return runError("bad --pipeline-options '" + options.pipelineOptions +
                      "' (see sse-opt --help, sse-to-llvm-cpu)");
    buildSSEToLLVMCPUPipeline(pm, *pipelineOptions);
  } else {
    auto pipelineOptions =
        NVVMPipelineOptions::createFromString(options.pipelineOptions);
    if (!pipelineOptions)
      return runError("bad --pipeline-options '" + options.pipelineOptions +
                      "' (see sse-opt --help, sse-to-nvvm)");
    buildSSEToNVVMPipeline(pm, *pipelineOptions);
  }
  if (failed(pm.run(module)))
    return runError("lowering for --target=" + options.target +
                    " failed (see the diagnostics above)");
  return llvm::Error::success();
}

/// The host target and the LLVM IR translations of the host code and of
/// the embedded GPU binaries.
void prepareTranslation(MLIRContext *ctx) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  ctx->appendDialectRegistry(registry);
}

/// Where each result of `entry` is after the call: the argument that holds
/// it (a scan's states in place, see sse-drop-in-place-results), or -1 for
/// a result of its own (an out parameter).
std::vector<int64_t> resultsInArgs(ModuleOp module, StringRef entry,
                                   unsigned numResults) {
  std::vector<int64_t> inArg(numResults, -1);
  auto all = module->getAttrOfType<DictionaryAttr>("sse.results_in_args");
  if (auto forEntry = all ? all.getAs<DenseI64ArrayAttr>(entry) : nullptr)
    for (auto [i, a] : llvm::enumerate(forEntry.asArrayRef()))
      if (i < numResults)
        inArg[i] = a;
  return inArg;
}

/// "f32 2x64x4" for the manifest.
std::string manifestType(const NpyArray &a) {
  std::string s = npyName(a.dtype).str() + " ";
  for (size_t i = 0; i < a.shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(a.shape[i]);
  return s;
}
} // namespace

llvm::Expected<AotArtifacts>
mlir::sse::compileForCudaAot(ModuleOp module, const RunOptions &options) {
  llvm::Expected<func::FuncOp> func = findEntry(module, options);
  if (!func)
    return func.takeError();
  AotArtifacts out;
  out.manifest = "entry " + options.entry + "\n";
  FunctionType fnType = func->getFunctionType();
  for (unsigned i = 0; i < fnType.getNumInputs(); ++i) {
    auto a = layoutOf(fnType.getInput(i), "argument " + std::to_string(i));
    if (!a)
      return a.takeError();
    out.manifest += "arg " + manifestType(*a) + "\n";
  }
  std::vector<std::string> results;
  for (unsigned i = 0; i < fnType.getNumResults(); ++i) {
    auto a = layoutOf(fnType.getResult(i), "result " + std::to_string(i));
    if (!a)
      return a.takeError();
    results.push_back("result " + manifestType(*a));
  }
  RunOptions cuda = options;
  cuda.target = "cuda";
  if (llvm::Error err = lowerModule(module, *func, cuda))
    return std::move(err);
  // "result f32 4x2x1x8x8 in-arg 4": the result is argument 4's buffer
  // after the call (no out parameter).
  std::vector<int64_t> inArg =
      resultsInArgs(module, options.entry, results.size());
  for (auto [line, a] : llvm::zip(results, inArg))
    out.manifest +=
        line + (a >= 0 ? " in-arg " + std::to_string(a) : "") + "\n";

  prepareTranslation(module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return runError("translation to LLVM IR failed");
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return runError("no host target: " + error);
  // A generic x86-64 object: the GPU machines need not match this CPU.
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, "x86-64", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);
  if (llvm::Error err =
          makeOptimizingTransformer(2, 0, machine.get())(llvmModule.get()))
    return std::move(err);
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, stream, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return runError("the host target cannot emit object files");
  codegen.run(*llvmModule);
  out.object.assign(buffer.begin(), buffer.end());
  return out;
}

llvm::Expected<RunResult> mlir::sse::compileAndRun(ModuleOp module,
                                                   const RunOptions &options) {
  if (options.target != "cpu" && options.target != "cuda")
    return runError("--target=" + options.target +
                    " is not supported (available: cpu, cuda)");
  bool cuda = options.target == "cuda";
  // A missing GPU or driver is reported before anything is compiled.
  if (cuda && sseRuntimeInit() != 0)
    return runError(std::string("--target=cuda: ") + sseRuntimeLastError());
  llvm::Expected<func::FuncOp> entry = findEntry(module, options);
  if (!entry)
    return entry.takeError();
  func::FuncOp func = *entry;

  RunResult result;
  FunctionType fnType = func.getFunctionType();
  unsigned numArgs = fnType.getNumInputs();
  if (!options.inputFiles.empty() && options.inputFiles.size() != numArgs)
    return runError("@" + options.entry + " takes " + llvm::Twine(numArgs) +
                    " arguments but " + llvm::Twine(options.inputFiles.size()) +
                    " input files were given");
  if (options.inputFiles.empty() && !options.seed && numArgs > 0)
    return runError("@" + options.entry + " takes " + llvm::Twine(numArgs) +
                    " arguments: give one .npy file per argument, or --seed");

  std::mt19937_64 rng(options.seed.value_or(0));
  for (unsigned i = 0; i < numArgs; ++i) {
    std::string what =
        "argument " + std::to_string(i) + " of @" + options.entry;
    llvm::Expected<NpyArray> expected = layoutOf(fnType.getInput(i), what);
    if (!expected)
      return expected.takeError();
    if (options.inputFiles.empty()) {
      int64_t numPartitions = 1;
      Role role = roleOf(func.getArgument(i), numPartitions);
      fillSeeded(*expected, role, numPartitions, rng);
      result.inputs.push_back(std::move(*expected));
      continue;
    }
    const std::string &file = options.inputFiles[i];
    llvm::Expected<NpyArray> loaded = readNpy(file);
    if (!loaded)
      return loaded.takeError();
    if (loaded->dtype != expected->dtype || loaded->shape != expected->shape)
      return runError("argument " + llvm::Twine(i) + " of @" + options.entry +
                      " has type " + typeString(fnType.getInput(i)) + " (" +
                      npyName(expected->dtype) + ", shape " +
                      expected->shapeString() + "), but " + file + " holds " +
                      npyName(loaded->dtype) + " of shape " +
                      loaded->shapeString());
    result.inputs.push_back(std::move(*loaded));
  }
  for (unsigned i = 0; i < fnType.getNumResults(); ++i) {
    llvm::Expected<NpyArray> out =
        layoutOf(fnType.getResult(i),
                 "result " + llvm::Twine(i) + " of @" + options.entry);
    if (!out)
      return out.takeError();
    poison(*out);
    result.outputs.push_back(std::move(*out));
  }

  // Lower to the LLVM dialect with a C interface on the entry.
  MLIRContext *ctx = module.getContext();
  auto start = std::chrono::steady_clock::now();
  if (llvm::Error err = lowerModule(module, func, options))
    return std::move(err);

  std::vector<int64_t> inArg =
      resultsInArgs(module, options.entry, result.outputs.size());
  prepareTranslation(ctx);

  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = makeOptimizingTransformer(
      /*optLevel=*/2, /*sizeLevel=*/0, /*targetMachine=*/nullptr);
  SmallVector<StringRef> libs(options.sharedLibs.begin(),
                              options.sharedLibs.end());
  engineOptions.sharedLibPaths = libs;
  auto engine = ExecutionEngine::create(module, engineOptions);
  if (!engine)
    return runError("JIT compilation failed: " +
                    llvm::toString(engine.takeError()));
  // The JIT compiles on first lookup: look the entry up now so that the
  // compile time is not counted as run time.
  auto entryFn = (*engine)->lookupPacked("_mlir_ciface_" + options.entry);
  if (!entryFn)
    return runError("JIT compilation of @" + options.entry +
                    " failed: " + llvm::toString(entryFn.takeError()));
  // Run the module's global constructors: on CUDA they load the kernels
  // (mgpuModuleLoad). invokePacked would do this, lookupPacked does not.
  (*engine)->initialize();
  result.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  // On CUDA the entry sees device buffers (filled before each run, below).
  std::vector<void *> deviceBuffers;
  auto deviceAlloc = [&](NpyArray &a) -> llvm::Expected<void *> {
    size_t bytes = a.data.size();
    void *ptr = sseRuntimeAlloc(bytes ? bytes : 4);
    if (!ptr)
      return runError(sseRuntimeLastError());
    deviceBuffers.push_back(ptr);
    return ptr;
  };
  llvm::scope_exit freeDevice([&] {
    for (void *ptr : deviceBuffers)
      sseRuntimeFree(ptr);
  });
  std::vector<std::vector<int64_t>> descriptors;
  auto addDescriptor = [&](NpyArray &a) -> llvm::Error {
    descriptors.push_back(descriptorFor(a));
    if (!cuda)
      return llvm::Error::success();
    auto ptr = deviceAlloc(a);
    if (!ptr)
      return ptr.takeError();
    descriptors.back()[0] = descriptors.back()[1] =
        reinterpret_cast<int64_t>(*ptr);
    return llvm::Error::success();
  };
  // The entry works on copies: it may update its arguments in place (the
  // states of a scan are its destination).
  std::vector<NpyArray> working = result.inputs;
  for (NpyArray &a : working)
    if (llvm::Error err = addDescriptor(a))
      return std::move(err);
  // Out parameters: the results that are not an argument's buffer.
  std::vector<size_t> outDescriptor(result.outputs.size(), 0);
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    if (inArg[i] >= 0)
      continue;
    outDescriptor[i] = descriptors.size();
    if (llvm::Error err = addDescriptor(result.outputs[i]))
      return std::move(err);
  }

  std::vector<void *> descriptorPtrs;
  for (auto &d : descriptors)
    descriptorPtrs.push_back(d.data());
  SmallVector<void *> args;
  for (void *&p : descriptorPtrs)
    args.push_back(&p);

  // Every run starts from the same state, outside the timing: the inputs
  // (a run may update its arguments in place, the states of a scan) and
  // poisoned outputs (on the device 0xFF.., NaN for every float type), so
  // --repeat does not change the results.
  auto resetForRun = [&]() -> llvm::Error {
    for (size_t i = 0; i < working.size(); ++i) {
      const std::vector<char> &bytes = result.inputs[i].data;
      if (!cuda) {
        std::memcpy(working[i].data.data(), bytes.data(), bytes.size());
        continue;
      }
      auto *ptr = reinterpret_cast<void *>(descriptors[i][1]);
      if (sseRuntimeCopyToDevice(ptr, bytes.data(), bytes.size()) != 0)
        return runError(sseRuntimeLastError());
    }
    for (size_t i = 0; i < result.outputs.size(); ++i) {
      NpyArray &a = result.outputs[i];
      if (inArg[i] >= 0)
        continue; // the argument, just restored
      if (!cuda) {
        poison(a);
        continue;
      }
      auto *ptr = reinterpret_cast<void *>(descriptors[outDescriptor[i]][1]);
      if (sseRuntimeMemset32(ptr, 0xFFFFFFFFu, a.data.size() / 4) != 0)
        return runError(sseRuntimeLastError());
    }
    return llvm::Error::success();
  };

  for (unsigned r = 0; r < std::max(1u, options.repeat); ++r) {
    if (llvm::Error err = resetForRun())
      return std::move(err);
    auto t0 = std::chrono::steady_clock::now();
    if (cuda && sseRuntimeTimerStart() != 0)
      return runError(sseRuntimeLastError());
    (*entryFn)(args.data());
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    if (cuda) {
      float ms = sseRuntimeTimerStopMs();
      if (ms < 0)
        return runError(sseRuntimeLastError());
      seconds = ms * 1e-3;
    }
    result.runSeconds.push_back(seconds);
  }
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    NpyArray &a = result.outputs[i];
    size_t d = inArg[i] >= 0 ? size_t(inArg[i]) : outDescriptor[i];
    if (!cuda) {
      if (inArg[i] >= 0)
        a.data = working[inArg[i]].data;
      continue;
    }
    auto *ptr = reinterpret_cast<void *>(descriptors[d][1]);
    if (sseRuntimeCopyToHost(a.data.data(), ptr, a.data.size()) != 0)
      return runError(sseRuntimeLastError());
  }
  return result;
}
