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
#include "sse/Runner/AotManifest.h"
#include "sse/Runner/MemRef.h"

#include "sse/Dialect/SSE/IR/SSE.h"
#include "sse/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "sse/Dialect/SSE/IR/SSEAttrNames.h"
#include "sse/Runtime/SSERuntime.h"
#include "llvm/ADT/APFloat.h"

#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <sys/resource.h>
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
  if (tensor.getRank() > static_cast<int64_t>(kMaxMemRefRank))
    return runError(what + " has type " + typeString(type) + " of rank " +
                    llvm::Twine(tensor.getRank()) +
                    "; sse-runner supports ranks up to " +
                    llvm::Twine(kMaxMemRefRank));
  NpyArray array;
  array.dtype = *dtype;
  array.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  // Refuse what cannot be addressed, rather than overflowing a size later.
  if (!array.numBytes())
    return runError(what + " has type " + typeString(type) +
                    ", which needs more bytes than can be addressed");
  return array;
}

/// The memory sse-runner may use: the machine's, or less under an
/// address-space limit (ulimit -v).
int64_t usableMemory() {
  int64_t memory = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) *
                   static_cast<int64_t>(sysconf(_SC_PAGE_SIZE));
  struct rlimit limit;
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      (memory <= 0 ||
       static_cast<uint64_t>(limit.rlim_cur) < static_cast<uint64_t>(memory)))
    memory = static_cast<int64_t>(limit.rlim_cur);
  return memory;
}

