//===- Passes.td - Conversion passes of sse-mlir --------------*- tablegen -*-===//
//
// Lowerings out of the sse dialect. Each pass is a thin shell over a
// populate...Patterns function in its own library (lib/Conversion/<Name>).
//
//===----------------------------------------------------------------------===//

#ifndef SSE_CONVERSION_PASSES_TD
#define SSE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSSEToSCF : Pass<"convert-sse-to-scf"> {
  let summary = "Lower sse ops to scf loops over memrefs (the CPU reference path)";
  let description = [{
    Rewrites `sse.classify` and `sse.scan` into sequential `scf.for` loop
    nests that compute SPEC.md section 1 exactly, in f32, one token after
    the other. Tensor operands are exposed as buffers with
    `bufferization.to_buffer`; results are fresh buffers wrapped with
    `bufferization.to_tensor restrict writable`, so the output is ready for
    `one-shot-bufferize`. Every output element is written: tokens outside
    the packed sequences of `cu_seqlens` get zeros, states without `init`
    start from zeros.

    This is the reference lowering for the CPU and for machines without a
    GPU; it is deliberately simple (no tiling, no vectorisation).

    Example:

    ```mlir
    func.func @router(%z: tensor<1x8x4xf32>)
        -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>) {
      %w, %i = sse.classify %z {k = 1 : i64}
          : tensor<1x8x4xf32> -> (tensor<1x8x1xf32>, tensor<1x8x1xi32>)
      return %w, %i : tensor<1x8x1xf32>, tensor<1x8x1xi32>
    }
    ```

    the classify becomes a loop nest over the 8 rows that computes the max,
    the softmax denominator and the top-1 selection, storing into two new
    buffers.

    With `lower-scans=false`, `sse.scan` is left for `one-shot-bufferize`,
    which lowers it in place through its BufferizableOpInterface: the
    final states are the buffer of `init` (the scan's destination), copied
    only where the initial states are still read afterwards. The CPU
    pipeline works that way, so a decode step updates the state cache in
    place.
  }];
  let options = [
    Option<"lowerScans", "lower-scans", "bool", "true",
           "Lower sse.scan here (false: leave it to one-shot-bufferize)">
  ];
  let dependentDialects = [
    "arith::ArithDialect", "bufferization::BufferizationDialect",
    "linalg::LinalgDialect", "math::MathDialect", "memref::MemRefDialect",
    "scf::SCFDialect"
  ];
}

def ConvertSSEToSSEGPU : Pass<"convert-sse-to-sse-gpu"> {
  let summary = "Rewrite tiled sse.scan into sse_gpu kernel ops, on tensors";
  let description = [{
    The first conversion of the GPU codegen v2 path. A scan with static
    shapes and a `#sse.schedule` (run `sse-tile` first) becomes the kernel
    ops that compute it, each with the `#sse_gpu.plan` the kernel-plan
    analysis makes for it:

    * `sse_gpu.route` for a fused router (`router(z)`);
    * `sse_gpu.group`: token lists per (sequence, partition) of the routed
      partitions;
    * `sse_gpu.chunk_scan` for the shared partition (state partition 0,
      every token) and one for the routed partitions (the gathered
      tokens), chained through the states, which start from `init` or
      zeros;
    * `sse_gpu.combine_outputs`: the sum of the partial outputs of a
      token's visits, then the fused norm and output gate.

    An unrouted scan without an epilogue is one `chunk_scan` that writes o
    directly. All of it stays on tensors: bufferization then handles the
    ops as destination-passing-style ops, and no lowering runs inside it.

    Scans the new kernels do not cover yet are left as they are, for the
    kernels of `convert-sse-to-gpu`: dynamic shapes, no schedule, a
    schedule with `split = chunked` (segments need the state-combine
    kernel), routed tokens kept dense (`grouping = dense`), and widths
    that are not multiples of 16 (the column kernel).
  }];
  let dependentDialects = ["sse_gpu::SSEGPUDialect", "tensor::TensorDialect",
                           "linalg::LinalgDialect", "arith::ArithDialect"];
  let options = [
    Option<"targetSMs", "target-sms", "int64_t", "132",
           "Streaming multiprocessors of the target">,
    Option<"targetSmemKB", "target-smem-kb", "int64_t", "227",
           "Dynamic shared memory per block (KiB)">,
    Option<"builtOnly", "built-only", "bool", "false",
           "Convert only the scans whose kernels convert-sse-gpu-to-gpu "
           "builds today (one dense partition, the additive rule, 16-bit "
           "inputs); the others stay for convert-sse-to-gpu">,
  ];
}

