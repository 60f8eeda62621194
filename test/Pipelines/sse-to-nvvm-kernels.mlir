// sse-to-nvvm's `kernels` option: the default (v2) builds the sse_gpu
// kernels for every scan they cover (here a dense bf16 GLA scan: one
// chunk-scan kernel) and the v1 kernels for the rest (an f32 scan, which
// needs 3xTF32); kernels=v1 builds the v1 kernels for every scan.
// RUN: sse-opt %s --sse-to-nvvm --mlir-print-ir-after=sse-outline-kernels -o /dev/null 2>&1 | FileCheck %s --check-prefix=V2
// RUN: sse-opt %s --sse-to-nvvm=kernels=v2 --mlir-print-ir-after=sse-outline-kernels -o /dev/null 2>&1 | FileCheck %s --check-prefix=V2
// RUN: sse-opt %s --sse-to-nvvm=kernels=v1 --mlir-print-ir-after=sse-outline-kernels -o /dev/null 2>&1 | FileCheck %s --check-prefix=V1

// V2-LABEL: func.func @two_scans
// V2: gpu.launch_func @sse_kernels::@sse_chunk_scan_0
// V2: gpu.launch_func @sse_scan_tc::@sse_scan_tc
// V2-NOT: @sse_scan_tc_1
// V2-NOT: @sse_chunk_scan_1
// V1-LABEL: func.func @two_scans
// V1: gpu.launch_func @sse_scan_tc::@sse_scan_tc
// V1: gpu.launch_func @sse_scan_tc_1::@sse_scan_tc_1
// V1-NOT: sse_chunk_scan
func.func @two_scans(%q: tensor<1x100x2x64xbf16>, %f: tensor<1x100x2x64xf32>) -> (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xf32>) {
  %o1, %s1 = sse.scan %q, %q, %q gate(%q) : (tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>, tensor<1x100x2x64xbf16>) -> (tensor<1x100x2x64xbf16>, tensor<1x2x1x64x64xf32>)
  %o2, %s2 = sse.scan %f, %f, %f gate(%f) : (tensor<1x100x2x64xf32>, tensor<1x100x2x64xf32>, tensor<1x100x2x64xf32>, tensor<1x100x2x64xf32>) -> (tensor<1x100x2x64xf32>, tensor<1x2x1x64x64xf32>)
  return %o1, %o2 : tensor<1x100x2x64xbf16>, tensor<1x100x2x64xf32>
}
