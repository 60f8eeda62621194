//===- WarpgroupMMA.cpp - Warpgroup matrix products (wgmma) ---------------===//
//
// Layouts, descriptors and lane maps of sm_90a's wgmma, from the PTX ISA's
// "Matrix Descriptor Format" and "Register Fragments" for .m64nNk16 /
// .m64nNk8 with f32 accumulators.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEGPUToGPU/WarpgroupMMA.h"
#include "sse/Dialect/SSEGPU/Analysis/KernelPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value i64Const(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
}
} // namespace

bool CoreMatrixLayout::isValid() const {
  return (elementBytes == 2 || elementBytes == 4) && rows > 0 &&
         rows % 8 == 0 && depth > 0 && depth % wgmmaDepth(elementBytes) == 0 &&
         padLeading >= 0 && padStride >= 0 && padLeading % 16 == 0 &&
         padStride % 16 == 0;
}

int64_t CoreMatrixLayout::bytes() const {
  return coreMatrixTileBytes(rows, depth, elementBytes, padLeading, padStride);
}

Value CoreMatrixLayout::byteOffset(OpBuilder &b, Location loc, Value row,
                                   Value k) const {
  // (row / 8) SBO + (k / e) LBO + (row % 8) 16 + (k % e) elementBytes
  int64_t e = elementsPerCoreRow();
  Value eight = indexConst(b, loc, 8), perRow = indexConst(b, loc, e);
  auto mul = [&](Value v, int64_t c) {
    return arith::MulIOp::create(b, loc, v, indexConst(b, loc, c)).getResult();
  };
  Value offset = arith::AddIOp::create(
      b, loc, mul(arith::DivUIOp::create(b, loc, row, eight), strideBytes()),
      mul(arith::DivUIOp::create(b, loc, k, perRow), leadingBytes()));
  offset = arith::AddIOp::create(
      b, loc, offset, mul(arith::RemUIOp::create(b, loc, row, eight), 16));
  return arith::AddIOp::create(
      b, loc, offset,
      mul(arith::RemUIOp::create(b, loc, k, perRow), elementBytes));
}

int64_t mlir::sse_gpu::wgmmaDepth(int64_t elementBytes) {
  return 32 / elementBytes;
}

Value mlir::sse_gpu::matrixDescriptor(OpBuilder &b, Location loc, Value address,
                                      const CoreMatrixLayout &layout,
                                      int64_t kStep) {
  // Bits 0-13: start address >> 4; 16-29: LBO >> 4; 32-45: SBO >> 4;
  // 62-63: swizzle mode (0: none). One wgmma slice of K spans two core
  // matrices along K.
  Value start = arith::AddIOp::create(
      b, loc, address, i64Const(b, loc, kStep * 2 * layout.leadingBytes()));
  Value field = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, start, i64Const(b, loc, 0x3FFFF)),
      i64Const(b, loc, 4));
  int64_t fixed = ((layout.leadingBytes() >> 4) << 16) |
                  ((layout.strideBytes() >> 4) << 32);
  return arith::OrIOp::create(b, loc, field, i64Const(b, loc, fixed));
}

LLVM::LLVMStructType mlir::sse_gpu::accumulatorType(MLIRContext *ctx,
                                                    int64_t n) {
  SmallVector<Type> fields(n / 2, Float32Type::get(ctx));
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
}

std::pair<Value, Value> mlir::sse_gpu::accumulatorPosition(OpBuilder &b,
                                                           Location loc,
                                                           Value thread,
                                                           int64_t i) {
  // Thread t = 32 w + lane: row 16 w + lane / 4 (+ 8 for elements 2, 3 of a
  // block), column 8 j + 2 (lane % 4) (+ 1 for odd elements), j = i / 4.
  Value lane = arith::RemUIOp::create(b, loc, thread, indexConst(b, loc, 32));
  Value warp = arith::DivUIOp::create(b, loc, thread, indexConst(b, loc, 32));
  Value row = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, warp, indexConst(b, loc, 16)),
      arith::DivUIOp::create(b, loc, lane, indexConst(b, loc, 4)));
  row = arith::AddIOp::create(b, loc, row,
                              indexConst(b, loc, 8 * accumulatorRowOf(i)));
  Value col = arith::MulIOp::create(
      b, loc, arith::RemUIOp::create(b, loc, lane, indexConst(b, loc, 4)),
      indexConst(b, loc, 2));
  col = arith::AddIOp::create(b, loc, col,
                              indexConst(b, loc, 8 * (i / 4) + i % 2));
  return {row, col};
}

