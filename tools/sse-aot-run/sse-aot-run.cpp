//===- sse-aot-run.cpp - Run an ahead-of-time compiled sse entry on a GPU -===//
//
//   sse-aot-run model.so manifest.json in0.npy in1.npy ... --output-dir=DIR
//               [--repeat=N]
//
// For machines with a GPU and no LLVM: `sse-runner --target=cuda
// --emit-aot=DIR` writes model.o (host code, kernels embedded) and
// manifest.json; `c++ -shared model.o -o model.so` links it. This harness
// checks, in this order and before it needs a GPU: the command line, the
// manifest (lib/Runner/AotManifest.cpp), the inputs against it (the one .npy
// codec, lib/Runner/Npy.cpp), and the model against the manifest (model.so
// is read as an ELF file: it must export _mlir_ciface_<entry>, its packed
// wrapper, and the signature and descriptor count the manifest describes).
// Then it opens the CUDA driver, loads the model next to
// libsse_cuda_runtime, copies the inputs to the device, poisons the outputs
// (NaN), calls the entry with memref descriptors over device memory, times
// the calls with CUDA events, and writes DIR/result<i>.npy. A result the
// manifest marks "in_arg": J (a scan's states, updated in place in argument
// J) is read from that argument's buffer; before every repeated call the
// inputs are copied to the device again (outside the timing), so each call
// sees the same inputs. Every error is one `sse-aot-run: error:` line and
// exit status 1. Links LLVMSupport statically (no libLLVM/libMLIR).
//
//===----------------------------------------------------------------------===//

#include "sse/Runner/AotManifest.h"
#include "sse/Runner/MemRef.h"
#include "sse/Runner/Npy.h"
#include "sse/Runtime/SSERuntime.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <elf.h>
#include <string>
#include <vector>

using namespace llvm;
using namespace mlir::sse;

namespace {

[[noreturn]] void fail(const Twine &msg) {
  std::fprintf(stderr, "sse-aot-run: error: %s\n", msg.str().c_str());
  std::exit(1);
}

void failOn(Error err) {
  if (err)
    fail(toString(std::move(err)));
}

template <typename T> T take(Expected<T> value) {
  if (!value)
    fail(toString(value.takeError()));
  return std::move(*value);
}

/// A defined symbol of a shared object's dynamic symbol table, with the
/// bytes it names (for data symbols in the file).
struct ElfSymbol {
  bool isFunction = false;
  std::string bytes; // a copy: the file is closed on return
};

/// The exported symbols `names` of the ELF shared object at `path`.
std::vector<std::optional<ElfSymbol>>
readElfSymbols(StringRef path, ArrayRef<std::string> names) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    fail(path + ": cannot read: " + ec.message());
  if (status.type() != sys::fs::file_type::regular_file)
    fail(path + ": cannot read: not a regular file");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    fail(path + ": cannot read: " + buffer.getError().message());
  StringRef file = (*buffer)->getBuffer();
  auto bad = [&](const Twine &why) {
    fail(path + ": not a model shared object (" + why +
         "); link the object with `c++ -shared model.o -o model.so`");
  };
  Elf64_Ehdr eh;
  if (file.size() < sizeof(eh) || !file.starts_with(ELFMAG))
    bad("not an ELF file");
  std::memcpy(&eh, file.data(), sizeof(eh));
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    bad("not a little-endian 64-bit ELF file");
  if (eh.e_type != ET_DYN)
    bad("an ELF file, but not a shared object");
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > file.size() ||
      uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr) > file.size() - eh.e_shoff)
    bad("bad section headers");
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  std::memcpy(sections.data(), file.data() + eh.e_shoff,
              sections.size() * sizeof(Elf64_Shdr));
  auto contents = [&](const Elf64_Shdr &s) -> StringRef {
    if (s.sh_type == SHT_NOBITS || s.sh_offset > file.size() ||
        s.sh_size > file.size() - s.sh_offset)
      return {};
    return file.substr(s.sh_offset, s.sh_size);
  };
  std::vector<std::optional<ElfSymbol>> found(names.size());
  for (const Elf64_Shdr &symtab : sections) {
    if (symtab.sh_type != SHT_DYNSYM || symtab.sh_link >= sections.size())
      continue;
    StringRef syms = contents(symtab);
    StringRef strtab = contents(sections[symtab.sh_link]);
    for (size_t off = 0; off + sizeof(Elf64_Sym) <= syms.size();
         off += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      std::memcpy(&sym, syms.data() + off, sizeof(sym));
      if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= sections.size() ||
          sym.st_name >= strtab.size())
        continue;
      StringRef name = strtab.drop_front(sym.st_name);
      name = name.substr(0, name.find('\0'));
      for (size_t i = 0; i < names.size(); ++i) {
        if (name != names[i])
          continue;
        ElfSymbol s;
        s.isFunction = ELF64_ST_TYPE(sym.st_info) == STT_FUNC;
        const Elf64_Shdr &sec = sections[sym.st_shndx];
        StringRef data = contents(sec);
        if (!s.isFunction && sym.st_value >= sec.sh_addr &&
            sym.st_value - sec.sh_addr <= data.size() &&
            sym.st_size <= data.size() - (sym.st_value - sec.sh_addr))
          s.bytes =
              data.substr(sym.st_value - sec.sh_addr, sym.st_size).str();
        found[i] = s;
      }
    }
  }
  return found;
}

