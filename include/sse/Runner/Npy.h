//===- Npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// The array format sse-runner reads inputs from and writes results to.
// Supported element types: f32 ('<f4'), f16 ('<f2'), bf16 (raw bits stored
// as '<u2', or 2-byte void '|V2' as ml_dtypes writes it), i32 ('<i4'),
// i64 ('<i8'). Only little-endian, C-order arrays.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_RUNNER_NPY_H
#define SSE_RUNNER_NPY_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace sse {

/// Element types an .npy array can carry for sse-runner.
enum class NpyDType { F32, F16, BF16, I32, I64 };

/// Size of one element in bytes.
size_t npyElementSize(NpyDType dtype);
/// The dtype descriptor written into .npy headers ('<f4', ...).
llvm::StringRef npyDescr(NpyDType dtype);
/// A readable name (f32, f16, bf16, i32, i64).
llvm::StringRef npyName(NpyDType dtype);

/// A dense, C-order array with its element type and shape.
struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  llvm::SmallVector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  /// Size of the data in bytes, or nullopt if it does not fit in int64_t.
  std::optional<int64_t> numBytes() const;
  std::string shapeString() const;
};

/// Reads an .npy file; errors name the file and what is wrong with it.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);
/// Parses .npy bytes (`what` names the source in errors).
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef what);
/// Writes an .npy file (format version 1.0).
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

} // namespace sse
} // namespace mlir

#endif // SSE_RUNNER_NPY_H
