//===- LoopEmitter.h - Loop-building helpers of the sse lowerings -*- C++
//-*-===//
//
// Shared by the CPU (SSEToSCF) and GPU (SSEToGPU) lowerings: a small builder
// of scf loops, loads and stores with f32 conversion, the buffer views of
// tensor operands, and the router (classify) of one row of logits.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_LOOPEMITTER_H
#define SSE_CONVERSION_LOOPEMITTER_H

#include "sse/Dialect/SSE/IR/SSE.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir {
namespace sse {

/// Small helpers over an ImplicitLocOpBuilder that keep the loop nests below
/// readable: index and f32 constants, loads/stores with conversion to and
/// from f32, and for-loops with or without loop-carried values.
class LoopEmitter {
public:
  explicit LoopEmitter(ImplicitLocOpBuilder &b) : b(b) {}

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }

  /// Size of dimension `d` of a memref, as an index.
  Value dim(Value mem, int64_t d) { return memref::DimOp::create(b, mem, d); }

  /// Loads an element and converts floats to f32.
  Value loadF32(Value mem, ValueRange indices) {
    Value v = memref::LoadOp::create(b, mem, indices);
    if (v.getType() != b.getF32Type())
      v = arith::ExtFOp::create(b, b.getF32Type(), v);
    return v;
  }

  /// Loads an integer element as an index (sign-extending).
  Value loadIndex(Value mem, ValueRange indices) {
    Value v = memref::LoadOp::create(b, mem, indices);
    return arith::IndexCastOp::create(b, b.getIndexType(), v);
  }

  /// Stores an f32 value, truncating to the buffer's element type.
  void storeF32(Value v, Value mem, ValueRange indices) {
    Type elem = cast<MemRefType>(mem.getType()).getElementType();
    if (elem != v.getType())
      v = arith::TruncFOp::create(b, elem, v);
    memref::StoreOp::create(b, v, mem, indices);
  }

