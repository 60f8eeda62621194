//===- AotManifest.cpp - The manifest of an AOT-compiled entry ------------===//
//
// Writing and strict reading of manifest.json with llvm::json (LLVMSupport
// only: sse-aot-run links this statically).
//
//===----------------------------------------------------------------------===//

#include "sse/Runner/AotManifest.h"
#include "sse/Runner/MemRef.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;
using namespace mlir::sse;

int64_t AotManifest::numDescriptors() const {
  int64_t n = static_cast<int64_t>(args.size());
  for (const AotTensor &r : results)
    n += r.inArg < 0;
  return n;
}

static std::string tensorSignature(const AotTensor &t) {
  std::string s = npyName(t.dtype).str() + "[";
  for (size_t i = 0; i < t.shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(t.shape[i]);
  s += "]";
  if (t.inArg >= 0)
    s += "@" + std::to_string(t.inArg);
  return s;
}

std::string AotManifest::signature() const {
  std::string s = entry + "(";
  for (size_t i = 0; i < args.size(); ++i)
    s += (i ? "," : "") + tensorSignature(args[i]);
  s += ")->(";
  for (size_t i = 0; i < results.size(); ++i)
    s += (i ? "," : "") + tensorSignature(results[i]);
  return s + ")";
}

static json::Value tensorJSON(const AotTensor &t) {
  json::Array shape;
  for (int64_t d : t.shape)
    shape.push_back(d);
  json::Object o{{"dtype", npyName(t.dtype)}, {"shape", std::move(shape)}};
  if (t.inArg >= 0)
    o["in_arg"] = t.inArg;
  return o;
}

std::string AotManifest::toJSON() const {
  json::Array a, r;
  for (const AotTensor &t : args)
    a.push_back(tensorJSON(t));
  for (const AotTensor &t : results)
    r.push_back(tensorJSON(t));
  json::Value v = json::Object{{"format", kAotManifestFormat},
                               {"version", kAotManifestVersion},
                               {"entry", entry},
                               {"args", std::move(a)},
                               {"results", std::move(r)},
                               {"descriptors", numDescriptors()}};
  return formatv("{0:2}", v).str() + "\n";
}

std::string mlir::sse::aotCInterfaceSymbol(StringRef entry) {
  return ("_mlir_ciface_" + entry).str();
}
std::string mlir::sse::aotPackedSymbol(StringRef entry) {
  return ("_mlir__mlir_ciface_" + entry).str();
}
std::string mlir::sse::aotSignatureSymbol(StringRef entry) {
  return ("_sse_aot_signature_" + entry).str();
}
std::string mlir::sse::aotDescriptorsSymbol(StringRef entry) {
  return ("_sse_aot_descriptors_" + entry).str();
}

std::optional<NpyDType> mlir::sse::npyDTypeFromName(StringRef name) {
  for (NpyDType d : {NpyDType::F32, NpyDType::F16, NpyDType::BF16,
                     NpyDType::I32, NpyDType::I64})
    if (npyName(d) == name)
      return d;
  return std::nullopt;
}

namespace {
Error manifestError(StringRef what, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), what + ": " + msg);
}

/// Rejects keys outside `allowed` and requires those in `required`.
Error checkKeys(StringRef what, const Twine &where, const json::Object &o,
                ArrayRef<StringRef> allowed, ArrayRef<StringRef> required) {
  for (const auto &kv : o)
    if (!is_contained(allowed, kv.first.str()))
      return manifestError(what, where + ": unknown key \"" + kv.first.str() +
                                     "\"");
  for (StringRef key : required)
    if (!o.get(key))
      return manifestError(what, where + ": missing key \"" + key + "\"");
  return Error::success();
}

