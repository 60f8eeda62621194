// The chunk-scan kernels that sse-to-nvvm builds for SPEC 6's shapes fit
// their registers: ptxas assembles each at 255 registers or fewer with no
// local memory (a spill would put the state or the accumulators in DRAM).
// core-4k's routed and shared parts, a dense GLA, a decode step with
// carried states, core-4k at f16 and at K = V = 64, and core-32k. The
// shared walks of core-32k and of core-4k at K = 64 (64 blocks) are
// segmented: their state passes are assembled too.
// REQUIRES: ptxas
// RUN: rm -rf %t && sse-opt %s --sse-to-nvvm=format=isa | %python %sse_src/scripts/extract_ptx.py %t | FileCheck %s --check-prefix=PTX
// RUN: %ptxas -arch=sm_90a -v %t/kernel0.ptx -o %t/kernel0.cubin > %t/ptxas.txt 2>&1
// RUN: FileCheck %s --input-file=%t/ptxas.txt
// RUN: FileCheck %s --input-file=%t/ptxas.txt --check-prefix=NOSPILL
// PTX: kernel0.ptx
// Every chunk-scan entry is assembled (two per routed scan, one dense),
// and the two state passes:
// CHECK-COUNT-13: Compiling entry function 'sse_{{chunk_scan|segment_states}}_{{[0-9]+}}'
// and no entry of the module spills or stacks anything:
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes spill
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes stack frame

func.func @core_4k(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>, %z: tensor<4x4096x4xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x5x128x128xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x4xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x5x128x128xf32>)
  return %o, %s : tensor<4x4096x16x128xbf16>, tensor<4x16x5x128x128xf32>
}

func.func @dense_gla(%q: tensor<4x4096x16x128xbf16>, %v: tensor<4x4096x16x128xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x1x128x128xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) : (tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>, tensor<4x4096x16x128xbf16>) -> (tensor<4x4096x16x128xbf16>, tensor<4x16x1x128x128xf32>)
  return %o, %s : tensor<4x4096x16x128xbf16>, tensor<4x16x1x128x128xf32>
}

func.func @decode(%q: tensor<64x1x16x128xbf16>, %v: tensor<64x1x16x128xbf16>, %z: tensor<64x1x4xbf16>, %init: tensor<64x16x5x128x128xf32>) -> (tensor<64x1x16x128xbf16>, tensor<64x16x5x128x128xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) init(%init) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x16x128xbf16>, tensor<64x1x4xbf16>, tensor<64x16x5x128x128xf32>) -> (tensor<64x1x16x128xbf16>, tensor<64x16x5x128x128xf32>)
  return %o, %s : tensor<64x1x16x128xbf16>, tensor<64x16x5x128x128xf32>
}

func.func @core_4k_f16(%q: tensor<4x4096x16x128xf16>, %v: tensor<4x4096x16x128xf16>, %z: tensor<4x4096x4xf16>) -> (tensor<4x4096x16x128xf16>, tensor<4x16x5x128x128xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<4x4096x16x128xf16>, tensor<4x4096x16x128xf16>, tensor<4x4096x16x128xf16>, tensor<4x4096x16x128xf16>, tensor<4x4096x16x128xf16>, tensor<4x4096x16x128xf16>, tensor<4x4096x16x128xf16>, tensor<4x4096x4xf16>) -> (tensor<4x4096x16x128xf16>, tensor<4x16x5x128x128xf32>)
  return %o, %s : tensor<4x4096x16x128xf16>, tensor<4x16x5x128x128xf32>
}

func.func @core_4k_k64(%q: tensor<4x4096x16x64xbf16>, %v: tensor<4x4096x16x64xbf16>, %z: tensor<4x4096x4xbf16>) -> (tensor<4x4096x16x64xbf16>, tensor<4x16x5x64x64xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<4x4096x16x64xbf16>, tensor<4x4096x16x64xbf16>, tensor<4x4096x16x64xbf16>, tensor<4x4096x16x64xbf16>, tensor<4x4096x16x64xbf16>, tensor<4x4096x16x64xbf16>, tensor<4x4096x16x64xbf16>, tensor<4x4096x4xbf16>) -> (tensor<4x4096x16x64xbf16>, tensor<4x16x5x64x64xf32>)
  return %o, %s : tensor<4x4096x16x64xbf16>, tensor<4x16x5x64x64xf32>
}

func.func @core_32k(%q: tensor<1x32768x16x128xbf16>, %v: tensor<1x32768x16x128xbf16>, %z: tensor<1x32768x4xbf16>) -> (tensor<1x32768x16x128xbf16>, tensor<1x16x5x128x128xf32>) {
  %o, %s = sse.scan %q, %q, %v gate(%q) shared(%q, %q) shared_gate(%q) router(%z) {partitions = 4 : i64, top_k = 1 : i64} : (tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x16x128xbf16>, tensor<1x32768x4xbf16>) -> (tensor<1x32768x16x128xbf16>, tensor<1x16x5x128x128xf32>)
  return %o, %s : tensor<1x32768x16x128xbf16>, tensor<1x16x5x128x128xf32>
}
