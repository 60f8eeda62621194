// The warpgroup matrix helper on its own: test-sse-gpu-wgmma-gemm builds a
// one-warpgroup GEMM from it. The kernel stages both operands into 128-byte
// aligned shared memory, fences the generic proxy against the async one,
// issues one wgmma per K slice (the first without accumulating) with the
// helper's descriptors, and stores through the lane map. Its PTX has the
// wgmma instructions and ptxas accepts it for sm_90a; on a GPU,
// scripts/gpu_wgmma_check.py compares its results with NumPy.
// RUN: sse-opt %s --test-sse-gpu-wgmma-gemm="n=64 k=32 element=bf16" | FileCheck %s
// RUN: sse-opt %s --test-sse-gpu-wgmma-gemm="n=64 k=32 element=bf16" | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa kernel-bare-ptr-calling-convention=1" | %python %sse_src/scripts/extract_ptx.py %t.bf16 | FileCheck %s --check-prefix=LIST
// RUN: FileCheck %s --check-prefix=PTX < %t.bf16/kernel0.ptx
// RUN: sse-opt %s --test-sse-gpu-wgmma-gemm="n=32 k=16 element=f32" | sse-opt --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa kernel-bare-ptr-calling-convention=1" | %python %sse_src/scripts/extract_ptx.py %t.tf32 > /dev/null
// RUN: FileCheck %s --check-prefix=TF32 < %t.tf32/kernel0.ptx
// REQUIRES: ptxas
// RUN: %ptxas -arch=sm_90a %t.bf16/kernel0.ptx -o %t.bf16.cubin
// RUN: %ptxas -arch=sm_90a %t.tf32/kernel0.ptx -o %t.tf32.cubin
// RUN: not sse-opt %s --test-sse-gpu-wgmma-gemm="n=12" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not sse-opt %s --test-sse-gpu-wgmma-gemm="element=i8" 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK: gpu.module @sse_wgmma_test
// CHECK: gpu.func @gemm(%{{.*}}: memref<64x32xbf16>, %{{.*}}: memref<32x64xbf16>, %{{.*}}: memref<64x64xf32>) workgroup(%[[A:.*]] : memref<2048xbf16, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}, %[[B:.*]] : memref<2048xbf16, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}) kernel
// CHECK: gpu.barrier
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK: nvvm.wgmma.fence.aligned
// The two K slices: LBO = 128 bytes, SBO = 4 core matrices of 128 bytes
// (K = 32 is 4 core-matrix columns), i.e. (8 << 16) | (32 << 32).
// CHECK: arith.constant 137439477760 : i64
// CHECK: nvvm.wgmma.mma_async {{.*}} <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// The second slice starts two core matrices (256 bytes) further.
// CHECK: arith.constant 256 : i64
// CHECK: nvvm.wgmma.mma_async {{.*}} D[<f32>, <one>]
// CHECK: nvvm.wgmma.commit.group.sync.aligned
// CHECK: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-COUNT-32: memref.store {{.*}} : memref<64x64xf32>

// LIST: kernel0.ptx
// PTX: .shared .align 128 .b8
// PTX: fence.proxy.async.shared::cta;
// PTX: wgmma.fence.sync.aligned;
// PTX-COUNT-2: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// PTX: wgmma.commit_group.sync.aligned;
// PTX: wgmma.wait_group.sync.aligned 0;
// TF32-COUNT-2: wgmma.mma_async.sync.aligned.m64n32k8.f32.tf32.tf32
// BAD: error: test-sse-gpu-wgmma-gemm: n must be a multiple of 8 in [8, 256], k a multiple of 16, element bf16, f16 or f32