/// Refuses a signature whose buffers cannot be held (inputs twice: as read
/// and as passed), before anything is allocated: an allocation that fails
/// later aborts the process instead of reporting. `args` and `results` are
/// the layouts layoutOf checked (their sizes are addressable).
llvm::Error checkFootprint(ArrayRef<NpyArray> args, ArrayRef<NpyArray> results,
                           StringRef entry) {
  std::optional<int64_t> total = 0;
  for (const NpyArray &a : args)
    if (total)
      total = llvm::checkedMulAdd(*a.numBytes(), int64_t(2), *total);
  for (const NpyArray &r : results)
    if (total)
      total = llvm::checkedAdd(*r.numBytes(), *total);
  int64_t memory = usableMemory();
  if (memory > 0 && (!total || *total > memory))
    return runError("the arguments and results of @" + entry + " need " +
                    (total ? std::to_string(*total) + " bytes"
                           : std::string("more bytes than can be addressed")) +
                    " (inputs held twice), more than sse-runner may use (" +
                    std::to_string(memory) +
                    " bytes: the machine's memory or the address-space limit)");
  return llvm::Error::success();
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
/// a result of its own (an out parameter). The attribute is checked against
/// the entry's signature `fnType` (from before lowering): it decides which
/// buffers the entry is called with, so a wrong one must be an error, not a
/// call with too few buffers.
llvm::Expected<std::vector<int64_t>>
resultsInArgs(ModuleOp module, StringRef entry, FunctionType fnType) {
  unsigned numResults = fnType.getNumResults();
  unsigned numArgs = fnType.getNumInputs();
  std::vector<int64_t> inArg(numResults, -1);
  StringRef name = sse::attr_names::kResultsInArgs;
  Attribute attr = module->getAttr(name);
  if (!attr)
    return inArg;
  std::string what = (name + " of @" + entry).str();
  auto all = dyn_cast<DictionaryAttr>(attr);
  if (!all)
    return runError(name + " must be a dictionary of function name -> "
                           "array<i64>");
  Attribute forEntry = all.get(entry);
  if (!forEntry)
    return inArg;
  auto indices = dyn_cast<DenseI64ArrayAttr>(forEntry);
  if (!indices)
    return runError(what + " must be an array<i64> of argument indices");
  if (indices.size() != static_cast<int64_t>(numResults))
    return runError(what + " has " + llvm::Twine(indices.size()) +
                    " entries, but @" + entry + " has " +
                    llvm::Twine(numResults) + " results");
  std::vector<int64_t> holder(numArgs, -1);
  for (auto [i, a] : llvm::enumerate(indices.asArrayRef())) {
    if (a == -1)
      continue;
    if (a < 0 || a >= static_cast<int64_t>(numArgs))
      return runError(what + ": result " + llvm::Twine(i) + " is in argument " +
                      llvm::Twine(a) + ", but @" + entry + " takes " +
                      llvm::Twine(numArgs) + " arguments");
    if (fnType.getInput(a) != fnType.getResult(i))
      return runError(what + ": result " + llvm::Twine(i) + " (" +
                      typeString(fnType.getResult(i)) + ") is in argument " +
                      llvm::Twine(a) + " of type " +
                      typeString(fnType.getInput(a)));
    if (holder[a] >= 0)
      return runError(what + ": results " + llvm::Twine(holder[a]) + " and " +
                      llvm::Twine(i) + " are both in argument " +
                      llvm::Twine(a));
    holder[a] = static_cast<int64_t>(i);
    inArg[i] = a;
  }
  return inArg;
}

/// The lowered C interface of the entry must take one descriptor per
/// argument and per result that is not in an argument, and return nothing.
llvm::Error checkLoweredInterface(ModuleOp module, StringRef entry,
                                  size_t numDescriptors) {
  std::string name = aotCInterfaceSymbol(entry);
  auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
  if (!fn || fn.isExternal())
    return runError("the lowered module has no @" + name);
  LLVM::LLVMFunctionType type = fn.getFunctionType();
  if (type.getNumParams() != numDescriptors ||
      !isa<LLVM::LLVMVoidType>(type.getReturnType()))
    return runError("@" + name + " has type " + typeString(type) +
                    ", but the runner passes " + llvm::Twine(numDescriptors) +
                    " memref descriptors and expects no return value");
  return llvm::Error::success();
}

/// Adds what sse-aot-run and the runtime need to the host module: the
/// packed wrapper `void _mlir__mlir_ciface_<entry>(void **args)` of the C
/// interface (args[i] points to its i-th argument, as ExecutionEngine's
/// packed interface; cf. packFunctionArguments in
/// mlir/lib/ExecutionEngine/ExecutionEngine.cpp), and the manifest's
/// signature and descriptor count as exported constants.
llvm::Error addAotInterface(llvm::Module &module, const AotManifest &m) {
  llvm::Function *ciface = module.getFunction(aotCInterfaceSymbol(m.entry));
  if (!ciface || ciface->isDeclaration())
    return runError("the host module has no " + aotCInterfaceSymbol(m.entry));
  for (const std::string &sym :
       {aotPackedSymbol(m.entry), aotSignatureSymbol(m.entry),
        aotDescriptorsSymbol(m.entry)})
    if (module.getNamedValue(sym))
      return runError("the module already defines " + sym +
                      ", a symbol sse-runner --emit-aot adds");
  llvm::LLVMContext &ctx = module.getContext();
  llvm::IRBuilder<> builder(ctx);
  llvm::Type *ptrTy = builder.getPtrTy();
  auto *packedTy =
      llvm::FunctionType::get(builder.getVoidTy(), {ptrTy}, /*isVarArg=*/false);
  auto *packed =
      llvm::Function::Create(packedTy, llvm::GlobalValue::ExternalLinkage,
                             aotPackedSymbol(m.entry), module);
  builder.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", packed));
  llvm::Value *argList = packed->getArg(0);
  llvm::SmallVector<llvm::Value *> args;
  for (auto [i, arg] : llvm::enumerate(ciface->args())) {
    llvm::Value *slot = builder.CreateGEP(ptrTy, argList, builder.getInt64(i));
    llvm::Value *argPtr = builder.CreateLoad(ptrTy, slot);
    args.push_back(builder.CreateLoad(arg.getType(), argPtr));
  }
  llvm::Value *result = builder.CreateCall(ciface, args);
  if (!result->getType()->isVoidTy()) {
    llvm::Value *slot =
        builder.CreateGEP(ptrTy, argList, builder.getInt64(args.size()));
    builder.CreateStore(result, builder.CreateLoad(ptrTy, slot));
  }
  builder.CreateRetVoid();

  auto *signature = new llvm::GlobalVariable(
      module,
      llvm::ArrayType::get(builder.getInt8Ty(), m.signature().size() + 1),
      /*isConstant=*/true, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantDataArray::getString(ctx, m.signature()),
      aotSignatureSymbol(m.entry));
  signature->setAlignment(llvm::Align(1));
  new llvm::GlobalVariable(module, builder.getInt64Ty(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage,
                           builder.getInt64(m.numDescriptors()),
                           aotDescriptorsSymbol(m.entry));
  return llvm::Error::success();
}

/// A library to load into the JIT must be a readable ELF file (the
/// ExecutionEngine only warns about one it cannot load).
llvm::Error checkSharedLib(StringRef path) {
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(path, status))
    return runError("shared library " + path + ": " + ec.message());
  if (status.type() != llvm::sys::fs::file_type::regular_file &&
      status.type() != llvm::sys::fs::file_type::symlink_file)
    return runError("shared library " + path + ": not a regular file");
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, 4, 0);
  if (!buffer)
    return runError("shared library " + path +
                    ": cannot read: " + buffer.getError().message());
  if ((*buffer)->getBuffer() != "\x7f"
                                "ELF")
    return runError("shared library " + path + ": not an ELF file");
  return llvm::Error::success();
}
} // namespace

