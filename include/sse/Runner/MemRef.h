//===- MemRef.h - Memref descriptors over C-order buffers -------*- C++ -*-===//
//
// The one place sse-runner and sse-aot-run build the ranked memref
// descriptors that an entry's C interface (_mlir_ciface_<entry>) takes:
// upstream's StridedMemRefType (mlir/ExecutionEngine/CRunnerUtils.h, a
// header-only definition of the codegen layout), picked by rank at run time.
// Needs no MLIR library, so the GPU-only harness can use it.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_RUNNER_MEMREF_H
#define SSE_RUNNER_MEMREF_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <memory>
#include <utility>

namespace mlir {
namespace sse {

/// The largest rank a descriptor can be built for (sse-runner's arguments
/// and results are at most 5-d).
inline constexpr size_t kMaxMemRefRank = 8;

/// An owned StridedMemRefType<char, rank> over a C-order (identity layout)
/// buffer at `data` with `shape`; get() is the pointer the C interface takes.
class MemRefDescriptor {
public:
  /// `shape.size()` must be at most kMaxMemRefRank (callers check it).
  MemRefDescriptor(void *data, llvm::ArrayRef<int64_t> shape)
      : storage(make(static_cast<char *>(data), shape)) {}
  void *get() const { return storage.get(); }

private:
  template <int Rank>
  static std::shared_ptr<void> build(char *data,
                                     llvm::ArrayRef<int64_t> shape) {
    auto d = std::make_shared<StridedMemRefType<char, Rank>>();
    d->basePtr = d->data = data;
    d->offset = 0;
    if constexpr (Rank > 0) {
      int64_t stride = 1;
      for (int i = Rank - 1; i >= 0; --i) {
        d->sizes[i] = shape[i];
        d->strides[i] = stride;
        stride *= shape[i];
      }
    }
    return d;
  }
  template <int... Ranks>
  static std::shared_ptr<void> dispatch(char *data,
                                        llvm::ArrayRef<int64_t> shape,
                                        std::integer_sequence<int, Ranks...>) {
    std::shared_ptr<void> out;
    ((shape.size() == size_t(Ranks) ? (out = build<Ranks>(data, shape), 0)
                                    : 0),
     ...);
    return out;
  }
  static std::shared_ptr<void> make(char *data,
                                    llvm::ArrayRef<int64_t> shape) {
    return dispatch(data, shape,
                    std::make_integer_sequence<int, kMaxMemRefRank + 1>());
  }

  std::shared_ptr<void> storage;
};

} // namespace sse
} // namespace mlir

#endif // SSE_RUNNER_MEMREF_H