/// model.so must be the model the manifest describes.
void checkModel(StringRef path, StringRef manifestPath,
                const AotManifest &manifest) {
  std::vector<std::string> names = {
      aotCInterfaceSymbol(manifest.entry), aotPackedSymbol(manifest.entry),
      aotSignatureSymbol(manifest.entry), aotDescriptorsSymbol(manifest.entry)};
  std::vector<std::optional<ElfSymbol>> found = readElfSymbols(path, names);
  for (size_t i = 0; i < 2; ++i)
    if (!found[i] || !found[i]->isFunction)
      fail(path + " does not export " + names[i] + " (the manifest " +
           manifestPath + " names entry @" + manifest.entry + ")");
  if (!found[2] || !found[3] || found[3]->bytes.size() != sizeof(int64_t))
    fail(path + " has no signature of @" + manifest.entry + " (" + names[2] +
         ", " + names[3] + "); rebuild it with this sse-runner --emit-aot");
  StringRef signature = found[2]->bytes;
  signature = signature.substr(0, signature.find('\0'));
  int64_t descriptors;
  std::memcpy(&descriptors, found[3]->bytes.data(), sizeof(descriptors));
  if (signature != manifest.signature())
    fail("the manifest " + manifestPath + " does not describe " + path +
         ": the model is " + signature + ", the manifest " +
         manifest.signature());
  if (descriptors != manifest.numDescriptors())
    fail("the manifest " + manifestPath + " does not describe " + path +
         ": @" + manifest.entry + " takes " + Twine(descriptors) +
         " memref descriptors, the manifest says " +
         Twine(manifest.numDescriptors()));
}

NpyArray layoutOf(const AotTensor &t) {
  NpyArray a;
  a.dtype = t.dtype;
  a.shape = t.shape;
  return a;
}

