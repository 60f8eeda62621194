//===- TestWgmmaGemm.cpp - test-sse-gpu-wgmma-gemm ------------------------===//
//
// A one-warpgroup GEMM kernel built only from the WarpgroupMMA helper, so a
// GPU run against NumPy checks the helper's layout, descriptors and lane
// map (and ptxas checks the PTX) before the chunk-scan kernel relies on
// them.
//
//===----------------------------------------------------------------------===//

#include "sse/Conversion/SSEGPUToGPU/SSEGPUToGPU.h"
#include "sse/Conversion/SSEGPUToGPU/WarpgroupMMA.h"
#include "sse/Conversion/SSEToSSEGPU/SSEToSSEGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir {
namespace sse {
#define GEN_PASS_DEF_TESTSSEGPUWGMMAGEMM
#include "sse/Conversion/Passes.h.inc"
} // namespace sse
} // namespace mlir

using namespace mlir;
using namespace mlir::sse_gpu;

namespace {
Value idx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Copies the `rows` x `depth` (or transposed) global tile `src` into
/// `smem` in `layout`, the 128 threads striding over the elements.
void stageOperand(OpBuilder &b, Location loc, Value thread, Value src,
                  Value smem, const CoreMatrixLayout &layout, bool transposed) {
  int64_t count = layout.rows * layout.depth;
  // Row-major source: A is rows x depth, B is depth x rows.
  int64_t srcCols = transposed ? layout.rows : layout.depth;
  auto loop =
      scf::ForOp::create(b, loc, thread, idx(b, loc, count), idx(b, loc, 128));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value i = loop.getInductionVar();
  Value r = arith::DivUIOp::create(b, loc, i, idx(b, loc, srcCols));
  Value c = arith::RemUIOp::create(b, loc, i, idx(b, loc, srcCols));
  Value v = memref::LoadOp::create(b, loc, src, ValueRange{r, c});
  Value row = transposed ? c : r, k = transposed ? r : c;
  Value offset =
      arith::DivUIOp::create(b, loc, layout.byteOffset(b, loc, row, k),
                             idx(b, loc, layout.elementBytes));
  memref::StoreOp::create(b, loc, v, smem, ValueRange{offset});
}

/// The shared window address of a workgroup buffer, as i64.
Value sharedAddress(OpBuilder &b, Location loc, Value smem) {
  Value p = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, smem);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), p);
}

struct TestSSEGPUWgmmaGemmPass
    : public sse::impl::TestSSEGPUWgmmaGemmBase<TestSSEGPUWgmmaGemmPass> {
  using Base::Base;

  void runOnOperation() override {
    Type element = parseElement();
    int64_t eb = element ? element.getIntOrFloatBitWidth() / 8 : 0;
    CoreMatrixLayout a{64, k, eb}, bT{n, k, eb};
    if (!element || n < 8 || n > 256 || n % 8 != 0 || !a.isValid() ||
        !bT.isValid()) {
      getOperation()->emitError("test-sse-gpu-wgmma-gemm: n must be a "
                                "multiple of 8 in [8, 256], k a multiple of "
                                "16, element bf16, f16 or f32");
      return signalPassFailure();
    }
    buildKernel(element, a, bT);
  }

  Type parseElement() {
    Builder b(&getContext());
    if (element == "bf16")
      return b.getBF16Type();
    if (element == "f16")
      return b.getF16Type();
    if (element == "f32")
      return b.getF32Type();
    return {};
  }

  void buildKernel(Type element, const CoreMatrixLayout &a,
                   const CoreMatrixLayout &bT) {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Location loc = module.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    auto gpuModule = gpu::GPUModuleOp::create(b, loc, "sse_wgmma_test");
    b.setInsertionPointToStart(gpuModule.getBody());
    auto workgroup = gpu::AddressSpaceAttr::get(
        ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
    auto smemType = [&](int64_t elems) {
      return MemRefType::get({elems}, element, MemRefLayoutAttrInterface(),
                             workgroup);
    };
    auto fnType = b.getFunctionType({MemRefType::get({64, k}, element),
                                     MemRefType::get({k, n}, element),
                                     MemRefType::get({64, n}, b.getF32Type())},
                                    {});
    auto fn = gpu::GPUFuncOp::create(
        b, loc, "gemm", fnType, TypeRange{smemType(64 * k), smemType(n * k)},
        TypeRange{});
    fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    fn.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({128, 1, 1}));
    // Descriptors address shared memory in 16-byte units; the core
    // matrices are 128 bytes.
    for (unsigned i = 0; i < 2; ++i)
      fn.setWorkgroupAttributionAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                                     b.getI64IntegerAttr(128));
    b.setInsertionPointToStart(&fn.getBody().front());
    Value thread = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value smemA = fn.getWorkgroupAttributions()[0];
    Value smemB = fn.getWorkgroupAttributions()[1];
    stageOperand(b, loc, thread, fn.getArgument(0), smemA, a, false);
    stageOperand(b, loc, thread, fn.getArgument(1), smemB, bT, true);
    gpu::BarrierOp::create(b, loc);

    Value addrA = sharedAddress(b, loc, smemA);
    Value addrB = sharedAddress(b, loc, smemB);
    auto accType = accumulatorType(ctx, n);
    Value acc = LLVM::UndefOp::create(b, loc, accType);
    NVVM::WGMMATypes type = element.isBF16()  ? NVVM::WGMMATypes::bf16
                            : element.isF16() ? NVVM::WGMMATypes::f16
                                              : NVVM::WGMMATypes::tf32;
    wgmmaFence(b, loc);
    for (int64_t step = 0; step < k / wgmmaDepth(a.elementBytes); ++step)
      acc = warpgroupMMA(b, loc, matrixDescriptor(b, loc, addrA, a, step),
                         matrixDescriptor(b, loc, addrB, bT, step), acc, n,
                         type, /*accumulate=*/step > 0);
    wgmmaCommitAndWait(b, loc);
    for (int64_t i = 0; i < n / 2; ++i) {
      Value v = LLVM::ExtractValueOp::create(b, loc, acc, i);
      auto [row, col] = accumulatorPosition(b, loc, thread, i);
      memref::StoreOp::create(b, loc, v, fn.getArgument(2),
                              ValueRange{row, col});
    }
    gpu::ReturnOp::create(b, loc);
  }
};
} // namespace
