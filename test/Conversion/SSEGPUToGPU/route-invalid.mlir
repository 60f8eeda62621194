// convert-sse-gpu-to-gpu works on buffers: an sse_gpu op on tensors is an
// error that says to bufferize first; dynamic shapes are not handled yet.
// RUN: sse-opt %s -split-input-file -verify-diagnostics --convert-sse-gpu-to-gpu

func.func @on_tensors(%z: tensor<2x8x4xf32>, %w0: tensor<2x8x1xf32>, %i0: tensor<2x8x1xi32>) -> (tensor<2x8x1xf32>, tensor<2x8x1xi32>) {
  // expected-error @below {{convert-sse-gpu-to-gpu works on buffers: bufferize the sse_gpu ops first (one-shot-bufferize)}}
  %w, %i = sse_gpu.route ins(%z : tensor<2x8x4xf32>) outs(%w0, %i0 : tensor<2x8x1xf32>, tensor<2x8x1xi32>) {top_k = 1 : i64} -> tensor<2x8x1xf32>, tensor<2x8x1xi32>
  return %w, %i : tensor<2x8x1xf32>, tensor<2x8x1xi32>
}

// -----

func.func @dynamic(%z: memref<?x8x4xf32>, %w: memref<?x8x1xf32>, %i: memref<?x8x1xi32>) {
  // expected-error @below {{convert-sse-gpu-to-gpu: the sse_gpu.route kernel needs buffers of static shape}}
  sse_gpu.route ins(%z : memref<?x8x4xf32>) outs(%w, %i : memref<?x8x1xf32>, memref<?x8x1xi32>) {top_k = 1 : i64}
  return
}

// -----

// The segment combine kernel, likewise.
func.func @combine_segments_dynamic(%e: memref<?x7x2x64x64xf32>, %d: memref<?x7x2x64xf32>, %i: memref<?x8x2x64x64xf32>) {
  // expected-error @below {{convert-sse-gpu-to-gpu: the sse_gpu.combine_segments kernel needs buffers of static shape}}
  sse_gpu.combine_segments ins(%e, %d : memref<?x7x2x64x64xf32>, memref<?x7x2x64xf32>) outs(%i : memref<?x8x2x64x64xf32>) {partition = 0 : i64}
  return
}
