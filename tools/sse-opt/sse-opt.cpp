//===- sse-opt.cpp - The opt-style driver of sse-mlir ---------------------===//
//
// Parses, verifies and transforms IR with the sse dialect, its passes and
// pipelines, and every upstream dialect, pass and GPU-to-LLVM-IR translation
// (so upstream GPU pipelines such as gpu-module-to-binary also run here).
//
//===----------------------------------------------------------------------===//

#include "sse/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::sse::setDefaultCudaToolkitPath();
  mlir::DialectRegistry registry;
  mlir::sse::registerAllDialectsAndExtensions(registry);
  mlir::sse::registerAllPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "sse-mlir optimizer driver\n", registry));
}
