//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// A small, strict .npy reader/writer: it accepts exactly the dtypes sse-runner
// supports and reports anything else as an error instead of guessing. The
// one .npy codec of the project: sse-runner and sse-aot-run both use it (it
// needs LLVMSupport only, no MLIR, so sse-aot-run links it statically).
//
//===----------------------------------------------------------------------===//

#include "sse/Runner/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace mlir::sse;

size_t mlir::sse::npyElementSize(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
  case NpyDType::I32:
    return 4;
  case NpyDType::F16:
  case NpyDType::BF16:
    return 2;
  case NpyDType::I64:
    return 8;
  }
  llvm_unreachable("unknown dtype");
}

StringRef mlir::sse::npyDescr(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return "<f4";
  case NpyDType::F16:
    return "<f2";
  case NpyDType::BF16:
    return "<u2";
  case NpyDType::I32:
    return "<i4";
  case NpyDType::I64:
    return "<i8";
  }
  llvm_unreachable("unknown dtype");
}

StringRef mlir::sse::npyName(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return "f32";
  case NpyDType::F16:
    return "f16";
  case NpyDType::BF16:
    return "bf16";
  case NpyDType::I32:
    return "i32";
  case NpyDType::I64:
    return "i64";
  }
  llvm_unreachable("unknown dtype");
}

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::optional<int64_t> NpyArray::numBytes() const {
  int64_t n = static_cast<int64_t>(npyElementSize(dtype));
  for (int64_t d : shape)
    if (d < 0 || llvm::MulOverflow(n, d, n))
      return std::nullopt;
  return n;
}

std::string NpyArray::shapeString() const {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

namespace {
Error npyError(StringRef what, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), what + ": " + msg);
}

/// Extracts the value text of `'key': value` from the header dict.
std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  std::string pattern = ("'" + key + "'").str();
  size_t pos = header.find(pattern);
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + pattern.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  if (rest.starts_with("(")) {
    size_t close = rest.find(')');
    if (close == StringRef::npos)
      return std::nullopt;
    return rest.take_front(close + 1);
  }
  size_t end = rest.find_first_of(",}");
  return rest.take_front(end).rtrim();
}
} // namespace

Expected<NpyArray> mlir::sse::parseNpy(StringRef bytes, StringRef what) {
  if (!bytes.starts_with("\x93NUMPY"))
    return npyError(what, "not an .npy file (bad magic)");
  if (bytes.size() < 10)
    return npyError(what, "truncated .npy header");
  uint8_t major = static_cast<uint8_t>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(bytes[8]) |
                (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(what, "truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                   << (8 * i);
    headerStart = 12;
  } else {
    return npyError(what, "unsupported .npy format version " +
                              Twine(static_cast<int>(major)));
  }
  if (bytes.size() < headerStart + headerLen)
    return npyError(what, "truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLen);

  std::optional<StringRef> descr = headerValue(header, "descr");
  std::optional<StringRef> order = headerValue(header, "fortran_order");
  std::optional<StringRef> shape = headerValue(header, "shape");
  if (!descr || !order || !shape)
    return npyError(what, "malformed .npy header: " + header.trim());
  if (order->trim() != "False")
    return npyError(what, "Fortran-order arrays are not supported; save a "
                          "C-contiguous array");

  NpyArray array;
  StringRef d = descr->trim().trim("'\"");
  if (d == "<f4")
    array.dtype = NpyDType::F32;
  else if (d == "<f2")
    array.dtype = NpyDType::F16;
  else if (d == "<u2" || d == "|V2" || d == "<V2" || d == "bfloat16")
    array.dtype = NpyDType::BF16;
  else if (d == "<i4")
    array.dtype = NpyDType::I32;
  else if (d == "<i8")
    array.dtype = NpyDType::I64;
  else
    return npyError(what, "unsupported dtype '" + d +
                              "' (supported: <f4, <f2, bf16 as <u2 or |V2, "
                              "<i4, <i8)");

  StringRef dims = shape->trim().drop_front().drop_back();
  SmallVector<StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    int64_t v;
    if (p.getAsInteger(10, v) || v < 0)
      return npyError(what, "malformed shape " + *shape);
    array.shape.push_back(v);
  }

  size_t dataStart = headerStart + headerLen;
  std::optional<int64_t> dataBytes = array.numBytes();
  if (!dataBytes)
    return npyError(what, "shape " + array.shapeString() +
                              " is too large to address");
  size_t expected = static_cast<size_t>(*dataBytes);
  if (dataStart > bytes.size() || bytes.size() - dataStart != expected)
    return npyError(what, "holds " + Twine(bytes.size() - dataStart) +
                              " data bytes, but shape " + array.shapeString() +
                              " of " + npyName(array.dtype) + " needs " +
                              Twine(expected));
  array.data.assign(bytes.begin() + dataStart, bytes.end());
  return array;
}

Expected<NpyArray> mlir::sse::readNpy(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return npyError(path, "cannot read: " + ec.message());
  if (status.type() != sys::fs::file_type::regular_file)
    return npyError(path, "cannot read: not a regular file");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

Error mlir::sse::writeNpy(StringRef path, const NpyArray &array) {
  std::string header =
      "{'descr': '" + npyDescr(array.dtype).str() +
      "', 'fortran_order': False, 'shape': " + array.shapeString() + ", }";
  // Pad so that the data starts on a 64-byte boundary, ending with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return npyError(path, "cannot write: " + ec.message());
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(header.size() & 0xff)
     << static_cast<char>((header.size() >> 8) & 0xff);
  os << header;
  os.write(array.data.data(), array.data.size());
  os.close();
  if (os.has_error())
    return npyError(path, "write failed");
  return Error::success();
}
