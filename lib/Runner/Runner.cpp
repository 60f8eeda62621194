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
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/TargetSelect.h"

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
  a.data.assign(n * npyElementSize(a.dtype), static_cast<char>(0xAA));
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

llvm::Expected<RunResult> mlir::sse::compileAndRun(ModuleOp module,
                                                   const RunOptions &options) {
  if (options.target != "cpu")
    return runError("--target=" + options.target +
                    " is not supported by this build of sse-runner "
                    "(available: cpu)");
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
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(ctx));
  auto start = std::chrono::steady_clock::now();
  PassManager pm(ctx);
  auto pipelineOptions =
      CPUPipelineOptions::createFromString(options.pipelineOptions);
  if (!pipelineOptions)
    return runError("bad --pipeline-options '" + options.pipelineOptions +
                    "' (see sse-opt --help, sse-to-llvm-cpu)");
  buildSSEToLLVMCPUPipeline(pm, *pipelineOptions);
  if (failed(pm.run(module)))
    return runError("lowering with sse-to-llvm-cpu failed (see the "
                    "diagnostics above)");

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  ctx->appendDialectRegistry(registry);

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
  result.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  std::vector<std::vector<int64_t>> descriptors;
  for (NpyArray &a : result.inputs)
    descriptors.push_back(descriptorFor(a));
  for (NpyArray &a : result.outputs)
    descriptors.push_back(descriptorFor(a));
  std::vector<void *> descriptorPtrs;
  for (auto &d : descriptors)
    descriptorPtrs.push_back(d.data());
  SmallVector<void *> args;
  for (void *&p : descriptorPtrs)
    args.push_back(&p);

  for (unsigned r = 0; r < std::max(1u, options.repeat); ++r) {
    auto t0 = std::chrono::steady_clock::now();
    (*entryFn)(args.data());
    result.runSeconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count());
  }
  return result;
}