llvm::Expected<AotArtifacts>
mlir::sse::compileForAot(ModuleOp module, const RunOptions &options) {
  if (options.target != "cpu" && options.target != "cuda")
    return runError("--target=" + options.target +
                    " is not supported (available: cpu, cuda)");
  llvm::Expected<func::FuncOp> func = findEntry(module, options);
  if (!func)
    return func.takeError();
  AotManifest manifest;
  manifest.entry = options.entry;
  FunctionType fnType = func->getFunctionType();
  for (unsigned i = 0; i < fnType.getNumInputs(); ++i) {
    auto a = layoutOf(fnType.getInput(i), "argument " + std::to_string(i));
    if (!a)
      return a.takeError();
    manifest.args.push_back({a->dtype, a->shape, -1});
  }
  for (unsigned i = 0; i < fnType.getNumResults(); ++i) {
    auto a = layoutOf(fnType.getResult(i), "result " + std::to_string(i));
    if (!a)
      return a.takeError();
    manifest.results.push_back({a->dtype, a->shape, -1});
  }
  if (llvm::Error err = lowerModule(module, *func, options))
    return std::move(err);
  // "in_arg": J: the result is argument J's buffer after the call (no out
  // parameter).
  llvm::Expected<std::vector<int64_t>> inArg =
      resultsInArgs(module, options.entry, fnType);
  if (!inArg)
    return inArg.takeError();
  for (auto [r, a] : llvm::zip(manifest.results, *inArg))
    r.inArg = a;
  if (llvm::Error err = checkLoweredInterface(module, options.entry,
                                              manifest.numDescriptors()))
    return std::move(err);
  AotArtifacts out;
  out.manifest = manifest.toJSON();
  // The manifest as readers see it: what is written must read back.
  if (llvm::Expected<AotManifest> check =
          parseAotManifest(out.manifest, "manifest.json");
      !check)
    return check.takeError();

  prepareTranslation(module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return runError("translation to LLVM IR failed");
  if (llvm::Error err = addAotInterface(*llvmModule, manifest))
    return std::move(err);
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return runError("no host target: " + error);
  // On CUDA a generic x86-64 object: the GPU machines need not match this
  // CPU. On the CPU the object is the compute: built for this machine's
  // CPU and its features, as the JIT would.
  std::string cpu = "x86-64", features;
  if (options.target == "cpu") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures hostFeatures;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      hostFeatures.AddFeature(name, enabled);
    features = hostFeatures.getString();
  }
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_));
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(2, 0, machine.get());
  if (llvm::Error err = optimize(llvmModule.get()))
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

  // Every layout first, so the footprint is checked before any buffer is
  // allocated.
  std::vector<NpyArray> argLayouts, resultLayouts;
  for (unsigned i = 0; i < numArgs; ++i) {
    llvm::Expected<NpyArray> a =
        layoutOf(fnType.getInput(i),
                 "argument " + llvm::Twine(i) + " of @" + options.entry);
    if (!a)
      return a.takeError();
    argLayouts.push_back(std::move(*a));
  }
  for (unsigned i = 0; i < fnType.getNumResults(); ++i) {
    llvm::Expected<NpyArray> r =
        layoutOf(fnType.getResult(i),
                 "result " + llvm::Twine(i) + " of @" + options.entry);
    if (!r)
      return r.takeError();
    resultLayouts.push_back(std::move(*r));
  }
  if (llvm::Error err =
          checkFootprint(argLayouts, resultLayouts, options.entry))
    return std::move(err);

  std::mt19937_64 rng(options.seed.value_or(0));
  for (unsigned i = 0; i < numArgs; ++i) {
    NpyArray &expected = argLayouts[i];
    if (options.inputFiles.empty()) {
      int64_t numPartitions = 1;
      Role role = roleOf(func.getArgument(i), numPartitions);
      fillSeeded(expected, role, numPartitions, rng);
      result.inputs.push_back(std::move(expected));
      continue;
    }
    const std::string &file = options.inputFiles[i];
    llvm::Expected<NpyArray> loaded = readNpy(file);
    if (!loaded)
      return loaded.takeError();
    if (loaded->dtype != expected.dtype || loaded->shape != expected.shape)
      return runError("argument " + llvm::Twine(i) + " of @" + options.entry +
                      " has type " + typeString(fnType.getInput(i)) + " (" +
                      npyName(expected.dtype) + ", shape " +
                      expected.shapeString() + "), but " + file + " holds " +
                      npyName(loaded->dtype) + " of shape " +
                      loaded->shapeString());
    result.inputs.push_back(std::move(*loaded));
  }
  for (NpyArray &out : resultLayouts) {
    poison(out);
    result.outputs.push_back(std::move(out));
  }

  // Lower to the LLVM dialect with a C interface on the entry.
  MLIRContext *ctx = module.getContext();
  auto start = std::chrono::steady_clock::now();
  if (llvm::Error err = lowerModule(module, func, options))
    return std::move(err);

  llvm::Expected<std::vector<int64_t>> placement =
      resultsInArgs(module, options.entry, fnType);
  if (!placement)
    return placement.takeError();
  std::vector<int64_t> inArg = std::move(*placement);
  size_t numDescriptors = numArgs;
  for (int64_t a : inArg)
    numDescriptors += a < 0;
  if (llvm::Error err =
          checkLoweredInterface(module, options.entry, numDescriptors))
    return std::move(err);
  for (const std::string &lib : options.sharedLibs)
    if (llvm::Error err = checkSharedLib(lib))
      return std::move(err);
  prepareTranslation(ctx);

  // ExecutionEngineOptions::transformer is a function_ref (non-owning):
  // the transformer must outlive ExecutionEngine::create, which calls it.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(/*optLevel=*/2, /*sizeLevel=*/0,
                                /*targetMachine=*/nullptr);
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
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
    // Rounded up to 4 bytes: outputs are poisoned 32 bits at a time.
    void *ptr = sseRuntimeAlloc(std::max<size_t>(4, (bytes + 3) / 4 * 4));
    if (!ptr)
      return runError(sseRuntimeLastError());
    deviceBuffers.push_back(ptr);
    return ptr;
  };
  llvm::scope_exit freeDevice([&] {
    for (void *ptr : deviceBuffers)
      sseRuntimeFree(ptr);
  });
  std::vector<MemRefDescriptor> descriptors;
  std::vector<void *> buffers; // what each descriptor points to
  auto addDescriptor = [&](NpyArray &a) -> llvm::Error {
    void *ptr = a.data.data();
    if (cuda) {
      auto device = deviceAlloc(a);
      if (!device)
        return device.takeError();
      ptr = *device;
    }
    descriptors.emplace_back(ptr, a.shape);
    buffers.push_back(ptr);
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

  // The packed interface: args[i] points to the i-th argument of
  // _mlir_ciface_<entry>, a descriptor pointer.
  std::vector<void *> descriptorPtrs;
  for (const MemRefDescriptor &d : descriptors)
    descriptorPtrs.push_back(d.get());
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
        if (!bytes.empty()) // memcpy from an empty vector's null data is UB
          std::memcpy(working[i].data.data(), bytes.data(), bytes.size());
        continue;
      }
      if (!bytes.empty() &&
          sseRuntimeCopyToDevice(buffers[i], bytes.data(), bytes.size()) != 0)
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
      if (sseRuntimeMemset32(buffers[outDescriptor[i]], 0xFFFFFFFFu,
                             (a.data.size() + 3) / 4) != 0)
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
    if (!a.data.empty() &&
        sseRuntimeCopyToHost(a.data.data(), buffers[d], a.data.size()) != 0)
      return runError(sseRuntimeLastError());
  }
  return result;
}