  /// for (iv = lb; iv < ub; ++iv) body(iv);
  void forLoop(Value lb, Value ub, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, lb, ub, idx(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(loop.getInductionVar());
  }

  /// A for-loop carrying values; body returns the next values.
  ValueRange forLoop(Value lb, Value ub, ValueRange init,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(b, lb, ub, idx(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> next =
          body(loop.getInductionVar(), loop.getRegionIterArgs());
      scf::YieldOp::create(b, next);
    }
    return loop.getResults();
  }

  /// if (cond) body();
  void ifThen(Value cond, function_ref<void()> body) {
    auto ifOp = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    body();
  }

  /// Allocates a buffer of `type` whose dynamic sizes are `dynSizes`.
  Value alloc(MemRefType type, ValueRange dynSizes) {
    return memref::AllocOp::create(b, type, dynSizes);
  }

  void fill(Value mem, double v) {
    Type elem = cast<MemRefType>(mem.getType()).getElementType();
    Value c = arith::ConstantOp::create(b, b.getFloatAttr(elem, v));
    linalg::FillOp::create(b, ValueRange{c}, ValueRange{mem});
  }

  ImplicitLocOpBuilder &b;
};

/// The buffer view of a tensor operand (read only).
inline Value toBuffer(ImplicitLocOpBuilder &b, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, memType, tensor,
                                           /*read_only=*/true);
}

/// A fresh buffer for a result of tensor type `type`; dynamic sizes are taken
/// from `sizeOf(d)`.
inline Value allocResult(LoopEmitter &e, RankedTensorType type,
                         function_ref<Value(int64_t)> sizeOf) {
  SmallVector<Value> dynSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynSizes.push_back(sizeOf(d));
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  return e.alloc(memType, dynSizes);
}

inline Value toTensor(ImplicitLocOpBuilder &b, Type tensorType, Value buffer) {
  return bufferization::ToTensorOp::create(b, tensorType, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

//===----------------------------------------------------------------------===//
// sse.classify
//===----------------------------------------------------------------------===//

/// How one row of logits is classified (the attributes of sse.classify, or
/// of a scan's router).
struct RouterConfig {
  int64_t k;
  bool softmaxFirst;
  bool renormalize;
};

/// Classifies one row of `logits` (the row at `row`, the last index running
/// over N) into `cfg.k` weights and indices, stored at `weights[outAt(j)]`
/// and `indices[outAt(j)]`.
void emitClassifyRow(LoopEmitter &e, Value logits, ArrayRef<Value> row, Value n,
                     const RouterConfig &cfg, Value weights, Value indices,
                     function_ref<SmallVector<Value>(Value)> outAt);

/// A fresh [S, H, N', K, V] buffer for the final states of a scan of type
/// `type`, dynamic sizes taken from the given values.
inline Value allocStates(LoopEmitter &e, RankedTensorType type, Value seqs,
                         Value heads, Value partitions, Value keyWidth,
                         Value valueWidth) {
  Value sizes[] = {seqs, heads, partitions, keyWidth, valueWidth};
  return allocResult(e, type, [&](int64_t d) { return sizes[d]; });
}

/// The inputs of one kind of state partition (the routed ones, or the
/// shared partition of a fused scan): buffers, null where absent.
struct SlotInputs {
  Value q, k, gate, beta;
  bool perKeyGate;
};

/// The buffers of a scan's operands (null where absent) and the facts about
/// them that both lowerings branch on; each lowering derives from it.
struct ScanOperands {
  Value q, v, weights, indices, logits, init, cu, normWeight, outGate;
  SlotInputs routed, shared;
  bool perHeadRouting = false, delta = false;
  /// Extents read off the operands: T, H, K, V and the sequences (B, or
  /// one less than cu_seqlens' length).
  Value numTokens, numHeads, keyWidth, valueWidth, numSeqs;
  /// The result buffers: o, and the final states.
  Value o, states;

  /// Fills the operand fields from `op`, with `bufferOf(tensor)` the buffer
  /// of a (present) tensor operand. With `statesInPlace` (init's buffer,
  /// when one-shot bufferization lowers the scan) init is that buffer and
  /// is not looked up again.
  void bindOperands(ScanOp op, function_ref<Value(Value)> bufferOf,
                    Value statesInPlace = {});

  /// Fills the extents and allocates o; the final states are
  /// `statesInPlace` (which then already holds the initial states) or a
  /// new buffer. Call after bindOperands.
  void bindResults(LoopEmitter &e, ScanOp op, Value statesInPlace);
};

/// The router configuration of a scan with router(z).
inline RouterConfig routerConfigOf(ScanOp op) {
  return {op.getNumSlots(),
          op.getRouterOrder().value_or(ClassifyOrder::softmax_then_topk) ==
              ClassifyOrder::softmax_then_topk,
          op.getRenormalize()};
}

/// The read scale of a scan: its attribute or K^-0.5 as a constant, or
/// K^-0.5 computed from `keyWidth` when K is only known at run time.
Value scanScale(LoopEmitter &e, ScanOp op, Value keyWidth);

/// x * sigmoid(x), in f32.
Value swish(ImplicitLocOpBuilder &b, Value x);

/// The columns of an output row one thread handles: first, first + step,
/// ... below the width; with several threads per row, `allReduce` sums a
/// per-thread partial over them (for the norm).
struct RowColumns {
  Value first, step;
  function_ref<Value(Value)> allReduce = nullptr;
};

/// Stores output row (bi, t, h) of `out` from its f32 accumulator,
/// `loadAcc(c)` for c < width, through the epilogue of an SSE layer: the
/// RMS norm with `normWeight` ([H, V] or [V], eps `normEps`, an f32 value)
/// when given, then the gate `* swish(outGate[bi, t, h, c])` when given.
/// `columns` says which columns this thread does (default: all).
void emitOutputRow(LoopEmitter &e, function_ref<Value(Value)> loadAcc,
                   Value width, Value normWeight, Value normEps, Value outGate,
                   Value out, Value bi, Value t, Value h,
                   std::optional<RowColumns> columns = std::nullopt);

} // namespace sse
} // namespace mlir

#endif // SSE_CONVERSION_LOOPEMITTER_H
