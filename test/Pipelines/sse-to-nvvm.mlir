// sse-to-nvvm takes the bundled SSE-GLA core (fp32), a bf16 fused scan and
// an f16 scan to host code calling the mgpu* runtime plus gpu.binary
// kernels; the PTX for sm_90a and sm_80 assembles with ptxas, and the scan
// kernels use the tensor cores (ldmatrix and mma.sync on bf16 and f16
// operands, tf32 for the scores).
// RUN: sse-opt %sse_src/examples/sse_gla_core.mlir --sse-to-nvvm | FileCheck %s --check-prefix=EXAMPLE
// EXAMPLE: llvm.func @sse_gla_core(
// EXAMPLE: gpu.launch_func
// EXAMPLE: gpu.binary @{{.*}} [#gpu.object<#nvvm.target<chip = "sm_90a", features = "+ptx80">
//
// RUN: rm -rf %t && mkdir -p %t && sse-opt %s --sse-to-nvvm | %python %sse_src/scripts/extract_ptx.py %t/sm90a > %t/list90
// RUN: sse-opt %s --sse-to-nvvm="chip=sm_80 features=+ptx80" | %python %sse_src/scripts/extract_ptx.py %t/sm80 > %t/list80
// RUN: cat %t/sm90a/*.ptx | FileCheck %s --check-prefix=PTX90
// RUN: cat %t/sm80/*.ptx | FileCheck %s --check-prefix=PTX80
// RUN: cat %t/sm90a/*.ptx | FileCheck %s --check-prefix=TF32
// The intra-chunk scores: tf32 mma on the f32 score factors.
// TF32: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// PTX90: .target sm_90a
// PTX90-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX90-DAG: ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16
// PTX90-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX90-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX90-DAG: atom.global.add.f32
// PTX80: .target sm_80
// PTX80-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX80-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX80-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32


func.func @scan(%q: tensor<1x40x2x32xbf16>, %v: tensor<1x40x2x32xbf16>, %g: tensor<1x40x2x32xbf16>, %z: tensor<1x40x4xf32>) -> (tensor<1x40x2x32xbf16>, tensor<1x2x5x32x32xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%g) shared(%q, %q) router(%z) {partitions = 4 : i64, top_k = 1 : i64}
    : (tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x2x32xbf16>, tensor<1x40x4xf32>) -> (tensor<1x40x2x32xbf16>, tensor<1x2x5x32x32xf32>)
  return %o, %s : tensor<1x40x2x32xbf16>, tensor<1x2x5x32x32xf32>
}

func.func @scan_f16(%q: tensor<1x40x2x32xf16>, %v: tensor<1x40x2x32xf16>, %g: tensor<1x40x2xf16>) -> (tensor<1x40x2x32xf16>, tensor<1x2x1x32x32xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%g)
    : (tensor<1x40x2x32xf16>, tensor<1x40x2x32xf16>, tensor<1x40x2x32xf16>, tensor<1x40x2xf16>) -> (tensor<1x40x2x32xf16>, tensor<1x2x1x32x32xf32>)
  return %o, %s : tensor<1x40x2x32xf16>, tensor<1x2x1x32x32xf32>
}