/// Device buffers, freed on every exit path through main's return.
struct DeviceBuffers {
  std::vector<void *> ptrs;
  ~DeviceBuffers() {
    for (void *p : ptrs)
      sseRuntimeFree(p);
  }
  void *alloc(size_t bytes) {
    // Rounded up to 4 bytes: outputs are poisoned 32 bits at a time.
    void *p = sseRuntimeAlloc(std::max<size_t>(4, (bytes + 3) / 4 * 4));
    if (!p)
      fail(sseRuntimeLastError());
    ptrs.push_back(p);
    return p;
  }
};

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> positional;
  std::string outDir = ".";
  unsigned repeat = 1;
  const char *usage = "usage: sse-aot-run model.so manifest.json "
                      "[inputs.npy ...] --output-dir=DIR [--repeat=N]";
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (arg.consume_front("--output-dir=")) {
      if (arg.empty())
        fail("--output-dir= needs a directory");
      outDir = arg.str();
    } else if (arg.consume_front("--repeat=")) {
      if (arg.getAsInteger(10, repeat) || repeat < 1 || repeat > 1000000)
        fail("--repeat=" + arg + ": expected a count from 1 to 1000000");
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s\n", usage);
      return 0;
    } else if (arg.starts_with("-") && arg != "-") {
      fail("unknown option " + arg + " (" + usage + ")");
    } else {
      positional.push_back(arg.str());
    }
  }
  if (positional.size() < 2)
    fail(usage);
  const std::string &modelPath = positional[0], &manifestPath = positional[1];

  // Everything that can be checked without a GPU, first.
  AotManifest manifest = take(readAotManifest(manifestPath));
  size_t numInputs = positional.size() - 2;
  if (numInputs != manifest.args.size())
    fail("@" + manifest.entry + " takes " + Twine(manifest.args.size()) +
         " arguments but " + Twine(numInputs) + " input files were given");
  std::vector<NpyArray> inputs;
  for (size_t i = 0; i < numInputs; ++i) {
    const std::string &file = positional[2 + i];
    NpyArray a = take(readNpy(file));
    NpyArray want = layoutOf(manifest.args[i]);
    if (a.dtype != want.dtype || a.shape != want.shape)
      fail("argument " + Twine(i) + " of @" + manifest.entry + " is " +
           npyName(want.dtype) + " of shape " + want.shapeString() + ", but " +
           file + " holds " + npyName(a.dtype) + " of shape " +
           a.shapeString());
    inputs.push_back(std::move(a));
  }
  checkModel(modelPath, manifestPath, manifest);

  if (sseRuntimeInit() != 0)
    fail(sseRuntimeLastError());
  void *model = sseRuntimeLoadModel(modelPath.c_str());
  if (!model)
    fail(sseRuntimeLastError());

  DeviceBuffers device;
  std::vector<MemRefDescriptor> descriptors;
  std::vector<void *> argPtrs;
  for (NpyArray &a : inputs) {
    void *ptr = device.alloc(a.data.size());
    argPtrs.push_back(ptr);
    descriptors.emplace_back(ptr, a.shape);
  }
  // Out parameters: the results that are not an argument's buffer.
  std::vector<NpyArray> outputs;
  std::vector<void *> resultPtrs;
  for (const AotTensor &r : manifest.results) {
    NpyArray a = layoutOf(r);
    a.data.assign(static_cast<size_t>(*a.numBytes()), 0);
    if (r.inArg >= 0) {
      resultPtrs.push_back(argPtrs[r.inArg]);
    } else {
      void *ptr = device.alloc(a.data.size());
      resultPtrs.push_back(ptr);
      descriptors.emplace_back(ptr, a.shape);
      // Poison: all-ones bits are NaN in every float type.
      if (sseRuntimeMemset32(ptr, 0xFFFFFFFFu, (a.data.size() + 3) / 4) != 0)
        fail(sseRuntimeLastError());
    }
    outputs.push_back(std::move(a));
  }
  std::vector<void *> args;
  for (const MemRefDescriptor &d : descriptors)
    args.push_back(d.get());

  std::vector<float> times;
  for (unsigned r = 0; r < repeat; ++r) {
    // The inputs again: a call may update its arguments in place.
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!inputs[i].data.empty() &&
          sseRuntimeCopyToDevice(argPtrs[i], inputs[i].data.data(),
                                 inputs[i].data.size()) != 0)
        fail(sseRuntimeLastError());
    if (sseRuntimeTimerStart() != 0)
      fail(sseRuntimeLastError());
    if (sseRuntimeCallEntry(model, manifest.entry.c_str(), args.data(),
                            static_cast<int>(args.size())) != 0)
      fail(sseRuntimeLastError());
    float ms = sseRuntimeTimerStopMs();
    if (ms < 0)
      fail(sseRuntimeLastError());
    times.push_back(ms);
  }
  if (std::error_code ec = sys::fs::create_directories(outDir))
    fail("cannot create " + outDir + ": " + ec.message());
  for (size_t i = 0; i < outputs.size(); ++i) {
    NpyArray &a = outputs[i];
    if (!a.data.empty() && sseRuntimeCopyToHost(a.data.data(), resultPtrs[i],
                                                a.data.size()) != 0)
      fail(sseRuntimeLastError());
    SmallString<128> path(outDir);
    sys::path::append(path, "result" + Twine(i) + ".npy");
    failOn(writeNpy(path, a));
    std::printf("result %zu: %s %s -> %s\n", i, npyName(a.dtype).str().c_str(),
                a.shapeString().c_str(), path.c_str());
  }
  std::sort(times.begin(), times.end());
  std::printf("device: %s; kernel time: median %.4f ms over %u runs\n",
              sseRuntimeDeviceName(), times[times.size() / 2], repeat);
  return 0;
}
