//===- AotManifest.h - The manifest of an AOT-compiled entry ----*- C++ -*-===//
//
// `sse-runner --target=cuda --emit-aot=DIR` writes DIR/manifest.json next to
// DIR/model.o; sse-aot-run (and python/sse_mlir/gpu.py) read it. The format
// (see docs/Runner.md):
//
//   {
//     "format": "sse-aot-manifest", "version": 1,
//     "entry": "decode",
//     "args": [{"dtype": "f32", "shape": [1, 8, 2, 16]}, ...],
//     "results": [{"dtype": "f32", "shape": [1, 8, 2, 16]},
//                 {"dtype": "f32", "shape": [1, 2, 4, 16, 16], "in_arg": 4}],
//     "descriptors": 6
//   }
//
// The model embeds the same signature (aotSignature) and descriptor count, so
// a manifest that does not belong to the model is detected. No MLIR here:
// sse-aot-run links this statically with LLVMSupport only.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_RUNNER_AOTMANIFEST_H
#define SSE_RUNNER_AOTMANIFEST_H

#include "sse/Runner/Npy.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace sse {

struct AotTensor {
  NpyDType dtype = NpyDType::F32;
  llvm::SmallVector<int64_t> shape;
  /// For a result: the argument whose buffer holds it after the call
  /// (a scan's states updated in place), or -1 for an out parameter.
  int64_t inArg = -1;
};

struct AotManifest {
  std::string entry;
  std::vector<AotTensor> args;
  std::vector<AotTensor> results;

  /// Memref descriptors _mlir_ciface_<entry> takes: one per argument, then
  /// one per result that is not in an argument.
  int64_t numDescriptors() const;
  /// The canonical one-line signature the model embeds, e.g.
  /// "decode(f32[1,8,2,16],f32[1,2,4,16,16])->(f32[1,8,2,16],f32[1,2,4,16,16]@1)".
  std::string signature() const;
  /// manifest.json's text.
  std::string toJSON() const;
};

/// The current manifest format.
inline constexpr llvm::StringLiteral kAotManifestFormat = "sse-aot-manifest";
inline constexpr int64_t kAotManifestVersion = 1;

/// Symbols of an AOT model for `entry`: the C interface, its packed
/// `void(void **)` wrapper (args[i] points to the i-th descriptor pointer,
/// as ExecutionEngine's packed interface), the embedded signature (a
/// NUL-terminated string) and descriptor count (an int64_t).
std::string aotCInterfaceSymbol(llvm::StringRef entry);
std::string aotPackedSymbol(llvm::StringRef entry);
std::string aotSignatureSymbol(llvm::StringRef entry);
std::string aotDescriptorsSymbol(llvm::StringRef entry);

/// The dtype of a manifest name (f32, f16, bf16, i32, i64).
std::optional<NpyDType> npyDTypeFromName(llvm::StringRef name);

/// Parses and validates manifest.json text (`what` names it in errors):
/// known keys only, dtypes, ranks <= kMaxMemRefRank, dims >= 0 whose byte
/// count fits, in_arg an argument of the same dtype and shape (and no two
/// results in one argument), and the descriptor count.
llvm::Expected<AotManifest> parseAotManifest(llvm::StringRef text,
                                             llvm::StringRef what);
/// Reads and validates a manifest file (a regular file).
llvm::Expected<AotManifest> readAotManifest(llvm::StringRef path);

} // namespace sse
} // namespace mlir

#endif // SSE_RUNNER_AOTMANIFEST_H