def ConvertSSEGPUToGPU : Pass<"convert-sse-gpu-to-gpu", "ModuleOp"> {
  let summary = "Lower sse_gpu kernel ops on buffers to gpu.func kernels and launches";
  let description = [{
    The buffer-level conversion of GPU codegen v2 (in progress). Each
    sse_gpu op on memrefs becomes a `gpu.launch_func` of a kernel emitted
    directly as a `gpu.func` into `gpu.module @sse_kernels` (no outlining),
    one emitter file per kernel kind. Kernels so far:

    * `sse_gpu.route` -> `@sse_route_<i>`: one thread per row of logits
      (128 per block), SPEC 1.2 in f32: max and softmax denominator over
      N, then k selections in (logit descending, index ascending) order,
      weights over all N or over the picks (renormalised, or top-k then
      softmax).

    Ops without a kernel yet (group, chunk_scan, combine_outputs) are left
    as they are; ops on tensors are an error (bufferize first).
  }];
  let dependentDialects = ["gpu::GPUDialect", "scf::SCFDialect",
                           "math::MathDialect", "memref::MemRefDialect",
                           "arith::ArithDialect", "LLVM::LLVMDialect",
                           "NVVM::NVVMDialect", "nvgpu::NVGPUDialect",
                           "vector::VectorDialect"];
}

def TestSSEGPUWgmmaGemm : Pass<"test-sse-gpu-wgmma-gemm", "ModuleOp"> {
  let summary = "Test only: a 64 x N x K wgmma GEMM kernel built with the "
                "warpgroup helper";
  let description = [{
    Adds `gpu.module @sse_wgmma_test` with one kernel, `@gemm(%a:
    memref<64xKxT>, %b: memref<KxNxT>, %c: memref<64xNxf32>)`, run by one
    warpgroup (128 threads): the threads write A and the transpose of B
    into shared memory in the core-matrix layout of
    `sse/Conversion/SSEGPUToGPU/WarpgroupMMA.h`, wgmma multiplies them
    (K / 16 slices, k8 for f32 as tf32) with descriptors from the same
    helper, and each thread stores its accumulator elements at the
    positions of the helper's lane map. Lit checks the PTX and that ptxas
    accepts it; `scripts/gpu_wgmma_check.py` runs it on a GPU against
    NumPy, which checks the layout, the descriptors and the lane map
    together.
  }];
  let dependentDialects = ["gpu::GPUDialect", "NVVM::NVVMDialect",
                           "LLVM::LLVMDialect", "memref::MemRefDialect",
                           "scf::SCFDialect", "arith::ArithDialect"];
  let options = [
    Option<"n", "n", "int64_t", "64", "Columns of B and C (8 to 256, by 8)">,
    Option<"k", "k", "int64_t", "16", "The shared dimension (by 16)">,
    Option<"element", "element", "std::string", "\"bf16\"",
           "Operand type: bf16, f16 or f32 (multiplied as tf32)">,
  ];
}