void mlir::sse_gpu::storeAccumulatorTransposed(OpBuilder &b, Location loc,
                                               Value acc, int64_t n,
                                               Value threadInGroup, Value tile,
                                               const CoreMatrixLayout &layout,
                                               int64_t depth0, Type element) {
  MLIRContext *ctx = b.getContext();
  Value lane =
      arith::RemUIOp::create(b, loc, threadInGroup, indexConst(b, loc, 32));
  Value warp =
      arith::DivUIOp::create(b, loc, threadInGroup, indexConst(b, loc, 32));
  // Lane 8 m + i gives the address of row i of matrix m (of four).
  Value matrix = arith::DivUIOp::create(b, loc, lane, indexConst(b, loc, 8));
  Value rowInMatrix =
      arith::RemUIOp::create(b, loc, lane, indexConst(b, loc, 8));
  // Matrix m: column block m / 2 of the pair, rows 8 (m % 2) of the warp's
  // 16.
  Value depth = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, warp, indexConst(b, loc, 16)),
      arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, matrix, indexConst(b, loc, 2)),
          indexConst(b, loc, 8)));
  depth = arith::AddIOp::create(b, loc, depth, indexConst(b, loc, depth0));
  Value columnInPair = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(
          b, loc, arith::DivUIOp::create(b, loc, matrix, indexConst(b, loc, 2)),
          indexConst(b, loc, 8)),
      rowInMatrix);
  Value first = arith::AddIOp::create(
      b, loc, tile,
      arith::IndexCastOp::create(
          b, loc, b.getI64Type(),
          layout.byteOffset(b, loc, columnInPair, depth)));
  auto ptrType = LLVM::LLVMPointerType::get(ctx, 3);
  Value firstPtr = LLVM::IntToPtrOp::create(b, loc, ptrType, first);
  auto packed = VectorType::get({2}, element);
  for (int64_t block = 0; block < n / 8; block += 2) {
    SmallVector<Value> sources;
    for (int64_t m = 0; m < 4; ++m) {
      int64_t first = 4 * (block + m / 2) + 2 * (m % 2);
      SmallVector<Value> pair;
      for (int64_t e = 0; e < 2; ++e)
        pair.push_back(arith::TruncFOp::create(
            b, loc, element,
            LLVM::ExtractValueOp::create(b, loc, acc, first + e)));
      Value vec = vector::FromElementsOp::create(b, loc, packed, pair);
      sources.push_back(LLVM::BitcastOp::create(b, loc, b.getI32Type(), vec));
    }
    // 16 columns further is two row groups further: a constant offset from
    // the first pair's address (one address register for all).
    Value ptr =
        LLVM::GEPOp::create(b, loc, ptrType, b.getI8Type(), firstPtr,
                            ArrayRef<LLVM::GEPArg>{int32_t(
                                (block / 2) * 2 * layout.strideBytes())});
    NVVM::StMatrixOp::create(
        b, loc, ptr, sources,
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
        NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8),
        NVVM::LdStMatrixEltTypeAttr::get(ctx, NVVM::LdStMatrixEltType::B16));
  }
}

Value mlir::sse_gpu::warpgroupMMA(OpBuilder &b, Location loc, Value descA,
                                  Value descB, Value acc, int64_t n,
                                  NVVM::WGMMATypes operandType,
                                  bool accumulate) {
  MLIRContext *ctx = b.getContext();
  int64_t depth = wgmmaDepth(operandType == NVVM::WGMMATypes::tf32 ? 4 : 2);
  auto shape = NVVM::MMAShapeAttr::get(ctx, 64, n, depth);
  auto type = NVVM::WGMMATypesAttr::get(ctx, operandType);
  auto one = NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one);
  return NVVM::WgmmaMmaAsyncOp::create(
      b, loc, acc.getType(), acc, descA, descB, shape, type, type,
      NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
      NVVM::WGMMAScaleOutAttr::get(ctx, accumulate ? NVVM::WGMMAScaleOut::one
                                                   : NVVM::WGMMAScaleOut::zero),
      one, one, NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
      NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
      /*satfinite=*/NVVM::MMAIntOverflowAttr());
}

void mlir::sse_gpu::wgmmaFence(OpBuilder &b, Location loc) {
  // Shared-memory writes of the generic proxy (threads) become visible to
  // the async proxy (wgmma) first.
  NVVM::FenceProxyOp::create(
      b, loc, NVVM::ProxyKind::async_shared,
      NVVM::SharedSpaceAttr::get(b.getContext(),
                                 NVVM::SharedSpace::shared_cta));
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
}

void mlir::sse_gpu::wgmmaCommit(OpBuilder &b, Location loc) {
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
}

void mlir::sse_gpu::wgmmaWait(OpBuilder &b, Location loc, int64_t pending) {
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, pending);
}

void mlir::sse_gpu::wgmmaCommitAndWait(OpBuilder &b, Location loc) {
  wgmmaCommit(b, loc);
  wgmmaWait(b, loc, 0);
}
