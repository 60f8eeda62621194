//===- sse-aot-run.cpp - Run an ahead-of-time compiled sse entry on a GPU -===//
//
//   sse-aot-run model.so manifest.txt in0.npy in1.npy ... --output-dir=DIR
//               [--repeat=N]
//
// For machines with a GPU and no LLVM: `sse-runner --target=cuda
// --emit-aot=DIR` writes model.o (host code, kernels embedded) and
// manifest.txt; `c++ -shared model.o -o model.so` links it. This harness
// loads it next to libsse_cuda_runtime, copies the .npy inputs to the
// device, poisons the outputs (NaN), calls _mlir_ciface_<entry> with memref
// descriptors over device memory, times the calls with CUDA events, and
// writes DIR/result<i>.npy. A result the manifest marks `in-arg J` (a
// scan's states, updated in place in argument J) is read from that
// argument's buffer; before every repeated call the inputs are copied to
// the device again (outside the timing), so each call sees the same
// inputs. Depends on the C++ library and libdl only.
//
//===----------------------------------------------------------------------===//

#include "sse/Runtime/SSERuntime.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string &msg) {
  std::fprintf(stderr, "sse-aot-run: error: %s\n", msg.c_str());
  std::exit(1);
}

struct Array {
  std::string dtype; // f32 f16 bf16 i32 i64
  std::vector<int64_t> shape;
  std::vector<char> data;
  size_t elementSize() const {
    return dtype == "f32" || dtype == "i32" ? 4 : dtype == "i64" ? 8 : 2;
  }
  size_t numElements() const {
    size_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

std::string descrOf(const std::string &dtype) {
  if (dtype == "f32")
    return "<f4";
  if (dtype == "f16")
    return "<f2";
  if (dtype == "bf16")
    return "<u2";
  if (dtype == "i32")
    return "<i4";
  return "<i8";
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Array readNpy(const std::string &path, const Array &expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot read " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    fail(path + ": not an .npy file");
  size_t headerLen = static_cast<uint8_t>(bytes[8]) |
                     (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  size_t start = 10;
  if (bytes[6] != 1) {
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    start = 12;
  }
  std::string header = bytes.substr(start, headerLen);
  std::string descr = descrOf(expected.dtype);
  bool dtypeOk =
      header.find("'" + descr + "'") != std::string::npos ||
      (expected.dtype == "bf16" && header.find("'|V2'") != std::string::npos);
  if (!dtypeOk || header.find(shapeString(expected.shape)) == std::string::npos)
    fail(path + " does not hold " + expected.dtype + " of shape " +
         shapeString(expected.shape) + " (header: " + header + ")");
  Array a = expected;
  size_t want = a.numElements() * a.elementSize();
  if (bytes.size() - start - headerLen != want)
    fail(path + ": wrong data size");
  a.data.assign(bytes.begin() + start + headerLen, bytes.end());
  return a;
}

void writeNpy(const std::string &path, const Array &a) {
  std::string header =
      "{'descr': '" + descrOf(a.dtype) +
      "', 'fortran_order': False, 'shape': " + shapeString(a.shape) + ", }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  out << "\x93NUMPY" << '\x01' << '\x00'
      << static_cast<char>(header.size() & 0xff)
      << static_cast<char>(header.size() >> 8) << header;
  out.write(a.data.data(), a.data.size());
  if (!out)
    fail("cannot write " + path);
}

Array parseType(std::istringstream &line) {
  Array a;
  std::string dims;
  line >> a.dtype >> dims;
  std::stringstream ds(dims);
  std::string d;
  while (std::getline(ds, d, 'x'))
    a.shape.push_back(std::stoll(d));
  return a;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> positional;
  std::string outDir = ".";
  int repeat = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--output-dir=", 0) == 0)
      outDir = arg.substr(13);
    else if (arg.rfind("--repeat=", 0) == 0)
      repeat = std::max(1, std::atoi(arg.c_str() + 9));
    else
      positional.push_back(arg);
  }
  if (positional.size() < 2)
    fail("usage: sse-aot-run model.so manifest.txt [inputs.npy ...] "
         "--output-dir=DIR [--repeat=N]");

  std::ifstream manifestFile(positional[1]);
  if (!manifestFile)
    fail("cannot read " + positional[1]);
  std::string entry, lineText;
  std::vector<Array> inputs, outputs;
  std::vector<int64_t> inArg; // per result: its argument, or -1
  while (std::getline(manifestFile, lineText)) {
    std::istringstream line(lineText);
    std::string kind;
    line >> kind;
    if (kind == "entry") {
      line >> entry;
    } else if (kind == "arg") {
      inputs.push_back(parseType(line));
    } else if (kind == "result") {
      outputs.push_back(parseType(line));
      std::string word;
      int64_t arg = -1;
      if (line >> word && word == "in-arg")
        line >> arg;
      inArg.push_back(arg);
    }
  }
  for (int64_t a : inArg)
    if (a >= static_cast<int64_t>(inputs.size()))
      fail("manifest: a result is in argument " + std::to_string(a) +
           ", but @" + entry + " takes " + std::to_string(inputs.size()));
  if (positional.size() - 2 != inputs.size())
    fail("@" + entry + " takes " + std::to_string(inputs.size()) +
         " arguments but " + std::to_string(positional.size() - 2) +
         " input files were given");

  if (sseRuntimeInit() != 0)
    fail(sseRuntimeLastError());
  void *model = sseRuntimeLoadModel(positional[0].c_str());
  if (!model)
    fail(sseRuntimeLastError());

  std::vector<std::vector<int64_t>> descriptors;
  std::vector<void *> devicePtrs;
  auto describe = [&](Array &a) {
    size_t bytes = a.numElements() * a.elementSize();
    void *ptr = sseRuntimeAlloc(bytes ? bytes : 4);
    if (!ptr)
      fail(sseRuntimeLastError());
    devicePtrs.push_back(ptr);
    size_t rank = a.shape.size();
    std::vector<int64_t> d(3 + 2 * rank);
    d[0] = d[1] = reinterpret_cast<int64_t>(ptr);
    int64_t stride = 1;
    for (size_t i = rank; i-- > 0;) {
      d[3 + i] = a.shape[i];
      d[3 + rank + i] = stride;
      stride *= a.shape[i];
    }
    descriptors.push_back(d);
    return ptr;
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    inputs[i] = readNpy(positional[2 + i], inputs[i]);
    describe(inputs[i]);
  }
  // Out parameters: the results that are not an argument's buffer.
  std::vector<void *> resultPtrs;
  for (size_t i = 0; i < outputs.size(); ++i) {
    Array &a = outputs[i];
    a.data.assign(a.numElements() * a.elementSize(), 0);
    if (inArg[i] >= 0) {
      resultPtrs.push_back(devicePtrs[inArg[i]]);
      continue;
    }
    void *ptr = describe(a);
    resultPtrs.push_back(ptr);
    // Poison: all-ones bits are NaN in every float type.
    if (sseRuntimeMemset32(ptr, 0xFFFFFFFFu, a.data.size() / 4) != 0)
      fail(sseRuntimeLastError());
  }
  std::vector<void *> args;
  for (auto &d : descriptors)
    args.push_back(d.data());

  std::vector<float> times;
  for (int r = 0; r < repeat; ++r) {
    // The inputs again: a call may update its arguments in place.
    for (size_t i = 0; i < inputs.size(); ++i)
      if (sseRuntimeCopyToDevice(devicePtrs[i], inputs[i].data.data(),
                                 inputs[i].data.size()) != 0)
        fail(sseRuntimeLastError());
    if (sseRuntimeTimerStart() != 0)
      fail(sseRuntimeLastError());
    if (sseRuntimeCallEntry(model, entry.c_str(), args.data(),
                            static_cast<int>(args.size())) != 0)
      fail(sseRuntimeLastError());
    float ms = sseRuntimeTimerStopMs();
    if (ms < 0)
      fail(sseRuntimeLastError());
    times.push_back(ms);
  }
  mkdir(outDir.c_str(), 0755);
  for (size_t i = 0; i < outputs.size(); ++i) {
    Array &a = outputs[i];
    if (sseRuntimeCopyToHost(a.data.data(), resultPtrs[i], a.data.size()) != 0)
      fail(sseRuntimeLastError());
    std::string path = outDir + "/result" + std::to_string(i) + ".npy";
    writeNpy(path, a);
    std::printf("result %zu: %s %s -> %s\n", i, a.dtype.c_str(),
                shapeString(a.shape).c_str(), path.c_str());
  }
  for (void *ptr : devicePtrs)
    sseRuntimeFree(ptr);
  std::sort(times.begin(), times.end());
  std::printf("device: %s; kernel time: median %.4f ms over %d runs\n",
              sseRuntimeDeviceName(), times[times.size() / 2], repeat);
  return 0;
}