def ConvertSSEToGPU : Pass<"convert-sse-to-gpu", "ModuleOp"> {
  let summary = "Lower sse.scan to gpu.launch kernels following its schedule";
  let description = [{
    Rewrites every `sse.scan` (any form: shared partition, route or router,
    both rules, gates, init, cu_seqlens, epilogue) into a device memset of
    an f32 output accumulator, the scan kernel(s), and an epilogue kernel
    (norm, gate, rounding to o's type; one warp per row). The module
    becomes a `gpu.container_module`; kernels are named after their role
    (`sse_scan_tc`, `sse_group`, `sse_epilogue`, ...). Other sse ops must
    have been fused into scans (`sse-fuse`); the pass fails on them.

    Scans with K, V multiples of 16 (K <= 256) use the tensor-core
    kernel (option `tensor-cores`): one block per
    (sequence, head, state partition, V tile of the schedule's `v_tile`
    columns, as far as the f32 state fits 64 registers per thread of up to
    8 warps). The block stages chunks of the schedule's `chunk` tokens in
    dynamic shared memory with one round of coalesced loads and walks each
    in 16-token steps: `Qd S + A V` and `S += Kd^T V` as
    `nvgpu.ldmatrix` + m16n8k16 mma.sync on operands of the input's
    16-bit type (`nvgpu.mma.sync` for f16, `nvvm.mma.sync` with bf16
    multiplicands for bf16; f32 accumulation), or as 3xTF32 `nvgpu.mma.sync`
    m16n8k8 on f32 operands for f32 inputs; the masked intra-step scores as
    tf32 `nvgpu.mma.sync` m16n8k8; the f32 state stays in registers (the accumulators of the
    state update) across the whole sequence. `grouping = sorted` first
    runs a grouping kernel that lists each routed partition's (token,
    weight) entries in token order (a block-wide prefix sum per (sequence,
    head, partition)); the routed partitions then walk only those.
    `split = chunked` cuts each partition's entries into segments that run
    in parallel: segment states from zero, a short combine scan over the
    segments, then the outputs from each segment's starting state.

    The gated delta rule runs the same kernel: per 16-token step it
    solves the step's updates `U` (a 16 x 16 unit lower-triangular system
    built from `k k^T` on tensor cores and `V - Kg S`) and uses them in
    place of `V`; its `split = chunked` keeps the state-carrying walk.

    Other scans (K or V not a multiple of 16, K > 256) use the column
    kernel: one block per (sequence, head) x state partition, each thread
    owning state columns and walking the tokens in order, reads added
    atomically. It follows neither chunk nor split.

    With `lower-scans=false`, each `sse.scan` is only marked
    (`sse.gpu_kernels = {index, tensor_cores}`) and left for
    `one-shot-bufferize`, whose BufferizableOpInterface emits the same
    kernels on buffers with the final states written in place into the
    buffer of `init` (the scan's destination; copied first only where the
    initial states are still read afterwards). `sse-to-nvvm` works that
    way, so a decode step updates the state cache without a copy.
  }];
  let options = [
    Option<"tensorCores", "tensor-cores", "bool", "true",
           "Use the tensor-core kernel where it applies">,
    Option<"lowerScans", "lower-scans", "bool", "true",
           "Lower sse.scan here (false: mark it and leave it to "
           "one-shot-bufferize, in place on its states)">
  ];
  let dependentDialects = [
    "arith::ArithDialect", "bufferization::BufferizationDialect",
    "gpu::GPUDialect", "LLVM::LLVMDialect", "math::MathDialect",
    "memref::MemRefDialect", "NVVM::NVVMDialect", "nvgpu::NVGPUDialect",
    "scf::SCFDialect", "vector::VectorDialect"
  ];
}

def SSEDeviceBuffers : Pass<"sse-device-buffers", "func::FuncOp"> {
  let summary = "Host-side buffers of a CUDA entry become device buffers";
  let description = [{
    For the CUDA target every buffer an entry function sees is device
    memory: outside GPU kernels, `memref.alloc` becomes `gpu.alloc`,
    `memref.dealloc` becomes `gpu.dealloc` and `memref.copy` becomes
    `gpu.memcpy` (or, between strided buffers such as slices of the fused
    states, a copy kernel). Allocations left without a free are freed
    before each return.
  }];
  let dependentDialects = ["arith::ArithDialect", "gpu::GPUDialect",
                           "scf::SCFDialect"];
}