Expected<AotTensor> parseTensor(StringRef what, const Twine &where,
                                const json::Value &v, bool isResult) {
  const json::Object *o = v.getAsObject();
  if (!o)
    return manifestError(what, where + ": expected an object "
                                       "{\"dtype\": ..., \"shape\": [...]}");
  SmallVector<StringRef> allowed = {"dtype", "shape"};
  if (isResult)
    allowed.push_back("in_arg");
  if (Error e = checkKeys(what, where, *o, allowed, {"dtype", "shape"}))
    return std::move(e);
  AotTensor t;
  std::optional<StringRef> dtype = o->getString("dtype");
  std::optional<NpyDType> d = dtype ? npyDTypeFromName(*dtype) : std::nullopt;
  if (!d)
    return manifestError(what, where + ".dtype: expected one of \"f32\", "
                                       "\"f16\", \"bf16\", \"i32\", \"i64\"");
  t.dtype = *d;
  const json::Array *shape = o->getArray("shape");
  if (!shape)
    return manifestError(what, where + ".shape: expected an array of "
                                       "non-negative integers");
  if (shape->size() > kMaxMemRefRank)
    return manifestError(what, where + ".shape: rank " +
                                   Twine(shape->size()) +
                                   " is more than the supported " +
                                   Twine(kMaxMemRefRank));
  for (auto [i, dim] : llvm::enumerate(*shape)) {
    std::optional<int64_t> n = dim.getAsInteger();
    if (!n || *n < 0)
      return manifestError(what, where + ".shape[" + Twine(i) +
                                     "]: expected a non-negative integer "
                                     "that fits in int64");
    t.shape.push_back(*n);
  }
  NpyArray layout;
  layout.dtype = t.dtype;
  layout.shape = t.shape;
  if (!layout.numBytes())
    return manifestError(what, where + ".shape: " + layout.shapeString() +
                                   " is too large to address");
  if (const json::Value *inArg = o->get("in_arg")) {
    std::optional<int64_t> n = inArg->getAsInteger();
    if (!n || *n < 0)
      return manifestError(what, where + ".in_arg: expected an argument "
                                         "index (a non-negative integer)");
    t.inArg = *n;
  }
  return t;
}
} // namespace

Expected<AotManifest> mlir::sse::parseAotManifest(StringRef text,
                                                  StringRef what) {
  Expected<json::Value> root = json::parse(text);
  if (!root)
    return manifestError(what, "not valid JSON: " +
                                   toString(root.takeError()));
  const json::Object *o = root->getAsObject();
  if (!o)
    return manifestError(what, "expected a JSON object");
  if (Error e = checkKeys(
          what, "manifest", *o,
          {"format", "version", "entry", "args", "results", "descriptors"},
          {"format", "version", "entry", "args", "results", "descriptors"}))
    return std::move(e);
  if (o->getString("format") != StringRef(kAotManifestFormat))
    return manifestError(what, "\"format\" must be \"" + kAotManifestFormat +
                                   "\"");
  if (o->getInteger("version") != kAotManifestVersion)
    return manifestError(what, "unsupported \"version\" (this reader knows " +
                                   Twine(kAotManifestVersion) + ")");
  AotManifest m;
  std::optional<StringRef> entry = o->getString("entry");
  if (!entry || entry->empty())
    return manifestError(what, "\"entry\" must be a non-empty string");
  m.entry = entry->str();
  for (StringRef key : {"args", "results"}) {
    const json::Array *list = o->getArray(key);
    if (!list)
      return manifestError(what, "\"" + key + "\" must be an array");
    bool isResult = key == "results";
    for (auto [i, v] : llvm::enumerate(*list)) {
      Expected<AotTensor> t =
          parseTensor(what, key + "[" + Twine(i) + "]", v, isResult);
      if (!t)
        return t.takeError();
      (isResult ? m.results : m.args).push_back(std::move(*t));
    }
  }
  std::vector<int64_t> holder(m.args.size(), -1);
  for (auto [i, r] : llvm::enumerate(m.results)) {
    if (r.inArg < 0)
      continue;
    std::string where = "results[" + std::to_string(i) + "].in_arg";
    if (r.inArg >= static_cast<int64_t>(m.args.size()))
      return manifestError(what, where + ": " + Twine(r.inArg) +
                                     " is not an argument (@" + m.entry +
                                     " takes " + Twine(m.args.size()) + ")");
    const AotTensor &a = m.args[r.inArg];
    if (a.dtype != r.dtype || a.shape != r.shape)
      return manifestError(what, where + ": argument " + Twine(r.inArg) +
                                     " is " + tensorSignature(a) +
                                     ", but the result is " +
                                     tensorSignature({r.dtype, r.shape, -1}));
    if (holder[r.inArg] >= 0)
      return manifestError(what, where + ": argument " + Twine(r.inArg) +
                                     " already holds result " +
                                     Twine(holder[r.inArg]));
    holder[r.inArg] = static_cast<int64_t>(i);
  }
  std::optional<int64_t> descriptors = o->getInteger("descriptors");
  if (descriptors != m.numDescriptors())
    return manifestError(
        what, "\"descriptors\" must be " + Twine(m.numDescriptors()) +
                  " (one per argument and per result not in an argument)");
  return m;
}

Expected<AotManifest> mlir::sse::readAotManifest(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return manifestError(path, "cannot read: " + ec.message());
  if (status.type() != sys::fs::file_type::regular_file)
    return manifestError(path, "cannot read: not a regular file");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return manifestError(path, "cannot read: " + buffer.getError().message());
  return parseAotManifest((*buffer)->getBuffer(), path);
}