def SSEOutlineKernels : Pass<"sse-outline-kernels", "ModuleOp"> {
  let summary = "gpu-kernel-outlining that keeps the lowering's occupancy hints";
  let description = [{
    Runs upstream `gpu-kernel-outlining`, then gives each outlined kernel
    the occupancy hint its `gpu.launch` carried: a launch with
    `sse.min_blocks_per_sm = n` (set by `convert-sse-to-gpu` where n blocks
    fit an SM's shared memory) becomes a `gpu.func` with
    `nvvm.minctasm = n`, so ptxas keeps the registers low enough for n
    blocks per SM. Launches are matched to kernels by their `function`
    name. A launch ending in
    `{function = @k, module = @k, sse.min_blocks_per_sm = 2 : i32}` becomes
    `gpu.module @k { gpu.func @k(...) kernel attributes {nvvm.minctasm = 2 : i32, ...} }`
    (test/Conversion/SSEToGPU/outline-kernels.mlir has the whole IR).
  }];
  let dependentDialects = ["gpu::GPUDialect"];
}

def SSEUnrollKernelLoops : Pass<"sse-unroll-kernel-loops"> {
  let summary = "Unroll the scan kernels' loops marked with sse.unroll";
  let description = [{
    The kernels of `convert-sse-to-gpu` mark the loops whose unrolling
    pays (the staging loads of a chunk kept in flight, the cumulative
    decays of a step) with `sse.unroll = factor`. With `lower-scans=true`
    the conversion unrolls them itself; when one-shot bufferization emitted
    the kernels (`lower-scans=false`, as in `sse-to-nvvm`), this pass runs
    after it. Unrolling by the factor keeps the loop's semantics (an
    epilogue loop takes the remainder); a loop that cannot be unrolled is
    left as it is.
  }];
  let dependentDialects = ["scf::SCFDialect", "arith::ArithDialect"];
}

def SSEDistinctReturnedBuffers
    : Pass<"sse-distinct-returned-buffers", "ModuleOp"> {
  let summary = "Give every returned buffer of a function its own allocation";
  let description = [{
    Runs after `one-shot-bufferize`, before `sse-drop-in-place-results` and
    `buffer-results-to-out-params`: where a `func.return` returns one
    buffer at several positions (the same value, or `memref.cast`s of one
    buffer), every repeat becomes a copy into a fresh `memref.alloc`, so no
    two results alias. Upstream `buffer-results-to-out-params` with
    `hoist-static-allocs` (which both pipelines use) crashes on a repeated
    result in LLVM 22 (llvm-project issue #219492); this is the project's
    workaround. On the GPU path `sse-device-buffers` turns the copy into a
    device allocation and copy.

    Example (`sse-distinct-returned-buffers`):

    ```mlir
    func.func @twice(%m: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
      return %m, %m : memref<4xf32>, memref<4xf32>
    }
    ```

    becomes

    ```mlir
    func.func @twice(%m: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
      %alloc = memref.alloc() : memref<4xf32>
      memref.copy %m, %alloc : memref<4xf32> to memref<4xf32>
      return %m, %alloc : memref<4xf32>, memref<4xf32>
    }
    ```
  }];
  let dependentDialects = ["memref::MemRefDialect"];
}

def SSEDropInPlaceResults : Pass<"sse-drop-in-place-results", "ModuleOp"> {
  let summary = "Drop function results that are argument buffers (states in place)";
  let description = [{
    Runs after `one-shot-bufferize`: a public function that returns one of
    its own argument buffers (through `memref.cast` at most), as a scan's
    final states written in place into its `init` are, loses that result,
    so that `buffer-results-to-out-params` does not copy the buffer into a
    caller-allocated one (for a decode step, a second read and write of the
    whole state cache). The module records where each result went, as
    `sse.results_in_args = {fn = array<i64: a0, a1, ...>}`: `a_i` is the
    argument that holds result i after the call, -1 for a result that is
    still returned. `sse-runner`, `sse-aot-run` and the Python package read
    it. Functions with callers in the module are left alone.

    Example (`sse-drop-in-place-results`):

    ```mlir
    func.func @decode(%cache: memref<4x2x1x8x8xf32>)
        -> (memref<4x1x2x8xf32>, memref<4x2x1x8x8xf32>) {
      %o = memref.alloc() : memref<4x1x2x8xf32>
      // ... kernels write %o and update %cache in place ...
      return %o, %cache : memref<4x1x2x8xf32>, memref<4x2x1x8x8xf32>
    }
    ```

    becomes `func.func @decode(%cache: ...) -> memref<4x1x2x8xf32>`
    returning `%o`, and the module gets `sse.results_in_args = {decode =
    array<i64: -1, 0>}`.
  }];
  let dependentDialects = ["memref::MemRefDialect"];
}

#endif // SSE_CONVERSION_PASSES_TD
